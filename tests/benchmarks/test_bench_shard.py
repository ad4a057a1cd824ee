"""The split of ``--shard=i/N`` (:mod:`theorems.suite.shard`): balance, and its cost.

On the stored statement times of a thorough campaign (``data/thorough-seconds.json``: 39 statements), the
longest shard's statement time over the mean shard's must stay at or below 1.15 at N = 2, 4 and 8 (issue 25).
The ID-hash split, what a campaign gets without ``--shard-times``, is printed beside it for comparison.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from theorems.suite import shard

TIMES = shard.stored_times(Path(__file__).parent / "data" / "thorough-seconds.json")


def _hash_imbalance(n: int) -> float:
    load = [0.0] * n
    for sid, k in shard.assign(list(TIMES), n).items():
        load[k - 1] += TIMES[sid]
    return max(load) / (sum(load) / n)


@pytest.mark.dims(2, 4, 8)
def test_shard_imbalance_on_a_thorough_campaign(benchmark, dim: int) -> None:
    where = benchmark(shard.assign, list(TIMES), dim, TIMES)
    assert set(where) == set(TIMES)
    balanced, hashed = shard.imbalance(TIMES, dim), _hash_imbalance(dim)
    benchmark.extra_info.update(imbalance=balanced, imbalance_by_hash=hashed, statements=len(TIMES))
    print(f"N = {dim}: longest shard / mean = {balanced:.3f} (by ID hash: {hashed:.3f})")
    assert balanced <= 1.15
