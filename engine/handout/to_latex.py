"""The pass as a complete LaTeX document (pdflatex, amsmath ``bmatrix``), pure ASCII.

The engine's formulas are Unicode (z₁, δ₂, W₃ᵀ, ⊙, ←); ``math`` turns them into
LaTeX math, so the same texts the window shows end up on paper.
"""

from __future__ import annotations

import re

from ..walkthrough import Matrix, PassStep, Walkthrough
from . import common as c
from .to_html import PHASE_HEADINGS

_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ₖᵢₛ", "0123456789kis", strict=True))
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True))
_SYMBOLS = {
    "σ": r"\sigma", "δ": r"\delta", "α": r"\alpha", "β": r"\beta", "ε": r"\varepsilon",
    "θ": r"\theta", "ℓ": r"\ell", "Σ": r"\sum", "∂": r"\partial", "⊙": r"\odot",
    "←": r"\leftarrow", "→": r"\rightarrow", "−": "-", "×": r"\times", "·": r"\cdot",
    "‖": r"\|", "½": r"\tfrac{1}{2}", "ᵀ": r"^{\top}", "√": r"\surd", "Δ": r"\Delta",
    "≤": r"\le", "≥": r"\ge", "≠": r"\ne",
    "…": r"\ldots", "≈": r"\approx", "⋯": r"\cdots", "⋮": r"\vdots",
}
_SPACED = set("=+-−⊙←→×·≤≥,:")
_FUNCTIONS = {"tanh": r"\tanh", "log": r"\log", "exp": r"\exp"}
_TOKEN = re.compile(r"[A-Za-z][A-Za-z_]+|[₀-₉ₖᵢₛ]+(?:,[₀-₉ₖᵢₛ]+)*|[⁰¹²³⁴-⁹⁻⁺]+|\s{2,}|.",
                    re.S)
_TEXT_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
                 "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                 "\\": r"\textbackslash{}", "–": "--", "—": "---", "’": "'", "‘": "`",
                 "“": "``", "”": "''", "é": r"\'e"}


def math(text: str) -> str:
    """A formula in the engine's Unicode notation as LaTeX math (without the $…$)."""
    out: list[str] = []
    toks = _TOKEN.findall(text)
    for n, tok in enumerate(toks):
        if tok == " ":  # math ignores spaces: keep the texts' gaps, e.g. "W₁ (8×2) a₀",
            near = {toks[n - 1] if n else "", toks[n + 1] if n + 1 < len(toks) else ""}
            if not near & _SPACED:  # but not beside =, +, ⊙, … which bring their own space
                out.append(r"\,")
        elif tok[0] in _SUBSCRIPTS:
            out.append("_{" + "".join(_SUBSCRIPTS.get(ch, ch) for ch in tok) + "}")
        elif tok[0] in _SUPERSCRIPTS:
            out.append("^{" + "".join(_SUPERSCRIPTS[ch] for ch in tok) + "}")
        elif tok.isspace():
            out.append(r"\quad ")
        elif tok[0].isascii() and tok[0].isalpha() and len(tok) > 1:
            out.append(_FUNCTIONS.get(tok, r"\mathrm{" + tok.replace("_", r"\_") + "}"))
        elif tok == "\u0302":  # combining hat, as in Adam's m̂: put it on the letter before
            prev = out.pop() if out else ""
            out.append(r"\hat{" + prev + "}")
        elif tok in _SYMBOLS:
            out.append(_SYMBOLS[tok] + (" " if _SYMBOLS[tok][-1].isalpha() else ""))
        elif tok in "{}":
            out.append("\\" + tok)
        elif tok in "&%$#~^\\":
            out.append(r"\text{" + _TEXT_SPECIAL[tok] + "}")
        elif ord(tok) > 127:
            out.append(r"\text{?}")  # never seen in the engine's texts; stays ASCII
        else:
            out.append(tok)
    return "".join(out)


