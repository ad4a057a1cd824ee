"""The import contract of pyproject.toml ([tool.importlinter]), checked with import-linter.

theorems -> generators -> oracles; inside oracles core <- model <- flows <- convex | lie <- checks; nothing in
oracles imports Hypothesis or pytest. The planted violations show that the check can fail: a copy of the tree
with one upward import (model importing checks), and one with Hypothesis imported by an oracle, are refused.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = str(Path(sys.executable).with_name("lint-imports"))


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run([LINT, "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_import_contract_holds() -> None:
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "3 kept, 0 broken" in out.stdout


def _copy_tree(tmp_path: Path) -> Path:
    for pkg in ("oracles", "generators", "theorems"):
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize("module, line, contract", [
    ("oracles/model/losses.py", "import oracles.checks.limits  # planted: model -> checks", "oracles by layer"),
    ("oracles/core/outcome.py", "import hypothesis  # planted", "the math decides without Hypothesis"),
    ("generators/arrays.py", "import theorems.harness  # planted: generators -> theorems", "theorems -> generators"),
])
def test_a_planted_violation_is_refused(tmp_path: Path, module: str, line: str, contract: str) -> None:
    root = _copy_tree(tmp_path)
    path = root / module
    path.write_text(path.read_text() + f"\n{line}\n")
    out = _lint(root)
    assert out.returncode != 0
    assert f"{contract}" in out.stdout and "BROKEN" in out.stdout
