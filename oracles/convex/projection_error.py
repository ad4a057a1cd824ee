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
doubling, a fixed-point iteration from above and bisection (:func:`_deviation`). Extremes of :math:`r_i''` over an interval are taken at its ends and at 0: every
potential of :mod:`oracles.convex.bregman` has :math:`r_i''` monotone on each side of 0.

When no feasible :math:`\tilde w` is found inside dom R near w (the correction leaves the domain, or does
not reduce the residual), there is no certificate. If the residual is nevertheless at the rounding level,
w is the exact projection for a right-hand side within rounding of Y, and the first-order change of the
projection under that perturbation is reported instead (``kind="first-order"``): this happens at small
initialization scales, where coordinates of size 1e-16 alone span a direction of the constraints, and a
bound through the divergence would be loose by a square root (a KL term of 1e-16 allows a unit
coordinate to move by 1e-8). Otherwise the error is infinite and the reason is recorded: the point
cannot be certified (e.g. the set :math:`\{Zw = Y\}` meets dom R only at its boundary).

Shared factorizations. The correction is the Newton step of the dual method in primal form:
:math:`\Delta = h\odot Z^\top(Z\,\mathrm{diag}(h)\,Z^\top)^{-1}(-r)` with :math:`h = \partial w/\partial\theta`,
so :func:`projection_error_bound` takes the Cholesky factor of :math:`Z\,\mathrm{diag}(h)\,Z^\top` the dual
Newton method already has at its last iterate (``metric``), and a :class:`RowSpace` (for well-conditioned Z
the Gram matrix :math:`ZZ^\top`, its eigenvalues and Cholesky factor; else the SVD) for the norm and rank
of Z and the least squares behind :math:`g_\perp` and the KKT residual. None of this is trusted: the bound
holds for *any* correction :math:`\Delta`, since what it rests on, the feasibility of :math:`w + \Delta`
and its place in dom R, is checked on the original Z and Y (as before factorizations were shared); a poor
factorization can only fail to certify. When the
Cholesky corrections do not certify (an ill-conditioned metric: the residual does not contract), the whole
computation is repeated with corrections by complete orthogonal factorization (LAPACK gelsy) of
:math:`Z\,\mathrm{diag}(h)^{1/2}`, so the set of certified points is the one gelsy alone certifies, or larger.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import LinAlgError, cho_factor, cho_solve, eigh, lstsq
from scipy.linalg.blas import dsyrk
from scipy.linalg.lapack import dpotrf, dpotrs

from oracles.core.errors import InvalidInput
from oracles.core.outcome import EPS

if TYPE_CHECKING:
    from oracles.model.potentials import SeparablePotential


@dataclass
class ErrorBound:
    """Per-coordinate bounds ``|w*_i - w_i| <= abs[i]`` and their norm relative to ``‖w‖``.

    ``divergence`` is :math:`\\bar D`, ``corrections`` the number of least-norm correction steps,
    ``reason`` why there is no certificate (``None`` when there is), ``kind`` one of ``"bound"``,
    ``"first-order"``, ``"none"`` (see :func:`projection_error_bound`), ``solver`` what computed the
    corrections of the reported result (``"cholesky"`` or ``"lstsq"``).
    """

    abs: np.ndarray
    relative: float
    divergence: float
    corrections: int
    reason: str | None = None
    kind: str = "bound"
    solver: str = "lstsq"


