"""The teaching kit in the window: edit weights by clicking, undo/redo them, worked examples,
numbers in the cells, copying matrices and exporting the pass.

``install(win)`` adds it all to a built MainWindow (menus and mouse hooks), so the
window's own modules only call it once.
"""

from __future__ import annotations

from PyQt6.QtCore import QPoint, QRect, Qt
from PyQt6.QtGui import QAction, QActionGroup, QKeySequence
from PyQt6.QtWidgets import QMenu

from engine.formulas import sub

from .cell_editor import CellEditor
from .draw_data import DataDrawing
from .qt_typed import add_action, add_menu, checkable_action


def _menu(win, title: str) -> QMenu | None:
    for action in win.menuBar().actions():
        menu = action.menu()
        if menu is not None and action.text().replace("&", "") == title:
            return menu
    return None


def _action(parent, text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
    a = QAction(text, parent)
    if shortcut:
        a.setShortcut(QKeySequence(shortcut))
    if tip:
        a.setToolTip(tip)
        a.setStatusTip(tip)
    a.triggered.connect(lambda _checked=False: slot())
    return a


def install(win) -> None:
    """Add the teaching kit to ``win`` (a MainWindow whose menus are built)."""
    _install_editing(win)
    from . import teaching_menus
    teaching_menus.install(win)


# -- editing weights by clicking -------------------------------------------------------------
def _install_editing(win) -> None:
    bar = win.menuBar()
    edit = QMenu("&Edit", win)
    run = _menu(win, "Run")
    bar.insertMenu(run.menuAction(), edit) if run is not None else bar.addMenu(edit)
    win.undo_edit_action = _action(win, "Undo edit", lambda: _undo(win, True), "Ctrl+Z",
                                   "Take back the last weight typed or point drawn")
    win.redo_edit_action = _action(win, "Redo edit", lambda: _undo(win, False),
                                   "Ctrl+Shift+Z", "Make the last undone edit again")
    edit.addAction(win.undo_edit_action)
    edit.addAction(win.redo_edit_action)
    edit.addSeparator()
    hint = add_action(edit, "Double-click a cell of W or b, or an edge, to type a weight")
    hint.setEnabled(False)
    edit.addSeparator()
    win.hand_undo, win.hand_redo = [], []   # ("weight",) or ("data", before, after)
    win.drawing = DataDrawing(win)
    win.draw_action = checkable_action("Draw data points", win)
    win.draw_action.setStatusTip("In the data view (2 inputs): click adds a point of the "
                                 "chosen class, drag moves one, right-click deletes one")
    win.draw_action.toggled.connect(
        lambda on: win.drawing.set_enabled(on) or win.draw_action.setChecked(False))
    edit.addAction(win.draw_action)
    win.clear_drawing_action = add_action(edit, "Clear drawn points")
    win.clear_drawing_action.setStatusTip("Keep only the last point (a data set needs one); "
                                          "Ctrl+Z brings the others back")
    win.clear_drawing_action.triggered.connect(lambda _on=False: win.drawing.clear())
    classes = add_menu(edit, "Class of drawn points")
    classes.aboutToShow.connect(lambda: _fill_classes(win, classes))
    win.cell_editor = None
    win.matrices.graphics.scene().sigMouseClicked.connect(
        lambda ev: _on_matrix_clicked(win, ev))
    win.graph.graphics.scene().sigMouseClicked.connect(lambda ev: _on_graph_clicked(win, ev))


def _fill_classes(win, menu: QMenu) -> None:
    menu.clear()
    group = QActionGroup(menu)
    for c in range(max(2, win.model.dataset.output_size)):
        a = add_action(menu, f"class {c}")
        a.setCheckable(True)
        a.setChecked(c == win.drawing.cls)
        a.triggered.connect(lambda _on=False, k=c: setattr(win.drawing, "cls", k))
        group.addAction(a)


def _undo(win, undo: bool) -> None:
    """Ctrl+Z / Ctrl+Shift+Z: the last weight typed or point drawn, in the order made."""
    m = win.model
    stack, other = (win.hand_undo, win.hand_redo) if undo else (win.hand_redo, win.hand_undo)
    if stack and stack[-1][0] == "data":
        _kind, before, after = stack.pop()   # the drawing turned data set before into after
        now, then = (after, before) if undo else (before, after)
        if m.dataset is now and m.set_imported_dataset(then):
            other.append(("data", before, after))
        else:   # another data set was loaded since: that history no longer applies
            stack.clear()
            win.status.showMessage("The data changed since that drawing: nothing to "
                                   f"{'undo' if undo else 'redo'}", 5000)
        return
    if stack:
        stack.pop()
        other.append(("weight",))
    ok = m.undo_edit() if undo else m.redo_edit()
    if not ok:
        win.status.showMessage(f"Nothing to {'undo' if undo else 'redo'}", 4000)


def _on_matrix_clicked(win, ev) -> None:
    if not ev.double() or ev.button() != Qt.MouseButton.LeftButton:
        return
    cell = win.matrices.cell_at(ev.scenePos())
    if cell is None or cell[0] not in ("W", "b") or win.matrices.layer is None:
        return
    key, row, col = cell
    rect = win.matrices.cell_rect(key, row, col)
    open_editor(win, win.matrices.graphics.viewport(), rect, key, win.matrices.layer, row, col)
    ev.accept()


def _on_graph_clicked(win, ev) -> None:
    if not ev.double() or ev.button() != Qt.MouseButton.LeftButton:
        return
    edge = win.graph.edge_at(ev.scenePos())
    if edge is None:
        return
    layer, row, col = edge
    at = win.graph.graphics.mapFromScene(ev.scenePos())
    open_editor(win, win.graph.graphics.viewport(), QRect(at - QPoint(4, 4), at + QPoint(4, 4)),
                "W", layer, row, col)
    ev.accept()


def open_editor(win, parent, rect: QRect, quantity: str, layer: int, row: int, col: int
                ) -> CellEditor:
    """An inline editor for W_ℓ[row, col] or b_ℓ[row] over ``rect`` of ``parent``."""
    if win.cell_editor is not None:
        try:
            win.cell_editor.close_editor()
        except RuntimeError:   # already deleted by Qt
            pass
    W, b = win.model.net.params()[layer - 1]
    value = float((W if quantity == "W" else b)[row, col])
    what = f"{quantity}{sub(layer)}[{row}, {col}]"

    def set_value(x: float) -> bool:
        shown = win.layer
        ok = win.model.set_param(quantity, layer, row, col, x)
        if ok:
            win.hand_undo.append(("weight",))
            win.hand_redo.clear()
        if ok and win.layer != shown:   # redoing the steps followed the step: stay here
            win.layer = shown
            win._show_layer()
        if ok:
            win.status.showMessage(f"{what} = {x:g}: the pass was redone with it "
                                   "(Ctrl+Z undoes)", 6000)
        return ok

    win.cell_editor = CellEditor(parent, rect, value, what, set_value,
                                 getattr(win, "_font_scale", 1.0))
    return win.cell_editor
