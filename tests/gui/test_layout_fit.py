"""The window at a projector's sizes: no text in the graph, the matrix titles, the
formula panel, the hover arithmetic or the status bar is clipped or written over other
text, and no column of neurons merges into a line, for small, deep and wide networks,
before and after stepping, at the update and after training, in normal and presentation
mode (tests/gui/layout_probe.py measures)."""

from __future__ import annotations

import pytest
from layout_probe import (  # tests/gui, on sys.path
    formula_problems,
    graph_text_problems,
    hover_text_problems,
    matrix_title_problems,
    neuron_problems,
    status_problems,
)

from gui.main_window import MainWindow
from gui.settings import AppSettings, make_qsettings

MOONS = {"name": "moons", "n_samples": 200, "noise": 0.1, "seed": 0}
NETWORKS = {
    "2-8-8-1": None,
    "six hidden layers": ({"layers": [{"units": 8, "activation": "tanh"}] * 6
                           + [{"units": 1, "activation": "sigmoid"}]}, MOONS),
    "64-64-64-10": ({"layers": [{"units": 64, "activation": "tanh"},
                                {"units": 64, "activation": "tanh"},
                                {"units": 10, "activation": "sigmoid"}]},
                    {"name": "digits", "n_samples": 200, "noise": 0.1, "seed": 0}),
}
SIZES = [(1280, 720), (1600, 1000), (1920, 1080), (2560, 1440)]


@pytest.mark.qt_log_ignore("This plugin does not support")
@pytest.mark.parametrize("net", list(NETWORKS))
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("presenting", [False, True], ids=["normal", "presentation"])
def test_no_text_is_clipped_or_overlapping(qtbot, tmp_path, net, size, presenting):
    win = MainWindow(settings=AppSettings(make_qsettings(tmp_path / "s.ini")))
    qtbot.addWidget(win)
    win.file_controller.maybe_save = lambda: True
    m = win.model
    try:
        if NETWORKS[net] is not None:
            assert m.set_experiment(*NETWORKS[net])
        win.resize(*size)
        win.show()
        qtbot.waitExposed(win)
        if presenting:
            win.set_presentation(True)
        problems = []

        def to_update():
            while m.stepper.k < m.stepper.K:
                m.step()

        for stage, act in (("start", lambda: None), ("5 steps", lambda: [m.step()
                                                                        for _ in range(5)]),
                           ("loss step", lambda: [m.step() for _ in range(2 * m.net.L - 5 + 1)]),
                           ("update step", to_update),
                           ("trained", lambda: m.train_sync(2))):
            act()
            qtbot.wait(30)
            problems += [f"{stage}: {p}" for p in graph_text_problems(win.graph)
                         + matrix_title_problems(win.matrices) + formula_problems(win.formula)
                         + neuron_problems(win.graph) + status_problems(win.status)]
            if stage == "update step":   # the longest arithmetic: a W after the update
                win._on_cell_hovered("W_after", win.layer, 0, 0)
                win.matrices._hover_cell("W_after", 0, 0)
                qtbot.wait(30)
                problems += [f"{stage}, hovering W after: {p}" for p in hover_text_problems(win)]
        assert problems == []
    finally:
        m.shutdown()


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_window_made_narrower_gives_its_matrices_their_width_back(qtbot, tmp_path):
    # A laptop window (docks beside the centre) plugged into a 1280×720 projector: the docks
    # kept their widths and the centre fell to 424 px, cutting the matrix titles.
    win = MainWindow(settings=AppSettings(make_qsettings(tmp_path / "s.ini")))
    qtbot.addWidget(win)
    win.file_controller.maybe_save = lambda: True
    try:
        win.resize(1920, 1080)
        win.show()
        qtbot.waitExposed(win)
        for _ in range(7):
            win.model.step()
        assert not win.tabifiedDockWidgets(win.editor_dock)   # beside, at 1920
        win.resize(1280, 720)
        qtbot.waitUntil(lambda: win.centre.width() >= 640, timeout=2000)
        qtbot.wait(50)
        assert matrix_title_problems(win.matrices) == []
        assert win.editor_dock in win.tabifiedDockWidgets(win.data_dock)   # one click away
    finally:
        win.model.shutdown()
