r"""Theorem 5.1 (li2022 §5) for a genuinely non-separable R, through an isometric embedding that is computed.

:class:`RidgePotential` is :math:`R(w) = \sum_{k=1}^K r_k(a_k^\top w)` with K > d ridge directions
:math:`a_k \in \mathbb{R}^d` (rows of :math:`A \in \mathbb{R}^{K\times d}`, full column rank) and scalar
Legendre :math:`r_k` (:class:`~oracles.model.reverse.ScalarPotential`). Its metric
:math:`\nabla^2R(w) = A^\top\mathrm{diag}(r''(Aw))A` is not diagonal in any fixed linear coordinates once
K > d directions are in general position (the Hessians at three points give two matrices
:math:`\nabla^2R(w_1)^{-1}\nabla^2R(w_2)`, :math:`\nabla^2R(w_1)^{-1}\nabla^2R(w_3)` that do not commute:
:func:`separability_defect`), so R is not :math:`\sum_i s_i((Cw)_i)` for any C.

The embedding :math:`F(w) = (F_k(a_k^\top w))_{k\le K} \in \mathbb{R}^K`, :math:`F_k' = \sqrt{r_k''}`, is
isometric: :math:`\partial F = \mathrm{diag}(s)A` with :math:`s = \sqrt{r''(Aw)}`, so
:math:`\partial F^\top\partial F = \nabla^2R`. M = F(int dom R) is a d-dimensional submanifold of
:math:`\mathbb{R}^K`. :class:`RidgeEmbedding` is the G of Theorem 5.1 on an open neighbourhood U of M:

.. math:: G(x) = \tilde w(x) + \partial F(\tilde w)^+\,(x - F(\tilde w)),\qquad
          \tilde w(x) = A_1^{-1}\,(F_k^{-1}(x_k))_{k\le d},

with :math:`A_1` the first d rows of A (invertible) and :math:`S^+ = (S^\top S)^{-1}S^\top`. On M,
:math:`\tilde w = F^{-1}(x)` and G = F⁻¹; its Jacobian there is :math:`\partial F^+` (the correction term
vanishes with x − F(w̃)), whose rows lie in the tangent space of M, so ∂G = ∂G|_M on M and gradient flow
stays on M: :math:`\dot x = -\partial F\,(\nabla^2R)^{-1}\nabla L`, :math:`\dot w = -(\nabla^2R)^{-1}\nabla L`, the
mirror flow of R. Off M the Jacobian is exact as well (:meth:`RidgeEmbedding.jacobian`):
:math:`\partial G = S^+ + H^{-1}T\,\partial\tilde w` with :math:`H = S^\top S`,
:math:`T = A^\top\mathrm{diag}(e\odot s' - 2s\odot s'\odot Az)A`, :math:`e = x - F(\tilde w)`, :math:`z = S^+e`,
:math:`s'_k = F_k''(a_k^\top\tilde w) = r_k'''/(2\sqrt{r_k''})`.
"""

from __future__ import annotations

import math
from typing import Any, Protocol, Sequence

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import InvalidInput, as_vector
from oracles.core.specs import register
from oracles.model.parametrizations import Parametrization
from oracles.model.reverse import ScalarPotential, as_potentials


def _check_ridges(
    potentials: ScalarPotential | Sequence[ScalarPotential], A: ArrayLike
) -> tuple[tuple[ScalarPotential, ...], np.ndarray]:
    pots = as_potentials(potentials)
    A = np.array(A, dtype=float, ndmin=2)
    K = len(pots)
    if A.ndim != 2 or A.shape[0] != K or A.shape[1] > K:
        raise InvalidInput(f"A must be K x d with K = {K} ridges (one potential each) and d <= K, got {A.shape}")
    if not np.all(np.isfinite(A)):
        raise InvalidInput("A must be finite")
    d = A.shape[1]
    s1 = np.linalg.svd(A[:d], compute_uv=False)
    if not s1[-1] > 1e-8 * max(1.0, s1[0]):
        raise InvalidInput(f"the first d = {d} rows of A must be invertible; singular values {s1.tolist()}")
    return pots, A


