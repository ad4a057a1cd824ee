"""``python -m theorems analyze SPEC``: the implicit-bias calculator on a user's own parametrization (issue 24).

The math is :mod:`oracles.checks.calculator`; this module reads the input, runs it and writes one report.

* ``SPEC`` is ``module:name`` or ``path/to/file.py:name``. ``name`` is an :class:`oracles.Parametrization`, a
  function of no arguments returning one, or a plain numpy function ``x -> G(x)`` (then D is the length of the
  initialization; ``--jacobian module:name`` gives ``x -> ∂G(x)``, else it is differenced, with its error).
* ``--domain`` (plain functions): ``R^D`` (default), ``positive`` (every coordinate > 0), ``box:LO,HI``, or
  ``module:name`` of a margin function (positive inside M, zero on its boundary).
* ``--init``: ``1,0.5,2`` (a vector), a ``.npy``/``.npz``/``.csv``/``.txt`` file (one row per initialization),
  or a distribution ``normal:MEAN,STD`` / ``uniform:LO,HI`` drawn ``--samples`` times with ``--seed`` (needs
  ``--dim`` for a plain function). Default: ``uniform:0.5,1.5`` (for a Parametrization: its first draws inside M).
  A negative first entry needs the ``=`` form, ``--init=-1,2``. The first initialization is analyzed in
  full; the others add points where brackets and condition (9) are checked.
* ``--data``: ``Z`` (``n × d``) and ``y`` from a ``.npz`` (arrays ``Z`` and ``y``, or ``X``/``Y``) or a ``.csv``
  (one sample per row, the last column is y; a header row is skipped).

The report goes to ``<report-dir>/analyze/<name>/``: ``report.json`` (every answer with its discrepancy, error,
budget and catalog ID), ``report.md``, ``report.html`` (self-contained: pictures embedded) and the pictures as
``*.png`` (rendered from ``theorems/suite/templates/analyze.md.j2`` and ``analyze.html.j2``).

Exit status: 0 the report was written (answers may be "cannot decide"); 2 bad input (wrong shapes, NaNs, a
point outside the domain, a non-regular Jacobian, an unreadable file, an unwritable report directory), said in
one line; 1 an internal error (one line; ``--traceback`` shows it).
"""

from __future__ import annotations

import argparse
import base64
import importlib
import importlib.util
import inspect
import json
import re
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from oracles import InvalidInput, Parametrization
from oracles.checks import calculator

EXIT_WRITTEN, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """Input the calculator cannot use; the message is the one line printed."""


# -- input ---------------------------------------------------------------------------------------
def load_object(spec: str, what: str = "SPEC") -> Any:
    """``module:name`` or ``file.py:name`` -> the object (:class:`BadInput` naming what is wrong)."""
    mod, sep, name = spec.rpartition(":")
    if not sep or not mod or not name:
        raise BadInput(f"{what} must be module:name or path/to/file.py:name, got {spec!r}")
    try:
        if mod.endswith(".py"):
            path = Path(mod)
            if not path.exists():
                raise BadInput(f"{what}: {mod} does not exist")
            modname = "_analyze_" + re.sub(r"\W", "_", path.stem)
            sp = importlib.util.spec_from_file_location(modname, path)
            assert sp is not None and sp.loader is not None  # a path ending in .py always has a source loader
            module = importlib.util.module_from_spec(sp)
            sys.modules[modname] = module
            sp.loader.exec_module(module)
        else:
            module = importlib.import_module(mod)
    except BadInput:
        raise
    except Exception as exc:  # noqa: BLE001 - any import failure is one line
        raise BadInput(f"{what}: cannot import {mod} ({type(exc).__name__}: {exc})") from None
    try:
        return getattr(module, name)
    except AttributeError:
        raise BadInput(f"{what}: {mod} has no attribute {name!r}") from None


def _zero_arg(obj: Any) -> bool:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in sig.parameters.values())


def resolve_model(obj: Any) -> Parametrization | Callable:
    """A Parametrization, or the plain function itself (``x -> G(x)``)."""
    if isinstance(obj, Parametrization):
        return obj
    if isinstance(obj, type) and issubclass(obj, Parametrization):
        raise BadInput(f"SPEC names the class {obj.__name__}: give an instance or a function returning one")
    if not callable(obj):
        raise BadInput(f"SPEC must name a Parametrization or a function, got a {type(obj).__name__}")
    if _zero_arg(obj):
        try:
            made = obj()
        except InvalidInput as exc:
            raise BadInput(str(exc)) from None
        except Exception as exc:  # noqa: BLE001
            name = getattr(obj, "__name__", obj)
            raise BadInput(f"SPEC: calling {name}() raised {type(exc).__name__}: {exc}") from None
        if not isinstance(made, Parametrization):
            raise BadInput(
                f"SPEC: {getattr(obj, '__name__', obj)}() returned a {type(made).__name__}, not a Parametrization"
            )
        return made
    return obj


