"""Tests of the Lie-closure oracle (oracles.lie.closure) and of its generators (generators.lie)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from generators.arrays import orthogonal
from generators.lie import (
    conservation_cases,
    generic_base,
    generic_points,
    hopf_cases,
    hopf_families,
    hopf_path_cases,
    planar_noncommuting_quadratics,
    reachable_d_cases,
)
from generators.parametrizations import (
    commuting_quadratics,
    inits,
    matrix_factorizations,
    noncommuting_quadratics,
    separable_families,
)
from oracles.checks.lie import condition_cosine_against, conservation_count_check
from oracles.checks.path_dependence import endpoint_gap, linear_mu
from oracles.core.errors import Inconclusive, InvalidInput, Reason
from oracles.core.specs import decode, encode
from oracles.lie.closure import draw_bracket_graph, lie_closure, numerical_rank, word_label
from oracles.lie.conservation import uut_conservation_count, uv_conservation_count, uv_law_gradients
from oracles.model.hopf import HopfChart, HopfFamily
from oracles.model.losses import LeastSquares, Linear, Schedule
from oracles.model.parametrizations import Identity, Parametrization, Quadratic, factorization, symmetric_factorization

quick = settings(max_examples=40, deadline=None)


def closure_or_reject(G, x, **kw):
    """The closure, or ``reject()`` when this example has no clear rank gap (counted by Hypothesis;
    the statements report such examples as inconclusive)."""
    from hypothesis import reject

    try:
        return lie_closure(G, x, **kw)
    except Inconclusive:
        reject()


# -- rank decisions ------------------------------------------------------------------------
def test_numerical_rank_exact_and_zero_columns():
    C = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1e-20]])
    dec = numerical_rank(C, [1e-16, 1e-16, 1e-16, 1e-16])
    assert dec.rank == 2 and dec.dropped == 1 and dec.gap > 1e10
    assert np.allclose(dec.basis.T @ dec.basis, np.eye(2))


def test_numerical_rank_without_a_clear_gap_is_inconclusive():
    C = np.array([[1.0, 1.0], [0.0, 1e-9]])
    with pytest.raises(Inconclusive) as exc:
        numerical_rank(C, [1e-12, 1e-12])
    assert exc.value.kind is Reason.ILL_CONDITIONED and exc.value.detail.startswith("no clear rank gap")
    assert numerical_rank(C, [1e-17, 1e-17]).rank == 2  # the same columns, known to 1e-17: rank 2
    assert numerical_rank(C, [1e-9, 1e-9]).rank == 1  # known to 1e-9: the second is dependent


def test_numerical_rank_rejects_bad_input():
    with pytest.raises(InvalidInput):
        numerical_rank(np.ones((2, 2)), [1e-16])
    with pytest.raises(InvalidInput):
        numerical_rank(np.array([[np.nan, 1.0]]), [0.0, 0.0])


def test_word_labels_are_one_based_left_normed():
    assert word_label(0) == "1" and word_label((0, 1)) == "[1,2]" and word_label(((0, 1), 0)) == "[[1,2],1]"


# -- known algebras ------------------------------------------------------------------------
def test_uut_d2_r1_by_hand():
    r"""UUᵀ, d = 2, r = 1: A₁ = diag(2, 0), A₂ = σ_x, A₃ = diag(0, 2) (li2022 Example 4.4).

    [1,2] has matrix A₂A₁ − A₁A₂ = 2(E₂₁ − E₁₂) (antisymmetric: new); [1,3] = 0; [2,3] = −[1,2];
    [[1,2],1] = 4σ_x-type multiple of A₂, [[1,2],2] ∝ A₁ − A₃, [[1,2],3] ∝ A₂: so Lie = gl(2) (dim 4),
    Lie^{≥2} = sl(2) (dim 3); at a generic x both span R², ∂G(x) has rank 2 (3 outputs, D = 2),
    ker ∂G(x) = {0}, so (9) fails with cosine 1, and there are D − 2 = 0 conservation laws.
    """
    G = symmetric_factorization(2, 1)
    x = np.array([1.0, 0.7])
    cl = lie_closure(G, x)
    assert cl.mode == "matrices" and cl.complete
    assert cl.dim_algebra == 4
    assert cl.words(independent=True) == ["1", "2", "3", "[1,2]"]
    assert set(cl.words(independent=False)) == {"[1,3]", "[2,3]", "[[1,2],1]", "[[1,2],2]", "[[1,2],3]"}
    g = cl.graph
    assert np.allclose(g.nodes["[1,2]"]["matrix"], 2 * np.array([[0.0, -1.0], [1.0, 0.0]]))
    assert g.nodes["[1,3]"]["zero"]
    M = g.nodes["[[1,2],1]"]["matrix"]
    assert np.allclose(M, M[0, 1] / G.A[1][0, 1] * G.A[1]) and abs(M[0, 1]) > 1  # a multiple of A₂
    assert (cl.dim_at_x, cl.lie2_dim_at_x, cl.rank_jacobian, cl.conservation_laws) == (2, 2, 2, 0)
    assert cl.condition_cosine == pytest.approx(1.0, abs=1e-12) and not cl.condition_holds


def test_graph_edges_record_both_operands():
    cl = lie_closure(symmetric_factorization(2, 1), np.array([1.0, 0.7]))
    g = cl.graph
    for node, a in g.nodes(data=True):
        preds = {g.edges[p, node]["role"]: p for p in g.predecessors(node)}
        if a["order"] == 1:
            assert not preds
            continue
        assert set(preds) == {"left", "right"}
        assert g.nodes[preds["right"]]["order"] == 1  # left-normed: [w, j], j a generator
        assert g.nodes[preds["left"]]["order"] == a["order"] - 1
    assert g.edges["[1,2]", "[[1,2],1]"]["role"] == "left" and g.edges["1", "[[1,2],1]"]["role"] == "right"
    assert g.edges["1", "[1,2]"]["role"] == "left" and g.edges["2", "[1,2]"]["role"] == "right"


@quick
@given(
    st.one_of(matrix_factorizations(), noncommuting_quadratics(), planar_noncommuting_quadratics()).flatmap(
        lambda G: st.tuples(st.just(G), generic_points(G.D))
    )
)
def test_dependent_nodes_are_not_expanded(case):
    G, x = case
    cl = closure_or_reject(G, x)
    g = cl.graph
    for node, a in g.nodes(data=True):
        children = [v for v in g.successors(node) if g.edges[node, v]["role"] == "left"]
        if not a["independent"]:
            assert not children, f"dependent node {node} was expanded"
        elif cl.complete and a["order"] >= 2:
            assert len(children) == len(cl.words(independent=True, min_order=1)) - len(cl.words(True, 2))


def test_sl2_from_two_symmetric_generators():
    """diag(1, −1) and σ_x generate sl(2) ≅ so(2,1): [1,2] = 2J, [[1,2],1] ∝ σ_x, [[1,2],2] ∝ diag(1, −1)."""
    G = Quadratic(np.array([np.diag([1.0, -1.0]), np.array([[0.0, 1.0], [1.0, 0.0]])]))
    cl = lie_closure(G, np.array([0.8, 0.3]))
    assert cl.dim_algebra == 3 and cl.complete and cl.max_order == 3
    assert cl.words(independent=False) == ["[[1,2],1]", "[[1,2],2]"]
    assert cl.dim_at_x == 2 and cl.conservation_laws == 0  # orbits of SL(2) on R² \ 0 are open


class _Rotations(Parametrization):
    """Not a gradient family: the rotation fields L₁x, L₂x of so(3), to test sampled-field brackets."""

    D, d, name = 3, 2, "so(3) rotation fields"
    L = np.array(
        [[[0.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]], [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [-1.0, 0.0, 0.0]]]
    )

    def value(self, x):  # pragma: no cover - unused
        return np.zeros(2)

    def jacobian(self, x):
        return self.L @ x


def test_so3_brackets_with_sampled_fields():
    """[L₁x, L₂x] = ±L₃x (new), and its brackets with L₁, L₂ fall back into the span: dim 3;
    orbits are spheres (dim 2 at x ≠ 0), one conservation law |x|²."""
    cl = lie_closure(_Rotations(), np.array([0.3, -0.5, 0.8]), max_order=4)
    assert cl.mode == "sampled fields"
    assert cl.dim_algebra == 3 and cl.complete and cl.words(True) == ["1", "2", "[1,2]"]
    v = cl.graph.nodes["[1,2]"]["value"]
    assert np.allclose(np.abs(v), np.abs(np.cross([0, 0, 1.0], [0.3, -0.5, 0.8])), atol=1e-8)
    assert cl.dim_at_x == 2 and cl.conservation_laws == 1


@pytest.mark.parametrize(
    "G",
    [
        symmetric_factorization(2, 1),
        symmetric_factorization(3, 1),
        factorization(2, 2, 1),
        Quadratic(np.array([np.diag([1.0, 2.0, 0.5]), np.array([[0, 1.0, 0], [1, 0, 1], [0, 1, 0]])])),
    ],
    ids=lambda G: G.name,
)
def test_sampled_fields_agree_with_matrices(G):
    x = generic_base(G.D)
    exact = lie_closure(G, x)
    fd = lie_closure(G, x, exact=False, max_order=min(exact.max_order, 3))  # nested differences: order ≤ 3
    assert fd.mode == "sampled fields"
    assert (fd.dim_at_x, fd.lie2_dim_at_x, fd.rank_jacobian) == (
        exact.dim_at_x,
        exact.lie2_dim_at_x,
        exact.rank_jacobian,
    )
    assert abs(fd.condition_cosine - exact.condition_cosine) <= 10 * fd.condition_error + 1e-9


@quick
@given(commuting_quadratics().flatmap(lambda G: st.tuples(st.just(G), inits(G))))
def test_commuting_quadratic_algebra_has_dimension_d(case):
    G, x = case
    cl = closure_or_reject(G, x)
    assert cl.dim_algebra == numerical_rank(G.A.reshape(G.d, -1).T, [1e-15] * G.d).rank
    assert all(cl.graph.nodes[w]["zero"] for w in cl.words(min_order=2))
    assert cl.max_order <= 2 and cl.dim_at_x == G.d and cl.lie2_dim_at_x == 0
    assert cl.conservation_laws == G.D - G.d


@quick
@given(st.one_of(separable_families(), commuting_quadratics()).flatmap(lambda G: st.tuples(st.just(G), inits(G))))
def test_condition_9_is_reported_satisfied_on_commuting_maps(case):
    """Positive control: Theorem 4.9's check is not vacuous in the other direction -- separable and
    commuting quadratic maps pass it (cosine 0 within budget)."""
    G, x = case
    cl = closure_or_reject(G, x)
    out = condition_cosine_against(G, x, 0.0, closure=cl)
    assert not out.falsified and out.discrepancy == 0.0 and cl.condition_holds


@quick
@given(
    st.one_of(noncommuting_quadratics(), planar_noncommuting_quadratics(), matrix_factorizations()).flatmap(
        lambda G: st.tuples(st.just(G), generic_points(G.D))
    )
)
def test_relaxed_condition_fails_on_every_noncommuting_quadratic(case):
    """Conjecture 4.10's premise forces quadratic families to commute (Jacobson's lemma; see the
    statement): every non-commuting quadratic family generated violates (9) at a generic point."""
    G, x = case
    cl = closure_or_reject(G, x)
    assert cl.lie2_dim_at_x >= 1 and cl.condition_cosine > 1e-6 and not cl.condition_holds


# -- conservation laws ------------------------------------------------------------------------
def test_uv_conservation_grid():
    """MGP's r(r+1)/2 holds exactly for r ≤ m + n and fails for every r > m + n (m, n ≤ 3, r ≤ 6)."""
    differs = []
    for m in (1, 2, 3):
        for n in (1, 2, 3):
            for r in range(1, 7):
                G = factorization(m, n, r)
                count = lie_closure(G, generic_base(G.D)).conservation_laws
                assert count == uv_conservation_count(m, n, r)
                if count != r * (r + 1) // 2:
                    differs.append((m, n, r))
    assert differs == [(m, n, r) for m in (1, 2, 3) for n in (1, 2, 3) for r in range(1, 7) if r > m + n]


