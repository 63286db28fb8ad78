"""One training iteration as a walk of small, reversible steps.

A pass is: forward ℓ = 1..L (z_ℓ, then a_ℓ), the loss, backward ℓ = L..1
(δ_ℓ, then ∂C/∂W_ℓ and ∂C/∂b_ℓ), the update: K = 4L + 2 steps.  Each step
uses the very functions ``Network.forward``/``backward`` use, so walking a
whole pass gives bit for bit what ``forward``/``backward``/``apply`` give.

A step only fills empty slots of the current state, so undoing it means
emptying them again; the update and the start of a new pass keep what they
replace.  Nothing is copied per step, which keeps the bookkeeping cheap.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import numpy as np

from . import formulas as fm
from .losses import loss_value, output_delta
from .network import Grads, Network, hidden_delta, layer_a, layer_grads, layer_z
from .optim import Optimizer, make_optimizer
from .update_step import UpdateStep, is_update_quantity, update_step

Array = np.ndarray
QUANTITIES = ("W", "b", "z", "a", "sigma_prime", "dc_da", "delta", "dW", "db")


class StepKind(str, Enum):
    """The six kinds of step of a pass (a ``str`` so records print and compare plainly)."""

    Z = "z"
    A = "a"
    LOSS = "loss"
    DELTA = "delta"
    GRADS = "grads"
    UPDATE = "update"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


# What each kind of step computes, and which phase of the pass it belongs to.
COMPUTES = {StepKind.Z: ("z",), StepKind.A: ("a",), StepKind.LOSS: ("loss",),
            StepKind.DELTA: ("dc_da", "sigma_prime", "delta"), StepKind.GRADS: ("dW", "db"),
            StepKind.UPDATE: ("W", "b")}
PHASES = {StepKind.Z: "forward", StepKind.A: "forward", StepKind.LOSS: "loss",
          StepKind.DELTA: "backward", StepKind.GRADS: "backward", StepKind.UPDATE: "update"}
MAX_HISTORY = 20_000  # steps of undo at most…
# …and about this much memory held by earlier passes (never fewer than two passes).
# Small on purpose: with 128 MiB of history a 2-8-8-1 batch-200 pass wrote to
# cold memory and cost 1.44× a bare step; 2 MiB (this machine's L2) keeps it warm.
HISTORY_BYTES = 2 * 2**20

quantity_title = fm.quantity_title


@dataclass(frozen=True)
class StepInfo:
    """One entry of a pass's plan."""

    kind: StepKind
    layer: int | None

    @property
    def phase(self) -> str:
        return PHASES[self.kind]


class StepRecord(tuple):
    """What one step did: the quantities it computed and the seed's formula.

    A plain tuple (k, info, context, loss), since a walk through many passes
    makes one per step; the texts are formatted when asked for, from the
    network's sizes, the batch size and the loss value captured at the step.
    """

    __slots__ = ()

    def __new__(cls, k: int, info: StepInfo, ctx: fm.StepContext,
                loss: float | None = None) -> StepRecord:
        return tuple.__new__(cls, (k, info, ctx, loss))

    @property
    def k(self) -> int:
        """Steps done in this pass after this one (1..K)."""
        return self[0]

    @property
    def info(self) -> StepInfo:
        return self[1]

    @property
    def loss(self) -> float | None:
        return self[3]

    @property
    def context(self) -> fm.StepContext:
        """The sizes, batch size and names the step's texts are made from."""
        return self[2]

    @property
    def kind(self) -> StepKind:
        return self[1].kind

    @property
    def layer(self) -> int | None:
        return self[1].layer

    @property
    def phase(self) -> str:
        return PHASES[self[1].kind]

    @property
    def computed(self) -> tuple[str, ...]:
        return COMPUTES[self[1].kind]

    def texts(self) -> tuple[str, str, str]:
        """(title, formula, formula with shapes)."""
        return fm.describe_step(self[2], self[1].kind, self[1].layer, self[3])

    @property
    def title(self) -> str:
        return self.texts()[0]

    @property
    def formula(self) -> str:
        return self.texts()[1]

    @property
    def formula_shapes(self) -> str:
        return self.texts()[2]

    @property
    def pending(self) -> tuple[tuple[str, int], ...]:
        """(quantity, layer) pairs not yet computed after this step."""
        return pending_after(self[2].plan, self[0])

    def __repr__(self) -> str:
        return f"StepRecord(k={self.k}, kind={self.kind!r}, layer={self.layer})"


