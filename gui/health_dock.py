"""View → Gradient health: the gradient-health panel in a dock, fed by the experiment.

Norms per layer and iteration (‖∂C/∂W_ℓ‖, mean ‖δ_ℓ‖, update ratio) come from training
(the adapter hands the trainer's ``on_grads`` hook to ``Trainer.run``; it is set only
while the dock is shown, so a hidden dock costs nothing) and from every stepped pass
that reaches its update. The histograms of a_ℓ, σ'_ℓ(z_ℓ) and W_ℓ are those of the pass
being stepped (its batch and the weights it uses). The panel's worked examples open as
the current experiment.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from PyQt6.QtCore import QObject, Qt
from PyQt6.QtWidgets import QDockWidget

from engine.experiment import Change, Experiment
from engine.gradient_health import example_spec, layer_health, layer_norms

from .gradient_health_panel import GradientHealthPanel

REDRAW_SECONDS = 0.2   # the norm curves during training: 5 redraws a second are plenty
MIN_HIST_SAMPLES = 8


class HealthDock(QObject):
    """The dock, its panel, and the norms recorded for the current network."""

    def __init__(self, win: Any) -> None:
        super().__init__(win)
        self.win = win
        self.dock = QDockWidget("Gradient health", win)
        self.dock.setObjectName("dock_gradient_health")
        # The panel (six pyqtgraph plots) is made when the dock is first shown: a
        # window that never shows it pays nothing for it.
        self._panel: GradientHealthPanel | None = None
        win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self._placed = False   # becomes a tab beside the data view when first shown
        self.iterations: list[int] = []
        self.norms: list[np.ndarray] = []       # one (L, 3) array per iteration
        self._net: Any = None
        self._drawn_at = -float("inf")
        m = win.model
        m.changed.connect(self._on_changed)
        m.training_progressed.connect(self._on_progress)
        for sig in (m.training_finished, m.training_paused):
            sig.connect(self._redraw_norms)
        self.dock.visibilityChanged.connect(self._on_visibility)

    @property
    def panel(self) -> GradientHealthPanel:
        if self._panel is None:
            self._panel = GradientHealthPanel(self.dock)
            self._panel.example_requested.connect(self.open_example)
            self.dock.setWidget(self._panel)
        return self._panel

    # -- what feeds the panel -----------------------------------------------------------------
    def on_grads(self, iteration: int, grads: Any, W_before: list) -> None:
        """``Trainer.run``'s hook: the norms of one training iteration."""
        self._add(iteration, layer_norms(grads.delta, grads.dW, W_before,
                                         self.win.model.net.params()))

    def _add(self, iteration: int, norms: np.ndarray) -> None:
        self.iterations.append(int(iteration))
        self.norms.append(norms)

    def _on_visibility(self, visible: bool) -> None:
        win = self.win
        if visible and not self._placed:
            # A tab beside the data view: six plots need the room of a whole column. Not
            # done before: a tab would change the first layout of windows that never show it.
            self._placed = True
            if not win.data_dock.isHidden():
                win.tabifyDockWidget(win.data_dock, self.dock)
                self.dock.raise_()
        self.win.model.on_grads = self.on_grads if visible else None
        if visible:
            self._on_changed(Change.NONE)   # the network may have changed while hidden
            self._redraw_norms()
            self._show_pass()

    def _on_changed(self, change: Change) -> None:
        m = self.win.model
        if m.net is not self._net:   # another network: its norms start afresh
            self._net = m.net
            self.iterations.clear()
            self.norms.clear()
        elif change & Change.HISTORY:   # a reset or a step back over an update
            keep = sum(1 for it in self.iterations if it <= m.trainer.iteration)
            del self.iterations[keep:], self.norms[keep:]
        st = m.stepper
        last = st.last
        if change & Change.WEIGHTS and last is not None and last.kind == "update":
            before = st.before_update()
            s = st.state
            if before is not None:   # the stepped pass's own numbers, like training's
                self._add(m.trainer.iteration, layer_norms(s.delta, s.dW, before[0], s.params))
        if not self.dock.isVisible():
            return
        if change & (Change.HISTORY | Change.NETWORK):
            self._redraw_norms()
        if change & (Change.STEP | Change.NETWORK | Change.WEIGHTS):
            self._show_pass()

    def _on_progress(self, _rec: Any) -> None:
        self._redraw_norms(throttle=True)

    def _redraw_norms(self, throttle: bool = False) -> None:
        if not self.dock.isVisible():
            return
        now = time.perf_counter()
        if throttle and now - self._drawn_at < REDRAW_SECONDS:
            return
        self._drawn_at = now
        L = self.win.model.net.L
        norms = np.stack(self.norms) if self.norms else np.empty((0, L, 3))
        self.panel.set_norms(self.iterations, norms)

    def _show_pass(self) -> None:
        """Histograms with the weights of the pass being stepped, on its batch.

        A batch of fewer than ``MIN_HIST_SAMPLES`` (one sample, the lecture's form) makes
        no distribution: then the whole training set is used.
        """
        m = self.win.model
        st = m.stepper
        net = m.net.copy()
        net.set_params(st.params_used())
        X = st.X if st.B >= MIN_HIST_SAMPLES else m.dataset.X
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self.panel.set_health(layer_health(net, X))

    # -- the worked examples ------------------------------------------------------------------
    def open_example(self, name: str) -> bool:
        """Open a worked example (vanishing, exploding, dead_relu) as the experiment."""
        m = self.win.model
        try:
            ex = Experiment.build(example_spec(name), None, lr=m.lr, optimizer="sgd")
        except ValueError as e:
            m.error_occurred.emit(str(e))
            return False
        if not m.replace_experiment(ex):
            return False
        self.dock.show()
        self.dock.raise_()
        self.win.status.showMessage(f"example: {ex.net.extra.get('name', name)} — train (T) "
                                    "and watch the norms per layer", 15000)
        return True
