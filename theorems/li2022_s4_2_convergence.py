"""li2022 §4.2 -- convergence of gradient flow with commuting parametrizations (Thm 4.13, Cor 4.14, Thm 4.15(d)).

Li, Wang, Lee, Arora (NeurIPS 2022), *Implicit Bias of Gradient Descent on Reparametrized Models*,
§4.2, Theorem 4.13, Corollary 4.14 and part (d) of Theorem 4.15 (parts (a)-(c) are encoded elsewhere).
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, example, given

from generators.convergence import (  # noqa: F401
    CONVEX,
    FAMILIES,
    any_data,
    commuting_quadratic_cases,
    convex_cases,
    quasi_convex_cases,
)
from oracles import SaturatingSquares
from oracles.checks import gf_limit_minimizes, gf_limit_stationarity, quadratic_gf_convergence
from theorems import universal


@universal(
    "li2022:thm-4.13",
    title="quasi-convex L, Bregman R: w(t) converges to a point of the variational inequality",
    source="li2022 §4.2, Theorem 4.13",
    fields=("fam", "x", "Z", "Y"),
)
@given(case=quasi_convex_cases())
# found by the thorough profile: Y = 0, the limit w* = 0, and the residual scaled by ‖w*‖ was 0/0
@example(
    case=(
        "u^2 - v^2",
        np.array([3.0, 1.0, 1.0, 0.00951745109338158, 0.00951745109338158, 1.0]),
        np.array([[0.6, 0.8, 0.0], [-0.8, 0.6000000000000001, 0.0]]),
        np.array([0.0, 0.0]),
    )
)
def test_thm_4_13(case):
    r"""Under Thm 4.8's setting, for quasi-convex L with locally Lipschitz gradient, a non-empty
    :math:`\arg\min_{\mathrm{dom}\,R}L` and a Bregman function R, :math:`w(t) = G(x(t))` converges to some
    :math:`w^*` with :math:`\nabla L(w^*)^\top(w - w^*) \ge 0` for all :math:`w \in \mathrm{dom}\,R`.

    G is the identity, :math:`u^{\odot2} - v^{\odot2}` (dom R = ℝ^d) or :math:`x^{\odot2}` (dom R = ℝ≥0^d, where
    the limit often lies on the boundary: the data need not be interpolable by nonnegative w); L is the
    quasi-convex, non-convex :math:`\ln(1 + \tfrac12\|Zw - Y\|^2)` on under- or overdetermined data. The GF is
    integrated in x-space until w changes by less than 1e-11 (relative) over a doubling of the horizon.
    Discrepancy: the natural residual of the variational inequality at the limit (:math:`\nabla L = 0` on ℝ^d;
    :math:`\min(w, \nabla L) = 0` componentwise on ℝ≥0^d, both scaled). Budget: ten times the residual's
    sensitivity to the limit's estimated error, at least 1e-9.

    The convergence clause is decided (:mod:`oracles.checks.convergence`): the limit must carry a Łojasiewicz
    tail bound (its speed, sampled four times per doubling, decaying faster than 1/t) within its error, else
    the example is inconclusive; when no point of dom R satisfies the inequality (certified by an LP), the
    non-convergence witness -- the certified escape of w(t) -- falsifies instead. An example that does not
    settle by t = 2^20 and has no witness is inconclusive. The planted control is the exponential loss on
    separable data, where argmin L is empty and w(t) → ∞.
    """
    fam, x, Z, Y = case
    event(fam)
    event("overdetermined" if Z.shape[0] > Z.shape[1] else "underdetermined")
    return gf_limit_stationarity(FAMILIES[fam](Z.shape[1]), SaturatingSquares(Z, Y), x)


@universal(
    "li2022:cor-4.14",
    title="Ω_w = ℝ^d and convex L: the GF converges to a minimizer of L",
    source="li2022 §4.2, Corollary 4.14 (with Theorem 4.13)",
    fields=("fam", "x", "Z", "Y", "loss"),
)
@given(case=convex_cases())
def test_cor_4_14(case):
    r"""Under Thm 4.13's setting, if the reachable set :math:`\Omega_w(x_{init}; G) = \mathbb{R}^d`, then R is a Bregman
    function and the statements of Thm 4.13 hold: for convex L, :math:`w(t)` converges to a minimizer of L.

    G is the identity or :math:`u^{\odot2} - v^{\odot2}` (both reach all of ℝ^d); L is least squares or log-cosh
    on under- or overdetermined data, so :math:`\min L` is 0 or positive. The GF limit (closed form for the
    identity on least squares, else integrated until w changes by less than 1e-11 over a doubling) is
    compared in value with :math:`L^\star` computed independently (``lstsq``; trust-region Newton for
    log-cosh). Discrepancy: :math:`|L(w_T) - L^\star|/(L(w_0) - L^\star)`. Budget: ten times the value error
    implied by the limit's error and :math:`L^\star`'s, at least 1e-9. Convergence is decided as in
    ``li2022:thm-4.13`` (Łojasiewicz certificate, or the non-convergence witness, which falsifies).
    """
    fam, x, Z, Y, loss = case
    event(fam)
    event(loss)
    event("overdetermined" if Z.shape[0] > Z.shape[1] else "underdetermined")
    return gf_limit_minimizes(FAMILIES[fam](Z.shape[1]), CONVEX[loss](Z, Y), x)


@universal(
    "li2022:thm-4.15d",
    title="commuting quadratic G: R is a Bregman function, the GF converges to the R-projection minimizer",
    source="li2022 §4.2, Theorem 4.15(d)",
    fields=("G", "x", "Z", "Y"),
)
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
    + two-tolerance difference) plus the projection's Newton-step error, at least 1e-9. Convergence is decided
    as in ``li2022:thm-4.13``: the Łojasiewicz certificate is a third check, and the non-convergence witness
    (dom R's recession cone is spanned by the eigenvalue columns of the :math:`A_i`) falsifies.
    """
    G, x, Z, Y = case
    event(f"d = {G.d}, D = {G.D}")
    return quadratic_gf_convergence(G, Z, Y, x)
