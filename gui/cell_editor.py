"""Type a new weight where it is drawn: an inline editor over a heatmap cell or a graph edge.

Double-click a cell of W or b (or an edge of the graph): a small line edit opens on
the spot with the current value selected.  Enter sets the value through the model
(``LensModel.set_param``); text that is not a number stays in the editor with the
reason beneath it, in place (no dialog).  Escape or clicking elsewhere cancels.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QEvent, QPoint, QRect, Qt
from PyQt6.QtWidgets import QLabel, QLineEdit, QWidget

from engine.typed_number import parse_number

from . import style

MIN_WIDTH = 96   # px: "-0.123456" and a cursor, whatever the cell's size


class CellEditor(QLineEdit):
    """A one-shot editor for one number; calls ``on_value(x)`` on a valid Enter.

    ``on_value`` returns True when the model took the value (the editor then
    closes); False leaves it open (the model has said why).
    """

    def __init__(self, parent: QWidget, rect: QRect, value: float, what: str,
                 on_value: Callable[[float], bool], scale: float = 1.0) -> None:
        super().__init__(parent)
        self.setObjectName("cell_editor")
        self._on_value = on_value
        self.setFont(style.font(scale))   # presentation mode: as large as the rest
        self.setText(f"{value:.6g}")
        self.setToolTip(f"{what}: type a number (0.5, -.3, 1e-3, 0,25), Enter sets it, "
                        "Esc cancels")
        self.reason = QLabel(parent)
        self.reason.setObjectName("cell_editor_reason")
        self.reason.setStyleSheet("background: #fff3f3; color: #b00020; border: 1px solid "
                                  "#b00020; padding: 1px 4px;")
        self.reason.setFont(style.font(scale, -1))
        self.reason.hide()
        # Which weight this is: a graph edge or a small cell does not say it by itself.
        self.caption = QLabel(f"{what} =", parent)
        self.caption.setStyleSheet("background: #ffffe8; color: #222222; border: 1px solid "
                                   "#9a9a9a; padding: 1px 4px;")
        self.caption.setFont(style.font(scale, -1))
        self.caption.adjustSize()
        h = self.sizeHint().height()
        w = max(int(MIN_WIDTH * scale), rect.width())
        x = min(max(0, rect.center().x() - w // 2), max(0, parent.width() - w))
        y = min(max(0, rect.center().y() - h // 2), max(0, parent.height() - h))
        self.setGeometry(x, y, w, h)
        cy = y - self.caption.height() if y >= self.caption.height() else y + h
        self.caption.move(min(x, max(0, parent.width() - self.caption.width())), cy)
        self.caption.show()
        self.caption.raise_()
        self.returnPressed.connect(self.commit)
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.selectAll()

    def commit(self) -> bool:
        """Read the text; set the value or show why not. True when the editor closed."""
        try:
            value = parse_number(self.text())
        except ValueError as e:
            self.show_reason(str(e))
            return False
        if not self._on_value(value):
            self.show_reason("not set (see the message)")
            return False
        self.close_editor()
        return True

    def show_reason(self, text: str) -> None:
        """The refusal, right under the editor."""
        self.setStyleSheet("border: 2px solid #b00020;")
        self.reason.setText(text)
        self.reason.adjustSize()
        parent = self.parentWidget()
        pw = parent.width() if parent is not None else self.reason.width()
        x = min(self.x(), max(0, pw - self.reason.width()))
        below = self.y() + self.height()
        fits_below = parent is None or below + self.reason.height() <= parent.height()
        if self.caption.y() > self.y():   # the caption took the place below
            below += self.caption.height()
        y = below if fits_below else self.y() - self.reason.height()
        self.reason.move(QPoint(x, y))
        self.reason.show()
        self.reason.raise_()
        self.selectAll()

    def close_editor(self) -> None:
        for label in (self.reason, self.caption):
            label.hide()   # now: deleteLater waits for the event loop
            label.deleteLater()
        self.hide()
        self.deleteLater()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self.close_editor()
            return
        super().keyPressEvent(event)

    def event(self, e) -> bool:
        # Clicking elsewhere cancels: an editor left open would set a stale cell later.
        if e.type() == QEvent.Type.FocusOut and e.reason() in (
                Qt.FocusReason.MouseFocusReason, Qt.FocusReason.ActiveWindowFocusReason):
            self.close_editor()
        return super().event(e)
