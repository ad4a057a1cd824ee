"""Negative controls of the harness itself: planted statements in a temporary directory, run by pytest.

The plugin is loaded through its installed entry point, in-process (``runpytest``) and in
subprocesses (``runpytest_subprocess``, for xdist and for a campaign killed with ``os._exit``).
Every planted statement uses a cheap numpy comparison and few examples, so this file stays fast.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import settings

from oracles.core.specs import decode

pytest_plugins = ["pytester"]

HEADER = """
import json, os
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp
from oracles import Inconclusive, Outcome, Panel, compare
from theorems import conjecture, control, refutation, universal

vec = hnp.arrays(float, 3, elements=st.floats(0.0, 1.0))
"""

FALSE_CONJECTURE = """
@conjecture("{p}:first-small", title="v[0] never exceeds 0.3", source="planted")
@settings(max_examples=40, database=None)
@given(v=vec)
def test_first_small(v):
    '''The first entry of a vector drawn from [0, 1]^3 stays below 0.3 (false).'''
    out = Outcome(v[0], np.float64(0.3), np.float64(0.0), "v[0] against 0.3", details={{"v": v, "n": np.int64(3)}})
    if out.falsified:
        with open("calls.jsonl", "a") as fh:
            fh.write(json.dumps([float(x).hex() for x in v]) + "\\n")
    out.plot = lambda: [Panel("the vector", "index", "value", {{"v": (np.arange(3), v)}})]
    return out
"""

TRUE_UNIVERSAL = """
@universal("{p}:double", title="2v - v = v", source="planted")
@settings(max_examples=30, database=None)
@given(v=vec)
def test_double(v):
    '''Doubling then subtracting is the identity.'''
    return compare(2 * v - v, v, what="relative gap")
