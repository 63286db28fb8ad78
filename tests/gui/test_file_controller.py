"""File menu: sessions, specs, CSV import, recent files, recovery; dialogs are faked."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import QSettings
from PyQt6.QtWidgets import QMainWindow, QMenu

from engine import Network
from engine.csv_data import load_csv
from engine.session import Session, load_session
from gui.csv_import_dialog import CsvImportDialog
from gui.file_controller import FileController

SPEC = {"input_size": 2, "layers": [{"units": 3, "activation": "tanh"},
                                    {"units": 1, "activation": "sigmoid"}]}


class Work:
    """Stands in for the window's model: one Session, replaced only by set_session."""

    def __init__(self):
        net = Network.from_spec(SPEC)
        self.session = Session(net.to_spec(), [(W.copy(), b.copy()) for W, b in net.params()],
                               {"name": "sgd", "lr": 0.1, "state": {}},
                               {"spec": {"name": "xor", "n_samples": 40}}, None,
                               {"k": 2, "sample": None, "batch_size": 8}, {"theme": "dark"})
        self.spec = net.to_spec()
        self.imported = None
        self.set_calls = 0

    def set_session(self, s):
        self.set_calls += 1
        self.session = s
        return True

    def set_spec(self, spec, where=None):
        self.spec = spec
        return True

    def import_csv(self, ds):
        self.imported = ds
        return True


@pytest.fixture
def setup(qtbot, tmp_path):
    win = QMainWindow()
    win.setWindowTitle("Backprop Lens[*]")
    qtbot.addWidget(win)
    work = Work()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    fc = FileController(win, lambda: work.session, work.set_session, lambda: work.spec,
                        work.set_spec, work.import_csv, settings=settings,
                        recovery_dir=str(tmp_path / "appdata"))
    fc.errors = []
    fc.answers = []
    fc._show_error = lambda title, text: fc.errors.append(text)
    fc._ask_save_discard_cancel = lambda: fc.answers.pop(0)
    fc._ask_yes_no = lambda title, text: fc.answers.pop(0)
    fc._ask_save_path = lambda title, filt, suggested: fc.answers.pop(0)
    fc._ask_open_path = lambda title, filt: fc.answers.pop(0)
    return fc, work, win, tmp_path


def test_menu_has_the_file_actions_with_shortcuts(setup):
    fc, _, win, _ = setup
    menu = QMenu(win)
    fc.build_menu(menu)
    texts = [a.text() for a in menu.actions()]
    for t in ("&Open…", "Open &Recent", "&Save", "Save &As…", "Open Network &Spec…",
              "Save Network Spec…", "&Import CSV…"):
        assert t in texts
    assert not fc.actions["save"].shortcut().isEmpty()
    assert not fc.actions["open"].shortcut().isEmpty()


def test_save_as_then_open_round_trip_and_recent(setup):
    fc, work, win, tmp = setup
    fc.mark_dirty()
    assert fc.is_dirty and win.isWindowModified()
    fc.answers = [str(tmp / "a")]
    assert fc.save_as()
    assert fc.path == str(tmp / "a.bplens") and not fc.is_dirty and not win.isWindowModified()
    assert fc.recent_files()[0].endswith("a.bplens")
    before = work.session
    assert fc.open(str(tmp / "a.bplens"))
    assert work.set_calls == 1 and work.session is not before
    for (W0, b0), (W1, b1) in zip(before.initial_params, work.session.initial_params,
                                  strict=True):
        assert W0.tobytes() == W1.tobytes() and b0.tobytes() == b1.tobytes()
    assert work.session.stepper == before.stepper and not fc.errors
    menu = QMenu(win)
    fc.build_menu(menu)
    fc._fill_recent()
    assert fc.recent_menu.actions()[0].text().endswith("a.bplens")


def test_bad_session_leaves_work_untouched(setup):
    fc, work, _, tmp = setup
    (tmp / "bad.bplens").write_bytes(b"PK\x03\x04 not really")
    before = work.session
    fc.answers = [str(tmp / "bad.bplens")]
    assert not fc.open()
    assert work.session is before and work.set_calls == 0
    assert len(fc.errors) == 1 and "bad.bplens" in fc.errors[0]
    assert not fc.open(str(tmp / "gone.bplens"))
    assert "no such file" in fc.errors[1]


