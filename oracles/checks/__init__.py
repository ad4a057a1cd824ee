r"""The checks: the comparisons the statements call, public so that a conjecture can reuse them.

**The contract of a check.** A check takes the objects of a statement (a parametrization, a loss or
schedule, an initialization, data) and returns one :class:`~oracles.core.outcome.Outcome`:

* ``discrepancy`` -- how far the conclusion is from holding on this example (relative where scale varies);
* ``error`` -- the check's estimate of its own numerical error (the same solve at
  :data:`~oracles.core.ode.TWO_TOLERANCES` ``.fine`` and ``.coarse``, finite differences at steps h and 2h,
  or a certificate of an optimization), never a guess;
* ``budget`` -- ``budget_from_error(error, floor)`` = ``max(floor, 10 · error)`` unless the docstring says
  otherwise and why; the example falsifies iff ``discrepancy > budget``.

A check that cannot decide raises :class:`~oracles.core.errors.Inconclusive` (blow-up, leaving the domain,
non-convergence, ill-conditioning, an error as large as the scale) and one given malformed input raises
:class:`~oracles.core.errors.InvalidInput` naming the argument. A non-finite discrepancy, error or budget is
never a verdict. Checks import neither Hypothesis nor pytest.

Every name below is importable as ``from oracles.checks import gf_against_mf``; the module behind it is
loaded on first use (``oracles.checks.equivalence`` for ``gf_against_mf``), so importing one check does not
import them all. The statement that uses each check is named in its docstring.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> the module (under ``oracles``) that defines it
_EXPORTS: dict[str, str] = {
    # Lemmas 4.6-4.7, Theorem 4.8: gradient flow against psi and against mirror flow
    "gf_against_psi": "checks.equivalence",
    "gf_against_mf": "checks.equivalence",
    "lemma_4_7_identities": "checks.equivalence",
    "require_regular": "checks.equivalence",
    "lemma_4_7_domain": "checks.equivalence",
    "psi_domain_is_box": "checks.equivalence",
    # Section 4.1: brackets and commuting flows
    "flows_commute": "checks.commutation",
    "flow_gap_matches_bracket": "checks.commutation",
    "bracket_matches_formula": "checks.commutation",
    "separable_brackets_vanish": "checks.commutation",
    # Theorem 4.9, Conjecture 4.10, Corollaries 4.11-4.12: path dependence and Hessian metrics
    "endpoint_gap": "checks.path_dependence",
    "path_dependence_search": "checks.path_dependence",
    "hessian_metric_defect": "checks.path_dependence",
    "chart_metric_check": "checks.path_dependence",
    "mu_determines_w": "checks.path_dependence",
    "same_endpoint_witness": "checks.path_dependence",
    "time_reversal_gap": "checks.path_dependence",
    "condition_cosine_against": "checks.lie",
    "reachable_dimension_check": "checks.lie",
    "conservation_count_check": "checks.lie",
    # Theorems 3.8, 4.13-4.17 and the notes: limits against projections and references
    "mf_limit_vs_projection": "checks.limits",
    "gf_limit_vs_projection": "checks.limits",
    "gf_limit_stationarity": "checks.limits",
    "gf_limit_minimizes": "checks.limits",
    "quadratic_gf_convergence": "checks.limits",
    "squared_param_vs_mirror": "checks.limits",
    "small_init_l1_gap": "checks.limits",
    "max_margin_alignment": "checks.limits",
    "md_limit_vs_projection": "convex.mirror_descent",
    "step_identity_gap": "convex.mirror_descent",
    "small_alpha_flow_gap": "checks.notes_flows",
    "soudry_offset_gap": "checks.notes_flows",
    "md_order_in_eta": "convex.discretization",
    "bregman_quadratic_form_gap": "convex.quadratic_mirror",
    "preconditioned_step_gap": "convex.quadratic_mirror",
    "preconditioned_flow_limit_gap": "convex.quadratic_mirror",
    "flat_saddle_gap": "checks.deep_linear",
    "local_minimum_gap": "checks.deep_linear",
    "recovery_rate_gap": "checks.sparse_recovery",
    # Theorem 4.15 (a)-(c): commuting quadratic closed forms
    "thm_4_15a": "checks.quadratic_forms",
    "thm_4_15b": "checks.quadratic_forms",
    "thm_4_15c": "checks.quadratic_forms",
    "thm_4_15d_domain": "checks.quadratic_forms",
    # Theorem 5.1: the reverse construction
    "gf_equals_mf": "checks.reverse",
    "gf_equals_mf_linear": "checks.reverse",
    "gf_equals_mf_ridge": "checks.reverse",
    "flow_completeness": "checks.reverse",
    "restriction_commutes": "checks.reverse",
    # linear networks (tarmoun2021, min2021) and matrix sensing (gunasekar2017, li2020, razin2020)
    "conservation_gap": "checks.linear_nets",
    "scalar_closed_form_gap": "checks.linear_nets",
    "scalar_rate_gap": "checks.linear_nets",
    "spectral_gap": "checks.linear_nets",
    "loss_rate_gap": "checks.linear_nets",
    "min_norm_gap": "checks.linear_nets",
    "width_trend_gap": "checks.linear_nets",
    "riccati_gap": "checks.linear_nets",
    "warm_up_gap": "checks.linear_nets",
    "induced_dynamics_gap": "checks.linear_nets",
    "width_rate_gap": "checks.linear_nets",
    "diagonal_nuclear_check": "checks.matrix_sensing",
    "nonnuclear_gap": "checks.matrix_sensing",
    "norms_grow_check": "checks.matrix_sensing",
    # shallow networks in the width limit (liang)
    "check_unscaled_part1": "checks.width_limits",
    "check_corollary": "checks.width_limits",
    "check_unscaled_part2": "checks.width_limits",
    "check_scaled": "checks.width_limits",
    "check_kernel_frozen": "checks.width_limits",
    "check_mf_equals_gf": "checks.width_limits",
    "check_g3_identity": "checks.width_identities",
    "check_kernel_ode": "checks.width_identities",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Load a public check from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'oracles.checks' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"oracles.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
