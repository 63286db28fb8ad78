"""Menus of the teaching kit: File → Examples and Export pass…, View → numbers in the cells,
and the heatmaps' right-click menu (copy a matrix, copy the step's equation).

The engine makes every text (engine.handout, engine.walkthrough); this module only
asks for files, puts text on the clipboard and shows what went wrong.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QActionGroup, QCursor, QGuiApplication
from PyQt6.QtWidgets import QFileDialog, QMenu

from engine.examples import list_examples
from engine.experiment import Experiment
from engine.fileio import BadFileError
from engine.handout import write_handout
from engine.handout.matrix_text import matrix_text, step_latex

from .cell_numbers import DIGITS_RANGE, CellNumberOptions, CellNumbers
from .example_note import show_example_note
from .messages import message
from .qt_typed import add_action, checkable_action, clipboard
from .style import diverging_cmap

EXPORT_FILTER = ("HTML handout (*.html);;Markdown (*.md);;LaTeX document (*.tex);;"
                 "JSON answer key (*.json)")
COPY_ITEMS = (("LaTeX bmatrix", "latex"), ("Markdown table", "markdown"), ("CSV", "csv"),
              ("NumPy literal", "numpy"))


def _find(menu: QMenu, text: str) -> QAction | None:
    return next((a for a in menu.actions() if a.text().replace("&", "") == text), None)


def install(win) -> None:
    """File → Examples, Export pass…; View → numbers in cells; the heatmaps' copy menu."""
    file_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&File")
    quit_action = _find(file_menu, "Quit")
    examples = QMenu("&Examples", win)
    win.example_actions = {}
    for name, title in list_examples():
        a = add_action(examples, title)
        a.triggered.connect(lambda _on=False, n=name: open_example(win, n))
        win.example_actions[name] = a
    file_menu.insertMenu(quit_action, examples)
    win.type_samples_action = QAction("&Type samples…", win)
    win.type_samples_action.setStatusTip("Type or paste a few samples by hand; they become the "
                                         "data set")
    win.type_samples_action.triggered.connect(lambda _on=False: open_sample_table(win))
    file_menu.insertAction(quit_action, win.type_samples_action)
    win.export_pass_action = QAction("Export &pass…", win)
    win.export_pass_action.setStatusTip("The pass now loaded, every step with its numbers, as "
                                        "an HTML/Markdown/LaTeX handout or a JSON answer key")
    win.export_pass_action.triggered.connect(lambda _on=False: export_pass(win))
    file_menu.insertAction(quit_action, win.export_pass_action)
    file_menu.insertSeparator(quit_action)
    _install_cell_numbers(win)
    win.matrices.graphics.scene().sigMouseClicked.connect(lambda ev: _on_right_click(win, ev))


# -- worked examples -------------------------------------------------------------------------
def open_example(win, name: str) -> bool:
    """Open a worked example (asking to save unsaved work first) and show its note."""
    fc = win.file_controller
    if fc.is_dirty and not fc.maybe_save_before_replacing():
        return False
    try:
        ex = Experiment.from_example(name)
    except (ValueError, BadFileError) as e:
        message(win, "Cannot open the example", str(e))
        return False
    if not win.model.replace_experiment(ex):
        return False
    fc.start_untitled()
    show_example_note(win, name)
    return True


def open_sample_table(win):
    """The sample table for the current network's sizes (not modal: step while it is open)."""
    from .sample_table import SampleTable
    table = SampleTable(win.model, win)
    table.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    table.show()
    win.sample_table = table
    return table


# -- the pass as a document --------------------------------------------------------------------
def export_pass(win, path: str | None = None) -> bool:
    """Write the pass now loaded to ``path`` (asks when None); the extension picks the format."""
    if path is None:
        if QGuiApplication.platformName() == "offscreen":
            return False   # nobody could answer a file dialog
        path, _flt = QFileDialog.getSaveFileName(win, "Export pass",
                                                 str(Path.home() / "pass.html"), EXPORT_FILTER)
        if not path:
            return False
        if not Path(path).suffix:
            path += ".html"
    note = getattr(win, "example_note", None)
    title, text, source = note.texts() if note is not None and note.matches(win.model) \
        else ("", "", "")
    try:
        w = win.model.ex.walk_current_pass(title, text, source)
        fmt = write_handout(path, w)
    except (ValueError, OSError, BadFileError) as e:
        message(win, "Export failed", str(e))
        return False
    win.status.showMessage(f"pass written to {path} ({fmt})", 6000)
    return True


