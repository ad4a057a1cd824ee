"""Writing what a campaign found: the report store (``summary.json``) and one folder per statement.

Every file is written atomically (a temporary file in the same folder, then ``os.replace``) with the
mode the umask gives an ordinary file (0666 & ~umask), so a campaign interrupted at any point leaves
every earlier report intact and ``summary.json`` valid.

The report directory is a *store that accumulates*: a run replaces the records of the statements it
ran and keeps the others, each record saying which run it is from (``run``: id, start time, commit,
profile) -- :func:`store_run`. Writers serialize on an exclusive ``flock`` of ``.reports.lock`` in the
directory, so two campaigns writing into one directory at once keep both runs' records (Linux and
macOS; where ``fcntl`` is missing the lock is a no-op).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from oracles.core.specs import NotSerializable, encode

if TYPE_CHECKING:
    from oracles import Outcome
    from theorems.suite.harness import StatementSpec, Tally

#: Version of the summary.json layout (reports/README.md).
SCHEMA = 2
#: Version of the counterexample.json / closest.json layout; a record without ``schema`` is version 1.
COUNTEREXAMPLE_SCHEMA = 2
#: The lock file writers of the store hold while they read, merge and rewrite it.
LOCK_NAME = ".reports.lock"


class ReportDirError(OSError):
    """The report directory cannot be used (not a directory, not writable, full)."""


def current_umask() -> int:
    """The process's umask (from /proc where it can be read without changing it)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, with mode ``0666 & ~umask``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp makes it 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def check_writable(report_dir: Path) -> bool:
    """Make sure reports can be written to ``report_dir``: create it and write (then delete) a probe file.

    Returns
    -------
    bool
        Whether the directory was created here (so that an unused one can be removed again).

    Raises
    ------
    ReportDirError
        With a one-line reason: not a directory, cannot be created, not writable, no space left.
    """
    path = Path(report_dir)
    if path.exists() and not path.is_dir():
        raise ReportDirError(f"the report directory {path} is not a directory")
    created = not path.exists()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportDirError(f"cannot create the report directory {path}: {exc.strerror or exc}") from None
    try:
        fd, tmp = tempfile.mkstemp(dir=path, prefix=".probe.", suffix=".tmp")
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(tmp)
    except OSError as exc:
        raise ReportDirError(f"cannot write to the report directory {path}: {exc.strerror or exc}") from None
    return created


@contextlib.contextmanager
def locked(report_dir: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the store's exclusive lock (``flock`` on ``<report_dir>/.reports.lock``) inside the block.

    The holder writes its process id and command into the lock file; a writer that has to wait tells
    ``on_wait`` (one line: that it waits, and for which process) before it blocks.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not Linux/macOS: no lock
        yield
        return
    path = Path(report_dir) / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~current_umask())
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(f"waiting for the report store's lock {path}, held by {lock_holder(path)}")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}: {' '.join(sys.argv)[:200]}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def lock_holder(path: Path) -> str:
    """Who holds the store's lock, as its holder wrote it (``pid 1234: pytest ...``)."""
    try:
        text = Path(path).read_text().strip()
    except OSError:
        text = ""
    return f"process {text.removeprefix('pid ')}" if text.startswith("pid ") else "another process"


def slug(statement_id: str) -> str:
    """A folder name for a statement ID: ``li2022:thm-4.2`` -> ``li2022-thm-4.2``.

    An ID made of anything but letters, digits and ``.+:-`` (a control's ``[control: …]`` title,
    say), not starting with a letter or digit (``..``), or longer than 80 characters, gets at most 60 characters of that form plus 8 hex digits
    of its SHA-1, so that distinct IDs get distinct folders.
    """
    base = re.sub(r"[^A-Za-z0-9.+-]+", "-", statement_id).strip("-")
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.+:-]*", statement_id) and len(base) <= 80:
        return base
    # never ".", ".." or a hidden name: a folder name of letters and digits first
    return f"{base[:60].rstrip('-')}-{hashlib.sha1(statement_id.encode()).hexdigest()[:8]}".lstrip("-.")


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=2, allow_nan=True, default=str, ensure_ascii=False) + "\n"


