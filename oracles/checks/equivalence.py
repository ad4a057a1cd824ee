r"""Gradient flow against ψ and against mirror flow (li2022 Lemmas 4.6, 4.7, Theorem 4.8).

Each function integrates what has no closed form twice -- at ``rtol = 1e-8`` and ``1e-11`` -- and
estimates the error of the fine solution, which is the answer, as the change between the two plus
the accuracy the fine solve was asked for (``atol + rtol·|y|``) propagated to the compared
quantity. The second term matters where the two solves agree with each other better than either
agrees with the truth (seen with x⊙3 near the boundary, where ``atol/|x|`` dominates). The budget
is ``max(floor, 10 · error)`` with ``floor = roundoff_floor(nfev)``.
"""
from __future__ import annotations

import numpy as np

from oracles.core.errors import Inconclusive
from oracles.core.fd import central_difference
from oracles.flows.trajectories import gradient_flow, mirror_flow, psi
from oracles.flows.legendre import LemmaLegendre, potential_of
from oracles.model.losses import Schedule
from oracles.core.outcome import CLOSED_FORM_BUDGET, EPS, UNRESOLVED, Outcome, Panel, budget_from_error, roundoff_floor
from oracles.model.parametrizations import Parametrization
from oracles.model.potentials import Potential

COARSE, FINE = 1e-8, 1e-11
N_SAMPLES = 17


#: A trajectory compared row by row is measured at time t against ``max(‖w(t)‖, TRAJECTORY_FLOOR · max_s ‖w(s)‖)``:
#: where w(t) passes through 0 the plain relative gap is noise over noise (the solves' absolute errors, ~1e-11
#: of the trajectory's size, over ‖w(t)‖ ≈ 0), which left those examples unresolved; a millionth of the
#: trajectory's size keeps their error near 1e-5 and every other time relative as before.
TRAJECTORY_FLOOR = 1e-6


def _rel_rows(a: np.ndarray, b: np.ndarray, floor: float = 1e-300) -> np.ndarray:
    """Row-wise ``‖a_k − b_k‖ / max(‖a_k‖, ‖b_k‖, floor)``."""
    num = np.linalg.norm(a - b, axis=1)
    den = np.maximum(np.maximum(np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)), max(floor, 1e-300))
    return num / den


def requested_error_x(X: np.ndarray, rtol: float, atol: float) -> float:
    r"""The accuracy a solve was asked for, relative: :math:`\max_t\|atol + rtol|x(t)|\| / \|x(t)\|`."""
    num = np.linalg.norm(atol + rtol * np.abs(X), axis=1)
    return float(np.max(num / np.maximum(np.linalg.norm(X, axis=1), 1e-300)))


def requested_error_w(G: Parametrization, X: np.ndarray, W: np.ndarray, rtol: float, atol: float,
                      floor: float = 1e-300) -> float:
    r"""The x-space accuracy asked of a gradient-flow solve, propagated to w = G(x):
    :math:`\max_t \||\partial G(x)|\,(atol + rtol|x|)\| / \max(\|w\|, floor)`."""
    worst = 0.0
    for x, w in zip(X, W):
        dw = np.abs(G.jacobian(x)) @ (atol + rtol * np.abs(x))
        worst = max(worst, float(np.linalg.norm(dw)) / max(float(np.linalg.norm(w)), floor, 1e-300))
    return worst


def requested_error_dual(R: Potential, Theta: np.ndarray, W: np.ndarray, rtol: float, atol: float,
                         floor: float = 1e-300) -> float:
    r"""The dual-space accuracy asked of a mirror-flow solve, propagated to :math:`w = (\nabla R)^{-1}(\theta)`
    by one-sided differences of ``grad_inv`` along :math:`\pm(atol + rtol|\theta|)`."""
    worst = 0.0
    for th, w in zip(Theta, W):
        dth = atol + rtol * np.abs(th)
        dw = max(float(np.linalg.norm(R.grad_inv(th + dth) - w)), float(np.linalg.norm(R.grad_inv(th - dth) - w)))
        worst = max(worst, dw / max(float(np.linalg.norm(w)), floor, 1e-300))
    return worst


