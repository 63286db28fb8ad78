"""The fast CSV reader: bit for bit what float() reads, and the careful reader's messages."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import csv_data, csv_fast
from engine.csv_data import load_csv, preview
from engine.fileio import BadFileError


def write(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


def reference(text, delim=","):
    """The numbers as Python's float() reads each cell (the careful reader's own rule)."""
    rows = [ln for ln in text.replace("\r", "").split("\n") if ln.strip()]
    return np.array([[float(c) for c in ln.split(delim)] for ln in rows])


def same_bits(a, b):
    return a.shape == b.shape and a.tobytes() == b.tobytes()


TRICKY = ["0", "-0", "+0.0", ".5", "5.", "-.25", "0.1", "0.3", "123456789012345",
          "-99999999999999.9", "1234567890123456", "12345678901234567890", "0.1234567890123456",
          "1e-5", "2.5E+300", "4.9e-324", "1_000", " 7 ", "007", "-0.000000000000001",
          "9007199254740993", "0.30000000000000004", "1.7976931348623157e308"]


def test_tricky_cells_are_bit_for_bit_float(tmp_path):
    cells = TRICKY + TRICKY[::-1]
    text = "\n".join(",".join(cells[i:i + 2]) for i in range(0, len(cells), 2)) + "\n"
    d = load_csv(write(tmp_path, text), n_inputs=1, n_outputs=1)
    want = reference(text)
    assert same_bits(d.X[0], want[:, 0]) and same_bits(d.Y[0], want[:, 1])
    assert np.signbit(d.Y[0][0]) and d.Y[0][0] == 0   # "-0" keeps its sign


decimal = st.builds(
    lambda sign, ip, fp, dot: sign + ip + ("." + fp if dot else ""),
    st.sampled_from(["", "-", "+"]), st.text("0123456789", min_size=1, max_size=9),
    st.text("0123456789", max_size=9), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(decimal, min_size=3, max_size=3), min_size=1, max_size=40),
       st.sampled_from(["\n", "\r\n"]))
def test_random_decimals_match_float_exactly(tmp_path_factory, rows, newline):
    text = newline.join(",".join(r) for r in rows) + newline
    p = write(tmp_path_factory.mktemp("c"), text)
    d = load_csv(p, n_inputs=2, n_outputs=1)
    want = reference(text)
    assert same_bits(d.X, np.ascontiguousarray(want[:, :2].T))
    assert same_bits(d.Y[0], want[:, 2])


def test_random_floats_written_by_repr_match_loadtxt(tmp_path):
    rng = np.random.default_rng(3)
    M = rng.normal(0, 1, size=(300, 5)) * 10.0 ** rng.integers(-8, 8, size=(300, 5))
    M[::7, 1] = np.round(M[::7, 1], 3)
    text = "\n".join(",".join(repr(float(v)) for v in r) for r in M) + "\n"
    p = write(tmp_path, text)
    d = load_csv(p, n_inputs=4, n_outputs=1)
    L = np.loadtxt(p, delimiter=",")
    assert same_bits(d.X, np.ascontiguousarray(L[:, :4].T)) and same_bits(d.Y[0], L[:, 4])
    assert same_bits(L, M)   # and both are the numbers that were written


def test_fast_and_careful_readers_agree_on_a_pixel_file(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    px = rng.integers(0, 256, size=(500, 30))
    px[rng.random(px.shape) < 0.7] = 0
    M = np.hstack([px, rng.integers(0, 10, size=(500, 1))])
    text = "a" + ",a" * 30 + "\n" + "\n".join(",".join(map(str, r)) for r in M) + "\n"
    p = write(tmp_path, text)
    used = []
    real = csv_data.read_numeric
    monkeypatch.setattr(csv_data, "read_numeric",
                        lambda *a, **k: used.append(real(*a, **k)) or used[-1])
    fast = load_csv(p, label_column=True, n_outputs=10)
    assert len(used) == 1 and used[0] is not None   # the fast reader read this file
    monkeypatch.setattr(csv_data, "read_numeric", lambda *a, **k: None)  # careful only
    careful = load_csv(p, label_column=True, n_outputs=10)
    assert same_bits(fast.X, careful.X) and same_bits(fast.Y, careful.Y)
    assert same_bits(fast.X, np.ascontiguousarray(M[:, :30].T.astype(float)))
    assert fast.header == careful.header and fast.labels.tolist() == M[:, 30].tolist()


@pytest.mark.parametrize("tail, words", [
    ("1,2,x\n", 'row 1002, column 3 (C): \'x\' is not a number'),
    ("1,,3\n", "row 1002, column 2 (B): empty cell"),
    ("1,2\n", "row 1002 has 2 columns, expected 3 as in row 1"),
    ("1,2,nan\n", "row 1002, column 3 (C): 'nan' is not a finite number"),
    ("1,2,2.5\n", "label '2.5' is not a whole number"),
])
def test_a_bad_cell_deep_in_a_big_file_gets_the_careful_message(tmp_path, tail, words):
    text = "1,2,0\n" * 1001 + tail
    p = write(tmp_path, text)
    with pytest.raises(BadFileError) as ei:
        load_csv(p, label_column="label" in words, n_outputs=3 if "label" in words else 1)
    assert words in str(ei.value) and str(p) in str(ei.value)


def test_blank_lines_and_quotes_still_read_as_before(tmp_path):
    p = write(tmp_path, '1,2,0\n\n  \n3,4,1\n"5",6,0\n')
    d = load_csv(p)
    assert d.X.tolist() == [[1, 3, 5], [2, 4, 6]] and d.Y.tolist() == [[0, 1, 0]]
    assert preview(p).n_rows == 3


def test_progress_reaches_the_file_size(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_fast, "CHUNK_BYTES", 1000)
    p = write(tmp_path, "h1,h2\n" + "0.5,1\n" * 2000)
    seen = []
    load_csv(p, progress=lambda done, total: seen.append((done, total)))
    size = p.stat().st_size
    assert len(seen) > 5 and seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_memory_is_the_result_not_a_list_per_cell(tmp_path):
    rng = np.random.default_rng(0)
    M = rng.integers(0, 256, size=(4000, 101))
    p = write(tmp_path, "\n".join(",".join(map(str, r)) for r in M) + "\n")
    result = M.size * 8
    tracemalloc.start()
    try:
        d = load_csv(p, n_outputs=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert d.X.shape == (100, 4000)
    assert peak < result + 5_000_000, (peak, result)   # chunk buffers; the careful reader: ~ 20×


def test_preview_of_a_plain_file_counts_rows_without_reading_it_all(tmp_path):
    p = write(tmp_path, "x;y\n" + "1;2\n" * 50 + "3;4")
    pv = preview(p, rows=2)
    assert pv.header == ["x", "y"] and pv.rows == [["1", "2"], ["1", "2"]]
    assert pv.n_rows == 51 and pv.n_columns == 2


def load_both(p, **kw):
    """(fast result or message, careful result or message) for the same file."""
    def one():
        try:
            d = load_csv(p, **kw)
            return (d.X.tobytes(), d.X.shape, d.Y.tobytes(), d.header)
        except BadFileError as e:
            return str(e)
    fast = one()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(csv_data, "read_numeric", lambda *a, **k: None)
        careful = one()
    return fast, careful


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text("0123456789.-+e ", max_size=6) | decimal, min_size=2,
                         max_size=2), min_size=1, max_size=12),
       st.sampled_from([",", ";"]), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_fast_and_careful_readers_agree_on_anything(tmp_path_factory, rows, sep, newline,
                                                   header):
    text = (f"a{sep}b{newline}" if header else "") + newline.join(sep.join(r) for r in rows)
    p = write(tmp_path_factory.mktemp("c"), text)
    fast, careful = load_both(p, n_inputs=1, n_outputs=1)
    assert fast == careful


@pytest.mark.parametrize("text", [
    "1,2\n3,4\n", "1,2\n3,4", "1,2\n\n3,4\n", "1,2\n  \n3,4\n\n", "1,2\n,\n3,4\n",
    "x,y\n1,2\n \t\n3,4\r\n\r\n5,6", "1,2\n ,\n", "a,b\n1,2\n,,\n"])
def test_preview_counts_rows_as_the_careful_reader_does(tmp_path, monkeypatch, text):
    p = write(tmp_path, text)
    fast = preview(p, rows=3)
    monkeypatch.setattr(csv_data, "_fast_layout", lambda path: None)   # careful only
    careful = preview(p, rows=3)
    assert (fast.header, fast.rows, fast.n_columns, fast.n_rows) == \
        (careful.header, careful.rows, careful.n_columns, careful.n_rows)
