r"""Strategies for the ``liang`` statements (shallow univariate networks under mirror flow).

* :func:`densities` -- symmetric bias densities: uniform on ``[−B, B]`` or a normal truncated to it,
  ``B ∈ {1, 2}``, or (when asked) the normal ``N(0, B²/4)`` on the whole line; shrinks to ``Uniform(−1, 1)``.
* :func:`data_sets` -- ``m ≤ 5`` distinct points inside ``supp p_B``, spread out (neighbours at least
  0.4 of the even spacing apart, so the kernel is not needlessly ill-conditioned), with targets; shrinks
  toward ``m = 2`` evenly spaced points with targets ``±¼`` (never toward the trivial y = f(x, θ(0))).
* :func:`unscaled_potentials` / :func:`scaled_potentials` -- the slides' potentials; the scaled ones
  are :math:`(\psi + \omega x^2)/(1 + \omega)`, ψ ∈ {x⁴, cosh}, ω ∈ {1, 2, 4} (|x|³ is only C², outside the
  scaled theorem: :func:`scaled_potentials` draws it only when asked).
* :func:`seed_blocks` -- S consecutive seeds (nested initializations across widths).
* :func:`kernel_ode_cases`, :func:`g3_cases` -- one-width cases for the chain rule and the G3 identity.

Everything drawn is a float array, a tuple, or a ``Density``/``MirrorPotential`` (``to_spec``/``from_spec``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st

from oracles.model.shallow import Density, MirrorPotential, Normal, TruncatedNormal, Uniform


@st.composite
def densities(
    draw: st.DrawFn, kinds: Sequence[str] = ("uniform", "truncated normal"), max_scale: float = 1.0
) -> Density:
    """``Uniform(−B, B)`` or ``TruncatedNormal(s·B, −B, B)``, s ∈ {0.5, 0.35, 0.75, 1} (shrinks to the first), or
    (kind ``"normal"``, unbounded support) ``Normal(B/2)``, whose window ±3s = ±1.5B holds the data."""
    kind = draw(st.sampled_from(kinds))
    B = draw(st.sampled_from([1.0, 2.0]))
    if kind == "uniform":
        return Uniform(-B, B)
    if kind == "normal":
        return Normal(0.5 * B)
    s = draw(st.sampled_from([v for v in (0.5, 0.35, 0.75, 1.0) if v <= max_scale]))
    return TruncatedNormal(s * B, -B, B)


@st.composite
def data_sets(draw: st.DrawFn, density: Density, min_m: int = 2, max_m: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)``: ``m`` points ``x_i = lo + L(i + ½ + j_i)/m·0.9 + 0.05L`` with jitter ``j_i ∈ {−0.3..0.3}``
    (sixteenths), targets ``y_i = ¼(−1)^i + k_i/16``, ``k_i ∈ [−4, 4]``."""
    m = draw(st.integers(min_m, max_m))
    lo, hi = density.window  # the support, or ±3s for a normal p_B
    L = hi - lo
    jit = np.array(draw(st.lists(st.integers(-5, 5), min_size=m, max_size=m)), float) / 16.0
    x = lo + 0.05 * L + 0.9 * L * (np.arange(m) + 0.5 + jit) / m
    k = np.array(draw(st.lists(st.integers(-4, 4), min_size=m, max_size=m)), float)
    y = 0.25 * (-1.0) ** np.arange(m) + k / 16.0
    return x, y


