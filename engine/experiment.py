"""One experiment: the network, its data, optimizer, trainer, stepper and history.

The window, the command line and session files all build and change an
experiment through this class, so there is one way to make one and one truth
about it.  It never imports Qt: the window wraps it in a thin adapter
(``gui/lens_model.py``) that turns the ``Change`` flags each method returns
into signals, so every view redraws once per change, after the change.

Every method that changes something validates first and raises ``ValueError``
(naming what is wrong) before touching anything: a refused change leaves the
experiment exactly as it was.

One clock: the stepper always walks the iteration training would take next
(the trainer's next mini-batch, or the sample the user picked), and finishing
a walked pass is one training iteration, counted and recorded in the history
like any other.  Stepping back over the update takes that iteration back.
"""

from __future__ import annotations

import math
import random
from collections import deque
from typing import Any

import numpy as np

from .change import Change
from .datasets import DATASETS, Dataset, default_lr
from .experiment_data import (
    _check_seed,
    _has_weights,
    builtin_data_for,
    clean_architecture,
    dataset_from_session,
    dataset_to_session,
    fit_spec,
    is_generated,
    make_data,
    spec_sizes,
)
from .hand_edits import HandEdits
from .network import Network, check_lr
from .optim import make_optimizer
from .stepper import MAX_HISTORY, StepKind, Stepper, StepRecord
from .training import Trainer, _finite
from .update_step import is_update_quantity

Array = np.ndarray

DEFAULT_SPEC: dict[str, Any] = {
    "input_size": 2, "loss": "squared", "seed": 0, "init": "xavier",
    "layers": [{"units": 8, "activation": "tanh"}, {"units": 8, "activation": "tanh"},
               {"units": 1, "activation": "sigmoid"}],
}
DEFAULT_DATA: dict[str, Any] = {"name": "moons", "n_samples": 200, "noise": 0.1, "seed": 0}
# α = 1: plain gradient descent on the squared loss moves slowly (σ' ≤ 1/4 at the
# output), so with 0.1 the moons boundary was still a straight line after 30 epochs.
DEFAULT_LR = 1.0
DEFAULT_BATCH = 32


class StepRefused(ValueError):
    """A step would have made the weights non-finite; nothing changed."""


class Locked(ValueError):
    """A change an exercise locks (``Experiment.locked``); nothing changed."""


# What an exercise can lock, and how a refusal names it.
LOCKABLE = ("architecture", "activations", "loss", "init", "seed", "data", "lr",
            "optimizer", "batch_size")
LOCK_NAMES = {"architecture": "the architecture", "activations": "the activations",
              "loss": "the loss", "init": "the initialisation", "seed": "the seed",
              "data": "the data set", "lr": "the learning rate α",
              "optimizer": "the optimizer", "batch_size": "the batch size"}
# Locks that a whole new network (an opened spec, an example) would break.
NETWORK_LOCKS = ("architecture", "activations", "loss", "init", "seed", "data")


# --- the experiment -----------------------------------------------------------------------


