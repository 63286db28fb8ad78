"""Atomic writes and spec files: the old file survives, errors name the file."""

import json
import os
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Network
from engine.fileio import (
    BadFileError,
    atomic_write_bytes,
    atomic_write_text,
    atomic_write_via,
    load_spec_file,
    save_spec_file,
    special_file_kind,
)

SPEC = {"input_size": 2, "loss": "squared", "seed": 0, "init": "xavier",
        "layers": [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]}


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    p = tmp_path / "f.txt"
    atomic_write_text(p, "old")
    atomic_write_text(p, "new")
    assert p.read_text() == "new"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_interrupted_write_keeps_old_file(tmp_path, monkeypatch):
    p = tmp_path / "f.bin"
    atomic_write_bytes(p, b"old contents")

    def boom(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(BadFileError, match="No space left"):
        atomic_write_bytes(p, b"new contents that never arrive")
    assert p.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_non_oserror_is_reraised_and_temp_removed(tmp_path, monkeypatch):
    p = tmp_path / "f.bin"
    atomic_write_bytes(p, b"old")
    monkeypatch.setattr(os, "replace", lambda a, b: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(p, b"new")
    assert p.read_bytes() == b"old" and os.listdir(tmp_path) == ["f.bin"]


def test_unwritable_paths_are_refused_by_name(tmp_path):
    with pytest.raises(BadFileError, match="does not exist"):
        atomic_write_text(tmp_path / "nope" / "f.txt", "x")
    with pytest.raises(BadFileError, match="folder"):
        atomic_write_text(tmp_path, "x")
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            with pytest.raises(BadFileError, match="cannot write"):
                atomic_write_text(ro / "f.txt", "x")
        finally:
            ro.chmod(0o700)


def test_spec_round_trip(tmp_path):
    spec = Network.from_spec(SPEC).to_spec()
    save_spec_file(tmp_path / "n.json", spec)
    assert load_spec_file(tmp_path / "n.json") == spec


@pytest.mark.parametrize("text, words", [
    ('{"input_size": 2,\n "layers": [}', "line 2, column"),
    ("[1, 2]", "JSON object"),
    ('{"input_size": 2, "layers": [{"units": 1, "activation": "swish"}]}', "unknown activation"),
    ('{"layers": [{"units": 1, "activation": "tanh"}]}', "input_size"),
    ('{"input_size": 2, "layers": [{"units": 1, "activation": "tanh", "W": [[1, 2, 3]]}]}',
     "shape"),
    ('{"input_size": 2, "layers": [{"units": 99999999, "activation": "tanh"}]}', "limit"),
    ('{"input_size": NaN, "layers": []}', "NaN"),
    ("", "line 1"),
])
def test_bad_spec_files_name_file_and_problem(tmp_path, text, words):
    p = tmp_path / "bad.json"
    p.write_text(text)
    with pytest.raises(BadFileError) as ei:
        load_spec_file(p)
    assert str(p) in str(ei.value) and words in str(ei.value)


def test_missing_file_and_bad_save(tmp_path):
    with pytest.raises(BadFileError, match="no such file"):
        load_spec_file(tmp_path / "missing.json")
    with pytest.raises(BadFileError, match="unknown activation"):
        save_spec_file(tmp_path / "x.json", {"input_size": 1, "layers": [
            {"units": 1, "activation": "nope"}]})
    assert not (tmp_path / "x.json").exists()


@given(st.binary(max_size=300))
def test_random_spec_bytes_only_raise_bad_file_error(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("f") / "s.json"
    p.write_bytes(data)
    try:
        load_spec_file(p)
    except BadFileError:
        pass


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(
                        st.sampled_from(["input_size", "layers", "units", "activation", "W",
                                         "b", "loss", "seed", "x"]), c, max_size=5),
                    max_leaves=20))
def test_random_spec_json_only_raises_bad_file_error(tmp_path_factory, value):
    p = tmp_path_factory.mktemp("f") / "s.json"
    p.write_text(json.dumps(value))
    try:
        load_spec_file(p)
    except BadFileError:
        pass


# --- the one writer: links, modes, special files, stale temps ---------------------


def test_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == ["link.json", "real.json"]


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "later.json")
    atomic_write_text(link, "x")
    assert link.is_symlink() and (tmp_path / "later.json").read_text() == "x"


