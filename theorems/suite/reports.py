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
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from oracles.core.specs import NotSerializable, encode

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
        os.fchmod(fd, 0o666 & ~current_umask())   # mkstemp makes it 0600
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
def locked(report_dir: Path) -> Iterator[None]:
    """Hold the store's exclusive lock (``flock`` on ``<report_dir>/.reports.lock``) inside the block."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not Linux/macOS: no lock
        yield
        return
    path = Path(report_dir) / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~current_umask())
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)   # releases the lock


def slug(statement_id: str) -> str:
    """A folder name for a statement ID: ``li2022:thm-4.2`` -> ``li2022-thm-4.2``.

    An ID made of anything but letters, digits and ``.+:-`` (a control's ``[control: …]`` title,
    say), or longer than 80 characters, gets at most 60 characters of that form plus 8 hex digits
    of its SHA-1, so that distinct IDs get distinct folders.
    """
    base = re.sub(r"[^A-Za-z0-9.+-]+", "-", statement_id).strip("-")
    if re.fullmatch(r"[A-Za-z0-9.+:-]+", statement_id) and len(base) <= 80:
        return base
    return f"{base[:60].rstrip('-')}-{hashlib.sha1(statement_id.encode()).hexdigest()[:8]}".lstrip("-")


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


def statement_folder(report_dir: Path, spec) -> Path:
    """``<report_dir>/<slug>`` for a statement, ``<report_dir>/controls/<slug>`` for a control."""
    return Path(report_dir) / ("controls" if spec.kind == "control" else "") / slug(spec.id)


def closest_call_folder(report_dir: Path, spec) -> Path:
    """``<report_dir>/held/<slug>``: the illustrated closest call of a statement that held."""
    return Path(report_dir) / "held" / slug(spec.id)


def _encoded_example(example: dict[str, Any] | None) -> tuple[dict[str, Any], str | None]:
    """The example in the exact encoding of :mod:`oracles.core.specs`, or its reprs and why not."""
    try:
        return {k: encode(v) for k, v in (example or {}).items()}, None
    except NotSerializable as exc:
        return {k: repr(v) for k, v in (example or {}).items()}, str(exc)


def _outcome_keys(outcome) -> dict[str, Any]:
    """What the check returned on the stored example, with the budget's floor and reason."""
    from theorems.suite.harness import outcome_fields

    fields = outcome_fields("x", outcome)
    return {"discrepancy": outcome.discrepancy if outcome else None, "budget": outcome.budget if outcome else None,
            "error_estimate": outcome.error if outcome else None, "floor": fields["x_floor"],
            "budget_reason": fields["x_budget_reason"], "what": outcome.what if outcome else "",
            "details": _plain(outcome.details) if outcome else {}}


def _identity(tally) -> dict[str, Any]:
    spec = tally.spec
    return {"schema": COUNTEREXAMPLE_SCHEMA, "id": spec.id, "kind": spec.kind, "title": spec.title,
            "source": spec.source, "control_of": spec.control_of, "verdict": tally.verdict,
            "check": f"{spec.module}:{spec.qualname}", "file": spec.file,
            "fields": {arg: list(names) for arg, names in spec.fields}}


def write_closest_json(folder: Path, tally, env: dict[str, Any], nodeid: str = "") -> None:
    """``closest.json``: the held statement's example nearest its budget, exactly, and what it gave."""
    example, why_not = _encoded_example(tally.closest)
    rec = _identity(tally) | _outcome_keys(tally.closest_outcome) | {
        "reproducible": why_not is None, "example": example, "nodeid": nodeid,
        "profile": env.get("profile"), "git_commit": env.get("git_commit"), "environment": dict(env)}
    if why_not is not None:
        rec["not_reproducible_because"] = why_not
    atomic_write(Path(folder) / "closest.json", _json(rec))


def is_project_statement(spec) -> bool:
    """Whether ``reproduce`` finds the statement by itself: one of the project's statement modules or controls."""
    from theorems.suite.statements import is_statement_module

    return bool(spec.file) and is_statement_module(spec.file) or spec.module.startswith("tests.controls.")


def reproduce_command(report_dir: Path, spec) -> str:
    """The shell command that re-runs a stored counterexample without Hypothesis.

    A statement outside the project (your own conjecture) is named with ``--module`` (``reproduce`` imports
    nothing a record names); run the command where pytest ran, so that the module is importable.
    """
    command = f"python -m theorems reproduce {(statement_folder(report_dir, spec) / 'counterexample.json').as_posix()}"
    return command if is_project_statement(spec) else f"{command} --module {spec.module}"


def counterexample_record(tally, env: dict[str, Any] | None = None, nodeid: str = "",
                          report_dir: Path | None = None) -> dict[str, Any]:
    """The content of ``counterexample.json``: the shrunk example, exactly, and what it gave.

    Floats are written by ``repr`` (through :func:`oracles.core.specs.encode` and ``json``), so the
    example read back is bit-for-bit the one Hypothesis last called the check with -- the shrunk
    one, since the last falsifying call of a Hypothesis run is the replay of the minimal example.
    """
    example, why_not = _encoded_example(tally.witness)
    rec = _identity(tally) | _outcome_keys(tally.witness_outcome) | {
        "reproducible": why_not is None, "example": example,
        "examples": tally.examples, "inconclusive": dict(tally.inconclusive),
        "falsifying_calls": tally.falsifying_calls, "nodeid": nodeid,
        "reproduce": reproduce_command(report_dir, tally.spec) if report_dir is not None else None,
        "environment": dict(env or {}),
    }
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


