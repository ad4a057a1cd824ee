r"""Shallow univariate networks, bias densities, initialization and mirror potentials.

Network (slides, "Setting")
---------------------------
.. math::
    f(x, \theta) = \sum_{j=1}^n a_j\,\sigma(w_j x - b_j) + d, \qquad \sigma \in \{\mathrm{ReLU}, |\cdot|\},

with :math:`w_j` uniform on :math:`\{\pm1\}`, :math:`b_j \sim p_B` (continuous, symmetric about 0),
:math:`a_j \sim \mathcal A/\sqrt n` and :math:`d \sim \mathcal D`. All of :math:`\theta = (w, b, a, d)` are
trained. Initialization is *nested*: for a seed, the first ``n`` units of every width are the same
(:func:`init_params`), so a ladder of widths follows one sample path of the random-feature measure.

Potentials
----------
Separable :math:`\Phi(\theta) = \sum_k \phi(\theta_k - \hat\theta_k)` (unscaled) or
:math:`n^{-2}\sum_k \phi(n(\theta_k - \hat\theta_k))` (scaled), with

.. math::
    \phi(x) = c_\psi\,\psi(x) + c_2 x^2, \qquad \psi \in \{0,\ |x|^3,\ x^4,\ \cosh x\}.

The dual variable of coordinate k is :math:`\zeta_k = \partial_k\Phi = s^{-1}\phi'(s\,\delta_k)`
(:math:`s = 1` unscaled, :math:`s = n` scaled, :math:`\delta = \theta - \hat\theta`), and the flow is
:math:`\dot\zeta = -\eta\nabla L(\theta)`; :math:`(\phi')^{-1}` is closed form except for
:math:`\cosh + c_2x^2` (monotone Newton, see :meth:`MirrorPotential.grad_inv`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from oracles.core.errors import InvalidInput
from oracles.core.specs import register

ACTIVATIONS = ("relu", "abs")


# ----------------------------------------------------------------------------------------- activations
def sigma(z: np.ndarray, activation: str | np.ndarray) -> np.ndarray:
    r"""The activation :math:`\sigma(z)`: ``relu`` (:math:`\max(z, 0)`) or ``abs`` (:math:`|z|`).

    ``activation`` may be a boolean array (True = abs) broadcastable against ``z``.
    """
    if isinstance(activation, str):
        _check_activation(activation)
        return np.abs(z) if activation == "abs" else np.maximum(z, 0.0)
    return np.where(activation, np.abs(z), np.maximum(z, 0.0))


def dsigma(z: np.ndarray, activation: str | np.ndarray) -> np.ndarray:
    r"""The a.e. derivative :math:`\sigma'(z)`: :math:`1[z > 0]` (ReLU) or :math:`\mathrm{sign}(z)` (abs)."""
    if isinstance(activation, str):
        _check_activation(activation)
        return np.sign(z) if activation == "abs" else (z > 0).astype(float)
    return np.where(activation, np.sign(z), (z > 0).astype(float))


def _check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise InvalidInput(f"activation must be one of {ACTIVATIONS}, got {activation!r}")


# ----------------------------------------------------------------------------------------- densities
def _gauss_legendre(q: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes and weights on [0, 1]."""
    t, w = np.polynomial.legendre.leggauss(q)
    return 0.5 * (t + 1.0), 0.5 * w


