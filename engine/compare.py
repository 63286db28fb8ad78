"""Runs side by side from the same start.

A ``Base`` is one experiment: a network spec *with its initial weights*, the data, the
batch size, the shuffle seed, the optimizer and α. ``vary`` lists the fields to change
and their values; the runs are the product of those lists (at most ``MAX_RUNS``). Each
run trains from the very same W and b and sees the mini-batches in the same order (the
shuffle comes from the same seed), so any difference in the curves comes from what was
varied. A run that diverges keeps the losses it had and says so; the others go on.

Fields of ``vary``:

* ``optimizer``: sgd, momentum, adam
* ``lr``: a positive number (α)
* ``batch_size``: a whole number ≥ 1
* ``loss``: squared, half_squared, cross_entropy (the output layer must suit it)
* ``activations``: one name for every hidden layer (``relu``), or one per layer ℓ = 1..L
  joined by ``:`` (``tanh:tanh:sigmoid``)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .losses import LOSSES
from .network import Network, check_lr
from .optim import OPTIMIZERS, make_optimizer
from .training import History, Trainer, TrainingDiverged

Array = np.ndarray
MAX_RUNS = 8
VARY_FIELDS = ("optimizer", "lr", "batch_size", "loss", "activations")


@dataclass(frozen=True)
class Base:
    """The experiment every run starts from; ``spec`` must carry W and b of every layer."""

    spec: dict[str, Any]
    X: Array
    Y: Array
    X_val: Array | None = None
    Y_val: Array | None = None
    optimizer: str = "sgd"
    lr: float = 0.1
    batch_size: int = 32
    seed: int = 0
    loss: str | None = None          # None: the spec's
    activations: str | None = None   # None: the spec's

    @classmethod
    def from_network(cls, net: Network, X: Array, Y: Array, **kwargs: Any) -> Base:
        """A Base whose initial weights are ``net``'s current ones."""
        return cls(net.to_spec(), X, Y, **kwargs)


@dataclass
class Run:
    """One run: its settings, a label naming what differs, and after ``train`` its results."""

    label: str
    settings: Base
    history: History = field(default_factory=History)
    net: Network | None = None
    diverged: str | None = None       # the engine's message, if the run diverged
    iters_per_epoch: int = 0


def parse_value(name: str, text: str) -> Any:
    """One value of a vary field from text; ``ValueError`` naming the field and problem."""
    text = text.strip()
    if name == "optimizer":
        if text not in OPTIMIZERS:
            raise ValueError(f"--vary optimizer: unknown optimizer {text!r}; "
                             f"choose from {', '.join(OPTIMIZERS)}")
        return text
    if name == "lr":
        try:
            return check_lr(text, "--vary lr")
        except ValueError as e:
            raise ValueError(str(e)) from None
    if name == "batch_size":
        try:
            v = int(text)
        except ValueError:
            raise ValueError(f"--vary batch_size: {text!r} is not a whole number") from None
        if v < 1:
            raise ValueError(f"--vary batch_size must be ≥ 1, got {v}")
        return v
    if name == "loss":
        if text not in LOSSES:
            raise ValueError(f"--vary loss: unknown loss {text!r}; choose from "
                             f"{', '.join(LOSSES)}")
        return text
    for a in text.split(":"):
        if a not in ACTIVATIONS:
            raise ValueError(f"--vary activations: unknown activation {a!r}; choose from "
                             f"{', '.join(ACTIVATIONS)}")
    return text


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """Parse ``field=v1,v2,...`` into (field, values); ``ValueError`` naming the problem."""
    name, sep, values = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not values.strip():
        raise ValueError(f"--vary {text!r}: expected FIELD=VALUE[,VALUE...], e.g. lr=0.01,0.1")
    if name == "alpha":
        name = "lr"
    if name not in VARY_FIELDS:
        raise ValueError(f"--vary: unknown field {name!r}; choose from {', '.join(VARY_FIELDS)}")
    out = [parse_value(name, v) for v in values.split(",")]
    if len(set(map(str, out))) != len(out):
        raise ValueError(f"--vary {name}: a value is listed twice")
    return name, out


def _apply(base: Base, changes: dict[str, Any]) -> Base:
    """The base with some fields changed; checks that the network still makes sense."""
    new = replace(base, **changes)
    _network(new)
    return new


