"""``train`` and ``gradcheck``: the engine without a window.

Exit status: 0 success; 2 bad input (one line on stderr naming the file or
option and the problem, never a traceback); 1 an internal error (or, for
``gradcheck``, a gradient that fails the numerical check); 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from engine import Network, check_lr
from engine.fileio import BadFileError, load_spec_file, save_spec_file
from engine.history_csv import write_history_csv

from .args import ArgParser, UsageError, int_in_range

PROG = "backprop-lens"
EXPORT_TYPES = (".png", ".svg", ".csv")
MAX_EPOCHS = 1_000_000


def _positive_int(name: str, hi: int) -> Any:
    return int_in_range(name, 1, hi)


def _lr(text: str) -> float:
    try:
        return check_lr(text, "learning rate")  # type: ignore[arg-type]
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
        net.add_argument("--seed", type=int, default=None,
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
    t.add_argument("--size", type=_size, default=None, metavar="WxH",
                   help="PNG/SVG size of --export-loss in pixels (1600x900)")
    g = sub.add_parser("gradcheck", help="compare backprop gradients with finite differences")
    common(g)
    g.add_argument("--max-samples", type=_positive_int("--max-samples", 100_000), default=32,
                   help="samples used for the check (32)")
    return p


# --- building the network and the data ---------------------------------------


@dataclass
class Problem:
    """What to train: the network, the data, and how to save the data in a session."""

    net: Network
    X: np.ndarray
    Y: np.ndarray
    X_val: np.ndarray | None
    Y_val: np.ndarray | None
    data_name: str
    kind: str
    session_dataset: dict[str, Any]


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
                    standardize=args.standardize)
    return Dataset.from_arrays(csvd.X, csvd.Y, name=Path(args.data).name, kind=csvd.kind)


def build_problem(args: argparse.Namespace) -> Problem:
    """Network and data from the options; raises UsageError / BadFileError."""
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
        raise UsageError(f"{source} has {ds.input_size} inputs and {ds.output_size} targets "
                         f"but the network ({where}) has {net.input_size} inputs and "
                         f"{net.sizes[-1]} outputs")
    if args.data is None:
        sds: dict[str, Any] = {"spec": dict(ds.spec)}
    else:
        sds = {"name": ds.name, "kind": ds.kind, "X": ds.X, "Y": ds.Y, "X_val": None,
               "Y_val": None}
    has_val = ds.X_val.shape[1] > 0
    return Problem(net, ds.X, ds.Y, ds.X_val if has_val else None,
                   ds.Y_val if has_val else None, str(source), ds.kind, sds)


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
    folder = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise BadFileError(path, f"cannot write ({option}): it is a folder")
    if not folder.is_dir():
        raise BadFileError(path, f"cannot write ({option}): the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise BadFileError(path, f"cannot write ({option}): the folder {folder} is not writable")


# --- the commands --------------------------------------------------------------


def cmd_train(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Train, report, and write the requested files."""
    from engine.optim import make_optimizer
    from engine.session import Session, load_session, restore, save_session
    from engine.training import Trainer, TrainingDiverged

    for path, opt in ((args.save_spec, "--save-spec"), (args.save_session, "--save-session")):
        if path:
            _check_writable(path, opt)
    for path in args.export_loss or []:
        _check_writable(path, "--export-loss", EXPORT_TYPES)

    if args.session is not None:
        for name in ("spec", "layers", "dataset", "data", "activations", "loss", "optimizer"):
            if getattr(args, name) is not None:
                raise UsageError(f"--session continues a saved session; it cannot be "
                                 f"combined with --{name.replace('_', '-')}")
        session = load_session(args.session)
        r = restore(session, args.session)
        net, tr, initial = r.net, r.trainer, session.initial_params
        if args.lr is not None:
            r.optimizer.lr = args.lr
        sds, source, view = session.dataset, r.data_name, dict(session.view or {})
        N = r.X.shape[1]
    else:
        prob = build_problem(args)
        net, N = prob.net, prob.X.shape[1]
        initial = [(W.copy(), b.copy()) for W, b in net.params()]
        try:
            optimizer = make_optimizer(args.optimizer or "sgd",
                                       0.1 if args.lr is None else args.lr)
            tr = Trainer(net, prob.X, prob.Y, X_val=prob.X_val, Y_val=prob.Y_val,
                         optimizer=optimizer, batch_size=args.batch_size,
                         seed=0 if args.seed is None else args.seed, shuffle=True)
        except ValueError as e:
            raise UsageError(str(e)) from None
        sds, source, view = prob.session_dataset, prob.data_name, {}
    view["log_y"] = bool(args.log_y) or bool(view.get("log_y", False))

    progress = Progress(err, args.epochs, tr.epoch)
    start_iter, t0 = tr.iteration, time.perf_counter()
    try:
        for rec in tr.run(epochs=args.epochs):
            progress.update(rec.epoch, rec.train_loss if rec.epoch_done else rec.loss,
                            rec.epoch_done)
    except TrainingDiverged as e:
        raise UsageError(str(e)) from None
    seconds = time.perf_counter() - t0
    h = tr.history
    iters_per_epoch = max(1, (tr.iteration - start_iter) // args.epochs)

    if args.save_spec:
        save_spec_file(args.save_spec, net.to_spec())
    if args.save_session:
        save_session(args.save_session, Session(
            spec=net.to_spec(), initial_params=initial,
            optimizer={"name": tr.optimizer.name, "lr": tr.optimizer.lr,
                       "state": tr.optimizer.state_dict()},
            dataset=sds, trainer=tr.state_dict(),
            stepper={"k": 0, "sample": None, "batch_size": tr.batch_size}, view=view))
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
    final = h.epoch_train[-1] if h.epoch_train else h.iter_loss[-1]
    out.write(f"trained {arch} ({acts}, loss {net.loss}) on {source} ({N} samples) "
              f"with {tr.optimizer.name}, lr {tr.optimizer.lr:g}, batch {tr.batch_size}\n")
    line = (f"epochs {tr.epoch - args.epochs + 1}..{tr.epoch}, iterations {tr.iteration}, "
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
    return 0


def _accuracy(net: Network, X: np.ndarray, Y: np.ndarray) -> float | None:
    """Share of samples classified right, for one-hot or single 0/1 targets; else None."""
    binary = bool(np.isin(Y, (0.0, 1.0)).all())
    if not binary or (Y.shape[0] > 1 and not (Y.sum(axis=0) == 1).all()):
        return None
    if net.layers[-1].activation.name not in ("sigmoid", "softmax", "tanh"):
        return None
    A = net.predict(X)
    if Y.shape[0] == 1:
        cut = 0.0 if net.layers[-1].activation.name == "tanh" else 0.5
        return float(np.mean((A > cut) == (Y > 0.5)))
    return float(np.mean(A.argmax(axis=0) == Y.argmax(axis=0)))


def cmd_gradcheck(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the worst relative error per layer and pass/fail (exit 1 on fail)."""
    from engine.checks import gradient_check

    prob = build_problem(args)
    B = min(args.max_samples, prob.X.shape[1])
    res = gradient_check(prob.net, prob.X[:, :B], prob.Y[:, :B], seed=prob.net.seed)
    out.write(f"gradient check of {'-'.join(map(str, prob.net.sizes))} "
              f"(loss {prob.net.loss}) on {B} samples of {prob.data_name}; "
              f"central differences, threshold {res.threshold:g}\n")
    for layer, worst in sorted(res.worst_by_layer().items()):
        ok = "ok" if worst <= res.threshold else "FAIL"
        out.write(f"  layer {layer}: worst relative error {worst:.3e}  {ok}\n")
    out.write(("PASS" if res.passed else "FAIL") + f" (worst {res.worst:.3e})\n")
    return 0 if res.passed else 1


def run(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one command; returns the exit status (see the module docstring)."""
    out = out or sys.stdout
    err = err or sys.stderr
    cmd = argv[0] if argv and argv[0] in ("train", "gradcheck") else None
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
