"""Human-readable reports, rendered from the Jinja2 templates in ``theorems/suite/templates/``.

* ``<report_dir>/<slug>/`` (controls: ``<report_dir>/controls/<slug>/``): ``counterexample.json``
  (exact), ``report.md`` (``statement.md.j2``: claim, readable example, discrepancy against budget,
  what was tried, how to reproduce) and ``plot-<k>.png`` from ``Outcome.plot``.
* ``<report_dir>/held/<slug>/``: the closest call of a statement that held (``closest.json``, the same
  template, plots).
* ``<report_dir>/index.md`` and ``index.html`` (``index.md.j2``, ``index.html.j2``): every statement
  of the store with its verdict and the run it is from; the HTML page is self-contained
  (``report.css`` inlined, plots embedded as base64 PNG) and readable offline. HTML is autoescaped.

What the pages show of a docstring is :func:`prose`: reST roles dropped and the LaTeX of ``:math:``
turned into Unicode (:func:`math_text`). Composite arguments are named by :func:`example_rows`.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from theorems.suite import plots, reports

if TYPE_CHECKING:
    from oracles import Outcome
    from theorems.suite.harness import StatementSpec, Tally

#: Verdicts under which the suite passes; every other verdict fails the run.
GOOD = ("held", "refuted", "caught")
#: Verdicts whose statement folder holds a witness worth linking.
WITNESSED = ("falsified", "refuted", "caught")
#: What pytest's exit statuses mean.
EXIT_MEANING = {
    0: "all tests passed",
    1: "some tests failed",
    2: "interrupted",
    3: "internal error",
    4: "usage error",
    5: "no tests collected",
}
#: Said wherever a negative discrepancy appears.
NEGATIVE_NOTE = (
    "A negative discrepancy means the inequality holds with room to spare: the check measures how far "
    "the claimed inequality is from failing, and it fails only above the budget."
)
TEMPLATES = Path(__file__).resolve().parent / "templates"


# -- readable examples -----------------------------------------------------------------------
def describe(value: Any) -> str:
    """One readable line (or a few) for an example value; exact values are in counterexample.json.

    Schedules (objects with ``pieces`` of ``(duration, loss)``), parametrizations (``name``, ``D``,
    ``d``, ``domain``) and losses or other objects with ``to_spec`` are recognized by what they have.
    """
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, separator=", ", max_line_width=100, threshold=60)
        return text if value.ndim <= 1 else f"{text}  (shape {value.shape})"
    if isinstance(value, (bool, int, str, np.integer)) or value is None:
        return repr(value)
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    pieces = getattr(value, "pieces", None)
    if isinstance(pieces, (list, tuple)) and all(isinstance(p, tuple) and len(p) == 2 for p in pieces):
        parts, start = [], 0.0
        for dur, loss in pieces:
            parts.append(f"t ∈ [{start:.6g}, {start + dur:.6g}]: {describe(loss)}")
            start += dur
        return "; ".join(parts)
    if all(hasattr(value, a) for a in ("name", "D", "d", "domain")):
        labels = getattr(value, "labels", None)
        return f"{value.name} (D={value.D}, d={value.d}, domain {value.domain})" + (
            f", outputs {', '.join(labels)}" if labels else ""
        )
    if hasattr(value, "to_spec"):
        name = getattr(value, "name", None)
        spec = _spec(value)
        if isinstance(name, str) and name:
            return _spec_text(name, {k: v for k, v in spec.items() if k != "loss"})
        return _spec_text(type(value).__name__, spec)
    text = repr(value)
    return text if len(text) <= 400 else text[:400] + " …"


def _spec(obj: Any) -> dict[str, Any]:
    try:
        spec = obj.to_spec()
    except Exception:  # noqa: BLE001 - description only
        return {}
    return spec if isinstance(spec, dict) else {"spec": spec}


def _spec_text(name: str, spec: dict[str, Any]) -> str:
    def short(v):
        if isinstance(v, (list, tuple)):
            try:
                return describe(np.asarray(v, dtype=float))
            except (TypeError, ValueError):
                pass
        return describe(v)

    return f"{name}(" + ", ".join(f"{k}={short(v)}" for k, v in spec.items()) + ")"


def _parts(value: Any, names: tuple[str, ...] = ()) -> list[tuple[str, Any]] | None:
    """The named parts of a composite value (``.name`` or ``[k]`` suffixes), or ``None`` to show it whole."""
    if isinstance(value, tuple) and hasattr(value, "_fields") and value:  # a NamedTuple
        return [(f".{f}", v) for f, v in zip(cast(Any, value)._fields, value)]
    if isinstance(value, (tuple, list)) and 0 < len(value) <= 12:
        return [(f".{names[k]}" if k < len(names) else f"[{k}]", v) for k, v in enumerate(value)]
    if isinstance(value, dict) and 0 < len(value) <= 12 and all(isinstance(k, str) for k in value):
        return [(f".{k}", v) for k, v in value.items()]
    return None


def example_rows(example: dict[str, Any], fields: dict[str, tuple[str, ...]] | None = None) -> list[tuple[str, str]]:
    """``(argument, readable value)`` rows; composite values are spread one part a row.

    Parameters
    ----------
    example
        ``{argument: value}`` as the check was called.
    fields
        ``{argument: names of its parts}`` (the decorator's ``fields=``): a tuple argument ``case`` is
        shown as ``case.G``, ``case.x``, ... instead of ``case[0]``, ``case[1]``; parts beyond the names
        keep their index. NamedTuples and dicts with string keys are named by their own fields.
    """
    rows: list[tuple[str, str]] = []

    def walk(name: str, value: Any, depth: int, names: tuple[str, ...] = ()) -> None:
        parts = _parts(value, names) if depth < 2 else None
        if parts is None:
            rows.append((name, describe(value)))
            return
        for suffix, v in parts:
            walk(name + suffix, v, depth + 1)

    for name, value in example.items():
        walk(name, value, 0, tuple((fields or {}).get(name, ())))
    return rows


def _num(v: float | None, fmt: str = ".3g") -> str:
    return "–" if v is None else format(v, fmt)


# -- LaTeX to Unicode ------------------------------------------------------------------------
_SYMBOLS = {
    "top": "ᵀ",
    "nabla": "∇",
    "odot": "⊙",
    "circ": "∘",
    "cdot": "·",
    "times": "×",
    "otimes": "⊗",
    "oplus": "⊕",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "equiv": "≡",
    "sim": "∼",
    "to": "→",
    "rightarrow": "→",
    "mapsto": "↦",
    "Rightarrow": "⇒",
    "Leftrightarrow": "⇔",
    "iff": "⇔",
    "in": "∈",
    "notin": "∉",
    "subset": "⊂",
    "subseteq": "⊆",
    "cup": "∪",
    "cap": "∩",
    "setminus": "∖",
    "infty": "∞",
    "partial": "∂",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "pm": "±",
    "mp": "∓",
    "langle": "⟨",
    "rangle": "⟩",
    "lVert": "‖",
    "rVert": "‖",
    "Vert": "‖",
    "lvert": "|",
    "rvert": "|",
    "ell": "ℓ",
    "forall": "∀",
    "exists": "∃",
    "emptyset": "∅",
    "ldots": "…",
    "dots": "…",
    "cdots": "⋯",
    "perp": "⊥",
    "star": "⋆",
    "quad": " ",
    "qquad": "  ",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "ϑ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "ϕ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
}
#: Commands dropped (sizing) and commands shown as their name (operators).
_DROPPED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle"}
_WORDS = {
    "min",
    "max",
    "arg",
    "argmin",
    "argmax",
    "log",
    "ln",
    "exp",
    "sin",
    "cos",
    "tan",
    "det",
    "dim",
    "ker",
    "tr",
    "sup",
    "inf",
    "lim",
    "sign",
    "rank",
    "diag",
}
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
_ACCENTS = {
    "tilde": "\u0303",
    "hat": "\u0302",
    "bar": "\u0304",
    "dot": "\u0307",
    "ddot": "\u0308",
    "vec": "\u20d7",
    "overline": "\u0305",
}
_FRACTIONS = {"12": "½", "13": "⅓", "23": "⅔", "14": "¼", "34": "¾", "15": "⅕", "16": "⅙", "18": "⅛"}
_SUP = dict(
    zip(
        "0123456789+-−=()niTabcdefghijklmoprstuvwxyzABDEGHIJKLMNOPRUVWᵀ⊤*'",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵀᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵁⱽᵂᵀᵀ*′",
    )
)
_SUB = dict(zip("0123456789+-−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))
_GROUP = r"\{([^{}]*)\}"
#: one argument of a command: a brace group, or a single character (after symbols became Unicode)
_ARG = r"(?:\{([^{}]*)\}|([^\s{}\\^_]))"
#: stand-ins for ^ and _ kept in plain form, so that a later pass does not script them again
_KEPT = {"^": "\x02", "_": "\x03"}


def _script(marker: str, body: str) -> str:
    """``^body`` / ``_body`` in Unicode super/subscripts when every character has one, else kept plain."""
    table, limit = (_SUP, 4) if marker == "^" else (_SUB, 2)
    body = body.strip()
    if body and len(body) <= limit and all(c in table for c in body):
        return "".join(table[c] for c in body)
    kept = _KEPT[marker]
    if len(body) == 1 or (marker == "_" and re.fullmatch(r"\w+", body)):
        return kept + body
    return f"{kept}({body})"


def _arg(m: re.Match, k: int) -> str:
    """The ``k``-th (1-based) :data:`_ARG` of a match: the group's text or the single character."""
    group, char = m[2 * k - 1], m[2 * k]
    return group if group is not None else char


def math_text(tex: str) -> str:
    r"""LaTeX math as readable Unicode: ``UU^\top`` -> ``UUᵀ``, ``\|x\|_2`` -> ``‖x‖₂``, ``\mathbb{R}^d`` -> ``ℝᵈ``.

    Covers what the statements' docstrings use: Greek letters, operators and relations, ``\tfrac12``
    and ``\frac{a}{b}``, ``\mathbb``/``\mathrm``/``\mathcal``, accents (``\tilde L`` -> ``L̃``),
    ``\sqrt``, super- and subscripts (Unicode where every character has one, else ``x_init``, ``^(-α t)``).
    Unknown commands lose their backslash.
    """
    s = tex.replace(r"\|", "‖").replace(r"\{", "\x00").replace(r"\}", "\x01")
    s = re.sub(r"\\[,;:!> ]", lambda m: "" if m[0] == r"\!" else " ", s)
    s = re.sub(r"\\([A-Za-z]+)", _symbol, s)
    for _ in range(6):  # innermost groups first
        s = re.sub(r"\s*([\^_])\s*" + _GROUP, lambda m: _script(m[1], m[2]), s)
        s = re.sub(r"\\[td]?frac\s*" + _ARG + r"\s*" + _ARG, _fraction, s)
        s = re.sub(r"\\mathbb\s*" + _ARG, lambda m: "".join(_BLACKBOARD.get(c, c) for c in _arg(m, 1)), s)
        s = re.sub(
            r"\\(?:mathrm|text|textrm|operatorname|mathbf|boldsymbol|mathcal|mathit|mathsf|mathscr)\s*" + _ARG,
            lambda m: _arg(m, 1),
            s,
        )
        s = re.sub(r"\\sqrt\s*" + _ARG, lambda m: "√" + _paren(_arg(m, 1)), s)
        s = re.sub(r"\\(" + "|".join(_ACCENTS) + r")\s*" + _ARG, _accent, s)
    s = re.sub(r"\s*([\^_])\s*([^\s{}])", lambda m: _script(m[1], m[2]), s)
    s = re.sub(r"\\([A-Za-z]+)", r"\1", s)
    s = s.replace("{", "").replace("}", "").replace("\x00", "{").replace("\x01", "}")
    s = s.replace(_KEPT["^"], "^").replace(_KEPT["_"], "_")
    return unicodedata.normalize("NFC", re.sub(r" {2,}", " ", s).strip())


def _symbol(m: re.Match) -> str:
    name = m[1]
    if name in _SYMBOLS:
        return _SYMBOLS[name]
    if name in _DROPPED:
        return ""
    if name in _WORDS:
        return f"{name} "
    return m[0]  # structural (frac, mathbb, ...) or unknown: later passes


def _fraction(m: re.Match) -> str:
    num, den = _arg(m, 1), _arg(m, 2)
    return _FRACTIONS.get(num + den, f"{_paren(num)}/{_paren(den)}")


#: a single symbol with its scripts, or a number: needs no parentheses as a fraction's part or under √
_ATOM = re.compile(r"\d+(?:\.\d+)?|[^\W\d_](?:[_\x02\x03]\w+|[₀-₉ᵢⱼₖₗₘₙₜₓ⁰-⁹ᵀ²³¹⁻])*")


def _paren(text: str) -> str:
    return text if _ATOM.fullmatch(text.strip()) else f"({text})"


def _accent(m: re.Match) -> str:
    name, body = m[1], (m[2] if m[2] is not None else m[3])
    if len(body) == 1:
        return body + _ACCENTS[name]
    return f"cl({body})" if name == "overline" else f"{name}({body})"


_MATH = re.compile(r":math:`([^`]+)`")


def prose(text: str, *, markdown: bool = True) -> str:
    """A docstring paragraph (reST) for a report: ``:math:`...``` becomes readable Unicode
    (:func:`math_text`), ``double backquotes`` become Markdown code (``markdown``) or plain text."""
    text = _MATH.sub(lambda m: math_text(m.group(1)), text)
    return text.replace("``", "`") if markdown else text.replace("``", "")


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


@cache
def _environment():
    """The Jinja2 environment: HTML templates autoescaped, Markdown ones not (they escape table cells with ``md``)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md
    env.filters["num"] = _num
    return env


def render(template: str, **context: Any) -> str:
    """Render one of the templates in ``theorems/suite/templates/``."""
    return _environment().get_template(template).render(**context)


@cache
def css() -> str:
    """The stylesheet inlined into index.html."""
    return (TEMPLATES / "report.css").read_text()


# -- the folder of one statement -------------------------------------------------------------
@dataclass
class Page:
    """A written statement folder and what the index shows of its witness (JSON-able)."""

    folder: Path
    witness: dict[str, Any] = field(default_factory=dict)


def _pictures(outcome, folder: Path) -> tuple[list[plots.Picture], str]:
    try:
        return plots.render(outcome.plot, folder), ""
    except Exception as exc:  # noqa: BLE001 - the report says the plot failed
        return [], f"{type(exc).__name__}: {exc}"


def _witness(
    outcome: Outcome | None, rows: list[tuple[str, str]], pictures: list[plots.Picture], plot_error: str
) -> dict[str, Any]:
    """The ``witness`` of a record: what the check returned (:func:`reports.outcome_keys`), rows, plots."""
    return reports.outcome_keys(outcome) | {
        "example": rows,
        "plots": [asdict(p) for p in pictures],
        "plot_error": plot_error,
    }


def write_statement_folder(report_dir: Path, tally: Tally, env: dict[str, Any], nodeid: str = "") -> Page | None:
    """Write the folder of a statement with a witness and return it; otherwise clear a stale one.

    A statement that now holds (no witness) loses the counterexample folder an earlier campaign
    may have left, so that reports never show a counterexample the current code does not have.
    """
    folder = reports.statement_folder(report_dir, tally.spec)
    held_folder = reports.closest_call_folder(report_dir, tally.spec)
    if tally.witness_outcome is None:
        reports.clear_statement_folder(folder)
        if tally.verdict == "held" and tally.closest_outcome is not None:
            return write_closest_call(report_dir, tally, env, nodeid)
        reports.clear_statement_folder(held_folder)
        return None
    reports.clear_statement_folder(held_folder)
    reports.write_statement_report(report_dir, tally, env, nodeid)
    pictures, plot_error = _pictures(tally.witness_outcome, folder)
    reports.clear_statement_folder(folder, keep=("counterexample.json", "report.md", *(p.file for p in pictures)))
    rows = example_rows(tally.witness or {}, tally.spec.field_names())
    command = reports.reproduce_command(report_dir, tally.spec)
    reports.atomic_write(
        folder / "report.md", statement_markdown(tally, env, rows, pictures, plot_error, command, nodeid)
    )
    return Page(folder, _witness(tally.witness_outcome, rows, pictures, plot_error) | {"reproduce": command})


def write_closest_call(report_dir: Path, tally: Tally, env: dict[str, Any], nodeid: str = "") -> Page:
    """Illustrate a statement that held: the example nearest its budget, with the oracle's plots.

    Written to ``<report_dir>/held/<slug>/`` (``closest.json``, ``report.md``, plots), apart from
    counterexample folders: nothing here falsifies anything. It shows how close the statement came
    and, for statements whose oracle draws a picture (e.g. the ℓ2 → ℓ1 path of Cor. 4.17), the picture.
    """
    folder = reports.closest_call_folder(report_dir, tally.spec)
    pictures, plot_error = _pictures(tally.closest_outcome, folder)
    reports.write_closest_json(folder, tally, env, nodeid)
    reports.clear_statement_folder(folder, keep=("closest.json", "report.md", *(p.file for p in pictures)))
    rows = example_rows(tally.closest or {}, tally.spec.field_names())
    reports.atomic_write(
        folder / "report.md", statement_markdown(tally, env, rows, pictures, plot_error, "", nodeid, closest=True)
    )
    return Page(
        folder,
        _witness(tally.closest_outcome, rows, pictures, plot_error) | {"json": "closest.json", "closest_call": True},
    )


_VERB = {"falsified": "Counterexample", "refuted": "Witness", "caught": "Counterexample to the planted variant"}


def _claim(spec: StatementSpec) -> str:
    """The claim paragraph; for a control, what is planted and the claim of the statement it varies."""
    if spec.kind != "control":
        return prose(spec.claim) if spec.claim else "(no docstring)"
    from theorems.suite.harness import CATALOG

    original = CATALOG.get(spec.control_of or "")
    text = (
        f"A planted false variant of `{spec.control_of}`: {spec.title}. The control passes when the harness "
        "falsifies it with the statement's own oracle."
    )
    if spec.claim:
        text += f" {prose(spec.claim)}"
    if original is not None and original.claim:
        text += f"\n\nThe statement itself ({original.source or original.id}): {prose(original.claim)}"
    return text


def _short(v: Any) -> str:
    text = json.dumps(v, default=str) if not isinstance(v, str) else v
    return text if len(text) <= 120 else text[:120] + " …"


def statement_markdown(
    tally: Tally,
    env: dict[str, Any],
    rows: list[tuple[str, str]],
    pictures: list[plots.Picture],
    plot_error: str,
    reproduce: str,
    nodeid: str = "",
    *,
    closest: bool = False,
) -> str:
    """The ``report.md`` of a statement with a witness (or, with ``closest``, of a held statement's closest call)."""
    from theorems.suite.harness import outcome_fields

    spec = tally.spec
    out = tally.closest_outcome if closest else tally.witness_outcome
    assert out is not None  # both callers write a page only for an outcome (the witness, or the closest call)
    f = outcome_fields("x", out)
    ratio = out.discrepancy / out.budget if out.budget > 0 else float("inf")
    return render(
        "statement.md.j2",
        spec=spec,
        tally=tally,
        env=env,
        rows=rows,
        pictures=pictures,
        plot_error=plot_error,
        reproduce=reproduce,
        nodeid=nodeid,
        closest=closest,
        claim=_claim(spec),
        section=_VERB.get(tally.verdict, "Witness"),
        out=out,
        ratio=_num(ratio),
        budget_reason=f["x_budget_reason"],
        floor=f["x_floor"],
        negative=out.discrepancy < 0,
        negative_note=NEGATIVE_NOTE,
        details=[(k, _short(v)) for k, v in (out.details or {}).items()],
        reasons=", ".join(f"{r}: {n}" for r, n in tally.inconclusive.most_common()) or "none",
        n_inconclusive=sum(tally.inconclusive.values()),
        max_ratio=_num(tally.max_ratio if np.isfinite(tally.max_ratio) else None),
        test_file=nodeid.split("::")[0] if nodeid else "<file>",
    )


# -- the index -------------------------------------------------------------------------------
def _split(records: list[dict]) -> tuple[list[dict], list[dict]]:
    statements = sorted((r for r in records if r["kind"] != "control"), key=lambda r: r["id"])
    controls = sorted(
        (r for r in records if r["kind"] == "control"), key=lambda r: (r.get("control_of") or "", r["id"])
    )
    return statements, controls


def _inconclusive_text(r: dict) -> str:
    reasons = r.get("inconclusive_reasons") or {}
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))
    return f"{r.get('inconclusive', 0)}" + (f" ({detail})" if detail else "")


