"""Import a training set from a CSV file.

Convention: numeric columns, an optional header row.  The first n_0 columns
are the inputs, the last n_L columns the targets.  For classification a
single integer label column (0..k-1) may stand in for the targets; it is
one-hot encoded (for one output unit, labels 0/1 are kept as one row).
Samples become columns: X is (n_0, N), Y is (n_L, N), as everywhere else.

Every problem is a ``BadFileError`` naming the file, the row (1-based, as a
spreadsheet shows it, the header counting as row 1) and the column.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .csv_fast import Progress, count_lines, read_numeric
from .datasets import class_labels
from .fileio import BadFileError, check_readable, read_bytes

MAX_CSV_BYTES = 500_000_000
MAX_COLUMNS = 100_000
Array = np.ndarray


@dataclass
class CsvData:
    """A data set read from a CSV file (samples are columns).

    ``mean``/``std`` are the (n_0, 1) standardisation of the inputs, or None;
    ``apply_standardization`` reapplies it to new inputs.
    """

    path: str
    X: Array
    Y: Array
    header: list[str] | None
    input_columns: list[int]           # 0-based column indices
    target_columns: list[int]
    label_column: int | None           # set when Y was one-hot encoded from labels
    labels: Array | None               # the integer labels, when a label column was read
    kind: str                          # "classification" | "regression"
    n_classes: int
    mean: Array | None = None
    std: Array | None = None

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[1])

    def apply_standardization(self, X: Array) -> Array:
        """(X − mean) / std with the stored statistics (X unchanged if none)."""
        if self.mean is None or self.std is None:
            return X
        return (X - self.mean) / self.std


@dataclass
class CsvPreview:
    """The first rows of a CSV as text, for the import dialog."""

    path: str
    header: list[str] | None
    rows: list[list[str]]
    n_columns: int
    n_rows: int                        # data rows in the whole file


def column_name(j: int, header: list[str] | None = None) -> str:
    """'column 3 (C)' or 'column 3 ("x2")' for the 0-based index j."""
    if header and j < len(header) and header[j]:
        return f'column {j + 1} ("{header[j]}")'
    letters, n = "", j + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"column {j + 1} ({letters})"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


Rows = list[tuple[int, list[str]]]  # (1-based row number, cells)


def _read_rows(path: str | os.PathLike[str]) -> tuple[list[str] | None, Rows]:
    """Header (or None) and the non-blank rows with their 1-based row numbers."""
    data = read_bytes(path, MAX_CSV_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BadFileError(path, f"is not UTF-8 text (byte {e.start + 1})") from None
    if "\x00" in text:
        raise BadFileError(path, "is a binary file, not CSV text")
    first = text.split("\n", 1)[0]
    delim = "," if "," in first else ";" if ";" in first else "\t" if "\t" in first else ","
    rows: Rows = []
    try:
        for i, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delim),
                                start=1):
            cells = [c.strip() for c in row]
            if not any(cells):
                continue  # blank line
            if len(cells) > MAX_COLUMNS:
                raise BadFileError(path, f"row {i}: more than {MAX_COLUMNS:,} columns")
            rows.append((i, cells))
    except csv.Error as e:
        raise BadFileError(path, f"not readable as CSV: {e}") from None
    header = None
    # A header row is one in which no cell is a number.
    if rows and not any(_is_number(c) for c in rows[0][1]):
        header = rows.pop(0)[1]
    return header, rows


class _Careful(Exception):
    """The fast reader met something only the careful reader can explain."""


@dataclass
class _Layout:
    """What the first line tells: delimiter, header, columns, where the data starts."""

    delim: str
    header: list[str] | None
    n_cols: int
    start: int                         # byte offset of the first data line


def _fast_layout(path: str | os.PathLike[str]) -> _Layout | None:
    """Delimiter and header from the first line, decided as ``_read_rows`` decides them;
    None when the careful reader should read the file (blank first line, quotes, …)."""
    with open(path, "rb") as f:
        head = f.readline(1 << 24)   # the first line only (read(n) would reserve n bytes)
    bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    end = head.find(b"\n", bom)
    if end < 0 or b'"' in head[bom:end] or b"\x00" in head[bom:end]:
        return None
    try:
        line = head[bom:end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    delim = "," if "," in line else ";" if ";" in line else "\t" if "\t" in line else ","
    cells = [c.strip() for c in next(csv.reader([line], delimiter=delim), [])]
    if not any(cells) or len(cells) > MAX_COLUMNS:
        return None
    if any(_is_number(c) for c in cells):
        return _Layout(delim, None, len(cells), bom)
    return _Layout(delim, cells, len(cells), end + 1)


def preview(path: str | os.PathLike[str], rows: int = 10) -> CsvPreview:
    """First ``rows`` data rows as text, with the header and the column count."""
    check_readable(path, MAX_CSV_BYTES)
    layout = _fast_layout(path)
    if layout is None:
        header, body = _read_rows(path)
        n_cols = len(header) if header is not None else (len(body[0][1]) if body else 0)
        return CsvPreview(str(path), header, [r for _, r in body[:rows]], n_cols, len(body))
    with open(path, "rb") as f:
        f.seek(layout.start)
        head = f.read(1 << 22).decode("utf-8", errors="replace")
    first = []
    for row in csv.reader((ln.rstrip("\r") for ln in head.split("\n")),
                          delimiter=layout.delim):
        cells = [c.strip() for c in row]
        if any(cells):
            first.append(cells)
        if len(first) == rows:
            break
    n_rows = count_lines(path, layout.start) - _blank_lines(path, layout)
    return CsvPreview(str(path), layout.header, first, layout.n_cols, n_rows)


def _blank_lines(path: str | os.PathLike[str], layout: _Layout) -> int:
    """Lines the careful reader skips (no cell with anything but spaces in it).

    Only lines that start with a space, a tab, a delimiter or the line end can be
    such; numpy finds those, Python looks at them (there are few)."""
    starts_blank = np.frombuffer(b" \t\r\n\x0b\x0c" + layout.delim.encode(), dtype=np.uint8)
    n = 0
    with open(path, "rb") as f:
        f.seek(layout.start)
        pending = b""
        while True:
            chunk = f.read(1 << 23)
            if not chunk and not pending:
                return n
            data = pending + chunk if chunk else pending + b"\n"   # a last line, unended
            cut = data.rfind(b"\n") + 1
            if cut == 0:   # no line ends in this chunk yet: read on
                pending = data
                continue
            b = np.frombuffer(data, dtype=np.uint8, count=cut)
            line_starts = np.concatenate(([0], np.flatnonzero(b[:-1] == 10) + 1))
            for i in np.flatnonzero(np.isin(b[line_starts], starts_blank)).tolist():
                s0 = int(line_starts[i])
                line = data[s0:data.index(b"\n", s0)].decode("utf-8", errors="replace")
                n += not any(c.strip() for c in line.split(layout.delim))
            pending = data[cut:]
            if not chunk:
                return n


def _parse(path: str | os.PathLike[str], header: list[str] | None,
           body: Rows) -> Array:
    """All cells as float64 (N, columns), refusing ragged rows, text, NaN, Inf."""
    if not body:
        raise BadFileError(path, "has no data rows")
    n_cols = len(header) if header is not None else len(body[0][1])
    first_row = 1 if header is not None else body[0][0]
    out = np.empty((len(body), n_cols))
    for r, (i, cells) in enumerate(body):
        if len(cells) != n_cols:
            raise BadFileError(path, f"row {i} has {len(cells)} columns, expected {n_cols} "
                                     f"as in row {first_row}")
        for j, cell in enumerate(cells):
            if not cell:
                raise BadFileError(path, f"row {i}, {column_name(j, header)}: empty cell")
            try:
                v = float(cell)
            except ValueError:
                raise BadFileError(path, f"row {i}, {column_name(j, header)}: "
                                         f"{cell[:40]!r} is not a number") from None
            if not math.isfinite(v):
                raise BadFileError(path, f"row {i}, {column_name(j, header)}: "
                                         f"{cell[:40]!r} is not a finite number")
            out[r, j] = v
    return out


def load_csv(path: str | os.PathLike[str], n_inputs: int | None = None,
             n_outputs: int | None = None, label_column: bool = False,
             n_classes: int | None = None, standardize: bool = False,
             progress: Progress | None = None) -> CsvData:
    """Read a CSV as (X, Y); see the module docstring for the convention.

    Parameters
    ----------
    n_inputs, n_outputs : int, optional
        n_0 and n_L of the network. Without ``n_inputs`` every column but the
        target columns is an input; ``n_outputs`` defaults to 1.
    label_column : bool
        The last column holds class labels 0..k−1, one-hot encoded into k rows
        (k = ``n_classes`` or ``n_outputs``, else max label + 1).  With one
        output unit the labels must be 0/1 and stay a single row.
    standardize : bool
        Scale each input to mean 0, std 1 (constant inputs are only centred).
    progress : callable, optional
        ``progress(bytes_read, bytes_total)`` while the file is parsed.

    Plain numeric files are parsed by ``engine.csv_fast`` (vectorised, the same
    float64 bits as ``float()``); anything else by the ``csv`` module, cell by
    cell, which names the row and column of any problem.

    Raises
    ------
    BadFileError
        Naming the file, the row and the column.
    """
    check_readable(path, MAX_CSV_BYTES)
    try:
        return _load(path, n_inputs, n_outputs, label_column, n_classes, standardize,
                     progress, fast=True)
    except _Careful:
        return _load(path, n_inputs, n_outputs, label_column, n_classes, standardize,
                     progress, fast=False)


def _cells_T(path: str | os.PathLike[str], fast: bool, progress: Progress | None
             ) -> tuple[list[str] | None, Rows | None, Array]:
    """Header, the rows as text (careful reader only) and all cells as (columns, N)."""
    layout = _fast_layout(path) if fast else None
    if layout is not None:
        MT = read_numeric(path, layout.start, layout.delim, layout.n_cols, progress)
        if MT is not None:
            return layout.header, None, MT
    header, body = _read_rows(path)
    M = _parse(path, header, body)
    if progress is not None:
        size = os.path.getsize(path)
        progress(size, size)
    return header, body, np.ascontiguousarray(M.T)


def _load(path: str | os.PathLike[str], n_inputs: int | None, n_outputs: int | None,
          label_column: bool, n_classes: int | None, standardize: bool,
          progress: Progress | None, fast: bool) -> CsvData:
    header, body, MT = _cells_T(path, fast, progress)
    n_cols = MT.shape[0]
    if label_column and n_classes is None:
        n_classes = n_outputs
    n_target_cols = 1 if label_column else (n_outputs if n_outputs is not None else 1)
    if n_inputs is None:
        n_inputs = n_cols - n_target_cols
    what = ("1 label column" if label_column
            else f"{n_target_cols} target column{'s' if n_target_cols != 1 else ''}")
    if n_inputs < 1:
        raise BadFileError(path, f"has only {n_cols} column{'s' if n_cols != 1 else ''}; "
                                 f"need at least 1 input column + {what}")
    if n_inputs + n_target_cols != n_cols:
        raise BadFileError(path, f"has {n_cols} columns but the network needs "
                                 f"{n_inputs} input column{'s' if n_inputs != 1 else ''} + "
                                 f"{what} = {n_inputs + n_target_cols}")
    inputs = list(range(n_inputs))
    targets = list(range(n_inputs, n_cols))
    X = MT[:n_inputs]   # rows of one (columns, N) array: no copy of the data
    labels = None
    if label_column:
        labels, Y, k = _one_hot(path, header, body, MT[-1], n_cols - 1, n_classes)
        kind = "classification"
    else:
        Y = MT[n_inputs:]
        k, kind = _infer_kind(Y)
    mean = std = None
    if standardize:
        mean = X.mean(axis=1, keepdims=True)
        std = X.std(axis=1, keepdims=True)
        std[std == 0] = 1.0  # a constant input is centred, not blown up
        X -= mean            # in place: X is ours (same arithmetic as (X − mean) / std)
        X /= std
    return CsvData(str(path), X, Y, header, inputs, targets,
                   n_cols - 1 if label_column else None, labels, kind, k, mean, std)


def _one_hot(path: Any, header: list[str] | None, body: Rows | None,
             col: Array, j: int, n_classes: int | None) -> tuple[Array, Array, int]:
    """Labels (N,), the one-hot targets (k, N) and k."""
    bad = np.flatnonzero(col != np.round(col))
    if bad.size:
        if body is None:
            raise _Careful   # the message quotes the cell's text: the careful reader has it
        i = bad[0]
        raise BadFileError(path, f"row {body[i][0]}, {column_name(j, header)}: label "
                                 f"{body[i][1][j]!r} is not a whole number")
    labels = col.astype(np.int64)
    k = int(n_classes) if n_classes is not None else int(labels.max()) + 1
    hi = 1 if k == 1 else k - 1  # one output unit: binary 0/1 in a single row
    out = np.flatnonzero((labels < 0) | (labels > hi))
    if out.size:
        if body is None:
            raise _Careful
        i = out[0]
        raise BadFileError(path, f"row {body[i][0]}, {column_name(j, header)}: label "
                                 f"{labels[i]} is out of range 0..{hi}")
    if k == 1:
        return labels, labels.astype(np.float64).reshape(1, -1), 2
    Y = np.zeros((k, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return labels, Y, k


def _infer_kind(Y: Array) -> tuple[int, str]:
    """Classification when Y is one-hot or a single 0/1 row, else regression."""
    if class_labels(Y) is None:
        return 0, "regression"
    return max(2, int(Y.shape[0])), "classification"
