"""Headless runs never hang: every problem is one line on stderr and exit 2, no dialog."""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_main(*args, timeout=120):
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)


def diverging_session(tmp_path):
    """A regression net trained one epoch at a safe α, saved with α = 50: training on
    from it diverges within a few iterations."""
    path = tmp_path / "hot.bplens"
    r = run_main("train", "--layers", "2,16,1", "--activations", "tanh,identity", "--lr",
                 "0.01", "--epochs", "1", "--save-session", path)
    assert r.returncode == 0, r.stderr
    def hot(m):
        m["session"]["optimizer"]["lr"] = 50
        m["session"]["optimizer"]["state"]["lr"] = 50
    edit_manifest(path, hot)
    return path


def edit_manifest(path, edit):
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    m = json.loads(parts["manifest.json"])
    edit(m)
    parts["manifest.json"] = json.dumps(m).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    path.write_bytes(buf.getvalue())


def one_error_line(r):
    lines = [ln for ln in r.stderr.splitlines() if not ln.startswith("epoch ")]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


@pytest.mark.slow
def test_screenshot_of_a_session_that_diverges_exits_2_with_one_line(tmp_path):
    session = diverging_session(tmp_path)
    shot = tmp_path / "x.png"
    r = run_main("--screenshot", shot, session, "--train-epochs", "20")
    assert r.returncode == 2
    line = one_error_line(r)
    assert line.startswith("backprop-lens: error: Training diverged: training diverged at "
                           "iteration "), line
    assert not shot.exists() and os.listdir(tmp_path) == ["hot.bplens"]


@pytest.mark.slow
def test_screenshot_of_a_stepper_past_the_pass_exits_2_with_one_line(tmp_path):
    session = diverging_session(tmp_path)
    edit_manifest(session, lambda m: m["session"]["stepper"].update(k=99))
    shot = tmp_path / "x.png"
    r = run_main("--screenshot", shot, session)
    assert r.returncode == 2
    assert "stepper.k (position in the pass of K = 10 steps) is 99" in one_error_line(r)
    assert not shot.exists()
    r = run_main("train", "--session", session, "--epochs", "1")   # the same file, headless
    assert r.returncode == 2 and "stepper.k" in one_error_line(r)


@pytest.mark.slow
def test_screenshot_into_a_missing_folder_fails_before_rendering(tmp_path):
    r = run_main("--screenshot", tmp_path / "nodir" / "x.png", "--train-epochs", "1000000",
                 timeout=60)   # a million epochs: only an early refusal answers in time
    assert r.returncode == 2
    assert "the folder" in one_error_line(r) and "does not exist" in r.stderr


def test_headless_messages_never_open_a_box(monkeypatch, capsys):
    from PyQt6.QtWidgets import QMessageBox

    from gui import messages

    def refuse(*a, **k):
        raise AssertionError("a message box was opened headless")

    monkeypatch.setattr(QMessageBox, "warning", refuse)
    messages.set_headless(True)
    try:
        messages.warning(None, "Training diverged", "the loss\nbecame inf.\n\nLower α.")
        assert messages.problems() == ["Training diverged: the loss became inf. Lower α."]
    finally:
        messages.set_headless(False)
    assert capsys.readouterr().err == ("backprop-lens: error: Training diverged: the loss "
                                       "became inf. Lower α.\n")
    assert messages.problems() == []
