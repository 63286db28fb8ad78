"""The headless commands: a hand-computed textbook run, exports read back, exit status 2."""

import csv
import io
import json
import math
import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from cli.main import Progress, run
from engine import Network
from engine.session import load_session

ROOT = Path(__file__).resolve().parents[1]

W1 = [[0.5, -0.3], [0.1, 0.8]]
B1 = [0.0, 0.1]
W2 = [[0.7, -0.2]]
B2 = [0.05]
X = [1.0, 2.0]
Y = 0.25
LR = 0.5
TEXTBOOK = {"input_size": 2, "loss": "squared", "seed": 0,
            "layers": [{"units": 2, "activation": "tanh", "W": W1, "b": B1},
                       {"units": 1, "activation": "sigmoid", "W": W2, "b": B2}]}


def cli(*args, cwd=None):
    """Run the CLI in a fresh interpreter, as a user would."""
    code = "import sys; from cli.main import run; sys.exit(run(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=120, env=env)


def hand_computed_update():
    """One step of the seed's backprop for the 2-2-1 network, written out by hand."""
    z1 = [W1[i][0] * X[0] + W1[i][1] * X[1] + B1[i] for i in range(2)]
    a1 = [math.tanh(z) for z in z1]
    z2 = W2[0][0] * a1[0] + W2[0][1] * a1[1] + B2[0]
    a2 = 1.0 / (1.0 + math.exp(-z2))
    loss = (a2 - Y) ** 2
    delta2 = 2.0 * (a2 - Y) * a2 * (1.0 - a2)              # ∂c/∂a_L ⊙ σ'(z_L)
    delta1 = [W2[0][i] * delta2 * (1.0 - a1[i] ** 2) for i in range(2)]  # (W₂ᵀδ₂) ⊙ tanh'
    new_W2 = [[W2[0][j] - LR * delta2 * a1[j] for j in range(2)]]
    new_b2 = [B2[0] - LR * delta2]
    new_W1 = [[W1[i][j] - LR * delta1[i] * X[j] for j in range(2)] for i in range(2)]
    new_b1 = [B1[i] - LR * delta1[i] for i in range(2)]
    return new_W1, new_b1, new_W2, new_b2, loss


def test_textbook_example_end_to_end(tmp_path):
    (tmp_path / "net.json").write_text(json.dumps(TEXTBOOK))
    (tmp_path / "one.csv").write_text("x1,x2,y\n1,2,0.25\n")
    r = cli("train", "--spec", tmp_path / "net.json", "--data", tmp_path / "one.csv",
            "--epochs", 1, "--batch-size", 1, "--lr", LR, "--save-spec", tmp_path / "out.json",
            "--export-loss", tmp_path / "loss.csv")
    assert r.returncode == 0, r.stderr
    out = json.loads((tmp_path / "out.json").read_text())
    W1n, b1n, W2n, b2n, loss = hand_computed_update()
    got = out["layers"]
    for g, w in ((got[0]["W"], W1n), (got[0]["b"], b1n), (got[1]["W"], W2n), (got[1]["b"], b2n)):
        flat_g = [x for row in g for x in row] if isinstance(g[0], list) else g
        flat_w = [x for row in w for x in row] if isinstance(w[0], list) else w
        assert flat_g == pytest.approx(flat_w, rel=1e-12, abs=1e-15)
    assert out["layers"][0]["activation"] == "tanh" and out["loss"] == "squared"
    rows = list(csv.reader(io.StringIO((tmp_path / "loss.csv").read_text())))
    assert rows[0] == ["iteration", "epoch", "train_loss", "epoch_train_loss", "epoch_val_loss"]
    assert len(rows) == 2 and float(rows[1][2]) == pytest.approx(loss, rel=1e-12)
    # The trained spec feeds the next run: a reproducible pipeline.
    r2 = cli("train", "--spec", tmp_path / "out.json", "--data", tmp_path / "one.csv",
             "--epochs", 1, "--batch-size", 1, "--lr", LR, "--save-spec", tmp_path / "b.json")
    assert r2.returncode == 0, r2.stderr
    assert json.loads((tmp_path / "b.json").read_text())["layers"][1]["W"] != W2n


