"""What a statement hands to the plugin and what reports say of it: the tally through item.stash, summary keys
that say what they hold, pages rendered from templates (readable math, named arguments, negative discrepancies)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oracles import Outcome
from tests.test_plugin import _restore_hypothesis_profile, by_id, planted, summary  # noqa: F401
from theorems.suite import harness, report_pages

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]


# -- the tally reaches the plugin through item.stash ------------------------------------------
def test_the_harness_keeps_no_module_global_of_tallies() -> None:
    assert not hasattr(harness, "LAST") and not hasattr(harness, "_ACTIVE")


def test_a_statement_called_directly_hands_its_tally_to_the_collector_only() -> None:
    @harness.universal("harness-records:direct", title="called without pytest")
    @settings(max_examples=5, database=None)
    @given(x=st.floats(0, 1))
    def test_direct(x):
        return Outcome(x, 2.0, 0.0)

    try:
        with harness.collect_tallies() as tallies:
            test_direct()
        (tally,) = tallies
        assert tally.verdict == "held" and tally.examples == 5 and tally.spec.id == "harness-records:direct"
        test_direct()  # outside a collector: runs, and nothing is kept anywhere
        assert len(tallies) == 1
    finally:
        harness.CATALOG.pop("harness-records:direct", None)
        harness._CHECKS.pop("harness-records:direct", None)


STASH_PROBE = """
import json
import pytest
from theorems.suite.plugin import TALLY


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    if call.when == "call":
        tally = item.stash.get(TALLY, None)
        with open("stash.jsonl", "a") as fh:
            fh.write(json.dumps([item.name, tally and tally.spec.id, tally and tally.verdict]) + "\\n")
    return rep
"""

TWO_HELD = """
@universal("{p}:a", title="a", source="planted")
@settings(max_examples=5, database=None)
@given(v=vec)
def test_a(v):
    return compare(v, v)


def test_plain():
    test_a()          # a plain test calling a statement function: no record for either


@universal("{p}:b", title="b", source="planted")
@settings(max_examples=5, database=None)
@given(v=vec)
def test_b(v):
    return compare(v, v)
"""


def test_each_item_carries_its_own_tally_in_its_stash(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(STASH_PROBE)
    p = planted(pytester, TWO_HELD)
    pytester.runpytest("-q", "-p", "no:randomly").assert_outcomes(passed=3)
    seen = [json.loads(line) for line in (pytester.path / "stash.jsonl").read_text().splitlines()]
    assert seen == [["test_a", f"{p}:a", "held"], ["test_plain", None, None], ["test_b", f"{p}:b", "held"]]
    assert [r["nodeid"].split("::")[-1] for r in summary(pytester)["statements"]] == ["test_a", "test_b"]


# -- summary keys say what they hold ----------------------------------------------------------
BUDGETS = """
@universal("{p}:budgets", title="two examples, two budgets", source="planted", min_decided=1)
@settings(max_examples=10, database=None)
@given(k=st.sampled_from([0, 1]))
def test_budgets(k):
    if k == 0:
        return Outcome(5.0, 100.0, 1.0, "large discrepancy, larger budget")   # ratio 0.05, budget: the floor
    return Outcome(0.5, 1.0, 0.1, "the worst example")                        # ratio 0.5, budget: 10 x error


@universal("{p}:floored", title="a floor the outcome states", source="planted")
@settings(max_examples=10, database=None)
@given(v=vec)
def test_floored(v):
    out = compare(v, v, error=1e-13, floor=1e-9)
    out.floor = 1e-9          # what oracles.Outcome records itself once it has a floor attribute
    return out
"""


def test_summary_keys_say_what_they_hold(pytester: pytest.Pytester) -> None:
    p = planted(pytester, BUDGETS)
    pytester.runpytest("-q").assert_outcomes(passed=2)
    doc = summary(pytester)
    assert doc["schema"] == 2
    rec = by_id(doc)[f"{p}:budgets"]
    assert (rec["worst_discrepancy"], rec["worst_budget"], rec["worst_error_estimate"]) == (0.5, 1.0, 0.1)
    assert rec["worst_budget_reason"] == "10 × error estimate" and rec["worst_floor"] is None
    assert (rec["max_discrepancy"], rec["largest_budget"]) == (5.0, 100.0)
    assert "error_budget" not in rec
    floored = by_id(doc)[f"{p}:floored"]
    assert (floored["worst_budget"], floored["worst_floor"], floored["worst_budget_reason"]) == (1e-9, 1e-9, "floor")


def test_budget_reason() -> None:
    assert harness.budget_reason(1e-7, 1e-8) == "10 × error estimate"
    assert harness.budget_reason(1e-9, 1e-12) == "floor"  # inferred: above 10 × error
    assert harness.budget_reason(1e-9, 1e-12, floor=1e-9) == "floor"
    assert harness.budget_reason(0.3, 0.0, floor=1e-9) == "set by the check"
    assert harness.budget_reason(1e-9, 1e-9) == "set by the check"  # below 10 × error: not budget_from_error


# -- pages from templates -----------------------------------------------------------------------
NAMED = r'''
@conjecture("{p}:named", title="a composite case", source="planted", fields=("v", "t"))
@settings(max_examples=30, database=None)
@given(case=st.tuples(vec, st.floats(0, 1)))
def test_named(case):
    r"""For :math:`G(U) = UU^\top` and :math:`\mu \in \mathbb{{R}}^d`, :math:`\|v\|_2 \le \tfrac12` (false)."""
    v, t = case
    return Outcome(float(np.linalg.norm(v)), 0.5, 0.0, "‖v‖ against ½")
'''

ROOM = """
@universal("{p}:room", title="v[0] ≤ 1 with room", source="planted")
@settings(max_examples=10, database=None)
@given(v=vec)
def test_room(v):
    out = Outcome(float(v[0]) - 1.5, 1e-9, 0.0, "v[0] − 1.5")
    out.plot = lambda: [Panel("v", "index", "value", {{"v": (np.arange(3), v)}})]
    return out
