"""``walkthrough``: one whole pass as a handout (HTML, Markdown, LaTeX) or answer key (JSON).

    backprop-lens walkthrough [network options] [data options] [--sample I | --batch]
                              [--lr α] --out pass.html|.md|.tex|.json [--digits N]
    backprop-lens walkthrough --example mazur --out mazur.tex
    backprop-lens walkthrough --list-examples

The network and data options are those of ``train`` (the same ``build_problem``);
the exit statuses too: 0 written, 2 bad input (one line on stderr), 1 internal error.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TextIO

from .args import UsageError, int_in_range

DIGITS = (1, 17)
MAX_SAMPLE = 10_000_000
# Options that build the network or the data; an --example brings its own.
BUILD_OPTIONS = ("spec", "layers", "activations", "loss", "seed", "dataset", "data")


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None],
               lr_type: Callable[[str], float]) -> None:
    """Register ``walkthrough`` on the subparsers of cli.main, with train's options."""
    from engine.optim import OPTIMIZERS

    w = sub.add_parser("walkthrough", help="write one whole pass as a handout or answer key",
                       description="Walk one training iteration and write every step (equation, "
                       "dimension check, matrices, loss, weights after the update) as HTML, "
                       "Markdown, LaTeX or a JSON answer key.")
    common(w)
    ex = w.add_argument_group("worked examples")
    ex.add_argument("--example", metavar="NAME", help="a worked example instead of the "
                    "network and data options (see --list-examples)")
    ex.add_argument("--list-examples", action="store_true", help="list the worked examples")
    which = w.add_mutually_exclusive_group()
    which.add_argument("--sample", type=int_in_range("--sample", 0, MAX_SAMPLE), default=None,
                       metavar="I", help="the training sample (column, from 0) to walk (0)")
    which.add_argument("--batch", action="store_true",
                       help="walk the whole training set as one batch")
    w.add_argument("--lr", type=lr_type, default=None, help="learning rate α (0.1)")
    w.add_argument("--optimizer", choices=OPTIMIZERS, default=None, help="update rule (sgd)")
    w.add_argument("--out", metavar="PASS.html|.md|.tex|.json",
                   help="the file to write; its extension picks the format")
    w.add_argument("--digits", type=int_in_range("--digits", *DIGITS), default=4,
                   help="significant digits in HTML/Markdown/LaTeX (4); JSON is always exact")


def cmd_walkthrough(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Walk one pass and write it; returns the exit status."""
    from engine.examples import list_examples, load_example
    from engine.handout import format_for, write_handout
    from engine.walkthrough import walk_pass

    from .main import _check_writable, build_problem

    if args.list_examples:
        for name, title in list_examples():
            out.write(f"{name:<12} {title}\n")
        return 0
    if not args.out:
        raise UsageError("--out is required: PASS.html, .md, .tex or .json")
    try:
        format_for(args.out)
    except ValueError as e:
        raise UsageError(f"--out {e}") from None
    _check_writable(args.out, "--out")
    title = note = source = ""
    if args.example is not None:
        given = [n for n in BUILD_OPTIONS if getattr(args, n) is not None]
        if given:
            raise UsageError(f"--example brings its own network and data; it cannot be "
                             f"combined with --{given[0]}")
        example = load_example(args.example)
        net = example.network()
        X, Y = example.data()
        lr, optimizer, sample = example.lr, example.optimizer, example.sample
        title, note, source = example.title, example.note, example.source
        what = f"example {example.name}"
    else:
        prob = build_problem(args)
        net, X, Y = prob.net, prob.X, prob.Y
        lr, optimizer, sample, what = 0.1, "sgd", 0, prob.data_name
    lr = lr if args.lr is None else args.lr
    optimizer = args.optimizer or optimizer
    if args.batch:
        sample = None
    elif args.sample is not None:
        sample = args.sample
    N = X.shape[1]
    if sample is not None:
        if sample >= N:
            raise UsageError(f"--sample {sample} is outside 0..{N - 1}: the training set of "
                             f"{what} has {N} samples")
        X, Y = X[:, [sample]], Y[:, [sample]]
    w = walk_pass(net, X, Y, lr=lr, optimizer=optimizer, title=title, note=note, source=source)
    fmt = write_handout(args.out, w, args.digits)
    which = f"sample {sample}" if sample is not None else f"all {N} samples"
    out.write(f"wrote {fmt} walkthrough of one pass of {w.architecture} ({which} of {what}, "
              f"{len(w.steps)} steps, {optimizer} α = {lr:g}, loss C = {w.loss:.6g}) to "
              f"{args.out}\n")
    return 0
