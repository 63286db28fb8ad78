"""Building one experiment (network + dataset) from a spec, before anything is replaced.

Kept apart from ``LensModel`` so the model can build first and swap only on
success: a bad spec or dataset leaves the running experiment untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine import Network
from engine.datasets import Dataset, make_dataset

# Above this many parameters the editor warns: stepping and heatmaps get slow.
LARGE_PARAMS = 100_000


@dataclass
class Experiment:
    """A network whose input and output sizes fit its dataset."""

    net: Network
    dataset: Dataset


def clean_architecture(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec without weights, so the network is drawn again from its seed."""
    out = {k: v for k, v in spec.items() if k != "layers"}
    out["layers"] = [{k: v for k, v in ly.items() if k not in ("W", "b")}
                     for ly in spec.get("layers", [])]
    return out


def fit_to_data(spec: dict[str, Any], n_in: int, n_out: int) -> dict[str, Any]:
    """Make the input size and the output layer's units follow the dataset.

    Weights given for a layer whose shape no longer fits are dropped (drawn
    from the seed) instead of failing: the user changed the data, not the
    weights.
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list) \
            or not spec["layers"]:
        raise ValueError("a network needs at least one layer (the output layer)")
    out = dict(spec)
    out["input_size"] = n_in
    layers = [dict(ly) if isinstance(ly, dict) else ly for ly in spec["layers"]]
    if isinstance(layers[-1], dict):
        layers[-1]["units"] = n_out
    fan_in = n_in
    for ly in layers:
        if not isinstance(ly, dict):
            break   # let the engine name the problem
        units = ly.get("units")
        W = ly.get("W")
        try:
            fits = W is None or (len(W) == units and all(len(r) == fan_in for r in W))
        except TypeError:
            fits = True     # malformed: the engine's validation names it
        if not fits:
            ly.pop("W", None)
            ly.pop("b", None)
        fan_in = units
    out["layers"] = layers
    return out


def build_experiment(spec: dict[str, Any], data: dict[str, Any] | Dataset,
                     keep_weights: bool = True) -> Experiment:
    """Make the dataset (``make_dataset`` arguments, or a ready Dataset such as an
    imported CSV), then the network fitted to it.

    Raises
    ------
    ValueError
        The engine's message naming the bad field (spec or dataset).
    """
    try:
        ds = data if isinstance(data, Dataset) else make_dataset(**data)
    except TypeError as e:   # an unknown key in a hand-written session or spec file
        raise ValueError(f"dataset: {e}") from None
    if not keep_weights:
        spec = clean_architecture(spec)
    net = Network.from_spec(fit_to_data(spec, ds.input_size, ds.output_size))
    return Experiment(net, ds)


def is_generated(ds: Dataset) -> bool:
    """True for ``make_dataset`` output; imported arrays carry ``source="arrays"``."""
    return bool(ds.spec) and ds.spec.get("source") != "arrays"


def dataset_to_session(ds: Dataset) -> dict[str, Any]:
    """The Session's dataset field: the generator's spec, or the arrays of imported data."""
    if is_generated(ds):
        return {"spec": dict(ds.spec)}
    return {"name": ds.name, "kind": ds.kind, "X": ds.X, "Y": ds.Y,
            "X_val": ds.X_val, "Y_val": ds.Y_val}


def dataset_from_session(d: dict[str, Any]) -> dict[str, Any] | Dataset:
    """Inverse of ``dataset_to_session`` (what ``build_experiment`` accepts)."""
    if "X" in d:
        return Dataset.from_arrays(d["X"], d["Y"], d.get("X_val"), d.get("Y_val"),
                                   name=d.get("name", "imported"), kind=d.get("kind"))
    return dict(d["spec"])
