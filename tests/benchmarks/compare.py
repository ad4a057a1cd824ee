"""Compare the two newest saved ``make bench`` runs in units of the reference kernel timed in each.

``python -m tests.benchmarks.compare [--storage .benchmarks] [--limit 25]``: for every benchmark in both runs,
its minimum over rounds divided by the reference kernel's minimum timed just before and after it
(``extra_info["reference_min"]``, recorded by ``conftest.local_reference``; for a run saved without it, the
reference benchmark of that run, :mod:`tests.benchmarks.test_bench_reference`); a benchmark regressed when
that ratio grew by more than ``--limit`` percent. Prints a table; exit 0 when nothing regressed, 1 when something did, 2 when there is
nothing to compare (fewer than two runs, or a run without the reference kernel).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REFERENCE = "test_reference_kernel"
LOCAL = "local:"


def load(path: Path) -> dict[str, float]:
    """``{benchmark full name: minimum over rounds}`` of one saved run; a benchmark that recorded the reference
    kernel's minimum timed just around it (``extra_info["reference_min"]``) is given in units of it, under the
    name ``LOCAL + full name``."""
    doc = json.loads(path.read_text())
    out = {}
    for b in doc.get("benchmarks", []):
        ref = (b.get("extra_info") or {}).get("reference_min")
        if ref and float(ref) > 0 and not b["fullname"].endswith("::" + REFERENCE):
            out[LOCAL + b["fullname"]] = float(b["stats"]["min"]) / float(ref)
        else:
            out[b["fullname"]] = float(b["stats"]["min"])
    return out


def reference(run: dict[str, float]) -> float | None:
    hits = [v for k, v in run.items() if k.endswith("::" + REFERENCE)]
    return hits[0] if hits and hits[0] > 0 else None


def compare(
    old: dict[str, float], new: dict[str, float], limit: float
) -> tuple[list[tuple[str, float, float, float]], list[str]]:
    """Rows ``(name, old ratio, new ratio, change %)`` and the names that regressed beyond ``limit`` percent.

    Benchmarks normalized locally in both runs are compared as they are; the others are divided by their run's
    reference benchmark.
    """
    rows, bad = [], []
    for name in sorted(set(old) & set(new)):
        if name.endswith("::" + REFERENCE):
            continue
        if name.startswith(LOCAL):
            a, b, shown = old[name], new[name], name[len(LOCAL) :]
        else:
            r_old, r_new = reference(old), reference(new)
            if r_old is None or r_new is None:
                raise ValueError(f"a run lacks the reference kernel ({REFERENCE})")
            a, b, shown = old[name] / r_old, new[name] / r_new, name
        change = 100.0 * (b / a - 1.0)
        rows.append((shown, a, b, change))
        if change > limit:
            bad.append(shown)
    return rows, bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.benchmarks.compare", description=__doc__.split("\n\n")[0])
    ap.add_argument("--storage", default=".benchmarks", help="pytest-benchmark's storage directory")
    ap.add_argument("--limit", type=float, default=25.0, help="allowed growth of a normalized minimum, in percent")
    args = ap.parse_args(argv)
    runs = sorted(Path(args.storage).glob("*/*.json"), key=lambda p: p.name)
    if len(runs) < 2:
        print(f"bench compare: {len(runs)} saved run(s) in {args.storage}: nothing to compare yet")
        return 2
    old_path, new_path = runs[-2], runs[-1]
    try:
        old, new = load(old_path), load(new_path)
        rows, bad = compare(old, new, args.limit)
    except (OSError, ValueError, KeyError) as exc:
        print(f"bench compare: cannot compare {old_path.name} with {new_path.name}: {exc}")
        return 2
    print(
        f"bench compare: {new_path.name} against {old_path.name}, minima in units of the reference kernel "
        f"timed around each benchmark"
    )
    width = max(len(r[0]) for r in rows) if rows else 10
    for name, a, b, change in rows:
        flag = "  REGRESSED" if name in bad else ""
        print(f"  {name:<{width}}  {a:10.4g} -> {b:10.4g}  {change:+6.1f}%{flag}")
    lo = min((r[3] for r in rows), default=0.0)
    hi = max((r[3] for r in rows), default=0.0)
    print(
        f"bench compare: {len(rows)} benchmarks, changes {lo:+.1f}% .. {hi:+.1f}%, {len(bad)} beyond +{args.limit:g}%"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
