"""Starting the application: the interactive window, and ``--screenshot`` rendering."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication

from . import messages
from .messages import message
from .settings import APPLICATION, ORGANIZATION, AppSettings, make_qsettings


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), named so QSettings finds the user's file."""
    existing = QApplication.instance()
    if existing is None:
        app = QApplication([sys.argv[0] if sys.argv else "backprop-lens", *(argv or [])])
    elif isinstance(existing, QApplication):
        app = existing
    else:   # Qt allows one application object, and a QCoreApplication shows no widgets
        raise RuntimeError("a QCoreApplication exists: the window needs a QApplication")
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setStyle("Fusion")   # the same look on every platform (and in the screenshots)
    return app


def _model(spec_path: str | None):
    """The default experiment, or one whose network comes from a spec file.

    The spec's weights are kept: its data is the data set it records, else a
    built-in one of its sizes (the window then says which), else ValueError.
    """
    from engine.experiment import Experiment
    from engine.fileio import load_spec_file

    from .lens_model import LensModel
    if spec_path is None:
        return LensModel()
    spec = load_spec_file(spec_path)
    return LensModel(Experiment.for_spec(spec, None, Path(spec_path).name))


def run_gui(spec_path: str | None = None, session_path: str | None = None,
            example: str | None = None) -> int:
    """Open the window (with a session or spec file) and run the event loop; the exit status.

    A file that cannot be read is reported in a message box; the window then starts
    with the default experiment.
    """
    app = make_app()
    from engine.fileio import BadFileError

    from .main_window import MainWindow
    try:
        model = _model(spec_path) if spec_path is not None else None
        problem = None
    except (BadFileError, ValueError) as e:
        model, problem = None, str(e)
    # No file: the default experiment, which takes the remembered α, batch size and
    # optimizer; a file keeps its own.
    win = MainWindow(model)
    notices = list(win.model.ex.notices)
    win.model.ex.notices.clear()
    win.show()
    for text in notices:
        win.status.showMessage(text, 15000)
        message(win, "Backprop Lens", text, kind="information")
    if problem is not None:
        messages.warning(win, "Cannot open network spec", problem)
    elif example is not None:
        from .teaching_menus import open_example
        open_example(win, example)
    elif session_path is not None:
        win.file_controller.open(session_path)   # errors: a message box, default kept
    else:
        win.file_controller.offer_recovery()
    return int(app.exec())


def screenshot(out: str, size: tuple[int, int], steps: int = 0, train_epochs: int = 0,
               spec_path: str | None = None, *, session_path: str | None = None,
               presentation: bool = False, theme: str = "light",
               example: str | None = None) -> int:
    """Render the whole window offscreen at exactly ``size`` and save a PNG.

    ``session_path`` opens a saved session first; ``presentation`` and ``theme``
    render the View menu's presentation mode and dark/light theme.

    Training runs synchronously through the engine (``LensModel.train_sync``);
    the user's settings are neither read nor written (a throw-away ini is used).
    """
    from engine.fileio import writable_target

    writable_target(out)   # a bad output path fails before any rendering (BadFileError)
    app = make_app()
    messages.set_headless(True)   # no dialog can be closed here: problems become one line
    try:
        return _render(app, out, size, steps, train_epochs, spec_path, session_path,
                       presentation, theme, example)
    finally:
        messages.set_headless(False)


def _render(app: QApplication, out: str, size: tuple[int, int], steps: int, train_epochs: int,
            spec_path: str | None, session_path: str | None, presentation: bool,
            theme: str, example: str | None) -> int:
    """The body of ``screenshot``: 2 as soon as a problem was reported (already printed)."""
    from engine.fileio import atomic_write_via

    from .main_window import MainWindow
    with tempfile.TemporaryDirectory() as tmp:
        settings = AppSettings(make_qsettings(Path(tmp) / "screenshot.ini"))
        win = MainWindow(_model(spec_path), settings=settings)
        w, h = size
        win.setFixedSize(w, h)   # exact size, whatever the panels would prefer
        if session_path is not None and not win.file_controller.open(session_path) \
                or messages.problems():
            _close(app, win)
            return 2   # the controller or the window has printed why
        if example is not None:
            from .teaching_menus import open_example
            if not open_example(win, example):
                _close(app, win)
                return 2
        if theme != "light":
            win.set_theme(theme)
        if presentation:
            win.presentation_action.setChecked(True)
        win.show()
        app.processEvents()
        if train_epochs:
            win.model.train_sync(train_epochs)
        for _ in range(steps):
            if messages.problems():
                break
            win.model.step()
        if messages.problems():
            _close(app, win)
            return 2   # e.g. training diverged: printed as one line, no picture
        for _ in range(3):   # let layouts and pyqtgraph settle before grabbing
            app.processEvents()
        image = win.grab().toImage()
        if (image.width(), image.height()) != (w, h):
            image = image.scaled(w, h, Qt.AspectRatioMode.IgnoreAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)

        def save(tmp: str) -> None:
            if not image.save(tmp, "PNG"):
                raise OSError(f"Qt could not write the PNG {out}")

        try:
            atomic_write_via(out, save)   # a kill mid-save leaves no 0-byte PNG behind
        finally:
            _close(app, win)
    return 0


def _close(app: QApplication, win: Any) -> None:
    """Stop the window's timers and drop it; no close(): that would ask to save."""
    win.model.shutdown()
    win.controls.timer.stop()
    win.file_controller.timer.stop()
    win.hide()
    win.deleteLater()
    app.processEvents()
