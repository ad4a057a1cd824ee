r"""Strategies for parametrizations and their initializations.

* :func:`separable_families` -- identity, :math:`x^{\odot 2}`, :math:`x^{\odot p}`, :math:`u^{\odot2}-v^{\odot2}`.
* :func:`commuting_quadratics` -- :math:`A_i = O\,\mathrm{diag}(\lambda_i)\,O^\top` on a shared random
  orthogonal eigenbasis O; :math:`\Lambda = [I_d\,|\,0] + \text{offset}` so it shrinks to a regular family.
* :func:`noncommuting_quadratics` -- symmetric :math:`A_i` in general position, or a commuting
  family plus a small symmetric perturbation (``perturbed=True``).
* :func:`matrix_factorizations` -- :math:`UU^\top` and :math:`UV^\top` at small sizes.
* :func:`linear_coordinatewise` -- :math:`G(x) = P\,g(Bx)` (:class:`~oracles.model.linear_coordinatewise.LinearCoordinatewise`):
  commuting but neither separable nor quadratic when the rows of B are orthogonal (``commuting=True``),
  a non-quadratic non-commuting family when they are not (``commuting=False``).
* :func:`broad_commuting_families` -- every commuting family: :func:`commuting_families` and
  :func:`linear_coordinatewise`. **The commuting family to draw from** for statements on commuting G
  (li2022 Lemmas 4.6/4.7, Theorems 4.2, 4.8, 4.13, 4.16).
* :func:`inits` -- a point of M for a given parametrization: scale, shape, and optionally near
  the boundary of M.
* :func:`family_point_pair`, :func:`commuting_case` -- a family with a point and two field indices
  (and two flow times), for the bracket and commutation statements.
* :func:`box_cases`, :func:`domain_cases` -- li2022 Eq. (6) / Lemma C.1 (U(x) is a box) and Lemma 4.7's
  domains (int dom R = Ω_w, the Legendre boundary behaviour).
* :func:`reverse_linear_cases`, :func:`ridge_cases`, :func:`completeness_cases`,
  :func:`ridge_completeness_cases`, :func:`ridge_flow_pairs` -- li2022 Theorem 5.1
  beyond separable R: :math:`\sum_i r_i((Aw)_i)`, :math:`\sum_k r_k(a_k^\top w)` with K > d ridges, and the
  flows of Theorem 5.1's G for mirror maps (or for the log-barrier).

Builders of families take plain values and are cached (see :mod:`generators.arrays`); :func:`inits` takes
the drawn family and is not.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from generators.arrays import cached, dims, log_scales, offsets, orthogonal, positive_vectors, vectors
from generators.losses import schedules
from oracles.model.embedded import RidgeEmbedding
from oracles.model.linear_coordinatewise import LinearCoordinatewise
from oracles.model.losses import Schedule
from oracles.model.parametrizations import (
    Identity,
    Parametrization,
    Powers,
    Quadratic,
    UVSquared,
    factorization,
    symmetric_factorization,
)
from oracles.model.reverse import ScalarPotential


@cached
def identities(max_d: int = 4) -> st.SearchStrategy[Identity]:
    return dims(1, max_d).map(Identity)


@cached
def powers(max_d: int = 4, p_values: Sequence[float] = (2.0, 1.5, 3.0)) -> st.SearchStrategy[Powers]:
    r""":math:`x^{\odot p}`; ``p = 2`` first (entropy), then a sub- and a super-quadratic power."""
    return st.builds(Powers, st.sampled_from(p_values), dims(1, max_d))


@cached
def uv_squared(max_d: int = 4) -> st.SearchStrategy[UVSquared]:
    return dims(1, max_d).map(UVSquared)


@cached
def separable_families(max_d: int = 4) -> st.SearchStrategy[Parametrization]:
    """Any of the separable families, simplest (identity) first."""
    return st.one_of(identities(max_d), powers(max_d), uv_squared(max_d))


@cached
@st.composite
def commuting_quadratics(
    draw: st.DrawFn, max_d: int = 3, max_extra: int = 2, spread: float = 1.0, d: int | None = None
) -> Quadratic:
    """A commuting quadratic family with ``d ≤ D`` (``d`` fixed if given); regular at generic points."""
    d = draw(dims(1, max_d)) if d is None else d
    D = d + draw(st.integers(0, max_extra))
    O = draw(orthogonal(D))
    Lam = np.hstack([np.eye(d), np.zeros((d, D - d))]) + draw(offsets((d, D), spread))
    A = np.einsum("ab,ib,cb->iac", O, Lam, O)
    return Quadratic(A, name="commuting quadratic")


@cached
@st.composite
def noncommuting_quadratics(
    draw: st.DrawFn,
    max_d: int = 3,
    max_extra: int = 2,
    perturbed: bool | None = None,
    min_perturbation: float = 0.05,
    max_perturbation: float = 0.5,
) -> Quadratic:
    """A quadratic family whose matrices do not commute (``d ≥ 2``).

    ``perturbed=True``: a commuting family plus a symmetric perturbation whose size is drawn from
    ``[min_perturbation, max_perturbation]`` (a small range, e.g. ``(1e-3, 1e-2)``, probes how a statement
    degrades near commutation); ``False``: entries in general position; ``None``: either.
    """
    if not 0 < min_perturbation <= max_perturbation:
        raise ValueError(f"need 0 < min_perturbation <= max_perturbation, got {min_perturbation}, {max_perturbation}")
    if perturbed is None:
        perturbed = draw(st.booleans())
    d = draw(dims(2, max_d))
    D = d + draw(st.integers(0, max_extra))
    if perturbed:
        base = draw(commuting_quadratics(max_extra=0, d=d)).A
        if base.shape[1] != D:
            big = np.zeros((d, D, D))
            big[:, : base.shape[1], : base.shape[1]] = base
            big[:, base.shape[1] :, base.shape[1] :] = np.eye(D - base.shape[1])
            base = big
        eps = draw(st.floats(min_perturbation, max_perturbation))
        P = draw(offsets((d, D, D), 1.0))
        P = P + P.transpose(0, 2, 1)
        P[0] = 0.0
        norm = max(np.linalg.norm(P[1:]), 1e-12)
        E = np.zeros((D, D))
        E[0, 1] = E[1, 0] = 1.0
        P[1] = P[1] + E  # guarantees [A_0, A_1] != 0 even when the drawn offsets shrink to zero
        A = base + eps * P / max(norm, 1.0)
    else:
        M = draw(offsets((d, D, D), 2.0))
        A = M + M.transpose(0, 2, 1)
        A[0] += np.diag(np.arange(1.0, D + 1))
        E = np.zeros((D, D))
        E[0, 1] = E[1, 0] = 1.0
        A[1] += E
        for i in range(2, d):  # keeps the shrunk family regular: A_i x has a component of its own
            A[i, i, i] += 1.0
    q = Quadratic(A, name="non-commuting quadratic" + (" (perturbed)" if perturbed else ""))
    if q.commutator_norm() < 1e-6:
        from hypothesis import reject

        reject()
    return q


@cached
@st.composite
def matrix_factorizations(draw: st.DrawFn, max_d: int = 3, max_r: int = 2, symmetric: bool | None = None) -> Quadratic:
    """:math:`UU^\\top` (``symmetric=True``) or :math:`UV^\\top` at ``d, r`` small (``d ≥ 2``)."""
    if symmetric is None:
        symmetric = draw(st.booleans())
    d = draw(dims(2, max_d))
    r = draw(dims(1, max_r))
    if symmetric:
        return symmetric_factorization(d, r)
    return factorization(d, draw(dims(2, max_d)), r)


@cached
def commuting_families(max_d: int = 3) -> st.SearchStrategy[Parametrization]:
    """Commuting parametrizations: separable ones and commuting quadratic ones."""
    return st.one_of(separable_families(max_d), commuting_quadratics(max_d))


#: The scalar potentials of :func:`linear_coordinatewise`, simplest first: the flows along each end only by
#: blowing up or never (li2022 Assumption 3.5). Entropy and hypentropy are mirror maps (complete flows);
#: the log-barrier and the power p = 1/2 have r' onto (−∞, 0). Excluded: powers p > 1 and p < 0, whose
#: flows reach the boundary y = 0 of M in finite time without blowing up.
LINEAR_COORDINATEWISE_POTENTIALS = ("entropy", "hypentropy", "log-barrier", "power")


@cached
@st.composite
def assumption_3_5_potentials(draw: st.DrawFn) -> ScalarPotential:
    """One of :data:`LINEAR_COORDINATEWISE_POTENTIALS` (entropy first); hypentropy's β in [0.3, 3] shrinks to 1."""
    name = draw(st.sampled_from(LINEAR_COORDINATEWISE_POTENTIALS))
    beta = draw(log_scales(0.3, 3.0))
    if name == "hypentropy":
        return ScalarPotential(name, beta=beta)
    return ScalarPotential(name, p=0.5) if name == "power" else ScalarPotential(name)


