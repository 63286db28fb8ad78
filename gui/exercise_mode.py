"""Exercise files in the window: save one, open one (instructions, locks, quiz), save answers.

File → Save as Exercise… asks for a title, instructions, the quizzed quantities and the
controls to lock, and writes the current experiment as a ``.bpex`` (engine/exercise.py).
File → Open Exercise… restores its experiment, shows the instructions in a dock, locks the
controls (the experiment itself refuses a locked change from any entry point; the window
greys the widgets out) and turns quiz mode on with the exercise's quantities and
tolerances. While it is open File → Save writes the student's answers (and the
experiment where it is now) back into the file. Opening a session closes it.
"""

from __future__ import annotations

import html
import os
from typing import Any

from PyQt6.QtCore import QObject, Qt
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.exercise import EXTENSION, Exercise, load_exercise, save_exercise
from engine.experiment import LOCK_NAMES, LOCKABLE, NETWORK_LOCKS
from engine.fileio import BadFileError
from engine.quiz import QUIZZABLE

from .quiz_mode import LABELS

FILTER = f"Backprop Lens exercises (*{EXTENSION});;All files (*)"


class ExerciseDialog(QDialog):
    """Title, instructions, quizzed quantities and locks of a new exercise."""

    def __init__(self, quizzed: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save as exercise")
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. Backpropagate one sample by hand")
        self.instructions = QPlainTextEdit()
        self.instructions.setPlaceholderText(
            "What the student should do, a few paragraphs. For example: step forward to "
            "the loss, then predict δ₂ and ∂C/∂W₂ before each step.")
        self.quizzed = {q: QCheckBox(LABELS[q]) for q in QUIZZABLE}
        for q, box in self.quizzed.items():
            box.setChecked(q in quizzed)
        self.locked = {n: QCheckBox(LOCK_NAMES[n].removeprefix("the ")) for n in LOCKABLE}
        for n in ("architecture", "data", "lr"):
            self.locked[n].setChecked(True)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Title"))
        lay.addWidget(self.title)
        lay.addWidget(QLabel("Instructions"))
        lay.addWidget(self.instructions, 1)
        for title, boxes in (("Quizzed quantities", self.quizzed),
                             ("Locked controls", self.locked)):
            group = QGroupBox(title)
            grid = QGridLayout(group)
            for i, box in enumerate(boxes.values()):
                grid.addWidget(box, i // 3, i % 3)
            lay.addWidget(group)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def values(self) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
        """(title, instructions, quizzed, locked) as typed and ticked."""
        return (self.title.text().strip(), self.instructions.toPlainText().strip(),
                tuple(q for q, b in self.quizzed.items() if b.isChecked()),
                tuple(n for n, b in self.locked.items() if b.isChecked()))


class ExerciseMode(QObject):
    """Opens and saves exercises for a main window; see the module docstring."""

    def __init__(self, win: Any, quiz_mode: Any) -> None:
        super().__init__(win)
        self.win, self.quiz_mode = win, quiz_mode
        self.exercise: Exercise | None = None
        self.path: str | None = None
        self._ex_obj: Any = None   # the experiment the exercise opened
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.save_button = QPushButton("Save answers")
        self.close_button = QPushButton("Close exercise")
        panel = QWidget()
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.text, 1)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.close_button)
        lay.addLayout(row)
        self.dock = QDockWidget("Exercise", win)
        self.dock.setObjectName("dock_exercise")
        self.dock.setWidget(panel)
        win.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.dock.hide()
        self._placed = False
        self.open_action = QAction("Open E&xercise…", win)
        self.open_action.triggered.connect(lambda _checked=False: self.open())
        self.save_as_action = QAction("Save as Exercise…", win)
        self.save_as_action.triggered.connect(lambda _checked=False: self.save_as())
        self.save_button.clicked.connect(lambda _checked=False: self.save_answers())
        self.close_button.clicked.connect(lambda _checked=False: self.close())
        win.file_controller.file_changed.connect(self._on_file_changed)
        quiz_mode.answers_changed.connect(win.file_controller.mark_dirty)

    def actions(self) -> list[QAction]:
        return [self.open_action, self.save_as_action]

    # -- teacher: save as exercise ---------------------------------------------------------
    def save_as(self, path: str | None = None, values: tuple | None = None) -> bool:
        """Ask for the exercise's texts and locks (unless ``values``) and a file; write it."""
        if values is None:
            dlg = ExerciseDialog(self.quiz_mode.settings.quantities, self.win)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return False
            values = dlg.values()
        title, instructions, quizzed, locked = values
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self.win, "Save as exercise",
                                                  f"exercise{EXTENSION}", FILTER)
            if not path:
                return False
        if not os.path.splitext(path)[1]:
            path += EXTENSION
        s = self.quiz_mode.settings
        try:
            ex = Exercise(self.win.model.to_session(), instructions, title, tuple(quizzed),
                          tuple(locked), s.rtol, s.atol, [])
            save_exercise(path, ex)
        except (BadFileError, OSError, ValueError) as e:
            self._error("Cannot save the exercise", str(e))
            return False
        self.win.status.showMessage(f"exercise saved to {path}", 5000)
        return True

    # -- student: open, save answers, close ------------------------------------------------
    def open(self, path: str | None = None) -> bool:
        """Open an exercise: its experiment, instructions, locks and quiz."""
        fc = self.win.file_controller
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.win, "Open exercise", "", FILTER)
            if not path:
                return False
        try:
            ex = load_exercise(path)
        except BadFileError as e:
            self._error("Cannot open the exercise", str(e))
            return False
        if fc.is_dirty and not fc.maybe_save_before_replacing():
            return False
        self.close()
        if not self.win.model.from_session(ex.session, path):
            return False
        self.win.model.ex.lock(ex.locked)
        self._ex_obj = self.win.model.ex
        self.exercise, self.path = ex, str(path)
        fc.save_override = self.save_answers
        fc._detach()
        fc._set_dirty(False)
        self.quiz_mode.answers[:] = ex.answers
        self.quiz_mode.set_settings(ex.settings())
        self.quiz_mode.set_enabled(True)
        self._apply_locks(ex.locked)
        self._show(ex)
        self.win.setWindowTitle(f"Backprop Lens — {ex.title or os.path.basename(path)}")
        return True

    def save_answers(self) -> bool:
        """Write the answers (and where the experiment is now) back into the file."""
        ex = self.exercise
        if ex is None or self.path is None:
            return False
        new = Exercise(self.win.model.to_session(), ex.instructions, ex.title, ex.quizzed,
                       ex.locked, ex.rtol, ex.atol, list(self.quiz_mode.answers))
        try:
            save_exercise(self.path, new)
        except (BadFileError, OSError, ValueError) as e:
            self._error("Cannot save the answers", str(e))
            return False
        self.exercise = new
        self.win.file_controller._set_dirty(False)
        self.win.status.showMessage(f"answers saved to {self.path}", 5000)
        return True

    def close(self) -> None:
        """Leave the exercise: unlock, hide the instructions (quiz mode stays as it is)."""
        if self.exercise is None:
            return
        self.exercise = self.path = None
        self.win.file_controller.save_override = None
        try:
            self.win.model.ex.lock(())
        except ValueError:
            pass
        self._apply_locks(())
        self.dock.hide()
        self.win.setWindowTitle("Backprop Lens")

    def _on_file_changed(self, path: str) -> None:
        """A session was opened (its experiment has no locks): the exercise is left.

        Saving the work as a session (Save As) keeps the exercise and its locks.
        """
        ex = self.exercise
        if not path or ex is None or path == self.path:
            return
        m = self.win.model
        if m.ex.locked != frozenset(ex.locked) or (not ex.locked and m.ex is not self._ex_obj):
            self.close()

    # -- views ----------------------------------------------------------------------------
    def _apply_locks(self, locked: tuple[str, ...] | frozenset[str]) -> None:
        """Grey out what the exercise locks (the experiment refuses it anyway)."""
        c, fc = self.win.controls, self.win.file_controller
        network = any(n in locked for n in NETWORK_LOCKS)
        for widget, name in ((c.lr, "lr"), (c.batch, "batch_size"), (c.optimizer, "optimizer"),
                             (c.loss, "loss"), (c.new_seed, "seed"),
                             (fc.actions.get("import_csv"), "data")):
            if widget is not None:
                widget.setEnabled(name not in locked)
        for widget in (self.win.editor, fc.actions.get("open_spec")):
            if widget is not None:
                widget.setEnabled(not network)
        self.win.editor.setToolTip("Locked by the exercise" if network else "")

    def _show(self, ex: Exercise) -> None:
        paras = "".join(f"<p>{html.escape(p)}</p>" for p in ex.instructions.split("\n\n") if p)
        locks = ", ".join(LOCK_NAMES[n] for n in ex.locked) or "nothing"
        quizzed = ", ".join(LABELS[q] for q in ex.quizzed) or "nothing"
        self.text.setHtml(f"<h3>{html.escape(ex.title or 'Exercise')}</h3>{paras}"
                          f"<p><i>Quizzed: {html.escape(quizzed)}. Locked: "
                          f"{html.escape(locks)}.</i></p>")
        if not self._placed and not self.win.editor_dock.isHidden():
            # The instructions take the editor's place (a tab): they are what to read now.
            self.win.tabifyDockWidget(self.win.editor_dock, self.dock)
            self._placed = True
        self.dock.show()
        self.dock.raise_()

    def _error(self, title: str, text: str) -> None:
        from .messages import message
        message(self.win, title, text)
