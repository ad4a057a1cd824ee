"""Composite cases: a parametrization with a point of its domain and what to run from there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import strategies as st

from generators.arrays import vectors
from generators.losses import schedules
from generators.parametrizations import inits

if TYPE_CHECKING:
    import numpy as np

    from oracles.model.losses import Schedule
    from oracles.model.parametrizations import Parametrization


@st.composite
def flow_cases(
    draw: st.DrawFn,
    families: st.SearchStrategy[Parametrization],
    max_pieces: int = 3,
    max_duration: float = 0.5,
    n_schedules: int = 1,
) -> tuple[Parametrization, np.ndarray, Schedule | list[Schedule]]:
    """``(G, x_init, schedule)`` -- or ``(G, x_init, [schedules…])`` when ``n_schedules > 1``."""
    G = draw(families)
    x = draw(inits(G))
    scheds = [draw(schedules(G.d, max_pieces=max_pieces, max_duration=max_duration)) for _ in range(n_schedules)]
    return (G, x, scheds[0]) if n_schedules == 1 else (G, x, scheds)


@st.composite
def mu_cases(
    draw: st.DrawFn,
    families: st.SearchStrategy[Parametrization],
    bound: float = 0.5,
) -> tuple[Parametrization, np.ndarray, np.ndarray]:
    """``(G, x_init, mu)`` with ``mu`` in ``[-bound, bound]^d``, shrinking to 0."""
    G = draw(families)
    x = draw(inits(G))
    return G, x, draw(vectors(G.d, 0.0, bound))