# -- numbers in the cells ----------------------------------------------------------------------
def _install_cell_numbers(win) -> None:
    s = win.settings
    digits = s.get("cell_digits")
    win.cell_number_options = opts = CellNumberOptions(
        s.get("cell_numbers"), digits if DIGITS_RANGE[0] <= digits <= DIGITS_RANGE[1] else 3)
    cmap = diverging_cmap()
    win.cell_numbers = {key: CellNumbers(hm, cmap, opts)
                        for key, hm in win.matrices.heatmaps().items()}
    view = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    first = view.actions()[2] if len(view.actions()) > 2 else None   # after presentation/follow
    toggle = checkable_action("Numbers in cells", win)
    toggle.setChecked(opts.enabled)
    toggle.setStatusTip("Print each value in its cell when the cells are big enough")

    def show_numbers(on: bool) -> None:
        opts.set_enabled(on)
        s.set("cell_numbers", bool(on))

    def set_digits(d: int) -> None:
        opts.set_digits(d)
        s.set("cell_digits", d)

    toggle.toggled.connect(show_numbers)
    view.insertAction(first, toggle)
    digits_menu = QMenu("Digits in cells", win)
    group = QActionGroup(win)
    win.cell_digit_actions = {}
    for n in range(DIGITS_RANGE[0], DIGITS_RANGE[1] + 1):
        a = add_action(digits_menu, f"{n} significant digit{'s' if n > 1 else ''}")
        a.setCheckable(True)
        a.setChecked(n == opts.digits)
        a.triggered.connect(lambda _on=False, d=n: set_digits(d))
        group.addAction(a)
        win.cell_digit_actions[n] = a
    view.insertMenu(first, digits_menu)
    win.cell_numbers_action = toggle


# -- copying --------------------------------------------------------------------------------------
def _on_right_click(win, ev) -> None:
    if ev.button() != Qt.MouseButton.RightButton:
        return
    cell = win.matrices.cell_at(ev.scenePos())
    if cell is None:
        return
    copy_menu(win, cell[0]).popup(QCursor.pos())
    ev.accept()


def copy_menu(win, key: str) -> QMenu:
    """The right-click menu of heatmap ``key``: the matrix in four formats, the equation."""
    menu = QMenu(win)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    name = _symbol(win, key)
    for label, fmt in COPY_ITEMS:
        a = add_action(menu, f"Copy {name} as {label}")
        a.triggered.connect(lambda _on=False, f=fmt: copy_matrix(win, key, f))
    menu.addSeparator()
    a = add_action(menu, "Copy equation as LaTeX")
    a.triggered.connect(lambda _on=False: copy_equation(win))
    return menu


def _symbol(win, key: str) -> str:
    return win.matrices.slot_symbol(key)


def copy_matrix(win, key: str, fmt: str) -> bool:
    """Put heatmap ``key``'s matrix on the clipboard in ``fmt`` (see ``COPY_FORMATS``)."""
    values = win.matrices.image_data(key)
    if values is None:
        win.status.showMessage("That matrix is not computed yet: nothing to copy", 5000)
        return False
    text = matrix_text(values, fmt, win.cell_number_options.digits, _symbol(win, key))
    clipboard().setText(text)
    win.status.showMessage(f"{_symbol(win, key)} copied ({fmt})", 4000)
    return True


def copy_equation(win) -> bool:
    """Put the current step's equation with its numbers on the clipboard (LaTeX)."""
    try:
        text = step_latex(win.model.stepper, max(3, win.cell_number_options.digits))
    except ValueError as e:
        win.status.showMessage(str(e), 5000)
        return False
    clipboard().setText(text)
    win.status.showMessage("equation copied as LaTeX", 4000)
    return True
