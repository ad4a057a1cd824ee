"""Example databases that cannot be used are said, once per campaign (issues 25 and 27)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis.database import DirectoryBasedExampleDatabase, InMemoryExampleDatabase

from tests.test_plugin import TRUE_UNIVERSAL, _restore_hypothesis_profile, planted  # noqa: F401
from theorems.suite import profiles

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(profiles.WARNED_VARIABLE, "")
    profiles._database.cache_clear()
    yield
    profiles._database.cache_clear()


@pytest.mark.parametrize("under", [False, True])
def test_a_database_path_that_is_a_file_is_said(tmp_path: Path, monkeypatch, capsys, under: bool) -> None:
    """Hypothesis's directory database on a file keeps nothing and says nothing; the suite says so."""
    (tmp_path / "db").write_text("a file")
    path = tmp_path / "db" / "examples" if under else tmp_path / "db"
    monkeypatch.setenv("HYPOTHESIS_DATABASE_DIR", str(path))
    monkeypatch.delenv("HYPOTHESIS_REDIS_URL", raising=False)
    db = profiles._database()
    assert isinstance(db, InMemoryExampleDatabase)
    db.save(b"k", b"v")
    assert list(db.fetch(b"k")) == [b"v"]
    err = capsys.readouterr().err
    assert err.count("warning:") == 1 and f"{path} {'lies under' if under else 'is'} a file" in err
    profiles._database.cache_clear()
    profiles._database()
    assert capsys.readouterr().err == ""  # once per campaign
    assert isinstance(profiles.local_database(str(tmp_path / "fine")), DirectoryBasedExampleDatabase)


def test_unreachable_redis_with_two_workers_warns_once_per_campaign(pytester: pytest.Pytester, monkeypatch) -> None:
    """The controller and each xdist worker used to warn (3 lines with -n 2)."""
    pytest.importorskip("xdist")
    monkeypatch.setenv("HYPOTHESIS_REDIS_URL", "redis://127.0.0.1:1/0")
    planted(pytester, TRUE_UNIVERSAL)
    result = pytester.runpytest_subprocess("-q", "-n", "2")
    assert result.ret == 0
    text = result.stdout.str() + result.stderr.str()
    assert text.count("HYPOTHESIS_REDIS_URL") == 1, text
