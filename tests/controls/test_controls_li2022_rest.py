"""Negative controls for the rest of li2022 (issue 22 §4): the source's own errors shown failing, and planted
false variants of the statements added for that section.

Each control runs the same oracle as its statement with one thing planted wrong (often: the source's text
read literally) and passes when the harness falsifies it within the ``ci`` budget.
"""

from __future__ import annotations

from hypothesis import given

from generators.cases import mu_cases
from generators.helix import chart_metric_cases, uut_loss_cases
from generators.mirror import entropy_cases, md_cases
from generators.necessity import diagonal_loss_cases, irregular_cases, planar_path_cases
from generators.parametrizations import commuting_quadratics
from generators.quadratic import domain_cases
from oracles.checks.equivalence import gf_against_mf
from oracles.checks.path_dependence import (
    chart_metric_check,
    chart_preimages,
    endpoint_gap,
    mu_determines_w,
    same_endpoint_witness,
)
from oracles.checks.quadratic_forms import thm_4_15a, thm_4_15d_domain
from oracles.convex.discretization import md_order_in_eta
from oracles.model.losses import Schedule
from oracles.model.potentials import EntropyPotential
from theorems import control
from theorems.li2022_s3_3_mirror import LOSSES


# -----------------------------------------------------------------------------------------
# li2022:thm-4.15a (P1)
@control(
    "li2022:thm-4.15a",
    title="ψ with li2022's literal sign (flows of −∇G_i) equals exp(Σ μ_i A_i) x as printed",
    fields=("G", "x", "mu"),
)
@given(case=mu_cases(commuting_quadratics(), bound=1.0))
def test_control_thm_4_15a_literal_sign(case):
    """Planted: li2022 eq. (4) read as written (φ_f^t solves dφ = −∇f dt) with Theorem 4.15(a) as printed.
    Then ψ = exp(−Σμ_iA_i)x, not exp(+Σμ_iA_i)x: P1's sign error, caught by the statement's oracle."""
    G, x, mu = case
    return thm_4_15a(G, x, mu, sign=-1)


# -----------------------------------------------------------------------------------------
# li2022:thm-4.9-regular
@control(
    "li2022:thm-4.9-regular",
    title="schedules with different μ end at the same w at regular points too",
    fields=("G", "x", "pair"),
)
@given(case=irregular_cases(regular=True))
def test_control_thm_4_9_regular_at_regular_points(case):
    """Planted: the witness's "same w" outside the irregular set. At a regular point of x⊙2 or u⊙2 − v⊙2
    (the orthant, where both are mirror flows) the changed c_i moves w_i, so the end points differ."""
    G, x, pair = case
    return same_endpoint_witness(G, x, pair, claim="equal-w")


# -----------------------------------------------------------------------------------------
# li2022:remark-4.5
@control(
    "li2022:remark-4.5", title="UUᵀ with losses on every entry is path independent too", fields=("G", "x", "probe")
)
@given(case=diagonal_loss_cases(diagonal_only=False))
def test_control_remark_4_5_all_entries(case):
    """Planted: drop Remark 4.5's restriction to diagonal measurements. With off-diagonal entries in the
    losses, equal-μ schedules (or a non-linear schedule and the straight loss to its μ) end at different W
    (Example 4.4 / Corollary 4.11)."""
    G, x, probe = case
    return mu_determines_w(G, x, probe) if isinstance(probe, Schedule) else endpoint_gap(G, x, probe)


# -----------------------------------------------------------------------------------------
# li2022:eq-7-8
@control(
    "li2022:eq-7-8",
    title="mirror descent approaches the mirror flow at second order in η",
    fields=("R", "Z", "Y", "w_init", "loss", "T"),
)
@given(case=md_cases())
def test_control_eq_7_8_second_order(case):
    """Planted: e(η) = O(η²). The dual step is forward Euler, first order: the observed order is 1."""
    R, Z, Y, w_init, loss, T = case
    return md_order_in_eta(R, LOSSES[loss](Z, Y), w_init, T, claimed_order=2.0)


