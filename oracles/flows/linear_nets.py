r"""Two-layer linear networks (tarmoun2021, min2021): gradient flow, imbalance, margin, rates, closed forms.

The comparisons statements call are in :mod:`oracles.checks.linear_nets`.

Losses. Matrix factorization :math:`\ell(U,V) = \tfrac12\|Y - UV^\top\|_F^2` and regression
:math:`\ell(U,V) = \tfrac12\|Y - XUV^\top\|_F^2`, with :math:`U\in\mathbb R^{m\times k}`,
:math:`V\in\mathbb R^{n\times k}`, :math:`Y\in\mathbb R^{m\times n}` (factorization) or
:math:`X\in\mathbb R^{N\times m}`, :math:`Y\in\mathbb R^{N\times n}` (regression). Write
:math:`W = UV^\top` and :math:`\Sigma_x = X^\top X`.

Gradient flow. With :math:`R = X^\top(Y - XW)` (:math:`R = Y - W` without X),

.. math:: \dot U = R V, \qquad \dot V = R^\top U ,

integrated with the project's :class:`~oracles.core.ode.Integrator` (DOP853, capped) on the flattened state
:math:`(\operatorname{vec}U, \operatorname{vec}V)`. Every solve reports its own work (``Trajectory.nfev``,
the right-hand-side evaluations; there is no module-wide counter).

Conservation (tarmoun2021). :math:`\tfrac{d}{dt}U^\top U = V^\top R^\top U + U^\top R V =
\tfrac{d}{dt}V^\top V`, so the *imbalance* :math:`\Lambda = U^\top U - V^\top V` is constant,
with or without X.

Scalar closed form (tarmoun2021). For :math:`m=n=k=1`, :math:`\lambda_0 = u^2 - v^2` is conserved
and :math:`x = uv` obeys :math:`\dot x = (y - x)(u^2 + v^2) = (y - x)\sqrt{\lambda_0^2 + 4x^2}`
(because :math:`(u^2+v^2)^2 = (u^2-v^2)^2 + 4u^2v^2`). It is solved twice here:

* *Riccati form* (:func:`scalar_closed_form`). With :math:`a = u+v`, :math:`b = u-v`:
  :math:`\dot a = (y-x)a`, :math:`ab = \lambda_0`, :math:`x = (a^2-b^2)/4`, so :math:`p = a^2`
  obeys the constant-coefficient Riccati equation
  :math:`\dot p = -\tfrac12 p^2 + 2yp + \tfrac12\lambda_0^2 = -\tfrac12(p-p_+)(p-p_-)`,
  :math:`p_\pm = 2y \pm r`, :math:`r = \sqrt{\lambda_0^2+4y^2}`. Hence
  :math:`\frac{p-p_+}{p-p_-} = D_0 e^{-rt}`, :math:`D_0 = \frac{p_0-p_+}{p_0-p_-}`, i.e.
  :math:`p(t) - p_+ = \frac{2rD_0e^{-rt}}{1 - D_0e^{-rt}}`, and
  :math:`x = \frac{p - \lambda_0^2/p}{4}`, :math:`x - y = \frac{(p-p_+)(p-p_-)}{4p}`, where
  :math:`p_0 = (u_0+v_0)^2 = \sqrt{\lambda_0^2+4x_0^2} + 2x_0` depends on :math:`(x_0,\lambda_0)`
  only. Expanding gives exactly the slide's formula
  :math:`x(t) = \frac{y e^{2rt} - 2c\lambda_0^2 e^{rt} - 4y\lambda_0^2c^2}{e^{2rt} + 8yc e^{rt} - 4\lambda_0^2c^2}`
  with :math:`c = -D_0/(2p_+)` (:func:`scalar_closed_form_slide`).
* *Antiderivative* (:func:`scalar_log_k`). The ODE is separable and
  :math:`\int\frac{dx}{(y-x)\sqrt{\lambda_0^2+4x^2}} = \frac1r\ln\frac{\lambda_0^2 + 4yx + r\sqrt{\lambda_0^2+4x^2}}{|y-x|}`
  (differentiate to check), so :math:`K(x) = \frac{\lambda_0^2 + 4yx + r\sqrt{\lambda_0^2+4x^2}}{y-x}`
  satisfies :math:`K(x(t)) = K(x_0)e^{rt}` exactly. As :math:`x\to y` the numerator tends to
  :math:`2r^2`, so :math:`|x(t) - y| \sim 2r^2 e^{-rt}/|K(x_0)|`: the rate is
  :math:`r = \sqrt{\lambda_0^2 + 4y^2}` (the slide's :math:`|x(t)-y|\approx 2c(\lambda_0^2+4y^2)e^{-rt}`).

Spectral initialization (tarmoun2021). If :math:`Y = \Phi\Sigma\Psi^\top`,
:math:`U_0 = \Phi D_u Q^\top`, :math:`V_0 = \Psi D_v Q^\top` (diagonal :math:`D_u, D_v`, orthogonal
Q), the flow stays of this form: :math:`Y - UV^\top = \Phi(\Sigma - D_uD_v^\top)\Psi^\top`, so
:math:`\dot U = \Phi(\Sigma - D_uD_v^\top)D_vQ^\top` and :math:`\dot V = \Psi(\Sigma - D_uD_v^\top)^\top D_uQ^\top`
are again "diagonal", and each pair obeys :math:`\dot u_i = (\sigma_i - u_iv_i)v_i`,
:math:`\dot v_i = (\sigma_i - u_iv_i)u_i` -- the scalar flow with target :math:`\sigma_i`. Hence
:math:`W(t) = \Phi\,\Sigma(t)\Psi^\top` with :math:`\sigma_i(t)` = scalar closed form,
:math:`x_0 = u_iv_i`, :math:`\lambda_{0,i} = u_i^2 - v_i^2` (for :math:`i < \min(m,n,k)`; the other
:math:`\sigma_i(t) \equiv 0`, the unpaired :math:`u_i` or :math:`v_i` stay constant).

Rates (min2021) -- see :func:`rate_constant` for the derivation that replaces the garbled slides.

Min-norm (min2021). See :func:`row_space_split`, :func:`min_norm_solution`, :func:`min_norm_gap`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, cast

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import Inconclusive, InvalidInput, as_matrix
from oracles.core.ode import FORTRAN_DOP853, TWO_TOLERANCES, event

#: The fine and the coarse tolerance of every two-tolerance error estimate (DOP853).
RTOL_FINE, RTOL_COARSE = TWO_TOLERANCES.fine.rtol, TWO_TOLERANCES.coarse.rtol
#: Absolute tolerance as a fraction of the relative one (times the state's scale).
ATOL_RATIO = 1e-3


# ----------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Problem:
    r"""A validated instance: ``U0`` (m×k), ``V0`` (n×k), ``Y`` and optionally ``X`` (N×m).

    Attributes ``m, n, k``; ``XtY`` and ``Sx`` (:math:`X^\top Y`, :math:`\Sigma_x`) when X is given.
    """

    U0: np.ndarray
    V0: np.ndarray
    Y: np.ndarray
    X: np.ndarray | None = None

    @property
    def m(self) -> int:
        return self.U0.shape[0]

    @property
    def n(self) -> int:
        return self.V0.shape[0]

    @property
    def k(self) -> int:
        return self.U0.shape[1]

    @property
    def Sx(self) -> np.ndarray | None:
        return None if self.X is None else self.X.T @ self.X

    @property
    def XtY(self) -> np.ndarray | None:
        return None if self.X is None else self.X.T @ self.Y


def check_problem(U0: ArrayLike, V0: ArrayLike, Y: ArrayLike, X: ArrayLike | None = None) -> Problem:
    """Validate shapes and finiteness; raise :class:`InvalidInput` naming the offending argument."""
    U0 = as_matrix(U0, "U0")
    V0 = as_matrix(V0, "V0")
    if U0.shape[1] != V0.shape[1]:
        raise InvalidInput(f"U0 and V0 must have the same number of columns k, got U0 {U0.shape} and V0 {V0.shape}")
    if U0.shape[1] == 0 or U0.shape[0] == 0 or V0.shape[0] == 0:
        raise InvalidInput(f"U0 and V0 must be non-empty, got U0 {U0.shape} and V0 {V0.shape}")
    m, n = U0.shape[0], V0.shape[0]
    if X is None:
        Y = as_matrix(Y, "Y", (m, n))
        return Problem(U0, V0, Y)
    X = as_matrix(X, "X", (None, m))
    Y = as_matrix(Y, "Y", (X.shape[0], n))
    return Problem(U0, V0, Y, X)


def loss(U: ArrayLike, V: ArrayLike, Y: ArrayLike, X: ArrayLike | None = None) -> float:
    r""":math:`\tfrac12\|Y - UV^\top\|_F^2`, or :math:`\tfrac12\|Y - XUV^\top\|_F^2` when X is given."""
    P = check_problem(U, V, Y, X)
    W = P.U0 @ P.V0.T
    E = P.Y - (W if P.X is None else P.X @ W)
    return 0.5 * float(np.sum(E * E))


def imbalance(U: ArrayLike, V: ArrayLike) -> np.ndarray:
    r"""The imbalance :math:`\Lambda = U^\top U - V^\top V` (k×k), conserved by gradient flow."""
    U = as_matrix(U, "U")
    V = as_matrix(V, "V", (None, U.shape[1]))
    return U.T @ U - V.T @ V


def flow_field(U: ArrayLike, V: ArrayLike, Y: ArrayLike, X: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""The gradient-flow velocity :math:`(\dot U, \dot V) = (RV, R^\top U)`, :math:`R = X^\top(Y - XUV^\top)`."""
    P = check_problem(U, V, Y, X)
    R = _residual_grad(P.U0 @ P.V0.T, P.Y, P.XtY, P.Sx)
    return R @ P.V0, R.T @ P.U0