def require_regular(G: Parametrization, x, max_condition: float = 1e10) -> float:
    """Raise :class:`Inconclusive` when ``∂G(x)∂G(x)ᵀ`` is singular to working precision; return its condition number."""
    cond = float(np.linalg.cond(G.gram(x)))
    if not np.isfinite(cond) or cond > max_condition:
        raise Inconclusive("not regular", f"cond(∂G∂Gᵀ) = {cond:.3g} at x")
    return cond


def _trajectory_panels(t, a, b, label_a: str, label_b: str, gap, ylabel: str) -> list[Panel]:
    series = {}
    for k in range(a.shape[1]):
        series[f"{label_a} [{k}]"] = (t, a[:, k])
        series[f"{label_b} [{k}]"] = (t, b[:, k])
    return [Panel("trajectories", "t", ylabel, series),
            Panel("relative gap over time", "t", "relative gap", {"gap": (t, np.maximum(gap, 1e-300))}, logy=True)]


def gf_against_psi(G: Parametrization, schedule: Schedule, x_init, *, sign: int = +1,
                   psi_method: str = "auto") -> Outcome:
    r"""Lemma 4.6: :math:`x(t) = \psi(x_{init};\mu(t))` along gradient flow with a time-dependent loss.

    Discrepancy: :math:`\max_t \|x(t) - \psi(x_{init};\mu(t))\| / \|x(t)\|` over 17 sample times.
    ``sign=-1`` evaluates ψ with the literal sign of li2022 §3.2 (flows of :math:`-\nabla G_i`).
    """
    x0 = G.check_point(x_init, "x_init")
    t = np.linspace(0.0, schedule.total_time, N_SAMPLES)
    fine = gradient_flow(G, schedule, x0, t_eval=t, rtol=FINE, atol=1e-14)
    coarse = gradient_flow(G, schedule, x0, t_eval=t, rtol=COARSE, atol=1e-12)
    P = np.array([psi(G, x0, mu, sign=sign, method=psi_method) for mu in fine.mu])
    gap = _rel_rows(fine.x, P)
    err = float(np.max(_rel_rows(fine.x, coarse.x))) + requested_error_x(fine.x, FINE, 1e-14)
    if psi_method == "ode":
        Pc = np.array([psi(G, x0, mu, sign=sign, method="ode", rtol=COARSE) for mu in fine.mu])
        err += float(np.max(_rel_rows(P, Pc)))
    return Outcome(float(np.max(gap)), budget_from_error(err, roundoff_floor(fine.nfev)), err,
                   "max over t of ‖x(t) − ψ(x_init; μ(t))‖ / ‖x(t)‖",
                   details={"nfev": fine.nfev + coarse.nfev, "T": schedule.total_time, "sign": sign},
                   plot=lambda: _trajectory_panels(t, fine.x, P, "gradient flow x", "ψ(x_init; μ)", gap, "x"))