"""


def test_pages_show_readable_math_named_parts_and_what_negative_means(pytester: pytest.Pytester) -> None:
    p = planted(pytester, NAMED, ROOM)
    pytester.runpytest("-q").assert_outcomes(failed=1, passed=1)
    reports_dir = pytester.path / "reports"
    rec = by_id(summary(pytester))[f"{p}:named"]
    folder = reports_dir / rec["report"]
    page, html, md = (
        (folder / "report.md").read_text(),
        (reports_dir / "index.html").read_text(),
        (reports_dir / "index.md").read_text(),
    )
    for text in (page, html):
        assert "G(U) = UUᵀ" in text and "μ ∈ ℝᵈ" in text and "‖v‖₂ ≤ ½" in text
        assert "\\top" not in text and "\\mathbb" not in text and ":math:" not in text
    assert "| `case.v` |" in page and "| `case.t` |" in page and "case[0]" not in page
    assert [k for k, _ in rec["witness"]["example"]] == ["case.v", "case.t"]
    stored = json.loads((folder / "counterexample.json").read_text())
    assert (
        stored["schema"] == 2 and stored["fields"] == {"case": ["v", "t"]} and "__tuple__" in stored["example"]["case"]
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "theorems",
            "reproduce",
            str(folder / "counterexample.json"),
            "--module",
            stored["check"].split(":")[0],
        ],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert report_pages.NEGATIVE_NOTE in md and report_pages.NEGATIVE_NOTE in html
    held = (reports_dir / by_id(summary(pytester))[f"{p}:room"]["report"] / "report.md").read_text()
    assert "held (closest call)" in held and report_pages.NEGATIVE_NOTE in held
    assert report_pages.NEGATIVE_NOTE not in page  # only where a negative discrepancy appears
    assert "<style>" in html and "<link" not in html and ".v-held" in html


def test_html_is_autoescaped_and_markdown_cells_are_escaped(tmp_path: Path) -> None:
    rec = {
        "id": "s:<b>",
        "kind": "universal",
        "title": "<img src=x onerror=alert(1)>",
        "verdict": "error",
        "examples": 1,
        "inconclusive": 0,
        "worst_discrepancy": None,
        "worst_budget": None,
        "seconds": 0.1,
        "message": "a | b <script>",
        "report": None,
    }
    html = report_pages.index_html(tmp_path, [rec], {})
    assert "<img src=x" not in html and "&lt;img src=x" in html and "<script>" not in html
    md = report_pages.index_markdown([rec], {})
    assert "a \\| b" in md


class Case(NamedTuple):
    G: str
    x: np.ndarray


def test_example_rows_name_the_parts_of_composite_arguments() -> None:
    rows = report_pages.example_rows({"case": (np.ones(2), 3, 0.25)}, {"case": ("x", "i")})
    assert rows == [("case.x", "[1., 1.]"), ("case.i", "3"), ("case[2]", "0.25")]
    assert report_pages.example_rows({"case": Case("id", np.zeros(1))}) == [("case.G", "'id'"), ("case.x", "[0.]")]
    assert report_pages.example_rows({"d": {"a": 1, "b": 2.5}}) == [("d.a", "1"), ("d.b", "2.5")]


@pytest.mark.parametrize(
    "tex, text",
    [
        (r"UU^\top", "UUᵀ"),
        (r"\nabla^2G_j\nabla G_i", "∇²Gⱼ∇ Gᵢ"),
        (r"w = u^{\odot2}", "w = u^(⊙2)"),
        (r"\tfrac12\|Y - XUV^\top\|_F^2", "½‖Y - XUVᵀ‖_F²"),
        (r"U \in \mathbb{R}^{d\times r}", "U ∈ ℝ^(d× r)"),
        (r"\mu(t) \in \mathcal U(x_{init})", "μ(t) ∈ U(x_init)"),
        (r"\dot x = -\nabla\hat\ell(y)", "ẋ = -∇ℓ̂(y)"),
        (r"\frac{a}{2b}", "a/(2b)"),
        (r"\sqrt{\lambda_0^2 + 4x^2}", "√(λ₀² + 4x²)"),
        (r"G^{-1}", "G⁻¹"),
        (r"x_{t+1} = \arg\min_x f(x)", "x_(t+1) = arg minₓ f(x)"),
        (r"\{A_ix\}", "{Aᵢx}"),
        (r"a \odot b", "a ⊙ b"),
    ],
)
def test_math_text(tex: str, text: str) -> None:
    assert report_pages.math_text(tex) == text


def test_templates_are_package_data() -> None:
    names = {p.name for p in (ROOT / "theorems" / "suite" / "templates").iterdir()}
    assert {"index.html.j2", "index.md.j2", "statement.md.j2", "report.css"} <= names
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "templates/*" in data["theorems.suite"]
