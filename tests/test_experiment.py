"""The Experiment: one clock for stepping and training, refusals that change nothing,
specs and data that never replace given weights silently, sessions and copies."""

from __future__ import annotations

import numpy as np
import pytest

from engine.datasets import Dataset, make_dataset
from engine.experiment import Change, Experiment, StepRefused
from engine.fileio import BadFileError
from engine.network import Network
from engine.session import load_session, save_session
from engine.training import Trainer

SPEC = {"input_size": 2, "loss": "squared", "seed": 4, "layers": [
    {"units": 5, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]}
DATA = {"name": "moons", "n_samples": 40, "noise": 0.1, "seed": 1}


def params_of(net):
    return [(W.copy(), b.copy()) for W, b in net.params()]


def same_params(p, q):
    return all(np.array_equal(W1, W2) and np.array_equal(b1, b2)
               for (W1, b1), (W2, b2) in zip(p, q, strict=True))


def walk_pass(ex):
    for _ in range(ex.stepper.K - ex.stepper.k):
        ex.step()


def state(ex):
    """Everything a refused change must leave alone."""
    return (ex.net, params_of(ex.net), ex.lr, ex.batch_size, ex.optimizer_name, ex.sample,
            ex.dataset, ex.trainer, ex.trainer.iteration, list(ex.history.iter_loss),
            ex.stepper, ex.stepper.k)


def same_state(a, b):
    return (a[0] is b[0] and same_params(a[1], b[1]) and a[2:6] == b[2:6]
            and a[6] is b[6] and a[7] is b[7] and a[8:10] == b[8:10] and a[10] is b[10]
            and a[11] == b[11])


# --- one clock ------------------------------------------------------------------------


def test_a_stepped_mini_batch_pass_is_the_iteration_training_takes():
    stepped = Experiment.build(SPEC, DATA, sample=None, batch_size=8)
    trained = Experiment.build(SPEC, DATA, sample=None, batch_size=8)
    # The stepper walks exactly the columns the trainer takes next (its shuffled batch).
    idx = trained.trainer.next_indices()
    assert np.array_equal(stepped.stepper.X, trained.dataset.X[:, idx])
    walk_pass(stepped)
    assert stepped.trainer.iteration == 1 and len(stepped.history.iter_loss) == 1
    gen = trained.trainer.run(epochs=None)
    next(gen)
    assert same_params(params_of(stepped.net), params_of(trained.net))
    assert stepped.history.iter_loss == trained.history.iter_loss
    # Training resumes where stepping left off: 12 more iterations, bit for bit.
    more = stepped.trainer.run(epochs=None)
    for _ in range(12):
        next(more)
        next(gen)
    assert same_params(params_of(stepped.net), params_of(trained.net))
    assert stepped.history.iter_loss == trained.history.iter_loss
    assert stepped.history.epoch_train == trained.history.epoch_train   # 5 per epoch: 2 done


def test_the_stepped_loss_is_independent_arithmetic():
    ex = Experiment.build(SPEC, DATA, sample=3)
    walk_pass(ex)
    W1, b1 = ex.initial_params[0]
    W2, b2 = ex.initial_params[1]
    x, y = ex.dataset.X[:, [3]], ex.dataset.Y[:, [3]]
    a2 = 1 / (1 + np.exp(-(W2 @ np.tanh(W1 @ x + b1) + b2)))
    assert ex.history.iter_loss == pytest.approx([float(((a2 - y) ** 2).sum())], rel=1e-12)


def test_stepping_back_over_the_update_takes_the_iteration_back():
    ex = Experiment.build(SPEC, DATA, sample=None, batch_size=32)   # one batch = one epoch
    mark = ex.trainer.mark()
    walk_pass(ex)
    assert ex.trainer.epoch == 1 and len(ex.history.epoch_train) == 1
    change = ex.step_back()
    assert change & Change.WEIGHTS and change & Change.HISTORY
    assert ex.trainer.iteration == 0 and ex.trainer.epoch == 0
    assert ex.history.iter_loss == [] and ex.history.epoch_train == [] == ex.history.epoch_val
    assert same_params(params_of(ex.net), ex.initial_params)
    assert ex.trainer.mark()[:6] == mark[:6]
    ex.step()   # the update again: the same iteration, counted once
    assert ex.trainer.iteration == 1 and len(ex.history.iter_loss) == 1


def test_a_picked_sample_is_an_iteration_outside_the_epochs_order():
    ex = Experiment.build(SPEC, DATA, sample=7, batch_size=8)
    pos = ex.trainer._pos
    walk_pass(ex)
    assert ex.trainer.iteration == 1 and ex.trainer._pos == pos and ex.trainer.epoch == 0
    rec, change = ex.step()   # the next pass: the same sample again
    assert ex.stepper.state.samples.tolist() == [7] and ex.stepper.k == 1


def test_an_update_that_would_make_weights_non_finite_is_refused():
    spec = {"input_size": 1, "seed": 0, "layers": [{"units": 8, "activation": "relu"},
                                                   {"units": 1, "activation": "identity"}]}
    ex = Experiment.build(spec, {"name": "sine", "n_samples": 50, "noise": 0.1},
                          lr=1000, sample=None, batch_size=40)
    refused = 0
    for _ in range(200):
        try:
            ex.step()
        except StepRefused as e:
            refused += 1
            assert "smaller learning rate" in str(e)
            break
    assert refused == 1
    assert all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in ex.net.params())
    assert all(np.isfinite(ex.history.iter_loss))
    before = state(ex)
    with pytest.raises(StepRefused):
        ex.step()
    assert same_state(before, state(ex))


