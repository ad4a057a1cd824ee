"""docs/catalog.md against the code: every statement has a section, every section a statement, and
every negative control is listed under its statement (both ways).

The catalog's format (described at the top of docs/catalog.md) is parsed strictly: a section is a
``### `ID` — title`` heading followed by the fields, in this order, each a ``- **Name:** text``
bullet, with continuation lines indented by two spaces and sub-bullets written ``  - text``:

    Kind, Status, Source, Code, Statement, Encoding, Controls[, Problems in the source]

``Kind`` is universal / refutation / conjecture; ``Status`` is ``encoded`` or ``planned``; ``Code`` is
the statement's pytest node id in backticks (``theorems/<module>.py::<test>``) for an encoded
statement; the sub-bullets of ``Controls`` are the ``title=`` strings of the statement's controls
(``@control`` in tests/controls/), verbatim. Planned sections sit under the
``## Planned (not yet encoded)`` heading and must not exist in the code yet.

Every mismatch is collected and reported at once, each with the line to fix and what to write.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOG_MD = ROOT / "docs" / "catalog.md"
REL = "docs/catalog.md"

FIELDS = ("Kind", "Status", "Source", "Code", "Statement", "Encoding", "Controls")
OPTIONAL_LAST = "Problems in the source"
STATEMENT_KINDS = ("universal", "refutation", "conjecture")
STATUSES = ("encoded", "planned")
PLANNED_GROUP = "Planned (not yet encoded)"

ID_RE = re.compile(r"^[a-z][a-z0-9]*:[a-z0-9][a-z0-9.\-]*$")
HEADING_RE = re.compile(r"^### `(?P<id>[^`]+)` — (?P<title>\S.*)$")
FIELD_RE = re.compile(r"^- \*\*(?P<name>[A-Za-z ]+):\*\*(?: (?P<text>.*))?$")
ITEM_RE = re.compile(r"^  - (?P<text>\S.*)$")
CONT_RE = re.compile(r"^ {2,}(?P<text>\S.*)$")
CODE_RE = re.compile(r"^`(?P<path>[^`:]+\.py)::(?P<qualname>[A-Za-z_][A-Za-z0-9_.]*)`$")

SECTION_TEMPLATE = """\
### `{id}` — {title}
- **Kind:** {kind}
- **Status:** encoded
- **Source:** {source}
- **Code:** `{code}`
- **Statement:** <the claim, paraphrased from the source and from the test's docstring>
- **Encoding:** <how the test checks it and its budget (from the docstring)>
- **Controls:**
{controls}"""


# --------------------------------------------------------------------------------------------- parsing
@dataclass
class Field:
    name: str
    line: int
    text: str
    items: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Section:
    id: str
    title: str
    line: int
    group: str
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.fields["Kind"].text

    @property
    def planned(self) -> bool:
        return self.fields["Status"].text == "planned"

    @property
    def controls(self) -> list[tuple[int, str]]:
        return self.fields["Controls"].items


def parse(text: str) -> tuple[list[Section], list[str]]:
    """The sections of the catalog, and every way the text breaks the format (with line numbers)."""
    sections: list[Section] = []
    errors: list[str] = []
    group = ""
    current: Section | None = None
    last: Field | None = None
    closed: bool | int = False  # a blank line ended the current section's field list (2: reported)
    fence = False  # inside a ``` block (an example in the prose: not parsed)

    def err(lineno: int, msg: str) -> None:
        errors.append(f"{REL}:{lineno}: {msg}")

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if line.lstrip().startswith("```"):
            if current is not None and not fence:
                err(lineno, f"`{current.id}`: no code blocks inside a statement section (use `inline code`)")
            fence = not fence
            continue
        if fence:
            continue
        if line.startswith("#"):
            current, last, closed = None, None, False
            if line.startswith("### "):
                m = HEADING_RE.match(line)
                if not m:
                    err(
                        lineno,
                        "a '### ' heading must read ### `<statement ID>` — <title> "
                        "(backticks around the ID, then ' — ' with an em dash); '###' is reserved for statements",
                    )
                    continue
                current = Section(m["id"], m["title"], lineno, group)
                sections.append(current)
                if not ID_RE.match(current.id):
                    err(
                        lineno,
                        f"statement ID {current.id!r} is not of the form <source>:<label> "
                        "(lower case, e.g. li2022:thm-4.8)",
                    )
            elif line.startswith("## "):
                group = line[3:].strip()
            elif line.startswith("####"):
                err(lineno, "use no '####' headings: a statement section ends at the next heading")
            continue
        if current is None:
            continue  # prose between headings
        if not line:
            if current.fields:
                closed = True
            continue
        if closed:
            if closed is True:  # report a stray block once, at its first line
                err(
                    lineno,
                    f"text after the field list of `{current.id}` (line {current.line}): put it into a "
                    "field (continuation lines are indented by two spaces) or remove the blank line before it",
                )
                closed = 2
            continue
        if m := FIELD_RE.match(line):
            name = m["name"]
            if name in current.fields:
                err(lineno, f"`{current.id}`: field {name!r} appears twice")
            last = current.fields[name] = Field(name, lineno, (m["text"] or "").strip())
            continue
        if last is None:
            err(lineno, f"`{current.id}`: expected the field '- **Kind:** ...' right after the heading")
            continue
        if m := ITEM_RE.match(line):
            last.items.append((lineno, m["text"].strip()))
        elif m := CONT_RE.match(line):
            if last.items:  # continuation of the last sub-bullet
                ln, t = last.items[-1]
                last.items[-1] = (ln, f"{t} {m['text'].strip()}")
            else:
                last.text = f"{last.text} {m['text'].strip()}".strip()
        else:
            err(
                lineno,
                f"`{current.id}`: cannot read this line: a field is '- **Name:** text', a continuation "
                "line is indented by two spaces, a sub-bullet is '  - text'",
            )

    seen: dict[str, int] = {}
    for s in sections:
        if s.id in seen:
            err(s.line, f"`{s.id}` has a second section (the first is at line {seen[s.id]}): merge them")
        seen.setdefault(s.id, s.line)
        names = list(s.fields)
        if names not in (list(FIELDS), [*FIELDS, OPTIONAL_LAST]):
            missing = [f for f in FIELDS if f not in s.fields]
            extra = [f for f in names if f not in (*FIELDS, OPTIONAL_LAST)]
            err(
                s.line,
                f"`{s.id}`: the fields must be {', '.join(FIELDS)}[, {OPTIONAL_LAST}] in this order; found "
                f"{', '.join(names) or 'none'}"
                + (f" (missing: {', '.join(missing)})" if missing else "")
                + (f" (unknown: {', '.join(extra)})" if extra else ""),
            )
            continue
        f = s.fields
        if f["Kind"].text not in STATEMENT_KINDS:
            err(f["Kind"].line, f"`{s.id}`: Kind must be one of {', '.join(STATEMENT_KINDS)}, not {f['Kind'].text!r}")
        if f["Status"].text not in STATUSES:
            err(f["Status"].line, f"`{s.id}`: Status must be 'encoded' or 'planned', not {f['Status'].text!r}")
            continue
        for name in ("Source", "Statement", "Encoding"):
            if not f[name].text and not f[name].items:
                err(f[name].line, f"`{s.id}`: the field {name!r} is empty")
        if s.planned != (s.group == PLANNED_GROUP):
            err(
                f["Status"].line,
                f"`{s.id}`: a section with Status 'planned' belongs under '## {PLANNED_GROUP}', and "
                f"only such sections do (this one is under '## {s.group}' with Status "
                f"{f['Status'].text!r})",
            )
        if not s.planned:
            if not CODE_RE.match(f["Code"].text):
                err(
                    f["Code"].line,
                    f"`{s.id}`: Code must be `<path>.py::<function>` in backticks (the statement's "
                    f"pytest node id), not {f['Code'].text!r}",
                )
            if f["Controls"].text:
                err(
                    f["Controls"].line,
                    f"`{s.id}`: write the controls as sub-bullets '  - <title>' under "
                    "'- **Controls:**', with nothing after the colon",
                )
        if not f["Controls"].items:
            err(f["Controls"].line, f"`{s.id}`: list at least one control as '  - <title>' under Controls")
        titles = [t for _, t in f["Controls"].items]
        for ln, t in f["Controls"].items:
            if titles.count(t) > 1:
                err(ln, f"`{s.id}`: control {t!r} is listed twice")
    return sections, errors


@functools.lru_cache(maxsize=None)
def _parsed() -> tuple[tuple[Section, ...], tuple[str, ...]]:
    if not CATALOG_MD.exists():
        return (), (f"{REL} does not exist",)
    sections, errors = parse(CATALOG_MD.read_text(encoding="utf-8"))
    return tuple(sections), tuple(errors)


@functools.lru_cache(maxsize=None)
def _code() -> tuple[dict, list, tuple[str, ...]]:
    """``(statements, controls, import errors)`` from theorems.suite.harness.CATALOG after importing every
    statement module and every module of tests/controls."""
    import io

    from theorems.suite.cli import load_catalog
    from theorems.suite.harness import CATALOG

    problems = []
    out = io.StringIO()
    failed = load_catalog(out)
    problems += [f"statement module {name} does not import: {out.getvalue().strip()}" for name in failed]
    import tests.controls as controls_pkg

    for info in pkgutil.iter_modules(controls_pkg.__path__):
        name = f"{controls_pkg.__name__}.{info.name}"
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - reported below
            problems.append(f"control module {name} does not import: {type(exc).__name__}: {exc}")
    # only the project's own: in-process pytester runs (tests of the plugin) register planted statements too
    ours = {sid: spec for sid, spec in CATALOG.items() if spec.module.startswith(("theorems.", "tests.controls."))}
    statements = {sid: spec for sid, spec in ours.items() if spec.kind != "control"}
    controls = [spec for spec in ours.values() if spec.kind == "control"]
    return statements, controls, tuple(problems)


def _where(spec) -> str:
    try:
        path = Path(spec.file).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        path = spec.file or spec.module.replace(".", "/") + ".py"
    return f"{path}::{spec.qualname}"


def _fail(problems: list[str], what: str) -> None:
    if problems:
        pytest.fail(f"{what} ({len(problems)}):\n" + "\n".join(f"  * {p}" for p in problems), pytrace=False)


@pytest.fixture(scope="module")
def sections() -> dict[str, Section]:
    secs, errors = _parsed()
    _fail(list(errors), f"{REL} breaks the catalog format (see the top of {REL})")
    return {s.id: s for s in secs}


@pytest.fixture(scope="module")
def code():
    statements, controls, problems = _code()
    _fail(list(problems), "the statement and control modules must import")
    return statements, controls


def _controls_by_statement(controls) -> dict[str, list]:
    by: dict[str, list] = {}
    for spec in controls:
        by.setdefault(spec.control_of, []).append(spec)
    return by


# --------------------------------------------------------------------------------------------- the tests
def test_catalog_format():
    _, errors = _parsed()
    _fail(list(errors), f"{REL} breaks the catalog format (see the top of {REL})")


def test_every_statement_has_a_section(sections, code):
    statements, controls = code
    by = _controls_by_statement(controls)
    problems = []
    for sid, spec in sorted(statements.items()):
        if sid in sections:
            continue
        ctl = (
            "\n".join(f"  - {c.title}" for c in by.get(sid, [])) or "  - <no @control yet: add one in tests/controls/>"
        )
        problems.append(
            f"`{sid}` ({_where(spec)}) has no section in {REL}; add under the '## ' group of its source:\n"
            + SECTION_TEMPLATE.format(
                id=sid, title=spec.title, kind=spec.kind, source=spec.source or "?", code=_where(spec), controls=ctl
            )
        )
    _fail(problems, f"statements in the code that {REL} lacks")


def test_every_section_is_a_statement(sections, code):
    statements, _ = code
    problems = []
    for sid, s in sections.items():
        spec = statements.get(sid)
        if s.planned:
            continue  # see test_planned_entries_are_not_in_the_code
        if spec is None:
            near = [k for k in statements if k.split(":")[0] == sid.split(":")[0]]
            problems.append(
                f"{REL}:{s.line}: `{sid}` is not a statement in the code (python -m theorems list); fix "
                f"the ID (IDs of that source: {', '.join(sorted(near)) or 'none'}), delete the section if "
                f"the statement was removed, or set '- **Status:** planned' and move it under "
                f"'## {PLANNED_GROUP}' if it is not encoded yet"
            )
            continue
        if s.kind != spec.kind:
            problems.append(
                f"{REL}:{s.fields['Kind'].line}: `{sid}` is a {spec.kind} in the code ({_where(spec)}); "
                f"write '- **Kind:** {spec.kind}' (not {s.kind!r})"
            )
        if s.fields["Code"].text != f"`{_where(spec)}`":
            problems.append(
                f"{REL}:{s.fields['Code'].line}: `{sid}` lives at {_where(spec)}; write "
                f"'- **Code:** `{_where(spec)}`' (not {s.fields['Code'].text!r})"
            )
    _fail(problems, f"sections of {REL} that do not match the code")


def test_controls_match_both_ways(sections, code):
    statements, controls = code
    by = _controls_by_statement(controls)
    problems = []
    for sid, specs in sorted(by.items()):
        if sid not in statements:
            for c in specs:
                problems.append(
                    f"{_where(c)}: @control({sid!r}, title={c.title!r}) names no statement; use the ID "
                    "of an existing statement (python -m theorems list)"
                )
    for sid, s in sections.items():
        if s.planned or sid not in statements:
            continue
        code_titles = {c.title: c for c in by.get(sid, [])}
        listed = {t: ln for ln, t in s.controls}
        for title, c in code_titles.items():
            if title not in listed:
                problems.append(
                    f"{REL}:{s.fields['Controls'].line}: under Controls of `{sid}` add the line "
                    f"'  - {title}' (the @control at {_where(c)})"
                )
        for title, ln in listed.items():
            if title not in code_titles:
                problems.append(
                    f"{REL}:{ln}: `{sid}` has no @control titled {title!r} in tests/controls/; its "
                    f"controls are titled: {sorted(code_titles) or 'none'} -- copy the title= string "
                    "verbatim, or remove the bullet"
                )
    _fail(problems, f"controls that {REL} and tests/controls/ disagree on")


def test_every_statement_has_a_control(code):
    statements, controls = code
    covered = {c.control_of for c in controls}
    problems = [
        f"`{sid}` ({_where(spec)}) has no negative control: add a planted false variant to tests/controls/ "
        f"with @control({sid!r}, title=...) over @given(...) using the same oracle (DEVELOPERS.md, "
        f"'Negative controls'), and list its title under Controls in {REL}"
        for sid, spec in sorted(statements.items())
        if sid not in covered
    ]
    _fail(problems, "statements without a negative control")


def test_planned_entries_are_not_in_the_code(sections, code):
    statements, controls = code
    by = _controls_by_statement(controls)
    problems = []
    for sid, s in sections.items():
        if not s.planned or sid not in statements:
            continue
        spec = statements[sid]
        titles = "; ".join(c.title for c in by.get(sid, [])) or "none yet"
        problems.append(
            f"{REL}:{s.line}: `{sid}` is planned in the catalog but now encoded at {_where(spec)}: move "
            f"its section out of '## {PLANNED_GROUP}' into its source's group, set '- **Status:** "
            f"encoded', '- **Kind:** {spec.kind}', '- **Code:** `{_where(spec)}`', update Statement and "
            f"Encoding from the test's docstring, and make Controls the @control titles ({titles})"
        )
    _fail(problems, "planned entries that have landed in the code")


# --------------------------------------------------------------------------------------------- the parser itself
GOOD = """\
# Catalog
## li2022
### `li2022:thm-4.8` — a title
- **Kind:** universal
- **Status:** encoded
- **Source:** li2022 §4.2
- **Code:** `theorems/x.py::test_x`
- **Statement:** first line
  continued.
