r"""The lecture notes' flows integrated where the other checks use their characterizations.

* :func:`small_alpha_flow_gap` -- the Main Theorem at small initialization, on the gradient flow itself: the
  squared parametrization's flow from :math:`y(0) = \alpha\mathbf 1` is integrated in its dual variable (an
  n-dimensional ODE, whatever d and α), for α down to 5e-4, and its limit compared with the KL projection of
  :math:`\alpha^2\mathbf 1` and with the nonnegative basis-pursuit solution.
* :func:`soudry_offset_gap` -- Soudry et al.'s rate: :math:`a(t) - \hat w\log t` converges on the span of the
  support vectors to the point :math:`\tilde w` with :math:`z_i^\top\tilde w = -\ln\alpha_i`, so
  :math:`\|a(t)\|/\log t \to 1/\gamma^\star` and the angle to the max-margin direction is :math:`O(1/\log t)`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import xlogy

from oracles.convex.bregman import bregman_projection
from oracles.convex.references import basis_pursuit, max_margin, min_l2_interpolant
from oracles.core.errors import Inconclusive, InvalidInput, as_matrix, as_vector
from oracles.core.ode import TWO_TOLERANCES, Integrator
from oracles.core.outcome import CLOSED_FORM_BUDGET, EPS, Outcome, Panel, budget_from_error, worst
from oracles.model.potentials import EntropyPotential

#: Sample times of the dual flow: 2^-4 ... 2^22 (the first one whose Newton step is below SETTLED ends the run).
FLOW_TIMES = 2.0 ** np.arange(-4, 23)
#: A flow counts as settled at the first sample where one Newton step toward its limit moves x by less than this
#: (relative): the remaining distance is then that step to first order.
SETTLED = 1e-12


def _dual_flow(A: np.ndarray, b: np.ndarray, log_x0: np.ndarray, integ: Integrator) -> tuple[np.ndarray, np.ndarray]:
    r"""The flow :math:`\dot\mu = -4(Ax(\mu) - b)`, :math:`x(\mu) = \exp(\ln x_0 + A^\top\mu)`, μ(0) = 0, at
    :data:`FLOW_TIMES`; returns the times and the states x (one per row)."""

    def rhs(t, mu):
        return -4.0 * (A @ np.exp(log_x0 + A.T @ mu) - b)

    def jac(t, mu):
        x = np.exp(log_x0 + A.T @ mu)
        return -4.0 * (A * x) @ A.T

    sol = integ.solve(rhs, (0.0, float(FLOW_TIMES[-1])), np.zeros(A.shape[0]), t_eval=FLOW_TIMES, jac=jac, watch=0)
    X = np.exp(log_x0[None, :] + sol.y.T @ A)
    return sol.t, X


def _newton_step(A: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    r"""One Newton step of the dual toward :math:`\{Ax = b\}` from x: :math:`\delta x = D_xA^\top(AD_xA^\top)^{-1}(b - Ax)`."""
    H = (A * x) @ A.T
    try:
        lam = np.linalg.solve(H, b - A @ x)
    except np.linalg.LinAlgError:
        return np.full_like(x, np.inf)
    return x * (A.T @ lam)


def squared_flow_limit(A: ArrayLike, b: ArrayLike, alpha: float) -> tuple[np.ndarray, float, dict]:
    r"""The limit of :math:`x = y\odot y` under GF on :math:`\tfrac12\|A(y\odot y) - b\|^2` from :math:`y(0) = \alpha\mathbf 1`.

    With :math:`\dot x = -4D_xA^\top(Ax - b)` (the notes' "Back to Reparameterization"), :math:`\ln x(t) - \ln x(0)
    \in \mathrm{range}(A^\top)`: :math:`x(t) = \alpha^2\exp(A^\top\mu(t))` with :math:`\dot\mu = -4(Ax - b)`, μ(0) = 0 --
    an n-dimensional, exactly equivalent ODE (integrated by LSODA with its Jacobian :math:`-4AD_xA^\top`; its size and
    stiffness do not grow as α shrinks, only the time to reach the data, about :math:`\ln\alpha^{-2}/(4\|A^\top b\|)`).
    The run is read at the first of :data:`FLOW_TIMES` where one dual Newton step moves x by less than
    :data:`SETTLED` relative, at rtol 1e-11 and 1e-8.

    Returns
    -------
    x, error, details
        The fine solve's x at that time; the error estimate: the two solves' difference plus the Newton step (the
        remaining distance to the limit, to first order), in 2-norm; the time and the two parts.

    Raises
    ------
    Inconclusive
        ``"flow not settled"`` when no sample by :math:`t = 2^{22}` qualifies (or the solver's own reasons).
    """
    A = as_matrix(A, "A")
    b = as_vector(b, "b", A.shape[0])
    if not alpha > 0:
        raise InvalidInput(f"alpha must be positive, got {alpha}")
    log_x0 = np.full(A.shape[1], 2.0 * math.log(alpha))
    fine, coarse = TWO_TOLERANCES.fine.at(method="LSODA"), TWO_TOLERANCES.coarse.at(method="LSODA")
    t, Xf = _dual_flow(A, b, log_x0, fine)
    steps = [float(np.linalg.norm(_newton_step(A, b, x))) / float(np.linalg.norm(x)) for x in Xf]
    ok = [k for k, s in enumerate(steps) if s <= SETTLED]
    if not ok:
        raise Inconclusive(
            "flow not settled", f"Newton step {min(steps):.3g} > {SETTLED:g} (relative) by t = {t[-1]:g}"
        )
    k = ok[0]
    _, Xc = _dual_flow(A, b, log_x0, coarse)
    x = Xf[k]
    change = float(np.linalg.norm(x - Xc[k]))
    step = steps[k] * float(np.linalg.norm(x))
    return x, change + step, {"T": float(t[k]), "tolerance_change": change, "newton_step": step}


def small_alpha_flow_gap(
    A: ArrayLike, b: ArrayLike, alphas: ArrayLike, *, start: str = "alpha^2", target: str = "l1"
) -> Outcome:
    r"""notes, Main Theorem, on the flow: with :math:`y(0) = \alpha\mathbf 1`, the limit :math:`x^*(\alpha)` of :math:`y\odot y`
    is the KL projection of :math:`\alpha^2\mathbf 1` onto :math:`\{Ax = b\}`, and tends to
    :math:`x_T = \arg\min\{\|x\|_1 : Ax = b, x \ge 0\}`.

    For each α of the decreasing sequence ``alphas`` (all below :math:`e^{-1/2}`) the flow's limit
    (:func:`squared_flow_limit`) is compared with

    * the KL projection of :math:`x_0\mathbf 1` (:func:`oracles.convex.bregman.bregman_projection`, certified error),
      :math:`x_0 = \alpha^2` (``start="alpha"`` plants the notes' literal :math:`D_\phi(x, \alpha\mathbf 1)`, P7);
    * the target: with :math:`g_\alpha = \|x^*(\alpha)\|_1/\|x_T\|_1 - 1`, :math:`H(x) = \sum x\ln x` and
      :math:`c_\alpha = \ln\alpha^{-2} - 1`, :math:`0 \le g_\alpha \le (H(x_T) - H(x^*(\alpha)))/(c_\alpha\|x_T\|_1)` and
      :math:`g_\alpha` nonincreasing (see :func:`oracles.checks.limits.small_init_l1_gap`; here on the flow's
      limits). ``target="l2"`` plants the min-ℓ2 interpolant.

    The data must admit a strictly positive interpolant (else the flow's limit lies on a face, approached like
    1/t, and the dual variable diverges): the flow then settles; otherwise the example is inconclusive.
    Discrepancy: the largest of the relative projection gaps :math:`\|x^*(\alpha) - x_{KL}\|/\|x_{KL}\|` and the
    violations of the target inequalities. Budget: ten times the flows' errors (two tolerances + remaining
    Newton step) plus the projections' certified errors, the LP's and the entropy evaluation's, at least 1e-9.
    """
    A = as_matrix(A, "A")
    b = as_vector(b, "b", A.shape[0])
    alphas = np.asarray(alphas, float)
    if np.any(np.diff(alphas) >= 0) or alphas[0] >= math.exp(-0.5) or alphas[-1] <= 0:
        raise InvalidInput("alphas must be decreasing, positive and below exp(-1/2) (so that c_alpha > 0)")
    if start not in ("alpha^2", "alpha"):
        raise InvalidInput(f"start must be 'alpha^2' or 'alpha', got {start!r}")
    d = A.shape[1]
    if target == "l1":
        ref = basis_pursuit(A, b, nonneg=True, uniqueness=False)
    elif target == "l2":
        ref = min_l2_interpolant(A, b)
    else:
        raise InvalidInput(f"target must be 'l1' or 'l2', got {target!r}")
    xT = ref.x
    nT = float(np.sum(np.abs(xT)))
    if not nT > 1e-12 * max(1.0, float(np.linalg.norm(b))):
        raise Inconclusive("trivial target", "the target solution is 0 (b = 0): no relative gap")
    HT = float(np.sum(xlogy(np.abs(xT), np.abs(xT))))
    gaps: list[float] | np.ndarray
    bounds: list[float] | np.ndarray
    proj_gaps, proj_errs, gaps, bounds, errs, dists, times = [], [], [], [], [], [], []
    for a in alphas:
        x, xerr, info = squared_flow_limit(A, b, float(a))
        x0 = a * a if start == "alpha^2" else a
        proj = bregman_projection(EntropyPotential(np.full(d, x0), 0.25), A, b, np.full(d, x0)).require(1e-9)
        pn = float(np.linalg.norm(proj.w))
        proj_gaps.append(float(np.linalg.norm(x - proj.w)) / pn)
        proj_errs.append((xerr + proj.error * pn) / pn)
        n1 = float(np.sum(x))
        c = math.log(1.0 / (a * a)) - 1.0
        gaps.append((n1 - nT) / nT)
        bounds.append((HT - float(np.sum(xlogy(x, x)))) / (c * nT))
        dx = xerr * math.sqrt(d)
        dH = float(np.max(np.abs(np.log(x) + 1.0))) * dx
        errs.append((dx + ref.error * nT + dH / c) / nT + 100 * EPS * (1.0 + abs(HT) / (c * nT)))
        dists.append(float(np.sum(np.abs(x - xT))) / nT)
        times.append(info["T"])
    gaps, bounds = np.array(gaps), np.array(bounds)
    v_target = max(
        0.0, float(np.max(-gaps)), float(np.max(gaps - bounds)), float(np.max(np.diff(gaps))) if gaps.size > 1 else 0.0
    )
    e_target = float(max(errs))
    e_proj = float(max(proj_errs))
    details = {
        "alphas": alphas.tolist(),
        "projection_gaps": proj_gaps,
        "l1_gaps": gaps.tolist(),
        "bounds": bounds.tolist(),
        "l1_distance_to_target": dists,
        "settle_times": times,
        "target_kkt": ref.kkt,
    }
    o = worst(
        Outcome(
            float(max(proj_gaps)),
            budget_from_error(e_proj, CLOSED_FORM_BUDGET),
            e_proj,
            f"flow limit vs the KL projection of x0 = {start} (relative)",
            details=dict(details),
        ),
        Outcome(
            v_target,
            budget_from_error(e_target, CLOSED_FORM_BUDGET),
            e_target,
            f"largest violation of 0 <= gap <= bound and of monotonicity (flow limits; target: {target})",
            details=dict(details),
        ),
    )
    al = np.log10(alphas).tolist()

    def panels():
        return [
            Panel(
                "notes, Main Theorem on the gradient flow: its limit x*(α) against the ℓ1 target",
                "log10 α",
                "relative",
                {
                    "ℓ1 gap ‖x*(α)‖₁/‖x_T‖₁ − 1": (al, np.abs(gaps).tolist()),
                    "bound (H(x_T) − H(x*))/(c_α‖x_T‖₁)": (al, np.abs(bounds).tolist()),
                    "‖x*(α) − x_T‖₁/‖x_T‖₁": (al, dists),
                    "‖x*(α) − KL projection‖/‖·‖": (al, np.maximum(proj_gaps, 1e-300).tolist()),
                },
                logy=True,
            )
        ]

    o.plot = panels
    return o


#: The offset's flow in s = ln(1 + t) runs to s_end = max(S_MIN, SETTLE_RATES / rate), at most S_CAP
#: (t = e^20000): past that the example converges too slowly to decide.
S_MIN, SETTLE_RATES, S_CAP = 60.0, 40.0, 20000.0
#: Points within this of the margin (relative) count as support vectors.
ACTIVE = 1e-9


def _support_system(mm, Zc: np.ndarray) -> tuple[np.ndarray, float, float]:
    r"""The support vectors :math:`Z_S` (the points on the margin), the rate μ of the offset's flow on span(Z_S) and
    the non-support gap ρ.

    μ is the smallest positive eigenvalue of :math:`\sum_Slpha_iz_iz_i^	op` (F's Hessian at its minimum). Raises
    Inconclusive when a point is within 1e-3 of the margin without being on it (ρ tiny: a near-degenerate SVM), or
    a point on the margin has no dual weight (no strictly complementary α: then r diverges like log s, the notes'
    O(log log t)).
    """
    marg = Zc @ mm.w - 1.0
    S = np.flatnonzero(marg <= ACTIVE)
    others = np.flatnonzero(marg > ACTIVE)
    gap = float(np.min(marg[others])) if others.size else math.inf
    if not gap > 1e-3:
        raise Inconclusive("degenerate SVM", f"a point {gap:.3g} off the margin")
    aS = mm.alpha[S]
    if not float(np.min(aS)) > 1e-6 * float(np.max(aS)):
        raise Inconclusive(
            "degenerate SVM", "a point on the margin with zero dual weight (a log log t term: the offset diverges)"
        )
    M = Zc[S].T @ (aS[:, None] * Zc[S])
    ev = np.linalg.eigvalsh(M)
    mu = float(np.min(ev[ev > 1e-12 * float(np.max(ev))]))
    return Zc[S], mu, gap


def soudry_offset_gap(X: ArrayLike, y: ArrayLike, a0: ArrayLike, *, growth: str = "svm") -> Outcome:
    r"""Soudry et al. (notes, Further Results): gradient flow on :math:`\sum_i e^{-z_i^\top a}` (:math:`z_i = y_ix_i`) grows like
    :math:`\hat w\log t`, :math:`\hat w` the hard-margin SVM (:math:`\min_iz_i^\top\hat w = 1`, :math:`\|\hat w\| = 1/\gamma^\star`),
    and the offset :math:`r(t) = a(t) - \hat w\log t` converges to a minimizer of
    :math:`F(r) = \sum_{i\in S}e^{-z_i^\top r} + \hat w^\top r` (S: the support vectors); with independent support
    vectors, :math:`z_i^\top r_\infty = -\ln\alpha_i`, :math:`\hat w = \sum\alpha_iz_i`.

    Why: with :math:`s = \ln(1 + t)` and :math:`a = \hat ws + r`, :math:`dr/ds = -\nabla F(r) + \sum_{i\notin S}e^{-s(z_i^\top\hat w - 1)}
    e^{-z_i^\top r}z_i`: on span(Z_S) the gradient flow of the convex F plus terms decaying like :math:`e^{-\rho s}`, ρ the
    smallest non-support margin gap; it converges at the rate :math:`\min(\mu, \rho)`, μ the smallest positive
    eigenvalue of :math:`\sum_S\alpha_iz_iz_i^\top` (F's Hessian at its minimum). Hence :math:`\|a(t)\|/\log t \to
    1/\gamma^\star` and :math:`\angle(a(t), \hat w)\log t \to \|P_{\hat w^\perp}r_\infty\|\gamma^\star`: the angle is
    :math:`\Theta(1/\log t)`, not only the :math:`O(1/\sqrt{\log t})` of the finite-time bounds.

    Checked: r is integrated in s (LSODA with its Jacobian, two tolerances) to
    :math:`s_{end} = \max(60, 40/\min(\mu, \rho))` (at most 20000, else inconclusive). Discrepancy: the
    stationarity residual :math:`\|\hat w - \sum_Se^{-z_i^\top r_v}z_i\|/\|\hat w\|` of the offset
    :math:`r_v = a(t) - v\log t` of the claimed growth v (:math:`v = \hat w`; ``growth="unit"`` plants the notes'
    literal :math:`a(t) \sim a^\star\log t`, :math:`v = a^\star = \hat w/\|\hat w\|`). Error: the flow's remaining
    distance to its limit, from the measured change of r over :math:`[s_{end}/2, s_{end}]` and the known rate
    (:math:`\|r(s_{end}) - r_\infty\| \le \|r(s_{end}) - r(s_{end}/2)\|q/(1 - q)`, :math:`q = e^{-\min(\mu,\rho)s_{end}/2}`),
    times the Hessian's norm, plus the two solves' difference, the SVM's KKT residual and rounding; an
    error above 1e-6 makes the example inconclusive ("offset not settled").
    """
    X = as_matrix(X, "X")
    y = as_vector(y, "y", X.shape[0])
    a0 = as_vector(a0, "a0", X.shape[1])
    if growth not in ("svm", "unit"):
        raise InvalidInput(f"growth must be 'svm' or 'unit', got {growth!r}")
    mm = max_margin(X, y)
    if mm.kkt > 1e-9:
        raise Inconclusive("SVM not solved", f"KKT residual {mm.kkt:.3g}")
    Zc = y[:, None] * X
    ZS, mu, gap = _support_system(mm, Zc)
    rate = min(mu, gap)
    s_end = max(S_MIN, SETTLE_RATES / rate)
    if s_end > S_CAP:
        raise Inconclusive("convergence too slow", f"rate {rate:.3g} in ln t: would need s = {s_end:.3g}")
    w = mm.w
    wn = float(np.linalg.norm(w))
    v = w if growth == "svm" else mm.direction
    ss = np.linspace(0.0, s_end, 65)  # s_end / 2 is the sample 32

    def rhs(s, r):
        return Zc.T @ np.exp(s * (1.0 - Zc @ w) - Zc @ r) - w

    def jac(s, r):
        e = np.exp(s * (1.0 - Zc @ w) - Zc @ r)
        return -(Zc.T @ (e[:, None] * Zc))

    def residual(r):
        return (
            float(np.linalg.norm(w - ZS.T @ np.exp(np.minimum(-(ZS @ r), 300.0)))) / wn
        )  # finite for a planted growth

    runs = []
    for integ in (TWO_TOLERANCES.fine, TWO_TOLERANCES.coarse):
        sol = integ.at(method="LSODA", atol=integ.rtol * 1e-3).solve(rhs, (0.0, s_end), a0, t_eval=ss, jac=jac, watch=0)
        runs.append(sol.y.T)  # the offset r = a - ŵ s of the true growth
    Rf, Rc = runs
    q = math.exp(-rate * s_end / 2.0)
    tail = float(np.linalg.norm(Rf[-1] - Rf[32])) * q / (1.0 - q)
    e_end = np.exp(-(ZS @ Rf[-1]))
    hess = float(np.linalg.norm(ZS.T @ (e_end[:, None] * ZS), 2))
    if not hess * tail / wn <= 1e-6:
        raise Inconclusive("offset not settled", f"remaining distance {tail:.3g} at s = {s_end:.4g}")
    shift = (w - v) * s_end  # r_v = r + (ŵ − v) s
    disc = residual(Rf[-1] + shift)
    err = (
        hess * tail / wn
        + abs(residual(Rf[-1]) - residual(Rc[-1]))
        + hess * float(np.linalg.norm(Rf[-1] - Rc[-1])) / wn
        + 10.0 * mm.kkt
        + 1e3 * EPS * (1.0 + float(np.max(np.abs(ZS @ Rf[-1]))))
    )
    A_traj = Rf + np.outer(ss, w)
    nrm = np.linalg.norm(A_traj, axis=1)
    u = mm.direction
    ang = np.arctan2(np.linalg.norm(A_traj - np.outer(A_traj @ u, u), axis=1), A_traj @ u)
    r_end = Rf[-1]
    r_perp = r_end - (r_end @ u) * u
    independent = np.linalg.matrix_rank(ZS) == ZS.shape[0]
    details = {
        "margin": mm.margin,
        "support": int(ZS.shape[0]),
        "rate_mu": mu,
        "nonsupport_gap": gap,
        "s_end": s_end,
        "tail": tail,
        "norm_over_log_t": float(nrm[-1] / ss[-1]),
        "one_over_margin": 1.0 / mm.margin,
        "angle_times_log_t": float(ang[-1] * ss[-1]),
        "predicted_angle_times_log_t": float(np.linalg.norm(r_perp) * mm.margin),
        "offset_vs_log_alpha": (
            float(np.max(np.abs(Zc[mm.alpha > 0] @ r_end + np.log(mm.alpha[mm.alpha > 0])))) if independent else None
        ),
    }
    late = ss > 0
    sl = ss[late].tolist()

    def panels():
        return [
            Panel(
                "Soudry et al.: a(t) against the growth ŵ log t",
                "ln t",
                "",
                {
                    "‖a(t)‖ / ln t": (sl, (nrm[late] / ss[late]).tolist()),
                    "1/γ*": (sl, [1.0 / mm.margin] * len(sl)),
                    "angle(a(t), ŵ) · ln t": (sl, (ang[late] * ss[late]).tolist()),
                },
            )
        ]

    return Outcome(
        disc,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        f"stationarity residual of the offset a - v ln t (v: the {growth} growth), relative to |w|",
        details=details,
        plot=panels,
    )


__all__ = ["FLOW_TIMES", "SETTLED", "small_alpha_flow_gap", "soudry_offset_gap", "squared_flow_limit"]
