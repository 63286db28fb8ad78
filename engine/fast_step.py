"""``Network.forward`` / ``backward`` / ``apply`` as straight loops over the layers.

The same numpy operations, in the same order, on the same operands as the
per-layer functions of ``engine/network.py`` (``layer_z``, ``layer_a``,
``output_delta``, ``hidden_delta``, ``layer_grads``) that the stepper walks one
at a time, so every record is bit for bit what those give; only the Python
around the arithmetic is gone (on a 2-8-8-1 network it cost a fifth of a step:
a call, a tuple and a look-up per quantity).  ``tests/test_fast_step.py`` holds
the two side by side for every activation and loss.

Two pieces of work are shared between the forward and the backward pass and
between records: σ' comes from the forward pass's a where the rule allows
(sigmoid, tanh), and the squared loss is the dot product of a_L - y with
itself, taken from ∂c/∂a_L before its factor 2 is applied (``loss_value``
computes exactly this, on a fresh a_L - y).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

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
    for layer, (kz, ka, _, _, _, _) in zip(net.layers, sh.keys):
        shape = (layer.W.shape[0], B)
        z = _matmul(layer.W, a, out=empty(kz, shape))
        z += layer.b
        a = layer.activation.f(z, empty(ka, shape))
        zs.append(z)
        acts.append(a)
    return trace_cls(zs, acts)


def backward(net: Network, trace: Trace, Y: Array, grads_cls: type[Grads]) -> Grads:
    """δ_L, then δ_ℓ = (W_{ℓ+1}ᵀ δ_{ℓ+1}) ⊙ σ'_ℓ for ℓ = L-1..1, each with dW_ℓ, db_ℓ.

    All dW_ℓ, db_ℓ are views of one flat array (``Grads.flat``); the factor 1/B goes
    on δ_ℓ (into a scratch array) when that holds fewer numbers than the weights, else
    on the flat array at the end: the placement ``Network.grad_scaling`` names.
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
    sp: list[Array | None] = [None] * (L + 1)
    dc_da: list[Array | None] = [None] * (L + 1)
    dW: list[Array | None] = [None]
    db: list[Array | None] = [None]
    dW += gv[0::2]
    db += gv[1::2]

    # Layer L: ∂c/∂a_L, σ'_L(z_L), δ_L (as output_delta) and the loss C.
    layer = layers[-1]
    act, z, a = layer.activation, zs[L], acts[L]
    assert z is not None
    o_dc = o_sp = o_d = None
    if empty is not None:
        kz, ka, k_dc, k_sp, k_d, k_s = sh.keys[-1]
        shape = a.shape
        o_dc, o_sp, o_d = empty(k_dc, shape), empty(k_sp, shape), empty(k_d, shape)
    loss_name = net.loss
    if loss_name == "cross_entropy":
        # softmax + categorical CE and sigmoid + binary CE both give δ_L = a_L - y.
        s = None if act.prime is None else act.prime(z, a, o_sp)
        d = _subtract(a, Y, out=o_d)
        loss = loss_value(loss_name, act, z, a, Y)
    else:
        if act.prime is None:
            raise AssertionError("softmax is only allowed with cross_entropy")
        dc = _subtract(a, Y, out=o_dc)
        # C = (1/B) Σ (a_L - y)², the very dot product loss_value takes of a_L - y.
        ss = float(_vdot(dc, dc))
        if loss_name == "squared":
            loss = ss / B
            dc *= 2.0
        elif loss_name == "half_squared":
            loss = 0.5 * ss / B
        else:
            loss = loss_value(loss_name, act, z, a, Y)  # an unknown loss: its message
        s = act.prime(z, a, o_sp)
        d = _multiply(dc, s, out=o_d)
        dc_da[L] = dc
    delta[L], sp[L] = d, s

    # Backwards through the layers: dW_ℓ, db_ℓ from δ_ℓ, then δ_{ℓ-1} (as hidden_delta).
    for l in range(L, 0, -1):
        keys = sh.keys[l - 1]
        if before:  # (1/B) δ_ℓ first: fewer numbers than dW_ℓ
            ds = _multiply(d, inv_B, out=None if empty is None else empty(keys[5], d.shape))
        else:
            ds = d
        _matmul(ds, acts[l - 1].T, out=gv[2 * l - 2])
        _add_reduce(ds, 1, None, gv[2 * l - 1], True)  # type: ignore[call-overload]  # δ 1
        if l == 1:
            break
        below = layers[l - 2]
        prime = below.activation.prime
        if prime is None:
            raise ValueError("softmax is only allowed on the output layer")
        z, a = zs[l - 1], acts[l - 1]
        shape = a.shape
        if empty is None:
            dc = _matmul(layers[l - 1].W.T, d)
            s = prime(z, a, None)  # σ' from a where the rule allows (sigmoid, tanh)
            d = _multiply(dc, s)
        else:
            kb = sh.keys[l - 2]
            dc = _matmul(layers[l - 1].W.T, d, out=empty(kb[2], shape))
            s = prime(z, a, empty(kb[3], shape))
            d = _multiply(dc, s, out=empty(kb[4], shape))
        delta[l - 1], sp[l - 1], dc_da[l - 1] = d, s, dc
    if not before:
        g *= inv_B  # ∂C/∂θ = (1/B) Σ over the batch, every layer's in one call
    return grads_cls(delta, dW, db, sp, dc_da, loss, g)


def apply_flat(net: Network, g: Array, neg_lr: float) -> None:
    """θ ← θ - α g for all W_ℓ, b_ℓ at once; the layers then hold views of the new θ.

    The new θ is another array than the old one, so earlier traces and snapshots
    keep the weights they were computed with.
    """
    layers = net.layers
    sh = net._shape_info()
    theta, views = net._ws.flat("theta", g.size, sh.layout)
    # (−α g) + θ is bit for bit θ − α g, with no array besides the result.
    _multiply(g, neg_lr, out=theta)
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
