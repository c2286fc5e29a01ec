"""Equation cards packed into columns: order kept, every card once, the tallest column as short as can be; the
largest picture clear of the text around it."""

from itertools import combinations

import pytest

from scenes.packing import balanced_columns, largest_clear

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


ROOM = (0.0, 10.0, 0.0, 6.0)  # x0, x1, y0, y1
# a legend in the top left corner, a caption along the bottom left, a key in the bottom right corner
TEXT = [(0.0, 3.0, 4.5, 6.0), (0.0, 6.0, 0.0, 1.5), (8.0, 10.0, 0.0, 1.0)]


def clashes(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def test_the_clear_box_fills_an_empty_room_at_the_right():
    assert largest_clear(ROOM, 1.0, []) == pytest.approx((4.0, 10.0, 0.0, 6.0))


@pytest.mark.parametrize("aspect", [0.8, 1.0, 1.6])
@pytest.mark.parametrize("count", range(len(TEXT) + 1))
def test_the_clear_box_keeps_out_of_the_text_and_in_the_room(aspect, count):
    x0, x1, y0, y1 = box = largest_clear(ROOM, aspect, TEXT[:count])
    assert ROOM[0] <= x0 < x1 <= ROOM[1] and ROOM[2] <= y0 < y1 <= ROOM[3]
    assert (x1 - x0) / (y1 - y0) == pytest.approx(aspect)
    assert not any(clashes(box, t) for t in TEXT[:count])
    # no box 2% larger fits anywhere clear (checked on a fine grid)
    h, w = 1.02 * (y1 - y0), 1.02 * (x1 - x0)
    for fx in [i / 40 for i in range(41)]:
        for fy in [i / 40 for i in range(41)]:
            bigger = (fx * (10 - w), fx * (10 - w) + w, fy * (6 - h), fy * (6 - h) + h)
            assert w > 10 or h > 6 or any(clashes(bigger, t) for t in TEXT[:count]), bigger
