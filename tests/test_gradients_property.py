"""Every dW, db agrees with the seed's central-difference check, for random networks."""

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from engine import Network
from engine.checks import gradient_check, numerical_gradient, relative_error

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softplus"]
OUTPUTS = {"squared": HIDDEN, "half_squared": HIDDEN, "cross_entropy": ["softmax", "sigmoid"]}


@st.composite
def problems(draw):
    loss = draw(st.sampled_from(sorted(OUTPUTS)))
    depth = draw(st.integers(1, 5))
    widths = draw(st.lists(st.integers(1, 12), min_size=depth, max_size=depth))
    acts = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)]
    acts.append(draw(st.sampled_from(OUTPUTS[loss])))
    n0 = draw(st.integers(1, 12))
    B = draw(st.integers(1, 16))
    seed = draw(st.integers(0, 2**32 - 1))
    init = draw(st.sampled_from(["xavier", "he", "uniform"]))
    return loss, n0, widths, acts, B, seed, init


@given(problems())
def test_backprop_matches_central_differences(problem):
    loss, n0, widths, acts, B, seed, init = problem
    assume(not (acts[-1] == "softmax" and widths[-1] == 1))   # refused by the spec: loss ≡ 0
    spec = {"input_size": n0, "loss": loss, "seed": seed % 1000, "init": init,
            "layers": [{"units": w, "activation": a} for w, a in zip(widths, acts)]}
    net = Network.from_spec(spec)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n0, B))
    nL = widths[-1]
    if acts[-1] == "softmax":
        Y = np.eye(nL)[:, rng.integers(0, nL, B)]
    else:
        Y = rng.uniform(0, 1, size=(nL, B))
    trace = net.forward(X)
    # A step of h across a ReLU kink has no derivative to agree with: skip those draws.
    for l, a in enumerate(acts, start=1):
        if a in ("relu", "leaky_relu"):
            assume(np.abs(trace.z[l]).min() > 1e-3)
    res = gradient_check(net, X, Y, h=1e-5)
    assert len(res.entries) == 2 * len(widths)
    assert res.worst < 1e-6, res.worst_by_layer()


def test_check_catches_a_wrong_gradient(monkeypatch):
    """A gradient off by 1 % in one entry must fail the check (the check can fail)."""
    import engine.network as nw

    real = nw.layer_grads

    def off(delta, a_prev, out=None, scale="after", tmp=None):
        dW, db = real(delta, a_prev, out, scale, tmp)
        dW[0, 0] *= 1.01  # in place: the engine may hand out an array it writes into later
        return dW, db

    spec = {"input_size": 2, "seed": 1, "layers": [{"units": 3, "activation": "tanh"},
                                                   {"units": 1, "activation": "sigmoid"}]}
    net = Network.from_spec(spec)
    X = np.array([[0.5, -1.0], [1.5, 0.3]])
    Y = np.array([[1.0, 0.0]])
    assert gradient_check(net, X, Y).passed
    monkeypatch.setattr(nw, "layer_grads", off)
    res = gradient_check(net, X, Y)
    assert not res.passed
    assert res.rel_error_matrix(1, "W")[0, 0] > 1e-3


def test_central_difference_of_a_known_function():
    P = np.array([[1.0, 2.0], [3.0, -1.0]])
    idx = np.argwhere(np.ones(P.shape, bool))
    num = numerical_gradient(lambda: float(np.sum(P**3)), P, idx, 1e-5)
    np.testing.assert_allclose(num, 3 * P.ravel() ** 2, rtol=1e-9)
    assert P.tolist() == [[1.0, 2.0], [3.0, -1.0]]  # restored
    assert relative_error(np.array([0.0]), np.array([0.0]))[0] == 0.0
