r"""Legendre functions R and the construction of Lemma 4.7 (li2022).

Every Legendre function here is normalized so that :math:`\nabla R(w_{init}) = 0`, which is what
Lemma 4.7 gives (:math:`\nabla Q(0) = G(x_{init})`). It offers ``value``, ``grad`` (:math:`\nabla R`),
``hess`` (:math:`\nabla^2 R`), ``grad_inv`` (:math:`(\nabla R)^{-1} = \nabla Q`) and ``in_domain``.

Closed forms: :class:`Euclidean` (identity parametrization), :class:`PowerPotential`
(:math:`x^{\odot p}`; ``p = 2`` is the entropy :math:`\tfrac14\sum w\ln(w/w_0) - w`),
:class:`Hypentropy` (:math:`u^{\odot2}-v^{\odot2}`, Corollary 4.17). For any commuting regular G,
:class:`LemmaLegendre` builds R numerically from :math:`\nabla Q(\mu) = G(\psi(x_{init};\mu))`.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import root

from oracles.core.errors import Inconclusive, as_vector
from oracles.model.parametrizations import Parametrization


class Legendre:
    """Interface; ``name`` says which potential it is."""

    name = "legendre"
    has_grad_inv = True

    def value(self, w):  # pragma: no cover - abstract
        raise NotImplementedError

    def grad(self, w):  # pragma: no cover - abstract
        raise NotImplementedError

    def hess(self, w):  # pragma: no cover - abstract
        raise NotImplementedError

    def grad_inv(self, theta):  # pragma: no cover - abstract
        raise NotImplementedError

    def in_domain(self, w) -> bool:
        return bool(np.all(np.isfinite(w)))

    def bregman(self, w, w0) -> float:
        r""":math:`D_R(w, w_0) = R(w) - R(w_0) - \langle\nabla R(w_0), w - w_0\rangle`."""
        w, w0 = np.asarray(w, float), np.asarray(w0, float)
        return float(self.value(w) - self.value(w0) - self.grad(w0) @ (w - w0))

    def __repr__(self) -> str:
        return self.name


class Euclidean(Legendre):
    r""":math:`R(w) = \tfrac12\|w - w_0\|^2`: the potential of the identity parametrization."""

    def __init__(self, w0) -> None:
        self.w0 = as_vector(w0, "w0")
        self.name = "euclidean"

    def value(self, w):
        r = np.asarray(w) - self.w0
        return 0.5 * float(r @ r)

    def grad(self, w):
        return np.asarray(w, float) - self.w0

    def hess(self, w):
        return np.eye(self.w0.size)

    def grad_inv(self, theta):
        return self.w0 + np.asarray(theta, float)


class PowerPotential(Legendre):
    r"""The R of :math:`G(x) = x^{\odot p}` from :math:`x_{init}` (:math:`w_0 = x_{init}^{\odot p}`).

    With :math:`s = (2-p)/p` and :math:`c = p(2-p)`, for ``p ≠ 2``:
    :math:`\nabla R(w) = (w^s - w_0^s)/c`, :math:`\nabla^2R(w) = w^{s-1}/p^2 = (\partial G\partial G^\top)^{-1}`,
    :math:`R(w) = \sum (w^{s+1}/(s+1) - w_0^s w)/c`. For ``p = 2`` (entropy):
    :math:`\nabla R(w) = \tfrac14\ln(w/w_0)`, :math:`R(w) = \tfrac14\sum (w\ln(w/w_0) - w)`.
    """

    def __init__(self, p: float, x_init) -> None:
        self.p = float(p)
        self.w0 = np.asarray(x_init, float) ** self.p
        self.name = "entropy" if self.p == 2.0 else f"power potential (p={self.p:g})"

    def in_domain(self, w):
        return bool(np.all(np.asarray(w) > 0))

    def value(self, w):
        w, p, w0 = np.asarray(w, float), self.p, self.w0
        if p == 2.0:
            return 0.25 * float(np.sum(w * np.log(w / w0) - w))
        s, c = (2 - p) / p, p * (2 - p)
        return float(np.sum((w ** (s + 1) / (s + 1) - w0 ** s * w) / c))

    def grad(self, w):
        w, p, w0 = np.asarray(w, float), self.p, self.w0
        if p == 2.0:
            return 0.25 * np.log(w / w0)
        s, c = (2 - p) / p, p * (2 - p)
        return (w ** s - w0 ** s) / c

    def hess(self, w):
        w, p = np.asarray(w, float), self.p
        return np.diag(w ** ((2 - 2 * p) / p) / p ** 2)

    def grad_inv(self, theta):
        th, p, w0 = np.asarray(theta, float), self.p, self.w0
        if p == 2.0:
            return w0 * np.exp(4 * th)
        s, c = (2 - p) / p, p * (2 - p)
        base = w0 ** s + c * th
        if np.any(base <= 0):
            raise Inconclusive("outside range of grad R", f"theta = {th} leaves the range of grad R")
        return base ** (1 / s)


class Hypentropy(Legendre):
    r"""The R of Corollary 4.17 for :math:`w = u^{\odot2} - v^{\odot2}` from :math:`(u_0, v_0)`.

    .. math:: R(w) = \tfrac14\sum_i\Big(w_i\,\mathrm{arcsinh}\frac{w_i}{2u_{0i}v_{0i}}
              - \sqrt{w_i^2 + 4u_{0i}^2v_{0i}^2} - w_i\ln\frac{u_{0i}}{v_{0i}}\Big),

    :math:`\nabla R(w) = \tfrac14(\mathrm{arcsinh}(w/\beta) - \ln(u_0/v_0))` with :math:`\beta = 2u_0v_0`,
    :math:`(\nabla R)^{-1}(\theta) = u_0^2e^{4\theta} - v_0^2e^{-4\theta}`,
    :math:`\nabla^2R(w) = \mathrm{diag}(1/(4\sqrt{w^2+\beta^2}))`.
    """

    def __init__(self, u0, v0) -> None:
        self.u0, self.v0 = np.asarray(u0, float), np.asarray(v0, float)
        self.beta = 2 * self.u0 * self.v0
        self.shift = np.log(self.u0 / self.v0)
        self.name = "hypentropy"

    def value(self, w):
        w, b = np.asarray(w, float), self.beta
        return 0.25 * float(np.sum(w * np.arcsinh(w / b) - np.hypot(w, b) - w * self.shift))

    def grad(self, w):
        return 0.25 * (np.arcsinh(np.asarray(w, float) / self.beta) - self.shift)

    def hess(self, w):
        return np.diag(0.25 / np.hypot(np.asarray(w, float), self.beta))

    def grad_inv(self, theta):
        th = np.asarray(theta, float)
        return self.u0 ** 2 * np.exp(4 * th) - self.v0 ** 2 * np.exp(-4 * th)


class LemmaLegendre(Legendre):
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

    def __init__(self, G: Parametrization, x_init, sign: int = +1, psi_method: str = "auto") -> None:
        from oracles.flows.trajectories import psi

        self.G = G
        self.x_init = G.check_point(x_init, "x_init")
        self.w0 = G.value(self.x_init)
        self.sign = sign
        self._psi = lambda mu: psi(G, self.x_init, mu, sign=sign, method=psi_method)
        self.name = f"Lemma 4.7 R of {G.name}"
        self.root_calls = 0

    def grad_inv(self, theta):
        theta = np.asarray(theta, float)
        if not np.all(np.isfinite(theta)):
            # reached from inside a solver (mirror flow, dual Newton) that diverged: not a caller's bad input
            raise Inconclusive("non-finite dual point", f"grad Q evaluated at theta = {theta}")
        with np.errstate(over="ignore", invalid="ignore"):
            w = self.G.value(self._psi(theta))
        if not np.all(np.isfinite(w)):
            raise Inconclusive("blow-up", f"grad Q(theta) = G(psi(x_init; theta)) overflows at theta = {theta}")
        return w

    def hess_Q(self, mu) -> np.ndarray:
        return self.sign * self.G.gram(self._psi(np.asarray(mu, float)))

    def grad(self, w):
        w = as_vector(w, "w", self.G.d)
        self.root_calls += 1
        with np.errstate(over="ignore", invalid="ignore"):
            sol = root(lambda mu: self.grad_inv(mu) - w, np.zeros(self.G.d), jac=self.hess_Q, method="hybr",
                       options={"xtol": 1e-14})
        resid = np.linalg.norm(self.grad_inv(sol.x) - w) / max(1.0, np.linalg.norm(w))
        if not sol.success and resid > 1e-10:
            raise Inconclusive("non-convergence", f"grad R(w): solving grad Q(mu) = w left residual {resid:.3g}")
        return sol.x

    def hess(self, w):
        return np.linalg.inv(self.hess_Q(self.grad(w)))

    def Q(self, mu) -> float:
        mu = np.asarray(mu, float)
        s, wts = np.polynomial.legendre.leggauss(20)
        s, wts = 0.5 * (s + 1), 0.5 * wts
        return float(sum(wk * (self.grad_inv(sk * mu) @ mu) for sk, wk in zip(s, wts)))

    def value(self, w):
        mu = self.grad(w)
        return float(mu @ np.asarray(w, float) - self.Q(mu))
