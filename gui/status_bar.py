"""The status bar: phase, layer, step k of K, epoch, iteration, loss; progress while training."""

from __future__ import annotations

from PyQt6.QtWidgets import QLabel, QProgressBar, QStatusBar

from . import style


class LensStatusBar(QStatusBar):
    """Shows ``LensModel.status()`` and training records; it formats, never computes."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.phase = QLabel()
        self.layer = QLabel()
        self.step = QLabel()
        self.epoch = QLabel()
        self.iteration = QLabel()
        self.loss = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("epoch %v of %m")
        self.progress.hide()
        for w in (self.phase, self.layer, self.step, self.epoch, self.iteration, self.loss):
            w.setContentsMargins(6, 0, 6, 0)
            self.addPermanentWidget(w)
        self.addPermanentWidget(self.progress)
        # Each field has a fixed size, that of its widest usual text. A label whose size
        # may change asks its parent to re-lay out on every setText, and QStatusBar
        # repaints itself and all its fields on each layout request: a full-width repaint
        # per step, and ~190 label paints a second while training.
        bold = "<b style='color:#000'>{}</b>"
        for w, widest in ((self.phase, ["paused · next: " + bold.format("backward"),
                                        bold.format("training")]),
                          (self.layer, ["layer 88", "layer –"]),
                          (self.step, ["step 88 of 88 (pass 8888)"]),
                          (self.epoch, ["epoch 888888"]),
                          (self.iteration, ["iteration 88888888"]),
                          (self.loss, ["loss 0.0008888 (last batch)",
                                       "loss 8.888e-08 (last batch)"])):
            w.setFixedSize(max(self._width_of(w, t) for t in widest), w.sizeHint().height())

    @staticmethod
    def _width_of(label: QLabel, text: str) -> int:
        label.setText(text)
        width = label.sizeHint().width()
        label.setText("")
        return width

    def text(self) -> str:
        """All permanent fields as one line (tests, screen readers)."""
        return " | ".join(w.text() for w in (self.phase, self.layer, self.step, self.epoch,
                                             self.iteration, self.loss))

    def show_status(self, s: dict) -> None:
        """Draw the dict of ``LensModel.status()``."""
        phase = s["phase"] or "forward"
        color = style.PHASE_COLORS.get(phase, style.NEUTRAL)
        state = "paused" if s.get("training") == "paused" else "ready"
        if s["k"] == 0:   # nothing computed in this pass yet: say what comes next
            self.phase.setText(f"{state} · next: <b style='color:{color}'>{phase}</b>")
        elif state == "paused":
            self.phase.setText(f"paused · <b style='color:{color}'>{phase}</b>")
        else:
            self.phase.setText(f"<b style='color:{color}'>{phase}</b>")
        self.layer.setText(f"layer {s['layer']}" if s["layer"] is not None else "layer –")
        self.step.setText(f"step {s['k']} of {s['K']} (pass {s['pass'] + 1})")
        self.epoch.setText(f"epoch {s['epoch']}")
        self.iteration.setText(f"iteration {s['iteration']}")
        if s["loss"] is None:
            self.loss.setText("loss –")
        else:
            where = "this pass" if s["loss_is_step"] else "last batch"
            self.loss.setText(f"loss {s['loss']:.4g} ({where})")

    def show_record(self, rec) -> None:
        """Draw a TrainRecord during training."""
        self.phase.setText(f"<b style='color:{style.PHASE_COLORS['update']}'>training</b>")
        self.layer.setText("layer –")
        self.epoch.setText(f"epoch {rec.epoch}")
        self.iteration.setText(f"iteration {rec.iteration}")
        self.loss.setText(f"loss {rec.loss:.4g} (last batch)")
        if self.progress.isVisible():
            self.progress.setValue(min(self.progress.maximum(), rec.epoch - self._epoch0))

    def start_progress(self, epochs: int | None, epoch0: int, epoch: int | None = None) -> None:
        """Show a progress bar for a run of ``epochs`` epochs from ``epoch0`` (none for an
        open-ended run); ``epoch``: where the run is now (a resumed run is under way)."""
        self._epoch0 = epoch0
        if epochs:
            self.progress.setRange(0, epochs)
            self.progress.setValue(min(epochs, max(0, (epoch or epoch0) - epoch0)))
            self.progress.show()
        else:
            self.progress.hide()

    def stop_progress(self) -> None:
        self.progress.hide()
