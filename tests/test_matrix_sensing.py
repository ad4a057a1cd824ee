"""Tests of oracles/checks/matrix_sensing.py and oracles/model/deep.py (gunasekar2017:diagonal-nuclear, li2020:nonnuclear, razin2020:norms-grow)
and of their generators."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from generators.schedules import (
    LI2020_A,
    LI2020_Y,
    commuting_sensing_cases,
    deep_completion_cases,
    general_sensing_cases,
)
from oracles.checks.matrix_sensing import (
    commuting_measurements,
    diagonal_nuclear_check,
    entropy,
    measurement_row,
    min_trace_commuting,
    min_trace_psd,
    min_trace_psd_2x2,
    nonnuclear_gap,
    norms_grow_check,
    sensing_loss,
    to_matrix,
)
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.specs import decode, encode
from oracles.model.deep import DeepProduct, balanced_factors
from oracles.model.parametrizations import symmetric_factorization


def sym(rng, m, n):
    M = rng.standard_normal((m, n, n))
    return 0.5 * (M + M.transpose(0, 2, 1))


# -----------------------------------------------------------------------------------------
# coordinates and references
def test_measurement_row_matches_inner_product():
    rng = np.random.default_rng(0)
    A = sym(rng, 1, 3)[0]
    G = symmetric_factorization(3, 3)
    x = rng.standard_normal(9)
    W = to_matrix(G.value(x), 3)
    U = x.reshape(3, 3, order="F")
    assert np.allclose(W, U @ U.T)
    assert np.isclose(measurement_row(A) @ G.value(x), np.sum(A * W))
    loss = sensing_loss(A[None], [1.0])
    assert np.isclose(loss.value(G.value(x)), 0.5 * (np.sum(A * W) - 1.0) ** 2)


def test_sdp_matches_the_exact_2x2_reference():
    rng = np.random.default_rng(1)
    for _ in range(6):
        A = sym(rng, 2, 2)
        L = rng.standard_normal((2, 2))
        y = np.einsum("kij,ij->k", A, L @ L.T)
        exact, Wx = min_trace_psd_2x2(A, y)
        val, W, err = min_trace_psd(A, y)
        assert abs(val - exact) <= max(err, 1e-9 * exact)
        assert np.allclose(np.einsum("kij,ij->k", A, Wx), y) and np.linalg.eigvalsh(Wx)[0] >= -1e-10


def test_sdp_matches_the_lp_on_commuting_measurements():
    O = np.linalg.qr(np.arange(9.0).reshape(3, 3) + np.eye(3))[0]
    a = np.array([[1.0, 0.5, 2.0], [0.3, 1.0, 0.2]])
    y = a @ np.array([0.5, 1.0, 0.2])
    lp, v, lp_err, _ = min_trace_commuting(a, y)
    val, W, err = min_trace_psd(commuting_measurements(O, a), y)
    assert abs(val - lp) <= err + lp_err + 1e-9
    assert np.all(v >= 0) and np.allclose(a @ v, y)


def test_lp_warm_support_is_kept_only_when_certified():
    """A nearby y's support and multipliers decide the LP when they certify it; otherwise HiGHS does."""
    a = np.array([[1.0, 0.5, 2.0], [0.3, 1.0, 0.2]])
    y = a @ np.array([0.5, 1.0, 0.0])
    cold = min_trace_commuting(a, y)
    y2 = y * (1 + 1e-8) + np.array([1e-9, -2e-9])
    warm = min_trace_commuting(a, y2, warm=(cold[1], cold[3]))
    ref = min_trace_commuting(a, y2)
    assert warm[2] <= 1e-12 * warm[0] and abs(warm[0] - ref[0]) <= warm[2] + ref[2] + 1e-15
    assert np.allclose(warm[1], ref[1], atol=1e-12)
    # a support that is no longer optimal (y far away): the certificate fails and HiGHS decides
    y3 = a @ np.array([0.0, 0.2, 1.0])
    far = min_trace_commuting(a, y3, warm=(cold[1], cold[3]))
    assert np.isclose(far[0], min_trace_commuting(a, y3)[0]) and far[2] < 1e-12


def test_lp_reference_and_entropy():
    lp, v, err, lam = min_trace_commuting(np.array([[1.0, 2.0]]), np.array([2.0]))
    assert np.isclose(lp, 1.0) and np.allclose(v, [0.0, 1.0]) and err < 1e-12
    assert np.isclose(entropy([0.0, 1.0, np.e]), -1.0 + 0.0)


