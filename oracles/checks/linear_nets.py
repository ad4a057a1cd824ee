r"""Two-layer linear networks (tarmoun2021, min2021): the comparisons statements call.

The dynamics, closed forms and constants (gradient flow of (U, V), imbalance, the scalar and spectral closed
forms, the rate constant of min2021, the min-norm solution) and their derivations are in
:mod:`oracles.flows.linear_nets`; each function here returns an :class:`~oracles.core.outcome.Outcome`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import Inconclusive, InvalidInput, as_matrix
from oracles.core.ode import TWO_TOLERANCES
from oracles.core.outcome import CLOSED_FORM_BUDGET, EPS, UNRESOLVED, Outcome, Panel, budget_from_error, roundoff_floor
from oracles.flows import trajectories
from oracles.flows.linear_nets import (
    RTOL_COARSE,
    RTOL_FINE,
    RateConstant,
    _check_scalars,
    _converge,
    check_problem,
    flow_field,
    gradient_flow,
    imbalance,
    min_norm_solution,
    orthogonality_defect,
    random_init,
    rate_constant,
    row_space_split,
    scalar_closed_form,
    scalar_log_k,
    scalar_rate,
    spectral_init,
    spectral_solution,
    two_tolerance_flows,
)
from oracles.model.losses import LeastSquares, Schedule
from oracles.model.parametrizations import Identity


def conservation_gap(
    U0: ArrayLike,
    V0: ArrayLike,
    Y: ArrayLike,
    X: ArrayLike | None = None,
    *,
    t_max: float,
    quantity: Callable[[np.ndarray, np.ndarray], np.ndarray] = imbalance,
    n_times: int = 17,
) -> Outcome:
    r"""Drift of ``quantity(U, V)`` (default :math:`U^\top U - V^\top V`) along gradient flow.

    Discrepancy: :math:`\max_j \|Q(t_j) - Q(0)\|_F / S`, :math:`S = \max_j(\|U(t_j)\|_F^2 + \|V(t_j)\|_F^2)`,
    on ``n_times`` equispaced times in :math:`[0, t_{max}]`, from the fine solve. Error: the same
    maximum of :math:`\|Q_{fine}(t_j) - Q_{coarse}(t_j)\|_F / S`; budget ``budget_from_error``
    with the float64 floor of forming :math:`U^\top U` (``roundoff_floor(m + n + k)``).
    """
    P = check_problem(U0, V0, Y, X)
    if not (np.isfinite(t_max) and t_max > 0):
        raise InvalidInput(f"t_max must be positive and finite, got {t_max}")
    t = np.linspace(0.0, float(t_max), n_times)
    fine, coarse = two_tolerance_flows(P.U0, P.V0, P.Y, P.X, t_eval=t)
    Qf = np.array([quantity(U, V) for U, V in zip(fine.U, fine.V)])
    Qc = np.array([quantity(U, V) for U, V in zip(coarse.U, coarse.V)])
    scale = float(np.max(np.sum(fine.U**2, axis=(1, 2)) + np.sum(fine.V**2, axis=(1, 2))))
    scale = max(scale, 1e-300)
    drift = float(np.max(np.linalg.norm(Qf - Qf[0], axis=(1, 2)))) / scale
    err = float(np.max(np.linalg.norm(Qf - Qc, axis=(1, 2)))) / scale
    floor = max(CLOSED_FORM_BUDGET, roundoff_floor(P.m + P.n + P.k))
    name = getattr(quantity, "__name__", "Q")
    drifts = np.linalg.norm(Qf - Qf[0], axis=(1, 2)) / scale
    errs = np.linalg.norm(Qf - Qc, axis=(1, 2)) / scale

    def plot():
        return [
            Panel(
                f"drift of {name}(U, V) along gradient flow",
                "t",
                "‖Q(t) − Q(0)‖_F / scale",
                {
                    "drift": (t.tolist(), np.maximum(drifts, 1e-300).tolist()),
                    "fine − coarse": (t.tolist(), np.maximum(errs, 1e-300).tolist()),
                },
                logy=True,
            )
        ]

    return Outcome(
        drift,
        budget_from_error(err, floor),
        err,
        f"max_t ‖Q(t) − Q(0)‖_F / max_t(‖U‖²+‖V‖²) for Q = {name}",
        details={"t_max": float(t_max), "scale": scale, "nfev": fine.nfev + coarse.nfev, "regression": X is not None},
        plot=plot,
    )


def _scalar_grid(u0, v0, y, tau, n_times, rate):
    lam0, x0 = u0 * u0 - v0 * v0, u0 * v0
    r = float(rate(lam0, y))
    if not (np.isfinite(tau) and tau > 0):
        raise InvalidInput(f"tau (the horizon in units of 1/rate) must be positive, got {tau}")
    if not (np.isfinite(r) and r > 0):
        raise Inconclusive("zero rate", "λ0 = y = 0: no exponential convergence")
    return lam0, x0, r, np.linspace(0.0, tau / r, n_times)


def scalar_closed_form_gap(
    u0: float, v0: float, y: float, tau: float, *, closed_form: Callable = scalar_closed_form, n_times: int = 33
) -> Outcome:
    r"""The closed form against the integrated scalar flow :math:`\dot u = (y-uv)v`, :math:`\dot v = (y-uv)u`.

    Times :math:`t_j` equispaced in :math:`[0, \tau/r]`. Discrepancy:
    :math:`\max_j |x_{ode}(t_j) - x_{cf}(t_j)| / |x_{cf}(t_j) - y|` -- relative to the distance to the
    target, so the exponential tail is tested too. Error: the same with the coarse solve in place of
    the closed form (fine vs coarse, per point); floor: :math:`10^2\epsilon(|x|+|y|)/|x - y|` per point. Points
    where the floor or the error reaches ``UNRESOLVED`` (|x − y| down to float64 or integration noise, where
    the relative gap is noise) are left out; when every point is, the example is inconclusive.
    """
    u0, v0, y, tau = _check_scalars(u0=u0, v0=v0, y=y, tau=tau)
    lam0, x0, r, t = _scalar_grid(u0, v0, y, tau, n_times, lambda lam, yy: scalar_rate(lam, yy))
    U0, V0, Y = np.array([[u0]]), np.array([[v0]]), np.array([[y]])
    fine, coarse = two_tolerance_flows(U0, V0, Y, t_eval=t)
    xf, xc = fine.W[:, 0, 0], coarse.W[:, 0, 0]
    xcf = np.asarray(closed_form(x0, lam0, y, t), dtype=float)
    dev = np.maximum(np.abs(xcf - y), 1e-300)
    floors = 100 * EPS * (np.abs(xcf) + abs(y) + abs(lam0)) / dev
    errs = np.abs(xf - xc) / dev
    # where |x − y| is down to float64 or integration noise the relative gap is noise too (a budget of 1e286
    # held anything): compare only where the distance to the target is resolved
    resolved = (floors < UNRESOLVED) & (errs < UNRESOLVED)
    if not resolved.any():
        raise Inconclusive(
            "unresolved: error ≥ scale", "|x_closed(t) − y| is below the integration's noise at every sample"
        )
    disc = float(np.max(np.abs(xf - xcf)[resolved] / dev[resolved]))
    err = float(np.max(errs[resolved]))
    floor = float(np.max(floors[resolved]))

    def plot():
        return [
            Panel(
                "scalar flow: distance to the target",
                "t",
                "|x(t) − y|",
                {
                    "integrated": (t.tolist(), np.maximum(np.abs(xf - y), 1e-300).tolist()),
                    "closed form": (t.tolist(), np.maximum(np.abs(xcf - y), 1e-300).tolist()),
                },
                logy=True,
            )
        ]

    return Outcome(
        disc,
        budget_from_error(err, max(CLOSED_FORM_BUDGET, floor)),
        err,
        "max_t |x_ode − x_closed| / |x_closed − y|",
        details={"lambda0": lam0, "x0": x0, "rate": r, "t_max": float(t[-1]), "nfev": fine.nfev + coarse.nfev},
        plot=plot,
    )


def scalar_rate_gap(
    u0: float, v0: float, y: float, tau: float, *, rate: Callable = scalar_rate, n_times: int = 33
) -> Outcome:
    r"""The rate: :math:`\ln K(x(t)) - \ln K(x_0) - \rho t` along the integrated flow, for the claimed rate ρ.

    With the true :math:`\rho = r = \sqrt{\lambda_0^2 + 4y^2}` this vanishes identically (module
    docstring), and :math:`|x(t) - y| = N(x(t))e^{-rt}/|K(x_0)|` with :math:`N \to 2r^2`: the
    statement "x converges to y at rate r" in exact, finite-time form. Discrepancy:
    :math:`\max_j |\ln K(x_{ode}(t_j)) - \ln K(x_0) - \rho t_j|` (a log, dimensionless), times up to
    :math:`\tau/\rho`. Error: the same expression between the fine and coarse solves; floor
    :math:`10^2\epsilon(1 + (|x|+|y|)/|x-y|)` (the conditioning of :math:`\ln|y - x|`).

    A balanced start with :math:`u_0v_0y \le 0` (P12: the claim needs :math:`u_0v_0` of the sign of y) is decided, not
    left inconclusive: x = 0 is an equilibrium, so :math:`x(t)y \le 0` and :math:`|x(t) - y| \ge |y|` for all t; the
    discrepancy is then :math:`\min_j|x(t_j) - y|/|y| \ge 1` (x never approaches y), error the two solves' change.
    """
    u0, v0, y, tau = _check_scalars(u0=u0, v0=v0, y=y, tau=tau)
    lam0, x0, rho, t = _scalar_grid(u0, v0, y, tau, n_times, rate)
    U0, V0, Y = np.array([[u0]]), np.array([[v0]]), np.array([[y]])
    fine, coarse = two_tolerance_flows(U0, V0, Y, t_eval=t)
    xf, xc = fine.W[:, 0, 0], coarse.W[:, 0, 0]
    if lam0 == 0.0 and x0 * y <= 0:
        # P12: balanced, u0v0 of the wrong sign. ẋ = (y − x)·2|x| has the equilibrium x = 0, so x(t)·y <= 0 for all t
        # and |x(t) − y| >= |y|: x never reaches y (ln K = −∞). The witness: the distance to y, relative, never below 1.
        dist = np.abs(xf - y) / abs(y)
        disc = float(np.min(dist))
        err = float(np.max(np.abs(xf - xc))) / abs(y)
        return Outcome(
            disc,
            budget_from_error(err, CLOSED_FORM_BUDGET),
            err,
            "min_t |x(t) − y|/|y| for a start that cannot reach y (λ0 = 0, x0·y <= 0: x·y <= 0 is invariant)",
            details={
                "lambda0": lam0,
                "x0": x0,
                "claimed_rate": rho,
                "final_x": float(xf[-1]),
                "t_max": float(t[-1]),
                "nfev": fine.nfev + coarse.nfev,
            },
        )
    lk0 = float(scalar_log_k(np.array([x0]), lam0, y)[0])
    lkf = scalar_log_k(xf, lam0, y)
    lkc = scalar_log_k(xc, lam0, y)
    disc = float(np.max(np.abs(lkf - lk0 - rho * t)))
    err = float(np.max(np.abs(lkf - lkc)))
    floor = float(np.max(100 * EPS * (1.0 + (np.abs(xf) + abs(y)) / np.abs(xf - y))))

    def plot():
        return [
            Panel(
                "ln K(x(t)) − ln K(x0) against the claimed ρ t",
                "t",
                "log",
                {
                    "ln K(x(t)) − ln K(x0)": (t.tolist(), (lkf - lk0).tolist()),
                    "claimed ρ t": (t.tolist(), (rho * t).tolist()),
                },
            )
        ]

    return Outcome(
        disc,
        budget_from_error(err, max(CLOSED_FORM_BUDGET, floor)),
        err,
        "max_t |ln K(x(t)) − ln K(x0) − ρ t| for the claimed rate ρ",
        details={
            "lambda0": lam0,
            "x0": x0,
            "claimed_rate": rho,
            "true_rate": scalar_rate(lam0, y),
            "t_max": float(t[-1]),
            "nfev": fine.nfev + coarse.nfev,
        },
        plot=plot,
    )


def spectral_gap(
    Phi: ArrayLike,
    Psi: ArrayLike,
    Q: ArrayLike,
    sigma: ArrayLike,
    u: ArrayLike,
    v: ArrayLike,
    tau: float,
    *,
    ignore_imbalance: bool = False,
    n_times: int = 17,
) -> Outcome:
    r"""Spectral initialization: the integrated :math:`U(t)V(t)^\top` against :math:`\Phi\Sigma(t)\Psi^\top`.

    Times equispaced in :math:`[0, \tau/r_{min}]`, :math:`r_{min} = \min_i\sqrt{\lambda_{0,i}^2 + 4\sigma_i^2}`.
    Discrepancy :math:`\max_j\|W_{ode}(t_j) - W_{cf}(t_j)\|_F / \max(\|Y\|_F, \|W_0\|_F)`; error the
    same between the fine and coarse solves; floor :data:`CLOSED_FORM_BUDGET` plus the roundoff of
    the products (``roundoff_floor(m n k)``).
    """
    inst = spectral_init(Phi, Psi, Q, sigma, u, v)
    tau = _check_scalars(tau=tau)[0]
    if tau <= 0:
        raise InvalidInput(f"tau must be positive, got {tau}")
    rates = [scalar_rate(inst.u[i] ** 2 - inst.v[i] ** 2, inst.sigma[i]) for i in range(inst.pairs)]
    r_min = min(rates) if rates else 1.0
    if r_min <= 0:
        raise Inconclusive("zero rate", "a pair with λ0 = σ = 0")
    t = np.linspace(0.0, tau / r_min, n_times)
    Y, U0, V0 = inst.Y, inst.U0, inst.V0
    fine, coarse = two_tolerance_flows(U0, V0, Y, t_eval=t)
    Wcf = spectral_solution(inst, t, ignore_imbalance=ignore_imbalance)
    scale = max(float(np.linalg.norm(Y)), float(np.linalg.norm(U0 @ V0.T)), 1e-300)
    disc = float(np.max(np.linalg.norm(fine.W - Wcf, axis=(1, 2)))) / scale
    err = float(np.max(np.linalg.norm(fine.W - coarse.W, axis=(1, 2)))) / scale
    m, n, k = Y.shape[0], Y.shape[1], inst.Q.shape[0]
    floor = max(CLOSED_FORM_BUDGET, roundoff_floor(m * n * k))

    def plot():
        inner = inst.Phi.T @ fine.W @ inst.Psi  # Σ(t) in the singular bases: off-diagonal ≈ 0
        series = {}
        for i in range(min(m, n)):
            series[f"σ_{i + 1} integrated"] = (t.tolist(), inner[:, i, i].tolist())
            series[f"σ_{i + 1} predicted (closed form)"] = (t.tolist(), (inst.Phi.T @ Wcf @ inst.Psi)[:, i, i].tolist())
        off = np.linalg.norm(inner - inner * np.eye(m, n), axis=(1, 2))
        return [
            Panel("singular values of U Vᵀ in the bases Φ, Ψ of Y", "t", "σ_i(t)", series),
            Panel(
                "off-diagonal part of Φᵀ U Vᵀ Ψ (rotation of the singular vectors)",
                "t",
                "norm",
                {"off-diagonal": (t.tolist(), np.maximum(off, 1e-300).tolist())},
                logy=True,
            ),
        ]

    return Outcome(
        disc,
        budget_from_error(err, floor),
        err,
        "max_t ‖U Vᵀ(t) − Φ Σ(t) Ψᵀ‖_F / max(‖Y‖_F, ‖U0 V0ᵀ‖_F)",
        details={
            "rates": rates,
            "t_max": float(t[-1]),
            "nfev": fine.nfev + coarse.nfev,
            "ignore_imbalance": ignore_imbalance,
        },
        plot=plot,
    )


def loss_rate_gap(
    U0: ArrayLike,
    V0: ArrayLike,
    Y: ArrayLike,
    X: ArrayLike | None = None,
    *,
    rate: Callable[[RateConstant], float] | None = None,
    tau: float = 6.0,
    t_cap: float = 8.0,
    n_times: int = 33,
) -> Outcome:
    r"""min2021's rate against the integrated loss: :math:`\ell_t - \ell^* \le (\ell_0 - \ell^*)e^{-\alpha t}`.

    ``rate(rc)`` gives the claimed α from the :class:`RateConstant` (default ``rc.alpha``). On
    ``n_times`` equispaced times in :math:`(0, T]`, :math:`T = \min(\tau/\alpha, t_{cap})`, with
    :math:`g_j = \ell(t_j) - \ell^*` (:math:`= \tfrac12\|X(W_j - W^*)\|^2` with X, so that no
    cancellation occurs) and :math:`b_j = g_0e^{-\alpha t_j}`:
    discrepancy :math:`\max_j (g_j - b_j)/b_j` (negative = slack), error
    :math:`\max_j|g_j^{fine} - g_j^{coarse}|/b_j`, floor the roundoff of forming :math:`g_j`
    (:math:`10^2\epsilon\|\cdot\|\sqrt{2g_j}/b_j`).
    """
    P = check_problem(U0, V0, Y, X)
    rc = rate_constant(P.U0, P.V0, P.Y, P.X)
    alpha = float(rc.alpha if rate is None else rate(rc))
    if not (np.isfinite(alpha) and alpha >= 0):
        raise InvalidInput(f"the claimed rate must be finite and >= 0, got {alpha}")
    T = min(tau / alpha, t_cap) if alpha > 0 else t_cap
    t = np.linspace(0.0, T, n_times)
    fine, coarse = two_tolerance_flows(P.U0, P.V0, P.Y, P.X, t_eval=t)
    if P.X is None:
        ref, resid_scale = P.Y, float(np.linalg.norm(P.Y))

        def excess(W):
            E = P.Y - W
            return 0.5 * np.sum(E * E, axis=(1, 2))
    else:
        ref = min_norm_solution(P.X, P.Y)
        resid_scale = float(np.linalg.norm(P.X, 2) * np.linalg.norm(ref))

        def excess(W):
            E = P.X @ (W - ref)
            return 0.5 * np.sum(E * E, axis=(1, 2))

    gf, gc = excess(fine.W), excess(coarse.W)
    g0 = float(gf[0])
    if g0 <= 1e-24 * max(1.0, resid_scale**2):
        raise Inconclusive("starts at the minimum", f"ℓ0 − ℓ* = {g0:.3g}")
    b = g0 * np.exp(-alpha * t[1:])
    disc = float(np.max((gf[1:] - b) / b))
    err = float(np.max(np.abs(gf[1:] - gc[1:]) / b))
    floor = float(
        np.max(
            100
            * EPS
            * max(P.m * P.n * P.k, 1)
            * (resid_scale + float(np.max(np.linalg.norm(fine.W, axis=(1, 2)))))
            * np.sqrt(2 * np.maximum(gf[1:], 0))
            / b
        )
    )

    def plot():
        return [
            Panel(
                "excess loss against the bound",
                "t",
                "ℓ_t − ℓ*",
                {
                    "integrated": (t.tolist(), np.maximum(gf, 1e-300).tolist()),
                    f"bound (ℓ0 − ℓ*)e^(−{alpha:.3g} t)": (t.tolist(), (g0 * np.exp(-alpha * t)).tolist()),
                },
                logy=True,
            )
        ]

    return Outcome(
        disc,
        budget_from_error(err, max(CLOSED_FORM_BUDGET, floor)),
        err,
        "max_t (ℓ_t − ℓ* − (ℓ0 − ℓ*)e^{−αt}) / ((ℓ0 − ℓ*)e^{−αt})",
        details={
            "alpha": alpha,
            "alpha_theorem": rc.alpha,
            "beta_u": rc.beta_u,
            "beta_v": rc.beta_v,
            "margin": rc.margin,
            "margin_u": rc.margin_u,
            "margin_v": rc.margin_v,
            "lam_min_x": rc.lam_min_x,
            "lam_max_x": rc.lam_max_x,
            "T": T,
            "nfev": fine.nfev + coarse.nfev,
        },
        plot=plot,
    )


def min_norm_gap(
    U0: ArrayLike, V0: ArrayLike, Y: ArrayLike, X: ArrayLike, *, conv_rel: float = 1e-14, t_cap: float = 400.0
) -> Outcome:
    r"""min2021 orthogonal initialization: once the loss has converged, :math:`UV^\top` is the min-norm solution.

    Writing :math:`W - \Theta^* = \Phi_1\Phi_1^\top(W - \Theta^*) + \Phi_2\Phi_2^\top W`, the first part
    is at most :math:`c(t) = \sqrt{2(\ell_t-\ell^*)/\lambda^+_{min}(\Sigma_x)}` (not yet converged), so
    "convergence ⇒ :math:`UV^\top \to \Theta^*`" is decided at the finite time T where
    :math:`\ell_T - \ell^* \le` ``conv_rel`` :math:`\cdot\lambda^+_{min}\|\Theta^*\|^2` by
    discrepancy :math:`(\|W_T - \Theta^*\|_F - c(T))/\|\Theta^*\|_F` (negative = slack). Error: the change of
    :math:`\|W_T - \Theta^*\|_F/\|\Theta^*\|_F` between the fine and coarse solves to the same T;
    floor :data:`CLOSED_FORM_BUDGET`. Raises :class:`Inconclusive` if the loss has not converged by
    ``t_cap``.
    """
    P = check_problem(U0, V0, Y, X)
    if P.X is None:
        raise InvalidInput("X is required for the min-norm statement")
    Theta = min_norm_solution(P.X, P.Y)
    tn = float(np.linalg.norm(Theta))
    if tn == 0:
        raise InvalidInput("the min-norm solution is 0 (Y ⟂ range X): nothing to compare")
    _, _, s = row_space_split(P.X)
    lam_pos = float(s[-1] ** 2)
    conv = conv_rel * lam_pos * tn * tn
    fine = _converge(P.U0, P.V0, P.Y, P.X, Theta, lam_pos, RTOL_FINE, t_cap, conv)
    T = fine.t_final
    coarse = gradient_flow(P.U0, P.V0, P.Y, P.X, t_eval=np.array([0.0, T]), rtol=RTOL_COARSE)
    Wf, Wc = fine.W[-1], coarse.W[-1]
    g = 0.5 * float(np.sum((P.X @ (Wf - Theta)) ** 2))
    cert = math.sqrt(2 * g / lam_pos)
    dist_f = float(np.linalg.norm(Wf - Theta))
    dist_c = float(np.linalg.norm(Wc - Theta))
    disc = (dist_f - cert) / tn
    err = abs(dist_f - dist_c) / tn
    return Outcome(
        disc,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        "(‖U Vᵀ(T) − Θ*‖_F − √(2(ℓ_T − ℓ*)/λ⁺min(Σx))) / ‖Θ*‖_F after convergence (negative = slack)",
        details={
            "T": T,
            "distance": dist_f / tn,
            "certificate": cert / tn,
            "null_component": float(np.linalg.norm(row_space_split(P.X)[1].T @ Wf)) / tn,
            "orthogonality_defect": orthogonality_defect(P.U0, P.V0, P.X),
            "nfev": fine.nfev + coarse.nfev,
        },
    )


def _limit_errors(X, Y, Theta, lam_pos, k, batch, seed, rtol, t_cap, conv, T=None):
    m, n = X.shape[1], Y.shape[1]
    U0, V0 = random_init(m, n, k, batch, seed)
    if T is None:
        tr = _converge(U0, V0, Y, X, Theta, lam_pos, rtol, t_cap, conv)
    else:
        tr = gradient_flow(U0, V0, Y, X, t_eval=np.array([0.0, T]), rtol=rtol)
    W = tr.W[-1]
    return np.linalg.norm(W - Theta, axis=(1, 2)), tr


def width_trend_gap(
    X: ArrayLike,
    Y: ArrayLike,
    k: int,
    seed: int,
    *,
    factor: int = 16,
    batch: int = 16,
    conv_rel: float = 1e-8,
    t_cap: float = 400.0,
) -> Outcome:
    r"""min2021, random initialization :math:`\mathcal N(0, 1/k)`: the error of the limit
    :math:`\|\lim U V^\top - \Theta^*\|_F = O(k^{-1/2})`, in its weakest checkable form.

    For widths k and K = ``factor``·k, ``batch`` independent initializations each (seeded by
    ``seed``), integrated (as one batched system) until every loss has converged, the
    root-mean-square errors :math:`e_k`, :math:`e_K` are compared: the claim is :math:`e_K \le e_k`
    (:math:`O(k^{-1/2})` predicts :math:`e_K/e_k \approx` ``factor``:math:`^{-1/2}` = 1/4).
    Discrepancy :math:`(e_K - e_k)/e_k` (negative = the error shrank); error: the change of that
    ratio between the fine (rtol 1e-9) and coarse (1e-6) solves to the same times. "Converged" means
    :math:`\ell - \ell^* \le` ``conv_rel``:math:`\cdot\lambda^+_{min}\|\Theta^*\|^2` for every draw, so the
    part of :math:`e` not yet converged is below :math:`\sqrt{2\cdot 10^{-8}} \approx 1.4\cdot10^{-4}` of
    :math:`\|\Theta^*\|` (the errors compared are of order 0.1-1). With 16
    draws and a factor 16 in width a statistical reversal has probability below 1e-6 even
    when :math:`U_2V^\top` is a single Gaussian entry.
    """
    X = as_matrix(X, "X")
    Y = as_matrix(Y, "Y", (X.shape[0], None))
    if k < 1 or factor < 2:
        raise InvalidInput(f"k must be >= 1 and factor >= 2, got k={k}, factor={factor}")
    Theta = min_norm_solution(X, Y)
    tn = float(np.linalg.norm(Theta))
    if tn == 0:
        raise InvalidInput("the min-norm solution is 0 (Y ⟂ range X): nothing to compare")
    _, _, s = row_space_split(X)
    lam_pos = float(s[-1] ** 2)
    conv = conv_rel * lam_pos * tn * tn
    out = {}
    for width, sd in ((k, seed), (factor * k, seed + 1)):
        ef, tr = _limit_errors(X, Y, Theta, lam_pos, width, batch, sd, 1e-9, t_cap, conv)
        ec, _ = _limit_errors(X, Y, Theta, lam_pos, width, batch, sd, 1e-6, t_cap, conv, T=tr.t_final)
        out[width] = (math.sqrt(float(np.mean(ef**2))), math.sqrt(float(np.mean(ec**2))), tr.t_final, tr.nfev)
    (ekf, ekc, Tk, nk), (eKf, eKc, TK, nK) = out[k], out[factor * k]
    if ekf <= 1e-12 * tn:
        raise Inconclusive("no error to shrink", f"RMS error {ekf:.3g} at width {k}")
    disc = (eKf - ekf) / ekf
    err = abs(disc - (eKc - ekc) / ekc)
    return Outcome(
        disc,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        f"(e_K − e_k)/e_k: RMS ‖lim UVᵀ − Θ*‖ at widths {k} and {factor * k}",
        details={
            "rms_error_k": ekf / tn,
            "rms_error_K": eKf / tn,
            "ratio": eKf / ekf,
            "predicted_ratio": factor**-0.5,
            "T_k": Tk,
            "T_K": TK,
            "nfev": nk + nK,
        },
    )


#: The statistical margin of :func:`width_rate_gap`, in standard errors of the log error ratio. With 16 draws per
#: width the 200 ci draws' z-scores lay in [−2.4, 2.7] (median 0.5, a finite-width bias), but the thorough profile's
#: targeted search (seed 1) found a seed at z = 5.02 (ratio 0.49, its sample SE 0.135 an underestimate; with 32
#: draws the same seed gives z = 0.67, but 32 draws cost 4x at ci): 6 standard errors. A search that steers the
#: seed can always find a rarer one; the margin bounds what 1000 targeted examples found.
RATE_Z = 6.0
#: Draws per width in :func:`width_rate_gap`.
RATE_BATCH = 16


def _rms_and_se(e: np.ndarray) -> tuple[float, float]:
    r"""The RMS of the draws' errors and the standard error of its logarithm (delta method: the standard error of
    the mean of :math:`e^2` over its mean, halved)."""
    e2 = np.asarray(e, float) ** 2
    m = float(np.mean(e2))
    se = 0.5 * float(np.std(e2, ddof=1)) / (m * math.sqrt(e2.size)) if e2.size > 1 and m > 0 else math.inf
    return math.sqrt(m), se


def width_rate_gap(
    X: ArrayLike,
    Y: ArrayLike,
    k: int,
    seed: int,
    *,
    factor: int = 16,
    batch: int = RATE_BATCH,
    exponent: float = 0.5,
    z: float = RATE_Z,
    conv_rel: float = 1e-8,
    t_cap: float = 400.0,
    tau: float = 6.0,
    n_times: int = 5,
) -> Outcome:
    r"""min2021, random initialization :math:`\mathcal N(0, 1/k)`: w.h.p. :math:`U(t)V(t)^\top` converges exponentially, and
    :math:`\|\lim UV^\top - \Theta^*\|_F = O(k^{-1/2})` -- the rate itself, and the exponential convergence.

    *Rate.* For widths k and K = ``factor``·k, ``batch`` independent initializations each (seeds ``seed``,
    ``seed + 1``), integrated until every loss has converged (as :func:`width_trend_gap`), the RMS errors
    :math:`e_k, e_K` must satisfy :math:`|\ln(e_K/e_k) - \ln(\mathrm{factor}^{-p})| \le z\,\mathrm{SE}` with p = ``exponent``
    (1/2: the predicted ratio is 1/4 for factor 16) and SE the standard error of :math:`\ln(e_K/e_k)` from the draws'
    spread (delta method on the means of :math:`e^2`): a statistical margin of ``z`` = 6 standard errors
    (:data:`RATE_Z`, which says why), plus ten times the change of the log ratio between the rtol-1e-9 and 1e-6
    solves.

    *Exponential convergence.* At width K every draw's initialization gives min2021's rate
    :math:`\alpha_j = 2\lambda^+_{min}(\Sigma_x)(\beta_U + \beta_V)` (:func:`oracles.flows.linear_nets.rate_constant`);
    for the draws with :math:`\alpha_j > 0` the integrated excess loss must satisfy
    :math:`\ell_t - \ell^* \le (\ell_0 - \ell^*)e^{-\alpha_jt}` at ``n_times`` equispaced times up to
    :math:`\min(\tau/\min_j\alpha_j, 8)` (as :func:`loss_rate_gap`, batched; the autonomous flow is solved segment by
    segment, each a two-sample Fortran DOP853 solve); discrepancy :math:`\max_{j,t}(g - b)/b`, error the two solves' change over b,
    floor the rounding of forming g. The share of draws with :math:`\alpha_j > 0` ("w.h.p.") is reported; the
    example is inconclusive when fewer than half have it.

    The outcome is the worse of the two (discrepancy over budget).
    """
    X = as_matrix(X, "X")
    Y = as_matrix(Y, "Y", (X.shape[0], None))
    if k < 1 or factor < 2 or batch < 2:
        raise InvalidInput(f"k must be >= 1, factor >= 2 and batch >= 2, got k={k}, factor={factor}, batch={batch}")
    if not (z > 0 and exponent >= 0):
        raise InvalidInput(f"need z > 0 and exponent >= 0, got z={z}, exponent={exponent}")
    Theta = min_norm_solution(X, Y)
    tn = float(np.linalg.norm(Theta))
    if tn == 0:
        raise InvalidInput("the min-norm solution is 0 (Y ⟂ range X): nothing to compare")
    _, _, s = row_space_split(X)
    lam_pos = float(s[-1] ** 2)
    conv = conv_rel * lam_pos * tn * tn
    K = factor * k
    stats = {}
    for width, sd in ((k, seed), (K, seed + 1)):
        ef, tr = _limit_errors(X, Y, Theta, lam_pos, width, batch, sd, 1e-9, t_cap, conv)
        ec, _ = _limit_errors(X, Y, Theta, lam_pos, width, batch, sd, 1e-6, t_cap, conv, T=tr.t_final)
        stats[width] = (_rms_and_se(ef), _rms_and_se(ec)[0], tr.t_final, tr.nfev)
    ((ek, sek), ekc, Tk, nk), ((eK, seK), eKc, TK, nK) = stats[k], stats[K]
    if ek <= 1e-12 * tn:
        raise Inconclusive("no error to shrink", f"RMS error {ek:.3g} at width {k}")
    predicted = float(factor) ** -exponent
    log_gap = abs(math.log(eK / ek) - math.log(predicted))
    se = math.hypot(sek, seK)
    num_err = abs(math.log(eK / ek) - math.log(eKc / ekc))
    ratio_out = Outcome(
        log_gap,
        max(z * se + 10.0 * num_err, CLOSED_FORM_BUDGET),
        num_err,
        f"|ln(e_K/e_k) − ln({factor}^-{exponent:g})| against {z:g} standard errors (widths {k}, {K})",
    )

    # exponential convergence at width K, every draw with a positive min2021 rate
    m, n = X.shape[1], Y.shape[1]
    U0, V0 = random_init(m, n, K, batch, seed + 1)
    alphas = np.array([rate_constant(U0[j], V0[j], Y, X).alpha for j in range(batch)])
    good = alphas > 0
    if good.sum() * 2 < batch:
        raise Inconclusive(
            "no rate guarantee", f"only {int(good.sum())} of {batch} draws at width {K} have a positive rate"
        )
    T = min(tau / float(np.min(alphas[good])), 8.0)
    t = np.linspace(0.0, T, n_times)

    def excess(W):
        E = X @ (W - Theta)
        return 0.5 * np.sum(E * E, axis=(-2, -1))

    def chained(rtol):
        # the flow is autonomous: segment after segment from the last state, each a two-sample (Fortran DOP853) solve
        U, V, Ws, nfev = U0[good], V0[good], [U0[good] @ np.swapaxes(V0[good], -1, -2)], 0
        for dt in np.diff(t):
            tr = gradient_flow(U, V, Y, X, t_eval=np.array([0.0, dt]), rtol=rtol)
            U, V, nfev = tr.U[-1], tr.V[-1], nfev + tr.nfev
            Ws.append(tr.W[-1])
        return np.array(Ws), nfev

    (Wf, nf), (Wc, _) = chained(RTOL_FINE), chained(RTOL_COARSE)
    gf, gc = excess(Wf), excess(Wc)  # shape (times, draws)
    g0 = gf[0]
    b = g0[None, :] * np.exp(-alphas[good][None, :] * t[1:, None])
    exp_disc = float(np.max((gf[1:] - b) / b))
    exp_err = float(np.max(np.abs(gf[1:] - gc[1:]) / b))
    scale = float(np.linalg.norm(X, 2) * (tn + float(np.max(np.linalg.norm(Wf, axis=(-2, -1))))))
    floor = float(np.max(100 * EPS * max(m * n * K, 1) * scale * np.sqrt(2 * np.maximum(gf[1:], 0)) / b))
    exp_out = Outcome(
        exp_disc,
        budget_from_error(exp_err, max(CLOSED_FORM_BUDGET, floor)),
        exp_err,
        f"max over draws and t of (ℓ_t − ℓ* − (ℓ0 − ℓ*)e^(−α_j t))/bound at width {K}",
    )
    worse = max((ratio_out, exp_out), key=lambda o: o.discrepancy / o.budget)
    worse.details = {
        "rms_error_k": ek / tn,
        "rms_error_K": eK / tn,
        "ratio": eK / ek,
        "predicted_ratio": predicted,
        "log_ratio_se": se,
        "z_score": (math.log(eK / ek) - math.log(predicted)) / se if se > 0 else None,
        "ratio_check": [ratio_out.discrepancy, ratio_out.budget],
        "exponential_check": [exp_out.discrepancy, exp_out.budget],
        "positive_rate_share": float(good.mean()),
        "alpha_min": float(np.min(alphas[good])),
        "T_k": Tk,
        "T_K": TK,
        "nfev": nk + nK + nf,
    }
    ts, gl = t.tolist(), np.maximum(gf, 1e-300)

    def plot():
        return [
            Panel(
                f"random N(0, 1/k) init, width {K}: excess loss of the first draws",
                "t",
                "ℓ_t − ℓ*",
                {f"draw {j}": (ts, gl[:, j].tolist()) for j in range(min(gl.shape[1], 6))},
                logy=True,
            )
        ]

    worse.plot = plot
    return worse


def riccati_gap(
    U0: ArrayLike, V0: ArrayLike, Y: ArrayLike, tau: float, *, lam: float | None = None, n_times: int = 17
) -> Outcome:
    r"""tarmoun2021, homogeneously imbalanced initialization (:math:`U_0^\top U_0 - V_0^\top V_0 = \lambda I`): the integrated
    :math:`U(t)V(t)^\top` against the Riccati closed form (:func:`oracles.flows.riccati.riccati_solution`).

    Times equispaced in :math:`[0, \tau/r]`, :math:`r = \sqrt{\lambda^2 + 4\sigma_{min}(Y)^2}`. Discrepancy
    :math:`\max_t\|W_{ode}(t) - W_{cf}(t)\|_F/\max(\|Y\|_F, \|W_0\|_F)`; error the same between the rtol-1e-11 and 1e-8
    solves; floor 1e-9. ``lam`` plants another λ in the closed form (negative control).

    Raises
    ------
    InvalidInput
        When the imbalance is not homogeneous (relative defect above 1e-12).
    """
    from oracles.flows.riccati import homogeneous_imbalance, riccati_rate, riccati_solution

    P = check_problem(U0, V0, Y)
    true_lam, defect = homogeneous_imbalance(P.U0, P.V0)
    if defect > 1e-12:
        raise InvalidInput(
            f"U0, V0: the imbalance U0^T U0 - V0^T V0 is not a multiple of I (relative defect {defect:.3g})"
        )
    if not (np.isfinite(tau) and tau > 0):
        raise InvalidInput(f"tau (the horizon in units of 1/rate) must be positive, got {tau}")
    r = riccati_rate(P.Y, true_lam)
    t = np.linspace(0.0, float(tau) / r, n_times)
    fine, coarse = two_tolerance_flows(P.U0, P.V0, P.Y, t_eval=t)
    Wcf = riccati_solution(P.U0, P.V0, P.Y, t, lam=true_lam if lam is None else float(lam))
    scale = max(float(np.linalg.norm(P.Y)), float(np.linalg.norm(P.U0 @ P.V0.T)))
    disc = float(np.max(np.linalg.norm(fine.W - Wcf, axis=(1, 2)))) / scale
    err = float(np.max(np.linalg.norm(fine.W - coarse.W, axis=(1, 2)))) / scale
    ts = t.tolist()

    def plot():
        dist = np.linalg.norm(Wcf - Wcf[-1], axis=(1, 2))
        return [
            Panel(
                "homogeneous imbalance: U(t)V(t)ᵀ against the Riccati closed form",
                "t",
                "relative",
                {
                    "‖W_ode − W_closed‖/scale": (
                        ts,
                        np.maximum(np.linalg.norm(fine.W - Wcf, axis=(1, 2)) / scale, 1e-300).tolist(),
                    ),
                    "‖W_closed(t) − W_closed(T)‖/scale": (ts, np.maximum(dist / scale, 1e-300).tolist()),
                },
                logy=True,
            )
        ]

    return Outcome(
        disc,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        "max_t ‖U Vᵀ(t) − Riccati closed form‖_F / max(‖Y‖_F, ‖W0‖_F)",
        details={
            "lambda": true_lam,
            "lambda_closed_form": true_lam if lam is None else float(lam),
            "rate": r,
            "imbalance_defect": defect,
            "t_max": float(t[-1]),
            "nfev": fine.nfev + coarse.nfev,
        },
        plot=plot,
    )


# ------------------------------------------------------------------------------ slide identities
def warm_up_gap(x0: ArrayLike, y: ArrayLike, *, t_max: float, n_times: int = 17, rate: float = 1.0) -> Outcome:
    r"""tarmoun2021's warm-up (no parametrization): gradient flow on :math:`\ell = \tfrac12\|y - x\|^2` is
    :math:`x(t) = y + (x_0 - y)e^{-t}`.

    The flow is integrated by :func:`oracles.gradient_flow` (G the identity, L the least squares with Z = I) at
    both tolerances of :data:`~oracles.core.ode.TWO_TOLERANCES`, on ``n_times`` times in :math:`[0, t_{max}]`.
    Discrepancy: :math:`\max_t\|x_{ode}(t) - x_{cf}(t)\| / \|x_0 - y\|` against the closed form with the
    exponent ``rate`` (1 is the claim; a control plants another); error: the same maximum between the fine and
    the coarse solve; budget ``budget_from_error`` (floor 1e-9).
    """
    x0 = np.asarray(x0, dtype=float)
    y = np.asarray(y, dtype=float)
    if x0.ndim != 1 or x0.shape != y.shape or not (np.all(np.isfinite(x0)) and np.all(np.isfinite(y))):
        raise InvalidInput(f"x0 and y must be finite vectors of one length, got shapes {x0.shape} and {y.shape}")
    if not (np.isfinite(t_max) and t_max > 0):
        raise InvalidInput(f"t_max must be positive and finite, got {t_max}")
    scale = float(np.linalg.norm(x0 - y))
    if scale < 1e-8 * max(1.0, float(np.linalg.norm(y))):
        raise Inconclusive("starts at the minimum", f"|x0 - y| = {scale:.3g}")
    t = np.linspace(0.0, float(t_max), n_times)
    sched = Schedule.constant(LeastSquares(np.eye(y.size), y), float(t_max))
    fine, coarse = (
        trajectories.gradient_flow(Identity(y.size), sched, x0, t_eval=t, rtol=s.rtol, atol=s.atol)
        for s in TWO_TOLERANCES
    )
    closed = y + np.outer(np.exp(-rate * t), x0 - y)
    gap = float(np.max(np.linalg.norm(fine.x - closed, axis=1))) / scale
    err = float(np.max(np.linalg.norm(fine.x - coarse.x, axis=1))) / scale
    return Outcome(
        gap,
        budget_from_error(err),
        err,
        "max_t |x(t) − (y + (x0 − y)e^{−t})| / |x0 − y|",
        details={"rate": rate, "t_max": float(t_max)},
    )


def induced_dynamics_gap(
    U: ArrayLike, V: ArrayLike, Y: ArrayLike, *, formula: Callable[..., np.ndarray] | None = None
) -> Outcome:
    r"""tarmoun2021's induced dynamics on :math:`X = UV^\top` (matrix case, :math:`\ell = \tfrac12\|Y - UV^\top\|_F^2`):
    :math:`\dot X = (Y - UV^\top)VV^\top + UU^\top(Y - UV^\top)`.

    The left side is the chain rule applied to the gradient flow of (U, V) (:func:`flow_field`:
    :math:`\dot X = \dot UV^\top + U\dot V^\top`), the right side the slide's formula (``formula(U, V, Y)`` to
    plant another). Discrepancy relative to :math:`\|Y - UV^\top\|_F(\|U\|_F^2 + \|V\|_F^2)`; both sides are a few
    matrix products, so the error is their rounding (``roundoff_floor`` of the sizes) and the budget the
    closed-form one.
    """
    P = check_problem(U, V, Y)
    U0, V0, Yv = P.U0, P.V0, P.Y
    dU, dV = flow_field(U0, V0, Yv)
    lhs = dU @ V0.T + U0 @ dV.T
    E = Yv - U0 @ V0.T
    rhs = formula(U0, V0, Yv) if formula is not None else E @ V0 @ V0.T + U0 @ U0.T @ E
    scale = float(np.linalg.norm(E) * (np.linalg.norm(U0) ** 2 + np.linalg.norm(V0) ** 2))
    if not scale > 1e-12 * max(1.0, float(np.linalg.norm(Yv))):
        raise Inconclusive("starts at the minimum", f"|Y - UVᵀ|_F (|U|² + |V|²) = {scale:.3g}")
    err = roundoff_floor(sum(U0.shape) + sum(V0.shape))
    return Outcome(
        float(np.linalg.norm(lhs - rhs)) / scale,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        "|d(UVᵀ)/dt − [(Y − UVᵀ)VVᵀ + UUᵀ(Y − UVᵀ)]|_F / (|Y − UVᵀ|_F (|U|_F² + |V|_F²))",
    )
