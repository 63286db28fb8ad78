"""The pass as Markdown: one section per step, each matrix a table."""

from __future__ import annotations

from ..walkthrough import Matrix, PassStep, Walkthrough
from . import common as c
from .to_html import PHASE_HEADINGS


def matrix_markdown(m: Matrix, digits: int) -> str:
    """A matrix as a Markdown table, headed by its symbol and shape."""
    v = m.values
    rows = c.visible(v.shape[0], c.MAX_ROWS)
    cols = c.visible(v.shape[1], c.MAX_COLS)
    lines = [f"**{m.symbol}** {m.shape_text}"
             + (" (first and last rows/columns; all in the JSON answer key)"
                if c.is_elided(v) else ""), ""]
    lines.append("| | " + " | ".join("…" if j is None else str(j) for j in cols) + " |")
    lines.append("|---|" + "---:|" * len(cols))
    for i in rows:
        cells = []
        for j in cols:
            if i is None or j is None:
                cells.append("⋮" if i is None else "⋯")
            else:
                cells.append(c.number(float(v[i, j]), digits))
        lines.append(f"| {'⋮' if i is None else i} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _step(s: PassStep, K: int, digits: int) -> str:
    parts = [f"### Step {s.k}/{K}: {s.title}", "", f"    {s.formula}", "",
             f"Dimension check: `{s.shapes}`", ""]
    if s.loss is not None:
        parts += [f"**C = {c.number(s.loss, digits)}**", ""]
    for m in s.matrices:
        parts += [matrix_markdown(m, digits), ""]
    return "\n".join(parts)


def render_markdown(w: Walkthrough, digits: int = c.DEFAULT_DIGITS) -> str:
    """The whole pass as one Markdown document (a string)."""
    digits = c.check_digits(digits)
    title = w.title or f"One pass of backpropagation: {w.architecture}"
    out = [f"# {title}", "",
           f"Network {w.architecture} ({', '.join(w.activations)}), loss {w.loss_name}, "
           f"{w.optimizer} with α = {c.number(w.lr, 6)}, {c.data_line(w.B)}. "
           f"Columns are samples; numbers to {digits} significant digits.", ""]
    if w.note:
        out += [f"> {w.note}", ""]
    if w.source:
        out += [f"> Source: {w.source}", ""]
    out += ["## Data", "", matrix_markdown(Matrix("a", 0, "X = a₀", w.X), digits), "",
            matrix_markdown(Matrix("y", None, "Y", w.Y), digits), ""]
    K = len(w.steps)
    phase = None
    for s in w.steps:
        if s.phase != phase:
            phase = s.phase
            out += [f"## {PHASE_HEADINGS[phase]}", ""]
        out.append(_step(s, K, digits))
    out.append(f"_Made by Backprop Lens from the engine's own step records; "
               f"C = {c.number(w.loss, 17)}._")
    return "\n".join(out) + "\n"
