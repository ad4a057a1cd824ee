"""A hanging conjecture under ``--timeout=N`` with pytest-timeout's signal method (the default on POSIX) ends
(issue 25): it was still hung after 100 s, since Hypothesis replayed the hanging example to shrink it."""

from __future__ import annotations

import time

import pytest

from tests.test_plugin import TRUE_UNIVERSAL, _restore_hypothesis_profile, by_id, planted, summary  # noqa: F401

pytest_plugins = ["pytester"]

HANGS = """
import time as _time


@conjecture("{p}:hangs", title="hangs on x > 0.3", source="planted")
@settings(max_examples=20, database=None)
@given(x=st.floats(0, 1))
def test_hangs(x):
    '''Never returns for x > 0.3.'''
    if x > 0.3:
        while True:
            _time.sleep(0.05)
    return Outcome(0.0, 1.0, 0.0)
"""


@pytest.mark.parametrize("method", [["--timeout-method=signal"], []])
def test_a_hanging_statement_is_stopped_and_the_campaign_goes_on(pytester: pytest.Pytester, method) -> None:
    pytest.importorskip("pytest_timeout")
    p = planted(pytester, HANGS, TRUE_UNIVERSAL)
    start = time.monotonic()
    result = pytester.runpytest_subprocess("-q", "-p", "no:xdist", "--timeout=2", *method, timeout=120)
    assert time.monotonic() - start < 100
    result.assert_outcomes(failed=1, passed=1)
    recs = by_id(summary(pytester))
    hung = recs[f"{p}:hangs"]
    assert hung["verdict"] == "error" and hung["message"].startswith(
        "StatementTimeout: Timeout (>2s) from pytest-timeout"
    )
    assert recs[f"{p}:double"]["verdict"] == "held"
