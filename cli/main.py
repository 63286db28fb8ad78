"""``train``, ``gradcheck`` and ``walkthrough``: the engine without a window.

Exit status: 0 success; 2 bad input (one line on stderr naming the file or
option and the problem, never a traceback); 1 an internal error (or, for
``gradcheck``, a gradient that fails the numerical check); 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from engine import Network, check_lr
from engine.datasets import class_labels
from engine.experiment import DEFAULT_BATCH, Experiment
from engine.fileio import BadFileError, load_spec_file, save_spec_file, writable_target
from engine.history_csv import write_history_csv

from .args import ArgParser, UsageError, int_in_range

PROG = "backprop-lens"
EXPORT_TYPES = (".png", ".svg", ".csv")
MAX_EPOCHS = 1_000_000
MAX_SEED = 2**63 - 1   # the data sets' generator takes no more
GRADCHECK_ENTRIES = 200   # per W_ℓ / b_ℓ: 64-512-512-10 then answers in seconds


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _positive_int(name: str, hi: int) -> Any:
    return int_in_range(name, 1, hi)


def _lr(text: str) -> float:
    try:
        return check_lr(text, "learning rate")
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _size(text: str) -> tuple[int, int]:
    from gui.loss_export import parse_size  # Qt-free: Qt loads only to draw a picture

    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _int_list(text: str) -> list[int]:
    try:
        out = [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--layers must be whole numbers separated by commas, "
                                         f"e.g. 2,8,8,1; got {text!r}") from None
    if len(out) < 2:
        raise argparse.ArgumentTypeError("--layers needs at least an input and an output size")
    return out


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of both commands."""
    from engine.datasets import DATASETS
    from engine.losses import LOSSES
    from engine.optim import OPTIMIZERS

    p = ArgParser(prog=PROG, description="Backprop Lens without a window.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ArgParser)

    def common(sp: argparse.ArgumentParser) -> None:
        net = sp.add_argument_group("network (default: input, 8 tanh units, output)")
        g = net.add_mutually_exclusive_group()
        g.add_argument("--spec", metavar="NET.json", help="network spec (JSON) with weights")
        g.add_argument("--layers", type=_int_list, metavar="N0,...,NL",
                       help="layer sizes, e.g. 2,8,8,1")
        net.add_argument("--activations", metavar="A1,...,AL",
                         help="one activation per layer after the input, e.g. tanh,tanh,sigmoid")
        net.add_argument("--loss", choices=LOSSES, help="cost function (default: the spec's, "
                         "else squared, the seed's; cross_entropy for a softmax output)")
        net.add_argument("--seed", type=int_in_range("--seed", 0, MAX_SEED), default=None,
                         help="seed of the initial weights, the data and the shuffling (0)")
        data = sp.add_argument_group("data (default: moons)")
        d = data.add_mutually_exclusive_group()
        d.add_argument("--dataset", choices=DATASETS)
        d.add_argument("--data", metavar="FILE.csv", help="your own data: inputs then targets")
        data.add_argument("--samples", type=_positive_int("--samples", 100_000), default=200,
                          help="samples of a generated data set (200)")
        data.add_argument("--noise", type=float, default=0.1, help="noise of a generated set")
        data.add_argument("--label-column", action="store_true",
                          help="the CSV's last column is a class label 0..n_L-1 (one-hot encoded)")
        data.add_argument("--standardize", action="store_true",
                          help="scale the CSV inputs to mean 0, std 1")

    t = sub.add_parser("train", help="train and save the result",
                       description="Train a network headless; see docs/files-and-commands.md.")
    common(t)
    t.add_argument("--session", metavar="IN.bplens",
                   help="continue a saved session (its network, data and optimizer)")
    t.add_argument("--epochs", type=_positive_int("--epochs", MAX_EPOCHS), default=10)
    t.add_argument("--lr", type=_lr, default=None, help="learning rate α (0.1)")
    t.add_argument("--batch-size", type=_positive_int("--batch-size", 10_000_000), default=32)
    t.add_argument("--optimizer", choices=OPTIMIZERS, default=None, help="update rule (sgd)")
    t.add_argument("--save-spec", metavar="OUT.json", help="write the trained network spec")
    t.add_argument("--save-session", metavar="OUT.bplens", help="write a session for the app")
    t.add_argument("--export-loss", nargs="+", metavar="FILE",
                   help="loss plot(s): .png, .svg or .csv, several allowed")
    t.add_argument("--log-y", action="store_true", help="log-scale loss axis in PNG/SVG")
    t.add_argument("--export-grad-norms", metavar="NORMS.csv",
                   help="per iteration and layer: ‖∂C/∂W‖, mean ‖δ‖, update ratio (CSV)")
    t.add_argument("--size", type=_size, default=None, metavar="WxH",
                   help="PNG/SVG size of --export-loss in pixels (1600x900)")
    g = sub.add_parser("gradcheck", help="compare backprop gradients with finite differences")
    common(g)
    g.add_argument("--max-samples", type=_positive_int("--max-samples", 100_000), default=32,
                   help="samples used for the check (32)")
    g.add_argument("--max-entries", type=_positive_int("--max-entries", 10**9),
                   default=GRADCHECK_ENTRIES, metavar="K",
                   help=f"check a seeded random sample of at most K entries of each W_ℓ and "
                        f"b_ℓ ({GRADCHECK_ENTRIES}); each entry costs two forward passes")
    g.add_argument("--all", action="store_true",
                   help="check every entry, however long it takes")
    from .compare import add_parser as add_compare
    from .walkthrough import add_parser
    add_parser(sub, common, _lr)
    add_compare(sub, common)
    return p


# --- building the network and the data ---------------------------------------


@dataclass
class Problem:
    """What the options describe: an experiment, and where its data came from."""

    experiment: Experiment
    data_name: str

    @property
    def net(self) -> Network:
        return self.experiment.net

    @property
    def X(self) -> np.ndarray:
        return self.experiment.dataset.X

    @property
    def Y(self) -> np.ndarray:
        return self.experiment.dataset.Y

    @property
    def X_val(self) -> np.ndarray | None:
        ds = self.experiment.dataset
        return ds.X_val if ds.X_val.shape[1] else None

    @property
    def Y_val(self) -> np.ndarray | None:
        ds = self.experiment.dataset
        return ds.Y_val if ds.Y_val.shape[1] else None

    @property
    def kind(self) -> str:
        return self.experiment.dataset.kind


def _default_output(kind: str, n_out: int, loss: str | None) -> tuple[str, str]:
    """(output activation, loss) fitting the data when the user did not say."""
    # The seed's squared loss is the default, as in the app; softmax has no
    # elementwise σ', so a softmax output goes with cross-entropy.
    if kind == "classification":
        if n_out > 1:
            return "softmax", loss or "cross_entropy"
        return "sigmoid", loss or "squared"
    return "identity", loss or "squared"


def _layers_spec(sizes: list[int], acts: str | None, loss: str | None, seed: int,
                 kind: str) -> dict[str, Any]:
    n_layers = len(sizes) - 1
    out_act, loss_name = _default_output(kind, sizes[-1], loss)
    if acts is None:
        names = ["tanh"] * (n_layers - 1) + [out_act]
    else:
        names = [a.strip() for a in acts.split(",")]
        if len(names) != n_layers:
            raise UsageError(f"--activations has {len(names)} entries but --layers defines "
                             f"{n_layers} layers after the input")
    spec = {"input_size": sizes[0], "loss": loss_name, "seed": seed,
            "layers": [{"units": n, "activation": a} for n, a in zip(sizes[1:], names,
                                                                     strict=True)]}
    try:
        Network.from_spec(spec)
    except ValueError as e:
        raise UsageError(f"--layers/--activations: {e}") from None
    return spec


def _load_data(args: argparse.Namespace, spec: dict[str, Any] | None, seed: int) -> Any:
    """A Dataset from --dataset or --data, shaped for ``spec`` when there is one."""
    from engine.csv_data import load_csv, preview
    from engine.datasets import Dataset, make_dataset

    if args.data is None:
        try:
            return make_dataset(args.dataset or "moons", n_samples=args.samples,
                                noise=args.noise, seed=seed)
        except ValueError as e:
            raise UsageError(f"--dataset: {e}") from None
    n_in = n_out = None
    label = args.label_column
    if spec is not None:
        n_in, n_out = spec["input_size"], spec["layers"][-1]["units"]
    elif args.layers is not None:
        n_in, n_out = args.layers[0], args.layers[-1]
    if n_in is not None and n_out is not None:
        # A CSV with one column fewer than inputs+outputs carries class labels.
        if not label and n_out > 1 and preview(args.data, rows=1).n_columns == n_in + 1:
            label = True
    csvd = load_csv(args.data, n_inputs=n_in, n_outputs=n_out, label_column=label,
                    standardize=args.standardize, progress=_ReadProgress(args.data, sys.stderr))
    return Dataset.from_arrays(csvd.X, csvd.Y, name=Path(args.data).name, kind=csvd.kind)


def build_problem(args: argparse.Namespace, **settings: Any) -> Problem:
    """The experiment the options describe; raises UsageError / BadFileError.

    ``settings`` go to ``Experiment.build`` (lr, batch_size, optimizer, sample).
    """
    seed = 0 if args.seed is None else args.seed
    if seed < 0:
        raise UsageError(f"--seed must be ≥ 0, got {seed}")
    spec: dict[str, Any] | None = None
    if args.spec is not None:
        spec = load_spec_file(args.spec)
        if args.seed is not None:
            spec["seed"] = args.seed
        if args.loss is not None:
            spec["loss"] = args.loss
        if args.activations is not None:
            raise UsageError("--activations goes with --layers; a --spec names its own")
    ds = _load_data(args, spec, seed)
    if spec is None:
        sizes = args.layers or [ds.input_size, 8, ds.output_size]
        spec = _layers_spec(sizes, args.activations, args.loss, seed, ds.kind)
    where = args.spec or "--layers"
    try:
        net = Network.from_spec(spec)
    except ValueError as e:
        raise BadFileError(args.spec, f"bad network spec: {e}") if args.spec \
            else UsageError(f"{where}: {e}") from None
    source = args.data or f"data set {ds.name}"
    if ds.input_size != net.input_size or ds.output_size != net.sizes[-1]:
        raise UsageError(f"{source} has {_plural(ds.input_size, 'input')} and "
                         f"{_plural(ds.output_size, 'target')} but the network ({where}) has "
                         f"{_plural(net.input_size, 'input')} and "
                         f"{_plural(net.sizes[-1], 'output')}")
    settings.setdefault("sample", None)
    settings["batch_size"] = min(int(settings.get("batch_size", DEFAULT_BATCH)),
                                 int(ds.X.shape[1]))
    try:
        ex = Experiment.build(spec, ds, **settings)
    except ValueError as e:
        raise UsageError(str(e)) from None
    return Problem(ex, str(source))


# --- progress ------------------------------------------------------------------


class Progress:
    """A bar on a terminal, plain periodic lines otherwise (both on stderr)."""

    def __init__(self, stream: TextIO, epochs: int, first_epoch: int = 0):
        self.stream, self.epochs, self.first = stream, epochs, first_epoch
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.every = max(1, epochs // 20)
        self.last_draw = 0.0

    def update(self, epoch: int, loss: float, done: bool) -> None:
        e = epoch - self.first
        if self.tty:
            now = time.monotonic()
            if not done and now - self.last_draw < 0.1:
                return
            self.last_draw = now
            width = 30
            fill = int(width * e / self.epochs)
            self.stream.write(f"\r  epoch {e:>{len(str(self.epochs))}}/{self.epochs} "
                              f"[{'#' * fill}{'.' * (width - fill)}] loss {loss:.6g}  ")
            if e >= self.epochs:
                self.stream.write("\n")
        elif done and (e % self.every == 0 or e == self.epochs):
            self.stream.write(f"epoch {e}/{self.epochs}  loss {loss:.6g}\n")
        self.stream.flush()


# --- outputs -------------------------------------------------------------------


def _check_writable(path: str, option: str, exts: tuple[str, ...] | None = None) -> None:
    """Refuse an output path before training rather than after."""
    p = Path(path)
    if exts is not None and p.suffix.lower() not in exts:
        raise UsageError(f"{option} {path}: unknown file type {p.suffix or '(none)'!r}; "
                         f"use {', '.join(exts)}")
    try:
        writable_target(path)   # a folder, a device, a read-only file, a missing folder: now
    except BadFileError as e:
        raise BadFileError(e.path, f"cannot write ({option}): {e.problem}") from None


# --- the commands --------------------------------------------------------------


def cmd_train(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Train, report, and write the requested files."""
    from engine.gradient_health import GradNormRecorder
    from engine.session import load_session, save_session
    from engine.training import TrainingDiverged

    for path, opt in ((args.save_spec, "--save-spec"), (args.save_session, "--save-session")):
        if path:
            _check_writable(path, opt)
    for path in args.export_loss or []:
        _check_writable(path, "--export-loss", EXPORT_TYPES)
    if args.export_grad_norms:
        _check_writable(args.export_grad_norms, "--export-grad-norms", (".csv",))

    if args.session is not None:
        for name in ("spec", "layers", "dataset", "data", "activations", "loss", "optimizer"):
            if getattr(args, name) is not None:
                raise UsageError(f"--session continues a saved session; it cannot be "
                                 f"combined with --{name.replace('_', '-')}")
        session = load_session(args.session)
        ex = Experiment.from_session(session, args.session)
        if args.lr is not None:
            ex.set_lr(args.lr)
        source, view = ex.dataset.name, dict(session.view or {})
    else:
        prob = build_problem(args, lr=0.1 if args.lr is None else args.lr,
                             batch_size=args.batch_size, optimizer=args.optimizer or "sgd")
        ex, source, view = prob.experiment, prob.data_name, {}
    net, tr, N = ex.net, ex.trainer, ex.n_samples
    view["log_y"] = bool(args.log_y) or bool(view.get("log_y", False))

    progress = Progress(err, args.epochs, tr.epoch)
    start_iter, start_epoch, t0 = tr.iteration, tr.epoch, time.perf_counter()
    diverged = None
    norms = GradNormRecorder(net) if args.export_grad_norms else None
    try:
        for rec in tr.run(epochs=args.epochs, on_grads=norms):
            # an epoch's end shows the epoch's mean (set on every epoch-end record)
            epoch_mean = rec.train_loss if rec.epoch_done else None
            progress.update(rec.epoch, rec.loss if epoch_mean is None else epoch_mean,
                            rec.epoch_done)
    except TrainingDiverged as e:
        # The trainer kept the last finite weights: still write what was asked for.
        diverged = _one_line(e)   # the exception's name if its message is empty
        if progress.tty:
            err.write("\n")
        _finite_optimizer_state(tr.optimizer)
    seconds = time.perf_counter() - t0
    h = tr.history
    iters_per_epoch = max(1, -(-N // tr.batch_size))   # the trainer's ⌈N / B⌉ batches

    ex.after_training()
    if norms is not None:
        norms.write_csv(args.export_grad_norms)
    if args.save_spec:
        save_spec_file(args.save_spec, ex.spec())   # with its data set, for opening later
    if args.save_session:
        save_session(args.save_session, ex.to_session(view))
    plots = [p for p in args.export_loss or [] if Path(p).suffix.lower() != ".csv"]
    if args.export_loss and not (h.iter_loss or h.epoch_train or h.epoch_val):
        from gui.loss_export import EMPTY
        raise UsageError(f"--export-loss: {EMPTY}")
    for path in args.export_loss or []:
        if Path(path).suffix.lower() == ".csv":
            write_history_csv(h, path, iters_per_epoch)
    if plots:
        from gui.loss_plot import export_loss_plot  # Qt only when a picture is wanted
        for path in plots:
            try:
                export_loss_plot(h, path, log_y=args.log_y, iters_per_epoch=iters_per_epoch,
                                 width=args.size[0] if args.size else None,
                                 height=args.size[1] if args.size else None)
            except OSError as e:
                raise BadFileError(path, f"cannot write: {e.strerror or e}") from None

    arch = "-".join(map(str, net.sizes))
    acts = ",".join(ly.activation.name for ly in net.layers)
    first = h.iter_loss[start_iter] if len(h.iter_loss) > start_iter else float("nan")
    final = (h.epoch_train[-1] if h.epoch_train and diverged is None
             else h.iter_loss[-1] if h.iter_loss else float("nan"))
    out.write(f"trained {arch} ({acts}, loss {net.loss}) on {source} ({N} samples) "
              f"with {tr.optimizer.name}, lr {tr.optimizer.lr:g}, batch {tr.batch_size}\n")
    last = tr.epoch + (diverged is not None)   # a divergence ends inside an epoch
    line = (f"epochs {start_epoch + 1}..{last}, iterations {tr.iteration}, "
            f"{seconds:.2f} s; loss {first:.6g} -> {final:.6g}")
    if h.epoch_val:
        line += f", validation loss {h.epoch_val[-1]:.6g}"
    acc = _accuracy(net, tr.X, tr.Y)
    if acc is not None:
        line += f", training accuracy {100 * acc:.1f} %"
    out.write(line + "\n")
    for label, path in (("spec", args.save_spec), ("session", args.save_session)):
        if path:
            out.write(f"wrote {label} {path}\n")
    for path in args.export_loss or []:
        out.write(f"wrote loss plot {path}\n")
    if norms is not None:
        out.write(f"wrote gradient norms {args.export_grad_norms}\n")
    if diverged is not None:
        written = [p for p in (args.save_spec, args.save_session, *(args.export_loss or [])) if p]
        what = f" Wrote {', '.join(written)} with those weights." if written else ""
        err.write(f"{PROG} train: error: {diverged}{what}\n")
        return 2
    return 0


def _finite_optimizer_state(opt: Any) -> None:
    """After a divergence the moments may hold Inf (g² overflowed): forget them, so the
    saved session loads back (a session with v = Inf is refused)."""
    state = opt.state_dict()
    arrays = [a for v in state.values() if isinstance(v, list) for a in v]
    if not all(np.isfinite(a).all() for a in arrays):
        opt.reset()


def _accuracy(net: Network, X: np.ndarray, Y: np.ndarray) -> float | None:
    """Share of samples classified right, for one-hot or single 0/1 targets; else None."""
    if class_labels(Y) is None:
        return None
    if net.layers[-1].activation.name not in ("sigmoid", "softmax", "tanh"):
        return None
    A = net.predict(X)
    if Y.shape[0] == 1:
        cut = 0.0 if net.layers[-1].activation.name == "tanh" else 0.5
        return float(np.mean((A > cut) == (Y > 0.5)))
    return float(np.mean(A.argmax(axis=0) == Y.argmax(axis=0)))


class _ReadProgress:
    """'reading data.csv: 40 %' on stderr for files big enough to make one wait."""

    MIN_BYTES = 10_000_000

    def __init__(self, name: str, stream: TextIO):
        self.name, self.stream, self.shown = name, stream, -1
        self.tty = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int) -> None:
        if total < self.MIN_BYTES:
            return
        pct = 100 * done // total
        if pct // (1 if self.tty else 10) == self.shown:
            return
        self.shown = pct // (1 if self.tty else 10)
        end = ("\n" if pct == 100 else "") if self.tty else "\n"
        self.stream.write(f"{chr(13) if self.tty else ''}reading {self.name}: {pct} %{end}")
        self.stream.flush()


class _CheckProgress:
    """'checked 320/1,010 entries' on stderr: a live line on a terminal, else every ~10 %."""

    def __init__(self, stream: TextIO):
        self.stream, self.shown, self.last = stream, -1, 0.0
        self.tty = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.tty:
            if done < total and now - self.last < 0.1:
                return
            self.last = now
            self.stream.write(f"\r  checked {done:,}/{total:,} entries  "
                              + ("\n" if done == total else ""))
        else:
            tenth = 10 * done // total
            if tenth == self.shown:
                return
            self.shown = tenth
            self.stream.write(f"checked {done:,}/{total:,} entries\n")
        self.stream.flush()


def cmd_gradcheck(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the worst relative error per layer and pass/fail (exit 1 on fail)."""
    from engine.checks import gradient_check

    prob = build_problem(args)
    B = min(args.max_samples, prob.X.shape[1])
    K = None if args.all else args.max_entries
    seed = prob.net.seed
    res = gradient_check(prob.net, prob.X[:, :B], prob.Y[:, :B], max_entries=K, seed=seed,
                         progress=_CheckProgress(err))
    checked = sum(len(e.index) for e in res.entries)
    n_params = sum(math.prod(e.shape) for e in res.entries)
    out.write(f"gradient check of {'-'.join(map(str, prob.net.sizes))} "
              f"(loss {prob.net.loss}) on {B} samples of {prob.data_name}; "
              f"central differences, threshold {res.threshold:g}\n")
    if checked < n_params:
        out.write(f"checked {checked:,} of {n_params:,} entries: every entry of a W_ℓ or b_ℓ "
                  f"with at most {K:,}, else a random sample of {K:,} (seed {seed}); "
                  f"--all checks every one\n")
    else:
        out.write(f"checked all {n_params:,} entries\n")
    worst = res.worst_by_layer()
    for layer in sorted(worst):
        ok = "ok" if worst[layer] <= res.threshold else "FAIL"
        counts = ", ".join(f"{e.name} {len(e.index):,} of {math.prod(e.shape):,}"
                           for e in res.entries if e.layer == layer)
        out.write(f"  layer {layer}: worst relative error {worst[layer]:.3e}  {ok}  "
                  f"({counts})\n")
    out.write(("PASS" if res.passed else "FAIL") + f" (worst {res.worst:.3e})\n")
    return 0 if res.passed else 1


def run(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one command; returns the exit status (see the module docstring)."""
    out = out or sys.stdout
    err = err or sys.stderr
    cmd = argv[0] if argv and argv[0] in ("train", "gradcheck", "walkthrough", "compare") \
        else None
    prog = f"{PROG} {cmd}" if cmd else PROG
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:  # --help
            return int(e.code or 0)
        with np.errstate(all="ignore"):
            if args.command == "train":
                return cmd_train(args, out, err)
            if args.command == "walkthrough":
                from .walkthrough import cmd_walkthrough
                return cmd_walkthrough(args, out, err)
            if args.command == "compare":
                from .compare import cmd_compare
                return cmd_compare(args, out, err)
            return cmd_gradcheck(args, out, err)
    except (UsageError, ValueError) as e:  # BadFileError and the engine's ValueErrors
        err.write(f"{prog}: error: {_one_line(e)}\n")
        return 2
    except KeyboardInterrupt:
        err.write(f"{prog}: interrupted\n")
        return 130
    except Exception as e:  # a bug: say so in one line, details only on request
        if os.environ.get("BPLENS_DEBUG"):
            traceback.print_exc(file=err)
        err.write(f"{prog}: internal error: {type(e).__name__}: {_one_line(e)} "
                  f"(set BPLENS_DEBUG=1 for details)\n")
        return 1


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
