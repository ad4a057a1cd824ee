r"""Matrix sensing and completion under factorized gradient flow: the literature cases.

* :func:`diagonal_nuclear_check` -- Gunasekar et al. 2017, commuting measurements: GF on
  :math:`W = UU^\top` from :math:`W_0 = \alpha^2 I` ends within a proven finite-α bound of the
  minimum nuclear norm.
* :func:`nonnuclear_gap` -- Li, Luo, Lyu 2020: with general measurements the nuclear-norm excess
  need not vanish as α → 0 (measured at α and α²).
* :func:`norms_grow_check` -- Razin & Cohen 2020: 2×2 completion, depth-3 factorization, positive
  determinant: the unobserved entry (hence every norm) is forced up as the loss goes down.

References (min nuclear norm over PSD matrices = min trace):

* :func:`min_trace_commuting` -- commuting measurements :math:`A_k = O\,\mathrm{diag}(a_k)O^\top`: an
  LP (``scipy.optimize.linprog``, HiGHS) with its dual as certificate.
* :func:`min_trace_psd` -- general symmetric measurements: the SDP
  :math:`\min\{\mathrm{tr}\,W : \langle A_k, W\rangle = y_k,\ W \succeq 0\}` solved in the Burer–Monteiro
  form :math:`W = LL^\top` by SLSQP from several starts; the multipliers :math:`\lambda` of the
  stationarity condition :math:`(I - \sum_k\lambda_kA_k)L = 0` give the dual bound
  :math:`\mathrm{tr}\,W \ge \lambda^\top y/(1+\delta)`, :math:`\delta = \max(0, -\lambda_{\min}(I - \sum\lambda_kA_k))`,
  valid for every feasible W, so upper minus lower bound is a certificate of the error.
* :func:`min_trace_psd_2x2` -- two measurements of a 2×2 matrix: the interpolants form a line, its
  intersection with the PSD cone a segment, and trace is linear on it: the minimum is at an end
  point, found from a quadratic (a closed form for cross-checking the SDP).

Coordinates: symmetric matrices are parametrized by ``symmetric_factorization(n, r)`` (entries
``i ≤ j``), so :math:`\langle A, W\rangle = \sum_i A_{ii}w_{ii} + 2\sum_{i<j}A_{ij}w_{ij}`
(:func:`measurement_row`).
"""

from __future__ import annotations

import math
from typing import Any, Sequence, cast

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linprog, minimize
from scipy.special import xlogy

from oracles.core.errors import Inconclusive, InvalidInput, as_matrix, as_vector
from oracles.core.ode import TWO_TOLERANCES
from oracles.core.outcome import CLOSED_FORM_BUDGET, Outcome, Panel, budget_from_error
from oracles.flows.trajectories import gradient_flow
from oracles.model.deep import DeepProduct
from oracles.model.losses import LeastSquares, Schedule
from oracles.model.parametrizations import symmetric_factorization

RTOL_COARSE, RTOL_FINE = TWO_TOLERANCES.coarse.rtol, TWO_TOLERANCES.fine.rtol


# -----------------------------------------------------------------------------------------
# coordinates
def check_symmetric_stack(A: ArrayLike, name: str = "A") -> np.ndarray:
    """``A`` as an ``(m, n, n)`` stack of symmetric matrices, else :class:`InvalidInput`."""
    A = np.asarray(A, dtype=float)
    if A.ndim != 3 or A.shape[1] != A.shape[2]:
        raise InvalidInput(f"{name} must have shape (m, n, n), got {A.shape}")
    if not np.all(np.isfinite(A)):
        raise InvalidInput(f"{name} has non-finite entries")
    asym = float(np.max(np.abs(A - A.transpose(0, 2, 1)))) if A.size else 0.0
    if asym > 1e-12 * max(1.0, float(np.max(np.abs(A)))):
        raise InvalidInput(f"every {name}[k] must be symmetric; max asymmetry {asym:.3g}")
    return 0.5 * (A + A.transpose(0, 2, 1))


def measurement_row(A: np.ndarray) -> np.ndarray:
    r"""The row z with :math:`z\cdot w = \langle A, W\rangle` for w = the entries ``i ≤ j`` of symmetric W."""
    n = A.shape[0]
    iu = np.triu_indices(n)
    return np.where(iu[0] == iu[1], 1.0, 2.0) * A[iu]


def to_matrix(w: ArrayLike, n: int) -> np.ndarray:
    """The symmetric matrix with upper entries ``w`` (row by row)."""
    W = np.zeros((n, n))
    W[np.triu_indices(n)] = w
    return W + np.triu(W, 1).T


