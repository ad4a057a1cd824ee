"""Tests of oracles/convex/discretization.py (li2022 eq. (7) -> (8)) and Theorem 4.15(d)'s domain check."""

from __future__ import annotations

import numpy as np
import pytest

from oracles.checks.quadratic_forms import thm_4_15d_domain
from oracles.convex.discretization import md_order_in_eta, mirror_descent_path
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.model.losses import LeastSquares, Linear
from oracles.model.parametrizations import Quadratic
from oracles.model.potentials import EntropyPotential, EuclideanPotential


def test_mirror_descent_path_is_the_dual_euler_step():
    R = EntropyPotential(np.array([1.0, 2.0]), 0.25)
    loss = Linear(np.array([0.3, -0.2]))
    P = mirror_descent_path(R, loss, np.array([1.0, 2.0]), 0.1, 5)
    assert np.allclose(P[-1], np.array([1.0, 2.0]) * np.exp(-4 * 0.5 * loss.c))  # exact for a linear loss
    with pytest.raises(InvalidInput, match="eta"):
        mirror_descent_path(R, loss, np.array([1.0, 2.0]), -1.0, 5)


def test_observed_order_is_one_and_two_is_refused():
    Z, Y = np.array([[1.0, 0.5, -0.2]]), np.array([2.0])
    for R, w in ((EntropyPotential(np.ones(3), 0.25), np.ones(3)), (EuclideanPotential(np.zeros(3)), np.zeros(3))):
        out = md_order_in_eta(R, LeastSquares(Z, Y), w, 0.8)
        assert not out.falsified and abs(out.details["orders"][-1] - 1) < 0.05
        assert md_order_in_eta(R, LeastSquares(Z, Y), w, 0.8, claimed_order=2.0).falsified


def test_an_exact_step_is_unresolved_and_bad_ladders_are_named():
    R = EuclideanPotential(np.zeros(2))
    with pytest.raises(Inconclusive):
        md_order_in_eta(R, Linear(np.array([1.0, 0.0])), np.zeros(2), 1.0)
    with pytest.raises(InvalidInput, match="steps"):
        md_order_in_eta(R, Linear(np.array([1.0, 0.0])), np.zeros(2), 1.0, steps=(16, 30, 64, 128))


def _commuting(D: int, d: int, seed: int) -> Quadratic:
    rng = np.random.default_rng(seed)
    O, _ = np.linalg.qr(rng.standard_normal((D, D)))
    Lam = np.hstack([np.eye(d), np.zeros((d, D - d))]) + 0.4 * rng.uniform(-1, 1, (d, D))
    return Quadratic(np.einsum("ab,ib,cb->iac", O, Lam, O))


@pytest.mark.parametrize("D, d", [(1, 1), (2, 2), (3, 3), (3, 2), (4, 2)])
def test_domain_of_R_is_the_cone_and_not_all_of_Rd(D, d):
    G = _commuting(D, d, D + 10 * d)
    x = np.linspace(0.7, 1.3, D)
    v, u = np.linspace(0.6, 1.8, D), np.ones(d)
    out = thm_4_15d_domain(G, x, v, u)
    assert not out.falsified, (out.what, out.discrepancy, out.budget)
    if D == d:  # a simplicial cone: -2 w_in lies outside, and a mirror map would have to reach it
        assert "grad_norms_at_boundary" in out.details
        norms = out.details["grad_norms_at_boundary"]
        assert all(b > a for a, b in zip(norms, norms[1:]))
        assert thm_4_15d_domain(G, x, v, u, claim="mirror-map").falsified


def test_domain_check_refuses_non_commuting_families():
    A = np.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [1.0, 0.0]]])
    with pytest.raises(InvalidInput, match="commuting"):
        thm_4_15d_domain(Quadratic(A), np.ones(2), np.ones(2), np.ones(2))
