"""Exercise files (``.bpex``): a session plus what the teacher asks and locks.

An exercise is a session file (see ``engine.session``: the same zip, manifest and
arrays, read by the same code) with one more member, ``exercise.json``::

    {"format": "backprop-lens-exercise", "version": 1,
     "title": "...", "instructions": "a few paragraphs",
     "quizzed": ["delta", "dW"], "locked": ["architecture", "data", "lr"],
     "tolerance": {"rtol": 0.01, "atol": 0.001},
     "answers": [{"pass_index": 0, "k": 5, "quantity": "delta", "layer": 2, "row": 0,
                  "col": 0, "text": "0.12", "value": 0.12, "expected": 0.1187,
                  "correct": true, "worked": ""}, ...]}

``answers`` are the student's checked cells (``engine.quiz.Answer``); the score per pass
is computed from them, never stored apart, so the two cannot disagree. A session
reader opens an exercise as a plain session (the extra member is ignored). Writing is
atomic; reading is JSON and ``np.load(allow_pickle=False)`` only; every problem is a
``BadFileError`` naming the file and what is wrong.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from dataclasses import dataclass, field
from typing import Any

from .experiment import LOCKABLE
from .fileio import BadFileError, atomic_write_bytes, read_bytes
from .network import Network
from .quiz import DEFAULT_QUIZZED, QUIZZABLE, Answer, QuizSettings, Score, score_answers
from .session import MAX_SESSION_BYTES, Session, session_bytes, session_from_bytes

FORMAT_NAME = "backprop-lens-exercise"
FORMAT_VERSION = 1
EXTENSION = ".bpex"
MEMBER = "exercise.json"
MAX_MEMBER_BYTES = 50_000_000
MAX_INSTRUCTIONS = 100_000   # characters: a few paragraphs, with room to spare
# Controls a teacher can lock (``Experiment.lock``); the window greys them out and the
# experiment refuses to change them while the exercise is open.


@dataclass
class Exercise:
    """A session with instructions, the quizzed quantities, locked controls and answers."""

    session: Session
    instructions: str = ""
    title: str = ""
    quizzed: tuple[str, ...] = DEFAULT_QUIZZED
    locked: tuple[str, ...] = ()
    rtol: float = 1e-2
    atol: float = 1e-4
    answers: list[Answer] = field(default_factory=list)

    def settings(self) -> QuizSettings:
        """The quiz settings this exercise asks for."""
        return QuizSettings(self.quizzed, self.rtol, self.atol)

    def score(self) -> dict[int, Score]:
        """Correct and asked cells per pass, from ``answers``."""
        return score_answers(self.answers)


def _body(ex: Exercise) -> dict[str, Any]:
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "title": ex.title,
            "instructions": ex.instructions, "quizzed": list(ex.quizzed),
            "locked": list(ex.locked), "tolerance": {"rtol": ex.rtol, "atol": ex.atol},
            "answers": [a.to_dict() for a in ex.answers]}


def exercise_bytes(ex: Exercise) -> bytes:
    """The .bpex file contents: the session's zip with ``exercise.json`` added."""
    _check(_body(ex), None, _layers(ex.session))   # refuse to write what we would not read
    buf = io.BytesIO(session_bytes(ex.session))
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(MEMBER, json.dumps(_body(ex), indent=1, ensure_ascii=False,
                                      allow_nan=False))
    return buf.getvalue()


def save_exercise(path: str | os.PathLike[str], ex: Exercise) -> None:
    """Write an exercise atomically; the previous file survives any failure."""
    try:
        data = exercise_bytes(ex)
    except BadFileError as e:
        raise BadFileError(path, f"cannot save the exercise: {e.problem}") from None
    except (TypeError, ValueError) as e:
        raise BadFileError(path, f"cannot save the exercise: {e}") from None
    atomic_write_bytes(path, data)


def load_exercise(path: str | os.PathLike[str]) -> Exercise:
    """Read and verify a .bpex file; ``BadFileError`` naming the file on anything wrong."""
    return exercise_from_bytes(read_bytes(path, MAX_SESSION_BYTES), path)


def exercise_from_bytes(data: bytes, path: str | os.PathLike[str] | None = None) -> Exercise:
    """Parse an exercise: the session part by ``engine.session``, then ``exercise.json``."""
    session = session_from_bytes(data, path)   # the zip, manifest, arrays and restore checks
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if MEMBER not in z.namelist():
                raise BadFileError(path, f"is a session, not an exercise (no {MEMBER} inside)")
            if z.getinfo(MEMBER).file_size > MAX_MEMBER_BYTES:
                raise BadFileError(path, f"{MEMBER} is too large")
            raw = z.read(MEMBER)
    except BadFileError:
        raise
    except Exception as e:  # a damaged zip can fail in many library-specific ways
        raise BadFileError(path, f"damaged exercise file: {type(e).__name__}: {e}") from None
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise BadFileError(path, f"{MEMBER} is not valid JSON: {e}") from None
    return _check(body, path, _layers(session), session)


def _layers(session: Session) -> int:
    return Network.from_spec(session.spec).L


def _check(body: Any, path: Any, L: int, session: Session | None = None) -> Exercise:
    """Validate ``exercise.json``; the Exercise if it is sound, else ``BadFileError``."""
    def bad(problem: str) -> BadFileError:
        return BadFileError(path, f"{MEMBER}: {problem}")

    if not isinstance(body, dict) or body.get("format") != FORMAT_NAME:
        raise bad("not a Backprop Lens exercise (wrong format name)")
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise bad(f"bad format version {version!r}")
    if version > FORMAT_VERSION:
        raise BadFileError(path, f"was written by a newer Backprop Lens (exercise format "
                                 f"version {version}); this app reads versions up to "
                                 f"{FORMAT_VERSION}")
    for key in ("title", "instructions"):
        if not isinstance(body.get(key, ""), str):
            raise bad(f"{key!r} must be text, got {type(body[key]).__name__}")
    if len(body.get("instructions", "")) > MAX_INSTRUCTIONS:
        raise bad(f"the instructions are longer than {MAX_INSTRUCTIONS:,} characters")
    lists = {}
    for key, allowed in (("quizzed", QUIZZABLE), ("locked", LOCKABLE)):
        value = body.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad(f"{key!r} must be a list of names")
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise bad(f"{key!r} names {unknown[0]!r}; allowed: {', '.join(allowed)}")
        lists[key] = tuple(dict.fromkeys(value))
    tol = body.get("tolerance", {})
    if not isinstance(tol, dict):
        raise bad("'tolerance' must be an object with rtol and atol")
    rtol, atol = tol.get("rtol", 1e-2), tol.get("atol", 1e-4)
    try:
        QuizSettings(lists["quizzed"], rtol, atol)
    except ValueError as e:
        raise bad(str(e)) from None
    answers = body.get("answers", [])
    if not isinstance(answers, list):
        raise bad("'answers' must be a list")
    clean = []
    for i, a in enumerate(answers, start=1):
        try:
            ans = Answer.from_dict(a)
        except (TypeError, ValueError) as e:
            raise bad(f"answer {i}: {e}") from None
        if not 1 <= ans.layer <= L or ans.pass_index < 0 or ans.row < 0 or ans.col < 0 \
                or not (math.isfinite(ans.value) and math.isfinite(ans.expected)):
            raise bad(f"answer {i}: layer, pass or cell out of range for this network")
        clean.append(ans)
    return Exercise(session if session is not None else Session({}, [], {}, {}),
                    body.get("instructions", ""), body.get("title", ""), lists["quizzed"],
                    lists["locked"], float(rtol), float(atol), clean)
