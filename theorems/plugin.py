"""The pytest plugin (entry point ``pytest11: implicit_bias``): verdicts, reports, selection.

Installed with the project, it is active in every pytest run, in any directory:

* registers the marker ``statement(id=..., kind=...)`` that ``@universal`` & co. apply, and the
  Hypothesis profiles ``dev`` (default), ``ci``, ``thorough`` (``--hypothesis-profile``);
* ``--statement ID`` (repeatable) runs only those statements (and their controls);
* ``--report-dir DIR`` (default ``reports``) is where ``summary.json`` and the per-statement
  folders go; ``--no-reports`` writes nothing.

Under pytest-xdist each worker writes the folders of the statements it ran and sends its records
to the controller through ``user_properties``; the controller alone writes ``summary.json``.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

import pytest

from theorems import profiles  # noqa: F401  (registers the Hypothesis profiles)
from theorems import harness, reports

RECORD_KEY = "implicit_bias_statement"


def pytest_addoption(parser):
    group = parser.getgroup("implicit-bias", "implicit-bias theorem suite")
    group.addoption("--report-dir", default="reports", help="where summary.json and reports go (default: reports)")
    group.addoption("--statement", action="append", default=[], metavar="ID",
                    help="run only this statement (and its controls); repeatable")
    group.addoption("--no-reports", action="store_true", help="write no report files")


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _environment(config) -> dict:
    import hypothesis
    import numpy
    import scipy
    from hypothesis import settings

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                                cwd=config.rootpath).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    prof = settings._current_profile
    return {
        "python": platform.python_version(), "numpy": numpy.__version__, "scipy": scipy.__version__,
        "hypothesis": hypothesis.__version__, "platform": platform.platform(), "git_commit": commit,
        "profile": prof, "max_examples": settings().max_examples, "derandomize": settings().derandomize,
        "seed": config.getoption("hypothesis_seed", None),
        "workers": int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")),
    }


def pytest_configure(config):
    config.addinivalue_line("markers", "statement(id, kind): a statement of the implicit-bias suite")
    from hypothesis import settings

    if not config.getoption("hypothesis_profile", None) and not os.environ.get("HYPOTHESIS_PROFILE"):
        settings.load_profile("dev")
    elif os.environ.get("HYPOTHESIS_PROFILE") and not config.getoption("hypothesis_profile", None):
        settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
    config._ib_records = {}
    config._ib_env = _environment(config)
    config._ib_report_dir = None if config.getoption("no_reports") else Path(config.getoption("report_dir"))


def pytest_collection_modifyitems(config, items):
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when != "call":
        return
    m = item.get_closest_marker("statement")
    if m is None:
        return
    tally = harness.LAST.get(m.kwargs.get("id"))
    if tally is None:
        return
    rep = outcome.get_result()
    record = tally.record_dict()
    record["nodeid"] = item.nodeid
    report_dir = item.config._ib_report_dir
    if report_dir is not None and tally.witness_outcome is not None:
        from theorems import report_pages

        folder = report_pages.write_statement_folder(report_dir, tally, item.config._ib_env, item.nodeid)
        record["report"] = str(folder.relative_to(report_dir)) if folder else None
    rep.user_properties.append((RECORD_KEY, record))


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for key, record in report.user_properties:
        if key == RECORD_KEY:
            _CONTROLLER_RECORDS[record["id"]] = record
            if _CONFIG is not None and _CONFIG._ib_report_dir is not None:
                reports.write_summary(_CONFIG._ib_report_dir, list(_CONTROLLER_RECORDS.values()), _CONFIG._ib_env)


_CONTROLLER_RECORDS: dict[str, dict] = {}
_CONFIG = None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    global _CONFIG
    if not _is_worker(session.config):
        _CONFIG = session.config
        _CONTROLLER_RECORDS.clear()


def pytest_sessionfinish(session, exitstatus):
    global _CONFIG
    config = session.config
    if _is_worker(config) or config._ib_report_dir is None or not _CONTROLLER_RECORDS:
        _CONFIG = None if not _is_worker(config) else _CONFIG
        return
    from theorems import report_pages

    records = list(_CONTROLLER_RECORDS.values())
    reports.write_summary(config._ib_report_dir, records, config._ib_env)
    report_pages.write_index(config._ib_report_dir, records, config._ib_env)
    _CONFIG = None


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _is_worker(config) or not _CONTROLLER_RECORDS:
        return
    tr = terminalreporter
    tr.section("implicit-bias verdicts")
    for rec in sorted(_CONTROLLER_RECORDS.values(), key=lambda r: r["id"]):
        share = f"{rec['inconclusive']}/{rec['examples']} inconclusive"
        md = rec["max_discrepancy"]
        tr.write_line(f"{rec['verdict']:<10} {rec['id']}  ({rec['examples']} examples, {share}, "
                      f"max discrepancy {md if md is None else f'{md:.3g}'} vs budget "
                      f"{rec['error_budget'] if rec['error_budget'] is None else format(rec['error_budget'], '.3g')}, "
                      f"{rec['seconds']:.1f}s)")
    if config._ib_report_dir is not None:
        tr.write_line(f"reports: {config._ib_report_dir / 'summary.json'}")
