r"""The lecture notes' "Back to Reparameterization" steps: D_φ as a local quadratic, and the preconditioned mirror step.

* :func:`bregman_quadratic_form_gap` -- :math:`D_\phi(x, z) = \tfrac12(x - z)^\top\nabla^2\phi(y)(x - z)` for some y on the
  segment [z, x] (the notes drop the ½): through the exact integral remainder
  :math:`D_\phi(x, z) = \int_0^1(1 - s)h(s)\,ds`, :math:`h(s) = (x - z)^\top\nabla^2\phi(z + s(x - z))(x - z)`, and certified
  bounds of h on [0, 1].
* :func:`preconditioned_step_gap` -- with :math:`D(x, z) = \tfrac12(x - z)^\top K(x - z)`, the mirror-descent argmin is
  :math:`x_{t+1} = x_t - \eta K^{-1}\nabla f(x_t)`.
* :func:`preconditioned_flow_limit_gap` -- those iterates over a horizon T = Nη approach the flow
  :math:`\dot x = -K^{-1}\nabla f(x)` at first order in η.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import quad
from scipy.linalg import cho_factor, cho_solve
from scipy.optimize import minimize

from oracles.core.errors import Inconclusive, InvalidInput, as_matrix, as_vector
from oracles.core.ode import TWO_TOLERANCES
from oracles.core.outcome import CLOSED_FORM_BUDGET, EPS, Outcome, Panel, budget_from_error, relative_gap
from oracles.model.potentials import EntropyPotential, EuclideanPotential, HypentropyPotential, PNormPotential

if TYPE_CHECKING:
    from oracles.model.losses import Loss
    from oracles.model.potentials import SeparablePotential

#: The potentials whose φ_i'' is a monotone function of |w| on the domain (so its extremes on an interval are at
#: the ends, or at 0 when the interval contains it): the certified bounds of h rest on this.
MONOTONE_CURVATURE = (EntropyPotential, EuclideanPotential, HypentropyPotential, PNormPotential)


def _curvature_bounds(phi, x: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Per coordinate, the min and max of :math:`\phi_i''` on the segment between :math:`z_i` and :math:`x_i`."""
    lo, hi = np.minimum(x, z), np.maximum(x, z)
    cands = [phi.hess_diag(lo), phi.hess_diag(hi)]
    across = (lo < 0) & (hi > 0)
    if np.any(across):
        with np.errstate(divide="ignore"):
            at0 = np.where(across, phi.hess_diag(np.zeros_like(x)), cands[0])
        cands.append(at0)
    C = np.vstack(cands)
    return np.min(C, axis=0), np.max(C, axis=0)


def bregman_quadratic_form_gap(phi: SeparablePotential, x: ArrayLike, z: ArrayLike, *, factor: float = 0.5) -> Outcome:
    r"""notes, Mirror Descent ("Think of it as locally quadratic"): :math:`D_\phi(x, z) = c\,(x - z)^\top\nabla^2\phi(y)(x - z)`
    for some y on [z, x], with c = ``factor`` (½ is right; the notes write 1).

    Checked two ways. (i) The integral form of Taylor's remainder, :math:`D_\phi(x, z) = \int_0^1(1 - s)h(s)ds`, which
    gives the claim with c = ½ by the mean value theorem for integrals (the weights 1 − s integrate to ½): the
    closed-form :math:`D_\phi` (term by term) against ``scipy.integrate.quad`` (relative gap; error quad's estimate
    plus the rounding of D's terms). (ii) The bracket :math:`c\,h_{lo} \le D_\phi \le c\,h_{hi}` with certified
    bounds :math:`h_{lo} \le h(s) \le h_{hi}` on [0, 1] (:math:`\sum_id_i^2` times the extremes of :math:`\phi_i''` on
    the coordinate's interval, φ_i'' being a monotone function of |w| for the potentials allowed): a violation
    proves that no y satisfies the claim with that c. Discrepancy: the larger of (i) (only with c = ½) and the
    bracket's relative violation (0 when it holds). Budget: ten times the errors, at least 1e-9.

    Raises
    ------
    InvalidInput
        Potentials outside :data:`MONOTONE_CURVATURE`, points outside dom φ, x = z.
    """
    if not isinstance(phi, MONOTONE_CURVATURE):
        raise InvalidInput(f"phi must be one of {[c.__name__ for c in MONOTONE_CURVATURE]}, got {type(phi).__name__}")
    x = as_vector(x, "x")
    z = as_vector(z, "z", x.size)
    if not (phi.in_domain(x) and phi.in_domain(z)):
        raise InvalidInput(f"x and z must lie in dom phi of {phi.name}")
    if isinstance(phi, PNormPotential) and phi.p < 2 and np.any((np.minimum(x, z) <= 0) & (np.maximum(x, z) >= 0)):
        raise InvalidInput("for p < 2 the segment [z, x] must not cross 0 (phi'' is infinite there)")
    d = x - z
    if not np.any(d != 0):
        raise InvalidInput("x = z: D_phi = 0 and every y works")
    terms = phi.divergence_terms(x, z)
    D = float(np.sum(terms))
    vt = np.abs(phi.value_terms(x)) + np.abs(phi.value_terms(z)) + np.abs(phi.grad(z) * d)
    d_err = 10 * EPS * float(np.sum(vt))
    if not D > 100 * d_err:
        raise Inconclusive("divergence at rounding level", f"D = {D:.3g} against its rounding {d_err:.3g}")

    def h(s):
        return float(np.sum(d * d * phi.hess_diag(z + s * d)))

    integral, q_err = quad(lambda s: (1.0 - s) * h(s), 0.0, 1.0, epsabs=0.0, epsrel=1e-13, limit=200)
    lo, hi = _curvature_bounds(phi, x, z)
    h_lo, h_hi = float(np.sum(d * d * lo)), float(np.sum(d * d * hi))
    viol = max(0.0, factor * h_lo - D, D - factor * h_hi) / D
    ident = abs(D - integral) / D if factor == 0.5 else 0.0
    err = (d_err + q_err) / D + 10 * EPS * (1.0 + h_hi / max(D, 1e-300))
    return Outcome(
        max(ident, viol),
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        f"max(|D - int (1-s)h| / D, violation of {factor:g}·[h_lo, h_hi] ∋ D) (relative)",
        details={
            "phi": phi.name,
            "D": D,
            "integral": integral,
            "h_lo": h_lo,
            "h_hi": h_hi,
            "c_range": [D / h_hi if h_hi > 0 else None, D / h_lo if h_lo > 0 else None],
        },
    )


