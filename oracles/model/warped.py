r"""A quadratic family warped coordinatewise in w: :math:`G(x) = F(Q(x))`, :math:`F(w) = w + a\odot w^{\odot3}`.

:math:`\nabla G_i = (1 + 3a_iQ_i^2)\nabla Q_i`, so G has the same span of gradients as Q at every x, hence the
same distribution, the same reachable sets (Sussmann) and the same regularity -- but G is not quadratic, and its
brackets pick up the terms :math:`f_i'(\nabla Q_i\cdot\nabla f_j')\nabla Q_j - f_j'(\nabla Q_j\cdot\nabla f_i')\nabla Q_i`.
With Q one of the non-commuting quadratic families confined to a d-plane, it is a non-quadratic, non-commuting
G with d-dimensional reachable sets: Corollary 4.12's hypotheses off the quadratic case. F is a diffeomorphism of
:math:`\mathbb{R}^d` (a ≥ 0), so M = ℝ^D.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import InvalidInput, as_vector
from oracles.core.specs import register
from oracles.model.parametrizations import Parametrization, Quadratic


@register
class WarpedQuadratic(Parametrization):
    """:math:`G(x) = Q(x) + a\\odot Q(x)^{\\odot3}` for a :class:`~oracles.model.parametrizations.Quadratic` Q."""

    def __init__(self, A: ArrayLike, a: ArrayLike, name: str = "warped quadratic") -> None:
        self.Q = Quadratic(np.asarray(A, float))
        self.a = as_vector(a, "a", self.Q.d)
        if np.any(self.a < 0) or not np.all(np.isfinite(self.a)):
            raise InvalidInput(f"a must be finite and non-negative (F must be increasing), got {self.a.tolist()}")
        self.D, self.d = self.Q.D, self.Q.d
        self.name = name

    def value(self, x: ArrayLike) -> np.ndarray:
        q = self.Q.value(np.asarray(x, float))
        return q + self.a * q**3

    def jacobian(self, x: ArrayLike) -> np.ndarray:
        q, J = self.Q.value_and_jacobian(np.asarray(x, float))
        return (1.0 + 3.0 * self.a * q * q)[:, None] * J

    def to_spec(self) -> dict[str, Any]:
        return {"A": self.Q.A.tolist(), "a": self.a.tolist(), "name": self.name}

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "WarpedQuadratic":
        return cls(np.asarray(spec["A"], float), np.asarray(spec["a"], float), spec.get("name", "warped quadratic"))
