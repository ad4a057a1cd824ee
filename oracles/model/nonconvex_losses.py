r"""A loss that is not quasi-convex and whose gradient flow provably escapes to infinity from a region.

:class:`RidgeBump` is :math:`L(w) = \varphi(a^\top w)` with :math:`\varphi(s) = s^2e^{-s^2}`: its minimum 0 is attained
(on the hyperplane :math:`a^\top w = 0`, so argmin L is non-empty), but its sublevel sets below :math:`e^{-1}` are
not connected (a bump of height :math:`\varphi(1) = e^{-1}` at :math:`a^\top w = 1` separates the valley from the
tail :math:`a^\top w > 1`, where L decreases to 0 without attaining it). So L is not quasi-convex, and a flow that
starts in the tail stays there (L never increases along a gradient flow) and escapes: the planted
counterexample to li2022 Thm 4.13 without its quasi-convexity hypothesis (tests/controls/test_controls_convergence.py).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from oracles.core.errors import as_vector
from oracles.model.losses import Loss

#: The height of the bump, :math:`\varphi(1) = e^{-1}`.
BARRIER = math.exp(-1.0)


class RidgeBump(Loss):
    r""":math:`L(w) = \varphi(a^\top w)`, :math:`\varphi(s) = s^2e^{-s^2}`, with a unit vector a (normalized here).

    :math:`\nabla L = \varphi'(s)a`, :math:`\varphi'(s) = 2s(1 - s^2)e^{-s^2}`;
    :math:`\nabla^2L = \varphi''(s)aa^\top`, :math:`\varphi''(s) = (2 - 10s^2 + 4s^4)e^{-s^2}`.
    """

    name = "ridge bump"

    def __init__(self, a: ArrayLike) -> None:
        a = as_vector(a, "a")
        n = float(np.linalg.norm(a))
        if not n > 0:
            from oracles.core.errors import InvalidInput

            raise InvalidInput("a must be a non-zero vector")
        self.a = a / n
        self.d = a.size

    def value(self, w: np.ndarray) -> float:
        s = float(self.a @ w)
        return s * s * math.exp(-s * s)

    def grad(self, w: np.ndarray) -> np.ndarray:
        s = float(self.a @ w)
        return 2.0 * s * (1.0 - s * s) * math.exp(-s * s) * self.a

    def hess(self, w: np.ndarray) -> np.ndarray:
        s = float(self.a @ w)
        return (2.0 - 10.0 * s * s + 4.0 * s**4) * math.exp(-s * s) * np.outer(self.a, self.a)

    def scaled_grad(self, w: np.ndarray, log_scale: float) -> np.ndarray:
        r""":math:`e^{\sigma}\nabla L(w)` with the exponents combined (``log_scale`` = σ; no overflow for σ up to ~700
        plus :math:`s^2`): what a log-time integration :math:`dx/d\sigma = e^\sigma\dot x` evaluates."""
        s = float(self.a @ w)
        return 2.0 * s * (1.0 - s * s) * math.exp(log_scale - s * s) * self.a

    def trap_certificate(self, w: np.ndarray) -> dict[str, Any] | None:
        r"""Whether w lies in the trap :math:`\{a^\top w > 1,\ L < e^{-1}\}`: forward-invariant under any gradient flow of
        :math:`L\circ G` (reaching :math:`a^\top w \le 1` crosses the bump, where L = :math:`e^{-1}`), with
        :math:`\nabla L^\top a = \varphi'(a^\top w) < 0` throughout. ``None`` when it does not (with a margin of 1e-9
        for the rounding of s and L)."""
        s = float(self.a @ w)
        L = self.value(w)
        if not (s > 1.0 + 1e-9 and L < BARRIER * (1.0 - 1e-9)):
            return None
        return {"direction": self.a.tolist(), "s": s, "loss": L, "barrier": BARRIER}

    def escape_radius(self, level: float) -> float:
        r"""A lower bound on :math:`\|w\|` over the trap's points with :math:`L(w) \le` ``level``: the s > 1 root of
        :math:`\varphi(s) = ` ``level`` (φ decreases there), since :math:`\|w\| \ge a^\top w` for a unit a."""
        if not 0.0 < level < BARRIER:
            return 0.0 if level >= BARRIER else math.inf
        target = math.log(level)  # solve ln φ(s) = 2 ln s − s² = ln level on s > 1
        hi = 2.0
        while 2.0 * math.log(hi) - hi * hi > target:
            hi *= 2.0
        return float(brentq(lambda s: 2.0 * math.log(s) - s * s - target, 1.0, hi, xtol=1e-14, rtol=1e-14))

    def to_spec(self) -> dict[str, Any]:
        return {"loss": "ridge-bump", "a": self.a.tolist()}


__all__ = ["BARRIER", "RidgeBump"]
