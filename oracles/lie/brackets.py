r"""Lie brackets of the gradient fields of a parametrization (li2022 Def. 3.3 and 4.1).

For gradient fields, :math:`[\nabla G_i, \nabla G_j](x) = \nabla^2G_j(x)\nabla G_i(x) -
\nabla^2G_i(x)\nabla G_j(x)`; for quadratic maps this is :math:`(A_jA_i - A_iA_j)x`. G is
commuting when every bracket vanishes on M.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.fd import central_difference
from oracles.model.parametrizations import Parametrization


def bracket(G: Parametrization, i: int, j: int, x: ArrayLike, hessians: np.ndarray | None = None) -> np.ndarray:
    r""":math:`[\nabla G_i,\nabla G_j](x) = \nabla^2G_j\nabla G_i - \nabla^2G_i\nabla G_j` (Def. 4.1).

    Uses ``G.hessians`` (closed form where the family has one, central differences otherwise)
    unless ``hessians`` is given.
    """
    x = G.check_point(x)
    J = G.jacobian(x)
    H = G.hessians(x) if hessians is None else hessians
    return H[j] @ J[i] - H[i] @ J[j]


def fd_hessians(G: Parametrization, x: ArrayLike, h: float) -> np.ndarray:
    """Hessians of the G_i by central differences of the Jacobian with step ``h``."""
    return central_difference(G.jacobian, x, h, coarse=False).value


def bracket_fd(G: Parametrization, i: int, j: int, x: ArrayLike, h: float = 1e-4) -> tuple[np.ndarray, float]:
    r"""The bracket from finite-difference Hessians, with an error estimate.

    Returns the bracket at step ``h`` and an error estimate: ``‖b(h) − b(2h)‖``, which bounds the
    O(h²) truncation error of the step-h value up to a factor 4/3, plus the roundoff
    :math:`2\sqrt D\,\epsilon\|\partial G\|^2/h` of differencing the Jacobian.
    """
    x = G.check_point(x)
    H = central_difference(G.jacobian, x, h)
    b1, b2 = bracket(G, i, j, x, H.value), bracket(G, i, j, x, H.coarse)
    J = G.jacobian(x)
    # roundoff of the central-difference Hessians (eps·‖J‖/h each), times the fields they multiply
    roundoff = 2 * H.roundoff(float(np.linalg.norm(J) ** 2))
    return b1, float(np.linalg.norm(b1 - b2)) + roundoff


def quadratic_bracket(Ai: np.ndarray, Aj: np.ndarray, x: ArrayLike) -> np.ndarray:
    r""":math:`[\nabla G_i,\nabla G_j](x) = (A_jA_i - A_iA_j)x` for :math:`G_k = \tfrac12x^\top A_kx`."""
    return (Aj @ Ai - Ai @ Aj) @ np.asarray(x, float)


def max_bracket(G: Parametrization, x: ArrayLike) -> float:
    r""":math:`\max_{i<j}\|[\nabla G_i,\nabla G_j](x)\|`, scaled by :math:`\max_k\|\nabla^2 G_k\|\,\|\nabla G\|`."""
    x = G.check_point(x)
    J, H = G.jacobian(x), G.hessians(x)
    scale = max(1e-300, float(np.max(np.linalg.norm(H, axis=(1, 2)))) * float(np.max(np.linalg.norm(J, axis=1))))
    worst = 0.0
    for i in range(G.d):
        for j in range(i + 1, G.d):
            worst = max(worst, float(np.linalg.norm(H[j] @ J[i] - H[i] @ J[j])))
    return worst / scale