@cached
@st.composite
def linear_coordinatewise(
    draw: st.DrawFn, max_d: int = 3, max_extra: int = 1, commuting: bool = True
) -> LinearCoordinatewise:
    r""":math:`G(x) = P\,g(Bx)` with :math:`g_m = F_m^{-1}` for a potential per coordinate (Theorem 5.1's maps).

    ``B = diag(s)·O[:d]`` (O a rotation of :math:`\mathbb{R}^D`, ``D ≤ d + max_extra``, row scales s in
    [0.5, 1.5]): orthogonal rows, so G is commuting. ``commuting=False`` (d ≥ 2) adds ``t·b_0`` to
    ``b_1`` (t in [0.2, 1]) and a small offset to B: :math:`b_0^\top b_1 \ne 0`, so the brackets do not vanish.
    ``P = I + offset`` (entries ≤ 0.5, condition number < 100); the column of a coordinate whose r' has a
    one-sided range (log-barrier, power) keeps only its diagonal entry, so that the family satisfies
    Assumption 3.5 and U(x) is a box. Shrinks to d = 1 (d = 2 when non-commuting), the entropy, O = I, P = I:
    the separable x⊙2/4.
    """
    d = draw(dims(1 if commuting else 2, max(max_d, 1 if commuting else 2)))
    D = d + draw(st.integers(0, max_extra))
    pots = tuple(draw(assumption_3_5_potentials()) for _ in range(d))
    O = draw(orthogonal(D))
    s = draw(positive_vectors(d, 0.5, 1.5))
    B = s[:, None] * O[:d]
    if not commuting:
        B = B + 0.2 * draw(offsets((d, D), 1.0))
        B[1] = B[1] + draw(st.floats(0.2, 1.0)) * B[0]
    P = np.eye(d) + draw(offsets((d, d), 0.5))
    for m, p in enumerate(pots):
        if p.name in ("log-barrier", "power"):
            keep = P[m, m]
            P[:, m] = 0.0
            P[m, m] = keep
    assume(np.linalg.cond(P) < 100.0 and np.linalg.cond(B @ B.T) < 1e4)
    G = LinearCoordinatewise(pots, B, P)
    assume(G.commuting == commuting)
    return G