# --- refusals change nothing ---------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda ex: ex.set_lr(-1), lambda ex: ex.set_lr("abc"), lambda ex: ex.set_batch_size(0),
    lambda ex: ex.set_batch_size(10_000), lambda ex: ex.set_batch_size(True),
    lambda ex: ex.set_optimizer("rmsprop"), lambda ex: ex.set_loss("hinge"),
    lambda ex: ex.select_sample(40), lambda ex: ex.select_sample(-1),
    lambda ex: ex.select_sample(True), lambda ex: ex.new_seed(False),
    lambda ex: ex.new_seed(-3), lambda ex: ex.set_data({"name": "nope"}),
    lambda ex: ex.set_architecture({"layers": [{"units": 0, "activation": "tanh"},
                                               {"units": 1, "activation": "sigmoid"}]}),
    lambda ex: ex.set_architecture({"layers": [{"units": 3, "activation": "softmax"},
                                               {"units": 1, "activation": "sigmoid"}]}),
    lambda ex: ex.jump(99),
])
def test_a_refused_change_leaves_everything_as_it_was(call):
    ex = Experiment.build(SPEC, DATA)
    for _ in range(5):
        ex.step()
    before = state(ex)
    with pytest.raises(ValueError):
        call(ex)
    assert same_state(before, state(ex))


def test_new_seed_draws_other_weights_and_refuses_a_bool():
    ex = Experiment.build(SPEC, DATA)
    W = ex.net.params()[0][0].copy()
    assert ex.new_seed(123) & Change.NETWORK
    assert ex.net.seed == 123 and not np.array_equal(ex.net.params()[0][0], W)
    ex.new_seed()
    assert ex.net.seed != 123


# --- nothing replaced silently ------------------------------------------------------------------


def test_a_digits_spec_opens_with_digits_and_keeps_its_weights():
    spec = Network.from_spec({"input_size": 64, "seed": 9, "loss": "cross_entropy", "layers": [
        {"units": 32, "activation": "tanh"}, {"units": 10, "activation": "softmax"}]}).to_spec()
    moons = Experiment.build()
    ex = Experiment.for_spec(spec, moons, "net.json")
    assert ex.net.sizes == [64, 32, 10] and ex.dataset.name == "digits"
    assert np.array_equal(ex.net.params()[0][0], np.array(spec["layers"][0]["W"]))
    assert any("digits" in n for n in ex.notices)


def test_a_spec_that_fits_nothing_is_refused_with_what_does_not_fit():
    spec = Network.from_spec({"input_size": 5, "layers": [
        {"units": 3, "activation": "tanh"}]}).to_spec()
    with pytest.raises(ValueError, match="5 inputs and 3 outputs.*moons has 2 inputs"):
        Experiment.for_spec(spec, Experiment.build(), "net.json")


