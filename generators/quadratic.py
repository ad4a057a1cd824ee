r"""Strategies for li2022 Theorem 4.15 beyond (a)-(c): the domain of R = Q* (part (d)).

:func:`domain_cases` -- ``(G, x, v, u)``: a commuting quadratic family (D = d in half of the draws, where the
cone dom R is simplicial and has facets to approach), a regular start, positive cone weights v and a direction u.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from hypothesis import strategies as st

from generators.arrays import positive_vectors
from generators.losses import directions
from generators.parametrizations import commuting_quadratics, inits

if TYPE_CHECKING:
    from oracles.model.parametrizations import Quadratic


@st.composite
def domain_cases(draw: st.DrawFn, max_d: int = 3) -> tuple[Quadratic, np.ndarray, np.ndarray, np.ndarray]:
    """``(G, x_init, v, u)`` for :func:`oracles.checks.quadratic_forms.thm_4_15d_domain`."""
    square = draw(st.booleans())
    G = draw(commuting_quadratics(max_d=max_d, max_extra=0 if square else 2))
    x = draw(inits(G))
    v = draw(positive_vectors(G.D, 0.5, 2.0))
    u = draw(directions(G.d, 0))
    return G, x, v, u
