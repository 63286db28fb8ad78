"""Light/dark window chrome: the dark palette keeps disabled fields looking disabled."""

import pytest
from PyQt6.QtGui import QPalette

from gui.settings import apply_theme, dark_palette

G, R = QPalette.ColorGroup, QPalette.ColorRole


def test_dark_palette_greys_out_disabled_text_and_fields():
    p = dark_palette()
    for role in (R.Text, R.ButtonText, R.WindowText):
        active, disabled = p.color(G.Active, role), p.color(G.Disabled, role)
        assert disabled.lightness() < active.lightness() - 60, role
    # a disabled entry field (the output layer's units) is not drawn as an editable one
    assert p.color(G.Disabled, R.Base) != p.color(G.Active, R.Base)


def test_apply_theme_switches_the_application_palette_and_names_a_bad_theme(qapp):
    try:
        apply_theme("dark")
        assert qapp.palette().color(R.Window).lightness() < 80
        apply_theme("light")
        assert qapp.palette().color(R.Window).lightness() > 160
        with pytest.raises(ValueError, match="light, dark.*'blue'|dark, light.*'blue'"):
            apply_theme("blue")
    finally:
        apply_theme("light")
