"""A loss History as CSV, and where its epochs fall among its iterations.

Pure numpy and csv: the window's loss plot and the headless ``train`` command
write the same file with the same code, and the command never loads Qt.

Numbering
---------
Iterations are numbered 1..N (iteration i is the i-th parameter update) and
epochs 1..E. Epoch e's losses are measured after its last iteration, so on the
"iteration" axis they sit at the iteration that ended the epoch
(``history.epoch_iteration`` when the History has it, else e·k with k iterations
per epoch); on the "epoch" axis iteration i sits at a fractional epoch (i / k for
a fresh run). k comes from the ``iters_per_epoch`` argument, else from
``history.iters_per_epoch``, else ``history.epoch_iteration[0]``, else it is
inferred as ``N // E`` (exact whenever the history ends on an epoch boundary,
e.g. after training finished).

CSV format
----------
One header line, then one row per iteration::

    iteration,epoch,train_loss,epoch_train_loss,epoch_val_loss
    1,1,0.73,,
    2,1,0.69,0.68,0.70        <- last iteration of epoch 1 carries its epoch losses

``epoch`` is the epoch the iteration belongs to (empty when k is unknown);
``epoch_train_loss`` / ``epoch_val_loss`` are filled only on the last iteration
of an epoch (empty otherwise, and ``epoch_val_loss`` empty when there is no
validation set). Epoch values that have no iteration row (an inconsistent
history) get rows with an empty iteration. Values are written with ``repr`` so
they read back bit-identically. The loss plot writes this itself rather than
through pyqtgraph's CSVExporter: that one exports the *displayed* (downsampled,
log-mapped) data, which would not round-trip the history.
"""

from __future__ import annotations

import csv
import io
import os
from typing import Any

import numpy as np

from .fileio import atomic_write_text

CSV_HEADER = ["iteration", "epoch", "train_loss", "epoch_train_loss", "epoch_val_loss"]


def iters_per_epoch_of(history: Any, iters_per_epoch: int | None = None) -> int | None:
    """k, the number of iterations per epoch (see the module docstring), or None if unknown."""
    k = iters_per_epoch or getattr(history, "iters_per_epoch", None)
    if k:
        return int(k)
    ends = getattr(history, "epoch_iteration", None)
    if ends:
        return int(ends[0])
    n, e = len(history.iter_loss), len(history.epoch_train)
    return n // e if e and n >= e else None


def epoch_ends(history: Any, k: int | None) -> np.ndarray | None:
    """(E,) the iteration that ended each epoch, or None if unknown (see the module docstring)."""
    E = max(len(history.epoch_train), len(history.epoch_val))
    known = getattr(history, "epoch_iteration", None)
    if known is not None and len(known) >= E:
        return np.asarray(known[:E], dtype=float)
    if k:
        return k * np.arange(1, E + 1, dtype=float)
    return None


def epoch_layout(history: Any, k: int | None) -> tuple[np.ndarray | None, np.ndarray | None,
                                                          np.ndarray | None]:
    """Where epochs end and where each iteration falls on the epoch axis.

    Returns
    -------
    ends : (E,) iteration that ended each epoch, or None if unknown.
    frac : (N,) fractional epoch of each iteration (epoch-axis x), or None.
    index : (N,) int, epoch (1-based) each iteration belongs to, or None.
    """
    n = len(history.iter_loss)
    ends = epoch_ends(history, k)
    if ends is None:
        return None, None, None
    if not k:
        return ends, None, None
    E = ends.size
    i = np.arange(1, n + 1, dtype=float)
    last = ends[-1] if E else 0.0
    # interpolate inside finished epochs, extrapolate with k into the running one
    frac = np.where(i <= last, np.interp(i, np.r_[0.0, ends], np.arange(E + 1.0)),
                    E + (i - last) / k)
    index = np.where(i <= last, np.searchsorted(ends, i) + 1,
                     E + np.ceil((i - last) / k)).astype(int)
    return ends, frac, index


def history_csv_text(history: Any, iters_per_epoch: int | None = None) -> str:
    """The History as CSV text in the format of the module docstring."""
    n = len(history.iter_loss)
    ends, _, index = epoch_layout(history, iters_per_epoch_of(history, iters_per_epoch))
    et, ev = list(history.epoch_train), list(history.epoch_val)
    rows: list[list[str]] = []
    for i in range(1, n + 1):
        epoch = str(index[i - 1]) if index is not None else ""
        rows.append([str(i), epoch, repr(float(history.iter_loss[i - 1])), "", ""])
    for e in range(1, max(len(et), len(ev)) + 1):
        end = int(ends[e - 1]) if ends is not None else None
        if end is None or not 1 <= end <= n:  # no iteration row for this epoch: its own row
            rows.append(["", str(e), "", "", ""])
            end = len(rows)
        row = rows[end - 1]
        if e <= len(et):
            row[3] = repr(float(et[e - 1]))
        if e <= len(ev):
            row[4] = repr(float(ev[e - 1]))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    w.writerows(rows)
    return buf.getvalue()


def write_history_csv(history: Any, path: str | os.PathLike[str],
                      iters_per_epoch: int | None = None) -> None:
    """Write the History as CSV, atomically (temp file in the same folder, then rename)."""
    atomic_write_text(path, history_csv_text(history, iters_per_epoch))


def read_history_csv(path: str | os.PathLike[str]) -> dict[str, list[float]]:
    """Read a loss CSV back: ``{"iter_loss": [...], "epoch_train": [...], "epoch_val": [...]}``."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != CSV_HEADER:
            raise ValueError(f"{path}: header {header} is not {CSV_HEADER}")
        out: dict[str, list[float]] = {"iter_loss": [], "epoch_train": [], "epoch_val": []}
        for row in reader:
            for key, cell in zip(("iter_loss", "epoch_train", "epoch_val"), row[2:5], strict=True):
                if cell:
                    out[key].append(float(cell))
    return out