def _spd(K) -> np.ndarray:
    K = as_matrix(K, "K")
    if K.shape[0] != K.shape[1] or not np.allclose(K, K.T, rtol=0, atol=1e-12 * float(np.max(np.abs(K)))):
        raise InvalidInput("K must be a symmetric square matrix")
    if not float(np.min(np.linalg.eigvalsh(K))) > 0:
        raise InvalidInput("K must be positive definite")
    return 0.5 * (K + K.T)


def preconditioned_step_gap(K: ArrayLike, loss: Loss, x: ArrayLike, eta: float, *, variant: str = "inverse") -> Outcome:
    r"""notes, "Back to Reparameterization": with :math:`D(x, z) = \tfrac12(x - z)^\top K(x - z)`, K ≻ 0, the step
    :math:`\arg\min_x f(x_t) + \langle\nabla f(x_t), x - x_t\rangle + D(x, x_t)/\eta` is :math:`x_t - \eta K^{-1}\nabla f(x_t)`.

    The argmin is computed by ``scipy.optimize.minimize`` (trust-exact with the exact gradient and Hessian
    K/η), the identity by a Cholesky solve. ``variant="K"`` plants :math:`x_t - \eta K\nabla f(x_t)`. Discrepancy: the
    relative gap. Error: the argmin's remaining Newton step plus :math:`10\varepsilon\kappa(K)` of the solve.
    """
    K = _spd(K)
    x = as_vector(x, "x", K.shape[0])
    if not (np.isfinite(eta) and eta > 0):
        raise InvalidInput(f"eta must be positive, got {eta}")
    g = np.asarray(loss.grad(x), float)
    cho = cho_factor(K)
    Ke = K / eta

    def q(v):
        dv = v - x
        return float(g @ dv + 0.5 * dv @ Ke @ dv)

    res = minimize(
        q,
        x.copy(),
        jac=lambda v: g + Ke @ (v - x),
        hess=lambda v: Ke,
        method="trust-exact",
        options={"gtol": 1e-14, "maxiter": 200},
    )
    xa = np.asarray(res.x, float)
    newton = float(np.linalg.norm(cho_solve(cho, eta * (g + Ke @ (xa - x)))))
    if variant == "inverse":
        ident = x - eta * cho_solve(cho, g)
    elif variant == "K":
        ident = x - eta * K @ g
    else:
        raise InvalidInput(f"variant must be 'inverse' or 'K', got {variant!r}")
    scale = max(float(np.linalg.norm(ident)), float(np.linalg.norm(xa)), 1e-300)
    ev = np.linalg.eigvalsh(K)
    err = newton / scale + 10 * EPS * (1.0 + float(ev[-1] / ev[0])) * (1.0 + eta * float(np.linalg.norm(g)) / scale)
    return Outcome(
        relative_gap(xa, ident),
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        f"relative gap between the argmin step and x - eta {'K^-1' if variant == 'inverse' else 'K'} grad f",
        details={"eta": eta, "cond_K": float(ev[-1] / ev[0]), "argmin_iterations": int(res.nit)},
    )


