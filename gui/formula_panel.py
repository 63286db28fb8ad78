"""The current step's equation, its dimension check, and a plain-language sentence.

Everything shown comes from the engine's ``StepRecord`` (title, formula,
formula_shapes) and ``Stepper.explain`` (the numbers behind one cell); the
panel only chooses words and fonts.  Text is large: teachers project it.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, Qt
from PyQt6.QtGui import QColor, QFontMetrics, QPalette
from PyQt6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from engine.formulas import sub
from gui import style

CELL_HINT = "Hover a cell of a matrix to see the numbers that produced it."
START_HINT = "press → to start"
# Fitting the text to a short panel: scales tried in steps of FIT_STEP, down to FIT_MIN × the
# scale asked for but not below the normal size (below that it scrolls).
FIT_STEP, FIT_MIN = 0.05, 0.6
# The text may shrink to this scale before it scrolls (a 720 px screen; Adam's two-line
# equation), presentation mode's to PRESENTATION_FIT_MIN × the normal size.
NORMAL_FIT_MIN, PRESENTATION_FIT_MIN = 0.8, 0.9


def describe(rec) -> str:
    """One sentence on what a step does, in the lecture's words."""
    l = rec.layer
    if rec.kind == "z":
        return (f"Forward, layer {l}: each unit weighs the outputs a{sub(l - 1)} of the layer "
                f"below with its row of W{sub(l)} and adds its bias b{sub(l)}.")
    if rec.kind == "a":
        return (f"Forward, layer {l}: the activation σ{sub(l)} is applied to every entry of "
                f"z{sub(l)}, one number at a time.")
    if rec.kind == "loss":
        return ("Loss: the network's output is compared with the target y; "
                "C is what training lowers.")
    ctx = rec.context
    if rec.kind == "delta":
        if l < len(ctx.sizes) - 1:  # a hidden layer: the error comes back through W_{ℓ+1}ᵀ
            return (f"Backward, layer {l}: the sensitivity δ{sub(l)} is the error sent back "
                    f"through W{sub(l + 1)}ᵀ, gated by σ'{sub(l)}.")
        if ctx.loss_name != "cross_entropy":
            return (f"Backward, output layer {l}: the error ∂c/∂a{sub(l)} of the output, gated "
                    f"by σ'{sub(l)}, is the sensitivity δ{sub(l)} where backprop starts.")
        return (f"Backward, output layer {l}: with this loss and output the sensitivity is "
                f"simply δ{sub(l)} = a{sub(l)} − y, where backprop starts.")
    if rec.kind == "grads":
        avg = " (both averaged over the batch)" if ctx.B > 1 else ""
        return (f"Backward, layer {l}: the weight gradient is δ{sub(l)} times the layer's input "
                f"a{sub(l - 1)}ᵀ; the bias gradient is δ{sub(l)} itself{avg}.")
    if rec.kind == "update":   # what the rule really does: only plain descent steps by α∇
        if ctx.opt_name == "momentum":
            return "Update: each W and b moves by −α v; v is its gradient plus β × the last v."
        if ctx.opt_name == "adam":
            # (no m̂: the panel's font drops the combining hat)
            return ("Update: each W and b steps about α against its gradient's running mean "
                    "over its running RMS.")
        return "Update: every W and b takes a step of size α against its gradient."
    return ""


