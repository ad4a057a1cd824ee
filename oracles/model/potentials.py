r"""Potentials: the Legendre functions R that mirror flows, Bregman divergences and projections use.

One contract, :class:`Potential` (a :class:`typing.Protocol`): ``value``, ``grad`` (:math:`\nabla R`),
``grad_inv`` (:math:`(\nabla R)^{-1}`), ``hess`` (:math:`\nabla^2 R`), ``in_domain`` and a ``name``. Every
potential of the project satisfies it: the closed-form separable ones here, the per-coordinate potentials of
Theorem 5.1 (:class:`oracles.model.reverse.PerCoordinatePotential`) and the numerical R of Lemma 4.7
(:class:`oracles.flows.legendre.LemmaLegendre`). Which R belongs to a parametrization and an initialization
is :func:`oracles.flows.legendre.potential_of`.

Separable potentials :math:`R(w) = \sum_i r_i(w_i)` (:class:`SeparablePotential`) also give the elementwise
maps the Bregman projection and its certificate need (``hess_diag``, ``grad_inv_deriv``, the conjugate):
:class:`HypentropyPotential` (the arcsinh R of li2022 Cor. 4.17, the R of :math:`u^{\odot2} - v^{\odot2}`),
:class:`EntropyPotential` (scale 1/4: the R of :math:`x^{\odot2}`), :class:`EuclideanPotential` (the identity),
:class:`PowerPotential` (the R of :math:`x^{\odot p}`), :class:`PNormPotential` (:math:`\sum|w_i|^p/p`).
Each is normalized so that :math:`\nabla R(w_0) = 0` at its reference point, as Lemma 4.7 gives.
"""

from __future__ import annotations

import math
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import xlogy

from oracles.core.errors import InvalidInput, as_vector
from oracles.core.specs import register

LN2 = math.log(2.0)


@runtime_checkable
class Potential(Protocol):
    r"""A Legendre function R on its domain: what mirror flows, divergences and projections call.

    ``grad_inv`` may raise :class:`~oracles.core.errors.Inconclusive` where the dual point leaves the range
    of :math:`\nabla R` or a numerical inverse does not converge.
    """

    name: str

    def value(self, w: ArrayLike) -> float:
        """:math:`R(w)`."""

    def grad(self, w: ArrayLike) -> np.ndarray:
        r""":math:`\nabla R(w)`."""

    def grad_inv(self, theta: ArrayLike) -> np.ndarray:
        r""":math:`(\nabla R)^{-1}(\theta) = \nabla R^*(\theta)`."""

    def hess(self, w: ArrayLike) -> np.ndarray:
        r""":math:`\nabla^2 R(w)` (a ``d × d`` matrix)."""

    def in_domain(self, w: ArrayLike) -> bool:
        """Whether ``w`` lies in the interior of dom R."""


# -----------------------------------------------------------------------------------------
# divergences
class _ValueAndGrad(Protocol):
    """What :func:`bregman_divergence` reads of R."""

    def value(self, w: np.ndarray) -> float: ...

    def grad(self, w: np.ndarray) -> np.ndarray: ...


