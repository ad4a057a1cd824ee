"""Human-readable reports: the folder of a statement with a witness, and the campaign's index.

* ``<report_dir>/<slug>/`` (controls: ``<report_dir>/controls/<slug>/``): ``counterexample.json``
  (exact), ``report.md`` (claim, readable example, discrepancy against budget, what was tried,
  how to reproduce) and ``plot-<k>.png`` from ``Outcome.plot``.
* ``<report_dir>/index.md`` and ``index.html``: every statement with its verdict; the HTML page
  is self-contained (inline CSS, plots embedded as base64 PNG), readable offline.
"""
from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from theorems import plots, reports

#: Verdicts under which the suite passes; every other verdict fails the run.
GOOD = ("held", "refuted", "caught")
#: Verdicts whose statement folder holds a witness worth linking.
WITNESSED = ("falsified", "refuted", "caught")


# -- readable examples -----------------------------------------------------------------------
def describe(value: Any) -> str:
    """One readable line (or a few) for an example value; exact values are in counterexample.json."""
    from oracles.model.losses import Loss, Schedule
    from oracles.model.parametrizations import Parametrization

    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, separator=", ", max_line_width=100, threshold=60)
        return text if value.ndim <= 1 else f"{text}  (shape {value.shape})"
    if isinstance(value, (bool, int, str, np.integer)) or value is None:
        return repr(value)
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, Schedule):
        parts, start = [], 0.0
        for dur, loss in value.pieces:
            parts.append(f"t ∈ [{start:.6g}, {start + dur:.6g}]: {describe(loss)}")
            start += dur
        return "; ".join(parts)
    if isinstance(value, Loss):
        return _spec_text(value.name, {k: v for k, v in _spec(value).items() if k != "loss"})
    if isinstance(value, Parametrization):
        labels = getattr(value, "labels", None)
        return f"{value.name} (D={value.D}, d={value.d}, domain {value.domain})" + (
            f", outputs {', '.join(labels)}" if labels else "")
    if hasattr(value, "to_spec"):
        return _spec_text(type(value).__name__, _spec(value))
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


def example_rows(example: dict[str, Any]) -> list[tuple[str, str]]:
    """``(argument, readable value)`` rows; tuples and lists are spread one element a row."""
    rows: list[tuple[str, str]] = []

    def walk(name: str, value: Any, depth: int) -> None:
        if isinstance(value, (tuple, list)) and depth < 2 and 0 < len(value) <= 12:
            for k, v in enumerate(value):
                walk(f"{name}[{k}]", v, depth + 1)
        else:
            rows.append((name, describe(value)))

    for name, value in example.items():
        walk(name, value, 0)
    return rows


def _num(v: float | None, fmt: str = ".3g") -> str:
    return "–" if v is None else format(v, fmt)


_MATH = re.compile(r":math:`([^`]+)`")


def prose(text: str, *, markdown: bool = True) -> str:
    """A docstring paragraph (reST) for a report: ``:math:`x``` becomes ``$x$`` (Markdown) or ``x``."""
    text = _MATH.sub(lambda m: f"${m.group(1)}$" if markdown else m.group(1), text)
    return text.replace("``", "`") if markdown else text.replace("``", "")


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# -- the folder of one statement -------------------------------------------------------------
@dataclass
class Page:
    """A written statement folder and what the index shows of its witness (JSON-able)."""

    folder: Path
    witness: dict[str, Any] = field(default_factory=dict)


def write_statement_folder(report_dir: Path, tally, env: dict[str, Any], nodeid: str = "") -> Page | None:
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
    try:
        pictures, plot_error = plots.render(tally.witness_outcome.plot, folder), ""
    except Exception as exc:  # noqa: BLE001 - the report says the plot failed
        pictures, plot_error = [], f"{type(exc).__name__}: {exc}"
    reports.clear_statement_folder(folder, keep=("counterexample.json", "report.md", *(p.file for p in pictures)))
    rows = example_rows(tally.witness or {})
    page = statement_markdown(tally, env, rows, pictures, plot_error, reports.reproduce_command(report_dir, tally.spec),
                              nodeid)
    reports.atomic_write(folder / "report.md", page)
    witness = {"what": tally.witness_outcome.what, "discrepancy": tally.witness_outcome.discrepancy,
               "budget": tally.witness_outcome.budget, "error_estimate": tally.witness_outcome.error,
               "example": rows, "plots": [asdict(p) for p in pictures], "plot_error": plot_error,
               "reproduce": reports.reproduce_command(report_dir, tally.spec)}
    return Page(folder, witness)


