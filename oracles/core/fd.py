r"""The one finite-difference helper: central differences at steps h and 2h, with their truncation and roundoff.

For :math:`f: \mathbb{R}^n \to \mathbb{R}^{s}` (any array shape), :func:`central_difference` returns

.. math:: D_h f(x)_{\dots k} = \frac{f(x + he_k) - f(x - he_k)}{2h}, \qquad k = 1, \dots, n

(the direction is the **last** axis) at step h and, unless ``coarse=False``, at 2h. Its error has two parts:

* truncation, :math:`O(h^2)`: the change :math:`\|D_h - D_{2h}\|` is about three times the truncation error of
  :math:`D_h` (Richardson), so it bounds it;
* roundoff: each difference of two values of size S carries :math:`\approx\epsilon S`, divided by 2h; over n
  directions, :meth:`Derivative.roundoff` = :math:`\sqrt n\,\epsilon S/h`. S must be the size of the terms f
  *adds up*, not of f: :math:`\tfrac12x^\top Ax = 8\cdot10^{-4}` summed from terms of size 1.7 rounds like 1.7
  (found at the thorough profile on li2022 Lemma 4.7).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, SupportsFloat

import numpy as np
from numpy.typing import ArrayLike

EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class Derivative:
    """Central differences of f at x: ``value`` at step ``h``, ``coarse`` at ``2h`` (``None`` if not asked)."""

    value: np.ndarray
    coarse: np.ndarray | None
    h: float

    @property
    def directions(self) -> int:
        return int(self.value.shape[-1])

    def truncation(self, norm: Callable[[np.ndarray], SupportsFloat] = np.linalg.norm) -> float:
        """``norm(value − coarse)``: bounds the O(h²) truncation error of ``value`` (0 without ``coarse``)."""
        return 0.0 if self.coarse is None else float(norm(self.value - self.coarse))

    def roundoff(self, scale: float) -> float:
        r""":math:`\sqrt n\,\epsilon\,S/h` for values built from terms of size ``scale`` = S."""
        return math.sqrt(self.directions) * EPS * float(scale) / self.h


def central_difference(
    f: Callable[[np.ndarray], ArrayLike], x: ArrayLike, h: float, *, coarse: bool = True
) -> Derivative:
    """Central differences of ``f`` at ``x`` along every coordinate, at step ``h`` (and ``2h``).

    Parameters
    ----------
    f
        Any array-valued function of a vector.
    x
        The point (a vector of length n).
    h
        The step; choose it on the scale over which f changes.
    coarse
        Also difference at ``2h`` (for the truncation estimate); costs 2n more evaluations.

    Returns
    -------
    Derivative
        ``value[..., k]`` ≈ ∂f/∂x_k.
    """
    x = np.asarray(x, dtype=float)

    def at(step: float) -> np.ndarray:
        cols = []
        for k in range(x.size):
            e = np.zeros_like(x)
            e[k] = step
            cols.append((np.asarray(f(x + e), float) - np.asarray(f(x - e), float)) / (2.0 * step))
        return np.stack(cols, axis=-1)

    return Derivative(at(h), at(2.0 * h) if coarse else None, float(h))


__all__ = ["Derivative", "central_difference"]
