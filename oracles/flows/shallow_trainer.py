r"""A batched integrator of mirror flow for shallow univariate networks, and the kernel H.

The flow
--------
With :math:`L = \sum_i r_i^2`, :math:`r = f(X, \theta) - y`, the mirror flow
:math:`\dot\theta = -\eta(\nabla^2\Phi)^{-1}\nabla L` is, in the dual variables
:math:`\zeta_k = \partial_k\Phi(\theta)` (:mod:`oracles.model.shallow`, :class:`~oracles.model.shallow.ParameterMirror`),

.. math::
    \dot\zeta = -2\eta J^\top r, \qquad \dot r = J\dot\theta = -2\eta\,J(\nabla^2\Phi)^{-1}J^\top r = -2\eta n\,H r,

:math:`H = n^{-1}J(\nabla^2\Phi)^{-1}J^\top` (m × m). We take :math:`\eta = 1/n` (η = Θ(1/n) only rescales time),
so :math:`\dot r = -2Hr`.

The integrator (exponential Euler in function space)
----------------------------------------------------
Over a step of length h from :math:`\zeta_k`, freeze :math:`J_k, H_k`: then :math:`r(s) = e^{-2H_ks}r_k` is exact for
the linearized model and the dual variable receives the exact integral of the gradient,

.. math::
    \zeta_{k+1} = \zeta_k - 2\eta J_k^\top c_k, \qquad c_k = \int_0^h e^{-2H_ks}r_k\,ds = Q\,\mathrm{diag}\Big(\frac{1 - e^{-2\lambda h}}{2\lambda}\Big)Q^\top r_k,

:math:`H_k = Q\Lambda Q^\top`. :math:`\theta_{k+1}` is recomputed from :math:`\zeta_{k+1}` by the closed-form
:math:`(\phi')^{-1}`, and :math:`r_{k+1}` from the network itself (not from the linear prediction), so the
scheme is a first-order method whose error is driven only by the change of J and H along the path
(small in the lazy regime), and it is exact for stiff modes of H at any step. Level 0 uses a geometric
time grid, :math:`h_k = h_0\gamma^k` with :math:`h_0 = 0.5/\lambda_{max}(H(0))` and γ = ``growth`` = 1.25, so every
mode of H gets a fixed number of steps per e-fold while it is active (the slowest needs
:math:`t \sim 1/\lambda_{min}`; cond H ≈ 1e3 on five points). When :math:`\|r\| \le` ``tail``·:math:`\|r_0\|` an
infinite step (:math:`c = (2H)^{-1}r`, a Gauss–Newton step in the mirror geometry) finishes the flow; its error
is second order in the remaining residual. It is accepted when it shrinks the residual tenfold, else a finite
step of twice the last size is taken (kinks crossing data points make the map nonsmooth).

Error estimate
--------------
Level 0 records its steps; level ℓ repeats the same time grid with every step split into :math:`2^\ell`
equal parts. The limit is first order in the step (measured: ratios ≈ 2 per halving, docs/width-limits/README.md),
so :math:`R = 2f_L - f_{L-1}` (Richardson) is returned with the error estimate
:math:`|R - (2f_{L-1} - f_{L-2})|` (or :math:`|f_L - f_{L-1}|` with two levels).

Batching: all networks' units are stacked along the last axis of one array (segments per network; runs of
networks of equal width are reshaped into stacks of matrices for the per-network products); step sizes are per
network; potentials and activations per network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence, cast

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import Inconclusive, InvalidInput
from oracles.model.shallow import (
    Density,
    MirrorPotential,
    NetworkParams,
    ParameterMirror,
    dsigma,
    network,
    sigma,
    validate_data,
)

if TYPE_CHECKING:
    from typing import TypeAlias

    #: :meth:`Batch.state`: ``(delta_u, delta_d, r, GS, minv_u, minv_d)``.
    _State: TypeAlias = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]

EPS = float(np.finfo(float).eps)


@dataclass
class NetworkRun:
    """One network to train: initial parameters, data, potential (scaled or not) and activation.

    ``density``, if given, is the bias density the network was drawn from: :func:`train` then also checks the
    slides' data assumptions against it (every x_i inside supp p_B with p_B(x_i) > 0, p_B symmetric about 0).
    """

    params0: NetworkParams
    x: np.ndarray
    y: np.ndarray
    potential: MirrorPotential
    scaled: bool = False
    activation: str = "relu"
    density: Density | None = None

    @property
    def mirror(self) -> ParameterMirror:
        return ParameterMirror(self.potential, self.scaled)


@dataclass
class LevelResult:
    """What one level (one step size) of the integrator produced for one network.

    ``times``/``loss`` include the tail (infinite or step-doubling Gauss–Newton steps whose times are not
    those of the flow); :attr:`scheduled` is the time-accurate part.
    """

    params: NetworkParams
    times: np.ndarray
    loss: np.ndarray
    H0: np.ndarray
    HT: np.ndarray
    dH_max: float
    drift: float
    steps: int
    residual: float
    failure: str | None = None
    n_sched: int = 0
    drift_max: float = math.nan

    @property
    def scheduled(self) -> tuple[np.ndarray, np.ndarray]:
        """``(times, loss)`` on the time-accurate schedule (the tail's Gauss–Newton steps excluded)."""
        return self.times[: self.n_sched], self.loss[: self.n_sched]


@dataclass
class TrainResult:
    r"""The trained limit of one network with its error estimates.

    ``values`` is the Richardson-extrapolated limit :math:`f(x_{eval}, \theta(\infty))` with error ``error``
    (sup over ``x_eval``); ``params`` the finest level's parameters; ``drift`` the finest level's
    :math:`\|\theta(T) - \theta(0)\|_\infty` with ``drift_error`` the change from the previous level;
    ``drift_sup`` the finest level's :math:`\sup_t\|\theta(t) - \theta(0)\|_\infty` over its time grid and the end
    point (the slides' "for any t ≥ 0"), with ``drift_sup_error`` the change from the previous level.
    """

    run: NetworkRun
    x_eval: np.ndarray
    values: np.ndarray
    error: float
    levels: list[LevelResult]
    drift: float
    drift_error: float
    dH_error: float
    level_values: list[np.ndarray] = field(default_factory=list)
    failure: str | None = None
    drift_sup: float = math.nan
    drift_sup_error: float = math.nan

    @property
    def finest(self) -> LevelResult:
        return self.levels[-1]

    @property
    def params(self) -> NetworkParams:
        return self.finest.params

    @property
    def H0(self) -> np.ndarray:
        return self.finest.H0

    @property
    def HT(self) -> np.ndarray:
        return self.finest.HT

    @property
    def loss(self) -> np.ndarray:
        return self.finest.loss

    @property
    def times(self) -> np.ndarray:
        return self.finest.times

    @property
    def change(self) -> np.ndarray:
        r""":math:`f(x_{eval}, \theta(\infty)) - f(x_{eval}, \theta(0))`."""
        return self.values - network(self.run.params0, self.x_eval, self.run.activation)


def _check_runs(runs: Sequence[NetworkRun]) -> int:
    """The common number of data points of ``runs``; :class:`InvalidInput` (one line naming the argument) for an
    empty list, an entry that is not a :class:`NetworkRun`, data that are not finite distinct points of one
    length, parameters that are not finite vectors of one positive width, a potential that is not a
    :class:`MirrorPotential`, an unknown activation, mixed numbers of data points, or (when ``run.density`` is
    given) data outside supp p_B or an asymmetric p_B."""
    if isinstance(runs, (str, bytes)) or not isinstance(runs, Sequence) or len(runs) == 0:
        raise InvalidInput("runs must be a non-empty sequence of NetworkRun")
    m = None
    for k, run in enumerate(runs):
        name = f"runs[{k}]"
        if not isinstance(run, NetworkRun):
            raise InvalidInput(f"{name} must be a NetworkRun, got {type(run).__name__}")
        _check_data(run, name)
        _check_params(run.params0, f"{name}.params0")
        if not isinstance(run.potential, MirrorPotential):
            raise InvalidInput(f"{name}.potential must be a MirrorPotential, got {type(run.potential).__name__}")
        if not isinstance(run.scaled, (bool, np.bool_)):
            raise InvalidInput(f"{name}.scaled must be a bool, got {run.scaled!r}")
        if run.activation not in ("relu", "abs"):
            raise InvalidInput(f"{name}.activation must be 'relu' or 'abs', got {run.activation!r}")
        if run.density is not None:
            if not isinstance(run.density, Density):
                raise InvalidInput(f"{name}.density must be a Density or None, got {type(run.density).__name__}")
            try:
                validate_data(run.x, run.y, run.density, xname=f"{name}.x", yname=f"{name}.y")
            except InvalidInput as exc:
                raise InvalidInput(str(exc).replace("density must", f"{name}.density must")) from None
        if m is None:
            m, dim = len(run.x), run.params0.dim
        elif len(run.x) != m:
            raise InvalidInput(f"{name}: every network of a batch needs the same number of data points ({m})")
        elif run.params0.dim != dim:
            raise InvalidInput(f"{name}: every network of a batch needs the same input dimension ({dim})")
    assert m is not None  # runs is not empty and its first entry set m (or raised)
    return int(m)


def _check_data(run: NetworkRun, name: str) -> None:
    """``run.x``, ``run.y``: finite non-empty vectors of one length, the x_i distinct (else H is singular)."""
    x, y = np.asarray(run.x), np.asarray(run.y)
    for nm, v in (("x", x), ("y", y)):
        if v.dtype.kind not in "biuf":
            raise InvalidInput(f"{name}.{nm} must be a real vector, got dtype {v.dtype}")
    dim = run.params0.dim if isinstance(run.params0, NetworkParams) else 1
    if dim == 1 and (x.ndim != 1 or x.size == 0):
        raise InvalidInput(f"{name}.x must be a non-empty vector, got shape {x.shape}")
    if dim > 1 and (x.ndim != 2 or x.shape[0] == 0 or x.shape[1] != dim):
        raise InvalidInput(f"{name}.x must be an (m, {dim}) array for w of dimension {dim}, got shape {x.shape}")
    if y.shape != x.shape[:1]:
        raise InvalidInput(f"{name}.y must have one entry per point of {name}.x {x.shape}, got {y.shape}")
    for nm, v in (("x", x), ("y", y)):
        if not np.all(np.isfinite(v)):
            raise InvalidInput(f"{name}.{nm} has non-finite entries: {v.tolist()}")
    if dim == 1:
        xs = np.sort(x.astype(float))
        if np.any(np.diff(xs) <= 1e-12 * max(1.0, float(np.max(np.abs(xs))))):
            raise InvalidInput(f"{name}.x has repeated points (the slides need x_i ≠ x_j): {xs.tolist()}")
    else:
        gaps = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2) + np.diag(np.full(len(x), np.inf))
        if np.any(gaps <= 1e-12 * max(1.0, float(np.max(np.abs(x))))):
            raise InvalidInput(f"{name}.x has repeated points (the slides need x_i ≠ x_j)")


