"""The update step's row of the matrix panel: W before | step | W after, and the same for b.

At the update step the backward row gives its place to this one (the backward pass
is done; what the class looks at now is how W moved)::

    update:  W_ℓ before   −α ∂C/∂W_ℓ   W_ℓ after   b_ℓ before   −α ∂C/∂b_ℓ   b_ℓ after

The step is the engine's record (``Stepper.update_step``): −α ∂C/∂W for gradient
descent, the real step ΔW for momentum and Adam, titled so.  Before and after share
one colour scale, so a cell that moved is seen to move; the step has its own (it is
small next to W).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtWidgets import QGraphicsGridLayout

from engine.update_step import UPDATE_QUANTITIES, UpdateStep
from gui import style
from gui.heatmap import Heatmap

UPDATE_KEYS = tuple(UPDATE_QUANTITIES)   # W_before, W_step, W_after, b_before, b_step, b_after
STRETCH = {"W": 3, "b": 2}


def _shape(shape: tuple[int, ...]) -> str:
    return " × ".join(str(n) for n in shape)


class UpdateRow:
    """Six heatmaps in one row, with a vertical "update" caption in the phase colour."""

    def __init__(self, cmap: pg.ColorMap) -> None:
        self.widget = pg.GraphicsWidget()
        grid = QGraphicsGridLayout()
        self.widget.setLayout(grid)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(0)
        grid.setRowStretchFactor(1, 1)
        self.caption = pg.LabelItem("update", angle=-90, color=style.PHASE_COLORS["update"],
                                    bold=True)
        grid.addItem(self.caption, 0, 0, 2, 1)
        self.maps: dict[str, Heatmap] = {}
        for c, key in enumerate(UPDATE_KEYS, start=1):
            self.maps[key] = hm = Heatmap(grid, c, cmap)
            grid.setColumnStretchFactor(c, STRETCH[UPDATE_QUANTITIES[key][0]])
            if key.endswith("_before"):
                # Before shares its colour bar with after (one scale): ~50 px less per pair,
                # so six matrices need about the width of the forward row's five.
                hm.with_bar = False
                hm.bar.setVisible(False)
                policy = hm.bar.sizePolicy()
                policy.setRetainSizeWhenHidden(False)
                hm.bar.setSizePolicy(policy)

    def set_font_scale(self, f: float) -> None:
        self.caption.setText("update", size=f"{style.BASE_POINT_SIZE * f:.0f}pt",
                             color=style.PHASE_COLORS["update"], bold=True)

    def title(self, record: UpdateStep, key: str, layer: int) -> str:
        """"W₁ before (8 × 2)", "−α ∂C/∂W₁ (8 × 2)", "ΔW₁ (momentum, 8 × 2)"."""
        name = record.symbol(key, layer)
        shape = _shape(record.array(key, layer).shape)
        if name.endswith(")"):
            return f"{name[:-1]}, {shape})"
        return f"{name} ({shape})"

    def show(self, record: UpdateStep, layer: int) -> None:
        """Draw layer ℓ's update; before and after of W (of b) on one colour scale."""
        for p in ("W", "b"):
            before, after = (record.array(f"{p}_{part}", layer) for part in ("before", "after"))
            # One scale for both: the levels of the two side by side (an all-zero b
            # before the first update must not give the pair its ±1 fallback).
            shared = style.symmetric_levels(np.hstack([before, after]))
            self.maps[f"{p}_before"].show(before, style.NOT_COMPUTED, shared)
            self.maps[f"{p}_after"].show(after, style.NOT_COMPUTED, shared)
            self.maps[f"{p}_step"].show(record.array(f"{p}_step", layer), style.NOT_COMPUTED)
