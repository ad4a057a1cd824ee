"""Strategies for li2022's convergence statements (§4.2: Thm 4.13, Cor 4.14, Thm 4.15(d); §4.3: Thm 4.16,
Cor 4.17, the identity remark) and for their non-convergence controls.

Moved out of ``theorems/li2022_s4_2_convergence.py`` and ``theorems/li2022_s4_3_regression.py`` unchanged
(same draws); the statement modules import them from here. :func:`separable_cases` and
:func:`separable_quadratic_cases` draw the planted non-convergent instances: the exponential loss on data
separable inside the recession cone of dom R, where no minimizer exists and w(t) → ∞.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from numpy.typing import ArrayLike

from generators.arrays import dims, positive_vectors, vectors
from generators.parametrizations import commuting_quadratics, inits
from generators.regression import data_matrices, init_scales, targets
from oracles.core.errors import Inconclusive
from oracles.flows.trajectories import psi
from oracles.model.losses import LeastSquares, LogCosh
from oracles.model.parametrizations import Identity, Powers, UVSquared

if TYPE_CHECKING:
    from oracles.model.parametrizations import Parametrization, Quadratic

#: The families of li2022:thm-4.13 / cor-4.14 by name (dom R = ℝ^d for the first two, ℝ≥0^d for x⊙2).
FAMILIES = {"identity": Identity, "u^2 - v^2": UVSquared, "x^2": lambda d: Powers(2.0, d)}
#: The convex losses of li2022:cor-4.14 by name.
CONVEX = {"least-squares": LeastSquares, "log-cosh": LogCosh}
#: The losses L~ of li2022 §4.3 by name.
REGRESSION_LOSSES = {"least-squares": LeastSquares, "log-cosh": LogCosh}


# ------------------------------------------------------------------------------------------ §4.2
@st.composite
def any_data(draw: st.DrawFn, max_d: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """``(Z, Y)``: underdetermined (``n < d``) or overdetermined (``n > d``) data of full rank."""
    over = draw(st.booleans())
    if over:
        Z = draw(data_matrices(max_n=max_d, max_extra=2)).T  # n > d, full column rank
    else:
        Z = draw(data_matrices(max_n=max_d - 1 if max_d > 1 else 1, max_extra=2))
    return Z, draw(targets(Z.shape[0]))


@st.composite
def quasi_convex_cases(draw: st.DrawFn) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """``(family, x_init, Z, Y)`` for the quasi-convex loss ln(1 + ½‖Zw − Y‖²)."""
    fam = draw(st.sampled_from(sorted(FAMILIES)))
    Z, Y = draw(any_data())
    G = FAMILIES[fam](Z.shape[1])
    x = draw(inits(G))
    if fam == "x^2":  # keep the nonnegative least-squares solution away from 0 (else w -> 0 only relatively slowly)
        Y = Z @ draw(positive_vectors(Z.shape[1], 0.3, 2.0)) + draw(vectors(Z.shape[0], 0.0, 0.5))
    return fam, x, Z, Y


@st.composite
def convex_cases(draw: st.DrawFn) -> tuple[str, np.ndarray, np.ndarray, np.ndarray, str]:
    """``(family, x_init, Z, Y, loss)`` with a reachable set Ω_w = ℝ^d (identity, u⊙2 − v⊙2)."""
    fam = draw(st.sampled_from(["identity", "u^2 - v^2"]))
    Z, Y = draw(any_data())
    G = FAMILIES[fam](Z.shape[1])
    return fam, draw(inits(G)), Z, Y, draw(st.sampled_from(sorted(CONVEX)))


@st.composite
def commuting_quadratic_cases(draw: st.DrawFn) -> tuple[Quadratic, np.ndarray, np.ndarray, np.ndarray]:
    """``(G, x_init, Z, Y)``: a commuting quadratic G (d = 2, 3), and data interpolable inside range ∇Q.

    ``Y = Z G(ψ(x_init; μ))`` for a drawn μ, so an interpolant lies in the reachable set (int dom R).
    """
    d = draw(dims(2, 3))
    G = draw(commuting_quadratics(d=d, max_extra=2))
    x = draw(inits(G))
    mu = draw(vectors(d, 0.3, 0.5))  # shrinks to 0.3·1, never to the trivial mu = 0 (Y = Z w0)
    w_feas = G.value(psi(G, x, mu))
    Z = draw(data_matrices(max_n=d - 1, max_extra=1, d=d))
    return G, x, Z, Z @ w_feas


# ------------------------------------------------------------------------------------------ §4.3
@st.composite
def commuting_regression_cases(draw: st.DrawFn) -> tuple[Parametrization, np.ndarray, np.ndarray, np.ndarray, str]:
    """``(G, x_init, Z, Y, loss)``: a commuting G and underdetermined data interpolable inside int dom R."""
    kind = draw(st.sampled_from(["identity", "u^2 - v^2", "x^2", "quadratic"]))
    G: Parametrization
    if kind == "quadratic":
        d = draw(dims(2, 3))
        G = draw(commuting_quadratics(d=d, max_extra=2))
    else:
        d = draw(dims(2, 4))
        G = {"identity": Identity, "u^2 - v^2": UVSquared, "x^2": lambda k: Powers(2.0, k)}[kind](d)
    x = draw(inits(G))
    Z = draw(data_matrices(max_n=d - 1, max_extra=1, d=d))
    if kind == "x^2":
        Y = Z @ draw(positive_vectors(d, 0.2, 3.0))
    elif kind == "quadratic":
        Y = Z @ G.value(psi(G, x, draw(vectors(d, 0.3, 0.5))))
    else:
        Y = draw(targets(Z.shape[0]))
    return G, x, Z, Y, draw(st.sampled_from(sorted(REGRESSION_LOSSES)))


@st.composite
def uv_cases(
    draw: st.DrawFn, lo: float = 0.05, hi: float = 3.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """``(u0, v0, Z, Y, loss)``: an initialization of scale α in [lo, hi] (u0 ≠ v0 in general) and data."""
    Z = draw(data_matrices(max_n=2, max_extra=3))
    d = Z.shape[1]
    a = draw(init_scales(lo, hi))
    u0 = a * draw(positive_vectors(d, 0.5, 2.0))
    v0 = a * draw(positive_vectors(d, 0.5, 2.0))
    return u0, v0, Z, draw(targets(Z.shape[0])), draw(st.sampled_from(sorted(REGRESSION_LOSSES)))


@st.composite
def identity_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """``(x_init, Z, Y, loss)`` for G(x) = x."""
    Z = draw(data_matrices(max_n=3, max_extra=3))
    return (
        draw(vectors(Z.shape[1], 0.0, 1.5)),
        Z,
        draw(targets(Z.shape[0])),
        draw(st.sampled_from(sorted(REGRESSION_LOSSES))),
    )


# ------------------------------------------------------------------------------------------ controls
@st.composite
def separable_data(draw: st.DrawFn, direction: ArrayLike, max_n: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` with labels ±1 and every :math:`z_i = y_ix_i` at margin 0.3–1 along ``direction`` (unit-normalized)
    plus a perpendicular part of size ≤ 1: separable through the origin by ``direction`` itself."""
    a = np.asarray(direction, float) / np.linalg.norm(direction)
    d = a.size
    n = draw(st.integers(1, max_n))
    rows = []
    for _ in range(n):
        m = draw(st.floats(0.3, 1.0))
        p = draw(vectors(d, 0.0, 1.0))
        p = p - (p @ a) * a
        rows.append(m * a + p)
    Zc = np.array(rows)
    y = np.array([draw(st.sampled_from([1.0, -1.0])) for _ in range(n)])
    return y[:, None] * Zc, y


