"""One training iteration as a walk of small, reversible steps.

A pass is: forward ℓ = 1..L (z_ℓ, then a_ℓ), the loss, backward ℓ = L..1
(δ_ℓ, then ∂C/∂W_ℓ and ∂C/∂b_ℓ), the update: K = 4L + 2 steps.  Each step
uses the very functions ``Network.forward``/``backward`` use, so walking a
whole pass gives bit for bit what ``forward``/``backward``/``apply`` give.
Every step pushes a snapshot (references to immutable arrays, not copies),
so ``back()`` restores the exact earlier state, weights included.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import formulas as fm
from .losses import loss_value, output_delta
from .network import Network, hidden_delta, layer_a, layer_grads, layer_z
from .optim import Optimizer, make_optimizer

Array = np.ndarray
QUANTITIES = ("W", "b", "z", "a", "sigma_prime", "dc_da", "delta", "dW", "db")
# What each kind of step computes, and which phase of the pass it belongs to.
COMPUTES = {"z": ("z",), "a": ("a",), "loss": ("loss",),
            "delta": ("dc_da", "sigma_prime", "delta"), "grads": ("dW", "db"),
            "update": ("W", "b")}
PHASES = {"z": "forward", "a": "forward", "loss": "loss", "delta": "backward",
          "grads": "backward", "update": "update"}
MAX_HISTORY = 20_000

quantity_title = fm.quantity_title


@dataclass(frozen=True)
class StepInfo:
    """One entry of a pass's plan."""

    kind: str
    layer: int | None

    @property
    def phase(self) -> str:
        return PHASES[self.kind]


@dataclass(frozen=True)
class StepRecord:
    """What one step did: the quantities it computed and the seed's formula."""

    k: int
    kind: str
    phase: str
    layer: int | None
    computed: tuple[str, ...]
    title: str
    formula: str
    formula_shapes: str
    html: str
    pending: tuple[tuple[str, int], ...]


@dataclass
class StepState:
    """What is computed in the current pass so far (``None`` = not computed yet)."""

    z: list[Array | None]
    a: list[Array | None]
    sigma_prime: list[Array | None]
    dc_da: list[Array | None]
    delta: list[Array | None]
    dW: list[Array | None]
    db: list[Array | None]
    Y: Array
    loss: float | None
    params: list[tuple[Array, Array]]
    pass_index: int = 0
    k: int = 0
    # Optimizer state before this state's update step, to undo it exactly.
    opt_before: dict[str, Any] | None = field(default=None, repr=False)

    def quantity(self, name: str, layer: int) -> Array | None:
        """The array for a quantity key and layer, or ``None`` if not computed."""
        if name == "W":
            return self.params[layer - 1][0]
        if name == "b":
            return self.params[layer - 1][1]
        seq: list[Array | None] = getattr(self, name)
        return seq[layer]

    def copy(self) -> StepState:
        return replace(self, z=list(self.z), a=list(self.a), sigma_prime=list(self.sigma_prime),
                       dc_da=list(self.dc_da), delta=list(self.delta), dW=list(self.dW),
                       db=list(self.db), params=list(self.params), opt_before=None)