def test_a_spec_brings_back_the_data_it_records():
    ex = Experiment.build(SPEC, {"name": "circles", "n_samples": 60, "noise": 0.05, "seed": 2})
    spec = ex.spec()
    assert spec["data"]["name"] == "circles"
    sine = Experiment.build(SPEC, {"name": "sine", "n_samples": 30})   # 1 input: no fit
    other = Experiment.for_spec(spec, sine, "net.json")
    assert other.dataset.name == "circles" and other.n_samples == ex.n_samples
    assert np.array_equal(other.dataset.X, ex.dataset.X)


def test_given_weights_that_do_not_fit_the_data_are_an_error_not_redrawn():
    spec = Network.from_spec({"input_size": 3, "layers": [
        {"units": 1, "activation": "sigmoid"}]}).to_spec()
    with pytest.raises(ValueError, match="weights are for 3 inputs"):
        Experiment.build(spec, DATA)


def test_imported_data_of_the_same_sizes_keeps_the_weights():
    ex = Experiment.build(SPEC, DATA)
    walk_pass(ex)   # trained weights: they must survive
    trained, initial = params_of(ex.net), [(W.copy(), b.copy()) for W, b in ex.initial_params]
    ds = Dataset.from_arrays(ex.dataset.X[:, :20], ex.dataset.Y[:, :20], name="mine.csv")
    change = ex.set_data(ds)
    assert change & Change.DATA and ex.dataset is ds
    assert same_params(params_of(ex.net), trained)
    assert same_params(ex.initial_params, initial)
    assert ex.notices == []


def test_imported_data_of_other_sizes_keeps_the_layers_that_fit_and_says_which():
    spec = {"input_size": 2, "seed": 1, "layers": [
        {"units": 4, "activation": "tanh"}, {"units": 4, "activation": "tanh"},
        {"units": 1, "activation": "sigmoid"}]}
    ex = Experiment.build(spec, DATA)
    W1, W2 = ex.net.params()[0][0].copy(), ex.net.params()[1][0].copy()
    blobs = make_dataset("blobs", n_samples=30, n_classes=3, seed=0)
    ex.set_data(blobs)
    assert ex.net.sizes == [2, 4, 4, 3]
    assert np.array_equal(ex.net.params()[0][0], W1) and np.array_equal(ex.net.params()[1][0], W2)
    assert len(ex.notices) == 1 and "layer 3" in ex.notices[0]


# --- cells explain themselves ---------------------------------------------------------------


def test_the_input_and_the_target_explain_themselves():
    ex = Experiment.build(SPEC, DATA, sample=11)
    x = ex.dataset.X[1, 11]
    text = ex.explain("a", 0, 1, 0)
    assert "a₀[1, 0]" in text and "sample #11" in text and f"{x:.4g}" in text
    assert "sample #11" in ex.explain("y", 2, 0, 0)
    assert ex.explain("z", 1, 0, 0) is None   # not computed yet
    # W's columns are not samples: column 1 of W₁ with one sample stepped (was IndexError)
    assert ex.explain("W", 1, 0, 1).startswith("W₁[0, 1]")


# --- copies and sessions --------------------------------------------------------------------------


def test_a_copy_is_independent_and_equal():
    ex = Experiment.build(SPEC, DATA, sample=None, batch_size=10)
    walk_pass(ex)
    for _ in range(4):
        ex.step()
    twin = ex.copy()
    assert twin.stepper.k == ex.stepper.k == 4 and twin.trainer.iteration == 1
    assert same_params(params_of(twin.net), params_of(ex.net))
    walk_pass(twin)
    assert ex.trainer.iteration == 1 and twin.trainer.iteration == 2
    walk_pass(ex)
    assert same_params(params_of(twin.net), params_of(ex.net))
    assert twin.history.iter_loss == ex.history.iter_loss


