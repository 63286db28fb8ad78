"""Exporting the loss plot as a picture of a given size, the same from the window and the CLI.

The picture is drawn by a fresh, never shown ``LossPlotWidget`` laid out at exactly
the requested width × height, with text sized for that picture (``export_text_px``):
exporting the dock as it is copied its shape (taller than wide) and scaled its text
with it. PNG and SVG bytes go through ``engine.fileio.atomic_write_bytes``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from engine.fileio import atomic_write_bytes

EXPORT_TYPES = (".png", ".svg", ".csv")
X_AXES = ("iteration", "epoch")
EMPTY = "the loss plot is empty: there is nothing to export yet (train first)"
# Export size when none is given: a 16:9 slide.
EXPORT_SIZE = (1600, 900)
SIZE_RANGE = (16, 10_000)
# Text height of an export, as a share of min(height, width · 9/16): 1600×900 gives 22 px
# ticks and legend (axis labels LABEL_SCALE larger); small pictures get at least 11 px.
EXPORT_TEXT_SHARE, EXPORT_TEXT_MIN = 0.025, 11.0


def export_text_px(width: int, height: int) -> float:
    """Tick and legend text height (px) for a ``width`` × ``height`` picture."""
    return max(EXPORT_TEXT_MIN, EXPORT_TEXT_SHARE * min(height, width * 9 / 16))


def parse_size(text: str) -> tuple[int, int]:
    """``"1600x900"`` (or ``1600×900``) → (1600, 900); ValueError naming the problem."""
    m = re.fullmatch(r"\s*(\d+)\s*[x×X]\s*(\d+)\s*", text)
    if not m:
        raise ValueError(f"size must look like 1600x900 (width x height in pixels), got {text!r}")
    return check_size(int(m.group(1)), int(m.group(2)))


def check_size(width: int, height: int) -> tuple[int, int]:
    """The size if both sides are within ``SIZE_RANGE``, else ValueError."""
    lo, hi = SIZE_RANGE
    if not (lo <= width <= hi and lo <= height <= hi):
        raise ValueError(f"image size {width}×{height} is out of range: each side must be "
                         f"{lo} to {hi} pixels")
    return width, height


def is_empty(history: Any) -> bool:
    """True when ``history`` holds no loss at all (nothing would be drawn)."""
    return history is None or not (len(history.iter_loss) or len(history.epoch_train)
                                   or len(history.epoch_val))


def ensure_app() -> Any:
    """The running QApplication, or a new one (offscreen when there is no display)."""
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM")) and os.name == "posix":
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QApplication([])
    return app


def _size(width: int | None, height: int | None) -> tuple[int, int]:
    """``EXPORT_SIZE`` when neither side is given; one side alone keeps 16:9."""
    if width is not None and height is not None:
        return int(width), int(height)
    if width is not None:
        return int(width), round(int(width) * 9 / 16)
    if height is not None:
        return round(int(height) * 16 / 9), int(height)
    return EXPORT_SIZE


def export_loss_plot(history: Any, path: str | os.PathLike[str], *, log_y: bool = False,
                     x_axis: str = "iteration", width: int | None = None,
                     height: int | None = None, iters_per_epoch: int | None = None) -> None:
    """Write the loss plot of ``history`` to ``path`` (.png, .svg or .csv), no window needed.

    Parameters
    ----------
    history : History-like with ``iter_loss``, ``epoch_train``, ``epoch_val``.
    path : target file; .png, .svg or .csv. Written atomically.
    log_y, x_axis : as ``LossPlotWidget.set_log_y`` / ``set_x_axis``.
    width, height : picture size in pixels; default 1600×900, one side alone keeps 16:9.
    iters_per_epoch : iterations per epoch, when the history does not record epoch ends.

    Raises
    ------
    ValueError
        Unknown extension or x axis, a size out of range, or an empty history (nothing
        is written then).
    """
    from engine.history_csv import write_history_csv

    path = Path(path)
    ext = path.suffix.lower()
    if ext not in EXPORT_TYPES:
        raise ValueError(f"cannot export loss plot to {ext or 'a file without extension'!r}"
                         f" ({path.name}); use one of {', '.join(EXPORT_TYPES)}")
    if x_axis not in X_AXES:
        raise ValueError(f"x axis must be one of {X_AXES}, got {x_axis!r}")
    width, height = check_size(*_size(width, height))
    if is_empty(history):
        raise ValueError(EMPTY)
    if ext == ".csv":
        write_history_csv(history, path, iters_per_epoch)
        return
    atomic_write_bytes(path, render_loss_plot(history, ext, width, height, log_y=log_y,
                                              x_axis=x_axis, iters_per_epoch=iters_per_epoch))


def build_export_widget(history: Any, width: int, height: int, *, log_y: bool = False,
                        x_axis: str = "iteration", iters_per_epoch: int | None = None) -> Any:
    """A never shown ``LossPlotWidget`` laid out at ``width`` × ``height`` for a picture.

    Its text is ``export_text_px`` high. The caller closes it (``close``, ``deleteLater``).
    """
    from PyQt6.QtCore import Qt

    from .loss_plot import LossPlotWidget

    app = ensure_app()
    w = LossPlotWidget()
    w.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    w.apply_theme("light")   # a picture for slides and papers: light whatever the window's
    w.set_text_px(export_text_px(width, height))
    w.resize(width, height)
    w.set_history(history, iters_per_epoch)
    w.set_x_axis(x_axis)
    w.set_log_y(log_y)
    w.show()
    # An axis widens to its widest label on its first paint, after which the labels it
    # could not fit appear: let the layout settle (two rounds in practice).
    axes = [w.plot_item.getAxis(side) for side in ("left", "bottom")]
    for _ in range(5):
        before = [(ax.width(), ax.height()) for ax in axes]
        app.processEvents()
        if [(ax.width(), ax.height()) for ax in axes] == before:
            break
    return w


def render_loss_plot(history: Any, ext: str, width: int, height: int, *, log_y: bool,
                     x_axis: str, iters_per_epoch: int | None) -> bytes:
    """The PNG or SVG bytes of the loss plot at ``width`` × ``height`` (light colours)."""
    import pyqtgraph.exporters
    from PyQt6.QtCore import QBuffer, QIODevice

    w = build_export_widget(history, width, height, log_y=log_y, x_axis=x_axis,
                            iters_per_epoch=iters_per_epoch)
    try:
        target = w.plot_widget.ci
        if ext == ".svg":
            return bytes(pyqtgraph.exporters.SVGExporter(target).export(toBytes=True))
        ex = pyqtgraph.exporters.ImageExporter(target)
        ex.parameters()["width"] = width   # its natural size; set so rounding cannot differ
        image = ex.export(toBytes=True)
        if image.width() != width or image.height() != height:
            image = image.scaled(width, height)
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buf, "PNG"):
            raise OSError("Qt could not encode the PNG image")
        return bytes(buf.data().data())
    finally:
        w.close()
        w.deleteLater()
        ensure_app().processEvents()
