r"""Commuting parametrizations that are neither separable nor quadratic: :math:`G(x) = P\,g(Bx)` (li2022 §4.1, §5).

:class:`LinearCoordinatewise` is :math:`G(x) = P\,g(Bx)` with

* :math:`B \in \mathbb{R}^{d\times D}` of full row rank (rows :math:`b_m`), :math:`y = Bx`;
* :math:`g` coordinatewise, :math:`g_m = F_m^{-1}` the inverse of Theorem 5.1's map for a scalar Legendre
  potential :math:`r_m` (:math:`F_m' = \sqrt{r_m''}`; :class:`~oracles.model.reverse.ScalarPotential`: entropy
  :math:`g = y^2/4`, hypentropy, log-barrier :math:`g = e^y`, power :math:`g = (py/2)^{2/p}`);
* :math:`P \in \mathbb{R}^{d\times d}` invertible.

The fields are :math:`\nabla G_i(x) = \sum_m P_{im}\,g_m'(y_m)\,b_m`: constant combinations of the fields
:math:`\nabla(g_m(b_m^\top x)) = g_m'(y_m)b_m`. When the rows of B are orthogonal (:math:`BB^\top` diagonal)
those fields commute (each moves only its own :math:`y_m`), hence so do their constant combinations:
G is **commuting** -- yet not separable (G_i depends on every coordinate of x through B and P) and not
quadratic. When :math:`b_m^\top b_k \neq 0` the bracket is
:math:`[\nabla G_i, \nabla G_j] = \sum_{m,k} P_{im}P_{jk}\,(b_m^\top b_k)\,(g_m'g_k''\,b_k - g_k'g_m''\,b_m)`, non-zero
in general: a non-quadratic **non-commuting** family (Theorem 4.2's converse), the same code.

Closed forms (commuting case, :math:`n_m = \|b_m\|^2`, :math:`u = g(y)`):

* the flow of :math:`+\nabla G_i` for time t moves :math:`y_m` along :math:`\dot y_m = P_{im}n_m\,g_m'(y_m)`,
  i.e. :math:`r_m'(u_m(t)) = r_m'(u_m) + P_{im}n_m t` (since :math:`g'^2 = 1/r''(g)`), and x within the row
  space of B; it exists while that stays in the open range of :math:`r_m'` (all of ℝ for entropy and
  hypentropy, whose flows are complete);
* :math:`\nabla Q(\mu) = G(\psi(x_{init};\mu)) = P\,(r')^{-1}(r'(u_0) + n\odot P^\top\mu)`, so Lemma 4.7's R is
  :class:`LinearSeparablePotential`, :math:`R(w) = \sum_m r_m((P^{-1}w)_m)/n_m - \langle c, w\rangle` with c
  such that :math:`\nabla R(w_{init}) = 0`. With B = I it is Theorem 5.1 for the commuting, non-separable
  :math:`R(w) = \sum_i r_i((Aw)_i)`: :math:`G = A^{-1}\circ F^{-1}`.

Assumption 3.5 (li2022) asks that :math:`\varphi_i^s\circ\varphi_j^t(x)` be defined iff
:math:`\varphi_j^t\circ\varphi_i^s(x)` is. When a coordinate m with a one-sided range of :math:`r_m'`
(log-barrier, power) is moved by two fields (column m of P has two non-zero entries) this fails, and
so does Lemma C.1's box; the generators keep such columns diagonal (``generators.parametrizations``), and
:meth:`LinearCoordinatewise.satisfies_assumption_3_5` says whether a member does.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import Inconclusive, InvalidInput, as_vector
from oracles.core.specs import register
from oracles.model.parametrizations import Parametrization
from oracles.model.reverse import ReverseParametrization, ScalarPotential, as_potentials

#: Relative size of an off-diagonal entry of BBᵀ below which the rows of B count as orthogonal.
ORTHOGONAL_ROWS = 1e-12


def _is_mirror_map(pot: ScalarPotential) -> bool:
    """Whether r' maps int dom r onto ℝ (entropy, hypentropy): the flows along its coordinate are complete."""
    lo, hi = pot.dr_range()
    return math.isinf(lo) and math.isinf(hi)


