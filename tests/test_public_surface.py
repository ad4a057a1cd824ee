"""The public surface holds: what the README lists is what ``oracles.__all__`` and ``oracles.checks.__all__``
export, every listed name imports, and the 0.1 import paths still work, each with a DeprecationWarning that
names the new import (for this release; they go in 0.3).

``OLD_SURFACE`` is the 0.1 layout's public names (module -> names), taken from the last commit before the
move into packages (4fc6e41^): the held-out style of use that must keep running unchanged.
"""

from __future__ import annotations

import importlib
import re
import sys
import warnings
from pathlib import Path

import pytest

import oracles
import oracles.checks

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _section(title: str) -> str:
    return README.split(title, 1)[1].split("\n## ", 1)[0]


def _readme_facade_names() -> set[str]:
    part = _section("### The public names").split("**The checks.**", 1)[0]
    bullets = part[part.index("\n* ") :]
    return set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", bullets))


def _readme_check_names() -> set[str]:
    block = README.split("<!-- checks -->", 1)[1].split("<!-- /checks -->", 1)[0]
    return set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", block))


def test_the_readme_lists_exactly_oracles_all() -> None:
    listed = _readme_facade_names()
    assert listed, "the README's public-names list could not be read"
    assert sorted(listed - set(oracles.__all__)) == [], "listed in the README but not in oracles.__all__"
    assert sorted(set(oracles.__all__) - listed) == [], "in oracles.__all__ but not listed in the README"


def test_the_readme_lists_exactly_the_checks() -> None:
    assert _readme_check_names() == set(oracles.checks.__all__)


@pytest.mark.parametrize("package", [oracles, oracles.checks], ids=["oracles", "oracles.checks"])
def test_every_public_name_imports(package) -> None:
    for name in package.__all__:
        assert getattr(package, name) is not None, name
    assert len(set(package.__all__)) == len(package.__all__), "a name is listed twice"


def test_checks_are_callables_with_a_docstring_naming_what_they_check() -> None:
    for name in oracles.checks.__all__:
        fn = getattr(oracles.checks, name)
        assert callable(fn) and (fn.__doc__ or "").strip(), f"oracles.checks.{name} has no docstring"


def test_an_unknown_check_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'gf_against_everything'"):
        oracles.checks.gf_against_everything  # noqa: B018


