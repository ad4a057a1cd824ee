"""Negative controls for the liang statements: planted false variants the same checks must falsify.

Statement IDs covered: liang:unscaled-part1, liang:corollary, liang:unscaled-part2, liang:scaled.
"""
from __future__ import annotations

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from oracles.checks.width_limits import LADDER_CI, SEEDS, SEEDS_PART2, check_kernel_frozen, check_mf_equals_gf, check_scaled, \
    check_unscaled_part2
from oracles.model.shallow import MirrorPotential
from theorems import control

from generators.shallow import data_sets, densities, ladder_cases, scaled_potentials

CONTROL_EXAMPLES = 5
#: a control is caught by its first falsifying example; shrinking a ladder example (~2 s each) adds nothing
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


@st.composite
def single_width_cases(draw, potentials):
    density = draw(densities())
    x, y = draw(data_sets(density))
    return x, y, density, draw(potentials), draw(st.integers(0, 2 ** 16))


@control("liang:corollary", title="MF limit = GF limit at a fixed width (n = 540, |x|³ + x²)",
         source="liang-montufar 2025 (slides), Corollary", fields=("x", "y", "density", "potential", "seed"))
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=single_width_cases(st.just(MirrorPotential.cubic())))
def test_control_mf_equals_gf_at_fixed_width(case):
    """At a fixed width the limits differ (first order in the drift for |x|³ + x²): the gap exceeds ten times
    its Richardson error estimate. n = 540 is the smallest ladder width where that estimate is below a tenth
    of the gap for every measured seed (at 180 it reaches 0.36 of it: kinks crossing data points)."""
    x, y, density, potential, seed = case
    return check_mf_equals_gf(x, y, density, potential, 540, seed)


@control("liang:unscaled-part2", title="G1 with p_B in place of 1/p_B (truncated normal p_B)",
         source="liang-montufar 2025 (slides), Theorem (unscaled potential), Part II",
         fields=("x", "y", "density", "potential", "widths", "seeds"))
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS_PART2, density_kinds=("truncated normal",), max_scale=0.5))
def test_control_weight_p_instead_of_1_over_p(case):
    """The wrong weight moves h̄ by ~0.1 in L∞ on a truncated normal with s ≤ B/2: the gap to it stops
    shrinking along the ladder (nearly invisible on a flat density, where p and 1/p differ by a constant)."""
    x, y, density, potential, widths, seeds = case
    return check_unscaled_part2(x, y, density, potential, widths, seeds, weight="p", oracle="grid")


@control("liang:unscaled-part1", title="H(t) = H(0) at n = 50",
         source="liang-montufar 2025 (slides), Theorem (unscaled potential), Part I",
         fields=("x", "y", "density", "potential", "seed"))
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=single_width_cases(st.sampled_from(["x^4+x^2", "|x|^3+x^2", "cosh"]).map(MirrorPotential.named)))
def test_control_kernel_frozen(case):
    """The kernel moves at every finite width: sup_t ‖H(t) − H(0)‖ exceeds ten times its halving change."""
    x, y, density, potential, seed = case
    return check_kernel_frozen(x, y, density, potential, 50, seed)


@control("liang:scaled", title="H(t) → H(0) for a scaled potential",
         source="liang-montufar 2025 (slides), Theorem (scaled potential)",
         fields=("x", "y", "density", "potential", "widths", "seeds"))
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS, potentials=scaled_potentials()))
def test_control_scaled_kernel_converges(case):
    """Lazy but not a kernel regime: sup_t‖H(t) − H(0)‖/‖H(0)‖ stays O(1) along the ladder (slope ≈ 0)."""
    x, y, density, potential, widths, seeds = case
    return check_scaled(x, y, density, potential, widths, seeds, claims=("kernel->H0",))


@control("liang:scaled", title="n·drift → 0 for a scaled potential",
         source="liang-montufar 2025 (slides), Theorem (scaled potential)",
         fields=("x", "y", "density", "potential", "widths", "seeds"))
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS, potentials=scaled_potentials()))
def test_control_scaled_drift_vanishes(case):
    """n·‖θ(∞) − θ(0)‖∞ saturates (slope +0.1) instead of going to 0 (slope ≤ −0.1 claimed)."""
    x, y, density, potential, widths, seeds = case
    return check_scaled(x, y, density, potential, widths, seeds, claims=("n-drift->0",))


@control("liang:scaled", title="loss decay at rate 2·C_ref (a rate constant four times too large)",
         source="liang-montufar 2025 (slides), Theorem (scaled potential)",
         fields=("x", "y", "density", "potential", "widths", "seeds"))
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS, potentials=scaled_potentials()))
def test_control_scaled_loss_rate_too_large(case):
    """C_n ≥ 2·C_ref claimed in place of ½·C_ref: the decay rates sit at 1.2–1.3× the network's own kernel rate."""
    x, y, density, potential, widths, seeds = case
    return check_scaled(x, y, density, potential, widths, seeds, claims=("loss-x4",))
