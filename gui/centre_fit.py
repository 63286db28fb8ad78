"""Sharing the window's centre (graph, matrices, formula) for the height it has.

Fixed shares failed both ways at 1280×720: the usual ones left the graph ~10 px
for its picture (the neurons merged into a line), a larger graph share cut the
formula's sentence.  Here each panel gets what it needs, in pixels:

- the graph at least what keeps its neurons ``MIN_SPACING`` px apart (it drops its
  title and legend first, see GraphFit and GraphView), more up to its share;
- the formula panel the height of a typical step's text at its font
  (``FormulaPanel.wanted_height``); it shrinks its font a little before it scrolls;
- the matrices the rest: they are what the class looks at.

A splitter the user dragged is left alone.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QEvent, QObject, QTimer

from .graph_fit import MIN_SPACING

GRAPH_SHARE = {False: 0.26, True: 0.27}   # of the centre's height, normal / presentation
GRAPH_SHORT_SHARE = 0.22    # … when the centre is short (a 720 px screen)
SHORT_CENTRE = 700          # px: below this the centre is short
# The formula never takes more (it shrinks its font, then scrolls); presentation's larger
# font shrinks to its share (FormulaPanel._fit_height).
FORMULA_MAX_SHARE = {False: 0.32, True: 0.28}


def centre_sizes(total: int, graph_min: int, formula_want: int, presenting: bool) -> list[int]:
    """[graph, matrices, formula] heights for a centre ``total`` px high."""
    share = GRAPH_SHORT_SHARE if total < SHORT_CENTRE and not presenting \
        else GRAPH_SHARE[presenting]
    graph = max(graph_min, int(total * share))
    formula = min(formula_want, int(total * FORMULA_MAX_SHARE[presenting]))
    return [graph, max(total - graph - formula, 0), formula]


class CentreFit(QObject):
    """Re-shares the centre splitter when it is resized or the network changes."""

    def __init__(self, win: Any) -> None:
        super().__init__(win)
        self.win = win
        self.user_moved = False
        self._fitting = False
        self._queued = False
        win.centre.installEventFilter(self)
        win.centre.splitterMoved.connect(self._on_moved)

    def _on_moved(self, *_: Any) -> None:
        if not self._fitting:
            self.user_moved = True

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:  # noqa: N802
        # After the splitter's own resize (a filter runs before it, and the splitter then
        # spread the change by its stretch factors over the sizes set here).
        if event is not None and event.type() == QEvent.Type.Resize and not self._queued:
            self._queued = True
            QTimer.singleShot(0, self._fit_queued)
        return False

    def _fit_queued(self) -> None:
        self._queued = False
        self.fit()

    def fit(self, force: bool = False) -> None:
        """Share the centre again (``force``: even if the user dragged the splitter)."""
        win = self.win
        if (self.user_moved and not force) or self._fitting:
            return
        total = sum(win.centre.sizes())
        if total <= 0:
            return
        presenting = bool(getattr(win, "_presenting", False))
        graph_min = win.graph.needed_height(MIN_SPACING)
        sizes = centre_sizes(total, graph_min, win.formula.wanted_height(), presenting)
        # The hover line under the heatmaps repeats the formula's numbers: short, it goes.
        win.matrices.set_compact(presenting or total < SHORT_CENTRE)
        if sizes != win.centre.sizes():
            self._fitting = True
            try:
                win.centre.setSizes(sizes)
            finally:
                self._fitting = False
