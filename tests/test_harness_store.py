"""The report directory is a store: runs accumulate, concurrent writers serialize, a failed run says so,
and files get the umask's mode."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.test_plugin import HEADER, TRUE_UNIVERSAL, _restore_hypothesis_profile, by_id, planted, summary  # noqa: F401
from theorems.suite import reports

pytest_plugins = ["pytester"]

SECOND = """
@universal("{p}:second", title="v + 0 = v", source="planted")
@settings(max_examples=10, database=None)
@given(v=vec)
def test_second(v):
    return compare(v + 0.0, v)
"""


def test_a_run_of_one_statement_keeps_the_others_marked_with_their_run(pytester: pytest.Pytester) -> None:
    p = planted(pytester, TRUE_UNIVERSAL, SECOND)
    pytester.runpytest("-q").assert_outcomes(passed=2)
    first = summary(pytester)
    pytester.runpytest("-q", "--statement", f"{p}:second").assert_outcomes(passed=1, deselected=1)
    doc = summary(pytester)
    recs = by_id(doc)
    assert set(recs) == {f"{p}:double", f"{p}:second"}
    assert doc["run"] != first["run"] and recs[f"{p}:second"]["run"]["id"] == doc["run"]
    kept = recs[f"{p}:double"]
    assert kept["run"]["id"] == first["run"] and kept == by_id(first)[f"{p}:double"]
    for key in ("started", "git_commit", "profile"):
        assert key in kept["run"]
    assert set(doc["runs"]) == {first["run"], doc["run"]} and doc["runs"][doc["run"]]["exit_status"] == 0
    md = (pytester.path / "reports" / "index.md").read_text()
    assert "1 of 2 records are from earlier runs" in md and "## Runs in this report" in md
    row = next(line for line in md.splitlines() if line.startswith(f"| {p}:double |"))
    assert "this run" not in row and kept["run"]["profile"] in row
    assert "this run" in next(line for line in md.splitlines() if line.startswith(f"| {p}:second |"))
    html = (pytester.path / "reports" / "index.html").read_text()
    assert 'class="stale"' in html


def _campaign(cwd: Path, test_file: str, report_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            test_file,
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"--report-dir={report_dir}",
        ],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_campaigns_into_one_directory_at_once_keep_both_runs(tmp_path: Path) -> None:
    body = HEADER + "".join(
        textwrap.dedent(f"""
        @universal("{{name}}:s{k}", title="statement {k}", source="planted")
        @settings(max_examples=5, database=None)
        @given(v=vec)
        def test_s{k}(v):
            return compare(v, v)
        """)
        for k in range(4)
    )
    for name in ("alpha", "beta"):
        (tmp_path / f"test_{name}.py").write_text(body.replace("{name}", name))
    out = tmp_path / "shared"
    runs = [_campaign(tmp_path, f"test_{name}.py", out) for name in ("alpha", "beta")]
    for proc in runs:
        stdout, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, stdout[-3000:]
    doc = json.loads((out / "summary.json").read_text())
    assert set(by_id(doc)) == {f"{name}:s{k}" for name in ("alpha", "beta") for k in range(4)}
    assert len(doc["runs"]) == 2 and all(r["complete"] for r in doc["runs"].values())
    md = (out / "index.md").read_text()
    assert all(f"{name}:s{k}" in md for name in ("alpha", "beta") for k in range(4))


def test_writers_of_the_store_serialize_on_its_lock(tmp_path: Path) -> None:
    record = {
        "id": "a:1",
        "kind": "universal",
        "verdict": "held",
        "finished": "2030-01-01T00:00:00.000Z",
        "run": {"id": "r2"},
    }
    done = threading.Event()

    def writer():
        reports.store_run(tmp_path, {"id": "r2", "started": "2030"}, [record], {}, complete=True, exit_status=0)
        done.set()

    with reports.locked(tmp_path):
        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.3)
        assert not done.is_set(), "the writer did not wait for the lock"
    thread.join(10)
    assert done.is_set() and json.loads((tmp_path / "summary.json").read_text())["statements"][0]["id"] == "a:1"


def test_merge_keeps_the_newest_record_of_a_statement() -> None:
    old = {"id": "a:1", "nodeid": "t.py::test_a", "finished": "2024-01-01T00:00:00.000Z", "verdict": "held"}
    crash = {"id": "crashed: t.py::test_b", "nodeid": "t.py::test_b", "finished": "2024-01-01T00:00:00.000Z"}
    other = {"id": "c:1", "nodeid": "t.py::test_c", "finished": "2024-01-01T00:00:00.000Z"}
    new = [
        {"id": "a:1", "nodeid": "t.py::test_a", "finished": "2025-01-01T00:00:00.000Z", "verdict": "falsified"},
        {"id": "b:1", "nodeid": "t.py::test_b", "finished": "2025-01-01T00:00:00.000Z"},
    ]
    merged = {r["id"]: r for r in reports.merge_records([old, crash, other], new)}
    assert set(merged) == {"a:1", "b:1", "c:1"} and merged["a:1"]["verdict"] == "falsified"
    # a concurrent run stored a newer record of a:1 after this run's: it stays
    assert reports.merge_records([new[0]], [old])[0]["verdict"] == "falsified"


def test_a_schema_1_summary_is_read_and_upgraded(tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text(
        json.dumps(
            {
                "schema": 1,
                "environment": {"profile": "ci", "git_commit": "abc"},
                "statements": [{"id": "a:1", "max_discrepancy": 0.1, "error_budget": 0.2}],
            }
        )
    )
    doc = reports.read_summary(tmp_path)
    (rec,) = doc["statements"]
    assert (rec["worst_discrepancy"], rec["worst_budget"], rec["run"]["profile"]) == (0.1, 0.2, "ci")
    (tmp_path / "summary.json").write_text("[1, 2]")
    assert reports.read_summary(tmp_path) is None


PLAIN_FAILURES = """
import pytest as _pytest


