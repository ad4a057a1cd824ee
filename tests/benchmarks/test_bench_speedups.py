"""Ratios measured in one run: the dual (μ-space) path against x-space gradient flow, and the ODE oracle's overhead.

* **Commuting quadratic G, d = 3 outputs, D up to 200.** Lemma 4.6: the flow is x(t) = ψ(x_init; μ(t)), so it
  is the d-dimensional ODE :math:`\\dot\\mu = -\\nabla L(G(\\psi(x_{init};\\mu)))` -- the mirror flow of
  :class:`oracles.flows.legendre.QuadraticLegendre` in its dual variable, O(dD) per right-hand side in the
  shared eigenbasis, against O(dD²) for x-space gradient flow (A_i x for d matrices D × D); on a piece with a
  linear loss the dual flow is exact (μ moves at constant velocity) and no ODE is solved.

  **Equal accuracy** is measured, not assumed: each path runs at the loosest rtol of 1e-8 … 1e-12 whose
  samples of w are within 1e-10 (relative) of a reference -- the dual path at rtol 1e-13, itself checked
  against x-space DOP853 at rtol 1e-13. At the same rtol the dual path is ~20× more accurate, so it reaches
  the target a decade looser. Each timing sample is five consecutive solves (a single 0.5 ms solve timed
  right after a 6 ms one pays for the caches the other evicted).

  The dual path is LSODA through ``odeint`` (no Python round trip per step) on the fused right-hand side
  :meth:`QuadraticLegendre.dual_field` (three products and one exp, ~3.5 µs at D = 200); x-space gradient
  flow is ``gradient_flow``'s default for this G (LSODA too: the quadratic family has no domain boundary).
  The issue asked for ≥ 10× at D = 200; the ratio grows with D. What is asserted leaves room for a noisy
  machine: ≥ 7× at D = 200, ≥ 20× at D = 800 (measured values are in the README).
* **ODE oracle overhead.** :func:`oracles.flows.trajectories.gradient_flow` (UVᵀ, 2 × 2, rank 2, two pieces
  of linear loss, rtol 1e-11) against the same ODE written by hand, with the same outputs (x, w and μ at
  the same 33 times), on both of the wrapper's routes: DOP853 against ``solve_ivp``, LSODA against
  ``odeint``. Goal: ≤ 1.1× (DOP853); ≤ 1.25× on the LSODA route, whose solves are 3× shorter, so the work
  counter's one Python frame per evaluation weighs more.

* **The dop853 route.** Hairer's Fortran DOP853 (``scipy.integrate.ode``, from sample to sample) against
  ``solve_ivp``'s DOP853 on a d = 4 gradient flow to T = 20, with 2 samples (a limit, a stop) and 33.

* **Mirror descent.** notes:key-lemma's Barzilai--Borwein steps against a fixed curvature step (gradient
  descent on the dual) on an ill-conditioned KL projection.

* **Pullbacks.** Gradient flow on a depth-3 product of n × n matrices (razin2020's G), least squares on W,
  with ``DeepProduct.value_and_vjp`` (two batched n × n products, O(Nn³)) against the same flow pulling back
  through the formed Jacobian (the base class's default, O(Nn⁴)), at n = 2 (razin2020's size), 4, 8.

Ratios come from :func:`conftest.cpu_ratio` (CPU time, minimum over interleaved rounds, one process); they are
printed, stored in ``extra_info`` and asserted only when benchmarks are timed (``make bench``).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import odeint, solve_ivp

from oracles import (
    DeepProduct,
    Integrator,
    LeastSquares,
    Linear,
    Parametrization,
    Quadratic,
    Schedule,
    factorization,
    gradient_flow,
    mirror_flow,
    potential_of,
)
from oracles.convex.bregman import bregman_projection
from oracles.convex.mirror_descent import mirror_descent
from oracles.core.ode import FORTRAN_DOP853
from oracles.flows.legendre import QuadraticLegendre
from oracles.model.potentials import EntropyPotential

from .conftest import cpu_ratio

SEED = 20261130
D_OUT = 3


def commuting_quadratic(D: int, d: int = D_OUT) -> Quadratic:
    """``A_i = O diag(λ_i) Oᵀ`` with ``Λ = 1 + 0.3·U(-1, 1)`` (d × D): commuting, regular at ``start``."""
    rng = np.random.default_rng([SEED, D, d])
    O, _ = np.linalg.qr(rng.normal(size=(D, D)))
    Lam = 1.0 + 0.3 * rng.uniform(-1, 1, (d, D))
    return Quadratic(np.einsum("ab,ib,cb->iac", O, Lam, O), name=f"commuting quadratic (d={d}, D={D})")


def problem(D: int):
    rng = np.random.default_rng([SEED, D, 1])
    G = commuting_quadratic(D)
    x0 = rng.uniform(0.7, 1.3, D) / np.sqrt(D)  # ‖x0‖ ~ 1 whatever D
    Z = np.array([[1.0, 0.5, -0.3], [0.2, -1.0, 0.4]])
    sched = Schedule(((0.5, LeastSquares(Z, np.array([0.3, -0.2]))), (0.5, Linear(np.array([0.4, -0.1, 0.2])))))
    return G, x0, sched


TARGET_ERROR = 1e-10  # "equal accuracy": each path at the loosest rtol that reaches it
RTOLS = (1e-8, 1e-9, 1e-10, 1e-11, 1e-12)


def _loosest(run, ref_w: np.ndarray):
    """The loosest rtol in RTOLS whose solve is within TARGET_ERROR (relative, max over samples) of ``ref_w``."""
    for rtol in RTOLS:
        res = run(rtol)
        err = float(np.max(np.abs(res.w - ref_w)) / np.max(np.abs(ref_w)))
        if err <= TARGET_ERROR:
            return rtol, err, res
    raise AssertionError(f"no rtol in {RTOLS} reaches {TARGET_ERROR:g}")


@pytest.mark.benchmark(group="commuting quadratic, d = 3: dual mu-space path vs x-space GF")
@pytest.mark.dims(25, 50, 100, 200, 400, 800)
def test_dual_path_against_x_space_gradient_flow(benchmark, dim: int, capsys) -> None:
    G, x0, sched = problem(dim)
    w0 = G.value(x0)
    t = np.linspace(0.0, 1.0, 17)
    R = potential_of(G, x0)
    assert isinstance(R, QuadraticLegendre)

    def dual(rtol):
        return mirror_flow(R, sched, w0, t_eval=t, rtol=rtol, atol=rtol * 1e-3)

    def x_space(rtol):
        return gradient_flow(G, sched, x0, t_eval=t, rtol=rtol, atol=rtol * 1e-3)

    ref = dual(1e-13)
    ref_x = gradient_flow(G, sched, x0, t_eval=t, rtol=1e-13, atol=1e-16, method="DOP853")
    agree = float(np.max(np.abs(ref_x.w - ref.w)) / np.max(np.abs(ref.w)))
    assert agree < 1e-11, f"the two references disagree by {agree:.2e}"  # Lemma 4.6, and the reference is right
    rtol_dual, err_dual, res_dual = _loosest(dual, ref.w)
    rtol_x, err_x, res_x = _loosest(x_space, ref.w)
    benchmark(dual, rtol_dual)
    benchmark.extra_info.update(
        D=dim,
        d=D_OUT,
        target_error=TARGET_ERROR,
        rtol_dual=rtol_dual,
        rtol_x_space=rtol_x,
        error_dual=err_dual,
        error_x_space=err_x,
        nfev_dual=res_dual.nfev,
        nfev_x_space=res_x.nfev,
    )
    if benchmark.disabled:
        return
    t_x, t_dual, ratio = cpu_ratio(
        lambda: [x_space(rtol_x) for _ in range(5)], lambda: [dual(rtol_dual) for _ in range(5)], rounds=7
    )
    benchmark.extra_info.update(seconds_x_space=t_x / 5, seconds_dual=t_dual / 5, speedup=ratio)
    with capsys.disabled():
        print(
            f"\n  D={dim:4d} d={D_OUT}: x-space GF {t_x / 5 * 1e3:7.2f} ms (rtol {rtol_x:.0e}, error {err_x:.1e}), "
            f"dual path {t_dual / 5 * 1e3:5.2f} ms (rtol {rtol_dual:.0e}, error {err_dual:.1e}): "
            f"speedup {ratio:5.1f}x"
        )
    if dim >= 200:
        assert ratio >= (20.0 if dim >= 800 else 7.0), f"dual path only {ratio:.1f}x faster at D = {dim}"


def _uvt_case():
    G = factorization(2, 2, 2)
    rng = np.random.default_rng([SEED, 7])
    x0 = rng.uniform(0.5, 1.5, G.D)
    c1, c2 = rng.standard_normal(G.d), rng.standard_normal(G.d)
    return G, x0, (c1, c2), np.linspace(0.0, 2.0, 33)


def _by_hand(G, x0, cs, t_eval, method: str = "DOP853"):
    """The same gradient flow written directly: dx/dt = -(c·A x), dμ/dt = -c on each piece, and w = ½xᵀA x;
    with ``solve_ivp`` (DOP853) or, for ``"LSODA"``, with ``odeint`` as the oracle's LSODA route uses it (``tcrit`` at
    the end of each piece, so that LSODA does not step past it)."""
    A, D = G.A, G.D
    y = np.concatenate([x0, np.zeros(G.d)])
    Y = np.empty((t_eval.size, y.size))
    for c, (a, b) in zip(cs, ((0.0, 1.0), (1.0, 2.0))):
        minus_c = -c

        def rhs(t, y, c=c, minus_c=minus_c):
            return np.concatenate((-(c @ (A @ y[:D])), minus_c))

        inside = np.flatnonzero((t_eval >= a) & (t_eval <= b))
        pts = np.union1d(t_eval[inside], [b])
        if method == "LSODA":
            lead = pts[0] != a
            ys = odeint(
                rhs, y, np.concatenate(([a], pts)) if lead else pts, rtol=1e-11, atol=1e-13, tfirst=True, tcrit=[b]
            )
            ys = ys[1:] if lead else ys
        else:
            ys = solve_ivp(rhs, (a, b), y, method=method, t_eval=pts, rtol=1e-11, atol=1e-13).y.T
        y = ys[-1]
        Y[inside] = ys[np.searchsorted(pts, t_eval[inside])]
    X = Y[:, :D]
    W = 0.5 * np.einsum("ti,kij,tj->tk", X, A, X)
    return X, W, Y[:, D:]


@pytest.mark.benchmark(group="ODE oracle overhead: gradient_flow vs the same ODE by hand")
@pytest.mark.parametrize("method", ["DOP853", "LSODA"])
def test_ode_oracle_overhead(benchmark, method: str, capsys) -> None:
    G, x0, (c1, c2), t_eval = _uvt_case()
    sched = Schedule(((1.0, Linear(c1)), (1.0, Linear(c2))))
    ours = benchmark(gradient_flow, G, sched, x0, t_eval=t_eval, rtol=1e-11, atol=1e-13, method=method)
    X, W, M = _by_hand(G, x0, (c1, c2), t_eval, method)
    gap = float(np.max(np.abs(ours.w - W)))
    benchmark.extra_info.update(max_gap_to_hand_written=gap, nfev=ours.nfev, method=method)
    assert gap < 1e-12
    if benchmark.disabled:
        return
    t_ours, t_hand, ratio = cpu_ratio(
        lambda: gradient_flow(G, sched, x0, t_eval=t_eval, rtol=1e-11, atol=1e-13, method=method),
        lambda: _by_hand(G, x0, (c1, c2), t_eval, method),
        rounds=40,
    )
    benchmark.extra_info.update(seconds_oracle=t_ours, seconds_by_hand=t_hand, overhead=ratio)
    with capsys.disabled():
        print(
            f"\n  {method}: gradient_flow {t_ours * 1e3:.2f} ms, by hand {t_hand * 1e3:.2f} ms: overhead {ratio:.2f}x"
        )
    # LSODA: the hand-written odeint call has no work counter; ours pays one Python frame per evaluation for
    # the cap and the blow-up watch (~0.1 ms of a 1 ms solve, which is itself 3x faster than DOP853 by hand)
    limit = 1.1 if method == "DOP853" else 1.25
    assert ratio <= limit, f"the ODE oracle costs {ratio:.2f}x a hand-written {method} solve (goal {limit}x)"


def _squares_flow():
    """dx/dt = -2x ⊙ Aᵀ(A(x ⊙ x) - b), d = 4, three rows, from x = 0.5: a gradient flow of the suite's size."""
    rng = np.random.default_rng([SEED, 11])
    A, b = rng.standard_normal((3, 4)), rng.standard_normal(3)
    At = A.T

    def rhs(t, x):
        return -2.0 * x * (At @ (A @ (x * x) - b))

    return rhs, np.full(4, 0.5)


