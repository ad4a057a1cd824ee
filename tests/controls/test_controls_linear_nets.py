"""Negative controls for tarmoun2021 / min2021 (issue 4): planted false variants the same oracles must falsify.

Each control runs the generator and oracle of its statement (``theorems/tarmoun2021_min2021.py``)
with one thing planted wrong; it passes when the harness falsifies it within the ``ci`` budget.
Statements covered: "tarmoun2021:conservation", "tarmoun2021:scalar", "tarmoun2021:spectral",
"min2021:rate", "min2021:min-norm", "tarmoun2021:riccati", "tarmoun2021:warm-up",
"tarmoun2021:induced-dynamics".
"""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from generators.linear_nets import (
    conservation_cases,
    homogeneous_cases,
    induced_cases,
    orthogonal_cases,
    rate_cases,
    scalar_cases,
    spectral_cases,
    warm_up_cases,
    width_cases,
    wrong_sign_balanced_cases,
)
from oracles.checks.linear_nets import (
    conservation_gap,
    induced_dynamics_gap,
    loss_rate_gap,
    min_norm_gap,
    riccati_gap,
    scalar_rate_gap,
    spectral_gap,
    warm_up_gap,
    width_rate_gap,
)
from oracles.flows.linear_nets import frobenius_sum
from theorems import control


@control("tarmoun2021:conservation", title="UᵀU + VᵀV as the conserved quantity")
@given(case=conservation_cases())
def test_frobenius_sum_is_not_conserved(case):
    """UᵀU + VᵀV grows or shrinks with the scale of the factors: it moves whenever the flow moves
    (Y ≠ U₀V₀ᵀ in every generated instance)."""
    return conservation_gap(**case, quantity=frobenius_sum)


def quarter_rate(lam0: float, y: float) -> float:
    """The planted rate √(λ₀² + y²): the 4 in front of y² dropped."""
    return math.hypot(lam0, y)


@control("tarmoun2021:scalar", title="rate √(λ₀² + y²) in place of √(λ₀² + 4y²)")
@given(case=scalar_cases())
def test_wrong_scalar_rate_is_caught(case):
    """ln K(x(t)) − ln K(x₀) grows exactly like r t; a rate ρ ≠ r leaves a gap |r − ρ| t, which is
    ≥ 3y²t/(r + ρ) > 0 for every y ≠ 0."""
    return scalar_rate_gap(**case, rate=quarter_rate)


@control("tarmoun2021:spectral", title="σᵢ follows the balanced dynamics (imbalance λ₀,ᵢ ignored)")
@given(case=spectral_cases())
def test_balanced_spectral_dynamics_is_caught(case):
    """With λ₀,ᵢ set to 0 the predicted σᵢ(t) solves σ̇ = 2(σᵢ(Y) − σ)|σ|, which is wrong whenever some
    pair has u_i² ≠ v_i² (the shrunk instance has u = 1, v = 0.5)."""
    return spectral_gap(**case, ignore_imbalance=True)


@control("min2021:rate", title="rate constant 1.5·α (larger than the true one)")
@given(case=rate_cases())
def test_rate_times_one_and_a_half_is_caught(case):
    """1.5·α is truly false: for y = 0, (u₀, v₀) = (1, ε), ℓ = x²/2 with ẋ = −x√(λ₀² + 4x²), so
    ℓ_t ≥ ℓ₀e^{−2√(λ₀²+4x₀²)t} > ℓ₀e^{−1.5·2|λ₀|t} as soon as 4x₀² < 1.25λ₀², i.e. ε ≲ 0.5; and for
    balanced starts with margin the bound is an equality at t = 0, so any factor > 1 fails at small t.
    (A factor 2 would be caught as well; 1.5 is the sharper control.)"""
    return loss_rate_gap(**case, rate=lambda rc: 1.5 * rc.alpha)


@control("min2021:rate", title="slide's literal regression constant 2λmin(Σx)(…)/λmax(Σx) with λmax(Σx) < 1")
@given(case=rate_cases(with_X=True, x_scale=st.floats(0.2, 0.5)))
def test_literal_regression_constant_is_caught(case):
    """X scaled so that λmax(Σx) = c² ∈ [0.04, 0.25]: the slide's 2λmin√(…)/λmax equals the proved α
    divided by c², while the true rate scales like c² (scalar, y = 0: rate 2c²|λ₀| vs claimed 2|λ₀|)."""
    return loss_rate_gap(**case, rate=lambda rc: rc.alpha / rc.lam_max_x)


@control("min2021:min-norm", title="a non-orthogonal init (V U₂ᵀ ≠ 0) reaches the min-norm solution")
@given(case=orthogonal_cases(orthogonal_init=False))
def test_non_orthogonal_init_is_caught(case):
    """U₂ = Φ₂ᵀU is constant and its rows now overlap those of V, so the null-space part U₂V(t)ᵀ of
    UVᵀ does not vanish and the limit is another least-squares solution, not Θ* = X⁺Y."""
    return min_norm_gap(**case)


@control("tarmoun2021:scalar", title="a balanced start with u₀v₀ of the sign opposite to y converges to y (P12)")
@given(case=wrong_sign_balanced_cases())
def test_wrong_sign_balanced_start_converges(case):
    """λ₀ = 0 and u₀v₀·y < 0: x = uv keeps its sign (x = 0 is an equilibrium) and tends to 0, so |x − y| ≥ |y|
    for all t. The rate oracle decides this case (the distance to y never falls below |y|) instead of calling it
    inconclusive."""
    return scalar_rate_gap(**case)


@control("min2021:min-norm", title="random init: the error of the limit is O(1/k) (ratio 1/16 from k to 16k)")
@given(case=width_cases())
def test_random_init_error_is_order_one_over_k(case):
    """The claimed exponent 1 in place of 1/2: the measured log ratio is about ln(1/4), far outside five standard
    errors of ln(1/16)."""
    return width_rate_gap(**case, exponent=1.0)


@control("min2021:min-norm", title="random init: the error of the limit does not decay with the width (ratio 1)")
@given(case=width_cases())
def test_random_init_error_does_not_decay(case):
    """The claimed exponent 0 (what the former weakest form allowed at its edge): caught by the statistical margin."""
    return width_rate_gap(**case, exponent=0.0)


@control("tarmoun2021:riccati", title="the Riccati closed form without the imbalance (λ = 0 in A)")
@given(case=homogeneous_cases())
def test_riccati_without_imbalance(case):
    """A = [[0, Y], [Yᵀ, 0]], the balanced equation, for an imbalanced start: must be caught (|λ| ≥ 0.1)."""
    return riccati_gap(**case, lam=0.0)


@control("tarmoun2021:warm-up", title="the warm-up converges at rate 2: x(t) = y + (x₀ − y)e^{−2t}")
@given(case=warm_up_cases())
def test_warm_up_at_rate_two(case):
    """The overparametrized rate's factor 2 planted in the plain flow's closed form."""
    return warm_up_gap(**case, rate=2.0)


@control("tarmoun2021:induced-dynamics", title="Ẋ = (Y − UVᵀ)VVᵀ only (the UUᵀ(Y − UVᵀ) term dropped)")
@given(case=induced_cases())
def test_induced_dynamics_one_sided(case):
    """The right preconditioner alone: what the induced flow would be with U frozen."""
    return induced_dynamics_gap(**case, formula=lambda U, V, Y: (Y - U @ V.T) @ V @ V.T)