@cached
def broad_commuting_families(max_d: int = 3) -> st.SearchStrategy[Parametrization]:
    """Every commuting family of the suite: separable, commuting quadratic, and :func:`linear_coordinatewise`
    (commuting, neither separable nor quadratic)."""
    return st.one_of(commuting_families(max_d), linear_coordinatewise(max_d))


@st.composite
def linear_coordinatewise_points(draw: st.DrawFn, G: LinearCoordinatewise) -> np.ndarray:
    """A point of M for :class:`LinearCoordinatewise`: base point u (entries in [0.3, 3] on positive domains,
    shrinking to 1; in [−2, 2] for hypentropy, shrinking to 0), ``x = B⁺F(u)`` plus an offset in ker B."""
    pos = draw(positive_vectors(G.d, 0.3, 3.0))
    real = draw(vectors(G.d, 0.0, 2.0))
    u = np.array([real[m] if p.w_interval[0] < 0 else pos[m] for m, p in enumerate(G.potentials)])
    normal = draw(vectors(G.D, 0.0, 1.0)) if G.D > G.d else None
    return G.point_of(G.P @ u, normal=normal)


@st.composite
def inits(draw: st.DrawFn, G: Parametrization, near_boundary: bool | None = None, max_scale: float = 3.0) -> np.ndarray:
    """A point of M for ``G``.

    For positive-orthant domains: entries in ``[0.1, max_scale]``, shrinking to ones, and with
    ``near_boundary`` a factor down to 1e-3 on some coordinates. For ``R^D``: ``1 + offset``
    (the all-ones point is regular for the shrunk families) times a scale, rejected where ∂G(x)
    is not of full rank (such points are outside M). ``near_boundary=None``
    draws whether to push some coordinates toward the boundary (shrinking to no).
    :class:`LinearCoordinatewise`: :func:`linear_coordinatewise_points` (``near_boundary`` is not used).
    """
    if isinstance(G, LinearCoordinatewise):
        return draw(linear_coordinatewise_points(G))
    if np.isfinite(G.domain_margin(np.ones(G.D))):
        x = draw(positive_vectors(G.D, 0.1, max_scale))
        if near_boundary is None:
            near_boundary = draw(st.booleans())
        if near_boundary:
            x = x * np.where(
                draw(st.lists(st.booleans(), min_size=G.D, max_size=G.D)), draw(log_scales(1e-3, 1.0)), 1.0
            )
        return x
    x = draw(vectors(G.D, 1.0, 1.5)) * draw(log_scales(0.3, max_scale))
    # M is where ∂G has full rank d: on R^D a coordinate drawn as exactly 0 can leave it (x = 0 for ½ax²)
    s = np.linalg.svd(np.atleast_2d(G.jacobian(x)), compute_uv=False)
    assume(s.size > 0 and s[-1] > 1e-6 * max(float(s[0]), 1.0))
    return x