@pytest.mark.benchmark(group="DOP853: Hairer's Fortran code (the dop853 route) vs solve_ivp")
@pytest.mark.parametrize("samples", [2, 33])
def test_dop853_route_vs_solve_ivp(benchmark, samples: int, capsys) -> None:
    """The wrapper's ``FORTRAN_DOP853`` route (``scipy.integrate.ode``, stepping onto every sample) against its
    ``"DOP853"`` route (``solve_ivp``, samples off the interpolant), same ODE and tolerances (rtol 1e-11) to
    T = 20: time, and the error of the samples against an rtol 1e-14 solve. Two samples are a limit or a stop
    (min2021's solves); 33 are an equivalence check's trajectory."""
    rhs, x0 = _squares_flow()
    t_eval = np.linspace(0.0, 20.0, samples)
    fortran, python = Integrator(method=FORTRAN_DOP853, rtol=1e-11, atol=1e-14), Integrator(rtol=1e-11, atol=1e-14)
    ref = Integrator(rtol=1e-14, atol=1e-16).solve(rhs, (0.0, 20.0), x0, t_eval=t_eval).y
    ours = benchmark(fortran.solve, rhs, (0.0, 20.0), x0, t_eval=t_eval)
    ivp = python.solve(rhs, (0.0, 20.0), x0, t_eval=t_eval)
    err_ours, err_ivp = (float(np.max(np.abs(sol.y - ref))) for sol in (ours, ivp))
    benchmark.extra_info.update(
        samples=samples,
        error_fortran=err_ours,
        error_solve_ivp=err_ivp,
        nfev_fortran=ours.nfev,
        nfev_solve_ivp=ivp.nfev,
    )
    # measured: 1.8e-12 vs 1.3e-14 (2 samples: both step onto the end), 1.4e-10 vs 5.4e-8 (33 samples: solve_ivp
    # reads them off its interpolant)
    assert err_ours <= 1e-9 * max(1.0, float(np.max(np.abs(ref))))
    if benchmark.disabled:
        return
    t_ivp, t_ours, ratio = cpu_ratio(
        lambda: python.solve(rhs, (0.0, 20.0), x0, t_eval=t_eval),
        lambda: fortran.solve(rhs, (0.0, 20.0), x0, t_eval=t_eval),
        rounds=20,
    )
    benchmark.extra_info.update(seconds_solve_ivp=t_ivp, seconds_fortran=t_ours, speedup=ratio)
    with capsys.disabled():
        print(
            f"\n  {samples:2d} samples: solve_ivp {t_ivp * 1e3:.2f} ms ({ivp.nfev} evaluations, "
            f"error {err_ivp:.1e}), "
            f"dop853 {t_ours * 1e3:.2f} ms ({ours.nfev}, error {err_ours:.1e}): speedup {ratio:.2f}x"
        )
    assert ratio >= (1.5 if samples == 2 else 1.1), f"the dop853 route is only {ratio:.2f}x faster than solve_ivp"


