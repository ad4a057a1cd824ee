"""Hypothesis profiles of the suite: ``dev`` (default), ``ci`` and ``thorough``.

* ``dev`` -- 50 examples a statement, random, the example database on (``.hypothesis/``), so a
  counterexample found once is replayed first next time.
* ``ci`` -- 200 examples a statement, derandomized (the same examples on every run), no deadline,
  no database, no targeted phase: a reproducible gate.
* ``thorough`` -- 1000 examples a statement, random, targeted search and the database on: what
  ``make falsify`` runs. Set ``HYPOTHESIS_REDIS_URL`` to share the database between machines
  (README, "Sharing counterexamples"). The server is pinged when the profiles are set up (timeout
  :data:`REDIS_TIMEOUT` seconds); when it cannot be reached, or the ``redis`` client is not
  installed, one warning says so and the local database is used alone.
"""
from __future__ import annotations

import functools
import os
import sys

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

#: Seconds to connect to (and hear from) the Redis server of ``HYPOTHESIS_REDIS_URL``.
REDIS_TIMEOUT = 2.0


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def redis_database(url: str) -> ExampleDatabase | None:
    """The Redis example database at ``url``, or ``None`` (with one warning) when it cannot be used.

    Parameters
    ----------
    url
        A ``redis://`` URL (``HYPOTHESIS_REDIS_URL``).
    """
    try:
        import redis  # optional dependency: pip install 'implicit-bias-theorems[redis]'
        from hypothesis.extra.redis import RedisExampleDatabase
    except ImportError as exc:
        _warn(f"HYPOTHESIS_REDIS_URL is set but the redis client is not installed ({exc}); using the local "
              f"example database only (pip install -e '.[redis]')")
        return None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server: fall back, say so once
        _warn(f"cannot reach the Redis server of HYPOTHESIS_REDIS_URL={url} ({type(exc).__name__}: {exc}); "
              f"using the local example database only")
        return None
    return RedisExampleDatabase(client)


@functools.cache
def _database() -> ExampleDatabase:
    """The example database of ``dev`` and ``thorough``: local, multiplexed with Redis when it answers."""
    local = DirectoryBasedExampleDatabase(os.environ.get("HYPOTHESIS_DATABASE_DIR", ".hypothesis/examples"))
    url = os.environ.get("HYPOTHESIS_REDIS_URL")
    shared = redis_database(url) if url else None
    if shared is None:
        return local
    from hypothesis.database import MultiplexedDatabase

    return MultiplexedDatabase(local, shared)


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
