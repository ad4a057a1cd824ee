"""The pullback contract: ``value_and_vjp(x)`` is ``(G(x), g ↦ gᵀ∂G(x))`` for every family.

Gradient flow uses only the pullback; the families that override it (coordinatewise, u⊙2 − v⊙2,
identity, deep products, Hopf charts) must agree with their own Jacobian, which the other tests check
against finite differences.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.arrays import vectors
from generators.lie import hopf_cases
from generators.parametrizations import commuting_families, inits, matrix_factorizations, separable_families
from generators.schedules import reverse_cases
from oracles.model.deep import DeepProduct
from oracles.model.parametrizations import Parametrization
from oracles.model.reverse import ReverseParametrization


def assert_pullback_matches_jacobian(G: Parametrization, x: np.ndarray, g: np.ndarray) -> None:
    w, vjp = G.value_and_vjp(x)
    J = np.asarray(G.jacobian(x), dtype=float)
    scale = float(np.abs(g) @ np.abs(J).sum(axis=1)) + 1e-300
    assert np.allclose(w, G.value(x), rtol=1e-13, atol=1e-13 * float(np.abs(w).max(initial=1.0)))
    assert np.abs(vjp(g) - g @ J).max() <= 1e-13 * scale


@st.composite
def family_points(draw):
    G = draw(st.one_of(separable_families(), commuting_families(), matrix_factorizations()))
    return G, draw(inits(G))


@settings(max_examples=60)
@given(case=family_points(), data=st.data())
def test_pullback_of_the_closed_form_families(case, data):
    G, x = case
    assert_pullback_matches_jacobian(G, x, data.draw(vectors(G.d, 0.0, 3.0)))


@settings(max_examples=30)
@given(n=st.integers(1, 3), depth=st.integers(1, 4), data=st.data())
def test_pullback_of_deep_products(n, depth, data):
    G = DeepProduct(n, depth)
    assert_pullback_matches_jacobian(G, data.draw(vectors(G.D, 0.0, 2.0)), data.draw(vectors(G.d, 0.0, 2.0)))


@settings(max_examples=30)
@given(case=hopf_cases(), data=st.data())
def test_pullback_of_hopf_charts(case, data):
    fam, x = case
    assert_pullback_matches_jacobian(fam.build(), x, data.draw(vectors(2, 0.0, 2.0)))


@settings(max_examples=20)
@given(case=reverse_cases(), data=st.data())
def test_pullback_of_the_reverse_parametrization(case, data):
    potentials, w_init, _ = case
    G = ReverseParametrization(list(potentials))
    assert_pullback_matches_jacobian(G, G.F(w_init), data.draw(vectors(G.d, 0.0, 2.0)))


def test_the_default_pullback_uses_the_jacobian():
    class Tilted(Parametrization):
        D, d, name = 2, 1, "tilted"

        def value(self, x):
            return np.array([x[0] + 2 * x[1] ** 2])

        def jacobian(self, x):
            return [[1.0, 4 * x[1]]]  # a list: what a user's G may return

    w, vjp = Tilted().value_and_vjp(np.array([0.5, -1.0]))
    assert w.tolist() == [2.5] and np.allclose(vjp(np.array([3.0])), [3.0, -12.0])


# -----------------------------------------------------------------------------------------
# G = P·g(Bx) (oracles/model/linear_coordinatewise.py)
from generators.parametrizations import linear_coordinatewise  # noqa: E402
from oracles.core.fd import central_difference  # noqa: E402
from oracles.core.specs import decode, encode  # noqa: E402
from oracles.flows.legendre import potential_of  # noqa: E402
from oracles.flows.trajectories import field_flow, psi  # noqa: E402
from oracles.lie.brackets import max_bracket  # noqa: E402
from oracles.model.linear_coordinatewise import LinearCoordinatewise, LinearSeparablePotential  # noqa: E402


@st.composite
def linear_points(draw, commuting=True):
    G = draw(linear_coordinatewise(commuting=commuting))
    return G, draw(inits(G))


@settings(max_examples=40, deadline=None)
@given(case=st.one_of(linear_points(True), linear_points(False)), data=st.data())
def test_linear_coordinatewise_derivatives_and_pullback(case, data):
    """Jacobian and Hessians against central differences; the pullback against the Jacobian; the spec round trip."""
    G, x = case
    assert G.in_domain(x)
    h = 1e-5 * max(1.0, float(np.abs(x).max()))
    J = central_difference(G.value, x, h)
    assert np.abs(G.jacobian(x) - J.value).max() <= 1e-6 * max(1.0, float(np.abs(J.value).max()))
    H = central_difference(G.jacobian, x, h)
    assert np.abs(G.hessians(x) - H.value).max() <= 1e-5 * max(1.0, float(np.abs(H.value).max()))
    assert_pullback_matches_jacobian(G, x, data.draw(vectors(G.d, 0.0, 2.0)))
    again = decode(encode(G))
    assert isinstance(again, LinearCoordinatewise) and np.array_equal(again.value(x), G.value(x))


@settings(max_examples=30, deadline=None)
@given(case=linear_points(True), data=st.data())
def test_commuting_linear_coordinatewise_is_commuting_with_closed_forms(case, data):
    """Brackets vanish; the closed-form flows match integrated ones; Lemma 4.7's R in closed form satisfies
    ∇R(G(ψ(x; μ))) = μ and ∇²R = (∂G∂Gᵀ)⁻¹; the drawn family meets Assumption 3.5."""
    G, x = case
    assert G.commuting and G.satisfies_assumption_3_5()
    J, H = G.jacobian(x), G.hessians(x)
    assert max_bracket(G, x) <= 1e-12 * max(1.0, float(np.linalg.norm(H)) * float(np.linalg.norm(J)))
    i = data.draw(st.integers(0, G.d - 1))
    t = data.draw(st.floats(-0.3, 0.3))
    lo, hi = G.flow_horizon(i, x)
    if lo < t < hi:
        a, b = field_flow(G, i, t, x), field_flow(G, i, t, x, method="ode", rtol=1e-12)
        assert np.abs(a - b).max() <= 1e-8 * max(1.0, float(np.abs(a).max()))
    R = potential_of(G, x)
    assert isinstance(R, LinearSeparablePotential)
    mu = data.draw(vectors(G.d, 0.0, 0.2))
    try:
        xp = psi(G, x, mu)
    except Exception:  # μ outside U(x) for a one-sided coordinate
        return
    w = G.value(xp)
    assert np.allclose(R.grad(w), mu, atol=1e-9)
    assert np.allclose(R.grad_inv(mu), w, rtol=1e-9, atol=1e-9)
    Hinv = np.linalg.inv(G.gram(xp))
    assert np.abs(R.hess(w) - Hinv).max() <= 1e-8 * float(np.abs(Hinv).max())


def test_non_commuting_linear_coordinatewise_has_a_bracket():
    from oracles.model.reverse import ScalarPotential

    G = LinearCoordinatewise([ScalarPotential("entropy"), ScalarPotential("log-barrier")], [[1.0, 0.0], [0.5, 1.0]])
    x = G.point_of(np.array([1.0, 2.0]))
    assert not G.commuting and G.flow(0, 0.1, x) is None
    assert max_bracket(G, x) > 0.1


def test_one_sided_coordinates_moved_by_two_fields_break_assumption_3_5():
    """A log-barrier coordinate moved by both fields (P's column has two entries): U_ij is not symmetric."""
    from oracles.model.reverse import ScalarPotential

    G = LinearCoordinatewise(
        [ScalarPotential("entropy"), ScalarPotential("log-barrier")], np.eye(2), [[1.0, -1.0], [0.0, 2.0]]
    )
    assert G.commuting and not G.satisfies_assumption_3_5()
