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
            return [[1.0, 4 * x[1]]]     # a list: what a user's G may return

    w, vjp = Tilted().value_and_vjp(np.array([0.5, -1.0]))
    assert w.tolist() == [2.5] and np.allclose(vjp(np.array([3.0])), [3.0, -12.0])
