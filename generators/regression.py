r"""Strategies for the implicit-bias-in-regression statements: data, targets, scales, potentials, classification data.

* :func:`data_matrices` -- ``Z = U [diag(s) | 0] Vᵀ`` (``n × d``, ``n < d``) with orthogonal U, V and singular
  values s in ``[s_lo, s_hi]``: full row rank with a bounded condition number, in general position, and
  shrinking toward ``[I_n | 0]``.
* :func:`targets` -- Y in a box, shrinking toward a constant vector (never toward 0, where every
  projection is trivial).
* :func:`sparse_vectors` -- k-sparse vectors (``k ≤ max_k``), optionally nonnegative, shrinking toward
  ``e_1``.
* :func:`init_scales` -- log-uniform initialization scales.
* :func:`potentials` -- the closed-form separable potentials of :mod:`oracles.convex.bregman`, each with a
  reference point in the interior of its domain.
* :func:`separable_data` -- linearly separable labelled data through the origin, with a margin.

Everything drawn is a numpy array, a float, an int, a tuple or a potential (``to_spec``/``from_spec``),
so examples are JSON-encodable by :mod:`oracles.core.specs`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st

from generators.arrays import cached, dims, log_scales, offsets, orthogonal, positive_vectors, vectors
from oracles.model.potentials import (
    EntropyPotential,
    EuclideanPotential,
    HypentropyPotential,
    PNormPotential,
    PowerPotential,
    SeparablePotential,
)


@cached
@st.composite
def data_matrices(
    draw: st.DrawFn,
    max_n: int = 3,
    max_extra: int = 3,
    min_n: int = 1,
    s_lo: float = 0.5,
    s_hi: float = 2.0,
    n: int | None = None,
    d: int | None = None,
) -> np.ndarray:
    """An ``n × d`` data matrix of full row rank, ``d = n + extra`` (``extra ≥ 1``), shrinking to ``[I_n | 0]``."""
    n = draw(dims(min_n, max_n)) if n is None else n
    d = n + draw(st.integers(1, max_extra)) if d is None else d
    if d <= n:
        raise ValueError(f"underdetermined data needs d > n, got n={n}, d={d}")
    U = draw(orthogonal(n))
    V = draw(orthogonal(d))
    s = draw(positive_vectors(n, s_lo, s_hi))
    core = np.hstack([np.diag(s), np.zeros((n, d - n))])
    return U @ core @ V.T


@cached
@st.composite
def well_scaled_matrices(
    draw: st.DrawFn, max_n: int = 3, max_extra: int = 4, min_n: int = 1, lo: float = 0.25, hi: float = 2.0
) -> np.ndarray:
    r"""An ``n × d`` matrix (``d > n``) whose every entry is ``±k/8`` with magnitude in ``[lo, hi]``.

    For statements decided by a linear program over :math:`\{x \ge 0 : Ax = b\}`: no entry is near 0, so
    which coordinates can be positive is decided by numbers far above an LP solver's tolerances
    (:func:`data_matrices` shrinks toward ``[I | 0]``, whose near-zero entries make that set's faces hinge
    on values like 1e-13), and the entries are exact binary fractions, so the matrix is either exactly
    rank-deficient or far from it (magnitudes ``1 + 1e-8`` gave condition numbers of 1e8). Shrinks toward
    magnitudes 1 with the signs of truncated Walsh functions, :math:`(-1)^{\lfloor j/2^i\rfloor}`, which
    have full row rank for ``n ≤ 3``.
    """
    n = draw(dims(min_n, max_n))
    d = n + draw(st.integers(1, max_extra))
    k = st.integers(round(8 * lo) - 8, round(8 * hi) - 8)
    mags = 1.0 + np.array(draw(st.lists(k, min_size=n * d, max_size=n * d)), float).reshape(n, d) / 8.0
    flips = np.array(draw(st.lists(st.booleans(), min_size=n * d, max_size=n * d))).reshape(n, d)
    walsh = (-1.0) ** (np.arange(d)[None, :] // 2 ** np.arange(n)[:, None])
    return np.where(flips, -walsh, walsh) * mags


@cached
def targets(n: int, center: float = 0.5, spread: float = 1.0) -> st.SearchStrategy[np.ndarray]:
    """Targets Y in ``[center - spread, center + spread]^n``, shrinking toward ``center·1``."""
    return vectors(n, center, spread)


@cached
@st.composite
def sparse_vectors(
    draw: st.DrawFn, d: int, max_k: int = 2, nonneg: bool = True, lo: float = 0.5, hi: float = 2.0
) -> np.ndarray:
    """A vector with ``1 ≤ k ≤ max_k`` non-zeros of magnitude in ``[lo, hi]``, shrinking toward ``e_1``."""
    k = draw(st.integers(1, max(1, min(max_k, d))))
    idx = draw(st.lists(st.integers(0, d - 1), min_size=k, max_size=k, unique=True))
    mags = draw(positive_vectors(k, lo, hi))
    signs = np.ones(k) if nonneg else np.where(draw(st.lists(st.booleans(), min_size=k, max_size=k)), -1.0, 1.0)
    x = np.zeros(d)
    x[idx] = signs * mags
    return x


@cached
def init_scales(lo: float = 1e-2, hi: float = 3.0) -> st.SearchStrategy[float]:
    """A log-uniform initialization scale in ``[lo, hi]``, shrinking toward 1 (or the end nearest 1)."""
    return log_scales(lo, hi)


@cached
@st.composite
def potentials(
    draw: st.DrawFn, d: int, kinds: Sequence[str] = ("euclidean", "entropy", "hypentropy", "pnorm", "power")
) -> SeparablePotential:
    """A separable potential on R^d (or its positive orthant) with a reference point in its interior.

    Kinds, simplest first: ``euclidean`` (½‖w − w0‖²), ``entropy`` (scale 1/4 or 1), ``hypentropy``
    (the arcsinh R of li2022 Cor. 4.17 at init scale in [0.1, 3], with u0 ≠ v0 in general),
    ``pnorm`` (Σ|w|^p/p, p in {3, 1.5}), ``power`` (the R of x^p, p = 3).
    """
    kind = draw(st.sampled_from(kinds))
    if kind == "euclidean":
        return EuclideanPotential(draw(vectors(d, 0.0, 1.0)))
    if kind == "entropy":
        return EntropyPotential(draw(positive_vectors(d, 0.2, 3.0)), draw(st.sampled_from([0.25, 1.0])))
    if kind == "hypentropy":
        scale = draw(log_scales(0.1, 3.0))
        return HypentropyPotential(
            scale * draw(positive_vectors(d, 0.5, 2.0)), scale * draw(positive_vectors(d, 0.5, 2.0))
        )
    if kind == "pnorm":
        return PNormPotential(draw(st.sampled_from([3.0, 1.5])))
    return PowerPotential(3.0, draw(positive_vectors(d, 0.3, 3.0)))


@st.composite
def separable_data(
    draw: st.DrawFn, max_n: int = 6, max_d: int = 3, min_margin: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    r"""``(X, y)``: ``n`` points in :math:`\mathbb{R}^d` labelled ±1, separable through the origin with margin.

    A unit direction u (shrinking to :math:`e_1`) and points :math:`x_i = p_i + y_i m_i u` with
    :math:`p_i \perp u`-ish offsets and :math:`m_i \ge` ``min_margin``, so :math:`y_i\langle u, x_i\rangle \ge` the
    margin; labels alternate so that both classes occur.
    """
    d = draw(dims(2, max_d))
    n = draw(dims(2, max_n))
    u = np.eye(d)[0] + draw(offsets((d,), 0.5))  # first entry >= 0.5: never the zero vector
    u = u / np.linalg.norm(u)
    P = draw(offsets((n, d), 2.0))
    P = P - np.outer(P @ u, u)
    m = draw(positive_vectors(n, min_margin, 2.0))
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    X = P + (y * m)[:, None] * u[None, :]
    return X, y


__all__ = [
    "data_matrices",
    "init_scales",
    "potentials",
    "separable_data",
    "sparse_vectors",
    "targets",
    "well_scaled_matrices",
]
