"""The "?" box of quiz mode: predict a cell of what the next step computes, then check.

Takes callables, not the model (like ``gui/file_controller.py``): ``ask()`` returns the
``engine.quiz.Question`` of the next step (or None), ``check(quantity, layer, row, col,
text)`` returns an ``engine.quiz.Answer`` or raises ``ValueError`` with the reason, and
``score()`` returns {pass: Score}. With a ``engine.quiz.Quiz`` these are ``quiz.question``,
``quiz.check_cell`` and ``quiz.score``. With ``check_block`` (``quiz.check_matrix``)
several numbers typed at once ("0.1 0.2; 0.3 0.4": rows split by ";") are checked as a
block from the chosen cell. Keyboard alone: type, Enter checks; Enter again (or on an
empty box) or Ctrl+Return asks to reveal (``reveal_requested``: the window steps); Tab
reaches the quantity, row and column.
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

from engine.quiz import parse_block

RIGHT, WRONG = "✓", "✗"


class QuizPanel(QWidget):
    """Ask, type, check: see the module docstring."""

    answered = pyqtSignal(object)        # the engine.quiz.Answer just checked
    reveal_requested = pyqtSignal()

    def __init__(self, ask: Callable[[], Any], check: Callable[..., Any],
                 score: Callable[[], dict[int, Any]], parent: QWidget | None = None,
                 check_block: Callable[..., Any] | None = None) -> None:
        super().__init__(parent)
        self._ask, self._check, self._score = ask, check, score
        self._check_block = check_block
        self._checked_text: str | None = None   # the text last checked (Enter again reveals)
        self.question: Any = None
        self.prompt = QLabel()
        self.quantity = QComboBox()
        self.row, self.col = QSpinBox(), QSpinBox()
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("?  e.g. 0.25, -.3, 1e-3" + (
            "   or a block: 0.1 0.2; 0.3 0.4" if check_block is not None else ""))
        self.check_button = QPushButton("Check")
        self.reveal_button = QPushButton("Reveal")
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.score_label = QLabel()
        grid = QGridLayout(self)
        grid.addWidget(self.prompt, 0, 0, 1, 4)
        grid.addWidget(self.score_label, 0, 4, 1, 2)   # one line less for the matrices
        for col, w in enumerate((self.quantity, self.row, self.col)):
            grid.addWidget(w, 1, col)
        grid.addWidget(self.answer, 1, 3)
        grid.addWidget(self.check_button, 1, 4)
        grid.addWidget(self.reveal_button, 1, 5)
        grid.addWidget(self.verdict, 2, 0, 1, 6)
        self.row.setPrefix("row ")
        self.col.setPrefix("column ")
        self.answer.returnPressed.connect(self._on_return)
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

    def _on_return(self) -> None:
        text = self.answer.text().strip()
        if not text or text == self._checked_text:
            self.reveal_requested.emit()
        else:
            self.check_answer()

    def has_unchecked_answer(self) -> bool:
        """Whether the box holds text not checked yet (the window checks it before a step)."""
        text = self.answer.text().strip()
        return self.question is not None and bool(text) and text != self._checked_text

    def select(self, quantity: str, row: int, col: int) -> bool:
        """Choose the cell to predict (a click on a "?" cell); False if it is not asked."""
        q = self.question
        if q is None or quantity not in q.quantities:
            return False
        self.quantity.setCurrentIndex(q.quantities.index(quantity))
        self.row.setValue(row)
        self.col.setValue(col)
        self.answer.setFocus()
        self.answer.selectAll()
        return True

    def chosen(self) -> tuple[str, int, int, int] | None:
        """(quantity, layer, row, col) of the cell to predict, or None."""
        q = self.question
        if q is None:
            return None
        return (q.quantities[max(self.quantity.currentIndex(), 0)], q.layer,
                self.row.value(), self.col.value())

    def refresh(self) -> None:
        """Ask the next question (call after every step, reset or settings change)."""
        old = self.question
        q = self.question = self._ask()
        self._checked_text = None
        if old is None or q is None or (old.k, old.layer) != (q.k, q.layer):
            self.answer.clear()   # a new question: the last answer is not for it
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

    def check_answer(self) -> bool:
        """Check the typed cell(s); show ✓, or ✗ with the worked computation, or the refusal.

        False when nothing was checked (no question, or the text was refused).
        """
        q = self.question
        if q is None:
            return False
        quantity = q.quantities[max(self.quantity.currentIndex(), 0)]
        text = self.answer.text()
        block = parse_block(text)
        try:
            if self._check_block is not None and (len(block) > 1 or len(block[0]) > 1):
                answers = list(self._check_block(quantity, q.layer, block, self.row.value(),
                                                 self.col.value()))
            else:
                answers = [self._check(quantity, q.layer, self.row.value(), self.col.value(),
                                       text)]
        except ValueError as e:
            self.verdict.setText(f"<span style='color:#b35900'>{html.escape(str(e))}</span>")
            return False
        self._checked_text = text.strip()
        right = sum(a.correct for a in answers)
        miss = next((a for a in answers if not a.correct), None)
        head = "" if len(answers) == 1 else f"{right} of {len(answers)} cells right. "
        if miss is None:
            a = answers[0]
            value = f" (engine: {a.expected:.6g})" if len(answers) == 1 else ""
            self.verdict.setText(f"<b style='color:#1a7f37'>{RIGHT}</b> {head}"
                                 f"{html.escape(a.text) if len(answers) == 1 else ''}{value}")
        else:
            where = "" if len(answers) == 1 else f"[{miss.row}, {miss.col}]: "
            self.verdict.setText(f"<b style='color:#c62828'>{WRONG}</b> {head}{where}"
                                 f"{html.escape(miss.worked)}")
        self.answer.selectAll()
        self._show_score()
        for a in answers:
            self.answered.emit(a)
        return True

    def _show_score(self) -> None:
        scores = self._score()
        if not scores:
            self.score_label.setText("")
            return
        self.score_label.setText("   ".join(f"pass {p + 1}: {s.correct}/{s.asked}"
                                           for p, s in sorted(scores.items())[-6:]))
