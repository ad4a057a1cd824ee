"""li2022 §4.2 -- convergence of gradient flow with commuting parametrizations (Thm 4.13, Cor 4.14, Thm 4.15(d)).

Li, Wang, Lee, Arora (NeurIPS 2022), *Implicit Bias of Gradient Descent on Reparametrized Models*,
§4.2, Theorem 4.13, Corollary 4.14 and part (d) of Theorem 4.15 (parts (a)-(c) are encoded elsewhere).
"""
from __future__ import annotations

import numpy as np
from hypothesis import event, example, given
from hypothesis import strategies as st

from generators.arrays import dims, positive_vectors, vectors
from generators.parametrizations import commuting_quadratics, inits
from generators.regression import data_matrices, targets
from oracles.flows.trajectories import psi
from oracles.model.losses import SaturatingSquares
from oracles.checks.limits import gf_limit_minimizes, gf_limit_stationarity, quadratic_gf_convergence
from oracles.model.losses import LeastSquares, LogCosh
from oracles.model.parametrizations import Identity, Powers, UVSquared
from theorems import universal

FAMILIES = {"identity": Identity, "u^2 - v^2": UVSquared, "x^2": lambda d: Powers(2.0, d)}
CONVEX = {"least-squares": LeastSquares, "log-cosh": LogCosh}


@st.composite
def any_data(draw, max_d: int = 3):
    """``(Z, Y)``: underdetermined (``n < d``) or overdetermined (``n > d``) data of full rank."""
    over = draw(st.booleans())
    if over:
        Z = draw(data_matrices(max_n=max_d, max_extra=2)).T      # n > d, full column rank
    else:
        Z = draw(data_matrices(max_n=max_d - 1 if max_d > 1 else 1, max_extra=2))
    return Z, draw(targets(Z.shape[0]))


@st.composite
def quasi_convex_cases(draw):
    """``(family, x_init, Z, Y)`` for the quasi-convex loss ln(1 + ½‖Zw − Y‖²)."""
    fam = draw(st.sampled_from(sorted(FAMILIES)))
    Z, Y = draw(any_data())
    G = FAMILIES[fam](Z.shape[1])
    x = draw(inits(G))
    if fam == "x^2":   # keep the nonnegative least-squares solution away from 0 (else w -> 0 only relatively slowly)
        Y = Z @ draw(positive_vectors(Z.shape[1], 0.3, 2.0)) + draw(vectors(Z.shape[0], 0.0, 0.5))
    return fam, x, Z, Y


@universal("li2022:thm-4.13", title="quasi-convex L, Bregman R: w(t) converges to a point of the variational inequality",
           source="li2022 §4.2, Theorem 4.13", fields=("fam", "x", "Z", "Y"))
@given(case=quasi_convex_cases())
# found by the thorough profile: Y = 0, the limit w* = 0, and the residual scaled by ‖w*‖ was 0/0
@example(case=("u^2 - v^2", np.array([3.0, 1.0, 1.0, 0.00951745109338158, 0.00951745109338158, 1.0]),
               np.array([[0.6, 0.8, 0.0], [-0.8, 0.6000000000000001, 0.0]]), np.array([0.0, 0.0])))
def test_thm_4_13(case):
    r"""Under Thm 4.8's setting, for quasi-convex L with locally Lipschitz gradient, a non-empty
    :math:`\arg\min_{\mathrm{dom}\,R}L` and a Bregman function R, :math:`w(t) = G(x(t))` converges to some
    :math:`w^*` with :math:`\nabla L(w^*)^\top(w - w^*) \ge 0` for all :math:`w \in \mathrm{dom}\,R`.

    G is the identity, :math:`u^{\odot2} - v^{\odot2}` (dom R = ℝ^d) or :math:`x^{\odot2}` (dom R = ℝ≥0^d, where
    the limit often lies on the boundary: the data need not be interpolable by nonnegative w); L is the
    quasi-convex, non-convex :math:`\ln(1 + \tfrac12\|Zw - Y\|^2)` on under- or overdetermined data. The GF is
    integrated in x-space until w changes by less than 1e-11 (relative) over a doubling of the horizon
    (convergence; an example that does not settle by t = 2^20 is inconclusive, since slow convergence cannot be
    told from none in finite time). Discrepancy: the natural residual of the variational inequality at the
    limit (:math:`\nabla L = 0` on ℝ^d; :math:`\min(w, \nabla L) = 0` componentwise on ℝ≥0^d, both scaled).
    Budget: ten times the residual's sensitivity to the limit's estimated error, at least 1e-9.
    """
    fam, x, Z, Y = case
    event(fam)
    event("overdetermined" if Z.shape[0] > Z.shape[1] else "underdetermined")
    return gf_limit_stationarity(FAMILIES[fam](Z.shape[1]), SaturatingSquares(Z, Y), x)


