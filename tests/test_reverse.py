"""Tests of oracles/model/reverse.py and oracles/checks/reverse.py (li2022:thm-5.1's construction) and its generators."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.integrate import quad

from generators.schedules import potentials, reverse_cases
from oracles.checks.reverse import gf_equals_mf
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.specs import decode, encode
from oracles.flows.trajectories import gradient_flow, mirror_flow
from oracles.model.losses import LeastSquares, Linear, LogCosh, Schedule
from oracles.model.parametrizations import Powers
from oracles.model.potentials import EntropyPotential
from oracles.model.reverse import _E, PerCoordinatePotential, ReverseParametrization, ScalarPotential, _E_inv

POTS = [
    ScalarPotential("entropy"),
    ScalarPotential("hypentropy", beta=0.5),
    ScalarPotential("hypentropy", beta=4.0),
    ScalarPotential("log-barrier"),
    ScalarPotential("power", p=3.0),
    ScalarPotential("power", p=1.5),
    ScalarPotential("power", p=0.5),
    ScalarPotential("power", p=-1.0),
]
IDS = [p.label for p in POTS]


def points(pot: ScalarPotential) -> np.ndarray:
    return np.array([-3.0, -0.2, 0.1, 2.5, 40.0]) if pot.name == "hypentropy" else np.array([0.05, 0.3, 1.0, 2.5, 40.0])


def test_E_and_its_inverse():
    for s in (0.0, 1e-3, 0.5, 3.0, 25.0, -7.0):
        ref = quad(lambda u: math.sqrt(math.cosh(u)), 0.0, s, epsabs=0, epsrel=1e-13)[0]
        assert abs(_E(s) - ref) <= 1e-13 * max(1.0, abs(ref))
        assert abs(_E_inv(_E(s)) - s) <= 4e-16 * max(1.0, abs(s))


@pytest.mark.parametrize("pot", POTS, ids=IDS)
def test_closed_forms(pot):
    """F' = √r'' (squared, by central differences), G = F⁻¹, g' and g'' by differences, quad route."""
    w = points(pot)
    x = pot.F(w)
    assert np.allclose(pot.G(x), w, rtol=1e-13, atol=1e-14)
    h = 1e-6 * np.maximum(1.0, np.abs(w)) * np.where(pot.name == "hypentropy", 1.0, np.minimum(1.0, w / 1e-2))
    dF = (pot.F(w + h) - pot.F(w - h)) / (2 * h)
    assert np.allclose(dF**2, pot.d2r(w), rtol=1e-6)
    hx = 1e-6 * np.maximum(1.0, np.abs(x))
    assert np.allclose((pot.G(x + hx) - pot.G(x - hx)) / (2 * hx), pot.dG(x), rtol=1e-6)
    assert np.allclose((pot.dG(x + hx) - pot.dG(x - hx)) / (2 * hx), pot.d2G(x), rtol=1e-5, atol=1e-9)
    mid = w[1:4]
    assert np.allclose(pot.F_quad(mid), pot.F(mid), rtol=1e-11, atol=1e-12)
    assert np.allclose(pot.G_quad(pot.F(mid)), mid, rtol=1e-10, atol=1e-12)
    # r', r'' and the inverse of r'
    assert np.allclose(pot.dr_inv(pot.dr(w)), w, rtol=1e-12)
    assert np.allclose((pot.r(w + h) - pot.r(w - h)) / (2 * h), pot.dr(w), rtol=1e-6)
    assert np.allclose((pot.dr(w + h) - pot.dr(w - h)) / (2 * h), pot.d2r(w), rtol=1e-6)
    assert np.allclose((pot.d2r(w + h) - pot.d2r(w - h)) / (2 * h), pot.d3r(w), rtol=1e-5)


def test_known_maps():
    w = np.array([0.5, 2.0])
    assert np.allclose(ScalarPotential("entropy").F(w), 2 * np.sqrt(w))
    assert np.allclose(ScalarPotential("entropy").G(np.array([2.0])), [1.0])
    assert np.allclose(ScalarPotential("log-barrier").G(np.array([0.0, 1.0])), [1.0, math.e])
    assert np.allclose(ScalarPotential("power", p=3.0).F(w), (2 / 3) * w**1.5)
    # the no-square-root control: F = r', G = (r')^-1
    assert np.allclose(ScalarPotential("entropy").G(np.array([0.0]), 1.0), [1.0])


def test_entropy_G_is_the_squares_map_up_to_scale():
    """G(x) = x²/4 is Powers(2) after x → x/2: the entropy R = Σ w ln w − w is 4× PowerPotential(2)."""
    pot = ScalarPotential("entropy")
    x = np.array([0.4, 1.0, 3.0])
    assert np.allclose(pot.G(x), Powers(2.0, 3).value(x / 2))
    w, w0 = np.array([0.5, 1.0, 2.0]), np.ones(3)
    assert np.allclose(PerCoordinatePotential(pot, 3).hess(w), 4 * EntropyPotential(w0, 0.25).hess(w))


def test_separable_legendre():
    R = PerCoordinatePotential([ScalarPotential("entropy"), ScalarPotential("hypentropy", beta=2.0)])
    w = np.array([0.7, -1.5])
    assert R.in_domain(w) and not R.in_domain(np.array([-0.1, 0.0])) and not R.in_domain(np.ones(3))
    assert np.allclose(R.grad_inv(R.grad(w)), w)
    assert np.allclose(np.diag(R.hess(w)), [1 / 0.7, 1 / math.hypot(1.5, 2.0)])
    with pytest.raises(Inconclusive, match="range"):
        PerCoordinatePotential(ScalarPotential("log-barrier"), 1).grad_inv(np.array([0.5]))


@pytest.mark.parametrize("pot", POTS, ids=IDS)
def test_gf_equals_mf_for_each_potential(pot):
    rng = np.random.default_rng(2)
    w0 = np.array([0.8, -0.5]) if pot.name == "hypentropy" else np.array([0.8, 1.7])
    S = Schedule(((0.3, Linear(rng.uniform(-1, 1, 2))), (0.3, LogCosh(rng.standard_normal((1, 2)), [0.5]))))
    outcome = gf_equals_mf(pot, w0, S)
    assert not outcome.falsified and outcome.discrepancy < 1e-9
    # the no-square-root control (G = (r')^-1 can reach its boundary fast: a short linear piece)
    control = gf_equals_mf(pot, w0, Schedule.constant(Linear([0.2, 0.1]), 0.2), exponent=1.0)
    assert control.falsified, pot.label


def test_mixed_potentials_and_plot():
    pots = (
        ScalarPotential("entropy"),
        ScalarPotential("hypentropy", beta=0.5),
        ScalarPotential("log-barrier"),
        ScalarPotential("power", p=0.5),
    )
    rng = np.random.default_rng(1)
    S = Schedule(
        ((0.5, LeastSquares(rng.standard_normal((2, 4)), rng.standard_normal(2))), (0.3, Linear(rng.uniform(-1, 1, 4))))
    )
    outcome = gf_equals_mf(pots, np.array([0.5, -1.0, 2.0, 1.5]), S)
    assert not outcome.falsified
    assert len(outcome.plot()) == 2


def test_gradient_flow_with_G_matches_mirror_flow_directly():
    """The same check without the oracle: oracles.flows.trajectories on the ReverseParametrization and the Legendre R."""
    pot = ScalarPotential("hypentropy", beta=0.3)
    G = ReverseParametrization(pot, d=2)
    R = G.potential
    w0 = np.array([0.2, -1.0])
    S = Schedule.constant(LeastSquares(np.array([[1.0, 2.0]]), [1.0]), 1.0)
    t = np.linspace(0, 1, 5)
    wg = gradient_flow(G, S, G.F(w0), t_eval=t, rtol=1e-12, atol=1e-14).w
    wm = mirror_flow(R, S, w0, t_eval=t, rtol=1e-12, atol=1e-14).w
    assert np.allclose(wg, wm, rtol=1e-9, atol=1e-10)


def test_reverse_parametrization_quad_and_spec_round_trip():
    pots = [ScalarPotential("hypentropy", beta=1.5), ScalarPotential("power", p=-1.0)]
    G = ReverseParametrization(pots)
    Gq = ReverseParametrization(pots, method="quad")
    x = G.F(np.array([0.4, 2.0]))
    assert np.allclose(G.value(x), Gq.value(x), rtol=1e-10)
    assert np.allclose(G.jacobian(x), Gq.jacobian(x), rtol=1e-9)
    H = G.hessians(x)
    assert H.shape == (2, 2, 2) and H[0, 1, 1] == 0.0
    back = ReverseParametrization.from_spec(G.to_spec())
    assert back.to_spec() == G.to_spec() and np.allclose(back.value(x), G.value(x))
    assert not G.in_domain(np.array([0.0, 0.5]))  # power p = -1 lives on x < 0
    assert ReverseParametrization("entropy", d=3).d == 3


def test_bad_inputs_are_named():
    with pytest.raises(InvalidInput, match="potential must be one of"):
        ScalarPotential("cosh")
    with pytest.raises(InvalidInput, match="beta"):
        ScalarPotential("hypentropy", beta=0.0)
    with pytest.raises(InvalidInput, match="p not in"):
        ScalarPotential("power", p=1.0)
    with pytest.raises(InvalidInput, match="exponent"):
        ReverseParametrization("entropy", d=2, exponent=0.7)
    with pytest.raises(InvalidInput, match="method"):
        ReverseParametrization("entropy", d=2, method="ode")
    with pytest.raises(InvalidInput, match="dimension"):
        ReverseParametrization(ScalarPotential("entropy"))
    with pytest.raises(InvalidInput, match="sequence"):
        PerCoordinatePotential([1, 2])
    S = Schedule.constant(Linear([1.0, 0.0]), 1.0)
    with pytest.raises(InvalidInput, match="outside dom R"):
        gf_equals_mf(ScalarPotential("entropy"), np.array([1.0, -1.0]), S)
    with pytest.raises(InvalidInput, match="act on R"):
        gf_equals_mf(ScalarPotential("entropy"), np.ones(3), S)
    with pytest.raises(InvalidInput, match="potentials given"):
        gf_equals_mf([ScalarPotential("entropy")], np.ones(2), S)


def test_leaving_the_domain_is_inconclusive():
    """log-barrier under a loss pushing w up: w' = w² c blows up at t = 1/(c w0)."""
    S = Schedule.constant(Linear([-2.0]), 1.0)
    with pytest.raises(Inconclusive):
        gf_equals_mf(ScalarPotential("log-barrier"), np.array([1.0]), S)


