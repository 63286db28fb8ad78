"""What the update step did to one layer: W before, the step added, W after (and b).

The stepper keeps the weights and optimizer state from before its update
(``Stepper.before_update``); this module turns them into the record the update
view draws: for the lecture's gradient descent the step is −α ∂C/∂W itself,
for momentum and Adam it is the step the rule really took, ΔW = W_after − W_before.
Each cell's arithmetic is formatted here with those numbers, so the window only
shows text the engine wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .formulas import sub

if TYPE_CHECKING:
    from .stepper import Stepper

Array = np.ndarray
# The update view's quantity keys: (parameter, part) for each.
UPDATE_QUANTITIES = {f"{p}_{part}": (p, part) for p in ("W", "b")
                     for part in ("before", "step", "after")}
RULE_NAMES = {"momentum": "momentum", "adam": "Adam"}


def _g(x: float) -> str:
    return f"{x:.4g}"


def _p(x: float) -> str:
    """An operand after an operator: a negative one in parentheses, "0.1 · (-2)"."""
    return f"({x:.4g})" if x < 0 else f"{x:.4g}"


@dataclass
class UpdateStep:
    """The update of one pass, layer by layer (arrays computed once, on first use).

    Attributes
    ----------
    optimizer : str
        The rule that made the update ("sgd", "momentum", "adam").
    lr : float
        The α it used (the optimizer's, when the update was taken).
    before, after : list of (W, b)
        The weights before and after the update, index ℓ − 1.
    grads : list of (∂C/∂W, ∂C/∂b)
        The gradients of the pass, index ℓ − 1.
    opt_before, opt_after : dict
        The optimizer's state before and after (velocities, moments).
    """

    optimizer: str
    lr: float
    before: list[tuple[Array, Array]]
    after: list[tuple[Array, Array]]
    grads: list[tuple[Array, Array]]
    opt_before: dict[str, Any]
    opt_after: dict[str, Any]
    _steps: dict[int, tuple[Array, Array]] = field(default_factory=dict, repr=False)

    @property
    def is_gradient_step(self) -> bool:
        """True for the lecture's rule, where the step is exactly −α ∂C/∂W."""
        return self.optimizer == "sgd"

    def step(self, layer: int) -> tuple[Array, Array]:
        """(step of W_ℓ, step of b_ℓ): −α ∂C/∂θ for sgd, else θ_after − θ_before."""
        if layer not in self._steps:
            if self.is_gradient_step:
                dW, db = self.grads[layer - 1]
                self._steps[layer] = (-self.lr * dW, -self.lr * db)
            else:
                (W0, b0), (W1, b1) = self.before[layer - 1], self.after[layer - 1]
                self._steps[layer] = (W1 - W0, b1 - b0)
        return self._steps[layer]

    def array(self, quantity: str, layer: int) -> Array:
        """The array of an update key ("W_before", "W_step", "b_after", …) of layer ℓ."""
        p, part = UPDATE_QUANTITIES[quantity]
        i = 0 if p == "W" else 1
        if part == "before":
            return self.before[layer - 1][i]
        if part == "after":
            return self.after[layer - 1][i]
        return self.step(layer)[i]

    def step_symbol(self, p: str, layer: int) -> str:
        """What the step matrix is, truthfully: "−α ∂C/∂W₂" or "ΔW₂ (momentum)"."""
        if self.is_gradient_step:
            return f"−α ∂C/∂{p}{sub(layer)}"
        return f"Δ{p}{sub(layer)} ({RULE_NAMES.get(self.optimizer, self.optimizer)})"

    def symbol(self, quantity: str, layer: int) -> str:
        """A heatmap title for an update key: "W₂ before", "−α ∂C/∂W₂", "W₂ after"."""
        p, part = UPDATE_QUANTITIES[quantity]
        if part == "step":
            return self.step_symbol(p, layer)
        return f"{p}{sub(layer)} {part}"

    def explain(self, quantity: str, layer: int, row: int, col: int) -> str:
        """The arithmetic behind one cell of an update key, with the engine's numbers."""
        p, part = UPDATE_QUANTITIES[quantity]
        arr = self.array(quantity, layer)
        if not (0 <= row < arr.shape[0] and 0 <= col < arr.shape[1]):
            raise ValueError(f"cell [{row}, {col}] is outside {self.symbol(quantity, layer)} "
                             f"({arr.shape[0]}×{arr.shape[1]})")
        i = 0 if p == "W" else 1
        cell = f"[{row}, {col}]"
        name = f"{p}{sub(layer)}"
        old = float(self.before[layer - 1][i][row, col])
        new = float(self.after[layer - 1][i][row, col])
        g = float(self.grads[layer - 1][i][row, col])
        if part == "before":
            return f"{name}_before{cell} = {_g(old)}: the weight this pass's forward and " \
                   "backward used"
        if self.is_gradient_step:
            if part == "step":
                return (f"−α·∂C/∂{name}{cell} = −{_g(self.lr)} · {_p(g)} = "
                        f"{_g(float(arr[row, col]))}")
            return (f"{name}_after{cell} = {name}_before{cell} − α·∂C/∂{name}{cell} = "
                    f"{_g(old)} − {_g(self.lr)} · {_p(g)} = {_g(new)}")
        step = float(self.step(layer)[i][row, col])
        if part == "after":
            return (f"{name}_after{cell} = {name}_before{cell} + Δ{name}{cell} = "
                    f"{_g(old)} + {_p(step)} = {_g(new)}")
        return self._explain_rule(name, cell, 2 * (layer - 1) + i, row, col, g, step)

    def _explain_rule(self, name: str, cell: str, flat: int, row: int, col: int, g: float,
                      step: float) -> str:
        """ΔW of one cell by momentum or Adam, from the optimizer's states."""
        a, b = self.opt_before, self.opt_after
        lr = _g(self.lr)
        if self.optimizer == "momentum":
            v0 = 0.0 if a.get("v") is None else float(a["v"][flat][row, col])
            beta = float(a["beta"])
            return (f"Δ{name}{cell} = −α·(β·v_prev + ∂C/∂{name}{cell}) = "
                    f"−{lr} · ({_g(beta)} · {_p(v0)} + {_p(g)}) = {_g(step)}")
        if self.optimizer == "adam":
            t = int(b["t"])
            m_hat = float(b["m"][flat][row, col]) / (1 - float(b["beta1"]) ** t)
            v_hat = float(b["v"][flat][row, col]) / (1 - float(b["beta2"]) ** t)
            return (f"Δ{name}{cell} = −α·m̂/(√v̂ + ε) = −{lr} · {_p(m_hat)} / "
                    f"(√{_g(v_hat)} + {_g(float(b['eps']))}) = {_g(step)}")
        return f"Δ{name}{cell} = {name}_after{cell} − {name}_before{cell} = {_g(step)}"


def update_step(st: Stepper) -> UpdateStep | None:
    """The record of the pass's update, or ``None`` until the update step is done."""
    before = st.before_update()
    s = st.state
    if before is None or any(g is None for g in s.dW[1:] + s.db[1:]):
        return None
    params, opt_state = before
    grads = [(dW, db) for dW, db in zip(s.dW[1:], s.db[1:], strict=True)]
    return UpdateStep(str(opt_state.get("name", st.optimizer.name)), float(opt_state["lr"]),
                      list(params), list(s.params), grads,  # type: ignore[arg-type]
                      opt_state, st.optimizer.state_dict())


def is_update_quantity(quantity: str) -> bool:
    """Whether ``quantity`` is one of the update view's keys."""
    return quantity in UPDATE_QUANTITIES
