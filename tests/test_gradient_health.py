"""Gradient health: norms against finite differences of a hand-written forward pass,
the deep-sigmoid example's vanishing gradient, and the CLI's norms CSV read back."""

import csv
import io
import json

import numpy as np
import pytest

from cli.main import run
from engine import Network, Trainer, make_dataset, make_optimizer
from engine.gradient_health import (
    CSV_HEADER,
    GradNormRecorder,
    example_spec,
    histogram,
    layer_health,
    layer_norms,
)

rng = np.random.default_rng(3)
W1, b1 = rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
W2, b2 = rng.normal(size=(2, 3)), rng.normal(size=(2, 1))
X = rng.normal(size=(2, 4))
Y = rng.uniform(size=(2, 4))
SPEC = {"input_size": 2, "loss": "squared",
        "layers": [{"units": 3, "activation": "tanh", "W": W1.tolist(), "b": b1[:, 0].tolist()},
                   {"units": 2, "activation": "sigmoid", "W": W2.tolist(),
                    "b": b2[:, 0].tolist()}]}


def cost(P, x, y):
    """The seed's cost written out again, independent of the engine: tanh, then sigmoid."""
    (A, a), (B, c) = P
    h = np.tanh(A @ x + a)
    out = 1 / (1 + np.exp(-(B @ h + c)))
    return float(np.mean(np.sum((out - y) ** 2, axis=0)))


def fd_grad(P, which, x, y, h=1e-6):
    """∂C/∂(W or b of layer `which`) by central differences."""
    l, k = which
    g = np.zeros_like(P[l][k])
    for idx in np.ndindex(g.shape):
        plus = [[p.copy() for p in pair] for pair in P]
        minus = [[p.copy() for p in pair] for pair in P]
        plus[l][k][idx] += h
        minus[l][k][idx] -= h
        g[idx] = (cost(plus, x, y) - cost(minus, x, y)) / (2 * h)
    return g


P0 = [[W1, b1], [W2, b2]]


def test_norms_match_finite_differences():
    net = Network.from_spec(SPEC)
    g = net.backward(net.forward(X), Y)
    lr = 0.3
    n = layer_norms(g.delta, g.dW, net.params(), lr=lr)
    for l, W in ((0, W1), (1, W2)):
        dW = fd_grad(P0, (l, 0), X, Y)
        assert n[l, 0] == pytest.approx(np.linalg.norm(dW), rel=1e-7)
        assert n[l, 2] == pytest.approx(lr * np.linalg.norm(dW) / np.linalg.norm(W), rel=1e-7)
        # δ_ℓ of sample s is ∂c_s/∂b_ℓ on that sample alone
        cols = [fd_grad(P0, (l, 1), X[:, [s]], Y[:, [s]])[:, 0] for s in range(4)]
        assert n[l, 1] == pytest.approx(np.mean([np.linalg.norm(c) for c in cols]), rel=1e-7)


def test_trainer_hook_records_the_step_actually_taken():
    # sgd: the step is α ∂C/∂W; full batch, so iteration 1 sees all of X
    net = Network.from_spec(SPEC)
    rec = GradNormRecorder(net)
    list(Trainer(net, X, Y, batch_size=4, optimizer=make_optimizer("sgd", 0.5)).run(
        2, on_grads=rec))
    assert rec.iterations == [1, 2] and rec.norms.shape == (2, 2, 3)
    for l, W in ((0, W1), (1, W2)):
        dW = fd_grad(P0, (l, 0), X, Y)
        assert rec.norms[0, l, 0] == pytest.approx(np.linalg.norm(dW), rel=1e-7)
        assert rec.norms[0, l, 2] == pytest.approx(0.5 * np.linalg.norm(dW) / np.linalg.norm(W),
                                                   rel=1e-7)
    # adam's first step is α ĝ/(|ĝ| + ε) ≈ α per entry: ‖ΔW‖ ≈ α √(entries), whatever dW is
    net = Network.from_spec(SPEC)
    rec = GradNormRecorder(net)
    list(Trainer(net, X, Y, batch_size=4, optimizer=make_optimizer("adam", 0.01)).run(
        1, on_grads=rec))
    for l, W in ((0, W1), (1, W2)):
        assert rec.norms[0, l, 2] == pytest.approx(0.01 * np.sqrt(W.size) / np.linalg.norm(W),
                                                   rel=1e-5)


