"""Tests of oracles/flows/linear_nets.py and oracles/checks/linear_nets.py and generators/linear_nets.py (tarmoun2021 / min2021, issue 4).

Oracles: closed forms against known solutions and against each other, the exact identities behind
the statements (conservation, the antiderivative, the eigenvalue lemma behind min2021's rate), the
min-norm machinery, bad-input and inconclusive paths. Generators: valid instances that meet the
conditions they promise, JSON round trips, and minimal examples.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from generators.linear_nets import (
    conservation_cases,
    orthogonal_cases,
    rate_cases,
    scalar_cases,
    sizes,
    spectral_cases,
    well_conditioned_data,
    width_cases,
)
from oracles.checks import linear_nets as lc
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.specs import decode, encode
from oracles.flows import linear_nets as ln

quick = settings(max_examples=40, deadline=None)
rng = np.random.default_rng(20210701)


# ------------------------------------------------------------------------------ scalar closed form
def test_closed_form_balanced_is_logistic():
    # λ0 = 0, x0, y > 0: ẋ = 2(y − x)x, the logistic x = y / (1 + (y/x0 − 1)e^{−2yt})
    x0, y, t = 0.3, 1.7, np.linspace(0, 3, 13)
    want = y / (1 + (y / x0 - 1) * np.exp(-2 * y * t))
    np.testing.assert_allclose(ln.scalar_closed_form(x0, 0.0, y, t), want, rtol=1e-13, atol=1e-15)


def test_closed_form_zero_rate_case():
    # λ0 = y = 0, x0 > 0: ẋ = −2x², x = x0 / (1 + 2 x0 t)
    t = np.linspace(0, 5, 11)
    np.testing.assert_allclose(ln.scalar_closed_form(0.4, 0.0, 0.0, t), 0.4 / (1 + 0.8 * t), rtol=1e-14)


def test_closed_form_rest_point_and_initial_value():
    assert np.all(ln.scalar_closed_form(0.0, 0.0, 2.0, [0.0, 1.0]) == 0.0)
    for x0, lam, y in [(0.3, 0.7, 1.2), (-0.5, 1.1, 0.8), (0.2, -2.0, -1.5), (-1.0, 0.0, -0.3)]:
        assert ln.scalar_closed_form(x0, lam, y, 0.0) == pytest.approx(x0, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("x0, lam, y", [(0.3, 0.7, 1.2), (-0.5, 1.1, 0.8), (2.0, 0.4, 0.5), (0.01, 3.0, 2.0)])
def test_slide_closed_form_agrees(x0, lam, y):
    t = np.linspace(0, 4, 17)
    np.testing.assert_allclose(
        ln.scalar_closed_form_slide(x0, lam, y, t), ln.scalar_closed_form(x0, lam, y, t), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("x0, lam, y", [(0.3, 0.7, 1.2), (-0.5, 1.1, 0.8), (0.2, -2.0, -1.5), (1.3, 0.0, 0.4)])
def test_closed_form_solves_the_ode(x0, lam, y):
    t = np.linspace(0.1, 3, 9)
    h = 1e-5
    deriv = (ln.scalar_closed_form(x0, lam, y, t + h) - ln.scalar_closed_form(x0, lam, y, t - h)) / (2 * h)
    x = ln.scalar_closed_form(x0, lam, y, t)
    np.testing.assert_allclose(deriv, (y - x) * np.sqrt(lam**2 + 4 * x**2), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("x0, lam, y", [(0.3, 0.7, 1.2), (-0.5, 1.1, 0.8), (0.2, -2.0, -1.5), (1.3, 0.0, 0.4)])
def test_antiderivative_grows_at_the_rate(x0, lam, y):
    # ln K(x(t)) − ln K(x0) = r t on the closed form: the rate without any ODE solver
    t = np.linspace(0, 5 / ln.scalar_rate(lam, y), 11)
    x = ln.scalar_closed_form(x0, lam, y, t)
    lk = ln.scalar_log_k(x, lam, y)
    np.testing.assert_allclose(lk - lk[0], ln.scalar_rate(lam, y) * t, rtol=1e-8, atol=1e-9)


def test_scalar_rate_value():
    assert ln.scalar_rate(3.0, 2.0) == pytest.approx(5.0)


def test_scalar_oracles_pass_on_known_point():
    for check in (lc.scalar_closed_form_gap, lc.scalar_rate_gap):
        out = check(1.0, 0.5, 1.0, 6.0)
        assert not out.falsified and out.inconclusive is None and out.discrepancy < 1e-8


def test_scalar_rate_gap_decides_when_x_goes_to_zero():
    """P12 (issue 23): a balanced start with u0 v0 y < 0 is decided, not inconclusive: x never gets closer to y than |y|."""
    o = lc.scalar_rate_gap(1.0, -1.0, 1.0, 4.0)
    assert o.falsified and o.discrepancy >= 1.0 and o.details["final_x"] < 0


# --------------------------------------------------------------------------------- gradient flow
def _random_problem(m=3, n=2, k=4, N=None):
    U, V = rng.normal(size=(m, k)), rng.normal(size=(n, k))
    if N is None:
        return U, V, rng.normal(size=(m, n)), None
    return U, V, rng.normal(size=(N, n)), rng.normal(size=(N, m))


@pytest.mark.parametrize("N", [None, 4, 2])
def test_flow_field_is_minus_the_gradient(N):
    U, V, Y, X = _random_problem(N=N)
    dU, dV = ln.flow_field(U, V, Y, X)
    h = 1e-6
    for A, dA, which in ((U, dU, 0), (V, dV, 1)):
        num = np.zeros_like(A)
        for idx in np.ndindex(A.shape):
            E = np.zeros_like(A)
            E[idx] = h
            args_p = (U + E, V) if which == 0 else (U, V + E)
            args_m = (U - E, V) if which == 0 else (U, V - E)
            num[idx] = (ln.loss(*args_p, Y, X) - ln.loss(*args_m, Y, X)) / (2 * h)
        np.testing.assert_allclose(dA, -num, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("N", [None, 3])
def test_imbalance_derivative_vanishes(N):
    U, V, Y, X = _random_problem(N=N)
    dU, dV = ln.flow_field(U, V, Y, X)
    dLam = U.T @ dU + dU.T @ U - V.T @ dV - dV.T @ V
    assert np.linalg.norm(dLam) < 1e-12 * (1 + np.linalg.norm(U) ** 2 + np.linalg.norm(V) ** 2) * np.linalg.norm(Y)


def test_work_counter_and_batch_equal_single():
    U, V, Y, _ = _random_problem()
    single = ln.gradient_flow(U, V, Y, t_eval=[0.0, 1.0])
    assert single.nfev > 0 and not hasattr(ln, "WORK")  # the work is on the solve, not in a module global
    batch = ln.gradient_flow(np.stack([U, 2 * U]), np.stack([V, V]), Y, t_eval=[0.0, 1.0])
    np.testing.assert_allclose(batch.W[-1, 0], single.W[-1], rtol=1e-8, atol=1e-10)


def test_stop_event_ends_the_flow():
    """Two samples (the Fortran DOP853 route): the flow ends at the end of the step that crossed the level;
    more samples (solve_ivp): at the crossing itself, located."""
    U, V, Y, _ = _random_problem(2, 2, 2)

    def stop(U_, V_):
        return 0.5 * np.sum((Y - U_ @ V_.T) ** 2) - 1e-6

    tr = ln.gradient_flow(U, V, Y, t_eval=[0.0, 100.0], stop=stop)
    assert tr.t_final < 100.0 and tr.t[-1] == tr.t_final
    assert 0 < ln.loss(tr.U[-1], tr.V[-1], Y) <= 1e-6
    located = ln.gradient_flow(U, V, Y, t_eval=[0.0, 50.0, 100.0], stop=stop)
    assert located.t_final <= tr.t_final and located.t[-1] == located.t_final
    assert ln.loss(located.U[-1], located.V[-1], Y) == pytest.approx(1e-6, rel=1e-4)


def test_conservation_gap_holds_and_sum_is_not_conserved():
    U, V, Y, X = _random_problem(N=4)
    assert not lc.conservation_gap(U, V, Y, X, t_max=2.0).falsified
    assert lc.conservation_gap(U, V, Y, X, t_max=2.0, quantity=ln.frobenius_sum).falsified


# ------------------------------------------------------------------------------------- spectral
def test_spectral_solution_at_zero_and_gap():
    Phi = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    Psi = np.linalg.qr(rng.normal(size=(2, 2)))[0]
    Q = np.linalg.qr(rng.normal(size=(4, 4)))[0]
    inst = ln.spectral_init(Phi, Psi, Q, [2.0, 0.5], [1.0, -0.3, 0.7], [0.4, 0.8])
    np.testing.assert_allclose(ln.spectral_solution(inst, 0.0)[0], inst.U0 @ inst.V0.T, atol=1e-14)
    assert np.linalg.svd(inst.Y, compute_uv=False) == pytest.approx([2.0, 0.5])
    out = lc.spectral_gap(Phi, Psi, Q, [2.0, 0.5], [1.0, -0.3, 0.7], [0.4, 0.8], 4.0)
    assert not out.falsified
    assert lc.spectral_gap(Phi, Psi, Q, [2.0, 0.5], [1.0, -0.3, 0.7], [0.4, 0.8], 4.0, ignore_imbalance=True).falsified


# --------------------------------------------------------------------------------------- rates
def test_eigenvalue_lemma_of_the_rate():
    """(μ_U − λ̲₊)(μ_U + λ̄₋) ≥ λmin(WWᵀ) and the V-side analogue, on random and rank-deficient factors."""
    for _ in range(3000):
        m, n, k = rng.integers(1, 4), rng.integers(1, 4), rng.integers(1, 6)
        U = rng.normal(size=(m, k)) * math.exp(rng.normal())
        V = rng.normal(size=(n, k)) * math.exp(rng.normal())
        if rng.random() < 0.2:
            U[:, 0] *= 10.0
        W = U @ V.T
        rc = ln.rate_constant(U, V, W)  # Y = W: zero distance, the margins are the singular values of W
        muU, muV = np.linalg.eigvalsh(U @ U.T)[0], np.linalg.eigvalsh(V @ V.T)[0]
        sU, sV = np.linalg.eigvalsh(W @ W.T)[0], np.linalg.eigvalsh(W.T @ W)[0]
        scale = np.linalg.norm(U) ** 2 + np.linalg.norm(V) ** 2
        tol = 1e-9 * scale
        assert (muU - rc.lam_low_plus) * (muU + rc.lam_bar_minus) >= sU - tol * scale
        assert (muV - rc.lam_low_minus) * (muV + rc.lam_bar_plus) >= sV - tol * scale
        assert muU >= rc.beta_u - tol and muV >= rc.beta_v - tol


def test_scalar_rate_constant_is_the_corollary():
    for u, v, y in [(1.0, 0.3, 0.0), (0.8, 0.8, 0.75), (1.5, 0.2, 0.4), (0.3, 1.1, -0.5)]:
        rc = ln.rate_constant([[u]], [[v]], [[y]])
        M = abs(y) - abs(y - u * v)
        assert rc.margin == pytest.approx(M)
        assert rc.alpha == pytest.approx(ln.corollary_rate(u * u - v * v, M), rel=1e-12)


def test_homogeneous_square_rate_is_the_corollary():
    Phi, Psi = np.linalg.qr(rng.normal(size=(2, 2)))[0], np.linalg.qr(rng.normal(size=(2, 2)))[0]
    U0, V0 = 1.2 * Phi, 0.5 * Psi  # Λ0 = (1.44 − 0.25) I
    Y = U0 @ V0.T + 0.05 * rng.normal(size=(2, 2))
    rc = ln.rate_constant(U0, V0, Y)
    assert rc.margin > 0
    assert rc.alpha == pytest.approx(ln.corollary_rate(1.44 - 0.25, rc.margin), rel=1e-12)


def test_regression_rate_constant_scales_with_sigma_x():
    U, V, _, _ = _random_problem(2, 2, 3)
    X = np.diag([1.0, 0.5])
    Y = X @ (U @ V.T + 0.01)
    rc = ln.rate_constant(U, V, Y, X)
    assert rc.lam_min_x == pytest.approx(0.25) and rc.lam_max_x == pytest.approx(1.0)
    assert not lc.loss_rate_gap(U, V, Y, X).falsified


def test_rate_gap_on_the_tight_scalar_case():
    out = lc.loss_rate_gap([[1.0]], [[1e-3]], [[0.0]])
    assert not out.falsified and -1e-5 < out.discrepancy <= 0
    assert lc.loss_rate_gap([[1.0]], [[1e-3]], [[0.0]], rate=lambda rc: 1.01 * rc.alpha).falsified


def test_rate_gap_at_the_minimum_is_inconclusive():
    with pytest.raises(Inconclusive, match="starts at the minimum"):
        lc.loss_rate_gap([[1.0]], [[2.0]], [[2.0]])


# ------------------------------------------------------------------------------------ min-norm
def test_min_norm_solution_and_split():
    X = rng.normal(size=(2, 4))
    Y = rng.normal(size=(2, 3))
    np.testing.assert_allclose(ln.min_norm_solution(X, Y), np.linalg.lstsq(X, Y, rcond=None)[0], atol=1e-12)
    Phi1, Phi2, s = ln.row_space_split(X)
    assert Phi1.shape == (4, 2) and Phi2.shape == (4, 2) and s.size == 2
    assert np.linalg.norm(X @ Phi2) < 1e-12
    np.testing.assert_allclose(np.hstack([Phi1, Phi2]).T @ np.hstack([Phi1, Phi2]), np.eye(4), atol=1e-12)


def test_random_init_is_seeded_and_scaled():
    U1, V1 = ln.random_init(3, 2, 400, 2, seed=7)
    U2, _ = ln.random_init(3, 2, 400, 2, seed=7)
    assert U1.shape == (2, 3, 400) and V1.shape == (2, 2, 400) and np.array_equal(U1, U2)
    assert np.var(U1) * 400 == pytest.approx(1.0, rel=0.1)


# ----------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ln.check_problem(np.ones((2, 3)), np.ones((2, 2)), np.ones((2, 2))), "same number of columns"),
        (lambda: ln.check_problem(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 2))), "Y must have shape"),
        (
            lambda: ln.check_problem(np.ones((2, 3)), np.ones((2, 3)), np.ones((4, 2)), np.ones((4, 3))),
            "X must have shape",
        ),
        (lambda: ln.check_problem([[np.nan]], [[1.0]], [[1.0]]), "U0 has non-finite"),
        (lambda: ln.scalar_closed_form(0.1, 0.2, 1.0, [-1.0]), "t must be finite and >= 0"),
        (lambda: ln.scalar_closed_form(float("inf"), 0.2, 1.0, [1.0]), "x0 must be finite"),
        (lambda: lc.scalar_rate_gap(1.0, 0.5, 1.0, 0.0), "tau"),
        (
            lambda: ln.spectral_init(np.ones((2, 2)), np.eye(2), np.eye(2), [1, 1], [1, 1], [1, 1]),
            "Phi must be orthogonal",
        ),
        (
            lambda: ln.spectral_init(np.eye(2), np.eye(2), np.eye(2), [1, 1, 1], [1, 1], [1, 1]),
            "sigma must be a vector of length 2",
        ),
        (lambda: ln.gradient_flow([[1.0]], [[1.0]], [[1.0]], t_eval=[0.0, 1.0, 0.5]), "strictly increasing"),
        (lambda: lc.min_norm_gap([[1.0]], [[1.0]], [[1.0]], None), "X is required"),
        (lambda: lc.loss_rate_gap([[1.0]], [[0.1]], [[0.0]], rate=lambda rc: -1.0), "claimed rate"),
        (lambda: ln.random_init(2, 2, 0, 1, 0), "must be >= 1"),
    ],
)
def test_bad_input_raises_invalid_input(call, match):
    with pytest.raises(InvalidInput, match=match):
        call()


# ---------------------------------------------------------------------------------- generators
def _roundtrip(case):
    back = decode(encode(case))
    assert back.keys() == case.keys()
    for key, value in case.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(back[key], value)
        else:
            assert back[key] == value


@quick
@given(scalar_cases())
def test_scalar_cases_are_valid(case):
    _roundtrip(case)
    assert 0.25 <= abs(case["y"]) <= 3.0 and 0.5 <= case["tau"] <= 8.0
    if abs(case["u0"]) == abs(case["v0"]):
        assert case["u0"] * case["v0"] * case["y"] > 0


@quick
@given(conservation_cases())
def test_conservation_cases_are_valid(case):
    _roundtrip(case)
    P = ln.check_problem(case["U0"], case["V0"], case["Y"], case["X"])
    assert max(P.m, P.n) <= 3 and P.k <= 4 and case["t_max"] > 0


@quick
@given(spectral_cases())
def test_spectral_cases_are_valid(case):
    _roundtrip(case)
    inst = ln.spectral_init(case["Phi"], case["Psi"], case["Q"], case["sigma"], case["u"], case["v"])
    s = np.sort(np.linalg.svd(inst.Y, compute_uv=False))
    np.testing.assert_allclose(s, np.sort(case["sigma"]), rtol=1e-12)


@settings(max_examples=80, deadline=None)
@given(rate_cases())
def test_rate_cases_meet_a_sufficient_condition(case):
    _roundtrip(case)
    rc = ln.rate_constant(case["U0"], case["V0"], case["Y"], case["X"])
    assert rc.alpha > 1e-3
    if case["X"] is not None:
        assert rc.lam_max_x == pytest.approx(1.0) and rc.lam_max_x / rc.lam_min_x <= 4.0 + 1e-9
    imbalanced = rc.lam_low_plus > 0 or rc.lam_low_minus > 0
    assert imbalanced or rc.margin > 0


@given(
    st.sampled_from(["imbalanced-U", "imbalanced-V", "margin"]).flatmap(
        lambda r: st.tuples(st.just(r), rate_cases(regime=r))
    )
)
@quick
def test_rate_regimes_give_what_they_promise(pair):
    regime, case = pair
    rc = ln.rate_constant(case["U0"], case["V0"], case["Y"], case["X"])
    if regime == "imbalanced-U":
        assert rc.lam_low_plus > 0
    elif regime == "imbalanced-V":
        assert rc.lam_low_minus > 0
    else:
        assert rc.margin > 0


@quick
@given(
    st.integers(1, 4).flatmap(
        lambda N: st.integers(1, 3).flatmap(lambda m: st.tuples(st.just((N, m)), well_conditioned_data(N, m)))
    )
)
def test_well_conditioned_data(pair):
    (N, m), X = pair
    ev = np.linalg.eigvalsh(X.T @ X)
    pos = ev[ev > 1e-10]
    assert X.shape == (N, m) and pos.size == min(N, m)
    assert pos[-1] == pytest.approx(1.0) and pos[-1] / pos[0] <= 4.0 + 1e-9


@quick
@given(orthogonal_cases())
def test_orthogonal_cases_are_orthogonal_and_rank_deficient(case):
    _roundtrip(case)
    X = case["X"]
    assert np.linalg.matrix_rank(X) < X.shape[1]
    assert ln.orthogonality_defect(case["U0"], case["V0"], X) < 1e-12
    rc = ln.rate_constant(case["U0"], case["V0"], case["Y"], X)
    assert rc.lam_low_minus > 0.3  # sufficient V-side imbalance: convergence is guaranteed


@quick
@given(orthogonal_cases(orthogonal_init=False))
def test_non_orthogonal_cases_violate_the_condition(case):
    assert ln.orthogonality_defect(case["U0"], case["V0"], case["X"]) > 1e-6


@quick
@given(width_cases())
def test_width_cases_are_valid(case):
    _roundtrip(case)
    assert np.linalg.matrix_rank(case["X"]) < case["X"].shape[1] and case["k"] in (3, 4)
    assert np.linalg.norm(ln.min_norm_solution(case["X"], case["Y"])) > 0


# ------------------------------------------------------------------------------------- shrinking
def test_sizes_shrink_to_one():
    assert find(sizes(), lambda s: True) == (1, 1, 1)
    assert find(sizes(), lambda s: s[2] >= 3) == (1, 1, 3)


def test_conservation_cases_shrink_to_identity_like_scalars():
    case = find(conservation_cases(), lambda c: True)
    assert case["X"] is None and case["U0"].shape == (1, 1) and case["V0"].shape == (1, 1)
    assert case["U0"][0, 0] == 1.0 and case["V0"][0, 0] == 1.0 and case["Y"][0, 0] == 2.0


def test_scalar_cases_shrink_to_the_simple_start():
    case = find(scalar_cases(), lambda c: True)
    assert (case["u0"], case["v0"], case["y"]) == (1.0, 0.5, 1.0)


def test_spectral_cases_shrink_to_identities():
    case = find(spectral_cases(), lambda c: True)
    assert case["Phi"].shape == (1, 1) and case["Q"].shape == (1, 1)
    assert case["sigma"].tolist() == [1.0] and case["u"].tolist() == [1.0] and case["v"].tolist() == [0.5]


def test_spectral_cases_shrink_when_asked_for_a_big_one():
    case = find(spectral_cases(), lambda c: c["Q"].shape[0] >= 3)
    assert case["Phi"].shape == (1, 1) and case["Psi"].shape == (1, 1) and case["Q"].shape == (3, 3)
    np.testing.assert_array_equal(case["Q"], np.eye(3))


def test_rate_cases_shrink_to_the_scalar_case():
    case = find(rate_cases(), lambda c: True)
    assert case["U0"].shape == (1, 1) and case["X"] is None
    big = find(rate_cases(), lambda c: c["U0"].shape[0] >= 2)
    assert big["U0"].shape[0] == 2 and big["V0"].shape[0] == 1 and big["X"] is None


def test_orthogonal_cases_shrink_to_the_smallest_rank_deficient_problem():
    case = find(orthogonal_cases(), lambda c: True)
    X = case["X"]
    assert X.shape == (1, 2) and case["Y"].shape == (1, 1) and case["U0"].shape[1] == 1
    np.testing.assert_allclose(X, [[1.0, 0.0]])


def test_width_cases_shrink():
    case = find(width_cases(), lambda c: True)
    assert case["X"].shape == (1, 2) and case["k"] == 3 and case["seed"] == 0
