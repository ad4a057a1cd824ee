"""Tests of oracles.convex.bregman (potentials, divergences, projections) and of the mirror-descent step oracles.

Known closed-form projections, the KKT residuals, the log-domain evaluation down to initialization
scale 1e-6, agreement with the scipy fallback and with the Lemma 4.7 machinery, and bad input.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from oracles.convex.bregman import bregman_projection, bregman_projection_scipy, kkt_residuals, projection_gap
from oracles.convex.mirror_descent import md_step, md_step_argmin, mirror_descent, step_identity_gap
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.specs import decode, encode
from oracles.flows.legendre import LemmaLegendre, potential_of
from oracles.model.losses import LeastSquares, LogCosh
from oracles.model.parametrizations import Identity, Powers, Quadratic, UVSquared
from oracles.model.potentials import (
    EntropyPotential,
    EuclideanPotential,
    HypentropyPotential,
    PNormPotential,
    PowerPotential,
    bregman_divergence,
)

RNG = np.random.default_rng(20220707)


def woodworth(d: int, n: int, seed: int = 0):
    """The sparse-regression data of Woodworth et al. 2020: Gaussian Z, a 5-sparse w* with entries 1/√5."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, d))
    w = np.zeros(d)
    w[rng.choice(d, 5, replace=False)] = 1 / math.sqrt(5)
    return Z, Z @ w, w


def all_potentials(d: int):
    return [
        EuclideanPotential(RNG.standard_normal(d)),
        EntropyPotential(RNG.uniform(0.2, 2, d), 0.25),
        EntropyPotential(RNG.uniform(0.2, 2, d), 1.0),
        HypentropyPotential(RNG.uniform(0.1, 2, d), RNG.uniform(0.1, 2, d)),
        HypentropyPotential.scaled(1e-6, d),
        PowerPotential(3.0, RNG.uniform(0.3, 2, d)),
        PowerPotential(1.5, RNG.uniform(0.3, 2, d)),
        PNormPotential(3.0),
        PNormPotential(1.5),
    ]


def interior_point(P, d: int) -> np.ndarray:
    return RNG.uniform(0.3, 2.0, d) if math.isfinite(P.lower) else RNG.uniform(-2.0, 2.0, d)


# ----------------------------------------------------------------------------------------- potentials
@pytest.mark.parametrize("P", all_potentials(4), ids=lambda P: P.name)
def test_potential_identities(P):
    """grad_inv ∘ grad = id, R*(θ) = ⟨θ, w⟩ − R(w), dw/dθ = 1/r'', (R*)' = grad_inv, r''' = (r'')'."""
    w = interior_point(P, 4)
    th = P.grad(w)
    assert np.allclose(P.grad_inv(th), w, rtol=1e-12, atol=0)
    assert math.isclose(P.conj(th), float(th @ w) - P.value(w), rel_tol=1e-10, abs_tol=1e-12)
    assert np.allclose(P.grad_inv_deriv(th), 1.0 / P.hess_diag(w), rtol=1e-10)
    h = 1e-6
    for i in range(4):
        e = np.zeros(4)
        e[i] = h
        fd = (P.conj(th + e) - P.conj(th - e)) / (2 * h)
        assert math.isclose(fd, P.grad_inv(th)[i], rel_tol=1e-6, abs_tol=1e-8)
        fd3 = (P.hess_diag(w + e) - P.hess_diag(w - e))[i] / (2 * h)
        assert math.isclose(fd3, P.hess_diag_deriv(w)[i], rel_tol=1e-5, abs_tol=1e-8)


@pytest.mark.parametrize("P", all_potentials(3), ids=lambda P: P.name)
def test_divergence_is_nonnegative_and_zero_at_the_reference(P):
    w0, w = interior_point(P, 3), interior_point(P, 3)
    assert bregman_divergence(P, w, w0) > 0
    assert abs(bregman_divergence(P, w0, w0)) < 1e-14


def test_entropy_divergence_is_kl():
    P = EntropyPotential(np.ones(3), 1.0)
    w, z = np.array([0.2, 1.0, 3.0]), np.array([1.0, 0.5, 2.0])
    kl = float(np.sum(w * np.log(w / z) - w + z))
    assert math.isclose(bregman_divergence(P, w, z), kl, rel_tol=1e-13)


