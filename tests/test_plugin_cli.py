"""``python -m theorems list`` and ``reproduce``: the catalog format and the exit statuses 0 / 1 / 2."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from theorems.suite import cli
from theorems.suite.harness import KINDS
from theorems.suite.statements import statement_modules

PLANTED = '''
from hypothesis import given, strategies as st
from oracles.core.errors import Inconclusive
from oracles.core.outcome import Outcome
from theorems import universal


@universal("cli-planted:below-one", title="x stays below 1", source="planted")
@given(x=st.floats(-2, 2))
def test_below_one(x):
    """x never exceeds 1 (false for x > 1; undecidable for x < 0)."""
    if x < 0:
        raise Inconclusive("negative", "planted")
    return Outcome(x, 1.0, 0.0, "x against 1")
'''


@pytest.fixture
def planted_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A function writing a counterexample.json for the planted statement with a given x."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "ib_cli_planted.py").write_text(textwrap.dedent(PLANTED))

    def write(x, **extra) -> Path:
        rec = {
            "id": "cli-planted:below-one",
            "kind": "universal",
            "title": "x stays below 1",
            "check": "ib_cli_planted:test_below_one",
            "file": str(tmp_path / "ib_cli_planted.py"),
            "discrepancy": 1.5,
            "reproducible": True,
            "example": {"x": x},
        } | extra
        path = tmp_path / "counterexample.json"
        path.write_text(json.dumps(rec))
        return path

    write.module = str(tmp_path / "ib_cli_planted.py")  # the planted module, named as a file (not on sys.path)
    yield write
    sys.modules.pop("ib_cli_planted", None)


def test_list_prints_id_kind_title(capsys: pytest.CaptureFixture) -> None:
    status = cli.main(["list"])
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines, "the catalog is empty"
    for line in lines:
        sid, kind, title = line.split("\t")
        assert sid and title and kind in KINDS and kind != "control"
    assert any(line.startswith("li2022:thm-4.2\tuniversal\t") for line in lines)
    assert lines == sorted(lines, key=lambda s: s.split("\t")[0])
    assert status == 0 or "cannot import" in err  # someone's half-written module is named, not hidden


def test_statement_modules_follow_the_naming_rule() -> None:
    mods = statement_modules()
    assert "theorems.li2022_s4_1_commuting" in mods
    assert not {"theorems.suite.harness", "theorems.suite.plugin", "theorems.suite.cli"} & set(mods)


def test_reproduce_exit_status_1_when_it_still_falsifies(planted_record, capsys) -> None:
    assert cli.main(["reproduce", str(planted_record(1.5)), "--module", planted_record.module]) == 1
    out = capsys.readouterr().out
    assert "discrepancy 1.5 vs budget 1" in out and "reproduced exactly" in out and "falsified" in out


def test_reproduce_exit_status_0_when_it_holds(planted_record, capsys) -> None:
    assert cli.main(["reproduce", str(planted_record(0.5)), "--module", planted_record.module]) == 0
    assert "holds" in capsys.readouterr().out


def test_reproduce_exit_status_2_when_inconclusive(planted_record, capsys) -> None:
    assert cli.main(["reproduce", str(planted_record(-1.0)), "--module", planted_record.module]) == 2
    assert "inconclusive: negative" in capsys.readouterr().out


def test_reproduce_exit_status_2_when_not_reproducible(planted_record, tmp_path, capsys) -> None:
    missing = planted_record(
        1.5, check="nowhere_to_be_found:test_x", id="cli-planted:absent", file=str(tmp_path / "absent.py")
    )
    assert cli.main(["reproduce", str(missing)]) == 2
    assert "not reproducible" in capsys.readouterr().out
    assert cli.main(["reproduce", str(planted_record(1.5, reproducible=False))]) == 2
    assert cli.main(["reproduce", str(tmp_path / "no-such-file.json")]) == 2
    (tmp_path / "broken.json").write_text("{ not json")
    assert cli.main(["reproduce", str(tmp_path / "broken.json")]) == 2


def test_reproduce_finds_a_package_statement_by_module(capsys) -> None:
    """A record of a packaged statement needs no file: ``check`` = ``module:qualname`` is enough."""
    import theorems.li2022_s4_1_commuting  # noqa: F401
    from theorems.suite.harness import check_function

    check = check_function("li2022:thm-4.2")
    assert cli.find_check({"id": "li2022:thm-4.2", "check": f"{check.__module__}:{check.__qualname__}"}) is check
