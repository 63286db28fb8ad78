"""The "?" box of quiz mode: predict a cell of what the next step computes, then check.

Takes callables, not the model (like ``gui/file_controller.py``): ``ask()`` returns the
``engine.quiz.Question`` of the next step (or None), ``check(quantity, layer, row, col,
text)`` returns an ``engine.quiz.Answer`` or raises ``ValueError`` with the reason, and
``score()`` returns {pass: Score}. With a ``engine.quiz.Quiz`` these are ``quiz.question``,
``quiz.check_cell`` and ``quiz.score``. Keyboard alone: type, Enter checks; Tab reaches
the row and column; Ctrl+Return in the box asks to reveal (``reveal_requested``: the window steps).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QEvent, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

RIGHT, WRONG = "✓", "✗"


class QuizPanel(QWidget):
    """Ask, type, check: see the module docstring."""

    answered = pyqtSignal(object)        # the engine.quiz.Answer just checked
    reveal_requested = pyqtSignal()

    def __init__(self, ask: Callable[[], Any], check: Callable[..., Any],
                 score: Callable[[], dict[int, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ask, self._check, self._score = ask, check, score
        self.question: Any = None
        self.prompt = QLabel()
        self.quantity = QComboBox()
        self.row, self.col = QSpinBox(), QSpinBox()
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("?  e.g. 0.25, -.3, 1e-3")
        self.check_button = QPushButton("Check")
        self.reveal_button = QPushButton("Reveal")
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.score_label = QLabel()
        grid = QGridLayout(self)
        grid.addWidget(self.prompt, 0, 0, 1, 4)
        for col, w in enumerate((self.quantity, self.row, self.col)):
            grid.addWidget(w, 1, col)
        grid.addWidget(self.answer, 1, 3)
        grid.addWidget(self.check_button, 1, 4)
        grid.addWidget(self.reveal_button, 1, 5)
        grid.addWidget(self.verdict, 2, 0, 1, 6)
        grid.addWidget(self.score_label, 3, 0, 1, 6)
        self.row.setPrefix("row ")
        self.col.setPrefix("column ")
        self.answer.returnPressed.connect(self.check_answer)
        self.check_button.clicked.connect(self.check_answer)
        self.reveal_button.clicked.connect(self.reveal_requested)
        self.quantity.currentIndexChanged.connect(self._on_quantity_changed)
        # Ctrl+Return in the answer box reveals: a filter, not a QShortcut, so the key works
        # wherever the panel is docked and never clashes with the window's shortcuts.
        self.answer.installEventFilter(self)
        self.refresh()

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if (obj is self.answer and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.reveal_requested.emit()
            return True
        return super().eventFilter(obj, event)

    def refresh(self) -> None:
        """Ask the next question (call after every step, reset or settings change)."""
        q = self.question = self._ask()
        self.quantity.blockSignals(True)
        self.quantity.clear()
        if q is None:
            self.prompt.setText("Nothing is quizzed in the next step: step on.")
        else:
            for sym, shape in zip(q.symbols, q.shapes, strict=True):
                self.quantity.addItem(f"{sym} ({shape[0]}×{shape[1]})")
            self.prompt.setText(f"Next step computes {', '.join(q.symbols)}: "
                                f"predict a cell, then check.")
        self.quantity.blockSignals(False)
        for w in (self.quantity, self.row, self.col, self.check_button):  # the box keeps keys
            w.setEnabled(q is not None)
        self._on_quantity_changed()
        self._show_score()

    def _on_quantity_changed(self) -> None:
        q, i = self.question, max(self.quantity.currentIndex(), 0)
        rows, cols = q.shapes[i] if q is not None else (1, 1)
        self.row.setRange(0, rows - 1)
        self.col.setRange(0, cols - 1)

    def check_answer(self) -> None:
        """Check the typed cell; show ✓, or ✗ with the worked computation, or the refusal."""
        q = self.question
        if q is None:
            return
        quantity = q.quantities[max(self.quantity.currentIndex(), 0)]
        try:
            a = self._check(quantity, q.layer, self.row.value(), self.col.value(),
                            self.answer.text())
        except ValueError as e:
            self.verdict.setText(f"<span style='color:#b35900'>{html.escape(str(e))}</span>")
            return
        if a.correct:
            self.verdict.setText(f"<b style='color:#1a7f37'>{RIGHT}</b> "
                                 f"{html.escape(a.text)} (engine: {a.expected:.6g})")
        else:
            self.verdict.setText(f"<b style='color:#c62828'>{WRONG}</b> "
                                 f"{html.escape(a.worked)}")
        self.answer.selectAll()
        self._show_score()
        self.answered.emit(a)

    def _show_score(self) -> None:
        scores = self._score()
        if not scores:
            self.score_label.setText("")
            return
        self.score_label.setText("   ".join(f"pass {p + 1}: {s.correct}/{s.asked}"
                                           for p, s in sorted(scores.items())))
