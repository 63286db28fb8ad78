"""LensModel: the adapter re-emits the engine's records and refuses bad input unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from engine import check_lr
from engine.experiment import DEFAULT_LR
from gui.lens_model import Change, LensModel


@pytest.fixture
def model(qtbot):
    m = LensModel()
    yield m
    m.shutdown()


def test_default_experiment_is_the_issue_default(model):
    assert model.net.sizes == [2, 8, 8, 1]
    assert [ly.activation.name for ly in model.net.layers] == ["tanh", "tanh", "sigmoid"]
    assert model.net.loss == "squared"
    assert model.dataset.name == "moons"
    assert model.stepper.X.shape == (2, 1)   # one sample: the seed's per-sample form


def test_default_learning_rate_bends_the_boundary_within_100_epochs(model):
    # Plain sgd on the squared loss, batch 32: a straight line scores about 0.89 on moons.
    assert model.optimizer_name == "sgd" and model.batch_size == 32
    model.train_sync(100)
    X, Y = model.dataset.X, model.dataset.Y
    accuracy = float(((model.net.predict(X) > 0.5) == (Y > 0.5)).mean())
    assert accuracy >= 0.97
    assert np.all(np.isfinite(model.history.epoch_train))


def test_step_says_what_changed_after_the_engine_stepped(model, qtbot):
    with qtbot.waitSignal(model.changed) as blocker:
        model.step()
    assert blocker.args[0] == Change.STEP
    rec = model.stepper.last
    assert rec.kind == "z" and rec.layer == 1
    assert model.stepper.k == 1


def test_step_back_restores_weights(model):
    W0 = [W.copy() for W, _ in model.net.params()]
    for _ in range(model.stepper.K):
        model.step()
    assert not np.array_equal(model.net.params()[0][0], W0[0])   # the update ran
    assert model.step_back()
    assert all(np.array_equal(W, W0[i]) for i, (W, _) in enumerate(model.net.params()))


def test_reset_restores_initial_weights_and_clears_the_pass(model):
    W0 = model.initial_params[0][0].copy()
    for _ in range(model.stepper.K + 3):
        model.step()
    model.reset()
    assert np.array_equal(model.net.params()[0][0], W0)
    assert model.stepper.k == 0
    assert model.stepper.state.z[1] is None
    assert model.history.iter_loss == []


def test_bad_lr_emits_the_engines_message_and_changes_nothing(model, qtbot):
    with pytest.raises(ValueError) as engine_error:
        check_lr(-1)
    with qtbot.waitSignal(model.error_occurred) as blocker:
        assert not model.set_lr(-1)
    assert blocker.args == [str(engine_error.value)]
    assert model.lr == DEFAULT_LR and model.optimizer.lr == DEFAULT_LR


def test_bad_settings_leave_state_untouched(model, qtbot):
    net = model.net
    for call in (lambda: model.set_optimizer("rmsprop"), lambda: model.set_loss("hinge"),
                 lambda: model.set_batch_size(0), lambda: model.select_sample(10_000),
                 lambda: model.set_dataset("nope"),
                 lambda: model.set_architecture({"layers": [{"units": 0,
                                                             "activation": "tanh"},
                                                            {"units": 1,
                                                             "activation": "sigmoid"}]})):
        with qtbot.waitSignal(model.error_occurred):
            assert call() is False
    assert model.net is net and model.optimizer_name == "sgd" and model.loss_name == "squared"


def test_dataset_sizes_follow(model):
    assert model.set_dataset("digits", 300)
    assert model.net.sizes[0] == 64 and model.net.sizes[-1] == 10
    assert model.stepper.X.shape[0] == 64


def test_whole_minibatch_stepping(model):
    model.set_batch_size(16)
    assert model.select_sample(None)
    assert model.stepper.X.shape == (2, 16)


def test_new_seed_draws_new_weights(model):
    W0 = model.net.params()[0][0].copy()
    model.new_seed(123)
    assert model.net.seed == 123
    assert not np.array_equal(model.net.params()[0][0], W0)


def test_training_runs_in_the_background_and_finishes(model, qtbot):
    with qtbot.waitSignal(model.training_finished, timeout=20_000):
        model.train(2)
        assert model.is_training
    assert model.trainer.epoch == 2
    assert len(model.history.epoch_train) == 2
    assert model.stepper.k == 0 and not model.is_training


def test_pause_then_stop(model, qtbot):
    with qtbot.waitSignal(model.training_started):
        model.train(None)
    with qtbot.waitSignal(model.training_paused):
        model.pause()
    assert model.is_paused and not model.is_training
    with qtbot.waitSignal(model.training_finished):
        model.stop_training()
    assert not model.is_paused


def test_divergence_reports_and_keeps_finite_weights(model, qtbot):
    # An unbounded network on regression data: a huge α overflows within a few steps.
    assert model.set_experiment({"layers": [{"units": 8, "activation": "relu"},
                                            {"units": 1, "activation": "identity"}]},
                                {"name": "sine", "n_samples": 100, "noise": 0.1})
    model.set_lr(1000)
    with qtbot.waitSignal(model.training_failed, timeout=20_000) as blocker:
        model.train(None)
    assert "smaller learning rate" in blocker.args[0]
    assert all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in model.net.params())


def test_session_round_trip(model):
    model.set_optimizer("adam")
    model.train_sync(2)
    for _ in range(3):
        model.step()
    session = model.to_session()
    other = LensModel()
    assert other.from_session(session)
    assert other.optimizer_name == "adam"
    assert other.trainer.epoch == 2 and other.stepper.k == 3
    assert np.array_equal(other.net.params()[0][0], model.net.params()[0][0])
    assert np.array_equal(other.initial_params[0][0], model.initial_params[0][0])
    other.shutdown()


def test_imported_data_survives_a_session_file(model, tmp_path):
    from engine.datasets import Dataset
    from engine.session import load_session, save_session
    ds = Dataset.from_arrays(model.dataset.X[:, :50], model.dataset.Y[:, :50], name="mine.csv")
    assert model.set_imported_dataset(ds)
    save_session(tmp_path / "s.bplens", model.to_session())
    other = LensModel()
    assert other.from_session(load_session(tmp_path / "s.bplens"))
    assert other.dataset.name == "mine.csv"
    assert np.array_equal(other.dataset.X, ds.X)
    other.shutdown()