class Density:
    r"""A bias density :math:`p_B` on a compact support ``[lo, hi]``.

    Subclasses provide :meth:`pdf`, :meth:`moments` (exact: closed form or exact quadrature) and
    :meth:`ppf` (inverse CDF, for nested sampling).
    """

    lo: float
    hi: float
    name: str = "density"

    def pdf(self, x: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def ppf(self, u: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def moments(
        self, a: ArrayLike, b: ArrayLike, kmax: int, center: ArrayLike = 0.0
    ) -> np.ndarray:  # pragma: no cover - abstract
        r""":math:`M_k = \int_a^b p_B(x)(x - c)^k\,dx` for ``k = 0..kmax``, shape ``broadcast(a, b, c) + (kmax+1,)``.

        ``a`` and ``b`` are clipped to the support; ``a ≤ b`` elementwise is required.
        """
        raise NotImplementedError

    @property
    def second_moment(self) -> float:
        r""":math:`E[B^2] = \int x^2 p_B(x)\,dx`."""
        return float(self.moments(self.lo, self.hi, 2, 0.0)[2])

    @property
    def window(self) -> tuple[float, float]:
        """Where gaps are measured and data drawn: the support ``(lo, hi)`` (compact densities)."""
        return float(self.lo), float(self.hi)

    def symmetry_defect(self) -> float:
        r"""``max |p(x) − p(−x)|`` on 257 points, plus ``|lo + hi|``: 0 for a density symmetric about 0."""
        x = np.linspace(0.0, max(abs(self.lo), abs(self.hi)), 257)
        inside = (x >= self.lo) & (x <= self.hi) & (-x >= self.lo) & (-x <= self.hi)
        gap = np.abs(self.pdf(x) - self.pdf(-x))[inside]
        return float(abs(self.lo + self.hi) + (gap.max() if gap.size else 0.0))

    def require_symmetric(self, name: str = "density") -> None:
        """Raise :class:`InvalidInput` naming ``name`` unless p_B is symmetric about 0 (the slides' (W,B) ≐ (−W,−B))."""
        defect = self.symmetry_defect()
        scale = float(np.max(self.pdf(np.linspace(self.lo, self.hi, 65))))
        if defect > 1e-12 * max(1.0, scale, abs(self.lo), abs(self.hi)):
            raise InvalidInput(
                f"{name} must be symmetric about 0 ((W, B) has the law of (−W, −B)); "
                f"{self.name} has asymmetry {defect:.3g}"
            )

    def to_spec(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "Density":
        """Inverse of :meth:`to_spec` (JSON round trip of examples)."""
        return density_from_spec(spec)


def _clip_interval(density: Density, a: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = cast(np.ndarray, np.clip(np.asarray(a, float), density.lo, density.hi))
    b = cast(np.ndarray, np.clip(np.asarray(b, float), density.lo, density.hi))
    if np.any(b < a):
        raise InvalidInput("moments: need a <= b elementwise")
    return a, b


@register
@dataclass(frozen=True)
class Uniform(Density):
    r"""Uniform :math:`p_B = 1/(hi - lo)` on ``[lo, hi]`` (symmetric iff ``lo = −hi``)."""

    lo: float = -1.0
    hi: float = 1.0
    name: str = "uniform"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lo) and math.isfinite(self.hi) and self.hi > self.lo):
            raise InvalidInput(f"density: uniform needs finite lo < hi, got [{self.lo}, {self.hi}]")

    def pdf(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, float)
        return np.where((x >= self.lo) & (x <= self.hi), 1.0 / (self.hi - self.lo), 0.0)

    def ppf(self, u: ArrayLike) -> np.ndarray:
        return self.lo + np.asarray(u, float) * (self.hi - self.lo)

    def moments(self, a: ArrayLike, b: ArrayLike, kmax: int, center: ArrayLike = 0.0) -> np.ndarray:
        """Closed form: :math:`((b-c)^{k+1} - (a-c)^{k+1}) / ((k+1)(hi-lo))`."""
        a, b = _clip_interval(self, a, b)
        c = np.asarray(center, float)
        k = np.arange(kmax + 1)
        A, B, C = np.broadcast_arrays(a, b, c)
        return ((B[..., None] - C[..., None]) ** (k + 1) - (A[..., None] - C[..., None]) ** (k + 1)) / (
            (k + 1) * (self.hi - self.lo)
        )

    def to_spec(self) -> dict[str, Any]:
        return {"kind": "uniform", "lo": self.lo, "hi": self.hi}


@register
@dataclass(frozen=True)
class TruncatedNormal(Density):
    r"""Normal :math:`N(\mu, s^2)` truncated to ``[lo, hi]`` (symmetric iff ``mu = 0`` and ``lo = −hi``).

    Moments are exact: :math:`M_0` from ``ndtr`` and, with :math:`u = x - c`,
    :math:`M_{k+1} = s^2(kM_{k-1} - [u^kp]_a^b) - (c - \mu)M_k` (integration by parts).
    """

    scale: float = 0.5
    lo: float = -1.0
    hi: float = 1.0
    mu: float = 0.0
    name: str = "truncated normal"

    def __post_init__(self) -> None:
        if not (self.scale > 0 and math.isfinite(self.scale)):
            raise InvalidInput(f"density: truncated normal needs scale > 0, got {self.scale}")
        if not (math.isfinite(self.lo) and math.isfinite(self.hi) and self.hi > self.lo):
            raise InvalidInput(f"density: truncated normal needs finite lo < hi, got [{self.lo}, {self.hi}]")

    @property
    def _mass(self) -> float:
        return float(_ndtr_diff((self.lo - self.mu) / self.scale, (self.hi - self.mu) / self.scale))

    def pdf(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, float)
        z = (x - self.mu) / self.scale
        val = np.exp(-0.5 * z * z) / (self.scale * math.sqrt(2 * math.pi) * self._mass)
        return np.where((x >= self.lo) & (x <= self.hi), val, 0.0)

    def ppf(self, u: ArrayLike) -> np.ndarray:
        za, zb = (self.lo - self.mu) / self.scale, (self.hi - self.mu) / self.scale
        pa, pb = special.ndtr(za), special.ndtr(zb)
        x = self.mu + self.scale * special.ndtri(pa + np.asarray(u, float) * (pb - pa))
        return np.clip(x, self.lo, self.hi)

    def moments(self, a: ArrayLike, b: ArrayLike, kmax: int, center: ArrayLike = 0.0) -> np.ndarray:
        a, b = _clip_interval(self, a, b)
        A, B, C = np.broadcast_arrays(a, b, np.asarray(center, float))
        s2 = self.scale**2
        out = np.empty(A.shape + (kmax + 1,))
        out[..., 0] = _ndtr_diff((A - self.mu) / self.scale, (B - self.mu) / self.scale) / self._mass
        pa, pb = self.pdf(A), self.pdf(B)
        ua, ub = A - C, B - C
        for k in range(kmax):
            prev = out[..., k - 1] if k >= 1 else 0.0
            bracket = ub**k * pb - ua**k * pa
            out[..., k + 1] = s2 * (k * prev - bracket) - (C - self.mu) * out[..., k]
        return out

    def to_spec(self) -> dict[str, Any]:
        return {"kind": "truncated normal", "scale": self.scale, "lo": self.lo, "hi": self.hi, "mu": self.mu}


@register
@dataclass(frozen=True)
class Normal(TruncatedNormal):
    r"""The normal :math:`N(\mu, s^2)` on the whole line: a sub-Gaussian B with unbounded support (the slides'
    general assumption; only the scaled theorem asks for a compact support). Symmetric iff ``mu = 0``.

    ``lo, hi = ∓∞``; moments are those of :class:`TruncatedNormal` with the boundary terms at ±∞ set to 0.
    :attr:`window` (``mu ∓ 3s``) is where gaps are measured and data are drawn (the density there is at
    least e^{-4.5} ≈ 1.1 % of its peak).
    """

    scale: float = 0.5
    lo: float = -math.inf
    hi: float = math.inf
    mu: float = 0.0
    name: str = "normal"

    def __post_init__(self) -> None:
        if not (self.scale > 0 and math.isfinite(self.scale)):
            raise InvalidInput(f"density: normal needs a finite scale > 0, got {self.scale}")
        if not math.isfinite(self.mu):
            raise InvalidInput(f"density: normal needs a finite mu, got {self.mu}")
        if self.lo != -math.inf or self.hi != math.inf:
            raise InvalidInput(f"density: normal has support (−∞, ∞), got [{self.lo}, {self.hi}] (use TruncatedNormal)")

    @property
    def _mass(self) -> float:
        return 1.0

    @property
    def window(self) -> tuple[float, float]:
        return self.mu - 3.0 * self.scale, self.mu + 3.0 * self.scale

    def ppf(self, u: ArrayLike) -> np.ndarray:
        u = np.clip(np.asarray(u, float), 1e-300, 1.0 - 2**-53)  # u = 0 would give −∞
        return self.mu + self.scale * special.ndtri(u)

    def moments(self, a: ArrayLike, b: ArrayLike, kmax: int, center: ArrayLike = 0.0) -> np.ndarray:
        a, b = _clip_interval(self, a, b)
        A, B, C = np.broadcast_arrays(a, b, np.asarray(center, float))
        s2 = self.scale**2
        out = np.empty(A.shape + (kmax + 1,))
        out[..., 0] = _ndtr_diff((A - self.mu) / self.scale, (B - self.mu) / self.scale)
        fa, fb = np.isfinite(A), np.isfinite(B)
        pa, pb = self.pdf(np.where(fa, A, 0.0)), self.pdf(np.where(fb, B, 0.0))
        ua, ub = np.where(fa, A - C, 0.0), np.where(fb, B - C, 0.0)
        for k in range(kmax):
            prev = out[..., k - 1] if k >= 1 else 0.0
            bracket = np.where(fb, ub**k * pb, 0.0) - np.where(fa, ua**k * pa, 0.0)
            out[..., k + 1] = s2 * (k * prev - bracket) - (C - self.mu) * out[..., k]
        return out

    def symmetry_defect(self) -> float:
        return abs(self.mu)

    def require_symmetric(self, name: str = "density") -> None:
        if self.mu != 0.0:
            raise InvalidInput(
                f"{name} must be symmetric about 0 ((W, B) has the law of (−W, −B)); {self.name} has mean {self.mu}"
            )

    def to_spec(self) -> dict[str, Any]:
        return {"kind": "normal", "scale": self.scale, "mu": self.mu}


def _ndtr_diff(za: ArrayLike, zb: ArrayLike) -> np.ndarray:
    r""":math:`\Phi(z_b) - \Phi(z_a)` without cancellation in the upper tail."""
    za, zb = np.asarray(za, float), np.asarray(zb, float)
    upper = za > 0
    return np.where(upper, special.ndtr(-za) - special.ndtr(-zb), special.ndtr(zb) - special.ndtr(za))


@register
@dataclass(frozen=True)
class PolynomialDensity(Density):
    r"""A density proportional to a polynomial :math:`\sum_k c_k x^k` on ``[lo, hi]`` (normalized here).

    Moments are exact (Gauss–Legendre with enough nodes for the degree). A polynomial that is negative
    somewhere on the support is rejected; one vanishing at a point is allowed (the oracles reject data
    points where p_B = 0).
    """

    coefs: tuple[float, ...] = (1.0,)
    lo: float = -1.0
    hi: float = 1.0
    name: str = "polynomial"
    if TYPE_CHECKING:  # set per instance in __post_init__; ClassVar only so that mypy does not take it for a field
        _poly: ClassVar[np.polynomial.Polynomial]

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lo) and math.isfinite(self.hi) and self.hi > self.lo):
            raise InvalidInput(f"density: polynomial density needs finite lo < hi, got [{self.lo}, {self.hi}]")
        poly = np.polynomial.Polynomial(np.asarray(self.coefs, float))
        grid = np.linspace(self.lo, self.hi, 2049)
        crit = [
            r.real
            for r in cast(np.ndarray, poly.deriv().roots())
            if abs(r.imag) < 1e-12 and self.lo <= r.real <= self.hi
        ]
        vals = poly(np.concatenate([grid, np.asarray(crit, float)]))
        if np.min(vals) < -1e-12 * max(1.0, float(np.max(np.abs(vals)))):
            raise InvalidInput(f"density: the polynomial {self.coefs} is negative on [{self.lo}, {self.hi}]")
        mass = poly.integ()(self.hi) - poly.integ()(self.lo)
        if not mass > 0:
            raise InvalidInput(f"density: the polynomial {self.coefs} has no positive mass on [{self.lo}, {self.hi}]")
        object.__setattr__(self, "_poly", poly / mass)

    def pdf(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, float)
        return np.where((x >= self.lo) & (x <= self.hi), self._poly(x), 0.0)

    def ppf(self, u: ArrayLike) -> np.ndarray:
        u = np.asarray(u, float)
        cdf = self._poly.integ(lbnd=self.lo)
        lo = np.full(u.shape, self.lo)
        hi = np.full(u.shape, self.hi)
        for _ in range(80):  # bisection: the CDF is monotone, 80 halvings reach float resolution
            mid = 0.5 * (lo + hi)
            below = cdf(mid) < u
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        return 0.5 * (lo + hi)

    def moments(self, a: ArrayLike, b: ArrayLike, kmax: int, center: ArrayLike = 0.0) -> np.ndarray:
        a, b = _clip_interval(self, a, b)
        A, B, C = np.broadcast_arrays(a, b, np.asarray(center, float))
        q = (len(self.coefs) + kmax) // 2 + 1  # exact for degree deg(p) + kmax
        t, w = _gauss_legendre(q)
        x = A[..., None] + (B - A)[..., None] * t  # (..., q)
        vals = self._poly(x) * w * (B - A)[..., None]
        u = x - C[..., None]
        return np.stack([np.sum(vals * u**k, axis=-1) for k in range(kmax + 1)], axis=-1)

    def to_spec(self) -> dict[str, Any]:
        return {"kind": "polynomial", "coefs": list(self.coefs), "lo": self.lo, "hi": self.hi}


