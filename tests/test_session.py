"""Session files: bit-identical round trips, resumable training, and refusal of bad files."""

import functools
import io
import json
import os
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Network
from engine.datasets import make_dataset
from engine.experiment import Experiment
from engine.fileio import BadFileError
from engine.optim import make_optimizer
from engine.session import (
    FORMAT_VERSION,
    Session,
    load_session,
    save_session,
    session_bytes,
    session_from_bytes,
)
from engine.training import Trainer

SPEC = {"input_size": 2, "loss": "cross_entropy", "seed": 3,
        "layers": [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]}


def make_session(epochs=2, imported=False, opt="adam"):
    net = Network.from_spec(SPEC)
    initial = [(W.copy(), b.copy()) for W, b in net.params()]
    ds = make_dataset("moons", n_samples=60, seed=1)
    optimizer = make_optimizer(opt, lr=0.05)
    tr = Trainer(net, ds.X, ds.Y, ds.X_val, ds.Y_val, optimizer=optimizer, batch_size=7, seed=5)
    for _ in tr.run(epochs=epochs):
        pass
    dataset = ({"name": "mine", "kind": "classification", "X": ds.X, "Y": ds.Y,
                "X_val": ds.X_val, "Y_val": ds.Y_val} if imported else {"spec": ds.spec})
    s = Session(spec=net.to_spec(), initial_params=initial,
                optimizer={"name": opt, "lr": 0.05, "state": optimizer.state_dict()},
                dataset=dataset, trainer=tr.state_dict(),
                stepper={"k": 5, "sample": 3, "batch_size": 7},
                view={"theme": "dark", "layer": 2, "log_y": True})
    return s, tr


def assert_same(a, b, where="session"):
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape, where
        assert a.tobytes() == b.tobytes(), where  # bit for bit
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            assert_same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    else:
        assert a == b and type(a) is type(b), where


@pytest.mark.parametrize("imported", [False, True])
@pytest.mark.parametrize("opt", ["sgd", "momentum", "adam"])
def test_round_trip_is_bit_identical(tmp_path, imported, opt):
    s, _ = make_session(imported=imported, opt=opt)
    s.view["odd"] = [float("nan"), float("inf"), (1, 2), np.int64(4)]
    p = tmp_path / "s.bplens"
    save_session(p, s)
    t = load_session(p)
    s.view["odd"][3] = 4  # numpy scalars come back as Python numbers
    for name in ("spec", "initial_params", "optimizer", "dataset", "trainer", "stepper", "view"):
        assert_same(getattr(s, name), getattr(t, name), name)
    assert t.stepper == {"k": 5, "sample": 3, "batch_size": 7}


@pytest.mark.parametrize("imported", [False, True])
def test_continuing_after_reload_matches_never_stopping(tmp_path, imported):
    s, _ = make_session(epochs=3, imported=imported)
    save_session(tmp_path / "s.bplens", s)
    r = Experiment.from_session(load_session(tmp_path / "s.bplens"))
    for _ in r.trainer.run(epochs=2):
        pass
    _, straight = make_session(epochs=5)
    assert r.trainer.history.iter_loss == straight.history.iter_loss
    assert r.trainer.history.epoch_val == straight.history.epoch_val
    for (W1, b1), (W2, b2) in zip(r.net.params(), straight.net.params(), strict=True):
        assert W1.tobytes() == W2.tobytes() and b1.tobytes() == b2.tobytes()


