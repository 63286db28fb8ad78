"""A fully connected network in the seed's matrix form.

Column vectors throughout: a batch of B samples is a matrix with B columns.
For layer ℓ = 1..L::

    z_ℓ = W_ℓ a_{ℓ-1} + b_ℓ          a_ℓ = σ_ℓ(z_ℓ)
    δ_L = ∂c/∂a_L ⊙ σ'_L(z_L)        δ_ℓ = (W_{ℓ+1}ᵀ δ_{ℓ+1}) ⊙ σ'_ℓ(z_ℓ)
    ∂C/∂W_ℓ = (1/B) δ_ℓ a_{ℓ-1}ᵀ     ∂C/∂b_ℓ = (1/B) δ_ℓ 1

Every per-layer list is indexed with the seed's numbering: index 0 holds the
input for ``a`` and ``None`` elsewhere, index ℓ is layer ℓ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import spec as spec_mod
from .activations import Activation, get_activation
from .losses import OutputDelta, loss_value, output_delta

Array = np.ndarray


@dataclass
class Layer:
    """Parameters of one dense layer: W (n_ℓ × n_{ℓ-1}), b (n_ℓ × 1), σ."""

    W: Array
    b: Array
    activation: Activation

    @property
    def units(self) -> int:
        return int(self.W.shape[0])


@dataclass
class Trace:
    """What the forward pass computed: ``z[ℓ]`` and ``a[ℓ]`` (``a[0]`` is X)."""

    z: list[Array | None]
    a: list[Array]


@dataclass
class Grads:
    """What the backward pass computed, per layer, plus the batch loss.

    ``delta[ℓ]`` has one column per sample (the seed's δ_ℓ); ``dc_da[ℓ]`` is
    ∂c/∂a_ℓ per sample, i.e. W_{ℓ+1}ᵀ δ_{ℓ+1} for ℓ < L; ``dW`` and ``db`` are
    the exact gradients of the batch cost C.
    """

    delta: list[Array | None]
    dW: list[Array | None]
    db: list[Array | None]
    sigma_prime: list[Array | None]
    dc_da: list[Array | None]
    loss: float


# --- one layer, forward and backward side by side --------------------------


def layer_z(layer: Layer, a_prev: Array) -> Array:
    """z_ℓ = W_ℓ a_{ℓ-1} + b_ℓ (b broadcast over the columns)."""
    z = layer.W @ a_prev
    z += layer.b  # in place on the fresh product: one allocation instead of two
    return z


def layer_a(layer: Layer, z: Array) -> Array:
    """a_ℓ = σ_ℓ(z_ℓ)."""
    return layer.activation.f(z)


def hidden_delta(layer: Layer, next_layer: Layer, z: Array, a: Array, delta_next: Array
                 ) -> OutputDelta:
    """δ_ℓ = (W_{ℓ+1}ᵀ δ_{ℓ+1}) ⊙ σ'_ℓ(z_ℓ); also returns the two factors."""
    prime = layer.activation.prime
    if prime is None:
        raise ValueError("softmax is only allowed on the output layer")
    dc_da = next_layer.W.T @ delta_next
    sp = prime(z, a)
    return OutputDelta(dc_da, sp, dc_da * sp)


def layer_grads(delta: Array, a_prev: Array) -> tuple[Array, Array]:
    """∂C/∂W_ℓ = (1/B) δ_ℓ a_{ℓ-1}ᵀ and ∂C/∂b_ℓ = (1/B) δ_ℓ 1."""
    inv_B = 1.0 / delta.shape[1]
    dW = delta @ a_prev.T
    dW *= inv_B
    db = delta.sum(axis=1, keepdims=True)
    db *= inv_B
    return dW, db


# --- the network ------------------------------------------------------------


@dataclass
class Network:
    """An L-layer network with its loss; see the module docstring."""

    input_size: int
    layers: list[Layer]
    loss: str = "squared"
    seed: int = 0
    init: str = "xavier"
    extra: dict[str, Any] = field(default_factory=dict)

    # -- construction ---------------------------------------------------
    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Network:
        """Build from the JSON-able spec; raise ``ValueError`` naming the problem."""
        clean = spec_mod.validate_spec(spec)
        rng = np.random.default_rng(clean["seed"])
        layers = []
        fan_in = clean["input_size"]
        for ls in clean["layers"]:
            units = ls["units"]
            W = ls.get("W")
            b = ls.get("b")
            if W is None:
                W = spec_mod.init_weights(clean["init"], units, fan_in, rng)
            if b is None:
                b = np.zeros((units, 1))
            layers.append(Layer(np.asarray(W, dtype=np.float64).reshape(units, fan_in),
                                np.asarray(b, dtype=np.float64).reshape(units, 1),
                                get_activation(ls["activation"])))
            fan_in = units
        extra = {k: v for k, v in clean.items() if k in spec_mod.OPTIONAL_TOP}
        return cls(clean["input_size"], layers, clean["loss"], clean["seed"], clean["init"], extra)

    def to_spec(self, weights: bool = True) -> dict[str, Any]:
        """The spec with the current weights as full-precision floats (``weights=False``:
        the architecture alone, cheap for a big network)."""
        out: dict[str, Any] = {
            "input_size": self.input_size,
            "loss": self.loss,
            "seed": self.seed,
            "init": self.init,
            "layers": [
                {"units": layer.units, "activation": layer.activation.name,
                 **({"W": layer.W.tolist(), "b": layer.b[:, 0].tolist()} if weights else {})}
                for layer in self.layers
            ],
        }
        out.update(self.extra)
        return out

    def snapshot(self) -> Network:
        """A network sharing this one's current arrays: later updates replace the arrays
        here (the engine never writes in place), so the snapshot keeps these numbers.
        Cheap, for work on another thread (the decision grid)."""
        return Network(self.input_size, [Layer(ly.W, ly.b, ly.activation) for ly in self.layers],
                       self.loss, self.seed, self.init, dict(self.extra))

    def copy(self) -> Network:
        """A deep copy (weights copied, activations shared)."""
        return Network(self.input_size,
                       [Layer(ly.W.copy(), ly.b.copy(), ly.activation) for ly in self.layers],
                       self.loss, self.seed, self.init, dict(self.extra))

    # -- shapes -----------------------------------------------------------
    @property
    def L(self) -> int:
        """Number of layers with weights (the seed's L)."""
        return len(self.layers)

    @property
    def sizes(self) -> list[int]:
        """[n_0, n_1, ..., n_L]."""
        return [self.input_size] + [ly.units for ly in self.layers]

    @property
    def output_activation(self) -> Activation:
        return self.layers[-1].activation

    def n_params(self) -> int:
        return sum(ly.W.size + ly.b.size for ly in self.layers)

    def params(self) -> list[tuple[Array, Array]]:
        """The current (W_ℓ, b_ℓ) pairs, ℓ = 1..L (references, not copies)."""
        return [(ly.W, ly.b) for ly in self.layers]

    def set_params(self, params: list[tuple[Array, Array]]) -> None:
        """Replace all weights (shapes must match); the arrays are copied."""
        if len(params) != self.L:
            raise ValueError(f"expected {self.L} (W, b) pairs, got {len(params)}")
        for i, (layer, (W, b)) in enumerate(zip(self.layers, params, strict=True), start=1):
            W = np.asarray(W, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64).reshape(-1, 1)
            if W.shape != layer.W.shape or b.shape != layer.b.shape:
                raise ValueError(f"layer {i}: W {W.shape} / b {b.shape} do not fit "
                                 f"{layer.W.shape} / {layer.b.shape}")
            layer.W, layer.b = W.copy(), b.copy()

    def set_params_ref(self, params: list[tuple[Array, Array]]) -> None:
        """Point the layers at the given arrays (no copy; the engine never writes in place)."""
        for layer, (W, b) in zip(self.layers, params, strict=True):
            layer.W, layer.b = W, b

    # -- checks on data ---------------------------------------------------
    def check_X(self, X: Array, name: str = "X") -> Array:
        """Return X as float64 (n_0, B); raise ``ValueError`` on a wrong shape or NaN."""
        return spec_mod.check_matrix(X, self.input_size, name, "inputs (n_0)")

    def check_Y(self, Y: Array, B: int | None = None, name: str = "Y") -> Array:
        """Return Y as float64 (n_L, B); raise ``ValueError`` on a wrong shape or NaN."""
        Y = spec_mod.check_matrix(Y, self.layers[-1].units, name, "outputs (n_L)")
        if B is not None and Y.shape[1] != B:
            raise ValueError(f"{name} has {Y.shape[1]} columns (samples) but X has {B}")
        return Y

    # -- the seed's algorithm ----------------------------------------------
    def forward(self, X: Array, check: bool = True) -> Trace:
        """Forward pass: z_ℓ = W_ℓ a_{ℓ-1} + b_ℓ, a_ℓ = σ_ℓ(z_ℓ) for ℓ = 1..L."""
        a = self.check_X(X) if check else X
        zs: list[Array | None] = [None]
        acts: list[Array] = [a]
        for layer in self.layers:
            z = layer_z(layer, a)
            a = layer_a(layer, z)
            zs.append(z)
            acts.append(a)
        return Trace(zs, acts)

    def loss_of(self, trace: Trace, Y: Array) -> float:
        """The batch cost C for a trace."""
        z = trace.z[-1]
        assert z is not None
        return loss_value(self.loss, self.output_activation, z, trace.a[-1], Y)

    def backward(self, trace: Trace, Y: Array, check: bool = True) -> Grads:
        """Backward pass: δ_L, then δ_ℓ for ℓ = L-1..1, with dW_ℓ and db_ℓ."""
        L = self.L
        if check:
            Y = self.check_Y(Y, trace.a[0].shape[1])
        none: list[Array | None] = [None] * (L + 1)
        delta, dW, db, sp, dc_da = list(none), list(none), list(none), list(none), list(none)
        zL = trace.z[L]
        assert zL is not None
        out = output_delta(self.loss, self.output_activation, zL, trace.a[L], Y)
        delta[L], sp[L], dc_da[L] = out.delta, out.sigma_prime, out.dc_da
        dW[L], db[L] = layer_grads(out.delta, trace.a[L - 1])
        for l in range(L - 1, 0, -1):
            z = trace.z[l]
            assert z is not None
            d_next = delta[l + 1]
            assert d_next is not None
            h = hidden_delta(self.layers[l - 1], self.layers[l], z, trace.a[l], d_next)
            delta[l], sp[l], dc_da[l] = h.delta, h.sigma_prime, h.dc_da
            dW[l], db[l] = layer_grads(h.delta, trace.a[l - 1])
        loss = loss_value(self.loss, self.output_activation, zL, trace.a[L], Y)
        return Grads(delta, dW, db, sp, dc_da, loss)

    def apply(self, grads: Grads, lr: float = 0.1) -> None:
        """The seed's update: W_ℓ ← W_ℓ - α dW_ℓ, b_ℓ ← b_ℓ - α db_ℓ.

        New arrays are made rather than written in place, so earlier traces
        and snapshots keep the weights they were computed with.
        """
        check_lr(lr)
        for l, layer in enumerate(self.layers, start=1):
            dW, db = grads.dW[l], grads.db[l]
            assert dW is not None and db is not None
            # (−α dW) + W is bit for bit W − α dW, with one new array instead of two.
            W = dW * -lr
            W += layer.W
            b = db * -lr
            b += layer.b
            layer.W, layer.b = W, b

    def predict(self, X: Array) -> Array:
        """a_L for the inputs X (n_0, B)."""
        return self.forward(X).a[-1]


MAX_LR = 1e3


def check_lr(lr: float, name: str = "learning rate") -> float:
    """Refuse a learning rate that is not a finite number in (0, 1000]."""
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {lr!r}") from None
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {lr}")
    if lr > MAX_LR:
        raise ValueError(f"{name} {lr} is absurdly large (more than {MAX_LR:g})")
    return lr
