"""Round tick values for a chart's linear axis, and their labels with as few digits as they need (no ManimGL)."""

import numpy as np
from matplotlib.ticker import MaxNLocator

STEPS = (1, 2, 2.5, 5, 10)  # tick spacings: 1, 2, 2.5 or 5 × 10^k


def padded_range(values: np.ndarray, pad: float = 0.05) -> tuple[float, float]:
    """(min, max) of the values, each widened by `pad` of their span (of 1 if they are all one value)."""
    lo, hi = float(np.min(values)), float(np.max(values))
    margin = pad * (hi - lo or 1.0)
    return lo - margin, hi + margin


def nice_ticks(lo: float, hi: float, most: int = 5) -> list[float]:
    """Round values inside [lo, hi], 1, 2, 2.5 or 5 × 10^k apart, as matplotlib's MaxNLocator picks them.

    With `most` ≥ 5 intervals allowed, at least two ticks fall inside: the next finer spacing (at most half as
    wide) would have needed more than `most` intervals, so the range spans over two of the chosen ones.
    """
    values = MaxNLocator(nbins=most, steps=list(STEPS)).tick_values(lo, hi)
    step = float(values[1] - values[0])
    slack = 1e-9 * step  # a tick computed a hair outside a limit it sits on
    # on the grid of steps, rid of float noise (0.15, not 0.15000000000000002; 0, not −0)
    return [float(f"{round(v / step) * step:.10g}") + 0.0 for v in values if lo - slack <= v <= hi + slack]


def tick_text(value: float) -> str:
    """A tick's label with as few digits as it needs (0.05, 0.1, 2.5, 1000) and a true minus sign."""
    return f"{value:g}".replace("-", "−")
