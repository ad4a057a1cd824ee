"""Statements as property tests: the decorators, the per-statement tally, and the verdict.

A statement is a Hypothesis test that *returns* an :class:`oracles.Outcome`::

    @universal("li2022:thm-4.2", title="commuting <=> flows commute", source="li2022 §4.1, Thm 4.2",
               fields=("G", "x", "i", "j", "s", "t"))
    @given(case=commuting_case())
    def test_thm_4_2(case):
        G, x, i, j, s, t = case
        return flows_commute_gap(G, x, i, j, s, t)

The decorator replaces Hypothesis's ``inner_test`` (its documented hook) with a wrapper that

* turns :class:`oracles.Inconclusive` and undecided outcomes into ``reject()`` with an ``event``
  naming the reason, and counts them;
* calls ``target(discrepancy / budget)`` so that the search climbs toward counterexamples, and
  ``note``\\ s the discrepancy against its budget;
* raises :class:`Falsified` when the discrepancy exceeds the budget, keeping the (last, hence
  shrunk) falsifying example for the report.

Kinds and verdicts:

==============  =========================================  ===========================================
kind            the test passes when                       verdicts
==============  =========================================  ===========================================
``universal``   no counterexample in N examples            ``held`` / ``falsified``
``conjecture``  no counterexample in N examples            ``held`` / ``falsified``
``refutation``  a witness (counterexample) is found        ``refuted`` / ``not-found``
``control``     the planted false variant is falsified     ``caught`` / ``missed``
==============  =========================================  ===========================================

Any kind can also end ``error`` (the check raised something else) or ``untested``, when it was not
really tested (:func:`untested_reason`):

* more than :data:`MAX_INCONCLUSIVE_SHARE` of its examples were inconclusive, or
* it ended without a witness having *decided* fewer than ``min_decided`` examples -- e.g. a strategy
  that can produce only one example. ``min_decided`` defaults to :func:`default_min_decided` of the
  run's ``max_examples`` (10, or a tenth of ``max_examples`` when that is smaller, at least 1); a
  statement whose search space is small by design sets it on its decorator:
  ``@universal(..., min_decided=3)``.

How the tally reaches the plugin: while pytest calls a test, the plugin holds
:func:`collect_tallies` open (a context variable, so nothing global is left behind); the decorated
test appends its :class:`Tally` to it and the plugin moves it into the item's ``stash``. Outside
pytest the tally is simply not collected.

Argument names in reports: a statement whose argument is one composite value (a tuple drawn by an
``@st.composite`` strategy) names its parts with ``fields=("G", "x", ...)`` (one argument) or
``fields={"case": ("G", "x", ...)}``; reports then show ``case.G``, ``case.x`` instead of
``case[0]``, ``case[1]``. The value itself is unchanged, so its JSON encoding stays exact. A
``NamedTuple`` or a dict with string keys is named by its own fields without declaring anything.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import math
import re
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, cast

from hypothesis import event, note, reject, target
from hypothesis.errors import Unsatisfiable

from oracles import Inconclusive, Outcome, budget_from_error

KINDS = ("universal", "refutation", "conjecture", "control")
#: A statement whose inconclusive examples outnumber this share of all examples is ``untested``.
MAX_INCONCLUSIVE_SHARE = 0.5
#: At most this many decided examples are demanded by default (:func:`default_min_decided`) ...
MIN_DECIDED = 10
#: ... or this share of ``max_examples`` when that is fewer.
MIN_DECIDED_SHARE = 0.1
#: The factor between an error estimate and the budget it earns (``budget_from_error``'s safety factor).
SAFETY = float(budget_from_error(1.0, floor=0.0))
#: How reports name what set a budget (:attr:`oracles.Outcome.budget_set_by`).
BUDGET_REASONS = {"floor": "floor", "error": f"{SAFETY:g} × error estimate", "certificate": "certificate"}

_NONFINITE = re.compile(r"non-finite|\bnan\b|\binf(inity)?\b|overflow", re.IGNORECASE)


def default_min_decided(max_examples: int | None) -> int:
    """The fewest decided examples a statement without a witness needs not to be ``untested``.

    ``min(MIN_DECIDED, ceil(MIN_DECIDED_SHARE * max_examples))``, and at least 1: 10 at the ``ci``
    (200) and ``thorough`` (1000) profiles, 5 at ``dev`` (50), 1 for ``max_examples`` up to 10.

    Parameters
    ----------
    max_examples
        The ``max_examples`` setting the statement runs with (``None``: unknown, demand 1).

    Returns
    -------
    int
    """
    if not max_examples:
        return 1
    return max(1, min(MIN_DECIDED, math.ceil(MIN_DECIDED_SHARE * max_examples)))


def is_nonfinite(reason: str, detail: str = "") -> bool:
    """Whether an inconclusive example was stopped by a non-finite value (NaN, inf, overflow).

    True for the reasons :class:`oracles.Outcome` gives itself (``non-finite discrepancy`` ...) and
    for any reason whose detail says so (``blow-up`` with detail ``non-finite state``).
    """
    return bool(_NONFINITE.search(f"{reason} {detail}"))


def budget_reason(budget: float, error: float, floor: float | None = None, set_by: str | None = None) -> str:
    """Why a budget is what it is: ``"10 × error estimate"``, ``"floor"``, ``"certificate"`` or ``"set by the check"``.

    Parameters
    ----------
    budget, error
        The outcome's budget and error estimate.
    floor
        The floor the oracle used, when the outcome says (``Outcome.floor``); without it a budget above
        ``10 × error`` is taken to be the floor.
    set_by
        What the outcome says set its budget (``Outcome.budget_set_by``: ``"floor"``, ``"error"``,
        ``"certificate"``); when given it is the answer, and nothing is inferred.
    """
    if set_by in BUDGET_REASONS:
        return BUDGET_REASONS[set_by]
    ten = SAFETY * error
    if error > 0 and math.isclose(budget, ten, rel_tol=1e-12):
        return f"{SAFETY:g} × error estimate"
    if floor is not None and math.isfinite(floor):
        return "floor" if math.isclose(budget, floor, rel_tol=1e-12) else "set by the check"
    return "floor" if budget > ten else "set by the check"


@dataclass(frozen=True)
class StatementSpec:
    """What the catalog knows of a statement.

    ``fields`` names the parts of composite arguments, as ``((argument, (name, ...)), ...)``;
    ``min_decided`` is the decorator's value (``None``: :func:`default_min_decided`).
    """

    id: str
    kind: str
    title: str
    source: str = ""
    claim: str = ""
    control_of: str | None = None
    module: str = ""
    qualname: str = ""
    file: str = ""
    min_decided: int | None = None
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def field_names(self) -> dict[str, tuple[str, ...]]:
        """``{argument: names of its parts}`` as declared with ``fields=``."""
        return dict(self.fields)


def now() -> str:
    """The current time, UTC, ISO 8601 with milliseconds (sorts as a string)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Tally:
    """What one run of a statement saw.

    ``worst`` is the decided outcome with the largest discrepancy/budget (the one nearest to, or
    furthest beyond, falsifying); ``max_discrepancy`` and ``largest_budget`` are the largest of any
    decided example; ``nonfinite`` counts the inconclusive examples stopped by NaN/inf, by reason.
    """

    spec: StatementSpec
    examples: int = 0
    inconclusive: Counter = field(default_factory=Counter)
    nonfinite: Counter = field(default_factory=Counter)
    worst: Outcome | None = None
    max_discrepancy: float = float("nan")
    largest_budget: float = float("nan")
    falsifying_calls: int = 0
    examples_to_witness: int | None = None
    witness: dict[str, Any] | None = None
    witness_outcome: Outcome | None = None
    #: the decided example nearest its budget that did not falsify, kept when its outcome can plot
    closest: dict[str, Any] | None = None
    closest_outcome: Outcome | None = None
    max_examples: int | None = None
    min_decided: int = 1
    verdict: str = "error"
    message: str = ""
    seconds: float = 0.0
    #: of ``seconds``, the time spent inside the check (the oracle); the rest is Hypothesis drawing and searching
    oracle_seconds: float = 0.0
    finished: str = ""

    @property
    def decided(self) -> int:
        """Examples that reached a verdict (not inconclusive)."""
        return self.examples - sum(self.inconclusive.values())

    @property
    def max_ratio(self) -> float:
        """The largest discrepancy/budget of a decided example (``-inf`` when none was decided)."""
        return self.worst.ratio if self.worst is not None else -math.inf

    def record(self, outcome: Outcome, example: dict[str, Any]) -> None:
        """Count one call of the check."""
        self.examples += 1
        if outcome.inconclusive is not None:
            self.inconclusive[outcome.inconclusive] += 1
            if is_nonfinite(outcome.inconclusive, str((outcome.details or {}).get("detail", ""))):
                self.nonfinite[outcome.inconclusive] += 1
            return
        if self.worst is None or outcome.ratio > self.worst.ratio:
            self.worst = outcome
        self.max_discrepancy = _nanmax(self.max_discrepancy, float(outcome.discrepancy))
        self.largest_budget = _nanmax(self.largest_budget, float(outcome.budget))
        if (
            not outcome.falsified
            and outcome.plot is not None
            and (self.closest_outcome is None or outcome.ratio >= self.closest_outcome.ratio)
        ):
            self.closest, self.closest_outcome = dict(example), outcome
        if outcome.falsified:
            if self.falsifying_calls == 0:
                self.examples_to_witness = self.examples
            self.falsifying_calls += 1
            self.witness, self.witness_outcome = dict(example), outcome

    def result(self) -> dict[str, Any]:
        """The numbers of this run of the statement, as keys of its summary.json record (assembled by
        :func:`theorems.suite.reports.record`)."""
        w = self.witness_outcome
        return {
            "examples": self.examples,
            "decided": self.decided,
            "inconclusive": sum(self.inconclusive.values()),
            "inconclusive_reasons": dict(self.inconclusive),
            "nonfinite_reasons": dict(self.nonfinite),
            "min_decided": self.min_decided,
            "max_examples": self.max_examples,
            **outcome_fields("worst", self.worst),
            "max_discrepancy": _finite(self.max_discrepancy),
            "largest_budget": _finite(self.largest_budget),
            "examples_to_witness": self.examples_to_witness,
            "shrink_calls": max(0, self.examples - (self.examples_to_witness or self.examples)),
            "witness_discrepancy": _finite(w.discrepancy) if w else None,
            "witness_budget": _finite(w.budget) if w else None,
            "seconds": round(self.seconds, 3),
            "oracle_seconds": round(self.oracle_seconds, 3),
            "finished": self.finished,
            "message": self.message,
        }

    def record_dict(self) -> dict[str, Any]:
        """The summary.json record of this statement (schema in reports/README.md), without its node and folder."""
        from theorems.suite.reports import tally_record

        return tally_record(self)


