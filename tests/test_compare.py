"""Runs side by side: the same start and data order, --vary parsing, exports read back."""

import io
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from cli.main import run
from engine import Network, Trainer, make_dataset, make_optimizer
from engine.compare import (
    MAX_RUNS,
    Base,
    _network,
    compare_csv_text,
    loss_curves,
    make_runs,
    parse_vary,
    read_compare_csv,
    train_runs,
)

DS = make_dataset("moons", n_samples=120, noise=0.1, seed=4)
SPEC = {"input_size": 2, "seed": 5, "layers": [{"units": 6, "activation": "tanh"},
                                               {"units": 1, "activation": "sigmoid"}]}


def base(**kw):
    return Base.from_network(Network.from_spec(SPEC), DS.X, DS.Y, batch_size=16, seed=3, **kw)


def test_runs_share_the_start_and_the_data_order():
    b = base()
    runs = make_runs(b, [parse_vary("lr=0.05,0.5"), parse_vary("optimizer=sgd,adam")])
    assert [r.label for r in runs] == ["lr=0.05, optimizer=sgd", "lr=0.05, optimizer=adam",
                                      "lr=0.5, optimizer=sgd", "lr=0.5, optimizer=adam"]
    W0 = Network.from_spec(SPEC).params()
    for r in runs:  # every run starts from the base's W and b
        for (W, bb), (V, c) in zip(_network(r.settings).params(), W0):
            assert np.array_equal(W, V) and np.array_equal(bb, c)
    train_runs(runs, epochs=3)
    # the first mini-batch is the same for all, seen with the same weights: same first loss
    assert len({r.history.iter_loss[0] for r in runs}) == 1
    assert len({r.history.iter_loss[1] for r in runs}) == 4  # then they part
    # a run equals a Trainer built by hand with the same settings (nothing else leaks in)
    net = Network.from_spec(SPEC)
    tr = Trainer(net, DS.X, DS.Y, optimizer=make_optimizer("adam", 0.5), batch_size=16, seed=3)
    list(tr.run(3))
    assert runs[3].history.iter_loss == tr.history.iter_loss


def test_batch_size_runs_see_the_same_order():
    # with batch 1 and α tiny, the loss of iteration i is c(sample i) at ≈ the initial weights;
    # the batch-4 run's first loss must then be the mean of the batch-1 run's first four
    b = base(lr=1e-12)
    runs = make_runs(b, [parse_vary("batch_size=1,4")])
    train_runs(runs, epochs=1)
    one, four = runs[0].history.iter_loss, runs[1].history.iter_loss
    assert four[0] == pytest.approx(np.mean(one[:4]), rel=1e-9)
    assert four[1] == pytest.approx(np.mean(one[4:8]), rel=1e-9)
    x_name, curves = loss_curves(runs)
    assert x_name == "epoch" and curves[1][1][0] == pytest.approx(4 / DS.X.shape[1])


def test_activations_and_loss_vary_on_the_same_weights():
    runs = make_runs(base(), [parse_vary("activations=relu,tanh:sigmoid")])
    nets = [_network(r.settings) for r in runs]
    assert [ly.activation.name for ly in nets[0].layers] == ["relu", "sigmoid"]
    assert [ly.activation.name for ly in nets[1].layers] == ["tanh", "sigmoid"]
    runs = make_runs(base(), [parse_vary("loss=squared,cross_entropy")])
    assert [_network(r.settings).loss for r in runs] == ["squared", "cross_entropy"]


def test_a_diverging_run_keeps_its_losses_and_the_others_go_on():
    linear = {**SPEC, "layers": [SPEC["layers"][0], {"units": 1, "activation": "identity"}]}
    b = Base.from_network(Network.from_spec(linear), DS.X, DS.Y, batch_size=16, seed=3)
    runs = make_runs(b, [parse_vary("lr=0.1,1000")])
    train_runs(runs, epochs=10)
    assert runs[0].diverged is None and len(runs[0].history.iter_loss) == 60  # 96 / 16 × 10
    assert runs[1].diverged and "diverged" in runs[1].diverged
    assert 1 < len(runs[1].history.iter_loss) < 60
    text = compare_csv_text(runs)
    back = read_compare_csv(text)
    assert back["lr=0.1"] == runs[0].history.iter_loss
    assert back["lr=1000"] == runs[1].history.iter_loss  # shorter: empty cells after


@pytest.mark.parametrize("text, words", [
    ("momentum=0.9", "unknown field 'momentum'"),
    ("lr=0.1,abc", "must be a number"),
    ("lr=-1", "positive"),
    ("optimizer=rmsprop", "unknown optimizer 'rmsprop'"),
    ("batch_size=0", "≥ 1"),
    ("batch_size=2.5", "not a whole number"),
    ("activations=tanh,swish", "unknown activation 'swish'"),
    ("loss=hinge", "unknown loss 'hinge'"),
    ("lr", "expected FIELD=VALUE"),
    ("lr=0.1,0.1", "listed twice"),
])
def test_bad_vary_is_refused_with_a_reason(text, words):
    with pytest.raises(ValueError, match=words):
        parse_vary(text)


