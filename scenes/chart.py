"""Loss-vs-step curves that grow in sync with the race (log axis when the loss spans decades)."""

import numpy as np

from .elements import READOUT, PathData, label
from .headless import manimlib  # noqa: F401
from manimlib import DOWN, LEFT, RIGHT, UP, Line, Rectangle, VGroup, VMobject  # noqa: E402
from .stage import is_log_loss  # noqa: E402
from .theme import current  # noqa: E402
from .ticks import decade_text, decade_ticks, nice_ticks, padded_range, tick_text  # noqa: E402


class LossChart(VGroup):
    """A framed chart of loss (y) against step (x) with one curve per path."""

    def __init__(self, paths: list[PathData], num_steps: int, width: float = 5.2, height: float = 3.4,
                 values: list[np.ndarray] | None = None, name: str = "loss"):
        """values: per path, what to draw against the step (default: its loss); `name` labels them (linear axis)."""
        super().__init__()
        self.paths, self.num_steps, self.w, self.h = paths, num_steps, width, height
        self.values = values if values is not None else [p.loss for p in paths]
        losses = np.concatenate([v[: p.visible] for p, v in zip(paths, self.values)])
        self.log = is_log_loss(losses) and values is None
        self.lo, self.hi = padded_range(self._transform(losses[np.isfinite(losses)]))
        self.box = Rectangle(width, height).set_stroke(current().dim_text, 1)
        self.add(self.box)
        self._add_ticks()
        self.curves = VGroup(*(VMobject().set_stroke(p.color, width=2.5) for p in paths))
        self.add(self.curves)
        # above the box and its top tick label, which reaches above the box when a tick sits at its top
        self.add(label("log loss" if self.log else name, READOUT, current().dim_text, role="chart")
                 .next_to(VGroup(self.box, *self.y_labels), UP, buff=0.1).align_to(self.box, LEFT))

    def _transform(self, loss: np.ndarray) -> np.ndarray:
        return np.log10(np.maximum(loss, 1e-300)) if self.log else loss

    def to_point(self, step, loss) -> np.ndarray:
        """Chart coordinates (relative to its centre) of (step, loss) pairs."""
        x = (np.asarray(step, float) / max(self.num_steps, 1) - 0.5) * self.w
        y = ((np.clip(self._transform(np.asarray(loss, float)), self.lo, self.hi) - self.lo)
             / (self.hi - self.lo) - 0.5) * self.h
        return np.stack([x, y, np.zeros_like(x)], axis=-1) + self.box.get_center()

    def _add_ticks(self) -> None:
        dim = current().dim_text
        for step in (0, self.num_steps // 2, self.num_steps):
            x = self.to_point([step], [np.nan])[0]
            self.add(label(str(step), READOUT, dim, role="chart").next_to(np.array([x[0], self.box.get_bottom()[1], 0]),
                                                                         DOWN, 0.08))
        self.y_labels = []
        for value, text in self.y_ticks():
            y = ((value - self.lo) / (self.hi - self.lo) - 0.5) * self.h + self.box.get_center()[1]
            left = np.array([self.box.get_left()[0], y, 0])
            self.add(Line(left, left + 0.08 * RIGHT).set_stroke(dim, 1))
            self.y_labels.append(label(text, READOUT, dim, role="chart").next_to(left, LEFT, buff=0.08))
            self.add(self.y_labels[-1])
        self.add(label("step", READOUT, dim, role="chart").next_to(self.box, DOWN, buff=0.45))

    def y_ticks(self) -> list[tuple[float, str]]:
        """(value on the axis, label) of each y tick: round numbers of decades on a log axis, of the loss on a linear one."""
        if self.log:
            return [(k, decade_text(k)) for k in decade_ticks(self.lo, self.hi)]
        return [(t, tick_text(t)) for t in nice_ticks(self.lo, self.hi)]

    def show(self, tau: float) -> None:
        for p, curve, values in zip(self.paths, self.curves, self.values):
            n = min(int(p.head_index(tau)) + 1, len(values))
            steps = np.arange(n)
            pts = self.to_point(steps, values[:n])
            curve.set_points_as_corners(pts if n >= 2 else np.vstack([pts, pts]))
