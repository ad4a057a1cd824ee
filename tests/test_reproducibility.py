"""Same commit, same verdicts: the selection does not change the draws, and every verdict records its environment.

* One statement run alone (its own file) and beside the whole suite (``theorems tests`` collected, the rest
  deselected) draws the same examples: same example count, same largest discrepancy. Before the plugin froze
  Hypothesis's pool of local constants, ``tarmoun2021:scalar`` drew 205 examples alone and 210 in the full
  run, ``li2022:lemma-4.6`` 201 and 200.
* summary.json carries Python, every installed package, the lock's hash, the BLAS and the commit; a plain
  ``pytest`` (no Makefile) runs with one BLAS thread.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from theorems.suite.environment import differences, runtime_environment

ROOT = Path(__file__).resolve().parent.parent
STATEMENT = "tarmoun2021:scalar"


def _campaign(tmp_path: Path, name: str, *paths: str, env: dict | None = None) -> dict:
    out = tmp_path / name
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        *paths,
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-q",
        "--hypothesis-profile=ci",
        f"--statement={STATEMENT}",
        f"--report-dir={out}",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads((out / "summary.json").read_text())


def _record(doc: dict) -> dict:
    return next(r for r in doc["statements"] if r["id"] == STATEMENT)


def test_a_statement_draws_the_same_examples_alone_and_in_the_full_run(tmp_path: Path) -> None:
    alone = _record(_campaign(tmp_path, "alone", "theorems/tarmoun2021_min2021.py"))
    full = _record(_campaign(tmp_path, "full", "theorems", "tests"))
    assert alone["verdict"] == full["verdict"] == "held"
    assert alone["examples"] == full["examples"]
    assert alone["inconclusive_reasons"] == full["inconclusive_reasons"]
    assert alone["max_discrepancy"] == full["max_discrepancy"]


def test_summary_records_the_environment_and_a_plain_pytest_pins_blas(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}  # as a user's shell might
    doc = _campaign(tmp_path, "env", "theorems/tarmoun2021_min2021.py", env=env)
    e = doc["environment"]
    for key in ("python", "packages", "lock_sha256", "blas", "git_commit", "profile", "seed"):
        assert key in e, key
    assert e["packages"]["numpy"] == e["numpy"]
    assert e["blas"] and all(lib["num_threads"] == 1 for lib in e["blas"])
    assert (ROOT / "requirements.lock").exists() and len(e["lock_sha256"]) == 64
    tp = doc["runs"][doc["run"]]["throughput"]  # the campaign's examples per second
    assert tp["examples"] > 0 and tp["examples_per_second"] == pytest.approx(
        tp["examples"] / tp["wall_seconds"], rel=1e-2
    )


def test_differences_name_what_changed() -> None:
    here = runtime_environment()
    assert differences(here, here) == []
    old = json.loads(json.dumps(here))
    old["packages"]["numpy"] = "1.26.4"
    old["packages"].pop("scipy")
    old["lock_sha256"] = "0" * 64
    lines = differences(old, here)
    assert any(line.startswith("package numpy: stored 1.26.4") for line in lines)
    assert any(line.startswith("package scipy: stored absent") for line in lines)
    assert any(line.startswith("lock_sha256:") for line in lines)
    assert differences(None, here) and "no environment" in differences(None, here)[0]


@pytest.mark.parametrize("kind", ["universal", "control"])
def test_soak_table_counts_false_alarms_and_misses(kind: str) -> None:
    from theorems.suite.cli import soak_table

    bad = "falsified" if kind == "universal" else "missed"
    rec = {"id": "x:y", "kind": kind, "examples": 100, "inconclusive": 20, "max_discrepancy": 1.0, "error_budget": 2.0}
    runs = {
        "1": {"complete": True, "statements": [rec | {"verdict": bad}]},
        "2": {"complete": True, "statements": [rec | {"verdict": "held" if kind == "universal" else "caught"}]},
    }
    text, totals = soak_table(runs)
    key = "false_alarms" if kind == "universal" else "missed"
    assert totals[key] == ["x:y (seed 1)"]
    assert "| `x:y` |" in text
    if kind == "universal":
        assert totals["max_inconclusive_share"] == 0.2 and len(totals["over_10pct_inconclusive"]) == 2
    else:  # a control stops at its witness: its share is reported apart, not against the 10% goal
        assert totals["max_inconclusive_share"] == 0.0 and not totals["over_10pct_inconclusive"]
        assert totals["max_inconclusive_share_witness_search"] == 0.2
