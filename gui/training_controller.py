"""Run ``Trainer.run()`` in the GUI thread without freezing the window.

pyqtgraph's crash-course pattern: a zero-interval ``QTimer`` tick advances the
engine's generator for at most ``CHUNK_SECONDS`` of work, then returns to the
event loop, so clicks (pause, stop) are handled between chunks. Signals that
make the GUI redraw (``progress``, ``epoch_finished``) are throttled to at most
``MAX_UPDATES_PER_SECOND``, whatever the engine's speed: many fast iterations
or epochs are coalesced into one emission carrying the latest record (the
History keeps every value).

At full speed the window's share of the GUI thread is bounded too: the time between
chunks (slots, paints, other events) is counted against the chunks' time, and a flush
waits while the window has had more than 1 − ``ENGINE_SHARE`` of it.

A rate limit (``set_rate``: iterations per second, ``None`` = as fast as it goes)
paces the run by the controller's clock: each tick runs the iterations due since
the rate was set, never sleeping the GUI thread; an engine slower than the rate
simply runs flat out (the backlog is dropped, not caught up in a burst).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
from PyQt6.QtCore import QCoreApplication, QObject, QTimer, pyqtSignal

from engine.training import TrainingDiverged

CHUNK_SECONDS = 0.025
MAX_UPDATES_PER_SECOND = 30.0
# At a limited rate the timer still ticks at least this often (ms), so a new rate, a
# pause or a stop is acted on at once even at 1 iteration per second.
MAX_TICK_MS = 50
# At full speed the engine keeps at least this share of the GUI thread's time: the time
# between two chunks (the slots a flush sets off, the paints after them, anything else the
# event loop does) is counted against the chunks' time, and the next flush waits while the
# window has had more than its part (1 − share). MAX_UPDATES_PER_SECOND when redraws are
# cheap; MIN_UPDATES_PER_SECOND whatever they cost. The counts halve each second or so:
# a recent memory, so a costly moment (a resize) is not paid for for long.
ENGINE_SHARE = 0.85
MIN_UPDATES_PER_SECOND = 2.0
BUDGET_MEMORY = 1.0


class TrainingController(QObject):
    """Start, pause, resume and stop a Trainer; report its records as Qt signals.

    Signals
    -------
    progress(TrainRecord) : the latest record, at most 30 times a second (fewer at full
        speed when the window's redraws would take the engine more than its share).
    epoch_finished(TrainRecord) : the latest epoch-end record (``epoch_done``), throttled
        together with ``progress``.
    training_started, training_paused : no arguments.
    training_finished : no arguments; the requested epochs are done or ``stop()`` was called.
    training_failed(str) : the run ended with an error, e.g. the loss diverged; the
        message says what happened and what to try.
    """

    progress = pyqtSignal(object)
    epoch_finished = pyqtSignal(object)
    training_started = pyqtSignal()
    training_paused = pyqtSignal()
    training_finished = pyqtSignal()
    training_failed = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        super().__init__(parent)
        self._clock = clock  # injectable so tests can check the throttle without timing
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_tick)
        self._gen: Generator[Any, None, None] | None = None
        self.trainer: Any = None
        self._last_emit = -float("inf")
        self._pending: Any = None        # latest record not yet emitted
        self._pending_epoch: Any = None  # latest epoch-end record not yet emitted
        self._rate: float | None = None  # iterations per second; None: as fast as it goes
        self._pace_t0 = 0.0              # the clock when pacing (re)started …
        self._pace_n = 0                 # … and the iterations run since
        self._engine_time = 0.0          # seconds in chunks (full speed), recently …
        self._gui_time = 0.0             # … and seconds between them
        self._chunk_end: float | None = None
        app = QCoreApplication.instance()
        if app is not None:  # quitting mid-run: stop the timer cleanly
            app.aboutToQuit.connect(self.stop)

    # -- state ----------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        """True while iterations are being run (not paused, not finished)."""
        return self._timer.isActive()

    @property
    def is_paused(self) -> bool:
        """True when a run was started and paused, and can be resumed."""
        return self._gen is not None and not self._timer.isActive()

    @property
    def rate(self) -> float | None:
        """Iterations per second the run is paced at; ``None``: as fast as it goes."""
        return self._rate

    def set_rate(self, rate: float | None) -> None:
        """Pace training at ``rate`` iterations per second (``None``: no limit).

        Takes effect at once, also in the middle of a run: pacing starts afresh from now.
        """
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float))
                                 or not 0 < rate < float("inf")):
            raise ValueError(f"the training speed must be a number of iterations per second "
                             f"> 0, or None for no limit; got {rate!r}")
        self._rate = None if rate is None else float(rate)
        self._timer.setInterval(0 if rate is None else
                                max(1, min(MAX_TICK_MS, int(1000 / float(rate)))))
        self._start_pacing()

    def _start_pacing(self) -> None:
        self._pace_t0, self._pace_n = self._clock(), 0
        self._engine_time = self._gui_time = 0.0
        self._chunk_end = None

    # -- commands ---------------------------------------------------------------
    def start(self, trainer: Any, epochs: int | None, on_grads: Any = None) -> None:
        """Train ``trainer`` for ``epochs`` more epochs (None: until ``stop()``).

        ``on_grads`` is passed to ``Trainer.run`` (each iteration's gradients).

        A run already in progress is stopped first (it emits ``training_finished``).
        """
        if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, int)
                                   or epochs < 0):
            raise ValueError(f"epochs must be a whole number ≥ 0 or None, got {epochs!r}")
        if self._gen is not None:
            self.stop()
        self.trainer = trainer
        self._gen = trainer.run(epochs) if on_grads is None else trainer.run(epochs, on_grads)
        self._pending = self._pending_epoch = None
        self._last_emit = -float("inf")
        self._start_pacing()
        self._timer.start()
        self.training_started.emit()

    def pause(self) -> None:
        """Stop iterating after the current chunk; ``resume()`` continues exactly there."""
        if not self._timer.isActive():
            return
        self._timer.stop()
        self._flush()
        self.training_paused.emit()

    def resume(self) -> None:
        """Continue a paused run."""
        if self._gen is None or self._timer.isActive():
            return
        self._start_pacing()   # the time paused is not owed iterations
        self._timer.start()
        self.training_started.emit()

    def stop(self) -> None:
        """End the run (paused or running); emits ``training_finished``. No-op when idle."""
        if self._gen is None:
            return
        self._end()
        self.training_finished.emit()

    # -- the work -----------------------------------------------------------------
    def _on_tick(self) -> None:
        gen = self._gen
        if gen is None:
            self._timer.stop()
            return
        # End the chunk when the next update is due, so the window gets its 30 updates a
        # second; 25 ms chunks alone would flush only every second chunk (20 a second).
        now = self._clock()
        if self._chunk_end is not None:   # the window's time since the last chunk
            self._gui_time += now - self._chunk_end
            self._chunk_end = None
        # The chunk ends when the next flush may come (so the window gets its updates on
        # time), at the latest after CHUNK_SECONDS.
        deadline = now + min(CHUNK_SECONDS, max(0.0, self._wait_for_flush(now)))
        due = None
        if self._rate is not None:
            # The first iteration runs at once, then one every 1/rate seconds.
            due = int((now - self._pace_t0) * self._rate) + 1 - self._pace_n
            if due <= 0:   # nothing due: only a record the throttle held back
                self._maybe_flush()
                return
            # The iterations due get a whole chunk (the redraw comes right after them);
            # only an engine slower than the rate runs out of it and drops the backlog.
            deadline = now + CHUNK_SECONDS
        try:
            # The engine checks every loss and gradient for NaN/Inf itself and raises
            # TrainingDiverged; numpy's overflow warnings on the way there are noise
            # (and an exception where warnings are errors, as in the tests).
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                self._run_chunk(gen, deadline, due)
        except StopIteration:
            self._end()
            self.training_finished.emit()
            return
        except TrainingDiverged as exc:
            self._end()
            self.training_failed.emit(str(exc))
            return
        except (FloatingPointError, RuntimeWarning) as exc:
            self._end()
            self.training_failed.emit(f"training stopped: numerical overflow ({exc}). "
                                      "Try a smaller learning rate.")
            return
        except Exception as exc:  # noqa: BLE001 - any engine error must reach the user
            self._end()
            self.training_failed.emit(f"training stopped: {type(exc).__name__}: {exc}")
            return
        if self._rate is None:
            end = self._clock()
            self._engine_time += end - now
            self._chunk_end = end
            if self._engine_time + self._gui_time > BUDGET_MEMORY:
                self._engine_time *= 0.5
                self._gui_time *= 0.5
        self._maybe_flush()

    def _wait_for_flush(self, now: float) -> float:
        """Seconds (of engine work, at full speed) before the next flush may come: at most
        30 flushes a second, and at full speed none while the window has had more than its
        share of the time (but one every 1/MIN_UPDATES_PER_SECOND s whatever it costs)."""
        wait = self._last_emit + 1.0 / MAX_UPDATES_PER_SECOND - now
        if self._rate is None and now - self._last_emit < 1.0 / MIN_UPDATES_PER_SECOND:
            owed = self._gui_time * ENGINE_SHARE / (1.0 - ENGINE_SHARE) - self._engine_time
            wait = max(wait, min(owed, self._last_emit + 1.0 / MIN_UPDATES_PER_SECOND - now))
        return wait

    def _maybe_flush(self) -> None:
        if self._wait_for_flush(self._clock()) <= 0:
            self._flush()

    def _run_chunk(self, gen: Generator[Any, None, None], deadline: float,
                   due: int | None = None) -> None:
        """Advance the generator until the chunk's time budget is spent, or ``due``
        iterations (a limited rate) have run."""
        n = 0
        while True:
            rec = next(gen)
            n += 1
            self._pace_n += 1
            self._pending = rec
            if getattr(rec, "epoch_done", False):
                self._pending_epoch = rec
            if due is not None and n >= due:
                return
            if self._clock() >= deadline:
                if due is not None and self._rate is not None:
                    # Behind the clock: drop the backlog, the next iteration is due 1/rate on.
                    self._pace_t0 = self._clock() - (self._pace_n - 1) / self._rate
                return

    def _flush(self) -> None:
        """Emit what happened since the last emission (latest epoch end, latest record)."""
        epoch_rec, rec = self._pending_epoch, self._pending
        self._pending = self._pending_epoch = None
        if rec is None and epoch_rec is None:
            return
        self._last_emit = self._clock()
        if epoch_rec is not None:
            self.epoch_finished.emit(epoch_rec)
        if rec is not None:
            self.progress.emit(rec)

    def _end(self) -> None:
        self._timer.stop()
        gen, self._gen = self._gen, None
        self._flush()
        if gen is not None:
            gen.close()
