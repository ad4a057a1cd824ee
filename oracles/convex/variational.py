r"""The variational problems of the slides and two independent solvers for each.

Unscaled potential, ReLU (Theorem, Part II)
-------------------------------------------
.. math::
    \min_{h \in \mathcal F_{ReLU}} G_1 + G_2 + G_3 \quad\text{s.t. } h(x_i) = r_i := y_i - f(x_i, \theta(0)),

:math:`G_1 = \int_{supp} (h'')^2/p_B`, :math:`G_2 = (h'(+\infty) + h'(-\infty))^2`,
:math:`G_3 = (\int_{supp} h''|x|\,dx - 2h(0))^2/E[B^2]`; h is linear outside ``supp p_B = [lo, hi]``.

* :class:`G123Solver` -- a Galerkin solver of this functional itself: :math:`h'' = \rho\,g` with
  :math:`\rho = 1/w` (``w = 1/p_B`` the weight of :math:`G_1`, so :math:`\rho = p_B`) and g continuous
  piecewise linear on a grid, plus :math:`h(lo)` and :math:`h'(-\infty)`; every integral is a moment of
  :math:`\rho` on a cell (exact for the densities of :mod:`oracles.model.shallow`). Why this is exact:
  the Euler–Lagrange equation of the problem says :math:`w h''` is a linear combination of the
  constraint kernels :math:`(x_i - b)_+`, of 1 and of :math:`|b|, (0 - b)_+` (from G2, G3): a continuous
  piecewise-linear function with kinks only at the data and at 0. On a grid containing the data and 0
  (``align=True``) the minimizer lies in the discrete space, so the grid size only changes rounding;
  solving at N and 2N cells measures that. With ``align=False`` (a uniform grid) the error is O(Δ²).
* :func:`kernel_interpolant` -- :math:`\bar h(x) = K(x, X)K(X, X)^{-1}r` with
  :math:`K(x, x') = E[\sigma(Wx - B)\sigma(Wx' - B)]`, in closed form from the moments of :math:`p_B`
  (the limit of the kernel H(0) as n → ∞ up to the factor :math:`1/\phi''(0)`).

Scaled potential, absolute value (Theorem, scaled)
--------------------------------------------------
.. math::
    \min_{h \in \mathcal F_{Abs}} \int D_\phi\Big(\frac{h''}{2p_B}, 0\Big)p_B\,dx
    \quad\text{s.t. } h(x_i) = r_i,\qquad h(x) = \int\alpha(b)|x - b|\,p_B(b)\,db,\ h'' = 2\alpha p_B.

* :func:`scaled_dual_newton` -- Newton on the m-dimensional convex dual; stationarity
  :math:`\phi'(\alpha(b)) = \phi'(0) + \sum_i\lambda_i|x_i - b|`; with a certificate (a bound, see there).
* :func:`scaled_primal_scipy` -- an independent check: α on a uniform grid, trapezoid rule, and
  ``scipy.optimize.minimize(method="trust-constr")`` on the primal problem (no dual, no :math:`(\phi')^{-1}`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import cast

import numpy as np
from numpy.typing import ArrayLike
from scipy import linalg, optimize, sparse

from oracles.core.errors import Inconclusive, InvalidInput
from oracles.model.shallow import Density, MirrorPotential, _gauss_legendre, validate_data

EPS = float(np.finfo(float).eps)


# ========================================================================================= kernels
def _second_moment_products(density: Density, a, b, x, xp, center) -> np.ndarray:
    r""":math:`\int_a^b p_B(t)(x - t)(x' - t)\,dt` with moments about ``center`` (one of x, x' when possible)."""
    M = density.moments(a, b, 2, center)
    X, Xp = np.asarray(x, float) - center, np.asarray(xp, float) - center
    return X * Xp * M[..., 0] - (X + Xp) * M[..., 1] + M[..., 2]


def kernel(x: ArrayLike, xp: ArrayLike, density: Density, activation: str) -> np.ndarray:
    r"""The infinite-width kernel :math:`K(x, x') = E[\sigma(Wx - B)\sigma(Wx' - B)]`, W = ±1, B ~ p_B symmetric.

    ReLU: :math:`K = \tfrac12\big[\int_{lo}^{\min(x,x')}(x - b)(x' - b)p\,db + \int_{\max(x,x')}^{hi}(b - x)(b - x')p\,db\big]`
    (the W = −1 half is the second integral after b → −b). Abs:
    :math:`K = \int p\,|x - b||x' - b|\,db`, the middle interval ``[min, max]`` entering with a minus sign.
    Each piece is a closed-form combination of the moments of p_B about the nearer endpoint.
    """
    x = np.asarray(x, float)[:, None]
    xp = np.asarray(xp, float)[None, :]
    s1, s2 = np.minimum(x, xp), np.maximum(x, xp)
    lo, hi = density.lo, density.hi
    left = _second_moment_products(density, np.full_like(s1, lo), np.clip(s1, lo, hi), x, xp, s1)
    right = _second_moment_products(density, np.clip(s2, lo, hi), np.full_like(s2, hi), x, xp, s2)
    if activation == "relu":
        return 0.5 * (left + right)
    if activation == "abs":
        mid = _second_moment_products(density, np.clip(s1, lo, hi), np.clip(s2, lo, hi), x, xp, s1)
        return left + right - mid
    raise InvalidInput(f"activation must be 'relu' or 'abs', got {activation!r}")


def kernel_nd(
    x: ArrayLike, xp: ArrayLike, density: Density, activation: str, panels: int = 32, q: int = 8
) -> tuple[np.ndarray, float]:
    r"""The infinite-width kernel in input dimension d = 2, :math:`K(x, x') = E[\sigma(\langle W, x\rangle - B)\sigma(\langle W,
    x'\rangle - B)]` with W uniform on the circle, and an error estimate.

    Averaging u and u + π pairs W with −W, so :math:`K = \frac1\pi\int_0^\pi K_1(\langle w_u, x\rangle, \langle w_u, x'\rangle)\,du`,
    :math:`w_u = (\cos u, \sin u)`, with :math:`K_1` the d = 1 kernel (:func:`kernel`, W = ±1). The integrand is only
    piecewise smooth in u, so composite Gauss–Legendre on ``panels`` and ``2·panels`` panels (q nodes each); the
    error estimate is their difference (plus rounding). Returns ``(K, error)`` (sup over entries).
    """
    x = np.asarray(x, float)
    xp = np.asarray(xp, float)
    if x.ndim != 2 or xp.ndim != 2 or x.shape[1] != 2 or xp.shape[1] != 2:
        raise InvalidInput(f"kernel_nd: x and xp must be (points, 2) arrays, got {x.shape} and {xp.shape}")

    def integral(p: int) -> np.ndarray:
        t, wq = _gauss_legendre(q)
        edges = np.linspace(0.0, math.pi, p + 1)
        out = np.zeros((len(x), len(xp)))
        for lo_, hi_ in zip(edges[:-1], edges[1:]):
            for tk, wk in zip(lo_ + (hi_ - lo_) * t, (hi_ - lo_) * wq):
                w = np.array([math.cos(tk), math.sin(tk)])
                out += wk * kernel_pairs(x @ w, xp @ w, density, activation)
        return out / math.pi

    coarse, fine = integral(panels), integral(2 * panels)
    err = float(np.max(np.abs(fine - coarse))) + 1e3 * EPS * float(np.max(np.abs(fine)))
    return fine, err


def kernel_pairs(s: ArrayLike, sp: ArrayLike, density: Density, activation: str) -> np.ndarray:
    """:func:`kernel` at the projections ``s`` (rows) and ``sp`` (columns): ``K_1(s_i, sp_k)``."""
    return kernel(s, sp, density, activation)


@dataclass
class KernelInterpolant:
    r""":math:`\bar h(x) = K(x, X)c`, :math:`c = K(X, X)^{-1}r`; ``error`` bounds the effect of rounding in c."""

    x: np.ndarray
    r: np.ndarray
    coef: np.ndarray
    density: Density
    activation: str
    error: float
    cond: float

    def __call__(self, xe: ArrayLike) -> np.ndarray:
        return kernel(np.asarray(xe, float), self.x, self.density, self.activation) @ self.coef

    def second_derivative(self, xe: ArrayLike) -> np.ndarray:
        r""":math:`\bar h''(x) = \sum_i c_i\,\partial_x^2K(x, x_i)`: :math:`\tfrac12 p(x)|x - x_i|` (ReLU), :math:`2p(x)|x - x_i|` (abs)."""
        xe = np.asarray(xe, float)
        fac = 0.5 if self.activation == "relu" else 2.0
        return fac * self.density.pdf(xe) * (np.abs(xe[:, None] - self.x[None, :]) @ self.coef)


def kernel_interpolant(x: ArrayLike, r: ArrayLike, density: Density, activation: str = "relu") -> KernelInterpolant:
    r"""The ridgeless interpolant with the infinite-width kernel (the NTK-type limit of the unscaled flow).

    The error estimate is the forward error of the solve, :math:`\kappa(K)\,\varepsilon\,\|K(x, X)\|\,\|c\|`
    in the sup norm over the data (a closed form: no discretization error).
    """
    x, r = validate_data(x, r, density, yname="r")
    K = kernel(x, x, density, activation)
    cond = float(np.linalg.cond(K))
    if not math.isfinite(cond) or cond * EPS > 1e-3:
        raise Inconclusive("ill-conditioned kernel", f"cond K(X, X) = {cond:.3g} on x = {x.tolist()}")
    coef = linalg.solve(K, r, assume_a="pos")
    err = cond * EPS * float(np.max(np.abs(K)) * np.sum(np.abs(coef))) * len(x)
    return KernelInterpolant(x, r, coef, density, activation, err, cond)


# ========================================================================================= G1+G2+G3
@dataclass
class G123Assembly:
    r"""The discretized pieces of G1 + G2 + G3 on one grid (ρ-moments on each cell, hat functions).

    ``Q1`` is :math:`\int\rho\,g^2`; ``v_int``, ``v_abs`` are :math:`\int\rho g` and :math:`\int\rho g|b|` as
    vectors on g; ``cellA, cellB`` give :math:`\int_{cell}(X - b)\rho\varphi = X\,A + B` for the two hat
    functions of a cell; ``a2, a3`` are the linear forms inside G2 and G3 on :math:`u = (g, c_0, s_0)`.
    """

    nodes: np.ndarray
    Q1: np.ndarray
    v_int: np.ndarray
    v_abs: np.ndarray
    cellA: np.ndarray
    cellB: np.ndarray
    a2: np.ndarray | None = None
    a3: np.ndarray | None = None


@dataclass
class G123Solution:
    """A solution of the discretized G1 + G2 + G3 problem on one grid."""

    g: np.ndarray
    c0: float
    s0: float
    lam: np.ndarray
    asm: G123Assembly
    solver: "G123Solver"

    @property
    def nodes(self) -> np.ndarray:
        return self.asm.nodes

    def __call__(self, xe: ArrayLike) -> np.ndarray:
        return self.solver.evaluate(self, np.asarray(xe, float))

    def second_derivative(self, xe: ArrayLike) -> np.ndarray:
        r""":math:`h''(x) = \rho(x)g(x)` inside the support, 0 outside."""
        xe = np.asarray(xe, float)
        gx = np.interp(xe, self.nodes, self.g)
        return np.where((xe >= self.nodes[0]) & (xe <= self.nodes[-1]), self.solver.rho(xe) * gx, 0.0)

    @property
    def slopes(self) -> tuple[float, float]:
        r""":math:`(h'(-\infty), h'(+\infty))`."""
        return self.s0, self.s0 + float(self.asm.v_int @ self.g)

    def objective(self) -> dict[str, float]:
        """The three terms G1, G2, G3 at this solution (without the solver's control coefficients)."""
        u = np.concatenate([self.g, [self.c0, self.s0]])
        return {
            "G1": float(self.g @ self.asm.Q1 @ self.g),
            "G2": float((self.asm.a2 @ u) ** 2),
            "G3": float((self.asm.a3 @ u) ** 2 / self.solver.density.second_moment),
        }


class G123Solver:
    r"""Galerkin solver of :math:`\min G_1 + G_2 + G_3` s.t. :math:`h(x_i) = r_i` (see the module docstring).

    Unknowns :math:`u = (g_0..g_N, c_0, s_0)`, with :math:`h'' = \rho g` on ``[lo, hi]``,
    :math:`c_0 = h(lo)`, :math:`s_0 = h'(-\infty)`:

    * :math:`h(x) = c_0 + s_0(x - lo) + \int_{lo}^{\min(x, hi)}(x - b)\rho g\,db` (linear continuation beyond hi),
    * :math:`G_1 = \int w(\rho g)^2 = \int\rho g^2` (since :math:`w\rho = 1`),
    * :math:`G_2 = (2s_0 + \int\rho g)^2`, :math:`G_3 = (\int\rho g|b| - 2h(0))^2/E[B^2]`.

    The quadratic form is minimized under the m equality constraints through the KKT system (unknowns
    scaled to unit diagonal; the form is positive definite in the theorem's case: G1 fixes g, G2 then
    s0, G3 then c0).

    Parameters
    ----------
    density
        :math:`p_B` (symmetric, compact support).
    weight
        ``"1/p"`` (the theorem: :math:`G_1 = \int (h'')^2/p_B`) or ``"p"`` (a planted error for the
        negative control: :math:`\int (h'')^2 p_B`). The representation uses :math:`\rho = 1/w`; moments
        of :math:`\rho = p_B` are exact, those of :math:`\rho = 1/p_B` are by Gauss–Legendre (``quad_nodes``
        per cell; compare two values for the error).
    g2, g3
        Coefficients of G2 and G3 (1 in the theorem; other values only for negative controls).
    """

    def __init__(
        self, density: Density, *, weight: str = "1/p", g2: float = 1.0, g3: float = 1.0, quad_nodes: int = 12
    ) -> None:
        if weight not in ("1/p", "p"):
            raise InvalidInput(f"weight must be '1/p' (the theorem) or 'p' (control), got {weight!r}")
        if not (math.isfinite(density.lo) and math.isfinite(density.hi)):
            raise InvalidInput(
                f"density: the Galerkin solver needs a compact support, got {density.name} on "
                f"[{density.lo}, {density.hi}] (use kernel_interpolant, or truncate it)"
            )
        density.require_symmetric("density")
        self.density, self.weight, self.g2, self.g3, self.quad_nodes = density, weight, g2, g3, quad_nodes

    # ρ and its cell moments ---------------------------------------------------------------------
    def rho(self, x: ArrayLike) -> np.ndarray:
        """:math:`\rho = 1/w`: :math:`p_B` for the theorem's weight, :math:`1/p_B` for the control."""
        x = np.asarray(x, float)
        p = self.density.pdf(x)
        if self.weight == "1/p":
            return p
        return np.where(p > 0, 1.0 / np.where(p > 0, p, 1.0), 0.0)

    def rho_moments(self, a: ArrayLike, b: ArrayLike, kmax: int, center: ArrayLike) -> np.ndarray:
        r""":math:`\int_a^b \rho(t)(t - c)^k dt`, exact for :math:`\rho = p_B`, Gauss–Legendre for :math:`1/p_B`."""
        if self.weight == "1/p":
            return self.density.moments(a, b, kmax, center)
        A, B, C = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float), np.asarray(center, float))
        t, w = _gauss_legendre(self.quad_nodes)
        x = A[..., None] + (B - A)[..., None] * t
        vals = self.rho(x) * w * (B - A)[..., None]
        u = x - C[..., None]
        return np.stack([np.sum(vals * u**k, axis=-1) for k in range(kmax + 1)], axis=-1)

    # grid -------------------------------------------------------------------------------------------------
    def grid(self, x: ArrayLike, cells: int, align: bool = True) -> np.ndarray:
        """Nodes: ``lo``, ``hi`` and, if ``align``, 0 and the data; pieces split so that no cell exceeds ``L/cells``."""
        lo, hi = self.density.lo, self.density.hi
        if not align:
            return np.linspace(lo, hi, cells + 1)
        return _split(np.concatenate([[lo, hi, 0.0], np.asarray(x, float)]), lo, hi, cells)

    def assemble(self, nodes: np.ndarray) -> G123Assembly:
        """Cell moments of ρ (about each cell's left node) and the discrete forms on hat functions."""
        t0, t1 = nodes[:-1], nodes[1:]
        D = t1 - t0
        M = self.rho_moments(t0, t1, 2, t0)
        M0, M1, M2 = M[:, 0], M[:, 1], M[:, 2]
        N = len(nodes)
        idx = np.arange(N - 1)
        LL, LR, RR = M0 - 2 * M1 / D + M2 / D**2, M1 / D - M2 / D**2, M2 / D**2  # φ_L = 1 − u/Δ, φ_R = u/Δ
        Q1 = np.zeros((N, N))
        np.add.at(Q1, (idx, idx), LL)
        np.add.at(Q1, (idx + 1, idx + 1), RR)
        np.add.at(Q1, (idx, idx + 1), LR)
        np.add.at(Q1, (idx + 1, idx), LR)
        IL, IR = M0 - M1 / D, M1 / D  # ∫ρφ_L, ∫ρφ_R
        sgn = np.sign(0.5 * (t0 + t1))
        AL, AR = sgn * (t0 * IL + M1 - M2 / D), sgn * (t0 * IR + M2 / D)  # ∫ρ|b|φ on cells not straddling 0
        for k in np.flatnonzero((t0 < 0) & (t1 > 0)):  # unaligned grid: split the cell at 0
            Ml, Mr = self.rho_moments(t0[k], 0.0, 2, t0[k]), self.rho_moments(0.0, t1[k], 2, t0[k])
            d = D[k]
            AL[k] = -(t0[k] * (Ml[0] - Ml[1] / d) + Ml[1] - Ml[2] / d) + (
                t0[k] * (Mr[0] - Mr[1] / d) + Mr[1] - Mr[2] / d
            )
            AR[k] = -(t0[k] * Ml[1] / d + Ml[2] / d) + (t0[k] * Mr[1] / d + Mr[2] / d)
        v_int, v_abs = np.zeros(N), np.zeros(N)
        np.add.at(v_int, idx, IL)
        np.add.at(v_int, idx + 1, IR)
        np.add.at(v_abs, idx, AL)
        np.add.at(v_abs, idx + 1, AR)
        cellA = np.stack([IL, IR], 1)
        cellB = np.stack([-t0 * IL - (M1 - M2 / D), -t0 * IR - M2 / D], 1)
        return G123Assembly(nodes, Q1, v_int, v_abs, cellA, cellB)

    def rows(self, asm: G123Assembly, X: ArrayLike) -> np.ndarray:
        r"""Coefficients of :math:`\int_{lo}^{\min(X, hi)}(X - b)\rho g\,db` on the nodal values g (one row per X)."""
        X = np.atleast_1d(np.asarray(X, float))
        nodes = asm.nodes
        t0, t1 = nodes[:-1], nodes[1:]
        D = t1 - t0
        top = np.clip(X[:, None], t0[None, :], t1[None, :])  # (|X|, cells)
        T0 = np.broadcast_to(t0, top.shape)
        M = self.rho_moments(T0, top, 2, T0)
        M0, M1, M2 = M[..., 0], M[..., 1], M[..., 2]
        Xr = X[:, None] - t0[None, :]
        R = np.zeros((len(X), len(nodes)))
        R[:, :-1] += Xr * (M0 - M1 / D) - (M1 - M2 / D)  # ∫ (X − t0 − u) ρ (1 − u/Δ)
        R[:, 1:] += Xr * M1 / D - M2 / D
        return R

    def solve(self, x: ArrayLike, r: ArrayLike, cells: int = 64, align: bool = True) -> G123Solution:
        """Minimize on the grid of :meth:`grid`; ``x, r`` are validated (distinct, inside the support)."""
        x, r = validate_data(x, r, self.density, yname="r")
        lo = self.density.lo
        asm = self.assemble(self.grid(x, cells, align))
        N = len(asm.nodes)
        E0 = self.rows(asm, np.array([0.0]))[0]
        asm.a2 = np.concatenate([asm.v_int, [0.0, 2.0]])  # h'(+∞) + h'(−∞)
        asm.a3 = np.concatenate([asm.v_abs - 2.0 * E0, [-2.0, 2.0 * lo]])  # ∫h''|b| − 2h(0)
        Q = np.zeros((N + 2, N + 2))
        Q[:N, :N] = asm.Q1
        Q += self.g2 * np.outer(asm.a2, asm.a2) + self.g3 * np.outer(asm.a3, asm.a3) / self.density.second_moment
        A = np.hstack([self.rows(asm, x), np.ones((len(x), 1)), (x - lo)[:, None]])
        # KKT system [[2Q, Aᵀ], [A, 0]], unknowns scaled to unit diagonal (the g-block has entries ~ cell size);
        # Q alone may be singular when a control drops G2 or G3, the KKT matrix is not.
        dq = np.diag(Q)
        s = 1.0 / np.sqrt(np.where(dq > 1e-14 * dq.max(), dq, 1.0))
        m = len(x)
        As = A * s
        KKT = np.block([[2.0 * Q * np.outer(s, s), As.T], [As, np.zeros((m, m))]])
        try:
            vec = linalg.solve(KKT, np.concatenate([np.zeros(N + 2), r]), assume_a="sym")
        except linalg.LinAlgError as exc:
            raise Inconclusive("singular G1+G2+G3 system", str(exc)) from exc
        u = s * vec[: N + 2]
        return G123Solution(u[:N], float(u[N]), float(u[N + 1]), -vec[N + 2 :], asm, self)

    def evaluate(self, sol: G123Solution, X: np.ndarray) -> np.ndarray:
        r""":math:`h(X)` in O(cells + |X|): prefix sums over full cells plus the partial cell containing X."""
        asm, g = sol.asm, sol.g
        nodes = asm.nodes
        lo, hi = nodes[0], nodes[-1]
        gg = np.stack([g[:-1], g[1:]], 1)
        cA = np.concatenate([[0.0], np.cumsum(np.sum(asm.cellA * gg, 1))])
        cB = np.concatenate([[0.0], np.cumsum(np.sum(asm.cellB * gg, 1))])
        Xc = np.clip(X, lo, hi)
        k = np.clip(np.searchsorted(nodes, Xc, side="right") - 1, 0, len(nodes) - 2)  # cell containing X
        t0, t1 = nodes[k], nodes[k + 1]
        D = t1 - t0
        M = self.rho_moments(t0, np.clip(Xc, t0, t1), 2, t0)
        Xr = X - t0
        part = g[k] * (Xr * (M[:, 0] - M[:, 1] / D) - (M[:, 1] - M[:, 2] / D)) + g[k + 1] * (
            Xr * M[:, 1] / D - M[:, 2] / D
        )
        inside = np.where(X < lo, 0.0, X * cA[k] + cB[k] + part)
        return sol.c0 + sol.s0 * (X - lo) + inside


