"""The pytest plugin (entry point ``pytest11: implicit_bias``): verdicts, reports, selection.

Installed with the project, it is active in every pytest run, in any directory:

* registers the marker ``statement(id=..., kind=...)`` that ``@universal`` & co. apply, and the
  Hypothesis profiles ``dev`` (default), ``ci``, ``thorough`` (``--hypothesis-profile``);
* ``--statement ID`` (repeatable) runs only those statements (and their controls); an ID that is not
  collected is an error naming it, with the nearest known IDs;
* ``--report-dir=DIR`` (default ``reports``) is the report store: ``summary.json``, ``index.md``,
  ``index.html`` and the per-statement folders. A run updates the records of the statements it ran
  and keeps the others, marked with the run they come from (:func:`theorems.suite.reports.store_run`);
  ``--no-reports`` writes nothing;
* under pytest-xdist, runs the statements longest first, by the seconds stored in ``summary.json``
  (:func:`longest_first`).

Guards, each ending the run with one line (exit status 4) before any statement runs:

* once statements are collected, the report directory must be writable (a file, a read-only
  directory or a full disk is refused); a write that fails later does not stop the campaign -- the
  end of the run lists what was not written;
* ``--report-dir DIR`` (a space) with an existing DIR makes pytest choose its rootdir and config
  file as if DIR were a test path (it parses the command line before it knows the option); when that
  changed them, the run is refused (:func:`rootdir_problem`);
* arguments naming the statement package (``theorems``) must collect statements.

How a statement's tally reaches its report: the ``pytest_runtest_call`` wrapper opens
:func:`theorems.suite.harness.collect_tallies` around the call and moves the tally into ``item.stash``;
``pytest_runtest_makereport`` turns it into a record carried by ``user_properties``.

Under pytest-xdist each worker writes the folders of the statements it ran and sends its records
to the controller through ``user_properties``; the controller alone writes ``summary.json`` and
the index, again after every statement, so that an interrupted campaign leaves valid files. Problems
a worker finds while collecting (unknown ``--statement`` IDs, an unwritable report directory) reach
the controller through ``workeroutput``: the worker runs nothing, the controller prints the error and
exits with status 4.
"""

from __future__ import annotations

import difflib
import inspect
import os
import secrets
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from theorems.suite import (
    harness,
    profiles,  # noqa: F401  (registers the Hypothesis profiles)
    reports,
)
from theorems.suite.environment import freeze_constant_pool, pin_blas_threads, runtime_environment, suite_root
from theorems.suite.hypothesis_fixes import bound_target_phase
from theorems.suite.statements import is_statement_module

if TYPE_CHECKING:
    from collections.abc import Generator

    from _pytest.reports import BaseReport
    from _pytest.terminal import TerminalReporter
    from pytest_timeout import Settings
    from xdist.workermanage import WorkerController

#: campaigns past one machine: --shard=i/N and --observe (their own modules)
pytest_plugins = ["theorems.suite.shard", "theorems.suite.observe"]

