"""The pytest plugin (entry point ``pytest11: implicit_bias``): verdicts, reports, selection.

Installed with the project, it is active in every pytest run, in any directory:

* registers the marker ``statement(id=..., kind=...)`` that ``@universal`` & co. apply, and the
  Hypothesis profiles ``dev`` (default), ``ci``, ``thorough`` (``--hypothesis-profile``);
* ``--statement ID`` (repeatable) runs only those statements (and their controls);
* ``--report-dir=DIR`` (default ``reports``) is where ``summary.json``, ``index.md``,
  ``index.html`` and the per-statement folders go; ``--no-reports`` writes nothing.

Under pytest-xdist each worker writes the folders of the statements it ran and sends its records
to the controller through ``user_properties``; the controller alone writes ``summary.json`` and
the index, again after every statement, so that an interrupted campaign leaves valid files.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from theorems import profiles  # noqa: F401  (registers the Hypothesis profiles)
from theorems import harness, reports
from theorems.environment import freeze_constant_pool, pin_blas_threads, runtime_environment

RECORD_KEY = "implicit_bias_statement"
_CAMPAIGN = pytest.StashKey["Campaign"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("implicit-bias", "implicit-bias theorem suite")
    group.addoption("--report-dir", default="reports", help="where summary.json and reports go (default: reports)")
    group.addoption("--statement", action="append", default=[], metavar="ID",
                    help="run only this statement (and its controls); repeatable")
    group.addoption("--no-reports", action="store_true", help="write no report files")


def environment(config: pytest.Config) -> dict[str, Any]:
    """What a reader needs to re-run the campaign: :func:`theorems.environment.runtime_environment` (Python,
    packages, lock hash, BLAS, commit) plus the profile, seed, workers and report directory of this run."""
    from hypothesis import settings

    current = settings.default
    dist = config.getoption("dist", "no")
    workers = config.getoption("numprocesses", None) if dist != "no" else None
    return runtime_environment() | {
        "profile": settings.get_current_profile_name(), "max_examples": current.max_examples,
        "derandomize": current.derandomize, "seed": config.getoption("hypothesis_seed", None),
        "workers": int(workers) if isinstance(workers, int) and workers > 0 else 1,
        "report_dir": config.getoption("report_dir"),
    }


@pytest.hookimpl(tryfirst=True)
def _check_rootdir(config: pytest.Config) -> None:
    """Refuse a run whose rootdir pytest took from the value of ``--report-dir DIR``.

    pytest picks its rootdir from the command line's path-like arguments before it knows which of them
    are option values: ``--report-dir /tmp/out`` (an existing directory, outside the project) makes
    /tmp/out the rootdir, so pyproject.toml is not read and the statement modules are silently not
    collected. ``--report-dir=/tmp/out`` is read correctly.
    """
    value = config.getoption("report_dir")
    if config.inipath is None and value and Path(value).resolve() == Path(config.rootpath).resolve():
        raise pytest.UsageError(f"pytest took --report-dir's value {value!r} as its rootdir, so pyproject.toml was not "
                                f"read and the statements would not be collected: write --report-dir={value}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "statement(id, kind): a statement of the implicit-bias suite")
    _check_rootdir(config)
    # the same arithmetic and the same draws whatever started pytest and whatever it collects
    pin_blas_threads(1)
    freeze_constant_pool()
    from hypothesis import settings

    config.stash[_CAMPAIGN] = campaign = Campaign(config, settings.get_current_profile_name())
    config.pluginmanager.register(campaign, "implicit-bias-campaign")
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "dev")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = set(config.getoption("statement"))
    if not wanted:
        return
    keep, drop = [], []
    for item in items:
        m = item.get_closest_marker("statement")
        sid = m.kwargs.get("id", "") if m else ""
        spec = harness.CATALOG.get(sid)
        hit = sid in wanted or (spec is not None and spec.control_of in wanted)
        (keep if hit else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    rep = yield
    m = item.get_closest_marker("statement")
    if call.when == "call" and m is not None:
        campaign = item.config.stash.get(_CAMPAIGN, None)
        tally = harness.LAST.get(m.kwargs.get("id"))
        if campaign is not None and tally is not None:
            record = reports.strict_json(campaign.statement_record(tally, item.nodeid))
            rep.user_properties.append((RECORD_KEY, record))
    return rep


def crash_record(nodeid: str, message: str) -> dict[str, Any]:
    """The summary record of a test whose xdist worker died in it (its own record died with the worker).

    The controller does not import the statement modules, so the record is keyed by the pytest node id.
    """
    return {"id": f"crashed: {nodeid}", "kind": "unknown", "title": nodeid, "source": "", "control_of": None,
            "verdict": "error", "examples": 0, "decided": 0, "inconclusive": 0, "inconclusive_reasons": {},
            "max_discrepancy": None, "error_budget": None, "largest_budget": None, "examples_to_witness": None,
            "shrink_calls": 0, "witness_discrepancy": None, "witness_budget": None, "seconds": 0.0,
            "message": message.strip().splitlines()[-1][:500] if message.strip() else "worker crashed",
            "nodeid": nodeid, "claim": "", "report": None}


class Campaign:
    """The state of one pytest run: environment, records, and where reports go.

    Each worker (or the single process) writes statement folders; the controller (or the single
    process) gathers records and rewrites ``summary.json`` and the index after every statement.
    """

    def __init__(self, config: pytest.Config, previous_profile: str) -> None:
        self.config = config
        self.previous_profile = previous_profile
        self.is_worker = hasattr(config, "workerinput")
        self.report_dir = None if config.getoption("no_reports") else Path(config.getoption("report_dir"))
        self.records: dict[str, dict[str, Any]] = {}
        self.env: dict[str, Any] = {}
        self.exit_status: int | None = None

    # -- every process --------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.env = environment(self.config)

    def statement_record(self, tally: harness.Tally, nodeid: str) -> dict[str, Any]:
        """The summary record of a statement that just ran; writes (or clears) its folder."""
        record = tally.record_dict()
        record["nodeid"] = nodeid
        record["claim"] = tally.spec.claim
        record["report"] = None
        if self.report_dir is None:
            return record
        from theorems import report_pages

        try:
            page = report_pages.write_statement_folder(self.report_dir, tally, self.env, nodeid)
        except Exception as exc:  # noqa: BLE001 - a broken report must not hide the verdict
            record["report_error"] = f"{type(exc).__name__}: {exc}"
            return record
        if page is not None:
            record["report"] = page.folder.relative_to(self.report_dir).as_posix()
            record["witness"] = page.witness
        return record

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from hypothesis import settings

        try:  # leave Hypothesis as we found it (matters when pytest runs in-process, e.g. pytester)
            settings.load_profile(self.previous_profile)
        except Exception:  # noqa: BLE001
            pass

    # -- the controller -------------------------------------------------------------------
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.is_worker:
            return
        if report.when == "???" and report.failed:   # pytest-xdist: the worker running this test died
            record = crash_record(report.nodeid, str(report.longrepr))
            self.records[record["id"]] = record
            self.write()
            return
        if report.when != "call":
            return
        for key, record in report.user_properties:
            if key == RECORD_KEY:
                self.records[record["id"]] = record
                self.write()

    def write(self) -> None:
        """Rewrite ``summary.json``, ``index.md`` and ``index.html`` from the records so far."""
        if self.report_dir is None or not self.records:
            return
        from theorems import report_pages

        records = list(self.records.values())
        complete = self.exit_status is not None and self.exit_status not in (pytest.ExitCode.INTERRUPTED,
                                                                              pytest.ExitCode.INTERNAL_ERROR)
        reports.write_summary(self.report_dir, records, self.env, complete=complete, exit_status=self.exit_status)
        report_pages.write_index(self.report_dir, records, self.env, complete=complete)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.is_worker:
            self.exit_status = int(exitstatus)
            self.write()

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int, config: pytest.Config) -> None:
        if self.is_worker or not self.records:
            return
        tr = terminalreporter
        tr.section("implicit-bias verdicts")
        for rec in sorted(self.records.values(), key=lambda r: (r["kind"] == "control", r["id"])):
            md, eb = rec["max_discrepancy"], rec["error_budget"]
            tr.write_line(f"{rec['verdict']:<10} {rec['id']}  ({rec['examples']} examples, "
                          f"{rec['inconclusive']}/{rec['examples']} inconclusive, max discrepancy "
                          f"{'-' if md is None else f'{md:.3g}'} vs budget {'-' if eb is None else f'{eb:.3g}'}, "
                          f"{rec['seconds']:.1f}s)" + (f"  -> {rec['report']}" if rec.get("report") else ""))
        if self.report_dir is not None:
            tr.write_line(f"reports: {self.report_dir / 'index.html'} (summary: {self.report_dir / 'summary.json'})")
