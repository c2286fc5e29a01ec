"""Drawing blocks shared by every scene: surface, map, paths with balls and trails, legend, counters, markers."""

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from files.atomic import write_atomic
from files.cache import cache_dir

from .headless import manimlib  # noqa: F401
from manimlib import (  # noqa: E402
    DEGREES, DOWN, LEFT, ORIGIN, RIGHT, UP, GlowDot, Group, ImageMobject, Line, Rectangle, Sphere,
    Surface, Text, VGroup, VMobject,
)

from .mathtext import formula, single_outline  # noqa: E402
from .stage import COLORMAP, LIFT, Stage, visible_length  # noqa: E402

FONT = "DejaVu Sans"
TEXT_COLOR = "#E8E8E8"
DIM_TEXT = "#9AA0A6"
BACKGROUND = "#14161A"
END_COLOR = "#FF6B6B"
SUBSTEPS = 4  # polyline points per optimizer step, so a path follows the curved surface between steps
TRAIL_STEPS = 12  # how many recent steps the bright trail covers


def project_to_pixels(frame, points: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pixel (column, row) of 3D points as ManimGL's vertex shader projects them (view, then perspective)."""
    from manimlib import FRAME_HEIGHT, FRAME_WIDTH

    points = np.atleast_2d(points)
    v = np.c_[points, np.ones(len(points))] @ frame.get_view_matrix().T
    w = 1.0 - v[:, 2] * frame.get_scale() / frame.get_focal_distance()
    x, y = v[:, 0] * 2 / FRAME_WIDTH / w, v[:, 1] * 2 / FRAME_HEIGHT / w
    return np.stack([(x + 1) / 2 * width, (1 - y) / 2 * height], axis=-1)


def label(text: str, size: float = 20, color: str = TEXT_COLOR, weight: str = "NORMAL") -> VMobject:
    """Screen text, sized in points at 480p so it stays readable there (one outline: cheap per frame)."""
    return single_outline(Text(text, font=FONT, font_size=size, weight=weight)).set_fill(color, 1)


SLOTS = {".": 0.5, "−": 1.25}  # slot widths in digit advances (tabular digits: one each)


@functools.cache
def _glyph(char: str, size: float) -> np.ndarray:
    """Outline points of one character centred in its slot: baseline at y = 0, slot from x = 0."""
    reference = label("0", size)
    glyph = label(char, size)
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

    def __init__(self, value: float = 0.0, decimals: int = 4, size: float = 18, color: str = TEXT_COLOR):
        super().__init__()
        self.format, self.size, self.text = f"{{:.{decimals}f}}", size, ""
        self.advance = label("0", size).get_width() * 1.12  # tabular figures: every digit one slot wide
        self.set_value(value)
        self.set_fill(color, 1).set_stroke(width=0)

    def _slot(self, char: str) -> float:
        return self.advance * SLOTS.get(char, 1.0)

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
        else:  # first layout, or the number of digits changed
            anchor = self.get_corner(DOWN + LEFT) if self.submobjects else ORIGIN
            slots, x = [], 0.0
            for char in text:
                slots.append(VMobject().set_points(_glyph(char, self.size) + [x, 0, 0]))
                x += self._slot(char)
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

    def head_index(self, tau: float) -> float:
        """The fractional step of the head at animation time tau (steps), stopped where the path ends."""
        return min(tau, self.visible - 1)

    def loss_at(self, tau: float) -> float:
        return float(self.loss[int(self.head_index(tau))])

    def ended(self, tau: float) -> bool:
        return self.visible < len(self.xy) and tau >= self.visible - 1


def paths_of(run, stage: Stage) -> list[PathData]:
    """Every (optimizer, sweep value, start) path of a run, in registry order."""
    out = []
    num_opt, num_sweep, num_start = run.params.shape[:3]
    for o in range(num_opt):
        meta = run.meta.optimizers[o]
        for s in range(num_sweep):
            for k in range(num_start):
                xy, d = run.params[o, s, k], int(run.diverged_at[o, s, k])
                out.append(PathData(meta.name, meta.title, meta.color, xy, run.loss[o, s, k],
                                    max(visible_length(stage, xy, d), 1), d, (o, s, k)))
    return out


def densify(xy: np.ndarray, substeps: int = SUBSTEPS) -> np.ndarray:
    """Insert `substeps − 1` points in each step segment (linear in parameter space)."""
    if len(xy) < 2:
        return xy
    t = np.linspace(0, 1, substeps, endpoint=False)
    seg = xy[:-1, None, :] + t[None, :, None] * (xy[1:] - xy[:-1])[:, None, :]
    return np.concatenate([seg.reshape(-1, 2), xy[-1:]], axis=0)


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


class GridSurface(Surface):
    """The loss surface from the run's height grid, coloured by height (vertices set directly, no uv_func)."""

    def __init__(self, run, stage: Stage, **kwargs):
        self.run, self.stage = run, stage
        nx, ny = len(run.grid_x), len(run.grid_y)
        super().__init__(resolution=(nx, ny), shading=(0.25, 0.25, 0.35), **kwargs)
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


def surface_mesh(run, stage: Stage, lines: int = 14, opacity: float = 0.22) -> VGroup:
    """Light mesh lines along x and y, lifted just above the surface."""
    height = HeightField(run)
    (xmin, xmax, ymin, ymax), mesh = stage.domain, VGroup()
    fine = np.linspace(0, 1, 120)
    for t in np.linspace(0, 1, lines + 1):
        for x, y in ((xmin + t * (xmax - xmin) + 0 * fine, ymin + fine * (ymax - ymin)),
                     (xmin + fine * (xmax - xmin), ymin + t * (ymax - ymin) + 0 * fine)):
            line = VMobject().set_points_as_corners(stage.to_3d(x, y, height(x, y), lift=0.01))
            mesh.add(line)
    mesh.set_stroke("#FFFFFF", width=0.6, opacity=opacity)
    return mesh


class PathTracer(Group):
    """A path drawn up to the animation time: faded full path, bright recent trail, and a ball at the head."""

    def __init__(self, path: PathData, to_points, ball_radius: float = 0.07, width: float = 3.0,
                 three_d: bool = True):
        super().__init__()
        self.path = path
        self.dense = to_points(densify(path.xy[: path.visible]))
        self.body = VMobject().set_stroke(path.color, width=width, opacity=0.6)
        self.trail = VMobject().set_stroke(path.color, width=width * 1.8, opacity=1.0)
        if three_d:
            self.ball = Sphere(radius=ball_radius, resolution=(14, 14)).set_color(path.color)
            for line in (self.body, self.trail):
                line.set_flat_stroke(False)
        else:
            self.ball = GlowDot(radius=ball_radius * 3, color=path.color, glow_factor=1.5)
        # Where a path diverged (or left the map) it ends in a red cross.
        end, r = self.dense[-1], 0.1
        self.end_mark = VMobject().set_points_as_corners(
            [end + [-r, -r, 0], end + [r, r, 0], end, end + [-r, r, 0], end + [r, -r, 0]])
        self.end_mark.set_stroke(END_COLOR, width=4, opacity=0)
        self.add(self.body, self.trail, self.ball, self.end_mark)

    def head_point(self, tau: float) -> np.ndarray:
        i = self.path.head_index(tau) * SUBSTEPS
        k = int(np.floor(i))
        if k >= len(self.dense) - 1:
            return self.dense[-1]
        return self.dense[k] + (i - k) * (self.dense[k + 1] - self.dense[k])

    def show(self, tau: float) -> None:
        i = self.path.head_index(tau) * SUBSTEPS
        k = int(np.floor(i))
        pts = np.vstack([self.dense[: k + 1], self.head_point(tau)[None]])
        trail_from = max(0, k - TRAIL_STEPS * SUBSTEPS)
        for line, p in ((self.body, pts), (self.trail, pts[trail_from:])):
            if len(p) >= 2:
                line.set_points_as_corners(p)
            else:
                line.set_points_as_corners(np.vstack([p, p]))
        self.ball.move_to(self.head_point(tau))
        self.end_mark.set_stroke(opacity=1 if self.path.ended(tau) else 0)


def end_note(path: PathData, size: float = 16) -> Text:
    """'diverged at step k' (or 'left the map at step k'), shown beside a path's end."""
    if path.diverged_at >= 0:
        return label(f"diverged at step {path.diverged_at}", size, END_COLOR)
    return label(f"left the map at step {path.visible}", size, END_COLOR)


class Legend(VGroup):
    """Name, colour and current loss per path, updated live; 'diverged at step k' when a path blows up."""

    def __init__(self, paths: list[PathData], size: float = 18):
        super().__init__()
        self.paths = paths
        rows = []
        for p in paths:
            swatch = Line(ORIGIN, 0.32 * RIGHT).set_stroke(p.color, width=6)
            title = label(p.title, size, p.color, weight="BOLD")
            value = LiveNumber(p.loss[0], decimals=4, size=size)
            rows.append(VGroup(swatch, title, value).arrange(RIGHT, buff=0.14))
        VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        width = max(r[1].get_width() for r in rows)
        for r in rows:  # the numbers in one column
            r[2].next_to(r[1], RIGHT, buff=0.14 + width - r[1].get_width())
        self.values = [r[2] for r in rows]
        self.notes = [end_note(p, size * 0.9).next_to(r[1], RIGHT, buff=0.14).set_opacity(0)
                      for p, r in zip(paths, rows)]
        self.shown = [None] * len(paths)
        # Text first, lines last: ManimGL draws runs of alike mobjects in one pass, so grouping them by kind
        # saves a full-frame fill composite per row.
        self.add(VGroup(*(r[1] for r in rows), *self.values, *self.notes), VGroup(*(r[0] for r in rows)))

    def show(self, tau: float) -> None:
        for i, (p, value, note) in enumerate(zip(self.paths, self.values, self.notes)):
            state = "ended" if p.ended(tau) else round(p.loss_at(tau), 4)
            if state == self.shown[i]:
                continue  # rebuilding a number is costly; most frames change few of them
            if state == "ended":
                value.set_opacity(0)
                note.set_opacity(1)
            else:
                value.set_value(state)
            self.shown[i] = state


class StepCounter(VGroup):
    """'step k / T', updated live."""

    def __init__(self, num_steps: int, size: float = 20):
        self.number = LiveNumber(0, decimals=0, size=size)
        super().__init__(label("step", size, DIM_TEXT), self.number, label(f"/ {num_steps}", size, DIM_TEXT))
        self.arrange(RIGHT, buff=0.12)

    def show(self, tau: float) -> None:
        if str(int(round(tau))) == self.number.text:
            return
        right = self.get_right()
        self.number.set_value(int(round(tau)))
        self.arrange(RIGHT, buff=0.12)
        self.shift(right - self.get_right())  # stay anchored at the right edge as digits are added


def landscape_3d(run, stage: Stage, height: "HeightField") -> Group:
    """Surface coloured by height, light mesh lines and minima markers, all in scene coordinates."""
    markers = minima_markers(run, lambda x, y: stage.to_3d(x, y, height(x, y), 2 * LIFT))
    return Group(GridSurface(run, stage), surface_mesh(run, stage), markers)


def minima_markers(run, to_point) -> Group:
    """Known minima inside the domain: gold for global, grey for local, orange for saddle points."""
    colors = {"global": "#FFD54F", "local": "#B0BEC5", "saddle": "#FFAB40"}
    xmin, xmax, ymin, ymax = run.meta.surface.domain
    markers = Group()
    for m in run.meta.surface.minima:
        if xmin <= m.x <= xmax and ymin <= m.y <= ymax:
            markers.add(GlowDot(to_point(m.x, m.y), radius=0.18, color=colors[m.kind], glow_factor=2))
    return markers


def surface_caption(run, size: float = 0.13) -> VGroup:
    """The surface's title and formula, for a corner of the frame."""
    meta = run.meta.surface
    title = label(meta.title if meta.name != meta.title else "f(x, y)", 20, TEXT_COLOR, "BOLD")
    return VGroup(title, formula(f"f = {meta.formula}", size=size, color=DIM_TEXT)).arrange(
        DOWN, aligned_edge=LEFT, buff=0.12)


def contour_image(run, stage: Stage, pixels: int = 900) -> ImageMobject:
    """Filled contours of the displayed height (same colormap as the 3D view) as an image of the domain."""
    xmin, xmax, ymin, ymax = stage.domain
    aspect = (ymax - ymin) / (xmax - xmin)
    fig = Figure(figsize=(pixels / 100, pixels * aspect / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    h = stage.height(np.nan_to_num(run.grid_z, nan=np.nanmax(run.grid_z)))
    levels = np.linspace(0, 1, 25)
    ax.contourf(run.grid_x, run.grid_y, h, levels=levels, cmap=colormaps[COLORMAP], vmin=-0.1, vmax=1.1)
    ax.contour(run.grid_x, run.grid_y, h, levels=levels, colors="white", linewidths=0.4, alpha=0.35)
    ax.set_axis_off()
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    # One file per distinct map, reused across renders.
    folder = cache_dir("contours")
    key = hashlib.sha1(h.tobytes() + repr((stage.domain, pixels)).encode()).hexdigest()[:16]
    path = folder / f"{key}.png"
    if not path.exists():
        write_atomic(path, lambda f: fig.savefig(f, dpi=100, format="png"))
    return ImageMobject(str(path))


def contour_map(run, stage: Stage, size: float, center=ORIGIN, pixels: int = 900) -> Group:
    """The contour image, `size` units on the domain's longer side, in its labelled frame, centred at `center`."""
    image = contour_image(run, stage, pixels)
    xmin, xmax, ymin, ymax = stage.domain
    corner = stage.to_map(np.array([xmin, xmax]), np.array([ymin, ymax]), size)
    image.set_width(corner[1, 0] - corner[0, 0], stretch=True)
    image.set_height(corner[1, 1] - corner[0, 1], stretch=True)
    return Group(image, map_frame(stage, size)).shift(center)


def aim_camera(frame, run, height: float, field_of_view: float = 25.0) -> None:
    """The surface's own viewing angle, `height` scene units tall, with a milder perspective than ManimGL's 45°."""
    theta, phi = run.meta.surface.camera
    frame.reorient(theta, phi)
    frame.set_height(height)
    frame.set_field_of_view(field_of_view * DEGREES)


def map_frame(stage: Stage, size: float) -> VGroup:
    """A thin frame around the map with the domain's extreme values at its edges."""
    xmin, xmax, ymin, ymax = stage.domain
    corner = stage.to_map(np.array([xmin, xmax]), np.array([ymin, ymax]), size)
    rect = Rectangle(corner[1, 0] - corner[0, 0], corner[1, 1] - corner[0, 1]).set_stroke(DIM_TEXT, 1)
    ticks = VGroup(
        label(f"{xmin:g}", 14, DIM_TEXT).next_to(rect.get_corner(DOWN + LEFT), DOWN, buff=0.08),
        label(f"{xmax:g}", 14, DIM_TEXT).next_to(rect.get_corner(DOWN + RIGHT), DOWN, buff=0.08),
        label(f"{ymin:g}", 14, DIM_TEXT).next_to(rect.get_corner(DOWN + LEFT), LEFT, buff=0.08),
        label(f"{ymax:g}", 14, DIM_TEXT).next_to(rect.get_corner(UP + LEFT), LEFT, buff=0.08),
        label("x", 16, DIM_TEXT).next_to(rect, DOWN, buff=0.1),
        label("y", 16, DIM_TEXT).next_to(rect, LEFT, buff=0.1),
    )
    return VGroup(rect, ticks)