def density_from_spec(spec: dict[str, Any]) -> Density:
    """Inverse of ``Density.to_spec``."""
    kind = spec.get("kind")
    if kind == "uniform":
        return Uniform(spec["lo"], spec["hi"])
    if kind == "truncated normal":
        return TruncatedNormal(spec["scale"], spec["lo"], spec["hi"], spec.get("mu", 0.0))
    if kind == "normal":
        return Normal(spec["scale"], mu=spec.get("mu", 0.0))
    if kind == "polynomial":
        return PolynomialDensity(tuple(spec["coefs"]), spec["lo"], spec["hi"])
    raise InvalidInput(f"density spec: unknown kind {kind!r}")


# ----------------------------------------------------------------------------------------- data validation
def validate_data(
    x: ArrayLike, y: ArrayLike, density: Density, *, xname: str = "x", yname: str = "y"
) -> tuple[np.ndarray, np.ndarray]:
    """Check the theorem's data assumptions; return ``(x, y)`` as float arrays.

    Raises :class:`InvalidInput` naming the argument when ``x`` or ``y`` is not a finite vector, the
    lengths differ, some ``x_i`` repeats, lies outside ``supp p_B = [lo, hi]``, or has ``p_B(x_i) ≤ 0``,
    or when the density is not symmetric about 0.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim == 2 and x.shape[1] >= 2 and x.shape[0] > 0:
        return _validate_data_nd(x, y, density, xname, yname)
    if x.ndim != 1 or x.size == 0:
        raise InvalidInput(f"{xname} must be a non-empty vector (or an (m, dim) array, dim ≥ 2), got shape {x.shape}")
    if y.shape != x.shape:
        raise InvalidInput(f"{yname} must have the shape of {xname} {x.shape}, got {y.shape}")
    if not np.all(np.isfinite(x)):
        raise InvalidInput(f"{xname} has non-finite entries")
    if not np.all(np.isfinite(y)):
        raise InvalidInput(f"{yname} has non-finite entries")
    density.require_symmetric("density")
    xs = np.sort(x)
    if np.any(np.diff(xs) <= 1e-12 * max(1.0, float(np.max(np.abs(x))))):
        raise InvalidInput(f"{xname} has repeated points (the slides need x_i ≠ x_j): {xs.tolist()}")
    outside = (x < density.lo) | (x > density.hi)
    if np.any(outside):
        raise InvalidInput(f"{xname} has points outside supp p_B = [{density.lo}, {density.hi}]: {x[outside].tolist()}")
    px = density.pdf(x)
    if np.any(px <= 0):
        raise InvalidInput(f"density must be positive at the data points; p_B({xname}) = 0 at {x[px <= 0].tolist()}")
    return x, y


def _validate_data_nd(
    x: np.ndarray, y: np.ndarray, density: Density, xname: str, yname: str
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`validate_data` for inputs in ℝ^dim, dim ≥ 2 (rows of ``x``): distinct rows whose norms lie in supp p_B."""
    if y.shape != (x.shape[0],):
        raise InvalidInput(f"{yname} must have one entry per row of {xname} ({x.shape[0]}), got shape {y.shape}")
    if not np.all(np.isfinite(x)):
        raise InvalidInput(f"{xname} has non-finite entries")
    if not np.all(np.isfinite(y)):
        raise InvalidInput(f"{yname} has non-finite entries")
    density.require_symmetric("density")
    gaps = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2) + np.diag(np.full(len(x), np.inf))
    if np.any(gaps <= 1e-12 * max(1.0, float(np.max(np.abs(x))))):
        raise InvalidInput(f"{xname} has repeated points (the slides need x_i ≠ x_j)")
    norms = np.linalg.norm(x, axis=1)
    outside = (norms < density.lo) | (norms > density.hi)
    if np.any(outside):
        raise InvalidInput(
            f"{xname} has points whose norm is outside supp p_B = [{density.lo}, {density.hi}]: "
            f"{norms[outside].tolist()}"
        )
    if np.any(density.pdf(norms) <= 0):
        raise InvalidInput(f"density must be positive at the norms of the data points ({xname})")
    return x, y


