r"""Exact identities of the ``liang`` slides, checked at one finite width (no ladder): the kernel ODE of the
chain rule and the G3 identity for a compactly supported B.

* :func:`check_kernel_ode` -- along mirror flow with :math:`L = \sum_i(f(x_i, \theta) - y_i)^2`,
  :math:`\frac{d}{dt}\mathbf f = J\dot\theta = -\eta J(\nabla^2\Phi)^{-1}\nabla L = -2n\eta\,H(\mathbf f - \mathbf y)`,
  :math:`H = n^{-1}J(\nabla^2\Phi)^{-1}J^\top`. The slides print :math:`-n\eta H(\mathbf f - \mathbf y)`: the factor 2 of
  the square is missing (a control plants the slides' literal form). Checked without the Jacobian on the left:
  :math:`\nabla L` by central differences of L, then :math:`d\mathbf f/dt` by a central difference of
  :math:`\tau \mapsto \mathbf f(\theta + \tau\dot\theta)`; the right-hand side from the closed-form kernel
  (:func:`oracles.flows.shallow_trainer.kernel_matrix`).
* :func:`check_g3_identity` -- for :math:`h'' ` supported in :math:`[-B, B]` (every :math:`h \in \mathcal F_{ReLU}` when
  :math:`\mathcal B` is supported there), :math:`\int h''(x)|x|\,dx - 2h(0) = B(h'(+\infty) - h'(-\infty)) - (h(B) + h(-B))`
  (integrate by parts twice), so the slides' two forms of G3 agree. Checked on random ReLU network functions
  (left side from the kinks, right side from evaluations) and on the Galerkin minimizer of G1 + G2 + G3 (left side
  from the oracle's own assembly of G3, right side from its values and slopes).
"""

from __future__ import annotations

import math
from typing import Callable, cast

import numpy as np
from numpy.typing import ArrayLike

from oracles.convex.variational import G123Solver
from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.fd import EPS, central_difference
from oracles.core.outcome import CLOSED_FORM_BUDGET, Outcome, budget_from_error, relative_gap
from oracles.flows.shallow_trainer import kernel_matrix
from oracles.model.shallow import Density, MirrorPotential, NetworkParams, init_params, network, validate_data

#: step of the finite differences in θ (f is piecewise bilinear in θ: away from kinks L is a quartic polynomial
#: along a coordinate and f quadratic along a line, so the truncation error is tiny and roundoff dominates)
FD_STEP = 1e-5


def displaced_params(
    seed: int, width: int, density: Density, perturbation: float, scaled: bool
) -> tuple[NetworkParams, np.ndarray]:
    r"""``(θ̂, δ)``: the nested initialization of ``seed`` and a displacement :math:`\delta = \theta - \hat\theta`,
    ``perturbation`` times standard normals from the stream ``default_rng([seed, 7])`` (divided by n when
    ``scaled``: the scaled regime moves θ by O(1/n)), so that :math:`\nabla^2\Phi(\theta) = \phi''(s\delta)` is not
    just :math:`\phi''(0)`."""
    if not (math.isfinite(perturbation) and perturbation >= 0):
        raise InvalidInput(f"perturbation must be a finite number >= 0, got {perturbation!r}")
    p0 = init_params(int(seed), int(width), density)
    delta = perturbation * np.random.default_rng([int(seed), 7]).standard_normal(3 * p0.n + 1)
    return p0, delta / (p0.n if scaled else 1.0)


