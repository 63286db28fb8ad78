"""The trainer's record of its latest iteration: which samples it took, and their gradient.

The oracle is independent of the engine's backward pass: the update the weights show
(W_before − α·∂C/∂W) is compared with central differences of the loss on exactly the
samples ``last_indices`` names.
"""

import numpy as np
import pytest

from engine import Network, Trainer, TrainingDiverged, make_dataset, make_optimizer
from engine.experiment import Experiment

SPEC = {"input_size": 2, "seed": 3, "layers": [
    {"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]}
LR = 0.5


def small_trainer(bs=7):
    ds = make_dataset("moons", n_samples=40, noise=0.1, seed=0, val_fraction=0.0)
    net = Network.from_spec(SPEC)
    return Trainer(net, ds.X, ds.Y, optimizer=make_optimizer("sgd", LR), batch_size=bs, seed=5)


def numeric_grad(net, params, X, Y, h=1e-6):
    """∂C/∂θ by central differences of the loss on (X, Y), at ``params``."""
    out = []
    for l, (W, b) in enumerate(params):
        gW, gb = np.zeros_like(W), np.zeros_like(b)
        for arr, g in ((W, gW), (b, gb)):
            for i in np.ndindex(arr.shape):
                c = []
                for sign in (1, -1):
                    p = [(w.copy(), v.copy()) for w, v in params]
                    (p[l][0] if arr is W else p[l][1])[i] += sign * h
                    net.set_params(p)
                    c.append(net.loss_of(net.forward(X), Y))
                g[i] = (c[0] - c[1]) / (2 * h)
        out.append((gW, gb))
    net.set_params(params)
    return out


def test_last_indices_name_the_samples_the_update_was_computed_on():
    tr = small_trainer()
    assert tr.last_indices is None and tr.last_grads is None
    gen = tr.run(2)
    seen = []
    for _ in range(2 * tr.iterations_per_epoch):
        before = [(W.copy(), b.copy()) for W, b in tr.net.params()]
        next(gen)
        after = [(W.copy(), b.copy()) for W, b in tr.net.params()]
        idx = tr.last_indices
        seen.append(idx)
        numeric = numeric_grad(tr.net, before, tr.X[:, idx], tr.Y[:, idx])
        tr.net.set_params(after)
        for (Wb, bb), (Wa, ba), (gW, gb), dW, db in zip(before, after, numeric,
                                                        tr.last_grads.dW[1:],
                                                        tr.last_grads.db[1:], strict=True):
            np.testing.assert_allclose(Wa, Wb - LR * gW, atol=1e-7)
            np.testing.assert_allclose(ba, bb - LR * gb, atol=1e-7)
            np.testing.assert_allclose(dW, gW, atol=1e-7)
            np.testing.assert_allclose(db.ravel(), gb.ravel(), atol=1e-7)
    # one epoch takes every sample exactly once (the last batch is the remainder)
    k = tr.iterations_per_epoch
    for epoch in (seen[:k], seen[k:]):
        assert sorted(np.concatenate(epoch).tolist()) == list(range(40))
    assert [len(i) for i in seen[:k]] == [7] * 5 + [5]


def test_last_indices_is_a_copy():
    tr = small_trainer()
    next(tr.run(1))
    idx = tr.last_indices
    keep = idx.copy()
    idx[:] = -1
    assert np.array_equal(tr.last_indices, keep)


def test_walked_passes_record_their_batch_and_no_gradient():
    ex = Experiment.build(data={"name": "moons", "n_samples": 60, "noise": 0.1, "seed": 0})
    ex.select_sample(None)
    _X, _Y, idx = ex.pass_batch()
    while ex.trainer.iteration == 0:
        ex.step()
    assert np.array_equal(ex.trainer.last_indices, idx)
    assert ex.trainer.last_grads is None   # the stepper's own record holds this pass
    ex.step_back()                          # over the update: that iteration is gone
    assert ex.trainer.last_indices is None
    ex.select_sample(4)
    while ex.trainer.iteration == 0:
        ex.step()
    assert ex.trainer.last_indices.tolist() == [4]


def test_a_divergence_forgets_the_last_batch():
    ds = make_dataset("sine", n_samples=30, noise=0.0, seed=0, val_fraction=0.0)
    net = Network.from_spec({"input_size": 1, "seed": 0, "layers": [
        {"units": 4, "activation": "identity"}, {"units": 1, "activation": "identity"}]})
    tr = Trainer(net, ds.X * 100, ds.Y, batch_size=10, lr=1000.0)
    gen = tr.run(100)
    next(gen)
    assert tr.last_indices is not None   # a first iteration was recorded…
    with pytest.raises(TrainingDiverged):
        for _ in gen:
            pass
    assert tr.last_indices is None and tr.last_grads is None
