"""``python -m theorems``: the catalog, re-running a stored counterexample without Hypothesis, soak tables.

* ``python -m theorems list`` -- one line per statement, ``ID<TAB>kind<TAB>title``.
* ``python -m theorems reproduce reports/<slug>/counterexample.json [--plot DIR] [--module NAME]...`` --
  evaluates the statement's check on the stored example and prints discrepancy, budget and verdict.
  A counterexample file is data, not code: the statement is found only among the project's registered
  statements (its statement modules and controls) or in a module the user names with ``--module NAME``
  (a dotted name, or a ``.py`` file); the record's ``check`` and ``file`` are never imported. Decoding
  builds only registered types and types of those modules (:func:`oracles.core.specs.decode`).
* ``python -m theorems soak DIR... [--out FILE]`` -- the table of several campaigns.

Exit statuses, one meaning each:

=============  ======  ========================================================================
command        status  meaning
=============  ======  ========================================================================
``reproduce``  0       the check decided the stored example and it holds (discrepancy within budget)
``reproduce``  1       the check decided it and it still falsifies (for a refutation or a control:
                       the witness is confirmed)
``reproduce``  2       not a decided re-run: the example is inconclusive now, the check raised, or
                       the record cannot be used (unreadable, not a counterexample record, unknown
                       schema version, an unregistered type, a statement no project module and no
                       ``--module`` registers); one line says which
``list``       0 / 1   the catalog is complete / a statement module failed to import (named)
``soak``       0 / 1   no false alarm, miss, untested or error / at least one
``soak``       2       a summary.json cannot be used: unreadable, not a summary, a damaged record,
                       or no statements (an empty campaign is not clean)
any            2       the command line is wrong (argparse)
=============  ======  ========================================================================
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence, TextIO

from theorems.suite.statements import statement_modules

if TYPE_CHECKING:
    from oracles import Outcome

EXIT_HOLDS, EXIT_FALSIFIES, EXIT_UNDECIDED = 0, 1, 2


def load_catalog(out: TextIO | None = None) -> list[str]:
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
    from theorems.suite.harness import CATALOG

    failed = load_catalog()
    for sid, spec in sorted(CATALOG.items()):
        if spec.kind != "control" or args.controls:
            print(f"{sid}\t{spec.kind}\t{spec.title}")
    return 1 if failed else 0


# -- reproduce -------------------------------------------------------------------------------
#: Versions of counterexample.json this version reads (a record without ``schema`` is version 1).
KNOWN_SCHEMAS = (1, 2)


class NotReproducible(Exception):
    """The stored example cannot be re-run here (unreadable record, missing module, unknown type, ...)."""


def read_record(path: Path) -> dict[str, Any]:
    """Read and check a counterexample.json (or closest.json) record.

    Raises
    ------
    NotReproducible
        With one line: the file cannot be read, is not JSON, is not a record (a JSON object with a
        statement ``id`` and an ``example`` object), or has a schema version this version does not know.
    """
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise NotReproducible(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise NotReproducible(f"{path} is not JSON ({exc})") from None
    if not isinstance(record, dict):
        raise NotReproducible(
            f"{path} is not a counterexample record: its JSON is a {type(record).__name__}, not an object"
        )
    schema = record.get("schema", 1)
    if schema not in KNOWN_SCHEMAS:
        raise NotReproducible(
            f"{path} has schema version {schema!r}, which this version of the suite does not know "
            f"(it reads {', '.join(map(str, KNOWN_SCHEMAS))}): update the suite"
        )
    if not isinstance(record.get("id"), str) or not record["id"]:
        raise NotReproducible(f"{path} names no statement (no 'id')")
    if not isinstance(record.get("example"), dict):
        raise NotReproducible(
            f"{path}: 'example' must be an object {{argument: value}}, not a {type(record.get('example')).__name__}"
        )
    return record


def import_modules(names: Sequence[str]) -> list[str]:
    """Import the modules named with ``--module`` (registering the types and statements they define).

    A name ending in ``.py`` (or holding a ``/``) is a file the user names, imported the way pytest names it.

    Returns
    -------
    list of str
        The dotted names of the modules imported (what :func:`load_example` may decode types from).
    """
    imported = []
    for name in names:
        try:
            imported.append(
                _import_file(name) if name.endswith(".py") or "/" in name else importlib.import_module(name).__name__
            )
        except Exception as exc:  # noqa: BLE001 - one line, exit 2
            raise NotReproducible(f"--module {name}: cannot import it ({type(exc).__name__}: {exc})") from None
    return imported


def _import_file(file: str) -> str:
    """Import a test file the way pytest's default ``prepend`` mode names it (packages included); its name."""
    path = Path(file).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    parts, base = [path.stem], path.parent
    while (base / "__init__.py").exists():
        parts.insert(0, base.name)
        base = base.parent
    if str(base) not in sys.path:
        sys.path.insert(0, str(base))
    name = ".".join(parts)
    importlib.import_module(name)
    return name


