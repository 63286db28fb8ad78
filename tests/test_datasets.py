"""Tests of engine.datasets: shapes, determinism, geometry, digits, argument checks."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Network
from engine import datasets as dsmod
from engine.datasets import DATASETS, Dataset, make_dataset

REPO = Path(__file__).resolve().parent.parent
INPUTS = {"xor": 2, "circles": 2, "moons": 2, "spiral": 2, "blobs": 2, "sine": 1, "digits": 64}
OUTPUTS = {"xor": 1, "circles": 1, "moons": 1, "spiral": 1, "blobs": 3, "sine": 1, "digits": 10}


def _all(ds: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Training and validation put back together (columns)."""
    X = np.hstack([ds.X, ds.X_val])
    Y = np.hstack([ds.Y, ds.Y_val])
    labels = None if ds.labels is None else np.r_[ds.labels, ds.labels_val]
    return X, Y, labels


# --- shapes and the spec ---------------------------------------------------


@pytest.mark.parametrize("name", DATASETS)
def test_shapes_columns_are_samples(name):
    ds = make_dataset(name, n_samples=150, val_fraction=0.2)
    n0, nL = INPUTS[name], OUTPUTS[name]
    assert ds.X.shape == (n0, 120) and ds.Y.shape == (nL, 120)
    assert ds.X_val.shape == (n0, 30) and ds.Y_val.shape == (nL, 30)
    assert ds.input_size == n0 and ds.output_size == nL
    for A in (ds.X, ds.Y, ds.X_val, ds.Y_val):
        assert A.dtype == np.float64 and np.isfinite(A).all()
    assert ds.name == name
    if name == "sine":
        assert ds.kind == "regression" and ds.n_classes == 0
        assert ds.labels is None and ds.labels_val is None
    else:
        assert ds.kind == "classification"
        assert ds.labels.shape == (120,) and ds.labels_val.shape == (30,)
        assert np.issubdtype(ds.labels.dtype, np.integer)
        assert ds.n_classes == {"blobs": 3, "digits": 10}.get(name, 2)


@pytest.mark.parametrize("name", DATASETS)
def test_val_fraction_zero_gives_empty_validation(name):
    ds = make_dataset(name, n_samples=40, val_fraction=0.0)
    assert ds.X.shape[1] == 40
    assert ds.X_val.shape == (INPUTS[name], 0) and ds.Y_val.shape == (OUTPUTS[name], 0)


def test_val_fraction_always_leaves_training_samples():
    ds = make_dataset("xor", n_samples=4, val_fraction=0.9)
    assert ds.X.shape[1] >= 1 and ds.X.shape[1] + ds.X_val.shape[1] == 4


@pytest.mark.parametrize("name", DATASETS)
def test_spec_regenerates_bit_identically(name):
    ds = make_dataset(name, n_samples=90, noise=0.2, seed=7, val_fraction=0.3, n_classes=4)
    again = make_dataset(**ds.spec)
    for a, b in [(ds.X, again.X), (ds.Y, again.Y), (ds.X_val, again.X_val),
                 (ds.Y_val, again.Y_val)]:
        assert a.shape == b.shape and a.tobytes() == b.tobytes()
    assert ("n_classes" in ds.spec) == (name == "blobs")


# --- determinism -----------------------------------------------------------


@pytest.mark.parametrize("name", DATASETS)
def test_same_seed_identical_other_seed_different(name):
    a = make_dataset(name, seed=3)
    b = make_dataset(name, seed=3)
    c = make_dataset(name, seed=4)
    assert a.X.tobytes() == b.X.tobytes() and a.Y_val.tobytes() == b.Y_val.tobytes()
    assert not np.array_equal(a.X, c.X)


def test_split_does_not_change_the_samples():
    """Changing val_fraction only moves samples between training and validation."""
    a, b = make_dataset("moons", val_fraction=0.1), make_dataset("moons", val_fraction=0.5)
    Xa, Xb = _all(a)[0], _all(b)[0]
    order = lambda X: X[:, np.lexsort(X)]  # noqa: E731
    np.testing.assert_array_equal(order(Xa), order(Xb))


@given(name=st.sampled_from(DATASETS), n=st.integers(4, 300),
       noise=st.floats(0, 5), seed=st.integers(0, 2**32),
       val=st.floats(0, 0.9), k=st.integers(2, 10))