@pytest.mark.parametrize("k", [0, 5, 14])
def test_a_session_saved_mid_pass_or_after_the_update_comes_back_exactly(tmp_path, k):
    ex = Experiment.build({**SPEC, "layers": [{"units": 5, "activation": "tanh"},
                                              {"units": 8, "activation": "tanh"},
                                              {"units": 1, "activation": "sigmoid"}]},
                          DATA, sample=None, batch_size=8, optimizer="adam", lr=0.05)
    walk_pass(ex)
    ex.jump(k)
    save_session(tmp_path / "s.bplens", ex.to_session())
    back = Experiment.from_session(load_session(tmp_path / "s.bplens"))
    assert back.stepper.k == k and back.trainer.iteration == ex.trainer.iteration
    assert same_params(params_of(back.net), params_of(ex.net))   # not updated twice
    assert back.history.iter_loss == ex.history.iter_loss
    walk_pass(back)
    walk_pass(ex)
    assert same_params(params_of(back.net), params_of(ex.net))


def test_a_session_whose_step_is_past_the_pass_is_refused_naming_it():
    ex = Experiment.build(SPEC, DATA)
    s = ex.to_session()
    s.stepper["k"] = 99
    with pytest.raises(BadFileError, match="stepper position"):
        Experiment.from_session(s, "x.bplens")


def test_the_trainer_alone_agrees_with_the_experiments_trainer():
    # Independent of the Experiment: a bare Trainer with the same seed takes the same batches.
    ex = Experiment.build(SPEC, DATA, sample=None, batch_size=8)
    net = Network.from_spec(ex.net.to_spec())
    tr = Trainer(net, ex.dataset.X, ex.dataset.Y, batch_size=8, seed=ex.net.seed)
    assert np.array_equal(tr.next_indices(), ex.stepper.state.samples)


# --- locks (exercise files) ------------------------------------------------------------


def _locked(*names):
    from engine.experiment import Experiment
    ex = Experiment.build()
    ex.lock(names)
    return ex


@pytest.mark.parametrize("lock, change, words", [
    ("lr", lambda ex: ex.set_lr(0.5), "learning rate α"),
    ("batch_size", lambda ex: ex.set_batch_size(7), "batch size"),
    ("optimizer", lambda ex: ex.set_optimizer("adam"), "optimizer"),
    ("loss", lambda ex: ex.set_loss("half_squared"), "loss"),
    ("seed", lambda ex: ex.new_seed(3), "seed"),
    ("data", lambda ex: ex.set_data({"name": "circles", "n_samples": 50}), "data set"),
    ("architecture", lambda ex: ex.set_architecture({"input_size": 2, "layers": [
        {"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]}),
     "architecture"),
    ("activations", lambda ex: ex.set_architecture({**ex.net.to_spec(), "layers": [
        {**ly, "activation": "relu" if i < 2 else ly["activation"]}
        for i, ly in enumerate(ex.net.to_spec()["layers"])]}), "activations"),
])
def test_a_locked_change_is_refused_naming_the_lock_and_changes_nothing(lock, change, words):
    from engine.experiment import Locked
    ex = _locked(lock)
    before = (ex.net, ex.lr, ex.batch_size, ex.optimizer_name, ex.dataset, ex.stepper)
    with pytest.raises(Locked, match=words):
        change(ex)
    assert (ex.net, ex.lr, ex.batch_size, ex.optimizer_name, ex.dataset, ex.stepper) == before
    ex.lock(())
    assert change(ex)                           # unlocked, the same change goes through


def test_locks_leave_other_changes_alone_and_unknown_locks_are_refused():
    ex = _locked("lr", "architecture")
    assert ex.set_batch_size(16) and ex.set_optimizer("momentum")
    assert not ex.set_lr(ex.lr)                 # setting the same value is no change
    spec = ex.net.to_spec()
    ex.set_architecture(spec)                   # the same architecture: allowed
    with pytest.raises(ValueError, match="cannot lock 'colour'"):
        ex.lock(["colour"])
    with pytest.raises(ValueError, match="list of names"):
        ex.lock("lr")
    assert ex.locked == frozenset({"lr", "architecture"})


def test_another_built_in_data_set_brings_its_default_learning_rate():
    from engine.datasets import default_lr
    ex = Experiment.build(SPEC, DATA, lr=1.0)
    ex.set_data({"name": "sine", "n_samples": 50})
    assert ex.lr == default_lr("sine") == ex.optimizer.lr < 1.0
    assert any("α is now" in n for n in ex.notices)
    ex.set_lr(0.05)
    ex.notices.clear()
    ex.set_data({"name": "sine", "n_samples": 80})   # the same set: the user's α stays
    assert ex.lr == 0.05 and ex.notices == []
