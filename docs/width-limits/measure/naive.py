"""Naive θ-space integration of the same flow (RK45 / LSODA), capped in wall time, against the exponential
integrator.   python measure/naive.py N INIT(zero|random) METHOD RTOL CAP"""
import sys, time
import numpy as np
sys.path.insert(0, "drafts")
from tests.benchmarks.test_bench_liang import naive_rk45
from scipy.integrate import solve_ivp
from oracles.model.shallow import MirrorPotential, Uniform, init_params, network, NetworkParams
from oracles.flows.shallow_trainer import NetworkRun, train, kernel_matrix
n, init, method, rtol, cap = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
x = np.array([-0.75, -0.35, 0.05, 0.4, 0.8]); y = np.array([0.3, -0.2, 0.5, 0.1, -0.4])
run = NetworkRun(init_params(0, n, Uniform(-1, 1), zero_output=(init == "zero")), x, y, MirrorPotential.quartic())
xe = np.linspace(-1, 1, 401)
t0 = time.perf_counter(); ours = train([run], xe)[0]; t_ours = time.perf_counter() - t0
if method == "RK45":
    p, secs, fin, nfev = naive_rk45(run, rtol=rtol, cap=cap)
else:
    import tests.benchmarks.test_bench_liang
    bench_liang_solve = tests.benchmarks.test_bench_liang.solve_ivp
    def patched(*a, **k):
        k["method"] = method
        return bench_liang_solve(*a, **k)
    tests.benchmarks.test_bench_liang.solve_ivp = patched
    p, secs, fin, nfev = naive_rk45(run, rtol=rtol, cap=cap)
gap = float(np.max(np.abs(network(p, xe, "relu") - ours.values))) if fin else float("nan")
print(f"n={n} init={init} {method} rtol={rtol:g}: {secs:.1f}s finished={fin} nfev={nfev}; exponential integrator {t_ours:.3f}s "
      f"(error estimate {ours.error:.1e}); gap {gap:.2e}; ratio {secs / t_ours:.0f}")
