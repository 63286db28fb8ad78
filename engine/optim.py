"""Update rules: the seed's gradient descent, plus momentum and Adam.

Every rule writes new weight arrays instead of updating in place, so a
stepper snapshot taken before an update still holds the old weights.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .network import Grads, Network, check_lr

OPTIMIZERS = ("sgd", "momentum", "adam")


class Optimizer:
    """Base class: ``step(net, grads)`` updates the weights of ``net``."""

    name = "base"
    formula = ""

    def __init__(self, lr: float) -> None:
        self.lr = check_lr(lr)

    def step(self, net: Network, grads: Grads) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """A copy of the optimizer's state (scalars and arrays)."""
        return {"name": self.name, "lr": self.lr}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned."""
        self.lr = check_lr(state["lr"])

    def reset(self) -> None:
        """Forget accumulated state (velocities, moments)."""


class SGD(Optimizer):
    """The seed's update: W_ℓ ← W_ℓ - α ∂C/∂W_ℓ, b_ℓ ← b_ℓ - α ∂C/∂b_ℓ."""

    name = "sgd"
    # As the seed writes it; the step adds "(ℓ = 1..L, α = …)".  No "W_ℓ": Unicode has
    # no subscript ℓ, and the formula panel showed the underscore as typed.
    formula = "W ← W − α ∂C/∂W,  b ← b − α ∂C/∂b"

    def step(self, net: Network, grads: Grads) -> None:
        net.apply(grads, self.lr)


def _grad_list(net: Network, grads: Grads) -> list[np.ndarray]:
    out = []
    for l in range(1, net.L + 1):
        dW, db = grads.dW[l], grads.db[l]
        assert dW is not None and db is not None
        out += [dW, db]
    return out


def _set_flat(net: Network, params: list[np.ndarray]) -> None:
    for i, layer in enumerate(net.layers):
        layer.W, layer.b = params[2 * i], params[2 * i + 1]


def _flat(net: Network) -> list[np.ndarray]:
    return [p for layer in net.layers for p in (layer.W, layer.b)]


class Momentum(Optimizer):
    """Heavy-ball momentum: v ← β v + ∂C/∂θ, θ ← θ - α v."""

    name = "momentum"
    formula = "v ← β v + ∂C/∂θ,  θ ← θ − α v   (θ: each W and b)"

    def __init__(self, lr: float, beta: float = 0.9) -> None:
        super().__init__(lr)
        self.beta = float(beta)
        self.v: list[np.ndarray] | None = None

    def step(self, net: Network, grads: Grads) -> None:
        g = _grad_list(net, grads)
        if self.v is None:
            self.v = [np.zeros_like(x) for x in g]
        self.v = [self.beta * v + gi for v, gi in zip(self.v, g, strict=True)]
        _set_flat(net, [p - self.lr * v for p, v in zip(_flat(net), self.v, strict=True)])

    def state_dict(self) -> dict[str, Any]:
        d = super().state_dict()
        d["beta"] = self.beta
        d["v"] = None if self.v is None else [v.copy() for v in self.v]
        return d

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.beta = float(state["beta"])
        v = state.get("v")
        self.v = None if v is None else [np.array(x, dtype=np.float64) for x in v]

    def reset(self) -> None:
        self.v = None


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction."""

    name = "adam"
    formula = ("m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  "
               "θ ← θ − α m̂ / (√v̂ + ε)   (g = ∂C/∂θ)")

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.t = 0
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None

    def step(self, net: Network, grads: Grads) -> None:
        g = _grad_list(net, grads)
        if self.m is None or self.v is None:
            self.m = [np.zeros_like(x) for x in g]
            self.v = [np.zeros_like(x) for x in g]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        self.m = [b1 * m + (1 - b1) * gi for m, gi in zip(self.m, g, strict=True)]
        self.v = [b2 * v + (1 - b2) * gi * gi for v, gi in zip(self.v, g, strict=True)]
        # Bias correction folded into the step size, as in the paper's Algorithm 1.
        step = self.lr * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        eps_hat = self.eps * math.sqrt(1 - b2**self.t)
        new = [p - step * m / (np.sqrt(v) + eps_hat)
               for p, m, v in zip(_flat(net), self.m, self.v, strict=True)]
        _set_flat(net, new)

    def state_dict(self) -> dict[str, Any]:
        d = super().state_dict()
        d.update(beta1=self.beta1, beta2=self.beta2, eps=self.eps, t=self.t,
                 m=None if self.m is None else [x.copy() for x in self.m],
                 v=None if self.v is None else [x.copy() for x in self.v])
        return d

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.beta1, self.beta2 = float(state["beta1"]), float(state["beta2"])
        self.eps, self.t = float(state["eps"]), int(state["t"])
        m, v = state.get("m"), state.get("v")
        self.m = None if m is None else [np.array(x, dtype=np.float64) for x in m]
        self.v = None if v is None else [np.array(x, dtype=np.float64) for x in v]

    def reset(self) -> None:
        self.t, self.m, self.v = 0, None, None


def make_optimizer(name: str, lr: float, **kwargs: float) -> Optimizer:
    """Build an optimizer by name ("sgd", "momentum", "adam")."""
    if name == "sgd":
        return SGD(lr)
    if name == "momentum":
        return Momentum(lr, **kwargs)
    if name == "adam":
        return Adam(lr, **kwargs)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
