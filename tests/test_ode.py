"""The ODE wrapper's contract (oracles.core.ode): the same answers, failures and counters on all three routes.

``Integrator.solve`` sends ``FORTRAN_DOP853`` (``"fortran-DOP853"``) through ``scipy.integrate.ode`` (Hairer's Fortran DOP853, events looked
at the end of every step), LSODA through ``scipy.integrate.odeint`` (events with a reason become guards) and
everything else, and LSODA with a stop event, through ``solve_ivp``; each failure must become the same
:class:`Inconclusive` reason every way.
"""

from __future__ import annotations

import numpy as np
import pytest

from oracles.core.errors import Inconclusive
from oracles.core.ode import FORTRAN_DOP853, Integrator, event

ROUTES = {
    "solve_ivp (DOP853)": Integrator(method="DOP853"),
    "odeint (LSODA)": Integrator(method="LSODA"),
    "ode (dop853)": Integrator(method=FORTRAN_DOP853),
}


@pytest.fixture(params=list(ROUTES), ids=list(ROUTES))
def integrator(request) -> Integrator:
    return ROUTES[request.param]


def test_linear_decay_matches_the_exponential(integrator):
    rates = np.array([1.0, 0.5, -0.2])
    t = np.linspace(0.0, 2.0, 9)
    sol = integrator.solve(lambda s, y: -rates * y, (0.0, 2.0), np.ones(3), t_eval=t)
    np.testing.assert_array_equal(sol.t, t)
    assert sol.y.shape == (3, t.size)
    np.testing.assert_allclose(sol.y, np.exp(-np.outer(rates, t)), rtol=1e-8)
    assert sol.nfev > 0 and sol.stopped is None


def test_samples_need_not_start_at_the_initial_time(integrator):
    sol = integrator.solve(lambda s, y: -y, (0.0, 1.0), [1.0], t_eval=[0.5, 1.0])
    np.testing.assert_allclose(sol.y[0], np.exp(-np.array([0.5, 1.0])), rtol=1e-8)


def test_without_samples_the_final_state_is_the_end_of_the_span(integrator):
    sol = integrator.solve(lambda s, y: -y, (0.0, 3.0), [2.0])
    assert sol.t[-1] == 3.0
    np.testing.assert_allclose(sol.final, [2.0 * np.exp(-3.0)], rtol=1e-8)


def test_a_jacobian_is_used_and_counted_on_a_stiff_problem():
    A = np.array([[-1000.0, 0.0], [1.0, -1.0]])
    sol = ROUTES["odeint (LSODA)"].solve(lambda s, y: A @ y, (0.0, 10.0), [1.0, 0.0], jac=lambda s, y: A)
    assert sol.njev > 0
    assert sol.nfev < 2000  # LSODA switches to BDF; an explicit method would need ~10⁴ evaluations


def test_too_much_work_is_inconclusive(integrator):
    capped = integrator.at(max_nfev=40)
    with pytest.raises(Inconclusive) as info:
        capped.solve(lambda s, y: np.cos(50.0 * s) * np.ones(1), (0.0, 100.0), [0.0])
    assert info.value.reason == "too stiff"


def test_blow_up_is_inconclusive(integrator):
    with pytest.raises(Inconclusive) as info:  # y' = y², y(0) = 1: y = 1/(1 - t) blows up at t = 1
        integrator.solve(lambda s, y: y * y, (0.0, 2.0), [1.0])
    assert info.value.reason == "blow-up"


def test_a_terminal_event_with_a_reason_is_inconclusive(integrator):
    """solve_ivp locates it as an event; on the odeint route it is a guard on every evaluated state."""
    hit_zero = event(lambda s, y: y[0], reason="leaves domain")
    with pytest.raises(Inconclusive) as info:  # y' = -1 from 1: y = 0 at t = 1
        integrator.solve(lambda s, y: -np.ones(1), (0.0, 2.0), [1.0], events=[hit_zero])
    assert info.value.reason == "leaves domain"


def test_a_guard_is_not_tripped_past_the_end_of_the_span(integrator):
    """LSODA steps past its last output time and interpolates back; ``tcrit`` keeps it inside the span, so a
    solution that stays in M up to the end (y = 1 - t > 0 on [0, 0.999]) is not called out of it."""
    hit_zero = event(lambda s, y: y[0], reason="leaves domain")
    sol = integrator.solve(lambda s, y: -np.ones(1), (0.0, 0.999), [1.0], t_eval=[0.5, 0.999], events=[hit_zero])
    np.testing.assert_allclose(sol.y[0], [0.5, 0.001], rtol=1e-9)


def test_a_first_sample_within_rounding_of_the_start(integrator):
    """A schedule's piece may start at 0.49999999999999994 with a sample at 0.5 (LSODA alone refuses that
    first step as illegal input); the sample is the starting state."""
    a = 0.49999999999999994
    sol = integrator.solve(lambda s, y: -y, (a, 1.0), [1.0], t_eval=[0.5, 0.75, 1.0])
    np.testing.assert_allclose(sol.y[0], np.exp(-(np.array([0.5, 0.75, 1.0]) - a)), rtol=1e-8)