def _residual_grad(W, Y, XtY, Sx):
    return Y - W if Sx is None else XtY - Sx @ W


# ---------------------------------------------------------------------------------- integration
@dataclass
class Trajectory:
    """A sampled gradient-flow trajectory: ``U[j]``, ``V[j]`` at time ``t[j]`` (batched: ``U[j, s]``)."""

    t: np.ndarray
    U: np.ndarray
    V: np.ndarray
    nfev: int
    rtol: float
    t_final: float = math.nan

    @property
    def W(self) -> np.ndarray:
        """The products :math:`U(t)V(t)^\\top`."""
        return self.U @ np.swapaxes(self.V, -1, -2)


def _make_rhs(shape_u, shape_v, Y, XtY, Sx):
    nu = int(np.prod(shape_u))

    def rhs(t, z):
        # ndarray.swapaxes, not np.swapaxes: the same view without the function dispatch (DOP853 calls this
        # hundreds of thousands of times per statement)
        U = z[:nu].reshape(shape_u)
        V = z[nu:].reshape(shape_v)
        W = U @ V.swapaxes(-1, -2)
        R = (Y - W) if Sx is None else (XtY - Sx @ W)
        return np.concatenate([(R @ V).ravel(), (R.swapaxes(-1, -2) @ U).ravel()])

    return rhs