class FormulaPanel(QWidget):
    """Show a StepRecord's formula, shapes and meaning, and the arithmetic of a hovered cell."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale = 1.0
        self._phase: str | None = None
        self._title = QLabel()
        self._formula = QLabel()
        self._shapes = QLabel()
        self._sentence = QLabel()
        self._cell = QLabel()
        for lab in (self._title, self._formula, self._shapes, self._sentence, self._cell):
            lab.setWordWrap(True)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The engine's formula is Unicode (subscripts included): shown verbatim, no markup.
        for lab in (self._formula, self._shapes, self._cell):
            lab.setTextFormat(Qt.TextFormat.PlainText)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setStyleSheet(f"color: {style.NEUTRAL};")
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(12, 8, 12, 8)
        for w in (self._title, self._formula, self._shapes, self._sentence, rule, self._cell):
            lay.addWidget(w)
        lay.addStretch(1)
        # Scrolls rather than cutting the sentence off when the panel is short
        # (1280×800, presentation mode's larger fonts).
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._body, self._body_layout = body, lay
        viewport = scroll.viewport()
        assert viewport is not None   # a QScrollArea makes its viewport in its constructor
        self._viewport = viewport
        self._wanted = 1.0   # the scale asked for; _fit_height may show less
        self._compact = False
        viewport.installEventFilter(self)
        # The paper of the current theme (style.BACKGROUND) under the house's text colours:
        # the window palette's background did not go with them.
        self._papers = (body, viewport)
        self.apply_theme()
        self.set_font_scale(1.0)
        self.show_step(None)
        self.show_cell_text(None)

    # -- public API -----------------------------------------------------------------
    def show_step(self, record) -> None:
        """Show one StepRecord; ``None`` shows the "press → to start" hint."""
        if record is None:
            self._phase = None
            self._title.setText("Backprop, step by step")
            self._formula.setText(START_HINT)
            self._shapes.setText("")
            self._sentence.setText("Each press of → computes one matrix of the forward pass, "
                                   "the loss, the backward pass, then the update.")
        else:
            self._phase = record.phase
            self._title.setText(record.title)
            self._formula.setText(record.formula)
            self._shapes.setText(record.formula_shapes)
            self._sentence.setText(describe(record))
        self._restyle()
        self._fit_height(grow=False)

    def show_training(self, optimizer: str, formula: str, lr: float, batch_size: int) -> None:
        """While training runs: the update each iteration makes (``formula``, the
        optimizer's own text) and how to see one iteration step by step."""
        self._phase = "update"
        self._title.setText(f"Training · {optimizer}")
        self._formula.setText(f"{formula}   (α = {style.fmt(lr)})")
        self._shapes.setText("")
        samples = f"{batch_size} sample{'s' if batch_size != 1 else ''}"
        self._sentence.setText(f"Each iteration takes the next mini-batch of {samples} through "
                               "the forward pass, the backward pass and this update. "
                               "Pause (Space) to step through one.")
        self._restyle()
        self._fit_height(grow=False)

    def apply_theme(self) -> None:
        """Take style's current paper and text colours."""
        for w in self._papers:
            pal = w.palette()
            pal.setColor(QPalette.ColorRole.Window, QColor(style.BACKGROUND))
            w.setPalette(pal)
            w.setAutoFillBackground(True)
        if hasattr(self, "_phase"):
            self._restyle()

    def show_cell_text(self, text: str | None) -> None:
        """Show the engine's explanation of one cell (``Stepper.explain``); ``None`` = hint."""
        self._cell.setText(CELL_HINT if text is None else text)
        color = style.MUTED if text is None else style.TEXT
        self._cell.setStyleSheet(f"color: {color};")
        # Presentation mode: the hint's line goes to the equation until a cell is hovered.
        self._cell.setVisible(not (self._compact and text is None))
        self._fit_height(grow=False)

    def set_compact(self, on: bool) -> None:
        """Presentation mode: no "hover a cell" hint line (the arithmetic still appears)."""
        self._compact = on
        lay = self._body_layout
        lay.setContentsMargins(12, 4 if on else 8, 12, 2 if on else 8)   # px for the text
        lay.setSpacing(3 if on else -1)
        if self._cell.text() == CELL_HINT:
            self._cell.setVisible(not on)
        self._fit_height()

    def set_font_scale(self, f: float) -> None:
        """Scale all text (presentation mode), less if the panel is too short for it."""
        self._wanted = f
        self._apply_scale(f)
        self._fit_height()

    def _apply_scale(self, f: float) -> None:
        self._scale = f
        self._title.setFont(style.font(f, 3, bold=True))
        self._formula.setFont(style.font(f, 11))
        self._shapes.setFont(style.font(f, 2))
        self._sentence.setFont(style.font(f, 2))
        self._cell.setFont(style.font(f, 2, family="monospace"))
        self._restyle()

    def _fit_height(self, grow: bool = True) -> None:
        """The largest scale, down to ``FIT_MIN`` × the one asked for, that needs no scrolling.

        At 1280×720 in presentation mode the panel is ~130 px high: at the full scale
        the sentence was cut off below a scroll bar.  ``grow=False`` (a new step or
        hovered cell) starts from the scale in use and only shrinks: the text keeps
        its size from step to step, and a step costs one measurement, not a font
        change per scale tried (three of them made a step 2-3× slower).
        """
        view = self._viewport
        avail, width = view.height(), view.width()
        if avail <= 0 or width <= 0:
            return
        # hardly below the normal size: the point of presentation mode is larger text
        floor = PRESENTATION_FIT_MIN if self._wanted > 1.0 else NORMAL_FIT_MIN
        lowest = max(min(floor, self._wanted), self._wanted * FIT_MIN)
        f = self._wanted if grow else self._scale
        while True:
            if abs(f - self._scale) > 1e-9:
                self._apply_scale(f)
            need = self._body.heightForWidth(width)
            if need <= avail or f <= lowest:
                return
            f = max(lowest, f - FIT_STEP)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        """Fit again when the scroll area's viewport (not only this panel) got its new size."""
        if obj is self._viewport and event.type() == QEvent.Type.Resize:
            # Grow back only when the height changed: a width change alone is mostly the
            # scroll bar coming or going, and growing then set fonts three times a step
            # (the bar came back at once) — a short window's step took twice as long.
            self._fit_height(grow=event.size().height() != event.oldSize().height())
        return False

    def wanted_height(self) -> int:
        """Height for a typical step at the scale asked for, measured from the fonts.

        One line each for the title, the equation, the shapes and a hovered cell's
        numbers, two for the sentence; the window's centre gives the panel this much.
        """
        f = self._wanted
        lines = [style.font(f, 3, bold=True), style.font(f, 11), style.font(f, 2),
                 style.font(f, 2), style.font(f, 2), style.font(f, 2, family="monospace")]
        # (in presentation mode the cell line shows only while hovering: room is kept for it)
        text = sum(QFontMetrics(font).lineSpacing() for font in lines)
        m = self._body_layout.contentsMargins()
        gaps = max(self._body_layout.spacing(), 0) * (len(lines) - 1)
        return int(text + m.top() + m.bottom() + gaps + 2)   # + the rule

    def plain_text(self) -> str:
        """Everything the panel shows, one label per line (for tests and copying)."""
        return "\n".join(lab.text() for lab in (self._title, self._formula, self._shapes,
                                                 self._sentence, self._cell))

    # -- helpers --------------------------------------------------------------------
    def _restyle(self) -> None:
        color = style.PHASE_COLORS.get(self._phase or "", style.MUTED)
        self._title.setStyleSheet(f"color: {color};")
        # A bar in the phase colour ties the equation to the highlight in the other views.
        self._formula.setStyleSheet(
            f"QLabel {{ color: {style.TEXT}; border-style: solid; border-color: {color}; "
            f"border-width: 0px 0px 0px {max(3, int(6 * self._scale))}px; padding-left: 12px; }}")
        self._shapes.setStyleSheet(f"color: {style.MUTED};")
        self._sentence.setStyleSheet(f"color: {style.TEXT};")
