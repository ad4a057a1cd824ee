"""Writing what a campaign found: ``summary.json`` and one folder per falsified statement.

Every file is written atomically (a temporary file in the same folder, then ``os.replace``), so a
campaign interrupted at any point leaves every earlier report intact and ``summary.json`` valid.
"""
from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from oracles.specs import NotSerializable, encode


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
    """A folder name for a statement ID: ``li2022:thm-4.2`` -> ``li2022-thm-4.2``."""
    return re.sub(r"[^A-Za-z0-9.+-]+", "-", statement_id).strip("-")


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=2, allow_nan=True, default=str) + "\n"


def counterexample_record(tally) -> dict[str, Any]:
    """The content of ``counterexample.json``: the shrunk example, exactly, and what it gave."""
    spec, outcome = tally.spec, tally.witness_outcome
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
    }
    if not reproducible:
        rec["not_reproducible_because"] = reason
    return rec


def _plain(obj: Any) -> Any:
    try:
        return json.loads(json.dumps(encode(obj), allow_nan=True))
    except (NotSerializable, TypeError, ValueError):
        return repr(obj)


def write_statement_report(report_dir: Path, tally, env: dict[str, Any]) -> Path | None:
    """Write ``reports/<ID>/counterexample.json`` for a statement with a witness; return the folder."""
    if tally.witness_outcome is None:
        return None
    folder = Path(report_dir) / ("controls" if tally.spec.kind == "control" else "") / slug(tally.spec.id)
    atomic_write(folder / "counterexample.json", _json(counterexample_record(tally)))
    return folder


def write_summary(report_dir: Path, records: list[dict[str, Any]], env: dict[str, Any]) -> None:
    """(Re)write ``summary.json`` from the records seen so far."""
    counts: dict[str, int] = {}
    for r in records:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    doc = {"schema": 1, "environment": env, "verdicts": counts,
           "statements": sorted(records, key=lambda r: r["id"])}
    atomic_write(Path(report_dir) / "summary.json", _json(doc))
