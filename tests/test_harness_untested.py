"""When a statement was not really tested: too few decided examples (min_decided), mostly inconclusive, and a
message that says what the inconclusive reasons are (non-finite values are the oracle's, not the generator's)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_plugin import _restore_hypothesis_profile, by_id, planted, summary  # noqa: F401
from theorems import universal
from theorems.suite import harness

pytest_plugins = ["pytester"]

ONE_EXAMPLE = """
@universal("{p}:one", title="a strategy with one example", source="planted")
@settings(max_examples=50, database=None)
@given(v=st.just(np.ones(3)))
def test_one(v):
    return compare(v, v)
"""

ONE_EXAMPLE_BY_DESIGN = """
@universal("{p}:one-by-design", title="one example, declared", source="planted", min_decided=1)
@settings(max_examples=50, database=None)
@given(v=st.just(np.ones(3)))
def test_one_by_design(v):
    return compare(v, v)
"""

FEW_EXAMPLES = """
@universal("{p}:few", title="five examples by design", source="planted")
@settings(max_examples=5, database=None)
@given(v=vec)
def test_few(v):
    return compare(v, v)
"""


def test_a_statement_deciding_one_example_is_untested(pytester: pytest.Pytester) -> None:
    p = planted(pytester, ONE_EXAMPLE, ONE_EXAMPLE_BY_DESIGN, FEW_EXAMPLES)
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1, passed=2)
    recs = by_id(summary(pytester))
    one = recs[f"{p}:one"]
    assert one["verdict"] == "untested" and one["decided"] == 1 and one["min_decided"] == 5
    assert "only 1 example decided" in one["message"] and "min_decided=" in one["message"]
    assert recs[f"{p}:one-by-design"]["verdict"] == "held" and recs[f"{p}:one-by-design"]["min_decided"] == 1
    assert recs[f"{p}:few"]["verdict"] == "held" and recs[f"{p}:few"]["min_decided"] == 1
    assert "only 1 example decided" in (pytester.path / "reports" / "index.md").read_text()


def test_default_min_decided_rule() -> None:
    assert [harness.default_min_decided(n) for n in (None, 1, 5, 10, 11, 50, 200, 1000)] == [1, 1, 1, 1, 2, 5, 10, 10]


def test_decorator_checks_min_decided_and_fields() -> None:
    with pytest.raises(ValueError, match="min_decided"):
        universal("x:bad-min", title="t", min_decided=0)
    with pytest.raises(TypeError, match="fields=.*only argument"):

        @universal("x:bad-fields", title="t", fields=("a", "b"))
        @given(u=st.integers(), w=st.integers())
        def test_two(u, w):
            pass

    with pytest.raises(TypeError, match="does not have"):

        @universal("x:bad-fields-2", title="t", fields={"nope": ("a",)})
        @given(u=st.tuples(st.integers()))
        def test_one(u):
            pass


USER_G_GOES_NAN = """
@universal("{p}:nan-flow", title="a user's G that is NaN on most inputs", source="planted")
@settings(max_examples=20, database=None, derandomize=True)
@given(v=vec)
def test_nan_flow(v):
    with np.errstate(invalid="ignore"):
        w = np.sqrt(v - 0.5)          # the user's G: NaN below 0.5
    return Outcome(float(np.linalg.norm(w - w)), 1e-9, 0.0, "the flow against itself")
"""

BLOW_UP = """
@universal("{p}:blow-up", title="blows up to non-finite states", source="planted")
@settings(max_examples=20, database=None, derandomize=True)
@given(v=vec)
def test_blow_up(v):
    if v[0] < 0.8:
        raise Inconclusive("blow-up", "non-finite state")
    return compare(v, v)
"""

OUTSIDE_DOMAIN = """
@universal("{p}:outside", title="mostly outside the domain", source="planted")
@settings(max_examples=20, database=None, derandomize=True)
@given(v=vec)
def test_outside(v):
    if v[0] < 0.8:
        raise Inconclusive("leaves domain", "v[0] < 0.8")
    return compare(v, v)
"""


def test_non_finite_values_are_named_not_blamed_on_the_generator(pytester: pytest.Pytester) -> None:
    p = planted(pytester, USER_G_GOES_NAN, BLOW_UP, OUTSIDE_DOMAIN)
    pytester.runpytest("-q").assert_outcomes(failed=3)
    recs = by_id(summary(pytester))
    for sid, reason in ((f"{p}:nan-flow", "non-finite discrepancy"), (f"{p}:blow-up", "blow-up")):
        rec = recs[sid]
        assert rec["verdict"] == "untested", rec
        assert "the oracle produced non-finite values" in rec["message"] and reason in rec["message"]
        assert "generator" not in rec["message"] and rec["nonfinite_reasons"][reason] > 0
    outside = recs[f"{p}:outside"]
    assert outside["verdict"] == "untested" and "leaves domain" in outside["message"]
    assert "generator" in outside["message"] and "non-finite" not in outside["message"]


ALWAYS_INCONCLUSIVE = """
@universal("{p}:never", title="never decidable", source="planted")
@settings(max_examples=10, database=None)
@given(v=vec)
def test_never(v):
    raise Inconclusive("not regular", "planted")
"""


def test_a_statement_with_no_decided_example_is_untested_not_error(pytester: pytest.Pytester) -> None:
    p = planted(pytester, ALWAYS_INCONCLUSIVE)
    pytester.runpytest("-q").assert_outcomes(failed=1)
    rec = by_id(summary(pytester))[f"{p}:never"]
    assert rec["verdict"] == "untested" and rec["decided"] == 0 and "not regular" in rec["message"]


def _tally(**counts) -> harness.Tally:
    spec = harness.StatementSpec("x:y", "universal", "t")
    tally = harness.Tally(spec, examples=20, min_decided=10)
    tally.inconclusive = Counter(counts.get("inconclusive", {}))
    tally.nonfinite = Counter(counts.get("nonfinite", {}))
    return tally


def test_untested_reason_names_the_reasons() -> None:
    nan = harness.untested_reason(_tally(inconclusive={"blow-up": 9, "leaves domain": 3}, nonfinite={"blow-up": 9}))
    assert nan.startswith("12 of 20 examples were inconclusive (blow-up: 9, leaves domain: 3)")
    assert "non-finite values (NaN or inf) in 9 of them (blow-up: 9)" in nan
    domain = harness.untested_reason(_tally(inconclusive={"leaves domain": 11}))
    assert "most often: leaves domain" in domain and "non-finite" not in domain
    few = harness.untested_reason(_few())
    assert (
        few.startswith("only 9 examples decided (of 16 tried); at least 10 are required") and "leaves domain: 7" in few
    )
    assert harness.untested_reason(_tally(inconclusive={"leaves domain": 2})) is None
    assert harness.is_nonfinite("blow-up", "non-finite state") and harness.is_nonfinite("non-finite error")
    assert not harness.is_nonfinite("blow-up", "|x| exceeds 1e+08") and not harness.is_nonfinite("infeasible reference")


def _few() -> harness.Tally:
    tally = _tally(inconclusive={"leaves domain": 7})
    tally.examples = 16  # 9 decided < 10, 7 of 16 inconclusive (not more than half)
    return tally