def write_closest_call(report_dir: Path, tally, env: dict[str, Any], nodeid: str = "") -> Page:
    """Illustrate a statement that held: the example nearest its budget, with the oracle's plots.

    Written to ``<report_dir>/held/<slug>/`` (``closest.json``, ``report.md``, plots), apart from
    counterexample folders: nothing here falsifies anything. It shows how close the statement came
    and, for statements whose oracle draws a picture (e.g. the ℓ2 → ℓ1 path of Cor. 4.17), the picture.
    """
    spec, out = tally.spec, tally.closest_outcome
    folder = reports.closest_call_folder(report_dir, spec)
    try:
        pictures, plot_error = plots.render(out.plot, folder), ""
    except Exception as exc:  # noqa: BLE001 - the report says the plot failed
        pictures, plot_error = [], f"{type(exc).__name__}: {exc}"
    reports.write_closest_json(folder, tally, env, nodeid)
    reports.clear_statement_folder(folder, keep=("closest.json", "report.md", *(p.file for p in pictures)))
    rows = example_rows(tally.closest or {})
    ratio = out.discrepancy / out.budget if out.budget > 0 else float("inf")
    lines = [f"# {spec.id} — held (closest call)", "", f"**{spec.title}**", "",
             f"* kind: `{spec.kind}`", f"* source: {spec.source or '–'}", f"* check: `{spec.module}:{spec.qualname}`",
             "", "## Claim", "", _claim(spec), "",
             f"The statement held on all {tally.decided} decided examples. Below is the one that came nearest its "
             "budget, with the oracle's plots; it is an illustration, not a counterexample.", "",
             "| argument | value |", "|---|---|"]
    lines += [f"| `{_md(k)}` | `{_md(v)}` |" for k, v in rows]
    lines += ["", f"* discrepancy: **{out.discrepancy:.6g}**" + (f" — {out.what}" if out.what else ""),
              f"* budget: {out.budget:.3g}; discrepancy/budget = {ratio:.3g}; the oracle's error estimate: {out.error:.3g}",
              f"* profile `{env.get('profile')}`, suite commit {env.get('git_commit') or 'unknown'}", ""]
    if pictures or plot_error:
        lines += ["## Plots", ""] + [f"![{p.title}]({p.file})\n" for p in pictures]
        if plot_error:
            lines.append(f"(plotting failed: {plot_error})")
    reports.atomic_write(folder / "report.md", "\n".join(lines) + "\n")
    witness = {"what": out.what, "discrepancy": out.discrepancy, "budget": out.budget, "error_estimate": out.error,
               "example": rows, "plots": [asdict(p) for p in pictures], "plot_error": plot_error,
               "json": "closest.json", "closest_call": True}
    return Page(folder, witness)


_VERB = {"falsified": "Counterexample", "refuted": "Witness", "caught": "Counterexample to the planted variant"}


def _claim(spec) -> str:
    """The claim paragraph; for a control, what is planted and the claim of the statement it varies."""
    if spec.kind != "control":
        return prose(spec.claim) if spec.claim else "(no docstring)"
    from theorems.harness import CATALOG

    original = CATALOG.get(spec.control_of or "")
    text = f"A planted false variant of `{spec.control_of}`: {spec.title}. The control passes when the harness " \
           "falsifies it with the statement's own oracle."
    if spec.claim:
        text += f" {prose(spec.claim)}"
    if original is not None and original.claim:
        text += f"\n\nThe statement itself ({original.source or original.id}): {prose(original.claim)}"
    return text


