"""Campaigns past one machine: ``--shard=i/N``, ``python -m theorems merge`` and ``--observe``.

The central check: a campaign run as N = 3 shards into three stores and merged gives the same verdicts,
examples and worst discrepancies as the same campaign run unsharded (planted statements, so this stays
fast). Then the split itself (deterministic, disjoint, covering, balanced by stored times), the refusals
of ``merge`` (stores of different commits, unreadable stores) and the observations kept in the store.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_plugin import _restore_hypothesis_profile, by_id, planted, summary  # noqa: F401
from theorems.suite import merge, shard

pytest_plugins = ["pytester"]

#: six planted statements: four that hold, one conjecture that is falsified, one refutation found
STATEMENTS = [
    """
@universal("{p}:double", title="2v - v = v", source="planted")
@settings(max_examples=30, database=None)
@given(v=vec)
def test_double(v):
    '''Doubling then subtracting is the identity.'''
    return compare(2 * v - v, v, what="relative gap")
""",
    """
@universal("{p}:sum", title="v + v = 2v", source="planted")
@settings(max_examples=25, database=None)
@given(v=vec)
def test_sum(v):
    '''Adding a vector to itself doubles it.'''
    return compare(v + v, 2 * v, what="relative gap")
""",
    """
@universal("{p}:square", title="(v + 1)^2 = v^2 + 2v + 1", source="planted")
@settings(max_examples=35, database=None)
@given(v=vec)
def test_square(v):
    '''The binomial formula, to rounding.'''
    return compare((v + 1) ** 2, v * v + 2 * v + 1, what="relative gap", floor=1e-12)
""",
    """
@universal("{p}:scale", title="3(v/3) = v", source="planted")
@settings(max_examples=20, database=None)
@given(v=vec)
def test_scale(v):
    '''Dividing by three and multiplying back, to rounding.'''
    return compare(3 * (v / 3), v, what="relative gap", floor=1e-12)
""",
    """
@conjecture("{p}:small", title="v[0] never exceeds 0.3", source="planted")
@settings(max_examples=40, database=None)
@given(v=vec)
def test_small(v):
    '''The first entry stays below 0.3 (false).'''
    return Outcome(v[0], np.float64(0.3), np.float64(0.0), "v[0] against 0.3")
""",
    """
@refutation("{p}:big", title="some v[1] exceeds 0.5", source="planted")
@settings(max_examples=40, database=None)
@given(v=vec)
def test_big(v):
    '''Some vector has a second entry above 0.5: the search must find one.'''
    return Outcome(v[1], np.float64(0.5), np.float64(0.0), "v[1] against 0.5")
""",
]


@pytest.fixture(autouse=True)
def _one_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run of a test on one commit, as on a cluster (the checkout may move while a test runs)."""
    from theorems.suite import environment

    real = environment._git
    monkeypatch.setattr(
        environment, "_git", lambda args, root: "c0mmit" if args[0] == "rev-parse" else real(args, root)
    )


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """One campaign, in this process (as a machine of a cluster would run it, minus the import)."""
    return pytester.runpytest("-p", "no:xdist", "-q", "--hypothesis-profile=ci", *args)


def _essentials(doc: dict) -> dict[str, tuple]:
    return {
        sid: (
            r["verdict"],
            r["kind"],
            r["examples"],
            r.get("decided"),
            r.get("worst_discrepancy"),
            r.get("worst_budget"),
        )
        for sid, r in by_id(doc).items()
    }