def test_any_valid_arguments_give_consistent_sets(name, n, noise, seed, val, k):
    ds = make_dataset(name, n_samples=n, noise=noise, seed=seed, val_fraction=val,
                      n_classes=k)
    X, Y, labels = _all(ds)
    assert X.shape[1] == Y.shape[1] == n  # n ≤ 300 < 1797, so digits too
    assert ds.X_val.shape[1] == min(round(val * n), n - 1)
    assert np.isfinite(X).all() and np.isfinite(Y).all()
    if labels is not None:
        assert (labels >= 0).all() and (labels < ds.n_classes).all()


# --- labels agree with Y, classes balanced ---------------------------------


@pytest.mark.parametrize("name", [n for n in DATASETS if n != "sine"])
def test_labels_consistent_with_Y(name):
    ds = make_dataset(name, n_samples=300, n_classes=4)
    for Y, labels in [(ds.Y, ds.labels), (ds.Y_val, ds.labels_val)]:
        if Y.shape[0] == 1:
            assert set(np.unique(Y)) <= {0.0, 1.0}
            np.testing.assert_array_equal(Y[0], labels)
        else:
            assert (Y.sum(axis=0) == 1).all() and set(np.unique(Y)) == {0.0, 1.0}
            np.testing.assert_array_equal(np.argmax(Y, axis=0), labels)


@pytest.mark.parametrize("name,k", [("xor", 2), ("circles", 2), ("moons", 2), ("spiral", 2),
                                    ("blobs", 3), ("blobs", 5), ("digits", 10)])
def test_classes_roughly_balanced(name, k):
    ds = make_dataset(name, n_samples=1000, n_classes=k)
    counts = np.bincount(_all(ds)[2], minlength=k)
    assert ds.n_classes == k and counts.min() > 0.8 * counts.mean()


# --- the geometry is real --------------------------------------------------


def test_xor_label_is_sign_xor_at_noise_0():
    X, _, labels = _all(make_dataset("xor", n_samples=400, noise=0.0))
    np.testing.assert_array_equal(labels, (X[0] > 0) ^ (X[1] > 0))
    assert np.abs(X).max() <= 1.0


def test_circles_inner_class_inside_outer_at_noise_0():
    X, _, labels = _all(make_dataset("circles", n_samples=200, noise=0.0))
    r = np.hypot(X[0], X[1])
    assert r[labels == 1].max() < r[labels == 0].min()
    np.testing.assert_allclose(r[labels == 0], 1.0)
    np.testing.assert_allclose(r[labels == 1], dsmod.CIRCLES_FACTOR)


def test_moons_are_two_half_circles_in_range_at_noise_0():
    X, _, labels = _all(make_dataset("moons", n_samples=200, noise=0.0))
    upper = X[:, labels == 0] + np.array([[0.5], [0.25]])  # undo the centring
    lower = X[:, labels == 1] + np.array([[0.5], [0.25]])
    np.testing.assert_allclose(np.hypot(upper[0], upper[1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[0] - 1, lower[1] - 0.5), 1.0)
    assert (upper[1] >= -1e-12).all() and (lower[1] <= 0.5 + 1e-12).all()
    assert np.abs(X).max() <= 1.5 + 1e-12


def test_spiral_arms_are_opposite_at_noise_0():
    X, _, labels = _all(make_dataset("spiral", n_samples=200, noise=0.0))
    r = np.hypot(X[0], X[1])
    assert r.max() <= 1.0 + 1e-12 and len(np.unique(X.round(12), axis=1).T) == 200
    # On each arm the angle turns steadily with r; the arms are half a turn apart.
    theta = np.arctan2(X[1], X[0])
    expected = 2 * np.pi * dsmod.SPIRAL_TURNS * r + np.pi * labels
    np.testing.assert_allclose(np.angle(np.exp(1j * (theta - expected))), 0, atol=1e-9)


def test_blobs_clusters_sit_on_unit_circle_and_noise_is_their_std():
    X, _, labels = _all(make_dataset("blobs", n_samples=4000, noise=0.3, n_classes=4))
    for j in range(4):
        pts = X[:, labels == j]
        centre = pts.mean(axis=1)
        np.testing.assert_allclose(centre, [np.cos(j * np.pi / 2), np.sin(j * np.pi / 2)],
                                   atol=0.05)
        np.testing.assert_allclose(pts.std(axis=1), 0.3, rtol=0.1)


def test_sine_is_exact_at_noise_0_and_noisy_otherwise():
    ds = make_dataset("sine", n_samples=500, noise=0.0)
    X, Y, _ = _all(ds)
    np.testing.assert_array_equal(Y, np.sin(X))
    assert X.min() >= -np.pi and X.max() <= np.pi
    X, Y, _ = _all(make_dataset("sine", n_samples=5000, noise=0.2))
    assert abs(np.std(Y - np.sin(X)) - 0.2) < 0.02


@pytest.mark.parametrize("name", ["xor", "circles", "moons", "spiral", "blobs"])
def test_noise_is_the_std_of_the_displacement(name):
    clean = _all(make_dataset(name, n_samples=4000, noise=0.0, seed=1))[0]
    noisy = _all(make_dataset(name, n_samples=4000, noise=0.25, seed=1))[0]
    # Same seed, same draws: noise only scales them, so the columns still correspond.
    assert abs(np.std(noisy - clean) - 0.25) < 0.02
    assert np.abs(noisy).max() < 1.5 + 6 * 0.25


# --- digits ------------------------------------------------------------------


def test_digits_full_set():
    ds = make_dataset("digits", n_samples=5000, val_fraction=0.2)
    X, Y, labels = _all(ds)
    assert X.shape == (64, 1797) and Y.shape == (10, 1797)
    assert ds.spec["n_samples"] == 1797
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(labels)) == set(range(10))
    assert set(np.unique(ds.labels)) == set(range(10))
    # The pixels are counts 0..16 divided by 16.
    np.testing.assert_array_equal(X * 16, np.round(X * 16))


