"""Negative controls for li2022 Theorem 5.1 beyond separable R (thm-5.1-nonseparable, thm-5.1-complete,
thm-5.1-log-barrier, thm-5.1-restriction) and for the commuting family G = P·g(Bx) (issue 22, sections 2-4).

Each control is a property test over the same generators and oracle as its statement, with one thing
planted wrong; it passes when the harness falsifies it within the ``ci`` budget.
"""

from __future__ import annotations

from hypothesis import given

from generators.parametrizations import completeness_cases, reverse_linear_cases, ridge_cases, ridge_flow_pairs
from oracles.checks.reverse import flow_completeness, gf_equals_mf_linear, gf_equals_mf_ridge, restriction_commutes
from theorems import control


@control(
    "li2022:thm-5.1-nonseparable",
    title="Σ r_i((Aw)_i) with an embedding that is not isometric (F scaled by 2)",
    fields=("potentials", "A", "O", "w_init", "schedule"),
)
@given(case=reverse_linear_cases())
def test_non_isometric_embedding_is_caught(case):
    """Planted: B = 2·O[:d], so ∂Fᵀ∂F = 4∇²R: gradient flow runs the mirror flow four times too fast."""
    return gf_equals_mf_linear(*case, scale=2.0)


@control(
    "li2022:thm-5.1-nonseparable",
    title="K > d ridges with G read from d coordinates of ℝ^K (∂G not tangent to M)",
    fields=("potentials", "A", "w_init", "schedule"),
)
@given(case=ridge_cases())
def test_ridge_without_tangent_projection_is_caught(case):
    """Planted: G = w̃(x) = A₁⁻¹F⁻¹(x_{:d}), which inverts F on M but whose gradients leave M, so the
    flow is the mirror flow of Σ_{k≤d} r_k(a_kᵀw) (the first d ridges) instead of R."""
    return gf_equals_mf_ridge(*case, tangent=False)


@control(
    "li2022:thm-5.1-complete",
    title="complete flows for an R that is not a mirror map (the power p = ½)",
    fields=("G", "x", "i", "T"),
)
@given(case=completeness_cases("power"))
def test_completeness_without_mirror_map_is_caught(case):
    """Planted: the clause's conclusion for r_0 = w^{1/2}/(−1/4), Legendre with r' onto (−∞, 0) only: the flow
    blows up at a closed-form t* < T, confirmed by the integration."""
    return flow_completeness(*case)


@control(
    "li2022:thm-5.1-log-barrier",
    title="the log-barrier's field flows follow ∇R(w(t)) = ∇R(w₀) + 2t·e_i (rate 2)",
    fields=("G", "x", "i", "T"),
)
@given(case=completeness_cases("log-barrier"))
def test_log_barrier_flow_at_twice_the_rate_is_caught(case):
    """Planted: the dual closed form the witness's blow-up time rests on, at twice its rate; the integrated
    flow must disagree (so the witness is certified by a formula that the integration can refute)."""
    return flow_completeness(*case, rate=2.0)


@control(
    "li2022:thm-5.1-restriction",
    title="G read from d coordinates of ℝ^K: its flows commute but leave M (∂G ≠ ∂G|_M)",
    fields=("G", "x", "i", "j", "s", "t"),
)
@given(case=ridge_flow_pairs(tangent=False))
def test_restriction_without_tangent_projection_is_caught(case):
    """Planted: G = A₁⁻¹F⁻¹(x_{:d}) inverts F on M and is commuting (linear∘coordinatewise), but its gradients
    are not tangent to M: the flows from M leave it."""
    return restriction_commutes(*case)