RECORD_KEY = "implicit_bias_statement"
#: ``workeroutput`` key under which an xdist worker hands a usage error to the controller
USAGE_ERROR_KEY = "implicit_bias_usage_error"
#: ``workerinput`` key under which the controller hands its workers the seconds each statement took last time
EXPECTED_SECONDS_KEY = "implicit_bias_expected_seconds"
TALLY = pytest.StashKey[harness.Tally]()
#: The exit status of a run whose tests all passed but that found the report store damaged (reports/README.md)
EXIT_STORE_DAMAGED = 6
_CAMPAIGN = pytest.StashKey["Campaign"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("implicit-bias", "implicit-bias theorem suite")
    group.addoption(
        "--report-dir",
        default="reports",
        help="the report store: summary.json, index and folders (default: reports); write --report-dir=DIR",
    )
    group.addoption(
        "--statement",
        action="append",
        default=[],
        metavar="ID",
        help="run only this statement (and its controls); repeatable",
    )
    group.addoption("--no-reports", action="store_true", help="write no report files")


def environment(config: pytest.Config) -> dict[str, Any]:
    """What a reader needs to re-run the campaign: :func:`theorems.suite.environment.runtime_environment` (Python,
    packages, lock hash, BLAS, commit) plus the profile, seed, workers and report directory of this run."""
    from hypothesis import settings

    current = settings.default
    assert current is not None  # Hypothesis always has a current profile (its own default at the least)
    dist = config.getoption("dist", "no")
    workers = config.getoption("numprocesses", None) if dist != "no" else None
    return runtime_environment() | {
        "profile": settings.get_current_profile_name(),
        "max_examples": current.max_examples,
        "derandomize": current.derandomize,
        "seed": config.getoption("hypothesis_seed", None),
        "workers": int(workers) if isinstance(workers, int) and workers > 0 else 1,
        "report_dir": config.getoption("report_dir"),
    }


# -- guards ------------------------------------------------------------------------------------
def separate_report_dir(args: list[str]) -> str | None:
    """The value of ``--report-dir`` when it is given as a separate argument (``--report-dir DIR``)."""
    for k, arg in enumerate(args[:-1]):
        if arg == "--report-dir":
            return args[k + 1]
    return None


def rootdir_problem(config: pytest.Config) -> str | None:
    """Why pytest's rootdir or config file came from the value of ``--report-dir DIR``, or ``None``.

    pytest chooses its rootdir and config file from the command line before it knows plugin options,
    so in ``--report-dir DIR`` an existing DIR counts as a test path: with no other path the rootdir
    becomes the common ancestor of DIR and the current directory and the project's pyproject.toml
    (``testpaths``, ``python_files``) is not read -- the statements are silently not collected. The
    check asks pytest's own ``determine_setup`` what it would have chosen from the real arguments.
    """
    args = shlex.split(os.environ.get("PYTEST_ADDOPTS", "")) + list(config.invocation_params.args)
    value = separate_report_dir(args)
    if value is None or not (Path(config.invocation_params.dir) / value).is_dir():
        return None
    try:
        from _pytest.config.findpaths import determine_setup

        wanted = {
            "inifile": config.option.inifilename,
            "override_ini": config.option.override_ini,
            "args": [str(a) for a in config.option.file_or_dir or []],
            "rootdir_cmd_arg": config.option.rootdir or None,
            "invocation_dir": config.invocation_params.dir,
        }
        accepted = inspect.signature(determine_setup).parameters
        rootpath, inipath = determine_setup(**{k: v for k, v in wanted.items() if k in accepted})[:2]
    except Exception:  # noqa: BLE001 - pytest's internals moved: fall back to the plain symptom
        rootpath, inipath = config.rootpath, config.inipath
        if config.inipath is None and (Path(config.invocation_params.dir) / "pyproject.toml").exists():
            inipath = Path(config.invocation_params.dir) / "pyproject.toml"
    if (Path(rootpath), inipath and Path(inipath)) == (Path(config.rootpath), config.inipath):
        return None
    return (
        f"pytest took the value of '--report-dir {value}' for a test path: rootdir {config.rootpath} and config "
        f"file {config.inipath or 'none'} instead of {rootpath} and {inipath or 'none'}, so the statements would "
        f"not be collected; write --report-dir={value}"
    )


def statements_expected(config: pytest.Config) -> list[str]:
    """The command-line paths that name the statement package (or a statement module) of this checkout."""
    package = (suite_root() / "theorems").resolve()
    named = []
    for arg in config.args:
        path = (Path(config.invocation_params.dir) / str(arg).split("::")[0]).resolve()
        if path == package or is_statement_module(path):
            named.append(str(arg))
    return named


def unknown_statements(wanted: list[str], collected: set[str]) -> str | None:
    """The error for ``--statement`` IDs not among the collected statements (and their controls), or ``None``.

    Parameters
    ----------
    wanted
        The ``--statement`` values.
    collected
        IDs of the statements collected (controls included) and the IDs controls are of.
    """
    missing = [sid for sid in dict.fromkeys(wanted) if sid not in collected]
    if not missing:
        return None
    known = sorted(collected | set(harness.CATALOG) | {s.control_of for s in harness.CATALOG.values() if s.control_of})
    parts = []
    for sid in missing:
        spec = harness.CATALOG.get(sid)
        if spec is not None:
            parts.append(f"{sid!r} is defined in {spec.file or spec.module} but was not collected by these arguments")
            continue
        near = difflib.get_close_matches(sid, known, n=3, cutoff=0.6)
        parts.append(
            f"{sid!r} is not a known statement ID"
            + (f" (did you mean {', '.join(near)}?)" if near else " (python -m theorems list prints them)")
        )
    return "--statement: " + "; ".join(parts)


def _usage_error(config: pytest.Config, items: list[pytest.Item], message: str) -> None:
    """End the run with one line: raise in a single process; in an xdist worker, run nothing and tell the controller."""
    if not hasattr(config, "workerinput"):
        raise pytest.UsageError(message)
    cast(Any, config).workeroutput[USAGE_ERROR_KEY] = message
    config.hook.pytest_deselected(items=list(items))
    items[:] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "statement(id, kind): a statement of the implicit-bias suite")
    problem = rootdir_problem(config)
    if problem:
        raise pytest.UsageError(problem)
    from hypothesis import settings

    previous = settings.get_current_profile_name()
    # the profile first: a statement module may size its search by it when imported (the liang ladders)
    settings.load_profile(config.getoption("hypothesis_profile", None) or os.environ.get("HYPOTHESIS_PROFILE") or "dev")
    # the same arithmetic and the same draws whatever started pytest and whatever it collects
    pin_blas_threads(1)
    freeze_constant_pool()
    bound_target_phase()  # an engine loop of hypothesis 6.170 that can spin for minutes: see hypothesis_fixes
    campaign = Campaign(config, previous)
    config.stash[_CAMPAIGN] = campaign
    config.pluginmanager.register(campaign, "implicit-bias-campaign")


