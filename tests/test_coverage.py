"""docs/coverage.md against the code: every checkable statement of the sources has a row, every row's
IDs exist, every statement in the code has a row, and the totals the table states are the rows' totals.

The table's format (described at the top of docs/coverage.md) is parsed strictly. The rows are the lines of
every Markdown table whose header is ``| source | number | claim | ID(s) | status |``; a ``|`` inside a
cell is written ``\\|``. A row reads

    | <source key> | <number as the source numbers it> | <one-line claim> | <IDs> | <status> |

* source key: one of ``SOURCES`` (the catalog's ID prefixes, plus ``li2022-slides`` for the talk);
* IDs: ``—`` or backticked items separated by commas, each a statement ID (``li2022:thm-4.8``: a statement
  in the code, or a section of docs/catalog.md, planned ones included) or a plain test
  (``tests/<file>.py::<function>``, which must exist);
* status: ``full``, ``partial: <what is not tested>``, ``not checkable: <why>`` or
  ``planned: <issue N §k, or "no issue yet: ...">``.

Rules: a ``full`` row names at least one statement in the code; a ``partial`` row names at least one
statement in the code or a plain test; a ``planned`` row names no statement in the code (once one exists,
the row is ``full`` or ``partial``); every statement in the code has a ``full`` or ``partial`` row; no
(source, number) pair repeats. The totals block between ``<!-- totals -->`` and ``<!-- /totals -->`` and the
one-line summary in README.md must be the ones computed from the rows: ``.venv/bin/python -m
tests.test_coverage`` prints both, ``--write`` rewrites the block in docs/coverage.md and the summary line
in README.md (only those lines).

Every mismatch is collected and reported at once, each with the line to fix and what to write.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COVERAGE_MD = ROOT / "docs" / "coverage.md"
README_MD = ROOT / "README.md"
REL = "docs/coverage.md"

#: source keys in the order of the totals table (the five sources of ../shared/papers/, then the literature)
SOURCES = (
    "li2022",
    "li2022-slides",
    "notes",
    "tarmoun2021",
    "min2021",
    "liang",
    "gunasekar2017",
    "li2020",
    "razin2020",
    "mgp2023",
)
STATUSES = ("full", "partial", "planned", "not checkable")
HEADER = ("source", "number", "claim", "ID(s)", "status")
TOTALS_BEGIN, TOTALS_END = "<!-- totals -->", "<!-- /totals -->"
README_LEAD = "Coverage of the sources (docs/coverage.md):"

STATUS_RE = re.compile(r"^(?P<kind>full|partial|not checkable|planned)(?::\s*(?P<reason>.*))?$")
STATEMENT_RE = re.compile(r"^[a-z][a-z0-9]*:[a-z0-9][a-z0-9.\-]*$")
PLAIN_TEST_RE = re.compile(r"^(?P<path>tests/[A-Za-z0-9_/]+\.py)::(?P<func>[A-Za-z_][A-Za-z0-9_]*)$")
TOKEN_RE = re.compile(r"`([^`]+)`")
PLANNED_REASON_RE = re.compile(r"issue \d+|no issue yet", re.IGNORECASE)
CELL_SPLIT = re.compile(r"(?<!\\)\|")
MIN_REASON = 8  # characters: "partial: x" is not a reason


@dataclass
class Row:
    line: int
    source: str
    number: str
    claim: str
    ids: list[str]
    status: str  # one of STATUSES ('' when unreadable)
    reason: str


def _cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.strip() for c in CELL_SPLIT.split(body)]


def parse(text: str) -> tuple[list[Row], list[str]]:
    """The rows of every coverage table in ``text``, and every way a row breaks the format."""
    rows: list[Row] = []
    errors: list[str] = []
    in_table = False
    expect_rule = False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.lstrip().startswith("|"):
            in_table = expect_rule = False
            continue
        cells = _cells(line)
        if expect_rule:
            expect_rule = False
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                errors.append(f"{REL}:{lineno}: the line after a table header must be |---|---|---|---|---|")
            continue
        if not in_table:
            if tuple(cells) == HEADER:
                in_table, expect_rule = True, True
            continue  # another table (the totals): not parsed here
        if len(cells) != len(HEADER):
            errors.append(
                f"{REL}:{lineno}: a row has {len(HEADER)} cells ({' | '.join(HEADER)}), this one has "
                f"{len(cells)}; write a '|' inside a cell as '\\|'"
            )
            continue
        source, number, claim, ids_cell, status_cell = cells
        ids, bad = [], []
        if ids_cell not in ("—", "-"):
            rest = TOKEN_RE.sub("", ids_cell)
            if rest.replace(",", "").strip():
                bad.append(
                    f"the ID(s) cell holds {ids_cell!r}: write '—' or backticked IDs separated by commas "
                    "(`li2022:thm-4.8`, `tests/test_x.py::test_y`), nothing else"
                )
            ids = TOKEN_RE.findall(ids_cell)
            if not ids and not bad:
                bad.append("the ID(s) cell is empty: write '—' when no test covers the row")
        m = STATUS_RE.match(status_cell)
        kind, reason = "", ""
        if not m:
            bad.append(
                f"status {status_cell!r} is not one of: full | partial: <what is not tested> | "
                "not checkable: <why> | planned: <issue>"
            )
        else:
            kind, reason = m["kind"], (m["reason"] or "").strip()
            if kind == "full" and m["reason"] is not None:
                bad.append("status 'full' takes no reason; if something is not tested, write 'partial: <what>'")
            elif kind != "full" and len(reason) < MIN_REASON:
                what = {"partial": "what is not tested", "not checkable": "why", "planned": "the issue"}[kind]
                bad.append(f"status {kind!r} needs a reason after the colon ({what})")
            elif kind == "planned" and not PLANNED_REASON_RE.search(reason):
                bad.append(
                    "a 'planned' status names its issue ('planned: issue 22 §4 ...'), or says 'no issue yet: ...'"
                )
        if source not in SOURCES:
            bad.append(f"source {source!r} is not one of {', '.join(SOURCES)}")
        if not number:
            bad.append("the number cell is empty (write the source's own numbering, e.g. 'Thm 4.8', 'Eq. (7)→(8)')")
        if not claim:
            bad.append("the claim cell is empty")
        errors += [f"{REL}:{lineno}: {b}" for b in bad]
        rows.append(Row(lineno, source, number, claim, ids, kind, reason))
    seen: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r.source, r.number)
        if key in seen:
            errors.append(
                f"{REL}:{r.line}: ({r.source}, {r.number}) has a second row (the first is at line "
                f"{seen[key]}): give the rows distinct numbers, e.g. 'Thm 4.15(a)', 'Part I (drift)'"
            )
        seen.setdefault(key, r.line)
    return rows, errors


def check(
    rows: list[Row], encoded: set[str], known: set[str], root: Path = ROOT, sources: dict[str, str] | None = None
) -> list[str]:
    """The rows against the suite: ``encoded`` are the statement IDs in the code, ``known`` also holds the
    catalog's (planned ones included); ``sources`` (ID -> the statement's ``source=``) only improves messages."""
    errors = []
    covered: set[str] = set()
    for r in rows:
        stmts = [t for t in r.ids if not PLAIN_TEST_RE.match(t)]
        for t in r.ids:
            if m := PLAIN_TEST_RE.match(t):
                path = root / m["path"]
                if not path.is_file():
                    errors.append(f"{REL}:{r.line}: `{t}`: there is no file {m['path']}")
                elif not re.search(
                    rf"^\s*(?:async\s+)?def {re.escape(m['func'])}\(", path.read_text(encoding="utf-8"), re.MULTILINE
                ):
                    errors.append(f"{REL}:{r.line}: `{t}`: {m['path']} defines no function {m['func']}")
            elif not STATEMENT_RE.match(t):
                errors.append(
                    f"{REL}:{r.line}: `{t}` is neither a statement ID (<source>:<label>) nor a plain test "
                    "(tests/<file>.py::<function>)"
                )
            elif t not in known:
                near = sorted(k for k in known if k.split(":")[0] == t.split(":")[0])
                errors.append(
                    f"{REL}:{r.line}: `{t}` is not a statement in the code nor a section of docs/catalog.md "
                    f"(IDs of that source: {', '.join(near) or 'none'})"
                )
        in_code = [t for t in stmts if t in encoded]
        if r.status == "full" and not in_code:
            errors.append(
                f"{REL}:{r.line}: a 'full' row names a statement in the code (python -m theorems list); "
                f"this one names {', '.join(r.ids) or 'none'}"
            )
        if r.status == "partial" and not in_code and not any(PLAIN_TEST_RE.match(t) for t in r.ids):
            errors.append(
                f"{REL}:{r.line}: a 'partial' row names the statement or plain test that covers part of "
                "it; with nothing tested, the row is 'planned: <issue>'"
            )
        if r.status == "planned" and in_code:
            errors.append(
                f"{REL}:{r.line}: a 'planned' row names {', '.join(in_code)}, which is in the code: make the "
                "row 'full' or 'partial: <what is still missing>'"
            )
        if r.status in ("full", "partial"):
            covered.update(in_code)
    planned: dict[str, list[Row]] = {}
    for r in rows:
        if r.status == "planned":
            planned.setdefault(r.source, []).append(r)
    for sid in sorted(encoded - covered):
        key = sid.split(":")[0]
        lines = ", ".join(str(r.line) for r in planned.get(key, []))
        hint = f" (the planned rows of {key} are at lines {lines})" if lines else ""
        errors.append(
            f"`{sid}`{f' ({sources[sid]})' if sources and sid in sources else ''} is a statement in the "
            f"code with no 'full' or 'partial' row in {REL}: in the row of the claim it tests{hint}, name "
            f"`{sid}` and set the status to full or 'partial: <what is not tested>' (or add such a row "
            "under its source's table), then run .venv/bin/python -m tests.test_coverage --write"
        )
    return errors


# --------------------------------------------------------------------------------------------- totals
def totals(rows: list[Row]) -> dict[str, Counter]:
    by: dict[str, Counter] = {s: Counter() for s in SOURCES}
    for r in rows:
        if r.source in by and r.status:
            by[r.source][r.status] += 1
    return by


def totals_block(rows: list[Row]) -> str:
    """The totals table, as it stands between the markers in docs/coverage.md."""
    by = totals(rows)
    head = "| source | rows | full | partial | planned | not checkable | checkable (full + partial + planned) |"
    lines = [TOTALS_BEGIN, head, "|---|---|---|---|---|---|---|"]
    every: Counter[str] = Counter()
    for s in SOURCES:
        c = by[s]
        every += c
        lines.append(
            f"| {s} | {sum(c.values())} | {c['full']} | {c['partial']} | {c['planned']} | "
            f"{c['not checkable']} | {c['full'] + c['partial'] + c['planned']} |"
        )
    lines.append(
        f"| **all** | **{sum(every.values())}** | **{every['full']}** | **{every['partial']}** | "
        f"**{every['planned']}** | **{every['not checkable']}** | "
        f"**{every['full'] + every['partial'] + every['planned']}** |"
    )
    lines.append(TOTALS_END)
    return "\n".join(lines)


def summary_line(rows: list[Row]) -> str:
    """The one line README.md carries (kept equal to the rows by test_readme_states_the_totals)."""
    c = Counter(r.status for r in rows if r.status)
    checkable = c["full"] + c["partial"] + c["planned"]
    return (
        f"{README_LEAD} {checkable} checkable statements, **{c['full']} tested as stated**, "
        f"{c['partial']} partially, {c['planned']} planned; {c['not checkable']} more are not checkable."
    )


def stated_totals(text: str) -> tuple[str | None, int]:
    """The totals block as written in ``text`` (None if the markers are missing) and its first line number."""
    lines = text.splitlines()
    try:
        a = lines.index(TOTALS_BEGIN)
        b = lines.index(TOTALS_END, a)
    except ValueError:
        return None, 0
    return "\n".join(lines[a : b + 1]), a + 1


def totals_errors(text: str, rows: list[Row]) -> list[str]:
    stated, line = stated_totals(text)
    want = totals_block(rows)
    if stated is None:
        return [
            f"{REL}: no totals block: put the lines between '{TOTALS_BEGIN}' and '{TOTALS_END}' under the "
            f"intro; run .venv/bin/python -m tests.test_coverage --write, or paste:\n{want}"
        ]
    if stated != want:
        return [
            f"{REL}:{line}: the stated totals are not the rows' totals; run .venv/bin/python -m "
            f"tests.test_coverage --write, or replace the block with:\n{want}"
        ]
    return []


def readme_errors(readme: str, rows: list[Row]) -> list[str]:
    want = summary_line(rows)
    if want in readme:
        return []
    have = [ln for ln in readme.splitlines() if ln.startswith(README_LEAD)]
    where = f"replace the line {have[0]!r}" if have else "add a line under '## Finding a statement'"
    return [f"README.md: {where} with (or run .venv/bin/python -m tests.test_coverage --write):\n{want}"]


# --------------------------------------------------------------------------------------------- the suite's IDs
def suite_ids() -> tuple[set[str], set[str], dict[str, str], list[str]]:
    """``(encoded, known, sources, problems)``: statement IDs in the code, those plus the catalog's sections,
    each statement's ``source=``, and import problems."""
    from tests.test_catalog import _code, _parsed

    statements, _, problems = _code()
    sections, _ = _parsed()
    encoded = set(statements)
    sources = {sid: spec.source or "" for sid, spec in statements.items()}
    return encoded, encoded | {s.id for s in sections}, sources, list(problems)


