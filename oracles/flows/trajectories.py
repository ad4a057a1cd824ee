r"""Flows: of a single field :math:`+\nabla G_i`, the map :math:`\psi`, gradient flow and mirror flow.

* :func:`field_flow` -- :math:`x \mapsto` the point reached from x after time t along
  :math:`+\nabla G_i` (closed form when the parametrization has one, else ``solve_ivp``).
* :func:`psi` -- :math:`\psi(x;\mu) = \varphi_1^{\mu_1}\circ\dots\circ\varphi_d^{\mu_d}(x)` with the
  **+** convention of docs/catalog.md (P1); ``sign=-1`` gives the literal definition of li2022
  §3.2 (flows of :math:`-\nabla G_i`), kept for the negative control.
* :func:`gradient_flow` -- :math:`\dot x = -\partial G(x)^\top\nabla L_t(G(x))` for a
  piecewise-constant schedule (li2022 Def. 3.1), returning x(t), w(t) = G(x(t)) and
  :math:`\mu(t) = \int_0^t -\nabla L_s(w(s))\,ds`.
* :func:`mirror_flow` -- :math:`d\nabla R(w) = -\nabla L_t(w)\,dt`, integrated in the dual
  variable :math:`\theta = \nabla R(w)` when :math:`(\nabla R)^{-1}` is available.

Every integration uses :func:`scipy.integrate.solve_ivp`, restarts at the switching times of the
schedule, stops with :class:`~oracles.core.errors.Inconclusive` on blow-up, on leaving the domain M or
on solver failure, and counts its right-hand-side evaluations (``nfev``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import expm

from oracles.core.errors import Inconclusive, InvalidInput, as_vector
from oracles.core.ode import DEFAULT, FORTRAN_DOP853, Integrator, event
from oracles.model.losses import Linear, Loss, Schedule
from oracles.model.parametrizations import Parametrization, Quadratic

if TYPE_CHECKING:
    from oracles.model.potentials import Potential

#: The fixed-horizon flows' integrator (DOP853, rtol 1e-10, atol 1e-13, capped, blow-up at 1e8).
RTOL, ATOL = DEFAULT.rtol, DEFAULT.atol


@dataclass
class FlowResult:
    """A sampled gradient-flow trajectory; rows are the times ``t``."""

    t: np.ndarray
    x: np.ndarray
    w: np.ndarray
    mu: np.ndarray
    nfev: int


@dataclass
class MirrorFlowResult:
    """A sampled mirror-flow trajectory: ``w(t)`` and the dual variable ``theta(t) = ∇R(w(t))``."""

    t: np.ndarray
    w: np.ndarray
    theta: np.ndarray
    nfev: int


def _integrator(method: str, rtol: float, atol: float) -> Integrator:
    return DEFAULT.at(rtol=rtol, atol=atol, method=method)


def _events_for(G: Parametrization, x0: np.ndarray) -> list[Callable[[float, np.ndarray], float]]:
    """Leaving M (when M is not all of R^D) is inconclusive: a terminal event on ``G.domain_margin``."""
    if math.isinf(G.domain_margin(x0)):
        return []
    return [event(lambda t, y: G.domain_margin(y[: G.D]), reason="leaves domain")]


# -----------------------------------------------------------------------------------------
def field_flow(
    G: Parametrization, i: int, t: float, x: ArrayLike, *, method: str = "auto", rtol: float = RTOL, atol: float = ATOL
) -> np.ndarray:
    r"""The point reached from ``x`` after time ``t`` along :math:`+\nabla G_i` (``t`` may be negative).

    ``method="auto"`` uses the parametrization's closed form when it has one, ``"ode"`` always
    integrates (DOP853, the Fortran route of :mod:`oracles.core.ode`: one sample, at t).
    """
    x = G.check_point(x)
    if not 0 <= i < G.d:
        raise InvalidInput(f"field index i must be in [0, {G.d}), got {i}")
    if t == 0:
        return x.copy()
    if method == "auto":
        y = G.flow(i, t, x)
        if y is not None:
            if not np.all(np.isfinite(y)) or np.max(np.abs(y)) > DEFAULT.blow_up:
                raise Inconclusive("blow-up", f"flow of +grad G_{i} for time {t:.4g}")
            return y
    lo, hi = G.flow_horizon(i, x)
    if not lo < t < hi:
        raise Inconclusive(
            "blow-up" if t >= hi else "leaves domain", f"flow of +grad G_{i} exists on ({lo:.4g}, {hi:.4g})"
        )
    sol = _integrator(FORTRAN_DOP853, rtol, atol).solve(
        lambda s, y: G.jacobian(y)[i], (0.0, t), x, events=_events_for(G, x)
    )
    return sol.final


def psi(
    G: Parametrization,
    x: ArrayLike,
    mu: ArrayLike,
    *,
    sign: int = +1,
    method: str = "auto",
    rtol: float = RTOL,
    atol: float = ATOL,
) -> np.ndarray:
    r""":math:`\psi(x;\mu) = \varphi_1^{\mu_1}\circ\cdots\circ\varphi_d^{\mu_d}(x)` (li2022 eq. 4).

    :math:`\varphi_i^{s}` flows along ``sign``·:math:`\nabla G_i` for time s; ``sign=+1`` is the
    convention under which Lemmas 4.6/4.7 hold (docs/catalog.md, P1). The innermost map,
    applied first, is :math:`\varphi_d`. ``method``: ``"auto"`` (closed forms where known; one
    matrix exponential for a commuting quadratic family), ``"compose"`` (closed-form flows
    composed one by one) or ``"ode"`` (integrate every flow).
    """
    x = G.check_point(x)
    mu = as_vector(mu, "mu", G.d)
    if sign not in (+1, -1):
        raise InvalidInput(f"sign must be +1 or -1, got {sign}")
    if method == "auto" and isinstance(G, Quadratic) and G.commutator_norm() < 1e-13:
        eig = G.common_eigenbasis()
        if eig is not None:  # exp(sum mu_i A_i) x in the shared eigenbasis (Theorem 4.15(a))
            O, Lam = eig
            return O @ (np.exp(sign * (mu @ Lam)) * (O.T @ x))
        return expm(np.tensordot(sign * mu, G.A, axes=1)) @ x
    step = "ode" if method == "ode" else "auto"
    y = x
    for i in reversed(range(G.d)):
        y = field_flow(G, i, sign * mu[i], y, method=step, rtol=rtol, atol=atol)
    return y


def _integrate_piecewise(
    make_rhs: Callable[[Loss], Callable[[float, np.ndarray], np.ndarray]],
    y0: np.ndarray,
    schedule: Schedule,
    t_eval: np.ndarray,
    events: list[Callable[..., float]],
    integrator: Integrator,
    watch: int,
    exact: Callable[[Loss, np.ndarray, np.ndarray], np.ndarray | None] | None = None,
) -> tuple[np.ndarray, int]:
    """Integrate piece by piece of ``schedule``, sampling at ``t_eval``; return (Y, nfev).

    ``exact(loss, y, tau)``, when given, returns the states at the elapsed times ``tau`` (rows) of a piece that
    has a closed form, or ``None`` to integrate it.
    """
    bps = schedule.breakpoints
    slack = 1e-12 * max(1.0, schedule.total_time)
    Y = np.full((t_eval.size, y0.size), np.nan)
    y, nfev = y0.astype(float), 0
    for k, (dur, loss) in enumerate(schedule.pieces):
        a, b = bps[k], bps[k + 1]
        inside = np.flatnonzero((t_eval >= a - slack) & (t_eval <= b + slack))
        if dur == 0:
            Y[inside] = y
            continue
        want = t_eval[inside].clip(a, b)
        pts = _sample_times(want, b)
        closed = exact(loss, y, pts - a) if exact is not None else None
        if closed is not None:
            Y[inside] = closed[pts.searchsorted(want)]
            y = closed[-1]
            continue
        sol = integrator.solve(make_rhs(loss), (a, b), y, t_eval=pts, events=events, watch=watch)
        nfev += sol.nfev
        Y[inside] = sol.y.T[pts.searchsorted(want)]
        y = sol.y[:, -1]
    return Y, nfev


def _sample_times(want: np.ndarray, end: float) -> np.ndarray:
    """The distinct times of the sorted ``want`` with ``end`` appended (``np.union1d(want, [end])`` without a sort)."""
    if want.size > 1:
        want = want[np.concatenate(([True], want[1:] != want[:-1]))]
    return want if want.size and want[-1] == end else np.append(want, end)


def _time_grid(schedule: Schedule, t_eval: ArrayLike | None) -> np.ndarray:
    if t_eval is None:
        t_eval = np.linspace(0.0, schedule.total_time, 33)
    t_eval = np.asarray(t_eval, dtype=float)
    if t_eval.ndim != 1 or t_eval.size == 0 or not (t_eval[1:] >= t_eval[:-1]).all():
        raise InvalidInput("t_eval must be a non-empty increasing 1-D array")
    if not (t_eval[0] >= 0 and t_eval[-1] <= schedule.total_time * (1 + 1e-12)):
        raise InvalidInput(f"t_eval must lie in [0, {schedule.total_time}] (the schedule's span)")
    return t_eval


def gradient_flow(
    G: Parametrization,
    schedule: Schedule,
    x_init: ArrayLike,
    *,
    t_eval: ArrayLike | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
    method: str = "auto",
) -> FlowResult:
    r"""Gradient flow :math:`\dot x = -\nabla(L_t\circ G)(x)` with :math:`\mu` integrated alongside.

    Parameters
    ----------
    G
        The parametrization.
    schedule
        The piecewise-constant loss; the flow runs on ``[0, schedule.total_time]``.
    x_init
        Starting point, inside M.
    t_eval
        Sample times (default: 33 equispaced points).
    method
        ``"auto"`` (default): LSODA through ``odeint`` when M is all of R^D; DOP853 when it is not, with leaving M
        as an event: Hairer's Fortran code (``FORTRAN_DOP853``, see :mod:`oracles.core.ode`) for an end point (at most two
        samples; conj-4.10's oracle time 12.7 → 7.2 s, seed 1, thorough), ``solve_ivp``'s (``"DOP853"``) for a
        trajectory, whose samples are often denser than the steps (thm-5.1 at ``ci``: 2.5 s against 4.2 s with
        the Fortran route). Any method name of :mod:`oracles.core.ode` forces that one; ``"LSODA"`` on a G with
        a boundary watches it on every evaluated state instead (a guard, see :mod:`oracles.core.ode`). LSODA
        is 2-3x faster on the suite's small flows (no Python round trip per step); its error is a few times
        larger at the same rtol (UVᵀ, 2 × 2, rtol 1e-11: 1.0e-10 relative against DOP853's 1.7e-11), which
        the two-tolerance budgets see, since both of their solves use the same method. On thm-4.8's G with
        a boundary (x^p, u⊙2 − v⊙2) LSODA saved 16% of the check but made its budgets 1.9× larger (median;
        22× at the 90th percentile) through the coarse solve: a weaker test, so auto keeps DOP853 there.

    Returns
    -------
    FlowResult
        ``x``, ``w = G(x)`` and ``mu`` sampled at ``t``, with the number of RHS evaluations.

    Raises
    ------
    Inconclusive
        On blow-up, on leaving M, or when the solver fails.
    """
    x0 = G.validate(x_init, "x_init")
    if schedule.d != G.d:
        raise InvalidInput(f"the schedule's losses act on R^{schedule.d} but G maps into R^{G.d}")
    t_eval = _time_grid(schedule, t_eval)
    D = G.D

    def make_rhs(loss: Loss) -> Callable[[float, np.ndarray], np.ndarray]:
        value_and_vjp, cat = G.value_and_vjp, np.concatenate
        if isinstance(loss, Linear):  # ∇L is the constant c: no G(x) to evaluate at all
            minus_c, jacobian = -loss.c, G.jacobian

            def linear_rhs(t: float, y: np.ndarray) -> np.ndarray:
                return cat((minus_c @ jacobian(y[:D]), minus_c))

            return linear_rhs

        def rhs(
            t: float, y: np.ndarray
        ) -> np.ndarray:  # ∂G(x)ᵀ∇L(G(x)) as a pullback: the Jacobian itself is never needed
            w, vjp = value_and_vjp(y[:D])
            g = loss.grad(w)
            return cat((-vjp(g), -g))

        return rhs

    y0 = np.concatenate([x0, np.zeros(G.d)])
    events = _events_for(G, x0)
    if method == "auto":  # see the docstring
        method = (FORTRAN_DOP853 if t_eval.size <= 2 else "DOP853") if events else "LSODA"
    Y, nfev = _integrate_piecewise(make_rhs, y0, schedule, t_eval, events, _integrator(method, rtol, atol), D)
    X = Y[:, :D]
    return FlowResult(t_eval, X, G.values(X), Y[:, D:], nfev)


def mirror_flow(
    R: Potential,
    schedule: Schedule,
    w_init: ArrayLike,
    *,
    t_eval: ArrayLike | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
    method: str = "LSODA",
) -> MirrorFlowResult:
    r"""Mirror flow :math:`d\nabla R(w) = -\nabla L_t(w)\,dt` from ``w_init``.

    Integrated in the dual variable :math:`\theta = \nabla R(w)`, :math:`\dot\theta = -\nabla
    L_t((\nabla R)^{-1}(\theta))`, when ``R.grad_inv`` is available; otherwise in the primal,
    :math:`\dot w = -\nabla^2R(w)^{-1}\nabla L_t(w)`. On a piece with a linear loss :math:`\langle c, w\rangle`
    the dual flow is exact, :math:`\theta(t) = \theta(t_k) - c\,(t - t_k)`: no ODE is solved there.

    The default solver is LSODA (through :func:`scipy.integrate.odeint`, see :mod:`oracles.core.ode`): a dual
    flow is a small ODE with a cheap right-hand side, where per-step overhead is most of the cost; on the
    d = 3 commuting-quadratic benchmark it needs half the evaluations of DOP853 at the same accuracy.

    Raises
    ------
    Inconclusive
        On blow-up (of θ, or of w = (∇R)⁻¹(θ) at a sample), or when the solver fails.
    """
    w0 = as_vector(w_init, "w_init")
    if schedule.d != w0.size:
        raise InvalidInput(f"the schedule's losses act on R^{schedule.d} but w_init has length {w0.size}")
    if not R.in_domain(w0):
        raise InvalidInput(f"w_init is outside dom R of {R.name}")
    t_eval = _time_grid(schedule, t_eval)
    integrator = _integrator(method, rtol, atol)
    if getattr(R, "has_grad_inv", True):

        def make_rhs(loss):
            fused = R.dual_field(loss) if hasattr(R, "dual_field") else None
            return fused if fused is not None else (lambda t, th: -loss.grad(R.grad_inv(th)))

        def exact(loss, th, tau):
            return th[None, :] - tau[:, None] * loss.c[None, :] if isinstance(loss, Linear) else None

        Th, nfev = _integrate_piecewise(make_rhs, R.grad(w0), schedule, t_eval, [], integrator, w0.size, exact)
        with np.errstate(over="ignore", invalid="ignore"):
            W = R.grad_inv(Th) if getattr(R, "rowwise", False) else np.array([R.grad_inv(th) for th in Th])
        if not np.all(np.isfinite(W)) or np.max(np.linalg.norm(W, axis=1)) > integrator.blow_up:
            raise Inconclusive("blow-up", f"w = (grad R)^-1(theta) exceeds {integrator.blow_up:g} or is non-finite")
    else:

        def make_rhs(loss):
            return lambda t, w: -np.linalg.solve(R.hess(w), loss.grad(w))

        W, nfev = _integrate_piecewise(make_rhs, w0, schedule, t_eval, [], integrator, w0.size)
        Th = np.array([R.grad(w) for w in W])
    return MirrorFlowResult(t_eval, W, Th, nfev)
