"""Quiz: typed answers checked against values worked out by hand for a 2-2-1 network."""

import math

import numpy as np
import pytest

from engine import Network, Stepper
from engine.quiz import Answer, Quiz, QuizSettings, expected_matrix, parse_number

W1 = [[0.5, -0.3], [0.1, 0.8]]
B1 = [0.0, 0.1]
W2 = [[0.7, -0.2]]
B2 = [0.05]
SPEC = {"input_size": 2, "loss": "squared",
        "layers": [{"units": 2, "activation": "tanh", "W": W1, "b": B1},
                   {"units": 1, "activation": "sigmoid", "W": W2, "b": B2}]}
X = np.array([[1.0], [2.0]])
Y = np.array([[0.25]])
LR = 0.5

# The seed's pass for this sample, written out by hand.
z1 = [0.5 * 1 - 0.3 * 2 + 0.0, 0.1 * 1 + 0.8 * 2 + 0.1]          # -0.1, 1.8
a1 = [math.tanh(z) for z in z1]
z2 = 0.7 * a1[0] - 0.2 * a1[1] + 0.05
a2 = 1 / (1 + math.exp(-z2))
delta2 = 2 * (a2 - 0.25) * a2 * (1 - a2)
delta1 = [W2[0][i] * delta2 * (1 - a1[i] ** 2) for i in range(2)]
dW1 = [[delta1[i] * float(X[j, 0]) for j in range(2)] for i in range(2)]
new_W1 = [[W1[i][j] - LR * dW1[i][j] for j in range(2)] for i in range(2)]


def fresh(**settings):
    st = Stepper(Network.from_spec(SPEC), X, Y, lr=LR)
    return st, Quiz(st, QuizSettings(**settings) if settings else QuizSettings())


@pytest.mark.parametrize("text, value", [
    ("0.5", 0.5), ("-.3", -0.3), ("1e-3", 1e-3), ("0,25", 0.25), (" +2 ", 2.0),
    ("−0.5", -0.5), ("3.", 3.0), ("-1,5E2", -150.0)])
def test_numbers_as_students_type_them(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text, reason", [
    ("", "no number"), ("abc", "not a number"), ("1,2,3", "more than one decimal"),
    ("1.2.3", "not a number"), ("nan", "not a number"), ("inf", "not a number"),
    ("1e999", "too large"), ("0x10", "not a number"), ("1,5.2", "more than one")])
def test_non_numbers_are_refused_with_a_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_number(text)


def test_question_is_what_the_next_step_computes():
    st, quiz = fresh()
    q = quiz.question()
    assert (q.kind, q.layer, q.quantities, q.shapes, q.symbols) == ("z", 1, ("z",), ((2, 1),),
                                                                     ("z₁",))
    assert st.k == 0 and st.state.z[1] is None  # asking does not step
    st, quiz = fresh(quantities=("delta", "dW"))
    assert quiz.question() is None  # z₁ is not quizzed
    st.jump(5)  # forward (4 steps) and the loss: next is δ₂
    q = quiz.question()
    assert (q.kind, q.layer, q.quantities) == ("delta", 2, ("delta",))


def test_a_right_and_a_wrong_cell():
    st, quiz = fresh()
    right = quiz.check_cell("z", 1, 0, 0, "-0,1")
    assert right.correct and right.expected == pytest.approx(z1[0]) and right.worked == ""
    wrong = quiz.check_cell("z", 1, 1, 0, "1.7")
    assert not wrong.correct and wrong.expected == pytest.approx(1.8)
    # the worked computation of that cell: z₁[1, 0] = 0.1·1 + 0.8·2 + 0.1 = 1.8
    assert wrong.worked.startswith("z₁[1, 0] = 0.1·1 + 0.8·2 + 0.1 = 1.8")
    assert st.k == 0  # still not revealed
    with pytest.raises(ValueError, match=r"cell \[0, 0\]: 'x' is not a number"):
        quiz.check_cell("z", 1, 0, 0, "x")
    with pytest.raises(ValueError, match="computes z₁, not δ₁"):
        quiz.check_cell("delta", 1, 0, 0, "1")
    with pytest.raises(ValueError, match="outside the 2×1 matrix"):
        quiz.check_cell("z", 1, 2, 0, "1")
    assert [a.correct for a in quiz.answers] == [True, False]  # refusals are not recorded


