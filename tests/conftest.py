"""Fixtures shared by the tests of the generators and oracles."""

from __future__ import annotations

import zlib

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _rng_per_test(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reseed a test module's generator (``RNG`` or ``rng``) from the test's node id for each test.

    A module-level generator hands each test whatever state the tests before it left; under
    ``pytest -n 2 --dist worksteal`` that order changes from run to run, so the data did too. Now
    a test's data depends on its own id only (draws made while the module is imported, e.g. for
    ``parametrize``, are unaffected).
    """
    module = request.module
    for name in ("RNG", "rng"):
        if isinstance(getattr(module, name, None), np.random.Generator):
            monkeypatch.setattr(module, name, np.random.default_rng(zlib.crc32(request.node.nodeid.encode())))
