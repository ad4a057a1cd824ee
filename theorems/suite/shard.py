"""``--shard=i/N``: one campaign split across N machines (a SLURM job array, an ssh loop), deterministically.

Every machine runs the same command with its own ``i``; each computes the same split from the same inputs
and runs only its part. The split:

* with ``--shard-times=FILE`` (a ``summary.json`` of an earlier campaign, e.g. the merged store of the last
  one): longest processing time first -- the statements sorted by their stored seconds, longest first
  (ties by ID), each given to the shard with the least time so far (the lowest-numbered on a tie). A
  statement the file does not time goes by its ID's hash;
* without it: by a hash (SHA-256) of the ID alone, so the split does not depend on what any store holds.

The split must not depend on a store that the shards themselves write: a shard that read its own store's
times would split differently from the others once they have run, losing or repeating statements. So the
times come only from the file named, which every machine reads unchanged. Tests that are not statements (the
project's own) are split by the hash of their node id. Each shard writes its own store; ``python -m theorems
merge`` makes one from them (:mod:`theorems.suite.merge`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest


class ShardError(ValueError):
    """A ``--shard`` or ``--shard-times`` value the suite cannot use (the message says which and why)."""


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/N"`` as ``(i, N)`` with ``1 <= i <= N``.

    Raises
    ------
    ShardError
        Anything else, named.
    """
    try:
        i, n = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise ShardError(f"--shard={text}: write --shard=i/N with whole numbers, e.g. --shard=2/4") from None
    if not (n >= 1 and 1 <= i <= n):
        raise ShardError(f"--shard={text}: need 1 <= i <= N (shards are numbered from 1)")
    return i, n


def stored_times(path: Path | str) -> dict[str, float]:
    """``{statement ID: seconds}`` of a ``summary.json`` (its records with a positive ``seconds``).

    Raises
    ------
    ShardError
        The file cannot be read or is not a summary.
    """
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ShardError(f"--shard-times={path}: cannot read it ({type(exc).__name__}: {exc})") from None
    if not (isinstance(doc, dict) and isinstance(doc.get("statements"), list)):
        raise ShardError(f"--shard-times={path}: not a summary.json (no list of statements)")
    out: dict[str, float] = {}
    for r in doc["statements"]:
        if (
            isinstance(r, dict)
            and isinstance(r.get("id"), str)
            and isinstance(r.get("seconds"), (int, float))
            and not isinstance(r.get("seconds"), bool)
            and r["seconds"] > 0
        ):
            out[r["id"]] = float(r["seconds"])
    return out


def hash_shard(key: str, n: int) -> int:
    """The shard (1 ... n) of ``key`` by its SHA-256: the same on every machine and Python."""
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % n + 1


def assign(ids: list[str] | set[str], n: int, seconds: dict[str, float] | None = None) -> dict[str, int]:
    """The shard (1 ... n) of every statement ID: longest stored time first onto the least-loaded shard, the
    untimed ones by hash (see the module's docstring)."""
    seconds = seconds or {}
    timed = sorted((s for s in ids if seconds.get(s, 0.0) > 0), key=lambda s: (-seconds[s], s))
    load = [0.0] * n
    out: dict[str, int] = {}
    for sid in timed:
        k = min(range(n), key=lambda j: (load[j], j))
        out[sid] = k + 1
        load[k] += seconds[sid]
    for sid in sorted(set(ids) - set(out)):
        out[sid] = hash_shard(sid, n)
    return out


def imbalance(seconds: dict[str, float], n: int) -> float:
    """The longest shard's statement time over the mean shard's, for the split :func:`assign` makes."""
    where = assign(list(seconds), n, seconds)
    load = [0.0] * n
    for sid, k in where.items():
        load[k - 1] += seconds[sid]
    mean = sum(load) / n
    return max(load) / mean if mean > 0 else 1.0


# -- the pytest side ---------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("implicit-bias")
    group.addoption(
        "--shard",
        default=None,
        metavar="i/N",
        help="run only shard i of N of the statements (a deterministic split; see --shard-times)",
    )
    group.addoption(
        "--shard-times",
        default=None,
        metavar="FILE",
        help="a summary.json whose stored seconds balance the shards (longest first); "
        "without it the split is by ID hash",
    )


def pytest_configure(config: pytest.Config) -> None:
    text = config.getoption("shard", None)
    times = config.getoption("shard_times", None)
    try:
        if text is not None:
            config.stash[_SHARD] = (*parse_shard(text), stored_times(times) if times else {})
        elif times is not None:
            raise ShardError("--shard-times needs --shard=i/N")
    except ShardError as exc:
        raise pytest.UsageError(str(exc)) from None


_SHARD = pytest.StashKey[tuple[int, int, dict[str, float]]]()


def _statement_id(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("statement")  # set by theorems.suite.harness on every statement
    return marker.kwargs.get("id", "") if marker is not None else None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep this shard's items (after the plugin has checked and selected the collection)."""
    if _SHARD not in config.stash:
        return
    i, n, seconds = config.stash[_SHARD]
    ids = {sid for sid in map(_statement_id, items) if sid is not None}
    where = assign(sorted(ids), n, seconds)
    keep: list[pytest.Item]
    drop: list[pytest.Item]
    keep, drop = [], []
    for item in items:
        sid = _statement_id(item)
        k = where[sid] if sid is not None else hash_shard(item.nodeid, n)
        (keep if k == i else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
