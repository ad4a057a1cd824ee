"""The statements of the implicit-bias suite, their catalog and the pytest plugin.

Public API for writing a statement (or your own conjecture)::

    from hypothesis import given
    from theorems import conjecture

    @conjecture("me:my-claim", title="...", source="...")
    @given(...)
    def test_my_claim(...):
        return some_oracle_comparison(...)   # an oracles.Outcome

Options of every decorator (:func:`theorems.suite.harness.statement`): ``min_decided=`` (the fewest decided
examples for a verdict without a witness; default 10, or a tenth of ``max_examples`` when fewer) and
``fields=`` (names of the parts of a composite argument, shown in reports as ``case.G`` instead of
``case[0]``).
"""

from theorems.suite.harness import (
    CATALOG,
    Falsified,
    StatementSpec,
    conjecture,
    control,
    refutation,
    statement,
    universal,
)

__all__ = ["CATALOG", "Falsified", "StatementSpec", "conjecture", "control", "refutation", "statement", "universal"]
