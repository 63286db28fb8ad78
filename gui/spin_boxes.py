"""Spin boxes set up in one call (Qt's keyword properties are invisible to type checkers)."""

from __future__ import annotations

from PyQt6.QtWidgets import QDoubleSpinBox, QSpinBox


def int_spin(lo: int, hi: int, suffix: str = "") -> QSpinBox:
    """A QSpinBox from ``lo`` to ``hi``."""
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setSuffix(suffix)
    return box


def float_spin(lo: float, hi: float, step: float, decimals: int, suffix: str = ""
               ) -> QDoubleSpinBox:
    """A QDoubleSpinBox from ``lo`` to ``hi`` in steps of ``step``."""
    box = QDoubleSpinBox()
    box.setDecimals(decimals)
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setSuffix(suffix)
    return box
