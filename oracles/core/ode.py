r"""The one wrapper around scipy's ODE solvers that every flow of the project integrates with.

Three routes, chosen by the method:

* :data:`FORTRAN_DOP853` (``"fortran-DOP853"``; 0.1's ``"dop853"``, the name :class:`scipy.integrate.ode`
  gives it, is accepted with a DeprecationWarning) drives Hairer & Wanner's Fortran
  DOP853 -- the code ``solve_ivp``'s ``"DOP853"`` ports to Python -- from one sample time to the next, each run
  starting with the last full step of the one before, so only the right-hand side is a Python call. It steps
  onto every sample, so it pays when samples are sparser than the steps: a d = 4 gradient flow to T = 20 with
  two samples took 4.6 ms at rtol 1e-11 where ``solve_ivp`` took 13.3 ms; with 33 samples, 6.4 ms against
  12.2 ms, and the samples were 18× closer to an rtol 1e-14 solution (1.2e-11 against 2.2e-10: ``solve_ivp``
  reads them off its interpolant). With samples denser than its steps it loses (2 × 2 UVᵀ flow to T = 2, 33
  samples: 3.0 ms against 2.7 ms). A stop event ends the solve at the end of the first step where it changed
  sign (it is not located inside the step).
* ``"LSODA"`` goes through :func:`scipy.integrate.odeint` unless a stop event must be located -- the same
  ODEPACK LSODA as ``solve_ivp``'s, driven from Fortran to each sample time instead of one Python round trip
  per step: about 40 µs less work per step, which is most of a small solve (d = 3 dual flow, 107 evaluations:
  2.0 ms through ``solve_ivp``, 0.5 ms through ``odeint``). LSODA is not re-entrant on either route (ODEPACK
  keeps its state in common blocks: an LSODA solve started inside another one's right-hand side corrupts the
  outer one -- scipy 1.17 then reports "Illegal input detected", or returns a wrong answer with a warning), so
  a nested LSODA solve is done with Radau instead.
* Every other method (``"DOP853"``, ``"Radau"``, ...), and LSODA with a stop event, goes through
  :func:`scipy.integrate.solve_ivp`.

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
  ``odeint`` route it is a guard, checked at every state the right-hand side is evaluated at; on the dop853
  route at the end of every step, where ``solve_ivp`` looks for its sign changes);
* the solver's own failure: ``"solver failure"`` with scipy's message.

A terminal event without a ``reason`` is a *stop*: the solve ends there and the :class:`Solution` says
which event stopped it (``stopped``), with the times and states of all events as scipy gives them.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import ODEintWarning, ode, odeint, solve_ivp

from oracles.core.errors import Inconclusive, InvalidInput

#: The Fortran-DOP853 route's method name: Hairer's code through :class:`scipy.integrate.ode`, sample to sample
#: (``"DOP853"`` is solve_ivp's Python port of the same method; the two differ in more than capitalisation).
FORTRAN_DOP853 = "fortran-DOP853"


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
    t_events: list[np.ndarray]
    y_events: list[np.ndarray]

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
#: True while a dop853 solve runs: the Fortran DOP853 of ``scipy.integrate.ode`` is not re-entrant either (a nested
#: run returns a wrong answer and leaves the outer one "needing more steps"); a nested solve uses solve_ivp's
_dop853_busy = False


def event(
    fn: Callable[[float, np.ndarray], float],
    *,
    reason: str | None = None,
    terminal: bool = True,
    direction: float = 0.0,
) -> Callable[[float, np.ndarray], float]:
    """Mark ``fn(t, y)`` as a solve_ivp event; with ``reason``, reaching it makes the solve inconclusive."""
    fn.terminal, fn.direction = terminal, direction  # type: ignore[attr-defined]
    fn.reason = reason  # type: ignore[attr-defined]
    return fn


@dataclass(frozen=True)
class Integrator:
    """A ``solve_ivp`` configuration: method, tolerances, work cap and blow-up bound.

    Parameters
    ----------
    method
        :data:`FORTRAN_DOP853`, or a scipy method name (``"DOP853"`` for the fixed-horizon gradient flows, ``"LSODA"`` for the long,
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
        if self.method == "dop853":  # 0.1's name of the Fortran route
            warnings.warn(
                "Integrator(method='dop853') is deprecated: write method=oracles.core.ode.FORTRAN_DOP853 "
                "('fortran-DOP853')",
                DeprecationWarning,
                stacklevel=3,
            )
            object.__setattr__(self, "method", FORTRAN_DOP853)
        if not (0 < self.rtol < 1 and self.atol > 0):
            raise InvalidInput(f"need 0 < rtol < 1 and atol > 0, got rtol={self.rtol}, atol={self.atol}")

    def at(self, rtol: float | None = None, atol: float | None = None, **changes: Any) -> "Integrator":
        """The same integrator with other tolerances (or other fields)."""
        fields: dict[str, Any] = dict(changes)
        if rtol is not None:
            fields["rtol"] = rtol
        if atol is not None:
            fields["atol"] = atol
        return replace(self, **fields)

    @contextlib.contextmanager
    def _failures_inconclusive(self, t_span: Sequence[float]) -> Iterator[None]:
        """The wrapper's own stops (work cap, blow-up, a guard crossed) as :class:`Inconclusive` with their reasons."""
        try:
            yield
        except _TooMuchWork:
            raise Inconclusive("too stiff", f"more than {self.max_nfev} evaluations on t in {tuple(t_span)}") from None
        except _BlowUp as exc:
            raise Inconclusive(
                "blow-up", f"|state| exceeds {self.blow_up:g} or is non-finite at t = {exc.args[0]:.6g}"
            ) from None
        except _Crossed as exc:
            raise Inconclusive(exc.args[0], f"at t = {exc.args[1]:.6g}") from None

    def solve(
        self,
        rhs: Callable[[float, np.ndarray], np.ndarray],
        t_span: tuple[float, float],
        y0: ArrayLike,
        *,
        t_eval: ArrayLike | None = None,
        events: Sequence[Callable[..., Any]] = (),
        jac: Callable[..., Any] | ArrayLike | None = None,
        watch: int | None = None,
    ) -> Solution:
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
                if size and not head @ head <= bound2:  # the 2-norm; NaN fails the comparison too
                    raise _BlowUp(t)
            return rhs(t, y)

        global _lsoda_busy
        method = "Radau" if self.method == "LSODA" and _lsoda_busy else self.method
        guards_only = all(getattr(e, "reason", None) is not None for e in all_events)
        if method == "LSODA" and guards_only:
            return self._odeint(counted, t_span, y0, t_eval, jac, size, all_events)
        if method == FORTRAN_DOP853:
            if not _dop853_busy:
                return self._dop853(rhs, t_span, y0, t_eval, size, all_events)
            method = "DOP853"  # a solve inside a dop853 solve's right-hand side: solve_ivp's DOP853
        extra = {"jac": jac} if jac is not None else {}
        outer = _lsoda_busy
        try:
            _lsoda_busy = outer or method == "LSODA"
            with self._failures_inconclusive(t_span), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                sol = solve_ivp(
                    counted,
                    t_span,
                    y0,
                    method=method,
                    t_eval=t_eval,
                    events=all_events or None,
                    rtol=self.rtol,
                    atol=self.atol,
                    **extra,
                )
        finally:
            _lsoda_busy = outer
        stopped = None
        if sol.status == 1:  # a terminal event ended the solve: the latest event that fired is it
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
        return Solution(
            sol.t,
            sol.y,
            int(sol.nfev),
            int(sol.njev),
            int(sol.nlu),
            stopped,
            list(sol.t_events) if sol.t_events is not None else [],
            list(sol.y_events) if sol.y_events is not None else [],
        )

    def _dop853(self, rhs, t_span, y0, t_eval, size, events=()) -> Solution:
        """DOP853 through :class:`scipy.integrate.ode`, from each sample time to the next (else over ``t_span``).

        Every run but the first starts with the larger of the previous run's last two steps (its very last
        one is cut short to land on the sample). f2py's DOP853 cannot unwind a Python exception (it keeps
        stepping with the exception set and ends in a ``SystemError``), so nothing raises inside it: an
        exception of ``rhs`` is kept, the evaluations after it return NaN, and the step-end callback ends the
        run, as it does when the work cap is passed, the state exceeds the blow-up bound, a guard (an event
        with a reason) is not positive, or a stop event changed sign in its direction -- all looked at the end
        of every step, as ``solve_ivp`` looks for its events' sign changes. Then the kept exception is raised
        (the cap, blow-up and guards as :class:`Inconclusive`), or, for a stop, the samples up to that time are
        returned with the stop in ``t_events``/``y_events``. Samples within rounding of the time reached
        (a schedule's piece that starts at 0.49999999999999994 with a sample at 0.5) take its state.
        """
        t0, t1 = float(t_span[0]), float(t_span[1])
        t_out = np.array([t0, t1]) if t_eval is None else np.asarray(t_eval, dtype=float)
        sgn = 1.0 if t1 >= t0 else -1.0  # backward in time when t_span is decreasing, as in solve_ivp
        if not (sgn * (t_out[0] - t0) >= 0 and np.all(sgn * np.diff(t_out) >= 0)):
            raise InvalidInput("t_eval must be sorted in the direction of t_span and start inside it")
        same = 1e3 * np.finfo(float).eps * max(abs(t0), abs(t1), 1.0)
        guards = [e for e in events if getattr(e, "reason", None) is not None]
        stops = [(k, e) for k, e in enumerate(events) if getattr(e, "reason", None) is None]
        last = [e(t0, y0) for _, e in stops]
        cap, bound2 = self.max_nfev, self.blow_up * self.blow_up
        steps = [t0, 0.0, 0.0]  # the time reached, the last step and the one before
        failure: list[BaseException]
        hit: list[tuple[int, float, np.ndarray]]
        n, failure, hit = 0, [], []
        nan = np.full(y0.size, np.nan)

        def f(t, y):
            nonlocal n
            n += 1
            if failure:
                return nan
            if not n & 7:  # the blow-up watch of the other routes, on the evaluated states
                head = y[:size]
                if size and not head @ head <= bound2:
                    failure.append(_BlowUp(t))
                    return nan
            try:
                return rhs(t, y)
            except BaseException as exc:  # noqa: BLE001 -- kept and raised once the Fortran code has returned
                failure.append(exc)
                return nan

        def solout(t, y):
            steps[1:] = [abs(t - steps[0]), steps[1]]
            steps[0] = t
            try:
                if failure:
                    return -1
                if n > cap:
                    failure.append(_TooMuchWork())
                    return -1
                head = y[:size]
                if size and not head @ head <= bound2:  # the 2-norm; NaN fails the comparison too
                    failure.append(_BlowUp(t))
                    return -1
                for g in guards:
                    if not g(t, y) > 0.0:
                        failure.append(_Crossed(g.reason, t))
                        return -1
                for j, (k, e) in enumerate(stops):
                    old, new = last[j], e(t, y)
                    last[j] = new
                    up, down = old <= 0 <= new, old >= 0 >= new
                    if (up or down) and (up if e.direction > 0 else down if e.direction < 0 else True):
                        hit.append((k, t, np.array(y)))
                        return -1
            except BaseException as exc:  # noqa: BLE001 -- as in f
                failure.append(exc)
                return -1
            return 0

        global _dop853_busy
        Y = np.empty((t_out.size, y0.size))
        y, t, reached = y0, t0, t_out.size
        _dop853_busy = True
        try:
            with (
                self._failures_inconclusive((t0, t1)),
                np.errstate(over="ignore", invalid="ignore", divide="ignore"),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore", UserWarning)  # a failed run warns; it is reported below
                for k, tk in enumerate(t_out):
                    if sgn * (tk - t) > same:
                        r = ode(f).set_integrator(
                            "dop853", rtol=self.rtol, atol=self.atol, nsteps=cap, first_step=max(steps[1], steps[2])
                        )
                        r.set_solout(solout)
                        r.set_initial_value(y, t)
                        steps[0] = t
                        y = r.integrate(tk)
                        if failure:
                            raise failure[0]
                        if not r.successful():
                            raise Inconclusive(
                                "solver failure",
                                f"DOP853 (ode): return code {r.get_return_code()} on t in {(t, float(tk))}",
                            )
                        if hit:
                            reached = k
                            break
                        t = tk
                    Y[k] = y
        finally:
            _dop853_busy = False
        Y = Y[:reached]
        too_big = size and Y.size and np.max(np.linalg.norm(Y[:, :size], axis=1)) > self.blow_up
        if not np.all(np.isfinite(Y)) or too_big:
            raise Inconclusive("blow-up", f"|state| exceeds {self.blow_up:g} or is non-finite")
        t_events = [np.empty(0) for _ in events]
        y_events = [np.empty((0, y0.size)) for _ in events]
        stopped = None
        if hit:
            stopped, ts, ys = hit[0]
            t_events[stopped], y_events[stopped] = np.array([ts]), ys[None, :]
        return Solution(t_out[:reached], np.ascontiguousarray(Y.T), n, 0, 0, stopped, t_events, y_events)

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
            return Solution(t_out, np.repeat(np.asarray(y0, float)[:, None], t_out.size, axis=1), 0, 0, 0, None, [], [])
        rest = t_out[~at_start]
        times = np.concatenate(([t0], rest))
        Dfun = None
        if jac is not None:
            Dfun = jac if callable(jac) else (lambda t, y, J=np.asarray(jac, dtype=float): J)  # noqa: B008 -- binds this solve's J
        _lsoda_busy = True
        try:
            with (
                self._failures_inconclusive((t0, t1)),
                np.errstate(over="ignore", invalid="ignore", divide="ignore"),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore", ODEintWarning)
                Y, info = odeint(
                    _guarded(counted, guards) if guards else counted,
                    y0,
                    times,
                    Dfun=Dfun,
                    rtol=self.rtol,
                    atol=self.atol,
                    tfirst=True,
                    full_output=True,
                    mxstep=self.max_nfev,
                    tcrit=[max(t1, times[-1])],
                )
        finally:
            _lsoda_busy = False
        if info["message"] != "Integration successful.":
            raise Inconclusive("solver failure", f"LSODA (odeint): {info['message']}")
        Y = np.concatenate((np.repeat(Y[:1], int(at_start.sum()), axis=0), Y[1:]))  # t_out is sorted
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

    def __iter__(self) -> Iterator[Integrator]:
        return iter((self.fine, self.coarse))


#: The fixed-horizon flows' default (DOP853).
DEFAULT = Integrator()
#: rtol 1e-11 / 1e-8 (absolute tolerances three decades below): every two-tolerance check of the project.
TWO_TOLERANCES = TwoTolerances(Integrator(rtol=1e-11, atol=1e-14), Integrator(rtol=1e-8, atol=1e-11))

__all__ = ["DEFAULT", "FORTRAN_DOP853", "Integrator", "Solution", "TWO_TOLERANCES", "TwoTolerances", "event"]
