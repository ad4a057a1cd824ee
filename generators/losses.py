r"""Strategies for losses on :math:`\mathbb{R}^d`, schedules (li2022 Def. 3.1) and regression data.

``Z`` is ``n × d`` (one sample per row) with ``n < d`` for the underdetermined problems of
li2022 §4.3; it shrinks toward ``[I_n | 0]``.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from generators.arrays import dims, offsets, vectors
from oracles.losses import LeastSquares, Linear, LogCosh, Loss, Schedule


@st.composite
def regression_data(draw, d: int, max_n: int | None = None, underdetermined: bool = True):
    """``(Z, Y)`` with ``Z`` of shape ``n × d``, ``n < d`` when ``underdetermined`` (needs ``d ≥ 2``)."""
    hi = max(1, d - 1) if underdetermined else d
    n = draw(dims(1, min(hi, max_n or hi)))
    Z = np.hstack([np.eye(n), np.zeros((n, d - n))]) + draw(offsets((n, d), 1.0))
    Y = draw(vectors(n, 0.0, 1.0))
    return Z, Y


def linear_losses(d: int, bound: float = 1.0) -> st.SearchStrategy[Linear]:
    """:math:`\\langle c, w\\rangle` with ``c`` in ``[-bound, bound]^d``, shrinking to ``c = e_1``-like ones."""
    return vectors(d, 0.0, bound).map(lambda c: Linear(np.where(np.abs(c) < 1e-12, 0.0, c) + np.eye(d)[0] * 0.5))


@st.composite
def least_squares(draw, d: int) -> LeastSquares:
    Z, Y = draw(regression_data(d, underdetermined=d >= 2))
    return LeastSquares(Z, Y)


@st.composite
def log_cosh(draw, d: int) -> LogCosh:
    Z, Y = draw(regression_data(d, underdetermined=d >= 2))
    return LogCosh(Z, Y)


def losses(d: int) -> st.SearchStrategy[Loss]:
    """A smooth loss on R^d: linear, least squares, or log-cosh regression, in that order of simplicity."""
    return st.one_of(linear_losses(d), least_squares(d), log_cosh(d))


@st.composite
def schedules(draw, d: int, max_pieces: int = 3, max_duration: float = 1.0, loss=None) -> Schedule:
    """A piecewise-constant time-dependent loss: 1 to ``max_pieces`` pieces, shrinking to one."""
    k = draw(st.integers(1, max_pieces))
    make = loss or losses
    pieces = tuple((draw(st.floats(0.05, max_duration)), draw(make(d))) for _ in range(k))
    return Schedule(pieces)