def test_plain_arithmetic():
    assert 1 + 1 == 3, "arithmetic is broken"


@_pytest.fixture
def broken():
    raise RuntimeError("fixture broke")


def test_uses_broken(broken):
    pass
"""


def _assert_failure_is_shown(pytester: pytest.Pytester, p: str) -> None:
    doc = summary(pytester)
    assert doc["exit_status"] == 1 and by_id(doc)[f"{p}:double"]["verdict"] == "held"
    failed = {(t["nodeid"].split("::")[-1], t["when"]) for t in doc["failed_tests"]}
    assert failed == {("test_plain_arithmetic", "call"), ("test_uses_broken", "setup")}
    assert any("arithmetic is broken" in t["message"] for t in doc["failed_tests"])
    for page in ("index.md", "index.html"):
        text = (pytester.path / "reports" / page).read_text()
        assert "This run failed: pytest exit status 1 (some tests failed)" in text
        assert "test_plain_arithmetic" in text and "test_uses_broken" in text and "arithmetic is broken" in text


def test_a_run_failing_on_a_plain_test_says_so_on_the_page(pytester: pytest.Pytester) -> None:
    p = planted(pytester, TRUE_UNIVERSAL, PLAIN_FAILURES)
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    _assert_failure_is_shown(pytester, p)


def test_failing_plain_tests_are_collected_under_xdist(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    p = planted(pytester, TRUE_UNIVERSAL, PLAIN_FAILURES)
    result = pytester.runpytest_subprocess("-q", "-n", "2")
    assert result.ret == 1
    _assert_failure_is_shown(pytester, p)


def test_a_passing_run_has_no_failure_banner(pytester: pytest.Pytester) -> None:
    planted(pytester, TRUE_UNIVERSAL)
    pytester.runpytest("-q").assert_outcomes(passed=1)
    assert summary(pytester)["failed_tests"] == []
    assert "This run failed" not in (pytester.path / "reports" / "index.html").read_text()


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_report_files_get_the_mode_the_umask_gives(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        reports.atomic_write(tmp_path / "f.json", "{}")
        assert reports.current_umask() == umask
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f.json").stat().st_mode) == mode
