"""Tests of oracles.checks.convergence: the Łojasiewicz certificate, the non-convergence witness, and how the
li2022 convergence oracles use them (issue 22 §1)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from oracles.checks.convergence import (
    CERTIFIED,
    convergence_outcome,
    divergence_witness,
    escape,
    lojasiewicz_tail,
    no_vi_point_certificate,
    recession_cone,
)
from oracles.checks.limits import gf_limit_minimizes, gf_limit_stationarity, gf_limit_vs_projection
from oracles.convex.references import min_l2_interpolant
from oracles.core.errors import Inconclusive
from oracles.flows.limits import FlowLimit, gradient_flow_limit, identity_least_squares_limit
from oracles.model.losses import ExponentialLoss, LeastSquares, LogCosh
from oracles.model.parametrizations import Identity, Powers, Quadratic, UVSquared

RNG = np.random.default_rng(22)


def _separable(d: int, n: int = 4):
    a = RNG.uniform(0.2, 1.0, d)
    a /= np.linalg.norm(a)
    Zc = np.array([RNG.uniform(0.3, 1.0) * a + (p - (p @ a) * a) for p in RNG.standard_normal((n, d))])
    y = RNG.choice([-1.0, 1.0], n)
    return y[:, None] * Zc, y


def test_tail_bound_covers_the_distance_to_the_true_limit():
    """Stopped early (change_tol 1e-4), the certified tail bound still bounds the true distance to the limit
    (the identity's limit is known exactly: the interpolant nearest w0)."""
    for _ in range(20):
        Z, Y, w0 = RNG.standard_normal((2, 4)), RNG.standard_normal(2), RNG.standard_normal(4)
        lim = gradient_flow_limit(Identity(4), LogCosh(Z, Y), w0, change_tol=1e-4, **CERTIFIED)
        tail = lojasiewicz_tail(lim, float(np.linalg.norm(w0)))
        true = np.linalg.norm(lim.w - min_l2_interpolant(Z, Y, w0).x) / max(np.linalg.norm(lim.w), np.linalg.norm(w0))
        assert math.isfinite(tail.bound) and tail.exponent > 1
        assert true <= tail.bound * (1 + 1e-6) + 1e-12


def test_settled_limits_are_certified():
    Z, Y = RNG.standard_normal((2, 3)), RNG.standard_normal(2)
    lim = gradient_flow_limit(UVSquared(3), LeastSquares(Z, Y), RNG.uniform(0.3, 1.5, 6), **CERTIFIED)
    out = convergence_outcome(lim, 1.0)
    assert out.inconclusive is None and out.discrepancy == 0.0 and out.details["convergence"] == "certified"
    lim = identity_least_squares_limit(Z, Y, np.zeros(3), t0=1 / 64, min_horizons=3)
    assert convergence_outcome(lim, 1.0).inconclusive is None


def test_a_speed_decaying_like_one_over_t_is_not_certified():
    """‖ẇ‖ = 1/t (the log-growth of a diverging flow): the path length is infinite, no tail bound."""
    ts = 2.0 ** (np.arange(-24, 81) / 4)
    lim = FlowLimit(
        np.ones(2),
        np.ones(2),
        float(ts[-1]),
        1e-12,
        0.0,
        1e-12,
        0.0,
        0,
        "synthetic",
        speeds=[[t, 1.0 / t, 0.0] for t in ts],
    )
    tail = lojasiewicz_tail(lim)
    assert tail.bound == math.inf and "not faster than 1/t" in tail.reason
    out = convergence_outcome(lim)
    assert out.inconclusive == "not converged" and out.details["detail"].startswith("convergence not certified")


def test_witness_only_where_no_vi_point_exists():
    X, y = _separable(3)
    assert no_vi_point_certificate(Identity(3), ExponentialLoss(X, y))["margin"] > 0
    assert no_vi_point_certificate(Identity(3), LeastSquares(X, y)) is None  # least squares has minimizers
    # not separable: z = (1, -1) along one axis, a finite minimizer exists
    assert (
        no_vi_point_certificate(Identity(1), ExponentialLoss(np.array([[1.0], [-1.0]]), np.array([1.0, 1.0]))) is None
    )
    # separable only by a negative direction: on dom R = R>=0 the point w = 0 satisfies the inequality
    assert no_vi_point_certificate(Powers(2.0, 1), ExponentialLoss(np.array([[-1.0]]), np.array([1.0]))) is None
    assert no_vi_point_certificate(UVSquared(1), ExponentialLoss(np.array([[-1.0]]), np.array([1.0]))) is not None


def test_recession_cone_of_a_commuting_quadratic_is_spanned_by_its_eigenvalue_columns():
    O = np.linalg.qr(RNG.standard_normal((3, 3)))[0]
    Lam = np.array([[1.0, 0.0, 0.3], [0.0, 1.0, 0.5]])
    G = Quadratic(np.einsum("ab,ib,cb->iac", O, Lam, O))
    C, free = recession_cone(G)
    assert not free and C.shape == (2, 3)
    Ob = G.common_eigenbasis()[0]
    for x in RNG.standard_normal((5, 3)):  # G(x) = ½ Σ_b λ_b (Oᵀx)_b² lies in the cone
        assert np.allclose(C @ (0.5 * (Ob.T @ x) ** 2), G.value(x))
    assert sorted(map(tuple, np.round(C.T, 12))) == sorted(map(tuple, np.round(Lam.T, 12)))


def test_escape_radius_is_a_lower_bound_on_the_norm_and_grows_like_log_t():
    X, y = _separable(2)
    for G, x0 in ((Identity(2), np.zeros(2)), (UVSquared(2), np.full(4, 0.5)), (Powers(2.0, 2), np.full(2, 0.5))):
        esc = escape(G, ExponentialLoss(X, y), x0, decades=40)
        assert np.all(np.array(esc.norms) >= np.array(esc.radii) - 1e-9)
        assert esc.delta > 0.9 and esc.error < 1e-6
        assert esc.radii[-1] > esc.radii[20] + 10 * math.log(10) / max(np.linalg.norm(X, axis=1))  # ~ ln t / zeta


def test_the_convergence_controls_are_decided_by_the_witness():
    """The planted non-convergent cases are falsified by the witness (details say 'refuted'), never untested."""
    X, y = _separable(2)
    loss = ExponentialLoss(X, y)
    for out in (
        gf_limit_stationarity(UVSquared(2), loss, np.full(4, 0.7)),
        gf_limit_minimizes(Identity(2), loss, np.zeros(2)),
        gf_limit_vs_projection(UVSquared(2), loss, np.full(4, 0.7), convergence="claim"),
    ):
        assert out.inconclusive is None and out.discrepancy > out.budget and out.details["convergence"] == "refuted"
    # where convergence is only a hypothesis (Thm 4.16), the same flow is outside the theorem
    with pytest.raises(Inconclusive, match="premise fails: the flow provably does not converge"):
        gf_limit_vs_projection(UVSquared(2), loss, np.full(4, 0.7), convergence="hypothesis")
    assert divergence_witness(UVSquared(2), LeastSquares(X, y), np.full(4, 0.7)) is None


def test_the_ridge_bump_traps_a_flow_past_the_bump_and_only_there():
    """RidgeBump: a flow started past the bump is decided non-convergent by the trap witness; one started in the
    valley has no witness (it converges to argmin L); the escape radius inverts φ on s > 1."""
    from oracles.checks.convergence import trap_certificate
    from oracles.model.nonconvex_losses import BARRIER, RidgeBump

    a = np.array([0.6, 0.8])
    L = RidgeBump(a)
    assert trap_certificate(Identity(2), L, 1.5 * a) is not None
    assert trap_certificate(Identity(2), L, 0.5 * a) is None and trap_certificate(Identity(2), L, a) is None
    assert (
        trap_certificate(Powers(2.0, 2), RidgeBump(np.array([0.6, -0.8])), np.array([1.5, 0.1])) is None
    )  # u not in ℝ≥0²
    s = L.escape_radius(1e-30)
    assert s > 1 and math.isclose(s * s * math.exp(-s * s), 1e-30, rel_tol=1e-10)
    assert L.escape_radius(2 * BARRIER) == 0.0
    out = gf_limit_stationarity(UVSquared(2), L, np.array([1.3, 1.4, 0.3, 0.2]))
    assert out.details["convergence"] == "refuted" and out.discrepancy > 0.5 > 1e3 * out.budget
    esc = escape(Identity(2), L, 1.5 * a, decades=40)
    assert np.all(np.array(esc.norms) >= np.array(esc.radii) - 1e-9)