def outcome_fields(prefix: str, outcome: Outcome | None) -> dict[str, Any]:
    """``<prefix>_discrepancy``, ``_budget``, ``_error_estimate``, ``_floor``, ``_budget_reason`` of an outcome.

    The floor is the outcome's own (``Outcome.floor``) when it has one; otherwise it is inferred only
    when the budget must be the floor (it exceeds ``10 × error``), else ``None``.
    """
    keys = ("discrepancy", "budget", "error_estimate", "floor", "budget_reason")
    if outcome is None or outcome.inconclusive is not None:
        return {f"{prefix}_{k}": None for k in keys}
    floor = getattr(outcome, "floor", None)
    reason = budget_reason(float(outcome.budget), float(outcome.error), floor, getattr(outcome, "budget_set_by", None))
    if floor is None and reason == "floor":
        floor = outcome.budget
    values = (outcome.discrepancy, outcome.budget, outcome.error, floor, reason)
    return {f"{prefix}_{k}": (v if isinstance(v, str) else _finite(v)) for k, v in zip(keys, values)}


def _nanmax(a: float, b: float) -> float:
    return b if math.isnan(a) else max(a, b)


def _finite(v: float | None) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


def untested_reason(tally: Tally) -> str | None:
    """Why a statement that ended without a witness was not really tested, or ``None`` if it was.

    Two rules, in order: more than :data:`MAX_INCONCLUSIVE_SHARE` of the examples inconclusive; fewer
    than ``tally.min_decided`` decided examples. The message names the inconclusive reasons with their
    counts, and says when non-finite values (NaN/inf in the map, the flow or the comparison) dominate them:
    then the computation must be fixed, not the generator.
    """
    n_inc = sum(tally.inconclusive.values())
    if tally.examples and n_inc > MAX_INCONCLUSIVE_SHARE * tally.examples:
        return f"{n_inc} of {tally.examples} examples were inconclusive ({_reasons(tally.inconclusive)}): " + _cause(
            tally
        )
    if tally.decided < tally.min_decided:
        tried = f"of {tally.examples} tried" + (f", max_examples {tally.max_examples}" if tally.max_examples else "")
        text = (
            f"only {tally.decided} example{'s' if tally.decided != 1 else ''} decided ({tried}); at least "
            f"{tally.min_decided} are required"
        )
        if n_inc:
            return f"{text}. Inconclusive: {_reasons(tally.inconclusive)}: " + _cause(tally)
        return (
            f"{text}: the strategy produced too few distinct examples (if the search space is that small by "
            f"design, declare min_decided= on the statement's decorator)"
        )
    return None


