"""The two ways an oracle refuses to decide.

* :class:`InvalidInput` -- the caller gave something malformed (NaNs, wrong shapes, a point
  outside the parametrization's domain, a non-symmetric matrix). It is a ``ValueError`` whose
  message names the argument and the problem; it is a bug in the caller, never a verdict.
* :class:`Inconclusive` -- the input is well-formed but the oracle cannot decide this example
  (the flow blows up in finite time, leaves the domain M, a solve does not converge, the
  Jacobian is numerically singular). The harness rejects the example and records the reason.
"""

from __future__ import annotations

import enum
from typing import Any, cast

import numpy as np


class InvalidInput(ValueError):
    """Malformed input to an oracle; the message names the argument and the problem."""


class Reason(str, enum.Enum):
    """Why an example could not be decided: a stable category with what it means (as scipy's status codes).

    The value is what reports tally (``"not converged"``); :attr:`message` says what it means. Oracles raise
    ``Inconclusive(Reason.NOT_CONVERGED, detail)``; a free-text reason is accepted too (a user's conjecture),
    and one of the phrases the project used before this enumeration (``"no convergence"``,
    ``"non-convergence"``, ...) is mapped to its category by :meth:`of`, the phrase kept in the detail.
    """

    message: str

    BLOW_UP = ("blow-up", "the state grew past the blow-up bound, or became non-finite, before the horizon")
    LEAVES_DOMAIN = ("leaves domain", "the flow left the domain M of the parametrization or of the potential")
    NOT_CONVERGED = ("not converged", "a long integration or an iteration did not settle within its horizon")
    TOO_STIFF = ("too stiff", "the solve spent more right-hand-side evaluations than its work cap")
    SOLVER_FAILURE = ("solver failure", "an ODE, LP, QP or projection solver reported failure")
    NOT_CERTIFIED = ("not certified", "an optimization's answer could not be certified to the accuracy needed")
    NOT_REGULAR = ("not regular", "the Jacobian of G is (numerically) not of full rank at the point")
    ILL_CONDITIONED = ("ill-conditioned", "a matrix the check inverts or ranks is too close to singular")
    NON_FINITE = ("non-finite", "a value the check computes is NaN or infinite")
    UNRESOLVED = ("unresolved: error ≥ scale", "the error estimate is as large as the quantity it qualifies")
    DEGENERATE = ("degenerate", "the example is a trivial or degenerate instance of the claim (at its target, ...)")
    PREMISE = ("premise fails", "the example does not satisfy a hypothesis of the statement")
    OTHER = ("other", "a reason outside the project's categories (a user's own check)")

    def __new__(cls, value: str, message: str) -> "Reason":
        member = str.__new__(cls, value)
        member._value_ = value
        member.message = message
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of(cls, text: "str | Reason") -> "Reason":
        """The category of a reason: a member, its value, or one of the older phrases (else :attr:`OTHER`)."""
        if isinstance(text, Reason):
            return text
        try:
            return cast(Any, cls)(text)  # the lookup by value (mypy reads the members' __new__)
        except ValueError:
            return _PHRASES.get(str(text), cls.OTHER)


