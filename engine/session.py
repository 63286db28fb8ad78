"""Session files (``.bplens``): everything needed to continue where the user was.

Format version 1 is a zip archive with

* ``manifest.json``: ``{"format": "backprop-lens-session", "version": 1,
  "app_version", "created", "arrays": {name: {"dtype", "shape"}}, "session": …}``
  where ``session`` is the Session's fields as JSON; every numpy array in them
  is replaced by ``{"__array__": name}``, a tuple by ``{"__tuple__": [...]}``
  and a non-finite float by ``{"__float__": "nan" | "inf" | "-inf"}``;
* one ``arrays/<name>.npy`` member per array.

Reading never executes anything: JSON, and .npy members of numeric dtypes
only (no pickle), each checked against the manifest's dtype and shape.  Only
the arrays the session body refers to are read; their sizes as the manifest
declares them are added up and checked against ``MAX_ARRAY_BYTES`` before
anything is inflated, and a member can never inflate past its declared size.
The caps follow from the app's own limits (``MAX_PARAMS`` weights, the CSV
size limit), so whatever the app saves it loads back; ``session_bytes``
refuses to write what ``load_session`` would refuse to read.  Every number is
then checked by ``check_session_numbers``.  A file of a newer format version
is refused, naming both versions.  Every problem is a ``BadFileError``.

The network's weights (in ``spec`` and ``initial_params``) and the loss
history are stored as arrays, not JSON numbers: a 16 M-parameter network is
then 128 MB per copy instead of ~ 350 MB of decimal text in the manifest.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
import zlib
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any

import numpy as np

from .csv_data import MAX_CSV_BYTES
from .fileio import BadFileError, atomic_write_via, check_readable
from .network import Network
from .session_numbers import check_session_numbers
from .spec import MAX_PARAMS

FORMAT_NAME = "backprop-lens-session"
FORMAT_VERSION = 1
EXTENSION = ".bplens"
APP_VERSION = "0.1.0"
# What the app can save, it can load: every cap follows from the app's own limits.
_PARAM_BYTES = 8 * MAX_PARAMS                  # one float64 copy of all W_ℓ and b_ℓ
# Imported data: a CSV cell takes ≥ 2 bytes ("0,"), so at most MAX_CSV_BYTES / 2 cells of
# 8 bytes each, and a sample has ≥ 2 cells, so ≤ 4 bytes per cell of int64 shuffle order.
_DATA_BYTES = 12 * (MAX_CSV_BYTES // 2)
_HISTORY_BYTES = 1_000_000_000                 # ~ 125 M recorded losses
# Current weights (spec) + initial weights + at most two optimizer moments (Adam's m, v).
MAX_ARRAY_BYTES = 4 * _PARAM_BYTES + _DATA_BYTES + _HISTORY_BYTES
MAX_MANIFEST_BYTES = 50_000_000                # the body holds no bulk numbers any more
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)   # members carry no time of their own: the manifest has it
MAX_NPY_HEADER = 4096                          # our headers are ~ 128 bytes
# Deflate never grows a member by more than ~ 0.1 %; plus the manifest and zip records.
MAX_SESSION_BYTES = MAX_ARRAY_BYTES * 1001 // 1000 + MAX_MANIFEST_BYTES + 10_000_000
ALLOWED_KINDS = "fiub"  # float, int, unsigned, bool: nothing that needs pickle


@dataclass
class Session:
    """Everything one window holds; see docs/files-and-commands.md."""

    spec: dict[str, Any]                 # Network.to_spec(), CURRENT weights (arrays once loaded)
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


def _bulk_as_arrays(session: Session) -> Session:
    """The spec's weights and the loss history as arrays (binary in the file, not text)."""
    spec = dict(session.spec)
    if isinstance(spec.get("layers"), list):
        spec["layers"] = [
            {k: (np.asarray(v, dtype=np.float64) if k in ("W", "b") and isinstance(v, list)
                 else v) for k, v in ly.items()} if isinstance(ly, dict) else ly
            for ly in spec["layers"]]
    trainer = session.trainer
    if isinstance(trainer, dict) and isinstance(trainer.get("history"), dict):
        h = dict(trainer["history"])
        for key in ("iter_loss", "epoch_train", "epoch_val", "epoch_iteration"):
            if isinstance(h.get(key), list):
                h[key] = np.asarray(h[key], dtype=np.int64 if key == "epoch_iteration"
                                    else np.float64)
        trainer = {**trainer, "history": h}
    return Session(spec, session.initial_params, session.optimizer, session.dataset,
                   trainer, session.stepper, session.view)


