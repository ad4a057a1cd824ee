"""The 0.1 import paths, kept working for one release (0.2) with a :class:`DeprecationWarning`.

In 0.1 the oracles were flat modules (``oracles.equivalence``, ``oracles.limits``, ``oracles.losses``, ...);
they now live in packages by layer. No file stands for a 0.1 module: :func:`install` (called by
``oracles/__init__.py``) puts a finder on :data:`sys.meta_path` that makes ``import oracles.equivalence``
give a module whose ``__getattr__`` is :func:`module_getattr`: a name is looked up where it lives now
(:data:`MOVED`), returned, and a :class:`DeprecationWarning` names the import to write instead
(``from oracles import ...`` where the name is public there, else its new module). The few names that were
renamed or dropped map to their successors in :data:`RENAMED`. ``oracles.flows`` and ``oracles.lie``, which
became packages of the same name, call :func:`module_getattr` from their own ``__getattr__``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from typing import Any, Callable

#: a 0.1 module -> the modules its names live in now, searched in order
MOVED: dict[str, tuple[str, ...]] = {
    "oracles.bregman": ("oracles.convex.bregman", "oracles.model.potentials"),
    "oracles.commutation": ("oracles.checks.commutation",),
    "oracles.equivalence": ("oracles.checks.equivalence",),
    "oracles.errors": ("oracles.core.errors",),
    "oracles.flows": ("oracles.flows.trajectories", "oracles.flows.linear_nets"),
    "oracles.hopf": ("oracles.model.hopf",),
    "oracles.legendre": ("oracles.flows.legendre", "oracles.model.potentials"),
    "oracles.lie": ("oracles.lie.brackets",),
    "oracles.lie_closure": ("oracles.lie.closure", "oracles.checks.lie", "oracles.lie.conservation"),
    "oracles.limits": ("oracles.checks.limits", "oracles.flows.limits", "oracles.model.losses", "oracles.core.outcome"),
    "oracles.linear_nets": ("oracles.flows.linear_nets", "oracles.checks.linear_nets", "oracles.flows.trajectories"),
    "oracles.losses": ("oracles.model.losses",),
    "oracles.matrix_sensing": ("oracles.checks.matrix_sensing", "oracles.model.deep"),
    "oracles.mirror_descent": ("oracles.convex.mirror_descent", "oracles.convex"),
    "oracles.outcome": ("oracles.core.outcome",),
    "oracles.parametrizations": ("oracles.model.parametrizations",),
    "oracles.path_dependence": ("oracles.checks.path_dependence",),
    "oracles.projection_error": ("oracles.convex.projection_error",),
    "oracles.quadratic_forms": ("oracles.checks.quadratic_forms",),
    "oracles.references": ("oracles.convex.references",),
    "oracles.reverse": ("oracles.checks.reverse", "oracles.model.reverse", "oracles.model.potentials"),
    "oracles.specs": ("oracles.core.specs",),
}


def _as_potential(R: Any) -> Any:
    """0.1's ``oracles.bregman.as_potential``: the closed-form separable potential equal to ``R``, or ``None``.

    Since 0.2 there is one :class:`~oracles.model.potentials.Potential` protocol, so the closed forms are
    their own separable potentials.
    """
    from oracles.model.potentials import SeparablePotential

    return R if isinstance(R, SeparablePotential) else None


def _checked_solve(
    rhs: Callable,
    t_span: Any,
    y0: Any,
    t_eval: Any = None,
    events: Any = (),
    rtol: float = 1e-10,
    atol: float = 1e-13,
    method: str = "DOP853",
    jac: Any = None,
) -> Any:
    """0.1's ``oracles.flows.checked_solve``: now :meth:`oracles.Integrator.solve` (same failures as
    :class:`~oracles.Inconclusive`; returns a :class:`~oracles.Solution` with ``t``, ``y``, ``nfev``, ``t_events``)."""
    from oracles.core.ode import Integrator

    return Integrator(method=method, rtol=rtol, atol=atol).solve(
        rhs, tuple(t_span), y0, t_eval=t_eval, events=tuple(events), jac=jac
    )


#: (0.1 module, name) -> ("module:name" of its successor, or a value, what to write instead)
RENAMED: dict[tuple[str, str], tuple[Any, str]] = {
    ("oracles.bregman", "as_potential"): (_as_potential, "the potential itself (one Potential protocol)"),
    ("oracles.equivalence", "default_legendre"): (
        "oracles.flows.legendre:potential_of",
        "from oracles import potential_of",
    ),
    ("oracles.flows", "checked_solve"): (_checked_solve, "oracles.Integrator(...).solve(rhs, t_span, y0)"),
    ("oracles.flows", "BLOW_UP"): ("oracles.core.ode:DEFAULT", "oracles.DEFAULT.blow_up"),
    ("oracles.flows", "MAX_NFEV"): ("oracles.core.ode:DEFAULT", "oracles.DEFAULT.max_nfev"),
    ("oracles.limits", "BLOW_UP"): ("oracles.core.ode:DEFAULT", "oracles.DEFAULT.blow_up"),
    ("oracles.linear_nets", "BLOW_UP"): ("oracles.core.ode:DEFAULT", "oracles.DEFAULT.blow_up"),
    ("oracles.legendre", "Legendre"): ("oracles.model.potentials:Potential", "from oracles import Potential"),
    ("oracles.legendre", "Euclidean"): (
        "oracles.model.potentials:EuclideanPotential",
        "from oracles import EuclideanPotential",
    ),
    ("oracles.legendre", "Hypentropy"): (
        "oracles.model.potentials:HypentropyPotential",
        "from oracles import HypentropyPotential",
    ),
    ("oracles.lie_closure", "Word"): ("typing:Any", "typing.Any"),
    ("oracles.reverse", "SeparableLegendre"): (
        "oracles.model.reverse:PerCoordinatePotential",
        "ReverseParametrization(...).potential()",
    ),
}

#: (0.1 module, name) -> why it is gone (no stand-in would be truthful): an AttributeError says so
REMOVED: dict[tuple[str, str], str] = {
    (("oracles.linear_nets", name)): "the module-wide work counter is gone: each solve reports its own work "
    "(oracles.flows.linear_nets.Trajectory.nfev, oracles.Solution.nfev)"
    for name in ("WORK", "work_done", "reset_work")
}

#: names of a DEFAULT attribute that stand for a 0.1 constant
_FIELDS = {"BLOW_UP": "blow_up", "MAX_NFEV": "max_nfev"}


def _resolve(old: str, name: str) -> tuple[Any, str]:
    """The object ``old.name`` stands for now, and the import to write instead."""
    if (old, name) in REMOVED:
        raise AttributeError(f"{old}.{name} was removed in 0.2: {REMOVED[(old, name)]}")
    if (old, name) in RENAMED:
        target, instead = RENAMED[(old, name)]
        if isinstance(target, str):
            module, attr = target.split(":")
            target = getattr(importlib.import_module(module), attr)
            if name in _FIELDS:
                target = getattr(target, _FIELDS[name])
        return target, instead
    facade = getattr(sys.modules.get("oracles"), "__all__", ())  # not imported here: flows and lie call this

    for module in MOVED[old]:
        mod = importlib.import_module(module)
        if hasattr(mod, name):
            public = name in facade
            return getattr(mod, name), (f"from oracles import {name}" if public else f"from {module} import {name}")
    raise AttributeError(f"module {old!r} has no attribute {name!r} (0.1 path; nothing of that name moved)")


def module_getattr(old: str, stacklevel: int = 2) -> Callable[[str], Any]:
    """A PEP 562 module ``__getattr__`` for the 0.1 module ``old``: resolve, warn once per use, return.

    ``stacklevel`` points the warning at the importing line (3 when a package's ``__getattr__`` wraps this).
    """

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value, instead = _resolve(old, name)
        warnings.warn(
            f"{old}.{name} is a 0.1 import path, deprecated since 0.2 and removed in 0.3: write `{instead}`",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
        module = sys.modules.get(old)
        if module is not None:  # once per name: `from m import a` looks a name up twice
            setattr(module, name, value)
        return value

    return __getattr__


class _LegacyFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the 0.1 modules of :data:`MOVED` that are no longer files (not ``oracles.flows``/``oracles.lie``)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname in MOVED and fullname not in _PACKAGES:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = types.ModuleType(
            spec.name,
            f"Deprecated: the 0.1 path `{spec.name}` (removed in 0.3); every name warns and names its new import.",
        )
        module.__getattr__ = module_getattr(spec.name)  # type: ignore[method-assign]
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


#: 0.1 modules that are packages now (they resolve their 0.1 names themselves)
_PACKAGES = frozenset({"oracles.flows", "oracles.lie"})


def install() -> None:
    """Put the finder of the 0.1 modules on :data:`sys.meta_path` (once)."""
    if not any(isinstance(f, _LegacyFinder) for f in sys.meta_path):
        sys.meta_path.append(_LegacyFinder())
