"""main.py: argument errors are one line + exit 2; train/gradcheck go to cli.main.run."""

from __future__ import annotations

import main


def test_headless_commands_dispatch_to_the_cli(monkeypatch):
    seen = []
    import cli.main
    monkeypatch.setattr(cli.main, "run", lambda argv: seen.append(argv) or 0)
    assert main.main(["train", "--epochs", "1"]) == 0
    assert main.main(["gradcheck"]) == 0
    assert seen == [["train", "--epochs", "1"], ["gradcheck"]]


def test_gradcheck_runs_headless(capsys):
    assert main.main(["gradcheck"]) in (0, 1)
    assert capsys.readouterr().out


def test_bad_size_is_one_clear_line(capsys):
    assert main.main(["--screenshot", "x.png", "--size", "big"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "1600x1000" in err


def test_size_out_of_range(capsys):
    assert main.main(["--screenshot", "x.png", "--size", "10x10"]) == 2
    assert "between" in capsys.readouterr().err


def test_screenshot_needs_png(capsys):
    assert main.main(["--screenshot", "x.jpg"]) == 2
    assert ".png" in capsys.readouterr().err


def test_steps_without_screenshot(capsys):
    assert main.main(["--steps", "3"]) == 2
    assert "--screenshot" in capsys.readouterr().err


def test_missing_spec_file(capsys, tmp_path):
    assert main.main(["--spec", str(tmp_path / "nope.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_unknown_option(capsys):
    assert main.main(["--frobnicate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("backprop-lens: error:") and "\n" not in err


def test_a_folder_given_as_file_is_called_a_folder(capsys, tmp_path):
    assert main.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a folder, not a file" in err and "no such file" not in err
    (tmp_path / "net.json").mkdir()
    assert main.main(["--spec", str(tmp_path / "net.json")]) == 2
    assert "--spec" in (e := capsys.readouterr().err) and "is a folder, not a file" in e


def test_screenshot_into_a_missing_folder_is_refused_first(capsys, tmp_path):
    assert main.main(["--screenshot", str(tmp_path / "nodir" / "x.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert f"the folder {tmp_path / 'nodir'} does not exist" in err and "\n" not in err
