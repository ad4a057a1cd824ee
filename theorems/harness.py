"""Statements as property tests: the decorators, the per-statement tally, and the verdict.

A statement is a Hypothesis test that *returns* an :class:`~oracles.outcome.Outcome`::

    @universal("li2022:thm-4.2", title="commuting <=> flows commute", source="li2022 §4.1, Thm 4.2")
    @given(G=commuting_family(), x=..., s=..., t=...)
    def test_thm_4_2(G, x, s, t):
        return flows_commute_gap(G, x, s, t)

The decorator replaces Hypothesis's ``inner_test`` (its documented hook) with a wrapper that

* turns :class:`~oracles.errors.Inconclusive` and undecided outcomes into ``reject()`` with an
  ``event`` naming the reason, and counts them;
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

Any kind can also end ``untested`` (most examples inconclusive: fix the generator) or ``error``.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis import event, note, reject, target

from oracles.core.errors import Inconclusive
from oracles.core.outcome import Outcome

KINDS = ("universal", "refutation", "conjecture", "control")
#: A statement whose inconclusive examples outnumber this share of all examples is ``untested``.
MAX_INCONCLUSIVE_SHARE = 0.5


@dataclass(frozen=True)
class StatementSpec:
    """What the catalog knows of a statement."""

    id: str
    kind: str
    title: str
    source: str = ""
    claim: str = ""
    control_of: str | None = None
    module: str = ""
    qualname: str = ""
    file: str = ""


@dataclass
class Tally:
    """What one run of a statement saw."""

    spec: StatementSpec
    examples: int = 0
    inconclusive: Counter = field(default_factory=Counter)
    max_discrepancy: float = float("nan")
    budget_at_max: float = float("nan")
    max_ratio: float = -math.inf
    error_budget: float = float("nan")
    falsifying_calls: int = 0
    examples_to_witness: int | None = None
    witness: dict[str, Any] | None = None
    witness_outcome: Outcome | None = None
    #: the decided example nearest its budget that did not falsify, kept when its outcome can plot
    closest: dict[str, Any] | None = None
    closest_outcome: Outcome | None = None
    verdict: str = "error"
    message: str = ""
    seconds: float = 0.0

    @property
    def decided(self) -> int:
        return self.examples - sum(self.inconclusive.values())

    def record(self, outcome: Outcome, example: dict[str, Any]) -> None:
        self.examples += 1
        if outcome.inconclusive is not None:
            self.inconclusive[outcome.inconclusive] += 1
            return
        if outcome.ratio > self.max_ratio or self.examples == 1:
            self.max_ratio = outcome.ratio
            self.max_discrepancy = float(outcome.discrepancy)
            self.budget_at_max = float(outcome.budget)
        self.error_budget = float(outcome.budget) if math.isnan(self.error_budget) else max(self.error_budget, float(outcome.budget))
        if not outcome.falsified and outcome.plot is not None and (
                self.closest_outcome is None or outcome.ratio >= self.closest_outcome.ratio):
            self.closest, self.closest_outcome = dict(example), outcome
        if outcome.falsified:
            if self.falsifying_calls == 0:
                self.examples_to_witness = self.examples
            self.falsifying_calls += 1
            self.witness, self.witness_outcome = dict(example), outcome

    def record_dict(self) -> dict[str, Any]:
        """The summary.json record of this statement."""
        w = self.witness_outcome
        return {
            "id": self.spec.id, "kind": self.spec.kind, "title": self.spec.title, "source": self.spec.source,
            "control_of": self.spec.control_of, "verdict": self.verdict, "examples": self.examples,
            "decided": self.decided, "inconclusive": sum(self.inconclusive.values()),
            "inconclusive_reasons": dict(self.inconclusive),
            "max_discrepancy": _finite(self.max_discrepancy), "error_budget": _finite(self.budget_at_max),
            "largest_budget": _finite(self.error_budget),
            "examples_to_witness": self.examples_to_witness, "shrink_calls": max(0, self.examples - (self.examples_to_witness or self.examples)),
            "witness_discrepancy": _finite(w.discrepancy) if w else None,
            "witness_budget": _finite(w.budget) if w else None,
            "seconds": round(self.seconds, 3), "message": self.message,
        }


def _finite(v: float) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


class Falsified(AssertionError):
    """An example whose discrepancy exceeds its budget."""

    def __init__(self, spec: StatementSpec, outcome: Outcome) -> None:
        self.spec, self.outcome = spec, outcome
        super().__init__(f"{spec.id}: discrepancy {outcome.discrepancy:.6g} > budget {outcome.budget:.3g}"
                         + (f" ({outcome.what})" if outcome.what else ""))


class WitnessNotFound(AssertionError):
    """A refutation or control whose counterexample the search did not find."""


class Untested(AssertionError):
    """Most examples were inconclusive: the statement was not really tested."""


CATALOG: dict[str, StatementSpec] = {}
_CHECKS: dict[str, Callable] = {}
_ACTIVE: dict[str, Tally] = {}
LAST: dict[str, Tally] = {}


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
    saved = {name: module_globals[name] for name in ("event", "note", "target")
             if module_globals.get(name) is getattr(hypothesis, name)}
    module_globals.update({name: (lambda *a, **k: None) for name in saved})
    try:
        yield
    finally:
        module_globals.update(saved)


def run_check(check: Callable, example: dict[str, Any]) -> Outcome:
    """Call a check, turning :class:`Inconclusive` into an undecided outcome.

    Works inside a Hypothesis test and outside one (``python -m theorems reproduce``).
    """
    try:
        with _outside_hypothesis(check):
            outcome = check(**example)
    except Inconclusive as exc:
        return Outcome.undecided(exc.reason, detail=exc.detail)
    if not isinstance(outcome, Outcome):
        raise TypeError(f"{getattr(check, '__qualname__', check)} must return an oracles.Outcome, "
                        f"got {type(outcome).__name__}")
    return outcome


def _contains_falsified(exc: BaseException) -> bool:
    if isinstance(exc, Falsified):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return any(_contains_falsified(e) for e in exc.exceptions)
    return False


def statement(id: str, kind: str, title: str, source: str = "", control_of: str | None = None):
    """Register a Hypothesis test as a statement of the given kind (see the module docstring)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")

    def decorate(test: Callable) -> Callable:
        if not hasattr(test, "hypothesis"):
            raise TypeError(f"@{kind}({id!r}) must be applied on top of @given(...)")
        inner = test.hypothesis.inner_test
        doc = inspect.getdoc(inner) or inspect.getdoc(test) or ""
        spec = StatementSpec(id, kind, title, source, doc.split("\n\n")[0].replace("\n", " ") if doc else "",
                             control_of, inner.__module__, inner.__qualname__, inspect.getsourcefile(inner) or "")
        key = id if kind != "control" else f"{id}"
        if key in CATALOG and (CATALOG[key].module, CATALOG[key].qualname) != (spec.module, spec.qualname):
            raise ValueError(f"statement ID {id!r} is registered twice: {CATALOG[key].module}.{CATALOG[key].qualname} "
                             f"and {spec.module}.{spec.qualname}")
        CATALOG[key] = spec
        _CHECKS[key] = inner

        @functools.wraps(inner)
        def checked(*args, **kwargs):
            tally = _ACTIVE.get(key)
            outcome = run_check(inner, dict(zip(inspect.signature(inner).parameters, args)) | kwargs)
            if tally is not None:
                tally.record(outcome, kwargs)
            if outcome.inconclusive is not None:
                event(f"inconclusive: {outcome.inconclusive}")
                reject()
            target(min(outcome.ratio, 1e300), label="discrepancy/budget")
            note(f"discrepancy {outcome.discrepancy:.6g} vs budget {outcome.budget:.3g} (error estimate "
                 f"{outcome.error:.3g}){': ' + outcome.what if outcome.what else ''}")
            if outcome.falsified:
                raise Falsified(spec, outcome)

        test.hypothesis.inner_test = checked

        @functools.wraps(test)
        def run(*args, **kwargs):
            tally = _ACTIVE[key] = LAST[key] = Tally(spec)
            start = time.perf_counter()
            try:
                test(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - re-raised below unless it is the expected witness
                tally.seconds = time.perf_counter() - start
                if _contains_falsified(exc):
                    if kind in ("refutation", "control"):
                        tally.verdict = "refuted" if kind == "refutation" else "caught"
                        return
                    tally.verdict, tally.message = "falsified", str(tally.witness_outcome and Falsified(spec, tally.witness_outcome))
                else:
                    tally.verdict, tally.message = "error", f"{type(exc).__name__}: {exc}"
                raise
            finally:
                tally.seconds = time.perf_counter() - start
                _ACTIVE.pop(key, None)
            if tally.examples and sum(tally.inconclusive.values()) > MAX_INCONCLUSIVE_SHARE * tally.examples:
                tally.verdict = "untested"
                tally.message = (f"{sum(tally.inconclusive.values())} of {tally.examples} examples were inconclusive "
                                 f"({dict(tally.inconclusive)}): the generator must be fixed")
                raise Untested(f"{id}: {tally.message}")
            if kind in ("refutation", "control"):
                tally.verdict = "not-found" if kind == "refutation" else "missed"
                tally.message = (f"no witness in {tally.examples} examples ({tally.decided} decided); "
                                 f"largest discrepancy/budget {tally.max_ratio:.3g}")
                raise WitnessNotFound(f"{id}: {tally.message}")
            tally.verdict = "held"

        run.statement = spec
        run.statement_check = inner
        import pytest

        mark = pytest.mark.statement(id=id, kind=kind)
        return mark(run)

    return decorate


def universal(id: str, title: str, source: str = ""):
    """A statement that must hold for every generated input."""
    return statement(id, "universal", title, source)


def refutation(id: str, title: str, source: str = ""):
    """A statement whose source proves a counterexample exists: passes when the search finds one."""
    return statement(id, "refutation", title, source)


def conjecture(id: str, title: str, source: str = ""):
    """An open statement: held or falsified, with the same report as any other."""
    return statement(id, "conjecture", title, source)


def control(id: str, title: str, source: str = ""):
    """A planted false variant of statement ``id``: passes when the same machinery falsifies it.

    The control's own ID is ``"<id> [control: <title>]"`` so that several controls of one
    statement are told apart in reports.
    """
    return statement(f"{id} [control: {title}]", "control", title, source, control_of=id)