def _statement_id(item: pytest.Item) -> str | None:
    m = item.get_closest_marker("statement")
    return m.kwargs.get("id", "") if m is not None else None


@pytest.hookimpl(tryfirst=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect every statement module of ``theorems/`` (the rule of :mod:`theorems.suite.statements`).

    ``python_files`` keeps its default (``test_*.py``); a statement module is collected because it is one,
    not because its name matches a pattern. A file named on the command line is collected by pytest itself.
    """
    if is_statement_module(file_path) and not parent.session.isinitpath(file_path):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse a collection without the expected statements or with unknown ``--statement`` IDs; select; under
    pytest-xdist, order the statements longest first (:func:`longest_first`)."""
    ids = {sid for sid in map(_statement_id, items) if sid is not None}
    named = statements_expected(config)
    if named and not ids:
        _usage_error(
            config,
            items,
            f"no statement was collected from {', '.join(named)} (rootdir {config.rootpath}, "
            f"config file {config.inipath or 'none'}): pytest did not read the project's "
            f"python_files; run from the checkout, or pass -c pyproject.toml",
        )
        return
    wanted = config.getoption("statement")
    controls_of = {harness.CATALOG[sid].control_of for sid in ids if sid in harness.CATALOG}
    problem = unknown_statements(wanted, ids | {c for c in controls_of if c}) if wanted else None
    campaign = config.stash.get(_CAMPAIGN, None)
    if problem is None and ids and campaign is not None:
        problem = campaign.report_dir_problem()
    if problem:
        _usage_error(config, items, problem)
        return
    if wanted:
        keep: list[pytest.Item] = []
        drop: list[pytest.Item] = []
        for item in items:
            sid = _statement_id(item)
            spec = harness.CATALOG.get(sid or "")
            hit = sid in wanted or (spec is not None and spec.control_of in wanted)
            (keep if hit else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    if hasattr(config, "workerinput"):
        longest_first(
            items, config.workerinput.get(EXPECTED_SECONDS_KEY) or {}, int(config.workerinput.get("workercount", 1))
        )


def longest_first(items: list[pytest.Item], seconds: dict[str, float], workers: int = 1) -> None:
    """Order the statements by the seconds they took in the stored report, longest first (a stable sort), and
    with several workers deal them out so that every worker starts on its share of the long ones.

    Under pytest-xdist the campaign ends when its last statement does; a 30 s statement picked up last
    leaves the other workers idle for up to 30 s (measured on 2 workers: 26 s of a 231 s campaign).
    Longest-first keeps that tail to the length of a short statement. Items without a stored time (new
    statements, the project's own tests) keep their order after the timed ones. The order changes nothing
    else: every statement draws from its own seed and decides the same alone as in any order.

    The ``worksteal`` scheduler hands each worker a contiguous chunk of the list first and later moves the
    end of the longest queue to a worker that ran dry. On the plain sorted list the first worker got all
    the long statements and the other the short ones; it then stole the first worker's shorter half, so
    the campaign ended on statements of 12-14 s with the other worker idle (11 s of a 193 s run on 2
    workers). :func:`dealt` deals the sorted list into those chunks instead: each worker's queue is then
    longest first, and what is stolen at the end is short.
    """
    if seconds:
        items.sort(key=lambda item: -seconds.get(_statement_id(item) or "", 0.0))
        if workers > 1:
            items[:] = dealt(items, workers)


def dealt(ordered: list, workers: int) -> list:
    """``ordered`` dealt round-robin into the contiguous chunks xdist's ``worksteal`` scheduler sends out first
    (worker i gets the next ⌊remaining / (workers − i)⌋ items), concatenated: every chunk keeps the order of
    ``ordered`` and gets every ``workers``-th item of it."""
    sizes, left = [], len(ordered)
    for i in range(workers):
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    chunks: list[list] = [[] for _ in sizes]
    k = 0
    for item in ordered:
        while len(chunks[k % workers]) >= sizes[k % workers]:
            k += 1
        chunks[k % workers].append(item)
        k += 1
    return [item for chunk in chunks for item in chunk]


def stored_seconds(report_dir: Path | None) -> dict[str, float]:
    """``{statement ID: seconds}`` from the stored ``summary.json`` (empty when there is none)."""
    doc = reports.read_summary(report_dir) if report_dir is not None else None
    out: dict[str, float] = {}
    for record in (doc or {}).get("statements", []):
        sec = record.get("seconds") if isinstance(record, dict) else None
        if isinstance(sec, (int, float)) and sec > 0 and isinstance(record.get("id"), str):
            out[record["id"]] = float(sec)
    return out


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Settings) -> bool | None:
    """pytest-timeout, signal method, on a statement: the alarm raises :class:`harness.StatementTimeout`.

    pytest-timeout's own handler raises pytest's ``Failed``, which Hypothesis takes for a failing example: it
    replays the hanging example to shrink it and hangs for good (measured: still hung after 100 s at
    ``--timeout=9``). Other tests, and the thread method, keep pytest-timeout's own timer.
    """
    import signal
    import threading

    if (
        _statement_id(item) is None
        or settings.method != "signal"
        or not settings.timeout
        or threading.current_thread() is not threading.main_thread()
    ):
        return None
    limit = settings.timeout

    def handler(signum, frame):
        raise harness.StatementTimeout(
            f"Timeout (>{limit:g}s) from pytest-timeout: the statement was stopped "
            f"(signal method; the examples run so far are counted)"
        )

    def cancel() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)

    item.cancel_timeout = cancel  # type: ignore[attr-defined]  # what pytest-timeout's own cancel hook calls
    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, limit)
    return True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Collect the tally of the statement this item runs and keep it in ``item.stash``."""
    sid = _statement_id(item)
    with harness.collect_tallies() as tallies:
        try:
            return (yield)
        finally:
            # only the statement this item is: a plain test calling a statement function makes no record
            mine = [t for t in tallies if sid is not None and t.spec.id == sid]
            if mine:
                item.stash[TALLY] = mine[-1]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    rep = yield
    if call.when == "call":
        campaign = item.config.stash.get(_CAMPAIGN, None)
        tally = item.stash.get(TALLY, None)
        if campaign is not None and tally is not None:
            record = reports.strict_json(campaign.statement_record(tally, item.nodeid))
            rep.user_properties.append((RECORD_KEY, record))
    return rep


def crash_record(nodeid: str, message: str) -> dict[str, Any]:
    """The summary record of a test whose xdist worker died in it (:func:`theorems.suite.reports.crash_record`)."""
    return reports.crash_record(nodeid, message)


def _one_line(report: BaseReport) -> str:
    """The first line of why a test failed (its crash message), at most 300 characters."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr or "")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0][:300] if lines else ""