def _network(b: Base) -> Network:
    """The run's network: the base's W and b, with its loss and activations."""
    spec = {**b.spec, "layers": [dict(ly) for ly in b.spec["layers"]]}
    if b.loss is not None:
        spec["loss"] = b.loss
    if b.activations is not None:
        names = b.activations.split(":")
        L = len(spec["layers"])
        if len(names) == 1:   # one name: every hidden layer; the output keeps its own
            names = names * (L - 1) + [spec["layers"][-1]["activation"]]
        if len(names) != L:
            raise ValueError(f"activations {b.activations!r} names {len(names)} layers, "
                             f"the network has {L}")
        for ly, a in zip(spec["layers"], names, strict=True):
            ly["activation"] = a
    return Network.from_spec(spec)


def label_of(changes: dict[str, Any]) -> str:
    """What differs, e.g. 'optimizer=adam, lr=0.01'."""
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in changes.items()) or "base"


def make_runs(base: Base, vary: Sequence[tuple[str, Sequence[Any]]]) -> list[Run]:
    """One run per combination of the ``vary`` values (the product), at most ``MAX_RUNS``."""
    return runs_from_changes(base, vary_changes(vary))


def vary_changes(vary: Sequence[tuple[str, Sequence[Any]]]) -> list[dict[str, Any]]:
    """The product of the ``vary`` lists as one dict of changed fields per run (≤ MAX_RUNS)."""
    names = [n for n, _ in vary]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"--vary {sorted(dup)[0]} is given twice; list all its values once")
    count = int(np.prod([len(v) for _, v in vary])) if vary else 1
    if count > MAX_RUNS:
        raise ValueError(f"--vary makes {count} runs; at most {MAX_RUNS} can be compared")
    combos = itertools.product(*(values for _, values in vary))
    return [dict(zip(names, c, strict=True)) for c in combos]


def runs_from_changes(base: Base, changes: Sequence[dict[str, Any]]) -> list[Run]:
    """One run per dict of changed fields (e.g. the rows of the window's table)."""
    if len(changes) > MAX_RUNS:
        raise ValueError(f"{len(changes)} runs; at most {MAX_RUNS} can be compared")
    for layer in base.spec.get("layers", []):
        if "W" not in layer or "b" not in layer:
            raise ValueError("the base spec must carry the initial W and b of every layer")
    runs = []
    for ch in changes:
        unknown = [k for k in ch if k not in VARY_FIELDS]
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}; choose from {', '.join(VARY_FIELDS)}")
        try:
            settings = _apply(base, dict(ch))
        except ValueError as e:
            raise ValueError(f"run {label_of(ch)}: {e}") from None
        runs.append(Run(label_of(ch), settings))
    return runs


def train_runs(runs: Sequence[Run], epochs: int,
               progress: Callable[[int, Run], None] | None = None) -> None:
    """Train every run for ``epochs`` epochs from the shared start (fills history and net)."""
    for i, run in enumerate(runs):
        b = run.settings
        net = _network(b)
        tr = Trainer(net, b.X, b.Y, b.X_val, b.Y_val, optimizer=make_optimizer(b.optimizer, b.lr),
                     batch_size=b.batch_size, seed=b.seed, shuffle=True)
        run.net, run.history, run.iters_per_epoch = net, tr.history, tr.iterations_per_epoch
        try:
            for _ in tr.run(epochs):
                pass
        except TrainingDiverged as e:
            run.diverged = str(e)
        if progress is not None:
            progress(i, run)


def compare_csv_text(runs: Sequence[Run]) -> str:
    """Iteration losses, one column per run: ``iteration,<label 1>,<label 2>,...``.

    Row i holds each run's mini-batch loss at iteration i (before its update); a run
    with fewer iterations (a larger batch, or one that diverged) leaves its cells empty.
    """
    import csv
    import io

    n = max((len(r.history.iter_loss) for r in runs), default=0)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["iteration"] + [r.label for r in runs])
    for i in range(n):
        w.writerow([i + 1] + [repr(float(r.history.iter_loss[i]))
                              if i < len(r.history.iter_loss) else "" for r in runs])
    return buf.getvalue()