def gradient_flow(
    U0: ArrayLike,
    V0: ArrayLike,
    Y: ArrayLike,
    X: ArrayLike | None = None,
    *,
    t_eval: ArrayLike,
    rtol: float = RTOL_FINE,
    atol: float | None = None,
    stop: Callable[[np.ndarray, np.ndarray], float] | None = None,
) -> Trajectory:
    r"""Integrate the gradient flow of the (regression) factorization loss from ``(U0, V0)``.

    Parameters
    ----------
    U0, V0, Y, X
        The instance (see :func:`check_problem`). ``U0`` and ``V0`` may also be batches of shape
        ``(S, m, k)`` and ``(S, n, k)``: S independent flows integrated as one system.
    t_eval
        Increasing sample times starting at 0 or later; the flow runs on ``[0, t_eval[-1]]``.
    rtol, atol
        Tolerances of DOP853; ``atol`` defaults to ``ATOL_RATIO · rtol · max(1, max|z0|)``.
    stop
        Optional ``stop(U, V) -> float``: the integration ends (terminal event) when it crosses
        zero from above; the trajectory is then sampled only up to that time (``t_final``). With at most two
        samples the solve is the Fortran DOP853 route, which ends at the end of the step that crossed (not
        located inside it); with more, ``solve_ivp`` locates the crossing.

    Returns
    -------
    Trajectory
        Samples of U and V at the times reached, the RHS evaluations, the tolerance.

    Raises
    ------
    Inconclusive
        On solver failure or blow-up.
    """
    U0 = np.asarray(U0, dtype=float)
    V0 = np.asarray(V0, dtype=float)
    if U0.ndim == 3 or V0.ndim == 3:
        if U0.ndim != 3 or V0.ndim != 3 or U0.shape[0] != V0.shape[0] or U0.shape[2] != V0.shape[2]:
            raise InvalidInput(
                f"batched U0, V0 must have shapes (S, m, k) and (S, n, k), got {U0.shape} and {V0.shape}"
            )
        P = check_problem(U0[0], V0[0], Y, X)
        if not (np.all(np.isfinite(U0)) and np.all(np.isfinite(V0))):
            raise InvalidInput("batched U0 or V0 has non-finite entries")
    else:
        P = check_problem(U0, V0, Y, X)
        U0, V0 = P.U0, P.V0
    t_eval = np.asarray(t_eval, dtype=float)
    if t_eval.ndim != 1 or t_eval.size == 0 or t_eval[0] < 0 or np.any(np.diff(t_eval) <= 0):
        raise InvalidInput("t_eval must be a non-empty, strictly increasing 1-D array of times >= 0")
    if not (0 < rtol < 1):
        raise InvalidInput(f"rtol must be in (0, 1), got {rtol}")
    z0 = np.concatenate([U0.ravel(), V0.ravel()])
    if atol is None:
        atol = ATOL_RATIO * rtol * max(1.0, float(np.max(np.abs(z0))), float(np.max(np.abs(P.Y))))
    rhs = _make_rhs(U0.shape, V0.shape, P.Y, P.XtY, P.Sx)
    events = []
    if stop is not None:
        nu = U0.size
        events.append(event(lambda t, z: float(stop(z[:nu].reshape(U0.shape), z[nu:].reshape(V0.shape))), direction=-1))
    T = float(t_eval[-1])
    # Hairer's Fortran DOP853 steps onto every sample: faster for a limit or a stop (two samples), slower when
    # the samples are denser than its steps (see oracles.core.ode), where solve_ivp's interpolant serves them
    method = FORTRAN_DOP853 if t_eval.size <= 2 else "DOP853"
    sol = TWO_TOLERANCES.fine.at(rtol=rtol, atol=atol, method=method).solve(
        rhs, (0.0, T), z0, t_eval=t_eval, events=events
    )
    ts, Z = sol.t, sol.y.T
    t_final = T
    if sol.stopped is not None:
        t_final = float(sol.t_events[0][0])
        ts = np.append(ts[ts < t_final], t_final)
        Z = np.vstack([Z[: ts.size - 1], sol.y_events[0][0]])
    nu = U0.size
    U = Z[:, :nu].reshape((len(ts),) + U0.shape)
    V = Z[:, nu:].reshape((len(ts),) + V0.shape)
    return Trajectory(ts, U, V, int(sol.nfev), rtol, t_final)


def two_tolerance_flows(
    U0: ArrayLike, V0: ArrayLike, Y: ArrayLike, X: ArrayLike | None = None, *, t_eval: ArrayLike
) -> tuple[Trajectory, Trajectory]:
    """The same flow at :data:`RTOL_FINE` and :data:`RTOL_COARSE` (the fine one is the answer)."""
    fine = gradient_flow(U0, V0, Y, X, t_eval=t_eval, rtol=RTOL_FINE)
    coarse = gradient_flow(U0, V0, Y, X, t_eval=t_eval, rtol=RTOL_COARSE)
    return fine, coarse


# --------------------------------------------------------------------------------- conservation
def frobenius_sum(U: ArrayLike, V: ArrayLike) -> np.ndarray:
    r""":math:`U^\top U + V^\top V` -- *not* conserved; the planted quantity of a negative control."""
    U = as_matrix(U, "U")
    V = as_matrix(V, "V", (None, U.shape[1]))
    return U.T @ U + V.T @ V


