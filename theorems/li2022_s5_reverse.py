"""li2022 §5 -- the reverse direction: Theorem 5.1 (every mirror flow is a gradient flow).

Li, Wang, Lee, Arora (NeurIPS 2022), *Implicit Bias of Gradient Descent on Reparametrized Models*,
Theorem 5.1 and the construction after it (:math:`\\partial F^\\top\\partial F = \\nabla^2R`, G = F⁻¹).
The general theorem goes through Nash's embedding; for a separable R the embedding is explicit
and D = d (oracles/model/reverse.py and oracles/checks/reverse.py); for R(w) = Σ r_i((Aw)_i) it is F composed
with A (oracles/model/linear_coordinatewise.py), and for K > d ridges Σ_k r_k(a_kᵀw) it is computed into ℝ^K
(oracles/model/embedded.py). The clause on mirror maps (complete flows) holds for the entropy and the
hypentropy and fails for the log-barrier (a refutation).
"""

from __future__ import annotations

from hypothesis import event, given
from hypothesis import strategies as st

from generators.parametrizations import (
    completeness_cases,
    reverse_linear_cases,
    ridge_cases,
    ridge_completeness_cases,
    ridge_flow_pairs,
)
from generators.schedules import reverse_cases
from oracles.checks import (
    flow_completeness,
    gf_equals_mf,
    gf_equals_mf_linear,
    gf_equals_mf_ridge,
    restriction_commutes,
)
from theorems import refutation, universal


@universal(
    "li2022:thm-5.1",
    title="separable R: GF on L∘G with G = F⁻¹, F' = √r'', equals the mirror flow of R",
    source="li2022 §5, Theorem 5.1",
    fields=("potentials", "w_init", "schedule"),
)
@given(case=reverse_cases())
def test_thm_5_1(case):
    r"""For a smooth Legendre R there is a commuting, regular parametrization G such that for every
    time-dependent loss the mirror flow :math:`d\nabla R(w) = -\nabla L_t(w)dt` from :math:`w_{init}` is
    :math:`w(t) = G(x(t))` with x the gradient flow of :math:`L_t\circ G` from :math:`G^{-1}(w_{init})`.

    Checked constructively for separable :math:`R(w) = \sum_i r_i(w_i)` where every example has all
    four kinds of :math:`r_i` side by side (d = 4 or 5, coordinates cycling through them): the entropy
    :math:`w\ln w - w`, hypentropy (:math:`r'' = 1/\sqrt{w^2+\beta^2}`), log-barrier :math:`-\ln w` and
    power :math:`w^p/(p(p-1))` (p ∈ {3, 1.5, 0.5, −1}). G is the coordinatewise inverse of
    :math:`F_i = \int\sqrt{r_i''}` (closed forms; hypentropy through a hypergeometric function and
    Newton). Random linear, least-squares and log-cosh losses, which couple the coordinates, in
    schedules of up to three pieces. Both flows are integrated (GF in x, MF in the dual variable
    :math:`\nabla R(w)`) at rtol 1e-8 and 1e-11; the discrepancy is the largest relative gap over 17
    times, the budget ten times the larger change between tolerances, at least 1e-9 = 100 × the
    fine tolerance (two different integrations are compared; see ``oracles.checks.reverse.gf_equals_mf``).
    Examples whose flow leaves dom R or blows up (log-barrier, p > 1 powers) are inconclusive.
    """
    potentials, w_init, schedule = case
    event(f"d = {len(potentials)}")
    event(f"power p = {next(p.p for p in potentials if p.name == 'power'):g}")
    return gf_equals_mf(potentials, w_init, schedule)


