"""Drawing blocks shared by every scene: surface, map, paths with balls and trails, legend, counters, markers."""

import functools
import hashlib
import itertools
from dataclasses import dataclass

import contourpy
import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from files.cache import cached_file

from .headless import manimlib  # noqa: F401
from manimlib import (  # noqa: E402
    DEGREES, DOWN, LEFT, ORIGIN, RIGHT, UL, UP, UR, DotCloud, GlowDot, Group, ImageMobject, Line, Rectangle, Sphere,
    Mobject, Surface, Text, VGroup, VMobject,
)

from .mathtext import formula, single_outline  # noqa: E402
from .stage import LIFT, Stage, visible_length  # noqa: E402
from .text_breaks import greedy_lines  # noqa: E402
from .theme import current  # noqa: E402

FONT = "DejaVu Sans"
# Font sizes (points at 480p) by role: at 640 px wide, digits are 0.345 px per point tall (12 px at 35).
TITLE, CAPTION, LEGEND, READOUT = 40, 36, 36, 30
# Text in a square or vertical frame (8 units wide, not 14.2) is drawn at this share of its size: it still reads
# larger at 640 px wide than in 16:9, and leaves room to stack what sits side by side in a wide frame.
NARROW_TEXT = 0.8
SUBSTEPS = 4  # polyline points per optimizer step, so a path follows the curved surface between steps
TRAIL_STEPS = 12  # how many recent steps the bright trail covers


def frame_size() -> tuple[float, float]:
    """(width, height) of the frame in scene units, as the render set it (14.2 × 8 for 16:9)."""
    import manimlib

    return manimlib.FRAME_WIDTH, manimlib.FRAME_HEIGHT


def is_wide() -> bool:
    """A landscape frame (16:9): things sit side by side; otherwise they stack."""
    width, height = frame_size()
    return width > 1.2 * height


def text_scale() -> float:
    """Factor on every font size: 1 in a wide frame, NARROW_TEXT in a square or vertical one."""
    return 1.0 if is_wide() else NARROW_TEXT