# ----------------------------------------------------------------------------------------- parameters
@dataclass
class NetworkParams:
    r"""Parameters of one network: ``b, a`` of shape ``(n,)``, ``w`` of shape ``(n,)`` (input dimension 1) or
    ``(n, dim)`` (dim ≥ 2), and the output bias ``d``."""

    w: np.ndarray
    b: np.ndarray
    a: np.ndarray
    d: float

    @property
    def n(self) -> int:
        return int(self.w.shape[0])

    @property
    def dim(self) -> int:
        """The input dimension: 1 for a vector ``w``, else its number of columns."""
        return 1 if np.ndim(self.w) == 1 else int(self.w.shape[1])

    def copy(self) -> "NetworkParams":
        return NetworkParams(self.w.copy(), self.b.copy(), self.a.copy(), float(self.d))

    def flat(self) -> np.ndarray:
        """``(w, b, a, d)`` as one vector of length ``(dim + 2)n + 1`` (``w`` row by row)."""
        return np.concatenate([np.ravel(self.w), self.b, self.a, [self.d]])

    @classmethod
    def from_flat(cls, v: np.ndarray, dim: int = 1) -> "NetworkParams":
        """Inverse of :meth:`flat` for input dimension ``dim``."""
        n = (len(v) - 1) // (dim + 2)
        w = v[:n].copy() if dim == 1 else v[: dim * n].reshape(n, dim).copy()
        k = dim * n
        return cls(w, v[k : k + n].copy(), v[k + n : k + 2 * n].copy(), float(v[-1]))

    def drift(self, other: "NetworkParams") -> float:
        r""":math:`\|\theta - \theta'\|_\infty` over all ``(dim + 2)n + 1`` coordinates."""
        return float(np.max(np.abs(self.flat() - other.flat())))