def control_files() -> list[Path]:
    """The project's negative controls: ``tests/controls/test_*.py`` of this checkout (none when not a checkout)."""
    from theorems.suite.environment import suite_root

    folder = suite_root() / "tests" / "controls"
    return sorted(folder.glob("test_*.py")) if (folder / "__init__.py").exists() else []


def project_modules() -> dict[str, Callable[[], object]]:
    """``{module name: importer}`` of everything that registers the project's statements: the statement
    modules (:func:`theorems.suite.statements.statement_modules`) and the negative controls. This list, and
    ``--module``, are the only code ``reproduce`` runs: a record's ``check`` and ``file`` are only looked up in it."""
    out: dict[str, Callable[[], object]] = {
        name: functools.partial(importlib.import_module, name) for name in statement_modules()
    }
    for path in control_files():
        out[f"tests.controls.{path.stem}"] = functools.partial(_import_file, str(path))
    return out


def find_check(record: dict[str, Any], modules: Sequence[str] = ()) -> Callable:
    """The undecorated check of the record's statement, resolved only through registered statements.

    The statement must be registered by the project (its statement modules and controls,
    :func:`project_modules`) or by a module the user named with ``--module`` (imported before). The
    record's ``check`` (``module:qualname``) only says which project module to import first; a module
    outside the project, and the record's ``file``, are never imported: a counterexample file is data.

    Raises
    ------
    NotReproducible
        The statement is not registered; the line says which ``--module`` would be needed.
    """
    from theorems.suite import harness

    sid = record["id"]
    module = str(record.get("check", "")).partition(":")[0]
    known = project_modules()
    errors = []
    for name in ([module] if module in known else []) + ([] if sid in harness.CATALOG else sorted(known)):
        if sid in harness.CATALOG:
            break
        try:
            known[name]()
        except Exception as exc:  # noqa: BLE001 - a broken statement module: named below if it mattered
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
    if sid in harness.CATALOG:
        return harness.check_function(sid)
    named = f" nor by --module {', '.join(modules)}" if modules else ""
    hint = module or (Path(str(record.get("file") or "")).stem or "NAME")
    raise NotReproducible(
        f"statement {sid!r} is not registered by this project's statements{named}"
        + (f" ({'; '.join(errors)})" if errors else "")
        + f": if it is your own, name the module that defines it: --module {hint} "
        f"(a record's 'check' and 'file' are never imported)"
    )


def load_example(record: dict[str, Any], modules: Sequence[str] = ()) -> dict[str, Any]:
    """The stored example, decoded exactly.

    Decoding builds registered types, and types defined in ``modules`` (the statement's own module and
    those named with ``--module``); nothing is imported for it.

    Raises
    ------
    NotReproducible
        The example was not stored exactly, holds a type that is neither registered nor in ``modules`` (the
        line names the type and ``--module``), or cannot be decoded.
    """
    from oracles.core import specs

    if not record.get("reproducible", True):
        raise NotReproducible(f"the example was not stored exactly: {record.get('not_reproducible_because', '')}")
    unknown = getattr(specs, "UnknownType", None)
    example = {}
    for name, value in record["example"].items():
        try:
            example[name] = specs.decode(value, modules=tuple(modules))
        except Exception as exc:  # noqa: BLE001 - any failure to decode is "not reproducible"
            if unknown is not None and isinstance(exc, unknown):
                raise NotReproducible(
                    f"argument {name!r} holds a type this process has not registered ({exc}); "
                    f"import the module that defines it with --module NAME"
                ) from None
            raise NotReproducible(f"cannot decode argument {name!r}: {type(exc).__name__}: {exc}") from None
    return example


def _fmt(v: Any, spec: str = ".6g") -> str:
    return "–" if v is None else format(v, spec)


