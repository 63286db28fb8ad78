"""The network's output over the input plane (decision boundary) or line (1-D regression).

Pure numpy: the GUI draws these arrays and computes nothing itself.

Layout: for a 2-D input, grid point (i, j) is x = (xs[j], ys[i]) — rows follow y,
columns follow x, exactly as ``np.meshgrid(xs, ys)``. Row 0 is the *smallest* y,
so a view with y pointing up draws ``values.score`` with row 0 at the bottom.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

Array = np.ndarray

RESOLUTION_RANGE = (2, 2000)
# Grid points evaluated at once; between chunks a long evaluation can be cancelled.
CHUNK_POINTS = 2048


class GridCancelled(Exception):
    """``should_stop`` asked a grid evaluation to stop (a newer one superseded it)."""


def grid_cost(net: Any, resolution: int) -> int:
    """About how many multiply-adds a resolution × resolution grid of ``net`` takes."""
    return resolution * resolution * int(net.n_params())


class GridValues(NamedTuple):
    """What the network says at every grid point (shapes for an ny × nx grid).

    Attributes
    ----------
    a_L : (n_L, ny, nx) float
        The raw network output a_L at each point.
    cls : (ny, nx) int or None
        For n_L > 1 outputs: the predicted class, argmax over the n_L outputs.
        None for a single output unit (there the class is read off ``score``).
    score : (ny, nx) float
        What to colour: a_L itself for one output unit; for n_L > 1 the largest
        output (the winning class's probability for a softmax output).
    """

    a_L: Array
    cls: Array | None
    score: Array


def _limits(lim: Any, what: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a pair (low, high) of numbers, got {lim!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise ValueError(f"{what} must be finite with low < high, got ({lo}, {hi})")
    return lo, hi


def _count(n: Any, what: str) -> int:
    lo, hi = RESOLUTION_RANGE
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not lo <= n <= hi:
        raise ValueError(f"{what} must be an integer in [{lo}, {hi}], got {n!r}")
    return int(n)


def _predict(net: Any, X: Array, should_stop: Any) -> Array:
    """a_L for the columns of X, chunk by chunk when it may be cancelled."""
    if should_stop is None or X.shape[1] <= CHUNK_POINTS:
        return net.predict(X)
    parts = []
    for start in range(0, X.shape[1], CHUNK_POINTS):
        if should_stop():
            raise GridCancelled
        parts.append(net.predict(X[:, start:start + CHUNK_POINTS]))
    return np.concatenate(parts, axis=1)


def decision_grid(net: Any, xlim: Any, ylim: Any, resolution: int = 100,
                  should_stop: Any = None) -> tuple[Array, Array, GridValues]:
    """Evaluate a 2-input network on a resolution × resolution grid.

    Parameters
    ----------
    net : engine.Network with ``input_size == 2``.
    xlim, ylim : (low, high) of the plane, inclusive.
    resolution : points per axis.
    should_stop : callable, optional
        Asked between chunks of grid points; ``GridCancelled`` when it says True.

    Returns
    -------
    xs : (resolution,) grid x coordinates; ys : (resolution,) grid y coordinates;
    values : GridValues, see its docstring (row i ↔ ys[i], column j ↔ xs[j]).
    """
    if net.input_size != 2:
        raise ValueError(f"a decision grid needs a network with 2 inputs, this one has "
                         f"{net.input_size}")
    n = _count(resolution, "resolution")
    xs = np.linspace(*_limits(xlim, "xlim"), n)
    ys = np.linspace(*_limits(ylim, "ylim"), n)
    XX, YY = np.meshgrid(xs, ys)
    # every grid point is one column of the input matrix, as in the seed's X
    X = np.vstack([XX.ravel(), YY.ravel()])
    a_L = _predict(net, X, should_stop).reshape(-1, n, n)
    if a_L.shape[0] == 1:
        return xs, ys, GridValues(a_L, None, a_L[0])
    return xs, ys, GridValues(a_L, a_L.argmax(axis=0), a_L.max(axis=0))


def curve(net: Any, xlim: Any, n: int = 200) -> tuple[Array, Array]:
    """Evaluate a 1-input network on n evenly spaced points of xlim.

    Returns
    -------
    xs : (n,) inputs; ys : (n_L, n) the network output a_L (``ys[0]`` for one output).
    """
    if net.input_size != 1:
        raise ValueError(f"a 1-D curve needs a network with 1 input, this one has "
                         f"{net.input_size}")
    xs = np.linspace(*_limits(xlim, "xlim"), _count(n, "n"))
    return xs, net.predict(xs[None, :])


def padded_limits(X: Any, pad: float = 0.15) -> list[tuple[float, float]]:
    """Per input row of X (n_0, N): (low, high) widened by ``pad`` × range on each side.

    A row with zero range gets ±1 around its value, so the limits are always usable.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] == 0 or not np.isfinite(X).all():
        raise ValueError(f"X must be a finite (n_0, N) matrix with N ≥ 1, got shape {X.shape}")
    out = []
    for lo, hi in zip(X.min(axis=1), X.max(axis=1), strict=True):
        span = hi - lo
        if span == 0:
            out.append((float(lo) - 1.0, float(hi) + 1.0))
        else:
            out.append((float(lo - pad * span), float(hi + pad * span)))
    return out
