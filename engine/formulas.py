"""The seed's formulas as text: titles, equations with shapes, cell arithmetic.

Kept apart from the stepper so the maths there stays short; everything here
only formats numbers the stepper has already computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .stepper import StepInfo, Stepper

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sub(n: int | str) -> str:
    """Unicode subscript digits: sub(12) == '₁₂'."""
    return str(n).translate(_SUB)


def shape(arr: np.ndarray | tuple[int, ...]) -> str:
    s = arr if isinstance(arr, tuple) else arr.shape
    return f"({s[0]}×{s[1]})" if len(s) == 2 else f"({s[0]})"


def _g(x: float) -> str:
    return f"{x:.4g}"


def symbol(quantity: str, layer: int, L: int | None = None, loss: str = "squared") -> str:
    """The seed's symbol for a quantity of layer ℓ, e.g. 'δ₂' or 'W₃ᵀδ₃'."""
    s = sub(layer)
    if quantity == "y":
        return "y"
    if quantity == "dc_da":
        if L is not None and layer == L:
            return f"∂c/∂a{s}"
        return f"W{sub(layer + 1)}ᵀδ{sub(layer + 1)}"
    return {
        "W": f"W{s}", "b": f"b{s}", "z": f"z{s}", "a": f"a{s}",
        "sigma_prime": f"σ'{s}(z{s})", "delta": f"δ{s}",
        "dW": f"∂C/∂W{s}", "db": f"∂C/∂b{s}",
    }[quantity]


def quantity_title(quantity: str, layer: int, shape_: tuple[int, ...] | None = None,
                   L: int | None = None) -> str:
    """A heatmap title in the seed's notation with its shape: 'δ₂ (8 × 200)'."""
    t = symbol(quantity, layer, L)
    if shape_ is not None:
        t += " (" + " × ".join(str(n) for n in shape_) + ")"
    return t


@dataclass(frozen=True)
class StepContext:
    """What a step's text needs: the sizes, the batch size and the names."""

    sizes: tuple[int, ...]
    B: int
    loss_name: str
    activations: tuple[str, ...]
    plan: list[StepInfo]
    opt_name: str
    opt_formula: str
    lr: float


