"""The import contract of pyproject.toml ([tool.importlinter]), checked with import-linter.

theorems -> generators -> oracles; inside oracles core <- model <- flows <- convex | lie <- checks; nothing in
oracles imports Hypothesis or pytest. Inside theorems, two contracts are generated from the one rule of what a
statement module is (:mod:`theorems.suite.statements`): the machinery (theorems.suite) imports no statement
module, and the statement modules import none of each other. The planted violations show that the check can fail: a copy of the tree
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


def _statement_contracts(root: Path) -> str:
    """The two contracts inside ``theorems`` that depend on which modules are statements (TOML)."""
    mods = sorted(f"theorems.{p.stem}" for p in (root / "theorems").glob("*.py") if not p.name.startswith("_"))
    listed = ", ".join(f'"{m}"' for m in mods)
    return f"""
[[tool.importlinter.contracts]]
name = "the machinery imports no statement"
type = "forbidden"
source_modules = ["theorems.suite"]
forbidden_modules = [{listed}]

[[tool.importlinter.contracts]]
name = "statement modules are independent"
type = "independence"
modules = [{listed}]
"""


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(root))
    config = root / ".importlinter-generated.toml"
    config.write_text((root / "pyproject.toml").read_text() + _statement_contracts(root))
    try:
        return subprocess.run(
            [LINT, "--config", str(config), "--no-cache"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        config.unlink()


def test_the_import_contract_holds() -> None:
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "5 kept, 0 broken" in out.stdout


def _copy_tree(tmp_path: Path) -> Path:
    for pkg in ("oracles", "generators", "theorems"):
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    "module, line, contract",
    [
        ("oracles/model/losses.py", "import oracles.checks.limits  # planted: model -> checks", "oracles by layer"),
        ("oracles/core/outcome.py", "import hypothesis  # planted", "the math decides without Hypothesis"),
        (
            "generators/arrays.py",
            "import theorems.suite.harness  # planted: generators -> theorems",
            "theorems -> generators",
        ),
        (
            "theorems/suite/reports.py",
            "import theorems.li2022_s4_1_commuting  # planted",
            "the machinery imports no statement",
        ),
        (
            "theorems/li2022_s4_2_quadratic.py",
            "import theorems.li2022_s4_1_commuting  # planted",
            "statement modules are independent",
        ),
    ],
)
def test_a_planted_violation_is_refused(tmp_path: Path, module: str, line: str, contract: str) -> None:
    root = _copy_tree(tmp_path)
    path = root / module
    path.write_text(path.read_text() + f"\n{line}\n")
    out = _lint(root)
    assert out.returncode != 0
    assert f"{contract}" in out.stdout and "BROKEN" in out.stdout
