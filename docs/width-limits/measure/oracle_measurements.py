"""Oracle measurements: kernel interpolant vs Galerkin G1+G2+G3, grid refinement, scaled dual-Newton
certificate vs true error, primal scipy oracle, (φ')⁻¹ accuracy.   python measure/oracles.py"""
import time
import numpy as np
from oracles.model.shallow import PolynomialDensity, MirrorPotential, TruncatedNormal, Uniform
from oracles.convex.variational import (G123Solver, kernel_interpolant, scaled_dual_newton, solve_g123, solve_scaled,
                                     solve_scaled_primal)
x = np.array([-0.75, -0.35, 0.05, 0.4, 0.8]); r = np.array([0.3, -0.2, 0.5, 0.1, -0.4])
print("## kernel interpolant vs Galerkin G1+G2+G3 (aligned grid), L∞ on 1001 points of [1.2lo, 1.2hi]")
for d in [Uniform(-1, 1), TruncatedNormal(0.5, -1, 1), Uniform(-2, 2), TruncatedNormal(0.8, -1.5, 1.5), PolynomialDensity((1.0, 0.0, 2.0), -1, 1)]:
    xx = x * d.hi; xe = np.linspace(1.2 * d.lo, 1.2 * d.hi, 1001)
    ki = kernel_interpolant(xx, r, d)
    row = []
    for cells in (8, 32, 128):
        t = time.perf_counter(); s = solve_g123(xx, r, d, xe, cells=cells); dt = time.perf_counter() - t
        row.append(f"N={cells}: gap {np.max(np.abs(s.values - ki(xe))):.1e}, N→2N change {s.error:.1e} ({dt*1e3:.0f} ms)")
    print(f"- {d.name} [{d.lo:g},{d.hi:g}] (cond K {ki.cond:.1e}, kernel error est. {ki.error:.1e}): " + "; ".join(row))
print("## unaligned uniform grid (data and 0 not nodes): L∞ error to the kernel interpolant")
for d in [Uniform(-1, 1), TruncatedNormal(0.5, -1, 1)]:
    xe = np.linspace(-1, 1, 801); ref = kernel_interpolant(x, r, d)(xe)
    errs = {c: np.max(np.abs(G123Solver(d).solve(x, r, c, align=False)(xe) - ref)) for c in (16, 32, 64, 128, 256, 512)}
    print(f"- {d.name}: " + ", ".join(f"N={c}: {e:.2e}" for c, e in errs.items()),
          "| observed order", ", ".join(f"{np.log2(errs[c] / errs[2 * c]):.2f}" for c in (16, 32, 64, 128, 256)))
print("## planted variants of the functional: L∞ distance of their minimizer to h̄")
for d in [Uniform(-1, 1), TruncatedNormal(0.5, -1, 1), TruncatedNormal(0.35, -1, 1)]:
    xe = np.linspace(-1, 1, 801); ref = kernel_interpolant(x, r, d)(xe)
    out = []
    for kw in ({"weight": "p"}, {"g2": 0.0}, {"g3": 0.0}, {"g3": 4.0}):
        out.append(f"{kw}: {np.max(np.abs(solve_g123(x, r, d, xe, **kw).values - ref)):.3f}")
    print(f"- {d.name} s={getattr(d, 'scale', '-')}: " + ", ".join(out))
print("## scaled dual Newton: error estimate (certificate + quadrature change, pieces 16/32, q=10) vs true error (pieces 512, q=14)")
xe = np.linspace(-1, 1, 801)
for d in [Uniform(-1, 1), TruncatedNormal(0.5, -1, 1)]:
    for P in [MirrorPotential.quadratic(), MirrorPotential.cubic(), MirrorPotential.quartic(), MirrorPotential.cosh_(), MirrorPotential.mixed("cosh", 2.0), MirrorPotential.mixed("quartic", 10.0)]:
        for sc in (1.0, 3.0):
            try:
                t = time.perf_counter(); ref = solve_scaled(x, sc * r, d, P, xe); dt = time.perf_counter() - t
            except Exception as exc:
                print(f"- {d.name} {P.describe()} r×{sc:g}: {type(exc).__name__}: {exc}"); continue
            hi = scaled_dual_newton(x, sc * r, d, P, pieces=512, q=14)
            true = np.max(np.abs(ref.values - hi(xe)))
            print(f"- {d.name} {P.describe()} r×{sc:g}: Newton steps {ref.fine.newton_steps}, |F| {np.max(np.abs(ref.fine.residual)):.1e}, "
                  f"certificate {ref.certificate:.1e}, quadrature change {ref.quadrature_change:.1e}, true {true:.1e} ({dt*1e3:.0f} ms)")
print("## primal scipy oracle (uniform grid, trapezoid, trust-constr) vs dual Newton, L∞ on 801 points")
for d in [Uniform(-1, 1), TruncatedNormal(0.5, -1, 1)]:
    for P in [MirrorPotential.quadratic(), MirrorPotential.cubic(), MirrorPotential.quartic(), MirrorPotential.cosh_()]:
        ref = solve_scaled(x, r, d, P, xe)
        row = []
        for c in (100, 200, 400, 800):
            t = time.perf_counter(); p = solve_scaled_primal(x, r, d, P, xe, cells=c); dt = time.perf_counter() - t
            row.append(f"N={c}: gap {np.max(np.abs(p.values - ref.values)):.1e} (N→2N change {p.error:.1e}, {dt:.2f}s)")
        print(f"- {d.name} {P.describe()}: " + "; ".join(row))
print("## (φ')⁻¹: max backward error in x, |φ'(x) − z|/(φ''(x)|x|), z = ±10^[-300, 8]")
z = np.concatenate([-np.logspace(-300, 8, 3001), np.logspace(-300, 8, 3001)])
for P in [MirrorPotential.quadratic(), MirrorPotential.cubic(), MirrorPotential.quartic(), MirrorPotential.cosh_(), MirrorPotential.mixed("cosh", 3.0), MirrorPotential.mixed("quartic", 10.0)]:
    xx = P.grad_inv(z)
    print(f"- {P.describe()}: {np.max(np.abs(P.grad(xx) - z) / (P.hess(xx) * np.abs(xx))) / np.finfo(float).eps:.2f} eps")