def test_hypentropy_matches_the_corollary_formula():
    """R(w) = ¼Σ(w asinh(w/β) − √(w² + β²) − w ln(u0/v0)), β = 2u0v0 (li2022 Cor. 4.17), evaluated directly."""
    u0, v0 = np.array([0.3, 1.2]), np.array([0.7, 0.4])
    P = HypentropyPotential(u0, v0)
    w, b, s = np.array([0.5, -2.0]), 2 * u0 * v0, np.log(u0 / v0)
    assert math.isclose(P.value(w), 0.25 * float(np.sum(w * np.arcsinh(w / b) - np.hypot(w, b) - w * s)), rel_tol=1e-14)
    assert np.allclose(P.grad(w), 0.25 * (np.arcsinh(w / b) - s), rtol=1e-14)
    th = np.array([0.1, -0.3])
    assert np.allclose(P.grad_inv(th), u0**2 * np.exp(4 * th) - v0**2 * np.exp(-4 * th), rtol=1e-13)
    assert np.allclose(P.grad(u0**2 - v0**2), 0.0, atol=1e-15)  # ∇R(w0) = 0


def test_hypentropy_log_domain_at_scale_1e_6():
    """At u0 = v0 = 1e-6 (β = 2e-12) the inverse gradient keeps full relative precision from |w| ~ 1e-20 to 1e3."""
    P = HypentropyPotential.scaled(1e-6, 1)
    for w in [1e-20, -3e-15, 1e-12, 0.4472, -1e3]:
        th = P.grad(np.array([w]))
        assert math.isclose(P.grad_inv(th)[0], w, rel_tol=1e-13), w
        assert np.isfinite(P.grad_inv_deriv(th)).all() and np.isfinite(P.conj(th))
    # past the overflow of the true value: ±inf, not NaN
    assert np.isinf(P.grad_inv(np.array([200.0]))[0]) and not np.isnan(P.grad_inv(np.array([-200.0]))[0])


def test_potential_of_gives_each_family_its_closed_form():
    """potential_of(G, x_init): Euclidean, entropy (scale 1/4), power and hyperbolic entropy, with ∇R(w0) = 0;
    Lemma 4.7's numerical R for a family without one."""
    x = np.array([0.5, 1.5])
    H = potential_of(UVSquared(1), x)
    assert isinstance(H, HypentropyPotential) and np.allclose(H.u0, [0.5]) and np.allclose(H.v0, [1.5])
    P = potential_of(Powers(2.0, 2), x)
    assert isinstance(P, EntropyPotential) and P.c == 0.25 and np.allclose(P.w0, x**2)
    w = np.array([0.7, 3.0])
    assert np.allclose(P.grad(w), 0.25 * np.log(w / x**2), rtol=1e-14)
    assert isinstance(potential_of(Powers(3.0, 2), x), PowerPotential)
    assert isinstance(potential_of(Identity(2), x), EuclideanPotential)
    for G in (UVSquared(1), Powers(2.0, 2), Powers(3.0, 2), Identity(2)):
        R = potential_of(G, x)
        assert np.allclose(R.grad(G.value(x)), 0.0, atol=1e-15)
    G = Quadratic(np.array([np.diag([1.0, 2.0]), np.diag([3.0, 1.0])]))
    assert isinstance(potential_of(G, x), LemmaLegendre)


@pytest.mark.parametrize("P", all_potentials(3), ids=lambda P: P.name)
def test_potentials_round_trip_through_json(P):
    import json

    Q = decode(json.loads(json.dumps(encode(P))))
    assert type(Q) is type(P) and Q.to_spec() == P.to_spec()


# ----------------------------------------------------------------------------------------- projections
def test_euclidean_projection_is_the_nearest_interpolant():
    Z, Y = RNG.standard_normal((3, 7)), RNG.standard_normal(3)
    w0 = RNG.standard_normal(7)
    pr = bregman_projection(EuclideanPotential(w0), Z, Y, w0)
    exact = w0 + np.linalg.pinv(Z) @ (Y - Z @ w0)
    assert np.allclose(pr.w, exact, rtol=1e-12, atol=1e-13)
    assert pr.kkt < 1e-13 and pr.converged


