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
    for ly in s.spec["layers"]:   # the spec's weights are stored (and come back) as arrays
        ly["W"], ly["b"] = np.asarray(ly["W"]), np.asarray(ly["b"])
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
    (lambda m, p: m["session"]["trainer"].update(pos=10**6), "trainer.pos"),
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


# --- crafted numbers: each refused, naming the file and the field ------------------------


def put_array(m, p, ref, a):
    """Replace the array a session field refers to (manifest entry and member)."""
    p[f"arrays/{ref}.npy"] = npy(a)
    m["arrays"][ref] = {"dtype": a.dtype.str, "shape": list(a.shape)}


def opt_state(m):
    return m["session"]["optimizer"]["state"]


def state_array(m, key, i=0):
    return opt_state(m)[key][i]["__array__"]


def with_nan(shape, value=float("nan")):
    a = np.full(shape, 0.25)
    a.flat[-1] = value
    return a


@pytest.mark.parametrize("edit, words", [
    (lambda m, p: put_array(m, p, first_W(m), with_nan((4, 2))),
     "initial_params, layer 1: W[3, 1] is nan"),
    (lambda m, p: put_array(m, p, first_W(m), with_nan((4, 2), float("inf"))),
     "initial_params, layer 1: W[3, 1] is inf"),
    (lambda m, p: put_array(m, p, m["session"]["spec"]["layers"][1]["W"]["__array__"],
                            with_nan((1, 4))), "layer 2: W[0, 3] is nan"),
    (lambda m, p: put_array(m, p, state_array(m, "m"), with_nan((4, 2))),
     "optimizer.state.m[0] (W_1)[3, 1] is nan"),
    (lambda m, p: put_array(m, p, state_array(m, "v", 1), -with_nan((4, 1), 0.5)),
     "optimizer.state.v[1] (b_1)[0, 0] is -0.25; it must be ≥ 0"),
    (lambda m, p: opt_state(m).update(t=-5), "optimizer.state.t is -5"),
    (lambda m, p: opt_state(m).update(t=2.5), "optimizer.state.t must be a whole number"),
    (lambda m, p: opt_state(m).update(beta1=5), "beta1 (β₁) is 5; it must be below 1"),
    (lambda m, p: opt_state(m).update(beta2=1.0), "beta2 (β₂) is 1; it must be below 1"),
    (lambda m, p: opt_state(m).update(beta1=-0.1), "beta1 (β₁) is -0.1; it must be at least 0"),
    (lambda m, p: opt_state(m).update(eps=0), "eps (ε) is 0"),
    (lambda m, p: opt_state(m).update(lr={"__float__": "inf"}), "optimizer.state.lr is inf"),
    (lambda m, p: m["session"]["optimizer"].update(lr="0.1"), "optimizer.lr must be a number"),
    (lambda m, p: m["session"]["stepper"].update(sample=-5), "stepper.sample"),
    (lambda m, p: m["session"]["stepper"].update(sample=48), "it must be in 0..47"),
    (lambda m, p: m["session"]["stepper"].update(k=11), "stepper.k (position in the pass of "
                                                         "K = 10 steps) is 11"),
    (lambda m, p: m["session"]["stepper"].update(k=True), "stepper.k"),
    (lambda m, p: m["session"]["trainer"].update(iteration=-1), "trainer.iteration is -1"),
    (lambda m, p: m["session"]["trainer"].update(epoch_sum={"__float__": "nan"}),
     "trainer.epoch_sum is nan"),
    (lambda m, p: m["session"]["trainer"].update(seed=2**70), "trainer.seed"),
    (lambda m, p: m["session"]["trainer"]["history"].update(iter_loss=[0.5, "x"]),
     "trainer.history.iter_loss[1] must be a number"),
])
def test_crafted_numbers_are_refused_by_file_and_field(tmp_path, edit, words):
    p = tmp_path / "t.bplens"
    p.write_bytes(tampered(edit))
    with pytest.raises(BadFileError) as ei:
        load_session(p)
    assert str(ei.value).startswith(f"{p}: ") and words in str(ei.value), str(ei.value)


