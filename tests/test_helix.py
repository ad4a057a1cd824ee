"""The helical charts (oracles/model/helix.py): derivatives, condition (9), the closed-form R, preimages."""

from __future__ import annotations

import numpy as np
import pytest

from oracles.checks.path_dependence import chart_metric_check, chart_preimages
from oracles.core.errors import InvalidInput
from oracles.core.fd import central_difference
from oracles.core.specs import decode, encode
from oracles.lie.closure import lie_closure
from oracles.model.helix import HelixChart, HelixFamily


def _chart(D=4, c=0.8, twisted=True, seed=0):
    rng = np.random.default_rng(seed)
    O, _ = np.linalg.qr(rng.standard_normal((D, D)))
    return HelixChart(O, c, np.array([[1.0, 0.2], [-0.1, 0.9]]), twisted)


@pytest.mark.parametrize("D, c", [(3, 1.0), (4, 0.6), (4, 1.7)])
def test_jacobian_matches_differences(D, c):
    G = _chart(D, c)
    x = G.point(1.1, 0.4, 0.5, [0.3] * (D - 3) if D > 3 else None)
    J = central_difference(G.value, x, 1e-6).value
    assert np.abs(J - G.jacobian(x)).max() < 1e-8


def test_condition_9_holds_with_brackets_along_the_fibre():
    G = _chart()
    x = G.point(0.9, -0.3, 1.2, [0.5])
    cl = lie_closure(G, x, n_samples=0)
    assert cl.condition_holds and cl.lie2_dim_at_x == 1 and cl.dim_at_x == 3
    H, J = G.hessians(x), G.jacobian(x)
    bracket = H[1] @ J[0] - H[0] @ J[1]
    v = G.fibre(x)
    assert np.linalg.norm(bracket) > 1e-3
    assert abs(bracket @ v) / (np.linalg.norm(bracket) * np.linalg.norm(v)) > 1 - 1e-8


def test_untwisted_chart_violates_condition_9():
    G = _chart(twisted=False)
    cl = lie_closure(G, G.point(0.9, -0.3, 1.2, [0.5]), n_samples=0)
    assert not cl.condition_holds


def test_gram_inverse_is_the_closed_form_hessian_and_preimages_round_trip():
    G = _chart()
    for r, s, a in [(0.5, 0.2, 0.0), (1.4, -0.8, 2.0), (2.2, 0.9, -1.5)]:
        x = G.point(r, s, a, [0.1])
        w = G.value(x)
        assert np.abs(np.linalg.inv(G.gram(x)) - G.hessian_of_R(w)).max() < 1e-9 * np.abs(G.hessian_of_R(w)).max()
        for alpha in (0.0, 1.0):
            assert np.abs(G.value(G.preimage(alpha, [0.1])(w)) - w).max() < 1e-12
    out = chart_metric_check(G, G.value(x), *chart_preimages(G, x, 1.0))
    assert not out.falsified


def test_spec_round_trip_and_validation():
    G = _chart()
    fam = HelixFamily(G.O, G.c, G.P)
    back = decode(encode(fam))
    assert isinstance(back, HelixFamily) and back.c == G.c and np.array_equal(back.O, G.O)
    with pytest.raises(InvalidInput):
        HelixChart(G.O, -1.0, G.P)
    with pytest.raises(InvalidInput):
        _chart(twisted=False).hessian_of_R(np.array([0.5, 0.1]))