def new_run() -> dict[str, Any]:
    """A run of the store: ``{"id": "20250501T120000Z-1a2b3c", "started": "2025-05-01T12:00:00.000Z"}``."""
    started = harness.now()
    compact = started.replace("-", "").replace(":", "").split(".")[0]
    return {"id": f"{compact}Z-{secrets.token_hex(3)}", "started": started}


class Campaign:
    """The state of one pytest run: environment, records, failures, and where reports go.

    Each worker (or the single process) writes statement folders; the controller (or the single
    process) gathers records and merges them into the report store after every statement.
    """

    def __init__(self, config: pytest.Config, previous_profile: str) -> None:
        self.config = config
        self.previous_profile = previous_profile
        self.is_worker = hasattr(config, "workerinput")
        self.report_dir = None if config.getoption("no_reports") else Path(config.getoption("report_dir"))
        self.created_report_dir = False
        self.records: dict[str, dict[str, Any]] = {}
        self.failed_tests: list[dict[str, str]] = []
        self.usage_errors: list[str] = []
        #: what could not be written: {file or folder: reason}; cleared by a later successful write
        self.unwritten: dict[str, str] = {}
        self.stored = 0
        self.env: dict[str, Any] = {}
        self.exit_status: int | None = None
        self.run: dict[str, Any] = new_run()
        self.t0 = time.monotonic()
        #: the stored statement times handed to xdist workers (controller only; read at the first worker)
        self.expected_seconds: dict[str, float] | None = None
        #: what reading the store found wrong (an unreadable summary set aside, records quarantined, links dropped)
        self.store_warnings: list[str] = []
        self.store_damaged = False
        self.said_wait = False

    def report_dir_problem(self) -> str | None:
        """Why reports cannot be written to the report directory (one line), or ``None``.

        Checked once statements are collected, before the first one runs (a run without statements writes
        nothing and is not refused): the directory is created if needed and a probe file written.
        """
        if self.report_dir is None:
            return None
        try:
            self.created_report_dir = reports.check_writable(self.report_dir) or self.created_report_dir
            reports.check_store(self.report_dir)
        except reports.NewerSchemaError as exc:
            return str(exc)
        except reports.ReportDirError as exc:
            return f"{exc} (choose another --report-dir=DIR, or --no-reports)"
        return None

    # -- every process --------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.env = environment(self.config)
        self.run |= {
            "git_commit": self.env.get("git_commit"),
            "git_dirty": self.env.get("git_dirty"),
            "profile": self.env.get("profile"),
        }

    def statement_record(self, tally: harness.Tally, nodeid: str) -> dict[str, Any]:
        """The summary record of a statement that just ran (:func:`theorems.suite.reports.tally_record`); writes
        (or clears) its folder."""
        if self.report_dir is None:
            return reports.tally_record(tally, nodeid)
        from theorems.suite import report_pages

        try:
            page = report_pages.write_statement_folder(self.report_dir, tally, self.env, nodeid)
        except Exception as exc:  # noqa: BLE001 - a broken report must not hide the verdict
            return reports.tally_record(tally, nodeid, report_error=f"{type(exc).__name__}: {exc}")
        if page is None:
            return reports.tally_record(tally, nodeid)
        return reports.tally_record(
            tally, nodeid, report=page.folder.relative_to(self.report_dir).as_posix(), witness=page.witness
        )

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from hypothesis import settings

        try:  # leave Hypothesis as we found it (matters when pytest runs in-process, e.g. pytester)
            settings.load_profile(self.previous_profile)
        except Exception:  # noqa: BLE001
            pass
        if self.created_report_dir and self.report_dir is not None:
            try:  # a directory made for the probe and never used
                self.report_dir.rmdir()
            except OSError:
                pass

    # -- the controller -------------------------------------------------------------------
    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: WorkerController) -> None:
        """pytest-xdist: hand a starting worker the stored statement times, read once (:func:`longest_first`).

        Read by the controller, once, so that every worker (a restarted one too) collects the same order
        even while this run rewrites ``summary.json``.
        """
        if self.expected_seconds is None:
            self.expected_seconds = stored_seconds(self.report_dir)
        node.workerinput[EXPECTED_SECONDS_KEY] = self.expected_seconds

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: WorkerController, error: object | None) -> None:
        """pytest-xdist: a worker finished; take the usage error it found while collecting."""
        message = (getattr(node, "workeroutput", None) or {}).get(USAGE_ERROR_KEY)
        if message and message not in self.usage_errors:
            self.usage_errors.append(message)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if not self.is_worker and report.failed:
            self.failed_tests.append(
                {"nodeid": report.nodeid or "(collection)", "when": "collect", "message": _one_line(report)}
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.is_worker:
            return
        if report.when == "???" and report.failed:  # pytest-xdist: the worker running this test died
            self.add(crash_record(report.nodeid, str(report.longrepr)))
            return
        records = [record for key, record in report.user_properties if key == RECORD_KEY]
        if report.failed and not records:
            self.failed_tests.append({"nodeid": report.nodeid, "when": report.when, "message": _one_line(report)})
        if report.when == "call":
            for record in records:
                self.add(cast(dict[str, Any], record))  # a dict: the record this plugin's makereport added

    def add(self, record: dict[str, Any]) -> None:
        """Take a statement record of this run (marked with the run) and update the store."""
        record = reports.stamped(record, self.run)
        self.records[record["id"]] = record
        self.write()

    def run_info(self) -> dict[str, Any]:
        """This run as the store's ``runs`` table holds it."""
        return self.run | {
            "complete": self.complete,
            "exit_status": self.exit_status,
            "failed_tests": list(self.failed_tests),
            "statements": len(self.records),
            "workers": self.env.get("workers"),
            "throughput": self.throughput(),
        }

    def throughput(self) -> dict[str, float | int]:
        """Examples run, the wall time since the session started, examples per second (wall) and the summed
        seconds of the statements (CPU-side work across workers)."""
        examples = sum(int(r.get("examples") or 0) for r in self.records.values())
        wall = max(time.monotonic() - self.t0, 1e-9)
        return {
            "examples": examples,
            "wall_seconds": round(wall, 3),
            "statement_seconds": round(sum(float(r.get("seconds") or 0.0) for r in self.records.values()), 3),
            "oracle_seconds": round(sum(float(r.get("oracle_seconds") or 0.0) for r in self.records.values()), 3),
            "examples_per_second": round(examples / wall, 3),
        }

    @property
    def complete(self) -> bool:
        """Whether the session ended normally (not running, not interrupted)."""
        return self.exit_status is not None and self.exit_status not in (
            pytest.ExitCode.INTERRUPTED,
            pytest.ExitCode.INTERNAL_ERROR,
        )

    def write(self) -> None:
        """Merge this run's records into the store: ``summary.json``, ``index.md`` and ``index.html``.

        A failure to write does not stop the campaign: it is remembered and said at the end.
        """
        if self.report_dir is None or not self.records:
            return
        from theorems.suite import report_pages

        run, complete = self.run_info(), self.complete

        def render(records: list[dict[str, Any]], runs: dict[str, dict[str, Any]]) -> None:
            report_pages.write_index(
                cast(Path, self.report_dir), records, self.env, complete=complete, run=run, runs=runs
            )

        try:
            stored = reports.store_run(
                self.report_dir,
                run,
                list(self.records.values()),
                self.env,
                complete=complete,
                exit_status=self.exit_status,
                render=render,
                on_wait=self.say_wait,
            )
        except Exception as exc:  # noqa: BLE001 - the campaign goes on; the end of the run says what is missing
            self.unwritten["summary.json, index.md, index.html"] = f"{type(exc).__name__}: {exc}"
            self.store_damaged = self.store_damaged or isinstance(exc, reports.NewerSchemaError)
            return
        self.unwritten.pop("summary.json, index.md, index.html", None)
        self.stored = len(stored.records)
        for line in stored.notes.warnings:
            if line not in self.store_warnings:
                self.store_warnings.append(line)
                self.say(f"report store: {line}")
        self.store_damaged = self.store_damaged or stored.notes.damaged

    def say(self, line: str) -> None:
        """One line on the terminal now (the controller's, or stderr without one)."""
        tr = self.config.pluginmanager.get_plugin("terminalreporter")
        if tr is not None:
            if tr._tw.width_of_current_line:  # after the progress dots: a line of its own
                tr._tw.line()
            tr.write_line(line, yellow=True)
            tr.flush()
        else:  # pragma: no cover - pytest without its terminal (-p no:terminal)
            print(line, file=sys.stderr)

    def say_wait(self, line: str) -> None:
        """Say, once a run, that a write waits for another process's lock on the store."""
        if not self.said_wait:
            self.said_wait = True
            self.say(f"report store: {line}")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.is_worker:
            return
        if self.usage_errors:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
            return
        self.exit_status = int(session.exitstatus)
        self.write()
        if self.store_damaged and self.exit_status == 0:
            # every test passed, but the store lost something: an unreadable summary set aside, damaged
            # records quarantined, paths dropped, or a newer store not written (reports/README.md)
            session.exitstatus = self.exit_status = EXIT_STORE_DAMAGED
            self.write()

    def pytest_terminal_summary(
        self, terminalreporter: TerminalReporter, exitstatus: int, config: pytest.Config
    ) -> None:
        if self.is_worker:
            return
        tr = terminalreporter
        for message in self.usage_errors:
            tr.write_line(f"ERROR: {message}", red=True, bold=True)
        if not self.records:
            return
        tr.section("implicit-bias verdicts")
        for rec in sorted(self.records.values(), key=lambda r: (r["kind"] == "control", r["id"])):
            md, eb = rec.get("worst_discrepancy"), rec.get("worst_budget")
            tr.write_line(
                f"{rec['verdict']:<10} {rec['id']}  ({rec['examples']} examples, "
                f"{rec['inconclusive']}/{rec['examples']} inconclusive, worst discrepancy "
                f"{'-' if md is None else f'{md:.3g}'} vs budget {'-' if eb is None else f'{eb:.3g}'}, "
                f"{rec['seconds']:.1f}s)" + (f"  -> {rec['report']}" if rec.get("report") else "")
            )
        if self.report_dir is None:
            return
        unwritten = dict(self.unwritten) | {
            f"{r['id']} (its folder)": r["report_error"] for r in self.records.values() if r.get("report_error")
        }
        for what, why in unwritten.items():
            tr.write_line(f"report not written: {what}: {why}", red=True)
        if self.store_damaged:
            tr.write_line(
                f"report store damaged: {len(self.store_warnings) or 1} problem(s) said above"
                + (f" (exit status {EXIT_STORE_DAMAGED})" if self.exit_status == EXIT_STORE_DAMAGED else ""),
                red=True,
            )
        tp = self.throughput()
        tr.write_line(
            f"{tp['examples']} examples in {tp['wall_seconds']:.0f} s: {tp['examples_per_second']:.1f} examples/s "
            f"({tp['statement_seconds']:.0f} s of statement time, {tp['oracle_seconds']:.0f} s of it in the oracles)"
        )
        kept = self.stored - len(self.records)
        tr.write_line(
            f"reports: {self.report_dir / 'index.html'} (summary: {self.report_dir / 'summary.json'}"
            + (f"; {kept} record(s) kept from earlier runs" if kept > 0 else "")
            + ")"
        )