"""


def planted(pytester: pytest.Pytester, *bodies: str, name: str | None = None) -> str:
    """Write a planted test file (statement IDs prefixed by its name) and return the prefix."""
    prefix = name or pytester.path.name.removeprefix("test_").rstrip("0123456789").replace("_", "-")
    source = HEADER + "".join(textwrap.dedent(b).format(p=prefix) for b in bodies)
    pytester.makepyfile(**{f"test_{prefix.replace('-', '_')}": source})
    return prefix


def summary(pytester: pytest.Pytester, report_dir: str = "reports") -> dict:
    text = (pytester.path / report_dir / "summary.json").read_text()
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"summary.json holds {c}: not standard JSON"))


def by_id(doc: dict) -> dict[str, dict]:
    return {r["id"]: r for r in doc["statements"]}


@pytest.fixture(autouse=True)
def _restore_hypothesis_profile():
    """In-process runs load profiles; give the outer session its own back."""
    profile = settings.get_current_profile_name()
    yield
    settings.load_profile(profile)


def test_false_conjecture_is_falsified_with_full_report(pytester: pytest.Pytester) -> None:
    p = planted(pytester, FALSE_CONJECTURE, TRUE_UNIVERSAL)
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*implicit-bias verdicts*", f"held*{p}:double*", f"falsified*{p}:first-small*"])

    doc = summary(pytester)
    assert doc["complete"] is True and doc["exit_status"] == 1
    for key in ("python", "numpy", "scipy", "hypothesis", "git_commit", "profile", "seed"):
        assert key in doc["environment"]
    rec = by_id(doc)[f"{p}:first-small"]
    for key in (
        "id",
        "kind",
        "verdict",
        "examples",
        "inconclusive",
        "worst_discrepancy",
        "worst_budget",
        "worst_error_estimate",
        "worst_floor",
        "worst_budget_reason",
        "max_discrepancy",
        "largest_budget",
        "seconds",
        "oracle_seconds",
        "run",
        "finished",
    ):
        assert key in rec, key
    assert 0.0 <= rec["oracle_seconds"] <= rec["seconds"]
    assert (rec["kind"], rec["verdict"]) == ("conjecture", "falsified")
    assert rec["report"] == f"{p}-first-small"
    assert by_id(doc)[f"{p}:double"]["verdict"] == "held"

    folder = pytester.path / "reports" / rec["report"]
    assert sorted(f.name for f in folder.iterdir()) == ["counterexample.json", "plot-1.png", "report.md"]
    assert (folder / "plot-1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the stored example is the last falsifying call (the shrunk one), bit for bit
    stored = decode(json.loads((folder / "counterexample.json").read_text())["example"]["v"])
    last = json.loads((pytester.path / "calls.jsonl").read_text().splitlines()[-1])
    assert [float(x).hex() for x in stored] == last and stored[0] > 0.3

    page = (folder / "report.md").read_text()
    for needle in (
        "v[0] never exceeds 0.3",
        "stays below 0.3",
        "budget",
        "error estimate",
        "What was tried",
        "profile `dev`",
        "![the vector](plot-1.png)",
        f"python -m theorems reproduce reports/{p}-first-small/counterexample.json",
    ):
        assert needle in page
    index_md = (pytester.path / "reports" / "index.md").read_text()
    assert f"[falsified]({p}-first-small/report.md)" in index_md
    html = (pytester.path / "reports" / "index.html").read_text()
    assert "data:image/png;base64," in html and f'href="{p}-first-small/report.md"' in html
    assert "<style>" in html and "<link" not in html and "http" not in html.split("<body>")[1].split("reproduce")[0]


def test_reproduction_command_exits_1_on_a_witness(pytester: pytest.Pytester) -> None:
    p = planted(pytester, FALSE_CONJECTURE)
    pytester.runpytest("-q").assert_outcomes(failed=1)
    stored = pytester.path / "reports" / f"{p}-first-small" / "counterexample.json"
    assert json.loads(stored.read_text())["schema"] == 2
    command = json.loads(stored.read_text())["reproduce"].split()
    assert command[3:] == [
        "reproduce",
        f"reports/{p}-first-small/counterexample.json",
        "--module",
        f"test_{p.replace('-', '_')}",
    ]  # the planted module is the user's own: named
    run = subprocess.run(
        [sys.executable, "-m", "theorems", *command[3:], "--plot", "redrawn"],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "falsified" in run.stdout and "reproduced exactly" in run.stdout
    assert (pytester.path / "redrawn" / "plot-1.png").exists()


def test_true_statement_leaves_no_counterexample_folder(pytester: pytest.Pytester) -> None:
    p = planted(pytester, TRUE_UNIVERSAL)
    pytester.runpytest("-q").assert_outcomes(passed=1)
    assert sorted(f.name for f in (pytester.path / "reports").iterdir() if not f.name.startswith(".")) == [
        "index.html",
        "index.md",
        "summary.json",
    ]
    assert by_id(summary(pytester))[f"{p}:double"]["report"] is None


def test_statement_that_now_holds_loses_its_old_folder(pytester: pytest.Pytester) -> None:
    p = planted(pytester, FALSE_CONJECTURE)
    pytester.runpytest("-q").assert_outcomes(failed=1)
    folder = pytester.path / "reports" / f"{p}-first-small"
    assert folder.is_dir()
    (folder / "notes.txt").write_text("mine")  # not a report file: must survive
    pytester.makepyfile(
        **{
            f"test_{p.replace('-', '_')}": HEADER
            + FALSE_CONJECTURE.format(p=p).replace("np.float64(0.3)", "np.float64(1.0)")
        }
    )
    pytester.runpytest("-q").assert_outcomes(passed=1)
    assert [f.name for f in folder.iterdir()] == ["notes.txt"]


KILLER = """
@universal("{p}:z-killed", title="the process dies here", source="planted")
@settings(max_examples=5, database=None)
@given(v=vec)
def test_z_killed(v):
    {death}
"""


def test_campaign_killed_midway_leaves_earlier_reports(pytester: pytest.Pytester) -> None:
    p = planted(pytester, FALSE_CONJECTURE, TRUE_UNIVERSAL, KILLER.replace("{death}", "os._exit(3)"))
    result = pytester.runpytest_subprocess("-q", "-p", "no:randomly")
    assert result.ret == 3
    doc = summary(pytester)
    assert doc["complete"] is False
    assert set(by_id(doc)) == {f"{p}:first-small", f"{p}:double"}
    folder = pytester.path / "reports" / f"{p}-first-small"
    assert {f.name for f in folder.iterdir()} == {"counterexample.json", "report.md", "plot-1.png"}
    json.loads((folder / "counterexample.json").read_text())
    assert "not finished" in (pytester.path / "reports" / "index.md").read_text()
    assert not list((pytester.path / "reports").rglob("*.tmp"))


def test_worker_crash_under_xdist_is_recorded_as_an_error(pytester: pytest.Pytester) -> None:
    p = planted(pytester, TRUE_UNIVERSAL, KILLER.replace("{death}", "os._exit(3)"))
    result = pytester.runpytest_subprocess("-q", "-n", "2", "-p", "no:randomly")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    doc = summary(pytester)
    records = by_id(doc)
    assert records[f"{p}:double"]["verdict"] == "held"
    crashed = [r for r in records.values() if r["verdict"] == "error"]
    assert len(crashed) == 1 and crashed[0]["nodeid"].endswith("test_z_killed")
    assert "error" in (pytester.path / "reports" / "index.md").read_text()


def test_keyboard_interrupt_keeps_earlier_reports(pytester: pytest.Pytester) -> None:
    p = planted(pytester, TRUE_UNIVERSAL, KILLER.replace("{death}", "raise KeyboardInterrupt"))
    result = pytester.inline_run("-q", no_reraise_ctrlc=True)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    doc = summary(pytester)
    assert doc["complete"] is False and doc["exit_status"] == int(pytest.ExitCode.INTERRUPTED)
    assert set(by_id(doc)) == {f"{p}:double"}


NOT_FOUND = """
@refutation("{p}:witness", title="some v has v[0] > 2", source="planted")
@settings(max_examples=25, database=None)
@given(v=vec)
def test_witness(v):
    return Outcome(float(v[0]), 2.0, 0.0, "v[0] against 2")
