"""The bound on Hypothesis's target phase (:mod:`theorems.suite.hypothesis_fixes`) is installed and does its job.

The case that found it: ``li2022:quadratic-bracket`` at ``thorough`` under seed 2 spun in the target phase
for 894 s and stopped at 270 examples (the engine's invalid-example threshold); bounded, it draws its 1000.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from theorems.suite import hypothesis_fixes

ROOT = Path(__file__).resolve().parent.parent


def test_the_plugin_installs_the_bound() -> None:
    from hypothesis.internal.conjecture.engine import ConjectureRunner
    from hypothesis.internal.conjecture.optimiser import Optimiser

    assert hypothesis_fixes.bound_target_phase()
    assert Optimiser.run.__name__ == "bounded_run"
    assert ConjectureRunner.optimise_targets.__name__ == "bounded_optimise_targets"
    assert hypothesis_fixes.bound_target_phase()  # idempotent: not wrapped twice
    assert Optimiser.run.__closure__ is not None
    inner = [c.cell_contents for c in Optimiser.run.__closure__ if callable(c.cell_contents)]
    assert all(getattr(f, "__name__", "") != "bounded_run" for f in inner)


def test_the_spinning_seed_draws_all_its_examples(tmp_path: Path) -> None:
    out = tmp_path / "r"
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "theorems/li2022_s4_1_commuting.py",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-q",
        "--hypothesis-profile=thorough",
        "--hypothesis-seed=2",
        "--statement=li2022:quadratic-bracket",
        f"--report-dir={out}",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rec = next(
        r for r in json.loads((out / "summary.json").read_text())["statements"] if r["id"] == "li2022:quadratic-bracket"
    )
    assert rec["verdict"] == "held"
    assert rec["examples"] >= 1000, rec["examples"]
