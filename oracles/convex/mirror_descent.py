r"""Discrete mirror descent (lecture notes, "Mirror Descent", Lemma 2 and the Key Lemma).

The step of the notes is

.. math:: x_{t+1} = \arg\min_x\; f(x_t) + \langle\nabla f(x_t), x - x_t\rangle + \tfrac1\eta D_\phi(x, x_t),

and Lemma 2 says it is the dual step :math:`\nabla\phi(x_{t+1}) = \nabla\phi(x_t) - \eta\nabla f(x_t)`.

* :func:`md_step` -- the closed-form dual step :math:`(\nabla\phi)^{-1}(\nabla\phi(x_t) - \eta\nabla f(x_t))`.
* :func:`md_step_argmin` -- the same step as the argmin above, by ``scipy.optimize.minimize``
  (``trust-exact`` with the exact Hessian :math:`\nabla^2\phi/\eta`), with an a-posteriori error estimate.
* :func:`step_identity_gap` -- Lemma 2 as an :class:`~oracles.core.outcome.Outcome`.
* :func:`mirror_descent` -- iterate the dual step on :math:`f(x) = \tfrac12\|Ax - b\|^2` until it converges.
* :func:`md_limit_vs_projection` -- the Key Lemma as an Outcome: the limit against
  :math:`\arg\min_{Ax=b}D_\phi(x, x_1)` (:func:`oracles.convex.bregman.bregman_projection`).

φ is any separable potential of :mod:`oracles.model.potentials`.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from oracles.convex.bregman import bregman_projection
from oracles.model.potentials import SeparablePotential
from oracles.core.errors import Inconclusive, InvalidInput, as_matrix, as_vector
from oracles.core.outcome import CLOSED_FORM_BUDGET, EPS, Outcome, budget_from_error, relative_gap


def _potential(phi) -> SeparablePotential:
    P = phi if isinstance(phi, SeparablePotential) else None
    if P is None:
        raise InvalidInput(f"phi must be a closed-form separable potential, got {getattr(phi, 'name', phi)!r}")
    return P


def md_step(phi, x, grad, eta: float) -> np.ndarray:
    r"""The dual step :math:`x_{t+1} = (\nabla\phi)^{-1}(\nabla\phi(x_t) - \eta\nabla f(x_t))`.

    Raises
    ------
    Inconclusive
        When :math:`\nabla\phi(x_t) - \eta\nabla f(x_t)` leaves the range of :math:`\nabla\phi` (the step
        is then undefined, li2022 §3.3) or the result is not finite.
    """
    P = _potential(phi)
    x = as_vector(x, "x")
    g = as_vector(grad, "grad", x.size)
    if not eta > 0:
        raise InvalidInput(f"step size eta must be positive, got {eta}")
    with np.errstate(all="ignore"):
        xn = P.grad_inv(P.grad(x) - eta * g)
    if not np.all(np.isfinite(xn)) or not P.in_domain(xn):
        raise Inconclusive("outside range of grad phi", "the dual step leaves the range of grad phi")
    return xn


@dataclass
class ArgminStep:
    """The argmin form of the MD step: the point, the objective's gradient there, and an error estimate."""

    x: np.ndarray
    grad_norm: float
    error: float
    iterations: int
    success: bool


@contextlib.contextmanager
def _nonfinite_is_inconclusive():
    """scipy's trust-exact refuses a trial point whose Hessian is not finite (``ValueError: array must not
    contain infs or NaNs``, seen at the thorough profile): the argmin oracle cannot decide that example."""
    try:
        yield
    except ValueError as exc:
        if "infs or NaNs" not in str(exc):
            raise
        raise Inconclusive("non-finite Hessian", "trust-exact reached a trial point with a non-finite Hessian") from None


