"""Backprop Lens engine: backpropagation in matrix form, recorded step by step.

Pure numpy; never imports Qt.  See README ("Engine API") and docs/engine-api.md.
"""

from .activations import ACTIVATIONS, get_activation
from .checks import dimension_check, gradient_check, matrix_trick
from .datasets import DATASETS, Dataset, make_dataset
from .losses import LOSSES
from .network import Grads, Layer, Network, Trace, check_lr
from .optim import OPTIMIZERS, make_optimizer
from .spec import validate_spec
from .stepper import Stepper, StepRecord
from .training import History, Trainer, TrainingDiverged, TrainRecord

__all__ = [
    "ACTIVATIONS", "DATASETS", "LOSSES", "OPTIMIZERS", "Dataset", "Grads", "History", "Layer",
    "Network", "StepRecord", "Stepper", "Trace", "TrainRecord", "Trainer", "TrainingDiverged",
    "check_lr", "dimension_check", "get_activation", "gradient_check", "make_dataset",
    "make_optimizer", "matrix_trick", "validate_spec",
]
