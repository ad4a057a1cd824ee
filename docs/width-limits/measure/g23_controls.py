"""Part II's planted variants (G2 dropped, G3 dropped, 4·G3) on the ladder: the fitted slope of log ‖Δf − h̄_planted‖∞
(check_unscaled_part2 with g2/g3), 16 seeds, on data sets that leave room outside the data hull.
python docs/width-limits/measure/g23_controls.py WIDTHS"""
import sys, time
import numpy as np
from oracles.checks.width_limits import SEEDS_PART2, check_unscaled_part2
from oracles.model.shallow import MirrorPotential, TruncatedNormal, Uniform
W = tuple(int(v) for v in sys.argv[1].split(","))
cases = [("uniform[-1,1], figure data", Uniform(-1, 1), np.array([-0.75, -0.35, 0.05, 0.4, 0.8]), np.array([0.3, -0.2, 0.5, 0.1, -0.4])),
         ("uniform[-1,1], m=2 +-0.25", Uniform(-1, 1), np.array([-0.25, 0.25]), np.array([0.25, -0.25])),
         ("uniform[-1,1], m=2 +-0.5", Uniform(-1, 1), np.array([-0.5, 0.5]), np.array([0.25, 0.25])),
         ("uniform[-2,2], m=3", Uniform(-2, 2), np.array([-0.6, 0.0, 0.6]), np.array([0.25, -0.25, 0.25])),
         ("tn 0.5 [-1,1], m=2", TruncatedNormal(0.5, -1, 1), np.array([-0.3, 0.3]), np.array([0.25, -0.25])),
         ("uniform[-1,1], m=3 +-0.6", Uniform(-1, 1), np.array([-0.6, 0.0, 0.6]), np.array([0.25, -0.25, 0.25])),
         ("uniform[-2,2], m=2 +-0.9", Uniform(-2, 2), np.array([-0.9, 0.9]), np.array([0.25, -0.25]))]
ONLY = sys.argv[2].split(",") if len(sys.argv) > 2 else None
for name, dens, x, y in cases:
    out = []
    for label, kw in (("theorem", {}), ("no G2", {"g2": 0.0}), ("no G3", {"g3": 0.0}), ("4 G3", {"g3": 4.0})):
        if ONLY and label not in ONLY:
            continue
        t0 = time.time()
        o = check_unscaled_part2(x, y, dens, MirrorPotential.quartic(), W, tuple(range(SEEDS_PART2)), oracle="grid", **kw)
        d = o.details
        out.append(f"{label}: slope {d.get('slope', float('nan')):+.2f} (se {d.get('slope_se_seeds', float('nan')):.2f}) "
                   f"gaps {np.round(d.get('values', []), 4).tolist()} [{time.time() - t0:.1f} s]")
    print(f"- {name}:\n    " + "\n    ".join(out), flush=True)