# -----------------------------------------------------------------------------------------
# generators
@settings(max_examples=50)
@given(case=reverse_cases())
def test_reverse_cases_are_valid_and_cover_all_potentials(case):
    pots, w, S = case
    assert {p.name for p in pots} == {"entropy", "hypentropy", "log-barrier", "power"}
    assert PerCoordinatePotential(pots).in_domain(w) and S.d == len(pots)
    back = decode(encode(case))
    assert back[0] == pots and np.array_equal(back[1], w) and back[2].to_spec() == S.to_spec()


@settings(max_examples=30)
@given(pot=potentials())
def test_potentials_strategy(pot):
    assert pot.name in ("entropy", "hypentropy", "log-barrier", "power")
    assert ScalarPotential.from_spec(pot.to_spec()) == pot


# -----------------------------------------------------------------------------------------
# Theorem 5.1 beyond separable R (oracles/model/embedded.py, oracles/checks/reverse.py)
from generators.parametrizations import completeness_cases, reverse_linear_cases, ridge_cases  # noqa: E402
from oracles.checks.reverse import flow_completeness, gf_equals_mf_ridge  # noqa: E402
from oracles.core.fd import central_difference  # noqa: E402
from oracles.model.embedded import RidgeEmbedding, RidgePotential, separability_defect  # noqa: E402
from oracles.model.linear_coordinatewise import LinearCoordinatewise, LinearSeparablePotential  # noqa: E402

