"""li2022 §4.2 -- the main equivalence: Lemma 4.6, Lemma 4.7 (identities and domains), Theorem 4.8; and §3.2's
Eq. (6) (the domain of ψ is a box, Lemma C.1).

Li, Wang, Lee, Arora (NeurIPS 2022). ψ uses the **+∇G_i** convention (docs/catalog.md, P1):
with the literal sign of §3.2 the lemmas fail, which a negative control shows.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, example, given

from generators.cases import flow_cases, mu_cases
from generators.parametrizations import box_cases, broad_commuting_families, domain_cases
from oracles import Quadratic
from oracles.checks import gf_against_mf, gf_against_psi, lemma_4_7_domain, lemma_4_7_identities, psi_domain_is_box
from theorems import universal


@universal(
    "li2022:lemma-4.6",
    title="commuting G, piecewise-constant L_t: x(t) = ψ(x_init; μ(t))",
    source="li2022 §4.2, Lemma 4.6",
    fields=("G", "x", "sched"),
)
@given(case=flow_cases(broad_commuting_families()))
def test_lemma_4_6(case):
    r"""For a commuting parametrization and any time-dependent loss :math:`L_t` (Def. 3.1), gradient
    flow :math:`\dot x = -\nabla(L_t\circ G)(x)` satisfies :math:`x(t) = \psi(x_{init};\mu(t))` with
    :math:`\mu(t) = \int_0^t -\nabla L_s(G(x(s)))\,ds`, as long as :math:`\mu(t) \in \mathcal U(x_{init})`.

    Families: identity, x⊙p (p = 2, 1.5, 3), u⊙²−v⊙², commuting quadratic maps, and G = P·g(Bx) with
    orthogonal rows of B (commuting, neither separable nor quadratic); losses: linear,
    least squares, log-cosh, in schedules of up to three pieces. GF and μ are integrated together
    at two tolerances (budget: ten times their change); ψ is the closed form of each family.
    """
    G, x, sched = case
    event(G.name)
    event(f"{len(sched.pieces)}-piece schedule")
    return gf_against_psi(G, sched, x)


@universal(
    "li2022:lemma-4.7",
    title="∇Q(μ) = G(ψ(x_init; μ)) with Q convex, and ∇²R(w) = (∂G∂Gᵀ)⁻¹ for R = Q*",
    source="li2022 §4.2, Lemma 4.7",
    fields=("G", "x", "mu"),
)
@given(case=mu_cases(broad_commuting_families()))
# found by the thorough profile: ‖A‖ ~ 1e-3 made the central-difference roundoff exceed the budget
@example(case=(Quadratic(np.array([[[0.0012490022753381957]]])), np.array([1.0]), np.array([0.25])))
# and: ½xᵀAx = 8e-4 summed from terms of size 1.7, so a central difference's roundoff is 2000 times eps·|G|/h
@example(
    case=(
        Quadratic(np.array([[[0.8477811022128643, -0.3592329396695203], [-0.3592329396695203, 0.15221889778713568]]])),
        np.array([1.0, 2.439453125]),
        np.array([0.25]),
    )
)
def test_lemma_4_7(case):
    r"""For a commuting, regular G and any :math:`x_{init}` there is a Legendre Q with
    :math:`\nabla Q(\mu) = G(\psi(x_{init};\mu))`; its conjugate R is Legendre and
    :math:`\nabla^2R(G(\psi(x_{init};\mu))) = (\partial G\,\partial G^\top)^{-1}` at :math:`\psi(x_{init};\mu)`.

    Checked at random μ: the Jacobian of :math:`\mu\mapsto G(\psi(x_{init};\mu))` (central
    differences, error from steps h and 2h) equals :math:`\partial G\partial G^\top` -- symmetric, so
    it is a Hessian, and positive definite, so Q is convex -- and R (closed form for identity,
    x⊙p, u⊙²−v⊙² and P·g(Bx); built numerically by root-finding on ∇Q for commuting quadratic maps) has
    :math:`\nabla R(w) = \mu` and :math:`\nabla^2 R(w) = (\partial G\partial G^\top)^{-1}` to
    ``max(1e-9, 100·cond·eps)``.
    """
    G, x, mu = case
    event(G.name)
    return lemma_4_7_identities(G, x, mu)


@universal(
    "li2022:thm-4.8",
    title="commuting regular G: w(t) = G(x(t)) is the mirror flow of one R, for every loss",
    source="li2022 §4.2, Theorem 4.8",
    fields=("G", "x", "scheds"),
)
@given(case=flow_cases(broad_commuting_families(), n_schedules=2))
def test_thm_4_8(case):
    r"""For a commuting, regular G satisfying Assumption 3.5 and any :math:`x_{init}`,
    :math:`w(t) = G(x(t))` under gradient flow on :math:`L_t\circ G` is the mirror flow
    :math:`d\nabla R(w) = -\nabla L_t(w)\,dt`, :math:`w(0) = G(x_{init})`, with the R of Lemma 4.7,
    which depends on G and :math:`x_{init}` only -- not on the loss.

    One R is built per example and must serve two independently drawn loss schedules. R is the
    closed form where the family has one (Euclidean, entropy/power potentials, the hypentropy of
    Cor. 4.17, :math:`\sum_m r_m((P^{-1}w)_m)/\|b_m\|^2` for P·g(Bx)), else the Lemma 4.7 construction
    (families as Lemma 4.6); mirror flow is integrated in the dual variable
    :math:`\theta = \nabla R(w)`. Budget: ten times the change of both trajectories between rtol
    1e-8 and 1e-11.
    """
    G, x, scheds = case
    event(G.name)
    return gf_against_mf(G, scheds, x)


@universal(
    "li2022:eq-6",
    title="under Assumption 3.5 the domain U(x) of ψ(x; ·) is the box I_1(x) × ⋯ × I_d(x)",
    source="li2022 §3.2, Eq. (6) (Lemma C.1)",
    fields=("G", "x", "mu"),
)
@given(case=box_cases())
def test_eq_6(case):
    r"""Under Assumption 3.5, for every x ∈ M the domain of :math:`\psi(x;\cdot)` is a hyperrectangle,
    :math:`\mathcal U(x) = \mathcal I_1(x)\times\cdots\times\mathcal I_d(x)` with each :math:`\mathcal I_j(x)` an open
    interval (li2022 §3.2, Eq. (6); proved in its Lemma C.1).

    :math:`\mathcal I_i(x)` is the time domain of the flow of :math:`+\nabla G_i` from x itself, in closed form
    (x⊙3, li2022's example: :math:`(-\infty, 1/(3x_i))`; :math:`G = P\,g(Bx)` with log-barrier and power-½
    coordinates, whose flows blow up in one direction, each moved by one field only). At μ drawn on both
    sides of those ends (:math:`\mu_i = f_i\tau_i`, :math:`f_i \in [-0.5, 2.5]`), ψ is **integrated** flow by
    flow, starting each flow where the previous one ended, with no closed form and no horizon consulted;
    a flow has ceased when it blows up (state or speed past 1e7 times its start) or leaves M. Discrepancy
    1 when the box and the integration disagree on whether ψ(x; μ) exists, else 0; budget 1e-9. A
    :math:`\mu_i` within 2% of an end of :math:`\mathcal I_i(x)` is inconclusive.
    """
    G, x, mu = case
    event(G.name.split(" [")[0])
    return psi_domain_is_box(G, x, mu)


@universal(
    "li2022:lemma-4.7-domain",
    title="Lemma 4.7's domains: int dom R = Ω_w(x_init; G), and ‖∇R‖ → ∞ at the boundary of dom R (R Legendre)",
    source="li2022 §4.2, Lemma 4.7",
    fields=("G", "x", "w", "w_boundary"),
)
@given(case=domain_cases())
def test_lemma_4_7_domain(case):
    r"""For a commuting regular G satisfying Assumption 3.5, Lemma 4.7's R is a Legendre function with
    :math:`\mathrm{int\,dom}\,R = \Omega_w(x_{init}; G)` (li2022 §4.2, Lemma 4.7): every point of int dom R is
    reached from :math:`x_{init}`, no reached point lies outside it, and :math:`\|\nabla R(w)\| \to \infty` as w
    tends to the boundary of dom R (Definition 3.7).

    Families with R in closed form and a non-trivial domain: x⊙2 (¼ entropy), x⊙3 (power potential),
    u⊙2 − v⊙2 (hypentropy, dom R = ℝ^d) and G = P·g(Bx) (:math:`\sum_m r_m((P^{-1}w)_m)/\|b_m\|^2`). For a
    drawn w ∈ int dom R: ψ(x_init; ∇R(w)) is integrated flow by flow and must land on w (a flow that
    ceases is a decided failure); the points reached at s∇R(w), s = ½, 1, 3/2, must lie in int dom R;
    and toward a boundary point w_b (one coordinate of w, or of P⁻¹w, moved to its end),
    :math:`\|\nabla R(w_b + 2^{-k}(w - w_b))\|` must keep growing: its rise over k = 26…36 is at least half its
    rise over k = 16…26 (a bounded gradient, :math:`\sim\mathrm{dist}^\alpha`, gives :math:`2^{-10\alpha}`).
    Budget: ten times the change of the reach gap between rtol 1e-10 and 1e-7, at least 1e-9
    (``oracles.checks.equivalence.lemma_4_7_domain``).
    """
    G, x, w, wb = case
    event(G.name.split(" [")[0])
    event("with a boundary" if wb is not None else "dom R = R^d")
    return lemma_4_7_domain(G, x, w, wb)
