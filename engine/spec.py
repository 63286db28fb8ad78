"""Validation of the network spec (the JSON a teacher writes by hand).

Every problem raises ``ValueError`` with a message that names the layer or
field and what is wrong, e.g. ``layer 2: W has shape 3×3, expected 1×3``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .losses import LOSSES

INITS = ("xavier", "he", "uniform")
MAX_UNITS = 10_000
MAX_LAYERS = 64
MAX_PARAMS = 20_000_000
# Fields a spec may carry along for people (kept by to_spec, ignored by the maths).
OPTIONAL_TOP = ("name", "description", "comment", "data")  # data: the set it was made with
TOP_FIELDS = ("input_size", "loss", "seed", "init", "layers") + OPTIONAL_TOP
LAYER_FIELDS = ("units", "activation", "W", "b", "comment")


def _is_int(x: Any) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _size(value: Any, what: str) -> int:
    if not _is_int(value):
        raise ValueError(f"{what} must be a whole number, got {value!r}")
    if value < 1:
        raise ValueError(f"{what} must be at least 1, got {value}")
    limit = MAX_UNITS * 100 if what == "input_size" else MAX_UNITS
    if value > limit:
        raise ValueError(f"{what} is {value}, more than the limit of {limit}")
    return int(value)


def _cells_are_numbers(value: Any, where: str, what: str) -> None:
    """Refuse cells numpy would quietly convert: "0.8", true, null (which became nan)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fiu":
            raise ValueError(f"{where}: {what} must hold numbers, not {value.dtype}")
        return
    rows = value if isinstance(value, list) else [value]
    for i, row in enumerate(rows):
        cells = row if isinstance(row, list) else [row]
        if set(map(type, cells)) <= {float, int}:   # the common case, at C speed
            continue
        for j, x in enumerate(cells):
            if isinstance(x, list) or (isinstance(x, numbers.Real) and not isinstance(x, bool)):
                continue   # nested too deep: the shape check below names it
            at = [i, j] if isinstance(row, list) and isinstance(value, list) else [i]
            shown = {None: "null", True: "true", False: "false"}.get(x, None) \
                if x is None or isinstance(x, bool) else None
            if shown is None:
                shown = f"the text {x!r}" if isinstance(x, str) else f"a {type(x).__name__}"
            raise ValueError(f"{where}: {what}{at} is {shown}, not a number")


