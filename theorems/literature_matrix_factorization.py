"""Matrix factorization in the literature: nuclear norm, its failure, and norms that grow.

* Gunasekar, Woodworth, Bhojanapalli, Neyshabur, Srebro (NeurIPS 2017), *Implicit Regularization in
  Matrix Factorization*: with commuting measurements, GF on UUᵀ from small initialization approaches
  the minimum-nuclear-norm solution (their Theorem 1; in general only conjectured).
* Li, Luo, Lyu (ICLR 2021, arXiv 2012.09839), *Towards Resolving the Implicit Bias of Gradient Descent
  for Matrix Factorization: Greedy Low-Rank Learning*: the conjecture fails for general measurements
  (GF from infinitesimal initialization follows greedy low-rank learning instead).
* Razin & Cohen (NeurIPS 2020), *Implicit Regularization in Deep Learning May Not Be Explainable by
  Norms*: a 2×2 completion problem where depth-N factorization drives every norm to infinity.

These also bear on li2022 (Cor 4.11 and the remark after it citing Li et al.): UUᵀ is not a mirror
flow, so no potential R can describe its implicit bias for all measurement sets.
"""

from __future__ import annotations

import math

from hypothesis import event, given

from generators.schedules import commuting_sensing_cases, deep_completion_cases, general_sensing_cases
from oracles.checks import diagonal_nuclear_check, nonnuclear_gap, norms_grow_check
from theorems import refutation, universal

#: Horizons: long enough for the losses to be small on typical instances; the finite-T statements
#: below hold at every T.
T_GUNASEKAR, T_LI2020, T_RAZIN = 10.0, 30.0, 6.0


@universal(
    "gunasekar2017:diagonal-nuclear",
    title="commuting measurements: GF on UUᵀ from αI ends within (H(v*) − H(v_T))/(2 ln 1/α) of the min nuclear norm",
    source="Gunasekar et al. 2017, Theorem 1 (commuting measurements)",
    fields=("O", "a", "y", "alpha", "P"),
)
@given(case=commuting_sensing_cases())
def test_gunasekar_diagonal_nuclear(case):
    r"""With commuting measurements :math:`A_k = O\,\mathrm{diag}(a_k)O^\top`, gradient flow on
    :math:`\tfrac12\sum_k(\langle A_k, UU^\top\rangle - y_k)^2` from :math:`U_0U_0^\top = \alpha^2I` approaches the
    minimum-nuclear-norm PSD interpolant as α → 0.

    Checkable form, exact at every α < 1 and every T (derivation in
    ``oracles.checks.matrix_sensing.diagonal_nuclear_check``): W(t) stays diagonal in the basis O, its
    eigenvalues are :math:`v = \alpha^2\exp(a^\top\nu)`, which makes v(T) the minimizer of
    :math:`H(v) + 2\ln(1/\alpha)\mathbf 1^\top v` over the interpolants of its own measurements
    :math:`y_T`; hence :math:`\|W_T\|_* - \min\{\|W\|_*: \mathcal A(W) = y_T, W\succeq0\} \le
    (H(v^*) - H(v_T))/(2\ln(1/\alpha))`, which vanishes as α → 0. The minimum is an LP (certified by
    its dual); the flow is the full matrix GF on U (n ≤ 3, r ∈ {n, n+1}, random eigenbasis O and
    rotation of U₀), integrated at rtol 1e-8 and 1e-11. Discrepancy (excess − bound)/minimum,
    signed; budget ten times the tolerance change plus the LP certificate, at least 1e-9.
    """
    O, a, y, alpha, P = case
    event(f"n = {O.shape[0]}, m = {a.shape[0]}")
    event(f"alpha ~ 1e{round(math.log10(alpha))}")
    return diagonal_nuclear_check(O, a, y, alpha, P, T_GUNASEKAR)


@refutation(
    "li2020:nonnuclear",
    title="general measurements: GF on UUᵀ from small init need not approach the min nuclear norm",
    source="Li, Luo, Lyu 2021 (ICLR), §5 and the counterexample to Gunasekar et al.'s conjecture",
    fields=("A", "y", "alpha", "P"),
)
@given(case=general_sensing_cases())
def test_li2020_nonnuclear(case):
    r"""Gunasekar et al.'s conjecture -- GF on :math:`UU^\top` from infinitesimal initialization reaches
    the minimum-nuclear-norm interpolant -- is false for general (non-commuting) measurements.

    Search: 3×3 symmetric sensing with two or three measurements, :math:`U_0 = \alpha P`, GF run to
    T = 30 from α and from α² (both must interpolate, relative residual ≤ 1e-4). The discrepancy is
    the relative nuclear-norm excess at α² over the minimum trace among PSD interpolants of the
    flow's own measurements (an SDP solved in Burer–Monteiro form with a dual certificate); the
    error estimate is the excess's decrease from α to α² (finite-α bias that might vanish in the
    limit; an excess that vanishes like :math:`1/\ln(1/\alpha)`, as in the commuting case, never exceeds
    ten times it) plus the tolerance change and the certificate. A witness is an excess that stays
    put or grows as α is squared: the flow heads for a non-minimal interpolant. The generator starts
    near a known witness (GF ends at a rank-1 interpolant of nuclear norm 1.453; the minimum is 1.0)
    and also draws measurements in general position.
    """
    A, y, alpha, P = case
    event(f"m = {A.shape[0]} measurements")
    return nonnuclear_gap(A, y, alpha, P, T_LI2020)


@universal(
    "razin2020:norms-grow",
    title="2×2 completion, depth 3, det W(0) > 0: |W₀₀| ≥ (|b₀₁|−e)(|b₁₀|−e)/e with e = √(2ℓ), so norms → ∞ as ℓ → 0",
    source="Razin & Cohen 2020, Theorem 1 (matrix completion, depth N ≥ 2)",
    fields=("factors", "observed"),
)
@given(case=deep_completion_cases())
def test_razin2020_norms_grow(case):
    r"""In 2×2 matrix completion with observed :math:`W_{01} = b_{01}`, :math:`W_{10} = b_{10}`
    (:math:`b_{01}b_{10} > 0`), :math:`W_{11} = 0`, gradient flow on a depth-3 factorization
    :math:`W = W_3W_2W_1` initialized with :math:`\det W(0) > 0` drives the unobserved entry, and with it
    every norm, to infinity as the loss goes to zero.

    Finite-time form (``oracles.checks.matrix_sensing.norms_grow_check``): along the flow (i)
    :math:`\det W(t) > 0` -- every interpolant has :math:`\det = -b_{01}b_{10} < 0`, so the flow can only
    approach them at infinity -- and (ii) whenever :math:`e = \sqrt{2\ell(t)} < \min|b|`,
    :math:`|W_{00}(t)| \ge (|b_{01}| - e)(|b_{10}| - e)/e`, a lower bound on the Frobenius, spectral
    and nuclear norms too that tends to infinity with :math:`1/e`. Both are checked at 121 times of
    [0, 6] for balanced initializations :math:`W_j = Q_jSQ_{j-1}^\top` (rotations :math:`Q_j`, scale
    0.2–1) at which the end-to-end analysis of the singular values applies; integrated at rtol 1e-8
    and 1e-11, budget ten times the change, at least 1e-9.
    """
    factors, observed = case
    outcome = norms_grow_check(factors, observed, T_RAZIN)
    event(
        "loss small enough for the growth bound"
        if outcome.details["bound_applies_at"]
        else "loss not yet small: determinant checked only"
    )
    return outcome
