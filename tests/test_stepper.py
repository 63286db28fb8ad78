"""The stepper: a walked pass equals forward/backward/apply; back() is exact."""

import numpy as np
import pytest

from engine import Network, make_optimizer
from engine.stepper import QUANTITIES, Stepper

SPEC = {"input_size": 2, "seed": 3, "layers": [
    {"units": 8, "activation": "tanh"}, {"units": 4, "activation": "relu"},
    {"units": 1, "activation": "sigmoid"}]}


def data(B, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, B)), rng.uniform(size=(1, B))


def snapshot(st):
    s = st.state
    out = {"k": st.k, "pass": s.pass_index, "loss": s.loss,
           "params": [(W.copy(), b.copy()) for W, b in st.net.params()]}
    for q in ("z", "a", "sigma_prime", "dc_da", "delta", "dW", "db"):
        out[q] = [None if x is None else x.copy() for x in getattr(s, q)]
    return out


def same(a, b):
    assert a["k"] == b["k"] and a["pass"] == b["pass"] and a["loss"] == b["loss"]
    for (W1, b1), (W2, b2) in zip(a["params"], b["params"]):
        assert np.array_equal(W1, W2) and np.array_equal(b1, b2)
    for q in ("z", "a", "sigma_prime", "dc_da", "delta", "dW", "db"):
        for x, y in zip(a[q], b[q]):
            assert (x is None) == (y is None)
            if x is not None:
                assert np.array_equal(x, y)


