"""Keep the window's toolbars whole: a second row when they do not fit side by side.

A QToolBar that does not fit hides its last commands behind its » extension button.
The window put the training toolbar on a row of its own when both did not fit, but
checked only when the window was resized: at 1600 px, Pause becoming "Resume" (or a
wider loss box) pushed "Export loss…" behind » with no resize to notice it. Here the
check also runs whenever a toolbar's contents ask for a new layout.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, QTimer
from PyQt6.QtWidgets import QMainWindow, QToolBar, QToolButton

GAP = 12   # px of handles and margins around two toolbars on one row


class ToolbarFitter(QObject):
    """Puts ``second`` on its own row of ``window`` whenever ``first`` + ``second`` do not fit."""

    def __init__(self, window: QMainWindow, first: QToolBar, second: QToolBar) -> None:
        super().__init__(window)
        self.window, self.first, self.second = window, first, second
        # Coalesce the many layout requests of one change into a single check.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        for tb in (first, second):
            tb.installEventFilter(self)

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:  # noqa: N802
        if event is not None and event.type() == QEvent.Type.LayoutRequest:
            self._timer.start()
        return False

    def fit(self, width: int | None = None) -> None:
        """Break the toolbar row when both toolbars need more than ``width`` (the window's)."""
        w = self.window.width() if width is None else width
        if w <= 0:
            return
        need = self.first.sizeHint().width() + self.second.sizeHint().width() + GAP
        has_break = self.window.toolBarBreak(self.second)
        if need > w and not has_break:
            self.window.insertToolBarBreak(self.second)
        elif need <= w and has_break:
            self.window.removeToolBarBreak(self.second)


def hidden_actions(toolbar: QToolBar) -> list[str]:
    """Texts of the toolbar's actions that are not on it (behind its » button)."""
    out = []
    for a in toolbar.actions():
        if a.isSeparator() or not a.isVisible():
            continue
        w = toolbar.widgetForAction(a)
        if w is None or not w.isVisible() or not toolbar.rect().contains(w.geometry()):
            out.append(a.text() or w.__class__.__name__ if w is not None else a.text())
    return out


def extension_shown(toolbar: QToolBar) -> bool:
    """True when the toolbar shows its » extension button (something did not fit)."""
    ext = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    return ext is not None and ext.isVisible()
