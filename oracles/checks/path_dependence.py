r"""Path dependence: witnesses that gradient flow under :math:`w = G(x)` is not a mirror flow (li2022 Cor. 4.11).

**The invariant a mirror flow must have.** If :math:`w(t) = G(x(t))` solves a mirror flow
:math:`d\nabla R(w) = -\nabla L_t(w)\,dt` for some Legendre R, then
:math:`\nabla R(w(T)) = \nabla R(w(0)) + \mu(T)` with :math:`\mu(T) = \int_0^T -\nabla L_t(w(t))\,dt`,
and since :math:`\nabla R` is injective, **w(T) is a function of μ(T) alone**. For linear losses
:math:`L(w) = \langle c, w\rangle` (:class:`oracles.model.losses.Linear`) the dual variable moves at the
constant velocity :math:`-c`, so :math:`\mu(T) = -\sum_k \tau_k c_k` for a schedule of pieces
:math:`(\tau_k, c_k)`, whatever the trajectory. Two schedules with the same :math:`\sum_k\tau_kc_k`
started at the same :math:`x_{init}` and ending at different :math:`w(T)` therefore prove that no
Legendre R makes the gradient flow a mirror flow for both losses (a *path-dependence witness*).

**A single loss.** li2022 Cor. 4.11 quantifies over one time-dependent loss. A pair (A, B) gives one:
the gradient flow of a linear piece :math:`(\tau, c)` is the autonomous flow of :math:`-\partial G^\top c`,
and the piece :math:`(\tau, -c)` undoes it exactly, so along the single schedule
:math:`A \cdot A^{-1} \cdot B` (:func:`single_schedule_witness`) the trajectory passes through
:math:`G(x_A(T))` at time :math:`T_A` and :math:`G(x_B(T))` at the end with the same μ both times: a
mirror flow would need :math:`\nabla R` to take one value at two different points.

**Closed form for quadratic G.** For :math:`G_i(x) = \tfrac12x^\top A_ix` and a linear piece
:math:`(\tau, c)` the gradient flow is :math:`\dot x = -\sum_i c_i A_i x = -Cx`, so
:math:`x \mapsto e^{-\tau C}x` with C symmetric. :func:`linear_schedule_endpoint` computes it through
``eigh`` (:math:`e^{-\tau C} = V e^{-\tau\Lambda}V^\top`) and, as an independent error estimate, through
a scaled-and-squared Taylor series (:func:`expm_taylor`); the change between the two is the error. Other parametrizations are
integrated with :func:`oracles.flows.gradient_flow` at rtol 1e-8 and 1e-11.

**Hessian metrics.** If GF is a mirror flow then :math:`\dot w = -\partial G\partial G^\top\nabla L =
-\nabla^2R(w)^{-1}\nabla L` for every L, so where :math:`g(w) = \partial G\partial G^\top` is a function of
w, :math:`g^{-1} = \nabla^2 R` must be a Hessian metric: :math:`\partial_k (g^{-1})_{ij}` is totally
symmetric. :func:`hessian_metric_defect` measures the asymmetry :math:`\partial_k h_{ij} - \partial_i h_{kj}`
by central differences at steps h and 2h (the change is the error estimate).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable, cast

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize

from oracles.core.errors import Inconclusive, InvalidInput, as_vector
from oracles.core.fd import central_difference
from oracles.core.ode import DEFAULT, TWO_TOLERANCES
from oracles.core.outcome import CLOSED_FORM_BUDGET, EPS, Outcome, Panel, budget_from_error, roundoff_floor, worst
from oracles.flows.trajectories import gradient_flow
from oracles.model.losses import Linear, Schedule
from oracles.model.parametrizations import Parametrization, Quadratic

if TYPE_CHECKING:
    from oracles.model.hopf import HopfChart

#: Tolerances of the two integrations whose difference is the error estimate of an ODE endpoint.
RTOL_COARSE, RTOL_FINE = TWO_TOLERANCES.coarse.rtol, TWO_TOLERANCES.fine.rtol
#: Budget floor when end points of two different integrations are compared: 100 × the fine tolerance.
ODE_FLOOR = max(roundoff_floor(1e3), 100 * RTOL_FINE)


# -----------------------------------------------------------------------------------------
# linear schedules and their μ
def check_linear(schedule: Schedule, name: str = "schedule") -> list[tuple[float, np.ndarray]]:
    """The ``(duration, c)`` pieces of a schedule of linear losses; :class:`InvalidInput` otherwise."""
    if not isinstance(schedule, Schedule):
        raise InvalidInput(f"{name} must be an oracles.model.losses.Schedule, got {type(schedule).__name__}")
    pieces = []
    for k, (dur, loss) in enumerate(schedule.pieces):
        if not isinstance(loss, Linear):
            raise InvalidInput(
                f"{name}: piece {k} is a {type(loss).__name__} loss; path-dependence witnesses "
                f"need linear losses <c, w> (oracles.model.losses.Linear)"
            )
        pieces.append((float(dur), loss.c))
    return pieces


def linear_mu(schedule: Schedule) -> np.ndarray:
    r""":math:`\mu(T) = -\sum_k \tau_k c_k` of a schedule of linear losses (independent of the trajectory)."""
    pieces = check_linear(schedule)
    return cast(np.ndarray, -sum(dur * c for dur, c in pieces))


def mu_mismatch(A: Schedule, B: Schedule) -> float:
    r""":math:`\|\mu_A(T) - \mu_B(T)\| / \max(\|\mu_A\|, \|\mu_B\|, 1)`: zero for a valid pair."""
    ma, mb = linear_mu(A), linear_mu(B)
    return float(np.linalg.norm(ma - mb) / max(float(np.linalg.norm(ma)), float(np.linalg.norm(mb)), 1.0))


def check_pair(G: Parametrization, A: Schedule, B: Schedule) -> None:
    """Validate a candidate pair: linear losses on R^d with d = G.d and equal μ(T)."""
    for name, S in (("A", A), ("B", B)):
        check_linear(S, name)
        if S.d != G.d:
            raise InvalidInput(f"schedule {name} acts on R^{S.d} but G maps into R^{G.d}")
    mis = mu_mismatch(A, B)
    if mis > 1e-12:
        raise InvalidInput(
            f"schedules A and B must have the same total mu = -sum(duration * c); relative mismatch {mis:.3g}"
        )


def single_schedule_witness(A: Schedule, B: Schedule) -> Schedule:
    r"""The one schedule :math:`A\cdot A^{-1}\cdot B` of li2022 Cor. 4.11's form (see the module docstring).

    :math:`A^{-1}` runs A's pieces in reverse order with :math:`c \to -c`; for linear losses it returns
    the gradient flow exactly to :math:`x_{init}` and μ to 0. At time :math:`T_A` and at the end μ is
    the same, and w is :math:`G(x_A)` and :math:`G(x_B)` respectively.
    """
    pa = check_linear(A, "A")
    check_linear(B, "B")
    back = tuple((dur, Linear(-c)) for dur, c in reversed(pa))
    return Schedule(tuple(A.pieces) + back + tuple(B.pieces))


# -----------------------------------------------------------------------------------------
# end points
def _expm_eigh(C: np.ndarray, tau: float, x: np.ndarray) -> np.ndarray:
    lam, V = np.linalg.eigh(C)
    return V @ (np.exp(-tau * lam) * (V.T @ x))


def expm_taylor(M: np.ndarray, terms: int = 24) -> np.ndarray:
    r""":math:`e^M` by scaling and squaring of the Taylor series in plain numpy (independent of ``eigh``).

    :math:`X = M/2^s` with :math:`\|X\|_1 \le 1/2`, 24 Taylor terms (truncation below
    :math:`0.5^{25}/25! \approx 10^{-33}`), then s squarings. Used instead of ``scipy.linalg.expm``,
    whose Padé step calls multithreaded BLAS on tiny matrices and takes milliseconds per call when
    the cores are busy.
    """
    M = np.asarray(M, float)
    norm = float(np.max(np.sum(np.abs(M), axis=0))) if M.size else 0.0
    s = int(math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    X = M / 2.0**s
    E = np.eye(M.shape[0])
    term = np.eye(M.shape[0])
    for k in range(1, terms + 1):
        term = term @ X / k
        E = E + term
    for _ in range(s):
        E = E @ E
    return E


def linear_schedule_endpoint(
    G: Parametrization, schedule: Schedule, x_init: ArrayLike, *, method: str = "eigh"
) -> np.ndarray:
    r""":math:`x(T) = e^{-\tau_K C_K}\cdots e^{-\tau_1 C_1}x_{init}`, :math:`C_k = \sum_i c_{k,i}A_i`, exactly.

    ``method="eigh"`` uses the spectral decomposition of the symmetric :math:`C_k`; ``"taylor"`` uses
    :func:`expm_taylor` (the independent second evaluation). Raises :class:`Inconclusive` when
    :math:`\|x\|` exceeds ``DEFAULT.blow_up`` (:data:`oracles.core.ode.DEFAULT`).
    """
    if not isinstance(G, Quadratic):
        raise InvalidInput(f"the closed form needs a Quadratic parametrization, got {type(G).__name__}")
    x = G.check_point(x_init, "x_init")
    for dur, c in check_linear(schedule):
        C = np.tensordot(c, G.A, axes=1)
        x = _expm_eigh(C, dur, x) if method == "eigh" else expm_taylor(-dur * C) @ x
        if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > DEFAULT.blow_up:
            raise Inconclusive("blow-up", f"|x| exceeds {DEFAULT.blow_up:g} along a linear schedule")
    return x


def linear_schedule_path(G: Parametrization, schedule: Schedule, x_init: ArrayLike, t: ArrayLike) -> np.ndarray:
    """``w(t) = G(x(t))`` at the times ``t`` (closed form for quadratic G, else integrated), rows = times."""
    t = np.asarray(t, float)
    if isinstance(G, Quadratic):
        x = G.check_point(x_init, "x_init")
        bps = schedule.breakpoints
        out = np.empty((t.size, G.d))
        pieces = check_linear(schedule)
        k, xk = 0, x
        for n, tn in enumerate(t):
            while k < len(pieces) - 1 and tn > bps[k + 1]:
                xk = _expm_eigh(np.tensordot(pieces[k][1], G.A, axes=1), pieces[k][0], xk)
                k += 1
            C = np.tensordot(pieces[k][1], G.A, axes=1)
            out[n] = G.value(_expm_eigh(C, min(tn, bps[k + 1]) - bps[k], xk))
        return out
    return gradient_flow(G, schedule, x_init, t_eval=t).w


def _endpoints(G: Parametrization, A: Schedule, B: Schedule, x_init, method: str):
    """(wA, wB, xA, xB, error, work, how): fine end points and the estimated error of their difference."""
    if method == "auto":
        method = "closed" if isinstance(G, Quadratic) else "ode"
    if method == "closed":
        xa = linear_schedule_endpoint(G, A, x_init)
        xb = linear_schedule_endpoint(G, B, x_init)
        xa2 = linear_schedule_endpoint(G, A, x_init, method="taylor")
        xb2 = linear_schedule_endpoint(G, B, x_init, method="taylor")
        wa, wb = G.value(xa), G.value(xb)
        err = max(float(np.linalg.norm(wa - G.value(xa2))), float(np.linalg.norm(wb - G.value(xb2))))
        return wa, wb, xa, xb, err, (len(A.pieces) + len(B.pieces)) * G.D**2, "closed form (eigh; Taylor expm as check)"
    if method != "ode":
        raise InvalidInput(f"method must be 'auto', 'closed' or 'ode', got {method!r}")
    ends = {}
    for tol in (RTOL_COARSE, RTOL_FINE):
        for name, S in (("A", A), ("B", B)):
            res = gradient_flow(G, S, x_init, t_eval=[0.0, S.total_time], rtol=tol)
            ends[name, tol] = (res.w[-1], res.x[-1])
    (wa, xa), (wb, xb) = ends["A", RTOL_FINE], ends["B", RTOL_FINE]
    err = max(
        float(np.linalg.norm(wa - ends["A", RTOL_COARSE][0])), float(np.linalg.norm(wb - ends["B", RTOL_COARSE][0]))
    )
    return wa, wb, xa, xb, err, 1e3, f"integrated (rtol {RTOL_COARSE:g} vs {RTOL_FINE:g})"


def endpoint_gap(
    G: Parametrization,
    x_init: ArrayLike,
    pair: tuple[Schedule, Schedule],
    *,
    method: str = "auto",
    with_plot: bool = True,
) -> Outcome:
    r"""The path-dependence gap of a fixed candidate pair of equal-μ linear schedules.

    Parameters
    ----------
    G
        The parametrization; quadratic ones use the closed form :math:`x(T) = \prod e^{-\tau_kC_k}x_{init}`.
    x_init
        The common starting point, in M.
    pair
        ``(A, B)``: schedules of :class:`~oracles.model.losses.Linear` losses with
        :math:`\sum\tau_kc_k` equal (checked).
    method
        ``"auto"`` (closed form for :class:`Quadratic`, else ODE), ``"closed"`` or ``"ode"``.

    Returns
    -------
    Outcome
        discrepancy :math:`\|w_A(T) - w_B(T)\| / \max(\|w_A(T)\|, \|w_B(T)\|, \|w(0)\|)`; a mirror flow has
        0. Error: the change of :math:`w_A, w_B` between eigh and Taylor (closed form) or between
        rtol 1e-8 and 1e-11 (ODE), relative to the same scale. Budget ``budget_from_error(error, floor)``
        with floor ``CLOSED_FORM_BUDGET + roundoff_floor(work)`` (closed) or :data:`ODE_FLOOR` = 1e-9
        (ODE: two different integrations are compared, each only as good as rtol 1e-11, which the
        coarse–fine change does not see when the coarse run happens to be as accurate).
        ``plot`` draws both trajectories in w and their gap over time.
    """
    try:
        A, B = pair
    except (TypeError, ValueError) as exc:
        raise InvalidInput("pair must be a tuple (A, B) of two schedules") from exc
    x0 = G.check_point(x_init, "x_init")
    check_pair(G, A, B)
    wa, wb, xa, xb, err, work, how = _endpoints(G, A, B, x0, method)
    w0 = G.value(x0)
    scale = max(float(np.linalg.norm(wa)), float(np.linalg.norm(wb)), float(np.linalg.norm(w0)), 1e-300)
    gap = float(np.linalg.norm(wa - wb)) / scale
    rel_err = err / scale
    floor = CLOSED_FORM_BUDGET + roundoff_floor(work) if how.startswith("closed") else ODE_FLOOR
    details = {
        "mu": linear_mu(A).tolist(),
        "w_A(T)": wa.tolist(),
        "w_B(T)": wb.tolist(),
        "w(0)": w0.tolist(),
        "pieces_A": len(A.pieces),
        "pieces_B": len(B.pieces),
        "T_A": A.total_time,
        "T_B": B.total_time,
        "evaluation": how,
        # the x end points may differ while w's agree (a mirror flow seen through a non-injective G)
        "x_gap_relative": float(np.linalg.norm(xa - xb)) / max(float(np.linalg.norm(x0)), 1e-300),
    }
    plot = (lambda: path_panels(G, x0, (A, B))) if with_plot else None
    return Outcome(
        gap,
        budget_from_error(rel_err, floor),
        rel_err,
        "relative gap between w(T) of two equal-μ linear schedules (0 for any mirror flow)",
        details=details,
        plot=plot,
    )


def same_endpoint_witness(
    G: Parametrization,
    x_init: ArrayLike,
    pair: tuple[Schedule, Schedule],
    *,
    method: str = "auto",
    claim: str = "witness",
) -> Outcome:
    r"""The dual witness of li2022 Theorem 4.9's "G must be regular": **different** μ, the **same** w(T).

    A mirror flow has :math:`\nabla R(w(T)) = \nabla R(w(0)) + \mu(T)`, so two schedules from one
    :math:`x_{init}` whose :math:`\mu(T) = -\sum_k\tau_kc_k` differ must end at different w (∇R is a function).
    At an irregular point of x⊙2 (:math:`x_i = 0`) or of u⊙2 − v⊙2 (:math:`u_i = v_i = 0`) the flow keeps
    the coordinate at 0 exactly and the other coordinates do not see :math:`c_i`, so schedules that differ
    only in :math:`c_i` end at the same w while their μ differ: no Legendre R makes both a mirror flow.

    Parameters
    ----------
    G, x_init
        The parametrization and the common start.
    pair
        ``(A, B)``: schedules of :class:`~oracles.model.losses.Linear` losses with **different** μ(T).
    method
        As in :func:`endpoint_gap`.
    claim
        ``"witness"`` (the statement): discrepancy :math:`\|\mu_A - \mu_B\| / \max(\|\mu_A\|, \|\mu_B\|, 1)` when
        the end points agree within their budget (a witness; the budget is ``CLOSED_FORM_BUDGET``: μ is
        exact up to rounding), else 0 (this pair witnesses nothing). ``"equal-w"``: the planted claim
        that the end points agree, discrepancy the relative gap of :math:`w_A(T), w_B(T)` against
        :func:`endpoint_gap`'s budget.
    """
    try:
        A, B = pair
    except (TypeError, ValueError) as exc:
        raise InvalidInput("pair must be a tuple (A, B) of two schedules") from exc
    if claim not in ("witness", "equal-w"):
        raise InvalidInput(f"claim must be 'witness' or 'equal-w', got {claim!r}")
    x0 = G.check_point(x_init, "x_init")
    for name, S in (("A", A), ("B", B)):
        check_linear(S, name)
        if S.d != G.d:
            raise InvalidInput(f"schedule {name} acts on R^{S.d} but G maps into R^{G.d}")
    ma, mb = linear_mu(A), linear_mu(B)
    mu_gap = float(np.linalg.norm(ma - mb) / max(float(np.linalg.norm(ma)), float(np.linalg.norm(mb)), 1.0))
    if claim == "witness" and mu_gap <= 1e-12:
        raise InvalidInput("schedules A and B must have different total mu = -sum(duration * c)")
    wa, wb, xa, xb, err, work, how = _endpoints(G, A, B, x0, method)
    w0 = G.value(x0)
    scale = max(float(np.linalg.norm(wa)), float(np.linalg.norm(wb)), float(np.linalg.norm(w0)), 1e-300)
    w_gap, rel_err = float(np.linalg.norm(wa - wb)) / scale, err / scale
    floor = CLOSED_FORM_BUDGET + roundoff_floor(work) if how.startswith("closed") else ODE_FLOOR
    w_budget = budget_from_error(rel_err, floor)
    details = {
        "mu_A": ma.tolist(),
        "mu_B": mb.tolist(),
        "mu_gap_relative": mu_gap,
        "w_A(T)": wa.tolist(),
        "w_B(T)": wb.tolist(),
        "w_gap_relative": w_gap,
        "w_budget": float(w_budget),
        "rank_dG(x_init)": int(np.linalg.matrix_rank(G.jacobian(x0))),
        "evaluation": how,
    }
    if claim == "equal-w":
        return Outcome(
            w_gap,
            w_budget,
            rel_err,
            "relative gap between w(T) of two schedules with different μ (planted: 0)",
            details=details,
        )
    disc = mu_gap if w_gap <= w_budget else 0.0
    return Outcome(
        disc,
        CLOSED_FORM_BUDGET,
        0.0,
        "‖μ_A − μ_B‖ / max(‖μ‖, 1) when w_A(T) = w_B(T) within budget, else 0 (a mirror flow needs 0)",
        details=details,
    )


def mu_determines_w(G: Parametrization, x_init: ArrayLike, schedule: Schedule) -> Outcome:
    r"""Path independence under **any** losses: w(T) must be a function of :math:`\mu(T) = \int_0^T -\nabla L_t(w)dt`.

    For non-linear losses μ(T) depends on the trajectory, so it is integrated with the flow
    (:func:`oracles.flows.gradient_flow` returns it). The second route to the same μ is the straight one:
    the linear loss :math:`\langle -\mu(T), w\rangle` for unit time, whose dual variable moves from 0 to μ(T).
    Under a mirror flow both end where :math:`\nabla R(w) = \nabla R(w(0)) + \mu(T)`, at the same w. No R is
    needed, so this probes Conjecture 4.10 with the losses it quantifies over.

    Returns
    -------
    Outcome
        discrepancy :math:`\|w_S(T) - w_{line}(1)\| / \max(\|w_S\|, \|w_{line}\|, \|w(0)\|)`. Error: the change of
        both end points between rtol 1e-8 and 1e-11, the straight run at each tolerance using that
        tolerance's μ (so μ's own error is inside the change). Budget ten times that, at least
        :data:`ODE_FLOOR` (1e-9: two different integrations are compared).
    """
    x0 = G.check_point(x_init, "x_init")
    if not isinstance(schedule, Schedule) or schedule.d != G.d:
        raise InvalidInput(f"schedule must be a Schedule of losses on R^{G.d}")
    ends = {}
    for tol in (RTOL_COARSE, RTOL_FINE):
        res = gradient_flow(G, schedule, x0, t_eval=[0.0, schedule.total_time], rtol=tol)
        mu = res.mu[-1]
        line = Schedule(((1.0, Linear(-mu)),))
        res_line = gradient_flow(G, line, x0, t_eval=[0.0, 1.0], rtol=tol)
        ends[tol] = (res.w[-1], res_line.w[-1], mu, res.x[-1], res_line.x[-1])
    ws, wl, mu, xs, xl = ends[RTOL_FINE]
    wsc, wlc, *_ = ends[RTOL_COARSE]
    w0 = G.value(x0)
    scale = max(float(np.linalg.norm(ws)), float(np.linalg.norm(wl)), float(np.linalg.norm(w0)), 1e-300)
    err = (float(np.linalg.norm(ws - wsc)) + float(np.linalg.norm(wl - wlc))) / scale
    return Outcome(
        float(np.linalg.norm(ws - wl)) / scale,
        budget_from_error(err, ODE_FLOOR),
        err,
        "relative gap between w(T) under the schedule and under the straight linear loss to the same μ(T)",
        details={
            "mu(T)": mu.tolist(),
            "w_schedule(T)": ws.tolist(),
            "w_line(1)": wl.tolist(),
            "pieces": len(schedule.pieces),
            "T": schedule.total_time,
            "x_gap_relative": float(np.linalg.norm(xs - xl)) / max(float(np.linalg.norm(x0)), 1e-300),
        },
    )


def path_panels(
    G: Parametrization, x_init: ArrayLike, pair: tuple[Schedule, Schedule], samples: int = 121
) -> list[Panel]:
    """Report panels: w along A and along B, and ‖w_A(t) − w_B(t)‖ over t (meaningful at t = T, where μ agree)."""
    A, B = pair
    T = max(A.total_time, B.total_time)
    ta = np.linspace(0.0, A.total_time, samples)
    tb = np.linspace(0.0, B.total_time, samples)
    wa = linear_schedule_path(G, A, x_init, ta)
    wb = linear_schedule_path(G, B, x_init, tb)
    labels = getattr(G, "labels", None) or [f"w[{i}]" for i in range(G.d)]
    series = {}
    for i in range(G.d):
        series[f"A: {labels[i]}"] = (ta.tolist(), wa[:, i].tolist())
        series[f"B: {labels[i]}"] = (tb.tolist(), wb[:, i].tolist())
    tc = np.linspace(0.0, T, samples)
    wac = linear_schedule_path(G, A, x_init, np.minimum(tc, A.total_time))
    wbc = linear_schedule_path(G, B, x_init, np.minimum(tc, B.total_time))
    gap = np.linalg.norm(wac - wbc, axis=1)
    mua = np.array([linear_mu(_truncate(A, t)) for t in tc])
    mub = np.array([linear_mu(_truncate(B, t)) for t in tc])
    return [
        Panel("w = G(x(t)) under schedules A and B", "t", "w", series),
        Panel(
            "gaps in w and in μ (μ agree at t = T)",
            "t",
            "norm",
            {
                "‖w_A − w_B‖": (tc.tolist(), gap.tolist()),
                "‖μ_A − μ_B‖": (tc.tolist(), np.linalg.norm(mua - mub, axis=1).tolist()),
            },
        ),
    ]


def _truncate(S: Schedule, t: float) -> Schedule:
    """The schedule S stopped at time t (for μ(t))."""
    out, left = [], float(t)
    for dur, loss in S.pieces:
        take = min(dur, max(left, 0.0))
        out.append((take, loss))
        left -= dur
    return Schedule(tuple(out))


# -----------------------------------------------------------------------------------------
# search
def _pair_from_params(theta: np.ndarray, d: int, pieces: int) -> tuple[Schedule, Schedule]:
    """Schedule A from ``theta = (τ_1..τ_K, c_1, …, c_K)``; B runs A's pieces in reverse order (same μ)."""
    taus = theta[:pieces]
    cs = theta[pieces:].reshape(pieces, d)
    A = Schedule(tuple((float(t), Linear(c)) for t, c in zip(taus, cs)))
    B = Schedule(tuple(reversed(A.pieces)))
    return A, B


