r"""Bregman projections onto affine sets :math:`\{w : Zw = Y\}`.

The potentials and :func:`~oracles.model.potentials.bregman_divergence` are in :mod:`oracles.model.potentials`.

* :func:`bregman_projection` -- :math:`\arg\min\{D_R(w, w_0) : Zw = Y\}` by Newton's method on the
  n Lagrange multipliers (the dual problem), and :func:`bregman_projection_scipy` -- the same
  problem handed to ``scipy.optimize.minimize`` (SLSQP or trust-constr), the general fallback and
  the baseline of the benchmark. Both return a :class:`Projection` with its KKT residuals; the dual
  Newton result also carries a certified error bound (:mod:`oracles.convex.projection_error`), since a small
  KKT residual does not make a small error on ill-conditioned data.

The dual problem. The projection's KKT conditions are :math:`Zw = Y` and
:math:`\nabla R(w) - \nabla R(w_0) = Z^\top\lambda` (:math:`\nabla R(w) - \nabla R(w_0) \in
\mathrm{range}(Z^\top)`), so :math:`w(\lambda) = (\nabla R)^{-1}(\theta_0 + Z^\top\lambda)` with
:math:`\theta_0 = \nabla R(w_0)`, and λ minimizes the convex dual function

.. math:: g(\lambda) = R^*(\theta_0 + Z^\top\lambda) - \langle\lambda, Y\rangle,\qquad
          \nabla g = Zw(\lambda) - Y,\qquad \nabla^2 g = Z\,\nabla^2R^*(\theta)\,Z^\top,

with :math:`\nabla^2R^* = \mathrm{diag}(\partial w/\partial\theta)` for a separable R. Newton's
method with Armijo backtracking on g is globally convergent for this smooth strictly convex
function and quadratically convergent near the solution (Boyd & Vandenberghe, *Convex
Optimization*, §9.5); backtracking is what makes it work from λ = 0 at small initialization
scales, where the first full Newton steps overshoot by many orders of magnitude (the map
θ ↦ w is exponential). The first trial step moves θ by at most :math:`10\max(1, \|\theta\|_\infty)`,
and overflowing trial points have :math:`g = +\infty` and are simply backtracked; scales down to
1e-20 are solved to rounding level (tests go to 1e-6 as required, and beyond). For objects without a conjugate the merit function is :math:`\tfrac12\|Zw - Y\|^2`,
for which the Newton direction is also a descent direction.

Cost. At large sizes a Newton iteration is its Newton matrix :math:`Z\,\mathrm{diag}(\partial w/\partial\theta)\,Z^\top`
(one BLAS syrk, :func:`newton_matrix`) and that matrix's Cholesky factorization; the rest of a projection
shares factorizations with them. Z is factored once
(:func:`~oracles.convex.projection_error.row_space`: for well-conditioned data of full row rank its Gram
matrix, eigenvalues and Cholesky factor; else the SVD basis of the rank-deficient or ill-conditioned
case), which gives :math:`\|Z\|_2`, the rank, the Newton equations and the least squares of the KKT
residual; the certificate's feasible correction is the primal form of a Newton step, and it is computed
with the Cholesky factor of the last Newton matrix (:mod:`oracles.convex.projection_error` checks its
result on Z itself and trusts the factor for nothing else). ``tests/benchmarks/test_bench_bregman.py``
measures a projection against iterations × one Newton step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import LinAlgError
from scipy.optimize import LinearConstraint, minimize

from oracles.convex.projection_error import (
    RowSpace,
    chol_factor,
    chol_solve,
    projection_error_bound,
    row_space,
    weighted_gram,
)
from oracles.core.errors import Inconclusive, InvalidInput, as_matrix, as_vector
from oracles.core.outcome import EPS
from oracles.model.potentials import SeparablePotential

if TYPE_CHECKING:
    from oracles.model.potentials import Potential

    class _Gradient(Protocol):
        # what kkt_residuals reads of R
        def grad(self, w: np.ndarray) -> np.ndarray: ...

    class _DualPotential(_Gradient, Protocol):
        # what bregman_projection needs of R besides hess_Q or hess (read with getattr)
        def grad_inv(self, theta: np.ndarray) -> np.ndarray: ...


# -----------------------------------------------------------------------------------------
# projections
@dataclass
class Projection:
    r"""A computed Bregman projection :math:`\arg\min\{D_R(w, w_0) : Zw = Y\}` and its KKT residuals.

    Attributes
    ----------
    w
        The solution.
    lam
        Multipliers with :math:`\nabla R(w) - \nabla R(w_0) \approx Z^\top\lambda` (for the given Z).
    primal_residual
        :math:`\|Zw - Y\| / \max(\|Y\|, \|Z\|_2\|w\|)`.
    dual_residual
        :math:`\|(I - P)(\nabla R(w) - \nabla R(w_0))\| / \|\nabla R(w) - \nabla R(w_0)\|`, P the
        orthogonal projector onto :math:`\mathrm{range}(Z^\top)`, with :math:`\nabla R(w)` recomputed
        from w (not taken from the solver's own dual variable).
    error
        Bound on :math:`\|w - w^\star\| / \|w\|`. For a separable R (dual Newton): the bound of
        :func:`oracles.convex.projection_error.projection_error_bound` from a feasible point near w, or its
        first-order estimate when the residual is at rounding level but no such point is found
        (``details["error_kind"]`` says which; infinite when neither applies: an ill-posed or unsolved
        problem; ``details["error_solver"]`` says whether the last Newton matrix's Cholesky factor or
        gelsy computed the corrections), plus the floating-point floor of evaluating w; for other R an
        estimate, the size of one more Newton step plus that floor.
    iterations, evaluations
        Work done (Newton iterations / optimizer iterations; evaluations of :math:`(\nabla R)^{-1}`).
    method
        ``"dual-newton"``, ``"SLSQP"`` or ``"trust-constr"``.
    converged
        Whether the solver met its own stopping test.
    """

    w: np.ndarray
    lam: np.ndarray
    primal_residual: float
    dual_residual: float
    error: float
    iterations: int
    evaluations: int
    method: str
    converged: bool
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def kkt(self) -> float:
        """The relative KKT residual ``max(primal_residual, dual_residual)``."""
        return max(self.primal_residual, self.dual_residual)

    def require(self, tol: float = 1e-8, max_error: float = 1e-6) -> "Projection":
        r"""Return self, or raise :class:`Inconclusive` when the projection is not solved to ``tol`` or its error
        exceeds ``max_error`` (a budget built on a larger error would decide nothing).

        With a certified error bound (``details["error_kind"] == "bound"``) only the primal residual is
        compared with ``tol``: the relative dual residual is measured against
        :math:`\|\nabla R(w) - \nabla R(w_0)\|`, which is itself rounding noise when w is w0 up to a few
        ulps, and the bound already accounts for the dual residual in the units of w.
        """
        certified = self.details.get("error_kind") == "bound"
        residual = self.primal_residual if certified else self.kkt
        if not (residual <= tol):
            raise Inconclusive(
                "projection not solved", f"{self.method}: relative KKT residual {residual:.3g} > {tol:.1e}"
            )
        if not math.isfinite(self.error):
            why = self.details.get("error_bound_reason") or "no error bound"
            raise Inconclusive("projection not certified", f"{self.method}: {why}")
        if not self.error <= max_error:
            raise Inconclusive(
                "projection ill-conditioned", f"{self.method}: error bound {self.error:.3g} > {max_error:.1e}"
            )
        return self


def _check_problem(Z: ArrayLike, Y: ArrayLike, w0: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Z = as_matrix(Z, "Z")
    n, d = Z.shape
    Y = as_vector(Y, "Y", n)
    w0 = as_vector(w0, "w0", d)
    return Z, Y, w0


#: Below this magnitude a float64 is (nearly) subnormal and ∇R(w) recomputed from it is imprecise.
UNDERFLOW = 1e-290


def kkt_residuals(
    R: _Gradient,
    Z: ArrayLike,
    Y: ArrayLike,
    w: ArrayLike,
    w0: ArrayLike,
    theta: ArrayLike | None = None,
    *,
    space: RowSpace | None = None,
) -> tuple[float, float, np.ndarray]:
    r"""Relative primal and dual KKT residuals of w as the projection of w0, and the least-squares multipliers.

    Primal: :math:`\|Zw - Y\|/\max(\|Y\|, \|Z\|_2\|w\|)`. Dual: the part of
    :math:`g = \nabla R(w) - \nabla R(w_0)` outside :math:`\mathrm{range}(Z^\top)`, relative to
    :math:`\|g\|` (0 when g = 0). :math:`\nabla R` is evaluated at the given points, except, when the
    solver's dual variable ``theta`` is given, on entries with :math:`|w_i| <` :data:`UNDERFLOW`
    (subnormal numbers carry too few bits for :math:`\nabla R` to be recomputed from them; at
    initialization scale 1e-8 the entropy projection has such entries).

    ``space``, the :func:`~oracles.convex.projection_error.row_space` of an already validated Z, supplies
    :math:`\|Z\|_2` and the least squares (:meth:`~oracles.convex.projection_error.RowSpace.outside`) from
    the factorization the caller has; without it, an SVD of Z and ``numpy.linalg.lstsq``.
    """
    if space is None:
        Z, Y, w0 = _check_problem(Z, Y, w0)
        zn = float(np.linalg.norm(Z, 2))
    else:
        Z, zn = space.Z, space.norm
        Y, w0 = as_vector(Y, "Y", Z.shape[0]), as_vector(w0, "w0", Z.shape[1])
    w = as_vector(w, "w", Z.shape[1])
    den = max(float(np.linalg.norm(Y)), zn * float(np.linalg.norm(w)), 1e-300)
    primal = float(np.linalg.norm(Z @ w - Y)) / den
    with np.errstate(all="ignore"):
        gw = np.asarray(R.grad(w), float)
        if theta is not None:
            tiny = np.abs(w) < UNDERFLOW
            gw = np.where(tiny, np.asarray(theta, float), gw)
        g = gw - np.asarray(R.grad(w0), float)
    if not np.all(np.isfinite(g)):
        return primal, math.inf, np.full(Z.shape[0], np.nan)
    if space is None:
        lam, *_ = np.linalg.lstsq(Z.T, g, rcond=None)
        out = g - Z.T @ lam
    else:
        out, lam = space.outside(g)
    gn = float(np.linalg.norm(g))
    dual = float(np.linalg.norm(out)) / gn if gn > 0 else 0.0
    return primal, dual, lam


class _DualMap:
    """θ ↦ (w, ∂w/∂θ, R*(θ)) for the dual Newton method: separable closed forms or a generic R."""

    def __init__(self, R) -> None:
        self.R = R
        self.P = R if isinstance(R, SeparablePotential) else None
        if self.P is None:
            if not callable(getattr(R, "grad_inv", None)):
                raise InvalidInput(f"{getattr(R, 'name', R)!r} has no grad_inv: use bregman_projection_scipy")
            self.has_conj = False
            self.separable = False
        else:
            self.has_conj = True
            self.separable = True
        self.evaluations = 0

    def w(self, theta):
        self.evaluations += 1
        with np.errstate(all="ignore"):
            return np.asarray((self.P or self.R).grad_inv(theta), float)

    def jac(self, theta, w):
        """``∂w/∂θ``: a vector (separable) or a matrix."""
        if self.separable:
            return self.P.grad_inv_deriv(theta)
        hq = getattr(self.R, "hess_Q", None)
        if callable(hq):
            return np.asarray(hq(theta), float)
        return np.linalg.inv(np.asarray(self.R.hess(w), float))

    def conj(self, theta) -> float:
        return cast(SeparablePotential, self.P).conj(theta)

    def state(self, theta):
        """``(w, R*(θ) or None, ∂w/∂θ or None)`` at θ, in one call of the potential where it has one
        (:meth:`~oracles.model.potentials.SeparablePotential.dual_state`); ``None``: not computed here."""
        self.evaluations += 1
        if self.P is not None:
            return self.P.dual_state(theta)
        with np.errstate(all="ignore"):
            return np.asarray(self.R.grad_inv(theta), float), None, None


def newton_matrix(rows: np.ndarray, Dw: np.ndarray) -> np.ndarray:
    r"""The dual Hessian :math:`\nabla^2 g = Z\,\nabla^2R^*(\theta)\,Z^\top` from ``Dw`` = ∂w/∂θ (a vector for a
    separable R: :func:`~oracles.convex.projection_error.weighted_gram`, upper triangle only; else a matrix).

    This is the whole cost of a Newton iteration at large sizes (with its Cholesky factorization); the
    benchmark's floor is measured with it."""
    if Dw.ndim == 1:
        with np.errstate(all="ignore"):
            return weighted_gram(rows, Dw)
    return rows @ Dw @ rows.T


def _newton_direction(rows: np.ndarray, Dw: np.ndarray, F: np.ndarray, it: int):
    """``(-J⁻¹F, cho_factor of J)`` for the Newton matrix J, or a least-squares direction and None when J is not
    numerically positive definite."""
    J = newton_matrix(rows, Dw)
    if not np.isfinite(J).all():
        raise Inconclusive("projection not solved", f"non-finite Newton matrix at iteration {it}")
    try:
        cho = chol_factor(J)
        return -chol_solve(cho, F), cho
    except (LinAlgError, ValueError):
        if Dw.ndim == 1:  # newton_matrix filled the upper triangle only
            J = np.triu(J) + np.triu(J, 1).T
        return -np.linalg.lstsq(J + 1e-300 * np.eye(J.shape[0]), F, rcond=None)[0], None


def bregman_projection(
    R: _DualPotential,
    Z: ArrayLike,
    Y: ArrayLike,
    w0: ArrayLike,
    *,
    theta0: ArrayLike | None = None,
    tol: float = 1e-14,
    maxiter: int = 200,
    max_halvings: int = 60,
) -> Projection:
    r""":math:`\arg\min\{D_R(w, w_0) : Zw = Y\}` by Newton's method on the dual (see the module docstring).

    Parameters
    ----------
    R
        A separable potential of this module, a closed-form Legendre function of
        :mod:`oracles.flows.legendre`, or any object with ``grad``, ``grad_inv`` and either ``hess_Q``
        (the Jacobian of ``grad_inv``, e.g. :class:`oracles.flows.legendre.LemmaLegendre`) or ``hess``.
    Z
        ``n × d`` data, one sample per row; rank-deficient Z is reduced to its row space.
    Y
        Targets, length n; must lie in the range of Z.
    w0
        The point projected, in the interior of dom R.
    theta0
        :math:`\nabla R(w_0)` if known exactly (e.g. 0 for the Lemma 4.7 R at its own w0);
        computed by ``R.grad(w0)`` otherwise.
    tol
        Stop when :math:`\|Zw - Y\| \le tol\cdot\max(\|Y\|, \|Z\|\|w\|)` and up to five more full Newton
        steps no longer reduce it, or when the residual stops decreasing at the level of rounding.

    Returns
    -------
    Projection
        With ``method="dual-newton"``; ``converged`` is False if the iteration stalled above the
        rounding level (the residuals say how far it got).

    Raises
    ------
    InvalidInput
        Malformed data, Y outside the range of Z, w0 outside dom R.
    Inconclusive
        The dual iteration produced non-finite values it could not backtrack from.
    """
    Z, Y, w0 = _check_problem(Z, Y, w0)
    dm = _DualMap(R)
    if dm.separable and not cast(SeparablePotential, dm.P).in_domain(w0):
        raise InvalidInput(f"w0 is outside the interior of dom R of {cast(SeparablePotential, dm.P).name}")
    space = row_space(Z, Y)  # one factorization of Z: Newton's equations, the KKT residual, the certificate
    Zr, Yr, zn = space.rows, cast(np.ndarray, space.target), space.norm  # row_space(Z, Y) sets target
    if theta0 is None:
        with np.errstate(all="ignore"):
            theta0 = np.asarray((dm.P or R).grad(w0), float)
    theta0 = as_vector(theta0, "theta0", Z.shape[1])
    ynorm = float(np.linalg.norm(Yr))

    # id(θ) -> ∂w/∂θ computed with w by dm.state (θ arrays are kept alive by the loop below)
    derivs: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def state(lam):
        th = theta0 + Zr.T @ lam
        w, q, Dw = dm.state(th)
        if not np.isfinite(w).all():
            return th, w, None, math.inf, 0.0
        with np.errstate(all="ignore"):
            F = Zr @ w - Yr
            if dm.has_conj:
                ly = float(lam @ Yr)
                m = q - ly
                slack = 1e-13 * (abs(q) + abs(ly))
            else:
                m = 0.5 * float(F @ F)
                slack = 0.0
        if not (np.isfinite(F).all() and math.isfinite(m) and math.isfinite(slack)):
            return th, w, None, math.inf, 0.0
        if Dw is not None:
            derivs.clear()
            derivs[id(th)] = (th, Dw)
        return th, w, F, m, slack

    def jac(th, w):
        """∂w/∂θ at the accepted θ: the one computed with w when the potential provided it."""
        hit = derivs.get(id(th))
        return hit[1] if hit is not None and hit[0] is th else dm.jac(th, w)

    lam = np.zeros(Zr.shape[0])
    th, w, F, m, slack = state(lam)
    if not math.isfinite(m):
        raise Inconclusive("projection not solved", "non-finite dual function at the starting point")
    it, converged, best, stall, polished = 0, False, math.inf, 0, 0
    step_rel = math.inf
    last = None  # (θ, ∂w/∂θ, Cholesky factor) of the latest Newton matrix: the certificate's metric at θ
    for it in range(1, maxiter + 1):
        scale = max(ynorm, zn * float(np.linalg.norm(w)), 1e-300)
        fnorm = float(np.linalg.norm(F))
        Dw = jac(th, w)
        if it == 1 and space.Ur is None and Dw.ndim == 1 and Dw.size and 0.0 < Dw[0] < math.inf and np.all(Dw == Dw[0]):
            # ∂w/∂θ is a constant c at θ0 (a symmetric initialization): the Newton matrix is c·ZZᵀ, whose Cholesky
            # factor √c·R the row space already has
            cho = (math.sqrt(float(Dw[0])) * space.R, False)
            delta = -chol_solve(cho, F)
        else:
            delta, cho = _newton_direction(Zr, Dw, F, it)
        last = (th, Dw, cho)
        dtheta = Zr.T @ delta
        dw = Dw * dtheta if Dw.ndim == 1 else Dw @ dtheta
        step_rel = float(np.linalg.norm(dw)) / max(float(np.linalg.norm(w)), 1e-300)
        if fnorm <= tol * scale:
            # polish: full Newton steps while they still reduce the residual (the last digits decide the tiny
            # coordinates of ill-conditioned problems; see oracles.convex.projection_error)
            polish = polished < 5 and fnorm > 4 * EPS * scale  # nothing to gain at the rounding level
            th_n, w_n, F_n, m_n, sl_n = state(lam + delta) if polish else (None,) * 5
            if F_n is None or not float(np.linalg.norm(F_n)) < fnorm:
                converged = True
                break
            lam, th, w, F, m, slack, polished = lam + delta, th_n, w_n, F_n, m_n, sl_n, polished + 1
            continue
        if fnorm < best * 0.9:
            best, stall = fnorm, 0
        else:
            stall += 1
            if stall >= 4 and fnorm <= 1e-8 * scale:  # no progress at the rounding level
                converged = True
                break
        slope = float(F @ delta) if dm.has_conj else -float(F @ F)
        # first trial step: the Newton step, but moving θ by at most 10·max(1, |θ|_∞) (at scale 1e-20 the
        # Newton step from λ = 0 is ~1e40 and halving alone would need ~130 trials)
        cap = 10.0 * max(1.0, float(np.max(np.abs(th))))
        big = float(np.max(np.abs(dtheta)))
        t, accepted = (min(1.0, cap / big) if big > 0 else 1.0), False
        for _ in range(max_halvings):
            th_n, w_n, F_n, m_n, sl_n = state(lam + t * delta)
            if m_n <= m + 1e-4 * t * slope + max(slack, sl_n):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        lam, th, w, F, m, slack = lam + t * delta, th_n, w_n, F_n, m_n, sl_n
    # a-posteriori error: for separable R a bound from a nearby feasible point (oracles.convex.projection_error),
    # else one more Newton step; plus the rounding of evaluating w
    details: dict[str, Any] = {
        "newton_step": step_rel,
        "underflowed_entries": int(np.sum(np.abs(w) < UNDERFLOW)),
        "polish_steps": polished,
    }
    if dm.separable:
        # the last Newton matrix was factored at this θ unless the iteration ended on a line-search step
        at_th = last is not None and last[0] is th
        Dw = cast(tuple, last)[1] if at_th else cast(SeparablePotential, dm.P).grad_inv_deriv(th)
        cond = float(np.linalg.norm(th * Dw)) / max(float(np.linalg.norm(w)), 1e-300)
        bound = projection_error_bound(
            cast(SeparablePotential, dm.P),
            Z,
            Y,
            w,
            th,
            theta0=theta0,
            space=space,
            metric=cast(tuple, last)[2] if at_th else None,
        )
        details.update(
            error_bound=bound.relative,
            error_kind=bound.kind,
            error_bound_reason=bound.reason,
            error_divergence=bound.divergence,
            error_corrections=bound.corrections,
            error_solver=bound.solver,
        )
        error = bound.relative + 10 * EPS * (1.0 + cond)
    else:
        error = step_rel + 10 * EPS * 2.0
    primal, dual, _ = kkt_residuals(dm.P or R, Z, Y, w, w0, theta=th, space=space)
    lam_full = space.multipliers(lam)
    return Projection(
        w, lam_full, primal, dual, float(error), it, dm.evaluations, "dual-newton", converged, details=details
    )


def bregman_projection_scipy(
    R: Potential,
    Z: ArrayLike,
    Y: ArrayLike,
    w0: ArrayLike,
    *,
    method: str = "SLSQP",
    maxiter: int = 500,
    ftol: float = 1e-12,
    x0: ArrayLike | None = None,
    use_gradient: bool = True,
) -> Projection:
    r""":math:`\arg\min\{D_R(w, w_0) : Zw = Y\}` by ``scipy.optimize.minimize`` (general fallback, baseline).

    Minimizes :math:`D_R(w, w_0)` (gradient :math:`\nabla R(w) - \nabla R(w_0)`) subject to the
    linear equality :math:`Zw = Y` (Jacobian Z), from ``x0`` (default :math:`w_0`, as in the code of
    Azulay et al. 2021), with ``method="SLSQP"`` or ``"trust-constr"`` (which also uses
    ``R.hess``). A coordinate-wise lower bound (entropy, power potentials) becomes a bound
    constraint. The KKT residuals are computed as for :func:`bregman_projection`; the error
    estimate is the primal residual plus the dual residual (no Newton model is available).

    Parameters
    ----------
    use_gradient
        ``False`` lets the optimizer difference the objective numerically, as the code of Azulay
        et al. does.
    """
    Z, Y, w0 = _check_problem(Z, Y, w0)
    if method not in ("SLSQP", "trust-constr"):
        raise InvalidInput(f"method must be 'SLSQP' or 'trust-constr', got {method!r}")
    P = R
    with np.errstate(all="ignore"):
        g0 = np.asarray(P.grad(w0), float)
    lower = getattr(P, "lower", -math.inf)
    bounds = None
    if math.isfinite(lower):
        bounds = [(lower + 1e-300, None)] * Z.shape[1]
    counter = {"f": 0}

    def f(w):
        counter["f"] += 1
        with np.errstate(all="ignore"):
            v = float(P.value(w) - P.value(w0) - g0 @ (w - w0))
        return v if math.isfinite(v) else 1e300

    def jac(w):
        with np.errstate(all="ignore"):
            return np.asarray(P.grad(w), float) - g0

    start = w0.copy() if x0 is None else as_vector(x0, "x0", Z.shape[1])
    if method == "SLSQP":
        cons = [{"type": "eq", "fun": lambda w: Z @ w - Y, "jac": lambda w: Z}]
        res = minimize(
            f,
            start,
            jac=jac if use_gradient else None,
            method="SLSQP",
            constraints=cons,
            bounds=bounds,
            options={"maxiter": int(maxiter), "ftol": ftol},
        )
    else:
        from scipy.optimize import Bounds

        res = minimize(
            f,
            start,
            jac=jac,
            hess=lambda w: np.asarray(P.hess(w), float),
            method="trust-constr",
            constraints=[LinearConstraint(Z, Y, Y)],
            bounds=Bounds(lower + 1e-300, np.inf) if bounds else None,
            options={"maxiter": int(maxiter), "gtol": ftol, "xtol": 1e-16},
        )
    w = np.asarray(res.x, float)
    primal, dual, lam = kkt_residuals(P, Z, Y, w, w0)
    return Projection(
        w,
        lam,
        primal,
        dual,
        float(primal + dual),
        int(getattr(res, "nit", 0) or 0),
        counter["f"],
        method,
        bool(res.success),
        details={"message": str(res.message)},
    )


def projection_gap(a: Projection, b: Projection) -> float:
    """Relative distance between two computed projections."""
    den = max(float(np.linalg.norm(a.w)), float(np.linalg.norm(b.w)), 1e-300)
    return float(np.linalg.norm(a.w - b.w)) / den


__all__ = [
    "Projection",
    "bregman_projection",
    "bregman_projection_scipy",
    "kkt_residuals",
    "newton_matrix",
    "projection_gap",
]