def md_step_argmin(phi, x, grad, eta: float, *, f_value: float = 0.0) -> ArgminStep:
    r""":math:`\arg\min_z f(x_t) + \langle\nabla f(x_t), z - x_t\rangle + \tfrac1\eta D_\phi(z, x_t)` by ``minimize``.

    ``trust-exact`` from :math:`z = x_t` with the exact gradient
    :math:`F'(z) = \nabla f(x_t) + (\nabla\phi(z) - \nabla\phi(x_t))/\eta` and Hessian :math:`\nabla^2\phi(z)/\eta`.
    For a potential on the positive orthant (entropy, x^p) the variable is :math:`s = \ln z` (gradient
    :math:`z\odot F'`, Hessian :math:`\mathrm{diag}(z)\nabla^2F\,\mathrm{diag}(z) + \mathrm{diag}(z\odot F')`): in z the
    trust region walks onto the boundary, where trial points with subnormal entries have infinite
    curvature. The change of variables keeps the domain, not the answer: no closed form is used. Error
    estimate: the length of one more Newton step at the result (in z), relative to :math:`\|z\|`, plus
    :math:`10\varepsilon`. A trust region that compares objective values cannot resolve a minimizer
    much below :math:`\sqrt\varepsilon \approx 10^{-8}` (relative), and it often stops there reporting failure;
    measured on the ``notes:lemma-2`` examples, this estimate equals the actual distance to the exact
    step to six digits, so budgets built on it stay honest.
    """
    P = _potential(phi)
    x = as_vector(x, "x")
    g = as_vector(grad, "grad", x.size)
    if not eta > 0:
        raise InvalidInput(f"step size eta must be positive, got {eta}")
    gx = P.grad(x)
    Rx = P.value(x)
    positive = math.isfinite(P.lower)

    def F(z):
        if not P.in_domain(z):
            return math.inf
        with np.errstate(all="ignore"):
            v = f_value + float(g @ (z - x)) + (P.value(z) - Rx - float(gx @ (z - x))) / eta
        return v if math.isfinite(v) else math.inf

    def dF(z):
        with np.errstate(all="ignore"):
            return g + (P.grad(z) - gx) / eta

    def d2F(z):
        with np.errstate(all="ignore"):
            return np.diag(P.hess_diag(z) / eta)

    scale = max(1.0, float(np.linalg.norm(g)))
    with np.errstate(all="ignore"), _nonfinite_is_inconclusive():
        if positive:
            def Fs(s):
                return F(np.exp(s))

            def dFs(s):
                z = np.exp(s)
                return z * dF(z)

            def d2Fs(s):
                z = np.exp(s)
                return z[:, None] * d2F(z) * z[None, :] + np.diag(z * dF(z))

            res = minimize(Fs, np.log(x), jac=dFs, hess=d2Fs, method="trust-exact",
                           options={"gtol": 1e-13 * scale * max(1.0, float(np.max(x))), "maxiter": 500})
            z = np.exp(np.asarray(res.x, float))
        else:
            res = minimize(F, x.copy(), jac=dF, hess=d2F, method="trust-exact",
                           options={"gtol": 1e-13 * scale, "maxiter": 500})
            z = np.asarray(res.x, float)
    r = dF(z)
    h = P.hess_diag(z) / eta
    newton = float(np.linalg.norm(r / h)) / max(float(np.linalg.norm(z)), 1e-300)
    return ArgminStep(z, float(np.linalg.norm(r)), newton + 10 * EPS, int(res.nit), bool(res.success))


def step_identity_gap(phi, loss, x, eta: float, *, variant: str = "dual") -> Outcome:
    r"""Lemma 2 of the notes: the argmin step equals the dual step :math:`\nabla\phi(x_{t+1}) = \nabla\phi(x_t) - \eta\nabla f(x_t)`.

    Discrepancy: :math:`\|x^{argmin}_{t+1} - x^{identity}_{t+1}\| / \max(\|\cdot\|)`. Error: the argmin's own
    estimate plus the rounding of the dual step, :math:`10\varepsilon(1 + \|\theta\odot\partial w/\partial\theta\|/\|x\|)`.

    ``variant`` plants a false identity for the negative controls: ``"gradient"``
    (:math:`x_{t+1} = x_t - \eta\nabla f(x_t)`, the Euclidean step) or ``"hessian"``
    (:math:`x_{t+1} = x_t - \eta\nabla^2\phi(x_t)^{-1}\nabla f(x_t)`, the first-order approximation the notes
    use on the way to the continuous flow).
    """
    P = _potential(phi)
    x = as_vector(x, "x", loss.d)
    if not P.in_domain(x):
        raise InvalidInput(f"x is outside dom phi of {P.name}")
    g = loss.grad(x)
    arg = md_step_argmin(P, x, g, eta, f_value=loss.value(x))
    if not arg.success and arg.error > 1e-6:
        raise Inconclusive("argmin not solved", f"trust-exact stopped with gradient norm {arg.grad_norm:.3g}")
    if variant == "dual":
        ident = md_step(P, x, g, eta)
    elif variant == "gradient":
        ident = x - eta * g
    elif variant == "hessian":
        ident = x - eta * g / P.hess_diag(x)
    else:
        raise InvalidInput(f"variant must be 'dual', 'gradient' or 'hessian', got {variant!r}")
    th = P.grad(x) - eta * g
    cond = float(np.linalg.norm(th * P.grad_inv_deriv(th))) / max(float(np.linalg.norm(ident)), 1e-300)
    err = arg.error + 10 * EPS * (1.0 + cond)
    return Outcome(relative_gap(arg.x, ident), budget_from_error(err, CLOSED_FORM_BUDGET), err,
                   f"relative gap between the argmin step and the {variant} step identity",
                   details={"phi": P.name, "eta": eta, "argmin_iterations": arg.iterations,
                            "argmin_grad_norm": arg.grad_norm})


