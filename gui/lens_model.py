"""LensModel: the Qt adapter around one engine ``Experiment``.

It holds the experiment, calls its methods, and turns the ``Change`` each one
returns into one ``changed`` signal saying what changed (network, weights,
step, data, settings, history), emitted only after the experiment accepted the
change. Views redraw from the experiment when they hear it, never before.
A refused change emits ``error_occurred`` with the engine's message and nothing
else. Training runs the experiment's own trainer in chunks (TrainingController).
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QObject, pyqtSignal

from engine.experiment import DEFAULT_DATA, DEFAULT_SPEC, NETWORK_LOCKS, Change, Experiment
from engine.training import TrainingDiverged

__all__ = ["DEFAULT_DATA", "DEFAULT_SPEC", "Change", "LensModel"]


class LensModel(QObject):
    """One experiment and the signals the views listen to.

    Parameters
    ----------
    experiment : Experiment, optional
        Default: ``Experiment.build()`` (2-8-8-1 tanh, tanh, sigmoid on moons).

    Signals
    -------
    changed(Change) : what the last accepted change touched.
    notice(str) : something the user should be told (e.g. weights drawn anew).
    error_occurred(str) : a refused change; the experiment is as it was.
    training_started, training_paused, training_finished, training_failed(str),
    training_progressed(TrainRecord) : the background run.
    """

    changed = pyqtSignal(object)
    notice = pyqtSignal(str)
    error_occurred = pyqtSignal(str)
    training_started = pyqtSignal()
    training_progressed = pyqtSignal(object)
    training_paused = pyqtSignal()
    training_finished = pyqtSignal()
    training_failed = pyqtSignal(str)

    def __init__(self, experiment: Experiment | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.ex = experiment if experiment is not None else Experiment.build()
        self._controller: Any = None
        self._epochs_target: int | None = None
        self.run_start_epoch = 0
        # Called with each training iteration's gradients (Trainer.run's on_grads); None
        # costs nothing (the gradient-health dock sets it only while it is shown).
        self.on_grads: Any = None
        self._train_speed: float | None = None   # iterations per second; None: max

    # -- the experiment's state, read-only ------------------------------------------------
    @property
    def net(self):
        return self.ex.net

    @property
    def dataset(self):
        return self.ex.dataset

    @property
    def stepper(self):
        return self.ex.stepper

    @property
    def trainer(self):
        return self.ex.trainer

    @property
    def history(self):
        return self.ex.history

    @property
    def initial_params(self):
        return self.ex.initial_params

    @property
    def optimizer(self):
        return self.ex.optimizer

    @property
    def lr(self) -> float:
        return self.ex.lr

    @property
    def batch_size(self) -> int:
        return self.ex.batch_size

    @property
    def optimizer_name(self) -> str:
        return self.ex.optimizer_name

    @property
    def sample(self) -> int | None:
        return self.ex.sample

    @property
    def n_samples(self) -> int:
        return self.ex.n_samples

    @property
    def loss_name(self) -> str:
        return self.ex.net.loss

    @property
    def data_spec(self) -> dict[str, Any] | None:
        return self.ex.data_spec

    @property
    def is_training(self) -> bool:
        return self._controller is not None and bool(self._controller.is_running)

    @property
    def is_paused(self) -> bool:
        return self._controller is not None and bool(self._controller.is_paused)

    @property
    def epochs_target(self) -> int | None:
        return self._epochs_target

    def step_batch(self):
        """(X, Y) of the pass being stepped."""
        st = self.ex.stepper
        return st.X, st.Y

    def explain(self, quantity: str, layer: int, row: int, col: int) -> str | None:
        return self.ex.explain(quantity, layer, row, col)

    def status(self) -> dict[str, Any]:
        s = self.ex.status()
        s["training"] = "running" if self.is_training else "paused" if self.is_paused else None
        return s

    def work_token(self) -> tuple:
        return self.ex.work_token()

    # -- applying changes ------------------------------------------------------------------
    def _apply(self, fn, *args: Any, stop: bool = True, refuse: str | None = None) -> bool:
        """Run one experiment method; emit what changed, or the reason it was refused.

        ``stop``: a change that replaces what a background run trains ends that run,
        after the experiment accepted it (a refused change leaves the run going).
        """
        if refuse is not None and self._refuse_while_training(refuse):
            return False
        try:
            result = fn(*args)
        except (ValueError, TypeError, FloatingPointError) as e:
            self.error_occurred.emit(str(e))
            return False
        change = result[1] if isinstance(result, tuple) else result
        if stop and change:
            self._stop_quietly()
        self._emit(change)
        return True

    def _emit(self, change: Change) -> None:
        for text in self.ex.notices:
            self.notice.emit(text)
        self.ex.notices.clear()
        if change:
            self.changed.emit(change)

    def _refuse_while_training(self, what: str) -> bool:
        if self.is_training:
            self.error_occurred.emit(f"Pause or stop training before you {what}.")
            return True
        return False

    # -- stepping ------------------------------------------------------------------------------
    def step(self) -> bool:
        """Take the next step of the pass."""
        return self._apply(self.ex.step, stop=False, refuse="step")

    def step_back(self) -> bool:
        """Undo the last step (weights and the clock too); False when there is nothing to undo."""
        if self._refuse_while_training("step back"):
            return False
        change = self.ex.step_back()
        self._emit(change)
        return bool(change)

    def reset(self) -> bool:
        """Back to the initial weights; fresh optimizer, trainer, history and pass."""
        return self._apply(self.ex.reset)

    def new_seed(self, seed: int | None = None) -> bool:
        """New initial weights from a new seed (same architecture and data)."""
        return self._apply(self.ex.new_seed, seed)

    # -- editing by hand ------------------------------------------------------------------------
    def set_param(self, quantity: str, layer: int, row: int, col: int, value: Any) -> bool:
        """Set W_ℓ[row, col] or b_ℓ[row] (see ``Experiment.set_param``)."""
        return self._apply(self.ex.set_param, quantity, layer, row, col, value,
                           refuse="edit a weight")

    def undo_edit(self) -> bool:
        """Take back the last hand edit; False when there is none."""
        return self._edit_history(self.ex.undo_edit, "undo an edit")

    def redo_edit(self) -> bool:
        """Make the last undone hand edit again; False when there is none."""
        return self._edit_history(self.ex.redo_edit, "redo an edit")

    def _edit_history(self, fn, what: str) -> bool:
        if self._refuse_while_training(what):
            return False
        change = fn()
        self._emit(change)
        return bool(change)

    # -- settings ----------------------------------------------------------------------------
    def set_lr(self, lr: Any) -> bool:
        return self._apply(self.ex.set_lr, lr, stop=False)

    def set_batch_size(self, n: Any) -> bool:
        return self._apply(self.ex.set_batch_size, n)

    def set_optimizer(self, name: str) -> bool:
        return self._apply(self.ex.set_optimizer, name)

    def set_loss(self, loss: str) -> bool:
        return self._apply(self.ex.set_loss, loss)

    def select_sample(self, idx: int | None) -> bool:
        """Step one sample (a column of the data) or, with None, the trainer's mini-batch."""
        return self._apply(self.ex.select_sample, idx, stop=False, refuse="choose a sample")

    def set_architecture(self, spec: dict) -> bool:
        """A new network for the current data (the spec's weights, else from its seed)."""
        return self._apply(self.ex.set_architecture, spec)

    def set_experiment(self, spec: dict, data: dict) -> bool:
        """The editor's Apply: architecture and data at once, weights from the seed.

        A ``data`` name that is not a generator keeps the imported data set.
        """
        from engine.datasets import DATASETS
        current = self.ex.data_spec
        if data.get("name") not in DATASETS and current is None:
            return self._apply(self.ex.set_data, self.ex.dataset, spec)
        merged = dict(current or {})
        if merged.get("name") != data.get("name"):
            merged.pop("n_classes", None)
        merged.update(data)
        return self._apply(self.ex.set_data, merged, spec)

    def set_dataset(self, name: str, n: int | None = None, noise: float | None = None,
                    **extra: Any) -> bool:
        """A generated data set; the weights of layers whose shapes still fit are kept."""
        data = dict(self.ex.data_spec or {})
        if name != data.get("name"):
            data.pop("n_classes", None)
        data.update(name=name, **extra)
        if n is not None:
            data["n_samples"] = n
        if noise is not None:
            data["noise"] = noise
        return self._apply(self.ex.set_data, data)

    def set_imported_dataset(self, ds) -> bool:
        """An imported Dataset (CSV); the weights that still fit are kept."""
        return self._apply(self.ex.set_data, ds)

    def open_spec(self, spec: dict, where: str = "the spec") -> bool:
        """Open a network spec, keeping its weights (see ``Experiment.for_spec``)."""
        return self._replace_with(lambda: Experiment.for_spec(
            spec, self.ex, where, lr=self.ex.lr, optimizer=self.ex.optimizer_name),
            keep_locks=True)

    def replace_experiment(self, ex: Experiment) -> bool:
        """Adopt a whole new experiment (an example, a copy); an exercise's locks stay."""
        return self._replace_with(lambda: ex, keep_locks=True)

    def _replace_with(self, make, keep_locks: bool = False) -> bool:
        """``keep_locks``: a new network within an open exercise, refused if it locks one."""
        try:
            if keep_locks:
                self.ex.check_unlocked(*NETWORK_LOCKS)
            ex = make()
        except (ValueError, TypeError) as e:
            self.error_occurred.emit(str(e))
            return False
        self._stop_quietly()
        if keep_locks:
            ex.locked = self.ex.locked
        self.ex = ex
        self._emit(Change.ALL)
        return True

    # -- training --------------------------------------------------------------------------------
    def _ensure_controller(self):
        if self._controller is None:
            from .training_controller import TrainingController
            c = TrainingController(self)
            c.set_rate(self._train_speed)
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
        if epochs is not None and (isinstance(epochs, bool) or epochs < 1):
            self.error_occurred.emit(f"epochs must be at least 1, got {epochs}")
            return
        self._stop_quietly()   # a paused run ends here; the new one starts fresh
        self._epochs_target = epochs
        self.run_start_epoch = self.ex.trainer.epoch
        self._ensure_controller().start(self.ex.trainer, epochs, on_grads=self.on_grads)

    @property
    def train_speed(self) -> float | None:
        """Iterations per second training runs at; ``None``: as fast as it goes."""
        return self._train_speed

    def set_train_speed(self, rate: float | None) -> None:
        """Pace training at ``rate`` iterations per second (None: no limit); a run that
        is going changes speed at once. ``ValueError`` for a rate that is not > 0."""
        self._ensure_controller().set_rate(rate)   # checks the value first
        self._train_speed = rate

    def train_sync(self, epochs: int) -> None:
        """Train ``epochs`` epochs in this thread (screenshots, scripts); same records."""
        try:
            for _ in self.ex.trainer.run(epochs=epochs, on_grads=self.on_grads):
                pass
        except TrainingDiverged as e:
            self._emit(self.ex.after_training())
            self.training_failed.emit(str(e))
            return
        self._emit(self.ex.after_training())
        self.training_finished.emit()

    def pause(self) -> None:
        if self._controller is not None:
            self._controller.pause()

    def resume(self) -> None:
        if self._controller is not None:
            self._controller.resume()

    def stop_training(self) -> None:
        """Stop a background run, running or paused."""
        if self._controller is not None:
            self._controller.stop()

    def _stop_quietly(self) -> None:
        """End a run before the experiment changes under it (its end is still announced)."""
        if self._controller is not None and (self.is_training or self.is_paused):
            self._controller.stop()

    def shutdown(self) -> None:
        """Stop everything before the window closes."""
        self.stop_training()

    def _on_training_progress(self, rec) -> None:
        self.ex.last_train_loss = getattr(rec, "loss", self.ex.last_train_loss)
        self.training_progressed.emit(rec)

    def _on_training_paused(self) -> None:
        # While paused the student may step the next iteration; resuming trains on from
        # whatever the steps left (the same clock).
        self._emit(self.ex.after_training())
        self.training_paused.emit()

    def _on_training_finished(self) -> None:
        self._emit(self.ex.after_training())
        self.training_finished.emit()

    def _on_training_failed(self, message: str) -> None:
        self._emit(self.ex.after_training())
        self.training_failed.emit(message)

    # -- sessions ----------------------------------------------------------------------------
    def to_session(self, view: dict | None = None):
        """A Session (engine/session.py) holding everything needed to come back here."""
        return self.ex.to_session(view)

    def from_session(self, session, path=None) -> bool:
        """Restore from a Session; on any error the current experiment stays."""
        return self._replace_with(lambda: Experiment.from_session(session, path))
