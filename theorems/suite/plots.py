"""Drawing an outcome's plots as PNG files (matplotlib, Agg, without touching pyplot's state).

``Outcome.plot`` returns a list of :class:`oracles.outcome.Panel` (named line series over a shared
axis) or :class:`matplotlib.figure.Figure` objects; :func:`render` saves each one as
``plot-<k>.png`` and says what it wrote.
"""

from __future__ import annotations

import io
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from oracles import Panel
from theorems.suite.reports import atomic_write

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 100
SIZE = (6.4, 4.0)


@dataclass(frozen=True)
class Picture:
    """A PNG written for a report: its file name and title."""

    file: str
    title: str


def panel_figure(panel: Panel) -> Figure:
    """A matplotlib ``Figure`` (not registered with pyplot) drawing one :class:`Panel`."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    for label, (x, y) in panel.series.items():
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if panel.logy:
            y = np.where(y > 0, y, np.nan)
        ax.plot(x, y, label=str(label), marker="." if x.size <= 40 else None)
    if panel.logy:
        ax.set_yscale("log")
        _log_limits(ax, [np.asarray(y, dtype=float) for _, y in panel.series.values()])
    ax.set(xlabel=panel.xlabel, ylabel=panel.ylabel)
    ax.set_title(textwrap.fill(panel.title, 72), fontsize="medium")
    ax.grid(True, alpha=0.3)
    if panel.series:
        ax.legend(fontsize="small")
    return fig


#: On a log axis, values more than this factor below the largest one are left off the view
#: (a gap of exactly 0, clamped to 1e-300 by an oracle, would otherwise squash every other value).
LOG_SPAN = 1e20


def _log_limits(ax, ys: list[np.ndarray]) -> None:
    pos = np.concatenate([y[np.isfinite(y) & (y > 0)].ravel() for y in ys]) if ys else np.array([])
    if pos.size:
        hi = float(pos.max())
        lo = max(float(pos.min()), hi / LOG_SPAN)
        ax.set_ylim(lo / 3, hi * 3)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    if "matplotlib.pyplot" in sys.modules:  # a user's pyplot figure: release it
        sys.modules["matplotlib.pyplot"].close(fig)
    return buf.getvalue()


def _title(item: Any, k: int) -> str:
    if isinstance(item, Panel):
        return item.title or f"plot {k}"
    suptitle = getattr(item, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        return suptitle.get_text()
    axes = getattr(item, "axes", [])
    return (axes[0].get_title() if axes else "") or f"plot {k}"


def render(plot: Callable[[], list[Any]] | None, folder: Path, stem: str = "plot") -> list[Picture]:
    """Call ``plot()`` and save each panel or figure as ``folder/<stem>-<k>.png``.

    Parameters
    ----------
    plot
        ``Outcome.plot``: ``None`` or a callable returning Panels and/or Figures (a single one
        is accepted too).
    folder
        Where the PNG files go (created if needed).

    Returns
    -------
    list of Picture
        What was written, in order; empty when ``plot`` is ``None``.
    """
    if plot is None:
        return []
    items = plot()
    if items is None:
        return []
    if isinstance(items, Panel) or not isinstance(items, (list, tuple)):
        items = [items]
    written = []
    for k, item in enumerate(items, start=1):
        fig = panel_figure(item) if isinstance(item, Panel) else item
        if not hasattr(fig, "savefig"):
            raise TypeError(f"plot() must return Panels or matplotlib Figures, got {type(item).__name__}")
        name = f"{stem}-{k}.png"
        atomic_write(Path(folder) / name, _png(fig))
        written.append(Picture(name, _title(item, k)))
    return written