@st.composite
def family_point_pair(
    draw: st.DrawFn, families: st.SearchStrategy[Parametrization]
) -> tuple[Parametrization, np.ndarray, int, int]:
    """``(G, x, i, j)``: a family, a point of its domain and two field indices."""
    G = draw(families)
    x = draw(inits(G))
    i = draw(st.integers(0, G.d - 1))
    j = draw(st.integers(0, G.d - 1))
    return G, x, i, j


@st.composite
def commuting_case(
    draw: st.DrawFn, families: st.SearchStrategy[Parametrization] | None = None
) -> tuple[Parametrization, np.ndarray, int, int, float, float]:
    """``(G, x, i, j, s, t)``: a commuting family (default :func:`broad_commuting_families`), a point, two field
    indices and two flow times in [−1, 1]."""
    G, x, i, j = draw(family_point_pair(broad_commuting_families() if families is None else families))
    s = draw(st.floats(-1.0, 1.0))
    t = draw(st.floats(-1.0, 1.0))
    return G, x, i, j, s, t


# -----------------------------------------------------------------------------------------
# li2022 Theorem 5.1 beyond separable R
@cached
@st.composite
def legendre_potentials(draw: st.DrawFn) -> ScalarPotential:
    """Any of the four scalar Legendre potentials of Theorem 5.1's statements, entropy first: entropy,
    hypentropy (β in [0.1, 10], shrinking to 1), log-barrier, power (p in {3, 1.5, 0.5, −1})."""
    name = draw(st.sampled_from(["entropy", "hypentropy", "log-barrier", "power"]))
    beta = draw(log_scales(0.1, 10.0))
    p = draw(st.sampled_from([3.0, 1.5, 0.5, -1.0]))
    return ScalarPotential(name, beta=beta if name == "hypentropy" else 1.0, p=p if name == "power" else 3.0)


