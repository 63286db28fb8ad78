"""The Help note on the matrix-trick slide shows the engine's check, not just a claim."""

import re

from gui.window_menus import sign_note_text


def test_sign_note_reports_the_numerical_check():
    text = sign_note_text()
    rows = re.findall(r"<tr><td>∇<sub>(\w)</sub> f</td><td>([^<]+)</td><td>([^<]+)</td></tr>",
                      text)
    assert [r[0] for r in rows] == ["W", "X", "V"]
    for _, plus, minus in rows:
        assert float(plus) < 1e-6      # +2(WXV − U)(XV)ᵀ agrees with central differences
        assert float(minus) > 1.9      # the slide's −2 is the exact negative: error 2
