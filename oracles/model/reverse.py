r"""The reverse direction (li2022 §5, Theorem 5.1), separable case: every mirror flow is a gradient flow.

For a separable Legendre function :math:`R(w) = \sum_i r(w_i)` the metric :math:`\nabla^2R =
\mathrm{diag}(r''(w_i))` is the pull-back of the Euclidean metric by the coordinatewise map
:math:`F(w)_i = F(w_i)` with

.. math:: F' = \sqrt{r''},

so that :math:`\partial F^\top\partial F = \nabla^2 R` (the isometric embedding of Theorem 5.1, here
with D = d). With :math:`G = F^{-1}` (coordinatewise, :math:`g = F^{-1}`) and :math:`x = F(w)`:
:math:`\dot x_i = -g'(x_i)\,\partial_iL`, hence :math:`\dot w_i = g'(x_i)\dot x_i = -g'(x_i)^2\partial_iL =
-\partial_iL/r''(w_i)`, which is the mirror flow :math:`\frac{d}{dt}r'(w_i) = -\partial_iL`. Every
flow of this module's G therefore equals the mirror flow of R for *every* loss, and G is
commuting (separable). The same holds with a different :math:`r_i` on every coordinate
(:class:`SeparableLegendre` and :class:`ReverseParametrization` take one potential per coordinate),
which is how the statement covers all four potentials in each example.

Potentials (:class:`SeparablePotential`), with the closed forms used:

=====================  ==========================  ======================  ===============================
name                   r(w), domain                F                       G = F⁻¹ (x-domain)
=====================  ==========================  ======================  ===============================
``entropy``            w ln w − w, w > 0           2√w                     x²/4 (x > 0)
``hypentropy`` (β)     w asinh(w/β) − √(w²+β²)     √β E(asinh(w/β))        β sinh(E⁻¹(x/√β)) (x ∈ ℝ)
``log-barrier``        −ln w, w > 0                ln w                    eˣ (x ∈ ℝ)
``power`` (p)          w^p/(p(p−1)), w > 0         (2/p) w^{p/2}           (px/2)^{2/p} (px > 0)
=====================  ==========================  ======================  ===============================

For hypentropy, :math:`F(\beta\sinh s) = \sqrt\beta\,E(s)` with :math:`E(s) = \int_0^s\sqrt{\cosh\sigma}\,d\sigma
= \sinh s\;{}_2F_1(\tfrac14,\tfrac12;\tfrac32;-\sinh^2 s)`; :math:`E^{-1}` is computed by Newton's
method started to the right of the root (E is convex and increasing on s ≥ 0, so the iterates
decrease monotonically to it). Any potential can also be built with ``method="quad"``: F by
``scipy.integrate.quad`` of :math:`\sqrt{r''}` from a reference point and :math:`F^{-1}` by ``brentq``
(used to cross-check the closed forms; too slow inside an ODE right-hand side).

``exponent`` generalizes :math:`F' = (r'')^{e}`: ``e = 1/2`` is Theorem 5.1's construction, ``e = 1``
(:math:`F = r'`, :math:`G = (r')^{-1}`) is the negative control (no square root), for which
:math:`\dot w = -\partial L/r''^2` is not the mirror flow.

Power potentials are Legendre (essentially smooth at 0) only for p < 1; for p > 1 the mirror flow
reaches w = 0 in finite time when :math:`r'` is driven to 0, and the oracle calls such examples
inconclusive.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import hyp2f1

from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.specs import register
from oracles.model.parametrizations import Coordinatewise

POTENTIALS = ("entropy", "hypentropy", "log-barrier", "power")


_EPS8 = 8 * float(np.finfo(float).eps)


# -----------------------------------------------------------------------------------------
def _E(s):
    r""":math:`E(s) = \int_0^s \sqrt{\cosh\sigma}\,d\sigma = \sinh s\;{}_2F_1(1/4, 1/2; 3/2; -\sinh^2 s)` (odd)."""
    s = np.asarray(s, float)
    sh = np.sinh(s)
    return sh * hyp2f1(0.25, 0.5, 1.5, -sh * sh)


def _E_inv(t):
    r""":math:`E^{-1}(t)` by Newton's method from the right (odd extension to t < 0).

    On s ≥ 0, E is increasing and convex, so Newton iterates started at any :math:`s_0 \ge s^*`
    decrease monotonically to the root :math:`s^*`. Since :math:`\sqrt{\cosh\sigma} \ge 1` and
    :math:`\sqrt{\cosh\sigma} \ge e^{\sigma/2}/\sqrt2`, :math:`E(s) \ge s` and
    :math:`E(s) \ge \sqrt2(e^{s/2}-1)`, so :math:`s_0 = \min(|t|, 2\ln(1+|t|/\sqrt2)) \ge s^*`.
    """
    t = np.asarray(t, float)
    a = np.abs(t)
    s = np.minimum(a, 2.0 * np.log1p(a / math.sqrt(2.0)))
    for _ in range(60):
        new = np.maximum(s - (_E(s) - a) / np.sqrt(np.cosh(s)), 0.0)
        done = (np.abs(new - s) <= _EPS8 * np.maximum(1.0, np.abs(s))).all()
        s = new
        if done:
            break
    return np.sign(t) * s


@register
@dataclass(frozen=True)
class ScalarPotential:
    r"""A scalar Legendre potential r on an open interval, with its derivatives and the maps F, G of Thm 5.1.

    Parameters
    ----------
    name
        ``"entropy"``, ``"hypentropy"``, ``"log-barrier"`` or ``"power"``.
    beta
        The scale of ``hypentropy`` (:math:`r'' = 1/\sqrt{w^2+\beta^2}`), positive.
    p
        The exponent of ``power`` (:math:`r = w^p/(p(p-1))` on w > 0), not 0 or 1.
    """

    name: str
    beta: float = 1.0
    p: float = 3.0

    def __post_init__(self) -> None:
        if self.name not in POTENTIALS:
            raise InvalidInput(f"potential must be one of {POTENTIALS}, got {self.name!r}")
        if self.name == "hypentropy" and not (math.isfinite(self.beta) and self.beta > 0):
            raise InvalidInput(f"hypentropy needs beta > 0, got {self.beta}")
        if self.name == "power" and (not math.isfinite(self.p) or self.p in (0.0, 1.0)):
            raise InvalidInput(f"power potential needs p not in {{0, 1}}, got {self.p}")

    # -- serialization -------------------------------------------------------------------
    def to_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"potential": self.name}
        if self.name == "hypentropy":
            spec["beta"] = float(self.beta)
        if self.name == "power":
            spec["p"] = float(self.p)
        return spec

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "ScalarPotential":
        return cls(spec["potential"], beta=float(spec.get("beta", 1.0)), p=float(spec.get("p", 3.0)))

    @property
    def label(self) -> str:
        if self.name == "hypentropy":
            return f"hypentropy (beta={self.beta:g})"
        if self.name == "power":
            return f"power (p={self.p:g})"
        return self.name

    # -- the potential -------------------------------------------------------------------
    @property
    def w_interval(self) -> tuple[float, float]:
        """The open interval int(dom r)."""
        return (-math.inf, math.inf) if self.name == "hypentropy" else (0.0, math.inf)

    def r(self, w):
        w = np.asarray(w, float)
        if self.name == "entropy":
            return w * np.log(w) - w
        if self.name == "hypentropy":
            return w * np.arcsinh(w / self.beta) - np.hypot(w, self.beta)
        if self.name == "log-barrier":
            return -np.log(w)
        p = self.p
        return w ** p / (p * (p - 1))

    def dr(self, w):
        w = np.asarray(w, float)
        if self.name == "entropy":
            return np.log(w)
        if self.name == "hypentropy":
            return np.arcsinh(w / self.beta)
        if self.name == "log-barrier":
            return -1.0 / w
        return w ** (self.p - 1) / (self.p - 1)

    def d2r(self, w):
        w = np.asarray(w, float)
        if self.name == "entropy":
            return 1.0 / w
        if self.name == "hypentropy":
            return 1.0 / np.hypot(w, self.beta)
        if self.name == "log-barrier":
            return 1.0 / (w * w)
        return w ** (self.p - 2)

    def d3r(self, w):
        w = np.asarray(w, float)
        if self.name == "entropy":
            return -1.0 / (w * w)
        if self.name == "hypentropy":
            return -w / np.hypot(w, self.beta) ** 3
        if self.name == "log-barrier":
            return -2.0 / w ** 3
        return (self.p - 2) * w ** (self.p - 3)

    def dr_range(self) -> tuple[float, float]:
        """The open interval :math:`r'(\\mathrm{int\\,dom}\\,r)`."""
        if self.name in ("entropy", "hypentropy"):
            return (-math.inf, math.inf)
        if self.name == "log-barrier":
            return (-math.inf, 0.0)
        return (0.0, math.inf) if self.p > 1 else (-math.inf, 0.0)

    def dr_inv(self, theta):
        r""":math:`(r')^{-1}`; :class:`Inconclusive` outside the range of :math:`r'` (the flow left dom R)."""
        th = np.asarray(theta, float)
        lo, hi = self.dr_range()
        if np.any(th <= lo) or np.any(th >= hi):
            raise Inconclusive("leaves domain", f"theta = {np.array2string(th, precision=4)} is outside the range "
                               f"({lo}, {hi}) of r' for {self.label}")
        if self.name == "entropy":
            return np.exp(th)
        if self.name == "hypentropy":
            return self.beta * np.sinh(th)
        if self.name == "log-barrier":
            return -1.0 / th
        return ((self.p - 1) * th) ** (1.0 / (self.p - 1))

    # -- the map F with F' = sqrt(r'') and its inverse G ----------------------------------
    def x_interval(self, exponent: float = 0.5) -> tuple[float, float]:
        """The interval F(int dom r) on which G is defined."""
        if exponent == 1.0:
            return self.dr_range()
        if self.name in ("hypentropy", "log-barrier"):
            return (-math.inf, math.inf)
        if self.name == "entropy":
            return (0.0, math.inf)
        return (0.0, math.inf) if self.p > 0 else (-math.inf, 0.0)

    def F(self, w, exponent: float = 0.5):
        r""":math:`F` with :math:`F' = (r'')^{e}` in closed form (``e = 1/2``: Thm 5.1; ``e = 1``: :math:`F = r'`)."""
        if exponent == 1.0:
            return self.dr(w)
        _check_exponent(exponent)
        w = np.asarray(w, float)
        if self.name == "entropy":
            return 2.0 * np.sqrt(w)
        if self.name == "hypentropy":
            return math.sqrt(self.beta) * _E(np.arcsinh(w / self.beta))
        if self.name == "log-barrier":
            return np.log(w)
        return (2.0 / self.p) * w ** (self.p / 2)

    def G(self, x, exponent: float = 0.5):
        r""":math:`g = F^{-1}` in closed form (Newton for :math:`E^{-1}` in the hypentropy case)."""
        if exponent == 1.0:
            return self.dr_inv(x)
        _check_exponent(exponent)
        x = np.asarray(x, float)
        if self.name == "entropy":
            return 0.25 * x * x
        if self.name == "hypentropy":
            return self.beta * np.sinh(_E_inv(x / math.sqrt(self.beta)))
        if self.name == "log-barrier":
            return np.exp(x)
        return (0.5 * self.p * x) ** (2.0 / self.p)

    def dG(self, x, exponent: float = 0.5):
        r""":math:`g'(x) = 1/F'(g(x)) = r''(g)^{-e}`."""
        return self.d2r(self.G(x, exponent)) ** (-exponent)

    def d2G(self, x, exponent: float = 0.5):
        r""":math:`g''(x) = -e\,r'''(g)\,r''(g)^{-2e-1}` (differentiate :math:`r''(g)^{-e}` once more)."""
        w = self.G(x, exponent)
        return -exponent * self.d3r(w) * self.d2r(w) ** (-2 * exponent - 1)

    # -- quadrature route -----------------------------------------------------------------
    def reference_point(self) -> float:
        """Where the quadrature F is anchored: F(w_ref) matches the closed form there."""
        return 0.0 if self.name == "hypentropy" else 1.0

    def F_quad(self, w, exponent: float = 0.5) -> np.ndarray:
        r""":math:`F(w) = F(w_{ref}) + \int_{w_{ref}}^{w} r''(s)^{e}\,ds` by ``scipy.integrate.quad``."""
        w = np.atleast_1d(np.asarray(w, float))
        ref = self.reference_point()
        base = float(self.F(ref, exponent))
        out = np.empty_like(w)
        for k, wk in enumerate(w):
            val, _ = quad(lambda s: float(self.d2r(s)) ** exponent, ref, float(wk), epsabs=1e-14, epsrel=1e-13,
                          limit=200)
            out[k] = base + val
        return out

    def G_quad(self, x, exponent: float = 0.5) -> np.ndarray:
        """:math:`F^{-1}` by ``brentq`` on :meth:`F_quad` (F is increasing), bracketing from the reference point.

        Below the reference the bracket end moves by doubling steps (unbounded interval) or halves its
        distance to the finite end; above it, by doubling steps.
        """
        x = np.atleast_1d(np.asarray(x, float))
        lo_w, _ = self.w_interval
        ref = self.reference_point()
        out = np.empty_like(x)
        for k, xk in enumerate(x):
            f = lambda w: float(self.F_quad(w, exponent)[0]) - xk  # noqa: E731
            a = b = ref
            width = 1.0
            for _ in range(400):
                if f(a) <= 0 <= f(b):
                    break
                if f(a) > 0:
                    b, a = a, (a - width if math.isinf(lo_w) else lo_w + 0.5 * (a - lo_w))
                else:
                    a, b = b, b + width
                width *= 2
            else:
                raise Inconclusive("non-convergence", f"could not bracket F^-1({xk})")
            out[k] = a if a == b else brentq(f, a, b, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=300)
        return out

    # -- the Legendre function on R^d -----------------------------------------------------
    def on(self, d: int) -> "PerCoordinatePotential":
        r"""The potential :math:`\sum_{i<d} r(w_i)` on :math:`\mathbb{R}^d`."""
        return PerCoordinatePotential(self, d)


def _check_exponent(e: float) -> None:
    if e != 0.5:
        raise InvalidInput(f"closed forms exist for exponent 1/2 (Thm 5.1) and 1 (control), got {e}")


def as_potentials(potentials, d: int | None = None) -> tuple[ScalarPotential, ...]:
    """One potential per coordinate: a single potential is repeated ``d`` times; a sequence is checked."""
    if isinstance(potentials, ScalarPotential):
        if d is None or int(d) < 1:
            raise InvalidInput(f"a single potential needs a dimension d >= 1, got {d}")
        return (potentials,) * int(d)
    try:
        pots = tuple(potentials)
    except TypeError as exc:
        raise InvalidInput("potentials must be a ScalarPotential or a sequence of them") from exc
    if not pots or not all(isinstance(p, ScalarPotential) for p in pots):
        raise InvalidInput("potentials must be a ScalarPotential or a non-empty sequence of them")
    if d is not None and len(pots) != int(d):
        raise InvalidInput(f"{len(pots)} potentials given for dimension d = {d}")
    return pots


class _PerCoordinate:
    """Evaluate a :class:`ScalarPotential` method coordinate by coordinate, grouped by potential."""

    def __init__(self, pots: tuple[ScalarPotential, ...]) -> None:
        groups: dict[ScalarPotential, list[int]] = {}
        for i, p in enumerate(pots):
            groups.setdefault(p, []).append(i)
        self.groups = [(p, np.array(idx)) for p, idx in groups.items()]

    def __call__(self, method: str, x, *args) -> np.ndarray:
        x = np.asarray(x, float)
        if len(self.groups) == 1:
            return np.asarray(getattr(self.groups[0][0], method)(x, *args), float)
        out = np.empty(x.shape)
        for p, idx in self.groups:
            out[..., idx] = getattr(p, method)(x[..., idx], *args)
        return out


class PerCoordinatePotential:
    r""":math:`R(w) = \sum_i r_i(w_i)` with ``value/grad/hess/grad_inv/in_domain`` for :func:`oracles.flows.mirror_flow`.

    ``potentials``: one :class:`ScalarPotential` (the same r on every coordinate, with ``d``) or
    one per coordinate.
    """

    has_grad_inv = True

    def __init__(self, potentials, d: int | None = None) -> None:
        self.potentials = as_potentials(potentials, d)
        self.d = len(self.potentials)
        self._each = _PerCoordinate(self.potentials)
        self.name = "separable " + ", ".join(sorted({p.label for p in self.potentials}))

    def in_domain(self, w) -> bool:
        w = np.asarray(w, float)
        if w.shape != (self.d,) or not np.all(np.isfinite(w)):
            return False
        return all(p.w_interval[0] < wi < p.w_interval[1] for p, wi in zip(self.potentials, w))

    def value(self, w):
        return float(np.sum(self._each("r", w)))

    def grad(self, w):
        return self._each("dr", w)

    def hess(self, w):
        return np.diag(self._each("d2r", w))

    def grad_inv(self, theta):
        return self._each("dr_inv", theta)

    def __repr__(self) -> str:
        return self.name


# -----------------------------------------------------------------------------------------
@register
class ReverseParametrization(Coordinatewise):
    r"""The commuting parametrization :math:`G = F^{-1}` of Theorem 5.1 for a separable potential.

    :math:`G(x)_i = g_i(x_i)` with :math:`g_i = F_i^{-1}`, :math:`F_i' = (r_i'')^{e}`; D = d; the domain is
    the product of the intervals :math:`F_i(\mathrm{int\,dom}\,r_i)`. ``exponent = 1/2`` is the
    theorem's :math:`F' = \sqrt{r''}`; ``exponent = 1`` is the no-square-root control. ``method``:
    ``"closed"`` (default) or ``"quad"`` (quadrature F and ``brentq`` inverse; derivatives from r'', r''').

    Parameters
    ----------
    potentials
        A :class:`ScalarPotential` (or its name, with ``params``) for every coordinate, with ``d``;
        or a sequence of them, one per coordinate.
    d
        The dimension (required with a single potential).

    Serializable through ``to_spec()`` / :meth:`from_spec`:
    ``{"family": "reverse", "potentials": [{"potential": "entropy"}, ...], "exponent": 0.5, "method": "closed"}``.
    """

    def __init__(self, potentials, d: int | None = None, exponent: float = 0.5, method: str = "closed",
                 **params: float) -> None:
        if isinstance(potentials, str):
            potentials = ScalarPotential(potentials, **params)
        pots = as_potentials(potentials, d)
        if exponent not in (0.5, 1.0):
            raise InvalidInput(f"exponent must be 0.5 (Theorem 5.1) or 1.0 (control), got {exponent}")
        if method not in ("closed", "quad"):
            raise InvalidInput(f"method must be 'closed' or 'quad', got {method!r}")
        e = float(exponent)
        each = _PerCoordinate(pots)
        if method == "closed":
            def f(x):
                return each("G", x, e)
        else:
            def f(x):
                return each("G_quad", np.atleast_1d(x), e).reshape(np.shape(x))

        def df(x):
            return each("d2r", f(x)) ** (-e)

        def d2f(x):
            w = f(x)
            return -e * each("d3r", w) * each("d2r", w) ** (-2 * e - 1)

        def f_df(x):   # g and g' from one evaluation of g (E^{-1} is a Newton solve for hypentropy)
            w = f(x)
            return w, each("d2r", w) ** (-e)

        tag = "F' = sqrt(r'')" if e == 0.5 else "F' = r'' (no square root)"
        labels = sorted({p.label for p in pots})
        super().__init__(f, df, d2f, len(pots), name=f"Thm 5.1 G for {', '.join(labels)} [{tag}]", f_df=f_df)
        self.potentials, self.exponent, self.method, self._each = pots, e, method, each
        self._lo = np.array([p.x_interval(e)[0] for p in pots])
        self._hi = np.array([p.x_interval(e)[1] for p in pots])
        self.domain = " x ".join(f"({lo:g}, {hi:g})" for lo, hi in zip(self._lo, self._hi))

    def domain_margin(self, x):
        x = np.asarray(x, float)
        return float(min(np.min(x - self._lo), np.min(self._hi - x)))

    def F(self, w) -> np.ndarray:
        """The inverse map :math:`x = F(w)` (coordinatewise)."""
        return self._each("F", np.asarray(w, float), self.exponent)

    @property
    def potential(self) -> "PerCoordinatePotential":
        """The R whose mirror flow this G reproduces (for ``exponent = 1/2``), whatever the initialization."""
        return PerCoordinatePotential(self.potentials)

    def to_spec(self) -> dict[str, Any]:
        return {"family": "reverse", "potentials": [p.to_spec() for p in self.potentials],
                "exponent": self.exponent, "method": self.method}

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "ReverseParametrization":
        return cls([ScalarPotential.from_spec(p) for p in spec["potentials"]],
                   exponent=float(spec.get("exponent", 0.5)), method=spec.get("method", "closed"))


__all__ = ["POTENTIALS", "PerCoordinatePotential", "ReverseParametrization", "ScalarPotential", "as_potentials"]
