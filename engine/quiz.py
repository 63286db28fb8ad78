"""Predict, then check: a quiz on the quantities the stepper's next step computes.

The student sees what the next step computes as "?" (``Quiz.question``), types the value
of one cell or of a whole small matrix, and the quiz compares it with the engine's own
value: right if |answer − value| ≤ atol + rtol·|value| (both settable). On a miss the
answer comes with the worked computation of that cell (``Stepper.explain``). The values
are obtained by taking the step on a fork of the stepper (``Stepper.fork``: its own
network, optimizer and undo history), so asking never moves or touches the stepper the
student sees: the caller reveals by stepping. After the update the next pass begins on
the data ``next_batch()`` gives (an experiment's ``pass_batch``: the mini-batch training
takes next), else on the same batch.

Each checked cell is recorded as an ``Answer``; ``score()`` counts them per pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .formulas import symbol
from .stepper import COMPUTES, Stepper

# What a quiz may ask: the per-layer quantities the steps compute (W, b: after the update).
QUIZZABLE = ("z", "a", "sigma_prime", "dc_da", "delta", "dW", "db", "W", "b")
DEFAULT_QUIZZED = ("z", "a", "delta", "dW", "db")
MAX_CELLS = 64  # a "whole small matrix": bigger ones are asked cell by cell
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_ROWS = re.compile(r"[;\n]")


def parse_number(text: str) -> float:
    """A typed number: "0.5", "-.3", "1e-3", "+2", a decimal comma "0,25", "−0.5" (minus sign).

    Raises ``ValueError`` with the reason for anything else (empty, words, "1,2,3", inf).
    """
    s = str(text).strip().replace("−", "-").replace(" ", "")
    if not s:
        raise ValueError("no number typed")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")   # decimal comma, as many keyboards write it
    elif "," in s:
        raise ValueError(f"{text.strip()!r} has more than one decimal separator")
    if not _NUMBER.fullmatch(s):
        raise ValueError(f"{text.strip()!r} is not a number (examples: 0.5, -.3, 1e-3, 0,25)")
    value = float(s)
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()!r} is too large")
    return value


def parse_block(text: str) -> list[list[str]]:
    """Split a typed block into rows (";" or a new line) of cells (spaces or tabs).

    "0.1 0.2; 0.3 0.4" is a 2×2 block, "0.5" one cell; a decimal comma stays inside its
    cell ("0,25 -1"). The cells are checked as numbers later (``parse_number``).
    """
    rows = [r.split() for r in _ROWS.split(str(text).replace("−", "-"))]
    rows = [r for r in rows if r]
    return rows or [[""]]


@dataclass(frozen=True)
class Question:
    """What the next step computes: the quizzed quantities of one layer and their shapes."""

    k: int                                  # the step's index in the pass (0-based)
    kind: str
    layer: int
    quantities: tuple[str, ...]
    shapes: tuple[tuple[int, int], ...]
    symbols: tuple[str, ...]                # e.g. ("δ₂",)


@dataclass(frozen=True)
class Answer:
    """One checked cell: what was typed, the engine's value, and the verdict."""

    pass_index: int
    k: int
    quantity: str
    layer: int
    row: int
    col: int
    text: str
    value: float
    expected: float
    correct: bool
    worked: str = ""                        # the worked computation, on a miss

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Answer:
        """Rebuild from ``to_dict`` (``TypeError``/``ValueError`` on a field of the wrong type)."""
        types = {"pass_index": int, "k": int, "quantity": str, "layer": int, "row": int,
                 "col": int, "text": str, "value": float, "expected": float, "correct": bool,
                 "worked": str}
        if not isinstance(d, dict):
            raise TypeError(f"an answer must be an object, got {type(d).__name__}")
        unknown = set(d) - set(types)
        if unknown:
            raise ValueError(f"an answer has an unknown field {sorted(unknown)[0]!r}")
        out: dict[str, Any] = {}
        for name, t in types.items():
            if name not in d:
                if name == "worked":
                    continue
                raise ValueError(f"an answer is missing {name!r}")
            v = d[name]
            ok = (isinstance(v, (int, float)) and not isinstance(v, bool) if t is float
                  else isinstance(v, t) and (t is bool or not isinstance(v, bool)))
            if not ok:
                raise TypeError(f"answer field {name!r} must be {t.__name__}, got {v!r}")
            out[name] = float(v) if t is float else v
        if out["quantity"] not in QUIZZABLE:
            raise ValueError(f"an answer names an unknown quantity {out['quantity']!r}")
        return cls(**out)


@dataclass
class Score:
    """Correct and asked cells of one pass."""

    correct: int = 0
    asked: int = 0


