"""Incremental buffers behind the loss plot: each refresh converts only what is new.

With 10⁶ iteration losses, rebuilding the x and y arrays and their extent on every
refresh (30 a second while training) cost more than drawing them.
"""

from __future__ import annotations

import numpy as np


class Growing:
    """A float array mirroring an append-only list; converts only new items per refresh."""

    def __init__(self) -> None:
        self.buf = np.empty(1024)
        self.n = 0

    def sync(self, values: list[float]) -> np.ndarray:
        m = len(values)
        if m < self.n:  # the list was replaced or cleared: start over
            self.n = 0
        self._reserve(m)
        if m > self.n:
            self.buf[self.n : m] = values[self.n : m]
            self.n = m
        return self.buf[:m]

    def _reserve(self, m: int) -> None:
        if m > self.buf.size:
            new = np.empty(max(m, 2 * self.buf.size))
            new[: self.n] = self.buf[: self.n]
            self.buf = new


class Extent:
    """Smallest, largest and smallest positive finite value, updated with new values only."""

    def __init__(self) -> None:
        self.n = 0
        self.lo = self.hi = self.lo_pos = np.nan

    def update(self, y: np.ndarray) -> None:
        """Take in ``y[self.n:]``; a shorter ``y`` (a new list) starts over."""
        if y.size < self.n:
            self.n, self.lo, self.hi, self.lo_pos = 0, np.nan, np.nan, np.nan
        new = y[self.n :]
        self.n = y.size
        new = new[np.isfinite(new)]
        if new.size:
            self.lo, self.hi = np.fmin(self.lo, new.min()), np.fmax(self.hi, new.max())
            pos = new[new > 0]
            if pos.size:
                self.lo_pos = np.fmin(self.lo_pos, pos.min())

    def bounds(self, log: bool) -> tuple[float, float]:
        """(lo, hi) of the values drawn: the positive ones in log mode; NaN when none."""
        return (float(self.lo_pos), float(self.hi)) if log else (float(self.lo), float(self.hi))


class Counting:
    """1, 2, …, n as float views of one array, so refresh() does not rebuild 10⁶ x values."""

    def __init__(self) -> None:
        self.buf = np.arange(1.0, 1025.0)

    def upto(self, n: int) -> np.ndarray:
        if n > self.buf.size:
            self.buf = np.arange(1.0, max(n, 2 * self.buf.size) + 1.0)
        return self.buf[:n]


class EpochX(Growing):
    """Each iteration's fractional epoch (``epoch_layout``'s ``frac``), extended incrementally.

    Values of iterations inside finished epochs never change (epoch ends are only
    appended), so only the running epoch and new iterations are recomputed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.fixed = 0  # buf[:fixed] lies inside finished epochs
        self.k = 0

    def sync_frac(self, n: int, ends: np.ndarray, k: int) -> np.ndarray:
        if n < self.fixed or k != self.k:  # a new history, or k inferred anew: start over
            self.fixed, self.k = 0, k
        self._reserve(n)
        E = ends.size
        last = ends[-1] if E else 0.0
        i = np.arange(self.fixed + 1, n + 1, dtype=float)
        self.buf[self.fixed : n] = np.where(
            i <= last, np.interp(i, np.r_[0.0, ends], np.arange(E + 1.0)), E + (i - last) / k)
        self.n = n
        self.fixed = int(min(n, last))
        return self.buf[:n]
