"""LensModel: the thin Qt adapter between the engine and the window.

It owns the engine objects of one experiment (network, initial weights,
dataset, optimizer, stepper, trainer) and turns what they return into Qt
signals named as past-tense events.  It never computes anything itself: every
number a view shows comes from the engine's records (``stepper.state``,
``StepRecord``, ``TrainRecord``, ``History``).

Every setter validates through the engine first and changes nothing on error;
the engine's message is emitted as ``error_occurred(str)``.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from engine import Network, check_lr
from engine.optim import make_optimizer
from engine.stepper import Stepper
from engine.training import Trainer, TrainingDiverged

from .lens_build import (
    Experiment,
    build_experiment,
    clean_architecture,
    dataset_from_session,
    dataset_to_session,
    is_generated,
)

DEFAULT_SPEC: dict[str, Any] = {
    "input_size": 2, "loss": "squared", "seed": 0, "init": "xavier",
    "layers": [{"units": 8, "activation": "tanh"}, {"units": 8, "activation": "tanh"},
               {"units": 1, "activation": "sigmoid"}],
}
DEFAULT_DATA: dict[str, Any] = {"name": "moons", "n_samples": 200, "noise": 0.1, "seed": 0}
# α = 1: plain gradient descent on the squared loss moves slowly (σ' ≤ 1/4 at the
# output), so with 0.1 the moons boundary was still a straight line after 30 epochs.
# At 1.0 it is clearly curved by 30 and separates the training set by ~100 epochs.
DEFAULT_LR = 1.0
DEFAULT_BATCH = 32


class LensModel(QObject):
    """One experiment: the engine's objects plus the signals the views listen to.

    Parameters
    ----------
    spec : dict, optional
        Network spec (see docs/engine-api.md); input and output sizes follow
        the dataset.  Default: 2-8-8-1 tanh, tanh, sigmoid, squared loss, seed 0.
    data : dict, optional
        ``make_dataset`` arguments; default moons, 200 samples, noise 0.1.
    """

    step_taken = pyqtSignal(object)        # StepRecord
    state_changed = pyqtSignal()           # anything a view shows may have changed
    network_rebuilt = pyqtSignal()         # new Network object (architecture, seed, loss)
    dataset_changed = pyqtSignal()
    settings_changed = pyqtSignal()        # lr, batch size, optimizer, sample
    history_replaced = pyqtSignal()        # a new Trainer (and History) was made
    training_started = pyqtSignal()
    training_progressed = pyqtSignal(object)   # TrainRecord
    training_paused = pyqtSignal()
    training_finished = pyqtSignal()
    training_failed = pyqtSignal(str)
    error_occurred = pyqtSignal(str)

    def __init__(self, spec: dict | None = None, data: dict | None = None, parent=None):
        super().__init__(parent)
        self.lr = DEFAULT_LR
        self.batch_size = DEFAULT_BATCH
        self.optimizer_name = "sgd"
        self.sample: int | None = 0     # None = step the whole mini-batch
        self.last_train_loss: float | None = None
        self._controller = None
        self._epochs_target: int | None = None
        self._install(build_experiment(spec or DEFAULT_SPEC, data or DEFAULT_DATA))

    # -- construction -------------------------------------------------------
    def _install(self, ex: Experiment) -> None:
        """Adopt a fully built experiment (built first, so errors leave us untouched)."""
        self.net: Network = ex.net
        self.dataset = ex.dataset
        # Generated data is rebuilt from its spec; imported data is kept as is.
        self.data_spec = dict(ex.dataset.spec) if is_generated(ex.dataset) else ex.dataset
        self.initial_params = [(W.copy(), b.copy()) for W, b in ex.net.params()]
        if self.sample is not None and self.sample >= self.n_samples:
            self.sample = 0
        self.batch_size = min(self.batch_size, self.n_samples)
        self._new_optimizer()
        self.last_train_loss = None

    def _new_optimizer(self) -> None:
        self.optimizer = make_optimizer(self.optimizer_name, lr=self.lr)
        self._new_trainer()
        self._new_stepper()

    def _new_trainer(self) -> None:
        ds = self.dataset
        has_val = ds.X_val.shape[1] > 0
        self.trainer = Trainer(self.net, ds.X, ds.Y,
                               X_val=ds.X_val if has_val else None,
                               Y_val=ds.Y_val if has_val else None,
                               optimizer=self.optimizer, batch_size=self.batch_size,
                               seed=self.net.seed, shuffle=True)
        self.history_replaced.emit()

    def _new_stepper(self) -> None:
        X, Y = self.step_batch()
        self.stepper = Stepper(self.net, X, Y, optimizer=self.optimizer, lr=self.lr)

    # -- read-only views of the state --------------------------------------
    @property
    def history(self):
        """The trainer's History (iteration and epoch losses)."""
        return self.trainer.history

    @property
    def n_samples(self) -> int:
        return int(self.dataset.X.shape[1])

    @property
    def loss_name(self) -> str:
        return self.net.loss

    @property
    def is_training(self) -> bool:
        return self._controller is not None and bool(self._controller.is_running)

    def step_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """The columns the stepper works on: one sample, or the first mini-batch."""
        X, Y = self.dataset.X, self.dataset.Y
        if self.sample is not None:
            return X[:, [self.sample]], Y[:, [self.sample]]
        return X[:, :self.batch_size], Y[:, :self.batch_size]

    def explain(self, quantity: str, layer: int, row: int, col: int) -> str | None:
        """The engine's explanation of one cell, or None if it is not computed yet."""
        if not self.stepper.is_computed(quantity, layer):
            return None
        return self.stepper.explain(quantity, layer, row, col)

    def status(self) -> dict[str, Any]:
        """What the status bar shows, read from the stepper and the trainer."""
        st = self.stepper
        last = st.last
        nxt = st.plan[st.k] if st.k < st.K else None
        info = last if last is not None else nxt
        loss = st.state.loss if st.state.loss is not None else self.last_train_loss
        return {"phase": getattr(info, "phase", "forward"),
                "layer": getattr(info, "layer", None),
                "k": st.k, "K": st.K, "pass": st.state.pass_index,
                "epoch": self.trainer.epoch, "iteration": self.trainer.iteration,
                "loss": loss, "loss_is_step": st.state.loss is not None}

    def work_token(self) -> tuple:
        """What a saved session holds that stepping within a pass leaves unchanged.

        The network, its weight arrays (new arrays on every update; the engine never
        writes in place, so identity means the same numbers), the optimizer, the data
        set, the trainer and its iteration. Compared by identity (numbers by value).
        """
        arrays = tuple(a for W, b in self.net.params() for a in (W, b))
        return (self.net, *arrays, self.optimizer, self.dataset, self.trainer,
                self.trainer.iteration)

    # -- stepping -------------------------------------------------------------
    def step(self) -> None:
        """Take one small step of the pass (the next row of the seed's algorithm)."""
        if self._refuse_while_training("step"):
            return
        try:
            rec = self.stepper.next()
        except (ValueError, FloatingPointError, RuntimeError) as e:
            self.error_occurred.emit(str(e))
            return
        self.step_taken.emit(rec)
        self.state_changed.emit()

    def step_back(self) -> bool:
        """Undo the last step (weights too); False when there is nothing to undo."""
        if self._refuse_while_training("step back"):
            return False
        ok = bool(self.stepper.back())
        self.optimizer.lr = self.lr   # undoing an update restores the optimizer's old α too
        if ok:
            self.step_taken.emit(self.stepper.last)
            self.state_changed.emit()
        return ok

    def reset(self) -> None:
        """Back to the initial weights; fresh optimizer, stepper, trainer and history."""
        self.stop_training()
        self.net.set_params(self.initial_params)
        self.last_train_loss = None
        self._new_optimizer()
        self.step_taken.emit(None)
        self.state_changed.emit()

    def new_seed(self, seed: int | None = None) -> None:
        """Draw new initial weights from a new seed (same architecture and data)."""
        seed = random.randrange(2**31) if seed is None else seed
        spec = clean_architecture(self.net.to_spec())
        spec["seed"] = seed
        self._rebuild(spec, self.data_spec)

    # -- settings (validated by the engine) ----------------------------------
    def set_lr(self, lr: Any) -> bool:
        """Set the learning rate α; the engine's ``check_lr`` decides what is valid."""
        try:
            lr = check_lr(lr)
        except ValueError as e:
            self.error_occurred.emit(str(e))
            return False
        self.lr = lr
        self.optimizer.lr = lr   # shared by the stepper and the trainer
        self.settings_changed.emit()
        return True

    def set_batch_size(self, n: Any) -> bool:
        """Mini-batch size for training (and for stepping the whole mini-batch)."""
        try:
            n = int(n)
        except (TypeError, ValueError):
            self.error_occurred.emit(f"batch size must be a whole number, got {n!r}")
            return False
        if not 1 <= n <= self.n_samples:
            self.error_occurred.emit(
                f"batch size must be between 1 and the {self.n_samples} training samples, got {n}")
            return False
        if n == self.batch_size:
            return True
        self.stop_training()
        self.batch_size = n
        self.trainer.batch_size = n   # the trainer keeps its history and epoch count
        if self.sample is None:
            self._new_stepper()
        self.settings_changed.emit()
        self.state_changed.emit()
        return True

    def set_optimizer(self, name: str) -> bool:
        """Switch between ``OPTIMIZERS``; its state (momentum, Adam moments) starts fresh."""
        try:
            make_optimizer(name, lr=self.lr)
        except ValueError as e:
            self.error_occurred.emit(str(e))
            return False
        if name == self.optimizer_name:
            return True
        self.stop_training()
        self.optimizer_name = name
        self._new_optimizer()
        self.settings_changed.emit()
        self.state_changed.emit()
        return True

    def set_loss(self, loss: str) -> bool:
        """Change the loss, keeping the current weights."""
        spec = self.net.to_spec()
        spec["loss"] = loss
        try:
            net = Network.from_spec(spec)
        except ValueError as e:
            self.error_occurred.emit(str(e))
            return False
        self.stop_training()
        initial = self.initial_params
        self._install(Experiment(net, self.dataset))
        self.initial_params = initial
        self.network_rebuilt.emit()
        self.state_changed.emit()
        return True

    def set_architecture(self, spec: dict) -> bool:
        """Rebuild the network from a spec; sizes follow the dataset, weights from the seed
        unless the spec carries W and b."""
        return self._rebuild(spec, self.data_spec)

    def set_experiment(self, spec: dict, data: dict) -> bool:
        """Architecture and data at once (the editor's Apply); weights from the seed.

        A ``data`` name that is not a generator keeps the imported dataset.
        """
        from engine.datasets import DATASETS
        if data.get("name") not in DATASETS and not isinstance(self.data_spec, dict):
            return self._rebuild(clean_architecture(spec), self.dataset)
        merged = dict(self.data_spec) if isinstance(self.data_spec, dict) else {}
        if merged.get("name") != data.get("name"):
            merged.pop("n_classes", None)
        merged.update(data)
        return self._rebuild(clean_architecture(spec), merged)

    def set_dataset(self, name: str, n: int | None = None, noise: float | None = None,
                    **extra: Any) -> bool:
        """Generate a new dataset; the network's input and output sizes follow it."""
        data = dict(self.data_spec) if isinstance(self.data_spec, dict) else {}
        data.update(name=name, **extra)
        if name != data.get("name"):
            data.pop("n_classes", None)
        if n is not None:
            data["n_samples"] = n
        if noise is not None:
            data["noise"] = noise
        arch = clean_architecture(self.net.to_spec())
        return self._rebuild(arch, data, data_changed=True)

    def set_imported_dataset(self, ds) -> bool:
        """Use an imported Dataset (e.g. a CSV); sizes follow it, weights from the seed."""
        return self._rebuild(clean_architecture(self.net.to_spec()), ds, data_changed=True)

    def select_sample(self, idx: int | None) -> bool:
        """Step through one training sample (one column) or, with None, the mini-batch."""
        if idx is not None:
            try:
                idx = int(idx)
            except (TypeError, ValueError):
                self.error_occurred.emit(f"sample must be a whole number, got {idx!r}")
                return False
            if not 0 <= idx < self.n_samples:
                self.error_occurred.emit(
                    f"sample #{idx} does not exist; choose 0 to {self.n_samples - 1}")
                return False
        if self._refuse_while_training("choose a sample"):
            return False
        self.sample = idx
        self.stepper.set_batch(*self.step_batch())
        self.settings_changed.emit()
        self.step_taken.emit(None)
        self.state_changed.emit()
        return True

    def _rebuild(self, spec: dict, data: dict, data_changed: bool = False) -> bool:
        try:
            ex = build_experiment(spec, data)
        except ValueError as e:
            self.error_occurred.emit(str(e))
            return False
        self.stop_training()
        data_changed = data_changed or ex.dataset is not self.dataset
        self._install(ex)
        if data_changed:
            self.dataset_changed.emit()
        self.network_rebuilt.emit()
        self.step_taken.emit(None)
        self.state_changed.emit()
        return True

    # -- training --------------------------------------------------------------
    def _refuse_while_training(self, what: str) -> bool:
        if self.is_training:
            self.error_occurred.emit(f"Pause or stop training before you {what}.")
            return True
        return False

    def _ensure_controller(self):
        if self._controller is None:
            from .training_controller import TrainingController
            c = TrainingController(self)
            # Not epoch_finished: each one is followed, in the same flush, by a progress
            # carrying that record or a later one; passing both on redrew the window twice.
            c.progress.connect(self._on_training_progress)
            c.training_started.connect(self.training_started)
            c.training_paused.connect(self._on_training_paused)
            c.training_finished.connect(self._on_training_finished)
            c.training_failed.connect(self._on_training_failed)
            self._controller = c
        return self._controller

    def train(self, epochs: int | None = None) -> None:
        """Train in the background (never blocks): ``epochs`` more epochs, or until stopped."""
        if self.is_training:
            return
        self.stop_training()   # a paused run ends here; the new one starts fresh
        if epochs is not None and epochs < 1:
            self.error_occurred.emit(f"epochs must be at least 1, got {epochs}")
            return
        self._epochs_target = epochs
        self._ensure_controller().start(self.trainer, epochs)

    def train_sync(self, epochs: int) -> None:
        """Train ``epochs`` epochs in this thread (screenshots, scripts); same records."""
        try:
            for rec in self.trainer.run(epochs=epochs):
                self.last_train_loss = rec.loss
        except TrainingDiverged as e:
            self._after_training()
            self.training_failed.emit(str(e))
            return
        self._after_training()
        self.training_finished.emit()

    def pause(self) -> None:
        if self._controller is not None:
            self._controller.pause()

    def resume(self) -> None:
        if self._controller is not None:
            self._controller.resume()

    def stop_training(self) -> None:
        """Stop a background run, running or paused (the stepper moves to the trained weights)."""
        if self._controller is not None:
            self._controller.stop()

    def shutdown(self) -> None:
        """Stop everything before the window closes."""
        self.stop_training()

    @property
    def epochs_target(self) -> int | None:
        return self._epochs_target

    def _on_training_progress(self, rec) -> None:
        self.last_train_loss = getattr(rec, "loss", self.last_train_loss)
        self.training_progressed.emit(rec)

    def _after_training(self) -> None:
        # The stepper restarts its pass on the trained weights.
        self._new_stepper()
        self.step_taken.emit(None)
        self.state_changed.emit()

    def _on_training_paused(self) -> None:
        # While paused the student may step through the current weights; resuming
        # trains on from whatever the steps left.
        self._after_training()
        self.training_paused.emit()

    @property
    def is_paused(self) -> bool:
        return self._controller is not None and bool(self._controller.is_paused)

    def _on_training_finished(self) -> None:
        self._after_training()
        self.training_finished.emit()

    def _on_training_failed(self, message: str) -> None:
        self._after_training()
        self.training_failed.emit(message)

    # -- sessions ----------------------------------------------------------------
    def to_session(self, view: dict | None = None):
        """A Session (engine/session.py) holding everything needed to come back here."""
        from engine.session import Session
        return Session(spec=self.net.to_spec(),
                       initial_params=[(W.copy(), b.copy()) for W, b in self.initial_params],
                       optimizer={"name": self.optimizer_name, "lr": self.lr,
                                  "state": self.optimizer.state_dict()},
                       dataset=dataset_to_session(self.dataset),
                       trainer=self.trainer.state_dict(),
                       stepper={"sample": self.sample, "k": self.stepper.k,
                                "batch_size": self.batch_size},
                       view=dict(view or {}))

    def from_session(self, session) -> bool:
        """Restore from a Session; on any error the current experiment stays."""
        st = dict(session.stepper or {})
        opt = dict(session.optimizer or {})
        old = self.__dict__.copy()
        try:
            ex = build_experiment(session.spec, dataset_from_session(session.dataset))
            self.lr = check_lr(opt.get("lr", self.lr))
            self.optimizer_name = str(opt.get("name", "sgd"))
            make_optimizer(self.optimizer_name, self.lr)
            self.batch_size = int(st.get("batch_size", self.batch_size))
            sample = st.get("sample", 0)
            self.sample = None if sample is None else int(sample)
            probe = ex.net.copy()
            probe.set_params(session.initial_params)   # the engine checks the shapes
            self._install(ex)
            self.initial_params = probe.params()
            if opt.get("state"):
                self.optimizer.load_state_dict(opt["state"])
            if session.trainer:
                self.trainer.load_state_dict(session.trainer)
            self._new_stepper()
            self.stepper.jump(int(st.get("k", 0)))
        except (ValueError, TypeError, KeyError, IndexError) as e:
            self.__dict__.update(old)
            self.error_occurred.emit(f"cannot restore the session: {e}")
            return False
        self.history_replaced.emit()   # load_state_dict made a new History
        self.dataset_changed.emit()
        self.network_rebuilt.emit()
        self.settings_changed.emit()
        self.step_taken.emit(self.stepper.last)
        self.state_changed.emit()
        return True
