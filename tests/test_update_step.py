"""The update step's record (W before, the step, W after) against hand-worked numbers.

The network is one identity unit, z = w₀x₀ + w₁x₁ + b, with the lecture's squared loss
c = (a − y)², so every number below can be checked on paper:
pass 1: x = (1, 2), y = 1, W = (0.5, −0.3), b = 0.1 → z = a = 0, δ = 2(a − y) = −2,
∂c/∂W = δ xᵀ = (−2, −4), ∂c/∂b = −2.
"""

import numpy as np
import pytest

from engine import Network, make_optimizer
from engine.experiment import Experiment
from engine.stepper import Stepper

SPEC = {"input_size": 2, "seed": 0, "loss": "squared", "layers": [
    {"units": 1, "activation": "identity", "W": [[0.5, -0.3]], "b": [0.1]}]}
X, Y = np.array([[1.0], [2.0]]), np.array([[1.0]])


def walked(opt: str, passes: int = 1, lr: float = 0.1) -> Stepper:
    st = Stepper(Network.from_spec(SPEC), X, Y, optimizer=make_optimizer(opt, lr))
    for _ in range(passes * st.K):
        st.next()
    return st


def test_no_record_before_the_update_and_none_again_after_stepping_back():
    st = walked("sgd")
    st.back()
    assert st.k == st.K - 1 and st.update_step() is None
    st.next()
    assert st.update_step() is not None
    st.next()   # the next pass's first step
    assert st.update_step() is None


def test_gradient_descent_step_is_minus_alpha_times_the_gradient_by_hand():
    u = walked("sgd").update_step()
    assert u is not None and u.is_gradient_step and u.lr == 0.1
    np.testing.assert_allclose(u.array("W_before", 1), [[0.5, -0.3]])
    np.testing.assert_allclose(u.array("W_step", 1), [[0.2, 0.4]])      # −0.1 · (−2, −4)
    np.testing.assert_allclose(u.array("W_after", 1), [[0.7, 0.1]])
    np.testing.assert_allclose(u.array("b_step", 1), [[0.2]])
    np.testing.assert_allclose(u.array("b_after", 1), [[0.3]])
    assert u.symbol("W_step", 1) == "−α ∂C/∂W₁"
    assert u.symbol("b_after", 1) == "b₁ after"


def test_gradient_descent_cell_arithmetic_reads_like_the_lecture():
    st = walked("sgd")
    assert st.explain("W_after", 1, 0, 0) == \
        "W₁_after[0, 0] = W₁_before[0, 0] − α·∂C/∂W₁[0, 0] = 0.5 − 0.1 · (-2) = 0.7"
    assert st.explain("W_step", 1, 0, 1) == "−α·∂C/∂W₁[0, 1] = −0.1 · (-4) = 0.4"
    assert st.explain("b_after", 1, 0, 0) == \
        "b₁_after[0, 0] = b₁_before[0, 0] − α·∂C/∂b₁[0, 0] = 0.1 − 0.1 · (-2) = 0.3"
    with pytest.raises(ValueError, match="outside"):
        st.explain("W_after", 1, 0, 2)


def test_momentum_step_is_the_real_step_of_its_second_pass_by_hand():
    # Pass 2 starts at W = (0.7, 0.1), b = 0.3: z = 0.7 + 0.2 + 0.3 = 1.2, δ = 0.4,
    # g_W = (0.4, 0.8), g_b = 0.4. v = 0.9·(−2, −4) + g = (−1.4, −2.8): ΔW = (0.14, 0.28).
    st = walked("momentum", passes=2)
    u = st.update_step()
    assert u is not None and not u.is_gradient_step
    assert u.symbol("W_step", 1) == "ΔW₁ (momentum)"
    np.testing.assert_allclose(u.array("W_before", 1), [[0.7, 0.1]])
    np.testing.assert_allclose(u.array("W_step", 1), [[0.14, 0.28]])
    np.testing.assert_allclose(u.array("W_after", 1), [[0.84, 0.38]])
    np.testing.assert_allclose(u.array("b_step", 1), [[0.14]])
    assert st.explain("W_step", 1, 0, 0) == \
        "ΔW₁[0, 0] = −α·(β·v_prev + ∂C/∂W₁[0, 0]) = −0.1 · (0.9 · (-2) + 0.4) = 0.14"
    assert st.explain("W_after", 1, 0, 1) == \
        "W₁_after[0, 1] = W₁_before[0, 1] + ΔW₁[0, 1] = 0.1 + 0.28 = 0.38"


def test_adam_first_step_is_alpha_against_the_sign_of_the_gradient():
    # t = 1: m̂ = g, v̂ = g², so ΔW = −α g / (|g| + ε) ≈ α · (1, 1) for g = (−2, −4).
    st = walked("adam")
    u = st.update_step()
    assert u is not None and u.symbol("W_step", 1) == "ΔW₁ (Adam)"
    np.testing.assert_allclose(u.array("W_step", 1), [[0.1, 0.1]], rtol=1e-7)
    np.testing.assert_allclose(u.array("W_after", 1), [[0.6, -0.2]], rtol=1e-7)
    text = st.explain("W_step", 1, 0, 1)
    assert text.startswith("ΔW₁[0, 1] = −α·m̂/(√v̂ + ε) = −0.1 · (-4) / (√16 + 1e-08) = 0.1")


def test_the_record_uses_the_alpha_of_the_update_not_one_set_after_it():
    ex = Experiment.build(SPEC, {"name": "xor"}, lr=0.1, sample=0)
    while ex.stepper.k < ex.stepper.K:
        ex.step()
    before = ex.stepper.update_step()
    assert before is not None
    g = before.grads[0][0]
    ex.set_lr(0.5)   # α for the next pass; this pass's update was taken with 0.1
    u = ex.stepper.update_step()
    assert u is not None and u.lr == 0.1
    np.testing.assert_allclose(u.array("W_step", 1), -0.1 * g)
    assert ex.explain("W_after", 1, 0, 0) is not None
    ex.step_back()
    assert ex.explain("W_after", 1, 0, 0) is None   # no update in this pass yet