def _fail(problems: list[str], what: str) -> None:
    if problems:
        pytest.fail(f"{what} ({len(problems)}):\n" + "\n".join(f"  * {p}" for p in problems), pytrace=False)


@pytest.fixture(scope="module")
def table() -> tuple[str, list[Row]]:
    if not COVERAGE_MD.exists():
        pytest.fail(f"{REL} does not exist", pytrace=False)
    text = COVERAGE_MD.read_text(encoding="utf-8")
    rows, _ = parse(text)
    return text, rows


# --------------------------------------------------------------------------------------------- the tests
def test_coverage_format(table):
    text, _ = table
    rows, errors = parse(text)
    if not rows:
        errors.append(f"{REL} has no rows: a table must start with the header '| {' | '.join(HEADER)} |'")
    _fail(errors, f"{REL} breaks the coverage format (see the top of {REL})")


def test_rows_match_the_suite(table):
    _, rows = table
    encoded, known, sources, problems = suite_ids()
    _fail(problems, "the statement and control modules must import")
    _fail(check(rows, encoded, known, sources=sources), f"rows of {REL} that do not match the code and docs/catalog.md")


def test_stated_totals_are_the_rows_totals(table):
    text, rows = table
    _fail(totals_errors(text, rows), f"the totals of {REL}")