- **Encoding:** e.
- **Controls:**
  - control one
  - control two
    continued
- **Problems in the source:** P1.

## Planned (not yet encoded)
### `liang:scaled` — t
- **Kind:** universal
- **Status:** planned
- **Source:** s
- **Code:** none (planned)
- **Statement:** s
- **Encoding:** planned: e
- **Controls:** (planned)
  - c
"""


def test_parser_reads_a_well_formed_catalog():
    sections, errors = parse("```\n### `not:a-section` — inside a code block\n```\n" + GOOD)
    assert errors == []
    a, b = sections
    assert (a.id, a.kind, a.planned, a.group) == ("li2022:thm-4.8", "universal", False, "li2022")
    assert a.fields["Statement"].text == "first line continued."
    assert [t for _, t in a.controls] == ["control one", "control two continued"]
    assert (b.id, b.planned, b.group, [t for _, t in b.controls]) == ("liang:scaled", True, PLANNED_GROUP, ["c"])


@pytest.mark.parametrize(
    "broken, message",
    [
        (GOOD.replace("### `li2022:thm-4.8` — a title", "### li2022:thm-4.8 - a title"), "heading must read"),
        (
            GOOD.replace(
                "- **Kind:** universal\n- **Status:** encoded", "- **Status:** encoded\n- **Kind:** universal"
            ),
            "in this order",
        ),
        (
            GOOD.replace("- **Kind:** universal\n- **Status:** encoded", "- **Kind:** theorem\n- **Status:** encoded"),
            "Kind must be one of",
        ),
        (GOOD.replace("`theorems/x.py::test_x`", "theorems/x.py"), "Code must be"),
        (GOOD.replace("  - control one\n", "  - control two\n    continued\n"), "listed twice"),
        (GOOD.replace("- **Encoding:** e.\n", "- **Encoding:** e.\n\nstray prose\n"), "text after the field list"),
        (GOOD.replace("- **Status:** planned", "- **Status:** encoded"), "belongs under"),
        (GOOD.replace("  - c\n", ""), "at least one control"),
        (GOOD + GOOD.split("## Planned")[0].split("## li2022\n")[1], "second section"),
        (GOOD.replace("- **Encoding:** e.\n", "- **Encoding:** e.\n```\nx\n```\n"), "no code blocks"),
    ],
)
def test_parser_rejects_broken_sections(broken, message):
    _, errors = parse(broken)
    assert any(message in e for e in errors), errors
