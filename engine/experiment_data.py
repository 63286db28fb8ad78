"""The data and spec helpers of an experiment: which data set, which sizes, which weights.

Kept apart from ``engine/experiment.py`` so that file is the experiment itself. Pure
numpy; every function either returns what it was asked for or raises ``ValueError``
naming the problem.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .datasets import Dataset, make_dataset

Array = np.ndarray
# The moons set of the default experiment (engine.experiment.DEFAULT_DATA).
_MOONS: dict[str, Any] = {"name": "moons", "n_samples": 200, "noise": 0.1, "seed": 0}


# --- data ---------------------------------------------------------------------------


def is_generated(ds: Dataset) -> bool:
    """True for ``make_dataset`` output; imported arrays carry ``source="arrays"``."""
    return bool(ds.spec) and ds.spec.get("source") != "arrays"


def make_data(data: dict[str, Any] | Dataset) -> Dataset:
    """A Dataset from ``make_dataset`` arguments, or the given (e.g. imported) one."""
    if isinstance(data, Dataset):
        return data
    if not isinstance(data, dict):
        raise ValueError(f"data must be make_dataset arguments or a Dataset, "
                         f"got {type(data).__name__}")
    try:
        return make_dataset(**data)
    except TypeError as e:   # an unknown key in a hand-written session or spec file
        raise ValueError(f"dataset: {e}") from None


def dataset_to_session(ds: Dataset) -> dict[str, Any]:
    """The Session's dataset field: the generator's spec, or the arrays of imported data."""
    if is_generated(ds):
        return {"spec": dict(ds.spec)}
    return {"name": ds.name, "kind": ds.kind, "X": ds.X, "Y": ds.Y,
            "X_val": ds.X_val, "Y_val": ds.Y_val}


def dataset_from_session(d: dict[str, Any]) -> Dataset:
    """Inverse of ``dataset_to_session``."""
    if "X" in d:
        return Dataset.from_arrays(d["X"], d["Y"], d.get("X_val"), d.get("Y_val"),
                                   name=str(d.get("name", "imported")), kind=d.get("kind"))
    if not isinstance(d.get("spec"), dict):
        raise ValueError("the data set has neither a generator spec nor arrays")
    return make_data(dict(d["spec"]))


def builtin_data_for(n_in: int, n_out: int) -> dict[str, Any] | None:
    """A built-in data set with ``n_in`` inputs and ``n_out`` targets, or None."""
    if (n_in, n_out) == (2, 1):
        return dict(_MOONS)
    if n_in == 2 and 2 <= n_out <= 10:
        return {"name": "blobs", "n_samples": 200, "noise": 0.1, "seed": 0,
                "n_classes": n_out}
    if (n_in, n_out) == (1, 1):
        return {"name": "sine", "n_samples": 200, "noise": 0.1, "seed": 0}
    if (n_in, n_out) == (64, 10):
        return {"name": "digits", "n_samples": 1797, "noise": 0.0, "seed": 0}
    return None


# --- specs ----------------------------------------------------------------------------


def clean_architecture(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec without weights, so the network is drawn again from its seed."""
    out = {k: v for k, v in spec.items() if k != "layers"}
    out["layers"] = [{k: v for k, v in ly.items() if k not in ("W", "b")}
                     for ly in spec.get("layers", [])]
    return out


def spec_sizes(spec: dict[str, Any]) -> tuple[int, int]:
    """(inputs, outputs) a spec declares; ``ValueError`` when it declares none."""
    try:
        return int(spec["input_size"]), int(spec["layers"][-1]["units"])
    except (KeyError, IndexError, TypeError, ValueError):
        raise ValueError("a network spec needs 'input_size' and at least one layer "
                         "with 'units'") from None


def fit_spec(spec: dict[str, Any], n_in: int, n_out: int,
             keep: list[tuple[Array, Array]] | None = None) -> tuple[dict[str, Any], list[int]]:
    """The spec with input size ``n_in`` and ``n_out`` output units.

    Given weights are kept where their shape still fits (those in the spec, else
    those in ``keep``); the layers whose shape changed are listed in the result,
    so the caller can say which weights were drawn anew from the seed.
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list) \
            or not spec["layers"]:
        raise ValueError("a network needs at least one layer (the output layer)")
    out = dict(spec)
    out["input_size"] = n_in
    layers = [dict(ly) if isinstance(ly, dict) else ly for ly in spec["layers"]]
    if isinstance(layers[-1], dict):
        layers[-1]["units"] = n_out
    redrawn: list[int] = []
    fan_in: Any = n_in
    for l, ly in enumerate(layers, start=1):
        if not isinstance(ly, dict):
            break   # the engine's validation names the problem
        units: Any = ly.get("units")
        W = ly.get("W")
        if W is None and keep is not None and l <= len(keep):
            W, b = keep[l - 1]
            if W.shape == (units, fan_in):
                ly["W"], ly["b"] = W, b[:, 0]
                fan_in = units
                continue
            W = None
        if W is not None:
            try:
                fits = len(W) == units and all(len(r) == fan_in for r in W)
            except TypeError:
                fits = True   # malformed: the engine's validation names it
            if not fits:
                ly.pop("W", None)
                ly.pop("b", None)
                redrawn.append(l)
        elif keep is not None:
            redrawn.append(l)
        fan_in = units
    out["layers"] = layers
    return out, redrawn


def _has_weights(spec: dict[str, Any]) -> bool:
    return any(isinstance(ly, dict) and "W" in ly for ly in spec.get("layers", []))


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number ≥ 0, got {seed!r}")
    return int(seed)