def statement_markdown(tally, env: dict[str, Any], rows: list[tuple[str, str]], pictures: list[plots.Picture],
                       plot_error: str, reproduce: str, nodeid: str = "") -> str:
    """The ``report.md`` of a statement with a witness."""
    spec, out = tally.spec, tally.witness_outcome
    ratio = out.discrepancy / out.budget if out.budget > 0 else float("inf")
    lines = [f"# {spec.id} — {tally.verdict}", "", f"**{spec.title}**", "",
             f"* kind: `{spec.kind}`" + (f" (control of `{spec.control_of}`)" if spec.control_of else ""),
             f"* source: {spec.source or '–'}", f"* check: `{spec.module}:{spec.qualname}`"
             + (f" (pytest node `{nodeid}`)" if nodeid else ""), "", "## Claim", "", _claim(spec), "",
             f"## {_VERB.get(tally.verdict, 'Witness')} (shrunk)", "",
             "| argument | value |", "|---|---|"]
    lines += [f"| `{_md(k)}` | `{_md(v)}` |" for k, v in rows]
    lines += ["", "Exact values (floats round-trip bit for bit): `counterexample.json`.", "",
              "## Discrepancy against budget", "",
              f"* discrepancy: **{out.discrepancy:.6g}**" + (f" — {out.what}" if out.what else ""),
              f"* budget: {out.budget:.3g} (falsifies when the discrepancy exceeds it); discrepancy/budget = {ratio:.3g}",
              f"* the oracle's error estimate: {out.error:.3g} (budget = max(floor, 10 × error estimate))"]
    if out.details:
        lines.append("* details: " + ", ".join(f"{k} = {_md(_short(v))}" for k, v in out.details.items()))
    reasons = ", ".join(f"{r}: {n}" for r, n in tally.inconclusive.most_common()) or "none"
    lines += ["", "## What was tried", "",
              f"* {tally.examples} examples: {tally.decided} decided, {sum(tally.inconclusive.values())} inconclusive "
              f"({reasons})",
              f"* first counterexample at example {getattr(tally, 'examples_to_witness', None) or '?'}; "
              f"{tally.falsifying_calls} falsifying calls in all (the search, the shrink, the final replay)",
              f"* largest discrepancy/budget seen: {_num(tally.max_ratio if np.isfinite(tally.max_ratio) else None)}",
              f"* profile `{env.get('profile')}` (max_examples {env.get('max_examples')}, derandomize "
              f"{env.get('derandomize')}, seed {env.get('seed')}); {tally.seconds:.2f} s",
              f"* Python {env.get('python')}, numpy {env.get('numpy')}, scipy {env.get('scipy')}, Hypothesis "
              f"{env.get('hypothesis')}; suite commit {env.get('git_commit') or 'unknown'}"
              + (" (with uncommitted changes)" if env.get("git_dirty") else "")]
    if pictures or plot_error:
        lines += ["", "## Plots", ""]
        lines += [f"![{p.title}]({p.file})" + "\n" for p in pictures]
        if plot_error:
            lines.append(f"(plotting failed: {plot_error})")
    lines += ["", "## Reproduce", "", "Re-evaluate the check on the stored example, without Hypothesis "
              "(exit status 1: it still falsifies, 0: it holds, 2: inconclusive or not reproducible):", "",
              "```sh", reproduce, "```", "", "Re-run the search:", "", "```sh",
              f"pytest {nodeid.split('::')[0] if nodeid else '<file>'} --statement '{spec.id}' "
              f"--hypothesis-profile={env.get('profile')}", "```", ""]
    return "\n".join(lines)


def _short(v: Any) -> str:
    text = json.dumps(v, default=str) if not isinstance(v, str) else v
    return text if len(text) <= 120 else text[:120] + " …"


# -- the index -------------------------------------------------------------------------------
def _split(records: list[dict]) -> tuple[list[dict], list[dict]]:
    statements = sorted((r for r in records if r["kind"] != "control"), key=lambda r: r["id"])
    controls = sorted((r for r in records if r["kind"] == "control"), key=lambda r: (r.get("control_of") or "", r["id"]))
    return statements, controls


def _inconclusive_text(r: dict) -> str:
    reasons = r.get("inconclusive_reasons") or {}
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))
    return f"{r['inconclusive']}" + (f" ({detail})" if detail else "")


def _counts(records: list[dict]) -> str:
    counts: dict[str, int] = {}
    for r in records:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    return ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))


def _env_line(env: dict) -> str:
    return (f"profile `{env.get('profile')}` (max_examples {env.get('max_examples')}, derandomize "
            f"{env.get('derandomize')}, seed {env.get('seed')}), {env.get('workers')} worker(s); Python "
            f"{env.get('python')}, numpy {env.get('numpy')}, scipy {env.get('scipy')}, Hypothesis "
            f"{env.get('hypothesis')}; commit {env.get('git_commit') or 'unknown'}"
            + (" (dirty)" if env.get("git_dirty") else ""))