def project_to_pixels(frame, points: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pixel (column, row) of 3D points as ManimGL's vertex shader projects them (view, then perspective)."""
    from manimlib import FRAME_HEIGHT, FRAME_WIDTH

    points = np.atleast_2d(points)
    v = np.c_[points, np.ones(len(points))] @ frame.get_view_matrix().T
    w = 1.0 - v[:, 2] * frame.get_scale() / frame.get_focal_distance()
    x, y = v[:, 0] * 2 / FRAME_WIDTH / w, v[:, 1] * 2 / FRAME_HEIGHT / w
    return np.stack([(x + 1) / 2 * width, (1 - y) / 2 * height], axis=-1)


# ManimGL's Text turns each cubic of a glyph into one quadratic whose control point is where the end tangents
# meet: on a nearly straight S-shaped cubic that point lands far outside the glyph (DejaVu Sans "2" at 15 pt,
# "²" at 16, 17 and 47 pt), a spike that moved LiveNumber's aligned "2" up ("0. ²615"). The general
# approximation (split at the inflection) stays on the curve. Every Text must use it: ManimGL caches a path's
# points by its SVG "d" alone, so a Text made the other way first would hand its points to ours.
TEXT_PATHS = dict(use_simple_quadratic_approx=False)


class FlatOutline(VMobject):
    """Glyph outlines joined into one path, lying in the frame's plane, facing the viewer as each glyph does."""

    def get_area_vector(self) -> np.ndarray:
        """Σ over subpaths of ½ Σ (x0 + x1)(y1 − y0), each closed on itself, along OUT.

        ManimGL's counts the joins between subpaths too: where the text sits moves them, and a total that turns
        negative flips the normal, which draws the text hollow (its outline only)."""
        area = 0.0
        for sub in self.get_subpaths():
            p0 = sub[::2]
            p1 = np.roll(p0, -1, axis=0)
            area += 0.5 * float(((p0[:, 0] + p1[:, 0]) * (p1[:, 1] - p0[:, 1])).sum())
        return np.array([0.0, 0.0, area])

    def get_shader_data(self) -> np.ndarray:
        """ManimGL's, but the fill triangles of each glyph contour fan out from that contour's first point.

        ManimGL fans every curve from the path's first point: along a line of text each pixel lies under about
        as many triangles as there are glyphs, and the software rasterizer pays for each. A closed contour's
        fan from any point has the same winding number, so the fill is the same shape."""
        self.get_joint_angles()  # as VMobject.get_shader_data, whose base point this replaces
        points = self.data["point"]
        ends = self.get_subpath_end_indices_from_points(points)  # not the cached ones: `become` keeps those
        starts = np.concatenate([[0], ends[:-1] + 2])
        self.data["base_normal"][0::2] = points[starts[np.searchsorted(ends, np.arange(0, len(points), 2))]]
        return Mobject.get_shader_data(self)


def flat_outline(mob: VMobject) -> FlatOutline:
    """The one-path outline `mob` as a FlatOutline: the same points and style."""
    flat = FlatOutline().set_points(mob.get_points())
    return flat.set_fill(mob.get_fill_color(), float(mob.get_fill_opacity())).set_stroke(width=0)


def glyph_outline(text: str, font_size: float, weight: str = "NORMAL") -> VMobject:
    """The text's glyphs at exactly `font_size` as one outline, traced faithfully."""
    return flat_outline(single_outline(Text(text, font=FONT, font_size=font_size, weight=weight,
                                            path_string_config=TEXT_PATHS)))


def text_outline(text: str, size: float, weight: str = "NORMAL") -> VMobject:
    """The text's glyphs as one outline at `size` × text_scale() (the frame's share)."""
    return glyph_outline(text, size * text_scale(), weight)


def label(text: str, size: float = CAPTION, color: str | None = None, weight: str = "NORMAL",
          role: str = "text") -> VMobject:
    """Screen text, sized in points at 480p so it stays readable there (one outline: cheap per frame); the
    theme's text colour unless `color` is given."""
    mob = text_outline(text, size, weight).set_fill(color or current().text, 1)
    return measured(mob, digit_height(size), role)


def digit_height(size: float) -> float:
    """Height in scene units of a digit at this font size in this frame: the measure of how large text reads."""
    return font_digit_height(size * text_scale())


def wrapped_label(text: str, size: float, max_width: float, color: str | None = None,
                  role: str = "caption") -> VMobject:
    """The text as one label, or broken into centred lines no wider than max_width (greedy, at spaces outside
    brackets where it can: scenes/text_breaks.py)."""
    whole = label(text, size, color, role=role)
    if whole.get_width() <= max_width:
        return whole
    lines = greedy_lines(text, lambda line: label(line, size, color, role=role).get_width() <= max_width)
    return VGroup(*(label(t, size, color, role=role) for t in lines)).arrange(DOWN, buff=0.12)


@functools.cache
def font_digit_height(font_size: float) -> float:
    """Height in scene units of a digit at exactly `font_size`."""
    return glyph_outline("0", font_size).get_height()


def measured(mob: VMobject, digit: float, role: str) -> VMobject:
    """Note the text's digit height and its height now, so a probe can tell its size after any rescaling."""
    mob.text_role, mob.text_digit, mob.text_height = role, digit, mob.get_height()
    return mob


def text_sizes(mobjects, width_px: int, frame=None) -> list[dict]:
    """Digit height in pixels (at an output `width_px` wide) of every visible text among the mobjects' families;
    for text fixed in the frame, its box [left, bottom, right, top] as shares of the frame (inside: 0 to 1), and
    given the camera's `frame`, the box of every other text too, as the camera shows it."""
    width, height = frame_size()
    out = []
    for mob in {id(m): m for top in mobjects for m in top.get_family()}.values():
        if hasattr(mob, "text_role") and mob.get_fill_opacity() > 0 and mob.text_height > 0:
            px = mob.text_digit * mob.get_height() / mob.text_height * width_px / width
            entry = {"role": mob.text_role, "px": round(px, 2)}
            if mob.is_fixed_in_frame():
                entry["box"] = frame_box(mob)
            elif frame is not None:
                entry["box"] = seen_box(frame, mob)
            out.append(entry)
    return out


def seen_box(frame, mob) -> list[float]:
    """[left, bottom, right, top] of a mobject in the scene as the camera shows it, as shares of the frame: the
    projection of its bounding box's eight corners."""
    low, _, high = mob.get_bounding_box()
    corners = np.array(list(itertools.product(*zip(low, high))))
    seen = project_to_pixels(frame, corners, 1, 1)
    x0, row0 = seen.min(axis=0)
    x1, row1 = seen.max(axis=0)
    return [round(float(v), 4) for v in (x0, 1 - row1, x1, 1 - row0)]


def frame_box(*mobs) -> list[float]:
    """[left, bottom, right, top] of mobjects fixed in the frame, all together, as shares of the frame (inside: 0
    to 1)."""
    width, height = frame_size()
    x0, y0 = np.min([m.get_corner(DOWN + LEFT)[:2] for m in mobs], axis=0)
    x1, y1 = np.max([m.get_corner(UP + RIGHT)[:2] for m in mobs], axis=0)
    return [round(v, 4) for v in (x0 / width + 0.5, y0 / height + 0.5, x1 / width + 0.5, y1 / height + 0.5)]


# The visual standard, at GIF_WIDTH pixels wide: digits of these roles at least LARGE_PX tall, the rest SMALL_PX.
GIF_WIDTH, LARGE_ROLES, LARGE_PX, SMALL_PX = 640, ("title", "caption", "legend", "formula"), 12.0, 10.0


def shown_span(mob) -> tuple[float, float]:
    """(left, right) of what shows of `mob`: its parts with some opacity (a legend's end notes wait unseen, wider
    than the numbers they replace, so its box is wider than what shows)."""
    xs = [m.get_points()[:, 0] for m in mob.get_family() if m.has_points()
          and max(m.get_fill_opacity(), m.get_stroke_opacity() if m.get_stroke_width() > 0 else 0) > 0]
    return (float(min(x.min() for x in xs)), float(max(x.max() for x in xs))) if xs else (0.0, 0.0)


def readable_scale(mob) -> float:
    """The smallest factor `mob` can be scaled by with its text still as large as the visual standard asks:
    max over its texts of (LARGE_PX or SMALL_PX) / digit height in pixels at GIF_WIDTH."""
    return max((need / t["px"] for t in text_sizes([mob], GIF_WIDTH)
                for need in [LARGE_PX if t["role"] in LARGE_ROLES else SMALL_PX]), default=0.0)


SLOTS = {".": 0.5, "−": 1.25}  # slot widths in digit advances (tabular digits: one each)


@functools.cache
def _glyph(char: str, font_size: float) -> np.ndarray:
    """Outline points of one character at exactly `font_size`, centred in its slot: baseline at y = 0, slot
    from x = 0."""
    reference = glyph_outline("0", font_size)
    glyph = glyph_outline(char, font_size)
    if char == "−":
        glyph.move_to(reference.get_center())  # the minus sits at digit mid-height
    else:
        glyph.align_to(reference, DOWN)  # digits and the point share the baseline
    advance = reference.get_width() * 1.12
    glyph.shift([SLOTS.get(char, 1.0) * advance / 2 - glyph.get_x(), -reference.get_bottom()[1], 0])
    outlines = glyph.family_members_with_points()
    return outlines[0].get_points().copy()  # one outline per character (holes are subpaths of it)


class LiveNumber(VMobject):
    """A number updated every frame: digits change by swapping outlines in place, not by rebuilding text.

    ManimGL's DecimalNumber rebuilds and restyles every glyph on each update (~9 ms); here a digit that
    changes costs a copy of its outline.
    """

    def __init__(self, value: float = 0.0, decimals: int = 4, size: float = READOUT, color: str | None = None,
                 role: str = "readout"):
        super().__init__()
        self.format, self.size, self.text = f"{{:.{decimals}f}}", size * text_scale(), ""
        self.advance = label("0", size).get_width() * 1.12  # tabular figures: every digit one slot wide
        self.set_value(value)
        self.set_fill(color or current().text, 1).set_stroke(width=0)
        measured(self, digit_height(size), role)

    def _slot(self, char: str) -> float:
        return self.advance * SLOTS.get(char, 1.0)

    def _laid_out(self, text: str) -> list[np.ndarray]:
        """Each character's outline points at full size, in its slot along the line."""
        starts = np.cumsum([0.0, *(self._slot(char) for char in text[:-1])])
        return [_glyph(char, self.size) + [x, 0, 0] for char, x in zip(text, starts)]

    def set_value(self, value: float) -> "LiveNumber":
        text = self.format.format(value).replace("-", "−")
        if text == self.text:
            return self
        if len(text) == len(self.text) and all(SLOTS.get(a) == SLOTS.get(b) for a, b in zip(text, self.text)):
            for slot, old, new in zip(self.submobjects, self.text, text):
                if old != new:  # same slot, same scale: move the new outline to where the old one sits
                    before = _glyph(old, self.size)
                    span = np.ptp(before[:, :2], axis=0)
                    scale = slot.get_height() / span[1] if span[1] else 1.0
                    slot.set_points(_glyph(new, self.size) * scale + (slot.get_points()[0] - before[0] * scale))
        else:  # first layout, or the number of digits changed: at the scale the old number was shrunk to
            anchor = self.get_corner(DOWN + LEFT) if self.submobjects else ORIGIN
            scale = self.get_width() / np.ptp(np.concatenate(self._laid_out(self.text))[:, 0]) if self.text else 1.0
            slots = [VMobject().set_points(points * scale) for points in self._laid_out(text)]
            style = self.submobjects[0].get_style() if self.submobjects else None
            self.set_submobjects(slots)
            if style:
                self.set_style(**style)
            for slot in slots:  # e.g. fixed in the frame, like the number they replace
                slot.uniforms.update(self.uniforms)
            self.shift(anchor - self.get_corner(DOWN + LEFT))
        self.text = text
        return self


@dataclass
class PathData:
    """One trajectory as the scenes need it: points, losses, how far to draw, identity."""

    name: str
    title: str
    color: str
    xy: np.ndarray  # (T+1, 2)
    loss: np.ndarray  # (T+1,)
    visible: int  # leading points that are drawn
    diverged_at: int  # −1 if never
    index: tuple[int, int, int]  # (optimizer, sweep, start)
    at_true_loss: bool = False  # drawn at its own loss, not on the surface (a network's path off its slice)

    def head_index(self, tau: float) -> float:
        """The fractional step of the head at animation time tau (steps), stopped where the path ends."""
        return min(tau, self.visible - 1)

    def loss_at(self, tau: float) -> float:
        return float(self.loss[int(self.head_index(tau))])

    def ended(self, tau: float) -> bool:
        return self.visible < len(self.xy) and tau >= self.visible - 1

    @property
    def escaped(self) -> bool:
        """It stopped early going downhill (off the map of a surface unbounded below): an escape, not a failure."""
        return bool(self.visible < len(self.xy) and self.loss[self.visible - 1] < self.loss[0])

    @property
    def speed(self) -> float:
        """Mean step length Σ|Δθ| / steps over the drawn part."""
        xy = self.xy[: self.visible]
        return float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum() / max(len(xy) - 1, 1))