@pytest.mark.parametrize("d,r", [(2, 1), (2, 3), (3, 2), (3, 4), (2, 5)])
def test_uut_conservation_counts(d, r):
    G = symmetric_factorization(d, r)
    cl = lie_closure(G, generic_base(G.D))
    assert cl.dim_algebra == d * d  # gl(d)
    assert cl.conservation_laws == uut_conservation_count(d, r)


def test_uv_law_gradients_match_finite_differences():
    m, n, r = 2, 3, 2
    x = generic_base((m + n) * r)

    def laws(x):
        U, V = x[: m * r].reshape(r, m).T, x[m * r :].reshape(r, n).T
        H = U.T @ U - V.T @ V
        return np.array([H[k, l] for k in range(r) for l in range(k, r)])

    fd = np.array([(laws(x + 1e-6 * e) - laws(x - 1e-6 * e)) / 2e-6 for e in np.eye(x.size)])
    assert np.allclose(uv_law_gradients(m, n, r, x), fd, atol=1e-8)
    out = conservation_count_check(factorization(m, n, r), x, 3, laws=uv_law_gradients(m, n, r, x))
    assert not out.falsified and out.discrepancy < 1e-12


# -- Hopf charts ------------------------------------------------------------------------
def test_hopf_chart_jacobian_and_point():
    fam = find(hopf_families(), lambda f: f.D == 6 and not np.allclose(f.O, np.eye(6)))
    H = fam.build()
    x = H.point(0.55, 0.4, 0.3, 1.2, extra=[0.2, -0.1])
    assert np.allclose(H.value(x), H.P @ np.array([0.55**2, (1 - 0.55**2) * 0.4]))
    J = np.array([(H.value(x + 1e-6 * e) - H.value(x - 1e-6 * e)) / 2e-6 for e in np.eye(H.D)]).T
    assert np.allclose(H.jacobian(x), J, atol=1e-7)
    assert abs(H.jacobian(x) @ H.fibre(x)).max() < 1e-12  # constant along the fibre
    assert abs(H.jacobian(x) @ x).max() < 1e-12  # and along rays


