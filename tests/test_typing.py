"""Every public function of ``oracles/``, ``theorems/suite/`` and ``generators/`` is fully hinted.

Public: a module-level function or a method of a public class whose name does not begin with an underscore
(``__init__`` and ``__call__`` included). Fully hinted: every parameter but ``self``/``cls`` annotated, and the
return annotated (``__init__`` excepted). mypy (``make lint``) then checks their bodies; this test is what
makes "public" mean "typed". The statement modules are tests, not API, and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("oracles", "theorems/suite", "generators")


def _public_functions(tree: ast.Module):
    def walk(node: ast.AST, public: bool, prefix: str):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                yield from walk(child, public and not child.name.startswith("_"), f"{prefix}{child.name}.")
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and public:
                dunder = child.name.startswith("__") and child.name.endswith("__")
                if (dunder and child.name in ("__init__", "__call__")) or not child.name.startswith("_"):
                    yield f"{prefix}{child.name}", child

    yield from walk(tree, True, "")


def _missing(fn: ast.FunctionDef) -> list[str]:
    args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
    if args and args[0].arg in ("self", "cls"):
        args = args[1:]
    out = [a.arg for a in args if a.annotation is None]
    out += [f"*{a.arg}" for a in (fn.args.vararg,) if a is not None and a.annotation is None]
    out += [f"**{a.arg}" for a in (fn.args.kwarg,) if a is not None and a.annotation is None]
    if fn.returns is None and fn.name != "__init__":
        out.append("return")
    return out


def test_every_public_function_is_fully_hinted() -> None:
    unhinted = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            for name, fn in _public_functions(tree):
                missing = _missing(fn)
                if missing:
                    unhinted.append(f"{path.relative_to(ROOT)}:{fn.lineno} {name}: {', '.join(missing)}")
    assert not unhinted, f"{len(unhinted)} public functions are not fully hinted:\n" + "\n".join(unhinted)
