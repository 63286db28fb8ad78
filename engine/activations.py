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

    ``f(z, out)`` returns σ(z) and ``prime(z, a, out)`` returns σ'(z) given
    a = σ(z); both write into ``out`` when one is given (an array of z's shape
    the caller may overwrite), else into a new array.  ``prime`` is ``None``
    for softmax, whose Jacobian is not diagonal: it is only allowed on the
    output layer together with cross-entropy, where δ_L = a_L - y needs no σ'.
    """

    name: str
    symbol: str
    f: Callable[..., Array]
    prime: Callable[..., Array] | None


Out = Array | None


def _into(value: Array, out: Out) -> Array:
    """``value``, copied into ``out`` when one is given (for the rarely used rules)."""
    if out is None:
        return value
    np.copyto(out, value)
    return out


# sigmoid: σ(z) = 1 / (1 + e^{-z}) = ½ tanh(z/2) + ½, written through tanh so it never overflows.
def _sigmoid(z: Array, out: Out = None) -> Array:
    s = np.multiply(z, 0.5, out)
    np.tanh(s, s)  # in place: same numbers, one array for the four operations
    s *= 0.5
    s += 0.5
    return s


def _sigmoid_prime(z: Array, a: Array, out: Out = None) -> Array:
    """σ'(z) = a(1 - a), from the forward pass's a."""
    sp = np.subtract(1.0, a, out)
    sp *= a
    return sp


def _tanh(z: Array, out: Out = None) -> Array:
    return np.tanh(z, out)


def _tanh_prime(z: Array, a: Array, out: Out = None) -> Array:
    """tanh'(z) = 1 - a², from the forward pass's a."""
    sp = np.multiply(a, a, out)
    np.subtract(1.0, sp, sp)
    return sp


def _relu(z: Array, out: Out = None) -> Array:
    return np.maximum(z, 0.0, out=out)  # (np.maximum deprecates a positional out)


def _relu_prime(z: Array, a: Array, out: Out = None) -> Array:
    # The kink at 0 gets derivative 0, the usual convention.
    return np.greater(z, 0.0, out) if out is not None else (z > 0).astype(z.dtype)


LEAKY_SLOPE = 0.01


def _leaky_relu(z: Array, out: Out = None) -> Array:
    return _into(np.where(z > 0, z, LEAKY_SLOPE * z), out)


def _leaky_relu_prime(z: Array, a: Array, out: Out = None) -> Array:
    return _into(np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype, copy=False), out)


def _identity(z: Array, out: Out = None) -> Array:
    return _into(z, out)


def _identity_prime(z: Array, a: Array, out: Out = None) -> Array:
    if out is None:
        return np.ones_like(z)
    out.fill(1.0)
    return out


# softplus: log(1 + e^z), computed as logaddexp(0, z) to stay finite at z = 1000.
def _softplus(z: Array, out: Out = None) -> Array:
    return np.logaddexp(0.0, z, out)


def _softplus_prime(z: Array, a: Array, out: Out = None) -> Array:
    return _sigmoid(z, out)


# softmax over the rows of each column (each column is one sample).
def _softmax(z: Array, out: Out = None) -> Array:
    e = np.subtract(z, z.max(axis=0, keepdims=True), out)
    np.exp(e, e)
    e /= e.sum(axis=0, keepdims=True)
    return e


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