@st.composite
def _base_point(draw: st.DrawFn, pots: Sequence[ScalarPotential]) -> np.ndarray:
    """A point of the product of the potentials' domains: [0.3, 3] (shrinking to 1) or, for hypentropy, [−2, 2]."""
    pos = draw(positive_vectors(len(pots), 0.3, 3.0))
    real = draw(vectors(len(pots), 0.0, 2.0))
    return np.array([real[m] if p.w_interval[0] < 0 else pos[m] for m, p in enumerate(pots)])


@st.composite
def reverse_linear_cases(
    draw: st.DrawFn, max_d: int = 3, max_extra: int = 1, max_pieces: int = 3, max_duration: float = 0.6
) -> tuple[tuple[ScalarPotential, ...], np.ndarray, np.ndarray, np.ndarray, Schedule]:
    r"""``(potentials, A, O, w_init, schedule)`` for :math:`R(w) = \sum_i r_i((Aw)_i)`, d ≥ 2.

    ``A = I + ½E₀₁ + offset`` (entries ≤ 0.4, condition number < 50): never diagonal, so R is not separable
    in w; O a rotation of :math:`\mathbb{R}^D`, D ≤ d + ``max_extra``; w_init = A⁻¹v with v a point of the
    potentials' domains; a schedule of 1-3 linear, least-squares or log-cosh losses.
    """
    d = draw(dims(2, max_d))
    pots = tuple(draw(legendre_potentials()) for _ in range(d))
    A = np.eye(d) + draw(offsets((d, d), 0.4))
    A[0, 1] += 0.5
    assume(np.linalg.cond(A) < 50.0)
    O = draw(orthogonal(d + draw(st.integers(0, max_extra))))
    w = np.linalg.solve(A, draw(_base_point(pots)))
    return pots, A, O, w, draw(schedules(d, max_pieces=max_pieces, max_duration=max_duration))


@st.composite
def ridge_cases(
    draw: st.DrawFn, max_d: int = 3, max_extra_ridges: int = 2, max_pieces: int = 3, max_duration: float = 0.6
) -> tuple[tuple[ScalarPotential, ...], np.ndarray, np.ndarray, Schedule]:
    r"""``(potentials, A, w_init, schedule)`` for :math:`R(w) = \sum_{k\le K} r_k(a_k^\top w)`, K = d + 1 … d + 2.

    The first d rows of A are the identity, the others have entries in [0.1, 0.9] (shrinking to 0.5), so
    every ridge is positive on the positive orthant, where w_init lies ([0.3, 3], shrinking to ones).
    """
    d = draw(dims(2, max_d))
    K = d + 1 + draw(st.integers(0, max_extra_ridges - 1))
    pots = tuple(draw(legendre_potentials()) for _ in range(K))
    A = np.vstack([np.eye(d), 0.5 + draw(offsets((K - d, d), 0.4))])
    w = draw(positive_vectors(d, 0.3, 3.0))
    return pots, A, w, draw(schedules(d, max_pieces=max_pieces, max_duration=max_duration))


