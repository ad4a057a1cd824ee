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
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np
from numpy.typing import ArrayLike
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


#: Nodes of the starting guess for :func:`_E_inv`: s = 0, h, ..., S with E(s) and :math:`1/E'(s)` there.
_E_STEP, _E_END = 0.05, 12.0
_E_S = np.arange(int(round(_E_END / _E_STEP)) + 1) * _E_STEP
_E_T = _E(_E_S)
_E_DS = 1.0 / np.sqrt(np.cosh(_E_S))
_E_S_LIST, _E_T_LIST, _E_DS_LIST = _E_S.tolist(), _E_T.tolist(), _E_DS.tolist()
#: Beyond the table, :math:`s_0 = S + 2\ln(1 + (t - E(S))/(\sqrt2 e^{S/2}))`.
_E_TAIL = math.sqrt(2.0) * math.exp(0.5 * _E_END)


def _E_inv_start(a: np.ndarray) -> np.ndarray:
    r"""A starting point for :func:`_E_inv` at :math:`a = |t|`, within 2e-8 of :math:`E^{-1}(a)`.

    Inside the table (:math:`a \le E(12)`): cubic Hermite interpolation of :math:`E^{-1}` between the nodes
    :math:`s_k = 0.05k` (values :math:`s_k`, slopes :math:`1/E'(s_k) = \cosh(s_k)^{-1/2}`). Beyond it:
    :math:`E(s) - E(S) \ge \sqrt2(e^{s/2} - e^{S/2})` (:math:`\sqrt{\cosh\sigma} \ge e^{\sigma/2}/\sqrt2`),
    so :math:`s_0 = S + 2\ln(1 + (a - E(S))/(\sqrt2e^{S/2})) \ge s^*`, off by less than 1e-11 for S = 12.
    """
    last = _E_T.size - 1
    k = np.clip(np.searchsorted(_E_T, a, side="right") - 1, 0, last - 1)
    t0, width = _E_T[k], _E_T[k + 1] - _E_T[k]
    with np.errstate(invalid="ignore"):  # a = inf or NaN
        u = (a - t0) / width
        v = 1.0 - u
        inner = v * v * ((1.0 + 2.0 * u) * _E_S[k] + u * width * _E_DS[k]) + u * u * (
            (3.0 - 2.0 * u) * _E_S[k + 1] - v * width * _E_DS[k + 1]
        )
        outer = _E_END + 2.0 * np.log1p(np.maximum(a - _E_T[last], 0.0) / _E_TAIL)
    return np.where(a > _E_T[last], outer, inner)


def _E_inv_scalar(a: float) -> float:
    """:func:`_E_inv` for one finite ``a = |t|`` below 1e100, in Python floats (the same start and Newton steps)."""
    T = _E_T_LIST
    if a > T[-1]:
        s = _E_END + 2.0 * math.log1p((a - T[-1]) / _E_TAIL)
    else:
        k = min(bisect_right(T, a), len(T) - 1) - 1
        t0, width = T[k], T[k + 1] - T[k]
        u = (a - t0) / width
        v = 1.0 - u
        s = v * v * ((1.0 + 2.0 * u) * _E_S_LIST[k] + u * width * _E_DS_LIST[k]) + u * u * (
            (3.0 - 2.0 * u) * _E_S_LIST[k + 1] - v * width * _E_DS_LIST[k + 1]
        )
    for _ in range(60):
        sh = math.sinh(s)
        new = s - (sh * float(hyp2f1(0.25, 0.5, 1.5, -sh * sh)) - a) / math.sqrt(math.cosh(s))
        if new < 0.0:
            new = 0.0
        done = abs(new - s) <= _EPS8 * max(1.0, abs(s))
        s = new
        if done:
            break
    return s


