"""Studies of many runs at once: basins of attraction, and final loss against learning rate (chart and fan).

Rendered by `render.py basins` and `render.py sweep`; the CLI computes the study (optimizers/outcomes.py) and
a Run for the surface, and these scenes only draw them.
"""

import json
import math
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from PIL import Image

from .headless import manimlib  # noqa: F401
from manimlib import (  # noqa: E402
    DL, DOWN, LEFT, RIGHT, UL, UP, UR, Circle, Group, ImageMobject, Line, Mobject, Rectangle, Scene, Square,
    ValueTracker, VGroup, VMobject, linear,
)

from optimizers.outcomes import Basins, RateSweep  # noqa: E402
from optimizers.run import Run  # noqa: E402

from .elements import (  # noqa: E402
    LEGEND, READOUT, TITLE, PathTracer, StepCounter, contour_map,
    label, level_curves, paths_of, project_to_pixels, text_sizes,
)
from .pacing import pace_drawn  # noqa: E402
from .stage import DARKEST, MINIMUM_HUES, NEUTRAL, Stage  # noqa: E402
from .theme import DARK, current  # noqa: E402

RATE_MAP = ("plasma", 0.12, 0.92)  # the fan's colours along the learning rate (clear of the grey surface)
FRAME_W, FRAME_H = 14.22, 8.0  # studies are laid out for 16:9 only
LABELS = 0.95  # height a panel's name (above) and its figure (below) take


def rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], float)


def superscript(exponent: int) -> str:
    """10 to a power as text, e.g. 10⁻⁴."""
    digits = str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"10{digits}"


def grid_of_panels(count: int, top: float, bottom: float, aspect: float = 1.0,
                   gap: float = 0.35) -> tuple[float, list[np.ndarray]]:
    """The largest panel width (height = aspect × width) and panel centres for `count` panels between y = top
    and y = bottom, in whichever number of columns gives the largest."""
    best = (0.0, 1)
    for cols in range(1, count + 1):
        rows = math.ceil(count / cols)
        size = min((FRAME_W - 0.8 - gap * (cols - 1)) / cols,
                   (top - bottom - gap * (rows - 1) - LABELS * rows) / rows / aspect)
        best = max(best, (size, cols))
    size, cols = best
    rows = math.ceil(count / cols)
    used = rows * (aspect * size + LABELS) + gap * (rows - 1)
    top -= (top - bottom - used) / 2  # centred in the space given
    centres = []
    for i in range(count):
        r, c = divmod(i, cols)
        in_row = min(cols, count - r * cols)
        x = (c - (in_row - 1) / 2) * (size + gap)
        y = top - 0.5 - aspect * size / 2 - r * (aspect * size + gap + LABELS)
        centres.append(np.array([x, y, 0.0]))
    return size, centres


class StudyScene(Scene):
    """What the study scenes share: the Run and study they draw, their timing, and a probe of the last frame."""

    run_path: str | None = None
    study_path: str | None = None
    probe_path: str | None = None  # if set, screen facts of the last frame are written there (tests)
    duration: float = 8.0  # seconds the animation takes
    hold: float = 2.0  # seconds the finished picture stays
    default_camera_config = dict(background_color=DARK.background)  # the ManimGL way; jobs pass their own

    @classmethod
    def expected_seconds(cls) -> float:
        return cls.duration + cls.hold

    def write_probe(self, **facts) -> None:
        """Frame size, text sizes at 640 px and the scene's own facts, as JSON."""
        if self.probe_path:
            width, height = self.camera.get_pixel_shape()
            Path(self.probe_path).write_text(json.dumps({"size": [width, height], "text": text_sizes(self.mobjects, 640),
                                                         **facts}))


