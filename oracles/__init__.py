"""The math that decides: parametrizations, flows, potentials, projections, Lie brackets, and the checks.

Only numpy, scipy and networkx are used here; nothing in this package imports Hypothesis. Every comparison
returns an :class:`Outcome`: a discrepancy, the oracle's estimate of its own numerical error, and the budget
above which the discrepancy falsifies.

Packages by layer (each imports only from the ones below it; ``make test`` checks the contract)::

    checks        the comparisons statements call (equivalence, limits, path dependence, reverse, Lie, ...)
    convex | lie  Bregman projections, references, mirror descent | brackets, closures, conservation laws
    flows         psi, gradient flow, mirror flow, limits, the Lemma 4.7 potential, linear-net dynamics
    model         parametrizations, losses and schedules, potentials
    core          Outcome and budgets, errors, the ODE wrapper, finite differences, example specs

**The public surface.** The names below are what conjecture files import (``from oracles import
gradient_flow, compare``); they keep their meaning across reorganizations of the packages. The checks the
statements call are public too, in :mod:`oracles.checks` (``from oracles.checks import gf_against_mf``), with the
contract a check keeps written there. Anything else is reachable by its module path and may move. The README's
list of public names is checked against ``__all__`` (``tests/test_public_surface.py``). The 0.1 module paths
(``oracles.equivalence``, ``oracles.limits``, ``oracles.losses``, ...) work for this release with a
DeprecationWarning naming the new import (:mod:`oracles._legacy`).
"""

from oracles import _legacy
from oracles.checks.path_dependence import endpoint_gap, hessian_metric_defect, path_dependence_search
from oracles.convex.bregman import Projection, bregman_projection
from oracles.convex.mirror_descent import mirror_descent
from oracles.convex.references import (
    MaxMargin,
    Reference,
    basis_pursuit,
    max_margin,
    max_margin_l1,
    min_l2_interpolant,
    nonnegative_support,
)
from oracles.convex.variational import kernel_interpolant, solve_g123, solve_scaled
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.fd import Derivative, central_difference
from oracles.core.ode import DEFAULT, TWO_TOLERANCES, Integrator, Solution, TwoTolerances
from oracles.core.outcome import (
    CLOSED_FORM_BUDGET,
    Outcome,
    Panel,
    budget_from_error,
    compare,
    relative_gap,
    roundoff_floor,
    worst,
)
from oracles.core.specs import register
from oracles.flows.legendre import LemmaLegendre, potential_of
from oracles.flows.limits import (
    FlowLimit,
    compare_limit,
    exponential_loss_trajectory,
    gradient_flow_limit,
    mirror_flow_limit,
)
from oracles.flows.shallow_trainer import NetworkRun
from oracles.flows.shallow_trainer import train as train_networks
from oracles.flows.trajectories import FlowResult, MirrorFlowResult, field_flow, gradient_flow, mirror_flow, psi
from oracles.lie.brackets import bracket
from oracles.lie.closure import LieClosure, lie_closure, numerical_rank
from oracles.model.deep import DeepProduct
from oracles.model.embedded import RidgeEmbedding, RidgePotential
from oracles.model.helix import HelixChart
from oracles.model.hopf import HopfChart
from oracles.model.linear_coordinatewise import LinearCoordinatewise, LinearSeparablePotential
from oracles.model.losses import (
    ExponentialLoss,
    LeastSquares,
    Linear,
    LogCosh,
    Loss,
    SaturatingSquares,
    Schedule,
    loss_hessian,
)
from oracles.model.nonconvex_losses import RidgeBump
from oracles.model.parametrizations import (
    Coordinatewise,
    Identity,
    Parametrization,
    Powers,
    Quadratic,
    UVSquared,
    factorization,
    squares,
    symmetric_factorization,
)
from oracles.model.potentials import (
    EntropyPotential,
    EuclideanPotential,
    HypentropyPotential,
    PNormPotential,
    Potential,
    PowerPotential,
    SeparablePotential,
    bregman_divergence,
)
from oracles.model.reverse import ReverseParametrization, ScalarPotential
from oracles.model.shallow import MirrorPotential, NetworkParams, Normal, TruncatedNormal, Uniform, init_params, network
from oracles.model.warped import WarpedQuadratic

_legacy.install()

__all__ = [
    # outcomes and budgets
    "CLOSED_FORM_BUDGET",
    "Inconclusive",
    "InvalidInput",
    "Outcome",
    "Panel",
    "budget_from_error",
    "compare",
    "relative_gap",
    "roundoff_floor",
    "worst",
    # numerics
    "DEFAULT",
    "Derivative",
    "Integrator",
    "Solution",
    "TWO_TOLERANCES",
    "TwoTolerances",
    "central_difference",
    "register",
    # parametrizations, losses, potentials
    "Coordinatewise",
    "DeepProduct",
    "HopfChart",
    "Identity",
    "Parametrization",
    "Powers",
    "Quadratic",
    "ReverseParametrization",
    "UVSquared",
    "factorization",
    "squares",
    "symmetric_factorization",
    "LinearCoordinatewise",
    "RidgeEmbedding",
    "HelixChart",
    "WarpedQuadratic",
    "ExponentialLoss",
    "LeastSquares",
    "Linear",
    "LogCosh",
    "Loss",
    "SaturatingSquares",
    "Schedule",
    "loss_hessian",
    "RidgeBump",
    "EntropyPotential",
    "EuclideanPotential",
    "HypentropyPotential",
    "PNormPotential",
    "Potential",
    "PowerPotential",
    "ScalarPotential",
    "SeparablePotential",
    "bregman_divergence",
    "LinearSeparablePotential",
    "RidgePotential",
    # flows
    "FlowLimit",
    "FlowResult",
    "LemmaLegendre",
    "MirrorFlowResult",
    "compare_limit",
    "exponential_loss_trajectory",
    "field_flow",
    "gradient_flow",
    "gradient_flow_limit",
    "mirror_flow",
    "mirror_flow_limit",
    "potential_of",
    "psi",
    # convex
    "MaxMargin",
    "Projection",
    "Reference",
    "basis_pursuit",
    "bregman_projection",
    "max_margin",
    "max_margin_l1",
    "min_l2_interpolant",
    "mirror_descent",
    "nonnegative_support",
    # Lie
    "LieClosure",
    "bracket",
    "lie_closure",
    "numerical_rank",
    # shallow networks in the width limit (liang)
    "MirrorPotential",
    "NetworkParams",
    "NetworkRun",
    "Normal",
    "TruncatedNormal",
    "Uniform",
    "init_params",
    "kernel_interpolant",
    "network",
    "solve_g123",
    "solve_scaled",
    "train_networks",
    # checks a conjecture writer reuses
    "endpoint_gap",
    "hessian_metric_defect",
    "path_dependence_search",
]