"""


def test_refutation_without_witness_is_not_found_and_fails(pytester: pytest.Pytester) -> None:
    p = planted(pytester, NOT_FOUND)
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    rec = by_id(summary(pytester))[f"{p}:witness"]
    assert rec["verdict"] == "not-found" and rec["report"] is None and "no witness" in rec["message"]
    assert "not-found" in (pytester.path / "reports" / "index.md").read_text()


CONTROL = """
@control("{p}:double", title="planted: 2v - v = 2v")
@settings(max_examples=25, database=None)
@given(v=vec)
def test_planted_double(v):
    return compare(2 * v - v, 2 * v, what="relative gap")
"""


def test_control_is_caught_and_reported_apart(pytester: pytest.Pytester) -> None:
    p = planted(pytester, TRUE_UNIVERSAL, CONTROL)
    pytester.runpytest("-q").assert_outcomes(passed=2)
    recs = by_id(summary(pytester))
    ctl = recs[f"{p}:double [control: planted: 2v - v = 2v]"]
    assert ctl["verdict"] == "caught" and ctl["report"].startswith("controls/")
    assert (pytester.path / "reports" / ctl["report"] / "counterexample.json").exists()
    index_md = (pytester.path / "reports" / "index.md").read_text()
    assert "## Negative controls" in index_md
    assert (
        index_md.index(f"| {p}:double |")
        < index_md.index("## Negative controls")
        < index_md.index("[caught](controls/")
    )


def test_statement_selection_runs_only_that_statement(pytester: pytest.Pytester) -> None:
    p = planted(pytester, FALSE_CONJECTURE, TRUE_UNIVERSAL, CONTROL)
    result = pytester.runpytest("-q", "--statement", f"{p}:double")
    result.assert_outcomes(passed=2, deselected=1)  # the statement and its control
    assert set(by_id(summary(pytester))) == {f"{p}:double", f"{p}:double [control: planted: 2v - v = 2v]"}


UNSET = """
@universal("{p}:count", title="counts its examples", source="planted")
@given(v=vec)
def test_count(v):
    return compare(v, v)
"""


def test_hypothesis_profile_ci_is_honoured(pytester: pytest.Pytester) -> None:
    p = planted(pytester, UNSET)
    pytester.runpytest("-q", "--hypothesis-profile=ci").assert_outcomes(passed=1)
    doc = summary(pytester)
    assert doc["environment"]["profile"] == "ci" and doc["environment"]["derandomize"] is True
    assert by_id(doc)[f"{p}:count"]["examples"] == 200
    pytester.runpytest("-q", "--report-dir", "dev-reports").assert_outcomes(passed=1)
    doc = summary(pytester, "dev-reports")
    assert doc["environment"]["profile"] == "dev" and by_id(doc)[f"{p}:count"]["examples"] == 50


MOSTLY_INCONCLUSIVE = """
@universal("{p}:blows-up", title="mostly undecidable", source="planted")
@settings(max_examples=20, database=None, derandomize=True)
@given(k=st.integers(0, 9))
def test_blows_up(k):
    if k < 7:
        raise Inconclusive("blow-up", "planted")
    return compare(np.ones(2), np.ones(2))
