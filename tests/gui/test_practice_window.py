"""Exercise files, Compare runs and Gradient health in the window (issue 11)."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from engine.compare import read_compare_csv
from engine.datasets import Dataset
from engine.exercise import load_exercise
from engine.experiment import Experiment
from engine.fileio import save_spec_file
from engine.network import Network
from gui.consistency import drawn_state_problems
from gui.lens_model import LensModel
from gui.main_window import MainWindow
from gui.settings import AppSettings, make_qsettings

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def make(qtbot, tmp_path, model=None, name="s.ini"):
    w = MainWindow(model or LensModel(), settings=AppSettings(make_qsettings(tmp_path / name)))
    w.file_controller.maybe_save = lambda: True
    w.file_controller.maybe_save_before_replacing = lambda: True
    qtbot.addWidget(w)
    return w


@pytest.fixture
def win(qtbot, tmp_path, messages):
    w = make(qtbot, tmp_path)
    yield w
    w.model.shutdown()


# --- exercise files --------------------------------------------------------------------------


def save_exercise_from(win, path, locked=("architecture", "data", "lr")):
    return win.exercises.save_as(str(path), ("Backprop by hand", "Step forward.\n\nThen "
                                             "predict δ₃.", ("delta", "dW"), locked))


def test_an_exercise_opens_with_its_instructions_locks_and_quiz(win, qtbot, tmp_path,
                                                                messages):
    win.model.set_lr(0.25)
    path = tmp_path / "ex1.bpex"
    assert save_exercise_from(win, path)
    student = make(qtbot, tmp_path, name="student.ini")
    assert student.exercises.open(str(path))
    m = student.model
    assert m.lr == 0.25 and m.ex.locked == {"architecture", "data", "lr"}
    assert not student.exercises.dock.isHidden()
    assert "predict δ₃" in student.exercises.text.toPlainText()
    assert student.quiz_mode.enabled and student.quiz_mode.settings.quantities == ("delta", "dW")
    c, fc = student.controls, student.file_controller
    assert not c.lr.isEnabled() and not student.editor.isEnabled()
    assert not fc.actions["open_spec"].isEnabled() and not fc.actions["import_csv"].isEnabled()
    assert c.batch.isEnabled() and c.optimizer.isEnabled()
    # every entry point is refused by the experiment, naming the lock, nothing changed
    net, ds = m.net, m.dataset
    messages.clear()
    assert not m.set_lr(0.5)
    assert not m.set_experiment({"input_size": 2, "layers": [
        {"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]},
        {"name": "moons"})
    spec = Network.from_spec({"input_size": 2, "layers": [
        {"units": 1, "activation": "sigmoid"}]}).to_spec()
    save_spec_file(tmp_path / "other.json", spec)
    assert not fc.open_spec(str(tmp_path / "other.json"))
    assert not m.set_imported_dataset(Dataset.from_arrays(   # File → Import CSV's path
        np.array([[0.0, 1, 1], [1, 0, 1]]), np.array([[0.0, 1, 0]]), name="d.csv"))
    assert not student.health.open_example("vanishing")
    texts = " ".join(t for _, t in messages)
    assert "learning rate α" in texts and "architecture" in texts
    assert m.lr == 0.25 and m.net is net and m.dataset is ds
    assert m.set_batch_size(10)                          # not locked
    assert drawn_state_problems(student) == []
    student.model.shutdown()


def test_answers_and_score_are_saved_back_into_the_exercise(win, qtbot, tmp_path):
    path = tmp_path / "ex2.bpex"
    assert save_exercise_from(win, path)
    student = make(qtbot, tmp_path, name="student.ini")
    assert student.exercises.open(str(path))
    m, qm = student.model, student.quiz_mode
    for _ in range(2 * m.net.L + 1):
        m.step()
    s = m.stepper.state
    a, y = s.a[m.net.L], s.Y
    qm.panel.answer.setText(f"{(2 * (a - y) * a * (1 - a))[0, 0]:.6g}")
    student.controls.step.trigger()
    qm.panel.answer.setText("7")
    student.controls.step.trigger()
    assert student.file_controller.is_dirty
    assert student.file_controller.save()                # File → Save writes the exercise
    back = load_exercise(path)
    assert [x.correct for x in back.answers] == [True, False]
    assert back.score()[0].correct == 1 and back.score()[0].asked == 2
    assert back.instructions.startswith("Step forward") and back.locked == (
        "architecture", "data", "lr")
    # reopened: the answers and the score come back
    again = make(qtbot, tmp_path, name="again.ini")
    assert again.exercises.open(str(path))
    assert again.quiz_mode.panel.score_label.text() == "pass 1: 1/2"
    again.model.shutdown()
    student.model.shutdown()


def test_the_save_as_exercise_dialog_gives_what_was_typed_and_ticked(win, qtbot):
    from gui.exercise_mode import ExerciseDialog
    dlg = ExerciseDialog(("delta", "dW"))
    qtbot.addWidget(dlg)
    dlg.title.setText("  Vanishing  ")
    dlg.instructions.setPlainText("Train, then look at ‖∂C/∂W₁‖.")
    dlg.quizzed["dW"].setChecked(False)
    dlg.locked["optimizer"].setChecked(True)
    dlg.locked["data"].setChecked(False)
    assert dlg.values() == ("Vanishing", "Train, then look at ‖∂C/∂W₁‖.", ("delta",),
                            ("architecture", "lr", "optimizer"))


def test_an_exercise_that_cannot_be_written_says_why(win, tmp_path, messages):
    assert not win.exercises.save_as(str(tmp_path / "no" / "such" / "dir" / "e.bpex"),
                                     ("t", "i", ("delta",), ()))
    assert messages and "Cannot save the exercise" in messages[-1][0]


def test_bad_exercise_files_are_refused_and_nothing_changes(win, tmp_path, messages):
    path = tmp_path / "ok.bpex"
    assert save_exercise_from(win, path)
    data = path.read_bytes()
    (tmp_path / "cut.bpex").write_bytes(data[: len(data) // 2])
    newer = tmp_path / "newer.bpex"
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(newer, "w") as out:
        for item in z.infolist():
            raw = z.read(item)
            if item.filename == "exercise.json":
                body = json.loads(raw)
                body["version"] = 99
                raw = json.dumps(body).encode()
            out.writestr(item, raw)
    net = win.model.net
    for bad, words in (("cut.bpex", ""), ("newer.bpex", "newer Backprop Lens"),
                       ("missing.bpex", "")):
        messages.clear()
        assert not win.exercises.open(str(tmp_path / bad))
        assert messages and words in messages[-1][1]
        assert win.model.net is net and win.exercises.exercise is None
        assert win.controls.lr.isEnabled()


def test_opening_a_session_closes_the_exercise_and_lifts_its_locks(win, qtbot, tmp_path):
    assert save_exercise_from(win, tmp_path / "e.bpex")
    session = tmp_path / "plain.bplens"
    assert win.file_controller._write(str(session))
    student = make(qtbot, tmp_path, name="student.ini")
    assert student.exercises.open(str(tmp_path / "e.bpex"))
    assert student.file_controller._write(str(tmp_path / "copy.bplens"))   # Save As: stays
    assert student.exercises.exercise is not None and not student.controls.lr.isEnabled()
    assert student.file_controller.open(str(session))
    assert student.exercises.exercise is None and student.model.ex.locked == frozenset()
    assert student.controls.lr.isEnabled() and student.exercises.dock.isHidden()
    student.model.shutdown()


# --- compare runs ------------------------------------------------------------------------------


def test_compare_trains_copies_from_the_same_start_without_touching_the_experiment(
        qtbot, tmp_path, messages):
    ex = Experiment.build(data={"name": "moons", "n_samples": 60, "noise": 0.1, "seed": 2},
                          lr=0.5, batch_size=12)
    w = make(qtbot, tmp_path, LensModel(ex))
    m = w.model
    assert m.set_lr(0.5) and m.set_batch_size(12)       # the window applied its remembered ones
    for _ in range(m.stepper.K):
        m.step()                                         # the experiment is one pass in
    W_now, it = m.net.params()[0][0], m.trainer.iteration
    from gui.compare_runs import open_compare
    dlg = open_compare(w)
    assert dlg.row_values(0) == {"optimizer": "sgd", "lr": "0.5", "batch_size": "12",
                                 "loss": "squared", "activations": "tanh:tanh:sigmoid"}
    dlg.add_run()
    dlg.table.item(1, 1).setText("adam")
    dlg.add_run()                                        # a copy of the adam row …
    dlg.table.item(2, 1).setText("sgd")                  # … back to sgd
    dlg.table.item(2, 2).setText("abc")                  # bad input: refused, nothing trains
    dlg.train_all()
    assert "abc" in dlg.status.text() and not dlg.runner.is_running
    dlg.table.item(2, 2).setText("0.05")
    dlg.epochs.setValue(3)
    with qtbot.waitSignal(dlg.runner.finished, timeout=20000):
        dlg.train_all()
        assert not dlg.train_button.isEnabled()          # busy: no second start
    assert [r.label for r in dlg.runs] == ["base", "optimizer=adam", "lr=0.05"]
    assert m.net.params()[0][0] is W_now and m.trainer.iteration == it
    # the base run is this experiment trained from its start: same losses
    m.reset()
    m.train_sync(3)
    assert dlg.runs[0].history.iter_loss == m.history.iter_loss
    assert len({r.history.iter_loss[0] for r in dlg.runs}) == 1   # same start, same batch
    assert dlg.boundaries.isVisibleTo(dlg)
    out = tmp_path / "cmp.csv"
    dlg.export(str(out))
    cols = read_compare_csv(out.read_text())
    assert cols["lr=0.05"] == list(dlg.runs[2].history.iter_loss)
    dlg.export(str(tmp_path / "cmp.png"))
    assert (tmp_path / "cmp.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dlg.export(str(tmp_path / "cmp.svg"))
    assert (tmp_path / "cmp.svg").read_text().lstrip().startswith("<?xml")
    dlg.close()
    m.shutdown()


def test_compare_can_be_cancelled(win, qtbot):
    from gui.compare_runs import open_compare
    dlg = open_compare(win)
    dlg.epochs.setValue(100_000)
    with qtbot.waitSignal(dlg.runner.cancelled, timeout=5000):
        dlg.train_all()
        qtbot.wait(50)                                   # a few slices: the window lives
        assert dlg.runner.is_running and 0 < dlg.runner.done < dlg.runner.total
        dlg.runner.cancel()
    assert not dlg.runner.is_running and dlg.runs == []
    assert dlg.train_button.isEnabled()
    dlg.close()


# --- gradient health ---------------------------------------------------------------------------


def test_the_dock_records_training_only_while_shown_and_matches_hand_norms(win, qtbot):
    m, h = win.model, win.health
    assert m.on_grads is None                            # hidden: costs nothing
    win.show()
    h.dock.show()
    assert m.on_grads == h.on_grads
    start = [(W.copy(), b.copy()) for W, b in m.net.params()]
    idx = m.trainer.next_indices().copy()
    m.train_sync(1)
    assert h.iterations == list(range(1, m.trainer.iteration + 1))
    # iteration 1's ‖∂C/∂W_ℓ‖ from the initial weights and the first mini-batch, by hand
    net = m.net.copy()
    net.set_params(start)
    grads = net.backward(net.forward(m.dataset.X[:, idx]), m.dataset.Y[:, idx])
    for l in range(1, net.L + 1):
        assert h.norms[0][l - 1, 0] == pytest.approx(np.linalg.norm(grads.dW[l]), rel=1e-10)
    h.dock.hide()
    assert m.on_grads is None
    n = len(h.iterations)
    m.train_sync(1)
    assert len(h.iterations) == n                        # hidden: nothing recorded


def test_a_stepped_pass_adds_its_norms_and_histograms(win):
    m, h = win.model, win.health
    win.show()
    h.dock.show()
    for _ in range(m.stepper.K):
        m.step()
    assert h.iterations == [1]
    s = m.stepper.state
    assert h.norms[0][0, 0] == pytest.approx(np.linalg.norm(s.dW[1]), rel=1e-12)
    assert [x.layer for x in h.panel.health] == [1, 2, 3]
    m.step_back()                                        # the update taken back: its norms too
    assert h.iterations == []
    m.step()
    # one sample stepped: the histograms are over the training set, with the pass's weights
    W1, b1 = m.stepper.params_used()[0]
    np.testing.assert_allclose(h.panel.health[0].a, np.tanh(W1 @ m.dataset.X + b1), rtol=1e-12)
    assert m.select_sample(None)                         # a mini-batch: its own columns
    for _ in range(2):
        m.step()
    np.testing.assert_allclose(h.panel.health[0].a, m.stepper.state.a[1], rtol=1e-12)


def test_the_vanishing_example_opens_and_shows_vanishing_gradients(win, messages):
    m, h = win.model, win.health
    win.show()
    assert h.open_example("vanishing")
    assert m.net.L == 6 and not h.dock.isHidden()
    m.train_sync(1)
    dW = np.array([n[:, 0] for n in h.norms])            # iterations × layers
    assert np.all(dW[:, 0] * 100 <= dW[:, -1])           # layer 1 ≥ 100× smaller than layer 6
    assert not h.open_example("nope")
    assert "unknown example" in messages[-1][1] and m.net.L == 6
