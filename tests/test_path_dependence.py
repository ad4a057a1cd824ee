"""Tests of oracles/checks/path_dependence.py and the equal-μ schedule generators (li2022:cor-4.11's machinery)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.linalg import expm

from generators.schedules import commuting_path_cases, equal_mu_pairs, factorization_families, path_cases
from oracles.checks.path_dependence import (
    commuting_quadratic_preimage,
    endpoint_gap,
    expm_taylor,
    gram_depends_only_on_w,
    hessian_metric_defect,
    linear_mu,
    linear_schedule_endpoint,
    linear_schedule_path,
    metric_from_preimage,
    mu_mismatch,
    path_dependence_search,
    single_schedule_witness,
    symmetric_entries_to_matrix,
    uu_preimage,
)
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.outcome import Panel
from oracles.core.specs import decode, encode
from oracles.flows.trajectories import gradient_flow
from oracles.model.losses import LeastSquares, Linear, Schedule
from oracles.model.parametrizations import Powers, Quadratic, factorization, symmetric_factorization
from oracles.model.reverse import ReverseParametrization, ScalarPotential


def swap_pair(d: int, i: int = 0, j: int = 1, t1: float = 1.0, t2: float = 1.0):
    A = Schedule(((t1, Linear(np.eye(d)[i])), (t2, Linear(np.eye(d)[j]))))
    return A, Schedule(tuple(reversed(A.pieces)))


# -----------------------------------------------------------------------------------------
# closed forms
def test_expm_taylor_matches_eigh_and_scipy():
    """Symmetric matrices (the oracle's C_k) up to norm ~100 against V e^Λ Vᵀ (scipy's Padé expm is itself
    off by ~5e-12 at norm ~20 here); general matrices against scipy where expm is well conditioned."""
    rng = np.random.default_rng(0)
    for scale in (0.1, 1.0, 5.0, 30.0):
        M = scale * rng.standard_normal((4, 4))
        S = M + M.T
        lam, V = np.linalg.eigh(S)
        E = V @ np.diag(np.exp(lam)) @ V.T
        assert np.linalg.norm(expm_taylor(S) - E) <= 1e-12 * np.linalg.norm(E)
        if scale <= 1.0:
            assert np.linalg.norm(expm_taylor(M) - expm(M)) <= 1e-13 * np.linalg.norm(expm(M))


def test_closed_form_endpoint_matches_ode():
    """x(T) = Π exp(−τ_k C_k) x_init against oracles.flows.gradient_flow on UUᵀ and UVᵀ."""
    for G, x in (
        (symmetric_factorization(2, 2), np.array([1.0, 0.3, -0.5, 0.8])),
        (factorization(2, 3, 1), np.array([0.5, 1.0, -0.2, 0.7, 1.1])),
    ):
        rng = np.random.default_rng(1)
        S = Schedule(((0.4, Linear(rng.uniform(-1, 1, G.d))), (0.7, Linear(rng.uniform(-1, 1, G.d)))))
        closed = linear_schedule_endpoint(G, S, x)
        ode = gradient_flow(G, S, x, t_eval=[0.0, S.total_time], rtol=1e-12, atol=1e-14).x[-1]
        assert np.linalg.norm(closed - ode) <= 1e-9 * np.linalg.norm(closed)
        taylor = linear_schedule_endpoint(G, S, x, method="taylor")
        assert np.linalg.norm(closed - taylor) <= 1e-12 * np.linalg.norm(closed)
        t = np.linspace(0, S.total_time, 7)
        path = linear_schedule_path(G, S, x, t)
        assert np.allclose(path, gradient_flow(G, S, x, t_eval=t, rtol=1e-12, atol=1e-14).w, rtol=1e-8, atol=1e-10)


def test_mu_of_linear_schedules():
    A, B = swap_pair(3, 0, 2, 0.5, 2.0)
    assert np.allclose(linear_mu(A), [-0.5, 0.0, -2.0])
    assert mu_mismatch(A, B) == 0.0
    G = symmetric_factorization(2, 1)
    fr = gradient_flow(G, A, np.array([1.0, 0.5]), t_eval=[0.0, A.total_time])
    assert np.allclose(fr.mu[-1], linear_mu(A), atol=1e-12)


# -----------------------------------------------------------------------------------------
# the witness on UUᵀ, and nothing on commuting families
def test_uut_witness_and_its_plot():
    """The smallest witness: UUᵀ, d = 2, r = 1, U = (1, 1); loss W00 then W01 against the reverse order."""
    G = symmetric_factorization(2, 1)
    outcome = endpoint_gap(G, np.array([1.0, 1.0]), swap_pair(3))
    assert outcome.falsified and outcome.discrepancy > 0.9
    assert outcome.budget <= 2e-9
    panels = outcome.plot()
    assert all(isinstance(p, Panel) for p in panels) and len(panels) == 2
    assert len(panels[0].series) == 2 * G.d


def test_closed_form_and_ode_gaps_agree_on_uut():
    G, x, pair = symmetric_factorization(2, 1), np.array([1.0, 1.0]), swap_pair(3)
    closed, ode = endpoint_gap(G, x, pair), endpoint_gap(G, x, pair, method="ode")
    assert abs(closed.discrepancy - ode.discrepancy) <= ode.budget
    assert ode.error > closed.error


def test_single_schedule_witness_passes_both_end_points_with_equal_mu():
    """A · A⁻¹ · B: at T_A and at the end μ agree and w differs (Cor 4.11's one-loss form)."""
    G, x = symmetric_factorization(2, 1), np.array([1.0, 1.0])
    A, B = swap_pair(3)
    S = single_schedule_witness(A, B)
    t = np.array([0.0, A.total_time, 2 * A.total_time, S.total_time])
    fr = gradient_flow(G, S, x, t_eval=t, rtol=1e-12, atol=1e-14)
    assert np.allclose(fr.mu[1], fr.mu[3], atol=1e-10)
    assert np.allclose(fr.x[2], x, atol=1e-8)  # A⁻¹ undoes A exactly
    assert np.linalg.norm(fr.w[1] - fr.w[3]) > 0.5


def test_d1_uut_has_no_witness():
    """li2022 Cor 4.11 says "for any d"; at d = 1, G = ‖u‖² is a mirror flow and no pair separates."""
    G = symmetric_factorization(1, 3)
    A = Schedule(((0.7, Linear([1.0])), (0.3, Linear([-2.0]))))
    outcome = endpoint_gap(G, np.array([1.0, -0.5, 0.2]), (A, Schedule(tuple(reversed(A.pieces)))))
    assert not outcome.falsified and outcome.discrepancy < 1e-14


@settings(max_examples=40)
@given(case=commuting_path_cases())
def test_gap_within_budget_on_commuting_families(case):
    """Positive side of li2022:cor-4.11 (test-only, no statement ID): on separable and commuting quadratic
    families every equal-μ pair ends at the same w, within the budget."""
    G, x, pair = case
    try:
        outcome = endpoint_gap(G, x, pair)
    except Inconclusive:
        return
    assert not outcome.falsified, (G.name, outcome.discrepancy, outcome.budget)


def test_search_finds_larger_gap_than_start_on_uut():
    G, x = symmetric_factorization(2, 1), np.array([1.0, 1.0])
    outcome, (A, B) = path_dependence_search(G, x, starts=2, maxiter=30, seed=3)
    assert outcome.falsified and mu_mismatch(A, B) < 1e-14
    assert outcome.details["search_best"] == pytest.approx(outcome.discrepancy, rel=1e-6)


def test_search_finds_nothing_on_separable_thm51_map():
    G = ReverseParametrization(ScalarPotential("entropy"), d=2)
    outcome, _ = path_dependence_search(G, np.array([1.0, 2.0]), starts=1, maxiter=3)
    assert not outcome.falsified


# -----------------------------------------------------------------------------------------
# Hessian metrics
@pytest.mark.parametrize("n, r", [(2, 2), (2, 3), (3, 3)])
def test_uut_metric_is_a_function_of_w_but_not_hessian(n, r):
    G = symmetric_factorization(n, r)
    rng = np.random.default_rng(n + r)
    U = rng.standard_normal((n, r))
    Q, _ = np.linalg.qr(rng.standard_normal((r, r)))
    same_w = gram_depends_only_on_w(G, U.flatten(order="F"), (U @ Q).flatten(order="F"))
    assert not same_w.falsified
    W = np.eye(n) + 0.2 * np.ones((n, n))
    outcome = hessian_metric_defect(metric_from_preimage(G, uu_preimage(n, r)), W[np.triu_indices(n)])
    assert outcome.falsified and outcome.discrepancy > 0.05


def test_commuting_metrics_are_hessian():
    P = Powers(1.5, 3)
    assert not hessian_metric_defect(
        metric_from_preimage(P, lambda w: w ** (1 / 1.5)), np.array([0.5, 1.0, 2.0])
    ).falsified
    rng = np.random.default_rng(4)
    O, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    Lam = np.eye(3) + 0.2 * rng.standard_normal((3, 3))
    G = Quadratic(np.einsum("ab,ib,cb->iac", O, Lam, O))
    w = G.value(O @ np.array([1.0, 0.8, 1.2]))
    assert not hessian_metric_defect(metric_from_preimage(G, commuting_quadratic_preimage(G)), w).falsified
    R = ReverseParametrization([ScalarPotential("hypentropy", beta=0.7), ScalarPotential("log-barrier")])
    assert not hessian_metric_defect(metric_from_preimage(R, R.F), np.array([-0.4, 1.3])).falsified


def test_hessian_defect_of_a_known_non_hessian_metric():
    """h(w) = [[1, w0], [w0, 1 + w0²]]⁻¹ ... built so that ∂_1 h_00 ≠ ∂_0 h_10."""
    metric = lambda w: np.linalg.inv(np.array([[1.0, w[0]], [w[0], 2.0 + w[0] ** 2]]))  # noqa: E731
    out = hessian_metric_defect(metric, np.array([0.3, 0.1]))
    assert out.falsified


# -----------------------------------------------------------------------------------------
# bad input
def test_bad_inputs_are_named():
    G = symmetric_factorization(2, 1)
    A, B = swap_pair(3)
    with pytest.raises(InvalidInput, match="same total mu"):
        endpoint_gap(G, np.ones(2), (A, Schedule(((1.0, Linear([1.0, 0, 0])),))))
    with pytest.raises(InvalidInput, match="linear losses"):
        endpoint_gap(G, np.ones(2), (Schedule(((1.0, LeastSquares(np.eye(3), np.ones(3))),)), B))
    with pytest.raises(InvalidInput, match="acts on R"):
        endpoint_gap(G, np.ones(2), swap_pair(4))
    with pytest.raises(InvalidInput, match="x_init"):
        endpoint_gap(G, np.ones(3), (A, B))
    with pytest.raises(InvalidInput, match="pair"):
        endpoint_gap(G, np.ones(2), A)
    with pytest.raises(InvalidInput, match="method"):
        endpoint_gap(G, np.ones(2), (A, B), method="magic")
    with pytest.raises(InvalidInput, match="pieces"):
        path_dependence_search(G, np.ones(2), pieces=1)
    with pytest.raises(InvalidInput, match="Quadratic"):
        linear_schedule_endpoint(Powers(2.0, 3), A, np.ones(3))
    with pytest.raises(InvalidInput, match="r >= n"):
        uu_preimage(3, 2)
    with pytest.raises(InvalidInput, match="same image"):
        gram_depends_only_on_w(G, np.ones(2), np.array([1.0, 2.0]))
    with pytest.raises(InvalidInput, match="length 3"):
        symmetric_entries_to_matrix(np.ones(4), 2)


def test_blow_up_is_inconclusive():
    G = symmetric_factorization(2, 1)
    A = Schedule(((50.0, Linear([-1.0, 0.0, 0.0])), (1.0, Linear([0.0, 1.0, 0.0]))))
    with pytest.raises(Inconclusive):
        endpoint_gap(G, np.ones(2), (A, Schedule(tuple(reversed(A.pieces)))))


# -----------------------------------------------------------------------------------------
# generators
@settings(max_examples=60)
@given(pair=equal_mu_pairs(4))
def test_equal_mu_pairs_have_equal_mu(pair):
    A, B = pair
    assert mu_mismatch(A, B) <= 1e-12
    assert all(dur > 0 for dur, _ in A.pieces + B.pieces)


@settings(max_examples=30)
@given(case=path_cases())
def test_path_cases_are_valid_and_round_trip(case):
    G, x, (A, B) = case
    assert G.d >= 3 and G.in_domain(x)
    back = decode(encode(case))
    assert np.array_equal(back[1], x)
    assert back[0].to_spec() == G.to_spec()
    assert back[2][0].to_spec() == A.to_spec() and back[2][1].to_spec() == B.to_spec()


def test_generators_shrink_to_simple_values():
    from hypothesis import find

    A, B = find(equal_mu_pairs(3), lambda p: True)
    assert [d for d, _ in A.pieces] == [1.0, 1.0]
    assert np.array_equal(A.pieces[0][1].c, [1.0, 0.0, 0.0]) and np.array_equal(A.pieces[1][1].c, [0.0, 1.0, 0.0])
    G = find(factorization_families(), lambda g: True)
    assert G.name.startswith("UU^T (d=2, r=1)")
    assert math.isclose(find(equal_mu_pairs(2, kinds=("split",)), lambda p: True)[1].pieces[0][0], 0.5)


@pytest.mark.parametrize(
    "G",
    [symmetric_factorization(d, r) for d in (2, 3) for r in (1, 2)]
    + [factorization(m, n, r) for m in (2, 3) for n in (2, 3) for r in (1, 2)],
    ids=lambda G: G.name,
)
def test_cor_4_11_witness_at_every_size_the_generator_draws(G):
    """li2022:cor-4.11 at every (d, r) of the generator (d ≤ 3, r ≤ 2, UUᵀ and UVᵀ): the swap of two unit
    linear losses on two entries sharing a row, from U = 1, already ends at different w."""
    from oracles.model.losses import Linear, Schedule

    a, b = Linear(np.eye(G.d)[0]), Linear(np.eye(G.d)[1])
    pair = (Schedule(((1.0, a), (1.0, b))), Schedule(((1.0, b), (1.0, a))))
    outcome = endpoint_gap(G, np.ones(G.D), pair)
    assert outcome.falsified, (G.name, outcome.discrepancy, outcome.budget)


# -----------------------------------------------------------------------------------------
# issue 22 §4: the dual witness, non-linear losses, chart metrics
def test_same_endpoint_witness_at_an_irregular_point_and_not_at_a_regular_one():
    """x⊙2 on R² at x = (1, 0): changing c_1 leaves w(T) exactly unchanged (a witness); at x = (1, 0.5) it does not."""
    from oracles.checks.path_dependence import same_endpoint_witness
    from oracles.model.irregular import squares_everywhere, uv_squared_everywhere

    G = squares_everywhere(2)
    A = Schedule(((0.7, Linear(np.array([1.0, 0.3]))),))
    B = Schedule(((0.7, Linear(np.array([1.0, 1.3]))),))
    out = same_endpoint_witness(G, np.array([1.0, 0.0]), (A, B))
    assert out.falsified and out.details["w_gap_relative"] == 0.0 and out.details["rank_dG(x_init)"] == 1
    assert not same_endpoint_witness(G, np.array([1.0, 0.5]), (A, B)).falsified
    assert same_endpoint_witness(G, np.array([1.0, 0.5]), (A, B), claim="equal-w").falsified
    H = uv_squared_everywhere(2)
    assert same_endpoint_witness(H, np.array([1.0, 0.0, 0.5, 0.0]), (A, B)).falsified
    with pytest.raises(InvalidInput, match="different total mu"):
        same_endpoint_witness(G, np.array([1.0, 0.0]), (A, A))
    with pytest.raises(InvalidInput, match="claim"):
        same_endpoint_witness(G, np.array([1.0, 0.0]), (A, B), claim="nope")


def test_mu_determines_w_on_a_commuting_family_and_not_on_uut():
    """A least-squares schedule against the straight linear loss to the same integrated μ: equal on x⊙2 (a mirror
    flow), different on UUᵀ."""
    from oracles.checks.path_dependence import mu_determines_w

    Z, Y = np.array([[1.0, 0.5]]), np.array([1.0])
    S = Schedule(((0.3, LeastSquares(Z, Y)), (0.2, Linear(np.array([0.5, -1.0])))))
    assert not mu_determines_w(Powers(2.0, 2), np.array([1.0, 0.7]), S).falsified
    G = symmetric_factorization(2, 1)
    Z3 = np.array([[1.0, 0.5, -0.3]])
    S3 = Schedule(((0.4, LeastSquares(Z3, Y)), (0.3, Linear(np.array([0.0, 1.0, 0.0])))))
    assert mu_determines_w(G, np.array([1.0, 0.6]), S3).falsified


def test_hopf_chart_metric_is_hessian_along_the_chart():
    from oracles.checks.path_dependence import chart_metric_check, chart_preimages, hopf_preimage
    from oracles.model.hopf import HopfChart

    rng = np.random.default_rng(3)
    O, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    H = HopfChart(O, np.eye(3), np.array([[1.0, 0.2], [0.1, 0.9]]))
    x = H.point(0.6, 0.3, 0.4, 1.3, [0.2])
    w = H.value(x)
    pre = hopf_preimage(H, 1.3, 0.0, [0.2])
    assert np.abs(H.value(pre(w)) - w).max() < 1e-12
    assert not chart_metric_check(H, w, *chart_preimages(H, x, 1.1)).falsified
    with pytest.raises(Inconclusive):
        pre(np.linalg.solve(np.linalg.inv(H.P), np.array([1.5, 0.0])))


def test_chart_preimages_of_a_non_chart_is_invalid_input():
    """A parametrization that is neither a Hopf nor a helical chart is refused with InvalidInput (it raised
    AttributeError on ``G.O`` before the type check; found by mypy, issue 26)."""
    from oracles.checks.path_dependence import chart_preimages

    with pytest.raises(InvalidInput, match="HopfChart or a HelixChart"):
        chart_preimages(Powers(2.0, 2), np.array([1.0, 0.5]), 0.5)
