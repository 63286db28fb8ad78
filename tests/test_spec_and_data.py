"""Specs round-trip exactly; bad specs and bad arrays raise ValueError naming the problem."""

import json

import numpy as np
import pytest

from engine import Network, check_lr

TEXTBOOK = {"input_size": 2, "loss": "squared", "seed": 0, "init": "xavier",
            "layers": [{"units": 3, "activation": "tanh",
                        "W": [[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2]], "b": [0.0, 0.1, -0.1]},
                       {"units": 1, "activation": "sigmoid", "W": [[0.7, -0.2, 0.4]],
                        "b": [0.05]}]}


def test_spec_round_trips_exactly_through_json():
    net = Network.from_spec(TEXTBOOK)
    assert net.to_spec() == TEXTBOOK
    rng = np.random.default_rng(0)
    net.layers[0].W = rng.normal(size=(3, 2)) / 3  # full-precision floats
    back = Network.from_spec(json.loads(json.dumps(net.to_spec())))
    assert np.array_equal(back.layers[0].W, net.layers[0].W)


def test_same_seed_same_weights_other_seed_other_weights():
    spec = {"input_size": 4, "seed": 11, "init": "he",
            "layers": [{"units": 6, "activation": "relu"}, {"units": 2, "activation": "identity"}]}
    a, b = Network.from_spec(spec), Network.from_spec(spec)
    c = Network.from_spec({**spec, "seed": 12})
    assert all(np.array_equal(x.W, y.W) for x, y in zip(a.layers, b.layers))
    assert not np.array_equal(a.layers[0].W, c.layers[0].W)


def test_initialisers_have_their_documented_scale():
    for init, check in [("xavier", lambda W: np.abs(W).max() <= np.sqrt(6 / (300 + 200))),
                        ("uniform", lambda W: np.abs(W).max() <= 0.1),
                        ("he", lambda W: abs(W.std() - np.sqrt(2 / 300)) < 0.005)]:
        net = Network.from_spec({"input_size": 300, "init": init, "layers": [
            {"units": 200, "activation": "relu"}]})
        assert check(net.layers[0].W), init


def bad(layers=None, **top):
    one = [{"units": 1, "activation": "sigmoid"}]
    spec = {"input_size": 2, "layers": one if layers is None else layers}
    spec.update(top)
    return spec


@pytest.mark.parametrize("spec, words", [
    (bad([{"units": 3, "activation": "tanh"},
          {"units": 1, "activation": "sigmoid", "W": [[1.0, 2.0]]}]), ["layer 2", "W", "1×3"]),
    (bad([{"units": 2, "activation": "swish"}]), ["layer 1", "swish"]),
    (bad([{"units": 0, "activation": "tanh"}]), ["layer 1", "units"]),
    (bad([{"units": 1, "activation": "tanh", "W": [[float("nan"), 1.0]]}]),
     ["layer 1", "W", "nan"]),
    (bad([{"units": 1, "activation": "tanh", "b": [1.0, 2.0]}]), ["layer 1", "b", "shape"]),
    (bad([{"activation": "tanh"}]), ["layer 1", "units"]),
    (bad([{"units": 10**6, "activation": "tanh"}]), ["layer 1", "limit"]),
    (bad([{"units": 2, "activation": "softmax"}, {"units": 1, "activation": "sigmoid"}],
         loss="cross_entropy"), ["layer 1", "softmax"]),
    (bad([{"units": 2, "activation": "tanh"}], loss="cross_entropy"), ["cross_entropy"]),
    (bad(loss="hinge"), ["hinge"]),
    ({"layers": []}, ["input_size"]),
    (bad([]), ["layers"]),
    (bad(input_size=True), ["input_size"]),
    (bad(seed=-1), ["seed"]),
    (bad(extra=1), ["extra"]),
    ([1, 2], ["object"]),
])
def test_bad_specs_raise_value_error_naming_the_problem(spec, words):
    with pytest.raises(ValueError) as e:
        Network.from_spec(spec)
    for w in words:
        assert w in str(e.value), (w, str(e.value))


def test_bad_arrays_are_refused_with_their_shape_or_cell():
    net = Network.from_spec(TEXTBOOK)
    with pytest.raises(ValueError, match="3 rows .* 2 inputs"):
        net.forward(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"X\[1, 2\] is nan"):
        X = np.ones((2, 4))
        X[1, 2] = np.nan
        net.forward(X)
    with pytest.raises(ValueError, match="columns"):
        net.backward(net.forward(np.ones((2, 4))), np.ones((1, 3)))
    with pytest.raises(ValueError, match="no samples"):
        net.forward(np.ones((2, 0)))


@pytest.mark.parametrize("lr", [-0.1, 0.0, float("nan"), float("inf"), 1e9, "fast"])
def test_bad_learning_rates(lr):
    with pytest.raises(ValueError, match="learning rate"):
        check_lr(lr)


@pytest.mark.parametrize("W, words", [
    ([[0.8, "0.8"]], "layer 1: W[0, 1] is the text '0.8', not a number"),
    ([[True, 0.5]], "layer 1: W[0, 0] is true, not a number"),
    ([[0.5, None]], "layer 1: W[0, 1] is null, not a number"),
    ([[0.5, {"x": 1}]], "layer 1: W[0, 1] is a dict, not a number"),
])
def test_spec_cells_that_are_not_numbers_are_named(W, words):
    with pytest.raises(ValueError) as ei:
        Network.from_spec({"input_size": 2, "layers": [{"units": 1, "activation": "tanh",
                                                        "W": W}]})
    assert str(ei.value) == words


def test_spec_b_null_is_null_not_nan():
    with pytest.raises(ValueError, match=r"layer 1: b\[1\] is null, not a number"):
        Network.from_spec({"input_size": 2, "layers": [{"units": 2, "activation": "tanh",
                                                        "b": [0.0, None]}]})


def test_one_unit_softmax_is_refused():
    with pytest.raises(ValueError, match="softmax over 1 unit always outputs 1"):
        Network.from_spec({"input_size": 2, "loss": "cross_entropy",
                           "layers": [{"units": 1, "activation": "softmax"}]})
    net = Network.from_spec({"input_size": 2, "loss": "cross_entropy",
                             "layers": [{"units": 2, "activation": "softmax"}]})
    assert net.sizes == [2, 2]
