"""Negative controls for li2022 §4.1-4.2 (issue 2): planted false variants the same oracles must falsify.

Each control is a property test over the same generators and oracle as its statement, with one
thing planted wrong; it passes when the harness finds a counterexample within the ``ci`` budget.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from generators.arrays import dims
from generators.cases import flow_cases, mu_cases
from generators.parametrizations import (
    box_cases,
    commuting_case,
    commuting_families,
    domain_cases,
    inits,
    linear_coordinatewise,
    matrix_factorizations,
    noncommuting_quadratics,
    separable_families,
)
from oracles.checks.commutation import bracket_matches_formula, flow_gap_matches_bracket, flows_commute
from oracles.checks.equivalence import (
    gf_against_mf,
    gf_against_psi,
    lemma_4_7_domain,
    lemma_4_7_identities,
    psi_domain_is_box,
)
from oracles.checks.quadratic_forms import thm_4_15a, thm_4_15b, thm_4_15c
from oracles.flows.legendre import potential_of
from oracles.model.linear_coordinatewise import LinearSeparablePotential
from oracles.model.parametrizations import Powers
from oracles.model.potentials import EuclideanPotential
from theorems import control
from theorems.li2022_s4_1_commuting import family_point_pair


def swapped_bracket(Ai, Aj, x):
    """The planted error: (A_iA_j − A_jA_i)x, the opposite order of li2022 §4.1."""
    return (Ai @ Aj - Aj @ Ai) @ x


@control(
    "li2022:quadratic-bracket", title="swapped-order bracket formula (A_iA_j − A_jA_i)x", fields=("G", "x", "i", "j")
)
@given(case=family_point_pair(noncommuting_quadratics()))
def test_swapped_bracket_is_caught(case):
    G, x, i, j = case
    return bracket_matches_formula(G, x, i, j, formula=swapped_bracket)


@st.composite
def uut_flow_case(draw):
    G = draw(matrix_factorizations(symmetric=True))
    x = draw(inits(G))
    return (
        G,
        x,
        draw(st.integers(0, G.d - 1)),
        draw(st.integers(0, G.d - 1)),
        draw(st.floats(-1, 1)),
        draw(st.floats(-1, 1)),
    )


@control("li2022:thm-4.2", title="the flows of UUᵀ commute", fields=("G", "x", "i", "j", "s", "t"))
@given(case=uut_flow_case())
def test_uut_flows_commute_is_caught(case):
    G, x, i, j, s, t = case
    return flows_commute(G, x, i, j, s, t)


@control(
    "li2022:thm-4.2", title="the flow commutator at time h is 2h²·[∇G_i, ∇G_j] (factor 2)", fields=("G", "x", "i", "j")
)
@given(case=family_point_pair(noncommuting_quadratics()))
def test_commutator_twice_the_bracket_is_caught(case):
    G, x, i, j = case
    return flow_gap_matches_bracket(G, x, i, j, bracket_factor=2.0)


@control("li2022:lemma-4.6", title="x(t) = ψ(x_init; μ(t)) on UUᵀ (non-commuting)", fields=("G", "x", "sched"))
@given(case=flow_cases(matrix_factorizations(symmetric=True)))
def test_lemma_4_6_on_uut_is_caught(case):
    G, x, sched = case
    return gf_against_psi(G, sched, x)


@control("li2022:lemma-4.6", title="ψ with the literal sign of li2022 (flows of −∇G_i)", fields=("G", "x", "sched"))
@given(case=flow_cases(commuting_families()))
def test_lemma_4_6_literal_sign_is_caught(case):
    G, x, sched = case
    return gf_against_psi(G, sched, x, sign=-1)


@st.composite
def two_inits(draw, families):
    G, x, mu = draw(mu_cases(families))
    return G, x, draw(inits(G)), mu


@control("li2022:lemma-4.7", title="R built from another x_init", fields=("G", "x", "other", "mu"))
@given(case=two_inits(commuting_families()))
def test_lemma_4_7_other_init_is_caught(case):
    G, x, other, mu = case
    return lemma_4_7_identities(G, x, mu, R=potential_of(G, other))


@control("li2022:thm-4.8", title="mirror flow with the Euclidean R", fields=("G", "x", "scheds"))
@given(case=flow_cases(separable_families(), n_schedules=2))
def test_thm_4_8_euclidean_is_caught(case):
    G, x, scheds = case
    return gf_against_mf(G, scheds, x, R=EuclideanPotential(G.value(x)))


@st.composite
def flow_case_other_init(draw):
    G, x, scheds = draw(flow_cases(commuting_families(), n_schedules=2))
    return G, x, draw(inits(G)), scheds


@control(
    "li2022:thm-4.8", title="mirror flow with the R of another initialization", fields=("G", "x", "other", "scheds")
)
@given(case=flow_case_other_init())
def test_thm_4_8_other_init_is_caught(case):
    G, x, other, scheds = case
    R = potential_of(G, other)
    w0 = G.value(x)
    if not R.in_domain(w0):
        from oracles.core.errors import Inconclusive

        raise Inconclusive("outside dom R", "w_init is outside the domain of the other init's R")
    return gf_against_mf(G, scheds, x, R=R)


@control("li2022:thm-4.15a", title="non-commuting A_i: ψ = exp(Σ μ_i A_i) x", fields=("G", "x", "mu"))
@given(case=mu_cases(noncommuting_quadratics(), bound=1.0))
def test_thm_4_15a_noncommuting_is_caught(case):
    G, x, mu = case
    return thm_4_15a(G, x, mu)


@control("li2022:thm-4.15b", title="non-commuting A_i: G_j(ψ) = ½ xᵀ exp(2S) A_j x", fields=("G", "x", "mu"))
@given(case=mu_cases(noncommuting_quadratics(), bound=1.0))
def test_thm_4_15b_noncommuting_is_caught(case):
    G, x, mu = case
    return thm_4_15b(G, x, mu)


@control("li2022:thm-4.15c", title="non-commuting A_i: ∇(¼‖exp(S)x‖²) = G(exp(S)x)", fields=("G", "x", "mu"))
@given(case=mu_cases(noncommuting_quadratics(), bound=1.0))
def test_thm_4_15c_noncommuting_is_caught(case):
    G, x, mu = case
    return thm_4_15c(G, x, mu)


@control(
    "li2022:lemma-4.7",
    title="ψ with the literal sign of li2022 (flows of −∇G_i): ∇²Q = ∂G∂Gᵀ although Q is concave",
    fields=("G", "x", "mu"),
)
@given(case=mu_cases(commuting_families()))
def test_lemma_4_7_literal_sign_is_caught(case):
    """P1 demonstrated on Lemma 4.7: with the literal ψ of li2022 §3.2 the Jacobian of μ ↦ G(ψ(x_init; μ)) is
    −∂G∂Gᵀ, negative definite (Q concave), not the ∂G∂Gᵀ the lemma states."""
    G, x, mu = case
    return lemma_4_7_identities(G, x, mu, sign=-1)


@control(
    "li2022:eq-6",
    title="the box of the literal sign of li2022 (time domains of the flows of −∇G_i)",
    fields=("G", "x", "mu"),
)
@given(case=box_cases())
def test_eq_6_literal_sign_box_is_caught(case):
    """P1 on Eq. (6): predicting U(x) from the flows of −∇G_i (the intervals reflected) disagrees with the
    integrated ψ past x⊙3's blow-up time 1/(3x_i)."""
    G, x, mu = case
    return psi_domain_is_box(G, x, mu, sign=-1)