def drawing_order(paths: list[PathData]) -> list[PathData]:
    """Fast paths first, slow ones last (on top): a slow path covers little, so nothing else hides it."""
    return sorted(paths, key=lambda p: -p.speed)


def paths_of(run, stage: Stage) -> list[PathData]:
    """Every (optimizer, sweep value, start) path of a run, in registry order."""
    out = []
    num_opt, num_sweep, num_start = run.params.shape[:3]
    for o in range(num_opt):
        meta = run.meta.optimizers[o]
        for s in range(num_sweep):
            for k in range(num_start):
                xy, d = run.params[o, s, k], int(run.diverged_at[o, s, k])
                out.append(PathData(meta.name, meta.title, current().path_color(meta.color), xy, run.loss[o, s, k],
                                    max(visible_length(stage, xy, d), 1), d, (o, s, k),
                                    at_true_loss=run.meta.projection is not None))
    return out


def densify(xy: np.ndarray, substeps: int = SUBSTEPS) -> np.ndarray:
    """Insert `substeps − 1` points in each step segment (linear in parameter space; rows may carry a loss too)."""
    if len(xy) < 2:
        return xy
    t = np.linspace(0, 1, substeps, endpoint=False)
    seg = xy[:-1, None, :] + t[None, :, None] * (xy[1:] - xy[:-1])[:, None, :]
    return np.concatenate([seg.reshape(-1, xy.shape[1]), xy[-1:]], axis=0)


class HeightField:
    """Bilinear interpolation of the run's height grid: heights between steps, on the drawn surface."""

    def __init__(self, run):
        self.xs, self.ys, self.z = run.grid_x, run.grid_y, run.grid_z

    def __call__(self, x, y):
        xs, ys, z = self.xs, self.ys, self.z
        fx = np.clip(np.interp(x, xs, np.arange(len(xs))), 0, len(xs) - 1 - 1e-9)
        fy = np.clip(np.interp(y, ys, np.arange(len(ys))), 0, len(ys) - 1 - 1e-9)
        i, j = fx.astype(int), fy.astype(int)
        u, v = fx - i, fy - j
        return ((1 - u) * (1 - v) * z[j, i] + u * (1 - v) * z[j, i + 1]
                + (1 - u) * v * z[j + 1, i] + u * v * z[j + 1, i + 1])


def on_surface(stage: Stage, height: HeightField, lift: float):
    """to_points(xy, f=None) for 3D paths: on the drawn surface, or at heights f (a path's own losses)."""
    return lambda xy, f=None: stage.to_3d(xy[:, 0], xy[:, 1], height(xy[:, 0], xy[:, 1]) if f is None else f, lift)


