"""``Network.forward`` / ``backward`` / ``apply`` as straight loops over the layers.

The same numpy operations, in the same order, on the same operands as the
per-layer functions of ``engine/network.py`` (``layer_z``, ``layer_a``,
``output_delta``, ``hidden_delta``, ``layer_grads``) that the stepper walks one
at a time, so every record is bit for bit what those give; only the Python
around the arithmetic is gone (on a 2-8-8-1 network it cost a fifth of a step:
a call, a tuple and a look-up per quantity).  The two factors of each δ_ℓ,
σ'_ℓ and ∂c/∂a_ℓ, are not kept by the pass: ``Grads`` forms them when first asked,
by the same operations on the same arrays.  ``tests/test_fast_step.py`` holds
the loops and the walked steps side by side for every activation and loss.

Two pieces of work are shared between the forward and the backward pass and
between records: σ' comes from the forward pass's a where the rule allows
(sigmoid, tanh), and the squared loss is the dot product of a_L - y with
itself, taken from ∂c/∂a_L before its factor 2 is applied (``loss_value``
computes exactly this, on a fresh a_L - y).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .activations import Activation
from .losses import loss_value

if TYPE_CHECKING:
    from .network import Grads, Network, Trace

Array = np.ndarray
_matmul = np.matmul
_multiply = np.multiply
_subtract = np.subtract
_add_reduce = np.add.reduce
_vdot = np.vdot
# Below this many numbers (n_ℓ × B of the widest layer) a fresh array is cheaper than a
# look-up in the workspace (malloc hands back the block just freed).
WORKSPACE_MIN = 4096


def forward(net: Network, a: Array, trace_cls: type[Trace]) -> Trace:
    """z_ℓ = W_ℓ a_{ℓ-1} + b_ℓ, a_ℓ = σ_ℓ(z_ℓ) for ℓ = 1..L; ``a`` = X, already checked."""
    B = a.shape[1]
    zs: list[Array | None] = [None]
    acts = [a]
    sh = net._shape_info()
    if B * sh.widest < WORKSPACE_MIN:
        for layer in net.layers:
            z = _matmul(layer.W, a)
            z += layer.b  # in place on the product, as layer_z
            a = layer.activation.f(z, None)
            zs.append(z)
            acts.append(a)
        return trace_cls(zs, acts)
    empty = net._ws.empty
    for layer, (kz, ka, _) in zip(net.layers, sh.keys):
        shape = (layer.W.shape[0], B)
        z = _matmul(layer.W, a, empty(kz, shape))
        z += layer.b
        a = layer.activation.f(z, empty(ka, shape))
        zs.append(z)
        acts.append(a)
    return trace_cls(zs, acts)


class Lazy(NamedTuple):
    """What ``Grads`` needs to compute σ'_ℓ and ∂c/∂a_ℓ when first asked for them."""

    activations: list[Activation]  # σ_ℓ at index ℓ - 1
    Ws: list[Array]  # the W_ℓ the pass used, at index ℓ - 1
    z: list[Array | None]
    a: list[Array]
    Y: Array
    loss: str


