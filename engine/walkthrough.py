"""One whole training iteration collected as a document: every step, in order.

``walk_pass`` walks a pass with the engine's own ``Stepper`` (so every number
is the engine's record, not a recomputation) and keeps, per step, the seed's
equation, the dimension check and the matrices that step computed.  The
renderers in ``engine.handout`` turn the result into HTML, Markdown, LaTeX or
a JSON answer key (``answer_key``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import formulas as fm
from .network import Network
from .optim import make_optimizer
from .stepper import Stepper

Array = np.ndarray
# The per-layer quantities of the answer key, in the order of the pass.
LAYER_KEYS = ("z", "a", "sigma_prime", "dc_da", "delta", "dW", "db")


@dataclass(frozen=True)
class Matrix:
    """One matrix shown in a step: its quantity key, layer, symbol and values."""

    quantity: str
    layer: int | None
    symbol: str
    values: Array

    @property
    def shape_text(self) -> str:
        """'(8×1)' — rows = units, columns = samples (or fan-in for W)."""
        return fm.shape(self.values)


@dataclass(frozen=True)
class PassStep:
    """One step of the pass: the seed's texts and the matrices it computed."""

    k: int
    kind: str
    phase: str
    layer: int | None
    title: str
    formula: str
    shapes: str
    matrices: tuple[Matrix, ...]
    loss: float | None = None


@dataclass
class Walkthrough:
    """A whole pass: the network before and after, the data, and every step.

    ``layers[ℓ - 1]`` maps each key of ``LAYER_KEYS`` to the array of layer ℓ
    (``None`` where the engine has none: ``dc_da`` of a cross-entropy output,
    ``sigma_prime`` of softmax).
    """

    before: dict[str, Any]
    after: dict[str, Any]
    X: Array
    Y: Array
    lr: float
    optimizer: str
    loss_name: str
    loss: float
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    steps: list[PassStep]
    layers: list[dict[str, Array | None]]
    title: str = ""
    note: str = ""
    source: str = ""

    @property
    def B(self) -> int:
        """Samples in the pass (columns of X)."""
        return int(self.X.shape[1])

    @property
    def L(self) -> int:
        return len(self.sizes) - 1

    @property
    def architecture(self) -> str:
        """'2-8-8-1'."""
        return "-".join(str(n) for n in self.sizes)


def _matrix(quantity: str, layer: int | None, L: int, values: Array | None
            ) -> Matrix | None:
    if values is None:
        return None
    sym = fm.symbol(quantity, layer, L) if layer is not None else quantity
    return Matrix(quantity, layer, sym, np.array(values, dtype=np.float64, copy=True))


def step_matrices(st: Stepper, rec: Any) -> list[Matrix]:
    """The matrices step ``rec`` of the stepper's current pass used and computed.

    z: W, b (the weights the pass uses) and z; a: a; δ: ∂c/∂a (or Wᵀδ), σ' and δ;
    gradients: ∂C/∂W and ∂C/∂b; the update: every W and b after it.
    """
    s = st.state
    l = rec.layer
    L = st.net.L
    found: list[Matrix | None] = []
    if rec.kind == "z":
        W, b = st.params_used()[l - 1]
        found = [_matrix("W", l, L, W), _matrix("b", l, L, b), _matrix("z", l, L, s.z[l])]
    elif rec.kind == "a":
        found = [_matrix("a", l, L, s.a[l])]
    elif rec.kind == "delta":
        found = [_matrix(q, l, L, getattr(s, q)[l]) for q in ("dc_da", "sigma_prime", "delta")]
    elif rec.kind == "grads":
        found = [_matrix("dW", l, L, s.dW[l]), _matrix("db", l, L, s.db[l])]
    elif rec.kind == "update":
        for m, (W, b) in enumerate(s.params, start=1):
            found += [_matrix("W", m, L, W), _matrix("b", m, L, b)]
    return [m for m in found if m is not None]


def walk_pass(net: Network, X: Array, Y: Array, lr: float = 0.1, optimizer: str = "sgd",
              title: str = "", note: str = "", source: str = "",
              optimizer_state: dict[str, Any] | None = None) -> Walkthrough:
    """Walk one full pass of ``net`` on (X, Y) and collect every step.

    Parameters
    ----------
    net : Network
        Not changed: the pass runs on a copy.
    X, Y : array
        (n_0, B) and (n_L, B): one sample (B = 1, the seed's form) or a batch.
    lr : float
        The learning rate α of the update step.
    optimizer : str
        One of ``engine.optim.OPTIMIZERS``; "sgd" is the seed's update.
    title, note, source : str
        Carried into the documents (e.g. a worked example's note and citation).
    optimizer_state : dict, optional
        Momentum or Adam state at the start of the pass (default: fresh).

    Returns
    -------
    Walkthrough

    Raises
    ------
    ValueError
        On data that does not fit the network, or a bad lr / optimizer name.
    """
    net = net.copy()
    before = net.to_spec()
    opt = make_optimizer(optimizer, lr)
    if optimizer_state:
        opt.load_state_dict(optimizer_state)
        opt.lr = float(lr)   # the state carries α too: the α asked for wins
    st = Stepper(net, X, Y, optimizer=opt)
    L = net.L
    steps: list[PassStep] = []
    for _ in range(st.K):
        rec = st.next()
        s = st.state
        l = rec.layer
        found = step_matrices(st, rec)
        title_, formula, shapes = rec.texts()
        steps.append(PassStep(rec.k, rec.kind, rec.phase, l, title_, formula, shapes,
                              tuple(found),
                              s.loss if rec.kind == "loss" else None))
    s = st.state
    layers = [{key: (None if getattr(s, key)[l] is None else np.array(getattr(s, key)[l]))
               for key in LAYER_KEYS} for l in range(1, L + 1)]
    return Walkthrough(before, net.to_spec(), np.array(st.X), np.array(st.Y),
                       float(st.optimizer.lr), st.optimizer.name, net.loss,
                       float(s.loss if s.loss is not None else np.nan), tuple(net.sizes),
                       tuple(ly.activation.name for ly in net.layers), steps, layers,
                       title, note, source)


def _nested(arr: Array | None) -> Any:
    return None if arr is None else np.asarray(arr, dtype=np.float64).tolist()


def answer_key(w: Walkthrough) -> dict[str, Any]:
    """The pass as a JSON-able dict for autograders; floats at full precision.

    Top level: ``network`` (the spec before the pass), ``X``, ``Y``, ``lr``,
    ``optimizer``, ``loss`` (the cost C of the pass), ``layers`` (ℓ = 1..L, each
    with ``z``, ``a``, ``sigma_prime``, ``dc_da``, ``delta``, ``dW``, ``db`` as
    nested lists, rows = units, columns = samples; ``null`` where the engine
    has none) and ``after`` (the spec after the update).
    """
    return {
        "format": "backprop-lens answer key", "version": 1,
        "network": w.before, "X": _nested(w.X), "Y": _nested(w.Y),
        "lr": w.lr, "optimizer": w.optimizer, "loss_function": w.loss_name, "loss": w.loss,
        "layers": [{"layer": l, **{k: _nested(d[k]) for k in LAYER_KEYS}}
                   for l, d in enumerate(w.layers, start=1)],
        "after": w.after,
        "steps": [{"k": s.k, "title": s.title, "formula": s.formula, "shapes": s.shapes}
                  for s in w.steps],
        **({"title": w.title} if w.title else {}),
        **({"note": w.note} if w.note else {}),
        **({"source": w.source} if w.source else {}),
    }