def test_unwritable_save_shows_error_and_stays_dirty(setup):
    fc, _, _, tmp = setup
    fc.mark_dirty()
    fc.answers = [str(tmp / "no" / "such" / "x.bplens")]
    assert not fc.save()
    assert fc.is_dirty and fc.path is None and "does not exist" in fc.errors[0]


def test_maybe_save_cancel_discard_save(setup):
    fc, _, _, tmp = setup
    assert fc.maybe_save()  # clean: no question
    fc.mark_dirty()
    fc.answers = ["cancel"]
    assert not fc.maybe_save() and fc.is_dirty
    fc.answers = ["save", None]  # Save, then the save dialog is cancelled
    assert not fc.maybe_save()
    fc.answers = ["save", str(tmp / "s.bplens")]
    assert fc.maybe_save() and (tmp / "s.bplens").exists()
    fc.mark_dirty()
    fc.answers = ["discard"]
    assert fc.maybe_save()


def test_recovery_written_while_dirty_then_offered(setup, qtbot):
    fc, work, win, tmp = setup
    assert not fc.write_recovery()  # clean: nothing to recover
    fc.mark_dirty()
    fc.timer.setInterval(20)
    qtbot.waitUntil(fc.recovery_path.exists, timeout=3000)
    assert load_session(fc.recovery_path).view == {"theme": "dark"}
    # Next start: the user accepts.
    work2 = Work()
    fc2 = FileController(win, lambda: work2.session, work2.set_session, lambda: work2.spec,
                         work2.set_spec, work2.import_csv, settings=fc.settings,
                         recovery_dir=str(tmp / "appdata"))
    fc2._ask_yes_no = lambda title, text: True
    assert fc2.offer_recovery() and work2.set_calls == 1 and fc2.is_dirty
    fc2.timer.stop()
    # A clean exit deletes it; a declined offer deletes it too.
    fc.answers = ["discard"]
    assert fc.maybe_save() and not fc.recovery_path.exists()
    fc.mark_dirty()
    assert fc.write_recovery()
    fc.answers = [False]
    assert not fc.offer_recovery() and not fc.recovery_path.exists()


def test_damaged_recovery_is_reported_and_removed(setup):
    fc, work, _, _ = setup
    fc.recovery_path.parent.mkdir(parents=True)
    fc.recovery_path.write_bytes(b"junk")
    fc.answers = [True]
    assert not fc.offer_recovery()
    assert work.set_calls == 0 and "not a zip" in fc.errors[0]
    assert not fc.recovery_path.exists()


def test_spec_open_save_and_refusal(setup):
    fc, work, _, tmp = setup
    assert fc.save_spec(str(tmp / "n"))
    assert (tmp / "n.json").exists()
    work.spec = None
    assert fc.open_spec(str(tmp / "n.json")) and work.spec["input_size"] == 2 and fc.is_dirty
    (tmp / "bad.json").write_text('{"input_size": 2, "layers": [{"units": 1, '
                                  '"activation": "swish"}]}')
    before = work.spec
    assert not fc.open_spec(str(tmp / "bad.json"))
    assert work.spec is before and "unknown activation 'swish'" in fc.errors[0]


def test_import_csv_hands_a_dataset_to_the_window(setup, tmp_path):
    fc, work, _, _ = setup
    p = tmp_path / "d.csv"
    p.write_text("a,b,y\n0,1,1\n1,0,0\n")
    fc._ask_csv_import = lambda path: load_csv(path)
    assert fc.import_csv_file(str(p))
    assert work.imported.X.shape == (2, 2) and work.imported.kind == "classification"
    (tmp_path / "bad.csv").write_text("1,2,3\n4,5\n")
    fc._ask_csv_import = lambda path: load_csv(path)
    assert not fc.import_csv_file(str(tmp_path / "bad.csv"))
    assert "row 2 has 2 columns" in fc.errors[0]