def gf_against_mf(G: Parametrization, schedules: list[Schedule], x_init, R: Potential | None = None) -> Outcome:
    r"""Theorem 4.8: :math:`w(t) = G(x(t))` is the mirror flow :math:`d\nabla R(w) = -\nabla L_t(w)dt`.

    One R (built once from ``x_init``, by default :func:`oracles.flows.legendre.potential_of`) must serve every
    schedule in ``schedules``. Discrepancy: the largest over schedules and 17 sample times of
    :math:`\|w_{GF}(t) - w_{MF}(t)\| / \max(\|w_{GF}(t)\|, \|w_{MF}(t)\|, 10^{-6}\max_s\|w_{GF}(s)\|)`
    (``TRAJECTORY_FLOOR``: a trajectory through 0 is compared there against a millionth of its size).
    """
    x0 = G.check_point(x_init, "x_init")
    require_regular(G, x0)
    R = potential_of(G, x0) if R is None else R
    w0 = G.value(x0)
    worst, err, nfev, panels = 0.0, 0.0, 0, []
    for k, sched in enumerate(schedules):
        t = np.linspace(0.0, sched.total_time, N_SAMPLES)
        gf, gfc = (gradient_flow(G, sched, x0, t_eval=t, rtol=r, atol=a) for r, a in ((FINE, 1e-14), (COARSE, 1e-12)))
        mf, mfc = (mirror_flow(R, sched, w0, t_eval=t, rtol=r, atol=a) for r, a in ((FINE, 1e-14), (COARSE, 1e-12)))
        floor = TRAJECTORY_FLOOR * float(np.max(np.linalg.norm(gf.w, axis=1)))
        gap = _rel_rows(gf.w, mf.w, floor)
        worst = max(worst, float(np.max(gap)))
        err = max(err, float(np.max(_rel_rows(gf.w, gfc.w, floor))) + float(np.max(_rel_rows(mf.w, mfc.w, floor)))
                  + requested_error_w(G, gf.x, gf.w, FINE, 1e-14, floor)
                  + requested_error_dual(R, mf.theta, mf.w, FINE, 1e-14, floor))
        nfev += gf.nfev + mf.nfev
        panels.append((t, gf.w, mf.w, gap, k))

    def plot():
        out = []
        for t, a, b, gap, k in panels:
            for p in _trajectory_panels(t, a, b, "gradient flow w", f"mirror flow ({R.name})", gap, "w"):
                out.append(Panel(f"{p.title} (loss {k + 1})", p.xlabel, p.ylabel, p.series, p.logy))
        return out

    if not err < UNRESOLVED:   # the solves disagree by a tenth of w: a budget ≥ 1 would hold anything
        return Outcome.undecided("unresolved: error ≥ scale", "‖w_GF(t) − w_MF(t)‖ relative to w", error=err)
    return Outcome(worst, budget_from_error(err, roundoff_floor(nfev)), err,
                   f"max over losses and t of ‖w_GF(t) − w_MF(t)‖ / max(‖w_GF(t)‖, 1e-6 max_s ‖w_GF(s)‖), R = {R.name}",
                   details={"nfev": nfev, "losses": len(schedules), "R": R.name}, plot=plot)


def _evaluation_scale(G: Parametrization, x: np.ndarray) -> np.ndarray:
    r"""Per component, the size of what evaluating :math:`G_i(x)` adds up: :math:`|G_i| + \|\nabla G_i\|\|x\| +
    \tfrac12\|\nabla^2G_i\|\|x\|^2` (a second-order Taylor bound on the terms; exact for quadratics, where
    cancellation makes :math:`|G_i|` itself far smaller than its rounding error)."""
    xn = float(np.linalg.norm(x))
    J = np.atleast_2d(np.asarray(G.jacobian(x), float))
    H = np.asarray(G.hessians(x), float).reshape(G.d, x.size, x.size)
    return (np.abs(np.asarray(G.value(x), float)) + np.linalg.norm(J, axis=1) * xn
            + 0.5 * np.linalg.norm(H, ord=2, axis=(1, 2)) * xn * xn)