def _reasons(counts: Counter) -> str:
    return ", ".join(f"{r}: {n}" for r, n in counts.most_common())


def _cause(tally: Tally) -> str:
    n_inc, n_nonfinite = sum(tally.inconclusive.values()), sum(tally.nonfinite.values())
    if n_nonfinite * 2 > n_inc:
        return (
            f"the oracle produced non-finite values (NaN or inf) in {n_nonfinite} of them "
            f"({_reasons(tally.nonfinite)}); find where the map, its derivatives or the flow stop being "
            f"finite on these inputs"
        )
    reason = tally.inconclusive.most_common(1)[0][0]
    return (
        f"the generator produces examples the oracle cannot decide (most often: {reason}); narrow the "
        f"generator to inputs the oracle decides, or make the oracle decide them"
    )


class Falsified(AssertionError):
    """An example whose discrepancy exceeds its budget."""

    def __init__(self, spec: StatementSpec, outcome: Outcome) -> None:
        self.spec, self.outcome = spec, outcome
        super().__init__(
            f"{spec.id}: discrepancy {outcome.discrepancy:.6g} > budget {outcome.budget:.3g}"
            + (f" ({outcome.what})" if outcome.what else "")
        )


class WitnessNotFound(AssertionError):
    """A refutation or control whose counterexample the search did not find."""


