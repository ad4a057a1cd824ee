"""Oracles of the unscaled limit: the G1+G2+G3 Galerkin solver against the closed-form kernel interpolant."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from oracles import Inconclusive, InvalidInput
from oracles.convex.variational import G123Solver, kernel, kernel_interpolant, solve_g123
from oracles.model.shallow import PolynomialDensity, TruncatedNormal, Uniform

X = np.array([-0.75, -0.35, 0.05, 0.4, 0.8])
R = np.array([0.3, -0.2, 0.5, 0.1, -0.4])
DENSITIES = [
    Uniform(-1.0, 1.0),
    TruncatedNormal(0.5, -1.0, 1.0),
    Uniform(-2.0, 2.0),
    TruncatedNormal(0.8, -1.5, 1.5),
    PolynomialDensity((1.0, 0.0, 2.0), -1.0, 1.0),
]


@pytest.mark.parametrize("density", DENSITIES, ids=lambda d: f"{d.name}[{d.lo},{d.hi}]")
def test_kernel_interpolant_equals_grid_solver(density):
    """The G1+G2+G3 minimizer (Galerkin, its own refinement error) equals K(x,X)K(X,X)⁻¹r within the budget."""
    x = X * density.hi
    xe = np.linspace(1.2 * density.lo, 1.2 * density.hi, 1001)  # beyond the support too: both are linear there
    ki = kernel_interpolant(x, R, density)
    sol = solve_g123(x, R, density, xe, cells=32)
    gap = float(np.max(np.abs(sol.values - ki(xe))))
    budget = max(1e-9, 10 * (sol.error + ki.error))
    assert gap <= budget, (gap, budget)
    assert gap < 1e-11  # measured: ~1e-13 (exact structure)
    assert np.max(np.abs(sol.fine(x) - R)) < 1e-11


def test_grid_solver_unaligned_converges_third_order():
    """Without the data and 0 as grid nodes the discrete space misses the minimizer: O(Δ³) in L∞ (measured)."""
    density = TruncatedNormal(0.5, -1.0, 1.0)
    xe = np.linspace(-1, 1, 801)
    ref = kernel_interpolant(X, R, density)(xe)
    errs = [
        float(np.max(np.abs(G123Solver(density).solve(X, R, cells, align=False)(xe) - ref))) for cells in (16, 64, 256)
    ]
    rates = [np.log(errs[i] / errs[i + 1]) / np.log(4.0) for i in range(2)]
    assert all(2.5 < q < 3.5 for q in rates), (errs, rates)


@pytest.mark.parametrize("activation", ["relu", "abs"])
def test_kernel_closed_form_matches_quadrature(activation):
    """K(x, x') from exact moments equals E[σ(Wx − B)σ(Wx' − B)] by adaptive quadrature."""
    density = TruncatedNormal(0.6, -1.0, 1.0)
    pts = np.array([-0.9, -0.2, 0.3, 1.3])
    K = kernel(pts, pts, density, activation)
    sig = (lambda z: np.maximum(z, 0.0)) if activation == "relu" else np.abs
    for i, a in enumerate(pts):
        for j, b in enumerate(pts):
            f = lambda t, a=a, b=b: 0.5 * density.pdf(t) * (sig(a - t) * sig(b - t) + sig(-a - t) * sig(-b - t))
            ref = integrate.quad(
                f,
                -1,
                1,
                points=sorted({a, b, -a, -b} & set(np.clip([a, b, -a, -b], -1, 1))),
                epsabs=1e-14,
                epsrel=1e-13,
            )[0]
            assert abs(K[i, j] - ref) < 1e-12


def test_minimizer_beats_feasible_perturbations():
    """Optimality: adding to h̄ any h vanishing at the data increases G1 + G2 + G3 (on the Galerkin grid)."""
    density = TruncatedNormal(0.5, -1.0, 1.0)
    solver = G123Solver(density)
    sol = solver.solve(X, R, 32)
    base = sum(sol.objective().values())
    rng = np.random.default_rng(0)
    asm = sol.asm
    lo = density.lo
    A = np.hstack([solver.rows(asm, X), np.ones((len(X), 1)), (X - lo)[:, None]])
    null = np.linalg.svd(A)[2][len(X) :].T  # directions keeping h(x_i) fixed
    for _ in range(5):
        u = np.concatenate([sol.g, [sol.c0, sol.s0]]) + 0.05 * null @ rng.standard_normal(null.shape[1])
        pert = type(sol)(u[:-2], u[-2], u[-1], sol.lam, asm, solver)
        assert sum(pert.objective().values()) > base


@pytest.mark.parametrize("variant", [{"weight": "p"}, {"g2": 0.0}, {"g3": 0.0}, {"g3": 4.0}])
def test_planted_variants_move_the_solution(variant):
    """Each planted error moves the minimizer by far more than the solver's error (truncated normal p_B)."""
    density = TruncatedNormal(0.5, -1.0, 1.0)
    xe = np.linspace(-1, 1, 801)
    ref = kernel_interpolant(X, R, density)(xe)
    sol = solve_g123(X, R, density, xe, **variant)
    assert np.max(np.abs(sol.values - ref)) > 1e3 * sol.error + 0.01


