"""li2022 §4.1-4.2 -- matrix factorization: Corollary 4.11 (not a mirror flow), its d = 1 case, and Remark 4.5.

Li, Wang, Lee, Arora (NeurIPS 2022), *Implicit Bias of Gradient Descent on Reparametrized Models*,
Corollary 4.11 (after Theorem 4.9). The paper derives it from the necessary condition (9) of
Theorem 4.9; here it is witnessed directly by path dependence (oracles/checks/path_dependence.py).

Where the source is wrong: Corollary 4.11 is stated "for any d, r ∈ N", but for d = 1,
:math:`G(U) = UU^\\top = \\|u\\|^2` has a single output, is trivially commuting, and its gradient flow
*is* the mirror flow of :math:`R(w) = \\tfrac14(w\\ln w - w)` (:math:`\\dot w = -4wL'(w)`). The statement
is encoded for d ≥ 2, where the :math:`A_{ij}` of Example 4.4 do not commute; the d = 1 case is the positive
statement ``li2022:cor-4.11-d1`` (catalog P3). Remark 4.5 (diagonal measurements commute) is ``li2022:remark-4.5``.
"""

from __future__ import annotations

from hypothesis import event, given

from generators.mirror import entropy_cases
from generators.necessity import diagonal_loss_cases
from generators.schedules import path_cases
from oracles import EntropyPotential, Schedule, endpoint_gap
from oracles.checks import gf_against_mf, mu_determines_w
from theorems import refutation, universal


@refutation(
    "li2022:cor-4.11",
    title="GF on UUᵀ (and UVᵀ) is not a mirror flow: equal-μ schedules end at different w",
    source="li2022 §4.2, Corollary 4.11",
    fields=("G", "x", "pair"),
)
@given(case=path_cases())
def test_cor_4_11(case):
    r"""For :math:`G(U) = UU^\top` with :math:`U \in \mathbb{R}^{d\times r}`, d ≥ 2, there are an initialization and
    a time-dependent loss under which gradient flow on :math:`L_t\circ G` is not a mirror flow for any
    Legendre R.

    Witness: two schedules A, B of linear losses :math:`\langle c, w\rangle` with the same
    :math:`\mu(T) = -\sum_k\tau_kc_k`, from the same :math:`x_{init}`. A mirror flow has
    :math:`\nabla R(w(T)) = \nabla R(w(0)) + \mu(T)`, so it ends at the same w under both; GF on UUᵀ ends at
    different points. (The single schedule :math:`A\cdot A^{-1}\cdot B` turns the pair into one loss of
    the corollary's form: it passes through both end points with the same μ.) The end points are
    exact, :math:`x(T) = \prod_k e^{-\tau_kC_k}x_{init}` with :math:`C_k = \sum_ic_{k,i}A_i`; the budget is
    ten times the change between the eigh and Taylor-series evaluations, at least 1e-9 relative. The
    generator draws UUᵀ (first) and UVᵀ at d ≤ 3, r ≤ 2 with swapped, split and permuted pieces.
    A second kind of witness, (∂G∂Gᵀ)⁻¹ of UUᵀ failing to be a Hessian metric, is exercised in
    tests/controls/test_controls_path.py.
    """
    G, x, pair = case
    event(G.name.split(" (")[0])
    event(f"pair: {len(pair[0].pieces)} vs {len(pair[1].pieces)} pieces")
    return endpoint_gap(G, x, pair)


@universal(
    "li2022:remark-4.5",
    title="UUᵀ under losses of the diagonal entries only: equal-μ schedules end at the same W",
    source="li2022 §4.1, Remark 4.5",
    fields=("G", "x", "probe"),
)
@given(case=diagonal_loss_cases())
def test_remark_4_5(case):
    r"""Matrix factorization with commuting measurements -- losses that involve only the diagonal entries
    :math:`W_{ii}` of :math:`W = UU^\top` -- does not conflict with Example 4.4: the maps
    :math:`\{G_{ii}\}_{i=1}^d` are a commuting parametrization, so gradient flow under such losses is a
    mirror flow (of those entries).

    Checked as path independence, the invariant every mirror flow has: two schedules of linear losses
    :math:`\langle c, w\rangle` with c supported on the diagonal entries and the same
    :math:`\mu(T) = -\sum_k\tau_kc_k` (swapped, split or permuted pieces,
    :func:`generators.losses.equal_mu_pairs` with ``entries`` the diagonal), from the same U at a generic
    point, must end at the same W -- all of it: the flow is that of the commuting family
    :math:`\{G_{ii}\}`, so U(T) itself is :math:`\psi(U;\mu)` (Lemma 4.6) and the off-diagonal entries are
    path independent too. End points by the closed form :math:`x(T) = \prod_k e^{-\tau_kC_k}x` (eigh; Taylor
    expm as the error estimate), d = 2-3, r = 1-2; budget ten times the change, at least 1e-9 relative
    (:func:`oracles.checks.path_dependence.endpoint_gap`). Half the examples use non-linear losses instead:
    one or two pieces of least squares / log-cosh on data that measure diag W only; μ(T) is integrated with
    the flow and the straight linear loss to the same μ must end at the same W
    (:func:`oracles.checks.path_dependence.mu_determines_w`: both at rtol 1e-8 and 1e-11, budget ten times the
    change, at least 1e-9). The control lets the losses touch every entry (Corollary 4.11's witnesses).
    """
    G, x, probe = case
    event(G.name.split(" (")[0] + f" d={G.d}")
    if isinstance(probe, Schedule):
        event("non-linear losses of diag W")
        return mu_determines_w(G, x, probe)
    event(f"pair: {len(probe[0].pieces)} vs {len(probe[1].pieces)} pieces")
    return endpoint_gap(G, x, probe)


@universal(
    "li2022:cor-4.11-d1",
    title='UUᵀ at d = 1 (w = ‖u‖²) is the mirror flow of R = ¼(w ln w − w), against Cor. 4.11\'s "any d"',
    source="li2022 §4.2, Corollary 4.11 at d = 1 (catalog P3)",
    fields=("G", "x", "schedules"),
)
@given(case=entropy_cases("uut-d1"))
def test_cor_4_11_d1(case):
    r"""Corollary 4.11 is stated "for any d, r ∈ ℕ", but at d = 1, :math:`G(U) = UU^\top = \|u\|^2`
    (:math:`u \in \mathbb{R}^r`) has one output, is trivially commuting, and its gradient flow *is* a mirror
    flow: :math:`\dot w = 2u^\top\dot u = -4\|u\|^2L'(w) = -4wL'(w)`, the mirror flow of
    :math:`R(w) = \tfrac14(w\ln w - w)` (:math:`R'' = 1/(4w)`), for every loss and every U ≠ 0 (catalog P3).

    Checked as Theorem 4.8 is (:func:`oracles.checks.equivalence.gf_against_mf`): from a generic
    :math:`u \in \mathbb{R}^r`, r = 1-3, w(t) under two independent schedules of linear, least-squares and
    log-cosh losses must follow the mirror flow of :math:`\tfrac14(w\ln(w/w_0) - w)`, one R for both; both
    flows at rtol 1e-8 and 1e-11, 17 times each; budget ten times the change plus the fine solves'
    requested accuracy, at least 1e-9. The control drops the ¼.
    """
    G, x, scheds = case
    event(f"r = {G.D}")
    return gf_against_mf(G, scheds, x, R=EntropyPotential(G.value(x), 0.25))
