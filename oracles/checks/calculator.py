r"""The implicit-bias calculator: the suite's oracles applied to one user's parametrization (issue 24).

:func:`analyze` takes a parametrization :math:`G: M\subseteq\mathbb{R}^D\to\mathbb{R}^d` (an
:class:`~oracles.model.parametrizations.Parametrization`, or a plain numpy function wrapped by
:class:`FunctionParametrization`), one or more initializations and optionally data (Z, Y), and answers, each
answer an :class:`Answer` with its discrepancy, error estimate, budget and the catalog ID it rests on:

1. **Commuting?** All brackets :math:`[\nabla G_i,\nabla G_j]` at sampled points (:func:`brackets_at`: the
   Hessians once per point, every pair from them in one product; finite differences at h and 2h where G has no
   closed-form Hessians), the Lie closure of :mod:`oracles.lie.closure` (its networkx graph) at x_init and the
   number :math:`D - \dim\mathrm{Lie}(\partial G)|_x` of conservation laws (MGP 2023) with a numerical basis of
   their gradients; polynomial laws of low degree are fitted (:func:`polynomial_laws`: the null space of
   :math:`h\mapsto(\nabla h\cdot\nabla G_i)(x_s)` over monomials) and verified at fresh points and along a
   gradient flow.
2. **Mirror flow or not** (li2022 Theorem 4.9). Condition (9) at x_init from the closure; if it fails, a
   path-dependence witness (:func:`oracles.checks.path_dependence.path_dependence_search`, then shrunk); if it
   holds but G does not commute: Conjecture 4.10 (open), with the largest gap a small search found.
3. **If commuting**: R of Lemma 4.7 (:func:`oracles.flows.legendre.potential_of`; a plain function is first
   *recognized* as a family with closed forms where it is one: identity, x⊙p, u⊙2 − v⊙2, quadratic), checked
   against :math:`\nabla R(G(\psi(x_{init};\mu))) = \mu` and :math:`\nabla^2R = (\partial G\partial G^\top)^{-1}`,
   and the Hessian-metric check; with data, the gradient-flow limit against the certified Bregman projection
   (Theorem 4.16) and the initialization-scale picture (the ℓ2 → ℓ1 picture of Cor. 4.17).

Where the numerics cannot decide (an error estimate at the size of the quantity, no clear rank gap, a flow
that leaves M), the answer is ``"cannot decide"`` with the reason, never a guess.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Sequence, cast

import numpy as np
from numpy.typing import ArrayLike

from oracles.checks.path_dependence import endpoint_gap, hessian_metric_defect, path_dependence_search
from oracles.convex.bregman import bregman_projection
from oracles.convex.references import basis_pursuit, min_l2_interpolant
from oracles.core.errors import Inconclusive, InvalidInput, as_matrix, as_vector
from oracles.core.fd import EPS, central_difference
from oracles.core.ode import DEFAULT, FORTRAN_DOP853, TWO_TOLERANCES
from oracles.core.ode import event as ode_event
from oracles.core.outcome import (
    CLOSED_FORM_BUDGET,
    UNRESOLVED,
    Outcome,
    Panel,
    budget_from_error,
    relative_gap,
    roundoff_floor,
)
from oracles.flows.legendre import LemmaLegendre, potential_of
from oracles.flows.limits import compare_limit, flow_limit
from oracles.flows.trajectories import gradient_flow, psi
from oracles.lie.closure import lie_closure, numerical_rank
from oracles.model.losses import LeastSquares, Linear, Schedule
from oracles.model.parametrizations import Identity, Parametrization, Powers, Quadratic, UVSquared

if TYPE_CHECKING:
    from oracles.model.potentials import Potential

#: Catalog IDs the answers rest on.
IDS = {
    "brackets": "li2022:thm-4.2",
    "closure": "mgp2023:conservation-count",
    "condition": "li2022:thm-4.9",
    "witness": "li2022:cor-4.11",
    "conjecture": "li2022:conj-4.10",
    "mirror": "li2022:thm-4.8",
    "potential": "li2022:lemma-4.7",
    "limit": "li2022:thm-4.16",
    "scale": "li2022:cor-4.17",
    "quadratic": "li2022:quadratic-bracket",
}
YES, NO, UNDECIDED = "yes", "no", "cannot decide"


# -----------------------------------------------------------------------------------------
# a plain function as a parametrization
class FunctionParametrization(Parametrization):
    r"""A user's numpy function :math:`x\mapsto G(x)` as a parametrization, with its Jacobian given or differenced.

    Without ``jacobian`` the Jacobian is the central difference of :mod:`oracles.core.fd` at step
    :math:`h = \epsilon^{1/3}\max(1, |x|_\infty)` (kept inside M), and :meth:`jacobian_error` is its error:
    the change between steps h and 2h plus the roundoff :math:`\sqrt D\,\epsilon\max|G|/h`. Hessians are
    second differences of the Jacobian (given) or of G (four-point cross stencil, step
    :math:`\epsilon^{1/4}\max(1,|x|_\infty)`), at h and 2h: :meth:`hessians_with_error`.

    Parameters
    ----------
    f
        ``f(x) -> array of shape (d,)`` for ``x`` of shape ``(D,)``.
    D, d
        The input and output dimensions.
    jacobian
        Optional ``x -> (d, D)`` array.
    margin
        Optional domain margin (positive inside M, 0 on its boundary); default M = R^D.
    domain
        Text naming M, for messages.
    """

    def __init__(
        self,
        f: Callable,
        D: int,
        d: int,
        *,
        jacobian: Callable | None = None,
        margin: Callable[[np.ndarray], float] | None = None,
        domain: str = "R^D",
        name: str = "G",
    ) -> None:
        if int(D) < 1 or int(d) < 1:
            raise InvalidInput(f"D and d must be at least 1, got D={D}, d={d}")
        self.f, self.jac, self.margin = f, jacobian, margin
        self.D, self.d = int(D), int(d)
        self.domain, self.name = domain, name

    def domain_margin(self, x: ArrayLike) -> float:
        return math.inf if self.margin is None else float(self.margin(np.asarray(x, float)))

    def value(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, float)
        try:
            with np.errstate(all="ignore"):
                return np.asarray(self.f(x), dtype=float).reshape(-1)
        except (InvalidInput, Inconclusive):
            raise
        except Exception as exc:  # noqa: BLE001 - the user's G failing is bad input, named with the point
            where = np.array2string(x, precision=4)
            raise InvalidInput(f"G raised {type(exc).__name__}: {exc} at x = {where}") from None

    def _step(self, x: np.ndarray, base: float) -> float:
        h = base * max(1.0, float(np.max(np.abs(x))))
        m = self.domain_margin(x)
        return min(h, 0.25 * m) if math.isfinite(m) and m > 0 else h

    def jacobian_and_error(self, x: ArrayLike) -> tuple[np.ndarray, float]:
        """``(∂G(x), absolute Frobenius error estimate)``: 0 error for a given Jacobian (beyond its rounding)."""
        x = np.asarray(x, float)
        if self.jac is not None:
            J = np.asarray(self.jac(x), dtype=float)
            return J, 10.0 * EPS * float(np.linalg.norm(J))
        h = self._step(x, EPS ** (1 / 3))
        der = central_difference(self.value, x, h)
        scale = max(float(np.max(np.abs(self.value(x)))), 1e-300)
        return der.value, der.truncation() + der.roundoff(scale)

    def jacobian(self, x: ArrayLike) -> np.ndarray:
        """The Jacobian alone (a flow's right-hand side): one difference step, no error estimate."""
        x = np.asarray(x, float)
        if self.jac is not None:
            return np.asarray(self.jac(x), dtype=float)
        return central_difference(self.value, x, self._step(x, EPS ** (1 / 3)), coarse=False).value

    def jacobian_error(self, x: ArrayLike) -> float:
        return self.jacobian_and_error(x)[1]

    def hessians_with_error(self, x: ArrayLike) -> tuple[np.ndarray, float]:
        """``(H, error)`` with ``H[i] = ∇²G_i(x)`` and an absolute error estimate (Frobenius over all i)."""
        x = np.asarray(x, float)
        if self.jac is not None:
            h = self._step(x, 1e-4)
            der = central_difference(lambda y: np.asarray(cast(Callable, self.jac)(y), float), x, h)
            H1, H2 = der.value, der.coarse
            J = np.asarray(self.jac(x), float)
            rnd = der.roundoff(max(float(np.max(np.abs(J))), 1e-300))
        else:
            h = self._step(x, EPS**0.25)
            H1, H2 = self._cross(x, h), self._cross(x, 2 * h)
            scale = max(float(np.max(np.abs(self.value(x)))), 1e-300)
            rnd = 4.0 * self.D * EPS * scale / h**2
        assert H2 is not None  # central_difference was asked for its coarse step
        H1 = 0.5 * (H1 + H1.transpose(0, 2, 1))
        H2 = 0.5 * (H2 + H2.transpose(0, 2, 1))
        return H1, float(np.linalg.norm(H1 - H2)) + rnd

    def _cross(self, x: np.ndarray, h: float) -> np.ndarray:
        r""":math:`\partial_k\partial_lG \approx [G(x+he_k+he_l) - G(x+he_k-he_l) - G(x-he_k+he_l)
        + G(x-he_k-he_l)]/4h^2`
        (k = l: the same stencil, :math:`[G(x+2he_k) - 2G(x) + G(x-2he_k)]/4h^2`), all points built at once."""
        D = self.D
        E = h * np.eye(D)
        P = E[:, None, :] + E[None, :, :]  # (D, D, D): e_k + e_l
        M = E[:, None, :] - E[None, :, :]
        iu = np.triu_indices(D)
        Pu, Mu = P[iu], M[iu]  # (D(D+1)/2, D)
        vals = np.array([self.value(y) for y in np.concatenate([x + Pu, x - Pu, x + Mu, x - Mu])])
        n = Pu.shape[0]
        fpp, fmm, fpm, fmp = vals[:n], vals[n : 2 * n], vals[2 * n : 3 * n], vals[3 * n :]
        upper = (fpp + fmm - fpm - fmp) / (4 * h * h)  # on the diagonal M = 0: fpm = fmp = G(x)
        H = np.zeros((self.d, D, D))
        H[:, iu[0], iu[1]] = upper.T
        H[:, iu[1], iu[0]] = upper.T
        return H

    def hessians(self, x: ArrayLike) -> np.ndarray:
        """The Hessians alone (a flow's Jacobian): one difference step."""
        x = np.asarray(x, float)
        if self.jac is not None:
            H = central_difference(
                lambda y: np.asarray(cast(Callable, self.jac)(y), float), x, self._step(x, 1e-4), coarse=False
            ).value
        else:
            H = self._cross(x, self._step(x, EPS**0.25))
        return 0.5 * (H + H.transpose(0, 2, 1))


def function_parametrization(
    f: Callable,
    x_probe: ArrayLike,
    *,
    jacobian: Callable | None = None,
    margin: Callable | None = None,
    domain: str = "R^D",
    name: str = "G",
) -> FunctionParametrization:
    """Wrap ``f`` with D = ``len(x_probe)`` and d read from ``f(x_probe)`` (validated: shape, finiteness).

    Raises
    ------
    InvalidInput
        ``f`` raises or returns a non-vector or non-finite values at ``x_probe``; the Jacobian has the wrong shape.
    """
    x = as_vector(x_probe, "x_init")
    if margin is not None and not float(margin(x)) > 0:
        raise InvalidInput(f"x_init = {np.array2string(x, precision=4)} is outside the domain M = {domain}")
    try:
        w = np.asarray(f(x), dtype=float)
    except Exception as exc:  # noqa: BLE001 - the user's function failing is bad input, said in one line
        raise InvalidInput(f"G(x_init) raised {type(exc).__name__}: {exc}") from None
    if w.ndim != 1 or w.size == 0:
        raise InvalidInput(f"G(x_init) must be a non-empty vector, got shape {w.shape} (for x of shape ({x.size},))")
    if not np.all(np.isfinite(w)):
        raise InvalidInput(f"G(x_init) has non-finite entries at indices {np.flatnonzero(~np.isfinite(w)).tolist()}")
    G = FunctionParametrization(f, x.size, int(w.size), jacobian=jacobian, margin=margin, domain=domain, name=name)
    if jacobian is not None:
        try:
            J = np.asarray(jacobian(x), dtype=float)
        except Exception as exc:  # noqa: BLE001
            raise InvalidInput(f"the Jacobian at x_init raised {type(exc).__name__}: {exc}") from None
        if J.shape != (G.d, G.D):
            raise InvalidInput(f"the Jacobian at x_init has shape {J.shape}, expected (d, D) = ({G.d}, {G.D})")
        if not np.all(np.isfinite(J)):
            raise InvalidInput("the Jacobian at x_init has non-finite entries")
    return G


# -----------------------------------------------------------------------------------------
# answers
@dataclass
class Answer:
    """One answer of the calculator: the question, ``yes`` / ``no`` / ``cannot decide`` (or a value), its
    evidence (discrepancy, error estimate, budget: the answer is "within budget" iff discrepancy ≤ budget) and
    the catalog ID of the theorem it rests on."""

    section: str
    question: str
    answer: str
    rests_on: str
    what: str = ""
    discrepancy: float | None = None
    error: float | None = None
    budget: float | None = None
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    plot: Callable[[], list] | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        out = {
            k: getattr(self, k)
            for k in (
                "section",
                "question",
                "answer",
                "rests_on",
                "what",
                "discrepancy",
                "error",
                "budget",
                "note",
                "seconds",
            )
        }
        out["details"] = self.details
        return out


def _from_outcome(
    section: str, question: str, o: Outcome, rests_on: str, *, within: str, beyond: str, note: str = "", **details: Any
) -> Answer:
    """An answer from an Outcome: ``within`` if discrepancy ≤ budget, ``beyond`` if above, undecided if inconclusive."""
    if o.inconclusive is not None:
        return Answer(
            section,
            question,
            UNDECIDED,
            rests_on,
            o.what,
            note=f"inconclusive: {o.inconclusive}",
            details=dict(o.details) | details,
        )
    return Answer(
        section,
        question,
        beyond if o.falsified else within,
        rests_on,
        o.what,
        float(o.discrepancy),
        float(o.error),
        float(o.budget),
        note,
        dict(o.details) | details,
        o.plot,
    )


def _undecided(section: str, question: str, rests_on: str, exc: BaseException, **details: Any) -> Answer:
    return Answer(section, question, UNDECIDED, rests_on, note=f"{type(exc).__name__}: {exc}", details=details)


# -----------------------------------------------------------------------------------------
# sample points
def sample_points(G: Parametrization, x0: np.ndarray, n: int, spread: float, seed: int) -> np.ndarray:
    """``n`` points around x0 (Gaussian, radius ``spread·max(1, |x0|/√D)``), each shrunk toward x0 until it lies in
    M with at least a quarter of x0's margin; points that cannot be placed so are left out.

    Parameters
    ----------
    G
        The parametrization (its ``domain_margin`` decides membership).
    x0
        The centre, a point of M.
    n
        How many points to try.
    spread, seed
        Relative radius and the seed of the Gaussian directions.

    Returns
    -------
    numpy.ndarray
        ``(m, D)`` with ``m ≤ n``.
    """
    rng = np.random.default_rng(seed)
    scale = spread * max(1.0, float(np.linalg.norm(x0)) / math.sqrt(x0.size))
    m0 = G.domain_margin(x0)
    out = []
    for _ in range(n):
        xi = rng.standard_normal(x0.size)
        for shrink in (1.0, 0.5, 0.25, 0.1, 0.03):
            p = x0 + shrink * scale * xi
            m = G.domain_margin(p)
            if m > 0 and (not math.isfinite(m0) or m >= 0.25 * m0):
                out.append(p)
                break
    return np.array(out).reshape(-1, x0.size)


# -----------------------------------------------------------------------------------------
# brackets, batched
def _has_closed_hessians(G: Parametrization) -> bool:
    return type(G).hessians is not Parametrization.hessians and not isinstance(G, FunctionParametrization)


def jacobian_with_error(G: Parametrization, x: np.ndarray) -> tuple[np.ndarray, float]:
    """``(∂G(x), absolute error)``: the differencing error for a :class:`FunctionParametrization`, else rounding."""
    if isinstance(G, FunctionParametrization):
        return G.jacobian_and_error(x)
    J = np.asarray(G.jacobian(x), float)
    return J, 10.0 * EPS * G.D * float(np.linalg.norm(J))


def hessians_with_error(
    G: Parametrization,
    x: ArrayLike,
    h: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray | None, float]:
    r"""``(H, H_coarse, error)``: Hessians of every :math:`G_i` at x once (closed form where the family has one,
    else central differences of the Jacobian at steps h and 2h), the coarse ones for the bracket's own error."""
    x = np.asarray(x, float)
    if isinstance(G, FunctionParametrization):
        H, err = G.hessians_with_error(x)
        return H, None, err
    if _has_closed_hessians(G):
        H = np.asarray(G.hessians(x), float)
        return H, None, 10.0 * EPS * G.D * float(np.linalg.norm(H))
    step = h * max(1.0, float(np.max(np.abs(x))))
    m = G.domain_margin(x)
    if math.isfinite(m):
        step = min(step, 0.25 * m)
    der = central_difference(G.jacobian, x, step)
    J = np.asarray(G.jacobian(x), float)
    return der.value, der.coarse, der.roundoff(max(float(np.linalg.norm(J)), 1e-300))


def _all_brackets(H: np.ndarray, J: np.ndarray) -> np.ndarray:
    """``B[i, j] = H[j] J[i] − H[i] J[j]`` for all pairs in one product (``d × d × D``)."""
    T = np.einsum("jab,ib->ija", H, J)
    return T - T.transpose(1, 0, 2)


def brackets_at(G: Parametrization, x: ArrayLike) -> dict[str, Any]:
    r"""All brackets :math:`[\nabla G_i,\nabla G_j](x)` (li2022 Def. 4.1) from one Hessian evaluation, with their error.

    Returns the largest bracket relative to :math:`\max_k\|\nabla^2G_k\|\max_k\|\nabla G_k\|` (the size of its
    terms), its error (the change between Hessians at steps h and 2h, the differencing error of the Hessians and
    the Jacobian, each times the factor it multiplies) and the pair where it is largest.

    Parameters
    ----------
    G
        The parametrization.
    x
        A point of M.

    Returns
    -------
    dict
        ``relative`` (the largest bracket over the scale), ``error`` (relative), ``pair`` (0-based i < j),
        ``scale`` and ``matrix`` (every ‖[∇G_i, ∇G_j](x)‖ over the scale).
    """
    x = np.asarray(x, float)
    J, jerr = jacobian_with_error(G, x)
    H, Hc, herr = hessians_with_error(G, x)
    B = _all_brackets(H, J)
    nH = float(np.max(np.linalg.norm(H, axis=(1, 2)))) if G.d else 0.0
    nJ = float(np.max(np.linalg.norm(J, axis=1))) if G.d else 0.0
    scale = max(nH * nJ, 1e-300)
    norms = np.linalg.norm(B, axis=2)
    err = 2.0 * (herr * nJ + nH * jerr)
    if Hc is not None:
        err += float(np.max(np.linalg.norm(B - _all_brackets(Hc, J), axis=2)))
    i, j = np.unravel_index(int(np.argmax(norms)), norms.shape) if norms.size else (0, 0)
    i, j = (int(i), int(j)) if i < j else (int(j), int(i))
    return {
        "relative": float(norms.max()) / scale if norms.size else 0.0,
        "error": err / scale,
        "pair": (i, j),
        "scale": scale,
        "matrix": norms / scale,
    }


def naive_brackets_at(G: Parametrization, x: ArrayLike) -> float:
    """The unbatched version (benchmark baseline): every pair by :func:`oracles.lie.brackets.bracket_fd`, which
    differences the Jacobian again for each pair (d(d−1)/2 Hessian evaluations instead of one)."""
    from oracles.lie.brackets import bracket_fd

    worst = 0.0
    for i in range(G.d):
        for j in range(i + 1, G.d):
            b, _ = bracket_fd(G, i, j, x)
            worst = max(worst, float(np.linalg.norm(b)))
    return worst


def commuting_answer(G: Parametrization, points: np.ndarray) -> tuple[Answer, bool | None]:
    """Whether every bracket vanishes at every sample point: ``(answer, commuting or None if undecided)``.

    Parameters
    ----------
    G
        The parametrization.
    points
        ``(m, D)`` points of M (the initializations and points near them).

    Returns
    -------
    (Answer, bool or None)
        The answer (the worst point by discrepancy/budget; ``cannot decide`` where an error reaches a tenth of the
        bracket's scale) and whether G commutes (None: undecided).
    """
    rows, worst, unresolved = [], None, []
    for k, p in enumerate(points):
        try:
            r = brackets_at(G, p)
        except Inconclusive as exc:
            unresolved.append(f"point {k}: {exc}")
            continue
        budget = budget_from_error(r["error"], CLOSED_FORM_BUDGET)
        rows.append({"point": k, "relative": r["relative"], "error": r["error"], "budget": budget, "pair": r["pair"]})
        if not r["error"] < UNRESOLVED:
            unresolved.append(f"point {k}: error {r['error']:.2g} of the bracket's scale")
            continue
        if worst is None or r["relative"] / budget > worst[0]["relative"] / worst[1]:
            worst = (r | {"point": k, "x": p}, budget)
    q = "do the gradient fields commute (all Lie brackets [∇G_i, ∇G_j] vanish at the sampled points)?"
    what = "max_ij ‖[∇G_i, ∇G_j](x)‖ / (max‖∇²G_k‖ max‖∇G_k‖) over the sampled points"
    if worst is None:
        return Answer(
            "commuting", q, UNDECIDED, IDS["brackets"], what, note="; ".join(unresolved), details={"points": rows}
        ), None
    r, budget = worst
    falsified = r["relative"] > budget
    if not falsified and unresolved:
        return Answer(
            "commuting",
            q,
            UNDECIDED,
            IDS["brackets"],
            what,
            r["relative"],
            r["error"],
            budget,
            "brackets within budget where resolved, but not resolved at: " + "; ".join(unresolved),
            {"points": rows},
        ), None
    i, j = r["pair"]
    note = (
        f"largest bracket [∇G_{i + 1}, ∇G_{j + 1}] at sample point {r['point']}"
        if falsified
        else f"{len(rows)} points, every pair"
    )
    return Answer(
        "commuting",
        q,
        NO if falsified else YES,
        IDS["brackets"],
        what,
        r["relative"],
        r["error"],
        budget,
        note,
        {
            "points": rows,
            "worst_point": np.asarray(r["x"]).tolist(),
            "worst_pair": [i + 1, j + 1],
            "bracket_norms_at_worst_point": r["matrix"].tolist(),
        },
    ), not falsified


# -----------------------------------------------------------------------------------------
# conservation laws
def _monomials(D: int, degree: int) -> list[tuple[int, ...]]:
    """Exponent vectors of the monomials of degree 1..``degree`` in D variables (graded, lexicographic)."""
    out = []
    for k in range(1, degree + 1):
        for combo in itertools.combinations_with_replacement(range(D), k):
            e = [0] * D
            for c in combo:
                e[c] += 1
            out.append(tuple(e))
    return out


def _monomial_gradients(X: np.ndarray, exps: np.ndarray) -> np.ndarray:
    """``∇m_α(x_s)``: shape ``(n, D, n_mono)``."""
    n, D = X.shape
    out = np.zeros((n, D, exps.shape[0]))
    for k in range(D):
        e = exps[:, k]
        red = exps.copy()
        red[:, k] = np.maximum(red[:, k] - 1, 0)
        out[:, k, :] = e[None, :] * np.prod(X[:, None, :] ** red[None, :, :], axis=2)
    return out


def _fmt_coef(c: float) -> Fraction | float:
    f = Fraction(c).limit_denominator(12)
    return f if abs(float(f) - c) <= 1e-9 * max(1.0, abs(c)) else c


def _poly_text(coefs: np.ndarray, exps: np.ndarray) -> str:
    terms = []
    for c, e in zip(coefs, exps):
        if abs(c) < 1e-10:
            continue
        mono = "·".join(f"x{k + 1}" + (f"^{p}" if p > 1 else "") for k, p in enumerate(e) if p)
        fc = _fmt_coef(float(c))
        mag = abs(fc)
        sign = "-" if fc < 0 else "+"
        num = "" if mag == 1 else (f"{mag}" if isinstance(mag, Fraction) else f"{mag:.6g}")
        terms.append((sign, f"{num}{'·' if num else ''}{mono}"))
    if not terms:
        return "0"
    text = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    return text + "".join(f" {s} {t}" for s, t in terms[1:])


def _echelon(V: np.ndarray) -> np.ndarray:
    r"""The rows of ``V`` (a basis of the law coefficients) rewritten as :math:`(V_{:,P})^{-1}V`, P the pivot columns
    of a column-pivoted QR: the same span, the identity on P (readable laws, each with its own leading monomial)."""
    from scipy.linalg import qr

    k = V.shape[0]
    _, _, piv = qr(V, pivoting=True, mode="economic")
    P = np.sort(piv[:k])
    C = np.linalg.solve(V[:, P], V)
    C[np.abs(C) < 1e-11] = 0.0
    return C


def polynomial_laws(
    G: Parametrization, x0: np.ndarray, *, degree: int = 2, seed: int = 1, spread: float = 0.3
) -> dict[str, Any]:
    r"""Polynomial conservation laws of degree ≤ ``degree``: h with :math:`\nabla h\cdot\nabla G_i = 0` on M.

    h is conserved by the gradient flow of every loss :math:`L\circ G` iff :math:`\nabla h \perp \nabla G_i`
    everywhere (then :math:`\dot h = -\nabla h^\top\partial G^\top\nabla L = 0`). Writing
    :math:`h = \sum_\alpha c_\alpha x^\alpha` (monomials of degree 1..q), the conditions at sample points
    :math:`x_s` are linear in c: :math:`A c = 0` with rows :math:`\nabla G_i(x_s)^\top\nabla m_\alpha(x_s)`. The
    laws are the null space of A (SVD), decided against A's error (the Jacobian's, times the monomials'
    gradients, plus rounding); singular values in the gap between are "cannot decide". The basis is put in
    reduced echelon form, so that its coefficients are readable, and verified at fresh points.

    Returns
    -------
    dict
        ``laws`` (texts), ``coefficients``, ``monomials``, ``fit`` (the singular values and thresholds),
        ``verification`` (the largest :math:`|\nabla h\cdot\nabla G_i|/(\|\nabla h\|\|\nabla G_i\|)` at fresh
        points, its error and budget), ``undecided`` (a reason or None).
    """
    D = G.D
    exps = np.array(_monomials(D, degree), dtype=int)
    nm = exps.shape[0]
    need = int(math.ceil(2.0 * nm / max(G.d, 1))) + 3
    X = sample_points(G, x0, need, spread, seed)
    if X.shape[0] < need // 2:
        raise Inconclusive("too few sample points", f"{X.shape[0]} of {need} points inside M")
    blocks, errs = [], []
    grads = _monomial_gradients(X, exps)
    for s, p in enumerate(X):
        J, jerr = jacobian_with_error(G, p)
        blocks.append(J @ grads[s])
        errs.append(jerr * float(np.linalg.norm(grads[s])))
    A = np.vstack(blocks)
    # columns scaled by the size of the monomials' gradients (not of A's columns: a monomial that is itself a law,
    # u_1·v_1 for u⊙2 − v⊙2, has a column of exact zeros)
    colscale = np.maximum(np.sqrt(np.sum(grads**2, axis=(0, 1))), 1e-300)
    An = A / colscale
    s_top = np.linalg.svd(An, compute_uv=False)
    err = math.sqrt(sum(e * e for e in errs)) / float(np.min(colscale)) + 10 * EPS * math.sqrt(A.size) * max(
        float(s_top[0]) if s_top.size else 1.0, 1.0
    )
    tau = 10.0 * err
    # the laws of degree ≤ q are the null space of the columns of degree ≤ q (monomials are graded): fitted degree by
    # degree, so that a law of low degree is found as itself, not mixed with higher terms
    deg_of = exps.sum(axis=1)
    candidates: list[np.ndarray]
    candidates, undecided, coef_err, fit = [], None, 0.0, {}
    for q in range(1, degree + 1):
        cols = np.flatnonzero(deg_of <= q)
        _, sq, Vt = np.linalg.svd(An[:, cols], full_matrices=True)
        sv = np.concatenate([sq, np.zeros(cols.size - sq.size)])
        null = sv <= tau
        ambiguous = (sv > tau) & (sv <= 100.0 * tau)
        if ambiguous.any() and undecided is None:
            undecided = (
                f"degree ≤ {q}: {int(ambiguous.sum())} singular value(s) between {tau:.2g} and "
                f"{100 * tau:.2g}: no clear gap"
            )
        kq = int(null.sum())
        rest = sv[~null]
        if kq:
            # the null space's own error: sin θ ≤ ‖E‖ / (the smallest singular value kept out of it) (Wedin), a
            # relative error of every coefficient
            coef_err = max(coef_err, err / float(rest.min()) if rest.size else 0.0)
            V = np.zeros((nm, kq))
            V[cols] = Vt[sv.size - kq :].T / colscale[cols, None]
            V = V / np.max(np.abs(V), axis=0)
            candidates.extend(_echelon(V.T))
        fit[q] = {"null_dimension": kq, "smallest_singular_values": sv[::-1][: kq + 3].tolist()}
    C_all = np.array(candidates).reshape(-1, nm)
    # a generating set: candidates lowest degree first, each kept if its gradient at x0 is independent of the kept
    # ones' (x3, x3², x3³ all lie in the fitted span; only x3 is kept)
    chosen: list[int] = []
    if C_all.shape[0]:
        g0 = _monomial_gradients(x0[None, :], exps)[0]
        gh = g0 @ C_all.T
        mag = np.linalg.norm(g0, axis=0) @ np.abs(C_all.T)
        for j in range(C_all.shape[0]):
            idx = chosen + [j]
            e = [max(1e-10 * float(np.linalg.norm(gh[:, i])), 10 * coef_err * float(mag[i])) for i in idx]
            if numerical_rank(gh[:, idx], e, what="gradients of the polynomial laws").rank > len(chosen):
                chosen.append(j)
    C = C_all[chosen]
    ver = _verify_laws(G, x0, C, exps, seed + 100, spread, coef_err) if len(chosen) else None
    return {
        "laws": [_poly_text(c, exps) for c in C],
        "coefficients": C.tolist(),
        "monomials": exps.tolist(),
        "degree": degree,
        "points": int(X.shape[0]),
        "span_dimension": int(fit[degree]["null_dimension"]),
        "independent_at_x_init": len(chosen),
        "fit": {
            "by_degree": fit,
            "threshold": tau,
            "gap_threshold": 100 * tau,
            "coefficient_error": coef_err,
            "smallest_singular_value": float(s_top[-1]) if s_top.size == nm else 0.0,
        },
        "verification": ver,
        "undecided": undecided,
    }


def law_values(C: np.ndarray, exps: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The laws ``h_k(x) = Σ_α C[k, α] x^α``."""
    return np.asarray(C) @ np.prod(np.asarray(x, float)[None, :] ** exps, axis=1)


def _verify_laws(G, x0, C, exps, seed, spread, coef_err: float = 0.0) -> dict[str, Any]:
    r"""The fitted laws at fresh points: :math:`\max|\nabla h\cdot\nabla G_i|/(\|\nabla h\|\|\nabla G_i\|)`, with
    its error: the Jacobian's relative error, plus the coefficients' (``coef_err``) times
    :math:`\sum_\alpha|c_\alpha|\|\nabla m_\alpha\|/\|\nabla h\|` (the cancellation inside ∇h), plus rounding."""
    X = sample_points(G, x0, 8, spread, seed)
    worst, werr = 0.0, 0.0
    grads = _monomial_gradients(X, exps) if X.size else np.zeros((0, G.D, exps.shape[0]))
    for s, p in enumerate(X):
        J, jerr = jacobian_with_error(G, p)
        gh = grads[s] @ C.T  # D × k
        M = J @ gh  # d × k
        nJ = np.linalg.norm(J, axis=1)
        ngh = np.maximum(np.linalg.norm(gh, axis=0), 1e-300)
        den = np.maximum(nJ[:, None] * ngh[None, :], 1e-300)
        mag = np.linalg.norm(grads[s], axis=0) @ np.abs(C.T)  # Σ_α |c_α| ‖∇m_α(p)‖, per law
        rel = np.abs(M) / den
        e = jerr / max(float(np.min(nJ)), 1e-300) + coef_err * mag / ngh + 100 * EPS * G.D
        j = np.unravel_index(int(np.argmax(rel)), rel.shape)
        worst = max(worst, float(rel[j]))
        werr = max(werr, float(np.max(e)))
    return {
        "points": int(X.shape[0]),
        "max_relative_product": worst,
        "error": werr,
        "budget": budget_from_error(werr, CLOSED_FORM_BUDGET),
        "coefficient_error": coef_err,
    }


def laws_along_flow(G: Parametrization, x0: np.ndarray, C: np.ndarray, exps: np.ndarray, seed: int = 2) -> Outcome:
    """The fitted laws along a gradient flow of a random least-squares loss on w (t ∈ [0, 1]): relative change
    of h(x(t)) between t = 0 and 1, against ten times the change between rtol 1e-8 and 1e-11."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((max(1, G.d // 2), G.d))
    Y = rng.standard_normal(Z.shape[0])
    sched = Schedule.constant(LeastSquares(Z, Y), 1.0)
    ends = [
        gradient_flow(G, sched, x0, t_eval=[0.0, 1.0], rtol=tol).x[-1]
        for tol in (TWO_TOLERANCES.coarse.rtol, TWO_TOLERANCES.fine.rtol)
    ]
    h0 = law_values(C, exps, x0)
    hc, hf = law_values(C, exps, ends[0]), law_values(C, exps, ends[1])
    scale = max(float(np.linalg.norm(h0)), float(np.linalg.norm(hf)), 1e-300)
    moved = float(np.linalg.norm(ends[1] - x0)) / max(float(np.linalg.norm(x0)), 1e-300)
    err = float(np.linalg.norm(hf - hc)) / scale
    return Outcome(
        float(np.linalg.norm(hf - h0)) / scale,
        budget_from_error(err, 1e-9),
        err,
        "relative change of the fitted laws along a gradient flow (t ∈ [0, 1]) of a random loss",
        details={"x_moved_relative": moved},
    )


def laws_answer(G: Parametrization, x0: np.ndarray, count: int | None, degree: int, seed: int) -> Answer:
    """The polynomial conservation laws of degree ≤ ``degree`` (:func:`polynomial_laws`), verified at fresh points and
    along a gradient flow; ``count`` is the closure's number of laws (to say how many are not polynomial)."""
    qtext = "which conservation laws are polynomials of low degree (fitted, then verified)?"
    try:
        pl = polynomial_laws(G, x0, degree=degree, seed=seed)
        C, exps = np.array(pl["coefficients"]), np.array(pl["monomials"])
        k = rank = pl["independent_at_x_init"]
        note = (
            f"degree ≤ {degree}: the fitted laws span a space of dimension {pl['span_dimension']}; {rank} of them "
            f"are functionally independent at x_init (shown), the rest are functions of those"
        )
        if count is not None and rank < count:
            note += f"; {count - rank} law(s) are not polynomial of degree ≤ {degree} (or not found)"
        if pl["undecided"]:
            return Answer("laws", qtext, UNDECIDED, IDS["closure"], note=pl["undecided"], details=pl)
        if not k:
            return Answer(
                "laws",
                qtext,
                f"none of degree ≤ {degree}",
                IDS["closure"],
                "smallest singular value of the fit (a law would be ≤ threshold)",
                pl["fit"]["smallest_singular_value"],
                None,
                pl["fit"]["threshold"],
                note,
                pl,
            )
        ver = pl["verification"]
        o = laws_along_flow(G, x0, C, exps, seed + 1)
        ok = ver["max_relative_product"] <= ver["budget"] and not o.falsified and o.inconclusive is None
        pl["along_flow"] = {
            "discrepancy": o.discrepancy,
            "budget": o.budget,
            "error": o.error,
            "inconclusive": o.inconclusive,
        } | o.details
        if o.inconclusive is None:
            note += f"; along a gradient flow: change {o.discrepancy:.2g} vs budget {o.budget:.2g}"
        return Answer(
            "laws",
            qtext,
            "; ".join(pl["laws"]) if ok else UNDECIDED,
            IDS["closure"],
            "max |∇h·∇G_i|/(‖∇h‖‖∇G_i‖) at fresh points (and h along a gradient flow)",
            ver["max_relative_product"],
            ver["error"],
            ver["budget"],
            note,
            pl,
        )
    except (Inconclusive, InvalidInput) as exc:
        return _undecided("laws", qtext, IDS["closure"], exc)


# -----------------------------------------------------------------------------------------
# recognizing a plain function as a family with closed forms
def recognize(G: Parametrization, x0: np.ndarray, seed: int = 3) -> tuple[Parametrization, dict[str, Any] | None]:
    r"""A :class:`FunctionParametrization` that is one of the suite's families, as that family (else G itself).

    Tried in order: identity, :math:`x^{\odot p}` (p > 1 fitted on log-log), :math:`u^{\odot2} - v^{\odot2}`, and
    quadratic :math:`G_i = \tfrac12x^\top A_ix` (A fitted by least squares on values). A family is accepted when
    it reproduces G at fresh sample points to ``1e-10`` relative (the fitted parameters are part of it).

    Parameters
    ----------
    G
        The parametrization; only a :class:`FunctionParametrization` is tried.
    x0
        The initialization, the centre of the sample points.
    seed
        Seed of the sample points.

    Returns
    -------
    (Parametrization, dict or None)
        The family (named ``"<G> = <family>"``) and what was compared, or ``(G, None)``.
    """
    if not isinstance(G, FunctionParametrization):
        return G, None
    X = np.vstack([x0[None, :], sample_points(G, x0, 12 + G.D * (G.D + 1) // 2, 0.3, seed)])
    W = G.values(X)
    tol = 1e-10

    def agrees(F: Parametrization) -> float | None:
        try:
            gap = max(relative_gap(F.value(x), w) for x, w in zip(X, W))
        except Exception:  # noqa: BLE001 - a candidate that cannot even evaluate is not it
            return None
        return gap if gap <= tol else None

    cands: list[tuple[str, Callable[[], Parametrization]]] = []
    D, d = G.D, G.d
    if D == d:
        cands.append(("identity", lambda: Identity(d)))
        if np.all(X > 0) and np.all(W > 0):
            L = np.log(X)
            mask = np.abs(L) > 1e-3
            if mask.any():
                p = float(np.median(np.log(W)[mask] / L[mask]))
                if p > 1.0 + 1e-9:
                    p = round(p) if abs(p - round(p)) < 1e-9 else p
                    cands.append((f"x^{p:g}", lambda p=p: Powers(p, d)))  # type: ignore[misc]
    if D == 2 * d and np.all(X > 0):
        cands.append(("u^2 - v^2", lambda: UVSquared(d)))

    def quad() -> Parametrization:
        iu = np.triu_indices(D)
        F = np.stack([X[:, a] * X[:, b] * (1.0 if a == b else 2.0) for a, b in zip(*iu)], axis=1) * 0.5
        coef, *_ = np.linalg.lstsq(F, W, rcond=None)
        A = np.zeros((d, D, D))
        for k, (a, b) in enumerate(zip(*iu)):
            A[:, a, b] = A[:, b, a] = coef[k]
        A[np.abs(A) < 1e-12 * max(1.0, float(np.max(np.abs(A))))] = 0.0
        Ar = np.round(A, 10)
        return Quadratic(np.where(np.abs(A - Ar) < 1e-11, Ar, A), name="quadratic (recognized)")

    if X.shape[0] >= D * (D + 1) // 2 + 4:
        cands.append(("quadratic ½xᵀA_ix", quad))
    for label, make in cands:
        try:
            F = make()
        except (InvalidInput, np.linalg.LinAlgError):
            continue
        gap = agrees(F)
        if gap is not None and F.in_domain(x0):
            F.name = f"{G.name} = {label}"
            return F, {
                "family": label,
                "name": F.name,
                "max_relative_gap": gap,
                "points": int(X.shape[0]),
                "tolerance": tol,
                **({"A": F.A.tolist()} if isinstance(F, Quadratic) else {}),
            }
    return G, None


# -----------------------------------------------------------------------------------------
# the potential
def combined_psi(G: Parametrization, x0: np.ndarray, mu: ArrayLike) -> np.ndarray:
    r""":math:`\psi(x_0;\mu)` of a commuting G as **one** flow: the time-1 flow of :math:`\sum_i\mu_i\nabla G_i =
    \partial G(x)^\top\mu`. Commuting flows compose to the flow of the sum, so this is li2022's eq. (4) with one
    integration instead of d (DOP853 through :mod:`oracles.core.ode`, at the tolerances of
    :func:`oracles.flows.trajectories.psi`; leaving M is inconclusive)."""
    mu = as_vector(mu, "mu", G.d)
    x0 = np.asarray(x0, float)
    if not np.any(mu):
        return x0.copy()
    events = (
        [] if math.isinf(G.domain_margin(x0)) else [ode_event(lambda t, y: G.domain_margin(y), reason="leaves domain")]
    )
    return DEFAULT.at(method=FORTRAN_DOP853).solve(lambda t, y: mu @ G.jacobian(y), (0.0, 1.0), x0, events=events).final


def _psi_of(G: Parametrization, x0: np.ndarray) -> Callable:
    """ψ for the checks: the family's own (closed forms, one eigenbasis) where it has flows, else
    :func:`combined_psi`."""
    if G.flow(0, 0.0, np.asarray(x0, float)) is not None or isinstance(G, Quadratic):
        return lambda x0, mu: psi(G, x0, mu)
    return lambda x0, mu: combined_psi(G, x0, mu)


class CommutingLegendre(LemmaLegendre):
    """Lemma 4.7's numerical R with ψ computed by :func:`combined_psi` (one flow per evaluation, not d)."""

    def __init__(self, G: Parametrization, x_init: ArrayLike) -> None:
        super().__init__(G, x_init)
        self._psi = lambda mu: combined_psi(G, self.x_init, mu)
        self.name = f"Lemma 4.7 R of {G.name}"


def legendre_of(G: Parametrization, x0: np.ndarray) -> Potential:
    """:func:`~oracles.flows.legendre.potential_of`, with :class:`CommutingLegendre` in place of the generic
    numerical R."""
    R = potential_of(G, x0)
    if type(R) is LemmaLegendre and G.flow(0, 0.0, np.asarray(x0, float)) is None:
        return CommutingLegendre(G, x0)
    return R


def potential_name(R: Potential) -> tuple[str, bool]:
    """``(name, closed form?)`` of a Lemma 4.7 potential."""
    closed = not isinstance(R, LemmaLegendre) or type(R).__name__ == "QuadraticLegendre"
    return getattr(R, "name", type(R).__name__), closed


def potential_check(G: Parametrization, R: Potential, x0: np.ndarray, seed: int = 4, n: int = 3) -> Outcome:
    r"""Lemma 4.7 at ``n`` random μ (|μ_i| ≤ 0.2): :math:`\nabla R(w) = \mu` and :math:`\nabla^2R(w) = (\partial G
    \partial G^\top)^{-1}` at :math:`x = \psi(x_{init};\mu)`, :math:`w = G(x)`. Discrepancy: the largest relative
    gap; budget ``max(1e-9, 100·cond(∂G∂Gᵀ)·ε)`` plus, for a numerical R, the root solve's residual 1e-10 times the
    condition number, and the differencing error of the Jacobian.

    Parameters
    ----------
    G
        A commuting parametrization.
    R
        Its potential (closed form or numerical).
    x0
        The initialization R belongs to.
    seed, n
        Seed and number of the random μ.

    Returns
    -------
    Outcome
    """
    rng = np.random.default_rng(seed)
    worst, err, rows = 0.0, 0.0, []
    flow = _psi_of(G, x0)
    for _ in range(n):
        mu = rng.uniform(-0.2, 0.2, G.d)
        x = flow(x0, mu)
        w = G.value(x)
        J, jerr = jacobian_with_error(G, x)
        g = J @ J.T
        cond = float(np.linalg.cond(g))
        gmu = relative_gap(R.grad(w), mu, 1e-300)
        gh = relative_gap(R.hess(w), np.linalg.inv(g))
        e = (
            100 * cond * EPS
            + (1e-10 * cond if isinstance(R, LemmaLegendre) else 0.0)
            + 2 * cond * jerr / max(float(np.linalg.norm(J)), 1e-300)
        )
        worst, err = max(worst, gmu, gh), max(err, e)
        rows.append({"mu": mu.tolist(), "grad_gap": gmu, "hess_gap": gh, "cond": cond})
    return Outcome(
        worst,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        "largest relative gap of ∇R(G(ψ(x_init; μ))) vs μ and ∇²R vs (∂G∂Gᵀ)⁻¹ at random μ",
        details={"samples": rows},
    )


def mirror_check(G: Parametrization, R: Potential, x0: np.ndarray, seed: int = 5) -> Outcome:
    r"""Theorem 4.8 integrated: gradient flow on a random two-piece schedule (a linear loss for t ∈ [0, ½], then least
    squares on random data for t ∈ [½, 1]) against the mirror flow of R from :math:`G(x_{init})`, by
    :func:`oracles.checks.equivalence.gf_against_mf` (17 sample times, rtol 1e-8 against 1e-11). Run only for a
    closed-form R: the numerical R's every mirror-flow step would integrate ψ.

    Parameters
    ----------
    G, R, x0
        The commuting parametrization, its potential and the initialization.
    seed
        Seed of the schedule.

    Returns
    -------
    Outcome
    """
    from oracles.checks.equivalence import gf_against_mf

    rng = np.random.default_rng(seed)
    n = max(1, G.d // 2)
    w0 = G.value(x0)
    Z = rng.standard_normal((n, G.d))
    scale = max(1.0, float(np.linalg.norm(w0)))
    sched = Schedule(
        (
            (0.5, Linear(0.5 * rng.uniform(-1, 1, G.d))),
            (0.5, LeastSquares(Z, Z @ w0 + 0.3 * scale * rng.standard_normal(n))),
        )
    )
    return gf_against_mf(G, [sched], x0, R)


def hessian_metric_check(G: Parametrization, x0: np.ndarray, seed: int = 6) -> Outcome:
    r"""Is :math:`\nabla^2Q(\mu) = \partial G\partial G^\top(\psi(x_{init};\mu))` a Hessian metric, at a random μ?

    :func:`oracles.checks.path_dependence.hessian_metric_defect` on the map μ ↦ that matrix's inverse, so that the
    metric whose derivative it tests for total symmetry is :math:`\nabla^2Q` itself (:math:`R = Q^*` is Hessian in
    w iff Q is in μ); in μ coordinates each stencil point is one ψ, not a root solve. The point is a random μ
    (|μ_i| ≤ 0.2), not 0: at μ = 0 the derivative can vanish by symmetry (u⊙2 − v⊙2 from u = v) and the test
    would say nothing.

    Parameters
    ----------
    G, x0
        A commuting parametrization and the initialization.
    seed
        Seed of μ.

    Returns
    -------
    Outcome
    """
    flow = _psi_of(G, x0)
    mu = np.random.default_rng(seed).uniform(-0.2, 0.2, G.d)
    o = hessian_metric_defect(lambda m: np.linalg.inv(G.gram(flow(x0, m))), mu, h=1e-3)
    g = G.gram(flow(x0, mu))
    o.details["mu"] = mu.tolist()
    if o.details["max_dh"] <= 1e3 * EPS * float(np.max(np.abs(g))) / o.details["step"]:
        # ∂(∇²Q) is rounding noise: the metric is constant (the identity, linear G), trivially a Hessian metric
        return Outcome(
            0.0,
            CLOSED_FORM_BUDGET,
            0.0,
            "∂(∂G∂Gᵀ) vanishes to rounding: a constant metric, a Hessian metric",
            details=o.details,
        )
    return o


# -----------------------------------------------------------------------------------------
# data: limits
def _interpolant_refs(Z: np.ndarray, Y: np.ndarray, w0: np.ndarray) -> dict[str, np.ndarray]:
    refs = {"min ‖w‖₂": min_l2_interpolant(Z, Y).x, "min ‖w − w0‖₂": min_l2_interpolant(Z, Y, w0).x}
    try:
        refs["min ‖w‖₁"] = basis_pursuit(Z, Y, uniqueness=False).x
    except (InvalidInput, Inconclusive):
        pass
    try:
        refs["min ‖w‖₁, w ≥ 0"] = basis_pursuit(Z, Y, nonneg=True, uniqueness=False).x
    except (InvalidInput, Inconclusive):
        pass
    return refs


def _projection(R, Z, Y, w0, max_error: float = 1e-6):
    theta0 = np.zeros(w0.size) if isinstance(R, LemmaLegendre) else None
    return bregman_projection(R, Z, Y, w0, theta0=theta0).require(1e-9, max_error)


def limit_answer(G: Parametrization, x0: np.ndarray, Z: np.ndarray, Y: np.ndarray, R: Potential | None) -> Answer:
    """The GF limit on ½‖Zw − Y‖² against the certified Bregman projection of w0 under R (Theorem 4.16).

    Parameters
    ----------
    G
        The parametrization.
    x0
        The initialization.
    Z, Y
        The data (``n × d``, ``n``) of the least-squares loss ½‖Zw − Y‖².
    R
        The potential of Lemma 4.7 (None for a non-commuting G: then only the GF limit and its distances to
        reference interpolants are reported).

    Returns
    -------
    Answer
    """
    q = "on the data, is the gradient-flow limit the R-projection argmin{R(w) : Zw = Y} (Theorem 4.16)?"
    loss = LeastSquares(Z, Y)
    w0 = G.value(x0)
    try:
        lim = flow_limit(G, loss, x0)
    except Inconclusive as exc:
        return _undecided("limit", q, IDS["limit"], exc)
    res = float(np.linalg.norm(Z @ lim.w - Y)) / max(float(np.linalg.norm(Y)), 1e-300)
    refs = _interpolant_refs(Z, Y, w0)
    base = {
        "gf_limit": lim.w.tolist(),
        "gf_limit_error": lim.error,
        "gf_T": lim.T,
        "residual": res,
        "references": {k: v.tolist() for k, v in refs.items()},
    }
    if res > 1e-7:
        return Answer(
            "limit",
            q,
            UNDECIDED,
            IDS["limit"],
            note=f"the GF limit does not interpolate (relative residual {res:.2g}): Theorem 4.16 assumes it does",
            details=base,
        )
    if R is None:
        dist = {k: relative_gap(lim.w, v) for k, v in refs.items()}
        return Answer(
            "limit",
            q,
            "no R (G does not commute)",
            IDS["limit"],
            "relative distance of the GF limit to reference interpolants",
            details=base | {"distances": dist},
            plot=lambda: [_limit_panel(lim.w, None, refs)],
        )
    try:
        proj = _projection(R, Z, Y, w0)
    except (Inconclusive, InvalidInput) as exc:
        return _undecided("limit", q, IDS["limit"], exc, **base)
    o = compare_limit(
        lim,
        proj.w,
        target_error=proj.error,
        scale=float(np.linalg.norm(w0)),
        what="relative gap between the GF limit and the certified Bregman projection of w0 under R",
    )
    a = _from_outcome(
        "limit",
        q,
        o,
        IDS["limit"],
        within=YES,
        beyond=NO,
        note=f"R-projection certified to {proj.error:.2g}, GF limit error {lim.error:.2g}",
        **base,
        projection=proj.w.tolist(),
        projection_error=proj.error,
    )
    return _with_plot(a, lambda: [_limit_panel(lim.w, proj.w, refs)])


def _with_plot(a: Answer, plot) -> Answer:
    a.plot = plot
    return a


def _limit_panel(gf: np.ndarray, proj: np.ndarray | None, refs: dict[str, np.ndarray]) -> Panel:
    idx = list(range(1, gf.size + 1))
    series = {"GF limit": (idx, gf.tolist())}
    if proj is not None:
        series["R-projection (Thm 4.16)"] = (idx, proj.tolist())
    for k, v in refs.items():
        series[k] = (idx, v.tolist())
    return Panel(
        "the gradient-flow limit and reference interpolants, coordinate by coordinate", "coordinate i", "w_i", series
    )


def scale_picture(
    G: Parametrization,
    x0: np.ndarray,
    Z: np.ndarray,
    Y: np.ndarray,
    commuting: bool,
    alphas: Sequence[float] | np.ndarray | None = None,
    *,
    why: str = "G does not commute: no R",
) -> Answer:
    r"""How the implicit-bias limit moves with the initialization scale α (x_init → α·x_init).

    With ``commuting`` (G commutes and R has a closed form) the limit at each α is the certified Bregman projection
    under the R of α·x_init (Theorem 4.16), at eight scales 1e-6 … 10; otherwise the gradient-flow limit at six
    scales 0.01 … 3 (four, 0.1 … 3, for a plain function without a Jacobian, whose every flow step differences G;
    ``why`` says why there is no projection). At each end of the α range the limit is compared with reference
    interpolants (min ℓ2, min ℓ2 from w0(α), min ℓ1, min ℓ1 over w ≥ 0): one is *approached* when its relative
    distance at the end is below 1e-2 and shrinks toward that end.
    """
    q = "which interpolant does the limit approach as the initialization scale α → 0 and α → ∞?"
    if alphas is None:
        fd = isinstance(G, FunctionParametrization) and G.jac is None  # every flow step differences G
        alphas = np.logspace(-6, 1, 8) if commuting else (np.logspace(-1, 0.5, 4) if fd else np.logspace(-2, 0.5, 6))
    alphas = [float(a) for a in alphas]
    pts, notes = [], []
    for a in alphas:
        xa = a * x0
        if not G.in_domain(xa):
            notes.append(f"α = {a:.3g}: α·x_init outside M")
            continue
        try:
            if commuting:
                R = legendre_of(G, xa)
                w = _projection(R, Z, Y, G.value(xa), max_error=1e-4).w
            else:
                w = flow_limit(G, LeastSquares(Z, Y), xa).w
        except (Inconclusive, InvalidInput) as exc:
            notes.append(f"α = {a:.3g}: {exc}")
            continue
        pts.append((a, w, G.value(xa)))
    if len(pts) < 2:
        return Answer("scale", q, UNDECIDED, IDS["scale"], note="; ".join(notes) or "fewer than two scales solved")
    refs0 = _interpolant_refs(Z, Y, np.zeros(G.d))
    dist: dict[str, list[float]] = {k: [] for k in refs0}
    for _a, w, w0 in pts:
        refs = refs0 | {"min ‖w − w0‖₂": min_l2_interpolant(Z, Y, w0).x}
        for k in dist:
            dist[k].append(relative_gap(w, refs[k]))
    ends: dict[str, dict[str, Any]] = {}
    for end, sl in (("α → 0", slice(0, 2)), ("α → ∞", slice(-1, -3, -1))):
        best = None
        for k, ds in dist.items():
            d_end, d_next = ds[sl][0], ds[sl][1]
            if d_end < 1e-2 and (d_end <= d_next or d_end <= 1e-6) and (best is None or d_end < best[1]):
                best = (k, d_end)
        closest = min(dist, key=lambda k: dist[k][sl][0])
        seq = dist[closest][:3] if end == "α → 0" else dist[closest][::-1][:3]
        shrinking = len(seq) >= 3 and seq[0] < seq[1] < seq[2] and seq[0] < 0.25
        ends[end] = {
            "approaches": best[0] if best else None,
            "distance": best[1] if best else dist[closest][sl][0],
            "closest": closest,
            "shrinking": bool(shrinking),
            "alpha": pts[0][0] if end == "α → 0" else pts[-1][0],
        }

    def say(v):
        if v["approaches"]:
            return f"{v['approaches']} (relative distance {v['distance']:.2g} at α = {v['alpha']:.3g})"
        if v["shrinking"]:
            return (
                f"tends to {v['closest']} (relative distance {v['distance']:.2g} at α = {v['alpha']:.3g}, "
                f"below 0.25 and shrinking over the last three scales)"
            )
        return f"not recognized (closest {v['closest']}: relative distance {v['distance']:.2g} at α = {v['alpha']:.3g})"

    text = "; ".join(f"{e}: {say(v)}" for e, v in ends.items())
    la = [math.log10(a) for a, _, _ in pts]

    def panels():
        W = np.array([w for _, w, _ in pts])
        return [
            Panel(
                "the implicit-bias limit against the initialization scale α",
                "log10 α",
                "w_i(α)",
                {f"w[{i + 1}]": (la, W[:, i].tolist()) for i in range(W.shape[1])},
            ),
            Panel(
                "relative distance of the limit to reference interpolants",
                "log10 α",
                "relative distance",
                {k: (la, v) for k, v in dist.items()},
                logy=True,
            ),
        ]

    small = ends["α → 0"]
    return Answer(
        "scale",
        q,
        text,
        IDS["scale"],
        "relative distance at the smallest α to the interpolant named for α → 0 (approached: ≤ 1e-2; the "
        "other end is in the answer and the plot)",
        small["distance"],
        None,
        1e-2,
        note=(
            "limits are certified Bregman projections under the R of α·x_init"
            if commuting
            else f"limits are gradient-flow limits ({why})"
        )
        + ("; skipped: " + "; ".join(notes) if notes else ""),
        details={
            "alphas": [a for a, _, _ in pts],
            "limits": [w.tolist() for _, w, _ in pts],
            "distances": dist,
            "ends": ends,
        },
        plot=panels,
    )


# -----------------------------------------------------------------------------------------
# path dependence
def _shrink_pair(G: Parametrization, x0: np.ndarray, pair, outcome: Outcome, budget_s: float = 2.0):
    """Simplify a witness (round durations and c to one significant digit, zero small entries of c) while it stays
    a witness (gap above twice its budget); at most ``budget_s`` seconds."""
    A, _ = pair
    taus = [float(t) for t, _ in A.pieces]
    cs = [np.array(loss.c, float) for _, loss in A.pieces]
    best = (taus, cs, outcome)
    start = time.process_time()

    def try_(t2, c2):
        A2 = Schedule(tuple((t, Linear(c)) for t, c in zip(t2, c2)))
        B2 = Schedule(tuple(reversed(A2.pieces)))
        try:
            o = endpoint_gap(G, x0, (A2, B2))
        except (Inconclusive, InvalidInput):
            return None
        return o if o.inconclusive is None and o.discrepancy > 2 * o.budget else None

    def sig1(v):
        return float(f"{v:.1g}") if v else 0.0

    for k in range(len(cs)):
        for i in range(cs[k].size):
            if time.process_time() - start > budget_s:
                break
            for cand in (0.0, sig1(cs[k][i])):
                c2 = [c.copy() for c in best[1]]
                c2[k][i] = cand
                if not np.any(c2[k]):
                    continue
                o = try_(best[0], c2)
                if o is not None:
                    best = (best[0], c2, o)
                    break
    t2 = [max(sig1(t), 0.1) for t in best[0]]
    o = try_(t2, best[1]) if time.process_time() - start <= budget_s else None
    if o is not None:
        best = (t2, best[1], o)
    A2 = Schedule(tuple((t, Linear(c)) for t, c in zip(best[0], best[1])))
    return best[2], (A2, Schedule(tuple(reversed(A2.pieces))))


def _schedule_text(S: Schedule) -> str:
    return " then ".join(
        f"{t:g} × ⟨({', '.join(f'{c:.3g}' for c in cast(Linear, loss).c)}), w⟩" for t, loss in S.pieces
    )


def random_pair_search(
    G: Parametrization, x0: np.ndarray, *, tries: int = 4, seed: int = 0, max_duration: float = 0.5, bound: float = 1.0
) -> tuple[Outcome, tuple[Schedule, Schedule]]:
    """Equal-μ pairs drawn at random (two linear pieces, B = A reversed), each decided by
    :func:`~oracles.checks.path_dependence.endpoint_gap`; stops at the first witness, else returns the largest
    gap relative to its budget. The cheap search for integrated flows (no optimizer: each candidate costs four
    flows).

    Parameters
    ----------
    G
        The parametrization.
    x0
        The common start, in M.
    tries, seed
        Number and seed of the random pairs.
    max_duration, bound
        Durations in ``[0.3, 1]·max_duration``, entries of c in ``[-bound, bound]``.

    Returns
    -------
    (Outcome, (Schedule, Schedule))
        The first witness, or the pair with the largest gap relative to its budget.

    Raises
    ------
    Inconclusive
        When no pair could be decided.
    """
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(max(1, int(tries))):
        taus = rng.uniform(0.3, 1.0, 2) * max_duration
        cs = rng.uniform(-bound, bound, (2, G.d))
        A = Schedule(tuple((float(t), Linear(c)) for t, c in zip(taus, cs)))
        pair = (A, Schedule(tuple(reversed(A.pieces))))
        try:
            o = endpoint_gap(G, x0, pair)
        except (Inconclusive, InvalidInput):
            continue
        if o.inconclusive is None and (best is None or o.ratio > best[0].ratio):
            best = (o, pair)
        if o.falsified:
            break
    if best is None:
        raise Inconclusive("no pair decided", f"all {tries} random pairs were inconclusive")
    return best


def path_answer(G: Parametrization, x0: np.ndarray, condition_fails: bool, quick: bool) -> Answer:
    """A path-dependence search from x0; a witness (two equal-μ schedules with different end points) is shrunk.

    Quadratic G (closed-form end points): :func:`~oracles.checks.path_dependence.path_dependence_search`
    (L-BFGS-B over the pair); otherwise :func:`random_pair_search`."""
    q = (
        "a path-dependence witness: two linear-loss schedules with the same μ that end at different w?"
        if condition_fails
        else "does a search find path dependence (Conjecture 4.10 predicts none)?"
    )
    rid = IDS["witness"] if condition_fails else IDS["conjecture"]
    try:
        if isinstance(G, Quadratic):
            o, pair = path_dependence_search(G, x0, pieces=2, starts=3, maxiter=30, max_duration=0.5)
        else:
            o, pair = random_pair_search(G, x0, tries=2 if quick else 4)
    except (Inconclusive, InvalidInput) as exc:
        return _undecided("mirror", q, rid, exc)
    if o.falsified:
        o, pair = _shrink_pair(G, x0, pair, o, budget_s=2.0 if isinstance(G, Quadratic) else (0.5 if quick else 1.5))
    A, B = pair
    det = {
        "schedule_A": _schedule_text(A),
        "schedule_B": _schedule_text(B),
        "endpoints": f"w_A(T) = {np.array2string(np.asarray(o.details.get('w_A(T)', [])), precision=5)}, "
        f"w_B(T) = {np.array2string(np.asarray(o.details.get('w_B(T)', [])), precision=5)}",
    }
    if condition_fails:
        return _from_outcome("mirror", q, o, rid, within="no witness found", beyond="yes: a witness", **det)
    return _from_outcome(
        "mirror",
        q,
        o,
        rid,
        within="none found (consistent with Conj. 4.10)",
        beyond="yes: Conjecture 4.10 falsified here",
        **det,
    )


def condition_from_brackets(G: Parametrization, x0: np.ndarray, commuting: bool | None, question: str) -> Answer:
    r"""Condition (9) where :math:`\mathrm{Lie}(\partial G)|_x = \mathrm{span}\{\nabla G_i(x)\}` (d = D, or D − d
    verified independent laws): then :math:`\mathrm{Lie}^{\ge2}|_x` lies in that span and in its orthogonal
    complement, so (9) says :math:`\mathrm{Lie}^{\ge2}|_x = 0`. A bracket non-zero at x_init refutes it; brackets
    zero at x_init *and* at the sampled points around it (``commuting``) confirm it (then every higher bracket
    vanishes too); zero at x_init alone cannot decide (a bracket of order 3 may not vanish there)."""
    r = brackets_at(G, x0)
    o = Outcome(
        r["relative"],
        budget_from_error(r["error"], CLOSED_FORM_BUDGET),
        r["error"],
        "max_ij ‖[∇G_i, ∇G_j](x_init)‖ relative to its terms (here Lie|_x = span ∇G_i(x), so (9) says Lie^{≥2}|_x = 0)",
    )
    note = "its failure means: no R makes GF a mirror flow for every initialization and loss"
    if not r["error"] < UNRESOLVED:
        o = Outcome.undecided("unresolved: error ≥ scale", o.what)
    elif not o.falsified and not commuting:
        return Answer(
            "mirror",
            question,
            UNDECIDED,
            IDS["condition"],
            o.what,
            o.discrepancy,
            o.error,
            o.budget,
            "the brackets vanish at x_init but not at every point around it: higher brackets at x_init are not checked",
        )
    return _from_outcome("mirror", question, o, IDS["condition"], within=YES, beyond=NO, note=note)


# -----------------------------------------------------------------------------------------
@dataclass
class Analysis:
    """Everything :func:`analyze` found: the answers in order, and what the report needs besides."""

    G: Parametrization
    x_inits: np.ndarray
    answers: list[Answer]
    summary: dict[str, Any]
    closure: Any = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "parametrization": {
                "name": self.G.name,
                "D": self.G.D,
                "d": self.G.d,
                "domain": getattr(self.G, "domain", ""),
            },
            "x_init": self.x_inits[0].tolist(),
            "x_inits": self.x_inits.tolist(),
            "summary": self.summary,
            "answers": [a.to_json() for a in self.answers],
            "seconds": self.seconds,
        }


def check_regular(G: Parametrization, x: np.ndarray, name: str = "x_init") -> None:
    """:class:`InvalidInput` unless ∂G has full rank d at x (li2022 Def. 3.4), decided with the Jacobian's error.

    Parameters
    ----------
    G
        The parametrization.
    x
        The point.
    name
        How the message names it.
    """
    J, jerr = jacobian_with_error(G, x)
    if G.d > G.D:
        raise InvalidInput(f"the Jacobian at {name} is not regular: d = {G.d} outputs > D = {G.D} inputs")
    s = np.linalg.svd(J, compute_uv=False)
    tol = 10.0 * (jerr + G.D * EPS * float(s[0] if s.size else 0.0))
    if not s.size or s[-1] <= tol:
        raise InvalidInput(
            f"the Jacobian at {name} is not regular: rank {int(np.sum(s > tol))} < d = {G.d} "
            f"(smallest singular value {s[-1] if s.size else 0:.3g})"
        )


def analyze(
    G: Parametrization,
    x_inits: ArrayLike,
    data: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    n_points: int = 6,
    seed: int = 0,
    max_order: int | None = None,
    quick: bool = False,
) -> Analysis:
    r"""Apply the suite's oracles to ``G`` (see the module docstring for the sections).

    Parameters
    ----------
    G
        The parametrization (a plain function wrapped by :func:`function_parametrization`).
    x_inits
        One initialization (a vector) or several (rows): the first is analyzed in full, the others add points
        where brackets and condition (9) are checked.
    data
        Optional ``(Z, Y)``, ``Z`` of shape ``(n, d)``, for the implicit-bias limit and the scale picture.
    n_points
        Sample points near each initialization for the brackets.
    max_order
        Longest bracket of the Lie closure (default: the closure's own; sampled fields stop at order 3).
    quick
        Smaller searches (path dependence), for benchmarks at the largest sizes.

    Raises
    ------
    InvalidInput
        Malformed input: shapes, non-finite values, an initialization outside M, a non-regular Jacobian, data of
        the wrong width.
    """
    t_start = time.process_time()
    X0 = np.asarray(x_inits, dtype=float)
    X0 = X0[None, :] if X0.ndim == 1 else X0
    if X0.ndim != 2 or X0.shape[1] != G.D:
        raise InvalidInput(f"x_init must have length D = {G.D}, got shape {np.shape(x_inits)}")
    for k, x in enumerate(X0):
        name = "x_init" if len(X0) == 1 else f"x_init[{k}]"
        as_vector(x, name, G.D)
        if not G.in_domain(x):
            raise InvalidInput(
                f"{name} = {np.array2string(x, precision=4)} is outside the domain M = {G.domain} of {G.name}"
            )
        G.validate(x, name)
        check_regular(G, x, name)
    if data is not None:
        Z = as_matrix(data[0], "Z")
        Y = as_vector(data[1], "y", Z.shape[0])
        if Z.shape[1] != G.d:
            raise InvalidInput(f"Z must have d = {G.d} columns (one per output of G), got shape {Z.shape}")
        data = (Z, Y)
    x0 = X0[0]
    answers: list[Answer] = []
    summary: dict[str, Any] = {}
    clock = [time.process_time()]

    def add(a: Answer) -> None:
        """Keep an answer with the CPU seconds spent since the previous one."""
        now = time.process_time()
        a.seconds = now - clock[0]
        clock[0] = now
        answers.append(a)

    G_used, rec = recognize(G, x0)
    if rec is not None:
        add(
            Answer(
                "input",
                "is G one of the suite's families with closed forms?",
                f"yes: {rec['family']}",
                IDS["quadratic"] if rec["family"].startswith("quadratic") else IDS["potential"],
                "max relative gap between G and the family at sample points",
                rec["max_relative_gap"],
                0.0,
                rec["tolerance"],
                "its closed forms are used below",
                details=rec,
            )
        )
        G = G_used
    summary["family"] = rec["family"] if rec else None

    # 1. commuting?
    pts = np.vstack([X0] + [sample_points(G, x, n_points, 0.2, seed + k) for k, x in enumerate(X0)])
    ans, commuting = commuting_answer(G, pts)
    if isinstance(G, Quadratic):
        c = G.commutator_norm()
        b = budget_from_error(roundoff_floor(G.D**2), CLOSED_FORM_BUDGET)
        ans = Answer(
            "commuting",
            ans.question,
            NO if c > b else YES,
            IDS["quadratic"],
            "max_ij ‖A_iA_j − A_jA_i‖_F / max‖A_i‖² (quadratic G: the brackets are (A_jA_i − A_iA_j)x)",
            c,
            roundoff_floor(G.D**2),
            b,
            "closed form for a quadratic G",
            ans.details,
        )
        commuting = not c > b
    add(ans)
    summary["commuting"] = ans.answer

    cl = None
    square = G.d == G.D and not isinstance(G, Quadratic)
    if square:
        # regular with d = D: span ∇G_i(x) = R^D already, so Lie|_x = R^D, no conservation law, and condition (9)
        # (Lie^{≥2}|_x ⊆ ker ∂G(x) = {0}) says exactly that every bracket vanishes at x (Cor. 4.12)
        add(
            Answer(
                "closure",
                "how many independent conservation laws (D − dim Lie(∂G)|_x, MGP 2023)?",
                "0",
                IDS["closure"],
                note="d = D and ∂G(x_init) is regular: Lie(∂G)|_x ⊇ span ∇G_i(x) = R^D",
            )
        )
        summary["conservation_laws"] = 0
    else:
        try:
            cl = lie_closure(G, x0, max_order=max_order)
            summary["closure"] = {
                "dim_algebra": cl.dim_algebra,
                "complete": cl.complete,
                "dim_Lie_at_x": cl.dim_at_x,
                "mode": cl.mode,
            }
            nl = cl.conservation_laws
            Q = cl.lie_basis_at_x
            P = np.eye(G.D) - Q @ Q.T if Q.size else np.eye(G.D)
            U, s, _ = np.linalg.svd(P)
            basis = U[:, :nl]
            dec = cl.decisions["lie@x"]
            dep = dec.summary()["largest_dependent_ratio"]
            add(
                Answer(
                    "closure",
                    "how many independent conservation laws (D − dim Lie(∂G)|_x, MGP 2023)?",
                    str(nl),
                    IDS["closure"],
                    "largest distance/threshold of a field at x declared dependent (≤ 1; an independent one "
                    "must exceed 100)",
                    dep if dep is not None else 0.0,
                    None,
                    1.0,
                    note=(
                        f"{cl.mode}: dim Lie(∂G) = {cl.dim_algebra}"
                        f"{'' if cl.complete else ' (truncated at order %d)' % cl.max_order}, "
                        f"dim Lie|_x = {cl.dim_at_x}; smallest distance/threshold of an independent field "
                        f"{dec.gap:.3g}; an orthonormal basis of the laws' gradients at x_init is in "
                        f"report.json (law_gradient_basis)"
                    ),
                    details=cl.summary()
                    | {"law_gradient_basis": basis.tolist(), "lie_at_x_basis_error": dec.basis_error},
                )
            )
            summary["conservation_laws"] = nl
        except (Inconclusive, InvalidInput) as exc:
            add(
                _undecided(
                    "closure", "how many independent conservation laws (D − dim Lie(∂G)|_x)?", IDS["closure"], exc
                )
            )
            summary["conservation_laws"] = None

    # polynomial laws
    qtext = "which conservation laws are polynomials of low degree (fitted, then verified)?"
    degree = 3 if len(_monomials(G.D, 3)) <= 120 else 2
    if square:
        add(Answer("laws", qtext, "none", IDS["closure"], note="d = D: no conservation law at all"))
        summary["polynomial_laws"] = []
    else:
        la = laws_answer(G, x0, summary.get("conservation_laws"), degree, seed + 11)
        add(la)
        summary["polynomial_laws"] = la.details.get("laws")
        k = la.details.get("independent_at_x_init") if la.answer != UNDECIDED else None  # type: ignore[assignment]
        if cl is None and k is not None and k == G.D - G.d:
            # the closure could not decide, but D − d verified independent laws pin dim Lie|_x between
            # rank ∂G(x) = d and D − k = d: the count is D − d and Lie|_x = span ∇G_i(x)
            summary["conservation_laws"] = k
            summary["laws_fill_the_complement"] = True
            add(
                Answer(
                    "closure",
                    "how many independent conservation laws (from the verified laws)?",
                    str(k),
                    IDS["closure"],
                    note=f"the closure could not decide; {k} = D − d independent verified laws "
                    f"and rank ∂G(x_init) = d give dim Lie(∂G)|_x = d",
                )
            )

    # 2. mirror flow (Theorem 4.9)
    cond_fails = None
    q9 = "does condition (9) Lie^{≥2}(∂G)|_x ⊆ ker ∂G(x) hold at x_init (Theorem 4.9)?"
    lie_is_span = square or (cl is None and summary.get("laws_fill_the_complement"))
    if lie_is_span:
        add(condition_from_brackets(G, x0, commuting, q9))
        cond_fails = answers[-1].answer == NO if answers[-1].answer != UNDECIDED else None
        summary["condition_9"] = answers[-1].answer
    elif cl is not None:
        o = cl.condition()
        a = _from_outcome(
            "mirror",
            q9,
            o,
            IDS["condition"],
            within=YES,
            beyond=NO,
            note="its failure means: no R makes GF a mirror flow for every initialization and loss",
        )
        a.details.pop("independent_words", None)
        add(a)
        cond_fails = a.answer == NO if a.answer != UNDECIDED else None
        summary["condition_9"] = a.answer
        from oracles.lie.closure import draw_bracket_graph

        a.plot = lambda cl=cl, name=G.name: [draw_bracket_graph(cl, title=f"bracket graph of {name}")]
    if commuting:
        c0 = answers[[a.section for a in answers].index("commuting")]
        add(
            Answer(
                "mirror",
                "is gradient flow a mirror flow (Theorem 4.8)?",
                "yes: G commutes, so w(t) = G(x(t)) is the mirror flow of the R of Lemma 4.7",
                IDS["mirror"],
                c0.what,
                c0.discrepancy,
                c0.error,
                c0.budget,
                note="the evidence is the commuting answer's",
            )
        )
        summary["mirror_flow"] = YES
    elif cond_fails:
        a = path_answer(G, x0, True, quick)
        add(a)
        summary["mirror_flow"] = NO if a.answer.startswith("yes") else "no (Theorem 4.9), no witness found"
    elif cond_fails is False and commuting is False:
        add(
            Answer(
                "mirror",
                "is gradient flow a mirror flow?",
                "open (Conjecture 4.10)",
                IDS["conjecture"],
                note="condition (9) holds but G does not commute: Theorem 4.8 does not apply and "
                "Theorem 4.9 does not exclude it",
            )
        )
        add(path_answer(G, x0, False, quick))
        summary["mirror_flow"] = "open (Conjecture 4.10)"
    else:
        summary["mirror_flow"] = UNDECIDED

    # 3. commuting: R, Hessian metric, data
    R = None
    if commuting:
        qR = "what is R (Lemma 4.7), and does it check: ∇R(G(ψ(x_init; μ))) = μ, ∇²R = (∂G∂Gᵀ)⁻¹?"
        try:
            R = legendre_of(G, x0)
            name, closed = potential_name(R)
            o = potential_check(G, R, x0, seed + 21)
            add(
                _from_outcome(
                    "potential",
                    qR,
                    o,
                    IDS["potential"],
                    within=f"{name}{' (closed form)' if closed else ' (numeric)'}: checks",
                    beyond=f"{name}: does NOT check",
                    closed_form=closed,
                    potential=name,
                )
            )
            summary["R"] = name
        except (Inconclusive, InvalidInput) as exc:
            add(_undecided("potential", qR, IDS["potential"], exc))
            R = None
        if R is not None and potential_name(R)[1]:
            qM = "is w(t) = G(x(t)) the mirror flow of this R on a random loss schedule (Theorem 4.8, integrated)?"
            try:
                add(
                    _from_outcome(
                        "potential", qM, mirror_check(G, R, x0, seed + 31), IDS["mirror"], within=YES, beyond=NO
                    )
                )
            except (Inconclusive, InvalidInput) as exc:
                add(_undecided("potential", qM, IDS["mirror"], exc))
        qH = "is ∇²R a Hessian metric (the third derivatives of Q = R* symmetric, at a random μ)?"
        try:
            add(_from_outcome("potential", qH, hessian_metric_check(G, x0), IDS["potential"], within=YES, beyond=NO))
        except (Inconclusive, InvalidInput) as exc:
            add(_undecided("potential", qH, IDS["potential"], exc))
    if data is not None:
        Z, Y = data
        add(limit_answer(G, x0, Z, Y, R if commuting else None))
        closed = R is not None and potential_name(R)[1]
        add(
            scale_picture(
                G,
                x0,
                Z,
                Y,
                bool(commuting and closed),
                why="G does not commute: no R"
                if not commuting
                else "R is numeric: a projection at every scale would cost a root solve per dual step",
            )
        )
    seconds = time.process_time() - t_start
    return Analysis(G, X0, answers, summary, cl, seconds)


__all__ = [
    "Analysis",
    "Answer",
    "CommutingLegendre",
    "FunctionParametrization",
    "IDS",
    "analyze",
    "brackets_at",
    "check_regular",
    "combined_psi",
    "mirror_check",
    "commuting_answer",
    "condition_from_brackets",
    "function_parametrization",
    "hessian_metric_check",
    "hessians_with_error",
    "jacobian_with_error",
    "law_values",
    "laws_along_flow",
    "laws_answer",
    "legendre_of",
    "limit_answer",
    "naive_brackets_at",
    "path_answer",
    "polynomial_laws",
    "potential_check",
    "random_pair_search",
    "recognize",
    "sample_points",
    "scale_picture",
]
