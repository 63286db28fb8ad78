"""Argument parsing shared by the window's options (main.py) and the headless commands.

Kept free of numpy and the engine so that importing it costs nothing at start-up.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn


class UsageError(Exception):
    """Bad input: printed as one line, exit status 2."""


class ArgParser(argparse.ArgumentParser):
    """argparse that raises ``UsageError`` instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def int_in_range(name: str, lo: int, hi: int) -> Callable[[str], int]:
    """An argparse ``type`` accepting whole numbers lo..hi, with a message naming the option."""
    def conv(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, got {text!r}"
                                             ) from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{name} must be between {lo:,} and {hi:,}, "
                                             f"got {v}")
        return v
    return conv