def _lstsq(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Minimum-norm least squares by complete orthogonal factorization (LAPACK gelsy: QR, faster than SVD)."""
    return lstsq(A, b, lapack_driver="gelsy", check_finite=False)[0]


def chol_factor(a: np.ndarray) -> tuple[np.ndarray, bool]:
    r"""``scipy.linalg.cho_factor(a, check_finite=False)`` of a float64 square matrix, upper factor: the same
    LAPACK ``potrf`` call on the same copy of ``a``, without scipy's batching and array-API wrappers (which
    cost ten times the factorization of the suite's n ≤ 4 Newton matrices).

    Raises
    ------
    LinAlgError
        If ``a`` is not numerically positive definite (as ``cho_factor`` does).
    """
    a = np.asarray(a)
    if a.dtype != np.float64 or a.ndim != 2 or a.size == 0 or a.shape[0] != a.shape[1]:
        return cho_factor(a, check_finite=False)
    c, info = dpotrf(a, lower=False, overwrite_a=False, clean=False)
    if info > 0:
        raise LinAlgError(f"{info}-th leading minor of the array is not positive definite")
    if info < 0:
        raise ValueError(f'LAPACK reported an illegal value in {-info}-th argument on entry to "POTRF".')
    return c, False


def chol_solve(cho: tuple[np.ndarray, bool], b: np.ndarray) -> np.ndarray:
    """``scipy.linalg.cho_solve(cho, b, check_finite=False)`` by the same LAPACK ``potrs`` call (see :func:`chol_factor`)."""
    c, lower = np.asarray(cho[0]), cho[1]
    b1 = np.asarray(b)
    if c.dtype != np.float64 or b1.dtype != np.float64 or b1.size == 0 or c.shape[1] != b1.shape[0]:
        return cho_solve(cho, b, check_finite=False)
    x, info = dpotrs(c, b1, lower=lower, overwrite_b=False)
    if info != 0:
        raise ValueError(f"illegal value in {-info}th argument of internal potrs")
    return x


def weighted_gram(rows: np.ndarray, h: np.ndarray) -> np.ndarray:
    r""":math:`Z\,\mathrm{diag}(h)\,Z^\top` for ``h >= 0`` (one BLAS ``syrk`` of :math:`Z\,\mathrm{diag}(h)^{1/2}`:
    half the work of a general product). Only the upper triangle is filled: what ``cho_factor`` reads."""
    M = np.multiply(rows, np.sqrt(h), order="C")
    return dsyrk(1.0, M.T, trans=1)


def metric_factor(rows: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, bool] | None:
    """``cho_factor`` of :func:`weighted_gram` ``(rows, h)``, or ``None`` if it is not finite or not positive definite."""
    with np.errstate(all="ignore"):
        J = weighted_gram(rows, h)
    if not np.all(np.isfinite(J)):
        return None
    try:
        return chol_factor(J)
    except (LinAlgError, ValueError):
        return None


@dataclass(eq=False)
class RowSpace:
    r"""The constraint matrix Z (n × d, rank r) factored once, for a solver, its KKT residuals and its certificate.

    Attributes
    ----------
    Z
        The data itself.
    rows
        r × d, full row rank, the row space of Z: Z itself when r = n (``Ur`` is None), else
        :math:`S_rV_r^\top = U_r^\top Z` from the SVD of Z.
    Ur
        n × r with orthonormal columns (``rows = Urᵀ Z``), or None for the identity.
    R
        r × r upper triangular with :math:`R^\top R \approx \mathrm{rows}\,\mathrm{rows}^\top`: the Cholesky
        factor of the Gram matrix (only taken for well-conditioned Z, see :func:`row_space`), or
        ``diag(S_r)`` on the SVD path. Used (Gram path only) for least squares on Z, with refinement on the
        true residual, and as the factor of the first Newton matrix when that is a multiple of
        :math:`ZZ^\top`; nothing certified rests on it.
    s
        Singular values of Z, descending (``s[0] = ‖Z‖₂``; on the Gram path from the eigenvalues of
        :math:`ZZ^\top`, ``s[0]`` within :math:`\gamma_d\|Z\|_F^2/\|Z\|_2^2` relative, a few ε in practice).
    fro
        :math:`\|Z\|_F`.
    target
        :math:`U_r^\top Y` when a Y was given: ``Zw = Y`` ⇔ ``rows @ w = target``.
    """

    Z: np.ndarray
    rows: np.ndarray
    Ur: np.ndarray | None
    R: np.ndarray
    s: np.ndarray
    fro: float
    target: np.ndarray | None = None

    @property
    def rank(self) -> int:
        return int(self.rows.shape[0])

    @property
    def norm(self) -> float:
        """:math:`\\|Z\\|_2`."""
        return float(self.s[0])

    def equations(self, v: np.ndarray) -> np.ndarray:
        """``Urᵀ v``: a right-hand side of ``Zw = v`` in the rows' equations."""
        return v if self.Ur is None else self.Ur.T @ v

    def multipliers(self, lam: np.ndarray) -> np.ndarray:
        """``Ur λ``: multipliers of the rows as multipliers of Z (``rowsᵀλ = Zᵀ(Ur λ)``)."""
        return lam if self.Ur is None else self.Ur @ lam

    def _gram_solve(self, b: np.ndarray) -> np.ndarray:
        r""":math:`(R^\top R)^{-1}b`: R is an upper Cholesky factor (``cho_factor`` form)."""
        return chol_solve((self.R, False), b)

    def outside(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""``(g - Zᵀλ, λ)`` for the least-squares multipliers λ of Z: the part of g outside :math:`\mathrm{range}(Z^\top)`.

        On the Gram path (rows = Z, condition number at most 1e4) by the semi-normal equations with R and two
        steps of refinement on the true residual :math:`g - Z^\top\lambda`; otherwise by gelsy on
        :math:`Z^\top` itself, not on the SVD basis, whose rows span :math:`\mathrm{range}(Z^\top)` only up to
        the rounding of the SVD (the part of θ − θ0 that rounding puts outside range(Zᵀ) is what
        :func:`projection_error_bound` accounts for). Any λ makes :math:`g - Z^\top\lambda` a valid
        decomposition; the least-squares one is the smallest.
        """
        if self.Ur is None:
            lam = self._gram_solve(self.Z @ g)
            for _ in range(2):
                lam = lam + self._gram_solve(self.Z @ (g - self.Z.T @ lam))
        else:
            lam = _lstsq(self.Z.T, g)
        return g - self.Z.T @ lam, lam


#: The Gram path of :func:`row_space` is taken when the smallest eigenvalue of :math:`ZZ^\top` certainly exceeds
#: this fraction of the largest (condition number of Z at most 1e4): far from rank deficiency, and well
#: enough conditioned for least squares through the Gram matrix's own Cholesky factor.
GRAM_MIN_RATIO = 1e-8


def row_space(Z: np.ndarray, Y: np.ndarray | None = None) -> RowSpace:
    r"""Factor Z once (:class:`RowSpace`): rank ``r = #{s_i > max(n, d)·EPS·s_0}``, as by an SVD.

    Well-conditioned data of full row rank (the common case, and every large one in the suite) costs one
    BLAS ``syrk`` for :math:`G = ZZ^\top`, its eigenvalues and its Cholesky factor: rows = Z. The path is
    taken only when :math:`\lambda_{\min}(G)` exceeds :data:`GRAM_MIN_RATIO`:math:`\cdot\lambda_{\max}(G)` by
    more than a bound on the rounding of G and of its eigenvalues (Weyl, with
    :math:`|\mathrm{fl}(G) - G| \le \gamma_{d}|Z||Z|^\top` of 2-norm at most :math:`\gamma_d\|Z\|_F^2` whatever
    the summation order of the BLAS, and :math:`16n\epsilon\|G\|` for the symmetric eigensolver), so the
    rank it reports is the SVD's, far from its threshold; ``s`` are then the square roots of the eigenvalues.
    Otherwise (rank-deficient, ill-conditioned or ``n > d``) the SVD of Z gives the r orthogonal equations
    :math:`S_rV_r^\top w = U_r^\top Y`, as before factorizations were shared. With Y, raises
    :class:`InvalidInput` when Y is not in the range of Z (the affine set is empty).
    """
    Z = np.asarray(Z, float)
    n, d = Z.shape
    fro = float(np.linalg.norm(Z))
    if 0 < n <= d and fro > 0:
        G = dsyrk(1.0, Z.T, trans=1)  # ZZᵀ, upper triangle (no copy for a C-ordered Z)
        if np.all(np.isfinite(G)):
            lam = eigh(G, eigvals_only=True, lower=False, check_finite=False)
            gamma = (d + 2) * EPS / (1.0 - (d + 2) * EPS)
            err = gamma * fro * fro + 16 * n * EPS * abs(float(lam[-1]))
            top = float(lam[-1]) + err
            tol = max(n, d) * EPS * math.sqrt(top)
            if float(lam[0]) - err > max(GRAM_MIN_RATIO * top, tol * tol):
                try:
                    R = chol_factor(G)[0]
                except (LinAlgError, ValueError):
                    R = None
                if R is not None:
                    s = np.sqrt(np.maximum(lam[::-1], 0.0))
                    return RowSpace(Z, Z, None, R, s, fro, None if Y is None else np.asarray(Y, float))
    U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    tol = max(Z.shape) * EPS * (s[0] if s.size else 0.0)
    r = int(np.sum(s > tol))
    if r == 0:
        raise InvalidInput("Z is zero: the constraint Zw = Y is void or infeasible")
    Ur = U[:, :r]
    target = None
    if Y is not None:
        Y = np.asarray(Y, float)
        target = Ur.T @ Y
        miss = float(np.linalg.norm(Y - Ur @ target))
        if miss > 1e-9 * max(1.0, float(np.linalg.norm(Y))):
            raise InvalidInput(f"Y is not in the range of Z (distance {miss:.3g}): the set {{Zw = Y}} is empty")
    return RowSpace(Z, s[:r, None] * Vt[:r], Ur, np.diag(s[:r]), s, fro, target)


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


def _hess_rows(P, t: np.ndarray) -> np.ndarray:
    """r'' at every row of t (k × d): one call when ``hess_diag`` broadcasts (every closed form does), else per row."""
    try:
        h = np.asarray(P.hess_diag(t), float)
    except (ValueError, TypeError):
        h = None
    if h is None or h.shape != t.shape:
        h = np.stack([np.asarray(P.hess_diag(row), float) for row in t])
    return h


def _deviation(P, w: np.ndarray, D: float) -> np.ndarray:
    r"""Smallest found :math:`e \ge 0` with :math:`\tfrac12e^2\min_{[w, w \pm e]}r'' \ge D`, per coordinate and side
    (row 0 upward, row 1 downward), to a relative :math:`2^{-40}`.

    Every e returned satisfies the inequality (the bound needs nothing else). The search: doubling from
    :math:`\sqrt{2D/r''(w)}` until it holds; then :math:`e \leftarrow \sqrt{2D/m(e)}(1 + 2^{-44})`, m the minimum of
    :math:`r''` over the segment, which keeps it valid (:math:`m(e') \ge m(e)` for :math:`e' \le e`) while it
    decreases toward the threshold (where the test changes); then, unless :math:`e(1 - 2^{-41})` already fails
    the test, bisection that keeps e valid, on :math:`[e(1 - 2^{-21}), e]` where that brackets the threshold
    (20 steps), else on :math:`[e/2, e]` (40 steps): a bracket of width at most :math:`2^{-41}e` in every
    case, as the 40 plain bisections this replaces. Both sides are searched at once on a 2 × d array
    (elementwise), with :math:`r''(w)` and :math:`r''(0)` evaluated once: the minimum of :math:`r''` over
    :math:`[w, t]` is taken at its ends and at 0 (:func:`_hess_max_min`).
    """
    lower = getattr(P, "lower", -math.inf)
    W = np.vstack([w, w])
    if D <= 0:
        return np.zeros_like(W)
    bounded = math.isfinite(lower)
    side = np.array([[1.0], [-1.0]])
    down = np.array([[False], [True]]) & bounded  # the side a bounded domain caps
    sw = np.sign(W)
    with np.errstate(all="ignore"):
        hw = np.asarray(P.hess_diag(w), float)
        h0: list[np.ndarray] = []

        def check(e):
            """(whether e satisfies the inequality, the minimum m of r'' over the segment)."""
            t = W + side * e
            m = np.minimum(hw, _hess_rows(P, t))
            cross = sw * t < 0
            if np.any(cross):
                if not h0:
                    h0.append(np.asarray(P.hess_diag(np.zeros_like(w)), float))
                m = np.where(cross, np.minimum(m, h0[0]), m)
            good = 0.5 * e * e * m >= D
            return (good | (down & (t <= lower)) if bounded else good), m

        def capped(e):  # on the lower side of a bounded domain the true value is at least `lower`
            return np.where(down, np.minimum(e, W - lower), e) if bounded else e

        hi = np.sqrt(2.0 * D / hw)
        hi = np.where(np.isfinite(hi) & (hi > 0), hi, max(math.sqrt(D), 1e-300))
        hi = np.vstack([hi, hi])
        good, m = check(hi)
        for _ in range(2100):  # doubling: 2^2100 covers every float
            if good.all():
                break
            hi = np.where(good, hi, 2.0 * hi)
            good, m = check(hi)
            if not np.all(np.isfinite(hi)):  # some e is infinite: no certificate (see _primal_bound)
                break
        if not good.all():
            return np.where(good, capped(hi), math.inf)
        for _ in range(8):  # e <- sqrt(2D/m(e)): valid, decreasing to the threshold
            c = np.minimum(np.sqrt(2.0 * D / m) * (1.0 + 2.0**-44), hi)  # a nudge past the rounding of the test
            g, mc = check(c)
            take = g & (c < hi)
            if not take.any():
                break
            hi, m = np.where(take, c, hi), np.where(take, mc, m)
        lo = hi * (1.0 - 2.0**-41)
        done = ~check(lo)[0]  # [lo, hi] brackets the threshold already
        if not done.all():
            near = hi * (1.0 - 2.0**-21)
            tight = done | ~check(near)[0]
            if tight.all():
                lo, steps = np.where(done, lo, near), 20
            else:
                lo = np.where(done, lo, np.where(tight, near, np.where(check(0.5 * hi)[0], 0.0, 0.5 * hi)))
                steps = 40
            for _ in range(steps):  # bisection: keep hi valid
                mid = 0.5 * (lo + hi)
                g = check(mid)[0]
                hi, lo = np.where(g, mid, hi), np.where(g, lo, mid)
    return capped(hi)


def projection_error_bound(
    P: SeparablePotential,
    Z: ArrayLike,
    Y: ArrayLike,
    w: ArrayLike,
    theta: ArrayLike,
    *,
    theta0: ArrayLike | None = None,
    max_corrections: int = 4,
    space: RowSpace | None = None,
    metric: tuple[np.ndarray, bool] | None = None,
    solver: str = "auto",
) -> ErrorBound:
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
    space
        :func:`row_space` of Z, if the caller has it (computed here otherwise, unless ``solver="lstsq"``).
    metric
        ``cho_factor`` of :math:`\mathrm{rows}\,\mathrm{diag}(h)\,\mathrm{rows}^\top` with
        :math:`h = \partial w/\partial\theta` at ``theta`` (``space.rows``; :func:`metric_factor`), if the
        caller has it: the dual Newton method's last factorization. Trusted for nothing but speed (see the
        module docstring): a wrong one can only fail to certify, and then ``solver="auto"`` falls back to gelsy.
    solver
        ``"auto"`` (Cholesky corrections; if they do not certify, gelsy), ``"cholesky"`` or ``"lstsq"``
        (gelsy only, no :class:`RowSpace`: the computation before factorizations were shared).

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
    if solver not in ("auto", "cholesky", "lstsq"):
        raise InvalidInput(f"solver must be 'auto', 'cholesky' or 'lstsq', got {solver!r}")
    Z, Y, w = np.asarray(Z, float), np.asarray(Y, float), np.asarray(w, float)
    with np.errstate(all="ignore"):
        h = np.asarray(P.grad_inv_deriv(theta), float)
        root = np.sqrt(h)
    if not (np.all(np.isfinite(root)) and np.all(np.isfinite(w))):
        return ErrorBound(np.full(w.shape, math.inf), math.inf, math.inf, 0, "the metric at w is not finite", "none")
    if space is not None and not (space.Z is Z or (space.Z.shape == Z.shape and np.array_equal(space.Z, Z))):
        raise InvalidInput("space must be the row_space of this Z")
    if solver != "lstsq" and space is None:
        try:
            space = row_space(Z)
        except InvalidInput:  # Z = 0: nothing to factor
            solver = "lstsq"
    fro = space.fro if space is not None else float(np.linalg.norm(Z))
    out = None
    if solver != "lstsq":
        assert space is not None  # given, or factored just above (else solver is "lstsq")
        cho = metric if metric is not None else metric_factor(space.rows, h)
        if cho is None:
            out = ErrorBound(
                np.full(w.shape, math.inf),
                math.inf,
                math.inf,
                0,
                "the metric Z diag(dw/dθ) Zᵀ is not positive definite",
                "none",
                "cholesky",
            )
        else:
            rows = space.rows

            def cholesky_correction(r):
                """The least-norm correction in the metric ∇²R(w): Δ = H⁻¹Zᵀ(ZH⁻¹Zᵀ)⁻¹(−r), by the Cholesky factor."""
                return h * (rows.T @ chol_solve(cho, space.equations(-r)))

            out = _primal_bound(P, Z, Y, w, fro, cholesky_correction, max_corrections)
            out.solver = "cholesky"
    if out is None or (solver == "auto" and out.kind != "bound"):
        M = Z * root

        def lstsq_correction(r):
            """The least-norm correction in the metric ∇²R(w): Δ = −H⁻¹Zᵀ(ZH⁻¹Zᵀ)⁺r, by gelsy on Z H^{-1/2}."""
            return root * _lstsq(M, -r)

        out = _primal_bound(P, Z, Y, w, fro, lstsq_correction, max_corrections)
    if theta0 is not None and out.kind != "none":
        out.abs = out.abs + _dual_part(Z, h, theta, theta0, space)
        out.relative = float(np.linalg.norm(out.abs)) / max(float(np.linalg.norm(w)), 1e-300)
    return out


def _primal_bound(P, Z, Y, w, fro: float, correction, max_corrections: int) -> ErrorBound:
    """The bound for an exactly dual-structured w (the three-point argument of the module docstring), with
    ``correction(r)`` a Δ with ``ZΔ ≈ -r`` (whatever it returns, the feasibility of ``w + Δ`` is checked here)."""
    lower = getattr(P, "lower", -math.inf)
    wn = max(float(np.linalg.norm(w)), 1e-300)
    floor = 100 * EPS * (float(np.linalg.norm(Y)) + fro * wn)  # Frobenius ≥ spectral norm

    r0 = Z @ w - Y
    with np.errstate(all="ignore"):
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
        with np.errstate(all="ignore"):
            wt, k = wt + correction(r), k + 1
    hmax, _ = _hess_max_min(P, w, wt)
    delta = wt - w
    with np.errstate(all="ignore"):
        terms = np.where(delta == 0, 0.0, 0.5 * delta * delta * hmax)
    D = float(np.sum(terms))
    if not math.isfinite(D):
        return uncertified("the correction crosses a point where R'' is infinite", k)
    e = np.max(_deviation(P, w, D), axis=0)
    if not np.all(np.isfinite(e)):
        return uncertified("no finite deviation satisfies the divergence bound", k)
    return ErrorBound(e, float(np.linalg.norm(e)) / wn, D, k, None, "bound")


def _dual_part(Z, h, theta, theta0, space: RowSpace | None) -> np.ndarray:
    """|∂w/∂θ ⊙ g⊥|: the first-order effect of the part of θ − θ0 outside range(Zᵀ)."""
    g = np.asarray(theta, float) - np.asarray(theta0, float)
    if not np.all(np.isfinite(g)):
        return np.full(g.shape, math.inf)
    out = space.outside(g)[0] if space is not None else g - Z.T @ _lstsq(Z.T, g)
    return h * np.abs(out)


__all__ = ["ErrorBound", "RowSpace", "metric_factor", "projection_error_bound", "row_space", "weighted_gram"]