@st.composite
def completeness_cases(
    draw: st.DrawFn, kind: str = "mirror map", max_d: int = 3
) -> tuple[LinearCoordinatewise, np.ndarray, int, float]:
    r"""``(G, x, i, T)``: Theorem 5.1's :math:`G = A^{-1}\circ F^{-1}\circ O_{:d}` (:class:`LinearCoordinatewise`), a
    point, a field and a time T in [0.5, 3].

    ``kind="mirror map"``: every potential is entropy or hypentropy (∇R onto :math:`\mathbb{R}^d`);
    ``"log-barrier"``: the first is the log-barrier (Legendre, ∇R onto a half-space only), the others any of
    the four; ``"power"``: the first is the power p = ½ (the same, for a control). A = I + offset
    (entries ≤ 0.4, shrinking to I: the separable case), O a rotation.
    """
    d = draw(dims(1, max_d))
    pots = []
    for m in range(d):
        if m == 0 and kind == "log-barrier":
            pots.append(ScalarPotential("log-barrier"))
        elif m == 0 and kind == "power":
            pots.append(ScalarPotential("power", p=0.5))
        elif kind == "mirror map":
            name = draw(st.sampled_from(["entropy", "hypentropy"]))
            pots.append(
                ScalarPotential(name, beta=draw(log_scales(0.3, 3.0)))
                if name == "hypentropy"
                else ScalarPotential(name)
            )
        else:
            pots.append(draw(assumption_3_5_potentials()))
    A = np.eye(d) + draw(offsets((d, d), 0.4))
    assume(np.linalg.cond(A) < 50.0)
    O = draw(orthogonal(d + draw(st.integers(0, 1))))
    G = LinearCoordinatewise(pots, O[:d], np.linalg.inv(A))
    x = G.point_of(G.P @ draw(_base_point(pots)))
    return G, x, draw(st.integers(0, d - 1)), draw(st.floats(0.5, 3.0))


# -----------------------------------------------------------------------------------------
# li2022 Eq. (6) / Lemma C.1 and Lemma 4.7's domains
@cached
def box_families(max_d: int = 3) -> st.SearchStrategy[Parametrization]:
    """Commuting families whose flows end in finite time under Assumption 3.5: x⊙3 (first; li2022 §3.2's
    example) and :func:`linear_coordinatewise` (log-barrier and power-½ coordinates blow up)."""
    return st.one_of(dims(1, max_d).map(lambda d: Powers(3.0, d)), linear_coordinatewise(max_d))


@st.composite
def box_cases(
    draw: st.DrawFn, families: st.SearchStrategy[Parametrization] | None = None
) -> tuple[Parametrization, np.ndarray, np.ndarray]:
    r"""``(G, x, mu)`` with :math:`\mu_i = f_i\,\tau_i`, :math:`f_i \in [-0.5, 2.5]` (shrinking to 0) and
    :math:`\tau_i` the finite end of the time domain of the flow of :math:`+\nabla G_i` from x (1 when both
    ends are infinite): about a third of the draws put some :math:`\mu_i` past its end."""
    G = draw(box_families() if families is None else families)
    x = draw(inits(G, near_boundary=False))
    mu = np.empty(G.d)
    for i in range(G.d):
        lo, hi = G.flow_horizon(i, x)
        tau = hi if np.isfinite(hi) else (lo if np.isfinite(lo) else 1.0)
        mu[i] = draw(st.floats(-0.5, 2.5)) * tau
    return G, x, mu


@st.composite
def domain_cases(
    draw: st.DrawFn, families: st.SearchStrategy[Parametrization] | None = None
) -> tuple[Parametrization, np.ndarray, np.ndarray, np.ndarray | None]:
    r"""``(G, x_init, w, w_boundary)`` for Lemma 4.7's domains: a commuting family with a closed-form R
    (x⊙2, x⊙3, u⊙2 − v⊙2, :func:`linear_coordinatewise`), a point of M, a point w of int dom R and a point
    of its boundary (``None`` when dom R = ℝ^d): one coordinate of w (x⊙p), or of the base point u of
    :math:`w = Pu` (P·g(Bx), a coordinate with a finite end), moved to its end 0."""
    G = draw(
        st.one_of(
            dims(1, 3).map(lambda d: Powers(2.0, d)),
            dims(1, 3).map(lambda d: Powers(3.0, d)),
            dims(1, 3).map(UVSquared),
            linear_coordinatewise(),
        )
        if families is None
        else families
    )
    x = draw(inits(G, near_boundary=False))
    if isinstance(G, UVSquared):
        return G, x, draw(vectors(G.d, 0.0, 2.0)), None
    if isinstance(G, LinearCoordinatewise):
        pos = draw(positive_vectors(G.d, 0.3, 3.0))
        real = draw(vectors(G.d, 0.0, 2.0))
        u = np.array([real[m] if p.w_interval[0] < 0 else pos[m] for m, p in enumerate(G.potentials)])
        ends = [m for m, p in enumerate(G.potentials) if np.isfinite(p.w_interval[0])]
        if not ends:
            return G, x, G.P @ u, None
        m = ends[draw(st.integers(0, len(ends) - 1))]
        ub = u.copy()
        ub[m] = G.potentials[m].w_interval[0]
        return G, x, G.P @ u, G.P @ ub
    w = draw(positive_vectors(G.d, 0.3, 3.0))
    wb = w.copy()
    wb[draw(st.integers(0, G.d - 1))] = 0.0
    return G, x, w, wb


