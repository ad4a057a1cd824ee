"""li2022 §4.2 -- Theorem 4.15 (a)-(c): closed forms for commuting quadratic parametrizations; (d)'s domain claim.

Part (d)'s convergence (R is a Bregman function and the flow converges) lives with the convergence statements
in :mod:`theorems.li2022_s4_2_convergence`; its domain claim, dom R = cl range ∇Q with R Legendre, is here.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, example, given

from generators.cases import mu_cases
from generators.parametrizations import commuting_quadratics
from generators.quadratic import domain_cases
from oracles import Quadratic
from oracles.checks import thm_4_15a, thm_4_15b, thm_4_15c, thm_4_15d_domain
from theorems import universal

SOURCE = "li2022 §4.2, Theorem 4.15"


@universal(
    "li2022:thm-4.15a",
    title="commuting quadratic G: ψ(x; μ) = exp(Σ μ_i A_i) x",
    source=SOURCE + "(a)",
    fields=("G", "x", "mu"),
)
@given(case=mu_cases(commuting_quadratics(), bound=1.0))
# found by the thorough profile: x_init ~ 1e-5, where the fine solve's absolute tolerance alone allows 1e-9 relative
@example(
    case=(
        Quadratic(
            np.array(
                [
                    [[0.36, -0.48], [-0.48, 0.6400000000000001]],
                    [[0.6400000000000001, 0.4800000000000001], [0.4800000000000001, 0.3600000000000001]],
                ]
            ),
            name="commuting quadratic",
        ),
        np.array([9.99999999995449e-06, 9.99999999995449e-06]),
        np.array([0.0, 0.5]),
    )
)
def test_thm_4_15a(case):
    r"""For commuting symmetric :math:`A_i` and all :math:`\mu \in \mathbb{R}^d`,
    :math:`\psi(x_{init};\mu) = \exp(\sum_i\mu_iA_i)\,x_{init}`.

    The right side by ``scipy.linalg.expm``; the left side composes the flows of
    :math:`+\nabla G_i` integrated with ``solve_ivp`` (budget: ten times their change between
    rtol 1e-8 and 1e-11 plus the fine solve's requested accuracy relative to ‖ψ‖).
    """
    G, x, mu = case
    return thm_4_15a(G, x, mu)


@universal(
    "li2022:thm-4.15b",
    title="commuting quadratic G: G_j(ψ) = ½ x_initᵀ exp(Σ 2μ_iA_i) A_j x_init",
    source=SOURCE + "(b)",
    fields=("G", "x", "mu"),
)
@given(case=mu_cases(commuting_quadratics(), bound=1.0))
def test_thm_4_15b(case):
    r"""For commuting :math:`A_i`, :math:`G_j(\psi(x_{init};\mu)) = \tfrac12 x_{init}^\top
    \exp(\sum_i 2\mu_iA_i)A_jx_{init}` for each j and all μ.

    Both sides are closed forms computed differently (one exponential of :math:`2S` against d
    composed exponentials :math:`e^{\mu_iA_i}`): they must agree to 1e-9 relative.
    """
    G, x, mu = case
    return thm_4_15b(G, x, mu)


@universal(
    "li2022:thm-4.15c",
    title="commuting quadratic G: Q(μ) = ¼‖ψ(x_init; μ)‖² is Legendre on ℝ^d",
    source=SOURCE + "(c)",
    fields=("G", "x", "mu"),
)
@given(case=mu_cases(commuting_quadratics(), bound=1.0))
def test_thm_4_15c(case):
    r"""If the :math:`A_ix_{init}` are linearly independent, :math:`Q(\mu) = \tfrac14\|\psi(x_{init};\mu)\|^2`
    is a Legendre function with domain :math:`\mathbb{R}^d` and :math:`\nabla Q = G\circ\psi`.

    Checked at random μ: the central-difference gradient of Q equals :math:`G(\psi)` (budget from
    the change between steps h and 2h), and :math:`\nabla^2Q = \partial G\,\partial G^\top` is
    positive definite (strict convexity); Q is finite everywhere since the exponential is. Points
    where the :math:`A_ix_{init}` are dependent are outside the theorem: inconclusive.
    """
    G, x, mu = case
    return thm_4_15c(G, x, mu)


@universal(
    "li2022:thm-4.15d-domain",
    title="commuting quadratic G: dom R = cl range ∇Q (the cone of the λ_k), ‖∇R‖ → ∞ at its boundary, R finite there",
    source=SOURCE + "(d)",
    fields=("G", "x", "v", "u"),
)
@given(case=domain_cases())
def test_thm_4_15d_domain(case):
    r"""Theorem 4.15(d), its domain claim: R = Q* has :math:`\mathrm{dom}\,R = \overline{\mathrm{range}\,\nabla Q}`,
    and R is Legendre (Definition 3.7: :math:`\|\nabla R(w_i)\| \to \infty` along any sequence going to the
    boundary of dom R).

    In the common eigenbasis (:math:`A_i = O\,\mathrm{diag}(\Lambda_{i\cdot})O^\top`, :math:`y = O^\top x_{init}`),
    :math:`\nabla Q(\mu) = \Lambda(\tfrac12y^{\odot2}\odot e^{2\Lambda^\top\mu})`: its range is the interior of the cone
    K spanned by the :math:`\lambda_k` with :math:`y_k \ne 0`, and
    :math:`R(w) = \min\{\sum_k\tfrac{v_k}2(\ln\tfrac{2v_k}{y_k^2} - 1) : \Lambda v = w, v \ge 0\}` is finite exactly on K.
    Checked (:func:`oracles.checks.quadratic_forms.thm_4_15d_domain`, the worst part): three probes placed by
    nnls -- inside K they must be in range ∇Q (dual Newton converges: relative residual within 1e-9), outside
    R = +∞ is certified by a Farkas vector; and, when D = d (K simplicial), along :math:`w_t \to w_b` on a
    facet (t = 1e-2 … 1e-8), Newton's :math:`\nabla R(w_t)` must diverge exactly like
    :math:`\tfrac12\ln t\,\Lambda^{-\top}e_k` while :math:`R(w_t)` approaches the finite :math:`R(w_b)`; budget ten
    times Newton's error bounds (:math:`\|\nabla^2Q^{-1}\|\cdot` residual) or the O(t ln t) term, at least 1e-9.
    Where Newton stops short inside K on a cone with cond(ΛΛᵀ) > 1e6 the example is inconclusive. The control
    claims dom R = ℝ^d (a mirror map, as Q is finite everywhere); a Farkas certificate of R(w) = +∞ refutes it.
    """
    G, x, v, u = case
    event(f"D = d = {G.d}" if G.D == G.d else f"D = {G.D} > d = {G.d}")
    return thm_4_15d_domain(G, x, v, u)
