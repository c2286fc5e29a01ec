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
    DOWN, LEFT, ORIGIN, RIGHT, UL, UP, FadeIn, FadeOut, Group, Mobject, Scene, ValueTracker, VGroup, linear,
)

from optimizers.run import Run  # noqa: E402
from scenes.chapters import CHAPTERS, Beat, Panel  # noqa: E402
from scenes.chart import LossChart  # noqa: E402
from scenes.elements import (  # noqa: E402
    BACKGROUND, DIM_TEXT, TEXT_COLOR, HeightField, Legend, PathTracer, StepCounter, aim_camera, contour_map,
    label, landscape_3d, minima_markers, paths_of, project_to_pixels,
)
from scenes.equations import EquationCard  # noqa: E402
from scenes.glyphs import StateGlyphs, glyph_key  # noqa: E402
from scenes.source import chapter_runs  # noqa: E402
from scenes.stage import LIFT, Stage  # noqa: E402

CONTENT_TOP, CONTENT_BOTTOM = 2.9, -2.75  # between the title and the caption
SIDE_WIDTH = 5.0  # the right-hand column for equations or the chart


class PanelView(Group):
    """A panel: a titled contour map with its paths, glyphs and a small live legend (or, for '3d', the paths only)."""

    def __init__(self, panel: Panel, run: Run, size: float, center=ORIGIN, to_3d=None):
        super().__init__()
        self.panel, self.run, self.stage = panel, run, Stage.from_run(run)
        all_paths = paths_of(run, self.stage)
        self.paths = [p for p in all_paths if not panel.paths or p.index in panel.paths]
        if panel.labels:
            for p, name in zip(self.paths, panel.labels):
                p.title = name
        self.size = size
        if panel.view == "3d":
            self.to_points = to_3d
        else:
            self.to_points = lambda xy: self.stage.to_map(xy[:, 0], xy[:, 1], size) + center
            contours = contour_map(run, self.stage, size, center, pixels=600)
            self.add(contours, minima_markers(run, lambda x, y: self.to_points(np.array([[x, y]]))[0]))
            if panel.title:
                self.add(label(panel.title, 17, TEXT_COLOR).next_to(contours[0], UP, buff=0.12))
        self.tracers = Group(*(PathTracer(p, self.to_points, three_d=panel.view == "3d",
                                          ball_radius=0.07 if panel.view == "3d" else 0.05) for p in self.paths))
        self.glyphs = Group(*(StateGlyphs(run, p, self.to_points, panel.glyphs, box=0.3 * size / 4)
                              for p in self.paths)) if panel.glyphs else Group()
        self.add(self.tracers, self.glyphs)
        self.legend = Legend(self.paths, size=15)
        self.counter = None  # a 3D panel's step counter (set by the scene, which places it)
        if panel.view != "3d":
            self.legend.next_to(self, DOWN, buff=0.2)
            self.add(self.legend)

    def show(self, fraction: float) -> None:
        tau = fraction * self.run.num_steps
        for mob in (*self.tracers, *self.glyphs):
            mob.show(tau)
        self.legend.show(tau)
        if self.counter:
            self.counter.show(tau)


