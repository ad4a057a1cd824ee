"""``python -m theorems merge STORE... --out DIR``: one report store from several (the shards of a campaign).

The rules are the store's own (:func:`theorems.suite.reports.merge_records`): of several records of one
statement the one that finished last wins, and every record keeps the run it comes from. ``DIR`` may already
be a store: its records take part like any other's, so merging accumulates as campaigns do. Each winning
record's folder (``<slug>/``, ``controls/<slug>/``, ``held/<slug>/``) is copied from its store, and every
``observed/*.jsonl`` file is carried over. Stores of different commits are refused (their verdicts are not of
one suite) unless ``--allow-mixed-commits`` is given. Damaged records of a source store are skipped with a
warning naming them (the source store is only read); the exit status then says so.

Exit status: 0 merged; 2 nothing merged (a store is missing or unreadable, mixed commits refused, ``DIR``
unusable); :data:`theorems.suite.plugin.EXIT_STORE_DAMAGED` (6) merged, but a source store had damaged records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, cast

from theorems.suite import reports

EXIT_MERGED, EXIT_REFUSED, EXIT_DAMAGED = 0, 2, 6


class MergeError(ValueError):
    """The stores cannot be merged; the message says which store and why."""


@dataclass
class Source:
    """One store read for merging: its usable records, runs, environment and what was wrong with it."""

    path: Path
    records: list[dict[str, Any]]
    runs: dict[str, dict[str, Any]]
    env: dict[str, Any]
    complete: bool
    exit_status: int | None
    warnings: list[str] = field(default_factory=list)


def read_source(path: Path) -> Source:
    """Read a store without changing it: damaged records are skipped (named in ``warnings``), links confined.

    Raises
    ------
    MergeError
        No ``summary.json``, or one that is not a store (not JSON, another layout, a newer schema).
    """
    summary = Path(path) / reports.SUMMARY_NAME
    try:
        doc = json.loads(summary.read_text())
    except FileNotFoundError:
        raise MergeError(f"{path}: no {reports.SUMMARY_NAME} (not a report store)") from None
    except (OSError, ValueError) as exc:
        raise MergeError(f"{summary}: cannot be read ({type(exc).__name__}: {exc})") from None
    why = reports.summary_problem(doc)
    if why is not None:
        raise MergeError(f"{summary}: {why}")
    doc = reports._upgrade(doc)
    notes = reports.StoreNotes()
    good = []
    for rec in doc["statements"]:
        problem = reports.record_problem(rec)
        if problem is None:
            good.append(reports.safe_links(rec, notes))
        else:
            sid = rec.get("id") if isinstance(rec, dict) else None
            notes.warn(f"{summary}: record {sid!r} skipped: {problem}")
    runs = {str(k): reports.safe_run(v) for k, v in doc.get("runs", {}).items() if isinstance(v, dict)}
    env = cast(dict[str, Any], doc.get("environment") if isinstance(doc.get("environment"), dict) else {})
    status = doc.get("exit_status")
    return Source(
        Path(path),
        good,
        runs,
        env,
        doc.get("complete") is True,
        status if isinstance(status, int) and not isinstance(status, bool) else None,
        notes.warnings,
    )


def commits(source: Source) -> set[str]:
    """The commits a store's records were run on."""
    return {
        str((r.get("run") or {}).get("git_commit")) for r in source.records if (r.get("run") or {}).get("git_commit")
    }