# -----------------------------------------------------------------------------------------
# gunasekar2017
def test_diagonal_nuclear_bound_holds_and_tightens_with_alpha():
    O = np.linalg.qr(np.array([[1.0, 0.3], [-0.4, 1.0]]))[0]
    a, y = np.array([[1.0, 0.6]]), np.array([1.0])
    prev = None
    for alpha in (0.3, 0.03, 0.003):
        out = diagonal_nuclear_check(O, a, y, alpha, np.eye(2), 10.0)
        assert not out.falsified and out.details["excess"] >= 0 and out.details["loss_T"] < 1e-8
        if prev is not None:
            assert out.details["bound"] < prev  # the guarantee tightens as alpha -> 0
        prev = out.details["bound"]
    assert diagonal_nuclear_check(O, a, y, 0.3, np.eye(2), 10.0, bound=False).falsified


def test_diagonal_nuclear_bad_inputs():
    with pytest.raises(InvalidInput, match="orthogonal"):
        diagonal_nuclear_check(np.ones((2, 2)), np.ones((1, 2)), [1.0], 0.1, np.eye(2), 1.0)
    with pytest.raises(InvalidInput, match="alpha"):
        diagonal_nuclear_check(np.eye(2), np.ones((1, 2)), [1.0], 1.5, np.eye(2), 1.0)
    with pytest.raises(InvalidInput, match="P must be"):
        diagonal_nuclear_check(np.eye(2), np.ones((1, 2)), [1.0], 0.1, np.eye(1), 1.0)


# -----------------------------------------------------------------------------------------
# li2020
def test_known_li2020_witness():
    out = nonnuclear_gap(LI2020_A, LI2020_Y, 1e-2, np.eye(3), 30.0)
    assert out.falsified
    assert np.isclose(out.details["min_nuclear_norm"], 1.0, atol=1e-8)
    assert np.isclose(out.details["nuclear_norm"], 1.453, atol=2e-3)
    eig = out.details["eigenvalues_W_T"]
    assert eig[1] < 1e-4 * eig[2]  # rank one up to the alpha^2-sized remainder: greedy low-rank learning
    assert out.details["gap_alpha_squared"] >= out.details["gap_alpha"]


def test_nonnuclear_gap_bad_inputs():
    with pytest.raises(InvalidInput, match="symmetric"):
        nonnuclear_gap(np.array([[[0.0, 1.0], [0.0, 0.0]]]), [1.0], 0.1, np.eye(2), 1.0)
    with pytest.raises(InvalidInput, match="reference"):
        nonnuclear_gap(LI2020_A, LI2020_Y, 0.1, np.eye(3), 1.0, reference="cvx")
    with pytest.raises(Inconclusive, match="not converged"):
        nonnuclear_gap(LI2020_A, LI2020_Y, 1e-2, np.eye(3), 0.5)


# -----------------------------------------------------------------------------------------
# razin2020
def test_deep_product_jacobian_and_spec():
    G = DeepProduct(2, 3)
    rng = np.random.default_rng(3)
    x = rng.standard_normal(G.D)
    h = 1e-6
    J = np.array([(G.value(x + h * e) - G.value(x - h * e)) / (2 * h) for e in np.eye(G.D)]).T
    assert np.allclose(G.jacobian(x), J, atol=1e-8)
    W1, W2, W3 = G.factors(x)
    assert np.allclose(G.value(x), (W3 @ W2 @ W1).ravel())
    assert DeepProduct.from_spec(G.to_spec()).to_spec() == G.to_spec()


def test_balanced_factors_are_balanced():
    rot = lambda a: np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])  # noqa: E731
    Fs = balanced_factors(np.diag([1.0, 0.5]), [rot(0.1), rot(1.0), rot(-0.4), rot(2.0)])
    for j in range(2):
        assert np.allclose(Fs[j + 1].T @ Fs[j + 1], Fs[j] @ Fs[j].T)