@st.composite
def data_sets_2d(draw: st.DrawFn, density: Density, min_m: int = 2, max_m: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` in the plane, d = 2: ``m`` points ``ρ_i(cos φ_i, sin φ_i)`` with angles spread around the circle
    (``φ_i = 2π(i + j_i)/m + φ_0``, jitter ``j_i`` in sixteenths up to ¼) and radii ``ρ_i ∈ {0.3, 0.5, 0.7, 0.9}·hi``
    (norms in supp p_B, as the slides ask), targets as :func:`data_sets`; shrinks to two opposite points at 0.3·hi."""
    m = draw(st.integers(min_m, max_m))
    hi = density.window[1]
    jit = np.array(draw(st.lists(st.integers(-4, 4), min_size=m, max_size=m)), float) / 16.0
    phi = 2 * np.pi * (np.arange(m) + jit) / m + draw(st.sampled_from([0.0, 0.3, 1.1]))
    rho = hi * np.array(draw(st.lists(st.sampled_from([0.3, 0.5, 0.7, 0.9]), min_size=m, max_size=m)))
    x = np.stack([rho * np.cos(phi), rho * np.sin(phi)], 1)
    k = np.array(draw(st.lists(st.integers(-4, 4), min_size=m, max_size=m)), float)
    return x, 0.25 * (-1.0) ** np.arange(m) + k / 16.0


def unscaled_potentials() -> st.SearchStrategy[MirrorPotential]:
    """x⁴ + x², |x|³ + x², cosh (shrinks to x⁴ + x²); never x², which *is* gradient flow."""
    return st.sampled_from(["x^4+x^2", "|x|^3+x^2", "cosh"]).map(MirrorPotential.named)


@st.composite
def scaled_potentials(draw: st.DrawFn, include_c2: bool = False) -> MirrorPotential:
    """:math:`(\\psi + \\omega x^2)/(1 + \\omega)`, ψ ∈ {x⁴, cosh} (and |x|³ if ``include_c2``), ω ∈ {1, 2, 4}."""
    psis = ["quartic", "cosh"] + (["abs3"] if include_c2 else [])
    return MirrorPotential.mixed(draw(st.sampled_from(psis)), draw(st.sampled_from([1.0, 2.0, 4.0])))


def seed_blocks(count: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """``count`` consecutive seeds starting at a drawn base (shrinks to 0, 1, ..)."""
    return st.integers(0, 2**16).map(lambda s: tuple(range(s, s + count)))


@st.composite
def ladder_cases(
    draw: st.DrawFn,
    widths: tuple[int, ...],
    seeds: int = 4,
    potentials: st.SearchStrategy[MirrorPotential] | None = None,
    density_kinds: Sequence[str] = ("uniform", "truncated normal"),
    max_scale: float = 1.0,
    min_m: int = 2,
    max_m: int = 5,
    dims: tuple[int, ...] = (1,),
) -> tuple[np.ndarray, np.ndarray, Density, MirrorPotential, tuple[int, ...], tuple[int, ...]]:
    """``(x, y, density, potential, widths, seeds)`` for a ladder statement (widths fixed by the profile);
    ``min_m``/``max_m`` bound the number of data points (controls whose planted effect needs few or many);
    ``dims`` the input dimensions drawn (shrinks to the first; d = 2 data from :func:`data_sets_2d`)."""
    density = draw(densities(density_kinds, max_scale))
    dim = draw(st.sampled_from(dims)) if len(dims) > 1 else dims[0]
    x, y = draw(data_sets(density, min_m, max_m) if dim == 1 else data_sets_2d(density, min_m, max_m))
    potential = draw(potentials if potentials is not None else unscaled_potentials())
    return x, y, density, potential, tuple(widths), draw(seed_blocks(seeds))


@st.composite
def kernel_ode_cases(
    draw: st.DrawFn,
) -> tuple[np.ndarray, np.ndarray, Density, MirrorPotential, bool, str, int, int, float]:
    """``(x, y, density, potential, scaled, activation, width, seed, perturbation)`` for the chain-rule identity at
    one width: an unscaled potential (x² included: the identity holds for gradient flow too) with ReLU or abs, or a
    scaled one with abs; widths 1-40 (shrinks to 1), displacement scale ∈ {0.3, 0, 0.1, 1} (shrinks to 0.3)."""
    density = draw(densities())
    x, y = draw(data_sets(density))
    scaled = draw(st.booleans())
    if scaled:
        potential, activation = draw(scaled_potentials(include_c2=True)), "abs"
    else:
        potential = draw(st.sampled_from(["x^4+x^2", "|x|^3+x^2", "cosh", "x^2"]).map(MirrorPotential.named))
        activation = draw(st.sampled_from(["relu", "abs"]))
    return (
        x,
        y,
        density,
        potential,
        scaled,
        activation,
        draw(st.integers(1, 40)),
        draw(st.integers(0, 2**16)),
        draw(st.sampled_from([0.3, 0.0, 0.1, 1.0])),
    )


@st.composite
def g3_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, Density, int, int]:
    """``(x, r, density, seed, width)``: data and targets for the G1 + G2 + G3 minimizer, and the seed and width
    (1-30, shrinks to 1) of a ReLU network function ``init_params(seed, width, density)`` (w = ±1, kinks drawn
    from p_B, a ~ N(0, 1)/√n)."""
    density = draw(densities())
    x, r = draw(data_sets(density))
    return x, r, density, draw(st.integers(0, 2**16)), draw(st.integers(1, 30))


__all__ = [
    "data_sets",
    "data_sets_2d",
    "densities",
    "g3_cases",
    "kernel_ode_cases",
    "ladder_cases",
    "scaled_potentials",
    "seed_blocks",
    "unscaled_potentials",
]
