"""Zero-output-initialization sweeps of Figures 1 and 2 (one seed), and the filer's MF−GF widths.
python measure/figure_sweeps.py"""
import sys, time
import numpy as np
sys.path.insert(0, "drafts")
from oracles.checks.width_figures import DATA, WIDTHS, sweep
from oracles.checks.width_limits import fit_slope
from oracles.model.shallow import MirrorPotential, Uniform, init_params
from oracles.flows.shallow_trainer import NetworkRun, richardson, train
for kind in ("unscaled", "scaled"):
    t = time.perf_counter(); xe, res, refs = sweep(kind); dt = time.perf_counter() - t
    print(f"## {kind} (zero output init, uniform p_B, seed 0), sweep {dt:.1f}s")
    names = sorted({k[0] for k in res})
    for name in names:
        gaps = np.array([np.max(np.abs(res[(name, n)].values - refs[name][0])) for n in WIDTHS])
        errs = np.array([res[(name, n)].error + refs[name][1] for n in WIDTHS])
        drift = np.array([res[(name, n)].drift for n in WIDTHS])
        dH = np.array([res[(name, n)].finest.dH_max / np.linalg.norm(res[(name, n)].H0, 2) for n in WIDTHS])
        print(f"- {name}: L∞ gap " + ", ".join(f"{n}: {g:.2e}" for n, g in zip(WIDTHS, gaps))
              + f" (slope {fit_slope(WIDTHS, gaps[:, None], errs[:, None]).slope:.2f}; error estimates ≤ {errs.max():.1e})")
        print(f"  n·drift " + ", ".join(f"{n * d:.1f}" for n, d in zip(WIDTHS, drift))
              + f"; drift slope {np.polyfit(np.log(WIDTHS), np.log(drift), 1)[0]:.2f}; sup‖H(t)−H(0)‖/‖H(0)‖ " + ", ".join(f"{v:.1e}" for v in dH))
    base = "x^2"
    for name in names:
        if name == base:
            continue
        g = [np.max(np.abs(richardson([a - b for a, b in zip(res[(name, n)].level_values, res[(base, n)].level_values)])[0])) for n in WIDTHS]
        print(f"- MF({name}) − MF(x^2) limits: " + ", ".join(f"{n}: {v:.2e}" for n, v in zip(WIDTHS, g)))
print("## MF − GF at the filer's widths (random init, figure data, seeds 0..3, Richardson on the difference, 4 levels)")
x, y = DATA
xe = np.linspace(-1, 1, 1001)
for pname in ("x^4+x^2", "|x|^3+x^2", "cosh"):
    for n in (100, 400, 1600):
        runs = [NetworkRun(init_params(s, n, Uniform(-1, 1)), x, y, MirrorPotential.named(p)) for p in (pname, "x^2") for s in range(4)]
        res = train(runs, xe, levels=4)
        D = [richardson([a - b for a, b in zip(res[s].level_values, res[4 + s].level_values)]) for s in range(4)]
        print(f"- {pname} n={n}: " + ", ".join(f"{np.max(np.abs(d[0])):.2e} (±{d[1]:.0e})" for d in D))