def _copy_folder(src_store: Path, out: Path, folder: str) -> None:
    """Replace ``out/folder`` by ``src_store/folder`` (both confined to their stores)."""
    src = reports.inside(src_store, src_store / folder)
    dst = reports.inside(out, out / folder)
    if not src.is_dir() or src.resolve() == dst.resolve():
        return
    tmp = dst.with_name(f".{dst.name}.merge-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    shutil.rmtree(dst, ignore_errors=True)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(dst)


def merge_stores(
    paths: list[Path], out: Path, *, allow_mixed_commits: bool = False, say: TextIO | None = None
) -> list[str]:
    """Merge the stores ``paths`` into the store ``out``; return the warnings (damaged records skipped).

    Raises
    ------
    MergeError
        A store cannot be read, or the stores are of different commits (without ``allow_mixed_commits``).
    """
    out = Path(out)
    sources = [read_source(Path(p)) for p in paths]
    if (out / reports.SUMMARY_NAME).exists() and all(Path(p).resolve() != out.resolve() for p in paths):
        sources.insert(0, read_source(out))
    seen = {c: [str(s.path) for s in sources if c in commits(s)] for s in sources for c in commits(s)}
    if len(seen) > 1 and not allow_mixed_commits:
        listing = "; ".join(f"{c[:12]}: {', '.join(where)}" for c, where in sorted(seen.items()))
        raise MergeError(
            f"the stores are of different commits ({listing}); merge stores of one commit, or pass "
            f"--allow-mixed-commits"
        )
    merged: list[dict[str, Any]] = []
    origin: dict[int, Path] = {}
    for source in sources:
        merged = reports.merge_records(merged, source.records)
        for r in source.records:
            origin[id(r)] = source.path
    reports.check_writable(out)
    with reports.locked(out):
        for r in merged:
            folder = r.get("report")
            if isinstance(folder, str) and origin.get(id(r)) is not None:
                _copy_folder(origin[id(r)], out, folder)
        for source in sources:
            for f in sorted((source.path / "observed").glob("*.jsonl")):
                if source.path.resolve() != out.resolve():
                    (out / "observed").mkdir(exist_ok=True)
                    shutil.copy2(f, out / "observed" / f.name)
        used = {(r.get("run") or {}).get("id") for r in merged}
        runs = {k: v for s in sources for k, v in s.runs.items() if k in used}
        runs = dict(sorted(runs.items(), key=lambda kv: str(kv[1].get("started") or "")))
        newest = max(sources, key=lambda s: max((str(v.get("started") or "") for v in s.runs.values()), default=""))
        statuses = [s.exit_status for s in sources if s.exit_status is not None]
        run: dict[str, Any] = {
            "id": f"merge-{dt.datetime.now(dt.timezone.utc).strftime('%Y%m%dT%H%M%S%fZ')}",
            "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "git_commit": next(iter(seen), None) if len(seen) == 1 else None,
            "git_dirty": None,
            "profile": None,
            "complete": all(s.complete for s in sources),
            "merged_from": [str(p) for p in paths],
            "exit_status": max(statuses) if statuses else None,
            "failed_tests": [],
        }
        complete = run["complete"]
        reports.write_summary(
            out, merged, newest.env, complete=complete, exit_status=run["exit_status"], run=run, runs=runs
        )
        from theorems.suite import report_pages

        report_pages.write_index(out, merged, newest.env, complete=complete, run=run, runs=runs)
    warnings = [w for s in sources for w in s.warnings]
    if say is not None:
        for w in warnings:
            print(f"merge: {w}", file=say)
        print(
            f"merged {len(merged)} records from {len(paths)} store(s) into {out} "
            f"({out / 'index.html'}; summary: {out / reports.SUMMARY_NAME})",
            file=say,
        )
    return warnings


def add_parser(sub: Any) -> None:
    """Register ``merge`` on the CLI's subparsers."""
    p = sub.add_parser(
        "merge", help="one report store from several (the shards of a campaign)", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("stores", nargs="+", type=Path, metavar="STORE", help="report directories to merge")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="the store to write (it may exist)")
    p.add_argument(
        "--allow-mixed-commits", action="store_true", help="merge stores whose records come from different commits"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        warnings = merge_stores(args.stores, args.out, allow_mixed_commits=args.allow_mixed_commits, say=sys.stdout)
    except (MergeError, reports.ReportDirError, reports.StorePathError) as exc:
        print(f"merge: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_DAMAGED if warnings else EXIT_MERGED