"""


def test_mostly_inconclusive_is_untested_with_reasons(pytester: pytest.Pytester) -> None:
    p = planted(pytester, MOSTLY_INCONCLUSIVE)
    pytester.runpytest("-q").assert_outcomes(failed=1)
    rec = by_id(summary(pytester))[f"{p}:blows-up"]
    assert rec["verdict"] == "untested" and rec["inconclusive_reasons"]["blow-up"] == rec["inconclusive"] > 0
    assert "blow-up:" in (pytester.path / "reports" / "index.md").read_text()


def test_xdist_workers_merge_into_one_summary(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    p = planted(pytester, FALSE_CONJECTURE, TRUE_UNIVERSAL, CONTROL, NOT_FOUND)
    result = pytester.runpytest_subprocess("-q", "-n", "2", "--hypothesis-profile=ci")
    result.assert_outcomes(passed=2, failed=2)
    doc = summary(pytester)
    assert doc["complete"] is True and doc["environment"]["workers"] == 2
    assert {r["id"]: r["verdict"] for r in doc["statements"]} == {
        f"{p}:first-small": "falsified",
        f"{p}:double": "held",
        f"{p}:witness": "not-found",
        f"{p}:double [control: planted: 2v - v = 2v]": "caught",
    }
    assert doc["verdicts"] == {"caught": 1, "falsified": 1, "held": 1, "not-found": 1}
    for rec in doc["statements"]:
        if rec["report"]:
            assert (pytester.path / "reports" / rec["report"] / "report.md").exists()
    assert np.isfinite(by_id(doc)[f"{p}:first-small"]["max_discrepancy"])


SECOND_UNIVERSAL = """
@universal("{p}:negate", title="-(-v) = v", source="planted")
@settings(max_examples=30, database=None)
@given(v=vec)
def test_negate(v):
    '''Negating twice is the identity.'''
    return compare(-(-v), v, what="relative gap")
"""


def test_xdist_workers_run_the_longest_statements_first(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    p = planted(pytester, TRUE_UNIVERSAL, SECOND_UNIVERSAL)

    def order() -> list[str]:
        result = pytester.runpytest_subprocess("-v", "-n", "1", "--hypothesis-profile=ci", "-p", "no:randomly")
        result.assert_outcomes(passed=2)
        return [
            name
            for line in result.outlines
            for name in ("test_double", "test_negate")
            if "PASSED" in line and name in line
        ]

    assert order() == ["test_double", "test_negate"]  # no stored times: the file's order
    path = pytester.path / "reports" / "summary.json"
    doc = json.loads(path.read_text())
    for rec in doc["statements"]:
        rec["seconds"] = {f"{p}:double": 1.0, f"{p}:negate": 30.0}[rec["id"]]
    path.write_text(json.dumps(doc))
    assert order() == ["test_negate", "test_double"]  # the stored 30 s one first


def test_the_sorted_statements_are_dealt_into_the_chunks_worksteal_sends_first() -> None:
    """xdist's worksteal sends worker i the next ⌊remaining / (workers − i)⌋ items: each chunk must be longest
    first and hold every workers-th statement, so that both workers start on long ones."""
    from theorems.suite.plugin import dealt

    ordered = [9, 8, 7, 6, 5, 4, 3]  # seconds, sorted longest first
    out = dealt(ordered, 2)
    assert out[:3] == [9, 7, 5] and out[3:] == [8, 6, 4, 3]  # chunks of 3 and 4, as worksteal splits 7
    assert dealt(ordered, 3) == [9, 6, 8, 5, 7, 4, 3]  # chunks of 2, 2, 3
    assert dealt(ordered, 1) == ordered and dealt([], 2) == []
    assert sorted(dealt(list(range(11)), 4)) == list(range(11))


def test_stored_seconds_without_a_summary_is_empty(tmp_path) -> None:
    from theorems.suite.plugin import stored_seconds

    assert stored_seconds(tmp_path) == {} and stored_seconds(None) == {}
    (tmp_path / "summary.json").write_text("{not json")
    assert stored_seconds(tmp_path) == {}


MISSED_AND_ERROR = """
@control("{p}:double", title="planted but true: 3v - 2v = v")
@settings(max_examples=15, database=None)
@given(v=vec)
def test_not_planted_at_all(v):
    return compare(3 * v - 2 * v, v, floor=1e-12, what="relative gap")


@universal("{p}:crashes", title="a check with a bug", source="planted")
@settings(max_examples=5, database=None)
@given(v=vec)
def test_crashes(v):
    return compare(v, {{}}["missing"])
"""


def test_missed_control_and_crashing_check_fail_with_their_verdicts(pytester: pytest.Pytester) -> None:
    p = planted(pytester, MISSED_AND_ERROR)
    pytester.runpytest("-q").assert_outcomes(failed=2)
    recs = by_id(summary(pytester))
    assert recs[f"{p}:double [control: planted but true: 3v - 2v = v]"]["verdict"] == "missed"
    assert recs[f"{p}:crashes"]["verdict"] == "error" and "KeyError" in recs[f"{p}:crashes"]["message"]
    assert "KeyError" in (pytester.path / "reports" / "index.md").read_text()
