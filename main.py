"""``backprop-lens``: open the window, render a screenshot, or run a headless command.

    backprop-lens                        the window
    backprop-lens --spec net.json        the window with a network from a spec file
    backprop-lens --screenshot out.png [--steps N] [--train-epochs E] [--size WxH]
    backprop-lens train …  /  backprop-lens gradcheck …   (no window; see --help)
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

PROG = "backprop-lens"
HEADLESS_COMMANDS = ("train", "gradcheck")
SIZE_RANGE = (200, 10_000)

NO_DISPLAY = f"""{PROG}: error: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), \
so the window cannot open.
  • To run the window without a screen:   QT_QPA_PLATFORM=offscreen {PROG}
  • To render the window to a PNG:          {PROG} --screenshot out.png [--steps N] \
[--train-epochs E] [--size 1600x1000]
  • To train or check gradients headless:   {PROG} train --help   /   {PROG} gradcheck --help"""


class _ArgError(Exception):
    """A bad argument: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _ArgError(message)


def _count(name: str):
    def conv(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, got {text!r}"
                                             ) from None
        if not 0 <= v <= 1_000_000:
            raise argparse.ArgumentTypeError(f"{name} must be between 0 and 1000000, got {v}")
        return v
    return conv


def _size(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    try:
        w, h = (int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1600x1000, got {text!r}") from None
    lo, hi = SIZE_RANGE
    if not (lo <= w <= hi and lo <= h <= hi):
        raise argparse.ArgumentTypeError(f"width and height must be between {lo} and {hi} "
                                         f"pixels, got {w}x{h}")
    return w, h


def _parser() -> _Parser:
    p = _Parser(prog=PROG, description="Step through backpropagation in matrix form. "
                f"Headless commands: {PROG} train --help, {PROG} gradcheck --help.")
    p.add_argument("--spec", metavar="FILE.json", help="network spec to open")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="render the window offscreen to a PNG and exit")
    p.add_argument("--steps", type=_count("--steps"), default=0,
                   help="with --screenshot: steps to take first")
    p.add_argument("--train-epochs", type=_count("--train-epochs"), default=0,
                   help="with --screenshot: epochs to train first")
    p.add_argument("--size", type=_size, default=(1600, 1000), metavar="WxH",
                   help="with --screenshot: image size (default 1600x1000)")
    return p


def _has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    env = os.environ
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM"))


def _run_headless(argv: list[str]) -> int:
    try:
        from cli.main import run
    except ImportError as e:
        if e.name not in ("cli", "cli.main"):
            raise
        print(f"{PROG}: error: the headless '{argv[0]}' command is not installed in this build",
              file=sys.stderr)
        return 2
    return int(run(argv))


def main(argv: list[str] | None = None) -> int:
    """The ``backprop-lens`` entry point; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in HEADLESS_COMMANDS:
        return _run_headless(argv)
    try:
        args = _parser().parse_args(argv)
        if args.screenshot is None and (args.steps or args.train_epochs):
            raise _ArgError("--steps and --train-epochs only work with --screenshot")
        if args.screenshot is not None and not args.screenshot.lower().endswith(".png"):
            raise _ArgError(f"--screenshot must name a .png file, got {args.screenshot!r}")
        if args.spec is not None and not os.path.isfile(args.spec):
            raise _ArgError(f"--spec {args.spec}: no such file")
    except _ArgError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    if args.screenshot is not None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"   # before Qt is imported
    elif not _has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from engine.fileio import BadFileError
    try:
        if args.screenshot is not None:
            from gui.app import screenshot
            return screenshot(args.screenshot, args.size, args.steps, args.train_epochs,
                              args.spec)
        from gui.app import run_gui
        return run_gui(args.spec)
    except (BadFileError, ValueError) as e:
        print(f"{PROG}: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
