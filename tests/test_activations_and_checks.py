"""Activations against their own central differences; the seed's checks; engine stays Qt-free."""

import subprocess
import sys

import numpy as np
import pytest

from engine import Network, dimension_check, matrix_trick
from engine.activations import ACTIVATIONS
from engine.losses import loss_value


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if n != "softmax"])
def test_derivative_matches_central_difference(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-4, 4, 41).reshape(1, -1) + 0.013  # avoid the ReLU kink at 0
    h = 1e-6
    numeric = (act.f(z + h) - act.f(z - h)) / (2 * h)
    np.testing.assert_allclose(act.prime(z, act.f(z)), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_stable_at_extreme_inputs(name):
    act = ACTIVATIONS[name]
    z = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]]).T  # warnings are errors in tests
    a = act.f(z)
    assert np.isfinite(a).all()
    if act.prime is not None:
        assert np.isfinite(act.prime(z, a)).all()


def test_cross_entropy_is_finite_for_saturated_outputs():
    z = np.array([[1000.0, -1000.0]])
    Y = np.array([[0.0, 1.0]])
    loss = loss_value("cross_entropy", ACTIVATIONS["sigmoid"], z, ACTIVATIONS["sigmoid"].f(z), Y)
    assert loss == pytest.approx(1000.0)  # (softplus(1000) + softplus(1000)) / 2


def test_dimension_check_passes_for_every_layer():
    net = Network.from_spec({"input_size": 3, "layers": [
        {"units": 5, "activation": "tanh"}, {"units": 2, "activation": "sigmoid"}]})
    g = net.backward(net.forward(np.ones((3, 4))), np.zeros((2, 4)))
    checks = dimension_check(net, g)
    assert [(c.layer, c.name, c.param_shape) for c in checks] == [
        (1, "W", (5, 3)), (1, "b", (5, 1)), (2, "W", (2, 5)), (2, "b", (2, 1))]
    assert all(c.ok for c in checks)


def test_matrix_trick_has_plus_two_and_the_slide_sign_is_wrong():
    rng = np.random.default_rng(0)
    W, X, V, U = (rng.normal(size=s) for s in [(3, 4), (4, 2), (2, 5), (3, 5)])
    res = matrix_trick(W, X, V, U)
    for name in ("W", "X", "V"):
        assert res[name]["rel_error"] < 1e-6
        assert res[name]["slide_rel_error"] > 1.9  # -2 … is the negative of the truth
    R = W @ X @ V - U  # independent: the chain rule written out for one entry of W
    i, j = 1, 2
    expected = sum(2 * R[i, c] * (X @ V)[j, c] for c in range(5))
    assert res["W"]["analytic"][i, j] == pytest.approx(expected)


def test_engine_never_imports_qt():
    code = ("import sys, engine, engine.stepper, engine.training, engine.checks, "
            "engine.datasets, engine.optim\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PyQt6', 'PyQt5', 'PySide6', 'pyqtgraph')]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_sample_entries_are_distinct_in_range_and_seeded():
    import numpy as np

    from engine.checks import sample_entries
    idx = sample_entries((4000, 4000), 300, np.random.default_rng(7))
    assert idx.shape == (300, 2) and idx.min() >= 0 and idx.max() < 4000
    flat = idx[:, 0] * 4000 + idx[:, 1]
    assert len(set(flat.tolist())) == 300 and (np.diff(flat) > 0).all()
    again = sample_entries((4000, 4000), 300, np.random.default_rng(7))
    assert np.array_equal(idx, again)
    every = sample_entries((3, 2), 10, np.random.default_rng(0))
    assert every.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]]
    column = sample_entries((5, 1), None, np.random.default_rng(0))
    assert column.tolist() == [[i, 0] for i in range(5)]


def test_gradient_check_reports_progress_up_to_the_total():
    import numpy as np

    from engine import Network
    from engine.checks import gradient_check
    net = Network.from_spec({"input_size": 3, "layers": [
        {"units": 40, "activation": "tanh"}, {"units": 2, "activation": "identity"}]})
    X = np.random.default_rng(0).normal(size=(3, 5))
    Y = np.zeros((2, 5))
    seen = []
    res = gradient_check(net, X, Y, max_entries=45, progress=lambda d, t: seen.append((d, t)))
    total = 45 + 40 + 45 + 2   # W_1 120 → 45, b_1 40, W_2 80 → 45, b_2 2
    assert seen[-1] == (total, total) and all(t == total for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) >= 4
    assert sum(len(e.index) for e in res.entries) == total and res.passed
