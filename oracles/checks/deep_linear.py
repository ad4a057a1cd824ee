r"""Kawaguchi's deep linear networks (lecture notes, "Also Related"): bad saddles at depth ≥ 3.

:math:`L(A_1, \dots, A_k) = \|A_k\cdots A_1X - B\|_F^2` (X: d_0 × N inputs, one per column; B: d_k × N targets;
:math:`A_j` of size :math:`d_j \times d_{j-1}`). At a point where a set Z of the factors is zero, expand
:math:`W(\theta + \delta) = \prod_j(A_j + \delta_j)`: every term has a δ in each position of Z, so W is
:math:`O(\|\delta\|^{|Z|})`, and :math:`L(\theta + \delta) - L(\theta) = -2\langle B, W(\theta+\delta)X\rangle + \|W(\theta+\delta)X\|^2`.
With :math:`|Z| \ge 3` both are :math:`O(\|\delta\|^3)`: the gradient and the **Hessian vanish** (no negative
eigenvalue), yet the point is no minimum -- along :math:`\delta_j = tD_j` (j ∈ Z, the others 0) the loss drops by
:math:`-2t^{|Z|}c + t^{2|Z|}\|PX\|^2`, :math:`P` the product with the :math:`D_j`, :math:`c = \langle B, PX\rangle`, which is
negative for small t once the sign of one :math:`D_j` makes c > 0. With :math:`|Z| = 2` (e.g. W = 0 at depth 2) the
second-order term :math:`-2\langle B, W_2X\rangle` is an indefinite quadratic form: a strict saddle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import Inconclusive, InvalidInput, as_matrix
from oracles.core.fd import EPS, central_difference
from oracles.core.outcome import CLOSED_FORM_BUDGET, Outcome, budget_from_error


def _shapes(widths) -> list[tuple[int, int]]:
    w = [int(v) for v in widths]
    if len(w) < 3 or min(w) < 1:
        raise InvalidInput(f"widths must list d_0, ..., d_k with k >= 2 and every d_j >= 1, got {widths}")
    return [(w[j + 1], w[j]) for j in range(len(w) - 1)]


def _unpack(theta: np.ndarray, shapes) -> list[np.ndarray]:
    out, i = [], 0
    for r, c in shapes:
        out.append(theta[i : i + r * c].reshape(r, c))
        i += r * c
    return out


def _product(As: list[np.ndarray]) -> np.ndarray:
    W = As[0]
    for A in As[1:]:
        W = A @ W
    return W


def deep_linear_loss_grad(
    theta: np.ndarray, shapes: Sequence[tuple[int, int]], X: np.ndarray, B: np.ndarray
) -> tuple[float, np.ndarray]:
    r""":math:`L = \|A_k\cdots A_1X - B\|_F^2` and its gradient, :math:`\partial L/\partial A_j = 2\,L_j^\top(WX - B)X^\top R_j^\top`
    with :math:`L_j = A_k\cdots A_{j+1}`, :math:`R_j = A_{j-1}\cdots A_1`."""
    As = _unpack(theta, shapes)
    E = _product(As) @ X - B
    grads = []
    for j in range(len(As)):
        Lj = _product(As[j + 1 :]) if j + 1 < len(As) else np.eye(As[-1].shape[0])
        Rj = _product(As[:j]) if j > 0 else np.eye(As[0].shape[1])
        grads.append((2.0 * Lj.T @ E @ X.T @ Rj.T).ravel())
    return float(np.sum(E * E)), np.concatenate(grads)


def flat_saddle_gap(X: ArrayLike, B: ArrayLike, factors: Sequence[ArrayLike], zero: Sequence[int]) -> Outcome:
    r"""Kawaguchi: at a point whose factors in ``zero`` vanish (|Z| ≥ 3 at depth ≥ 3) the Hessian of L has no
    negative eigenvalue, and the point is not a local minimum.

    The Hessian is central differences of the exact gradient (:func:`oracles.core.fd.central_difference`, steps h and
    2h), symmetrized; λ_min is read with its error (Weyl: the truncation change, the asymmetry and the roundoff, in
    2-norm). The descent witness: :math:`\delta_j = tD_j` on Z with fixed :math:`D_j` (the top singular pair of
    :math:`BX^\top` at the ends of the chain, the first coordinate vectors between, the other factors kept),
    :math:`c = \langle B, PX\rangle` made positive by the sign of one :math:`D_j`, :math:`t^{|Z|} = c/\|PX\|^2`: the loss
    must drop, by :math:`c^2/\|PX\|^2` in exact arithmetic. Discrepancy: the larger of :math:`\max(0, -\lambda_{min})/S`
    (S the size of the Hessian's terms, :math:`2\|X\|\|B\|` times the nonzero factors' norms, at least
    :math:`2\|X\|^2`) and the witness's failure :math:`\max(0, L(\theta + \delta) - L(\theta))/L(\theta)`. Budget: ten times
    the eigenvalue's error over S plus the rounding of the losses, at least 1e-9.

    ``factors`` lists :math:`A_1, \dots, A_k` (``A_j`` of size d_j × d_{j−1}); the entries listed in ``zero`` are set to 0.
    """
    X = as_matrix(X, "X")
    B = as_matrix(B, "B", (None, X.shape[1]))
    As = [as_matrix(A, f"factors[{j}]") for j, A in enumerate(factors)]
    widths = [As[0].shape[1]] + [A.shape[0] for A in As]
    shapes = _shapes(widths)
    for j, A in enumerate(As):
        if A.shape != shapes[j]:
            raise InvalidInput(f"factors[{j}] has shape {A.shape}, expected {shapes[j]} (the chain d_0 -> ... -> d_k)")
    if widths[0] != X.shape[0] or widths[-1] != B.shape[0]:
        raise InvalidInput(f"X must have {widths[0]} rows and B {widths[-1]}, got {X.shape[0]} and {B.shape[0]}")
    Z = sorted({int(j) for j in zero})
    if not Z or Z[0] < 0 or Z[-1] >= len(As):
        raise InvalidInput(f"zero must list factor indices in 0..{len(As) - 1}, got {zero}")
    As = [np.zeros_like(A) if j in Z else A for j, A in enumerate(As)]
    theta = np.concatenate([A.ravel() for A in As])
    G = B @ X.T
    sv = np.linalg.svd(G, compute_uv=False)
    if not sv[0] > 1e-8 * float(np.linalg.norm(B)) * float(np.linalg.norm(X)):
        raise Inconclusive("no data to fit", "B X^T = 0: every point with W = 0 is a global minimum")
    nz = [float(np.linalg.norm(A, 2)) for j, A in enumerate(As) if j not in Z]
    S = max(
        2.0 * float(np.linalg.norm(X, 2)) * float(np.linalg.norm(B, 2)) * math.prod(nz),
        2.0 * float(np.linalg.norm(X, 2)) ** 2,
        1e-300,
    )
    h = 1e-3 * max(1.0, float(np.max(np.abs(theta))) if theta.size else 1.0)
    der = central_difference(lambda th: deep_linear_loss_grad(th, shapes, X, B)[1], theta, h)
    H = der.value
    Hs = 0.5 * (H + H.T)
    lam_min = float(np.min(np.linalg.eigvalsh(Hs)))
    g_terms = (
        2.0
        * float(np.linalg.norm(X))
        * (float(np.linalg.norm(B)) + float(np.linalg.norm(X)))
        * max(1.0, math.prod(nz) if nz else 1.0)
    )
    eig_err = (
        der.truncation(lambda M: float(np.linalg.norm(M, 2)))
        + 0.5 * float(np.linalg.norm(H - H.T, 2))
        + der.roundoff(g_terms)
    )
    # the descent witness
    U, _, Vt = np.linalg.svd(G)
    Ds = []
    c: float  # a width in the loop, then the inner product <B, PX>
    for j, (r, c) in enumerate(shapes):
        if j not in Z:
            Ds.append(As[j])
            continue
        D = np.zeros((r, c))
        if j == 0 and j == len(shapes) - 1:
            D = np.outer(U[:, 0], Vt[0])
        elif j == 0:
            D[0] = Vt[0] if c == Vt.shape[1] else 0.0
        elif j == len(shapes) - 1:
            D[:, 0] = U[:, 0]
        else:
            D[0, 0] = 1.0
        Ds.append(D)
    # factors between two zero positions that are kept map e_1 to something; fill the zero ones generically
    P = _product(Ds)
    c = float(np.sum(B * (P @ X)))
    if c < 0:
        Ds[Z[0]] = -Ds[Z[0]]
        P, c = -P, -c
    PX = float(np.sum((P @ X) ** 2))
    L0 = float(np.sum(B * B))
    if not (c > 1e-10 * math.sqrt(L0 * PX) and PX > 0):
        raise Inconclusive("no descent direction found", f"<B, PX> = {c:.3g} for the chosen directions")
    t = (c / PX) ** (1.0 / len(Z))
    moved = [A + t * D if j in Z else A for j, (A, D) in enumerate(zip(As, Ds))]
    L1 = deep_linear_loss_grad(np.concatenate([A.ravel() for A in moved]), shapes, X, B)[0]
    drop_fail = max(0.0, L1 - L0) / L0
    disc = max(max(0.0, -lam_min) / S, drop_fail)
    err = eig_err / S + 100 * EPS * (1.0 + PX / L0)
    return Outcome(
        disc,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        "max(-lambda_min(Hessian)/S, failure of the descent witness) at a point with |Z| zero factors",
        details={
            "depth": len(As),
            "zero_factors": Z,
            "lambda_min_over_S": lam_min / S,
            "hessian_norm_over_S": float(np.linalg.norm(Hs, 2)) / S,
            "witness_drop": (L0 - L1) / L0,
            "predicted_drop": c * c / PX / L0,
        },
    )


def global_minimum(X: np.ndarray, B: np.ndarray, rank: int) -> float:
    r""":math:`\min\{\|WX - B\|_F^2 : \mathrm{rank}\,W \le r\}` for X of full row rank: with P the projector onto X's row space,
    :math:`\|B(I - P)\|_F^2 + \sum_{i > r}\sigma_i(BP)^2` (Eckart--Young on :math:`WX`, which ranges over the matrices with
    rows in X's row space and rank ≤ r)."""
    Q, _ = np.linalg.qr(X.T)  # orthonormal basis of X's row space (N × d_0)
    BP = B @ Q
    s = np.linalg.svd(BP, compute_uv=False)
    return float(np.sum(B * B) - np.sum(BP * BP)) + float(np.sum(s[rank:] ** 2))


def local_minimum_gap(
    X: ArrayLike, B: ArrayLike, factors: Sequence[ArrayLike], *, claim: str = "global", gtol: float = 1e-11
) -> Outcome:
    r"""Kawaguchi: every local minimum of :math:`\|A_k\cdots A_1X - B\|_F^2` is global (all widths d, X of full row rank).

    From the start ``factors``, BFGS with the exact gradient runs to a gradient norm below ``gtol`` (relative).
    The end point is certified a local minimum by second-order conditions modulo the symmetry
    :math:`A_j \to G_jA_jG_{j-1}^{-1}` (:math:`G_j \in GL(d)`, j = 1..k−1): with full-rank factors the orbit has
    dimension (k − 1)d², and the Hessian (central differences of the exact gradient) must have exactly that many
    eigenvalues within its error of 0 and all others above ten times it -- then the loss is locally constant only
    along the orbit, and the point is a strict local minimum of L on the quotient. A negative eigenvalue (a
    strict saddle) or any other degeneracy is inconclusive, not a counterexample. Discrepancy for a certified
    local minimum: :math:`(L - L^*)/\|B\|_F^2`, L* from :func:`global_minimum`; ``claim="zero"`` plants L* = 0
    (negative control: B outside X's row space). Error: the gradient norm's first-order effect (the Newton
    step's size times the gradient) plus the rounding of L; budget ten times it, at least 1e-9.
    """
    X = as_matrix(X, "X")
    B = as_matrix(B, "B", (None, X.shape[1]))
    As = [as_matrix(A, f"factors[{j}]") for j, A in enumerate(factors)]
    d = X.shape[0]
    if any(A.shape != (d, d) for A in As[:-1]) or As[-1].shape[1] != d or len(As) < 2:
        raise InvalidInput("factors must be d × d (the last one d_k × d), at least two of them, d = rows of X")
    if np.linalg.matrix_rank(X) < d:
        raise InvalidInput("X must have full row rank")
    if claim not in ("global", "zero"):
        raise InvalidInput(f"claim must be 'global' or 'zero', got {claim!r}")
    from scipy.optimize import minimize

    shapes = [A.shape for A in As]
    theta0 = np.concatenate([A.ravel() for A in As])
    scale = float(np.sum(B * B))
    res = minimize(
        lambda th: deep_linear_loss_grad(th, shapes, X, B),
        theta0,
        jac=True,
        method="BFGS",
        options={"maxiter": 5000, "gtol": gtol * math.sqrt(scale)},
    )
    theta = np.asarray(res.x, float)
    L, g = deep_linear_loss_grad(theta, shapes, X, B)
    Fs = _unpack(theta, shapes)
    if min(np.linalg.svd(F, compute_uv=False)[-1] for F in Fs[:-1]) < 1e-6 or np.linalg.matrix_rank(Fs[-1]) < min(
        Fs[-1].shape
    ):
        raise Inconclusive("rank-deficient factors", "the symmetry orbit's dimension is not (k - 1) d^2")
    h = 1e-4 * max(1.0, float(np.max(np.abs(theta))))
    der = central_difference(lambda th: deep_linear_loss_grad(th, shapes, X, B)[1], theta, h)
    H = 0.5 * (der.value + der.value.T)
    ev = np.linalg.eigvalsh(H)
    hn = max(float(np.max(np.abs(ev))), 1e-300)
    e_err = (
        der.truncation(lambda M: float(np.linalg.norm(M, 2)))
        + 0.5 * float(np.linalg.norm(der.value - der.value.T, 2))
        + der.roundoff(2.0 * (scale + L) + hn)
    ) + 1e-9 * hn
    orbit = (len(As) - 1) * d * d
    small = int(np.sum(np.abs(ev) <= 10 * e_err + 1e-7 * hn))
    if ev[0] < -10 * e_err - 1e-7 * hn:
        raise Inconclusive("strict saddle", f"lambda_min = {ev[0]:.3g} (error {e_err:.3g}): not a local minimum")
    if small != orbit:
        raise Inconclusive("degenerate critical point", f"{small} near-zero Hessian eigenvalues, the orbit has {orbit}")
    pos = ev[np.abs(ev) > 10 * e_err + 1e-7 * hn]
    Lstar = 0.0 if claim == "zero" else global_minimum(X, B, min(d, B.shape[0]))
    gnorm = float(np.linalg.norm(g))
    err = (gnorm * gnorm / float(np.min(pos)) + 100 * EPS * (scale + L)) / scale
    return Outcome(
        (L - Lstar) / scale,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        f"(L - L*)/|B|^2 at a certified local minimum (claim: {claim})",
        details={
            "loss": L / scale,
            "global_minimum": global_minimum(X, B, min(d, B.shape[0])) / scale,
            "gradient_norm": gnorm,
            "orbit_dimension": orbit,
            "smallest_positive_eigenvalue": float(np.min(pos)),
            "iterations": int(res.nit),
        },
    )


__all__ = ["deep_linear_loss_grad", "flat_saddle_gap", "global_minimum", "local_minimum_gap"]
