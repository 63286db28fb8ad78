"""Activation functions, each with its derivative right beside it.

Every derivative takes both ``z`` and ``a = σ(z)`` because most of them are
cheapest to express through the value already computed in the forward pass
(σ'(z) = a(1 - a) for the sigmoid, 1 - a² for tanh).  All functions are
stable for |z| in the thousands: no overflow warnings, no NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """A component-wise activation σ and its derivative σ'.

    ``prime`` is ``None`` for softmax, whose Jacobian is not diagonal: it is
    only allowed on the output layer together with cross-entropy, where
    δ_L = a_L - y needs no σ'.
    """

    name: str
    symbol: str
    f: Callable[[Array], Array]
    prime: Callable[[Array, Array], Array] | None


# sigmoid: σ(z) = 1 / (1 + e^{-z}) written through tanh so that it never overflows.
def _sigmoid(z: Array) -> Array:
    s = 0.5 * z
    np.tanh(s, out=s)  # in place on the temporary: same numbers, fewer allocations
    s *= 0.5
    s += 0.5
    return s


def _sigmoid_prime(z: Array, a: Array) -> Array:
    sp = 1.0 - a
    sp *= a
    return sp


def _tanh(z: Array) -> Array:
    return np.tanh(z)


def _tanh_prime(z: Array, a: Array) -> Array:
    sp = a * a
    np.subtract(1.0, sp, out=sp)
    return sp


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_prime(z: Array, a: Array) -> Array:
    # The kink at 0 gets derivative 0, the usual convention.
    return (z > 0).astype(z.dtype)


LEAKY_SLOPE = 0.01


def _leaky_relu(z: Array) -> Array:
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_relu_prime(z: Array, a: Array) -> Array:
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype, copy=False)


def _identity(z: Array) -> Array:
    return z


def _identity_prime(z: Array, a: Array) -> Array:
    return np.ones_like(z)


# softplus: log(1 + e^z), computed as logaddexp(0, z) to stay finite at z = 1000.
def _softplus(z: Array) -> Array:
    return np.logaddexp(0.0, z)


def _softplus_prime(z: Array, a: Array) -> Array:
    return _sigmoid(z)


# softmax over the rows of each column (each column is one sample).
def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", "sigmoid", _sigmoid, _sigmoid_prime),
        Activation("tanh", "tanh", _tanh, _tanh_prime),
        Activation("relu", "ReLU", _relu, _relu_prime),
        Activation("leaky_relu", "leaky ReLU", _leaky_relu, _leaky_relu_prime),
        Activation("identity", "identity", _identity, _identity_prime),
        Activation("softplus", "softplus", _softplus, _softplus_prime),
        Activation("softmax", "softmax", _softmax, None),
    )
}


def get_activation(name: str) -> Activation:
    """Look an activation up by name; raise ``ValueError`` naming the choices."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None