def test_too_many_runs_and_unfit_values_are_refused():
    with pytest.raises(ValueError, match=f"9 runs; at most {MAX_RUNS}"):
        make_runs(base(), [parse_vary("lr=0.01,0.1,1"), parse_vary("optimizer=sgd,momentum,adam")])
    with pytest.raises(ValueError, match="given twice"):
        make_runs(base(), [parse_vary("lr=0.01"), parse_vary("lr=0.1")])
    with pytest.raises(ValueError, match="run activations=relu:relu:relu: .*3 layers"):
        make_runs(base(), [parse_vary("activations=relu:relu:relu")])
    with pytest.raises(ValueError, match="softmax"):
        make_runs(base(), [parse_vary("activations=softmax:sigmoid")])


def png_size(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_cli_compare_exports_read_back(tmp_path, capsys):
    files = [tmp_path / n for n in ("c.png", "c.svg", "c.csv")]
    rc = run(["compare", "--dataset", "xor", "--epochs", "4", "--batch-size", "40",
              "--vary", "lr=0.01,0.1,1", "--vary", "optimizer=sgd,adam", "--log-y",
              "--export-loss", *map(str, files)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "compared 6 runs" in out and "lr=1, optimizer=adam" in out
    assert png_size(files[0]) == (1200, 720)
    svg = ET.parse(files[1]).getroot()
    text = " ".join("".join(e.itertext()) for e in svg.iter())
    assert "lr=0.01, optimizer=sgd" in text and "iteration" in text
    curves = read_compare_csv(files[2].read_text())
    assert len(curves) == 6 and all(len(c) == 16 for c in curves.values())  # 160/40 × 4
    assert len({c[0] for c in curves.values()}) == 1  # same start, same first batch


@pytest.mark.parametrize("args, words", [
    (["--vary", "colour=red"], "unknown field 'colour'"),
    (["--vary", "lr=fast"], "must be a number"),
    (["--vary", "lr=1,2,3", "--vary", "batch_size=1,2,3"], "9 runs"),
    ([], "needs at least one --vary"),
    (["--vary", "lr=0.1", "--export-loss", "x.gif"], "unknown file type"),
])
def test_cli_compare_bad_input_exits_2(args, words):
    err = io.StringIO()
    assert run(["compare", "--epochs", "1", *args], io.StringIO(), err) == 2
    assert words in err.getvalue() and err.getvalue().count("\n") == 1


def test_new_engine_modules_and_csv_only_compare_never_load_qt(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    code = ("import sys, engine.compare, engine.quiz, engine.exercise, engine.gradient_health\n"
            "from cli.main import run\n"
            f"assert run(['compare', '--epochs', '1', '--vary', 'lr=0.1,1', "
            f"'--export-loss', {str(tmp_path / 'c.csv')!r}]) == 0\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PyQt6', 'PySide6', 'pyqtgraph')]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(read_compare_csv((tmp_path / "c.csv").read_text())) == 2


# --- runs as copies of an Experiment (the window's way) ----------------------------------


def test_experiment_runs_start_where_the_experiment_started_and_leave_it_alone():
    from engine.compare import experiment_runs, train_experiment_runs
    from engine.experiment import Experiment

    ex = Experiment.build(data={"name": "moons", "n_samples": 60, "noise": 0.1, "seed": 3},
                          lr=0.5, batch_size=12)
    ex.jump(ex.stepper.K)                       # one iteration walked: weights moved
    W_now = ex.net.params()[0][0]
    pairs = experiment_runs(ex, [{}, {"lr": 0.05}, {"optimizer": "adam"},
                                 {"activations": "relu"}])
    for _run, c in pairs:                       # every copy starts from the initial weights
        np.testing.assert_array_equal(c.net.params()[0][0], ex.initial_params[0][0])
    assert pairs[3][1].net.layers[0].activation.name == "relu"
    assert pairs[3][1].net.layers[-1].activation.name == "sigmoid"
    list(train_experiment_runs(pairs, 2))
    assert ex.net.params()[0][0] is W_now and ex.trainer.iteration == 1
    # The base run is the experiment itself trained from its start (same data order).
    ref = Experiment.build(data={"name": "moons", "n_samples": 60, "noise": 0.1, "seed": 3},
                           lr=0.5, batch_size=12)
    for _ in ref.trainer.run(2):
        pass
    assert pairs[0][0].history.iter_loss == ref.history.iter_loss
    # Same start, same first batch: every run's first loss is the same number.
    firsts = {run.history.iter_loss[0] for run, _ in pairs[:3]}
    assert len(firsts) == 1


def test_experiment_runs_refuse_what_the_experiment_refuses():
    from engine.compare import experiment_runs
    from engine.experiment import Experiment

    ex = Experiment.build()
    with pytest.raises(ValueError, match="run lr=-1: .*"):
        experiment_runs(ex, [{"lr": -1.0}])
    with pytest.raises(ValueError, match="names 2 layers, the network has 3"):
        experiment_runs(ex, [{"activations": "tanh:tanh"}])
    with pytest.raises(ValueError, match="unknown field 'colour'"):
        experiment_runs(ex, [{"colour": "red"}])
    with pytest.raises(ValueError, match="at most 8"):
        experiment_runs(ex, [{}] * 9)