def domain_margin(text: str | None) -> tuple[Callable | None, str]:
    """``--domain`` -> (margin function or None, its name)."""
    if text is None or text in ("R^D", "R", "all"):
        return None, "R^D"
    if text == "positive":
        return (lambda x: float(np.min(x))), "(0, inf)^D"
    if text.startswith("box:"):
        try:
            lo, hi = (float(v) for v in text[4:].split(","))
        except ValueError:
            raise BadInput(f"--domain box:LO,HI needs two numbers, got {text!r}") from None
        if not lo < hi:
            raise BadInput(f"--domain box:LO,HI needs LO < HI, got {text!r}")
        return (lambda x: float(min(np.min(x - lo), np.min(hi - x)))), f"({lo:g}, {hi:g})^D"
    fn = load_object(text, "--domain")
    if not callable(fn):
        raise BadInput("--domain module:name must name a margin function x -> float")
    return (lambda x: float(fn(x))), text


def _read_array(path: Path, key_options: Sequence[str]) -> np.ndarray:
    if not path.exists():
        raise BadInput(f"{path} does not exist")
    try:
        if path.suffix == ".npy":
            return np.load(path, allow_pickle=False)
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as f:
                for k in key_options:
                    if k in f:
                        return f[k]
                return f[f.files[0]]
        try:
            return np.loadtxt(path, delimiter="," if path.suffix == ".csv" else None, ndmin=1)
        except ValueError:
            return np.loadtxt(path, delimiter="," if path.suffix == ".csv" else None, ndmin=1, skiprows=1)
    except BadInput:
        raise
    except Exception as exc:  # noqa: BLE001
        raise BadInput(f"cannot read {path}: {type(exc).__name__}: {exc}") from None


def initializations(text: str | None, D: int | None, samples: int, seed: int) -> np.ndarray:
    """``--init`` -> an array of initializations, one per row (finiteness is checked later, by name)."""
    text = text or "uniform:0.5,1.5"
    m = re.fullmatch(r"(normal|uniform):([^,]+),([^,]+)", text)
    if m:
        if D is None:
            raise BadInput(f"--init {text} draws points: give the dimension with --dim D (a plain function has none)")
        try:
            a, b = float(m.group(2)), float(m.group(3))
        except ValueError:
            raise BadInput(f"--init {m.group(1)}:A,B needs two numbers, got {text!r}") from None
        if samples < 1:
            raise BadInput(f"--samples must be at least 1, got {samples}")
        rng = np.random.default_rng(seed)
        X = rng.normal(a, b, (samples, D)) if m.group(1) == "normal" else rng.uniform(a, b, (samples, D))
        return X
    if re.search(r"\.(npy|npz|csv|txt)$", text):
        X = np.asarray(_read_array(Path(text), ("x_init", "x", "X0")), dtype=float)
    else:
        try:
            X = np.array([float(v) for v in text.split(",")])
        except ValueError:
            raise BadInput(
                f"--init must be numbers separated by commas, a file or a distribution, got {text!r}"
            ) from None
    if X.ndim not in (1, 2) or X.size == 0:
        raise BadInput(f"--init must be a vector or one initialization per row, got shape {X.shape}")
    return X[None, :] if X.ndim == 1 else X


def default_initializations(G: Parametrization, samples: int, seed: int, tries: int = 200) -> np.ndarray:
    """Without ``--init``: the first ``samples`` draws of uniform(0.5, 1.5)^D that lie in M (a Hopf chart's M, say,
    is not a box); :class:`BadInput` when none of ``tries`` draws does."""
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(tries):
        x = rng.uniform(0.5, 1.5, G.D)
        try:
            if G.in_domain(x):
                found.append(x)
        except Exception:  # noqa: BLE001 - a point where M cannot even be evaluated is not in it
            pass
        if len(found) == max(1, samples):
            return np.array(found)
    raise BadInput(
        f"no initialization given and none of {tries} draws of uniform(0.5, 1.5)^{G.D} lies in M = "
        f"{G.domain}: give --init"
    )


