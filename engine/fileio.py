"""Safe file writing and the network-spec JSON files.

Every file problem the project reports is a ``BadFileError`` whose message
names the file and what is wrong, so the CLI prints it as one line and the
GUI shows it in a message box.  Writes are atomic: a temporary file in the
same folder is filled, flushed, fsync'ed and renamed over the target, so a
crash or a full disk mid-write never destroys the previous file.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .spec import MAX_LAYERS, MAX_PARAMS, MAX_UNITS, validate_spec

# What the app saves it loads: a float64 is at most 24 characters of JSON
# ("-2.2250738585072014e-308") plus ", "; each W row costs a line; the rest is small.
MAX_SPEC_BYTES = 26 * MAX_PARAMS + 12 * MAX_LAYERS * MAX_UNITS + 1_000_000
_TEMP_RE = re.compile(r"^\.~bplens-(\d+)-")   # temp files of atomic_write_via, by writer pid
_UMASK_LOCK = threading.Lock()


class BadFileError(ValueError):
    """A file could not be read or written; the message names the file and the problem."""

    def __init__(self, path: str | os.PathLike[str] | None, problem: str):
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(problem if path is None else f"{path}: {problem}")


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; the one writer of every file the app writes.

    The guarantees (see ``atomic_write_via``, which does the work):

    * a temp file in the target's folder is filled, fsync'ed and renamed over the
      target, so a crash or a full disk never leaves a half-written file, and the
      temp file is removed on every failure path;
    * a symlink is written *through*: its real target gets the new contents and the
      link stays a link;
    * devices, FIFOs and sockets are refused (never replaced by a regular file);
      so is a file without any write permission bit (e.g. mode 0444);
    * an existing file keeps its permission bits (and, when allowed, its owner);
      a new file gets ``0o666 & ~umask``, as ``open()`` would give it;
    * a hard-linked file is *replaced*: the path gets a new inode with the new
      contents and the other links keep the old contents.  Rewriting the inode in
      place would keep the links in sync but gives up atomicity (a crash mid-write
      would damage every link), and a save that can destroy work is the worse
      surprise;
    * temp files left by a killed save (named with the writer's process id) are
      removed by the next save into the same folder once that process is gone.

    Raises
    ------
    BadFileError
        Naming the file and the problem; the old file, if any, is untouched.
    """
    def write(tmp: str) -> None:
        with open(tmp, "wb") as f:
            f.write(data)

    atomic_write_via(path, write, allow_empty=True)


def _umask() -> int:
    with _UMASK_LOCK:  # reading the umask means setting it: keep threads out meanwhile
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def special_file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def writable_target(path: str | os.PathLike[str]) -> tuple[str, os.stat_result | None]:
    """Check that ``path`` can be written by ``atomic_write_bytes``; returns (real path, stat).

    Resolves symlinks to the file they point at, refuses special files, folders,
    read-only files and missing or unwritable folders with a message naming what
    is wrong.  Nothing is written; callers use it to refuse an output before long work.
    """
    real = os.path.realpath(os.fspath(path))
    shown = os.fspath(path) if real == os.path.abspath(path) else f"{os.fspath(path)} (-> {real})"
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise BadFileError(shown, f"cannot write: {e.strerror or e}") from None
    if st is not None:
        kind = special_file_kind(st.st_mode)
        if kind == "a folder":
            raise BadFileError(shown, "is a folder, not a file")
        if kind is not None:
            raise BadFileError(shown, f"is {kind}, not a regular file; refusing to replace it")
        if not st.st_mode & 0o222:
            raise BadFileError(shown, f"is read-only (mode {stat.S_IMODE(st.st_mode):04o}); "
                                      f"not replacing it")
    folder = os.path.dirname(real) or "."
    if not os.path.isdir(folder):
        raise BadFileError(shown, f"cannot write: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise BadFileError(shown, f"cannot write: the folder {folder} is not writable")
    return real, st


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, someone else's
        return True
    return True


def clean_stale_temps(folder: str) -> list[str]:
    """Remove temp files of saves killed midway (their writer's process is gone).

    Only regular files named like this module's temp files (``.~bplens-<pid>-…``)
    whose process id is not running are removed; returns their names.
    """
    removed: list[str] = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    for name in entries:
        m = _TEMP_RE.match(name)
        if m is None or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
            continue
        full = os.path.join(folder, name)
        try:
            if stat.S_ISREG(os.lstat(full).st_mode):  # never follow a link someone planted
                os.unlink(full)
                removed.append(name)
        except OSError:
            pass
    return removed


def atomic_write_via(path: str | os.PathLike[str], write: Callable[[str], None], *,
                     allow_empty: bool = False) -> None:
    """Let ``write(tmp)`` fill a temp file (same folder and extension), then rename it.

    For libraries that write to a path themselves (pyqtgraph exporters,
    ``QImage.save``): ``write`` must raise on failure.  The same guarantees as
    ``atomic_write_bytes``; an empty result is refused unless ``allow_empty``.
    """
    real, st = writable_target(path)
    folder = os.path.dirname(real) or "."
    clean_stale_temps(folder)
    base = os.path.basename(real)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".~bplens-{os.getpid()}-", suffix=f"-{base}",
                                   dir=folder)
        os.close(fd)
    except OSError as e:
        raise BadFileError(path, f"cannot create a file in the folder {folder}: "
                                 f"{e.strerror or e}") from None
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            size = os.fstat(f.fileno()).st_size
            if size == 0 and not allow_empty:
                raise BadFileError(path, "cannot write: the export produced an empty file")
            mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
            os.fchmod(f.fileno(), mode)
            if st is not None and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                try:
                    os.fchown(f.fileno(), st.st_uid, st.st_gid)
                except OSError:
                    pass  # not allowed (not root): the file becomes the writer's, as any save
            os.fsync(f.fileno())
        os.replace(tmp, real)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError) and not isinstance(e, BadFileError):
            raise BadFileError(path, f"cannot write: {e.strerror or e}") from None
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """``atomic_write_bytes`` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def check_readable(path: str | os.PathLike[str], limit: int | None = None) -> int:
    """Refuse what cannot be read as a whole file (missing, a folder, a FIFO…); its size.

    A FIFO or a device is refused before opening it: reading one could wait forever.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise BadFileError(path, "no such file") from None
    except OSError as e:
        raise BadFileError(path, f"cannot read: {e.strerror or e}") from None
    kind = special_file_kind(st.st_mode)
    if kind is not None:
        raise BadFileError(path, f"is {kind}, not a file" if kind == "a folder"
                           else f"is {kind}, not a regular file")
    if limit is not None and st.st_size > limit:
        raise BadFileError(path, f"is larger than the limit of {limit:,} bytes")
    return st.st_size