@universal(
    "li2022:thm-5.1-nonseparable",
    title="non-separable R: GF on L∘G equals the mirror flow of R for Σ r_i((Aw)_i) (G = A⁻¹∘F⁻¹) and for "
    "Σ_k r_k(a_kᵀw), K > d (G through the isometric embedding into ℝ^K)",
    source="li2022 §5, Theorem 5.1",
    fields=("case",),
)
@given(
    case=st.one_of(reverse_linear_cases().map(lambda c: ("linear",) + c), ridge_cases().map(lambda c: ("ridge",) + c))
)
def test_thm_5_1_nonseparable(case):
    r"""For a smooth Legendre R there is a smooth, regular G, commuting on a submanifold M with
    :math:`\partial G = \partial G|_M` there, such that the mirror flow of R under any time-dependent loss is
    :math:`w(t) = G(x(t))` with x the gradient flow on :math:`L_t\circ G` from :math:`G^{-1}(w_{init})`
    (li2022 §5, Theorem 5.1) -- here for two kinds of R that are not separable.

    * ``linear``: :math:`R(w) = \sum_i r_i((Aw)_i)` with A never diagonal (d = 2, 3). Its metric is the
      pull-back of the Euclidean one by :math:`F(w) = O_{:d}^\top F_0(Aw)` (:math:`F_0` coordinatewise,
      :math:`F_{0,i}' = \sqrt{r_i''}`, O a rotation of :math:`\mathbb{R}^D`, D ≤ d + 1), so
      :math:`G(x) = A^{-1}F_0^{-1}(O_{:d}x)`: commuting, neither separable nor quadratic.
    * ``ridge``: :math:`R(w) = \sum_{k\le K} r_k(a_k^\top w)` with K = d + 1 or d + 2 ridge directions, which is
      not :math:`\sum_i s_i((Cw)_i)` for any C (its Hessians at three points fail to commute after
      whitening; the defect is in each example's details). :math:`F(w) = (F_k(a_k^\top w))_k` embeds
      :math:`(\mathrm{int\,dom}\,R, \nabla^2R)` isometrically in :math:`\mathbb{R}^K`; G is
      :math:`\tilde w + \partial F(\tilde w)^+(x - F(\tilde w))` on a neighbourhood of M = F(dom R), with
      :math:`\tilde w` read from d coordinates (``oracles.model.embedded``): ∂G = ∂F⁺ on M, tangent to M.

    Potentials: entropy, hypentropy(β), log-barrier, power p ∈ {3, 1.5, 0.5, −1}, one per coordinate or
    ridge; losses linear, least squares, log-cosh in schedules of up to three pieces. Both flows are
    integrated (GF in x; MF in the dual variable for ``linear``, in the primal for ``ridge``, whose
    :math:`\nabla R` has no closed-form inverse) at rtol 1e-8 and 1e-11; discrepancy and budget as
    ``li2022:thm-5.1`` (largest relative gap over 17 times; ten times the change between tolerances,
    at least 1e-9). Flows that leave dom R or blow up are inconclusive.
    """
    kind, *args = case
    event(kind)
    if kind == "linear":
        return gf_equals_mf_linear(*args)
    return gf_equals_mf_ridge(*args)


@universal(
    "li2022:thm-5.1-complete",
    title="R a mirror map (∇R onto ℝ^d): the flows of Theorem 5.1's ∇G_i are complete",
    source="li2022 §5, Theorem 5.1 (last sentence)",
    fields=("G", "x", "i", "T"),
)
@given(case=st.one_of(completeness_cases("mirror map"), ridge_completeness_cases()))
def test_thm_5_1_complete(case):
    r"""If R is further a mirror map (Definition 3.7: Legendre with :math:`\nabla R` onto :math:`\mathbb{R}^d`),
    then the :math:`\nabla G_i|_M` of Theorem 5.1 are complete vector fields on M (li2022 §5, Theorem 5.1).

    R = :math:`\sum_i r_i((Aw)_i)` with every :math:`r_i` entropy or hypentropy (mirror maps), A = I + offset
    (the separable case first), G = :math:`A^{-1}\circ F^{-1}\circ O_{:d}`. From a random point, the flow of
    :math:`+\nabla G_i` is integrated to ±T (T ∈ [0.5, 3]); it must exist -- the closed-form existence time,
    where :math:`\nabla R(w_0) + te_i` would leave the range of ∇R, is infinite -- and follow
    :math:`G(x(t)) = (\nabla R)^{-1}(\nabla R(w_0) + te_i)`. Discrepancy: the larger of the existence shortfall
    :math:`(T - t^*)^+/T` and that relative gap; budget ten times the change between rtol 1e-8 and 1e-11, at
    least 1e-9 (``oracles.checks.reverse.flow_completeness``).

    Also on the ridge embedding of ``li2022:thm-5.1-nonseparable`` for mirror maps
    :math:`\sum_k r_k(a_k^\top w)` (entropy and hypentropy ridges), whose existence times have no closed
    form: the flow from x ∈ M must be integrable to ±T (a flow that blows up or leaves first counts as a
    failure, discrepancy 1) and land on the root of :math:`\nabla R(w) = \nabla R(w_0) + te_i` (certified
    to a relative residual 1e-12).
    """
    G, x, i, T = case
    event(f"d = {G.d}")
    event(type(G).__name__)
    return flow_completeness(G, x, i, T)