def reproduce(path: Path, plot_dir: Path | None = None, out: TextIO | None = None, modules: Sequence[str] = ()) -> int:
    """Re-evaluate a stored counterexample; print what it gives; return the exit status (module docstring)."""
    from theorems.suite.harness import run_check

    out = out or sys.stdout
    try:
        record = read_record(path)
        imported = import_modules(modules)
        check = find_check(record, modules)
        example = load_example(record, [*imported, getattr(check, "__module__", "")])
    except NotReproducible as exc:
        print(f"not reproducible: {exc}", file=out)
        return EXIT_UNDECIDED
    except Exception as exc:  # noqa: BLE001 - whatever else went wrong, this is not a decided re-run
        print(f"not reproducible: {type(exc).__name__}: {exc}", file=out)
        return EXIT_UNDECIDED
    from theorems.suite.environment import pin_blas_threads

    pin_blas_threads(1)
    print(f"{record['id']} ({record.get('kind')}): {record.get('title', '')}", file=out)
    print(f"check: {getattr(check, '__module__', '?')}:{getattr(check, '__qualname__', '?')}", file=out)
    try:
        outcome = run_check(check, example)
    except Exception as exc:  # noqa: BLE001 - the check itself crashed: one line here, the traceback on stderr
        print(f"not decided: the check raised {type(exc).__name__}: {exc}", file=out)
        traceback.print_exc(file=sys.stderr)
        _say_differences(record, out)
        return EXIT_UNDECIDED
    if outcome.inconclusive is not None:
        print(f"inconclusive: {outcome.inconclusive} {outcome.details.get('detail', '')}".rstrip(), file=out)
        _say_differences(record, out)
        return EXIT_UNDECIDED
    _say_outcome(record, outcome, plot_dir, out)
    if outcome.falsified:
        kind: Any = record.get("kind")
        verdict = {
            "refutation": "refuted: the witness is confirmed",
            "control": "caught: the planted variant is falsified",
        }.get(kind, "falsified: the example still falsifies the statement")
        print(f"verdict: {verdict}", file=out)
        return EXIT_FALSIFIES
    print("verdict: holds on this example (discrepancy within budget)", file=out)
    return EXIT_HOLDS


def _say_outcome(record: dict[str, Any], outcome: Outcome, plot_dir: Path | None, out: TextIO) -> None:
    """Print the discrepancy against the budget, whether it matches the stored one, and the plots."""
    print(
        f"discrepancy {_fmt(outcome.discrepancy)} vs budget {_fmt(outcome.budget, '.3g')} "
        f"(error estimate {_fmt(outcome.error, '.3g')}){': ' + outcome.what if outcome.what else ''}",
        file=out,
    )
    stored = record.get("discrepancy")
    if stored is not None:
        print(
            "stored discrepancy reproduced exactly"
            if stored == outcome.discrepancy
            else f"stored discrepancy differs (stored {_fmt(stored)})",
            file=out,
        )
    if plot_dir is not None:
        from theorems.suite import plots

        try:
            for p in plots.render(outcome.plot, Path(plot_dir)):
                print(f"plot: {Path(plot_dir) / p.file} ({p.title})", file=out)
        except Exception as exc:  # noqa: BLE001 - the verdict stands without the picture
            print(f"plot: failed ({type(exc).__name__}: {exc})", file=out)
    if (stored is not None and stored != outcome.discrepancy) or outcome.falsified != _stored_falsified(record):
        _say_differences(record, out)


def _stored_falsified(record: dict[str, Any]) -> bool:
    d, b = record.get("discrepancy"), record.get("budget")
    return isinstance(d, (int, float)) and isinstance(b, (int, float)) and d > b


def _say_differences(record: dict[str, Any], out: TextIO) -> None:
    """When a stored result does not reproduce: what differs between its environment and this one."""
    from theorems.suite.environment import differences, runtime_environment

    diff = differences(record.get("environment"), runtime_environment())
    if not diff:
        print("environment: the same as the stored one (Python, packages, lock, BLAS, commit)", file=out)
        return
    print(f"environment: {len(diff)} difference(s) from the one that stored this result:", file=out)
    for line in diff:
        print(f"  {line}", file=out)


def cmd_reproduce(args: argparse.Namespace) -> int:
    """``reproduce FILE [--plot DIR] [--module NAME]...``: see :func:`reproduce`."""
    return reproduce(Path(args.file), Path(args.plot) if args.plot else None, modules=args.module)


# -- soak ------------------------------------------------------------------------------------
#: Verdicts that are wrong for a statement believed true (universal) or a planted falsehood (control, refutation).
FALSE_ALARM = {"universal": ("falsified",), "conjecture": ()}
MISSED = {"refutation": ("not-found",), "control": ("missed",)}


