"""``walkthrough`` on the command line: files written, the numbers they hold, exit statuses."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cli.main import run
from engine.datasets import make_dataset

ROOT = Path(__file__).resolve().parents[1]


def cli(*args):
    """Run the command through cli.main.run; returns (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = run(["walkthrough", *map(str, args)], out, err)
    return status, out.getvalue(), err.getvalue()


def test_end_to_end_in_a_fresh_interpreter(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "walkthrough", "--example",
                        "mazur", "--out", str(tmp_path / "mazur.json")], capture_output=True,
                       text=True, timeout=120, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "" and "wrote json walkthrough" in r.stdout
    key = json.loads((tmp_path / "mazur.json").read_text("utf-8"))
    # Mazur's published updated weight w5+ = 0.35891648, and his inputs as the first column.
    assert abs(key["after"]["layers"][1]["W"][0][0] - 0.35891648) < 5e-9
    assert key["X"] == [[0.05], [0.1]] and "mattmazur.com" in key["source"]


def test_network_and_data_options_of_train(tmp_path):
    out = tmp_path / "pass.json"
    status, text, err = cli("--layers", "2,8,8,1", "--dataset", "moons", "--samples", "100",
                            "--seed", "4", "--sample", "3", "--lr", "0.25", "--out", out)
    assert status == 0, err
    key = json.loads(out.read_text("utf-8"))
    ds = make_dataset("moons", n_samples=100, noise=0.1, seed=4)
    np.testing.assert_array_equal(np.array(key["X"]), ds.X[:, [3]])
    np.testing.assert_array_equal(np.array(key["Y"]), ds.Y[:, [3]])
    assert [ly["units"] for ly in key["network"]["layers"]] == [8, 8, 1]
    assert key["lr"] == 0.25 and key["network"]["seed"] == 4
    W, dW = np.array(key["network"]["layers"][0]["W"]), np.array(key["layers"][0]["dW"])
    np.testing.assert_allclose(np.array(key["after"]["layers"][0]["W"]), W - 0.25 * dW,
                               rtol=1e-13)
    assert "sample 3 of data set moons" in text


def test_batch_walks_the_whole_training_set(tmp_path):
    out = tmp_path / "batch.json"
    status, _, err = cli("--layers", "2,3,1", "--samples", "40", "--batch", "--out", out)
    assert status == 0, err
    key = json.loads(out.read_text("utf-8"))
    assert np.array(key["X"]).shape == (2, 32)  # 40 samples, 20 % held out for validation
    assert np.array(key["layers"][0]["delta"]).shape == (3, 32)


@pytest.mark.parametrize("ext", ["html", "md", "tex"])
def test_every_document_format(tmp_path, ext):
    out = tmp_path / f"pass.{ext}"
    status, _, err = cli("--example", "lecture", "--digits", "6", "--out", out)
    assert status == 0, err
    text = out.read_text("utf-8")
    assert "0.610639" in text  # a₁[1] = σ(0.4·1 + 0.3·0.5 − 0.1) = σ(0.45) to 6 digits
    assert "Sadeghi" in text


@pytest.mark.parametrize("args, message", [
    (["--layers", "2,4,1", "--sample", "160", "--out", "{tmp}/a.html"],
     "--sample 160 is outside 0..159"),
    (["--layers", "2,4,1", "--sample", "-1", "--out", "{tmp}/a.html"], "--sample"),
    (["--out", "{tmp}/a.pdf"], "unknown file type '.pdf'"),
    (["--out", "{tmp}/a"], "unknown file type '(none)'"),
    (["--digits", "0", "--out", "{tmp}/a.md"], "--digits must be between 1 and 17"),
    (["--digits", "18", "--out", "{tmp}/a.md"], "--digits must be between 1 and 17"),
    (["--digits", "four", "--out", "{tmp}/a.md"], "--digits must be a whole number"),
    (["--example", "nope", "--out", "{tmp}/a.md"], "the examples are: digits, hmkcode"),
    (["--example", "xor", "--layers", "2,2,1", "--out", "{tmp}/a.md"],
     "cannot be combined with --layers"),
    (["--batch", "--sample", "1", "--out", "{tmp}/a.md"], "not allowed with"),
    (["--layers", "2,4,1"], "--out is required"),
    (["--out", "{tmp}/missing/a.md"], "does not exist"),
    (["--lr", "-1", "--out", "{tmp}/a.md"], "learning rate"),
])
def test_bad_input_is_one_line_and_status_2(tmp_path, args, message):
    status, out, err = cli(*[a.format(tmp=tmp_path) for a in args])
    assert status == 2
    assert message in err and err.count("\n") == 1 and err.startswith("backprop-lens walkthrough")
    assert out == "" and not any(tmp_path.iterdir())


def test_digits_17_is_allowed_and_changes_the_numbers(tmp_path):
    for d in (1, 17):
        assert cli("--example", "hmkcode", "--digits", d, "--out", tmp_path / f"{d}.md")[0] == 0
    one, full = (tmp_path / "1.md").read_text(), (tmp_path / "17.md").read_text()
    assert "| 0 | 0.2 |" in one          # σ = identity, z₂ = 0.191 to one digit
    assert "**C = 0.3**" in one          # ½(0.191 − 1)² = 0.3272405 to one digit
    c17 = re.search(r"\*\*C = ([0-9.e-]+)\*\*", full).group(1)
    assert len(c17.replace("0.", "", 1)) >= 16 and float(c17) == pytest.approx(0.5 * 0.809 ** 2,
                                                                              rel=1e-14)


def test_list_examples_and_an_example_by_name(tmp_path):
    status, out, _ = cli("--list-examples")
    assert status == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert {"lecture", "mazur", "hmkcode", "xor", "vanishing", "digits"} <= set(names)
    status, out, err = cli("--example", "xor", "--out", tmp_path / "xor.json")
    assert status == 0, err
    key = json.loads((tmp_path / "xor.json").read_text("utf-8"))
    assert np.array(key["X"]).shape == (2, 4)   # the example walks all four samples
    status, _, _ = cli("--example", "xor", "--sample", "2", "--out", tmp_path / "x2.json")
    assert json.loads((tmp_path / "x2.json").read_text("utf-8"))["X"] == [[1.0], [0.0]]


def test_an_internal_error_is_status_1(tmp_path, monkeypatch):
    import engine.walkthrough

    def broken(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine.walkthrough, "walk_pass", broken)
    status, _, err = cli("--example", "lecture", "--out", tmp_path / "a.md")
    assert status == 1 and "internal error: RuntimeError: boom" in err
    assert not (tmp_path / "a.md").exists()


def test_walkthrough_never_loads_qt(tmp_path):
    code = ("import sys, main; s = main.main(['walkthrough', '--example', 'lecture', '--out', "
            f"{str(tmp_path / 'a.html')!r}]); "
            "print(s, any(m.split('.')[0] in ('PyQt6', 'pyqtgraph') for m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.stdout.split()[-2:] == ["0", "False"], r.stdout + r.stderr
