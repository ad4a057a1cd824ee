r"""Strategies for li2022's mirror-flow statements outside the commuting-family machinery.

* :func:`mirror_cases` -- Theorem 3.8: a potential, underdetermined data interpolable inside dom R, a start.
* :func:`entropy_cases` -- gradient flows whose mirror potential is the entropy ¼Σ(w ln w − w): x⊙2 on the
  orthant (li2022 §1) and :math:`UU^\top` at d = 1 (P3), each with two schedules of smooth losses.
* :func:`md_cases` -- eq. (7) → (8): a potential, a smooth loss, a start and a horizon T.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
from hypothesis import strategies as st

from generators.arrays import dims, offsets, positive_vectors, vectors
from generators.lie import generic_points
from generators.losses import schedules
from generators.regression import data_matrices, potentials, targets
from oracles.model.parametrizations import squares, symmetric_factorization
from oracles.model.potentials import EntropyPotential, PowerPotential

if TYPE_CHECKING:
    from oracles.model.losses import Schedule
    from oracles.model.parametrizations import Powers, Quadratic
    from oracles.model.potentials import SeparablePotential

#: The smooth losses of Theorem 3.8 and eq. (7)-(8), by name (the classes live in oracles.model.losses).
LOSS_NAMES = ("least-squares", "log-cosh")


@st.composite
def mirror_cases(
    draw: st.DrawFn, kinds: Sequence[str] = ("euclidean", "entropy", "hypentropy", "pnorm", "power")
) -> tuple[SeparablePotential, np.ndarray, np.ndarray, np.ndarray, str]:
    """``(R, Z, Y, w_init, loss)``: a potential, underdetermined data interpolable inside dom R, a start in dom R."""
    Z = draw(data_matrices(max_n=2, max_extra=2))
    n, d = Z.shape
    R = draw(potentials(d, kinds=kinds))
    orthant = isinstance(R, (EntropyPotential, PowerPotential))
    if orthant:
        w_init = draw(positive_vectors(d, 0.2, 3.0))
        Y = Z @ draw(positive_vectors(d, 0.2, 3.0))
    else:
        w_init = draw(vectors(d, 0.0, 1.0))
        Y = draw(targets(n))
    loss = draw(st.sampled_from(sorted(LOSS_NAMES)))
    return R, Z, Y, w_init, loss


@st.composite
def entropy_cases(
    draw: st.DrawFn, kind: str, max_d: int = 3, max_r: int = 3, max_pieces: int = 2, max_duration: float = 0.6
) -> tuple[Powers | Quadratic, np.ndarray, list[Schedule]]:
    r"""``(G, x, [S1, S2])``: ``kind="squares"``: x⊙2 on the orthant, d ≤ ``max_d``, x in [0.3, 2]^d;
    ``kind="uut-d1"``: :math:`UU^\top` with d = 1, :math:`u \in \mathbb{R}^r` (r ≤ ``max_r``) at a generic point.
    Two independent schedules of linear, least-squares or log-cosh losses (one R must serve both)."""
    G: Powers | Quadratic
    if kind == "squares":
        G = squares(draw(dims(1, max_d)))
        x = draw(positive_vectors(G.D, 0.3, 2.0))
    elif kind == "uut-d1":
        G = symmetric_factorization(1, draw(dims(1, max_r)))
        x = draw(generic_points(G.D))
    else:
        raise ValueError(f"unknown kind {kind!r}")
    scheds = [draw(schedules(G.d, max_pieces=max_pieces, max_duration=max_duration)) for _ in range(2)]
    return G, x, scheds


@st.composite
def md_cases(
    draw: st.DrawFn, kinds: Sequence[str] = ("euclidean", "entropy", "hypentropy", "power")
) -> tuple[SeparablePotential, np.ndarray, np.ndarray, np.ndarray, str, float]:
    r"""``(R, Z, Y, w_init, loss, T)``: a potential, data, a start and a horizon T in [0.2, 1] (shrinking to 1).

    The data are Theorem 3.8's (:func:`mirror_cases`), but the labels are those of a point away from
    :math:`w_{init}`: :math:`Y = Zv` with :math:`v = w_{init}\odot(1.5 + u)` on the orthant and
    :math:`v = w_{init} + 0.5 + u`, :math:`u \in [-0.3, 0.3]^d`, otherwise -- so the simplest draws do not start
    at a minimizer, where mirror descent and the flow both stand still and there is no order to measure.

    The p-norm potentials are left out by default: their dual field :math:`(\nabla R)^{-1}(\theta) =
    \mathrm{sign}(\theta)|\theta|^{1/(p-1)}` is not C² at θ = 0, where forward Euler's O(η) expansion need not hold.
    """
    Z = draw(data_matrices(max_n=2, max_extra=2))
    d = Z.shape[1]
    R = draw(potentials(d, kinds=kinds))
    u = draw(offsets((d,), 0.3))
    if isinstance(R, (EntropyPotential, PowerPotential)):
        w_init = draw(positive_vectors(d, 0.2, 3.0))
        v = w_init * (1.5 + u)
    else:
        w_init = draw(vectors(d, 0.0, 1.0))
        v = w_init + 0.5 + u
    loss = draw(st.sampled_from(sorted(LOSS_NAMES)))
    T = 1.0 - draw(st.floats(0.0, 0.8))
    return R, Z, Z @ v, w_init, loss, T
