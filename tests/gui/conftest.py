"""Qt test hygiene: collect the garbage of each test before the next one runs."""

import gc

import pytest


@pytest.fixture(autouse=True)
def _collect_qt_garbage():
    """Run the cycle collector after each test, at a point where Qt is not dispatching.

    Windows a test drops form reference cycles (window ↔ its controllers ↔ the model).
    Left to the collector's own timing, it ran inside a later test's event processing
    and deleted a Python-owned QObject while Qt was still delivering to it: a
    segmentation fault that came and went with allocation counts (tests/gui alone
    crashed every time; the whole suite 1 run in ~45).
    """
    yield
    gc.collect()


@pytest.fixture
def messages(monkeypatch):
    """Message boxes answer at once and are recorded as (title, text) instead of blocking."""
    from PyQt6.QtWidgets import QMessageBox

    seen: list[tuple[str, str]] = []

    def fake(_parent, title, text, *args, **kwargs):
        seen.append((title, text))
        return QMessageBox.StandardButton.Ok

    for name in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, fake)
    return seen


@pytest.fixture
def new_window(qtbot, tmp_path, messages):
    """A factory of main windows for tests: ``new_window(size=(w, h), model=None, show=True)``.

    Each window has its own throw-away settings file, never asks to save, answers message
    boxes at once (``messages``), is shown at ``size`` (and exposed) unless ``show`` is
    False, and has its training stopped after the test.
    """
    from gui.main_window import MainWindow
    from gui.settings import AppSettings, make_qsettings

    made: list = []

    def make(size: tuple[int, int] = (1600, 1000), model=None, show: bool = True):
        ini = tmp_path / f"window{len(made)}.ini"
        win = MainWindow(model, settings=AppSettings(make_qsettings(ini)))
        win.file_controller.maybe_save = lambda: True
        qtbot.addWidget(win)
        made.append(win)
        if show:
            win.resize(*size)
            win.show()
            qtbot.waitExposed(win)
        return win

    yield make
    for win in made:
        win.model.shutdown()
