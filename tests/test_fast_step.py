"""forward/backward/apply (engine/fast_step.py) against the per-layer functions.

The network's step runs as straight loops; the stepper walks the per-layer
functions one call at a time.  Both must give the same bits for every record
(z, a, σ', ∂c/∂a, δ, dW, db, the loss and the updated weights), for every
activation and loss, with fresh arrays (small batches) and with arrays written
again from the workspace (big batches), over several steps.
"""

import numpy as np
import pytest

import engine.network as nw
from engine import Network, Trainer
from engine.activations import ACTIVATIONS
from engine.stepper import Stepper

HIDDEN = [name for name in ACTIVATIONS if name != "softmax"]
# (output activation, loss): every pair the spec allows.
OUTPUTS = ([(a, "squared") for a in HIDDEN] + [(a, "half_squared") for a in HIDDEN]
           + [("sigmoid", "cross_entropy"), ("softmax", "cross_entropy")])
KEYS = ("z", "a", "sigma_prime", "dc_da", "delta", "dW", "db")


def make(hidden, out, loss, B, seed=0):
    spec = {"input_size": 3, "seed": seed, "loss": loss, "layers": [
        {"units": 16, "activation": hidden}, {"units": 5, "activation": HIDDEN[seed % 6]},
        {"units": 2, "activation": out}]}
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3, B))
    if loss == "cross_entropy" and out == "softmax":
        Y = np.eye(2)[:, rng.integers(0, 2, size=B)]
    else:
        Y = rng.uniform(size=(2, B))
    return Network.from_spec(spec), X, Y


def same(x, y):
    return (x is None and y is None) or (x is not None and y is not None
                                          and x.shape == y.shape and np.array_equal(x, y))


def records(trace, grads):
    return {"z": trace.z, "a": trace.a, "sigma_prime": grads.sigma_prime,
            "dc_da": grads.dc_da, "delta": grads.delta, "dW": grads.dW, "db": grads.db}


@pytest.mark.parametrize("out,loss", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("B", [1, 6, 300])  # 300 × 16 units: the workspace's arrays
def test_every_record_is_what_the_walked_steps_give(hidden, out, loss, B):
    net, X, Y = make(hidden, out, loss, B)
    walked, _, _ = make(hidden, out, loss, B)
    st = Stepper(walked, X, Y, lr=0.05)
    for _ in range(3):  # three updates: later steps run on arrays written again
        trace = net.forward(X)
        grads = net.backward(trace, Y)
        for _ in range(st.K - 1):
            st.next()
        s = st.state
        got = records(trace, grads)
        for q in KEYS:
            for l in range(1, net.L + 1):
                assert same(got[q][l], getattr(s, q)[l]), (q, l)
        assert grads.loss == s.loss
        net.apply(grads, 0.05)
        st.next()  # the update
        for (W1, b1), (W2, b2) in zip(net.params(), walked.params(), strict=True):
            assert np.array_equal(W1, W2) and np.array_equal(b1, b2)


@pytest.mark.parametrize("B", [4, 300])
def test_the_per_layer_path_gives_the_same_bits(monkeypatch, B):
    """With a layer function replaced (as tests do) the network calls it per layer: same bits."""
    fast, X, Y = make("tanh", "sigmoid", "squared", B, seed=1)
    slow, _, _ = make("tanh", "sigmoid", "squared", B, seed=1)
    real = nw.layer_grads
    calls = []

    def counted(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    for _ in range(3):
        tf = fast.forward(X)
        gf = fast.backward(tf, Y)
        with monkeypatch.context() as m:
            m.setattr(nw, "layer_grads", counted)
            ts = slow.forward(X)
            gs = slow.backward(ts, Y)
        assert gf.loss == gs.loss
        for q, values in records(tf, gf).items():
            for l in range(1, fast.L + 1):
                assert same(values[l], records(ts, gs)[q][l]), (q, l)
        fast.apply(gf, 0.1)
        slow.apply(gs, 0.1)
    assert len(calls) == 3 * fast.L  # the replacement was called: the per-layer path ran
    for (W1, b1), (W2, b2) in zip(fast.params(), slow.params(), strict=True):
        assert np.array_equal(W1, W2) and np.array_equal(b1, b2)


def test_squared_loss_is_the_mean_of_squares_of_the_output_error():
    net, X, Y = make("tanh", "sigmoid", "squared", 7)
    trace = net.forward(X)
    grads = net.backward(trace, Y)
    aL = trace.a[-1]
    expected = sum((aL[i, j] - Y[i, j]) ** 2 for i in range(2) for j in range(7)) / 7
    assert grads.loss == pytest.approx(expected, rel=1e-14)
    np.testing.assert_array_equal(grads.dc_da[-1], 2 * (aL - Y))
    half, _, _ = make("tanh", "sigmoid", "half_squared", 7)
    assert half.backward(half.forward(X), Y).loss == pytest.approx(expected / 2, rel=1e-14)


def test_softmax_in_a_hidden_layer_is_refused_by_backward():
    net, X, Y = make("tanh", "sigmoid", "squared", 3)
    net.layers[0].activation = ACTIVATIONS["softmax"]  # past the spec's own check
    with pytest.raises(ValueError, match="softmax is only allowed on the output layer"):
        net.backward(net.forward(X), Y)


def test_training_takes_the_same_path_as_the_walked_steps():
    """A Trainer iteration on the full batch updates exactly as a walked pass."""
    net, X, Y = make("relu", "sigmoid", "squared", 300)
    walked, _, _ = make("relu", "sigmoid", "squared", 300)
    tr = Trainer(net, X, Y, batch_size=300, shuffle=False, lr=0.2)
    st = Stepper(walked, X, Y, lr=0.2)
    for rec in tr.run(4):
        for _ in range(st.K):
            st.next()
        assert rec.loss == st.state.loss
    for (W1, b1), (W2, b2) in zip(net.params(), walked.params(), strict=True):
        assert np.array_equal(W1, W2) and np.array_equal(b1, b2)


@pytest.mark.parametrize("B", [6, 300])
@pytest.mark.parametrize("hidden,out,loss", [("tanh", "sigmoid", "squared"),
                                             ("relu", "identity", "half_squared"),
                                             ("softplus", "softmax", "cross_entropy")])
def test_factors_asked_for_after_later_steps_are_those_of_their_pass(hidden, out, loss, B):
    """σ'_ℓ and ∂c/∂a_ℓ are formed when first asked for: after updates, on other data,
    they must still be the numbers of the pass that made the gradients."""
    net, X, Y = make(hidden, out, loss, B)
    walked, _, _ = make(hidden, out, loss, B)
    st = Stepper(walked, X, Y, lr=0.05)
    for _ in range(st.K - 1):
        st.next()
    want = {q: [None if x is None else x.copy() for x in getattr(st.state, q)]
            for q in ("sigma_prime", "dc_da")}
    grads = net.backward(net.forward(X), Y)
    net.apply(grads, 0.05)
    for seed in range(1, 4):  # later steps write the arrays nobody holds
        X2, Y2 = make(hidden, out, loss, B, seed)[1:]
        net.apply(net.backward(net.forward(X2), Y2), 0.05)
    for q in ("sigma_prime", "dc_da"):
        for l in range(1, net.L + 1):
            assert same(getattr(grads, q)[l], want[q][l]), (q, l)
