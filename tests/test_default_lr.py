"""Each built-in data set trains with its default α and the window's default network, and a
loss that grows by orders of magnitude stops training early, on weights from before the blow-up."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import Network, Trainer, make_dataset, make_optimizer
from engine.datasets import DATASETS, default_lr
from engine.training import GROWTH_EPOCH, GROWTH_ITERATION, TrainingDiverged

EPOCHS = 100


def default_net(ds, seed: int) -> Network:
    """The window's default network for ``ds``: 2-8-8-n_L, tanh, tanh, sigmoid (sine: identity)."""
    out = "identity" if ds.kind == "regression" else "sigmoid"
    return Network.from_spec({
        "input_size": ds.input_size, "loss": "squared", "seed": seed, "init": "xavier",
        "layers": [{"units": 8, "activation": "tanh"}, {"units": 8, "activation": "tanh"},
                   {"units": ds.output_size, "activation": out}]})


def trainer(name: str, lr: float, seed: int) -> Trainer:
    ds = make_dataset(name, n_samples=200, noise=0.1, seed=0)
    return Trainer(default_net(ds, seed), ds.X, ds.Y, ds.X_val, ds.Y_val,
                   make_optimizer("sgd", lr), batch_size=32, seed=seed)


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_built_in_set_trains_with_its_default_lr(name, seed):
    tr = trainer(name, default_lr(name), seed)
    # spiral learns slowest; run() raises TrainingDiverged if the loss blows up
    for _ in tr.run(EPOCHS * (4 if name == "spiral" else 1)):
        pass
    h = tr.history
    assert len(h.epoch_train) >= EPOCHS and all(math.isfinite(x) for x in h.iter_loss)
    # the loss falls: the last 5 epochs' mean clearly below the first epoch's
    assert np.mean(h.epoch_train[-5:]) < 0.97 * h.epoch_train[0], h.epoch_train[::20]
    # and never grows by an order of magnitude on the way
    assert max(h.epoch_train) < 10 * h.epoch_train[0]


def test_default_lr_of_imported_data_is_the_cautious_one():
    assert default_lr("my.csv") == 0.1 and default_lr("sine") == 0.1


def test_sine_at_the_old_default_stops_in_the_first_epochs_not_at_inf():
    tr = trainer("sine", 1.0, 0)
    start = [(W.copy(), b.copy()) for W, b in tr.net.params()]
    with pytest.raises(TrainingDiverged) as info:
        for _ in tr.run(100):
            pass
    msg = str(info.value)
    # caught by growth, long before inf (the issue saw 47 epochs of growth first)
    assert tr.epoch <= 2 and max(tr.history.iter_loss) < 1e12
    assert "diverged" in msg and "α = 1 " in msg and "α = 0.1" in msg and "set back" in msg
    assert msg.count("smaller learning rate") == 1
    # the blow-up began in the first epoch: the weights are those training started from
    assert info.value.kept_epoch == 0
    for (W, b), (W0, b0) in zip(tr.net.params(), start, strict=True):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)
    # training again with a smaller α starts from those weights and does not fail
    tr.optimizer.lr = 0.1
    for _ in tr.run(20):
        pass
    assert tr.history.epoch_train[-1] < 0.1


def constant_net(w: float) -> Network:
    """1-1 identity network y = w·x: its loss on (x, y) pairs is worked out by hand."""
    return Network.from_spec({"input_size": 1, "loss": "squared", "seed": 0, "layers": [
        {"units": 1, "activation": "identity", "W": [[w]], "b": [0.0]}]})


def one_sample() -> tuple[np.ndarray, np.ndarray]:
    return np.array([[1.0]]), np.array([[0.0]])


def test_growth_thresholds_by_hand():
    # One sample x = 1, y = 0; a = w·x + b, C = a². Gradient descent moves w and b by
    # −α·2a each, so a ← a(1 − 4α) and C ← C(1 − 4α)². At α = 51 that is 203² = 41209 per
    # step, from C₀ = 1: C = 1, 4.1·10⁴, 1.7·10⁹. Batch 1 of 1 sample: an epoch per step.
    # Epoch 2's mean 4.1·10⁴ exceeds GROWTH_EPOCH · 1 = 10⁴ (and C₀): it stops there,
    # before any loss reaches GROWTH_ITERATION · C₀ = 10⁶.
    tr = Trainer(constant_net(1.0), *one_sample(), optimizer=make_optimizer("sgd", 51.0),
                 batch_size=1)
    with pytest.raises(TrainingDiverged, match=r"end of epoch 2 \(iteration 2\)") as info:
        for _ in tr.run(10):
            pass
    assert tr.history.epoch_train == pytest.approx([1.0, 203.0**2])
    assert GROWTH_EPOCH < 203.0**2 < GROWTH_ITERATION
    # Epoch 1 ended at a = −203 already: the weights kept are those it started from.
    assert info.value.kept_epoch == 0 and "where this run started" in str(info.value)
    (W, b), = tr.net.params()
    assert (W[0, 0], b[0, 0]) == (1.0, 0.0)


def test_the_weights_kept_are_those_the_best_epoch_started_from():
    # As above, first at α = 0.1 (a ← 0.6·a: C = 1, 0.36, 0.13), then α = 51 from epoch 4
    # on, in the same run (the window lets α change while training). Epoch 4 is measured
    # at a₃ = 0.216 (C = 0.047, the lowest yet): the weights it started from are safe;
    # epoch 5 at a₄ = −203·a₃ has C = 1924 > 10⁴ · 0.047 and > C₀: diverged.
    tr = Trainer(constant_net(1.0), *one_sample(), optimizer=make_optimizer("sgd", 0.1),
                 batch_size=1)
    run = tr.run(10)
    for _ in range(3):
        next(run)
    tr.optimizer.lr = 51.0
    with pytest.raises(TrainingDiverged, match="end of epoch 3, before the loss") as info:
        for _ in run:
            pass
    assert info.value.kept_epoch == 3
    assert tr.history.epoch_train == pytest.approx([1, 0.36, 0.6**4, 0.6**6, 0.6**6 * 203**2])
    # a₃ = 0.6³ with w − b = 1 throughout (both move by the same step): w = (a + 1)/2
    (W, b), = tr.net.params()
    assert W[0, 0] == pytest.approx((0.216 + 1) / 2) and b[0, 0] == pytest.approx(-0.392)
    assert tr.optimizer.lr == 51.0   # α is the user's; only the weights went back


def test_a_loss_wobbling_near_zero_is_not_a_blow_up():
    # After a perfect fit the loss is ~1e-20; rising to 1e-15 is 10⁵ × the best epoch,
    # but far below C₀: not a divergence.
    X, Y = np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]])
    tr = Trainer(constant_net(1e-10), X, Y, optimizer=make_optimizer("sgd", 0.01),
                 batch_size=2, shuffle=False)
    tr._c0 = 1.0     # as if training had started far away (C₀ = 1)
    tr.history.epoch_train.append(1e-20)
    for _ in tr.run(3):
        pass
    assert len(tr.history.epoch_train) == 4