def read_bytes(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """Read a whole regular file, turning ``OSError`` into ``BadFileError``."""
    check_readable(path, limit)
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise BadFileError(path, "no such file") from None
    except OSError as e:
        raise BadFileError(path, f"cannot read: {e.strerror or e}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(path: str | os.PathLike[str], data: bytes) -> Any:
    """Parse JSON bytes; errors name the file, line and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BadFileError(path, f"is not UTF-8 text (byte {e.start + 1})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise BadFileError(path, f"invalid JSON at line {e.lineno}, column {e.colno}: "
                                 f"{e.msg}") from None
    except (ValueError, RecursionError) as e:
        raise BadFileError(path, f"invalid JSON: {e}") from None


def load_spec_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a network spec (JSON) and validate it; ``BadFileError`` on any problem."""
    spec = parse_json(path, read_bytes(path, MAX_SPEC_BYTES))
    check_spec(path, spec)
    assert isinstance(spec, dict)
    return spec


def check_spec(path: str | os.PathLike[str] | None, spec: Any) -> None:
    """Run the engine's spec validation, naming the file in the error."""
    try:
        validate_spec(spec)
    except (ValueError, TypeError, OverflowError, RecursionError) as e:
        raise BadFileError(path, f"bad network spec: {e}") from None


def spec_json_text(spec: dict[str, Any]) -> str:
    """The spec as indented JSON with one line per row of W.

    ``json.dumps(indent=2)`` put every number on a line of its own: a 16 M-weight
    network took 519 MB instead of ~ 330 MB.  Numbers are written as ``json`` writes
    them (``repr``: the shortest text that reads back to the same float64).
    """
    def dump(v: Any) -> str:
        if isinstance(v, np.ndarray):
            v = v.tolist()
        return json.dumps(v, allow_nan=False, ensure_ascii=False)

    def layer(ly: dict[str, Any]) -> str:
        out = []
        for k, v in ly.items():
            if k == "W" and isinstance(v, (list, np.ndarray)) and len(v):
                rows = ",\n        ".join(dump(row) for row in v)
                out.append(f'      "W": [\n        {rows}\n      ]')
            else:
                out.append(f"      {dump(k)}: {dump(v)}")
        return "    {\n" + ",\n".join(out) + "\n    }"

    top = []
    for k, v in spec.items():
        if k == "layers" and isinstance(v, list) and all(isinstance(ly, dict) for ly in v):
            top.append('  "layers": [\n' + ",\n".join(layer(ly) for ly in v) + "\n  ]")
        else:
            top.append(f"  {dump(k)}: {dump(v)}")
    return "{\n" + ",\n".join(top) + "\n}\n"


def save_spec_file(path: str | os.PathLike[str], spec: dict[str, Any]) -> None:
    """Validate and write a spec as indented JSON (atomically); refuse what would not load."""
    check_spec(path, spec)
    try:
        text = spec_json_text(spec)
    except (TypeError, ValueError) as e:
        raise BadFileError(path, f"cannot write the spec as JSON: {e}") from None
    data = text.encode("utf-8")
    if len(data) > MAX_SPEC_BYTES:
        raise BadFileError(path, f"cannot write the spec: it would be {len(data):,} bytes, "
                                 f"more than the {MAX_SPEC_BYTES:,} a spec file may have")
    atomic_write_bytes(path, data)
