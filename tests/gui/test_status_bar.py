"""The status bar's fields keep their width while their numbers change."""

from types import SimpleNamespace

from gui.status_bar import LensStatusBar


def test_fields_keep_their_width_as_the_numbers_grow(qtbot):
    bar = LensStatusBar()
    qtbot.addWidget(bar)
    fields = (bar.phase, bar.layer, bar.step, bar.epoch, bar.iteration, bar.loss)
    s = {"phase": "forward", "layer": 1, "k": 0, "K": 14, "pass": 0, "epoch": 0,
         "iteration": 0, "loss": None, "loss_is_step": False}
    bar.show_status(s)
    hints = [w.sizeHint().width() for w in fields]
    bar.show_status(dict(s, phase="backward", layer=3, k=13, epoch=120, iteration=98765,
                         loss=0.0123456, loss_is_step=True))
    bar.show_record(SimpleNamespace(epoch=4321, iteration=1234567, loss=1.5e-7))
    assert [w.sizeHint().width() for w in fields] == hints