class Stepper:
    """Walk one training iteration step by step, forwards and backwards.

    Parameters
    ----------
    net : Network
        Updated in place by the update step (and restored by ``back``).
    X, Y : array
        The sample (one column, the seed's per-sample form) or mini-batch.
    optimizer : Optimizer, optional
        Defaults to the seed's plain gradient descent with ``lr``.
    """

    def __init__(self, net: Network, X: Array, Y: Array, optimizer: Optimizer | None = None,
                 lr: float = 0.1) -> None:
        self.net = net
        self.optimizer = optimizer if optimizer is not None else make_optimizer("sgd", lr)
        L = net.L
        self.plan: list[StepInfo] = (
            [StepInfo(kind, l) for l in range(1, L + 1) for kind in ("z", "a")]
            + [StepInfo("loss", None)]
            + [StepInfo(kind, l) for l in range(L, 0, -1) for kind in ("delta", "grads")]
            + [StepInfo("update", None)]
        )
        self._initial_params = list(net.params())
        self._initial_opt = self.optimizer.state_dict()
        X = net.check_X(X)
        Y = net.check_Y(Y, X.shape[1])
        self._history: list[tuple[StepState, StepRecord | None]] = [(self._fresh(X, Y, 0), None)]

    # -- state -----------------------------------------------------------------
    @property
    def K(self) -> int:
        """Steps in one pass: 4L + 2."""
        return len(self.plan)

    @property
    def state(self) -> StepState:
        return self._history[-1][0]

    @property
    def last(self) -> StepRecord | None:
        """The record of the step that produced the current state."""
        return self._history[-1][1]

    @property
    def k(self) -> int:
        return self.state.k

    @property
    def X(self) -> Array:
        a0 = self.state.a[0]
        assert a0 is not None
        return a0

    @property
    def Y(self) -> Array:
        return self.state.Y

    @property
    def B(self) -> int:
        return int(self.X.shape[1])

    def _fresh(self, X: Array, Y: Array, pass_index: int) -> StepState:
        L = self.net.L
        none: list[Array | None] = [None] * (L + 1)
        a = list(none)
        a[0] = X
        return StepState(list(none), a, list(none), list(none), list(none), list(none),
                         list(none), Y, None, list(self.net.params()), pass_index, 0)

    def is_computed(self, quantity: str, layer: int) -> bool:
        """Whether the quantity holds a value computed in this pass (W, b always do)."""
        return self.state.quantity(quantity, layer) is not None

    def pending(self, k: int | None = None) -> tuple[tuple[str, int], ...]:
        """(quantity, layer) pairs not yet computed after step k of this pass."""
        k = self.k if k is None else k
        out = []
        for info in self.plan[k:]:
            if info.layer is not None:
                out += [(q, info.layer) for q in COMPUTES[info.kind]]
        return tuple(out)

    # -- moving ------------------------------------------------------------------
    def next(self) -> StepRecord:
        """Compute the next step; after the update, start the next pass."""
        prev = self.state
        if prev.k == self.K:
            # The next pass starts from nothing computed; back() from its first
            # step returns straight to the finished update, as the user saw it.
            prev = self._fresh(self.X, self.Y, prev.pass_index + 1)
        info = self.plan[prev.k]
        s = prev.copy()
        s.k = prev.k + 1
        self._compute(info, s)
        rec = self._record(s.k, info, s)
        self._push(s, rec)
        return rec

    def _push(self, s: StepState, rec: StepRecord | None) -> None:
        self._history.append((s, rec))
        if len(self._history) > MAX_HISTORY:
            del self._history[: len(self._history) - MAX_HISTORY]

    def back(self) -> bool:
        """Undo the last step, weights and optimizer state included."""
        if len(self._history) <= 1:
            return False
        s, _ = self._history.pop()
        if s.opt_before is not None:
            self.optimizer.load_state_dict(s.opt_before)
        self.net.set_params_ref(self.state.params)
        return True

    def jump(self, k: int) -> None:
        """Go to step k (0..K) of the current pass."""
        if not 0 <= k <= self.K:
            raise ValueError(f"step {k} is outside 0..{self.K}")
        while self.k > k:
            self.back()
        while self.k < k:
            self.next()

    def reset(self) -> None:
        """Back to the stepper's initial weights and optimizer state, step 0."""
        self.net.set_params_ref(self._initial_params)
        self.optimizer.load_state_dict(self._initial_opt)
        self._history = [(self._fresh(self.X, self.Y, 0), None)]

    def set_batch(self, X: Array, Y: Array) -> None:
        """Step through other data: the pass restarts at k = 0 with the current weights."""
        X = self.net.check_X(X)
        Y = self.net.check_Y(Y, X.shape[1])
        self._history = [(self._fresh(X, Y, self.state.pass_index), None)]

    def set_initial_params(self, params: list[tuple[Array, Array]]) -> None:
        """Change what ``reset`` returns to (e.g. after a session was loaded)."""
        self._initial_params = [(np.array(W), np.array(b)) for W, b in params]

    # -- the maths of one step ----------------------------------------------------------
    def _compute(self, info: StepInfo, s: StepState) -> None:
        net, L = self.net, self.net.L
        l = info.layer
        if info.kind == "z":
            assert l is not None
            a_prev = s.a[l - 1]
            assert a_prev is not None
            s.z[l] = layer_z(net.layers[l - 1], a_prev)
        elif info.kind == "a":
            assert l is not None
            z = s.z[l]
            assert z is not None
            s.a[l] = layer_a(net.layers[l - 1], z)
        elif info.kind == "loss":
            zL, aL = s.z[L], s.a[L]
            assert zL is not None and aL is not None
            s.loss = loss_value(net.loss, net.output_activation, zL, aL, s.Y)
        elif info.kind == "delta":
            assert l is not None
            z, a = s.z[l], s.a[l]
            assert z is not None and a is not None
            if l == L:
                out = output_delta(net.loss, net.output_activation, z, a, s.Y)
            else:
                d_next = s.delta[l + 1]
                assert d_next is not None
                out = hidden_delta(net.layers[l - 1], net.layers[l], z, a, d_next)
            s.dc_da[l], s.sigma_prime[l], s.delta[l] = out.dc_da, out.sigma_prime, out.delta
        elif info.kind == "grads":
            assert l is not None
            d, a_prev = s.delta[l], s.a[l - 1]
            assert d is not None and a_prev is not None
            s.dW[l], s.db[l] = layer_grads(d, a_prev)
        elif info.kind == "update":
            s.opt_before = self.optimizer.state_dict()
            self.optimizer.step(net, self._grads(s))
            s.params = list(net.params())

    def _grads(self, s: StepState) -> Any:
        from .network import Grads
        return Grads(s.delta, s.dW, s.db, s.sigma_prime, s.dc_da, float(s.loss or 0.0))

    def _record(self, k: int, info: StepInfo, s: StepState) -> StepRecord:
        title, formula, shapes = fm.describe_step(self, info, s)
        html = fm.to_html(title, formula, shapes)
        return StepRecord(k, info.kind, info.phase, info.layer, COMPUTES[info.kind], title,
                          formula, shapes, html, self.pending(k))

    # -- the numbers behind one cell ---------------------------------------------------------
    def explain(self, quantity: str, layer: int, row: int, col: int) -> str:
        """The arithmetic that produced one cell of a quantity, with its numbers."""
        return fm.explain(self, quantity, layer, row, col)