def test_steps_per_pass_is_the_steppers_K():
    from engine.session_numbers import steps_per_pass
    from engine.stepper import Stepper
    for sizes in ([2, 1], [2, 4, 1], [3, 5, 5, 2]):
        spec = {"input_size": sizes[0], "layers": [
            {"units": n, "activation": "tanh"} for n in sizes[1:]]}
        net = Network.from_spec(spec)
        X, Y = np.zeros((sizes[0], 1)), np.zeros((sizes[-1], 1))
        assert steps_per_pass(net.L) == Stepper(net, X, Y).K


def forged(extra: bytes, cut: int = 0):
    def edit(m, p):
        name = f"arrays/{first_W(m)}.npy"
        raw = p[name]
        p[name] = (raw[:len(raw) - cut] if cut else raw) + extra
    return edit


@pytest.mark.parametrize("edit, words", [
    (forged(b"", cut=8), "shorter than its header says"),
    (forged(b"\x00" * 8), "longer than its header says"),
    (forged(b"raw text bytes under an <f8 header"), "longer than its header says"),
])
def test_data_length_that_differs_from_the_header_is_refused(tmp_path, edit, words):
    p = tmp_path / "t.bplens"
    p.write_bytes(tampered(edit))
    with pytest.raises(BadFileError, match=words):
        load_session(p)


# --- bounded loading: unreferenced arrays are never read, declared sizes are capped -------


def opened_members(monkeypatch):
    seen = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *a, **k):
        seen.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return seen


