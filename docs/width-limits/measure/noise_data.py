"""Ladder slopes on other data sets (drawn like generators.shallow.data_sets), 8 seeds = two groups of 4.
python measure/noise_data.py COUNT"""
import sys
import numpy as np
from oracles.checks.width_limits import LADDER_CI, fit_slope
from oracles.model.shallow import MirrorPotential, TruncatedNormal, Uniform, init_params, network
from oracles.flows.shallow_trainer import NetworkRun, train, richardson
from oracles.convex.variational import kernel_interpolant, solve_scaled
rng = np.random.default_rng(2025)
W = LADDER_CI
for case in range(int(sys.argv[1])):
    B = float(rng.choice([1.0, 2.0]))
    dens = Uniform(-B, B) if rng.random() < 0.5 else TruncatedNormal(float(rng.choice([0.35, 0.5, 0.75, 1.0])) * B, -B, B)
    m = int(rng.integers(2, 6)); L = 2 * B
    x = -B + 0.05 * L + 0.9 * L * (np.arange(m) + 0.5 + rng.integers(-5, 6, m) / 16) / m
    y = 0.25 * (-1.0) ** np.arange(m) + rng.integers(-4, 5, m) / 16
    xe = np.unique(np.concatenate([np.linspace(-B, B, 401), x]))
    out = []
    for pot, scaled, act in [(MirrorPotential.quartic(), False, "relu"), (MirrorPotential.cubic(), False, "relu"), (MirrorPotential.mixed("quartic", 1.0), True, "abs")]:
        runs = [NetworkRun(init_params(s, n, dens), x, y, p, scaled, act) for p in (pot, MirrorPotential.quadratic()) for n in W for s in range(8)]
        res = train(runs, xe, levels=4 if not scaled else 3, on_failure="flag")
        k = len(W) * 8
        mf, gp, nd = np.zeros((len(W), 8)), np.zeros((len(W), 8)), np.zeros((len(W), 8))
        for i, n in enumerate(W):
            for s in range(8):
                a, g = res[i * 8 + s], res[k + i * 8 + s]
                r0 = y - network(a.run.params0, x, act)
                ref = kernel_interpolant(x, r0, dens, act)(xe) if not scaled else solve_scaled(x, r0, dens, pot, xe).values
                gp[i, s] = np.max(np.abs(a.change - ref))
                mf[i, s] = np.max(np.abs(richardson([u - v for u, v in zip(a.level_values, g.level_values)])[0]))
                nd[i, s] = n * a.drift
        tag = f"{pot.describe()}{' scaled' if scaled else ''}"
        sl = lambda V: [round(fit_slope(W, V[:, g * 4:(g + 1) * 4], 0 * V[:, :4]).slope, 2) for g in range(2)]
        out.append(f"{tag}: gap {sl(gp)}" + (f", MF−GF {sl(mf)}" if not scaled else f", n·drift {sl(nd)}"))
    print(f"- {dens.name} B={B:g}, m={m}, x={np.round(x, 3).tolist()}: " + "; ".join(out), flush=True)
