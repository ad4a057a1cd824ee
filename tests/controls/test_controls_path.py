"""Negative controls for li2022:cor-4.11, li2022:thm-5.1, gunasekar2017:diagonal-nuclear,
li2020:nonnuclear and razin2020:norms-grow.

A ``@control`` plants a false variant and passes when the same oracle falsifies it. For the two
refutations (li2022:cor-4.11, li2020:nonnuclear) the essential negative check is the converse --
the same search on a family where the refuted claim is *true* must find nothing -- written as plain
tests that assert the largest gap stays within its budget.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generators.arrays import offsets, orthogonal
from generators.parametrizations import time_reversal_cases
from generators.schedules import commuting_sensing_cases, deep_completion_cases, reverse_cases
from oracles.checks.matrix_sensing import (
    commuting_measurements,
    diagonal_nuclear_check,
    nonnuclear_gap,
    norms_grow_check,
)
from oracles.checks.path_dependence import (
    hessian_metric_defect,
    metric_from_preimage,
    path_dependence_search,
    symmetric_entries_to_matrix,
    time_reversal_gap,
    uu_preimage,
)
from oracles.checks.reverse import gf_equals_mf
from oracles.model.parametrizations import Identity, Powers, Quadratic, UVSquared, symmetric_factorization
from oracles.model.reverse import ReverseParametrization, ScalarPotential
from theorems import control


# -----------------------------------------------------------------------------------------
# li2022:cor-4.11
def _commuting_quadratic(d: int, seed: int) -> Quadratic:
    rng = np.random.default_rng(seed)
    O, _ = np.linalg.qr(rng.standard_normal((d, d)))
    Lam = np.eye(d) + 0.3 * rng.standard_normal((d, d))
    return Quadratic(np.einsum("ab,ib,cb->iac", O, Lam, O), name="commuting quadratic")


COMMUTING = [
    pytest.param(_commuting_quadratic(2, 0), np.array([1.0, 0.5]), id="commuting-quadratic-d2"),
    pytest.param(_commuting_quadratic(3, 1), np.array([0.7, 1.0, -0.4]), id="commuting-quadratic-d3"),
    pytest.param(symmetric_factorization(1, 2), np.array([1.0, 0.5]), id="UUT-d1-r2"),
    pytest.param(Powers(2.0, 2), np.array([1.0, 0.6]), id="squares"),
    pytest.param(UVSquared(1), np.array([1.0, 0.5]), id="u2-v2"),
    pytest.param(
        ReverseParametrization([ScalarPotential("hypentropy", beta=0.5), ScalarPotential("entropy")]),
        np.array([0.3, 1.5]),
        id="thm5.1-G",
    ),
]


@pytest.mark.parametrize("G, x", COMMUTING)
def test_cor_4_11_search_finds_nothing_on_commuting_families(G, x):
    """li2022:cor-4.11's witness search, run on commuting families (and on UUᵀ at d = 1, where the
    corollary's "for any d" fails), must end with the largest gap within its budget."""
    quadratic = isinstance(G, Quadratic)
    outcome, (A, B) = path_dependence_search(
        G, x, starts=4 if quadratic else 1, maxiter=40 if quadratic else 4, max_duration=0.5
    )
    assert outcome.inconclusive is None
    assert not outcome.falsified, (G.name, outcome.discrepancy, outcome.budget)
    assert outcome.details["search_evaluations"] >= outcome.details["search_starts"]


def test_cor_4_11_search_finds_witness_on_uut():
    """The same search on UUᵀ (d = 2, r = 1) finds a gap far above its budget (the positive side)."""
    outcome, _ = path_dependence_search(symmetric_factorization(2, 1), np.array([1.0, 1.0]), starts=2, maxiter=20)
    assert outcome.falsified and outcome.discrepancy > 0.1


@st.composite
def uu_metric_points(draw):
    n = draw(st.integers(2, 3))
    r = n + draw(st.integers(0, 1))
    E = draw(offsets((n, n), 0.3))
    W = np.eye(n) + 0.5 * (E + E.T)
    return n, r, W[np.triu_indices(n)]


@control("li2022:cor-4.11", title="the metric (∂G∂Gᵀ)⁻¹ of UUᵀ (r ≥ d) is a Hessian metric", fields=("n", "r", "w"))
@given(case=uu_metric_points())
def test_control_uut_metric_is_hessian(case):
    """Planted: if GF on UUᵀ were a mirror flow, (∂G∂Gᵀ)⁻¹ -- a function of W = UUᵀ when r ≥ d -- would be
    ∇²R, with totally symmetric derivative. Finite differences (steps h, 2h) show it is not."""
    n, r, w = case
    return hessian_metric_defect(metric_from_preimage(symmetric_factorization(n, r), uu_preimage(n, r)), w)


