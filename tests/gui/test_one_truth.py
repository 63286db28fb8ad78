"""The window never shows a stale or silently changed number (issue "One experiment, one truth").

Each test is a case a user met: it failed on the window before the Experiment and its
adapter, and checks what the views show against the model (gui/consistency.py) or
against independent arithmetic.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.experiment import Experiment
from engine.fileio import save_spec_file
from engine.network import Network
from gui.consistency import drawn_state_problems
from gui.lens_model import LensModel
from gui.main_window import MainWindow
from gui.settings import AppSettings, make_qsettings


def make_window(qtbot, tmp_path, model=None):
    settings = AppSettings(make_qsettings(tmp_path / "settings.ini"))
    win = MainWindow(model, settings=settings)
    win.file_controller.maybe_save = lambda: True
    qtbot.addWidget(win)
    return win


@pytest.fixture
def window(qtbot, tmp_path, messages):
    win = make_window(qtbot, tmp_path)
    yield win
    win.model.shutdown()


def walk(win, n):
    for _ in range(n):
        win.model.step()


def test_stepping_back_from_the_update_shows_the_old_weights_everywhere(window):
    m = window.model
    W_before = m.net.params()[0][0]
    walk(window, m.stepper.K)
    assert m.trainer.iteration == 1
    assert m.step_back()
    assert m.net.params()[0][0] is W_before and m.trainer.iteration == 0
    window.layer = 1
    window._show_layer()
    assert window.matrices.image_data("W") is W_before or \
        np.array_equal(window.matrices._maps["W"].data, W_before)
    assert window.data_view.net is m.net
    assert drawn_state_problems(window) == []


def test_a_spec_for_other_data_keeps_its_weights_and_brings_its_data(window, tmp_path,
                                                                      messages):
    spec = Network.from_spec({"input_size": 64, "seed": 5, "loss": "cross_entropy", "layers": [
        {"units": 32, "activation": "tanh"},
        {"units": 10, "activation": "softmax"}]}).to_spec()
    save_spec_file(tmp_path / "trained_digits_net.json", spec)
    assert window.file_controller.open_spec(str(tmp_path / "trained_digits_net.json"))
    m = window.model
    assert m.net.sizes == [64, 32, 10] and m.dataset.name == "digits"
    assert np.array_equal(m.net.params()[0][0], np.array(spec["layers"][0]["W"]))
    assert any("digits" in text for _, text in messages)   # said, not silent
    assert drawn_state_problems(window) == []


def test_a_hand_set_spec_keeps_its_weights_when_a_csv_of_its_sizes_is_imported(window, tmp_path):
    spec = {"input_size": 2, "seed": 0, "loss": "squared", "layers": [
        {"units": 2, "activation": "tanh", "W": [[0.5, -0.3], [0.1, 0.8]], "b": [0.0, 0.1]},
        {"units": 1, "activation": "sigmoid", "W": [[0.7, -0.2]], "b": [0.05]}]}
    save_spec_file(tmp_path / "net.json", spec)
    assert window.file_controller.open_spec(str(tmp_path / "net.json"))
    m = window.model
    assert m.net.params()[0][0][0, 1] == -0.3
    from engine.datasets import Dataset
    assert m.set_imported_dataset(Dataset.from_arrays([[0.1, 0.9, 0.4], [0.2, 0.3, 0.8]],
                                                      [[0, 1, 1]], name="mine.csv"))
    assert m.net.params()[0][0][0, 1] == -0.3   # was redrawn to −0.5044 from the seed
    assert drawn_state_problems(window) == []


def test_an_update_that_diverges_is_refused_and_the_weights_stay_finite(qtbot, tmp_path,
                                                                        messages):
    ex = Experiment.build({"input_size": 1, "seed": 0, "layers": [
        {"units": 8, "activation": "relu"}, {"units": 1, "activation": "identity"}]},
        {"name": "sine", "n_samples": 50, "noise": 0.1}, lr=1000, sample=None, batch_size=40)
    win = make_window(qtbot, tmp_path, LensModel(ex))
    refused = False
    for _ in range(300):
        if not win.model.step():
            refused = True
            break
    assert refused
    assert all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in win.model.net.params())
    assert any("smaller learning rate" in text for _, text in messages)
    assert drawn_state_problems(win) == []
    win.model.shutdown()


def test_new_seed_works_from_the_toolbar_action_and_the_shortcut(window, messages):
    W = window.model.net.params()[0][0]
    window.controls.new_seed.trigger()   # triggered(bool) once reached new_seed(seed=False)
    assert not messages
    assert window.model.net.params()[0][0] is not W
    assert drawn_state_problems(window) == []


def test_hovering_the_input_explains_it_and_the_hover_text_never_goes_stale(window):
    window.model.select_sample(7)
    window._on_cell_hovered("a", 0, 1, 0)   # a₀ on layer 1's panel: raised AssertionError
    text = window.formula._cell.text()
    assert "a₀[1, 0]" in text and "sample #7" in text
    window.model.step()
    assert window.formula._cell.text() != text   # cleared: the cell may mean another number


def test_the_neuron_tooltip_names_the_sample_stepped(window):
    window.model.select_sample(119)
    window.model.step()
    assert "sample #119" in window.graph.neuron_tooltip(1, 0)


def test_paused_training_says_paused_and_resuming_keeps_the_epoch_count(window, qtbot):
    m = window.model
    with qtbot.waitSignal(m.training_started):
        m.train(100_000)
    qtbot.waitUntil(lambda: m.trainer.epoch >= 2, timeout=20_000)
    with qtbot.waitSignal(m.training_paused):
        m.pause()
    assert window.status.phase.text().startswith("paused")
    start = m.run_start_epoch
    walk(window, m.stepper.K)   # a stepped iteration while paused is one more iteration
    with qtbot.waitSignal(m.training_started):
        m.resume()
    assert window.status.progress.value() >= m.trainer.epoch - start - 1
    assert m.run_start_epoch == start
    with qtbot.waitSignal(m.training_finished, timeout=60_000):
        m.stop_training()
    assert "training" not in window.status.currentMessage()
    assert drawn_state_problems(window) == []


def test_whole_mini_batch_stepping_walks_the_batch_training_takes_next(window):
    m = window.model
    assert m.set_batch_size(16) and m.select_sample(None)
    idx = m.trainer.next_indices()
    assert np.array_equal(m.stepper.X, m.dataset.X[:, idx])
    assert not np.array_equal(idx, np.arange(16))   # not "the first B columns"


def test_a_refused_sample_click_while_training_leaves_the_ring(window, qtbot, messages):
    m = window.model
    with qtbot.waitSignal(m.training_started):
        m.train(None)
    window.data_view.sample_clicked.emit(7)
    assert window.data_view.selected == m.sample == 0
    with qtbot.waitSignal(m.training_finished):
        m.stop_training()


def test_a_refused_session_leaves_the_loss_plot_showing_the_history(window, tmp_path):
    m = window.model
    m.train_sync(3)
    n = len(m.history.iter_loss)
    bad = m.to_session()
    bad.stepper["k"] = 99   # a stepper position past the pass
    assert not m.from_session(bad)
    assert window.loss_plot.n_shown == n and window.loss_plot.history is m.history


def test_the_save_prompt_after_opening_a_spec_names_no_unrelated_session(window, tmp_path,
                                                                          messages):
    fc = window.file_controller
    assert fc._write(str(tmp_path / "run1.bplens"))
    save_spec_file(tmp_path / "net.json", window.model.net.to_spec())
    assert fc.open_spec(str(tmp_path / "net.json"))
    assert fc.path is None and fc.is_dirty


# --- each view redraws once per change ---------------------------------------------------------


VIEWS = {"graph.set_network": 0, "graph.set_state": 0, "matrices.show_layer": 0,
         "formula.show_step": 0, "loss_plot.set_history": 0, "loss_plot.refresh": 0,
         "data_view.refresh_prediction": 0, "data_view._draw_data": 0,
         "status.show_status": 0, "editor.load": 0}


def count_redraws(win, monkeypatch):
    counts = dict.fromkeys(VIEWS, 0)
    for key in VIEWS:
        view, meth = key.split(".")
        obj = getattr(win, view)
        original = getattr(obj, meth)

        def counted(*a, _k=key, _f=original, **kw):
            counts[_k] += 1
            return _f(*a, **kw)
        monkeypatch.setattr(obj, meth, counted)
    return counts


@pytest.mark.parametrize("action, most", [
    ("rebuild", 1), ("step", 1), ("step_back", 1), ("reset", 1), ("data", 1)])
def test_each_view_redraws_at_most_once_per_change(window, monkeypatch, action, most):
    m = window.model
    walk(window, 3)
    counts = count_redraws(window, monkeypatch)
    {"rebuild": lambda: m.set_architecture({"input_size": 2, "seed": 1, "layers": [
        {"units": 5, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]}),
     "step": m.step, "step_back": m.step_back, "reset": m.reset,
     "data": lambda: m.set_dataset("circles")}[action]()
    assert max(counts.values()) <= most, counts
    # …and what a change touches is redrawn: the matrices and status always.
    assert counts["matrices.show_layer"] == 1 and counts["status.show_status"] == 1
    if action in ("rebuild", "data"):
        assert counts["graph.set_network"] == 1 and counts["data_view.refresh_prediction"] == 1
    # the points are drawn again only for new data
    assert counts["data_view._draw_data"] == (action == "data")
    assert drawn_state_problems(window) == []