RIDGE_POTS = [
    ScalarPotential("entropy"),
    ScalarPotential("hypentropy", beta=0.5),
    ScalarPotential("log-barrier"),
    ScalarPotential("power", p=0.5),
]
RIDGE_A = np.array([[1.0, 0.0], [0.0, 1.0], [0.7, 0.4], [0.3, 1.2]])


def test_ridge_embedding_is_isometric_and_inverts_F():
    G = RidgeEmbedding(RIDGE_POTS, RIDGE_A)
    w = np.array([1.0, 0.6])
    x = G.F(w)
    dF = central_difference(G.F, w, 1e-6).value
    assert np.allclose(dF.T @ dF, G.potential.hess(w), rtol=1e-7)
    assert np.allclose(G.value(x), w, rtol=1e-14)
    J = G.jacobian(x)
    assert np.allclose(J, np.linalg.solve(dF.T @ dF, dF.T), rtol=1e-6)  # ∂F⁺ on M: tangent to M
    assert np.allclose(J @ dF, np.eye(2), atol=1e-7)


def test_ridge_embedding_jacobian_is_exact_off_M():
    G = RidgeEmbedding(RIDGE_POTS, RIDGE_A)
    x = G.F(np.array([1.0, 0.6])) + 0.05 * np.array([0.3, -0.2, 0.5, 0.1])
    assert G.in_domain(x)
    fd = central_difference(G.value, x, 1e-5)
    assert np.abs(G.jacobian(x) - fd.value).max() <= 1e-8


def test_ridge_potential_is_not_linearly_separable_but_a_linear_one_is():
    pts = [np.array([1.0, 0.6]), np.array([1.3, 0.78]), np.array([0.7, 0.96])]
    assert separability_defect(RidgePotential(RIDGE_POTS, RIDGE_A), pts) > 1e-3
    A = np.array([[1.0, 0.5], [0.2, 1.0]])
    lin = LinearSeparablePotential(RIDGE_POTS[:2], A)
    assert separability_defect(lin, pts) < 1e-12