def _numbers(value: Any, shape: tuple[int, ...], where: str, what: str) -> np.ndarray:
    """Turn nested lists into a float64 array of the given shape, or explain why not."""
    _cells_are_numbers(value, where, what)
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {what} must be a list of numbers "
                         f"(rows of equal length)") from None
    if what == "b" and arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]  # accept b written as a column [[0.1], [0.2]]
    if arr.shape != shape:
        got = "×".join(map(str, arr.shape)) or "a single number"
        want = "×".join(map(str, shape))
        raise ValueError(f"{where}: {what} has shape {got}, expected {want}")
    if not np.isfinite(arr).all():
        i = tuple(int(k) for k in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{where}: {what}{list(i)} is {arr[i]}, not a finite number")
    return arr


def validate_spec(spec: Any) -> dict[str, Any]:
    """Check a spec and return a cleaned copy (defaults filled in, arrays as numpy)."""
    if not isinstance(spec, dict):
        raise ValueError(f"a network spec must be a JSON object, got {type(spec).__name__}")
    unknown = [k for k in spec if k not in TOP_FIELDS]
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} in spec; allowed: {', '.join(TOP_FIELDS)}")
    if "input_size" not in spec:
        raise ValueError("spec is missing the field 'input_size'")
    if "layers" not in spec:
        raise ValueError("spec is missing the field 'layers'")
    out: dict[str, Any] = {"input_size": _size(spec["input_size"], "input_size")}
    out["loss"] = spec.get("loss", "squared")
    if out["loss"] not in LOSSES:
        raise ValueError(f"unknown loss {out['loss']!r}; choose one of {', '.join(LOSSES)}")
    out["init"] = spec.get("init", "xavier")
    if out["init"] not in INITS:
        raise ValueError(f"unknown init {out['init']!r}; choose one of {', '.join(INITS)}")
    seed = spec.get("seed", 0)
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a whole number ≥ 0, got {seed!r}")
    out["seed"] = int(seed)
    for k in OPTIONAL_TOP:
        if k in spec:
            out[k] = spec[k]
    layers = spec["layers"]
    if not isinstance(layers, list) or not layers:
        raise ValueError("'layers' must be a non-empty list of layers")
    if len(layers) > MAX_LAYERS:
        raise ValueError(f"{len(layers)} layers is more than the limit of {MAX_LAYERS}")
    clean_layers = []
    fan_in = out["input_size"]
    n_params = 0
    for i, ls in enumerate(layers, start=1):
        where = f"layer {i}"
        if not isinstance(ls, dict):
            raise ValueError(f"{where}: must be an object with 'units' and 'activation'")
        bad = [k for k in ls if k not in LAYER_FIELDS]
        if bad:
            raise ValueError(f"{where}: unknown field {bad[0]!r}; "
                             f"allowed: {', '.join(LAYER_FIELDS)}")
        if "units" not in ls:
            raise ValueError(f"{where}: missing the field 'units'")
        units = _size(ls["units"], f"{where}: units")
        act = ls.get("activation")
        if act is None:
            raise ValueError(f"{where}: missing the field 'activation'")
        if act not in ACTIVATIONS:
            raise ValueError(f"{where}: unknown activation {act!r}; "
                             f"choose one of {', '.join(ACTIVATIONS)}")
        last = i == len(layers)
        if act == "softmax" and not last:
            raise ValueError(f"{where}: softmax is only allowed on the output layer")
        if act == "softmax" and units == 1:
            raise ValueError(f"{where}: softmax over 1 unit always outputs 1, so its loss is "
                             f"always 0 and nothing is learned; use sigmoid for one output")
        if act == "softmax" and out["loss"] != "cross_entropy":
            raise ValueError(f"{where}: softmax output needs the loss 'cross_entropy'")
        if last and out["loss"] == "cross_entropy" and act not in ("softmax", "sigmoid"):
            raise ValueError(f"{where}: loss 'cross_entropy' needs a softmax or sigmoid "
                             f"output layer, not {act!r}")
        n_params += units * (fan_in + 1)
        if n_params > MAX_PARAMS:
            raise ValueError(f"{where}: the network would have more than {MAX_PARAMS:,} "
                             f"parameters")
        cl: dict[str, Any] = {"units": units, "activation": act}
        if "W" in ls and ls["W"] is not None:
            cl["W"] = _numbers(ls["W"], (units, fan_in), where, "W")
        if "b" in ls and ls["b"] is not None:
            cl["b"] = _numbers(ls["b"], (units,), where, "b")
        clean_layers.append(cl)
        fan_in = units
    out["layers"] = clean_layers
    return out


def init_weights(init: str, n_out: int, n_in: int, rng: np.random.Generator) -> np.ndarray:
    """Draw W (n_out × n_in): Xavier/Glorot uniform, He normal, or small uniform ±0.1."""
    if init == "xavier":
        limit = math.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-limit, limit, size=(n_out, n_in))
    if init == "he":
        return rng.normal(0.0, math.sqrt(2.0 / n_in), size=(n_out, n_in))
    if init == "uniform":
        return rng.uniform(-0.1, 0.1, size=(n_out, n_in))
    raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")


def check_matrix(M: Any, rows: int, name: str, what: str) -> np.ndarray:
    """Return M as a float64 (rows, B) array with B ≥ 1, finite, or raise ``ValueError``."""
    try:
        arr = np.asarray(M, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric matrix") from None
    if arr.ndim == 1 and rows == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix with samples as columns, "
                         f"got {arr.ndim} dimensions")
    if arr.shape[0] != rows:
        raise ValueError(f"{name} has {arr.shape[0]} rows but the network has {rows} {what}; "
                         f"samples are columns, so {name} must be {rows}×B")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has no samples (0 columns)")
    if not np.isfinite(arr).all():
        r, c = (int(k) for k in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name}[{r}, {c}] is {arr[r, c]}, not a finite number")
    return arr