def test_hook_does_not_change_training():
    ds = make_dataset("moons", n_samples=60, seed=1)
    losses = []
    for hook in (None, "record"):
        net = Network.from_spec({"input_size": 2, "layers": [
            {"units": 5, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]})
        tr = Trainer(net, ds.X, ds.Y, batch_size=16, optimizer=make_optimizer("momentum", 0.2))
        list(tr.run(3, on_grads=GradNormRecorder(net) if hook else None))
        losses.append(tr.history.iter_loss)
    assert losses[0] == losses[1]


def test_deep_sigmoid_gradient_vanishes_towards_the_input():
    ds = make_dataset("moons", n_samples=200, noise=0.1, seed=0)
    net = Network.from_spec(example_spec("vanishing"))
    assert net.sizes == [2, 8, 8, 8, 8, 8, 1]
    assert {ly.activation.name for ly in net.layers} == {"sigmoid"}
    g = net.backward(net.forward(ds.X), ds.Y)
    dW = layer_norms(g.delta, g.dW, net.params(), lr=0.1)[:, 0]
    assert dW[0] * 100 <= dW[-1]
    assert all(dW[:-1] < dW[1:])  # smaller at every layer closer to the input


def test_exploding_and_dead_examples():
    ds = make_dataset("moons", n_samples=200, noise=0.1, seed=0)
    net = Network.from_spec(example_spec("exploding"))
    g = net.backward(net.forward(ds.X), ds.Y)
    delta = layer_norms(g.delta, g.dW, net.params(), lr=0.1)[:, 1]
    assert all(delta[:-1] > delta[1:]) and delta[0] > 10 * delta[-1]
    health = layer_health(Network.from_spec(example_spec("dead_relu")), ds.X)
    assert health[1].dead is not None and health[1].dead >= 0.3
    assert health[2].dead is None  # sigmoid output: dead applies to ReLU only


def test_saturated_and_dead_shares_by_hand():
    # ReLU unit 0: z = x - 10 < 0 on every sample (dead); unit 1: z = x (alive on x > 0)
    # sigmoid output: z = 20·a₁₀ + ... chosen so σ' is tiny on exactly the samples with x = 3
    spec = {"input_size": 1, "layers": [
        {"units": 2, "activation": "relu", "W": [[1.0], [1.0]], "b": [-10.0, 0.0]},
        {"units": 1, "activation": "sigmoid", "W": [[0.0, 5.0]], "b": [0.0]}]}
    Xh = np.array([[-1.0, 0.0, 1.0, 3.0]])
    h = layer_health(Network.from_spec(spec), Xh)
    assert h[0].dead == 0.5
    # relu' = 0 on unit 0's 4 entries and unit 1's z = -1, 0 (derivative 0 at the kink): 6 of 8
    assert h[0].saturated == pytest.approx(6 / 8)
    # output z = 5·max(x, 0) = 0, 0, 5, 15: σ'(15) ≈ 3e-7 and σ'(5) ≈ 0.0066 are < 0.01
    assert h[1].saturated == pytest.approx(2 / 4)
    counts, edges = histogram(np.array([0.0, 1.0, 1.0, 2.0, np.nan]), bins=2)
    assert counts.tolist() == [1, 3] and edges.tolist() == [0.0, 1.0, 2.0]
    assert histogram(np.full(3, 7.0))[0].tolist() == [3]


def test_cli_exports_grad_norms(tmp_path):
    spec_path = tmp_path / "deep.json"
    spec_path.write_text(json.dumps(example_spec("vanishing")))
    out_csv = tmp_path / "norms.csv"
    out, err = io.StringIO(), io.StringIO()
    code = run(["train", "--spec", str(spec_path), "--epochs", "2", "--batch-size", "50",
                "--export-grad-norms", str(out_csv)], out, err)
    assert code == 0, err.getvalue()
    rows = list(csv.reader(io.StringIO(out_csv.read_text())))
    assert rows[0] == CSV_HEADER
    body = [[float(c) for c in r] for r in rows[1:]]
    # 200 samples / 50 per batch × 2 epochs = 8 iterations, 6 layers each, in order
    assert [(int(r[0]), int(r[1])) for r in body] == [(i, l) for i in range(1, 9)
                                                      for l in range(1, 7)]
    first = {int(r[1]): r for r in body if r[0] == 1}
    assert first[1][2] * 100 <= first[6][2]
    assert "wrote gradient norms" in out.getvalue()


def test_cli_refuses_a_bad_norms_path(tmp_path):
    err = io.StringIO()
    code = run(["train", "--epochs", "1", "--export-grad-norms", str(tmp_path / "n.txt")],
               io.StringIO(), err)
    assert code == 2 and "--export-grad-norms" in err.getvalue()
