"""The explainer chapters as scenes: beats of panels (maps or a 3D surface) with glyphs, equations and charts.

Rendered by `render.py explainer NAME|all`, or the ManimGL way: `manimgl scenes/explainer.py MomentumChapter -w`.
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # runnable as a file by `manimgl`

from scenes.headless import manimlib  # noqa: E402,F401
from manimlib import (  # noqa: E402
    DOWN, LEFT, ORIGIN, RIGHT, UL, UP, FadeIn, FadeOut, Group, Mobject, Scene, Square, ValueTracker, VGroup,
    VMobject,
    linear,
)

from optimizers.run import Run  # noqa: E402
from scenes.chapters import CHAPTERS, Beat, Ending, Panel  # noqa: E402
from scenes.chart import LossChart  # noqa: E402
from scenes.elements import (  # noqa: E402
    CAPTION, READOUT, TITLE, HeadTags, HeightField, Key, Legend, PathTracer, StepCounter, aim_camera, below_points,
    clock_updater, contour_map, drawing_order, fit_camera, fit_camera_clear, frame_size, is_wide, keep_stroke_widths,
    label, landscape_3d, map_frame, minima_markers, minimum_label, on_surface, paths_of, project_to_pixels,
    readable_scale, screen_point, shown_span, text_sizes, visible_minima, wrapped_label,
)
from scenes.equations import EquationCard  # noqa: E402
from scenes.glyphs import StateGlyphs, glyph_key  # noqa: E402
from scenes.pacing import pace_drawn  # noqa: E402
from scenes.race import blocks_boxes  # noqa: E402
from scenes.source import chapter_runs  # noqa: E402
from scenes.stage import LIFT, Stage  # noqa: E402
from scenes.theme import DARK, current  # noqa: E402
from scenes.timeline import (  # noqa: E402
    FADE, HOLD, TITLE_FADE, TITLE_SECONDS, beat_seconds, chapter_segments, title_segments,
)

TITLE_BUFF = 0.25  # the chapter title's margin, top left
SIDE_WIDTH = 5.2  # the right-hand column for equations or the chart
# Many runs of one rule (a panel with no legend): thin, faint paths, so the balls and the colours read, not a scribble
FAINT = dict(width=1.2, opacity=0.3, casing=0.6)


class PanelView(Group):
    """A panel: a titled contour map with its paths, glyphs and name tags (or, for '3d', the paths only)."""

    def __init__(self, panel: Panel, run: Run, size: float, center=ORIGIN, to_3d=None, compact: bool = False,
                 title_width: float = np.inf, right: float = np.inf):
        """title_width: the panel's title is broken into lines no wider; right: a map's name tags turn left of
        their ball rather than reach past it (its cell's edge), and reach no further left than the map."""
        super().__init__()
        self.right = right
        self.panel, self.run, self.stage = panel, run, Stage.from_run(run)
        self.paths = self.shown_paths(panel, run)
        self.size = size
        three_d = panel.view == "3d"
        self.to_points = to_3d if three_d else (lambda xy, f=None: self.stage.to_map(xy[:, 0], xy[:, 1], size) + center)
        self.marker_labels = VGroup()
        if not three_d:
            contours = contour_map(run, self.stage, size, center, pixels=600)
            self.bounds = (contours[0].get_left()[0], contours[0].get_right()[0], contours[0].get_bottom()[1],
                           contours[0].get_top()[1])
            markers = minima_markers(run, lambda x, y: self.to_points(np.array([[x, y]]))[0])
            self.add(contours, markers)
            self.marker_labels.add(*(minimum_label(m) for m in visible_minima(run)))
            # the map's bottom edge is the floor: below it sit the tick labels
            below_points(self.marker_labels, [m.get_center() for m in markers], self.bounds[2])
            if panel.title:
                self.add(panel_title(panel, title_width).next_to(contours[0], UP, buff=0.1))
        self.order = drawing_order(self.paths)  # slow paths on top
        if panel.endings:  # the first ending's paths (the story: those that escaped) drawn last, on top
            first = ending_color(panel.endings[0], run, self.paths[0].index)
            self.order.sort(key=lambda p: p.color == first)
        self.tracers = Group(*(PathTracer(p, self.to_points, three_d=three_d, dots=panel.dots,
                                          ball_radius=0.07 if three_d else 0.05, **({} if panel.legend else FAINT))
                               for p in self.order))
        self.glyphs = Group(*(StateGlyphs(run, p, self.to_points, panel.glyphs, box=0.5,
                                          inset=self.inset(), bounds=None if three_d else self.bounds)
                              for p in self.paths)) if panel.glyphs else Group()
        # a map's tags sit among its overlays; a 3D panel's are pinned in the frame by the scene (see setup_3d)
        # many runs of one rule (no legend) would stack one tag per ball: the panel's title names them instead
        self.tags = HeadTags(self.tracers, notes=False) if not three_d and panel.legend else VGroup()
        self.add(self.tracers, self.marker_labels, self.tags, self.glyphs)  # glyphs on top: they carry the lesson
        # where the balls show, for the tags to keep clear of (never added to the scene)
        self.ball_boxes = [Square(BALL_BOX) for _ in self.tracers]
        self.legend = self.legend_of(panel, run, self.paths, compact)
        self.counter = None  # a 3D panel's step counter (set by the scene, which places it)
        self.surface = None  # a 3D panel's surface (set by the scene)
        self.pin = None  # a 3D panel's overlays that follow its balls (set by the scene)
        self.last_tau = 0.0

    @staticmethod
    def shown_paths(panel: Panel, run: Run) -> list:
        """The panel's paths (all of the run's if it names none), under the panel's legend names."""
        paths = [p for p in paths_of(run, Stage.from_run(run)) if not panel.paths or p.index in panel.paths]
        for p, name in zip(paths, panel.labels):
            p.title = name
        for ending in panel.endings:
            members = ending.members(run)
            for p in paths:
                if members[p.index]:
                    p.color = ending_color(ending, run, p.index)
        return paths

    @staticmethod
    def legend_of(panel: Panel, run: Run, paths: list, compact: bool) -> VGroup:
        """The key of the panel's endings, else the legend of its paths' live losses (empty without one)."""
        if panel.endings:
            return Key([(ending_color(e, run, paths[0].index), e.claim.text) for e in panel.endings])
        return Legend(paths if panel.legend else [], compact=compact)

    def inset(self) -> np.ndarray:
        """Bottom-left corner of the glyph inset: inside the map's lower-right corner, clear of the paths' ends."""
        if self.panel.view == "3d":
            return np.array([4.6, -2.4, 0.0])
        xmin, xmax, ymin, ymax = self.bounds
        return np.array([xmax - 1.3, ymin + 0.35, 0.0])

    def placed(self, anchor=lambda point: point) -> list:
        """What the name tags are lifted clear of: the minima's labels and every ball (where `anchor` shows it)."""
        for box, tracer in zip(self.ball_boxes, self.tracers):
            box.move_to(anchor(tracer.ball.get_center()))
        return [*self.marker_labels, *self.ball_boxes]

    def place_tags(self, tau: float) -> None:
        """A map's name tags beside their balls, lifted clear of the minima's labels and of the other balls; where
        that stack would rise past the map's top (into its title), clear of the labels only."""
        for placed in (self.placed(), list(self.marker_labels)):
            self.tags.show(tau, right=self.right, placed=placed, left=self.bounds[0])
            tops = [t.get_top()[1] for t in self.tags.tags if t.get_fill_opacity() > 0]
            if max(tops, default=-np.inf) <= self.bounds[3] + 0.05:
                return

    def show(self, tau: float) -> None:
        for mob in (*self.tracers, *self.glyphs):
            mob.show(tau)
        if isinstance(self.tags, HeadTags):
            self.place_tags(tau)
        self.legend.show(tau)
        self.last_tau = tau
        if self.counter:
            self.counter.show(tau)
        if self.pin:
            self.pin()


def panel_title(panel: Panel, max_width: float) -> VMobject:
    """The panel's title, broken at spaces into lines no wider than max_width."""
    return wrapped_label(panel.title, READOUT, max_width, role="panel")


BALL_BOX = 0.1  # side of the box a ball keeps clear of other balls' name tags (its own rides beside it)
SURFACE_STRIDE = 3  # a probe samples a 3D surface at every 3rd row and column of its grid


def grid_sample(surface, nx: int, ny: int) -> np.ndarray:
    """Points of a grid surface (nx × ny, x-major): its four edges whole, and every SURFACE_STRIDE-th row and column
    (where a hill inside may show above the edges)."""
    grid = surface.get_points().reshape(nx, ny, 3)
    return np.concatenate([grid[[0, -1]].reshape(-1, 3), grid[:, [0, -1]].reshape(-1, 3),
                           grid[::SURFACE_STRIDE, ::SURFACE_STRIDE].reshape(-1, 3)])


def ending_color(ending: Ending, run: Run, index: tuple[int, int, int]) -> str:
    """What the paths of an ending are drawn in: its minimum's marker colour, or the path's optimizer's."""
    if ending.marker_color:
        return current().minimum_colors[ending.kind]
    return current().path_color(run.meta.optimizers[index[0]].color)


class ChapterScene(Scene):
    """Plays one chapter's beats: panels animate their runs in sync, with equations, charts and a takeaway."""

    chapter: str = "downhill"
    run_paths: dict[str, str] | None = None  # run key -> .npz; None: from $LOSSCAPE_RUNS
    duration: float | None = None  # scales every beat (None: the chapter's own timing)
    hold: float = HOLD
    probe_path: str | None = None
    show_glyphs: bool = True  # unused flags from the race CLI are accepted and ignored
    show_equations: bool = True
    show_dots: bool = False
    default_camera_config = dict(background_color=DARK.background)  # the ManimGL way; jobs pass their theme's

    FADE = FADE  # seconds between beats

    @classmethod
    def expected_seconds(cls) -> float:
        """Length of the video (for the progress bar): its plays and waits, as the subtitles time them."""
        return sum(chapter_segments(CHAPTERS[cls.chapter], cls.duration, cls.hold, cls.FADE))

    def title(self) -> VMobject:
        return (label(CHAPTERS[self.chapter].title, TITLE, weight="BOLD", role="title")
                .set_max_width(frame_size()[0] - 2 * TITLE_BUFF).to_corner(UL, buff=TITLE_BUFF).fix_in_frame())

    def construct(self):
        chapter = CHAPTERS[self.chapter]
        self.runs = chapter_runs(self.chapter, self.run_paths)
        self.add(self.title())
        for i, (beat, seconds) in enumerate(zip(chapter.beats, beat_seconds(chapter, self.duration))):
            self.play_beat(beat, seconds, last=i == len(chapter.beats) - 1)

    def play_beat(self, beat: Beat, duration: float, last: bool) -> None:
        self.frame.to_default_state()
        has_side = bool(beat.equations or beat.chart or beat.rate_chart)
        width, height = frame_size()
        edge = width / 2 - 0.16  # the panels' and columns' outer margin
        caption = wrapped_label(beat.caption, CAPTION, width - 0.5).to_edge(DOWN, buff=0.22)
        keys = [k for k in dict.fromkeys(g for p in beat.panels for g in p.glyphs)]
        extras = VGroup(caption)
        if keys:
            extras.add(glyph_key(tuple(keys), width - 0.5).next_to(caption, UP, buff=0.15))  # in rows where long
        top, bottom = height / 2 - TITLE_BUFF - 0.55, extras.get_top()[1] + 0.15
        below = has_side and self.side_below(beat, edge, top, bottom)
        apart = below and self.legend_by_chart(beat)  # the map's legend left of the chart, the map the wider
        first = beat.panels[0]
        paths, run = PanelView.shown_paths(first, self.runs[first.run]), self.runs[first.run]
        left, right = -edge, edge
        if below:  # the equations or the chart below the panels, across the frame
            side = self.side_column(beat, paths, run, top, bottom, below=True,
                                    leave=self.legend_scale(first, run, paths)[1] + self.LEGEND_GAP if apart else 0.0)
            bottom = side.get_top()[1] + 0.2
        elif has_side:  # in the right-hand column; the panels end short of it, and of cards reaching past it
            side = self.side_column(beat, paths, run, top, bottom, below=False)
            right = min(edge - self.side_width(beat) - 0.2, side.get_left()[0] - 0.2)
        else:
            side = self.side_column(beat, paths, run, top, bottom, below=False)  # empty
        projection = next((self.runs[p.run].meta.projection for p in beat.panels if self.runs[p.run].meta.projection),
                          None)
        if projection:  # a network's picture says which plane through its weights it shows, and how much it holds
            extras.add(label(projection.statement, CAPTION, role="caption")
                       .to_corner(UL, buff=TITLE_BUFF).shift(0.62 * DOWN))
        n = len(beat.panels)
        cols = self.columns(beat, left, right, top, bottom)
        rows = n // cols
        cell_w, cell_h = (right - left) / cols, (top - bottom) / rows
        views, flat = [], Group()
        for j, panel in enumerate(beat.panels):
            run = self.runs[panel.run]
            if panel.view == "3d":
                view = self.setup_3d(panel, run, legend=not beat.chart, room=(left, right, bottom, top),
                                     clear=[side, *extras])
            else:
                cell_top = top - (j // cols) * cell_h
                view = self.map_panel(panel, run, left + (j % cols) * cell_w, cell_w, cell_top, cell_top - cell_h,
                                      compact=n > 1, legend_apart=apart)
                flat.add(view)
            views.append(view)
        if apart:  # centred on the chart's box, left of its tick labels
            legend = views[0].legend.scale(self.legend_scale(beat.panels[0], views[0].run, views[0].paths)[0])
            legend.shift((side.get_left()[0] - self.LEGEND_GAP - shown_span(legend)[1]) * RIGHT)
            legend.set_y(side.box.get_y())
        overlay = Group(flat, side, extras)
        overlay.fix_in_frame()
        keep_stroke_widths(overlay)  # a 3D panel's camera may be zoomed to fit it
        self.add(overlay)

        # the beat: every panel runs its steps over the same time, paced by where the paths move
        pacing = pace_drawn([t.steps for v in views for t in v.tracers])
        progress = ValueTracker(0.0)
        clock = Mobject()

        def show(tau):
            for v in views:
                v.show(tau)
            for mob in (*self.cards, *([self.chart] if self.chart else [])):
                mob.show(tau)

        follow = clock_updater(self.frame, lambda: pacing.tau(progress.get_value()), show)
        clock.add_updater(follow)
        self.add(clock)
        follow(clock)
        self.play(progress.animate.set_value(1.0), run_time=duration, rate_func=linear)
        self.wait(self.hold)
        if last:
            self.write_probe(views, beat, pacing.end)
        else:
            self.play(FadeOut(Group(*self.mobjects[1:])), run_time=self.FADE)
            self.clear()
            self.add(self.title())

    def columns(self, beat: Beat, left: float, right: float, top: float, bottom: float) -> int:
        """How many columns the panels take: side by side or stacked, whichever gives the larger maps."""
        n = len(beat.panels)
        return max((n, 1), key=lambda c: self.panel_size(beat, (right - left) / c, (top - bottom) / (n // c)))

    def panel_size(self, beat: Beat, cell_w: float, cell_h: float) -> float:
        """The smallest of the beat's maps in cells of this size."""
        return min(self.map_size(p, self.runs[p.run], cell_w, cell_h, len(beat.panels) > 1) for p in beat.panels)

    def side_below(self, beat: Beat, edge: float, top: float, bottom: float) -> bool:
        """Whether the equations or the chart go below the panels: never in 16:9; always in a vertical frame, and a
        chart in a square one (it reads best wide, and the panel takes the frame's width); equations in a square
        frame where the panels come out larger that way and the equations keep KEEP of their size, or where beside
        the panels they would keep less of it than below."""
        width, height = frame_size()
        if is_wide() or height > 1.2 * width or beat.chart or beat.rate_chart:
            return not is_wide()
        first = beat.panels[0]
        paths, run = PanelView.shown_paths(first, self.runs[first.run]), self.runs[first.run]
        self.side_column(beat, paths, run, top, bottom, below=False)
        beside = self.card_share()
        side = self.side_column(beat, paths, run, top, bottom, below=True)
        shrink = self.card_share()
        if beside < self.KEEP and shrink > beside:
            return True
        lower = side.get_top()[1] + 0.2

        def size(right: float, low: float) -> float:  # of the maps between −edge and right, top and low
            cols = self.columns(beat, -edge, right, top, low)
            return self.panel_size(beat, (right + edge) / cols, (top - low) / (len(beat.panels) // cols))

        return shrink >= self.KEEP and size(edge, lower) >= size(edge - self.side_width(beat) - 0.2, bottom)

    KEEP = 0.85  # equations below the panels of a square frame at no less than this share of their size

    def card_share(self) -> float:
        """The share of their size the equation cards last laid out keep: min over cards of drawn / set title height."""
        return min((card.title.get_height() / card.title.text_height for card in self.cards), default=1.0)
    CHART_LEAST = 3.2  # width a chart with its tick labels keeps when a map's legend sits beside it
    LEGEND_GAP = 0.3

    def legend_by_chart(self, beat: Beat) -> bool:
        """Whether a square frame's lone map gives its legend to the chart below it: the legend beside the chart,
        not under the map, so that the map (wide, like most domains) takes the frame's width."""
        width, height = frame_size()
        panel = beat.panels[0]
        return (not is_wide() and height <= 1.2 * width and bool(beat.chart or beat.rate_chart)
                and len(beat.panels) == 1 and panel.view != "3d" and bool(panel.legend or panel.endings))

    def legend_scale(self, panel: Panel, run: Run, paths: list) -> tuple[float, float]:
        """(scale, width) of the map's legend beside a chart: as large as leaves the chart CHART_LEAST of the
        frame's width, no smaller than readable."""
        legend = PanelView.legend_of(panel, run, paths, False)
        left, right = shown_span(legend)
        room = frame_size()[0] - 0.6 - self.CHART_LEAST - self.LEGEND_GAP
        scale = max(readable_scale(legend), min(1.0, room / max(right - left, 1e-6)))
        return scale, scale * (right - left)
    TICKS = 0.45  # room for the map's tick labels below it, and at least this left of it
    GAP = 0.15

    def left_room(self, run: Run) -> float:
        """Room left of a map for its y tick labels and axis name: TICKS, or their width and gap where wider."""
        ticks = map_frame(run, Stage.from_run(run), 1.0)
        return max(self.TICKS, ticks[0].get_left()[0] - ticks.get_left()[0] + 0.05)

    def map_layout(self, panel: Panel, run: Run, width: float, height: float, compact: bool,
                   legend_apart: bool = False):
        """(map size, legend beside?, legend) for a map panel in a width × height cell; a legend placed `apart`
        takes none of the cell."""
        legend = PanelView.legend_of(panel, run, PanelView.shown_paths(panel, run), compact)
        if legend_apart:
            legend = VGroup()
        title = self.title_room(panel, run, width)
        xmin, xmax, ymin, ymax = run.meta.surface.domain
        longer = max(xmax - xmin, ymax - ymin)

        def size_for(map_width: float, map_height: float) -> float:
            return min(map_width * longer / (xmax - xmin), map_height * longer / (ymax - ymin))

        ticks = self.left_room(run)
        below = size_for(width - ticks - 0.2, height - title - self.TICKS - legend.get_height() - 2 * self.GAP)
        beside = size_for(width - ticks - legend.get_width() - 0.6, height - title - self.TICKS - self.GAP)
        return max(below, beside), beside > below and not legend_apart, legend

    TITLE_INSET = 0.1  # a panel's title keeps this far inside its cell

    def title_width(self, run: Run, width: float) -> float:
        """Widest a panel's title may be in a cell `width` wide: centred over its map, which sits right of its tick
        labels, it stays inside the cell."""
        return width - self.left_room(run) - self.TITLE_INSET

    def title_room(self, panel: Panel, run: Run, width: float) -> float:
        """Height a panel's title takes above its map in a cell `width` wide: one line 0.45, more if it wraps."""
        if not panel.title:
            return 0.0
        return max(0.45, panel_title(panel, self.title_width(run, width)).get_height() + 0.2)

    def map_size(self, panel: Panel, run: Run, width: float, height: float, compact: bool) -> float:
        return self.map_layout(panel, run, width, height, compact)[0]

    def map_panel(self, panel: Panel, run: Run, x0: float, width: float, top: float, bottom: float,
                  compact: bool = False, legend_apart: bool = False) -> PanelView:
        """A map panel as large as its cell allows, its legend beside or below it (or `legend_apart`: placed by
        the caller), the block centred in the cell."""
        size, beside, legend = self.map_layout(panel, run, width, top - bottom, compact, legend_apart)
        xmin, xmax, ymin, ymax = run.meta.surface.domain
        longer = max(xmax - xmin, ymax - ymin)
        map_width, map_height = size * (xmax - xmin) / longer, size * (ymax - ymin) / longer
        title, ticks = self.title_room(panel, run, width), self.left_room(run)
        block = title + map_height + self.TICKS + (0 if beside else self.GAP + legend.get_height())
        map_top = (top + bottom) / 2 + block / 2 - title
        if beside:  # the legend in the cell's left part, the map to its right
            center = np.array([x0 + width - 0.15 - map_width / 2, map_top - map_height / 2, 0])
        else:
            center = np.array([x0 + (width + ticks) / 2, map_top - map_height / 2, 0])
        # tags turn left of their ball short of the cell's right edge, where the next cell's tick labels begin
        view = PanelView(panel, run, size, center, compact=compact, title_width=self.title_width(run, width),
                         right=x0 + width - 0.05)
        if beside:
            view.legend.next_to(center + map_width / 2 * LEFT, LEFT, buff=ticks + 0.3)
        elif not legend_apart:  # under the map from its tick labels' edge
            view.legend.next_to(center + (map_height / 2 + self.TICKS) * DOWN, DOWN, buff=self.GAP)
            view.legend.align_to(center + (map_width / 2 + ticks) * LEFT, LEFT)
            if not is_wide():  # inside the cell: a square frame's text reads large enough to shrink to 3/4
                view.legend.set_max_width(max(width - 0.2, 0.75 * view.legend.get_width()), about_edge=LEFT)
        view.add(view.legend)
        return view

    def setup_3d(self, panel: Panel, run: Run, legend: bool = True,
                 room: tuple[float, float, float, float] = (-7.0, 7.0, -4.0, 4.0), clear=()) -> PanelView:
        """The 3D surface with the panel's paths and its minima's labels; overlays stay fixed in the frame. The
        surface fills the room = (left, right, bottom, top) below its legend; in 16:9 it may reach up beside the
        title, legend and step counter, clear of them and of the blocks in `clear`."""
        stage, height = Stage.from_run(run), HeightField(run)
        landscape = landscape_3d(run, stage, height)
        self.add(landscape)
        aim_camera(self.frame, run, 5.2)
        view = PanelView(panel, run, 0, to_3d=on_surface(stage, height, LIFT))
        self.add(view)
        # Beside a loss chart the chart carries the losses, and the tags name the balls: no legend over the surface.
        legend = view.legend.to_corner(UL, buff=TITLE_BUFF).shift(0.7 * DOWN).fix_in_frame() if legend else VGroup()
        counter = StepCounter(run.num_steps).to_corner(UP + RIGHT, buff=TITLE_BUFF).fix_in_frame()
        tags = HeadTags(view.tracers).fix_in_frame()
        minima = VGroup(*(minimum_label(m) for m in visible_minima(run))).fix_in_frame()
        left, right, bottom, top = room
        # under the legend and whatever else sits in the upper part of the frame (a network's plane statement)
        above = [b.get_bottom()[1] - 0.2 for b in (legend, *clear) if (len(b) or b.has_points())
                 and b.get_bottom()[1] > (bottom + top) / 2]
        below_legend = (left, right, bottom, min([top, *above]))
        points, thetas = landscape[0].get_points()[::7], [self.frame.get_theta()]
        if is_wide():
            whole = (left, right, bottom, frame_size()[1] / 2 - 0.2)
            fit_camera_clear(self.frame, points, whole, thetas, blocks_boxes([self.title(), legend, counter, *clear]),
                             below_legend)
        else:
            fit_camera(self.frame, points, below_legend, thetas)
        for mob in (legend, counter, tags, minima):
            keep_stroke_widths(mob)  # the camera is zoomed to fit the surface
        self.add(legend, counter, minima, tags)
        view.counter, view.marker_labels, view.surface = counter, minima, landscape[0]
        pixels, marker_points = self.camera.get_pixel_shape(), [m.get_center() for m in landscape[2]]

        def pin() -> None:  # the labels follow their points on screen; tags turn left short of the side column
            anchor = lambda point: screen_point(self.frame, point, *pixels)  # noqa: E731
            below_points(minima, [anchor(point) for point in marker_points], bottom)
            tags.show(view.last_tau, anchor, right, view.placed(anchor))

        view.pin = pin
        return view

    @staticmethod
    def side_width(beat: Beat) -> float:
        """Width of the right-hand column: the beat's own or SIDE_WIDTH in 16:9, half the frame in a square one."""
        return (beat.side_width or SIDE_WIDTH) if is_wide() else frame_size()[0] / 2

    def side_column(self, beat: Beat, paths: list, run: Run, top: float, bottom: float, below: bool,
                    leave: float = 0.0):
        """Equation cards (optionally with live numbers) or the chart of the first panel's paths: in the
        right-hand column between top and bottom, or `below` the panels, across the frame above `bottom` (a
        chart leaving `leave` at its left)."""
        self.cards, self.chart = [], None
        width, height = frame_size()
        edge, side, beside = width / 2 - 0.16, self.side_width(beat), not below
        if beat.chart or beat.rate_chart:
            rates = [np.asarray(run.meta.optimizers[p.index[0]].learning_rates) for p in paths]
            chart = lambda **size: LossChart(  # noqa: E731
                paths, run.num_steps, **size, **(dict(values=rates, name="learning rate η(t)") if beat.rate_chart else {}))
            self.chart = chart(**(dict(width=side - 1.2, height=3.4) if beside
                                  else dict(width=width - 1.9 - leave, height=min(2.6, 0.2 * height))))
            excess = self.chart.get_width() - (width - 0.6 - leave)
            if not beside and leave and excess > 0:  # its labels reach past its box: a narrower box, all inside
                self.chart = chart(width=self.chart.box.get_width() - excess, height=min(2.6, 0.2 * height))
            if not beside:
                return self.chart.to_edge(RIGHT, buff=0.3).shift((bottom - self.chart.get_bottom()[1]) * UP)
            # its right edge (the last tick label, half a label past the axis) inside the frame, whatever its ticks
            return self.chart.move_to([edge - side / 2 + 0.5, -0.6, 0]).to_edge(RIGHT, buff=0.3)
        group = VGroup()
        for o in beat.equations:
            live = next((p for p in paths if p.index[0] == o), None) if beat.live_numbers else None
            card = EquationCard(run, o, live=live)
            self.cards.append(card)
            group.add(card)
        # live numbers grow by a minus sign or two: leave them room at the right edge
        margin = 0.75 if beat.live_numbers else 0.25
        if len(group) and not beside:
            group.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
            group.set_max_width(width - 0.3 - margin).set_max_height(0.3 * height)
            group.to_edge(LEFT, buff=0.3).shift((bottom - group.get_bottom()[1]) * UP)
        elif len(group):
            group.arrange(DOWN, aligned_edge=LEFT, buff=0.35)
            group.set_max_width(side - 0.1 if is_wide() else side - 0.3 - margin)
            group.set_max_height(top - bottom)
            group.move_to([edge - side / 2, (top + bottom) / 2, 0]).to_edge(RIGHT, buff=margin)
        return group

    def write_probe(self, views: list[PanelView], beat: Beat, end_step: float) -> None:
        """Screen facts of the final frame, for tests: heads, glyph arrows and squares, equations, chart, text."""
        if not self.probe_path:
            return
        width, height = self.camera.get_pixel_shape()
        fixed_frame = self.frame.copy().to_default_state()  # overlays are drawn as if by an unturned camera

        def pixel(point, view):
            frame = self.frame if view.panel.view == "3d" else fixed_frame
            return project_to_pixels(frame, point, width, height)[0].tolist()

        heads, glyphs = [], []
        for v in views:
            heads += [{"name": t.path.name, "color": t.path.color, "pixel": pixel(t.ball.get_center(), v),
                       "escaped": t.path.escaped} for t in v.tracers]
            for g in v.glyphs:
                for kind, mob in g.arrows.items():
                    points = mob.get_points()
                    glyphs.append({"kind": kind, "tail": pixel(points[0], v),
                                   "tip": pixel(points[-1 if len(points) < 3 else 2], v)})
                if "squares" in g.kinds:
                    glyphs.append({"kind": "squares", "pixel": pixel(g.squares.get_center(), v),
                                   "box": [pixel(g.squares.get_corner(c), v) for c in (DOWN + LEFT, UP + RIGHT)]})
        markers = [pixel(v.to_points(np.array([[m.x, m.y]]))[0], v) for v in views if v.panel.view != "3d"
                   for m in visible_minima(v.run)]
        # each map's pixel box [left, top, right, bottom] (its image, from its bounds in the frame)
        maps = [[*pixel(np.array([v.bounds[0], v.bounds[3], 0.0]), v), *pixel(np.array([v.bounds[1], v.bounds[2], 0.0]), v)]
                for v in views if v.panel.view != "3d"]
        # each 3D surface as pixels of its grid's edges and of every SURFACE_STRIDE-th row and column
        surfaces = [project_to_pixels(self.frame, grid_sample(v.surface, len(v.run.grid_x), len(v.run.grid_y)),
                                      width, height).round(1).tolist() for v in views if v.surface is not None]
        Path(self.probe_path).write_text(json.dumps({
            "size": [width, height], "heads": heads, "glyphs": glyphs, "markers": markers, "maps": maps,
            "surfaces": surfaces,
            "equations": len(self.cards), "chart": beat.chart, "text": text_sizes(self.mobjects, 640),
            "end_step": end_step, "hold": self.hold, "caption": beat.caption,
            "legend": [[n.text for n in v.legend.values] for v in views]}))


class TitleCard(Scene):
    """A short card between chapters: the chapter's title and its one-line summary."""

    chapter: str = "downhill"
    duration: float = TITLE_SECONDS
    fade: float = TITLE_FADE
    default_camera_config = dict(background_color=DARK.background)  # the ManimGL way; jobs pass their theme's

    @classmethod
    def expected_seconds(cls) -> float:
        """Length of the video (for the progress bar): fade in, hold, fade out."""
        return sum(title_segments(cls.duration, cls.fade))

    def construct(self):
        chapter = CHAPTERS[self.chapter]
        title = label(chapter.title, 56, weight="BOLD", role="title")
        title.set_max_width(frame_size()[0] - 0.8)
        summary = wrapped_label(chapter.summary, READOUT, frame_size()[0] - 0.8, current().dim_text)
        summary.set_max_width(frame_size()[0] - 0.8)
        card = VGroup(title, summary).arrange(DOWN, buff=0.4)
        fade_in, hold, fade_out = title_segments(self.duration, self.fade)  # as the subtitles time them
        self.play(FadeIn(card, shift=0.2 * UP), run_time=fade_in)
        self.wait(hold)
        self.play(FadeOut(card), run_time=fade_out)


def _chapter_class(name: str) -> type:
    return type(name.title().replace("-", "") + "Chapter", (ChapterScene,), {"chapter": name})


CHAPTER_SCENES = {name: _chapter_class(name) for name in CHAPTERS}
globals().update({cls.__name__: cls for cls in CHAPTER_SCENES.values()})  # `manimgl scenes/explainer.py AdamChapter`

