r"""Basis pursuit recovers a k-sparse vector from O(k log(n/k)) Gaussian measurements (lecture notes, side remark).

The stated constant is Chandrasekaran, Recht, Parrilo, Willsky (2012), *The convex geometry of linear inverse
problems*: for A with i.i.d. N(0, 1) entries (m × n) and x k-sparse, x is the unique solution of
:math:`\min\|z\|_1` s.t. :math:`Az = Ax` with probability at least

.. math:: 1 - \exp\big(-\tfrac12(\lambda_m - w)^2\big), \qquad \lambda_m = \mathbb E\|g\|_{\mathbb R^m} \ge \frac{m}{\sqrt{m + 1}},

whenever :math:`m \ge w^2 + 1`, where w is the Gaussian width of the ℓ1 descent cone at x intersected with the sphere
(Corollary 3.3), and :math:`w^2 \le 2k\ln(n/k) + \tfrac54k` (Proposition 3.10). So
:math:`m \gtrsim 2k\ln(n/k) + \tfrac54k` -- the notes' :math:`O(k\log\frac nk)` with constant 2.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linprog
from scipy.stats import binom

from oracles.core.errors import Inconclusive, InvalidInput
from oracles.core.outcome import Outcome, Panel

#: The one-sided binomial tail below which a failure count falsifies the guarantee.
TAIL = 1e-6


def width_bound(n: int, k: int) -> float:
    r""":math:`w^2 \le 2k\ln(n/k) + \tfrac54k` (CRPW Proposition 3.10), the squared Gaussian width's bound."""
    return 2.0 * k * math.log(n / k) + 1.25 * k


def failure_bound(m: int, n: int, k: int) -> float:
    r"""CRPW's bound on the failure probability, :math:`\exp(-\tfrac12(m/\sqrt{m+1} - w)^2)` with w from
    :func:`width_bound` (1 when :math:`m < w^2 + 1` or :math:`m/\sqrt{m+1} \le w`: no guarantee)."""
    w2 = width_bound(n, k)
    lam = m / math.sqrt(m + 1.0)
    w = math.sqrt(w2)
    if m < w2 + 1 or lam <= w:
        return 1.0
    return math.exp(-0.5 * (lam - w) ** 2)


def measurements_for(n: int, k: int, t: float) -> int:
    r"""The least m with :math:`m/\sqrt{m+1} \ge w + t` (so the failure bound is at most :math:`e^{-t^2/2}`)."""
    w = math.sqrt(width_bound(n, k))
    m = max(1, int(math.ceil(width_bound(n, k) + 1)))
    while m / math.sqrt(m + 1.0) < w + t:
        m += 1
    return m


