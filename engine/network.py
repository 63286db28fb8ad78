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
from typing import Any, NamedTuple

import numpy as np

from . import fast_step
from . import spec as spec_mod
from .activations import Activation, get_activation
from .checked import CheckedCache
from .losses import OutputDelta, loss_value, output_delta
from .workspace import Workspace

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


class Grads:
    """What the backward pass computed, per layer, plus the batch loss.

    ``delta[ℓ]`` has one column per sample (the seed's δ_ℓ); ``dc_da[ℓ]`` is
    ∂c/∂a_ℓ per sample, i.e. W_{ℓ+1}ᵀ δ_{ℓ+1} for ℓ < L; ``sigma_prime[ℓ]`` is
    σ'_ℓ(z_ℓ); ``dW`` and ``db`` are the exact gradients of the batch cost C;
    ``flat`` the one array all dW_ℓ, db_ℓ are views of (W_1, b_1, W_2, …), if any.

    ``Network.backward`` passes ``lazy`` instead of the lists ``sigma_prime`` and
    ``dc_da``: the pass multiplies the two factors into δ_ℓ without keeping them, and
    they are computed on first access, by the same operations on the same arrays
    (the trace's z_ℓ, a_ℓ, the weights the pass used, δ_{ℓ+1}), so bit for bit what
    the pass would have kept.  Until then they cost neither time nor memory.
    """

    __slots__ = ("_dc_da", "_lazy", "_sigma_prime", "dW", "db", "delta", "flat", "loss")

    def __init__(self, delta: list[Array | None], dW: list[Array | None],
                 db: list[Array | None], sigma_prime: list[Array | None] | None,
                 dc_da: list[Array | None] | None, loss: float, flat: Array | None = None,
                 lazy: fast_step.Lazy | None = None) -> None:
        self.delta, self.dW, self.db, self.loss, self.flat = delta, dW, db, loss, flat
        self._sigma_prime, self._dc_da, self._lazy = sigma_prime, dc_da, lazy

    @property
    def sigma_prime(self) -> list[Array | None]:
        if self._sigma_prime is None:
            assert self._lazy is not None
            self._sigma_prime = fast_step.sigma_primes(self._lazy)
        return self._sigma_prime

    @sigma_prime.setter
    def sigma_prime(self, value: list[Array | None]) -> None:
        self._sigma_prime = value

    @property
    def dc_da(self) -> list[Array | None]:
        if self._dc_da is None:
            assert self._lazy is not None
            self._dc_da = fast_step.dc_das(self._lazy, self.delta)
        return self._dc_da

    @dc_da.setter
    def dc_da(self, value: list[Array | None]) -> None:
        self._dc_da = value

    def __repr__(self) -> str:
        return f"Grads(L={len(self.delta) - 1}, loss={self.loss!r})"


# --- one layer, forward and backward side by side --------------------------
# Each takes optional ``out`` arrays to write into (from the network's workspace);
# without them it allocates, and either way the numbers are bit for bit the same.


def layer_z(layer: Layer, a_prev: Array, out: Array | None = None) -> Array:
    """z_ℓ = W_ℓ a_{ℓ-1} + b_ℓ (b broadcast over the columns)."""
    z = np.matmul(layer.W, a_prev, out=out)
    z += layer.b  # in place on the product: one array instead of two
    return z


def layer_a(layer: Layer, z: Array, out: Array | None = None) -> Array:
    """a_ℓ = σ_ℓ(z_ℓ)."""
    return layer.activation.f(z, out)


def hidden_delta(layer: Layer, next_layer: Layer, z: Array, a: Array, delta_next: Array,
                 out: tuple[Array, Array, Array] | None = None) -> OutputDelta:
    """δ_ℓ = (W_{ℓ+1}ᵀ δ_{ℓ+1}) ⊙ σ'_ℓ(z_ℓ); also returns the two factors.

    ``out`` = arrays for (∂c/∂a_ℓ, σ'_ℓ, δ_ℓ).
    """
    prime = layer.activation.prime
    if prime is None:
        raise ValueError("softmax is only allowed on the output layer")
    o_dc, o_sp, o_d = (None, None, None) if out is None else out
    dc_da = np.matmul(next_layer.W.T, delta_next, out=o_dc)
    sp = prime(z, a, o_sp)  # σ' from a where the rule allows (sigmoid, tanh)
    return OutputDelta(dc_da, sp, np.multiply(dc_da, sp, out=o_d))


