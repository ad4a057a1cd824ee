"""Trainer measurements: accuracy against solve_ivp (smooth reference), step halving, timings.
python measure/trainer_measurements.py"""
import time
import numpy as np
from scipy.integrate import solve_ivp
from oracles.model.shallow import NetworkParams, MirrorPotential, Uniform, init_params, network
from oracles.flows.shallow_trainer import NetworkRun, dual_field, kernel_matrix, params_from_dual, richardson, train
dens = Uniform(-1, 1)
xe = np.linspace(-1, 1, 401)
print("## exponential integrator vs solve_ivp(LSODA, rtol 1e-11) at n = 16 (quantile-grid biases, data between kinks, targets f(x,θ0) ± 0.02)")
n = 16
rng = np.random.default_rng(0)
p0 = NetworkParams(np.where(np.arange(n) % 2 == 0, 1.0, -1.0), dens.ppf((np.arange(n) + 0.5) / n), rng.standard_normal(n) / np.sqrt(n), float(rng.standard_normal()))
xg = np.array([-0.75, -0.375, 0.0, 0.375, 0.75])
for pot, scaled, act in [(MirrorPotential.quartic(), False, "relu"), (MirrorPotential.cubic(), False, "relu"), (MirrorPotential.cosh_(), False, "relu"), (MirrorPotential.quartic(), True, "abs"), (MirrorPotential.cubic(), True, "abs")]:
    run = NetworkRun(p0, xg, network(p0, xg, act) + 0.02 * np.array([1, -1, 1, -1, 1.0]), pot, scaled, act)
    T = 40 / (2 * np.linalg.eigvalsh(kernel_matrix(p0, xg, pot, scaled, act))[0])
    refs = []
    for rtol in (1e-9, 1e-11):
        t = time.perf_counter()
        sol = solve_ivp(dual_field(run), (0, T), np.zeros(3 * n + 1), method="LSODA", rtol=rtol, atol=1e-3 * rtol)
        refs.append(network(params_from_dual(run, sol.y[:, -1]), xe, act)); tref = time.perf_counter() - t
    t = time.perf_counter(); res = train([run], xe, levels=5, extrapolate=False)[0]; ttr = time.perf_counter() - t
    errs = [np.max(np.abs(v - refs[1])) for v in res.level_values]
    rich = [np.max(np.abs(richardson(res.level_values[k - 2:k + 1])[0] - refs[1])) for k in range(2, 5)]
    rich_est = [richardson(res.level_values[k - 2:k + 1])[1] for k in range(2, 5)]
    print(f"- {pot.describe()} {'scaled/abs' if scaled else 'unscaled/relu'}: |Δf|∞ {np.max(np.abs(res.level_values[-1] - network(p0, xe, act))):.3f}; "
          f"reference tol change {np.max(np.abs(refs[0] - refs[1])):.1e} ({tref:.2f}s); level errors " + ", ".join(f"{e:.2e}" for e in errs)
          + " | ratios " + ", ".join(f"{errs[i] / errs[i + 1]:.2f}" for i in range(4))
          + " | Richardson(levels k−2..k) errors " + ", ".join(f"{e:.1e}" for e in rich) + " vs estimates " + ", ".join(f"{e:.1e}" for e in rich_est)
          + f" | 5 levels {ttr:.2f}s")
print("## step halving: |R(levels 1..3) − R(levels 0..2)|∞ against the estimate err = |R_2 − R_1| (budget 10·err); figure data, seed 3")
x = np.array([-0.75, -0.35, 0.05, 0.4, 0.8]); y = np.array([0.3, -0.2, 0.5, 0.1, -0.4])
for pot, scaled, act in [(MirrorPotential.quartic(), False, "relu"), (MirrorPotential.cubic(), False, "relu"), (MirrorPotential.quartic(), True, "abs")]:
    for n in (180, 540, 1620, 4860):
        r = train([NetworkRun(init_params(3, n, dens), x, y, pot, scaled, act)], xe, levels=4)[0]
        c, err = richardson(r.level_values[:3]); f, _ = richardson(r.level_values[1:])
        print(f"- {pot.describe()} {'scaled' if scaled else 'unscaled'} n={n}: moved {np.max(np.abs(f - c)):.1e}, estimate {err:.1e}, |Δf| {np.max(np.abs(r.change)):.2f}")
print("## timings (one core, OPENBLAS_NUM_THREADS=1)")
for n in (1600, 4860):
    run = NetworkRun(init_params(0, n, dens), x, y, MirrorPotential.quartic())
    for levels in (1, 3):
        t = time.perf_counter(); r = train([run], xe, levels=levels)[0]; dt = time.perf_counter() - t
        print(f"- one width-{n} run, x^4+x^2, five points, {levels} level(s): {dt:.3f}s ({r.finest.steps} steps at the finest level)")
runs = [NetworkRun(init_params(s, n, dens), x, y, MirrorPotential.named(p)) for p in ("x^2", "|x|^3+x^2", "x^4+x^2") for n in (180, 540, 1620, 4860) for s in range(4)]
t = time.perf_counter(); train(runs, xe); dt = time.perf_counter() - t
print(f"- batch: 3 potentials × widths 180..4860 × 4 seeds ({sum(r.params0.n for r in runs)} units), 3 levels: {dt:.1f}s")
