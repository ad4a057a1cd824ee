"""The statements of the implicit-bias suite, their catalog and the pytest plugin.

Public API for writing a statement (or your own conjecture)::

    from hypothesis import given
    from theorems import conjecture

    @conjecture("me:my-claim", title="...", source="...")
    @given(...)
    def test_my_claim(...):
        return some_oracle_comparison(...)   # an oracles.Outcome
"""
from theorems.harness import (CATALOG, Falsified, StatementSpec, conjecture, control, refutation, statement,
                              universal)

__all__ = ["CATALOG", "Falsified", "StatementSpec", "conjecture", "control", "refutation", "statement",
           "universal"]