def test_existing_mode_is_kept_and_new_file_follows_umask(tmp_path):
    p = tmp_path / "shared.json"
    p.write_text("old")
    p.chmod(0o644)
    atomic_write_text(p, "new")
    assert stat.S_IMODE(p.stat().st_mode) == 0o644
    p.chmod(0o640)
    atomic_write_text(p, "newer")
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "fresh.json", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "fresh.json").stat().st_mode) == 0o640  # 0o666 & ~0o027


def test_hard_link_gets_a_new_inode_and_the_other_link_keeps_old_contents(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text("old")
    os.link(a, b)
    atomic_write_text(a, "new")
    assert a.read_text() == "new" and b.read_text() == "old"
    assert a.stat().st_ino != b.stat().st_ino


def test_fifo_is_refused_and_left_alone(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(BadFileError, match="FIFO"):
        atomic_write_text(fifo, "x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.listdir(tmp_path) == ["pipe"]
    link = tmp_path / "to_pipe"
    link.symlink_to(fifo)
    with pytest.raises(BadFileError, match="FIFO"):
        atomic_write_text(link, "x")


def test_socket_is_refused(tmp_path):
    import socket
    path = tmp_path / "s.sock"
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(path))
        with pytest.raises(BadFileError, match="socket"):
            atomic_write_text(path, "x")
    finally:
        s.close()
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


@pytest.mark.parametrize("mode, words", [
    (stat.S_IFCHR | 0o666, "character device"), (stat.S_IFBLK | 0o660, "block device"),
    (stat.S_IFIFO | 0o600, "FIFO"), (stat.S_IFSOCK | 0o777, "socket"),
    (stat.S_IFDIR | 0o755, "folder"), (stat.S_IFREG | 0o644, None)])
def test_special_file_kinds(mode, words):
    kind = special_file_kind(mode)
    assert kind is None if words is None else words in kind


def test_device_is_refused_without_touching_one(tmp_path, monkeypatch):
    p = tmp_path / "null"
    p.write_text("")
    real_stat = os.stat

    def fake_stat(path, *a, **k):   # pretend the file is /dev/null-like
        st = real_stat(path, *a, **k)
        if os.fspath(path) == str(p):
            return os.stat_result((stat.S_IFCHR | 0o666,) + tuple(st)[1:])
        return st

    monkeypatch.setattr(os, "stat", fake_stat)
    with pytest.raises(BadFileError, match="character device.*refusing"):
        atomic_write_text(p, "x")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["null"]


def test_read_only_file_is_refused_even_for_root(tmp_path):
    p = tmp_path / "version"
    p.write_text("kept")
    p.chmod(0o444)
    with pytest.raises(BadFileError, match=r"read-only \(mode 0444\)"):
        atomic_write_text(p, "x")
    assert p.read_text() == "kept"


def test_stale_temp_of_a_dead_writer_is_removed(tmp_path):
    import subprocess
    import sys
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".~bplens-{pid}-abc-big.bplens"
    stale.write_bytes(b"x" * 1000)
    mine = tmp_path / f".~bplens-{os.getpid()}-xyz-other.json"   # a save in progress here
    mine.write_bytes(b"y")
    alive = tmp_path / ".~bplens-1-q-init.json"   # pid 1 always runs
    alive.write_bytes(b"z")
    unrelated = tmp_path / ".big.bplens.tmp"
    unrelated.write_bytes(b"u")
    atomic_write_text(tmp_path / "f.json", "x")
    assert sorted(os.listdir(tmp_path)) == sorted(
        [mine.name, alive.name, unrelated.name, "f.json"])


def test_killed_save_leaves_a_temp_that_the_next_save_cleans(tmp_path):
    import signal
    import subprocess
    import sys
    code = ("import os, signal, sys; sys.path.insert(0, os.getcwd());"
            "import engine.fileio as f;"
            "f.atomic_write_via(sys.argv[1], lambda tmp: os.kill(os.getpid(), signal.SIGKILL))")
    target = tmp_path / "out.bplens"
    r = subprocess.run([sys.executable, "-c", code, str(target)], cwd=os.getcwd(), timeout=60)
    assert r.returncode == -signal.SIGKILL
    left = os.listdir(tmp_path)
    assert len(left) == 1 and left[0].startswith(".~bplens-") and not target.exists()
    atomic_write_text(tmp_path / "other.json", "x")
    assert os.listdir(tmp_path) == ["other.json"]


def test_atomic_write_via_keeps_extension_and_refuses_empty(tmp_path):
    seen = []

    def write(tmp):
        seen.append(tmp)
        with open(tmp, "w") as f:
            f.write("png bytes")

    atomic_write_via(tmp_path / "plot.png", write)
    assert seen[0].endswith(".png") and os.path.dirname(seen[0]) == str(tmp_path)
    assert (tmp_path / "plot.png").read_text() == "png bytes"
    with pytest.raises(BadFileError, match="empty"):
        atomic_write_via(tmp_path / "plot.png", lambda tmp: None)
    assert (tmp_path / "plot.png").read_text() == "png bytes"
    assert os.listdir(tmp_path) == ["plot.png"]


def test_failing_library_writer_leaves_no_temp(tmp_path):
    def write(tmp):
        with open(tmp, "w") as f:
            f.write("half")
        raise RuntimeError("exporter broke")

    with pytest.raises(RuntimeError, match="exporter broke"):
        atomic_write_via(tmp_path / "plot.svg", write)
    assert os.listdir(tmp_path) == []


def test_spec_limit_fits_the_largest_spec_the_app_can_write(tmp_path):
    """Every float written at its longest (24 characters): a MAX_PARAMS network still fits."""
    import numpy as np

    from engine.fileio import MAX_SPEC_BYTES
    from engine.spec import MAX_PARAMS
    worst = -2.2250738585072014e-308
    assert len(repr(worst)) == 24
    n_in, units = 1000, 50      # 50 rows of 1000: the per-row cost is counted too
    spec = {"input_size": n_in, "layers": [{"units": units, "activation": "tanh",
                                            "W": np.full((units, n_in), worst).tolist(),
                                            "b": [worst] * units}]}
    save_spec_file(tmp_path / "w.json", spec)
    per_param = (tmp_path / "w.json").stat().st_size / (units * (n_in + 1))
    assert per_param * MAX_PARAMS < MAX_SPEC_BYTES
    back = load_spec_file(tmp_path / "w.json")
    assert np.array_equal(np.asarray(back["layers"][0]["W"]), np.full((units, n_in), worst))


def test_spec_is_written_one_row_per_line(tmp_path):
    net = Network.from_spec({"input_size": 3, "layers": [
        {"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]})
    spec = net.to_spec()
    save_spec_file(tmp_path / "n.json", spec)
    text = (tmp_path / "n.json").read_text()
    rows = [ln.strip().rstrip(",") for ln in text.splitlines() if ln.strip().startswith("[")]
    assert [json.loads(r) for r in rows] == [r for ly in spec["layers"] for r in ly["W"]]
    assert json.loads(text) == spec   # every float back bit for bit
    assert len(text) < len(json.dumps(spec, indent=2))


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to someone else")
def test_owner_is_kept_when_root_saves_someone_elses_file(tmp_path):
    p = tmp_path / "theirs.json"
    p.write_text("old")
    os.chown(p, 4321, 4321)
    p.chmod(0o664)
    atomic_write_text(p, "new")
    st_ = p.stat()
    assert (st_.st_uid, st_.st_gid, stat.S_IMODE(st_.st_mode)) == (4321, 4321, 0o664)
    assert p.read_text() == "new"
