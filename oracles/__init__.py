"""The math that decides: parametrizations, flows, Legendre functions, projections, Lie brackets.

Only numpy, scipy and networkx are used here; nothing in this package imports Hypothesis.
Every comparison returns an :class:`~oracles.core.outcome.Outcome`: a discrepancy, the oracle's
estimate of its own numerical error, and the budget above which the discrepancy falsifies.

Packages by layer (each imports only from the ones below it)::

    checks        the comparisons statements call (equivalence, limits, path dependence, ...)
    convex | lie  Bregman projections, references, mirror descent | brackets, closures, conservation
    flows         psi, gradient flow, mirror flow, limits, the Lemma 4.7 potential
    model         parametrizations, losses and schedules, potentials
    core          Outcome and budgets, errors, the ODE wrapper, finite differences, example specs

The names a conjecture writer uses are re-exported here: ``from oracles import gradient_flow, compare``.
"""
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.outcome import Outcome, Panel, budget_from_error, compare, relative_gap, roundoff_floor

__all__ = ["Inconclusive", "InvalidInput", "Outcome", "Panel", "budget_from_error", "compare", "relative_gap",
           "roundoff_floor"]
