"""Measuring text on the rendered window: clipped (outside its view) or overlapping text.

Used by tests/gui/test_layout_fit.py; each check returns a list of problems (empty = fine),
described in words so that a failure says what is wrong where.
"""

from __future__ import annotations

import itertools

from PyQt6.QtCore import QRectF

SLACK = 1.0   # px: anti-aliasing and rounding


def _inside(inner: QRectF, outer: QRectF) -> bool:
    return (inner.left() >= outer.left() - SLACK and inner.right() <= outer.right() + SLACK
            and inner.top() >= outer.top() - SLACK and inner.bottom() <= outer.bottom() + SLACK)


def _overlap(a: QRectF, b: QRectF) -> bool:
    i = a.intersected(b)
    return i.width() > SLACK and i.height() > SLACK


def graph_text_problems(graph) -> list[str]:
    """Graph texts outside the visible view, overlapping each other, or "C" off its box."""
    vb = graph._vb
    visible = vb.sceneBoundingRect()
    texts = [(t.toPlainText().replace("\n", " / "), _ink(t))
             for t, _delta, _bold in graph._texts if t.isVisible() and t.toPlainText()]
    out = [f"graph: {name!r} clipped: {r} outside the view {visible}"
           for name, r in texts if not _inside(r, visible)]
    out += [f"graph: {a!r} overlaps {b!r}" for (a, ra), (b, rb)
            in itertools.combinations(texts, 2) if _overlap(ra, rb)]
    c = next((r for name, r in texts if name == "C"), None)
    r = graph._loss_box.rect()
    box = QRectF(vb.mapViewToScene(r.topLeft()), vb.mapViewToScene(r.bottomRight())).normalized()
    if c is not None and not _inside(c, box):
        out.append(f"graph: the C glyph {c} spills out of its box {box}")
    return out


def _ink(item) -> QRectF:
    """A text item's text, without the margins of its document (4 px each side)."""
    m = item.textItem.document().documentMargin()
    return item.sceneBoundingRect().adjusted(m, m, -m, -m)


def matrix_title_problems(panel) -> list[str]:
    """Matrix titles that do not fit their width, leave the panel, or overlap each other."""
    view = panel._glw
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    titles = []
    out = []
    for key, hm in panel._maps.items():
        label = hm.label
        if not label.isVisible():
            continue   # y: out of the layout on other layers than the output
        r = label.sceneBoundingRect()
        if not label.fits():
            out.append(f"matrix title {key!r} wider than its column ({r.width():.0f} px)")
        if not _inside(r, visible):
            out.append(f"matrix title {key!r} clipped: {r} outside {visible}")
        titles.append((key, r))
    out += [f"matrix titles {a!r} and {b!r} overlap" for (a, ra), (b, rb)
            in itertools.combinations(titles, 2) if _overlap(ra, rb)]
    return out


def formula_problems(panel) -> list[str]:
    """Formula-panel lines (title, equation, shapes, sentence) cut off by its height."""
    from PyQt6.QtWidgets import QScrollArea

    view = panel.findChild(QScrollArea).viewport()
    out = []
    for name, label in (("title", panel._title), ("equation", panel._formula),
                        ("shapes", panel._shapes), ("sentence", panel._sentence)):
        if not label.isVisible() or not label.text():
            continue
        top = label.mapTo(view, label.rect().topLeft()).y()
        bottom = top + label.heightForWidth(label.width())
        if top < -SLACK or bottom > view.height() + SLACK:
            out.append(f"formula: the {name} is cut ({top}..{bottom} of {view.height()} px)")
    return out


def neuron_problems(graph, min_gap: float = 1.0) -> list[str]:
    """Columns of neurons drawn so close that they merge: centres nearer than a circle's
    width plus ``min_gap`` px, or circles smaller than the graph's smallest size."""
    from gui.graph_fit import NODE_MIN_PX

    vb = graph._vb
    out = []
    for scatter in graph._scatters:
        points = scatter.points()
        if len(points) < 2:
            continue
        ys = sorted(vb.mapViewToScene(p.pos()).y() for p in points)
        spacing = min(b - a for a, b in zip(ys, ys[1:]))
        size = float(points[0].size())
        if spacing < size + min_gap or size < NODE_MIN_PX:
            layer = int(round(points[0].pos().x()))
            out.append(f"graph: the neurons of layer {layer} merge ({spacing:.1f} px apart, "
                       f"{size:.0f} px circles, view {vb.height():.0f} px high)")
    return out


def hover_text_problems(win) -> list[str]:
    """The hovered cell's arithmetic (formula panel) cut by the panel's height, and the
    matrix panel's hover line cut at its width (shortened with a tooltip is fine)."""
    from PyQt6.QtWidgets import QScrollArea

    out = []
    panel = win.formula
    label = panel._cell
    if label.isVisible() and label.text():
        view = panel.findChild(QScrollArea).viewport()
        top = label.mapTo(view, label.rect().topLeft()).y()
        bottom = top + label.heightForWidth(label.width())
        if top < -SLACK or bottom > view.height() + SLACK:
            out.append(f"formula: the hovered cell's arithmetic is cut ({top}..{bottom} of "
                       f"{view.height()} px): {label.text()!r}")
    hover = win.matrices._hover_label
    if hover.isVisible() and hover.fontMetrics().horizontalAdvance(hover.text()) \
            > hover.contentsRect().width() + SLACK:
        out.append(f"matrices: the hover line {hover.text()!r} is wider than its "
                   f"{hover.contentsRect().width()} px")
    return out


def status_problems(status) -> list[str]:
    """Status-bar fields whose drawn text is wider than the field, or shortened without
    a tooltip giving the whole text."""
    from PyQt6.QtWidgets import QLabel

    out = []
    for label in status.findChildren(QLabel):
        if not label.isVisible():
            continue
        shown = label.shown_text() if hasattr(label, "shown_text") else label.text()
        if _text_width(label, shown) > label.contentsRect().width() + SLACK:
            out.append(f"status bar: {shown!r} is cut ({label.contentsRect().width()} px)")
        if shown != label.text() and label.toolTip() != label.text():
            out.append(f"status bar: {shown!r} is shortened without a tooltip")
    return out


def _text_width(label, text: str) -> float:
    """Width of a label's text in px, rich text (the phase's colour) measured as drawn."""
    from PyQt6.QtCore import Qt
    from PyQt6.QtGui import QTextDocument

    if label.textFormat() == Qt.TextFormat.PlainText or not Qt.mightBeRichText(text):
        return label.fontMetrics().horizontalAdvance(text)
    doc = QTextDocument()
    doc.setDefaultFont(label.font())
    doc.setDocumentMargin(0)
    doc.setHtml(text)
    return doc.idealWidth()
