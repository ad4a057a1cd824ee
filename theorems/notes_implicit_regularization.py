r"""Lecture notes "Implicit Regularization" (Gunasekar et al. 2018, Woodworth et al. 2020, Soudry et al. 2018).

Statements: Lemma 1 (GF from 0 finds the min-ℓ2 interpolant), the squared reparametrization as a mirror
flow, Lemma 2 (the MD step identity), the Key Lemma (MD ends at the Bregman projection of its start), the
Main Theorem (y(0) = α1, α → 0 gives nonnegative basis pursuit) and Soudry et al.'s max-margin theorem; and
(issue 23) the Main Theorem on the integrated flow down to α = 5e-5, Soudry's rate (a(t) − ŵ log t converges),
D_φ's local quadratic form (with its ½), the preconditioned mirror step and its flow limit, basis pursuit's
recovery with CRPW's constant, and Kawaguchi's bad saddles and absence of spurious local minima.

Constants in the notes. For :math:`\hat\ell(y) = \tfrac12\|A(y\odot y) - b\|^2`,
:math:`\dot y = -2D_yA^\top(Ax - b)` and :math:`\dot x = 2D_y\dot y = -4D_xA^\top(Ax - b)`. The mirror flow of
:math:`\phi` is :math:`\dot x = -\nabla^2\phi(x)^{-1}A^\top(Ax - b)`, and for :math:`\phi = \sum x\ln x - x`,
:math:`\nabla^2\phi^{-1} = D_x`: the notes' "(∇²φ)⁻¹ = 4D_x" holds for :math:`\phi = \tfrac14\sum(x\ln x - x)`,
or for the notes' φ with time run four times faster. The limit point is the same either way (the
Bregman projection does not change when φ is scaled), which is why the Main Theorem is unaffected.
The Main Theorem's proof also writes :math:`D_\phi(x, \alpha\mathbf 1)` although :math:`x(0) = y(0)^{\odot2} = \alpha^2\mathbf 1`;
the suite uses :math:`\alpha^2`.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, example, given

from generators.linear_nets import kawaguchi_cases, kawaguchi_minimum_cases
from generators.notes import (
    classification_cases,
    generic_classification_cases,
    key_lemma_cases,
    least_squares_data,
    md_step_cases,
    positive_sparse_cases,
    preconditioned_cases,
    quadratic_form_cases,
    recovery_cases,
    sparse_cases,
    sq_cases,
)
from oracles import Identity, LeastSquares, LogCosh
from oracles.checks import (
    bregman_quadratic_form_gap,
    flat_saddle_gap,
    gf_limit_vs_projection,
    local_minimum_gap,
    max_margin_alignment,
    md_limit_vs_projection,
    preconditioned_flow_limit_gap,
    preconditioned_step_gap,
    recovery_rate_gap,
    small_alpha_flow_gap,
    small_init_l1_gap,
    soudry_offset_gap,
    squared_param_vs_mirror,
    step_identity_gap,
)
from theorems import universal

LOSSES = {"least-squares": LeastSquares, "log-cosh": LogCosh}
#: The decreasing initialization scales of the Main Theorem's check: 0.5, 0.05, ..., 5e-6 (x(0) = α² down to 2.5e-11).
MAIN_ALPHAS = 0.5 * 10.0 ** -np.arange(6)
#: The scales at which the flow itself is integrated (notes:main-flow): 0.5, 0.05, ..., 5e-5 (x(0) down to 2.5e-9).
FLOW_ALPHAS = 0.5 * 10.0 ** -np.arange(5)
_NOTES_MAIN_A = np.array(
    [
        [-1.3079588714642254, 1.4033491992179685e-05, 1.4987179998708877],
        [-1.498717999903587, 9.537677118067215e-07, -1.3079588715016939],
    ]
)


@universal(
    "notes:lemma-1",
    title="GF on ½‖Ax − b‖² from 0 converges to the min-ℓ2 interpolant",
    source="notes, Lemma 1",
    fields=("A", "b"),
)
@given(data=least_squares_data())
def test_lemma_1(data):
    r"""For :math:`\ell(x) = \tfrac12\|Ax - b\|^2` with A of size n × m, n < m, the gradient flow from :math:`x(0) = 0`
    converges to :math:`\arg\min\{\|x\|_2 : Ax = b\}`.

    The flow is the exact solution (eigendecomposition of :math:`A^\top A`) evaluated on doubling horizons until
    it changes by less than 1e-14; the reference is ``lstsq`` (SVD). Budget: ten times the change over the last
    doubling plus :math:`10\varepsilon\kappa(A)^2` and the least-squares error, at least 1e-9.
    """
    A, b = data
    return gf_limit_vs_projection(Identity(A.shape[1]), LeastSquares(A, b), np.zeros(A.shape[1]), reference="l2")


@universal(
    "notes:bp-recovery",
    title="basis pursuit recovers a k-sparse x ∈ ℝⁿ from m Gaussian measurements with m/√(m+1) ≥ "
    "√(2k ln(n/k) + 5k/4) + 3, except with probability ≤ e^{-9/2}",
    source="notes, Side remark ('can recover a k-sparse n-dimensional x from O(k log(n/k)) random linear "
    "measurements'), with the constant of Chandrasekaran, Recht, Parrilo, Willsky 2012 (Cor. 3.3, Prop. 3.10)",
    fields=("n", "k", "seed"),
)
@given(case=recovery_cases())
def test_bp_recovery(case):
    r"""For A with i.i.d. N(0, 1) entries and a k-sparse x, basis pursuit :math:`\min\|z\|_1` s.t. :math:`Az = Ax` returns x
    with probability at least :math:`1 - \exp(-\tfrac12(m/\sqrt{m+1} - w)^2)` when :math:`m \ge w^2 + 1`,
    :math:`w^2 \le 2k\ln(n/k) + \tfrac54k` (CRPW 2012): the notes' O(k log(n/k)) with constant 2. At the least m with
    :math:`m/\sqrt{m+1} \ge w + 3` the failure probability is at most :math:`p_0 \le e^{-4.5} \approx 0.011`.

    A campaign over cells (n, k), n in [40, 120] and every k whose guaranteed m stays below n (k ≤ 9): per
    example 16 independent draws of A and x (random support, N(0, 1) values), BP by HiGHS, a failure being a feasible
    :math:`\hat x \ne x` with :math:`\|\hat x\|_1 \le \|x\|_1` (a witness that x is not the unique minimizer). Discrepancy:
    the failure share; budget: the largest share the guarantee allows at a one-sided binomial tail of 1e-6
    (statistical: the claim is a probability; with 16 draws, 4 failures are allowed). A draw is first decided by
    Fuchs' dual certificate (the least-norm y with :math:`A_S^\top y = \mathrm{sign}(x_S)` has :math:`|A_j^\top y| < 1` off
    the support: x is then the unique minimizer), else by the LP. The report plots the worst cell's phase
    transition (success rate against m, with the guarantee).
    """
    n, k, seed = case
    event(f"k = {k}")
    return recovery_rate_gap(n, k, seed, trials=16)


@universal(
    "notes:sq-equivalence",
    title="x = y⊙y under GF on ½‖A(y⊙y) − b‖² is the mirror flow of φ = ¼Σ(x ln x − x)",
    source="notes, 'Back to Reparameterization' (sq-param GF ⇔ MD with entropy)",
    fields=("A", "b", "y0", "T"),
)
@given(case=sq_cases())
def test_sq_equivalence(case):
    r"""With :math:`x = y\odot y`, the gradient flow :math:`\dot y = -\nabla\hat\ell(y)` on
    :math:`\hat\ell(y) = \tfrac12\|A\,\mathrm{sq}(y) - b\|^2` gives :math:`\dot x = -4D_xA^\top(Ax - b)`, which is the
    mirror flow :math:`\dot x = -\nabla^2\phi(x)^{-1}\nabla f(x)` of the entropy; exactly so for
    :math:`\phi = \tfrac14\sum_i(x_i\ln x_i - x_i)` (the notes' :math:`\sum x\ln x - x` needs time scaled by 4).

    Both flows are integrated from :math:`y_0 > 0` (resp. :math:`x_0 = y_0^{\odot2}`) for a time T in [0.1, 3] --
    GF in y by :func:`oracles.flows.gradient_flow`, the mirror flow in its dual coordinates by
    :func:`oracles.flows.mirror_flow` -- and compared at 8 times. Budget: ten times the rtol 1e-8 vs 1e-11
    change of both integrations, at least 1e-9.
    """
    A, b, y0, T = case
    return squared_param_vs_mirror(A, b, y0, T, phi_scale=0.25)


@universal(
    "notes:lemma-2",
    title="the MD argmin step satisfies ∇φ(x_{t+1}) = ∇φ(x_t) − η∇f(x_t)",
    source="notes, Mirror Descent, Lemma 2",
    fields=("phi", "A", "b", "x", "eta", "loss"),
)
@given(case=md_step_cases())
def test_lemma_2(case):
    r"""The iterates of mirror descent, :math:`x_{t+1} = \arg\min_x f(x_t) + \langle\nabla f(x_t), x - x_t\rangle +
    \tfrac1\eta D_\phi(x, x_t)`, satisfy :math:`\nabla\phi(x_{t+1}) - \nabla\phi(x_t) = -\eta\nabla f(x_t)`.

    φ is the entropy (the notes' :math:`\sum x\ln x - x` or its quarter), ½‖x − x_0‖², the arcsinh potential, or
    :math:`\sum|x_i|^p/p` (p = 3, 1.5); f is least squares or log-cosh; η log-uniform in [0.01, 1]. The argmin is
    computed by ``scipy.optimize.minimize`` (trust-exact, exact Hessian), the identity in closed form through
    :math:`(\nabla\phi)^{-1}`. Budget: ten times the argmin's Newton-step error plus the rounding of the dual
    step, at least 1e-9.
    """
    phi, A, b, x, eta, loss = case
    event(phi.name)
    return step_identity_gap(phi, LOSSES[loss](A, b), x, eta)


@universal(
    "notes:bregman-local-quadratic",
    title="D_φ(x, z) = ½(x − z)ᵀ∇²φ(y)(x − z) for some y on [z, x] (the notes drop the ½)",
    source="notes, Mirror Descent ('Think of it as locally quadratic'; again in 'Back to Reparameterization')",
    fields=("phi", "x", "z"),
)
@given(case=quadratic_form_cases())
def test_bregman_local_quadratic(case):
    r"""The Bregman divergence is locally quadratic: :math:`D_\phi(x, z) = \tfrac12(x - z)^\top\nabla^2\phi(y)(x - z)` for some
    y on the segment [z, x] ("you can make this precise via remainder formulas for the Taylor expansion"). The notes
    write it without the ½, which is false already for :math:`\phi = \tfrac12\|x\|^2` (D = ½‖x − z‖²).

    Checked (:func:`oracles.convex.quadratic_mirror.bregman_quadratic_form_gap`) as the exact integral remainder
    :math:`D_\phi(x, z) = \int_0^1(1 - s)h(s)ds`, :math:`h(s) = (x - z)^\top\nabla^2\phi(z + s(x - z))(x - z)` (closed-form
    D against ``quad``), which gives the claim by the mean value theorem for integrals, and as the bracket
    :math:`\tfrac12h_{lo} \le D_\phi \le \tfrac12h_{hi}` with certified bounds of h on [0, 1] (φ_i'' is monotone in |w| for
    the entropy, ½‖x − x₀‖², the arcsinh potential and Σ|x|^p/p, p = 3 or 1.5). Budget: ten times quad's error
    estimate plus the rounding of D's terms, at least 1e-9.
    """
    phi, x, z = case
    event(phi.name)
    return bregman_quadratic_form_gap(phi, x, z)


@universal(
    "notes:preconditioned-step",
    title="D = ½(x − z)ᵀK(x − z): the MD step is x_{t+1} = x_t − ηK⁻¹∇f(x_t), and as η → 0 the iterates follow "
    "ẋ = −K⁻¹∇f(x) at first order",
    source="notes, 'Back to Reparameterization' (the quadratic D_φ with a p.d. K; the step size to zero)",
    fields=("kind", "K", "A", "b", "loss", "x", "h"),
)
@given(case=preconditioned_cases())
def test_preconditioned_step(case):
    r"""With :math:`D_\phi(x, z) = \tfrac12(x - z)^\top K(x - z)`, K ≻ 0, mirror descent's step
    :math:`\arg\min_x f(x_t) + \langle\nabla f(x_t), x - x_t\rangle + \tfrac1\eta D(x, x_t)` is
    :math:`x_{t+1} = x_t - \eta K^{-1}\nabla f(x_t)`; as the step size goes to 0 the iterates follow
    :math:`\dot x = -K^{-1}\nabla f(x)` (the notes' :math:`-(\nabla^2\phi)^{-1}\nabla f` for this φ).

    Two kinds of example. *step*: the argmin by ``scipy.optimize.minimize`` (trust-exact) against the closed form,
    η log-uniform in [0.01, 1]; budget ten times the argmin's remaining Newton step plus :math:`10\varepsilon\kappa(K)`.
    *flow limit*: N = 64, 128, 256, 512 steps of size η = T/N, T in [0.2, 2], against the flow at T (DOP853, two
    tolerances): the error must halve with N, :math:`|e_{512}/e_{256} - \tfrac12|` held to ten times the drift of that
    ratio from :math:`e_{256}/e_{128}` (its O(1/N) term) plus the flow's error over :math:`e_{512}`. f is least squares or
    log-cosh on n × d data; K = Q diag(s) Qᵀ, s in [0.3, 3].
    """
    kind, K, A, b, loss, x, h = case
    event(kind)
    f = LOSSES[loss](A, b)
    if kind == "step":
        return preconditioned_step_gap(K, f, x, h)
    return preconditioned_flow_limit_gap(K, f, x, h)


@universal(
    "notes:key-lemma",
    title="mirror descent that converges on ½‖Ax − b‖² ends at argmin_{Ax=b} D_φ(x, x_1)",
    source="notes, Mirror Descent, Key Lemma",
    fields=("phi", "A", "b", "x1", "c"),
)
@given(case=key_lemma_cases())
def test_key_lemma(case):
    r"""For :math:`f(x) = \tfrac12\|Ax - b\|^2`, mirror descent from :math:`x_1` with step sizes for which it converges to a
    minimizer of f satisfies :math:`x_t \to \arg\min_{Ax=b}D_\phi(x, x_1)` (for the entropy: the KL projection).

    Steps (variable, as the notes allow): Barzilai--Borwein steps on the dual function with a nonmonotone line search
    (:func:`oracles.convex.mirror_descent.mirror_descent`), the first one :math:`c/\lambda_{max}(A\nabla^2\phi(x_1)^{-1}A^\top)`
    with c in [0.2, 1]; the run stops when :math:`\|Ax_t - b\| \le 10^{-13}\max(\|b\|, \|A\|_F\|x_t\|)`. The reference
    is the dual-Newton Bregman projection. Budget: ten times (the run's remaining Newton step + accumulated rounding + the
    projection's error), at least 1e-9.
    """
    phi, A, b, x1, c = case
    event(phi.name)
    return md_limit_vs_projection(phi, A, b, x1, step_scale=c)


@universal(
    "notes:main",
    title="y(0) = α1, α → 0: the limit of y⊙y tends to argmin{‖x‖₁ : Ax = b, x ≥ 0}",
    source="notes, Main Theorem (and Lemma 3)",
    fields=("A", "b"),
)
@given(case=sparse_cases())
# found by the thorough profile (issue 4): {x >= 0 : Ax = b} is the single point e_0, so the KL projection does
# not exist in the open orthant; the dual Newton method stalled at a residual of 1e-11 with x_1 ~ 1e-6 wrong
@example(case=(_NOTES_MAIN_A, _NOTES_MAIN_A[:, 0].copy()))
# found while fixing it: entries of 1e-7 below HiGHS's default tolerance decided which coordinates can be positive
@example(
    case=(
        np.array(
            [
                [1.9999999999999967, -9.867582526905478e-08, -5.232180026711206e-08],
                [-4.9337912634527396e-08, -0.5610929277048999, -0.8277528172585952],
            ]
        ),
        np.array([-1.6518461982476871e-07, -0.9392768866800293]),
    )
)
def test_main(case):
    r"""With :math:`y(0) = \alpha\mathbf 1` and :math:`x(t) = y(t)^{\odot2}` converging to a zero-error :math:`x^*(\alpha)`,
    :math:`x^*(\alpha) \to \arg\min\{\|x\|_1 : Ax = b,\ x \ge 0\}` as :math:`\alpha \to 0`.

    Encoded quantitatively along :math:`\alpha = 0.5\cdot10^{-k}`, k = 0..5 (:math:`x(0) = \alpha^2` down to 2.5e-11):
    with :math:`x_{LP}` the LP solution (HiGHS, refined and certified optimal to rounding), :math:`H(x) = \sum x\ln x` and :math:`c_\alpha = \ln\alpha^{-2} - 1`,
    the relative ℓ1 gap :math:`g_\alpha = \|x^*(\alpha)\|_1/\|x_{LP}\|_1 - 1` must satisfy
    :math:`0 \le g_\alpha \le (H(x_{LP}) - H(x^*(\alpha)))/(c_\alpha\|x_{LP}\|_1)` and be nonincreasing as α decreases.
    Both follow from :math:`x^*(\alpha) = \arg\min_{Ax=b,x\ge0}H(x) + c_\alpha\|x\|_1` (the KL projection of
    :math:`\alpha^2\mathbf 1`), and the bound goes to 0, so the gap does. :math:`x^*(\alpha)` is that projection
    (log-domain dual Newton, stable down to :math:`x(0) = 2.5\cdot10^{-11}`). When no interpolant is strictly
    positive the limit lies on a face of :math:`\{x \ge 0 : Ax = b\}` (the I-projection): the face is found by LP
    and its zero coordinates certified (Farkas), and the projection is taken on the face (the LPs are skipped when
    the projection at α = 0.5 is certifiably positive). At α = 0.5 it is also checked against the actual gradient
    flow limit in y (recorded as not made when the flow has not settled; not run on a proper face, where it
    converges sublinearly). Discrepancy: the largest violation (0 when all hold)
    or the GF cross-check gap. Budget: ten times the projection's certified error
    (:mod:`oracles.convex.projection_error`), the LP's and the entropy evaluation's, at least 1e-9. Events: whether a
    strictly positive interpolant exists. The report plot shows the gap and its bound against α.
    """
    A, b = case
    out = small_init_l1_gap(A, b, MAIN_ALPHAS, target="l1")
    k, d = out.details["support_size"], out.details["d"]
    event(
        "strictly positive interpolant"
        if k == d
        else ("feasible set on one coordinate" if k == 1 else "limit on a proper face")
    )
    return out


@universal(
    "notes:soudry-max-margin",
    title="GD/GF on the exponential loss over separable data: a(t)/‖a(t)‖ → the max-margin direction",
    source="notes, Further Results (Soudry, Hoffer, Nacson, Gunasekar, Srebro 2018)",
    fields=("X", "y", "a0"),
)
@given(case=classification_cases())
def test_soudry(case):
    r"""For linearly separable data and :math:`\ell(a) = \sum_i e^{-y_ia^\top x_i}`, the gradient flow satisfies
    :math:`a(t)/\|a(t)\| \to a^*`, the max-margin direction (the notes add :math:`a(t) \sim a^*\log t + O(\log\log t)`).

    What is encoded, and why. The asymptotic rate (angle ~ C/log t) holds for generic data but with constants
    and transients that are not computable in advance: on data of this generator the angle can *increase* for
    several decades of t before it decreases (measured: from 0.054 at t = 10 to 0.093 at t = 1e5), and
    angle·log t is still drifting at t = 1e12. So the check is a finite-time bound that follows from the
    flow itself. With :math:`z_i = y_ix_i`, :math:`\gamma^\star` the max margin, :math:`\hat a` the SVM direction
    (:math:`\hat w = \sum\alpha_iz_i`, :math:`\sum\alpha_i = \|\hat w\|^2`):

    * :math:`\|\nabla\ell\| \ge \langle-\nabla\ell, \hat a\rangle \ge \gamma^\star\ell`, so along the flow
      :math:`d(-\ln\ell) = \|\nabla\ell\|^2/\ell\,dt \ge \gamma^\star\|\nabla\ell\|dt \ge \gamma^\star d\|a\|`, hence
      :math:`-\ln\ell(a(t)) \ge -\ln\ell(a_0) + \gamma^\star(\|a(t)\| - \|a_0\|)`;
    * :math:`\ell(a) \ge e^{-\gamma(u)\|a\|}` for the margin :math:`\gamma(u) = \min_iz_i^\top u` of :math:`u = a/\|a\|`,
      and :math:`\langle u, \hat w\rangle \ge \|\hat w\|^2\gamma(u)`, i.e. :math:`\cos\angle(u, \hat a) \ge \gamma(u)/\gamma^\star`;
    * together: :math:`\cos\angle(a(t), \hat a) \ge 1 - c_0/\|a(t)\|` with :math:`c_0 = \|a_0\| + \ln\ell(a_0)/\gamma^\star`;
      and :math:`d(1/\ell)/dt \ge \gamma^{\star2}` gives :math:`\|a(t)\| \ge \ln(1/\ell(a_0) + \gamma^{\star2}t)/\max_i\|z_i\|`.

    Both inequalities are checked at :math:`t = 10^k`, k = 0..100 (log-time integration, LSODA, two
    tolerances); they force the angle to 0 (like :math:`1/\sqrt{\log t}`), which is the theorem. Discrepancy: the
    largest violation (radians / relative), 0 when both hold. Budget: ten times the two-tolerance change plus
    the SVM's KKT residual, at least 1e-9. Details report angle·log t along the way.
    """
    X, y, a0 = case
    return max_margin_alignment(X, y, a0)


@universal(
    "notes:main-flow",
    title="the squared-parametrization flow from y(0) = α1, α down to 5e-5: its limit is the KL projection of α²1 "
    "and its ℓ1 gap to argmin{‖x‖₁ : Ax = b, x ≥ 0} shrinks within the proven bound",
    source="notes, Main Theorem (and Lemma 3, 'Back to Reparameterization')",
    fields=("A", "b"),
)
@given(case=positive_sparse_cases())
def test_main_flow(case):
    r"""With :math:`y(0) = \alpha\mathbf 1` and gradient flow on :math:`\tfrac12\|A(y\odot y) - b\|^2`, the limit
    :math:`x^*(\alpha)` of :math:`x = y\odot y` is the KL projection of :math:`\alpha^2\mathbf 1` onto :math:`\{Ax = b\}` and tends
    to :math:`\arg\min\{\|x\|_1 : Ax = b, x \ge 0\}` as α → 0 -- here on the flow itself, not on its characterization.

    The flow is integrated for α = 0.5·10^{-k}, k = 0..4 (:math:`x(0) = \alpha^2` down to 2.5e-9), in its dual
    variable: :math:`\ln x(t) = \ln\alpha^2 + A^\top\mu(t)`, :math:`\dot\mu = -4(Ax - b)` -- exactly the notes'
    :math:`\dot x = -4D_xA^\top(Ax - b)`, an n-dimensional ODE whose cost does not grow as α shrinks
    (:func:`oracles.checks.notes_flows.squared_flow_limit`; LSODA at two tolerances, read when one dual Newton step
    moves x by less than 1e-12). At each α its limit must equal the KL projection (certified dual Newton), and the
    ℓ1 gap :math:`g_\alpha = \|x^*(\alpha)\|_1/\|x_{LP}\|_1 - 1` must satisfy :math:`0 \le g_\alpha \le
    (H(x_{LP}) - H(x^*(\alpha)))/(c_\alpha\|x_{LP}\|_1)`, :math:`c_\alpha = \ln\alpha^{-2} - 1`, and be nonincreasing (see
    ``notes:main``). Instances have a strictly positive interpolant (the flow's limit is then interior; on a
    proper face it is approached like 1/t and the dual variable diverges). Discrepancy: the largest relative
    projection gap or inequality violation. Budget: ten times the flows' errors (two-tolerance change + the
    remaining Newton step), the projections' certified errors, the LP's and the entropy evaluation's, at least
    1e-9. The report plots the ℓ1 gap, its bound, the distance to x_LP and the projection gap against α.
    """
    A, b = case
    event(f"n = {A.shape[0]}, d = {A.shape[1]}")
    return small_alpha_flow_gap(A, b, FLOW_ALPHAS)


@universal(
    "notes:soudry-rate",
    title="exponential loss, separable data: a(t) − ŵ log t converges (ŵ the SVM, ‖ŵ‖ = 1/γ*), so ‖a(t)‖/log t → 1/γ* "
    "and the angle to the max-margin direction is Θ(1/log t)",
    source="notes, Further Results (Soudry, Hoffer, Nacson, Gunasekar, Srebro 2018): a(t) ~ a* log t + O(log log t)",
    fields=("X", "y", "a0"),
)
@given(case=generic_classification_cases())
def test_soudry_rate(case):
    r"""For linearly separable data in general position and :math:`\ell(a) = \sum_ie^{-y_ia^\top x_i}`, the gradient flow
    satisfies :math:`a(t) = \hat w\log t + r(t)` with :math:`r(t)` converging to a minimizer of
    :math:`F(r) = \sum_{i\in S}e^{-z_i^\top r} + \hat w^\top r` (:math:`z_i = y_ix_i`, S the support vectors, :math:`\hat w` the
    hard-margin SVM, :math:`\|\hat w\| = 1/\gamma^\star`): so :math:`\|a(t)\|/\log t \to 1/\gamma^\star` and the angle to
    the max-margin direction decays like :math:`1/\log t`. The notes write :math:`a(t) \sim a^\star\log t` with the
    *unit* vector :math:`a^\star`: the growth is :math:`(a^\star/\gamma^\star)\log t` (P9); the O(log log t) term
    arises only for degenerate data (a support vector without dual weight).

    Checked in s = ln(1 + t), where :math:`dr/ds = -\nabla F(r) + \sum_{i\notin S}e^{-s(z_i^\top\hat w - 1)}e^{-z_i^\top r}z_i`
    converges at the computable rate :math:`\min(\mu, \rho)` (μ: F's Hessian at its minimum, ρ: the non-support
    margin gap): integrated to :math:`s = \max(60, 40/\min(\mu, \rho))` (t up to :math:`e^{20000}`), the discrepancy is
    the stationarity residual :math:`\|\nabla F(r)\|/\|\hat w\|` (with independent support vectors the same as
    :math:`z_i^\top r = -\ln\alpha_i`, reported). Budget: ten times the remaining distance (the measured change of r
    over the second half times :math:`q/(1-q)`, :math:`q = e^{-\min(\mu,\rho)s/2}`, through F's Hessian), the
    two-tolerance change, the SVM's KKT residual and rounding, at least 1e-9. Data carry a fixed irrational
    jitter so that shrunk draws are not degenerate; degenerate SVMs, or rates needing s > 20000, are
    inconclusive. Details report ‖a‖/log t against 1/γ* and angle·log t against its predicted limit.
    """
    X, y, a0 = case
    event(f"{X.shape[0]} points in d = {X.shape[1]}")
    return soudry_offset_gap(X, y, a0)


@universal(
    "notes:kawaguchi-saddle",
    title="deep linear networks, depth ≥ 3: points with three or more zero factors (e.g. W = 0) are saddles whose "
    "Hessian has no negative eigenvalue",
    source="notes, Also Related (Theorem [Kawaguchi]: 'only bad saddle points for k ≥ 3')",
    fields=("X", "B", "factors", "zero"),
)
@given(case=kawaguchi_cases())
def test_kawaguchi_saddle(case):
    r"""For :math:`L = \|A_k\cdots A_1X - B\|_F^2` with k ≥ 3 there are bad saddle points: critical points that are not
    minima and whose Hessian has no negative eigenvalue -- W = 0 (all factors zero), and more generally any point
    with at least three zero factors (W is then cubic in the perturbation, so the gradient and Hessian vanish,
    while the cubic term :math:`-2\langle B, WX\rangle` takes negative values).

    Checked (:func:`oracles.checks.deep_linear.flat_saddle_gap`) on depth 3 or 4, widths 1..3, 2..4 samples, with
    all factors zero or any three or more: the Hessian by central differences of the exact gradient (steps h and
    2h), its smallest eigenvalue against its error (truncation change, asymmetry, roundoff; Weyl) relative to the
    size S of its terms; and a descent witness along :math:`\delta_j = tD_j` on the zero factors, which must lower the
    loss (by :math:`c^2/\|PX\|^2`). Discrepancy: the larger failure; budget ten times the errors, at least 1e-9. At
    depth 2 (or with two zero factors) the same point is a strict saddle (the controls). The companion claim, no
    spurious local minima, is ``notes:kawaguchi-minima``.
    """
    event(f"depth {len(case['factors'])}, {len(case['zero'])} zero factors")
    return flat_saddle_gap(**case)


@universal(
    "notes:kawaguchi-minima",
    title="deep linear networks: every local minimum of Σ_i‖A_1⋯A_kx_i − b_i‖² is global",
    source="notes, Also Related (Theorem [Kawaguchi]: 'there are no spurious local minima')",
    fields=("X", "B", "factors"),
)
@given(case=kawaguchi_minimum_cases())
def test_kawaguchi_minima(case):
    r"""For :math:`L = \|A_k\cdots A_1X - B\|_F^2` every local minimum is a global one: its loss is
    :math:`L^* = \|B(I - P)\|_F^2 + \sum_{i > r}\sigma_i(BP)^2` (P the projector onto X's row space, r the smallest width).

    Checked (:func:`oracles.checks.deep_linear.local_minimum_gap`) on equal widths d ≤ 3, depth 2..4, output width
    ≤ d, N ≥ d samples: BFGS from the drawn start to a relative gradient norm of 1e-11, then a *certificate* that
    the end point is a local minimum -- full-rank factors, and a Hessian (central differences of the exact
    gradient) with exactly (k − 1)d² eigenvalues within its error of 0 (the symmetry orbit
    :math:`A_j \to G_jA_jG_{j-1}^{-1}`) and all others positive -- before its loss is compared with L*. Strict saddles and
    other degenerate end points are inconclusive, never counterexamples. Discrepancy :math:`(L - L^*)/\|B\|_F^2`; budget
    ten times the remaining gradient's effect :math:`\|g\|^2/\lambda_{min}^+` plus rounding, at least 1e-9.
    """
    event(f"depth {len(case['factors'])}, d = {case['X'].shape[0]}")
    return local_minimum_gap(**case)
