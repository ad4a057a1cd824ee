"""The two ways an oracle refuses to decide.

* :class:`InvalidInput` -- the caller gave something malformed (NaNs, wrong shapes, a point
  outside the parametrization's domain, a non-symmetric matrix). It is a ``ValueError`` whose
  message names the argument and the problem; it is a bug in the caller, never a verdict.
* :class:`Inconclusive` -- the input is well-formed but the oracle cannot decide this example
  (the flow blows up in finite time, leaves the domain M, a solve does not converge, the
  Jacobian is numerically singular). The harness rejects the example and records the reason.
"""
from __future__ import annotations

import numpy as np


class InvalidInput(ValueError):
    """Malformed input to an oracle; the message names the argument and the problem."""


class Inconclusive(Exception):
    """The oracle cannot decide this example; ``reason`` is a short, stable category."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def as_vector(value, name: str, size: int | None = None) -> np.ndarray:
    """Return ``value`` as a finite float64 vector, or raise :class:`InvalidInput` naming ``name``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} must be a numeric vector, got {type(value).__name__}") from exc
    if arr.ndim != 1:
        raise InvalidInput(f"{name} must be one-dimensional, got shape {arr.shape}")
    if size is not None and arr.shape[0] != size:
        raise InvalidInput(f"{name} must have length {size}, got length {arr.shape[0]}")
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr))
        raise InvalidInput(f"{name} has non-finite entries at indices {bad.tolist()}")
    return arr


def as_matrix(value, name: str, shape: tuple[int | None, int | None] = (None, None)) -> np.ndarray:
    """Return ``value`` as a finite float64 matrix of the given shape (``None`` = any)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} must be a numeric matrix, got {type(value).__name__}") from exc
    if arr.ndim != 2:
        raise InvalidInput(f"{name} must be two-dimensional, got shape {arr.shape}")
    for axis, want in enumerate(shape):
        if want is not None and arr.shape[axis] != want:
            raise InvalidInput(f"{name} must have shape {shape} (None = any), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidInput(f"{name} has non-finite entries")
    return arr
