"""The theme of the views, not only the window chrome: plots, graph, matrices, formula.

``settings.apply_theme`` sets the application palette (the chrome); this module makes
the views follow (``style.use_theme`` switches the paper colours the views draw with)
and gives checkable tool buttons a checked state that shows in both themes: with the
dark palette a checked "Follow step" looked exactly like an unchecked one.

The heatmaps keep their diverging map (CET-D1) with white at zero in both themes: the
sign of a number is read from its hue, and the map is the lecture's.
"""

from __future__ import annotations

from typing import Any

from . import style

CHECKED = ("QToolButton:checked {{ background-color: {fill}; border: 1px solid {edge}; "
           "border-radius: 3px; }}")
CHECKED_COLORS = {"light": {"fill": "#cfe2f7", "edge": "#2a82da"},
                  "dark": {"fill": "#2a5d8f", "edge": "#6fb0f0"}}


def checked_style(theme: str) -> str:
    """The style sheet that marks a checked tool button in ``theme``."""
    return CHECKED.format(**CHECKED_COLORS[theme])


def apply_view_theme(win: Any, theme: str) -> None:
    """Recolour ``win``'s views for ``theme`` and redraw what drew with the old colours."""
    style.use_theme(theme)
    for view in (win.graph, win.matrices, win.formula, win.data_view, win.loss_plot):
        view.apply_theme()
    for toolbar in (win.step_toolbar, win.train_toolbar):
        toolbar.setStyleSheet(checked_style(theme))
    win._redraw_all()   # everything once, in the new colours (the graph's texts too)
