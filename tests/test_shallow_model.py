"""Potentials, densities, initialization and the network evaluation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from oracles import InvalidInput
from oracles.model.shallow import (
    MirrorPotential,
    ParameterMirror,
    PolynomialDensity,
    TruncatedNormal,
    Uniform,
    direct_network,
    init_params,
    network,
    validate_data,
)

POTENTIALS = [
    MirrorPotential.quadratic(),
    MirrorPotential.cubic(),
    MirrorPotential.quartic(),
    MirrorPotential.cosh_(),
    MirrorPotential.mixed("cosh", 3.0),
    MirrorPotential.mixed("quartic", 10.0),
    MirrorPotential.mixed("abs3", 0.5),
]


@pytest.mark.parametrize("potential", POTENTIALS, ids=lambda p: p.describe())
def test_grad_inv_is_accurate_over_300_decades(potential):
    """(φ')⁻¹ in closed form: the backward error in x, |φ'(x) − z|/(φ''(x)|x|), is a few ulps (z from 1e-300 to 1e8)."""
    z = np.concatenate([-np.logspace(-300, 8, 3001), [0.0], np.logspace(-300, 8, 3001)])
    x = potential.grad_inv(z)
    nz = z != 0
    rel_x = np.abs(potential.grad(x[nz]) - z[nz]) / (potential.hess(x[nz]) * np.abs(x[nz]))
    assert np.max(rel_x) <= 4 * np.finfo(float).eps
    assert potential.grad_inv(0.0) == 0.0


@pytest.mark.parametrize("potential", POTENTIALS, ids=lambda p: p.describe())
def test_bregman_is_stable_and_correct(potential):
    rng = np.random.default_rng(3)
    u, v = 2 * rng.standard_normal(500), 2 * rng.standard_normal(500)
    naive = potential.value(u) - potential.value(v) - potential.grad(v) * (u - v)
    assert np.allclose(potential.bregman(u, v), naive, rtol=1e-9, atol=1e-9)
    e = 1e-7  # tiny separations: ½φ''(v)e² without cancellation
    assert np.allclose(potential.bregman(v + e, v), 0.5 * potential.hess(v) * e * e, rtol=1e-6)


def test_mirror_scaled_round_trip():
    m = ParameterMirror(MirrorPotential.quartic(), scaled=True)
    d = np.array([-3e-3, 1e-4, 2e-2])
    assert np.allclose(m.primal(m.dual(d, 100), 100), d, rtol=1e-14)
    assert np.allclose(m.hess(d, 100), MirrorPotential.quartic().hess(100 * d))


@pytest.mark.parametrize(
    "density",
    [Uniform(-1.0, 1.0), TruncatedNormal(0.4, -1.0, 1.0), PolynomialDensity((1.0, 0.0, 3.0), -2.0, 2.0)],
    ids=lambda d: d.name,
)
def test_density_moments_exact(density):
    for a, b, c in [(-0.9, 0.3, 0.0), (0.1, 0.12, 0.1), (density.lo, density.hi, 0.5)]:
        M = density.moments(a, b, 3, c)
        ref = [
            integrate.quad(lambda t, c=c, k=k: density.pdf(t) * (t - c) ** k, a, b, epsabs=1e-15, epsrel=1e-13)[0]
            for k in range(4)
        ]
        assert np.allclose(M, ref, rtol=1e-11, atol=1e-15)
    assert abs(density.moments(density.lo, density.hi, 0)[0] - 1.0) < 1e-13


def test_init_is_nested_and_network_spline_is_exact():
    d = Uniform(-1.0, 1.0)
    small, big = init_params(7, 30, d), init_params(7, 90, d)
    assert np.array_equal(small.w, big.w[:30]) and np.array_equal(small.b, big.b[:30])
    assert np.allclose(small.a * np.sqrt(30), big.a[:30] * np.sqrt(90)) and small.d == big.d
    zero = init_params(7, 30, d, zero_output=True)
    assert np.all(zero.a == 0) and zero.d == 0
    p = big.copy()
    p.w = p.w * (1 + 0.01 * np.random.default_rng(0).standard_normal(90))
    x = np.linspace(-3, 3, 2001)
    for act in ("relu", "abs"):
        assert np.max(np.abs(network(p, x, act) - direct_network(p, x, act))) < 1e-13


def test_bad_inputs():
    with pytest.raises(InvalidInput, match="not strictly convex"):
        MirrorPotential("quartic", 1.0, 0.0)  # x⁴: φ''(0) = 0
    with pytest.raises(InvalidInput, match="not strictly convex"):
        MirrorPotential("abs3", 1.0, 0.0)
    with pytest.raises(InvalidInput, match="non-convex"):
        MirrorPotential("none", 0.0, -1.0)
    with pytest.raises(InvalidInput, match="psi"):
        MirrorPotential("sextic", 1.0, 1.0)
    with pytest.raises(InvalidInput, match="omega"):
        MirrorPotential.mixed("quartic", 0.0)
    with pytest.raises(InvalidInput, match="x has repeated"):
        validate_data([0.1, 0.3, 0.1], [0, 0, 0], Uniform(-1, 1))
    with pytest.raises(InvalidInput, match="outside supp"):
        validate_data([0.1, -1.3], [0, 0], Uniform(-1, 1))
    with pytest.raises(InvalidInput, match="symmetric"):
        validate_data([0.1, 0.3], [0, 0], TruncatedNormal(0.5, -1.0, 1.0, mu=0.1))
    with pytest.raises(InvalidInput, match="symmetric"):
        validate_data([0.1, 0.3], [0, 0], PolynomialDensity((1.0, 0.5), -1.0, 1.0))
    with pytest.raises(InvalidInput, match="positive at the data"):
        validate_data([0.0, 0.3], [0, 0], PolynomialDensity((0.0, 0.0, 1.0), -1.0, 1.0))
    with pytest.raises(InvalidInput, match="y must have the shape"):
        validate_data([0.0, 0.3], [0.0], Uniform(-1, 1))
    with pytest.raises(InvalidInput, match="n must be"):
        init_params(0, 0, Uniform(-1, 1))