#: Step counts of :func:`preconditioned_flow_limit_gap`: η = T/N for N = 64, 128, 256, 512.
FLOW_STEPS = (64, 128, 256, 512)


def preconditioned_flow_limit_gap(
    K: ArrayLike, loss: Loss, x0: ArrayLike, T: float, *, flow: str = "preconditioned", order: float = 1.0
) -> Outcome:
    r"""notes, "as we take the step size to zero ... :math:`\dot x(t) = -(\nabla^2\phi(x(t)))^{-1}\nabla f(x(t))`", for
    :math:`\phi = \tfrac12x^\top Kx`: N steps :math:`x_{j+1} = x_j - \eta K^{-1}\nabla f(x_j)`, η = T/N, approach the flow
    :math:`\dot x = -K^{-1}\nabla f(x)` at time T, at first order in η.

    For N in :data:`FLOW_STEPS` the errors :math:`e_N = \|x_N - x(T)\|` (the flow by DOP853 at rtol 1e-11, checked
    against rtol 1e-8) must halve with N: the ratios :math:`\rho_N = e_{2N}/e_N = 2^{-p} + O(1/N)` with p = ``order``
    (1 is the claim). Discrepancy :math:`|\rho_{256} - 2^{-p}|` (the last ratio); error the ratio's own drift
    :math:`|\rho_{256} - \rho_{128}|` (the size of its O(1/N) term) plus the flow's two-tolerance change over
    :math:`e_{512}`; budget ten times that, at least 1e-9. ``flow="gradient"`` plants the unpreconditioned flow
    :math:`\dot x = -\nabla f(x)` as the limit; ``order=2`` plants second order (negative controls).
    Inconclusive when :math:`e_{64}` is at rounding level (the start is stationary).
    """
    K = _spd(K)
    x0 = as_vector(x0, "x0", K.shape[0])
    if not (np.isfinite(T) and T > 0):
        raise InvalidInput(f"T must be positive, got {T}")
    if flow not in ("preconditioned", "gradient"):
        raise InvalidInput(f"flow must be 'preconditioned' or 'gradient', got {flow!r}")
    cho = cho_factor(K)

    def md(N: int) -> np.ndarray:
        eta, v = T / N, x0.copy()
        for _ in range(N):
            v = v - eta * cho_solve(cho, loss.grad(v))
        return v

    if flow == "preconditioned":

        def rhs(t, v):
            return -cho_solve(cho, loss.grad(v))
    else:

        def rhs(t, v):
            return -np.asarray(loss.grad(v), float)

    ends = [
        integ.solve(rhs, (0.0, T), x0, t_eval=np.array([0.0, T])).final
        for integ in (TWO_TOLERANCES.fine, TWO_TOLERANCES.coarse)
    ]
    xf, flow_err = ends[0], float(np.linalg.norm(ends[0] - ends[1]))
    e = np.array([float(np.linalg.norm(md(N) - xf)) for N in FLOW_STEPS])
    scale = max(float(np.linalg.norm(x0)), float(np.linalg.norm(xf)), 1e-300)
    if not e[0] > 1e-9 * scale:
        raise Inconclusive("no discretization error", f"e_64 = {e[0]:.3g}: the start is (nearly) stationary")
    rho = e[1:] / e[:-1]
    target = 2.0 ** -float(order)
    disc = abs(float(rho[-1]) - target)
    err = abs(float(rho[-1] - rho[-2])) + 2.0 * flow_err / float(e[-1]) + 100 * EPS * scale / float(e[-1])
    ns = list(FLOW_STEPS)

    def panels():
        return [
            Panel(
                "preconditioned mirror descent against its flow at time T",
                "N (steps)",
                "‖x_N − x(T)‖",
                {"error": (ns, e.tolist()), "first order C/N": (ns, (e[0] * ns[0] / np.array(ns)).tolist())},
                logy=True,
            )
        ]

    return Outcome(
        disc,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        f"|e_512/e_256 - 2^-{order:g}| (MD iterates vs the {flow} flow at T)",
        details={"errors": e.tolist(), "ratios": rho.tolist(), "flow_error": flow_err, "T": T},
        plot=panels,
    )


__all__ = [
    "FLOW_STEPS",
    "MONOTONE_CURVATURE",
    "bregman_quadratic_form_gap",
    "preconditioned_flow_limit_gap",
    "preconditioned_step_gap",
]
