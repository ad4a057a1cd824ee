"""Hypothesis profiles of the suite: ``dev`` (default), ``ci`` and ``thorough``.

* ``dev`` -- 50 examples a statement, random, the example database on (``.hypothesis/``), so a
  counterexample found once is replayed first next time.
* ``ci`` -- 200 examples a statement, derandomized (the same examples on every run), no deadline,
  no database, no targeted phase: a reproducible gate.
* ``thorough`` -- 1000 examples a statement, random, targeted search and the database on: what
  ``make falsify`` runs. Set ``HYPOTHESIS_REDIS_URL`` to share the database between machines
  (README, "Sharing counterexamples").
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase


def _database():
    url = os.environ.get("HYPOTHESIS_REDIS_URL")
    local = DirectoryBasedExampleDatabase(os.environ.get("HYPOTHESIS_DATABASE_DIR", ".hypothesis/examples"))
    if not url:
        return local
    import redis  # optional dependency: pip install 'implicit-bias-theorems[redis]'
    from hypothesis.database import MultiplexedDatabase
    from hypothesis.extra.redis import RedisExampleDatabase

    return MultiplexedDatabase(local, RedisExampleDatabase(redis.Redis.from_url(url)))


# Phase.explain is left out everywhere: it re-runs the oracle ~100 times on every falsified statement
# (measured: 112 calls instead of 12 on a control) to annotate lines, which says little about an oracle.
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
# filter_too_much is suppressed because the harness itself decides: a statement whose examples are
# mostly inconclusive ends `untested`, with the reasons counted, rather than as a health-check error.
_common = dict(deadline=None, phases=_PHASES,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors,
                                      HealthCheck.filter_too_much])

settings.register_profile("dev", max_examples=50, database=_database(), **_common)
# ci samples without the target phase: its hill climbing once spent 150 s generating 148 examples of
# li2022:cor-4.14 (Hypothesis's optimiser, not the oracle, which took 0.6 s); targeted search is thorough's job.
settings.register_profile("ci", max_examples=200, derandomize=True, database=None, print_blob=True,
                          **(_common | {"phases": [p for p in _PHASES if p is not Phase.target]}))
settings.register_profile("thorough", max_examples=1000, database=_database(), **_common)
