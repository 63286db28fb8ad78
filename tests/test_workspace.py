"""Arrays reused between steps: a record anyone holds is never written again.

The engine writes a step's arrays into those of an earlier step once nobody
holds them (engine/workspace.py); these tests hold records in every way a
caller can (the trace, one array, a view of it, the weights) and check that
later steps leave them bit for bit as they were, and that the reuse happens.
"""

import weakref

import numpy as np
import pytest

from engine import Network, Trainer
from engine import spec as spec_mod
from engine.workspace import Workspace

SPEC = {"input_size": 3, "seed": 2, "layers": [
    {"units": 64, "activation": "tanh"}, {"units": 32, "activation": "relu"},
    {"units": 2, "activation": "sigmoid"}]}


def data(B, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(3, B)), rng.uniform(size=(2, B))


def records(trace, grads):
    arrays = [x for x in trace.z + trace.a if x is not None]
    for q in (grads.delta, grads.dW, grads.db, grads.sigma_prime, grads.dc_da):
        arrays += [x for x in q if x is not None]
    return arrays


@pytest.mark.parametrize("B", [5, 200])  # 200 × 64 units: big enough for the workspace
def test_records_a_caller_holds_survive_later_steps(B):
    X, Y = data(B)
    net = Network.from_spec(SPEC)
    trace = net.forward(X)
    grads = net.backward(trace, Y)
    held = records(trace, grads)
    copies = [x.copy() for x in held]
    only_z = trace.z[1]
    z_copy = only_z.copy()
    view = grads.dW[1][:3, :2]
    view_copy = view.copy()
    net.apply(grads, 0.1)
    params = net.params()
    params_copy = [(W.copy(), b.copy()) for W, b in params]
    del trace, grads
    for seed in range(1, 6):  # later steps on other data, nothing of theirs kept
        X2, Y2 = data(B, seed)
        net.apply(net.backward(net.forward(X2), Y2), 0.1)
    assert all(np.array_equal(x, c) for x, c in zip(held, copies, strict=True))
    assert np.array_equal(only_z, z_copy)
    assert np.array_equal(view, view_copy)
    for (W, b), (Wc, bc) in zip(params, params_copy, strict=True):
        assert np.array_equal(W, Wc) and np.array_equal(b, bc)


def test_arrays_nobody_holds_are_written_again():
    X, Y = data(200)
    net = Network.from_spec(SPEC)
    net.apply(net.backward(net.forward(X), Y), 0.1)
    first = weakref.ref(net.forward(X).z[1])  # the trace is dropped at once
    assert first() is not None  # kept alive by the workspace only
    assert net.forward(X).z[1] is first()  # …and handed out again


def test_a_flat_array_is_not_reused_while_one_view_is_held():
    ws = Workspace()
    layout = [(0, 6, (2, 3)), (6, 8, (2, 1))]
    g, views = ws.flat("g", 8, layout)
    w = views[1]
    del g, views
    g2, _ = ws.flat("g", 8, layout)
    assert w.base is not g2  # the held view's memory was not handed out
    del w, g2, _
    g3, _ = ws.flat("g", 8, layout)
    assert g3 is not None and ws.flat("g", 8, layout)[0] is not g3


def test_a_step_with_reuse_gives_the_bits_of_a_step_without():
    X, Y = data(200)
    a, b = Network.from_spec(SPEC), Network.from_spec(SPEC)
    b._ws.enabled = False
    for _ in range(4):
        ga = a.backward(a.forward(X), Y)
        gb = b.backward(b.forward(X), Y)
        assert ga.loss == gb.loss
        assert all(np.array_equal(x, y) for x, y in zip(ga.dW[1:], gb.dW[1:], strict=True))
        a.apply(ga, 0.1)
        b.apply(gb, 0.1)
    for (W1, b1), (W2, b2) in zip(a.params(), b.params(), strict=True):
        assert np.array_equal(W1, W2) and np.array_equal(b1, b2)


def test_the_flat_update_gives_the_bits_of_the_layer_by_layer_one():
    X, Y = data(50)
    a, b = Network.from_spec(SPEC), Network.from_spec(SPEC)
    for _ in range(3):
        ga = a.backward(a.forward(X), Y)
        gb = b.backward(b.forward(X), Y)
        assert ga.flat is not None
        gb.dW = [None if x is None else x.copy() for x in gb.dW]  # no longer views of flat
        a.apply(ga, 0.3)
        b.apply(gb, 0.3)
        for (W1, b1), (W2, b2) in zip(a.params(), b.params(), strict=True):
            assert np.array_equal(W1, W2) and np.array_equal(b1, b2)


def test_trainer_restores_finite_weights_after_divergence_with_reuse():
    from engine import TrainingDiverged
    X, Y = data(200)
    net = Network.from_spec(SPEC)
    tr = Trainer(net, X, Y * 1e200, batch_size=200, shuffle=False, lr=1000.0)
    with pytest.raises(TrainingDiverged):
        for _ in tr.run(50):
            pass
    assert all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in net.params())


# -- the data checks: O(1) for read-only data already checked ------------------------


def count_scans(monkeypatch):
    calls = []
    real = spec_mod.check_matrix

    def counting(*args):
        calls.append(args[2])
        return real(*args)

    monkeypatch.setattr(spec_mod, "check_matrix", counting)
    return calls


def test_read_only_data_is_scanned_once(monkeypatch):
    X, Y = data(10)
    X.flags.writeable = False
    Y.flags.writeable = False
    net = Network.from_spec(SPEC)
    calls = count_scans(monkeypatch)
    for _ in range(3):
        net.apply(net.backward(net.forward(X), Y), 0.1)
    assert calls == ["X", "Y"]


def test_writeable_data_is_scanned_every_time(monkeypatch):
    X, Y = data(10)
    net = Network.from_spec(SPEC)
    calls = count_scans(monkeypatch)
    for _ in range(3):
        net.backward(net.forward(X), Y)
    assert calls == ["X", "Y"] * 3
    X[1, 4] = np.nan  # so a NaN written between calls is still caught
    with pytest.raises(ValueError, match=r"X\[1, 4\] is nan"):
        net.forward(X)


def test_a_read_only_view_of_writeable_data_is_not_trusted():
    X, _ = data(10)
    view = X[:, :5]
    view.flags.writeable = False
    net = Network.from_spec(SPEC)
    net.forward(view)
    X[2, 3] = np.nan
    with pytest.raises(ValueError, match=r"X\[2, 3\] is nan"):
        net.forward(view)