def png_size(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_exports_read_back(tmp_path, capsys):
    files = [tmp_path / n for n in ("l.png", "l.svg", "l.csv")]
    rc = run(["train", "--dataset", "xor", "--epochs", "3", "--batch-size", "40",
              "--save-session", str(tmp_path / "s.bplens"), "--log-y",
              "--export-loss", *map(str, files)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "trained 2-8-1" in out and "epoch 3/3" in err
    assert png_size(files[0]) == (1600, 900)   # the default: a 16:9 slide
    svg = ET.parse(files[1]).getroot()
    assert svg.tag.endswith("svg")
    text = " ".join("".join(e.itertext()) for e in svg.iter())
    assert "iteration" in text and "loss" in text
    from gui.loss_plot import read_history_csv

    hist = read_history_csv(files[2])
    s = load_session(tmp_path / "s.bplens")
    assert hist["iter_loss"] == s.trainer["history"]["iter_loss"]
    assert hist["epoch_train"] == s.trainer["history"]["epoch_train"]
    assert hist["epoch_val"] == s.trainer["history"]["epoch_val"]
    assert len(hist["iter_loss"]) == s.trainer["iteration"] == 12
    assert s.view["log_y"] is True


def test_resume_session_continues_history(tmp_path, capsys):
    base = ["--dataset", "moons", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "16"]
    assert run(["train", *base, "--epochs", "4", "--save-session", str(tmp_path / "a.bplens")]
               ) == 0
    assert run(["train", *base, "--epochs", "2", "--save-session", str(tmp_path / "h.bplens")]
               ) == 0
    assert run(["train", "--session", str(tmp_path / "h.bplens"), "--epochs", "2",
                "--save-session", str(tmp_path / "b.bplens")]) == 0
    a, b = load_session(tmp_path / "a.bplens"), load_session(tmp_path / "b.bplens")
    assert a.trainer["history"] == b.trainer["history"]
    assert Network.from_spec(a.spec).to_spec() == Network.from_spec(b.spec).to_spec()
    capsys.readouterr()


def test_gradcheck_passes(capsys):
    assert run(["gradcheck", "--layers", "2,5,1", "--dataset", "circles"]) == 0
    out = capsys.readouterr().out
    assert "layer 1: worst relative error" in out and "layer 2" in out and "PASS" in out


def test_gradcheck_does_not_load_qt():
    r = subprocess.run([sys.executable, "-c",
                        "import sys; from cli.main import run; run(['gradcheck']);"
                        "print(any(m.startswith('PyQt6') for m in sys.modules))"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.stdout.strip().splitlines()[-1] == "False", r.stderr


def test_progress_bar_on_a_terminal_and_lines_otherwise():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    t = Tty()
    p = Progress(t, 2)
    p.update(1, 0.5, True)
    p.update(2, 0.25, True)
    assert "\r" in t.getvalue() and "[" in t.getvalue() and "loss 0.25" in t.getvalue()
    s = io.StringIO()
    p = Progress(s, 2)
    p.update(1, 0.5, False)
    p.update(1, 0.5, True)
    p.update(2, 0.25, True)
    assert s.getvalue() == "epoch 1/2  loss 0.5\nepoch 2/2  loss 0.25\n"


# --- bad input: exit 2, one line, no traceback -------------------------------------


def bad_files(tmp_path):
    def w(name, text):
        (tmp_path / name).write_text(text)
        return str(tmp_path / name)

    w("net.json", json.dumps(TEXTBOOK))
    w("clf.json", json.dumps({"input_size": 2, "loss": "cross_entropy", "layers": [
        {"units": 3, "activation": "softmax"}]}))
    from engine.session import FORMAT_VERSION
    assert run(["train", "--epochs", "1", "--save-session", str(tmp_path / "ok.bplens")]) == 0
    data = (tmp_path / "ok.bplens").read_bytes()
    (tmp_path / "cut.bplens").write_bytes(data[: len(data) // 2])
    import zipfile

    with zipfile.ZipFile(tmp_path / "ok.bplens") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for name, edit in (("new.bplens", lambda m: m.update(version=FORMAT_VERSION + 1)),
                       ("tamper.bplens", lambda m: m["arrays"]["a0"].update(shape=[3, 3]))):
        m = json.loads(parts["manifest.json"])
        edit(m)
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            for n, b in parts.items():
                z.writestr(n, json.dumps(m) if n == "manifest.json" else b)
    return w


BAD = [
    # CSV
    (["--data", "ragged.csv"], "1,2,3\n4,5\n", "row 2 has 2 columns"),
    (["--data", "text.csv"], "x,y,t\n1,a,3\n", 'row 2, column 2 ("y")'),
    (["--data", "nan.csv"], "1,2,3\nnan,2,3\n", "not a finite number"),
    (["--data", "inf.csv"], "1,2,3\n1,-inf,3\n", "not a finite number"),
    (["--data", "empty.csv"], "", "no data rows"),
    (["--spec", "net.json", "--data", "wide.csv"], "1,2,3,4\n", "has 4 columns"),
    (["--spec", "clf.json", "--data", "lab.csv"], "1,2,7\n", "out of range 0..2"),
    # spec
    (["--spec", "shape.json"], '{"input_size": 2, "layers": [{"units": 1, "activation": '
     '"tanh", "W": [[1, 2, 3]]}]}', "W has shape 1×3, expected 1×2"),
    (["--spec", "act.json"], '{"input_size": 2, "layers": [{"units": 1, "activation": "gelu"}]}',
     "unknown activation 'gelu'"),
    (["--spec", "missing.json"], '{"layers": []}', "missing the field 'input_size'"),
    (["--spec", "huge.json"], '{"input_size": 2, "layers": [{"units": 10000, "activation": '
     '"tanh"}, {"units": 10000, "activation": "tanh"}]}', "more than 20,000,000 parameters"),
    (["--spec", "broken.json"], '{"input_size": 2,', "invalid JSON at line 1"),
    (["--spec", "nofile.json"], None, "no such file"),
    (["--layers", "2,x,1"], None, "--layers must be whole numbers"),
    (["--layers", "2,3,1", "--activations", "tanh,swish"], None, "unknown activation"),
    # session
    (["--session", "cut.bplens"], None, "cut.bplens"),
    (["--session", "net.json"], None, "not a zip archive"),
    (["--session", "new.bplens"], None, "newer Backprop Lens"),
    (["--session", "tamper.bplens"], None, "manifest says"),
    # learning rate and other options
    (["--lr", "-0.1"], None, "learning rate must be a positive finite number"),
    (["--lr", "0"], None, "learning rate must be a positive finite number"),
    (["--lr", "nan"], None, "learning rate must be a positive finite number"),
    (["--lr", "1e9"], None, "absurdly large"),
    (["--lr", "fast"], None, "learning rate must be a number"),
    (["--epochs", "0"], None, "--epochs must be between 1"),
    (["--batch-size", "-3"], None, "--batch-size must be between 1"),
    (["--dataset", "mnist"], None, "invalid choice: 'mnist'"),
    (["--optimizer", "rmsprop"], None, "invalid choice"),
    (["--frobnicate"], None, "unrecognized arguments: --frobnicate"),
    (["--epochs"], None, "expected one argument"),
    # paths that cannot be written
    (["--save-spec", "no/such/dir/out.json"], None, "does not exist"),
    (["--save-session", "."], None, "cannot write (--save-session): is a folder, not a file"),
    (["--export-loss", "loss.gif"], None, "unknown file type '.gif'"),
]


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    w = bad_files(d)
    for args, text, _ in BAD:
        if text is not None:
            w(args[-1], text)
    return d


@pytest.mark.parametrize("args, text, words", BAD, ids=[" ".join(a) for a, _, _ in BAD])
def test_bad_input_exits_2_with_one_line(bad_dir, args, text, words):
    r = cli("train", "--epochs", "1", *args, cwd=bad_dir)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("backprop-lens") and words in lines[0], lines[0]
    assert r.stdout == ""
    assert not (bad_dir / "out.json").exists()


def test_bad_input_in_gradcheck_and_no_command(bad_dir):
    for argv in (["gradcheck", "--spec", "act.json"], [], ["fly"]):
        r = cli(*argv, cwd=bad_dir)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_help_exits_0(capsys):
    assert run(["train", "--help"]) == 0
    assert "--export-loss" in capsys.readouterr().out


def test_diverging_training_exits_2(tmp_path, capsys):
    rc = run(["train", "--dataset", "sine", "--layers", "1,8,1", "--activations",
              "relu,identity", "--lr", "900", "--epochs", "50"])
    err = capsys.readouterr().err
    assert rc == 2 and "diverged" in err and "smaller learning rate" in err


def test_internal_error_exits_1_in_one_line(monkeypatch, capsys):
    import engine.checks

    def broken(*a, **k):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(engine.checks, "gradient_check", broken)
    assert run(["gradcheck"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "internal error: ZeroDivisionError: a bug" in err[0]


# --- issue 13: bounded gradcheck, divergence still writes, messages name the culprit -------


def test_gradcheck_samples_says_how_many_and_shows_progress(capsys):
    err = io.StringIO()
    out = io.StringIO()
    assert run(["gradcheck", "--layers", "2,30,30,1", "--max-entries", "50"], out, err) == 0
    text = out.getvalue()
    # W_1 60 entries → 50, b_1 30, W_2 900 → 50, b_2 30, W_3 30, b_3 1
    assert "checked 191 of 1,051 entries" in text and "--all" in text
    assert "layer 2: worst relative error" in text and "(W 50 of 900, b 30 of 30)" in text
    progress = [ln for ln in err.getvalue().splitlines() if ln.startswith("checked ")]
    assert progress[-1] == "checked 191/191 entries" and len(progress) >= 5
    out2 = io.StringIO()
    assert run(["gradcheck", "--layers", "2,30,30,1", "--all"], out2, io.StringIO()) == 0
    assert "checked all 1,051 entries" in out2.getvalue()
    assert "(W 900 of 900, b 30 of 30)" in out2.getvalue()


def test_diverging_train_writes_every_output_and_exits_2(tmp_path):
    from engine.experiment import Experiment
    from engine.fileio import load_spec_file
    outs = [tmp_path / n for n in ("d.json", "d.bplens", "d.csv", "d.svg")]
    r = cli("train", "--layers", "2,16,1", "--activations", "tanh,identity", "--lr", "50",
            "--epochs", "50", "--save-spec", outs[0], "--save-session", outs[1],
            "--export-loss", outs[2], outs[3])
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if not ln.startswith("epoch ")]
    assert len(lines) == 1 and "training diverged at iteration " in lines[0]
    n = int(lines[0].split("training diverged at iteration ")[1].split()[0]) - 1
    assert f"Wrote {outs[0]}, {outs[1]}, {outs[2]}, {outs[3]} with those weights" in lines[0]
    assert all(p.stat().st_size > 0 for p in outs)
    s = load_session(outs[1])
    r2 = Experiment.from_session(s)
    assert r2.trainer.iteration == n   # the iterations counted before the blow-up
    spec = load_spec_file(outs[0])
    for (W, _b), ly in zip(r2.net.params(), spec["layers"], strict=True):
        assert np.isfinite(W).all() and np.array_equal(np.asarray(ly["W"]), W)
    from engine.history_csv import read_history_csv
    assert len(read_history_csv(outs[2])["iter_loss"]) == n


@pytest.mark.parametrize("args, words", [
    (["--seed", str(2**70)], "--seed must be between 0 and"),
    (["--layers", "3,4,1"], "has 2 inputs and 1 target but the network (--layers) has "
                            "3 inputs and 1 output"),
])
def test_messages_name_the_real_culprit(args, words):
    err = io.StringIO()
    assert run(["train", "--epochs", "1", *args], io.StringIO(), err) == 2
    line = err.getvalue().strip()
    assert words in line and "\n" not in line and "--dataset" not in line.split("error:")[1]


def test_save_spec_onto_a_read_only_file_names_it_before_training(tmp_path):
    ro = tmp_path / "version"
    ro.write_text("kept")
    ro.chmod(0o444)
    err = io.StringIO()
    assert run(["train", "--epochs", "100000", "--save-spec", str(ro)], io.StringIO(), err) == 2
    assert f"{ro}: cannot write (--save-spec): is read-only (mode 0444); not replacing it" \
        in err.getvalue()
    assert "epoch" not in err.getvalue() and ro.read_text() == "kept"


def test_a_spec_saved_by_train_records_its_data_and_opens_with_it(tmp_path):
    # `python main.py trained_digits_net.json` opened a 64-32-10 spec as 2-32-1 moons.
    from engine.experiment import Experiment
    from engine.fileio import load_spec_file
    out = tmp_path / "trained_digits_net.json"
    r = cli("train", "--dataset", "digits", "--layers", "64,32,10", "--epochs", "1",
            "--save-spec", out)
    assert r.returncode == 0, r.stderr
    spec = load_spec_file(out)
    assert spec["data"]["name"] == "digits"
    ex = Experiment.for_spec(spec, Experiment.build(), "trained_digits_net.json")
    assert ex.net.sizes == [64, 32, 10] and ex.dataset.name == "digits"
    W = np.asarray(spec["layers"][0]["W"])
    assert np.array_equal(ex.net.params()[0][0], W)   # the trained weights, not redrawn
