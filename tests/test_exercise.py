"""Exercise files: round trip with a real quiz's answers, and every kind of bad file refused."""

import functools
import io
import json
import zipfile

import numpy as np
import pytest

from engine import Network, Stepper
from engine.exercise import (
    Exercise,
    exercise_bytes,
    exercise_from_bytes,
    load_exercise,
    save_exercise,
)
from engine.fileio import BadFileError
from engine.quiz import Quiz
from engine.session import Session, load_session, session_bytes


def tiny_session():
    net = Network.from_spec({"input_size": 1, "layers": [{"units": 1, "activation": "tanh"}]})
    X, Y = np.array([[0.5, -1.0]]), np.array([[0.1, 0.2]])
    return net, X, Y, Session(net.to_spec(), [(W.copy(), b.copy()) for W, b in net.params()],
                              {"name": "sgd", "lr": 0.1, "state": {}},
                              {"name": "tiny", "X": X, "Y": Y, "kind": "regression"},
                              None, None, {})


@functools.cache
def tiny_exercise_bytes():
    net, X, Y, s = tiny_session()
    ex = Exercise(s, "Predict z₁ — then δ₁.\n\nUse α = 0.1.", "Week 3", ("z", "delta"),
                  ("architecture", "lr"), rtol=0.05, atol=0.0)
    quiz = Quiz(Stepper(net, X, Y), ex.settings())
    ex.answers = quiz.check_matrix("z", 1, [["0", "1"]])
    return exercise_bytes(ex)


def test_round_trip_keeps_everything(tmp_path):
    path = tmp_path / "week3.bpex"
    save_exercise(path, exercise_from_bytes(tiny_exercise_bytes()))
    ex = load_exercise(path)
    assert ex.title == "Week 3" and ex.instructions.startswith("Predict z₁ — then δ₁.\n\n")
    assert ex.quizzed == ("z", "delta") and ex.locked == ("architecture", "lr")
    assert (ex.rtol, ex.atol) == (0.05, 0.0)
    assert [(a.row, a.col, a.text) for a in ex.answers] == [(0, 0, "0"), (0, 1, "1")]
    # z₁ = W x + 0 with the Xavier-drawn W: 0 and 1 are both wrong unless W happens to fit
    net = Network.from_spec(ex.session.spec)
    z = net.layers[0].W[0, 0] * np.array([0.5, -1.0])
    assert [a.expected for a in ex.answers] == pytest.approx(z.tolist(), rel=1e-12)
    sc = ex.score()[0]
    assert sc.asked == 2 and sc.correct == sum(abs(v - e) <= 0.05 * abs(e)
                                               for v, e in zip((0, 1), z))
    assert ex.session.dataset["name"] == "tiny"
    # a session reader opens an exercise as the plain session it contains
    assert load_session(path).dataset["name"] == "tiny"


def test_truncated_at_every_byte_offset():
    data = tiny_exercise_bytes()
    for n in range(len(data)):
        with pytest.raises(BadFileError, match="cut.bpex"):
            exercise_from_bytes(data[:n], "cut.bpex")


def with_member(body):
    """The tiny exercise with exercise.json replaced by ``body`` (bytes or JSON-able)."""
    src = zipfile.ZipFile(io.BytesIO(tiny_exercise_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for info in src.infolist():
            if info.filename != "exercise.json":
                z.writestr(info, src.read(info))
        z.writestr("exercise.json", body if isinstance(body, bytes) else json.dumps(body))
    return buf.getvalue()


def good_body():
    return json.loads(zipfile.ZipFile(io.BytesIO(tiny_exercise_bytes())).read("exercise.json"))


@pytest.mark.parametrize("change, words", [
    ({"version": 2}, r"newer Backprop Lens \(exercise format version 2\); this app reads "
                     "versions up to 1"),
    ({"version": "1"}, "bad format version"),
    ({"format": "something-else"}, "wrong format name"),
    ({"instructions": ["a", "b"]}, "'instructions' must be text"),
    ({"quizzed": ["delta", "loss"]}, "'quizzed' names 'loss'"),
    ({"locked": "architecture"}, "'locked' must be a list"),
    ({"locked": ["colours"]}, "'locked' names 'colours'"),
    ({"tolerance": {"rtol": "tight", "atol": 0}}, "tolerance rtol must be a number"),
    ({"tolerance": 0.1}, "'tolerance' must be an object"),
    ({"answers": {}}, "'answers' must be a list"),
    ({"answers": [{"row": 1}]}, "answer 1: an answer has an unknown|answer 1: an answer is "
                                "missing"),
])
def test_bad_fields_are_refused_naming_file_and_field(change, words):
    data = with_member({**good_body(), **change})
    with pytest.raises(BadFileError, match=f"^ex.bpex: .*({words})"):
        exercise_from_bytes(data, "ex.bpex")


def test_bad_answers_and_members():
    body = good_body()
    a = dict(body["answers"][0])
    for change, words in (({"layer": 5}, "out of range"), ({"correct": "yes"}, "must be bool"),
                          ({"value": "0.5"}, "must be float")):
        data = with_member({**body, "answers": [{**a, **change}]})
        with pytest.raises(BadFileError, match=words):
            exercise_from_bytes(data, "ex.bpex")
    with pytest.raises(BadFileError, match="exercise.json is not valid JSON"):
        exercise_from_bytes(with_member(b"{not json"), "ex.bpex")
    _, _, _, s = tiny_session()
    with pytest.raises(BadFileError, match="is a session, not an exercise"):
        exercise_from_bytes(session_bytes(s), "plain.bplens")
    with pytest.raises(BadFileError, match="not a zip"):
        exercise_from_bytes(b"PK\x03\x04 nothing else", "x.bpex")


def test_refuses_to_write_an_unreadable_exercise(tmp_path):
    _, _, _, s = tiny_session()
    path = tmp_path / "e.bpex"
    path.write_bytes(b"old")
    with pytest.raises(BadFileError, match="'locked' names 'everything'"):
        save_exercise(path, Exercise(s, locked=("everything",)))
    assert path.read_bytes() == b"old"  # nothing lost