def read_data(text: str | None) -> tuple[np.ndarray, np.ndarray] | None:
    """``--data`` -> ``(Z, y)`` (shapes are checked against G later, by the calculator)."""
    if text is None:
        return None
    path = Path(text)
    if path.suffix == ".npz":
        if not path.exists():
            raise BadInput(f"--data: {path} does not exist")
        try:
            with np.load(path, allow_pickle=False) as f:
                zk = next((k for k in ("Z", "X", "z") if k in f), None)
                yk = next((k for k in ("y", "Y") if k in f), None)
                if zk is None or yk is None:
                    raise BadInput(f"--data {path}: needs arrays Z and y (found {', '.join(f.files) or 'none'})")
                return np.asarray(f[zk], float), np.asarray(f[yk], float)
        except BadInput:
            raise
        except Exception as exc:  # noqa: BLE001
            raise BadInput(f"--data: cannot read {path}: {type(exc).__name__}: {exc}") from None
    if path.suffix in (".csv", ".txt"):
        A = np.asarray(_read_array(path, ()), dtype=float)
        A = A[None, :] if A.ndim == 1 else A
        if A.ndim != 2 or A.shape[1] < 2:
            raise BadInput(f"--data {path}: needs rows z_1, …, z_d, y (at least two columns), got shape {A.shape}")
        return A[:, :-1], A[:, -1]
    raise BadInput(f"--data must be a .npz (Z, y) or a .csv (rows z_1, …, z_d, y), got {text!r}")


def build(args: argparse.Namespace) -> tuple[Parametrization, np.ndarray, tuple | None, str]:
    """The parametrization, the initializations, the data and the report's name, from the command line."""
    model = resolve_model(load_object(args.spec))
    name = args.name or re.sub(r"[^A-Za-z0-9._-]+", "-", args.spec.rpartition(":")[2]).strip("-") or "model"
    if isinstance(model, Parametrization):
        if args.jacobian or args.domain:
            raise BadInput("--jacobian and --domain apply to a plain function; a Parametrization has its own")
        X = (
            initializations(args.init, model.D, args.samples, args.seed)
            if args.init
            else default_initializations(model, args.samples, args.seed)
        )
        if X.shape[1] != model.D:
            raise BadInput(f"x_init must have length D = {model.D} for {model.name}, got length {X.shape[1]}")
        return model, X, read_data(args.data), name
    margin, dom = domain_margin(args.domain)
    X = initializations(args.init, args.dim, args.samples, args.seed)
    if args.dim is not None and X.shape[1] != args.dim:
        raise BadInput(f"x_init has length {X.shape[1]} but --dim is {args.dim}")
    jac = load_object(args.jacobian, "--jacobian") if args.jacobian else None
    if jac is not None and not callable(jac):
        raise BadInput("--jacobian must name a function x -> ∂G(x)")
    x0 = X[0]
    if not np.all(np.isfinite(x0)):
        raise BadInput(f"x_init has non-finite entries at indices {np.flatnonzero(~np.isfinite(x0)).tolist()}")
    try:
        G = calculator.function_parametrization(
            model,
            x0,
            jacobian=jac,
            margin=margin,
            domain=dom[:-1] + str(x0.size) if dom.endswith("^D") else dom,
            name=getattr(model, "__name__", name),
        )
    except InvalidInput as exc:
        raise BadInput(str(exc)) from None
    return G, X, read_data(args.data), name


