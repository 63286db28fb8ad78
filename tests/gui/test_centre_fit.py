"""The centre's shares: the graph keeps distinct neurons, the formula its text, the
matrices the rest; a splitter the user dragged is left alone."""

from __future__ import annotations

import pytest

from gui.centre_fit import SHORT_CENTRE, centre_sizes
from gui.graph_fit import MIN_SPACING

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def test_sizes_add_up_and_the_graph_never_gets_less_than_it_needs():
    graph, matrices, formula = centre_sizes(604, 150, 187, presenting=False)
    assert (graph, formula) == (150, 187) and graph + matrices + formula == 604
    # tall: the graph takes its share, the formula what it asks
    graph, matrices, formula = centre_sizes(1000, 150, 187, presenting=False)
    assert graph == 260 and formula == 187 and matrices == 553
    # the formula never takes more than its share: it shrinks its font instead
    assert centre_sizes(604, 150, 400, presenting=True)[2] == int(604 * 0.28)


@pytest.fixture
def win(new_window, qtbot):
    w = new_window((1280, 720))
    qtbot.wait(30)
    return w


def test_at_1280x720_the_graph_gets_room_for_distinct_neurons(win, qtbot):
    total = sum(win.centre.sizes())
    assert total < SHORT_CENTRE
    assert win.graph.height() >= win.graph.needed_height(MIN_SPACING)
    assert win.graph.title_dropped and win.graph.legend.isHidden()
    assert win.formula.height() >= win.formula.wanted_height() - 1
    assert win.matrices.height() > max(win.graph.height(), win.formula.height())


def test_a_splitter_the_user_dragged_stays_where_they_put_it(win, qtbot):
    win.centre.moveSplitter(300, 1)   # the user drags the graph's lower edge down
    sizes = win.centre.sizes()
    assert win.centre_fit.user_moved and sizes[0] > 250
    win.resize(1300, 760)
    qtbot.wait(30)
    # the splitter spreads the 40 px by its stretch factors; no re-share to ~160 px
    assert win.centre.sizes()[0] >= sizes[0]
