"""Negative controls for the rest of li2022 (issue 22 §4): the source's own errors shown failing, and planted
false variants of the statements added for that section.

Each control runs the same oracle as its statement with one thing planted wrong (often: the source's text
read literally) and passes when the harness falsifies it within the ``ci`` budget.
"""
from __future__ import annotations

from hypothesis import given

from generators.cases import mu_cases
from generators.necessity import diagonal_loss_cases, irregular_cases
from generators.parametrizations import commuting_quadratics
from oracles.checks.path_dependence import endpoint_gap, same_endpoint_witness
from oracles.checks.quadratic_forms import thm_4_15a
from theorems import control


# -----------------------------------------------------------------------------------------
# li2022:thm-4.15a (P1)
@control("li2022:thm-4.15a", title="ψ with li2022's literal sign (flows of −∇G_i) equals exp(Σ μ_i A_i) x as printed",
         fields=("G", "x", "mu"))
@given(case=mu_cases(commuting_quadratics(), bound=1.0))
def test_control_thm_4_15a_literal_sign(case):
    """Planted: li2022 eq. (4) read as written (φ_f^t solves dφ = −∇f dt) with Theorem 4.15(a) as printed.
    Then ψ = exp(−Σμ_iA_i)x, not exp(+Σμ_iA_i)x: P1's sign error, caught by the statement's oracle."""
    G, x, mu = case
    return thm_4_15a(G, x, mu, sign=-1)


# -----------------------------------------------------------------------------------------
# li2022:thm-4.9-regular
@control("li2022:thm-4.9-regular", title="schedules with different μ end at the same w at regular points too",
         fields=("G", "x", "pair"))
@given(case=irregular_cases(regular=True))
def test_control_thm_4_9_regular_at_regular_points(case):
    """Planted: the witness's "same w" outside the irregular set. At a regular point of x⊙2 or u⊙2 − v⊙2
    (the orthant, where both are mirror flows) the changed c_i moves w_i, so the end points differ."""
    G, x, pair = case
    return same_endpoint_witness(G, x, pair, claim="equal-w")


# -----------------------------------------------------------------------------------------
# li2022:remark-4.5
@control("li2022:remark-4.5", title="UUᵀ with losses on every entry is path independent too", fields=("G", "x", "pair"))
@given(case=diagonal_loss_cases(diagonal_only=False))
def test_control_remark_4_5_all_entries(case):
    """Planted: drop Remark 4.5's restriction to diagonal measurements. With off-diagonal entries in the
    losses, equal-μ schedules end at different W (Example 4.4 / Corollary 4.11)."""
    G, x, pair = case
    return endpoint_gap(G, x, pair)