class RidgePotential:
    r""":math:`R(w) = \sum_k r_k(a_k^\top w)` on :math:`\{w : a_k^\top w \in \mathrm{int\,dom}\,r_k\ \forall k\}`.

    No closed-form :math:`(\nabla R)^{-1}`: mirror flow integrates it in the primal,
    :math:`\dot w = -\nabla^2R(w)^{-1}\nabla L(w)` (``has_grad_inv = False``).
    """

    has_grad_inv = False

    def __init__(self, potentials: ScalarPotential | Sequence[ScalarPotential], A: ArrayLike) -> None:
        self.potentials, self.A = _check_ridges(potentials, A)
        self.K, self.d = self.A.shape
        labels = ", ".join(sorted({p.label for p in self.potentials}))
        self.name = f"Σ_k r_k(a_kᵀw), K = {self.K} ridges in R^{self.d} [{labels}]"

    def _each(self, method: str, v: np.ndarray) -> np.ndarray:
        return np.array([float(getattr(p, method)(vi)) for p, vi in zip(self.potentials, v)])

    def in_domain(self, w: ArrayLike) -> bool:
        w = np.asarray(w, dtype=float)
        if w.shape != (self.d,) or not np.all(np.isfinite(w)):
            return False
        return all(p.w_interval[0] < vi < p.w_interval[1] for p, vi in zip(self.potentials, self.A @ w))

    def value(self, w: ArrayLike) -> float:
        return float(np.sum(self._each("r", self.A @ np.asarray(w, dtype=float))))

    def grad(self, w: ArrayLike) -> np.ndarray:
        return self.A.T @ self._each("dr", self.A @ np.asarray(w, dtype=float))

    def hess(self, w: ArrayLike) -> np.ndarray:
        return (self.A.T * self._each("d2r", self.A @ np.asarray(w, dtype=float))) @ self.A

    def __repr__(self) -> str:
        return self.name


class _WithHessian(Protocol):
    def hess(self, w: np.ndarray) -> np.ndarray: ...


def separability_defect(R: _WithHessian, points: Sequence[ArrayLike]) -> float:
    r"""How far R is from :math:`\sum_i s_i((Cw)_i)` for every linear C: with :math:`H_k = \nabla^2R(w_k)` at three
    points, :math:`\|[H_1^{-1}H_2, H_1^{-1}H_3]\|_F / (\|H_1^{-1}H_2\|\,\|H_1^{-1}H_3\|)`.

    For a linearly separable R, :math:`H(w) = C^\top\Lambda(w)C`, so every :math:`H_1^{-1}H_k = C^{-1}\Lambda_1^{-1}\Lambda_kC`
    and these commute: the defect is 0 (to rounding). A defect well above rounding certifies that R is not
    linearly separable."""
    H1, H2, H3 = (np.asarray(R.hess(np.asarray(p, dtype=float)), dtype=float) for p in points)
    M2, M3 = np.linalg.solve(H1, H2), np.linalg.solve(H1, H3)
    return float(np.linalg.norm(M2 @ M3 - M3 @ M2) / max(float(np.linalg.norm(M2) * np.linalg.norm(M3)), 1e-300))