def path_dependence_search(
    G: Parametrization,
    x_init: ArrayLike,
    *,
    pieces: int = 2,
    max_duration: float = 1.0,
    bound: float = 1.0,
    starts: int = 6,
    seed: int = 0,
    maxiter: int = 60,
    method: str = "auto",
) -> tuple[Outcome, tuple[Schedule, Schedule]]:
    r"""Search equal-μ pairs of linear schedules for the largest end-point gap in w (for reports).

    Schedule A has ``pieces`` linear pieces :math:`(\tau_k, c_k)` with :math:`\tau_k \in [0,
    \text{max\_duration}]` and :math:`c_k \in [-\text{bound}, \text{bound}]^d`; B runs the same pieces in
    reverse order, so :math:`\mu_A(T) = \mu_B(T)` by construction (for two pieces: :math:`c_1` then
    :math:`c_2` against :math:`c_2` then :math:`c_1`). The relative gap of :func:`endpoint_gap` is maximized
    by L-BFGS-B (``scipy.optimize.minimize``) from ``starts`` random starting points drawn with
    ``numpy.random.default_rng(seed)``; the best pair is re-evaluated with its error budget.

    Returns
    -------
    (Outcome, (A, B))
        The outcome of :func:`endpoint_gap` at the best pair, with the search's work in ``details``.
    """
    x0 = G.check_point(x_init, "x_init")
    if int(pieces) < 2:
        raise InvalidInput(f"pieces must be at least 2 (one piece has no reordering), got {pieces}")
    if not (max_duration > 0 and bound > 0):
        raise InvalidInput(f"max_duration and bound must be positive, got {max_duration}, {bound}")
    pieces, d = int(pieces), G.d
    rng = np.random.default_rng(seed)
    lo = np.concatenate([np.zeros(pieces), -bound * np.ones(pieces * d)])
    hi = np.concatenate([max_duration * np.ones(pieces), bound * np.ones(pieces * d)])
    evals = 0

    def negative_gap(theta):
        nonlocal evals
        evals += 1
        A, B = _pair_from_params(theta, d, pieces)
        try:
            if isinstance(G, Quadratic) and method in ("auto", "closed"):
                wa = G.value(linear_schedule_endpoint(G, A, x0))
                wb = G.value(linear_schedule_endpoint(G, B, x0))
            else:
                wa = gradient_flow(G, A, x0, t_eval=[0.0, A.total_time], rtol=RTOL_COARSE).w[-1]
                wb = gradient_flow(G, B, x0, t_eval=[0.0, B.total_time], rtol=RTOL_COARSE).w[-1]
        except Inconclusive:
            return 0.0
        scale = max(np.linalg.norm(wa), np.linalg.norm(wb), np.linalg.norm(G.value(x0)), 1e-300)
        return -float(np.linalg.norm(wa - wb) / scale)

    best_val, best_theta = math.inf, None
    for _ in range(max(1, int(starts))):
        theta0 = lo + (hi - lo) * rng.random(lo.size)
        res = minimize(
            negative_gap, theta0, method="L-BFGS-B", bounds=list(zip(lo, hi)), options={"maxiter": int(maxiter)}
        )
        if res.fun < best_val:
            best_val, best_theta = float(res.fun), np.clip(res.x, lo, hi)
    assert best_theta is not None  # the first start's finite gap is below inf
    pair = _pair_from_params(best_theta, d, pieces)
    outcome = endpoint_gap(G, x0, pair, method=method)
    outcome.details.update({"search_evaluations": evals, "search_starts": int(starts), "search_best": -best_val})
    return outcome, pair


