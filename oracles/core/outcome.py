"""What every oracle comparison returns: a discrepancy with its error budget.

An :class:`Outcome` falsifies a statement only when ``discrepancy > budget``, where the budget is
derived from the oracle's own error estimate (e.g. the same solve at two tolerances) and a
floating-point floor. A NaN discrepancy is never a verdict: it makes the outcome inconclusive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from oracles.core.errors import InvalidInput, Reason, canonical_reason

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

#: Relative agreement demanded of closed-form comparisons (matrix exponentials, explicit formulas).
CLOSED_FORM_BUDGET = 1e-9
#: Factor between an oracle's error estimate and the budget it is allowed.
SAFETY = 10.0
EPS = float(np.finfo(float).eps)
#: A relative error estimate at or above this (so a budget ``SAFETY`` times it, at least 1) cannot decide a
#: relative discrepancy: such an example is inconclusive ("unresolved"), not held. Found in the summaries:
#: budgets of 1e286–1e291 where a quantity's scale vanished (w(t) ≈ 0, x ≈ 0, |x(t) − y| at noise).
UNRESOLVED = 1.0 / SAFETY
#: What can set an outcome's budget (:attr:`Outcome.budget_set_by`): the floor, ``SAFETY`` × the error
#: estimate (both from :func:`budget_from_error`), or a certificate (an optimality or Farkas bound the check
#: passes itself).
BUDGET_SOURCES = ("floor", "error", "certificate")


class Budget(float):
    """A budget that remembers what set it: ``"floor"`` or ``"error"`` (what :func:`budget_from_error` returns).

    It is a ``float`` (arithmetic, comparisons and JSON are a float's); arithmetic on it gives a plain float,
    which no longer claims to know what set it.
    """

    set_by: str

    def __new__(cls, value: float, set_by: str) -> "Budget":
        obj = super().__new__(cls, value)
        obj.set_by = set_by
        return obj

    def __reduce__(self):
        return (Budget, (float(self), self.set_by))


@dataclass(frozen=True)
class Panel:
    """One plot in a report: named series of (x, y) over a shared axis."""

    title: str
    xlabel: str
    ylabel: str
    series: dict[str, tuple[Any, Any]]
    logy: bool = False


@dataclass
class Outcome:
    """The result of one oracle comparison.

    Attributes
    ----------
    discrepancy
        The measured gap (relative unless ``what`` says otherwise).
    budget
        Falsify iff ``discrepancy > budget``.
    error
        The oracle's estimate of its own numerical error in ``discrepancy``.
    what
        One line saying what the discrepancy measures, for reports.
    inconclusive
        ``None``, or the reason this example cannot be decided.
    details
        JSON-able numbers a reader of a report wants (norms, counters of work done, ...).
    plot
        Optional callable returning :class:`Panel` objects; called only when a report is written.
    floor
        The floor the budget was built with (``budget = max(floor, 10 × error)``), when the oracle says;
        reports then tell a budget set by the floor from one set by the error estimate.
    budget_set_by
        What set the budget, one of :data:`BUDGET_SOURCES` (``"floor"``, ``"error"``: 10 × the error
        estimate, ``"certificate"``), or ``None`` when the check does not say. By default it is taken from a
        budget made by :func:`budget_from_error` (a :class:`Budget`), so ``Outcome(d, budget_from_error(e,
        floor), e)`` says it without being told; a check whose budget is a certificate passes
        ``budget_set_by="certificate"``.

    Raises
    ------
    InvalidInput
        A budget or error estimate that is negative (a budget below zero would falsify an exact match; an
        error estimate is a size), a number that is not real, or an unknown ``budget_set_by``.
    """

    discrepancy: float
    budget: float
    error: float = 0.0
    what: str = ""
    inconclusive: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    plot: Callable[[], list[Panel]] | None = None
    floor: float | None = None
    budget_set_by: str | None = None

    def __post_init__(self) -> None:
        if self.budget_set_by is None:
            self.budget_set_by = getattr(self.budget, "set_by", None)
        if self.budget_set_by is not None and self.budget_set_by not in BUDGET_SOURCES:
            raise InvalidInput(
                f"Outcome.budget_set_by must be one of {BUDGET_SOURCES} or None, got {self.budget_set_by!r}"
            )
        # a non-finite number is never a verdict: NaN > budget is False (it would "hold"), and an infinite or
        # NaN budget would hold everything
        if self.inconclusive is None:
            for name in ("discrepancy", "error", "budget"):
                value = getattr(self, name)
                try:
                    finite = math.isfinite(value)
                except TypeError:
                    raise InvalidInput(f"Outcome.{name} must be a real number, got {type(value).__name__}") from None
                if not finite:
                    self.inconclusive = f"non-finite {name}"
                    break
            else:
                for name in ("error", "budget"):
                    if getattr(self, name) < 0:
                        raise InvalidInput(f"Outcome.{name} must not be negative, got {getattr(self, name)!r}")

    @property
    def falsified(self) -> bool:
        """True when the discrepancy exceeds the budget on a decidable example."""
        return self.inconclusive is None and self.discrepancy > self.budget

    @property
    def ratio(self) -> float:
        """``discrepancy / budget``: above 1 falsifies. Used as Hypothesis's target."""
        if self.inconclusive is not None:
            return 0.0
        return float(self.discrepancy / self.budget) if self.budget > 0 else math.inf

    @classmethod
    def undecided(cls, reason: "str | Reason", what: str = "", **details: Any) -> "Outcome":
        """An inconclusive outcome with a recorded reason (a :class:`~oracles.core.errors.Reason`; an older
        phrase is mapped to its category and kept in ``details["detail"]``, see ``canonical_reason``)."""
        reason, detail = canonical_reason(reason, str(details.get("detail", "")))
        if detail:
            details["detail"] = detail
        return cls(math.nan, math.nan, math.nan, what, inconclusive=reason, details=details)


def budget_from_error(error: float, floor: float = CLOSED_FORM_BUDGET, safety: float = SAFETY) -> float:
    """The budget for a discrepancy whose numerical error is estimated as ``error``.

    ``max(floor, safety * error)``: the floor is the float64 noise of the computation, the
    safety factor allows for the estimate being off by an order of magnitude. A non-finite error or
    floor gives a NaN budget (``max`` would silently drop a NaN error and return the floor), which
    :class:`Outcome` turns into an inconclusive example.

    Returns
    -------
    float
        A :class:`Budget` (a float) whose ``set_by`` says which term won: ``"floor"`` (also on a tie) or
        ``"error"``; :class:`Outcome` reads it into ``budget_set_by``. NaN when an input is not finite.

    Raises
    ------
    InvalidInput
        A negative error estimate, floor or safety factor.
    """
    error, floor, safety = float(error), float(floor), float(safety)
    if not (math.isfinite(error) and math.isfinite(floor)):
        return math.nan
    for name, value in (("error", error), ("floor", floor), ("safety", safety)):
        if value < 0:
            raise InvalidInput(f"budget_from_error: {name} must not be negative, got {value!r}")
    scaled = safety * error
    return Budget(floor, "floor") if floor >= scaled else Budget(scaled, "error")


def roundoff_floor(work: int | float, scale: float = 1.0) -> float:
    """Noise floor of a computation of ``work`` floating-point steps: ``100 * eps * work * scale``."""
    return 100.0 * EPS * max(1.0, float(work)) * scale


def relative_gap(a: ArrayLike, b: ArrayLike, scale: float | None = None) -> float:
    """``‖a − b‖ / max(‖a‖, ‖b‖, scale)``, the default discrepancy between two arrays of the same shape.

    ``scale`` guards against dividing by a vanishing norm; by default it is the tiny
    ``1e-300`` so that two zero vectors compare as equal.

    Raises
    ------
    InvalidInput
        If the shapes differ (no broadcasting: comparing (2, 1) with (1, 2) is a bug, not a gap) or the
        arrays are empty (the gap of two empty arrays would be 0 and "hold" without testing anything).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise InvalidInput(f"cannot compare arrays of shapes {a.shape} and {b.shape} (no broadcasting)")
    if a.size == 0:
        raise InvalidInput("cannot compare empty arrays: an empty comparison tests nothing")
    with np.errstate(invalid="ignore", over="ignore"):  # inf/NaN inputs give NaN: inconclusive, not a warning
        den = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), scale if scale is not None else 1e-300)
        return float(np.linalg.norm(a - b) / den)


def compare(
    a: ArrayLike,
    b: ArrayLike,
    *,
    error: float = 0.0,
    floor: float = CLOSED_FORM_BUDGET,
    what: str = "",
    scale: float | None = None,
    **details: Any,
) -> Outcome:
    """Compare two arrays: relative gap against ``budget_from_error(error, floor)``.

    A non-finite ``error`` makes the outcome inconclusive ("non-finite error"): the budget is never
    allowed to fall back to the floor because the error estimate failed.
    """
    gap = relative_gap(a, b, scale)
    return Outcome(gap, budget_from_error(error, floor), error, what, details=details, floor=float(floor))


def worst(*outcomes: Outcome) -> Outcome:
    """The outcome with the largest ``discrepancy / budget`` (an inconclusive one wins), carrying all details."""
    for o in outcomes:
        if o.inconclusive is not None:
            return o
    top = max(outcomes, key=lambda o: o.ratio)
    merged = dict(top.details)
    merged["checks"] = [{"what": o.what, "discrepancy": o.discrepancy, "budget": o.budget} for o in outcomes]
    return Outcome(
        top.discrepancy,
        top.budget,
        top.error,
        top.what,
        details=merged,
        plot=top.plot,
        floor=top.floor,
        budget_set_by=top.budget_set_by,
    )