def _check_params(p: NetworkParams, name: str) -> None:
    """``w, b, a``: finite vectors of one positive length n; ``d`` a finite number."""
    if not isinstance(p, NetworkParams):
        raise InvalidInput(f"{name} must be NetworkParams, got {type(p).__name__}")
    shapes = {nm: np.shape(getattr(p, nm)) for nm in ("w", "b", "a")}
    if (
        any(len(shapes[nm]) != 1 for nm in ("b", "a"))
        or len(shapes["w"]) not in (1, 2)
        or len({shapes["w"][0], shapes["b"][0], shapes["a"][0]}) != 1
        or (len(shapes["w"]) == 2 and shapes["w"][1] < 2)
    ):
        raise InvalidInput(
            f"{name}: b, a must be vectors of one length n and w of shape (n,) or (n, dim ≥ 2), got shapes {shapes}"
        )
    if shapes["w"][0] == 0:
        raise InvalidInput(f"{name}: the width must be positive, got n = 0")
    for nm in ("w", "b", "a"):
        v = np.asarray(getattr(p, nm))
        if v.dtype.kind not in "biuf" or not np.all(np.isfinite(v)):
            raise InvalidInput(f"{name}.{nm} must be finite real numbers")
    if np.ndim(p.d) != 0 or not math.isfinite(float(p.d)):
        raise InvalidInput(f"{name}.d must be a finite number, got {p.d!r}")