@refutation(
    "li2022:thm-5.1-log-barrier",
    title="without the mirror-map hypothesis the clause fails: for the log-barrier (G = eˣ) a flow of ∇G_i "
    "blows up in finite time",
    source="li2022 §5, Theorem 5.1 (last sentence) and Definition 3.7",
    fields=("G", "x", "i", "T"),
)
@given(case=completeness_cases("log-barrier"))
def test_thm_5_1_log_barrier(case):
    r"""Theorem 5.1's completeness needs R to be a mirror map: the log-barrier :math:`-\ln w` is Legendre but
    :math:`r'(w) = -1/w` maps onto (−∞, 0) only, and its G = eˣ has :math:`\dot x = e^x` along :math:`\nabla G_i`,
    which blows up at :math:`t^* = e^{-x}`. The search must find a point, a field and a T for which the flow
    of :math:`+\nabla G_i` (R = :math:`\sum_i r_i((Aw)_i)` with :math:`r_0` the log-barrier, G =
    :math:`A^{-1}\circ F^{-1}\circ O_{:d}`) does not exist on [−T, T].

    The witness is decided, not inconclusive: the closed-form existence time :math:`t^* < T` (where
    :math:`\nabla R(w_0) + te_i` leaves the range of ∇R), the integrated flow agrees with
    :math:`(\nabla R)^{-1}(\nabla R(w_0) + te_i)` up to :math:`0.99t^*`, and an integration to T stops
    (blow-up) -- both sides of :math:`t^*` confirmed. Discrepancy :math:`(T - t^*)/T` against the budget of
    ``li2022:thm-5.1-complete``.
    """
    G, x, i, T = case
    event(f"d = {G.d}")
    return flow_completeness(G, x, i, T)


@universal(
    "li2022:thm-5.1-restriction",
    title="G|_M commuting with ∂G = ∂G|_M on M: from M the flows of Theorem 5.1's ∇G_i commute and stay on M "
    "(ridge embedding into ℝ^K)",
    source="li2022 §5, Theorem 5.1",
    fields=("G", "x", "i", "j", "s", "t"),
)
@given(case=ridge_flow_pairs())
def test_thm_5_1_restriction(case):
    r"""Theorem 5.1's G is defined on an open neighbourhood U of a submanifold M; its restriction
    :math:`G|_M` is a commuting and regular parametrization and :math:`\partial G = \partial G|_M` on M, so
    x(t) stays in M (li2022 §5, Theorem 5.1).

    Checked on the ridge embedding of ``li2022:thm-5.1-nonseparable`` (M = F(int dom R) ⊂ ℝ^K, K = d + 1 or
    d + 2, of codimension ≥ 1, where G off M is not the inverse of F): from x ∈ M the flows of
    :math:`-\nabla G_i` and :math:`-\nabla G_j` for times s, t ∈ [−0.5, 0.5] are integrated in both orders; the
    two end points must agree (Theorem 4.2 on M: :math:`G|_M` commutes) and lie on M, :math:`F(G(y)) = y`
    (the fields are tangent to M). Discrepancy: the relative commutator or the relative distance to M,
    whichever is the larger fraction of its budget, ten times its change between rtol 1e-8 and 1e-11, at
    least 1e-9. Regularity is by construction (∂G = ∂F⁺ has rank d; its Gram matrix's condition number is
    in the details). The report plot is li2022's Figure 1 for the example.
    """
    G, x, i, j, s, t = case
    event(f"K = {G.D}, d = {G.d}")
    return restriction_commutes(G, x, i, j, s, t)