def test_ridge_gradient_flow_stays_on_M_and_is_the_mirror_flow():
    S = Schedule(
        (
            (0.4, LeastSquares(np.array([[1.0, -0.5], [0.3, 0.8]]), np.array([0.2, 1.0]))),
            (0.3, Linear(np.array([0.5, -1.0]))),
        )
    )
    G = RidgeEmbedding(RIDGE_POTS, RIDGE_A)
    w0 = np.array([1.0, 0.6])
    t = np.linspace(0.0, 0.7, 5)
    gf = gradient_flow(G, S, G.F(w0), t_eval=t, rtol=1e-11, atol=1e-14)
    mf = mirror_flow(G.potential, S, w0, t_eval=t, rtol=1e-11, atol=1e-14)
    assert np.abs(gf.w - mf.w).max() <= 1e-9
    assert np.abs(G.F(gf.w[-1]) - gf.x[-1]).max() <= 1e-9
    assert gf_equals_mf_ridge(RIDGE_POTS, RIDGE_A, w0, S).discrepancy <= 1e-9
    planted = gf_equals_mf_ridge(RIDGE_POTS, RIDGE_A, w0, S, tangent=False)
    assert planted.discrepancy > 1e3 * planted.budget


def test_flow_completeness_decides_both_ways():
    """Entropy (a mirror map): no shortfall; log-barrier: the closed-form t* = 1/u (G = eˣ) is the witness."""
    ent = LinearCoordinatewise([ScalarPotential("entropy")], [[1.0]])
    out = flow_completeness(ent, ent.point_of([0.5]), 0, 2.0)
    assert out.discrepancy <= out.budget and out.details["shortfall"] == [0.0, 0.0]
    lb = LinearCoordinatewise([ScalarPotential("log-barrier")], [[1.0]])
    out = flow_completeness(lb, lb.point_of([2.0]), 0, 2.0)  # r' = −1/w: −1/2 + t reaches 0 at t* = 1/2
    assert out.details["horizon"][1] == pytest.approx(0.5) and out.details["shortfall"][0] == pytest.approx(0.75)
    assert out.discrepancy > 1e6 * out.budget and "+T" in out.details["stops"]


@settings(max_examples=20, deadline=None)
@given(case=reverse_linear_cases())
def test_reverse_linear_cases_are_in_dom_R(case):
    pots, A, O, w, S = case
    assert (
        LinearSeparablePotential(pots, A).in_domain(w) and S.d == len(pots) and not np.allclose(A, np.diag(np.diag(A)))
    )


@settings(max_examples=20, deadline=None)
@given(case=ridge_cases())
def test_ridge_cases_are_in_dom_R_with_more_ridges_than_dimensions(case):
    pots, A, w, S = case
    assert A.shape[0] > A.shape[1] and RidgePotential(pots, A).in_domain(w)


@settings(max_examples=20, deadline=None)
@given(case=completeness_cases("log-barrier"))
def test_completeness_cases_start_on_M(case):
    G, x, i, T = case
    assert G.in_domain(x) and 0 <= i < G.d and G.potentials[0].name == "log-barrier"


def test_flow_completeness_on_the_ridge_embedding_of_a_mirror_map():
    pots = [ScalarPotential("entropy"), ScalarPotential("hypentropy", beta=0.5), ScalarPotential("entropy")]
    G = RidgeEmbedding(pots, np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.3]]))
    out = flow_completeness(G, G.F(np.array([0.8, 1.5])), 1, 2.5)
    assert out.discrepancy <= out.budget and out.details["ceased_at"] == [] and len(out.details["gap"]) == 2


def test_restriction_commutes_on_M_and_the_planted_G_leaves_it():
    from oracles.checks.reverse import restriction_commutes

    w = np.array([1.0, 0.6])
    G = RidgeEmbedding(RIDGE_POTS, RIDGE_A)
    out = restriction_commutes(G, G.F(w), 0, 1, 0.3, -0.2)
    assert out.discrepancy <= out.budget
    bad = RidgeEmbedding(RIDGE_POTS, RIDGE_A, tangent=False)
    out = restriction_commutes(bad, bad.F(w), 0, 1, 0.3, -0.2)
    assert out.discrepancy > 1e3 * out.budget and "distance to M" in out.what
    with pytest.raises(InvalidInput):
        restriction_commutes(G, G.F(w) + 0.1, 0, 1, 0.3, -0.2)
