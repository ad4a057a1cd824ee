"""``python -m theorems``: the catalog, and re-running a stored counterexample without Hypothesis.

* ``python -m theorems list`` -- one line per statement, ``ID<TAB>kind<TAB>title``.
* ``python -m theorems reproduce reports/<slug>/counterexample.json [--plot DIR]`` -- evaluates
  the statement's check on the stored example and prints discrepancy, budget and verdict. Exit
  status: 1 when the example still falsifies (for a refutation or a control: the witness is
  confirmed), 0 when it holds, 2 when it is inconclusive or cannot be reproduced.
"""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

#: Prefixes of the modules of the ``theorems`` package that hold statements.
STATEMENT_MODULES = ("li2022_", "notes", "tarmoun2021", "min2021", "liang", "literature")

EXIT_HOLDS, EXIT_FALSIFIES, EXIT_UNDECIDED = 0, 1, 2


def statement_modules() -> list[str]:
    """The dotted names of the statement modules of the ``theorems`` package."""
    import theorems

    return sorted(f"theorems.{m.name}" for m in pkgutil.iter_modules(theorems.__path__)
                  if m.name.startswith(STATEMENT_MODULES))


def load_catalog(out=None) -> list[str]:
    """Import every statement module (registering its statements); return the modules that failed."""
    out = out or sys.stderr
    failed = []
    for name in statement_modules():
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - report and go on with the rest of the catalog
            failed.append(name)
            print(f"warning: cannot import {name}: {type(exc).__name__}: {exc}", file=out)
    return failed


def cmd_list(args: argparse.Namespace) -> int:
    """Print ``ID<TAB>kind<TAB>title`` for every statement; exit 1 if a statement module failed to import."""
    from theorems.harness import CATALOG

    failed = load_catalog()
    for sid, spec in sorted(CATALOG.items()):
        if spec.kind != "control" or args.controls:
            print(f"{sid}\t{spec.kind}\t{spec.title}")
    return 1 if failed else 0


# -- reproduce -------------------------------------------------------------------------------
class NotReproducible(Exception):
    """The stored example cannot be re-run here (missing module, unreadable example, ...)."""


def _import_file(file: str) -> None:
    """Import a test file the way pytest's default ``prepend`` mode names it (packages included)."""
    path = Path(file).resolve()
    parts, base = [path.stem], path.parent
    while (base / "__init__.py").exists():
        parts.insert(0, base.name)
        base = base.parent
    sys.path.insert(0, str(base))
    importlib.import_module(".".join(parts))


def find_check(record: dict[str, Any]) -> Callable:
    """The undecorated check of the record's statement: from ``check = module:qualname``, else ``file``."""
    from theorems import harness

    sid = record["id"]
    module, _, qualname = str(record.get("check", "")).partition(":")
    errors = []
    if module:
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - fall back to the file
            errors.append(f"import {module}: {type(exc).__name__}: {exc}")
    if sid not in harness.CATALOG and record.get("file"):
        if Path(record["file"]).exists():
            try:
                _import_file(record["file"])
            except Exception as exc:  # noqa: BLE001
                errors.append(f"import {record['file']}: {type(exc).__name__}: {exc}")
        else:
            errors.append(f"{record['file']} does not exist here")
    if sid in harness.CATALOG:
        return harness.check_function(sid)
    obj = sys.modules.get(module)
    for part in qualname.split(".") if obj is not None else ():
        obj = getattr(obj, part, None)
    if obj is not None and hasattr(obj, "statement_check"):
        return obj.statement_check
    raise NotReproducible(f"statement {sid!r} not found ({'; '.join(errors) or 'no module registers it'})")


def load_example(record: dict[str, Any]) -> dict[str, Any]:
    """The stored example, decoded exactly (after the check's module is imported)."""
    from oracles.specs import decode

    if not record.get("reproducible", True):
        raise NotReproducible(f"the example was not stored exactly: {record.get('not_reproducible_because', '')}")
    return {k: decode(v) for k, v in record["example"].items()}


def _fmt(v: Any, spec: str = ".6g") -> str:
    return "–" if v is None else format(v, spec)


def reproduce(path: Path, plot_dir: Path | None = None, out=None) -> int:
    """Re-evaluate a stored counterexample; print what it gives; return the exit status."""
    from theorems.harness import run_check

    out = out or sys.stdout
    try:
        record = json.loads(Path(path).read_text())
        check = find_check(record)
        example = load_example(record)
    except (OSError, ValueError, KeyError, NotReproducible) as exc:
        print(f"not reproducible: {type(exc).__name__}: {exc}", file=out)
        return EXIT_UNDECIDED
    print(f"{record['id']} ({record.get('kind')}): {record.get('title', '')}", file=out)
    print(f"check: {getattr(check, '__module__', '?')}:{getattr(check, '__qualname__', '?')}", file=out)
    try:
        outcome = run_check(check, example)
    except Exception:  # noqa: BLE001 - the check itself crashed
        print("the check raised:\n" + traceback.format_exc(), file=out)
        return EXIT_UNDECIDED
    if outcome.inconclusive is not None:
        print(f"inconclusive: {outcome.inconclusive} {outcome.details.get('detail', '')}".rstrip(), file=out)
        return EXIT_UNDECIDED
    print(f"discrepancy {_fmt(outcome.discrepancy)} vs budget {_fmt(outcome.budget, '.3g')} "
          f"(error estimate {_fmt(outcome.error, '.3g')}){': ' + outcome.what if outcome.what else ''}", file=out)
    stored = record.get("discrepancy")
    if stored is not None:
        same = "exactly" if stored == outcome.discrepancy else f"(stored {_fmt(stored)})"
        print(f"stored discrepancy reproduced {same}" if same == "exactly" else f"stored discrepancy differs {same}",
              file=out)
    if plot_dir is not None:
        from theorems import plots

        for p in plots.render(outcome.plot, Path(plot_dir)):
            print(f"plot: {Path(plot_dir) / p.file} ({p.title})", file=out)
    if outcome.falsified:
        kind = record.get("kind")
        verdict = {"refutation": "refuted: the witness is confirmed", "control": "caught: the planted variant "
                   "is falsified"}.get(kind, "falsified: the example still falsifies the statement")
        print(f"verdict: {verdict}", file=out)
        return EXIT_FALSIFIES
    print("verdict: holds on this example (discrepancy within budget)", file=out)
    return EXIT_HOLDS


def cmd_reproduce(args: argparse.Namespace) -> int:
    """``reproduce FILE [--plot DIR]``: see :func:`reproduce`."""
    return reproduce(Path(args.file), Path(args.plot) if args.plot else None)


def parser() -> argparse.ArgumentParser:
    """The command-line parser of ``python -m theorems``."""
    p = argparse.ArgumentParser(prog="python -m theorems", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", help="print the catalog: ID<TAB>kind<TAB>title")
    ls.add_argument("--controls", action="store_true", help="also list controls registered by imported modules")
    ls.set_defaults(run=cmd_list)
    rp = sub.add_parser("reproduce", help="re-run a stored counterexample without Hypothesis",
                        description="exit status: 1 still falsifies, 0 holds, 2 inconclusive or not reproducible")
    rp.add_argument("file", help="a counterexample.json written by a campaign")
    rp.add_argument("--plot", metavar="DIR", help="redraw the outcome's plots as PNG files in DIR")
    rp.set_defaults(run=cmd_reproduce)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m theorems``; returns the exit status."""
    args = parser().parse_args(argv)
    return args.run(args)
