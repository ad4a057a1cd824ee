"""The implicit-bias calculator (issue 24): the whole analysis under 10 s for D, d ≤ 10 on one core, and the
batched brackets against the naive ones.

* **The whole analysis** (:func:`oracles.checks.calculator.analyze`, every section, with data) on the worst case
  the calculator meets: a plain numpy function with no Jacobian, so that every Jacobian and Hessian is a finite
  difference (``G(x) = Wx + 0.3 tanh(Wx)⊙²``, non-commuting: brackets, condition (9), a path-dependence witness,
  gradient-flow limits at four scales) and a commuting one with no closed form (``sinh(x) + x``: the numerical R
  of Lemma 4.7, its checks, the certified projection), at D = d = 2, 5, 10; and the suite's families at their
  largest size with D ≤ 10 (UVᵀ, a deep product, a padded Hopf chart, u⊙2 − v⊙2). Asserted: CPU seconds
  (``time.process_time``, what the analysis reports) below 10.
* **Brackets, batched against naive.** :func:`~oracles.checks.calculator.brackets_at` differences the Hessians
  once per point (a four-point cross stencil on G) and forms every pair :math:`H_jJ_i - H_iJ_j` in one product;
  the naive version (:func:`~oracles.checks.calculator.naive_brackets_at`) computes each pair by
  :func:`oracles.lie.brackets.bracket_fd`, whose Hessians are central differences of the (differenced)
  Jacobian, again for every pair: nested finite differences without batching. Ratio from
  :func:`conftest.cpu_ratio`; asserted ≥ 5× at d ≥ 5 when timed. The two agree to the naive one's own error.

Ratios and seconds are printed and stored in ``extra_info``; ``make test`` runs each once at the smallest size.
"""

from __future__ import annotations

import numpy as np
import pytest

from oracles import DeepProduct, HopfChart, UVSquared, factorization
from oracles.checks.calculator import analyze, brackets_at, function_parametrization, naive_brackets_at

from .conftest import cpu_ratio

SEED = 20261208
LIMIT_SECONDS = 10.0


def noncommuting(dim: int):
    rng = np.random.default_rng([SEED, dim])
    W = rng.standard_normal((dim, dim)) / np.sqrt(dim)
    x0 = 0.5 * rng.standard_normal(dim)
    return function_parametrization(lambda x: W @ x + 0.3 * np.tanh(W @ x) ** 2, x0, name="W x + 0.3 tanh(W x)²"), x0


def commuting(dim: int):
    x0 = np.linspace(0.2, 1.0, dim)
    return function_parametrization(lambda x: np.sinh(x) + x, x0, name="sinh(x) + x"), x0


def data(d: int):
    rng = np.random.default_rng([SEED, d, 1])
    Z = rng.standard_normal((max(1, d // 2), d))
    return Z, rng.standard_normal(Z.shape[0])


def _report(benchmark, capsys, label, an):
    benchmark.extra_info.update(
        seconds=an.seconds,
        D=an.G.D,
        d=an.G.d,
        sections={a.section + str(k): a.seconds for k, a in enumerate(an.answers)},
    )
    with capsys.disabled():
        print(
            f"\n  {label}: D = {an.G.D}, d = {an.G.d}: {an.seconds:.2f} s CPU "
            f"({', '.join(f'{a.section} {a.seconds:.2f}' for a in an.answers if a.seconds > 0.2)})"
        )


@pytest.mark.benchmark(group="calculator: the whole analysis (plain functions, finite differences)")
@pytest.mark.parametrize("kind", ["non-commuting", "commuting, numeric R"])
@pytest.mark.dims(2, 5, 10)
def test_analysis_of_a_plain_function(benchmark, capsys, kind: str, dim: int) -> None:
    G, x0 = (noncommuting if kind == "non-commuting" else commuting)(dim)
    an = benchmark.pedantic(analyze, args=(G, x0, data(dim)), rounds=1, iterations=1)
    _report(benchmark, capsys, kind, an)
    summary = an.summary
    assert summary["commuting"] == ("no" if kind == "non-commuting" else "yes")
    if kind == "non-commuting":
        assert summary["condition_9"] == "no" and summary["mirror_flow"].startswith("no")
    if not benchmark.disabled:
        assert an.seconds < LIMIT_SECONDS, f"{kind} at D = d = {dim}: {an.seconds:.2f} s CPU (goal < {LIMIT_SECONDS} s)"


FAMILIES = {
    "UV^T (m = n = 2, r = 2)": lambda: (factorization(2, 2, 2), np.random.default_rng(SEED).standard_normal(8)),
    "deep product (2 x 2, depth 2)": lambda: (DeepProduct(2, 2), np.random.default_rng(SEED + 1).standard_normal(8)),
    "u^2 - v^2 (d = 5)": lambda: (UVSquared(5), np.full(10, 0.6)),
    "Hopf chart (D = 6)": lambda: _hopf(6),
}


def _hopf(D: int):
    O, _ = np.linalg.qr(np.random.default_rng(SEED + 2).standard_normal((D, D)))
    G = HopfChart(O, np.eye(3), np.array([[1.0, 0.3], [0.0, 1.0]]))
    return G, G.point(0.5, 0.4, extra=np.full(D - 4, 0.2))


@pytest.mark.benchmark(group="calculator: the whole analysis (the suite's families, D ≤ 10)")
@pytest.mark.parametrize("family", list(FAMILIES))
def test_analysis_of_a_family(benchmark, capsys, family: str) -> None:
    G, x0 = FAMILIES[family]()
    an = benchmark.pedantic(analyze, args=(G, x0, data(G.d)), rounds=1, iterations=1)
    _report(benchmark, capsys, family, an)
    if not benchmark.disabled:
        assert an.seconds < LIMIT_SECONDS, f"{family}: {an.seconds:.2f} s CPU (goal < {LIMIT_SECONDS} s)"


@pytest.mark.benchmark(group="calculator: brackets batched vs nested finite differences per pair")
@pytest.mark.dims(2, 5, 10)
def test_brackets_batched_vs_naive(benchmark, capsys, dim: int) -> None:
    G, x0 = noncommuting(dim)
    r = benchmark(brackets_at, G, x0)
    naive = naive_brackets_at(G, x0)
    batched = r["relative"] * r["scale"]
    gap = abs(batched - naive) / max(naive, 1e-300)
    benchmark.extra_info.update(relative_gap_to_naive=gap, batched=batched, naive=naive)
    assert gap < 1e-3  # the naive Hessians (differences of differences) carry ~1e-6 relative noise
    if benchmark.disabled:
        return
    t_naive, t_batched, ratio = cpu_ratio(lambda: naive_brackets_at(G, x0), lambda: brackets_at(G, x0), rounds=5)
    benchmark.extra_info.update(seconds_naive=t_naive, seconds_batched=t_batched, speedup=ratio)
    with capsys.disabled():
        print(f"\n  D = d = {dim}: naive {t_naive * 1e3:.1f} ms, batched {t_batched * 1e3:.1f} ms: {ratio:.1f}x")
    if dim >= 5:
        assert ratio >= 5.0, f"batched brackets only {ratio:.1f}x faster than the naive ones at D = d = {dim}"
