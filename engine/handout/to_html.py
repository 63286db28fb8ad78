"""The pass as one self-contained HTML page: no scripts, fonts or files from elsewhere.

Matrices are tables whose cells carry the heatmaps' colours (computed here, in
Python), so the page prints the same on any machine; ``@media print`` keeps a
step on one page where it fits.
"""

from __future__ import annotations

import html

from ..walkthrough import Matrix, PassStep, Walkthrough
from . import common as c

CSS = """
:root { --ink: #1b1b1b; --muted: #5f6368; --rule: #d0d4da; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
       margin: 24px auto; max-width: 1100px; padding: 0 16px; line-height: 1.35; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 28px 0 8px; border-bottom: 2px solid var(--rule); }
.meta { color: var(--muted); margin: 2px 0; }
.note { background: #f5f7fa; border-left: 4px solid #8aa4d6; padding: 8px 12px; margin: 12px 0; }
.step { border: 1px solid var(--rule); border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
.step h3 { font-size: 1.0em; margin: 0 0 6px; }
.step h3 .k { color: var(--muted); font-weight: normal; margin-right: 6px; }
.phase-forward { border-left: 5px solid #3b6fd8; }
.phase-loss { border-left: 5px solid #7a7a7a; }
.phase-backward { border-left: 5px solid #c8452c; }
.phase-update { border-left: 5px solid #2e8b57; }
.formula { font-size: 1.25em; margin: 4px 0; font-family: "DejaVu Serif", Cambria, serif; }
.shapes { color: var(--muted); font-size: 0.9em; margin: 2px 0 8px; }
.shapes b { color: var(--ink); font-weight: normal; }
.loss { font-size: 1.2em; }
.mats { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
figure { margin: 0; }
figcaption { font-family: "DejaVu Serif", Cambria, serif; margin-bottom: 3px; }
figcaption .dim { color: var(--muted); font-family: inherit; font-size: 0.85em; }
figcaption .cut { color: var(--muted); font-size: 0.8em; display: block; }
table.m { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.8em; }
table.m td { border: 1px solid #e6e8ec; padding: 2px 6px; text-align: right; min-width: 4.2em;
             white-space: nowrap; }
table.m td.gap { background: #ffffff; color: var(--muted); text-align: center; min-width: 1em; }
table.m th { font-weight: normal; color: var(--muted); font-size: 0.85em; padding: 0 4px; }
.scale { color: var(--muted); font-size: 0.75em; margin-top: 2px; }
footer { color: var(--muted); font-size: 0.8em; margin-top: 24px; }
@page { margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .step, figure, .note { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  h2.phase-start { break-before: page; page-break-before: always; }
  table.m { font-size: 7.5pt; }
}
"""


def _matrix(m: Matrix, digits: int) -> str:
    e = html.escape
    v = m.values
    span = c.span(v)
    rows = c.visible(v.shape[0], c.MAX_ROWS)
    cols = c.visible(v.shape[1], c.MAX_COLS)
    out = ["<table class='m'><tr><th></th>"]
    out += [f"<th>{'…' if j is None else j}</th>" for j in cols]
    out.append("</tr>")
    for i in rows:
        out.append(f"<tr><th>{'⋮' if i is None else i}</th>")
        for j in cols:
            if i is None or j is None:
                out.append("<td class='gap'>⋯</td>" if i is not None else
                           "<td class='gap'>⋮</td>")
                continue
            x = float(v[i, j])
            rgb = c.colour(x, span)
            out.append(f"<td style='background:rgb{rgb};color:{c.text_colour(rgb)}'>"
                       f"{e(c.number(x, digits))}</td>")
        out.append("</tr>")
    out.append("</table>")
    cut = (f" <span class='cut'>(first and last rows/columns of "
           f"{v.shape[0]}×{v.shape[1]}; all in the JSON answer key)</span>"
           if c.is_elided(v) else "")
    return (f"<figure><figcaption>{e(m.symbol)} <span class='dim'>{e(m.shape_text)}</span>"
            f"{cut}</figcaption>{''.join(out)}"
            f"<div class='scale'>colour ±{e(c.number(span, 3))}, white = 0</div></figure>")


def _step(s: PassStep, K: int, digits: int) -> str:
    e = html.escape
    parts = [f"<section class='step phase-{s.phase}'>",
             f"<h3><span class='k'>step {s.k}/{K}</span>{e(s.title)}</h3>",
             f"<div class='formula'>{e(s.formula)}</div>",
             f"<div class='shapes'><b>dimension check:</b> {e(s.shapes)}</div>"]
    if s.loss is not None:
        parts.append(f"<div class='loss'>C = {e(c.number(s.loss, digits))}</div>")
    if s.matrices:
        parts.append("<div class='mats'>" + "".join(_matrix(m, digits) for m in s.matrices)
                     + "</div>")
    parts.append("</section>")
    return "".join(parts)


PHASE_HEADINGS = {"forward": "Forward pass", "loss": "Loss", "backward": "Backward pass",
                  "update": "Update"}


def render_html(w: Walkthrough, digits: int = c.DEFAULT_DIGITS) -> str:
    """The whole pass as one HTML document (a string)."""
    digits = c.check_digits(digits)
    e = html.escape
    title = w.title or f"One pass of backpropagation: {w.architecture}"
    acts = ", ".join(w.activations)
    head = [f"<h1>{e(title)}</h1>",
            f"<p class='meta'>network {e(w.architecture)} ({e(acts)}), loss {e(w.loss_name)}, "
            f"{e(w.optimizer)} with α = {e(c.number(w.lr, 6))}, {e(c.data_line(w.B))}</p>",
            f"<p class='meta'>z<sub>ℓ</sub> = W<sub>ℓ</sub> a<sub>ℓ−1</sub> + b<sub>ℓ</sub>, "
            f"columns are samples; numbers to {digits} significant digits.</p>"]
    if w.note or w.source:
        note = e(w.note) + (f"<br><i>Source:</i> {e(w.source)}" if w.source else "")
        head.append(f"<div class='note'>{note}</div>")
    data = [Matrix("a", 0, "X = a₀", w.X), Matrix("y", None, "Y", w.Y)]
    body = ["<h2>Data</h2><div class='mats'>"
            + "".join(_matrix(m, digits) for m in data) + "</div>"]
    K = len(w.steps)
    phase = None
    for s in w.steps:
        if s.phase != phase:
            phase = s.phase
            body.append(f"<h2>{PHASE_HEADINGS[phase]}</h2>")
        body.append(_step(s, K, digits))
    foot = ("<footer>Made by Backprop Lens from the engine's own step records "
            f"({K} steps = 4L + 2 for L = {w.L}). Cost C = {e(c.number(w.loss, 17))}.</footer>")
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{e(title)}</title><style>{CSS}</style></head><body>"
            + "".join(head) + "".join(body) + foot + "</body></html>\n")
