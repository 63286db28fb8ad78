"""The seed's formulas on a hand-worked 2-2-1 network, one number at a time.

Expected values are written out with scalar ``math`` arithmetic, independent
of the engine's matrix code.
"""

import math

import numpy as np
import pytest

from engine import Network

SPEC = {"input_size": 2, "loss": "squared", "seed": 0,
        "layers": [{"units": 2, "activation": "tanh", "W": [[0.5, -0.3], [0.1, 0.8]],
                    "b": [0.0, 0.1]},
                   {"units": 1, "activation": "sigmoid", "W": [[0.7, -0.2]], "b": [0.05]}]}
x1, x2, y = 1.0, 2.0, 1.0


def hand():
    z1 = [0.5 * x1 - 0.3 * x2 + 0.0, 0.1 * x1 + 0.8 * x2 + 0.1]
    a1 = [math.tanh(z1[0]), math.tanh(z1[1])]
    z2 = 0.7 * a1[0] - 0.2 * a1[1] + 0.05
    a2 = 1.0 / (1.0 + math.exp(-z2))
    c = (a2 - y) ** 2
    d2 = 2 * (a2 - y) * a2 * (1 - a2)                      # δ_L = 2(a_L − y) ⊙ σ'(z_L)
    d1 = [0.7 * d2 * (1 - a1[0] ** 2), -0.2 * d2 * (1 - a1[1] ** 2)]  # (W₂ᵀδ₂) ⊙ σ'(z₁)
    return dict(z1=z1, a1=a1, z2=z2, a2=a2, c=c, d2=d2, d1=d1,
                dW2=[d2 * a1[0], d2 * a1[1]], dW1=[[d1[0] * x1, d1[0] * x2],
                                                 [d1[1] * x1, d1[1] * x2]])


def test_forward_backward_match_hand_arithmetic():
    h = hand()
    net = Network.from_spec(SPEC)
    X, Y = np.array([[x1], [x2]]), np.array([[y]])
    t = net.forward(X)
    assert t.z[1][0, 0] == pytest.approx(-0.1, abs=1e-15)
    assert t.z[1][1, 0] == pytest.approx(1.8, abs=1e-15)
    assert t.a[1][:, 0] == pytest.approx(h["a1"], rel=1e-14)
    assert t.z[2][0, 0] == pytest.approx(h["z2"], rel=1e-14)
    assert t.a[2][0, 0] == pytest.approx(h["a2"], rel=1e-14)
    g = net.backward(t, Y)
    assert g.loss == pytest.approx(h["c"], rel=1e-13)
    assert g.dc_da[2][0, 0] == pytest.approx(2 * (h["a2"] - y), rel=1e-14)
    assert g.delta[2][0, 0] == pytest.approx(h["d2"], rel=1e-13)
    assert g.delta[1][:, 0] == pytest.approx(h["d1"], rel=1e-13)
    assert g.dW[2][0] == pytest.approx(h["dW2"], rel=1e-13)
    assert g.db[2][0, 0] == pytest.approx(h["d2"], rel=1e-13)
    assert g.dW[1].tolist() == [pytest.approx(r, rel=1e-13) for r in h["dW1"]]
    assert g.db[1][:, 0] == pytest.approx(h["d1"], rel=1e-13)


def test_update_is_the_seeds_gradient_step():
    h = hand()
    net = Network.from_spec(SPEC)
    net.apply(net.backward(net.forward(np.array([[x1], [x2]])), np.array([[y]])), lr=0.5)
    assert net.layers[1].W[0] == pytest.approx([0.7 - 0.5 * h["dW2"][0],
                                                -0.2 - 0.5 * h["dW2"][1]], rel=1e-14)
    assert net.layers[0].b[:, 0] == pytest.approx([0.0 - 0.5 * h["d1"][0],
                                                   0.1 - 0.5 * h["d1"][1]], rel=1e-13)


def test_batch_gradient_is_the_mean_of_per_sample_gradients():
    net = Network.from_spec(SPEC)
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(2, 5)), rng.uniform(size=(1, 5))
    g = net.backward(net.forward(X), Y)
    per = [net.backward(net.forward(X[:, [i]]), Y[:, [i]]) for i in range(5)]
    for l in (1, 2):
        np.testing.assert_allclose(g.dW[l], sum(p.dW[l] for p in per) / 5, rtol=1e-12)
        np.testing.assert_allclose(g.db[l], sum(p.db[l] for p in per) / 5, rtol=1e-12)
        # δ stays per sample: its columns are the single-sample δ's.
        np.testing.assert_allclose(g.delta[l], np.hstack([p.delta[l] for p in per]), rtol=1e-12)
    assert g.loss == pytest.approx(sum(p.loss for p in per) / 5, rel=1e-12)