def test_a_whole_matrix_and_the_tolerance():
    st, quiz = fresh()
    st.jump(1)  # z₁ done; next is a₁ = tanh(z₁)
    typed = [[f"{a1[0]:.4f}"], [f"{a1[1]:.4f}"]]
    assert all(a.correct for a in quiz.check_matrix("a", 1, typed))
    strict = Quiz(st, QuizSettings(rtol=1e-7, atol=0.0))
    assert not any(a.correct for a in strict.check_matrix("a", 1, typed))
    np.testing.assert_allclose(expected_matrix(quiz, "a", 1)[:, 0], a1, rtol=1e-12)


def test_backward_cells_against_the_hand_computation():
    st, quiz = fresh(quantities=("delta", "dW", "W"))
    st.jump(5)
    assert quiz.check_cell("delta", 2, 0, 0, repr(delta2)).correct
    st.next()  # δ₂ revealed; next: ∂C/∂W₂, ∂C/∂b₂ (only dW quizzed)
    assert quiz.question().quantities == ("dW",)
    st.next()
    a = quiz.check_cell("delta", 1, 1, 0, repr(delta1[1] * 3))
    assert not a.correct and a.expected == pytest.approx(delta1[1], rel=1e-12)
    assert "δ₁[1, 0] = (W₂ᵀδ₂)[1, 0] · σ'(z₁[1, 0])" in a.worked
    st.next()
    b = quiz.check_matrix("dW", 1, [[repr(v) for v in row] for row in dW1])
    assert all(x.correct for x in b) and len(b) == 4
    st.next()  # next: the update; any layer's W may be asked
    q = quiz.question()
    assert q.kind == "update" and q.quantities == ("W",)
    c = quiz.check_cell("W", 1, 1, 1, f"{new_W1[1][1]:.6f}")
    assert c.correct and c.expected == pytest.approx(new_W1[1][1], rel=1e-12)
    assert quiz.score()[0].asked == 7 and quiz.score()[0].correct == 6


def test_score_per_pass():
    st, quiz = fresh(quantities=("z",))
    quiz.check_cell("z", 1, 0, 0, "-0.1")
    st.jump(st.K)  # a whole pass, update done; the next question is the next pass's z₁
    q = quiz.question()
    assert (q.kind, q.layer) == ("z", 1)
    new_b1_0 = B1[0] - LR * delta1[0]
    new_z = new_W1[0][0] * 1 + new_W1[0][1] * 2 + new_b1_0
    assert quiz.check_cell("z", 1, 0, 0, repr(float(new_z))).correct
    assert quiz.check_cell("z", 1, 1, 0, "0").correct is False
    scores = quiz.score()
    assert (scores[0].correct, scores[0].asked) == (1, 1)
    assert (scores[1].correct, scores[1].asked) == (1, 2)
    assert st.k == st.K  # peeking into the next pass came back


def test_answers_round_trip_and_bad_fields():
    _, quiz = fresh()
    a = quiz.check_cell("z", 1, 0, 0, "0.3")
    assert Answer.from_dict(a.to_dict()) == a
    for change, words in (({"row": "0"}, "must be int"), ({"correct": 1}, "must be bool"),
                          ({"value": True}, "must be float"), ({"quantity": "q"}, "unknown"),
                          ({"extra": 1}, "unknown field")):
        with pytest.raises((TypeError, ValueError), match=words):
            Answer.from_dict({**a.to_dict(), **change})
    with pytest.raises(ValueError, match="cannot quiz 'loss'"):
        QuizSettings(quantities=("loss",))
    with pytest.raises(ValueError, match="rtol"):
        QuizSettings(rtol=-1)


# --- the quiz never touches the stepper the student sees ---------------------------------


def test_asking_and_checking_leave_the_stepper_exactly_as_it_was():
    st, quiz = fresh(quantities=("z", "a", "delta", "dW", "W"))
    for _ in range(st.K):                       # every step of the pass, the update too
        state, k, undo = st.state, st.k, len(st._undo)
        lists = [list(getattr(state, q)) for q in ("z", "a", "delta", "dW")]
        W = st.net.params()[0][0]
        q = quiz.question()
        if q is not None:
            quiz.check_cell(q.quantities[0], q.layer, 0, 0, "0.1")
        assert st.state is state and st.k == k and len(st._undo) == undo
        assert [list(getattr(state, q)) for q in ("z", "a", "delta", "dW")] == lists
        assert st.net.params()[0][0] is W
        st.next()


