"""Mini-batch training as a generator of records.

The GUI runs the generator in chunks (or a thread) and draws the records; a
script simply iterates it.  Every random choice (the shuffle) comes from the
seed, so the same spec, data and seed give bit-identical loss histories, and
``state_dict`` / ``load_state_dict`` resume a run as if it had never stopped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .network import Grads, Network
from .optim import Optimizer, make_optimizer
from .workspace import Workspace

Array = np.ndarray


# Divergence, defined (see ``Trainer.run``). With C₀ the loss of the whole training set
# when training started, the run has diverged when
#  - a loss or a gradient is NaN or ±Inf, or
#  - one iteration's (mini-batch) loss exceeds GROWTH_ITERATION × C₀, or
#  - an epoch's mean training loss exceeds GROWTH_EPOCH × the best epoch mean so far
#    and exceeds C₀ (a loss wobbling at 10⁻¹² after a perfect fit is not a blow-up).
# C₀ is a whole-set mean, not the first mini-batch's loss: with batch size 1 that can
# be 10⁻⁷ (a sample that happens to fit) and the next sample's 0.5 is no divergence.
# Plain gradient descent that is stable lowers the loss; a loss that grows by orders of
# magnitude does so exponentially, and waiting for Inf meant ~50 epochs of growth.
GROWTH_ITERATION = 1e6
GROWTH_EPOCH = 1e4
LOSS_CHUNK = 4096   # samples per forward pass when C₀ is measured on the whole set


class TrainingDiverged(RuntimeError):
    """The loss grew by orders of magnitude (or became NaN/Inf); see ``GROWTH_*``.

    The network was set back to the weights it had before the blow-up began: those
    the best epoch started from, if its mean loss was at most C₀, else those the run
    started from (``kept_epoch``: the epoch those weights end, 0 = untrained).
    """

    def __init__(self, message: str, kept_epoch: int = 0) -> None:
        super().__init__(message)
        self.kept_epoch = kept_epoch


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


def _power(x: float) -> str:
    """10⁴ for 1e4: the growth factors as a reader writes them."""
    return "10" + str(round(math.log10(x))).translate(str.maketrans("0123456789-",
                                                                    "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))


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
        # The last safe point (weights, optimizer state, epoch), the weights the running
        # epoch started from (safe if its losses turn out low), C₀ and the best epoch mean.
        self._good: tuple[list[tuple[Array, Array]], dict[str, Any], int] | None = None
        self._candidate: tuple[list[tuple[Array, Array]], dict[str, Any], int] | None = None
        self._c0: float | None = None
        self._best = math.inf
        self._run_start = 0
        self._ws = Workspace()  # the batch arrays, written again once the last step let go
        # What the latest iteration did, for views that follow training live (read-only
        # through ``last_indices`` / ``last_grads``); None when it is not known.
        self._last_idx: Array | None = None
        self._last_grads: Grads | None = None

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[1])

    @property
    def iterations_per_epoch(self) -> int:
        return -(-self.n_samples // self.batch_size)

    @property
    def last_indices(self) -> Array | None:
        """The sample indices (columns of X) of the latest iteration's mini-batch.

        ``None`` before the first iteration, after stepping back over an update or after
        a divergence set the weights back: then no iteration's batch matches the weights.
        A copy: the trainer's own record cannot be changed through it.
        """
        return None if self._last_idx is None else self._last_idx.copy()

    @property
    def last_grads(self) -> Grads | None:
        """∂C/∂W_ℓ and ∂C/∂b_ℓ (``grads.dW``, ``grads.db``) of the latest iteration ``run``
        made, computed at the weights before its update; ``None`` when the latest iteration
        was walked, recorded by hand or taken back. Read-only: views draw it."""
        return self._last_grads

    def next_indices(self) -> Array:
        """The sample indices (columns of X) of the mini-batch the next iteration takes."""
        if self._perm is None:
            N = self.n_samples
            self._perm = self.rng.permutation(N) if self.shuffle else np.arange(N)
        return self._perm[self._pos:self._pos + self.batch_size]

    def _batch(self) -> tuple[Array, Array]:
        idx = self.next_indices()
        if self.batch_size == self.n_samples and not self.shuffle:
            return self.X, self.Y  # full batch in order: no copy
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

    def run(self, epochs: int | None = None,
            on_grads: Callable[[int, Grads, list[tuple[Array, Array]]], None] | None = None
            ) -> Generator[TrainRecord, None, None]:
        """Yield one record per iteration; ``epochs=None`` runs until the caller stops.

        Raises ``TrainingDiverged`` (after setting the weights back to the last safe
        point: the end of the best epoch so far, or where the run started) when the
        loss grows by orders of magnitude; see ``GROWTH_ITERATION`` and ``GROWTH_EPOCH``.
        ``on_grads(iteration, grads, W_before)``, if given, is called after each
        applied update with the mini-batch's gradients and the (W, b) pairs they
        were computed with (``self.net`` already holds the updated weights).
        """
        if epochs is not None and (isinstance(epochs, bool) or epochs < 0):
            raise ValueError(f"epochs must be a whole number ≥ 0, got {epochs!r}")
        target = None if epochs is None else self.epoch + int(epochs)
        net, opt = self.net, self.optimizer
        c0 = self._start_run()
        before: list[tuple[Array, Array]] = []
        while target is None or self.epoch < target:
            Xb, Yb = self._batch()
            if on_grads is not None:
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
            at = None   # this iteration (its name is made only when needed)
            theta = net.flat_params()   # one sum over the flat weights when there are
            if not ok or not (_finite(theta) if theta is not None
                              else _finite(*(p for pair in net.params() for p in pair))):
                self._diverged(at, loss if not math.isfinite(loss) else float("inf"))
            if loss > GROWTH_ITERATION * c0:
                self._diverged(at, loss, f"more than {_power(GROWTH_ITERATION)} × the loss "
                                         f"{c0:.3g} training started from")
            if on_grads is not None:
                on_grads(self.iteration + 1, grads, before)
            rec = self.record_iteration(loss)
            self._last_grads = grads   # after record_iteration, which forgets older ones
            if rec.epoch_done:
                self._watch_epoch(rec, c0)
            yield rec

    def _watch_epoch(self, rec: TrainRecord, c0: float) -> None:
        """At an epoch's end: diverged (its mean grew by orders of magnitude), or a new safe
        point to go back to."""
        train, best = float(rec.train_loss or 0.0), self._best
        if train > GROWTH_EPOCH * best and train > c0:
            self._diverged(f"the end of epoch {self.epoch} (iteration {self.iteration})",
                           train, f"the epoch's mean, more than {_power(GROWTH_EPOCH)} × "
                                  f"{best:.3g}, the lowest loss so far")
        # The weights this epoch started from are safe when the epoch's losses, measured
        # along the way from them, were the lowest yet and no higher than C₀. (The
        # weights at the epoch's end may already be the first steps of a blow-up: an
        # epoch's mean says nothing about its last update.)
        if train <= min(best, c0):
            self._good = self._candidate
        self._best = min(best, train)
        self._candidate = self._snapshot()
    def record_iteration(self, loss: float) -> TrainRecord:
        """Count one iteration on the batch ``next_indices()`` named, whose loss was ``loss``.

        ``run`` calls it after each update; a pass walked step by step calls it after its
        update, so a stepped iteration is one training iteration like any other.
        """
        self.iteration += 1
        # The perm array is replaced, never written, at an epoch's end: a view stays true.
        self._last_idx = None if self._perm is None else self._perm[self._pos:self._pos
                                                                    + self.batch_size]
        self._last_grads = None
        self._pos += self.batch_size
        self.history.iter_loss.append(loss)
        self._epoch_sum += loss
        self._epoch_count += 1
        if self._pos < self.n_samples:
            return TrainRecord(self.iteration, self.epoch, loss)
        self.epoch += 1
        self._perm, self._pos = None, 0
        train = self._epoch_sum / self._epoch_count
        self._epoch_sum, self._epoch_count = 0.0, 0
        val = self.val_loss()
        self.history.epoch_train.append(train)
        if val is not None:
            self.history.epoch_val.append(val)
        self.history.epoch_iteration.append(self.iteration)
        return TrainRecord(self.iteration, self.epoch, loss, True, train, val)

    def record_single(self, loss: float, sample: int | None = None) -> TrainRecord:
        """Count one iteration on a sample the user picked, outside the epoch's order.

        The epoch's position and mean are left alone: the shuffled order goes on
        where it was when training resumes. ``sample``: its index, for ``last_indices``.
        """
        self._last_idx = None if sample is None else np.array([int(sample)])
        self._last_grads = None
        self.iteration += 1
        self.history.iter_loss.append(loss)
        return TrainRecord(self.iteration, self.epoch, loss)

    def mark(self) -> tuple[Any, ...]:
        """The clock's position, cheaply, for ``rewind`` (stepping back over an update)."""
        h = self.history
        return (self.iteration, self.epoch, self._pos, self._perm, self._epoch_sum,
                self._epoch_count, self.rng.bit_generator.state, self.batch_size,
                len(h.iter_loss), len(h.epoch_train), len(h.epoch_val), len(h.epoch_iteration))

    def rewind(self, mark: tuple[Any, ...]) -> None:
        """Go back to a ``mark``: counts, epoch position, shuffle state and history."""
        (self.iteration, self.epoch, self._pos, self._perm, self._epoch_sum,
         self._epoch_count, rng, self.batch_size, n_it, n_tr, n_val, n_ep) = mark
        self.rng.bit_generator.state = rng
        self._last_idx = self._last_grads = None   # the iteration taken back is not the latest
        h = self.history
        del h.iter_loss[n_it:], h.epoch_train[n_tr:], h.epoch_val[n_val:]
        del h.epoch_iteration[n_ep:]

    def loss_on_all(self) -> float:
        """C on the whole training set, in chunks of ``LOSS_CHUNK`` samples: the records
        of one forward pass over 60 000 samples of 784-512-512-10 held ~1 GB."""
        N, X, Y = self.n_samples, self.X, self.Y
        if N <= LOSS_CHUNK:
            return self.net.loss_of(self.net.forward(X, check=False), Y)
        total = 0.0
        for i in range(0, N, LOSS_CHUNK):
            Xc, Yc = X[:, i:i + LOSS_CHUNK], Y[:, i:i + LOSS_CHUNK]
            total += self.net.loss_of(self.net.forward(Xc, check=False), Yc) * Xc.shape[1]
        return total / N   # C is the mean over samples: the chunks' means, weighted

    def _start_run(self) -> float:
        """Measure C₀ (first run only), make where this run starts a safe point; C₀."""
        self._run_start = self.epoch
        if self._c0 is None:
            with np.errstate(over="ignore", invalid="ignore"):
                c0 = self.loss_on_all()
            self._c0 = c0 if math.isfinite(c0) else math.inf
        # Where training started counts as an epoch: a first epoch 10⁴ × C₀ has diverged.
        self._best = min(self.history.epoch_train, default=self._c0)
        self._best = min(self._best, self._c0)
        # Weights changed since the last safe point (stepped, loaded, edited): start here.
        now = self.net.params()
        if self._good is None or any(a is not b for pa, pb in zip(now, self._good[0],
                                                                     strict=True)
                                     for a, b in zip(pa, pb, strict=True)):
            self._good = self._snapshot()
        self._candidate = self._snapshot()
        return self._c0

    def _snapshot(self) -> tuple[list[tuple[Array, Array]], dict[str, Any], int]:
        """The weights now (and the optimizer's state): a possible point to go back to."""
        # The engine never writes weights in place (each update makes new arrays), so
        # references are a snapshot; the optimizer's state_dict copies its arrays.
        return [(W, b) for W, b in self.net.params()], self.optimizer.state_dict(), self.epoch

    def _diverged(self, at: str | None, loss: float, why: str = "") -> None:
        """Go back to the last safe point and raise TrainingDiverged with one message."""
        if at is None:
            at = f"iteration {self.iteration + 1} (epoch {self.epoch + 1})"
        assert self._good is not None
        self._last_idx = self._last_grads = None   # the weights go back: no batch matches them
        params, opt_state, epoch = self._good
        self.net.set_params_ref(params)
        lr = self.optimizer.lr      # α may have been changed since: keep the one in use
        self.optimizer.load_state_dict(opt_state)
        self.optimizer.lr = lr
        # The interrupted epoch is dropped: the next run starts a fresh one.
        self._perm, self._pos = None, 0
        self._epoch_sum, self._epoch_count = 0.0, 0
        raise TrainingDiverged(self._diverged_message(at, loss, why, epoch), kept_epoch=epoch)

    def refusal_message(self, loss: float) -> str:
        """Why a walked update was refused (its loss, a gradient or a weight not finite)."""
        lr = self.optimizer.lr
        return (f"the update of iteration {self.iteration + 1} was refused: the loss became "
                f"{loss:.3g}, and the weights would not be finite numbers. The weights were "
                f"kept. α = {lr:g} is too large: train with a smaller learning rate, "
                f"e.g. α = {lr / 10:g}.")

    def _diverged_message(self, at: str, loss: float, why: str, kept_epoch: int) -> str:
        lr = self.optimizer.lr
        where = ("where this run started" if kept_epoch == self._run_start
                 else f"at the end of epoch {kept_epoch}, before the loss began to grow")
        grew = f"the loss reached {loss:.3g}" + (f" ({why})" if why else "")
        return (f"training diverged at {at}: {grew}. The weights were set back to those {where}. "
                f"α = {lr:g} is too large: train with a smaller learning rate, "
                f"e.g. α = {lr / 10:g}.")

    def state_at(self, mark: tuple[Any, ...]) -> dict[str, Any]:
        """What ``state_dict`` returned when ``mark`` was taken (the history cut back)."""
        (iteration, epoch, pos, perm, epoch_sum, epoch_count, rng, batch_size,
         n_it, n_tr, n_val, n_ep) = mark
        h = self.history
        return {"iteration": iteration, "epoch": epoch, "pos": pos,
                "perm": None if perm is None else perm.copy(), "epoch_sum": epoch_sum,
                "epoch_count": epoch_count, "rng": rng, "batch_size": batch_size,
                "history": {"iter_loss": h.iter_loss[:n_it], "epoch_train": h.epoch_train[:n_tr],
                            "epoch_val": h.epoch_val[:n_val],
                            "epoch_iteration": h.epoch_iteration[:n_ep]}}

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

    def check_state(self) -> None:
        """``ValueError`` unless a loaded state is one this trainer could have reached."""
        N = self.n_samples
        if not 1 <= self.batch_size <= N:
            raise ValueError(f"batch size {self.batch_size} is outside 1..{N}")
        if not 0 <= self._pos < N:
            raise ValueError(f"the position in the epoch ({self._pos}) is outside 0..{N - 1}")
        if self._perm is not None and not np.array_equal(np.sort(self._perm), np.arange(N)):
            raise ValueError("the shuffle order is not a permutation of the samples")
        if self.iteration < 0 or self.epoch < 0:
            raise ValueError("the iteration and epoch counts must be ≥ 0")
