"""Report writing without pytest runs: summary JSON, readable examples, the index pages, plots."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from oracles import Panel
from theorems.suite import plots, report_pages, reports

pytest_plugins = ["pytester"]


def record(sid: str, kind: str = "universal", verdict: str = "held", **extra) -> dict:
    return {
        "id": sid,
        "kind": kind,
        "title": f"title of {sid}",
        "source": "",
        "control_of": None,
        "verdict": verdict,
        "examples": 10,
        "decided": 9,
        "inconclusive": 1,
        "inconclusive_reasons": {"blow-up": 1},
        "worst_discrepancy": 1e-12,
        "worst_budget": 1e-9,
        "max_discrepancy": 1e-12,
        "seconds": 0.5,
        "message": "",
        "report": None,
    } | extra


def test_slugs_are_folder_names() -> None:
    assert reports.slug("li2022:thm-4.2") == "li2022-thm-4.2"
    a, b = reports.slug("x:y [control: UUᵀ flows commute]"), reports.slug("x:y [control: UUᵗ flows commute]")
    assert (
        a.startswith("x-y-control-UU-flows-commute-") and a != b and len(a) == len("x-y-control-UU-flows-commute-") + 8
    )
    assert len(reports.slug("z:" + "long-" * 40)) == 69


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.json"
    reports.atomic_write(target, "one")
    reports.atomic_write(target, b"two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]


def test_summary_is_standard_json_with_completion_flag(tmp_path: Path) -> None:
    recs = [record("a:1", max_discrepancy=math.nan), record("a:0", verdict="falsified")]
    reports.write_summary(tmp_path, recs, {"profile": "ci", "odd": math.inf})
    doc = json.loads((tmp_path / "summary.json").read_text(), parse_constant=lambda c: pytest.fail(c))
    assert doc["complete"] is False and doc["schema"] == reports.SCHEMA
    assert [r["id"] for r in doc["statements"]] == ["a:0", "a:1"]
    assert doc["statements"][1]["max_discrepancy"] is None and doc["environment"]["odd"] is None
    assert doc["verdicts"] == {"falsified": 1, "held": 1}
    reports.write_summary(tmp_path, recs, {}, complete=True, exit_status=1)
    assert json.loads((tmp_path / "summary.json").read_text())["complete"] is True


def test_clear_statement_folder_removes_only_report_files(tmp_path: Path) -> None:
    for name in ("counterexample.json", "report.md", "plot-1.png", "plot-2.png", "mine.txt"):
        (tmp_path / name).write_text("x")
    reports.clear_statement_folder(tmp_path, keep=("plot-1.png",))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt", "plot-1.png"]


class _Linear:
    """Shaped like oracles' losses: a name and to_spec (describe recognizes what objects have)."""

    name = "linear"

    def __init__(self, c):
        self.c = c

    def to_spec(self):
        return {"loss": "linear", "c": list(self.c)}


class _Schedule:
    def __init__(self, pieces):
        self.pieces = pieces


class _Factorization:
    name, D, d, domain = "UV^T (m=2, n=2, r=1)", 4, 4, "R^4"


def test_describe_is_readable() -> None:
    assert report_pages.describe(np.array([1.0, 0.5])) == "[1. , 0.5]"
    assert report_pages.describe(0.1) == "0.1"
    text = report_pages.describe(_Schedule(((1.0, _Linear([1.0, 0.0])), (0.5, _Linear([0.0, 2.0])))))
    assert text.startswith("t ∈ [0, 1]: linear(c=[1., 0.])") and "t ∈ [1, 1.5]" in text
    assert report_pages.describe(_Factorization()).startswith("UV^T (m=2, n=2, r=1) (D=4, d=4")


def test_example_rows_spread_tuples() -> None:
    rows = report_pages.example_rows({"case": (np.ones(2), 3, 0.25), "h": 1e-3})
    assert rows == [("case[0]", "[1., 1.]"), ("case[1]", "3"), ("case[2]", "0.25"), ("h", "0.001")]


def test_index_separates_controls_and_links_witnesses(tmp_path: Path) -> None:
    recs = [
        record("s:b", verdict="falsified", report="s-b", kind="conjecture"),
        record("s:a | piped"),
        record("s:a [control: x]", kind="control", verdict="caught", control_of="s:a", report="controls/s-a-control-x"),
        record("s:c", verdict="error", message="ZeroDivisionError: boom"),
    ]
    report_pages.write_index(tmp_path, recs, {"profile": "ci"}, complete=True)
    md = (tmp_path / "index.md").read_text()
    assert md.index("## Statements") < md.index("s:a \\| piped") < md.index("## Negative controls")
    assert "[falsified](s-b/report.md)" in md and "[caught](controls/s-a-control-x/report.md)" in md
    assert "1 (blow-up: 1)" in md and "ZeroDivisionError: boom" in md and "not finished" not in md
    html = (tmp_path / "index.html").read_text()
    assert html.count("<table>") == 2 and 'href="#w-s-b"' in html and "not finished" not in html