def zeros_member(nbytes):
    """A .npy of nbytes zeros, built in chunks (deflated, it is a few hundred kB)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_2_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (nbytes // 8,)})
    return header.getvalue() + bytes(nbytes)


def test_unreferenced_arrays_are_never_inflated(tmp_path, monkeypatch):
    import tracemalloc
    s, _ = make_session(imported=True)
    parts = members(session_bytes(s))
    m = json.loads(parts["manifest.json"])
    for i in range(3):   # three unreferenced 48 MB arrays, listed in the manifest
        m["arrays"][f"bomb{i}"] = {"dtype": "<f8", "shape": [6_000_000]}
        parts[f"arrays/bomb{i}.npy"] = zeros_member(48_000_000)
    parts["manifest.json"] = json.dumps(m).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    del parts
    p = tmp_path / "bomb.bplens"
    p.write_bytes(buf.getvalue())
    assert p.stat().st_size < 2_000_000
    seen = opened_members(monkeypatch)
    tracemalloc.start()
    try:
        t = load_session(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not any("bomb" in n for n in seen) and any(n.startswith("arrays/") for n in seen)
    assert peak < 10_000_000, peak   # the three 48 MB arrays were never inflated
    assert t.dataset["X"].shape == s.dataset["X"].shape


def test_referenced_arrays_over_the_cap_are_refused_before_inflating(tmp_path, monkeypatch):
    from engine.session import MAX_ARRAY_BYTES

    def huge(m, p):
        ref = m["session"]["dataset"]["X"]["__array__"]
        m["arrays"][ref] = {"dtype": "<f8", "shape": [2, MAX_ARRAY_BYTES // 16 + 1]}

    p = tmp_path / "t.bplens"
    p.write_bytes(tampered(huge))
    seen = opened_members(monkeypatch)
    with pytest.raises(BadFileError, match=f"more than the limit of {MAX_ARRAY_BYTES:,} bytes"):
        load_session(p)
    assert not any(n.startswith("arrays/") for n in seen)


def test_caps_follow_from_the_apps_own_limits():
    """What the app can save it can load: the largest network and CSV data fit the caps."""
    from engine.csv_data import MAX_CSV_BYTES
    from engine.session import MAX_ARRAY_BYTES, MAX_SESSION_BYTES
    from engine.spec import MAX_PARAMS
    weights = 4 * 8 * MAX_PARAMS               # spec, initial, Adam m and v
    csv_cells = MAX_CSV_BYTES // 2             # "0," per cell at least
    assert MAX_ARRAY_BYTES >= weights + 8 * csv_cells + 8 * csv_cells // 2
    assert MAX_SESSION_BYTES > MAX_ARRAY_BYTES


def test_saving_refuses_what_loading_would_refuse(tmp_path, monkeypatch):
    import engine.session as session_mod
    s, _ = make_session()
    monkeypatch.setattr(session_mod, "MAX_ARRAY_BYTES", 100)
    with pytest.raises(BadFileError, match="a session may have"):
        save_session(tmp_path / "s.bplens", s)
    assert not (tmp_path / "s.bplens").exists()


def test_fifo_given_as_session_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "s.bplens"
    os.mkfifo(fifo)
    with pytest.raises(BadFileError, match="FIFO"):
        load_session(fifo)


NUMBER_FIELDS = [("optimizer", "lr"), ("optimizer", "state", "lr"),
                 ("optimizer", "state", "beta1"), ("optimizer", "state", "beta2"),
                 ("optimizer", "state", "eps"), ("optimizer", "state", "t"),
                 ("trainer", "iteration"), ("trainer", "epoch"), ("trainer", "pos"),
                 ("trainer", "epoch_sum"), ("trainer", "epoch_count"), ("trainer", "batch_size"),
                 ("trainer", "seed"), ("stepper", "k"), ("stepper", "sample"),
                 ("stepper", "batch_size")]
CRAFTED = (st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**20, 10**20)
           | st.booleans() | st.none() | st.text(max_size=3) | st.sampled_from([0, 1, -1, 48]))


def as_json_number(v):
    return {"__float__": repr(v)} if isinstance(v, float) and not np.isfinite(v) else v


def train_a_little(s):
    """A loaded session must restore and train without any error but divergence."""
    from engine.training import TrainingDiverged
    r = Experiment.from_session(s)
    with np.errstate(all="ignore"):
        try:
            for _ in r.trainer.run(epochs=1):
                pass
        except TrainingDiverged:
            pass


@given(st.lists(st.tuples(st.sampled_from(NUMBER_FIELDS), CRAFTED), min_size=1, max_size=3))
def test_sessions_with_crafted_numbers_load_cleanly_or_are_refused(edits):
    s, _ = make_session()
    parts = members(session_bytes(s))
    m = json.loads(parts["manifest.json"])
    for path, value in edits:
        d = m["session"]
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = as_json_number(value)
    parts["manifest.json"] = json.dumps(m).encode()
    try:
        t = session_from_bytes(rezip(parts), "fuzz.bplens")
    except BadFileError as e:
        assert str(e).startswith("fuzz.bplens: ")
        return
    train_a_little(t)


ARRAY_FIELDS = ["initial W", "initial b", "m", "v", "spec W"]


@given(st.sampled_from(ARRAY_FIELDS),
       st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=8,
                max_size=8))
def test_sessions_with_crafted_arrays_load_cleanly_or_are_refused(field, values):
    s, _ = make_session()
    parts = members(session_bytes(s))
    m = json.loads(parts["manifest.json"])
    ref = {"initial W": first_W(m),
           "initial b": m["session"]["initial_params"][0]["__tuple__"][1]["__array__"],
           "m": state_array(m, "m"), "v": state_array(m, "v"),
           "spec W": m["session"]["spec"]["layers"][0]["W"]["__array__"]}[field]
    shape = tuple(m["arrays"][ref]["shape"])
    put_array(m, parts, ref, np.resize(np.array(values), shape))
    parts["manifest.json"] = json.dumps(m).encode()
    try:
        t = session_from_bytes(rezip(parts), "fuzz.bplens")
    except BadFileError:
        return
    train_a_little(t)