def test_hopf_chart_is_noncommuting_but_satisfies_condition_9():
    H = HopfChart(np.eye(4), np.eye(3), np.eye(2))
    x = H.point(0.6, 0.3, 0.2, 1.0)
    cl = lie_closure(H, x)
    b = cl.graph.nodes["[1,2]"]["value"]
    fib = H.fibre(x)
    assert np.linalg.norm(b) > 1.0  # the bracket does not vanish
    assert abs(b @ fib) / (np.linalg.norm(b) * np.linalg.norm(fib)) == pytest.approx(1.0, abs=1e-8)
    assert cl.dim_at_x == 3 and cl.lie2_dim_at_x == 1 and cl.conservation_laws == 1
    assert cl.condition_holds and cl.condition_cosine < 1e-8


def test_hopf_gradient_flow_is_path_independent_in_w_only():
    H = HopfChart(np.eye(4), np.eye(3), np.eye(2))
    x = H.point(0.6, 0.3, 0.2, 1.0)
    c1, c2 = np.array([0.05, -0.03]), np.array([-0.02, 0.06])
    a = Schedule(((0.4, Linear(c1)), (0.4, Linear(c2))))
    b = Schedule(((0.4, Linear(c2)), (0.4, Linear(c1))))
    out = endpoint_gap(H, x, (a, b))
    assert not out.falsified and out.details["x_gap_relative"] > 1e-4  # x(T) differs, w(T) does not