@dataclass
class QuizSettings:
    """Which quantities are quizzed and how close an answer must be."""

    quantities: tuple[str, ...] = DEFAULT_QUIZZED
    rtol: float = 1e-2      # three significant digits are enough
    # Small: gradients are often ~1e-4, and "0" must not pass for them; it only
    # forgives rounding of values that are zero or nearly (ReLU's σ', a dead unit's δ).
    atol: float = 1e-4

    def __post_init__(self) -> None:
        bad = [q for q in self.quantities if q not in QUIZZABLE]
        if bad:
            raise ValueError(f"cannot quiz {bad[0]!r}; choose from {', '.join(QUIZZABLE)}")
        for name in ("rtol", "atol"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 1e6 \
                    or not math.isfinite(v):
                raise ValueError(f"tolerance {name} must be a number ≥ 0, got {v!r}")
        self.quantities = tuple(self.quantities)


@dataclass
class Quiz:
    """Questions and checked answers on a ``Stepper``; never moves it (see module docstring)."""

    stepper: Stepper
    settings: QuizSettings = field(default_factory=QuizSettings)
    answers: list[Answer] = field(default_factory=list)
    # (X, Y, sample indices) of the next pass, asked only after the update step.
    next_batch: Callable[[], tuple[Any, Any, Any]] | None = None
    # The number answers are filed under (e.g. the trainer's iteration); default the
    # stepper's own pass count.
    pass_index: int | None = None

    def _next_step(self) -> tuple[int, Any]:
        st = self.stepper
        k = st.k if st.k < st.K else 0   # after the update the next pass begins
        return k, st.plan[k]

    def question(self) -> Question | None:
        """What the next step computes that is quizzed, or None (nothing quizzed there)."""
        k, info = self._next_step()
        qs = tuple(q for q in COMPUTES[info.kind] if q in self.settings.quantities)
        if not qs:
            return None
        # after the update the question is about W, b of every layer: ask about the last
        layer = info.layer if info.layer is not None else self.stepper.net.L
        shapes, asked = [], []
        with self._peek() as st:
            for q in qs:
                arr = st.state.quantity(q, layer)
                if arr is None:   # not made by this step for this loss (∂c/∂a_L, σ'_L
                    continue      # under cross-entropy): nothing to ask
                asked.append(q)
                shapes.append((int(arr.shape[0]), int(arr.shape[1])))
        if not asked:
            return None
        qs = tuple(asked)
        L = self.stepper.net.L
        return Question(k, info.kind, layer, qs, tuple(shapes),
                        tuple(symbol(q, layer, L) for q in qs))

    @contextmanager
    def _peek(self) -> Iterator[Stepper]:
        """A fork of the stepper that has taken the next step (the stepper is untouched)."""
        st = self.stepper
        fork = st.fork()
        batch = self.next_batch() if st.k == st.K and self.next_batch is not None else None
        # A diverging step shows its inf/nan; the warnings on the way are noise here.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            fork.next(batch)
            yield fork

    def check_cell(self, quantity: str, layer: int, row: int, col: int, text: str) -> Answer:
        """Check one typed cell of what the next step computes.

        Raises ``ValueError`` with the reason for a non-number (nothing is recorded), or
        for a quantity/cell the next step does not compute.
        """
        return self.check_matrix(quantity, layer, [[text]], row, col)[0]

    def check_matrix(self, quantity: str, layer: int, texts: Sequence[Sequence[str]],
                     row0: int = 0, col0: int = 0) -> list[Answer]:
        """Check a block of typed cells starting at (row0, col0); all must be numbers.

        After the update step any layer's W and b may be asked, otherwise only the layer
        the next step works on.
        """
        q = self.question()
        L = self.stepper.net.L
        fits = q is not None and quantity in q.quantities and (
            layer == q.layer or (q.kind == "update" and 1 <= layer <= L))
        if q is None or not fits:
            what = "nothing quizzed" if q is None else ", ".join(q.symbols)
            raise ValueError(f"the next step computes {what}, not {symbol(quantity, layer, L)}")
        if layer == q.layer:
            shape = q.shapes[q.quantities.index(quantity)]
        else:
            W, b = self.stepper.net.params()[layer - 1]
            shape = (W if quantity == "W" else b).shape
        rows, cols = len(texts), max((len(r) for r in texts), default=0)
        if rows == 0 or cols == 0 or any(len(r) != cols for r in texts):
            raise ValueError("the answer must be a non-empty rectangle of cells")
        if rows * cols > MAX_CELLS:
            raise ValueError(f"at most {MAX_CELLS} cells at once, got {rows * cols}")
        if not (0 <= row0 and 0 <= col0 and row0 + rows <= shape[0]
                and col0 + cols <= shape[1]):
            raise ValueError(f"cells [{row0}..{row0 + rows - 1}, {col0}..{col0 + cols - 1}] "
                             f"are outside the {shape[0]}×{shape[1]} matrix")
        values = []
        for i, r in enumerate(texts):
            for j, t in enumerate(r):
                try:
                    values.append(parse_number(t))
                except ValueError as e:
                    raise ValueError(f"cell [{row0 + i}, {col0 + j}]: {e}") from None
        out = []
        s = self.settings
        with self._peek() as st:
            arr = st.state.quantity(quantity, layer)
            assert arr is not None
            pass_index = st.state.pass_index if self.pass_index is None else self.pass_index
            for n, v in enumerate(values):
                i, j = row0 + n // cols, col0 + n % cols
                expected = float(arr[i, j])
                ok = bool(abs(v - expected) <= s.atol + s.rtol * abs(expected))
                worked = "" if ok else st.explain(quantity, layer, i, j)
                out.append(Answer(pass_index, q.k, quantity, layer, i, j,
                                  texts[n // cols][n % cols], v, expected, ok, worked))
        self.answers += out
        return out

    def score(self) -> dict[int, Score]:
        """Correct and asked cells per pass (pass index → Score)."""
        return score_answers(self.answers)


def score_answers(answers: list[Answer]) -> dict[int, Score]:
    """Correct and asked cells per pass (pass index → Score), from the answers given."""
    out: dict[int, Score] = {}
    for a in answers:
        sc = out.setdefault(a.pass_index, Score())
        sc.asked += 1
        sc.correct += a.correct
    return out


def expected_matrix(quiz: Quiz, quantity: str, layer: int) -> np.ndarray:
    """The engine's value of what the next step computes (a copy), e.g. to reveal it."""
    with quiz._peek() as st:
        arr = st.state.quantity(quantity, layer)
        if arr is None:
            raise ValueError(f"the next step does not compute {quantity} of layer {layer}")
        return np.array(arr)
