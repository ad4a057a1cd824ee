"""Benchmark dimensions: the full range when timing (``make bench``), the smallest one otherwise.

A benchmark takes a ``dim`` argument and names its range with ``@pytest.mark.dims(2, 4, 8)``.
Under ``--benchmark-disable`` (``make test``) or xdist, where nothing is timed, each benchmark runs
once at its smallest dimension, as a smoke test.
"""
from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dims(*sizes): the dimensions a benchmark is timed at")


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
