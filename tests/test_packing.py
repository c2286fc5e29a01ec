"""Equation cards packed into columns: order kept, every card once, the tallest column as short as can be."""

from itertools import combinations

import pytest

from scenes.packing import balanced_columns

HEIGHTS = [0.7, 1.12, 1.7, 2.71, 0.9]  # cards of GD, momentum, RMSprop, Adam, one more
BUFF = 0.3


def tallest(columns: list[list[int]]) -> float:
    return max(sum(HEIGHTS[i] for i in c) + BUFF * (len(c) - 1) for c in columns)


@pytest.mark.parametrize("count", range(1, len(HEIGHTS) + 2))
def test_columns_keep_the_order_and_are_as_short_as_any_cut(count):
    columns = balanced_columns(HEIGHTS, count, BUFF)
    assert [i for c in columns for i in c] == list(range(len(HEIGHTS)))
    assert len(columns) == min(count, len(HEIGHTS)) and all(columns)
    n = len(columns)
    best = min(tallest([list(range(a, b)) for a, b in zip((0, *cut), (*cut, len(HEIGHTS)))])
               for cut in combinations(range(1, len(HEIGHTS)), n - 1))
    assert tallest(columns) == pytest.approx(best)
