"""Seed-to-seed noise of the ladder quantities (nested seeds), saved to measure/noise_<tag>.npz.

python measure/noise.py TAG SEEDS WIDTHS   e.g.  python measure/noise.py fig 16 20,60,180,540,1620,4860
"""
import sys, time
import numpy as np
from oracles.model.shallow import MirrorPotential, Uniform, init_params, network
from oracles.flows.shallow_trainer import NetworkRun, train, richardson
from oracles.convex.variational import kernel_interpolant, solve_scaled

tag, S, widths = sys.argv[1], int(sys.argv[2]), [int(v) for v in sys.argv[3].split(",")]
x = np.array([-0.75, -0.35, 0.05, 0.4, 0.8]); y = np.array([0.3, -0.2, 0.5, 0.1, -0.4])
dens = Uniform(-1, 1)
xe = np.linspace(-1, 1, 1001)
out = {}
for name, pots, scaled, act in [("unscaled", ["x^2", "|x|^3+x^2", "x^4+x^2"], False, "relu"),
                                ("scaled", ["x^2", "x^4+x^2"], True, "abs")]:
    for n in widths:
        t = time.time()
        runs = [NetworkRun(init_params(s, n, dens), x, y, MirrorPotential.named(p), scaled, act) for p in pots for s in range(S)]
        res = train(runs, xe, on_failure="flag")
        for i, p in enumerate(pots):
            R = res[i * S:(i + 1) * S]
            gaps, errs = [], []
            for r in R:
                if r.failure:
                    gaps.append(np.nan); errs.append(np.nan); continue
                r0 = y - network(r.run.params0, x, act)
                ref = kernel_interpolant(x, r0, dens, act)(xe) if not scaled else solve_scaled(x, r0, dens, r.run.potential, xe).values
                gaps.append(np.max(np.abs(r.change - ref))); errs.append(r.error)
            key = f"{name}|{p}|{n}"
            out[key + "|gap"] = np.array(gaps); out[key + "|err"] = np.array(errs)
            out[key + "|drift"] = np.array([r.drift for r in R])
            out[key + "|dH"] = np.array([r.finest.dH_max for r in R])
            out[key + "|dHrel"] = np.array([r.finest.dH_max / np.linalg.norm(r.H0, 2) for r in R])
            out[key + "|lmin0"] = np.array([np.linalg.eigvalsh(r.H0)[0] for r in R])
            out[key + "|failed"] = np.array([bool(r.failure) for r in R])
            c = [np.linalg.eigvalsh(r.H0)[0] for r in R]
            dec = []
            for r in R:   # max_t log(|r(t)|/|r0|) + lmin(H0) t  (<= 0: decay at least at half the initial rate)
                lv = r.finest; fin = np.isfinite(lv.times)
                dec.append(np.max(0.5 * np.log(np.maximum(lv.loss[fin], 1e-300) / lv.loss[0]) + 0.5 * np.linalg.eigvalsh(r.H0)[0] * lv.times[fin]))
            out[key + "|decay"] = np.array(dec)
            if p != "x^2":
                D = [richardson([a - b for a, b in zip(r.level_values, g.level_values)]) for r, g in zip(R, res[:S])]
                out[key + "|mfgf"] = np.array([np.max(np.abs(d[0])) for d in D])
                out[key + "|mfgf_err"] = np.array([d[1] for d in D])
        print(name, n, "%.1fs" % (time.time() - t), flush=True)
np.savez(f"measure/noise_{tag}.npz", **out)
