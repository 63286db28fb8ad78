"""Gradient health: how large the gradients of each layer are, and why.

Per layer ℓ and iteration (numbers of one mini-batch, computed before its update):

* ``dW_norm``      ‖∂C/∂W_ℓ‖_F
* ``delta_norm``   the mean over the batch's samples s of ‖δ_ℓ[:, s]‖₂ (one column per sample)
* ``update_ratio`` ‖ΔW_ℓ‖_F / ‖W_ℓ‖_F, where ΔW_ℓ = W_ℓ(after) − W_ℓ(before) is the step the
  optimizer really took and ‖W_ℓ‖ is taken before it. For "sgd" ΔW_ℓ = −α ∂C/∂W_ℓ, so this is
  the lecture's ‖α ∂C/∂W_ℓ‖_F / ‖W_ℓ‖_F; for "momentum" and "adam" it is the actual step
  (α v, or α m̂/(√v̂ + ε)), which is what says whether the weights move. Without the weights
  after the step (``W_after=None``) it falls back to α‖∂C/∂W_ℓ‖_F / ‖W_ℓ‖_F.

Plus what explains them, for one layer on a batch: the distributions of a_ℓ, σ'_ℓ(z_ℓ) and W_ℓ,
the share of saturated entries (σ' < 0.01) and of dead units (ReLU, a = 0 on every sample).
A vanishing gradient shows as dW norms falling layer by layer towards the input; the
classic small-weight-update rule of thumb is an update ratio near 1e-3.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .fileio import atomic_write_text
from .network import Grads, Network

Array = np.ndarray
Params = Sequence[tuple[Array, Array]]
CSV_HEADER = ["iteration", "layer", "dW_norm", "delta_norm", "update_ratio"]
SATURATED_BELOW = 0.01   # σ' below this: the unit passes almost no gradient back
EXAMPLES = ("vanishing", "exploding", "dead_relu")


def layer_norms(delta: Sequence[Array | None], dW: Sequence[Array | None], W_before: Params,
                W_after: Params | None = None, lr: float | None = None) -> Array:
    """The three norms of every layer: an (L, 3) array, row ℓ-1 = (dW, δ, update ratio).

    Parameters
    ----------
    delta, dW : per-layer lists indexed by ℓ (index 0 unused), as in ``Grads``.
    W_before : the (W_ℓ, b_ℓ) pairs the gradients were computed with.
    W_after : the pairs after the update; if None, the step is taken as α ∂C/∂W_ℓ (``lr``).
    """
    L = len(W_before)
    out = np.empty((L, 3))
    for l in range(1, L + 1):
        d, g = delta[l], dW[l]
        assert d is not None and g is not None
        W = W_before[l - 1][0]
        out[l - 1, 0] = np.linalg.norm(g)
        out[l - 1, 1] = float(np.mean(np.sqrt(np.einsum("ij,ij->j", d, d))))
        if W_after is not None:
            step = np.linalg.norm(W_after[l - 1][0] - W)
        elif lr is not None:
            step = lr * out[l - 1, 0]
        else:
            raise ValueError("the update ratio needs the weights after the step or lr")
        W_norm = np.linalg.norm(W)
        out[l - 1, 2] = step / W_norm if W_norm > 0 else np.inf
    return out


class GradNormRecorder:
    """Collects ``layer_norms`` per iteration; pass it as ``Trainer.run(on_grads=...)``."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.iterations: list[int] = []
        self._norms: list[Array] = []

    def __call__(self, iteration: int, grads: Grads, W_before: Params) -> None:
        self.iterations.append(int(iteration))
        self._norms.append(layer_norms(grads.delta, grads.dW, W_before, self.net.params()))

    @property
    def norms(self) -> Array:
        """(n_iterations, L, 3): dW_norm, delta_norm, update_ratio."""
        if not self._norms:
            return np.empty((0, self.net.L, 3))
        return np.stack(self._norms)

    def csv_text(self) -> str:
        """The CSV of the module docstring: one row per iteration and layer ℓ = 1..L."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(CSV_HEADER)
        for it, rows in zip(self.iterations, self._norms, strict=True):
            for l, (g, d, r) in enumerate(rows, start=1):
                w.writerow([it, l, repr(float(g)), repr(float(d)), repr(float(r))])
        return buf.getvalue()

    def write_csv(self, path: str | os.PathLike[str]) -> None:
        """Write ``csv_text()`` atomically."""
        atomic_write_text(path, self.csv_text())


# --- what explains the norms: one layer's distributions ------------------------------


@dataclass
class LayerHealth:
    """One layer on a batch: a_ℓ, σ'_ℓ(z_ℓ) (None for softmax) and W_ℓ, with two shares.

    ``saturated`` is the share of entries (unit, sample) with σ' < 0.01 (None for softmax);
    ``dead`` the share of units with a = 0 on every sample (ReLU only, else None).
    """

    layer: int
    activation: str
    a: Array
    sigma_prime: Array | None
    W: Array
    saturated: float | None
    dead: float | None


def layer_health(net: Network, X: Array) -> list[LayerHealth]:
    """``LayerHealth`` of every layer ℓ = 1..L for the inputs X (n_0, B)."""
    trace = net.forward(X)
    out = []
    for l, layer in enumerate(net.layers, start=1):
        z, a = trace.z[l], trace.a[l]
        assert z is not None
        prime = layer.activation.prime
        sp = None if prime is None else prime(z, a)
        saturated = None if sp is None else float(np.mean(sp < SATURATED_BELOW))
        dead = (float(np.mean(np.all(a == 0, axis=1))) if layer.activation.name == "relu"
                else None)
        out.append(LayerHealth(l, layer.activation.name, a, sp, layer.W, saturated, dead))
    return out


def histogram(values: Array, bins: int = 30) -> tuple[Array, Array]:
    """(counts, edges) of the finite values; a constant array gets one bin of width 1."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(1)
    lo, hi = float(v.min()), float(v.max())
    if lo == hi:
        return np.array([v.size]), np.array([lo - 0.5, hi + 0.5])
    return np.histogram(v, bins=bins, range=(lo, hi))


