"""A fast, exact reader for plain numeric CSV: numpy on the bytes, no Python per cell.

The file is read in chunks of whole lines; the cells of a chunk are located by
their separators and read right to left, one decimal place at a time, over
all cells at once, straight into one preallocated ``(columns, rows)`` array.
Memory is the result plus a few chunk-sized buffers, never a list per cell.

Exactness: a cell of at most 15 digits with an optional sign and decimal point
is ``m / 10**k`` with ``m < 2**53`` and ``k ≤ 15``: both are exact doubles and one
IEEE division rounds correctly (Clinger's fast path), so the result is bit for
bit ``float(cell)``.  Other cells (an exponent, more digits, spaces, ``\r``) go
through ``float()`` itself.  Whatever this reader does not understand (an empty
or non-numeric cell, a ragged row, a blank line, a quote) makes it return None,
and the careful reader (the ``csv`` module, cell by cell) reads the file and
names the problem, row and column, exactly as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import numpy as np

CHUNK_BYTES = 1 << 17       # whole lines per chunk: its arrays stay in the CPU caches
_POW10 = 10.0 ** np.arange(23)           # exact doubles: 10**22 is the largest
STAGE_ROWS = 1024           # rows written to the transposed result at a time
MAX_FAST_DIGITS = 15        # m < 10**15 < 2**53: exact as a double
Progress = Callable[[int, int], None]


def count_lines(path: str | os.PathLike[str], start: int) -> int:
    """Lines from byte ``start`` on (a last line without a newline counts)."""
    n, last = 0, b"\n"
    with open(path, "rb") as f:
        f.seek(start)
        while chunk := f.read(8 * CHUNK_BYTES):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (last != b"\n")


def parse_chunk(buf: bytes, delim: int, n_cols: int) -> np.ndarray | None:
    """The cells of whole lines ``buf`` (ending in a newline) as a (lines, n_cols) array.

    None when a line has another number of cells, or a cell is not a number
    that ``float()`` reads (the caller then lets the careful reader explain).
    """
    b = np.frombuffer(buf, dtype=np.uint8)
    ends = np.flatnonzero((b == delim) | (b == 10))   # every cell ends at a separator
    nl = np.flatnonzero(b == 10)
    n_lines = nl.size
    if ends.size != n_lines * n_cols or n_lines == 0:
        return None
    # Each line must end at its n_cols-th separator: no line may have more or fewer cells.
    if not np.array_equal(np.searchsorted(ends, nl), np.arange(n_cols - 1, ends.size, n_cols)):
        return None
    lens = np.diff(ends, prepend=-1)
    lens -= 1
    if (np.count_nonzero(b == 46) + np.count_nonzero(b == 45)) * 4 > ends.size:
        values, ok = _decimals(b, ends, lens)          # mostly decimals: skip a step
        rest = np.flatnonzero(~ok)
    else:
        values, other = _whole_numbers(b, ends, lens)
        rest = other
        if other.size:
            values[other], ok = _decimals(b, ends[other], lens[other])
            rest = other[~ok]
    if rest.size:
        sub = _one_by_one(buf, ends[rest], lens[rest])
        if sub is None:
            return None
        values[rest] = sub
    return values.reshape(n_lines, n_cols)


def _whole_numbers(b: np.ndarray, ends: np.ndarray, lens: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Cells of 1..15 plain digits, read right to left, one place at a time.

    Returns the values (exact: whole numbers < 10**15) and the indices of the
    other cells, whose values are to be filled in.  Place o only visits the cells
    with at least o characters, so short cells (a 0 pixel) cost one step.
    """
    d = np.take(b, ends - 1)
    d -= np.uint8(48)
    values = d.astype(np.float64)
    plain = d <= 9
    plain &= lens >= 1
    place = 10.0
    for o in range(2, int(min(lens.max(), MAX_FAST_DIGITS + 1)) + 1):
        sub = np.flatnonzero(lens >= o)
        d = np.take(b, ends[sub] - o)
        d -= np.uint8(48)
        values[sub] += d * place
        plain[sub[d > 9]] = False
        place *= 10.0
    plain &= lens <= MAX_FAST_DIGITS
    return values, np.flatnonzero(~plain)