def layer_grads(delta: Array, a_prev: Array, out: tuple[Array, Array] | None = None,
                scale: str = "after", tmp: Array | None = None) -> tuple[Array, Array]:
    """∂C/∂W_ℓ = (1/B) δ_ℓ a_{ℓ-1}ᵀ and ∂C/∂b_ℓ = (1/B) δ_ℓ 1.

    ``out`` = arrays for (∂C/∂W_ℓ, ∂C/∂b_ℓ).  ``scale`` says where the factor
    1/B goes: "after" multiplies the two sums; "before" multiplies δ_ℓ (into
    ``tmp``) and sums that, one pass over n_ℓ×B numbers instead of
    n_ℓ×n_{ℓ-1}; "none" leaves it to the caller (``backward`` then scales all
    layers' sums in one call: per entry the same product as "after").
    ``Network.grad_scaling`` picks one; forward/backward and the stepper agree.
    """
    o_dW, o_db = (None, None) if out is None else out
    inv_B = 1.0 / delta.shape[1]
    if scale == "before":
        delta = np.multiply(delta, inv_B, out=tmp)
    dW = np.matmul(delta, a_prev.T, out=o_dW)
    db = _add_reduce(delta, 1, None, o_db, True)  # type: ignore[call-overload]  # δ 1, a column
    if scale == "after":
        dW *= inv_B
        db *= inv_B
    return dW, db


_add_reduce = np.add.reduce
# The originals: forward/backward take fast_step's loops while these are in place.
_layer_z, _layer_a, _hidden_delta, _layer_grads = layer_z, layer_a, hidden_delta, layer_grads
_output_delta = output_delta


class _Shapes(NamedTuple):
    n_params: int
    units: int  # n_1 + … + n_L
    widest: int  # max n_ℓ
    layout: list[tuple[int, int, tuple[int, int]]]  # (start, end, shape) of W_1, b_1, …
    # Workspace keys of layer ℓ's z, a and δ, made once (fast_step's loops).
    keys: list[tuple[tuple[str, int], ...]]