def test_index_html_escapes_and_embeds(tmp_path: Path) -> None:
    folder = tmp_path / "s-x"
    pics = plots.render(lambda: [Panel("p", "t", "y", {"y": ([0, 1], [1, 2])})], folder)
    rec = record(
        "s:x",
        verdict="falsified",
        report="s-x",
        title="<script>alert(1)</script>",
        witness={
            "discrepancy": 1.0,
            "budget": 1e-9,
            "example": [["v", "[1.]"]],
            "plots": [{"file": p.file, "title": p.title} for p in pics],
        },
    )
    html = report_pages.index_html(tmp_path, [rec], {})
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "data:image/png;base64,iVBORw0KGgo" in html and "not finished" in html


def test_plots_render_panels_and_figures(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().set_title("from a figure")
    logs = Panel("log panel", "t", "gap", {"gap": (np.arange(3), np.array([0.0, 1e-3, 1e-6]))}, logy=True)
    pics = plots.render(lambda: [logs, fig], tmp_path)
    assert [(p.file, p.title) for p in pics] == [("plot-1.png", "log panel"), ("plot-2.png", "from a figure")]
    assert all((tmp_path / p.file).read_bytes().startswith(b"\x89PNG") for p in pics)
    assert plots.render(None, tmp_path) == []
    with pytest.raises(TypeError, match="Panels or matplotlib Figures"):
        plots.render(lambda: ["not a plot"], tmp_path)


def test_strict_json_leaves_only_builtin_types() -> None:
    data = {"a": np.float64(1.5), "b": np.int64(2), "c": (np.array([1.0, np.nan]), np.bool_(True)), 1: math.inf}
    out = reports.strict_json(data)
    assert out == {"a": 1.5, "b": 2, "c": [[1.0, None], True], "1": None}
    assert type(out["a"]) is float and type(out["b"]) is int and type(out["c"][1]) is bool


def test_prose_turns_rest_math_into_readable_unicode() -> None:
    text = r"For :math:`G(U) = UU^\top` the ``psi`` map"
    assert report_pages.prose(text) == "For G(U) = UUᵀ the `psi` map"
    assert report_pages.prose(text, markdown=False) == "For G(U) = UUᵀ the psi map"


def test_a_held_statement_with_a_plot_gets_an_illustrated_closest_call(pytester):
    """A statement that holds writes no counterexample folder, but its closest call with the oracle's
    plot goes to reports/held/<slug>/ and is linked from the index."""
    pytester.makepyfile(
        test_closest="""
from hypothesis import given, settings, strategies as st
from oracles.core.outcome import Outcome, Panel
from theorems import universal

@universal("demo:closest", title="x² ≤ 1 on [0, 1]")
@settings(max_examples=20, database=None)
@given(x=st.floats(0, 1))
def test_closest(x):
    return Outcome(x * x, 1.0, 0.0, "x²", plot=lambda: [Panel("x²", "x", "y", {"x²": ([0, x], [0, x * x])})])
"""
    )
    result = pytester.runpytest("-p", "no:xdist", "--report-dir", "rep")
    result.assert_outcomes(passed=1)
    held = pytester.path / "rep" / "held" / "demo-closest"
    assert (held / "report.md").exists() and (held / "closest.json").exists() and list(held.glob("plot-*.png"))
    assert not (pytester.path / "rep" / "demo-closest").exists()
    assert "held/demo-closest" in (pytester.path / "rep" / "index.html").read_text()


# -- one home for the record (issue 26) ----------------------------------------------------------------
def test_records_are_assembled_in_one_place() -> None:
    """Every record has every key of reports.RECORD_DEFAULTS; an unknown key is refused where records are made."""
    from theorems.suite import plugin

    crash = plugin.crash_record("t.py::test_x", "boom\nKilled")
    assert list(crash) == list(reports.RECORD_DEFAULTS) and crash["message"] == "Killed"
    with pytest.raises(KeyError, match="not keys of a statement record: surprise"):
        reports.record(id="a:1", surprise=1)
    stamped = reports.stamped(reports.record(id="a:1", kind="universal", verdict="held"), {"id": "r1", "extra": 1})
    assert set(stamped["run"]) == set(reports.RUN_KEYS) and stamped["run"]["id"] == "r1" and stamped["finished"]
    old = reports._upgrade_record(
        {"id": "a:1", "kind": "universal", "verdict": "held", "error_budget": 0.2, "legacy_key": 1}, {"id": "schema-1"}
    )
    assert old["worst_budget"] == 0.2 and "legacy_key" not in old and set(old) == set(reports.RECORD_DEFAULTS)
    assert "kind" not in reports._upgrade_record({"id": "a:1"}, {"id": "schema-1"})  # damaged: not made up


def test_a_record_says_what_set_the_budget_as_the_outcome_states_it() -> None:
    """The outcome's budget_set_by is the record's reason; only a bare budget is still inferred."""
    from oracles import Outcome, budget_from_error
    from theorems.suite import harness

    stated = Outcome(0.1, budget_from_error(1e-3, 1e-9), 1e-3)
    assert harness.outcome_fields("worst", stated)["worst_budget_reason"] == "10 × error estimate"
    cert = Outcome(0.1, 0.5, 1e-3, budget_set_by="certificate")
    assert reports.outcome_keys(cert)["budget_reason"] == "certificate"
    assert harness.outcome_fields("worst", Outcome(0.1, 0.5, 1e-3))["worst_budget_reason"] == "floor"  # inferred
