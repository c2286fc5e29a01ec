"""Optimizer-state glyphs at a path's head, from the state the engine recorded at each step.

−gradient and −velocity arrows, squares whose area is the accumulated squared gradient per coordinate, bars for the
effective per-parameter step size, and Nesterov's look-ahead jump.
"""

import numpy as np

from .elements import READOUT, PathData, label
from .headless import manimlib  # noqa: F401
from manimlib import DOWN, LEFT, RIGHT, UP, Group, Rectangle, VGroup, VMobject  # noqa: E402
from .theme import current  # noqa: E402

GLYPH_KEY = {"grad": "→ −gradient", "moment": "→ −velocity (1st moment)", "squares": "■ accumulated g² (x, y)",
             "step": "▮ effective step size (x, y)", "lookahead": "○ position θ, ● look-ahead θ + βv"}


def arrow(start: np.ndarray, end: np.ndarray, color: str, width: float = 3.0) -> VMobject:
    """A stroke-only arrow (shaft + open head) that works in 2D and on a 3D surface alike."""
    mob = VMobject().set_stroke(color, width=width)
    set_arrow(mob, start, end)
    return mob


def set_arrow(mob: VMobject, start: np.ndarray, end: np.ndarray) -> None:
    d = end - start
    length = np.linalg.norm(d)
    if length < 1e-6:
        mob.set_points_as_corners([start, start])
        return
    u = d / length
    n = np.array([-u[1], u[0], 0.0])
    n = n / (np.linalg.norm(n) or 1.0)
    head = min(0.14, 0.4 * length)
    left, right = end - head * u + 0.55 * head * n, end - head * u - 0.55 * head * n
    mob.set_points_as_corners([start, end, left, end, right])


class StateGlyphs(Group):
    """Glyphs for one path; `to_points(xy)` maps parameter points to scene points (map or surface)."""

    SQUARE_GAP, BAR_GAP, BAR_PITCH, BAR_WIDTH = 0.08, 0.12, 0.12, 0.07  # between squares, squares to bars, bars

    def __init__(self, run, path: PathData, to_points, kinds: tuple[str, ...], box: float = 0.55,
                 inset: np.ndarray | None = None, bounds: tuple[float, float, float, float] | None = None):
        super().__init__()
        o, s, k = path.index
        self.path, self.to_points, self.box = path, to_points, box
        # Squares and bars sit at a fixed inset (bottom-left corner given), never over the paths' ends or the
        # minima; arrows stay at the head, shortened to end inside `bounds` (xmin, xmax, ymin, ymax) if given.
        self.inset = np.zeros(3) if inset is None else np.asarray(inset, float)
        self.bounds = bounds
        self.grad, self.moment = run.grad[o, s, k], run.first_moment[o, s, k]
        self.second, self.step_size = run.second_moment[o, s, k], run.step_size[o, s, k]
        self.hyper = run.meta.optimizers[o].hyperparameters
        # Only the glyphs this optimizer has state for (GD has no velocity, momentum no accumulator).
        has = {"moment": np.isfinite(self.moment).any(), "squares": np.isfinite(self.second).any(),
               "lookahead": "momentum" in self.hyper and np.isfinite(self.moment).any()}
        self.kinds = kinds = tuple(k for k in kinds if has.get(k, True))
        n = max(path.visible - 1, 1)
        xmin, xmax, ymin, ymax = run.meta.surface.domain
        span = max(xmax - xmin, ymax - ymin)
        # Arrow lengths in parameter units: the largest vector along the path spans 30% of the domain.
        self.scale = {kind: 0.3 * span / _peak(vec[:n]) for kind, vec in (("grad", self.grad),
                                                                           ("moment", self.moment))}
        self.second_peak, self.step_peak = _peak(self.second[:n], norm=False), _peak(self.step_size[:n], norm=False)
        self.arrows = {kind: arrow(np.zeros(3), np.zeros(3), current().glyph_colors[kind]) for kind in ("grad", "moment")
                       if kind in kinds}
        self.add(*self.arrows.values())
        if "squares" in kinds:
            self.squares = VGroup(*(Rectangle(0.1, 0.1).set_stroke(path.color, 1.5).set_fill(path.color, 0.35)
                                    for _ in range(2)))
            self.square_labels = VGroup(*(label(a, READOUT, current().dim_text, role="glyph") for a in run.meta.surface.axes))
            self.add(self.squares, self.square_labels)
        if "step" in kinds:
            self.bars = VGroup(*(Rectangle(self.BAR_WIDTH, 0.1).set_stroke(width=0).set_fill(path.color, 0.9)
                                 for _ in range(2)))
            self.add(self.bars)
        if "lookahead" in kinds:
            self.jump = arrow(np.zeros(3), np.zeros(3), current().glyph_colors["lookahead"], width=2.0)
            self.position = VMobject().set_stroke(current().glyph_colors["lookahead"], 2.0)
            self.add(self.jump, self.position)

    def inset_slot(self) -> Rectangle:
        """An unseen box as large as the squares (at their largest, their axis names below) and the bars: room to
        leave for them; `place_inset` puts them in it."""
        squares = 2 * self.box + self.SQUARE_GAP if "squares" in self.kinds else 0.0
        bars = self.BAR_PITCH + self.BAR_WIDTH if "step" in self.kinds else 0.0
        width = squares + bars + (self.BAR_GAP if squares and bars else 0.0)
        below = self.square_labels.get_height() + 0.04 if "squares" in self.kinds else 0.0
        self.slot = Rectangle(width, self.box + below).set_stroke(width=0).set_fill(opacity=0)
        return self.slot

    def place_inset(self) -> None:
        """The squares and bars into their slot, wherever it was put: the inset is its top-left corner, less a box."""
        self.inset = self.slot.get_corner(UP + LEFT) + self.box * DOWN

    def inset_parts(self) -> list:
        """What sits at the inset, not at the head: the accumulator squares with their labels and the step bars."""
        return [getattr(self, name) for name in ("squares", "square_labels", "bars") if hasattr(self, name)]

    def clipped(self, head: np.ndarray, tip: np.ndarray) -> np.ndarray:
        """The tip pulled back along the arrow until it lies inside the bounds."""
        if self.bounds is None:
            return tip
        xmin, xmax, ymin, ymax = self.bounds
        d, t = tip - head, 1.0
        for axis, lo, hi in ((0, xmin, xmax), (1, ymin, ymax)):
            if d[axis] > 0 and tip[axis] > hi:
                t = min(t, (hi - head[axis]) / d[axis])
            elif d[axis] < 0 and tip[axis] < lo:
                t = min(t, (lo - head[axis]) / d[axis])
        return head + max(t, 0.0) * d

    def _step(self, tau: float) -> int:
        return int(min(self.path.head_index(tau), len(self.grad) - 1))

    def show(self, tau: float) -> None:
        t = self._step(tau)
        head_xy = self.path.xy[min(int(self.path.head_index(tau)), self.path.visible - 1)]
        head = self.to_points(head_xy[None])[0]
        for kind, mob in self.arrows.items():
            vec = (self.grad if kind == "grad" else self.moment)[t]
            if not np.all(np.isfinite(vec)):
                mob.set_opacity(0)
                continue
            tip = self.clipped(head, self.to_points((head_xy - self.scale[kind] * vec)[None])[0])
            set_arrow(mob, head, tip)
            mob.set_stroke(opacity=1)
        anchor = self.inset
        if "squares" in self.kinds:
            values = self.second[t]
            for i, (square, text) in enumerate(zip(self.squares, self.square_labels)):
                side = self.box * np.sqrt(max(values[i], 0) / self.second_peak) if np.isfinite(values[i]) else 0
                square.set_width(max(side, 1e-3), stretch=True).set_height(max(side, 1e-3), stretch=True)
                square.move_to(anchor + np.array([i * (self.box + self.SQUARE_GAP) + side / 2, side / 2, 0]))
                text.next_to(anchor + np.array([i * (self.box + self.SQUARE_GAP) + self.box / 2, 0, 0]), DOWN_SMALL,
                             buff=0.04)
            anchor = anchor + np.array([2 * self.box + self.SQUARE_GAP + self.BAR_GAP, 0, 0])
        if "step" in self.kinds:
            values = self.step_size[t]
            for i, bar in enumerate(self.bars):
                h = self.box * min(abs(values[i]) / self.step_peak, 1.0) if np.isfinite(values[i]) else 0
                bar.set_height(max(h, 1e-3), stretch=True)
                bar.move_to(anchor + np.array([i * self.BAR_PITCH + self.BAR_WIDTH / 2, h / 2, 0]))
        if "lookahead" in self.kinds:
            # optax's Nesterov tracks the look-ahead point φ = θ − η_tβv (v its trace); θ = φ + η_tβv, with η_t
            # the recorded step per unit of velocity (the learning rate, or its schedule's value)
            trace, rate = (self.moment[t - 1], self.step_size[t - 1]) if t > 0 else (np.zeros(2), np.zeros(2))
            theta = head_xy + rate * self.hyper["momentum"] * trace
            start = self.to_points(theta[None])[0]
            set_arrow(self.jump, start, head)
            ring = np.array([start + 0.07 * np.array([np.cos(a), np.sin(a), 0]) for a in np.linspace(0, 2 * np.pi, 17)])
            self.position.set_points_as_corners(ring)


