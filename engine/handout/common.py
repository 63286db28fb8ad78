"""What every handout format shares: numbers, the cells shown, the heatmap colours."""

from __future__ import annotations

import math

import numpy as np

DIGITS_RANGE = (1, 17)
DEFAULT_DIGITS = 4
# Matrices bigger than this show their first and last rows / columns around an ellipsis,
# so a page stays readable; the JSON answer key always has every number.
MAX_ROWS = 16
MAX_COLS = 10

# CET-D1 (Kovesi's diverging blue-white-red map, the heatmaps' map) sampled at 17
# points; the centre is pinned to pure white so that 0 is white on paper.
_CET_D1 = np.array([
    (33, 81, 219), (82, 98, 222), (112, 117, 226), (138, 136, 229), (160, 156, 232),
    (182, 177, 234), (202, 197, 237), (221, 219, 239), (255, 255, 255), (242, 215, 208),
    (240, 190, 178), (237, 165, 148), (231, 140, 119), (224, 115, 91), (215, 88, 63),
    (204, 57, 36), (192, 2, 6)], dtype=np.float64)


def check_digits(digits: int) -> int:
    """Significant digits shown in the documents, 1..17; ``ValueError`` otherwise."""
    lo, hi = DIGITS_RANGE
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)):
        raise ValueError(f"digits must be a whole number in {lo}..{hi}, got {digits!r}")
    if not lo <= digits <= hi:
        raise ValueError(f"digits must be in {lo}..{hi}, got {digits}")
    return int(digits)


def number(x: float, digits: int) -> str:
    """x with ``digits`` significant digits, plain ASCII ('-0.1234', '1.2e-05')."""
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    text = f"{x:.{digits}g}"
    return "0" if text in ("-0", "0") else text


def visible(n: int, limit: int) -> list[int | None]:
    """Indices shown of n: all if n ≤ limit, else the first and last with ``None`` between."""
    if n <= limit:
        return list(range(n))
    tail = (limit - 1) // 2
    head = limit - 1 - tail
    return list(range(head)) + [None] + list(range(n - tail, n))


def grid(values: np.ndarray) -> list[list[float | None]]:
    """The cells a document shows, row by row; ``None`` marks an elided row or column."""
    rows = visible(values.shape[0], MAX_ROWS)
    cols = visible(values.shape[1], MAX_COLS)
    return [[None if (i is None or j is None) else float(values[i, j]) for j in cols]
            for i in rows]


def is_elided(values: np.ndarray) -> bool:
    return values.shape[0] > MAX_ROWS or values.shape[1] > MAX_COLS


def span(values: np.ndarray) -> float:
    """The symmetric colour span ±max|x| (1 for an all-zero matrix), as the heatmaps use."""
    finite = values[np.isfinite(values)]
    m = float(np.abs(finite).max()) if finite.size else 0.0
    return m if m > 0 else 1.0


def colour(x: float, m: float) -> tuple[int, int, int]:
    """The CET-D1-like colour of x on the symmetric scale ±m (0 → white)."""
    if not math.isfinite(x):
        return (200, 200, 200)
    t = min(1.0, max(-1.0, x / m))
    pos = (t + 1.0) / 2.0 * (len(_CET_D1) - 1)
    i = min(int(pos), len(_CET_D1) - 2)
    f = pos - i
    rgb = _CET_D1[i] * (1.0 - f) + _CET_D1[i + 1] * f
    return (int(round(rgb[0])), int(round(rgb[1])), int(round(rgb[2])))


def text_colour(rgb: tuple[int, int, int]) -> str:
    """Black on light cells, white on dark ones (relative luminance below 0.4)."""
    r, g, b = (c / 255.0 for c in rgb)
    return "#ffffff" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.4 else "#000000"


def data_line(B: int) -> str:
    """'one sample (B = 1)' or 'a batch of B = 4 samples'."""
    return "one sample (B = 1)" if B == 1 else f"a batch of B = {B} samples"
