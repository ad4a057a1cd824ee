r"""The Legendre function R of Lemma 4.7 (li2022), and which R belongs to a parametrization.

* :class:`LemmaLegendre` -- for any commuting regular G, R built numerically from
  :math:`\nabla Q(\mu) = G(\psi(x_{init};\mu))` (it satisfies the :class:`~oracles.model.potentials.Potential`
  contract, normalized so that :math:`\nabla R(w_{init}) = 0`, as Lemma 4.7 gives).
* :func:`potential_of` -- ``potential_of(G, x_init)``: the closed-form potential of G's family where there is
  one (identity: Euclidean; :math:`x^{\odot2}`: entropy with scale 1/4; :math:`x^{\odot p}`: power potential;
  :math:`u^{\odot2} - v^{\odot2}`: the hyperbolic entropy of Cor. 4.17; a commuting quadratic family:
  :class:`QuadraticLegendre`, in closed form in its eigenbasis; Theorem 5.1's reverse parametrizations: their
  per-coordinate potential; :math:`P\,g(Bx)` with orthogonal rows of B: the linearly separable
  :func:`~oracles.model.linear_coordinatewise.lemma_potential`), else :class:`LemmaLegendre`. A new family with a closed
  form registers it in one place: ``@potential_of.register(MyFamily)``.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import root

from oracles.core.errors import Inconclusive, InvalidInput, as_vector
from oracles.flows.trajectories import psi
from oracles.model.linear_coordinatewise import LinearCoordinatewise, lemma_potential
from oracles.model.losses import LeastSquares, Loss
from oracles.model.parametrizations import Identity, Parametrization, Powers, Quadratic, UVSquared
from oracles.model.potentials import (
    EntropyPotential,
    EuclideanPotential,
    HypentropyPotential,
    Potential,
    PowerPotential,
)
from oracles.model.reverse import ReverseParametrization


class LemmaLegendre:
    r"""The Legendre function of Lemma 4.7, built numerically for a commuting regular G.

    :math:`\nabla Q(\mu) = G(\psi(x_{init};\mu))` is evaluated directly (``grad_inv``), and
    :math:`\nabla^2 Q(\mu) = \partial G\,\partial G^\top` at :math:`\psi(x_{init};\mu)` (the columns of
    :math:`\partial\psi/\partial\mu` are the commuting fields :math:`\nabla G_i`). :math:`\nabla R(w)`
    solves :math:`\nabla Q(\mu) = w` by ``scipy.optimize.root`` with that Jacobian;
    :math:`\nabla^2R(w) = (\partial G\partial G^\top)^{-1}`; :math:`R(w) = \langle\mu, w\rangle - Q(\mu)`
    with :math:`Q(\mu) = \int_0^1\langle\nabla Q(s\mu),\mu\rangle ds` by 20-point Gauss–Legendre.

    Parameters
    ----------
    G
        A commuting, regular parametrization.
    x_init
        The initialization the potential belongs to.
    sign
        +1 (default) is the correct ψ; -1 builds the "R" of the literal sign, for controls.
    """

    def __init__(self, G: Parametrization, x_init: ArrayLike, sign: int = +1, psi_method: str = "auto") -> None:
        self.G = G
        self.x_init = G.check_point(x_init, "x_init")
        self.w0 = G.value(self.x_init)
        self.sign = sign
        self._psi = lambda mu: psi(G, self.x_init, mu, sign=sign, method=psi_method)
        self.name = f"Lemma 4.7 R of {G.name}"
        self.root_calls = 0

    def grad_inv(self, theta: ArrayLike) -> np.ndarray:
        theta = np.asarray(theta, float)
        if not np.all(np.isfinite(theta)):
            # reached from inside a solver (mirror flow, dual Newton) that diverged: not a caller's bad input
            raise Inconclusive("non-finite dual point", f"grad Q evaluated at theta = {theta}")
        with np.errstate(over="ignore", invalid="ignore"):
            w = self.G.value(self._psi(theta))
        if not np.all(np.isfinite(w)):
            raise Inconclusive("blow-up", f"grad Q(theta) = G(psi(x_init; theta)) overflows at theta = {theta}")
        return w

    def hess_Q(self, mu: np.ndarray) -> np.ndarray:
        return self.sign * self.G.gram(self._psi(np.asarray(mu, float)))

    def grad(self, w: ArrayLike) -> np.ndarray:
        w = as_vector(w, "w", self.G.d)
        if np.array_equal(w, self.w0):  # ψ(x_init; 0) = x_init: the start of every flow needs no root solve
            return np.zeros(self.G.d)
        self.root_calls += 1
        with np.errstate(over="ignore", invalid="ignore"):
            sol = root(
                lambda mu: self.grad_inv(mu) - w,
                np.zeros(self.G.d),
                jac=self.hess_Q,
                method="hybr",
                options={"xtol": 1e-14},
            )
        resid = np.linalg.norm(self.grad_inv(sol.x) - w) / max(1.0, float(np.linalg.norm(w)))
        if not sol.success and resid > 1e-10:
            raise Inconclusive("non-convergence", f"grad R(w): solving grad Q(mu) = w left residual {resid:.3g}")
        return sol.x

    def hess(self, w: ArrayLike) -> np.ndarray:
        return np.linalg.inv(self.hess_Q(self.grad(w)))

    def Q(self, mu: ArrayLike) -> float:
        mu = np.asarray(mu, float)
        s, wts = np.polynomial.legendre.leggauss(20)
        s, wts = 0.5 * (s + 1), 0.5 * wts
        return float(sum(wk * (self.grad_inv(sk * mu) @ mu) for sk, wk in zip(s, wts)))

    def value(self, w: ArrayLike) -> float:
        mu = self.grad(w)
        return float(mu @ np.asarray(w, float) - self.Q(mu))

    def in_domain(self, w: ArrayLike) -> bool:
        """Finite w (the range of G∘ψ is not known in closed form; ``grad`` fails outside it)."""
        return bool(np.all(np.isfinite(np.asarray(w, float))))

    def __repr__(self) -> str:
        return self.name


_max = np.maximum.reduce  # the ufunc's own reduce: no Python wrapper on the dual flows' hot path


class QuadraticLegendre(LemmaLegendre):
    r"""Lemma 4.7's R for a commuting quadratic family, evaluated in the shared eigenbasis (Thm 4.15(a)-(b)).

    With :math:`A_i = O\,\mathrm{diag}(\Lambda_i)\,O^\top` and :math:`c = O^\top x_{init}`,
    :math:`\psi(x_{init};\mu) = O\,e^{\Lambda^\top\mu}c`, so

    .. math:: \nabla Q(\mu)_i = G_i(\psi) = \tfrac12\sum_b\Lambda_{ib}\,e^{2(\Lambda^\top\mu)_b}c_b^2,\qquad
              \nabla^2Q(\mu)_{ij} = \sum_b\Lambda_{ib}\Lambda_{jb}\,e^{2(\Lambda^\top\mu)_b}c_b^2 = (\partial G\partial G^\top)_{ij}:

    O(dD) per ``grad_inv`` and O(d²D) per ``hess_Q`` after one O(D³) factorization, against O(dD²) for G(ψ)
    and a commutator check per call in the generic construction. The mirror flow of this R in its dual
    variable is the μ-space ODE :math:`\dot\mu = -\nabla L(G(\psi(x_{init};\mu)))` of Lemma 4.6.
    """

    rowwise = True  # grad_inv maps the rows of a 2-D theta in one call

    def __init__(self, G: Quadratic, x_init: ArrayLike, sign: int = +1) -> None:
        super().__init__(G, x_init, sign)
        eig = G.common_eigenbasis()
        if eig is None:
            raise InvalidInput(f"{G.name} has no common eigenbasis (not commuting): use LemmaLegendre")
        O, self._Lam = eig
        self._c2 = (O.T @ self.x_init) ** 2
        # the hot path (a dual flow's right-hand side) in two products and one exp: ∇Q(μ) = ½Λ·exp(Mμ + ln c²)
        self._M = (2.0 * sign) * self._Lam
        with np.errstate(divide="ignore"):
            self._log_c2 = np.log(self._c2)  # -inf where c_b = 0: that weight is 0 for every μ
        self._half_Lam_T = np.ascontiguousarray(0.5 * self._Lam.T)
        self.name = f"Lemma 4.7 R of {G.name} (eigenbasis)"

    def _weights(self, mu: np.ndarray) -> np.ndarray:
        r""":math:`e^{2(\Lambda^\top\mu)_b}c_b^2`; an exponent past 700 (overflow) is a blow-up of the flow."""
        arg = mu @ self._M + self._log_c2
        if not _max(arg, axis=None) <= 700.0:  # NaN fails too
            if not np.isfinite(mu).all():
                raise Inconclusive("non-finite dual point", f"grad Q evaluated at theta = {mu}")
            raise Inconclusive("blow-up", f"grad Q(theta) = G(psi(x_init; theta)) overflows at theta = {mu}")
        return np.exp(arg)

    def grad_inv(self, theta: ArrayLike) -> np.ndarray:
        """:math:`\nabla Q(\theta)`; a 2-D ``theta`` is taken row by row (one product for all rows)."""
        return self._weights(np.asarray(theta, dtype=float)) @ self._half_Lam_T

    def dual_field(self, loss: Loss) -> Callable[[float, np.ndarray], np.ndarray] | None:
        r"""The dual flow's right-hand side :math:`\theta \mapsto -\nabla L(\nabla Q(\theta))`, fused for least squares.

        For :math:`L = \tfrac12\|Zw - Y\|^2` it is :math:`Z^\top Y - (Z^\top Z\,\tfrac12\Lambda)\,e(\theta)` with the
        weights :math:`e_b = e^{2(\Lambda^\top\theta)_b}c_b^2`: two products and one exp per evaluation, the
        d × D matrix formed once. ``None`` for other losses (the generic ``-loss.grad(grad_inv(θ))``).
        """
        if type(loss) is not LeastSquares:
            return None
        A = np.ascontiguousarray(loss.Z.T @ loss.Z @ self._half_Lam_T.T)
        b = loss.Z.T @ loss.Y
        M, log_c2, weights, dot, exp, inf = self._M, self._log_c2, self._weights, np.dot, np.exp, np.inf

        def field(t, theta):
            r = b - dot(A, exp(dot(theta, M) + log_c2))
            if not dot(r, r) < inf:  # an overflowing weight (or a NaN): _weights says which, and raises
                r = b - dot(A, weights(theta))
            return r

        return field

    def hess_Q(self, mu: np.ndarray) -> np.ndarray:
        return self.sign * ((self._Lam * self._weights(mu)) @ self._Lam.T)


@singledispatch
def potential_of(G: Parametrization, x_init: ArrayLike) -> Potential:
    """The Legendre function R of Lemma 4.7 for ``G`` started at ``x_init`` (closed form where known).

    Parameters
    ----------
    G
        A commuting, regular parametrization (for the generic construction).
    x_init
        The initialization; every R returned has :math:`\nabla R(G(x_{init})) = 0`.
    """
    return LemmaLegendre(G, x_init)


@potential_of.register
def _(G: Identity, x_init):
    return EuclideanPotential(G.value(G.check_point(x_init, "x_init")))


@potential_of.register
def _(G: Powers, x_init):
    w0 = G.value(G.check_point(x_init, "x_init"))
    return EntropyPotential(w0, 0.25) if G.p == 2.0 else PowerPotential(G.p, w0)


@potential_of.register
def _(G: UVSquared, x_init):
    x = G.check_point(x_init, "x_init")
    return HypentropyPotential(x[: G.d], x[G.d :])


@potential_of.register
def _(G: Quadratic, x_init):
    return QuadraticLegendre(G, x_init) if G.common_eigenbasis() is not None else LemmaLegendre(G, x_init)


@potential_of.register
def _(G: ReverseParametrization, x_init):
    return G.potential


@potential_of.register
def _(G: LinearCoordinatewise, x_init):
    return lemma_potential(G, x_init) if G.commuting else LemmaLegendre(G, x_init)


__all__ = ["LemmaLegendre", "QuadraticLegendre", "potential_of"]