def test_readme_states_the_totals(table):
    _, rows = table
    _fail(readme_errors(README_MD.read_text(encoding="utf-8"), rows), "the coverage counts in README.md")


# --------------------------------------------------------------------------------------------- planted tables
GOOD = """\
# Coverage
| source | rows | not a coverage table |
|---|---|---|
| x | y | z |

## li2022
| source | number | claim | ID(s) | status |
|---|---|---|---|---|
| li2022 | Thm 4.8 | commuting G: GF is a mirror flow, \\|w\\| finite | `li2022:thm-4.8` | partial: only separable G |
| li2022 | Thm 4.2 | brackets vanish iff flows commute | `li2022:thm-4.2`, `tests/test_coverage.py::test_parser_reads_a_good_table` | full |
| li2022 | Eq. (7)→(8) | MD tends to MF as η → 0 | `li2022:eq-7-8` | planned: issue 22 §4 |
| li2022 | Thm 5.3 | Nash's embedding theorem | — | not checkable: an existence theorem of geometry |
| notes | Lemma 1 (proof) | x(t) stays in span(Aᵀ) | — | planned: no issue yet: the trajectory claim |
"""
ENCODED = {"li2022:thm-4.8", "li2022:thm-4.2"}
KNOWN = ENCODED | {"li2022:eq-7-8"}


