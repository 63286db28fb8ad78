"""Qt test hygiene: collect the garbage of each test before the next one runs."""

import gc

import pytest


@pytest.fixture(autouse=True)
def _collect_qt_garbage():
    """Run the cycle collector after each test, at a point where Qt is not dispatching.

    Windows a test drops form reference cycles (window ↔ its controllers ↔ the model).
    Left to the collector's own timing, it ran inside a later test's event processing
    and deleted a Python-owned QObject while Qt was still delivering to it: a
    segmentation fault that came and went with allocation counts (tests/gui alone
    crashed every time; the whole suite 1 run in ~45).
    """
    yield
    gc.collect()


@pytest.fixture
def messages(monkeypatch):
    """Message boxes answer at once and are recorded as (title, text) instead of blocking."""
    from PyQt6.QtWidgets import QMessageBox

    seen: list[tuple[str, str]] = []

    def fake(_parent, title, text, *args, **kwargs):
        seen.append((title, text))
        return QMessageBox.StandardButton.Ok

    for name in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, fake)
    return seen
