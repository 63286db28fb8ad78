"""The toolbars: stepping, playing the pass, training and the hyper-parameters.

``Controls`` owns the actions (the menus reuse them) and talks to the
``LensModel`` only through its public methods; every value typed here is
validated by the engine, and on error the widget shows the model's value again.
"""

from __future__ import annotations

import math

from PyQt6.QtCore import QObject, Qt, QTimer
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QToolBar,
)

from engine import LOSSES
from engine.optim import OPTIMIZERS

from .spin_boxes import float_spin, int_spin

MAX_PLAY_SPEED = 30.0   # steps per second; also the redraw budget
# Training speeds offered, iterations per second; None: as fast as the computer goes.
TRAIN_SPEEDS: tuple[float | None, ...] = (1, 2, 5, 10, 30, 100, 300, 1000, None)
# 30 it/s: moons (5 iterations an epoch) takes its default 30 epochs in 5 s and separates
# in ~100 epochs (~17 s), each iteration on screen (the redraw budget is 30/s). At full
# speed the same 30 epochs took 0.1 s: a blur.
DEFAULT_TRAIN_SPEED = 30.0


def speed_text(rate: float | None) -> str:
    """ "30 it/s", or "max" for no limit."""
    return "max" if rate is None else f"{rate:g} it/s"


def nearest_speed(rate: float | None) -> float | None:
    """The offered speed closest to ``rate`` (on a log scale); ``None`` or ≤ 0 is max."""
    if rate is None or not rate > 0:
        return None
    limited = [r for r in TRAIN_SPEEDS if r is not None]
    return min(limited, key=lambda r: abs(math.log(r / rate)))


def _action(parent, text: str, tip: str, shortcut: str | None = None,
            checkable: bool = False) -> QAction:
    a = QAction(text, parent)
    if shortcut:
        a.setShortcut(QKeySequence(shortcut))
        tip = f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
    a.setToolTip(tip)
    a.setStatusTip(tip)
    a.setCheckable(checkable)
    return a