def backward(net: Network, trace: Trace, Y: Array, grads_cls: type[Grads]) -> Grads:
    """δ_L, then δ_ℓ = (W_{ℓ+1}ᵀ δ_{ℓ+1}) ⊙ σ'_ℓ for ℓ = L-1..1, each with dW_ℓ, db_ℓ.

    Each δ_ℓ is formed in its own array (the product W_{ℓ+1}ᵀ δ_{ℓ+1}, then ⊙ σ'_ℓ
    in place, σ'_ℓ in a scratch array): the factors are left to ``Grads`` to compute
    again when asked (see ``Lazy``).  All dW_ℓ, db_ℓ are views of one flat array
    (``Grads.flat``); the factor 1/B goes on δ_ℓ (into a scratch array) when that
    holds fewer numbers than the weights, else on the flat array at the end: the
    placement ``Network.grad_scaling`` names.
    """
    layers, zs, acts = net.layers, trace.z, trace.a
    L = len(layers)
    B = acts[0].shape[1]
    sh = net._shape_info()
    ws = net._ws
    empty = ws.empty if B * sh.widest >= WORKSPACE_MIN else None
    g, gv = ws.flat("g", sh.n_params, sh.layout)
    before = B * sh.units < sh.n_params
    inv_B = 1.0 / B
    delta: list[Array | None] = [None] * (L + 1)
    dW: list[Array | None] = [None]
    db: list[Array | None] = [None]
    dW += gv[0::2]
    db += gv[1::2]

    # Layer L: δ_L = ∂c/∂a_L ⊙ σ'_L(z_L) (as output_delta) and the loss C.
    act, z, a = layers[-1].activation, zs[L], acts[L]
    assert z is not None
    o_d = o_sp = None
    if empty is not None:
        o_d, o_sp = empty(sh.keys[-1][2], a.shape), empty(("sp", a.shape), a.shape)
    loss_name = net.loss
    d = _subtract(a, Y, o_d)
    if loss_name == "cross_entropy":
        # softmax + categorical CE and sigmoid + binary CE both give δ_L = a_L - y.
        loss = loss_value(loss_name, act, z, a, Y)
    else:
        if act.prime is None:
            raise AssertionError("softmax is only allowed with cross_entropy")
        # C = (1/B) Σ (a_L - y)²: the very dot product loss_value takes of a_L - y.
        ss = float(_vdot(d, d))
        if loss_name == "squared":
            loss = ss / B
            d *= 2.0  # ∂c/∂a_L = 2(a_L - y)
        elif loss_name == "half_squared":
            loss = 0.5 * ss / B
        else:
            loss = loss_value(loss_name, act, z, a, Y)  # an unknown loss: its message
        d *= act.prime(z, a, o_sp)
    delta[L] = d

    # Backwards through the layers: dW_ℓ, db_ℓ from δ_ℓ, then δ_{ℓ-1} (as hidden_delta).
    for l in range(L, 0, -1):
        if not before:
            ds = d
        elif empty is None:
            ds = _multiply(d, inv_B)  # (1/B) δ_ℓ first: fewer numbers than dW_ℓ
        else:
            ds = _multiply(d, inv_B, empty(("delta/B", d.shape), d.shape))
        _matmul(ds, acts[l - 1].T, gv[2 * l - 2])
        _add_reduce(ds, 1, None, gv[2 * l - 1], True)  # type: ignore[call-overload]  # δ 1
        if l == 1:
            break
        prime = layers[l - 2].activation.prime
        if prime is None:
            raise ValueError("softmax is only allowed on the output layer")
        z, a = zs[l - 1], acts[l - 1]
        if empty is None:
            d = _matmul(layers[l - 1].W.T, d)
            d *= prime(z, a, None)  # σ' from a where the rule allows (sigmoid, tanh)
        else:
            shape = a.shape
            d = _matmul(layers[l - 1].W.T, d, empty(sh.keys[l - 2][2], shape))
            d *= prime(z, a, empty(("sp", shape), shape))
        delta[l - 1] = d
    if not before:
        g *= inv_B  # ∂C/∂θ = (1/B) Σ over the batch, every layer's in one call
    lazy = Lazy([ly.activation for ly in layers], [ly.W for ly in layers], zs, acts, Y,
                loss_name)
    return grads_cls(delta, dW, db, None, None, loss, g, lazy)


def sigma_primes(lazy: Lazy) -> list[Array | None]:
    """σ'_ℓ(z_ℓ) for ℓ = 1..L (None for softmax), as the backward pass formed them."""
    out: list[Array | None] = [None]
    for act, z, a in zip(lazy.activations, lazy.z[1:], lazy.a[1:]):
        out.append(None if act.prime is None else act.prime(z, a, None))
    return out


def dc_das(lazy: Lazy, delta: list[Array | None]) -> list[Array | None]:
    """∂c/∂a_ℓ: W_{ℓ+1}ᵀ δ_{ℓ+1} for ℓ < L, the loss's for ℓ = L (None for cross-entropy)."""
    L = len(lazy.Ws)
    out: list[Array | None] = [None]
    for l in range(1, L):
        d_next = delta[l + 1]
        assert d_next is not None
        out.append(_matmul(lazy.Ws[l].T, d_next))
    if lazy.loss == "cross_entropy":
        out.append(None)
    else:
        dc = _subtract(lazy.a[L], lazy.Y)
        if lazy.loss == "squared":
            dc *= 2.0
        out.append(dc)
    return out


def apply_flat(net: Network, g: Array, neg_lr: float) -> None:
    """θ ← θ - α g for all W_ℓ, b_ℓ at once; the layers then hold views of the new θ.

    The new θ is another array than the old one, so earlier traces and snapshots
    keep the weights they were computed with.
    """
    layers = net.layers
    sh = net._shape_info()
    theta, views = net._ws.flat("theta", g.size, sh.layout)
    # (−α g) + θ is bit for bit θ − α g, with no array besides the result.
    _multiply(g, neg_lr, theta)
    old = net._theta
    if old is not None and net._holds_views_of(old):
        theta += old
    else:  # the layers hold arrays of their own (built, loaded, or set by an optimizer)
        for i, ly in enumerate(layers):
            views[2 * i] += ly.W
            views[2 * i + 1] += ly.b
    for i, ly in enumerate(layers):
        ly.W, ly.b = views[2 * i], views[2 * i + 1]
    net._theta = theta
