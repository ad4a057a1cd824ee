r"""Strategies for the lecture notes' statements (:mod:`theorems.notes_implicit_regularization`).

Moved out of the statement module (same draws), plus the instances of the small-α flow and Soudry-rate checks:

* :func:`least_squares_data`, :func:`sq_cases`, :func:`md_step_cases`, :func:`key_lemma_cases`,
  :func:`sparse_cases`, :func:`classification_cases` -- as before;
* :func:`positive_sparse_cases` -- ``b = A(x♮ + p)`` with x♮ sparse and p > 0 dense: a strictly positive interpolant
  always exists, so the squared flow converges (the limit is the KL projection, not a face's I-projection);
* :func:`quadratic_form_cases`, :func:`spd_matrices`, :func:`preconditioned_cases` -- D_φ's local quadratic form and
  the preconditioned mirror step;
* :func:`generic_classification_cases` -- separable data with a fixed irrational jitter that breaks the exact
  coincidences of shrunk draws (several points exactly on the margin, some with zero dual weight), so the SVM
  is nondegenerate with probability one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from hypothesis import strategies as st

from generators.arrays import log_scales, orthogonal, positive_vectors, vectors
from generators.regression import (
    data_matrices,
    potentials,
    separable_data,
    sparse_vectors,
    targets,
    well_scaled_matrices,
)
from oracles.model.potentials import EntropyPotential, PNormPotential

if TYPE_CHECKING:
    from oracles.model.potentials import SeparablePotential

LOSS_NAMES = ("least-squares", "log-cosh")


@st.composite
def least_squares_data(draw: st.DrawFn, max_n: int = 3, max_extra: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """``(Z, b)``: a full-row-rank data matrix and a target."""
    Z = draw(data_matrices(max_n=max_n, max_extra=max_extra))
    return Z, draw(targets(Z.shape[0]))


@st.composite
def sq_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """``(A, b, y0, T)``: data, a positive start and a horizon in [0.1, 3]."""
    A, b = draw(least_squares_data(max_n=2, max_extra=2))
    return A, b, draw(positive_vectors(A.shape[1], 0.2, 2.0)), draw(st.floats(0.1, 3.0))


@st.composite
def md_step_cases(draw: st.DrawFn) -> tuple[SeparablePotential, np.ndarray, np.ndarray, np.ndarray, float, str]:
    """``(phi, A, b, x, eta, loss)``: a potential, a loss's data, a point of int dom φ (no zero entries), a step."""
    A, b = draw(least_squares_data(max_n=3, max_extra=2))
    d = A.shape[1]
    phi = draw(potentials(d, kinds=("entropy", "euclidean", "hypentropy", "pnorm")))
    mag = draw(positive_vectors(d, 0.2, 2.0))
    if isinstance(phi, EntropyPotential):
        x = mag
    else:
        x = mag * np.where(draw(st.lists(st.booleans(), min_size=d, max_size=d)), -1.0, 1.0)
    return phi, A, b, x, draw(log_scales(1e-2, 1.0)), draw(st.sampled_from(sorted(LOSS_NAMES)))


@st.composite
def key_lemma_cases(draw: st.DrawFn) -> tuple[SeparablePotential, np.ndarray, np.ndarray, np.ndarray, float]:
    """``(phi, A, b, x1, c)``: a potential, data interpolable inside dom φ, a start, a step-size factor."""
    A = draw(data_matrices(max_n=2, max_extra=2))
    n, d = A.shape
    phi = draw(potentials(d, kinds=("entropy", "euclidean", "hypentropy", "pnorm")))
    mag = draw(positive_vectors(d, 0.2, 2.0))
    if isinstance(phi, EntropyPotential):
        x1, b = mag, A @ draw(positive_vectors(d, 0.2, 2.0))
    else:
        x1 = mag * np.where(draw(st.lists(st.booleans(), min_size=d, max_size=d)), -1.0, 1.0)
        b = draw(targets(n))
    return phi, A, b, x1, draw(st.floats(0.2, 1.0))


@st.composite
def sparse_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    r"""``(A, b)`` with ``b = A x♮`` for a nonnegative x♮: sparse, or (about half the time) sparse plus a dense
    positive part, so that a strictly positive interpolant exists. With a sparse x♮ alone the set
    :math:`\{x \ge 0 : Ax = b\}` often has no strictly positive point, and the limit lies on one of its faces."""
    A = draw(well_scaled_matrices(max_n=3, max_extra=4, min_n=2))
    x = draw(sparse_vectors(A.shape[1], max_k=A.shape[0] - 1))
    if draw(st.booleans()):
        x = x + draw(positive_vectors(A.shape[1], 0.01, 0.5))
    if np.linalg.norm(A @ x) < 1e-3 * np.linalg.norm(x):  # support inside ker A gives b = 0: no target
        x[int(np.argmax(np.linalg.norm(A, axis=0)))] += 1.0
    return A, A @ x


@st.composite
def positive_sparse_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    r"""``(A, b)`` with ``b = A(x♮ + p)``: x♮ nonnegative and sparse (support below n), p dense in [0.01, 0.5]^d, so
    :math:`\{x > 0 : Ax = b\}` is not empty; A as in :func:`sparse_cases` (entries ±k/8, n in 1..3, d ≤ n + 4)."""
    A = draw(well_scaled_matrices(max_n=3, max_extra=4, min_n=1))
    x = draw(sparse_vectors(A.shape[1], max_k=max(1, A.shape[0] - 1)))
    x = x + draw(positive_vectors(A.shape[1], 0.01, 0.5))
    return A, A @ x