@st.composite
def convex_cases(draw):
    """``(family, x_init, Z, Y, loss)`` with a reachable set Ω_w = ℝ^d (identity, u⊙2 − v⊙2)."""
    fam = draw(st.sampled_from(["identity", "u^2 - v^2"]))
    Z, Y = draw(any_data())
    G = FAMILIES[fam](Z.shape[1])
    return fam, draw(inits(G)), Z, Y, draw(st.sampled_from(sorted(CONVEX)))


@universal("li2022:cor-4.14", title="Ω_w = ℝ^d and convex L: the GF converges to a minimizer of L",
           source="li2022 §4.2, Corollary 4.14 (with Theorem 4.13)", fields=("fam", "x", "Z", "Y", "loss"))
@given(case=convex_cases())
def test_cor_4_14(case):
    r"""Under Thm 4.13's setting, if the reachable set :math:`\Omega_w(x_{init}; G) = \mathbb{R}^d`, then R is a Bregman
    function and the statements of Thm 4.13 hold: for convex L, :math:`w(t)` converges to a minimizer of L.

    G is the identity or :math:`u^{\odot2} - v^{\odot2}` (both reach all of ℝ^d); L is least squares or log-cosh
    on under- or overdetermined data, so :math:`\min L` is 0 or positive. The GF limit (closed form for the
    identity on least squares, else integrated until w changes by less than 1e-11 over a doubling) is
    compared in value with :math:`L^\star` computed independently (``lstsq``; trust-region Newton for
    log-cosh). Discrepancy: :math:`|L(w_T) - L^\star|/(L(w_0) - L^\star)`. Budget: ten times the value error
    implied by the limit's error and :math:`L^\star`'s, at least 1e-9.
    """
    fam, x, Z, Y, loss = case
    event(fam)
    event(loss)
    event("overdetermined" if Z.shape[0] > Z.shape[1] else "underdetermined")
    return gf_limit_minimizes(FAMILIES[fam](Z.shape[1]), CONVEX[loss](Z, Y), x)


@st.composite
def commuting_quadratic_cases(draw):
    """``(G, x_init, Z, Y)``: a commuting quadratic G (d = 2, 3), and data interpolable inside range ∇Q.

    ``Y = Z G(ψ(x_init; μ))`` for a drawn μ, so an interpolant lies in the reachable set (int dom R).
    """
    d = draw(dims(2, 3))
    G = draw(commuting_quadratics(d=d, max_extra=2))
    x = draw(inits(G))
    mu = draw(vectors(d, 0.3, 0.5))   # shrinks to 0.3·1, never to the trivial mu = 0 (Y = Z w0)
    w_feas = G.value(psi(G, x, mu))
    Z = draw(data_matrices(max_n=d - 1, max_extra=1, d=d))
    return G, x, Z, Z @ w_feas


@universal("li2022:thm-4.15d",
           title="commuting quadratic G: R is a Bregman function, the GF converges to the R-projection minimizer",
           source="li2022 §4.2, Theorem 4.15(d)", fields=("G", "x", "Z", "Y"))
@given(case=commuting_quadratic_cases())
def test_thm_4_15d(case):
    r"""For a commuting quadratic :math:`G_i(x) = \tfrac12x^\top A_ix` with :math:`\{A_ix_{init}\}` independent, R is a
    Bregman function with :math:`\mathrm{dom}\,R = \overline{\mathrm{range}\,\nabla Q}`, and all statements of
    Theorem 4.13 hold.

    Encoded through its consequences for least squares on data interpolable inside range ∇Q
    (:math:`Y = ZG(\psi(x_{init};\mu))`): the GF (integrated in x-space) converges to a minimizer, i.e. the
    loss goes to 0, and -- Theorem 3.8 applied to this R -- its limit is the R-projection of
    :math:`w_0 = G(x_{init})` computed from :class:`oracles.flows.legendre.LemmaLegendre`
    (:math:`(\nabla R)^{-1}(\mu) = \nabla Q(\mu) = G(\psi(x_{init};\mu))`, one eigendecomposition; dual Newton).
    The worse of the two checks is reported. Examples with nearly dependent :math:`A_ix_{init}` are
    inconclusive (outside the theorem). Budget: ten times the limit's error (change over the last doubling
    + two-tolerance difference) plus the projection's Newton-step error, at least 1e-9.
    """
    G, x, Z, Y = case
    event(f"d = {G.d}, D = {G.D}")
    return quadratic_gf_convergence(G, Z, Y, x)
