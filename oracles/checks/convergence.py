r"""Deciding a convergence claim: a certificate that a flow has settled, and a witness that it never will.

li2022's Theorem 4.13, Corollary 4.14, Theorem 4.15(d) and Corollary 4.17 claim that :math:`w(t) = G(x(t))`
*converges*. A finite integration can neither prove nor disprove that by itself; this module turns the
claim into a verdict with two one-sided tests.

* :func:`lojasiewicz_tail` -- the **convergence certificate**. Along a gradient flow of an analytic
  function the Łojasiewicz inequality :math:`\|\nabla f\| \ge c\,(f - f^\star)^{1-\theta}` makes the speed
  decay at least like :math:`t^{-p}` with :math:`p = (1-\theta)/(1-2\theta) > 1` (exponentially when θ = ½, the
  PL case). The speed :math:`s_k = \|\dot w(T_k)\|` is recorded on the doubling horizons
  :math:`T_k = 2^k`; the measured exponent :math:`p = \min(\log_2(s_{k-2}/s_{k-1}), \log_2(s_{k-1}/s_k))`
  over the last two doublings gives the tail bound
  :math:`\|w_\infty - w(T_K)\| \le \int_{T_K}^\infty s_k (t/T_k)^{-p}\,dt = s_kT_k(T_K/T_k)^{1-p}/(p-1)` at the last
  horizon :math:`T_K` (k is the latest horizon whose speed and the two before it are above their rounding
  level and whose model every later recorded speed obeys, or is at rounding level). Where the rate
  :math:`\kappa_k = \ln(s_{k-1}/s_k)/(T_k - T_{k-1})` is positive over the window, the exponential model of the PL
  case (θ = ½) at the window's smaller rate κ, :math:`s(t) \le s_ke^{-\kappa(t - T_k)}`, tail
  :math:`s_ke^{-\kappa(T_K - T_k)}/\kappa`, is used when every later speed obeys it too and it is the smaller
  bound (a sum of decaying exponentials, as for least squares, slows towards its slowest rate, which is at
  most κ). The flow is
  certified to have settled when p > 1 and that bound, relative to the flow's size, is within the error the
  limit is already charged with (so the certificate confirms the error estimate instead of enlarging it).
  What the bound assumes is that the decay regime of the last two doublings persists -- the Łojasiewicz
  regime, which an analytic flow reaches and keeps once it is near its limit.
* :func:`divergence_witness` -- the **non-convergence witness**, a falsification rather than "inconclusive".
  Two parts, both decided:

  1. *No point satisfies the theorem's conclusion* (:func:`no_vi_point_certificate`): a direction u in the
     recession cone of dom R with :math:`z_i^\top u \ge m > 0` for every row of the exponential loss
     :math:`L(w) = \sum_ie^{-z_i^\top w}` gives :math:`\nabla L(w)^\top u \le -m\,L(w) < 0` at every w, while
     :math:`w + u \in \mathrm{dom}\,R`: the variational inequality :math:`\nabla L(w^*)^\top(w - w^*) \ge 0` of
     Theorem 4.13 has no solution on dom R (so argmin L is empty, no minimizer exists, and a mirror flow of a
     Legendre R on dom R, whose limits satisfy that inequality, cannot converge). u comes from an LP; the
     margin m is recomputed and must exceed ten times its rounding bound.
  2. *The flow escapes at a measured rate* (:func:`escape`): the flow is integrated in log-time to
     :math:`t = 10^K`; since :math:`L(w) \ge \max_ie^{-z_i^\top w} \ge e^{-\zeta\|w\|}` (ζ the largest
     :math:`\|z_i\|`) and L is nonincreasing along any gradient flow, :math:`\|w(t)\| \ge r_K = \ln(1/L(w(t_K)))/\zeta`
     for **all** :math:`t \ge t_K`. So after :math:`t_0 = 1` the flow moves, relative to its size, at least
     :math:`\delta = 1 - \|w(t_0)\|/r_K`: a certified lower bound on its relative Cauchy defect, which is the
     discrepancy (it tends to 1 as K grows: :math:`r_k` grows like :math:`\ln t`). Error: the change of δ between
     the two tolerances, plus the certificate's rounding. The growth rate of :math:`\|w\|` per unit of ln t is
     reported (1/γ for the identity, Soudry et al. 2018).

:func:`convergence_outcome` turns a computed limit into the convergence clause's
:class:`~oracles.core.outcome.Outcome`: discrepancy 0 (no evidence against convergence) with the certified
tail as its error, or inconclusive when the certificate does not apply. A witness's outcome falsifies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linprog
from scipy.special import logsumexp

from oracles.core.errors import Inconclusive, InvalidInput, Reason
from oracles.core.outcome import CLOSED_FORM_BUDGET, EPS, SAFETY, Outcome, budget_from_error
from oracles.flows.limits import RTOL_COARSE, RTOL_FINE, FlowLimit, exponential_gf_trajectory
from oracles.model.losses import ExponentialLoss, Loss
from oracles.model.parametrizations import Identity, Parametrization, Powers, Quadratic, UVSquared

#: Speeds below this multiple of EPS times the largest recorded speed are rounding noise: the exponent is
#: measured on the last horizons above it.
SPEED_NOISE = 1e2
#: Decades of t over which :func:`escape` follows a diverging flow (t up to 10^60, a few hundred steps in log-time).
ESCAPE_DECADES = 60
#: How a limit is integrated when its convergence is to be certified (keywords of
#: :func:`oracles.flows.limits.gradient_flow_limit`): horizons from t = 1/64 (a fast flow's decay is resolved
#: before its speed reaches rounding level), at least three of them, the speed sampled four times per doubling.
CERTIFIED: dict[str, Any] = {"t0": 1.0 / 64, "min_horizons": 3, "speed_samples": 4}


@dataclass
class Tail:
    """A Łojasiewicz tail bound on how far a computed limit still is from the flow's true limit.

    Attributes
    ----------
    bound
        Relative bound :math:`\\|w_\\infty - w(T)\\|/\\max(\\|w(T)\\|, \\text{scale})` (``inf`` when it does not apply).
    exponent
        The measured decay exponent p of the speed (``nan`` when not measured).
    T
        The horizon the bound starts from.
    reason
        Why the bound does not apply ('' when it does).
    """

    bound: float
    exponent: float
    T: float
    reason: str = ""
    speeds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"tail_bound": self.bound, "decay_exponent": self.exponent, "at_T": self.T, "tail_reason": self.reason}


def lojasiewicz_tail(lim: FlowLimit, scale: float = 0.0) -> Tail:
    r"""The Łojasiewicz tail bound :math:`s_kT_k(T_K/T_k)^{1-p}/(p - 1)` of a limit computed on doubling horizons
    (module docstring).

    Parameters
    ----------
    lim
        A limit whose ``history`` records ``speed`` (:math:`\|\dot w\|`) at each horizon.
    scale
        The flow's size (e.g. :math:`\|w_0\|`); the bound is relative to ``max(‖w(T)‖, scale)``.

    Returns
    -------
    Tail
        ``bound = inf`` with a ``reason`` when fewer than three horizons carry a resolved speed or the
        speed does not decay faster than 1/t (p ≤ 1: the path length need not be finite).
    """
    rows = lim.speeds or [[h["T"], h["speed"], h.get("speed_noise", 0.0)] for h in lim.history if "speed" in h]
    if len(rows) < 3:
        return Tail(math.inf, math.nan, lim.T, "fewer than three recorded speeds")
    Ts, s, noise = (np.array(c, float) for c in zip(*rows))
    if not np.all(np.isfinite(s)):
        return Tail(math.inf, math.nan, lim.T, "non-finite speed")
    floor = np.maximum(SPEED_NOISE * noise, SPEED_NOISE * EPS * float(np.max(s)))
    size = max(float(np.linalg.norm(lim.w)), float(scale), 1e-300)
    if float(np.max(s)) == 0.0:  # the flow starts at rest: it is its own limit
        return Tail(0.0, math.inf, float(Ts[-1]), "", s.tolist())
    ok = s > floor
    TK = float(lim.T)
    reason = "fewer than three speeds above their rounding level"
    for j in range(s.size - 1, 1, -1):  # the latest window of three resolved speeds whose model fits what follows
        if not (ok[j] and ok[j - 1] and ok[j - 2]):
            continue
        a, b = j - 2, j - 1
        p = min(math.log(s[a] / s[b]) / math.log(Ts[b] / Ts[a]), math.log(s[b] / s[j]) / math.log(Ts[j] / Ts[b]))
        if not p > 1.0:
            reason = f"speed decays like t^{-p:.3g}, not faster than 1/t"
            continue
        later = slice(j + 1, None)
        bounds = []
        power = s[j] * (Ts[later] / Ts[j]) ** (-p)
        if np.all(s[later] <= np.maximum(power, floor[later])):
            # s(t) <= s_j (t/T_j)^-p from T_j on: the path after T_K is at most s_j T_j (T_K/T_j)^(1-p)/(p-1)
            bounds.append(float(s[j] * Ts[j] / (p - 1.0) * (TK / Ts[j]) ** (1.0 - p)))
        kap = min(math.log(s[a] / s[b]) / (Ts[b] - Ts[a]), math.log(s[b] / s[j]) / (Ts[j] - Ts[b]))
        if (
            kap > 0
        ):  # exponential decay (the PL case, θ = 1/2) at the window's smaller rate: s(t) <= s_j e^{-κ(t - T_j)}
            expo = s[j] * np.exp(-kap * (Ts[later] - Ts[j]))
            if np.all(s[later] <= np.maximum(expo, floor[later])):
                bounds.append(float(s[j] * math.exp(-kap * (TK - Ts[j])) / kap))
        if bounds:
            return Tail(min(bounds) / size, p, TK, "", s.tolist())
        reason = "the speeds after the last decay window do not follow its rate"
    return Tail(math.inf, math.nan, lim.T, reason, s.tolist())


def convergence_outcome(lim: FlowLimit, scale: float = 0.0, *, allowed: float | None = None) -> Outcome:
    r"""The convergence clause for a limit that settled: held with the Łojasiewicz tail as its error, or undecided.

    Discrepancy: the certified lower bound on the relative Cauchy defect of w(t) after T, which is 0 for a
    flow that settled (nothing contradicts convergence); error: the tail bound (:func:`lojasiewicz_tail`).
    The certificate applies when the tail bound is at most ``allowed`` (default: the error the limit is
    already charged with, ``max(lim.error, 1e-10)``: then ten times it is within every budget the limit's checks
    use, ``max(1e-9, 10·error)``, so certifying adds nothing to them);
    otherwise the example is inconclusive ("not converged", detail "convergence not certified: ...").
    """
    tail = lojasiewicz_tail(lim, scale)
    allowed = max(float(lim.error), CLOSED_FORM_BUDGET / SAFETY) if allowed is None else float(allowed)
    if not tail.bound <= allowed:
        why = tail.reason or f"Łojasiewicz tail bound {tail.bound:.3g} above the limit's error {allowed:.3g}"
        return Outcome.undecided(
            Reason.NOT_CONVERGED,
            "convergence of w(t)",
            detail=f"convergence not certified: {why}",
            limit=lim.summary(),
            **tail.summary(),
        )
    return Outcome(
        0.0,
        budget_from_error(tail.bound, CLOSED_FORM_BUDGET),
        tail.bound,
        "certified lower bound on the relative Cauchy defect of w(t) after T (Łojasiewicz tail as error)",
        details={"convergence": "certified", **tail.summary()},
    )


# ------------------------------------------------------------------------------------ the witness
def recession_cone(G: Parametrization) -> tuple[np.ndarray, bool] | None:
    r"""Generators of the recession cone of dom R for G's Lemma 4.7 R: ``(C, free)``, u = Cc with c free or c ≥ 0.

    The identity and :math:`u^{\odot2} - v^{\odot2}`: dom R = ℝ^d (``(I, True)``); :math:`x^{\odot2}`:
    ℝ≥0^d (``(I, False)``); a commuting quadratic :math:`G = \tfrac12\sum_b\lambda_b(O^\top x)_b^2`: the closed
    cone spanned by the columns :math:`\lambda_b` of its eigenvalue matrix (Thm 4.15(d): dom R is the closure
    of range ∇Q, that cone). ``None`` for other families.
    """
    if isinstance(G, (Identity, UVSquared)):
        return np.eye(G.d), True
    if isinstance(G, Powers) and G.p == 2.0:
        return np.eye(G.d), False
    if isinstance(G, Quadratic):
        eig = G.common_eigenbasis()
        if eig is not None:
            return np.asarray(eig[1], float), False
    return None


def no_vi_point_certificate(G: Parametrization, loss: Loss) -> dict[str, Any] | None:
    r"""A certificate that no :math:`w^* \in \mathrm{dom}\,R` satisfies Thm 4.13's variational inequality, or ``None``.

    Only the exponential loss (no finite minimizer on separable data) has one: u = Cc in the recession cone
    of dom R (:func:`recession_cone`) with :math:`\min_i z_i^\top u \ge 1` from an LP (HiGHS); the margin
    :math:`m = \min_i z_i^\top u` is recomputed in floats and must exceed ten times its rounding bound
    :math:`2d\varepsilon\max_i|z_i|^\top|u|`. ``None`` for other losses, for families without a known cone,
    and when the LP is infeasible (then a VI point may exist).
    """
    if not isinstance(loss, ExponentialLoss):
        return None
    cone = recession_cone(G)
    if cone is None:
        return None
    C, free = cone
    Zc = loss.Zc
    M = Zc @ C
    res = linprog(
        np.ones(C.shape[1]) * (0.0 if free else 1.0),
        A_ub=-M,
        b_ub=-np.ones(Zc.shape[0]),
        bounds=[(None, None) if free else (0.0, None)] * C.shape[1],
        method="highs",
    )
    if res.status != 0:
        return None
    c = np.asarray(res.x, float)
    if not free:
        c = np.maximum(c, 0.0)  # exactly in the cone
    u = C @ c
    m = float(np.min(Zc @ u))
    rnd = 2.0 * Zc.shape[1] * EPS * float(np.max(np.abs(Zc) @ np.abs(u))) + 2.0 * C.shape[1] * EPS * float(
        np.max(np.abs(C) @ np.abs(c))
    ) * float(np.max(np.linalg.norm(Zc, axis=1)))
    if not m > SAFETY * rnd:
        return None
    return {"u": u.tolist(), "margin": m, "rounding": rnd, "cone": "R^d" if free else "cone(C)"}


@dataclass
class Escape:
    """The measured escape of a flow on the exponential loss (:func:`escape`)."""

    delta: float
    error: float
    radius: float
    norms: list[float]
    radii: list[float]
    log_t: list[float]
    rate: float


def trap_certificate(G: Parametrization, loss: Loss, x_init: ArrayLike) -> dict[str, Any] | None:
    r"""For a loss with a trap (``loss.trap_certificate``, e.g. :class:`oracles.model.nonconvex_losses.RidgeBump`): a
    certificate that the flow from ``x_init`` starts, and so stays, in a forward-invariant set where a direction u
    of dom R's recession cone has :math:`\nabla L^\top u < 0` -- no point of the trap satisfies the variational
    inequality, so no limit exists. ``None`` when the loss has no trap, w0 is outside it, or u is not in the cone."""
    if not hasattr(loss, "trap_certificate"):
        return None
    cone = recession_cone(G)
    if cone is None:
        return None
    cert = loss.trap_certificate(G.value(G.check_point(x_init, "x_init")))
    if cert is None:
        return None
    C, free = cone
    u = np.asarray(cert["direction"], float)
    if not free:  # u must be a nonnegative combination of the cone's generators
        from scipy.optimize import nnls

        c, res = nnls(C, u)
        if not res <= 1e-12 * max(1.0, float(np.linalg.norm(u))):
            return None
    return {**cert, "rounding": 0.0, "margin": 1.0, "cone": "R^d" if free else "cone(C)"}


def escape(G: Parametrization, loss: Loss, x_init: ArrayLike, *, decades: int = ESCAPE_DECADES) -> Escape:
    r"""Follow the flow to :math:`t = 10^K` and bound its escape: :math:`\|w(t)\| \ge r_K` for all :math:`t \ge t_K`.

    ``delta`` is :math:`1 - \|w(1)\|/r_K`, the certified lower bound on the flow's relative Cauchy defect
    after t = 1 (module docstring); ``error`` its change between rtol 1e-8 and 1e-11; ``rate`` the growth of
    :math:`\|w\|` per unit of ln t over the last half of the decades. The radius is :math:`\ln(1/L)/\zeta` for
    the exponential loss, else ``loss.escape_radius(L)`` (a trap's bound: every point of the trap with loss at
    most L has :math:`\|w\| \ge` it).
    """
    x0 = G.check_point(x_init, "x_init")
    ts = 10.0 ** np.arange(0, decades + 1)
    if isinstance(loss, ExponentialLoss):
        zeta = float(np.max(np.linalg.norm(loss.Zc, axis=1)))

        def radius(w):
            return -float(logsumexp(-(loss.Zc @ w))) / zeta
    elif hasattr(loss, "escape_radius"):

        def radius(w):
            return float(loss.escape_radius(loss.value(w)))
    else:
        raise InvalidInput(f"no escape radius for the loss {getattr(loss, 'name', loss)!r}")
    out = {}
    for rtol in (RTOL_COARSE, RTOL_FINE):
        X = exponential_gf_trajectory(G, loss, x0, ts, rtol=rtol)
        W = np.array([G.value(x) for x in X])
        r = np.array([radius(w) for w in W])
        n = np.linalg.norm(W, axis=1)
        rK = float(r[-1])
        delta = 1.0 - float(n[0]) / rK if rK > 0 else -math.inf
        out[rtol] = (delta, rK, n, r)
    dF, rK, n, r = out[RTOL_FINE]
    dC = out[RTOL_COARSE][0]
    lt = np.log(ts)
    h = ts.size // 2
    rate = float((n[-1] - n[h]) / (lt[-1] - lt[h]))
    return Escape(dF, abs(dF - dC), rK, n.tolist(), r.tolist(), lt.tolist(), rate)


def divergence_witness(
    G: Parametrization, loss: Loss, x_init: ArrayLike, *, decades: int = ESCAPE_DECADES
) -> Outcome | None:
    r"""The non-convergence witness (module docstring), as a falsifying Outcome; ``None`` when there is none.

    Returns ``None`` unless :func:`no_vi_point_certificate` proves that no point of dom R satisfies the
    theorem's conclusion, or :func:`trap_certificate` proves it for a forward-invariant set the flow starts
    in. Then the flow is followed (:func:`escape`) and the outcome's discrepancy is the certified relative
    escape δ, its budget ten times (δ's two-tolerance change + the certificate's relative rounding), at least
    1e-9. A flow that does not measurably escape (δ ≤ 0.5) is inconclusive, though the certificate alone
    refutes the conclusion: the witness is meant to be seen, not inferred.
    """
    cert = no_vi_point_certificate(G, loss)
    if cert is None:
        cert = trap_certificate(G, loss, x_init)
    if cert is None:
        return None
    esc = escape(G, loss, x_init, decades=decades)
    if not esc.delta > 0.5:
        raise Inconclusive(
            Reason.NOT_CONVERGED, f"no measured escape: certified relative escape {esc.delta:.3g} by t = 1e{decades}"
        )
    err = esc.error + cert["rounding"] / cert["margin"]
    return Outcome(
        esc.delta,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        "certified relative escape 1 - |w(1)|/r_K of w(t) (no point of dom R, or of a forward-invariant "
        "set the flow is in, satisfies the limit's variational inequality: the flow does not converge)",
        details={
            "convergence": "refuted",
            "certificate": cert,
            "escape_radius": esc.radius,
            "norm_growth_per_ln_t": esc.rate,
            "norms": esc.norms[:: max(1, len(esc.norms) // 12)],
            "radii": esc.radii[:: max(1, len(esc.radii) // 12)],
            "G": G.name,
        },
    )


__all__ = [
    "CERTIFIED",
    "Escape",
    "Tail",
    "convergence_outcome",
    "divergence_witness",
    "escape",
    "lojasiewicz_tail",
    "no_vi_point_certificate",
    "recession_cone",
    "trap_certificate",
]
