"""An optimizer's update rule on screen, in its colour, with the hyperparameters the engine used; live numbers."""

import numpy as np

from .elements import DIM_TEXT, TEXT_COLOR, LiveNumber, PathData, label
from .headless import manimlib  # noqa: F401
from manimlib import DOWN, LEFT, RIGHT, VGroup  # noqa: E402
from .mathtext import formula  # noqa: E402

LIVE_FIELDS = (("g", "grad"), ("m", "first_moment"), ("v", "second_moment"), ("step", "update"))


class EquationCard(VGroup):
    """Name + update rule lines (mathtext from the run's metadata) + optional live g, m, v, step of one head."""

    def __init__(self, run, optimizer: int, size: float = 0.22, live: PathData | None = None):
        super().__init__()
        meta = run.meta.optimizers[optimizer]
        self.title = label(meta.title, 20, meta.color, weight="BOLD")
        self.lines = VGroup(*(formula(line, size=size, color=TEXT_COLOR) for line in meta.equation))
        self.lines.arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        self.add(self.title, self.lines)
        self.live_rows, self.live = [], live
        if live is not None:
            o, s, k = live.index
            rows = VGroup()
            for name, field in LIVE_FIELDS:
                values = getattr(run, field)[o, s, k]
                if not np.isfinite(values).any():
                    continue  # this optimizer has no such state
                numbers = [LiveNumber(0.0, decimals=3, size=17) for _ in range(2)]
                row = VGroup(label(f"{name} =", 17, DIM_TEXT), label("(", 17, DIM_TEXT), numbers[0],
                             label(",", 17, DIM_TEXT), numbers[1], label(")", 17, DIM_TEXT)).arrange(RIGHT, buff=0.06)
                rows.add(row)
                self.live_rows.append((values, numbers, row))
            rows.arrange(DOWN, aligned_edge=LEFT, buff=0.06)
            self.add(rows)
        self.arrange(DOWN, aligned_edge=LEFT, buff=0.12)

    def show(self, tau: float) -> None:
        if self.live is None:
            return
        t = int(min(self.live.head_index(tau), len(self.live_rows[0][0]) - 1)) if self.live_rows else 0
        for values, numbers, row in self.live_rows:
            left = row.get_left()
            for number, value in zip(numbers, values[t]):
                number.set_value(float(value) if np.isfinite(value) else 0.0)
            row.arrange(RIGHT, buff=0.06)
            row.shift(left - row.get_left())
