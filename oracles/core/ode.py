r"""The one wrapper around scipy's ODE solvers that every flow of the project integrates with.

Explicit methods (``"DOP853"``, ...) and solves with stop events go through :func:`scipy.integrate.solve_ivp`.
``"LSODA"`` goes through :func:`scipy.integrate.odeint` unless a stop event must be located -- the same ODEPACK LSODA, driven from
Fortran to each sample time instead of one Python round trip per step: about 40 µs less work per step, which
is most of a small solve (d = 3 dual flow, 107 evaluations: 2.0 ms through ``solve_ivp``, 0.5 ms through
``odeint``). LSODA is not re-entrant on either route (ODEPACK keeps its state in common blocks: an LSODA solve
started inside another one's right-hand side corrupts the outer one -- scipy 1.17 then reports "Illegal input
detected", or returns a wrong answer with a warning), so a nested LSODA solve is done with Radau instead.

An :class:`Integrator` is a value: the method, the tolerances, the work cap and the blow-up bound travel
together (as diffrax and optimistix carry ``rtol``/``atol``), so a check that needs "the same solve at two
tolerances" asks for :data:`TWO_TOLERANCES` ``.fine`` and ``.coarse`` instead of reading module constants.

:meth:`Integrator.solve` turns every way a solve can fail to give an answer into
:class:`~oracles.core.errors.Inconclusive` with a stable reason, and counts its work like scipy does:

* more than ``max_nfev`` right-hand-side evaluations: ``"too stiff"`` (an explicit method creeping along
  a stiff or nearly singular flow; it used to run for minutes);
* the watched components exceed ``blow_up`` in 2-norm, or the state becomes non-finite: ``"blow-up"``
  (checked on the states the right-hand side is evaluated at, every 8th evaluation -- about once a step of
  DOP853 -- rather than as a solve_ivp event, whose bookkeeping cost a tenth of a small solve);
* a terminal event that carries a ``reason`` attribute (e.g. leaving the domain M): that reason (on the
  ``odeint`` route it is a guard, checked at every state the right-hand side is evaluated at);
* the solver's own failure: ``"solver failure"`` with scipy's message.

A terminal event without a ``reason`` is a *stop*: the solve ends there and the :class:`Solution` says
which event stopped it (``stopped``), with the times and states of all events as scipy gives them.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np
import warnings

from scipy.integrate import ODEintWarning, odeint, solve_ivp

from oracles.core.errors import Inconclusive, InvalidInput


@dataclass
class Solution:
    """What :meth:`Integrator.solve` returns: samples and counters of the work done.

    Attributes
    ----------
    t, y
        Sample times and states, ``y`` of shape ``(n, len(t))`` (scipy's layout).
    nfev, njev, nlu
        Right-hand-side evaluations, Jacobian evaluations, LU decompositions (scipy's counters).
    stopped
        Index of the stop event (an event without ``reason``) that ended the solve, or ``None``.
    t_events, y_events
        As in scipy: per event, the times and states where it fired.
    """

    t: np.ndarray
    y: np.ndarray
    nfev: int
    njev: int
    nlu: int
    stopped: int | None
    t_events: list
    y_events: list

    @property
    def final(self) -> np.ndarray:
        """The state at the last sample."""
        return self.y[:, -1]


class _TooMuchWork(Exception):
    pass


class _BlowUp(Exception):
    pass


class _Crossed(Exception):
    """A guard (a terminal event with a reason, watched on the odeint route) went non-positive."""


#: True while an LSODA solve runs: a solve its right-hand side starts must not use LSODA (it would use Radau)
_lsoda_busy = False


def event(fn: Callable[[float, np.ndarray], float], *, reason: str | None = None, terminal: bool = True,
          direction: float = 0.0) -> Callable[[float, np.ndarray], float]:
    """Mark ``fn(t, y)`` as a solve_ivp event; with ``reason``, reaching it makes the solve inconclusive."""
    fn.terminal, fn.direction = terminal, direction
    fn.reason = reason
    return fn


@dataclass(frozen=True)
class Integrator:
    """A ``solve_ivp`` configuration: method, tolerances, work cap and blow-up bound.

    Parameters
    ----------
    method
        A scipy method name (``"DOP853"`` for the fixed-horizon gradient flows, ``"LSODA"`` for the long,
        stiff integrations to a limit, where an analytic Jacobian is passed, and for the dual mirror flows).
    rtol, atol
        The solver's tolerances.
    max_nfev
        Right-hand-side evaluations one solve may spend before it is declared ``"too stiff"``.
    blow_up
        Bound on the 2-norm of the watched components (see :meth:`solve`).
    """

    method: str = "DOP853"
    rtol: float = 1e-10
    atol: float = 1e-13
    max_nfev: int = 200_000
    blow_up: float = 1e8

    def __post_init__(self) -> None:
        if not (0 < self.rtol < 1 and self.atol > 0):
            raise InvalidInput(f"need 0 < rtol < 1 and atol > 0, got rtol={self.rtol}, atol={self.atol}")

    def at(self, rtol: float | None = None, atol: float | None = None, **changes) -> "Integrator":
        """The same integrator with other tolerances (or other fields)."""
        return replace(self, **({"rtol": rtol} if rtol is not None else {}),
                       **({"atol": atol} if atol is not None else {}), **changes)

    def solve(self, rhs: Callable[[float, np.ndarray], np.ndarray], t_span: tuple[float, float], y0, *,
              t_eval=None, events: Sequence[Callable] = (), jac=None, watch: int | None = None) -> Solution:
        """Integrate ``y' = rhs(t, y)`` on ``t_span`` from ``y0``.

        Parameters
        ----------
        watch
            The number of leading components whose 2-norm must stay below ``blow_up`` (all when ``None``;
            0 for none).
        events
            solve_ivp events; terminal ones with a ``reason`` attribute make the solve inconclusive (see
            :func:`event`), terminal ones without end it early (``Solution.stopped``).

        Raises
        ------
        Inconclusive
            ``"too stiff"``, ``"blow-up"``, an event's reason, or ``"solver failure"``.
        """
        y0 = np.asarray(y0, dtype=float)
        size = y0.size if watch is None else int(watch)
        all_events = list(events)
        cap, bound = self.max_nfev, self.blow_up
        bound2 = bound * bound
        n = 0

        def counted(t, y):
            nonlocal n
            n += 1
            if not n & 7:
                if n > cap:
                    raise _TooMuchWork
                head = y[:size]
                if size and not head @ head <= bound2:   # the 2-norm; NaN fails the comparison too
                    raise _BlowUp(t)
            return rhs(t, y)

        global _lsoda_busy
        method = "Radau" if self.method == "LSODA" and _lsoda_busy else self.method
        if method == "LSODA" and all(getattr(e, "reason", None) is not None for e in all_events):
            return self._odeint(counted, t_span, y0, t_eval, jac, size, all_events)
        extra = {"jac": jac} if jac is not None else {}
        outer = _lsoda_busy
        try:
            _lsoda_busy = outer or method == "LSODA"
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                sol = solve_ivp(counted, t_span, y0, method=method, t_eval=t_eval, events=all_events or None,
                                rtol=self.rtol, atol=self.atol, **extra)
        except _TooMuchWork:
            raise Inconclusive("too stiff", f"more than {cap} evaluations on t in {tuple(t_span)}") from None
        except _BlowUp as exc:
            raise Inconclusive("blow-up", f"|state| exceeds {bound:g} or is non-finite at t = {exc.args[0]:.6g}") from None
        finally:
            _lsoda_busy = outer
        stopped = None
        if sol.status == 1:   # a terminal event ended the solve: the latest event that fired is it
            hit = [k for k, te in enumerate(sol.t_events) if len(te) and getattr(all_events[k], "terminal", False)]
            first = max(hit, key=lambda k: abs(sol.t_events[k][-1] - t_span[0])) if hit else None
            reason = getattr(all_events[first], "reason", None) if first is not None else "event"
            if reason is not None:
                when = float(sol.t_events[first][0]) if first is not None else float("nan")
                raise Inconclusive(reason, f"at t = {when:.6g}")
            stopped = first
        elif sol.status != 0:
            raise Inconclusive("solver failure", sol.message)
        if not np.all(np.isfinite(sol.y)) or (size and np.max(np.linalg.norm(sol.y[:size], axis=0)) > bound):
            raise Inconclusive("blow-up", f"|state| exceeds {bound:g} or is non-finite")
        return Solution(sol.t, sol.y, int(sol.nfev), int(sol.njev), int(sol.nlu), stopped,
                        list(sol.t_events) if sol.t_events is not None else [],
                        list(sol.y_events) if sol.y_events is not None else [])

    def _odeint(self, counted, t_span, y0, t_eval, jac, size, guards=()) -> Solution:
        """LSODA through :func:`scipy.integrate.odeint`: samples at ``t_eval`` (else at the two ends of ``t_span``).

        The work cap and blow-up bound act through ``counted`` as on the ``solve_ivp`` route; ``mxstep`` is
        set to the cap, so only ``counted`` ends a long solve. ``guards`` (terminal events with a reason) are
        checked at every evaluated state (:func:`_guarded`) and at the samples.
        """
        global _lsoda_busy
        t0, t1 = float(t_span[0]), float(t_span[1])
        t_out = np.array([t0, t1]) if t_eval is None else np.asarray(t_eval, dtype=float)
        # LSODA refuses a first output time within ~100 ulps of t0 ("illegal input": a piece of a schedule
        # whose end was rounded, 0.49999999999999994 against a sample at 0.5); the state there is y0
        at_start = np.abs(t_out - t0) <= 1e3 * np.finfo(float).eps * max(abs(t0), abs(t1), 1.0)
        if at_start.all():
            return Solution(t_out, np.repeat(np.asarray(y0, float)[:, None], t_out.size, axis=1), 0, 0, 0,
                            None, [], [])
        rest = t_out[~at_start]
        times = np.concatenate(([t0], rest))
        Dfun = None
        if jac is not None:
            Dfun = jac if callable(jac) else (lambda t, y, J=np.asarray(jac, dtype=float): J)
        _lsoda_busy = True
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", ODEintWarning)
                Y, info = odeint(_guarded(counted, guards) if guards else counted, y0, times, Dfun=Dfun,
                                 rtol=self.rtol, atol=self.atol, tfirst=True, full_output=True,
                                 mxstep=self.max_nfev, tcrit=[max(t1, times[-1])])
        except _TooMuchWork:
            raise Inconclusive("too stiff", f"more than {self.max_nfev} evaluations on t in {(t0, t1)}") from None
        except _BlowUp as exc:
            raise Inconclusive("blow-up", f"|state| exceeds {self.blow_up:g} or is non-finite "
                                          f"at t = {exc.args[0]:.6g}") from None
        except _Crossed as exc:
            raise Inconclusive(exc.args[0], f"at t = {exc.args[1]:.6g}") from None
        finally:
            _lsoda_busy = False
        if info["message"] != "Integration successful.":
            raise Inconclusive("solver failure", f"LSODA (odeint): {info['message']}")
        Y = np.concatenate((np.repeat(Y[:1], int(at_start.sum()), axis=0), Y[1:]))   # t_out is sorted
        for g in guards:
            for tk, yk in zip(t_out, Y):
                if not g(tk, yk) > 0.0:
                    raise Inconclusive(g.reason, f"at the sample t = {tk:.6g}")
        if not np.all(np.isfinite(Y)) or (size and np.max(np.linalg.norm(Y[:, :size], axis=1)) > self.blow_up):
            raise Inconclusive("blow-up", f"|state| exceeds {self.blow_up:g} or is non-finite")
        nfev, njev = int(info["nfe"][-1]), int(info["nje"][-1])
        return Solution(t_out, np.ascontiguousarray(Y.T), nfev, njev, njev, None, [], [])


def _guarded(counted: Callable, guards: list) -> Callable:
    """``counted`` behind the guards: a state where a guard is <= 0 (or NaN) ends the solve with its reason.

    On the ``odeint`` route, where no event can be located, a terminal event with a ``reason`` (leaving M)
    is checked at every state the right-hand side is evaluated at: LSODA's states are its predictor and
    corrector iterates, within the local error of the solution, so a solution that stays a tolerance away
    from the boundary never trips it, and one that crosses it does at the step that crosses.
    """
    def rhs(t, y):
        for g in guards:
            if not g(t, y) > 0.0:
                raise _Crossed(g.reason, t)
        return counted(t, y)

    return rhs


@dataclass(frozen=True)
class TwoTolerances:
    """The project's error estimate for an integration: the same solve at a fine and a coarse tolerance.

    The fine solution is the answer; the change between the two over-estimates the fine solution's error
    (the coarse one is 1000 times looser), which is what budgets are built from.
    """

    fine: Integrator
    coarse: Integrator

    def with_method(self, method: str) -> "TwoTolerances":
        return TwoTolerances(self.fine.at(method=method), self.coarse.at(method=method))

    def __iter__(self):
        return iter((self.fine, self.coarse))


#: The fixed-horizon flows' default (DOP853).
DEFAULT = Integrator()
#: rtol 1e-11 / 1e-8 (absolute tolerances three decades below): every two-tolerance check of the project.
TWO_TOLERANCES = TwoTolerances(Integrator(rtol=1e-11, atol=1e-14), Integrator(rtol=1e-8, atol=1e-11))

__all__ = ["DEFAULT", "Integrator", "Solution", "TWO_TOLERANCES", "TwoTolerances", "event"]