def init_params(
    seed: int,
    n: int,
    density: Density,
    *,
    a_scale: float = 1.0,
    d_scale: float = 1.0,
    zero_output: bool = False,
    dim: int = 1,
) -> NetworkParams:
    r"""Nested random initialization: the first ``n`` units are the same for every width.

    :math:`w_j = \pm1` with probability ½ each, :math:`b_j = F_B^{-1}(u_j)`, :math:`a_j = a_{scale} A_j/\sqrt n`
    with :math:`A_j \sim N(0,1)`, :math:`d = d_{scale} D` with :math:`D \sim N(0,1)`; each of the four comes from
    its own stream ``default_rng([seed, k])``, whose first ``n`` draws do not depend on how many are drawn.
    ``zero_output`` sets ``a = 0`` and ``d = 0`` (Figure 1 of the slides). ``dim ≥ 2``: :math:`w_j` uniform on the
    sphere :math:`S^{dim-1}` (normalized standard normals, row by row: nested as well).
    """
    if int(n) < 1:
        raise InvalidInput(f"n must be a positive width, got {n}")
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
        raise InvalidInput(f"dim must be a positive integer (the input dimension), got {dim!r}")
    n = int(n)
    if dim == 1:
        w = np.where(np.random.default_rng([seed, 0]).random(n) < 0.5, 1.0, -1.0)
    else:
        w = np.random.default_rng([seed, 0]).standard_normal((n, int(dim)))
        w /= np.linalg.norm(w, axis=1, keepdims=True)
    b = density.ppf(np.random.default_rng([seed, 1]).random(n))
    if zero_output:
        return NetworkParams(w, b, np.zeros(n), 0.0)
    a = a_scale * np.random.default_rng([seed, 2]).standard_normal(n) / math.sqrt(n)
    d = d_scale * float(np.random.default_rng([seed, 3]).standard_normal())
    return NetworkParams(w, b, a, d)


# ----------------------------------------------------------------------------------------- evaluation
def network(params: NetworkParams, x: ArrayLike, activation: str) -> np.ndarray:
    r""":math:`f(x, \theta)` at the points ``x``, evaluated exactly as a linear spline in ``O((n + |x|)\log n)``.

    Each unit is a hinge: :math:`a\,(wx-b)_+ = a|w|\,(\mathrm{sgn}(w)(x - b/w))_+`, and
    :math:`|z| = 2z_+ - z`; the sums of hinges over sorted kinks are cumulative sums (no ``n × |x|`` matrix).
    """
    _check_activation(activation)
    x = np.asarray(x, float)
    w, b, a = params.w, params.b, params.a
    if np.ndim(w) == 2 or np.any(w == 0):
        return direct_network(params, x, activation)
    out = np.full(x.shape, float(params.d))
    coef = (2.0 if activation == "abs" else 1.0) * a
    if activation == "abs":  # the linear part of |z| = 2 z_+ − z
        out -= np.sum(a * w) * x - np.sum(a * b)
    kink = b / w
    for side in (1.0, -1.0):
        sel = np.sign(w) == side
        if not np.any(sel):
            continue
        k, slope = kink[sel], coef[sel] * np.abs(w[sel])
        order = np.argsort(k)
        k, slope = k[order], slope[order]
        cs, cks = np.concatenate([[0.0], np.cumsum(slope)]), np.concatenate([[0.0], np.cumsum(slope * k)])
        if side > 0:  # Σ_{k < x} s (x − k)
            idx = np.searchsorted(k, x, side="left")
            out += x * cs[idx] - cks[idx]
        else:  # Σ_{k > x} s (k − x)
            idx = np.searchsorted(k, x, side="right")
            out += (cks[-1] - cks[idx]) - x * (cs[-1] - cs[idx])
    return out


