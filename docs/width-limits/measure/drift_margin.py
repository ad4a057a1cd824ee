"""The drift claims with a statistical margin: sup_t ‖θ(t) − θ(0)‖∞ (the slides' "for any t ≥ 0") on a ladder,
per-seed slopes of log(n^p · sup drift) and their standard error (``slope_se_seeds``), on the figure data and on
data sets drawn like generators.shallow.data_sets.
python docs/width-limits/measure/drift_margin.py COUNT SEEDS WIDTHS(comma-separated)"""
import sys
import numpy as np
from oracles.checks.width_limits import fit_slope
from oracles.model.shallow import MirrorPotential, TruncatedNormal, Uniform, init_params
from oracles.flows.shallow_trainer import NetworkRun, train

count, S = int(sys.argv[1]), int(sys.argv[2])
W = tuple(int(v) for v in sys.argv[3].split(","))
rng = np.random.default_rng(2025)
cases = [("figure", Uniform(-1, 1), np.array([-0.75, -0.35, 0.05, 0.4, 0.8]), np.array([0.3, -0.2, 0.5, 0.1, -0.4]))]
for _ in range(count):
    B = float(rng.choice([1.0, 2.0]))
    dens = Uniform(-B, B) if rng.random() < 0.5 else TruncatedNormal(float(rng.choice([0.35, 0.5, 0.75, 1.0])) * B, -B, B)
    m = int(rng.integers(2, 6)); L = 2 * B
    x = -B + 0.05 * L + 0.9 * L * (np.arange(m) + 0.5 + rng.integers(-5, 6, m) / 16) / m
    y = 0.25 * (-1.0) ** np.arange(m) + rng.integers(-4, 5, m) / 16
    cases.append((f"{dens.name} B={B:g} m={m}", dens, x, y))
ONLY = sys.argv[4] if len(sys.argv) > 4 else "all"
settings = [(MirrorPotential.quartic(), False, "relu", 0.5), (MirrorPotential.cubic(), False, "relu", 0.5),
            (MirrorPotential.cosh_(), False, "relu", 0.5), (MirrorPotential.mixed("quartic", 1.0), True, "abs", 1.0),
            (MirrorPotential.mixed("cosh", 2.0), True, "abs", 1.0)]
for name, dens, x, y in cases:
    line = []
    for pot, scaled, act, p in settings:
        if ONLY != "all" and (ONLY == "scaled") != scaled:
            continue
        runs = [NetworkRun(init_params(s, n, dens), x, y, pot, scaled, act, dens) for n in W for s in range(S)]
        res = train(runs, np.linspace(dens.lo, dens.hi, 11), on_failure="flag")
        v = np.array([[res[i * S + s].drift_sup * n ** p for s in range(S)] for i, n in enumerate(W)])
        e = np.array([[res[i * S + s].drift_sup_error * n ** p for s in range(S)] for i, n in enumerate(W)])
        end = np.array([[res[i * S + s].drift * n ** p for s in range(S)] for i, n in enumerate(W)])
        if not np.all(np.isfinite(v)):
            line.append(f"{pot.describe()}: failed"); continue
        f = fit_slope(W, v, e)
        top = fit_slope(W[-2:], v[-2:], e[-2:])
        groups = [round(fit_slope(W, v[:, g:g + 4], e[:, g:g + 4]).slope, 3) for g in range(0, S - 3, 4)]
        line.append(f"{pot.describe()}{' scaled' if scaled else ''} p={p:g}: slope {f.slope:+.3f} se {f.slope_se_seeds:.3f} "
                    f"(4-seed groups {groups}), last segment {top.slope:+.3f} se {top.slope_se_seeds:.3f}, num.err {f.slope_error:.1e}, sup/end max {np.max(v / end):.4f}, "
                    f"n^p·drift {np.round(f.values, 3).tolist()}")
    print(f"- {name}, x={np.round(x, 3).tolist()}:\n    " + "\n    ".join(line), flush=True)