# -----------------------------------------------------------------------------------------
# li2022:intro-entropy (P17)
@control(
    "li2022:intro-entropy", title="§1's R = Σ w(ln w − 1) as printed (no factor ¼)", fields=("G", "x", "schedules")
)
@given(case=entropy_cases("squares"))
def test_control_intro_entropy_unscaled(case):
    """Planted: li2022 §1's "classical negative entropy" read literally. Its mirror flow moves 4× slower
    than GF on x⊙2 (∇²R⁻¹ = diag(w) against ∂G∂Gᵀ = 4 diag(w))."""
    G, x, scheds = case
    return gf_against_mf(G, scheds, x, R=EntropyPotential(G.value(x), 1.0))


# -----------------------------------------------------------------------------------------
# li2022:cor-4.11-d1 (P3)
@control(
    "li2022:cor-4.11-d1",
    title="UUᵀ at d = 1 is the mirror flow of w ln w − w (no factor ¼)",
    fields=("G", "x", "schedules"),
)
@given(case=entropy_cases("uut-d1"))
def test_control_cor_4_11_d1_unscaled(case):
    """Planted: the entropy without its ¼ (as li2022 §1 writes it). ẇ = −4wL′ is four times its mirror flow."""
    G, x, scheds = case
    return gf_against_mf(G, scheds, x, R=EntropyPotential(G.value(x), 1.0))


# -----------------------------------------------------------------------------------------
# li2022:conj-4.10-nonlinear and li2022:conj-4.10-metric
@control(
    "li2022:conj-4.10-nonlinear",
    title="w(T) depends only on μ(T) on UUᵀ (which violates (9)), non-linear losses",
    fields=("G", "x", "schedule"),
)
@given(case=uut_loss_cases())
def test_control_conj_4_10_nonlinear_on_uut(case):
    """Planted: the conjecture's conclusion on UUᵀ, whose Lie^{≥2}|_x meets span ∇G(x): the schedule and the
    straight linear loss to the same μ(T) end at different w."""
    G, x, schedule = case
    return mu_determines_w(G, x, schedule)


@control(
    "li2022:conj-4.10-metric",
    title="the untwisted helical chart w = P(h, s) has a Hessian metric",
    fields=("fam", "x", "alpha2"),
)
@given(case=chart_metric_cases(twisted=False))
def test_control_conj_4_10_metric_untwisted(case):
    """Planted: drop the twist w₂ = h·s for w₂ = s. The base gradients of (h, s) do not commute, (9) fails, and
    (∂G∂Gᵀ)⁻¹ = diag(1/h'², 1/β) in these coordinates depends on w₁ only: ∂₁h₂₂ ≠ ∂₂h₁₂ = 0."""
    fam, x, alpha2 = case
    G = fam.build()
    pre, other = chart_preimages(G, x, alpha2)
    return chart_metric_check(G, G.value(x), pre, other)


# -----------------------------------------------------------------------------------------
# li2022:cor-4.12-flows
@control(
    "li2022:cor-4.12-flows",
    title="equal-μ schedules end at the same w on non-commuting G with d-dimensional reachable sets",
    fields=("G", "x", "pair"),
)
@given(case=planar_path_cases())
def test_control_cor_4_12_flows_path_independent(case):
    """Planted: Theorem 4.8's conclusion without "commuting", on the corollary's family (regular, reachable
    sets of dimension d). Corollary 4.12 says it must fail; the end points differ."""
    G, x, pair = case
    return endpoint_gap(G, x, pair)


# -----------------------------------------------------------------------------------------
# li2022:thm-4.15d-domain
@control(
    "li2022:thm-4.15d-domain",
    title="dom R = ℝ^d: R a mirror map because Q is finite on ℝ^d",
    fields=("G", "x", "v", "u"),
)
@given(case=domain_cases())
def test_control_thm_4_15d_domain_mirror_map(case):
    """Planted: ∇R onto ℝ^d (every probe in range ∇Q). Outside the cone of the λ_k dual Newton cannot reach w:
    μ runs off along the Farkas direction and the residual stays at the distance to the cone."""
    G, x, v, u = case
    return thm_4_15d_domain(G, x, v, u, claim="mirror-map")