def strict_json(obj: Any) -> Any:
    """``obj`` as plain standard JSON data: builtin types only, non-finite floats as ``None``.

    numpy scalars and arrays become Python numbers and lists (xdist's channel, like the JSON
    standard, carries nothing else); unknown objects become their ``str``.
    """
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        return {str(k): strict_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [strict_json(v) for v in obj]
    return str(obj)


def statement_folder(report_dir: Path, spec: StatementSpec) -> Path:
    """``<report_dir>/<slug>`` for a statement, ``<report_dir>/controls/<slug>`` for a control (checked to lie
    inside the store, :func:`inside`)."""
    return inside(report_dir, Path(report_dir) / ("controls" if spec.kind == "control" else "") / slug(spec.id))


def closest_call_folder(report_dir: Path, spec: StatementSpec) -> Path:
    """``<report_dir>/held/<slug>``: the illustrated closest call of a statement that held (checked, :func:`inside`)."""
    return inside(report_dir, Path(report_dir) / "held" / slug(spec.id))


def _encoded_example(example: dict[str, Any] | None) -> tuple[dict[str, Any], str | None]:
    """The example in the exact encoding of :mod:`oracles.core.specs`, or its reprs and why not."""
    try:
        return {k: encode(v) for k, v in (example or {}).items()}, None
    except NotSerializable as exc:
        return {k: repr(v) for k, v in (example or {}).items()}, str(exc)


# -- the records: their one home ---------------------------------------------------------------
#: Every key of a statement record of summary.json, in order, with the value it has when nothing sets it
#: (reports/README.md, "A statement record"). :func:`record` is the one place a record is assembled.
RECORD_DEFAULTS: dict[str, Any] = {
    "id": "",
    "kind": "unknown",
    "title": "",
    "source": "",
    "control_of": None,
    "verdict": "error",
    "examples": 0,
    "decided": 0,
    "inconclusive": 0,
    "inconclusive_reasons": {},
    "nonfinite_reasons": {},
    "min_decided": None,
    "max_examples": None,
    "worst_discrepancy": None,
    "worst_budget": None,
    "worst_error_estimate": None,
    "worst_floor": None,
    "worst_budget_reason": None,
    "max_discrepancy": None,
    "largest_budget": None,
    "examples_to_witness": None,
    "shrink_calls": 0,
    "witness_discrepancy": None,
    "witness_budget": None,
    "seconds": 0.0,
    "oracle_seconds": 0.0,
    "finished": "",
    "message": "",
    "nodeid": "",
    "claim": "",
    "report": None,
    "run": None,
}
#: Keys a record has only when they apply: the witness shown in the index, and why the folder was not written.
OPTIONAL_RECORD_KEYS = ("witness", "report_error")
#: The keys of what a check returned on one example (a witness, closest.json, counterexample.json).
OUTCOME_KEYS = ("discrepancy", "budget", "error_estimate", "floor", "budget_reason")


def record(**values: Any) -> dict[str, Any]:
    """A summary.json statement record: :data:`RECORD_DEFAULTS` with ``values`` (an optional key only when given).

    Raises
    ------
    KeyError
        For a key that is not a record's: a new key is added to :data:`RECORD_DEFAULTS` (and the README), here.
    """
    unknown = set(values) - set(RECORD_DEFAULTS) - set(OPTIONAL_RECORD_KEYS)
    if unknown:
        raise KeyError(f"not keys of a statement record: {', '.join(sorted(unknown))}")
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in RECORD_DEFAULTS.items()}
    out.update({k: v for k, v in values.items() if k in RECORD_DEFAULTS})
    out.update({k: values[k] for k in OPTIONAL_RECORD_KEYS if values.get(k) is not None})
    return out


def identity(spec: StatementSpec, verdict: str) -> dict[str, Any]:
    """What a record says of its statement: ``id``, ``kind``, ``title``, ``source``, ``control_of``, ``verdict``."""
    return {
        "id": spec.id,
        "kind": spec.kind,
        "title": spec.title,
        "source": spec.source,
        "control_of": spec.control_of,
        "verdict": verdict,
    }


