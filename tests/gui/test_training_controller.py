"""TrainingController: signals with the right records, pause/stop, divergence, throttle."""

import numpy as np
import pytest

from engine import Network
from engine.datasets import make_dataset
from engine.training import Trainer
from gui import training_controller as tc_mod
from gui.training_controller import TrainingController


def moons_trainer(lr=0.5, batch_size=16):
    ds = make_dataset("moons", n_samples=120, noise=0.1, seed=0, val_fraction=0.25)
    net = Network.from_spec({"input_size": 2, "seed": 1, "layers": [
        {"units": 8, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]})
    return Trainer(net, ds.X, ds.Y, ds.X_val, ds.Y_val, batch_size=batch_size, lr=lr)


@pytest.fixture
def ctrl(qtbot):
    c = TrainingController()
    yield c
    c.stop()


def test_runs_requested_epochs_and_reports_last_record(ctrl, qtbot):
    tr = moons_trainer()
    k = tr.iterations_per_epoch  # 90 samples / 16 → 6
    progress, epochs = [], []
    ctrl.progress.connect(progress.append)
    ctrl.epoch_finished.connect(epochs.append)
    with qtbot.waitSignal(ctrl.training_started):
        ctrl.start(tr, 3)
    assert ctrl.is_running
    with qtbot.waitSignal(ctrl.training_finished, timeout=10_000):
        pass
    assert not ctrl.is_running and not ctrl.is_paused
    assert tr.epoch == 3 and tr.iteration == 3 * k
    last = progress[-1]
    assert (last.iteration, last.epoch, last.epoch_done) == (3 * k, 3, True)
    assert last.loss == tr.history.iter_loss[-1]
    assert epochs[-1].epoch == 3 and epochs[-1].val_loss == tr.history.epoch_val[-1]
    assert all(r.epoch_done for r in epochs)


def test_progress_argument_is_a_train_record(ctrl, qtbot):
    tr = moons_trainer()
    with qtbot.waitSignal(ctrl.progress, timeout=10_000,
                          check_params_cb=lambda r: r.iteration >= 1) as blocker:
        ctrl.start(tr, None)
    rec = blocker.args[0]
    assert rec.loss == tr.history.iter_loss[rec.iteration - 1]


def test_pause_stops_iterating_and_resume_continues(ctrl, qtbot):
    tr = moons_trainer()
    ctrl.start(tr, None)
    qtbot.waitUntil(lambda: tr.iteration > 0, timeout=5000)
    with qtbot.waitSignal(ctrl.training_paused):
        ctrl.pause()
    assert ctrl.is_paused and not ctrl.is_running
    frozen = tr.iteration
    qtbot.wait(150)  # plenty of event-loop turns: nothing may run while paused
    assert tr.iteration == frozen
    with qtbot.waitSignal(ctrl.training_started):
        ctrl.resume()
    qtbot.waitUntil(lambda: tr.iteration > frozen, timeout=5000)
    with qtbot.waitSignal(ctrl.training_finished):
        ctrl.stop()
    stopped = tr.iteration
    qtbot.wait(100)
    assert tr.iteration == stopped and not ctrl.is_running and not ctrl.is_paused


def test_stop_while_paused_finishes(ctrl, qtbot):
    ctrl.start(moons_trainer(), None)
    ctrl.pause()
    with qtbot.waitSignal(ctrl.training_finished):
        ctrl.stop()
    with qtbot.assertNotEmitted(ctrl.training_finished):
        ctrl.stop()  # idle: nothing to stop


def test_divergence_reports_message_and_keeps_weights_finite(ctrl, qtbot):
    ds = make_dataset("sine", n_samples=60, noise=0.0, seed=0, val_fraction=0.0)
    net = Network.from_spec({"input_size": 1, "seed": 0, "layers": [
        {"units": 4, "activation": "identity"}, {"units": 1, "activation": "identity"}]})
    tr = Trainer(net, ds.X * 100, ds.Y, batch_size=60, lr=1000.0)
    with qtbot.waitSignal(ctrl.training_failed, timeout=10_000) as blocker:
        ctrl.start(tr, 1000)
    msg = blocker.args[0]
    assert "diverged" in msg and "learning rate" in msg
    assert not ctrl.is_running
    for W, b in net.params():
        assert np.isfinite(W).all() and np.isfinite(b).all()


def test_zero_epochs_finishes_at_once_and_bad_epochs_named(ctrl, qtbot):
    tr = moons_trainer()
    with qtbot.waitSignal(ctrl.training_finished):
        ctrl.start(tr, 0)
    assert tr.iteration == 0
    with pytest.raises(ValueError, match="epochs"):
        ctrl.start(tr, -1)
    with pytest.raises(ValueError, match="epochs"):
        ctrl.start(tr, 2.5)


def test_updates_are_throttled_to_30_per_second(qtbot, monkeypatch):
    # A fake clock advancing 1 ms per reading: the engine looks very fast, and
    # the number of emissions must follow the clock, not the iteration count.
    t = [0.0]

    def clock():
        t[0] += 0.001
        return t[0]

    monkeypatch.setattr(tc_mod, "CHUNK_SECONDS", 0.003)
    c = TrainingController(clock=clock)
    tr = moons_trainer(batch_size=200)  # full batch: one iteration = one epoch
    count = []
    c.progress.connect(count.append)
    epochs = []
    c.epoch_finished.connect(epochs.append)
    with qtbot.waitSignal(c.training_finished, timeout=20_000):
        c.start(tr, 400)
    elapsed = t[0]
    assert tr.epoch == 400
    assert len(count) <= elapsed * tc_mod.MAX_UPDATES_PER_SECOND + 2
    assert len(count) < 100  # far fewer than the 400 records
    assert len(epochs) <= len(count) and epochs[-1].epoch == 400


def test_updates_keep_up_30_per_second_with_long_chunks(qtbot):
    # Chunks of 25 ms against a 33 ms throttle used to flush every second chunk
    # (20 updates a second); a chunk now ends when the next update is due.
    t = [0.0]

    def clock():
        t[0] += 0.001
        return t[0]

    c = TrainingController(clock=clock)
    tr = moons_trainer(batch_size=200)
    count = []
    c.progress.connect(count.append)
    with qtbot.waitSignal(c.training_finished, timeout=20_000):
        c.start(tr, 600)
    rate = len(count) / t[0]
    assert 0.85 * tc_mod.MAX_UPDATES_PER_SECOND <= rate <= tc_mod.MAX_UPDATES_PER_SECOND + 2


def test_window_close_while_training(qtbot):
    from PyQt6.QtWidgets import QWidget
    w = QWidget()
    qtbot.addWidget(w)
    c = TrainingController(w)
    c.start(moons_trainer(), None)
    qtbot.waitUntil(lambda: c.trainer.iteration > 0, timeout=5000)
    w.close()
    w.deleteLater()
    qtbot.wait(50)  # the timer died with its parent; no Qt warning, nothing left running