def _check_options(x_eval, growth, levels, tail, tol, max_steps, extrapolate, dim: int = 1) -> np.ndarray:
    """The scalar options of :func:`train` and ``x_eval``; returns ``x_eval`` as a float array."""

    def integer(nm, v, lo):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise InvalidInput(f"{nm} must be an integer >= {lo}, got {v!r}")

    def real(nm, v):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
            raise InvalidInput(f"{nm} must be a finite number, got {v!r}")

    real("growth", growth)
    if not growth > 1.0:
        raise InvalidInput(f"growth must be > 1, got {growth}")
    integer("levels", levels, 1)
    integer("max_steps", max_steps, 1)
    real("tail", tail)
    real("tol", tol)
    if not 0.0 < tail < 1.0:
        raise InvalidInput(f"tail must lie in (0, 1) (a fraction of |r0|), got {tail}")
    if not 0.0 < tol <= tail:
        raise InvalidInput(f"tol must lie in (0, tail = {tail:g}] (a fraction of |r0|), got {tol}")
    if not isinstance(extrapolate, (bool, np.bool_)):
        raise InvalidInput(f"extrapolate must be a bool, got {extrapolate!r}")
    xe = np.asarray(x_eval)
    if dim == 1 and (xe.dtype.kind not in "biuf" or xe.ndim != 1 or xe.size == 0):
        raise InvalidInput(f"x_eval must be a non-empty real vector, got shape {xe.shape} dtype {xe.dtype}")
    if dim > 1 and (xe.dtype.kind not in "biuf" or xe.ndim != 2 or xe.shape[0] == 0 or xe.shape[1] != dim):
        raise InvalidInput(f"x_eval must be a non-empty (points, {dim}) real array, got shape {xe.shape}")
    if not np.all(np.isfinite(xe)):
        raise InvalidInput("x_eval has non-finite entries")
    return xe.astype(float)