def direct_network(params: NetworkParams, x: ArrayLike, activation: str) -> np.ndarray:
    """:math:`f(x,\\theta)` by the ``n × |x|`` matrix of features (reference for :func:`network`; the evaluation for
    input dimension ≥ 2, ``x`` of shape ``(points, dim)``)."""
    x = np.asarray(x, float)
    if np.ndim(params.w) == 2:
        z = params.w @ x.T - params.b[:, None]
        return params.a @ sigma(z, activation) + params.d
    z = params.w[:, None] * x[None, :] - params.b[:, None]
    return params.a @ sigma(z, activation) + params.d


# ----------------------------------------------------------------------------------------- potentials
PSI_KINDS = ("none", "abs3", "quartic", "cosh")


@dataclass(frozen=True)
class MirrorPotential:
    r"""A separable mirror potential :math:`\phi(x) = c_\psi\psi(x) + c_2x^2`.

    ``psi`` ∈ {``none``, ``abs3`` (:math:`|x|^3`), ``quartic`` (:math:`x^4`), ``cosh``}. Strict convexity with a
    positive-definite Hessian (the slides' assumption) means :math:`\inf\phi'' > 0`:
    :math:`c_\psi, c_2 \ge 0` and :math:`\inf\phi'' = c_\psi\inf\psi'' + 2c_2 > 0`
    (:math:`\inf\psi'' = 0` for :math:`|x|^3, x^4`, 1 for cosh). Otherwise :class:`InvalidInput`.

    The scaled potentials of the slides are :math:`(\psi + \omega x^2)/(1 + \omega)`: :meth:`mixed`.
    ``c3`` marks :math:`|x|^3`, which is only :math:`C^2`: outside the scaled theorem's :math:`\psi \in C^3`.
    """

    psi: str = "none"
    c_psi: float = 0.0
    c2: float = 1.0
    label: str = ""

    def __post_init__(self) -> None:
        if self.psi not in PSI_KINDS:
            raise InvalidInput(f"potential: psi must be one of {PSI_KINDS}, got {self.psi!r}")
        for nm, v in (("c_psi", self.c_psi), ("c2", self.c2)):
            if not math.isfinite(v):
                raise InvalidInput(f"potential: {nm} must be finite, got {v}")
            if v < 0:
                raise InvalidInput(f"potential: {nm} = {v} < 0 makes φ non-convex")
        if self.psi == "none" and self.c_psi != 0.0:
            object.__setattr__(self, "c_psi", 0.0)
        if not self.hess_min > 0:
            raise InvalidInput(
                f"potential: φ = {self.describe()} is not strictly convex with inf φ'' > 0 "
                f"(∇²Φ must be positive definite)"
            )

    # constructors ---------------------------------------------------------------------------
    @classmethod
    def quadratic(cls) -> "MirrorPotential":
        """:math:`x^2` (gradient flow)."""
        return cls("none", 0.0, 1.0, "x^2")

    @classmethod
    def cubic(cls) -> "MirrorPotential":
        """:math:`|x|^3 + x^2`."""
        return cls("abs3", 1.0, 1.0, "|x|^3+x^2")

    @classmethod
    def quartic(cls) -> "MirrorPotential":
        """:math:`x^4 + x^2`."""
        return cls("quartic", 1.0, 1.0, "x^4+x^2")

    @classmethod
    def cosh_(cls) -> "MirrorPotential":
        r""":math:`\cosh x`."""
        return cls("cosh", 1.0, 0.0, "cosh")

    @classmethod
    def mixed(cls, psi: str, omega: float) -> "MirrorPotential":
        r""":math:`(\psi + \omega x^2)/(1 + \omega)`, the slides' scaled form."""
        if not omega > 0:
            raise InvalidInput(f"potential: omega must be > 0, got {omega}")
        return cls(psi, 1.0 / (1.0 + omega), omega / (1.0 + omega), f"({psi}+{omega:g}x^2)/(1+{omega:g})")

    @classmethod
    def named(cls, name: str) -> "MirrorPotential":
        """One of ``x^2``, ``|x|^3+x^2``, ``x^4+x^2``, ``cosh``."""
        table = {"x^2": cls.quadratic, "|x|^3+x^2": cls.cubic, "x^4+x^2": cls.quartic, "cosh": cls.cosh_}
        if name not in table:
            raise InvalidInput(f"potential: unknown name {name!r}; known: {sorted(table)}")
        return table[name]()

    def describe(self) -> str:
        return self.label or f"{self.c_psi:g}*{self.psi}+{self.c2:g}x^2"

    @property
    def is_c3(self) -> bool:
        """False for :math:`|x|^3` (only :math:`C^2`; outside the scaled theorem)."""
        return not (self.psi == "abs3" and self.c_psi > 0)

    @property
    def hess_min(self) -> float:
        r""":math:`\inf_x \phi''(x)`, the strong-convexity modulus (times 2) used by the certificates."""
        inf_psi = 1.0 if self.psi == "cosh" else 0.0
        return self.c_psi * inf_psi + 2.0 * self.c2

    # φ, φ', φ'' -------------------------------------------------------------------------------
    def value(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, float)
        return self.c_psi * _psi(self.psi, x, 0) + self.c2 * x * x

    def grad(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, float)
        return self.c_psi * _psi(self.psi, x, 1) + 2.0 * self.c2 * x

    def hess(self, x: ArrayLike) -> np.ndarray:
        r""":math:`\phi''(x)`, elementwise (a constant array for :math:`c_2x^2`; no temporaries beyond the result)."""
        x = np.asarray(x, float)
        c, k = self.c_psi, 2.0 * self.c2
        if self.psi == "none" or c == 0.0:
            return np.full(x.shape, k)[()]
        if self.psi == "quartic":
            out = np.multiply(x, x)
            out *= 12.0 * c
        elif self.psi == "abs3":
            out = np.abs(x)
            out *= 6.0 * c
        else:
            out = np.cosh(x)
            out *= c
        out += k
        return out

    def grad_inv(self, z: ArrayLike) -> np.ndarray:
        r"""The inverse of :math:`\phi'`, in closed form where one exists.

        * :math:`c_2x^2`: :math:`z/(2c_2)`.
        * :math:`c|x|^3 + c_2x^2`: for :math:`z \ge 0`, :math:`3cx^2 + 2c_2x = z`, i.e.
          :math:`x = 2z/(2c_2 + \sqrt{4c_2^2 + 12cz})` (the cancellation-free root); odd in z.
        * :math:`cx^4 + c_2x^2`: the depressed cubic :math:`x^3 + px + q = 0`, :math:`p = c_2/(2c) > 0`,
          :math:`q = -z/(4c)`, has one real root, written in the hyperbolic form of Cardano's formula
          :math:`x = -2\sqrt{p/3}\,\sinh\big(\tfrac13\operatorname{arsinh}(\tfrac{3q}{2p}\sqrt{3/p})\big)`
          (no cancellation for small z), then one Newton step.
        * :math:`c\cosh x`: :math:`\operatorname{arsinh}(z/c)`; :math:`c\cosh x + c_2x^2` (c₂ > 0) has no
          closed form: Newton from :math:`\min(\operatorname{arsinh}(|z|/c), |z|/(c + 2c_2))`, an upper bound
          of the root (:math:`\sinh x \ge x` on x ≥ 0) on the convex branch of :math:`\phi'`, hence monotone
          convergence; it stops when every step is below 4 ulp of its iterate (≤ 60 steps, :func:`_newton_cosh`).

        Array work is done in place on one or two temporaries (this is the trainer's inner loop).
        """
        z = np.asarray(z, float)
        c, c2 = self.c_psi, self.c2
        if self.psi == "none" or c == 0.0:
            return z / (2.0 * c2)
        if z.ndim == 0:
            return self.grad_inv(z.reshape(1))[0]
        if self.psi == "abs3":
            az = np.abs(z)
            den = np.multiply(az, 12.0 * c)
            den += 4.0 * c2 * c2
            np.sqrt(den, out=den)
            den += 2.0 * c2
            np.divide(az, den, out=den)
            den *= 2.0
            return np.copysign(den, z, out=den)
        if self.psi == "quartic":
            p = c2 / (2.0 * c)
            # x = -2 sqrt(p/3) sinh(arsinh(1.5 q/p sqrt(3/p))/3), q = -z/(4c)
            x = np.multiply(z, -1.5 / (4.0 * c) / p * math.sqrt(3.0 / p))
            np.arcsinh(x, out=x)
            x /= 3.0
            np.sinh(x, out=x)
            x *= -2.0 * math.sqrt(p / 3.0)
            # one Newton step on φ'(x) = 4cx³ + 2c₂x = z
            x2 = np.multiply(x, x)
            num = np.multiply(x2, 4.0 * c)
            num += 2.0 * c2
            num *= x
            num -= z
            x2 *= 12.0 * c
            x2 += 2.0 * c2
            num /= x2
            x -= num
            return x
        # cosh
        if c2 == 0.0:
            return np.arcsinh(z / c)
        return _newton_cosh(z, c, c2)

    def bregman(self, u: ArrayLike, v: ArrayLike) -> np.ndarray:
        r""":math:`D_\phi(u, v) = \phi(u) - \phi(v) - \phi'(v)(u - v) \ge 0`, evaluated without cancellation.

        With :math:`e = u - v`: :math:`x^2 \to e^2`; :math:`x^4 \to e^2(6v^2 + 4ve + e^2)`;
        :math:`|x|^3 \to e^2(2|v| + |u|)` when u, v have the same sign (direct otherwise);
        :math:`\cosh \to \cosh v\,(2\sinh^2(e/2)) + \sinh v\,(\sinh e - e)` (series for small e).
        """
        u = np.asarray(u, float)
        v = np.asarray(v, float)
        e = u - v
        out = self.c2 * e * e
        c = self.c_psi
        if c == 0.0 or self.psi == "none":
            return out
        if self.psi == "quartic":
            return out + c * e * e * (6 * v * v + 4 * v * e + e * e)
        if self.psi == "abs3":
            same = u * v >= 0
            direct = np.abs(u) ** 3 - np.abs(v) ** 3 - 3 * v * np.abs(v) * e
            return out + c * np.where(same, e * e * (2 * np.abs(v) + np.abs(u)), direct)
        small = np.abs(e) < 0.5
        e2 = e * e
        series = e * e2 * (1 / 6 + e2 * (1 / 120 + e2 * (1 / 5040 + e2 * (1 / 362880 + e2 / 39916800))))
        sinh_minus = np.where(small, series, np.sinh(e) - e)
        return out + c * (np.cosh(v) * 2.0 * np.sinh(0.5 * e) ** 2 + np.sinh(v) * sinh_minus)

    def to_spec(self) -> dict[str, Any]:
        return {"psi": self.psi, "c_psi": self.c_psi, "c2": self.c2, "label": self.label}

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "MirrorPotential":
        return cls(spec["psi"], spec["c_psi"], spec["c2"], spec.get("label", ""))