def test_hopf_family_round_trips_through_specs():
    fam = HopfFamily(np.eye(5), np.eye(3), np.array([[1.0, 0.2], [0.0, 1.0]]))
    back = decode(encode(fam))
    assert isinstance(back, HopfFamily) and np.array_equal(back.P, fam.P) and back.D == 5


def test_hopf_chart_rejects_bad_input():
    with pytest.raises(InvalidInput):
        HopfChart(np.eye(3), np.eye(3), np.eye(2))
    with pytest.raises(InvalidInput):
        HopfChart(np.eye(4), -np.eye(3), np.eye(2))
    with pytest.raises(InvalidInput):
        HopfChart(np.eye(4), np.eye(3), np.zeros((2, 2)))


# -- path independence ------------------------------------------------------------------------
def test_path_independence_needs_equal_mu_and_linear_losses():
    G = Identity(2)
    a = Schedule(((1.0, Linear([1.0, 0.0])),))
    with pytest.raises(InvalidInput):
        endpoint_gap(G, np.ones(2), (a, Schedule(((1.0, Linear([0.0, 1.0])),))))
    with pytest.raises(InvalidInput):
        endpoint_gap(G, np.ones(2), (a, Schedule(((1.0, LeastSquares(np.eye(2), np.ones(2))),))))
    assert np.allclose(linear_mu(a), [-1.0, 0.0])


