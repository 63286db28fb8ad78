"""The status bar: phase, layer, step k of K, epoch, iteration, loss; progress while training."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLabel, QProgressBar, QStatusBar

from . import style

# The order in which fields give up width when the bar is too narrow: the loss' "(last
# batch)" first, the layer number last. None goes below MIN_SHARE of its usual width.
SHRINK_ORDER = ("loss", "step", "iteration", "epoch", "layer")
MIN_SHARE = 0.35
GRIP = 24   # px of the size grip and the bar's margins
MIN_WIDTH = 200


class ElidedLabel(QLabel):
    """A plain-text field that shortens its text with "…" instead of being cut off.

    ``text()`` is the full text; when shortened, the tooltip shows it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._full = ""
        self._short = ""
        self.setTextFormat(Qt.TextFormat.PlainText)

    def setText(self, text: str | None, short: str | None = None) -> None:  # noqa: N802
        """Show ``text``; when it does not fit, ``short`` (if given), else "…" shortenings."""
        self._full = text or ""
        self._short = short or self._full
        self._elide()

    def text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        """What is drawn (the full text, or its elided form)."""
        return super().text()

    def _elide(self) -> None:
        room = self.contentsRect().width()
        fm = self.fontMetrics()
        text = self._full if fm.horizontalAdvance(self._full) <= room else self._short
        shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, room)
        super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()


class LensStatusBar(QStatusBar):
    """Shows ``LensModel.status()`` and training records; it formats, never computes."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.phase = QLabel()
        self.layer = ElidedLabel()
        self.step = ElidedLabel()
        self.epoch = ElidedLabel()
        self.iteration = ElidedLabel()
        self.loss = ElidedLabel()
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
        self._usual = {name: getattr(self, name).width() for name in (*SHRINK_ORDER, "phase")}
        # Below these widths a field's short form ("loss 0.01235", "step 13/14") is cut too.
        self._least = {name: int(MIN_SHARE * w) for name, w in self._usual.items()}
        for name, short in (("loss", "loss 8.888e-08"), ("step", "step 88/88")):
            self._least[name] = self._width_of(getattr(self, name), short)
        # An explicit minimum: else the fields' fixed widths add up to the bar's (and the
        # window's) minimum width, and a narrow window cut the bar off instead of eliding.
        self.setMinimumWidth(MIN_WIDTH)

    @staticmethod
    def _width_of(label: QLabel, text: str) -> int:
        if isinstance(label, ElidedLabel):   # its size hint is that of its elided text
            m = label.contentsMargins()
            return label.fontMetrics().horizontalAdvance(text) + m.left() + m.right() + 2
        label.setText(text)
        width = label.sizeHint().width()
        label.setText("")
        return width

    def fit(self) -> None:
        """Give the fields their usual widths, or less (elided) when the bar is too narrow.

        Widths stay fixed between fits: a label of fixed size re-lays out nothing on
        setText (see the constructor).
        """
        spacing = 2 * (len(SHRINK_ORDER) + 2)
        room = self.width() - GRIP - spacing - self._usual["phase"]
        if self.progress.isVisible():
            room -= self.progress.width()
        deficit = sum(self._usual[n] for n in SHRINK_ORDER) - room
        for name in SHRINK_ORDER:
            usual = self._usual[name]
            cut = min(max(deficit, 0), usual - self._least[name])
            deficit -= cut
            getattr(self, name).setFixedWidth(usual - cut)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit()

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
        self.step.setText(f"step {s['k']} of {s['K']} (pass {s['pass'] + 1})",
                          f"step {s['k']}/{s['K']}")
        self.epoch.setText(f"epoch {s['epoch']}")
        self.iteration.setText(f"iteration {s['iteration']}")
        if s["loss"] is None:
            self.loss.setText("loss –")
        else:
            where = "this pass" if s["loss_is_step"] else "last batch"
            self.loss.setText(f"loss {s['loss']:.4g} ({where})", f"loss {s['loss']:.4g}")

    def show_record(self, rec) -> None:
        """Draw a TrainRecord during training."""
        self.phase.setText(f"<b style='color:{style.PHASE_COLORS['update']}'>training</b>")
        self.layer.setText("layer –")
        # Not the stepped pass's "step k of K": training takes whole iterations, and the
        # pass shown before it started belongs to weights it has replaced.
        self.step.setText("step –")
        self.epoch.setText(f"epoch {rec.epoch}")
        self.iteration.setText(f"iteration {rec.iteration}")
        self.loss.setText(f"loss {rec.loss:.4g} (last batch)", f"loss {rec.loss:.4g}")
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
        self.fit()

    def stop_progress(self) -> None:
        self.progress.hide()
        self.fit()