def lemma_4_7_identities(G: Parametrization, x_init, mu, R: Potential | None = None, h: float | None = None,
                         sign: int = +1) -> Outcome:
    r"""Lemma 4.7 at :math:`\mu`: with :math:`x = \psi(x_{init};\mu)` and :math:`w = G(x)`,

    1. :math:`\partial_\mu\nabla Q(\mu) = \partial G(x)\partial G(x)^\top` (so :math:`\nabla^2 Q` is symmetric
       positive definite and Q is convex), the Jacobian of :math:`\mu\mapsto G(\psi(x_{init};\mu))`
       taken by central differences (error: the change between steps h and 2h plus the roundoff
       :math:`\sqrt d\,\epsilon\|S\|/h` of a central difference, S the size of the terms G adds up
       (:func:`_evaluation_scale`) -- the thorough profile found a family with :math:`\|A\| \approx 10^{-3}`
       where that roundoff alone is 1e-8 relative, and one where :math:`\tfrac12x^\top Ax = 8\cdot10^{-4}`
       sums terms of size 1.7);
    2. :math:`\nabla R(w) = \mu` (R is the conjugate of Q, normalized by :math:`\nabla R(w_{init}) = 0`);
    3. :math:`\nabla^2R(w) = (\partial G(x)\partial G(x)^\top)^{-1}`.

    ``sign=-1`` takes ψ with the literal sign of li2022 §3.2 (flows of :math:`-\nabla G_i`, P1): then the
    Jacobian of :math:`\mu\mapsto G(\psi)` is :math:`-\partial G\partial G^\top` (Q concave) and R is the
    numerical construction with that sign (a negative control).

    R defaults to the family's closed form, else the numerical construction. Discrepancy: the
    largest of the three relative gaps; budget: the finite-difference error for (1), and
    ``max(1e-9, 100·cond·eps)`` for (2)-(3), which invert a matrix of condition number ``cond``.
    """
    x0 = G.check_point(x_init, "x_init")
    mu = np.asarray(mu, float)
    x = psi(G, x0, mu, sign=sign)
    cond = require_regular(G, x)
    if R is None:
        R = potential_of(G, x0) if sign == +1 else LemmaLegendre(G, x0, sign=sign)
    w = G.value(x)
    gram = G.gram(x)
    if h is None:  # step on the scale over which w changes: ‖∂w/∂μ‖/‖w‖ = ‖∂G∂Gᵀ‖/‖w‖
        rate = float(np.linalg.norm(gram)) / max(float(np.linalg.norm(w)), 1e-300)
        h = float(np.clip(1e-5 / max(rate, 1e-300), 1e-7, 1e-2))

    D = central_difference(lambda m: G.value(psi(G, x0, m, sign=sign)), mu, h)
    nrm = max(float(np.linalg.norm(gram)), 1e-300)
    # truncation: the change between steps h and 2h; roundoff of a central difference: eps·S/h per column,
    # S the size of the terms G sums, not of G: ½xᵀAx = 8e-4 from terms of size 1.7 (found at `thorough`)
    roundoff = D.roundoff(float(np.linalg.norm(_evaluation_scale(G, x)))) / nrm
    gap1, err1 = float(np.linalg.norm(D.value - gram)) / nrm, D.truncation() / nrm + roundoff
    floor = max(CLOSED_FORM_BUDGET, 100 * cond * EPS)
    gR = R.grad(w)
    gap2 = float(np.linalg.norm(gR - mu)) / max(1.0, float(np.linalg.norm(mu)))
    H, Hinv = R.hess(w), np.linalg.inv(gram)
    gap3 = float(np.linalg.norm(H - Hinv)) / max(float(np.linalg.norm(Hinv)), 1e-300)
    parts = {"∂∇Q = ∂G∂Gᵀ": (gap1, budget_from_error(err1, floor)), "∇R(w) = μ": (gap2, floor),
             "∇²R = (∂G∂Gᵀ)⁻¹": (gap3, floor)}
    name, (gap, budget) = max(parts.items(), key=lambda kv: kv[1][0] / kv[1][1])
    return Outcome(gap, budget, err1 if name.startswith("∂∇Q") else cond * EPS,
                   f"Lemma 4.7 identity {name} (worst of three, relative)",
                   details={k: {"gap": g, "budget": b} for k, (g, b) in parts.items()} | {"cond": cond, "R": R.name})
