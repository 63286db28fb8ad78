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
import tempfile
from pathlib import Path
from typing import Any

from .spec import validate_spec

MAX_SPEC_BYTES = 200_000_000  # a spec with 20 M parameters as JSON text is ~ 400 MB; refuse more


class BadFileError(ValueError):
    """A file could not be read or written; the message names the file and the problem."""

    def __init__(self, path: str | os.PathLike[str] | None, problem: str):
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(problem if path is None else f"{path}: {problem}")


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and ``os.replace``.

    On any exception the temp file is removed and the exception re-raised
    (``OSError`` becomes ``BadFileError``); the old file, if any, is untouched.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise BadFileError(path, "is a folder, not a file")
    if not folder.is_dir():
        raise BadFileError(path, f"cannot write: the folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise BadFileError(path, f"cannot write into the folder {folder}: "
                                 f"{e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError) and not isinstance(e, BadFileError):
            raise BadFileError(path, f"cannot write: {e.strerror or e}") from None
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """``atomic_write_bytes`` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def read_bytes(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """Read a whole file, turning ``OSError`` into ``BadFileError``."""
    p = Path(path)
    try:
        if p.is_dir():
            raise BadFileError(path, "is a folder, not a file")
        if limit is not None and p.stat().st_size > limit:
            raise BadFileError(path, f"is larger than the limit of {limit:,} bytes")
        return p.read_bytes()
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


def save_spec_file(path: str | os.PathLike[str], spec: dict[str, Any]) -> None:
    """Validate and write a spec as indented JSON (atomically)."""
    check_spec(path, spec)
    try:
        text = json.dumps(spec, indent=2, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise BadFileError(path, f"cannot write the spec as JSON: {e}") from None
    atomic_write_text(path, text + "\n")
