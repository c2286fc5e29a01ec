"""Round tick values for a chart's axis (linear, or whole decades on a log one), and their labels with as few digits
as they need (no ManimGL)."""

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


def decade_ticks(lo: float, hi: float, most: int = 5) -> list[int]:
    """Exponents k of the decades 10^k to mark on a log axis spanning 10^lo … 10^hi: every one, or every 2nd, 5th,
    10th … where there are more than `most` + 1 (thirty labels a line apart would pile up)."""
    values = MaxNLocator(nbins=most, steps=[1, 2, 5, 10], integer=True).tick_values(lo, hi)
    # over a span of a decade or two the locator may step by halves: only the whole decades are kept
    return [round(v) for v in values if lo - 1e-9 <= v <= hi + 1e-9 and abs(v - round(v)) < 1e-9]


def decade_text(k: int) -> str:
    """10^k as a tick's label: 1e3, 1e−28."""
    return f"1e{k:d}".replace("-", "−")


def tick_text(value: float) -> str:
    """A tick's label with as few digits as it needs (0.05, 0.1, 2.5, 1000) and a true minus sign."""
    return f"{value:g}".replace("-", "−")
