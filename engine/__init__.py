"""Backprop Lens engine: backpropagation in matrix form, recorded step by step.

Pure numpy; never imports Qt.  See README for the API.
"""

from .activations import ACTIVATIONS, get_activation
from .losses import LOSSES
from .network import Grads, Layer, Network, Trace, check_lr
from .spec import validate_spec

__all__ = [
    "ACTIVATIONS", "LOSSES", "Grads", "Layer", "Network", "Trace",
    "check_lr", "get_activation", "validate_spec",
]