def _split(breaks, lo: float, hi: float, pieces: int) -> np.ndarray:
    """Sorted unique breakpoints in ``[lo, hi]`` (ends included), each gap split evenly into pieces ≤ ``(hi−lo)/pieces``."""
    brk = np.unique(np.asarray(breaks, float))
    brk = brk[(brk >= lo) & (brk <= hi)]
    h = (hi - lo) / pieces
    parts = [
        np.linspace(brk[i], brk[i + 1], max(1, int(math.ceil((brk[i + 1] - brk[i]) / h - 1e-9))) + 1)[:-1]
        for i in range(len(brk) - 1)
    ]
    return np.concatenate(parts + [[hi]])


@dataclass
class RefinedSolution:
    """The fine solution with the change from the coarse grid as its error estimate (sup over ``x_eval``)."""

    fine: G123Solution | PrimalSolution
    coarse: G123Solution | PrimalSolution
    x_eval: np.ndarray
    values: np.ndarray
    error: float

    def __call__(self, xe: ArrayLike) -> np.ndarray:
        return self.fine(xe)


def solve_g123(
    x: ArrayLike,
    r: ArrayLike,
    density: Density,
    x_eval: ArrayLike,
    *,
    cells: int = 64,
    align: bool = True,
    weight: str = "1/p",
    g2: float = 1.0,
    g3: float = 1.0,
) -> RefinedSolution:
    """Solve on ``cells`` and ``2·cells`` (nested grids); error estimate = sup change on ``x_eval`` + rounding."""
    solver_c = G123Solver(density, weight=weight, g2=g2, g3=g3)
    solver_f = G123Solver(density, weight=weight, g2=g2, g3=g3, quad_nodes=24 if weight == "p" else 12)
    coarse = solver_c.solve(x, r, cells, align)
    fine = solver_f.solve(x, r, 2 * cells, align)
    xe = np.asarray(x_eval, float)
    vf, vc = fine(xe), coarse(xe)
    scale = max(1.0, float(np.max(np.abs(vf))))
    err = float(np.max(np.abs(vf - vc))) + 1e3 * EPS * scale
    return RefinedSolution(fine, coarse, xe, vf, err)


