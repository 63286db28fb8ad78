"""Cost functions and the output-layer sensitivity δ_L each one gives.

The seed's cost for one sample is c = ||a_L - y||²; over a batch of B columns
the engine reports C = (1/B) Σ_i c_i.  δ stays per sample (one column each).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import Activation

Array = np.ndarray

LOSSES = ("squared", "half_squared", "cross_entropy")


class OutputDelta(NamedTuple):
    """What the loss step of the backward pass records for layer L.

    ``dc_da`` is ∂c/∂a_L per sample (``None`` for cross-entropy, where the
    engine uses the simplified δ_L = a_L - y directly), ``sigma_prime`` is
    σ'_L(z_L) (``None`` for softmax).
    """

    dc_da: Array | None
    sigma_prime: Array | None
    delta: Array


def loss_value(loss: str, act: Activation, z: Array, a: Array, Y: Array) -> float:
    """Batch cost C = (1/B) Σ_i c(a_L^i, y_i)."""
    B = a.shape[1]
    if loss == "squared":
        diff = a - Y
        return float(np.vdot(diff, diff)) / B  # Σ of squares in one BLAS dot
    if loss == "half_squared":
        diff = a - Y
        return 0.5 * float(np.vdot(diff, diff)) / B
    if loss == "cross_entropy":
        if act.name == "softmax":
            # -Σ y log softmax(z), with log-softmax formed from z to stay finite.
            zmax = z.max(axis=0, keepdims=True)
            log_a = z - zmax - np.log(np.exp(z - zmax).sum(axis=0, keepdims=True))
            return -float(np.einsum("ij,ij->", Y, log_a)) / B
        # Binary cross-entropy per output unit, -[y log a + (1-y) log(1-a)],
        # rewritten as softplus(z) - y z so that a = 0 or 1 never gives log(0).
        return float(np.sum(np.logaddexp(0.0, z) - Y * z)) / B
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")


def output_delta(loss: str, act: Activation, z: Array, a: Array, Y: Array,
                 out: tuple[Array, Array, Array] | None = None) -> OutputDelta:
    """δ_L for each sample; for "squared" the seed's δ_L = 2(a_L - y) ⊙ σ'_L(z_L).

    ``out`` = arrays to write (∂c/∂a_L, σ'_L, δ_L) into; without, new arrays.
    """
    o_dc, o_sp, o_d = (None, None, None) if out is None else out
    if loss == "cross_entropy":
        # softmax + categorical CE and sigmoid + binary CE both give δ_L = a_L - y.
        sp = None if act.prime is None else act.prime(z, a, o_sp)
        return OutputDelta(None, sp, np.subtract(a, Y, out=o_d))
    assert act.prime is not None, "softmax is only allowed with cross_entropy"
    dc_da = np.subtract(a, Y, out=o_dc)
    if loss == "squared":
        dc_da *= 2.0
    sp = act.prime(z, a, o_sp)
    return OutputDelta(dc_da, sp, np.multiply(dc_da, sp, out=o_d))
