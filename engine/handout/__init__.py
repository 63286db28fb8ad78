"""The whole pass as a document: HTML, Markdown, LaTeX, or a JSON answer key.

    w = walk_pass(net, X, Y, lr=0.5)           # engine.walkthrough
    text = render(w, "html", digits=4)          # or "md", "tex", "json"
    write_handout("pass.html", w)               # the format from the extension, written atomically
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from ..fileio import atomic_write_bytes
from ..walkthrough import Walkthrough, answer_key
from .common import DEFAULT_DIGITS, DIGITS_RANGE, check_digits
from .to_html import render_html
from .to_latex import render_latex
from .to_markdown import render_markdown

FORMATS = ("html", "md", "tex", "json")
EXTENSIONS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".tex": "tex",
              ".json": "json"}


def render_json(w: Walkthrough, digits: int = DEFAULT_DIGITS) -> str:
    """The answer key as JSON text; every float at full precision (``digits`` is unused)."""
    check_digits(digits)
    return json.dumps(answer_key(w), indent=1, allow_nan=False, ensure_ascii=False) + "\n"


_RENDERERS: dict[str, Callable[[Walkthrough, int], str]] = {
    "html": render_html, "md": render_markdown, "tex": render_latex, "json": render_json}


def format_for(path: str | os.PathLike[str]) -> str:
    """The format a file name asks for; ``ValueError`` naming the known extensions."""
    ext = Path(path).suffix.lower()
    if ext not in EXTENSIONS:
        raise ValueError(f"{path}: unknown file type {ext or '(none)'!r}; use "
                         f"{', '.join(sorted(set(EXTENSIONS)))}")
    return EXTENSIONS[ext]


def render(w: Walkthrough, fmt: str, digits: int = DEFAULT_DIGITS) -> str:
    """The pass as a document in one of ``FORMATS``."""
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return _RENDERERS[fmt](w, digits)


def write_handout(path: str | os.PathLike[str], w: Walkthrough,
                  digits: int = DEFAULT_DIGITS) -> str:
    """Write the document the extension of ``path`` names, atomically; returns the format."""
    fmt = format_for(path)
    atomic_write_bytes(path, render(w, fmt, digits).encode("utf-8"))
    return fmt


__all__ = ["DEFAULT_DIGITS", "DIGITS_RANGE", "EXTENSIONS", "FORMATS", "format_for", "render",
           "render_html", "render_json", "render_latex", "render_markdown", "write_handout"]
