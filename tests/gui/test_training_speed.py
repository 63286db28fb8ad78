"""Training at a chosen speed: the controller paces iterations by its (injected) clock.

The timer's ticks are played by hand (``_on_tick``) against a fake clock, so the
counts below are exact, not timing-dependent.
"""

import math

import pytest

from engine import Network
from engine.datasets import make_dataset
from engine.training import Trainer
from gui.training_controller import TrainingController


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def trainer():
    ds = make_dataset("moons", n_samples=120, noise=0.1, seed=0, val_fraction=0.25)
    net = Network.from_spec({"input_size": 2, "seed": 1, "layers": [
        {"units": 8, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]})
    return Trainer(net, ds.X, ds.Y, batch_size=16, lr=0.5)


@pytest.fixture
def paced(qtbot):
    clock = FakeClock()
    c = TrainingController(clock=clock)
    tr = trainer()
    yield c, tr, clock
    c.stop()


def run_for(c, clock, seconds, step=0.01):
    """Tick every ``step`` seconds of fake time for ``seconds``."""
    t0 = clock.t
    for i in range(1, round(seconds / step) + 1):
        clock.t = t0 + i * step
        c._on_tick()


@pytest.mark.parametrize("rate", [1, 10, 30, 100])
def test_a_limited_rate_runs_the_iterations_due_by_the_clock(paced, rate):
    c, tr, clock = paced
    c.set_rate(rate)
    c.start(tr, None)
    c._on_tick()                    # t = 0: the first iteration runs at once
    assert tr.iteration == 1
    run_for(c, clock, 2.0, step=0.001)
    # one at t = 0, then one each 1/rate s: 2 s hold 2·rate more (±1 for rounding)
    assert abs(tr.iteration - (1 + 2 * rate)) <= 1


def test_iterations_are_spread_out_not_bunched(paced):
    c, tr, clock = paced
    c.set_rate(10)
    c.start(tr, None)
    counts = []
    for i in range(101):             # a tick every 10 ms for 1 s
        clock.t = i * 0.01
        c._on_tick()
        counts.append(tr.iteration)
    # at 10 it/s iteration k + 1 runs at t = k/10: never two in one 10 ms tick
    assert all(b - a <= 1 for a, b in zip(counts, counts[1:]))
    assert counts[5] == 1 and counts[15] == 2 and counts[95] == 10


def test_a_new_speed_takes_effect_at_once_mid_run(paced):
    c, tr, clock = paced
    c.set_rate(1)
    c.start(tr, None)
    run_for(c, clock, 2.0)
    assert tr.iteration == 3         # t = 0, 1, 2
    c.set_rate(100)
    run_for(c, clock, 0.5, step=0.001)
    assert abs(tr.iteration - (3 + 1 + 50)) <= 1
    c.set_rate(None)                 # as fast as it goes: a tick runs until its chunk ends
    clock_reads = [clock.t]

    def busy_clock():                # each reading 1 ms later: a chunk of 25 ms ≈ 25 iterations
        clock_reads[0] += 0.001
        return clock_reads[0]
    c._clock = busy_clock
    c._on_tick()                     # (a redraw was due: one iteration, then the redraw)
    before = tr.iteration
    c._on_tick()
    assert tr.iteration - before >= 10


def test_pause_owes_no_iterations_and_resume_paces_again(paced, qtbot):
    c, tr, clock = paced
    c.set_rate(10)
    c.start(tr, None)
    run_for(c, clock, 1.0)
    n = tr.iteration
    c.pause()
    clock.t += 60.0                  # a minute paused
    assert not c._timer.isActive()
    c.resume()
    c._on_tick()
    assert tr.iteration == n + 1     # resuming does not catch up 600 iterations
    run_for(c, clock, 1.0)
    assert abs(tr.iteration - (n + 11)) <= 1
    with qtbot.waitSignal(c.training_finished):
        c.stop()
    assert not c.is_running and not c.is_paused


def test_an_engine_slower_than_the_rate_runs_flat_out_without_a_burst_later(paced):
    c, tr, clock = paced
    c.set_rate(1000)
    c.start(tr, None)

    def slow_clock():                # every reading 10 ms later: ~100 iterations/s at most
        clock.t += 0.01
        return clock.t
    c._clock = slow_clock
    sizes = []
    for _ in range(20):
        before = tr.iteration
        c._on_tick()
        sizes.append(tr.iteration - before)
    # each tick ends at its chunk's deadline (25 ms ≈ 2 iterations here), not after the
    # growing number of iterations the 1000 it/s clock would owe
    assert max(sizes) <= 3


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf, True, "fast"])
def test_a_bad_rate_is_refused_with_its_value(qtbot, bad):
    c = TrainingController()
    with pytest.raises(ValueError, match="iterations per second"):
        c.set_rate(bad)
    assert c.rate is None


@pytest.mark.parametrize("redraw_ms", [2, 50])
def test_at_full_speed_redraws_never_take_more_than_their_share(qtbot, redraw_ms):
    # A fake clock: each reading is 0.5 ms of engine work; a slot on the progress signal
    # (the window redrawing) costs redraw_ms. Cheap redraws come 30 times a second;
    # dear ones are spaced so that the engine keeps ENGINE_SHARE of the time.
    from gui import training_controller as tc_mod
    t = [0.0]
    spent = [0.0]

    def clock():
        t[0] += 0.0005
        return t[0]

    def redraw(_rec):
        t[0] += redraw_ms / 1000
        spent[0] += redraw_ms / 1000
    c = TrainingController(clock=clock)
    c.progress.connect(redraw)
    c.start(trainer(), None)
    while t[0] < 5.0:                # five seconds of fake time, the timer played by hand
        c._on_tick()
    c.stop()
    share = 1 - spent[0] / t[0]
    flushes_per_second = (spent[0] / (redraw_ms / 1000)) / t[0]
    assert share >= tc_mod.ENGINE_SHARE - 0.03
    if redraw_ms == 2:     # 30 × 2 ms = 6 %: no need to space them out
        assert flushes_per_second >= 0.85 * tc_mod.MAX_UPDATES_PER_SECOND
    else:                  # 50 ms each: (1 − share) / 50 ms a second, 3 at share 0.85
        expected = (1 - tc_mod.ENGINE_SHARE) / (redraw_ms / 1000)
        assert 0.75 * expected <= flushes_per_second <= 1.25 * expected
