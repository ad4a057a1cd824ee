"""Negative controls for the liang statements: planted false variants the same checks must falsify.

Statement IDs covered: liang:unscaled-part1, liang:corollary, liang:unscaled-part2, liang:scaled, liang:kernel-ode,
liang:g3-compact.
A control's docstring says what is planted and the measured size of the effect.
"""

from __future__ import annotations

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from generators.shallow import data_sets, densities, g3_cases, kernel_ode_cases, ladder_cases, scaled_potentials
from oracles.checks.width_identities import check_g3_identity, check_kernel_ode
from oracles.checks.width_limits import (
    LADDER_CI,
    SEEDS,
    SEEDS_PART1,
    SEEDS_PART2,
    check_kernel_frozen,
    check_mf_equals_gf,
    check_scaled,
    check_unscaled_part1,
    check_unscaled_part2,
)
from oracles.model.shallow import MirrorPotential, init_params
from theorems import control

CONTROL_EXAMPLES = 5
#: a control is caught by its first falsifying example; shrinking a ladder example (~2 s each) adds nothing
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


@st.composite
def single_width_cases(draw, potentials):
    density = draw(densities())
    x, y = draw(data_sets(density))
    return x, y, density, draw(potentials), draw(st.integers(0, 2**16))


@control(
    "liang:corollary",
    title="MF limit = GF limit at a fixed width (n = 540, |x|³ + x²)",
    source="liang-montufar 2025 (slides), Corollary",
    fields=("x", "y", "density", "potential", "seed"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=single_width_cases(st.just(MirrorPotential.cubic())))
def test_control_mf_equals_gf_at_fixed_width(case):
    """At a fixed width the limits differ (first order in the drift for |x|³ + x²): the gap exceeds ten times
    its Richardson error estimate. n = 540 is the smallest ladder width where that estimate is below a tenth
    of the gap for every measured seed (at 180 it reaches 0.36 of it: kinks crossing data points)."""
    x, y, density, potential, seed = case
    return check_mf_equals_gf(x, y, density, potential, 540, seed)


@control(
    "liang:unscaled-part2",
    title="G1 with p_B in place of 1/p_B (truncated normal p_B)",
    source="liang-montufar 2025 (slides), Theorem (unscaled potential), Part II",
    fields=("x", "y", "density", "potential", "widths", "seeds"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS_PART2, density_kinds=("truncated normal",), max_scale=0.5))
def test_control_weight_p_instead_of_1_over_p(case):
    """The wrong weight moves h̄ by ~0.1 in L∞ on a truncated normal with s ≤ B/2: the gap to it stops
    shrinking along the ladder (nearly invisible on a flat density, where p and 1/p differ by a constant)."""
    x, y, density, potential, widths, seeds = case
    return check_unscaled_part2(x, y, density, potential, widths, seeds, weight="p", oracle="grid")


@control(
    "liang:unscaled-part1",
    title="H(t) = H(0) at n = 50",
    source="liang-montufar 2025 (slides), Theorem (unscaled potential), Part I",
    fields=("x", "y", "density", "potential", "seed"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=single_width_cases(st.sampled_from(["x^4+x^2", "|x|^3+x^2", "cosh"]).map(MirrorPotential.named)))
def test_control_kernel_frozen(case):
    """The kernel moves at every finite width: sup_t ‖H(t) − H(0)‖ exceeds ten times its halving change."""
    x, y, density, potential, seed = case
    return check_kernel_frozen(x, y, density, potential, 50, seed)


@control(
    "liang:scaled",
    title="H(t) → H(0) for a scaled potential",
    source="liang-montufar 2025 (slides), Theorem (scaled potential)",
    fields=("x", "y", "density", "potential", "widths", "seeds"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS, potentials=scaled_potentials()))
def test_control_scaled_kernel_converges(case):
    """Lazy but not a kernel regime: sup_t‖H(t) − H(0)‖/‖H(0)‖ stays O(1) along the ladder (slope ≈ 0)."""
    x, y, density, potential, widths, seeds = case
    return check_scaled(x, y, density, potential, widths, seeds, claims=("kernel->H0",))


@control(
    "liang:scaled",
    title="n·drift → 0 for a scaled potential",
    source="liang-montufar 2025 (slides), Theorem (scaled potential)",
    fields=("x", "y", "density", "potential", "widths", "seeds"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS, potentials=scaled_potentials()))
def test_control_scaled_drift_vanishes(case):
    """n·‖θ(∞) − θ(0)‖∞ saturates (slope +0.1) instead of going to 0 (slope ≤ −0.1 claimed)."""
    x, y, density, potential, widths, seeds = case
    return check_scaled(x, y, density, potential, widths, seeds, claims=("n-drift->0",))


@control(
    "liang:scaled",
    title="loss decay at rate 2·C_ref (a rate constant four times too large)",
    source="liang-montufar 2025 (slides), Theorem (scaled potential)",
    fields=("x", "y", "density", "potential", "widths", "seeds"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS, potentials=scaled_potentials()))
def test_control_scaled_loss_rate_too_large(case):
    """C_n ≥ 2·C_ref claimed in place of ½·C_ref: the decay rates sit at 1.2–1.3× the network's own kernel rate."""
    x, y, density, potential, widths, seeds = case
    return check_scaled(x, y, density, potential, widths, seeds, claims=("loss-x4",))


@control(
    "liang:unscaled-part1",
    title="drift ≤ C n^-1.1 (the drift is Θ(1/n); four or more data points)",
    source="liang-montufar 2025 (slides), Theorem (unscaled potential), Part I",
    fields=("x", "y", "density", "potential", "widths", "seeds"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS_PART1, min_m=4))
def test_control_drift_exponent_too_fast(case):
    """An exponent 0.6 faster than the slides' ½ and 0.1 faster than the truth: the output weights move by
    Θ(1/n) (ζ_a = −(2/n)∫Σσ(z)r dt), so n^1.1·drift grows like n^0.1-0.25 (measured slope +0.20 on the figure data).
    The fixed +0.25 margin let it pass; the statistical one (3.73 standard errors, 0.06 here) catches it. With two
    data points the seed spread is wider (margin 0.2): the control draws m ≥ 4."""
    x, y, density, potential, widths, seeds = case
    return check_unscaled_part1(x, y, density, potential, widths, seeds, drift_power=1.1)


@control(
    "liang:scaled",
    title="drift ≤ C n^-5/4 for a scaled potential",
    source="liang-montufar 2025 (slides), Theorem (scaled potential)",
    fields=("x", "y", "density", "potential", "widths", "seeds"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS, potentials=scaled_potentials()))
def test_control_scaled_drift_exponent_too_fast(case):
    """n^{5/4}·sup_t drift grows like n^{0.25+0.1} (the scaled n·drift itself has slope +0.02 … +0.13): measured slope
    +0.31 against the +0.25 margin."""
    x, y, density, potential, widths, seeds = case
    return check_scaled(x, y, density, potential, widths, seeds, claims=("drift",), drift_power=1.25)


#: the ladder of the G2 control: dropping G2 moves h̄ by 0.04-0.17, comparable to the random-feature gap at n = 180,
#: so on the ci ladder the gap to the planted h̄ still shrinks (slopes −0.11 … −0.39); from 540 on it does not
#: (slopes −0.08 … +0.25 on m ≤ 3 data, docs/width-limits/measure/g23_controls_540.log)
LADDER_G2 = (540, 1620, 4860)


@control(
    "liang:unscaled-part2",
    title="G2 dropped (two or three data points, widths 540-4860)",
    source="liang-montufar 2025 (slides), Theorem (unscaled potential), Part II",
    fields=("x", "y", "density", "potential", "widths", "seeds"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_G2, SEEDS_PART2, max_m=3))
def test_control_without_g2(case):
    """Without (h'(+∞) + h'(−∞))² the outer slopes are free: h̄ moves by 0.04-0.17 in L∞ (README §1: 0.072 on the
    uniform density) and the gap to the planted minimizer stops shrinking along the ladder."""
    x, y, density, potential, widths, seeds = case
    return check_unscaled_part2(x, y, density, potential, widths, seeds, oracle="grid", g2=0.0)


@control(
    "liang:unscaled-part2",
    title="G3 dropped (two data points)",
    source="liang-montufar 2025 (slides), Theorem (unscaled potential), Part II",
    fields=("x", "y", "density", "potential", "widths", "seeds"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS_PART2, max_m=2))
def test_control_without_g3(case):
    """Without G3, h̄ moves by 0.2-0.5 on two data points (measured slopes of the gap +0.13 … +0.17)."""
    x, y, density, potential, widths, seeds = case
    return check_unscaled_part2(x, y, density, potential, widths, seeds, oracle="grid", g3=0.0)


@control(
    "liang:unscaled-part2",
    title="4·G3 in place of G3 (two data points)",
    source="liang-montufar 2025 (slides), Theorem (unscaled potential), Part II",
    fields=("x", "y", "density", "potential", "widths", "seeds"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS_PART2, max_m=2))
def test_control_four_g3(case):
    """G3 weighted four times (E[B²]/4 in place of E[B²]): h̄ moves by 0.1-0.27 on two data points (measured slopes
    of the gap −0.00 … +0.03)."""
    x, y, density, potential, widths, seeds = case
    return check_unscaled_part2(x, y, density, potential, widths, seeds, oracle="grid", g3=4.0)


@control(
    "liang:kernel-ode",
    title="the slides' literal df/dt = −nη H(t)(f − y) (no factor 2)",
    source="liang-montufar 2025 (slides), the chain rule after the mirror flow",
    fields=("x", "y", "density", "potential", "scaled", "activation", "width", "seed", "perturbation"),
)
@settings(max_examples=CONTROL_EXAMPLES)
@given(case=kernel_ode_cases())
def test_control_kernel_ode_without_factor_2(case):
    """With L = Σ(f − y)² the flow of f is twice the printed one: the relative gap is 1/2 against a budget ~1e-9."""
    x, y, density, potential, scaled, activation, width, seed, perturbation = case
    return check_kernel_ode(x, y, density, potential, scaled, activation, width, seed, perturbation, factor=1.0)


@control(
    "liang:g3-compact",
    title="h(B) − h(−B) in place of h(B) + h(−B)",
    source="liang-montufar 2025 (slides), Theorem (unscaled potential), Part II, the remark on G3",
    fields=("x", "r", "density", "seed", "width"),
)
@settings(max_examples=CONTROL_EXAMPLES)
@given(case=g3_cases())
def test_control_g3_wrong_sign(case):
    """The sign slip moves the right side by 2h(−B) (0.04-0.2 of the terms' size, measured)."""
    x, r, density, seed, width = case
    return check_g3_identity(x, r, density, init_params(seed, width, density), plant="minus")


@control(
    "liang:scaled-d2",
    title="drift ≤ C n^-5/4 for a scaled potential (d = 2)",
    source="liang-montufar 2025 (slides), Theorem (scaled potential), d ≥ 1 inputs",
    fields=("x", "y", "density", "potential", "widths", "seeds"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS, potentials=scaled_potentials(), dims=(2,)))
def test_control_scaled_d2_drift_exponent_too_fast(case):
    """As in d = 1: n^{5/4}·sup_t drift grows (the scaled n·drift is bounded, not o(n^{-1/4}))."""
    x, y, density, potential, widths, seeds = case
    return check_scaled(x, y, density, potential, widths, seeds, claims=("drift",), drift_power=1.25)


@control(
    "liang:unscaled-part1",
    title="drift ≤ C n^-1.1 in d = 2",
    source="liang-montufar 2025 (slides), Theorem (unscaled potential), Part I",
    fields=("x", "y", "density", "potential", "widths", "seeds"),
)
@settings(max_examples=CONTROL_EXAMPLES, phases=NO_SHRINK)
@given(case=ladder_cases(LADDER_CI, SEEDS_PART1, min_m=4, dims=(2,)))
def test_control_drift_exponent_too_fast_d2(case):
    """d = 2: the output weights still move by Θ(1/n): the slope of log(n^1.1·drift) exceeds its statistical margin by
    0.11 on the 2-D figure data (16 seeds) and by 0.26 on the first generated example at ci."""
    x, y, density, potential, widths, seeds = case
    return check_unscaled_part1(x, y, density, potential, widths, seeds, drift_power=1.1)