def tally_record(
    tally: Tally,
    nodeid: str = "",
    *,
    report: str | None = None,
    witness: dict[str, Any] | None = None,
    report_error: str | None = None,
) -> dict[str, Any]:
    """The record of a statement that ran: its identity, the tally's numbers (:meth:`harness.Tally.result`),
    the pytest node, the claim and its folder."""
    return record(
        **identity(tally.spec, tally.verdict),
        **tally.result(),
        nodeid=nodeid,
        claim=tally.spec.claim,
        report=report,
        witness=witness,
        report_error=report_error,
    )


def crash_record(nodeid: str, message: str) -> dict[str, Any]:
    """The record of a test whose xdist worker died in it (its own record died with the worker).

    The controller does not import the statement modules, so the record is keyed by the pytest node id.
    """
    from theorems.suite.harness import now

    return record(
        id=f"crashed: {nodeid}",
        kind="unknown",
        title=nodeid,
        verdict="error",
        finished=now(),
        message=message.strip().splitlines()[-1][:500] if message.strip() else "worker crashed",
        nodeid=nodeid,
    )


def stamped(rec: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """``rec`` marked with the run it comes from (:data:`RUN_KEYS`) and, if it has none, when it finished."""
    from theorems.suite.harness import now

    return dict(rec) | {"run": {k: run.get(k) for k in RUN_KEYS}, "finished": rec.get("finished") or now()}


def outcome_keys(outcome: Outcome | None) -> dict[str, Any]:
    """What the check returned on one example (:data:`OUTCOME_KEYS`, ``what``), with the budget's floor and reason
    as the outcome states them (:func:`theorems.suite.harness.outcome_fields`)."""
    from theorems.suite.harness import outcome_fields

    fields = outcome_fields("x", outcome)
    return {
        "what": outcome.what if outcome else "",
        "discrepancy": outcome.discrepancy if outcome else None,
        "budget": outcome.budget if outcome else None,
        "error_estimate": outcome.error if outcome else None,
        "floor": fields["x_floor"],
        "budget_reason": fields["x_budget_reason"],
    }


def _outcome_keys(outcome: Outcome | None) -> dict[str, Any]:
    """:func:`outcome_keys` and the outcome's details (counterexample.json, closest.json)."""
    return outcome_keys(outcome) | {"details": _plain(outcome.details) if outcome else {}}


def _identity(tally: Tally) -> dict[str, Any]:
    spec = tally.spec
    return {
        "schema": COUNTEREXAMPLE_SCHEMA,
        **identity(spec, tally.verdict),
        "check": f"{spec.module}:{spec.qualname}",
        "file": spec.file,
        "fields": {arg: list(names) for arg, names in spec.fields},
    }


def write_closest_json(folder: Path, tally: Tally, env: dict[str, Any], nodeid: str = "") -> None:
    """``closest.json``: the held statement's example nearest its budget, exactly, and what it gave."""
    example, why_not = _encoded_example(tally.closest)
    rec = (
        _identity(tally)
        | _outcome_keys(tally.closest_outcome)
        | {
            "reproducible": why_not is None,
            "example": example,
            "nodeid": nodeid,
            "profile": env.get("profile"),
            "git_commit": env.get("git_commit"),
            "environment": dict(env),
        }
    )
    if why_not is not None:
        rec["not_reproducible_because"] = why_not
    atomic_write(Path(folder) / "closest.json", _json(rec))


def is_project_statement(spec: StatementSpec) -> bool:
    """Whether ``reproduce`` finds the statement by itself: one of the project's statement modules or controls."""
    from theorems.suite.statements import is_statement_module

    return bool(spec.file) and is_statement_module(spec.file) or spec.module.startswith("tests.controls.")


def reproduce_command(report_dir: Path, spec: StatementSpec) -> str:
    """The shell command that re-runs a stored counterexample without Hypothesis.

    A statement outside the project (your own conjecture) is named with ``--module`` (``reproduce`` imports
    nothing a record names); run the command where pytest ran, so that the module is importable.
    """
    command = f"python -m theorems reproduce {(statement_folder(report_dir, spec) / 'counterexample.json').as_posix()}"
    return command if is_project_statement(spec) else f"{command} --module {spec.module}"


def counterexample_record(
    tally: Tally, env: dict[str, Any] | None = None, nodeid: str = "", report_dir: Path | None = None
) -> dict[str, Any]:
    """The content of ``counterexample.json``: the shrunk example, exactly, and what it gave.

    Floats are written by ``repr`` (through :func:`oracles.core.specs.encode` and ``json``), so the
    example read back is bit-for-bit the one Hypothesis last called the check with -- the shrunk
    one, since the last falsifying call of a Hypothesis run is the replay of the minimal example.
    """
    example, why_not = _encoded_example(tally.witness)
    rec = (
        _identity(tally)
        | _outcome_keys(tally.witness_outcome)
        | {
            "reproducible": why_not is None,
            "example": example,
            "examples": tally.examples,
            "inconclusive": dict(tally.inconclusive),
            "falsifying_calls": tally.falsifying_calls,
            "nodeid": nodeid,
            "reproduce": reproduce_command(report_dir, tally.spec) if report_dir is not None else None,
            "environment": dict(env or {}),
        }
    )
    if why_not is not None:
        rec["not_reproducible_because"] = why_not
    return rec


def _plain(obj: Any) -> Any:
    """Outcome details as plain JSON (dicts stay dicts, arrays become lists) for a reader."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    try:
        return json.loads(json.dumps(encode(obj), allow_nan=True))
    except (NotSerializable, TypeError, ValueError):
        return repr(obj)


def write_statement_report(report_dir: Path, tally: Tally, env: dict[str, Any], nodeid: str = "") -> Path | None:
    """Write ``<report_dir>/<slug>/counterexample.json`` for a statement with a witness; return the folder."""
    if tally.witness_outcome is None:
        return None
    folder = statement_folder(report_dir, tally.spec)
    atomic_write(folder / "counterexample.json", _json(counterexample_record(tally, env, nodeid, report_dir)))
    return folder


#: Files a statement folder may hold; only these are ever deleted.
REPORT_FILES = ("counterexample.json", "closest.json", "report.md", "plot-*.png")


def clear_statement_folder(folder: Path, keep: tuple[str, ...] = ()) -> None:
    """Delete the report files (:data:`REPORT_FILES`) in ``folder`` except ``keep``; drop it if empty.

    Used when a statement that had a counterexample in an earlier campaign now holds, and to
    remove plots a new report no longer has. Nothing else in the folder is touched.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return
    for pattern in REPORT_FILES:
        for f in folder.glob(pattern):
            if f.name not in keep:
                f.unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass


def write_summary(
    report_dir: Path,
    records: list[dict[str, Any]],
    env: dict[str, Any],
    *,
    complete: bool = False,
    exit_status: int | None = None,
    run: dict[str, Any] | None = None,
    runs: dict[str, dict[str, Any]] | None = None,
) -> None:
    """(Re)write ``summary.json`` from ``records`` (this run's and those kept from earlier runs).

    ``complete`` and ``exit_status`` are those of the run writing (``run``); ``complete`` is false while
    it runs and stays false if it is interrupted. ``runs`` describes every run a record comes from.
    """
    run = run or {}
    counts: dict[str, int] = {}
    for r in records:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    doc = {
        "schema": SCHEMA,
        "complete": complete,
        "exit_status": exit_status,
        "failed_tests": run.get("failed_tests", []),
        "run": run.get("id"),
        "runs": runs or {},
        "environment": env,
        "verdicts": dict(sorted(counts.items())),
        "statements": sorted(records, key=lambda r: r["id"]),
    }
    atomic_write(
        Path(report_dir) / "summary.json",
        json.dumps(strict_json(doc), indent=2, allow_nan=False, default=str, ensure_ascii=False) + "\n",
    )


# -- the store ---------------------------------------------------------------------------------
#: What a record says of the run it comes from (the rest of the run is in ``runs``).
RUN_KEYS = ("id", "started", "git_commit", "git_dirty", "profile")
SUMMARY_NAME = "summary.json"
#: Damaged records read from ``summary.json`` are set aside here, one JSON object a line (appended).
QUARANTINE_NAME = "summary.quarantine.jsonl"
#: An unreadable ``summary.json`` is renamed to ``summary.json.unreadable-<run id>`` beside it.
UNREADABLE_SUFFIX = ".unreadable-"
VERDICTS = ("held", "falsified", "refuted", "not-found", "caught", "missed", "untested", "error")
RECORD_KINDS = ("universal", "conjecture", "refutation", "control", "unknown")
#: A folder a record may name (``report``): a plain name, under ``controls/`` or ``held/`` at most.
_FOLDER = re.compile(r"(?:controls/|held/)?[A-Za-z0-9][A-Za-z0-9._+-]*")
_PLOT_FILE = re.compile(r"plot-[0-9]{1,4}\.png")
_DATA_FILES = ("counterexample.json", "closest.json")
#: A reproduction command as the suite writes it: no shell syntax, nothing but the command and its arguments.
_COMMAND = re.compile(r"python -m theorems reproduce [^\s;&|`$<>()'\"\\]+(?: --module [^\s;&|`$<>()'\"\\]+)*")


class NewerSchemaError(ReportDirError):
    """The store was written by a newer suite (a ``summary.json`` schema this version does not know)."""


class StorePathError(ValueError):
    """A path the suite was about to write or read lies outside the report store."""


def inside(report_dir: Path, path: Path) -> Path:
    """``path``, checked to lie inside ``report_dir`` (after resolving ``..`` and links).

    Raises
    ------
    StorePathError
        When it does not: every file the suite writes into a store goes through this.
    """
    root, target = Path(report_dir).resolve(), Path(path).resolve()
    if target != root and root not in target.parents:
        raise StorePathError(f"{path} is outside the report store {report_dir}: not written")
    return Path(path)


@dataclass
class StoreNotes:
    """What reading the store found wrong: one line each, and whether the store was damaged."""

    warnings: list[str] = field(default_factory=list)
    damaged: bool = False

    def warn(self, line: str, *, damaged: bool = True) -> None:
        self.warnings.append(line)
        self.damaged = self.damaged or damaged


def read_summary(report_dir: Path) -> dict[str, Any] | None:
    """The stored ``summary.json`` upgraded to the current schema, or ``None`` (missing, unreadable, unknown).

    Lenient (for the stored statement times); :func:`load_store` is what writers read.
    """
    try:
        doc = json.loads((Path(report_dir) / SUMMARY_NAME).read_text())
    except (OSError, ValueError):
        return None
    if summary_problem(doc) is not None:
        return None
    return _upgrade(doc)


def summary_problem(doc: Any) -> str | None:
    """Why a parsed ``summary.json`` cannot be used as a store (one phrase), or ``None``.

    A newer schema is its own error (:class:`NewerSchemaError`), raised by :func:`load_store`.
    """
    if not isinstance(doc, dict):
        return f"its JSON is a {type(doc).__name__}, not an object"
    schema = doc.get("schema")
    if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA:
        return f"it has schema {schema}, newer than this suite's {SCHEMA}"
    if schema not in (1, 2) or isinstance(schema, bool):
        return f"its schema {schema!r} is not one this suite knows"
    if not isinstance(doc.get("statements"), list):
        return "it has no list of statements"
    if not isinstance(doc.get("runs", {}), dict):
        return "its runs are not an object"
    return None


def _upgrade(doc: dict[str, Any]) -> dict[str, Any]:
    """A schema-1 document in schema 2 (records with a run; the runs table)."""
    if doc["schema"] == 1:
        env: dict[str, Any] = doc["environment"] if isinstance(doc.get("environment"), dict) else {}
        old_run = {
            "id": "schema-1",
            "started": None,
            "git_commit": env.get("git_commit"),
            "git_dirty": env.get("git_dirty"),
            "profile": env.get("profile"),
        }
        doc["statements"] = [_upgrade_record(r, old_run) if isinstance(r, dict) else r for r in doc["statements"]]
        doc["runs"] = {
            "schema-1": old_run
            | {"complete": doc.get("complete"), "exit_status": doc.get("exit_status"), "failed_tests": []}
        }
    return doc


def _upgrade_record(r: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """A schema-1 record in schema-2 keys (its ``error_budget`` was the budget at the worst example), through
    :func:`record`; keys that are no record's are dropped."""
    known = {k: v for k, v in r.items() if k in RECORD_DEFAULTS or k in OPTIONAL_RECORD_KEYS}
    out = record(
        **(
            known
            | {
                "worst_discrepancy": r.get("worst_discrepancy", r.get("max_discrepancy")),
                "worst_budget": r.get("worst_budget", r.get("error_budget")),
                "run": r.get("run") or run,
            }
        )
    )
    for key in ("id", "kind", "verdict"):  # a record without them is damaged: quarantined, not made up
        if key not in r:
            out.pop(key)
    return out


_NUMBER_KEYS = (
    "worst_discrepancy",
    "worst_budget",
    "worst_error_estimate",
    "worst_floor",
    "max_discrepancy",
    "largest_budget",
    "witness_discrepancy",
    "witness_budget",
    "seconds",
    "oracle_seconds",
)
_COUNT_KEYS = (
    "examples",
    "decided",
    "inconclusive",
    "shrink_calls",
    "examples_to_witness",
    "min_decided",
    "max_examples",
)
_TEXT_KEYS = (
    "title",
    "source",
    "message",
    "claim",
    "nodeid",
    "finished",
    "worst_budget_reason",
    "control_of",
    "report",
    "report_error",
)


def record_problem(r: Any) -> str | None:
    """Why a stored record cannot be shown or merged (one phrase), or ``None``.

    ``id``, ``kind`` and ``verdict`` are required; every other key the pages read, when present, must have
    its type (numbers, counts, text, ``null``).
    """
    if not isinstance(r, dict):
        return f"a {type(r).__name__}, not an object"
    for key, allowed in (("id", None), ("kind", RECORD_KINDS), ("verdict", VERDICTS)):
        value = r.get(key)
        if not isinstance(value, str) or not value:
            return f"no {key!r}" if key not in r else f"{key!r} is not text"
        if allowed is not None and value not in allowed:
            return f"{key} {value!r} is not one of {', '.join(allowed)}"
    for key in _NUMBER_KEYS:
        if r.get(key) is not None and (isinstance(r[key], bool) or not isinstance(r[key], (int, float))):
            return f"{key!r} is not a number"
    for key in _COUNT_KEYS:
        if r.get(key) is not None and (isinstance(r[key], bool) or not isinstance(r[key], int)):
            return f"{key!r} is not a count"
    for key in _TEXT_KEYS:
        if r.get(key) is not None and not isinstance(r[key], str):
            return f"{key!r} is not text"
    for key in ("inconclusive_reasons", "nonfinite_reasons"):
        if r.get(key) is not None and not (
            isinstance(r[key], dict) and all(isinstance(v, int) for v in r[key].values())
        ):
            return f"{key!r} is not an object of counts"
    for key in ("run", "witness"):
        if r.get(key) is not None and not isinstance(r[key], dict):
            return f"{key!r} is not an object"
    run = r.get("run") or {}
    if any(run.get(k) is not None and not isinstance(run[k], str) for k in ("id", "started", "git_commit", "profile")):
        return "its run is malformed"
    return None


def safe_links(r: dict[str, Any], notes: StoreNotes) -> dict[str, Any]:
    """A stored record whose paths and links stay inside the store: ``report`` a plain folder name (under
    ``controls/`` or ``held/`` at most), plot files ``plot-<k>.png``, the data file one of the two the suite
    writes, the reproduction command one the suite would write. Anything else is dropped, with a warning."""
    r = dict(r)
    sid = r["id"]
    report = r.get("report")
    if report is not None and not (isinstance(report, str) and _FOLDER.fullmatch(report)):
        notes.warn(f"record {sid!r}: its report folder {report!r} is not a plain name inside the store: dropped")
        r["report"] = None
        r.pop("witness", None)
    witness = r.get("witness")
    if not isinstance(witness, dict):
        r.pop("witness", None)
        return r
    w = dict(witness)
    bad_numbers = [
        k
        for k in OUTCOME_KEYS[:4]
        if w.get(k) is not None and (isinstance(w[k], bool) or not isinstance(w[k], (int, float)))
    ]
    if bad_numbers or any(
        w.get(k) is not None and not isinstance(w[k], str) for k in ("what", "budget_reason", "plot_error")
    ):
        notes.warn(f"record {sid!r}: its witness is malformed ({', '.join(bad_numbers) or 'text'}): dropped")
        r.pop("witness", None)
        return r
    plots_: list[Any] = w["plots"] if isinstance(w.get("plots"), list) else []
    kept = [
        p
        for p in plots_
        if isinstance(p, dict)
        and isinstance(p.get("file"), str)
        and _PLOT_FILE.fullmatch(p["file"])
        and isinstance(p.get("title", ""), str)
    ]
    if len(kept) != len(plots_) or ("plots" in w and not isinstance(w["plots"], list)):
        notes.warn(
            f"record {sid!r}: {len(plots_) - len(kept) or 'its'} plot entr(ies) not a plain plot-<k>.png name: dropped"
        )
    w["plots"] = kept
    if "json" in w and w["json"] not in _DATA_FILES:
        notes.warn(f"record {sid!r}: its data file {w['json']!r} is not one the suite writes: dropped")
        w.pop("json")
    if w.get("reproduce") and not (isinstance(w["reproduce"], str) and _COMMAND.fullmatch(w["reproduce"])):
        notes.warn(f"record {sid!r}: its reproduction command is not one the suite writes: dropped")
        w["reproduce"] = ""
    example = w.get("example")
    if example is not None and not (
        isinstance(example, list)
        and all(isinstance(row, list) and len(row) == 2 and all(isinstance(c, str) for c in row) for row in example)
    ):
        notes.warn(f"record {sid!r}: its example rows are malformed: dropped")
        w["example"] = []
    r["witness"] = w
    return r


def set_aside_summary(report_dir: Path, run_id: str, why: str, notes: StoreNotes) -> None:
    """Rename an unreadable ``summary.json`` to ``summary.json.unreadable-<run id>`` beside it, and say so."""
    path = Path(report_dir) / SUMMARY_NAME
    aside = path.with_name(f"{SUMMARY_NAME}{UNREADABLE_SUFFIX}{run_id}")
    os.replace(path, aside)
    notes.warn(f"{path} could not be read ({why}): kept as {aside.name}; the new summary holds this run's records only")


def quarantine(report_dir: Path, run_id: str, bad: list[tuple[Any, str]], notes: StoreNotes) -> None:
    """Append damaged records to :data:`QUARANTINE_NAME` (one JSON object a line) and name each in a warning."""
    path = Path(report_dir) / QUARANTINE_NAME
    # ASCII: a line separator inside a record (U+0085, U+2028) must not split it for a reader's splitlines()
    lines = "".join(
        json.dumps({"set_aside_by_run": run_id, "why": why, "record": strict_json(rec)}) + "\n" for rec, why in bad
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666 & ~current_umask())
    try:
        os.write(fd, lines.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    for rec, why in bad:
        name = rec.get("id") if isinstance(rec, dict) and isinstance(rec.get("id"), str) else "(without an id)"
        notes.warn(f"a damaged record {name!r} of summary.json ({why}) was set aside in {path}")


def load_store(report_dir: Path, run_id: str, notes: StoreNotes) -> dict[str, Any]:
    """What the store holds, for a writer (under the lock): the document with only usable records.

    A missing ``summary.json`` is an empty store. An unreadable one (not JSON, truncated, empty, not an
    object, no statements list) is set aside (:func:`set_aside_summary`); damaged records are quarantined
    (:func:`quarantine`); paths and links are confined (:func:`safe_links`). Each is said in ``notes``.

    Raises
    ------
    NewerSchemaError
        The store was written by a newer suite: it is left untouched.
    """
    path = Path(report_dir) / SUMMARY_NAME
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    try:
        doc = json.loads(text)
    except ValueError as exc:
        set_aside_summary(report_dir, run_id, "empty" if not text.strip() else f"not JSON: {exc}", notes)
        return {}
    why = summary_problem(doc)
    if why is not None and why.startswith("it has schema"):
        raise NewerSchemaError(f"{path}: {why}; it is left as it is (use a newer suite, or another --report-dir=DIR)")
    if why is not None:
        set_aside_summary(report_dir, run_id, why, notes)
        return {}
    doc = _upgrade(doc)
    good, bad = [], []
    for rec in doc["statements"]:
        problem = record_problem(rec)
        if problem is None:
            good.append(safe_links(rec, notes))
        else:
            bad.append((rec, problem))
    if bad:
        quarantine(report_dir, run_id, bad, notes)
    doc["statements"] = good
    doc["runs"] = {str(k): safe_run(v) for k, v in doc.get("runs", {}).items() if isinstance(v, dict)}
    return doc


def safe_run(run: dict[str, Any]) -> dict[str, Any]:
    """A stored run with every key the pages show, each of its type (else ``None``)."""
    out = dict(run)
    for key in ("id", "started", "git_commit", "profile"):
        out[key] = run.get(key) if isinstance(run.get(key), str) else None
    for key in ("git_dirty", "complete"):
        out[key] = run.get(key) if isinstance(run.get(key), bool) else None
    status = run.get("exit_status")
    out["exit_status"] = status if isinstance(status, int) and not isinstance(status, bool) else None
    out["failed_tests"] = (
        [t for t in run.get("failed_tests") or [] if isinstance(t, dict)]
        if isinstance(run.get("failed_tests"), list)
        else []
    )
    return out


def check_store(report_dir: Path) -> None:
    """Refuse a store written by a newer suite before any statement runs (:class:`NewerSchemaError`)."""
    try:
        doc = json.loads((Path(report_dir) / SUMMARY_NAME).read_text())
    except (OSError, ValueError):
        return
    why = summary_problem(doc)
    if why is not None and why.startswith("it has schema"):
        raise NewerSchemaError(
            f"{Path(report_dir) / SUMMARY_NAME}: {why}; it is left as it is (use a newer suite, "
            f"or another --report-dir=DIR)"
        )


def merge_records(stored: list[dict[str, Any]], fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The store's records after a run: ``fresh`` replaces the stored record of the same statement.

    A stored record is replaced by a fresh one with the same ``id`` or the same pytest ``nodeid`` (a
    worker-crash record and the statement's own record name the same test), unless the stored one
    finished later (a concurrent run wrote it after this one ran the statement). Every other stored
    record is kept as it is, with the run it came from.
    """
    out = {r["id"]: r for r in stored if isinstance(r, dict) and "id" in r}
    for new in fresh:
        rivals = [
            r for r in out.values() if r["id"] == new["id"] or (new.get("nodeid") and r.get("nodeid") == new["nodeid"])
        ]
        if any(str(r.get("finished") or "") > str(new.get("finished") or "") for r in rivals):
            continue
        for r in rivals:
            out.pop(r["id"], None)
        out[new["id"]] = new
    return sorted(out.values(), key=lambda r: r["id"])


def merge_runs(
    stored: dict[str, dict[str, Any]], run: dict[str, Any], records: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The store's runs: the stored ones some record still comes from, and ``run`` (this one)."""
    used = {(r.get("run") or {}).get("id") for r in records}
    runs = {k: v for k, v in (stored or {}).items() if k in used}
    runs[run["id"]] = run
    return dict(sorted(runs.items(), key=lambda kv: str(kv[1].get("started") or "")))


@dataclass
class Stored:
    """What :func:`store_run` left in the store: its records and runs, and what it found wrong there."""

    records: list[dict[str, Any]]
    runs: dict[str, dict[str, Any]]
    notes: StoreNotes


def store_run(
    report_dir: Path,
    run: dict[str, Any],
    records: list[dict[str, Any]],
    env: dict[str, Any],
    *,
    complete: bool,
    exit_status: int | None,
    render: Callable[[list[dict[str, Any]], dict[str, dict[str, Any]]], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Stored:
    """Merge this run's records into the store and rewrite it, holding the store's lock.

    Reads ``summary.json`` (what earlier or concurrent runs stored; :func:`load_store` sets aside what it
    cannot use), merges (:func:`merge_records`), writes ``summary.json`` and calls ``render(records, runs)``
    (the index pages) before releasing the lock, so that the index always matches the summary.
    ``on_wait`` is told, once, when another process holds the lock (:func:`locked`).

    Raises
    ------
    NewerSchemaError
        The store was written by a newer suite; nothing is written.
    """
    notes = StoreNotes()
    with locked(report_dir, on_wait=on_wait):
        previous = load_store(report_dir, str(run.get("id") or "unknown"), notes)
        merged = merge_records(previous.get("statements", []), records)
        runs = merge_runs(previous.get("runs", {}), run, merged)
        write_summary(report_dir, merged, env, complete=complete, exit_status=exit_status, run=run, runs=runs)
        if render is not None:
            render(merged, runs)
    return Stored(merged, runs, notes)