def _decimals(b: np.ndarray, ends: np.ndarray, lens: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Cells like -12.5, +3, .25, 7.: m / 10**k with m < 10**15 (one correctly rounded
    division, as ``float()`` gives).  Returns the values and which cells were such."""
    first = np.take(b, ends - lens)
    neg = (first == 45) & (lens > 1)
    n_chars = lens - (neg | ((first == 43) & (lens > 1)))   # digits and the point
    W = int(min(lens.max(initial=0), MAX_FAST_DIGITS + 1))
    # Read the point as a 0 digit; raw < 10**15 stays exact in float64.
    raw = np.zeros(ends.size)
    right = np.zeros(ends.size)                             # raw as it was at the point
    dot_at = np.zeros(ends.size, dtype=np.int8)             # the point's place, 0: none
    n_dots = np.zeros(ends.size, dtype=np.int8)
    bad = np.zeros(ends.size, dtype=bool)
    place = 1.0
    for o in range(1, W + 1):
        c = np.take(b, ends - o)
        inside = n_chars >= o
        d = c - np.uint8(48)
        digit = d <= 9
        dot = c == 46
        digit &= inside
        dot &= inside
        bad |= inside & ~digit & ~dot
        raw += (d * digit) * place
        n_dots += dot
        np.copyto(dot_at, o, where=dot)
        np.copyto(right, raw, where=dot)
        place *= 10.0
    ok = ~bad & (n_dots <= 1) & (n_chars > n_dots) & (n_chars <= MAX_FAST_DIGITS)
    # Drop the point's 0 digit: the part left of it is a whole multiple of 10 (exact).
    m = np.where(dot_at > 0, (raw - right) / 10.0 + right, raw)
    values = m / _POW10[np.maximum(dot_at - 1, 0)]        # digits after the point
    np.negative(values, out=values, where=neg)
    return values, ok


def _one_by_one(buf: bytes, ends: np.ndarray, lens: np.ndarray) -> np.ndarray | None:
    """``float()`` of each cell (exponents, long mantissas, spaces); None if one fails."""
    out = np.empty(ends.size)
    for t, (e, n) in enumerate(zip(ends.tolist(), lens.tolist(), strict=True)):
        cell = buf[e - n:e].strip()
        if not cell:
            return None
        try:
            out[t] = float(cell.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None
    return out if np.isfinite(out).all() else None   # NaN / Inf: the careful reader names it


def _blocks(path: str | os.PathLike[str], start: int, delim: int, n_cols: int,
            progress: Progress | None) -> Iterator[np.ndarray | None]:
    """Parsed (lines, n_cols) blocks of the file from byte ``start``; None if unsure."""
    total = os.path.getsize(path)
    pending = b""
    with open(path, "rb") as f:
        f.seek(start)
        while True:
            chunk = f.read(CHUNK_BYTES)
            data = pending + chunk
            if not chunk:
                if data and not data.endswith(b"\n"):
                    data += b"\n"                   # the last line has no newline
                cut = len(data)
            else:
                cut = data.rfind(b"\n") + 1
            if cut:
                yield parse_chunk(data[:cut], delim, n_cols)
                if progress is not None:
                    progress(min(f.tell(), total), total)
            pending = data[cut:]
            if not chunk:
                return


def read_numeric(path: str | os.PathLike[str], start: int, delim: str, n_cols: int,
                 progress: Progress | None = None) -> np.ndarray | None:
    """All lines from byte ``start`` on as a (n_cols, rows) float64 array; None if unsure.

    ``progress(bytes_done, bytes_total)`` is called after every chunk.
    """
    if len(delim.encode()) != 1:
        return None
    rows = count_lines(path, start)
    if rows == 0:
        return None
    out = np.empty((n_cols, rows))
    # Rows are staged, then written transposed STAGE_ROWS at a time: each row of ``out``
    # then gets a long contiguous run, not 35 values per page it touches.
    stage = np.empty((min(STAGE_ROWS, rows), n_cols))
    r = s = 0
    for block in _blocks(path, start, ord(delim), n_cols, progress):
        if block is None or r + s + block.shape[0] > rows:
            return None
        i = 0
        while i < block.shape[0]:
            n = min(block.shape[0] - i, stage.shape[0] - s)
            stage[s:s + n] = block[i:i + n]
            s, i = s + n, i + n
            if s == stage.shape[0]:
                out[:, r:r + s] = stage.T
                r, s = r + s, 0
    out[:, r:r + s] = stage[:s].T
    return out if r + s == rows else None
