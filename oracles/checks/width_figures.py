r"""Figures 1 and 2 of the liang-montufar slides, recomputed (functions returning matplotlib Figures).

* :func:`figure1` -- ReLU networks, unscaled potentials x², |x|³+x², x⁴+x², uniform biases, zero output
  initialization (a = 0, d = 0), trained by mirror flow at width 4860, beside the G1+G2+G3 solution (one
  solution for all three potentials: the corollary); L∞ error against the width with fitted slopes;
  gradient flow on five label-shifted copies of the data (the U / inverted-U effect of G3).
* :func:`figure2` -- absolute-value networks, scaled potentials x², |x|³+x², x⁴+x² (|x|³ is outside the
  theorem's C³), beside the scaled variational solutions; L∞ error against the width; the distribution
  of :math:`|h''|` of the variational solutions.

The slides do not give their data set; :data:`DATA` is ours (five points in [−1, 1]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from oracles.checks.width_limits import fit_slope
from oracles.convex.variational import kernel_interpolant, solve_scaled
from oracles.flows.shallow_trainer import NetworkRun, TrainResult, train
from oracles.model.shallow import MirrorPotential, Uniform, init_params

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn, not with the oracles (0.27 s per process)
    from matplotlib.figure import Figure

DATA = (np.array([-0.75, -0.35, 0.05, 0.4, 0.8]), np.array([0.3, -0.2, 0.5, 0.1, -0.4]))
WIDTHS = (20, 60, 180, 540, 1620, 4860)
UNSCALED = ("x^2", "|x|^3+x^2", "x^4+x^2")
SCALED = {
    "x^2": MirrorPotential.quadratic(),
    "|x|^3+x^2": MirrorPotential.cubic(),
    "x^4+x^2": MirrorPotential.quartic(),
}


def sweep(
    kind: str, widths: Sequence[int] = WIDTHS, seed: int = 0, points: int = 1001
) -> tuple[np.ndarray, dict[tuple[str, int], TrainResult], dict[str, tuple[Any, ...]]]:
    """Train the figure's networks (zero output init, uniform p_B on [−1, 1]) at every width in one batch.

    Returns ``(x_eval, results, references)``: ``results[(name, n)]`` a TrainResult and ``references[name]``
    the variational solution on ``x_eval`` with its error estimate.
    """
    x, y = DATA
    dens = Uniform(-1.0, 1.0)
    xe = np.linspace(-1.0, 1.0, points)
    if kind == "unscaled":
        pots, scaled, act = {k: MirrorPotential.named(k) for k in UNSCALED}, False, "relu"
    else:
        pots, scaled, act = SCALED, True, "abs"
    runs, keys = [], []
    for name, pot in pots.items():
        for n in widths:
            runs.append(NetworkRun(init_params(seed, n, dens, zero_output=True), x, y, pot, scaled, act))
            keys.append((name, n))
    res = dict(zip(keys, train(runs, xe)))
    refs: dict[str, tuple[Any, ...]]
    if kind == "unscaled":
        ki = kernel_interpolant(x, y, dens, "relu")  # r = y: zero output initialization
        refs = {name: (ki(xe), ki.error) for name in pots}
    else:
        refs = {}
        for name, pot in pots.items():
            sol = solve_scaled(x, y, dens, pot, xe)
            refs[name] = (sol.values, sol.error, sol)
    return xe, res, refs


def _error_panel(ax, res, refs, names, widths):
    for name in names:
        gaps = np.array([np.max(np.abs(res[(name, n)].values - refs[name][0])) for n in widths])
        errs = np.array([res[(name, n)].error + refs[name][1] for n in widths])
        fit = fit_slope(widths, gaps[:, None], errs[:, None])
        ax.loglog(widths, gaps, "o-", label=f"{name} (slope {fit.slope:.2f})")
    ax.set_xlabel("width n")
    ax.set_ylabel("L∞ error to the variational solution")
    ax.legend(fontsize=8)


def figure1(widths: Sequence[int] = WIDTHS, shifts: Sequence[float] = (-1.0, -0.5, 0.0, 0.5, 1.0)) -> Figure:
    """Figure 1 (unscaled potentials, ReLU). Runs the sweep (about 10 s on one core)."""
    xe, res, refs = sweep("unscaled", widths)
    x, y = DATA
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.2))
    ax = fig.subplots(1, 3)
    for name in UNSCALED:
        ax[0].plot(xe, res[(name, widths[-1])].values, label=f"MF {name}, n = {widths[-1]}")
    ax[0].plot(xe, refs[UNSCALED[0]][0], "k--", label="argmin G1+G2+G3")
    ax[0].plot(x, y, "ko")
    ax[0].set_title("trained networks vs variational solution")
    ax[0].legend(fontsize=7)
    _error_panel(ax[1], res, refs, UNSCALED, widths)
    ax[1].set_title("L∞ error against the width")
    dens = Uniform(-1.0, 1.0)
    n = widths[-1]
    runs = [
        NetworkRun(init_params(0, n, dens, zero_output=True), x, y + c, MirrorPotential.quadratic(), False, "relu")
        for c in shifts
    ]
    for c, r in zip(shifts, train(runs, xe)):
        ax[2].plot(xe, r.values, label=f"labels + {c:g}")
        ax[2].plot(x, y + c, "k.")
    ax[2].set_title(f"GF, n = {n}: shifted labels")
    ax[2].legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure2(widths: Sequence[int] = WIDTHS) -> Figure:
    """Figure 2 (scaled potentials, absolute value)."""
    xe, res, refs = sweep("scaled", widths)
    x, y = DATA
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.2))
    ax = fig.subplots(1, 3)
    for name in SCALED:
        (line,) = ax[0].plot(xe, res[(name, widths[-1])].values, label=f"MF {name}, n = {widths[-1]}")
        ax[0].plot(xe, refs[name][0], "--", color=line.get_color(), label=f"variational {name}")
    ax[0].plot(x, y, "ko")
    ax[0].set_title("trained networks vs variational solutions")
    ax[0].legend(fontsize=7)
    _error_panel(ax[1], res, refs, list(SCALED), widths)
    ax[1].set_title("L∞ error against the width")
    grid = np.linspace(-1.0, 1.0, 4001)
    for name in SCALED:
        ax[2].hist(
            np.abs(refs[name][2].fine.second_derivative(grid)), bins=60, histtype="step", density=True, label=name
        )
    ax[2].set_xlabel("|h''(x)|, x uniform on [−1, 1]")
    ax[2].set_title("distribution of |h''| of the variational solutions")
    ax[2].legend(fontsize=8)
    fig.tight_layout()
    return fig


__all__ = ["DATA", "WIDTHS", "figure1", "figure2", "sweep"]
