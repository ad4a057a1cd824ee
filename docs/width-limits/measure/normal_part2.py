"""Part II with a normal p_B (unbounded support): the ladder slope of log ‖Δf − h̄‖∞ on ±3s (kernel interpolant),
16 seeds, and the planted weight p in place of 1/p (Galerkin solver on a truncation to ±12s... not available: the
grid solver needs a compact support, so the control uses the truncated normal).
python docs/width-limits/measure/normal_part2.py WIDTHS"""
import sys, time
import numpy as np
from oracles.checks.width_limits import SEEDS_PART2, check_unscaled_part2
from oracles.model.shallow import MirrorPotential, Normal
from generators.shallow import data_sets
W = tuple(int(v) for v in sys.argv[1].split(","))
rng = np.random.default_rng(7)
for s in (0.5, 1.0):
    dens = Normal(s)
    lo, hi = dens.window
    for m in (2, 3, 5):
        x = lo + 0.05 * (hi - lo) + 0.9 * (hi - lo) * (np.arange(m) + 0.5 + rng.integers(-5, 6, m) / 16) / m
        y = 0.25 * (-1.0) ** np.arange(m) + rng.integers(-4, 5, m) / 16
        for pot in (MirrorPotential.quartic(), MirrorPotential.cubic()):
            t0 = time.time()
            o = check_unscaled_part2(x, y, dens, pot, W, tuple(range(SEEDS_PART2)))
            d = o.details
            print(f"- N(0, {s:g}²), m = {m}, {pot.describe()}: slope {d.get('slope', float('nan')):+.2f} "
                  f"(se {d.get('slope_se_seeds', float('nan')):.2f}), gaps {np.round(d.get('values', []), 4).tolist()}, "
                  f"verdict {'falsified' if o.falsified else 'held' if o.inconclusive is None else o.inconclusive} "
                  f"[{time.time() - t0:.1f} s]", flush=True)
