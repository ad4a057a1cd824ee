"""oracles/model/warped.py: G = Q + a⊙Q⊙3 keeps Q's reachable sets, is not commuting, and serializes."""

from __future__ import annotations

import numpy as np
import pytest

from oracles.core.errors import InvalidInput
from oracles.core.fd import central_difference
from oracles.core.specs import decode, encode
from oracles.lie.closure import lie_closure
from oracles.model.parametrizations import Quadratic
from oracles.model.warped import WarpedQuadratic


def _planar():
    B = np.array([[[1.0, 0.3], [0.3, 0.0]], [[0.0, 0.5], [0.5, 1.0]]])  # non-commuting 2 × 2 blocks
    A = np.zeros((2, 3, 3))
    A[:, :2, :2] = B
    return A


def test_jacobian_reachable_dimension_and_brackets():
    G = WarpedQuadratic(_planar(), [0.2, 0.4])
    x = np.array([0.8, -0.6, 0.3])
    assert np.abs(central_difference(G.value, x, 1e-6).value - G.jacobian(x)).max() < 1e-7
    cl, cq = lie_closure(G, x, n_samples=0), lie_closure(Quadratic(_planar()), x, n_samples=0)
    assert cl.regular and cl.dim_at_x == 2 == cq.dim_at_x  # the same d-dimensional reachable sets as Q
    assert cl.lie2_dim_at_x >= 1  # and not commuting


def test_spec_round_trip_and_validation():
    G = WarpedQuadratic(_planar(), [0.2, 0.4])
    back = decode(encode(G))
    assert isinstance(back, WarpedQuadratic) and np.array_equal(back.a, G.a) and np.array_equal(back.Q.A, G.Q.A)
    with pytest.raises(InvalidInput, match="non-negative"):
        WarpedQuadratic(_planar(), [-0.1, 0.4])