@st.composite
def separable_cases(
    draw: st.DrawFn, families: Sequence[str] = ("identity", "u^2 - v^2", "x^2")
) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """``(family, x_init, X, y)``: exponential-loss data separable inside the recession cone of dom R.

    The separating direction is drawn positive (in ℝ≥0^d, so also a direction of dom R for x⊙2), so the
    exponential loss has no minimizer on dom R and w(t) escapes to infinity.
    """
    fam = draw(st.sampled_from(list(families)))
    d = draw(dims(1, 3))
    X, y = draw(separable_data(draw(positive_vectors(d, 0.2, 1.0))))
    return fam, draw(inits(FAMILIES[fam](d))), X, y


@st.composite
def separable_quadratic_cases(draw: st.DrawFn) -> tuple[Quadratic, np.ndarray, np.ndarray, np.ndarray]:
    """``(G, x_init, X, y)``: a commuting quadratic G and exponential-loss data separable by a direction inside
    the cone spanned by G's eigenvalue columns (dom R's recession cone, Thm 4.15(d))."""
    d = draw(dims(2, 3))
    G = draw(commuting_quadratics(d=d, max_extra=2))
    eig = G.common_eigenbasis()
    assume(eig is not None)
    assert eig is not None  # for the type checker: assume() above rejected None
    Lam = eig[1]
    c = draw(positive_vectors(Lam.shape[1], 0.2, 1.0))
    X, y = draw(separable_data(Lam @ c))
    return G, draw(inits(G)), X, y