def test_kl_projection_onto_a_sum_constraint_is_a_rescaling():
    """argmin KL(w‖w0) s.t. Σw = s is w0·s/Σw0."""
    w0 = RNG.uniform(0.1, 3.0, 6)
    pr = bregman_projection(EntropyPotential(w0, 1.0), np.ones((1, 6)), np.array([2.5]), w0)
    assert np.allclose(pr.w, w0 * 2.5 / w0.sum(), rtol=1e-13)


def test_hypentropy_projection_on_a_coordinate_constraint():
    """Z = e_1ᵀ: w_1 = Y, every other coordinate keeps θ = 0, i.e. stays at w0."""
    u0, v0 = RNG.uniform(0.1, 2, 4), RNG.uniform(0.1, 2, 4)
    P = HypentropyPotential(u0, v0)
    w0 = u0**2 - v0**2
    pr = bregman_projection(P, np.eye(4)[:1], np.array([3.0]), w0)
    assert math.isclose(pr.w[0], 3.0, rel_tol=1e-14)
    assert np.allclose(pr.w[1:], w0[1:], rtol=1e-14)


@pytest.mark.parametrize("alpha", [1.0, 1e-2, 1e-4, 1e-6, 1e-10, 1e-20])
def test_projection_at_small_scales_d100(alpha):
    """The Woodworth problem at d = 100, n = 10: KKT residual at rounding level down to α = 1e-20."""
    Z, Y, _ = woodworth(100, 10)
    pr = bregman_projection(HypentropyPotential.scaled(alpha, 100), Z, Y, np.zeros(100))
    assert pr.converged and pr.kkt < 1e-13 and np.all(np.isfinite(pr.w))
    assert pr.error < 1e-11


def test_projection_tends_to_basis_pursuit_as_the_scale_shrinks():
    """The ℓ1 norm of the projection decreases to that of basis pursuit (in objective value: at d = 100 the
    LP solution is unique but with a small growth margin, so the distance shrinks slowly)."""
    from oracles.convex.references import basis_pursuit

    Z, Y, _ = woodworth(100, 10)
    l1 = basis_pursuit(Z, Y).details["objective"]
    gaps = [
        float(np.abs(bregman_projection(HypentropyPotential.scaled(a, 100), Z, Y, np.zeros(100)).w).sum()) - l1
        for a in (1.0, 1e-2, 1e-4, 1e-6, 1e-10)
    ]
    assert all(g > -1e-12 for g in gaps)
    assert all(b < a for a, b in zip(gaps, gaps[1:]))
    assert gaps[-1] < 2e-3 * l1


def test_projection_d1000_scale_1e_6_under_a_second():
    import time

    Z, Y, _ = woodworth(1000, 100)
    t = time.perf_counter()
    pr = bregman_projection(HypentropyPotential.scaled(1e-6, 1000), Z, Y, np.zeros(1000))
    assert pr.kkt < 1e-10
    assert time.perf_counter() - t < 10.0  # generous: a loaded CI machine; the benchmark records the real time


def test_entropy_projection_with_underflowing_entries():
    """x0 = 1e-16: some entries of the KL projection underflow to subnormals; the dual residual uses the
    solver's θ there and the KKT residual stays at rounding level."""
    rng = np.random.default_rng(3)
    A = rng.standard_normal((5, 12))
    x = np.zeros(12)
    x[[1, 4]] = [1.0, 2.0]
    x0 = np.full(12, 1e-16)
    pr = bregman_projection(EntropyPotential(x0, 1.0), A, A @ x, x0)
    assert pr.kkt < 1e-12
    assert np.linalg.norm(pr.w - x) < 1e-10


def test_rank_deficient_but_consistent_data():
    Z = RNG.standard_normal((2, 5))
    Z = np.vstack([Z, Z[0] + Z[1]])
    Y = Z @ RNG.standard_normal(5)
    P = HypentropyPotential.scaled(0.5, 5)
    pr = bregman_projection(P, Z, Y, P.w0)
    assert pr.kkt < 1e-12 and pr.lam.shape == (3,)