@register
class LinearCoordinatewise(Parametrization):
    r""":math:`G(x) = P\,g(Bx)` with :math:`g_m = F_m^{-1}` of Theorem 5.1 (see the module docstring).

    Parameters
    ----------
    potentials
        One :class:`~oracles.model.reverse.ScalarPotential` per output (the sequence fixes d).
    B
        ``d × D`` of full row rank. Orthogonal rows make G commuting.
    P
        ``d × d`` invertible (default: the identity).
    """

    def __init__(
        self,
        potentials: ScalarPotential | Sequence[ScalarPotential],
        B: ArrayLike,
        P: ArrayLike | None = None,
        name: str | None = None,
    ) -> None:
        pots = as_potentials(potentials)
        d = len(pots)
        B = np.array(B, dtype=float, ndmin=2)
        if B.ndim != 2 or B.shape[0] != d or B.shape[1] < d:
            raise InvalidInput(f"B must be d x D with D >= d = {d}, got shape {B.shape}")
        P = np.eye(d) if P is None else np.array(P, dtype=float, ndmin=2)
        if P.shape != (d, d):
            raise InvalidInput(f"P must be {d} x {d}, got shape {P.shape}")
        if not (np.all(np.isfinite(B)) and np.all(np.isfinite(P))):
            raise InvalidInput("B and P must be finite")
        sB = np.linalg.svd(B, compute_uv=False)
        if not sB[-1] > 1e-10 * max(1.0, sB[0]):
            raise InvalidInput(f"B must have full row rank d = {d}; its singular values are {sB.tolist()}")
        sP = np.linalg.svd(P, compute_uv=False)
        if not sP[-1] > 1e-10 * max(1.0, sP[0]):
            raise InvalidInput(f"P must be invertible; its singular values are {sP.tolist()}")
        self.potentials, self.B, self.P = pots, B, P
        for a in (self.B, self.P):
            a.setflags(write=False)
        self.d, self.D = d, B.shape[1]
        self._base = ReverseParametrization(pots)
        assert self._base.f_df is not None  # ReverseParametrization always passes g and g' together
        self._f, self._f_df, self._d2f = self._base.f, self._base.f_df, self._base.d2f
        gram = B @ B.T
        self.n = np.diag(gram).copy()
        off = gram - np.diag(self.n)
        self.commuting = bool(np.max(np.abs(off), initial=0.0) <= ORTHOGONAL_ROWS * float(np.max(self.n)))
        self._Pinv = np.linalg.inv(P)
        self._Bpinv = np.linalg.pinv(B)  # y ↦ a point x with Bx = y
        labels = ", ".join(sorted({p.label for p in pots}))
        kind = "commuting" if self.commuting else "non-commuting"
        self.name = name or f"P·g(Bx) [{kind}; {labels}]"
        self.domain = "{x : Bx in " + self._base.domain + "}"

    # -- the map --------------------------------------------------------------------------
    def domain_margin(self, x: np.ndarray) -> float:
        return self._base.domain_margin(self.B @ np.asarray(x, dtype=float))

    def value(self, x: np.ndarray) -> np.ndarray:
        return self.P @ np.asarray(self._f(self.B @ np.asarray(x, dtype=float)), dtype=float)

    def values(self, X: np.ndarray) -> np.ndarray:
        Y = np.asarray(X, dtype=float) @ self.B.T
        return np.asarray(self._f(Y), dtype=float) @ self.P.T

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        _, du = self._f_df(self.B @ np.asarray(x, dtype=float))
        return (self.P * np.asarray(du, dtype=float)) @ self.B

    def value_and_jacobian(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u, du = self._f_df(self.B @ np.asarray(x, dtype=float))
        return self.P @ np.asarray(u, dtype=float), (self.P * np.asarray(du, dtype=float)) @ self.B

    def value_and_vjp(self, x: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        u, du = self._f_df(self.B @ np.asarray(x, dtype=float))
        du = np.asarray(du, dtype=float)
        P, B = self.P, self.B
        return P @ np.asarray(u, dtype=float), lambda g: ((np.asarray(g, dtype=float) @ P) * du) @ B

    def hessians(self, x: np.ndarray) -> np.ndarray:
        r""":math:`\nabla^2G_i = B^\top\mathrm{diag}(P_{i\cdot}\odot g''(y))B` (closed form)."""
        d2u = np.asarray(self._d2f(self.B @ np.asarray(x, dtype=float)), dtype=float)
        return np.einsum("im,ma,mb->iab", self.P * d2u, self.B, self.B)

    # -- structure ------------------------------------------------------------------------
    @property
    def mirror_map_coordinates(self) -> np.ndarray:
        """Which base coordinates have r' onto ℝ (their flows are complete)."""
        return np.array([_is_mirror_map(p) for p in self.potentials])

    def satisfies_assumption_3_5(self) -> bool:
        """Commuting, and every base coordinate whose r' has a one-sided range is moved by one field only
        (its column of P has a single non-zero entry): then the flows' domains are symmetric (li2022 Assumption
        3.5) and U(x) is a box (Lemma C.1)."""
        if not self.commuting:
            return False
        for m, mm in enumerate(self.mirror_map_coordinates):
            if not mm and np.count_nonzero(self.P[:, m]) > 1:
                return False
        return True

    def base_point(self, x: ArrayLike) -> np.ndarray:
        """:math:`u = g(Bx)`, so that :math:`G(x) = Pu`."""
        return np.asarray(self._f(self.B @ np.asarray(x, dtype=float)), dtype=float)

    def point_of(self, w: ArrayLike, normal: ArrayLike | None = None) -> np.ndarray:
        r"""A point x with :math:`G(x) = w`: :math:`B^+F(P^{-1}w)`, plus the part of ``normal`` (a D-vector) in
        :math:`\ker B`, along which G is constant."""
        u = self._Pinv @ as_vector(w, "w", self.d)
        x = self._Bpinv @ np.asarray(self._base.F(u), dtype=float)
        if normal is not None:
            z = as_vector(normal, "normal", self.D)
            x = x + z - self._Bpinv @ (self.B @ z)
        return x

    def _rates(self, i: int) -> np.ndarray:
        return self.P[i] * self.n

    def flow_horizon(self, i: int, x: np.ndarray) -> tuple[float, float]:
        if not self.commuting:
            return (-math.inf, math.inf)
        u = self.base_point(x)
        lo_t, hi_t = -math.inf, math.inf
        for m, (pot, rate) in enumerate(zip(self.potentials, self._rates(i))):
            if rate == 0.0:
                continue
            th = float(pot.dr(u[m]))
            lo, hi = pot.dr_range()
            a, b = (lo - th) / rate, (hi - th) / rate
            if rate < 0:
                a, b = b, a
            lo_t, hi_t = max(lo_t, a), min(hi_t, b)
        return (lo_t, hi_t)

    def flow(self, i: int, t: float, x: np.ndarray) -> np.ndarray | None:
        r"""Closed form of the flow of :math:`+\nabla G_i` (commuting case; ``None`` otherwise):
        :math:`r_m'(u_m(t)) = r_m'(u_m) + P_{im}n_mt`, :math:`y_m(t) = F_m(u_m(t))`, x moved along the rows of B."""
        if not self.commuting:
            return None
        x = np.asarray(x, dtype=float)
        lo, hi = self.flow_horizon(i, x)
        if not lo < t < hi:
            raise Inconclusive(
                "blow-up" if t >= hi else "leaves domain",
                f"flow of +grad G_{i} for {self.name} exists only for t in ({lo:.4g}, {hi:.4g}); t = {t:.4g}",
            )
        y = self.B @ x
        u = np.asarray(self._f(y), dtype=float)
        rates = self._rates(i)
        y_new = y.copy()
        for m, (pot, rate) in enumerate(zip(self.potentials, rates)):
            if rate != 0.0:
                y_new[m] = float(pot.F(pot.dr_inv(float(pot.dr(u[m])) + rate * t)))
        return x + self.B.T @ ((y_new - y) / self.n)

    # -- serialization --------------------------------------------------------------------
    def to_spec(self) -> dict[str, Any]:
        return {
            "family": "linear-coordinatewise",
            "potentials": [p.to_spec() for p in self.potentials],
            "B": self.B.tolist(),
            "P": self.P.tolist(),
        }

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "LinearCoordinatewise":
        return cls(
            [ScalarPotential.from_spec(p) for p in spec["potentials"]],
            np.asarray(spec["B"], float),
            np.asarray(spec["P"], float),
        )

    def __repr__(self) -> str:
        return f"{self.name}(D={self.D}, d={self.d})"


class LinearSeparablePotential:
    r""":math:`R(w) = \sum_m r_m((Aw)_m)/n_m - \langle c, w\rangle` on :math:`\{w : (Aw)_m \in \mathrm{int\,dom}\,r_m\}`.

    Separable in the linear coordinates :math:`v = Aw` only: with a non-diagonal A its Hessians
    :math:`A^\top\mathrm{diag}(r''(Aw)/n)A` are not diagonal in any fixed basis of w. ``w0`` fixes c so that
    :math:`\nabla R(w_0) = 0` (Lemma 4.7's normalization); without it c = 0.

    :math:`\nabla R(w) = A^\top(r'(Aw)/n) - c`, :math:`(\nabla R)^{-1}(\theta) = A^{-1}(r')^{-1}(n\odot A^{-\top}(\theta + c))`.
    """

    has_grad_inv = True

    def __init__(
        self,
        potentials: ScalarPotential | Sequence[ScalarPotential],
        A: ArrayLike,
        n: ArrayLike | None = None,
        w0: ArrayLike | None = None,
    ) -> None:
        self.potentials = as_potentials(potentials)
        d = len(self.potentials)
        self.A = np.array(A, dtype=float, ndmin=2)
        if self.A.shape != (d, d):
            raise InvalidInput(f"A must be {d} x {d}, got {self.A.shape}")
        self.Ainv = np.linalg.inv(self.A)
        self.n = np.ones(d) if n is None else np.asarray(n, dtype=float)
        self.d = d
        self.c = np.zeros(d)
        if w0 is not None:
            self.c = self.grad(as_vector(w0, "w0", d))
        labels = ", ".join(sorted({p.label for p in self.potentials}))
        self.name = f"Σ r_m((Aw)_m)/n_m [{labels}]"

    def _each(self, method: str, v) -> np.ndarray:
        return np.array([float(getattr(p, method)(vi)) for p, vi in zip(self.potentials, v)])

    def in_domain(self, w: ArrayLike) -> bool:
        w = np.asarray(w, dtype=float)
        if w.shape != (self.d,) or not np.all(np.isfinite(w)):
            return False
        v = self.A @ w
        return all(p.w_interval[0] < vi < p.w_interval[1] for p, vi in zip(self.potentials, v))

    def value(self, w: ArrayLike) -> float:
        w = np.asarray(w, dtype=float)
        return float(np.sum(self._each("r", self.A @ w) / self.n) - self.c @ w)

    def grad(self, w: ArrayLike) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        return self.A.T @ (self._each("dr", self.A @ w) / self.n) - self.c

    def hess(self, w: ArrayLike) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        return (self.A.T * (self._each("d2r", self.A @ w) / self.n)) @ self.A

    def grad_inv(self, theta: ArrayLike) -> np.ndarray:
        th = np.asarray(theta, dtype=float)
        if th.ndim == 2:
            return np.array([self.grad_inv(row) for row in th])
        z = self.n * np.linalg.solve(self.A.T, th + self.c)
        return self.Ainv @ np.array([float(p.dr_inv(zi)) for p, zi in zip(self.potentials, z)])

    def __repr__(self) -> str:
        return self.name


def lemma_potential(G: LinearCoordinatewise, x_init: ArrayLike) -> LinearSeparablePotential:
    r"""Lemma 4.7's R for a commuting :class:`LinearCoordinatewise` G from ``x_init`` (closed form):
    :math:`\sum_m r_m((P^{-1}w)_m)/\|b_m\|^2`, normalized by :math:`\nabla R(G(x_{init})) = 0`."""
    if not G.commuting:
        raise InvalidInput(f"{G.name} is not commuting: Lemma 4.7's R does not exist in closed form")
    x = G.check_point(x_init, "x_init")
    return LinearSeparablePotential(G.potentials, np.linalg.inv(G.P), G.n, G.value(x))


__all__ = ["LinearCoordinatewise", "LinearSeparablePotential", "lemma_potential"]
