"""The math that decides: parametrizations, flows, Legendre functions, Lie brackets.

Only numpy, scipy and networkx are used here; nothing in this package imports Hypothesis.
Every comparison returns an :class:`~oracles.outcome.Outcome`: a discrepancy, the oracle's
estimate of its own numerical error, and the budget above which the discrepancy falsifies.
"""
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.outcome import Outcome, Panel

__all__ = ["Inconclusive", "InvalidInput", "Outcome", "Panel"]
