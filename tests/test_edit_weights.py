"""Editing one weight by hand: typed text, the recomputed pass, undo/redo, refusals,
worked examples as experiments and the current pass as a document."""

from __future__ import annotations

import numpy as np
import pytest

from engine.examples import example_names, load_example
from engine.experiment import Change, Experiment
from engine.typed_number import parse_number

SPEC = {"input_size": 2, "loss": "squared", "seed": 3, "layers": [
    {"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]}
DATA = {"name": "moons", "n_samples": 30, "noise": 0.1, "seed": 2}


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@pytest.mark.parametrize("text, value", [
    ("0.5", 0.5), ("-.3", -0.3), ("1e-3", 1e-3), ("0,25", 0.25), (" 2 ", 2.0),
    ("+4.", 4.0), ("\u22121,5", -1.5), ("-2E+2", -200.0), (",5", 0.5)])
def test_typed_numbers_are_read_as_a_person_means_them(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text, reason", [
    ("", "type a number"), ("abc", "not a number"), ("1,000.5", "one decimal"),
    ("nan", "finite"), ("inf", "finite"), ("1_000", "not a number"), ("0x10", "not a number"),
    ("1e400", "too large"), ("1.2.3", "one decimal"), ("--1", "not a number"), ("e5", "not")])
def test_anything_else_is_refused_with_a_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_number(text)


def test_an_edit_mid_pass_redoes_the_steps_taken_with_the_new_weight():
    ex = Experiment.build(SPEC, DATA, sample=4)
    for _ in range(3):   # z1, a1, z2
        ex.step()
    W1_before = ex.net.params()[0][0]
    change = ex.set_param("W", 1, 2, 1, 0.5)
    assert change == Change.WEIGHTS | Change.STEP
    W1, b1 = ex.net.params()[0]
    W2, b2 = ex.net.params()[1]
    assert W1 is not W1_before and W1_before[2, 1] != 0.5   # a new array; the old one kept
    assert W1[2, 1] == 0.5 and ex.stepper.k == 3 and ex.weights_origin == "given"
    # Independent arithmetic with the new weight: z1 = W1 x + b1, a1 = tanh, z2 = W2 a1 + b2.
    x = ex.dataset.X[:, [4]]
    W1_hand = W1_before.copy()
    W1_hand[2, 1] = 0.5
    z1 = W1_hand @ x + b1
    assert np.allclose(ex.stepper.state.z[1], z1, rtol=1e-14, atol=0)
    assert np.allclose(ex.stepper.state.z[2], W2 @ np.tanh(z1) + b2, rtol=1e-14, atol=0)
    ex.step()   # a2 and the loss follow from the edited weight too
    ex.step()
    a2 = sigmoid(W2 @ np.tanh(z1) + b2)
    assert np.isclose(ex.stepper.state.loss, float(((a2 - ex.dataset.Y[:, [4]]) ** 2).sum()))


def test_a_bias_edit_and_undo_redo_restore_the_very_arrays():
    ex = Experiment.build(SPEC, DATA, sample=0)
    ex.step()
    b2_before = ex.net.params()[1][1]
    ex.set_param("b", 2, 0, 0, -1.25)
    b2_after = ex.net.params()[1][1]
    assert b2_after[0, 0] == -1.25
    assert ex.can_undo_edit and not ex.can_redo_edit
    assert ex.undo_edit() == Change.WEIGHTS | Change.STEP
    assert ex.net.params()[1][1] is b2_before and ex.stepper.k == 1
    assert ex.redo_edit() and ex.net.params()[1][1] is b2_after
    assert ex.undo_edit() and ex.undo_edit() == Change.NONE   # nothing more to undo


def test_undo_is_refused_after_the_weights_moved_on_and_allowed_again_after_stepping_back():
    ex = Experiment.build(SPEC, DATA, sample=0)
    ex.set_param("W", 2, 0, 0, 2.0)
    for _ in range(ex.stepper.K):   # the update makes new weights
        ex.step()
    assert not ex.can_undo_edit
    ex.step_back()   # the weights the edit made are in use again
    assert ex.can_undo_edit


def test_an_edit_after_the_update_changes_the_weights_the_next_pass_uses():
    ex = Experiment.build(SPEC, DATA, sample=1)
    for _ in range(ex.stepper.K):
        ex.step()
    assert ex.stepper.k == ex.stepper.K and ex.trainer.iteration == 1
    ex.set_param("W", 1, 0, 0, -0.75)
    assert ex.stepper.k == 0 and ex.stepper.state.pass_index == 1
    assert ex.trainer.iteration == 1   # the clock did not move
    ex.step()
    W1, b1 = ex.net.params()[0]
    assert W1[0, 0] == -0.75
    assert np.array_equal(ex.stepper.state.z[1], W1 @ ex.dataset.X[:, [1]] + b1)


@pytest.mark.parametrize("args, match", [
    (("z", 1, 0, 0, 1.0), "only W and b"), (("W", 3, 0, 0, 1.0), "layers 1..2"),
    (("W", 1, 3, 0, 1.0), "no cell"), (("b", 1, 0, 1, 1.0), "no cell"),
    (("W", 1, -1, 0, 1.0), "no cell"), (("W", 1, 0, 0, float("nan")), "finite"),
    (("W", 1, 0, 0, "0.5"), "must be a number"), (("W", 1.0, 0, 0, 1.0), "whole number"),
    (("W", 1, 0, 0, True), "must be a number")])
def test_a_refused_edit_changes_nothing(args, match):
    ex = Experiment.build(SPEC, DATA, sample=0)
    ex.step()
    before = [(W, b) for W, b in ex.net.params()]
    stepper, token = ex.stepper, ex.work_token()
    with pytest.raises(ValueError, match=match):
        ex.set_param(*args)
    assert all(W is W0 and b is b0 for (W, b), (W0, b0) in zip(ex.net.params(), before))
    assert ex.stepper is stepper and ex.stepper.k == 1 and ex.work_token() == token
    assert not ex.can_undo_edit


def test_every_worked_example_opens_as_an_experiment_with_its_weights_and_alpha():
    names = example_names()
    assert len(names) >= 6
    for name in names:
        example = load_example(name)
        ex = Experiment.from_example(name)
        assert ex.lr == example.lr and ex.optimizer_name == example.optimizer
        # The example's own weights (given, or drawn from its seed by the engine).
        for (W, b), (W0, b0) in zip(ex.net.params(), example.network().params(), strict=True):
            assert np.array_equal(W, W0) and np.array_equal(b, b0)
        if example.sample is not None:
            assert ex.sample == example.sample
            assert np.array_equal(ex.stepper.X, example.pass_data()[0])
        else:
            assert ex.stepper.B == ex.n_samples


def test_an_unknown_example_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError, match="xor"):
        Experiment.from_example("no_such_example")


def test_the_current_pass_as_a_document_is_the_pass_being_stepped():
    ex = Experiment.build(SPEC, DATA, sample=5, optimizer="momentum", lr=0.3)
    for _ in range(2 * ex.stepper.K + 3):   # into the third pass: momentum has a velocity
        ex.step()
    w = ex.walk_current_pass()
    for _ in range(ex.stepper.K - ex.stepper.k):
        ex.step()
    assert w.lr == 0.3 and w.optimizer == "momentum"
    assert np.array_equal(w.X, ex.dataset.X[:, [5]])
    for l in (1, 2):
        assert np.array_equal(w.layers[l - 1]["z"], ex.stepper.state.z[l])
        assert np.array_equal(w.layers[l - 1]["dW"], ex.stepper.state.dW[l])
    after = [np.array(ly["W"]) for ly in w.after["layers"]]
    assert all(np.allclose(A, W) for A, (W, _b) in zip(after, ex.net.params(), strict=True))


def test_undoing_past_the_first_edit_keeps_the_redo_history():
    ex = Experiment.build(SPEC, DATA, sample=0)
    ex.set_param("W", 1, 0, 0, 1.0)
    ex.set_param("W", 1, 0, 0, 2.0)
    assert ex.undo_edit() and ex.undo_edit()
    assert ex.undo_edit() == Change.NONE   # one too many
    assert ex.redo_edit() and ex.net.params()[0][0][0, 0] == 1.0
    assert ex.redo_edit() and ex.net.params()[0][0][0, 0] == 2.0


def test_a_session_saved_after_an_edit_mid_pass_comes_back_with_it(tmp_path):
    from engine.session import load_session, save_session
    ex = Experiment.build(SPEC, DATA, sample=3)
    for _ in range(4):
        ex.step()
    ex.set_param("b", 1, 1, 0, 0.125)
    save_session(tmp_path / "s.bplens", ex.to_session())
    back = Experiment.from_session(load_session(tmp_path / "s.bplens"))
    assert back.stepper.k == 4 and back.net.params()[0][1][1, 0] == 0.125
    assert np.array_equal(back.stepper.state.z[2], ex.stepper.state.z[2])
