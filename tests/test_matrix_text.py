"""A matrix or the current step as text to paste: exact where it must be, and a LaTeX
equation that compiles."""

from __future__ import annotations

import io
import shutil
import subprocess

import numpy as np
import pytest

from engine.experiment import Experiment
from engine.handout.matrix_text import (
    csv_text,
    latex_bmatrix,
    markdown_table,
    matrix_text,
    numpy_literal,
    step_latex,
)

M = np.array([[0.1, -2.5e-7, 3.0], [1 / 3, 0.0, -12345.678]])


def test_csv_and_numpy_read_back_as_the_very_same_floats():
    assert np.array_equal(np.loadtxt(io.StringIO(csv_text(M)), delimiter=","), M)
    back = eval(numpy_literal(M), {"np": np})   # a literal, as a user pastes it
    assert back.dtype == np.float64 and np.array_equal(back, M)


def test_latex_and_markdown_show_every_cell_to_the_digits_asked():
    tex = latex_bmatrix(M, 3, "W₁")
    assert tex.startswith("W_{1} = \\begin{bmatrix}") and tex.endswith("\\end{bmatrix}")
    rows = tex.split("\\begin{bmatrix}\n")[1].split("\n\\end")[0].split(" \\\\\n")
    assert rows == ["0.1 & -2.5{\\times}10^{-7} & 3", "0.333 & 0 & -1.23{\\times}10^{4}"]
    md = markdown_table(M, 4).splitlines()
    assert md[0] == "| | 0 | 1 | 2 |" and md[2] == "| 0 | 0.1 | -2.5e-07 | 3 |"
    assert md[3] == "| 1 | 0.3333 | 0 | -1.235e+04 |"


@pytest.mark.parametrize("bad", [np.zeros((0, 2)), np.zeros(3), np.zeros((2, 2, 2))])
def test_not_a_matrix_is_refused(bad):
    with pytest.raises(ValueError, match="2-D"):
        csv_text(bad)


def test_an_unknown_format_or_digits_out_of_range_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        matrix_text(M, "xlsx")
    with pytest.raises(ValueError, match="digits"):
        latex_bmatrix(M, 0)


def test_the_z_step_is_written_out_with_its_numbers():
    ex = Experiment.from_example("xor")
    with pytest.raises(ValueError, match="no step"):
        step_latex(ex.stepper)
    ex.step()
    tex = step_latex(ex.stepper, 3)
    # XOR's hand weights: W1 = [[6, 6], [-6, -6]], b1 = [-3, 9]; z1 = W1 X + b1 by hand
    z1 = np.array([[6, 6], [-6, -6]]) @ ex.stepper.X + np.array([[-3], [9]])
    first_row = " & ".join(f"{v:g}" for v in z1[0])
    assert first_row in tex and "6 & 6 \\\\\n-6 & -6" in tex
    assert tex.count("\\begin{bmatrix}") == 4 and "+" in tex


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_every_step_of_a_pass_compiles_as_latex(tmp_path):
    ex = Experiment.from_example("mazur")
    parts = []
    for _ in range(ex.stepper.K):
        ex.step()
        parts.append(step_latex(ex.stepper))
    doc = ("\\documentclass{article}\\usepackage{amsmath,amssymb}\\begin{document}\n"
           + "\n".join(parts) + "\\end{document}\n")
    (tmp_path / "steps.tex").write_text(doc)
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "steps.tex"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]
