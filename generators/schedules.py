r"""Strategies for path dependence, the reverse construction and the matrix-factorization literature cases.

* :func:`factorization_families`, :func:`path_cases` -- :math:`UU^\top` (first) and :math:`UV^\top`
  with an initialization and a pair.
* :func:`potentials`, :func:`reverse_cases` -- separable potentials of li2022 Thm 5.1 (one, or one
  per coordinate) with a start point in dom R and a schedule of losses.
* :func:`commuting_sensing_cases`, :func:`general_sensing_cases`, :func:`deep_completion_cases` --
  matrix sensing and completion instances for the literature statements.

Every example is JSON-encodable (arrays, floats, schedules, parametrizations and
:class:`~oracles.model.reverse.ScalarPotential`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from hypothesis import strategies as st

from generators.arrays import cached, dims, log_scales, offsets, orthogonal, positive_vectors, vectors
from generators.losses import equal_mu_pairs, schedules
from generators.parametrizations import commuting_families, inits
from oracles.model.parametrizations import factorization, symmetric_factorization
from oracles.model.reverse import ScalarPotential

if TYPE_CHECKING:
    from oracles.model.losses import Schedule
    from oracles.model.parametrizations import Parametrization, Quadratic


@st.composite
def factorization_families(draw: st.DrawFn, max_d: int = 3, max_r: int = 2) -> Quadratic:
    r""":math:`UU^\top` (``d × r``, tried first) or :math:`UV^\top` (``d × n``, rank r), ``d ≥ 2``."""
    symmetric = draw(st.sampled_from([True, False]))
    d, r = draw(dims(2, max_d)), draw(dims(1, max_r))
    return symmetric_factorization(d, r) if symmetric else factorization(d, draw(dims(2, max_d)), r)


@st.composite
def path_cases(
    draw: st.DrawFn, families: st.SearchStrategy[Parametrization] | None = None, max_pieces: int = 3
) -> tuple[Parametrization, np.ndarray, tuple[Schedule, Schedule]]:
    """``(G, x_init, (A, B))``: a family, a point of M and an equal-μ pair of linear schedules."""
    G = draw(families if families is not None else factorization_families())
    x = draw(inits(G))
    pair = draw(equal_mu_pairs(G.d, max_pieces=max_pieces))
    return G, x, pair


def commuting_path_cases(
    max_d: int = 3,
) -> st.SearchStrategy[tuple[Parametrization, np.ndarray, tuple[Schedule, Schedule]]]:
    """Path cases on commuting families (separable and commuting quadratic), where no witness exists."""
    return path_cases(commuting_families(max_d))


# -----------------------------------------------------------------------------------------
# li2022 Theorem 5.1
@cached
@st.composite
def potentials(draw: st.DrawFn) -> ScalarPotential:
    """The four separable potentials, equally likely: entropy (simplest), hypentropy(β), log-barrier, power(p).

    β ∈ [0.1, 10] shrinks to 1; p ∈ {3, 1.5, 0.5, −1} (Legendre, i.e. essentially smooth at 0, for p < 1).
    """
    name = draw(st.sampled_from(["entropy", "hypentropy", "log-barrier", "power"]))
    beta = draw(log_scales(0.1, 10.0))
    p = draw(st.sampled_from([3.0, 1.5, 0.5, -1.0]))
    return ScalarPotential(name, beta=beta if name == "hypentropy" else 1.0, p=p if name == "power" else 3.0)


@st.composite
def reverse_cases(
    draw: st.DrawFn, max_extra: int = 1, max_pieces: int = 3, max_duration: float = 0.6
) -> tuple[tuple[ScalarPotential, ...], np.ndarray, Schedule]:
    r"""``(potentials, w_init, schedule)`` covering all four potentials in every example.

    Coordinate i gets potential ``[entropy, hypentropy(β), log-barrier, power(p)][(i + shift) % 4]``,
    d = 4 (+ up to ``max_extra``), so :math:`R(w) = \sum_i r_i(w_i)` is separable with all four
    kinds of r at once (Hypothesis's targeting would otherwise crowd out the potential whose
    examples have the smallest discrepancy/budget). w_init: entries in [0.3, 3] (shrinking to 1)
    on positive domains, in [−2, 2] (shrinking to 0) for hypentropy; a schedule of 1–3 pieces of
    linear, least-squares or log-cosh losses of duration ≤ ``max_duration``.
    """
    beta = draw(log_scales(0.1, 10.0))
    p = draw(st.sampled_from([3.0, 1.5, 0.5, -1.0]))
    base = [
        ScalarPotential("entropy"),
        ScalarPotential("hypentropy", beta=beta),
        ScalarPotential("log-barrier"),
        ScalarPotential("power", p=p),
    ]
    shift = draw(st.integers(0, 3))
    d = 4 + draw(st.integers(0, max_extra))
    pots = tuple(base[(i + shift) % 4] for i in range(d))
    pos = draw(positive_vectors(d, 0.3, 3.0))
    real = draw(vectors(d, 0.0, 2.0))
    w = np.array([real[i] if pots[i].w_interval[0] < 0 else pos[i] for i in range(d)])
    S = draw(schedules(d, max_pieces=max_pieces, max_duration=max_duration))
    return pots, w, S


# -----------------------------------------------------------------------------------------
# matrix sensing and completion
@st.composite
def commuting_sensing_cases(
    draw: st.DrawFn, max_n: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]:
    r"""``(O, a, y, alpha, P)`` for gunasekar2017: :math:`A_k = O\,\mathrm{diag}(a_k)O^\top`, ``m < n`` of them.

    ``y = a v`` for a positive v (so PSD interpolants exist); :math:`\alpha \in [10^{-3}, 10^{-1}]`
    (shrinking to 0.1); P an ``r × r`` orthogonal matrix, ``r ∈ {n, n+1}`` (shrinking to I).
    """
    n = draw(dims(2, max_n))
    m = draw(st.integers(1, n - 1))
    O = draw(orthogonal(n, 1.0))
    a = np.hstack([np.eye(m), np.zeros((m, n - m))]) + 0.5 + draw(offsets((m, n), 0.5))
    v = draw(positive_vectors(n, 0.2, 2.0))
    alpha = draw(log_scales(1e-3, 1e-1))
    r = n + draw(st.integers(0, 1))
    P = draw(orthogonal(r, 1.0))
    return O, a, a @ v, alpha, P


#: A 3×3 sensing instance (two measurements) on which GF from small isotropic initialization ends
#: at a rank-1 interpolant with nuclear norm 1.453 while the minimum over PSD interpolants is 1.0
#: (found by a search over integer measurement matrices; see theorems/literature_matrix_factorization.py).
LI2020_A = np.array(
    [[[0.0, -1.0, 1.0], [-1.0, 1.0, -1.0], [1.0, -1.0, 0.0]], [[0.0, 1.0, 1.0], [1.0, 0.0, -1.0], [1.0, -1.0, 0.0]]]
)
LI2020_Y = np.array([1.0, 1.0])


@st.composite
def general_sensing_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    r"""``(A, y, alpha, P)`` for li2020: 3×3 symmetric measurements in general position.

    Either a perturbation (entries ≤ 0.2) of :data:`LI2020_A`, ``LI2020_Y`` (tried first, so the
    search starts where a witness is known to exist), or two to three random measurements with
    ``y`` the measurements of a random PSD matrix. :math:`\alpha \in [10^{-3}, 10^{-2}]` (shrinking
    to 0.01), P orthogonal (shrinking to I).
    """
    if draw(st.sampled_from(["near-known", "random"])) == "near-known":
        E = draw(offsets((2, 3, 3), 0.2))
        A = LI2020_A + 0.5 * (E + E.transpose(0, 2, 1))
        y = LI2020_Y + draw(offsets((2,), 0.2))
    else:
        m = draw(st.integers(2, 3))
        M = draw(offsets((m, 3, 3), 1.0))
        A = 0.5 * (M + M.transpose(0, 2, 1))
        A[0] += np.diag([1.0, -1.0, 0.0])
        A[1, 0, 1] += 1.0
        A[1, 1, 0] += 1.0
        L = np.eye(3) + draw(offsets((3, 3), 1.0))
        y = np.einsum("kij,ij->k", A, L @ L.T)
    alpha = draw(log_scales(1e-3, 1e-2))
    P = draw(orthogonal(3, 1.0))
    return A, y, alpha, P


def _rotation(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


@st.composite
def deep_completion_cases(
    draw: st.DrawFn, depth: int = 3, positive_det: bool = True
) -> tuple[list[np.ndarray], np.ndarray]:
    r"""``(factors, observed)`` for razin2020: balanced depth-N 2×2 factors and the observed entries.

    :math:`W_j = Q_jSQ_{j-1}^\top` with rotations :math:`Q_j` (shrinking to I), S = s·diag(1, q),
    s ∈ [0.2, 1] (shrinking to 1), q ∈ [0.3, 1]; so :math:`\det W(0) > 0`. With
    ``positive_det=False`` :math:`Q_0` is a reflection and :math:`\det W(0) < 0` (the control).
    Observed :math:`(W_{01}, W_{10}) = b` with b in [0.5, 2]² (shrinking to ones), :math:`W_{11} = 0`.
    """
    angles = draw(offsets((depth + 1,), np.pi))
    Qs = [_rotation(a) for a in angles]
    if not positive_det:
        Qs[0] = Qs[0] @ np.diag([1.0, -1.0])
    s = draw(log_scales(0.2, 1.0))
    q = 1.0 - draw(st.floats(0.0, 0.7))
    S = s * np.diag([1.0, q])
    factors = [Qs[j + 1] @ S @ Qs[j].T for j in range(depth)]
    b = draw(positive_vectors(2, 0.5, 2.0))
    return factors, b