# -- the report -----------------------------------------------------------------------------------
def _png_data(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def write_report(
    analysis: calculator.Analysis, folder: Path, *, command: str, spec: str, data: tuple | None
) -> dict[str, Path]:
    """Write report.json, report.md, report.html and the pictures into ``folder`` (atomically, file by file)."""
    from theorems.suite import plots, report_pages
    from theorems.suite.environment import runtime_environment
    from theorems.suite.reports import atomic_write, strict_json

    folder.mkdir(parents=True, exist_ok=True)
    views = []
    doc = analysis.to_json()
    for k, a in enumerate(analysis.answers):
        pics, plot_error = [], ""
        if a.plot is not None:
            try:
                pics = plots.render(a.plot, folder, stem=f"{k + 1:02d}-{a.section}")
            except Exception as exc:  # noqa: BLE001 - the answer stands without its picture
                plot_error = f"{type(exc).__name__}: {exc}"
        doc["answers"][k]["pictures"] = [p.file for p in pics]
        views.append(
            {
                "a": a,
                "pictures": [{"file": p.file, "title": p.title, "data": _png_data(folder / p.file)} for p in pics],
                "plot_error": plot_error,
                "within": (None if a.discrepancy is None or a.budget is None else a.discrepancy <= a.budget),
            }
        )
    env = runtime_environment()
    doc |= {
        "spec": spec,
        "command": command,
        "environment": env,
        "data": None if data is None else {"n": int(data[0].shape[0]), "Z": data[0].tolist(), "y": data[1].tolist()},
    }
    G = analysis.G
    ctx = {
        "spec": spec,
        "command": command,
        "G": G,
        "x_inits": analysis.x_inits,
        "x_init": np.array2string(analysis.x_inits[0], precision=6, max_line_width=200),
        "data": data,
        "views": views,
        "summary": analysis.summary,
        "seconds": analysis.seconds,
        "commit": (env.get("git_commit") or "?")[:12] + (" (dirty)" if env.get("git_dirty") else ""),
        "ids": calculator.IDS,
    }
    paths = {"json": folder / "report.json", "md": folder / "report.md", "html": folder / "report.html"}
    atomic_write(paths["json"], json.dumps(strict_json(doc), indent=2, ensure_ascii=False) + "\n")
    atomic_write(paths["md"], report_pages.render("analyze.md.j2", **ctx))
    atomic_write(paths["html"], report_pages.render("analyze.html.j2", css=report_pages.css(), **ctx))
    return paths


# -- the command ----------------------------------------------------------------------------------
def _line(a: calculator.Answer) -> str:
    ev = ""
    if a.discrepancy is not None and a.budget is not None:
        ev = f" [{a.discrepancy:.3g} vs budget {a.budget:.3g}]"
    return f"{a.section:>9}: {a.answer}{ev} ({a.rests_on})"


def cmd_analyze(args: argparse.Namespace) -> int:
    """Run the calculator and write its report; the exit status is in the module docstring."""
    from theorems.suite.environment import pin_blas_threads
    from theorems.suite.reports import ReportDirError

    out = sys.stdout
    try:
        G, X, data, name = build(args)
        pin_blas_threads(1)
        analysis = calculator.analyze(
            G, X, data, n_points=args.points, seed=args.seed, max_order=args.max_order, quick=args.quick
        )
    except BadInput as exc:
        print(f"analyze: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InvalidInput as exc:
        print(f"analyze: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - one line; the traceback on request
        print(f"analyze: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if args.traceback:
            traceback.print_exc()
        return EXIT_INTERNAL
    folder = Path(args.report_dir) / "analyze" / name
    command = "python -m theorems analyze " + " ".join(getattr(args, "argv", None) or sys.argv[2:])
    try:
        paths = write_report(analysis, folder, command=command, spec=args.spec, data=data)
    except (OSError, ReportDirError) as exc:
        print(f"analyze: cannot write the report to {folder}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{analysis.G.name}: D = {analysis.G.D}, d = {analysis.G.d}, {analysis.seconds:.2f} s CPU", file=out)
    for a in analysis.answers:
        print(_line(a), file=out)
    print(f"report: {paths['html']} (also report.md, report.json)", file=out)
    return EXIT_WRITTEN


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``analyze`` on the subparsers of ``python -m theorems`` (what :mod:`theorems.suite.cli` calls)."""
    p = sub.add_parser(
        "analyze",
        help="the implicit-bias calculator: apply the oracles to your own parametrization",
        description=__doc__.split("\n\n")[0] + " Exit status: 0 report written, 1 internal error, "
        "2 bad input (one line).",
    )
    p.add_argument(
        "spec",
        help="module:name or file.py:name of a Parametrization, a function returning one, or a "
        "numpy function x -> G(x)",
    )
    p.add_argument("--jacobian", metavar="MODULE:NAME", help="x -> dG(x) (d x D) for a plain function")
    p.add_argument("--domain", help="R^D (default), positive, box:LO,HI or MODULE:NAME of a margin function")
    p.add_argument(
        "--init",
        help="1,0.5,... (a negative first entry: --init=-1,2); a .npy/.npz/.csv file, one row "
        "per initialization; normal:MEAN,STD or uniform:LO,HI (default uniform:0.5,1.5)",
    )
    p.add_argument("--samples", type=int, default=1, help="initializations drawn from a distribution (default 1)")
    p.add_argument("--dim", type=int, help="D, when a plain function's initialization is drawn")
    p.add_argument("--data", help=".npz with Z and y, or .csv with rows z_1..z_d, y")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws and the sample points (default 0)")
    p.add_argument("--points", type=int, default=6, help="sample points per initialization for the brackets")
    p.add_argument("--max-order", type=int, default=None, help="longest bracket in the Lie closure")
    p.add_argument("--quick", action="store_true", help="smaller path-dependence searches")
    p.add_argument("--name", help="folder name of the report (default: from SPEC)")
    p.add_argument("--report-dir", default="reports", help="the report store (default: reports)")
    p.add_argument("--traceback", action="store_true", help="print the traceback of an internal error")
    p.set_defaults(run=lambda args: cmd_analyze(args))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """``analyze`` on its own (the tests call it in-process): ``main(["SPEC", "--init", ...])``."""
    parser = argparse.ArgumentParser(prog="python -m theorems")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(["analyze", *argv])
    args.argv = argv
    return cmd_analyze(args)


__all__ = ["BadInput", "add_parser", "build", "cmd_analyze", "main", "write_report"]
