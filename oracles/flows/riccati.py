r"""tarmoun2021's closed form for homogeneously imbalanced two-layer linear networks (the Riccati equation).

For :math:`\ell = \tfrac12\|Y - UV^\top\|_F^2`, :math:`\dot U = (Y - UV^\top)V`, :math:`\dot V = (Y - UV^\top)^\top U`. If the
imbalance is homogeneous, :math:`U^\top U - V^\top V = \lambda I_k` (constant along the flow), then with
:math:`Z = [U; V]` ((m+n) × k), :math:`J = \mathrm{diag}(I_m, -I_n)` and the symmetric

.. math:: A = \begin{bmatrix}\tfrac\lambda2 I_m & Y\\ Y^\top & -\tfrac\lambda2 I_n\end{bmatrix},

:math:`UV^\top V = U(U^\top U - \lambda I)` and :math:`VU^\top U = V(V^\top V + \lambda I)` give
:math:`[UV^\top V; VU^\top U] = \tfrac12ZZ^\top Z - \tfrac\lambda2JZ`, so :math:`\dot Z = AZ - \tfrac12ZZ^\top Z`
and :math:`P = ZZ^\top` solves the matrix Riccati equation :math:`\dot P = AP + PA - P^2`. Its solution from
:math:`P_0 = Z_0Z_0^\top` (any rank) is

.. math:: P(t) = e^{At}Z_0\,(I_k + Z_0^\top F(t)Z_0)^{-1}Z_0^\top e^{At}, \qquad F(t) = \int_0^te^{2As}ds

(differentiate: with :math:`M = I + Z_0^\top FZ_0`, :math:`\dot M = Z_0^\top e^{2At}Z_0`, and
:math:`\dot P = AP + PA - P^2`), and :math:`U(t)V(t)^\top` is its upper-right m × n block. The eigenvalues of A are
:math:`\pm\tfrac12\sqrt{\lambda^2 + 4\sigma_i(Y)^2}` (and :math:`\pm\lambda/2` on the complements), whence the slides'
rate :math:`\sqrt{\lambda^2 + 4\sigma_{min}(Y)^2}`.

Evaluated stably in A's eigenbasis :math:`A = Q\,\mathrm{diag}(a)Q^\top`, :math:`\tilde Z = Q^\top Z_0`: with
:math:`f_i = \int_0^te^{2a_is}ds \ge 0` and :math:`H = \mathrm{diag}(\sqrt f)\tilde Z`, the QR factorization
:math:`[H; I_k] = Q_KR_K` gives :math:`I + H^\top H = R_K^\top R_K` and :math:`P = BB^\top` with
:math:`B = Q\,\mathrm{diag}(e^{a_it}/\sqrt{f_i})\,(Q_K)_{1:m+n}`; the factor :math:`e^{a_it}/\sqrt{f_i} =
(\tfrac{-\mathrm{expm1}(-2a_it)}{2a_i})^{-1/2}` is bounded for large t, so nothing overflows or cancels.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import InvalidInput, as_matrix


def homogeneous_imbalance(U0: ArrayLike, V0: ArrayLike) -> tuple[float, float]:
    r"""The λ of :math:`U_0^\top U_0 - V_0^\top V_0 = \lambda I_k` (the mean of its diagonal) and the relative defect
    :math:`\|\Lambda_0 - \lambda I\|_F/\max(\|U_0\|_F^2 + \|V_0\|_F^2, 10^{-300})`."""
    U0 = as_matrix(U0, "U0")
    V0 = as_matrix(V0, "V0", (None, U0.shape[1]))
    L = U0.T @ U0 - V0.T @ V0
    lam = float(np.trace(L)) / L.shape[0]
    scale = max(float(np.sum(U0 * U0) + np.sum(V0 * V0)), 1e-300)
    return lam, float(np.linalg.norm(L - lam * np.eye(L.shape[0]))) / scale


def riccati_generator(Y: ArrayLike, lam: float) -> np.ndarray:
    r"""The symmetric :math:`A = [[\tfrac\lambda2I_m, Y], [Y^\top, -\tfrac\lambda2I_n]]`."""
    Y = as_matrix(Y, "Y")
    m, n = Y.shape
    return np.block([[0.5 * lam * np.eye(m), Y], [Y.T, -0.5 * lam * np.eye(n)]])


def riccati_solution(
    U0: ArrayLike, V0: ArrayLike, Y: ArrayLike, t: ArrayLike, *, lam: float | None = None
) -> np.ndarray:
    r"""The closed form :math:`U(t)V(t)^\top` at the times ``t`` (array of shape (len(t), m, n)).

    ``lam`` defaults to the homogeneous imbalance of :math:`(U_0, V_0)`; passing another value plants a wrong
    one (the closed form then solves a different Riccati equation).

    Raises
    ------
    InvalidInput
        Shapes that do not match, or negative times.
    """
    U0 = as_matrix(U0, "U0")
    V0 = as_matrix(V0, "V0", (None, U0.shape[1]))
    Y = as_matrix(Y, "Y", (U0.shape[0], V0.shape[0]))
    t = np.atleast_1d(np.asarray(t, float))
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise InvalidInput("times t must be finite and >= 0")
    if lam is None:
        lam = homogeneous_imbalance(U0, V0)[0]
    m, k = U0.shape
    a, Q = np.linalg.eigh(riccati_generator(Y, float(lam)))
    Zt = Q.T @ np.vstack([U0, V0])
    out = np.empty((t.size, m, V0.shape[0]))
    for j, tj in enumerate(t):
        if tj == 0.0:
            Z0 = np.vstack([U0, V0])
            out[j] = (Z0 @ Z0.T)[:m, m:]
            continue
        x = 2.0 * a * tj
        small = np.abs(x) < 1e-8
        with np.errstate(over="ignore"):
            f = np.where(small, tj * (1.0 + 0.5 * x), np.expm1(x) / np.where(small, 1.0, 2.0 * a))
            fe = np.where(small, tj * (1.0 - 0.5 * x), -np.expm1(-x) / np.where(small, 1.0, 2.0 * a))  # f e^{-2at}
        H = np.sqrt(f)[:, None] * Zt
        QK, _ = np.linalg.qr(np.vstack([H, np.eye(k)]))
        B = Q @ ((1.0 / np.sqrt(fe))[:, None] * QK[: a.size])
        out[j] = (B @ B.T)[:m, m:]
    return out


def riccati_rate(Y: ArrayLike, lam: float) -> float:
    r"""The slides' rate :math:`\sqrt{\lambda^2 + 4\sigma_{min}(Y)^2}` (twice the smallest |eigenvalue| of A on
    the data's part; :math:`\sigma_{min}` the min(m, n)-th singular value)."""
    s = np.linalg.svd(as_matrix(Y, "Y"), compute_uv=False)
    return math.hypot(float(lam), 2.0 * float(s[-1]))


__all__ = ["homogeneous_imbalance", "riccati_generator", "riccati_rate", "riccati_solution"]