def _ill_conditioned_kl_problem():
    """The KL projection's data of notes:key-lemma's kind: entropy φ, two nearly parallel rows (the dual's
    condition number 114 at x_1 = 1), b = A x♮ with x♮ > 0."""
    rng = np.random.default_rng([SEED, 13])
    a = rng.uniform(0.5, 1.5, 5)
    A = np.stack([a, a + 0.3 * rng.standard_normal(5)])
    return EntropyPotential(np.ones(5)), A, A @ rng.uniform(0.5, 1.5, 5), np.ones(5)


@pytest.mark.benchmark(group="mirror descent: Barzilai-Borwein steps vs a fixed curvature step")
def test_mirror_descent_bb_steps(benchmark, capsys) -> None:
    """notes:key-lemma's mirror descent (BB steps on the dual with a nonmonotone line search) against mirror
    descent at the fixed step 0.5/λ_max(A∇²φ(x_1)⁻¹Aᵀ), i.e. gradient descent on the dual at its curvature
    (what the relative-smoothness rule this replaced did, backtracking aside), to the same residual 1e-13‖b‖;
    both limits must be the KL projection."""
    P, A, b, x1 = _ill_conditioned_kl_problem()
    eta = 0.5 / float(np.linalg.eigvalsh((A * x1) @ A.T)[-1])
    ours = benchmark(mirror_descent, P, A, b, x1)
    fixed = mirror_descent(P, A, b, x1, step=eta)
    ref = bregman_projection(P, A, b, x1).w
    gaps = [float(np.linalg.norm(r.x - ref) / np.linalg.norm(ref)) for r in (ours, fixed)]
    benchmark.extra_info.update(iterations_bb=ours.iterations, iterations_fixed=fixed.iterations, gaps=gaps)
    assert max(gaps) < 1e-9 and ours.iterations * 20 < fixed.iterations  # measured: 20 against 5,536
    if benchmark.disabled:
        return
    t_fixed, t_bb, ratio = cpu_ratio(
        lambda: mirror_descent(P, A, b, x1, step=eta), lambda: mirror_descent(P, A, b, x1), rounds=5
    )
    benchmark.extra_info.update(seconds_fixed=t_fixed, seconds_bb=t_bb, speedup=ratio)
    with capsys.disabled():
        print(
            f"\n  mirror descent: fixed curvature step {t_fixed * 1e3:.1f} ms ({fixed.iterations} steps), "
            f"BB {t_bb * 1e3:.2f} ms ({ours.iterations} steps): speedup {ratio:.0f}x"
        )
    assert ratio >= 20