def test_norms_grow_and_the_negative_determinant_counterpart():
    rot = lambda a: np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])  # noqa: E731
    S = np.diag([0.8, 0.6])
    good = norms_grow_check(balanced_factors(S, [rot(0.2), rot(0.5), rot(-0.3), rot(0.1)]), [1.0, 1.0], 6.0)
    assert not good.falsified and good.details["min_det"] > 0 and good.details["bound_applies_at"] > 0
    assert good.details["W00_T"] >= good.details["bound_T"]
    refl = np.diag([1.0, -1.0])
    bad = norms_grow_check(
        balanced_factors(S, [rot(0.2) @ refl, rot(0.5), rot(-0.3), rot(0.1)]), [1.0, 1.0], 6.0, check_determinant=False
    )
    assert bad.falsified
    assert len(good.plot()) == 2
    with pytest.raises(InvalidInput, match="positive product"):
        norms_grow_check(balanced_factors(S, [rot(0.0)] * 4), [1.0, -1.0], 1.0)


# -----------------------------------------------------------------------------------------
# generators
@settings(max_examples=30)
@given(case=commuting_sensing_cases())
def test_commuting_sensing_cases_are_valid(case):
    O, a, y, alpha, P = case
    n = O.shape[0]
    assert np.allclose(O.T @ O, np.eye(n)) and np.allclose(P.T @ P, np.eye(P.shape[0]))
    assert a.shape[0] < n and 1e-3 <= alpha <= 1e-1
    A = commuting_measurements(O, a)
    assert np.allclose(A[0] @ A[-1], A[-1] @ A[0])
    assert decode(encode(case))[1].tolist() == a.tolist()


@settings(max_examples=30)
@given(case=general_sensing_cases())
def test_general_sensing_cases_are_valid(case):
    A, y, alpha, P = case
    assert A.shape[1:] == (3, 3) and np.allclose(A, A.transpose(0, 2, 1)) and y.shape == (A.shape[0],)
    assert np.allclose(P.T @ P, np.eye(3)) and 1e-3 <= alpha <= 1e-2


@settings(max_examples=30)
@given(case=deep_completion_cases())
def test_deep_completion_cases_have_positive_determinant(case):
    factors, b = case
    W = factors[2] @ factors[1] @ factors[0]
    assert np.linalg.det(W) > 0 and np.all(b > 0)
    for j in range(2):
        assert np.allclose(factors[j + 1].T @ factors[j + 1], factors[j] @ factors[j].T)


def test_joint_eigenbasis_and_reference_choice():
    from oracles.checks.matrix_sensing import joint_eigenbasis

    O = np.linalg.qr(np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 1.0], [0.0, 1.0, 2.0]]))[0]
    A = commuting_measurements(O, np.array([[1.0, 0.5, 1.5], [0.2, 1.0, 0.7]]))
    B = joint_eigenbasis(A)
    assert B is not None
    D = np.einsum("ij,kil,lm->kjm", B, A, B)
    assert np.allclose(D, np.einsum("kjj->kj", D)[:, :, None] * np.eye(3), atol=1e-12)
    assert joint_eigenbasis(LI2020_A) is None
    y = np.array([1.0, 0.8])
    auto = nonnuclear_gap(A, y, 1e-2, np.eye(3), 30.0, single_scale=True)
    sdp = nonnuclear_gap(A, y, 1e-2, np.eye(3), 30.0, single_scale=True, reference="sdp")
    assert abs(auto.discrepancy - sdp.discrepancy) <= auto.error + sdp.error


def test_deep_product_imbalances_are_conserved_by_gradient_flow():
    """W_{j+1}ᵀW_{j+1} − W_jW_jᵀ (adjacent layers, W = W_3W_2W_1) is constant along GF of any loss on W."""
    from oracles.flows.trajectories import gradient_flow
    from oracles.model.losses import LeastSquares, Schedule

    G = DeepProduct(2, 3)
    rng = np.random.default_rng(3)
    x0 = 0.7 * rng.standard_normal(G.D)
    loss = LeastSquares(rng.standard_normal((3, 4)), rng.standard_normal(3))
    res = gradient_flow(G, Schedule.constant(loss, 1.0), x0, rtol=1e-11, atol=1e-13)
    before, after = G.imbalances(x0), G.imbalances(res.x[-1])
    assert len(before) == 2
    assert max(np.abs(a - b).max() for a, b in zip(before, after)) < 1e-8
    assert max(np.abs(b).max() for b in before) > 0.1  # not trivially zero
    assert np.abs(res.w[-1] - res.w[0]).max() > 0.05  # and the flow moved