def read_compare_csv(text: str) -> dict[str, list[float]]:
    """Parse ``compare_csv_text`` output back into {label: losses}."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0][:1] != ["iteration"]:
        raise ValueError("not a comparison CSV (the first column must be 'iteration')")
    labels = rows[0][1:]
    out: dict[str, list[float]] = {lab: [] for lab in labels}
    for row in rows[1:]:
        for lab, cell in zip(labels, row[1:], strict=True):
            if cell:
                out[lab].append(float(cell))
    return out


def loss_curves(runs: Sequence[Run]) -> tuple[str, list[tuple[str, Array, Array]]]:
    """(x-axis name, [(label, x, loss)]) to overlay: iterations if all runs have the same
    iterations per epoch, else epochs (iteration i of a run at i / its iterations per epoch)."""
    same = len({r.iters_per_epoch for r in runs}) <= 1
    out = []
    for r in runs:
        y = np.asarray(r.history.iter_loss, dtype=float)
        x = np.arange(1, y.size + 1, dtype=float)
        if not same:
            x = x / max(r.iters_per_epoch, 1)
        out.append((r.label, x, y))
    return ("iteration" if same else "epoch"), out


def boundary_grids(runs: Sequence[Run], X: Array, resolution: int = 60
                   ) -> list[tuple[str, Array, Array, Array]]:
    """Each trained run's output over the plane of 2-input data X: [(label, xs, ys, score)].

    Same limits for all (the data's, padded), so the small multiples line up; empty for
    data that is not 2-D. ``score`` is ``engine.grid.GridValues.score`` (row i ↔ ys[i]).
    """
    from .grid import decision_grid, padded_limits

    if X.shape[0] != 2:
        return []
    lims = padded_limits(X)
    out = []
    for r in runs:
        if r.net is not None:
            xs, ys, v = decision_grid(r.net, lims[0], lims[1], resolution)
            out.append((r.label, xs, ys, v.score))
    return out


# --- runs as Experiments: the window's way (one way to build an experiment) ------------


def experiment_runs(ex: Any, changes: Sequence[dict[str, Any]]) -> list[tuple[Run, Any]]:
    """One run per dict of changed fields, each an ``Experiment`` copied from ``ex``.

    Every copy goes back to ``ex``'s initial weights with a fresh trainer (the same
    shuffle seed, so the same data order), then is changed only through the
    experiment's own methods (``set_architecture`` for activations, ``set_loss``,
    ``set_optimizer``, ``set_lr``, ``set_batch_size``), which refuse bad values.
    ``ex`` itself is never touched.
    """
    if len(changes) > MAX_RUNS:
        raise ValueError(f"{len(changes)} runs; at most {MAX_RUNS} can be compared")
    out = []
    for ch in changes:
        unknown = [k for k in ch if k not in VARY_FIELDS]
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}; choose from {', '.join(VARY_FIELDS)}")
        c = ex.copy()
        c.lock(())
        c.reset()
        try:
            if "activations" in ch:
                spec = c.net.to_spec()   # the initial weights, after reset
                names = _activation_names(str(ch["activations"]), spec)
                for ly, a in zip(spec["layers"], names, strict=True):
                    ly["activation"] = a
                c.set_architecture(spec)
            for name, method in (("loss", c.set_loss), ("optimizer", c.set_optimizer),
                                 ("lr", c.set_lr), ("batch_size", c.set_batch_size)):
                if name in ch:
                    method(ch[name])
        except ValueError as e:
            raise ValueError(f"run {label_of(ch)}: {e}") from None
        ds = c.dataset
        base = Base.from_network(c.net, ds.X, ds.Y, optimizer=c.optimizer_name, lr=c.lr,
                                 batch_size=c.batch_size, seed=c.net.seed)
        out.append((Run(label_of(ch), base, iters_per_epoch=c.trainer.iterations_per_epoch),
                    c))
    return out


def _activation_names(text: str, spec: dict[str, Any]) -> list[str]:
    names = text.split(":")
    L = len(spec["layers"])
    if len(names) == 1:   # one name: every hidden layer; the output keeps its own
        names = names * (L - 1) + [spec["layers"][-1]["activation"]]
    if len(names) != L:
        raise ValueError(f"activations {text!r} names {len(names)} layers, the network has {L}")
    return names


def train_experiment_runs(runs: Sequence[tuple[Run, Any]], epochs: int
                          ) -> Generator[tuple[int, int], None, None]:
    """Train each run's experiment ``epochs`` epochs; yield (run index, iteration) as it goes.

    A generator, so the window can run it in slices (never freezing) and stop it; each
    ``Run`` gets the experiment's network and history. A run that diverges keeps its
    losses and says so (``Run.diverged``); the others go on.
    """
    for i, (run, c) in enumerate(runs):
        run.net, run.history = c.net, c.history
        run.iters_per_epoch = c.trainer.iterations_per_epoch
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for rec in c.trainer.run(epochs):
                    yield i, rec.iteration
        except TrainingDiverged as e:
            run.diverged = str(e)
        c.after_training()