def _trial(rng: np.random.Generator, m: int, n: int, k: int) -> bool:
    r"""One draw: Gaussian A (m × n), x with k nonzeros (random support, N(0, 1) values); recovered or not.

    First Fuchs' dual certificate (exact: it proves x the unique minimizer when it holds); otherwise basis pursuit as
    the LP :math:`\min\mathbf 1^\top(p + q)`, :math:`A(p - q) = Ax` (HiGHS). Recovered: the minimizer is x
    to 1e-6 relative. Not recovered: a feasible :math:`\hat x \ne x` (residual below 1e-9 relative) with
    :math:`\|\hat x\|_1 \le \|x\|_1(1 + 10^{-9})`, a witness that x is not the unique minimizer; anything else
    (an LP that HiGHS does not solve, or a point worse than x) is inconclusive."""
    A = rng.standard_normal((m, n))
    x = np.zeros(n)
    S = rng.choice(n, size=k, replace=False)
    x[S] = rng.standard_normal(k)
    b = A @ x
    # Fuchs' certificate, sufficient for x to be the unique minimizer: A_S of full column rank and the least-norm
    # y with A_S^T y = sign(x_S) has |A_j^T y| < 1 off S (cheap; the LP decides when it does not hold)
    AS = A[:, S]
    if np.linalg.matrix_rank(AS) == k:
        y = np.linalg.lstsq(AS.T, np.sign(x[S]), rcond=None)[0]
        off = np.delete(np.arange(n), S)
        if float(np.max(np.abs(A[:, off].T @ y))) < 1.0 - 1e-9:
            return True
    res = linprog(
        np.ones(2 * n),
        A_eq=np.hstack([A, -A]),
        b_eq=b,
        bounds=(0, None),
        method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    if res.status != 0:
        raise Inconclusive("LP not solved", str(res.message))
    xh = res.x[:n] - res.x[n:]
    nx = float(np.linalg.norm(x))
    if np.linalg.norm(xh - x) <= 1e-6 * nx:
        return True
    resid = float(np.linalg.norm(A @ xh - b)) / max(float(np.linalg.norm(b)), 1e-300)
    if resid <= 1e-9 and np.sum(np.abs(xh)) <= np.sum(np.abs(x)) * (1.0 + 1e-9):
        return False
    raise Inconclusive(
        "LP answer is no witness", f"residual {resid:.3g}, l1 ratio {np.sum(np.abs(xh)) / np.sum(np.abs(x)):.12g}"
    )


def recovery_rate_gap(
    n: int, k: int, seed: int, *, t: float = 3.0, trials: int = 8, m_claim: int | None = None, sweep: int = 10
) -> Outcome:
    r"""notes (side remark, with CRPW's constant): at :math:`m = ` :func:`measurements_for` (n, k, t) Gaussian measurements
    (``m_claim`` plants another m with the same guarantee: a control), basis pursuit fails on a random k-sparse x with probability at
    most :math:`p_0 = ` :func:`failure_bound` :math:`\le e^{-t^2/2}` (t = 3: 0.011).

    ``trials`` independent draws (seeded by ``seed``), each certified by the LP's KKT residual; a draw fails when
    the LP's minimizer is not x (then x is not the unique minimizer: it has an ℓ1 norm at most x's). The failure
    count F is compared with the largest count the guarantee allows at a one-sided binomial tail of
    :data:`TAIL`: discrepancy F/trials, budget :math:`F_{crit}`/trials (statistical, not numerical: the claim is a
    probability). The report's plot is the phase transition of this (n, k): the success rate over ``sweep`` values
    of m from 1 to n (min(trials, 8) draws each, computed only when a report is written) with CRPW's guarantee.
    """
    n, k, trials = int(n), int(k), int(trials)
    if not (1 <= k < n and trials >= 1):
        raise InvalidInput(f"need 1 <= k < n and trials >= 1, got n={n}, k={k}, trials={trials}")
    m0 = measurements_for(n, k, t)
    m = m0 if m_claim is None else int(m_claim)
    if m >= n:
        raise InvalidInput(f"m = {m} >= n = {n}: choose a sparser k or a larger n (every A is then injective)")
    p0 = failure_bound(m0, n, k)
    rng = np.random.default_rng(int(seed))
    fails = sum(not _trial(rng, m, n, k) for _ in range(trials))
    # the largest F with P(Bin(trials, p0) >= F) >= TAIL: binom.sf(F - 1) = P(X >= F)
    f_crit = max(f for f in range(trials + 1) if binom.sf(f - 1, trials, p0) >= TAIL)

    def panels():
        ms = sorted({max(1, int(round(v))) for v in np.linspace(1, n - 1, sweep)} | {m0})
        r2 = np.random.default_rng(int(seed) + 1)
        rates = [float(np.mean([_trial(r2, mm, n, k) for _ in range(min(trials, 8))])) for mm in ms]
        guar = [1.0 - failure_bound(mm, n, k) for mm in ms]
        return [
            Panel(
                f"basis pursuit, n = {n}, k = {k}: phase transition (w² bound {width_bound(n, k):.1f})",
                "m (measurements)",
                "P(recovery)",
                {"empirical": (ms, rates), "CRPW guarantee": (ms, guar), "m used": ([m0, m0], [0.0, 1.0])},
            )
        ]

    return Outcome(
        fails / trials,
        f_crit / trials,
        0.0,
        f"failures of basis pursuit out of {trials} at m = {m} (guarantee: P(fail) <= {p0:.3g})",
        details={
            "n": n,
            "k": k,
            "m": m,
            "m_guaranteed": m0,
            "w2_bound": width_bound(n, k),
            "failure_bound": p0,
            "failures": fails,
            "allowed": f_crit,
        },
        plot=panels,
    )


__all__ = ["TAIL", "failure_bound", "measurements_for", "recovery_rate_gap", "width_bound"]
