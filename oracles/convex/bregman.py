r"""Bregman divergences and Bregman projections onto affine sets :math:`\{w : Zw = Y\}`.

* :func:`bregman_divergence` -- :math:`D_R(w, w_0) = R(w) - R(w_0) - \langle\nabla R(w_0), w - w_0\rangle`
  for any object with ``value`` and ``grad``.
* Separable potentials with closed-form, log-domain-stable :math:`(\nabla R)^{-1}`, its derivative
  and the convex conjugate :math:`R^*`: :class:`HypentropyPotential` (the arcsinh R of li2022
  Cor. 4.17), :class:`EntropyPotential`, :class:`EuclideanPotential`, :class:`PowerPotential`
  (the R of :math:`x^{\odot p}`), :class:`PNormPotential` (:math:`\sum|w_i|^p/p`).
  :func:`as_potential` turns the closed-form Legendre objects of :mod:`oracles.flows.legendre` into them.
* :func:`bregman_projection` -- :math:`\arg\min\{D_R(w, w_0) : Zw = Y\}` by Newton's method on the
  n Lagrange multipliers (the dual problem), and :func:`bregman_projection_scipy` -- the same
  problem handed to ``scipy.optimize.minimize`` (SLSQP or trust-constr), the general fallback and
  the baseline of the benchmark. Both return a :class:`Projection` with its KKT residuals; the dual
  Newton result also carries a certified error bound (:mod:`oracles.convex.projection_error`), since a small
  KKT residual does not make a small error on ill-conditioned data.

The dual problem. The projection's KKT conditions are :math:`Zw = Y` and
:math:`\nabla R(w) - \nabla R(w_0) = Z^\top\lambda` (:math:`\nabla R(w) - \nabla R(w_0) \in
\mathrm{range}(Z^\top)`), so :math:`w(\lambda) = (\nabla R)^{-1}(\theta_0 + Z^\top\lambda)` with
:math:`\theta_0 = \nabla R(w_0)`, and λ minimizes the convex dual function

.. math:: g(\lambda) = R^*(\theta_0 + Z^\top\lambda) - \langle\lambda, Y\rangle,\qquad
          \nabla g = Zw(\lambda) - Y,\qquad \nabla^2 g = Z\,\nabla^2R^*(\theta)\,Z^\top,

with :math:`\nabla^2R^* = \mathrm{diag}(\partial w/\partial\theta)` for a separable R. Newton's
method with Armijo backtracking on g is globally convergent for this smooth strictly convex
function and quadratically convergent near the solution (Boyd & Vandenberghe, *Convex
Optimization*, §9.5); backtracking is what makes it work from λ = 0 at small initialization
scales, where the first full Newton steps overshoot by many orders of magnitude (the map
θ ↦ w is exponential). The first trial step moves θ by at most :math:`10\max(1, \|\theta\|_\infty)`,
and overflowing trial points have :math:`g = +\infty` and are simply backtracked; scales down to
1e-20 are solved to rounding level (tests go to 1e-6 as required, and beyond). For objects without a conjugate the merit function is :math:`\tfrac12\|Zw - Y\|^2`,
for which the Newton direction is also a descent direction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve
from scipy.optimize import LinearConstraint, minimize
from scipy.special import xlogy

from oracles.core.errors import Inconclusive, InvalidInput, as_matrix, as_vector
from oracles.core.outcome import EPS
from oracles.convex.projection_error import projection_error_bound

LN2 = math.log(2.0)


# -----------------------------------------------------------------------------------------
# divergences
def bregman_divergence(R, w, w0) -> float:
    r""":math:`D_R(w, w_0) = R(w) - R(w_0) - \langle\nabla R(w_0), w - w_0\rangle`.

    Parameters
    ----------
    R
        Any object with ``value(w)`` and ``grad(w)`` (a :mod:`oracles.flows.legendre` Legendre function
        or a potential of this module).
    w, w0
        Points of dom R (``w0`` in its interior).

    Returns
    -------
    float
        The divergence; ``≥ 0`` for convex R, 0 iff ``w = w0`` for strictly convex R.
    """
    w = as_vector(w, "w")
    w0 = as_vector(w0, "w0", w.size)
    div = getattr(R, "divergence", None)
    if div is not None:
        return float(div(w, w0))
    return float(R.value(w) - R.value(w0) - R.grad(w0) @ (w - w0))


# -----------------------------------------------------------------------------------------
# separable potentials
class SeparablePotential:
    r"""A separable Legendre function :math:`R(w) = \sum_i r_i(w_i)` with closed-form inverse gradient.

    Subclasses implement the elementwise maps ``value_terms`` (:math:`r_i(w_i)`), ``grad``
    (:math:`r_i'`), ``hess_diag`` (:math:`r_i''`), ``grad_inv`` (:math:`(r_i')^{-1}`),
    ``grad_inv_deriv`` (:math:`\partial w_i/\partial\theta_i = 1/r_i''`) and ``conj_terms``
    (:math:`r_i^*`). The interface of :mod:`oracles.flows.legendre` (``value``, ``grad``, ``hess``,
    ``grad_inv``, ``in_domain``, ``bregman``) is provided, so these objects also drive
    :func:`oracles.flows.mirror_flow`.
    """

    name = "separable potential"
    has_grad_inv = True
    #: Lower bound of each coordinate's domain (``-inf`` for R^d).
    lower = -math.inf

    def value_terms(self, w: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def grad(self, w) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def hess_diag(self, w) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def hess_diag_deriv(self, w) -> np.ndarray:  # pragma: no cover - abstract
        """The third derivatives r_i'''(w_i), used for the Jacobian of the primal mirror flow."""
        raise NotImplementedError

    def grad_inv(self, theta) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def grad_inv_deriv(self, theta) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def conj_terms(self, theta) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- derived ---------------------------------------------------------------------------
    def value(self, w) -> float:
        """:math:`R(w)`."""
        return float(np.sum(self.value_terms(np.asarray(w, float))))

    def hess(self, w) -> np.ndarray:
        r""":math:`\nabla^2R(w)` as a diagonal matrix."""
        return np.diag(self.hess_diag(w))

    def conj(self, theta) -> float:
        r""":math:`R^*(\theta) = \sup_w \langle\theta, w\rangle - R(w)` (``+inf`` outside its domain)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return float(np.sum(self.conj_terms(np.asarray(theta, float))))

    def in_domain(self, w) -> bool:
        w = np.asarray(w, float)
        return bool(np.all(np.isfinite(w)) and np.all(w > self.lower))

    def divergence_terms(self, w, w0) -> np.ndarray:
        r"""The terms :math:`r_i(w_i) - r_i(w_{0i}) - r_i'(w_{0i})(w_i - w_{0i})` of :math:`D_R(w, w_0)`."""
        w, w0 = np.asarray(w, float), np.asarray(w0, float)
        return self.value_terms(w) - self.value_terms(w0) - self.grad(w0) * (w - w0)

    def divergence(self, w, w0) -> float:
        r""":math:`D_R(w, w_0)`, summed term by term (each term is ``≥ 0``)."""
        return float(np.sum(self.divergence_terms(w, w0)))

    def bregman(self, w, w0) -> float:
        return self.divergence(w, w0)

    #: Constructor arguments written by :meth:`to_spec` (so examples holding a potential are JSON).
    _spec_fields: tuple[str, ...] = ()

    def to_spec(self) -> dict[str, Any]:
        """The constructor arguments, as plain JSON data (read back by :meth:`from_spec`)."""
        out = {}
        for k in self._spec_fields:
            v = getattr(self, k)
            out[k] = v.tolist() if isinstance(v, np.ndarray) else float(v)
        return out

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "SeparablePotential":
        return cls(**{k: (np.asarray(v, float) if isinstance(v, list) else v) for k, v in spec.items()})

    def __repr__(self) -> str:
        return self.name


def _log_sinh_cosh(z: np.ndarray, log_scale: np.ndarray):
    r""":math:`e^{c}\sinh z` and :math:`e^{c}\cosh z` computed as :math:`\pm\exp(c + |z| - \ln 2)(1 \mp e^{-2|z|})`.

    No intermediate overflows unless the result does (then it is ``±inf``); no cancellation
    (``expm1`` for the small-|z| sinh).
    """
    a = np.abs(z)
    with np.errstate(over="ignore", invalid="ignore"):
        big = np.exp(log_scale + a - LN2)
        e = np.exp(-2.0 * a)
        small = a < 0.5
        s = np.sign(z) * np.where(small, np.exp(log_scale) * np.sinh(np.where(small, a, 0.0)), big * (1.0 - e))
        c = np.where(small, np.exp(log_scale) * np.cosh(np.where(small, a, 0.0)), big * (1.0 + e))
    return s, c


class HypentropyPotential(SeparablePotential):
    r"""The potential of li2022 Corollary 4.17 (:math:`w = u^{\odot2} - v^{\odot2}` from :math:`(u_0, v_0)`).

    With :math:`\beta_i = 2u_{0i}v_{0i}` and :math:`s_i = \ln(u_{0i}/v_{0i})`:

    .. math:: R(w) = \tfrac14\sum_i\big(w_i\,\mathrm{arcsinh}(w_i/\beta_i) - \sqrt{w_i^2+\beta_i^2} - w_i s_i\big),\quad
              \nabla R(w) = \tfrac14(\mathrm{arcsinh}(w/\beta) - s),

    and with :math:`z = 4\theta + s`: :math:`(\nabla R)^{-1}(\theta) = \beta\sinh z = u_0^2e^{4\theta} -
    v_0^2e^{-4\theta}`, :math:`\partial w/\partial\theta = 4\beta\cosh z = 4\sqrt{w^2+\beta^2}`,
    :math:`R^*(\theta) = \tfrac14\sum\beta\cosh z` (exactly the conjugate, no constant). Everything
    is evaluated as :math:`\exp(\ln\beta + |z| - \ln 2)`, so scales :math:`u_0 = v_0 = 10^{-6}`
    (:math:`\beta = 2\cdot10^{-12}`) lose no precision. :math:`\nabla R(w_0) = 0` at
    :math:`w_0 = u_0^2 - v_0^2`, as in :class:`oracles.legendre.Hypentropy`.
    """

    _spec_fields = ("u0", "v0")

    def __init__(self, u0, v0) -> None:
        u0, v0 = as_vector(u0, "u0"), as_vector(v0, "v0")
        if u0.shape != v0.shape:
            raise InvalidInput(f"u0 and v0 must have the same length, got {u0.size} and {v0.size}")
        if np.any(u0 <= 0) or np.any(v0 <= 0):
            raise InvalidInput("u0 and v0 must be positive (x_init in R_+^{2d})")
        self.u0, self.v0 = u0, v0
        self.log_beta = LN2 + np.log(u0) + np.log(v0)
        self.beta = np.exp(self.log_beta)
        self.shift = np.log(u0) - np.log(v0)
        self.w0 = self.grad_inv(np.zeros_like(u0))
        self.name = "hypentropy"

    @classmethod
    def scaled(cls, alpha: float, d: int) -> "HypentropyPotential":
        """The potential of the symmetric initialization :math:`u_0 = v_0 = \\alpha\\mathbf 1` (``w0 = 0``)."""
        return cls(np.full(d, float(alpha)), np.full(d, float(alpha)))

    def value_terms(self, w):
        w, b = np.asarray(w, float), self.beta
        return 0.25 * (w * np.arcsinh(w / b) - np.hypot(w, b) - w * self.shift)

    def grad(self, w):
        return 0.25 * (np.arcsinh(np.asarray(w, float) / self.beta) - self.shift)

    def hess_diag(self, w):
        return 0.25 / np.hypot(np.asarray(w, float), self.beta)

    def hess_diag_deriv(self, w):
        w = np.asarray(w, float)
        return -0.25 * w / np.hypot(w, self.beta) ** 3

    def grad_inv(self, theta):
        z = 4.0 * np.asarray(theta, float) + self.shift
        return _log_sinh_cosh(z, self.log_beta)[0]

    def grad_inv_deriv(self, theta):
        z = 4.0 * np.asarray(theta, float) + self.shift
        return 4.0 * _log_sinh_cosh(z, self.log_beta)[1]

    def conj_terms(self, theta):
        z = 4.0 * np.asarray(theta, float) + self.shift
        return 0.25 * _log_sinh_cosh(z, self.log_beta)[1]


class EntropyPotential(SeparablePotential):
    r""":math:`R(w) = c\sum_i (w_i\ln(w_i/w_{0i}) - w_i)` on :math:`w > 0` (closure :math:`w \ge 0`).

    :math:`\nabla R(w) = c\ln(w/w_0)` (zero at :math:`w_0`), :math:`(\nabla R)^{-1}(\theta) = w_0e^{\theta/c}`
    (computed as :math:`\exp(\ln w_0 + \theta/c)`), :math:`\partial w/\partial\theta = w/c`,
    :math:`R^*(\theta) = c\sum w_0e^{\theta/c}`. :math:`D_R(w, w_0) = c\,\mathrm{KL}(w\|w_0) =
    c\sum(w\ln(w/w_0) - w + w_0)`, the same for every choice of the reference point ``w0`` of the
    normalization up to that point's own linear term. ``c = 1/4`` is the R of
    :math:`x^{\odot2}` (:class:`oracles.legendre.PowerPotential` with ``p = 2``); ``c = 1``, ``w0 = 1``
    is the notes' :math:`\phi = \sum x\ln x - x`.
    """

    lower = 0.0

    _spec_fields = ("w0", "scale")

    def __init__(self, w0, scale: float = 1.0) -> None:
        w0 = as_vector(w0, "w0")
        if np.any(w0 <= 0):
            raise InvalidInput("entropy reference point w0 must be positive")
        if not scale > 0:
            raise InvalidInput(f"scale must be positive, got {scale}")
        self.w0, self.c = w0, float(scale)
        self.scale = self.c
        self.log_w0 = np.log(w0)
        self.name = "entropy" if self.c == 1.0 else f"entropy (scale {self.c:g})"

    def value_terms(self, w):
        w = np.asarray(w, float)
        return self.c * (xlogy(w, w) - w * self.log_w0 - w)

    def grad(self, w):
        with np.errstate(divide="ignore"):
            return self.c * (np.log(np.asarray(w, float)) - self.log_w0)

    def hess_diag(self, w):
        with np.errstate(divide="ignore"):
            return self.c / np.asarray(w, float)

    def hess_diag_deriv(self, w):
        with np.errstate(divide="ignore"):
            return -self.c / np.asarray(w, float) ** 2

    def grad_inv(self, theta):
        with np.errstate(over="ignore"):
            return np.exp(self.log_w0 + np.asarray(theta, float) / self.c)

    def grad_inv_deriv(self, theta):
        return self.grad_inv(theta) / self.c

    def conj_terms(self, theta):
        return self.c * self.grad_inv(theta)

    def divergence_terms(self, w, w0):
        w, w0 = np.asarray(w, float), np.asarray(w0, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.c * (xlogy(w, w) - xlogy(w, w0) - w + w0)


class EuclideanPotential(SeparablePotential):
    r""":math:`R(w) = \tfrac12\|w - w_0\|^2`: :math:`\nabla R(w) = w - w_0`, :math:`R^*(\theta) = \tfrac12\|\theta\|^2 + \langle\theta, w_0\rangle`."""

    _spec_fields = ("w0",)

    def __init__(self, w0) -> None:
        self.w0 = as_vector(w0, "w0")
        self.name = "euclidean"

    def value_terms(self, w):
        return 0.5 * (np.asarray(w, float) - self.w0) ** 2

    def grad(self, w):
        return np.asarray(w, float) - self.w0

    def hess_diag(self, w):
        return np.ones(np.shape(w))

    def hess_diag_deriv(self, w):
        return np.zeros(np.shape(w))

    def grad_inv(self, theta):
        return self.w0 + np.asarray(theta, float)

    def grad_inv_deriv(self, theta):
        return np.ones(np.shape(theta))

    def conj_terms(self, theta):
        th = np.asarray(theta, float)
        return 0.5 * th * th + th * self.w0


class PowerPotential(SeparablePotential):
    r"""The R of :math:`G(x) = x^{\odot p}` (``p > 1``, ``p ≠ 2``) from :math:`w_0 = x_{init}^{\odot p}`.

    With :math:`s = (2-p)/p`, :math:`c = p(2-p)` (as :class:`oracles.legendre.PowerPotential`):
    :math:`\nabla R(w) = (w^s - w_0^s)/c`, :math:`(\nabla R)^{-1}(\theta) = b^{1/s}` with
    :math:`b = w_0^s + c\theta`, :math:`\partial w/\partial\theta = (c/s)\,b^{1/s - 1}`,
    :math:`R^*(\theta) = \frac{s}{(s+1)c}\,b^{1+1/s}`. The range of :math:`\nabla R` is
    :math:`\{b > 0\}`; beyond it :math:`R^* = +\infty` for ``p > 2`` and, for ``1 < p < 2``,
    :math:`R^* = 0` with :math:`w = 0` (the boundary of dom R).
    """

    lower = 0.0

    _spec_fields = ("p", "w0")

    def __init__(self, p: float, w0) -> None:
        p = float(p)
        if not p > 1 or p == 2.0:
            raise InvalidInput(f"PowerPotential needs p > 1, p != 2 (use EntropyPotential for p = 2), got {p}")
        self.p, self.w0 = p, as_vector(w0, "w0")
        if np.any(self.w0 <= 0):
            raise InvalidInput("w0 must be positive")
        self.s, self.c = (2 - p) / p, p * (2 - p)
        self.w0s = self.w0 ** self.s
        self.name = f"power potential (p={p:g})"

    def _b(self, theta):
        return self.w0s + self.c * np.asarray(theta, float)

    def value_terms(self, w):
        w = np.asarray(w, float)
        return (w ** (self.s + 1) / (self.s + 1) - self.w0s * w) / self.c

    def grad(self, w):
        with np.errstate(divide="ignore"):
            return (np.asarray(w, float) ** self.s - self.w0s) / self.c

    def hess_diag(self, w):
        with np.errstate(divide="ignore"):
            return np.asarray(w, float) ** ((2 - 2 * self.p) / self.p) / self.p ** 2

    def hess_diag_deriv(self, w):
        k = (2 - 2 * self.p) / self.p
        with np.errstate(divide="ignore"):
            return k * np.asarray(w, float) ** (k - 1) / self.p ** 2

    def grad_inv(self, theta):
        b = self._b(theta)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            if self.s > 0:
                return np.maximum(b, 0.0) ** (1 / self.s)
            return np.where(b > 0, np.abs(b) ** (1 / self.s), np.inf)

    def grad_inv_deriv(self, theta):
        b = self._b(theta)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            out = (self.c / self.s) * np.abs(b) ** (1 / self.s - 1)
        return np.where(b > 0, out, 0.0 if self.s > 0 else np.inf)

    def conj_terms(self, theta):
        b = self._b(theta)
        k = self.s / ((self.s + 1) * self.c)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            val = k * np.abs(b) ** (1 + 1 / self.s)
        if self.s > 0:
            return np.where(b > 0, val, 0.0)
        return np.where(b > 0, val, np.inf)


class PNormPotential(SeparablePotential):
    r""":math:`R(w) = \sum_i |w_i|^p/p` on :math:`\mathbb{R}^d` (``p > 1``).

    :math:`\nabla R(w) = \mathrm{sign}(w)|w|^{p-1}`, :math:`(\nabla R)^{-1}(\theta) = \mathrm{sign}(\theta)|\theta|^{q-1}`
    with :math:`q = p/(p-1)`, :math:`\partial w/\partial\theta = (q-1)|\theta|^{q-2}`,
    :math:`R^*(\theta) = \sum|\theta_i|^q/q`.
    """

    _spec_fields = ("p",)

    def __init__(self, p: float) -> None:
        p = float(p)
        if not p > 1:
            raise InvalidInput(f"p-norm potential needs p > 1, got {p}")
        self.p, self.q = p, p / (p - 1)
        self.name = f"p-norm potential (p={p:g})"

    def value_terms(self, w):
        return np.abs(np.asarray(w, float)) ** self.p / self.p

    def grad(self, w):
        w = np.asarray(w, float)
        return np.sign(w) * np.abs(w) ** (self.p - 1)

    def hess_diag(self, w):
        with np.errstate(divide="ignore"):
            return (self.p - 1) * np.abs(np.asarray(w, float)) ** (self.p - 2)

    def hess_diag_deriv(self, w):
        w = np.asarray(w, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (self.p - 1) * (self.p - 2) * np.sign(w) * np.abs(w) ** (self.p - 3)

    def grad_inv(self, theta):
        th = np.asarray(theta, float)
        return np.sign(th) * np.abs(th) ** (self.q - 1)

    def grad_inv_deriv(self, theta):
        # for p > 2 the derivative is infinite at theta = 0 (vertical tangent of sign(t)|t|^(q-1));
        # |theta| is floored at 1e-100 so that Newton systems and ODE Jacobians stay finite there
        th = np.maximum(np.abs(np.asarray(theta, float)), 1e-100)
        return (self.q - 1) * th ** (self.q - 2)

    def conj_terms(self, theta):
        return np.abs(np.asarray(theta, float)) ** self.q / self.q


def as_potential(R) -> SeparablePotential | None:
    """The closed-form separable potential equal to ``R``, or ``None`` when there is none.

    Recognizes this module's potentials and :class:`oracles.legendre.Hypentropy`,
    :class:`~oracles.legendre.PowerPotential` (``p = 2``: entropy with scale 1/4) and
    :class:`~oracles.legendre.Euclidean`.
    """
    if isinstance(R, SeparablePotential):
        return R
    from oracles.flows import legendre

    if isinstance(R, legendre.Hypentropy):
        return HypentropyPotential(R.u0, R.v0)
    if isinstance(R, legendre.PowerPotential):
        return EntropyPotential(R.w0, 0.25) if R.p == 2.0 else PowerPotential(R.p, R.w0)
    if isinstance(R, legendre.Euclidean):
        return EuclideanPotential(R.w0)
    return None


# -----------------------------------------------------------------------------------------
# projections
@dataclass
class Projection:
    r"""A computed Bregman projection :math:`\arg\min\{D_R(w, w_0) : Zw = Y\}` and its KKT residuals.

    Attributes
    ----------
    w
        The solution.
    lam
        Multipliers with :math:`\nabla R(w) - \nabla R(w_0) \approx Z^\top\lambda` (for the given Z).
    primal_residual
        :math:`\|Zw - Y\| / \max(\|Y\|, \|Z\|_2\|w\|)`.
    dual_residual
        :math:`\|(I - P)(\nabla R(w) - \nabla R(w_0))\| / \|\nabla R(w) - \nabla R(w_0)\|`, P the
        orthogonal projector onto :math:`\mathrm{range}(Z^\top)`, with :math:`\nabla R(w)` recomputed
        from w (not taken from the solver's own dual variable).
    error
        Bound on :math:`\|w - w^\star\| / \|w\|`. For a separable R (dual Newton): the bound of
        :func:`oracles.projection_error.projection_error_bound` from a feasible point near w, or its
        first-order estimate when the residual is at rounding level but no such point is found
        (``details["error_kind"]`` says which; infinite when neither applies: an ill-posed or unsolved
        problem), plus the floating-point floor of evaluating w; for other R an estimate, the size of
        one more Newton step plus that floor.
    iterations, evaluations
        Work done (Newton iterations / optimizer iterations; evaluations of :math:`(\nabla R)^{-1}`).
    method
        ``"dual-newton"``, ``"SLSQP"`` or ``"trust-constr"``.
    converged
        Whether the solver met its own stopping test.
    """

    w: np.ndarray
    lam: np.ndarray
    primal_residual: float
    dual_residual: float
    error: float
    iterations: int
    evaluations: int
    method: str
    converged: bool
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def kkt(self) -> float:
        """The relative KKT residual ``max(primal_residual, dual_residual)``."""
        return max(self.primal_residual, self.dual_residual)

    def require(self, tol: float = 1e-8, max_error: float = 1e-6) -> "Projection":
        r"""Return self, or raise :class:`Inconclusive` when the projection is not solved to ``tol`` or its error
        exceeds ``max_error`` (a budget built on a larger error would decide nothing).

        With a certified error bound (``details["error_kind"] == "bound"``) only the primal residual is
        compared with ``tol``: the relative dual residual is measured against
        :math:`\|\nabla R(w) - \nabla R(w_0)\|`, which is itself rounding noise when w is w0 up to a few
        ulps, and the bound already accounts for the dual residual in the units of w.
        """
        certified = self.details.get("error_kind") == "bound"
        residual = self.primal_residual if certified else self.kkt
        if not (residual <= tol):
            raise Inconclusive("projection not solved", f"{self.method}: relative KKT residual {residual:.3g} > {tol:.1e}")
        if not math.isfinite(self.error):
            why = self.details.get("error_bound_reason") or "no error bound"
            raise Inconclusive("projection not certified", f"{self.method}: {why}")
        if not self.error <= max_error:
            raise Inconclusive("projection ill-conditioned", f"{self.method}: error bound {self.error:.3g} > {max_error:.1e}")
        return self


def _check_problem(Z, Y, w0):
    Z = as_matrix(Z, "Z")
    n, d = Z.shape
    Y = as_vector(Y, "Y", n)
    w0 = as_vector(w0, "w0", d)
    return Z, Y, w0


def _row_basis(Z: np.ndarray, Y: np.ndarray):
    r"""Reduce :math:`Zw = Y` to ``r = rank Z`` orthogonal equations :math:`S_rV_r^\top w = U_r^\top Y`.

    Raises :class:`InvalidInput` when Y is not in the range of Z (the affine set is empty).
    """
    U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    tol = max(Z.shape) * EPS * (s[0] if s.size else 0.0)
    r = int(np.sum(s > tol))
    if r == 0:
        raise InvalidInput("Z is zero: the constraint Zw = Y is void or infeasible")
    Ur = U[:, :r]
    Yr = Ur.T @ Y
    miss = float(np.linalg.norm(Y - Ur @ Yr))
    if miss > 1e-9 * max(1.0, float(np.linalg.norm(Y))):
        raise InvalidInput(f"Y is not in the range of Z (distance {miss:.3g}): the set {{Zw = Y}} is empty")
    return s[:r, None] * Vt[:r], Yr, Ur, s[:r], Vt[:r]


#: Below this magnitude a float64 is (nearly) subnormal and ∇R(w) recomputed from it is imprecise.
UNDERFLOW = 1e-290


def kkt_residuals(R, Z, Y, w, w0, theta=None) -> tuple[float, float, np.ndarray]:
    r"""Relative primal and dual KKT residuals of w as the projection of w0, and the least-squares multipliers.

    Primal: :math:`\|Zw - Y\|/\max(\|Y\|, \|Z\|_2\|w\|)`. Dual: the part of
    :math:`g = \nabla R(w) - \nabla R(w_0)` outside :math:`\mathrm{range}(Z^\top)`, relative to
    :math:`\|g\|` (0 when g = 0). :math:`\nabla R` is evaluated at the given points, except, when the
    solver's dual variable ``theta`` is given, on entries with :math:`|w_i| <` :data:`UNDERFLOW`
    (subnormal numbers carry too few bits for :math:`\nabla R` to be recomputed from them; at
    initialization scale 1e-8 the entropy projection has such entries).
    """
    Z, Y, w0 = _check_problem(Z, Y, w0)
    w = as_vector(w, "w", Z.shape[1])
    zn = float(np.linalg.norm(Z, 2))
    den = max(float(np.linalg.norm(Y)), zn * float(np.linalg.norm(w)), 1e-300)
    primal = float(np.linalg.norm(Z @ w - Y)) / den
    with np.errstate(all="ignore"):
        gw = np.asarray(R.grad(w), float)
        if theta is not None:
            tiny = np.abs(w) < UNDERFLOW
            gw = np.where(tiny, np.asarray(theta, float), gw)
        g = gw - np.asarray(R.grad(w0), float)
    if not np.all(np.isfinite(g)):
        return primal, math.inf, np.full(Z.shape[0], np.nan)
    lam, *_ = np.linalg.lstsq(Z.T, g, rcond=None)
    gn = float(np.linalg.norm(g))
    dual = float(np.linalg.norm(g - Z.T @ lam)) / gn if gn > 0 else 0.0
    return primal, dual, lam


class _DualMap:
    """θ ↦ (w, ∂w/∂θ, R*(θ)) for the dual Newton method: separable closed forms or a generic R."""

    def __init__(self, R) -> None:
        self.R = R
        self.P = as_potential(R)
        if self.P is None:
            if not callable(getattr(R, "grad_inv", None)):
                raise InvalidInput(f"{getattr(R, 'name', R)!r} has no grad_inv: use bregman_projection_scipy")
            self.has_conj = False
            self.separable = False
        else:
            self.has_conj = True
            self.separable = True
        self.evaluations = 0

    def w(self, theta):
        self.evaluations += 1
        with np.errstate(all="ignore"):
            return np.asarray((self.P or self.R).grad_inv(theta), float)

    def jac(self, theta, w):
        """``∂w/∂θ``: a vector (separable) or a matrix."""
        if self.separable:
            return self.P.grad_inv_deriv(theta)
        hq = getattr(self.R, "hess_Q", None)
        if callable(hq):
            return np.asarray(hq(theta), float)
        return np.linalg.inv(np.asarray(self.R.hess(w), float))

    def conj(self, theta) -> float:
        return self.P.conj(theta)


def bregman_projection(R, Z, Y, w0, *, theta0=None, tol: float = 1e-14, maxiter: int = 200,
                       max_halvings: int = 60) -> Projection:
    r""":math:`\arg\min\{D_R(w, w_0) : Zw = Y\}` by Newton's method on the dual (see the module docstring).

    Parameters
    ----------
    R
        A separable potential of this module, a closed-form Legendre function of
        :mod:`oracles.flows.legendre`, or any object with ``grad``, ``grad_inv`` and either ``hess_Q``
        (the Jacobian of ``grad_inv``, e.g. :class:`oracles.legendre.LemmaLegendre`) or ``hess``.
    Z
        ``n × d`` data, one sample per row; rank-deficient Z is reduced to its row space.
    Y
        Targets, length n; must lie in the range of Z.
    w0
        The point projected, in the interior of dom R.
    theta0
        :math:`\nabla R(w_0)` if known exactly (e.g. 0 for the Lemma 4.7 R at its own w0);
        computed by ``R.grad(w0)`` otherwise.
    tol
        Stop when :math:`\|Zw - Y\| \le tol\cdot\max(\|Y\|, \|Z\|\|w\|)` and up to five more full Newton
        steps no longer reduce it, or when the residual stops decreasing at the level of rounding.

    Returns
    -------
    Projection
        With ``method="dual-newton"``; ``converged`` is False if the iteration stalled above the
        rounding level (the residuals say how far it got).

    Raises
    ------
    InvalidInput
        Malformed data, Y outside the range of Z, w0 outside dom R.
    Inconclusive
        The dual iteration produced non-finite values it could not backtrack from.
    """
    Z, Y, w0 = _check_problem(Z, Y, w0)
    dm = _DualMap(R)
    if dm.separable and not dm.P.in_domain(w0):
        raise InvalidInput(f"w0 is outside the interior of dom R of {dm.P.name}")
    Zr, Yr, Ur, sr, Vr = _row_basis(Z, Y)
    zn = float(sr[0])
    if theta0 is None:
        with np.errstate(all="ignore"):
            theta0 = np.asarray((dm.P or R).grad(w0), float)
    theta0 = as_vector(theta0, "theta0", Z.shape[1])
    ynorm = float(np.linalg.norm(Yr))

    def state(lam):
        th = theta0 + Zr.T @ lam
        w = dm.w(th)
        if not np.all(np.isfinite(w)):
            return th, w, None, math.inf, 0.0
        with np.errstate(all="ignore"):
            F = Zr @ w - Yr
            if dm.has_conj:
                q = dm.conj(th)
                m = q - float(lam @ Yr)
                slack = 1e-13 * (abs(q) + abs(float(lam @ Yr)))
            else:
                m = 0.5 * float(F @ F)
                slack = 0.0
        if not (np.all(np.isfinite(F)) and math.isfinite(m) and math.isfinite(slack)):
            return th, w, None, math.inf, 0.0
        return th, w, F, m, slack

    lam = np.zeros(Zr.shape[0])
    th, w, F, m, slack = state(lam)
    if not math.isfinite(m):
        raise Inconclusive("projection not solved", "non-finite dual function at the starting point")
    it, converged, best, stall, polished = 0, False, math.inf, 0, 0
    step_rel = math.inf
    for it in range(1, maxiter + 1):
        scale = max(ynorm, zn * float(np.linalg.norm(w)), 1e-300)
        fnorm = float(np.linalg.norm(F))
        Dw = dm.jac(th, w)
        J = (Zr * Dw) @ Zr.T if Dw.ndim == 1 else Zr @ Dw @ Zr.T
        if not np.all(np.isfinite(J)):
            raise Inconclusive("projection not solved", f"non-finite Newton matrix at iteration {it}")
        try:
            delta = -cho_solve(cho_factor(J), F)
        except (LinAlgError, ValueError):
            delta = -np.linalg.lstsq(J + 1e-300 * np.eye(J.shape[0]), F, rcond=None)[0]
        dtheta = Zr.T @ delta
        dw = Dw * dtheta if Dw.ndim == 1 else Dw @ dtheta
        step_rel = float(np.linalg.norm(dw)) / max(float(np.linalg.norm(w)), 1e-300)
        if fnorm <= tol * scale:
            # polish: full Newton steps while they still reduce the residual (the last digits decide the tiny
            # coordinates of ill-conditioned problems; see oracles.convex.projection_error)
            polish = polished < 5 and fnorm > 4 * EPS * scale      # nothing to gain at the rounding level
            th_n, w_n, F_n, m_n, sl_n = state(lam + delta) if polish else (None,) * 5
            if F_n is None or not float(np.linalg.norm(F_n)) < fnorm:
                converged = True
                break
            lam, th, w, F, m, slack, polished = lam + delta, th_n, w_n, F_n, m_n, sl_n, polished + 1
            continue
        if fnorm < best * 0.9:
            best, stall = fnorm, 0
        else:
            stall += 1
            if stall >= 4 and fnorm <= 1e-8 * scale:  # no progress at the rounding level
                converged = True
                break
        slope = float(F @ delta) if dm.has_conj else -float(F @ F)
        # first trial step: the Newton step, but moving θ by at most 10·max(1, |θ|_∞) (at scale 1e-20 the
        # Newton step from λ = 0 is ~1e40 and halving alone would need ~130 trials)
        cap = 10.0 * max(1.0, float(np.max(np.abs(th))))
        big = float(np.max(np.abs(dtheta)))
        t, accepted = (min(1.0, cap / big) if big > 0 else 1.0), False
        for _ in range(max_halvings):
            th_n, w_n, F_n, m_n, sl_n = state(lam + t * delta)
            if m_n <= m + 1e-4 * t * slope + max(slack, sl_n):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        lam, th, w, F, m, slack = lam + t * delta, th_n, w_n, F_n, m_n, sl_n
    # a-posteriori error: for separable R a bound from a nearby feasible point (oracles.convex.projection_error),
    # else one more Newton step; plus the rounding of evaluating w
    details = {"newton_step": step_rel, "underflowed_entries": int(np.sum(np.abs(w) < UNDERFLOW)),
               "polish_steps": polished}
    if dm.separable:
        Dw = dm.P.grad_inv_deriv(th)
        cond = float(np.linalg.norm(th * Dw)) / max(float(np.linalg.norm(w)), 1e-300)
        bound = projection_error_bound(dm.P, Z, Y, w, th, theta0=theta0)
        details.update(error_bound=bound.relative, error_kind=bound.kind, error_bound_reason=bound.reason,
                       error_divergence=bound.divergence)
        error = bound.relative + 10 * EPS * (1.0 + cond)
    else:
        error = step_rel + 10 * EPS * 2.0
    primal, dual, _ = kkt_residuals(dm.P or R, Z, Y, w, w0, theta=th)
    lam_full = Ur @ lam
    return Projection(w, lam_full, primal, dual, float(error), it, dm.evaluations, "dual-newton", converged,
                      details=details)


def bregman_projection_scipy(R, Z, Y, w0, *, method: str = "SLSQP", maxiter: int = 500, ftol: float = 1e-12,
                             x0=None, use_gradient: bool = True) -> Projection:
    r""":math:`\arg\min\{D_R(w, w_0) : Zw = Y\}` by ``scipy.optimize.minimize`` (general fallback, baseline).

    Minimizes :math:`D_R(w, w_0)` (gradient :math:`\nabla R(w) - \nabla R(w_0)`) subject to the
    linear equality :math:`Zw = Y` (Jacobian Z), from ``x0`` (default :math:`w_0`, as in the code of
    Azulay et al. 2021), with ``method="SLSQP"`` or ``"trust-constr"`` (which also uses
    ``R.hess``). A coordinate-wise lower bound (entropy, power potentials) becomes a bound
    constraint. The KKT residuals are computed as for :func:`bregman_projection`; the error
    estimate is the primal residual plus the dual residual (no Newton model is available).

    Parameters
    ----------
    use_gradient
        ``False`` lets the optimizer difference the objective numerically, as the code of Azulay
        et al. does.
    """
    Z, Y, w0 = _check_problem(Z, Y, w0)
    if method not in ("SLSQP", "trust-constr"):
        raise InvalidInput(f"method must be 'SLSQP' or 'trust-constr', got {method!r}")
    P = as_potential(R) or R
    with np.errstate(all="ignore"):
        g0 = np.asarray(P.grad(w0), float)
    lower = getattr(P, "lower", -math.inf)
    bounds = None
    if math.isfinite(lower):
        bounds = [(lower + 1e-300, None)] * Z.shape[1]
    counter = {"f": 0}

    def f(w):
        counter["f"] += 1
        with np.errstate(all="ignore"):
            v = float(P.value(w) - P.value(w0) - g0 @ (w - w0))
        return v if math.isfinite(v) else 1e300

    def jac(w):
        with np.errstate(all="ignore"):
            return np.asarray(P.grad(w), float) - g0

    start = w0.copy() if x0 is None else as_vector(x0, "x0", Z.shape[1])
    if method == "SLSQP":
        cons = [{"type": "eq", "fun": lambda w: Z @ w - Y, "jac": lambda w: Z}]
        res = minimize(f, start, jac=jac if use_gradient else None, method="SLSQP", constraints=cons,
                       bounds=bounds, options={"maxiter": int(maxiter), "ftol": ftol})
    else:
        from scipy.optimize import Bounds

        res = minimize(f, start, jac=jac, hess=lambda w: np.asarray(P.hess(w), float), method="trust-constr",
                       constraints=[LinearConstraint(Z, Y, Y)],
                       bounds=Bounds(lower + 1e-300, np.inf) if bounds else None,
                       options={"maxiter": int(maxiter), "gtol": ftol, "xtol": 1e-16})
    w = np.asarray(res.x, float)
    primal, dual, lam = kkt_residuals(P, Z, Y, w, w0)
    return Projection(w, lam, primal, dual, float(primal + dual), int(getattr(res, "nit", 0) or 0), counter["f"],
                      method, bool(res.success), details={"message": str(res.message)})


def projection_gap(a: Projection, b: Projection) -> float:
    """Relative distance between two computed projections."""
    den = max(float(np.linalg.norm(a.w)), float(np.linalg.norm(b.w)), 1e-300)
    return float(np.linalg.norm(a.w - b.w)) / den


__all__ = ["EntropyPotential", "EuclideanPotential", "HypentropyPotential", "PNormPotential", "PowerPotential",
           "Projection", "SeparablePotential", "as_potential", "bregman_divergence", "bregman_projection",
           "bregman_projection_scipy", "kkt_residuals", "projection_gap"]