class Untested(AssertionError):
    """The statement was not really tested (see :func:`untested_reason`)."""


class StatementTimeout(BaseException):
    """The statement ran past its time limit (``--timeout=N``, raised by the plugin's signal handler).

    A ``BaseException`` on purpose: Hypothesis takes an ``Exception`` (or pytest's ``Failed``, which
    pytest-timeout raises itself) for a failing example and replays it to shrink -- and the replay of a
    hanging example hangs, with the one-shot alarm spent. This one ends the statement at once; its verdict
    is ``error`` with this message, and the campaign goes on.
    """


CATALOG: dict[str, StatementSpec] = {}
_CHECKS: dict[str, Callable] = {}
#: the tally of the statement running in this context (read by the wrapped check)
_RUNNING: contextvars.ContextVar[Tally | None] = contextvars.ContextVar("statement_running", default=None)
#: where a finished statement leaves its tally (opened by :func:`collect_tallies`)
_SINK: contextvars.ContextVar[list[Tally] | None] = contextvars.ContextVar("statement_tallies", default=None)


@contextlib.contextmanager
def collect_tallies() -> Iterator[list[Tally]]:
    """Collect the tallies of the statements run inside the block (the pytest plugin wraps each test call).

    Yields
    ------
    list of Tally
        Filled as statements finish, in order.
    """
    sink: list[Tally] = []
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)


def check_function(statement_id: str) -> Callable:
    """The undecorated check of a statement: ``check(**example) -> Outcome``."""
    return _CHECKS[statement_id]


@contextlib.contextmanager
def _outside_hypothesis(check: Callable):
    """Let a check that calls ``event``/``note``/``target`` run outside a Hypothesis test.

    Those functions raise outside a test; while reproducing, the names in the check's module that
    are bound to them are pointed at a no-op, and restored afterwards.
    """
    import hypothesis

    module_globals = getattr(check, "__globals__", {})
    if hypothesis.currently_in_test_context():
        yield
        return
    saved = {
        name: module_globals[name]
        for name in ("event", "note", "target")
        if module_globals.get(name) is getattr(hypothesis, name)
    }
    module_globals.update({name: (lambda *a, **k: None) for name in saved})
    try:
        yield
    finally:
        module_globals.update(saved)


def run_check(check: Callable, example: dict[str, Any]) -> Outcome:
    """Call a check, turning :class:`oracles.Inconclusive` into an undecided outcome.

    Works inside a Hypothesis test and outside one (``python -m theorems reproduce``).
    """
    try:
        with _outside_hypothesis(check):
            outcome = check(**example)
    except Inconclusive as exc:
        return Outcome.undecided(exc.reason, detail=exc.detail)
    if not isinstance(outcome, Outcome):
        raise TypeError(
            f"{getattr(check, '__qualname__', check)} must return an oracles.Outcome, got {type(outcome).__name__}"
        )
    return outcome


