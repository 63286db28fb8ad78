"""The note of a worked example, in a dock beside the network: what to look at, and the source.

Not a dialog: the note stays readable while the student steps the pass.
"""

from __future__ import annotations

import html

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QDockWidget, QTextBrowser

from engine.examples import load_example

from . import style


class ExampleNote(QDockWidget):
    """A dock with the example's title, note and source."""

    def __init__(self, win) -> None:
        super().__init__("Example", win)
        self.setObjectName("dock_example")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)   # no network from the app
        self.browser.setFont(style.font(1.0))
        self.setWidget(self.browser)
        self.ex = None
        self.wanted = False   # shown since an example was opened (and not closed)
        self.title = self.note = self.source = ""

    def show_example(self, ex, title: str, note: str, source: str) -> None:
        self.ex, self.title, self.note, self.source = ex, title, note, source
        self.browser.setHtml(
            f"<h3>{html.escape(title)}</h3><p>{html.escape(note)}</p>"
            + (f'<p style="color:{style.MUTED}"><i>Source:</i> {html.escape(source)}</p>'
               if source else ""))

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.wanted = False   # closed by the user: leaving presentation mode keeps it closed
        super().closeEvent(event)

    def matches(self, model) -> bool:
        """Whether the model still holds the example this note is about."""
        return self.ex is not None and model.ex is self.ex

    def texts(self) -> tuple[str, str, str]:
        return self.title, self.note, self.source


def show_example_note(win, name: str) -> ExampleNote:
    """Show the note of example ``name`` (just opened) in the window's example dock."""
    example = load_example(name)
    note = getattr(win, "example_note", None)
    if note is None:
        note = ExampleNote(win)
        win.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, note)
        win.tabifyDockWidget(win.editor_dock, note)   # the editor's room: one tab away
        win.example_note = note
        # Presentation mode hides the docks: this one too, and brings it back after.
        win.presentation_action.toggled.connect(
            lambda on: note.setVisible(not on and note.wanted))
    note.show_example(win.model.ex, example.title, example.note, example.source)
    note.wanted = True
    note.setVisible(not win.presentation_action.isChecked())
    note.raise_()
    return note
