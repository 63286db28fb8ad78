"""The seed's two sanity checks, and its matrix-trick slide done right.

* Dimension check: each gradient has the shape of its parameter.
* Numerical check: ∂C/∂θᵢ ≈ (C(θᵢ + h) − C(θᵢ − h)) / 2h for every entry
  (or a seeded sample of entries for big layers), against the backward pass.
* The slide "a useful trick" gives ∇_W ||WXV − U||²_F = −2(WXV − U)(XV)ᵀ; with
  (WXV − U) inside, the true gradient is +2(WXV − U)(XV)ᵀ (likewise for X and V).
  ``matrix_trick`` computes the correct signs and verifies them numerically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from .losses import loss_value
from .network import Grads, Network, layer_a, layer_z

Array = np.ndarray
THRESHOLD = 1e-6
PROGRESS_CHUNK = 32   # entries between two progress reports


@dataclass(frozen=True)
class DimCheck:
    """Shape of a parameter against the shape of its gradient."""

    layer: int
    name: str
    param_shape: tuple[int, ...]
    grad_shape: tuple[int, ...]

    @property
    def ok(self) -> bool:
        return self.param_shape == self.grad_shape


def dimension_check(net: Network, grads: Grads) -> list[DimCheck]:
    """The seed's dimension check for every W_ℓ and b_ℓ."""
    out = []
    for l, layer in enumerate(net.layers, start=1):
        dW, db = grads.dW[l], grads.db[l]
        assert dW is not None and db is not None
        out.append(DimCheck(l, "W", layer.W.shape, dW.shape))
        out.append(DimCheck(l, "b", layer.b.shape, db.shape))
    return out


def relative_error(analytic: Array, numeric: Array, floor: float = 1e-8) -> Array:
    """|a − n| / max(|a|, |n|, floor).

    The floor keeps entries whose gradient is essentially zero from turning
    round-off into a huge "relative" error: a central difference with step h
    cannot resolve a gradient more finely than about ε·|C|/h ≈ 1e-11·|C|.
    """
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    return np.abs(analytic - numeric) / scale


@dataclass(frozen=True)
class ParamCheck:
    """Analytic vs numerical gradient for the checked entries of one parameter."""

    layer: int
    name: str
    shape: tuple[int, ...]
    index: Array  # (k, 2) int: row, column of each checked entry
    analytic: Array
    numeric: Array
    rel_error: Array

    @property
    def worst(self) -> float:
        return float(self.rel_error.max()) if self.rel_error.size else 0.0


@dataclass(frozen=True)
class GradCheckResult:
    """All entries checked, with the threshold used for pass/fail."""

    entries: list[ParamCheck]
    h: float
    threshold: float = THRESHOLD

    @property
    def worst(self) -> float:
        return max((e.worst for e in self.entries), default=0.0)

    @property
    def passed(self) -> bool:
        return self.worst < self.threshold

    def worst_by_layer(self) -> dict[int, float]:
        out: dict[int, float] = {}
        for e in self.entries:
            out[e.layer] = max(out.get(e.layer, 0.0), e.worst)
        return out

    def rel_error_matrix(self, layer: int, name: str) -> Array:
        """Relative error in the parameter's shape, NaN where an entry was not sampled."""
        for e in self.entries:
            if e.layer == layer and e.name == name:
                m = np.full(e.shape, np.nan)
                m[e.index[:, 0], e.index[:, 1]] = e.rel_error
                return m
        raise ValueError(f"no check for {name} of layer {layer}")


def numerical_gradient(f: Callable[[], float], P: Array, index: Array, h: float) -> Array:
    """Central differences (f(x+h) − f(x−h)) / 2h for the listed entries of P (restored after)."""
    out = np.empty(len(index))
    for k, (i, j) in enumerate(index):
        old = P[i, j]
        P[i, j] = old + h
        fp = f()
        P[i, j] = old - h
        fm = f()
        P[i, j] = old
        out[k] = (fp - fm) / (2 * h)
    return out


def sample_entries(shape: tuple[int, ...], max_entries: int | None,
                   rng: np.random.Generator) -> Array:
    """(k, 2) row/column indices: all entries, or a sorted random sample of ``max_entries``.

    Drawn as flat indices, so a 4000 × 4000 W costs k indices, not 16 M.
    """
    rows, cols = shape if len(shape) == 2 else (shape[0], 1)
    n = rows * cols
    if max_entries is None or n <= max_entries:
        flat = np.arange(n)
    else:
        flat = np.sort(rng.choice(n, max_entries, replace=False))
    return np.stack(np.unravel_index(flat, (rows, cols)), axis=1)