def test_parser_reads_a_good_table():
    rows, errors = parse(GOOD)
    assert errors == []
    assert [(r.number, r.status) for r in rows] == [
        ("Thm 4.8", "partial"),
        ("Thm 4.2", "full"),
        ("Eq. (7)→(8)", "planned"),
        ("Thm 5.3", "not checkable"),
        ("Lemma 1 (proof)", "planned"),
    ]
    assert rows[0].claim == "commuting G: GF is a mirror flow, \\|w\\| finite"
    assert rows[1].ids == ["li2022:thm-4.2", "tests/test_coverage.py::test_parser_reads_a_good_table"]
    assert rows[3].ids == [] and rows[3].reason == "an existence theorem of geometry"
    assert check(rows, ENCODED, KNOWN) == []
    by = totals(rows)
    li = by["li2022"]
    assert (li["full"], li["partial"], li["planned"], li["not checkable"], by["notes"]["planned"]) == (1, 1, 1, 1, 1)
    block = totals_block(rows)
    assert "| li2022 | 4 | 1 | 1 | 1 | 1 | 3 |" in block and "| **all** | **5** |" in block
    assert totals_errors(GOOD + "\n" + block + "\n", rows) == []
    assert readme_errors("intro\n" + summary_line(rows) + "\n", rows) == []