class GridSurface(Surface):
    """The loss surface from the run's height grid, coloured by height (vertices set directly, no uv_func)."""

    def __init__(self, run, stage: Stage, **kwargs):
        self.run, self.stage = run, stage
        nx, ny = len(run.grid_x), len(run.grid_y)
        super().__init__(resolution=(nx, ny), shading=(0.08, 0.05, 0.25), **kwargs)  # matte: low stays dark
        z = run.grid_z.T  # u runs along x, v along y
        self.set_rgba_array(stage.colors(np.nan_to_num(z.ravel(), nan=stage.z_hi)))

    def get_shader_data(self):
        # ManimGL re-gathers a surface's ~100k triangle vertices every frame; a still surface keeps them.
        if getattr(self, "_shader_data", None) is None:
            self._shader_data = super().get_shader_data()
        return self._shader_data

    def note_changed_data(self, *args, **kwargs):
        self._shader_data = None  # fading or recolouring: gather again
        return super().note_changed_data(*args, **kwargs)

    def init_points(self):
        run, stage = self.run, self.stage
        gx, gy = np.meshgrid(run.grid_x, run.grid_y, indexing="ij")
        z = np.nan_to_num(run.grid_z.T, nan=np.nanmax(run.grid_z))
        points = stage.to_3d(gx, gy, z)
        # Tangents from neighbours give the shader its normals (ManimGL reads point + ε·tangent).
        du, dv = np.gradient(points, axis=0), np.gradient(points, axis=1)
        eps = 1e-3
        self.set_points(points.reshape(-1, 3))
        self.data["du_point"][:] = (points + eps * du / np.linalg.norm(du, axis=-1, keepdims=True)).reshape(-1, 3)
        self.data["dv_point"][:] = (points + eps * dv / np.linalg.norm(dv, axis=-1, keepdims=True)).reshape(-1, 3)


class PathTracer(Group):
    """A path drawn up to the animation time: outlined faded path, bright recent trail, optional step dots, and a
    ball at the head; where it stops early, a neutral cross (diverged) or an arrow (escaped downhill)."""

    def __init__(self, path: PathData, to_points, ball_radius: float = 0.07, width: float = 3.0,
                 three_d: bool = True, dots: bool = False, opacity: float = 0.75, casing: float = 3.0):
        """opacity: of the path behind the bright trail; casing: how much wider the dark outline under it is."""
        super().__init__()
        self.path = path
        # On a flat map a step is a straight segment: points between steps would add curves to draw each frame
        # (Python, vertex and geometry shading) and nothing to the shape.
        self.substeps = SUBSTEPS if three_d else 1
        xy = path.xy[: path.visible]
        if path.at_true_loss:  # to_points(xy, f): the height is the path's own loss, interpolated between steps
            dense = densify(np.column_stack([xy, path.loss[: path.visible]]), self.substeps)
            self.steps = to_points(xy, path.loss[: path.visible])
            self.dense = to_points(dense[:, :2], dense[:, 2])
        else:
            self.steps, self.dense = to_points(xy), to_points(densify(xy, self.substeps))
        self.outline = VMobject().set_stroke(current().outline, width=width + casing, opacity=0.85)
        self.body = VMobject().set_stroke(path.color, width=width, opacity=opacity)
        self.trail = VMobject().set_stroke(path.color, width=width * 1.6, opacity=1.0)
        if three_d:
            self.ball = Sphere(radius=ball_radius, resolution=(14, 14)).set_color(path.color)
            for line in (self.outline, self.body, self.trail):
                line.set_flat_stroke(False)
        else:
            self.ball = GlowDot(radius=ball_radius * 3, color=path.color, glow_factor=1.5)
        self.dots = DotCloud(self.steps[:1], radius=0.035 if three_d else 0.03, color=path.color) if dots else None
        self.end_mark = end_mark(self.dense, path.escaped)
        self.end_mark.set_stroke(opacity=0)
        self.add(self.outline, self.body, self.trail, *([self.dots] if dots else []), self.ball, self.end_mark)

    def head_point(self, tau: float) -> np.ndarray:
        i = self.path.head_index(tau) * self.substeps
        k = int(np.floor(i))
        if k >= len(self.dense) - 1:
            return self.dense[-1]
        return self.dense[k] + (i - k) * (self.dense[k + 1] - self.dense[k])

    def show(self, tau: float) -> None:
        i = self.path.head_index(tau) * self.substeps
        k = int(np.floor(i))
        pts = np.vstack([self.dense[: k + 1], self.head_point(tau)[None]])
        trail_from = max(0, k - TRAIL_STEPS * self.substeps)
        for line, p in ((self.outline, pts), (self.body, pts), (self.trail, pts[trail_from:])):
            line.set_points_as_corners(p if len(p) >= 2 else np.vstack([p, p]))
        if self.dots is not None:
            self.dots.set_points(self.steps[: int(self.path.head_index(tau)) + 1])
        self.ball.move_to(self.head_point(tau))
        self.end_mark.set_stroke(opacity=1 if self.path.ended(tau) else 0)


def end_mark(dense: np.ndarray, escaped: bool, r: float = 0.1) -> VMobject:
    """A cross where a path diverged, or an arrow along its last step where it escaped downhill."""
    end = dense[-1]
    if escaped and len(dense) >= 2:
        d = end - dense[-2]
        u = d / (np.linalg.norm(d) or 1.0)
        n = np.cross(u, [0, 0, 1.0])
        n = n / (np.linalg.norm(n) or 1.0)
        tip, base = end + 3 * r * u, end - 0.5 * r * u
        points = [end, tip, tip - 1.2 * r * u + 0.7 * r * n, tip, tip - 1.2 * r * u - 0.7 * r * n]
        mark = VMobject().set_points_as_corners([base, *points])
    else:
        mark = VMobject().set_points_as_corners(
            [end + [-r, -r, 0], end + [r, r, 0], end, end + [-r, r, 0], end + [r, -r, 0]])
    return mark.set_stroke(current().end, width=4)


def end_note(path: PathData, size: float = READOUT) -> Text:
    """'escaped at step k' (downhill, off the map), 'diverged at step k' (the loss blew up) or 'left the map'."""
    if path.escaped:
        return label(f"escaped at step {path.visible}", size, current().end, role="note")
    if path.diverged_at >= 0:
        return label(f"diverged at step {path.diverged_at}", size, current().diverged, role="note")
    return label(f"left the map at step {path.visible}", size, current().diverged, role="note")


def widest_number(values: np.ndarray, size: float) -> float:
    """Width of the widest of the values as a legend shows them (four decimals): the one of largest magnitude."""
    finite = values[np.isfinite(values)]
    return LiveNumber(float(finite[np.argmax(np.abs(finite))]) if len(finite) else 0.0, decimals=4,
                      size=size).get_width()


