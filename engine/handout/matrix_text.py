"""One matrix (or the current step's equation) as text to paste elsewhere.

LaTeX ``bmatrix`` and Markdown tables show ``digits`` significant digits, as the
handouts do (and every cell, never elided: a copy is of what was asked for);
CSV and the NumPy literal carry every float at full precision, so pasting them
back gives the very same numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import formulas as fm
from ..walkthrough import step_matrices
from . import common as c
from .to_latex import _number, math, text

Array = np.ndarray
COPY_FORMATS = ("latex", "markdown", "csv", "numpy")


def _matrix(values: Any) -> Array:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"expected a non-empty 2-D matrix, got shape {arr.shape}")
    return arr


def _exact(x: float) -> str:
    """The shortest text that reads back as the same float."""
    return repr(float(x))


def latex_bmatrix(values: Any, digits: int = c.DEFAULT_DIGITS, symbol: str | None = None
                  ) -> str:
    """``\\begin{bmatrix} … \\end{bmatrix}``, optionally as ``symbol = …`` (symbol in the
    engine's Unicode notation, e.g. 'W₁')."""
    v = _matrix(values)
    digits = c.check_digits(digits)
    body = " \\\\\n".join(" & ".join(_number(float(x), digits) for x in row) for row in v)
    out = f"\\begin{{bmatrix}}\n{body}\n\\end{{bmatrix}}"
    return out if symbol is None else f"{math(symbol)} = {out}"


def markdown_table(values: Any, digits: int = c.DEFAULT_DIGITS) -> str:
    """A Markdown table: a header of column indices, one line per row."""
    v = _matrix(values)
    digits = c.check_digits(digits)
    lines = ["| | " + " | ".join(str(j) for j in range(v.shape[1])) + " |",
             "|---|" + "---:|" * v.shape[1]]
    lines += [f"| {i} | " + " | ".join(c.number(float(x), digits) for x in row) + " |"
              for i, row in enumerate(v)]
    return "\n".join(lines) + "\n"


def csv_text(values: Any) -> str:
    """Rows of comma-separated numbers at full precision (no header)."""
    v = _matrix(values)
    return "".join(",".join(_exact(x) for x in row) + "\n" for row in v)


def numpy_literal(values: Any) -> str:
    """``np.array([[…], […]])`` at full precision."""
    v = _matrix(values)
    rows = ",\n          ".join("[" + ", ".join(_exact(x) for x in row) + "]" for row in v)
    return f"np.array([{rows}])"


def matrix_text(values: Any, fmt: str, digits: int = c.DEFAULT_DIGITS,
                symbol: str | None = None) -> str:
    """The matrix in one of ``COPY_FORMATS``."""
    if fmt == "latex":
        return latex_bmatrix(values, digits, symbol)
    if fmt == "markdown":
        return markdown_table(values, digits)
    if fmt == "csv":
        return csv_text(values)
    if fmt == "numpy":
        return numpy_literal(values)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(COPY_FORMATS)}")


def step_latex(stepper: Any, digits: int = c.DEFAULT_DIGITS) -> str:
    """The last step's equation and, below it, the numbers it used and made (LaTeX).

    A z step is written out with its numbers, ``z = W a + b``; other steps list
    their matrices.  ``ValueError`` before the first step of a pass.
    """
    rec = stepper.last
    if rec is None:
        raise ValueError("no step taken yet in this pass: step first (→)")
    digits = c.check_digits(digits)
    title, formula, _shapes = rec.texts()
    lines = [f"% {text(title)}", math(formula)]
    if rec.kind == "loss":
        lines.append(f"C = {_number(float(stepper.state.loss), digits)}")
    elif rec.kind == "z":
        l = rec.layer
        W, b = stepper.params_used()[l - 1]
        s = stepper.state
        lines.append(f"{math(fm.symbol('z', l))} = "
                     + " ".join([latex_bmatrix(s.z[l], digits), "=",
                                 latex_bmatrix(W, digits), latex_bmatrix(s.a[l - 1], digits),
                                 "+", latex_bmatrix(b, digits)]))
    else:
        for m in step_matrices(stepper, rec):
            lines.append(latex_bmatrix(m.values, digits, m.symbol))
    body = " \\\\\n".join(lines[1:])
    return f"{lines[0]}\n\\begin{{gather*}}\n{body}\n\\end{{gather*}}\n"