class Batch:
    r"""Stacked state of B networks with the same number m of data points.

    Unit-level arrays have the units on their *last* axis, of length :math:`U = \sum_b n_b` (units of network b
    contiguous), so that every elementwise operation runs over long contiguous rows; the dual variables are
    ``Z`` (3 × U, rows w, b, a) and ``Zd`` (B,) for the output biases.

    The Jacobian is never stored: with :math:`z = wx - b`, the rows of :math:`\partial f/\partial(w, b, a)` are
    :math:`(G x, -G, S)` with :math:`G = a\sigma'(z)` and :math:`S = \sigma(z)`, kept in one array ``GS``
    (2 × m × U), which is all that :meth:`kernel` and :meth:`update` need. Networks of equal width and kind of
    potential that follow each other form a *block* whose unit axis reshapes to (networks, n): one stacked matrix
    product per block replaces a Python loop over networks.
    """

    def __init__(self, runs: Sequence[NetworkRun]) -> None:
        m = _check_runs(runs)
        keys: list[tuple[Any, ...]] = [
            (r.potential.describe(), r.potential.to_spec().__repr__(), r.scaled) for r in runs
        ]
        self.order = sorted(range(len(runs)), key=lambda k: keys[k])  # networks grouped by potential
        runs = [runs[k] for k in self.order]
        self.runs = list(runs)
        self.B, self.m = len(runs), m
        self.n = np.array([r.params0.n for r in runs])
        self.starts = np.concatenate([[0], np.cumsum(self.n)[:-1]])
        self.seg = np.repeat(np.arange(self.B), self.n)
        self.U = len(self.seg)
        self.dim = runs[0].params0.dim  # input dimension (1: the slides' Part II)
        self.nw = self.dim  # rows of Z holding w (then b, a)
        self.w0 = (
            np.concatenate([r.params0.w for r in runs])
            if self.dim == 1
            else np.ascontiguousarray(np.concatenate([r.params0.w for r in runs]).T)
        )  # (U,) or (dim, U)
        self.b0 = np.concatenate([r.params0.b for r in runs])
        self.a0 = np.concatenate([r.params0.a for r in runs])
        self.d0 = np.array([r.params0.d for r in runs], float)
        self.X = np.stack([np.asarray(r.x, float) for r in runs])  # (B, m) or (B, m, dim)
        self.Y = np.stack([np.asarray(r.y, float) for r in runs])
        if self.dim == 1:
            self.XX = self.X[:, :, None] * self.X[:, None, :]  # (B, m, m)
            self.Xu = np.ascontiguousarray(self.X[self.seg].T)  # (m, U)
        else:
            self.XXd = np.einsum("bij,bkj->jbik", self.X, self.X)  # (dim, B, m, m): x_j x_jᵀ per coordinate
            self.XX = self.XXd.sum(axis=0)  # Gram matrices ⟨x_i, x_k⟩
            self.Xu = np.ascontiguousarray(self.X[self.seg].transpose(2, 1, 0))  # (dim, m, U)
        acts = {r.activation for r in runs}
        self.abs_u = np.array([r.activation == "abs" for r in runs])[self.seg]
        self.activation = acts.pop() if len(acts) == 1 else None  # one activation for all: no mask
        # potentials: one group per distinct (potential, scaled)
        keys = [(r.potential, r.scaled) for r in runs]
        self.groups: list[tuple[MirrorPotential, bool]] = sorted(set(keys), key=lambda k: (k[0].describe(), k[1]))
        gidx = np.array([self.groups.index(k) for k in keys])
        ustart = np.concatenate([[0], np.cumsum(self.n)])
        self.slices = []  # contiguous (unit, network) ranges
        for g in range(len(self.groups)):
            nets = np.flatnonzero(gidx == g)
            self.slices.append((slice(ustart[nets[0]], ustart[nets[-1] + 1]), slice(nets[0], nets[-1] + 1)))
        self.s_net = np.array([float(r.params0.n) if r.scaled else 1.0 for r in runs])
        self.s_u = self.s_net[self.seg]
        # φ = c₂x²: φ'' is constant, (∇²Φ)⁻¹ = 1/(2c₂) on every coordinate and the kernel needs no unit weights
        self.flat = np.array([r.potential.psi == "none" or r.potential.c_psi == 0.0 for r in runs])
        blocks: list[list[int]] = []  # [first net, width, last net + 1]
        for k in range(self.B):
            if blocks and self.n[k] == blocks[-1][1] and self.flat[k] == self.flat[blocks[-1][0]]:
                blocks[-1][2] = k + 1
            else:
                blocks.append([k, int(self.n[k]), k + 1])
        self.blocks = [(k0, k1, int(ustart[k0]), int(ustart[k1]), n) for k0, n, k1 in blocks]
        self._initial: _State | None = None

    # dual ↔ primal ----------------------------------------------------------------------------------------
    def _apply(self, fn: str, arr_u: np.ndarray, arr_d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Apply ``grad_inv`` (ζ → δ, ``fn="primal"``) or ``1/hess`` (δ → 1/φ''(sδ), ``fn="minv"``) groupwise;
        s = n (scaled) or 1 (then no rescaling is done). With one group the results are returned as computed
        (fresh arrays of the potential, finished in place), else copied into the output."""
        one = len(self.groups) == 1
        out_u, out_d = (None, None) if one else (np.empty_like(arr_u), np.empty_like(arr_d))
        for (pot, scaled), (mu, md) in zip(self.groups, self.slices):
            xu, xd = arr_u[:, mu], arr_d[md]
            if scaled:
                su, sd = self.s_u[mu], self.s_net[md]
                xu, xd = su * xu, sd * xd
            if fn == "primal":
                ru, rd = pot.grad_inv(xu), pot.grad_inv(xd)
                if scaled:
                    ru /= su
                    rd /= sd
            else:
                ru, rd = pot.hess(xu), pot.hess(xd)
                np.divide(1.0, ru, out=ru)
                np.divide(1.0, rd, out=rd)
            if one:
                return ru, rd
            assert out_u is not None and out_d is not None  # allocated when there are several groups
            out_u[:, mu], out_d[md] = ru, rd
        assert out_u is not None and out_d is not None  # one group returned inside the loop
        return out_u, out_d

    def state(self, Z: np.ndarray, Zd: np.ndarray) -> _State:
        r"""``(delta_u (3, U), delta_d (B,), r (B, m), GS (2, m, U), minv_u (3, U), minv_d (B,))`` at ``(Z, Zd)``.

        ``GS[0]`` is :math:`G = a\sigma'(z)`, ``GS[1]`` is :math:`S = \sigma(z)` (:math:`z = wx - b`): the
        Jacobian rows of unit k are :math:`(G_kx, -G_k, S_k)`. :math:`\sigma = z\sigma'(z)` exactly for ReLU
        and the absolute value.
        """
        Du, Dd = self._apply("primal", Z, Zd)
        k = self.nw
        w, b, a = self.w0 + (Du[0] if k == 1 else Du[:k]), self.b0 + Du[k], self.a0 + Du[k + 1]
        GS = np.empty((2, self.m, self.U))
        G, S = GS[0], GS[1]
        if k == 1:
            z = np.multiply(self.Xu, w, out=S)
        else:
            z = np.einsum("jmu,ju->mu", self.Xu, w, out=S)  # ⟨w, x⟩ per unit and point
        z -= b
        if self.activation == "relu":
            np.greater(z, 0.0, out=G)
        elif self.activation == "abs":
            np.sign(z, out=G)
        else:
            G[...] = dsigma(z, self.abs_u)
        S *= G  # σ(z) = z σ'(z)
        G *= a
        f = np.empty((self.B, self.m))
        for k0, k1, lo, hi, n in self.blocks:  # f = Σ_units a σ(z) per network
            Sb = S[:, lo:hi].reshape(self.m, k1 - k0, n).transpose(1, 0, 2)
            f[k0:k1] = (Sb @ a[lo:hi].reshape(k1 - k0, n, 1))[:, :, 0]
        f += (self.d0 + Dd)[:, None]
        f -= self.Y
        minv_u, minv_d = self._apply("minv", Du, Dd)
        return Du, Dd, f, GS, minv_u, minv_d

    def initial(self) -> _State:
        """:meth:`state` at ζ = 0 (the same for every level; computed once)."""
        if self._initial is None:
            self._initial = self.state(np.zeros((self.nw + 2, self.U)), np.zeros(self.B))
        return self._initial

    def kernel(self, st: _State) -> np.ndarray:
        r""":math:`H = n^{-1}\big(\sum_{units,k}J_{k}J_{k}^\top/\phi''_k + \mathbf 1\mathbf 1^\top/\phi''_d\big)`, shape (B, m, m),
        at the state ``st`` of :meth:`state`.

        Per network, :math:`nH = xx^\top\circ GM_wG^\top + GM_bG^\top + SM_aS^\top + 1/\phi''_d` with
        :math:`M = \mathrm{diag}(1/\phi'')` per parameter block (G, S: m × n): three (m × n)(n × m) products per
        network (one Gram matrix of G when φ'' is constant), stacked over the networks of a block.
        """
        GS, minv_u, minv_d = st[3], st[4], st[5]
        m = self.m
        nH = np.empty((self.B, m, m))
        for k0, k1, lo, hi, n in self.blocks:
            g = GS[0][:, lo:hi].reshape(m, k1 - k0, n).transpose(1, 0, 2)  # (networks, m, n)
            s = GS[1][:, lo:hi].reshape(m, k1 - k0, n).transpose(1, 0, 2)
            gt, st_ = g.transpose(0, 2, 1), s.transpose(0, 2, 1)
            kw = self.nw
            if self.flat[k0]:
                c = minv_u[0, self.starts[k0:k1], None, None]  # 1/(2c₂) per network
                nH[k0:k1] = (g @ gt) * (c * self.XX[k0:k1] + c)
                nH[k0:k1] += c * (s @ st_)
            else:
                mu = minv_u[:, lo:hi].reshape(kw + 2, k1 - k0, 1, n)
                tmp = np.multiply(g, mu[0])
                if kw == 1:
                    nH[k0:k1] = (tmp @ gt) * self.XX[k0:k1]
                else:
                    nH[k0:k1] = (tmp @ gt) * self.XXd[0, k0:k1]
                    for j in range(1, kw):
                        nH[k0:k1] += (np.multiply(g, mu[j], out=tmp) @ gt) * self.XXd[j, k0:k1]
                nH[k0:k1] += np.multiply(g, mu[kw], out=tmp) @ gt
                nH[k0:k1] += np.multiply(s, mu[kw + 1], out=tmp) @ st_
        nH += minv_d[:, None, None]
        nH /= self.n[:, None, None]
        return nH

    def update(self, Z: np.ndarray, Zd: np.ndarray, st: _State, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r""":math:`\zeta \mathrel{-}= 2\eta J^\top c` with :math:`\eta = 1/n` per network (new arrays; ``Z`` is kept).

        Per network: :math:`(J^\top c)_{w,b,a} = (G^\top(x\circ c), -G^\top c, S^\top c)`, one (3 × 2m)(2m × n)
        product of a block matrix with ``GS``, stacked over the networks of a block.
        """
        GS = st[3]
        m = self.m
        fac = (2.0 / self.n)[:, None] * c  # (B, m)
        kw = self.nw
        lhs = np.zeros((self.B, kw + 2, 2 * m))  # lhs @ [G; S] = (J^T c) per unit
        if kw == 1:
            lhs[:, 0, :m] = self.X * fac
        else:
            lhs[:, :kw, :m] = (self.X * fac[:, :, None]).transpose(0, 2, 1)
        lhs[:, kw, :m] = -fac
        lhs[:, kw + 1, m:] = fac
        Zn = np.empty_like(Z)
        GS2 = GS.reshape(2 * m, self.U)
        for k0, k1, lo, hi, n in self.blocks:
            V = lhs[k0:k1] @ GS2[:, lo:hi].reshape(2 * m, k1 - k0, n).transpose(1, 0, 2)  # (networks, dim + 2, n)
            np.subtract(Z[:, lo:hi], V.transpose(1, 0, 2).reshape(kw + 2, hi - lo), out=Zn[:, lo:hi])
        return Zn, Zd - fac.sum(1)

    def params(self, Du: np.ndarray, Dd: np.ndarray) -> list[NetworkParams]:
        out = []
        for k in range(self.B):
            sl = slice(self.starts[k], self.starts[k] + self.n[k])
            kw = self.nw
            w = self.w0[sl] + Du[0, sl] if kw == 1 else (self.w0[:, sl] + Du[:kw, sl]).T.copy()
            out.append(
                NetworkParams(w, self.b0[sl] + Du[kw, sl], self.a0[sl] + Du[kw + 1, sl], float(self.d0[k] + Dd[k]))
            )
        return out


def _phi1(lam: np.ndarray, h: np.ndarray) -> np.ndarray:
    r""":math:`\int_0^h e^{-2\lambda s}ds = -\mathrm{expm1}(-2\lambda h)/(2\lambda)`; ``h = inf`` gives :math:`1/(2\lambda)`."""
    h = np.broadcast_to(h, lam.shape)
    out = np.where(np.isinf(h), 1.0 / (2.0 * lam), -np.expm1(-2.0 * lam * np.where(np.isinf(h), 0.0, h)) / (2.0 * lam))
    return np.where(h == 0, 0.0, out)


def _merge(mask_b: np.ndarray, batch: Batch, new, old, unit: Sequence[int]):
    """Per-network choice between two states (tuples of arrays; those at the positions ``unit`` have the units
    on their last axis, the others the networks on their first)."""
    mu = mask_b[batch.seg]
    out = []
    for k, (a, b) in enumerate(zip(new, old)):
        if k in unit:
            out.append(np.where(mu, a, b))
        else:
            out.append(np.where(mask_b.reshape((-1,) + (1,) * (a.ndim - 1)), a, b))
    return tuple(out)


def _run_level(
    batch: Batch, schedule: np.ndarray | None, split: int, growth: float, tail: float, tol: float, max_steps: int
):
    r"""Integrate all networks on the geometric level-0 grid (``schedule is None``) or on a recorded grid
    with every step split into ``split`` equal parts.

    Level 0: :math:`h_k = h_0\gamma^k`, :math:`h_0 = 0.5/\lambda_{max}(H(0))`, until
    :math:`\|r\| \le` ``tail``·:math:`\|r_0\|` (at most ``max_steps`` steps, else the network fails "not converged").
    Then every level finishes alike: an infinite step is accepted when it shrinks the residual tenfold,
    otherwise a finite step of twice the last size is taken, until :math:`\|r\| \le` ``tol``·:math:`\|r_0\|`
    (at most 60 tail steps). A network whose H is not positive definite fails "degenerate kernel" and is
    frozen; the others continue.

    Returns ``(schedule, level results)``; the schedule is (steps, B), zero-padded.
    """
    b: int | np.integer[Any]  # a network's index (from flatnonzero or range)
    B = batch.B
    Z, Zd = np.zeros((batch.nw + 2, batch.U)), np.zeros(B)
    st = batch.initial()
    r = st[2]
    H0 = batch.kernel(st)
    H = H0
    r0 = np.linalg.norm(r, axis=1)
    if np.any(r0 <= 1e-13 * (1.0 + np.linalg.norm(batch.Y, axis=1))):
        raise InvalidInput("y: some network already interpolates the data (zero initial residual)")
    t = np.zeros(B)
    times, losses, dH = [t.copy()], [np.sum(r * r, 1)], np.zeros(B)
    dmax = np.zeros(B)  # sup_t ‖θ(t) − θ(0)‖∞ over the recorded states
    accepted: list[np.ndarray] = []
    failed = np.zeros(B, bool)
    reasons = [""] * B
    if schedule is None:
        h = 0.5 / np.linalg.eigvalsh(H0)[:, -1]
        plan = None
    else:
        plan = np.repeat(schedule / split, split, axis=0)
    k = 0
    while True:
        rn = np.linalg.norm(r, axis=1)
        if plan is None:
            active = (rn > tail * r0) & ~failed
            if not np.any(active):
                break
            if k >= max_steps:
                for b in np.flatnonzero(active):
                    failed[b], reasons[b] = True, f"not converged: {max_steps} steps without |r| <= {tail:g}|r0|"
                break
            hk = np.where(active, h, 0.0)
            h = h * growth
            accepted.append(hk)
        else:
            if k >= len(plan):
                break
            hk = plan[k]
        lam, Q = _eig(H, failed, reasons)
        hk = np.where(failed, 0.0, hk)
        Z, Zd = batch.update(Z, Zd, st, _coef(lam, Q, r, hk))
        st = batch.state(Z, Zd)
        r = st[2]
        H = batch.kernel(st)
        t = t + hk
        k += 1
        times.append(t.copy())
        losses.append(np.sum(r * r, 1))
        dH = np.maximum(dH, np.linalg.norm(H - H0, ord=2, axis=(1, 2)))
        dmax = np.maximum(dmax, _unit_sup(batch, st))
    n_sched = len(times)  # entries recorded on the (time-accurate) schedule
    sched = np.array(accepted) if plan is None else cast(np.ndarray, schedule)  # plan is set from a schedule
    last = np.array([s[s > 0][-1] if np.any(s > 0) else 1.0 for s in sched.T]) if len(sched) else np.ones(B)
    last = last / (1 if plan is None else split)
    for _ in range(60):  # the tail, identical at every level
        rn = np.linalg.norm(r, axis=1)
        todo = (rn > tol * r0) & ~failed
        if not np.any(todo):
            break
        lam, Q = _eig(H, failed, reasons)
        todo &= ~failed
        c = _coef(lam, Q, r, np.where(todo, np.inf, 0.0))
        Zn, Zdn = batch.update(Z, Zd, st, c)
        stn = batch.state(Zn, Zdn)
        good = todo & (np.linalg.norm(stn[2], axis=1) <= 0.1 * rn)
        if not np.all(good[todo]):  # the linearization failed: a finite step instead
            last = np.where(todo & ~good, 2.0 * last, last)
            c2 = _coef(lam, Q, r, np.where(todo & ~good, last, 0.0))
            Zf, Zdf = batch.update(Z, Zd, st, c2)
            stf = batch.state(Zf, Zdf)
            Zn, Zdn = _merge(good, batch, (Zn, Zdn), (Zf, Zdf), (0,))
            stn = _merge(good, batch, stn, stf, (0, 3, 4))
            t = t + np.where(todo & ~good, last, 0.0)
        Z, Zd, st = Zn, Zdn, stn
        r = st[2]
        H = batch.kernel(st)
        t = np.where(good, np.inf, t)
        times.append(t.copy())
        losses.append(np.sum(r * r, 1))
        dH = np.maximum(dH, np.linalg.norm(H - H0, ord=2, axis=(1, 2)))
    rn = np.linalg.norm(r, axis=1)
    for b in range(B):
        if failed[b]:
            continue
        if not np.isfinite(rn[b]):
            failed[b], reasons[b] = True, "non-finite state: the integrator produced non-finite residuals"
        elif rn[b] > tol * r0[b]:
            failed[b], reasons[b] = True, f"not converged: |r| = {rn[b]:.3g} > {tol:g}|r0| after the tail"
    dmax = np.maximum(dmax, _unit_sup(batch, st))  # the end point (the tail's inner states are not the flow's)
    params = batch.params(st[0], st[1])
    times_a, loss_a = np.array(times), np.array(losses)
    out = []
    for b in range(B):
        drift = params[b].drift(batch.runs[b].params0)
        nsteps = int(np.sum(times_a[1:, b] != times_a[:-1, b])) if len(times_a) > 1 else 0
        out.append(
            LevelResult(
                params[b],
                times_a[:, b],
                loss_a[:, b],
                H0[b],
                H[b],
                float(dH[b]),
                drift,
                nsteps,
                float(rn[b]),
                reasons[b] if failed[b] else None,
                n_sched,
                float(dmax[b]),
            )
        )
    return sched, out


def _unit_sup(batch: Batch, st) -> np.ndarray:
    r""":math:`\|\theta - \theta(0)\|_\infty` per network at the state ``st`` (``δ_u`` = st[0], ``δ_d`` = st[1])."""
    per_unit = np.abs(st[0]).max(axis=0)
    return np.maximum(np.maximum.reduceat(per_unit, batch.starts), np.abs(st[1]))


def _eig(H: np.ndarray, failed: np.ndarray, reasons: list[str]):
    """Batched eigendecomposition; a network whose H is not positive definite is marked failed (and frozen)."""
    lam, Q = np.linalg.eigh(H)
    bad = ~(np.min(lam, axis=1) > 0) & ~failed
    for b in np.flatnonzero(bad):
        failed[b], reasons[b] = True, f"degenerate kernel: λmin(H) = {np.min(lam[b]):.3g}"
    if np.any(failed):
        lam = np.where(failed[:, None], 1.0, lam)
        Q = np.where(failed[:, None, None], np.eye(H.shape[1]), Q)
    return lam, Q


def _coef(lam, Q, r, h):
    """``c = ∫_0^h exp(−2Hs) ds r`` from the eigendecomposition ``H = Q diag(lam) Qᵀ``."""
    return np.einsum("bij,bj->bi", Q, _phi1(lam, h[:, None]) * np.einsum("bji,bj->bi", Q, r))


#: Units per batch times data points (the size of one (m × U) array of :class:`Batch`): the networks of a
#: :func:`train` call are trained in batches of about this size, networks kept whole, so that the per-step arrays
#: stay in the core's cache. Measured (Xeon, 4 MiB L2, m = 5): one step over 115,200 units cost 0.127 ms per 1,000
#: units in one batch, 0.052-0.063 ms in batches of 7,200-28,800; liang:unscaled-part2's training (16 seeds, widths
#: 180-4860) 2.32 s in one batch, 1.75 s in batches of 100,000 (80,000: 1.78 s; 160,000: 1.88 s). Networks are
#: independent, so the batching does not change any result (bit for bit on that training).
CHUNK_ELEMENTS = 100_000


def _chunks(runs: Sequence[NetworkRun], size: int) -> list[list[int]]:
    """Indices of ``runs`` in batches of at most ``size`` units (one network alone may exceed it), grouped by
    potential and width so that each batch forms few blocks (:class:`Batch`)."""
    order = sorted(range(len(runs)), key=lambda k: (runs[k].potential.describe(), runs[k].scaled, runs[k].params0.n))
    out: list[list[int]] = []
    units = 0
    for k in order:
        n = runs[k].params0.n
        if out and units + n <= size:
            out[-1].append(k)
            units += n
        else:
            out.append([k])
            units = n
    return out


def train(
    runs: Sequence[NetworkRun],
    x_eval: ArrayLike,
    *,
    growth: float = 1.25,
    levels: int = 3,
    tail: float = 1e-6,
    tol: float = 1e-11,
    max_steps: int = 300,
    extrapolate: bool = True,
    on_failure: str = "raise",
    chunk: int = CHUNK_ELEMENTS,
) -> list[TrainResult]:
    r"""Train every network of ``runs`` to convergence and return its limit on ``x_eval`` with error estimates.

    Parameters
    ----------
    runs
        Networks (any widths, potentials, activations; the same number of data points).
    x_eval
        Points where the limit function is returned.
    levels
        Number of step sizes (level ℓ splits every level-0 step into 2^ℓ); ≥ 2 for an error estimate.
    tail, tol
        Switch to infinite (Gauss–Newton) steps at :math:`\|r\| \le` tail·:math:`\|r_0\|`; converged when
        :math:`\|r\| \le` tol·:math:`\|r_0\|`, else :class:`Inconclusive` ("not converged").
    on_failure
        ``"raise"``: :class:`Inconclusive` if any network fails (degenerate kernel, not converged, non-finite);
        ``"flag"``: return it with ``failure`` set and NaN values (for measurements over many seeds).
    extrapolate
        Return :math:`2f_L - f_{L-1}` (first-order extrapolation) instead of the finest level.
    chunk
        Batch size in units times data points (:data:`CHUNK_ELEMENTS`); the networks are trained in batches of
        about this size, which only changes the speed.
    """
    m = _check_runs(runs)
    xe = _check_options(x_eval, growth, levels, tail, tol, max_steps, extrapolate, runs[0].params0.dim)
    if on_failure not in ("raise", "flag"):
        raise InvalidInput(f"on_failure must be 'raise' or 'flag', got {on_failure!r}")
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise InvalidInput(f"chunk must be a positive integer (units x data points per batch), got {chunk!r}")
    out: list[TrainResult | None] = [None] * len(runs)
    for part in _chunks(runs, max(1, int(chunk) // m)):
        results = _train_batch(
            [runs[k] for k in part], xe, growth, levels, tail, tol, max_steps, extrapolate, on_failure, part
        )
        for k, res in zip(part, results):
            out[k] = res
    return cast(list[TrainResult], out)  # _chunks partitions range(len(runs)): every entry is set


def _train_batch(
    runs: Sequence[NetworkRun],
    xe: np.ndarray,
    growth: float,
    levels: int,
    tail: float,
    tol: float,
    max_steps: int,
    extrapolate: bool,
    on_failure: str,
    index: Sequence[int],
) -> list[TrainResult]:
    """:func:`train` for one :class:`Batch`; ``index[b]`` is the caller's index of ``runs[b]`` (for messages)."""
    batch = Batch(runs)
    sched, lev0 = _run_level(batch, None, 1, growth, tail, tol, max_steps)
    per_level = [lev0]
    for ell in range(1, levels):
        _, res = _run_level(batch, sched, 2**ell, growth, tail, tol, max_steps)
        per_level.append(res)
    out: list[TrainResult | None] = [None] * len(runs)
    for b, run in enumerate(batch.runs):
        lv = [per_level[ell][b] for ell in range(levels)]
        failure = next((l.failure for l in lv if l.failure), None)
        if failure is not None:
            if on_failure == "raise":
                reason, _, detail = failure.partition(": ")
                raise Inconclusive(reason, f"network {index[batch.order[b]]} (n = {run.params0.n}): {detail}")
            nan = np.full(xe.shape, np.nan)
            out[batch.order[b]] = TrainResult(
                run, xe, nan, math.nan, lv, math.nan, math.nan, math.nan, [nan] * levels, failure
            )
            continue
        f = [network(l.params, xe, run.activation) for l in lv]
        vals, err = richardson(f, extrapolate=extrapolate)
        err += 1e3 * EPS * max(1.0, float(np.max(np.abs(vals)))) * math.sqrt(run.params0.n)
        d_err = abs(lv[-1].drift - lv[-2].drift) if levels > 1 else math.nan
        h_err = abs(lv[-1].dH_max - lv[-2].dH_max) if levels > 1 else math.nan
        s_err = abs(lv[-1].drift_max - lv[-2].drift_max) if levels > 1 else math.nan
        out[batch.order[b]] = TrainResult(
            run, xe, vals, err, lv, lv[-1].drift, d_err, h_err, f, drift_sup=lv[-1].drift_max, drift_sup_error=s_err
        )
    return cast(list[TrainResult], out)  # batch.order is a permutation: every entry is set (or raised)


def richardson(level_values: Sequence[np.ndarray], extrapolate: bool = True) -> tuple[np.ndarray, float]:
    r"""Combine a first-order method's results at steps h, h/2, h/4, ... into a value and an error estimate.

    With three or more levels: :math:`R_L = 2f_L - f_{L-1}` and error :math:`\max|R_L - R_{L-1}|` (the change
    of the extrapolation, conservative when the remainder is second order); with two levels, or
    ``extrapolate=False``, the finest value and :math:`\max|f_L - f_{L-1}|`. One level: error NaN.
    Linear in the inputs, so it applies to differences of two runs on the same time grid as well.
    """
    f = [np.asarray(v, float) for v in level_values]
    if len(f) == 1:
        return f[0], math.nan
    if extrapolate and len(f) >= 3:
        R1, R0 = 2 * f[-1] - f[-2], 2 * f[-2] - f[-3]
        return R1, float(np.max(np.abs(R1 - R0)))
    if extrapolate:
        return 2 * f[-1] - f[-2], float(np.max(np.abs(f[-1] - f[-2])))
    return f[-1], float(np.max(np.abs(f[-1] - f[-2])))


# ----------------------------------------------------------------------------------------- references
def kernel_matrix(
    params: NetworkParams,
    x: ArrayLike,
    potential: MirrorPotential,
    scaled: bool,
    activation: str,
    delta: NetworkParams | None = None,
) -> np.ndarray:
    r""":math:`H(\theta) = n^{-1}J(\nabla^2\Phi)^{-1}J^\top` of one network at ``params`` (the point θ), with the
    Hessian evaluated at ``delta`` = θ − θ̂ (zero by default, i.e. θ = θ(0))."""
    x = np.asarray(x, float)
    n = params.n
    mir = ParameterMirror(potential, scaled)
    z, Jw = _features(params, x)
    sg, dsg = sigma(z, activation), dsigma(z, activation)
    J = np.concatenate([Jw(params.a[:, None] * dsg), -params.a[:, None] * dsg, sg, np.ones((1, len(x)))])
    dl = np.zeros(len(params.flat())) if delta is None else delta.flat()
    minv = 1.0 / mir.hess(dl, n)
    return (J.T * minv) @ J / n


def dual_field(run: NetworkRun) -> Callable[[float, np.ndarray], np.ndarray]:
    r"""The right-hand side :math:`\dot\zeta = -2\eta J^\top r` (η = 1/n) of one network, on the flat dual vector.

    For reference integrations in the tests (e.g. with ``solve_ivp``); :func:`params_from_dual` maps ζ to θ.
    """
    n = run.params0.n
    x, y = np.asarray(run.x, float), np.asarray(run.y, float)

    def rhs(t: float, zeta: np.ndarray) -> np.ndarray:
        th = params_from_dual(run, zeta)
        z, Jw = _features(th, x)
        sg, dsg = sigma(z, run.activation), dsigma(z, run.activation)
        r = th.a @ sg + th.d - y
        g = np.concatenate([Jw(th.a[:, None] * dsg) @ r, -(th.a[:, None] * dsg) @ r, sg @ r, [r.sum()]])
        return -2.0 / n * g

    return rhs


def params_from_dual(run: NetworkRun, zeta: np.ndarray) -> NetworkParams:
    """θ = θ̂ + s⁻¹(φ')⁻¹(sζ) for a flat dual vector ``(w, b, a, d)``."""
    mir = ParameterMirror(run.potential, run.scaled)
    return NetworkParams.from_flat(run.params0.flat() + mir.primal(zeta, run.params0.n), run.params0.dim)


def _features(params: NetworkParams, x: np.ndarray):
    r"""``(z, Jw)``: pre-activations :math:`z = \langle w_k, x_i\rangle - b_k` (n × m) and the map from
    :math:`G = a\sigma'(z)` (n × m) to the Jacobian rows of w in the order of :meth:`NetworkParams.flat`
    (unit by unit, coordinate by coordinate)."""
    if params.dim == 1:
        return params.w[:, None] * x[None, :] - params.b[:, None], lambda G: G * x[None, :]
    return params.w @ x.T - params.b[:, None], lambda G: (G[:, None, :] * x.T[None, :, :]).reshape(-1, x.shape[0])


__all__ = [
    "Batch",
    "LevelResult",
    "NetworkRun",
    "TrainResult",
    "dual_field",
    "kernel_matrix",
    "params_from_dual",
    "train",
]
