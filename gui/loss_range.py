"""Sticky "nice" view ranges for the loss plot while training adds points.

pyqtgraph's auto-range fits the view to the data on every change: during live
training both ranges move on every refresh (one more iteration, a new loss), so
both axes regenerate their ticks and grid 30 times a second and the bounds of
every curve are recomputed each time. While new points arrive, the loss plot
instead shows a range that only changes when the data leave it:

- x: from 0 to the next value of 1, 2, 5, 10, 20, … at or above the last x
  (with 2 % headroom, so the newest point is not drawn on the frame);
- linear y: from 0 (or a nice floor when the losses sit far above 0) to a nice
  ceiling of the largest loss, in steps of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8;
- log y: whole decades around the positive losses.

Over a run the range changes a few times, not 30 times a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pyqtgraph as pg

Range = tuple[float, float]
# The 1-2-5 steps keep the iteration axis' ticks round; the loss axis gets finer steps
# because its ceiling is reached early in a run and then holds for the rest of it.
X_STEPS = (1.0, 2.0, 5.0)
Y_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
HEADROOM = 1.02
# Margin around a sticky range, as a fraction of it (pyqtgraph's fit pads about as much):
# data at 0 or at the nice bound stay off the frame, and that bound keeps its tick label.
PADDING = 0.02


def _scaled(s: float, k: int) -> float:
    # s / 10³ rather than s · 10⁻³: 6 / 10 is exactly the double 0.6, 6 · 0.1 is not
    return s * 10.0**k if k >= 0 else s / 10.0**-k


def nice_ceil(v: float, steps: tuple[float, ...] = X_STEPS) -> float:
    """The smallest ``s · 10^k`` (s in ``steps``) that is ≥ ``v``; ``v`` > 0."""
    e = math.floor(math.log10(v))
    for k in (e, e + 1):
        for s in steps:
            if _scaled(s, k) >= v * (1 - 1e-12):
                return _scaled(s, k)
    return 10.0 ** (e + 2)  # not reached: steps start at 1


def nice_floor(v: float, steps: tuple[float, ...] = Y_STEPS) -> float:
    """The largest ``s · 10^k`` (s in ``steps``) that is ≤ ``v``; ``v`` > 0."""
    e = math.floor(math.log10(v))
    for k in (e, e - 1):
        for s in reversed(steps):
            if _scaled(s, k) <= v * (1 + 1e-12):
                return _scaled(s, k)
    return 10.0 ** (e - 1)  # not reached: steps start at 1


def sticky_x(x_max: float) -> Range:
    """[0, nice ceiling] for data reaching ``x_max`` (iterations or epochs)."""
    return 0.0, nice_ceil(max(x_max, 1.0) * HEADROOM)


def sticky_y(lo: float, hi: float, log: bool) -> Range:
    """A nice y range holding [lo, hi]; in log mode ``lo`` > 0 and the result is in decades."""
    if log:
        a, b = math.log10(lo), math.log10(hi)
        return float(math.floor(a - 0.005)), float(math.ceil(b + 0.005))
    if hi <= 0:  # only losses ≤ 0: a small range around them
        return -nice_ceil(max(-lo, 1e-12) * HEADROOM, Y_STEPS), 0.0
    top = nice_ceil(hi * HEADROOM, Y_STEPS)
    if lo < 0:
        return -nice_ceil(-lo * HEADROOM, Y_STEPS), top
    if lo <= 0.5 * hi:  # losses fall towards 0: show it
        return 0.0, top
    bottom = nice_floor(max(lo - (HEADROOM - 1) * (hi - lo), 1e-300), Y_STEPS)
    return bottom, top


def padded(r: Range) -> Range:
    """``r`` widened by ``PADDING`` of its length on both sides."""
    d = PADDING * (r[1] - r[0])
    return r[0] - d, r[1] + d


class StickyViewBox(pg.ViewBox):
    """A ViewBox whose auto-range, when ``sticky()`` gives ranges, moves to those instead.

    ``sticky`` returns ``(x_range, y_range)`` (either may be None: that axis keeps its
    range) or None for pyqtgraph's usual fit to the data. Auto-range on/off stays
    pyqtgraph's: a pan or zoom turns it off for that axis, the "A" button back on,
    and only axes with auto-range on follow ``sticky``. The range is set only when
    it differs from the current one, so an unchanged range costs no redraw of the axes.
    """

    _updatingRange: bool   # pyqtgraph's own guard (set in ViewBox.__init__), untyped there

    def __init__(self) -> None:
        super().__init__()
        self.sticky: Callable[[], tuple[Range | None, Range | None] | None] | None = None

    def updateAutoRange(self) -> None:  # noqa: N802 - pyqtgraph's name
        target = self.sticky() if self.sticky is not None else None
        if target is None:
            super().updateAutoRange()
            return
        if self._updatingRange:
            return
        self._updatingRange = True
        try:
            auto = self.state["autoRange"]
            now = self.state["targetRange"]
            args = {key: r for ax, key, r in ((0, "xRange", target[0]), (1, "yRange", target[1]))
                    if auto[ax] is not False and r is not None and list(r) != list(now[ax])}
            if args:
                self.setRange(padding=0.0, disableAutoRange=False, **args)
        finally:
            self._autoRangeNeedsUpdate = False
            self._updatingRange = False
