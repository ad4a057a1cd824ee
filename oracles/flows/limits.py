r"""Limits of gradient flows and mirror flows, and how far a limit is from a given point.

* :func:`gradient_flow_limit` -- :math:`\dot x = -\partial G(x)^\top\nabla L(G(x))` integrated on doubling
  horizons :math:`T = t_0, 2t_0, 4t_0, \dots` until the relative change of :math:`w = G(x)` over the last
  doubling :math:`[T/2, T]` is below ``change_tol`` (and, if asked, a stationarity measure is below its
  threshold); the same flow is then integrated once more to the final T at a coarse tolerance.
* :func:`mirror_flow_limit` -- :math:`d\nabla R(w) = -\nabla L(w)\,dt` the same way, in the primal
  coordinates :math:`\dot w = -\nabla^2R(w)^{-1}\nabla L(w)` (default: nothing about the limit is
  built into the coordinates) or in the dual coordinates :math:`\dot\theta = -\nabla L((\nabla R)^{-1}(\theta))`
  (d-dimensional, cheap, closed-form :math:`(\nabla R)^{-1}`).
* :func:`identity_least_squares_limit` -- the identity parametrization on least squares has the closed-form
  flow :math:`w(t) = V\big(e^{-\Lambda t}V^\top w_0 + \Lambda^{-1}(I - e^{-\Lambda t})V^\top Z^\top Y\big)`
  (:math:`Z^\top Z = V\Lambda V^\top`); it is evaluated on doubling horizons, no ODE.
* :func:`compare_limit` -- an :class:`~oracles.core.outcome.Outcome` for "the flow's limit equals this point".
* :func:`exponential_loss_trajectory` -- gradient flow on :math:`\sum_i e^{-y_ix_i^\top a}` at times up to
  :math:`10^{100}`, integrated in log-time (what Soudry et al.'s max-margin statement needs).

The comparisons statements call (a limit against a projection, stationarity, ...) are in :mod:`oracles.checks.limits`.

Error of a computed limit (:attr:`FlowLimit.error`): the change over the last doubling (once the flow
converges at least exponentially with :math:`e^{-\kappa T/2} \le 1/2`, the distance still to go at T is
below it) plus the relative gap between the fine (``rtol=1e-11``) and coarse (``rtol=1e-8``)
integrations to the same T (the project's two-tolerance rule; it over-estimates the fine solution's
error). Integration uses LSODA with analytic Jacobians (through ``scipy.integrate.odeint``, see
:mod:`oracles.core.ode`): the flows
are stiff on long horizons (the Jacobian's spectrum spans the fast and the slow directions of the
data); measured on a d = 4 u⊙2 − v⊙2 least-squares flow to T = 1000, LSODA with the Jacobian took
4–9 ms against 28–450 ms for BDF/Radau and 170–1300 ms for DOP853 (rtol 1e-8 and 1e-11). This is why these integrators live here rather than in
:mod:`oracles.flows.trajectories` (fixed horizons, DOP853, no Jacobian hook).

Flows that leave M, blow up, fail, or do not settle within ``t_max`` raise
:class:`~oracles.core.errors.Inconclusive`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, cast

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import Inconclusive, InvalidInput, as_matrix, as_vector
from oracles.core.ode import TWO_TOLERANCES
from oracles.core.outcome import CLOSED_FORM_BUDGET, EPS, Outcome, Panel, budget_from_error, relative_gap
from oracles.model.losses import LeastSquares, LogCosh, Loss, loss_hessian
from oracles.model.parametrizations import Parametrization

if TYPE_CHECKING:
    from oracles.model.potentials import Potential

#: The fine and coarse integrators of the two-tolerance error estimate: LSODA with analytic Jacobians,
#: rtol 1e-11 and 1e-8 (the absolute tolerances are set per flow from its starting scale, below).
LIMITS = TWO_TOLERANCES.with_method("LSODA")
RTOL_FINE, RTOL_COARSE = LIMITS.fine.rtol, LIMITS.coarse.rtol
#: The absolute tolerance is ``rtol · 1e-3 · max(|state_0|_∞, ATOL_FLOOR)``: relative to the starting
#: scale (initializations down to 1e-6 keep their relative accuracy), but never vanishing (a start at 0).
ATOL_FLOOR = 1e-6


@dataclass
class FlowLimit:
    r"""The end of a long integration, taken as the flow's limit.

    Attributes
    ----------
    w
        :math:`w(T)` of the fine integration (the estimate of :math:`w_\infty`).
    x
        The state at T in the flow's own coordinates (x for a GF, w or θ for a MF).
    T
        Final horizon.
    change
        :math:`\|w(T) - w(T/2)\| / \|w(T)\|`.
    tol_error
        :math:`\|w_{fine}(T) - w_{coarse}(T)\| / \|w_{fine}(T)\|`.
    error
        ``change + tol_error``: the estimate of :math:`\|w(T) - w_\infty\|/\|w_\infty\|` plus integration error.
    loss
        :math:`L(w(T))`.
    history
        One record per horizon: ``T``, ``change``, ``loss``, ``stationarity`` (and ``speed``, ``speed_noise``:
        :math:`\|\dot w(T)\|` and its rounding level, where the integrator records them).
    speeds
        ``[t, ‖ẇ(t)‖, rounding level]`` at every horizon and, with ``speed_samples > 1``, between them
        (what :func:`oracles.checks.convergence.lojasiewicz_tail` reads).
    """

    w: np.ndarray
    x: np.ndarray
    T: float
    change: float
    tol_error: float
    error: float
    loss: float
    nfev: int
    method: str
    history: list[dict[str, float]] = field(default_factory=list)
    speeds: list[list[float]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "T": self.T,
            "change": self.change,
            "tol_error": self.tol_error,
            "error": self.error,
            "loss": self.loss,
            "nfev": self.nfev,
            "method": self.method,
        }


def _segment(rhs, jac, span, y, rtol, atol, t_eval=None):
    """One LSODA solve (:class:`~oracles.core.ode.Integrator`: capped work, blow-up of the state inconclusive)."""
    return LIMITS.fine.at(rtol=rtol, atol=atol).solve(rhs, span, y, t_eval=t_eval, jac=jac)


def _settle(
    rhs,
    jac,
    y0,
    to_w,
    loss_of_w,
    *,
    t0,
    t_max,
    change_tol,
    stationarity,
    stat_tol,
    atol_scale,
    margin,
    method_name: str,
    chunk: int = 10,
    speed=None,
    min_horizons: int = 1,
    speed_samples: int = 1,
) -> FlowLimit:
    r"""Doubling horizons at the fine tolerance (sampled from chunks of ``chunk`` doublings, no restarts
    inside a chunk), then one coarse run to the final T. ``margin(y) > -100·atol`` must hold at every sample.
    ``speed(y)``, if given, returns :math:`\|\dot w\|` at the state y and the rounding level of that value; both are
    recorded per horizon (``history[k]["speed"]``, ``["speed_noise"]``: what
    :func:`oracles.checks.convergence.lojasiewicz_tail` bounds the rest of the path with). The run does not stop
    before ``min_horizons`` horizons (the certificate needs three). With ``speed_samples = m > 1`` the speed is
    also sampled at m − 1 times inside each doubling (:math:`T\,2^{i/m}`), kept in ``FlowLimit.speeds``."""
    atol_f = RTOL_FINE * atol_scale
    y0 = np.asarray(y0, float)
    t, y = 0.0, y0
    w_prev = to_w(y)
    hist, nfev, T = [], 0, float(t0) / 2
    m = max(1, int(speed_samples)) if speed is not None else 1
    speeds: list[list[float]] = []
    done = False
    while not done:
        fine_grid = T * 2.0 ** (np.arange(1, chunk * m + 1) / m)
        grid = fine_grid[m - 1 :: m]
        sol = _segment(rhs, jac, (t, float(grid[-1])), y, RTOL_FINE, atol_f, t_eval=fine_grid)
        nfev += sol.nfev
        for k, Tk in enumerate(grid):
            if m > 1:
                for i in range(k * m, k * m + m - 1):
                    speeds.append([float(fine_grid[i]), *(float(v) for v in speed(sol.y[:, i]))])
            yk = sol.y[:, k * m + m - 1]
            # components decaying to the boundary fall below the absolute tolerance, where their sign is
            # integration noise: only an excursion beyond 100·atol counts as leaving M
            if margin is not None and not margin(yk) > -100.0 * atol_f:
                raise Inconclusive("leaves domain", f"the flow left M before t = {Tk:.4g}")
            w = to_w(yk)
            den = max(float(np.linalg.norm(w)), float(np.linalg.norm(w_prev)), 1e-300)
            change = float(np.linalg.norm(w - w_prev)) / den
            st = float(stationarity(yk)) if stationarity is not None else 0.0
            rec = {"T": float(Tk), "change": change, "loss": float(loss_of_w(w)), "stationarity": st}
            if speed is not None:
                rec["speed"], rec["speed_noise"] = (float(v) for v in speed(yk))
                speeds.append([float(Tk), rec["speed"], rec["speed_noise"]])
            hist.append(rec)
            w_prev, T, y = w, float(Tk), yk
            if change <= change_tol and (stationarity is None or st <= stat_tol) and len(hist) >= min_horizons:
                done = True
                break
            if Tk >= t_max:
                raise Inconclusive(
                    "no stationarity within horizon",
                    f"T = {Tk:.3g}: change over the last doubling {change:.3g}, stationarity {st:.3g}",
                )
        t = T
    coarse = _segment(rhs, jac, (0.0, T), y0, RTOL_COARSE, RTOL_COARSE * atol_scale)
    nfev += coarse.nfev
    wc = to_w(coarse.y[:, -1])
    tol_error = relative_gap(w_prev, wc)
    return FlowLimit(
        w_prev, y, T, change, tol_error, change + tol_error, float(loss_of_w(w_prev)), nfev, method_name, hist, speeds
    )


def _loss_grad(loss: Loss):
    r""":math:`\nabla L` as a plain function: for least squares and log-cosh the same arithmetic as ``loss.grad``
    (:math:`Z^\top r`, :math:`Z^\top\tanh r` with :math:`r = Zw - Y`) without its method calls, which the
    right-hand sides below evaluate hundreds of thousands of times per statement."""
    if type(loss) is LeastSquares:
        Z, Y, Zt = loss.Z, loss.Y, loss.Z.T
        return lambda w: Zt @ (Z @ w - Y)
    if type(loss) is LogCosh:
        Z, Y, Zt = loss.Z, loss.Y, loss.Z.T
        return lambda w: Zt @ np.tanh(Z @ w - Y)
    return loss.grad


def _gf_field(G: Parametrization, loss: Loss):
    r"""``(rhs, jac)`` of :math:`\dot x = -\partial G^\top\nabla L(G(x))`; fast paths for the separable and
    quadratic families, the generic Jacobian/Hessian formula otherwise."""
    from oracles.model.parametrizations import Identity, Powers, Quadratic, UVSquared

    grad = _loss_grad(loss)
    if isinstance(G, UVSquared):
        d = G.d

        def rhs(t, x):
            g = grad(x[:d] * x[:d] - x[d:] * x[d:])
            return np.concatenate([-2.0 * x[:d] * g, 2.0 * x[d:] * g])

        def jac(t, x):
            u, v = x[:d], x[d:]
            w = u * u - v * v
            J = np.concatenate([2.0 * u, -2.0 * v])
            g = grad(w)
            H = loss_hessian(loss, w)
            out = -(J[:, None] * np.block([[H, H], [H, H]]) * J[None, :])
            out[np.arange(2 * d), np.arange(2 * d)] -= np.concatenate([2.0 * g, -2.0 * g])
            return out

        return rhs, jac
    if isinstance(G, Identity):
        return (lambda t, x: -grad(x)), (lambda t, x: -loss_hessian(loss, x))
    if isinstance(G, Powers) and G.p == 2.0:

        def rhs(t, x):
            return -2.0 * x * grad(x * x)

        def jac(t, x):
            w = x * x
            out = -(2.0 * x)[:, None] * loss_hessian(loss, w) * (2.0 * x)[None, :]
            out[np.arange(x.size), np.arange(x.size)] -= 2.0 * grad(w)
            return out

        return rhs, jac
    if isinstance(G, Quadratic):
        A = G.A
        D = A.shape[1]
        # Σ_i g_i A_i as numpy's tensordot(g, A, axes=1) computes it (one dot of a 1 × d row with A as d × D²),
        # without tensordot's per-call axis bookkeeping
        A2 = A.reshape(A.shape[0], D * D)

        def combo(g):
            return np.dot(g[None, :], A2).reshape(D, D)

        def rhs(t, x):
            return -(combo(grad(0.5 * ((A @ x) @ x))) @ x)

        def jac(t, x):
            J = A @ x
            w = 0.5 * J @ x
            return -(J.T @ loss_hessian(loss, w) @ J + combo(grad(w)))

        return rhs, jac

    def rhs_generic(t, x):
        return -(G.jacobian(x).T @ loss.grad(G.value(x)))

    def jac_generic(t, x):
        J = G.jacobian(x)
        w = G.value(x)
        return -(J.T @ loss_hessian(loss, w) @ J + np.tensordot(loss.grad(w), np.asarray(G.hessians(x), float), axes=1))

    return rhs_generic, jac_generic


def gradient_flow_limit(
    G: Parametrization,
    loss: Loss,
    x_init: ArrayLike,
    *,
    t0: float = 1.0,
    t_max: float = 2.0**20,
    change_tol: float = 1e-11,
    stat_tol: float | None = None,
    min_horizons: int = 1,
    speed_samples: int = 1,
) -> FlowLimit:
    r"""The limit of :math:`\dot x = -\nabla(L\circ G)(x)` from ``x_init`` (long integration, see the module docstring).

    Parameters
    ----------
    G
        The parametrization (closed-form Hessians are used for the Jacobian
        :math:`-(\partial G^\top\nabla^2L\,\partial G + \sum_i \partial_iL\,\nabla^2G_i)`).
    loss
        A C² loss on the w-space (:func:`loss_hessian` must handle it).
    x_init
        Starting point in M.
    change_tol
        Stop when the relative change of w over the last doubling is below this.
    stat_tol
        Optionally also require :math:`\|\nabla(L\circ G)(x)\| \le` ``stat_tol`` :math:`\cdot\,\|\nabla(L\circ G)(x_{init})\|`.
    min_horizons
        Integrate at least this many doubling horizons (3 for the Łojasiewicz certificate of
        :mod:`oracles.checks.convergence`, which reads the speeds recorded in ``history``).
    speed_samples
        Sample :math:`\|\dot w\|` this many times per doubling (``FlowLimit.speeds``).

    Returns
    -------
    FlowLimit
        ``x`` is the final state in x-space; ``method`` is ``"GF (x-space, LSODA)"``.

    Raises
    ------
    Inconclusive
        Blow-up, leaving M, solver failure, or no stationarity by ``t_max``.
    """
    x0 = G.check_point(x_init, "x_init")
    if loss.d != G.d:
        raise InvalidInput(f"the loss acts on R^{loss.d} but G maps into R^{G.d}")

    rhs, jac = _gf_field(G, loss)
    g0 = float(np.linalg.norm(rhs(0.0, x0)))
    stationarity = (lambda x: float(np.linalg.norm(rhs(0.0, x))) / max(g0, 1e-300)) if stat_tol is not None else None
    margin = None if math.isinf(G.domain_margin(x0)) else G.domain_margin
    scale = 1e-3 * max(float(np.max(np.abs(x0))), ATOL_FLOOR)

    Zs, Ys = getattr(loss, "Z", None), getattr(loss, "Y", None)
    zn = float(np.linalg.norm(Zs, 2)) if Zs is not None else 1.0

    atol_f = RTOL_FINE * scale

    def speed(x):
        """‖ẇ‖ = ‖∂G(x) ẋ‖, and its noise level: ‖∂G‖²(ε·the size of ∇L's terms, ‖Z‖(‖Z‖‖w‖ + ‖Y‖) for L~(Zw))
        plus ‖∂G‖³‖Z‖²·√D·atol (the state is only known to the integration's absolute tolerance)."""
        J = G.jacobian(x)
        w = G.value(x)
        g = rhs(0.0, x)
        terms = (
            zn * (zn * float(np.linalg.norm(w)) + float(np.linalg.norm(Ys)))
            if Ys is not None
            else float(np.linalg.norm(loss.grad(w)))
        )
        jn = float(np.linalg.norm(J, 2))
        rootD = math.sqrt(J.shape[1])
        return float(np.linalg.norm(J @ g)), jn * jn * (EPS * terms * rootD + jn * zn * zn * rootD * atol_f)

    return _settle(
        rhs,
        jac,
        x0,
        G.value,
        loss.value,
        t0=t0,
        t_max=t_max,
        change_tol=change_tol,
        stationarity=stationarity,
        stat_tol=stat_tol,
        atol_scale=scale,
        margin=margin,
        method_name="GF (x-space, LSODA)",
        speed=speed,
        min_horizons=min_horizons,
        speed_samples=speed_samples,
    )


def mirror_flow_limit(
    R: Potential,
    loss: Loss,
    w_init: ArrayLike,
    *,
    coords: str = "primal",
    t0: float = 1.0,
    t_max: float = 2.0**20,
    change_tol: float = 1e-11,
) -> FlowLimit:
    r"""The limit of the mirror flow :math:`d\nabla R(w) = -\nabla L(w)\,dt` from ``w_init``.

    Parameters
    ----------
    R
        A separable potential (:class:`oracles.model.potentials.SeparablePotential`).
    coords
        ``"primal"``: :math:`\dot w = -\nabla L(w)/r''(w)` (Jacobian
        :math:`-\mathrm{diag}(1/r'')\nabla^2L + \mathrm{diag}(\nabla L\,r'''/r''^2)`); the invariant
        :math:`\nabla R(w) - \nabla R(w_0) \in \mathrm{range}(Z^\top)` is *not* built in, so the limit is
        a genuine check of where the flow goes. ``"dual"``: :math:`\dot\theta = -\nabla L(w(\theta))`,
        Jacobian :math:`-\nabla^2L\,\mathrm{diag}(\partial w/\partial\theta)`. ``"multiplier"`` (losses
        :math:`\tilde L(Zw)` only): the dual flow stays in :math:`\theta_0 + \mathrm{range}(Z^\top)`, so
        :math:`\theta = \theta_0 + Z^\top\lambda` with :math:`\dot\lambda = -\nabla\tilde L(Zw)` -- an n-dimensional ODE,
        the cheap route at d = 1000; the invariant is then built in, so only convergence is being tested.
    """
    from oracles.model.potentials import SeparablePotential

    P = R if isinstance(R, SeparablePotential) else None
    if P is None:
        raise InvalidInput(f"mirror_flow_limit needs a separable closed-form potential, got {getattr(R, 'name', R)!r}")
    w0 = as_vector(w_init, "w_init", loss.d)
    if not P.in_domain(w0):
        raise InvalidInput(f"w_init is outside dom R of {P.name}")
    if coords == "primal":
        grad = _loss_grad(loss)

        def rhs(t, w):
            return -grad(w) / P.hess_diag(w)

        def jac(t, w):
            h = P.hess_diag(w)
            return -loss_hessian(loss, w) / h[:, None] + np.diag(loss.grad(w) * P.hess_diag_deriv(w) / h**2)

        margin = None if not math.isfinite(P.lower) else (lambda w: float(np.min(w - P.lower)))
        scale = 1e-3 * max(float(np.max(np.abs(w0))), ATOL_FLOOR)
        return _settle(
            rhs,
            jac,
            w0,
            lambda w: w,
            loss.value,
            t0=t0,
            t_max=t_max,
            change_tol=change_tol,
            stationarity=None,
            stat_tol=None,
            atol_scale=scale,
            margin=margin,
            method_name="MF (primal, LSODA)",
        )
    if coords == "dual":

        def rhs(t, th):
            return -loss.grad(P.grad_inv(th))

        def jac(t, th):
            return -loss_hessian(loss, P.grad_inv(th)) * P.grad_inv_deriv(th)[None, :]

        th0 = np.asarray(P.grad(w0), float)
        scale = 1e-3 * max(float(np.max(np.abs(th0))), 1.0)
        return _settle(
            rhs,
            jac,
            th0,
            P.grad_inv,
            loss.value,
            t0=t0,
            t_max=t_max,
            change_tol=change_tol,
            stationarity=None,
            stat_tol=None,
            atol_scale=scale,
            margin=None,
            method_name="MF (dual, LSODA)",
        )
    if coords == "multiplier":
        Z, _ = _data_of(loss)
        th0 = np.asarray(P.grad(w0), float)
        Zp = np.linalg.pinv(Z.T)  # ∇L~(Zw) = (Zᵀ)⁺ ∇L(w): ∇L(w) = Zᵀ∇L~ lies in range(Zᵀ)

        def outer_hess(w):
            """∇²L~ at Zw: the identity for least squares, sech² for log-cosh, else (Zᵀ)⁺∇²L Z⁺."""
            if isinstance(loss, LeastSquares):
                return None
            if isinstance(loss, LogCosh):
                return 1.0 - np.tanh(Z @ w - loss.Y) ** 2
            return Zp @ loss_hessian(loss, w) @ Zp.T

        def rhs(t, lam):
            w = P.grad_inv(th0 + Z.T @ lam)
            if isinstance(loss, LeastSquares):
                return -(Z @ w - loss.Y)
            return -(Zp @ loss.grad(w))

        def jac(t, lam):
            th = th0 + Z.T @ lam
            M = (Z * P.grad_inv_deriv(th)) @ Z.T
            h = outer_hess(P.grad_inv(th))
            if h is None:
                return -M
            return -(h[:, None] * M) if h.ndim == 1 else -(h @ M)

        return _settle(
            rhs,
            jac,
            np.zeros(Z.shape[0]),
            lambda lam: P.grad_inv(th0 + Z.T @ lam),
            loss.value,
            t0=t0,
            t_max=t_max,
            change_tol=change_tol,
            stationarity=None,
            stat_tol=None,
            atol_scale=1e-3,
            margin=None,
            method_name="MF (multipliers, LSODA)",
        )
    raise InvalidInput(f"coords must be 'primal', 'dual' or 'multiplier', got {coords!r}")


# -----------------------------------------------------------------------------------------
def identity_least_squares_flow(Z: ArrayLike, Y: ArrayLike, w0: ArrayLike, t: float) -> np.ndarray:
    r"""The exact gradient flow of :math:`\tfrac12\|Zw - Y\|^2` at time t from :math:`w_0` (identity G).

    With :math:`Z^\top Z = V\Lambda V^\top`, :math:`c = V^\top w_0`, :math:`f = V^\top Z^\top Y`:
    :math:`V^\top w(t) = e^{-\Lambda t}c + \frac{1 - e^{-\Lambda t}}{\Lambda}f` (``-expm1`` for accuracy),
    and on the null space of Z (eigenvalues below :math:`d\,\varepsilon\lambda_{max}`), where f vanishes
    exactly, :math:`V^\top w(t) = c`.
    """
    Z = as_matrix(Z, "Z")
    Y = as_vector(Y, "Y", Z.shape[0])
    w0 = as_vector(w0, "w0", Z.shape[1])
    lam, V = np.linalg.eigh(Z.T @ Z)
    tol = Z.shape[1] * EPS * max(float(lam[-1]), 1e-300)
    c, f = V.T @ w0, V.T @ (Z.T @ Y)
    pos = lam > tol
    comp = c.copy()
    comp[pos] = np.exp(-lam[pos] * t) * c[pos] - np.expm1(-lam[pos] * t) / lam[pos] * f[pos]
    return V @ comp


def identity_least_squares_limit(
    Z: ArrayLike,
    Y: ArrayLike,
    w0: ArrayLike,
    *,
    t0: float = 1.0,
    change_tol: float = 1e-14,
    t_max: float = 2.0**40,
    min_horizons: int = 1,
) -> FlowLimit:
    r"""The limit of the identity-parametrized GF on least squares from its closed form on doubling horizons.

    The error is the change over the last doubling plus the rounding of the eigendecomposition,
    :math:`10\varepsilon\,\kappa(Z)^2` (:math:`\kappa` over the non-zero singular values).
    """
    Z = as_matrix(Z, "Z")
    Y = as_vector(Y, "Y", Z.shape[0])
    w0 = as_vector(w0, "w0", Z.shape[1])
    s = np.linalg.svd(Z, compute_uv=False)
    s = s[s > max(Z.shape) * EPS * s[0]]
    kappa = float(s[0] / s[-1])
    zn = float(s[0])
    T, w_prev, hist, speeds = float(t0), w0, [], []
    loss = LeastSquares(Z, Y)
    while True:
        w = identity_least_squares_flow(Z, Y, w0, T)
        change = relative_gap(w, w_prev)
        hist.append(
            {
                "T": T,
                "change": change,
                "loss": loss.value(w),
                "stationarity": 0.0,
                "speed": float(np.linalg.norm(Z.T @ (Z @ w - Y))),
                "speed_noise": EPS * zn * (zn * float(np.linalg.norm(w)) + float(np.linalg.norm(Y))),
            }
        )
        speeds.append([T, hist[-1]["speed"], hist[-1]["speed_noise"]])
        if change <= change_tol and len(hist) >= min_horizons:
            break
        if T >= t_max:
            raise Inconclusive("no stationarity within horizon", f"T = {T:.3g}, change {change:.3g}")
        w_prev, T = w, 2 * T
    rnd = 10 * EPS * kappa**2
    return FlowLimit(w, w, T, change, rnd, change + rnd, loss.value(w), 0, "GF (identity, closed form)", hist, speeds)


# -----------------------------------------------------------------------------------------
def compare_limit(
    limit: FlowLimit,
    target: ArrayLike,
    *,
    target_error: float = 0.0,
    what: str = "",
    floor: float = CLOSED_FORM_BUDGET,
    plot: Callable[[], list[Panel]] | None = None,
    scale: float | None = None,
    **details: Any,
) -> Outcome:
    r"""Outcome: :math:`\|w_{limit} - w_{target}\| / \max(\|w_{limit}\|, \|w_{target}\|, \text{scale})` against
    ``budget_from_error(limit.error + target_error, floor)``.

    ``scale`` is the size of the flow (e.g. :math:`\|w_0\|`): where the limit and the target are both 0 up to
    rounding -- a flow from :math:`w_0 = e_1` onto :math:`\{Zw = 0\}` whose nearest point is 0 -- their relative
    gap would otherwise be 1 (found at the thorough profile on li2022:identity).
    """
    target = as_vector(target, "target", limit.w.size)
    gap = relative_gap(limit.w, target, scale)
    err = float(limit.error + target_error)
    info = {"limit": limit.summary(), "target_error": target_error} | details
    return Outcome(gap, budget_from_error(err, floor), err, what, details=info, plot=plot, floor=float(floor))


def _data_of(loss) -> tuple[np.ndarray, np.ndarray]:
    Z, Y = getattr(loss, "Z", None), getattr(loss, "Y", None)
    if Z is None or Y is None:
        raise InvalidInput(
            f"the loss must be of the form L~(Zw) with attributes Z and Y, got {getattr(loss, 'name', loss)!r}"
        )
    return Z, Y


def flow_limit(G: Parametrization, loss: Loss, x_init: ArrayLike, **kw: Any) -> FlowLimit:
    """The GF limit: closed form for the identity on least squares, :func:`gradient_flow_limit` otherwise."""
    from oracles.model.parametrizations import Identity

    if isinstance(G, Identity) and isinstance(loss, LeastSquares):
        return identity_least_squares_limit(
            loss.Z, loss.Y, G.check_point(x_init, "x_init"), **{k: kw[k] for k in ("min_horizons", "t0") if k in kw}
        )
    return gradient_flow_limit(G, loss, x_init, **kw)


def exponential_loss_trajectory(
    X: ArrayLike, y: ArrayLike, a0: ArrayLike, t: ArrayLike, *, rtol: float = RTOL_FINE
) -> np.ndarray:
    r"""Gradient flow on the exponential loss :math:`\sum_i e^{-y_ix_i^\top a}` from ``a0``, sampled at times ``t``.

    Integrated in log-time :math:`s = \ln(1+t)`: :math:`da/ds = e^s Z^\top e^{-Za}` with :math:`Z = \mathrm{diag}(y)X`
    (exponent combined, no overflow), LSODA with its Jacobian, so horizons like :math:`t = 10^{100}` cost a few
    hundred steps. Returns the states, one row per time (``atol = rtol·1e-3``).
    """
    X = as_matrix(X, "X")
    y = as_vector(y, "y", X.shape[0])
    a0 = as_vector(a0, "a0", X.shape[1])
    t = np.asarray(t, float)
    if t.ndim != 1 or t.size == 0 or t[0] < 0 or np.any(np.diff(t) <= 0):
        raise InvalidInput("t must be a non-empty increasing 1-D array of times >= 0")
    Zc = y[:, None] * X
    ss = np.log1p(t)

    def rhs(s, a):
        return Zc.T @ np.exp(s - Zc @ a)

    def jac(s, a):
        e = np.exp(s - Zc @ a)
        return -(Zc.T @ (e[:, None] * Zc))

    return _segment(rhs, jac, (0.0, float(ss[-1])), a0, rtol, rtol * 1e-3, t_eval=ss).y.T


def exponential_gf_trajectory(
    G: Parametrization, loss: Loss, x_init: ArrayLike, t: ArrayLike, *, rtol: float = RTOL_FINE
) -> np.ndarray:
    r"""Gradient flow of :math:`L\circ G` for the exponential loss :math:`L(w) = \sum_ie^{-z_i^\top w}` (or a loss with
    ``scaled_grad(w, σ)`` = :math:`e^\sigma\nabla L(w)`, exponents combined), sampled at times ``t``.

    The reparametrized form of :func:`exponential_loss_trajectory` (which it is for the identity): in log-time
    :math:`s = \ln(1+t)`, :math:`dx/ds = e^s\,\partial G(x)^\top Z_c^\top e^{-Z_cG(x)} = \partial G^\top Z_c^\top e^{s - Z_cG(x)}`
    (exponent combined), LSODA with its own Jacobian estimate, ``atol = rtol·1e-3·max(|x_0|_∞, 1e-6)``.
    Returns the states x, one row per time. The flows li2022's convergence controls follow to :math:`t = 10^{60}`.
    """
    from oracles.model.parametrizations import Identity

    x0 = G.check_point(x_init, "x_init")
    if isinstance(G, Identity) and hasattr(loss, "Zc"):
        return exponential_loss_trajectory(cast(Any, loss).X, cast(Any, loss).y, x0, t, rtol=rtol)
    t = np.asarray(t, float)
    if t.ndim != 1 or t.size == 0 or t[0] < 0 or np.any(np.diff(t) <= 0):
        raise InvalidInput("t must be a non-empty increasing 1-D array of times >= 0")
    if loss.d != G.d:
        raise InvalidInput(f"the loss acts on R^{loss.d} but G maps into R^{G.d}")
    if hasattr(loss, "Zc"):
        Zc = loss.Zc

        def scaled_grad(w, s):
            return -(Zc.T @ np.exp(s - Zc @ w))
    elif hasattr(loss, "scaled_grad"):
        scaled_grad = loss.scaled_grad
    else:
        raise InvalidInput(
            f"{getattr(loss, 'name', loss)!r} has no exponent-combined gradient for a log-time integration"
        )
    ss = np.log1p(t)

    def rhs(s, x):
        return -(G.jacobian(x).T @ scaled_grad(G.value(x), s))

    atol = rtol * 1e-3 * max(float(np.max(np.abs(x0))), ATOL_FLOOR)
    return _segment(rhs, None, (0.0, float(ss[-1])), x0, rtol, atol, t_eval=ss).y.T


__all__ = [
    "FlowLimit",
    "LIMITS",
    "compare_limit",
    "exponential_gf_trajectory",
    "exponential_loss_trajectory",
    "flow_limit",
    "gradient_flow_limit",
    "identity_least_squares_flow",
    "identity_least_squares_limit",
    "mirror_flow_limit",
]
