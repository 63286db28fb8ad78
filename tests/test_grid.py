"""engine.grid against hand arithmetic: identity networks make the output a known plane."""

import numpy as np
import pytest

from engine import Network
from engine.grid import curve, decision_grid, padded_limits


def identity_net(W, b):
    W = np.atleast_2d(W)
    return Network.from_spec({"input_size": W.shape[1], "layers": [
        {"units": W.shape[0], "activation": "identity", "W": W.tolist(),
         "b": list(np.ravel(b))}]})


def test_single_output_is_the_plane_w_x_plus_b():
    net = identity_net([[2.0, -3.0]], [0.5])
    xs, ys, v = decision_grid(net, (-1, 1), (0, 2), resolution=5)
    assert list(xs) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert list(ys) == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert v.cls is None and v.a_L.shape == (1, 5, 5)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            assert v.score[i, j] == pytest.approx(2 * x - 3 * y + 0.5)
    # row i follows y: the corner (x=1, y=0) is row 0, last column
    assert v.score[0, -1] == pytest.approx(2.5)


def test_sigmoid_output_between_zero_and_one():
    net = Network.from_spec({"input_size": 2, "layers": [
        {"units": 1, "activation": "sigmoid", "W": [[1.0, 0.0]], "b": [0.0]}]})
    xs, ys, v = decision_grid(net, (-2, 2), (-1, 1), resolution=3)
    np.testing.assert_allclose(v.score[1], 1 / (1 + np.exp(-np.array([-2.0, 0.0, 2.0]))))


def test_several_outputs_give_class_and_winning_value():
    # three outputs x, y, 0.25 (constant): the class is which one is largest
    net = identity_net([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], [0.0, 0.0, 0.25])
    xs, ys, v = decision_grid(net, (-1, 1), (-1, 1), resolution=3)
    expect_cls = np.empty((3, 3), dtype=int)
    expect_score = np.empty((3, 3))
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            outs = [x, y, 0.25]
            expect_cls[i, j] = int(np.argmax(outs))
            expect_score[i, j] = max(outs)
    np.testing.assert_array_equal(v.cls, expect_cls)
    np.testing.assert_allclose(v.score, expect_score)
    assert v.cls[0, 0] == 2 and v.cls[2, 2] == 0  # (-1,-1): constant wins; (1,1): tie → x


def test_softmax_score_is_max_probability():
    net = Network.from_spec({"input_size": 2, "loss": "cross_entropy", "layers": [
        {"units": 2, "activation": "softmax", "W": [[1.0, 0.0], [0.0, 0.0]], "b": [0, 0]}]})
    _, _, v = decision_grid(net, (-1, 1), (-1, 1), resolution=3)
    p1 = np.exp(1) / (np.exp(1) + 1)
    assert v.score[0, 2] == pytest.approx(p1) and v.cls[0, 2] == 0
    assert v.score[0, 0] == pytest.approx(p1) and v.cls[0, 0] == 1


def test_curve_is_the_line_w_x_plus_b():
    net = identity_net([[3.0]], [-1.0])
    xs, ys = curve(net, (0, 1), n=11)
    assert ys.shape == (1, 11)
    np.testing.assert_allclose(ys[0], 3 * np.linspace(0, 1, 11) - 1)


@pytest.mark.parametrize("call, match", [
    (lambda n2, n1: decision_grid(n1, (0, 1), (0, 1)), "2 inputs"),
    (lambda n2, n1: curve(n2, (0, 1)), "1 input"),
    (lambda n2, n1: decision_grid(n2, (1, 0), (0, 1)), "xlim"),
    (lambda n2, n1: decision_grid(n2, (0, 1), (0, float("nan"))), "ylim"),
    (lambda n2, n1: decision_grid(n2, (0, 1), (0, 1), resolution=1), "resolution"),
    (lambda n2, n1: decision_grid(n2, (0, 1), (0, 1), resolution=2.5), "resolution"),
    (lambda n2, n1: curve(n1, "ab"), "xlim"),
])
def test_bad_arguments_are_named(call, match):
    n2, n1 = identity_net([[1.0, 1.0]], [0.0]), identity_net([[1.0]], [0.0])
    with pytest.raises(ValueError, match=match):
        call(n2, n1)


def test_padded_limits():
    X = np.array([[0.0, 10.0, 5.0], [2.0, 2.0, 2.0]])
    assert padded_limits(X, pad=0.1) == [(-1.0, 11.0), (1.0, 3.0)]
    with pytest.raises(ValueError, match="shape"):
        padded_limits(np.zeros((2, 0)))