def _E_inv(t):
    r""":math:`E^{-1}(t)` by Newton's method (odd extension to t < 0).

    On s ≥ 0, E is increasing and convex, so Newton iterates started at any :math:`s_0 \ge s^*` decrease
    monotonically to the root :math:`s^*`, and from :math:`s_0 < s^*` the first step lands to the right of it.
    The start (:func:`_E_inv_start`) is within 2e-8 of the root, so one step reaches it to rounding and a
    second confirms (the step falls below :math:`8\varepsilon\max(1, s)`). Small arrays (a flow's
    right-hand side) are solved entry by entry in Python floats, which is several times faster than array
    arithmetic on one or two entries.
    """
    t = np.asarray(t, float)
    if t.size <= 4 and t.ndim <= 1:
        vals = t.tolist() if t.ndim else [float(t)]
        if all(abs(v) < 1e100 for v in vals):  # finite, and sinh/cosh of the iterates cannot overflow
            out = [math.copysign(_E_inv_scalar(abs(v)), v) if v else 0.0 for v in vals]
            return np.array(out) if t.ndim else np.float64(out[0])
    a = np.abs(t)
    s = _E_inv_start(a)
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

    def r(self, w: ArrayLike) -> np.ndarray:
        w = np.asarray(w, float)
        if self.name == "entropy":
            return w * np.log(w) - w
        if self.name == "hypentropy":
            return w * np.arcsinh(w / self.beta) - np.hypot(w, self.beta)
        if self.name == "log-barrier":
            return -np.log(w)
        p = self.p
        return w**p / (p * (p - 1))

    def dr(self, w: ArrayLike) -> np.ndarray:
        w = np.asarray(w, float)
        if self.name == "entropy":
            return np.log(w)
        if self.name == "hypentropy":
            return np.arcsinh(w / self.beta)
        if self.name == "log-barrier":
            return -1.0 / w
        return w ** (self.p - 1) / (self.p - 1)

    def d2r(self, w: ArrayLike) -> np.ndarray:
        return _closed_forms(self).d2r(np.asarray(w, float))

    def d3r(self, w: ArrayLike) -> np.ndarray:
        w = np.asarray(w, float)
        if self.name == "entropy":
            return -1.0 / (w * w)
        if self.name == "hypentropy":
            return -w / np.hypot(w, self.beta) ** 3
        if self.name == "log-barrier":
            return -2.0 / w**3
        return (self.p - 2) * w ** (self.p - 3)

    def dr_range(self) -> tuple[float, float]:
        """The open interval :math:`r'(\\mathrm{int\\,dom}\\,r)`."""
        if self.name in ("entropy", "hypentropy"):
            return (-math.inf, math.inf)
        if self.name == "log-barrier":
            return (-math.inf, 0.0)
        return (0.0, math.inf) if self.p > 1 else (-math.inf, 0.0)

    def dr_inv(self, theta: ArrayLike) -> np.ndarray:
        r""":math:`(r')^{-1}`; :class:`Inconclusive` outside the range of :math:`r'` (the flow left dom R)."""
        th = np.asarray(theta, float)
        lo, hi = self.dr_range()
        if _outside(th, lo, hi):
            raise Inconclusive(
                "leaves domain",
                f"theta = {np.array2string(th, precision=4)} is outside the range ({lo}, {hi}) of r' for {self.label}",
            )
        return _closed_forms(self).dr_inv(th)

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

    def F(self, w: ArrayLike, exponent: float = 0.5) -> np.ndarray:
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

    def G(self, x: ArrayLike, exponent: float = 0.5) -> np.ndarray:
        r""":math:`g = F^{-1}` in closed form (Newton for :math:`E^{-1}` in the hypentropy case)."""
        if exponent == 1.0:
            return self.dr_inv(x)
        _check_exponent(exponent)
        return _closed_forms(self).g(np.asarray(x, float))

    def dG(self, x: ArrayLike, exponent: float = 0.5) -> np.ndarray:
        r""":math:`g'(x) = 1/F'(g(x)) = r''(g)^{-e}`."""
        return self.d2r(self.G(x, exponent)) ** (-exponent)

    def G_dG(self, x: ArrayLike, exponent: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        r""":math:`(g(x), g'(x))` from one evaluation of g (a Newton solve for hypentropy)."""
        if exponent == 0.5:
            return _closed_forms(self).g_dg(np.asarray(x, float))
        w = self.G(x, exponent)
        return w, self.d2r(w) ** (-exponent)

    def d2G(self, x: ArrayLike, exponent: float = 0.5) -> np.ndarray:
        r""":math:`g''(x) = -e\,r'''(g)\,r''(g)^{-2e-1}` (differentiate :math:`r''(g)^{-e}` once more)."""
        w = self.G(x, exponent)
        return -exponent * self.d3r(w) * self.d2r(w) ** (-2 * exponent - 1)

    # -- quadrature route -----------------------------------------------------------------
    def reference_point(self) -> float:
        """Where the quadrature F is anchored: F(w_ref) matches the closed form there."""
        return 0.0 if self.name == "hypentropy" else 1.0

    def F_quad(self, w: ArrayLike, exponent: float = 0.5) -> np.ndarray:
        r""":math:`F(w) = F(w_{ref}) + \int_{w_{ref}}^{w} r''(s)^{e}\,ds` by ``scipy.integrate.quad``."""
        w = np.atleast_1d(np.asarray(w, float))
        ref = self.reference_point()
        base = float(self.F(ref, exponent))
        out = np.empty_like(w)
        for k, wk in enumerate(w):
            val, _ = quad(
                lambda s: float(self.d2r(s)) ** exponent, ref, float(wk), epsabs=1e-14, epsrel=1e-13, limit=200
            )
            out[k] = base + val
        return out

    def G_quad(self, x: ArrayLike, exponent: float = 0.5) -> np.ndarray:
        """:math:`F^{-1}` by ``brentq`` on :meth:`F_quad` (F is increasing), bracketing from the reference point.

        Below the reference the bracket end moves by doubling steps (unbounded interval) or halves its
        distance to the finite end; above it, by doubling steps.
        """
        x = np.atleast_1d(np.asarray(x, float))
        lo_w, _ = self.w_interval
        ref = self.reference_point()
        out = np.empty_like(x)
        for k, xk in enumerate(x):
            f = lambda w: float(self.F_quad(w, exponent)[0]) - xk  # noqa: E731, B023 -- called in this iteration only
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


class _ClosedForms(NamedTuple):
    """The closed forms of one :class:`ScalarPotential` that flows evaluate: on float arrays, and on one float."""

    d2r: Callable[[np.ndarray], np.ndarray]
    dr_inv: Callable[[np.ndarray], np.ndarray]
    g: Callable[[np.ndarray], np.ndarray]
    g_dg: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    dr_inv_float: Callable[[float], float]
    g_dg_float: Callable[[float], tuple[float, float]]


@lru_cache(maxsize=None)
def _closed_forms(pot: ScalarPotential) -> _ClosedForms:
    r""":math:`r''`, :math:`(r')^{-1}` (no range check), :math:`g = F^{-1}` and :math:`(g, g' = r''(g)^{-1/2})` for ``pot``.

    The table of the module docstring, with the potential's name and parameters resolved once: these run
    inside the flows' right-hand sides, where looking them up at every call was a large part of the cost.
    The ``*_float`` versions take and return Python floats (the same formulas through :mod:`math`, equal to
    the array versions up to rounding); they may raise ``ArithmeticError`` or return non-finite or complex
    values where the array versions return ``inf`` or ``nan`` (see :meth:`_PerCoordinate.bind_floats`).
    """
    # one variant per potential below; np.exp and math.exp serve as some of them
    d2r: Callable[[Any], Any]
    dr_inv: Callable[[Any], Any]
    g: Callable[[Any], Any]
    dr_inv_float: Callable[[float], float]
    g_dg_float: Callable[[float], tuple[float, float]]
    if pot.name == "entropy":

        def d2r(w):
            return 1.0 / w

        def g(x):
            return 0.25 * x * x

        def g_dg_float(x):
            w = 0.25 * x * x
            return w, (1.0 / w) ** -0.5

        dr_inv, dr_inv_float = np.exp, math.exp
    elif pot.name == "hypentropy":
        beta, root = pot.beta, math.sqrt(pot.beta)

        def d2r(w):
            return 1.0 / np.hypot(w, beta)

        def dr_inv(th):
            return beta * np.sinh(th)

        def g(x):
            return beta * np.sinh(_E_inv(x / root))

        def dr_inv_float(th):
            return beta * math.sinh(th)

        def g_dg_float(x):
            t = x / root
            if not abs(t) < 1e100:  # infinite or NaN: left to the array version
                return math.nan, math.nan
            w = beta * math.sinh(math.copysign(_E_inv_scalar(abs(t)), t))
            return w, (1.0 / math.hypot(w, beta)) ** -0.5
    elif pot.name == "log-barrier":

        def d2r(w):
            return 1.0 / (w * w)

        def dr_inv(th):
            return -1.0 / th

        def dr_inv_float(th):
            return -1.0 / th

        def g_dg_float(x):
            w = math.exp(x)
            return w, (1.0 / (w * w)) ** -0.5

        g = np.exp
    else:
        p = pot.p
        p2, p1, inv_p1, half_p, two_p = p - 2, p - 1, 1.0 / (p - 1), 0.5 * p, 2.0 / p

        def d2r(w):
            return w**p2

        def dr_inv(th):
            return (p1 * th) ** inv_p1

        def g(x):
            return (half_p * x) ** two_p

        def dr_inv_float(th):
            return (p1 * th) ** inv_p1

        def g_dg_float(x):
            w = (half_p * x) ** two_p
            return w, (w**p2) ** -0.5

    def g_dg(x):
        w = g(x)
        return w, d2r(w) ** -0.5

    return _ClosedForms(d2r, dr_inv, g, g_dg, dr_inv_float, g_dg_float)


def _outside(th: np.ndarray, lo: float, hi: float) -> bool:
    """Whether an entry of ``th`` is ``<= lo`` or ``>= hi`` (NaN is neither), in Python floats (a few entries)."""
    for v in th.ravel().tolist():
        if v <= lo or v >= hi:
            return True
    return False


def _check_exponent(e: float) -> None:
    if e != 0.5:
        raise InvalidInput(f"closed forms exist for exponent 1/2 (Thm 5.1) and 1 (control), got {e}")


def as_potentials(
    potentials: ScalarPotential | Sequence[ScalarPotential], d: int | None = None
) -> tuple[ScalarPotential, ...]:
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


def _index(idx: list[int]):
    """The coordinates ``idx`` (increasing) as a slice when they are equally spaced (a view, faster than a list)."""
    step = idx[1] - idx[0] if len(idx) > 1 else 1
    if all(b - a == step for a, b in zip(idx, idx[1:])):
        return slice(idx[0], idx[-1] + 1, step)
    return np.array(idx)


class _PerCoordinate:
    """Evaluate a :class:`ScalarPotential` method coordinate by coordinate, grouped by potential.

    ``each(method, x, *args)`` looks the method up at every call; :meth:`bind` and :meth:`bind_pair` look it
    up once and return the evaluation as a function of ``x`` alone (what an ODE right-hand side calls).
    """

    def __init__(self, pots: tuple[ScalarPotential, ...]) -> None:
        self.potentials = pots
        groups: dict[ScalarPotential, list[int]] = {}
        for i, p in enumerate(pots):
            groups.setdefault(p, []).append(i)
        self.groups = [(p, _index(idx)) for p, idx in groups.items()]

    def __call__(self, method: str, x, *args) -> np.ndarray:
        x = np.asarray(x, float)
        if len(self.groups) == 1:
            return np.asarray(getattr(self.groups[0][0], method)(x, *args), float)
        out = np.empty(x.shape)
        for p, idx in self.groups:
            out[..., idx] = getattr(p, method)(x[..., idx], *args)
        return out

    def bind(self, make: Callable[[ScalarPotential], Callable]) -> Callable[[Any], np.ndarray]:
        """``x -> out`` with ``out[..., idx] = make(p)(x[..., idx])`` for every group ``(p, idx)``, made once."""
        parts = [(make(p), idx) for p, idx in self.groups]
        asarray, empty = np.asarray, np.empty
        if len(parts) == 1:
            fn = parts[0][0]
            return lambda x: asarray(fn(asarray(x, float)), float)

        def call(x):
            x = asarray(x, float)
            out = empty(x.shape)
            for fn, idx in parts:
                out[..., idx] = fn(x[..., idx])
            return out

        return call

    def bind_pair(self, make: Callable[[ScalarPotential], Callable]) -> Callable[[Any], tuple[np.ndarray, np.ndarray]]:
        """:meth:`bind` for functions returning two arrays of the shape of their argument (as ``g_dg``)."""
        parts = [(make(p), idx) for p, idx in self.groups]
        asarray, empty = np.asarray, np.empty

        def call(x):
            x = asarray(x, float)
            if len(parts) == 1:
                a, b = parts[0][0](x)
                return asarray(a, float), asarray(b, float)
            a, b = empty(x.shape), empty(x.shape)
            for fn, idx in parts:
                a[..., idx], b[..., idx] = fn(x[..., idx])
            return a, b

        return call

    def bind_floats(self, make_float: Callable[[ScalarPotential], Callable], fallback: Callable):
        """``x -> fallback(x)``, computed entry by entry in Python floats for a 1-D ``x`` of finite results.

        ``make_float(p)`` maps one float to a tuple of floats (the entries of the outputs of ``fallback``); on a
        flow's few coordinates this costs a fraction of the array arithmetic. Where an entry overflows, divides
        by zero or is not finite (the array version's ``inf`` and ``nan``, possibly with its own error),
        ``fallback`` computes the whole result, so those cases behave exactly as the array version.
        """
        fns = [make_float(p) for p in self.potentials]
        asarray, array, isfinite = np.asarray, np.array, math.isfinite

        def call(x):
            x = asarray(x, float)
            if x.ndim == 1 and x.size == len(fns):
                try:
                    cols = tuple(zip(*[fn(v) for fn, v in zip(fns, x.tolist())]))
                    if isfinite(sum(sum(c) for c in cols)):
                        return tuple(array(c) for c in cols)
                except (ArithmeticError, TypeError):  # overflow, 0 ** negative; complex from a negative base
                    pass
            return fallback(x)

        return call


class PerCoordinatePotential:
    r""":math:`R(w) = \sum_i r_i(w_i)` with ``value/grad/hess/grad_inv/in_domain`` for :func:`oracles.flows.mirror_flow`.

    ``potentials``: one :class:`ScalarPotential` (the same r on every coordinate, with ``d``) or
    one per coordinate.
    """

    has_grad_inv = True

    def __init__(self, potentials: ScalarPotential | Sequence[ScalarPotential], d: int | None = None) -> None:
        self.potentials = as_potentials(potentials, d)
        self.d = len(self.potentials)
        self._each = _PerCoordinate(self.potentials)
        self._grad_inv = self._each.bind(lambda p: p.dr_inv)
        self._dr_inv_floats = [(*p.dr_range(), _closed_forms(p).dr_inv_float) for p in self.potentials]
        self.name = "separable " + ", ".join(sorted({p.label for p in self.potentials}))

    def in_domain(self, w: ArrayLike) -> bool:
        w = np.asarray(w, float)
        if w.shape != (self.d,) or not np.all(np.isfinite(w)):
            return False
        return all(p.w_interval[0] < wi < p.w_interval[1] for p, wi in zip(self.potentials, w))

    def value(self, w: ArrayLike) -> float:
        return float(np.sum(self._each("r", w)))

    def grad(self, w: ArrayLike) -> np.ndarray:
        return self._each("dr", w)

    def hess(self, w: ArrayLike) -> np.ndarray:
        return np.diag(self._each("d2r", w))

    def grad_inv(self, theta: ArrayLike) -> np.ndarray:
        r""":math:`(\nabla R)^{-1}`, entry by entry in Python floats when all of ``theta`` (1-D) is inside the
        range of :math:`\nabla R` and the result is finite; else (or for 2-D ``theta``) the array version."""
        th = np.asarray(theta, float)
        if th.ndim == 1 and th.size == self.d:
            w = []
            try:
                for (lo, hi, inv), v in zip(self._dr_inv_floats, th.tolist()):
                    if not lo < v < hi:  # outside (or NaN): the array version raises or returns NaN
                        break
                    w.append(inv(v))
                else:
                    if math.isfinite(sum(w)):
                        return np.array(w)
            except ArithmeticError:  # overflow: the array version returns inf
                pass
        return self._grad_inv(th)

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

    def __init__(
        self,
        potentials: str | ScalarPotential | Sequence[ScalarPotential],
        d: int | None = None,
        exponent: float = 0.5,
        method: str = "closed",
        **params: float,
    ) -> None:
        if isinstance(potentials, str):
            potentials = ScalarPotential(potentials, **params)
        pots = as_potentials(potentials, d)
        if exponent not in (0.5, 1.0):
            raise InvalidInput(f"exponent must be 0.5 (Theorem 5.1) or 1.0 (control), got {exponent}")
        if method not in ("closed", "quad"):
            raise InvalidInput(f"method must be 'closed' or 'quad', got {method!r}")
        e = float(exponent)
        each = _PerCoordinate(pots)
        d2r, d3r = each.bind(lambda p: _closed_forms(p).d2r), each.bind(lambda p: p.d3r)
        if method == "closed":
            if e == 0.5:  # the closed forms themselves, nothing looked up per call
                f = each.bind(lambda p: _closed_forms(p).g)
                # g and g' from one evaluation of g, in Python floats where all is finite
                f_df = each.bind_floats(
                    lambda p: _closed_forms(p).g_dg_float, each.bind_pair(lambda p: _closed_forms(p).g_dg)
                )
            else:
                f = each.bind(lambda p: partial(p.G, exponent=e))
                f_df = each.bind_pair(lambda p: partial(p.G_dG, exponent=e))

            def df(x):
                return f_df(x)[1]
        else:

            def f(x):
                return each("G_quad", np.atleast_1d(x), e).reshape(np.shape(x))

            def df(x):
                return d2r(f(x)) ** (-e)

            def f_df(x):
                w = f(x)
                return w, d2r(w) ** (-e)

        def d2f(x):
            w = f(x)
            return -e * d3r(w) * d2r(w) ** (-2 * e - 1)

        tag = "F' = sqrt(r'')" if e == 0.5 else "F' = r'' (no square root)"
        labels = sorted({p.label for p in pots})
        super().__init__(f, df, d2f, len(pots), name=f"Thm 5.1 G for {', '.join(labels)} [{tag}]", f_df=f_df)
        self.potentials, self.exponent, self.method, self._each = pots, e, method, each
        self._lo = np.array([p.x_interval(e)[0] for p in pots])
        self._hi = np.array([p.x_interval(e)[1] for p in pots])
        self.domain = " x ".join(f"({lo:g}, {hi:g})" for lo, hi in zip(self._lo, self._hi))

    def domain_margin(self, x: np.ndarray) -> float:
        x = np.asarray(x, float)
        return float(min((x - self._lo).min(), (self._hi - x).min()))

    def F(self, w: ArrayLike) -> np.ndarray:
        """The inverse map :math:`x = F(w)` (coordinatewise)."""
        return self._each("F", np.asarray(w, float), self.exponent)

    @property
    def potential(self) -> "PerCoordinatePotential":
        """The R whose mirror flow this G reproduces (for ``exponent = 1/2``), whatever the initialization."""
        return PerCoordinatePotential(self.potentials)

    def to_spec(self) -> dict[str, Any]:
        return {
            "family": "reverse",
            "potentials": [p.to_spec() for p in self.potentials],
            "exponent": self.exponent,
            "method": self.method,
        }

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "ReverseParametrization":
        return cls(
            [ScalarPotential.from_spec(p) for p in spec["potentials"]],
            exponent=float(spec.get("exponent", 0.5)),
            method=spec.get("method", "closed"),
        )


__all__ = ["POTENTIALS", "PerCoordinatePotential", "ReverseParametrization", "ScalarPotential", "as_potentials"]