def _contains(exc: BaseException, kind: type[BaseException]) -> bool:
    if isinstance(exc, kind):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return any(_contains(e, kind) for e in exc.exceptions)
    return False


def _normalize_fields(
    fields: Sequence[str] | Mapping[str, Sequence[str]] | None, params: list[str], where: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``fields=`` as ``((argument, names), ...)``, checked against the test's parameters."""
    if fields is None:
        return ()
    if isinstance(fields, str):
        raise TypeError(f"{where}: fields= must be a sequence of names, not a string")
    if not isinstance(fields, Mapping):
        if len(params) != 1:
            raise TypeError(
                f"{where}: fields=(...) names the parts of the test's only argument; this test has "
                f"{len(params)} ({', '.join(params)}): give fields={{argument: (names...)}}"
            )
        fields = {params[0]: fields}
    out = []
    for arg, names in fields.items():
        if arg not in params:
            raise TypeError(
                f"{where}: fields= names argument {arg!r}, which the test does not have ({', '.join(params)})"
            )
        if isinstance(names, str) or not all(isinstance(n, str) and n for n in names):
            raise TypeError(f"{where}: fields[{arg!r}] must be a sequence of non-empty names")
        out.append((arg, tuple(names)))
    return tuple(out)


def _settings_of(test: Callable):
    """The Hypothesis settings a @given test runs with (what Hypothesis itself reads at call time)."""
    from hypothesis import settings

    return getattr(test, "_hypothesis_internal_use_settings", None) or settings.default


#: A statement ID: a letter or digit first, then letters, digits and ``. _ + : -`` (``li2022:thm-4.2``).
STATEMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+:-]{0,199}")


def check_statement_id(statement_id: Any) -> None:
    """Refuse an ID that is not :data:`STATEMENT_ID` (it names folders of the report store: ``..`` would be the
    store's parent), with one line naming it.

    Raises
    ------
    ValueError
    """
    if not isinstance(statement_id, str) or not STATEMENT_ID.fullmatch(statement_id):
        raise ValueError(
            f"statement ID {statement_id!r} is not valid: an ID begins with a letter or digit and holds "
            f"only letters, digits and . _ + : - (at most 200 characters), like 'li2022:thm-4.2'"
        )


