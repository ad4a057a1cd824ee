r"""Losses :math:`L: \mathbb{R}^d \to \mathbb{R}` and piecewise-constant schedules (li2022 Def. 3.1).

Data convention: ``Z`` is ``n × d`` with one sample per row (li2022 §4.3 writes its transpose),
so a linear model predicts ``Z @ w``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from oracles.errors import InvalidInput, as_matrix, as_vector


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

    def __init__(self, c) -> None:
        self.c = as_vector(c, "c")
        self.d = self.c.shape[0]

    def value(self, w):
        return float(self.c @ w)

    def grad(self, w):
        return self.c.copy()

    def to_spec(self):
        return {"loss": "linear", "c": self.c.tolist()}


class LeastSquares(Loss):
    r""":math:`L(w) = \tfrac12\|Zw - Y\|^2`, ``Z`` of shape ``n × d``."""

    name = "least-squares"

    def __init__(self, Z, Y) -> None:
        self.Z = as_matrix(Z, "Z")
        self.Y = as_vector(Y, "Y", self.Z.shape[0])
        self.d = self.Z.shape[1]

    def value(self, w):
        r = self.Z @ w - self.Y
        return 0.5 * float(r @ r)

    def grad(self, w):
        return self.Z.T @ (self.Z @ w - self.Y)

    def to_spec(self):
        return {"loss": "least-squares", "Z": self.Z.tolist(), "Y": self.Y.tolist()}


class LogCosh(Loss):
    r""":math:`L(w) = \sum_k \log\cosh((Zw - Y)_k)`: smooth, convex, quadratic near 0 and linear far out."""

    name = "log-cosh"

    def __init__(self, Z, Y) -> None:
        self.Z = as_matrix(Z, "Z")
        self.Y = as_vector(Y, "Y", self.Z.shape[0])
        self.d = self.Z.shape[1]

    def value(self, w):
        r = self.Z @ w - self.Y
        return float(np.sum(np.logaddexp(r, -r) - np.log(2.0)))

    def grad(self, w):
        return self.Z.T @ np.tanh(self.Z @ w - self.Y)

    def to_spec(self):
        return {"loss": "log-cosh", "Z": self.Z.tolist(), "Y": self.Y.tolist()}


LOSSES = {"linear": Linear, "least-squares": LeastSquares, "log-cosh": LogCosh}


def loss_from_spec(spec: dict[str, Any]) -> Loss:
    """Rebuild a loss written by ``to_spec``."""
    kind = spec.get("loss")
    if kind == "linear":
        return Linear(spec["c"])
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

    @property
    def breakpoints(self) -> np.ndarray:
        """``[0, t_1, …, T]``: the switching times and the end."""
        return np.concatenate([[0.0], np.cumsum([dur for dur, _ in self.pieces])])

    @property
    def total_time(self) -> float:
        return float(self.breakpoints[-1])

    def to_spec(self) -> dict[str, Any]:
        return {"schedule": [[dur, loss.to_spec()] for dur, loss in self.pieces]}

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "Schedule":
        return cls(tuple((float(dur), loss_from_spec(ls)) for dur, ls in spec["schedule"]))
