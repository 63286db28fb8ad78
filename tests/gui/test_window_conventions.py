"""Window conventions: the title bar, toolbars that keep their commands, About's shortcuts."""

from __future__ import annotations

import pytest
from PyQt6.QtWidgets import QMessageBox

from gui.main_window import MainWindow
from gui.settings import AppSettings, make_qsettings
from gui.toolbar_fit import extension_shown, hidden_actions


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    for name in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name,
                            lambda *a, **k: QMessageBox.StandardButton.Ok)
    win = MainWindow(settings=AppSettings(make_qsettings(tmp_path / "settings.ini")))
    win.file_controller.maybe_save = lambda: True
    qtbot.addWidget(win)
    yield win
    win.model.shutdown()


def test_title_names_the_session_and_marks_unsaved_work(window, tmp_path):
    assert window.windowTitle() == "untitled[*] — Backprop Lens"
    assert not window.isWindowModified()
    window.model.train_sync(1)            # training is unsaved work
    assert window.isWindowModified()
    path = tmp_path / "lecture 3.bplens"
    assert window.file_controller._write(str(path))
    assert window.windowTitle() == "lecture 3.bplens[*] — Backprop Lens"
    assert not window.isWindowModified()
    window.model.reset()
    window.model.train_sync(1)
    assert window.isWindowModified()


@pytest.mark.qt_log_ignore("This plugin does not support")
@pytest.mark.parametrize("size", [(1600, 1000), (1280, 720), (1920, 1080)])
def test_toolbars_never_hide_their_commands(window, qtbot, size):
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    toolbars = (window.step_toolbar, window.train_toolbar)

    def whole():
        qtbot.wait(100)   # let the toolbars lay out what changed (they do it later)
        return all(not extension_shown(tb) and not hidden_actions(tb) for tb in toolbars)

    assert whole()
    # what made "Export loss…" vanish behind » at 1600 px: a wider loss box, Pause → Resume
    window.model.set_loss("cross_entropy")
    window.controls.sync_from_model()
    window.controls._on_paused()
    assert window.controls.pause.text() == "Resume"
    assert whole()
    window.set_presentation(True)
    assert whole()
    for tb in toolbars:
        assert hidden_actions(tb) == [], tb.objectName()


def test_about_lists_every_shortcut_of_every_action(window):
    from PyQt6.QtGui import QAction, QKeySequence

    from gui.about import about_html

    text = about_html(window)
    seen = 0
    for a in window.findChildren(QAction):
        for seq in a.shortcuts():
            key = seq.toString(QKeySequence.SequenceFormat.NativeText)
            assert f"<b>{key}</b>" in text, (key, a.text())
            seen += 1
    assert seen >= 15
    for key in ("N", "F", "F5", "Esc", "Left", "Right", "Space", "P", "T", "R", "Ctrl+E",
                "Ctrl+G", "Ctrl+Q"):
        assert f"<b>{key}</b>" in text, key
    # read from the actions when About opens: a new shortcut shows up without an edit
    extra = QAction("Zoom the graph", window)
    extra.setShortcut(QKeySequence("Ctrl+K"))
    window.addAction(extra)
    assert "<b>Ctrl+K</b></td><td>Zoom the graph" in about_html(window)
