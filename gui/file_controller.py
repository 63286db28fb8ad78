"""The File menu: sessions, network specs, CSV import, recent files, crash recovery.

The controller owns no experiment state: it asks the window for a Session
(``get_session``) and hands loaded ones back (``set_session``).  Every file
problem becomes a message box naming it; the current work is never touched
before a file has been read and verified completely.  Dialogs go through the
``_ask_*`` / ``_show_error`` methods so tests can replace them.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QEvent, QObject, QSettings, QStandardPaths, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QGuiApplication, QKeySequence
from PyQt6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from engine.csv_data import CsvData
from engine.fileio import BadFileError, load_spec_file, save_spec_file
from engine.session import EXTENSION, Session, load_session, save_session

from . import messages

SESSION_FILTER = f"Backprop Lens sessions (*{EXTENSION});;All files (*)"
SPEC_FILTER = "Network specs (*.json);;All files (*)"
CSV_FILTER = "CSV files (*.csv *.txt);;All files (*)"
MAX_RECENT = 8
RECOVERY_INTERVAL_MS = 60_000
RECOVERY_NAME = "recovery" + EXTENSION


class FileController(QObject):
    """Gives a main window its File menu; see the module docstring."""

    dirty_changed = pyqtSignal(bool)
    file_changed = pyqtSignal(str)        # the current session path ("" for none)

    def __init__(self, window: QMainWindow, get_session: Callable[[], Session],
                 set_session: Callable[[Session], Any], get_spec: Callable[[], dict],
                 set_spec: Callable[[dict, str], Any], import_csv: Callable[[Any], Any], *,
                 settings: QSettings | None = None, recovery_dir: str | None = None,
                 recovery_interval_ms: int = RECOVERY_INTERVAL_MS,
                 work_token: Callable[[], tuple] | None = None) -> None:
        super().__init__(window)
        self.window = window
        # What the work is now, for mark_changed (see there); None: every change counts.
        self.work_token = work_token
        self._clean_token = work_token() if work_token is not None else None
        self.get_session, self.set_session = get_session, set_session
        self.get_spec, self.set_spec, self.import_csv = get_spec, set_spec, import_csv
        if settings is None:
            # The window's own settings (tests and screenshots give it a throw-away ini).
            app_settings = getattr(window, "settings", None)
            settings = getattr(app_settings, "q", None)
            if not isinstance(settings, QSettings):
                from .settings import make_qsettings
                settings = make_qsettings()
        self.settings = settings
        if recovery_dir is None:
            if settings.format() == QSettings.Format.IniFormat:
                # An explicit ini file: keep the recovery copy beside it, away from the user's.
                recovery_dir = str(Path(settings.fileName()).parent)
            else:
                recovery_dir = QStandardPaths.writableLocation(
                    QStandardPaths.StandardLocation.AppDataLocation)
        self.recovery_path = Path(recovery_dir) / RECOVERY_NAME
        self.path: str | None = None
        self.save_override: Callable[[], bool] | None = None   # e.g. an open exercise's save
        self._dirty = False
        self._loading = False
        self._closing = False
        self.recent_menu: QMenu | None = None
        self.actions: dict[str, QAction] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(recovery_interval_ms)
        self.timer.timeout.connect(self.write_recovery)
        # The timer runs only while there are unsaved changes, and stops when the window
        # receives its close event (before the window's own closeEvent runs).
        window.installEventFilter(self)

    # -- menu -------------------------------------------------------------------------
    def build_menu(self, menu: QMenu) -> None:
        """Add the file actions (with the platform's standard shortcuts) to ``menu``."""
        def add(key: str, text: str, slot: Callable[[], Any], shortcut: Any = None) -> None:
            act = QAction(text, menu)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(lambda _checked=False: slot())
            menu.addAction(act)
            self.actions[key] = act

        sk = QKeySequence.StandardKey
        add("open", "&Open…", self.open, sk.Open)
        self.recent_menu = menu.addMenu("Open &Recent")
        assert self.recent_menu is not None
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._fill_recent()
        add("save", "&Save", self.save, sk.Save)
        add("save_as", "Save &As…", self.save_as, sk.SaveAs)
        menu.addSeparator()
        add("open_spec", "Open Network &Spec…", self.open_spec, "Ctrl+Shift+O")
        add("save_spec", "Save Network Spec…", self.save_spec, "Ctrl+Alt+S")
        add("import_csv", "&Import CSV…", self.import_csv_file, "Ctrl+I")

    def _fill_recent(self) -> None:
        menu = self.recent_menu
        if menu is None:
            return
        menu.clear()
        files = self.recent_files()
        for path in files:
            act = menu.addAction(path)
            assert act is not None
            act.triggered.connect(lambda _checked=False, p=path: self.open(p))
        if not files:
            empty = menu.addAction("(none)")
            assert empty is not None
            empty.setEnabled(False)

    # -- recent files -------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value("files/recent", [])
        if isinstance(value, str):  # QSettings returns a single-item list as a str
            value = [value]
        return [str(v) for v in value or []][:MAX_RECENT]

    def _remember(self, path: str) -> None:
        path = os.path.abspath(path)
        files = [path] + [f for f in self.recent_files() if f != path]
        self.settings.setValue("files/recent", files[:MAX_RECENT])

    def _forget(self, path: str) -> None:
        self.settings.setValue("files/recent", [f for f in self.recent_files() if f != path])

    # -- dirty state ----------------------------------------------------------------------
    @property
    def is_dirty(self) -> bool:
        return self._dirty

    def mark_dirty(self, *_: Any) -> None:
        """Slot for any change of the work (arguments ignored)."""
        if not self._loading:
            self._set_dirty(True)

    def mark_changed(self, *_: Any) -> None:
        """Slot for a change that may be navigation only (stepping within a pass).

        Dirty only when ``work_token()`` differs from the token when the work was
        last saved or opened: stepping through z, a, δ leaves the weights alone, and
        closing after that asked to save. An update step, training, a reset or a new
        network changes the token.
        """
        if self._loading or self._dirty:   # dirty stays dirty until a save: no token needed
            return
        if self.work_token is None or not _same_work(self.work_token(), self._clean_token):
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        if not dirty and self.work_token is not None:
            self._clean_token = self.work_token()   # saved or opened: this is the clean work
        if dirty != self._dirty:
            self._dirty = dirty
            if dirty and not self._closing:
                self.timer.start()
            else:
                self.timer.stop()
            if "[*]" in self.window.windowTitle():
                self.window.setWindowModified(dirty)
            self.dirty_changed.emit(dirty)

    def maybe_save(self) -> bool:
        """Ask Save / Discard / Cancel when dirty; True means it is fine to close."""
        if self._dirty:
            answer = self._ask_save_discard_cancel()
            if answer == "cancel" or (answer == "save" and not self.save()):
                self._closing = False
                if self._dirty:
                    self.timer.start()  # closing was cancelled: keep protecting the work
                return False
        self.discard_recovery()
        self.timer.stop()
        return True

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:  # noqa: N802
        # The cycle collector can clear this object's attributes while Qt still calls it (a
        # dropped window and this filter in one cycle, the window's children being deleted).
        window = self.__dict__.get("window")
        if window is None:
            return False
        if obj is window and event is not None and event.type() == QEvent.Type.Close:
            self._closing = True  # changes made while shutting down start no new timer
            self.timer.stop()
        return False

    # -- sessions -----------------------------------------------------------------------
    def open(self, path: str | None = None) -> bool:
        """Open a session (asks for the path unless given); False if nothing changed."""
        if path is None:
            path = self._ask_open_path("Open session", SESSION_FILTER)
            if not path:
                return False
        elif not os.path.exists(path):
            self._forget(path)
            self._show_error("Cannot open session", f"{path}: no such file")
            return False
        if self._dirty and not self.maybe_save_before_replacing():
            return False
        try:
            session = load_session(path)
        except BadFileError as e:
            self._show_error("Cannot open session", str(e))
            return False
        if not self._apply(self.set_session, session):
            return False
        self._set_current(path)
        return True

    def start_untitled(self) -> None:
        """New work that is no file yet and nothing to lose (a worked example just opened)."""
        self.path = None
        self.file_changed.emit("")
        self._set_dirty(False)

    def maybe_save_before_replacing(self) -> bool:
        answer = self._ask_save_discard_cancel()
        return answer == "discard" or (answer == "save" and self.save())

    def save(self) -> bool:
        """Save to the current file, or ask for one (an open exercise saves itself)."""
        if self.save_override is not None:
            return bool(self.save_override())
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        path = self._ask_save_path("Save session as", SESSION_FILTER,
                                   self.path or f"untitled{EXTENSION}")
        if not path:
            return False
        if not Path(path).suffix:
            path += EXTENSION
        return self._write(path)

    def _write(self, path: str) -> bool:
        try:
            save_session(path, self.get_session())
        except (BadFileError, OSError) as e:
            self._show_error("Cannot save session", str(e))
            return False
        self._set_current(path)
        return True

    def _set_current(self, path: str) -> None:
        self.path = path
        self._remember(path)
        self._set_dirty(False)
        self.file_changed.emit(path)

    def _apply(self, setter: Callable[[Any], Any], value: Any) -> bool:
        """Call a window setter; its own errors are reported by the window (returns False)."""
        self._loading = True
        try:
            ok = setter(value)
        except (ValueError, TypeError, KeyError) as e:
            self._show_error("Cannot use the file", str(e))
            return False
        finally:
            self._loading = False
        self._closing = False
        return ok is not False

    # -- network spec and CSV ------------------------------------------------------------
    def open_spec(self, path: str | None = None) -> bool:
        path = path or self._ask_open_path("Open network spec", SPEC_FILTER)
        if not path:
            return False
        try:
            spec = load_spec_file(path)
        except BadFileError as e:
            self._show_error("Cannot open network spec", str(e))
            return False
        if self._dirty and not self.maybe_save_before_replacing():
            return False
        if self._apply(lambda sp: self.set_spec(sp, os.path.basename(path)), spec):
            self._detach()
            return True
        return False

    def _detach(self) -> None:
        """The work is no longer the session file it came from: unsaved, and untitled."""
        self.path = None
        self.file_changed.emit("")
        self._set_dirty(True)

    def save_spec(self, path: str | None = None) -> bool:
        path = path or self._ask_save_path("Save network spec", SPEC_FILTER, "network.json")
        if not path:
            return False
        if not Path(path).suffix:
            path += ".json"
        try:
            save_spec_file(path, self.get_spec())
        except (BadFileError, OSError) as e:
            self._show_error("Cannot save network spec", str(e))
            return False
        return True

    def import_csv_file(self, path: str | None = None) -> bool:
        path = path or self._ask_open_path("Import CSV", CSV_FILTER)
        if not path:
            return False
        try:
            data = self._ask_csv_import(path)
        except BadFileError as e:
            self._show_error("Cannot import CSV", str(e))
            return False
        if data is None:
            return False
        if self._dirty and not self.maybe_save_before_replacing():
            return False
        if self._apply(self.import_csv, self.as_dataset(data)):
            self._detach()
            return True
        return False

    @staticmethod
    def as_dataset(data: CsvData) -> Any:
        """The engine Dataset the window's model expects for imported data."""
        from engine.datasets import Dataset
        return Dataset.from_arrays(data.X, data.Y, name=Path(data.path).name, kind=data.kind)

    # -- recovery -----------------------------------------------------------------------------
    def write_recovery(self) -> bool:
        """Write the recovery copy if there are unsaved changes (timer slot)."""
        if not self._dirty:
            return False
        try:
            self.recovery_path.parent.mkdir(parents=True, exist_ok=True)
            save_session(self.recovery_path, self.get_session())
        except (BadFileError, OSError, ValueError):
            return False  # a failed recovery copy must never disturb the user's work
        return True

    def discard_recovery(self) -> None:
        try:
            self.recovery_path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass

    def offer_recovery(self) -> bool:
        """At start-up: restore the recovery copy left by a crash, if the user wants it."""
        if not self.recovery_path.exists():
            return False
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.recovery_path.stat().st_mtime))
        answer = self._ask_yes_no("Restore unsaved work?",
                                  f"Backprop Lens did not close normally. Restore the unsaved "
                                  f"work from {when}?")
        if answer is None:  # nobody can answer (offscreen): keep the copy for a real start
            return False
        if not answer:
            self.discard_recovery()
            return False
        try:
            session = load_session(self.recovery_path)
        except BadFileError as e:
            self._show_error("Cannot restore", str(e))
            self.discard_recovery()
            return False
        if not self._apply(self.set_session, session):
            return False
        self.path = None
        self._set_dirty(True)  # restored work is not saved anywhere yet
        return True

    # -- dialogs (tests replace these) -----------------------------------------------------------
    @staticmethod
    def _interactive() -> bool:
        """False on the offscreen platform (screenshots, CI): a modal box there would hang."""
        return QGuiApplication.platformName() != "offscreen" and not messages.is_headless()

    def _ask_open_path(self, title: str, filt: str) -> str | None:
        if not self._interactive():
            return None
        path, _ = QFileDialog.getOpenFileName(self.window, title, self._folder(), filt)
        return path or None

    def _ask_save_path(self, title: str, filt: str, suggested: str) -> str | None:
        if not self._interactive():
            return None
        start = os.path.join(self._folder(), os.path.basename(suggested))
        path, _ = QFileDialog.getSaveFileName(self.window, title, start, filt)
        return path or None

    def _folder(self) -> str:
        files = self.recent_files()
        return os.path.dirname(self.path or (files[0] if files else "")) or os.getcwd()

    def _ask_save_discard_cancel(self) -> str:
        if not self._interactive():
            return "discard"  # the recovery copy is deleted only after this; nobody can see
        b = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.window, "Unsaved changes",
            f"Save the changes to {os.path.basename(self.path or 'this work')}?",
            b.Save | b.Discard | b.Cancel, b.Save)
        return {b.Save: "save", b.Discard: "discard"}.get(answer, "cancel")

    def _ask_yes_no(self, title: str, text: str) -> bool | None:
        if not self._interactive():
            return None
        b = QMessageBox.StandardButton
        return QMessageBox.question(self.window, title, text, b.Yes | b.No, b.Yes) == b.Yes

    def _show_error(self, title: str, text: str) -> None:
        if not self._interactive() and not messages.is_headless():
            print(f"backprop-lens: {title}: {text}", file=sys.stderr)
            return
        messages.warning(self.window, title, text)

    def _ask_csv_import(self, path: str) -> CsvData | None:
        """Show the import dialog; None if cancelled. BadFileError if unreadable."""
        from .csv_import_dialog import CsvImportDialog
        n_in = n_out = None
        try:
            spec = self.get_spec()
            n_in, n_out = int(spec["input_size"]), int(spec["layers"][-1]["units"])
        except (KeyError, IndexError, TypeError, ValueError):
            pass
        dlg = CsvImportDialog(path, n_in, n_out, self.window)
        try:
            return dlg.data if dlg.exec() else None
        finally:
            dlg.deleteLater()   # owned by the window: each import left a hidden dialog behind


def _same_work(a: tuple | None, b: tuple | None) -> bool:
    """Tokens are equal: objects by identity (the engine never changes an array in place),
    numbers by value."""
    if a is None or b is None or len(a) != len(b):
        return False
    return all(x is y or (isinstance(x, (int, float)) and x == y) for x, y in zip(a, b))