def statement(
    id: str,
    kind: str,
    title: str,
    source: str = "",
    control_of: str | None = None,
    *,
    min_decided: int | None = None,
    fields: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
) -> Callable[[Callable], Callable]:
    """Register a Hypothesis test as a statement of the given kind (see the module docstring).

    Parameters
    ----------
    id, kind, title, source
        The statement's ID (``source:label``), one of :data:`KINDS`, a one-line title and where it is stated.
    control_of
        For a control: the ID of the statement it plants a false variant of.
    min_decided
        The fewest decided examples for a verdict without a witness (default :func:`default_min_decided`).
    fields
        Names of the parts of a composite argument, for reports: a sequence (the test's only argument)
        or ``{argument: names}``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    check_statement_id(control_of if kind == "control" and control_of is not None else id)
    if min_decided is not None and (not isinstance(min_decided, int) or min_decided < 1):
        raise ValueError(f"min_decided must be a positive integer, got {min_decided!r}")

    def decorate(test: Callable) -> Callable:
        if not hasattr(test, "hypothesis"):
            raise TypeError(f"@{kind}({id!r}) must be applied on top of @given(...)")
        inner = test.hypothesis.inner_test
        params = list(inspect.signature(inner).parameters)
        doc = inspect.getdoc(inner) or inspect.getdoc(test) or ""
        spec = StatementSpec(
            id,
            kind,
            title,
            source,
            doc.split("\n\n")[0].replace("\n", " ") if doc else "",
            control_of,
            inner.__module__,
            inner.__qualname__,
            inspect.getsourcefile(inner) or "",
            min_decided,
            _normalize_fields(fields, params, f"@{kind}({id!r})"),
        )
        if id in CATALOG and (CATALOG[id].module, CATALOG[id].qualname) != (spec.module, spec.qualname):
            raise ValueError(
                f"statement ID {id!r} is registered twice: {CATALOG[id].module}.{CATALOG[id].qualname} "
                f"and {spec.module}.{spec.qualname}"
            )
        CATALOG[id] = spec
        _CHECKS[id] = inner

        @functools.wraps(inner)
        def checked(*args, **kwargs):
            start = time.perf_counter()
            outcome = run_check(inner, dict(zip(params, args)) | kwargs)
            tally = _RUNNING.get()
            if tally is not None and tally.spec.id == id:
                tally.oracle_seconds += time.perf_counter() - start
                tally.record(outcome, kwargs)
            if outcome.inconclusive is not None:
                event(f"inconclusive: {outcome.inconclusive}")
                reject()
            target(min(outcome.ratio, 1e300), label="discrepancy/budget")
            note(
                f"discrepancy {outcome.discrepancy:.6g} vs budget {outcome.budget:.3g} (error estimate "
                f"{outcome.error:.3g}){': ' + outcome.what if outcome.what else ''}"
            )
            if outcome.falsified:
                raise Falsified(spec, outcome)

        test.hypothesis.inner_test = checked

        @functools.wraps(test)
        def run(*args, **kwargs):
            max_examples = _settings_of(test).max_examples
            tally = Tally(
                spec,
                max_examples=max_examples,
                min_decided=min_decided if min_decided is not None else default_min_decided(max_examples),
            )
            sink = _SINK.get()
            if sink is not None:
                sink.append(tally)
            token = _RUNNING.set(tally)
            start = time.perf_counter()
            try:
                _run_and_judge(test, args, kwargs, tally)
            finally:
                _RUNNING.reset(token)
                tally.seconds = time.perf_counter() - start
                tally.finished = now()

        cast(Any, run).statement = spec
        cast(Any, run).statement_check = inner
        import pytest

        return pytest.mark.statement(id=id, kind=kind)(run)

    return decorate


def _run_and_judge(test: Callable, args: tuple, kwargs: dict, tally: Tally) -> None:
    """Run the Hypothesis test and set the tally's verdict; raise when the statement fails."""
    spec = tally.spec
    try:
        test(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001 - re-raised below unless it is the expected witness
        if _contains(exc, Falsified):
            if spec.kind in ("refutation", "control"):
                tally.verdict = "refuted" if spec.kind == "refutation" else "caught"
                return
            tally.verdict = "falsified"
            tally.message = str(Falsified(spec, tally.witness_outcome)) if tally.witness_outcome else str(exc)
            raise
        if _contains(exc, Unsatisfiable) and tally.examples:  # every example inconclusive
            tally.verdict, tally.message = "untested", untested_reason(tally) or str(exc)
            raise Untested(f"{spec.id}: {tally.message}") from None
        tally.verdict, tally.message = "error", f"{type(exc).__name__}: {exc}"
        raise
    reason = untested_reason(tally)
    if reason is not None:
        tally.verdict, tally.message = "untested", reason
        raise Untested(f"{spec.id}: {reason}")
    if spec.kind in ("refutation", "control"):
        tally.verdict = "not-found" if spec.kind == "refutation" else "missed"
        tally.message = (
            f"no witness in {tally.examples} examples ({tally.decided} decided); "
            f"largest discrepancy/budget {tally.max_ratio:.3g}"
        )
        raise WitnessNotFound(f"{spec.id}: {tally.message}")
    tally.verdict = "held"


def universal(
    id: str,
    title: str,
    source: str = "",
    *,
    min_decided: int | None = None,
    fields: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
) -> Callable[[Callable], Callable]:
    """A statement that must hold for every generated input (see :func:`statement` for the options)."""
    return statement(id, "universal", title, source, min_decided=min_decided, fields=fields)


def refutation(
    id: str,
    title: str,
    source: str = "",
    *,
    min_decided: int | None = None,
    fields: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
) -> Callable[[Callable], Callable]:
    """A statement whose source proves a counterexample exists: passes when the search finds one."""
    return statement(id, "refutation", title, source, min_decided=min_decided, fields=fields)


def conjecture(
    id: str,
    title: str,
    source: str = "",
    *,
    min_decided: int | None = None,
    fields: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
) -> Callable[[Callable], Callable]:
    """An open statement: held or falsified, with the same report as any other."""
    return statement(id, "conjecture", title, source, min_decided=min_decided, fields=fields)


def control(
    id: str,
    title: str,
    source: str = "",
    *,
    min_decided: int | None = None,
    fields: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
) -> Callable[[Callable], Callable]:
    """A planted false variant of statement ``id``: passes when the same machinery falsifies it.

    The control's own ID is ``"<id> [control: <title>]"`` so that several controls of one
    statement are told apart in reports.
    """
    return statement(
        f"{id} [control: {title}]", "control", title, source, control_of=id, min_decided=min_decided, fields=fields
    )
