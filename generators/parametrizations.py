r"""Strategies for parametrizations and their initializations.

* :func:`separable_families` -- identity, :math:`x^{\odot 2}`, :math:`x^{\odot p}`, :math:`u^{\odot2}-v^{\odot2}`.
* :func:`commuting_quadratics` -- :math:`A_i = O\,\mathrm{diag}(\lambda_i)\,O^\top` on a shared random
  orthogonal eigenbasis O; :math:`\Lambda = [I_d\,|\,0] + \text{offset}` so it shrinks to a regular family.
* :func:`noncommuting_quadratics` -- symmetric :math:`A_i` in general position, or a commuting
  family plus a small symmetric perturbation (``perturbed=True``).
* :func:`matrix_factorizations` -- :math:`UU^\top` and :math:`UV^\top` at small sizes.
* :func:`inits` -- a point of M for a given parametrization: scale, shape, and optionally near
  the boundary of M.

Builders of families take plain values and are cached (see :mod:`generators.arrays`); :func:`inits` takes
the drawn family and is not.
"""
from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from generators.arrays import cached, dims, log_scales, offsets, orthogonal, positive_vectors, vectors
from oracles.model.parametrizations import (Identity, Parametrization, Powers, Quadratic, UVSquared, factorization,
                                      symmetric_factorization)


@cached
def identities(max_d: int = 4) -> st.SearchStrategy[Identity]:
    return dims(1, max_d).map(Identity)


@cached
def powers(max_d: int = 4, p_values=(2.0, 1.5, 3.0)) -> st.SearchStrategy[Powers]:
    r""":math:`x^{\odot p}`; ``p = 2`` first (entropy), then a sub- and a super-quadratic power."""
    return st.builds(Powers, st.sampled_from(p_values), dims(1, max_d))


@cached
def uv_squared(max_d: int = 4) -> st.SearchStrategy[UVSquared]:
    return dims(1, max_d).map(UVSquared)


@cached
def separable_families(max_d: int = 4) -> st.SearchStrategy[Parametrization]:
    """Any of the separable families, simplest (identity) first."""
    return st.one_of(identities(max_d), powers(max_d), uv_squared(max_d))


@cached
@st.composite
def commuting_quadratics(draw, max_d: int = 3, max_extra: int = 2, spread: float = 1.0,
                         d: int | None = None) -> Quadratic:
    """A commuting quadratic family with ``d ≤ D`` (``d`` fixed if given); regular at generic points."""
    d = draw(dims(1, max_d)) if d is None else d
    D = d + draw(st.integers(0, max_extra))
    O = draw(orthogonal(D))
    Lam = np.hstack([np.eye(d), np.zeros((d, D - d))]) + draw(offsets((d, D), spread))
    A = np.einsum("ab,ib,cb->iac", O, Lam, O)
    return Quadratic(A, name="commuting quadratic")


@cached
@st.composite
def noncommuting_quadratics(draw, max_d: int = 3, max_extra: int = 2, perturbed: bool | None = None,
                            min_perturbation: float = 0.05, max_perturbation: float = 0.5) -> Quadratic:
    """A quadratic family whose matrices do not commute (``d ≥ 2``).

    ``perturbed=True``: a commuting family plus a symmetric perturbation whose size is drawn from
    ``[min_perturbation, max_perturbation]`` (a small range, e.g. ``(1e-3, 1e-2)``, probes how a statement
    degrades near commutation); ``False``: entries in general position; ``None``: either.
    """
    if not 0 < min_perturbation <= max_perturbation:
        raise ValueError(f"need 0 < min_perturbation <= max_perturbation, got {min_perturbation}, {max_perturbation}")
    if perturbed is None:
        perturbed = draw(st.booleans())
    d = draw(dims(2, max_d))
    D = d + draw(st.integers(0, max_extra))
    if perturbed:
        base = draw(commuting_quadratics(max_extra=0, d=d)).A
        if base.shape[1] != D:
            big = np.zeros((d, D, D))
            big[:, : base.shape[1], : base.shape[1]] = base
            big[:, base.shape[1]:, base.shape[1]:] = np.eye(D - base.shape[1])
            base = big
        eps = draw(st.floats(min_perturbation, max_perturbation))
        P = draw(offsets((d, D, D), 1.0))
        P = P + P.transpose(0, 2, 1)
        P[0] = 0.0
        norm = max(np.linalg.norm(P[1:]), 1e-12)
        E = np.zeros((D, D))
        E[0, 1] = E[1, 0] = 1.0
        P[1] = P[1] + E  # guarantees [A_0, A_1] != 0 even when the drawn offsets shrink to zero
        A = base + eps * P / max(norm, 1.0)
    else:
        M = draw(offsets((d, D, D), 2.0))
        A = M + M.transpose(0, 2, 1)
        A[0] += np.diag(np.arange(1.0, D + 1))
        E = np.zeros((D, D))
        E[0, 1] = E[1, 0] = 1.0
        A[1] += E
        for i in range(2, d):  # keeps the shrunk family regular: A_i x has a component of its own
            A[i, i, i] += 1.0
    q = Quadratic(A, name="non-commuting quadratic" + (" (perturbed)" if perturbed else ""))
    if q.commutator_norm() < 1e-6:
        from hypothesis import reject

        reject()
    return q


@cached
@st.composite
def matrix_factorizations(draw, max_d: int = 3, max_r: int = 2, symmetric: bool | None = None) -> Quadratic:
    """:math:`UU^\\top` (``symmetric=True``) or :math:`UV^\\top` at ``d, r`` small (``d ≥ 2``)."""
    if symmetric is None:
        symmetric = draw(st.booleans())
    d = draw(dims(2, max_d))
    r = draw(dims(1, max_r))
    if symmetric:
        return symmetric_factorization(d, r)
    return factorization(d, draw(dims(2, max_d)), r)


@cached
def commuting_families(max_d: int = 3) -> st.SearchStrategy[Parametrization]:
    """Commuting parametrizations: separable ones and commuting quadratic ones."""
    return st.one_of(separable_families(max_d), commuting_quadratics(max_d))


@st.composite
def inits(draw, G: Parametrization, near_boundary: bool | None = None, max_scale: float = 3.0) -> np.ndarray:
    """A point of M for ``G``.

    For positive-orthant domains: entries in ``[0.1, max_scale]``, shrinking to ones, and with
    ``near_boundary`` a factor down to 1e-3 on some coordinates. For ``R^D``: ``1 + offset``
    (the all-ones point is regular for the shrunk families) times a scale, rejected where ∂G(x)
    is not of full rank (such points are outside M). ``near_boundary=None``
    draws whether to push some coordinates toward the boundary (shrinking to no).
    """
    if np.isfinite(G.domain_margin(np.ones(G.D))):
        x = draw(positive_vectors(G.D, 0.1, max_scale))
        if near_boundary is None:
            near_boundary = draw(st.booleans())
        if near_boundary:
            x = x * np.where(draw(st.lists(st.booleans(), min_size=G.D, max_size=G.D)), draw(log_scales(1e-3, 1.0)), 1.0)
        return x
    x = draw(vectors(G.D, 1.0, 1.5)) * draw(log_scales(0.3, max_scale))
    # M is where ∂G has full rank d: on R^D a coordinate drawn as exactly 0 can leave it (x = 0 for ½ax²)
    s = np.linalg.svd(np.atleast_2d(G.jacobian(x)), compute_uv=False)
    assume(s.size > 0 and s[-1] > 1e-6 * max(float(s[0]), 1.0))
    return x