# ------------------------------------------------------------------------------ scalar dynamics
def scalar_rate(lam0: float, y: float) -> float:
    r"""The convergence rate of :math:`x = uv` to y: :math:`r = \sqrt{\lambda_0^2 + 4y^2}` (tarmoun2021)."""
    return float(math.hypot(float(lam0), 2.0 * float(y)))


def _check_scalars(**values) -> list[float]:
    out = []
    for name, v in values.items():
        try:
            f = float(v)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"{name} must be a real number, got {type(v).__name__}") from exc
        if not math.isfinite(f):
            raise InvalidInput(f"{name} must be finite, got {f}")
        out.append(f)
    return out


def scalar_closed_form(x0: float, lam0: float, y: float, t: ArrayLike) -> np.ndarray:
    r"""Solution of :math:`\dot x = (y - x)\sqrt{\lambda_0^2 + 4x^2}`, :math:`x(0) = x_0`, at times ``t ≥ 0``.

    Riccati form of the module docstring, evaluated in cancellation-free form:
    :math:`p(t) - p_+ = 2rE/(1-E)`, :math:`E = D_0e^{-rt}`,
    :math:`1 - E = 2r/(p_0 - p_-) - D_0\,\mathrm{expm1}(-rt)`,
    :math:`x - y = (p-p_+)(p-p_-)/(4p)`; :math:`p_0 - p_+ = 2(x_0-y)(1 + 2(x_0+y)/(s_0+r))`,
    :math:`s_0 = \sqrt{\lambda_0^2+4x_0^2}`, and :math:`p_\mp = -\lambda_0^2/p_\pm` for the root that
    would cancel. When :math:`(u_0-v_0)^2 > (u_0+v_0)^2` the mirror image (:math:`x\to-x`,
    :math:`y\to-y`, :math:`p\to q = (u-v)^2`) is used so that :math:`p_0 \ge s_0 > 0`. Degenerate
    cases: :math:`s_0 = 0` (u = v = 0, a rest point) gives :math:`x \equiv 0`; :math:`r = 0`
    (:math:`\lambda_0 = y = 0`) gives :math:`p = p_0/(1 + p_0t/2)`, :math:`x = p/4`.
    """
    x0, lam0, y = _check_scalars(x0=x0, lam0=lam0, y=y)
    t = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise InvalidInput("t must be finite and >= 0")
    l2 = lam0 * lam0
    s0 = math.hypot(lam0, 2.0 * x0)
    if s0 == 0.0:
        return np.zeros_like(t)
    sign = 1.0
    if x0 < 0:  # (u - v)^2 > (u + v)^2: use q = (u - v)^2, i.e. the mirror image x -> -x, y -> -y
        x0, y, sign = -x0, -y, -1.0
    p0 = s0 + 2.0 * x0
    r = math.hypot(lam0, 2.0 * y)
    if r == 0.0:
        p = p0 / (1.0 + 0.5 * p0 * t)
        return sign * (p / 4.0)
    if y >= 0:
        pp = 2.0 * y + r
        pm = -l2 / pp
    else:
        pm = 2.0 * y - r
        pp = -l2 / pm
    d0 = 2.0 * (x0 - y) * (1.0 + 2.0 * (x0 + y) / (s0 + r))  # p0 - p+
    den0 = p0 - pm  # >= s0 > 0
    D0 = d0 / den0
    E = D0 * np.exp(-r * t)
    one_minus_E = 2.0 * r / den0 - D0 * np.expm1(-r * t)
    delta = 2.0 * r * E / one_minus_E  # p - p+
    p = pp + delta
    dev = delta * (delta + 2.0 * r) / (4.0 * p)  # x - y
    return sign * (y + dev)


def scalar_closed_form_slide(x0: float, lam0: float, y: float, t: ArrayLike) -> np.ndarray:
    r"""The slide's closed form, :math:`x(t) = \frac{yE^2 - 2c\lambda_0^2E - 4y\lambda_0^2c^2}{E^2 + 8ycE - 4\lambda_0^2c^2}`,
    :math:`E = e^{rt}`, with the constant made explicit: :math:`c = -D_0/(2p_+) = \frac{p_+ - p_0}{2p_+(p_0 - p_-)}`.

    Valid when :math:`p_0 = (u_0+v_0)^2 > 0` and :math:`p_+ = 2y + r > 0`; kept to show the
    slide's formula is right (it is not cancellation-free: use :func:`scalar_closed_form`).
    """
    x0, lam0, y = _check_scalars(x0=x0, lam0=lam0, y=y)
    t = np.asarray(t, dtype=float)
    r = math.hypot(lam0, 2.0 * y)
    p0 = math.hypot(lam0, 2.0 * x0) + 2.0 * x0
    pp, pm = 2.0 * y + r, 2.0 * y - r
    if p0 <= 0 or pp <= 0:
        raise InvalidInput("the slide's form needs (u0 + v0)^2 > 0 and 2y + r > 0")
    c = (pp - p0) / (2.0 * pp * (p0 - pm))
    E = np.exp(r * t)
    l2 = lam0 * lam0
    return (y * E**2 - 2 * c * l2 * E - 4 * y * l2 * c**2) / (E**2 + 8 * y * c * E - 4 * l2 * c**2)


