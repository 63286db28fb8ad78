"""Arrays the engine writes again once nobody holds them any more.

A training step makes the same arrays every time (z_ℓ, a_ℓ, δ_ℓ, ∂C/∂W_ℓ, the
new W_ℓ, …).  Allocating them afresh costs page faults and cold caches on big
networks (hundreds of faults a step for 784-512-512-10), so the engine keeps
the last two arrays it made for each role and writes into one of them again,
but only when its reference count shows that the workspace alone holds it:
no trace, record, view, snapshot or variable of the caller can see the
numbers change.  Whoever keeps a record keeps it intact; the engine then
simply allocates a new array, as it always did.

The same test is what numpy does to reuse temporaries in ``a + b + c``.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Hashable

import numpy as np

Array = np.ndarray
_getrefcount = sys.getrefcount
_empty = np.empty
_FREE = 0  # set below by _calibrate(); 0 = reuse is off
GENERATIONS = 2  # a caller holding last step's trace while making the next one still gets reuse


class Workspace:
    """Per-network pool: ``empty(key, shape)`` is like ``np.empty(shape)``.

    Parameters
    ----------
    enabled : bool
        ``False`` makes every call a plain ``np.empty`` (nothing is reused).
    """

    __slots__ = ("_flat", "_slots", "enabled")

    def __init__(self, enabled: bool = True) -> None:
        self._slots: dict[Hashable, list[Array]] = {}
        self._flat: dict[Hashable, list[tuple[Array, list[Array]]]] = {}
        self.enabled = enabled and _FREE > 0

    def empty(self, key: Hashable, shape: tuple[int, ...]) -> Array:
        """A float64 array of ``shape`` whose contents the caller may overwrite."""
        if not self.enabled:
            return _empty(shape)
        slots = self._slots.get(key)
        if slots is None:
            slots = self._slots[key] = []
        for arr in slots:
            # Held by the list, the loop variable and getrefcount's argument: nobody else.
            if _getrefcount(arr) == _FREE and arr.shape == shape:
                return arr
        arr = _empty(shape)
        if len(slots) >= GENERATIONS:
            del slots[0]
        slots.append(arr)
        return arr

    def flat(self, key: Hashable, n: int, layout: list[tuple[int, int, tuple[int, int]]]
             ) -> tuple[Array, list[Array]]:
        """A flat float64 array of ``n`` and its views ``flat[o:e].reshape(shape)``.

        The views are made once and handed out again with their array: on a small
        network making 2L views costs as much as the arithmetic they hold.
        """
        if not self.enabled:
            arr = _empty((n,))
            return arr, [arr[o:e].reshape(shape) for o, e, shape in layout]
        entries = self._flat.get(key)
        if entries is None:
            entries = self._flat[key] = []
        for entry in entries:
            arr, views = entry
            # Held by the entry, `arr` and the argument (as in `empty`) and each view's base.
            if _getrefcount(arr) == _FREE + len(views) and arr.shape == (n,):
                for v in views:
                    if _getrefcount(v) != _FREE:
                        break
                else:
                    return entry
        arr = _empty((n,))
        entry = (arr, [arr[o:e].reshape(shape) for o, e, shape in layout])
        if len(entries) >= GENERATIONS:
            del entries[0]
        entries.append(entry)
        return entry

    def clear(self) -> None:
        """Drop every array the workspace holds (memory goes back to the allocator)."""
        self._slots.clear()
        self._flat.clear()

    def nbytes(self) -> int:
        """Bytes held by the workspace's arrays (whether in use elsewhere or not)."""
        return (sum(a.nbytes for s in self._slots.values() for a in s)
                + sum(e[0].nbytes for s in self._flat.values() for e in s))


def _calibrate() -> int:
    """The reference count ``Workspace.empty`` sees for an array only it holds.

    Measured with the very loop ``empty`` runs, so it holds on any CPython; other
    interpreters (no reference counts to trust) get 0: reuse is off.
    """
    if platform.python_implementation() != "CPython":
        return 0
    slots = [_empty((1,))]
    for arr in slots:
        free = _getrefcount(arr)
    held = slots[0]
    for arr in slots:
        busy = _getrefcount(arr)
    del held
    return free if busy == free + 1 else 0


_FREE = _calibrate()
