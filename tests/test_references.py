"""Tests of oracles.convex.references (min-ℓ2, basis pursuit, max margin) and of the closed-form / integrated
flow limits of oracles.flows.limits that the statements compare with them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from oracles.convex.bregman import bregman_projection
from oracles.convex.references import basis_pursuit, max_margin, min_l2_interpolant
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.flows.limits import (
    gradient_flow_limit,
    identity_least_squares_flow,
    identity_least_squares_limit,
    mirror_flow_limit,
)
from oracles.flows.trajectories import gradient_flow
from oracles.model.losses import ExponentialLoss, LeastSquares, LogCosh, SaturatingSquares, Schedule, loss_hessian
from oracles.model.parametrizations import UVSquared
from oracles.model.potentials import HypentropyPotential

RNG = np.random.default_rng(17)


# ----------------------------------------------------------------------------------------- min-ℓ2
def test_min_l2_is_the_pseudoinverse_solution():
    Z, Y = RNG.standard_normal((3, 8)), RNG.standard_normal(3)
    ref = min_l2_interpolant(Z, Y)
    assert np.allclose(ref.x, np.linalg.pinv(Z) @ Y, rtol=1e-12)
    assert ref.kkt < 1e-14 and ref.error < 1e-13


def test_min_l2_from_an_offset():
    Z, Y, w0 = RNG.standard_normal((2, 5)), RNG.standard_normal(2), RNG.standard_normal(5)
    ref = min_l2_interpolant(Z, Y, w0)
    assert np.allclose(Z @ ref.x, Y, rtol=1e-13)
    assert np.allclose(np.linalg.pinv(Z) @ Z @ (ref.x - w0), ref.x - w0, rtol=1e-12)  # in range(Zᵀ)


def test_min_l2_inconsistent_data():
    with pytest.raises(InvalidInput, match="not in the range"):
        min_l2_interpolant(np.ones((2, 3)), np.array([1.0, 2.0]))


# ----------------------------------------------------------------------------------------- basis pursuit
def test_basis_pursuit_recovers_a_sparse_vector():
    A = RNG.standard_normal((20, 40))
    x = np.zeros(40)
    x[[3, 17, 30]] = [1.5, -2.0, 0.7]
    ref = basis_pursuit(A, A @ x)
    assert np.allclose(ref.x, x, atol=1e-8)
    assert ref.kkt < 1e-8 and ref.details["unique"]


def test_nonnegative_basis_pursuit():
    A = RNG.standard_normal((10, 30))
    x = np.zeros(30)
    x[[2, 11]] = [1.0, 3.0]
    ref = basis_pursuit(A, A @ x, nonneg=True)
    assert np.allclose(ref.x, x, atol=1e-8) and np.all(ref.x >= 0)
    assert ref.kkt < 1e-8
    assert math.isclose(ref.details["objective"], 4.0, rel_tol=1e-9)


def test_basis_pursuit_uniqueness_flag():
    """x1 + x2 = 1, x >= 0: every point of the segment is optimal."""
    ref = basis_pursuit(np.array([[1.0, 1.0]]), np.array([1.0]), nonneg=True)
    assert not ref.details["unique"]
    assert math.isclose(ref.details["objective"], 1.0, rel_tol=1e-12)
    quick = basis_pursuit(np.array([[1.0, 1.0]]), np.array([1.0]), nonneg=True, uniqueness=False)
    assert quick.details["unique"] is None and quick.details["objective"] == ref.details["objective"]


def test_basis_pursuit_infeasible():
    with pytest.raises(InvalidInput, match="infeasible"):
        basis_pursuit(np.array([[1.0, 1.0]]), np.array([-1.0]), nonneg=True)


# ----------------------------------------------------------------------------------------- max margin
def test_max_margin_known_answer():
    """(1, 0) and (2, 1) labelled +1, (−1, 0) labelled −1: the SVM through 0 is the first axis, margin 1."""
    X = np.array([[1.0, 0.0], [2.0, 1.0], [-1.0, 0.0]])
    y = np.array([1.0, 1.0, -1.0])
    mm = max_margin(X, y)
    assert np.allclose(mm.direction, [1.0, 0.0], atol=1e-12)
    assert math.isclose(mm.margin, 1.0, rel_tol=1e-12)
    assert mm.kkt < 1e-12 and set(mm.support.tolist()) <= {0, 2}


def test_max_margin_random_data_kkt():
    X = RNG.standard_normal((12, 3))
    y = np.sign(X @ np.array([1.0, -2.0, 0.5]))
    mm = max_margin(X, y)
    assert mm.kkt < 1e-9
    assert np.min(y * (X @ mm.w)) > 1 - 1e-9


def test_max_margin_more_support_vectors_than_dimensions():
    """Four points on the margin in the plane: the dual is not unique, the polish still solves KKT."""
    X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0], [3.0, 0.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0, 1.0])
    mm = max_margin(X, y)
    assert np.allclose(mm.direction, [1.0, 0.0], atol=1e-10) and mm.kkt < 1e-10


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.array([[1.0, 0.0], [2.0, 0.0]]), np.array([1.0, -1.0]), "not linearly separable"),
        (np.array([[1.0, 0.0]]), np.array([0.5]), "labels"),
    ],
)
def test_max_margin_bad_input(X, y, message):
    with pytest.raises(InvalidInput, match=message):
        max_margin(X, y)


# ----------------------------------------------------------------------------------------- flows and limits
def test_identity_least_squares_flow_matches_integration():
    Z, Y, w0 = RNG.standard_normal((2, 4)), RNG.standard_normal(2), RNG.standard_normal(4)
    sol = solve_ivp(lambda t, w: -Z.T @ (Z @ w - Y), (0, 3.0), w0, rtol=1e-12, atol=1e-14, method="DOP853")
    assert np.allclose(identity_least_squares_flow(Z, Y, w0, 3.0), sol.y[:, -1], rtol=1e-10)


def test_identity_least_squares_limit_is_the_nearest_interpolant():
    Z, Y, w0 = RNG.standard_normal((2, 5)), RNG.standard_normal(2), RNG.standard_normal(5)
    lim = identity_least_squares_limit(Z, Y, w0)
    assert np.allclose(lim.w, min_l2_interpolant(Z, Y, w0).x, rtol=1e-12)
    assert lim.error < 1e-12


def test_gradient_flow_limit_agrees_with_flows_gradient_flow_at_finite_time():
    """The LSODA integrator of oracles.flows.limits and oracles.flows.gradient_flow (DOP853) give the same w(T)."""
    G = UVSquared(3)
    Z, Y = RNG.standard_normal((2, 3)), RNG.standard_normal(2)
    x0 = RNG.uniform(0.3, 1.5, 6)
    lim = gradient_flow_limit(G, LeastSquares(Z, Y), x0)
    ref = gradient_flow(G, Schedule.constant(LeastSquares(Z, Y), lim.T), x0, t_eval=[lim.T], rtol=1e-11, atol=1e-13)
    assert np.allclose(lim.w, ref.w[-1], rtol=1e-8)
    assert lim.error < 1e-7 and lim.change < 1e-11


def test_limits_of_gf_and_mirror_flow_equal_the_projection():
    Z, Y = RNG.standard_normal((2, 4)), RNG.standard_normal(2)
    u0, v0 = RNG.uniform(0.2, 1.0, 4), RNG.uniform(0.2, 1.0, 4)
    P = HypentropyPotential(u0, v0)
    pr = bregman_projection(P, Z, Y, P.w0)
    gf = gradient_flow_limit(UVSquared(4), LogCosh(Z, Y), np.concatenate([u0, v0]))
    for lim in (gf, *(mirror_flow_limit(P, LogCosh(Z, Y), P.w0, coords=c) for c in ("primal", "dual", "multiplier"))):
        assert np.linalg.norm(lim.w - pr.w) <= 10 * (lim.error + pr.error) * np.linalg.norm(pr.w) + 1e-9, lim.method


def test_flow_limit_without_stationarity_is_inconclusive():
    Z, Y = RNG.standard_normal((2, 4)), RNG.standard_normal(2)
    with pytest.raises(Inconclusive, match="no stationarity"):
        gradient_flow_limit(UVSquared(4), LeastSquares(Z, Y), np.full(8, 0.5), t_max=0.5)


def test_closed_form_hessians_match_finite_differences():
    Z, Y, w = RNG.standard_normal((3, 4)), RNG.standard_normal(3), RNG.standard_normal(4)
    X, yl = RNG.standard_normal((5, 4)), np.array([1.0, -1.0, 1.0, 1.0, -1.0])
    for loss in (LeastSquares(Z, Y), LogCosh(Z, Y), SaturatingSquares(Z, Y), ExponentialLoss(X, yl)):
        H = loss_hessian(loss, w)
        h = 1e-6
        fd = np.column_stack([(loss.grad(w + h * e) - loss.grad(w - h * e)) / (2 * h) for e in np.eye(4)])
        assert np.allclose(H, fd, rtol=1e-6, atol=1e-7), loss.name


# ----------------------------------------------------------------------------------------- report plots
def _check_panels(panels):
    from oracles.core.outcome import Panel

    assert panels and all(isinstance(p, Panel) for p in panels)
    for p in panels:
        for name, (x, y) in p.series.items():
            assert len(x) == len(y) > 1 and np.all(np.isfinite(x)) and np.all(np.isfinite(y)), name


def test_cor_4_17_plot_moves_from_l2_to_l1():
    from oracles.checks.limits import hypentropy_path_panels

    Z = np.random.default_rng(4).standard_normal((2, 5))
    Y = Z @ np.array([1.0, 0.0, 0.0, -0.5, 0.0])
    panels = hypentropy_path_panels(Z, Y)()
    _check_panels(panels)
    to2, to1 = panels[0].series["to min-ℓ2"][1], panels[0].series["to min-ℓ1"][1]
    assert to1[0] < 0.25 * to2[0]  # α = 1e-4: much nearer the ℓ1 solution (the approach is ~1/log(1/α))
    assert to2[-1] < 1e-2 < to1[-1]  # α = 10: at the ℓ2 solution
    assert to1[0] < to1[len(to1) // 2] < to1[-1]


def test_main_and_soudry_plots():
    from oracles.checks.limits import max_margin_alignment, small_init_l1_gap

    A = RNG.standard_normal((2, 5))
    o = small_init_l1_gap(A, A @ np.array([0.0, 1.0, 0.0, 0.0, 0.0]), 0.5 * 10.0 ** -np.arange(4), cross_check=False)
    assert not o.falsified
    _check_panels(o.plot())
    X = np.array([[1.0, 0.3], [2.0, -1.0], [-1.0, 0.5], [-0.5, -2.0]])
    o = max_margin_alignment(X, np.array([1.0, 1.0, -1.0, -1.0]), np.zeros(2), decades=20)
    assert not o.falsified
    _check_panels(o.plot())


def test_main_finds_the_face_by_projection_when_it_proves_an_interior_point():
    """notes:main skips the face LPs when the projection of the largest α is certifiably positive, and only then;
    the gaps agree with the LP route, and on a proper face the GF cross-check is not run (it cannot settle)."""
    from oracles.checks.limits import _kl_projection, _proves_interior, small_init_l1_gap
    from oracles.convex.references import nonnegative_support

    alphas = 0.5 * 10.0 ** -np.arange(3)
    A = np.array([[1.0, 0.5, -0.25, 2.0], [0.0, 1.0, 1.0, -0.5]])
    b = A @ np.array([0.3, 0.2, 1.0, 0.1])  # a strictly positive interpolant exists
    o = small_init_l1_gap(A, b, alphas)
    assert o.details["face_by"] == "projection" and o.details["support_size"] == 4
    assert o.details["gf_cross_check"] == "made" and not o.falsified
    assert nonnegative_support(A, b).interior
    # the single-point face of issue 4: the projection onto all columns does not prove an interior point
    A1 = np.array(
        [
            [-1.3079588714642254, 1.4033491992179685e-05, 1.4987179998708877],
            [-1.498717999903587, 9.537677118067215e-07, -1.3079588715016939],
        ]
    )
    b1 = A1[:, 0].copy()
    try:
        assert not _proves_interior(_kl_projection(A1, b1, 0.5))
    except Inconclusive:
        pass
    o1 = small_init_l1_gap(A1, b1, alphas)
    assert o1.details["face_by"] == "LP" and o1.details["support_size"] == 1
    assert o1.details["gf_cross_check"].startswith("not run: the limit lies on a proper face")
    # a face the projection reaches with a certified bound (1.05e-7), its off-face coordinates at 1e-14 and 1e-24:
    # within the bound, so they prove nothing and the LPs decide (thorough draw, seed 1)
    A2 = np.array([[1.0, 2.0, -1.5, -1.5], [1.875, -0.375, 1.5, -1.0], [0.75, -0.75, 1.375, -0.625]])
    b2 = np.array([0.6760150234945366, 1.5210338028627075, 0.8450187793681707])
    p2 = _kl_projection(A2, b2, 0.5)
    assert p2.details["error_kind"] == "bound" and p2.error <= 1e-6 and not _proves_interior(p2)
    o2 = small_init_l1_gap(A2, b2, alphas)
    assert o2.details["face_by"] == "LP" and o2.details["support_size"] == 2 and not o2.falsified


def test_l1_max_margin_against_a_scan_of_the_l1_sphere():
    """max over ‖a‖₁ = 1 of min_i y_i x_iᵀa, found by scanning the ℓ1 circle in 2-d, equals 1/‖ŵ‖₁."""
    from oracles.convex.references import max_margin_l1

    X = np.array([[1.0, 0.2], [0.3, 1.0], [-1.0, -0.5]])
    y = np.array([1.0, 1.0, -1.0])
    m = max_margin_l1(X, y)
    assert m.kkt < 1e-12 and np.isclose(np.abs(m.direction).sum(), 1.0)
    t = np.linspace(0.0, 2 * np.pi, 400001)
    A = np.stack([np.cos(t), np.sin(t)], axis=1)
    A /= np.abs(A).sum(axis=1, keepdims=True)
    best = float(np.max(np.min((y[:, None] * X) @ A.T, axis=0)))
    assert abs(best - m.margin) < 1e-6 and best <= m.margin + 1e-12


def test_l1_max_margin_refuses_inseparable_data():
    from oracles.convex.references import max_margin_l1

    with pytest.raises(InvalidInput, match="not linearly separable"):
        max_margin_l1(np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([1.0, -1.0]))