class _JacobianPullback(DeepProduct):
    """The same G, pulling back through its formed Jacobian (what a family without ``value_and_vjp`` gets)."""

    value_and_vjp = Parametrization.value_and_vjp


@pytest.mark.benchmark(group="deep product: pullback vs the formed Jacobian")
@pytest.mark.dims(2, 4, 8)
def test_deep_product_pullback(benchmark, dim: int, capsys) -> None:
    G, G_jac = DeepProduct(dim, 3), _JacobianPullback(dim, 3)
    rng = np.random.default_rng([SEED, dim, 3])
    x0 = (np.eye(dim)[None] + 0.3 * rng.standard_normal((3, dim, dim))).ravel()
    n2 = dim * dim
    sched = Schedule.constant(LeastSquares(np.eye(n2), rng.standard_normal(n2)), 1.0)
    t_eval = np.linspace(0.0, 1.0, 9)
    ours = benchmark(gradient_flow, G, sched, x0, t_eval=t_eval, rtol=1e-10)
    ref = gradient_flow(G_jac, sched, x0, t_eval=t_eval, rtol=1e-10)
    gap = float(np.max(np.abs(ours.w - ref.w)) / np.max(np.abs(ref.w)))
    benchmark.extra_info.update(relative_gap_to_jacobian_route=gap, nfev=ours.nfev)
    assert gap < 1e-8
    if benchmark.disabled:
        return
    t_vjp, t_jac, ratio = cpu_ratio(
        lambda: gradient_flow(G, sched, x0, t_eval=t_eval, rtol=1e-10),
        lambda: gradient_flow(G_jac, sched, x0, t_eval=t_eval, rtol=1e-10),
        rounds=7,
    )
    benchmark.extra_info.update(seconds_pullback=t_vjp, seconds_jacobian=t_jac, speedup=1 / ratio)
    with capsys.disabled():
        print(
            f"\n  n={dim}: pullback {t_vjp * 1e3:.2f} ms, formed Jacobian {t_jac * 1e3:.2f} ms: "
            f"speedup {1 / ratio:.2f}x"
        )
    if dim >= 8:
        assert ratio < 1.0, f"the pullback is slower than the formed Jacobian at n = {dim} ({1 / ratio:.2f}x)"