# ========================================================================================= scaled
def abs_quadrature(
    breaks: ArrayLike, density: Density, pieces: int, q: int = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Composite Gauss–Legendre on ``[lo, hi]``: ``(edges, nodes, W)`` with :math:`W_q = w_q\,p_B(b_q)`.

    ``breaks`` (the data, where :math:`|x_i - b|` has kinks, and the zeros of the dual function, where
    :math:`|x|^3` makes α only :math:`C^1`) are piece boundaries; each gap is split so that no piece exceeds
    ``(hi − lo)/pieces``. Nodes are ordered piece by piece (``q`` per piece).
    """
    lo, hi = density.lo, density.hi
    edges = _split(np.concatenate([[lo, hi], np.asarray(breaks, float)]), lo, hi, pieces)
    t, w = _gauss_legendre(q)
    a, L = edges[:-1], np.diff(edges)
    nodes = (a[:, None] + L[:, None] * t[None, :]).ravel()
    return edges, nodes, (L[:, None] * w[None, :]).ravel() * density.pdf(nodes)


@dataclass
class ScaledSolution:
    r"""The dual-Newton solution :math:`\alpha_\lambda(b) = (\phi')^{-1}(\phi'(0) + \sum_i\lambda_i|x_i - b|)`.

    :math:`\alpha_\lambda` is defined for every b, so :math:`h_\lambda(x) = \int\alpha_\lambda(b)|x - b|p_B(b)\,db`
    is evaluated with x as an extra breakpoint (:meth:`__call__`), and :meth:`certificate` bounds
    :math:`|h^\star(x) - h_\lambda(x)|` for the exact minimizer :math:`h^\star` of the continuous problem
    (up to the quadrature error of the integrals in the bound, which is measured separately).
    """

    x: np.ndarray
    r: np.ndarray
    lam: np.ndarray
    density: Density
    potential: MirrorPotential
    edges: np.ndarray
    nodes: np.ndarray
    weights: np.ndarray
    residual: np.ndarray
    newton_steps: int
    q: int
    corr_coef: np.ndarray | None = field(repr=False, default=None)  # set by scaled_dual_newton
    gap: float = 0.0

    def alpha(self, b: ArrayLike) -> np.ndarray:
        r""":math:`\alpha_\lambda(b)`."""
        b = np.asarray(b, float)
        s = np.abs(np.asarray(b)[..., None] - self.x) @ self.lam
        return self.potential.grad_inv(float(self.potential.grad(0.0)) + s)

    def __call__(self, xe: ArrayLike) -> np.ndarray:
        r""":math:`h_\lambda(x) = x m_0 - m_1 + 2(C_1(x) - xC_0(x))`, from :math:`|x - b| = (x - b) + 2(b - x)_+`.

        :math:`m_k = \int b^k\alpha p`, :math:`C_k(x) = \int_x^{hi}b^k\alpha p`: suffix sums over whole pieces
        plus a Gauss–Legendre rule on the part ``[x, end of its piece]`` (α is smooth there).
        """
        xe = np.asarray(xe, float)
        al = self.alpha(self.nodes)
        Wa = self.weights * al
        per0 = Wa.reshape(-1, self.q).sum(1)
        per1 = (Wa * self.nodes).reshape(-1, self.q).sum(1)
        suf0 = np.concatenate([np.cumsum(per0[::-1])[::-1], [0.0]])
        suf1 = np.concatenate([np.cumsum(per1[::-1])[::-1], [0.0]])
        lo, hi = self.edges[0], self.edges[-1]
        xc = np.clip(xe, lo, hi)
        k = np.clip(np.searchsorted(self.edges, xc, side="right") - 1, 0, len(self.edges) - 2)
        top = self.edges[k + 1]
        t, w = _gauss_legendre(self.q)
        bb = xc[:, None] + (top - xc)[:, None] * t[None, :]
        ww = (top - xc)[:, None] * w[None, :] * self.density.pdf(bb) * self.alpha(bb)
        C0 = suf0[k + 1] + ww.sum(1)
        C1 = suf1[k + 1] + (ww * bb).sum(1)
        return xe * suf0[0] - suf1[0] + 2.0 * (C1 - xe * C0)

    def second_derivative(self, b: ArrayLike) -> np.ndarray:
        r""":math:`h'' = 2\alpha_\lambda p_B`."""
        b = np.asarray(b, float)
        return 2.0 * self.alpha(b) * self.density.pdf(b)

    def certificate(self, xe: ArrayLike) -> np.ndarray:
        r"""Pointwise bound :math:`|h^\star(x) - h_\lambda(x)| \le |\textstyle\sum_i c_iK(x, x_i)| + \sqrt{2G/\mu}\,\sqrt{x^2 + E[B^2]}`.

        Let :math:`F = (h_\lambda(x_i) - r_i)_i`, :math:`c = K(X, X)^{-1}F` (:math:`K` the abs kernel, closed
        form) and :math:`\beta = \alpha_\lambda - \sum_ic_i|x_i - \cdot|`, which is feasible. Weak duality,
        :math:`E(\alpha^\star) \ge E(\alpha_\lambda) - \lambda^\top F`, and the exact cancellation of the
        linear terms give :math:`E(\beta) - E(\alpha^\star) \le G = \int D_\phi(\beta, \alpha_\lambda)p_B`;
        strong convexity (:math:`\phi'' \ge \mu`) on the feasible set gives
        :math:`\|\beta - \alpha^\star\|_{L^2(p_B)} \le \sqrt{2G/\mu}`; Cauchy–Schwarz with
        :math:`\||x - \cdot|\|_{L^2(p_B)}^2 = x^2 + E[B^2]` bounds :math:`h_\beta - h^\star`, and
        :math:`h_\lambda - h_\beta = \sum_ic_iK(\cdot, x_i)` exactly.
        """
        xe = np.asarray(xe, float)
        shift = np.abs(kernel(xe, self.x, self.density, "abs") @ cast(np.ndarray, self.corr_coef))
        return shift + math.sqrt(2.0 * max(self.gap, 0.0) / self.potential.hess_min) * np.sqrt(
            xe**2 + self.density.second_moment
        )


def scaled_dual_newton(
    x: ArrayLike,
    r: ArrayLike,
    density: Density,
    potential: MirrorPotential,
    *,
    pieces: int = 32,
    q: int = 10,
    max_steps: int = 100,
    breaks: ArrayLike | None = None,
) -> ScaledSolution:
    r"""Solve the scaled problem by Newton's method on the m-dimensional dual.

    Dual function (convex): :math:`g(\lambda) = \sum_q W_q\,\psi^*(s_q) - \lambda^\top r`,
    :math:`s_q = \sum_i\lambda_i|x_i - b_q|`, :math:`\psi^*(s) = s\alpha - D_\phi(\alpha, 0)` with
    :math:`\alpha = (\phi')^{-1}(\phi'(0) + s)`; :math:`\nabla g = F(\lambda) = \Phi(W\alpha) - r`,
    :math:`\nabla^2 g = \Phi\,\mathrm{diag}(W/\phi''(\alpha))\Phi^\top`. Newton with Armijo backtracking from the
    quadratic-potential solution, until :math:`\|F\|_\infty \le 10^{-14}(1 + \|r\|_\infty)` or no progress.
    Then, if the dual function :math:`s(b)` changes sign inside a piece, its zeros become breakpoints and
    Newton is rerun from λ (α is only :math:`C^1` there for :math:`|x|^3`).
    """
    x, r = validate_data(x, r, density, yname="r")
    brk = np.asarray(x if breaks is None else breaks, float)
    lam, steps = None, 0
    for _ in range(3):
        edges, nodes, W = abs_quadrature(np.concatenate([x, brk]), density, pieces, q)
        lam, steps = _dual_newton(x, r, nodes, W, potential, lam, max_steps)
        zeros, slopes = _dual_zeros(x, lam, density)
        if zeros.size == 0 or np.all(np.min(np.abs(zeros[:, None] - edges[None, :]), 1) < 1e-12):
            break
        brk = np.concatenate([x, _graded(zeros, slopes, density, pieces)])
    assert lam is not None  # the loop ran (3 passes)
    sol = ScaledSolution(x, r, lam, density, potential, edges, nodes, W, np.zeros_like(r), steps, q)
    F = sol(x) - r
    sol.residual = F
    sol.corr_coef = linalg.solve(kernel(x, x, density, "abs"), F, assume_a="pos")
    al = sol.alpha(nodes)
    beta = al - np.abs(nodes[:, None] - x[None, :]) @ sol.corr_coef
    sol.gap = float(W @ potential.bregman(beta, al))
    return sol


def _dual_newton(x, r, nodes, W, potential: MirrorPotential, lam0, max_steps: int):
    r"""Damped Newton on the dual function; returns ``(λ, steps)``.

    Far from the optimum: Armijo backtracking on the dual value. Once the Newton decrement is below the
    rounding level of that value (where a line search sees only noise), full steps are taken while they
    reduce :math:`\|F\|_\infty`; the iteration stops when a full step no longer does.
    """
    Phi = np.abs(x[:, None] - nodes[None, :])
    g0 = float(potential.grad(0.0))

    def dual(lam):
        s = lam @ Phi
        al = potential.grad_inv(g0 + s)
        return float(W @ (s * al - potential.bregman(al, 0.0)) - lam @ r), al, s

    lam = float(potential.hess(0.0)) * linalg.solve((Phi * W) @ Phi.T, r, assume_a="pos") if lam0 is None else lam0
    val, al, s = dual(lam)
    F = Phi @ (W * al) - r
    for steps in range(1, max_steps + 1):
        fmax = float(np.max(np.abs(F)))
        if fmax <= 64 * EPS * (float(np.max(Phi @ (W * np.abs(al)))) + float(np.max(np.abs(r)))):
            return lam, steps - 1
        Hs = (Phi * (W / potential.hess(al))) @ Phi.T
        d = np.sqrt(np.diag(Hs))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", linalg.LinAlgWarning)  # conditioning is judged by the certificate
                step = -linalg.solve(Hs / np.outer(d, d), F / d, assume_a="pos") / d
        except (linalg.LinAlgError, ValueError) as exc:
            raise Inconclusive("singular dual Hessian", str(exc)) from exc
        dec = float(-F @ step)
        if not (math.isfinite(dec) and np.all(np.isfinite(step))):
            raise Inconclusive("non-finite Newton step", f"lambda = {lam.tolist()}")
        if dec > 64 * EPS * (float(W @ np.abs(s * al)) + float(np.abs(lam) @ np.abs(r))):
            t = 1.0
            new_val, new_al, new_s = dual(lam + step)
            while new_val > val - 0.25 * t * dec and t > 1e-10:
                t *= 0.5
                new_val, new_al, new_s = dual(lam + t * step)
            if t <= 1e-10:
                return lam, steps - 1
        else:  # local phase: accept a full step iff it reduces |F|
            t = 1.0
            new_val, new_al, new_s = dual(lam + step)
            if float(np.max(np.abs(Phi @ (W * new_al) - r))) >= fmax:
                return lam, steps - 1
        lam, val, al, s = lam + t * step, new_val, new_al, new_s
        F = Phi @ (W * al) - r
    raise Inconclusive("not converged", f"dual Newton: {max_steps} steps, |F| = {float(np.max(np.abs(F))):.3g}")


def _dual_zeros(x, lam, density: Density) -> tuple[np.ndarray, np.ndarray]:
    r"""Zeros of the piecewise-linear :math:`s(b) = \sum_i\lambda_i|x_i - b|` inside the support, and :math:`|s'|` there."""
    brk = np.unique(np.concatenate([[density.lo, density.hi], x]))
    s = np.abs(brk[:, None] - x[None, :]) @ lam
    zeros, slopes = [], []
    for a, b, sa, sb in zip(brk[:-1], brk[1:], s[:-1], s[1:]):
        if sa * sb < 0:
            zeros.append(a + (b - a) * sa / (sa - sb))
            slopes.append(abs(sb - sa) / (b - a))
    return np.asarray(zeros), np.asarray(slopes)


def _graded(zeros, slopes, density: Density, pieces: int) -> np.ndarray:
    r"""Breakpoints graded geometrically (ratio 2) towards each zero z of the dual function s.

    :math:`\alpha = (\phi')^{-1}\circ s` has complex singularities where :math:`\phi''(\alpha) = 0`, at
    :math:`|s| = O(1)` (0.54 for :math:`x^4 + x^2`, 1 for cosh; a real kink at 0 for :math:`|x|^3`), i.e. at a
    distance :math:`\approx 1/|s'(z)|` from z in b, which is tiny when λ is large (ill-conditioned data).
    Pieces of width :math:`w_0 2^k` around z, :math:`w_0 = \min(0.05/|s'|, L/pieces)/4`, keep
    Gauss–Legendre converging geometrically (an hp-mesh).
    """
    L = density.hi - density.lo
    out = [zeros]
    for z, sl in zip(zeros, slopes):
        w0 = min(0.05 / max(sl, 1e-300), L / pieces) / 4.0
        k = np.arange(0, 64)
        steps = w0 * 2.0**k
        steps = steps[steps < L / pieces]
        out += [z - steps, z + steps]
    return np.concatenate(out)


@dataclass
class ScaledReference:
    """Dual-Newton solution at two quadratures with its total error estimate on ``x_eval``."""

    fine: ScaledSolution
    coarse: ScaledSolution
    x_eval: np.ndarray
    values: np.ndarray
    certificate: float
    quadrature_change: float

    @property
    def error(self) -> float:
        return self.certificate + self.quadrature_change

    def __call__(self, xe: ArrayLike) -> np.ndarray:
        return self.fine(xe)


def solve_scaled(
    x: ArrayLike,
    r: ArrayLike,
    density: Density,
    potential: MirrorPotential,
    x_eval: ArrayLike,
    *,
    pieces: int = 16,
    q: int = 10,
) -> ScaledReference:
    """The scaled oracle: dual Newton at ``pieces`` and ``2·pieces``; error = certificate + quadrature change."""
    coarse = scaled_dual_newton(x, r, density, potential, pieces=pieces, q=q)
    fine = scaled_dual_newton(x, r, density, potential, pieces=2 * pieces, q=q)
    xe = np.asarray(x_eval, float)
    vf = fine(xe)
    cert = float(np.max(fine.certificate(xe)))
    change = float(np.max(np.abs(vf - coarse(xe))))
    return ScaledReference(fine, coarse, xe, vf, cert, change)


@dataclass
class PrimalSolution:
    """The primal scipy solution at one grid (trapezoid rule)."""

    nodes: np.ndarray
    weights: np.ndarray
    alpha: np.ndarray
    result: optimize.OptimizeResult

    def __call__(self, xe: ArrayLike) -> np.ndarray:
        xe = np.asarray(xe, float)
        return np.abs(xe[:, None] - self.nodes[None, :]) @ (self.weights * self.alpha)


def scaled_primal_scipy(
    x: ArrayLike, r: ArrayLike, density: Density, potential: MirrorPotential, *, cells: int = 400
) -> PrimalSolution:
    r"""An independent oracle of the scaled problem: the primal, discretized directly, solved by scipy.

    α at the ``cells + 1`` nodes of a uniform grid, :math:`\int u\,p_B \approx \sum_k \tau_k p_B(b_k)u(b_k)`
    (trapezoid weights :math:`\tau_k`, not aligned with the data: O(Δ²) error), objective
    :math:`\sum_k \tau_kp_B(b_k)D_\phi(\alpha_k, 0)` with linear constraints, by ``trust-constr``
    (gradient :math:`\phi'(\alpha) - \phi'(0)`, diagonal Hessian :math:`\phi''(\alpha)`). It uses neither the
    dual nor :math:`(\phi')^{-1}`.
    """
    x, r = validate_data(x, r, density, yname="r")
    nodes = np.linspace(density.lo, density.hi, cells + 1)
    tau = np.full(cells + 1, (density.hi - density.lo) / cells)
    tau[[0, -1]] *= 0.5
    W = tau * density.pdf(nodes)
    A = np.abs(x[:, None] - nodes[None, :]) * W
    g0 = float(potential.grad(0.0))
    obj_scale = 1.0 / max(float(np.max(np.abs(r))), 1e-12) ** 2

    def fun(a):
        return obj_scale * float(W @ potential.bregman(a, 0.0))

    def jac(a):
        return obj_scale * W * (potential.grad(a) - g0)

    def hess(a):
        return sparse.diags(obj_scale * W * potential.hess(a))

    a0 = np.zeros(cells + 1)
    cons = optimize.LinearConstraint(A, r, r)
    res = optimize.minimize(
        fun,
        a0,
        jac=jac,
        hess=hess,
        constraints=[cons],
        method="trust-constr",
        options={"gtol": 1e-13, "xtol": 1e-14, "maxiter": 2000, "verbose": 0},
    )
    if not np.all(np.isfinite(res.x)):
        raise Inconclusive("not converged", "trust-constr returned non-finite values")
    return PrimalSolution(nodes, W, res.x, res)


def solve_scaled_primal(
    x: ArrayLike, r: ArrayLike, density: Density, potential: MirrorPotential, x_eval: ArrayLike, *, cells: int = 400
) -> RefinedSolution:
    """The primal oracle at ``cells`` and ``2·cells``; error = sup change on ``x_eval``."""
    coarse = scaled_primal_scipy(x, r, density, potential, cells=cells)
    fine = scaled_primal_scipy(x, r, density, potential, cells=2 * cells)
    xe = np.asarray(x_eval, float)
    vf = fine(xe)
    return RefinedSolution(fine, coarse, xe, vf, float(np.max(np.abs(vf - coarse(xe)))))


__all__ = [
    "G123Solver",
    "KernelInterpolant",
    "RefinedSolution",
    "ScaledReference",
    "ScaledSolution",
    "abs_quadrature",
    "kernel",
    "kernel_interpolant",
    "scaled_dual_newton",
    "scaled_primal_scipy",
    "solve_g123",
    "solve_scaled",
    "solve_scaled_primal",
]
