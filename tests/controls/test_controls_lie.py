"""Negative controls for li2022 §4.2 (Theorem 4.9, Conjecture 4.10, Corollary 4.12) and MGP's count.

Each control is a property test over the same generators and oracle as its statement, with one
thing planted wrong; it passes when the harness falsifies it within the ``ci`` budget.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generators.arrays import dims
from generators.lie import factorization_sizes, generic_points, hopf_path_cases, planar_noncommuting_quadratics
from oracles.checks.lie import condition_cosine_against, conservation_count_check, reachable_dimension_check
from oracles.checks.path_dependence import endpoint_gap
from oracles.lie.conservation import uv_law_gradients
from oracles.model.parametrizations import factorization, symmetric_factorization
from theorems import control


@st.composite
def uut_points(draw):
    G = symmetric_factorization(draw(dims(2, 3)), draw(dims(1, 2)))
    return G, draw(generic_points(G.D))


@control("li2022:thm-4.9", title="Theorem 4.9's condition holds on UUᵀ", fields=("G", "x"))
@given(case=uut_points())
def test_thm_4_9_condition_on_uut_is_caught(case):
    """Planted: the cosine between Lie^{≥2}(∂G)|_x and span ∇G(x) is 0 for UUᵀ (it is 1)."""
    G, x = case
    return condition_cosine_against(G, x, 0.0)


@st.composite
def uv_points(draw):
    m, n, r = draw(factorization_sizes())
    G = factorization(m, n, r)
    return (m, n, r), G, draw(generic_points(G.D))


@control("mgp2023:conservation-count", title="UVᵀ has r² independent conservation laws", fields=("sizes", "G", "x"))
@given(case=uv_points())
def test_r_squared_count_is_caught(case):
    """Planted: r² laws (the entries of UᵀU − VᵀV counted as if not symmetric) instead of r(r+1)/2."""
    (m, n, r), G, x = case
    return conservation_count_check(G, x, r * r)


@control(
    "mgp2023:conservation-count", title="the entries of UᵀU + VᵀV are conservation laws", fields=("sizes", "G", "x")
)
@given(case=uv_points())
def test_plus_laws_are_caught(case):
    """Planted: the gradients of ⟨u_k,u_l⟩ + ⟨v_k,v_l⟩ (sign of the V part flipped) as the complete set
    of laws: they are not orthogonal to Lie(∂G)|_x."""
    (m, n, r), G, x = case
    L = uv_law_gradients(m, n, r, x)
    L[m * r :] *= -1.0
    return conservation_count_check(G, x, r * (r + 1) // 2, laws=L)


@st.composite
def planar_noncommuting_cases(draw):
    G = draw(planar_noncommuting_quadratics())
    return G, draw(generic_points(G.D))


@control(
    "li2022:cor-4.12",
    title="non-commuting G with d-dimensional reachable sets satisfies (9) like a commuting one",
    fields=("G", "x"),
)
@given(case=planar_noncommuting_cases())
def test_cor_4_12_noncommuting_as_commuting_is_caught(case):
    """Planted: Corollary 4.12's conclusion dropped -- non-commuting families with d-dimensional
    reachable sets treated as commuting (brackets vanish at x, condition (9) holds)."""
    G, x = case
    return reachable_dimension_check(G, x, commuting=True)


@control(
    "li2022:conj-4.10",
    title="equal-μ schedules end at the same w on UUᵀ (which violates (9))",
    fields=("G", "x", "a", "b"),
)
@given(case=hopf_path_cases("uut", max_d=2))
def test_conj_4_10_on_uut_is_caught(case):
    """Planted: the conjecture's conclusion on UUᵀ, whose Lie^{≥2}|_x meets span ∇G(x): the same
    path-independence search must find two linear-loss schedules with equal μ ending at different w."""
    G, x, a, b = case
    return endpoint_gap(G, x, (a, b))
