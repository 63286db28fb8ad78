"""Does every view show what the model holds? (The monkey test asks after each action.)

Each check compares what a view last drew with the experiment: the same stepper
and arrays in the heatmaps, the same network in the graph and the data view, the
same history in the loss plot, the same step in the status bar and the formula.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .matrix_panel import SLOTS


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return a is b or (a.shape == b.shape and np.array_equal(a, b, equal_nan=True))


def drawn_state_problems(win: Any) -> list[str]:
    """What the window shows that disagrees with its model; empty when all agree."""
    m = win.model
    st = m.stepper
    out: list[str] = []
    mp = win.matrices
    if mp._stepper is not st:
        out.append("matrices: drawn from another stepper")
    else:
        W, b = st.state.params[mp._layer - 1]
        for key, q, off, *_ in SLOTS:
            want = mp._array(st.state, q, mp._layer + off, W, b)
            if not _same(mp._maps[key].data, want):
                out.append(f"matrices: {key} of layer {mp._layer} differs from the model's")
    if win.graph._net is not m.net or win.graph._stepper is not st:
        out.append("graph: another network or stepper")
    dv = win.data_view
    if dv.net is not m.net or dv.ds is not m.dataset:
        out.append("data view: another network or data set")
    if dv.selected != m.sample:
        out.append(f"data view: rings sample {dv.selected}, the model steps {m.sample}")
    lp = win.loss_plot
    if lp.history is not m.history:
        out.append("loss plot: another history")
    elif not m.is_training and lp.n_shown != len(m.history.iter_loss):
        out.append(f"loss plot: {lp.n_shown} iterations drawn, "
                   f"{len(m.history.iter_loss)} in the history")
    if not m.is_training:
        s = m.status()
        want = f"step {s['k']} of {s['K']} (pass {s['pass'] + 1})"
        if win.status.step.text() != want:
            out.append(f"status bar: {win.status.step.text()!r}, the model is at {want!r}")
        if win.status.iteration.text() != f"iteration {s['iteration']}":
            out.append(f"status bar: {win.status.iteration.text()!r}, the model is at "
                       f"iteration {s['iteration']}")
    last = st.last
    title = win.formula._title.text()
    if last is not None and title != last.title:
        out.append(f"formula: {title!r}, the last step was {last.title!r}")
    c = win.controls
    if not c.lr.hasFocus() and c.lr.text() != f"{m.lr:g}":
        out.append(f"controls: α shows {c.lr.text()!r}, the model has {m.lr:g}")
    if c.batch.value() != m.batch_size and not c.batch.hasFocus():
        out.append(f"controls: batch {c.batch.value()}, the model {m.batch_size}")
    return out