class BasinsScene(StudyScene):
    """Small multiples, one map per optimizer: each start coloured by the minimum its path reached."""

    def construct(self):
        self.basins = basins = Basins.load(self.study_path)
        self.run = Run.load(self.run_path)
        self.stage = Stage.from_run(self.run)
        self.folder = Path(self.study_path).parent
        title = label(f"Where each start ends: {self.run.meta.surface.title}, {basins.num_steps} steps", TITLE,
                      weight="BOLD", role="title").to_corner(UL, buff=0.25)
        key = self.legend().to_edge(DOWN, buff=0.25).set_x(0)
        xmin, xmax, ymin, ymax = self.stage.domain
        aspect = (ymax - ymin) / (xmax - xmin)
        self.size, centres = grid_of_panels(len(basins.names), title.get_bottom()[1] - 0.1, key.get_top()[1] + 0.25,
                                            aspect)
        self.size *= max(1.0, aspect)  # to_map sizes the longer side
        self.centres = centres
        self.images = [None] * len(basins.names)
        self.add(title, key)
        for o, centre in enumerate(centres):
            self.add(self.panel(o, centre))
        animated = basins.frames.shape[1] > 0 and not self.skip_animations
        self.shown = -2
        if animated:
            self.counter = StepCounter(basins.num_steps).to_corner(UR, buff=0.25)
            self.add(self.counter)
            progress = ValueTracker(0.0)
            clock = Mobject()
            clock.add_updater(lambda m, dt: self.show_frame(progress.get_value()))
            self.add(clock)
            self.show_frame(0.0)
            self.play(progress.animate.set_value(1.0), run_time=self.duration, rate_func=linear)
            self.wait(self.hold)
        else:
            self.show_frame(None)
        width, height = self.camera.get_pixel_shape()
        self.write_probe(maps=[project_to_pixels(self.frame, corners, width, height).tolist() for corners in self.rects])

    def map_point(self, o: int):
        centre = self.centres[o]
        return lambda x, y: self.stage.to_map(x, y, self.size) + centre

    def panel(self, o: int, centre: np.ndarray) -> VGroup:
        b = self.basins
        to_point = self.map_point(o)
        xmin, xmax, ymin, ymax = self.stage.domain
        corners = to_point(np.array([xmin, xmax]), np.array([ymin, ymax]))
        self.rects = getattr(self, "rects", []) + [corners]
        frame = Rectangle(corners[1, 0] - corners[0, 0], corners[1, 1] - corners[0, 1]).move_to(centre)
        frame.set_stroke(current().dim_text, 1)
        share = 100 * b.share_global(o)
        heading = VGroup(
            label(b.titles[o], LEGEND, current().path_color(b.colors[o]), weight="BOLD", role="legend").next_to(frame, UP, buff=0.12),
            label(f"{share:.0f}% → global min", READOUT, role="legend").next_to(frame, DOWN, buff=0.1))
        markers = VGroup()
        for m, (x, y, _) in enumerate(b.minima):
            if xmin <= x <= xmax and ymin <= y <= ymax:
                point = to_point(np.array([x]), np.array([y]))[0]
                markers.add(Circle(radius=0.075).move_to(point).set_fill(current().halo, 1).set_stroke(current().text, 2.5))
        return VGroup(level_curves(self.run, self.stage, to_point, 10).set_stroke(current().mesh, width=1.0,
                                                                              opacity=1.6 * current().mesh_opacity), frame, markers, heading)

    def colours(self, reached: np.ndarray, steps: np.ndarray | None) -> np.ndarray:
        """RGB (n, n, 3): hue of the minimum reached, darker the more steps it took; neutral otherwise."""
        out = np.empty(reached.shape + (3,))
        out[...] = rgb(current().pending if steps is None else NEUTRAL)
        out[reached < -1] = rgb(NEUTRAL)
        for m in range(len(self.basins.minima)):
            hit = reached == m
            if not hit.any():
                continue
            shade = 1.0
            if steps is not None:
                share = np.clip(steps[hit] / max(self.basins.num_steps, 1), 0, 1)
                shade = (1 - (1 - DARKEST) * np.sqrt(share))[:, None]
            out[hit] = rgb(MINIMUM_HUES[m % len(MINIMUM_HUES)]) * shade
        return out

    def image(self, o: int, frame: int | None) -> ImageMobject:
        """The map of optimizer o at an animation frame (None: the final map), as an image over its panel."""
        b = self.basins
        if frame is None:
            pixels = self.colours(b.reached[o], b.steps[o])
        else:
            pixels = self.colours(b.frames[o, frame], None)
            done = b.frames[o, frame] >= 0
            final = self.colours(b.reached[o], b.steps[o])
            pixels[done] = final[done]
        n = pixels.shape[0]
        scale = max(1, math.ceil(640 / n))  # whole cells: a start's square stays crisp
        picture = np.repeat(np.repeat(pixels[::-1], scale, axis=0), scale, axis=1)  # row 0 is the top (ymax)
        # Parts of this scene render side by side in the same folder (--jobs): each process its own files.
        path = self.folder / f"basins-{os.getpid()}-{o}-{'final' if frame is None else frame}.png"
        Image.fromarray(picture.astype(np.uint8)).save(path)
        corners = self.rects[o]
        mob = ImageMobject(str(path))
        mob.set_width(corners[1, 0] - corners[0, 0], stretch=True).set_height(corners[1, 1] - corners[0, 1], stretch=True)
        return mob.move_to(self.centres[o])

    def show_frame(self, u: float | None) -> None:
        """Maps at animation time u (None: final): each start coloured once its path has reached a minimum."""
        b = self.basins
        frames = b.frames.shape[1]
        index = None if u is None else min(int(u * frames), frames - 1)
        if u is not None and u >= 1.0:
            index = None
        if index == self.shown:
            return
        self.shown = index
        for o in range(len(b.names)):
            if self.images[o] is not None:
                self.remove(self.images[o])
            self.images[o] = self.image(o, index)
            self.add(self.images[o])
            self.bring_to_back(self.images[o])
        if u is not None:
            self.counter.show(b.num_steps if index is None else b.frame_steps[index])

    def legend(self) -> VGroup:
        """A swatch per minimum (its point and loss), the neutral swatch, and what the shading means."""
        b = self.basins
        items = []
        for m, (x, y, f) in enumerate(b.minima):
            kind = "global min" if b.is_global[m] else "local min"
            text = f"{kind} ({x:.2f}, {y:.2f})".replace("-", "−")
            items.append((MINIMUM_HUES[m % len(MINIMUM_HUES)], text))
        items.append((NEUTRAL, "diverged or none"))
        row = VGroup()
        for colour, text in items:
            swatch = Square(0.26).set_fill(colour, 1).set_stroke(width=0)
            row.add(VGroup(swatch, label(text, READOUT, role="legend")).arrange(RIGHT, buff=0.1))
        row.arrange(RIGHT, buff=0.35)
        row.add(label("darker: more steps to settle", READOUT, current().dim_text, role="legend").next_to(row, RIGHT, buff=0.45))
        return row.set_max_width(FRAME_W - 0.6)

