"""Tests of the strategies themselves: they produce valid instances and shrink to simple ones."""

from __future__ import annotations

import numpy as np
from hypothesis import find, given, settings
from hypothesis import strategies as st

from generators.arrays import orthogonal, positive_vectors
from generators.cases import flow_cases
from generators.losses import equal_mu_pairs, regression_data, schedules
from generators.parametrizations import (
    commuting_families,
    commuting_quadratics,
    inits,
    matrix_factorizations,
    noncommuting_quadratics,
    separable_families,
)
from generators.regression import well_scaled_matrices
from oracles.model.parametrizations import Identity, UVSquared

quick = settings(max_examples=60, deadline=None)


@quick
@given(commuting_quadratics())
def test_commuting_quadratics_commute_and_are_symmetric(G):
    assert G.commutator_norm() < 1e-12
    assert np.allclose(G.A, G.A.transpose(0, 2, 1))
    assert G.D >= G.d


@quick
@given(noncommuting_quadratics())
def test_noncommuting_quadratics_do_not_commute(G):
    assert G.d >= 2
    assert G.commutator_norm() > 1e-6


@quick
@given(st.one_of(commuting_families(), matrix_factorizations()).flatmap(lambda G: st.tuples(st.just(G), inits(G))))
def test_inits_lie_in_the_domain(case):
    G, x = case
    assert x.shape == (G.D,) and G.in_domain(x) and np.all(np.isfinite(x))


@quick
@given(orthogonal(4))
def test_orthogonal_is_orthogonal(O):
    assert np.allclose(O @ O.T, np.eye(4), atol=1e-12)


@quick
@given(st.integers(2, 6).flatmap(lambda d: regression_data(d).map(lambda zy: (d, zy))))
def test_regression_data_is_underdetermined(case):
    d, (Z, Y) = case
    assert Z.shape[0] < d and Z.shape[1] == d and Y.shape == (Z.shape[0],)


def test_commuting_quadratics_shrink_to_one_dimension():
    G = find(commuting_quadratics(), lambda G: True)
    assert (G.d, G.D) == (1, 1) and np.allclose(G.A, 1.0)


def test_noncommuting_quadratics_shrink_to_two_dimensions():
    G = find(noncommuting_quadratics(), lambda G: True)
    assert (G.d, G.D) == (2, 2)


def test_separable_families_shrink_to_the_identity_in_one_dimension():
    G = find(separable_families(), lambda G: True)
    assert isinstance(G, Identity) and G.d == 1


def test_schedules_shrink_to_one_piece():
    s = find(schedules(3), lambda s: True)
    assert len(s.pieces) == 1


def test_positive_inits_shrink_to_ones():
    x = find(inits(UVSquared(2)), lambda x: True)
    assert np.allclose(x, 1.0)


def test_positive_vectors_stay_in_range():
    lo, hi = 0.1, 3.0
    x = find(positive_vectors(5, lo, hi), lambda x: x.max() > 2.9)
    assert np.all((x >= lo) & (x <= hi))


@quick
@given(flow_cases(commuting_families()))
def test_flow_cases_match_dimensions(case):
    G, x, sched = case
    assert sched.d == G.d and x.shape == (G.D,)


@quick
@given(well_scaled_matrices())
def test_well_scaled_matrices_have_binary_fraction_entries_in_range(A):
    n, d = A.shape
    assert d > n
    assert np.all((np.abs(A) >= 0.25) & (np.abs(A) <= 2.0))
    assert np.all(A * 8 == np.round(A * 8))


def test_well_scaled_matrices_shrink_to_full_rank_walsh_signs():
    for n in (1, 2, 3):
        A = find(well_scaled_matrices(min_n=n, max_n=n), lambda A: True)
        assert np.all(np.abs(A) == 1.0) and A.shape == (n, n + 1)
        assert np.linalg.matrix_rank(A) == n


@quick
@given(commuting_families().flatmap(lambda G: st.tuples(st.just(G), inits(G))))
def test_inits_are_regular_points(case):
    G, x = case
    s = np.linalg.svd(np.atleast_2d(G.jacobian(x)), compute_uv=False)
    assert s[-1] > 1e-6 * max(s[0], 1.0)


@settings(max_examples=30, deadline=None)
@given(pair=equal_mu_pairs(4, entries=(1, 2)))
def test_equal_mu_pairs_can_be_restricted_to_chosen_entries(pair):
    """Loss directions on chosen entries only (here w[1], w[2]); the two schedules still have the same μ."""
    from oracles.checks.path_dependence import linear_mu

    for sched in pair:
        for _, loss in sched.pieces:
            assert loss.c[0] == 0.0 and loss.c[3] == 0.0
    assert np.allclose(linear_mu(pair[0]), linear_mu(pair[1]))


@settings(max_examples=30, deadline=None)
@given(G=noncommuting_quadratics(perturbed=True, min_perturbation=1e-3, max_perturbation=1e-2))
def test_noncommuting_quadratics_take_a_perturbation_size(G):
    """A small perturbation stays small: the commutator is O(ε) relative, yet never zero."""
    assert 0.0 < G.commutator_norm() < 0.2


def test_builders_are_cached_and_cached_builders_draw_the_same_values():
    """A composite strategy calls its builders on every draw; a cached builder hands back the same strategy
    object (no re-validation), and it draws what a fresh one draws from the same choices."""
    from generators import arrays, losses

    assert arrays.offsets((2, 3), 1.0) is arrays.offsets((2, 3), 1.0)
    assert losses.schedules(2) is losses.schedules(2)
    assert losses.least_squares(3) is losses.least_squares(3)

    def draws(strategy):
        out = []

        @settings(max_examples=20, derandomize=True, database=None, deadline=None)
        @given(strategy)
        def collect(value):
            out.append(repr(value.to_spec()))

        collect()
        return out

    fresh = losses.schedules.__wrapped__(2)  # the composite itself, built anew
    assert draws(losses.schedules(2)) == draws(fresh)


def test_a_builder_given_an_unhashable_argument_builds_afresh():
    """A list where a tuple is expected is not an error of the cache: the builder is simply not cached."""
    from generators.parametrizations import powers

    G = find(powers(2, p_values=[3.0]), lambda G: True)
    assert G.p == 3.0