@control(
    "li2022:lemma-4.7-domain",
    title="R of x⊙1.5 is Legendre (its flows reach 0 in finite time: Assumption 3.5 fails)",
    fields=("G", "x", "w", "w_boundary"),
)
@given(case=domain_cases(dims(1, 3).map(lambda d: Powers(1.5, d))))
def test_lemma_4_7_domain_without_assumption_3_5_is_caught(case):
    """Planted: the domain claims for x⊙1.5, whose flow ẋ = 1.5√x reaches the boundary 0 in finite time
    without blowing up: its R (∇R ∝ w^{1/3}) keeps a bounded gradient at w = 0, so it is not Legendre."""
    G, x, w, wb = case
    return lemma_4_7_domain(G, x, w, wb)


@control(
    "li2022:thm-4.2",
    title="the flows of the non-commuting P·g(Bx) (b₀ᵀb₁ ≠ 0) commute",
    fields=("G", "x", "i", "j", "s", "t"),
)
@given(case=commuting_case(linear_coordinatewise(commuting=False)))
def test_noncommuting_linear_coordinatewise_flows_commute_is_caught(case):
    """Planted: the commuting side of Theorem 4.2 on the non-quadratic family whose brackets do not vanish."""
    G, x, i, j, s, t = case
    return flows_commute(G, x, i, j, s, t, method="ode")


@control(
    "li2022:thm-4.8",
    title="P·g(Bx): mirror flow of Σ r_m((P⁻¹w)_m) without the weights 1/‖b_m‖²",
    fields=("G", "x", "scheds"),
)
@given(case=flow_cases(linear_coordinatewise(), n_schedules=2))
def test_thm_4_8_unweighted_linear_potential_is_caught(case):
    """Planted: Lemma 4.7's R for G = P·g(Bx) with B's row lengths ignored (the R of orthonormal rows)."""
    G, x, scheds = case
    R = LinearSeparablePotential(G.potentials, np.linalg.inv(G.P), None, G.value(x))
    return gf_against_mf(G, scheds, x, R=R)
