"""Every number a session hands to the engine or the optimizer, checked before use.

``check_session_numbers`` refuses, naming the file and the field, what the
structural checks of ``engine.session`` let through: NaN or Inf weights, Adam
state with v < 0 or β outside [0, 1), a negative or fractional step count, a
stepper position outside the pass or a sample index outside the data, numbers
written as strings or booleans.  It changes nothing.
"""

from __future__ import annotations

import math
import numbers
import os
from typing import Any

import numpy as np

from .fileio import BadFileError
from .network import MAX_LR
from .optim import OPTIMIZERS

MAX_COUNT = 2**53        # iterations, epochs, Adam's t: beyond this a float cannot count
MAX_SEED = 2**63 - 1     # the data sets' own limit
MAX_BATCH = 10_000_000   # the command line's limit


class _Bad(ValueError):
    """A field and what is wrong with it (turned into a BadFileError by the caller)."""


def steps_per_pass(L: int) -> int:
    """K = 4L + 2: z_ℓ and a_ℓ per layer, the loss, δ_ℓ and the gradients per layer, the update."""
    return 4 * L + 2


def _real(x: Any, field: str, lo: float | None = None, hi: float | None = None, *,
          lo_open: bool = False, hi_open: bool = False, finite: bool = True) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise _Bad(f"{field} must be a number, got {x!r}")
    v = float(x)
    if finite and not math.isfinite(v):
        raise _Bad(f"{field} is {v}, not a finite number")
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise _Bad(f"{field} is {v:g}; it must be {'above' if lo_open else 'at least'} {lo:g}")
    if hi is not None and (v > hi or (hi_open and v == hi)):
        raise _Bad(f"{field} is {v:g}; it must be {'below' if hi_open else 'at most'} {hi:g}")
    return v


def _int(x: Any, field: str, lo: int, hi: int) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Integral):
        raise _Bad(f"{field} must be a whole number, got {x!r}")
    if not lo <= int(x) <= hi:
        raise _Bad(f"{field} is {int(x)}; it must be in {lo:,}..{hi:,}")
    return int(x)


def _finite_array(a: Any, field: str, nonneg: bool = False) -> None:
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "fiu":
        kind = a.dtype if isinstance(a, np.ndarray) else type(a).__name__
        raise _Bad(f"{field} must be an array of numbers, got {kind}")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        i = tuple(int(k) for k in np.argwhere(~np.isfinite(a))[0])
        raise _Bad(f"{field}{list(i)} is {a[i]}, not a finite number")
    if nonneg and (a < 0).any():
        i = tuple(int(k) for k in np.argwhere(a < 0)[0])
        raise _Bad(f"{field}{list(i)} is {a[i]}; it must be ≥ 0")


def _moments(value: Any, field: str, n: int, nonneg: bool = False) -> None:
    if value is None:
        return
    if not isinstance(value, (list, tuple)) or len(value) != n:
        raise _Bad(f"{field} must be a list of {n} arrays (one per W_ℓ and b_ℓ)")
    for i, a in enumerate(value):
        what = f"{field}[{i}] ({'W' if i % 2 == 0 else 'b'}_{i // 2 + 1})"
        _finite_array(a, what, nonneg)


