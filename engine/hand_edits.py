"""Editing one weight by hand (double-click a cell), with undo and redo.

A mixin of ``engine.experiment.Experiment``: the pass is redone with the new weight
so every matrix on screen shows its consequences at once.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .change import Change
from .network import Network
from .stepper import Stepper

Array = np.ndarray


class HandEdits:
    """``set_param``, ``undo_edit``, ``redo_edit`` of an experiment (see there)."""

    net: Network
    stepper: Stepper
    optimizer: Any
    lr: float
    weights_origin: str
    _edits: list[tuple[Any, ...]]
    _redo: list[tuple[Any, ...]]
    _marks: Any

    def _new_stepper(self) -> None:   # the experiment's
        raise NotImplementedError

    def set_param(self, quantity: str, layer: Any, row: Any, col: Any, value: Any) -> Change:
        """Set one weight W_ℓ[row, col] or bias b_ℓ[row] (``col`` 0) to ``value``.

        The weights get new arrays (the engine never writes in place), and the steps
        already taken in this pass are redone with them, so every matrix on screen
        shows the consequences at once.  After the update step (k = K) the shown W and
        b are the weights the next pass uses: the edit changes those and that next
        pass begins (k = 0); its update cannot be stepped back over any more.
        """
        W_or_b, l, r, c, v = self._check_edit(quantity, layer, row, col, value)
        new = W_or_b.copy()
        new[r, c] = v
        self._edits.append((quantity, l, r, c, W_or_b, new))
        self._redo.clear()
        return self._put_param(quantity, l, new)

    def undo_edit(self) -> Change:
        """Take back the last hand edit; NONE when there is none (or the weights moved on)."""
        return self._swap_edit(self._edits, self._redo, undo=True)

    def redo_edit(self) -> Change:
        """Make the last undone hand edit again; NONE when there is none."""
        return self._swap_edit(self._redo, self._edits, undo=False)

    @property
    def can_undo_edit(self) -> bool:
        return bool(self._edits) and self._edit_is_current(self._edits[-1], 5)

    @property
    def can_redo_edit(self) -> bool:
        return bool(self._redo) and self._edit_is_current(self._redo[-1], 4)

    def _edit_is_current(self, edit: tuple[Any, ...], which: int) -> bool:
        # An edit can be taken back only while its array is still the one in use: a step
        # over the update or training made new weights (stepping back restores them).
        q, l = edit[0], edit[1]
        return self.net.params()[l - 1][0 if q == "W" else 1] is edit[which]

    def _swap_edit(self, source: list, target: list, undo: bool) -> Change:
        if not source:
            return Change.NONE
        if not self._edit_is_current(source[-1], 5 if undo else 4):
            self._edits.clear()
            self._redo.clear()
            return Change.NONE
        edit = source.pop()
        target.append(edit)
        return self._put_param(edit[0], edit[1], edit[4] if undo else edit[5])

    def _check_edit(self, quantity: Any, layer: Any, row: Any, col: Any, value: Any
                    ) -> tuple[Array, int, int, int, float]:
        if quantity not in ("W", "b"):
            raise ValueError(f"only W and b can be edited, not {quantity!r}")
        L = self.net.L
        for name, x in (("layer", layer), ("row", row), ("column", col)):
            if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
                raise ValueError(f"{name} must be a whole number, got {x!r}")
        if not 1 <= layer <= L:
            raise ValueError(f"layer {layer} does not exist; the network has layers 1..{L}")
        W, b = self.net.params()[layer - 1]
        arr = W if quantity == "W" else b
        rows, cols = arr.shape
        if not (0 <= row < rows and 0 <= col < cols):
            raise ValueError(f"{quantity}{layer} is {rows}×{cols}: it has no cell "
                             f"[{row}, {col}]")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer,
                                                             np.floating)):
            raise ValueError(f"a weight must be a number, got {value!r}")
        if not math.isfinite(float(value)):
            raise ValueError(f"a weight must be a finite number, got {value!r}")
        return arr, int(layer), int(row), int(col), float(value)

    def _put_param(self, quantity: str, layer: int, arr: Array) -> Change:
        """Use ``arr`` as W_ℓ or b_ℓ and redo this pass's steps taken so far with it."""
        params = list(self.net.params())
        W, b = params[layer - 1]
        params[layer - 1] = (arr, b) if quantity == "W" else (W, arr)
        st = self.stepper
        k, pass_index = st.k, st.state.pass_index
        self.net.set_params_ref(params)
        self.weights_origin = "given"
        if k == st.K:   # the finished pass's update made these: the next pass uses them
            self._new_stepper()
            self.stepper.state.pass_index = pass_index + 1
            return Change.WEIGHTS | Change.STEP
        self.stepper = Stepper(self.net, st.X, st.Y, optimizer=self.optimizer, lr=self.lr,
                               samples=st.state.samples)
        self.stepper.state.pass_index = pass_index
        self._marks.clear()   # the rebuilt pass has no earlier update to step back over
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self.stepper.jump(k)   # steps before the update: nothing here can be refused
        return Change.WEIGHTS | Change.STEP
