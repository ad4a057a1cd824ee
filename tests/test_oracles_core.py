"""Tests of the core oracles: parametrizations, flows, Legendre functions, brackets, specs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.specs import decode, encode
from oracles.flows.legendre import LemmaLegendre, potential_of
from oracles.flows.trajectories import field_flow, gradient_flow, mirror_flow, psi
from oracles.lie.brackets import bracket, quadratic_bracket
from oracles.model.losses import LeastSquares, Linear, Schedule
from oracles.model.parametrizations import (
    Identity,
    Powers,
    Quadratic,
    UVSquared,
    factorization,
    symmetric_factorization,
)
from oracles.model.potentials import EntropyPotential, EuclideanPotential, HypentropyPotential, PowerPotential

FAMILIES = [
    Identity(2),
    Powers(2.0, 2),
    Powers(1.5, 2),
    Powers(3.0, 2),
    UVSquared(2),
    Quadratic(np.array([np.diag([1.0, 2.0]), np.diag([-0.5, 1.0])])),
]


@pytest.mark.parametrize("G", FAMILIES, ids=lambda G: G.name)
def test_closed_form_flows_agree_with_integration(G):
    x = np.linspace(0.6, 1.2, G.D)
    for i in range(G.d):
        for t in (-0.2, 0.05):
            exact = field_flow(G, i, t, x)
            ode = field_flow(G, i, t, x, method="ode", rtol=1e-12, atol=1e-14)
            assert np.linalg.norm(exact - ode) <= 1e-9 * np.linalg.norm(exact)


def test_cubic_flow_blows_up_inconclusively():
    G = Powers(3.0, 1)
    with pytest.raises(Inconclusive) as exc:
        field_flow(G, 0, 10.0, np.array([1.0]))
    assert exc.value.reason == "blow-up"
    with pytest.raises(Inconclusive):
        field_flow(G, 0, 10.0, np.array([1.0]), method="ode")


def test_gradient_flow_mu_is_the_integral_of_minus_the_gradient():
    c = np.array([0.3, -0.7])
    sched = Schedule(((0.5, Linear(c)), (0.25, Linear(-2 * c))))
    res = gradient_flow(UVSquared(2), sched, np.ones(4))
    assert np.allclose(res.mu[-1], -(0.5 * c - 0.5 * c), atol=1e-12)
    assert np.allclose(res.mu[0], 0.0)


X_INIT = np.array([0.7, 1.3])
LEGENDRES = [
    EuclideanPotential(np.array([0.5, -1.0])),
    EntropyPotential(X_INIT**2, 0.25),
    PowerPotential(3.0, X_INIT**3),
    PowerPotential(1.5, X_INIT**1.5),
    HypentropyPotential(np.array([0.7, 1.3]), np.array([1.1, 0.2])),
]


@pytest.mark.parametrize("R", LEGENDRES, ids=lambda R: R.name)
def test_legendre_closed_forms_are_consistent(R):
    w = np.array([0.9, 1.1])
    assert np.allclose(R.grad_inv(R.grad(w)), w, rtol=1e-12)
    h = 1e-6
    fd_grad = np.array([(R.value(w + h * e) - R.value(w - h * e)) / (2 * h) for e in np.eye(2)])
    fd_hess = np.array([(R.grad(w + h * e) - R.grad(w - h * e)) / (2 * h) for e in np.eye(2)]).T
    assert np.allclose(fd_grad, R.grad(w), atol=1e-8)
    assert np.allclose(fd_hess, R.hess(w), atol=1e-7)


def test_lemma_construction_matches_the_hypentropy():
    G, x0 = UVSquared(2), np.array([0.7, 1.3, 1.1, 0.2])
    L, H = LemmaLegendre(G, x0), potential_of(G, x0)
    w = np.array([0.3, -0.4])
    assert np.allclose(L.grad(w), H.grad(w), atol=1e-12)
    assert np.allclose(L.hess(w), H.hess(w), rtol=1e-9)
    assert abs((L.value(w) - L.value(G.value(x0))) - (H.value(w) - H.value(G.value(x0)))) < 1e-10


def test_mirror_flow_with_closed_form_r_matches_gradient_flow():
    G, x0 = UVSquared(2), np.array([0.7, 1.3, 1.1, 0.2])
    sched = Schedule.constant(LeastSquares(np.array([[1.0, 2.0]]), np.array([1.0])), 1.0)
    gf = gradient_flow(G, sched, x0)
    mf = mirror_flow(potential_of(G, x0), sched, G.value(x0))
    assert np.allclose(gf.w, mf.w, atol=1e-9)


def test_quadratic_bracket_of_uut_by_hand():
    # d = 2, r = 1: G = (u1², u1u2, u2²) with A_00 = diag(2, 0), A_01 = [[0,1],[1,0]], A_11 = diag(0, 2)
    G = symmetric_factorization(2, 1)
    x = np.array([1.0, 2.0])
    # [∇G_00, ∇G_01](x) = (A_01 A_00 − A_00 A_01) x = [[0,-2],[2,0]] x
    assert np.allclose(bracket(G, 0, 1, x), [-4.0, 2.0])
    assert np.allclose(quadratic_bracket(G.A[0], G.A[1], x), [-4.0, 2.0])


def test_factorization_values():
    G = factorization(2, 3, 2)
    U, V = np.arange(4.0).reshape(2, 2, order="F"), np.arange(6.0).reshape(3, 2, order="F") + 1
    x = np.concatenate([U.ravel(order="F"), V.ravel(order="F")])
    assert np.allclose(G.value(x), (U @ V.T).ravel())


def test_psi_in_shared_eigenbasis_matches_expm():
    from scipy.linalg import expm

    O = np.linalg.qr(np.arange(9.0).reshape(3, 3) + np.eye(3))[0]
    A = np.array([O @ np.diag(l) @ O.T for l in ([1.0, -0.5, 2.0], [0.3, 0.3, -1.0])])
    G, x, mu = Quadratic(A), np.array([1.0, -0.5, 0.25]), np.array([0.7, -0.4])
    assert np.allclose(psi(G, x, mu), expm(mu[0] * A[0] + mu[1] * A[1]) @ x, rtol=1e-12)


@pytest.mark.parametrize(
    "bad, message",
    [
        (lambda: Identity(2).check_point([np.nan, 1.0]), "non-finite"),
        (lambda: Identity(2).check_point([1.0, 2.0, 3.0]), "length 2"),
        (lambda: UVSquared(1).check_point([1.0, -1.0]), "outside the domain"),
        (lambda: Quadratic(np.array([[[0.0, 1.0], [0.0, 0.0]]])), "symmetric"),
        (lambda: Quadratic(np.ones((2, 2))), "shape"),
        (lambda: Powers(0.5, 2), "exceed 1"),
        (lambda: Schedule(((1.0, Linear([1.0])), (1.0, Linear([1.0, 2.0])))), r"R\^2"),
        (lambda: gradient_flow(Identity(2), Schedule.constant(Linear([1.0]), 1.0), [0.0, 0.0]), r"R\^1"),
        (lambda: field_flow(Identity(2), 5, 1.0, [0.0, 0.0]), "field index"),
        (lambda: LeastSquares(np.ones((2, 3)), np.ones(3)), "length 2"),
    ],
)
def test_bad_input_gets_a_clear_error(bad, message):
    with pytest.raises(InvalidInput, match=message):
        bad()


class _Broken(Identity):
    def __init__(self, d, what):
        super().__init__(d)
        self.what = what

    def value(self, x):
        return np.full(self.d, np.nan) if self.what == "nan" else np.zeros(self.d + 1)


@pytest.mark.parametrize("what, message", [("nan", "non-finite"), ("shape", r"expected \(2,\)")])
def test_a_broken_user_parametrization_is_named(what, message):
    with pytest.raises(InvalidInput, match=message):
        gradient_flow(_Broken(2, what), Schedule.constant(Linear([1.0, 0.0]), 1.0), [0.5, 0.5])


def test_specs_round_trip_is_exact():
    x = np.array([0.1 + 0.2, 1 / 3, math.pi * 1e-300])
    example = {
        "G": symmetric_factorization(2, 1),
        "x": x,
        "sched": Schedule.constant(Linear([1 / 7, 2 / 3, 0.1]), 0.3),
        "pair": (1, 2.5),
    }
    back = decode(json.loads(json.dumps(encode(example))))
    assert np.array_equal(back["x"], x)
    assert np.array_equal(back["G"].A, example["G"].A)
    assert back["sched"].pieces[0][1].c.tolist() == [1 / 7, 2 / 3, 0.1]
    assert back["pair"] == (1, 2.5)


def test_lemma_legendre_at_a_diverged_dual_point_is_inconclusive():
    """Found by make falsify: a dual Newton iterate overflowed to NaN inside the Bregman projection of
    li2022:thm-4.15d; ψ rightly rejects a NaN μ from a caller, but from inside a solver it is a breakdown."""
    G = Quadratic(np.array([np.diag([1.0, 2.0]), np.diag([-0.5, 1.0])]))
    L = LemmaLegendre(G, np.array([1.0, 1.0]))
    with pytest.raises(Inconclusive, match="non-finite dual point"):
        L.grad_inv(np.array([np.nan, 0.0]))
    with pytest.raises(Inconclusive, match="blow-up"):
        L.grad_inv(np.array([1e3, 0.0]))
    with pytest.raises(InvalidInput):
        psi(G, np.array([1.0, 1.0]), np.array([np.nan, 0.0]))


# -- budgets: non-negative, and they say what set them ------------------------------------------------
from oracles.core.outcome import Budget, Outcome, budget_from_error, compare, worst  # noqa: E402


@pytest.mark.parametrize("kwargs, name", [({"budget": -1e-9}, "budget"), ({"error": -1e-12}, "error")])
def test_a_negative_budget_or_error_is_refused(kwargs, name):
    """A negative budget falsified even an exact match; a negative error estimate is not a size (issue 27)."""
    args = {"discrepancy": 0.0, "budget": 1e-9, "error": 0.0} | kwargs
    with pytest.raises(InvalidInput, match=f"Outcome.{name} must not be negative"):
        Outcome(**args)
    for bad in ({"error": -1e-12}, {"error": 0.0, "floor": -1.0}):
        with pytest.raises(InvalidInput, match="must not be negative"):
            budget_from_error(**bad)
    assert Outcome(-0.5, 1e-9, 0.0).discrepancy == -0.5  # a negative discrepancy is a measurement


def test_the_outcome_says_what_set_its_budget():
    """budget_from_error says whether the floor or 10 x error won; Outcome reads it (issue 26)."""
    by_floor, by_error = budget_from_error(1e-12, 1e-9), budget_from_error(1e-6, 1e-9)
    assert (by_floor, by_floor.set_by) == (1e-9, "floor") and (by_error, by_error.set_by) == (10 * 1e-6, "error")
    assert isinstance(by_error, float) and json.loads(json.dumps(by_error)) == 10 * 1e-6 and type(by_error * 2) is float
    assert Outcome(0.0, by_floor, 1e-12).budget_set_by == "floor"
    assert Outcome(0.0, by_error, 1e-6).budget_set_by == "error"
    assert Outcome(0.0, 1e-9, 0.0).budget_set_by is None  # a bare float says nothing
    assert Outcome(0.0, 1e-3, 0.0, budget_set_by="certificate").budget_set_by == "certificate"
    with pytest.raises(InvalidInput, match="budget_set_by"):
        Outcome(0.0, 1e-3, 0.0, budget_set_by="guess")
    assert compare(np.ones(2), np.ones(2), error=1e-3).budget_set_by == "error"
    cert = Outcome(0.5, 1.0, 0.0, budget_set_by="certificate")
    assert worst(compare(np.ones(2), np.ones(2)), cert).budget_set_by == "certificate"
    import pickle

    assert pickle.loads(pickle.dumps(by_error)).set_by == "error" and isinstance(by_error, Budget)