# -----------------------------------------------------------------------------------------
# Hessian metrics
def hessian_metric_defect(metric: Callable[[np.ndarray], np.ndarray], w: ArrayLike, *, h: float = 1e-3) -> Outcome:
    r"""Is :math:`h(w) = g(w)^{-1}` a Hessian metric near w? Measures :math:`\partial_k h_{ij} - \partial_i h_{kj}`.

    A metric :math:`h = \nabla^2R` has a totally symmetric derivative :math:`T_{kij} = \partial_k h_{ij}`
    (third derivatives of R commute); conversely, on a convex (simply connected) domain a symmetric
    h with totally symmetric T is a Hessian. ``metric(w)`` returns :math:`g(w) = \partial G\partial G^\top`
    (a symmetric positive-definite ``d × d`` matrix); :math:`T` is taken by central differences of
    :math:`g^{-1}` with step :math:`h\max(1, \|w\|_\infty)` and twice that.

    Returns
    -------
    Outcome
        discrepancy :math:`\max_{kij}|T_{kij} - T_{ikj}| / \max|T|` at step h; error: the change of that
        quantity between steps h and 2h (the O(h²) truncation error is about a third of it); floor the
        float64 noise of the differences, :math:`100\,\epsilon\max|h_{ij}| / (\text{step}\max|T|)`.

    Raises
    ------
    Inconclusive
        When g is singular, or a difference stencil leaves the metric's domain.
    """
    w = as_vector(w, "w")
    d = w.size
    step = float(h) * max(1.0, float(np.max(np.abs(w))))

    def inv_metric(v):
        try:
            g = np.asarray(metric(v), float)
        except Inconclusive:
            raise
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise Inconclusive("leaves domain", f"metric undefined at a stencil point: {exc}") from exc
        if g.shape != (d, d):
            raise InvalidInput(f"metric(w) must return a {d}x{d} matrix, got shape {g.shape}")
        cond = np.linalg.cond(g)
        if not np.isfinite(cond) or cond > 1e12:
            raise Inconclusive("singular metric", f"cond(dG dG^T) = {cond:.3g}")
        return np.linalg.inv(g)

    H0 = inv_metric(w)
    D = central_difference(inv_metric, w, step)
    assert D.coarse is not None  # asked for by default
    T1, T2 = np.moveaxis(D.value, -1, 0), np.moveaxis(D.coarse, -1, 0)  # T[k] = ∂_k h
    scale = max(float(np.max(np.abs(T1))), 1e-300)
    defect1 = T1 - T1.transpose(1, 0, 2)
    defect2 = T2 - T2.transpose(1, 0, 2)
    disc = float(np.max(np.abs(defect1))) / scale
    err = float(np.max(np.abs(defect1 - defect2))) / scale
    floor = max(CLOSED_FORM_BUDGET, 100 * EPS * float(np.max(np.abs(H0))) / step / scale)
    return Outcome(
        disc,
        budget_from_error(err, floor),
        err,
        "max |∂_k h_ij − ∂_i h_kj| / max |∂h| for h = (∂G∂Gᵀ)⁻¹ (0 for a Hessian metric)",
        details={"step": step, "max_dh": scale, "w": w.tolist()},
    )


