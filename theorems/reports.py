"""Writing what a campaign found: ``summary.json`` and one folder per falsified statement.

Every file is written atomically (a temporary file in the same folder, then ``os.replace``), so a
campaign interrupted at any point leaves every earlier report intact and ``summary.json`` valid.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from oracles.core.specs import NotSerializable, encode


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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


def write_closest_json(folder: Path, tally, env: dict[str, Any], nodeid: str = "") -> None:
    """``closest.json``: the held statement's example nearest its budget, exactly, and what it gave."""
    out = tally.closest_outcome
    try:
        example = {k: encode(v) for k, v in (tally.closest or {}).items()}
    except NotSerializable:
        example = {k: repr(v) for k, v in (tally.closest or {}).items()}
    rec = {"id": tally.spec.id, "verdict": tally.verdict, "check": f"{tally.spec.module}:{tally.spec.qualname}",
           "discrepancy": out.discrepancy, "budget": out.budget, "error_estimate": out.error, "what": out.what,
           "details": _plain(out.details), "example": example, "nodeid": nodeid,
           "profile": env.get("profile"), "git_commit": env.get("git_commit"), "environment": dict(env)}
    atomic_write(Path(folder) / "closest.json", _json(rec))


def reproduce_command(report_dir: Path, spec) -> str:
    """The shell command that re-runs a stored counterexample without Hypothesis."""
    return f"python -m theorems reproduce {(statement_folder(report_dir, spec) / 'counterexample.json').as_posix()}"


def counterexample_record(tally, env: dict[str, Any] | None = None, nodeid: str = "",
                          report_dir: Path | None = None) -> dict[str, Any]:
    """The content of ``counterexample.json``: the shrunk example, exactly, and what it gave.

    Floats are written by ``repr`` (through :func:`oracles.specs.encode` and ``json``), so the
    example read back is bit-for-bit the one Hypothesis last called the check with -- the shrunk
    one, since the last falsifying call of a Hypothesis run is the replay of the minimal example.
    """
    spec, outcome = tally.spec, tally.witness_outcome
    env = env or {}
    try:
        example, reproducible = {k: encode(v) for k, v in (tally.witness or {}).items()}, True
    except NotSerializable as exc:
        example, reproducible = {k: repr(v) for k, v in (tally.witness or {}).items()}, False
        reason = str(exc)
    rec = {
        "id": spec.id, "kind": spec.kind, "title": spec.title, "source": spec.source,
        "control_of": spec.control_of, "verdict": tally.verdict,
        "check": f"{spec.module}:{spec.qualname}", "file": spec.file,
        "discrepancy": outcome.discrepancy if outcome else None,
        "budget": outcome.budget if outcome else None,
        "error_estimate": outcome.error if outcome else None,
        "what": outcome.what if outcome else "",
        "details": _plain(outcome.details) if outcome else {},
        "reproducible": reproducible, "example": example,
        "examples": tally.examples, "inconclusive": dict(tally.inconclusive),
        "falsifying_calls": tally.falsifying_calls, "nodeid": nodeid,
        "reproduce": reproduce_command(report_dir, spec) if report_dir is not None else None,
        "environment": dict(env),
    }
    if not reproducible:
        rec["not_reproducible_because"] = reason
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


#: Version of the summary.json layout (reports/README.md).
SCHEMA = 1


def write_summary(report_dir: Path, records: list[dict[str, Any]], env: dict[str, Any], *,
                  complete: bool = False, exit_status: int | None = None) -> None:
    """(Re)write ``summary.json`` from the records seen so far.

    ``complete`` is false while the campaign runs (and stays false if it is interrupted).
    """
    counts: dict[str, int] = {}
    for r in records:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    doc = {"schema": SCHEMA, "complete": complete, "exit_status": exit_status, "environment": env,
           "verdicts": dict(sorted(counts.items())), "statements": sorted(records, key=lambda r: r["id"])}
    atomic_write(Path(report_dir) / "summary.json",
                 json.dumps(strict_json(doc), indent=2, allow_nan=False, default=str, ensure_ascii=False) + "\n")