def test_digits_subsample_is_seeded_and_a_subset():
    a = make_dataset("digits", n_samples=300, seed=1)
    b = make_dataset("digits", n_samples=300, seed=1)
    c = make_dataset("digits", n_samples=300, seed=2)
    assert a.X.tobytes() == b.X.tobytes() and not np.array_equal(a.X, c.X)
    full = _all(make_dataset("digits", n_samples=1797))[0]
    full_cols = {col.tobytes() for col in full.T}
    assert all(col.tobytes() in full_cols for col in _all(a)[0].T)


def test_digits_missing_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(dsmod, "DIGITS_PATH", tmp_path / "nowhere" / "digits.csv.gz")
    with pytest.raises(ValueError, match="digits data file not found"):
        make_dataset("digits")


def test_digits_asset_and_licence_ship_with_the_repo():
    assert dsmod.DIGITS_PATH == REPO / "assets" / "digits.csv.gz"
    assert dsmod.DIGITS_PATH.is_file()
    text = (REPO / "assets" / "DIGITS-LICENSE.txt").read_text(encoding="utf-8")
    for needle in ("Alpaydin", "Kaynak", "CC BY 4.0", "BSD 3-Clause",
                   "Copyright (c) 2007-2026 The scikit-learn developers"):
        assert needle in text


def test_digits_found_from_another_directory(tmp_path):
    """The installed (editable) package finds the asset wherever Python starts."""
    try:
        importlib.metadata.distribution("backprop-lens")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("backprop-lens is not pip-installed in this environment")
    code = ("from engine.datasets import make_dataset; "
            "print(make_dataset('digits', n_samples=2000).X.shape[1])")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(round(0.8 * 1797))


# --- no GUI or sklearn at runtime --------------------------------------------


def test_datasets_imports_no_qt_and_no_sklearn():
    code = ("import sys, engine.datasets as d; d.make_dataset('digits'); "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PyQt6', 'PyQt5', 'PySide6', 'pyqtgraph', 'sklearn')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --- bad arguments -------------------------------------------------------------


@pytest.mark.parametrize("kwargs,word", [
    ({"name": "mnist"}, "name"),
    ({"name": "Moons"}, "name"),
    ({"n_samples": 3}, "n_samples"),
    ({"n_samples": 100_001}, "n_samples"),
    ({"n_samples": 10.5}, "n_samples"),
    ({"n_samples": True}, "n_samples"),
    ({"noise": -0.1}, "noise"),
    ({"noise": 5.01}, "noise"),
    ({"noise": float("nan")}, "noise"),
    ({"noise": float("inf")}, "noise"),
    ({"noise": "0.1"}, "noise"),
    ({"seed": -1}, "seed"),
    ({"seed": 1.5}, "seed"),
    ({"val_fraction": 0.95}, "val_fraction"),
    ({"val_fraction": -0.1}, "val_fraction"),
    ({"name": "blobs", "n_classes": 1}, "n_classes"),
    ({"name": "blobs", "n_classes": 11}, "n_classes"),
])
def test_bad_arguments_name_themselves(kwargs, word):
    args = {"name": "moons", **kwargs}
    with pytest.raises(ValueError, match=word):
        make_dataset(**args)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError) as err:
        make_dataset("mnist")
    assert all(n in str(err.value) for n in DATASETS)