def test_three_shards_merged_equal_one_unsharded_run(pytester: pytest.Pytester) -> None:
    prefix = planted(pytester, *STATEMENTS, name="shd")
    _run(pytester, "--report-dir=whole")
    whole = summary(pytester, "whole")
    assert len(whole["statements"]) == 6
    ran = []
    for i in (1, 2, 3):
        _run(pytester, f"--shard={i}/3", f"--report-dir=s{i}")
        ran.append({r["id"] for r in summary(pytester, f"s{i}")["statements"]})
    assert set().union(*ran) == {r["id"] for r in whole["statements"]}
    assert sum(map(len, ran)) == 6, "the shards overlap"
    out = subprocess.run(
        [sys.executable, "-m", "theorems", "merge", "s1", "s2", "s3", "--out", "merged"],
        cwd=pytester.path,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "merged 6 records from 3 store(s)" in out.stdout
    merged = summary(pytester, "merged")
    assert _essentials(merged) == _essentials(whole)
    # the witnesses' folders come along, and the merged index shows every statement
    falsified = by_id(merged)[f"{prefix}:small"]
    assert (pytester.path / "merged" / falsified["report"] / "counterexample.json").is_file()
    index = (pytester.path / "merged" / "index.md").read_text()
    assert all(sid in index for sid in by_id(whole))


def test_merging_again_accumulates_and_the_newest_record_wins(pytester: pytest.Pytester) -> None:
    prefix = planted(pytester, *STATEMENTS[:2], name="acc")
    _run(pytester, f"--statement={prefix}:double", "--report-dir=a")
    _run(pytester, f"--statement={prefix}:sum", "--report-dir=b")
    assert merge.merge_stores([pytester.path / "a"], pytester.path / "m") == []
    assert merge.merge_stores([pytester.path / "b"], pytester.path / "m") == []  # m keeps a's records
    assert len(summary(pytester, "m")["statements"]) == 2
    _run(pytester, "--report-dir=a")  # a newer run of both statements
    merge.merge_stores([pytester.path / "a", pytester.path / "b"], pytester.path / "m")
    newest = {r["id"]: r["run"]["id"] for r in summary(pytester, "a")["statements"]}
    assert {r["id"]: r["run"]["id"] for r in summary(pytester, "m")["statements"]} == newest


def _store(path: Path, commit: str, records: list[dict]) -> Path:
    path.mkdir(parents=True)
    run = {
        "id": f"run-{commit}",
        "started": "2026-12-08T00:00:00",
        "git_commit": commit,
        "git_dirty": False,
        "profile": "ci",
    }
    doc = {
        "schema": 2,
        "complete": True,
        "exit_status": 0,
        "failed_tests": [],
        "run": run["id"],
        "runs": {run["id"]: run},
        "environment": {},
        "verdicts": {},
        "statements": [r | {"run": run, "finished": "2026-12-08T00:00:01"} for r in records],
    }
    (path / "summary.json").write_text(json.dumps(doc))
    return path


RECORD = {"id": "x:a", "kind": "universal", "verdict": "held", "title": "a", "examples": 10}


def test_stores_of_different_commits_are_refused_unless_allowed(tmp_path: Path, capsys) -> None:
    a = _store(tmp_path / "a", "aaaa1111", [RECORD])
    b = _store(tmp_path / "b", "bbbb2222", [RECORD | {"id": "x:b"}])
    args = ["merge", str(a), str(b), "--out", str(tmp_path / "m")]
    from theorems.suite import cli

    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "different commits" in err and "aaaa1111" in err and "--allow-mixed-commits" in err
    assert not (tmp_path / "m" / "summary.json").exists()
    assert cli.main(args + ["--allow-mixed-commits"]) == 0
    assert {r["id"] for r in json.loads((tmp_path / "m" / "summary.json").read_text())["statements"]} == {"x:a", "x:b"}


def test_a_damaged_record_is_skipped_named_and_the_exit_status_says_so(tmp_path: Path, capsys) -> None:
    a = _store(tmp_path / "a", "c0ffee", [RECORD, {"id": "x:broken", "verdict": "held"}])
    before = (a / "summary.json").read_text()
    from theorems.suite import cli

    assert cli.main(["merge", str(a), "--out", str(tmp_path / "m")]) == merge.EXIT_DAMAGED
    assert "record 'x:broken' skipped" in capsys.readouterr().out
    assert (a / "summary.json").read_text() == before, "a source store is only read"
    assert [r["id"] for r in json.loads((tmp_path / "m" / "summary.json").read_text())["statements"]] == ["x:a"]


@pytest.mark.parametrize(
    "make, why",
    [
        (lambda p: None, "no summary.json"),
        (lambda p: (p / "summary.json").write_text("{ not json"), "cannot be read"),
        (lambda p: (p / "summary.json").write_text("[1, 2]"), "not an object"),
    ],
)
def test_an_unreadable_store_is_refused_with_one_line(tmp_path: Path, capsys, make, why) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    make(bad)
    from theorems.suite import cli

    assert cli.main(["merge", str(bad), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and why in err[0]


# -- the split ---------------------------------------------------------------------------------
IDS = [f"s:{k}" for k in range(40)]


@pytest.mark.parametrize("n", [1, 2, 3, 8])
def test_the_split_covers_every_statement_once_and_is_deterministic(n: int) -> None:
    times = {sid: 1.0 + (k * 37 % 11) for k, sid in enumerate(IDS[:30])}  # ten statements untimed
    where = shard.assign(IDS, n, times)
    assert set(where) == set(IDS) and set(where.values()) <= set(range(1, n + 1))
    assert shard.assign(list(reversed(IDS)), n, dict(reversed(list(times.items())))) == where
    assert shard.assign(IDS, n) == {sid: shard.hash_shard(sid, n) for sid in IDS}


def test_longest_first_balances_and_hash_alone_does_not() -> None:
    times = {sid: float(1 + k % 7) ** 2 for k, sid in enumerate(IDS)}
    assert shard.imbalance(times, 4) <= 1.05
    load = [0.0] * 4
    for sid, k in shard.assign(IDS, 4).items():
        load[k - 1] += times[sid]
    assert max(load) / (sum(load) / 4) > shard.imbalance(times, 4)


def test_the_stored_thorough_campaign_splits_within_15_percent() -> None:
    times = shard.stored_times(Path(__file__).parent / "benchmarks" / "data" / "thorough-seconds.json")
    assert len(times) >= 39
    assert all(shard.imbalance(times, n) <= 1.15 for n in (2, 4, 8))


@pytest.mark.parametrize(
    "value, message",
    [("3", "write --shard=i/N"), ("0/2", "1 <= i <= N"), ("3/2", "1 <= i <= N"), ("a/b", "whole numbers")],
)
def test_a_bad_shard_is_a_usage_error(pytester: pytest.Pytester, value: str, message: str) -> None:
    planted(pytester, STATEMENTS[0], name="bad")
    result = _run(pytester, f"--shard={value}", "--no-reports")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_shard_times_without_a_shard_or_unreadable_is_a_usage_error(pytester: pytest.Pytester) -> None:
    planted(pytester, STATEMENTS[0], name="bad")
    assert "--shard-times needs --shard" in _run(pytester, "--shard-times=x.json", "--no-reports").stderr.str()
    result = _run(pytester, "--shard=1/2", "--shard-times=missing.json", "--no-reports")
    assert result.ret == pytest.ExitCode.USAGE_ERROR and "cannot read it" in result.stderr.str()


def test_shards_split_by_stored_times_from_the_file_named(pytester: pytest.Pytester) -> None:
    prefix = planted(pytester, *STATEMENTS[:4], name="tim")
    times = {f"{prefix}:double": 9.0, f"{prefix}:sum": 1.0, f"{prefix}:square": 1.0, f"{prefix}:scale": 8.0}
    (pytester.path / "times.json").write_text(
        json.dumps({"statements": [{"id": k, "seconds": v} for k, v in times.items()]})
    )
    ran = []
    for i in (1, 2):
        _run(pytester, f"--shard={i}/2", "--shard-times=times.json", f"--report-dir=t{i}")
        ran.append({r["id"] for r in summary(pytester, f"t{i}")["statements"]})
    assert ran == [{f"{prefix}:double", f"{prefix}:sum"}, {f"{prefix}:scale", f"{prefix}:square"}]


# -- observability -----------------------------------------------------------------------------
def test_observations_are_kept_in_the_store_and_change_no_draw(pytester: pytest.Pytester) -> None:
    prefix = planted(pytester, STATEMENTS[0], STATEMENTS[4], name="obs")
    _run(pytester, "--report-dir=plain")
    _run(pytester, "--report-dir=seen", "--observe")
    assert _essentials(summary(pytester, "seen")) == _essentials(summary(pytester, "plain"))
    files = list((pytester.path / "seen" / "observed").glob("*.jsonl"))
    assert len(files) == 1
    rows = [json.loads(line) for line in files[0].read_text().splitlines()]
    cases = [r for r in rows if r["type"] == "test_case"]
    double = [r for r in cases if r["property"].endswith("test_double")]
    # every example the harness counted was observed (Hypothesis may observe a replay or two more)
    assert len(double) >= by_id(summary(pytester, "seen"))[f"{prefix}:double"]["examples"]
    assert {"status", "arguments", "features", "timing", "how_generated"} <= set(cases[0])
    assert any(r["status"] == "failed" for r in cases if r["property"].endswith("test_small"))
    # merge carries them over
    assert merge.merge_stores([pytester.path / "seen"], pytester.path / "m") == []
    assert [f.name for f in (pytester.path / "m" / "observed").glob("*.jsonl")] == [files[0].name]


def test_observe_needs_a_store(pytester: pytest.Pytester) -> None:
    planted(pytester, STATEMENTS[0], name="obn")
    result = _run(pytester, "--observe", "--no-reports")
    assert result.ret == pytest.ExitCode.USAGE_ERROR and "drop --no-reports" in result.stderr.str()