def _counts(records: list[dict]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for r in records:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    return sorted(counts.items())


def _env_line(env: dict) -> str:
    return (
        f"profile {env.get('profile')} (max_examples {env.get('max_examples')}, derandomize "
        f"{env.get('derandomize')}, seed {env.get('seed')}), {env.get('workers')} worker(s); Python "
        f"{env.get('python')}, numpy {env.get('numpy')}, scipy {env.get('scipy')}, Hypothesis "
        f"{env.get('hypothesis')}; commit {env.get('git_commit') or 'unknown'}"
        + (" (dirty)" if env.get("git_dirty") else "")
    )


def _messages(records: list[dict]) -> list[tuple[dict, str]]:
    """What failing statements without a witness section (and broken reports) have to say."""
    out = []
    for r in sorted(records, key=lambda r: r["id"]):
        if r["verdict"] not in GOOD and r.get("message") and not r.get("report"):
            out.append((r, r["message"]))
        if r.get("report_error"):
            out.append((r, f"the report could not be written: {r['report_error']}"))
    return out


def run_label(run: dict | None) -> str:
    """``2025-05-01 12:00 UTC · 1a2b3c4 · ci``: when, at which commit and with which profile a run ran."""
    run = run or {}
    started = str(run.get("started") or "")
    when = f"{started[:16].replace('T', ' ')} UTC" if started else "an earlier run"
    commit = (run.get("git_commit") or "unknown")[:7] + ("+" if run.get("git_dirty") else "")
    return f"{when} · {commit} · {run.get('profile') or '?'}"


def _row(r: dict, run_id: str | None) -> dict[str, Any]:
    this = (r.get("run") or {}).get("id") == run_id
    return {
        "id": r["id"],
        "name": r.get("control_of") if r["kind"] == "control" and r.get("control_of") else r["id"],
        "title": r.get("title", ""),
        "kind": r["kind"],
        "verdict": r["verdict"],
        "good": r["verdict"] in GOOD,
        "report": r.get("report"),
        "anchor": "w-" + reports.slug(r["id"]),
        "examples": r.get("examples", 0),
        "inconclusive": _inconclusive_text(r),
        "discrepancy": _num(r.get("worst_discrepancy")),
        "budget": _num(r.get("worst_budget")),
        "budget_reason": r.get("worst_budget_reason") or "",
        "seconds": f"{r.get('seconds') or 0.0:.2f}",
        "stale": not this,
        "run": "this run" if this else run_label(r.get("run")),
    }


def _png_data(report_dir: Path, path: Path) -> str | None:
    """The base64 of a plot file of the store (``None`` when it is missing, not a PNG, or outside the store)."""
    try:
        data = reports.inside(report_dir, path).read_bytes()
    except (OSError, reports.StorePathError):
        return None
    return base64.b64encode(data).decode("ascii") if data.startswith(b"\x89PNG\r\n\x1a\n") else None


def _witness_view(report_dir: Path, r: dict, run_id: str | None, embed: bool) -> dict[str, Any]:
    w = r.get("witness") or {}
    figures = []
    for p in w.get("plots", []) if embed else []:
        data = _png_data(report_dir, Path(report_dir) / r["report"] / p["file"])
        if data:
            figures.append({"title": p["title"], "data": data})
    disc = w.get("discrepancy")
    return _row(r, run_id) | {
        "source": r.get("source") or "",
        "claim": prose(r.get("claim") or "", markdown=False),
        "what": w.get("what") or "",
        "w_discrepancy": _num(disc, ".6g"),
        "w_budget": _num(w.get("budget")),
        "w_error": _num(w.get("error_estimate")),
        "w_reason": w.get("budget_reason") or "",
        "example": w.get("example", []),
        "figures": figures,
        "plot_error": w.get("plot_error") or "",
        "reproduce": w.get("reproduce") or "",
        "data_file": w.get("json", "counterexample.json"),
        "negative": disc is not None and disc < 0,
        "has_witness": bool(w),
    }


def _failure(run: dict | None, exit_status: int | None) -> dict[str, Any] | None:
    """What the page says of a run that failed: its exit status and the failing tests that are not statements."""
    if exit_status in (None, 0):
        return None
    failed = list((run or {}).get("failed_tests") or [])
    return {
        "status": exit_status,
        "meaning": EXIT_MEANING.get(exit_status, "failed"),
        "tests": failed[:50],
        "more": max(0, len(failed) - 50),
        "n_tests": len(failed),
    }


def index_context(
    report_dir: Path,
    records: list[dict],
    env: dict,
    complete: bool = False,
    run: dict | None = None,
    runs: dict | None = None,
    *,
    embed: bool = False,
) -> dict[str, Any]:
    """What the index templates show: tables, banners, messages, witnesses, runs (``embed``: the PNGs too)."""
    run = run or {}
    run_id = run.get("id")
    statements, controls = _split(records)
    stale = sum(1 for r in records if (r.get("run") or {}).get("id") != run_id)
    witnessed = [
        r for r in statements + controls if r.get("report") and not (r.get("witness") or {}).get("closest_call")
    ]
    closest = [r for r in statements if r.get("report") and (r.get("witness") or {}).get("closest_call")]
    return {
        "records": records,
        "counts": _counts(records),
        "n_statements": len(statements),
        "n_controls": len(controls),
        "env_line": _env_line(env),
        "complete": complete,
        "failure": _failure(run, run.get("exit_status")),
        "run_label": run_label(run) if run else "",
        "stale": stale if run_id else 0,
        "tables": [
            (title, [_row(r, run_id) for r in rows])
            for title, rows in (("Statements", statements), ("Negative controls", controls))
            if rows
        ],
        "messages": _messages(records),
        "witnessed": [_witness_view(report_dir, r, run_id, embed) for r in witnessed],
        "closest": [_witness_view(report_dir, r, run_id, embed) for r in closest],
        "runs": [reports.safe_run(v) | {"label": run_label(v), "this": k == run_id} for k, v in (runs or {}).items()],
        "negative": any((r.get("worst_discrepancy") or 0) < 0 for r in records),
        "negative_note": NEGATIVE_NOTE,
    }


def index_markdown(
    records: list[dict], env: dict, complete: bool = False, run: dict | None = None, runs: dict | None = None
) -> str:
    """``index.md``: a table of statements and a table of controls."""
    return render("index.md.j2", **index_context(Path("."), records, env, complete, run, runs))


def index_html(
    report_dir: Path,
    records: list[dict],
    env: dict,
    complete: bool = False,
    run: dict | None = None,
    runs: dict | None = None,
) -> str:
    """``index.html``: the same tables as ``index.md`` plus every witness with its plots, self-contained."""
    return render(
        "index.html.j2", css=css(), **index_context(report_dir, records, env, complete, run, runs, embed=True)
    )


def write_index(
    report_dir: Path,
    records: list[dict],
    env: dict,
    complete: bool = False,
    run: dict | None = None,
    runs: dict | None = None,
) -> None:
    """Write ``index.md`` and ``index.html`` listing every statement of the store with its verdict."""
    reports.atomic_write(Path(report_dir) / "index.md", index_markdown(records, env, complete, run, runs))
    reports.atomic_write(Path(report_dir) / "index.html", index_html(report_dir, records, env, complete, run, runs))
