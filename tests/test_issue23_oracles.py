"""Plain tests of the oracles added for issue 23 (the lecture notes and the linear-network slides at full strength).

oracles/checks/notes_flows.py (the dual squared flow, Soudry's offset), oracles/convex/quadratic_mirror.py (D_φ's
local quadratic form, the preconditioned step and its flow limit), oracles/checks/deep_linear.py (Kawaguchi's
saddles), oracles/checks/sparse_recovery.py (CRPW's constant), oracles/flows/riccati.py (tarmoun2021's closed
form), the P12 branch and the width rate of oracles/checks/linear_nets.py, and the new generators' JSON round trips.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

from generators.linear_nets import homogeneous_cases, kawaguchi_cases, wrong_sign_balanced_cases
from generators.notes import (
    generic_classification_cases,
    positive_sparse_cases,
    preconditioned_cases,
    quadratic_form_cases,
)
from oracles.checks import linear_nets as lc
from oracles.checks.deep_linear import deep_linear_loss_grad, flat_saddle_gap
from oracles.checks.notes_flows import small_alpha_flow_gap, soudry_offset_gap, squared_flow_limit
from oracles.checks.sparse_recovery import failure_bound, measurements_for, recovery_rate_gap, width_bound
from oracles.convex.bregman import bregman_projection
from oracles.convex.quadratic_mirror import (
    bregman_quadratic_form_gap,
    preconditioned_flow_limit_gap,
    preconditioned_step_gap,
)
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.specs import decode, encode
from oracles.flows.linear_nets import two_tolerance_flows
from oracles.flows.riccati import homogeneous_imbalance, riccati_generator, riccati_solution
from oracles.model.losses import LeastSquares
from oracles.model.potentials import EntropyPotential, EuclideanPotential

rng = np.random.default_rng(23)
quick = settings(max_examples=15, deadline=None)


# ------------------------------------------------------------------------------------ notes flows
def test_squared_flow_limit_is_the_kl_projection():
    A = np.array([[1.0, 0.5, -0.25, 1.0], [0.0, 1.0, 0.75, -0.5]])
    b = A @ np.array([0.3, 1.2, 0.4, 0.2])
    for alpha in (0.5, 1e-3):
        x, err, info = squared_flow_limit(A, b, alpha)
        proj = bregman_projection(EntropyPotential(np.full(4, alpha**2), 0.25), A, b, np.full(4, alpha**2))
        assert np.linalg.norm(x - proj.w) <= 10 * err + 1e-9 * np.linalg.norm(x)
        assert info["newton_step"] <= 1e-12 * np.linalg.norm(x) * 1.0001


def test_small_alpha_flow_gap_controls_and_bad_input():
    A = np.array([[1.0, 0.5, -0.25, 1.0], [0.0, 1.0, 0.75, -0.5]])
    b = A @ np.array([0.3, 1.2, 0.4, 0.2])
    alphas = 0.5 * 10.0 ** -np.arange(4)
    assert small_alpha_flow_gap(A, b, alphas).falsified is False
    assert small_alpha_flow_gap(A, b, alphas, start="alpha").falsified
    with pytest.raises(InvalidInput, match="alphas"):
        small_alpha_flow_gap(A, b, alphas[::-1])
    with pytest.raises(InvalidInput, match="start"):
        small_alpha_flow_gap(A, b, alphas, start="alpha^3")


def test_soudry_offset_on_two_support_vectors():
    # z_1 = (1, 0.2), z_2 = (0.2, 1) and a far point: both on the margin, independent
    X = np.array([[1.0, 0.2], [-0.2, -1.0], [3.0, 3.0]])
    y = np.array([1.0, -1.0, 1.0])
    o = soudry_offset_gap(X, y, np.zeros(2))
    assert not o.falsified and o.details["support"] == 2
    assert o.details["offset_vs_log_alpha"] < 1e-8
    assert abs(o.details["norm_over_log_t"] - o.details["one_over_margin"]) < 0.1
    assert soudry_offset_gap(X, y, np.zeros(2), growth="unit").falsified


def test_soudry_degenerate_svm_is_inconclusive():
    # two identical-direction points on the margin, one without dual weight
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [1.0, 5.0], [-1.0, -5.0]])
    y = np.array([1.0, -1.0, 1.0, -1.0])
    with pytest.raises(Inconclusive):
        soudry_offset_gap(X, y, np.zeros(2))


# ------------------------------------------------------------------------------- quadratic mirror
def test_local_quadratic_form_is_exact_for_the_euclidean_potential():
    phi = EuclideanPotential(np.zeros(3))
    x, z = np.array([1.0, -0.5, 2.0]), np.array([0.2, 0.3, -1.0])
    o = bregman_quadratic_form_gap(phi, x, z)
    assert o.discrepancy < 1e-14 and o.details["c_range"] == pytest.approx([0.5, 0.5])
    assert bregman_quadratic_form_gap(phi, x, z, factor=1.0).discrepancy == pytest.approx(1.0)
    with pytest.raises(InvalidInput, match="x = z"):
        bregman_quadratic_form_gap(phi, x, x)


def test_preconditioned_step_and_flow_limit():
    A = np.array([[1.0, 0.5, -1.0]])
    f = LeastSquares(A, np.array([0.7]))
    K = np.array([[2.0, 0.3, 0.0], [0.3, 1.0, 0.1], [0.0, 0.1, 0.5]])
    x = np.array([0.1, -0.2, 0.4])
    assert not preconditioned_step_gap(K, f, x, 0.3).falsified
    assert preconditioned_step_gap(K, f, x, 0.3, variant="K").falsified
    o = preconditioned_flow_limit_gap(K, f, x, 1.0)
    assert not o.falsified and o.details["ratios"][-1] == pytest.approx(0.5, abs=0.01)
    assert preconditioned_flow_limit_gap(K, f, x, 1.0, flow="gradient").falsified
    with pytest.raises(InvalidInput, match="positive definite"):
        preconditioned_step_gap(-K, f, x, 0.3)


# ----------------------------------------------------------------------------------- Kawaguchi
def test_deep_linear_gradient_matches_finite_differences():
    shapes = [(2, 3), (2, 2), (1, 2)]
    theta = rng.standard_normal(6 + 4 + 2)
    X, B = rng.standard_normal((3, 4)), rng.standard_normal((1, 4))
    L, g = deep_linear_loss_grad(theta, shapes, X, B)
    h = 1e-6
    fd = np.array(
        [
            (
                deep_linear_loss_grad(theta + h * e, shapes, X, B)[0]
                - deep_linear_loss_grad(theta - h * e, shapes, X, B)[0]
            )
            / (2 * h)
            for e in np.eye(theta.size)
        ]
    )
    assert np.allclose(g, fd, rtol=1e-6, atol=1e-7)


def test_flat_saddle_at_depth_three_strict_at_depth_two():
    X, B = np.eye(2), np.array([[1.0, 0.5]])
    deep = [np.eye(2), np.eye(2), np.ones((1, 2))]
    o = flat_saddle_gap(X, B, deep, [0, 1, 2])
    assert not o.falsified and o.details["witness_drop"] > 0
    shallow = [np.eye(2), np.ones((1, 2))]
    assert flat_saddle_gap(X, B, shallow, [0, 1]).falsified
    with pytest.raises(InvalidInput, match="zero"):
        flat_saddle_gap(X, B, deep, [5])


# ------------------------------------------------------------------------------- sparse recovery
def test_crpw_constants():
    assert width_bound(100, 4) == pytest.approx(8 * math.log(25) + 5)
    m = measurements_for(100, 4, 3.0)
    assert failure_bound(m, 100, 4) <= math.exp(-4.5) * 1.0001 < failure_bound(m - 1, 100, 4)
    assert failure_bound(5, 100, 4) == 1.0


def test_recovery_rate_gap_holds_and_the_low_count_is_caught():
    assert not recovery_rate_gap(80, 2, 7, trials=16).falsified
    assert recovery_rate_gap(80, 2, 7, trials=16, m_claim=math.ceil(2 * math.log(40))).falsified
    with pytest.raises(InvalidInput, match="m = "):
        recovery_rate_gap(30, 5, 1)


# ----------------------------------------------------------------------------------- Riccati
def test_riccati_solution_matches_the_flow_and_is_stable_for_long_times():
    V0 = np.array([[0.8, 0.1], [0.2, 0.6], [0.0, 0.3]])
    lam = 0.4
    w, E = np.linalg.eigh(V0.T @ V0 + lam * np.eye(2))
    U0 = np.linalg.qr(rng.standard_normal((2, 2)))[0] @ (E * np.sqrt(w)) @ E.T
    Y = np.array([[1.5, 0.2, -0.3], [0.1, 1.0, 0.4]])
    assert homogeneous_imbalance(U0, V0)[0] == pytest.approx(lam)
    t = np.linspace(0.0, 3.0, 7)
    fine, _ = two_tolerance_flows(U0, V0, Y, t_eval=t)
    assert np.allclose(riccati_solution(U0, V0, Y, t), fine.W, atol=1e-8)
    far = riccati_solution(U0, V0, Y, [200.0])[0]
    assert np.all(np.isfinite(far)) and np.linalg.norm(far - Y) < 1e-8 * np.linalg.norm(Y)  # k = min(m, n): W -> Y
    a = np.linalg.eigvalsh(riccati_generator(Y, lam))
    s = np.linalg.svd(Y, compute_uv=False)
    h = 0.5 * np.hypot(lam, 2 * s)  # ±h_i for each singular value, and ±λ/2 on the complement (n − m = 1)
    assert np.allclose(np.sort(np.abs(a)), np.sort(np.concatenate([h, h, [0.5 * lam]])))


def test_riccati_gap_refuses_an_inhomogeneous_imbalance():
    with pytest.raises(InvalidInput, match="not a multiple of I"):
        lc.riccati_gap(np.eye(2), np.diag([0.5, 0.2]), np.eye(2), 2.0)


# ------------------------------------------------------------------------ P12 and the width rate
@quick
@given(case=wrong_sign_balanced_cases())
def test_wrong_sign_balanced_start_is_decided(case):
    o = lc.scalar_rate_gap(**case)
    assert o.falsified and o.discrepancy >= 1.0 - 1e-9


def test_rms_and_se():
    e = np.array([1.0, 1.0, 1.0, 1.0])
    assert lc._rms_and_se(e) == (1.0, 0.0)
    rms, se = lc._rms_and_se(np.array([1.0, 2.0]))
    assert rms == pytest.approx(math.sqrt(2.5)) and se > 0


# ------------------------------------------------------------------------------------ generators
@quick
@given(case=homogeneous_cases())
def test_homogeneous_cases_have_homogeneous_imbalance(case):
    assert homogeneous_imbalance(case["U0"], case["V0"])[1] < 1e-13
    assert decode(encode(case))["U0"].shape == case["U0"].shape


@quick
@given(case=kawaguchi_cases())
def test_kawaguchi_cases_chain(case):
    Fs = case["factors"]
    assert all(Fs[j + 1].shape[1] == Fs[j].shape[0] for j in range(len(Fs) - 1))
    assert len(case["zero"]) >= 3 and case["X"].shape[0] == Fs[0].shape[1]


@quick
@given(case=positive_sparse_cases())
def test_positive_sparse_cases_have_a_positive_interpolant(case):
    A, b = case
    assert np.linalg.norm(b) > 0


@quick
@given(case=quadratic_form_cases())
def test_quadratic_form_cases_are_in_the_domain(case):
    phi, x, z = case
    assert phi.in_domain(x) and phi.in_domain(z) and np.any(x != z)


@quick
@given(case=preconditioned_cases())
def test_preconditioned_cases_have_spd_K(case):
    K = case[1]
    assert np.allclose(K, K.T) and np.min(np.linalg.eigvalsh(K)) > 0.29


@quick
@given(case=generic_classification_cases())
def test_generic_classification_cases_are_separable(case):
    X, y, a0 = case
    from oracles.convex.references import max_margin

    assert max_margin(X, y).margin > 0


def test_global_minimum_and_a_certified_local_minimum():
    from oracles.checks.deep_linear import global_minimum, local_minimum_gap

    X = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, -0.5]])
    B = np.array([[1.0, 2.0, 0.0]])
    # least squares over all 1 x 2 W: the residual outside X's row space
    W = np.linalg.lstsq(X.T, B.T, rcond=None)[0].T
    assert global_minimum(X, B, 1) == pytest.approx(float(np.sum((W @ X - B) ** 2)), rel=1e-12)
    o = local_minimum_gap(X, B, [np.eye(2), np.array([[1.0, 0.5]])])
    assert not o.falsified and o.details["orbit_dimension"] == 4
    assert local_minimum_gap(X, B, [np.eye(2), np.array([[1.0, 0.5]])], claim="zero").falsified