def test_interrupted_save_keeps_old_file(tmp_path, monkeypatch):
    s, _ = make_session()
    p = tmp_path / "s.bplens"
    save_session(p, s)
    before = p.read_bytes()

    def boom(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    s.view["theme"] = "light"
    with pytest.raises(BadFileError, match="No space left"):
        save_session(p, s)
    assert p.read_bytes() == before and os.listdir(tmp_path) == ["s.bplens"]
    monkeypatch.undo()
    assert load_session(p).view["theme"] == "dark"


def test_unsavable_value_is_refused_before_writing(tmp_path):
    s, _ = make_session()
    s.view["obj"] = object()
    with pytest.raises(BadFileError, match="view.obj"):
        save_session(tmp_path / "s.bplens", s)
    assert not (tmp_path / "s.bplens").exists()


# --- tampering -------------------------------------------------------------------


def members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def rezip(parts):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return buf.getvalue()


def tampered(edit):
    s, _ = make_session(imported=True)
    parts = members(session_bytes(s))
    m = json.loads(parts["manifest.json"])
    edit(m, parts)
    parts["manifest.json"] = json.dumps(m).encode()
    return rezip(parts)


def npy(a):
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


def first_W(m):
    return m["session"]["initial_params"][0]["__tuple__"][0]["__array__"]


@pytest.mark.parametrize("edit, words", [
    (lambda m, p: m.update(version=FORMAT_VERSION + 1),
     f"session format version {FORMAT_VERSION + 1}); this app reads versions up to "
     f"{FORMAT_VERSION}"),
    (lambda m, p: m.update(format="zip"), "wrong format name"),
    (lambda m, p: m.update(version="1"), "bad format version"),
    (lambda m, p: m["arrays"][first_W(m)].update(shape=[5, 5]), "manifest says"),
    (lambda m, p: m["arrays"][first_W(m)].update(dtype="|O"), "unsupported dtype"),
    (lambda m, p: p.update({f"arrays/{first_W(m)}.npy": npy(np.zeros((100, 100)))}),
     "larger than the manifest"),
    (lambda m, p: p.update({f"arrays/{first_W(m)}.npy": npy(np.zeros((4, 2), np.float32))}),
     "manifest says"),
    (lambda m, p: p.update({f"arrays/{first_W(m)}.npy": npy(np.array([{}], dtype=object))}),
     "is object (1,) but the manifest says"),
    (lambda m, p: p.pop(f"arrays/{first_W(m)}.npy"), "missing from the file"),
    (lambda m, p: m["session"]["initial_params"][0]["__tuple__"].__setitem__(
        0, {"__array__": "zz"}), "does not list"),
    (lambda m, p: m["session"]["spec"]["layers"][0].update(activation="swish"),
     "unknown activation"),
    (lambda m, p: m["session"]["spec"]["layers"][0].update(W=[[1.0]]), "shape"),
    (lambda m, p: m["session"].pop("spec"), "no 'spec'"),
    (lambda m, p: m["session"].update(view=3), "'view' has the wrong type"),
    (lambda m, p: m["session"]["trainer"].update(pos=10**6), "training state"),
    (lambda m, p: m["session"]["trainer"].update(rng={"x": 1}), "training state"),
    (lambda m, p: m["session"]["optimizer"].update(name="lbfgs"), "optimizer"),
    (lambda m, p: m["session"]["optimizer"]["state"].update(lr=-1), "optimizer"),
    (lambda m, p: m["session"]["optimizer"]["state"]["m"].pop(), "optimizer"),
    (lambda m, p: m["session"]["dataset"].update(Y=m["session"]["dataset"]["X"]), "dataset"),
])
def test_tampered_files_are_refused(tmp_path, edit, words):
    p = tmp_path / "t.bplens"
    p.write_bytes(tampered(edit))
    with pytest.raises(BadFileError) as ei:
        load_session(p)
    assert str(p) in str(ei.value) and words in str(ei.value), str(ei.value)


def test_mismatched_initial_params_consistent_manifest(tmp_path):
    s, _ = make_session()
    s.initial_params[0] = (np.zeros((2, 2)), s.initial_params[0][1])
    save_session(tmp_path / "s.bplens", s)
    with pytest.raises(BadFileError, match="initial_params, layer 1"):
        load_session(tmp_path / "s.bplens")


def test_not_a_zip_and_missing_file(tmp_path):
    p = tmp_path / "s.bplens"
    p.write_text("hello")
    with pytest.raises(BadFileError, match="not a zip"):
        load_session(p)
    with pytest.raises(BadFileError, match="no such file"):
        load_session(tmp_path / "none.bplens")


@functools.cache
def small_session_bytes():
    net = Network.from_spec({"input_size": 1, "layers": [{"units": 1, "activation": "tanh"}]})
    X, Y = np.array([[0.5, -1.0]]), np.array([[0.1, 0.2]])
    s = Session(net.to_spec(), [(W.copy(), b.copy()) for W, b in net.params()],
                {"name": "sgd", "lr": 0.1, "state": {}},
                {"name": "tiny", "X": X, "Y": Y, "kind": "regression"}, None, None, {})
    return session_bytes(s)


def test_truncated_at_every_byte_offset():
    data = small_session_bytes()
    assert session_from_bytes(data).dataset["name"] == "tiny"
    for n in range(len(data)):
        with pytest.raises(BadFileError):
            session_from_bytes(data[:n], "cut.bplens")


def load_or_refuse(data):
    try:
        session_from_bytes(data, "fuzz.bplens")
    except BadFileError:
        pass


@given(st.binary(max_size=400))
def test_random_bytes_only_raise_bad_file_error(data):
    load_or_refuse(data)


@given(st.data())
def test_mutated_session_only_raises_bad_file_error(data):
    raw = bytearray(small_session_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    load_or_refuse(bytes(raw))


@given(st.data())
def test_mutated_manifest_only_raises_bad_file_error(data):
    parts = members(small_session_bytes())
    text = bytearray(parts["manifest.json"])
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(text) - 1))
        text[i] = data.draw(st.sampled_from(b'0129-.e"{}[],:x '))
    parts["manifest.json"] = bytes(text)
    load_or_refuse(rezip(parts))


