"""Exact JSON encoding of examples, so that a counterexample can be re-run without Hypothesis.

Floats are written with ``repr`` (round-trip exact); arrays keep dtype and shape; objects are written
through their ``to_spec`` and rebuilt by their ``from_spec``.

Decoding constructs only **registered** types: a stored file names a type, never a module to import.

* :func:`register` -- a class decorator: ``@register`` on a class with ``to_spec`` and a ``from_spec``
  classmethod makes it decodable under the name ``"module:qualname"``. Every such class of the project
  is registered where it is defined; a conjecture writer registers their own the same way.
* :func:`register_kind` -- a family of classes written with a family-level decoder (``"parametrization"``,
  ``"loss"``, ``"schedule"``): ``{"__object__": kind, "spec": ...}``.
* A class that is not registered is decoded only when the caller names its module (``decode(data,
  modules=...)``: ``python -m theorems reproduce`` passes the statement's own module and those the user
  names with ``--module``), that module is imported, and the class has ``from_spec``. :func:`decode` itself
  never imports anything, and a stored file cannot reach a class of any other imported module (the classes
  of the already imported ``oracles`` modules with ``from_spec`` -- ``Schedule``, the losses -- are the
  project's own data types and always decode). Otherwise :class:`UnknownType`.
"""

from __future__ import annotations

import sys
from collections.abc import Collection
from typing import Any, Callable, TypeVar, cast, overload

import numpy as np

from oracles.core.errors import InvalidInput


class NotSerializable(TypeError):
    """An example holds an object this module cannot write (e.g. a user map given as a lambda)."""


class UnknownType(InvalidInput):
    """A stored example names a type that is neither registered nor defined in an imported module."""


_TYPES: dict[str, type] = {}
_KINDS: dict[str, tuple[type, Callable[[dict[str, Any]], Any]]] = {}
#: Where the classes of the 0.1 layout (flat ``oracles/``) live now, so older reports still decode.
LEGACY_MODULES = {
    "oracles.bregman": "oracles.model.potentials",
    "oracles.hopf": "oracles.model.hopf",
    "oracles.reverse": "oracles.model.reverse",
    "oracles.matrix_sensing": "oracles.model.deep",
    "oracles.parametrizations": "oracles.model.parametrizations",
    "oracles.losses": "oracles.model.losses",
}
#: Classes renamed by the reorganization (old qualname → new qualname, inside the new module).
LEGACY_NAMES = {"oracles.model.reverse:SeparablePotential": "oracles.model.reverse:ScalarPotential"}
_T = TypeVar("_T")


def type_name(cls: type) -> str:
    """The name a class is stored under: ``"module:qualname"``."""
    return f"{cls.__module__}:{cls.__qualname__}"


@overload
def register(cls: type[_T]) -> type[_T]: ...
@overload
def register(cls: None = None) -> Callable[[type[_T]], type[_T]]: ...
def register(cls: type[_T] | None = None) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """Class decorator: make ``cls`` (with ``to_spec`` and a ``from_spec`` classmethod) decodable."""

    def add(c: type[_T]) -> type[_T]:
        if not (callable(getattr(c, "to_spec", None)) and callable(getattr(c, "from_spec", None))):
            raise TypeError(f"{c.__qualname__} needs to_spec() and a from_spec classmethod to be registered")
        _TYPES[type_name(c)] = c
        return c

    return add(cls) if cls is not None else add


def register_kind(kind: str, base: type, decoder: Callable[[dict[str, Any]], Any]) -> None:
    """Objects that are instances of ``base`` are written as ``{"__object__": kind, "spec": obj.to_spec()}``."""
    _KINDS[kind] = (base, decoder)


def registered_types() -> dict[str, type]:
    """A copy of the registry (name → class)."""
    return dict(_TYPES)


def _resolve(name: str, modules: Collection[str] = ()) -> type[Any]:
    """The class stored under ``name``: registered, renamed, or defined in one of ``modules`` (imported)."""
    name = LEGACY_NAMES.get(name, name)
    module, _, qual = name.partition(":")
    module = LEGACY_MODULES.get(module, module)
    name = LEGACY_NAMES.get(f"{module}:{qual}", f"{module}:{qual}")
    if name in _TYPES:
        return _TYPES[name]
    module, _, qual = name.partition(":")
    # the project's own math (already imported, classes with from_spec) is always trusted: a stored Schedule
    # or loss is data for one of them; any other module must be named by the caller
    own = module == "oracles" or module.startswith("oracles.")
    obj: Any = sys.modules.get(module) if (module in modules or own) else None
    for part in qual.split(".") if obj is not None else ():
        obj = getattr(obj, part, None)
    if isinstance(obj, type) and callable(getattr(obj, "from_spec", None)):
        return obj
    raise UnknownType(
        f"the stored example names type {name!r}, which is not registered"
        + (
            ""
            if module in modules and module in sys.modules
            else f" (its module {module!r} was not named: name it explicitly)"
        )
    )


def encode(obj: Any) -> Any:
    """Turn an example value into plain JSON data (raises :class:`NotSerializable`)."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return {"__array__": obj.tolist(), "dtype": str(obj.dtype), "shape": list(obj.shape)}
    if isinstance(obj, (list, tuple)):
        return {"__tuple__": [encode(v) for v in obj]} if isinstance(obj, tuple) else [encode(v) for v in obj]
    if isinstance(obj, dict):
        return {"__dict__": [[encode(k), encode(v)] for k, v in obj.items()]}
    to_spec: Any = getattr(obj, "to_spec", None)
    if type_name(type(obj)) in _TYPES or (callable(to_spec) and callable(getattr(type(obj), "from_spec", None))):
        return {"__object__": "class", "class": type_name(type(obj)), "spec": to_spec()}
    for kind, (base, _) in _KINDS.items():
        if isinstance(obj, base):
            try:
                return {"__object__": kind, "spec": cast(Any, obj).to_spec()}
            except NotImplementedError as exc:
                raise NotSerializable(str(exc)) from exc
    raise NotSerializable(f"cannot write a {type(obj).__name__} to JSON (give it to_spec/from_spec and @register it)")


def decode(data: Any, modules: Collection[str] = ()) -> Any:
    """Inverse of :func:`encode`; constructs only registered types and those of ``modules``.

    Parameters
    ----------
    data
        Plain JSON data as :func:`encode` wrote it.
    modules
        Names of imported modules whose classes (with ``from_spec``) may be built although not registered;
        by default none: only registered types and kinds.

    Raises
    ------
    UnknownType
        For a class name that is neither registered nor defined in an imported module.
    InvalidInput
        For an object kind this module does not know.
    """
    if isinstance(data, list):
        return [decode(v, modules) for v in data]
    if not isinstance(data, dict):
        return data
    if "__array__" in data:
        arr = np.array(data["__array__"], dtype=data.get("dtype", "float64"))
        return arr.reshape(data["shape"]) if "shape" in data else arr
    if "__tuple__" in data:
        return tuple(decode(v, modules) for v in data["__tuple__"])
    if "__dict__" in data:
        return {decode(k, modules): decode(v, modules) for k, v in data["__dict__"]}
    kind = data.get("__object__")
    if kind == "class":
        return _resolve(str(data.get("class", "")), modules).from_spec(data["spec"])
    if kind in _KINDS:
        return _KINDS[kind][1](data["spec"])
    if kind is not None:
        raise InvalidInput(f"unknown object kind {kind!r} in a stored example")
    return {k: decode(v, modules) for k, v in data.items()}
