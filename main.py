"""``backprop-lens``: open the window, render a screenshot, or run a headless command.

    backprop-lens                        the window
    backprop-lens run.bplens             the window with a saved session
    backprop-lens net.json               the window with a network from a spec file (= --spec)
    backprop-lens --screenshot out.png [FILE] [--steps N] [--train-epochs E] [--size WxH]
                  [--presentation] [--theme dark|light]
    backprop-lens train …  /  gradcheck …  /  walkthrough …  /  compare …   (no window; see --help)
"""

from __future__ import annotations

import argparse
import os
import sys

from cli.args import ArgParser, UsageError, int_in_range

PROG = "backprop-lens"
HEADLESS_COMMANDS = ("train", "gradcheck", "walkthrough", "compare")
SESSION_EXT = ".bplens"
SIZE_RANGE = (200, 10_000)

NO_DISPLAY = f"""{PROG}: error: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), \
so the window cannot open.
  • To run the window without a screen:   QT_QPA_PLATFORM=offscreen {PROG}
  • To render the window to a PNG:          {PROG} --screenshot out.png [--steps N] \
[--train-epochs E] [--size 1600x1000]
  • To train or check gradients headless:   {PROG} train --help   /   {PROG} gradcheck --help"""


def _count(name: str):
    return int_in_range(name, 0, 1_000_000)


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


def _parser() -> ArgParser:
    p = ArgParser(prog=PROG, description="Step through backpropagation in matrix form. "
                f"Headless commands: {PROG} train|gradcheck|walkthrough --help.")
    p.add_argument("file", nargs="?", metavar="FILE",
                   help=f"a session ({SESSION_EXT}) or a network spec (.json) to open")
    p.add_argument("--spec", metavar="FILE.json", help="network spec to open")
    p.add_argument("--example", metavar="NAME",
                   help="open a worked example (File ▸ Examples; e.g. lecture, mazur, xor)")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="render the window offscreen to a PNG and exit")
    p.add_argument("--steps", type=_count("--steps"), default=0,
                   help="with --screenshot: steps to take first")
    p.add_argument("--train-epochs", type=_count("--train-epochs"), default=0,
                   help="with --screenshot: epochs to train first")
    p.add_argument("--size", type=_size, default=(1600, 1000), metavar="WxH",
                   help="with --screenshot: image size (default 1600x1000)")
    p.add_argument("--presentation", action="store_true",
                   help="with --screenshot: in presentation mode (View ▸ Presentation mode, F5)")
    p.add_argument("--theme", choices=("light", "dark"),
                   help="with --screenshot: light or dark window theme (default light)")
    return p


def _file_argument(args: argparse.Namespace) -> str | None:
    """Sort the FILE argument: a .json spec goes to ``args.spec``; returns a session path."""
    path = args.file
    if path is None:
        return None
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a folder, not a file; give a session ({SESSION_EXT}) "
                         f"or a network spec (.json)")
    ext = os.path.splitext(path)[1].lower()
    if ext not in (SESSION_EXT, ".json"):
        raise UsageError(f"{path}: expected a session ({SESSION_EXT}) or a network spec (.json)")
    _check_input_file(path, "FILE")
    if ext == SESSION_EXT:
        if args.spec is not None:
            raise UsageError(f"give either a session ({path}) or --spec, not both")
        return path
    if args.spec is not None:
        raise UsageError(f"give the network spec once: {path} or --spec {args.spec}")
    args.spec = path
    return None


def _check_example(name: str | None, other: str | None) -> None:
    if name is None:
        return
    from engine.examples import example_names
    if other is not None:
        raise UsageError(f"give either --example {name} or a file ({other}), not both")
    names = example_names()
    if name not in names:
        raise UsageError(f"--example {name}: no such example; the examples are: "
                         f"{', '.join(names)}")


def _check_input_file(path: str, option: str) -> None:
    """Name the real problem with an input path: missing, a folder, or not a regular file."""
    where = f"{path}" if option == "FILE" else f"{option} {path}"
    if os.path.isdir(path):
        raise UsageError(f"{where}: is a folder, not a file")
    if not os.path.exists(path):
        raise UsageError(f"{where}: no such file")
    if not os.path.isfile(path):
        raise UsageError(f"{where}: is not a regular file")


def _has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    env = os.environ
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM"))


def _run_headless(argv: list[str]) -> int:
    from cli.main import run  # numpy and the engine only load for the headless commands

    return int(run(argv))


def main(argv: list[str] | None = None) -> int:
    """The ``backprop-lens`` entry point; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in HEADLESS_COMMANDS:
        return _run_headless(argv)
    try:
        args = _parser().parse_args(argv)
        if args.screenshot is None and (args.steps or args.train_epochs or args.presentation
                                        or args.theme):
            raise UsageError("--steps, --train-epochs, --presentation and --theme only work "
                            "with --screenshot")
        if args.screenshot is not None and not args.screenshot.lower().endswith(".png"):
            raise UsageError(f"--screenshot must name a .png file, got {args.screenshot!r}")
        if args.spec is not None:
            _check_input_file(args.spec, "--spec")
        session = _file_argument(args)
        _check_example(args.example, session or args.spec)
    except UsageError as e:
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
            from engine.fileio import writable_target
            writable_target(args.screenshot)   # before loading or rendering anything
            if session is not None:
                from engine.session import load_session
                load_session(session)   # a bad file: one line and exit 2, before any window
            from gui.app import screenshot
            return screenshot(args.screenshot, args.size, args.steps, args.train_epochs,
                              args.spec, session_path=session, presentation=args.presentation,
                              theme=args.theme or "light", example=args.example)
        from gui.app import run_gui
        return run_gui(args.spec, session_path=session, example=args.example)
    except (BadFileError, ValueError) as e:
        print(f"{PROG}: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    except Exception as e:  # a bug: one line, details only on request (as the CLI does)
        if os.environ.get("BPLENS_DEBUG"):
            raise
        print(f"{PROG}: internal error: {type(e).__name__}: {' '.join(str(e).split())} "
              f"(set BPLENS_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