def describe_step(ctx: StepContext, kind: str, l: int | None,
                  loss: float | None = None) -> tuple[str, str, str]:
    """(title, formula, formula with shapes) for a step; shapes follow from the sizes."""
    n, B = ctx.sizes, ctx.B
    L = len(n) - 1

    def act(m: int) -> str:  # shape of an activation-like matrix of layer m
        return f"({n[m]}×{B})"

    def W(m: int) -> str:
        return f"({n[m]}×{n[m - 1]})"

    def col(m: int) -> str:
        return f"({n[m]}×1)"

    if kind == "z":
        assert l is not None
        return (f"Forward · layer {l} · pre-activation z{sub(l)}",
                f"z{sub(l)} = W{sub(l)} a{sub(l - 1)} + b{sub(l)}",
                f"z{sub(l)} {act(l)} = W{sub(l)} {W(l)} a{sub(l - 1)} {act(l - 1)}"
                f" + b{sub(l)} {col(l)}")
    if kind == "a":
        assert l is not None
        name = ctx.activations[l - 1]
        return (f"Forward · layer {l} · activation a{sub(l)}",
                f"a{sub(l)} = σ{sub(l)}(z{sub(l)}),  σ{sub(l)} = {name}",
                f"a{sub(l)} {act(l)} = {name}(z{sub(l)} {act(l)})")
    if kind == "loss":
        value = "" if loss is None else f"  →  C = {_g(loss)}"
        return ("Loss", loss_formula(ctx.loss_name, L, B, ctx.activations[-1]),
                f"a{sub(L)} {act(L)}, y {act(L)}{value}")
    if kind == "delta":
        assert l is not None
        d = act(l)
        if l == L:
            s = sub(L)
            if ctx.loss_name == "cross_entropy":
                return (f"Backward · layer {l} · sensitivity δ{s}", f"δ{s} = a{s} − y",
                        f"δ{s} {d} = a{s} {d} − y {d}")
            k = "2" if ctx.loss_name == "squared" else ""
            return (f"Backward · layer {l} · sensitivity δ{s}",
                    f"δ{s} = {k}(a{s} − y) ⊙ σ'{s}(z{s})",
                    f"δ{s} {d} = {k}(a{s} {d} − y {d}) ⊙ σ'{s}(z{s}) {d}")
        f = f"δ{sub(l)} = (W{sub(l + 1)}ᵀ δ{sub(l + 1)}) ⊙ σ'{sub(l)}(z{sub(l)})"
        fs = (f"δ{sub(l)} {d} = (W{sub(l + 1)}ᵀ ({n[l]}×{n[l + 1]}) δ{sub(l + 1)} "
              f"{act(l + 1)}) ⊙ σ'{sub(l)}(z{sub(l)}) {d}")
        return f"Backward · layer {l} · sensitivity δ{sub(l)}", f, fs
    if kind == "grads":
        assert l is not None
        aT = f"({B}×{n[l - 1]})"
        if B == 1:
            f = f"∂c/∂W{sub(l)} = δ{sub(l)} a{sub(l - 1)}ᵀ,   ∂c/∂b{sub(l)} = δ{sub(l)}"
            fs = (f"∂c/∂W{sub(l)} {W(l)} = δ{sub(l)} {act(l)} a{sub(l - 1)}ᵀ {aT};   "
                  f"∂c/∂b{sub(l)} {col(l)} = δ{sub(l)} {act(l)}")
        else:
            f = (f"∂C/∂W{sub(l)} = (1/B) δ{sub(l)} a{sub(l - 1)}ᵀ,   "
                 f"∂C/∂b{sub(l)} = (1/B) δ{sub(l)} 1")
            fs = (f"∂C/∂W{sub(l)} {W(l)} = (1/{B}) δ{sub(l)} {act(l)} a{sub(l - 1)}ᵀ {aT};   "
                  f"∂C/∂b{sub(l)} {col(l)} = (1/{B}) δ{sub(l)} {act(l)} 1 ({B}×1)")
        return f"Backward · layer {l} · gradients", f, fs
    shapes = ",  ".join(f"W{sub(i)} {W(i)}, b{sub(i)} {col(i)}" for i in range(1, L + 1))
    return (f"Update · {ctx.opt_name}",
            f"{ctx.opt_formula}   (ℓ = 1..{L}, α = {_g(ctx.lr)})", shapes)


def loss_formula(loss: str, L: int, B: int, out_act: str) -> str:
    """The cost being minimised, per sample (B = 1) or batch-averaged."""
    s = sub(L)
    if loss == "cross_entropy":
        per = (f"−Σₖ yₖ log a{s},ₖ" if out_act == "softmax"
               else f"−Σₖ [yₖ log a{s},ₖ + (1−yₖ) log(1−a{s},ₖ)]")
    elif loss == "half_squared":
        per = f"½‖a{s} − y‖²"
    else:
        per = f"‖a{s} − y‖²"
    return f"c = {per}" if B == 1 else f"C = (1/B) Σᵢ cᵢ,   cᵢ = {per}"