def gradient_check(net: Network, X: Array, Y: Array, h: float = 1e-5,
                   max_entries: int | None = None, seed: int = 0,
                   threshold: float = THRESHOLD,
                   progress: Callable[[int, int], None] | None = None) -> GradCheckResult:
    """Compare every ∂C/∂W_ℓ, ∂C/∂b_ℓ entry with central differences.

    With ``max_entries`` a seeded random sample of at most that many entries
    per parameter is checked (big layers would take too long otherwise).
    ``progress(done, total)`` is called as entries are checked (two forward
    passes each).  The network's weights are the same after the call as before it.
    """
    X = net.check_X(X)
    Y = net.check_Y(Y, X.shape[1])
    if not (h > 0 and np.isfinite(h)):
        raise ValueError(f"h must be a small positive number, got {h}")
    grads = net.backward(net.forward(X), Y)
    # Absolute differences below ~1e-10·max(1, |C|) are round-off of the
    # central difference, not disagreement (see relative_error).
    floor = 1e-4 * max(1.0, abs(grads.loss))
    rng = np.random.default_rng(seed)
    work = net.copy()  # perturb a copy: the caller's arrays are never written

    base = work.forward(X, check=False)

    def cost_from(l: int) -> Callable[[], float]:
        """C when only layers ℓ..L changed: a_{ℓ-1} is taken from the unperturbed pass."""
        def cost() -> float:
            a, z = base.a[l - 1], None
            for layer in work.layers[l - 1:]:
                z = layer_z(layer, a)
                a = layer_a(layer, z)
            assert z is not None
            return loss_value(work.loss, work.output_activation, z, a, Y)
        return cost

    plan = [(l, name, sample_entries(getattr(layer, name).shape, max_entries, rng))
            for l, layer in enumerate(work.layers, start=1) for name in ("W", "b")]
    total, done = sum(len(idx) for _, _, idx in plan), 0
    entries = []
    for l, name, idx in plan:
        P: Array = getattr(work.layers[l - 1], name)
        g = grads.dW[l] if name == "W" else grads.db[l]
        assert g is not None
        num = np.empty(len(idx))
        for start in range(0, len(idx), PROGRESS_CHUNK):
            part = idx[start:start + PROGRESS_CHUNK]
            num[start:start + len(part)] = numerical_gradient(cost_from(l), P, part, h)
            done += len(part)
            if progress is not None:
                progress(done, total)
        ana = g[idx[:, 0], idx[:, 1]]
        entries.append(ParamCheck(l, name, P.shape, idx, ana, num,
                                  relative_error(ana, num, floor)))
    return GradCheckResult(entries, h, threshold)


# --- the slide "a useful trick for gradient computation" -----------------------------


def trick_value(W: Array, X: Array, V: Array, U: Array) -> float:
    """f(W, X, V) = ||WXV − U||²_F."""
    R = W @ X @ V - U
    return float(np.sum(R * R))


def trick_gradients(W: Array, X: Array, V: Array, U: Array) -> dict[str, Array]:
    """∇_W f = +2 R (XV)ᵀ, ∇_X f = +2 Wᵀ R Vᵀ, ∇_V f = +2 (WX)ᵀ R with R = WXV − U."""
    R = W @ X @ V - U
    return {"W": 2 * R @ (X @ V).T, "X": 2 * W.T @ R @ V.T, "V": 2 * (W @ X).T @ R}


class TrickCheck(TypedDict):
    """One variable's gradient: the +2 formula, the numerical one, the slide's −2 version."""

    analytic: Array
    numeric: Array
    rel_error: float
    slide: Array
    slide_rel_error: float


class TrickResult(TypedDict):
    """f(W, X, V) and the check of each of its three variables."""

    value: float
    W: TrickCheck
    X: TrickCheck
    V: TrickCheck


def matrix_trick(W: Array, X: Array, V: Array, U: Array, h: float = 1e-6) -> TrickResult:
    """The slide's three gradients with the sign corrected, each checked numerically.

    Returns, per variable, the analytic gradient, the numerical one, the
    relative error, and the slide's printed (−2) version with its error, so
    the slip can be shown rather than just asserted.
    """
    mats = {"W": np.array(W, dtype=float), "X": np.array(X, dtype=float),
            "V": np.array(V, dtype=float)}
    U = np.array(U, dtype=float)
    grads = trick_gradients(mats["W"], mats["X"], mats["V"], U)
    value = trick_value(mats["W"], mats["X"], mats["V"], U)
    checks: dict[str, TrickCheck] = {}
    for name, P in mats.items():
        idx = np.argwhere(np.ones(P.shape, dtype=bool))
        num = numerical_gradient(lambda: trick_value(mats["W"], mats["X"], mats["V"], U),
                                 P, idx, h).reshape(P.shape)
        slide = -grads[name]
        checks[name] = {"analytic": grads[name], "numeric": num,
                        "rel_error": float(relative_error(grads[name], num).max()),
                        "slide": slide, "slide_rel_error": float(relative_error(slide, num).max())}
    return {"value": value, "W": checks["W"], "X": checks["X"], "V": checks["V"]}
