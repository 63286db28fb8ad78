"""Toy data sets for the lecture, in the seed's column form.

Every set is a pair of matrices with one *column per sample*: ``X`` is
(n_0, N) and ``Y`` is (n_L, N), split into a training and a validation part.
All randomness comes from ``np.random.default_rng(seed)``, so the same
arguments give bit-identical arrays; ``make_dataset(**ds.spec)`` rebuilds
``ds``.

The 2-D sets live in roughly [-1.5, 1.5]² so a tanh network trains without
any further scaling; ``noise`` is the standard deviation of gaussian noise
added to each coordinate, in those same units:

========  ===========================================================  ====
name      geometry at noise 0                                          Y
========  ===========================================================  ====
xor       uniform in [-1, 1]², label (x₁ > 0) xor (x₂ > 0)              0/1
circles   outer circle r = 1 (label 0), inner r = 0.5 (label 1)        0/1
moons     sklearn's two half moons (radius 1), centred on the origin   0/1
spiral    two interleaved spirals, r from 0 to 1 over 1.5 turns        0/1
blobs     k clusters centred on the unit circle; noise = cluster std   k×1-hot
sine      x uniform in [-π, π] (not rescaled), y = sin(x) + noise·ε    y
digits    the 8×8 UCI digits, pixels / 16 in [0, 1]; noise unused      10×1-hot
========  ===========================================================  ====

The binary sets have a single 0/1 row (for a sigmoid output), not one-hot.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .assets import asset_path

Array = np.ndarray

DATASETS = ("xor", "circles", "moons", "spiral", "blobs", "sine", "digits")
BINARY = ("xor", "circles", "moons", "spiral")
KINDS = ("classification", "regression")
N_SAMPLES_RANGE = (4, 100_000)
NOISE_MAX = 5.0
VAL_FRACTION_MAX = 0.9
N_CLASSES_RANGE = (2, 10)  # blobs only
DIGITS_PATH = asset_path("digits.csv.gz")
DIGITS_TOTAL = 1797
# The learning rate α each built-in set trains with, by plain gradient descent on the
# squared loss (batch 32) with the window's default network: 2-8-8-n_L tanh, tanh, then
# sigmoid (identity for sine). Measured over seeds 0-2, 100 epochs (tests/test_default_lr.py):
# - sigmoid outputs learn slowly (σ' ≤ 1/4), so α = 1 (0.1 left moons' boundary straight);
#   the loss through a bounded output cannot explode;
# - spiral learns slowest of all: α = 3 roughly halves the epochs to a visible fit;
# - sine's identity output is unbounded: α = 1 blows up within the first epoch (1.3 → 10⁵),
#   0.3 spikes in the first epoch, 0.1 falls steadily (0.35 → 0.03 in 100 epochs).
DEFAULT_LR = {"xor": 1.0, "circles": 1.0, "moons": 1.0, "spiral": 3.0, "blobs": 1.0,
              "sine": 0.1, "digits": 1.0}
DEFAULT_LR_OTHER = 0.1  # imported data: no measurement, so the cautious textbook value
CIRCLES_FACTOR = 0.5  # inner radius / outer radius (sklearn's default 0.8 is too tight to teach)
SPIRAL_TURNS = 1.5


@dataclass(eq=False, repr=False)
class Dataset:
    """A training set and a validation set, columns are samples.

    Attributes
    ----------
    name : str
        One of ``DATASETS``, or a free name for imported data.
    X, Y : ndarray
        Training inputs (n_0, N) and targets (n_L, N), float64.
    X_val, Y_val : ndarray
        Validation inputs and targets; zero columns when there is none.
    kind : str
        ``"classification"`` or ``"regression"``.
    n_classes : int
        2 for a single 0/1 row, k for one-hot targets, 0 for regression.
    labels, labels_val : ndarray of int or None
        Class index of each column; ``None`` for regression.
    spec : dict
        Arguments of ``make_dataset`` that rebuild this set.
    """

    name: str
    X: Array
    Y: Array
    X_val: Array
    Y_val: Array
    kind: str
    n_classes: int
    labels: Array | None
    labels_val: Array | None
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def input_size(self) -> int:
        """n_0, the number of input rows."""
        return int(self.X.shape[0])

    @property
    def output_size(self) -> int:
        """n_L, the number of target rows."""
        return int(self.Y.shape[0])

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, {self.kind}, X {self.X.shape}, Y {self.Y.shape}, "
                f"val {self.X_val.shape[1]} samples)")

    @classmethod
    def from_arrays(cls, X: Any, Y: Any, X_val: Any = None, Y_val: Any = None,
                    name: str = "custom", kind: str | None = None) -> Dataset:
        """Wrap given matrices (e.g. an imported CSV) as a Dataset.

        Parameters
        ----------
        X, Y : array_like
            (n_0, N) and (n_L, N), columns are samples; finite numbers.
        X_val, Y_val : array_like, optional
            Both or neither; same rows as X and Y.
        name : str
            Shown in the GUI.
        kind : {"classification", "regression"}, optional
            Inferred when omitted: classification if Y is one-hot or a
            single row of 0/1, regression otherwise.

        Raises
        ------
        ValueError
            Naming the array and what is wrong with it.

        Notes
        -----
        ``spec`` then carries ``source="arrays"``: it describes the data but
        cannot be passed to ``make_dataset``.
        """
        X = _matrix(X, "X")
        Y = _matrix(Y, "Y")
        if X.shape[1] == 0:
            raise ValueError("X has no columns (samples); need at least 1")
        if Y.shape[1] != X.shape[1]:
            raise ValueError(f"Y has {Y.shape[1]} columns (samples) but X has {X.shape[1]}")
        if (X_val is None) != (Y_val is None):
            raise ValueError("give both X_val and Y_val, or neither")
        if X_val is None:
            X_val, Y_val = np.zeros((X.shape[0], 0)), np.zeros((Y.shape[0], 0))
        else:
            X_val = _matrix(X_val, "X_val", rows=X.shape[0])
            Y_val = _matrix(Y_val, "Y_val", rows=Y.shape[0])
            if Y_val.shape[1] != X_val.shape[1]:
                raise ValueError(f"Y_val has {Y_val.shape[1]} columns (samples) "
                                 f"but X_val has {X_val.shape[1]}")
        inferred = "classification" if class_labels(Y) is not None else "regression"
        if kind is None:
            kind = inferred
        elif kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        elif kind == "classification" and inferred == "regression":
            raise ValueError("kind is 'classification' but Y is neither one-hot "
                             "nor a single row of 0/1")
        labels = labels_val = None
        n_classes = 0
        if kind == "classification":
            labels = class_labels(Y)
            labels_val = class_labels(Y_val)
            if labels_val is None:
                raise ValueError("Y_val is neither one-hot nor a single row of 0/1, "
                                 "unlike Y")
            n_classes = 2 if Y.shape[0] == 1 else Y.shape[0]
        spec = {"name": str(name), "source": "arrays",
                "n_samples": int(X.shape[1] + X_val.shape[1])}
        return cls(str(name), X, Y, X_val, Y_val, kind, n_classes, labels, labels_val, spec)


def _matrix(A: Any, what: str, rows: int | None = None) -> Array:
    """A as a finite float64 2-D copy, or a ValueError saying why not."""
    try:
        M = np.array(A, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a matrix of numbers") from None
    if M.ndim != 2:
        raise ValueError(f"{what} must be 2-D (rows = features, columns = samples), "
                         f"got {M.ndim}-D; use a[None, :] for a single row")
    if M.shape[0] == 0:
        raise ValueError(f"{what} has no rows")
    if rows is not None and M.shape[0] != rows:
        raise ValueError(f"{what} has {M.shape[0]} rows, expected {rows}")
    if not np.isfinite(M).all():
        r, c = (int(k) for k in np.argwhere(~np.isfinite(M))[0])
        raise ValueError(f"{what}[{r}, {c}] is {M[r, c]}, not a finite number")
    return M


def class_labels(Y: Array) -> Array | None:
    """Class index per column if Y is a 0/1 row or one-hot, else None (the one such check)."""
    is01 = bool(np.all((Y == 0) | (Y == 1)))
    if not is01:
        return None
    if Y.shape[0] == 1:
        return Y[0].astype(np.int64)
    if np.all(Y.sum(axis=0) == 1):
        return np.argmax(Y, axis=0).astype(np.int64)
    return None


# --- argument checks -------------------------------------------------------


def _check_int(value: Any, what: str, lo: int, hi: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ValueError(f"{what} must be a whole number in {lo}..{hi}, got {value!r}")
    v = int(value)
    if not lo <= v <= hi:
        raise ValueError(f"{what} must be in {lo}..{hi}, got {v}")
    return v


def _check_float(value: Any, what: str, lo: float, hi: float) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ValueError(f"{what} must be a number in [{lo:g}, {hi:g}], got {value!r}")
    v = float(value)
    if not (math.isfinite(v) and lo <= v <= hi):
        raise ValueError(f"{what} must be a finite number in [{lo:g}, {hi:g}], got {v}")
    return v


# --- the generators: each returns X (n_0, N), Y (n_L, N), labels or None ----


def _binary(X: Array, labels: Array) -> tuple[Array, Array, Array]:
    return X, labels[None, :].astype(np.float64), labels


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array, Array]:
    # Quadrants dealt round-robin so the two classes differ by at most one sample.
    q = np.arange(n) % 4
    signs = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=np.float64)[q].T
    X = signs * rng.uniform(0.0, 1.0, size=(2, n))
    labels = (q >= 2).astype(np.int64)  # (x₁ > 0) xor (x₂ > 0)
    return _binary(X + noise * rng.standard_normal((2, n)), labels)


def _circles(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array, Array]:
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0.0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0.0, 2 * np.pi, n_in, endpoint=False)
    X = np.hstack([np.vstack([np.cos(t_out), np.sin(t_out)]),
                   CIRCLES_FACTOR * np.vstack([np.cos(t_in), np.sin(t_in)])])
    labels = np.r_[np.zeros(n_out, np.int64), np.ones(n_in, np.int64)]
    return _binary(X + noise * rng.standard_normal((2, n)), labels)


def _moons(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array, Array]:
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    X = np.hstack([np.vstack([np.cos(t_out), np.sin(t_out)]),
                   np.vstack([1 - np.cos(t_in), 0.5 - np.sin(t_in)])])
    # sklearn's moons span [-1, 2] × [-0.5, 1]; centring puts them in [-1.5, 1.5] × [-0.75, 0.75].
    X = X - np.array([[0.5], [0.25]])
    labels = np.r_[np.zeros(n_out, np.int64), np.ones(n_in, np.int64)]
    return _binary(X + noise * rng.standard_normal((2, n)), labels)


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array, Array]:
    labels = np.arange(n) % 2
    # Alternate arms along one radius ramp: no two samples share a point, not even at r → 0.
    r = (np.arange(n) + 1) / n
    theta = 2 * np.pi * SPIRAL_TURNS * r + np.pi * labels
    X = r * np.vstack([np.cos(theta), np.sin(theta)])
    return _binary(X + noise * rng.standard_normal((2, n)), labels.astype(np.int64))


def _blobs(n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[Array, Array, Array]:
    labels = np.arange(n, dtype=np.int64) % k
    angle = 2 * np.pi * np.arange(k) / k
    centres = np.vstack([np.cos(angle), np.sin(angle)])
    X = centres[:, labels] + noise * rng.standard_normal((2, n))
    return X, np.eye(k)[:, labels], labels


def _sine(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array, None]:
    X = rng.uniform(-np.pi, np.pi, size=(1, n))
    return X, np.sin(X) + noise * rng.standard_normal((1, n)), None


@lru_cache(maxsize=2)
def _read_digits(path: Path) -> tuple[Array, Array]:
    if not path.is_file():
        raise ValueError(f"digits data file not found at {path}; it ships with the "
                         f"repository as assets/digits.csv.gz")
    try:
        raw = np.loadtxt(path, delimiter=",", dtype=np.float64)
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError(f"digits data file {path} cannot be read: {exc}") from None
    if raw.ndim != 2 or raw.shape[1] != 65 or raw.min() < 0 or raw[:, :64].max() > 16:
        raise ValueError(f"digits data file {path} is not 64 pixels (0..16) plus a label "
                         f"per row")
    pixels = raw[:, :64].T / 16.0  # columns are samples, scaled to [0, 1]
    labels = raw[:, 64].astype(np.int64)
    pixels.setflags(write=False)  # shared by every call through the cache
    labels.setflags(write=False)
    return pixels, labels


def _digits(n: int, rng: np.random.Generator) -> tuple[Array, Array, Array]:
    pixels, labels = _read_digits(DIGITS_PATH)
    total = pixels.shape[1]
    idx = np.arange(total) if n >= total else np.sort(rng.choice(total, n, replace=False))
    X = pixels[:, idx].copy()
    return X, np.eye(10)[:, labels[idx]], labels[idx].copy()


# --- the public entry point -------------------------------------------------


def default_lr(name: str) -> float:
    """The learning rate α that trains data set ``name`` with the default network.

    Built-in sets: see ``DEFAULT_LR`` (measured, without divergence); any other name
    (imported data) gets ``DEFAULT_LR_OTHER``.
    """
    return DEFAULT_LR.get(name, DEFAULT_LR_OTHER)



def make_dataset(name: str, n_samples: int = 200, noise: float = 0.1, seed: int = 0,
                 val_fraction: float = 0.2, n_classes: int = 3) -> Dataset:
    """Generate one of ``DATASETS`` and split it into training and validation.

    Parameters
    ----------
    name : str
        One of ``DATASETS``.
    n_samples : int
        Total samples N (training + validation), 4..100000. digits has at
        most 1797; fewer are a seeded random subset.
    noise : float
        Std of the gaussian noise on the coordinates, 0..5 (see the module
        table for each set's scale). Ignored by digits.
    seed : int
        Seed of ``np.random.default_rng``; everything random comes from it.
    val_fraction : float
        Share of N held out for validation, 0..0.9; ``round(val_fraction·N)``
        samples, always leaving at least one for training.
    n_classes : int
        Number of clusters k for blobs, 2..10; ignored by the other sets.

    Returns
    -------
    Dataset
        With ``spec`` holding these arguments (n_classes only for blobs,
        n_samples capped at 1797 for digits).

    Raises
    ------
    ValueError
        Naming the argument and its allowed range or choices.
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {', '.join(DATASETS)}; got {name!r}")
    n = _check_int(n_samples, "n_samples", *N_SAMPLES_RANGE)
    noise = _check_float(noise, "noise", 0.0, NOISE_MAX)
    seed = _check_int(seed, "seed", 0, 2**63 - 1)
    val_fraction = _check_float(val_fraction, "val_fraction", 0.0, VAL_FRACTION_MAX)
    spec: dict[str, Any] = {"name": name, "n_samples": n, "noise": noise, "seed": seed,
                            "val_fraction": val_fraction}
    rng = np.random.default_rng(seed)
    labels: Array | None
    if name == "blobs":
        k = _check_int(n_classes, "n_classes", *N_CLASSES_RANGE)
        spec["n_classes"] = k
        X, Y, labels = _blobs(n, noise, rng, k)
    elif name == "digits":
        n = spec["n_samples"] = min(n, DIGITS_TOTAL)
        X, Y, labels = _digits(n, rng)
    elif name == "sine":
        X, Y, labels = _sine(n, noise, rng)
    else:
        X, Y, labels = {"xor": _xor, "circles": _circles, "moons": _moons,
                        "spiral": _spiral}[name](n, noise, rng)

    # The shuffle does not depend on val_fraction, so changing the split only
    # moves samples between the two parts: the data themselves stay the same.
    perm = rng.permutation(n)
    n_val = min(round(val_fraction * n), n - 1)
    val, train = perm[:n_val], perm[n_val:]
    if labels is None:
        kind, k_out, lab, lab_val = "regression", 0, None, None
    else:
        kind, lab, lab_val = "classification", labels[train], labels[val]
        k_out = 2 if name in BINARY else Y.shape[0]
    return Dataset(name, X[:, train], Y[:, train], X[:, val], Y[:, val], kind, k_out,
                   lab, lab_val, spec)