def _optimizer(o: dict[str, Any], n_params: int) -> None:
    name = o.get("name")
    if name not in OPTIMIZERS:
        raise _Bad(f"optimizer.name is {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    if "lr" in o:
        _real(o["lr"], "optimizer.lr", 0.0, MAX_LR, lo_open=True)
    state = o.get("state") or {}
    if not isinstance(state, dict):
        raise _Bad("optimizer.state must be an object")
    f = "optimizer.state."
    if "lr" in state:
        _real(state["lr"], f + "lr", 0.0, MAX_LR, lo_open=True)
    if name == "momentum" and state:
        _real(state.get("beta"), f + "beta", 0.0, 1.0, hi_open=True)
        _moments(state.get("v"), f + "v", n_params)
    if name == "adam" and state:
        _real(state.get("beta1"), f + "beta1 (β₁)", 0.0, 1.0, hi_open=True)
        _real(state.get("beta2"), f + "beta2 (β₂)", 0.0, 1.0, hi_open=True)
        _real(state.get("eps"), f + "eps (ε)", 0.0, 1.0, lo_open=True)
        _int(state.get("t"), f + "t", 0, MAX_COUNT)
        _moments(state.get("m"), f + "m", n_params)
        _moments(state.get("v"), f + "v", n_params, nonneg=True)   # √v must exist


def _history(h: Any) -> None:
    if not isinstance(h, dict):
        raise _Bad("trainer.history must be an object")
    for key in ("iter_loss", "epoch_train", "epoch_val", "epoch_iteration"):
        values = h.get(key, [])
        field = f"trainer.history.{key}"
        if isinstance(values, np.ndarray):
            if values.ndim != 1 or values.dtype.kind not in "fiu":
                raise _Bad(f"{field} must be a list of numbers")
            if key == "epoch_iteration" and (values.dtype.kind == "f" or (values < 0).any()):
                raise _Bad(f"{field} must hold whole numbers ≥ 0")
            continue
        if not isinstance(values, list):
            raise _Bad(f"{field} must be a list of numbers")
        for i, x in enumerate(values):
            if key == "epoch_iteration":
                _int(x, f"{field}[{i}]", 0, MAX_COUNT)
            else:   # a loss curve is only drawn, never computed with: NaN may stay
                _real(x, f"{field}[{i}]", finite=False)


def _trainer(t: dict[str, Any], N: int) -> None:
    for key in ("iteration", "epoch", "epoch_count"):
        if key in t:
            _int(t[key], f"trainer.{key}", 0, MAX_COUNT)
    if "pos" in t:
        _int(t["pos"], "trainer.pos (position in the epoch)", 0, max(0, N - 1))
    if "batch_size" in t:
        _int(t["batch_size"], "trainer.batch_size", 1, MAX_BATCH)
    if "seed" in t:
        _int(t["seed"], "trainer.seed", 0, MAX_SEED)
    if "epoch_sum" in t:
        _real(t["epoch_sum"], "trainer.epoch_sum")
    if "shuffle" in t and not isinstance(t["shuffle"], bool):
        raise _Bad(f"trainer.shuffle must be true or false, got {t['shuffle']!r}")
    perm = t.get("perm")
    if perm is not None:
        if not isinstance(perm, np.ndarray) or perm.dtype.kind not in "iu" or perm.ndim != 1:
            raise _Bad("trainer.perm (the shuffle order) must be a list of whole numbers")
        if perm.size != N or not np.array_equal(np.sort(perm), np.arange(N)):
            raise _Bad(f"trainer.perm (the shuffle order) is not a permutation of the "
                       f"{N} samples")
    if "history" in t:
        _history(t["history"])


def _stepper(st: dict[str, Any], L: int, N: int) -> None:
    K = steps_per_pass(L)
    if "k" in st:
        _int(st["k"], f"stepper.k (position in the pass of K = {K} steps)", 0, K)
    sample = st.get("sample")
    if sample is not None:
        _int(sample, f"stepper.sample (index into the {N} training samples)", 0, N - 1)
    if "batch_size" in st:
        _int(st["batch_size"], "stepper.batch_size", 1, MAX_BATCH)


def _n_samples(dataset: dict[str, Any]) -> int:
    """Training samples N: the imported X's columns, or what the generator makes."""
    if "X" in dataset:
        return int(np.shape(dataset["X"])[1])
    from .datasets import make_dataset
    spec = dataset.get("spec")
    if not isinstance(spec, dict):
        raise _Bad("dataset.spec must be an object")
    try:
        return int(make_dataset(**spec).X.shape[1])
    except (TypeError, ValueError) as e:
        raise _Bad(f"dataset.spec: {e}") from None


def check_session_numbers(session: Any, path: str | os.PathLike[str] | None = None) -> None:
    """Refuse a session with a number the engine or optimizer must not see.

    ``session`` is a structurally checked ``engine.session.Session`` (its
    ``initial_params`` match the spec's shapes).  Raises ``BadFileError``
    naming ``path`` and the field, e.g. ``optimizer.state.beta1 (β₁) is 5;
    it must be below 1``.
    """
    try:
        L = len(session.spec["layers"])
        for l, (W, b) in enumerate(session.initial_params, start=1):
            _finite_array(W, f"initial_params, layer {l}: W")
            _finite_array(b, f"initial_params, layer {l}: b")
        _optimizer(session.optimizer, 2 * L)
        N = _n_samples(session.dataset)
        if session.trainer:
            _trainer(session.trainer, N)
        if session.stepper:
            _stepper(session.stepper, L, N)
    except _Bad as e:
        raise BadFileError(path, f"manifest.json: {e}") from None