def bregman_divergence(R: _ValueAndGrad, w: ArrayLike, w0: ArrayLike) -> float:
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
    #: ``grad_inv`` acts coordinate-wise, so a 2-D ``theta`` is mapped row by row in one call
    rowwise = True
    #: Lower bound of each coordinate's domain (``-inf`` for R^d).
    lower = -math.inf

    def value_terms(self, w: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def grad(self, w: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def hess_diag(self, w: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def hess_diag_deriv(self, w: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        """The third derivatives r_i'''(w_i), used for the Jacobian of the primal mirror flow."""
        raise NotImplementedError

    def grad_inv(self, theta: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def grad_inv_deriv(self, theta: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def conj_terms(self, theta: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- derived ---------------------------------------------------------------------------
    def value(self, w: ArrayLike) -> float:
        """:math:`R(w)`."""
        return float(np.sum(self.value_terms(np.asarray(w, float))))

    def hess(self, w: ArrayLike) -> np.ndarray:
        r""":math:`\nabla^2R(w)` as a diagonal matrix."""
        return np.diag(self.hess_diag(w))

    def conj(self, theta: ArrayLike) -> float:
        r""":math:`R^*(\theta) = \sup_w \langle\theta, w\rangle - R(w)` (``+inf`` outside its domain)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return float(np.sum(self.conj_terms(np.asarray(theta, float))))

    def in_domain(self, w: ArrayLike) -> bool:
        w = np.asarray(w, float)
        return bool(np.all(np.isfinite(w)) and np.all(w > self.lower))

    def dual_state(self, theta: np.ndarray) -> tuple[np.ndarray, float, np.ndarray | None]:
        r"""``(grad_inv(θ), conj(θ), grad_inv_deriv(θ) or None)`` for a float64 θ, in one call: what each step of the
        dual Newton method of :func:`oracles.convex.bregman.bregman_projection` evaluates. Subclasses whose three
        maps share their costly part (an exponential) compute it once, with the same arithmetic as the
        separate methods; ``None`` leaves the derivative to ``grad_inv_deriv``."""
        with np.errstate(all="ignore"):
            return np.asarray(self.grad_inv(theta), float), self.conj(theta), None

    def divergence_terms(self, w: ArrayLike, w0: ArrayLike) -> np.ndarray:
        r"""The terms :math:`r_i(w_i) - r_i(w_{0i}) - r_i'(w_{0i})(w_i - w_{0i})` of :math:`D_R(w, w_0)`."""
        w, w0 = np.asarray(w, float), np.asarray(w0, float)
        return self.value_terms(w) - self.value_terms(w0) - self.grad(w0) * (w - w0)

    def divergence(self, w: ArrayLike, w0: ArrayLike) -> float:
        r""":math:`D_R(w, w_0)`, summed term by term (each term is ``≥ 0``)."""
        return float(np.sum(self.divergence_terms(w, w0)))

    def bregman(self, w: ArrayLike, w0: ArrayLike) -> float:
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


def _log_sinh_cosh(z: np.ndarray, log_scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


@register
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
    :math:`w_0 = u_0^2 - v_0^2`.
    """

    _spec_fields = ("u0", "v0")

    def __init__(self, u0: ArrayLike, v0: ArrayLike) -> None:
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

    def value_terms(self, w: ArrayLike) -> np.ndarray:
        w, b = np.asarray(w, float), self.beta
        return 0.25 * (w * np.arcsinh(w / b) - np.hypot(w, b) - w * self.shift)

    def grad(self, w: ArrayLike) -> np.ndarray:
        return 0.25 * (np.arcsinh(np.asarray(w, float) / self.beta) - self.shift)

    def hess_diag(self, w: ArrayLike) -> np.ndarray:
        return 0.25 / np.hypot(np.asarray(w, float), self.beta)

    def hess_diag_deriv(self, w: ArrayLike) -> np.ndarray:
        w = np.asarray(w, float)
        return -0.25 * w / np.hypot(w, self.beta) ** 3

    def grad_inv(self, theta: ArrayLike) -> np.ndarray:
        z = 4.0 * np.asarray(theta, float) + self.shift
        return _log_sinh_cosh(z, self.log_beta)[0]

    def grad_inv_deriv(self, theta: ArrayLike) -> np.ndarray:
        z = 4.0 * np.asarray(theta, float) + self.shift
        return 4.0 * _log_sinh_cosh(z, self.log_beta)[1]

    def conj_terms(self, theta: ArrayLike) -> np.ndarray:
        z = 4.0 * np.asarray(theta, float) + self.shift
        return 0.25 * _log_sinh_cosh(z, self.log_beta)[1]

    def dual_state(self, theta: np.ndarray) -> tuple[np.ndarray, float, np.ndarray | None]:
        with np.errstate(all="ignore"):
            s, c = _log_sinh_cosh(4.0 * theta + self.shift, self.log_beta)
            return s, float(np.sum(0.25 * c)), 4.0 * c


@register
class EntropyPotential(SeparablePotential):
    r""":math:`R(w) = c\sum_i (w_i\ln(w_i/w_{0i}) - w_i)` on :math:`w > 0` (closure :math:`w \ge 0`).

    :math:`\nabla R(w) = c\ln(w/w_0)` (zero at :math:`w_0`), :math:`(\nabla R)^{-1}(\theta) = w_0e^{\theta/c}`
    (computed as :math:`\exp(\ln w_0 + \theta/c)`), :math:`\partial w/\partial\theta = w/c`,
    :math:`R^*(\theta) = c\sum w_0e^{\theta/c}`. :math:`D_R(w, w_0) = c\,\mathrm{KL}(w\|w_0) =
    c\sum(w\ln(w/w_0) - w + w_0)`, the same for every choice of the reference point ``w0`` of the
    normalization up to that point's own linear term. ``c = 1/4`` is the R of
    :math:`x^{\odot2}` (what :func:`oracles.flows.legendre.potential_of` gives for ``Powers(2, d)``); ``c = 1``, ``w0 = 1``
    is the notes' :math:`\phi = \sum x\ln x - x`.
    """

    lower = 0.0

    _spec_fields = ("w0", "scale")

    def __init__(self, w0: ArrayLike, scale: float = 1.0) -> None:
        w0 = as_vector(w0, "w0")
        if np.any(w0 <= 0):
            raise InvalidInput("entropy reference point w0 must be positive")
        if not scale > 0:
            raise InvalidInput(f"scale must be positive, got {scale}")
        self.w0, self.c = w0, float(scale)
        self.scale = self.c
        self.log_w0 = np.log(w0)
        self.name = "entropy" if self.c == 1.0 else f"entropy (scale {self.c:g})"

    def value_terms(self, w: ArrayLike) -> np.ndarray:
        w = np.asarray(w, float)
        return self.c * (xlogy(w, w) - w * self.log_w0 - w)

    def grad(self, w: ArrayLike) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return self.c * (np.log(np.asarray(w, float)) - self.log_w0)

    def hess_diag(self, w: ArrayLike) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return self.c / np.asarray(w, float)

    def hess_diag_deriv(self, w: ArrayLike) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return -self.c / np.asarray(w, float) ** 2

    def grad_inv(self, theta: ArrayLike) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.exp(self.log_w0 + np.asarray(theta, float) / self.c)

    def grad_inv_deriv(self, theta: ArrayLike) -> np.ndarray:
        return self.grad_inv(theta) / self.c

    def conj_terms(self, theta: ArrayLike) -> np.ndarray:
        return self.c * self.grad_inv(theta)

    def dual_state(self, theta: np.ndarray) -> tuple[np.ndarray, float, np.ndarray | None]:
        with np.errstate(all="ignore"):
            w = np.exp(self.log_w0 + theta / self.c)
            return w, float(np.sum(self.c * w)), w / self.c

    def divergence_terms(self, w: ArrayLike, w0: ArrayLike) -> np.ndarray:
        w, w0 = np.asarray(w, float), np.asarray(w0, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.c * (xlogy(w, w) - xlogy(w, w0) - w + w0)


@register
class EuclideanPotential(SeparablePotential):
    r""":math:`R(w) = \tfrac12\|w - w_0\|^2`: :math:`\nabla R(w) = w - w_0`, :math:`R^*(\theta) = \tfrac12\|\theta\|^2 + \langle\theta, w_0\rangle`."""

    _spec_fields = ("w0",)

    def __init__(self, w0: ArrayLike) -> None:
        self.w0 = as_vector(w0, "w0")
        self.name = "euclidean"

    def value_terms(self, w: ArrayLike) -> np.ndarray:
        return 0.5 * (np.asarray(w, float) - self.w0) ** 2

    def grad(self, w: ArrayLike) -> np.ndarray:
        return np.asarray(w, float) - self.w0

    def hess_diag(self, w: ArrayLike) -> np.ndarray:
        return np.ones(np.shape(w))

    def hess_diag_deriv(self, w: ArrayLike) -> np.ndarray:
        return np.zeros(np.shape(w))

    def grad_inv(self, theta: ArrayLike) -> np.ndarray:
        return self.w0 + np.asarray(theta, float)

    def grad_inv_deriv(self, theta: ArrayLike) -> np.ndarray:
        return np.ones(np.shape(theta))

    def conj_terms(self, theta: ArrayLike) -> np.ndarray:
        th = np.asarray(theta, float)
        return 0.5 * th * th + th * self.w0


@register
class PowerPotential(SeparablePotential):
    r"""The R of :math:`G(x) = x^{\odot p}` (``p > 1``, ``p ≠ 2``) from :math:`w_0 = x_{init}^{\odot p}`.

    With :math:`s = (2-p)/p`, :math:`c = p(2-p)`:
    :math:`\nabla R(w) = (w^s - w_0^s)/c`, :math:`(\nabla R)^{-1}(\theta) = b^{1/s}` with
    :math:`b = w_0^s + c\theta`, :math:`\partial w/\partial\theta = (c/s)\,b^{1/s - 1}`,
    :math:`R^*(\theta) = \frac{s}{(s+1)c}\,b^{1+1/s}`. The range of :math:`\nabla R` is
    :math:`\{b > 0\}`; beyond it :math:`R^* = +\infty` for ``p > 2`` and, for ``1 < p < 2``,
    :math:`R^* = 0` with :math:`w = 0` (the boundary of dom R).
    """

    lower = 0.0

    _spec_fields = ("p", "w0")

    def __init__(self, p: float, w0: ArrayLike) -> None:
        p = float(p)
        if not p > 1 or p == 2.0:
            raise InvalidInput(f"PowerPotential needs p > 1, p != 2 (use EntropyPotential for p = 2), got {p}")
        self.p, self.w0 = p, as_vector(w0, "w0")
        if np.any(self.w0 <= 0):
            raise InvalidInput("w0 must be positive")
        self.s, self.c = (2 - p) / p, p * (2 - p)
        self.w0s = self.w0**self.s
        self.name = f"power potential (p={p:g})"

    def _b(self, theta: ArrayLike) -> np.ndarray:
        return self.w0s + self.c * np.asarray(theta, float)

    def value_terms(self, w: ArrayLike) -> np.ndarray:
        w = np.asarray(w, float)
        return (w ** (self.s + 1) / (self.s + 1) - self.w0s * w) / self.c

    def grad(self, w: ArrayLike) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return (np.asarray(w, float) ** self.s - self.w0s) / self.c

    def hess_diag(self, w: ArrayLike) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.asarray(w, float) ** ((2 - 2 * self.p) / self.p) / self.p**2

    def hess_diag_deriv(self, w: ArrayLike) -> np.ndarray:
        k = (2 - 2 * self.p) / self.p
        with np.errstate(divide="ignore"):
            return k * np.asarray(w, float) ** (k - 1) / self.p**2

    def grad_inv(self, theta: ArrayLike) -> np.ndarray:
        b = self._b(theta)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            if self.s > 0:
                return np.maximum(b, 0.0) ** (1 / self.s)
            return np.where(b > 0, np.abs(b) ** (1 / self.s), np.inf)

    def grad_inv_deriv(self, theta: ArrayLike) -> np.ndarray:
        b = self._b(theta)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            out = (self.c / self.s) * np.abs(b) ** (1 / self.s - 1)
        return np.where(b > 0, out, 0.0 if self.s > 0 else np.inf)

    def conj_terms(self, theta: ArrayLike) -> np.ndarray:
        b = self._b(theta)
        k = self.s / ((self.s + 1) * self.c)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            val = k * np.abs(b) ** (1 + 1 / self.s)
        if self.s > 0:
            return np.where(b > 0, val, 0.0)
        return np.where(b > 0, val, np.inf)


@register
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

    def value_terms(self, w: ArrayLike) -> np.ndarray:
        return np.abs(np.asarray(w, float)) ** self.p / self.p

    def grad(self, w: ArrayLike) -> np.ndarray:
        w = np.asarray(w, float)
        return np.sign(w) * np.abs(w) ** (self.p - 1)

    def hess_diag(self, w: ArrayLike) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return (self.p - 1) * np.abs(np.asarray(w, float)) ** (self.p - 2)

    def hess_diag_deriv(self, w: ArrayLike) -> np.ndarray:
        w = np.asarray(w, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (self.p - 1) * (self.p - 2) * np.sign(w) * np.abs(w) ** (self.p - 3)

    def grad_inv(self, theta: ArrayLike) -> np.ndarray:
        th = np.asarray(theta, float)
        return np.sign(th) * np.abs(th) ** (self.q - 1)

    def grad_inv_deriv(self, theta: ArrayLike) -> np.ndarray:
        # for p > 2 the derivative is infinite at theta = 0 (vertical tangent of sign(t)|t|^(q-1));
        # |theta| is floored at 1e-100 so that Newton systems and ODE Jacobians stay finite there
        th = np.maximum(np.abs(np.asarray(theta, float)), 1e-100)
        return (self.q - 1) * th ** (self.q - 2)

    def conj_terms(self, theta: ArrayLike) -> np.ndarray:
        return np.abs(np.asarray(theta, float)) ** self.q / self.q


__all__ = [
    "EntropyPotential",
    "EuclideanPotential",
    "HypentropyPotential",
    "PNormPotential",
    "Potential",
    "PowerPotential",
    "SeparablePotential",
    "bregman_divergence",
]
