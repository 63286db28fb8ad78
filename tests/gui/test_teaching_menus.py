"""File → Examples and Export pass…, numbers in the cells, copying a matrix or the equation,
and ``main.py --example``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtGui import QGuiApplication, QImage

from engine.examples import example_names, list_examples, load_example
from gui.consistency import drawn_state_problems
from gui.teaching_menus import copy_equation, copy_matrix, export_pass, open_example

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def window(new_window):
    return new_window((1400, 900))


def test_the_examples_menu_lists_every_example_by_its_title(window):
    titles = [a.text() for a in window.example_actions.values()]
    assert titles == [t for _n, t in list_examples()] and len(titles) >= 6


def test_choosing_an_example_opens_it_with_its_note(window):
    window.example_actions["mazur"].trigger()
    m = window.model
    example = load_example("mazur")
    assert np.array_equal(m.net.params()[0][0], np.array(example.spec["layers"][0]["W"]))
    assert m.lr == example.lr and m.sample == example.sample
    note = window.example_note
    assert note.isVisible() and "Mazur" in note.browser.toPlainText()
    assert example.source[:40] in note.browser.toPlainText()
    assert not window.file_controller.is_dirty and window.file_controller.path is None
    assert drawn_state_problems(window) == []


def test_an_example_asks_to_save_unsaved_work_first_and_cancel_keeps_it(window):
    m = window.model
    m.set_param("W", 1, 0, 0, 0.5)
    assert window.file_controller.is_dirty
    asked = []
    window.file_controller._ask_save_discard_cancel = lambda: asked.append(1) or "cancel"
    net = m.net
    assert not open_example(window, "xor")
    assert asked and m.net is net and m.net.params()[0][0][0, 0] == 0.5
    window.file_controller._ask_save_discard_cancel = lambda: "discard"
    assert open_example(window, "xor") and m.net.sizes == [2, 2, 1]


def test_an_unknown_example_is_refused_with_the_names(window, messages):
    net = window.model.net
    assert not open_example(window, "nope")
    assert window.model.net is net
    assert "xor" in messages[-1][1]


def test_numbers_are_printed_in_cells_big_enough_and_can_be_turned_off(window, qtbot):
    open_example(window, "lecture")
    window.model.step()
    window.layer = 1
    window._show_layer()
    window.repaint()
    item = window.cell_numbers["z"]
    z = window.model.stepper.state.z[1]
    found = item.layout()
    assert found is not None   # a 3×1 z in a 1400×900 window has room
    font, texts = found
    assert texts == [f"{v:.3g}" if f"{v:.3g}" not in ("-0",) else "0" for v in z.ravel()]
    assert font.pointSizeF() >= 7
    window.cell_digit_actions[5].trigger()
    assert item.layout()[1][0] == f"{z[0, 0]:.5g}"
    window.cell_numbers_action.setChecked(False)
    assert item.layout() is None
    assert window.settings.get("cell_numbers") is False and window.settings.get("cell_digits") == 5


def test_numbers_are_not_printed_where_they_do_not_fit(window):
    window.model.select_sample(None)   # a batch of 32 columns: cells far too narrow
    window.model.step()
    window.layer = 1
    window._show_layer()
    assert window.cell_numbers["z"].layout() is None


def test_text_colour_contrasts_with_the_cell():
    from gui.cell_numbers import text_color
    assert text_color((33, 81, 219)).name() == "#ffffff"    # dark blue end of the map
    assert text_color((255, 255, 255)).name() == "#000000"  # zero is white
    assert text_color((192, 2, 6)).name() == "#ffffff"      # dark red end


def test_copying_a_matrix_puts_it_on_the_clipboard_in_each_format(window):
    window.layer = 1
    window._show_layer()
    W = window.model.net.params()[0][0]
    clip = QGuiApplication.clipboard()
    assert copy_matrix(window, "W", "csv")
    assert np.array_equal(np.loadtxt(io.StringIO(clip.text()), delimiter=","), W)
    assert copy_matrix(window, "W", "numpy")
    assert np.array_equal(eval(clip.text(), {"np": np}), W)
    assert copy_matrix(window, "W", "latex")
    assert clip.text().startswith("W_{1} = \\begin{bmatrix}") and clip.text().count("\\\\") == 7
    assert copy_matrix(window, "W", "markdown")
    assert len(clip.text().splitlines()) == 2 + W.shape[0]
    clip.setText("untouched")
    assert not copy_matrix(window, "z", "csv")   # not computed yet: nothing copied
    assert clip.text() == "untouched"


def test_the_right_click_menu_offers_the_formats_and_the_equation(window):
    from gui.teaching_menus import copy_menu
    menu = copy_menu(window, "b")
    texts = [a.text() for a in menu.actions() if a.text()]
    assert window.matrices.layer == 3   # the default network's output layer is shown
    assert texts[:4] == ["Copy b₃ as LaTeX bmatrix", "Copy b₃ as Markdown table",
                         "Copy b₃ as CSV", "Copy b₃ as NumPy literal"]
    assert texts[-1] == "Copy equation as LaTeX"
    menu.deleteLater()


def test_copy_equation_writes_the_step_with_its_numbers(window):
    clip = QGuiApplication.clipboard()
    clip.setText("untouched")
    assert not copy_equation(window)   # no step yet
    assert clip.text() == "untouched"
    window.model.step()
    assert copy_equation(window)
    text = clip.text()
    assert "z_{1}=W_{1}\\,a_{0}+b_{1}" in text and text.count("\\begin{bmatrix}") == 4
    assert text.isascii()


@pytest.mark.parametrize("ext", [".html", ".md", ".tex", ".json"])
def test_export_pass_writes_the_pass_now_loaded(window, tmp_path, ext):
    open_example(window, "xor")
    m = window.model
    m.step()
    m.set_param("W", 2, 0, 1, 7.0)   # an edited weight is what the document shows
    path = tmp_path / f"pass{ext}"
    assert export_pass(window, str(path))
    text = path.read_text(encoding="utf-8")
    if ext == ".json":
        key = json.loads(text)
        assert key["network"]["layers"][1]["W"][0][1] == 7.0
        X = np.array(key["X"])
        assert np.array_equal(X, m.stepper.X)
        W1 = np.array(key["network"]["layers"][0]["W"])
        b1 = np.array(key["network"]["layers"][0]["b"])[:, None]
        assert np.allclose(key["layers"][0]["z"], W1 @ X + b1, rtol=1e-14, atol=0)
        assert "XOR" in key["title"]
    else:
        assert "XOR" in text


def test_export_pass_to_an_unknown_type_says_so_and_writes_nothing(window, tmp_path, messages):
    assert not export_pass(window, str(tmp_path / "pass.docx"))
    assert "unknown file type" in messages[-1][1]
    assert not (tmp_path / "pass.docx").exists()


def _run_main(args):
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_main_example_unknown_name_is_one_line_and_exit_2():
    r = _run_main(["--example", "nope", "--screenshot", "x.png"])
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and all(n in lines[0] for n in example_names())


def test_main_example_with_a_file_is_refused(tmp_path):
    spec = tmp_path / "net.json"
    spec.write_text("{}")
    r = _run_main(["--example", "xor", str(spec)])
    assert r.returncode == 2 and "not both" in r.stderr


@pytest.mark.slow
def test_main_example_screenshot_opens_the_example(tmp_path):
    out = tmp_path / "xor.png"
    r = _run_main(["--example", "xor", "--screenshot", str(out), "--size", "1280x720",
                   "--presentation", "--steps", "5"])
    assert r.returncode == 0, r.stderr
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1280, 720)


def test_typed_samples_become_the_data_and_the_weights_stay(window):
    from gui.teaching_menus import open_sample_table
    m = window.model
    W = m.net.params()[0][0]
    table = open_sample_table(window)
    assert table.table.rowCount() == 1   # starts from the sample being stepped
    assert float(table.table.item(0, 0).text()) == pytest.approx(m.stepper.X[0, 0])
    assert table.paste("x1\tx2\ty\n0,5\t-1\t1\n0,25\t2\t0\n")
    assert table.use()
    assert m.dataset.name == "typed samples" and m.n_samples == 2
    assert np.array_equal(m.dataset.X, [[0.5, 0.25], [-1.0, 2.0]])
    assert np.array_equal(m.dataset.Y, [[1.0, 0.0]])
    assert m.net.params()[0][0] is not None and np.array_equal(m.net.params()[0][0], W)
    m.step()
    W1, b1 = m.net.params()[0]
    assert np.allclose(m.stepper.state.z[1], W1 @ m.dataset.X[:, [0]] + b1)
    assert drawn_state_problems(window) == []
    table.close()


def test_a_pasted_table_of_the_wrong_width_is_refused_with_a_message(window, messages):
    from gui.teaching_menus import open_sample_table
    ds = window.model.dataset
    table = open_sample_table(window)
    before = table.text()
    assert not table.paste("1\t2\t3\t4\n")
    assert "row 1 has 4 values but each sample needs 3" in table.problem.text()
    assert table.text() == before and window.model.dataset is ds
    table.table.item(0, 1).setText("abc")
    assert not table.use()
    assert "'abc': not a number" in table.problem.text() and window.model.dataset is ds
    assert not messages
    table.close()