def _newton_cosh(z: np.ndarray, c: float, c2: float) -> np.ndarray:
    r"""Solve :math:`c\sinh x + 2c_2x = z` (c, c₂ > 0) by Newton's method on |z|, then restore the sign.

    The start :math:`\min(\operatorname{arsinh}(|z|/c), |z|/(c + 2c_2))` bounds the root from above and
    :math:`\sinh x + kx` (:math:`k = 2c_2/c`, the equation divided by c) is convex on x ≥ 0, so the iterates
    decrease monotonically to the root; stop when every step is below 4 ulp of its iterate (at most 60 steps).
    Each step works in place on two temporaries; the elementwise stopping test runs only once the largest step
    is below 4 ulp of the largest iterate (a necessary condition).
    """
    az = np.abs(z)
    x = np.arcsinh(az / c)
    np.minimum(x, az / (c + 2.0 * c2), out=x)
    az /= c
    k = 2.0 * c2 / c
    step, den = np.empty_like(x), np.empty_like(x)
    tiny = 4 * np.finfo(float).eps
    for _ in range(60):
        np.multiply(x, k, out=den)  # step = (sinh x + kx − |z|/c)/(cosh x + k)
        np.sinh(x, out=step)
        step += den
        step -= az
        np.cosh(x, out=den)
        den += k
        step /= den
        x -= step
        np.abs(step, out=step)
        if step.max() > tiny * max(x.max(), -x.min(), 1e-300):
            continue
        np.abs(x, out=den)
        np.maximum(den, 1e-300, out=den)
        den *= tiny
        if np.all(step <= den):
            break
    return np.copysign(x, z, out=x)


