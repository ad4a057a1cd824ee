r"""Charts of the Hopf fibration: non-commuting parametrizations that satisfy li2022's condition (9).

The test bed of Conjecture 4.10. Quadratic families cannot satisfy the relaxed condition without
commuting (see ``theorems/li2022_s4_2_necessity.py``); these charts do, everywhere on their domain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import InvalidInput, as_matrix, as_vector
from oracles.core.specs import register
from oracles.model.parametrizations import Parametrization

#: The complex structure of C² = R⁴: the Hopf fibres are the orbits of exp(tJ).
HOPF_J = np.array([[0.0, -1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, -1.0], [0.0, 0.0, 1.0, 0.0]])


class HopfChart(Parametrization):
    r"""A non-commuting G that satisfies condition (9) everywhere: a Hessian chart of the Hopf fibration.

    :math:`z = \Pi O x \in \mathbb{R}^4 = \mathbb{C}^2` (O orthogonal, Π the first four coordinates),
    :math:`n = \pi(z)/|z|^2 \in S^2` with the Hopf map :math:`\pi(z) = (|z_1|^2 - |z_2|^2,
    2\,\mathrm{Re}\,z_1\bar z_2, 2\,\mathrm{Im}\,z_1\bar z_2)`, :math:`m = Qn` (Q a rotation),
    and :math:`G(x) = P\,(m_1^2,\ (1 - m_1^2)\,\varphi)` with :math:`\varphi = \mathrm{atan2}(m_3, m_2)`,
    P invertible; ``d = 2``. M: :math:`0 < m_1 < 1`, :math:`|\varphi| < \pi` (and z ≠ 0).

    Why (9) holds although G is non-commuting:

    1. On the round sphere, with height z and azimuth φ, :math:`\nabla z^2 = 2z(1-z^2)\partial_z`
       and :math:`\nabla((1-z^2)\varphi) = -2z(1-z^2)\varphi\,\partial_z + \partial_\varphi`
       commute (the unique pair of this separable form, up to affine maps); so
       :math:`w = (z^2, (1-z^2)\varphi)` are coordinates whose gradient fields commute -- the
       metric is a Hessian metric in the dual coordinates.
    2. :math:`x \mapsto n` is, on each sphere |z| = ρ, a Riemannian submersion up to the constant
       factor 2/ρ, so :math:`\nabla G_i` is the horizontal lift of the base gradient, and
       :math:`[\nabla G_1, \nabla G_2]` = lift of the base bracket (0) + a vertical part
       :math:`2A_{X_1}X_2 \neq 0` (O'Neill's tensor; the horizontal distribution of the Hopf
       fibration is a contact distribution). Vertical means parallel to :math:`Jz` (the fibre).
    3. The fibre field :math:`V(x) = O^\top(Jz, 0)` is linear and Killing, and :math:`G\circ e^{tV} = G`,
       so :math:`[V, \nabla G_i] = 0`; hence :math:`[fV, \nabla G_i] = -(\nabla G_i f)V` and by
       induction every bracket of order ≥ 2 is a multiple of V, orthogonal to
       :math:`\mathrm{span}\{\nabla G_i\}` (the horizontal space): condition (9) holds on M,
       :math:`\dim\mathrm{Lie}|_x = 3` (plus nothing in the D − 4 padding directions).
    4. The Gram matrix :math:`\partial G\partial G^\top` is a function of w (and of |x|, which every
       GF conserves), and is the inverse of a Hessian metric, so w(t) solves a mirror flow:
       Conjecture 4.10 holds here, by this argument.
    """

    def __init__(self, O: ArrayLike, Q: ArrayLike, P: ArrayLike, name: str = "Hopf chart") -> None:
        O = as_matrix(O, "O")
        Q = as_matrix(Q, "Q", (3, 3))
        P = as_matrix(P, "P", (2, 2))
        if O.shape[0] != O.shape[1] or O.shape[0] < 4:
            raise InvalidInput(f"O must be square of size at least 4, got {O.shape}")
        if np.linalg.norm(O @ O.T - np.eye(O.shape[0])) > 1e-10:
            raise InvalidInput("O must be orthogonal")
        if np.linalg.norm(Q @ Q.T - np.eye(3)) > 1e-10 or np.linalg.det(Q) < 0:
            raise InvalidInput("Q must be a rotation (orthogonal, det +1)")
        if abs(np.linalg.det(P)) < 1e-8 * max(1.0, float(np.linalg.norm(P)) ** 2):
            raise InvalidInput("P must be invertible")
        self.O, self.Q, self.P = O, Q, P
        self.O4 = np.ascontiguousarray(O[:4])
        self._Q, self._P = Q.tolist(), P.tolist()
        self.D, self.d = O.shape[0], 2
        self.name = name if self.D == 4 else f"{name} (D={self.D})"
        self.domain = "{x: z = (Ox)[:4] != 0, 0 < m_1 < 1, |phi| < pi}"
        self._last: tuple[bytes, Any] | None = None

    def _m(self, x: np.ndarray):
        key = x.tobytes()
        if self._last is not None and self._last[0] == key:  # value() and jacobian() at the same x
            return self._last[1]
        out = self._m_uncached(x)
        self._last = (key, out)
        return out

    def _m_uncached(self, x: np.ndarray):
        r"""``(m, phi, K)`` at x in Python floats (2 × 4 and 3-vectors: numpy calls would cost more than the
        arithmetic): :math:`\rho^2 = |z|^2`, :math:`m = Q\pi(z)/\rho^2`, and :math:`K = P\,\partial_m w\,\partial_z m`,
        the Jacobian before :math:`O_{:4}` (all ``None`` at z = 0)."""
        a, b, c, e = (self.O4 @ x).tolist()
        rho2 = a * a + b * b + c * c + e * e
        if rho2 == 0.0:
            return None, None, None
        inv = 1.0 / rho2
        n0, n1, n2 = (a * a + b * b - c * c - e * e) * inv, 2 * (a * c + b * e) * inv, 2 * (b * c - a * e) * inv
        (q00, q01, q02), (q10, q11, q12), (q20, q21, q22) = self._Q
        m0, m1, m2 = q00 * n0 + q01 * n1 + q02 * n2, q10 * n0 + q11 * n1 + q12 * n2, q20 * n0 + q21 * n1 + q22 * n2
        phi, t, s = math.atan2(m2, m1), m1 * m1 + m2 * m2, 1.0 - m0 * m0
        # rows of P dw/dm (dw/dm of (m0², (1 - m0²)φ) is ((2m0, 0, 0), (-2m0φ, -s m2/t, s m1/t))), then times Q
        (p00, p01), (p10, p11) = self._P
        d0, d1, d2 = -2 * m0 * phi, -s * m2 / t, s * m1 / t
        K = []
        for r0, r1, r2 in (
            (2 * p00 * m0 + p01 * d0, p01 * d1, p01 * d2),
            (2 * p10 * m0 + p11 * d0, p11 * d1, p11 * d2),
        ):
            u0, u1, u2 = r0 * q00 + r1 * q10 + r2 * q20, r0 * q01 + r1 * q11 + r2 * q21, r0 * q02 + r1 * q12 + r2 * q22
            # u ∂n/∂z = u (∂π/∂z)/ρ² - (u·n) 2z/ρ², with ∂π/∂z = 2((a, b, -c, -e), (c, e, a, b), (-e, c, b, -a))
            un = u0 * n0 + u1 * n1 + u2 * n2
            K.append(
                [
                    2 * inv * (u0 * a + u1 * c - u2 * e - un * a),
                    2 * inv * (u0 * b + u1 * e + u2 * c - un * b),
                    2 * inv * (u1 * a + u2 * b - u0 * c - un * c),
                    2 * inv * (u1 * b - u0 * e - u2 * a - un * e),
                ]
            )
        m = (m0, m1, m2)
        return m, phi, K

    def domain_margin(self, x: ArrayLike) -> float:
        x = np.asarray(x, dtype=float)
        m, phi, _ = self._m(x)
        if m is None:
            return 0.0
        return float(min(m[0], 1.0 - m[0], (math.pi - abs(phi)) / math.pi))

    def value(self, x: ArrayLike) -> np.ndarray:
        m, phi, _ = self._m(np.asarray(x, dtype=float))
        w0 = m[0] * m[0]
        w1 = (1.0 - w0) * phi
        (p00, p01), (p10, p11) = self._P
        return np.array([p00 * w0 + p01 * w1, p10 * w0 + p11 * w1])

    def jacobian(self, x: ArrayLike) -> np.ndarray:
        K = self._m(np.asarray(x, dtype=float))[2]
        return np.array(K) @ self.O4

    def value_and_vjp(self, x: ArrayLike) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        r"""G(x) and :math:`g \mapsto (g^\top K)\,O_{:4}` with :math:`K = P\,\partial_m w\,\partial_z m` (2 × 4)."""
        x = np.asarray(x, dtype=float)
        K = np.array(self._m(x)[2])
        return self.value(x), lambda g: (g @ K) @ self.O4

    def fibre(self, x: ArrayLike) -> np.ndarray:
        """The vertical (Hopf-fibre) direction at x: :math:`O^\\top(Jz, 0)`; Lie^{≥2}|_x lies on it."""
        y = np.zeros(self.D)
        y[:4] = HOPF_J @ (self.O @ np.asarray(x, dtype=float))[:4]
        return self.O.T @ y

    def point(
        self, m1: float, phi: float, alpha: float = 0.0, rho: float = 1.0, extra: ArrayLike | None = None
    ) -> np.ndarray:
        """The point with chart coordinates ``m1`` (height) and ``phi`` (azimuth), fibre phase ``alpha``,
        radius ``rho`` of its first four coordinates and the remaining (padding) coordinates ``extra``."""
        n = self.Q.T @ np.array(
            [m1, math.sqrt(max(0.0, 1 - m1 * m1)) * math.cos(phi), math.sqrt(max(0.0, 1 - m1 * m1)) * math.sin(phi)]
        )
        theta = math.acos(max(-1.0, min(1.0, float(n[0]))))
        beta = math.atan2(float(n[2]), float(n[1]))
        z1 = math.cos(theta / 2) * complex(math.cos(alpha), math.sin(alpha))
        z2 = math.sin(theta / 2) * complex(math.cos(alpha - beta), math.sin(alpha - beta))
        y = np.zeros(self.D)
        y[:4] = rho * np.array([z1.real, z1.imag, z2.real, z2.imag])
        if self.D > 4:
            y[4:] = 0.0 if extra is None else as_vector(extra, "extra", self.D - 4)
        return self.O.T @ y


@register
@dataclass(frozen=True)
class HopfFamily:
    """The JSON-able description of a :class:`HopfChart` (``O``, ``Q``, ``P``); ``build()`` makes it."""

    O: np.ndarray
    Q: np.ndarray
    P: np.ndarray

    def build(self) -> HopfChart:
        return HopfChart(self.O, self.Q, self.P)

    @property
    def D(self) -> int:
        return int(np.asarray(self.O).shape[0])

    def to_spec(self) -> dict[str, Any]:
        return {"O": np.asarray(self.O).tolist(), "Q": np.asarray(self.Q).tolist(), "P": np.asarray(self.P).tolist()}

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "HopfFamily":
        return cls(np.asarray(spec["O"], float), np.asarray(spec["Q"], float), np.asarray(spec["P"], float))
