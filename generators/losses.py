r"""Strategies for losses on :math:`\mathbb{R}^d`, schedules (li2022 Def. 3.1) and regression data.

``Z`` is ``n × d`` (one sample per row) with ``n < d`` for the underdetermined problems of
li2022 §4.3; it shrinks toward ``[I_n | 0]``.

:func:`equal_mu_pairs` draws pairs (A, B) of linear-loss schedules with the same
:math:`\mu(T) = -\sum_k\tau_kc_k` -- the probes of path dependence (a mirror flow ends at the same w
under both): ``swap`` (:math:`c_1` then :math:`c_2` vs :math:`c_2` then :math:`c_1`, same durations),
``split`` (one piece vs two half-pieces :math:`c\pm\delta`), ``permute`` (k pieces vs a reordering).
Shrinks to ``swap`` with :math:`c_1 = e_0`, :math:`c_2 = e_1` and unit durations.

The builders whose arguments are plain values are cached (as in :mod:`generators.arrays`): a composite
strategy calls them on every draw, and a strategy built afresh is validated afresh. A cached strategy is
the same immutable object and draws the same values from the same choices.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np
from hypothesis import strategies as st

from generators.arrays import cached, dims, offsets, vectors
from oracles.model.losses import LeastSquares, Linear, LogCosh, Loss, Schedule


@cached
@st.composite
def regression_data(
    draw: st.DrawFn, d: int, max_n: int | None = None, underdetermined: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """``(Z, Y)`` with ``Z`` of shape ``n × d``, ``n < d`` when ``underdetermined`` (needs ``d ≥ 2``)."""
    hi = max(1, d - 1) if underdetermined else d
    n = draw(dims(1, min(hi, max_n or hi)))
    Z = np.hstack([np.eye(n), np.zeros((n, d - n))]) + draw(offsets((n, d), 1.0))
    Y = draw(vectors(n, 0.0, 1.0))
    return Z, Y


@cached
def linear_losses(d: int, bound: float = 1.0) -> st.SearchStrategy[Linear]:
    """:math:`\\langle c, w\\rangle` with ``c`` in ``[-bound, bound]^d``, shrinking to ``c = e_1``-like ones."""
    return vectors(d, 0.0, bound).map(lambda c: Linear(np.where(np.abs(c) < 1e-12, 0.0, c) + np.eye(d)[0] * 0.5))


@cached
@st.composite
def least_squares(draw: st.DrawFn, d: int) -> LeastSquares:
    Z, Y = draw(regression_data(d, underdetermined=d >= 2))
    return LeastSquares(Z, Y)


@cached
@st.composite
def log_cosh(draw: st.DrawFn, d: int) -> LogCosh:
    Z, Y = draw(regression_data(d, underdetermined=d >= 2))
    return LogCosh(Z, Y)


@cached
def losses(d: int) -> st.SearchStrategy[Loss]:
    """A smooth loss on R^d: linear, least squares, or log-cosh regression, in that order of simplicity."""
    return st.one_of(linear_losses(d), least_squares(d), log_cosh(d))


@cached
@st.composite
def schedules(
    draw: st.DrawFn,
    d: int,
    max_pieces: int = 3,
    max_duration: float = 1.0,
    loss: Callable[[int], st.SearchStrategy[Loss]] | None = None,
) -> Schedule:
    """A piecewise-constant time-dependent loss: 1 to ``max_pieces`` pieces, shrinking to one."""
    k = draw(st.integers(1, max_pieces))
    make = loss or losses
    pieces = tuple((draw(st.floats(0.05, max_duration)), draw(make(d))) for _ in range(k))
    return Schedule(pieces)


@cached
def durations(k: int, lo: float = 0.1, hi: float = 1.0, center: float = 1.0) -> st.SearchStrategy[np.ndarray]:
    """``k`` durations in ``[lo, hi]``, shrinking to ``center`` (clipped into the range)."""
    c = float(np.clip(center, lo, hi))
    return offsets((k,), 1.0).map(lambda u: np.where(u >= 0, c + u * (hi - c), c + u * (c - lo)))


def directions(
    d: int, home: int, spread: float = 1.0, entries: Iterable[int] | None = None
) -> st.SearchStrategy[np.ndarray]:
    r""":math:`c = e_{home} + u`, :math:`u \in [-\text{spread}, \text{spread}]^d`, shrinking to the basis vector.

    ``entries``: the coordinates c may use (the others are 0), e.g. a chosen set of matrix entries of
    :math:`UV^\top`; ``home`` then indexes into ``entries``.
    """
    idx = np.arange(d) if entries is None else np.asarray(sorted(set(int(i) for i in entries)), int)
    if idx.size == 0 or idx.min() < 0 or idx.max() >= d:
        raise ValueError(f"entries must be a non-empty subset of range({d}), got {entries!r}")
    e = np.zeros(d)
    e[idx[home % idx.size]] = 1.0

    def place(u):
        c = e.copy()
        c[idx] += u
        return c

    return offsets((idx.size,), spread).map(place)


@st.composite
def equal_mu_pairs(
    draw: st.DrawFn,
    d: int,
    max_pieces: int = 3,
    max_duration: float = 1.0,
    spread: float = 1.0,
    kinds: Sequence[str] = ("swap", "split", "permute"),
    entries: Iterable[int] | None = None,
) -> tuple[Schedule, Schedule]:
    """A pair of schedules of linear losses on R^d with equal total μ (see the module docstring).

    ``entries`` restricts every loss direction to those coordinates of w (e.g. the off-diagonal entries of a
    matrix factorization); ``None`` uses all d.
    """
    kind = (
        draw(st.sampled_from(kinds)) if max_pieces >= 3 else draw(st.sampled_from([k for k in kinds if k != "permute"]))
    )
    if kind == "swap":
        tau = draw(durations(2, 0.1, max_duration))
        c1, c2 = draw(directions(d, 0, spread, entries)), draw(directions(d, 1, spread, entries))
        A = Schedule(((float(tau[0]), Linear(c1)), (float(tau[1]), Linear(c2))))
        return A, Schedule(tuple(reversed(A.pieces)))
    if kind == "split":
        tau1 = float(draw(durations(1, 0.1, max_duration))[0])
        c = draw(directions(d, 0, spread, entries))
        delta = draw(directions(d, 1, spread, entries))
        A = Schedule(((tau1, Linear(c)),))
        return A, Schedule(((tau1 / 2, Linear(c + delta)), (tau1 / 2, Linear(c - delta))))
    k = draw(st.integers(3, max(3, max_pieces)))
    tau = draw(durations(k, 0.1, max_duration))
    cs = [draw(directions(d, i, spread, entries)) for i in range(k)]
    order = draw(st.permutations(list(range(k))))
    if list(order) == list(range(k)):
        order = list(reversed(order))
    A = Schedule(tuple((float(tau[i]), Linear(cs[i])) for i in range(k)))
    return A, Schedule(tuple(A.pieces[i] for i in order))
