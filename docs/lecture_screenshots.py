"""The README's lecture screenshots: 1280×720 presentation mode, three networks, a step
of the forward pass, the update step and a frame of live training.

Run: ``make screenshots`` (or ``QT_QPA_PLATFORM=offscreen .venv/bin/python
docs/lecture_screenshots.py``).  The window is rendered offscreen at exactly
1280×720 with a throw-away settings file; live training runs at full speed for
1.5 s, then the live views are drawn once more and the window is grabbed mid-run.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gui import messages  # noqa: E402
from gui.app import make_app  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.settings import AppSettings, make_qsettings  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
MOONS = {"name": "moons", "n_samples": 200, "noise": 0.1, "seed": 0}
NETWORKS = {
    "": None,   # the default 2-8-8-1 on moons
    "-deep": ({"layers": [{"units": 8, "activation": "tanh"}] * 6
               + [{"units": 1, "activation": "sigmoid"}]}, MOONS),
    "-digits": ({"layers": [{"units": 64, "activation": "tanh"},
                            {"units": 64, "activation": "tanh"},
                            {"units": 10, "activation": "sigmoid"}]},
                {"name": "digits", "n_samples": 200, "noise": 0.1, "seed": 0}),
}


def shot(app, out: Path, net, steps: int | str = 0, live: float = 0.0) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        win = MainWindow(settings=AppSettings(make_qsettings(Path(tmp) / "s.ini")))
        win.file_controller.maybe_save = lambda: True
        m = win.model
        if net is not None and not m.set_experiment(*net):
            raise SystemExit(f"cannot build {net}")
        win.setFixedSize(1280, 720)
        win.show()
        app.processEvents()
        win.set_presentation(True)
        if steps == "update":
            while m.stepper.k < m.stepper.K:
                m.step()
        else:
            for _ in range(int(steps)):
                m.step()
        if live:
            win.controls.set_train_speed(None)
            win.controls.epochs.setValue(0)
            m.train(None)
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < live:
                app.processEvents()
            win.live.redraw()
        for _ in range(10):
            app.processEvents()
        win.grab().save(str(out))
        m.shutdown()
        win.close()
        win.deleteLater()
        app.processEvents()


def main() -> int:
    app = make_app()
    messages.set_headless(True)
    for suffix, net in NETWORKS.items():
        shot(app, OUT / f"presentation-1280x720{suffix}.png", net, steps=7)
    shot(app, OUT / "presentation-1280x720-update.png", None, steps="update")
    shot(app, OUT / "presentation-1280x720-live.png", NETWORKS["-deep"], live=1.5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