def check_kernel_ode(
    x: ArrayLike,
    y: ArrayLike,
    density: Density,
    potential: MirrorPotential,
    scaled: bool,
    activation: str,
    width: int,
    seed: int,
    perturbation: float,
    *,
    factor: float = 2.0,
) -> Outcome:
    r"""The chain rule :math:`d\mathbf f/dt = -\text{factor}\cdot n\eta H(\mathbf f - \mathbf y)` (factor 2: the theorem
    with :math:`L = \sum(f - y)^2`; 1: the slides' literal form, a control) at θ = θ̂ + δ (:func:`displaced_params`),
    η = 1/n.

    Left side without J: :math:`\dot\theta = -\eta\,\nabla L/\phi''(s\delta)` with :math:`\nabla L` by central differences
    of L at step h = ``FD_STEP`` (and 2h), then :math:`d\mathbf f/dt` by a central difference of
    :math:`\tau\mapsto\mathbf f(\theta + \tau\dot\theta)` (step h/‖θ̇‖∞). Discrepancy: the relative gap to the right side.
    Error: the change of the left side between steps h and 2h (both differences) plus the roundoff of both
    (:meth:`oracles.core.fd.Derivative.roundoff`, scaled by the size of the terms f and L add up, propagated
    through :math:`\eta\|J\|_2/\min\phi''`). Budget: ``budget_from_error`` of that, at least ``CLOSED_FORM_BUDGET``.
    Inconclusive when a kink :math:`w_kx_i = b_k` lies within four steps of θ (f is not differentiable there).
    """
    x, y = validate_data(x, y, density)
    if not (isinstance(factor, (int, float)) and math.isfinite(factor)):
        raise InvalidInput(f"factor must be a finite number, got {factor!r}")
    p0, delta = displaced_params(seed, width, density, perturbation, scaled)
    n = p0.n
    s = float(n) if scaled else 1.0
    eta = 1.0 / n
    theta = p0.flat() + delta
    th = NetworkParams.from_flat(theta)
    z = th.w[:, None] * x[None, :] - th.b[:, None]
    xmax = max(1.0, float(np.max(np.abs(x))))
    h = FD_STEP
    if float(np.min(np.abs(z))) <= 4 * 2 * h * xmax:
        raise Inconclusive(
            "a kink within the finite-difference step", f"min |w x − b| = {float(np.min(np.abs(z))):.3g} at step {h:g}"
        )

    def f_of(v: np.ndarray) -> np.ndarray:
        return network(NetworkParams.from_flat(v), x, activation)

    def loss(v: np.ndarray) -> np.ndarray:
        r = f_of(v) - y
        return np.array([r @ r])

    r = f_of(theta) - y
    terms = float(
        np.sum(np.abs(th.a[:, None] * (np.abs(z) if activation == "abs" else np.maximum(z, 0.0))), axis=0).max()
        + abs(th.d)
        + np.max(np.abs(y))
    )  # the size of what f adds up
    dL = central_difference(loss, theta, h)
    hess = potential.hess(s * delta)  # ∇²Φ(θ), diagonal
    assert dL.coarse is not None  # central_difference differences at 2h by default
    sides = []
    for grad in (dL.value[0], dL.coarse[0]):
        thdot = -eta * grad / hess
        step = h / max(float(np.max(np.abs(thdot))), 1e-300)
        zdot = thdot[:n][:, None] * x[None, :] - thdot[n : 2 * n][:, None]
        if float(np.min(np.abs(z) - 8 * step * np.abs(zdot))) <= 0:
            raise Inconclusive("a kink within the finite-difference step along the flow", f"step {step:.3g}")
        # mypy cannot infer a lambda with a default argument (v binds this pass's thdot)
        dfd = central_difference(lambda t, v=thdot: f_of(theta + t[0] * v), np.zeros(1), step)  # type: ignore[misc]
        sides.append((dfd, thdot, step))
    (dfd, thdot, step), (dfd2, _, _) = sides
    lhs = dfd.value[:, 0]
    H = kernel_matrix(th, x, potential, scaled, activation, delta=NetworkParams.from_flat(delta))
    rhs = -factor * n * eta * H @ r
    scale = max(float(np.linalg.norm(lhs)), float(np.linalg.norm(rhs)), 1e-300)
    # J (m × (3n+1)) only for the error propagation of ∇L's roundoff
    sg = np.abs(z) if activation == "abs" else np.maximum(z, 0.0)
    dsg = np.sign(z) if activation == "abs" else (z > 0).astype(float)
    J = np.concatenate([th.a[:, None] * dsg * x[None, :], -th.a[:, None] * dsg, sg, np.ones((1, len(x)))]).T
    grad_round = dL.roundoff(2.0 * math.sqrt(len(x)) * float(np.linalg.norm(r)) * terms + float(r @ r))
    err = (
        float(np.linalg.norm(lhs - dfd2.value[:, 0]))
        + dfd.truncation()
        + dfd.roundoff(terms) * math.sqrt(len(x))
        + eta * float(np.linalg.norm(J, 2)) * grad_round / float(np.min(hess))
    ) / scale
    err += 100 * EPS * math.sqrt(3 * n + 1)
    gap = relative_gap(lhs, rhs)
    return Outcome(
        gap,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        f"relative gap of df/dt (finite differences of L and f) to −{factor:g}·nη·H(f − y), n = {n}",
        details={
            "lhs": lhs.tolist(),
            "rhs": rhs.tolist(),
            "step_theta": h,
            "step_flow": step,
            "ratio_lhs_over_rhs": float(lhs @ rhs / max(rhs @ rhs, 1e-300)),
        },
        floor=CLOSED_FORM_BUDGET,
    )