def metric_from_preimage(
    G: Parametrization, preimage: Callable[[np.ndarray], np.ndarray]
) -> Callable[[np.ndarray], np.ndarray]:
    r"""The metric :math:`w \mapsto \partial G\partial G^\top(x(w))` for a chosen preimage :math:`x(w)`.

    Meaningful when the Gram matrix depends on x only through w = G(x) (check with
    :func:`gram_depends_only_on_w`).
    """

    def metric(w):
        x = preimage(np.asarray(w, float))
        return G.gram(x)

    return metric


def gram_depends_only_on_w(G: Parametrization, x1: ArrayLike, x2: ArrayLike) -> Outcome:
    r"""Compare :math:`\partial G\partial G^\top` at two points with the same w (a precondition of the Hessian test).

    discrepancy: relative gap of the two Gram matrices; also requires :math:`G(x_1) = G(x_2)` to
    1e-12 relative (else :class:`InvalidInput`).
    """
    x1, x2 = G.check_point(x1, "x1"), G.check_point(x2, "x2")
    w1, w2 = G.value(x1), G.value(x2)
    if np.linalg.norm(w1 - w2) > 1e-12 * max(1.0, float(np.linalg.norm(w1))):
        raise InvalidInput("x1 and x2 must have the same image w = G(x)")
    g1, g2 = G.gram(x1), G.gram(x2)
    gap = float(np.linalg.norm(g1 - g2) / max(float(np.linalg.norm(g1)), float(np.linalg.norm(g2)), 1e-300))
    return Outcome(
        gap,
        budget_from_error(0.0, CLOSED_FORM_BUDGET + roundoff_floor(G.D**2)),
        0.0,
        "relative gap of ∂G∂Gᵀ at two preimages of one w",
    )


