"""li2022 §5 -- the reverse direction: Theorem 5.1 (every mirror flow is a gradient flow), separable case.

Li, Wang, Lee, Arora (NeurIPS 2022), *Implicit Bias of Gradient Descent on Reparametrized Models*,
Theorem 5.1 and the construction after it (:math:`\\partial F^\\top\\partial F = \\nabla^2R`, G = F⁻¹).
The general theorem goes through Nash's embedding; for a separable R the embedding is explicit
and D = d (oracles/model/reverse.py and oracles/checks/reverse.py).
"""
from __future__ import annotations

from hypothesis import event, given

from generators.schedules import reverse_cases
from oracles.checks.reverse import gf_equals_mf
from theorems import universal


@universal("li2022:thm-5.1", title="separable R: GF on L∘G with G = F⁻¹, F' = √r'', equals the mirror flow of R",
           source="li2022 §5, Theorem 5.1", fields=("potentials", "w_init", "schedule"))
@given(case=reverse_cases())
def test_thm_5_1(case):
    r"""For a smooth Legendre R there is a commuting, regular parametrization G such that for every
    time-dependent loss the mirror flow :math:`d\nabla R(w) = -\nabla L_t(w)dt` from :math:`w_{init}` is
    :math:`w(t) = G(x(t))` with x the gradient flow of :math:`L_t\circ G` from :math:`G^{-1}(w_{init})`.

    Checked constructively for separable :math:`R(w) = \sum_i r_i(w_i)` where every example has all
    four kinds of :math:`r_i` side by side (d = 4 or 5, coordinates cycling through them): the entropy
    :math:`w\ln w - w`, hypentropy (:math:`r'' = 1/\sqrt{w^2+\beta^2}`), log-barrier :math:`-\ln w` and
    power :math:`w^p/(p(p-1))` (p ∈ {3, 1.5, 0.5, −1}). G is the coordinatewise inverse of
    :math:`F_i = \int\sqrt{r_i''}` (closed forms; hypentropy through a hypergeometric function and
    Newton). Random linear, least-squares and log-cosh losses, which couple the coordinates, in
    schedules of up to three pieces. Both flows are integrated (GF in x, MF in the dual variable
    :math:`\nabla R(w)`) at rtol 1e-8 and 1e-11; the discrepancy is the largest relative gap over 17
    times, the budget ten times the larger change between tolerances, at least 1e-9 = 100 × the
    fine tolerance (two different integrations are compared; see ``oracles.checks.reverse.gf_equals_mf``).
    Examples whose flow leaves dom R or blows up (log-barrier, p > 1 powers) are inconclusive.
    """
    potentials, w_init, schedule = case
    event(f"d = {len(potentials)}")
    event(f"power p = {next(p.p for p in potentials if p.name == 'power'):g}")
    return gf_equals_mf(potentials, w_init, schedule)
