"""``python -m theorems soak`` (issue 27): a folder per column, exit 2 for a summary it cannot use, empty is not clean."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from theorems.suite import cli


def _record(sid: str, verdict: str, kind: str = "universal") -> dict:
    return {
        "id": sid,
        "kind": kind,
        "verdict": verdict,
        "examples": 10,
        "inconclusive": 0,
        "worst_discrepancy": 0.1,
        "worst_budget": 1.0,
        "seconds": 1.0,
    }


def _campaign(folder: Path, *records: dict, raw: str | None = None) -> Path:
    folder.mkdir(parents=True)
    doc = {"schema": 2, "complete": True, "statements": list(records), "runs": {}}
    (folder / "summary.json").write_text(raw if raw is not None else json.dumps(doc))
    return folder


def _soak(*dirs: Path) -> tuple[int, str, str]:
    run = subprocess.run(
        [sys.executable, "-m", "theorems", "soak", *map(str, dirs)], capture_output=True, text=True, timeout=120
    )
    return run.returncode, run.stdout, run.stderr


@pytest.mark.parametrize("order", [0, 1])
def test_two_folders_of_one_name_are_two_columns(tmp_path: Path, order: int) -> None:
    """a/seed-1 and b/seed-1 merged into one column before, last wins: the false alarm vanished in one order."""
    alarm = _campaign(tmp_path / "a" / "seed-1", _record("s:1", "falsified"))
    clean = _campaign(tmp_path / "b" / "seed-1", _record("s:1", "held"))
    status, out, err = _soak(*((alarm, clean) if order == 0 else (clean, alarm)))
    assert status == 1, out + err
    assert "false alarms (a universal statement falsified): **1**" in out and "× 2 seeds" in out
    assert cli.soak_labels(["a/seed-1", "b/seed-1", "c/seed-2"]) == {
        "a/seed-1": "a/seed-1",
        "b/seed-1": "b/seed-1",
        "c/seed-2": "2",
    }


@pytest.mark.parametrize(
    "raw, says",
    [
        ("{ not json", "cannot read"),
        ("[1]", "is not a summary this suite reads: its JSON is a list"),
        (json.dumps({"schema": 2, "statements": [{"id": "s:1"}]}), "record 's:1' is damaged (no 'kind')"),
        (
            json.dumps(
                {"schema": 2, "statements": [{"id": "s:1", "kind": "universal", "verdict": "held", "examples": "many"}]}
            ),
            "'examples' is not a count",
        ),
        (json.dumps({"schema": 2, "statements": []}), "has no statements: the campaign tested nothing (not clean)"),
    ],
)
def test_a_summary_that_cannot_be_used_exits_2_with_one_line(tmp_path: Path, raw: str, says: str) -> None:
    bad = _campaign(tmp_path / "seed-1", raw=raw)
    good = _campaign(tmp_path / "seed-2", _record("s:1", "held"))
    status, out, err = _soak(good, bad)
    assert status == 2, out + err
    assert len(err.strip().splitlines()) == 1 and err.startswith("soak: ") and says in err and "Traceback" not in err


def test_a_clean_soak_still_exits_0(tmp_path: Path) -> None:
    dirs = [
        _campaign(tmp_path / f"seed-{s}", _record("s:1", "held"), _record("s:1 [control: c]", "caught", "control"))
        for s in (1, 2)
    ]
    status, out, err = _soak(*dirs)
    assert status == 0, out + err
