"""Boxes packed into columns, in reading order (plain Python: the numbers only, no drawing)."""

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