def write_statement_report(report_dir: Path, tally, env: dict[str, Any], nodeid: str = "") -> Path | None:
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


def write_summary(report_dir: Path, records: list[dict[str, Any]], env: dict[str, Any], *,
                  complete: bool = False, exit_status: int | None = None, run: dict[str, Any] | None = None,
                  runs: dict[str, dict[str, Any]] | None = None) -> None:
    """(Re)write ``summary.json`` from ``records`` (this run's and those kept from earlier runs).

    ``complete`` and ``exit_status`` are those of the run writing (``run``); ``complete`` is false while
    it runs and stays false if it is interrupted. ``runs`` describes every run a record comes from.
    """
    run = run or {}
    counts: dict[str, int] = {}
    for r in records:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    doc = {"schema": SCHEMA, "complete": complete, "exit_status": exit_status,
           "failed_tests": run.get("failed_tests", []), "run": run.get("id"), "runs": runs or {},
           "environment": env, "verdicts": dict(sorted(counts.items())),
           "statements": sorted(records, key=lambda r: r["id"])}
    atomic_write(Path(report_dir) / "summary.json",
                 json.dumps(strict_json(doc), indent=2, allow_nan=False, default=str, ensure_ascii=False) + "\n")


# -- the store ---------------------------------------------------------------------------------
#: What a record says of the run it comes from (the rest of the run is in ``runs``).
RUN_KEYS = ("id", "started", "git_commit", "git_dirty", "profile")


def read_summary(report_dir: Path) -> dict[str, Any] | None:
    """The stored ``summary.json`` upgraded to the current schema, or ``None`` (missing, unreadable, unknown)."""
    try:
        doc = json.loads((Path(report_dir) / "summary.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("statements"), list) or doc.get("schema") not in (1, 2):
        return None
    if doc["schema"] == 1:
        env = doc.get("environment") or {}
        old_run = {"id": "schema-1", "started": None, "git_commit": env.get("git_commit"),
                   "git_dirty": env.get("git_dirty"), "profile": env.get("profile")}
        doc["statements"] = [_upgrade_record(r, old_run) for r in doc["statements"] if isinstance(r, dict)]
        doc["runs"] = {"schema-1": old_run | {"complete": doc.get("complete"), "exit_status": doc.get("exit_status"),
                                              "failed_tests": []}}
    return doc


def _upgrade_record(r: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """A schema-1 record in schema-2 keys (its ``error_budget`` was the budget at the worst example)."""
    r = dict(r)
    r.setdefault("worst_discrepancy", r.get("max_discrepancy"))
    r.setdefault("worst_budget", r.pop("error_budget", None))
    r.setdefault("run", run)
    r.setdefault("finished", "")
    return r


def merge_records(stored: list[dict[str, Any]], fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The store's records after a run: ``fresh`` replaces the stored record of the same statement.

    A stored record is replaced by a fresh one with the same ``id`` or the same pytest ``nodeid`` (a
    worker-crash record and the statement's own record name the same test), unless the stored one
    finished later (a concurrent run wrote it after this one ran the statement). Every other stored
    record is kept as it is, with the run it came from.
    """
    out = {r["id"]: r for r in stored if isinstance(r, dict) and "id" in r}
    for new in fresh:
        rivals = [r for r in out.values() if r["id"] == new["id"] or (new.get("nodeid") and r.get("nodeid") == new["nodeid"])]
        if any(str(r.get("finished") or "") > str(new.get("finished") or "") for r in rivals):
            continue
        for r in rivals:
            out.pop(r["id"], None)
        out[new["id"]] = new
    return sorted(out.values(), key=lambda r: r["id"])


def merge_runs(stored: dict[str, dict[str, Any]], run: dict[str, Any],
               records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The store's runs: the stored ones some record still comes from, and ``run`` (this one)."""
    used = {(r.get("run") or {}).get("id") for r in records}
    runs = {k: v for k, v in (stored or {}).items() if k in used}
    runs[run["id"]] = run
    return dict(sorted(runs.items(), key=lambda kv: str(kv[1].get("started") or "")))


def store_run(report_dir: Path, run: dict[str, Any], records: list[dict[str, Any]], env: dict[str, Any], *,
              complete: bool, exit_status: int | None,
              render: Callable[[list[dict[str, Any]], dict[str, dict[str, Any]]], None] | None = None,
              ) -> list[dict[str, Any]]:
    """Merge this run's records into the store and rewrite it, holding the store's lock.

    Reads ``summary.json`` (what earlier or concurrent runs stored), merges (:func:`merge_records`),
    writes ``summary.json`` and calls ``render(records, runs)`` (the index pages) before releasing the
    lock, so that the index always matches the summary.

    Returns
    -------
    list of dict
        The store's records after the merge.
    """
    with locked(report_dir):
        previous = read_summary(report_dir) or {}
        merged = merge_records(previous.get("statements", []), records)
        runs = merge_runs(previous.get("runs", {}), run, merged)
        write_summary(report_dir, merged, env, complete=complete, exit_status=exit_status, run=run, runs=runs)
        if render is not None:
            render(merged, runs)
    return merged
