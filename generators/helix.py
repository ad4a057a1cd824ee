r"""Strategies for Conjecture 4.10 on two families satisfying condition (9): Hopf charts and helical charts.

* :func:`helix_families`, :func:`helix_points`, :func:`helix_cases` -- the charts of
  :class:`oracles.model.helix.HelixChart`; they shrink to ``O = I₃, c = 1, P = I₂`` at ``r = 1, s = 0``.
* :func:`chart_cases` -- ``(family, x)`` from either family (Hopf first).
* :func:`chart_path_cases` -- a family, a start and an equal-μ pair of linear schedules, scaled to stay in the chart.
* :func:`chart_loss_cases` -- a family, a start and one schedule of linear, least-squares or log-cosh losses,
  its durations scaled so the w-path stays in the chart.
* :func:`chart_metric_cases` -- a family (``twisted=False``: the planted helical chart), a start and a second
  fibre phase, for the Hessian-metric check.
* :func:`uut_loss_cases` -- :math:`UU^\top` with such a schedule (which violates (9): the planted control).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import numpy as np
from hypothesis import strategies as st

from generators.arrays import cached, dims, log_scales, offsets, orthogonal, vectors
from generators.lie import _rescale, generic_points, hopf_cases
from generators.losses import equal_mu_pairs, schedules
from oracles.model.helix import HelixFamily
from oracles.model.losses import Schedule
from oracles.model.parametrizations import symmetric_factorization

if TYPE_CHECKING:
    from oracles.model.hopf import HopfFamily
    from oracles.model.parametrizations import Quadratic


@cached
@st.composite
def helix_families(draw: st.DrawFn, max_pad: int = 1, twisted: bool = True) -> HelixFamily:
    """A helical chart: ``O ∈ SO(3 + pad)``, pitch c log-uniform in [0.5, 2], ``P = I + offset`` (entries ≤ 0.35)."""
    pad = draw(st.integers(0, max_pad))
    O = draw(orthogonal(3 + pad, 3.0))
    c = draw(log_scales(0.5, 2.0))
    P = np.eye(2) + draw(offsets((2, 2), 0.35))
    return HelixFamily(O, c, P, twisted)


@st.composite
def helix_points(draw: st.DrawFn, family: HelixFamily) -> np.ndarray:
    """A point well inside the chart: r log-uniform in [0.4, 2.5], s in [−1, 1], fibre phase |θ| ≤ 2, padding in [−1, 1]."""
    H = family.build()
    r = draw(log_scales(0.4, 2.5))
    s = draw(st.floats(-1.0, 1.0))
    alpha = draw(st.floats(-2.0, 2.0))
    extra = draw(vectors(H.D - 3, 0.0, 1.0)) if H.D > 3 else None
    return H.point(r, s, alpha, extra)


@st.composite
def helix_cases(draw: st.DrawFn, max_pad: int = 1, twisted: bool = True) -> tuple[HelixFamily, np.ndarray]:
    """``(HelixFamily, x)``."""
    fam = draw(helix_families(max_pad, twisted))
    return fam, draw(helix_points(fam))


@st.composite
def chart_cases(
    draw: st.DrawFn, kinds: Sequence[str] = ("hopf", "helix")
) -> tuple[HopfFamily | HelixFamily, np.ndarray]:
    """``(family, x)``: a Hopf chart or a helical chart (in ``kinds`` order, the first shrinks first)."""
    kind = draw(st.sampled_from(list(kinds)))
    return draw(hopf_cases()) if kind == "hopf" else draw(helix_cases())


@st.composite
def chart_path_cases(
    draw: st.DrawFn, kinds: Sequence[str] = ("hopf", "helix"), target: float = 0.3
) -> tuple[HopfFamily | HelixFamily, np.ndarray, Schedule, Schedule]:
    """``(family, x, A, B)``: as :func:`generators.lie.hopf_path_cases`, from either family."""
    fam, x = draw(chart_cases(kinds))
    G = fam.build()
    a, b = draw(equal_mu_pairs(G.d))
    a, b = _rescale(G, x, a, b, target)
    return fam, x, a, b


def _scale_durations(G, x, schedule: Schedule, target: float) -> Schedule:
    r"""Shrink every duration by one factor so that :math:`\sum_k\tau_k\|\partial G\partial G^\top\nabla L_k(G(x))\|`,
    the w-path length estimated at x, is at most ``target`` relative to :math:`\max(1, \|G(x)\|)`."""
    H, w = G.gram(x), G.value(x)
    length = sum(t * float(np.linalg.norm(H @ loss.grad(w))) for t, loss in schedule.pieces)
    s = min(1.0, target * max(1.0, float(np.linalg.norm(w))) / max(length, 1e-300))
    return schedule if s == 1.0 else Schedule(tuple((t * s, loss) for t, loss in schedule.pieces))


@st.composite
def chart_loss_cases(
    draw: st.DrawFn, kinds: Sequence[str] = ("hopf", "helix"), target: float = 0.3, max_pieces: int = 2
) -> tuple[HopfFamily | HelixFamily, np.ndarray, Schedule]:
    """``(family, x, schedule)``: 1 to ``max_pieces`` pieces of linear, least-squares or log-cosh losses on R²."""
    fam, x = draw(chart_cases(kinds))
    G = fam.build()
    S = draw(schedules(G.d, max_pieces=max_pieces, max_duration=1.0))
    return fam, x, _scale_durations(G, x, S, target)


@st.composite
def chart_metric_cases(
    draw: st.DrawFn, kinds: Sequence[str] = ("hopf", "helix"), twisted: bool = True
) -> tuple[HopfFamily | HelixFamily, np.ndarray, float]:
    """``(family, x, alpha2)``: a chart, a point and a second fibre phase ``alpha2`` (|alpha2| ≤ 2, ≠ x's by ≥ 0.3)."""
    if twisted:
        fam, x = draw(chart_cases(kinds))
    else:
        fam, x = draw(helix_cases(twisted=False))
    alpha2 = draw(st.floats(0.3, 2.0)) * draw(st.sampled_from([1.0, -1.0]))
    return fam, x, float(math.copysign(abs(alpha2), alpha2))


@st.composite
def uut_loss_cases(
    draw: st.DrawFn, max_d: int = 2, target: float = 0.3, max_pieces: int = 2
) -> tuple[Quadratic, np.ndarray, Schedule]:
    r"""``(G, x, schedule)``: :math:`UU^\top` (d = 2 … ``max_d``, r = 1, 2) at a generic point with a schedule of
    linear, least-squares and log-cosh losses scaled as in :func:`chart_loss_cases` (the planted control)."""
    G = symmetric_factorization(draw(dims(2, max_d)), draw(dims(1, 2)))
    x = draw(generic_points(G.D))
    S = draw(schedules(G.d, max_pieces=max_pieces, max_duration=1.0))
    return G, x, _scale_durations(G, x, S, target)