def test_n_classes_ignored_outside_blobs():
    a, b = make_dataset("moons", n_classes=7), make_dataset("moons")
    assert a.X.tobytes() == b.X.tobytes() and "n_classes" not in a.spec


# --- Dataset.from_arrays -------------------------------------------------------


def test_from_arrays_infers_binary_onehot_and_regression():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 10))
    binary = Dataset.from_arrays(X, (np.arange(10) % 2)[None, :])
    assert binary.kind == "classification" and binary.n_classes == 2
    np.testing.assert_array_equal(binary.labels, np.arange(10) % 2)
    onehot = Dataset.from_arrays(X, np.eye(4)[:, np.arange(10) % 4], name="csv")
    assert onehot.kind == "classification" and onehot.n_classes == 4 and onehot.name == "csv"
    np.testing.assert_array_equal(onehot.labels, np.arange(10) % 4)
    reg = Dataset.from_arrays(X, rng.standard_normal((2, 10)))
    assert reg.kind == "regression" and reg.n_classes == 0 and reg.labels is None
    assert reg.X_val.shape == (3, 0) and reg.Y_val.shape == (2, 0)
    assert reg.input_size == 3 and reg.output_size == 2
    forced = Dataset.from_arrays(X, (np.arange(10) % 2)[None, :], kind="regression")
    assert forced.kind == "regression" and forced.labels is None


def test_from_arrays_with_validation_and_copies():
    X = np.zeros((2, 6))
    ds = Dataset.from_arrays(X, np.ones((1, 6)), X_val=np.ones((2, 3)),
                             Y_val=np.zeros((1, 3)))
    assert ds.X_val.shape == (2, 3) and ds.labels_val.tolist() == [0, 0, 0]
    X[0, 0] = 9.0
    assert ds.X[0, 0] == 0.0
    assert ds.spec["source"] == "arrays" and ds.spec["n_samples"] == 9


@pytest.mark.parametrize("kwargs,word", [
    ({"X": np.zeros(5)}, "X must be 2-D"),
    ({"X": np.zeros((2, 0)), "Y": np.zeros((1, 0))}, "X has no columns"),
    ({"Y": np.zeros((1, 4))}, "Y has 4 columns"),
    ({"X": [[0.0, np.nan, 0, 0, 0]]}, r"X\[0, 1\] is nan"),
    ({"Y": [[0.0, 1, np.inf, 0, 1]]}, r"Y\[0, 2\] is inf"),
    ({"X": [["a", "b", "c", "d", "e"]]}, "X must be a matrix of numbers"),
    ({"X_val": np.zeros((2, 2))}, "both X_val and Y_val"),
    ({"X_val": np.zeros((3, 2)), "Y_val": np.zeros((1, 2))}, "X_val has 3 rows"),
    ({"X_val": np.zeros((2, 2)), "Y_val": np.zeros((1, 3))}, "Y_val has 3 columns"),
    ({"X_val": np.zeros((2, 2)), "Y_val": [[0.5, 1]]}, "Y_val is neither"),
    ({"kind": "clustering"}, "kind must be one of"),
    ({"Y": [[0.5, 1, 0, 1, 0]], "kind": "classification"}, "kind is 'classification'"),
])
def test_from_arrays_bad_input_names_the_problem(kwargs, word):
    args = {"X": np.zeros((2, 5)), "Y": np.array([[0.0, 1, 0, 1, 0]]), **kwargs}
    with pytest.raises(ValueError, match=word):
        Dataset.from_arrays(**args)


# --- the scaling lets a small tanh network learn -------------------------------


def test_small_tanh_network_learns_moons():
    ds = make_dataset("moons", n_samples=200, noise=0.1, seed=0)
    net = Network.from_spec({"input_size": 2, "seed": 0, "layers": [
        {"units": 8, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]})
    for _ in range(400):  # measured: first > 0.9 after ~155 iterations at lr = 1
        t = net.forward(ds.X)
        g = net.backward(t, ds.Y)
        net.apply(g, 1.0)
    accuracy = np.mean((net.predict(ds.X) > 0.5) == (ds.Y > 0.5))
    assert accuracy > 0.9
    assert np.mean((net.predict(ds.X_val) > 0.5) == (ds.Y_val > 0.5)) > 0.85
