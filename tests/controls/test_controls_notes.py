"""Negative controls for the lecture notes' statements of issue 23 (notes:main-flow, notes:soudry-rate,
notes:bregman-local-quadratic, notes:preconditioned-step, notes:kawaguchi-saddle, notes:kawaguchi-minima, notes:bp-recovery).

Each plants a false variant -- here the notes' literal forms (P7, P9) -- and runs it through the same oracle on
the same instances; it passes when the harness falsifies it within the ``ci`` budget.
"""

from __future__ import annotations

import math

from hypothesis import given

from generators.linear_nets import kawaguchi_cases, kawaguchi_minimum_cases
from generators.notes import (
    generic_classification_cases,
    positive_sparse_cases,
    preconditioned_cases,
    quadratic_form_cases,
    recovery_cases,
)
from oracles.checks.deep_linear import flat_saddle_gap, local_minimum_gap
from oracles.checks.notes_flows import small_alpha_flow_gap, soudry_offset_gap
from oracles.checks.sparse_recovery import recovery_rate_gap
from oracles.convex.quadratic_mirror import (
    bregman_quadratic_form_gap,
    preconditioned_flow_limit_gap,
    preconditioned_step_gap,
)
from theorems import control
from theorems.notes_implicit_regularization import FLOW_ALPHAS, LOSSES


@control(
    "notes:main-flow",
    title="the notes' literal D_φ(x, α1): the KL projection of α1 (not α²1) as the flow's limit",
    source="notes, Main Theorem (proof) and Lemma 3 (P7)",
    fields=("A", "b"),
)
@given(case=positive_sparse_cases())
def test_control_main_flow_alpha_not_squared(case):
    """y(0) = α1 gives x(0) = α²1; the proof's D_φ(x, α1) projects α1 instead. The flow's limits must differ."""
    A, b = case
    return small_alpha_flow_gap(A, b, FLOW_ALPHAS, start="alpha")


@control(
    "notes:main-flow",
    title="the flow's limits tend to the min-ℓ2 interpolant as α → 0",
    source="notes, Main Theorem",
    fields=("A", "b"),
)
@given(case=positive_sparse_cases())
def test_control_main_flow_l2(case):
    """The min-ℓ2 interpolant as the target of the ℓ1 sandwich: must be caught (it is not the small-α limit)."""
    A, b = case
    return small_alpha_flow_gap(A, b, FLOW_ALPHAS, target="l2")


@control(
    "notes:soudry-rate",
    title="the notes' literal growth a(t) ~ a* log t with the unit vector a* (not ŵ = a*/γ*)",
    source="notes, Further Results (Soudry et al. 2018) (P9)",
    fields=("X", "y", "a0"),
)
@given(case=generic_classification_cases())
def test_control_soudry_unit_growth(case):
    """The offset a(t) − a* log t drifts like (ŵ − a*) log t unless γ* = 1: its stationarity residual is not 0."""
    X, y, a0 = case
    return soudry_offset_gap(X, y, a0, growth="unit")


@control(
    "notes:bregman-local-quadratic",
    title="the notes' literal D_φ(x, z) = (x − z)ᵀ∇²φ(y)(x − z) (no ½)",
    source="notes, Mirror Descent ('Think of it as locally quadratic')",
    fields=("phi", "x", "z"),
)
@given(case=quadratic_form_cases())
def test_control_local_quadratic_without_half(case):
    """Without the ½, D_φ lies below every value of h on the segment whenever φ'' varies by less than a factor 2 there
    (always for the Euclidean φ): the certified bracket is violated."""
    phi, x, z = case
    return bregman_quadratic_form_gap(phi, x, z, factor=1.0)


@control(
    "notes:preconditioned-step",
    title="the step x_t − ηK∇f(x_t) (K in place of K⁻¹)",
    source="notes, 'Back to Reparameterization'",
    fields=("kind", "K", "A", "b", "loss", "x", "h"),
)
@given(case=preconditioned_cases(kind="step"))
def test_control_preconditioned_step_with_K(case):
    """K for K⁻¹: equal only when K² = I on ∇f."""
    kind, K, A, b, loss, x, h = case
    return preconditioned_step_gap(K, LOSSES[loss](A, b), x, h, variant="K")


@control(
    "notes:preconditioned-step",
    title="the iterates approach the unpreconditioned flow ẋ = −∇f(x)",
    source="notes, 'Back to Reparameterization'",
    fields=("kind", "K", "A", "b", "loss", "x", "h"),
)
@given(case=preconditioned_cases(kind="flow limit"))
def test_control_preconditioned_flow_is_gradient_flow(case):
    """Against the wrong limit the error does not shrink with N: the ratio e_512/e_256 tends to 1, not ½."""
    kind, K, A, b, loss, x, h = case
    return preconditioned_flow_limit_gap(K, LOSSES[loss](A, b), x, h, flow="gradient")


@control(
    "notes:kawaguchi-saddle",
    title="depth 2: W = 0 has no negative Hessian eigenvalue",
    source="notes, Also Related (Theorem [Kawaguchi])",
    fields=("X", "B", "factors", "zero"),
)
@given(case=kawaguchi_cases(depth=2, n_zero=2))
def test_control_kawaguchi_depth_two(case):
    """At depth 2 the second-order term −2⟨B, δ₂δ₁X⟩ is indefinite: W = 0 is a strict saddle."""
    return flat_saddle_gap(**case)


@control(
    "notes:kawaguchi-saddle",
    title="depth 3 with only two zero factors: no negative Hessian eigenvalue",
    source="notes, Also Related (Theorem [Kawaguchi])",
    fields=("X", "B", "factors", "zero"),
)
@given(case=kawaguchi_cases(depth=3, n_zero=2))
def test_control_kawaguchi_two_zero_factors(case):
    """Two zero factors and one kept: W is quadratic in the perturbation, and the Hessian has a negative eigenvalue."""
    return flat_saddle_gap(**case)


@control(
    "notes:bp-recovery",
    title="m = ⌈k ln(n/k)⌉ measurements (constant 1, no 5k/4) with the same guarantee",
    source="notes, Side remark (basis pursuit)",
    fields=("n", "k", "seed"),
)
@given(case=recovery_cases())
def test_control_bp_recovery_constant_one(case):
    """Below the phase transition at about 2k ln(n/k): BP fails on most draws, far above the guaranteed 1.1%."""
    n, k, seed = case
    return recovery_rate_gap(n, k, seed, trials=16, m_claim=math.ceil(k * math.log(n / k)))


@control(
    "notes:kawaguchi-minima",
    title="every local minimum has zero loss (B outside X's row space ignored)",
    source="notes, Also Related (Theorem [Kawaguchi])",
    fields=("X", "B", "factors"),
)
@given(case=kawaguchi_minimum_cases())
def test_control_kawaguchi_minima_zero_loss(case):
    """With N > d samples B has a part outside X's row space, and the global minimum is positive."""
    return local_minimum_gap(**case, claim="zero")