def test_scipy_fallbacks_agree_and_report_their_kkt():
    Z, Y = RNG.standard_normal((2, 5)), RNG.standard_normal(2)
    P = HypentropyPotential.scaled(0.7, 5)
    ref = bregman_projection(P, Z, Y, P.w0)
    for method in ("SLSQP", "trust-constr"):
        pr = bregman_projection_scipy(P, Z, Y, P.w0, method=method)
        assert projection_gap(ref, pr) < 1e-5, method
        assert pr.kkt < 1e-4 and pr.method == method
        assert pr.kkt >= ref.kkt


def test_generic_path_through_lemma_legendre_matches_the_closed_form():
    """R of Lemma 4.7 built numerically for u⊙2 − v⊙2 (grad_inv = G(ψ), hess_Q) projects like the closed form."""
    G = UVSquared(3)
    x0 = np.array([0.6, 1.1, 0.4, 0.9, 0.5, 1.3])
    Z, Y = RNG.standard_normal((2, 3)), RNG.standard_normal(2)
    w0 = G.value(x0)
    closed = bregman_projection(potential_of(G, x0), Z, Y, w0)
    generic = bregman_projection(LemmaLegendre(G, x0), Z, Y, w0, theta0=np.zeros(3))
    assert projection_gap(closed, generic) < 1e-10
    assert generic.kkt < 1e-9


def test_kkt_residuals_detect_a_wrong_point():
    Z, Y = RNG.standard_normal((2, 5)), RNG.standard_normal(2)
    P = HypentropyPotential.scaled(0.5, 5)
    pr = bregman_projection(P, Z, Y, P.w0)
    other = pr.w + 1e-3 * (np.eye(5)[0] - np.linalg.pinv(Z) @ Z[:, 0])  # feasible, not optimal
    primal, dual, _ = kkt_residuals(P, Z, Y, other, P.w0)
    assert primal < 1e-12 and dual > 1e-6


def test_kkt_residuals_from_the_shared_factorization():
    """The dual Newton method's KKT residuals come from its row space (the Gram matrix's Cholesky factor, or the
    SVD basis for rank-deficient Z); they agree with the SVD/lstsq computation of the same point."""
    from oracles.convex.projection_error import row_space

    for Z in (RNG.standard_normal((3, 8)), np.vstack([np.eye(3, 8), np.eye(3, 8)[0] + np.eye(3, 8)[2]])):
        Y = Z @ RNG.uniform(0.5, 1.5, 8)
        P = HypentropyPotential.scaled(0.5, 8)
        pr = bregman_projection(P, Z, Y, P.w0)
        other = pr.w + 1e-4 * RNG.standard_normal(8)
        for w in (pr.w, other):
            ref = kkt_residuals(P, Z, Y, w, P.w0)
            got = kkt_residuals(P, Z, Y, w, P.w0, space=row_space(Z, Y))
            assert math.isclose(got[0], ref[0], rel_tol=1e-9, abs_tol=1e-16)
            assert math.isclose(got[1], ref[1], rel_tol=1e-6, abs_tol=1e-15)
            assert np.allclose(Z.T @ got[2], Z.T @ ref[2], rtol=1e-8, atol=1e-12)


def test_newton_matrix_is_the_weighted_gram_matrix():
    """Z diag(h) Zᵀ by one syrk (upper triangle, what cho_factor reads), equal to the plain product."""
    from oracles.convex.bregman import newton_matrix

    Z, h = RNG.standard_normal((4, 9)), RNG.uniform(0.0, 3.0, 9)
    J = newton_matrix(Z, h)
    assert np.allclose(np.triu(J), np.triu((Z * h) @ Z.T), rtol=1e-13, atol=1e-14)
    H = np.diag(h)
    assert np.allclose(newton_matrix(Z, H), Z @ H @ Z.T, rtol=1e-13)  # the generic (matrix) path


def test_require_raises_inconclusive():
    Z, Y = RNG.standard_normal((2, 5)), RNG.standard_normal(2)
    P = HypentropyPotential.scaled(0.01, 5)
    pr = bregman_projection_scipy(P, Z, Y, P.w0, maxiter=3)
    with pytest.raises(Inconclusive):
        pr.require(1e-12)