def _psi(kind: str, x: np.ndarray, order: int) -> np.ndarray:
    """ψ (``order`` 0) or its first or second derivative."""
    if kind == "none":
        return np.zeros_like(x)
    if kind == "abs3":
        ax = np.abs(x)
        return ax * ax * ax if order == 0 else (3.0 * x * ax if order == 1 else 6.0 * ax)
    if kind == "quartic":
        x2 = x * x
        return x2 * x2 if order == 0 else (4.0 * x2 * x if order == 1 else 12.0 * x2)
    return np.sinh(x) if order == 1 else np.cosh(x)


@dataclass(frozen=True)
class ParameterMirror:
    r"""A potential applied to one parameter block, unscaled (``s = 1``) or scaled (``s = n``).

    Per coordinate, with :math:`\delta = \theta - \hat\theta`:
    :math:`\Phi_k = s^{-2}\phi(s\delta)`, :math:`\zeta = \partial\Phi_k = s^{-1}\phi'(s\delta)`,
    :math:`\partial^2\Phi_k = \phi''(s\delta)`, :math:`\delta = s^{-1}(\phi')^{-1}(s\zeta)`.
    """

    potential: MirrorPotential
    scaled: bool = False

    def s(self, n: int) -> float:
        return float(n) if self.scaled else 1.0

    def dual(self, delta: ArrayLike, n: int) -> np.ndarray:
        s = self.s(n)
        return self.potential.grad(s * np.asarray(delta, float)) / s

    def primal(self, zeta: ArrayLike, n: int) -> np.ndarray:
        s = self.s(n)
        return self.potential.grad_inv(s * np.asarray(zeta, float)) / s

    def hess(self, delta: ArrayLike, n: int) -> np.ndarray:
        return self.potential.hess(self.s(n) * np.asarray(delta, float))


__all__ = [
    "ACTIVATIONS",
    "Density",
    "Normal",
    "ParameterMirror",
    "NetworkParams",
    "PolynomialDensity",
    "MirrorPotential",
    "TruncatedNormal",
    "Uniform",
    "density_from_spec",
    "direct_network",
    "dsigma",
    "init_params",
    "network",
    "sigma",
    "validate_data",
]
