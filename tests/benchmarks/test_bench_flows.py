"""Solver benchmarks (pytest-benchmark): speed, and accuracy in ``extra_info``, over a range of dimensions.

* gradient flow integrated in x-space against the dual (μ-space) solver of Theorem 4.15 on the
  same commuting quadratic G (``mirror_flow`` with ``LemmaLegendre``, whose ``grad_inv`` is
  ``G(exp(Σμ_iA_i)x_init)``); each records the relative gap between the two w trajectories;
* mirror flow with a closed-form R (hypentropy of u⊙² − v⊙²), against gradient flow on that G;
* the Lemma 4.7 construction of ∇R (a Newton/root solve of ∇Q(μ) = w), against the known μ;
* the Lie bracket from closed-form and from finite-difference Hessians, against (A_jA_i − A_iA_j)x.

Inputs are built from fixed seeds. ``make bench`` times them and compares against the previous
saved run (failing on a median regression beyond 25%); ``make test`` runs each once, untimed, at
the smallest dimension (tests/benchmarks/conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from oracles.core.outcome import relative_gap
from oracles.flows.legendre import LemmaLegendre, potential_of
from oracles.flows.trajectories import gradient_flow, mirror_flow, psi
from oracles.lie.brackets import bracket, bracket_fd, quadratic_bracket
from oracles.model.losses import LeastSquares, Linear, Schedule
from oracles.model.parametrizations import Quadratic, UVSquared

SEED = 20220707


def rng_for(dim: int, salt: int = 0) -> np.random.Generator:
    return np.random.default_rng([SEED, dim, salt])


def commuting_quadratic(dim: int) -> Quadratic:
    """``A_i = O diag(λ_i) Oᵀ``, ``d = D = dim``, ``Λ = I + 0.3·U(-1, 1)``: commuting and regular."""
    rng = rng_for(dim)
    O, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    Lam = np.eye(dim) + 0.3 * rng.uniform(-1, 1, (dim, dim))
    return Quadratic(np.einsum("ab,ib,cb->iac", O, Lam, O), name=f"commuting quadratic (d=D={dim})")


def schedule(dim: int) -> Schedule:
    """Least squares on ``max(1, dim-1)`` samples for t ∈ [0, 0.5], then a linear loss for t ∈ [0.5, 1]."""
    rng = rng_for(dim, 1)
    n = max(1, dim - 1)
    Z = np.hstack([np.eye(n), np.zeros((n, dim - n))]) + 0.3 * rng.uniform(-1, 1, (n, dim))
    return Schedule(((0.5, LeastSquares(Z, rng.uniform(-1, 1, n))), (0.5, Linear(0.5 * rng.uniform(-1, 1, dim)))))


def start(dim: int, size: int | None = None) -> np.ndarray:
    return 1.0 + 0.3 * rng_for(dim, 2).uniform(-1, 1, size or dim)


def max_gap(a: np.ndarray, b: np.ndarray) -> float:
    """The largest relative gap between two trajectories sampled at the same times."""
    return max(relative_gap(x, y) for x, y in zip(a, b))


@pytest.mark.benchmark(group="commuting quadratic: x-space GF vs dual solver")
@pytest.mark.dims(2, 4, 8)
def test_gradient_flow_x_space(benchmark, dim: int) -> None:
    G, sched, x0 = commuting_quadratic(dim), schedule(dim), start(dim)
    gf = benchmark(gradient_flow, G, sched, x0)
    dual = mirror_flow(LemmaLegendre(G, x0), sched, G.value(x0))
    benchmark.extra_info.update(dim=dim, nfev=gf.nfev, gap_to_dual=max_gap(gf.w, dual.w))
    assert benchmark.extra_info["gap_to_dual"] < 1e-7


@pytest.mark.benchmark(group="commuting quadratic: x-space GF vs dual solver")
@pytest.mark.dims(2, 4, 8)
def test_dual_solver_theorem_4_15(benchmark, dim: int) -> None:
    G, sched, x0 = commuting_quadratic(dim), schedule(dim), start(dim)
    R = LemmaLegendre(G, x0)
    dual = benchmark(mirror_flow, R, sched, G.value(x0))
    gf = gradient_flow(G, sched, x0)
    benchmark.extra_info.update(dim=dim, nfev=dual.nfev, gap_to_gradient_flow=max_gap(dual.w, gf.w))
    assert benchmark.extra_info["gap_to_gradient_flow"] < 1e-7


@pytest.mark.benchmark(group="mirror flow, closed-form R (hypentropy)")
@pytest.mark.dims(2, 4, 8)
def test_mirror_flow_hypentropy(benchmark, dim: int) -> None:
    G, sched = UVSquared(dim), schedule(dim)
    x0 = start(dim, 2 * dim)
    mf = benchmark(mirror_flow, potential_of(G, x0), sched, G.value(x0))
    gf = gradient_flow(G, sched, x0)
    benchmark.extra_info.update(dim=dim, nfev=mf.nfev, gap_to_gradient_flow=max_gap(mf.w, gf.w))
    assert benchmark.extra_info["gap_to_gradient_flow"] < 1e-7


@pytest.mark.benchmark(group="Lemma 4.7: grad R by root solve")
@pytest.mark.dims(2, 4, 8)
def test_lemma_4_7_grad_R(benchmark, dim: int) -> None:
    G, x0 = commuting_quadratic(dim), start(dim)
    R = LemmaLegendre(G, x0)
    mu = 0.3 * rng_for(dim, 3).uniform(-1, 1, dim)
    w = G.value(psi(G, x0, mu))
    found = benchmark(R.grad, w)
    benchmark.extra_info.update(dim=dim, relative_error=relative_gap(found, mu))
    assert benchmark.extra_info["relative_error"] < 1e-9


def noncommuting_quadratic(D: int, d: int = 3) -> Quadratic:
    M = rng_for(D, 4).normal(size=(d, D, D))
    return Quadratic(M + M.transpose(0, 2, 1), name=f"random quadratic (d={d}, D={D})")


@pytest.mark.benchmark(group="Lie bracket")
@pytest.mark.dims(4, 16, 64)
def test_bracket_closed_form_hessians(benchmark, dim: int) -> None:
    G, x = noncommuting_quadratic(dim), start(dim)
    b = benchmark(bracket, G, 0, 1, x)
    benchmark.extra_info.update(dim=dim, relative_error=relative_gap(b, quadratic_bracket(G.A[0], G.A[1], x)))
    assert benchmark.extra_info["relative_error"] < 1e-12


@pytest.mark.benchmark(group="Lie bracket")
@pytest.mark.dims(4, 16, 64)
def test_bracket_finite_differences(benchmark, dim: int) -> None:
    G, x = noncommuting_quadratic(dim), start(dim)
    b, err = benchmark(bracket_fd, G, 0, 1, x)
    benchmark.extra_info.update(
        dim=dim,
        relative_error=relative_gap(b, quadratic_bracket(G.A[0], G.A[1], x)),
        error_estimate=err / max(np.linalg.norm(b), 1e-300),
    )
    assert benchmark.extra_info["relative_error"] < 1e-8