def _views_of(flat: Array, Ws: list[Array | None], bs: list[Array | None]) -> bool:
    """Whether every W_ℓ and b_ℓ (lists indexed from 1) is a view of ``flat``."""
    for l in range(1, len(Ws)):
        W, b = Ws[l], bs[l]
        if W is None or b is None or W.base is not flat or b.base is not flat:
            return False
    return True


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
    # Arrays a step may write again once nobody holds them, and data already checked.
    _ws: Workspace = field(default_factory=Workspace, init=False, repr=False, compare=False)
    _checked: CheckedCache = field(default_factory=CheckedCache, init=False, repr=False,
                                   compare=False)
    # The flat array the layers' W_ℓ, b_ℓ are views of after an update (see ``apply``),
    # and where each lies in it.
    _theta: Array | None = field(default=None, init=False, repr=False, compare=False)
    _shapes: _Shapes | None = field(default=None, init=False, repr=False, compare=False)

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

    def flat_params(self) -> Array | None:
        """The one flat array all W_ℓ and b_ℓ are views of (after an update), else None."""
        theta = self._theta
        return theta if theta is not None and self._holds_views_of(theta) else None

    def _holds_views_of(self, theta: Array) -> bool:
        """Whether every layer's W and b is a view of ``theta``."""
        for ly in self.layers:
            if ly.W.base is not theta or ly.b.base is not theta:
                return False
        return True

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
        """Return X as float64 (n_0, B); raise ``ValueError`` on a wrong shape or NaN.

        A read-only array that passed before is not scanned again (O(1)).
        """
        if self._checked.seen(X, self.input_size):
            return X
        X = spec_mod.check_matrix(X, self.input_size, name, "inputs (n_0)")
        self._checked.add(X, self.input_size)
        return X

    def check_Y(self, Y: Array, B: int | None = None, name: str = "Y") -> Array:
        """Return Y as float64 (n_L, B); raise ``ValueError`` on a wrong shape or NaN."""
        n_L = self.layers[-1].units
        if not self._checked.seen(Y, -n_L):  # negative: Y's entries, apart from X's
            Y = spec_mod.check_matrix(Y, n_L, name, "outputs (n_L)")
            self._checked.add(Y, -n_L)
        if B is not None and Y.shape[1] != B:
            raise ValueError(f"{name} has {Y.shape[1]} columns (samples) but X has {B}")
        return Y

    # -- the seed's algorithm ----------------------------------------------
    def forward(self, X: Array, check: bool = True) -> Trace:
        """Forward pass: z_ℓ = W_ℓ a_{ℓ-1} + b_ℓ, a_ℓ = σ_ℓ(z_ℓ) for ℓ = 1..L.

        Runs as one loop (``fast_step.forward``); the per-layer functions above give
        the same bits, one call each, and are what the stepper walks.
        """
        a = self.check_X(X) if check else X
        if layer_z is _layer_z and layer_a is _layer_a:  # (tests may replace them)
            return fast_step.forward(self, a, Trace)
        B = a.shape[1]
        # Below ~32 KiB an array is cheaper to allocate than to look up (malloc reuses it).
        ws = self._ws if B * self._shape_info().widest >= fast_step.WORKSPACE_MIN else None
        zs: list[Array | None] = [None]
        acts: list[Array] = [a]
        for l, layer in enumerate(self.layers, start=1):
            if ws is None:
                z = layer_z(layer, a)
                a = layer_a(layer, z)
            else:
                shape = (layer.W.shape[0], B)
                z = layer_z(layer, a, ws.empty(("z", l), shape))
                a = layer_a(layer, z, ws.empty(("a", l), shape))
            zs.append(z)
            acts.append(a)
        return Trace(zs, acts)

    def grad_scaling(self, B: int) -> str:
        """Where the gradients' factor 1/B is applied for a batch of B (see ``layer_grads``).

        "before" (on the δ_ℓ) when they hold fewer numbers than the weights, else "after".
        """
        sh = self._shape_info()
        return "before" if B * sh.units < sh.n_params else "after"

    def _shape_info(self) -> _Shapes:
        """Sizes a step needs, worked out once (a network's shapes never change)."""
        sh = self._shapes
        if sh is None or len(sh.layout) != 2 * len(self.layers):
            lay, o = [], 0
            for ly in self.layers:
                for shape in (ly.W.shape, ly.b.shape):
                    n = shape[0] * shape[1]
                    lay.append((o, o + n, shape))
                    o += n
            units = [ly.W.shape[0] for ly in self.layers]
            keys = [tuple((q, l) for q in ("z", "a", "delta"))
                    for l in range(1, len(units) + 1)]
            sh = self._shapes = _Shapes(o, sum(units), max(units), lay, keys)
        return sh

    def loss_of(self, trace: Trace, Y: Array) -> float:
        """The batch cost C for a trace."""
        z = trace.z[-1]
        assert z is not None
        return loss_value(self.loss, self.output_activation, z, trace.a[-1], Y)

    def backward(self, trace: Trace, Y: Array, check: bool = True) -> Grads:
        """Backward pass: δ_L, then δ_ℓ for ℓ = L-1..1, with dW_ℓ and db_ℓ.

        Runs as one loop (``fast_step.backward``); σ'_ℓ and ∂c/∂a_ℓ are formed when
        first asked for (see ``Grads``).
        """
        L, layers, acts = self.L, self.layers, trace.a
        B = acts[0].shape[1]
        if check:
            Y = self.check_Y(Y, B)
        if (layer_grads is _layer_grads and hidden_delta is _hidden_delta
                and output_delta is _output_delta):  # (tests may replace them)
            return fast_step.backward(self, trace, Y, Grads)
        # The per-layer functions, one call each (what the stepper walks).
        ws = self._ws if B * self._shape_info().widest >= fast_step.WORKSPACE_MIN else None
        none: list[Array | None] = [None] * (L + 1)
        delta, dW, db, sp, dc_da = list(none), list(none), list(none), list(none), list(none)
        # All dW_ℓ, db_ℓ go into one flat array, so that ``apply`` updates in two calls.
        sh = self._shape_info()
        g, gv = self._ws.flat("g", sh.n_params, sh.layout)
        scale = "before" if B * sh.units < sh.n_params else "none"
        d_next: Array | None = None
        for l in range(L, 0, -1):
            layer = layers[l - 1]
            z = trace.z[l]
            assert z is not None
            bufs = None
            if ws is not None:
                shape = (layer.W.shape[0], B)
                bufs = (ws.empty(("dc_da", l), shape), ws.empty(("sp", l), shape),
                        ws.empty(("delta", l), shape))
            if d_next is None:
                h = output_delta(self.loss, layer.activation, z, acts[l], Y, bufs)
            else:
                h = hidden_delta(layer, layers[l], z, acts[l], d_next, bufs)
            delta[l], sp[l], dc_da[l] = h.delta, h.sigma_prime, h.dc_da
            d_next = h.delta
            tmp = None if ws is None or scale == "none" else ws.empty(("delta/B", l), shape)
            dW[l], db[l] = layer_grads(d_next, acts[l - 1], (gv[2 * l - 2], gv[2 * l - 1]),
                                       scale, tmp)
        if scale == "none":
            inv_B = 1.0 / B
            g *= inv_B  # ∂C/∂θ = (1/B) Σ over the batch, every layer's in one call
            if not _views_of(g, dW, db):  # layer_grads was replaced (tests do): scale its own
                for l in range(1, L + 1):
                    for q in (dW, db):
                        if q[l].base is not g:  # type: ignore[union-attr]
                            q[l] = q[l] * inv_B
        zL = trace.z[L]
        assert zL is not None
        loss = loss_value(self.loss, self.output_activation, zL, acts[L], Y)
        return Grads(delta, dW, db, sp, dc_da, loss, g)

    def apply(self, grads: Grads, lr: float = 0.1) -> None:
        """The seed's update: W_ℓ ← W_ℓ - α dW_ℓ, b_ℓ ← b_ℓ - α db_ℓ.

        The new weights go into other arrays than the old ones, so earlier
        traces and snapshots keep the weights they were computed with.  When
        the gradients lie in one flat array (``grads.flat``, as ``backward``
        makes them) all W_ℓ and b_ℓ are updated as one flat θ ← θ - α ∂C/∂θ
        (two numpy calls, whatever L), and the layers then hold views of it.
        """
        neg_lr = -check_lr(lr)
        g = grads.flat
        if g is None or not _views_of(g, grads.dW, grads.db):
            self._apply_each(grads, neg_lr)
        else:
            fast_step.apply_flat(self, g, neg_lr)

    def _apply_each(self, grads: Grads, neg_lr: float) -> None:
        """``apply`` layer by layer, for gradients that are arrays of their own."""
        for l, layer in enumerate(self.layers, start=1):
            dW, db = grads.dW[l], grads.db[l]
            assert dW is not None and db is not None
            W = dW * neg_lr  # (−α dW) + W is bit for bit W − α dW
            W += layer.W
            b = db * neg_lr
            b += layer.b
            layer.W, layer.b = W, b

    def predict(self, X: Array) -> Array:
        """a_L for the inputs X (n_0, B)."""
        return self.forward(X).a[-1]


MAX_LR = 1e3


def check_lr(lr: float | str, name: str = "learning rate") -> float:
    """Refuse a learning rate that is not a finite number in (0, 1000] (a number or its text)."""
    if type(lr) is float and 0.0 < lr <= MAX_LR:  # the common case, once per step
        return lr
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {lr!r}") from None
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {lr}")
    if lr > MAX_LR:
        raise ValueError(f"{name} {lr} is absurdly large (more than {MAX_LR:g})")
    return lr