@register
class RidgeEmbedding(Parametrization):
    r"""Theorem 5.1's G for :class:`RidgePotential`, on a neighbourhood of M = F(int dom R) in :math:`\mathbb{R}^K`.

    See the module docstring for the construction. ``F(w)`` embeds, :meth:`value` is G (equal to
    :math:`F^{-1}` on M), :meth:`jacobian` its exact derivative (:math:`\partial F^+` on M).

    Parameters
    ----------
    potentials
        One :class:`~oracles.model.reverse.ScalarPotential` per ridge (K of them).
    A
        ``K × d``: the ridge directions as rows; its first d rows must be invertible.
    tangent
        ``False`` drops the correction: :math:`G = \tilde w`, read from the first d coordinates only. It also
        inverts F on M, but its gradients are not tangent to M, so gradient flow leaves M and is not the
        mirror flow of R (a negative control).
    """

    def __init__(
        self, potentials: ScalarPotential | Sequence[ScalarPotential], A: ArrayLike, tangent: bool = True
    ) -> None:
        self.tangent = bool(tangent)
        self.potentials, self.A = _check_ridges(potentials, A)
        self.A.setflags(write=False)
        self.D, self.d = self.A.shape
        self._A1inv = np.linalg.inv(self.A[: self.d])
        self.potential = RidgePotential(self.potentials, self.A)
        self.name = f"Thm 5.1 G through the isometric embedding of {self.potential.name}"
        self.domain = "a neighbourhood of M = F(int dom R) in R^K"

    # -- the embedding ----------------------------------------------------------------------
    def F(self, w: ArrayLike) -> np.ndarray:
        r""":math:`F(w) = (F_k(a_k^\top w))_k` with :math:`F_k' = \sqrt{r_k''}`."""
        v = self.A @ as_vector(w, "w", self.d)
        return np.array([float(p.F(vk)) for p, vk in zip(self.potentials, v)])

    def _w_tilde(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:math:`\\tilde w(x)` and :math:`\\partial\\tilde w/\\partial x_{:d}` (diagonal factor) from the first d coordinates."""
        g, dg = zip(*(p.G_dG(float(xk)) for p, xk in zip(self.potentials[: self.d], x[: self.d])))
        return self._A1inv @ np.array(g, dtype=float), np.array(dg, dtype=float)

    def domain_margin(self, x: np.ndarray) -> float:
        x = np.asarray(x, dtype=float)
        worst = math.inf
        for p, xk in zip(self.potentials[: self.d], x[: self.d]):
            lo, hi = p.x_interval()
            worst = min(worst, xk - lo, hi - xk)
        if not worst > 0:
            return float(worst)
        with np.errstate(all="ignore"):
            wt, _ = self._w_tilde(x)
        if not np.all(np.isfinite(wt)):
            return -1.0
        v = self.A @ wt
        for p, vk in zip(self.potentials, v):
            lo, hi = p.w_interval
            worst = min(worst, vk - lo, hi - vk)
        return float(worst) if not math.isnan(worst) else -1.0  # inf: every potential has all of R as domain

    def _parts(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        x = np.asarray(x, dtype=float)
        wt, dg = self._w_tilde(x)
        v = self.A @ wt
        d2 = np.array([float(p.d2r(vk)) for p, vk in zip(self.potentials, v)])
        s = np.sqrt(d2)
        S = s[:, None] * self.A
        H = S.T @ S
        e = x - np.array([float(p.F(vk)) for p, vk in zip(self.potentials, v)])
        return x, wt, dg, v, s, S, H, e

    def value(self, x: np.ndarray) -> np.ndarray:
        if not self.tangent:
            return self._w_tilde(np.asarray(x, dtype=float))[0]
        x, wt, dg, v, s, S, H, e = self._parts(x)
        return wt + np.linalg.solve(H, S.T @ e)

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        return self.value_and_jacobian(x)[1]

    def value_and_jacobian(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(G(x), ∂G(x))`` from one evaluation of w̃, F and the metric (what a flow's right-hand side needs)."""
        if not self.tangent:
            wt, dg = self._w_tilde(np.asarray(x, dtype=float))
            W = np.zeros((self.d, self.D))
            W[:, : self.d] = self._A1inv * dg[None, :]
            return wt, W
        x, wt, dg, v, s, S, H, e = self._parts(x)
        Spinv = np.linalg.solve(H, S.T)
        z = Spinv @ e
        d3 = np.array([float(p.d3r(vk)) for p, vk in zip(self.potentials, v)])
        ds = d3 / (2.0 * s)
        T = (self.A.T * (e * ds - 2.0 * s * ds * (self.A @ z))) @ self.A
        W = np.zeros((self.d, self.D))
        W[:, : self.d] = self._A1inv * dg[None, :]
        return wt + z, Spinv + np.linalg.solve(H, T @ W)

    def to_spec(self) -> dict[str, Any]:
        return {
            "family": "ridge-embedding",
            "potentials": [p.to_spec() for p in self.potentials],
            "A": self.A.tolist(),
            "tangent": self.tangent,
        }

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "RidgeEmbedding":
        return cls(
            [ScalarPotential.from_spec(p) for p in spec["potentials"]],
            np.asarray(spec["A"], float),
            tangent=bool(spec.get("tangent", True)),
        )

    def __repr__(self) -> str:
        return f"{self.name}(D={self.D}, d={self.d})"


__all__ = ["RidgeEmbedding", "RidgePotential", "separability_defect"]
