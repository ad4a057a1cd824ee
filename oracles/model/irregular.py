r"""x⊙2 and u⊙2 − v⊙2 on all of :math:`\mathbb{R}^D`, where they are **irregular** (li2022 Theorem 4.9).

li2022's examples restrict these maps to the open orthant, where ∂G has full rank. On all of
:math:`\mathbb{R}^D` they are the quadratic families :math:`A_i = 2e_ie_i^\top` and
:math:`A_i = 2(e_ie_i^\top - e_{d+i}e_{d+i}^\top)`, commuting, with rank ∂G(x) < d wherever
:math:`x_i = 0` (resp. :math:`u_i = v_i = 0`): Theorem 4.9 says such a G cannot be a mirror flow for every
initialization and loss. Built from :class:`oracles.model.parametrizations.Quadratic`, so they serialize
and use the quadratic closed forms.
"""

from __future__ import annotations

import numpy as np

from oracles.core.errors import InvalidInput
from oracles.model.parametrizations import Quadratic


def squares_everywhere(d: int) -> Quadratic:
    r""":math:`G(x) = x^{\odot2}` on :math:`\mathbb{R}^d` (:math:`G_i = \tfrac12x^\top(2e_ie_i^\top)x`); irregular where some :math:`x_i = 0`."""
    if int(d) < 1:
        raise InvalidInput(f"dimension d must be at least 1, got {d}")
    d = int(d)
    A = np.zeros((d, d, d))
    A[np.arange(d), np.arange(d), np.arange(d)] = 2.0
    return Quadratic(A, name="x⊙2 on R^d", labels=[f"x[{i}]^2" for i in range(d)])


def uv_squared_everywhere(d: int) -> Quadratic:
    r""":math:`G(u, v) = u^{\odot2} - v^{\odot2}` on :math:`\mathbb{R}^{2d}`; irregular where some :math:`u_i = v_i = 0`."""
    if int(d) < 1:
        raise InvalidInput(f"dimension d must be at least 1, got {d}")
    d = int(d)
    A = np.zeros((d, 2 * d, 2 * d))
    i = np.arange(d)
    A[i, i, i] = 2.0
    A[i, i + d, i + d] = -2.0
    return Quadratic(A, name="u⊙2 − v⊙2 on R^2d", labels=[f"u[{k}]^2 - v[{k}]^2" for k in range(d)])
