r"""tarmoun2021 / min2021 -- gradient flow on two-layer linear networks.

Tarmoun, França, Haeffele, Vidal (ICML 2021), *Understanding the Dynamics of Gradient Flow in
Overparameterized Linear Models*; Min, Tarmoun, Vidal, Mallada (ICML 2021), *On the Explicit Role of
Initialization on the Convergence and Implicit Bias of Overparametrized Linear Networks*; as
presented in ``papers/mallada-tarmoun-min-linear-networks-slides.md``. The slides' formulas are partly
garbled (docs/catalog.md, P10): every bound below is derived from the scalar case first, and the
derivations live in the docstrings of :mod:`oracles.flows.linear_nets`.

Losses :math:`\ell = \tfrac12\|Y - UV^\top\|_F^2` and :math:`\tfrac12\|Y - XUV^\top\|_F^2`,
:math:`U\in\mathbb R^{m\times k}`, :math:`V\in\mathbb R^{n\times k}`.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, given
from hypothesis import strategies as st

from generators.linear_nets import (
    conservation_cases,
    homogeneous_cases,
    induced_cases,
    orthogonal_cases,
    rate_cases,
    scalar_checks,
    spectral_cases,
    warm_up_cases,
    width_cases,
)
from oracles.checks import (
    conservation_gap,
    induced_dynamics_gap,
    loss_rate_gap,
    min_norm_gap,
    riccati_gap,
    scalar_closed_form_gap,
    scalar_rate_gap,
    spectral_gap,
    warm_up_gap,
    width_rate_gap,
)
from theorems import universal


@universal(
    "tarmoun2021:conservation",
    title="UᵀU − VᵀV is constant along gradient flow (with or without X)",
    source="tarmoun2021 / min2021, slides 'Conservation Law = Hyperbolic Trajectories' and 'From Scalar to Matrix Case'",
)
@given(case=conservation_cases())
def test_conservation(case):
    r"""Along the gradient flow of :math:`\tfrac12\|Y - UV^\top\|_F^2` or :math:`\tfrac12\|Y - XUV^\top\|_F^2`
    the imbalance :math:`\Lambda = U^\top U - V^\top V` is constant.

    Proof: with :math:`R = X^\top(Y - XUV^\top)`, :math:`\dot U = RV`, :math:`\dot V = R^\top U`, and both
    :math:`\tfrac{d}{dt}U^\top U` and :math:`\tfrac{d}{dt}V^\top V` equal :math:`V^\top R^\top U + U^\top RV`
    (the scaling symmetry :math:`U \to UA`, :math:`V \to VA^{-\top}`). Checked on any small sizes,
    k ≥ 1, any X: the drift :math:`\max_t\|\Lambda(t) - \Lambda(0)\|_F/\max_t(\|U\|_F^2 + \|V\|_F^2)` of
    the rtol-1e-11 solve against ten times its change to the rtol-1e-8 solve (at least 1e-9).
    """
    event("regression (with X)" if case["X"] is not None else "matrix factorization")
    return conservation_gap(**case)


@universal(
    "tarmoun2021:scalar",
    title="scalar: u² − v² = λ₀, x = uv solves ẋ = (y − x)√(λ₀² + 4x²) in closed form, rate √(λ₀² + 4y²)",
    source="tarmoun2021 / min2021, slides 'Conservation Law', 'Convergence Rate of Overparametrized GF'",
    fields=("kind", "case"),
)
@given(check=scalar_checks())
def test_scalar(check):
    r"""For :math:`\ell = \tfrac12(y - uv)^2`, :math:`x = uv` obeys :math:`\dot x = (y - x)\sqrt{\lambda_0^2 + 4x^2}`,
    :math:`\lambda_0 = u_0^2 - v_0^2`, whose solution is the closed form of the slide (a constant-coefficient
    Riccati equation in :math:`p = (u+v)^2`), and x converges to y at the rate :math:`\sqrt{\lambda_0^2 + 4y^2}`.

    Two checks against the integrated (u, v) flow, on times up to τ/r: *closed form* --
    :math:`\max_t|x_{ode} - x_{cf}|/|x_{cf} - y|` (relative to the distance to the target, so the tail is
    tested); *rate* -- the separable ODE has the elementary antiderivative
    :math:`\frac1r\ln\frac{\lambda_0^2 + 4yx + r\sqrt{\lambda_0^2+4x^2}}{|y-x|}`, so
    :math:`\ln K(x(t)) - \ln K(x_0) = rt` exactly (and :math:`|x - y| \sim 2r^2e^{-rt}/|K(x_0)|`);
    the gap :math:`\max_t|\ln K(x(t)) - \ln K(x_0) - rt|` is checked. Budgets: ten times the change
    between the rtol-1e-11 and 1e-8 solves of the same quantity, at least 1e-9 and the float64
    conditioning :math:`10^2\epsilon(|x|+|y|)/|x-y|`. Balanced starts (:math:`\lambda_0 = 0`) have
    :math:`u_0v_0` of the sign of y (else x → 0, not y).
    """
    kind, case = check
    event(kind)
    event("balanced (λ0 = 0)" if abs(case["u0"]) == abs(case["v0"]) else "imbalanced")
    if kind == "closed form":
        return scalar_closed_form_gap(**case)
    return scalar_rate_gap(**case)


@universal(
    "tarmoun2021:spectral",
    title="spectral init X₀ = ΦΣ₀Ψᵀ keeps the singular vectors; each σᵢ follows the scalar dynamics",
    source="tarmoun2021 / min2021, slide 'Spectral Initialization'",
)
@given(case=spectral_cases())
def test_spectral(case):
    r"""If :math:`Y = \Phi\Sigma\Psi^\top` and :math:`U_0 = \Phi D_uQ^\top`, :math:`V_0 = \Psi D_vQ^\top`
    (so :math:`U_0V_0^\top = \Phi\Sigma_0\Psi^\top`), then :math:`U(t)V(t)^\top = \Phi\Sigma(t)\Psi^\top` and each
    :math:`\sigma_i(t)` solves :math:`\dot\sigma_i = (\sigma_i(Y) - \sigma_i)\sqrt{\lambda_{0,i}^2 + 4\sigma_i^2}`,
    :math:`\lambda_{0,i} = u_i^2 - v_i^2` -- hence converges at rate :math:`\sqrt{\lambda_{0,i}^2 + 4\sigma_i(Y)^2}`.

    The integrated :math:`U(t)V(t)^\top` is compared with :math:`\Phi\Sigma(t)\Psi^\top` built from the
    scalar closed form (pairs :math:`i < \min(m,n,k)`; other :math:`\sigma_i \equiv 0`), on times up to
    :math:`\tau/\min_i r_i`, relative to :math:`\max(\|Y\|_F, \|W_0\|_F)`. Any k (also k < min(m, n)),
    imbalances of both signs. Budget: ten times the fine-vs-coarse change (rtol 1e-11 vs 1e-8), at
    least 1e-9.
    """
    m, n, k = case["Phi"].shape[0], case["Psi"].shape[0], case["Q"].shape[0]
    event("k < min(m, n)" if k < min(m, n) else "k ≥ min(m, n)")
    return spectral_gap(**case)


@universal(
    "tarmoun2021:riccati",
    title="homogeneous imbalance U₀ᵀU₀ − V₀ᵀV₀ = λI (not spectral): UVᵀ(t) is the Riccati closed form, "
    "rate √(λ² + 4σ_min(Y)²)",
    source="tarmoun2021 / min2021, slide 'Contributions' (Tarmoun '21: homogeneously imbalanced "
    "initializations, closed form via Riccati equations)",
    fields=("U0", "V0", "Y", "tau"),
)
@given(case=homogeneous_cases())
def test_riccati(case):
    r"""If :math:`U_0^\top U_0 - V_0^\top V_0 = \lambda I_k` (kept by the flow), then :math:`Z = [U; V]` obeys
    :math:`\dot Z = AZ - \tfrac12ZZ^\top Z` with :math:`A = [[\tfrac\lambda2I, Y], [Y^\top, -\tfrac\lambda2I]]`, so
    :math:`P = ZZ^\top` solves the Riccati equation :math:`\dot P = AP + PA - P^2`, whose solution is
    :math:`P(t) = e^{At}Z_0(I + Z_0^\top F(t)Z_0)^{-1}Z_0^\top e^{At}`, :math:`F(t) = \int_0^te^{2As}ds`, and
    :math:`U(t)V(t)^\top` is its upper-right block; A's eigenvalues :math:`\pm\tfrac12\sqrt{\lambda^2 + 4\sigma_i(Y)^2}` give
    the rate :math:`\sqrt{\lambda^2 + 4\sigma_{min}(Y)^2}` (derivation in :mod:`oracles.flows.riccati`; the slides
    only name the method).

    Instances (``homogeneous_cases``): any m, n ≤ 3, k ≤ m (λ > 0) or k ≤ n (λ < 0), |λ| in [0.1, 2], V0 (or U0)
    any, the other factor :math:`O(V_0^\top V_0 + \lambda I)^{1/2}` with a drawn O: spectral only when shrunk. The
    integrated :math:`U(t)V(t)^\top` is compared with the closed form (evaluated stably in A's eigenbasis by a
    QR factorization) at 17 times up to τ/rate, τ in [0.5, 6], relative to :math:`\max(\|Y\|_F, \|W_0\|_F)`.
    Budget: ten times the change between the rtol-1e-11 and 1e-8 solves, at least 1e-9.
    """
    U0, V0 = case["U0"], case["V0"]
    event("λ > 0" if np.trace(U0.T @ U0 - V0.T @ V0) > 0 else "λ < 0")
    event("k < min(m, n)" if U0.shape[1] < min(U0.shape[0], V0.shape[0]) else "k = min(m, n)")
    return riccati_gap(**case)


@universal(
    "min2021:rate",
    title="ℓ_t ≤ ℓ₀e^{−αt}; with X, ℓ_t − ℓ* ≤ (ℓ₀ − ℓ*)e^{−αt}; α from imbalance and margin",
    source="min2021 / tarmoun2021, slides 'General Initialization', 'Summary General Initialization', "
    "'Matrix Factorization vs Linear Regression'",
)
@given(case=rate_cases())
def test_rate(case):
    r"""Gradient flow on :math:`\tfrac12\|Y - UV^\top\|_F^2` satisfies :math:`\ell_t \le \ell_0e^{-\alpha t}` and on
    :math:`\tfrac12\|Y - XUV^\top\|_F^2` satisfies :math:`\ell_t - \ell^* \le (\ell_0 - \ell^*)e^{-\alpha t}`, with
    :math:`\alpha = 2\lambda_x(\beta_U + \beta_V)` built from the imbalance :math:`\Lambda_0 = U_0^\top U_0 - V_0^\top V_0`
    and the margin (:math:`\lambda_x = 1` without X, :math:`\lambda_{min}(\Sigma_x)` with X); in the scalar and
    square homogeneous cases :math:`\alpha = 2\lambda_x\sqrt{\mathrm{imb}^2 + 4\,\mathrm{margin}^2}`.

    Derivation (the slides are garbled; proved in :func:`oracles.flows.linear_nets.rate_constant`): the
    scalar loss obeys :math:`\dot\ell = -2\ell(u^2+v^2) = -2\ell\sqrt{\lambda_0^2 + 4(uv)^2}` and
    :math:`|uv| \ge |y| - |y - u_0v_0|` = margin, whence :math:`\alpha = 2\sqrt{\lambda_0^2 + 4M^2}`;
    in the matrix case :math:`\dot\ell \le -2\lambda_x\ell(\lambda_{min}(UU^\top) + \lambda_{min}(VV^\top))`
    and :math:`\lambda_{min}(UU^\top) \ge \beta_U = \tfrac12(\underline\lambda_+ - \bar\lambda_- +
    \sqrt{(\underline\lambda_+ + \bar\lambda_-)^2 + 4M_U^2})` (likewise :math:`\beta_V`), with
    :math:`M_U = \max(\sigma_m(W^*) - \|W_0 - W^*\|, 0)` for m ≤ n, 0 otherwise. The slides'
    :math:`1/\lambda_{max}(\Sigma_x)` factor is not scale-invariant; the instances use
    :math:`\lambda_{max}(\Sigma_x) = 1`, where it is 1 (a control shows the literal factor failing for
    :math:`\lambda_{max} < 1`).

    Instances satisfy the slides' sufficient conditions (generator ``rate_cases``): *sufficient
    imbalance* (:math:`\sigma_{min}(U_0)^2 > \|V_0\|_2^2` with k ≥ m, or the converse), *sufficient
    margin* (:math:`W_0` within :math:`\theta\sigma_{min}(W_0)/(1+\sqrt\kappa)` of :math:`W^*`), and the scalar
    cases where the bound is an equality in the limit (y = 0, :math:`v_0 \to 0`; balanced with margin at
    t = 0). The integrated excess loss is compared with the bound at 32 times up to :math:`6/\alpha`
    (at most 8): discrepancy :math:`\max_t(\ell_t - \ell^* - b_t)/b_t`, budget ten times the change of
    that excess between the rtol-1e-11 and 1e-8 solves, at least 1e-9.
    """
    event("regression (with X)" if case["X"] is not None else "matrix factorization")
    m, n = case["U0"].shape[0], case["V0"].shape[0]
    event("scalar" if m == n == case["U0"].shape[1] == 1 else ("square" if m == n else "rectangular"))
    return loss_rate_gap(**case)


@universal(
    "min2021:min-norm",
    title="orthogonal init + convergence ⇒ UVᵀ → min-norm solution; random N(0, 1/k) init: exponential "
    "convergence and error O(k^-1/2)",
    source="min2021, slides 'Implicit Bias of Overparametrized Gradient Flow', 'Implicit Bias to Min-norm Solution'",
)
@given(case=st.one_of(orthogonal_cases(), width_cases()))
def test_min_norm(case):
    r"""For :math:`\tfrac12\|Y - XUV^\top\|_F^2` with X rank-deficient, :math:`X = W[\Sigma_x^{1/2}\ 0][\Phi_1\ \Phi_2]^\top`,
    :math:`U_1 = \Phi_1^\top U`, :math:`U_2 = \Phi_2^\top U`: if :math:`V(0)U_2(0)^\top = 0`,
    :math:`U_1(0)U_2(0)^\top = 0` and the loss converges to its minimum, :math:`U(t)V(t)^\top \to \Theta^* = X^+Y`
    (the min-norm solution); with :math:`[U(0)]_{ij}, [V(0)]_{ij} \sim \mathcal N(0, 1/k)` the limit's error
    :math:`\|\lim UV^\top - \Theta^*\|_F` is :math:`O(k^{-1/2})`.

    Why: :math:`\dot U = X^\top(\cdot)V` lies in the row space, so :math:`U_2` is constant, and
    :math:`(VU_2^\top, U_1U_2^\top)` obey a linear homogeneous ODE -- zero stays zero, so
    :math:`\Phi_2^\top UV^\top = U_2V^\top = 0` and the limit is the least-squares solution in the row
    space of X. *Orthogonal* instances (with sufficient V-side imbalance, which guarantees convergence
    at rate :math:`\ge 2\lambda^+_{min}(\Sigma_x)\lambda_n(-\Lambda_0)`) are integrated until
    :math:`\ell - \ell^* \le 10^{-14}\lambda^+_{min}\|\Theta^*\|^2`, and
    :math:`\|W_T - \Theta^*\|_F - \sqrt{2(\ell_T - \ell^*)/\lambda^+_{min}}` (what non-convergence cannot
    explain), relative to :math:`\|\Theta^*\|_F`, is held to ten times its fine-vs-coarse change (at least
    1e-9). *Random width* (:func:`oracles.checks.linear_nets.width_rate_gap`), k in {3, 4} against 16k, 16
    initializations each: (i) the rate -- :math:`|\ln(e_{16k}/e_k) - \ln(1/4)|` within six standard errors of the
    log ratio (the draws' spread; the ci draws' z-scores lay in [−2.4, 2.7], the thorough profile's targeted search
    found a seed at 5.0, hence 6) plus ten times its fine-vs-coarse change; (ii) the exponential convergence -- every draw at width 16k whose initialization gives min2021's
    rate :math:`\alpha_j > 0` (all of them at ci) satisfies :math:`\ell_t - \ell^* \le (\ell_0 - \ell^*)e^{-\alpha_jt}` at 5
    times up to :math:`\min(6/\min_j\alpha_j, 8)`. Until issue 23 the random width was checked only in its
    weakest form (the error does not grow from k to 16k); the budget of (i) is statistical, not numerical,
    because the claim is about a distribution.
    """
    if "seed" in case:
        event("random N(0, 1/k) init: exponential convergence, error ratio 1/4 from k to 16k")
        return width_rate_gap(**case)
    event("orthogonal init")
    return min_norm_gap(**case)


@universal(
    "tarmoun2021:warm-up",
    title="no parametrization: gradient flow on ½‖y − x‖² is x(t) = y + (x₀ − y)e^{−t}",
    source="tarmoun2021 / min2021, slide 'Warm-up: Scalar Case' (the baseline without overparametrization)",
)
@given(case=warm_up_cases())
def test_warm_up(case):
    r"""Without a parametrization, gradient flow on :math:`\ell = \tfrac12\|y - x\|^2` is
    :math:`x(t) = y + (x_0 - y)e^{-t}`: exponential convergence at rate 1, whatever the start (the baseline the
    slides compare the overparametrized rate :math:`\sqrt{\lambda_0^2 + 4y^2}` with).

    The flow is integrated (G the identity) at rtol 1e-11 and 1e-8 on times up to ``t_max``; the discrepancy is
    :math:`\max_t\|x(t) - x_{cf}(t)\|/\|x_0 - y\|`, the budget ten times its change between the two solves
    (at least 1e-9).
    """
    return warm_up_gap(**case)


@universal(
    "tarmoun2021:induced-dynamics",
    title="matrix case: X = UVᵀ moves by Ẋ = (Y − UVᵀ)VVᵀ + UUᵀ(Y − UVᵀ)",
    source="tarmoun2021 / min2021, slide 'From Scalar to Matrix Case' (the induced dynamics on X)",
)
@given(case=induced_cases())
def test_induced_dynamics(case):
    r"""Under the gradient flow of :math:`\ell = \tfrac12\|Y - UV^\top\|_F^2`, the product :math:`X = UV^\top`
    obeys :math:`\dot X = (Y - UV^\top)VV^\top + UU^\top(Y - UV^\top)`, a flow on X preconditioned by
    :math:`VV^\top` on the right and :math:`UU^\top` on the left.

    The chain rule on the (U, V) gradient field (:math:`\dot X = \dot UV^\top + U\dot V^\top`) against the
    slide's formula, at identity-like factors of any small sizes; relative to
    :math:`\|Y - UV^\top\|_F(\|U\|_F^2 + \|V\|_F^2)`, within the closed-form budget 1e-9 (both sides are a few
    products: their rounding is far below it).
    """
    return induced_dynamics_gap(**case)