@st.composite
def classification_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, a0)``: separable data and a start (0 or in [-0.4, 0.5]^d)."""
    X, y = draw(separable_data(max_n=6, max_d=3))
    zero = draw(st.booleans())
    a0 = np.zeros(X.shape[1]) if zero else draw(positive_vectors(X.shape[1], 0.1, 1.0)) - 0.5
    return X, y, a0


def _jitter(n: int, d: int, size: float) -> np.ndarray:
    """A fixed pattern in [-size/2, size/2): fractional parts of (i+1)·golden ratio + (j+1)·√2."""
    i, j = np.arange(n)[:, None] + 1.0, np.arange(d)[None, :] + 1.0
    return size * (np.mod(i * 0.6180339887498949 + j * 1.4142135623730951, 1.0) - 0.5)


@st.composite
def generic_classification_cases(draw: st.DrawFn, jitter: float = 0.05) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""``(X, y, a0)`` as :func:`classification_cases`, with :math:`X + J` for the fixed irrational pattern J of
    entries below ``jitter``/2 (far below the margin 0.2 of :func:`~generators.regression.separable_data`, so the
    data stay separable): shrunk draws (u = e₁, equal margins) otherwise put several points exactly on the
    margin, some with zero dual weight, where the offset a(t) − ŵ log t diverges like log log t."""
    X, y, a0 = draw(classification_cases())
    return X + _jitter(X.shape[0], X.shape[1], jitter), y, a0


@st.composite
def quadratic_form_cases(draw: st.DrawFn) -> tuple[SeparablePotential, np.ndarray, np.ndarray]:
    r"""``(phi, x, z)``: a potential whose :math:`\phi_i''` is monotone in |w| (entropy, Euclidean, arcsinh, p-norm
    with p = 3 or 1.5) and two distinct points of its domain (positive for the entropy; of equal signs per
    coordinate for p = 1.5, whose φ'' is infinite at 0; any signs otherwise), |entries| in [0.2, 2]."""
    d = draw(st.integers(1, 4))
    phi = draw(potentials(d, kinds=("entropy", "euclidean", "hypentropy", "pnorm")))
    x, z = draw(positive_vectors(d, 0.2, 2.0)), draw(positive_vectors(d, 0.2, 2.0))
    if not isinstance(phi, EntropyPotential):
        sx = np.where(draw(st.lists(st.booleans(), min_size=d, max_size=d)), -1.0, 1.0)
        same = isinstance(phi, PNormPotential) and phi.p < 2
        sz = sx if same else np.where(draw(st.lists(st.booleans(), min_size=d, max_size=d)), -1.0, 1.0)
        x, z = x * sx, z * sz
    if np.all(x == z):
        x = x * 1.5
    return phi, x, z


@st.composite
def spd_matrices(draw: st.DrawFn, d: int) -> np.ndarray:
    """``Q diag(s) Qᵀ`` with a drawn orthogonal Q and s in [0.3, 3]^d (shrinks to I)."""
    Q = draw(orthogonal(d, 2.0))
    s = draw(positive_vectors(d, 0.3, 3.0))
    K = (Q * s) @ Q.T
    return 0.5 * (K + K.T)


@st.composite
def preconditioned_cases(
    draw: st.DrawFn, kind: str | None = None
) -> tuple[str, np.ndarray, np.ndarray, np.ndarray, str, np.ndarray, float]:
    r"""``(kind, K, A, b, loss, x, h)``: ``kind`` "step" (h = η, log-uniform in [0.01, 1]) or "flow limit" (h = T in
    [0.2, 2]); K ≻ 0 (:func:`spd_matrices`); least-squares or log-cosh data as in :func:`md_step_cases`; x a start
    in [-1, 1]^d (shrinking to 0: the shrunk data's interpolant is 0.5·e, so the start is never stationary)."""
    kind = draw(st.sampled_from(["step", "flow limit"])) if kind is None else kind
    A, b = draw(least_squares_data(max_n=3, max_extra=2))
    d = A.shape[1]
    K = draw(spd_matrices(d))
    x = draw(vectors(d, 0.0, 1.0))  # shrinks to 0, never an interpolant (b is never 0)
    h = draw(log_scales(1e-2, 1.0)) if kind == "step" else draw(st.floats(0.2, 2.0))
    return kind, K, A, b, draw(st.sampled_from(sorted(LOSS_NAMES))), x, float(h)


@st.composite
def recovery_cases(draw: st.DrawFn, n_lo: int = 40, n_hi: int = 120) -> tuple[int, int, int]:
    r"""``(n, k, seed)`` for basis-pursuit recovery: n in [n_lo, n_hi], k from 1 up to the largest sparsity whose
    guaranteed m (:func:`oracles.checks.sparse_recovery.measurements_for`, t = 3) stays below n, and a seed for the
    Gaussian draws. Shrinks to (n_lo, 1)."""
    from oracles.checks.sparse_recovery import measurements_for

    n = draw(st.integers(n_lo, n_hi))
    k_max = max(k for k in range(1, n) if k == 1 or measurements_for(n, k, 3.0) < n)
    return n, draw(st.integers(1, k_max)), draw(st.integers(0, 2**31 - 1))


__all__ = [
    "LOSS_NAMES",
    "classification_cases",
    "generic_classification_cases",
    "key_lemma_cases",
    "least_squares_data",
    "md_step_cases",
    "positive_sparse_cases",
    "preconditioned_cases",
    "quadratic_form_cases",
    "recovery_cases",
    "sparse_cases",
    "spd_matrices",
    "sq_cases",
]
