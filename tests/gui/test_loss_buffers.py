"""The loss plot's incremental buffers equal a rebuild from scratch, by hand-worked values."""

import numpy as np
import pytest

from gui.loss_buffers import Counting, EpochX, Extent, Growing


def test_growing_mirrors_an_append_only_list_and_starts_over_when_it_shrinks():
    g, values = Growing(), []
    for chunk in ([0.5, 0.25], list(np.linspace(1, 2, 3000)), [7.0]):
        values += chunk
        np.testing.assert_array_equal(g.sync(values), values)
    np.testing.assert_array_equal(g.sync([9.0, 8.0]), [9.0, 8.0])   # a new, shorter list


def test_extent_keeps_finite_bounds_and_the_smallest_positive_for_log():
    e = Extent()
    e.update(np.array([0.5, np.nan, -1.0]))
    e.update(np.array([0.5, np.nan, -1.0, np.inf, 0.01, 3.0]))
    assert e.bounds(log=False) == (-1.0, 3.0)
    assert e.bounds(log=True) == (0.01, 3.0)
    e.update(np.array([2.0]))   # shorter: a new history
    assert e.bounds(log=False) == (2.0, 2.0)


def test_counting_is_one_to_n():
    c = Counting()
    np.testing.assert_array_equal(c.upto(3), [1.0, 2.0, 3.0])
    assert c.upto(5000)[-1] == 5000.0 and c.upto(5000).size == 5000


def test_epoch_x_is_the_fractional_epoch_of_each_iteration():
    # 3 iterations an epoch, two epochs finished (ends at iterations 3 and 6), then 2 more
    x = EpochX()
    got = x.sync_frac(8, np.array([3.0, 6.0]), 3)
    want = [1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2, 2 + 1 / 3, 2 + 2 / 3]
    np.testing.assert_allclose(got, want)
    # a third epoch ends at 9 and a tenth iteration arrives: the same as from scratch
    np.testing.assert_allclose(x.sync_frac(10, np.array([3.0, 6.0, 9.0]), 3),
                               [*want, 3, 3 + 1 / 3])
    assert EpochX().sync_frac(10, np.array([3.0, 6.0, 9.0]), 3)[-1] == pytest.approx(10 / 3)
