"""Benchmark dimensions, opt-in baselines, and in-run ratios that survive a busy machine.

* A benchmark takes a ``dim`` argument and names its range with ``@pytest.mark.dims(2, 4, 8)``. Under
  ``--benchmark-disable`` (``make test``) or xdist, where nothing is timed, each benchmark runs once at its
  smallest dimension, as a smoke test.
* ``@pytest.mark.baseline``: a one-off baseline that takes minutes (SLSQP at d = 1000); it runs only when asked
  for with ``-m baseline`` (``make bench-baselines``).
* :func:`cpu_ratio` times two callables in the same process, interleaved, by CPU time (``time.process_time``),
  and compares their minima over rounds: a load on the other core slows both alike, so the ratio holds where
  wall-clock medians across runs do not (two identical ``make bench`` runs once differed 2.8× on some tests).
"""

from __future__ import annotations

import time
from typing import Callable

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dims(*sizes): the dimensions a benchmark is timed at")
    config.addinivalue_line("markers", "baseline: a slow one-off baseline, run only with -m baseline")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "baseline" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="one-off baseline: run with -m baseline (make bench-baselines)")
    for item in items:
        if item.get_closest_marker("baseline") is not None:
            item.add_marker(skip)


def timing(config: pytest.Config) -> bool:
    """Whether this run times benchmarks (not disabled, not under xdist)."""
    disabled = config.getoption("benchmark_disable", False) or config.getoption("benchmark_skip", False)
    workers = config.getoption("numprocesses", None) if config.getoption("dist", "no") != "no" else None
    return not disabled and not workers


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "dim" not in metafunc.fixturenames:
        return
    mark = metafunc.definition.get_closest_marker("dims")
    dims = tuple(mark.args) if mark else (2,)
    metafunc.parametrize("dim", dims if timing(metafunc.config) else dims[:1])


def cpu_ratio(a: Callable[[], object], b: Callable[[], object], rounds: int = 15) -> tuple[float, float, float]:
    """``(min CPU time of a, min CPU time of b, their ratio)``, timed alternately a, b, a, b, …"""
    best_a = best_b = float("inf")
    for _ in range(rounds):
        t = time.process_time()
        a()
        best_a = min(best_a, time.process_time() - t)
        t = time.process_time()
        b()
        best_b = min(best_b, time.process_time() - t)
    return best_a, best_b, best_a / max(best_b, 1e-12)


def _reference_min(rounds: int = 8) -> float:
    from tests.benchmarks.test_bench_reference import reference_kernel

    best = float("inf")
    for _ in range(rounds):
        t = time.process_time()
        reference_kernel()
        best = min(best, time.process_time() - t)
    return best


@pytest.fixture(autouse=True)
def local_reference(request: pytest.FixtureRequest):
    """Time the reference kernel just before and just after each timed benchmark and record the smaller minimum
    in its ``extra_info["reference_min"]``: the machine's speed at that moment, which ``make bench``'s
    comparison divides by (the load on a shared machine drifts over minutes, not within a test)."""
    if "benchmark" not in request.fixturenames or not timing(request.config):
        yield
        return
    bench = request.getfixturevalue("benchmark")
    before = _reference_min()
    yield
    bench.extra_info["reference_min"] = min(before, _reference_min())
