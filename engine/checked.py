"""Remember which read-only arrays already passed the data checks.

Scanning X for NaN costs O(n_0 B) per call, as much as a small network's
whole step.  An array that cannot be written (``flags.writeable`` is False, on
it and on the array owning its memory) cannot have changed since it passed,
so the check of a later call on it is O(1): a dictionary look-up by ``id``
that a weak reference confirms is still the same array.  (Code that sets
``writeable`` back to True, writes, and clears it again defeats this; a NaN
so smuggled in shows as a NaN loss, which the Trainer reports as divergence.)
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

MAX_ENTRIES = 16


def _frozen(arr: np.ndarray) -> bool:
    """Whether neither ``arr`` nor the array whose memory it views can be written."""
    base: Any = arr
    while isinstance(base, np.ndarray):
        if base.flags.writeable:
            return False
        base = base.base
    return base is None  # memory owned by a numpy array, not a foreign buffer


class CheckedCache:
    """Read-only float64 arrays that passed a check, with what they passed (e.g. n_0)."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[int, tuple[weakref.ref[np.ndarray], int, tuple[int, ...]]] = {}

    def seen(self, arr: np.ndarray, rows: int) -> bool:
        """True if ``arr`` is an array that passed a check against ``rows`` and is unchanged."""
        hit = self._seen.get(id(arr))
        if hit is None or hit[0]() is not arr or hit[1] != rows or hit[2] != arr.shape:
            return False
        # An array owning its memory needs one flag look-up; a view, the walk to its owner.
        return not arr.flags.writeable if arr.base is None else _frozen(arr)

    def add(self, arr: np.ndarray, rows: int) -> None:
        """Remember ``arr`` (only if it is read-only all the way down; else nothing)."""
        if not _frozen(arr):
            return
        if len(self._seen) >= MAX_ENTRIES:
            del self._seen[next(iter(self._seen))]
        self._seen[id(arr)] = (weakref.ref(arr), rows, arr.shape)