class ChapterScene(Scene):
    """Plays one chapter's beats: panels animate their runs in sync, with equations, charts and a takeaway."""

    chapter: str = "downhill"
    run_paths: dict[str, str] | None = None  # run key -> .npz; None: from $LOSSCAPE_RUNS
    duration: float | None = None  # scales every beat (None: the chapter's own timing)
    hold: float = 1.0
    probe_path: str | None = None
    show_glyphs: bool = True  # unused flags from the race CLI are accepted and ignored
    show_equations: bool = True
    default_camera_config = dict(background_color=BACKGROUND)

    FADE = 0.5  # seconds between beats

    @classmethod
    def expected_seconds(cls) -> float:
        """Length of the video (for the progress bar)."""
        beats = CHAPTERS[cls.chapter].beats
        steps = cls.duration or sum(b.duration for b in beats)
        return steps + len(beats) * cls.hold + (len(beats) - 1) * cls.FADE

    def construct(self):
        chapter = CHAPTERS[self.chapter]
        self.runs = chapter_runs(self.chapter, self.run_paths)
        title = label(chapter.title, 24, TEXT_COLOR, weight="BOLD").to_corner(UL, buff=0.3).fix_in_frame()
        self.add(title)
        scale = (self.duration / sum(b.duration for b in chapter.beats)) if self.duration else 1.0
        for i, beat in enumerate(chapter.beats):
            self.play_beat(beat, beat.duration * scale, last=i == len(chapter.beats) - 1)

    def play_beat(self, beat: Beat, duration: float, last: bool) -> None:
        self.frame.to_default_state()
        has_side = bool(beat.equations or beat.chart)
        left, right = -6.9, (6.9 - SIDE_WIDTH - 0.3) if has_side else 6.9
        area_height = CONTENT_TOP - CONTENT_BOTTOM - 1.1  # room for panel titles and legends
        n = len(beat.panels)
        views, flat = [], Group()
        for j, panel in enumerate(beat.panels):
            run = self.runs[panel.run]
            if panel.view == "3d":
                view = self.setup_3d(panel, run, shift=(right - 6.9) / 2)
            else:
                center = np.array([left + (j + 0.5) * (right - left) / n, (CONTENT_TOP + CONTENT_BOTTOM) / 2 + 0.2, 0])
                xmin, xmax, ymin, ymax = run.meta.surface.domain
                # `size` is the map's longer side: as large as the panel's width and the content height allow
                longer, wide = max(xmax - xmin, ymax - ymin), xmax - xmin
                size = min(((right - left) / n - 0.6) * longer / wide, area_height * longer / (ymax - ymin))
                view = PanelView(panel, run, size, center)
                flat.add(view)
            views.append(view)
        side = self.side_column(beat, views[0])
        caption = label(beat.caption, 20, TEXT_COLOR).to_edge(DOWN, buff=0.3)
        keys = [k for k in dict.fromkeys(g for p in beat.panels for g in p.glyphs)]
        extras = VGroup(caption)
        if keys:
            extras.add(glyph_key(tuple(keys)).next_to(caption, UP, buff=0.15))
        overlay = Group(flat, side, extras)
        overlay.fix_in_frame()
        self.add(overlay)

        # the beat: every panel runs its steps over the same time
        progress = ValueTracker(0.0)
        clock = Mobject()

        def update(m, dt):
            f = progress.get_value()
            tau = f * views[0].run.num_steps  # the side column follows the first panel's run
            for v in views:
                v.show(f)
            for mob in (*self.cards, *([self.chart] if self.chart else [])):
                mob.show(tau)

        clock.add_updater(update)
        self.add(clock)
        update(clock, 0)
        self.play(progress.animate.set_value(1.0), run_time=duration, rate_func=linear)
        self.wait(self.hold)
        if last:
            self.write_probe(views, beat)
        else:
            self.play(FadeOut(Group(*self.mobjects[1:])), run_time=self.FADE)
            self.clear()
            self.add(Group())  # keep the title (re-added below)
            self.add(label(CHAPTERS[self.chapter].title, 24, TEXT_COLOR, weight="BOLD").to_corner(UL, buff=0.3)
                     .fix_in_frame())

    def setup_3d(self, panel: Panel, run: Run, shift: float) -> PanelView:
        """The 3D surface with the panel's paths; the camera turns slowly; overlays stay fixed in the frame."""
        stage, height = Stage.from_run(run), HeightField(run)
        to_3d = lambda xy: stage.to_3d(xy[:, 0], xy[:, 1], height(xy[:, 0], xy[:, 1]), LIFT)  # noqa: E731
        self.add(landscape_3d(run, stage, height))
        aim_camera(self.frame, run, 6.6 if shift == 0 else 8.4)
        right = self.frame.get_inverse_camera_rotation_matrix()[0]
        self.frame.move_to(-shift * 1.15 * right)
        view = PanelView(panel, run, 0, to_3d=to_3d)
        self.add(view)
        legend = view.legend.to_corner(UL, buff=0.3).shift(0.55 * DOWN).fix_in_frame()
        counter = StepCounter(run.num_steps).to_corner(UP + RIGHT, buff=0.3).fix_in_frame()
        self.add(legend, counter)
        view.counter = counter
        return view

    def side_column(self, beat: Beat, first: PanelView):
        """Equation cards (optionally with live numbers) or the loss chart, in the right-hand column."""
        self.cards, self.chart = [], None
        if beat.chart:
            self.chart = LossChart(first.paths, first.run.num_steps, width=SIDE_WIDTH - 0.9, height=3.6)
            return self.chart.move_to([6.9 - SIDE_WIDTH / 2 + 0.3, 0.1, 0])
        group = VGroup()
        for o in beat.equations:
            live = next((p for p in first.paths if p.index[0] == o), None) if beat.live_numbers else None
            card = EquationCard(first.run, o, live=live)
            self.cards.append(card)
            group.add(card)
        if len(group):
            group.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
            group.set_max_width(SIDE_WIDTH - 0.2)
            group.set_max_height(CONTENT_TOP - CONTENT_BOTTOM)
            group.move_to([6.9 - SIDE_WIDTH / 2, (CONTENT_TOP + CONTENT_BOTTOM) / 2, 0]).to_edge(RIGHT, buff=0.3)
        return group

    def write_probe(self, views: list[PanelView], beat: Beat) -> None:
        """Screen facts of the final frame, for tests: heads, glyph arrows and squares, equations, chart."""
        if not self.probe_path:
            return
        width, height = self.camera.get_pixel_shape()
        fixed_frame = self.frame.copy().to_default_state()  # overlays are drawn as if by an unturned camera

        def pixel(point, view):
            frame = self.frame if view.panel.view == "3d" else fixed_frame
            return project_to_pixels(frame, point, width, height)[0].tolist()

        heads, glyphs = [], []
        for v in views:
            heads += [{"name": t.path.name, "color": t.path.color, "pixel": pixel(t.ball.get_center(), v)}
                      for t in v.tracers]
            for g in v.glyphs:
                for kind, mob in g.arrows.items():
                    points = mob.get_points()
                    glyphs.append({"kind": kind, "tail": pixel(points[0], v), "tip": pixel(points[-1 if len(points) < 3 else 2], v)})
                if "squares" in g.kinds:
                    glyphs.append({"kind": "squares", "pixel": pixel(g.squares.get_center(), v)})
        Path(self.probe_path).write_text(json.dumps({
            "size": [width, height], "heads": heads, "glyphs": glyphs,
            "equations": len(self.cards), "chart": beat.chart}))


class TitleCard(Scene):
    """A short card between chapters: the chapter's title and its one-line summary."""

    chapter: str = "downhill"
    duration: float = 2.0
    default_camera_config = dict(background_color=BACKGROUND)

    @classmethod
    def expected_seconds(cls) -> float:
        """Length of the video (for the progress bar)."""
        return cls.duration

    def construct(self):
        chapter = CHAPTERS[self.chapter]
        title = label(chapter.title, 40, TEXT_COLOR, weight="BOLD")
        summary = label(chapter.summary, 20, DIM_TEXT)
        summary.set_max_width(12.5)
        card = VGroup(title, summary).arrange(DOWN, buff=0.4)
        self.play(FadeIn(card, shift=0.2 * UP), run_time=0.5)  # the three parts add up to `duration`
        self.wait(max(self.duration - 1.0, 0.1))
        self.play(FadeOut(card), run_time=0.5)


def _chapter_class(name: str) -> type:
    return type(name.title().replace("-", "") + "Chapter", (ChapterScene,), {"chapter": name})


CHAPTER_SCENES = {name: _chapter_class(name) for name in CHAPTERS}
globals().update({cls.__name__: cls for cls in CHAPTER_SCENES.values()})  # `manimgl scenes/explainer.py AdamChapter`

