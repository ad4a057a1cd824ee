"""``--observe``: Hypothesis's observability output, one JSON line per example, kept in the report store.

Each line is a Hypothesis *test case observation* (``type: "test_case"``): the property (the test), its
``status`` (passed / failed / gave_up), ``status_reason``, the ``arguments`` drawn, the ``features`` (the
``event()`` and ``target()`` values the harness records: inconclusive reasons, discrepancy/budget),
``timing`` (seconds spent drawing and running), ``how_generated`` and the run's metadata. Info lines
(``type: "info"``, e.g. the phase timings of each test) are kept too. They go to
``<report dir>/observed/<UTC start>-<worker>-<pid>.jsonl`` (one file per process, so xdist workers never
interleave),
and ``python -m theorems merge`` carries them over. Coverage collection, which Hypothesis would add on
Python 3.11 at a large cost in speed, is switched off. Reading it::

    import pandas as pd
    obs = pd.read_json("reports/observed/….jsonl", lines=True)   # or pd.concat over the folder's files
    cases = obs[obs.type == "test_case"]
    cases.groupby("property").status.value_counts()

Observing changes nothing Hypothesis draws: the same examples are generated with it on or off.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

#: The store's folder for observation files.
OBSERVED_DIR = "observed"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("implicit-bias").addoption(
        "--observe",
        action="store_true",
        help="keep Hypothesis's observations (one JSON line per example) in <report dir>/observed/",
    )


class Observer:
    """Appends every observation of this process to one JSON-lines file (a lock per file, line-buffered)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("a", encoding="utf-8")

    def __call__(self, observation: Any, thread_id: int | None = None) -> None:
        from hypothesis.strategies._internal.utils import to_jsonable

        line = json.dumps(to_jsonable(observation, avoid_realization=False), default=repr, allow_nan=True)
        with self.lock:
            self.handle.write(line + "\n")
            self.handle.flush()

    def close(self) -> None:
        self.handle.close()


_OBSERVER = pytest.StashKey[Observer]()


def observation_file(report_dir: Path, config: pytest.Config) -> Path:
    """``<report dir>/observed/<UTC start>-<worker>-<pid>.jsonl`` (``main`` without xdist)."""
    started = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    name = (getattr(config, "workerinput", None) or {}).get("workerid", "main")
    return Path(report_dir) / OBSERVED_DIR / f"{started}-{name}-{os.getpid()}.jsonl"


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("observe", False):
        return
    if config.getoption("no_reports", False):
        raise pytest.UsageError("--observe keeps its files in the report store: drop --no-reports")
    from hypothesis.internal import observability

    observability.OBSERVABILITY_COLLECT_COVERAGE = False  # coverage costs more than the run on Python 3.11
    if (
        getattr(config, "workerinput", None) is None
        and config.pluginmanager.hasplugin("xdist")
        and (config.getoption("numprocesses", None) or 0)
    ):
        return  # the controller runs no test; each worker observes its own
    observer = Observer(observation_file(Path(config.getoption("report_dir")), config))
    config.stash[_OBSERVER] = observer
    observability.add_observability_callback(observer, all_threads=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    observer = config.stash.get(_OBSERVER, None)
    if observer is not None:
        from hypothesis.internal import observability

        observability.remove_observability_callback(observer)
        observer.close()