class Experiment(HandEdits):
    """Network, data, optimizer, trainer, stepper and history of one experiment.

    Build one with ``Experiment.build`` (or ``from_session``); change it only
    through its methods.  Each returns the ``Change`` it made; each raises
    ``ValueError`` and changes nothing when it refuses.

    Attributes
    ----------
    net : Network
        Trained and stepped in place.
    dataset : Dataset
        Training (and validation) data; the network's sizes fit it.
    initial_params : list of (W, b)
        What Reset returns to.
    trainer : Trainer
        The clock (iteration, epoch, shuffle order) and the loss history.
    stepper : Stepper
        The pass being walked: always the iteration training would take next.
    sample : int or None
        The sample stepped, or None for the trainer's next mini-batch.
    notices : list of str
        Things the user should be told (e.g. weights drawn anew); the adapter
        shows and clears them.
    """

    def __init__(self, net: Network, dataset: Dataset, *, lr: float = DEFAULT_LR,
                 batch_size: int = DEFAULT_BATCH, optimizer: str = "sgd",
                 sample: int | None = 0, initial_params: list[tuple[Array, Array]] | None = None,
                 weights_origin: str = "seed") -> None:
        if net.input_size != dataset.input_size or net.sizes[-1] != dataset.output_size:
            raise ValueError(f"the network ({net.input_size} inputs, {net.sizes[-1]} outputs) "
                             f"does not fit the data set {dataset.name} ({dataset.input_size} "
                             f"inputs, {dataset.output_size} targets)")
        self.net = net
        self.dataset = dataset
        self.lr = check_lr(lr)
        self.optimizer_name = optimizer
        self.optimizer = make_optimizer(optimizer, self.lr)
        N = self.n_samples
        self.batch_size = self._check_batch(batch_size, N)
        self.sample = self._check_sample(sample, N)
        self.initial_params = [(W.copy(), b.copy()) for W, b in
                               (initial_params if initial_params is not None else net.params())]
        probe = net.copy()
        probe.set_params(self.initial_params)   # the engine checks the shapes
        self.weights_origin = weights_origin   # "seed", "given" (a file, a click) or "trained"
        self.notices: list[str] = []
        self.locked: frozenset[str] = frozenset()   # what an open exercise forbids changing
        self.last_train_loss: float | None = None
        # Hand edits, for undo/redo: (quantity, layer, row, col, array before, array after).
        self._edits: list[tuple[Any, ...]] = []
        self._redo: list[tuple[Any, ...]] = []
        self._new_trainer()
        self._new_stepper()

    # -- building ----------------------------------------------------------------------------
    @classmethod
    def build(cls, spec: dict[str, Any] | None = None,
              data: dict[str, Any] | Dataset | None = None, **settings: Any) -> Experiment:
        """The one way to make an experiment from a spec and data.

        The network's input and output sizes follow the data where the spec
        gives no weights for them; given weights that do not fit are an error
        (never replaced silently).  ``settings``: lr, batch_size, optimizer, sample.
        """
        spec = DEFAULT_SPEC if spec is None else spec
        ds = make_data(DEFAULT_DATA if data is None else data)
        fitted, redrawn = fit_spec(spec, ds.input_size, ds.output_size)
        if redrawn:
            n_in, n_out = spec_sizes(spec)
            raise ValueError(f"the network's weights are for {n_in} inputs and {n_out} outputs "
                             f"but the data set {ds.name} has {ds.input_size} inputs and "
                             f"{ds.output_size} targets")
        net = Network.from_spec(fitted)
        net.extra.pop("data", None)   # the experiment's data is the truth; spec() writes it
        settings.setdefault("batch_size", min(DEFAULT_BATCH, int(ds.X.shape[1])))
        origin = "given" if _has_weights(spec) else "seed"
        return cls(net, ds, weights_origin=origin, **settings)

    @classmethod
    def for_spec(cls, spec: dict[str, Any], current: Experiment | None = None,
                 where: str = "the spec", **settings: Any) -> Experiment:
        """An experiment for an opened spec, keeping its weights whatever the data.

        The data: the current experiment's when the sizes fit, else the data set
        the spec records (``"data"``, written by ``train --save-spec``), else a
        built-in data set of the right sizes (a notice says so). When none fits,
        ``ValueError`` says plainly what does not fit.
        """
        n_in, n_out = spec_sizes(spec)
        recorded = spec.get("data")
        candidates: list[tuple[dict[str, Any] | Dataset, str | None]] = []
        if current is not None:
            candidates.append((current.dataset, None))
        if isinstance(recorded, dict) and recorded.get("name") in DATASETS:
            candidates.append((recorded, f"{where} was made with the data set "
                                         f"{recorded['name']}, which is loaded with it"))
        builtin = builtin_data_for(n_in, n_out)
        if builtin is not None:
            candidates.append((builtin, f"{where} has {n_in} inputs and {n_out} outputs: "
                                        f"the data set {builtin['name']} fits them and is "
                                        f"loaded with it"))
        for data, why in candidates:
            ds = make_data(data)
            if (ds.input_size, ds.output_size) == (n_in, n_out):
                ex = cls.build(spec, ds, **settings)
                if why is not None and (current is None or ds is not current.dataset):
                    ex.notices.append(why + ".")
                return ex
        have = "" if current is None else (
            f" but the data set {current.dataset.name} has {current.dataset.input_size} "
            f"inputs and {current.dataset.output_size} targets")
        raise ValueError(f"{where} has {n_in} inputs and {n_out} outputs{have}, and no "
                         f"built-in data set fits it. Import a CSV with {n_in} input and "
                         f"{n_out} target columns first (File → Import CSV), then open it "
                         f"again.")

    @classmethod
    def from_example(cls, name: str) -> Experiment:
        """A worked example (``engine.examples``) with its weights, data, α and sample.

        ``ValueError`` for an unknown name (listing the known ones) or a bad file.
        """
        from .examples import load_example

        example = load_example(name)
        if example.X is not None and example.Y is not None:
            data: dict[str, Any] | Dataset = Dataset.from_arrays(
                example.X, example.Y, name=example.name)
        else:
            data = dict(example.dataset or {})
        ex = cls.build(example.spec, data, lr=example.lr, optimizer=example.optimizer,
                       sample=example.sample)
        if example.sample is None:   # the whole batch, as the example's walkthrough does
            ex.set_batch_size(ex.n_samples)
        return ex

    def _new_trainer(self) -> None:
        ds = self.dataset
        has_val = ds.X_val.shape[1] > 0
        self.trainer = Trainer(self.net, ds.X, ds.Y,
                               X_val=ds.X_val if has_val else None,
                               Y_val=ds.Y_val if has_val else None,
                               optimizer=self.optimizer, batch_size=self.batch_size,
                               seed=self.net.seed, shuffle=True)
        self._marks: deque[tuple[Any, ...]] = deque(maxlen=MAX_HISTORY)

    def _new_stepper(self) -> None:
        """A fresh pass on the iteration training takes next."""
        X, Y, idx = self.pass_batch()
        self.stepper = Stepper(self.net, X, Y, optimizer=self.optimizer, lr=self.lr,
                               samples=idx)
        self._marks.clear()

    @staticmethod
    def _check_batch(n: Any, N: int) -> int:
        if isinstance(n, bool):
            raise ValueError(f"batch size must be a whole number, got {n!r}")
        try:
            n = int(n)
        except (TypeError, ValueError):
            raise ValueError(f"batch size must be a whole number, got {n!r}") from None
        if not 1 <= n <= N:
            raise ValueError(f"batch size must be between 1 and the {N} training samples, "
                             f"got {n}")
        return n

    @staticmethod
    def _check_sample(idx: Any, N: int) -> int | None:
        if idx is None:
            return None
        if isinstance(idx, bool) or isinstance(idx, float) and not idx.is_integer():
            raise ValueError(f"sample must be a whole number, got {idx!r}")
        try:
            idx = int(idx)
        except (TypeError, ValueError):
            raise ValueError(f"sample must be a whole number, got {idx!r}") from None
        if not 0 <= idx < N:
            raise ValueError(f"sample #{idx} does not exist; choose 0 to {N - 1}")
        return idx

    # -- reading -----------------------------------------------------------------------
    @property
    def n_samples(self) -> int:
        return int(self.dataset.X.shape[1])

    @property
    def history(self):
        """The trainer's History (iteration and epoch losses)."""
        return self.trainer.history

    @property
    def data_spec(self) -> dict[str, Any] | None:
        """``make_dataset`` arguments of generated data; None for imported data."""
        return dict(self.dataset.spec) if is_generated(self.dataset) else None

    def spec(self) -> dict[str, Any]:
        """The network spec with its current weights and, for generated data, the data set."""
        out = self.net.to_spec()
        if self.data_spec is not None:
            out["data"] = self.data_spec
        return out

    def pass_batch(self) -> tuple[Array, Array, Array]:
        """(X, Y, sample indices) of the iteration training takes next."""
        ds = self.dataset
        if self.sample is not None:
            idx = np.array([self.sample])
        else:
            idx = self.trainer.next_indices().copy()
        return ds.X[:, idx], ds.Y[:, idx], idx

    def explain(self, quantity: str, layer: int, row: int, col: int) -> str | None:
        """The engine's explanation of one cell, or None if it is not computed yet."""
        st = self.stepper
        if is_update_quantity(quantity):   # the update view's W before / step / after
            return None if st.update_step() is None else st.explain(quantity, layer, row, col)
        if quantity == "a" and layer == 0 or quantity == "y":
            return st.explain(quantity, layer, row, col)
        if not st.is_computed(quantity, layer):
            return None
        return st.explain(quantity, layer, row, col)

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

    def walk_current_pass(self, title: str = "", note: str = "", source: str = ""):
        """The pass now loaded as a ``Walkthrough`` (engine.walkthrough): the weights and
        optimizer state it started from, its batch, α and update rule, every step."""
        from .walkthrough import walk_pass

        params, opt_state, _trainer = self._pass_start()
        net = self.net.copy()
        net.set_params_ref(params)
        st = self.stepper
        return walk_pass(net, st.X, st.Y, lr=self.lr, optimizer=self.optimizer_name,
                         optimizer_state=opt_state, title=title, note=note, source=source)

    # -- stepping ------------------------------------------------------------------------------
    def step(self) -> tuple[StepRecord, Change]:
        """Take the next step of the pass; after its update, the next pass begins.

        The update is refused (``StepRefused``, nothing changed) when the loss, a
        gradient or a new weight would not be finite: the same guard as training.
        """
        st = self.stepper
        # Overflow on the way to a divergence is expected; the update guards by value.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if st.k == st.K:   # the next pass: the batch training takes next
                rec = st.next(self.pass_batch())
                return rec, Change.STEP
            if st.plan[st.k].kind is not StepKind.UPDATE:
                return st.next(), Change.STEP
        s = st.state
        loss = s.loss if s.loss is not None else float("nan")
        grads = [g for g in (*s.dW[1:], *s.db[1:]) if g is not None]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if not math.isfinite(loss) or not _finite(*grads):
                raise StepRefused(self.trainer.refusal_message(loss))
            mark = self.trainer.mark()
            rec = st.next()
            if not _finite(*(p for pair in self.net.params() for p in pair)):
                st.back()
                raise StepRefused(self.trainer.refusal_message(float("inf")))
        if self.sample is None:
            self.trainer.record_iteration(loss)
        else:
            self.trainer.record_single(loss, self.sample)
        self._marks.append(mark)
        self.last_train_loss = loss
        self.weights_origin = "trained"
        return rec, Change.STEP | Change.WEIGHTS | Change.HISTORY

    def step_back(self) -> Change:
        """Undo the last step (weights, optimizer and the clock too); NONE if nothing to undo."""
        st = self.stepper
        undoing_update = st.k == st.K
        if not st.back():
            return Change.NONE
        self.optimizer.lr = self.lr   # undoing an update restores the optimizer's old α too
        if not undoing_update:
            return Change.STEP
        if self._marks:
            self.trainer.rewind(self._marks.pop())
        return Change.STEP | Change.WEIGHTS | Change.HISTORY

    def jump(self, k: int) -> Change:
        """Walk to step ``k`` (0..K) of the current pass."""
        st = self.stepper
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= st.K:
            raise ValueError(f"step {k!r} is outside 0..{st.K}")
        change = Change.NONE
        while st.k > k:
            change |= self.step_back()
        while st.k < k:
            change |= self.step()[1]
        return change

    def reset(self) -> Change:
        """Back to the initial weights; fresh optimizer, trainer, history and pass."""
        self.net.set_params(self.initial_params)
        self.optimizer = make_optimizer(self.optimizer_name, self.lr)
        self.last_train_loss = None
        self.weights_origin = "seed"
        self._new_trainer()
        self._new_stepper()
        return Change.WEIGHTS | Change.STEP | Change.HISTORY | Change.SETTINGS

    def after_training(self) -> Change:
        """Training moved the weights and the clock: a fresh pass on the next iteration."""
        if self.trainer.history.iter_loss:
            self.last_train_loss = self.trainer.history.iter_loss[-1]
            self.weights_origin = "trained"
        self._new_stepper()
        return Change.WEIGHTS | Change.STEP | Change.HISTORY

    # -- locks (exercises) ---------------------------------------------------------------------
    def lock(self, names: Any) -> Change:
        """Forbid changing the named settings (``LOCKABLE``); an empty list unlocks all."""
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise ValueError("locks must be a list of names")
        unknown = [n for n in names if n not in LOCKABLE]
        if unknown:
            raise ValueError(f"cannot lock {unknown[0]!r}; choose from {', '.join(LOCKABLE)}")
        self.locked = frozenset(names)
        return Change.SETTINGS

    def check_unlocked(self, *names: str) -> None:
        """``Locked`` naming the first of ``names`` that the exercise locks."""
        for n in names:
            if n in self.locked:
                raise Locked(f"The exercise locks {LOCK_NAMES[n]}: it cannot be changed "
                             f"while the exercise is open.")

    def _check_spec_unlocked(self, spec: dict[str, Any]) -> None:
        """Refuse a new architecture spec that differs from the network in a locked way."""
        if not self.locked:
            return
        now = self.net.to_spec()
        layers = spec.get("layers") if isinstance(spec, dict) else None
        if not isinstance(layers, list) or not all(isinstance(ly, dict) for ly in layers):
            return   # malformed: the engine's validation names the problem
        sizes = [ly.get("units") for ly in layers]
        if sizes[:-1] != [ly["units"] for ly in now["layers"]][:-1]:
            self.check_unlocked("architecture")
        if [ly.get("activation") for ly in layers] != [ly["activation"] for ly in now["layers"]]:
            self.check_unlocked("activations")
        for key in ("loss", "init", "seed"):
            if spec.get(key, now.get(key)) != now.get(key):
                self.check_unlocked(key)

    # -- settings --------------------------------------------------------------------------------
    def set_lr(self, lr: Any) -> Change:
        """Set the learning rate α; the engine's ``check_lr`` decides what is valid."""
        lr = check_lr(lr)
        if lr != self.lr:
            self.check_unlocked("lr")
        if lr == self.lr:
            return Change.NONE
        self.lr = lr
        self.optimizer.lr = lr   # shared by the stepper and the trainer
        return Change.SETTINGS

    def set_batch_size(self, n: Any) -> Change:
        """Mini-batch size for training and for stepping the mini-batch."""
        n = self._check_batch(n, self.n_samples)
        if n == self.batch_size:
            return Change.NONE
        self.check_unlocked("batch_size")
        self.batch_size = n
        self.trainer.batch_size = n   # the trainer keeps its history and epoch count
        if self.sample is None:
            self._new_stepper()
            return Change.SETTINGS | Change.STEP
        self._marks.clear()
        return Change.SETTINGS

    def set_optimizer(self, name: str) -> Change:
        """Switch between optimizers; momentum and Adam state start fresh."""
        opt = make_optimizer(name, self.lr)
        if name == self.optimizer_name:
            return Change.NONE
        self.check_unlocked("optimizer")
        self.optimizer_name, self.optimizer = name, opt
        self.trainer.optimizer = opt
        self._new_stepper()
        return Change.SETTINGS | Change.STEP

    def select_sample(self, idx: int | None) -> Change:
        """Step one sample (a column of the data) or, with None, the trainer's mini-batch."""
        idx = self._check_sample(idx, self.n_samples)
        if idx == self.sample and self.stepper.k == 0:
            return Change.NONE
        self.sample = idx
        self._new_stepper()
        return Change.SETTINGS | Change.STEP

    def new_seed(self, seed: int | None = None) -> Change:
        """New initial weights from a new seed (same architecture and data)."""
        self.check_unlocked("seed")
        seed = random.randrange(2**31) if seed is None else _check_seed(seed)
        spec = self.net.to_spec(weights=False)
        spec["seed"] = seed
        return self._replace(Network.from_spec(spec), self.dataset)

    def set_loss(self, loss: str) -> Change:
        """Change the cost function, keeping the weights."""
        spec = self.net.to_spec(weights=False)
        if loss != spec["loss"]:
            self.check_unlocked("loss")
        spec["loss"] = loss
        Network.from_spec(spec)   # validates the pairing with the output activation
        net = self.net.snapshot()
        net.loss = spec["loss"]
        initial = self.initial_params
        change = self._replace(net, self.dataset, origin=self.weights_origin)
        self.initial_params = initial
        return change

    def set_architecture(self, spec: dict[str, Any]) -> Change:
        """A new network for the same data: the spec's weights, else drawn from its seed."""
        self._check_spec_unlocked(spec)
        fitted, _ = fit_spec(spec, self.dataset.input_size, self.dataset.output_size)
        net = Network.from_spec(fitted)
        return self._replace(net, self.dataset, origin="given" if _has_weights(spec) else "seed")

    def set_data(self, data: dict[str, Any] | Dataset, spec: dict[str, Any] | None = None
                 ) -> Change:
        """New data (generator arguments or an imported Dataset), optionally a new architecture.

        The weights of every layer whose shape still fits are kept; the others are
        drawn from the seed and a notice names them.  With ``spec`` (the editor's
        Apply) the architecture is the spec's and its weights are drawn from its seed.
        """
        if not (isinstance(data, dict) and data == self.data_spec) \
                and data is not self.dataset:
            self.check_unlocked("data")
        if spec is not None:
            self._check_spec_unlocked(spec)
        ds = make_data(data)
        if spec is None:
            fitted, redrawn = fit_spec(self.net.to_spec(weights=False), ds.input_size,
                                       ds.output_size, keep=self.net.params())
        else:
            fitted, redrawn = fit_spec(clean_architecture(spec), ds.input_size, ds.output_size)
            redrawn = []
        net = Network.from_spec(fitted)
        # Another built-in data set gets its own default α (sine diverges at 1.0), unless
        # the exercise locks α; the notice says so.
        new_name = data.get("name") if isinstance(data, dict) else None
        lr = self.lr
        if new_name in DATASETS and new_name != self.dataset.name and "lr" not in self.locked:
            lr = default_lr(new_name)
        keep_all = spec is None and not redrawn
        initial = self.initial_params if keep_all else None
        origin = self.weights_origin if keep_all or spec is None else "seed"
        if lr != self.lr:
            self.lr = lr   # before _replace makes the optimizer
            self.notices.append(f"α is now {lr:g}, the default for the data set {ds.name}.")
        change = self._replace(net, ds, origin=origin)
        if initial is not None:
            self.initial_params = initial
        if redrawn and len(redrawn) < net.L:
            self.notices.append(
                f"The data set {ds.name} has {ds.input_size} inputs and {ds.output_size} "
                f"targets: new weights were drawn from seed {net.seed} for layer"
                f"{'s' if len(redrawn) > 1 else ''} {', '.join(map(str, redrawn))}; the "
                f"other layers kept theirs.")
        elif redrawn:
            self.notices.append(
                f"The data set {ds.name} has {ds.input_size} inputs and {ds.output_size} "
                f"targets: no layer's weights fit any more, so all were drawn from seed "
                f"{net.seed}.")
        return change | Change.DATA

    def _replace(self, net: Network, ds: Dataset, origin: str = "seed") -> Change:
        """Adopt a new network (and data): fresh optimizer, trainer, history and pass."""
        if net.input_size != ds.input_size or net.sizes[-1] != ds.output_size:
            raise ValueError(f"the network ({net.input_size} inputs, {net.sizes[-1]} outputs) "
                             f"does not fit the data set {ds.name} ({ds.input_size} inputs, "
                             f"{ds.output_size} targets)")
        N = int(ds.X.shape[1])
        data_changed = ds is not self.dataset
        self.net, self.dataset = net, ds
        self.batch_size = min(self.batch_size, N)
        if self.sample is not None and self.sample >= N:
            self.sample = 0
        self.initial_params = [(W.copy(), b.copy()) for W, b in net.params()]
        self.optimizer = make_optimizer(self.optimizer_name, self.lr)
        self.last_train_loss = None
        self.weights_origin = origin
        self._new_trainer()
        self._new_stepper()
        change = Change.NETWORK | Change.WEIGHTS | Change.STEP | Change.HISTORY | Change.SETTINGS
        return change | Change.DATA if data_changed else change

    # -- copies and sessions ---------------------------------------------------------------
    def copy(self) -> Experiment:
        """An independent experiment in the same state (the data set is shared: read-only)."""
        return Experiment.from_session(self.to_session())

    def _pass_start(self) -> tuple[list[tuple[Array, Array]], dict[str, Any], dict[str, Any]]:
        """Weights, optimizer state and trainer state at the start of the current pass."""
        st, tr = self.stepper, self.trainer
        before = st.before_update()
        if before is None:
            return st.state.params, self.optimizer.state_dict(), tr.state_dict()
        params, opt_state = before
        d = tr.state_dict()
        if self._marks:
            d.update(tr.state_at(self._marks[-1]))
        return params, opt_state, d

    def to_session(self, view: dict[str, Any] | None = None):
        """A Session holding everything needed to come back to exactly this screen.

        The weights, optimizer and trainer are saved as they were when the current
        pass began, with the step k reached: loading walks the same k steps again.
        """
        from .session import Session
        params, opt_state, trainer = self._pass_start()
        probe = self.net.copy()
        probe.set_params_ref(params)
        spec = probe.to_spec()
        return Session(spec=spec,
                       initial_params=[(W.copy(), b.copy()) for W, b in self.initial_params],
                       optimizer={"name": self.optimizer_name, "lr": self.lr,
                                  "state": opt_state},
                       dataset=dataset_to_session(self.dataset),
                       trainer=trainer,
                       stepper={"sample": self.sample, "k": self.stepper.k,
                                "batch_size": self.batch_size,
                                "weights_origin": self.weights_origin},
                       view=dict(view or {}))

    @classmethod
    def from_session(cls, session: Any, path: Any = None) -> Experiment:
        """Rebuild an experiment from a Session; ``BadFileError`` naming the field if it
        does not fit together."""
        from .fileio import BadFileError

        def bad(what: str, e: BaseException | str) -> BadFileError:
            return BadFileError(path, f"{what} in the session does not fit: {e}")

        try:
            ds = dataset_from_session(session.dataset)
        except (ValueError, TypeError, KeyError) as e:
            raise bad("the data set", e) from None
        try:
            net = Network.from_spec(session.spec)
        except (ValueError, TypeError) as e:
            raise bad("the network spec", e) from None
        o = dict(session.optimizer or {})
        st = dict(session.stepper or {})
        t = dict(session.trainer or {})
        try:
            bs: Any = t.get("batch_size", st.get("batch_size", DEFAULT_BATCH))
            if isinstance(bs, int) and not isinstance(bs, bool):
                bs = min(bs, int(ds.X.shape[1]))   # the trainer trains "more than N" as N
            ex = cls(net, ds, lr=o.get("lr", DEFAULT_LR), optimizer=str(o.get("name", "sgd")),
                     batch_size=bs,
                     sample=st.get("sample", 0), initial_params=session.initial_params,
                     weights_origin=str(st.get("weights_origin", "given")))
        except (ValueError, TypeError) as e:
            raise bad("the settings", e) from None
        try:
            if o.get("state"):
                ex.optimizer.load_state_dict(o["state"])
                shapes = [p.shape for W, b in net.params() for p in (W, b)]
                for key, value in o["state"].items():
                    if isinstance(value, list) and [np.shape(v) for v in value] != shapes:
                        raise ValueError(f"{key} has shapes that differ from the network's")
        except (ValueError, TypeError, KeyError) as e:
            raise bad("the optimizer", e) from None
        try:
            if t:
                ex.trainer.load_state_dict(t)
                ex.trainer.check_state()
                ex.batch_size = ex.trainer.batch_size
        except (ValueError, TypeError, KeyError, OverflowError) as e:
            raise bad("the training state", e) from None
        ex._new_stepper()
        k = st.get("k", 0)
        try:
            ex.jump(k)
        except ValueError as e:
            raise bad("the stepper position", e) from None
        if ex.history.iter_loss:
            ex.last_train_loss = ex.history.iter_loss[-1]
        return ex