OLD_SURFACE = {
    "oracles.bregman": (
        "LN2",
        "bregman_divergence",
        "SeparablePotential",
        "HypentropyPotential",
        "EntropyPotential",
        "EuclideanPotential",
        "PowerPotential",
        "PNormPotential",
        "as_potential",
        "Projection",
        "UNDERFLOW",
        "kkt_residuals",
        "bregman_projection",
        "bregman_projection_scipy",
        "projection_gap",
    ),
    "oracles.commutation": (
        "flow_commutator",
        "flows_commute",
        "flow_gap_matches_bracket",
        "bracket_matches_formula",
        "separable_brackets_vanish",
    ),
    "oracles.equivalence": (
        "N_SAMPLES",
        "requested_error_x",
        "requested_error_w",
        "requested_error_dual",
        "require_regular",
        "gf_against_psi",
        "default_legendre",
        "gf_against_mf",
        "lemma_4_7_identities",
    ),
    "oracles.errors": ("InvalidInput", "Inconclusive", "as_vector", "as_matrix"),
    "oracles.flows": (
        "BLOW_UP",
        "FlowResult",
        "MirrorFlowResult",
        "MAX_NFEV",
        "checked_solve",
        "field_flow",
        "psi",
        "gradient_flow",
        "mirror_flow",
    ),
    "oracles.hopf": ("HOPF_J", "HopfChart", "HopfFamily"),
    "oracles.legendre": ("Legendre", "Euclidean", "PowerPotential", "Hypentropy", "LemmaLegendre"),
    "oracles.lie": ("bracket", "fd_hessians", "bracket_fd", "quadratic_bracket", "max_bracket"),
    "oracles.lie_closure": (
        "RANK_GAP",
        "FD_MAX_ORDER",
        "FD_STEP",
        "Word",
        "RankDecision",
        "numerical_rank",
        "word_label",
        "word_order",
        "LieClosure",
        "lie_closure",
        "condition_cosine_against",
        "reachable_dimension_check",
        "uv_law_gradients",
        "uv_conservation_count",
        "uut_conservation_count",
        "conservation_count_check",
        "draw_bracket_graph",
    ),
    "oracles.limits": (
        "BLOW_UP",
        "ATOL_FLOOR",
        "loss_hessian",
        "FlowLimit",
        "gradient_flow_limit",
        "mirror_flow_limit",
        "identity_least_squares_flow",
        "identity_least_squares_limit",
        "compare_limit",
        "worst",
        "flow_limit",
        "mf_limit_vs_projection",
        "gf_limit_vs_projection",
        "gf_limit_stationarity",
        "gf_limit_minimizes",
        "quadratic_gf_convergence",
        "hypentropy_path_panels",
        "squared_param_vs_mirror",
        "small_init_l1_gap",
        "max_margin_alignment",
    ),
    "oracles.linear_nets": (
        "ATOL_RATIO",
        "BLOW_UP",
        "WORK",
        "work_done",
        "reset_work",
        "Problem",
        "check_problem",
        "loss",
        "imbalance",
        "flow_field",
        "Trajectory",
        "gradient_flow",
        "two_tolerance_flows",
        "frobenius_sum",
        "conservation_gap",
        "scalar_rate",
        "scalar_closed_form",
        "scalar_closed_form_slide",
        "scalar_log_k",
        "scalar_closed_form_gap",
        "scalar_rate_gap",
        "SpectralInstance",
        "spectral_init",
        "spectral_solution",
        "spectral_gap",
        "row_space_split",
        "min_norm_solution",
        "RateConstant",
        "margin",
        "rate_constant",
        "corollary_rate",
        "loss_rate_gap",
        "orthogonality_defect",
        "min_norm_gap",
        "random_init",
        "width_trend_gap",
    ),
    "oracles.losses": (
        "Loss",
        "Linear",
        "RegressionLoss",
        "LeastSquares",
        "LogCosh",
        "SaturatingSquares",
        "ExponentialLoss",
        "LOSSES",
        "loss_from_spec",
        "Schedule",
    ),
    "oracles.matrix_sensing": (
        "check_symmetric_stack",
        "measurement_row",
        "to_matrix",
        "sensing_loss",
        "entropy",
        "min_trace_commuting",
        "min_trace_psd",
        "psd_sqrt",
        "min_trace_psd_2x2",
        "commuting_measurements",
        "diagonal_nuclear_check",
        "joint_eigenbasis",
        "nonnuclear_gap",
        "DeepProduct",
        "balanced_factors",
        "norms_grow_check",
    ),
    "oracles.mirror_descent": (
        "md_step",
        "ArgminStep",
        "md_step_argmin",
        "step_identity_gap",
        "MirrorDescentRun",
        "mirror_descent",
        "md_limit_vs_projection",
    ),
    "oracles.outcome": (
        "CLOSED_FORM_BUDGET",
        "SAFETY",
        "EPS",
        "Panel",
        "Outcome",
        "budget_from_error",
        "roundoff_floor",
        "relative_gap",
        "compare",
    ),
    "oracles.parametrizations": (
        "Parametrization",
        "from_spec",
        "Identity",
        "Coordinatewise",
        "Powers",
        "squares",
        "UVSquared",
        "Quadratic",
        "symmetric_factorization",
        "factorization",
    ),
    "oracles.path_dependence": (
        "ODE_FLOOR",
        "check_linear",
        "linear_mu",
        "mu_mismatch",
        "check_pair",
        "single_schedule_witness",
        "expm_taylor",
        "linear_schedule_endpoint",
        "linear_schedule_path",
        "endpoint_gap",
        "path_panels",
        "path_dependence_search",
        "hessian_metric_defect",
        "metric_from_preimage",
        "gram_depends_only_on_w",
        "symmetric_entries_to_matrix",
        "uu_preimage",
        "commuting_quadratic_preimage",
    ),
    "oracles.projection_error": ("ErrorBound", "projection_error_bound"),
    "oracles.quadratic_forms": ("psi_exponential", "thm_4_15a", "thm_4_15b", "thm_4_15c"),
    "oracles.references": (
        "Reference",
        "min_l2_interpolant",
        "basis_pursuit",
        "HIGHS_TIGHT",
        "certify_lp",
        "NonnegativeSupport",
        "nonnegative_support",
        "exact_matvec",
        "MaxMargin",
        "max_margin",
    ),
    "oracles.reverse": (
        "POTENTIALS",
        "FLOOR",
        "SeparablePotential",
        "as_potentials",
        "SeparableLegendre",
        "ReverseParametrization",
        "gf_equals_mf",
    ),
    "oracles.specs": ("NotSerializable", "encode", "decode"),
}


