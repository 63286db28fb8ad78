"""Practice and compare in the window: quiz mode, exercise files, runs side by side,
gradient health. One call from ``build_menus`` adds them all (``install``)."""

from __future__ import annotations

from typing import Any

from PyQt6.QtWidgets import QMenu


def _insert_before_export(file_menu: QMenu, export: Any, actions: list[Any]) -> None:
    """Put ``actions`` after the file controller's items, before "Export loss…"."""
    items = file_menu.actions()
    i = items.index(export) if export in items else len(items)
    # the separator in front of Export stays in front of it
    if i > 0 and items[i - 1].isSeparator():
        i -= 1
    before = items[i] if i < len(items) else None
    if before is None:
        file_menu.addSeparator()
        file_menu.addActions(actions)
        return
    file_menu.insertSeparator(before)
    file_menu.insertActions(before, actions)


def install(win: Any, file_menu: QMenu, view: QMenu, tools: QMenu) -> None:
    """Build the practice features and put their actions in the menus.

    Stores ``win.quiz_mode``, ``win.exercises``, ``win.health`` for tests.
    """
    from .compare_runs import open_compare
    from .exercise_mode import ExerciseMode
    from .health_dock import HealthDock
    from .quiz_mode import QuizMode

    win.quiz_mode = QuizMode(win)
    win.exercises = ExerciseMode(win, win.quiz_mode)
    win.health = HealthDock(win)
    _insert_before_export(file_menu, win.controls.export, win.exercises.actions())
    view.addAction(win.health.dock.toggleViewAction())
    view.addAction(win.exercises.dock.toggleViewAction())
    tools.addSeparator()
    win.quiz_mode.build_menu(tools)
    tools.addSeparator()
    win.compare_action = tools.addAction("Compare runs…")
    win.compare_action.setStatusTip("Train copies of this experiment from the same start, "
                                    "each with one thing changed, and overlay their losses")
    win.compare_action.triggered.connect(lambda _checked=False: open_compare(win))
