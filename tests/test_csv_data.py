"""CSV import: the convention, one-hot labels, standardisation, and clear refusals."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.csv_data import BadFileError, column_name, load_csv, preview


def write(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_header_inputs_and_targets_become_columns(tmp_path):
    p = write(tmp_path, "x1,x2,y\n1,2,0.5\n3,4,1.5\n")
    d = load_csv(p, n_inputs=2, n_outputs=1)
    assert d.header == ["x1", "x2", "y"]
    np.testing.assert_array_equal(d.X, [[1, 3], [2, 4]])
    np.testing.assert_array_equal(d.Y, [[0.5, 1.5]])
    assert d.input_columns == [0, 1] and d.target_columns == [2]
    assert d.kind == "regression" and d.n_samples == 2


def test_no_header_defaults_last_column_target(tmp_path):
    d = load_csv(write(tmp_path, "1,2,0\n3,4,1\n\n"))
    assert d.header is None and d.X.shape == (2, 2) and d.kind == "classification"


def test_label_column_one_hot(tmp_path):
    d = load_csv(write(tmp_path, "a,b,label\n0,0,2\n1,1,0\n"), n_inputs=2, n_outputs=3,
                 label_column=True)
    np.testing.assert_array_equal(d.Y, [[0, 1], [0, 0], [1, 0]])
    assert d.label_column == 2 and list(d.labels) == [2, 0] and d.n_classes == 3


def test_label_column_binary_single_output(tmp_path):
    d = load_csv(write(tmp_path, "0,0,1\n1,1,0\n"), n_outputs=1, label_column=True)
    np.testing.assert_array_equal(d.Y, [[1, 0]])


def test_standardize_keeps_statistics(tmp_path):
    d = load_csv(write(tmp_path, "1,5,0\n3,5,1\n"), standardize=True)
    np.testing.assert_allclose(d.X, [[-1, 1], [0, 0]])
    np.testing.assert_allclose(d.apply_standardization(np.array([[2.0], [5.0]])), [[0], [0]])


def test_semicolon_and_preview(tmp_path):
    p = write(tmp_path, "a;b\n" + "".join(f"{i};{i}\n" for i in range(30)))
    pv = preview(p, rows=5)
    assert pv.header == ["a", "b"] and len(pv.rows) == 5 and pv.n_rows == 30
    assert pv.n_columns == 2


@pytest.mark.parametrize("text, kwargs, words", [
    ("1,2,3\n4,5\n", {}, "row 2 has 2 columns, expected 3"),
    ("x,y,t\n1,2,3\n4,abc,6\n", {}, 'row 3, column 2 ("y"): \'abc\' is not a number'),
    ("1,2,3\n4,nan,6\n", {}, "row 2, column 2 (B): 'nan' is not a finite number"),
    ("1,2,inf\n", {}, "row 1, column 3 (C)"),
    ("1,,3\n", {}, "empty cell"),
    ("", {}, "no data rows"),
    ("a,b,c\n", {}, "no data rows"),
    ("1,2,3\n", {"n_inputs": 3, "n_outputs": 1}, "has 3 columns but the network needs 3"),
    ("1,2,5\n", {"n_inputs": 2, "n_outputs": 3, "label_column": True}, "out of range 0..2"),
    ("1,2,-1\n", {"label_column": True, "n_classes": 2}, "row 1, column 3 (C): label -1"),
    ("1,2,0.5\n", {"label_column": True}, "not a whole number"),
    ("7\n", {}, "need at least 1 input column"),
])
def test_bad_csv_names_file_row_column(tmp_path, text, kwargs, words):
    p = write(tmp_path, text)
    with pytest.raises(BadFileError) as ei:
        load_csv(p, **kwargs)
    msg = str(ei.value)
    assert msg.startswith(str(p)) and words in msg, msg


def test_binary_and_missing_files(tmp_path):
    p = tmp_path / "b.csv"
    p.write_bytes(b"\x00\x01\xff\xfe")
    with pytest.raises(BadFileError):
        load_csv(p)
    with pytest.raises(BadFileError, match="no such file"):
        load_csv(tmp_path / "none.csv")


def test_column_names():
    assert column_name(0) == "column 1 (A)" and column_name(27) == "column 28 (AB)"


cells = st.sampled_from(["1", "-2.5", "0", "1e3", "", "x", "nan", "inf", " 3 ", '"4"', "1,2"])


@given(st.lists(st.lists(cells, max_size=5), max_size=6), st.integers(0, 60))
def test_random_csv_only_raises_bad_file_error(tmp_path_factory, rows, cut):
    text = "\n".join(",".join(r) for r in rows)
    p = tmp_path_factory.mktemp("c") / "r.csv"
    p.write_text(text[: len(text) - cut] if cut < len(text) else text)
    for kw in ({}, {"n_inputs": 2, "n_outputs": 1}, {"label_column": True, "n_outputs": 3},
               {"standardize": True}):
        try:
            d = load_csv(p, **kw)
        except BadFileError:
            continue
        assert np.isfinite(d.X).all() and np.isfinite(d.Y).all()
        assert d.X.shape[1] == d.Y.shape[1] >= 1


@given(st.binary(max_size=200))
def test_random_bytes_only_raise_bad_file_error(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("c") / "r.csv"
    p.write_bytes(data)
    try:
        load_csv(p)
    except BadFileError:
        pass
    try:
        preview(p)
    except BadFileError:
        pass
