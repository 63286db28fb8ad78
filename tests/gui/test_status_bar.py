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


def test_a_narrow_bar_elides_its_fields_instead_of_cutting_them(qtbot):
    bar = LensStatusBar()
    qtbot.addWidget(bar)
    s = {"phase": "forward", "layer": 3, "k": 13, "K": 14, "pass": 12, "epoch": 120,
         "iteration": 98765, "loss": 0.0123456, "loss_is_step": False}
    plain = (bar.layer, bar.step, bar.epoch, bar.iteration, bar.loss)
    for width in (1600, 1000, 800, 640):
        bar.resize(width, 30)
        bar.show()
        bar.start_progress(30, 0)   # the progress bar takes its share while training
        bar.show_status(s)
        qtbot.wait(20)
        for w in (bar.phase, *plain, bar.progress):   # every field inside the bar
            assert w.geometry().right() <= bar.width(), (width, w.text())
        for w in plain:
            shown = w.shown_text()
            # what is drawn fits the field: the full text, or a shorter form ("loss 0.01235",
            # "step 13/14", "iter…") with the full text in the tooltip
            assert w.fontMetrics().horizontalAdvance(shown) <= w.contentsRect().width()
            assert shown == w.text() or (shown and w.toolTip() == w.text())
        if width == 1600:
            assert all(w.shown_text() == w.text() for w in plain)   # room for all of it
    assert bar.loss.text() == "loss 0.01235 (last batch)"
    assert bar.loss.shown_text() == "loss 0.01235"


def test_while_training_the_step_field_shows_no_stepped_pass(qtbot):
    # "step 14 of 14 (pass 1)" stayed on screen while training replaced that pass's weights.
    bar = LensStatusBar()
    qtbot.addWidget(bar)
    bar.show_status({"phase": "update", "layer": None, "k": 14, "K": 14, "pass": 0,
                     "epoch": 0, "iteration": 1, "loss": 0.2, "loss_is_step": True})
    assert bar.step.text().startswith("step 14 of 14")
    bar.show_record(SimpleNamespace(epoch=3, iteration=17, loss=0.1))
    assert bar.step.text() == "step –" and bar.iteration.text() == "iteration 17"