@pytest.mark.parametrize(
    "broken, message",
    [
        (GOOD.replace("| full |", "| done |"), "is not one of: full"),
        (GOOD.replace("partial: only separable G", "partial"), "needs a reason"),
        (GOOD.replace("partial: only separable G", "partial: "), "needs a reason"),
        (GOOD.replace("not checkable: an existence theorem of geometry", "not checkable:"), "needs a reason"),
        (GOOD.replace("planned: issue 22 §4", "planned: later, maybe"), "names its issue"),
        (GOOD.replace("| full |", "| full: mostly |"), "takes no reason"),
        (GOOD.replace("| li2022 | Thm 5.3", "| paper | Thm 5.3"), "is not one of li2022"),
        (GOOD.replace("| — | not checkable", "| Nash | not checkable"), "nothing else"),
        (GOOD.replace("| Thm 4.2 | brackets", "| Thm 4.2 | brackets | extra"), "this one has 6"),
        (GOOD.replace("| Thm 4.2 |", "| Thm 4.8 |"), "has a second row"),
        (GOOD.replace("|---|---|---|---|---|", "| - | - | - | - | - |"), "after a table header"),
    ],
)
def test_parser_rejects_broken_rows(broken, message):
    _, errors = parse(broken)
    assert any(message in e for e in errors), errors


@pytest.mark.parametrize(
    "broken, message",
    [
        (GOOD.replace("`li2022:thm-4.8`", "`li2022:thm-4.88`"), "is not a statement in the code nor a section"),
        (GOOD.replace("`li2022:thm-4.8`", "`li2022:thm-4.8`, `Thm 4.8`"), "neither a statement ID"),
        (
            GOOD.replace("test_coverage.py::test_parser_reads_a_good_table", "test_coverage.py::test_nothing"),
            "defines no function test_nothing",
        ),
        (GOOD.replace("test_coverage.py::", "test_no_such_file.py::"), "there is no file"),
        (GOOD.replace("`li2022:thm-4.2`, ", ""), "a 'full' row names a statement in the code"),
        (GOOD.replace("`li2022:thm-4.8` | partial", "— | partial"), "a 'partial' row names"),
        (GOOD.replace("`li2022:eq-7-8` | planned", "`li2022:thm-4.8` | planned"), "which is in the code"),
        (GOOD.replace("`li2022:thm-4.2`, ", "`li2022:eq-7-8`, "), "`li2022:thm-4.2` is a statement in the code"),
    ],
)
def test_check_rejects_rows_that_do_not_match_the_suite(broken, message):
    rows, errors = parse(broken)
    errors += check(rows, ENCODED, KNOWN)
    assert any(message in e for e in errors), errors


def test_a_statement_in_the_code_without_a_row_is_reported():
    rows, _ = parse(GOOD)
    errors = check(rows, ENCODED | {"li2022:thm-5.1"}, KNOWN | {"li2022:thm-5.1"}, sources={"li2022:thm-5.1": "§5"})
    assert len(errors) == 1 and "`li2022:thm-5.1` (§5) is a statement in the code with no" in errors[0]
    assert "the planned rows of li2022 are at lines 11)" in errors[0]


def test_wrong_or_missing_totals_are_reported():
    rows, _ = parse(GOOD)
    block = totals_block(rows)
    wrong = block.replace("| li2022 | 4 | 1 | 1 | 1 | 1 | 3 |", "| li2022 | 4 | 2 | 0 | 1 | 1 | 3 |")
    assert wrong != block
    assert "not the rows' totals" in totals_errors(GOOD + wrong, rows)[0]
    assert "no totals block" in totals_errors(GOOD, rows)[0]
    stale = summary_line(rows).replace("**1 tested as stated**", "**2 tested as stated**")
    assert stale != summary_line(rows)
    assert "replace the line" in readme_errors(stale + "\n", rows)[0]
    assert "add a line" in readme_errors("no summary\n", rows)[0]


# --------------------------------------------------------------------------------------------- the fixer
def write() -> None:
    """Rewrite the totals block of docs/coverage.md and the summary line of README.md, nothing else."""
    text = COVERAGE_MD.read_text(encoding="utf-8")
    rows, _ = parse(text)
    stated, _ = stated_totals(text)
    if stated is None:
        raise SystemExit(f"{REL} has no '{TOTALS_BEGIN}' ... '{TOTALS_END}' block to rewrite")
    COVERAGE_MD.write_text(text.replace(stated, totals_block(rows), 1), encoding="utf-8")
    readme = README_MD.read_text(encoding="utf-8")
    lines = readme.splitlines(keepends=True)
    hits = [i for i, ln in enumerate(lines) if ln.startswith(README_LEAD)]
    if len(hits) != 1:
        raise SystemExit(f"README.md must have exactly one line starting with {README_LEAD!r} (found {len(hits)})")
    lines[hits[0]] = summary_line(rows) + "\n"
    README_MD.write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        write()
    _rows, _errs = parse(COVERAGE_MD.read_text(encoding="utf-8"))
    print(totals_block(_rows))
    print()
    print(summary_line(_rows))
    for _e in _errs:
        print(_e, file=sys.stderr)
