"""A number typed by hand into a cell: ``0.5``, ``-.3``, ``1e-3`` or a decimal comma ``0,25``.

Python's ``float()`` alone accepts more than a person means (``1_000``, ``nan``,
``inf``, ``infinity``) and refuses the decimal comma of half the world's keyboards,
so typed text goes through one pattern first and a refusal says why.
"""

from __future__ import annotations

import math
import re

# sign, digits with at most one decimal point or comma, an optional exponent
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def parse_number(text: str) -> float:
    """The value of a typed number; ``ValueError`` saying why the text is not one.

    Accepts ``0.5``, ``-.3``, ``+2``, ``1e-3``, ``0,25`` (a decimal comma) and the
    typographic minus ``−``; surrounding spaces are ignored.  Refuses everything
    else, including thousands separators (``1,000.5``), ``nan``, ``inf`` and numbers
    too large for a float.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected text, got {type(text).__name__}")
    t = text.strip().replace("\u2212", "-")
    if not t:
        raise ValueError("type a number, e.g. 0.5, -.3, 1e-3 or 0,25")
    if not _NUMBER.fullmatch(t):
        if t.count(",") + t.count(".") > 1:
            why = "use one decimal point or comma, no thousands separators"
        elif t.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            why = "a weight must be a finite number"
        else:
            why = "not a number; type e.g. 0.5, -.3, 1e-3 or 0,25"
        raise ValueError(f"{text.strip()!r}: {why}")
    value = float(t.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()!r} is too large for a number here")
    return value