class SweepChart(StudyScene):
    """Final loss above the global minimum against learning rate, log–log, per optimizer; the rates that
    converge are shaded per optimizer in a strip below."""

    def construct(self):
        sweep = RateSweep.load(self.study_path)
        run = Run.load(self.run_path)
        title = label(f"Final loss against learning rate: {run.meta.surface.title}, {run.meta.num_steps} steps"
                      if run.meta.num_steps > 1 else f"Final loss against learning rate: {run.meta.surface.title}",
                      TITLE, weight="BOLD", role="title").to_edge(UP, buff=0.25)
        title.set_max_width(FRAME_W - 0.6)
        below = 1.15 + 0.42 * len(sweep.names)  # tick labels, the axis name and one strip per optimizer
        box = Rectangle(10.4, title.get_bottom()[1] - 0.55 - (-FRAME_H / 2 + 0.2 + below)).set_stroke(current().dim_text, 1)
        box.next_to(title, DOWN, buff=0.45).shift(0.9 * RIGHT)
        self.add(title, box)
        lo_x, hi_x = np.log10(sweep.rates[0]), np.log10(sweep.rates[-1])
        gap = sweep.final_loss - sweep.f_star
        floor = sweep.tolerance * 1e-6  # far below "converged": a run that reaches the minimum sits on the floor
        finite = gap[np.isfinite(gap) & (sweep.diverged_at < 0)]
        top = np.log10(max(float(finite.max()) if finite.size else 1.0, sweep.tolerance * 10))
        bottom = np.log10(floor)

        def point(rate, value):
            x = (np.log10(rate) - lo_x) / (hi_x - lo_x)
            y = (np.clip(np.log10(np.maximum(value, floor)), bottom, top) - bottom) / (top - bottom)
            return box.get_corner(DOWN + LEFT) + np.stack([x * box.get_width(), y * box.get_height(),
                                                           np.zeros_like(x)], axis=-1)

        axis = VGroup()
        for e in range(math.ceil(lo_x), math.floor(hi_x) + 1):
            p = point(np.array([10.0 ** e]), np.array([floor]))[0]
            axis.add(Line(p, p + 0.1 * UP).set_stroke(current().dim_text, 1))
            axis.add(label(superscript(e), READOUT, current().dim_text, role="chart").next_to(p, DOWN, buff=0.08))
        for e in range(math.ceil(bottom), math.floor(top) + 1, max(1, round((top - bottom) / 5))):
            p = point(np.array([sweep.rates[0]]), np.array([10.0 ** e]))[0]
            axis.add(Line(p, p + 0.1 * RIGHT).set_stroke(current().dim_text, 1))
            axis.add(label(superscript(e), READOUT, current().dim_text, role="chart").next_to(p, LEFT, buff=0.08))
        tol = point(sweep.rates[[0, -1]], np.full(2, sweep.tolerance))
        axis.add(Line(tol[0], tol[1]).set_stroke(current().dim_text, 1.5, opacity=0.8))
        axis.add(label("converged below this line", READOUT, current().dim_text, role="chart").next_to(tol[0], UP, buff=0.06)
                 .align_to(box, LEFT).shift(0.45 * RIGHT))
        axis.add(label("learning rate η", READOUT, current().dim_text, role="chart").next_to(box, DOWN, buff=0.5))
        axis.add(label("final loss − min", READOUT, current().dim_text, role="chart").rotate(math.pi / 2)
                 .next_to(box, LEFT, buff=1.0))
        self.add(axis)
        curves, marks = VGroup(), VGroup()
        for o, colour in enumerate(map(current().path_color, sweep.colors)):
            ok = sweep.diverged_at[o] < 0
            pts = point(sweep.rates[ok], gap[o][ok])
            if len(pts) >= 2:
                curves.add(VMobject().set_points_as_corners(pts).set_stroke(colour, 3))
            for p in point(sweep.rates[~ok], np.full((~ok).sum(), 10.0 ** top)):  # diverged: a cross on top
                marks.add(VMobject().set_points_as_corners([p + [-.07, -.07, 0], p + [.07, .07, 0], p,
                                                            p + [-.07, .07, 0], p + [.07, -.07, 0]]).set_stroke(colour, 3))
        self.add(curves, marks)
        marks_note = label("× diverged", READOUT, current().dim_text, role="chart").next_to(box.get_corner(UR), DL, buff=0.2)
        self.add(marks_note)
        # the robust ranges: one strip per optimizer
        strips = VGroup()
        for o, colour in enumerate(map(current().path_color, sweep.colors)):
            y = box.get_bottom()[1] - 1.15 - 0.42 * o
            name = label(sweep.titles[o], READOUT, colour, weight="BOLD", role="legend")
            name.move_to([box.get_left()[0] - 0.15, y, 0], aligned_edge=RIGHT)
            strips.add(name)
            band = sweep.robust(o)
            if band:
                a, b = point(np.array(band), np.full(2, floor))[:, 0]
                strips.add(Rectangle(max(b - a, 0.05), 0.26).move_to([(a + b) / 2, y, 0]).set_fill(colour, 0.85)
                           .set_stroke(width=0))
                text = label(f"η {band[0]:.2g} – {band[1]:.2g}  ({band[1] / band[0]:.3g}×)", READOUT,
                             role="legend")
                right_room = FRAME_W / 2 - 0.2 - b
                strips.add(text.next_to([b, y, 0], RIGHT, buff=0.12) if right_room > text.get_width() + 0.15
                           else text.next_to([a, y, 0], LEFT, buff=0.12))
            else:
                strips.add(label("converges at no rate", READOUT, current().dim_text, role="legend")
                           .move_to([box.get_left()[0] + 0.1, y, 0], aligned_edge=LEFT))
        self.add(strips)
        width, height = self.camera.get_pixel_shape()
        corners = np.array([box.get_corner(DOWN + LEFT), box.get_corner(UP + RIGHT)])
        self.write_probe(chart=project_to_pixels(self.frame, corners, width, height).tolist())

    @classmethod
    def expected_seconds(cls) -> float:
        return 0.0  # a still


