"""Negative controls for the implicit-bias statements (li2022 §3.3, §4.2, §4.3; lecture notes).

Each control plants a false variant of a statement and runs it through the *same* oracle and the same
kind of examples; it passes when the harness falsifies it within the ``ci`` budget. Statement IDs
covered here: li2022:thm-3.8, li2022:thm-4.13, li2022:cor-4.14, li2022:thm-4.15d, li2022:thm-4.16,
li2022:cor-4.17, li2022:identity, notes:lemma-1, notes:sq-equivalence, notes:lemma-2, notes:key-lemma,
notes:main, notes:soudry-max-margin.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from generators.arrays import positive_vectors
from generators.notes import (
    classification_cases,
    key_lemma_cases,
    least_squares_data,
    md_step_cases,
    sparse_cases,
    sq_cases,
)
from generators.parametrizations import inits
from generators.regression import data_matrices
from oracles.checks.limits import (
    gf_limit_minimizes,
    gf_limit_stationarity,
    gf_limit_vs_projection,
    max_margin_alignment,
    mf_limit_vs_projection,
    quadratic_gf_convergence,
    small_init_l1_gap,
    squared_param_vs_mirror,
)
from oracles.convex.mirror_descent import md_limit_vs_projection, step_identity_gap
from oracles.flows.legendre import potential_of
from oracles.model.losses import LeastSquares, SaturatingSquares
from oracles.model.parametrizations import Identity, Powers, UVSquared
from oracles.model.potentials import EuclideanPotential
from theorems import control
from theorems.li2022_s3_3_mirror import LOSSES, mirror_cases
from theorems.li2022_s4_2_convergence import commuting_quadratic_cases
from theorems.li2022_s4_3_regression import commuting_regression_cases, identity_cases, uv_cases, uv_limit_vs
from theorems.notes_implicit_regularization import MAIN_ALPHAS


# ----------------------------------------------------------------------------------------- li2022 §3.3
@control(
    "li2022:thm-3.8",
    title="Euclidean projection in place of the Bregman projection of R",
    source="li2022 §3.3, Theorem 3.8",
    fields=("R", "Z", "Y", "w_init", "loss"),
)
@given(case=mirror_cases(kinds=("entropy", "hypentropy", "power")))
def test_control_thm_3_8_wrong_divergence(case):
    """The mirror-flow limit compared with the ℓ2-nearest interpolant of w0 (the projection in the wrong
    divergence) for non-Euclidean R: must be caught."""
    R, Z, Y, w_init, loss = case
    return mf_limit_vs_projection(R, LOSSES[loss](Z, Y), w_init, reference="l2")


# ----------------------------------------------------------------------------------------- li2022 §4.2
@st.composite
def outside_cone_cases(draw):
    """x⊙2 with data whose least-squares solutions are not all nonnegative: Y = Z(w₊ − 3e₁)."""
    Z = draw(data_matrices(max_n=2, max_extra=2))
    d = Z.shape[1]
    w = draw(positive_vectors(d, 0.3, 2.0))
    w[0] -= 3.0
    return draw(inits(Powers(2.0, d))), Z, Z @ w


@control(
    "li2022:thm-4.13",
    title="∇L(w*) = 0 on dom R = ℝ≥0^d (boundary limits ignored)",
    source="li2022 §4.2, Theorem 4.13",
    fields=("x", "Z", "Y"),
)
@given(case=outside_cone_cases())
def test_control_thm_4_13_unconstrained(case):
    """For x⊙2 the limit satisfies the variational inequality on ℝ≥0^d, not ∇L = 0: claiming the
    unconstrained stationarity condition must be caught when the data push w out of the orthant."""
    x, Z, Y = case
    return gf_limit_stationarity(Powers(2.0, Z.shape[1]), SaturatingSquares(Z, Y), x, constrained=False)


@control(
    "li2022:cor-4.14",
    title="x⊙2 (Ω_w ≠ ℝ^d) also reaches a minimizer of the convex loss",
    source="li2022 §4.2, Corollary 4.14",
    fields=("x", "Z", "Y"),
)
@given(case=outside_cone_cases())
def test_control_cor_4_14_reachable_set(case):
    """Without Ω_w = ℝ^d the corollary's conclusion fails: the x⊙2 flow stops on the boundary of the
    orthant, above min L, when the least-squares solutions are not nonnegative."""
    x, Z, Y = case
    return gf_limit_minimizes(Powers(2.0, Z.shape[1]), LeastSquares(Z, Y), x)


@control(
    "li2022:thm-4.15d",
    title="ℓ2 projection in place of the Lemma 4.7 R-projection",
    source="li2022 §4.2, Theorem 4.15(d)",
    fields=("G", "x", "Z", "Y"),
)
@given(case=commuting_quadratic_cases())
def test_control_thm_4_15d_l2(case):
    """The commuting-quadratic GF limit compared with the ℓ2-nearest interpolant of w0: must be caught."""
    G, x, Z, Y = case
    return quadratic_gf_convergence(G, Z, Y, x, reference="l2")


# ----------------------------------------------------------------------------------------- li2022 §4.3
@control(
    "li2022:thm-4.16",
    title="R of another initialization (2·x_init) in place of Lemma 4.7's R",
    source="li2022 §4.3, Theorem 4.16",
    fields=("G", "x", "Z", "Y", "loss"),
)
@given(case=commuting_regression_cases().filter(lambda c: isinstance(c[0], (Powers, UVSquared))))
def test_control_thm_4_16_other_init(case):
    """R depends on x_init (Lemma 4.7): projecting w0 in the divergence of the R built at 2·x_init must be caught."""
    G, x, Z, Y, loss = case
    from theorems.li2022_s4_3_regression import LOSSES as L43

    return gf_limit_vs_projection(G, L43[loss](Z, Y), x, R=potential_of(G, 2.0 * x))


@control(
    "li2022:cor-4.17",
    title="ℓ2 projection in place of the arcsinh R at moderate scale",
    source="li2022 §4.3, Corollary 4.17",
    fields=("u0", "v0", "Z", "Y", "loss"),
)
@given(case=uv_cases(lo=0.1, hi=1.0))
def test_control_cor_4_17_l2(case):
    """At initialization scales 0.1–1 the GF limit is neither the ℓ2 nor the ℓ1 interpolant: the ℓ2 one must be caught."""
    u0, v0, Z, Y, loss = case
    return uv_limit_vs(u0, v0, Z, Y, loss, "l2")


@control(
    "li2022:cor-4.17",
    title="ℓ1 projection in place of the arcsinh R at moderate scale",
    source="li2022 §4.3, Corollary 4.17",
    fields=("u0", "v0", "Z", "Y", "loss"),
)
@given(case=uv_cases(lo=0.1, hi=1.0))
def test_control_cor_4_17_l1(case):
    """The ℓ1-nearest interpolant of w0 at moderate scale must be caught."""
    u0, v0, Z, Y, loss = case
    return uv_limit_vs(u0, v0, Z, Y, loss, "l1")


@control(
    "li2022:identity",
    title="the interpolant nearest 0 in place of the one nearest x_init",
    source="li2022 §4.3, remark after Theorem 4.16",
    fields=("x", "Z", "Y", "loss"),
)
@given(case=identity_cases())
def test_control_identity_origin(case):
    """From x_init ≠ 0 the limit is the interpolant nearest x_init, not the minimum-norm one."""
    x, Z, Y, loss = case
    from theorems.li2022_s4_3_regression import LOSSES as L43

    return gf_limit_vs_projection(Identity(Z.shape[1]), L43[loss](Z, Y), x, reference="l2-origin")


# ----------------------------------------------------------------------------------------- notes
@control(
    "notes:lemma-1",
    title="GF from 0 converges to the min-ℓ1 (basis pursuit) interpolant",
    source="notes, Lemma 1",
    fields=("A", "b"),
)
@given(data=least_squares_data())
def test_control_lemma_1_l1(data):
    """GF on plain least squares has the ℓ2 bias, not the ℓ1 one."""
    A, b = data
    return gf_limit_vs_projection(Identity(A.shape[1]), LeastSquares(A, b), np.zeros(A.shape[1]), reference="l1")


@control(
    "notes:sq-equivalence",
    title="the notes' unscaled φ = Σ x ln x − x (missing factor 1/4)",
    source="notes, 'Back to Reparameterization'",
    fields=("A", "b", "y0", "T"),
)
@given(case=sq_cases())
def test_control_sq_equivalence_scale(case):
    """ẋ = −4D_xAᵀ(Ax − b) is the mirror flow of ¼Σ(x ln x − x); with the unscaled φ the flow is 4× slower."""
    A, b, y0, T = case
    return squared_param_vs_mirror(A, b, y0, T, phi_scale=1.0)


@control(
    "notes:lemma-2",
    title="Hessian step x − η∇²φ(x_t)⁻¹∇f(x_t) in place of the dual step",
    source="notes, Mirror Descent, Lemma 2",
    fields=("phi", "A", "b", "x", "eta", "loss"),
)
@given(case=md_step_cases().filter(lambda c: not isinstance(c[0], EuclideanPotential)))
def test_control_lemma_2_hessian_step(case):
    """The first-order (natural-gradient) step the notes use on the way to the flow is not the MD step."""
    phi, A, b, x, eta, loss = case
    from theorems.notes_implicit_regularization import LOSSES as LN

    return step_identity_gap(phi, LN[loss](A, b), x, eta, variant="hessian")


@control(
    "notes:lemma-2",
    title="Euclidean gradient step x − η∇f(x_t) in place of the dual step",
    source="notes, Mirror Descent, Lemma 2",
    fields=("phi", "A", "b", "x", "eta", "loss"),
)
@given(case=md_step_cases().filter(lambda c: not isinstance(c[0], EuclideanPotential)))
def test_control_lemma_2_gradient_step(case):
    """For non-Euclidean φ the MD step is not the gradient step."""
    phi, A, b, x, eta, loss = case
    from theorems.notes_implicit_regularization import LOSSES as LN

    return step_identity_gap(phi, LN[loss](A, b), x, eta, variant="gradient")


@control(
    "notes:key-lemma",
    title="Euclidean projection of x_1 in place of the Bregman projection",
    source="notes, Mirror Descent, Key Lemma",
    fields=("phi", "A", "b", "x1", "c"),
)
@given(case=key_lemma_cases().filter(lambda c: not isinstance(c[0], EuclideanPotential)))
def test_control_key_lemma_euclidean(case):
    """Mirror descent with a non-Euclidean φ does not end at the ℓ2-nearest interpolant of x_1."""
    phi, A, b, x1, c = case
    return md_limit_vs_projection(phi, A, b, x1, step_scale=c, target="euclidean")


@control("notes:main", title="α → 0 gives the min-ℓ2 solution", source="notes, Main Theorem", fields=("A", "b"))
@given(case=sparse_cases())
def test_control_main_l2(case):
    """The small-initialization limit is nonnegative basis pursuit, not the minimum-norm interpolant."""
    A, b = case
    return small_init_l1_gap(A, b, MAIN_ALPHAS, target="l2", cross_check=False)


@control(
    "notes:soudry-max-margin",
    title="least-squares direction (min-norm solution of y_i x_iᵀa = 1) in place of the SVM",
    source="notes, Further Results (Soudry et al. 2018)",
    fields=("X", "y", "a0"),
)
@given(case=classification_cases())
def test_control_soudry_least_squares(case):
    """GF on the exponential loss aligns with the max-margin direction, not the least-squares one."""
    X, y, a0 = case
    return max_margin_alignment(X, y, a0, target="least-squares")