class Legend(VGroup):
    """Name, colour and current loss per path, updated live; 'diverged at step k' when a path blows up; given
    `finals`, a words per path (e.g. a network's held-out accuracy) in a column of their own, shown once the path
    has stopped (they describe where it ends)."""

    def __init__(self, paths: list[PathData], size: float = LEGEND, compact: bool = False,
                 finals: list[str] | None = None):
        super().__init__()
        self.paths = paths
        rows = []
        for p in paths:
            swatch = Line(ORIGIN, 0.4 * RIGHT).set_stroke(p.color, width=8)
            # compact: the panel's title and the ball's tag already name the path
            title = label(p.title, size, p.color, weight="BOLD", role="legend") if not compact else \
                label("loss", size, current().dim_text, role="legend")
            value = LiveNumber(p.loss[0], decimals=4, size=size, role="legend")
            rows.append(VGroup(swatch, title, value).arrange(RIGHT, buff=0.14))
        if rows:
            VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        width = max((r[1].get_width() for r in rows), default=0.0)
        for r in rows:  # the numbers in one column
            r[2].next_to(r[1], RIGHT, buff=0.14 + width - r[1].get_width())
        self.values = [r[2] for r in rows]
        self.notes = [end_note(p, size * 0.9).next_to(r[1], RIGHT, buff=0.14).set_opacity(0)
                      for p, r in zip(paths, rows)]
        self.shown = [None] * len(paths)
        self.size = size
        self.finals = self.final_column(rows, finals or [], size)
        # Text first, lines last: ManimGL draws runs of alike mobjects in one pass, so grouping them by kind
        # saves a full-frame fill composite per row.
        self.add(VGroup(*(r[1] for r in rows), *self.values, *self.notes, *self.finals),
                 VGroup(*(r[0] for r in rows)))

    def final_column(self, rows, words: list[str], size: float) -> list[VMobject]:
        """The words, unseen for now, in a column 0.3 right of the widest number any row shows (its largest loss
        as a number, or its end note)."""
        if not words:
            return []
        right = self.numbers_right()
        return [label(w, size, current().dim_text, role="legend").next_to(r[2], RIGHT, buff=0).align_to(
            r[2], DOWN).set_x(right + 0.3, direction=LEFT).set_opacity(0) for w, r in zip(words, rows)]

    def numbers_right(self) -> float:
        """How far right the rows ever reach: each one's widest number or, for a path that ends early, its end
        note (the notes of paths that run to the end never show)."""
        return max((max(value.get_left()[0] + widest_number(p.loss[:p.visible], self.size),
                         note.get_right()[0] if p.visible < len(p.xy) else -np.inf)
                    for p, value, note in zip(self.paths, self.values, self.notes)), default=self.get_left()[0])

    def reach(self) -> float:
        """How far right the legend's text ever reaches: its rows, then the final words."""
        return max([self.numbers_right(), *(f.get_right()[0] for f in self.finals)])

    def show(self, tau: float) -> None:
        for i, (p, value, note) in enumerate(zip(self.paths, self.values, self.notes)):
            state = "ended" if p.ended(tau) else round(p.loss_at(tau), 4)
            if self.finals:
                self.finals[i].set_opacity(1 if tau >= p.visible - 1 else 0)
            if state == self.shown[i]:
                continue  # rebuilding a number is costly; most frames change few of them
            if state == "ended":
                value.set_opacity(0)
                note.set_opacity(1)
            else:
                value.set_value(state)
            self.shown[i] = state


class Key(VGroup):
    """What the colours of many paths mean: a swatch and words in each colour, fixed (no live numbers)."""

    def __init__(self, rows: list[tuple[str, str]], size: float = LEGEND):
        """rows: (colour, words) each."""
        super().__init__(*(VGroup(Line(ORIGIN, 0.4 * RIGHT).set_stroke(color, width=8),
                                  label(words, size, color, weight="BOLD", role="legend")).arrange(RIGHT, buff=0.14)
                           for color, words in rows))
        self.arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        self.values = []  # as a Legend's: no live numbers

    def show(self, tau: float) -> None:
        """Nothing changes as the paths move."""


class StepCounter(VGroup):
    """'step k / T', updated live."""

    def __init__(self, num_steps: int, size: float = LEGEND):
        self.number = LiveNumber(0, decimals=0, size=size, role="legend")
        super().__init__(label("step", size, current().dim_text, role="legend"), self.number,
                         label(f"/ {num_steps}", size, current().dim_text, role="legend"))
        self.arrange(RIGHT, buff=0.12)

    def show(self, tau: float) -> None:
        if str(int(round(tau))) == self.number.text:
            return
        right = self.get_right()
        self.number.set_value(int(round(tau)))
        self.arrange(RIGHT, buff=0.12)
        self.shift(right - self.get_right())  # stay anchored at the right edge as digits are added


def landscape_3d(run, stage: Stage, height: "HeightField") -> Group:
    """Surface shaded by height (low is dark), its contour lines, and depth-tested minima markers."""
    markers = minima_markers(run, lambda x, y: stage.to_3d(x, y, height(x, y), 2 * LIFT), three_d=True)
    return Group(GridSurface(run, stage), surface_contours(run, stage, height), markers)


def level_curves(run, stage: Stage, to_point, levels: int) -> VGroup:
    """`levels` evenly spaced level curves of the displayed height, each placed by to_point(x, y)."""
    h = stage.height(np.nan_to_num(run.grid_z, nan=np.nanmax(run.grid_z)))
    generator = contourpy.contour_generator(run.grid_x, run.grid_y, h)
    return VGroup(*(VMobject().set_points_as_corners(to_point(xy[:, 0], xy[:, 1]))
                    for level in np.linspace(0, 1, levels + 2)[1:-1] for xy in generator.lines(level) if len(xy) >= 2))


def surface_contours(run, stage: Stage, height: "HeightField", levels: int = 12) -> VGroup:
    """Level curves of the displayed height, lying on the surface: the shape reads even where shading is flat."""
    lines = level_curves(run, stage, lambda x, y: stage.to_3d(x, y, height(x, y), lift=0.012), levels)
    lines.set_stroke(current().mesh, width=1.0, opacity=current().mesh_opacity)
    lines.set_flat_stroke(False)
    return lines