def test_a_full_undo_history_keeps_its_oldest_step_when_the_quiz_peeks():
    st, quiz = fresh()
    st._undo = type(st._undo)(st._undo, maxlen=3)   # a tiny history, full after 3 steps
    for _ in range(3):
        st.next()
    oldest = st._undo[0]
    quiz.question()
    expected_matrix(quiz, "a", 2)
    assert st._undo[0] is oldest and len(st._undo) == 3


def test_after_the_update_the_quiz_asks_about_the_batch_training_takes_next():
    from engine.experiment import Experiment

    ex = Experiment.build(data={"name": "moons", "n_samples": 40, "noise": 0.1, "seed": 1},
                          sample=None, batch_size=8)
    ex.jump(ex.stepper.K)                       # the pass is done: next is z₁ of pass 2
    idx = ex.trainer.next_indices().copy()
    assert not np.array_equal(idx, ex.stepper.state.samples)
    quiz = Quiz(ex.stepper, QuizSettings(("z",)), next_batch=ex.pass_batch,
                pass_index=ex.trainer.iteration)
    W1, b1 = ex.net.params()[0]
    by_hand = W1 @ ex.dataset.X[:, idx] + b1    # z₁ of the next mini-batch
    np.testing.assert_allclose(expected_matrix(quiz, "z", 1), by_hand, rtol=1e-12)
    a = quiz.check_cell("z", 1, 2, 3, f"{by_hand[2, 3]:.6f}")
    assert a.correct and a.pass_index == 1 and ex.stepper.k == ex.stepper.K
    ex.step()
    np.testing.assert_allclose(ex.stepper.state.z[1], by_hand, rtol=1e-12)


def test_blocks_are_split_into_rows_and_cells():
    from engine.quiz import parse_block

    assert parse_block("0.1 0.2; 0.3 0.4") == [["0.1", "0.2"], ["0.3", "0.4"]]
    assert parse_block("0,25 −1\n2") == [["0,25", "-1"], ["2"]]
    assert parse_block("  ") == [[""]]
    st, quiz = fresh(quantities=("z",))
    with pytest.raises(ValueError, match="rectangle"):
        quiz.check_matrix("z", 1, parse_block("1; 2 3"))
    right = quiz.check_matrix("z", 1, parse_block(f"{z1[0]}; 1.8"))
    assert [a.correct for a in right] == [True, True]


def test_a_weight_gradient_cell_beyond_the_sample_count_is_explained():
    """∂C/∂W's columns are inputs, not samples: [0, 1] of a one-sample pass has a story."""
    from engine.experiment import Experiment

    ex = Experiment.build(sample=3)             # one sample: the state has one sample index
    ex.jump(2 * ex.net.L + 3)                   # δ_L and ∂C/∂W_L are done
    s = ex.stepper.state
    L = ex.net.L
    text = ex.stepper.explain("dW", L, 0, 5)
    want = s.delta[L][0, 0] * s.a[L - 1][5, 0]  # ∂C/∂W[0, 5] = δ[0] a_{L-1}[5]
    assert f"{want:.4g}"[:5] in text or f"{want:.3g}" in text


def test_a_quantity_the_step_does_not_make_for_this_loss_is_not_asked():
    # Under cross-entropy with a softmax output, δ_L = a_L − y: no ∂c/∂a_L, no σ'_L
    # (the monkey test found the question asserting they exist).
    from engine import Network
    from engine.quiz import Quiz, QuizSettings
    from engine.stepper import Stepper
    net = Network.from_spec({"input_size": 2, "seed": 0, "loss": "cross_entropy", "layers": [
        {"units": 3, "activation": "tanh"}, {"units": 3, "activation": "softmax"}]})
    X, Y = np.array([[0.5], [-1.0]]), np.array([[0.0], [1.0], [0.0]])
    st = Stepper(net, X, Y)
    for _ in range(5):   # z₁ a₁ z₂ a₂ loss: next is δ₂
        st.next()
    only_sp = Quiz(st, QuizSettings(quantities=("sigma_prime", "dc_da")))
    assert only_sp.question() is None
    q = Quiz(st, QuizSettings(quantities=("sigma_prime", "delta"))).question()
    assert q is not None and q.quantities == ("delta",)