@st.composite
def ridge_completeness_cases(draw: st.DrawFn, max_d: int = 3) -> tuple[RidgeEmbedding, np.ndarray, int, float]:
    r"""``(G, x, i, T)`` with G the :class:`~oracles.model.embedded.RidgeEmbedding` of a mirror map
    :math:`\sum_{k\le K} r_k(a_k^\top w)`: every :math:`r_k` entropy or hypentropy, K = d + 1 … d + 2 ridges as in
    :func:`ridge_cases`, x = F(w) for w in [0.3, 3]^d, a field i and T in [0.5, 3]."""
    d = draw(dims(2, max_d))
    K = d + 1 + draw(st.integers(0, 1))
    pots = []
    for _ in range(K):
        name = draw(st.sampled_from(["entropy", "hypentropy"]))
        pots.append(
            ScalarPotential(name, beta=draw(log_scales(0.3, 3.0))) if name == "hypentropy" else ScalarPotential(name)
        )
    A = np.vstack([np.eye(d), 0.5 + draw(offsets((K - d, d), 0.4))])
    G = RidgeEmbedding(pots, A)
    x = G.F(draw(positive_vectors(d, 0.3, 3.0)))
    return G, x, draw(st.integers(0, d - 1)), draw(st.floats(0.5, 3.0))


@st.composite
def ridge_flow_pairs(
    draw: st.DrawFn, tangent: bool = True
) -> tuple[RidgeEmbedding, np.ndarray, int, int, float, float]:
    r"""``(G, x, i, j, s, t)``: the :class:`~oracles.model.embedded.RidgeEmbedding` of a :func:`ridge_cases` R, the
    point x = F(w) of M, two field indices and two flow times in [−0.5, 0.5] (``tangent=False``: the G that
    reads w̃ from d coordinates, for a control)."""
    pots, A, w, _ = draw(ridge_cases(max_pieces=1))
    G = RidgeEmbedding(pots, A, tangent=tangent)
    return (
        G,
        G.F(w),
        draw(st.integers(0, G.d - 1)),
        draw(st.integers(0, G.d - 1)),
        draw(st.floats(-0.5, 0.5)),
        draw(st.floats(-0.5, 0.5)),
    )


@st.composite
def time_reversal_cases(draw: st.DrawFn) -> tuple[Parametrization, np.ndarray, np.ndarray, float]:
    """``(G, x, c, T)`` for li2022 §3.2's reversibility: any family of the suite (commuting or not), a point of
    M, a linear loss ``c`` with one entry at least 0.5 (the flow moves) and T in [0.1, 1]."""
    G = draw(st.one_of(commuting_families(), noncommuting_quadratics(), matrix_factorizations()))
    x = draw(inits(G))
    c = draw(vectors(G.d, 0.0, 1.0))
    k = draw(st.integers(0, G.d - 1))
    c[k] = 0.5 if abs(c[k]) < 0.5 else c[k]
    T = float(draw(st.floats(0.1, 1.0)))
    return G, x, c, T
