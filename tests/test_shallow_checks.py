"""Ladder logic and the statement checks (small instances; the controls must be caught)."""

from __future__ import annotations

import numpy as np
import pytest

from oracles import Inconclusive, InvalidInput, Outcome
from oracles.checks.width_limits import (
    LADDER_CI,
    check_kernel_frozen,
    check_mf_equals_gf,
    check_scaled,
    check_unscaled_part2,
    fit_slope,
    ladder,
    slope_outcome,
    worst_claim,
)
from oracles.model.shallow import MirrorPotential, TruncatedNormal, Uniform

X = np.array([-0.75, -0.35, 0.05, 0.4, 0.8])
Y = np.array([0.3, -0.2, 0.5, 0.1, -0.4])
SEEDS = (0, 1, 2, 3)


def test_ladder_and_fit():
    assert ladder(20, 3, 6) == (20, 60, 180, 540, 1620, 4860)
    with pytest.raises(InvalidInput):
        ladder(20, 1, 3)
    n = np.array([100, 300, 900])
    v = 2.0 * n[:, None] ** -0.5 * np.exp(0.1 * np.array([[1, -1], [-1, 1], [0.5, -0.5]]))
    fit = fit_slope(n, v, 1e-6 * v)
    assert abs(fit.slope + 0.5) < 1e-12  # symmetric seed noise cancels in the mean of logs
    assert fit.slope_error == pytest.approx(
        1e-6 * np.sum(np.abs(np.log(n) - np.log(n).mean())) / np.sum((np.log(n) - np.log(n).mean()) ** 2), rel=1e-6
    )
    o = slope_outcome(fit, -0.25, "w", "claim")
    assert not o.falsified and o.discrepancy == pytest.approx(-0.25)
    with pytest.raises(Inconclusive, match="numerical error"):
        fit_slope(n, v, 0.6 * v)
    with pytest.raises(Inconclusive, match="non-finite"):
        fit_slope(n, np.where(v > 0.19, np.nan, v), v * 0)


def test_arithmetic_mean_fit_weighs_a_lost_seed_by_its_size():
    n = np.array([180, 540, 1620])
    v = np.array([[1e-3, 1e-2, 1e-2, 1e-2], [3e-3, 3e-3, 3e-3, 3e-3], [1e-3, 1e-3, 1e-3, 1e-3]])
    e = 0.01 * v
    e[0, 0] = 1.6e-3  # one seed's value below its own error (as in make soak)
    with pytest.raises(Inconclusive, match="numerical error"):
        fit_slope(n, v, e)
    fit = fit_slope(n, v, e, mean="arithmetic")
    assert fit.values[0] == pytest.approx(np.mean(v[0]))
    assert fit.rel_errors[0] == pytest.approx(np.mean(e[0]) / np.mean(v[0]))
    assert fit.slope < 0
    with pytest.raises(Inconclusive, match="numerical error"):  # the mean itself lost in its error: undecided
        fit_slope(n, v, 0.6 * v, mean="arithmetic")
    with pytest.raises(InvalidInput, match="mean"):
        fit_slope(n, v, e, mean="median")


def test_worst_combines_sub_claims():
    a, b = Outcome(-1.0, 0.1, 0.01, "a"), Outcome(0.5, 0.1, 0.01, "b")
    assert worst_claim({"a": a, "b": b}).falsified
    assert not worst_claim({"a": a, "c": Outcome(-0.2, 0.1)}).falsified
    u = Outcome.undecided("noise")
    assert worst_claim({"a": a, "u": u}).inconclusive  # cannot say "held" with an undecided sub-claim
    assert worst_claim({"b": b, "u": u}).falsified  # but a decided falsification stands


def test_controls_are_caught():
    """Planted errors, through the same checks the statements use, at ci sizes."""
    dens = Uniform(-1.0, 1.0)
    assert check_mf_equals_gf(X, Y, dens, MirrorPotential.cubic(), 540, 0).falsified
    assert check_kernel_frozen(X, Y, dens, MirrorPotential.quartic(), 50, 0).falsified
    assert check_scaled(X, Y, dens, MirrorPotential.quartic(), LADDER_CI, SEEDS, claims=("n-drift->0",)).falsified
    assert check_scaled(X, Y, dens, MirrorPotential.quartic(), LADDER_CI, SEEDS, claims=("kernel->H0",)).falsified
    tn = TruncatedNormal(0.5, -1.0, 1.0)
    assert check_unscaled_part2(X, Y, tn, MirrorPotential.quartic(), LADDER_CI, SEEDS, weight="p").falsified


def test_statements_hold_on_the_figure_data():
    dens = Uniform(-1.0, 1.0)
    o = check_unscaled_part2(X, Y, dens, MirrorPotential.quartic(), LADDER_CI, SEEDS)
    assert not o.falsified and o.inconclusive is None
    o = check_scaled(X, Y, dens, MirrorPotential.quartic(), LADDER_CI, SEEDS)
    assert not o.falsified and o.inconclusive is None
