"""Human-readable reports: per-statement folders and the index (placeholder; see issue 3)."""
from __future__ import annotations

from pathlib import Path

from theorems import reports


def write_statement_folder(report_dir: Path, tally, env: dict, nodeid: str = "") -> Path | None:
    """Write the folder of a statement with a witness; return it."""
    return reports.write_statement_report(report_dir, tally, env)


def write_index(report_dir: Path, records: list[dict], env: dict) -> None:
    """Write ``index.md`` (and ``index.html``) listing every statement with its verdict."""
    lines = ["# Verdicts", "", "| statement | kind | verdict | examples | inconclusive |", "|---|---|---|---|---|"]
    for r in sorted(records, key=lambda r: r["id"]):
        lines.append(f"| {r['id']} | {r['kind']} | {r['verdict']} | {r['examples']} | {r['inconclusive']} |")
    reports.atomic_write(Path(report_dir) / "index.md", "\n".join(lines) + "\n")
