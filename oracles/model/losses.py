r"""Losses :math:`L: \mathbb{R}^d \to \mathbb{R}` and piecewise-constant schedules (li2022 Def. 3.1).

Data convention: ``Z`` is ``n × d`` with one sample per row (li2022 §4.3 writes its transpose),
so a linear model predicts ``Z @ w``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import InvalidInput, as_matrix, as_vector
from oracles.core.fd import central_difference
from oracles.core.specs import register_kind


class Loss:
    """A C¹ loss on the w-space: ``value(w)`` and ``grad(w)``."""

    d: int
    name = "loss"

    def value(self, w: np.ndarray) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def grad(self, w: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_spec(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{self.name}(d={self.d})"


class Linear(Loss):
    r""":math:`L(w) = \langle c, w\rangle`: the loss whose flow drives :math:`\mu` at constant velocity :math:`-c`."""

    name = "linear"

    def __init__(self, c: ArrayLike) -> None:
        self.c = as_vector(c, "c")
        self.d = self.c.shape[0]

    def value(self, w: np.ndarray) -> float:
        return float(self.c @ w)

    def grad(self, w: np.ndarray) -> np.ndarray:
        return self.c.copy()

    def hess(self, w: np.ndarray) -> np.ndarray:
        return np.zeros((self.d, self.d))

    def to_spec(self) -> dict[str, Any]:
        return {"loss": "linear", "c": self.c.tolist()}


class RegressionLoss(Loss):
    r"""A loss of the residual :math:`r = Zw - Y` (``Z`` of shape ``n × d``); subclasses give value, grad, hess."""

    def __init__(self, Z: ArrayLike, Y: ArrayLike) -> None:
        self.Z = as_matrix(Z, "Z")
        self.Y = as_vector(Y, "Y", self.Z.shape[0])
        self.d = self.Z.shape[1]

    def residual(self, w: np.ndarray) -> np.ndarray:
        return self.Z @ w - self.Y

    def to_spec(self) -> dict[str, Any]:
        return {"loss": self.name, "Z": self.Z.tolist(), "Y": self.Y.tolist()}


class LeastSquares(RegressionLoss):
    r""":math:`L(w) = \tfrac12\|Zw - Y\|^2`."""

    name = "least-squares"

    def value(self, w: np.ndarray) -> float:
        r = self.residual(w)
        return 0.5 * float(r @ r)

    def grad(self, w: np.ndarray) -> np.ndarray:
        return self.Z.T @ self.residual(w)

    def hess(self, w: np.ndarray) -> np.ndarray:
        return self.Z.T @ self.Z


class LogCosh(RegressionLoss):
    r""":math:`L(w) = \sum_k \log\cosh((Zw - Y)_k)`: smooth, convex, quadratic near 0 and linear far out."""

    name = "log-cosh"

    def value(self, w: np.ndarray) -> float:
        r = self.residual(w)
        return float(np.sum(np.logaddexp(r, -r) - np.log(2.0)))

    def grad(self, w: np.ndarray) -> np.ndarray:
        return self.Z.T @ np.tanh(self.residual(w))

    def hess(self, w: np.ndarray) -> np.ndarray:
        t = np.tanh(self.residual(w))
        return self.Z.T @ ((1.0 - t * t)[:, None] * self.Z)


class SaturatingSquares(RegressionLoss):
    r""":math:`L(w) = \ln(1 + \tfrac12\|Zw - Y\|^2)`: quasi-convex (a nondecreasing function of a convex
    function has convex sublevel sets) but not convex; same minimizers as least squares.

    :math:`\nabla L = Z^\top r/(1+s)`, :math:`\nabla^2L = Z^\top Z/(1+s) - (Z^\top r)(Z^\top r)^\top/(1+s)^2`
    with :math:`r = Zw - Y`, :math:`s = \tfrac12\|r\|^2`.
    """

    name = "saturating-squares"

    def value(self, w: np.ndarray) -> float:
        r = self.residual(w)
        return float(np.log1p(0.5 * float(r @ r)))

    def grad(self, w: np.ndarray) -> np.ndarray:
        r = self.residual(w)
        return self.Z.T @ r / (1.0 + 0.5 * float(r @ r))

    def hess(self, w: np.ndarray) -> np.ndarray:
        r = self.residual(w)
        q = 1.0 + 0.5 * float(r @ r)
        g = self.Z.T @ r
        return self.Z.T @ self.Z / q - np.outer(g, g) / q**2


class ExponentialLoss(Loss):
    r""":math:`L(a) = \sum_i \exp(-y_i\,x_i^\top a)` for labels :math:`y_i = \pm1` (notes, Soudry et al.).

    With :math:`z_i = y_ix_i` (rows of ``Zc``) and :math:`e_i = e^{-z_i^\top a}`:
    :math:`\nabla L = -Z_c^\top e`, :math:`\nabla^2L = Z_c^\top\mathrm{diag}(e)Z_c`.
    """

    name = "exponential"

    def __init__(self, X: ArrayLike, y: ArrayLike) -> None:
        self.X = as_matrix(X, "X")
        self.y = as_vector(y, "y", self.X.shape[0])
        if not np.all(np.abs(self.y) == 1):
            raise InvalidInput("labels y must be +1 or -1")
        self.Zc = self.y[:, None] * self.X
        self.d = self.X.shape[1]

    def _e(self, a: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.exp(-(self.Zc @ a))

    def value(self, a: np.ndarray) -> float:
        return float(np.sum(self._e(a)))

    def grad(self, a: np.ndarray) -> np.ndarray:
        return -self.Zc.T @ self._e(a)

    def hess(self, a: np.ndarray) -> np.ndarray:
        return self.Zc.T @ (self._e(a)[:, None] * self.Zc)

    def to_spec(self) -> dict[str, Any]:
        return {"loss": "exponential", "X": self.X.tolist(), "y": self.y.tolist()}


LOSSES = {"linear": Linear, "least-squares": LeastSquares, "log-cosh": LogCosh, "saturating-squares": SaturatingSquares}


def loss_from_spec(spec: dict[str, Any]) -> Loss:
    """Rebuild a loss written by ``to_spec``."""
    kind = spec.get("loss")
    if kind == "linear":
        return Linear(spec["c"])
    if kind == "exponential":
        return ExponentialLoss(spec["X"], spec["y"])
    if kind in LOSSES:
        return LOSSES[kind](spec["Z"], spec["Y"])
    raise InvalidInput(f"unknown loss {kind!r} in spec")


@dataclass(frozen=True)
class Schedule:
    r"""A time-dependent loss (li2022 Def. 3.1): ``pieces[k] = (duration, loss)`` run one after another.

    The flow runs for ``total_time = sum(durations)``; the last loss is held on ``[t_k, ∞)``.
    """

    pieces: tuple[tuple[float, Loss], ...]

    def __post_init__(self) -> None:
        if not self.pieces:
            raise InvalidInput("a schedule needs at least one (duration, loss) piece")
        d = self.pieces[0][1].d
        for k, (dur, loss) in enumerate(self.pieces):
            if not (np.isfinite(dur) and dur >= 0):
                raise InvalidInput(f"piece {k}: duration must be finite and >= 0, got {dur}")
            if loss.d != d:
                raise InvalidInput(f"piece {k}: loss acts on R^{loss.d}, earlier pieces on R^{d}")

    @classmethod
    def constant(cls, loss: Loss, duration: float) -> "Schedule":
        return cls(((float(duration), loss),))

    @property
    def d(self) -> int:
        return self.pieces[0][1].d

    @cached_property
    def breakpoints(self) -> np.ndarray:
        """``[0, t_1, …, T]``: the switching times and the end (computed once; read-only)."""
        bps = np.concatenate([[0.0], np.cumsum([dur for dur, _ in self.pieces])])
        bps.flags.writeable = False
        return bps

    @cached_property
    def total_time(self) -> float:
        return float(self.breakpoints[-1])

    def to_spec(self) -> dict[str, Any]:
        return {"schedule": [[dur, loss.to_spec()] for dur, loss in self.pieces]}

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "Schedule":
        return cls(tuple((float(dur), loss_from_spec(ls)) for dur, ls in spec["schedule"]))


def loss_hessian(loss: Loss, w: ArrayLike) -> np.ndarray:
    r""":math:`\nabla^2L(w)`: closed forms for the suite's losses, central differences of ``grad`` otherwise."""
    w = np.asarray(w, float)
    if hasattr(loss, "hess"):
        return np.asarray(loss.hess(w), float)
    h = 1e-6 * max(1.0, float(np.max(np.abs(w))))
    H = central_difference(loss.grad, w, h, coarse=False).value
    return 0.5 * (H + H.T)


# -----------------------------------------------------------------------------------------


register_kind("loss", Loss, loss_from_spec)
register_kind("schedule", Schedule, Schedule.from_spec)