def soak_table(runs: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """The soak table (Markdown) from ``{seed label: summary.json document}``, and its totals.

    One row per statement, one column per seed: ``verdict examples inconclusive% ratio``, where ratio is the
    largest discrepancy/budget among decided examples. Totals: false alarms (a universal statement
    falsified), misses (a refutation not found, a control not caught), untested or error runs, and the
    largest inconclusive share of a universal statement or conjecture under any seed (refutations and controls
    stop at their first witness, after a dozen examples or so: their share is reported on its own line).
    """
    seeds = sorted(runs, key=lambda k: (len(k), k))  # the labels of soak_labels: distinct per folder
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    kinds: dict[str, str] = {}
    for seed in seeds:
        for rec in runs[seed].get("statements", []):
            rows.setdefault(rec["id"], {})[seed] = rec
            kinds[rec["id"]] = rec.get("kind", "?")
    totals: dict[str, Any] = {
        "seeds": len(seeds),
        "statements": sum(k != "control" for k in kinds.values()),
        "controls": sum(k == "control" for k in kinds.values()),
        "runs": 0,
        "false_alarms": [],
        "missed": [],
        "untested_or_error": [],
        "max_inconclusive_share": 0.0,
        "over_10pct_inconclusive": [],
        "max_inconclusive_share_witness_search": 0.0,
        "incomplete_campaigns": [s for s in seeds if not runs[s].get("complete")],
    }
    lines = ["| statement | kind | " + " | ".join(f"seed {s}" for s in seeds) + " |", "|---|---|" + "---|" * len(seeds)]
    for sid in sorted(rows, key=lambda i: (kinds[i] == "control", i)):
        cells = []
        for seed in seeds:
            rec = rows[sid].get(seed)
            if rec is None:
                cells.append("–")
                continue
            totals["runs"] += 1
            n, inc = rec.get("examples") or 0, rec.get("inconclusive") or 0
            share = inc / n if n else 0.0
            md, b = _worst(rec)
            ratio = f"{md / b:.2g}" if md is not None and b else "–"
            cells.append(f"{rec['verdict']} {n} {100 * share:.0f}% {ratio}")
            tag = f"{sid} (seed {seed})"
            if rec["verdict"] in FALSE_ALARM.get(kinds[sid], ()):
                totals["false_alarms"].append(tag)
            if rec["verdict"] in MISSED.get(kinds[sid], ()):
                totals["missed"].append(tag)
            if rec["verdict"] in ("untested", "error"):
                totals["untested_or_error"].append(tag)
            if kinds[sid] in ("universal", "conjecture"):
                totals["max_inconclusive_share"] = max(totals["max_inconclusive_share"], share)
                if share > 0.10:
                    totals["over_10pct_inconclusive"].append(f"{tag}: {100 * share:.0f}%")
            else:  # refutations and controls stop at their first witness: a share of a dozen examples
                totals["max_inconclusive_share_witness_search"] = max(
                    totals["max_inconclusive_share_witness_search"], share
                )
        lines.append(f"| `{sid}` | {kinds[sid]} | " + " | ".join(cells) + " |")
    head = [
        f"# Soak: {totals['statements']} statements and {totals['controls']} controls × {len(seeds)} seeds "
        f"(thorough profile)",
        "",
        f"* false alarms (a universal statement falsified): **{len(totals['false_alarms'])}**"
        + (f" — {', '.join(totals['false_alarms'])}" if totals["false_alarms"] else ""),
        f"* misses (a refutation not found, a control not caught): **{len(totals['missed'])}**"
        + (f" — {', '.join(totals['missed'])}" if totals["missed"] else ""),
        f"* untested or error: **{len(totals['untested_or_error'])}**"
        + (f" — {', '.join(totals['untested_or_error'])}" if totals["untested_or_error"] else ""),
        f"* largest inconclusive share of a universal statement or conjecture: "
        f"**{100 * totals['max_inconclusive_share']:.1f}%**; above 10%: {len(totals['over_10pct_inconclusive'])}"
        + (f" — {', '.join(totals['over_10pct_inconclusive'])}" if totals["over_10pct_inconclusive"] else ""),
        f"* largest inconclusive share before a refutation's or a control's first witness: "
        f"{100 * totals['max_inconclusive_share_witness_search']:.1f}% (of the few examples it took)",
        f"* campaigns not complete: {', '.join(totals['incomplete_campaigns']) or 'none'}",
        "",
        "Cell: verdict, examples, inconclusive share, largest discrepancy/budget (above 1 falsifies).",
        "",
    ]
    return "\n".join(head + lines) + "\n", totals


def _worst(rec: dict[str, Any]) -> tuple[float | None, float | None]:
    """The discrepancy and budget of a record's worst example (schema 2; schema 1 called them
    ``max_discrepancy`` and ``error_budget``)."""
    if "worst_budget" in rec:
        return rec.get("worst_discrepancy"), rec.get("worst_budget")
    return rec.get("max_discrepancy"), rec.get("error_budget")


def soak_labels(dirs: Sequence[str]) -> dict[str, str]:
    """``{directory: column label}``: the folder's name without ``seed-``, or, where two folders share a name
    (``a/seed-1``, ``b/seed-1``), the path as given, so that no campaign hides another."""
    names = {d: Path(d).name.removeprefix("seed-") for d in dirs}
    clash = {n for n in names.values() if list(names.values()).count(n) > 1}
    return {d: (Path(d).as_posix().rstrip("/") if n in clash else n) for d, n in names.items()}


def read_campaign(directory: str) -> dict[str, Any]:
    """A campaign's ``summary.json`` for the soak table, checked.

    Raises
    ------
    NotReproducible
        With one line: it cannot be read, is not a summary, holds a damaged record, or has no statements
        (an empty campaign soaked nothing: it is not clean).
    """
    from theorems.suite import reports

    path = Path(directory) / reports.SUMMARY_NAME
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise NotReproducible(f"cannot read {path}: {exc}") from None
    why = reports.summary_problem(doc)
    if why is not None:
        raise NotReproducible(f"{path} is not a summary this suite reads: {why}")
    for rec in doc["statements"]:
        problem = reports.record_problem(rec)
        if problem is not None:
            name = rec.get("id") if isinstance(rec, dict) else None
            raise NotReproducible(f"{path}: record {name!r} is damaged ({problem})")
    if not doc["statements"]:
        raise NotReproducible(f"{path} has no statements: the campaign tested nothing (not clean)")
    return doc


def cmd_soak(args: argparse.Namespace) -> int:
    """``soak DIR... [--out FILE]``: the table of several campaigns' summary.json; exit 1 on a false alarm or miss,
    2 when a summary cannot be used (unreadable, damaged, empty)."""
    runs = {}
    for d, label in soak_labels(args.dirs).items():
        try:
            runs[label] = read_campaign(d)
        except NotReproducible as exc:
            print(f"soak: {exc}", file=sys.stderr)
            return EXIT_UNDECIDED
    text, totals = soak_table(runs)
    if args.out:
        from theorems.suite.reports import atomic_write

        atomic_write(Path(args.out), text)
    print(text.split("\n\n")[0] + "\n" + "\n".join(l for l in text.split("\n") if l.startswith("* ")))
    bad = totals["false_alarms"] or totals["missed"] or totals["untested_or_error"]
    return 1 if bad else 0


def parser() -> argparse.ArgumentParser:
    """The command-line parser of ``python -m theorems``."""
    p = argparse.ArgumentParser(prog="python -m theorems", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", help="print the catalog: ID<TAB>kind<TAB>title")
    ls.add_argument("--controls", action="store_true", help="also list controls registered by imported modules")
    ls.set_defaults(run=cmd_list)
    rp = sub.add_parser(
        "reproduce",
        help="re-run a stored counterexample without Hypothesis",
        description="exit status: 0 holds, 1 still falsifies (witness confirmed), 2 not a decided "
        "re-run (inconclusive, the check raised, or the record cannot be used)",
    )
    rp.add_argument("file", help="a counterexample.json written by a campaign")
    rp.add_argument("--plot", metavar="DIR", help="redraw the outcome's plots as PNG files in DIR")
    rp.add_argument(
        "--module",
        action="append",
        default=[],
        metavar="NAME",
        help="import this module (a dotted name or a .py file) first: it registers your own statement "
        "and the types of its examples; repeatable. Nothing the record names is imported",
    )
    rp.set_defaults(run=cmd_reproduce)
    sk = sub.add_parser("soak", help="tabulate several campaigns (one per seed): false alarms, misses, inconclusive")
    sk.add_argument("dirs", nargs="+", help="report directories, each with a summary.json (e.g. soak/seed-*)")
    sk.add_argument("--out", metavar="FILE", help="write the Markdown table here")
    sk.set_defaults(run=cmd_soak)
    from theorems.suite import analyze  # the implicit-bias calculator (issue 24): its own module registers it

    analyze.add_parser(sub)
    from theorems.suite import merge  # one store from several (the shards of a campaign, issue 25)

    merge.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m theorems``; returns the exit status."""
    args = parser().parse_args(argv)
    return args.run(args)
