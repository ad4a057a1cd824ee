r"""li2022 Theorem 4.9, Corollary 4.12 and the MGP conservation count: the comparisons statements call.

The closure itself (brackets tracked as a graph, rank decisions with error bounds) is :mod:`oracles.lie.closure`;
the conservation counts derived for matrix factorization are :mod:`oracles.lie.conservation`.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from oracles.core.errors import Inconclusive, InvalidInput, as_matrix
from oracles.core.outcome import CLOSED_FORM_BUDGET, EPS, Outcome, budget_from_error
from oracles.lie.closure import LieClosure, draw_bracket_graph, lie_closure, numerical_rank
from oracles.model.parametrizations import Parametrization


# -----------------------------------------------------------------------------------------
# comparisons for the statements
def condition_cosine_against(
    G: Parametrization,
    x: ArrayLike,
    expected: float,
    *,
    regular: bool = False,
    closure: LieClosure | None = None,
    **kwargs: Any,
) -> Outcome:
    r"""Theorem 4.9's condition measured at x against a predicted cosine (0: holds; 1: maximally violated).

    Discrepancy :math:`|\cos\theta_{\min}(\mathrm{Lie}^{\ge2}|_x, \mathrm{span}\nabla G(x)) - \text{expected}|`;
    budget ten times the Wedin error of the two bases, at least 1e-9.

    Parameters
    ----------
    expected
        0 for families where (9) holds (commuting; the Hopf charts), 1 for families where
        :math:`\mathrm{Lie}^{\ge2}|_x` contains a non-zero gradient combination (matrix factorization).
    regular
        Also claim Theorem 4.9's other conclusion, rank ∂G(x) = d: the discrepancy is then the
        larger of the cosine gap and the integer :math:`|\mathrm{rank}\,\partial G(x) - d|`.
    """
    if not 0.0 <= float(expected) <= 1.0:
        raise InvalidInput(f"expected cosine must lie in [0, 1], got {expected}")
    cl = closure or lie_closure(G, x, **kwargs)
    gap = abs(cl.condition_cosine - float(expected))
    what = f"|cos∠(Lie^{{≥2}}|_x, span ∇G(x)) − {float(expected):g}| (Theorem 4.9's condition: cos = 0)"
    if regular:
        gap = max(gap, float(abs(cl.rank_jacobian - G.d)))
        what += " and |rank ∂G(x) − d|"
    return Outcome(
        gap,
        budget_from_error(cl.condition_error, CLOSED_FORM_BUDGET),
        cl.condition_error,
        what,
        details=cl.summary() | {"expected_cosine": float(expected), "regular_claimed": bool(regular)},
        # a Figure, which Outcome.plot's hint (Panels only) does not name
        plot=cast(Any, lambda: [draw_bracket_graph(cl, title=f"bracket graph of {G.name}")]),
    )


def reachable_dimension_check(
    G: Parametrization, x: ArrayLike, commuting: bool, *, closure: LieClosure | None = None, **kwargs: Any
) -> Outcome:
    r"""Corollary 4.12 on a family whose reachable sets have dimension d.

    When :math:`\dim\mathrm{Lie}(\partial G)|_x = d` and G is regular at x,
    :math:`\mathrm{Lie}|_x = \mathrm{span}\{\nabla G_i(x)\}`, so :math:`\mathrm{Lie}^{\ge2}|_x \subseteq
    \mathrm{span}\nabla G(x)` and condition (9), :math:`\mathrm{Lie}^{\ge2}|_x \subseteq
    \ker\partial G(x) = \mathrm{span}\nabla G(x)^\perp`, holds iff :math:`\mathrm{Lie}^{\ge2}|_x = 0`,
    i.e. iff every bracket vanishes at x. Claimed, all at once (discrepancy = the largest gap):

    * :math:`\dim\mathrm{Lie}|_x = d` (an integer; G must be regular at x, else the example is
      outside the premise: :class:`~oracles.core.errors.Inconclusive`);
    * the cosine of (9) equals :math:`\mathbf 1[\mathrm{Lie}^{\ge2}|_x \ne 0]` (it can only be 0 or 1);
    * :math:`\mathbf 1[\mathrm{Lie}^{\ge2}|_x \ne 0]` = 0 for a commuting family and 1 otherwise
      (``commuting`` as the generator built it).
    """
    cl = closure or lie_closure(G, x, **kwargs)
    if not cl.regular:
        raise Inconclusive("premise: not regular at x", f"rank ∂G(x) = {cl.rank_jacobian} < d = {G.d}")
    nonzero = 1.0 if cl.lie2_dim_at_x > 0 else 0.0
    parts = {
        "|dim Lie|_x − d|": float(abs(cl.dim_at_x - G.d)),
        "|cos − 1[Lie^{≥2}|_x ≠ 0]|": abs(cl.condition_cosine - nonzero),
        "|1[Lie^{≥2}|_x ≠ 0] − 1[non-commuting]|": abs(nonzero - (0.0 if commuting else 1.0)),
    }
    worst = max(parts.values())
    return Outcome(
        worst,
        budget_from_error(cl.condition_error, CLOSED_FORM_BUDGET),
        cl.condition_error,
        "largest of: |dim Lie|_x − d|, |cos(9) − 1[brackets ≠ 0 at x]|, |1[brackets ≠ 0] − 1[non-commuting]|",
        details=cl.summary() | {"parts": parts, "commuting": bool(commuting)},
        # a Figure, which Outcome.plot's hint (Panels only) does not name
        plot=cast(Any, lambda: [draw_bracket_graph(cl, title=f"bracket graph of {G.name}")]),
    )


def conservation_count_check(
    G: Parametrization,
    x: ArrayLike,
    expected: int,
    *,
    laws: np.ndarray | None = None,
    closure: LieClosure | None = None,
    **kwargs: Any,
) -> Outcome:
    r"""MGP's count :math:`D - \dim\mathrm{Lie}(\partial G)|_x` against ``expected``.

    With ``laws`` (a ``D × k`` array of gradients of claimed conservation laws at x) also checks
    that they are a complete independent set: rank k = ``expected`` and orthogonal to
    :math:`\mathrm{Lie}|_x` (cosine of the smallest angle between the spans, claimed 0).
    Discrepancy: the largest of the integer gaps and that cosine.
    """
    cl = closure or lie_closure(G, x, **kwargs)
    parts = {"|count − expected|": float(abs(cl.conservation_laws - int(expected)))}
    err = 0.0
    if laws is not None:
        L = as_matrix(laws, "laws", (G.D, None))
        lerr = [10.0 * EPS * G.D * max(float(np.linalg.norm(c)), 1e-300) for c in L.T]
        dec = numerical_rank(L, lerr, what="conservation-law gradients")
        parts["|rank of law gradients − expected|"] = float(abs(dec.rank - int(expected)))
        if dec.rank and cl.dim_at_x:
            parts["cos∠(law gradients, Lie|_x)"] = float(np.linalg.norm(dec.basis.T @ cl.lie_basis_at_x, 2))
            err = dec.basis_error + cl.decisions["lie@x"].basis_error
    worst = max(parts.values())
    return Outcome(
        worst,
        budget_from_error(err, CLOSED_FORM_BUDGET),
        err,
        "largest of |D − dim Lie|_x − expected| and the checks of the given laws",
        details=cl.summary() | {"parts": parts, "expected": int(expected)},
    )