class SweepFan(StudyScene):
    """Per optimizer, the paths of a handful of learning rates on the contour map, coloured along the rate."""

    def construct(self):
        run = Run.load(self.run_path)
        stage = Stage.from_run(run)
        rates = np.array(run.meta.sweep.values)
        name, lo, hi = RATE_MAP
        span = np.log10(rates[-1] / rates[0]) or 1.0
        colour_of = lambda r: "#%02X%02X%02X" % tuple(  # noqa: E731
            int(255 * c) for c in colormaps[name](lo + (hi - lo) * np.log10(r / rates[0]) / span)[:3])
        title = label(f"One path per learning rate: {run.meta.surface.title}", TITLE, weight="BOLD",
                      role="title").to_edge(UP, buff=0.25)
        key = VGroup(label("η", LEGEND, role="legend"))
        for r in rates:
            key.add(VGroup(Line(LEFT * 0.2, RIGHT * 0.2).set_stroke(colour_of(r), 8),
                           label(f"{r:.2g}", READOUT, role="legend")).arrange(RIGHT, buff=0.08))
        key.arrange(RIGHT, buff=0.3).to_edge(DOWN, buff=0.25).set_max_width(FRAME_W - 3.5)
        self.add(title, key)
        xmin, xmax, ymin, ymax = stage.domain
        aspect = (ymax - ymin) / (xmax - xmin)
        size, centres = grid_of_panels(len(run.meta.optimizers), title.get_bottom()[1] - 0.1, key.get_top()[1] + 0.3,
                                       aspect)
        size *= max(1.0, aspect)  # to_map sizes the longer side
        tracers = Group()
        for o, (meta, centre) in enumerate(zip(run.meta.optimizers, centres)):
            self.add(contour_map(run, stage, size, centre))
            self.add(label(meta.title, LEGEND, current().path_color(meta.color), weight="BOLD", role="legend")
                     .next_to(centre + (size * min(aspect, 1.0) / 2 + 0.15) * UP, UP, buff=0.05))
            to_points = lambda xy, centre=centre: stage.to_map(xy[:, 0], xy[:, 1], size) + centre  # noqa: E731
            for p in paths_of(run, stage):
                if p.index[0] == o:
                    coloured = replace(p, color=colour_of(rates[p.index[1]]))
                    tracers.add(PathTracer(coloured, to_points, three_d=False, ball_radius=0.045, width=2.5))
        self.add(tracers)
        self.counter = StepCounter(run.num_steps).to_corner(UR, buff=0.25)
        self.add(self.counter)
        pacing = pace_drawn([t.steps for t in tracers])
        progress = ValueTracker(0.0)

        def show(_m=None, _dt=0.0):
            tau = pacing.tau(progress.get_value())
            for t in tracers:
                t.show(tau)
            self.counter.show(tau)

        clock = Mobject()
        clock.add_updater(show)
        self.add(clock)
        show()
        self.play(progress.animate.set_value(1.0), run_time=self.duration, rate_func=linear)
        self.wait(self.hold)
        self.write_probe()


STUDIES = {"basins": BasinsScene, "sweep": SweepChart, "fan": SweepFan}