def scalar_log_k(x: ArrayLike, lam0: float, y: float) -> np.ndarray:
    r""":math:`\ln K(x)`, :math:`K(x) = \frac{\lambda_0^2 + 4yx + r\sqrt{\lambda_0^2+4x^2}}{y - x}` up to sign,
    the exponential of r times the antiderivative: along the flow :math:`\ln K(x(t)) = \ln K(x_0) + rt`.

    The numerator :math:`N` is :math:`\ge 0` (Cauchy--Schwarz); where :math:`\lambda_0^2 + 4yx < 0`
    it is evaluated as :math:`N = 4\lambda_0^2(x-y)^2/(rs - \lambda_0^2 - 4yx)`, free of cancellation.
    Raises :class:`Inconclusive` when :math:`N = 0` (:math:`\lambda_0 = 0`, :math:`xy \le 0`: the
    flow tends to 0, not to y) or x = y.
    """
    lam0, y = _check_scalars(lam0=lam0, y=y)
    x = np.asarray(x, dtype=float)
    r = math.hypot(lam0, 2.0 * y)
    l2 = lam0 * lam0
    s = np.hypot(lam0, 2.0 * x)
    a = l2 + 4.0 * y * x
    gap = np.abs(y - x)
    if np.any(gap == 0):
        raise Inconclusive("at the target", "x = y exactly: ln K is infinite")
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = np.log(np.where(a >= 0, a + r * s, 1.0)) - np.log(gap)
        neg = np.log(4.0 * l2) + np.log(gap) - np.log(np.where(a < 0, r * s - a, 1.0))
    out = np.where(a >= 0, pos, neg)
    if not np.all(np.isfinite(out)):
        raise Inconclusive("no convergence to y", "balanced start (λ0 = 0) with x·y <= 0: x(t) -> 0")
    return out


# ------------------------------------------------------------------------------------- spectral
def _diag_rect(d, rows: int, cols: int) -> np.ndarray:
    D = np.zeros((rows, cols))
    d = np.asarray(d, dtype=float)
    idx = np.arange(min(rows, cols, d.size))
    D[idx, idx] = d[idx]
    return D


def _check_orthogonal(Q, name: str, size: int) -> np.ndarray:
    Q = as_matrix(Q, name, (size, size))
    if np.linalg.norm(Q.T @ Q - np.eye(size)) > 1e-10 * size:
        raise InvalidInput(f"{name} must be orthogonal (‖QᵀQ − I‖ = {np.linalg.norm(Q.T @ Q - np.eye(size)):.3g})")
    return Q