def test_hand_built_version_1_file_following_the_docs_loads(tmp_path):
    """A file written from docs/files-and-commands.md alone, not by save_session:
    later versions of the app must keep reading it."""
    W1, b1 = np.array([[0.5, -0.3]]), np.array([[0.1]])
    X, Y = np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([[0.25, 0.75]])
    manifest = {
        "format": "backprop-lens-session", "version": 1, "app_version": "0.1.0",
        "created": "2026-01-01T00:00:00+00:00",
        "arrays": {name: {"dtype": "<f8", "shape": list(a.shape)}
                   for name, a in (("w", W1), ("b", b1), ("x", X), ("y", Y))},
        "session": {
            "spec": {"input_size": 2, "layers": [{"units": 1, "activation": "tanh",
                                                  "W": [[0.4, -0.2]], "b": [0.0]}]},
            "initial_params": [{"__tuple__": [{"__array__": "w"}, {"__array__": "b"}]}],
            "optimizer": {"name": "sgd", "lr": 0.1, "state": {"name": "sgd", "lr": 0.1}},
            "dataset": {"name": "hand", "kind": "regression", "X": {"__array__": "x"},
                        "Y": {"__array__": "y"}},
            "trainer": None, "stepper": {"k": 0, "sample": None, "batch_size": 2},
            "view": {"log_y": {"__float__": "nan"}},
        },
    }
    parts = {"manifest.json": json.dumps(manifest).encode()}
    for name, a in (("w", W1), ("b", b1), ("x", X), ("y", Y)):
        parts[f"arrays/{name}.npy"] = npy(a)
    (tmp_path / "v1.bplens").write_bytes(rezip(parts))
    s = load_session(tmp_path / "v1.bplens")
    assert s.initial_params[0][0].tobytes() == W1.tobytes()
    assert s.dataset["X"].tobytes() == X.tobytes() and np.isnan(s.view["log_y"])
    r = Experiment.from_session(s)
    assert r.net.layers[0].W.tolist() == [[0.4, -0.2]] and r.trainer.iteration == 0
