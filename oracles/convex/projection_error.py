r"""A computable bound on the error of an approximate Bregman projection (separable R).

The dual methods (the Newton method of :func:`oracles.convex.bregman.bregman_projection`, mirror descent of
:mod:`oracles.convex.mirror_descent`) produce points of the form :math:`w = (\nabla R)^{-1}(\theta)` with
:math:`\theta - \nabla R(w_0) = Z^\top\lambda`, exactly up to rounding, and only approximately feasible:
:math:`r = Zw - Y \ne 0`. The residual alone says little about :math:`\|w - w^\star\|` when the problem is
ill-conditioned (a nearly dependent column, a nearly empty set :math:`\{Zw = Y\}\cap\mathrm{dom}\,R`):
the Newton step at w is computed in the local metric and is blind to where that metric stops being valid.

The bound. For any :math:`\tilde w \in \mathrm{dom}\,R` with :math:`Z\tilde w = Y`, the three-point
identity :math:`D(v, w_0) = D(v, w) + D(w, w_0) + \langle\lambda, Zv - Zw\rangle` holds for both
:math:`v = w^\star` and :math:`v = \tilde w` with the same last term (both are feasible), so minimality of
:math:`w^\star` gives

.. math:: D_R(w^\star, w) \le D_R(\tilde w, w) \le \bar D := \tfrac12\sum_i(\tilde w_i - w_i)^2\,\max_{[w_i,\tilde w_i]} r_i''.

We take :math:`\tilde w = w + \Delta`, :math:`\Delta` the correction of smallest :math:`\nabla^2R(w)`-norm with
:math:`Z\Delta = -r` (a weighted least-norm solve, repeated while the residual is above rounding). Every term
of the separable :math:`D_R(w^\star, w)` is nonnegative, hence at most :math:`\bar D`; the term
:math:`d_i(t) = r_i(t) - r_i(w_i) - r_i'(w_i)(t - w_i)` is convex in t with :math:`d_i(w_i) = 0`, so if
:math:`\tfrac12e^2\min_{[w_i, w_i\pm e]}r_i'' \ge \bar D` then :math:`|w^\star_i - w_i| \le e` on that side
(for a bounded domain the lower side is also capped by the distance to the boundary). These e are found by
doubling and bisection. Extremes of :math:`r_i''` over an interval are taken at its ends and at 0: every
potential of :mod:`oracles.convex.bregman` has :math:`r_i''` monotone on each side of 0.

When no feasible :math:`\tilde w` is found inside dom R near w (the correction leaves the domain, or does
not reduce the residual), there is no certificate. If the residual is nevertheless at the rounding level,
w is the exact projection for a right-hand side within rounding of Y, and the first-order change of the
projection under that perturbation is reported instead (``kind="first-order"``): this happens at small
initialization scales, where coordinates of size 1e-16 alone span a direction of the constraints, and a
bound through the divergence would be loose by a square root (a KL term of 1e-16 allows a unit
coordinate to move by 1e-8). Otherwise the error is infinite and the reason is recorded: the point
cannot be certified (e.g. the set :math:`\{Zw = Y\}` meets dom R only at its boundary).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import lstsq

from oracles.core.outcome import EPS


@dataclass
class ErrorBound:
    """Per-coordinate bounds ``|w*_i - w_i| <= abs[i]`` and their norm relative to ``‖w‖``.

    ``divergence`` is :math:`\\bar D`, ``corrections`` the number of least-norm correction steps,
    ``reason`` why there is no certificate (``None`` when there is), ``kind`` one of ``"bound"``,
    ``"first-order"``, ``"none"`` (see :func:`projection_error_bound`).
    """

    abs: np.ndarray
    relative: float
    divergence: float
    corrections: int
    reason: str | None = None
    kind: str = "bound"


def _lstsq(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Minimum-norm least squares by complete orthogonal factorization (LAPACK gelsy: QR, faster than SVD)."""
    return lstsq(A, b, lapack_driver="gelsy", check_finite=False)[0]