def _messages(records: list[dict]) -> list[tuple[dict, str]]:
    """What failing statements without a witness section (and broken reports) have to say."""
    out = []
    for r in sorted(records, key=lambda r: r["id"]):
        if r["verdict"] not in GOOD and r.get("message") and not r.get("report"):
            out.append((r, r["message"]))
        if r.get("report_error"):
            out.append((r, f"the report could not be written: {r['report_error']}"))
    return out


def index_markdown(records: list[dict], env: dict, complete: bool = False) -> str:
    """``index.md``: a table of statements and a table of controls."""
    statements, controls = _split(records)
    lines = ["# Verdicts", "", f"{len(records)} statements: {_counts(records)}." +
             ("" if complete else " **The campaign has not finished (running or interrupted).**"), "",
             _env_line(env), ""]
    for title, rows in (("Statements", statements), ("Negative controls", controls)):
        if not rows:
            continue
        lines += [f"## {title}", "", "| statement | kind | verdict | examples | inconclusive | max discrepancy "
                  "/ budget | seconds |", "|---|---|---|---:|---|---|---:|"]
        for r in rows:
            verdict = f"[{r['verdict']}]({r['report']}/report.md)" if r.get("report") else r["verdict"]
            if r["verdict"] not in GOOD:
                verdict = f"**{verdict}**"
            lines.append(f"| {_md(r['id'])} | {r['kind']} | {verdict} | {r['examples']} | {_md(_inconclusive_text(r))} | "
                         f"{_num(r['max_discrepancy'])} / {_num(r['error_budget'])} | {r['seconds']:.2f} |")
        lines.append("")
    failing = _messages(records)
    if failing:
        lines += ["## Messages", ""] + [f"* **{_md(r['id'])}** ({r['verdict']}): {_md(m)}" for r, m in failing]
        lines.append("")
    return "\n".join(lines)


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:1150px;
 padding:0 1em;color:#1d2330;background:#fff}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #dde;padding-bottom:.2em}
