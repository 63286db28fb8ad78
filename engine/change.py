"""What a change of an experiment touched (``Experiment`` methods return it)."""

from __future__ import annotations

from enum import Flag, auto


class Change(Flag):
    """What a change touched; views redraw what shows it, once."""

    NONE = 0
    NETWORK = auto()    # a new Network: architecture, activations or loss
    WEIGHTS = auto()    # the values of W and b
    STEP = auto()       # the stepper's position or pass
    DATA = auto()       # the data set
    SETTINGS = auto()   # α, batch size, optimizer, the stepped sample
    HISTORY = auto()    # the loss history (replaced, grown or cut)
    ALL = NETWORK | WEIGHTS | STEP | DATA | SETTINGS | HISTORY
