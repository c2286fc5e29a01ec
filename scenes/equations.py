"""An optimizer's update rule on screen, in its colour, with the hyperparameters the engine used; live numbers."""

import numpy as np

from .elements import LEGEND, READOUT, LiveNumber, PathData, formula_text, label
from .headless import manimlib  # noqa: F401
from manimlib import DOWN, LEFT, RIGHT, VGroup  # noqa: E402
from .theme import current  # noqa: E402

LIVE_FIELDS = ("grad", "first_moment", "second_moment", "update")


def state_symbol(equation: tuple[str, ...], field: str) -> str:
    """The letter the update rule itself uses for a recorded state (AdaGrad's accumulator is G, RMSprop's s)."""
    text = " ".join(equation)
    if field == "first_moment":
        return "m" if "m_i" in text else "v"
    if field == "second_moment":
        return next((name for name in ("G", "s") if f"{name}_i \\leftarrow" in text), "v")
    return {"grad": "g", "update": "Δθ"}[field]


class EquationCard(VGroup):
    """Name + update rule lines (mathtext from the run's metadata) + optional live g, m, v, step of one head."""

    def __init__(self, run, optimizer: int, live: PathData | None = None, title_size: float = LEGEND):
        """title_size: TITLE lets a card shrink as far as its equations may (to 10/11.2 of its size, where a
        LEGEND title would fall below 12 px first)."""
        super().__init__()
        meta = run.meta.optimizers[optimizer]
        self.title = label(meta.title, title_size, current().path_color(meta.color), weight="BOLD", role="legend")
        self.lines = VGroup(*(formula_text(line, role="equation", scale=0.9) for line in meta.equation))
        self.lines.arrange(DOWN, aligned_edge=LEFT, buff=0.16)
        self.add(self.title, self.lines)
        self.live_rows, self.live = [], live
        if live is not None:
            o, s, k = live.index
            rows = VGroup()
            for field in LIVE_FIELDS:
                values = getattr(run, field)[o, s, k]
                if not np.isfinite(values).any():
                    continue  # this optimizer has no such state
                numbers = [LiveNumber(0.0, decimals=3) for _ in range(2)]
                # a vector as (a, b): commas, never a middle dot that reads as a product
                row = VGroup(label(f"{state_symbol(meta.equation, field)} = (", READOUT, current().dim_text, role="readout"),
                             numbers[0], label(",", READOUT, current().dim_text, role="readout"), numbers[1],
                             label(")", READOUT, current().dim_text, role="readout"))
                lay_out(row)
                rows.add(row)
                self.live_rows.append((values, numbers, row))
            rows.arrange(DOWN, aligned_edge=LEFT, buff=0.1)
            self.add(rows)
        self.arrange(DOWN, aligned_edge=LEFT, buff=0.18)

    def show(self, tau: float) -> None:
        if self.live is None:
            return
        t = int(min(self.live.head_index(tau), len(self.live_rows[0][0]) - 1)) if self.live_rows else 0
        for values, numbers, row in self.live_rows:
            left, shown = row.get_left(), [number.text for number in numbers]
            for number, value in zip(numbers, values[t]):
                number.set_value(float(value) if np.isfinite(value) else 0.0)
            if [number.text for number in numbers] != shown:  # laid out again each frame, the comma would
                lay_out(row)  # creep by a float's last bit every time, and never be still
                row.shift(left - row.get_left())


def lay_out(row: VGroup) -> None:
    """'g = (a, b)' in a line, the comma on the numbers' baseline (centring would lift it to an apostrophe);
    gaps scale with the row, so a card shrunk to fit stays in proportion."""
    start, first, comma, second, end = row
    gap = 0.08 * first.get_height() / first.text_height
    row.arrange(RIGHT, buff=gap)
    comma.align_to(first, DOWN).shift(0.35 * comma.get_height() * DOWN)