@pytest.mark.parametrize(
    "bad, message",
    [
        (dict(Y=np.array([1.0, 2.0, 3.0])), "Y must have length"),
        (dict(Z=np.ones((2, 4)), Y=np.array([1.0, 2.0])), "not in the range"),
        (dict(w0=np.array([1.0, np.nan, 0.0, 0.0])), "non-finite"),
        (dict(Z=np.ones(4)), "two-dimensional"),
    ],
)
def test_projection_bad_input(bad, message):
    args = dict(R=EuclideanPotential(np.zeros(4)), Z=np.eye(4)[:2], Y=np.array([1.0, 2.0]), w0=np.zeros(4)) | bad
    with pytest.raises(InvalidInput, match=message):
        bregman_projection(args["R"], args["Z"], args["Y"], args["w0"])


def test_bad_potentials_and_domains():
    with pytest.raises(InvalidInput, match="positive"):
        HypentropyPotential([1.0, -1.0], [1.0, 1.0])
    with pytest.raises(InvalidInput, match="same length"):
        HypentropyPotential([1.0], [1.0, 1.0])
    with pytest.raises(InvalidInput, match="p > 1"):
        PNormPotential(1.0)
    with pytest.raises(InvalidInput, match="EntropyPotential"):
        PowerPotential(2.0, [1.0])
    with pytest.raises(InvalidInput, match="outside"):
        bregman_projection(EntropyPotential(np.ones(3)), np.ones((1, 3)), np.array([1.0]), np.array([1.0, -1.0, 1.0]))
    with pytest.raises(InvalidInput, match="grad_inv"):
        bregman_projection(object(), np.ones((1, 3)), np.array([1.0]), np.ones(3))


# ----------------------------------------------------------------------------------------- mirror descent
@pytest.mark.parametrize(
    "P",
    [EntropyPotential(np.ones(3), 1.0), HypentropyPotential.scaled(0.3, 3), PNormPotential(3.0)],
    ids=lambda P: P.name,
)
def test_md_step_equals_argmin(P):
    rng = np.random.default_rng(7)  # its own generator: the data must not depend on which tests ran before
    A, b = rng.standard_normal((2, 3)), rng.standard_normal(2)
    x = rng.uniform(0.3, 2.0, 3)
    f = LogCosh(A, b)
    z = md_step_argmin(P, x, f.grad(x), 0.2)
    assert np.allclose(z.x, md_step(P, x, f.grad(x), 0.2), rtol=1e-9)
    out = step_identity_gap(P, f, x, 0.2)
    assert not out.falsified, (out.discrepancy, out.budget)  # within the oracle's own error budget


def test_md_step_euclidean_is_gradient_descent():
    P, x, g = EuclideanPotential(np.zeros(3)), np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    assert np.allclose(md_step(P, x, g, 0.1), x - 0.1 * g, rtol=1e-15)


def test_mirror_descent_reaches_the_kl_projection():
    A = RNG.standard_normal((2, 5))
    b = A @ RNG.uniform(0.2, 2, 5)
    x1 = RNG.uniform(0.2, 2, 5)
    P = EntropyPotential(np.ones(5), 1.0)
    run = mirror_descent(P, A, b, x1)
    pr = bregman_projection(P, A, b, x1)
    assert projection_gap(pr, pr) == 0 and np.allclose(run.x, pr.w, rtol=1e-10)


def test_mirror_descent_bad_input():
    with pytest.raises(InvalidInput, match="step_scale"):
        mirror_descent(EuclideanPotential(np.zeros(2)), np.ones((1, 2)), np.ones(1), np.zeros(2), step_scale=2.5)
    with pytest.raises(InvalidInput, match="eta"):
        md_step(EuclideanPotential(np.zeros(2)), np.zeros(2), np.ones(2), 0.0)
    with pytest.raises(InvalidInput, match="variant"):
        step_identity_gap(
            EuclideanPotential(np.zeros(2)), LeastSquares(np.ones((1, 2)), np.ones(1)), np.zeros(2), 0.1, variant="nope"
        )
