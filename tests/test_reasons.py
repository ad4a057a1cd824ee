"""Inconclusive reasons are an enumeration (``oracles.core.errors.Reason``), not free text.

Every reason the project's own oracles and statements give (a string literal passed to ``Inconclusive`` or
``Outcome.undecided``, or a ``Reason`` member) belongs to one of the categories, so reports tally
"not converged" once instead of 'not converged', 'no convergence' and 'non-convergence'; a user's own free
text is kept as it is (category ``other``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from oracles import Inconclusive, Outcome
from oracles.core.errors import Reason, canonical_reason

ROOT = Path(__file__).resolve().parents[1]


def _literal_reasons() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted([*ROOT.glob("oracles/**/*.py"), *ROOT.glob("theorems/**/*.py"), *ROOT.glob("generators/*.py")]):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if (
                name in ("Inconclusive", "undecided")
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((str(path.relative_to(ROOT)), node.lineno, node.args[0].value))
    return found


def test_every_reason_the_project_gives_has_a_category() -> None:
    found = _literal_reasons()
    assert len(found) > 40
    loose = [f"{path}:{line}: {text!r}" for path, line, text in found if Reason.of(text) is Reason.OTHER]
    assert not loose, (
        "reasons outside oracles.core.errors.Reason (use a member, or add the phrase to its "
        "category):\n" + "\n".join(loose)
    )


def test_synonyms_are_tallied_as_one_category_with_the_phrase_kept() -> None:
    reasons = {Inconclusive(text, "at t = 1").reason for text in ("not converged", "no convergence", "non-convergence")}
    assert reasons == {"not converged"}
    exc = Inconclusive("no convergence to y", "at t = 1")
    assert (exc.kind, exc.detail) == (Reason.NOT_CONVERGED, "no convergence to y: at t = 1")
    out = Outcome.undecided("non-convergence", "x", detail="t = 5")
    assert (out.inconclusive, out.details["detail"]) == ("not converged", "non-convergence: t = 5")


def test_a_member_and_free_text() -> None:
    exc = Inconclusive(Reason.BLOW_UP, "at t = 2")
    assert exc.reason == "blow-up" and str(exc) == "blow-up: at t = 2" and exc.kind.message
    own = Inconclusive("my own reason")
    assert (own.reason, own.kind) == ("my own reason", Reason.OTHER)
    assert canonical_reason("my own reason", "d") == ("my own reason", "d")


@pytest.mark.parametrize("member", list(Reason))
def test_every_category_says_what_it_means(member: Reason) -> None:
    assert member.value and member.message and Reason(member.value) is member