def _hess_max_min(P, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Max and min of r_i'' over the segments [a_i, b_i] (ends, and 0 when a segment crosses it)."""
    with np.errstate(all="ignore"):
        ha, hb = np.asarray(P.hess_diag(a), float), np.asarray(P.hess_diag(b), float)
        hi, lo = np.maximum(ha, hb), np.minimum(ha, hb)
        cross = np.sign(a) * np.sign(b) < 0
        if np.any(cross):
            h0 = np.asarray(P.hess_diag(np.zeros_like(a)), float)
            hi, lo = np.where(cross, np.maximum(hi, h0), hi), np.where(cross, np.minimum(lo, h0), lo)
    return hi, lo


def _deviation(P, w: np.ndarray, D: float, side: float) -> np.ndarray:
    r"""Smallest found :math:`e \ge 0` with :math:`\tfrac12e^2\min_{[w, w + \mathrm{side}\,e]}r'' \ge D` (per coordinate)."""
    lower = getattr(P, "lower", -math.inf)
    if D <= 0:
        return np.zeros_like(w)

    def ok(e):
        t = w + side * e
        _, m = _hess_max_min(P, w, t)
        good = 0.5 * e * e * m >= D
        if side < 0 and math.isfinite(lower):
            good |= t <= lower
        return good

    def capped(e):   # on the lower side of a bounded domain the true value is at least `lower`
        return np.minimum(e, w - lower) if (side < 0 and math.isfinite(lower)) else e

    with np.errstate(all="ignore"):
        h = np.asarray(P.hess_diag(w), float)
        hi = np.sqrt(2.0 * D / h)
        hi = np.where(np.isfinite(hi) & (hi > 0), hi, max(math.sqrt(D), 1e-300))
        good = ok(hi)
        for _ in range(2100):                     # doubling: 2^2100 covers every float
            if good.all():
                break
            hi = np.where(good, hi, 2.0 * hi)
            good = ok(hi)
            if not np.all(np.isfinite(hi)):
                break
        if not good.all():
            return np.where(good, capped(hi), math.inf)
        lo = np.where(ok(0.5 * hi), 0.0, 0.5 * hi)
        for _ in range(40):                       # bisection: keep hi valid
            mid = 0.5 * (lo + hi)
            g = ok(mid)
            hi, lo = np.where(g, mid, hi), np.where(g, lo, mid)
    return capped(hi)


def projection_error_bound(P, Z, Y, w, theta, *, theta0=None, max_corrections: int = 4) -> ErrorBound:
    r"""Bound :math:`|w^\star - w|` coordinatewise for :math:`w = (\nabla R)^{-1}(\theta)` (see the module docstring).

    Parameters
    ----------
    P
        A separable potential of :mod:`oracles.convex.bregman` (``hess_diag``, ``grad_inv_deriv``, ``lower``).
    Z, Y
        The affine set :math:`\{Zw = Y\}` (Y in the range of Z).
    w, theta
        The dual point and its primal image, with :math:`\theta - \nabla R(w_0) \in \mathrm{range}(Z^\top)`
        (by construction for dual iterations).
    theta0
        :math:`\nabla R(w_0)`. When given, the part :math:`g_\perp` of :math:`\theta - \theta_0` outside
        :math:`\mathrm{range}(Z^\top)` (rounding, or a row basis of an ill-conditioned Z computed
        inexactly) is accounted for: w is then the projection of the point :math:`w_0'` with
        :math:`\nabla R(w_0') = \theta_0 + g_\perp`, and the first-order change of the projection,
        at most :math:`|\partial w/\partial\theta \odot g_\perp|` coordinatewise, is added.

    Returns
    -------
    ErrorBound
        ``relative = ‖abs‖/‖w‖``; the floating-point error of evaluating w itself is not included.
        ``kind`` is ``"bound"`` (the certificate), ``"first-order"`` (no certificate, but the residual is
        at the rounding level: w is the exact projection for a right-hand side within rounding of Y, and
        ``abs`` is the first-order change of the projection under that perturbation, with every
        coordinate the linearization would push out of dom R allowed its whole range down to the
        boundary) or ``"none"`` (infinite; ``reason`` says why).
    """
    out = _primal_bound(P, np.asarray(Z, float), np.asarray(Y, float), np.asarray(w, float), theta, max_corrections)
    if theta0 is not None and out.kind != "none":
        with np.errstate(all="ignore"):
            root = np.sqrt(np.asarray(P.grad_inv_deriv(theta), float))
        out.abs = out.abs + _dual_part(np.asarray(Z, float), root, theta, theta0)
        out.relative = float(np.linalg.norm(out.abs)) / max(float(np.linalg.norm(w)), 1e-300)
    return out


def _primal_bound(P, Z, Y, w, theta, max_corrections: int) -> ErrorBound:
    """The bound for an exactly dual-structured w (the three-point argument of the module docstring)."""
    lower = getattr(P, "lower", -math.inf)
    with np.errstate(all="ignore"):
        root = np.sqrt(np.asarray(P.grad_inv_deriv(theta), float))
    wn = max(float(np.linalg.norm(w)), 1e-300)
    if not (np.all(np.isfinite(root)) and np.all(np.isfinite(w))):
        return ErrorBound(np.full(w.shape, math.inf), math.inf, math.inf, 0, "the metric at w is not finite", "none")
    M = Z * root
    floor = 100 * EPS * (float(np.linalg.norm(Y)) + float(np.linalg.norm(Z)) * wn)   # Frobenius ≥ spectral norm

    def correction(r):
        """The least-norm correction in the metric ∇²R(w): Δ = −H⁻¹Zᵀ(ZH⁻¹Zᵀ)⁺r."""
        return root * _lstsq(M, -r)

    r0 = Z @ w - Y
    first = correction(r0)

    def uncertified(reason, k):
        if float(np.linalg.norm(r0)) <= floor and np.all(np.isfinite(first)):
            out = ~(w + first > lower)
            e = np.abs(first) + np.where(out, np.abs(w - lower) if math.isfinite(lower) else math.inf, 0.0)
            return ErrorBound(e, float(np.linalg.norm(e)) / wn, math.nan, k, reason, "first-order")
        return ErrorBound(np.full(w.shape, math.inf), math.inf, math.inf, k, reason, "none")

    wt, r, k = w + first, None, 1
    while True:
        if not (np.all(np.isfinite(wt)) and np.all((wt > lower) | (wt == w))):
            return uncertified("the feasible correction leaves dom R (no feasible point near w)", k)
        r_new = Z @ wt - Y
        rn = float(np.linalg.norm(r_new))
        if rn <= floor:
            break
        if r is not None and not rn < 0.5 * float(np.linalg.norm(r)):
            return uncertified(f"least-norm corrections stall at residual {rn:.3g}", k)
        if k == max_corrections:
            return uncertified(f"residual {rn:.3g} remains after {k} least-norm corrections", k)
        r = r_new
        wt, k = wt + correction(r), k + 1
    hmax, _ = _hess_max_min(P, w, wt)
    delta = wt - w
    with np.errstate(all="ignore"):
        terms = np.where(delta == 0, 0.0, 0.5 * delta * delta * hmax)
    D = float(np.sum(terms))
    if not math.isfinite(D):
        return uncertified("the correction crosses a point where R'' is infinite", k)
    e = np.maximum(_deviation(P, w, D, 1.0), _deviation(P, w, D, -1.0))
    if not np.all(np.isfinite(e)):
        return uncertified("no finite deviation satisfies the divergence bound", k)
    return ErrorBound(e, float(np.linalg.norm(e)) / wn, D, k, None, "bound")


def _dual_part(Z, root, theta, theta0) -> np.ndarray:
    """|∂w/∂θ ⊙ g⊥|: the first-order effect of the part of θ − θ0 outside range(Zᵀ)."""
    g = np.asarray(theta, float) - np.asarray(theta0, float)
    if not np.all(np.isfinite(g)):
        return np.full(g.shape, math.inf)
    lam = _lstsq(Z.T, g)
    return root * root * np.abs(g - Z.T @ lam)


__all__ = ["ErrorBound", "projection_error_bound"]
