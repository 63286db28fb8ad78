"""Session files (``.bplens``): everything needed to continue where the user was.

Format version 1 is a zip archive with

* ``manifest.json``: ``{"format": "backprop-lens-session", "version": 1,
  "app_version", "created", "arrays": {name: {"dtype", "shape"}}, "session": …}``
  where ``session`` is the Session's fields as JSON; every numpy array in them
  is replaced by ``{"__array__": name}``, a tuple by ``{"__tuple__": [...]}``
  and a non-finite float by ``{"__float__": "nan" | "inf" | "-inf"}``;
* one ``arrays/<name>.npy`` member per array.

Reading never executes anything: JSON, and ``np.load(allow_pickle=False)``
of numeric dtypes only, each checked against the manifest's dtype and shape.
A file of a newer format version is refused, naming both versions.  Every
problem is a ``BadFileError``.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any

import numpy as np

from .fileio import BadFileError, atomic_write_bytes, read_bytes
from .network import Network

FORMAT_NAME = "backprop-lens-session"
FORMAT_VERSION = 1
EXTENSION = ".bplens"
APP_VERSION = "0.1.0"
MAX_SESSION_BYTES = 2_000_000_000
MAX_MANIFEST_BYTES = 200_000_000
ALLOWED_KINDS = "fiub"  # float, int, unsigned, bool: nothing that needs pickle


@dataclass
class Session:
    """Everything one window holds; see docs/files-and-commands.md."""

    spec: dict[str, Any]                 # Network.to_spec() with the CURRENT weights
    initial_params: list[Any]            # [(W, b)] at the start, for reset (b as (n, 1))
    optimizer: dict[str, Any]            # {"name", "lr", "state": opt.state_dict()}
    dataset: dict[str, Any]              # {"spec": ds.spec} or the imported arrays
    trainer: dict[str, Any] | None = None
    stepper: dict[str, Any] | None = None
    view: dict[str, Any] | None = None


# --- nested values <-> JSON + arrays ----------------------------------------


def _encode(value: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    """Replace arrays, tuples and non-finite floats by JSON markers."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in ALLOWED_KINDS:
            raise TypeError(f"{where}: arrays of dtype {value.dtype} cannot be saved")
        name = f"a{len(arrays)}"
        arrays[name] = np.ascontiguousarray(value)
        return {"__array__": name}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{where}: dict key {k!r} is not a string")
            out[k] = _encode(v, arrays, f"{where}.{k}")
        return out
    raise TypeError(f"{where}: a {type(value).__name__} cannot be saved in a session")


def _decode(value: Any, arrays: dict[str, np.ndarray], used: set[str]) -> Any:
    if isinstance(value, list):
        return [_decode(v, arrays, used) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, inner), = value.items()
        if key == "__array__":
            if not isinstance(inner, str) or inner not in arrays:
                raise ValueError(f"the manifest refers to an array {inner!r} it does not list")
            used.add(inner)
            return arrays[inner]
        if key == "__tuple__" and isinstance(inner, list):
            return tuple(_decode(v, arrays, used) for v in inner)
        if key == "__float__":
            if inner not in ("nan", "inf", "-inf"):
                raise ValueError(f"bad float marker {inner!r}")
            return float(inner)
    return {k: _decode(v, arrays, used) for k, v in value.items()}


# --- writing ------------------------------------------------------------------


def session_bytes(session: Session) -> bytes:
    """The .bplens file contents for ``session`` (raises TypeError for unsavable values)."""
    arrays: dict[str, np.ndarray] = {}
    body = {f.name: _encode(getattr(session, f.name), arrays, f.name) for f in fields(Session)}
    manifest = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "app_version": APP_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "arrays": {n: {"dtype": a.dtype.str, "shape": list(a.shape)} for n, a in arrays.items()},
        "session": body,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, indent=1, allow_nan=False))
        for name, a in arrays.items():
            member = io.BytesIO()
            np.save(member, a, allow_pickle=False)
            z.writestr(f"arrays/{name}.npy", member.getvalue())
    return buf.getvalue()