def sensing_loss(A: ArrayLike, y: ArrayLike) -> LeastSquares:
    r""":math:`L(w) = \tfrac12\sum_k(\langle A_k, W\rangle - y_k)^2` on the ``i ≤ j`` coordinates."""
    A = check_symmetric_stack(A)
    y = as_vector(y, "y", A.shape[0])
    return LeastSquares(np.array([measurement_row(Ak) for Ak in A]), y)


def entropy(w: ArrayLike) -> float:
    r""":math:`H(w) = \sum_i w_i\ln w_i - w_i` (with :math:`0\ln0 = 0`)."""
    w = np.maximum(np.asarray(w, float), 0.0)
    return float(np.sum(xlogy(w, w) - w))


# -----------------------------------------------------------------------------------------
# references
def min_trace_commuting(
    a: ArrayLike, y: ArrayLike, *, warm: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[float, np.ndarray, float, np.ndarray]:
    r""":math:`\min\{\mathbf 1^\top v : av = y,\ v \ge 0\}` for commuting measurements (eigenvalues v of W).

    With :math:`A_k = O\,\mathrm{diag}(a_k)O^\top`, only the diagonal v of :math:`O^\top WO` is measured,
    and for PSD W: :math:`v \ge 0` and :math:`\mathrm{tr}W = \mathbf 1^\top v`; off-diagonal entries
    can be 0. So the minimum trace (= nuclear norm) over PSD interpolants is this LP (HiGHS).

    ``warm = (v, λ)``, the solution and multipliers of the same LP at a nearby y (another tolerance's solve), is
    tried first: v's support is solved for this y by least squares and kept, with the same λ, when it is
    nonnegative and the certificate below is no worse than 1e-12 of the value (the optimal basis of a nearby y
    is usually this one's; λ stays dual feasible, since only y changed). Otherwise HiGHS solves it.

    Returns
    -------
    (value, v, error, lam)
        ``error`` = duality gap + :math:`\|\lambda\|\,\|av - y\|` + dual infeasibility: a certificate.
    """
    a = as_matrix(a, "a")
    y = as_vector(y, "y", a.shape[0])
    if warm is not None:
        v0, lam = warm
        S = v0 > 0
        if S.any():
            v = np.zeros(a.shape[1])
            v[S] = np.linalg.lstsq(a[:, S], y, rcond=None)[0]
            if np.all(v >= 0):
                err = _lp_certificate(a, y, v, lam)
                if err <= 1e-12 * max(1.0, float(np.sum(v))):
                    return float(np.sum(v)), v, err, lam
    res = linprog(np.ones(a.shape[1]), A_eq=a, b_eq=y, bounds=[(0, None)] * a.shape[1], method="highs")
    if res.status != 0:
        raise Inconclusive("infeasible reference" if res.status == 2 else "non-convergence", f"linprog: {res.message}")
    v = np.maximum(res.x, 0.0)
    lam = np.asarray(res.eqlin.marginals, float)
    return float(np.sum(v)), v, _lp_certificate(a, y, v, lam), lam


def _lp_certificate(a: np.ndarray, y: np.ndarray, v: np.ndarray, lam: np.ndarray) -> float:
    """Duality gap + ‖λ‖·‖av − y‖ + dual infeasibility·Σv of a primal v ≥ 0 and multipliers λ of min{1ᵀv : av = y}."""
    dual_infeas = float(max(0.0, np.max(a.T @ lam - 1.0)))
    return (
        abs(float(np.sum(v)) - float(y @ lam))
        + float(np.linalg.norm(lam)) * float(np.linalg.norm(a @ v - y))
        + dual_infeas * float(np.sum(v))
    )


def min_trace_psd(
    A: ArrayLike, y: ArrayLike, *, starts: int = 6, seed: int = 0, tol: float = 1e-7, L0: np.ndarray | None = None
) -> tuple[float, np.ndarray, float]:
    r""":math:`\min\{\mathrm{tr}\,W : \langle A_k, W\rangle = y_k,\ W \succeq 0\}` with a dual certificate.

    Burer–Monteiro :math:`W = LL^\top` (L square, so no rank restriction), minimized by SLSQP with
    exact gradients, from ``L0`` (a warm start, if given) and then up to ``starts`` random starting
    points (``numpy.random.default_rng(seed)``). Each end point is certified by the multipliers of
    :math:`(I - \sum_k\lambda_kA_k)L = 0` (least squares), giving the lower bound
    :math:`\lambda^\top y/(1+\delta)` (module docstring); the search stops at the first point certified to
    ``1e-2 · tol`` relative and otherwise returns the best certified one.

    Returns
    -------
    (value, W, error)
        ``value`` = tr W at the best point; ``error`` = upper minus lower bound plus
        :math:`\|\lambda\|\cdot` constraint residual.

    Raises
    ------
    Inconclusive
        When no start reaches a certified relative error below ``tol``.
    """
    A = check_symmetric_stack(A)
    m, n = A.shape[0], A.shape[1]
    y = as_vector(y, "y", m)
    rng = np.random.default_rng(seed)
    scale = max(1.0, float(np.linalg.norm(y)))

    def obj(z):
        return float(z @ z), 2 * z

    def cons(z):
        L = z.reshape(n, n)
        return np.einsum("kij,ij->k", A, L @ L.T) - y

    def cons_jac(z):
        L = z.reshape(n, n)
        return np.array([(2 * Ak @ L).ravel() for Ak in A])

    firsts = [] if L0 is None else [np.asarray(L0, float).reshape(n * n)]
    best = None
    for s in range(len(firsts) + max(1, starts)):
        z0 = firsts[s] if s < len(firsts) else rng.standard_normal(n * n) * math.sqrt(scale / n)
        with np.errstate(all="ignore"):
            res = minimize(
                obj,
                z0,
                jac=True,
                method="SLSQP",
                constraints=[{"type": "eq", "fun": cons, "jac": cons_jac}],
                options={"ftol": 1e-15, "maxiter": 500},
            )
        if not np.all(np.isfinite(res.x)):
            continue
        cert = _certify(A, y, res.x.reshape(n, n))
        if best is None or cert[2] < best[2]:
            best = cert
        if best[2] <= 1e-2 * tol * max(best[0], 1e-300):
            break
    if best is None or not best[2] <= tol * max(best[0], 1e-300):
        raise Inconclusive(
            "sdp certificate", f"min-trace SDP certified only to {best[2] if best else float('nan'):.3g}"
        )
    return best


def psd_sqrt(W: np.ndarray) -> np.ndarray:
    """A square factor L with :math:`LL^\top = W` for PSD W (negative round-off eigenvalues clipped)."""
    lam, V = np.linalg.eigh(0.5 * (W + W.T))
    return V * np.sqrt(np.maximum(lam, 0.0))


def _certify(A: np.ndarray, y: np.ndarray, L: np.ndarray) -> tuple[float, np.ndarray, float]:
    """(tr W, W, certified error) for a Burer–Monteiro point L."""
    n = L.shape[0]
    W = L @ L.T
    resid = float(np.linalg.norm(np.einsum("kij,ij->k", A, W) - y))
    M = np.array([(Ak @ L).ravel() for Ak in A]).T  # columns vec(A_k L)
    lam, *_ = np.linalg.lstsq(M, L.ravel(), rcond=None)
    S = np.eye(n) - np.tensordot(lam, A, axes=1)
    delta = max(0.0, -float(np.linalg.eigvalsh(S)[0]))
    lower = float(lam @ y) / (1.0 + delta) if lam @ y >= 0 else float(lam @ y)
    upper = float(np.trace(W))
    err = max(0.0, upper - lower) + float(np.linalg.norm(lam)) * resid
    return upper, W, err


def min_trace_psd_2x2(A: ArrayLike, y: ArrayLike) -> tuple[float, np.ndarray]:
    r"""Exact :math:`\min\{\mathrm{tr}W : \langle A_k, W\rangle = y_k\ (k=1,2),\ W \succeq 0\}` for 2×2 W.

    The interpolants :math:`W(s) = W_p + sN` form a line (N spans the null space of the two
    measurements in the 3-dimensional space of symmetric 2×2 matrices); :math:`W(s) \succeq 0` iff
    :math:`\det W(s) \ge 0` and :math:`\mathrm{tr}W(s) \ge 0`, a quadratic inequality in s; the trace
    is affine in s, so the minimum is at an end of the feasible interval (or at every point if
    :math:`\mathrm{tr}N = 0`). The PSD part may also be a ray; trace grows away from its end. Raises
    :class:`Inconclusive` when there is no PSD interpolant or the line never meets the cone's boundary.
    """
    A = check_symmetric_stack(A)
    if A.shape != (2, 2, 2):
        raise InvalidInput(f"needs two 2x2 measurements, got shape {A.shape}")
    y = as_vector(y, "y", 2)
    Z = np.array([measurement_row(Ak) for Ak in A])  # 2 x 3 on (w00, w01, w11)
    wp = np.linalg.lstsq(Z, y, rcond=None)[0]
    _, _, Vt = np.linalg.svd(Z)
    nvec = Vt[-1]
    # det(W(s)) = (a0 + s a1)(c0 + s c1) - (b0 + s b1)^2
    a0, b0, c0 = wp
    a1, b1, c1 = nvec
    qa, qb, qc = a1 * c1 - b1 * b1, a0 * c1 + a1 * c0 - 2 * b0 * b1, a0 * c0 - b0 * b0
    if abs(qa) < 1e-14:
        raise Inconclusive("degenerate reference", "the interpolating line is parallel to the PSD cone's boundary")
    disc = qb * qb - 4 * qa * qc
    if disc < 0:
        if qa > 0:
            raise Inconclusive("degenerate reference", "the whole line is PSD-or-NSD")
        raise Inconclusive("infeasible reference", "no PSD interpolant")
    roots = np.sort(np.array([(-qb - math.sqrt(disc)) / (2 * qa), (-qb + math.sqrt(disc)) / (2 * qa)]))
    # the PSD part of the line is an interval or a ray (convex); its finite ends are the roots with
    # trace >= 0 (the other root, if any, ends the NSD part), and trace grows away from them along it
    cands = []
    for s in roots:
        w = wp + s * nvec
        if w[0] + w[2] >= -1e-12 * max(1.0, float(np.linalg.norm(w))):
            cands.append((w[0] + w[2], s))
    if not cands:
        raise Inconclusive("infeasible reference", "no PSD interpolant")
    val, s = min(cands)
    w = wp + s * nvec
    return float(val), to_matrix(w, 2)


# -----------------------------------------------------------------------------------------
# gunasekar2017: commuting measurements
def commuting_measurements(O: ArrayLike, a: ArrayLike) -> np.ndarray:
    r""":math:`A_k = O\,\mathrm{diag}(a_k)\,O^\top` for the rows :math:`a_k` of ``a`` (shape ``m × n``)."""
    O = as_matrix(O, "O")
    a = as_matrix(a, "a", (None, O.shape[0]))
    if np.linalg.norm(O.T @ O - np.eye(O.shape[0])) > 1e-10:
        raise InvalidInput("O must be orthogonal")
    return np.einsum("ij,kj,lj->kil", O, a, O)


def _sensing_flow(A, y, U0, T: float, rtol: float, samples: int = 41):
    n, r = U0.shape
    G = symmetric_factorization(n, r)
    loss = sensing_loss(A, y)
    x0 = U0.flatten(order="F")
    fr = gradient_flow(G, Schedule.constant(loss, T), x0, t_eval=np.linspace(0.0, T, samples), rtol=rtol)
    return fr, loss


def diagonal_nuclear_check(
    O: ArrayLike, a: ArrayLike, y: ArrayLike, alpha: float, P: ArrayLike, T: float, *, bound: bool = True
) -> Outcome:
    r"""Gunasekar et al. 2017, commuting case, as a finite-α, finite-T inequality.

    Measurements :math:`A_k = O\,\mathrm{diag}(a_k)O^\top`; :math:`U \in \mathbb{R}^{n\times r}`
    (:math:`r \ge n`), :math:`U_0 = \alpha[I_n\ 0]P` with P orthogonal, so :math:`W_0 = \alpha^2I`;
    GF on :math:`\tfrac12\sum_k(\langle A_k, UU^\top\rangle - y_k)^2` for time T.

    **The bound.** With :math:`S = \sum_k r_kA_k` (r the residuals), :math:`\dot U = -2SU` and
    :math:`\dot W = -2(SW + WS)`; S and :math:`W_0` are diagonal in the basis O, so W stays so, and its
    eigenvalues v obey :math:`\dot v = -4v\odot a^\top r`: :math:`v(T) = \alpha^2\exp(a^\top\nu)` with
    :math:`\nu = -4\int_0^Tr\,dt`. These are the optimality conditions of
    :math:`\min\{\Phi(v) = H(v) + 2\ln(1/\alpha)\,\mathbf 1^\top v : av = y_T,\ v \ge 0\}` where
    :math:`H(v) = \sum v\ln v - v` and :math:`y_T = av(T)` are the measurements W(T) actually has.
    Comparing Φ at v(T) and at the minimum-trace v* for :math:`y_T` gives, for every α < 1 and T:

    .. math:: \|W_T\|_* - \min\{\|W\|_* : \mathcal A(W) = y_T, W \succeq 0\}
              \le \frac{H(v^*) - H(v(T))}{2\ln(1/\alpha)} \xrightarrow[\alpha\to0]{} 0.

    Discrepancy: (excess − bound) / min, signed (≤ 0 when the statement holds); with
    ``bound=False`` (the negative control) the claim is "excess ≤ 0", i.e. exact minimum nuclear
    norm at every α. Error: the change of excess and bound between rtol 1e-8 and 1e-11 plus the
    LP certificate and the departure of :math:`O^\top W_TO` from diagonal, relative; budget
    ``budget_from_error(error, 1e-9)``.
    """
    O = as_matrix(O, "O")
    n = O.shape[0]
    A = commuting_measurements(O, a)
    a = np.asarray(a, float)
    y = as_vector(y, "y", A.shape[0])
    P = as_matrix(P, "P")
    r = P.shape[0]
    if r < n or P.shape != (r, r) or np.linalg.norm(P.T @ P - np.eye(r)) > 1e-10:
        raise InvalidInput(f"P must be an orthogonal r x r matrix with r >= n = {n}, got shape {P.shape}")
    if not (0 < alpha < 1):
        raise InvalidInput(f"alpha must lie in (0, 1), got {alpha}")
    if not T > 0:
        raise InvalidInput(f"T must be positive, got {T}")
    U0 = alpha * np.hstack([np.eye(n), np.zeros((n, r - n))]) @ P
    vals, warm = {}, None
    for tol in (RTOL_COARSE, RTOL_FINE):
        fr, loss = _sensing_flow(A, y, U0, T, tol)
        W = to_matrix(fr.w[-1], n)
        B = O.T @ W @ O
        v = np.diag(B).copy()
        offdiag = float(np.linalg.norm(B - np.diag(v)))
        yT = a @ v
        nstar, vstar, lp_err, lam = min_trace_commuting(a, yT, warm=warm)  # the fine y_T: the coarse one's basis
        warm = (vstar, lam)
        excess = float(np.trace(W)) - nstar
        bnd = (entropy(vstar) - entropy(v)) / (2 * math.log(1 / alpha)) if bound else 0.0
        vals[tol] = dict(
            excess=excess,
            bound=bnd,
            nstar=nstar,
            offdiag=offdiag,
            lp_err=lp_err,
            fr=fr,
            loss=loss.value(fr.w[-1]),
            loss0=loss.value(fr.w[0]),
        )
    f, c = vals[RTOL_FINE], vals[RTOL_COARSE]
    scale = max(f["nstar"], 1e-300)
    disc = (f["excess"] - f["bound"]) / scale
    err = (
        abs((f["excess"] - f["bound"]) - (c["excess"] - c["bound"]))
        + f["lp_err"]
        + c["lp_err"]
        + math.sqrt(n) * f["offdiag"]
    ) / scale
    fr = f["fr"]
    details = {
        "alpha": alpha,
        "T": T,
        "excess": f["excess"],
        "bound": f["bound"],
        "min_nuclear_norm": f["nstar"],
        "nuclear_norm": f["excess"] + f["nstar"],
        "loss_T": f["loss"],
        "loss_0": f["loss0"],
        "relative_excess": f["excess"] / scale,
    }

    def plot():
        tr = np.array([np.trace(to_matrix(w, n)) for w in fr.w])
        return [
            Panel(
                "nuclear norm of W(t) = UUᵀ",
                "t",
                "tr W",
                {"tr W(t)": (fr.t.tolist(), tr.tolist()), "min (for y_T)": (fr.t.tolist(), [f["nstar"]] * fr.t.size)},
            )
        ]

    what = (
        "(nuclear-norm excess over the minimum for W(T)'s own measurements − the finite-α bound) / minimum"
        if bound
        else "nuclear-norm excess over the minimum / minimum (claimed 0 at every α)"
    )
    return Outcome(disc, budget_from_error(err, CLOSED_FORM_BUDGET), err, what, details=details, plot=plot)


# -----------------------------------------------------------------------------------------
# li2020: general measurements
def _converged_gap(A, y, alpha: float, P, T: float, reference: str, max_residual: float):
    """Relative nuclear-norm excess at rtol 1e-11, its change from rtol 1e-8 plus the reference's error, details."""
    n = A.shape[1]
    out: dict[float, dict[str, Any]] = {}
    for rtol in (RTOL_FINE, RTOL_COARSE):
        fr, _ = _sensing_flow(A, y, alpha * P, T, rtol)
        W = to_matrix(fr.w[-1], n)
        yT = np.einsum("kij,ij->k", A, W)
        res = float(np.linalg.norm(yT - y) / max(cast(float, np.linalg.norm(y)), 1e-300))
        if res > max_residual:
            raise Inconclusive("not converged", f"relative residual {res:.3g} at T = {T:g} (alpha = {alpha:g})")
        basis = joint_eigenbasis(A) if reference == "auto" else None
        if reference == "2x2":
            nstar, Wstar = min_trace_psd_2x2(A, yT)
            ref_err = 1e-13 * max(1.0, nstar)
        elif basis is not None:
            a = np.einsum("ij,kil,lj->kj", basis, A, basis)
            nstar, v, ref_err, _ = min_trace_commuting(a, yT)
            Wstar = basis @ np.diag(v) @ basis.T
        else:
            warm = psd_sqrt(out[RTOL_FINE]["Wstar"]) if RTOL_FINE in out else None
            nstar, Wstar, ref_err = min_trace_psd(A, yT, L0=warm)
        nuc = float(np.sum(np.abs(np.linalg.eigvalsh(W))))
        out[rtol] = dict(
            g=(nuc - nstar) / max(nstar, 1e-300),
            ref_err=ref_err / max(nstar, 1e-300),
            W=W,
            Wstar=Wstar,
            nuclear=nuc,
            nstar=nstar,
            residual=res,
            fr=fr,
        )
    f, c = out[RTOL_FINE], out[RTOL_COARSE]
    return f["g"], abs(f["g"] - c["g"]) + f["ref_err"] + c["ref_err"], f


def joint_eigenbasis(A: ArrayLike, tol: float = 1e-10) -> np.ndarray | None:
    r"""An orthogonal O with every :math:`O^\top A_kO` diagonal (to ``tol`` relative), or ``None`` if the
    :math:`A_k` do not commute. O diagonalizes a generic combination :math:`\sum_k c_kA_k`."""
    A = check_symmetric_stack(A)
    c = np.random.default_rng(12345).uniform(1.0, 2.0, A.shape[0])
    _, O = np.linalg.eigh(np.tensordot(c, A, axes=1))
    B = np.einsum("ij,kil,lm->kjm", O, A, O)
    off = B - np.einsum("kjj->kj", B)[:, :, None] * np.eye(A.shape[1])
    scale = max(1.0, float(np.max(np.abs(A))))
    return O if float(np.max(np.abs(off))) <= tol * scale else None


def nonnuclear_gap(
    A: ArrayLike,
    y: ArrayLike,
    alpha: float,
    P: ArrayLike,
    T: float,
    *,
    reference: str = "auto",
    single_scale: bool = False,
    max_residual: float = 1e-4,
) -> Outcome:
    r"""Li, Luo & Lyu 2020: does GF on :math:`UU^\top` from :math:`W_0 = \alpha^2I` approach the minimum nuclear norm?

    Runs GF on :math:`\tfrac12\sum_k(\langle A_k, UU^\top\rangle - y_k)^2`, :math:`U \in \mathbb{R}^{n\times n}`,
    from :math:`U_0 = \alpha P` and from :math:`U_0 = \alpha^2P` (P orthogonal) for time T, requires both
    to interpolate (relative residual ≤ ``max_residual``, else :class:`Inconclusive`), and measures
    the relative nuclear-norm excess :math:`g(\alpha) = (\|W_T\|_* - N^*(y_T))/N^*(y_T)` over the
    minimum trace among PSD interpolants of W(T)'s own measurements: ``reference="auto"`` uses the
    exact LP of :func:`min_trace_commuting` when the :math:`A_k` commute and the certified SDP of
    :func:`min_trace_psd` otherwise; ``"sdp"`` always the SDP, ``"2x2"`` the closed form.

    **Two initialization scales as the resolution.** At any finite α even commuting measurements
    leave an excess (of order :math:`1/\ln(1/\alpha)`, see :func:`diagonal_nuclear_check`), so the
    α → 0 limit is resolved the way a discretization is: the discrepancy is :math:`g(\alpha^2)` and
    the error estimate is the decrease :math:`\max(0, g(\alpha) - g(\alpha^2))` (plus both runs'
    tolerance change and the reference certificate): the part of the excess that squaring α removed
    is treated as finite-α bias that may vanish in the limit. Going from α to α² halves
    :math:`1/\ln(1/\alpha)`, so an excess vanishing at that rate (or faster) never exceeds ten times
    its decrease; an excess that has settled at a positive value, or grows as α shrinks (GF heading
    for a non-minimal interpolant, the greedy low-rank solution of Li et al.), does. Two scales
    cannot prove a limit; they are the same evidence a two-tolerance budget gives for an ODE.
    ``single_scale=True`` (the negative control) uses only α and the tolerance change: finite-α
    bias then counts as a witness.
    """
    A = check_symmetric_stack(A)
    y = as_vector(y, "y", A.shape[0])
    P = as_matrix(P, "P")
    n = A.shape[1]
    if P.shape != (n, n) or np.linalg.norm(P.T @ P - np.eye(n)) > 1e-10:
        raise InvalidInput(f"P must be an orthogonal {n}x{n} matrix, got shape {P.shape}")
    if not (0 < alpha < 1):
        raise InvalidInput(f"alpha must lie in (0, 1), got {alpha}")
    if reference not in ("auto", "sdp", "2x2"):
        raise InvalidInput(f"reference must be 'auto', 'sdp' or '2x2', got {reference!r}")
    scales = (alpha,) if single_scale else (alpha, alpha**2)
    out = {}
    for s in scales:
        out[s] = _converged_gap(A, y, s, P, T, reference, max_residual)
    g_last, e_last, info = out[scales[-1]]
    err = e_last
    if not single_scale:
        g_first, e_first, _ = out[alpha]
        err += e_first + max(0.0, g_first - g_last)
    details = {
        "alpha": alpha,
        "T": T,
        "gap_alpha": out[alpha][0],
        "nuclear_norm": info["nuclear"],
        "min_nuclear_norm": info["nstar"],
        "residual": info["residual"],
        "W_T": info["W"].tolist(),
        "W_min": info["Wstar"].tolist(),
        "eigenvalues_W_T": np.linalg.eigvalsh(info["W"]).tolist(),
    }
    if not single_scale:
        details["gap_alpha_squared"] = g_last

    def plot():
        panels = []
        for s in scales:
            fr = out[s][2]["fr"]
            tr = np.array([np.sum(np.abs(np.linalg.eigvalsh(to_matrix(w, n)))) for w in fr.w])
            panels.append(
                Panel(
                    f"nuclear norm of W(t), alpha = {s:.3g}",
                    "t",
                    "‖W‖_*",
                    {
                        "‖W(t)‖_*": (fr.t.tolist(), tr.tolist()),
                        "min over PSD interpolants": (fr.t.tolist(), [out[s][2]["nstar"]] * fr.t.size),
                    },
                )
            )
        return panels

    what = (
        (
            "relative nuclear-norm excess of GF from alpha² over the min over PSD interpolants; error includes "
            "its change from alpha to alpha²"
        )
        if not single_scale
        else "relative nuclear-norm excess at one alpha"
    )
    return Outcome(g_last, budget_from_error(err, CLOSED_FORM_BUDGET), err, what, details=details, plot=plot)


# -----------------------------------------------------------------------------------------
# razin2020: deep 2x2 completion (the parametrization is oracles.model.deep.DeepProduct)
def norms_grow_check(
    factors: Sequence[ArrayLike], observed: ArrayLike, T: float, *, samples: int = 121, check_determinant: bool = True
) -> Outcome:
    r"""Razin & Cohen 2020: depth-N 2×2 completion, :math:`\det W(0) > 0` ⇒ the unobserved entry is forced up.

    Observed entries :math:`W_{01} = b_{01}`, :math:`W_{10} = b_{10}` (:math:`b_{01}b_{10} > 0`) and
    :math:`W_{11} = 0`; :math:`W_{00}` is unobserved; :math:`\ell = \tfrac12\sum_{\text{obs}}(W_{ij} - b_{ij})^2`.
    Every interpolant has :math:`\det W = -b_{01}b_{10} < 0`.

    **The checkable finite-time statement.** (i) Along GF from a balanced factorization with
    :math:`\det W(0) > 0`, :math:`\det W(t) > 0` for all t (singular values of the end-to-end matrix
    evolve as :math:`\dot\sigma = -N\sigma^{2-2/N}\langle\nabla\ell, u v^\top\rangle` and cannot reach 0 in
    finite time for N ≥ 2). (ii) Hence, with :math:`e = \sqrt{2\ell(t)}` bounding every observed
    residual, whenever :math:`e < \min(|b_{01}|, |b_{10}|)`:

    .. math:: |W_{00}(t)| \ge \frac{(|b_{01}| - e)(|b_{10}| - e)}{e},

    and every norm with :math:`\|W\| \ge |W_{00}|` (Frobenius, spectral, nuclear, every Schatten
    norm) is at least as large: as the loss goes to 0 they all go to infinity. The check evaluates
    (i) and (ii) at ``samples`` times of [0, T].

    Discrepancy: the largest violation, :math:`\max_t \max(-\det W/\|W\|_F^2,\ (\text{bound} - |W_{00}|)/\text{bound})`
    over the times where each applies (≤ 0 when both hold); ``check_determinant=False`` keeps only
    (ii) (for the control that drops the hypothesis :math:`\det W(0) > 0`). Error: change between
    rtol 1e-8 and 1e-11; budget ``budget_from_error(error, 1e-9)``.
    """
    Fs = [as_matrix(F, "factor", (2, 2)) for F in factors]
    b = as_vector(observed, "observed", 2)
    if b[0] * b[1] <= 0:
        raise InvalidInput(f"the observed off-diagonal entries must have a positive product, got {b.tolist()}")
    if not T > 0:
        raise InvalidInput(f"T must be positive, got {T}")
    G = DeepProduct(2, len(Fs))
    x0 = np.concatenate([F.ravel() for F in Fs])
    loss = LeastSquares(np.eye(4)[1:], np.array([b[0], b[1], 0.0]))
    t = np.linspace(0.0, T, samples)
    runs = {
        tol: gradient_flow(G, Schedule.constant(loss, T), x0, t_eval=t, rtol=tol) for tol in (RTOL_COARSE, RTOL_FINE)
    }

    def violation(W):
        det = W[:, 0] * W[:, 3] - W[:, 1] * W[:, 2]
        fro2 = np.maximum(np.sum(W * W, axis=1), 1e-300)
        ell = 0.5 * ((W[:, 1] - b[0]) ** 2 + (W[:, 2] - b[1]) ** 2 + W[:, 3] ** 2)
        e = np.sqrt(2 * ell)
        ok = e < min(abs(b[0]), abs(b[1]))
        lb = np.where(ok, (abs(b[0]) - e) * (abs(b[1]) - e) / np.maximum(e, 1e-300), np.nan)
        v_growth = np.where(ok, (lb - np.abs(W[:, 0])) / np.where(ok, lb, 1.0), -np.inf)
        v_det = -det / fro2 if check_determinant else np.full(W.shape[0], -np.inf)
        return np.maximum(v_growth, v_det), det, ell, lb

    vf, det, ell, lb = violation(runs[RTOL_FINE].w)
    vc, *_ = violation(runs[RTOL_COARSE].w)
    disc = float(np.max(vf))
    finite = np.isfinite(vf) & np.isfinite(vc)
    err = float(np.max(np.abs(vf[finite] - vc[finite]))) if np.any(finite) else 0.0
    W = runs[RTOL_FINE].w
    applies = np.isfinite(lb)
    details = {
        "T": T,
        "det_W0": float(det[0]),
        "min_det": float(np.min(det)),
        "loss_T": float(ell[-1]),
        "W00_T": float(W[-1, 0]),
        "bound_T": float(lb[-1]) if applies[-1] else None,
        "bound_applies_at": int(np.sum(applies)),
        "spectral_norm_T": float(np.linalg.norm(W[-1].reshape(2, 2), 2)),
    }
    if not np.isfinite(disc):
        disc = -1.0  # neither (i) (when not checked) nor (ii) (loss never small) applied: nothing violated

    def plot():
        return [
            Panel(
                "unobserved entry vs the determinant bound",
                "t",
                "value",
                {
                    "|W00(t)|": (t.tolist(), np.abs(W[:, 0]).tolist()),
                    "(|b01|-e)(|b10|-e)/e": (t[applies].tolist(), lb[applies].tolist()),
                    "det W(t)": (t.tolist(), det.tolist()),
                },
            ),
            Panel("loss", "t", "ℓ(t)", {"ℓ": (t.tolist(), np.maximum(ell, 1e-300).tolist())}, logy=True),
        ]

    return Outcome(
        disc,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        "largest violation of det W(t) > 0 and |W00| ≥ (|b01|−e)(|b10|−e)/e, e = √(2ℓ) (≤ 0 holds)",
        details=details,
        plot=plot,
    )
