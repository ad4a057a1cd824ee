r"""Reference solutions the implicit-bias limits are compared with, each with its own optimality residual.

* :func:`min_l2_interpolant` -- :math:`\arg\min\{\|w - w_0\|_2 : Zw = Y\}` (``lstsq``: SVD-based).
* :func:`basis_pursuit` -- :math:`\arg\min\{\|x\|_1 : Ax = b\}` and, with ``nonneg=True``,
  :math:`\arg\min\{\mathbf 1^\top x : Ax = b,\ x \ge 0\}`, by ``scipy.optimize.linprog`` (HiGHS).
* :func:`nonnegative_support` -- the coordinates that can be positive in :math:`\{x \ge 0 : Ax = b\}` (where
  the entropy projection lives when that set has no strictly positive point).
* :func:`max_margin` -- the hard-margin SVM through the origin,
  :math:`\hat w = \arg\min\{\tfrac12\|w\|^2 : y_ix_i^\top w \ge 1\}`, by SLSQP on the dual followed by an
  active-set polish; :math:`\hat a = \hat w/\|\hat w\|` is the max-margin direction, :math:`1/\|\hat w\|`
  the margin.

Every result carries ``kkt``: a relative residual of its optimality conditions, from which a
comparison derives its error budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linprog, minimize

from oracles.core.errors import Inconclusive, InvalidInput, as_matrix, as_vector
from oracles.core.outcome import EPS


@dataclass
class Reference:
    """A reference solution ``x`` with its relative KKT residual and an error estimate for ``x``.

    ``error`` estimates :math:`\\|x - x^\\star\\|/\\|x^\\star\\|`; ``details`` holds the individual residuals.
    """

    x: np.ndarray
    kkt: float
    error: float
    details: dict[str, Any] = field(default_factory=dict)


def _consistent(Z: np.ndarray, Y: np.ndarray, name: str = "Y") -> None:
    sol, *_ = np.linalg.lstsq(Z, Y, rcond=None)
    miss = float(np.linalg.norm(Z @ sol - Y))
    if miss > 1e-9 * max(1.0, float(np.linalg.norm(Y))):
        raise InvalidInput(
            f"{name} is not in the range of the data matrix (distance {miss:.3g}): no interpolant exists"
        )


def min_l2_interpolant(Z: ArrayLike, Y: ArrayLike, w0: ArrayLike | None = None) -> Reference:
    r""":math:`w_0 + Z^+(Y - Zw_0)`, the interpolant nearest :math:`w_0` in :math:`\ell_2` (:math:`w_0 = 0` by default).

    KKT residual: primal :math:`\|Zw - Y\|/\|Y\|` and dual, the part of :math:`w - w_0` outside
    :math:`\mathrm{range}(Z^\top)` relative to :math:`\|w - w_0\|`. Error estimate
    :math:`10\varepsilon\kappa(Z)` (backward-stable SVD least squares).
    """
    Z = as_matrix(Z, "Z")
    Y = as_vector(Y, "Y", Z.shape[0])
    w0 = np.zeros(Z.shape[1]) if w0 is None else as_vector(w0, "w0", Z.shape[1])
    _consistent(Z, Y)
    delta, _, rank, s = np.linalg.lstsq(Z, Y - Z @ w0, rcond=None)
    w = w0 + delta
    s = s[s > max(Z.shape) * EPS * s[0]]
    kappa = float(s[0] / s[-1])
    size = max(float(np.linalg.norm(w)), float(np.linalg.norm(w0)))  # the problem's scale (w can be 0 to rounding)
    primal = float(np.linalg.norm(Z @ w - Y)) / max(
        float(np.linalg.norm(Y)), float(np.linalg.norm(Z, 2)) * size, 1e-300
    )
    coef, *_ = np.linalg.lstsq(Z.T, delta, rcond=None)
    dn = float(np.linalg.norm(delta))
    dual = float(np.linalg.norm(delta - Z.T @ coef)) / dn if dn > 0 else 0.0
    return Reference(
        w, max(primal, dual), 10 * EPS * kappa, {"primal": primal, "dual": dual, "rank": int(rank), "kappa": kappa}
    )


def basis_pursuit(A: ArrayLike, b: ArrayLike, *, nonneg: bool = False, uniqueness: bool = True) -> Reference:
    r"""Basis pursuit by linear programming (HiGHS).

    ``nonneg=False``: :math:`\min\|x\|_1` s.t. :math:`Ax = b`, as :math:`\min \mathbf 1^\top(p + q)` s.t.
    :math:`A(p - q) = b`, :math:`p, q \ge 0`. ``nonneg=True``: :math:`\min \mathbf 1^\top x` s.t.
    :math:`Ax = b`, :math:`x \ge 0` (the limit of notes, Main Theorem).

    The KKT residual is the largest of: primal :math:`\|Ax - b\|/\|b\|`, dual infeasibility
    (:math:`\|A^\top y\|_\infty \le 1`, resp. :math:`A^\top y \le 1`, for the equality marginals y) and the
    relative duality gap :math:`|\,\|x\|_1 - b^\top y| / \|x\|_1`. ``details["unique"]`` reports a
    sufficient condition for uniqueness (strict complementarity off the support and full column rank on
    it), ``details["objective"]`` the optimal value; ``uniqueness=False`` skips that condition (a second LP) for
    a caller that needs only the optimal value or any minimizer (``details["unique"]`` is then None).

    Raises
    ------
    InvalidInput
        If the LP is infeasible (b outside the range of A, or of its cone when ``nonneg``).
    Inconclusive
        If HiGHS fails for another reason.
    """
    A = as_matrix(A, "A")
    b = as_vector(b, "b", A.shape[0])
    m, d = A.shape
    B = A if nonneg else np.hstack([A, -A])
    res = _linprog(np.ones(B.shape[1]), A_eq=B, b_eq=b, bounds=[(0, None)] * B.shape[1])
    if res.status == 2:
        raise InvalidInput("basis pursuit is infeasible: no x with Ax = b" + (" and x >= 0" if nonneg else ""))
    if res.status != 0:
        raise Inconclusive("LP not solved", str(res.message))
    z, y, viol = certify_lp(B, b, res.x, np.asarray(res.eqlin.marginals, float))
    x = z if nonneg else z[:d] - z[d:]
    obj = float(np.sum(np.abs(x)))
    scale = max(float(np.max(np.abs(x))), 1e-300)
    support = np.flatnonzero(np.abs(x) > 1e-9 * scale)
    kkt = max(viol["primal"], viol["negativity"], viol["dual"], viol["gap"])
    growth = _uniqueness_margin(A, x, support, nonneg) if uniqueness else None
    return Reference(
        x,
        kkt,
        kkt,
        {
            "primal": viol["primal"],
            "dual_infeasibility": viol["dual"],
            "gap": viol["gap"],
            "negativity": viol["negativity"],
            "rounding_allowance": viol["allowance"],
            "objective": obj,
            "support": support.tolist(),
            "uniqueness_margin": growth,
            "unique": None if growth is None else bool(growth > 1e-7),
            "dual": y.tolist(),
        },
    )


#: HiGHS's feasibility tolerances are absolute (1e-7 by default): data whose structure lives below them
#: (an entry of 1e-13 deciding which vertex is feasible) is solved wrongly; tighten to HiGHS's minimum.
HIGHS_TIGHT = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def _linprog(c, **problem):
    """``linprog`` (HiGHS) at :data:`HIGHS_TIGHT`, retried at the default tolerances when the tight solve does
    not end optimal (at its minimum tolerance HiGHS has called feasible data infeasible: A = [[1, 2e-10, 0],
    [-2e-10, 1, 0]], b = A e_0)."""
    res = linprog(c, method="highs", options=HIGHS_TIGHT, **problem)
    if res.status != 0:
        res = linprog(c, method="highs", **problem)
    return res


def certify_lp(
    B: np.ndarray, b: np.ndarray, z: ArrayLike, y: ArrayLike
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    r"""Refine an LP solver's solution of :math:`\min \mathbf 1^\top z` s.t. :math:`Bz = b`, :math:`z \ge 0` and verify it.

    On the support T of z, two steps of iterative refinement make :math:`B_Tz_T = b` and
    :math:`B_T^\top y = \mathbf 1` hold to rounding; then the violations of optimality are measured:
    negativity :math:`\max(0, -\min z)/\|z\|_\infty`, primal :math:`\|Bz - b\|/(\|b\| + \|B\|\|z\|)`,
    dual :math:`\max(0, \max(B^\top y - 1))/(1 + \|B\|\|y\|)` and the relative duality gap. A solution is
    certified when every violation is within the rounding allowance :math:`100\,\epsilon\,\kappa(B_T)`: then
    it is a vertex that is primal and dual feasible and complementary, i.e. optimal, up to rounding.

    Raises
    ------
    Inconclusive
        When the solution is not certified: the solver's absolute tolerances hid a violation that a small
        relative residual does not reveal (e.g. a basic variable of -2e-13 whose fix changes the
        objective by 100%).
    """
    z = np.array(z, float)
    y = np.array(y, float)
    T = z > 0
    BT = B[:, T]
    for _ in range(2):
        if T.any():
            z[T] += np.linalg.lstsq(BT, b - B @ z, rcond=None)[0]
            y += np.linalg.lstsq(BT.T, 1.0 - BT.T @ y, rcond=None)[0]
    bn = float(np.linalg.norm(B, 2))
    zmax = max(float(np.max(np.abs(z))), 1e-300)
    obj = max(float(np.sum(z)), 1e-300)
    viol = {
        "negativity": max(0.0, -float(np.min(z))) / zmax,
        "primal": float(np.linalg.norm(B @ z - b))
        / max(float(np.linalg.norm(b)) + bn * float(np.linalg.norm(z)), 1e-300),
        "dual": max(0.0, float(np.max(B.T @ y - 1.0))) / (1.0 + bn * float(np.linalg.norm(y))),
        "gap": abs(float(np.sum(z)) - float(b @ y))
        / max(obj, abs(float(b @ y)) + bn * float(np.linalg.norm(y)) * zmax, 1e-300),
    }
    kappa = float(np.linalg.cond(BT)) if T.any() else 1.0
    viol["allowance"] = allowance = 100 * EPS * max(1.0, kappa if math.isfinite(kappa) else 1e16)
    bad = {k: v for k, v in viol.items() if k != "allowance" and not v <= allowance}
    if bad:
        worst = max(bad, key=bad.__getitem__)
        raise Inconclusive(
            "LP solution not certified",
            f"{worst} violation {bad[worst]:.3g} exceeds the rounding allowance {allowance:.2g} "
            "after refinement on the solver's support",
        )
    z[z < 0] = 0.0
    return z, y, viol


def _uniqueness_margin(A: np.ndarray, x: np.ndarray, S: np.ndarray, nonneg: bool) -> float:
    r"""How fast the ℓ1 objective grows along feasible directions leaving the support S (0 if not unique).

    x is the unique minimizer iff :math:`A_S` has full column rank and every :math:`h \in \ker A` that
    moves off the support increases the objective: with the normalization :math:`\sum_{i\notin S}|h_i| = 1`,
    :math:`\min\ \mathrm{sign}(x_S)^\top h_S + \sum_{i\notin S}|h_i|` (with :math:`h_i \ge 0` off S when
    ``nonneg``) must be positive. That minimum is returned (one LP), or 0 when :math:`A_S` is rank deficient.
    """
    m, d = A.shape
    if S.size and np.linalg.matrix_rank(A[:, S]) < S.size:
        return 0.0
    off = np.setdiff1d(np.arange(d), S)
    if off.size == 0:
        return math.inf
    k, sgn = S.size, np.sign(x[S])
    Aoff = A[:, off]
    if nonneg:  # variables h_S (free), h_off >= 0
        c = np.concatenate([sgn, np.ones(off.size)])
        Aeq = np.vstack([np.hstack([A[:, S], Aoff]), np.concatenate([np.zeros(k), np.ones(off.size)])[None, :]])
        bounds = [(None, None)] * k + [(0, None)] * off.size
    else:  # h_S free, h_off = p - q with p, q >= 0
        c = np.concatenate([sgn, np.ones(2 * off.size)])
        Aeq = np.vstack(
            [np.hstack([A[:, S], Aoff, -Aoff]), np.concatenate([np.zeros(k), np.ones(2 * off.size)])[None, :]]
        )
        bounds = [(None, None)] * k + [(0, None)] * (2 * off.size)
    beq = np.concatenate([np.zeros(m), [1.0]])
    res = linprog(c, A_eq=Aeq, b_eq=beq, bounds=bounds, method="highs")
    if res.status == 2:  # no feasible direction leaves the support
        return math.inf
    if res.status == 3:
        return -math.inf
    if res.status != 0:
        return 0.0
    return float(res.fun)


@dataclass
class NonnegativeSupport:
    """The coordinates that can be positive in :math:`\\{x \\ge 0 : Ax = b\\}` (its smallest face).

    ``mask[i]`` is True when some feasible x has :math:`x_i > 0`; ``reach[i]`` is the largest :math:`x_i`
    found over the feasible set (capped at ``cap``), ``lps`` the number of LPs solved.
    """

    mask: np.ndarray
    reach: np.ndarray
    cap: float
    lps: int
    #: Every coordinate outside ``mask`` is at most this on the feasible points with ℓ1 norm ≤ 10·cap
    #: (from a verified Farkas certificate; 0 when ``mask`` is all True).
    zero_bound: float = 0.0
    #: The granularity of the certificate itself (eps·Σ|b_i y_i| over the smallest certifying column): a
    #: ``zero_bound`` of this size means "zero up to the rounding of a float64 certificate".
    zero_rounding: float = 0.0

    @property
    def interior(self) -> bool:
        """Whether a strictly positive interpolant exists (the face is the whole orthant)."""
        return bool(self.mask.all())


def nonnegative_support(
    A: ArrayLike, b: ArrayLike, *, zero: float = 1e-12, bp: Reference | None = None
) -> NonnegativeSupport:
    r"""The support of the relative interior of :math:`P = \{x \ge 0 : Ax = b\}`, by linear programming (HiGHS).

    For each coordinate not yet seen positive, :math:`\max\{x_i : x \in P,\ x_i \le \mathrm{cap}\}` with
    cap the ℓ1 norm of the nonnegative basis-pursuit solution (every maximizer found also marks the other
    coordinates it makes positive, so usually far fewer than d LPs run). A coordinate whose maximum is at
    most ``zero`` times the ℓ1 norm of its maximizer is zero on all of P, at rounding level.

    Why it matters: the KL (entropy) projection onto :math:`\{Ax = b\}` exists in the open orthant only
    when P has a strictly positive point. Otherwise the limit of the flows (and the I-projection of
    Csiszár 1975) lives on this face: it is the projection for the columns in ``mask`` with the other
    coordinates 0.

    The coordinates found to be zero are certified (Farkas): a y with :math:`A^\top y \ge 0`,
    :math:`(A^\top y)_j \ge 1` off the support and :math:`b^\top y = 0` gives, for every x in P,
    :math:`\sum_{j\notin S}x_j(A^\top y)_j = b^\top y - \sum_{j\in S}x_j(A^\top y)_j`, so those :math:`x_j` are
    0 up to the rounding of y (``zero_bound``).

    ``bp``, the caller's ``basis_pursuit(A, b, nonneg=True)`` of the same A and b if it has one, is used
    instead of solving that LP again.

    Raises
    ------
    InvalidInput
        If P is empty.
    Inconclusive
        If an LP fails, or the zero coordinates cannot be certified to within 1e-6 of the scale.
    """
    A = as_matrix(A, "A")
    b = as_vector(b, "b", A.shape[0])
    d = A.shape[1]
    if bp is None:
        bp = basis_pursuit(A, b, nonneg=True)
    cap = max(float(np.sum(bp.x)), 1e-300)
    reach = np.clip(bp.x, 0.0, None)
    known = reach > zero * cap
    lps = 1
    for i in range(d):
        if known[i]:
            continue
        c = np.zeros(d)
        c[i] = -1.0
        bounds: list[tuple[float, float | None]] = [(0, None)] * d
        bounds[i] = (0, cap)
        res = _linprog(c, A_eq=A, b_eq=b, bounds=bounds)
        lps += 1
        if res.status != 0:
            raise Inconclusive("LP not solved", f"max x_{i} over the feasible set: {res.message}")
        x = np.clip(res.x, 0.0, None)
        reach = np.maximum(reach, x)
        known |= x > zero * max(float(np.sum(x)), 1e-300)
    bound, rounding = (0.0, 0.0) if known.all() else _zero_certificate(A, b, known, 10.0 * cap)
    if not bound <= 1e-6 * cap:
        raise Inconclusive(
            "face not certified",
            f"coordinates {np.flatnonzero(~known).tolist()} are zero on "
            f"{{x >= 0 : Ax = b}} only up to {bound:.3g} (scale {cap:.3g})",
        )
    return NonnegativeSupport(known, reach, cap, lps + (not known.all()), bound, rounding)


def _zero_certificate(A: np.ndarray, b: np.ndarray, S: np.ndarray, radius: float) -> tuple[float, float]:
    """Largest x_j (j outside S) over {x >= 0 : Ax = b, ‖x‖₁ <= radius} implied by a Farkas vector (inf if none).

    Returns ``(bound, rounding)``. The vector y comes from an LP and a least-squares refinement, both in
    floating point, so it differs in its last bits between BLAS builds; the bound is then evaluated *for the
    stored y* with exactly rounded dot products (:func:`exact_matvec`), so it is a rigorous bound (up to a
    relative 4 eps) whatever BLAS computed y, and it does not depend on the summation order of a BLAS.
    ``rounding`` = eps·Σ|b_i y_i|/min_j (Aᵀy)_j is the granularity of b·y for a y stored in float64: no
    certificate read from a float64 y can promise less, so a bound of that size means "zero to rounding".
    """
    n = A.shape[0]
    Ub = np.vstack([-A[:, S].T, -A[:, ~S].T])
    ub = np.concatenate([np.zeros(int(S.sum())), -np.ones(int((~S).sum()))])
    res = _linprog(np.zeros(n), A_ub=Ub, b_ub=ub, A_eq=b[None, :], b_eq=[0.0], bounds=[(None, None)] * n)
    if res.status != 0:
        return math.inf, math.inf
    y = np.asarray(res.x, float)
    # refine on the active constraints (v_j = 0 on S, v_j = 1 off S, b·y = 0), with exactly rounded residuals
    v = exact_matvec(A.T, y)
    act = np.where(S, np.abs(v) <= 1e-8 * (1.0 + np.abs(v).max()), np.abs(v - 1.0) <= 1e-8 * (1.0 + np.abs(v).max()))
    C = np.vstack([A[:, act].T, b[None, :]])
    rhs = np.concatenate([np.where(S[act], 0.0, 1.0), [0.0]])
    for _ in range(2):
        y = y + np.linalg.lstsq(C, rhs - exact_matvec(C, y), rcond=None)[0]
    v = exact_matvec(A.T, y)
    by = float(exact_matvec(b[None, :], y)[0])
    low = float(np.min(v[~S]))
    if not low > 0:
        return math.inf, math.inf
    neg = max(0.0, -float(np.min(v[S]))) if S.any() else 0.0
    rounding = EPS * float(np.sum(np.abs(b * y))) / low
    return (abs(by) + neg * radius) / low * (1.0 + 4.0 * EPS), rounding


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's TwoProduct: ``p + e == a*b`` exactly (Veltkamp splitting; no FMA needed)."""
    p = a * b
    ca, cb = 134217729.0 * a, 134217729.0 * b  # 2**27 + 1
    ah, bh = ca - (ca - a), cb - (cb - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def exact_matvec(M: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``M @ y`` with every entry the correctly rounded value of the exact dot product.

    Each product is split exactly into two doubles (:func:`_two_product`) and the row is summed by
    :func:`math.fsum`; the result is therefore the same on every platform and BLAS, and within half an
    ulp of the exact value. For certificates whose soundness rests on a dot product (a Farkas vector).
    """
    M = np.atleast_2d(np.asarray(M, float))
    p, e = _two_product(M, np.asarray(y, float)[None, :])
    return np.array([math.fsum(np.concatenate([p[k], e[k]])) for k in range(M.shape[0])])


@dataclass
class MaxMargin:
    r"""The hard-margin SVM through the origin.

    Attributes
    ----------
    w
        :math:`\hat w` with :math:`\min_i y_ix_i^\top\hat w = 1`.
    direction
        :math:`\hat a = \hat w/\|\hat w\|`.
    margin
        :math:`\gamma^\star = 1/\|\hat w\|`.
    alpha
        Dual variables, :math:`\hat w = \sum_i\alpha_iy_ix_i`.
    kkt
        Largest relative residual of: primal feasibility, dual feasibility, complementary slackness.
    polished
        Whether the active-set polish (exact solve on the support) was accepted.
    """

    w: np.ndarray
    direction: np.ndarray
    margin: float
    alpha: np.ndarray
    support: np.ndarray
    kkt: float
    polished: bool


def _svm_kkt(Zc: np.ndarray, w: np.ndarray, alpha: np.ndarray) -> float:
    """Largest of: primal infeasibility, stationarity ‖w − Z_cᵀα‖/‖w‖, dual infeasibility, complementarity."""
    m = Zc @ w
    amax = max(float(np.max(np.abs(alpha))), 1e-300)
    primal = max(0.0, float(1.0 - np.min(m)))
    station = float(np.linalg.norm(w - Zc.T @ alpha)) / max(float(np.linalg.norm(w)), 1e-300)
    dual = max(0.0, float(-np.min(alpha))) / amax
    comp = float(np.max(np.abs(alpha * (m - 1.0)))) / amax
    return max(primal, station, dual, comp)


def max_margin(X: ArrayLike, y: ArrayLike) -> MaxMargin:
    r"""The max-margin separator through the origin of :math:`\{(x_i, y_i)\}`.

    The dual :math:`\min_{\alpha\ge0}\tfrac12\|Z_c^\top\alpha\|^2 - \mathbf 1^\top\alpha` (rows
    :math:`z_i = y_ix_i` of :math:`Z_c`) is solved by SLSQP. It is then polished on the support
    :math:`S = \{\alpha_i > 10^{-6}\max\alpha\}`: w is the min-norm solution of :math:`Z_Sw = \mathbf 1` (``lstsq``; with
    more support vectors than dimensions the α are not unique but w is) and :math:`\alpha_S \ge 0` is refitted
    by ``scipy.optimize.nnls`` on :math:`Z_S^\top\alpha_S = w`. The polished pair is kept if its KKT residual is
    smaller.

    Raises
    ------
    InvalidInput
        Labels not ±1, or data not linearly separable through the origin (an LP feasibility check).
    """
    from scipy.optimize import nnls

    X = as_matrix(X, "X")
    y = as_vector(y, "y", X.shape[0])
    if not np.all(np.abs(y) == 1):
        raise InvalidInput("labels y must be +1 or -1")
    Zc = y[:, None] * X
    n, d = Zc.shape
    feas = linprog(np.zeros(d), A_ub=-Zc, b_ub=-np.ones(n), bounds=[(None, None)] * d, method="highs")
    if feas.status == 2:
        raise InvalidInput("the data are not linearly separable through the origin")
    K = Zc @ Zc.T
    res = minimize(
        lambda a: 0.5 * a @ K @ a - a.sum(),
        np.full(n, 1.0 / max(1.0, float(np.trace(K)))),
        jac=lambda a: K @ a - 1.0,
        method="SLSQP",
        bounds=[(0.0, None)] * n,
        options={"maxiter": 1000, "ftol": 1e-15},
    )
    alpha = np.maximum(np.asarray(res.x, float), 0.0)
    w = Zc.T @ alpha
    best = (w, alpha, _svm_kkt(Zc, w, alpha), False)
    S = np.flatnonzero(alpha > 1e-6 * max(float(np.max(alpha)), 1e-300))
    if S.size:
        wS = np.linalg.lstsq(Zc[S], np.ones(S.size), rcond=None)[0]
        aS, _ = nnls(Zc[S].T, wS)
        cand = np.zeros(n)
        cand[S] = aS
        k = _svm_kkt(Zc, wS, cand)
        if k <= best[2]:
            best = (wS, cand, k, True)
    w, alpha, kkt, polished = best
    nrm = float(np.linalg.norm(w))
    return MaxMargin(w, w / nrm, 1.0 / nrm, alpha, np.flatnonzero(alpha > 0), kkt, polished)


def max_margin_l1(X: ArrayLike, y: ArrayLike) -> MaxMargin:
    r"""The ℓ1 max-margin separator through the origin: :math:`\hat w = \arg\min\{\|w\|_1 : y_ix_i^\top w \ge 1\}`.

    The direction :math:`\hat w/\|\hat w\|_1` maximizes the margin :math:`\min_i y_ix_i^\top a` over the ℓ1 ball
    (the :math:`\ell_\infty`-geometry margin, :math:`\gamma_1^\star = 1/\|\hat w\|_1`): where coordinate descent,
    AdaBoost and steepest descent in ℓ1 go on separable data, and, in the small-initialization limit, gradient
    descent on diagonal linear networks -- the ℓ1 counterpart of :func:`max_margin`. Solved as an LP (HiGHS at
    tight tolerances) in :math:`w = p - q`; ``alpha`` are the margin constraints' multipliers, and ``kkt`` the
    largest of: primal infeasibility :math:`\max(0, 1 - \min_iy_ix_i^\top\hat w)`, dual infeasibility
    :math:`\max(0, \|Z_c^\top\alpha\|_\infty - 1)` and :math:`-\min\alpha`, the relative duality gap
    :math:`|\|\hat w\|_1 - \mathbf 1^\top\alpha|/\|\hat w\|_1`. ``direction`` is normalized in ℓ1; ``polished`` is False.

    Raises
    ------
    InvalidInput
        Labels not ±1, or data not linearly separable through the origin.
    Inconclusive
        If HiGHS does not solve the LP.
    """
    X = as_matrix(X, "X")
    y = as_vector(y, "y", X.shape[0])
    if not np.all(np.abs(y) == 1):
        raise InvalidInput("labels y must be +1 or -1")
    Zc = y[:, None] * X
    n, d = Zc.shape
    res = _linprog(np.ones(2 * d), A_ub=-np.hstack([Zc, -Zc]), b_ub=-np.ones(n), bounds=[(0, None)] * (2 * d))
    if res.status == 2:
        raise InvalidInput("the data are not linearly separable through the origin")
    if res.status != 0:
        raise Inconclusive("LP not solved", str(res.message))
    w = res.x[:d] - res.x[d:]
    alpha = -np.asarray(res.ineqlin.marginals, float)
    norm1 = max(float(np.sum(np.abs(w))), 1e-300)
    kkt = max(
        max(0.0, 1.0 - float(np.min(Zc @ w))),
        max(0.0, float(np.max(np.abs(Zc.T @ alpha))) - 1.0),
        max(0.0, -float(np.min(alpha))),
        abs(norm1 - float(np.sum(alpha))) / norm1,
    )
    return MaxMargin(
        w, w / norm1, 1.0 / norm1, alpha, np.flatnonzero(alpha > 1e-12 * max(float(alpha.max()), 1e-300)), kkt, False
    )


__all__ = [
    "MaxMargin",
    "NonnegativeSupport",
    "Reference",
    "basis_pursuit",
    "max_margin",
    "max_margin_l1",
    "min_l2_interpolant",
    "nonnegative_support",
]
