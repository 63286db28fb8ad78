"""Help → About: what the app is, and every keyboard shortcut, read from the actions themselves.

The list is collected from the window's QActions when About opens, so it cannot go
stale: a shortcut added to (or changed on) any action appears here without an edit.
"""

from __future__ import annotations

import html

from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QWidget

ABOUT = """<h3>Backprop Lens</h3>
<p>Step through backpropagation in matrix form, one layer at a time, with the formulas of
the lecture <i>Backpropagation Computations in Matrix Form</i> (M. Sadeghi, 2018).</p>
<p>Forward: z<sub>ℓ</sub> = W<sub>ℓ</sub> a<sub>ℓ−1</sub> + b<sub>ℓ</sub>,
a<sub>ℓ</sub> = σ<sub>ℓ</sub>(z<sub>ℓ</sub>).<br>
Backward: δ<sub>L</sub> = 2(a<sub>L</sub> − y) ⊙ σ′<sub>L</sub>(z<sub>L</sub>),
δ<sub>ℓ</sub> = (W<sub>ℓ+1</sub><sup>T</sup> δ<sub>ℓ+1</sub>) ⊙ σ′<sub>ℓ</sub>(z<sub>ℓ</sub>),
∂c/∂W<sub>ℓ</sub> = δ<sub>ℓ</sub> a<sub>ℓ−1</sub><sup>T</sup>,
∂c/∂b<sub>ℓ</sub> = δ<sub>ℓ</sub>.</p>"""


def key_text(seq: QKeySequence) -> str:
    """A shortcut as the platform writes it ("Ctrl+E", "Esc", "Left")."""
    return seq.toString(QKeySequence.SequenceFormat.NativeText)


def shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(keys, command) for every action of ``window`` that has a shortcut, in creation order."""
    rows, seen = [], set()
    for a in window.findChildren(QAction):
        keys = [key_text(s) for s in a.shortcuts() if not s.isEmpty()]
        if not keys or id(a) in seen:
            continue
        seen.add(id(a))
        name = a.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        rows.append((", ".join(keys), name.strip()))
    return rows


def about_html(window: QWidget) -> str:
    """The About text with a table of every shortcut of ``window``'s actions."""
    rows = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(n)}</td></tr>"
                   for k, n in shortcuts(window))
    return (ABOUT + "<p><b>Keys</b></p><table cellspacing='0' cellpadding='2'>"
            + rows + "</table>")