def explain(st: Stepper, quantity: str, layer: int, row: int, col: int) -> str:
    """The arithmetic behind one cell, with the stepper's own numbers."""
    s = st.state
    l, L = layer, st.net.L
    arr = s.quantity(quantity, l)
    if arr is None:
        return f"{symbol(quantity, l, L)} is not computed yet in this pass"
    if not (0 <= row < arr.shape[0] and 0 <= col < arr.shape[1]):
        raise ValueError(f"cell [{row}, {col}] is outside {symbol(quantity, l, L)} "
                         f"{shape(arr)}")
    i, j, v = row, col, float(arr[row, col])
    cell = f"[{i}, {j}]"
    # Only a₀ and y have one column per sample; the columns of W, b and ∂C/∂W are not
    # samples (explaining W₁[0, 6] of a one-sample pass raised an IndexError).
    is_sample = quantity == "y" or quantity == "a" and l == 0
    which = f" of sample #{int(s.samples[j])}" \
        if is_sample and s.samples is not None and j < len(s.samples) else ""
    if quantity == "a" and l == 0:
        return f"a₀{cell} = x{cell} = {_g(v)}: input {i}{which}, given, not computed"
    if quantity == "y":
        return f"y{cell} = {_g(v)}: target {i}{which}, given; the loss compares a{sub(L)} with it"
    if quantity == "z":
        W, b = st.params_used()[l - 1]
        a_prev = s.a[l - 1]
        assert a_prev is not None
        terms = " + ".join(f"{_g(W[i, k])}·{_g(a_prev[k, j])}" for k in range(W.shape[1]))
        if W.shape[1] > 4:
            terms = f"Σₖ W{sub(l)}[{i}, k] a{sub(l - 1)}[k, {j}] ({W.shape[1]} terms)"
        return f"z{sub(l)}{cell} = {terms} + {_g(b[i, 0])} = {_g(v)}"
    if quantity == "a":
        z = s.z[l]
        assert z is not None
        act = st.net.layers[l - 1].activation.name
        return f"a{sub(l)}{cell} = {act}(z{sub(l)}{cell}) = {act}({_g(z[i, j])}) = {_g(v)}"
    if quantity == "sigma_prime":
        return f"σ'{sub(l)}(z{sub(l)}{cell}) = {_g(v)}"
    if quantity == "dc_da":
        if l == L:
            aL = s.a[L]
            assert aL is not None
            k = "2" if st.net.loss == "squared" else ""
            return (f"∂c/∂a{sub(L)}{cell} = {k}(a{sub(L)}{cell} − y{cell}) = "
                    f"{k}({_g(aL[i, j])} − {_g(s.Y[i, j])}) = {_g(v)}")
        return (f"(W{sub(l + 1)}ᵀδ{sub(l + 1)}){cell} = Σₖ W{sub(l + 1)}[k, {i}] "
                f"δ{sub(l + 1)}[k, {j}] = {_g(v)}")
    if quantity == "delta":
        sp, g = s.sigma_prime[l], s.dc_da[l]
        if sp is None or g is None:
            aL = s.a[l]
            assert aL is not None
            return (f"δ{sub(l)}{cell} = a{sub(l)}{cell} − y{cell} = "
                    f"{_g(aL[i, j])} − {_g(s.Y[i, j])} = {_g(v)}")
        left = symbol("dc_da", l, L)
        return (f"δ{sub(l)}{cell} = ({left}){cell} · σ'(z{sub(l)}{cell}) = "
                f"{_g(g[i, j])} · {_g(sp[i, j])} = {_g(v)}")
    if quantity == "dW":
        d, a_prev = s.delta[l], s.a[l - 1]
        assert d is not None and a_prev is not None
        if st.B == 1:
            return (f"∂c/∂W{sub(l)}{cell} = δ{sub(l)}[{i}] · a{sub(l - 1)}[{j}] = "
                    f"{_g(d[i, 0])} · {_g(a_prev[j, 0])} = {_g(v)}")
        return (f"∂C/∂W{sub(l)}{cell} = (1/{st.B}) Σₛ δ{sub(l)}[{i}, s] a{sub(l - 1)}[{j}, s]"
                f" = {_g(v)}")
    if quantity == "db":
        if st.B == 1:
            return f"∂c/∂b{sub(l)}[{i}] = δ{sub(l)}[{i}] = {_g(v)}"
        return f"∂C/∂b{sub(l)}[{i}] = (1/{st.B}) Σₛ δ{sub(l)}[{i}, s] = {_g(v)}"
    # W or b: after an update step, show the update that produced the value.
    name = f"{quantity}{sub(l)}"
    last = st.last
    if last is not None and last.kind == "update" and st.optimizer.name == "sgd":
        old = st.params_used()[l - 1][0 if quantity == "W" else 1]
        g = s.quantity("d" + quantity, l)
        if g is not None:
            return (f"{name}{cell} ← {name}{cell} − α ∂C/∂{name}{cell} = {_g(old[i, j])} − "
                    f"{_g(st.optimizer.lr)} · {_g(g[i, j])} = {_g(v)}")
    return f"{name}{cell} = {_g(v)}"