@pytest.mark.parametrize("module", sorted(OLD_SURFACE))
def test_every_0_1_name_still_imports_with_a_warning(module: str) -> None:
    from oracles._legacy import REMOVED

    for name in OLD_SURFACE[module]:
        if (module, name) in REMOVED:
            with pytest.raises(AttributeError, match="removed in 0.2: .*nfev"):
                getattr(importlib.import_module(module), name)
            continue
        for cached in [m for m in sys.modules if m == module and module not in ("oracles.flows", "oracles.lie")]:
            del sys.modules[cached]  # a fresh shim: the warning comes once per name and module object
        mod = importlib.import_module(module)
        if name in vars(mod) and module in ("oracles.flows", "oracles.lie"):
            continue  # a name the package itself defines (``from oracles.flows import gradient_flow``)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = getattr(mod, name)
        assert value is not None or name == "as_potential"
        messages = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
        assert messages and f"{module}.{name} is a 0.1 import path" in messages[0] and "write `" in messages[0]


def test_a_0_1_name_resolves_to_the_same_object() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from oracles.equivalence import gf_against_mf
        from oracles.limits import gf_limit_vs_projection
        from oracles.losses import Linear
    assert gf_against_mf is oracles.checks.gf_against_mf
    assert gf_limit_vs_projection is oracles.checks.gf_limit_vs_projection
    assert Linear is oracles.Linear


def test_checked_solve_keeps_its_0_1_signature() -> None:
    import numpy as np

    import oracles.flows

    vars(oracles.flows).pop("checked_solve", None)  # resolved (and kept) by an earlier test
    with pytest.warns(DeprecationWarning, match=r"oracles\.flows\.checked_solve .*Integrator"):
        from oracles.flows import checked_solve
    sol = checked_solve(lambda t, y: -y, (0.0, 1.0), np.array([1.0]), rtol=1e-11, atol=1e-14)
    assert abs(sol.y[0, -1] - np.exp(-1.0)) < 1e-10


def test_a_name_that_never_existed_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nothing of that name moved"):
        importlib.import_module("oracles.equivalence").not_a_name  # noqa: B018


CONJECTURE_0_1 = '''
"""A conjecture file written against 0.1, untouched: gradient flow on UVᵀ is a mirror flow."""
from hypothesis import given, settings
from generators.arrays import vectors
from oracles.flows import gradient_flow
from oracles.losses import Linear, Schedule
from oracles.outcome import Panel, compare, relative_gap
from oracles.parametrizations import factorization
from oracles.equivalence import gf_against_mf
from theorems import conjecture

G = factorization(2, 2, 1)


@conjecture("me:uvt-0.1", title="gradient flow on UVᵀ is a mirror flow (0.1 imports)", source="0.1 notebook")
@settings(max_examples=30)
@given(x0=vectors(4, center=1.0, spread=0.5), a=vectors(4), b=vectors(4))
def test_uvt_0_1(x0, a, b):
    ab, ba = Schedule(((1.0, Linear(a)), (1.0, Linear(b)))), Schedule(((1.0, Linear(b)), (1.0, Linear(a))))
    fine = [gradient_flow(G, s, x0, rtol=1e-11) for s in (ab, ba)]
    coarse = [gradient_flow(G, s, x0, rtol=1e-8) for s in (ab, ba)]
    error = max(relative_gap(f.w[-1], c.w[-1]) for f, c in zip(fine, coarse))
    return compare(fine[0].w[-1], fine[1].w[-1], error=error, what="|w_ab(T) - w_ba(T)| / |w(T)|")
'''


def test_a_conjecture_file_from_0_1_runs_unchanged_with_warnings(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_uvt_0_1=CONJECTURE_0_1)
    result = pytester.runpytest_subprocess(
        "-q", "--hypothesis-profile=ci", "-p", "no:xdist", "-W", "always::DeprecationWarning"
    )
    result.assert_outcomes(failed=1)  # falsified, as it should be (li2022 Cor. 4.11)
    out = result.stdout.str()
    assert "falsified  me:uvt-0.1" in out
    for old in (
        "oracles.losses.Linear",
        "oracles.outcome.compare",
        "oracles.parametrizations.factorization",
        "oracles.equivalence.gf_against_mf",
    ):
        assert f"{old} is a 0.1 import path" in out, old


pytest_plugins = ["pytester"]