class Controls(QObject):
    """Actions and toolbar widgets bound to a LensModel."""

    def __init__(self, model, window: QMainWindow):
        super().__init__(window)
        self.model = model
        w = window
        self.back = _action(w, "◀ Back", "Undo the last step, weights included", "Left")
        self.step = _action(w, "Step ▶", "Take the next step of the pass", "Right")
        self.play = _action(w, "▶▶ Play", "Play the rest of the pass at the chosen speed",
                            "P", checkable=True)
        self.follow = _action(w, "Follow step", "The matrices show the layer the step is in; "
                              "clicking a layer in the graph pins it", "F", checkable=True)
        self.follow.setChecked(True)
        self.train = _action(w, "Train", "Train in the background: the epochs in the box, "
                             "or until stopped when the box says ∞", "T")
        self.pause = _action(w, "Pause", "Pause or resume training / playing", "Space")
        self.stop = _action(w, "Stop", "Stop training", "Esc")
        self.reset = _action(w, "Reset", "Back to the initial weights (same seed)", "R")
        self.new_seed = _action(w, "New seed", "Draw new random initial weights", "N")
        self.faster = _action(w, "Train faster", "Next training speed up", "+")
        self.slower = _action(w, "Train slower", "Next training speed down", "-")
        self.export = _action(w, "Export loss…", "Save the loss plot as PNG, SVG or CSV",
                              "Ctrl+E")

        self.speed = float_spin(0.5, MAX_PLAY_SPEED, 0.5, 1, " steps/s")
        self.speed.setToolTip("Speed of ▶▶ Play")
        self.speed.setValue(4.0)
        self.sample_mode = QComboBox()
        self.sample_mode.addItems(["one sample", "whole mini-batch"])
        self.sample_mode.setToolTip("Step through one training sample (one column, the "
                                    "lecture's per-sample form) or the first mini-batch")
        self.sample_index = int_spin(0, max(0, model.n_samples - 1))
        self.sample_index.setPrefix("#")
        self.sample_index.setToolTip("Which sample to step (or click a point in the data view)")

        self.epochs = int_spin(0, 100_000, " epochs")
        self.epochs.setSpecialValueText("∞ until stopped")
        self.epochs.setValue(30)
        self.epochs.setToolTip("How many epochs Train runs; 0 = until you press Stop")
        self.train_speed = QComboBox()
        self.train_speed.addItems([speed_text(r) for r in TRAIN_SPEEDS])
        self.train_speed.setToolTip("Training speed in iterations per second (max: as fast as "
                                    "it goes); changes a run at once. Keys: + faster, − slower")
        self.train_speed.setCurrentText(speed_text(DEFAULT_TRAIN_SPEED))
        model.set_train_speed(DEFAULT_TRAIN_SPEED)
        self.lr = QLineEdit(f"{model.lr:g}")
        self.lr.setFixedWidth(70)
        self.lr.setToolTip("Learning rate α (the seed's W ← W − α ∂C/∂W); press Enter")
        self.batch = int_spin(1, model.n_samples)
        self.batch.setValue(model.batch_size)
        self.batch.setToolTip("Mini-batch size; 1 = the seed's per-sample form")
        self.optimizer = QComboBox()
        self.optimizer.addItems(OPTIMIZERS)
        self.optimizer.setToolTip("sgd is exactly the seed's update")
        self.loss = QComboBox()
        self.loss.addItems(LOSSES)
        self.loss.setToolTip("Cost function; squared is the seed's ‖a<sub>L</sub> − y‖²")

        self.timer = QTimer(self)
        self._play_paused = False
        self._connect()
        self.sync_from_model()
        self.set_training(False)

    # -- layout ---------------------------------------------------------------
    def build_toolbars(self, window: QMainWindow) -> tuple[QToolBar, QToolBar]:
        """A stepping toolbar and a training toolbar (on two rows when narrow)."""
        steps = QToolBar("Step", window)
        window.addToolBar(steps)
        steps.setObjectName("toolbar_step")
        for a in (self.back, self.step, self.play):
            steps.addAction(a)
        steps.addWidget(self.speed)
        steps.addSeparator()
        steps.addWidget(QLabel(" step: "))
        steps.addWidget(self.sample_mode)
        steps.addWidget(self.sample_index)
        steps.addSeparator()
        steps.addAction(self.follow)
        train = QToolBar("Training", window)
        window.addToolBar(train)
        train.setObjectName("toolbar_train")
        for a in (self.train,):
            train.addAction(a)
        train.addWidget(self.epochs)
        train.addWidget(self.train_speed)
        window.addActions([self.faster, self.slower])   # keys only: the box shows the speed
        for a in (self.pause, self.stop, self.reset, self.new_seed):
            train.addAction(a)
        train.addSeparator()
        for text, wdg in ((" α ", self.lr), (" batch ", self.batch),
                          (" ", self.optimizer), (" loss ", self.loss)):
            train.addWidget(QLabel(text))
            train.addWidget(wdg)
        train.addSeparator()
        train.addAction(self.export)
        for tb in (steps, train):
            tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return steps, train

    def _connect(self) -> None:
        m = self.model
        self.back.triggered.connect(m.step_back)
        self.step.triggered.connect(m.step)
        self.play.toggled.connect(self._on_play_toggled)
        self.timer.timeout.connect(self._on_tick)
        self.speed.valueChanged.connect(self._on_speed_changed)
        self.train.triggered.connect(self._on_train)
        self.train_speed.currentIndexChanged.connect(
            lambda i: self.model.set_train_speed(TRAIN_SPEEDS[i]))
        self.faster.triggered.connect(lambda: self._step_speed(+1))
        self.slower.triggered.connect(lambda: self._step_speed(-1))
        self.pause.triggered.connect(self._on_pause)
        self.stop.triggered.connect(m.stop_training)
        self.reset.triggered.connect(m.reset)
        self.new_seed.triggered.connect(lambda _checked=False: m.new_seed())
        self.lr.editingFinished.connect(self._on_lr_edited)
        self.batch.editingFinished.connect(lambda: m.set_batch_size(self.batch.value()))
        self.optimizer.activated.connect(lambda _i: m.set_optimizer(self.optimizer.currentText()))
        self.loss.activated.connect(lambda _i: m.set_loss(self.loss.currentText()))
        self.sample_mode.activated.connect(self._on_sample_widgets_changed)
        self.sample_index.editingFinished.connect(self._on_sample_widgets_changed)
        m.error_occurred.connect(self.sync_from_model)   # show the model's value again
        m.training_started.connect(lambda: self.set_training(True))
        m.training_finished.connect(lambda: self.set_training(False))
        m.training_failed.connect(lambda _msg: self.set_training(False))
        m.training_paused.connect(self._on_paused)

    # -- model → widgets -----------------------------------------------------------
    def sync_from_model(self, *_args) -> None:
        """Show the model's values (after a change, or to undo a rejected edit)."""
        m = self.model
        for wdg in (self.batch, self.optimizer, self.loss, self.sample_mode, self.sample_index):
            wdg.blockSignals(True)
        if not self.lr.hasFocus() or self.lr.text().strip() != f"{m.lr:g}":
            self.lr.setText(f"{m.lr:g}")
        self.batch.setMaximum(m.n_samples)
        self.batch.setValue(m.batch_size)
        self.optimizer.setCurrentText(m.optimizer_name)
        self.loss.setCurrentText(m.loss_name)
        self.sample_mode.setCurrentIndex(0 if m.sample is not None else 1)
        self.sample_index.setMaximum(max(0, m.n_samples - 1))
        self.sample_index.setValue(m.sample or 0)
        self.sample_index.setEnabled(m.sample is not None)
        for wdg in (self.batch, self.optimizer, self.loss, self.sample_mode, self.sample_index):
            wdg.blockSignals(False)

    def set_training(self, running: bool) -> None:
        """Enable what makes sense while training runs (stepping waits)."""
        for a in (self.back, self.step, self.play, self.train):
            a.setEnabled(not running)
        self.stop.setEnabled(running)
        self.pause.setText("Pause")
        if running:
            self.play.setChecked(False)

    def _on_paused(self) -> None:
        # Paused: the student may step through the current weights, then resume.
        self.set_training(False)
        self.stop.setEnabled(True)
        self.pause.setText("Resume")

    # -- widgets → model ---------------------------------------------------------------
    def _on_lr_edited(self) -> None:
        if self.lr.text().strip() != f"{self.model.lr:g}":
            self.model.set_lr(self.lr.text().strip())
        self.lr.setText(f"{self.model.lr:g}")   # the value in force, as the engine reads it

    def _on_sample_widgets_changed(self, *_args) -> None:
        idx = self.sample_index.value() if self.sample_mode.currentIndex() == 0 else None
        if idx != self.model.sample:
            self.model.select_sample(idx)
        self.sync_from_model()

    def set_train_speed(self, rate: float | None) -> None:
        """Show and use the offered speed nearest ``rate`` (None: max)."""
        self.train_speed.setCurrentIndex(TRAIN_SPEEDS.index(nearest_speed(rate)))

    def train_speed_value(self) -> float | None:
        """The chosen speed in iterations per second; None: max."""
        return TRAIN_SPEEDS[self.train_speed.currentIndex()]

    def _step_speed(self, by: int) -> None:
        i = min(max(0, self.train_speed.currentIndex() + by), len(TRAIN_SPEEDS) - 1)
        self.train_speed.setCurrentIndex(i)

    def _on_train(self) -> None:
        n = self.epochs.value()
        self.model.train(n if n > 0 else None)

    def _on_pause(self) -> None:
        if self.play.isChecked():
            self.play.setChecked(False)
            self._play_paused = True      # Space again resumes the pass where it stopped
        elif self._play_paused and not self.model.is_training:
            self.play.setChecked(True)
        elif self.model.is_paused:
            self.model.resume()
        elif self.model.is_training:
            self.model.pause()

    def _on_play_toggled(self, on: bool) -> None:
        self._play_paused = False
        if on:
            self._on_speed_changed(self.speed.value())
            self.timer.start()
        else:
            self.timer.stop()

    def _on_speed_changed(self, v: float) -> None:
        self.timer.setInterval(int(1000 / max(0.5, min(MAX_PLAY_SPEED, v))))

    def _on_tick(self) -> None:
        st = self.model.stepper
        ok = self.model.step()
        if not ok or st is not self.model.stepper or self.model.stepper.k == self.model.stepper.K:
            self.play.setChecked(False)   # one pass per ▶▶; press again for the next
