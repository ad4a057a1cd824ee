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

A warning is said once per campaign, not once per process: the process that says it marks it in the
environment (:data:`WARNED_VARIABLE`), which the xdist workers it starts inherit; a worker then skips the
same warning, and the ping of a server the controller could not reach. A database directory that is a
file (or lies under one) would turn Hypothesis's database off without a word: it is said, and examples are
kept in memory for the run.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase, InMemoryExampleDatabase

#: Seconds to connect to (and hear from) the Redis server of ``HYPOTHESIS_REDIS_URL``.
REDIS_TIMEOUT = 2.0
#: Keys of the warnings already said in this campaign (set by the process that said them, inherited by workers).
WARNED_VARIABLE = "IMPLICIT_BIAS_WARNED"


def _key(what: str) -> str:
    return hashlib.sha1(what.encode()).hexdigest()[:12]


def warned(what: str) -> bool:
    """Whether a process of this campaign (this one, or the one that started it) has said the warning ``what``."""
    return _key(what) in os.environ.get(WARNED_VARIABLE, "").split(",")


def _warn(message: str, what: str | None = None) -> None:
    """Say ``message`` on stderr, once per campaign for the warning ``what`` (default: the message)."""
    key = what if what is not None else message
    if warned(key):
        return
    print(f"warning: {message}", file=sys.stderr)
    os.environ[WARNED_VARIABLE] = ",".join(filter(None, [os.environ.get(WARNED_VARIABLE, ""), _key(key)]))


def redis_database(url: str) -> ExampleDatabase | None:
    """The Redis example database at ``url``, or ``None`` (with one warning) when it cannot be used.

    Parameters
    ----------
    url
        A ``redis://`` URL (``HYPOTHESIS_REDIS_URL``).
    """
    what = f"redis {url}"
    if warned(what):  # the process that started this one could not use it: said there, not pinged again
        return None
    try:
        import redis  # optional dependency: pip install 'implicit-bias-theorems[redis]'
        from hypothesis.extra.redis import RedisExampleDatabase
    except ImportError as exc:
        _warn(
            f"HYPOTHESIS_REDIS_URL is set but the redis client is not installed ({exc}); using the local "
            f"example database only (pip install -e '.[redis]')",
            what,
        )
        return None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server: fall back, say so once
        _warn(
            f"cannot reach the Redis server of HYPOTHESIS_REDIS_URL={url} ({type(exc).__name__}: {exc}); "
            f"using the local example database only",
            what,
        )
        return None
    return RedisExampleDatabase(client)


def local_database(path: str) -> ExampleDatabase:
    """The directory database at ``path``; in memory, with one warning, when ``path`` is (or lies under) a file.

    Hypothesis's directory database silently keeps nothing there (every save fails and is ignored).
    """
    for part in (Path(path), *Path(path).parents):
        if part.exists() and not part.is_dir():
            _warn(
                f"the example database directory {path} {'is' if part == Path(path) else 'lies under'} a file"
                f"{'' if part == Path(path) else f' ({part})'}, not a directory: failing examples are kept in "
                f"memory for this run only (set HYPOTHESIS_DATABASE_DIR to a directory)",
                f"database {path}",
            )
            return InMemoryExampleDatabase()
    return DirectoryBasedExampleDatabase(path)


@functools.cache
def _database() -> ExampleDatabase:
    """The example database of ``dev`` and ``thorough``: local, multiplexed with Redis when it answers."""
    local = local_database(os.environ.get("HYPOTHESIS_DATABASE_DIR", ".hypothesis/examples"))
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
_common: dict[str, Any] = dict(
    deadline=None,
    phases=_PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors, HealthCheck.filter_too_much],
)

settings.register_profile("dev", max_examples=50, database=_database(), **_common)
# ci samples without the target phase: its hill climbing once spent 150 s generating 148 examples of
# li2022:cor-4.14 (Hypothesis's optimiser, not the oracle, which took 0.6 s); targeted search is thorough's job.
settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    database=None,
    print_blob=True,
    **(_common | {"phases": [p for p in _PHASES if p is not Phase.target]}),
)
settings.register_profile("thorough", max_examples=1000, database=_database(), **_common)
