r"""Strategies for the Lie-algebra statements (li2022 §4.2: Thm 4.9, Conj 4.10, Cor 4.12; MGP 2023).

* :func:`generic_points` -- a point of :math:`\mathbb{R}^D` that is generic for quadratic families
  (matrix factorization included): a fixed pseudo-random pattern plus an offset shrinking to 0,
  never the all-ones point (at which :math:`(U;V)` has rank 1).
* :func:`hopf_families`, :func:`hopf_points`, :func:`hopf_cases` -- the Hopf charts of
  :class:`oracles.model.hopf.HopfChart`: non-commuting, yet satisfying condition (9) of
  Theorem 4.9 everywhere; they shrink to ``O = I₄, Q = I₃, P = I₂`` at ``m₁ = 0.6, φ = 0``.
* :func:`planar_noncommuting_quadratics` -- :math:`A_i = O\,\mathrm{diag}(B_i, 0)\,O^\top` with
  non-commuting :math:`d\times d` blocks :math:`B_i`: reachable sets of dimension exactly d.
* :func:`reachable_d_cases` -- ``(G, x, commuting)`` for Corollary 4.12.
* :func:`factorization_sizes`, :func:`conservation_cases` -- sizes and points for MGP's count.
* :func:`hopf_path_cases` -- a Hopf chart (or UUᵀ) with a start point and an equal-μ pair of linear
  schedules (:func:`generators.losses.equal_mu_pairs`), scaled to stay inside the chart.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np
from hypothesis import strategies as st

from generators.arrays import cached, dims, log_scales, offsets, orthogonal, vectors
from generators.losses import equal_mu_pairs
from generators.parametrizations import commuting_quadratics, inits, noncommuting_quadratics, separable_families
from oracles.model.hopf import HopfFamily
from oracles.model.losses import Linear, Schedule
from oracles.model.parametrizations import Parametrization, Quadratic, factorization, symmetric_factorization


def generic_base(D: int) -> np.ndarray:
    """A fixed point of R^D with entries of size 0.5-1.5 and mixed signs (seeded by D): generic for
    the quadratic families of the suite (e.g. (U;V) has full rank min(m+n, r))."""
    rng = np.random.default_rng(1000 + D)
    return rng.choice([-1.0, 1.0], size=D) * rng.uniform(0.5, 1.5, size=D)


@cached
def generic_points(D: int, spread: float = 0.4) -> st.SearchStrategy[np.ndarray]:
    """``generic_base(D) + u``, ``u`` in ``[-spread, spread]^D`` shrinking to 0."""
    base = generic_base(D)
    return offsets((D,), spread).map(lambda u: base + u)


@cached
@st.composite
def hopf_families(draw: st.DrawFn, max_pad: int = 2) -> HopfFamily:
    """A Hopf chart: ``O ∈ SO(4 + pad)``, a rotation Q of the base sphere, ``P = I + offset`` (‖offset‖₂ < 1)."""
    pad = draw(st.integers(0, max_pad))
    O = draw(orthogonal(4 + pad, 3.0))
    Q = draw(orthogonal(3, 3.0))
    P = np.eye(2) + draw(offsets((2, 2), 0.35))
    return HopfFamily(O, Q, P)


@st.composite
def hopf_points(draw: st.DrawFn, family: HopfFamily) -> np.ndarray:
    """A point well inside the chart: height m₁ in [0.35, 0.8], azimuth |φ| ≤ 1.2, any fibre phase,
    radius in [0.5, 2], padding coordinates in [-1, 1]."""
    H = family.build()
    m1 = 0.6 + draw(st.floats(-0.25, 0.2))
    phi = draw(st.floats(-1.2, 1.2))
    alpha = draw(st.floats(-math.pi, math.pi))
    rho = draw(log_scales(0.5, 2.0))
    extra = draw(vectors(H.D - 4, 0.0, 1.0)) if H.D > 4 else None
    return H.point(m1, phi, alpha, rho, extra)


@st.composite
def hopf_cases(draw: st.DrawFn, max_pad: int = 2) -> tuple[HopfFamily, np.ndarray]:
    """``(HopfFamily, x)``."""
    fam = draw(hopf_families(max_pad))
    return fam, draw(hopf_points(fam))


# -----------------------------------------------------------------------------------------
@st.composite
def planar_noncommuting_quadratics(draw: st.DrawFn, max_d: int = 3, max_pad: int = 2) -> Quadratic:
    r""":math:`A_i = O\,\mathrm{diag}(B_i, 0_k)\,O^\top` with non-commuting symmetric :math:`B_i` (d × d, D = d + k).

    Every field :math:`A_ix` lies in the d-plane :math:`O(\mathbb{R}^d\oplus 0)`, so reachable sets
    are d-dimensional (Corollary 4.12's hypothesis (1)) and, at generic x, G is regular (a unit
    :math:`E_{ii}` is added to :math:`B_i`, i ≥ 2, which the drawn family may leave at 0).
    """
    B = draw(noncommuting_quadratics(max_d=max_d, max_extra=0)).A.copy()
    d = B.shape[0]
    for i in range(2, d):  # noncommuting_quadratics shrinks to A_i = 0 for i ≥ 2: keep G regular
        B[i, i, i] += 1.0
    k = draw(st.integers(0, max_pad))
    A = np.zeros((d, d + k, d + k))
    A[:, :d, :d] = B
    O = draw(orthogonal(d + k, 3.0))
    A = np.einsum("ab,ibc,dc->iad", O, A, O)
    return Quadratic(A, name="non-commuting quadratic on a d-plane" if k else "non-commuting quadratic (D = d)")


@st.composite
def reachable_d_cases(draw: st.DrawFn) -> tuple[Parametrization, np.ndarray, bool]:
    """``(G, x, commuting)``: families whose reachable sets have dimension d at generic x --
    separable and commuting quadratic maps (commuting), and planar non-commuting quadratic maps."""
    G: Parametrization
    kind = draw(st.sampled_from(["commuting quadratic", "separable", "non-commuting"]))
    if kind == "non-commuting":
        G = draw(planar_noncommuting_quadratics())
        return G, draw(generic_points(G.D)), False
    G = draw(commuting_quadratics() if kind == "commuting quadratic" else separable_families())
    return G, draw(inits(G)), True


# -----------------------------------------------------------------------------------------
@cached
@st.composite
def factorization_sizes(
    draw: st.DrawFn, max_mn: int = 3, max_r: int = 4, regime: bool | None = True
) -> tuple[int, int, int]:
    """``(m, n, r)`` for :math:`UV^\\top`, U m × r, V n × r; ``regime=True``: r ≤ m + n (where MGP's
    r(r+1)/2 holds), ``False``: r > m + n, ``None``: any."""
    m = draw(dims(1, max_mn))
    n = draw(dims(1, max_mn))
    if regime is True:
        r = draw(dims(1, min(max_r, m + n)))
    elif regime is False:
        r = draw(st.integers(m + n + 1, m + n + 2))
    else:
        r = draw(dims(1, max_r))
    return m, n, r


@st.composite
def conservation_cases(draw: st.DrawFn) -> tuple[str, tuple[int, ...], Quadratic, np.ndarray, int]:
    """``(kind, sizes, G, x, expected)`` for MGP's count D − dim Lie(∂G)|_x:

    * ``"UV^T"``: sizes (m, n, r) with r ≤ m + n, expected r(r+1)/2;
    * ``"UU^T"``: sizes (d, r), expected d·max(0, r − d);
    * ``"commuting"``: a commuting quadratic family, expected D − d.
    """
    kind = draw(st.sampled_from(["UV^T", "UU^T", "commuting"]))
    if kind == "UV^T":
        m, n, r = draw(factorization_sizes())
        G = factorization(m, n, r)
        return kind, (m, n, r), G, draw(generic_points(G.D)), r * (r + 1) // 2
    if kind == "UU^T":
        d, r = draw(dims(2, 3)), draw(dims(1, 4))
        G = symmetric_factorization(d, r)
        return kind, (d, r), G, draw(generic_points(G.D)), d * max(0, r - d)
    G = draw(commuting_quadratics())
    return kind, (G.d, G.D), G, draw(inits(G)), G.D - G.d


# -----------------------------------------------------------------------------------------
def _rescale(G: Parametrization, x: np.ndarray, a: Schedule, b: Schedule, target: float) -> tuple[Schedule, Schedule]:
    r"""Scale every :math:`c_k` by one factor so that the w-path of A, estimated at x as
    :math:`\sum_k\tau_k\|\partial G\partial G^\top c_k\|`, has length at most ``target`` relative to
    :math:`\max(1, \|G(x)\|)` (keeps the flows inside charts); μ stays equal."""
    H = G.gram(x)
    length = sum(t * float(np.linalg.norm(H @ cast(Linear, loss).c)) for t, loss in a.pieces)  # linear pieces
    s = min(1.0, target * max(1.0, float(np.linalg.norm(G.value(x)))) / max(length, 1e-300))
    if s == 1.0:
        return a, b
    scale = lambda sch: Schedule(tuple((t, Linear(s * loss.c)) for t, loss in sch.pieces))  # noqa: E731
    return scale(a), scale(b)


@st.composite
def hopf_path_cases(
    draw: st.DrawFn, kind: str = "hopf", target: float = 0.3, max_d: int = 3
) -> tuple[HopfFamily | Quadratic, np.ndarray, Schedule, Schedule]:
    """``(family_or_G, x, A, B)``: a family, a start point and two equal-μ schedules.

    ``kind="hopf"``: a :class:`~oracles.model.hopf.HopfFamily` (build it with ``.build()``);
    ``"uut"``: :math:`UU^\\top` (d = 2 … ``max_d``, r = 1, 2) at a generic point. The losses are scaled so
    the w-path is at most ``target`` long (relative), which keeps Hopf flows inside their chart.
    """
    G: Parametrization
    obj: HopfFamily | Quadratic
    if kind == "hopf":
        fam, x = draw(hopf_cases())
        G = fam.build()
        obj = fam
    elif kind == "uut":
        G = symmetric_factorization(draw(dims(2, max_d)), draw(dims(1, 2)))
        x = draw(generic_points(G.D))
        obj = G
    else:
        raise ValueError(f"unknown kind {kind!r}")
    a, b = draw(equal_mu_pairs(G.d))
    a, b = _rescale(G, x, a, b, target)
    return obj, x, a, b