# --- worked examples -----------------------------------------------------------------


def example_spec(name: str, seed: int = 0) -> dict[str, object]:
    """A network spec showing one gradient problem on 2 inputs and 1 output.

    "vanishing": 2-8-8-8-8-8-1, all sigmoid, Xavier: each σ' ≤ 1/4 shrinks δ layer by layer.
    "exploding": 2-16-16-16-16-16-1, all identity, W drawn 2.5× too large: δ grows ~2.5×
    per layer towards the input, and the gradients are so large that training diverges.
    "dead_relu": 2-16-16-1 ReLU (He) whose hidden biases start at −1: on the moons data
    about a third of layer 1 and two thirds of layer 2 never fire.
    """
    rng = np.random.default_rng(seed)
    if name == "vanishing":
        layers = [{"units": 8, "activation": "sigmoid"} for _ in range(5)]
        return {"input_size": 2, "loss": "squared", "seed": seed, "init": "xavier",
                "name": "vanishing gradients (deep sigmoid)",
                "layers": layers + [{"units": 1, "activation": "sigmoid"}]}
    if name == "exploding":
        sizes = [2, 16, 16, 16, 16, 16, 1]
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            W = rng.normal(0.0, 2.5 / np.sqrt(n_in), size=(n_out, n_in))
            layers.append({"units": n_out, "activation": "identity", "W": W.tolist(),
                           "b": [0.0] * n_out})
        return {"input_size": 2, "loss": "squared", "seed": seed,
                "name": "exploding gradients (too-large initialisation)", "layers": layers}
    if name == "dead_relu":
        layers = []
        for n_in, n_out in ((2, 16), (16, 16)):
            W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
            layers.append({"units": n_out, "activation": "relu", "W": W.tolist(),
                           "b": [-1.0] * n_out})
        return {"input_size": 2, "loss": "squared", "seed": seed, "name": "dead ReLUs",
                "layers": layers + [{"units": 1, "activation": "sigmoid"}]}
    raise ValueError(f"unknown example {name!r}; choose one of {', '.join(EXAMPLES)}")
