"""An error estimate as large as the quantity's scale decides nothing: such examples are inconclusive.

Found in campaign summaries: budgets of 1e286–1e291 (a relative gap divided by a vanishing scale), under
which `li2022:thm-4.8`, `li2022:quadratic-bracket` and `tarmoun2021:scalar` "held" examples whatever the
discrepancy (one held at 0.028, another at 13120). The rule is ``oracles.core.outcome.UNRESOLVED``.
"""

from __future__ import annotations

import numpy as np
import pytest

from oracles import Quadratic
from oracles.checks.commutation import bracket_matches_formula
from oracles.checks.linear_nets import scalar_closed_form_gap
from oracles.core.errors import Inconclusive
from oracles.core.outcome import SAFETY, UNRESOLVED


def test_the_threshold_keeps_every_decided_budget_below_one():
    assert SAFETY * UNRESOLVED == pytest.approx(1.0)


def test_a_bracket_whose_error_reaches_its_scale_is_unresolved(monkeypatch):
    import oracles.checks.commutation as commutation

    G = Quadratic(np.array([[[1.0, 2.0], [2.0, -1.0]], [[0.0, 1.0], [1.0, 3.0]]]))
    x = np.array([1.0, 0.5])
    assert bracket_matches_formula(G, x, 0, 1).inconclusive is None
    exact = commutation.bracket_fd
    monkeypatch.setattr(commutation, "bracket_fd", lambda *a: (exact(*a)[0], 1e3))  # an error beyond the terms
    assert bracket_matches_formula(G, x, 0, 1).inconclusive == "unresolved: error ≥ scale"


def test_a_scalar_flow_started_at_its_target_is_unresolved():
    with pytest.raises(Inconclusive, match="unresolved"):
        scalar_closed_form_gap(1.0, 1.0, 1.0, 5.0)


def test_a_long_scalar_horizon_compares_only_the_resolved_samples():
    outcome = scalar_closed_form_gap(0.3, 0.2, 1.0, 40.0)  # |x(t) − 1| reaches integration noise late
    assert outcome.inconclusive is None
    assert outcome.budget < 1.0
    assert not outcome.falsified