def test_path_independence_finds_the_uut_gap():
    G = symmetric_factorization(2, 1)
    a = Schedule(((0.3, Linear([0.5, 0.0, 0.0])), (0.3, Linear([0.0, 0.5, 0.0]))))
    b = Schedule(tuple(reversed(a.pieces)))
    out = endpoint_gap(G, np.array([1.0, 0.7]), (a, b))
    assert out.falsified and out.discrepancy > 1e-3


# -- drawing ------------------------------------------------------------------------
def test_draw_bracket_graph_makes_a_figure():
    cl = lie_closure(symmetric_factorization(2, 1), np.array([1.0, 0.7]))
    fig = draw_bracket_graph(cl)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert {"1", "[1,2]", "[[1,2],1]"} <= labels


def test_thm_4_9_outcome_plots_the_graphs():
    from theorems.li2022_s4_2_necessity import _uut_graph_figure

    out = condition_cosine_against(symmetric_factorization(2, 1), np.array([1.0, 0.7]), 1.0)
    assert not out.falsified and len(out.plot()) == 1
    assert _uut_graph_figure().axes


# -- generators ------------------------------------------------------------------------
@quick
@given(hopf_cases())
def test_hopf_cases_lie_well_inside_the_chart(case):
    fam, x = case
    H = fam.build()
    assert H.in_domain(x) and H.domain_margin(x) >= 0.19
    assert encode(fam)["__object__"] == "class"


@quick
@given(orthogonal(4, 3.0))
def test_rotations_are_rotations(Q):
    assert np.allclose(Q @ Q.T, np.eye(4), atol=1e-12) and np.linalg.det(Q) == pytest.approx(1.0)


@quick
@given(hopf_path_cases("hopf"))
def test_hopf_path_cases_are_scaled_but_not_trivial(case):
    fam, x, a, b = case
    G = fam.build()
    assert np.linalg.norm(linear_mu(a)) > 0 and G.in_domain(x)


@quick
@given(reachable_d_cases())
def test_reachable_d_cases_have_d_dimensional_orbits(case):
    G, x, commuting = case
    cl = closure_or_reject(G, x)
    assert cl.dim_at_x == G.d and cl.regular
    assert (cl.lie2_dim_at_x == 0) == commuting


@quick
@given(conservation_cases())
def test_conservation_cases_are_consistent(case):
    kind, sizes, G, x, expected = case
    assert x.shape == (G.D,) and expected >= 0
    if kind == "UV^T":
        m, n, r = sizes
        assert r <= m + n and G.D == (m + n) * r


def test_generators_shrink_to_simple_instances():
    fam = find(hopf_families(), lambda f: True)
    assert np.array_equal(fam.O, np.eye(4)) and np.array_equal(fam.Q, np.eye(3)) and np.array_equal(fam.P, np.eye(2))
    G = find(planar_noncommuting_quadratics(), lambda G: True)
    assert (G.d, G.D) == (2, 2)
    G3 = find(planar_noncommuting_quadratics(), lambda G: G.d == 3)
    assert lie_closure(G3, generic_base(3)).regular
    assert np.allclose(find(generic_points(3), lambda x: True), generic_base(3))
