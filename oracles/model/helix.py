r"""Helical charts: a second non-commuting family that satisfies li2022's condition (9) (Conjecture 4.10).

The screw motion :math:`e^{tV}`, :math:`V(y) = (-y_2, y_1, c)` (a rotation about the third axis with a
translation c along it) is a Killing field of :math:`\mathbb{R}^3`; its orbits are helices, and the
quotient by it is a Riemannian submersion whose horizontal distribution :math:`V^\perp` is a contact
distribution (:math:`V^\flat\wedge dV^\flat = 2c\,dy_1\wedge dy_2\wedge dy_3 \ne 0`), like the Hopf fibration's.
The invariants :math:`r = \sqrt{y_1^2 + y_2^2}` and :math:`s = y_3 - c\,\theta`, :math:`\theta = \mathrm{atan2}(y_2, y_1)`,
are coordinates on the base, with :math:`\nabla r\cdot\nabla s = 0`, :math:`|\nabla r| = 1`,
:math:`|\nabla s|^2 = 1 + c^2/r^2 =: \beta(r)`.

**Which base functions have commuting gradients.** For :math:`w_1 = f(r)`, :math:`w_2 = h(r)s + k(r)` the base
bracket is :math:`[f'\partial_r, (h's + k')\partial_r + \beta h\partial_s] = (f'(h''s + k'') - f''(h's + k'))\partial_r
+ f'(\beta h)'\partial_s`; it vanishes iff :math:`\beta h` is constant and f, k are affine in h. So, up to affine
maps, :math:`w = (h, hs)` with

.. math:: h(r) = \frac{r^2}{r^2 + c^2} \in (0, 1), \qquad G(x) = P\,(h,\ h\,s),\quad y = O_{:3}x.

**Why (9) holds, and R.** The gradients :math:`\nabla G_i` are horizontal lifts of commuting base fields, so
:math:`[\nabla G_1, \nabla G_2]` is vertical (O'Neill's :math:`A`-tensor, non-zero: G is not commuting);
V is Killing and :math:`G\circ e^{tV} = G`, so :math:`[V, \nabla G_i] = 0` and every higher bracket is a
multiple of V, orthogonal to span ∇G. The Gram matrix depends on x only through w: with
:math:`u = P^{-1}w = (h, hs)`, :math:`h' = (2/c)\sqrt h(1-h)^{3/2}`,

.. math:: (\partial u\,\partial u^\top)^{-1} = \begin{pmatrix} s^2/h + c^2/(4h(1-h)^3) & -s/h\\ -s/h & 1/h\end{pmatrix}
          = \nabla^2\Big(\frac{u_2^2}{2u_1} + \varphi(u_1)\Big),\qquad \varphi'' = \frac{c^2}{4u_1(1-u_1)^3},

a Hessian metric (a perspective function plus a barrier in :math:`u_1`): by the Riemannian-submersion
argument of :class:`oracles.model.hopf.HopfChart`, GF on this chart is a mirror flow, as Conjecture 4.10
predicts. M: :math:`r > 0`, :math:`|\theta| < \pi` (the cut :math:`\theta = \pm\pi`, where s jumps by
:math:`2\pi c`, is the chart's edge); D = 3 + k with k padding coordinates (through O), d = 2.

``twisted=False`` gives the planted chart :math:`w = P(h, s)`, whose base gradients do not commute: its
metric is not a Hessian metric (a negative control).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import Inconclusive, InvalidInput, as_matrix, as_vector
from oracles.core.specs import register
from oracles.model.parametrizations import Parametrization


class HelixChart(Parametrization):
    """:math:`G(x) = P\\,(h, h s)` (``twisted``) or :math:`P\\,(h, s)`, with ``y = O[:3] x`` (see the module docstring)."""

    def __init__(self, O: ArrayLike, c: float, P: ArrayLike, twisted: bool = True, name: str = "helix chart") -> None:
        O = as_matrix(O, "O")
        P = as_matrix(P, "P", (2, 2))
        if O.shape[0] != O.shape[1] or O.shape[0] < 3:
            raise InvalidInput(f"O must be square of size at least 3, got {O.shape}")
        if np.linalg.norm(O @ O.T - np.eye(O.shape[0])) > 1e-10:
            raise InvalidInput("O must be orthogonal")
        if not (math.isfinite(c) and c > 0):
            raise InvalidInput(f"the pitch c must be positive, got {c}")
        if abs(np.linalg.det(P)) < 1e-8 * max(1.0, float(np.linalg.norm(P)) ** 2):
            raise InvalidInput("P must be invertible")
        self.O, self.c, self.P, self.twisted = O, float(c), P, bool(twisted)
        self.O3 = np.ascontiguousarray(O[:3])
        self.P_inv = np.linalg.inv(P)
        self.D, self.d = O.shape[0], 2
        base = name if twisted else f"{name}, untwisted (h, s)"
        self.name = base if self.D == 3 else f"{base} (D={self.D})"
        self.domain = "{x: y = (Ox)[:3], y1^2 + y2^2 > 0, |atan2(y2, y1)| < pi}"

    def _state(self, x: ArrayLike):
        a, b, z = (self.O3 @ np.asarray(x, float)).tolist()
        rho2 = a * a + b * b
        c = self.c
        theta = math.atan2(b, a)
        h = rho2 / (rho2 + c * c)
        return a, b, z, rho2, theta, z - c * theta, h

    def domain_margin(self, x: ArrayLike) -> float:
        _, _, _, rho2, theta, _, h = self._state(x)
        if rho2 == 0.0:
            return 0.0
        return float(min(h, (math.pi - abs(theta)) / math.pi))

    def base_value(self, x: ArrayLike) -> np.ndarray:
        """:math:`u = P^{-1}G(x) = (h, hs)` (or ``(h, s)`` untwisted)."""
        _, _, _, _, _, s, h = self._state(x)
        return np.array([h, h * s if self.twisted else s])

    def value(self, x: ArrayLike) -> np.ndarray:
        return self.P @ self.base_value(x)

    def jacobian(self, x: ArrayLike) -> np.ndarray:
        a, b, _, rho2, _, s, h = self._state(x)
        c = self.c
        k = 2 * c * c / (rho2 + c * c) ** 2
        dh = np.array([k * a, k * b, 0.0])
        ds = np.array([c * b / rho2, -c * a / rho2, 1.0])
        K = np.vstack([dh, s * dh + h * ds if self.twisted else ds])
        return (self.P @ K) @ self.O3

    def fibre(self, x: ArrayLike) -> np.ndarray:
        """The vertical (helix) direction at x, :math:`O^\\top(-y_2, y_1, c, 0)`: :math:`\\mathrm{Lie}^{\\ge2}|_x` lies on it."""
        a, b, *_ = self._state(x)
        v = np.zeros(self.D)
        v[:3] = (-b, a, self.c)
        return self.O.T @ v

    def point(self, r: float, s: float, alpha: float = 0.0, extra: ArrayLike | None = None) -> np.ndarray:
        """The point at base coordinates ``(r, s)`` with fibre phase θ = ``alpha`` and padding ``extra``."""
        if not (r > 0 and abs(alpha) < math.pi):
            raise InvalidInput(f"need r > 0 and |alpha| < pi, got r={r}, alpha={alpha}")
        y = np.zeros(self.D)
        y[:3] = (r * math.cos(alpha), r * math.sin(alpha), s + self.c * alpha)
        if self.D > 3:
            y[3:] = 0.0 if extra is None else as_vector(extra, "extra", self.D - 3)
        return self.O.T @ y

    def preimage(self, alpha: float = 0.0, extra: ArrayLike | None = None) -> Callable[[np.ndarray], np.ndarray]:
        """:math:`w \\mapsto x` with :math:`G(x) = w`, on the fibre phase ``alpha`` (:class:`Inconclusive` outside the image)."""
        c = self.c

        def pre(w):
            u = self.P_inv @ as_vector(w, "w", 2)
            h = float(u[0])
            if not 0.0 < h < 1.0:
                raise Inconclusive("leaves domain", f"h = {h:.3g} is outside (0, 1), the image of the chart")
            s = float(u[1]) / h if self.twisted else float(u[1])
            return self.point(c * math.sqrt(h / (1.0 - h)), s, alpha, extra)

        return pre

    def hessian_of_R(self, w: ArrayLike) -> np.ndarray:
        r"""The closed-form :math:`\nabla^2R(w) = P^{-\top}\nabla^2_u\big(u_2^2/(2u_1) + \varphi(u_1)\big)P^{-1}` (twisted only)."""
        if not self.twisted:
            raise InvalidInput("the untwisted chart has no Hessian metric")
        u = self.P_inv @ as_vector(w, "w", 2)
        h, q = float(u[0]), float(u[1])
        H = np.array([[q * q / h**3 + self.c**2 / (4 * h * (1 - h) ** 3), -q / h**2], [-q / h**2, 1 / h]])
        return self.P_inv.T @ H @ self.P_inv


@register
@dataclass(frozen=True)
class HelixFamily:
    """The JSON-able description of a :class:`HelixChart` (``O``, pitch ``c``, ``P``, ``twisted``); ``build()`` makes it."""

    O: np.ndarray
    c: float
    P: np.ndarray
    twisted: bool = True

    def build(self) -> HelixChart:
        return HelixChart(self.O, self.c, self.P, self.twisted)

    @property
    def D(self) -> int:
        return int(np.asarray(self.O).shape[0])

    def to_spec(self) -> dict[str, Any]:
        return {
            "O": np.asarray(self.O).tolist(),
            "c": float(self.c),
            "P": np.asarray(self.P).tolist(),
            "twisted": bool(self.twisted),
        }

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "HelixFamily":
        return cls(
            np.asarray(spec["O"], float),
            float(spec["c"]),
            np.asarray(spec["P"], float),
            bool(spec.get("twisted", True)),
        )