@dataclass
class MirrorDescentRun:
    """The end of a mirror-descent run on least squares."""

    x: np.ndarray
    theta: np.ndarray
    iterations: int
    residual: float
    error: float
    etas: tuple[float, float]
    history: list[tuple[int, float]] = field(default_factory=list)


def mirror_descent(phi, A, b, x1, *, step: float | None = None, step_scale: float = 0.5, tol: float = 1e-13,
                   max_iter: int = 20_000) -> MirrorDescentRun:
    r"""Mirror descent on :math:`f(x) = \tfrac12\|Ax - b\|^2` from :math:`x_1` with the dual step of Lemma 2.

    Every iterate is an exact mirror-descent step :math:`\nabla\phi(x_{t+1}) = \nabla\phi(x_t) - \eta_t\nabla f(x_t)`;
    only the step sizes :math:`\eta_t` are chosen (variable, as the notes allow):

    * ``step=None`` (default): the trial step is :math:`c/\lambda_{max}(A\,\nabla^2\phi(x_t)^{-1}A^\top)`
      (``c = step_scale`` in (0, 2): gradient descent on the dual function with its local curvature), at most
      twice the last accepted step, and it is halved until it satisfies the sufficient decrease of relative
      smoothness (Bauschke, Bolte & Teboulle 2017; Lu, Freund & Nesterov 2018),

      .. math:: f(x_{t+1}) \le f(x_t) + \langle\nabla f(x_t), x_{t+1} - x_t\rangle + D_\phi(x_{t+1}, x_t)/\eta_t,

      so f decreases at every step. The local curvature alone diverged at small initialization scales: from
      :math:`x_1 = 0` with the hyperbolic entropy of scale α the curvature is :math:`\approx\alpha^2`, the first
      step :math:`\approx 1/\alpha^2`, and every instance at α ≤ 1e-3 overshot (the map θ ↦ x is exponential).
    * ``step=η`` (a float): that step for every iteration, the caller's choice; a run whose residual grows a
      million-fold is inconclusive (``"diverges"``).

    Stops when :math:`\|Ax_t - b\| \le` ``tol`` :math:`\cdot\|b\|`. The error estimate of :math:`x_t` as the limit
    is the length of one Newton step on the dual at :math:`x_t` (what is still to go) plus the rounding accumulated
    in :math:`\theta_t`, :math:`10\varepsilon\sqrt t\,(1 + \|\theta\odot\partial x/\partial\theta\|/\|x\|)`.

    Raises
    ------
    Inconclusive
        No convergence within ``max_iter`` iterations, divergence with a fixed step, no acceptable step, or a
        step that leaves the range of :math:`\nabla\phi`.
    """
    P = _potential(phi)
    A = as_matrix(A, "A")
    b = as_vector(b, "b", A.shape[0])
    x = as_vector(x1, "x1", A.shape[1])
    if not 0 < step_scale < 2:
        raise InvalidInput(f"step_scale must be in (0, 2), got {step_scale}")
    if step is not None and not (math.isfinite(step) and step > 0):
        raise InvalidInput(f"step must be a positive number (or None for the line search), got {step}")
    if not P.in_domain(x):
        raise InvalidInput(f"x1 is outside dom phi of {P.name}")
    th = P.grad(x)
    bn = max(float(np.linalg.norm(b)), 1e-300)
    hist, etas, last = [], [math.inf, 0.0], math.inf
    with np.errstate(all="ignore"):
        t, res, x, th, etas, last = _iterate(P, A, b, x, th, bn, hist, etas, last, step, step_scale, tol, max_iter)
    D = P.grad_inv_deriv(th)
    J = (A * D) @ A.T
    dx = D * (A.T @ np.linalg.lstsq(J, A @ x - b, rcond=None)[0])
    xn = max(float(np.linalg.norm(x)), 1e-300)
    cond = float(np.linalg.norm(th * D)) / xn
    err = float(np.linalg.norm(dx)) / xn + 10 * EPS * math.sqrt(t) * (1.0 + cond)
    return MirrorDescentRun(x, th, t, res, err, (etas[0], etas[1]), hist)


