"""Negative controls for the convergence clauses of li2022 §4.2-§4.3 (issue 22 §1: convergence claims must be
able to fail).

Each control claims a statement's conclusion -- w(t) converges (to a point of the variational inequality, a
minimizer, the R-projection, the minimal-R interpolant) -- for the exponential loss on separable data, which is
convex (so quasi-convex) but has **no minimizer** on dom R: the hypothesis "argmin L non-empty" (Thm 4.13) /
"a minimizer exists" (Cor 4.14, Thm 4.15(d)) / "Y is the unique minimizer of L~" (Cor 4.17) is what is
dropped. The flow provably does not converge: ‖w(t)‖ grows like ln t. Each is run through the statement's own
oracle and must be caught by its **decided** non-convergence -- the witness of
:func:`oracles.checks.convergence.divergence_witness` (an LP certificate that no point of dom R satisfies the
inequality, and the certified escape of w(t) to t = 1e60) -- not by an untested verdict (tests/test_convergence.py
checks that the outcome is the witness's).

One more control drops quasi-convexity instead: the ridge bump :math:`\varphi(a^\top w)`, :math:`\varphi(s) = s^2e^{-s^2}`, has
a minimizer, but a flow started past the bump is trapped in a sublevel-set component without a stationary
point and escapes.
"""

from __future__ import annotations

from hypothesis import event, given

from generators.convergence import (
    FAMILIES,
    REGRESSION_LOSSES,
    coordinatewise_regression_cases,
    ridge_bump_cases,
    separable_cases,
    separable_quadratic_cases,
)
from oracles.checks.limits import (
    gf_limit_minimizes,
    gf_limit_stationarity,
    gf_limit_vs_projection,
    quadratic_gf_convergence,
)
from oracles.model.losses import ExponentialLoss
from oracles.model.nonconvex_losses import RidgeBump
from oracles.model.parametrizations import UVSquared
from theorems import control


@control(
    "li2022:thm-4.13",
    title="exponential loss on separable data (argmin L empty): w(t) claimed to converge",
    source="li2022 §4.2, Theorem 4.13",
    fields=("fam", "x", "X", "y"),
)
@given(case=separable_cases())
def test_control_thm_4_13_no_minimizer(case):
    """Thm 4.13's conclusion for a convex loss with no minimizer on dom R (identity, u⊙2 − v⊙2, x⊙2): w(t) → ∞,
    so the claimed limit does not exist; the non-convergence witness must decide it."""
    fam, x, X, y = case
    event(fam)
    return gf_limit_stationarity(FAMILIES[fam](X.shape[1]), ExponentialLoss(X, y), x)


@control(
    "li2022:thm-4.13",
    title="non-quasi-convex L (a ridge bump, argmin non-empty): w(t) claimed to converge",
    source="li2022 §4.2, Theorem 4.13",
    fields=("fam", "x", "a"),
)
@given(case=ridge_bump_cases())
def test_control_thm_4_13_not_quasi_convex(case):
    """Thm 4.13 without quasi-convexity: from past the bump the flow stays in {aᵀw > 1, L < e⁻¹}, where ∇L ≠ 0,
    and escapes (aᵀw grows like √ln t); the trap witness must decide it."""
    fam, x, a = case
    event(fam)
    return gf_limit_stationarity(FAMILIES[fam](a.size), RidgeBump(a), x)


@control(
    "li2022:cor-4.14",
    title="convex exponential loss without a minimizer: convergence to a minimizer claimed",
    source="li2022 §4.2, Corollary 4.14",
    fields=("fam", "x", "X", "y"),
)
@given(case=separable_cases(families=("identity", "u^2 - v^2")))
def test_control_cor_4_14_no_minimizer(case):
    """Ω_w = ℝ^d and L convex, but argmin L empty: the GF does not converge to a minimizer (there is none)."""
    fam, x, X, y = case
    event(fam)
    return gf_limit_minimizes(FAMILIES[fam](X.shape[1]), ExponentialLoss(X, y), x)


@control(
    "li2022:thm-4.15d",
    title="commuting quadratic G on the exponential loss separable inside dom R's cone",
    source="li2022 §4.2, Theorem 4.15(d)",
    fields=("G", "x", "X", "y"),
)
@given(case=separable_quadratic_cases())
def test_control_thm_4_15d_no_minimizer(case):
    """Theorem 4.15(d) -> 4.13 for a loss whose infimum over dom R = cl range ∇Q is not attained: the flow escapes
    along the cone of the eigenvalue columns, and the witness must decide it."""
    G, x, X, y = case
    return quadratic_gf_convergence(G, None, None, x, loss=ExponentialLoss(X, y))


@control(
    "li2022:cor-4.17",
    title="u⊙2 − v⊙2 on the exponential loss (no minimizer Y): convergence claimed",
    source="li2022 §4.3, Corollary 4.17",
    fields=("fam", "x", "X", "y"),
)
@given(case=separable_cases(families=("u^2 - v^2",)))
def test_control_cor_4_17_no_minimizer(case):
    """Cor. 4.17 with a quasi-convex loss that has no minimizer: the GF on u⊙2 − v⊙2 does not converge at all."""
    fam, x, X, y = case
    return gf_limit_vs_projection(UVSquared(X.shape[1]), ExponentialLoss(X, y), x, convergence="claim")


@control(
    "li2022:thm-4.16",
    title="P·g(Bx): the ℓ2 projection of w0 in place of Lemma 4.7's R",
    source="li2022 §4.3, Theorem 4.16",
    fields=("G", "x", "Z", "Y", "loss"),
)
@given(case=coordinatewise_regression_cases())
def test_control_thm_4_16_coordinatewise_l2(case):
    """On the commuting, non-separable, non-quadratic G = P·g(Bx) drawn for Thm 4.16, the GF limit is the
    R-projection, not the Euclidean one: the planted ℓ2 interpolant nearest w0 must be caught (the family's
    draws discriminate)."""
    G, x, Z, Y, loss = case
    return gf_limit_vs_projection(G, REGRESSION_LOSSES[loss](Z, Y), x, reference="l2", convergence="hypothesis")