def g3_sides(h: Callable[[np.ndarray], ArrayLike], B: float) -> tuple[float, float]:
    r"""The right side :math:`B(h'(+\infty) - h'(-\infty)) - (h(B) + h(-B))` from evaluations of a function ``h`` that is
    linear outside :math:`[-B, B]` (the slopes from the values at ±(B + 1), ±(B + 2)), and the size of its terms."""
    v = np.asarray(h(np.array([-B - 2.0, -B - 1.0, -B, B, B + 1.0, B + 2.0])), float)
    s_minus, s_plus = v[1] - v[0], v[5] - v[4]
    rhs = B * (s_plus - s_minus) - (v[2] + v[3])
    return float(rhs), float(np.max(np.abs(v)) * (1.0 + B))


def check_g3_identity(
    x: ArrayLike, r: ArrayLike, density: Density, params: NetworkParams, *, plant: str = "none"
) -> Outcome:
    r"""The slides' G3 identity for :math:`\mathcal B` on [−B, B], on two functions (the worse decides):

    * the ReLU network function :math:`h(x) = \sum_ka_k(w_kx - b_k)_+` of ``params`` (kinks :math:`b_k/w_k` in the
      support): left side :math:`\sum_ka_k|w_k||b_k/w_k| - 2h(0)` from its kinks;
    * the Galerkin minimizer :math:`\bar h` of G1 + G2 + G3 with :math:`h(x_i) = r_i` (:class:`G123Solver`, 64
      cells): left side the oracle's own linear form of G3 (``asm.a3``, whose square over E[B²] is its G3).

    Right side :func:`g3_sides` (values and slopes). ``plant="minus"`` uses h(B) − h(−B) in place of h(B) + h(−B)
    (a control). Discrepancy: :math:`|lhs - rhs|` relative to the size of the terms. Budget: ``CLOSED_FORM_BUDGET``
    plus the roundoff of the terms (``1e3·eps``).
    """
    x, r = validate_data(x, r, density, yname="r")
    if plant not in ("none", "minus"):
        raise InvalidInput(f"plant must be 'none' or 'minus', got {plant!r}")
    lo, hi = density.lo, density.hi
    if abs(lo + hi) > 1e-12 * max(1.0, hi):
        raise InvalidInput(f"density must have a support [−B, B], got [{lo}, {hi}]")
    B = hi
    kinks = params.b / params.w
    if np.any(np.abs(kinks) > B):
        raise InvalidInput(f"params: the kinks b/w must lie in supp p_B = [−{B:g}, {B:g}]")
    net = NetworkParams(params.w, params.b, params.a, 0.0)

    def h_net(t):
        return network(net, t, "relu")

    def rhs_of(h):
        rhs, size = g3_sides(h, B)
        if plant == "minus":
            v = np.asarray(h(np.array([-B, B])), float)
            rhs += 2.0 * v[0]  # −(h(B) − h(−B)) in place of −(h(B) + h(−B))
        return rhs, size

    lhs_net = float(np.sum(params.a * np.abs(params.w) * np.abs(kinks))) - 2.0 * float(h_net(np.zeros(1))[0])
    rhs_net, size_net = rhs_of(h_net)
    size_net = max(size_net, float(np.sum(np.abs(params.a) * np.abs(params.w) * B)), 1e-300)
    solver = G123Solver(density)
    sol = solver.solve(x, r, 64)
    u = np.concatenate([sol.g, [sol.c0, sol.s0]])
    lhs_sol = float(sol.asm.a3 @ u)
    rhs_sol, size_sol = rhs_of(sol)
    size_sol = max(size_sol, float(np.max(np.abs(r))), 1e-300)
    gaps = {"network": abs(lhs_net - rhs_net) / size_net, "G1+G2+G3 minimizer": abs(lhs_sol - rhs_sol) / size_sol}
    work = {"network": params.n, "G1+G2+G3 minimizer": len(sol.g)}
    err = 1e3 * EPS * math.sqrt(max(work.values()))
    name = max(gaps, key=cast(Callable[[str], float], gaps.get))  # every key is in gaps
    return Outcome(
        gaps[name],
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        f"|∫h''|x| − 2h(0) − (B(h'(+∞) − h'(−∞)) − (h(B) {'−' if plant == 'minus' else '+'} h(−B)))| / size ({name})",
        details={
            "network": {"lhs": lhs_net, "rhs": rhs_net},
            "minimizer": {"lhs": lhs_sol, "rhs": rhs_sol},
            "gaps": gaps,
        },
        floor=CLOSED_FORM_BUDGET,
    )


__all__ = ["FD_STEP", "check_g3_identity", "check_kernel_ode", "displaced_params", "g3_sides"]
