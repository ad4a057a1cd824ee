"""A bound on Hypothesis's target phase, for an engine loop that can spin for minutes (hypothesis 6.170.17).

What happens (found by ``make soak``: ``li2022:quadratic-bracket`` under ``--hypothesis-seed=2`` at the
``thorough`` profile spent 894 s and stopped at 270 of 1000 examples, against 5 s and 1000 under other seeds):
``ConjectureRunner.optimise_targets`` repeats rounds of hill climbing until a round makes no new call of the
test function. The hill climber asks ``cached_test_function(..., extend="full")``, and that re-runs a choice
sequence whose cached result is an overrun (it "could in fact run to a valid data"). When the overrun is
deterministic, every round re-runs the same few sequences, so every round makes new calls, improves nothing
and produces no new valid example; the loop ends only when the engine's invalid-example threshold stops the
whole run (``ExitReason.max_iterations``), after thousands of rounds (measured: ~65 ms and 3 overrun calls per
round, 0 improvements, 0 new valid examples over 1,700 rounds).

The fix here ends a target pass after :data:`DRY_ROUNDS` consecutive rounds in which no target improved and
no new valid example was produced. A round that is dry and makes no new call ends the pass by itself, and a
dry round repeats the previous one's hill climb from the same best examples, so a pass only reaches three
dry rounds in a row by re-running the same sequences: those are cut, the others run as before. Nothing else in Hypothesis is touched, and :func:`bound_target_phase` is idempotent.
"""

from __future__ import annotations

from typing import Any, cast

DRY_ROUNDS = 3

_applied = {"value": False}
stops = {"count": 0}  # how many passes were cut (for the tests and the curious)


class _DryPass(Exception):
    """Raised inside a target pass to end it (caught by the wrapped ``optimise_targets``)."""


def bound_target_phase() -> bool:
    """Install the bound; return whether the engine's methods were found (else nothing is changed)."""
    if _applied["value"]:
        return True
    try:
        from hypothesis.internal.conjecture.engine import ConjectureRunner
        from hypothesis.internal.conjecture.optimiser import Optimiser
    except ImportError:  # pragma: no cover - a Hypothesis without these internals
        return False
    run, optimise_targets = getattr(Optimiser, "run", None), getattr(ConjectureRunner, "optimise_targets", None)
    if run is None or optimise_targets is None:  # pragma: no cover
        return False

    def bounded_run(self: Any) -> None:
        engine = self.engine
        valid = engine.valid_test_cases
        run(self)
        state = engine.__dict__.setdefault("_implicit_bias_dry", {"runs": 0})
        if self.improvements:
            state["improved"] = True
        if self.improvements or engine.valid_test_cases != valid:
            state["runs"] = 0
            return
        state["runs"] += 1
        targets = max(1, len(engine.best_test_cases_of_observed_targets))
        if state["runs"] >= DRY_ROUNDS * targets:
            raise _DryPass

    def bounded_optimise_targets(self: Any, *args: Any, **kwargs: Any) -> bool:
        self.__dict__["_implicit_bias_dry"] = {"runs": 0}
        try:
            return optimise_targets(self, *args, **kwargs)
        except _DryPass:
            stops["count"] += 1
            return bool(self.__dict__["_implicit_bias_dry"].get("improved"))

    cast(Any, Optimiser).run = bounded_run
    cast(Any, ConjectureRunner).optimise_targets = bounded_optimise_targets
    _applied["value"] = True
    return True


__all__ = ["DRY_ROUNDS", "bound_target_phase", "stops"]
