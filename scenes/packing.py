"""Boxes packed into columns, in reading order, and the largest box clear of others (plain Python: the numbers
only, no drawing)."""

from itertools import combinations


def balanced_columns(heights: list[float], count: int, buff: float) -> list[list[int]]:
    """Indices 0..n−1 cut, in order, into `count` columns (top to bottom, then the next) whose tallest stack
    (heights plus `buff` between neighbours) is as short as can be: every way of cutting is tried (n is small)."""
    n = len(heights)
    count = max(1, min(count, n))

    def tallest(cuts: tuple[int, ...]) -> float:
        bounds = (0, *cuts, n)
        return max(sum(heights[a:b]) + buff * (b - a - 1) for a, b in zip(bounds, bounds[1:]))

    cuts = min(combinations(range(1, n), count - 1), key=tallest)
    bounds = (0, *cuts, n)
    return [list(range(a, b)) for a, b in zip(bounds, bounds[1:])]


Box = tuple[float, float, float, float]  # x0, x1, y0, y1


def largest_clear(room: Box, aspect: float, obstacles: list[Box], tolerance: float = 0.01) -> Box:
    """The largest box of width/height `aspect` inside `room` that overlaps no obstacle, to `tolerance` in height,
    by bisection: a box that fits still fits slid right and then down until it meets the room's edge or an
    obstacle, so only those places are tried (right and low first). An empty box if nothing fits."""
    x0, x1, y0, y1 = room

    def place(h: float) -> Box | None:
        w = aspect * h
        xs = sorted({x for x in (x1 - w, *(b[0] - w for b in obstacles)) if x0 <= x <= x1 - w}, reverse=True)
        ys = sorted({y for y in (y0, *(b[3] for b in obstacles)) if y0 <= y <= y1 - h})
        for box in ((x, x + w, y, y + h) for x in xs for y in ys):
            if not any(box[0] < b[1] and b[0] < box[1] and box[2] < b[3] and b[2] < box[3] for b in obstacles):
                return box
        return None

    low, high = 0.0, min(y1 - y0, (x1 - x0) / aspect)
    best = place(high)
    if best:
        return best
    best = (x0, x0, y0, y0)
    while high - low > tolerance:
        middle = (low + high) / 2
        found = place(middle)
        if found:
            low, best = middle, found
        else:
            high = middle
    return best