def symmetric_entries_to_matrix(w: ArrayLike, n: int) -> np.ndarray:
    """The symmetric ``n × n`` matrix whose entries ``i ≤ j`` (row by row) are ``w`` (as in ``symmetric_factorization``)."""
    w = as_vector(w, "w", n * (n + 1) // 2)
    W = np.zeros((n, n))
    W[np.triu_indices(n)] = w
    return W + np.triu(W, 1).T


def uu_preimage(n: int, r: int) -> Callable[[np.ndarray], np.ndarray]:
    r""":math:`w \mapsto x = \mathrm{vec}([L\ 0])` with :math:`LL^\top = W` (Cholesky): a preimage under
    ``symmetric_factorization(n, r)`` for positive-definite W (needs ``r ≥ n``)."""
    if r < n:
        raise InvalidInput(f"a positive-definite W needs r >= n, got n={n}, r={r}")

    def preimage(w):
        W = symmetric_entries_to_matrix(w, n)
        try:
            L = np.linalg.cholesky(W)
        except np.linalg.LinAlgError as exc:
            raise Inconclusive("leaves domain", "W is not positive definite") from exc
        U = np.hstack([L, np.zeros((n, r - n))])
        return U.flatten(order="F")

    return preimage


def commuting_quadratic_preimage(G: Quadratic) -> Callable[[np.ndarray], np.ndarray]:
    r"""For a commuting quadratic family with ``D = d``: :math:`A_i = O\,\mathrm{diag}(\Lambda_{i\cdot})O^\top`,
    :math:`w = \tfrac12\Lambda y^{\odot2}` with :math:`y = O^\top x`; the preimage is
    :math:`x = O\sqrt{2\Lambda^{-1}w}` (positive branch). Needs Λ invertible and
    :math:`\Lambda^{-1}w > 0` (else :class:`Inconclusive`)."""
    if G.D != G.d:
        raise InvalidInput(f"needs D = d, got D={G.D}, d={G.d}")
    if G.commutator_norm() > 1e-10:
        raise InvalidInput("the family is not commuting")
    rng = np.random.default_rng(0)
    _, O = np.linalg.eigh(np.tensordot(rng.standard_normal(G.d), G.A, axes=1))
    Lam = np.einsum("ab,iac,cb->ib", O, G.A, O)
    if abs(np.linalg.det(Lam)) < 1e-10:
        raise InvalidInput("the eigenvalue matrix Lambda is singular")
    Lam_inv = np.linalg.inv(Lam)

    def preimage(w):
        y2 = 2 * Lam_inv @ np.asarray(w, float)
        if np.any(y2 <= 0):
            raise Inconclusive("leaves domain", "w is outside the image of G")
        return O @ np.sqrt(y2)

    return preimage


def hopf_preimage(
    H: HopfChart, rho: float, alpha: float = 0.0, extra: ArrayLike | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    r""":math:`w \mapsto x` with :math:`G(x) = w` for a :class:`~oracles.model.hopf.HopfChart` H, on the sphere
    :math:`|z| = \rho` (which every gradient flow keeps: G is homogeneous of degree 0 in z) and fibre phase
    ``alpha``: :math:`u = P^{-1}w = (m_1^2, (1 - m_1^2)\varphi)`. :class:`Inconclusive` outside the chart."""
    P_inv = np.linalg.inv(H.P)

    def preimage(w):
        u = P_inv @ as_vector(w, "w", 2)
        if not 0.0 < u[0] < 1.0:
            raise Inconclusive("leaves domain", f"m_1^2 = {u[0]:.3g} is outside (0, 1)")
        phi = float(u[1]) / (1.0 - float(u[0]))
        if not abs(phi) < math.pi:
            raise Inconclusive("leaves domain", f"azimuth {phi:.3g} is outside (-pi, pi)")
        return H.point(math.sqrt(float(u[0])), phi, alpha, rho, extra)

    return preimage


def chart_metric_check(
    G: Parametrization,
    w: ArrayLike,
    preimage: Callable[[np.ndarray], np.ndarray],
    other_preimage: Callable[[np.ndarray], np.ndarray],
    *,
    h: float = 1e-3,
) -> Outcome:
    r"""Is :math:`(\partial G\partial G^\top)^{-1}` a Hessian metric along a chart's image, as a mirror flow needs?

    Two claims at w, the worse of the two is returned (:func:`oracles.core.outcome.worst`):

    1. the Gram matrix is a function of w: equal at two preimages on different fibres
       (:func:`gram_depends_only_on_w`, budget 1e-9 relative);
    2. its inverse, taken along ``preimage``, has a totally symmetric derivative
       (:func:`hessian_metric_defect`, central differences at steps h and 2h).
    """
    w = as_vector(w, "w", G.d)
    try:
        x1, x2 = preimage(w), other_preimage(w)
    except InvalidInput as exc:
        raise Inconclusive("leaves domain", f"no preimage of w: {exc}") from exc
    same = gram_depends_only_on_w(G, x1, x2)
    hess = hessian_metric_defect(metric_from_preimage(G, preimage), w, h=h)
    return worst(same, hess)


def chart_preimages(
    G: Parametrization, x: ArrayLike, alpha2: float
) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    r"""Two preimage maps :math:`w \mapsto x` of a Hopf or helical chart through x's fibre data: fibre phase 0 and
    ``alpha2``, with x's radius |z| (Hopf: the Gram matrix scales with it, and every gradient flow keeps it)
    and x's padding coordinates."""
    from oracles.model.helix import HelixChart
    from oracles.model.hopf import HopfChart

    x = G.check_point(x, "x")
    if isinstance(G, HelixChart):
        y = G.O @ x
        extra = y[3:] if G.D > 3 else None
        return G.preimage(0.0, extra), G.preimage(float(alpha2), extra)
    if isinstance(G, HopfChart):
        y = G.O @ x
        rho = float(np.linalg.norm(y[:4]))
        extra = y[4:] if G.D > 4 else None
        return hopf_preimage(G, rho, 0.0, extra), hopf_preimage(G, rho, float(alpha2), extra)
    raise InvalidInput(f"chart_preimages needs a HopfChart or a HelixChart, got {type(G).__name__}")


def time_reversal_gap(
    G: Parametrization, c: ArrayLike, x_init: ArrayLike, T: float, *, reverse_sign: float = -1.0
) -> Outcome:
    r"""li2022 §3.2 (reachability is reflexive and transitive): :math:`\varphi^T_{(-L)\circ G}\circ\varphi^T_{L\circ G}`
    is the identity, so gradient flow on the linear loss :math:`L = \langle c, w\rangle` for time T, then on
    :math:`-L` for time T, returns to :math:`x_{init}`.

    Both pieces are one :class:`~oracles.model.losses.Schedule` integrated by :func:`gradient_flow` at the two
    tolerances of :data:`~oracles.core.ode.TWO_TOLERANCES` (the second piece's loss is ``reverse_sign·c``: −1
    is the claim; a control plants +1). Discrepancy :math:`\|x(2T) - x_{init}\| / \max(\|x_{init}\|, \|x(T)\|)`;
    error: the change of :math:`x(2T)` between the two solves, relative to the same scale; budget
    ``budget_from_error`` (floor 1e-9). A flow that leaves M or blows up first is inconclusive (outside the
    domain of the flows the claim is about).
    """
    x0 = G.check_point(x_init)
    c = as_vector(c, "c", G.d)
    if not (math.isfinite(T) and T > 0):
        raise InvalidInput(f"T must be positive and finite, got {T}")
    sched = Schedule(((float(T), Linear(c)), (float(T), Linear(reverse_sign * c))))
    fine, coarse = (
        gradient_flow(G, sched, x0, t_eval=[0.0, float(T), 2.0 * float(T)], rtol=s.rtol, atol=s.atol)
        for s in TWO_TOLERANCES
    )
    scale = max(float(np.linalg.norm(x0)), float(np.linalg.norm(fine.x[1])), 1e-300)
    gap = float(np.linalg.norm(fine.x[-1] - x0)) / scale
    err = float(np.linalg.norm(fine.x[-1] - coarse.x[-1])) / scale
    return Outcome(
        gap,
        budget_from_error(err),
        err,
        "|x(2T) − x_init| / max(|x_init|, |x(T)|): loss ⟨c, w⟩ for T, then −⟨c, w⟩ for T",
        details={"T": float(T), "moved": float(np.linalg.norm(fine.x[1] - x0)) / scale},
    )
