"""Training: reproducible, resumable, and stops cleanly on divergence."""

import numpy as np
import pytest

from engine import Network, Trainer, TrainingDiverged, make_dataset, make_optimizer

SPEC = {"input_size": 2, "seed": 0, "layers": [
    {"units": 8, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]}


def trainer(opt="sgd", lr=0.5, bs=16, seed=0, spec=SPEC):
    ds = make_dataset("moons", n_samples=120, noise=0.1, seed=0)
    net = Network.from_spec(spec)
    return Trainer(net, ds.X, ds.Y, ds.X_val, ds.Y_val, make_optimizer(opt, lr),
                   batch_size=bs, seed=seed)


@pytest.mark.parametrize("opt", ["sgd", "momentum", "adam"])
def test_same_seed_gives_identical_history_and_training_lowers_the_loss(opt):
    lr = 0.02 if opt == "adam" else 0.3
    a, b = trainer(opt, lr=lr), trainer(opt, lr=lr)
    list(a.run(5))
    list(b.run(5))
    assert a.history.iter_loss == b.history.iter_loss
    assert all(np.array_equal(x, y) for (x, _), (y, _) in zip(a.net.params(), b.net.params()))
    c = trainer(opt, lr=lr, seed=1)
    list(c.run(5))
    assert c.history.iter_loss != a.history.iter_loss  # the shuffle really comes from the seed
    list(a.run(40))
    assert a.history.epoch_train[-1] < 0.6 * a.history.epoch_train[0]
    assert len(a.history.epoch_val) == 45 and a.history.epoch_iteration[-1] == a.iteration


def test_resume_from_state_dict_equals_never_stopping():
    full = trainer("adam", lr=0.01)
    list(full.run(3))
    part = trainer("adam", lr=0.01)
    gen = part.run(3)
    for _ in range(13):  # stop mid-epoch (8 iterations per epoch)
        next(gen)
    state, opt_state = part.state_dict(), part.optimizer.state_dict()
    params = [(W.copy(), b.copy()) for W, b in part.net.params()]
    again = trainer("adam", lr=0.01, seed=99)  # the seed comes back with the state
    again.net.set_params(params)
    again.optimizer.load_state_dict(opt_state)
    again.load_state_dict(state)
    list(again.run(3 - again.epoch))
    assert again.history.iter_loss == full.history.iter_loss
    assert again.history.epoch_val == full.history.epoch_val


def test_batch_size_one_is_the_seeds_per_sample_update():
    ds = make_dataset("xor", n_samples=8, noise=0.0, seed=0, val_fraction=0.0)
    net, ref = Network.from_spec(SPEC), Network.from_spec(SPEC)
    tr = Trainer(net, ds.X, ds.Y, batch_size=1, shuffle=False, lr=0.3)
    list(tr.run(1))
    for i in range(ds.X.shape[1]):  # the seed's loop: one sample, then the update
        x, y = ds.X[:, [i]], ds.Y[:, [i]]
        ref.apply(ref.backward(ref.forward(x), y), 0.3)
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(net.params(), ref.params()))
    assert tr.iteration == 8 and tr.epoch == 1


def test_divergence_stops_with_a_message_and_keeps_finite_weights():
    spec = {"input_size": 2, "seed": 0, "layers": [
        {"units": 8, "activation": "relu"}, {"units": 1, "activation": "identity"}]}
    tr = trainer("sgd", lr=900.0, bs=64, spec=spec)
    with pytest.raises(TrainingDiverged, match="smaller learning rate"):
        list(tr.run(200))
    assert all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in tr.net.params())
    assert all(np.isfinite(tr.history.iter_loss))


def test_bad_training_arguments():
    ds = make_dataset("moons", n_samples=40, seed=0)
    net = Network.from_spec(SPEC)
    with pytest.raises(ValueError, match="batch size"):
        Trainer(net, ds.X, ds.Y, batch_size=0)
    with pytest.raises(ValueError, match="learning rate"):
        Trainer(net, ds.X, ds.Y, lr=-1)
    with pytest.raises(ValueError, match="rows"):
        Trainer(net, ds.X[:1], ds.Y)


def test_samples_laid_out_one_after_another_give_the_same_batches():
    """Data read one sample per row (X = rows.T, Fortran order) take the Trainer's fast
    gather; it must train on exactly the batches the column gather gives."""
    rng = np.random.default_rng(5)
    rows = rng.normal(size=(300, 6))
    Yrows = rng.uniform(size=(300, 2))
    spec = {"input_size": 6, "seed": 1, "layers": [{"units": 5, "activation": "tanh"},
                                                   {"units": 2, "activation": "sigmoid"}]}
    runs = []
    for X, Y in ((rows.T, Yrows.T), (np.ascontiguousarray(rows.T), np.ascontiguousarray(Yrows.T))):
        tr = Trainer(Network.from_spec(spec), X, Y, batch_size=32, seed=3, lr=0.5)
        seen = []
        real = tr._batch

        def spy(real=real, seen=seen):
            Xb, Yb = real()
            seen.append((Xb.copy(), Yb.copy()))
            return Xb, Yb

        tr._batch = spy
        for _ in tr.run(2):
            pass
        runs.append((seen, tr.history.iter_loss))
    (b1, l1), (b2, l2) = runs
    assert rows.T.flags.f_contiguous and len(b1) == len(b2) == 20
    for (X1, Y1), (X2, Y2) in zip(b1, b2, strict=True):
        assert np.array_equal(X1, X2) and np.array_equal(Y1, Y2)
    np.testing.assert_allclose(l1, l2, rtol=1e-12)


def test_the_starting_loss_in_chunks_is_the_loss_on_all_samples():
    # C₀ over 60 000 samples in one forward pass held ~1 GB of records; chunks hold 4096.
    import engine.training as tr_mod
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(3, 1000)), rng.uniform(size=(2, 1000))
    net = Network.from_spec({"input_size": 3, "seed": 1, "layers": [
        {"units": 5, "activation": "tanh"}, {"units": 2, "activation": "sigmoid"}]})
    whole = float(np.mean(np.sum((net.forward(X).a[-1] - Y) ** 2, axis=0)))   # independent
    old = tr_mod.LOSS_CHUNK
    try:
        tr_mod.LOSS_CHUNK = 64   # 16 chunks, the last one short
        chunked = Trainer(net, X, Y).loss_on_all()
    finally:
        tr_mod.LOSS_CHUNK = old
    assert chunked == pytest.approx(whole, rel=1e-12)