def text(s: str) -> str:
    """Prose with the odd Unicode symbol: special characters escaped, symbols as math."""
    out = []
    for tok in _TOKEN.findall(s):
        if tok.isascii() or tok in _TEXT_SPECIAL:
            out.append("".join(_TEXT_SPECIAL.get(ch, ch) for ch in tok))
        else:
            out.append("$" + math(tok) + "$")
    return "".join(out)


def _number(x: float, digits: int) -> str:
    t = c.number(x, digits)
    if "e" in t:
        mant, exp = t.split("e")
        return f"{mant}{{\\times}}10^{{{int(exp)}}}"
    return t


def matrix_latex(m: Matrix, digits: int) -> str:
    """``symbol (shape) = \\begin{bmatrix}…\\end{bmatrix}`` as display math."""
    v = m.values
    rows = c.visible(v.shape[0], c.MAX_ROWS)
    cols = c.visible(v.shape[1], c.MAX_COLS)
    lines = []
    for i in rows:
        cells = []
        for j in cols:
            if i is None:
                cells.append(r"\ddots" if j is None else r"\vdots")
            elif j is None:
                cells.append(r"\cdots")
            else:
                cells.append(_number(float(v[i, j]), digits))
        lines.append(" & ".join(cells))
    body = " \\\\\n".join(lines)
    note = (r"\quad\text{\scriptsize(first and last rows/columns)}" if c.is_elided(v) else "")
    return (f"\\[ {math(m.symbol)}\\;{math(m.shape_text)} = "
            f"\\begin{{bmatrix}}\n{body}\n\\end{{bmatrix}}{note} \\]")


def _step(s: PassStep, K: int, digits: int) -> str:
    parts = [f"\\subsection*{{Step {s.k}/{K}: {text(s.title)}}}",
             f"\\[ {math(s.formula)} \\]",
             f"{{\\small Dimension check: $ {math(s.shapes)} $}}"]
    if s.loss is not None:
        parts.append(f"\\[ C = {_number(s.loss, digits)} \\]")
    parts.append("{\\footnotesize")
    parts += [matrix_latex(m, digits) for m in s.matrices]
    parts.append("}")
    return "\n".join(parts)


def render_latex(w: Walkthrough, digits: int = c.DEFAULT_DIGITS) -> str:
    """The whole pass as one LaTeX document (a string, ASCII only)."""
    digits = c.check_digits(digits)
    title = w.title or f"One pass of backpropagation: {w.architecture}"
    out = [r"\documentclass[10pt]{article}",
           r"\usepackage[a4paper,margin=18mm]{geometry}",
           r"\usepackage{amsmath,amssymb}",
           r"\setcounter{MaxMatrixCols}{" + str(c.MAX_COLS + 2) + "}",
           r"\setlength{\parindent}{0pt}",
           r"\title{" + text(title) + "}", r"\date{}", r"\begin{document}", r"\maketitle",
           text(f"Network {w.architecture} ({', '.join(w.activations)}), loss {w.loss_name}, "
                f"{w.optimizer} with ") + f"$\\alpha = {_number(w.lr, 6)}$"
           + text(f", {c.data_line(w.B)}. Columns are samples; numbers to {digits} "
                  f"significant digits."), ""]
    if w.note:
        out += [r"\begin{quote}\small " + text(w.note) + r"\end{quote}"]
    if w.source:
        out += [r"\begin{quote}\small Source: " + text(w.source) + r"\end{quote}"]
    out += [r"\section*{Data}", "{\\footnotesize",
            matrix_latex(Matrix("a", 0, "X = a₀", w.X), digits),
            matrix_latex(Matrix("y", None, "Y", w.Y), digits), "}"]
    K = len(w.steps)
    phase = None
    for s in w.steps:
        if s.phase != phase:
            phase = s.phase
            out.append(f"\\section*{{{PHASE_HEADINGS[phase]}}}")
        out.append(_step(s, K, digits))
    out += ["", r"\bigskip{\small Made by Backprop Lens from the engine's own step records; "
                f"$C = {_number(w.loss, 17)}$.}}", r"\end{document}", ""]
    doc = "\n".join(out)
    assert doc.isascii(), "the LaTeX export must be plain ASCII for pdflatex"
    return doc
