"""``compare``: train several runs from the same start and overlay their loss curves.

    backprop-lens compare [network and data options of train] --vary lr=0.01,0.1,1
                          [--vary optimizer=sgd,adam ...] --epochs N
                          [--export-loss cmp.png cmp.svg cmp.csv] [--log-y]

The runs are the product of the --vary lists (at most 8); see ``engine.compare``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from .args import UsageError

EXPORT_TYPES = (".png", ".svg", ".csv")


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register ``compare`` with the network and data options ``common`` adds."""
    from engine.compare import MAX_RUNS, VARY_FIELDS
    from engine.optim import OPTIMIZERS

    from .main import MAX_EPOCHS, _lr, _positive_int

    c = sub.add_parser("compare", help="train runs that differ in one setting, side by side",
                       description="Train runs from the same initial weights and data order "
                                   "and compare their loss curves.")
    common(c)
    c.add_argument("--vary", action="append", metavar="FIELD=V1,V2,...", default=[],
                   help=f"a setting to vary ({', '.join(VARY_FIELDS)}); several --vary make "
                        f"the product of their values, at most {MAX_RUNS} runs")
    c.add_argument("--epochs", type=_positive_int("--epochs", MAX_EPOCHS), default=10)
    c.add_argument("--lr", type=_lr, default=0.1, help="learning rate α of the base (0.1)")
    c.add_argument("--batch-size", type=_positive_int("--batch-size", 10_000_000), default=32)
    c.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd",
                   help="update rule of the base (sgd)")
    c.add_argument("--export-loss", nargs="+", metavar="FILE", default=[],
                   help="overlaid curves: .png, .svg, or .csv (one column per run)")
    c.add_argument("--log-y", action="store_true", help="log-scale loss axis in PNG/SVG")


def cmd_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Build the base from the options, train every run, report and export."""
    from engine.compare import (
        compare_csv_text,
        experiment_runs,
        loss_curves,
        parse_vary,
        train_experiment_runs,
        vary_changes,
    )
    from engine.fileio import atomic_write_text

    from .main import _accuracy, _check_writable, build_problem

    if not args.vary:
        raise UsageError("compare needs at least one --vary FIELD=V1,V2,..., e.g. "
                         "--vary lr=0.01,0.1,1")
    try:
        vary = [parse_vary(v) for v in args.vary]
    except ValueError as e:
        raise UsageError(str(e)) from None
    for path in args.export_loss:
        _check_writable(path, "--export-loss", EXPORT_TYPES)
    # The runs are copies of one Experiment (the window builds its runs the same way).
    prob = build_problem(args, lr=args.lr, batch_size=args.batch_size,
                         optimizer=args.optimizer)
    try:
        pairs = experiment_runs(prob.experiment, vary_changes(vary))
    except ValueError as e:
        raise UsageError(str(e)) from None
    runs = [run for run, _ in pairs]

    def progress(i: int) -> None:
        err.write(f"run {i + 1}/{len(runs)} ({runs[i].label}) done\n")
        err.flush()

    current = 0
    for i, _it in train_experiment_runs(pairs, args.epochs):
        while i > current:
            progress(current)
            current += 1
    for i in range(current, len(runs)):
        progress(i)
    arch = "-".join(map(str, prob.net.sizes))
    out.write(f"compared {len(runs)} runs of {arch} on {prob.data_name} for {args.epochs} "
              f"epochs from the same initial weights and data order\n")
    width = max(len(r.label) for r in runs)
    for r in runs:
        h = r.history
        line = f"  {r.label:<{width}}  "
        if not h.iter_loss:
            line += "diverged at the first iteration"
        else:
            final = h.epoch_train[-1] if h.epoch_train else h.iter_loss[-1]
            line += f"loss {h.iter_loss[0]:.6g} -> {final:.6g}"
            if h.epoch_val:
                line += f", validation {h.epoch_val[-1]:.6g}"
            assert r.net is not None
            acc = _accuracy(r.net, r.settings.X, r.settings.Y)
            if acc is not None:
                line += f", accuracy {100 * acc:.1f} %"
            if r.diverged:
                line += f"; diverged at iteration {len(h.iter_loss) + 1}"
        out.write(line + "\n")
    plots = [p for p in args.export_loss if Path(p).suffix.lower() != ".csv"]
    for path in args.export_loss:
        if Path(path).suffix.lower() == ".csv":
            atomic_write_text(path, compare_csv_text(runs))
    if plots:
        from gui.compare_plot import export_compare_plot  # Qt only when a picture is wanted
        x_name, curves = loss_curves(runs)
        for path in plots:
            export_compare_plot(x_name, curves, path, log_y=args.log_y)
    for path in args.export_loss:
        out.write(f"wrote {path}\n")
    return 0