def minima_markers(run, to_point, three_d: bool = False) -> Group:
    """Known minima inside the domain: gold for global, grey for local, orange for saddles (the theme's shades; (spheres in 3D,
    hidden where the surface is in front))."""
    markers = Group()
    for m in visible_minima(run):
        if three_d:
            markers.add(Sphere(radius=0.06, resolution=(12, 12)).set_color(current().minimum_colors[m.kind])
                        .move_to(to_point(m.x, m.y)))
        else:
            markers.add(GlowDot(to_point(m.x, m.y), radius=0.14, color=current().minimum_colors[m.kind],
                                glow_factor=2))
    return markers


def visible_minima(run) -> list:
    xmin, xmax, ymin, ymax = run.meta.surface.domain
    return [m for m in run.meta.surface.minima if xmin <= m.x <= xmax and ymin <= m.y <= ymax]


def minimum_label(m) -> VMobject:
    """The loss at a marked minimum, e.g. 'min −0.679', outlined so it reads on any ground."""
    name = {"global": "min", "local": "local min", "saddle": "saddle"}[m.kind]
    text = label(f"{name} {m.value:.3f}".replace("-", "−"), READOUT, current().minimum_colors[m.kind], role="marker")
    return text.set_backstroke(current().halo, width=4)


def name_tag(path: PathData) -> VMobject:
    """The optimizer's name in its colour, to ride beside its ball."""
    return label(path.title, READOUT, path.color, weight="BOLD", role="tag").set_backstroke(current().halo, 4)


def unstack(labels, fixed=(), direction=UP) -> None:
    """Lift labels (or lower them, `direction` DOWN) until none overlaps one placed before it or a `fixed` one,
    which stays where it is (the tags of balls that meet stay readable)."""
    placed = [(p, box_of(p)) for p in fixed]  # each with its box, asked once: a label's box is costly to ask
    for mob in labels:
        if mob.get_fill_opacity() == 0:
            continue
        box = box_of(mob)
        for _ in range(len(placed)):
            hit = next((p for p, b in placed if boxes_meet(box, b)), None)
            if hit is None:
                break
            mob.next_to(hit, direction, buff=0.04, coor_mask=np.array([0, 1, 0]))
            box = box_of(mob)
        placed.append((mob, box))


def shown(labels) -> list:
    """The labels that show (some opacity)."""
    return [m for m in labels if m.get_fill_opacity() > 0]


def slide_inside(labels, box) -> None:
    """Each label moved the least way that puts it inside box = (x0, x1, y0, y1) (or centred on an axis it is too
    long for)."""
    x0, x1, y0, y1 = box
    for mob in shown(labels):
        left, bottom, right, top = box_of(mob)
        dx = max(x0 - left, 0.0) + min(x1 - right, 0.0)
        dy = max(y0 - bottom, 0.0) + min(y1 - top, 0.0)
        mob.shift(dx * RIGHT + dy * UP)


def below_points(labels, points, floor: float = -np.inf, buff: float = 0.12, gap: float = 0.1) -> None:
    """Each label under its point, lowered under any label placed before it that it would come within `gap` of
    (room for their outlines): close minima keep their labels apart, below them, away from the name tags that
    ride above the balls; a label that would go below `floor` (what sits under the picture) goes above its
    point instead."""
    placed = []  # the boxes of those placed
    for mob, point in zip(labels, points):
        mob.next_to(point, DOWN, buff=buff)
        box = box_of(mob)
        for _ in range(len(placed)):
            hit = next((b for b in placed if boxes_meet(box, b, gap)), None)
            if hit is None:
                break
            mob.shift((hit[1] - gap - box[3]) * UP)
            box = box_of(mob)
        if box[1] < floor:
            mob.next_to(point, UP, buff=buff)
            box = box_of(mob)
        placed.append(box)


def box_of(mob) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of the mobject's bounding box."""
    (left, bottom, _), (right, top, _) = mob.get_corner(DOWN + LEFT), mob.get_corner(UP + RIGHT)
    return left, bottom, right, top


def boxes_meet(a, b, gap: float = 0.0) -> bool:
    """Boxes (left, bottom, right, top) intersect, or come within `gap` of each other."""
    return a[0] - gap < b[2] and a[1] - gap < b[3] and b[0] - gap < a[2] and b[1] - gap < a[3]


class HeadTags(VGroup):
    """A name tag riding beside each ball; where a path ends early, its end note beside the end mark instead."""

    def __init__(self, tracers, notes: bool = True):
        self.tracers = list(tracers)
        self.tags = VGroup(*(name_tag(t.path) for t in self.tracers))
        self.notes = VGroup(*(end_note(t.path) for t in self.tracers)) if notes else VGroup()
        self.notes.set_opacity(0)
        super().__init__(self.tags, self.notes)

    def show(self, tau: float, anchor=lambda point: point, right: float | None = None, placed=(),
             left: float | None = None, inside=None) -> None:
        """Place tags and notes; `anchor` maps a scene point to where it shows among overlays fixed in the frame; a
        tag that would reach past x = `right` (what sits beside the picture) goes left of its ball, and no further
        left than x = `left` (what sits on the other side); tags and notes are lifted clear of what is `placed`
        already (the minima's labels, the room of the squares and bars); given `inside` = (x0, x1, y0, y1), they
        stay in that box: notes whose stack would rise out of it hang below their end marks instead."""
        for i, tracer in enumerate(self.tracers):
            ended = tracer.path.ended(tau)
            ball = anchor(tracer.ball.get_center())
            self.tags[i].next_to(ball, UR, buff=0.06).set_opacity(0 if ended else 1)
            if right is not None and self.tags[i].get_right()[0] > right:
                self.tags[i].next_to(ball, UL, buff=0.06)
            if left is not None and self.tags[i].get_left()[0] < left:  # above the ball, where it fits between
                self.tags[i].shift((left - self.tags[i].get_left()[0]) * RIGHT)
            if ended and len(self.notes):
                self.notes[i].next_to(anchor(tracer.end_mark.get_center()), UP, buff=0.12).set_opacity(1)
        unstack([*self.notes, *self.tags], placed)
        if inside is not None:
            self.keep_inside(tau, anchor, placed, inside)

    def keep_inside(self, tau: float, anchor, placed, box) -> None:
        """Notes stacked out of the top of box = (x0, x1, y0, y1) hang below their end marks, stacked downwards;
        then every tag and note slides into the box."""
        if any(m.get_top()[1] > box[3] for m in shown(self.notes)):
            for tracer, note in zip(self.tracers, self.notes):
                if tracer.path.ended(tau):
                    note.next_to(anchor(tracer.end_mark.get_center()), DOWN, buff=0.12)
            unstack(self.notes, placed, DOWN)
        slide_inside([*self.notes, *self.tags], box)