@st.composite
def ridge_bump_cases(draw: st.DrawFn) -> tuple[str, np.ndarray, np.ndarray]:
    """``(family, x_init, a)``: the identity or u⊙2 − v⊙2 started in the tail of the ridge bump
    :math:`L = \\varphi(a^\\top w)`, :math:`\\varphi(s) = s^2e^{-s^2}` (:class:`oracles.model.nonconvex_losses.RidgeBump`):
    :math:`a^\\top w_0 \\in [1.2, 2.5]` (past the bump at 1), any part orthogonal to a. The loss is not quasi-convex
    and the flow escapes along a."""
    fam = draw(st.sampled_from(["identity", "u^2 - v^2"]))
    d = draw(dims(1, 3))
    a = draw(vectors(d, 1.0, 1.0))
    assume(np.linalg.norm(a) > 0.1)
    a = a / np.linalg.norm(a)
    p = draw(vectors(d, 0.0, 1.0))
    w0 = draw(st.floats(1.2, 2.5)) * a + (p - (p @ a) * a)
    if fam == "identity":
        return fam, w0, a
    c = draw(positive_vectors(d, 0.05, 1.0))
    return fam, np.concatenate([np.sqrt(np.maximum(w0, 0.0) + c), np.sqrt(np.maximum(-w0, 0.0) + c)]), a


@st.composite
def coordinatewise_regression_cases(draw: st.DrawFn) -> tuple[Parametrization, np.ndarray, np.ndarray, np.ndarray, str]:
    """``(G, x_init, Z, Y, loss)`` for li2022:thm-4.16 on the commuting G = P·g(Bx) of
    :func:`generators.parametrizations.linear_coordinatewise` (neither separable nor quadratic; d ≥ 2) and
    underdetermined data with an interpolant inside the reachable set: ``Y = Z (∇R)⁻¹(θ)`` for a drawn θ, R the
    Lemma 4.7 potential at x_init (its range is Ω_w)."""
    from generators.parametrizations import linear_coordinatewise
    from oracles.flows.legendre import potential_of

    G = draw(linear_coordinatewise(max_d=3))
    assume(G.d >= 2)
    x = draw(inits(G))
    direction = draw(vectors(G.d, 1.0, 1.0))
    assume(np.linalg.norm(direction) > 0.1)  # θ ≠ 0: else w_feas = w0 and the flow starts at its limit
    theta = draw(st.floats(0.1, 0.4)) * direction / np.linalg.norm(direction)
    try:
        w_feas = potential_of(G, x).grad_inv(theta)
    except Inconclusive:  # θ outside range ∇R (a one-sided coordinate): not an instance
        assume(False)
    Z = draw(data_matrices(max_n=G.d - 1, max_extra=1, d=G.d))
    assume(np.linalg.norm(Z @ (w_feas - G.value(x))) > 1e-3 * np.linalg.norm(w_feas - G.value(x)))
    return G, x, Z, Z @ w_feas, draw(st.sampled_from(sorted(REGRESSION_LOSSES)))
