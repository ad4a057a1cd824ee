"""``python -m theorems reproduce``: anything that is not a decided re-run exits 2 with one line; exit 1 means
only "still falsifies". Records carry a schema version; ``--module`` imports the modules that register types."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oracles.core import specs
from theorems.suite import cli

CHECK_MODULE = '''
from hypothesis import given, strategies as st
from oracles import Outcome
from theorems import universal


@universal("repro-planted:below-one", title="x stays below 1", source="planted")
@given(x=st.floats(0, 2))
def test_below_one(x):
    """x never exceeds 1 (false for x > 1)."""
    if x == 0.25:
        raise RuntimeError("a bug in the check")
    return Outcome(float(getattr(x, "value", x)), 1.0, 0.0, "x against 1")
'''

USER_TYPES = '''
from oracles.core import specs

register = getattr(specs, "register", lambda cls: cls)


@register
class Thing:
    """A user's example type: written and read through to_spec/from_spec."""

    def __init__(self, value):
        self.value = value

    def to_spec(self):
        return {"value": self.value}

    @classmethod
    def from_spec(cls, spec):
        return cls(spec["value"])
'''


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A function writing a record (any JSON) for the planted check; the modules live in tmp_path."""
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "ib_repro_check.py").write_text(textwrap.dedent(CHECK_MODULE))
    (tmp_path / "ib_repro_types.py").write_text(textwrap.dedent(USER_TYPES))

    def write(data=None, **extra) -> Path:
        rec = {
            "schema": 2,
            "id": "repro-planted:below-one",
            "kind": "universal",
            "title": "x stays below 1",
            "check": "ib_repro_check:test_below_one",
            "file": str(tmp_path / "ib_repro_check.py"),
            "discrepancy": 1.5,
            "budget": 1.0,
            "reproducible": True,
            "example": {"x": 1.5},
        } | extra
        path = tmp_path / "counterexample.json"
        path.write_text(json.dumps(rec if data is None else data))
        return path

    yield write
    for name in ("ib_repro_check", "ib_repro_types"):
        sys.modules.pop(name, None)


def _run(capsys, path, *args: str) -> tuple[int, list[str]]:
    """``reproduce PATH --module ib_repro_check ARGS``: the planted check is the user's own, so it is named."""
    status = cli.main(["reproduce", str(path), "--module", "ib_repro_check", *map(str, args)])
    return status, capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(
    "data, says",
    [
        ([{"id": "x"}], "its JSON is a list, not an object"),
        ("just a string", "its JSON is a str, not an object"),
        ({"schema": 2, "example": {}}, "names no statement"),
    ],
)
def test_json_that_is_not_a_record_exits_2_with_one_line(write, capsys, data, says) -> None:
    status, lines = _run(capsys, write(data))
    assert status == 2 and len(lines) == 1 and lines[0].startswith("not reproducible:") and says in lines[0]


def test_an_example_that_is_a_list_exits_2(write, capsys) -> None:
    status, lines = _run(capsys, write(example=[1.5]))
    assert (
        status == 2 and lines == [f"not reproducible: {lines[0].split(': ', 1)[1]}"] and "'example' must be" in lines[0]
    )


def test_an_unknown_schema_version_is_named(write, capsys) -> None:
    status, lines = _run(capsys, write(schema=99))
    assert status == 2 and len(lines) == 1 and "schema version 99" in lines[0] and "reads 1, 2" in lines[0]


def test_a_class_that_cannot_be_imported_exits_2(write, capsys) -> None:
    thing = {"__object__": "class", "class": "no_such_module_ib:Thing", "spec": {}}
    status, lines = _run(capsys, write(example={"x": thing}))
    assert status == 2 and len(lines) == 1 and lines[0].startswith("not reproducible:") and "'x'" in lines[0]


def test_an_unregistered_type_names_the_module_option(write, capsys, monkeypatch) -> None:
    unknown = type("UnknownType", (ValueError,), {})

    def decode(data, modules=()):
        raise unknown("ib_repro_types:Thing is not a registered type")

    monkeypatch.setattr(specs, "UnknownType", unknown, raising=False)
    monkeypatch.setattr(specs, "decode", decode)
    status, lines = _run(capsys, write())
    assert status == 2 and len(lines) == 1
    assert "ib_repro_types:Thing is not a registered type" in lines[0] and "--module NAME" in lines[0]


def test_a_user_type_without_its_module_is_named(write, capsys) -> None:
    if not hasattr(specs, "UnknownType"):
        pytest.skip("oracles.core.specs decodes by importing (no registry yet)")
    thing = {"__object__": "class", "class": "ib_repro_elsewhere:Thing", "spec": {"value": 1.5}}
    status, lines = _run(capsys, write(example={"x": thing}))
    assert status == 2 and len(lines) == 1 and "ib_repro_elsewhere:Thing" in lines[0] and "--module NAME" in lines[0]
    assert "ib_repro_elsewhere" not in sys.modules  # decoding imported nothing


def test_module_option_imports_the_user_types(write, capsys) -> None:
    thing = {"__object__": "class", "class": "ib_repro_types:Thing", "spec": {"value": 1.5}}
    status, lines = _run(capsys, write(example={"x": thing}), "--module", "ib_repro_types")
    assert status == 1 and "verdict: falsified: the example still falsifies the statement" in lines
    assert "ib_repro_types" in sys.modules
    status, lines = _run(capsys, write(example={"x": thing}), "--module", "no_such_module_ib")
    assert status == 2 and lines == [
        "not reproducible: --module no_such_module_ib: cannot import it "
        "(ModuleNotFoundError: No module named 'no_such_module_ib')"
    ]


def test_a_check_that_raises_is_not_a_decided_rerun(write, capsys) -> None:
    status = cli.main(["reproduce", str(write(example={"x": 0.25})), "--module", "ib_repro_check"])
    captured = capsys.readouterr()
    assert status == 2
    assert "not decided: the check raised RuntimeError: a bug in the check" in captured.out
    assert "Traceback" not in captured.out and "Traceback" in captured.err


def test_decided_reruns_keep_exit_0_and_1(write, capsys) -> None:
    assert _run(capsys, write())[0] == 1
    assert _run(capsys, write(example={"x": 0.5}))[0] == 0
    legacy = {k: v for k, v in json.loads(write().read_text()).items() if k != "schema"}
    assert _run(capsys, write(legacy))[0] == 1  # a record without "schema" is version 1


def test_the_command_line_exits_2_on_a_list_not_1(write, tmp_path: Path) -> None:
    path = write([1, 2, 3])
    run = subprocess.run(
        [sys.executable, "-m", "theorems", "reproduce", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stdout.strip().count("\n") == 0 and "Traceback" not in run.stdout + run.stderr


# -- a counterexample file is data, not code (issue 25) -------------------------------------------
EVIL = """
import pathlib
pathlib.Path({marker!r}).write_text("ran")
"""


@pytest.mark.parametrize("where", ["check", "file"])
def test_a_crafted_record_runs_no_code(write, tmp_path: Path, capsys, where: str) -> None:
    """``"check": "some_module:x"`` and ``"file": "/tmp/x.py"`` name code; reproduce imports neither."""
    marker = tmp_path / f"ran-{where}"
    (tmp_path / "ib_evil_module.py").write_text(EVIL.format(marker=str(marker)))
    (tmp_path / "ib_evil_file.py").write_text(EVIL.format(marker=str(marker)))
    fields = (
        {"check": "ib_evil_module:test_x", "file": ""}
        if where == "check"
        else {"check": "", "file": str(tmp_path / "ib_evil_file.py")}
    )
    path = write(id="evil:x", **fields)
    status = cli.main(["reproduce", str(path)])
    lines = capsys.readouterr().out.splitlines()
    assert (
        status == 2
        and len(lines) == 1
        and lines[0].startswith("not reproducible: statement 'evil:x' is not registered by this project's statements")
    )
    assert "--module ib_evil_" in lines[0] and "never imported" in lines[0]
    assert not marker.exists() and "ib_evil_module" not in sys.modules and "ib_evil_file" not in sys.modules
    subprocess.run(
        [sys.executable, "-m", "theorems", "reproduce", str(path)],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert not marker.exists()


def test_a_statement_of_the_user_is_found_through_module_only(write, capsys, monkeypatch) -> None:
    from theorems.suite import harness

    monkeypatch.delitem(harness.CATALOG, "repro-planted:below-one", raising=False)  # as in a fresh process
    assert cli.main(["reproduce", str(write())]) == 2 and "--module ib_repro_check" in capsys.readouterr().out
    assert "ib_repro_check" not in sys.modules
    assert _run(capsys, write())[0] == 1


def test_the_project_statements_need_no_module(tmp_path: Path, capsys) -> None:
    import theorems.li2022_s4_1_commuting  # noqa: F401
    from theorems.suite.harness import check_function

    check = check_function("li2022:thm-4.2")
    record = {"id": "li2022:thm-4.2", "check": f"{check.__module__}:{check.__qualname__}", "file": "/nowhere.py"}
    assert cli.find_check(record) is check


def test_decode_builds_an_unregistered_class_only_from_a_named_module(write) -> None:
    """A stored example cannot reach a class of an imported module unless the caller names the module."""
    import importlib

    mod = importlib.import_module("ib_repro_check")
    mod.Loose = type("Loose", (), {"from_spec": classmethod(lambda cls, spec: ("built", spec))})
    data = {"__object__": "class", "class": "ib_repro_check:Loose", "spec": 1}
    with pytest.raises(specs.UnknownType, match="name it explicitly"):
        specs.decode(data)
    assert specs.decode(data, modules=("ib_repro_check",)) == ("built", 1)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_names = st.sampled_from(["os:system", "subprocess:run", "ib_never_imported:x", "/tmp/ib_never.py", "", "x"])
_crafted = st.fixed_dictionaries(
    {
        "id": st.text(max_size=10) | _names,
        "check": _names,
        "file": _names,
        "example": st.dictionaries(st.text(max_size=4), _json, max_size=2),
    },
    optional={"schema": st.sampled_from([1, 2, 3, "2"]), "kind": _json, "reproducible": st.booleans()},
)


@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=_crafted)
def test_any_crafted_record_exits_with_one_line_and_imports_nothing_it_names(tmp_path_factory, capsys, record) -> None:
    import theorems.suite.cli as _cli

    _cli.load_catalog()  # the project's own statements may be imported; nothing else
    before = set(sys.modules)
    path = tmp_path_factory.mktemp("rec") / "counterexample.json"
    path.write_text(json.dumps(record))
    status = cli.main(["reproduce", str(path)])
    out = capsys.readouterr().out
    assert status in (0, 1, 2) and "Traceback" not in out
    assert (
        status != 2
        or out.splitlines()[0].startswith("not reproducible:")
        or "inconclusive" in out
        or "not decided" in out
    ), out
    named = {str(record["check"]).partition(":")[0], Path(str(record["file"])).stem}
    assert not named & (set(sys.modules) - before)