# -----------------------------------------------------------------------------------------
# li2022:thm-5.1
@control(
    "li2022:thm-5.1",
    title="a G built with F' = r'' (no square root) is caught",
    fields=("potentials", "w_init", "schedule"),
)
@given(case=reverse_cases(max_extra=0, max_pieces=1, max_duration=0.15))
def test_control_thm_5_1_no_square_root(case):
    """Planted: G = F⁻¹ with F' = r'' (so F = r', G = (r')⁻¹). Then ẇ = −∂L/r''², not the mirror flow."""
    potentials, w_init, schedule = case
    return gf_equals_mf(potentials, w_init, schedule, exponent=1.0)


# -----------------------------------------------------------------------------------------
# gunasekar2017:diagonal-nuclear
@control(
    "gunasekar2017:diagonal-nuclear",
    title="exact minimum nuclear norm at finite α (the α-bound dropped)",
    fields=("O", "a", "y", "alpha", "P"),
)
@given(case=commuting_sensing_cases(max_n=2))
def test_control_gunasekar_exact_at_finite_alpha(case):
    """Planted: GF from αI lands exactly on the minimum nuclear norm at every α (no (H(v*)−H(v_T))/(2 ln 1/α) term)."""
    O, a, y, alpha, P = case
    return diagonal_nuclear_check(O, a, y, alpha, P, 3.0, bound=False)


# -----------------------------------------------------------------------------------------
# li2020:nonnuclear
@st.composite
def commuting_as_general(draw):
    O, a, y, alpha, P = draw(commuting_sensing_cases(max_n=2))
    return commuting_measurements(O, a), y, alpha, draw(orthogonal(O.shape[0], 1.0))


@control(
    "li2020:nonnuclear",
    title="one initialization scale: finite-α bias on commuting measurements counted as a witness",
    fields=("A", "y", "alpha", "P"),
)
@given(case=commuting_as_general())
def test_control_li2020_single_scale(case):
    """Planted: "from a small α, GF reaches the minimum nuclear norm" judged at one α with only the
    tolerance change as budget. Even commuting measurements (where Gunasekar et al. hold) leave a
    finite-α excess, so this is falsified -- which is why the statement resolves α → 0 with two scales."""
    A, y, alpha, P = case
    return nonnuclear_gap(A, y, alpha, P, 10.0, single_scale=True)


COMMUTING_SENSING = [
    (np.eye(2), np.array([[1.0, 2.0]]), np.array([1.0]), 1e-2),
    (
        np.linalg.qr(np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 1.0], [0.0, 1.0, 2.0]]))[0],
        np.array([[1.0, 0.5, 1.5], [0.2, 1.0, 0.7]]),
        np.array([1.0, 0.8]),
        1e-2,
    ),
]


@pytest.mark.parametrize("O, a, y, alpha", COMMUTING_SENSING)
def test_li2020_two_scale_oracle_finds_nothing_on_commuting_measurements(O, a, y, alpha):
    """li2020:nonnuclear's two-scale witness on commuting measurements: the excess shrinks from α to α²
    (like 1/ln(1/α)), so it stays within its budget -- no false witness."""
    outcome = nonnuclear_gap(commuting_measurements(O, a), y, alpha, np.eye(O.shape[0]), 30.0)
    assert not outcome.falsified, (outcome.discrepancy, outcome.budget, outcome.details["gap_alpha"])
    assert outcome.details["gap_alpha"] > outcome.discrepancy


# -----------------------------------------------------------------------------------------
# razin2020:norms-grow
@control(
    "razin2020:norms-grow",
    title="growth bound without det W(0) > 0 (negative-determinant initialization)",
    fields=("factors", "observed"),
)
@given(case=deep_completion_cases(positive_det=False))
def test_control_razin_negative_determinant(case):
    """Planted: drop the hypothesis det W(0) > 0. From det W(0) < 0 the flow converges to a finite
    interpolant (det = −b₀₁b₁₀ < 0 is allowed), so |W₀₀| stays bounded while the bound 1/e grows."""
    factors, observed = case
    return norms_grow_check(factors, observed, 6.0, check_determinant=False)


def test_control_ids_are_mentioned():
    """Statement IDs owned here, for the pre-stop hook: li2022:cor-4.11, li2022:thm-5.1,
    gunasekar2017:diagonal-nuclear, li2020:nonnuclear, razin2020:norms-grow."""
    from theorems import CATALOG

    for sid in (
        "li2022:cor-4.11",
        "li2022:thm-5.1",
        "gunasekar2017:diagonal-nuclear",
        "li2020:nonnuclear",
        "razin2020:norms-grow",
    ):
        assert any(spec.control_of == sid for spec in CATALOG.values()), sid
    assert symmetric_entries_to_matrix(np.array([1.0, 2.0, 3.0]), 2)[1, 0] == 2.0
    assert Identity(1).d == 1


@control("li2022:reachability", title="the second piece runs the same loss again (c, then c): the flow returns")
@given(case=time_reversal_cases())
def test_reachability_without_the_reversal(case):
    """Twice forward is not back: the planted 'reversal' keeps the loss's sign."""
    G, x, c, T = case
    return time_reversal_gap(G, c, x, T, reverse_sign=1.0)