def test_a_solve_inside_a_right_hand_side_is_correct():
    """LSODA is not re-entrant: the inner LSODA solve must be done another way and both must stay right."""
    inner = ROUTES["odeint (LSODA)"]

    def rhs(s, y):  # y' = -e^{-1}·y, with e^{-1} computed by an inner solve of z' = -z to time 1
        return -inner.solve(lambda r, z: -z, (0.0, 1.0), [1.0]).final[0] * y

    sol = inner.solve(rhs, (0.0, 1.0), [1.0], t_eval=[0.0, 1.0])
    np.testing.assert_allclose(sol.final, [np.exp(-np.exp(-1.0))], rtol=1e-7)
    # and the outer route is free again afterwards
    np.testing.assert_allclose(inner.solve(lambda s, y: -y, (0.0, 1.0), [1.0]).final, [np.exp(-1.0)], rtol=1e-8)


def test_an_lsoda_solve_inside_an_lsoda_event_solve_is_correct():
    """The same on the solve_ivp route (LSODA with a stop event): scipy alone returns the outer start unchanged."""
    inner = ROUTES["odeint (LSODA)"]
    never = event(lambda s, y: 1.0)

    def rhs(s, y):
        return -inner.solve(lambda r, z: -z, (0.0, 1.0), [1.0]).final[0] * y

    sol = inner.solve(rhs, (0.0, 1.0), [1.0], events=[never])
    np.testing.assert_allclose(sol.final, [np.exp(-np.exp(-1.0))], rtol=1e-7)


def test_a_dop853_solve_inside_a_dop853_right_hand_side_is_correct():
    """scipy's Fortran DOP853 is not re-entrant (a nested run returns a wrong answer and the outer one fails):
    the inner solve goes through solve_ivp, and both stay right."""
    inner = ROUTES["ode (dop853)"]

    def rhs(s, y):
        return -inner.solve(lambda r, z: -z, (0.0, 1.0), [1.0]).final[0] * y

    sol = inner.solve(rhs, (0.0, 1.0), [1.0], t_eval=[0.0, 0.5, 1.0])
    np.testing.assert_allclose(sol.final, [np.exp(-np.exp(-1.0))], rtol=1e-9)
    np.testing.assert_allclose(inner.solve(lambda s, y: -y, (0.0, 1.0), [1.0]).final, [np.exp(-1.0)], rtol=1e-9)


def test_a_stop_event_ends_a_dop853_solve_at_the_end_of_the_crossing_step():
    """solve_ivp locates the crossing of y = 0.5 (t = ln 2); the dop853 route stops at the end of the step that
    crossed it, with the samples before it and the stop in t_events / y_events."""
    half = event(lambda s, y: y[0] - 0.5, direction=-1)
    t_eval = [0.0, 0.25, 0.5, 2.0, 3.0]
    located = ROUTES["solve_ivp (DOP853)"].solve(lambda s, y: -y, (0.0, 3.0), [1.0], t_eval=t_eval, events=[half])
    ours = ROUTES["ode (dop853)"].solve(lambda s, y: -y, (0.0, 3.0), [1.0], t_eval=t_eval, events=[half])
    assert located.stopped == ours.stopped == 0
    assert located.t_events[0][0] == pytest.approx(np.log(2.0), rel=1e-9)
    ts = float(ours.t_events[0][0])
    assert np.log(2.0) < ts <= 2.0
    np.testing.assert_allclose(ours.y_events[0][0], [np.exp(-ts)], rtol=1e-9)
    np.testing.assert_array_equal(ours.t, [0.0, 0.25, 0.5])


def test_dop853_integrates_backward_in_time():
    sol = ROUTES["ode (dop853)"].solve(lambda s, y: -y, (1.0, 0.0), [1.0], t_eval=[1.0, 0.5, 0.0])
    np.testing.assert_allclose(sol.y[0], np.exp([0.0, 0.5, 1.0]), rtol=1e-9)


def test_an_exception_in_the_right_hand_side_reaches_the_caller(integrator):
    """f2py's DOP853 cannot unwind a Python exception (it steps on and ends in a SystemError); the route keeps
    the exception, ends the run and raises it: the same error on every route."""

    def rhs(s, y):
        if s > 0.5:
            raise Inconclusive("leaves domain", "raised by the right-hand side")
        return -y

    with pytest.raises(Inconclusive) as info:
        integrator.solve(rhs, (0.0, 1.0), [1.0], t_eval=[0.0, 0.25, 1.0])
    assert info.value.reason == "leaves domain"


def test_the_0_1_name_of_the_fortran_route_still_works_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="FORTRAN_DOP853"):
        old = Integrator(method="dop853")
    assert old == Integrator(method=FORTRAN_DOP853)
