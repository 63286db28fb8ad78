"""Mini-batch training as a generator of records.

The GUI runs the generator in chunks (or a thread) and draws the records; a
script simply iterates it.  Every random choice (the shuffle) comes from the
seed, so the same spec, data and seed give bit-identical loss histories, and
``state_dict`` / ``load_state_dict`` resume a run as if it had never stopped.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .network import Network
from .optim import Optimizer, make_optimizer
from .workspace import Workspace

Array = np.ndarray


class TrainingDiverged(RuntimeError):
    """The loss or a gradient became NaN/Inf; the weights were left finite."""


@dataclass(frozen=True)
class TrainRecord:
    """One training iteration: its mini-batch loss and, at an epoch's end, the epoch's losses."""

    iteration: int
    epoch: int
    loss: float
    epoch_done: bool = False
    train_loss: float | None = None
    val_loss: float | None = None


@dataclass
class History:
    """Loss per iteration and per epoch.

    ``epoch_train`` is the mean mini-batch loss over the epoch (what most
    frameworks report); ``epoch_val`` the loss on the whole validation set at
    the epoch's end; ``epoch_iteration`` the iteration count at each epoch's end.
    """

    iter_loss: list[float] = field(default_factory=list)
    epoch_train: list[float] = field(default_factory=list)
    epoch_val: list[float] = field(default_factory=list)
    epoch_iteration: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[Any]]:
        return {"iter_loss": list(self.iter_loss), "epoch_train": list(self.epoch_train),
                "epoch_val": list(self.epoch_val), "epoch_iteration": list(self.epoch_iteration)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        return cls([float(x) for x in d.get("iter_loss", [])],
                   [float(x) for x in d.get("epoch_train", [])],
                   [float(x) for x in d.get("epoch_val", [])],
                   [int(x) for x in d.get("epoch_iteration", [])])


_add = np.add.reduce


def _finite(*arrays: Array | None) -> bool:
    # A sum is NaN/Inf if any entry is: one reduction per array, far cheaper than an
    # elementwise isfinite mask (np.add.reduce skips ndarray.sum's Python wrapper).
    return all(a is None or math.isfinite(_add(a, axis=None)) for a in arrays)


class Trainer:
    """Gradient descent on mini-batches, as the seed's update extended to batches.

    Parameters
    ----------
    net : Network
        Trained in place.
    X, Y : array
        Training data, samples as columns.
    X_val, Y_val : array, optional
        Validation data; its loss is recorded at every epoch's end.
    optimizer : Optimizer, optional
        Defaults to the seed's gradient descent with ``lr``.
    batch_size : int
        1 is the seed's per-sample form; larger than N means the full set.
    """

    def __init__(self, net: Network, X: Array, Y: Array, X_val: Array | None = None,
                 Y_val: Array | None = None, optimizer: Optimizer | None = None,
                 batch_size: int = 32, seed: int = 0, shuffle: bool = True,
                 lr: float = 0.1) -> None:
        self.net = net
        self.X = net.check_X(X)
        self.Y = net.check_Y(Y, self.X.shape[1])
        self.X_val: Array | None = None
        self.Y_val: Array | None = None
        if X_val is not None and Y_val is not None and np.shape(X_val)[-1] > 0:
            self.X_val = net.check_X(X_val, "X_val")
            self.Y_val = net.check_Y(Y_val, self.X_val.shape[1], "Y_val")
        self.optimizer = optimizer if optimizer is not None else make_optimizer("sgd", lr)
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"batch size must be a whole number ≥ 1, got {batch_size!r}")
        self.batch_size = int(min(batch_size, self.X.shape[1]))
        self.shuffle = bool(shuffle)
        self.seed = int(seed)
        self.rng = np.random.default_rng([self.seed, 7])  # own stream, apart from init's
        self.history = History()
        self.iteration = 0
        self.epoch = 0
        self._perm: Array | None = None
        self._pos = 0
        self._epoch_sum = 0.0
        self._epoch_count = 0
        self._ws = Workspace()  # the batch arrays, written again once the last step let go

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[1])

    @property
    def iterations_per_epoch(self) -> int:
        return -(-self.n_samples // self.batch_size)

    def _batch(self) -> tuple[Array, Array]:
        N, bs = self.n_samples, self.batch_size
        if self._perm is None:
            self._perm = self.rng.permutation(N) if self.shuffle else np.arange(N)
        if bs == N and not self.shuffle:
            return self.X, self.Y  # full batch in order: no copy
        idx = self._perm[self._pos:self._pos + bs]
        X, Y, ws = self.X, self.Y, self._ws
        if X.flags.f_contiguous and not X.flags.c_contiguous:
            # Samples lie contiguous in memory (data read one sample per row, then
            # transposed): gather whole rows of Xᵀ, 20× faster than columns of X.
            Xb = np.take(X.T, idx, axis=0, out=ws.empty("Xb", (len(idx), X.shape[0]))).T
        else:
            Xb = X[:, idx]
        Yb = np.take(Y, idx, axis=1, out=ws.empty("Yb", (Y.shape[0], len(idx))))
        return Xb, Yb

    def val_loss(self) -> float | None:
        """Loss on the whole validation set, or ``None`` without one."""
        if self.X_val is None or self.Y_val is None:
            return None
        return self.net.loss_of(self.net.forward(self.X_val, check=False), self.Y_val)

    def run(self, epochs: int | None = None) -> Iterator[TrainRecord]:
        """Yield one record per iteration; ``epochs=None`` runs until the caller stops."""
        if epochs is not None and (isinstance(epochs, bool) or epochs < 0):
            raise ValueError(f"epochs must be a whole number ≥ 0, got {epochs!r}")
        target = None if epochs is None else self.epoch + int(epochs)
        net, opt = self.net, self.optimizer
        while target is None or self.epoch < target:
            Xb, Yb = self._batch()
            before = net.params()
            # Overflow is expected when a run diverges; it is caught below, by value.
            with np.errstate(over="ignore", invalid="ignore"):
                trace = net.forward(Xb, check=False)
                grads = net.backward(trace, Yb, check=False)
                loss = grads.loss
                # One sum over the flat gradient when backward made one.
                ok = math.isfinite(loss) and (_finite(grads.flat) if grads.flat is not None
                                              else _finite(*grads.dW, *grads.db))
                if ok:
                    opt.step(net, grads)
            if not ok:
                raise TrainingDiverged(self._diverged_message(loss))
            theta = net.flat_params()
            if not (_finite(theta) if theta is not None
                    else _finite(*(p for pair in net.params() for p in pair))):
                net.set_params_ref(before)  # updates make new arrays: the old ones are intact
                raise TrainingDiverged(self._diverged_message(float("inf")))
            self.iteration += 1
            self._pos += self.batch_size
            self.history.iter_loss.append(loss)
            self._epoch_sum += loss
            self._epoch_count += 1
            if self._pos < self.n_samples:
                yield TrainRecord(self.iteration, self.epoch, loss)
                continue
            self.epoch += 1
            self._perm, self._pos = None, 0
            train = self._epoch_sum / self._epoch_count
            self._epoch_sum, self._epoch_count = 0.0, 0
            val = self.val_loss()
            self.history.epoch_train.append(train)
            if val is not None:
                self.history.epoch_val.append(val)
            self.history.epoch_iteration.append(self.iteration)
            yield TrainRecord(self.iteration, self.epoch, loss, True, train, val)

    def _diverged_message(self, loss: float) -> str:
        return (f"training diverged at iteration {self.iteration + 1} (epoch {self.epoch + 1}): "
                f"the loss became {loss}. The weights were kept at their last finite values. "
                f"Try a smaller learning rate (now {self.optimizer.lr:g}).")

    # -- resuming -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue exactly here (the optimizer has its own)."""
        return {"iteration": self.iteration, "epoch": self.epoch, "pos": self._pos,
                "perm": None if self._perm is None else self._perm.copy(),
                "epoch_sum": self._epoch_sum, "epoch_count": self._epoch_count,
                "rng": self.rng.bit_generator.state, "batch_size": self.batch_size,
                "shuffle": self.shuffle, "seed": self.seed, "history": self.history.to_dict()}

    def load_state_dict(self, d: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned."""
        self.iteration, self.epoch, self._pos = int(d["iteration"]), int(d["epoch"]), int(d["pos"])
        perm = d.get("perm")
        self._perm = None if perm is None else np.asarray(perm, dtype=np.int64)
        self._epoch_sum, self._epoch_count = float(d["epoch_sum"]), int(d["epoch_count"])
        self.rng.bit_generator.state = d["rng"]
        self.batch_size, self.shuffle = int(d["batch_size"]), bool(d["shuffle"])
        self.seed = int(d["seed"])
        self.history = History.from_dict(d["history"])