#: phrases used before :class:`Reason` -> their category
_PHRASES: dict[str, Reason] = {
    **dict.fromkeys(("diverges",), Reason.BLOW_UP),
    **dict.fromkeys(("outside range of grad phi",), Reason.LEAVES_DOMAIN),
    **dict.fromkeys(
        (
            "non-convergence",
            "no convergence",
            "no convergence to y",
            "no stationarity within horizon",
            "flow not settled",
            "offset not settled",
            "convergence too slow",
            "closure did not terminate",
        ),
        Reason.NOT_CONVERGED,
    ),
    **dict.fromkeys(
        ("projection not solved", "LP not solved", "SVM not solved", "argmin not solved", "no step"),
        Reason.SOLVER_FAILURE,
    ),
    **dict.fromkeys(
        (
            "projection not certified",
            "LP solution not certified",
            "face not certified",
            "sdp certificate",
            "convergence not certified",
        ),
        Reason.NOT_CERTIFIED,
    ),
    **dict.fromkeys(("premise: not regular at x",), Reason.NOT_REGULAR),
    **dict.fromkeys(
        (
            "singular metric",
            "singular dual Hessian",
            "singular G1+G2+G3 system",
            "projection ill-conditioned",
            "ill-conditioned kernel",
            "no clear rank gap",
        ),
        Reason.ILL_CONDITIONED,
    ),
    **dict.fromkeys(
        ("non-finite dual point", "non-finite ladder value", "non-finite Newton step", "non-finite Hessian"),
        Reason.NON_FINITE,
    ),
    **dict.fromkeys(
        (
            "value below its numerical error",
            "no error to shrink",
            "zero rate",
            "zero ladder value",
            "no seed spread for a statistical margin",
            "no measured escape",
        ),
        Reason.UNRESOLVED,
    ),
    **dict.fromkeys(
        (
            "degenerate reference",
            "degenerate SVM",
            "trivial target",
            "starts at a minimizer",
            "starts at the minimum",
            "at the target",
            "too few sample points",
            "infeasible reference",
        ),
        Reason.DEGENERATE,
    ),
    **dict.fromkeys(("premise", "limit does not interpolate"), Reason.PREMISE),
    **dict.fromkeys(
        (
            "no pair decided",
            "a kink within the finite-difference step",
            "a kink within the finite-difference step along the flow",
            "unresolved",
            "divergence at rounding level",
            "no discretization error",
        ),
        Reason.UNRESOLVED,
    ),
    **dict.fromkeys(("no data to fit", "degenerate critical point"), Reason.DEGENERATE),
    **dict.fromkeys(("no descent direction found",), Reason.SOLVER_FAILURE),
    **dict.fromkeys(("rank-deficient factors", "strict saddle", "no rate guarantee"), Reason.PREMISE),
    **dict.fromkeys(("LP answer is no witness",), Reason.NOT_CERTIFIED),
}


def canonical_reason(reason: "str | Reason", detail: str = "") -> tuple[str, str]:
    """``(category, detail)`` for a reason: a known phrase becomes its category, the phrase moving into the detail.

    A free-text reason outside the categories is kept as it is (a user's own check may use any).
    """
    kind = Reason.of(reason)
    text = reason.value if isinstance(reason, Reason) else str(reason)
    if kind is Reason.OTHER or text == kind.value:
        return text, detail
    return kind.value, (f"{text}: {detail}" if detail else text)


class Inconclusive(Exception):
    """The oracle cannot decide this example.

    Parameters
    ----------
    reason
        A :class:`Reason` (or a free-text reason, for a user's own check; the project's older phrases are
        mapped to their category, see :func:`canonical_reason`). ``self.reason`` is the category's value,
        ``self.kind`` the :class:`Reason` (``Reason.OTHER`` for free text).
    detail
        What happened, for the reader (``"at t = 3.2"``).
    """

    def __init__(self, reason: "str | Reason", detail: str = "") -> None:
        self.kind = Reason.of(reason)
        self.reason, self.detail = canonical_reason(reason, detail)
        super().__init__(f"{self.reason}: {self.detail}" if self.detail else self.reason)


def as_vector(value: object, name: str, size: int | None = None) -> np.ndarray:
    """Return ``value`` as a finite float64 vector, or raise :class:`InvalidInput` naming ``name``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} must be a numeric vector, got {type(value).__name__}") from exc
    if arr.ndim != 1:
        raise InvalidInput(f"{name} must be one-dimensional, got shape {arr.shape}")
    if size is not None and arr.shape[0] != size:
        raise InvalidInput(f"{name} must have length {size}, got length {arr.shape[0]}")
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr))
        raise InvalidInput(f"{name} has non-finite entries at indices {bad.tolist()}")
    return arr


def as_matrix(value: object, name: str, shape: tuple[int | None, int | None] = (None, None)) -> np.ndarray:
    """Return ``value`` as a finite float64 matrix of the given shape (``None`` = any)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} must be a numeric matrix, got {type(value).__name__}") from exc
    if arr.ndim != 2:
        raise InvalidInput(f"{name} must be two-dimensional, got shape {arr.shape}")
    for axis, want in enumerate(shape):
        if want is not None and arr.shape[axis] != want:
            raise InvalidInput(f"{name} must have shape {shape} (None = any), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidInput(f"{name} has non-finite entries")
    return arr
