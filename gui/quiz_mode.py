"""Quiz mode in the window: predict what the next step computes, then step to see it.

While it is on, the quantities the next step computes that the teacher quizzes show as
"?" in their heatmaps (click one to choose the cell), the quiz box (a dock) takes the
answer, and → (Step) first checks what was typed, then steps: the matrix appears. The
values come from ``engine.quiz.Quiz`` on a fork of the experiment's stepper, so asking
and checking never move the stepper the student sees. Answers are kept per pass (the
trainer's iteration) for the score and for exercise files.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PyQt6.QtCore import QObject, Qt, pyqtSignal
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QDockWidget, QInputDialog, QMenu

from engine.formulas import symbol
from engine.quiz import QUIZZABLE, Answer, Question, Quiz, QuizSettings, Score, parse_number

from . import style
from .quiz_panel import QuizPanel
from .settings import presentation_scale

WINDOW_QUIZZED = ("delta", "dW")   # the window's default: the backward pass is the lesson
LABELS = {"z": "z", "a": "a", "sigma_prime": "σ'(z)", "dc_da": "Wᵀδ of the next layer",
          "delta": "δ", "dW": "∂C/∂W", "db": "∂C/∂b", "W": "W after the update",
          "b": "b after the update"}


class QuizMode(QObject):
    """The window's quiz: a dock with the quiz box, the "?" heatmaps, the → hook.

    Attributes
    ----------
    settings : QuizSettings
        What is quizzed and the tolerances.
    answers : list of Answer
        Every checked cell, saved with an exercise.
    """

    answers_changed = pyqtSignal()

    def __init__(self, win: Any) -> None:
        super().__init__(win)
        self.win = win
        self.settings = QuizSettings(WINDOW_QUIZZED)
        self.answers: list[Answer] = []
        self.enabled = False
        self.panel = QuizPanel(self._ask, self._check, self._score,
                               check_block=self._check_block)
        self.dock = QDockWidget("Quiz", win)
        self.dock.setObjectName("dock_quiz")
        self.dock.setWidget(self.panel)
        win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self.action = QAction("Quiz mode", win)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("F6"))
        self.action.setStatusTip("Predict what the next step computes, then step to check")
        self.action.toggled.connect(self.set_enabled)
        self.quantity_actions: dict[str, QAction] = {}
        # Closing the dock (its ×) ends quiz mode; an inactive tab or a minimised window
        # does not (the dock is then not hidden, only not visible).
        self.dock.visibilityChanged.connect(
            lambda visible: self.set_enabled(False) if not visible and self.dock.isHidden()
            else None)
        self._listening = False
        win.matrices.cell_clicked.connect(self._on_cell_clicked)
        self.panel.reveal_requested.connect(self.step)
        self.panel.answered.connect(self._on_answered)
        for sig in (self.panel.quantity.currentIndexChanged, self.panel.row.valueChanged,
                    self.panel.col.valueChanged):
            sig.connect(self._show_unknown)
        # → checks a typed answer before it steps (the same action, so the key and the
        # toolbar button both do).
        c = win.controls
        c.step.triggered.disconnect(win.model.step)
        c.step.triggered.connect(self.step)
        win.presentation_action.toggled.connect(self._on_presentation)
        self._on_presentation(win.presentation_action.isChecked())

    # -- menus -------------------------------------------------------------------------
    def build_menu(self, menu: QMenu) -> None:
        """Quiz mode, the quizzed quantities and the tolerance, in ``menu``."""
        menu.addAction(self.action)
        sub = menu.addMenu("Quiz quantities")
        assert sub is not None
        for q in QUIZZABLE:
            a = sub.addAction(LABELS[q])
            assert a is not None
            a.setCheckable(True)
            a.setChecked(q in self.settings.quantities)
            a.toggled.connect(lambda _on: self._on_quantities_toggled())
            self.quantity_actions[q] = a
        tol = menu.addAction("Quiz tolerance…")
        assert tol is not None
        tol.triggered.connect(lambda _checked=False: self.ask_tolerance())

    # -- state -------------------------------------------------------------------------
    def quiz(self) -> Quiz:
        """An engine Quiz on the experiment as it is now (cheap: nothing is computed yet)."""
        ex = self.win.model.ex
        return Quiz(ex.stepper, self.settings, self.answers, next_batch=ex.pass_batch,
                    pass_index=ex.trainer.iteration)

    def set_enabled(self, on: bool) -> None:
        """Turn quiz mode on (the dock, the "?" heatmaps, → checks) or off."""
        on = bool(on)
        if self.action.isChecked() != on:
            self.action.setChecked(on)   # calls back here
            return
        self.enabled = on
        if on and not self._listening:
            # Connected now, after the window's own slot: the window follows the last
            # step's layer first, then the quiz shows the layer the next step works on.
            self.win.model.changed.connect(self._on_changed)
            # After the update any layer's W may be asked: the one the user picks.
            self.win.graph.layer_clicked.connect(self._on_changed)
            self._listening = True
        self.dock.setVisible(on)
        if on:
            self.panel.refresh()
            self.panel.answer.setFocus()
        self._show_unknown()

    def set_settings(self, settings: QuizSettings) -> None:
        """Quiz other quantities or with other tolerances (an exercise's)."""
        self.settings = settings
        for q, a in self.quantity_actions.items():
            a.blockSignals(True)
            a.setChecked(q in settings.quantities)
            a.blockSignals(False)
        self._refresh()

    def score(self) -> dict[int, Score]:
        return self.quiz().score()

    # -- what the panel calls --------------------------------------------------------------
    def _ask(self) -> Question | None:
        try:
            q = self.quiz().question()
        except ValueError:
            return None
        if q is not None and q.kind == "update":
            # After the update any layer's W and b may be asked: ask about the one shown.
            l = self.win.layer
            W, b = self.win.model.net.params()[l - 1]
            shapes = tuple((W if n == "W" else b).shape for n in q.quantities)
            L = self.win.model.net.L
            q = replace(q, layer=l, shapes=shapes,
                        symbols=tuple(symbol(n, l, L) for n in q.quantities))
        return q

    def _check(self, quantity: str, layer: int, row: int, col: int, text: str) -> Answer:
        self._refuse_while_training()
        return self.quiz().check_cell(quantity, layer, row, col, text)

    def _check_block(self, quantity: str, layer: int, texts: Any, row0: int, col0: int
                     ) -> list[Answer]:
        self._refuse_while_training()
        return self.quiz().check_matrix(quantity, layer, texts, row0, col0)

    def _refuse_while_training(self) -> None:
        # Training moves the weights under the pass being asked about.
        if self.win.model.is_training:
            raise ValueError("pause or stop training before you answer")

    def _score(self) -> dict[int, Score]:
        return self.score()

    # -- events -------------------------------------------------------------------------
    def step(self) -> None:
        """→: in quiz mode a typed answer is checked first (a refused one stops the step)."""
        if self.enabled and self.panel.has_unchecked_answer() and not self.panel.check_answer():
            return
        self.win.model.step()

    def _on_changed(self, _change: Any) -> None:
        self._refresh()

    def _refresh(self) -> None:
        if self.enabled:
            self.panel.refresh()
        self._show_unknown()

    def _show_unknown(self, *_: Any) -> None:
        """The "?" heatmaps: the quizzed quantities the next step computes."""
        q = self.panel.question if self.enabled else None
        win = self.win
        if q is not None and q.kind != "update" and win.controls.follow.isChecked() \
                and q.layer != win.layer:
            win.layer = q.layer   # follow the step to come: its "?" must be in view
            win._show_layer()
        cells = {} if q is None else {
            (n, q.layer): shape for n, shape in zip(q.quantities, q.shapes, strict=True)
            if n not in ("W", "b")}   # W and b show their values: the update needs them
        self.win.matrices.set_unknown(cells, self.panel.chosen() if cells else None)

    def _on_cell_clicked(self, quantity: str, layer: int, row: int, col: int) -> None:
        if not self.enabled:
            return
        q = self.panel.question
        if q is not None and q.kind == "update" and quantity in q.quantities \
                and layer != q.layer:
            self.panel.refresh()   # the update's question follows the layer shown
            q = self.panel.question
        if q is not None and layer == q.layer:
            self.panel.select(quantity, row, col)

    def _on_answered(self, a: Answer) -> None:
        sc = self.score().get(a.pass_index)
        mark = "✓" if a.correct else "✗"
        if sc is not None:
            self.win.status.showMessage(
                f"quiz: {mark}  pass {a.pass_index + 1}: {sc.correct}/{sc.asked} right", 10000)
        self.answers_changed.emit()

    def _on_quantities_toggled(self) -> None:
        chosen = tuple(q for q, a in self.quantity_actions.items() if a.isChecked())
        self.settings = QuizSettings(chosen, self.settings.rtol, self.settings.atol)
        self._refresh()

    def _on_presentation(self, on: bool) -> None:
        f = presentation_scale(self.win.height()) if on else 1.0
        self.panel.setFont(style.font(f))

    def ask_tolerance(self) -> bool:
        """Ask for the relative and absolute tolerances (typed, checked like answers)."""
        s = self.settings
        text, ok = QInputDialog.getText(
            self.win, "Quiz tolerance",
            "An answer is right when |answer − value| ≤ atol + rtol·|value|.\n"
            "rtol and atol, separated by a space:", text=f"{s.rtol:g} {s.atol:g}")
        if not ok:
            return False
        return self.set_tolerance(text)

    def set_tolerance(self, text: str) -> bool:
        """``"rtol atol"``; a refusal is shown in the status bar and changes nothing."""
        try:
            parts = text.split()
            if len(parts) != 2:
                raise ValueError("type two numbers: rtol and atol")
            rtol, atol = (parse_number(p) for p in parts)
            new = QuizSettings(self.settings.quantities, rtol, atol)
        except ValueError as e:
            self.win.status.showMessage(f"quiz tolerance: {e}", 8000)
            return False
        self.settings = new
        return True