def test_bad_inputs():
    density = Uniform(-1.0, 1.0)
    with pytest.raises(InvalidInput, match="repeated"):
        kernel_interpolant([0.1, 0.1, 0.5], [1.0, 2.0, 3.0], density)
    with pytest.raises(InvalidInput, match="outside supp"):
        kernel_interpolant([0.1, 1.5], [1.0, 2.0], density)
    with pytest.raises(InvalidInput, match="symmetric"):
        kernel_interpolant([0.1, 0.5], [1.0, 2.0], Uniform(-1.0, 2.0))
    with pytest.raises(InvalidInput, match="symmetric"):
        G123Solver(TruncatedNormal(0.5, -1.0, 1.0, mu=0.2))
    with pytest.raises(InvalidInput, match="positive at the data"):
        kernel_interpolant([0.0, 0.5], [1.0, 2.0], PolynomialDensity((0.0, 0.0, 1.0), -1.0, 1.0))
    with pytest.raises(InvalidInput, match="r"):
        kernel_interpolant([0.1, 0.5], [1.0, np.nan], density)
    with pytest.raises(InvalidInput, match="weight"):
        G123Solver(density, weight="1/p^2")
    with pytest.raises(InvalidInput, match="negative"):
        PolynomialDensity((1.0, -3.0), -1.0, 1.0)


def test_nearly_repeated_points_are_inconclusive():
    with pytest.raises(Inconclusive):
        kernel_interpolant([0.1, 0.1 + 1e-9, 0.5], [1.0, 2.0, 3.0], Uniform(-1.0, 1.0))


def test_normal_density_unbounded_support():
    """Normal(s) (sub-Gaussian B with unbounded support): moments agree with a truncation to ±16s, the kernel with
    adaptive quadrature over ℝ, its interpolant with the Galerkin minimizer of G1 + G2 + G3 on the truncation to
    ±12s (where the tail mass is below 1e-32), and it round-trips through its spec."""
    from scipy import integrate

    from oracles.model.shallow import Normal, TruncatedNormal, density_from_spec

    N = Normal(0.5)
    T = TruncatedNormal(0.5, -8.0, 8.0)
    assert abs(N.second_moment - 0.25) < 1e-15
    for a, b, c in ((-np.inf, 0.3, 0.1), (-0.2, np.inf, -0.2), (-np.inf, np.inf, 0.0), (-0.4, 0.6, 0.6)):
        ta, tb = max(a, -8.0), min(b, 8.0)
        assert np.allclose(N.moments(a, b, 4, c), T.moments(ta, tb, 4, c), rtol=1e-13, atol=1e-15)
    x = np.array([-0.6, -0.1, 0.4])
    for act in ("relu", "abs"):

        def entry(u, v, act=act):
            if act == "relu":
                f = lambda t: 0.5 * (max(u - t, 0) * max(v - t, 0) + max(-u - t, 0) * max(-v - t, 0)) * N.pdf(t)
            else:
                f = lambda t: abs(u - t) * abs(v - t) * N.pdf(t)
            return integrate.quad(f, -np.inf, np.inf, limit=400, epsabs=1e-13)[0]

        Kq = np.array([[entry(u, v) for v in x] for u in x])
        assert np.max(np.abs(kernel(x, x, N, act) - Kq)) < 1e-9
    r = np.array([0.3, -0.2, 0.25])
    xe = np.linspace(-1.5, 1.5, 301)
    g = solve_g123(x, r, TruncatedNormal(0.5, -6.0, 6.0), xe)
    assert np.max(np.abs(kernel_interpolant(x, r, N)(xe) - g.values)) < 1e-12
    assert density_from_spec(N.to_spec()) == N and N.window == (-1.5, 1.5)
    assert np.all(np.isfinite(N.ppf(np.array([0.0, 0.5, 1.0 - 1e-17]))))
    with pytest.raises(InvalidInput, match="symmetric"):
        Normal(0.5, mu=0.1).require_symmetric()
    with pytest.raises(InvalidInput, match="scale"):
        Normal(0.0)
    with pytest.raises(InvalidInput, match="compact support"):
        G123Solver(N)
