r"""Strategies for li2022 §4.2's necessary conditions (Theorem 4.9, Corollary 4.12) and Remark 4.5.

* :func:`thm_4_9_cases` -- commuting families, matrix factorizations and Hopf charts (Theorem 4.9's condition).
* :func:`irregular_cases` -- x⊙2 / u⊙2 − v⊙2 on all of :math:`\mathbb{R}^D` at a point where they are irregular
  (a zero coordinate; :math:`u_i = v_i = 0`) with two linear schedules whose μ differ only in those coordinates
  (``regular=True``: the same at a regular point, for the planted control).
* :func:`planar_path_cases` -- non-commuting quadratic maps with d-dimensional reachable sets and an equal-μ
  pair (Corollary 4.12's mirror-flow hypothesis, exercised).
* :func:`diagonal_loss_cases` -- :math:`UU^\top` with an equal-μ pair of linear schedules on the diagonal
  entries only (Remark 4.5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from hypothesis import strategies as st

from generators.arrays import dims, positive_vectors
from generators.lie import _rescale, generic_points, hopf_cases, planar_noncommuting_quadratics
from generators.losses import directions, durations, equal_mu_pairs
from generators.parametrizations import commuting_families, inits, matrix_factorizations
from oracles.model.irregular import squares_everywhere, uv_squared_everywhere
from oracles.model.losses import LeastSquares, Linear, LogCosh, Schedule
from oracles.model.parametrizations import symmetric_factorization
from oracles.model.warped import WarpedQuadratic

if TYPE_CHECKING:
    from oracles.model.hopf import HopfFamily
    from oracles.model.parametrizations import Parametrization, Quadratic


@st.composite
def thm_4_9_cases(draw: st.DrawFn) -> tuple[str, Parametrization | HopfFamily, np.ndarray]:
    """``(kind, G or HopfFamily, x)``: commuting families, matrix factorizations, Hopf charts."""
    kind = draw(st.sampled_from(["commuting", "factorization", "hopf"]))
    if kind == "commuting":
        G = draw(commuting_families())
        return kind, G, draw(inits(G))
    if kind == "factorization":
        G = draw(matrix_factorizations())
        return kind, G, draw(generic_points(G.D))
    fam, x = draw(hopf_cases())
    return kind, fam, x


@st.composite
def irregular_cases(
    draw: st.DrawFn, max_d: int = 3, max_pieces: int = 2, regular: bool = False
) -> tuple[Quadratic, np.ndarray, tuple[Schedule, Schedule]]:
    r"""``(G, x, (A, B))``: G = x⊙2 or u⊙2 − v⊙2 on all of :math:`\mathbb{R}^D`, d ≤ ``max_d``.

    x: entries in [0.3, 2] (shrinking to ones) with the coordinates of a non-empty set ``S`` of outputs set
    to 0 (both u_i and v_i for u⊙2 − v⊙2), so rank ∂G(x) = d − |S| (``regular=True``: nothing set to 0). A is
    1 to ``max_pieces`` linear pieces :math:`(\tau_k, c_k)`; B has the same durations and
    :math:`c_k + \delta_k\sum_{i\in S}e_i` with :math:`\delta_k \in [0.5, 1.5]`, so
    :math:`\mu_B - \mu_A = -\sum_k\tau_k\delta_k\sum_{i\in S}e_i \ne 0`.
    """
    kind = draw(st.sampled_from(["x⊙2", "u⊙2 − v⊙2"]))
    d = draw(dims(1, max_d))
    G = squares_everywhere(d) if kind == "x⊙2" else uv_squared_everywhere(d)
    x = draw(positive_vectors(G.D, 0.3, 2.0)).copy()
    first = draw(st.integers(0, d - 1))
    S = sorted({first} | set(draw(st.lists(st.integers(0, d - 1), max_size=d - 1))))
    if len(S) == d and d > 1:  # keep one regular coordinate, so the flow still moves
        S.remove((first + 1) % d)
    if not regular:
        for i in S:
            x[i] = 0.0
            if kind != "x⊙2":
                x[i + d] = 0.0
    k = draw(st.integers(1, max_pieces))
    tau = draw(durations(k, 0.1, 1.0))
    cs = [draw(directions(d, j)) for j in range(k)]
    deltas = draw(positive_vectors(k, 0.5, 1.5))
    e = np.zeros(d)
    e[S] = 1.0
    A = Schedule(tuple((float(tau[j]), Linear(cs[j])) for j in range(k)))
    B = Schedule(tuple((float(tau[j]), Linear(cs[j] + deltas[j] * e)) for j in range(k)))
    return G, x, (A, B)


@st.composite
def diagonal_loss_cases(
    draw: st.DrawFn, max_d: int = 3, max_r: int = 2, diagonal_only: bool = True
) -> tuple[Quadratic, np.ndarray, tuple[Schedule, Schedule] | Schedule]:
    r"""``(G, x, probe)``: :math:`UU^\top` (d = 2 … ``max_d``, r ≤ ``max_r``) at a generic point with losses that
    touch only the diagonal entries :math:`W_{ii}` (``diagonal_only=False``: every entry, for the planted control).

    ``probe`` is either an equal-μ pair ``(A, B)`` of linear schedules (tried first), or one schedule of 1-2
    least-squares / log-cosh pieces whose data :math:`Z` has zero columns off the diagonal entries (measurements
    of diag W only), durations scaled so the path stays short (:func:`generators.helix._scale_durations`)."""
    from generators.helix import _scale_durations
    from generators.losses import regression_data

    d, r = draw(dims(2, max_d)), draw(dims(1, max_r))
    G = symmetric_factorization(d, r)
    x = draw(generic_points(G.D))
    assert G.labels is not None  # for the type checker: symmetric_factorization labels every entry
    diag = [
        k
        for k, lab in enumerate(G.labels)
        if lab.split("[")[1].rstrip("]").split(",")[0] == lab.split("[")[1].rstrip("]").split(",")[1]
    ]
    if draw(st.sampled_from(["linear pair", "non-linear"])) == "linear pair":
        return G, x, draw(equal_mu_pairs(G.d, entries=diag if diagonal_only else None))
    cols = diag if diagonal_only else list(range(G.d))
    pieces = []
    for _ in range(draw(st.integers(1, 2))):
        Zs, Y = draw(regression_data(len(cols), underdetermined=len(cols) >= 2))
        Z = np.zeros((Zs.shape[0], G.d))
        Z[:, cols] = Zs
        make = draw(st.sampled_from([LeastSquares, LogCosh]))
        pieces.append((float(draw(durations(1, 0.2, 1.0))[0]), make(Z, Y)))
    return G, x, _scale_durations(G, x, Schedule(tuple(pieces)), 0.5)


@st.composite
def planar_path_cases(draw: st.DrawFn, max_d: int = 3) -> tuple[Parametrization, np.ndarray, tuple[Schedule, Schedule]]:
    r"""``(G, x, (A, B))``: a non-commuting quadratic family confined to a d-plane
    (:func:`generators.lie.planar_noncommuting_quadratics`: reachable sets of dimension d) at a generic point,
    with an equal-μ pair of linear schedules (Corollary 4.12 with its mirror-flow hypothesis exercised). In half
    the draws the family is warped, :math:`G = Q + a\odot Q^{\odot3}` with a in [0.05, 0.5]^d
    (:class:`oracles.model.warped.WarpedQuadratic`: the same reachable sets, not quadratic), with the pair's
    losses scaled so the w-path is at most half as long as ‖w‖ (:func:`generators.lie._rescale`; the cubic warp
    blows up in finite time along long paths)."""
    Q = draw(planar_noncommuting_quadratics(max_d=max_d))
    x = draw(generic_points(Q.D))
    A, B = draw(equal_mu_pairs(Q.d))
    if draw(st.sampled_from(["quadratic", "warped"])) == "quadratic":
        return Q, x, (A, B)
    a = draw(positive_vectors(Q.d, 0.05, 0.5))
    G = WarpedQuadratic(Q.A, a, name="warped non-commuting quadratic")
    return G, x, _rescale(G, x, A, B, 0.5)
