"""Divergence in the window: one message, a Reset with a smaller α, and training works again."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtWidgets import QMessageBox

from gui.main_window import MainWindow
from gui.settings import AppSettings, make_qsettings


@pytest.fixture
def shown(monkeypatch):
    """Every message box the window opens, answered by clicking its first button."""
    boxes: list[tuple[str, list[str]]] = []

    def fake_exec(box):
        boxes.append((box.text(), [b.text() for b in box.buttons()]))
        box.buttons()[0].click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name,
                            lambda _p, _t, text, *a, **k: boxes.append((text, [])))
    return boxes


def test_sine_at_alpha_1_stops_once_offers_reset_and_trains_again(qtbot, tmp_path, shown):
    win = MainWindow(settings=AppSettings(make_qsettings(tmp_path / "s.ini")))
    qtbot.addWidget(win)
    win.file_controller.maybe_save = lambda: True
    m = win.model
    try:
        assert m.set_experiment({"layers": [{"units": 8, "activation": "tanh"},
                                            {"units": 8, "activation": "tanh"},
                                            {"units": 1, "activation": "identity"}]},
                                {"name": "sine", "n_samples": 200, "noise": 0.1, "seed": 0})
        # sine brings its default α, and the window says so
        assert m.lr == pytest.approx(0.1) and shown and "α is now 0.1" in shown[0][0]
        shown.clear()
        m.set_lr(1.0)
        initial = [(W.copy(), b.copy()) for W, b in m.net.params()]
        with qtbot.waitSignal(m.training_failed, timeout=20_000):
            m.train(100)
        # one message, the engine's, with the way out as its default button
        assert len(shown) == 1
        text, buttons = shown[0]
        assert "diverged" in text and "set back" in text and text.count("learning rate") == 1
        assert buttons[0] == "Reset with α = 0.1"
        # the button was clicked: α is 0.1, the weights are the initial ones, history empty
        assert m.lr == pytest.approx(0.1) and win.controls.lr.text() == "0.1"
        for (W, b), (W0, b0) in zip(m.net.params(), initial, strict=True):
            np.testing.assert_array_equal(W, W0)
            np.testing.assert_array_equal(b, b0)
        assert m.history.iter_loss == []
        m.train_sync(20)                      # and training works again
        assert len(shown) == 1 and len(m.history.epoch_train) == 20
        assert m.history.epoch_train[-1] < m.history.epoch_train[0]
    finally:
        m.shutdown()