def _iterate(P, A, b, x, th, bn, hist, etas, last, step, step_scale, tol, max_iter):
    """The mirror-descent iterations of :func:`mirror_descent` (floating-point warnings silenced by the caller).

    With the line search, what the accepted trial point already computed (its residual, ``f`` and the terms
    of φ) is carried to the next iteration instead of being recomputed: the same numbers, bit for bit.
    """
    AT, inf = A.T, math.inf
    r = A @ x - b
    rr = float(r @ r)
    point = (P.value_terms(x), None) if step is None else None   # phi's terms at x and the sum of their sizes
    for t in range(1, max_iter + 1):
        res = math.sqrt(rr) / bn   # float(np.linalg.norm(r)) / bn: the same sqrt(r . r)
        if t % 500 == 1:
            hist.append((t, res))
        if res <= tol:
            break
        if t == 1:
            res0 = res
        elif not res <= 1e6 * res0:
            raise Inconclusive("diverges", f"residual grew from {res0:.3g} to {res:.3g}: the steps are too long")
        g = AT @ r
        if step is not None:
            eta = float(step)
            th_new = th - eta * g
            x_new = P.grad_inv(th_new)
            finite = np.isfinite(x_new).all() and np.isfinite(th_new).all()
            r = A @ x_new - b
            rr = float(r @ r)
        else:
            eta, x_new, th_new, r, rr, point = _line_search(P, A, b, x, th, r, g, step_scale, 2.0 * last, 0.5 * rr,
                                                            *point)
            last = eta
            finite = all(-inf < v < inf for v in th_new.tolist())   # x_new was checked by the line search
        etas = [min(etas[0], eta), max(etas[1], eta)]
        th, x = th_new, x_new
        if not finite:
            raise Inconclusive("outside range of grad phi", f"iteration {t}")
    else:
        raise Inconclusive("no convergence", f"residual {res:.3g} after {max_iter} mirror-descent steps")
    return t, res, x, th, etas, last


#: LAPACK's relative machine precision ``dlamch('E')`` and its square (used by :func:`_lambda_max`).
_LAPACK_EPS = 2.0 ** -53
_LAPACK_EPS2 = _LAPACK_EPS * _LAPACK_EPS


def _lambda_max(M: np.ndarray) -> float:
    r"""The largest eigenvalue of the symmetric ``M`` (from its lower triangle): ``np.linalg.eigvalsh(M)[-1]``.

    For 1 × 1 and 2 × 2 matrices (the key lemma's rows) the arithmetic of LAPACK's ``dsyevd`` is replayed
    in Python floats, which is bit for bit its result at a tenth of the call's cost: for n = 2, ``dsterf``
    deflates when :math:`|m_{21}| \le \sqrt{|m_{11}|}\sqrt{|m_{22}|}\,\varepsilon` or
    :math:`m_{21}^2 \le \varepsilon^2|m_{11}m_{22}|` (then the eigenvalues are the diagonal), else ``dlae2``
    gives :math:`\tfrac12(m_{11} + m_{22} + r)` with :math:`r = \sqrt{(m_{11}-m_{22})^2 + 4m_{21}^2}` scaled by the
    larger of the two terms. Entries that LAPACK would rescale (outside 1e-100 .. 1e100), non-finite ones, a
    non-positive trace and larger matrices go to ``eigvalsh`` itself.
    """
    n = M.shape[0]
    if n == 1:
        return float(M[0, 0])   # dsyevd returns the entry for n = 1
    if n == 2:
        (a, _), (b, c) = M.tolist()
        if 1e-100 < max(abs(a), abs(b), abs(c)) < 1e100:   # also false for NaN
            if abs(b) <= (math.sqrt(abs(a)) * math.sqrt(abs(c))) * _LAPACK_EPS:
                return max(a, c)
            e2 = b * b
            if abs(e2) <= _LAPACK_EPS2 * abs(a * c):
                return max(a, c)
            rte = math.sqrt(e2)
            sm, adf, ab = a + c, abs(a - c), abs(rte + rte)
            if adf > ab:
                q = ab / adf
                rt = adf * math.sqrt(1.0 + q * q)
            elif adf < ab:
                q = adf / ab
                rt = ab * math.sqrt(1.0 + q * q)
            else:
                rt = ab * math.sqrt(2.0)
            if sm > 0:
                return 0.5 * (sm + rt)
    return float(np.linalg.eigvalsh(M)[-1])


def _relatively_smooth_step(P: SeparablePotential, A, b, x, th, r, g, scale: float, cap: float):
    """The largest trial step (local curvature, capped) halved until relative smoothness' sufficient decrease holds.

    Returns ``(eta, x_new, theta_new)``. Called with floating-point warnings silenced (overflowing trial points
    are simply rejected).
    """
    return _line_search(P, A, b, x, th, r, g, scale, cap, 0.5 * float(r @ r), P.value_terms(x))[:3]