def camera_key(frame) -> bytes:
    """The camera frame's state (its points and uniforms) as bytes: where every point lands on screen follows
    from it."""
    return frame.get_points().tobytes() + b"".join(np.asarray(v).tobytes() for v in frame.uniforms.values())


def clock_updater(frame, tau, show):
    """An updater that runs show(tau()) only when the step shown, tau(), or the camera moved since it last ran:
    every element is then where it would be set to, and set again, placements would creep by a float's last bit
    and no frame of a hold from a still camera would repeat the one before."""
    shown_for = [None]

    def update(mobject) -> None:
        now = tau()
        key = (now, camera_key(frame))
        if key != shown_for[0]:
            shown_for[0] = key
            show(now)

    return update


def screen_point(frame, point: np.ndarray, width: int, height: int) -> np.ndarray:
    """Where a 3D point appears, in the coordinates of overlays fixed in the frame."""
    from manimlib import FRAME_HEIGHT, FRAME_WIDTH

    col, row = project_to_pixels(frame, point, width, height)[0]
    return np.array([(col / width - 0.5) * FRAME_WIDTH, (0.5 - row / height) * FRAME_HEIGHT, 0.0])


def surface_caption(run, max_width: float = 8.5) -> VGroup:
    """The surface's title and formula (broken into lines no wider than max_width), for a corner of the frame."""
    meta = run.meta.surface
    title = label(meta.title if meta.name != meta.title else "f(x, y)", CAPTION, weight="BOLD", role="caption")
    lines = [title, *formula_lines(f"f = {meta.formula}", max_width)]
    if run.meta.projection:  # what the picture is: a plane through the network's weights, and how much it holds
        statement = label(run.meta.projection.statement, CAPTION, role="caption")
        if statement.get_width() > max_width:  # at its comma: '2-D slice: PCA of the paths,' / '96% of …'
            head, tail = run.meta.projection.statement.split(", ", 1)
            statement = VGroup(*(label(t, CAPTION, role="caption") for t in (head + ",", tail)))
            statement.arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        lines.append(statement)
    return VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.15)


def formula_lines(tex: str, max_width: float, depth: int = 2) -> list[VMobject]:
    """The formula as lines at full size, cut at top-level + and − until each fits (continuations indented)."""
    line = formula_text(tex)
    first, rest = split_formula(tex)
    if line.get_width() <= max_width or not rest or depth == 0:
        return [line]
    return [*formula_lines(first, max_width, depth - 1), *formula_lines(rf"\quad {rest}", max_width, depth - 1)]


def split_formula(tex: str) -> tuple[str, str]:
    """The formula cut in two at the top-level + or − nearest its middle ('' if there is none)."""
    depth, cuts = 0, []
    for i, char in enumerate(tex):
        depth += char in "({" and 1 or 0
        depth -= char in ")}" and 1 or 0
        if depth == 0 and char in "+-" and i > 0 and tex[i - 1] == " ":
            cuts.append(i)
    if not cuts:
        return tex, ""
    cut = min(cuts, key=lambda i: abs(i - len(tex) / 2))
    return tex[:cut].rstrip(), tex[cut:]


def formula_text(tex: str, color: str | None = None, role: str = "formula", scale: float = 1.0) -> VMobject:
    """A formula whose digits are as tall as the caption's (mathtext, or LaTeX where installed), in the theme's
    text colour unless `color` is given."""
    digit = digit_height(CAPTION) * scale
    mob = flat_outline(formula(tex, size=1.0, color=color or current().text))
    mob.scale(digit / formula_digit())
    return measured(mob, digit, role)


@functools.cache
def formula_digit() -> float:
    """Height of a digit in a formula of size 1."""
    return formula("0", size=1.0).get_height()


