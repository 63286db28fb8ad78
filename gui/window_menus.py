"""The menu bar (File, Run, View, Tools, Help) and the loss-plot export dialog."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QActionGroup, QKeySequence
from PyQt6.QtWidgets import QFileDialog, QMessageBox

from engine.fileio import BadFileError

from . import messages
from .about import about_html
from .export_dialog import ask_png_size
from .loss_export import EMPTY
from .settings import THEMES

SIGN_NOTE = """<h3>A sign slip on the matrix-trick slide</h3>
<p>The slide “A useful trick for gradient computation” prints, for
f(W, X, V) = ‖WXV − U‖<sub>F</sub><sup>2</sup>,</p>
<p>∇<sub>W</sub> f = <b>−</b>2(WXV − U)(XV)<sup>T</sup></p>
<p>but the true gradient is <b>+</b>2(WXV − U)(XV)<sup>T</sup> (likewise for X and V).
The minus belongs to the other form, ‖U − WXV‖ differentiated as −2(U − WXV)(XV)<sup>T</sup>,
which is the same thing. Backprop Lens uses +2.</p>"""


def sign_note_text(seed: int = 0) -> str:
    """The note plus the check itself, run by the engine on random matrices just now."""
    import numpy as np

    from engine.checks import matrix_trick

    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4, 2), (2, 5), (3, 5)]
    W, X, V, U = (rng.normal(size=s) for s in shapes)
    res = matrix_trick(W, X, V, U)
    rows = "".join(
        f"<tr><td>∇<sub>{v}</sub> f</td><td>{check['rel_error']:.1e}</td>"
        f"<td>{check['slide_rel_error']:.2f}</td></tr>"
        for v, check in (("W", res["W"]), ("X", res["X"]), ("V", res["V"])))
    return (SIGN_NOTE + "<p>The slide's own numerical check, (f(x+h) − f(x−h)) / 2h for every "
            "entry, on random W (3×4), X (4×2), V (2×5), U (3×5) just now — largest relative "
            "error against it:</p><table border='1' cellpadding='4'><tr><th></th>"
            "<th>+2 (used here)</th><th>−2 (the slide)</th></tr>" + rows + "</table>")


def _add(menu, action_or_text, slot=None, shortcut: str | None = None, checkable=False,
         tip: str | None = None) -> QAction:
    if isinstance(action_or_text, QAction):
        menu.addAction(action_or_text)
        return action_or_text
    a = menu.addAction(action_or_text)
    if shortcut:
        a.setShortcut(QKeySequence(shortcut))
    a.setCheckable(checkable)
    if tip:
        a.setToolTip(tip)
        a.setStatusTip(tip)
    if slot is not None:
        (a.toggled if checkable else a.triggered).connect(slot)
    return a


def build_menus(win) -> None:
    """Fill ``win.menuBar()``; actions are stored on ``win`` for tests and settings."""
    bar = win.menuBar()
    c = win.controls
    file_menu = bar.addMenu("&File")
    win.file_controller.build_menu(file_menu)
    file_menu.addSeparator()
    _add(file_menu, c.export)
    file_menu.addSeparator()
    _add(file_menu, "Quit", win.close, "Ctrl+Q")

    run = bar.addMenu("&Run")
    for a in (c.step, c.back, c.play, None, c.train, c.pause, c.stop, None, c.reset, c.new_seed):
        run.addSeparator() if a is None else run.addAction(a)

    view = bar.addMenu("&View")
    s = win.settings
    win.presentation_action = _add(view, "Presentation mode", win.set_presentation, "F5",
                                   checkable=True,
                                   tip="Larger fonts and fewer panels, for a projector")
    view.addAction(c.follow)
    view.addSeparator()
    theme_group = QActionGroup(win)
    for theme in THEMES:
        a = _add(view, f"{theme.capitalize()} theme", checkable=True)
        a.setChecked(s.get("theme") == theme)
        a.triggered.connect(lambda _on, t=theme: win.set_theme(t))
        theme_group.addAction(a)
    view.addSeparator()
    win.log_y_action = _add(view, "Loss: logarithmic y axis", lambda on: _set_log_y(win, on),
                            checkable=True)
    axis_group = QActionGroup(win)
    win.axis_actions = {}
    for mode in ("iteration", "epoch"):
        a = _add(view, f"Loss: x axis in {mode}s", checkable=True)
        a.triggered.connect(lambda _on, m=mode: _set_x_axis(win, m))
        axis_group.addAction(a)
        win.axis_actions[mode] = a
    view.addSeparator()
    for dock in (win.editor_dock, win.data_dock, win.loss_dock):
        view.addAction(dock.toggleViewAction())

    tools = bar.addMenu("&Tools")
    _add(tools, "Gradient check…", lambda: open_gradcheck(win), "Ctrl+G",
         tip="Compare every gradient with central finite differences (the seed's sanity check)")
    from .practice_menus import install  # quiz, exercises, compare runs, gradient health
    install(win, file_menu, view, tools)

    helpm = bar.addMenu("&Help")
    _add(helpm, "About Backprop Lens", lambda: QMessageBox.about(win, "About", about_html(win)))
    _add(helpm, "Note: the sign on the matrix-trick slide",
         lambda: QMessageBox.information(win, "The matrix-trick sign", sign_note_text()))

    c.export.triggered.connect(lambda: export_loss(win))
    win.log_y_action.setChecked(s.get("log_y"))
    mode = s.get("x_axis") if s.get("x_axis") in win.axis_actions else "iteration"
    win.axis_actions[mode].setChecked(True)
    _set_x_axis(win, mode)
    if s.get("presentation"):
        win.presentation_action.setChecked(True)
    if s.get("theme") != "light":
        win.set_theme(s.get("theme") if s.get("theme") in THEMES else "light")
    from .teaching import install as install_teaching_kit
    install_teaching_kit(win)   # Edit menu, examples, numbers in cells, copy, export pass


def _set_log_y(win, on: bool) -> None:
    win.loss_plot.set_log_y(on)
    win.settings.set("log_y", bool(on))


def _set_x_axis(win, mode: str) -> None:
    win.loss_plot.set_x_axis(mode)
    win.settings.set("x_axis", mode)


def export_loss(win, path: str | None = None, width: int | None = None,
                height: int | None = None) -> bool:
    """Ask for a file (PNG asks for width and height) and export the loss plot.

    An empty plot is refused with a message before any question; errors → message.
    """
    if win.loss_plot.is_empty():
        QMessageBox.information(win, "Export loss plot", EMPTY[0].upper() + EMPTY[1:] + ".")
        return False
    if path is None:
        path, _flt = QFileDialog.getSaveFileName(
            win, "Export loss plot", str(Path.home() / "loss.png"),
            "PNG image (*.png);;SVG vector image (*.svg);;CSV table (*.csv)")
        if not path:
            return False
        if Path(path).suffix.lower() == ".png":
            size = ask_png_size(win)
            if size is None:
                return False
            width, height = size
    try:
        win.loss_plot.export(path, width=width, height=height)
    except (ValueError, OSError, BadFileError) as e:
        messages.warning(win, "Export failed", str(e))
        return False
    win.status.showMessage(f"loss plot saved to {path}", 5000)
    return True


def open_gradcheck(win) -> None:
    """The gradient-check dialog on the batch being stepped."""
    from .gradcheck_dialog import GradCheckDialog

    X, Y = win.model.step_batch()
    dlg = GradCheckDialog(win.model.net.copy(), X, Y, win)
    # Owned by the window: without this every check left a hidden dialog (and its plots).
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