def _prepare(session: Session) -> tuple[bytes, dict[str, np.ndarray]]:
    """The manifest (JSON bytes) and the arrays; raises TypeError/ValueError if unsavable."""
    arrays: dict[str, np.ndarray] = {}
    session = _bulk_as_arrays(session)
    body = {f.name: _encode(getattr(session, f.name), arrays, f.name) for f in fields(Session)}
    manifest = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "app_version": APP_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "arrays": {n: {"dtype": a.dtype.str, "shape": list(a.shape)} for n, a in arrays.items()},
        "session": body,
    }
    text = json.dumps(manifest, indent=1, allow_nan=False).encode("utf-8")
    # Refuse to write what load_session would refuse to read.
    if len(text) > MAX_MANIFEST_BYTES:
        raise ValueError(f"its manifest would be {len(text):,} bytes, more than the "
                         f"{MAX_MANIFEST_BYTES:,} a session may have")
    total = sum(a.nbytes for a in arrays.values())
    if total > MAX_ARRAY_BYTES:
        raise ValueError(f"its arrays would take {total:,} bytes, more than the "
                         f"{MAX_ARRAY_BYTES:,} a session may have")
    return text, arrays


def _compresses(a: np.ndarray) -> bool:
    """Worth deflating? Trained float64 weights shrink by ~ 4 % for 10× the time;
    0/1 targets and small integers shrink to a few per cent. Probe the first MB."""
    probe = a.reshape(-1)[: (1 << 20) // max(1, a.itemsize)].tobytes()
    return len(zlib.compress(probe, 1)) < 0.8 * len(probe)


def _write_zip(f: Any, manifest: bytes, arrays: dict[str, np.ndarray]) -> None:
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("manifest.json", manifest)
        for name, a in arrays.items():
            info = zipfile.ZipInfo(f"arrays/{name}.npy", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED if _compresses(a) else zipfile.ZIP_STORED
            info._compresslevel = 1   # type: ignore[attr-defined]  # no public field before 3.13
            with z.open(info, "w", force_zip64=a.nbytes > 1 << 30) as m:
                np.lib.format.write_array(m, a, allow_pickle=False)


def session_bytes(session: Session) -> bytes:
    """The .bplens file contents for ``session`` (raises TypeError for unsavable values)."""
    manifest, arrays = _prepare(session)
    buf = io.BytesIO()
    _write_zip(buf, manifest, arrays)
    return buf.getvalue()


def save_session(path: str | os.PathLike[str], session: Session) -> None:
    """Write ``session`` atomically (streamed into the temp file); the old file survives."""
    try:
        manifest, arrays = _prepare(session)
    except (TypeError, ValueError) as e:
        raise BadFileError(path, f"cannot save the session: {e}") from None

    def write(tmp: str) -> None:
        with open(tmp, "wb") as f:
            _write_zip(f, manifest, arrays)

    atomic_write_via(path, write)


# --- reading ------------------------------------------------------------------


def load_session(path: str | os.PathLike[str]) -> Session:
    """Read and verify a .bplens file; ``BadFileError`` on anything wrong."""
    check_readable(path, MAX_SESSION_BYTES)
    try:
        f = open(path, "rb")
    except OSError as e:
        raise BadFileError(path, f"cannot read: {e.strerror or e}") from None
    with f:
        return _guarded(f, path)


def session_from_bytes(data: bytes, path: str | os.PathLike[str] | None = None) -> Session:
    """Parse the bytes of a .bplens file; ``BadFileError`` on anything wrong."""
    return _guarded(io.BytesIO(data), path)


def _guarded(f: Any, path: str | os.PathLike[str] | None) -> Session:
    try:
        return _parse(f, path)
    except BadFileError:
        raise
    except (MemoryError, RecursionError):
        raise BadFileError(path, "the session is too large or too deeply nested") from None
    except Exception as e:  # a damaged zip can fail in many library-specific ways
        raise BadFileError(path, f"damaged session file: {type(e).__name__}: {e}") from None


def _parse(f: Any, path: str | os.PathLike[str] | None) -> Session:
    def bad(problem: str) -> BadFileError:
        return BadFileError(path, problem)

    if not zipfile.is_zipfile(f):
        raise bad("not a Backprop Lens session (not a zip archive)")
    f.seek(0)
    with zipfile.ZipFile(f) as z:
        names = set(z.namelist())
        if "manifest.json" not in names:
            raise bad("not a Backprop Lens session (no manifest.json inside)")
        if z.getinfo("manifest.json").file_size > MAX_MANIFEST_BYTES:
            raise bad(f"manifest.json is larger than the limit of {MAX_MANIFEST_BYTES:,} bytes")
        try:
            with z.open("manifest.json") as m:   # never inflate past the cap, whatever it says
                manifest = json.loads(m.read(MAX_MANIFEST_BYTES + 1).decode("utf-8"))
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
        body = manifest.get("session")
        if not isinstance(body, dict):
            raise bad("manifest.json: 'session' is missing or not an object")
        wanted = _referenced(body, [])
        plan = _plan_arrays(manifest.get("arrays"), wanted, bad)
        arrays = {name: _read_array(z, name, dtype, shape, names, bad)
                  for name, (dtype, shape) in plan.items()}
    try:
        decoded = _decode(body, arrays, set())
    except ValueError as e:
        raise bad(f"manifest.json: {e}") from None
    return _build(decoded, path, bad)


def _referenced(value: Any, out: list[str]) -> list[str]:
    """Names of the arrays the session body refers to (``{"__array__": name}``), in order."""
    if isinstance(value, list):
        for v in value:
            _referenced(v, out)
    elif isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("__array__"), str):
            out.append(value["__array__"])
        else:
            for v in value.values():
                _referenced(v, out)
    return out


def _plan_arrays(listing: Any, wanted: list[str], bad: Any
                 ) -> dict[str, tuple[np.dtype, tuple[int, ...]]]:
    """Declared dtype and shape of each referenced array; the total checked before reading."""
    if not isinstance(listing, dict):
        raise bad("manifest.json: 'arrays' is missing or not an object")
    plan: dict[str, tuple[np.dtype, tuple[int, ...]]] = {}
    total = 0
    for name in wanted:
        if name in plan:
            continue
        if name not in listing:
            raise bad(f"manifest.json: the manifest refers to an array {name!r} it does not "
                      f"list")
        desc = listing[name]
        try:
            dtype = np.dtype(desc["dtype"])
            shape = tuple(int(s) for s in desc["shape"])
            if any(isinstance(s, bool) or not isinstance(s, int) for s in desc["shape"]):
                raise TypeError
        except (KeyError, TypeError, ValueError, OverflowError):
            raise bad(f"manifest.json: bad description of array {name!r}") from None
        if dtype.kind not in ALLOWED_KINDS or dtype.hasobject or len(shape) > 8 \
                or any(s < 0 for s in shape):
            raise bad(f"manifest.json: array {name!r} has an unsupported dtype or shape")
        total += dtype.itemsize * math.prod(shape)
        if total > MAX_ARRAY_BYTES:
            raise bad(f"manifest.json: the arrays it uses would take more than the limit of "
                      f"{MAX_ARRAY_BYTES:,} bytes (array {name!r} is {dtype} {shape})")
        plan[name] = (dtype, shape)
    return plan


def _read_array(z: zipfile.ZipFile, name: str, dtype: np.dtype, shape: tuple[int, ...],
                names: set[str], bad: Any) -> np.ndarray:
    """Read one .npy member, exactly as large as the manifest declares, into a fresh array."""
    member = f"arrays/{name}.npy"
    if member not in names:
        raise bad(f"array {name!r} listed in the manifest is missing from the file")
    nbytes = dtype.itemsize * math.prod(shape)
    size = z.getinfo(member).file_size
    if size > nbytes + MAX_NPY_HEADER:   # zipfile never inflates past this declared size
        raise bad(f"array {name!r} is larger than the manifest says")
    with z.open(member) as member_file:
        f: Any = member_file   # a ZipExtFile: readinto, bounded by the declared size
        # Compare the .npy header with the manifest before allocating anything.
        major, _ = np.lib.format.read_magic(f)
        read_header = (np.lib.format.read_array_header_1_0 if major == 1
                       else np.lib.format.read_array_header_2_0)
        h_shape, fortran, h_dtype = read_header(f)
        if h_dtype != dtype or tuple(h_shape) != shape:
            raise bad(f"array {name!r} is {h_dtype} {tuple(h_shape)} but the manifest says "
                      f"{dtype} {shape}")
        a = np.empty(shape[::-1] if fortran else shape, dtype=dtype)
        view = a.reshape(-1).view(np.uint8)   # the array's own bytes, filled in place
        got = 0
        while got < nbytes:
            n = f.readinto(view[got:])
            if not n:
                break
            got += n
        # Raw bytes under a forged header: a length that differs from the header's.
        if got != nbytes or f.read(1):
            raise bad(f"array {name!r}: its data is {'shorter' if got < nbytes else 'longer'} "
                      f"than its header says ({dtype} {shape} is {nbytes:,} bytes)")
    return a.T if fortran else a


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
    check_session_numbers(session, path)   # every number the engine or optimizer will see
    _history_as_lists(session.trainer)
    from .experiment import Experiment
    Experiment.from_session(session, path)  # proves the optimizer, data, trainer and step fit
    return session


def _history_as_lists(trainer: dict[str, Any] | None) -> None:
    """The loss history back as lists, as ``Trainer.state_dict`` gives it."""
    h = trainer.get("history") if trainer else None
    if isinstance(h, dict):
        for key, v in h.items():
            if isinstance(v, np.ndarray) and v.ndim == 1:
                h[key] = v.tolist()


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
