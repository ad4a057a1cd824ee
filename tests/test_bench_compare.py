"""``make bench``'s comparison: minima in units of the reference kernel timed in the same run."""

from __future__ import annotations

import json
from pathlib import Path

from tests.benchmarks.compare import compare, main

REF = "tests/benchmarks/test_bench_reference.py::test_reference_kernel"


def _run(path: Path, ref: float, **others: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    benches = [{"fullname": REF, "stats": {"min": ref}}] + [
        {"fullname": k, "stats": {"min": v}} for k, v in others.items()
    ]
    path.write_text(json.dumps({"benchmarks": benches}))


def test_a_uniformly_slower_machine_is_not_a_regression(tmp_path: Path) -> None:
    _run(tmp_path / "m" / "0001_a.json", 1.0, x=2.0, y=3.0)
    _run(tmp_path / "m" / "0002_b.json", 1.3, x=2.6, y=3.9)  # everything 30% slower, the kernel too
    assert main(["--storage", str(tmp_path)]) == 0


def test_a_real_regression_fails_and_is_named(tmp_path: Path, capsys) -> None:
    _run(tmp_path / "m" / "0001_a.json", 1.0, x=2.0, y=3.0)
    _run(tmp_path / "m" / "0002_b.json", 1.0, x=2.0, y=4.0)
    assert main(["--storage", str(tmp_path)]) == 1
    assert "y" in capsys.readouterr().out.split("REGRESSED")[0].splitlines()[-1]
    rows, bad = compare({REF: 1.0, "y": 3.0}, {REF: 1.0, "y": 4.0}, 25.0)
    assert bad == ["y"] and abs(rows[0][3] - 100 / 3) < 1e-9


def test_nothing_to_compare_is_its_own_exit_status(tmp_path: Path) -> None:
    assert main(["--storage", str(tmp_path)]) == 2
    _run(tmp_path / "m" / "0001_a.json", 1.0, x=2.0)
    (tmp_path / "m" / "0002_b.json").write_text(json.dumps({"benchmarks": [{"fullname": "x", "stats": {"min": 2.0}}]}))
    assert main(["--storage", str(tmp_path)]) == 2  # the newer run lacks the kernel


def test_local_references_cancel_a_drifting_load(tmp_path: Path) -> None:
    def run(path, pairs):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "benchmarks": [{"fullname": REF, "stats": {"min": 1.0}}]
                    + [
                        {"fullname": k, "stats": {"min": t}, "extra_info": {"reference_min": r}}
                        for k, (t, r) in pairs.items()
                    ]
                }
            )
        )

    run(tmp_path / "m" / "0001_a.json", {"x": (2.0, 1.0), "y": (3.0, 1.0)})
    run(tmp_path / "m" / "0002_b.json", {"x": (2.6, 1.3), "y": (3.0, 1.0)})  # x timed while the machine was busy
    assert main(["--storage", str(tmp_path)]) == 0
    run(tmp_path / "m" / "0003_c.json", {"x": (2.0, 1.0), "y": (4.5, 1.0)})
    assert main(["--storage", str(tmp_path)]) == 1
