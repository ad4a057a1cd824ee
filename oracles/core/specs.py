"""Exact JSON encoding of examples, so that a counterexample can be re-run without Hypothesis.

Floats are written with ``repr`` (round-trip exact); arrays keep dtype and shape; parametrizations,
losses and schedules are written through their ``to_spec`` and rebuilt from it.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from oracles.core.errors import InvalidInput
from oracles.model.losses import Loss, Schedule, loss_from_spec
from oracles.model.parametrizations import Parametrization, from_spec


class NotSerializable(TypeError):
    """An example holds an object this module cannot write (e.g. a user map given as a lambda)."""


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
    if isinstance(obj, Parametrization) and callable(getattr(type(obj), "from_spec", None)):
        return {"__object__": "class", "class": f"{type(obj).__module__}:{type(obj).__qualname__}",
                "spec": obj.to_spec()}
    for kind, cls in (("parametrization", Parametrization), ("loss", Loss), ("schedule", Schedule)):
        if isinstance(obj, cls):
            try:
                return {"__object__": kind, "spec": obj.to_spec()}
            except NotImplementedError as exc:
                raise NotSerializable(str(exc)) from exc
    to_spec = getattr(obj, "to_spec", None)
    if callable(to_spec) and hasattr(type(obj), "from_spec"):
        return {"__object__": "class", "class": f"{type(obj).__module__}:{type(obj).__qualname__}",
                "spec": to_spec()}
    raise NotSerializable(f"cannot write a {type(obj).__name__} to JSON")


def decode(data: Any) -> Any:
    """Inverse of :func:`encode`."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__array__" in data:
        arr = np.array(data["__array__"], dtype=data.get("dtype", "float64"))
        return arr.reshape(data["shape"]) if "shape" in data else arr
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__dict__" in data:
        return {decode(k): decode(v) for k, v in data["__dict__"]}
    kind = data.get("__object__")
    if kind == "parametrization":
        return from_spec(data["spec"])
    if kind == "loss":
        return loss_from_spec(data["spec"])
    if kind == "schedule":
        return Schedule.from_spec(data["spec"])
    if kind == "class":
        import importlib

        mod, _, qual = data["class"].partition(":")
        cls = importlib.import_module(mod)
        for part in qual.split("."):
            cls = getattr(cls, part)
        return cls.from_spec(data["spec"])
    if kind is not None:
        raise InvalidInput(f"unknown object kind {kind!r} in a stored example")
    return {k: decode(v) for k, v in data.items()}
