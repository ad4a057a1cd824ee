r"""li2022 §4.2 -- necessary conditions: Theorem 4.9, Conjecture 4.10, Corollary 4.12; and MGP's count.

Li, Wang, Lee, Arora (NeurIPS 2022), Theorem 4.9 (GF = MF for every init and loss ⇒ G regular and
:math:`\mathrm{Lie}^{\ge2}(\partial G)|_x \subseteq \ker\partial G(x)`, where :math:`\ker\partial G(x)`
is the orthogonal complement of :math:`\mathrm{span}\{\nabla G_i(x)\}`), Conjecture 4.10 (that
condition suffices) and Corollary 4.12 (d-dimensional reachable sets + MF ⇒ commuting); Marcotte,
Gribonval, Peyré (NeurIPS 2023), *Abide by the law and follow the flow*: the number of independent
conservation laws is :math:`D - \dim\mathrm{Lie}(\partial G)|_x`, r(r+1)/2 for two-layer linear
networks. All of them rest on :func:`oracles.lie.closure.lie_closure`.

Theorem 4.9's "G must be regular" is exhibited on irregular maps (``li2022:thm-4.9-regular``), Corollary 4.12's
mirror-flow hypothesis on the flows (``li2022:cor-4.12-flows``), and Conjecture 4.10 runs on two families (Hopf
and helical charts) with linear and non-linear losses and the Hessian metric along the chart
(``li2022:conj-4.10``, ``-nonlinear``, ``-metric``).
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, given

from generators.helix import chart_loss_cases, chart_metric_cases, chart_path_cases
from generators.lie import conservation_cases, reachable_d_cases
from generators.necessity import irregular_cases, planar_path_cases, thm_4_9_cases
from oracles import Inconclusive, endpoint_gap, lie_closure, symmetric_factorization
from oracles.checks import (
    chart_metric_check,
    condition_cosine_against,
    conservation_count_check,
    mu_determines_w,
    reachable_dimension_check,
    same_endpoint_witness,
)
from oracles.checks.path_dependence import chart_preimages
from oracles.lie.closure import draw_bracket_graph
from oracles.lie.conservation import uv_law_gradients
from oracles.model.hopf import HopfFamily
from theorems import conjecture, refutation, universal


def _uut_graph_figure():
    """The bracket graph of UUᵀ, d = 2, r = 1, at x = (1, 0.7), for reports."""
    G = symmetric_factorization(2, 1)
    cl = lie_closure(G, np.array([1.0, 0.7]))
    return draw_bracket_graph(cl, title="UUᵀ, d = 2, r = 1: Lie(∂G) = gl(2); [[1,2],1] ∈ span{2} yet in Lie^{≥2}")


@universal(
    "li2022:thm-4.9",
    title="GF = MF for every init and loss ⇒ Lie^{≥2}(∂G)|_x ⊆ ker ∂G(x) (= span{∇G_i(x)}^⊥)",
    source="li2022 §4.2, Theorem 4.9",
    fields=("kind", "G", "x"),
)
@given(case=thm_4_9_cases())
def test_thm_4_9(case):
    r"""If gradient flow under :math:`L_t\circ G` is a mirror flow for every initialization and every
    time-dependent loss, then G is regular and :math:`\mathrm{Lie}^{\ge2}(\partial G)|_x \subseteq
    \ker\partial G(x)` at every x, where li2022 means by :math:`\ker\partial G(x)` the orthogonal
    complement of :math:`\mathrm{span}\{\nabla G_i(x)\}`.

    The condition is measured by the cosine of the smallest principal angle between
    :math:`\mathrm{Lie}^{\ge2}|_x` and :math:`\mathrm{span}\nabla G(x)` (0 iff it holds), from the
    bracket closure (:mod:`oracles.lie.closure`: exact matrix commutators for quadratic maps,
    nested central differences with Richardson error estimates otherwise). Three branches, each
    with a predicted cosine and a budget of ten times the Wedin error of the two bases (≥ 1e-9):

    * commuting families (separable maps, commuting quadratic maps), where GF = MF (Theorem 4.8):
      every bracket vanishes, cosine 0, and G is regular at x (rank ∂G(x) = d, also checked);
    * Hopf charts (:class:`oracles.model.hopf.HopfChart`), non-commuting maps for which GF is a
      mirror flow (their Gram matrix is the inverse of a Hessian metric in w): Theorem 4.9 demands
      cosine 0 and regularity, although the brackets are non-zero (they lie along the Hopf fibre);
    * matrix factorization :math:`UU^\top` (d ≥ 2) and :math:`UV^\top` (m, n ≥ 2), not mirror flows
      (Corollary 4.11): the condition fails maximally, cosine **1** -- for :math:`UU^\top` the
      algebra is :math:`\mathfrak{gl}(d)` and :math:`\mathrm{Lie}^{\ge2}|_x = \mathfrak{sl}(d)U` meets
      :math:`\{SU: S = S^\top\}`; for :math:`UV^\top` it is :math:`\mathfrak{so}(m,n)`, perfect, so
      :math:`\mathrm{Lie}^{\ge2}|_x = \mathrm{Lie}|_x \supseteq \mathrm{span}\nabla G(x)`.

    ``Outcome.plot`` draws the example's bracket graph and that of :math:`UU^\top`, d = 2, r = 1
    (gl(2): ``1, 2, 3, [1,2]`` independent; ``[[1,2],1]`` is a multiple of the generator 2 but
    belongs to :math:`\mathrm{Lie}^{\ge2}`, which is why dependent nodes count for it). Reports
    render plots of witnesses only: the negative control on :math:`UU^\top` shrinks to d = 2,
    r = 1 and its report shows that graph.
    """
    kind, G, x = case
    if isinstance(G, HopfFamily):
        G = G.build()
    event(f"{kind}: {G.name.split(' (')[0]}")
    # Hopf charts: brackets to order 3 at x itself (every independent word is expanded up to there)
    out = condition_cosine_against(
        G,
        x,
        1.0 if kind == "factorization" else 0.0,
        regular=kind != "factorization",
        **({"n_samples": 0} if kind == "hopf" else {}),
    )
    example_plot = out.plot
    out.plot = lambda: [example_plot()[0], _uut_graph_figure()]
    return out


@refutation(
    "li2022:thm-4.9-regular",
    title="irregular G (x⊙2 with x_i = 0; u⊙2 − v⊙2 with u_i = v_i = 0): schedules with different μ end at the same w",
    source='li2022 §4.2, Theorem 4.9 ("G must be a regular parametrization")',
    fields=("G", "x", "pair"),
)
@given(case=irregular_cases())
def test_thm_4_9_regular(case):
    r"""Theorem 4.9's first conclusion: if GF under :math:`L_t\circ G` is a mirror flow for every
    initialization and every time-dependent loss, then G is regular. Its contrapositive is exhibited on
    irregular maps: x⊙2 on all of :math:`\mathbb{R}^d` at a point with :math:`x_i = 0`, and u⊙2 − v⊙2 on
    :math:`\mathbb{R}^{2d}` with :math:`u_i = v_i = 0` (rank ∂G(x) < d), where **no** Legendre R makes GF a
    mirror flow from that point.

    Witness (:func:`oracles.checks.path_dependence.same_endpoint_witness`): two schedules of linear losses
    whose :math:`\mu(T) = -\sum_k\tau_kc_k` differ only in the irregular coordinates, run from the same x.
    The flow keeps those coordinates at 0 (their fields are multiples of them) and the other coordinates do
    not see the changed :math:`c_i`, so both end at the same w; a mirror flow would need
    :math:`\nabla R(w_A) - \nabla R(w_B) = \mu_A - \mu_B \ne 0`. End points by the quadratic closed form
    (eigh, Taylor expm as check); the w's must agree within ten times the change between the two (at least
    1e-9 relative), and the discrepancy is then the relative μ gap (budget 1e-9: μ is exact up to
    rounding). The generator draws d ≤ 3 and one or more irregular outputs (at least one regular when
    d > 1). The control runs the same oracle at regular points, where the planted "same w" is false.
    """
    G, x, pair = case
    event(G.name)
    event(f"rank ∂G(x) = {np.linalg.matrix_rank(G.jacobian(x))} of d = {G.d}")
    return same_endpoint_witness(G, x, pair)


@universal(
    "li2022:cor-4.12",
    title="regular G with d-dimensional reachable sets: condition (9) ⇔ brackets vanish, so MF ⇒ commuting",
    source="li2022 §4.2, Corollary 4.12",
    fields=("G", "x", "commuting"),
)
@given(case=reachable_d_cases())
def test_cor_4_12(case):
    r"""Let G be regular with d-dimensional reachable sets :math:`\Omega_x(x_{init}; G)` and GF a mirror
    flow for every init and loss; then G is commuting.

    What is checked is the argument: the reachable set's tangent space is
    :math:`\mathrm{Lie}(\partial G)|_x`; if its dimension is d and G is regular, it equals
    :math:`\mathrm{span}\nabla G(x)`, so :math:`\mathrm{Lie}^{\ge2}|_x \subseteq \mathrm{span}\nabla G(x)`
    and Theorem 4.9's condition (9) (:math:`\mathrm{Lie}^{\ge2}|_x \perp \mathrm{span}\nabla G(x)`)
    holds iff every bracket vanishes at x. On commuting families (separable, commuting quadratic)
    and non-commuting quadratic families confined to a d-plane
    (:math:`A_i = O\,\mathrm{diag}(B_i, 0)O^\top`, including D = d), the closure must give
    :math:`\dim\mathrm{Lie}|_x = d = \mathrm{rank}\,\partial G(x)`, a cosine of (9) equal to
    :math:`\mathbf 1[\mathrm{Lie}^{\ge2}|_x \ne 0]`, and that indicator 0 exactly for the commuting
    families -- so every non-commuting one violates (9) and, by Theorem 4.9, is no mirror flow.
    Discrepancy: the largest of those gaps (integers, or the cosine with its Wedin error); budget
    ten times the error, ≥ 1e-9.
    """
    G, x, commuting = case
    event(("commuting: " if commuting else "non-commuting: ") + G.name)
    return reachable_dimension_check(G, x, commuting)


def _premise(G, x):
    """Condition (9) with non-commuting brackets at x (brackets to order 3 by nested differences), else inconclusive."""
    cl = lie_closure(G, x, n_samples=0)
    if not (cl.condition_holds and cl.lie2_dim_at_x >= 1):
        raise Inconclusive(
            "premise",
            f"relaxed condition / non-commuting not confirmed at x_init: cosine "
            f"{cl.condition_cosine:.3g}, dim Lie^{{≥2}}|_x = {cl.lie2_dim_at_x}",
        )
    return cl


def _family_event(G):
    event(f"{G.name.split(' (')[0]}, D = {G.D}")


@refutation(
    "li2022:cor-4.12-flows",
    title="non-commuting regular G with d-dimensional reachable sets is no mirror flow: equal-μ schedules end at different w",
    source="li2022 §4.2, Corollary 4.12",
    fields=("G", "x", "pair"),
)
@given(case=planar_path_cases())
def test_cor_4_12_flows(case):
    r"""Corollary 4.12 with its mirror-flow hypothesis exercised on the flows, not only its linear-algebra
    core (``li2022:cor-4.12``): a regular G whose reachable sets are d-dimensional and whose gradient flow is
    a mirror flow for every loss must be commuting; so a **non-commuting** such G has an initialization and
    a loss under which GF is no mirror flow.

    Families: non-commuting quadratic maps Q confined to a d-plane, :math:`A_i = O\,\mathrm{diag}(B_i, 0)O^\top`
    (d = 2-3, D = d + 0-2), at a generic point, and in half the draws the same maps warped in w,
    :math:`G = Q + a\odot Q^{\odot3}` (:class:`oracles.model.warped.WarpedQuadratic`: the same span of gradients,
    hence the same d-dimensional reachable sets, but not quadratic; its flows are integrated at rtol 1e-8 and
    1e-11, the losses scaled so the w-path stays short). Each example first confirms the corollary's hypotheses at x
    with the Lie closure -- G regular and :math:`\dim\mathrm{Lie}(\partial G)|_x = d` (the tangent space of
    the reachable set) -- else it is inconclusive ("premise"). A witness is then a pair of schedules of
    linear losses with the same :math:`\mu(T) = -\sum_k\tau_kc_k` ending at different w
    (:func:`oracles.checks.path_dependence.endpoint_gap`, exact end points :math:`\prod_ke^{-\tau_kC_k}x` for Q,
    budget ten times the change between eigh and Taylor expm; integrated for the warped maps, budget ten times
    the change between the tolerances; at least 1e-9 relative). In a run of 200 ``ci``-like draws all 200 were
    witnesses (153 quadratic, 47 warped). The control claims the
    mirror flow's path independence on the same family.
    """
    G, x, pair = case
    cl = lie_closure(G, x, n_samples=0)
    if not (cl.regular and cl.dim_at_x == G.d):
        raise Inconclusive("premise", f"rank ∂G(x) = {cl.rank_jacobian}, dim Lie|_x = {cl.dim_at_x}, d = {G.d}")
    event(G.name)
    out = endpoint_gap(G, x, pair)
    out.details.update({"dim_Lie_at_x": cl.dim_at_x, "dim_Lie2_at_x": cl.lie2_dim_at_x})
    return out


@conjecture(
    "li2022:conj-4.10",
    title="Lie^{≥2}(∂G)|_x ⊆ ker ∂G(x) on M suffices for GF = MF: two equal-μ schedules end at the same w",
    source="li2022 §4.2, Conjecture 4.10",
    fields=("fam", "x", "a", "b"),
)
@given(case=chart_path_cases())
def test_conj_4_10(case):
    r"""Conjecture: Theorem 4.8 (GF under :math:`L_t\circ G` is a mirror flow) still holds when
    "commuting" is relaxed to :math:`\mathrm{Lie}^{\ge2}(\partial G)|_x \subseteq \ker\partial G(x)`
    for all x ∈ M.

    **Quadratic families cannot test it.** For :math:`G_i = \tfrac12x^\top A_ix` on an open M the
    condition is a polynomial identity: for every B in the derived algebra and every i,
    :math:`\mathrm{sym}(A_iB) = 0`. For :math:`B = [A_i, A_j]` (antisymmetric) this says
    :math:`[A_k, [A_i, A_j]] = 0` for all k; then :math:`C = [A_i, A_j]` commutes with :math:`A_i`,
    so by Jacobson's lemma (:math:`C^p = [A_i, C^{p-1}A_j]` has trace 0 for every p) C is nilpotent,
    and a real antisymmetric (normal) nilpotent matrix is 0. So the relaxed condition forces
    commuting: no non-commuting quadratic family (nilpotent or not, on any invariant subspace)
    satisfies it, and a quadratic generator can only produce commuting families, where Theorem 4.8
    already applies. (``tests/test_lie_closure.py`` checks that every non-commuting quadratic
    family generated violates (9) at a generic point.)

    **The campaign** therefore uses two non-quadratic families that do satisfy it, both built the same
    way -- a Riemannian submersion with Killing fibres and a contact horizontal distribution, composed
    with base coordinates whose gradients commute:

    * the Hopf charts :math:`G = P\,w(Q\,\pi(Ox)/|x|^2)`, :math:`w = (m_1^2, (1 - m_1^2)\varphi)`
      (:class:`oracles.model.hopf.HopfChart`) on :math:`\mathbb{R}^{4+k}`, k = 0-2, random orthogonal O,
      base rotation Q and invertible P;
    * the helical charts :math:`G = P\,(h, hs)`, :math:`h = r^2/(r^2 + c^2)`, :math:`s = y_3 - c\theta`,
      y = Ox (:class:`oracles.model.helix.HelixChart`: the quotient by a screw motion of pitch c ∈ [0.5, 2])
      on :math:`\mathbb{R}^{3+k}`, k = 0-1 -- the second family.

    Their brackets are non-zero and lie along the fibre, orthogonal to :math:`\mathrm{span}\nabla G`, at
    every x (checked here at :math:`x_{init}` on each example before the flows, brackets to order 3 by nested
    differences: an example where the closure does not confirm it is inconclusive, "premise"). Each
    example then runs gradient flow under two piecewise-constant schedules of linear losses with the
    same :math:`\mu = -\sum\tau_kc_k` (:func:`generators.losses.equal_mu_pairs`: swapped, split or permuted
    pieces) from the same :math:`x_{init}`; under any mirror flow they end at the same w
    (:func:`oracles.checks.path_dependence.endpoint_gap`: integrated at rtol 1e-8 and 1e-11, budget ten times
    the change, at least 1e-9). The losses are scaled so the w-path stays inside the chart. The report
    records, per example, the gap between the *x* end points too: it is typically large (GF in x is path
    dependent) while the w end points agree -- the mirror flow is seen through a non-injective G.
    Non-linear losses: ``li2022:conj-4.10-nonlinear``; the metric: ``li2022:conj-4.10-metric``.

    What a campaign found is in its report (``reports/summary.json``). At ``ci`` on the first version of
    this campaign (Hopf charts only): 200 examples, none inconclusive, largest w gap 6e-12 (under 1 % of
    the budget), x gaps above 1e-3 in 91 % of them. The negative control runs the same check on
    :math:`UU^\top` (which violates (9)) and finds a gap.
    """
    fam, x, a, b = case
    G = fam.build()
    cl = _premise(G, x)
    _family_event(G)
    event(f"schedules: {len(a.pieces)} pieces vs {len(b.pieces)}")
    out = endpoint_gap(G, x, (a, b))
    out.details.update(
        {"condition_cosine": cl.condition_cosine, "dim_Lie_at_x": cl.dim_at_x, "dim_Lie2_at_x": cl.lie2_dim_at_x}
    )
    return out


@conjecture(
    "li2022:conj-4.10-nonlinear",
    title="condition (9) suffices for GF = MF under non-linear losses: w(T) depends only on μ(T) = ∫ −∇L_t dt",
    source='li2022 §4.2, Conjecture 4.10 (with Theorem 4.8\'s "any time-dependent loss")',
    fields=("fam", "x", "schedule"),
)
@given(case=chart_loss_cases())
def test_conj_4_10_nonlinear(case):
    r"""Conjecture 4.10 quantifies over every time-dependent loss, and a mirror flow has
    :math:`\nabla R(w(T)) = \nabla R(w(0)) + \mu(T)` with :math:`\mu(T) = \int_0^T -\nabla L_t(w(t))dt` whatever
    the loss: w(T) is a function of μ(T). For non-linear losses μ depends on the path, so it is integrated
    with the flow; the second route to the same μ is the straight one, the linear loss
    :math:`\langle -\mu(T), w\rangle` for unit time (:func:`oracles.checks.path_dependence.mu_determines_w`).

    Families: the Hopf and helical charts of ``li2022:conj-4.10``, with condition (9) and non-zero brackets
    confirmed at :math:`x_{init}` (else inconclusive, "premise"). Losses: one or two pieces of linear,
    least-squares and log-cosh losses on :math:`\mathbb{R}^2`, durations scaled so the w-path stays inside the
    chart. Both routes at rtol 1e-8 and 1e-11 (the straight run at each tolerance with that tolerance's μ);
    budget ten times the change of the end points, at least 1e-9. The control runs the same check on
    :math:`UU^\top`.
    """
    fam, x, schedule = case
    G = fam.build()
    _premise(G, x)
    _family_event(G)
    event(f"losses: {'+'.join(type(loss).__name__ for _, loss in schedule.pieces)}")
    return mu_determines_w(G, x, schedule)


@conjecture(
    "li2022:conj-4.10-metric",
    title="condition (9) charts: ∂G∂Gᵀ is a function of w and its inverse is a Hessian metric along the chart",
    source="li2022 §4.2, Conjecture 4.10 (and ∂G∂Gᵀ = ∇²R(w)⁻¹, li2022 §1 and Lemma 4.7)",
    fields=("fam", "x", "alpha2"),
)
@given(case=chart_metric_cases())
def test_conj_4_10_metric(case):
    r"""If GF on a chart G is the mirror flow of R for every loss, then :math:`\dot w = -\partial G\partial G^\top
    \nabla L = -\nabla^2R(w)^{-1}\nabla L` for every :math:`\nabla L`, so :math:`\partial G\partial G^\top` is a
    function of w alone and its inverse is a Hessian metric :math:`\nabla^2R`: its derivative
    :math:`\partial_k(g^{-1})_{ij}` is totally symmetric. Conjecture 4.10 predicts both on the charts
    satisfying (9).

    Checked on the Hopf and helical charts at w = G(x) (:func:`oracles.checks.path_dependence.chart_metric_check`,
    with (9) and non-zero brackets confirmed at x, else "premise"): (1) the Gram matrices at two preimages
    of w on different fibres (phase 0 and ``alpha2``, x's radius and padding) agree to 1e-9 relative;
    (2) :math:`g^{-1}` along the chart, :math:`w \mapsto \partial G\partial G^\top(x(w))^{-1}`, has
    :math:`\max|\partial_kh_{ij} - \partial_ih_{kj}| / \max|\partial h|` within ten times its change between
    difference steps h and 2h (h = 1e-3·max(1, ‖w‖∞)), at least 1e-9 and the float64 floor. For the helical
    charts R is known in closed form, :math:`R(P u) = u_2^2/(2u_1) + \varphi(u_1)`,
    :math:`\varphi'' = c^2/(4u_1(1 - u_1)^3)` (:meth:`oracles.model.helix.HelixChart.hessian_of_R`; tested in
    ``tests/test_helix.py``). The control is the untwisted helical chart w = P(h, s), whose base gradients
    do not commute.
    """
    fam, x, alpha2 = case
    G = fam.build()
    _premise(G, x)
    _family_event(G)
    pre, other = chart_preimages(G, x, alpha2)
    return chart_metric_check(G, G.value(x), pre, other)


@universal(
    "mgp2023:conservation-count",
    title="D − dim Lie(∂G)|_x conservation laws; r(r+1)/2 for UVᵀ in the stated regime",
    source="Marcotte, Gribonval, Peyré (NeurIPS 2023), Abide by the law and follow the flow",
    fields=("kind", "sizes", "G", "x", "expected"),
)
@given(case=conservation_cases())
def test_mgp_conservation_count(case):
    r"""The number of independent conservation laws of gradient flows of :math:`L\circ G` (any loss),
    near a point where the rank is locally constant, is :math:`D - \dim\mathrm{Lie}(\partial G)|_x`;
    for a two-layer linear network :math:`G(U, V) = UV^\top`, :math:`U\in\mathbb{R}^{m\times r}`,
    :math:`V\in\mathbb{R}^{n\times r}`, it is r(r+1)/2, the entries of :math:`U^\top U - V^\top V`.

    Regime: the r(r+1)/2 count needs :math:`(U; V)` of rank r, i.e. **r ≤ m + n** (at generic
    points). Derivation: the algebra is :math:`\mathfrak{so}(m,n)` acting on :math:`W = (U;V)` by
    :math:`W\mapsto\eta KW` (K antisymmetric), the orbit has dimension
    :math:`N(N-1)/2 - (N-\rho)(N-\rho-1)/2` with N = m + n, ρ = rank W, so the count is r(r+1)/2 for
    r ≤ N and :math:`Nr - N(N-1)/2` for r > N -- fewer by :math:`(r-N)(r-N+1)/2`. Computed by the
    closure over m, n ∈ {1, 2, 3}, r ∈ {1, …, 6}: it equals r(r+1)/2 exactly when r ≤ m + n and
    differs at every size with r > m + n: (m, n, r) = (1, 1, 3): 5 vs 6; (1, 1, 4): 7 vs 10;
    (1, 1, 5): 9 vs 15; (1, 1, 6): 11 vs 21; (1, 2, 4) and (2, 1, 4): 9 vs 10; (1, 2, 5), (2, 1, 5):
    12 vs 15; (1, 2, 6), (2, 1, 6): 15 vs 21; (1, 3, 5), (2, 2, 5), (3, 1, 5): 14 vs 15;
    (1, 3, 6), (2, 2, 6), (3, 1, 6): 18 vs 21; (2, 3, 6), (3, 2, 6): 20 vs 21 (tests/test_lie_closure.py).

    Cases: :math:`UV^\top` with m, n ≤ 3 and r ≤ min(4, m + n) (expected r(r+1)/2, and the
    gradients of :math:`\langle u_k,u_l\rangle - \langle v_k,v_l\rangle` must have rank r(r+1)/2 and
    be orthogonal to :math:`\mathrm{Lie}|_x`, i.e. they are a complete set); :math:`UU^\top`
    (expected :math:`d\max(0, r-d)`, the algebra being :math:`\mathfrak{gl}(d)`); commuting quadratic
    maps (expected D − d). Discrepancy: the largest integer gap, or the cosine between the laws'
    gradients and :math:`\mathrm{Lie}|_x` (budget ten times its Wedin error, ≥ 1e-9).
    """
    kind, sizes, G, x, expected = case
    event(kind)
    laws = uv_law_gradients(*sizes, x) if kind == "UV^T" else None
    return conservation_count_check(G, x, expected, laws=laws)