def _check_vector(v, name: str, size: int) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    if v.ndim != 1 or v.size != size:
        raise InvalidInput(f"{name} must be a vector of length {size}, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise InvalidInput(f"{name} has non-finite entries")
    return v


@dataclass(frozen=True)
class SpectralInstance:
    r""":math:`Y = \Phi\,\mathrm{diag}(\sigma)\Psi^\top`, :math:`U_0 = \Phi D_u Q^\top`, :math:`V_0 = \Psi D_v Q^\top`."""

    Phi: np.ndarray
    Psi: np.ndarray
    Q: np.ndarray
    sigma: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @property
    def Y(self) -> np.ndarray:
        return self.Phi @ _diag_rect(self.sigma, self.Phi.shape[0], self.Psi.shape[0]) @ self.Psi.T

    @property
    def U0(self) -> np.ndarray:
        return self.Phi @ _diag_rect(self.u, self.Phi.shape[0], self.Q.shape[0]) @ self.Q.T

    @property
    def V0(self) -> np.ndarray:
        return self.Psi @ _diag_rect(self.v, self.Psi.shape[0], self.Q.shape[0]) @ self.Q.T

    @property
    def pairs(self) -> int:
        """Number of coupled (u_i, v_i) pairs: ``min(m, n, k)``."""
        return min(self.Phi.shape[0], self.Psi.shape[0], self.Q.shape[0])


def spectral_init(
    Phi: ArrayLike, Psi: ArrayLike, Q: ArrayLike, sigma: ArrayLike, u: ArrayLike, v: ArrayLike
) -> SpectralInstance:
    r"""Validate a spectral initialization (Φ m×m, Ψ n×n, Q k×k orthogonal; σ of length min(m, n),
    u of length min(m, k), v of length min(n, k)). ``.Y``, ``.U0``, ``.V0`` build the matrices."""
    Phi = as_matrix(Phi, "Phi")
    Psi = as_matrix(Psi, "Psi")
    Q = as_matrix(Q, "Q")
    m, n, k = Phi.shape[0], Psi.shape[0], Q.shape[0]
    Phi = _check_orthogonal(Phi, "Phi", m)
    Psi = _check_orthogonal(Psi, "Psi", n)
    Q = _check_orthogonal(Q, "Q", k)
    sigma = _check_vector(sigma, "sigma", min(m, n))
    u = _check_vector(u, "u", min(m, k))
    v = _check_vector(v, "v", min(n, k))
    return SpectralInstance(Phi, Psi, Q, sigma, u, v)


def spectral_solution(
    inst: SpectralInstance,
    t: ArrayLike,
    *,
    closed_form: Callable[..., np.ndarray] = scalar_closed_form,
    ignore_imbalance: bool = False,
) -> np.ndarray:
    r""":math:`W(t) = \Phi\,\Sigma(t)\Psi^\top` with :math:`\sigma_i(t)` = scalar closed form
    (:math:`x_0 = u_iv_i`, :math:`\lambda_{0,i} = u_i^2 - v_i^2`, target :math:`\sigma_i`) for
    :math:`i < \min(m,n,k)` and :math:`\sigma_i(t) = 0` otherwise. Shape ``(len(t), m, n)``.

    ``ignore_imbalance=True`` sets every :math:`\lambda_{0,i} = 0` (the balanced dynamics
    :math:`\dot\sigma = 2(\sigma_i - \sigma)|\sigma|`): a planted false variant.
    """
    t = np.atleast_1d(np.asarray(t, dtype=float))
    m, n = inst.Phi.shape[0], inst.Psi.shape[0]
    S = np.zeros((t.size, m, n))
    for i in range(inst.pairs):
        lam = 0.0 if ignore_imbalance else inst.u[i] ** 2 - inst.v[i] ** 2
        S[:, i, i] = closed_form(inst.u[i] * inst.v[i], lam, inst.sigma[i], t)
    return inst.Phi @ S @ inst.Psi.T


# ----------------------------------------------------------------------------- rates (min2021)
def row_space_split(X: ArrayLike, rank_tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The split of :math:`\mathbb R^m` used by min2021: :math:`X = W[\Sigma_x^{1/2}\ 0][\Phi_1\ \Phi_2]^\top`.

    Returns ``(Phi1, Phi2, s)``: orthonormal bases of the row space of X (m×r) and of its null space
    (m×(m−r)), and the r non-zero singular values. Then :math:`U = \Phi_1U_1 + \Phi_2U_2` with
    :math:`U_1 = \Phi_1^\top U`, :math:`U_2 = \Phi_2^\top U`. Singular values below
    ``rank_tol · s_max`` count as zero.
    """
    X = as_matrix(X, "X")
    _, s, Vt = np.linalg.svd(X, full_matrices=True)
    if s.size == 0 or s[0] == 0:
        raise InvalidInput("X must be non-zero")
    r = int(np.sum(s > rank_tol * s[0]))
    return Vt[:r].T, Vt[r:].T, s[:r]


def min_norm_solution(X: ArrayLike, Y: ArrayLike, rank_tol: float = 1e-10) -> np.ndarray:
    r"""The minimum-norm least-squares solution :math:`\Theta^* = \arg\min\{\|\Theta\|_F : \Theta \in \arg\min\|Y - X\Theta\|_F\}
    = X^+Y`, with the pseudo-inverse cut at ``rank_tol · s_max``."""
    X = as_matrix(X, "X")
    Y = as_matrix(Y, "Y", (X.shape[0], None))
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        raise InvalidInput("X must be non-zero")
    keep = s > rank_tol * s[0]
    return (Vt[keep].T / s[keep]) @ (U[:, keep].T @ Y)


@dataclass(frozen=True)
class RateConstant:
    r"""The min2021 rate :math:`\alpha` and its ingredients (see :func:`rate_constant`)."""

    alpha: float
    beta_u: float
    beta_v: float
    lam_bar_plus: float
    lam_bar_minus: float
    lam_low_plus: float
    lam_low_minus: float
    margin: float
    margin_u: float
    margin_v: float
    lam_min_x: float = 1.0
    lam_max_x: float = 1.0
    details: dict[str, Any] = field(default_factory=dict)


def _beta(low: float, bar_other: float, s: float) -> float:
    # larger root of (mu - low)(mu + bar_other) = s
    return 0.5 * (low - bar_other + math.sqrt((low + bar_other) ** 2 + 4.0 * s))


def margin(U0: ArrayLike, V0: ArrayLike, Y: ArrayLike, X: ArrayLike | None = None) -> float:
    r"""The (signed) margin of min2021: :math:`\sigma_{min}(Y) - \|Y - U_0V_0^\top\|_F`, the matrix form
    of the scalar :math:`|y| - |y - u_0v_0|`; positive means "sufficient margin".

    With X of full column rank: :math:`\sigma_{min}(W^*) - \|X(U_0V_0^\top - W^*)\|_F/\sqrt{\lambda_{min}(\Sigma_x)}`
    with :math:`W^* = \Sigma_x^{-1}X^\top Y` (the whitened case :math:`\Sigma_x = I` is the factorization
    form). With X rank-deficient the margin is not defined (returns ``-inf``). Here
    :math:`\sigma_{min}` is the :math:`\min(m,n)`-th singular value.
    """
    P = check_problem(U0, V0, Y, X)
    Wstar, dist, _ = _target_and_distance(P)
    if Wstar is None:
        return -math.inf
    return float(np.linalg.svd(Wstar, compute_uv=False)[-1] - dist)


def _target_and_distance(P: Problem) -> tuple[np.ndarray | None, float, float]:
    """(W*, the bound on ‖W(t) − W*‖_F valid along the flow, λmin(Σx)) or (None, inf, λ⁺min) if X is rank-deficient."""
    W0 = P.U0 @ P.V0.T
    if P.X is None:
        return P.Y, float(np.linalg.norm(P.Y - W0)), 1.0
    ev = np.linalg.eigvalsh(cast(np.ndarray, P.Sx))
    if ev[0] <= 1e-12 * ev[-1]:
        pos = ev[ev > 1e-12 * ev[-1]]
        return None, math.inf, float(pos[0])
    Wstar = np.linalg.solve(cast(np.ndarray, P.Sx), cast(np.ndarray, P.XtY))
    return Wstar, float(np.linalg.norm(P.X @ (W0 - Wstar))) / math.sqrt(ev[0]), float(ev[0])


def rate_constant(U0: ArrayLike, V0: ArrayLike, Y: ArrayLike, X: ArrayLike | None = None) -> RateConstant:
    r"""The exponential rate :math:`\alpha` of min2021: :math:`\ell_t - \ell^* \le (\ell_0 - \ell^*)e^{-\alpha t}`.

    **Derivation** (replacing the partly garbled slides; every step is proved here).

    1. *Loss dynamics.* With :math:`R = X^\top(Y - XW)` (:math:`R = Y - W` without X),
       :math:`\dot\ell = -\|RV\|_F^2 - \|U^\top R\|_F^2 \le -(\mu_U + \mu_V)\|R\|_F^2`,
       :math:`\mu_U = \lambda_{min}(UU^\top)` (m×m), :math:`\mu_V = \lambda_{min}(VV^\top)` (n×n).
       Without X, :math:`\|R\|^2 = 2\ell`. With X, :math:`R = \Sigma_x(W^* - W)` and
       :math:`\Sigma_x^2 \succeq \lambda^+_{min}(\Sigma_x)\Sigma_x`, so
       :math:`\|R\|^2 \ge 2\lambda^+_{min}(\Sigma_x)(\ell - \ell^*)`, :math:`\ell-\ell^* = \tfrac12\|X(W-W^*)\|^2`.
       Scalar case: :math:`\dot\ell = -2\ell(u^2+v^2) = -2\ell\sqrt{\lambda_0^2 + 4(uv)^2}` -- the
       garbled slide line "2ℓ √(λ0²+4(uv)²)" is this, with the minus sign and the equality lost.
    2. *Imbalance and margin bound the eigenvalues.* :math:`(UU^\top)^2 = U\Lambda U^\top + WW^\top`.
       Let :math:`\bar\lambda_\pm = \max(\lambda_{max}(\pm\Lambda), 0)`,
       :math:`\underline\lambda_+ = \max(\lambda_m(\Lambda), 0)` and
       :math:`\underline\lambda_- = \max(\lambda_n(-\Lambda), 0)` (j-th *largest* eigenvalue of the k×k
       matrix; 0 if j > k). Then

       .. math:: (\mu_U - \underline\lambda_+)(\mu_U + \bar\lambda_-) \ge \lambda_{min}(WW^\top), \qquad
                 \mu_U \ge \beta_U = \tfrac12\Big(\underline\lambda_+ - \bar\lambda_- +
                 \sqrt{(\underline\lambda_+ + \bar\lambda_-)^2 + 4\lambda_{min}(WW^\top)}\Big).

       Proof: if U is not of full row rank both sides vanish. Else let e be the unit eigenvector of
       :math:`U^\top U` for its m-th eigenvalue :math:`\mu_U`, :math:`S = \mathrm{range}\,U^\top`, and
       :math:`g_{ee} = e^\top V^\top Ve`; testing :math:`WW^\top = UV^\top VU^\top` on the unit vector
       :math:`Ue/\sqrt{\mu_U}` gives :math:`\lambda_{min}(WW^\top) \le \mu_Ug_{ee} = \mu_U(\mu_U - e^\top\Lambda e)`,
       which is at most :math:`\mu_U(\mu_U + \bar\lambda_-)`: the claim when :math:`\underline\lambda_+ = 0`.
       If :math:`\underline\lambda_+ > 0`, the m-dim top eigenspace T of Λ meets
       :math:`\mathrm{span}(e)\oplus S^\perp` (dimensions add to k + 1) in some :math:`y = \alpha e + f`. On :math:`P = \mathrm{span}(e, f)` the compression of
       :math:`U^\top U` is :math:`\mathrm{diag}(\mu_U, 0)`, so :math:`\Lambda_P = \mathrm{diag}(\mu_U,0) - G_P`
       (:math:`G = V^\top V \succeq 0`) and
       :math:`\det(\mu_UI - \Lambda_P) = \mu_U g_{ee} + \det G_P \ge \mu_U g_{ee} \ge \lambda_{min}(WW^\top)`.
       Its eigenvalues satisfy
       :math:`\underline\lambda_+ \le \lambda_1(\Lambda_P) \le \mu_U` (y ∈ P) and
       :math:`-\bar\lambda_- \le \lambda_2(\Lambda_P) \le 0` (interlacing), which gives the product bound.
       By symmetry (:math:`U\leftrightarrow V`, :math:`\Lambda\to-\Lambda`),
       :math:`\mu_V \ge \beta_V = \tfrac12(\underline\lambda_- - \bar\lambda_+ + \sqrt{(\underline\lambda_- + \bar\lambda_+)^2 + 4\lambda_{min}(W^\top W)})`.
       The slides attach :math:`(l_1, l_2)` to :math:`UU^\top` and :math:`(l_3, l_4)` to :math:`VV^\top`
       the other way round (in the scalar case their :math:`VV^\top` bound would be :math:`u^2 > v^2`),
       and write :math:`4\sigma` for :math:`4\sigma^2`; only the sum enters α.
    3. *Margin.* :math:`\lambda_{min}(WW^\top) = \sigma_m(W)^2` if :math:`m \le n` (else 0) and, by Weyl
       and the monotone loss, :math:`\sigma_i(W_t) \ge \sigma_i(W^*) - \|W_t - W^*\|_F \ge
       \sigma_i(W^*) - \delta`, :math:`\delta = \|Y - W_0\|_F` (with X of full column rank:
       :math:`\delta = \|X(W_0 - W^*)\|_F/\sqrt{\lambda_{min}(\Sigma_x)}`). So
       :math:`\lambda_{min}(WW^\top) \ge M_U^2`, :math:`M_U = \max(\sigma_m(W^*) - \delta, 0)` (:math:`M_U = 0`
       if m > n); likewise :math:`M_V` with n. With X rank-deficient no margin is used (M = 0).
    4. *Grönwall.* Λ is conserved, so
       :math:`\alpha = 2\lambda_x(\beta_U(M_U^2) + \beta_V(M_V^2))`, :math:`\lambda_x = 1` without X and
       :math:`\lambda^+_{min}(\Sigma_x)` with X. In the scalar case :math:`\alpha = 2\sqrt{\lambda_0^2 + 4M^2}`
       (the slides' "Rate ≥ 2√(Imbalance² + 4 Margin²)"); for square Y and "homogeneous" imbalance
       (:math:`\underline\lambda_\pm = \bar\lambda_\pm`, one of them 0) likewise
       :math:`\alpha = 2\lambda_x\sqrt{\mathrm{imb}^2 + 4M^2}` (:func:`corollary_rate`).

    The slides' regression constant :math:`2\lambda_{min}(\Sigma_x)\sqrt{\cdot}/\lambda_{max}(\Sigma_x)`
    is not invariant under :math:`X \to cX` (the true rate scales like :math:`c^2` at fixed U, V, and
    the margin of :math:`W^* = W/c` grows), so it cannot hold for :math:`\lambda_{max}(\Sigma_x) < 1`
    with these definitions; it agrees with (and is implied by) the form above when
    :math:`\lambda_{max}(\Sigma_x) = 1`, the normalization the suite's generators use.
    """
    P = check_problem(U0, V0, Y, X)
    m, n, k = P.m, P.n, P.k
    Lam = P.U0.T @ P.U0 - P.V0.T @ P.V0
    ev = np.sort(np.linalg.eigvalsh(0.5 * (Lam + Lam.T)))[::-1]  # decreasing
    bar_p, bar_m = max(float(ev[0]), 0.0), max(float(-ev[-1]), 0.0)
    low_p = max(float(ev[m - 1]), 0.0) if m <= k else 0.0
    low_m = max(float(-ev[k - n]), 0.0) if n <= k else 0.0
    Wstar, dist, lam_x = _target_and_distance(P)
    if Wstar is None:
        sig = np.zeros(0)
        signed_margin = -math.inf
        Mu = Mv = 0.0
        lam_max = float(np.linalg.eigvalsh(cast(np.ndarray, P.Sx))[-1])
    else:
        sig = np.linalg.svd(Wstar, compute_uv=False)
        signed_margin = float(sig[-1] - dist)
        Mu = max(float(sig[m - 1]) - dist, 0.0) if m <= n else 0.0
        Mv = max(float(sig[n - 1]) - dist, 0.0) if n <= m else 0.0
        lam_max = 1.0 if P.X is None else float(np.linalg.eigvalsh(cast(np.ndarray, P.Sx))[-1])
    bu = _beta(low_p, bar_m, Mu * Mu)
    bv = _beta(low_m, bar_p, Mv * Mv)
    alpha = 2.0 * lam_x * (bu + bv)
    return RateConstant(
        alpha,
        bu,
        bv,
        bar_p,
        bar_m,
        low_p,
        low_m,
        signed_margin,
        Mu,
        Mv,
        lam_x,
        lam_max,
        details={"imbalance_eigenvalues": ev.tolist(), "distance": dist},
    )


def corollary_rate(imb: float, margin_: float, lam_min_x: float = 1.0, lam_max_x: float = 1.0) -> float:
    r""":math:`2\,\frac{\lambda_{min}(\Sigma_x)}{\lambda_{max}(\Sigma_x)}\sqrt{\mathrm{imb}^2 + 4\max(M,0)^2}` --
    the slides' corollary form (scalar / square homogeneous case; with X normalized so that
    :math:`\lambda_{max}(\Sigma_x) = 1`, see :func:`rate_constant`)."""
    M = max(float(margin_), 0.0)
    return 2.0 * float(lam_min_x) / float(lam_max_x) * math.sqrt(float(imb) ** 2 + 4.0 * M * M)


# --------------------------------------------------------------------------- min-norm (min2021)
def orthogonality_defect(U: ArrayLike, V: ArrayLike, X: ArrayLike) -> float:
    r""":math:`\|VU_2^\top\|_F + \|U_1U_2^\top\|_F` with :math:`U_i = \Phi_i^\top U` (:func:`row_space_split`):
    zero exactly for min2021's orthogonal initialization."""
    U = as_matrix(U, "U")
    V = as_matrix(V, "V", (None, U.shape[1]))
    X = as_matrix(X, "X", (None, U.shape[0]))
    Phi1, Phi2, _ = row_space_split(X)
    U1, U2 = Phi1.T @ U, Phi2.T @ U
    return float(np.linalg.norm(V @ U2.T) + np.linalg.norm(U1 @ U2.T))


def _converge(U0, V0, Y, X, Theta, lam_pos, rtol, t_cap, conv):
    """Integrate until ½‖X(W − Θ*)‖² ≤ conv (max over a batch); return the trajectory at the stop time."""

    def gap(U, V):
        W = U @ np.swapaxes(V, -1, -2)
        E = X @ (W - Theta)
        return float(np.max(0.5 * np.sum(E * E, axis=(-2, -1)))) - conv

    tr = gradient_flow(U0, V0, Y, X, t_eval=np.array([0.0, t_cap]), rtol=rtol, stop=gap)
    if tr.t_final >= t_cap:
        raise Inconclusive("not converged", f"ℓ − ℓ* above {conv:.3g} at t = {t_cap:g}")
    return tr


def random_init(m: int, n: int, k: int, batch: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    r"""``batch`` draws of :math:`[U(0)]_{ij}, [V(0)]_{ij} \sim \mathcal N(0, 1/k)`: arrays (S, m, k), (S, n, k)."""
    if min(m, n, k, batch) < 1:
        raise InvalidInput(f"m, n, k, batch must be >= 1, got {(m, n, k, batch)}")
    rng = np.random.default_rng(int(seed))
    sd = 1.0 / math.sqrt(k)
    return rng.normal(0.0, sd, (batch, m, k)), rng.normal(0.0, sd, (batch, n, k))