def _line_search(P: SeparablePotential, A, b, x, th, r, g, scale: float, cap: float, f: float, vt_old,
                 size_old: float | None = None):
    r""":func:`_relatively_smooth_step` given :math:`f(x) = \tfrac12\|r\|^2`, φ's terms at x (``vt_old``) and,
    optionally, the sum of their absolute values (``size_old``).

    Returns ``(eta, x_new, theta_new, r_new, r_new · r_new, (vt_new, size_new))``: the accepted point and what
    the next iteration needs of it. Sums are ``np.add.reduce``, what ``ndarray.sum`` calls.
    """
    add = np.add.reduce
    eta = min(scale / _lambda_max((A * P.grad_inv_deriv(th)) @ A.T), cap)
    if not (math.isfinite(eta) and eta > 0):
        raise Inconclusive("outside range of grad phi", "the local curvature of the dual is not positive and finite")
    generic = type(P).divergence_terms is SeparablePotential.divergence_terms
    gx = P.grad(x) if generic else None   # only the generic divergence uses it
    # SeparablePotential.divergence sums divergence_terms with np.sum, i.e. np.add.reduce: call it directly
    terms = P.divergence_terms if type(P).divergence is SeparablePotential.divergence else None
    if size_old is None:
        size_old = float(add(np.abs(vt_old)))
    lower, inf = P.lower, math.inf
    for _ in range(200):
        th_new = th - eta * g
        x_new = P.grad_inv(th_new)
        if all(lower < v < inf for v in x_new.tolist()):   # finite and inside dom phi
            r_new = A @ x_new - b
            rr_new = float(r_new @ r_new)
            f_new = 0.5 * rr_new
            dx = x_new - x
            lin = float(g @ dx)
            vt_new = P.value_terms(x_new)
            if generic:
                div = float(add(vt_new - vt_old - gx * dx))
            else:
                div = float(add(terms(x_new, x))) if terms is not None else P.divergence(x_new, x)
            # D_phi(x_new, x) = sum r(x_new) - r(x) - r'(x)(x_new - x) cancels near convergence: allow its
            # rounding (and that of f and <g, dx>), else the test fails on noise and the step collapses
            size_new = float(add(np.abs(vt_new)))
            noise = (8 * EPS * (size_new + size_old + float(add(np.abs(th * dx)))) / eta
                     + 8 * EPS * (f + f_new + abs(lin)))
            if math.isfinite(f_new) and f_new <= f + lin + div / eta + noise:
                return eta, x_new, th_new, r_new, rr_new, (vt_new, size_new)
        eta *= 0.5
    raise Inconclusive("no step", "no step size down to 2^-200 of the curvature step satisfies sufficient decrease")


def md_limit_vs_projection(phi, A, b, x1, *, step_scale: float = 0.5, step: float | None = None,
                           target: str = "bregman") -> Outcome:
    r"""Key Lemma of the notes: converging MD on :math:`\tfrac12\|Ax-b\|^2` ends at :math:`\arg\min_{Ax=b}D_\phi(x, x_1)`.

    Discrepancy: relative gap between the MD limit and the Bregman projection of :math:`x_1`; error: the
    MD run's estimate plus the projection's. ``target="euclidean"`` plants the false claim that the limit
    is the interpolant nearest :math:`x_1` in :math:`\ell_2` (for the negative control).
    """
    P = _potential(phi)
    run = mirror_descent(P, A, b, x1, step=step, step_scale=step_scale)
    if target == "bregman":
        proj = bregman_projection(P, A, b, x1).require(1e-10)
        ref, ref_err = proj.w, proj.error
    elif target == "euclidean":
        from oracles.convex.references import min_l2_interpolant

        r = min_l2_interpolant(A, b, x1)
        ref, ref_err = r.x, r.error
    else:
        raise InvalidInput(f"target must be 'bregman' or 'euclidean', got {target!r}")
    err = run.error + ref_err
    return Outcome(relative_gap(run.x, ref), budget_from_error(err, CLOSED_FORM_BUDGET), err,
                   f"relative gap between the mirror-descent limit and the {target} projection of x_1",
                   details={"phi": P.name, "iterations": run.iterations, "residual": run.residual,
                            "eta_range": list(run.etas)})


__all__ = ["ArgminStep", "MirrorDescentRun", "md_limit_vs_projection", "md_step", "md_step_argmin",
           "mirror_descent", "step_identity_gap"]

