"""Samples typed or pasted by hand: separators, decimal commas, headers, and refusals."""

from __future__ import annotations

import numpy as np
import pytest

from engine.typed_table import parse_table


def test_a_spreadsheet_paste_with_tabs_and_decimal_commas():
    X, Y = parse_table("x1\tx2\ty\n0,05\t0,1\t0,01\n0,5\t-1\t1\n", 2, 1)
    assert np.array_equal(X, [[0.05, 0.5], [0.1, -1.0]]) and np.array_equal(Y, [[0.01, 1.0]])


@pytest.mark.parametrize("text", ["1, 2, 3\n4, 5, 6", "1;2;3\n4;5;6", "1 2 3\n\n4 5 6\n"])
def test_commas_semicolons_and_spaces_separate_cells(text):
    X, Y = parse_table(text, 1, 2)
    assert np.array_equal(X, [[1.0, 4.0]]) and np.array_equal(Y, [[2.0, 5.0], [3.0, 6.0]])


@pytest.mark.parametrize("text, match", [
    ("1\t2\n3\t4\t5", "row 1 has 2 values but each sample needs 3"),
    ("1,2,3,4", "row 1 has 4 values"),
    ("1\t2\t3\n4\tx\t6", "row 2: 'x': not a number"),
    ("", "no samples"), ("x1\tx2\ty\n", "no samples"),
    ("1\t2\tnan", "finite")])
def test_a_table_of_the_wrong_width_or_with_text_is_refused(text, match):
    with pytest.raises(ValueError, match=match):
        parse_table(text, 2, 1)