DOWN_SMALL = -UP


def glyph_key(kinds: tuple[str, ...], max_width: float | None = None) -> VGroup:
    """A key of the glyphs in use (arrows in their colours, the rest in the dim text colour): one line, or rows
    of as many items as fit in `max_width` at full size (shrinking a line to fit would make it unreadable)."""
    colors = current().glyph_colors
    items = VGroup(*(label(GLYPH_KEY[k], READOUT, colors.get(k, current().dim_text), role="glyph") for k in kinds))
    return in_rows(items, max_width)


def in_rows(items: VGroup, max_width: float | None, buff: float = 0.35) -> VGroup:
    """The items side by side: one line, or left-aligned rows of as many as fit in `max_width` (greedy)."""
    items.arrange(RIGHT, buff=buff)
    if max_width is None or items.get_width() <= max_width:
        return items
    rows, row = [], []
    for item in items:
        if row and sum(m.get_width() + buff for m in row) + item.get_width() > max_width:
            rows.append(row)
            row = []
        row.append(item)
    lines = VGroup(*(VGroup(*r).arrange(RIGHT, buff=buff) for r in [*rows, row]))
    return lines.arrange(DOWN, aligned_edge=LEFT, buff=0.12)


def inset_slots(glyphs, max_width: float | None = None) -> VGroup:
    """Room for the paths' squares and bars in the frame: an unseen box per path that has them (its slot, in the
    order of `glyphs`), in rows no wider than `max_width`."""
    return in_rows(VGroup(*(g.inset_slot() for g in glyphs if g.inset_parts())), max_width, buff=0.3)


def _peak(values: np.ndarray, norm: bool = True) -> float:
    """Largest finite magnitude (vector norm per step, or element), never zero."""
    v = np.linalg.norm(values, axis=-1) if norm else np.abs(values)
    v = v[np.isfinite(v)]
    return float(v.max()) if v.size and v.max() > 0 else 1.0
