"""The implicit-bias calculator (issue 24) on the project's families with known answers, and on bad input.

Known answers: the identity, x⊙p and u⊙2 − v⊙2 commute, with the Euclidean, power / entropy and arcsinh R and
0, 0 and d conservation laws (u_i·v_i); commuting quadratics commute with D − d laws; UVᵀ has r(r+1)/2 laws (the
entries of UᵀU − VᵀV) and UUᵀ d·max(0, r − d), neither commutes and condition (9) fails (Cor. 4.11: a witness);
Hopf charts do not commute but satisfy (9) (Conj. 4.10) with the one law |x|²; deep products W₂W₁ have the
imbalances W₂ᵀW₂ − W₁W₁ᵀ. The factories below are also SPECs for the command (``tests.test_analyze:NAME``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from oracles import (
    DeepProduct,
    HopfChart,
    Identity,
    Powers,
    Quadratic,
    UVSquared,
    factorization,
    symmetric_factorization,
)
from oracles.checks import calculator
from oracles.checks.calculator import analyze, function_parametrization
from oracles.lie.conservation import uut_conservation_count, uv_conservation_count
from theorems.suite import analyze as cli

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(20261208)
Z2x4 = np.array([[1.0, 0.5, -0.3, 0.2], [0.2, -1.0, 0.4, 0.7]])
Y2 = np.array([0.6, -0.4])


def by_section(an: calculator.Analysis, section: str) -> list[calculator.Answer]:
    return [a for a in an.answers if a.section == section]


def answer(an, section: str, k: int = 0) -> calculator.Answer:
    return by_section(an, section)[k]


def catalog_ids() -> set[str]:
    return set(re.findall(r"^### `([^`]+)`", (ROOT / "docs" / "catalog.md").read_text(), flags=re.M))


def assert_evidence(an: calculator.Analysis) -> None:
    """Every answer names a catalog ID; a decided yes/no carries a finite budget it was decided against."""
    ids = catalog_ids()
    for a in an.answers:
        assert a.rests_on in ids, a
        if a.answer in ("yes", "no"):
            assert a.budget is not None and np.isfinite(a.budget) and a.discrepancy is not None, a
            assert (a.discrepancy <= a.budget) == (a.answer == "yes") or a.section == "mirror", a
    json.dumps(an.to_json(), allow_nan=True)


# -- factories (also SPECs) --------------------------------------------------------------------------
def uv_model():
    return UVSquared(4)


def hopf_model():
    return HopfChart(np.eye(4), np.eye(3), np.eye(2))


def two_outputs(x):
    return np.array([x[0] * x[1], x[1] ** 2])


def returns_matrix(x):
    return np.outer(x, x)


def bad_jacobian(x):
    return np.zeros((3, 3))


def not_a_model():
    return 42


# -- the families ------------------------------------------------------------------------------------
def test_identity():
    an = analyze(Identity(4), np.array([1.0, -0.5, 0.3, 2.0]), (Z2x4, Y2))
    assert answer(an, "commuting").answer == "yes"
    assert answer(an, "closure").answer == "0"
    assert an.summary["R"] == "euclidean"
    assert answer(an, "potential").answer.startswith("euclidean (closed form): checks")
    assert answer(an, "limit").answer == "yes"
    ends = answer(an, "scale").details["ends"]
    # R = ½‖w − αx0‖²: the interpolant nearest αx0 at every scale, which tends to the one nearest 0 as α → 0
    assert ends["α → 0"]["approaches"] in ("min ‖w − w0‖₂", "min ‖w‖₂")
    assert ends["α → ∞"]["approaches"] == "min ‖w − w0‖₂"
    assert answer(an, "scale").details["distances"]["min ‖w‖₂"][0] < 1e-5
    assert_evidence(an)


def test_uv_squared_laws_potential_and_the_l1_l2_picture():
    d = 4
    an = analyze(UVSquared(d), np.full(2 * d, 0.7), (Z2x4, Y2))
    assert answer(an, "commuting").answer == "yes"
    assert an.summary["conservation_laws"] == d
    assert answer(an, "laws").answer == "x1·x5; x2·x6; x3·x7; x4·x8"  # u_i v_i
    assert an.summary["R"] == "hypentropy"
    mf, hm = answer(an, "potential", 1), answer(an, "potential", 2)
    assert mf.rests_on == "li2022:thm-4.8" and mf.answer == "yes"  # GF = MF of R, integrated
    assert "Hessian metric" in hm.question and hm.answer == "yes"
    lim = answer(an, "limit")
    assert lim.answer == "yes" and lim.discrepancy <= lim.budget
    ends = answer(an, "scale").details["ends"]  # Cor. 4.17: ℓ1 at α → 0, ℓ2 at α → ∞
    assert ends["α → 0"]["closest"] == "min ‖w‖₁" and ends["α → 0"]["shrinking"]
    assert ends["α → ∞"]["approaches"] in ("min ‖w‖₂", "min ‖w − w0‖₂")
    assert_evidence(an)


@pytest.mark.parametrize("p, name", [(2.0, "entropy (scale 0.25)"), (3.0, "power potential (p=3)")])
def test_powers(p, name):
    an = analyze(Powers(p, 4), np.array([0.8, 1.1, 0.6, 1.3]), (Z2x4, np.abs(Z2x4) @ np.ones(4)))
    assert answer(an, "commuting").answer == "yes"
    assert an.summary["R"] == name
    assert answer(an, "limit").answer == "yes"
    if p == 2.0:  # notes:main: x⊙2 from α1 tends to the nonnegative ℓ1 interpolant as α → 0
        assert answer(an, "scale").details["ends"]["α → 0"]["approaches"] == "min ‖w‖₁, w ≥ 0"
    assert_evidence(an)


def commuting_quadratic(D: int, d: int) -> Quadratic:
    O, _ = np.linalg.qr(RNG.normal(size=(D, D)))
    Lam = 1.0 + 0.3 * RNG.uniform(-1, 1, (d, D))
    return Quadratic(np.einsum("ab,ib,cb->iac", O, Lam, O), name="commuting quadratic")


def test_commuting_quadratic():
    G = commuting_quadratic(5, 3)
    Z = Z2x4[:, :3]
    an = analyze(G, RNG.uniform(0.5, 1.5, 5), (Z, Z @ G.value(RNG.uniform(0.5, 1.5, 5))))  # a reachable target
    assert answer(an, "commuting").answer == "yes"
    assert an.summary["conservation_laws"] == 5 - 3
    assert "eigenbasis" in an.summary["R"]
    checks, mf, hm = by_section(an, "potential")
    assert checks.answer.endswith("(closed form): checks") and mf.answer == "yes" and hm.answer == "yes"
    assert hm.details["max_dh"] > 1e-3  # a non-diagonal metric that moves with μ: the check is not vacuous
    assert answer(an, "limit").answer == "yes"
    assert_evidence(an)


@pytest.mark.parametrize("m, n, r", [(1, 2, 2), (2, 2, 2), (1, 2, 3)])
def test_uv_factorization_has_r_r1_2_polynomial_laws(m, n, r):
    G = factorization(m, n, r)
    an = analyze(G, RNG.standard_normal(G.D))
    assert answer(an, "commuting").answer == "no"
    assert an.summary["conservation_laws"] == r * (r + 1) // 2 == uv_conservation_count(m, n, r)
    laws = answer(an, "laws")
    assert laws.details["independent_at_x_init"] == r * (r + 1) // 2
    assert len(laws.answer.split("; ")) == r * (r + 1) // 2
    assert answer(an, "mirror").answer == "no"  # condition (9) fails
    assert answer(an, "mirror", 1).answer == "yes: a witness"  # Cor. 4.11
    assert_evidence(an)


def test_uut():
    G = symmetric_factorization(2, 3)
    an = analyze(G, RNG.standard_normal(G.D))
    assert an.summary["conservation_laws"] == uut_conservation_count(2, 3)
    assert an.summary["condition_9"] == "no"
    w = answer(an, "mirror", 1)
    assert w.answer == "yes: a witness" and w.discrepancy > w.budget
    assert "schedule_A" in w.details and w.plot is not None
    assert_evidence(an)


def test_hopf_chart_is_conjecture_4_10():
    G = hopf_model()
    an = analyze(G, G.point(0.5, 0.3))
    assert answer(an, "commuting").answer == "no"
    assert an.summary["condition_9"] == "yes"
    assert an.summary["mirror_flow"] == "open (Conjecture 4.10)"
    assert answer(an, "laws").answer == "x1^2 + x2^2 + x3^2 + x4^2"
    assert answer(an, "mirror", 2).answer.startswith("none found")
    assert_evidence(an)


def test_deep_product_imbalances():
    G = DeepProduct(2, 2)
    an = analyze(G, RNG.standard_normal(G.D))
    assert an.summary["conservation_laws"] == 3
    laws = answer(an, "laws")
    assert laws.details["independent_at_x_init"] == 3
    C, exps = np.array(laws.details["coefficients"]), np.array(laws.details["monomials"])
    # the fitted laws span the entries of W₂ᵀW₂ − W₁W₁ᵀ: each imbalance entry is in their span
    X = RNG.standard_normal((30, G.D))
    H = np.array([calculator.law_values(C, exps, x) for x in X])
    for k in range(3):
        target = np.array([G.imbalances(x)[0][np.triu_indices(2)][k] for x in X])
        coef, res, *_ = np.linalg.lstsq(H, target, rcond=None)
        assert np.linalg.norm(H @ coef - target) <= 1e-9 * np.linalg.norm(target)
    assert_evidence(an)


def test_scalar_deep_product_depth_three():
    G = DeepProduct(1, 3)  # w = x1 x2 x3: laws x2² − x1², x3² − x2²
    an = analyze(G, np.array([0.9, 1.2, -0.7]))
    assert an.summary["conservation_laws"] == 2
    assert answer(an, "laws").details["independent_at_x_init"] == 2


def test_plain_function_recognized_as_squares():
    f = function_parametrization(lambda x: x**2, np.ones(3), margin=lambda x: float(np.min(x)), domain="(0, inf)^3")
    an = analyze(f, np.array([1.0, 0.7, 1.2]), (Z2x4[:, :3], Y2 + 2))
    assert an.summary["family"] == "x^2"
    assert an.summary["R"] == "entropy (scale 0.25)"
    assert_evidence(an)


def test_plain_function_numeric_R():
    """A separable non-polynomial G (no closed form): numeric R of Lemma 4.7 from the combined flow, checked."""
    f = function_parametrization(lambda x: np.sinh(x) + x, np.full(3, 0.5))
    an = analyze(f, np.array([0.2, 0.5, 0.9]), (Z2x4[:, :3], Y2))
    assert an.summary["family"] is None
    assert answer(an, "commuting").answer == "yes"
    assert an.summary["R"].startswith("Lemma 4.7 R")
    assert answer(an, "potential").answer.endswith("(numeric): checks")
    assert answer(an, "limit").answer == "yes"
    assert_evidence(an)


def test_batched_brackets_match_the_pairwise_ones():
    G = hopf_model()
    x = G.point(0.4, -0.5)
    from oracles.lie.brackets import bracket_fd

    r = calculator.brackets_at(G, x)
    worst = max(np.linalg.norm(bracket_fd(G, i, j, x)[0]) for i in range(2) for j in range(i + 1, 2))
    assert abs(r["relative"] * r["scale"] - worst) <= 1e-6 * worst
    assert calculator.naive_brackets_at(G, x) == pytest.approx(worst)


def test_combined_psi_is_the_composition():
    G = commuting_quadratic(4, 2)
    x0, mu = RNG.uniform(0.5, 1.5, 4), np.array([0.3, -0.2])
    from oracles import psi

    assert np.allclose(calculator.combined_psi(G, x0, mu), psi(G, x0, mu), rtol=1e-8, atol=1e-10)


# -- the command ---------------------------------------------------------------------------------------
def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_command_writes_json_md_html_and_pictures(tmp_path, capsys):
    data = tmp_path / "data.npz"
    np.savez(data, Z=Z2x4, y=Y2)
    code, out, err = run(
        capsys,
        "tests.test_analyze:uv_model",
        "--init",
        "0.7,0.7,0.7,0.7,0.7,0.7,0.7,0.7",
        "--data",
        str(data),
        f"--report-dir={tmp_path / 'r'}",
    )
    assert code == 0, err
    folder = tmp_path / "r" / "analyze" / "uv_model"
    doc = json.loads((folder / "report.json").read_text())
    assert doc["summary"]["R"] == "hypentropy" and doc["parametrization"]["D"] == 8
    assert all(a["rests_on"] for a in doc["answers"])
    pics = [p for a in doc["answers"] for p in a["pictures"]]
    assert pics and all((folder / p).exists() for p in pics)
    md = (folder / "report.md").read_text()
    assert "| commuting |" in md and "li2022:thm-4.16" in md
    html = (folder / "report.html").read_text()
    assert "data:image/png;base64," in html and "<table>" in html
    assert "report:" in out


def test_python_dash_m_theorems_analyze(tmp_path):
    """Through ``python -m theorems``: cli.py registers the subcommand; a CSV of data; bad input is exit 2."""
    csv = tmp_path / "d.csv"
    csv.write_text("z1,z2,y\n1.0,1.0,2.0\n")
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "theorems",
            "analyze",
            "docs/analyze/models.py:monomial_pair",
            "--init",
            "1,1.5",
            "--data",
            str(csv),
            f"--report-dir={tmp_path}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "analyze" / "monomial_pair" / "report.html").exists()
    bad = subprocess.run(
        [sys.executable, "-m", "theorems", "analyze", "docs/analyze/models.py:monomial_pair", "--init", "1,nan"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "non-finite" in bad.stderr


@pytest.mark.parametrize(
    "argv, message",
    [
        (["tests.test_analyze:two_outputs", "--init", "1,nan"], "non-finite"),
        (["tests.test_analyze:two_outputs", "--init", "0,0"], "not regular"),
        (["tests.test_analyze:two_outputs", "--init=-1,2", "--domain", "positive"], "outside the domain"),
        (["tests.test_analyze:returns_matrix", "--init", "1,2"], "shape"),
        (
            ["tests.test_analyze:two_outputs", "--init", "1,2", "--jacobian", "tests.test_analyze:bad_jacobian"],
            "Jacobian at x_init has shape",
        ),
        (["tests.test_analyze:uv_model", "--init", "1,2,3"], "length D = 8"),
        (["tests.test_analyze:uv_model", "--init", "1,1,1,1,1,1,1,-1"], "outside the domain"),
        (["tests.test_analyze:not_a_model"], "not a Parametrization"),
        (["tests.test_analyze:nothing_here"], "no attribute"),
        (["no_such_module_xyz:f"], "cannot import"),
        (["tests.test_analyze:two_outputs", "--init", "normal:0,1"], "--dim"),
        (["tests.test_analyze:two_outputs", "--init", "1,2", "--domain", "box:1"], "box:LO,HI"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv, "--report-dir=/nonexistent-analyze-dir")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("analyze: ") and message in err, err


def test_bad_data(tmp_path, capsys):
    nan = tmp_path / "nan.npz"
    np.savez(nan, Z=np.array([[1.0, np.nan]]), y=np.array([1.0]))
    wide = tmp_path / "wide.npz"
    np.savez(wide, Z=np.ones((1, 3)), y=np.array([1.0]))
    short = tmp_path / "short.npz"
    np.savez(short, Z=np.ones((2, 2)), y=np.array([1.0]))
    for path, message in ((nan, "non-finite"), (wide, "d = 2 columns"), (short, "length 2")):
        code, _, err = run(
            capsys, "tests.test_analyze:two_outputs", "--init", "1,2", "--data", str(path), f"--report-dir={tmp_path}"
        )
        assert code == 2 and err.count("\n") == 1 and message in err, err


def test_distribution_of_initializations(tmp_path, capsys):
    code, out, err = run(
        capsys,
        "tests.test_analyze:uv_model",
        "--init",
        "uniform:0.3,1.0",
        "--samples",
        "3",
        "--seed",
        "4",
        f"--report-dir={tmp_path}",
    )
    assert code == 0, err
    doc = json.loads((tmp_path / "analyze" / "uv_model" / "report.json").read_text())
    assert len(doc["x_inits"]) == 3
    points = doc["answers"][0]["details"]["points"]
    assert len(points) == 3 * 7  # each initialization and six points near it
    # a draw outside the domain is named
    code, out, err = run(
        capsys, "tests.test_analyze:hopf_model", "--init", "uniform:-1,1", "--samples", "9", f"--report-dir={tmp_path}"
    )
    assert code == 2 and "x_init[" in err and "outside the domain" in err


def test_a_law_that_is_not_a_polynomial():
    """G = tanh(x1)·(x2, x3): one law, x2² + x3² − sinh²(x1), which no polynomial of degree ≤ 3 is."""

    def G(x):
        return np.tanh(x[0]) * x[1:]

    an = analyze(function_parametrization(G, np.array([0.8, 0.5, -0.7])), np.array([0.8, 0.5, -0.7]))
    assert an.summary["conservation_laws"] == 1
    laws = answer(an, "laws")
    assert laws.answer == "none of degree ≤ 3" and "1 law(s) are not polynomial" in laws.note
    assert an.summary["condition_9"] == "no"


def test_laws_complete_the_count_when_the_closure_cannot_decide():
    """G(x) = f(Wx), W of rank d: the d-dimensional null space of W gives D − d linear laws, which pin
    dim Lie|_x = d even where the sampled closure finds no clear rank gap."""
    rng = np.random.default_rng(5)
    W = rng.standard_normal((3, 6)) / np.sqrt(6)
    x0 = 0.5 * rng.standard_normal(6)
    G = function_parametrization(lambda x: W @ x + 0.3 * np.tanh(W @ x) ** 2, x0)
    an = analyze(G, x0)
    assert an.summary["conservation_laws"] == 3
    laws = answer(an, "laws")
    assert laws.details["independent_at_x_init"] == 3
    C = np.array(laws.details["coefficients"])
    exps = np.array(laws.details["monomials"])
    linear = [c for c in C if np.all(exps[np.abs(c) > 0].sum(axis=1) == 1)]
    assert len(linear) == 3
    for c in linear:  # each linear law is a vector of W's null space
        v = np.array([c[k] for k in range(len(exps)) if exps[k].sum() == 1])
        assert np.linalg.norm(W @ v) <= 1e-7 * np.linalg.norm(v)
    assert an.summary["condition_9"] == "no"


def raises_away_from_zero(x):
    if abs(x[0]) > 1.05:
        raise ValueError("math domain error")
    return np.array([x[0] * x[1], x[1] ** 2])


def test_a_function_that_raises_is_one_line(capsys):
    code, out, err = run(
        capsys, "tests.test_analyze:raises_away_from_zero", "--init", "1,1.5", "--report-dir=/nonexistent-analyze-dir"
    )
    assert code == 2 and err.count("\n") == 1 and "G raised ValueError: math domain error at x = " in err, err


def test_default_initialization_lies_in_the_domain(tmp_path, capsys):
    code, out, err = run(capsys, "tests.test_analyze:hopf_model", f"--report-dir={tmp_path}")
    assert code == 0, err
    x0 = np.array(json.loads((tmp_path / "analyze" / "hopf_model" / "report.json").read_text())["x_init"])
    assert hopf_model().in_domain(x0)


def positive_margin(x):
    return float(np.min(x))


def two_outputs_jacobian(x):
    return np.array([[x[1], x[0]], [0.0, 2 * x[1]]])


def test_domain_jacobian_and_init_file(tmp_path, capsys):
    inits = tmp_path / "inits.npy"
    np.save(inits, np.array([[1.0, 1.5], [0.8, 1.2]]))
    code, out, err = run(
        capsys,
        "tests.test_analyze:two_outputs",
        "--init",
        str(inits),
        "--domain",
        "tests.test_analyze:positive_margin",
        "--jacobian",
        "tests.test_analyze:two_outputs_jacobian",
        "--name",
        "pair",
        f"--report-dir={tmp_path}",
    )
    assert code == 0, err
    doc = json.loads((tmp_path / "analyze" / "pair" / "report.json").read_text())
    assert len(doc["x_inits"]) == 2 and doc["summary"]["family"] == "quadratic ½xᵀA_ix"
    code, out, err = run(
        capsys,
        "tests.test_analyze:two_outputs",
        "--init=-1,1",
        "--domain",
        "tests.test_analyze:positive_margin",
        f"--report-dir={tmp_path}",
    )
    assert code == 2 and "outside the domain M = tests.test_analyze:positive_margin" in err, err