@pytest.mark.parametrize("opt", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("B", [1, 7])
def test_walking_a_pass_equals_forward_backward_apply(opt, B):
    X, Y = data(B)
    net, ref = Network.from_spec(SPEC), Network.from_spec(SPEC)
    st = Stepper(net, X, Y, optimizer=make_optimizer(opt, 0.05))
    ref_opt = make_optimizer(opt, 0.05)
    for _ in range(2):  # two passes: the second starts from the updated weights
        t = ref.forward(X)
        g = ref.backward(t, Y)
        for _ in range(st.K - 1):
            st.next()
        for l in range(1, ref.L + 1):
            assert np.array_equal(st.state.z[l], t.z[l]) and np.array_equal(st.state.a[l], t.a[l])
            assert np.array_equal(st.state.delta[l], g.delta[l])
            assert np.array_equal(st.state.dW[l], g.dW[l])
            assert np.array_equal(st.state.db[l], g.db[l])
        assert st.state.loss == g.loss
        rec = st.next()
        assert rec.kind == "update" and st.k == st.K
        ref_opt.step(ref, g)
        for (W1, b1), (W2, b2) in zip(net.params(), ref.params()):
            assert np.array_equal(W1, W2) and np.array_equal(b1, b2)


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_back_after_every_step_restores_the_state_bit_for_bit(opt):
    X, Y = data(5)
    st = Stepper(Network.from_spec(SPEC), X, Y, optimizer=make_optimizer(opt, 0.1))
    snaps = [snapshot(st)]
    opt_states = [st.optimizer.state_dict()]
    for _ in range(2 * st.K + 3):  # across a pass boundary and two updates
        st.next()
        snaps.append(snapshot(st))
        opt_states.append(st.optimizer.state_dict())
    for i in range(len(snaps) - 1, 0, -1):
        same(snapshot(st), snaps[i])
        assert st.back()
        if opt == "adam":
            assert st.optimizer.state_dict()["t"] == opt_states[i - 1]["t"]
    same(snapshot(st), snaps[0])
    assert not st.back()


def test_not_computed_quantities_are_none_and_pending_is_listed():
    X, Y = data(1)
    st = Stepper(Network.from_spec(SPEC), X, Y)
    assert st.k == 0 and st.K == 4 * 3 + 2
    for q in ("z", "a", "delta", "dW", "db", "sigma_prime", "dc_da"):
        assert not st.is_computed(q, 1)
    assert st.is_computed("W", 1)
    rec = st.next()
    assert (rec.kind, rec.layer, rec.computed) == ("z", 1, ("z",))
    assert ("a", 1) in rec.pending and ("z", 1) not in rec.pending
    st.jump(7)  # forward done and the loss
    assert st.last.kind == "loss" and st.state.loss is not None
    rec = st.next()
    assert rec.phase == "backward" and rec.layer == 3
    assert set(rec.computed) == {"dc_da", "sigma_prime", "delta"}
    assert st.state.delta[2] is None  # not stale numbers from an earlier pass
    st.jump(st.K)
    st.next()  # first step of the next pass: everything but z₁ is empty again
    assert st.state.pass_index == 1 and st.state.a[1] is None and st.state.delta[3] is None


def test_formula_shapes_are_the_seeds_dimension_check():
    spec = {"input_size": 2, "seed": 0, "layers": [
        {"units": 8, "activation": "sigmoid"}, {"units": 4, "activation": "sigmoid"},
        {"units": 1, "activation": "sigmoid"}]}
    X, Y = data(1)
    st = Stepper(Network.from_spec(spec), X, Y)
    recs = [st.next() for _ in range(st.K)]
    d1 = next(r for r in recs if r.kind == "delta" and r.layer == 1)
    assert d1.formula_shapes == "δ₁ (8×1) = (W₂ᵀ (8×4) δ₂ (4×1)) ⊙ σ'₁(z₁) (8×1)"
    assert d1.formula == "δ₁ = (W₂ᵀ δ₂) ⊙ σ'₁(z₁)"
    z1 = recs[0]
    assert z1.formula_shapes == "z₁ (8×1) = W₁ (8×2) a₀ (2×1) + b₁ (8×1)"
    dL = next(r for r in recs if r.kind == "delta" and r.layer == 3)
    assert dL.formula == "δ₃ = 2(a₃ − y) ⊙ σ'₃(z₃)"


@pytest.mark.parametrize("opt", ["sgd", "momentum", "adam"])
def test_every_step_writes_its_formula_in_unicode_not_raw_subscripts(opt):
    # The formula panel shows these as typed: "W_ℓ" appeared on screen with its underscore.
    X, Y = data(1)
    st = Stepper(Network.from_spec(SPEC), X, Y, optimizer=make_optimizer(opt, lr=0.1))
    recs = [st.next() for _ in range(st.K)]
    assert recs[-1].kind == "update" and recs[-1].title.startswith("Update")
    for r in recs:
        for text in (r.formula, r.formula_shapes):
            assert "_" not in text and "{" not in text, (r.kind, r.layer, text)


def test_explain_shows_the_numbers_that_made_a_cell():
    X, Y = data(1)
    st = Stepper(Network.from_spec(SPEC), X, Y)
    st.jump(st.K - 2)  # δ₁ computed
    s = st.state
    text = st.explain("delta", 1, 3, 0)
    assert f"{s.dc_da[1][3, 0]:.4g}" in text and f"{s.sigma_prime[1][3, 0]:.4g}" in text
    assert text.endswith(f"{s.delta[1][3, 0]:.4g}")
    assert "not computed" in st.explain("dW", 1, 0, 0)
    with pytest.raises(ValueError, match="outside"):
        st.explain("delta", 1, 99, 0)


def test_reset_restores_initial_weights_and_set_batch_restarts_the_pass():
    X, Y = data(4)
    net = Network.from_spec(SPEC)
    W0 = [W.copy() for W, _ in net.params()]
    st = Stepper(net, X, Y)
    for _ in range(3 * st.K):
        st.next()
    assert not np.array_equal(net.layers[0].W, W0[0])
    st.reset()
    assert all(np.array_equal(W, w0) for (W, _), w0 in zip(net.params(), W0))
    assert st.k == 0 and not st.back()
    st.set_batch(X[:, :1], Y[:, :1])
    assert st.B == 1 and st.k == 0
    with pytest.raises(ValueError, match="rows"):
        st.set_batch(np.ones((3, 1)), Y[:, :1])
    assert set(QUANTITIES) >= {"W", "z", "delta", "dW"}


def test_undo_reaches_back_two_whole_passes_even_for_a_big_network():
    """The undo history is bounded by memory, but never below two passes."""
    spec = {"input_size": 50, "seed": 0, "layers": [
        {"units": 400, "activation": "tanh"}, {"units": 10, "activation": "sigmoid"}]}
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(50, 64)), rng.uniform(size=(10, 64))
    net = Network.from_spec(spec)
    W0 = net.layers[0].W
    st = Stepper(net, X, Y)
    for _ in range(2 * st.K):
        st.next()
    assert not np.array_equal(net.layers[0].W, W0)
    for _ in range(2 * st.K):
        assert st.back()
    assert net.layers[0].W is W0 and st.k == 0 and st.state.pass_index == 0
