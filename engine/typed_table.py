"""Samples typed or pasted by hand: rows of x₁…x_n then y₁…y_m, one sample per row.

A spreadsheet copies cells separated by tabs; a CSV uses commas, or semicolons
where the comma is the decimal separator.  Each cell goes through
``parse_number`` (so ``0,5`` is a half in a tab- or semicolon-separated table).
A first row that is not numbers (``x1, x2, y``) is taken as a header and skipped.
"""

from __future__ import annotations

import numpy as np

from .typed_number import parse_number

MAX_ROWS = 10_000   # by hand: more than this is a file (File → Import CSV)


def split_row(line: str) -> list[str]:
    """The cells of one row: split at tabs, else semicolons, else commas."""
    for sep in ("\t", ";", ","):
        if sep in line:
            return [c.strip() for c in line.split(sep)]
    return line.split()


def parse_table(text: str, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y) of shapes (n_in, N) and (n_out, N) from rows of ``n_in + n_out`` numbers.

    Raises
    ------
    ValueError
        Naming the first row (counted from 1 as shown) that has the wrong number of
        values or a cell that is not a number; for no rows at all; for too many rows.
    """
    width = n_in + n_out
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    rows: list[list[float]] = []
    for k, (n, line) in enumerate(lines):
        cells = split_row(line)
        if len(cells) != width:
            raise ValueError(f"row {n} has {len(cells)} value{'s' if len(cells) != 1 else ''} "
                             f"but each sample needs {width}: {n_in} input"
                             f"{'s' if n_in != 1 else ''} x and {n_out} target"
                             f"{'s' if n_out != 1 else ''} y")
        try:
            rows.append([parse_number(c) for c in cells])
        except ValueError as e:
            if k == 0 and not any(_is_number(c) for c in cells):
                continue   # a header row such as "x1  x2  y"
            raise ValueError(f"row {n}: {e}") from None
    if not rows:
        raise ValueError("no samples: type or paste at least one row of numbers")
    if len(rows) > MAX_ROWS:
        raise ValueError(f"{len(rows)} rows is more than {MAX_ROWS}; import such data as a "
                         "CSV file instead")
    M = np.array(rows, dtype=np.float64).T
    return M[:n_in], M[n_in:]


def _is_number(cell: str) -> bool:
    try:
        parse_number(cell)
    except ValueError:
        return False
    return True
