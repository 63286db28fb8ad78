"""Hovering an edge of the layer graph shows its weight: which W_ℓ[j, i] it is and w.

At the update step the tooltip also gives the weight before the update and the step
taken, from the engine's record (``Stepper.update_step``).  A neuron under the mouse
keeps its own tooltip (z, a, δ): the edges that meet there are not meant.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QObject, QPointF
from PyQt6.QtGui import QCursor
from PyQt6.QtWidgets import QToolTip

from engine.formulas import sub
from gui import style


def edge_tooltip(params: Any, record: Any, layer: int, j: int, i: int) -> str:
    """The text for edge W_ℓ[j, i]: its weight in ``params`` (the (W, b) pairs drawn),
    what it connects, and this update's before and step when ``record`` (the stepper's
    ``update_step()``) is given."""
    w = float(params[layer - 1][0][j, i])
    name = f"W{sub(layer)}[{j}, {i}]"
    src = f"input x[{i}]" if layer == 1 else f"unit {i} of layer {layer - 1}"
    lines = [f"{name} = {style.fmt(w)}", f"the weight from {src} to unit {j} of layer {layer}"]
    if record is not None:
        before = float(record.array("W_before", layer)[j, i])
        step = float(record.array("W_step", layer)[j, i])
        lines.append(f"this update: {style.fmt(before)} before, "
                     f"{record.step_symbol('W', layer)} = {style.fmt(step)}")
    return "\n".join(lines)


class GraphHover(QObject):
    """Shows the weight of the edge under the mouse as a tooltip of the graph."""

    def __init__(self, graph: Any) -> None:
        super().__init__(graph)
        self.graph = graph
        self.edge: tuple[int, int, int] | None = None   # (ℓ, j, i) shown, or None
        self.text = ""
        graph.graphics.scene().sigMouseMoved.connect(self.on_moved)

    def on_moved(self, pos: QPointF) -> None:
        g = self.graph
        edge = None if self._over_neuron(pos) else g.edge_at(pos)
        if edge is None:
            if self.edge is not None:
                self.edge, self.text = None, ""
                g._vb.setToolTip("")
                QToolTip.hideText()
            return
        self.edge = edge
        self.text = edge_tooltip(*g.drawn_weights(), *edge)
        # On the view box as well: the scene's own tooltip event (after Qt's hover delay)
        # shows the topmost item's tooltip and hid a text shown only through QToolTip.
        g._vb.setToolTip(self.text)
        QToolTip.showText(QCursor.pos(), self.text, g.graphics)

    def _over_neuron(self, pos: QPointF) -> bool:
        for scatter in self.graph._scatters:
            if len(scatter.pointsAt(scatter.mapFromScene(pos))):
                return True
        return False
