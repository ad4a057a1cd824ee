r"""The comparisons statements make of a flow's limit with what a theorem predicts.

* li2022 Thm 3.8 (:func:`mf_limit_vs_projection`), Thm 4.16 / Cor 4.17 / identity (:func:`gf_limit_vs_projection`),
  Thm 4.13 (:func:`gf_limit_stationarity`), Cor 4.14 (:func:`gf_limit_minimizes`), Thm 4.15(d)
  (:func:`quadratic_gf_convergence`);
* the lecture notes: the squared parametrization as a mirror flow (:func:`squared_param_vs_mirror`), the small-
  initialization ℓ1 limit (:func:`small_init_l1_gap`), Soudry et al.'s max-margin direction
  (:func:`max_margin_alignment`);
* :func:`hypentropy_path_panels`, the ℓ2 → ℓ1 path of Cor. 4.17 as a plot.

The limits themselves come from :mod:`oracles.flows.limits` (long LSODA integrations with their error); the
reference points from :mod:`oracles.convex` (Bregman projections, certified LPs, the SVM).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable, cast

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from scipy.special import xlogy

from oracles.checks.convergence import CERTIFIED, convergence_outcome, divergence_witness
from oracles.convex.bregman import bregman_projection
from oracles.convex.references import basis_pursuit, max_margin, min_l2_interpolant, nonnegative_support
from oracles.core.errors import Inconclusive, InvalidInput, Reason, as_matrix, as_vector
from oracles.core.outcome import (
    CLOSED_FORM_BUDGET,
    EPS,
    UNRESOLVED,
    Outcome,
    Panel,
    budget_from_error,
    relative_gap,
    worst,
)
from oracles.flows.legendre import LemmaLegendre, potential_of
from oracles.flows.limits import (
    RTOL_COARSE,
    RTOL_FINE,
    FlowLimit,
    _data_of,
    compare_limit,
    exponential_loss_trajectory,
    flow_limit,
    gradient_flow_limit,
    mirror_flow_limit,
)
from oracles.flows.trajectories import gradient_flow, mirror_flow
from oracles.model.losses import ExponentialLoss, LeastSquares, Loss, RegressionLoss, Schedule, loss_hessian
from oracles.model.parametrizations import Parametrization, Powers, squares
from oracles.model.potentials import EntropyPotential, HypentropyPotential, PNormPotential

if TYPE_CHECKING:
    from oracles.model.potentials import Potential


def _require_interpolation(lim: FlowLimit, Z, Y, tol: float = 1e-7) -> None:
    r = float(np.linalg.norm(Z @ lim.w - Y)) / max(
        float(np.linalg.norm(Y)), float(np.linalg.norm(Z, 2) * np.linalg.norm(lim.w)), 1e-300
    )
    if r > tol:
        raise Inconclusive("limit does not interpolate", f"relative residual {r:.3g} of Zw = Y at the flow's limit")


def _reference_point(kind: str, R, Z, Y, w0, theta0=None) -> tuple[np.ndarray, float, dict]:
    """The point a theorem (or a planted variant) says the limit is: Bregman projection, ℓ2 or ℓ1 interpolant."""

    if kind == "bregman":
        proj = bregman_projection(R, Z, Y, w0, theta0=theta0).require(1e-9)
        return proj.w, proj.error, {"projection_kkt": proj.kkt, "projection_iterations": proj.iterations}
    if kind == "l2":
        ref = min_l2_interpolant(Z, Y, w0)
        return ref.x, ref.error, {"reference_kkt": ref.kkt}
    if kind == "l2-origin":
        ref = min_l2_interpolant(Z, Y)
        return ref.x, ref.error, {"reference_kkt": ref.kkt}
    if kind == "l1":
        ref = basis_pursuit(Z, Y - Z @ w0)
        return w0 + ref.x, ref.error, {"reference_kkt": ref.kkt}
    raise InvalidInput(f"reference must be 'bregman', 'l2', 'l2-origin' or 'l1', got {kind!r}")


def mf_limit_vs_projection(
    R: Potential, loss: Loss, w_init: ArrayLike, *, reference: str = "bregman", coords: str = "auto"
) -> Outcome:
    r"""li2022 Thm 3.8: the mirror-flow limit on :math:`\tilde L(Zw)` that interpolates is :math:`\arg\min_{Zw=Y}D_R(w, w_0)`.

    The flow is integrated to a limit (:func:`mirror_flow_limit`) in primal coordinates (no invariant
    built in), except for the p-norm potentials (``coords="auto"``), whose primal field
    :math:`-\nabla L/r''(w)` is singular or non-Lipschitz where a coordinate crosses 0; they are
    integrated in the dual coordinates. The projection is :func:`oracles.convex.bregman.bregman_projection`.
    An example whose limit does not interpolate is inconclusive (the theorem assumes it does).
    ``reference="l2"`` plants the Euclidean projection (negative control).
    """

    Z, Y = _data_of(loss)
    w0 = as_vector(w_init, "w_init", loss.d)
    if coords == "auto":
        coords = "dual" if isinstance(R, PNormPotential) else "primal"
    lim = mirror_flow_limit(R, loss, w0, coords=coords)
    _require_interpolation(lim, Z, Y)
    target, terr, info = _reference_point(reference, R, Z, Y, w0)
    return compare_limit(
        lim,
        target,
        target_error=terr,
        scale=float(np.linalg.norm(w0)),
        what=f"relative gap between the mirror-flow limit and the {reference} projection of w0",
        potential=getattr(R, "name", str(R)),
        **info,
    )


def _legendre_of(G: Parametrization, x_init):
    """:func:`~oracles.flows.legendre.potential_of` G at x_init, with θ0 = ∇R(w0) = 0 given exactly for the
    numerical Lemma 4.7 R (a root solve would only approximate it)."""

    R = potential_of(G, x_init)
    return R, (np.zeros(G.d) if isinstance(R, LemmaLegendre) else None)


def gf_limit_vs_projection(
    G: Parametrization,
    loss: Loss,
    x_init: ArrayLike,
    *,
    reference: str = "bregman",
    R: Potential | None = None,
    plot: Callable[[], list[Panel]] | None = None,
    convergence: str | None = None,
) -> Outcome:
    r"""li2022 Thm 4.16 / Cor 4.17 / identity: the GF limit of :math:`L\circ G` minimizes R among interpolants.

    The GF is integrated in x-space (:func:`flow_limit`; closed form for the identity on least squares),
    the reference is the Bregman projection of :math:`w_0 = G(x_{init})` under R (default: the closed-form
    R of G, else :class:`oracles.flows.legendre.LemmaLegendre`); since :math:`\nabla R(w_0) = 0`,
    :math:`\arg\min_{Zw=Y}D_R(w, w_0) = \arg\min_{Zw=Y}R(w)`. ``reference="l2"`` / ``"l1"`` plant the
    ℓ2 / ℓ1 interpolant nearest :math:`w_0`, ``"l2-origin"`` the one nearest 0 (negative controls; ``"l2"``
    is the truth for the identity). An ``R`` other than G's own plants a wrong potential.

    ``convergence`` decides the convergence of w(t) (:mod:`oracles.checks.convergence`): ``"claim"`` (the
    statement claims it, Cor. 4.17): a non-convergence witness falsifies, and a limit whose Łojasiewicz tail is
    not certified is inconclusive; ``"hypothesis"`` (the statement assumes it, Thm 4.16): a witness makes the
    example inconclusive (outside the theorem), the certificate is still required; ``None``: neither (the
    limit is taken as settled once it changes by less than 1e-11 over a doubling).
    """
    if convergence not in (None, "claim", "hypothesis"):
        raise InvalidInput(f"convergence must be None, 'claim' or 'hypothesis', got {convergence!r}")
    x0 = G.check_point(x_init, "x_init")
    if convergence is not None:
        wit = divergence_witness(G, loss, x0)
        if wit is not None:
            if convergence == "claim":
                return wit
            raise Inconclusive(Reason.PREMISE, f"the flow provably does not converge: {wit.what}")
    Z, Y = _data_of(loss)
    lim = flow_limit(G, loss, x0, **(CERTIFIED if convergence is not None else {}))
    _require_interpolation(lim, Z, Y)
    theta0 = None
    if reference == "bregman" and R is None:
        R, theta0 = _legendre_of(G, x0)
    target, terr, info = _reference_point(reference, R, Z, Y, G.value(x0), theta0)
    scale = float(np.linalg.norm(G.value(x0)))
    out = compare_limit(
        lim,
        target,
        target_error=terr,
        plot=plot,
        scale=scale,
        what=f"relative gap between the GF limit and the {reference} minimizer among interpolants",
        G=G.name,
        **info,
    )
    return out if convergence is None else worst(out, convergence_outcome(lim, scale))


def gf_limit_stationarity(
    G: Parametrization, loss: Loss, x_init: ArrayLike, *, constrained: bool | None = None, convergence: bool = True
) -> Outcome:
    r"""li2022 Thm 4.13: the GF limit :math:`w^*` satisfies :math:`\nabla L(w^*)^\top(w - w^*) \ge 0` on dom R.

    For dom R = :math:`\mathbb{R}^d` this is :math:`\nabla L(w^*) = 0`; for dom R = :math:`\mathbb{R}_{\ge0}^d`
    (``constrained``, e.g. :math:`x^{\odot2}`) it is the complementarity system :math:`w^* \ge 0`,
    :math:`\nabla L(w^*) \ge 0`, :math:`w^*\odot\nabla L(w^*) = 0`. Discrepancy: the natural residual
    :math:`\|r\|` with :math:`r_i = \partial_iL/s_g` (free) or :math:`\min(w_i/s_w, \partial_iL/s_g)`
    (constrained), :math:`s_w = \max(\|w^*\|, \|w(0)\|)`, :math:`s_g = \|Z\|(\|Y\| + \|Z\|s_w)` (the size of
    :math:`Z^\top(Zw - Y)` along the flow). Error: the residual's sensitivity to the limit's error δ,
    :math:`(\|\nabla^2L\|\,\delta\|w\|/s_g + \delta)`.

    The convergence clause is decided (``convergence=True``, :mod:`oracles.checks.convergence`): a loss for
    which no point of dom R satisfies the inequality (the exponential loss on data separable inside dom R's
    recession cone; a non-quasi-convex loss whose flow starts in a trap without such points, as the ridge bump)
    gets the non-convergence witness, a falsification (certified escape of w(t)); otherwise the
    limit must carry a Łojasiewicz tail bound within its error, and the worse of the two outcomes is returned.
    A flow that has not settled by the horizon and has no witness stays inconclusive.
    """

    x0 = G.check_point(x_init, "x_init")
    if convergence:
        wit = divergence_witness(G, loss, x0)
        if wit is not None:
            return wit
    Z, Y = _data_of(loss)
    if constrained is None:
        constrained = isinstance(G, Powers)
    lim = gradient_flow_limit(G, loss, x0, **(CERTIFIED if convergence else {}))
    w = lim.w
    g = loss.grad(w)
    zn = float(np.linalg.norm(Z, 2))
    # scales of the problem, not of the limit alone: with Y = 0 the limit can be w* = 0, where ‖w*‖ and
    # ‖Zᵀ(Zw* − Y)‖ are both rounding noise and their ratio is O(1) (found at `thorough`: u² − v², Y = 0)
    s_w = max(float(np.linalg.norm(w)), float(np.linalg.norm(G.value(np.asarray(x_init, float)))), 1e-300)
    s_g = max(zn * (float(np.linalg.norm(Y)) + zn * s_w), 1e-300)
    r = np.minimum(w / s_w, g / s_g) if constrained else g / s_g
    disc = float(np.linalg.norm(r))
    H = float(np.linalg.norm(loss_hessian(loss, w), 2))
    err = H * lim.error * s_w / s_g + lim.error
    if not err < UNRESOLVED:  # the residual is O(1) at most: a budget ≥ 1 would hold anything
        return Outcome.undecided(
            "unresolved: error ≥ scale",
            "natural residual of the variational inequality",
            error=err,
            limit=lim.summary(),
        )
    out = Outcome(
        disc,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        "natural residual of the variational inequality of Thm 4.13 at the GF limit",
        details={"limit": lim.summary(), "constrained": constrained, "loss_at_limit": lim.loss},
    )
    return worst(out, convergence_outcome(lim, s_w)) if convergence else out


def _minimum_value(loss) -> tuple[float, float]:
    """:math:`\\min L` for the convex losses of the suite (least squares: lstsq; log-cosh: Newton), with an error estimate."""

    Z, Y = _data_of(loss)
    w_ls, *_ = np.linalg.lstsq(Z, Y, rcond=None)
    if isinstance(loss, LeastSquares):
        v = loss.value(w_ls)
        return v, 100 * EPS * (abs(v) + float(np.linalg.norm(Y)) ** 2)
    res = minimize(
        loss.value,
        w_ls,
        jac=loss.grad,
        hess=lambda w: loss_hessian(loss, w),
        method="trust-exact",
        options={"gtol": 1e-14},
    )
    w = np.asarray(res.x, float)
    g = loss.grad(w)
    step = np.linalg.lstsq(loss_hessian(loss, w), g, rcond=None)[0]
    v = loss.value(w)
    return v, float(abs(g @ step)) + 100 * EPS * (abs(v) + 1.0)


def gf_limit_minimizes(G: Parametrization, loss: Loss, x_init: ArrayLike, *, convergence: bool = True) -> Outcome:
    r"""li2022 Cor 4.14 (and the convex part of Thm 4.13): for convex L the GF limit is a minimizer of L.

    Discrepancy: :math:`(L(w_T) - L^\star)/(L(w_0) - L^\star)` with :math:`L^\star` computed independently
    (least squares: ``lstsq``; log-cosh: trust-region Newton). Error: :math:`\|\nabla L(w_T)\|\delta + \tfrac12
    \|\nabla^2L\|\delta^2` (δ the limit's error in w) plus :math:`L^\star`'s error and rounding of the values.
    The convergence clause is decided as in :func:`gf_limit_stationarity` (``convergence=True``): the
    non-convergence witness falsifies (a loss without a minimizer), else the Łojasiewicz tail must be certified.
    """
    if convergence:
        wit = divergence_witness(G, loss, G.check_point(x_init, "x_init"))
        if wit is not None:
            return wit
    lim = flow_limit(G, loss, x_init, **(CERTIFIED if convergence else {}))
    Lstar, Lerr = _minimum_value(loss)
    L0 = loss.value(G.value(G.check_point(x_init, "x_init")))
    den = L0 - Lstar
    if not den > 1e-8 * (1.0 + abs(Lstar)):
        raise Inconclusive("starts at a minimizer", f"L(w0) - L* = {den:.3g}")
    dw = lim.error * float(np.linalg.norm(lim.w))
    H = float(np.linalg.norm(loss_hessian(loss, lim.w), 2))
    err = (
        float(np.linalg.norm(loss.grad(lim.w))) * dw
        + 0.5 * H * dw * dw
        + Lerr
        + 100 * EPS * (abs(lim.loss) + abs(Lstar))
    ) / den
    out = Outcome(
        abs(lim.loss - Lstar) / den,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        "optimality gap |L(w_T) - L*|/(L(w_0) - L*) at the GF limit",
        details={"limit": lim.summary(), "L_star": Lstar, "L0": L0},
    )
    if not convergence:
        return out
    return worst(out, convergence_outcome(lim, float(np.linalg.norm(G.value(G.check_point(x_init, "x_init"))))))


def quadratic_gf_convergence(
    G: Parametrization,
    Z: ArrayLike,
    Y: ArrayLike,
    x_init: ArrayLike,
    *,
    reference: str = "bregman",
    loss: Loss | None = None,
    convergence: bool = True,
) -> Outcome:
    r"""li2022 Thm 4.15(d) for a commuting quadratic G: GF on least squares converges to a minimizer (loss → 0
    for data interpolable inside dom R), and the limit is the R-projection of :math:`w_0` with R from Lemma 4.7.

    Two checks, the worse one is returned (:func:`worst`): the loss at the limit relative to the initial
    loss (error from the limit's error δ: :math:`\|Z\|\,\|r\|\delta\|w\| + \tfrac12\|Z\|^2\delta^2\|w\|^2`),
    and the gap to :func:`oracles.convex.bregman.bregman_projection` under :class:`oracles.flows.legendre.LemmaLegendre`
    (:math:`\nabla R = (\nabla Q)^{-1}`, :math:`\nabla Q(\mu) = G(\psi(x_{init};\mu))`, one eigendecomposition).
    Inconclusive when the :math:`A_ix_{init}` are (numerically) dependent: the theorem assumes independence.
    ``reference="l2"`` plants the Euclidean projection in place of the R-projection (negative control).

    The convergence clause is decided as in :func:`gf_limit_stationarity` (``convergence=True``); ``loss``
    replaces the least squares on (Z, Y) (Z, Y are then ignored): the exponential loss on data separable inside
    dom R's cone, where the flow escapes, is the planted non-convergent case.
    """
    x0 = G.check_point(x_init, "x_init")
    sv = np.linalg.svd(G.jacobian(x0), compute_uv=False)
    if sv[-1] < 1e-3 * sv[0]:
        raise Inconclusive("not regular", f"A_i x_init nearly dependent: singular values {sv[-1]:.3g} / {sv[0]:.3g}")
    if loss is not None and convergence:
        wit = divergence_witness(G, loss, x0)
        if wit is not None:
            return wit
    loss = LeastSquares(Z, Y) if loss is None else loss
    Z, Y = _data_of(loss)
    loss = cast(RegressionLoss, loss)  # for the type checker: a loss of Zw, _data_of found its Z and Y
    lim = gradient_flow_limit(G, loss, x0, **(CERTIFIED if convergence else {}))
    L0 = loss.value(G.value(x0))
    if not L0 > 1e-20 * max(1.0, float(Y @ Y)):
        raise Inconclusive("starts at a minimizer", f"L(w0) = {L0:.3g}: w0 already interpolates")
    dw = lim.error * float(np.linalg.norm(lim.w))
    zn = float(np.linalg.norm(loss.Z, 2))
    r = float(np.linalg.norm(loss.Z @ lim.w - loss.Y))
    err_l = (zn * r * dw + 0.5 * (zn * dw) ** 2) / L0
    o_loss = Outcome(
        lim.loss / L0,
        budget_from_error(err_l, CLOSED_FORM_BUDGET),
        err_l,
        "loss at the GF limit relative to the initial loss",
        details={"limit": lim.summary()},
    )
    _require_interpolation(lim, loss.Z, loss.Y)
    R, theta0 = _legendre_of(G, x0) if reference == "bregman" else (None, None)
    target, terr, info = _reference_point(reference, R, loss.Z, loss.Y, G.value(x0), theta0)
    o_proj = compare_limit(
        lim,
        target,
        target_error=terr,
        scale=float(np.linalg.norm(G.value(x0))),
        what=f"relative gap between the GF limit and the {reference} projection of w0",
        **info,
    )
    if not convergence:
        return worst(o_loss, o_proj)
    return worst(o_loss, o_proj, convergence_outcome(lim, float(np.linalg.norm(G.value(x0)))))


def hypentropy_path_panels(Z: ArrayLike, Y: ArrayLike, scales: ArrayLike | None = None) -> Callable[[], list[Panel]]:
    """A plot (callable returning Panels): where the R-projection of ``u0 = v0 = α·1`` sits between the ℓ2 and ℓ1 solutions.

    For each α the relative distances of :math:`\\arg\\min_{Zw=Y}R_\\alpha(w)` to the min-ℓ2 and the min-ℓ1
    interpolants (li2022 Cor. 4.17 with :math:`w_0 = 0`; Woodworth et al. 2020's kernel and rich regimes).
    """

    Z = np.array(Z, float)
    Y = np.array(Y, float)
    alphas = np.logspace(-4, 1, 26) if scales is None else np.asarray(scales, float)

    def make():
        d = Z.shape[1]
        l2 = min_l2_interpolant(Z, Y).x
        l1 = basis_pursuit(Z, Y).x
        to2, to1 = [], []
        for a in alphas:
            w = bregman_projection(HypentropyPotential.scaled(a, d), Z, Y, np.zeros(d)).w
            to2.append(relative_gap(w, l2))
            to1.append(relative_gap(w, l1))
        x = np.log10(alphas).tolist()
        return [
            Panel(
                "Cor. 4.17: the R-projection moves from the ℓ2 to the ℓ1 interpolant as the scale shrinks",
                "log10 α (u0 = v0 = α·1)",
                "relative distance",
                {"to min-ℓ2": (x, to2), "to min-ℓ1": (x, to1)},
                logy=True,
            )
        ]

    return make


def squared_param_vs_mirror(
    A: ArrayLike, b: ArrayLike, y0: ArrayLike, T: float, *, phi_scale: float = 0.25, samples: int = 8
) -> Outcome:
    r"""notes, sq-equivalence: GF on :math:`\hat\ell(y) = \tfrac12\|A(y\odot y) - b\|^2` gives :math:`x = y\odot y` with
    :math:`\dot x = -4\,\mathrm{diag}(x)A^\top(Ax - b)`, the mirror flow of :math:`\phi = c\sum(x\ln x - x)` for c = 1/4.

    Both trajectories are integrated with :func:`oracles.flows.gradient_flow` (G = :math:`y^{\odot2}`) and
    :func:`oracles.flows.mirror_flow` (φ with scale ``phi_scale``, dual coordinates) on ``[0, T]`` and
    compared at ``samples`` times; error: the change between rtol 1e-8 and 1e-11 of both integrations.
    ``phi_scale=1`` is the notes' literal :math:`\phi = \sum x\ln x - x` (negative control).
    """

    A = as_matrix(A, "A")
    b = as_vector(b, "b", A.shape[0])
    y0 = as_vector(y0, "y0", A.shape[1])
    if np.any(y0 <= 0):
        raise InvalidInput("y0 must be positive (the squared parametrization on the positive orthant)")
    sched = Schedule.constant(LeastSquares(A, b), T)
    ts = np.linspace(0.0, T, samples + 1)[1:]
    phi = EntropyPotential(y0 * y0, phi_scale)
    out = {}
    for rtol in (RTOL_COARSE, RTOL_FINE):
        gf = gradient_flow(squares(A.shape[1]), sched, y0, t_eval=ts, rtol=rtol, atol=rtol * 1e-3)
        mf = mirror_flow(phi, sched, y0 * y0, t_eval=ts, rtol=rtol, atol=rtol * 1e-3)
        out[rtol] = (gf.w, mf.w)
    (gc, mc), (gfine, mfine) = out[RTOL_COARSE], out[RTOL_FINE]
    gaps = [relative_gap(gfine[k], mfine[k]) for k in range(ts.size)]
    err = max(relative_gap(gfine[k], gc[k]) + relative_gap(mfine[k], mc[k]) for k in range(ts.size))
    return Outcome(
        max(gaps),
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        f"largest relative gap between x = y⊙y under GF and the mirror flow of {phi.name}",
        details={"T": T, "gaps": gaps},
    )


def _kl_projection(A: np.ndarray, b: np.ndarray, alpha: float):
    r"""The KL (entropy) projection of :math:`\alpha^2\mathbf 1` onto :math:`\{Ax = b\}`, by dual Newton."""
    x0 = np.full(A.shape[1], alpha * alpha)
    return bregman_projection(EntropyPotential(x0, 0.25), A, b, x0)


def _proves_interior(proj) -> bool:
    r"""Whether a projection onto :math:`\{Ax = b\}` proves that a strictly positive interpolant exists.

    With a certified bound (``error_kind == "bound"``), :math:`\|w - w^\star\| \le` ``error`` :math:`\cdot\,\|w\|`;
    every coordinate of w above ten times that makes :math:`w^\star > 0`. A projection that only approaches a
    face (coordinates at rounding level, as when no interpolant is strictly positive) does not qualify.
    """
    if proj.details.get("error_kind") != "bound" or not (proj.primal_residual <= 1e-9 and proj.error <= 1e-6):
        return False
    return float(np.min(proj.w)) > 10.0 * proj.error * float(np.linalg.norm(proj.w))


def small_init_l1_gap(
    A: ArrayLike, b: ArrayLike, alphas: ArrayLike, *, target: str = "l1", cross_check: bool = True
) -> Outcome:
    r"""notes, Main Theorem: with :math:`y(0) = \alpha\mathbf 1`, the limit :math:`x^*(\alpha)` of :math:`x = y\odot y`
    tends to :math:`\arg\min\{\|x\|_1 : Ax = b, x \ge 0\}` as α → 0.

    :math:`x^*(\alpha)` is the KL projection of :math:`\alpha^2\mathbf 1` onto :math:`\{Ax = b\}` (the characterization the
    notes derive: sq-equivalence + Key Lemma), computed by :func:`oracles.convex.bregman.bregman_projection`. When no
    interpolant is strictly positive, that projection does not exist in the open orthant and the limit lies on
    the face of :math:`\{x \ge 0 : Ax = b\}` found by :func:`oracles.convex.references.nonnegative_support`: it is the
    projection for the columns of that face, the other coordinates 0 (the I-projection, Csiszár 1975). With
    ``cross_check`` the largest α is also run as the actual gradient flow (:func:`gradient_flow_limit`, up to
    t = 2^14) and must agree; when that flow has not settled by then, ``details["gf_cross_check"]`` says so
    and the example is decided by the inequalities alone. The LPs are skipped when the projection of the
    largest α onto all columns already proves a strictly positive interpolant (:func:`_proves_interior`:
    every coordinate exceeds ten times its certified error). On a proper face the flow is not run: the
    coordinates off the face decay like 1/t, so it cannot settle by t = 2^14.

    The quantitative form checked, for the decreasing sequence ``alphas`` (all below :math:`e^{-1/2}`): with :math:`H(x) = \sum x\ln x`, :math:`c_\alpha = \ln(1/\alpha^2) - 1 > 0` and
    :math:`g_\alpha = (\|x^*(\alpha)\|_1 - \|x_T\|_1)/\|x_T\|_1`,

    .. math:: 0 \le g_\alpha \le \frac{H(x_T) - H(x^*(\alpha))}{c_\alpha\|x_T\|_1},\qquad g_\alpha \text{ nonincreasing as } \alpha \downarrow,

    which holds for the LP solution :math:`x_T` (:math:`x^*` minimizes :math:`H + c_\alpha\|\cdot\|_1` over the
    nonnegative interpolants; comparing with :math:`x_T` gives the sandwich, comparing two values of
    :math:`c_\alpha` gives the monotonicity) and forces :math:`\|x^*(\alpha)\|_1 \to \|x_T\|_1`. Discrepancy: the
    largest violation. ``target="l2"`` plants the min-ℓ2 interpolant as the limit (negative control).
    """

    A = as_matrix(A, "A")
    b = as_vector(b, "b", A.shape[0])
    alphas = np.asarray(alphas, float)
    if np.any(np.diff(alphas) >= 0) or alphas[0] >= math.exp(-0.5) or alphas[-1] <= 0:
        raise InvalidInput("alphas must be decreasing, positive and below exp(-1/2) (so that c_alpha > 0)")
    d = A.shape[1]
    if target == "l1":
        ref = basis_pursuit(A, b, nonneg=True, uniqueness=False)  # the gap and bound hold for any minimizer
    elif target == "l2":
        ref = min_l2_interpolant(A, b)
    else:
        raise InvalidInput(f"target must be 'l1' or 'l2', got {target!r}")
    xT = ref.x
    nT = float(np.sum(np.abs(xT)))
    if not nT > 1e-12 * max(1.0, float(np.linalg.norm(b))):
        raise Inconclusive("trivial target", "the target solution is 0 (b = 0): no relative gap")
    HT = float(np.sum(xlogy(np.abs(xT), np.abs(xT))))
    try:
        first = _kl_projection(A, b, float(alphas[0]))
    except Inconclusive:  # e.g. no strictly positive interpolant: the dual iteration diverges
        first = None
    if first is not None and _proves_interior(first):
        S, zero_bound, face_by = np.ones(d, bool), 0.0, "projection"
    else:
        face = nonnegative_support(A, b, bp=ref if target == "l1" else None)  # the same LP as the l1 target
        S, zero_bound, face_by = face.mask, face.zero_bound, "LP"
    dropped = float((~S).sum()) * zero_bound  # the dropped coordinates are 0 on the feasible set up to this
    gaps: list[float] | np.ndarray
    bounds: list[float] | np.ndarray
    gaps, bounds, errs, xs = [], [], [], []
    for k, a in enumerate(alphas):
        full = first is not None and k == 0 and S.all()
        proj = (first if full else _kl_projection(A[:, S], b, float(a))).require(1e-9)
        x = np.zeros(d)
        x[S] = proj.w
        xs.append(x)
        n1 = float(np.sum(np.abs(x)))
        H = float(np.sum(xlogy(x, x)))
        c = math.log(1.0 / (a * a)) - 1.0
        gaps.append((n1 - nT) / nT)
        bounds.append((HT - H) / (c * nT))
        dx = proj.error * float(np.linalg.norm(x)) * math.sqrt(d) + dropped
        dH = float(np.max(np.abs(np.log(np.maximum(x, 1e-300)) + 1.0))) * dx
        errs.append((dx + ref.error * nT + dH / c) / nT + 100 * EPS * (1.0 + abs(HT) / (c * nT)))
    gaps, bounds = np.array(gaps), np.array(bounds)
    v_low = float(np.max(-gaps))
    v_up = float(np.max(gaps - bounds))
    v_mono = float(np.max(np.diff(gaps))) if gaps.size > 1 else -math.inf
    disc = max(0.0, v_low, v_up, v_mono)
    err = float(max(errs))
    outs = [
        Outcome(
            disc,
            budget_from_error(err, CLOSED_FORM_BUDGET),
            err,
            f"largest violation of 0 <= gap <= bound and of monotonicity (target: {target} solution)",
            details={
                "alphas": alphas.tolist(),
                "gaps": gaps.tolist(),
                "bounds": bounds.tolist(),
                "target_kkt": ref.kkt,
            },
        )
    ]
    cross = "not run"
    if cross_check and not S.all():
        cross = "not run: the limit lies on a proper face, where the flow cannot settle by t = 2^14"
    elif cross_check:
        a = float(alphas[0])
        try:
            lim = gradient_flow_limit(squares(d), LeastSquares(A, b), np.full(d, a), t_max=2.0**14)
        except Inconclusive as exc:  # the cross-check is auxiliary: record why it could not be made
            cross = f"inconclusive ({exc})"
        else:
            cross = "made"
            outs.append(
                compare_limit(
                    lim,
                    xs[0],
                    target_error=errs[0],
                    what=f"GF limit at alpha = {a:g} vs the KL projection of alpha^2 1",
                )
            )
    o = worst(*outs)
    o.details.update(gf_cross_check=cross, support_size=int(S.sum()), d=d, zero_bound=zero_bound, face_by=face_by)
    al = np.log10(alphas).tolist()

    def panels():
        return [
            Panel(
                "notes, Main Theorem: ℓ1 gap of the limit x*(α) to the target, with the proven bound",
                "log10 α",
                "relative ℓ1 gap",
                {
                    "gap ‖x*(α)‖₁/‖x_T‖₁ − 1": (al, np.abs(gaps).tolist()),
                    "bound (H(x_T) − H(x*))/(c_α‖x_T‖₁)": (al, np.abs(bounds).tolist()),
                },
                logy=True,
            )
        ]

    o.plot = panels
    return o


def max_margin_alignment(
    X: ArrayLike, y: ArrayLike, a0: ArrayLike, *, decades: int = 100, target: str = "svm"
) -> Outcome:
    r"""notes (Soudry et al.): gradient flow on :math:`\sum_i e^{-y_ix_i^\top a}` over separable data aligns with the
    max-margin direction :math:`\hat a`.

    Checked in the rigorous finite-time form (derivation in :mod:`theorems.notes_implicit_regularization`):
    with :math:`\gamma^\star` the max margin and :math:`c_0 = \|a_0\| + \ln L(a_0)/\gamma^\star`,

    .. math:: \cos\angle(a(t), \hat a) \ge 1 - c_0/\|a(t)\|, \qquad \|a(t)\| \ge \ln(1/L(a_0) + \gamma^{\star2}t)/\max_i\|x_i\|,

    at :math:`t_k = 10^k`, k = 0..``decades``; together they force the angle to 0 like :math:`O(1/\sqrt{\log t})`.
    The flow is integrated in log-time :math:`s = \ln(1+t)`, :math:`da/ds = e^s Z_c^\top e^{-Z_ca}` (exponent
    combined, no overflow), LSODA, at two tolerances. Discrepancy: the largest violation (radians for the
    angle bound; relative for the growth bound). ``target="least-squares"`` plants the direction of the
    min-norm solution of :math:`y_ix_i^\top a = 1` (negative control).
    """

    X = as_matrix(X, "X")
    y = as_vector(y, "y", X.shape[0])
    a0 = as_vector(a0, "a0", X.shape[1])
    mm = max_margin(X, y)
    if mm.kkt > 1e-9:
        raise Inconclusive("SVM not solved", f"KKT residual {mm.kkt:.3g}")
    Zc = y[:, None] * X
    if target == "svm":
        u = mm.direction
    elif target == "least-squares":
        v = np.linalg.lstsq(Zc, np.ones(Zc.shape[0]), rcond=None)[0]
        u = v / np.linalg.norm(v)
    else:
        raise InvalidInput(f"target must be 'svm' or 'least-squares', got {target!r}")
    gam = mm.margin
    loss = ExponentialLoss(X, y)
    L0 = loss.value(a0)
    c0 = float(np.linalg.norm(a0)) + math.log(L0) / gam
    zmax = float(np.max(np.linalg.norm(Zc, axis=1)))
    ts = 10.0 ** np.arange(0, decades + 1)

    runs = {}
    for rtol in (RTOL_COARSE, RTOL_FINE):
        Aset = exponential_loss_trajectory(X, y, a0, ts, rtol=rtol)
        nrm = np.linalg.norm(Aset, axis=1)
        ang = np.arctan2(np.linalg.norm(Aset - np.outer(Aset @ u, u), axis=1), Aset @ u)
        bnd = np.arccos(np.clip(1.0 - c0 / np.maximum(nrm, 1e-300), -1.0, 1.0))
        grow = np.log(1.0 / L0 + gam * gam * ts) / zmax
        runs[rtol] = (ang - bnd, np.where(grow > 0, (grow - nrm) / np.maximum(grow, 1e-300), 0.0), ang, bnd, nrm)
    vf, gf, ang, bnd, nrm = runs[RTOL_FINE]
    vc, gc, *_ = runs[RTOL_COARSE]
    disc = max(0.0, float(np.max(vf)), float(np.max(gf)))
    err = float(np.max(np.abs(vf - vc))) + float(np.max(np.abs(gf - gc))) + mm.kkt
    lt = np.log10(ts).tolist()
    ok = ang > 0

    def panels():
        return [
            Panel(
                "GF on the exponential loss: angle to the target direction and the proven bound",
                "log10 t",
                "radians",
                {"angle": (lt, np.maximum(ang, 1e-300).tolist()), "bound arccos(1 − c0/‖a(t)‖)": (lt, bnd.tolist())},
                logy=True,
            )
        ]

    p = (ang * np.log(np.maximum(ts, math.e)))[ok]
    return Outcome(
        disc,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        f"largest violation of the angle bound (to the {target} direction) and of the norm-growth bound",
        details={
            "margin": gam,
            "c0": c0,
            "final_angle": float(ang[-1]),
            "final_bound": float(bnd[-1]),
            "angle_times_log_t": [float(p[k]) for k in range(0, p.size, max(1, p.size // 10))],
            "tightness": float(np.max(ang[bnd < math.pi] / bnd[bnd < math.pi])) if np.any(bnd < math.pi) else None,
        },
        plot=panels,
    )


__all__ = [
    "gf_limit_minimizes",
    "gf_limit_stationarity",
    "gf_limit_vs_projection",
    "hypentropy_path_panels",
    "max_margin_alignment",
    "mf_limit_vs_projection",
    "quadratic_gf_convergence",
    "small_init_l1_gap",
    "squared_param_vs_mirror",
]
