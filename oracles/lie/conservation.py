r"""Conservation laws of gradient flows on matrix factorizations (Marcotte, Gribonval, Peyré 2023).

Near a point where the rank is locally constant, the number of independent conservation laws of gradient
flows with any loss is :math:`D - \dim\mathrm{Lie}(\partial G)|_x` (:attr:`oracles.lie.closure.LieClosure.conservation_laws`).
This module derives it in closed form for :math:`UV^\top` and :math:`UU^\top`, and gives the gradients of the
laws of :math:`UV^\top`; for depth-N products see :meth:`oracles.model.deep.DeepProduct.imbalances`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import as_vector


def uv_law_gradients(m: int, n: int, r: int, x: ArrayLike) -> np.ndarray:
    r"""Gradients of the MGP conservation laws :math:`h_{kl} = \langle u_k,u_l\rangle - \langle v_k,v_l\rangle`,
    :math:`k \le l`, for :func:`~oracles.model.parametrizations.factorization` (``x = (vec U, vec V)``,
    column-major, :math:`U\in\mathbb{R}^{m\times r}`, :math:`V\in\mathbb{R}^{n\times r}`): a
    ``D × r(r+1)/2`` array, columns in the order (0,0), (0,1), …, (r−1,r−1)."""
    D = (m + n) * r
    x = as_vector(x, "x", D)
    U = x[: m * r].reshape(r, m).T
    V = x[m * r :].reshape(r, n).T
    cols = []
    for k in range(r):
        for l in range(k, r):
            gU, gV = np.zeros((m, r)), np.zeros((n, r))
            gU[:, k] += U[:, l]
            gU[:, l] += U[:, k]
            gV[:, k] -= V[:, l]
            gV[:, l] -= V[:, k]
            cols.append(np.concatenate([gU.T.reshape(-1), gV.T.reshape(-1)]))
    return np.array(cols).T


def uv_conservation_count(m: int, n: int, r: int) -> int:
    r"""The number of independent conservation laws of :math:`UV^\top` at generic points.

    The fields act on :math:`W = (U; V) \in \mathbb{R}^{N\times r}`, N = m + n, as left
    multiplication by :math:`\eta K` (η = diag(I_m, −I_n), K antisymmetric): the Lie algebra is
    :math:`\mathfrak{so}(m, n)`, and the orbit of W has dimension :math:`\dim\{KW\} = N(N-1)/2 -
    (N-\rho)(N-\rho-1)/2` with ρ = rank W = min(N, r). Hence

    * r ≤ m + n: :math:`(m+n)r - \dim = r(r+1)/2` -- MGP's count (the entries of UᵀU − VᵀV);
    * r > m + n: :math:`(m+n)r - (m+n)(m+n-1)/2`, which is :math:`(r-N)(r-N+1)/2` fewer than
      r(r+1)/2 (the Gram matrix UᵀU − VᵀV of N-dimensional vectors has rank ≤ N, so its
      entries are no longer independent).
    """
    N = m + n
    rho = min(N, r)
    return N * r - (N * (N - 1) // 2 - (N - rho) * (N - rho - 1) // 2)


def uut_conservation_count(d: int, r: int) -> int:
    r""":math:`UU^\top`, :math:`U \in \mathbb{R}^{d\times r}`: the symmetric :math:`2\bar E_{ij}` generate
    :math:`\mathfrak{gl}(d)` (their brackets give :math:`\mathfrak{so}(d)`), acting by :math:`U\mapsto MU`;
    the orbit has dimension d·rank U, so the count is :math:`d\,\max(0, r-d)` (the row space of U is
    conserved when r > d)."""
    return d * max(0, r - d)