def save_session(path: str | os.PathLike[str], session: Session) -> None:
    """Write ``session`` atomically; the previous file survives any failure."""
    try:
        data = session_bytes(session)
    except (TypeError, ValueError) as e:
        raise BadFileError(path, f"cannot save the session: {e}") from None
    atomic_write_bytes(path, data)


# --- reading ------------------------------------------------------------------


def load_session(path: str | os.PathLike[str]) -> Session:
    """Read and verify a .bplens file; ``BadFileError`` on anything wrong."""
    return session_from_bytes(read_bytes(path, MAX_SESSION_BYTES), path)


def session_from_bytes(data: bytes, path: str | os.PathLike[str] | None = None) -> Session:
    """Parse the bytes of a .bplens file; ``BadFileError`` on anything wrong."""
    try:
        return _parse(data, path)
    except BadFileError:
        raise
    except (MemoryError, RecursionError):
        raise BadFileError(path, "the session is too large or too deeply nested") from None
    except Exception as e:  # a damaged zip can fail in many library-specific ways
        raise BadFileError(path, f"damaged session file: {type(e).__name__}: {e}") from None


def _parse(data: bytes, path: str | os.PathLike[str] | None) -> Session:
    def bad(problem: str) -> BadFileError:
        return BadFileError(path, problem)

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise bad("not a Backprop Lens session (not a zip archive)")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        if "manifest.json" not in names:
            raise bad("not a Backprop Lens session (no manifest.json inside)")
        if z.getinfo("manifest.json").file_size > MAX_MANIFEST_BYTES:
            raise bad("manifest.json is too large")
        try:
            manifest = json.loads(z.read("manifest.json").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise bad(f"manifest.json is not valid JSON: {e}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
            raise bad("not a Backprop Lens session (wrong format name in manifest.json)")
        version = manifest.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise bad(f"manifest.json: bad format version {version!r}")
        if version > FORMAT_VERSION:
            raise bad(f"was written by a newer Backprop Lens (session format version "
                      f"{version}); this app reads versions up to {FORMAT_VERSION}")
        arrays = _read_arrays(z, manifest.get("arrays"), names, bad)
    body = manifest.get("session")
    if not isinstance(body, dict):
        raise bad("manifest.json: 'session' is missing or not an object")
    try:
        used: set[str] = set()
        decoded = _decode(body, arrays, used)
    except ValueError as e:
        raise bad(f"manifest.json: {e}") from None
    return _build(decoded, path, bad)


def _read_arrays(z: zipfile.ZipFile, listing: Any, names: set[str], bad: Any
                 ) -> dict[str, np.ndarray]:
    """Load every listed .npy member, checking its dtype and shape against the manifest."""
    if not isinstance(listing, dict):
        raise bad("manifest.json: 'arrays' is missing or not an object")
    arrays = {}
    for name, desc in listing.items():
        member = f"arrays/{name}.npy"
        if member not in names:
            raise bad(f"array {name!r} listed in the manifest is missing from the file")
        try:
            dtype = np.dtype(desc["dtype"])
            shape = tuple(int(s) for s in desc["shape"])
        except (KeyError, TypeError, ValueError):
            raise bad(f"manifest.json: bad description of array {name!r}") from None
        if dtype.kind not in ALLOWED_KINDS or any(s < 0 for s in shape):
            raise bad(f"manifest.json: array {name!r} has an unsupported dtype or shape")
        nbytes = dtype.itemsize * math.prod(shape)
        if z.getinfo(member).file_size > nbytes + 4096:
            raise bad(f"array {name!r} is larger than the manifest says")
        with z.open(member) as f:
            raw = io.BytesIO(f.read())
        # Compare the .npy header with the manifest before numpy allocates anything.
        major, _ = np.lib.format.read_magic(raw)
        read_header = (np.lib.format.read_array_header_1_0 if major == 1
                       else np.lib.format.read_array_header_2_0)
        h_shape, _, h_dtype = read_header(raw)
        if h_dtype != dtype or tuple(h_shape) != shape:
            raise bad(f"array {name!r} is {h_dtype} {tuple(h_shape)} but the manifest says "
                      f"{dtype} {shape}")
        raw.seek(0)
        a = np.load(raw, allow_pickle=False)
        if a.dtype != dtype or a.shape != shape:
            raise bad(f"array {name!r} is {a.dtype} {a.shape} but the manifest says "
                      f"{dtype} {shape}")
        arrays[name] = a
    return arrays


def _build(d: dict[str, Any], path: Any, bad: Any) -> Session:
    """Check the decoded fields and make the Session; the network must validate."""
    for key, types in (("spec", dict), ("initial_params", list), ("optimizer", dict),
                       ("dataset", dict), ("trainer", (dict, type(None))),
                       ("stepper", (dict, type(None))), ("view", (dict, type(None)))):
        if key not in d and types is not dict and types is not list:
            d[key] = None
        if key not in d:
            raise bad(f"manifest.json: the session has no {key!r}")
        if not isinstance(d[key], types):
            raise bad(f"manifest.json: {key!r} has the wrong type ({type(d[key]).__name__})")
    try:
        net = Network.from_spec(d["spec"])
    except (ValueError, TypeError) as e:
        raise bad(f"bad network spec in the session: {e}") from None
    params = d["initial_params"]
    if len(params) != net.L:
        raise bad(f"initial_params has {len(params)} layers, the network {net.L}")
    clean = []
    for l, (pair, layer) in enumerate(zip(params, net.layers, strict=True), start=1):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise bad(f"initial_params, layer {l}: expected a (W, b) pair")
        W, b = pair
        if not isinstance(W, np.ndarray) or not isinstance(b, np.ndarray) \
                or W.shape != layer.W.shape or b.size != layer.b.size:
            raise bad(f"initial_params, layer {l}: shapes do not match the network "
                      f"(W must be {layer.W.shape[0]}×{layer.W.shape[1]}, "
                      f"b {layer.b.shape[0]}×1)")
        clean.append((W, b.reshape(layer.b.shape)))
    d["initial_params"] = clean
    opt = d["optimizer"]
    if not isinstance(opt.get("name"), str):
        raise bad("manifest.json: optimizer has no name")
    _check_dataset(d["dataset"], net, bad)
    session = Session(**{f.name: d[f.name] for f in fields(Session)})
    from .experiment import Experiment
    Experiment.from_session(session, path)  # proves the optimizer, data, trainer and step fit
    return session


def _check_dataset(ds: dict[str, Any], net: Network, bad: Any) -> None:
    """Imported data must fit the network; a generator spec must be a dict."""
    if "X" not in ds:
        if not isinstance(ds.get("spec"), dict):
            raise bad("manifest.json: the dataset has neither a generator spec nor arrays")
        return
    for xk, yk in (("X", "Y"), ("X_val", "Y_val")):
        X, Y = ds.get(xk), ds.get(yk)
        if X is None and Y is None and xk == "X_val":
            continue
        if not isinstance(X, np.ndarray) or not isinstance(Y, np.ndarray) \
                or X.ndim != 2 or Y.ndim != 2 or X.shape[0] != net.input_size \
                or Y.shape[0] != net.sizes[-1] or X.shape[1] != Y.shape[1]:
            raise bad(f"dataset {xk}/{yk} do not fit the network "
                      f"({net.input_size} inputs, {net.sizes[-1]} outputs)")
        if not (np.isfinite(X).all() and np.isfinite(Y).all()):
            raise bad(f"dataset {xk}/{yk} contain NaN or Inf")