def contour_image(run, stage: Stage, pixels: int = 900) -> ImageMobject:
    """Filled contours of the displayed height (same colormap as the 3D view) as an image of the domain."""
    xmin, xmax, ymin, ymax = stage.domain
    aspect = (ymax - ymin) / (xmax - xmin)
    fig = Figure(figsize=(pixels / 100, pixels * aspect / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    h = stage.height(np.nan_to_num(run.grid_z, nan=np.nanmax(run.grid_z)))
    levels = np.linspace(0, 1, 25)
    theme = current()
    lo, hi = theme.color_range  # the same colours as the 3D surface: height 0 -> lo, 1 -> hi
    ax.contourf(run.grid_x, run.grid_y, h, levels=levels, cmap=colormaps[theme.colormap], vmin=-lo / (hi - lo),
                vmax=(1 - lo) / (hi - lo))
    ax.contour(run.grid_x, run.grid_y, h, levels=levels, colors=theme.mesh, linewidths=0.4,
               alpha=1.25 * theme.mesh_opacity)
    ax.set_axis_off()
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    # One file per distinct map, reused across renders.
    key = hashlib.sha1(h.tobytes() + repr((stage.domain, pixels, theme.colormap, theme.color_range, theme.mesh,
                                           theme.mesh_opacity)).encode()).hexdigest()[:16]
    path = cached_file("contours", f"{key}.png", lambda f: fig.savefig(f, dpi=100, format="png"))
    return ImageMobject(str(path))


def contour_map(run, stage: Stage, size: float, center=ORIGIN, pixels: int = 900) -> Group:
    """The contour image, `size` units on the domain's longer side, in its labelled frame, centred at `center`."""
    image = contour_image(run, stage, pixels)
    xmin, xmax, ymin, ymax = stage.domain
    corner = stage.to_map(np.array([xmin, xmax]), np.array([ymin, ymax]), size)
    image.set_width(corner[1, 0] - corner[0, 0], stretch=True)
    image.set_height(corner[1, 1] - corner[0, 1], stretch=True)
    return Group(image, map_frame(run, stage, size)).shift(center)


def keep_stroke_widths(mob):
    """Strokes (and text's edges) of a mobject fixed in the frame at their own width whatever the camera's zoom:
    ManimGL scales them with it, which a camera zoomed out to fit a square or vertical frame makes bold."""
    return mob.set_uniform(recurse=True, scale_stroke_with_zoom=1.0)


def frame_units(frame, points: np.ndarray) -> np.ndarray:
    """(x, y) of 3D points on screen in the frame's own units (as overlays fixed in the frame are placed)."""
    points = np.atleast_2d(points)
    v = np.c_[points, np.ones(len(points))] @ frame.get_view_matrix().T
    w = 1.0 - v[:, 2] * frame.get_scale() / frame.get_focal_distance()
    return v[:, :2] / w[:, None]


def orbit_to(frame, theta: float, offset) -> None:
    """Turn the camera to theta, its centre `offset` = (a, b) scene units along its own right and up axes."""
    frame.set_theta(theta)
    axes = frame.get_inverse_camera_rotation_matrix()
    frame.move_to(offset[0] * axes[0] + offset[1] * axes[1])


def fit_camera(frame, points: np.ndarray, box, thetas) -> np.ndarray:
    """Zoom the camera and choose its offset so that `points`, seen from every theta in `thetas`, fill
    box = (x0, x1, y0, y1) in frame units: zoom k = min(room / extent), then shift the centre onto the box's.
    Returns the offset (see orbit_to); the camera is left at thetas[0]."""
    offset = np.zeros(2)
    target = np.array([box[0] + box[1], box[2] + box[3]]) / 2
    room = np.array([box[1] - box[0], box[3] - box[2]])
    for _ in range(4):  # perspective makes one step approximate
        seen = []
        for theta in thetas:
            orbit_to(frame, theta, offset)
            seen.append(frame_units(frame, points))
        lo, hi = np.concatenate(seen).min(axis=0), np.concatenate(seen).max(axis=0)
        k = float(np.min(room / (hi - lo)))
        scale = frame.get_scale()
        frame.set_height(frame.get_height() / k)
        offset = offset + (k * (lo + hi) / 2 - target) * scale / k
    orbit_to(frame, thetas[0], offset)
    return offset


def fit_camera_clear(frame, points: np.ndarray, box, thetas, obstacles, fallback, grid: int = 13) -> np.ndarray:
    """fit_camera so that `points`, seen from every theta, are as large as they can be inside box = (x0, x1, y0,
    y1) while out of every obstacle box: a surface takes the corners that the text beside it leaves. Sizes go down
    by 4% a step, each tried at grid × grid places (right and low first) on the view fitted to the whole box
    (scaled and moved: nearly what the camera then shows, which is checked); into `fallback` once the picture
    would be no taller than it. Returns the offset (see orbit_to)."""
    x0, x1, y0, y1 = box
    offset = fit_camera(frame, points, box, thetas)
    seen = []
    for theta in thetas:
        orbit_to(frame, theta, offset)
        seen.append(frame_units(frame, points))
    seen = np.concatenate(seen)
    lo, hi = seen.min(axis=0), seen.max(axis=0)
    for share in 1 - 0.04 * np.arange(25):
        w, h = share * (hi - lo)
        if h <= fallback[3] - fallback[2]:
            break
        for cx in np.linspace(x1 - w / 2, x0 + w / 2, grid):
            for cy in np.linspace(y0 + h / 2, y1 - h / 2, grid):
                moved = np.array([cx, cy]) + share * (seen - (lo + hi) / 2)
                if inside_any(moved, obstacles):
                    continue
                offset = fit_camera(frame, points, (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2), thetas)
                if not any(seen_in(frame, theta, offset, points, obstacles) for theta in thetas):
                    orbit_to(frame, thetas[0], offset)
                    return offset
    return fit_camera(frame, points, fallback, thetas)


def inside_any(xy: np.ndarray, boxes) -> bool:
    """Whether any point (x, y) lies in any box (x0, x1, y0, y1)."""
    return any(bool(np.any((xy[:, 0] > a) & (xy[:, 0] < b) & (xy[:, 1] > c) & (xy[:, 1] < d))) for a, b, c, d in boxes)


def seen_in(frame, theta: float, offset, points: np.ndarray, boxes) -> bool:
    """Whether any point, seen from theta with the camera at `offset`, lies in any box (x0, x1, y0, y1)."""
    orbit_to(frame, theta, offset)
    return inside_any(frame_units(frame, points), boxes)


def aim_camera(frame, run, height: float, field_of_view: float = 25.0) -> None:
    """The surface's own viewing angle, the frame's shorter side `height` scene units, with a milder perspective
    than ManimGL's 45°."""
    theta, phi = run.meta.surface.camera
    frame.reorient(theta, phi)
    frame.set_height(height * frame_size()[1] / min(frame_size()))
    frame.set_field_of_view(field_of_view * DEGREES)


def map_frame(run, stage: Stage, size: float) -> VGroup:
    """A thin frame around the map, the domain's extreme values at its edges, and the parameters' names."""
    xmin, xmax, ymin, ymax = stage.domain
    corner = stage.to_map(np.array([xmin, xmax]), np.array([ymin, ymax]), size)
    dim = current().dim_text
    rect = Rectangle(corner[1, 0] - corner[0, 0], corner[1, 1] - corner[0, 1]).set_stroke(dim, 1)
    x_name, y_name = run.meta.surface.axes
    tick = lambda v: label(f"{v:g}".replace("-", "−"), READOUT, dim, role="tick")  # noqa: E731
    ticks = VGroup(
        tick(xmin).next_to(rect.get_corner(DOWN + LEFT), DOWN, buff=0.08).align_to(rect, LEFT),
        tick(xmax).next_to(rect.get_corner(DOWN + RIGHT), DOWN, buff=0.08).align_to(rect, RIGHT),
        tick(ymin).next_to(rect.get_corner(DOWN + LEFT), LEFT, buff=0.08).align_to(rect, DOWN),
        tick(ymax).next_to(rect.get_corner(UP + LEFT), LEFT, buff=0.08).align_to(rect, UP),
        label(x_name, READOUT, dim, role="tick").next_to(rect, DOWN, buff=0.08),
        label(y_name, READOUT, dim, role="tick").next_to(rect, LEFT, buff=0.12),
    )
    return VGroup(rect, ticks)
