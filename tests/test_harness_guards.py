"""Runs that cannot do what was asked end with one line before any statement runs: --report-dir taken for a
test path, an unwritable report directory, unknown --statement IDs. Later write failures and an unreachable
Redis do not stop the campaign."""

from __future__ import annotations

import errno
import os
import sys
import types
from pathlib import Path

import pytest
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.test_plugin import (  # noqa: F401
    CONTROL,
    FALSE_CONJECTURE,
    TRUE_UNIVERSAL,
    _restore_hypothesis_profile,
    by_id,
    planted,
    summary,
)
from theorems.suite import profiles, reports
from theorems.suite.environment import suite_root

pytest_plugins = ["pytester"]


# -- --report-dir DIR (a space) ----------------------------------------------------------------
@pytest.fixture
def project(pytester: pytest.Pytester) -> str:
    """A project whose pyproject.toml says which files hold statements (pytest's defaults would miss them)."""
    pytester.makefile(".toml", pyproject='[tool.pytest.ini_options]\npython_files = ["stmt_*.py"]\n')
    p = planted(pytester, TRUE_UNIVERSAL)
    (pytester.path / f"test_{p.replace('-', '_')}.py").rename(pytester.path / "stmt_planted.py")
    return p


def test_report_dir_given_with_a_space_outside_the_project_is_refused(
    pytester: pytest.Pytester, project: str, tmp_path_factory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = pytester.runpytest_subprocess("--report-dir", str(elsewhere))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1 and f"write --report-dir={elsewhere}" in errors[0] and "pyproject.toml" in errors[0]
    assert not (elsewhere / "summary.json").exists()
    ok = pytester.runpytest_subprocess(f"--report-dir={elsewhere}")
    ok.assert_outcomes(passed=1)
    assert set(by_id(summary(pytester, str(elsewhere)))) == {f"{project}:double"}


def test_report_dir_with_a_space_inside_the_project_is_fine(pytester: pytest.Pytester, project: str) -> None:
    (pytester.path / "out").mkdir()
    pytester.runpytest_subprocess("--report-dir", "out").assert_outcomes(passed=1)
    assert (pytester.path / "out" / "summary.json").exists()


def test_statements_are_collected_by_the_rule_not_by_a_pattern(pytester: pytest.Pytester) -> None:
    empty = pytester.makeini("[pytest]\n")  # python_files back to test_*.py: statements are still collected
    result = pytester.runpytest_subprocess(
        str(suite_root() / "theorems"), "-c", str(empty), "--co", "--no-reports", "-p", "no:xdist", "-q"
    )
    assert result.ret == pytest.ExitCode.OK
    assert any("li2022_s4_1_commuting.py::test_thm_4_2" in line for line in result.stdout.lines)


def test_naming_the_statement_package_without_collecting_a_statement_is_an_error(pytester: pytest.Pytester) -> None:
    # every statement module ignored (a glob is taken relative to the invocation directory, so name each one)
    ignored = [
        f"--ignore={path}" for path in sorted((suite_root() / "theorems").glob("*.py")) if not path.name.startswith("_")
    ]
    result = pytester.runpytest_subprocess(
        str(suite_root() / "theorems"), *ignored, "--co", "--no-reports", "-p", "no:xdist"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert any(line.startswith("ERROR: no statement was collected from") for line in result.stderr.lines)


# -- the report directory must be writable -------------------------------------------------------
def test_report_dir_that_is_a_file_is_refused_before_any_statement(pytester: pytest.Pytester) -> None:
    planted(pytester, TRUE_UNIVERSAL)
    (pytester.path / "afile").write_text("not a directory")
    result = pytester.runpytest("--report-dir=afile")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: the report directory afile is not a directory (choose another*"])
    assert "passed" not in result.stdout.str()


def test_report_dir_that_cannot_be_created_is_refused(pytester: pytest.Pytester) -> None:
    planted(pytester, TRUE_UNIVERSAL)
    result = pytester.runpytest("--report-dir=/proc/implicit-bias-reports")  # not creatable, even by root
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: cannot create the report directory /proc/implicit-bias-reports*"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_report_dir_is_refused(pytester: pytest.Pytester) -> None:
    planted(pytester, TRUE_UNIVERSAL)
    (pytester.path / "ro").mkdir(mode=0o555)
    result = pytester.runpytest("--report-dir=ro")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: cannot write to the report directory ro*"])


def test_a_full_filesystem_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(dir, prefix, suffix):  # a probe file on a full disk: /dev/full answers ENOSPC
        (tmp_path / "probe").write_text("")
        return os.open("/dev/full", os.O_WRONLY), str(tmp_path / "probe")

    monkeypatch.setattr(reports.tempfile, "mkstemp", full_disk)
    with pytest.raises(reports.ReportDirError, match="cannot write to the report directory .*No space left"):
        reports.check_writable(tmp_path)


def test_a_run_without_statements_creates_no_report_dir(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    pytester.runpytest("-q").assert_outcomes(passed=1)
    assert not (pytester.path / "reports").exists()


def test_writes_that_fail_later_do_not_stop_the_campaign(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = planted(pytester, FALSE_CONJECTURE, TRUE_UNIVERSAL, CONTROL)

    def disk_full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(reports, "atomic_write", disk_full)
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1, passed=2)  # every statement ran: no INTERNALERROR after the first
    out = result.stdout.str()
    assert "INTERNALERROR" not in out
    result.stdout.fnmatch_lines(
        [
            "report not written: summary.json, index.md, index.html: OSError: *No space left*",
            f"report not written: {p}:first-small (its folder): OSError: *No space left*",
        ]
    )


# -- --statement IDs ---------------------------------------------------------------------------
def test_an_unknown_statement_id_is_an_error_with_suggestions(pytester: pytest.Pytester) -> None:
    p = planted(pytester, TRUE_UNIVERSAL, CONTROL)
    result = pytester.runpytest("--statement", f"{p}:doubel")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: --statement: '{p}:doubel' is not a known statement ID (did you mean {p}:double*"]
    )


def test_a_typo_beside_a_valid_id_is_not_ignored(pytester: pytest.Pytester) -> None:
    p = planted(pytester, TRUE_UNIVERSAL)
    result = pytester.runpytest("--statement", f"{p}:double", "--statement", "no-such-id")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --statement: 'no-such-id' is not a known statement ID*"])
    assert not (pytester.path / "reports" / "summary.json").exists()


def test_a_known_statement_not_collected_names_its_file(pytester: pytest.Pytester) -> None:
    planted(pytester, TRUE_UNIVERSAL)
    result = pytester.runpytest("--statement", "li2022:thm-4.2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: --statement: 'li2022:thm-4.2' is defined in *li2022_s4_1_commuting.py but was not collected*"]
    )


@pytest.mark.parametrize(
    "args, says",
    [
        (["--statement", "{p}:doubel"], "--statement: '{p}:doubel' is not a known"),
        (["--report-dir=afile"], "the report directory afile is not a directory"),
    ],
)
def test_usage_errors_under_xdist_are_one_line(pytester: pytest.Pytester, args: list[str], says: str) -> None:
    pytest.importorskip("xdist")
    p = planted(pytester, TRUE_UNIVERSAL)
    (pytester.path / "afile").write_text("not a directory")
    result = pytester.runpytest_subprocess("-n", "2", *(a.format(p=p) for a in args))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    out = result.stdout.str()
    assert out.count(f"ERROR: {says.format(p=p)}") == 1 and "INTERNALERROR" not in out and " passed" not in out


def test_a_run_without_statements_does_not_need_the_report_dir(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    (pytester.path / "afile").write_text("not a directory")
    pytester.runpytest("-q", "--report-dir=afile").assert_outcomes(passed=1)


# -- Redis -------------------------------------------------------------------------------------
@pytest.fixture
def fresh_database(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(profiles.WARNED_VARIABLE, "")  # no warning said yet in this "campaign"
    profiles._database.cache_clear()
    yield
    profiles._database.cache_clear()


def test_unreachable_redis_warns_once_and_falls_back(monkeypatch, capsys, fresh_database) -> None:
    class Client:
        def ping(self):
            raise ConnectionError("Connection refused")

    fake = types.ModuleType("redis")
    fake.Redis = types.SimpleNamespace(from_url=lambda url, **kw: Client())
    monkeypatch.setitem(sys.modules, "redis", fake)
    monkeypatch.setenv("HYPOTHESIS_REDIS_URL", "redis://127.0.0.1:1/0")
    assert isinstance(profiles._database(), DirectoryBasedExampleDatabase)
    assert profiles._database() is profiles._database()
    err = capsys.readouterr().err
    assert err.count("cannot reach the Redis server") == 1 and "Connection refused" in err


def test_redis_url_without_the_client_warns_and_falls_back(monkeypatch, capsys, fresh_database) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.setenv("HYPOTHESIS_REDIS_URL", "redis://127.0.0.1:1/0")
    assert isinstance(profiles._database(), DirectoryBasedExampleDatabase)
    assert "redis client is not installed" in capsys.readouterr().err


def test_a_campaign_with_redis_unreachable_still_decides(pytester: pytest.Pytester, monkeypatch) -> None:
    monkeypatch.setenv("HYPOTHESIS_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv(profiles.WARNED_VARIABLE, "")  # a campaign of its own
    p = planted(pytester, TRUE_UNIVERSAL)
    result = pytester.runpytest_subprocess("-q", "-p", "no:xdist")
    result.assert_outcomes(passed=1)
    assert by_id(summary(pytester))[f"{p}:double"]["verdict"] == "held"
    assert sum("HYPOTHESIS_REDIS_URL" in line for line in result.stderr.lines) == 1
