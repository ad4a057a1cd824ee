"""Building blocks: dimensions, bounded vectors, orthogonal matrices.

Floats are drawn as ``center + offset`` with the offset shrinking to 0, so vectors shrink toward
a chosen simple value (e.g. all ones) rather than toward a degenerate zero.

The builders are cached: composite strategies call them on every draw, and a strategy built afresh is
validated afresh (for ``hnp.arrays``, its elements strategy and fill are checked each time), which cost
more than the draw itself. A cached strategy is the same immutable object and draws exactly the same
values from the same choices.
"""

from __future__ import annotations

from functools import lru_cache, wraps
from typing import Callable, ParamSpec, TypeVar

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

_P = ParamSpec("_P")
_T = TypeVar("_T")


def cached(builder: Callable[_P, _T]) -> Callable[_P, _T]:
    """Cache a strategy builder on its arguments; arguments that cannot be hashed (a list, an array) build afresh.

    A composite strategy calls its builders on every draw, and a strategy built afresh is validated afresh;
    a cached one is the same immutable object and draws the same values from the same choices. Unhashable
    arguments are not an error: they get what an uncached builder gives.
    """
    memo = lru_cache(maxsize=None)(builder)

    @wraps(builder)
    def build(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            hash((args, tuple(sorted(kwargs.items()))))
        except TypeError:
            return builder(*args, **kwargs)
        return memo(*args, **kwargs)  # type: ignore[arg-type]   # hashable: tested just above

    build.cache_info = memo.cache_info  # type: ignore[attr-defined]
    return build


@cached
def dims(min_value: int = 1, max_value: int = 4) -> st.SearchStrategy[int]:
    """A dimension in ``[min_value, max_value]``, shrinking to ``min_value``."""
    return st.integers(min_value, max_value)


@cached
def offsets(shape: int | tuple[int, ...], bound: float) -> st.SearchStrategy[np.ndarray]:
    """Arrays of the given shape with entries in ``[-bound, bound]``, shrinking to zeros.

    Every entry is its own draw (``hnp.arrays(..., fill=st.nothing())``), and about one array in 16 is
    constant (one draw for all entries): the degenerate, repeated-value arrays that Hypothesis's default
    sparse fill produces, at a fraction of its cost. The sparse fill spends about three choices per entry
    (a "more" flag, an index, the value) where one suffices, and the target phase's hill climbing replays
    every choice of an example for each attempt, so its cost grows with the square of that count
    (measured at ``thorough``: li2022:identity spent 9.2 s of 10.7 in Hypothesis, 2.0 s with one choice per entry).
    """
    elements = st.floats(-bound, bound, allow_nan=False, allow_subnormal=False)
    each = hnp.arrays(float, shape, elements=elements, fill=st.nothing())

    @st.composite
    def arrays(draw: st.DrawFn) -> np.ndarray:
        if draw(st.integers(0, 15)) == 15:
            return np.full(shape, draw(elements))
        return draw(each)

    return arrays()


@cached
def vectors(n: int, center: float = 0.0, spread: float = 1.0) -> st.SearchStrategy[np.ndarray]:
    """Vectors ``center + u`` with ``u`` in ``[-spread, spread]^n``, shrinking to ``center·1``."""
    return offsets((n,), spread).map(lambda u: center + u)


@cached
def positive_vectors(n: int, lo: float = 0.1, hi: float = 3.0) -> st.SearchStrategy[np.ndarray]:
    """Vectors in ``[lo, hi]^n`` (log-uniform in spirit), shrinking toward all ones."""
    a, b = np.log(lo), np.log(hi)
    c = float(np.clip(0.0, a, b))
    return offsets((n,), 1.0).map(lambda u: np.clip(np.exp(np.where(u >= 0, c + u * (b - c), c + u * (c - a))), lo, hi))


@cached
def log_scales(lo: float = 1e-3, hi: float = 1e1) -> st.SearchStrategy[float]:
    """A positive scale, log-uniform in ``[lo, hi]``, shrinking toward 1 (when 1 is in range)."""
    a, b = np.log10(lo), np.log10(hi)
    c = float(np.clip(0.0, a, b))
    return st.floats(a - c, b - c).map(lambda e: float(10 ** (c + e)))


@cached
def orthogonal(n: int, spread: float = 2.0) -> st.SearchStrategy[np.ndarray]:
    """A rotation ``(I − K)⁻¹(I + K)``: the Cayley transform of a skew ``K`` with upper entries in ``[-spread, spread]``.

    Shrinks to the identity (``K = 0``); reaches every rotation without eigenvalue −1. One linear
    solve: scipy's ``expm`` of the repeated-value matrices Hypothesis likes to draw can take ~10 ms.
    """
    m = n * (n - 1) // 2
    upper, eye = np.triu_indices(n, 1), np.eye(n)

    def build(u: np.ndarray) -> np.ndarray:
        K = np.zeros((n, n))
        K[upper] = u
        K -= K.T
        return np.linalg.solve(eye - K, eye + K)

    return offsets((m,), spread).map(build)
