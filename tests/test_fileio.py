"""Atomic writes and spec files: the old file survives, errors name the file."""

import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Network
from engine.fileio import (
    BadFileError,
    atomic_write_bytes,
    atomic_write_text,
    load_spec_file,
    save_spec_file,
)

SPEC = {"input_size": 2, "loss": "squared", "seed": 0, "init": "xavier",
        "layers": [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]}


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    p = tmp_path / "f.txt"
    atomic_write_text(p, "old")
    atomic_write_text(p, "new")
    assert p.read_text() == "new"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_interrupted_write_keeps_old_file(tmp_path, monkeypatch):
    p = tmp_path / "f.bin"
    atomic_write_bytes(p, b"old contents")

    def boom(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(BadFileError, match="No space left"):
        atomic_write_bytes(p, b"new contents that never arrive")
    assert p.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_non_oserror_is_reraised_and_temp_removed(tmp_path, monkeypatch):
    p = tmp_path / "f.bin"
    atomic_write_bytes(p, b"old")
    monkeypatch.setattr(os, "replace", lambda a, b: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(p, b"new")
    assert p.read_bytes() == b"old" and os.listdir(tmp_path) == ["f.bin"]


def test_unwritable_paths_are_refused_by_name(tmp_path):
    with pytest.raises(BadFileError, match="does not exist"):
        atomic_write_text(tmp_path / "nope" / "f.txt", "x")
    with pytest.raises(BadFileError, match="folder"):
        atomic_write_text(tmp_path, "x")
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            with pytest.raises(BadFileError, match="cannot write"):
                atomic_write_text(ro / "f.txt", "x")
        finally:
            ro.chmod(0o700)


def test_spec_round_trip(tmp_path):
    spec = Network.from_spec(SPEC).to_spec()
    save_spec_file(tmp_path / "n.json", spec)
    assert load_spec_file(tmp_path / "n.json") == spec


@pytest.mark.parametrize("text, words", [
    ('{"input_size": 2,\n "layers": [}', "line 2, column"),
    ("[1, 2]", "JSON object"),
    ('{"input_size": 2, "layers": [{"units": 1, "activation": "swish"}]}', "unknown activation"),
    ('{"layers": [{"units": 1, "activation": "tanh"}]}', "input_size"),
    ('{"input_size": 2, "layers": [{"units": 1, "activation": "tanh", "W": [[1, 2, 3]]}]}',
     "shape"),
    ('{"input_size": 2, "layers": [{"units": 99999999, "activation": "tanh"}]}', "limit"),
    ('{"input_size": NaN, "layers": []}', "NaN"),
    ("", "line 1"),
])
def test_bad_spec_files_name_file_and_problem(tmp_path, text, words):
    p = tmp_path / "bad.json"
    p.write_text(text)
    with pytest.raises(BadFileError) as ei:
        load_spec_file(p)
    assert str(p) in str(ei.value) and words in str(ei.value)


def test_missing_file_and_bad_save(tmp_path):
    with pytest.raises(BadFileError, match="no such file"):
        load_spec_file(tmp_path / "missing.json")
    with pytest.raises(BadFileError, match="unknown activation"):
        save_spec_file(tmp_path / "x.json", {"input_size": 1, "layers": [
            {"units": 1, "activation": "nope"}]})
    assert not (tmp_path / "x.json").exists()


@given(st.binary(max_size=300))
def test_random_spec_bytes_only_raise_bad_file_error(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("f") / "s.json"
    p.write_bytes(data)
    try:
        load_spec_file(p)
    except BadFileError:
        pass


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(
                        st.sampled_from(["input_size", "layers", "units", "activation", "W",
                                         "b", "loss", "seed", "x"]), c, max_size=5),
                    max_leaves=20))
def test_random_spec_json_only_raises_bad_file_error(tmp_path_factory, value):
    p = tmp_path_factory.mktemp("f") / "s.json"
    p.write_text(json.dumps(value))
    try:
        load_spec_file(p)
    except BadFileError:
        pass