.env{color:#556;font-size:.9em}.warn{background:#fff4d6;border:1px solid #e8c66a;padding:.5em .8em;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.6em 0;font-size:.93em}
th,td{border:1px solid #d8dbe4;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f1f3f8}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:nth-child(even) td{background:#fafbfd}
.v{font-weight:600;padding:.05em .45em;border-radius:3px;white-space:nowrap}
.v-held,.v-caught,.v-refuted{background:#ddf4e4;color:#13622f}
.v-falsified,.v-not-found,.v-missed,.v-error{background:#fbe1e1;color:#9b1c1c}
.v-untested{background:#fff0cc;color:#7a5300}
.badges span{margin-right:.6em}code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f5f6fa;padding:.6em;border-radius:4px;overflow-x:auto}
.witness{border:1px solid #d8dbe4;border-radius:6px;padding:.4em 1em 1em;margin:1.2em 0}
.witness img{max-width:100%;border:1px solid #eee;margin:.4em .4em 0 0}
.figs{display:flex;flex-wrap:wrap;gap:.6em}.figs figure{margin:0;flex:0 1 calc(50% - .6em);min-width:320px}
figcaption{font-size:.85em;color:#556}
"""


def _h(text: Any) -> str:
    return html.escape(str(text))


def _anchor(r: dict) -> str:
    return "w-" + reports.slug(r["id"])


def _verdict_html(r: dict) -> str:
    badge = f'<span class="v v-{_h(r["verdict"])}">{_h(r["verdict"])}</span>'
    return f'<a href="#{_anchor(r)}">{badge}</a>' if r.get("report") else badge


def _table_html(rows: list[dict]) -> str:
    out = ["<table><tr><th>statement</th><th>kind</th><th>verdict</th><th>examples</th><th>inconclusive</th>"
           "<th>max discrepancy / budget</th><th>seconds</th></tr>"]
    for r in rows:
        name = r.get("control_of") if r["kind"] == "control" and r.get("control_of") else r["id"]
        title = f'<br><small>{_h(r.get("title", ""))}</small>' if r.get("title") else ""
        out.append(f"<tr><td title=\"{_h(r['id'])}\"><code>{_h(name)}</code>{title}</td><td>{_h(r['kind'])}</td><td>{_verdict_html(r)}</td>"
                   f"<td class=n>{r['examples']}</td><td>{_h(_inconclusive_text(r))}</td>"
                   f"<td class=n>{_num(r['max_discrepancy'])} / {_num(r['error_budget'])}</td>"
                   f"<td class=n>{r['seconds']:.2f}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


def _png_data(path: Path) -> str | None:
    try:
        return base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError:
        return None


def _witness_html(report_dir: Path, r: dict) -> str:
    w = r.get("witness") or {}
    folder = r["report"]
    parts = [f'<div class="witness" id="{_anchor(r)}"><h3><code>{_h(r["id"])}</code> — {_verdict_html(r)}</h3>',
             f"<p><b>{_h(r.get('title', ''))}</b>" + (f" <small>({_h(r['source'])})</small>" if r.get("source") else "")
             + "</p>"]
    if r.get("claim"):
        parts.append(f"<p>{_h(prose(r['claim'], markdown=False))}</p>")
    if w:
        parts.append(f"<p>discrepancy <b>{_num(w.get('discrepancy'), '.6g')}</b> vs budget {_num(w.get('budget'))} "
                     f"(error estimate {_num(w.get('error_estimate'))}){': ' + _h(w['what']) if w.get('what') else ''}</p>")
        parts.append("<table><tr><th>argument</th><th>value (shrunk)</th></tr>" + "".join(
            f"<tr><td><code>{_h(k)}</code></td><td><code>{_h(v)}</code></td></tr>" for k, v in w.get("example", []))
            + "</table>")
        figs = []
        for p in w.get("plots", []):
            data = _png_data(Path(report_dir) / folder / p["file"])
            if data:
                figs.append(f'<figure><img alt="{_h(p["title"])}" src="data:image/png;base64,{data}">'
                            f"<figcaption>{_h(p['title'])}</figcaption></figure>")
        if figs:
            parts.append('<div class="figs">' + "".join(figs) + "</div>")
        if w.get("plot_error"):
            parts.append(f"<p>(plotting failed: {_h(w['plot_error'])})</p>")
        if w.get("reproduce"):
            parts.append(f"<pre>{_h(w['reproduce'])}</pre>")
    data_file = w.get("json", "counterexample.json")
    parts.append(f'<p><a href="{_h(folder)}/report.md">report.md</a> · '
                 f'<a href="{_h(folder)}/{_h(data_file)}">{_h(data_file)}</a></p></div>')
    return "\n".join(parts)


def index_html(report_dir: Path, records: list[dict], env: dict, complete: bool = False) -> str:
    """``index.html``: the same tables as ``index.md`` plus every witness with its plots, self-contained."""
    statements, controls = _split(records)
    counts: dict[str, int] = {}
    for r in records:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    badges = "".join(f'<span><span class="v v-{_h(v)}">{_h(v)}</span> {n}</span>' for v, n in sorted(counts.items()))
    body = ["<h1>implicit-bias-theorems: verdicts</h1>", f'<p class="badges">{len(records)} statements: {badges}</p>',
            f'<p class="env">{_h(_env_line(env)).replace("`", "")}</p>']
    if not complete:
        body.append('<p class="warn">The campaign has not finished (running or interrupted): '
                    "these are the statements done so far.</p>")
    for title, rows in (("Statements", statements), ("Negative controls", controls)):
        if rows:
            body += [f"<h2>{title}</h2>", _table_html(rows)]
    failing = _messages(records)
    if failing:
        body.append("<h2>Messages</h2><ul>" + "".join(
            f"<li><code>{_h(r['id'])}</code> ({_h(r['verdict'])}): {_h(m)}</li>" for r, m in failing) + "</ul>")
    witnessed = [r for r in statements + controls if r.get("report") and not (r.get("witness") or {}).get("closest_call")]
    if witnessed:
        body.append("<h2>Counterexamples and witnesses</h2>")
        body += [_witness_html(report_dir, r) for r in witnessed]
    closest = [r for r in statements if r.get("report") and (r.get("witness") or {}).get("closest_call")]
    if closest:
        body.append("<h2>Statements that held: the closest call, illustrated</h2>"
                    "<p>For each statement whose oracle draws a picture, the decided example that came nearest its "
                    "budget. Not counterexamples.</p>")
        body += [_witness_html(report_dir, r) for r in closest]
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>implicit-bias verdicts</title>"
            f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{_CSS}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def write_index(report_dir: Path, records: list[dict], env: dict, complete: bool = False) -> None:
    """Write ``index.md`` and ``index.html`` listing every statement with its verdict."""
    reports.atomic_write(Path(report_dir) / "index.md", index_markdown(records, env, complete))
    reports.atomic_write(Path(report_dir) / "index.html", index_html(report_dir, records, env, complete))