def pending_after(plan: list[StepInfo], k: int) -> tuple[tuple[str, int], ...]:
    out: list[tuple[str, int]] = []
    for info in plan[k:]:
        if info.layer is not None:
            out += [(q, info.layer) for q in COMPUTES[info.kind]]
    return tuple(out)


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
    samples: Array | None = None    # which samples (data set columns) this pass steps

    def quantity(self, name: str, layer: int) -> Array | None:
        """The array for a quantity key and layer, or ``None`` if not computed."""
        if name == "W":
            return self.params[layer - 1][0]
        if name == "b":
            return self.params[layer - 1][1]
        if name == "y":
            return self.Y
        seq: list[Array | None] = getattr(self, name)
        return seq[layer]


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
                 lr: float = 0.1, samples: Array | None = None) -> None:
        self.net = net
        self.optimizer = optimizer if optimizer is not None else make_optimizer("sgd", lr)
        L = net.L
        K = StepKind
        self.plan: list[StepInfo] = (
            [StepInfo(kind, l) for l in range(1, L + 1) for kind in (K.Z, K.A)]
            + [StepInfo(K.LOSS, None)]
            + [StepInfo(kind, l) for l in range(L, 0, -1) for kind in (K.DELTA, K.GRADS)]
            + [StepInfo(K.UPDATE, None)]
        )
        self._do: dict[StepKind, Callable[[Any, StepState], Any]] = {
            K.Z: self._z, K.A: self._a, K.LOSS: self._loss, K.DELTA: self._delta,
            K.GRADS: self._grads, K.UPDATE: self._update}
        self._ops = [(self._do[info.kind], info) for info in self.plan]
        self._K = len(self.plan)
        self._initial_params = list(net.params())
        self._initial_opt = self.optimizer.state_dict()
        X = net.check_X(X)
        Y = net.check_Y(Y, X.shape[1])
        self._s = self._fresh(X, Y, 0, samples)
        # Undo log: (record, what the step replaced: None, a StepState, or update info).
        self._undo: deque[tuple[StepRecord, Any]] = deque(maxlen=self._history_steps())
        self._ctx = self._context()

    # -- state -----------------------------------------------------------------
    @property
    def K(self) -> int:
        """Steps in one pass: 4L + 2."""
        return len(self.plan)

    @property
    def state(self) -> StepState:
        return self._s

    @property
    def last(self) -> StepRecord | None:
        """The record of the step that produced the current state."""
        return self._undo[-1][0] if self._undo and self._s.k > 0 else None

    @property
    def k(self) -> int:
        return self._s.k

    @property
    def X(self) -> Array:
        a0 = self._s.a[0]
        assert a0 is not None
        return a0

    @property
    def Y(self) -> Array:
        return self._s.Y

    @property
    def B(self) -> int:
        return int(self.X.shape[1])

    def _fresh(self, X: Array, Y: Array, pass_index: int,
               samples: Array | None = None) -> StepState:
        n = self.net.L + 1
        a: list[Array | None] = [None] * n
        a[0] = X
        return StepState([None] * n, a, [None] * n, [None] * n, [None] * n, [None] * n,
                         [None] * n, Y, None, list(self.net.params()), pass_index, 0, samples)

    def _history_steps(self) -> int:
        """How many steps of undo to keep: big networks keep fewer whole passes."""
        n, B = self.net.sizes, self.B
        per_pass = 8 * (sum(a * b + a for a, b in zip(n[1:], n[:-1])) + 7 * B * sum(n[1:]))
        passes = max(2, HISTORY_BYTES // max(per_pass, 1))
        return int(min(MAX_HISTORY, passes * self.K))

    def _context(self) -> fm.StepContext:
        net = self.net
        return fm.StepContext(tuple(net.sizes), self.B, net.loss,
                              tuple(ly.activation.name for ly in net.layers), self.plan,
                              self.optimizer.name, self.optimizer.formula, self.optimizer.lr)

    def is_computed(self, quantity: str, layer: int) -> bool:
        """Whether the quantity holds a value computed in this pass (W, b always do)."""
        return self._s.quantity(quantity, layer) is not None

    def pending(self, k: int | None = None) -> tuple[tuple[str, int], ...]:
        """(quantity, layer) pairs not yet computed after step k of this pass."""
        return pending_after(self.plan, self.k if k is None else k)

    # -- moving ------------------------------------------------------------------
    def next(self, batch: tuple[Array, Array, Array | None] | None = None) -> StepRecord:
        """Compute the next step; after the update, start the next pass.

        ``batch`` = (X, Y, sample indices) is the data of that next pass (default: the
        same as this one's); it is only read when a new pass starts.
        """
        s = self._s
        k = s.k
        if k < self._K:
            fn, info = self._ops[k]
            extra = fn(info.layer, s)  # what the step replaced, for back(); None for most
            s.k = k + 1
            rec = StepRecord(k + 1, info, self._ctx, s.loss)
            self._undo.append((rec, extra))
            return rec
        # The next pass starts from nothing computed; back() from its first
        # step returns straight to the finished update, as the user saw it.
        if batch is None:
            X, Y, samples = s.a[0], s.Y, s.samples
        else:
            X = self.net.check_X(batch[0])
            Y, samples = self.net.check_Y(batch[1], X.shape[1]), batch[2]
        done, s = s, self._fresh(X, Y, s.pass_index + 1, samples)  # type: ignore[arg-type]
        self._s = s
        rec = self.next()
        self._undo[-1] = (rec, done)
        return rec

    def back(self) -> bool:
        """Undo the last step, weights and optimizer state included."""
        if not self._undo:
            return False
        rec, undo = self._undo.pop()
        if isinstance(undo, StepState):
            # First step of a pass: go back to the finished update of the last one.
            self._s = undo
            self.net.set_params_ref(undo.params)
            return True
        s = self._s
        s.k -= 1
        if rec.kind is StepKind.UPDATE:
            params, opt_state = undo
            s.params = params
            self.optimizer.load_state_dict(opt_state)
            self.net.set_params_ref(params)
        elif rec.kind is StepKind.LOSS:
            s.loss = None
        else:
            for q in COMPUTES[rec.kind]:
                getattr(s, q)[rec.layer] = None
        return True

    def fork(self) -> Stepper:
        """An independent stepper at the same point of the pass, with no undo history.

        It has its own network and optimizer (the arrays are shared: the engine never
        writes one in place), so stepping it never touches this one: the quiz looks at
        what the next step computes on a fork.
        """
        new = copy.copy(self)
        new.net = self.net.copy()
        new.optimizer = make_optimizer(self.optimizer.name, self.optimizer.lr)
        new.optimizer.load_state_dict(self.optimizer.state_dict())
        s = self._s
        new._s = replace(s, z=list(s.z), a=list(s.a), sigma_prime=list(s.sigma_prime),
                         dc_da=list(s.dc_da), delta=list(s.delta), dW=list(s.dW),
                         db=list(s.db), params=list(s.params))
        # The step functions are bound methods: bind them to the fork.
        new._do = {kind: getattr(new, fn.__name__) for kind, fn in self._do.items()}
        new._ops = [(new._do[info.kind], info) for info in self.plan]
        new._undo = deque(maxlen=self._undo.maxlen)
        return new

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
        self._s = self._fresh(self.X, self.Y, 0, self._s.samples)
        self._undo.clear()

    def set_batch(self, X: Array, Y: Array, samples: Array | None = None) -> None:
        """Step through other data: the pass restarts at k = 0 with the current weights."""
        X = self.net.check_X(X)
        Y = self.net.check_Y(Y, X.shape[1])
        self._s = self._fresh(X, Y, self._s.pass_index, samples)
        self._undo = deque(maxlen=self._history_steps())
        self._ctx = self._context()

    def before_update(self) -> tuple[list[tuple[Array, Array]], dict[str, Any]] | None:
        """(weights, optimizer state) before this pass's update; None until it is done."""
        if self._s.k == self.K and self._undo:
            undo = self._undo[-1][1]
            if not isinstance(undo, StepState):
                return list(undo[0]), undo[1]
        return None

    def update_step(self) -> UpdateStep | None:
        """W before, the step taken and W after, per layer; None until the update is done.

        Made once per update (the list of weights after it is the key): the window asks
        on every redraw and hover of the update step.
        """
        key = self._s.params if self._s.k == self.K else None
        cached = getattr(self, "_update_cache", None)
        if key is None or cached is None or cached[0] is not key:
            record = update_step(self) if key is not None else None
            self._update_cache = (key, record)
            return record
        return cached[1]

    def params_used(self) -> list[tuple[Array, Array]]:
        """The weights this pass's forward/backward used (before its update, if done)."""
        before = self.before_update()
        return self._s.params if before is None else before[0]

    # -- the maths of one step: each fills empty slots of the state -----------------------
    def _z(self, l: int, s: StepState) -> None:
        s.z[l] = layer_z(self.net.layers[l - 1], s.a[l - 1])  # type: ignore[arg-type]

    def _a(self, l: int, s: StepState) -> None:
        s.a[l] = layer_a(self.net.layers[l - 1], s.z[l])  # type: ignore[arg-type]

    def _loss(self, _: None, s: StepState) -> None:
        net, L = self.net, self.net.L
        s.loss = loss_value(net.loss, net.output_activation, s.z[L], s.a[L], s.Y)  # type: ignore[arg-type]

    def _delta(self, l: int, s: StepState) -> None:
        net = self.net
        if l == net.L:
            out = output_delta(net.loss, net.output_activation, s.z[l], s.a[l], s.Y)  # type: ignore[arg-type]
        else:
            out = hidden_delta(net.layers[l - 1], net.layers[l], s.z[l], s.a[l],  # type: ignore[arg-type]
                               s.delta[l + 1])  # type: ignore[arg-type]
        s.dc_da[l], s.sigma_prime[l], s.delta[l] = out.dc_da, out.sigma_prime, out.delta

    def _grads(self, l: int, s: StepState) -> None:
        # The same placement of 1/B as Network.backward, so the same bits.
        scale = self.net.grad_scaling(self.B)
        s.dW[l], s.db[l] = layer_grads(s.delta[l], s.a[l - 1], scale=scale)  # type: ignore[arg-type]

    def _update(self, _: None, s: StepState) -> tuple[list[tuple[Array, Array]], dict[str, Any]]:
        opt = self.optimizer
        if self._ctx.lr != opt.lr or self._ctx.opt_name != opt.name:
            self._ctx = self._context()  # α or the rule changed since the pass began
        before = (s.params, opt.state_dict())
        grads = Grads(s.delta, s.dW, s.db, s.sigma_prime, s.dc_da, float(s.loss or 0.0))
        self.optimizer.step(self.net, grads)
        s.params = list(self.net.params())
        return before

    # -- the numbers behind one cell ---------------------------------------------------------
    def explain(self, quantity: str, layer: int, row: int, col: int) -> str:
        """The arithmetic that produced one cell of a quantity, with its numbers."""
        if is_update_quantity(quantity):   # "W_before", "W_step", "W_after", … (the update)
            record = self.update_step()
            if record is None:
                return f"{quantity} of layer {layer}: the update is not done yet in this pass"
            return record.explain(quantity, layer, row, col)
        return fm.explain(self, quantity, layer, row, col)
