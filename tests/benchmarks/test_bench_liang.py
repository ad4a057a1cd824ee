"""Benchmarks of the width-limit family: the whole sweep of Figures 1 and 2, and a naive RK45 baseline.

* ``test_bench_figure_sweep`` -- both figures' training sweeps in one call: ReLU/unscaled and abs/scaled,
  three potentials each, widths 20·3^k up to 4860 (six widths), zero output initialization, three step
  sizes (Richardson), plus the two variational references. Goal: < 60 s on 2 cores (measured 16–25 s on one).
  Under ``--benchmark-disable`` (``make test``) it runs the two smallest widths only.
* ``test_bench_naive_rk45_smallest_width`` -- one network of the sweep at its smallest width (n = 20),
  integrated naively in θ-space (``solve_ivp`` RK45, rtol 1e-6, the Hessian-inverse right-hand side),
  capped at ``NAIVE_CAP`` seconds of wall time (measured: 146 s, 2.2 M evaluations, against 0.13 s for the
  exponential integrator); ``extra_info`` holds its time, whether it finished, and the ratio to the
  exponential integrator on the same network. Skipped when benchmarks are disabled.

Only the solve is naive: at n = 20 ReLU kinks cross the data points, the right-hand side is discontinuous
there, and adaptive solvers creep (docs/width-limits/README.md §3).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from oracles.checks.width_figures import DATA, WIDTHS, sweep
from oracles.flows.shallow_trainer import NetworkRun, kernel_matrix, train
from oracles.model.shallow import MirrorPotential, NetworkParams, Uniform, init_params, network

NAIVE_CAP = 240.0


class _Timeout(Exception):
    pass


def naive_rk45(run: NetworkRun, rtol: float = 1e-6, cap: float = NAIVE_CAP):
    r"""θ-space mirror flow :math:`\dot\theta = -\eta(\nabla^2\Phi)^{-1}\nabla L` (η = 1/n) by RK45 to
    :math:`T = 30/(2\lambda_{min}(H(0)))`; returns ``(params, seconds, finished, nfev)``."""
    p0, x, y, n = run.params0, run.x, run.y, run.params0.n
    mir = run.mirror
    start = time.perf_counter()
    calls = [0]

    def rhs(t, th):
        calls[0] += 1
        if calls[0] % 1000 == 0 and time.perf_counter() - start > cap:
            raise _Timeout
        p = NetworkParams.from_flat(th)
        z = p.w[:, None] * x[None, :] - p.b[:, None]
        sg, ds = np.maximum(z, 0.0), (z > 0).astype(float)
        r = p.a @ sg + p.d - y
        g = 2.0 * np.concatenate([(p.a[:, None] * ds * x[None, :]) @ r, -(p.a[:, None] * ds) @ r, sg @ r, [r.sum()]])
        return -g / n / mir.hess(th - p0.flat(), n)

    H0 = kernel_matrix(p0, x, run.potential, run.scaled, run.activation)
    T = 30.0 / (2.0 * np.linalg.eigvalsh(H0)[0])
    try:
        sol = solve_ivp(rhs, (0.0, T), p0.flat(), method="RK45", rtol=rtol, atol=1e-3 * rtol)
        return NetworkParams.from_flat(sol.y[:, -1]), time.perf_counter() - start, True, calls[0]
    except _Timeout:
        return None, time.perf_counter() - start, False, calls[0]


@pytest.mark.benchmark(group="liang: figure sweeps")
def test_bench_figure_sweep(benchmark, capsys):
    widths = WIDTHS if not benchmark.disabled else WIDTHS[:2]

    def both():
        return sweep("unscaled", widths), sweep("scaled", widths)

    t0 = time.process_time()
    (xe, res1, refs1), (_, res2, refs2) = benchmark.pedantic(both, rounds=1, iterations=1)
    seconds = time.process_time() - t0
    benchmark.extra_info["widths"] = list(widths)
    benchmark.extra_info["units"] = int(2 * 3 * sum(widths))
    benchmark.extra_info["cpu_seconds"] = seconds
    with capsys.disabled():
        print(f"\n  figure sweeps (2 figures x 3 potentials x widths {widths[0]}..{widths[-1]}): {seconds:.1f} s CPU")
    for tag, res, refs in (("unscaled", res1, refs1), ("scaled", res2, refs2)):
        for (name, n), r in res.items():
            if n == widths[-1]:
                benchmark.extra_info[f"{tag} {name} L∞ gap at n={n}"] = float(np.max(np.abs(r.values - refs[name][0])))
                benchmark.extra_info[f"{tag} {name} error estimate"] = r.error
    assert all(np.isfinite(r.error) for r in list(res1.values()) + list(res2.values()))


@pytest.mark.benchmark(group="liang: naive baseline")
def test_bench_naive_rk45_smallest_width(benchmark, capsys):
    if benchmark.disabled:
        pytest.skip("the naive baseline takes minutes: it runs when benchmarks are timed (make bench)")
    x, y = DATA
    run = NetworkRun(init_params(0, WIDTHS[0], Uniform(-1.0, 1.0), zero_output=True), x, y, MirrorPotential.quartic())
    xe = np.linspace(-1.0, 1.0, 401)
    t0 = time.perf_counter()
    ours = train([run], xe)[0]
    ours_s = time.perf_counter() - t0
    params, secs, finished, nfev = benchmark.pedantic(naive_rk45, args=(run,), rounds=1, iterations=1)
    benchmark.extra_info.update(
        {
            "width": WIDTHS[0],
            "naive_seconds": secs,
            "naive_finished": finished,
            "naive_nfev": nfev,
            "exponential_integrator_seconds": ours_s,
            "ratio_naive_over_ours": secs / ours_s,
        }
    )
    if finished:
        benchmark.extra_info["gap_naive_vs_ours"] = float(np.max(np.abs(network(params, xe, "relu") - ours.values)))
    with capsys.disabled():
        print(
            f"\n  n = {WIDTHS[0]}: naive RK45 {secs:.1f} s ({nfev} evaluations, "
            f"{'finished' if finished else f'stopped at the {NAIVE_CAP:g} s cap'}), exponential integrator "
            f"{ours_s:.3f} s: ratio {'' if finished else '> '}{secs / ours_s:.0f}"
        )
