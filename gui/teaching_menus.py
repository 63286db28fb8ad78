"""Menus of the teaching kit (filled in below)."""

from __future__ import annotations


def install(win) -> None:
    """Add the teaching menus to ``win``."""
