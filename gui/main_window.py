"""The main window: graph on top, the selected layer's matrices, formulas, docks around.

It composes the views and routes the LensModel's signals to them; every view
draws from the engine's records held by the model (``model.stepper``,
``model.history``), the window itself computes nothing.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QWidget,
)

from engine.stepper import StepKind

from .architecture_editor import ArchitectureEditor
from .centre_fit import CentreFit
from .controls import Controls
from .data_view import DataView
from .divergence_dialog import offer_reset
from .file_controller import FileController
from .formula_panel import FormulaPanel
from .graph_view import GraphView
from .lens_model import Change, LensModel
from .live_training import LiveTraining
from .loss_plot import LossPlotWidget
from .matrix_panel import MatrixPanel
from .messages import ask, message
from .settings import AppSettings, apply_theme, presentation_scale
from .status_bar import LensStatusBar
from .toolbar_fit import ToolbarFitter
from .view_theme import apply_view_theme
from .window_menus import build_menus
from .window_title import track_title

# First start: this share of the screen's free area, at most the size the layout was made for.
FIRST_SIZE_SHARE, FIRST_SIZE_MAX = 0.92, (1600, 1000)
# Below this width the editor shares the data dock's place (a tab) so the matrices get the
# centre: beside three columns, five heatmaps got ~40 px each at 1280 px.
TABBED_EDITOR_BELOW = 1400
# px the centre needs for a row of five heatmaps with their titles; a window made narrower
# (a laptop plugged into a 1280×720 projector) takes it from the docks, not the matrices.
CENTRE_MIN_WIDTH = 660
# Presentation mode: shares of the centre's height for graph, matrices and formula. The
# matrices are what the class looks at; the graph keeps enough for its columns of neurons
# and the formula for its equation and explanation.
PRESENTATION_SHARES = (0.30, 0.48, 0.22)
# Apply with more parameters than this shows a wait cursor and a message (2-3000-3000-1,
# 9 M parameters, took ~2 s: drawing the weights from the seed).
BUSY_PARAMS = 1_000_000


class MainWindow(QMainWindow):
    """Backprop Lens' window.

    Parameters
    ----------
    model : LensModel, optional
        The experiment; a default one (2-8-8-1 on moons) when omitted.
    settings : AppSettings, optional
        Where geometry and last values are remembered; tests pass an ini in tmp.
    """

    def __init__(self, model: LensModel | None = None, settings: AppSettings | None = None):
        super().__init__()
        self.setWindowTitle("Backprop Lens")
        self.settings = settings if settings is not None else AppSettings()
        self.model = model if model is not None else LensModel()
        # An experiment handed in (a file, an example) keeps its own α, batch size and
        # optimizer; the remembered ones are for the default experiment only.
        self._own_training_values = model is not None
        self.layer = self.model.net.L     # the layer whose matrices are shown
        self._font_scale = 1.0
        self._saved_docks: dict[str, bool] = {}
        self._presenting = False
        self._saved_centre: list[int] = []   # the splitter's sizes before presentation mode

        self.graph = GraphView()
        self.matrices = MatrixPanel()
        self.formula = FormulaPanel()
        self.loss_plot = LossPlotWidget()
        self.data_view = DataView()
        self.editor = ArchitectureEditor()

        centre = QSplitter(Qt.Orientation.Vertical)
        centre.setObjectName("centre_splitter")
        for w, stretch in ((self.graph, 3), (self.matrices, 6), (self.formula, 2)):
            centre.addWidget(w)
            centre.setStretchFactor(centre.indexOf(w), stretch)
        centre.setChildrenCollapsible(False)
        centre.setSizes([250, 470, 240])   # the formula panel needs room for its explanation
        self.centre = centre
        self.setCentralWidget(centre)
        self.centre_fit = CentreFit(self)   # shares for the height it has (1280×720 too)
        self.loss_dock = self._dock("Loss", self.loss_plot, Qt.DockWidgetArea.RightDockWidgetArea)
        self.data_dock = self._dock("Data", self.data_view, Qt.DockWidgetArea.RightDockWidgetArea)
        # Scrolled: its form is taller (~390 px) than a 720 px screen leaves the dock column.
        editor_scroll = QScrollArea()
        editor_scroll.setWidget(self.editor)
        editor_scroll.setWidgetResizable(True)
        editor_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.editor_dock = self._dock("Network and data", editor_scroll,
                                      Qt.DockWidgetArea.LeftDockWidgetArea)
        self.splitDockWidget(self.data_dock, self.loss_dock, Qt.Orientation.Vertical)

        self.controls = Controls(self.model, self)
        self.live = LiveTraining(self.model, self.graph, self.matrices, self.data_view,
                                 lambda: self.layer, self.loss_plot, parent=self,
                                 formula=self.formula)
        self.step_toolbar, self.train_toolbar = self.controls.build_toolbars(self)
        self.toolbar_fit = ToolbarFitter(self, self.step_toolbar, self.train_toolbar)
        self._size_docks = True
        self._narrowing_queued = False
        self.status = LensStatusBar(self)
        self.setStatusBar(self.status)
        self.file_controller = FileController(
            self, self.model.to_session, self.model.from_session,
            lambda: self.model.ex.spec(), self.model.open_spec,
            self.model.set_imported_dataset, work_token=self.model.work_token)
        self.presentation_action: QAction   # View → Presentation mode, made by build_menus
        build_menus(self)
        track_title(self, self.file_controller)
        self._connect()
        self._restore_settings()
        self._redraw_all()

    # -- construction helpers -----------------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.split()[0].lower()}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _connect(self) -> None:
        m = self.model
        m.changed.connect(self._on_changed)
        m.notice.connect(self._on_notice)
        m.training_started.connect(self._on_training_started)
        m.training_progressed.connect(self._on_training_progressed)
        m.training_finished.connect(self._on_training_ended)
        m.training_paused.connect(self._on_training_paused)
        m.training_failed.connect(self._on_training_failed)
        m.error_occurred.connect(self._on_error)
        self.editor.applied.connect(self._on_editor_applied)
        self.graph.layer_clicked.connect(self._on_layer_clicked)
        self.matrices.cell_hovered.connect(self._on_cell_hovered)
        self.matrices.cell_left.connect(self._on_cell_left)
        self.data_view.sample_clicked.connect(m.select_sample)
        self.controls.follow.toggled.connect(self._on_follow_changed)

    # -- model → views -----------------------------------------------------------------------
    def _on_changed(self, change: Change) -> None:
        """The experiment accepted a change: each view that shows it redraws once."""
        m = self.model
        C = Change
        self.formula.show_cell_text(None)   # a hovered cell's numbers are stale now
        if change & (C.STEP | C.NETWORK):
            self._follow_step()
        self.layer = min(max(1, self.layer), m.net.L)
        if change & C.NETWORK:
            self.graph.set_network(m.net)
            self.centre_fit.fit()   # another network needs another height for its neurons
        if change & (C.NETWORK | C.DATA):
            self.editor.load(m.net.to_spec(weights=False), m.data_spec, m.dataset.input_size,
                             m.dataset.output_size, m.dataset.name)
        if change & (C.NETWORK | C.WEIGHTS | C.STEP):
            self.matrices.show_layer(m.stepper, self.layer)
            self.graph.set_state(m.stepper)
            self.graph.set_selected_layer(self.layer)
        if change & (C.STEP | C.NETWORK):
            self.formula.show_step(m.stepper.last)
        if change & C.HISTORY:
            self.loss_plot.show_history(m.history)
        if change & C.DATA:
            self.data_view.show_data(m.dataset, m.net)
        elif change & C.NETWORK:
            self.data_view.set_network(m.net)
        elif change & C.WEIGHTS:
            self.data_view.refresh_prediction()
        if change & (C.SETTINGS | C.DATA):   # a step keeps the sample: no repaint of the plot
            self.data_view.set_selected_sample(m.sample)
        if change & (C.SETTINGS | C.NETWORK | C.DATA):
            self.controls.sync_from_model()
        if not m.is_training:
            self.status.show_status(m.status())
        self.file_controller.mark_changed()   # stepping within a pass is navigation

    def _follow_step(self) -> None:
        """Show the layer the step is in, unless the user pinned one."""
        record = self.model.stepper.last
        if self.controls.follow.isChecked() and record is not None:
            if record.layer is not None:
                self.layer = record.layer
            elif record.kind is StepKind.LOSS:
                self.layer = self.model.net.L

    def _redraw_all(self) -> None:
        self._on_changed(Change.ALL)
        if self.live.active:   # a new theme mid-run: the weights now, not the stepped pass
            self.live.redraw()

    def _on_notice(self, text: str) -> None:
        self.status.showMessage(text, 15000)
        message(self, "Backprop Lens", text, kind="information")

    def _on_editor_applied(self, spec: dict, data: dict) -> None:
        if self.model.ex.weights_origin != "seed" and not ask(
                self, "Replace the weights?",
                "Apply draws new weights from the seed for the new network. The current "
                f"weights ({self.model.ex.weights_origin}) will be replaced; save them first "
                "(File → Save network spec) if you want to keep them.\n\nApply anyway?"):
            self.editor.load(self.model.net.to_spec(weights=False), self.model.data_spec,
                             self.model.dataset.input_size, self.model.dataset.output_size,
                             self.model.dataset.name)
            return
        if self.editor.n_params() < BUSY_PARAMS:
            self.model.set_experiment(spec, data)
            return
        # Drawing millions of weights takes a second or two here: say so while it runs.
        self.status.showMessage(f"building a network of {self.editor.n_params():,} "
                                "parameters…")
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            QApplication.processEvents()   # paint the message before the work starts
            self.model.set_experiment(spec, data)
        finally:
            QApplication.restoreOverrideCursor()
            self.status.clearMessage()

    def _on_training_started(self) -> None:
        m = self.model
        self.status.start_progress(m.epochs_target, m.run_start_epoch, m.trainer.epoch)
        self.status.showMessage("training…", 2000)

    def _on_training_progressed(self, rec) -> None:
        self.status.show_record(rec)   # the plots: self.live (live_training.py)

    def _on_training_paused(self) -> None:
        self.status.clearMessage()
        self.status.show_status(self.model.status())

    def _on_training_ended(self) -> None:
        self.status.clearMessage()
        self.status.stop_progress()
        self.status.show_status(self.model.status())

    def _on_training_failed(self, text: str) -> None:
        self._on_training_ended()
        offer_reset(self, self.model, text)   # the engine's one message, and a way out

    def _on_error(self, text: str) -> None:
        self.status.showMessage(text, 8000)
        message(self, "Backprop Lens", text)

    # -- user → view -----------------------------------------------------------------------------
    def _on_layer_clicked(self, layer: int) -> None:
        """Clicking a layer pins it; the Follow toggle goes back to following the step."""
        if not 1 <= layer <= self.model.net.L:
            return
        self.layer = layer
        self.controls.follow.setChecked(False)
        self._show_layer()

    def _on_follow_changed(self, on: bool) -> None:
        if on:
            self._follow_step()
            self._show_layer()

    def _show_layer(self) -> None:
        """Another layer's matrices (the experiment did not change)."""
        self.formula.show_cell_text(None)
        if self.live.active:   # training: the layer's weights now, not the stepped pass
            self.live.redraw()
        else:
            self.matrices.show_layer(self.model.stepper, self.layer)
        self.graph.set_selected_layer(self.layer)

    def _on_cell_hovered(self, quantity: str, layer: int, row: int, col: int) -> None:
        self.formula.show_cell_text(self.model.explain(quantity, layer, row, col))

    def _on_cell_left(self) -> None:
        self.formula.show_cell_text(None)

    # -- view options ------------------------------------------------------------------------------
    def set_font_scale(self, f: float) -> None:
        self._font_scale = f
        for w in (self.graph, self.matrices, self.formula):
            w.set_font_scale(f)

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: larger fonts, only the graph, the matrices and the formula.

        The docks stay in the View menu. At 1280×800 the data dock beside the centre left
        the heatmaps ~40 px high, so it goes too; the centre splitter gets sizes for the
        larger fonts and its own sizes come back when the mode ends.
        """
        docks = {"editor": self.editor_dock, "data": self.data_dock, "loss": self.loss_dock}
        if on == self._presenting:
            return   # already so: saving the sizes again would save the presentation ones
        self._presenting = on
        if on:
            self._saved_docks = {k: not d.isHidden() for k, d in docks.items()}
            self._saved_centre = self.centre.sizes()
            for d in docks.values():
                d.hide()
        else:
            for k, d in docks.items():
                d.setVisible(self._saved_docks.get(k, True))
        self.graph.set_compact(on)
        self.matrices.set_compact(on)
        self.formula.set_compact(on)
        self.set_font_scale(presentation_scale(self.height()) if on else 1.0)
        if on:
            total = max(sum(self._saved_centre), 1)
            self.centre.setSizes([int(total * share) for share in PRESENTATION_SHARES])
            self.centre_fit.fit()   # the graph keeps room for distinct neurons
        elif self._saved_centre:
            self.centre.setSizes(self._saved_centre)
        self.settings.set("presentation", bool(on))

    def set_theme(self, theme: str) -> None:
        apply_theme(theme)
        apply_view_theme(self, theme)
        self.settings.set("theme", theme)

    # -- settings and closing -----------------------------------------------------
    def _restore_settings(self) -> None:
        geometry, state = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self._first_geometry()
        if state is not None:
            self._size_docks = not self.restoreState(state)
        s = self.settings
        m = self.model
        # Remembered values go through the engine's checks like typed ones; a value the
        # engine refuses is left at the experiment's (the window draws once, after this).
        remembered = () if self._own_training_values else (
            (m.ex.set_lr, s.get("lr")),
            (m.ex.set_batch_size, min(s.get("batch_size"), m.n_samples)),
            (m.ex.set_optimizer, s.get("optimizer")))
        for setter, value in remembered:
            try:
                setter(value)
            except (ValueError, TypeError):
                pass
        self.controls.epochs.setValue(s.get("epochs"))
        self.controls.speed.setValue(s.get("play_speed"))
        self.controls.set_train_speed(s.get("train_speed"))   # 0: max

    def _first_geometry(self) -> None:
        """A share of the screen, centred, rather than whatever size Qt picks."""
        screen = self.screen()
        if screen is None:
            self.resize(*FIRST_SIZE_MAX)
            return
        free = screen.availableGeometry()
        w = min(int(free.width() * FIRST_SIZE_SHARE), FIRST_SIZE_MAX[0])
        h = min(int(free.height() * FIRST_SIZE_SHARE), FIRST_SIZE_MAX[1])
        self.resize(w, h)
        self.move(free.x() + (free.width() - w) // 2, free.y() + (free.height() - h) // 2)

    def _arrange_docks(self, w: int) -> None:
        """Size the docks for a window ``w`` px wide (first start only: no saved state)."""
        if w < TABBED_EDITOR_BELOW:
            # Tabbed, not hidden: the editor is one click away, and the centre gains its width.
            self.tabifyDockWidget(self.data_dock, self.editor_dock)
            self.data_dock.raise_()
            self.resizeDocks([self.data_dock], [max(340, int(w * 0.28))],
                             Qt.Orientation.Horizontal)
            return
        # The matrices are the point of the app: the centre gets most of the width.
        self.resizeDocks([self.editor_dock, self.data_dock],
                         [max(220, int(w * 0.16)), max(360, int(w * 0.28))],
                         Qt.Orientation.Horizontal)

    def _keep_centre_wide(self) -> None:
        """Give the centre back the width its matrices need when the window got narrower:
        the editor joins the data dock as a tab (as at a first start below 1400 px), then
        the dock column gives up width (down to 340 px)."""
        self._narrowing_queued = False
        short = CENTRE_MIN_WIDTH - self.centre.width()
        if short <= 0 or self._presenting:
            return
        beside = [d for d in (self.editor_dock, self.data_dock)
                  if d.isVisible() and not d.isFloating()
                  and self.dockWidgetArea(d) != Qt.DockWidgetArea.NoDockWidgetArea]
        if self.editor_dock in beside and self.data_dock in beside \
                and not self.tabifiedDockWidgets(self.editor_dock):
            self.tabifyDockWidget(self.data_dock, self.editor_dock)
            self.data_dock.raise_()
            return   # the next resize pass looks again at what the centre got
        if self.data_dock in beside:
            width = max(340, self.data_dock.width() - short)
            self.resizeDocks([self.data_dock], [width], Qt.Orientation.Horizontal)

    def save_settings(self) -> None:
        s = self.settings
        s.set_geometry(self.saveGeometry(), self.saveState())
        for key, value in (("lr", self.model.lr), ("batch_size", self.model.batch_size),
                           ("optimizer", self.model.optimizer_name),
                           ("epochs", self.controls.epochs.value()),
                           ("play_speed", self.controls.speed.value()),
                           ("train_speed", self.controls.train_speed_value() or 0.0)):
            s.set(key, value)
        s.sync()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Keep both toolbars whole (a second row when narrow); size the docks once."""
        super().resizeEvent(event)
        w = event.size().width()
        self.toolbar_fit.fit(w)
        if self._size_docks and w > 0:
            self._arrange_docks(w)
            self._size_docks = False
        elif w > 0 and not self._narrowing_queued:
            self._narrowing_queued = True   # after the layout has given the centre its width
            QTimer.singleShot(0, self._keep_centre_wide)
        if self._presenting and presentation_scale(self.height()) != self._font_scale:
            self.set_font_scale(presentation_scale(self.height()))

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Ask to save unsaved work, then stop training and timers."""
        if not self.file_controller.maybe_save():
            event.ignore()
            return
        self.controls.play.setChecked(False)
        self.controls.timer.stop()
        self.model.shutdown()
        self.data_view.cancel()
        self.status.clearMessage()   # its timeout timer would outlive the window
        self.save_settings()
        event.accept()