def test_import_dialog_preview_mapping_and_inline_error(qtbot, tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("x1,x2,label\n" + "".join(f"{i},{-i},{i % 3}\n" for i in range(20)))
    dlg = CsvImportDialog(str(p), n_inputs=2, n_outputs=3)
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 10 and dlg.table.columnCount() == 3
    assert dlg.label.isChecked() and dlg.classes.value() == 3   # n_0 + 1 columns: labels
    assert "columns 1–2 → inputs" in dlg.summary.text()
    assert "column 3 → class label" in dlg.summary.text()   # one column, said once
    dlg.standardize.setChecked(True)
    dlg.accept()
    assert dlg.result() == dlg.DialogCode.Accepted
    assert dlg.data.Y.shape == (3, 20) and np.allclose(dlg.data.X.mean(axis=1), 0)
    # Two classes declared but label 2 present: refused inline, the dialog stays open.
    dlg2 = CsvImportDialog(str(p))
    qtbot.addWidget(dlg2)
    dlg2.label.setChecked(True)
    dlg2.classes.setValue(2)
    dlg2.accept()
    assert dlg2.data is None and "out of range 0..1" in dlg2.error.text()
    dlg2.label.setChecked(False)
    dlg2.targets.setValue(2)
    assert dlg2.inputs.value() == 1 and dlg2.options()["n_outputs"] == 2


def test_in_the_real_main_window(qtbot, tmp_path, monkeypatch):
    from gui.main_window import MainWindow
    from gui.settings import AppSettings, make_qsettings

    win = MainWindow(settings=AppSettings(make_qsettings(tmp_path / "settings.ini")))
    qtbot.addWidget(win)
    fc = win.file_controller
    assert isinstance(fc, FileController)
    assert fc.recovery_path.parent == tmp_path  # never the user's app-data folder in tests
    errors, asked = [], []
    monkeypatch.setattr(fc, "_show_error", lambda title, text: errors.append(text))
    monkeypatch.setattr(fc, "_ask_save_discard_cancel", lambda: asked.append(1) or "discard")
    assert fc._write(str(tmp_path / "w.bplens")), errors
    assert not fc.is_dirty
    spec_before = win.model.net.to_spec()
    assert win.model.set_architecture({"input_size": 2, "layers": [
        {"units": 5, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}]})
    assert win.model.net.to_spec() != spec_before
    fc.mark_dirty()
    assert fc.open(str(tmp_path / "w.bplens")), errors
    assert asked and win.model.net.to_spec() == spec_before and not errors
    assert not fc.is_dirty  # loading marks nothing dirty
    fc.timer.stop()


def test_offscreen_never_blocks_on_a_dialog(qtbot, tmp_path, capsys):
    win = QMainWindow()
    qtbot.addWidget(win)
    work = Work()
    fc = FileController(win, lambda: work.session, work.set_session, lambda: work.spec,
                        work.set_spec, work.import_csv,
                        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert not fc._interactive()  # conftest runs Qt offscreen
    assert not fc.open() and not fc.save_as()
    fc.mark_dirty()
    assert fc.timer.isActive()
    assert fc.write_recovery() and fc.recovery_path.parent == tmp_path
    assert not fc.offer_recovery() and fc.recovery_path.exists()  # kept for a real start
    fc.open(str(tmp_path / "none.bplens"))
    assert "no such file" in capsys.readouterr().err
    assert win.close() and not fc.timer.isActive()
    assert fc.maybe_save() and not fc.recovery_path.exists()


def test_import_dialog_shows_progress_while_reading(qtbot, tmp_path, monkeypatch):
    from engine import csv_fast
    monkeypatch.setattr(csv_fast, "CHUNK_BYTES", 512)
    p = tmp_path / "d.csv"
    p.write_text("x1,x2,y\n" + "".join(f"{i},{-i},{i % 2}\n" for i in range(2000)))
    dlg = CsvImportDialog(str(p), n_inputs=2, n_outputs=1)
    qtbot.addWidget(dlg)
    seen = []
    real = dlg.progress.setValue
    monkeypatch.setattr(dlg.progress, "setValue", lambda v: (seen.append(v), real(v)))
    dlg.accept()
    assert dlg.data is not None and dlg.data.X.shape == (2, 2000)
    assert len(seen) > 5 and seen[-1] == 100 and seen == sorted(seen)
    assert dlg.progress.isHidden()
