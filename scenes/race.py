"""The race: every optimizer's path animated on the loss surface (3D), on its contour map, or beside loss curves.

Rendered by `render.py`, or the ManimGL way: `manimgl scenes/race.py RaceScene -w` (the default race).
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # runnable as a file by `manimgl`

from scenes.headless import manimlib  # noqa: E402,F401
import numpy as np  # noqa: E402
from manimlib import (  # noqa: E402
    DL, DOWN, DR, LEFT, RIGHT, UL, UP, UR, Group, Mobject, Rectangle, Scene, ValueTracker, VGroup, linear,
)

from scenes.chart import LossChart  # noqa: E402
from scenes.elements import (  # noqa: E402
    READOUT, TITLE, HeadTags, HeightField, Legend, PathTracer, StepCounter, aim_camera, clock_updater, contour_map,
    drawing_order, below_points, fit_camera, fit_camera_clear, frame_box, frame_size, frame_units, inside_any,
    is_wide, keep_stroke_widths, map_frame, orbit_to,
    landscape_3d, minima_markers, minimum_label, on_surface, paths_of, project_to_pixels, screen_point, surface_caption,
    label, readable_scale, shown_span, slide_inside, text_sizes, visible_minima,
)
from scenes.equations import EquationCard  # noqa: E402
from scenes.glyphs import StateGlyphs, glyph_key, inset_slots  # noqa: E402
from scenes.packing import balanced_columns, largest_clear  # noqa: E402
from scenes.pacing import pace_drawn  # noqa: E402
from scenes.source import race_run  # noqa: E402
from scenes.stage import LIFT, Stage  # noqa: E402
from scenes.theme import DARK, current  # noqa: E402
from scenes.timeline import HOLD, race_segments  # noqa: E402


def blocks_boxes(blocks) -> list[tuple[float, float, float, float]]:
    """(x0, x1, y0, y1) of each block that holds something, 0.1 wider all round (a picture keeps that clear)."""
    return [(m.get_left()[0] - 0.1, m.get_right()[0] + 0.1, m.get_bottom()[1] - 0.1, m.get_top()[1] + 0.1)
            for m in blocks if len(m) or m.has_points()]


class RaceScene(Scene):
    """Optimizers racing down the 3D surface, with name tags, a legend of live losses and a slow camera orbit."""

    run_path: str | None = None  # None: $LOSSCAPE_RUN
    probe_path: str | None = None  # if set, screen positions of the final frame are written there (tests)
    duration: float = 10.0  # seconds over which the steps are spread
    hold: float = HOLD  # seconds the finished race stays on screen
    orbit_degrees: float = 24.0  # camera turn over the race
    zoom: float = 1.0
    field_of_view: float = 25.0  # degrees
    show_glyphs: bool = False  # optimizer-state glyphs at each path's head (--glyphs)
    show_equations: bool = False  # each optimizer's update rule with its hyperparameters (--equations)
    show_dots: bool = False  # a dot at every step (--dots)
    note: str | None = None  # a line under the legend, e.g. how a tuned race was tuned
    caption_width = 8.5  # the formula breaks into lines no wider than this
    glyph_kinds = ("grad", "moment", "squares", "step")
    default_camera_config = dict(background_color=DARK.background)  # the ManimGL way; jobs pass their theme's

    def construct(self):
        self.run = race_run(self.run_path)
        self.stage = Stage.from_run(self.run)
        self.paths = paths_of(self.run, self.stage)
        self.progress = ValueTracker(0.0)

        # overlays built first (shown last), so that the landscape can take the room they leave
        self.build_overlays()

        # landscape
        self.add_landscape()

        # paths, one per optimizer × start; slow ones drawn last, on top, so none is hidden
        self.order = drawing_order(self.paths)
        self.tracers = Group(*(PathTracer(p, self.points_for(rank), dots=self.show_dots, **self.tracer_options())
                               for rank, p in enumerate(self.order)))
        self.add(self.tracers)
        # time follows the motion, and stops once nothing visibly moves
        self.pacing = pace_drawn([t.steps for t in self.tracers])

        # overlays: surface and formula, legend with live losses, step counter, tags pinned to the 3D scene
        self.add_overlays()

        # the race
        clock = Mobject()
        follow = clock_updater(self.frame, lambda: self.tau, self.show_time)
        clock.add_updater(follow)
        self.add(clock)
        follow(clock)
        self.play(self.progress.animate.set_value(1.0), run_time=self.duration, rate_func=linear)
        self.wait(self.hold)
        self.write_probe()

    @property
    def tau(self) -> float:
        """The fractional step shown now."""
        return self.pacing.tau(self.progress.get_value())

    def probe(self) -> dict:
        """Where things ended up on screen (pixels), and how large every text is at 640 px, for tests."""
        width, height = self.camera.get_pixel_shape()
        heads = []
        for tracer in self.tracers:
            point = tracer.ball.get_center()
            pixel = project_to_pixels(self.frame, point, width, height)[0]
            heads.append({"name": tracer.path.name, "color": tracer.path.color, "pixel": pixel.tolist(),
                          "diverged_at": tracer.path.diverged_at, "escaped": tracer.path.escaped})
        return {"size": [width, height], "heads": heads, "text": text_sizes(self.mobjects, 640, self.frame),
                "end_step": self.pacing.end, "hold": self.hold, "picture": self.picture_pixels(width, height),
                "legend": text_sizes([self.legend], 640),
                "held_out": [{"words": words, **size} for words, size in
                             zip(self.held_out() or [], text_sizes(self.legend.finals, 640))],
                "insets": [{"box": frame_box(*parts), "fixed": all(p.is_fixed_in_frame() for p in parts),
                            "on_picture": self.shows_in(frame_box(*parts), width, height)}
                           for parts in (g.inset_parts() for g in self.glyphs) if parts],
                "blocks": [{"name": name, "box": frame_box(m), "on_picture": self.shows_in(frame_box(m), width, height)}
                           for name, m in self.blocks()]}

    def blocks(self) -> list[tuple[str, Mobject]]:
        """(name, mobject) of each block fixed in the frame that the picture keeps clear of (for the probe)."""
        return [("card", card) for card in self.cards]

    def picture_pixels(self, width: int, height: int) -> list[float]:
        """The pixel box [left, top, right, bottom] of the surface as the camera shows it now."""
        seen = project_to_pixels(self.frame, self.landscape[0].get_points()[::7], width, height)
        return [*seen.min(axis=0).tolist(), *seen.max(axis=0).tolist()]

    def shows_in(self, box: list[float], width: int, height: int) -> bool:
        """Whether any of the surface shows inside a frame box [left, bottom, right, top] (shares of the frame)."""
        seen = project_to_pixels(self.frame, self.landscape[0].get_points(), width, height) / [width, height]
        x, y = seen[:, 0], 1 - seen[:, 1]
        return bool(np.any((x > box[0]) & (x < box[2]) & (y > box[1]) & (y < box[3])))

    def write_probe(self) -> None:
        if self.probe_path:
            Path(self.probe_path).write_text(json.dumps(self.probe()))

    @classmethod
    def expected_seconds(cls) -> float:
        """Length of the video (for the progress bar)."""
        return sum(race_segments(cls.duration, cls.hold))

    # drawing hooks, overridden by the other views
    def add_landscape(self) -> None:
        self.height = HeightField(self.run)
        self.landscape = landscape_3d(self.run, self.stage, self.height)
        self.add(self.landscape)
        aim_camera(self.frame, self.run, 6.0 / self.zoom, self.field_of_view)
        self.start_theta = self.frame.get_theta()
        # The angle follows scene time, so a still (which skips animations) ends where the video does.
        self.frame.shift(0.6 * self.frame.get_inverse_camera_rotation_matrix()[0] * -1)  # clear of the legend
        if not self.fitted and not self.crowds_text():
            self.frame.add_updater(lambda f: f.set_theta(self.start_theta + self.time * self.orbit_rate))
        else:  # the surface fills the room the overlays leave, all the way round its orbit
            points, thetas = self.landscape[0].get_points()[::7], [self.start_theta + t * self.orbit_angle
                                                                   for t in (0, 0.5, 1)]
            if is_wide():  # the frame's height, in the corners the text leaves, else between the text
                self.camera_offset = fit_camera_clear(self.frame, points, self.surface_box(), thetas,
                                                      self.text_boxes(), self.room)
            else:
                self.camera_offset = fit_camera(self.frame, points, self.surface_box(), thetas)
            self.frame.add_updater(lambda f: orbit_to(f, self.start_theta + self.time * self.orbit_rate,
                                                      self.camera_offset))

    def surface_box(self) -> tuple[float, float, float, float]:
        """Where the 3D surface goes when it is fitted (x0, x1, y0, y1): between the overlays, or in 16:9 the
        frame's height left of the cards (the surface clear of the text in its corners)."""
        if not is_wide():
            return self.room
        right = self.room[1] - (0.4 if self.cards_beside else 0.0)  # the tags that ride right of the balls too
        return self.room[0], right, -frame_size()[1] / 2 + 0.2, frame_size()[1] / 2 - 0.2

    def text_boxes(self) -> list[tuple[float, float, float, float]]:
        """What the picture keeps clear of: the overlays' boxes, the caption's and the key's line by line (their
        lines differ in length: the picture may reach into the room beside the shorter ones)."""
        lines = [m for block in (self.caption, self.key) for m in block.get_family() if hasattr(m, "text_role")]
        slots = [g.slot for g in self.glyphs if g.inset_parts()]
        return blocks_boxes([self.legend, self.note_text, self.counter, self.cards, *lines, *slots])

    @property
    def fitted(self) -> bool:
        """The picture fitted into the room the overlays leave: in a square or vertical frame, in 16:9 with
        equation cards or glyphs (the wide layout, the picture at a fixed place, has no room for them); a 3D
        surface is fitted too where at its fixed place it would run under the text (see crowds_text)."""
        return not is_wide() or bool(self.show_equations or self.show_glyphs)

    def crowds_text(self) -> bool:
        """Whether the surface at its fixed place would put a minimum's label under the text (a long formula, a
        tall legend): a minimum within LABEL_REACH of a text's box, seen from anywhere on the orbit."""
        points = np.array([self.marker_point(m.x, m.y) for m in visible_minima(self.run)]).reshape(-1, 3)
        boxes = [(x0, x1, y0 - self.LABEL_REACH, y1 + self.LABEL_REACH) for x0, x1, y0, y1 in self.text_boxes()]
        crowded = False
        for turn in (0.0, 0.5, 1.0):
            self.frame.set_theta(self.start_theta + turn * self.orbit_angle)
            crowded = crowded or bool(len(points)) and inside_any(frame_units(self.frame, points), boxes)
        self.frame.set_theta(self.start_theta)
        return crowded

    LABEL_REACH = 0.5  # how far under its point a minimum's label reaches

    @property
    def orbit_angle(self) -> float:
        """Radians the camera turns over the whole video."""
        return self.orbit_degrees * np.pi / 180

    @property
    def orbit_rate(self) -> float:
        """Radians per second of camera turn."""
        return self.orbit_angle / max(self.duration + self.hold, 1e-6)

    def points_for(self, rank: int):
        """Scene points of parameter points for the path drawn `rank`-th (later ones float a little higher)."""
        lift = LIFT * (1 + 0.25 * rank)
        return on_surface(self.stage, self.height, lift)

    def anchor(self, point: np.ndarray) -> np.ndarray:
        """Where a scene point shows, in the coordinates of the overlays fixed in the frame."""
        width, height = self.camera.get_pixel_shape()
        return screen_point(self.frame, point, width, height)

    def tracer_options(self) -> dict:
        return {}

    def build_overlays(self) -> None:
        """Caption, legend, step counter, note, equations and glyph key, placed; `room` = (left, right, bottom,
        top): what they leave for the picture in a square or vertical frame, `band` its (bottom, top)."""
        width, height = frame_size()
        self.caption = surface_caption(self.run, self.caption_width if is_wide() else width - 0.5)
        self.caption.to_corner(DL, buff=0.25)
        self.fit_caption()
        self.legend = Legend(self.paths, finals=self.held_out()).to_corner(UL, buff=0.25)
        self.counter = StepCounter(self.run.num_steps).to_corner(UR, buff=0.25)
        self.note_text = label(self.note, READOUT, current().dim_text, role="legend") if self.note else VGroup()
        self.cards = VGroup(*(EquationCard(self.run, o, title_size=TITLE) for o in range(len(self.run.meta.optimizers)))
                            if self.show_equations else ())
        self.glyphs = Group(*(StateGlyphs(self.run, p, self.glyph_points, self.glyph_kinds, box=self.GLYPH_BOX)
                              for p in self.paths)
                            if self.show_glyphs else ())
        self.key = self.glyph_rows(None, None) if self.show_glyphs else VGroup()
        self.top_slots = VGroup()  # the squares' and bars' slots when they go under the step counter
        if len(self.cards):
            self.cards.arrange(DOWN, aligned_edge=LEFT, buff=self.CARD_BUFF)
        self.cards_beside = False
        self.place_overlays()
        above = [m for m in (*self.top_row(), self.top_slots) if len(m)]
        below = [m for m in (self.bottom_row(), self.key, *([] if self.cards_beside else self.card_stack()))
                 if len(m)]
        right = min([self.cards.get_left()[0] - 0.2 if self.cards_beside else width / 2 - 0.2,
                     *(m.get_left()[0] - 0.2 for m in self.side_blocks())])
        self.room = (-width / 2 + 0.2, right, max(m.get_top()[1] for m in below) + 0.15,
                     min(m.get_bottom()[1] for m in above) - 0.15)
        self.band = self.room[2:]
        # Order matters for speed: alike mobjects in a row share one fill pass (see Legend).
        self.overlays = VGroup(self.counter, self.caption, self.legend, self.note_text, self.cards, self.key,
                               self.top_slots)

    def held_out(self) -> list[str] | None:
        """Each path's optimizer's accuracy on the held-out split, e.g. '97% held-out' (a network; None else)."""
        optimizers = self.run.meta.optimizers
        if any(o.test_accuracy is None for o in optimizers):
            return None
        return [f"{optimizers[p.index[0]].test_accuracy:.0%} held-out" for p in self.paths]

    def card_stack(self) -> list:
        """What is packed in columns as equation cards are (the cards)."""
        return list(self.cards)

    def side_blocks(self) -> list:
        """What a view puts beside the picture, at the right of its room, in a fitted 16:9 race (nothing here)."""
        return []

    def place_beside_picture(self, right: float, floor: float) -> bool:
        """Put the side blocks at the right of the picture's room, ending at x = `right`, above y = `floor`; whether
        they fit under the text at the top (here: there are none)."""
        return True

    def fit_caption(self) -> None:
        """Make room beside the caption for what shares the bottom of the frame with it (nothing here)."""

    def bottom_row(self) -> VGroup:
        """What sits at the bottom of a square or vertical frame, under the key and the cards: the caption."""
        return self.caption

    def top_row(self) -> list:
        """What sits above the picture in a square or vertical frame: the legend, its note and the step counter."""
        return [self.legend, self.counter, self.note_text]

    CARD_BUFF = 0.3  # between equation cards, at their full size
    GLYPH_BOX = 0.4  # the largest accumulator square, beside the glyph key
    cards_may_go_beside = True  # a column of equation cards at the right edge of a square or vertical frame

    def place_overlays(self) -> None:
        """Equation cards and the glyph key where they leave the picture the most room (`lay_cards`), the key
        above the caption (a 16:9 view that keeps its picture in place: the cards at the right edge)."""
        if self.note:  # under the legend, wherever the view put it
            self.note_text.next_to(self.legend, DOWN, buff=0.15).align_to(self.legend, LEFT)
        if not self.fitted:
            self.cards.set_max_height(5.6).set_max_width(4.6).to_edge(RIGHT, buff=0.25).shift(0.3 * DOWN)
            self.key.to_edge(DOWN, buff=0.12)
            return
        self.left_block = VGroup(self.legend, self.note_text)
        self.captions = {None: self.caption}
        self.stack = VGroup(*self.card_stack())
        for mob in (self.stack, self.left_block, self.counter):
            mob.save_state()
        options = [(False, count) for count in range(1, len(self.stack) + 1)] or [(False, 1)]
        if len(self.cards) and self.cards_may_go_beside:  # in 16:9, in as many columns as it takes
            options += [(True, count) for count in range(1, len(self.cards) + 1 if is_wide() else 2)]
        # the glyph key's slots above it, or beside it in narrower rows; in 16:9 also under the step counter, beside
        # the legend, where they take none of the height the picture has between the legend and the caption (the
        # key above the caption, or in narrow rows right of it)
        options = [(*option, share, False, False) for option in options
                   for share in ((None, 0.8, 0.65, 0.5) if self.show_glyphs else (None,))]
        if self.show_glyphs and is_wide():
            options += [(beside, count, None, True, key_beside) for beside, count, share, *_ in options
                        if share is None for key_beside in (False, True)]
        # in a square or vertical frame, a column beside the picture may also reach the frame's bottom, the caption
        # left of it in more lines
        options = [(*option, False) for option in options] + [(*option, True) for option in options
                                                              if option[0] and not is_wide()]
        # readable first, then the larger picture, then the larger cards
        self.cards_beside, *option = max(options, key=lambda option: self.lay_cards(*option))
        self.lay_cards(self.cards_beside, *option)

    def lay_cards(self, beside: bool, count: int, share: float | None = None, slots_up: bool = False,
                  key_beside: bool = False, low: bool = False) -> tuple[bool, float, float]:
        """Cards in `count` columns above the key, across the frame, or in columns `beside` the picture at the
        right edge down to the caption (the legend shrunk, no further than readable, to clear it; the key under
        the picture); in 16:9 the columns span the frame's height, the step counter left of their top and the
        caption left of them; `share`: how the glyph key is laid out (see glyph_rows), `slots_up`: the squares'
        and bars' slots under the step counter instead (16:9), `key_beside`: then the key in its narrowest rows
        right of the caption, whose formula breaks into more lines to leave it room, `low`: a column beside the
        picture reaches the bottom of a square or vertical frame, the caption left of it; returns (everything
        readable?, the picture's size in the room left, the cards' scale)."""
        width, height = frame_size()
        for mob in (self.stack, self.left_block, self.counter):
            mob.restore()
        self.caption = self.captions[None]
        cards, margin = list(self.stack), -width / 2 + 0.25
        groups = balanced_columns([c.get_height() for c in cards], count, self.CARD_BUFF) if cards else []
        wide = sum(max(cards[i].get_width() for i in g) for g in groups) + self.CARD_BUFF * (len(groups) - 1)
        tall = max((sum(cards[i].get_height() for i in g) + self.CARD_BUFF * (len(g) - 1) for g in groups),
                   default=0.0)
        least = readable_scale(self.stack)
        scale, left = 1.0, width / 2 - 0.25
        if beside:
            if is_wide():
                floor, top = -height / 2 + 0.15, height / 2 - 0.15
            else:
                floor = -height / 2 + 0.15 if low else self.bottom_row().get_top()[1] + 0.2
                top = self.counter.get_bottom()[1] - 0.2
            scale = min(1.0, (top - floor) / tall)
            left = width / 2 - 0.25 - wide * scale
            if is_wide():
                self.counter.move_to([left - 0.3, top, 0.0], aligned_edge=UR)
        ceiling = min(self.left_block.get_bottom()[1], self.counter.get_bottom()[1]) - 0.15
        clear = True  # of the legend
        if beside:
            shown_left, shown_right = shown_span(self.left_block)
            fit = ((self.counter.get_left()[0] if is_wide() else left) - 0.2 - shown_left) / (shown_right - shown_left)
            if fit < 1:  # the legend would run into the column: shrink it, or start the column below it
                if fit >= readable_scale(self.left_block):
                    self.left_block.scale(fit, about_edge=UL)
                    ceiling = self.left_block.get_bottom()[1] - 0.15
                else:
                    clear = not is_wide()  # 16:9: the counter beside the column's top would still run into it
                    top = ceiling
                    scale = min(1.0, (top - floor) / tall)
                    left = width / 2 - 0.25 - wide * scale
            corner = np.array([left, top, 0.0])
        text_right = left - 0.2 if beside else width / 2 - 0.2  # the picture's room ends here
        if is_wide() or low:
            self.caption_within(text_right)
        room_width = text_right - (margin - 0.05)
        if self.show_glyphs:  # in rows as wide as the picture's room, never shrunk
            self.key = glyph_key(self.glyph_kinds, room_width - 0.1) if slots_up else self.glyph_rows(room_width - 0.1,
                                                                                                       share)
            self.top_slots = self.slots_under_counter() if slots_up else VGroup()
            if self.key is None or self.top_slots is None:  # the slots do not fit there: no such layout
                return False, -np.inf, 0.0
            if key_beside:
                self.key = glyph_key(self.glyph_kinds, 0.0)  # one item a row
                self.caption_within(text_right - self.key.get_width() - 0.4)
                self.key.next_to(self.caption, RIGHT, buff=0.4).align_to(self.caption, DOWN)
            else:
                self.key.next_to(self.bottom_row(), UP, buff=0.2).align_to(self.caption, LEFT)
        floor = max(m.get_top()[1] for m in (self.key, self.bottom_row()) if len(m)) + 0.2
        if not beside and cards:
            scale = min(1.0, (width - 0.5) / wide)
            corner = np.array([margin, floor + tall * scale, 0.0])
            floor = corner[1] + 0.15
        self.stack.scale(scale)
        for group in groups:  # each column top-aligned at the corner, the next one to its right
            y = corner[1]
            for i in group:
                cards[i].move_to([corner[0], y, 0.0], aligned_edge=UL)
                y -= cards[i].get_height() + self.CARD_BUFF * scale
            corner = corner + (max(cards[i].get_width() for i in group) + self.CARD_BUFF * scale) * RIGHT
        if is_wide() and cards and not beside:  # the cards above the caption must clear the legend
            clear = floor <= ceiling
        readable = (clear and scale >= least - 1e-6 and self.key.get_width() <= room_width
                    and (not (is_wide() or low) or max(self.caption.get_right()[0], self.key.get_right()[0]
                                                        if len(self.key) else -np.inf) <= text_right + 1e-6))
        if is_wide():  # the largest picture clear of the text, the frame's height beside or above the cards
            readable = readable and self.place_beside_picture(text_right, floor - 0.05)
            region = (margin - 0.05, left - 0.2 if beside else width / 2 - 0.2,
                      floor if cards and not beside else -height / 2 + 0.2, height / 2 - 0.2)
            x0, x1, y0, y1 = largest_clear(region, self.picture_aspect(), self.text_boxes())
            return readable, round(y1 - y0, 2), scale
        return readable, round(min(room_width / self.picture_aspect(), ceiling - floor), 2), scale

    def slots_under_counter(self) -> VGroup | None:
        """The paths' squares' and bars' slots under the step counter, right-aligned with it, in rows that keep
        0.3 clear of the legend (None when the legend leaves too little room)."""
        right, legend = self.counter.get_right()[0], shown_span(self.left_block)[1] + 0.3
        slots = inset_slots(self.glyphs, right - legend)
        if slots.get_width() > right - legend:
            return None
        return slots.next_to(self.counter, DOWN, buff=0.25).align_to(self.counter, RIGHT)

    def caption_within(self, right: float) -> None:
        """The caption at the bottom left, its formula broken into lines that end before x = `right` (made once
        per width)."""
        width = round(right + frame_size()[0] / 2 - 0.25, 2)
        if self.caption.get_right()[0] > right and width not in self.captions:
            self.captions[width] = surface_caption(self.run, width).to_corner(DL, buff=0.25)
        self.caption = self.captions.get(width, self.caption)

    def glyph_rows(self, max_width: float | None, share: float | None) -> VGroup | None:
        """The glyph key and the slots of the paths' squares and bars, together off the picture, no wider than
        `max_width` at full size (shrunk, their labels would be unreadable): the slots above the key (share None),
        or right of the key wrapped to `share` of max_width (None when they do not fit there)."""
        if share is None:
            slots, key = inset_slots(self.glyphs, max_width), glyph_key(self.glyph_kinds, max_width)
            return VGroup(slots, key).arrange(DOWN, aligned_edge=LEFT, buff=0.15) if len(slots) else key
        key = glyph_key(self.glyph_kinds, share * max_width)
        room = max_width - key.get_width() - 0.3
        slots = inset_slots(self.glyphs, room)
        if not len(slots) or slots.get_width() > room:
            return None
        return VGroup(key, slots).arrange(RIGHT, aligned_edge=UP, buff=0.3)

    def glyph_points(self, xy: np.ndarray) -> np.ndarray:
        """Scene points of the glyphs' arrows: above every path (known once the picture is placed)."""
        return self.points_for(len(self.paths))(xy)

    def picture_aspect(self) -> float:
        """Width over height of the picture: the 3D surface as the camera sees it (about)."""
        return 1.6

    def add_overlays(self) -> None:
        self.tags = HeadTags(self.tracers)
        markers = visible_minima(self.run)
        self.marker_labels = VGroup(*(minimum_label(m) for m in markers))
        self.marker_room = [Rectangle() for _ in markers]  # unseen: what the name tags keep clear of
        self.marker_points = [self.marker_point(m.x, m.y) for m in markers]
        self.overlays.add(self.marker_labels, self.tags)
        self.overlays.fix_in_frame()
        insets = [part.fix_in_frame() for g in self.glyphs for part in g.inset_parts()]  # in their slots
        for g in self.glyphs:
            if g.inset_parts():
                g.place_inset()
        if self.fitted:
            keep_stroke_widths(self.overlays)
            for part in insets:
                keep_stroke_widths(part)
        self.add(self.glyphs, self.overlays)

    def marker_point(self, x: float, y: float) -> np.ndarray:
        return self.stage.to_3d(x, y, self.height(np.array([x]), np.array([y]))[0], 2 * LIFT)

    def show_time(self, tau: float) -> None:
        """Bring every live element to step tau; pinned labels follow their 3D points."""
        for mob in (*self.tracers, *self.glyphs):
            mob.show(tau)
        self.legend.show(tau)
        self.counter.show(tau)
        below_points(self.marker_labels, [self.anchor(point) for point in self.marker_points], self.room[2])
        slide_inside(self.marker_labels, self.inside())  # a minimum at the map's edge, by the frame's
        # beside the balls and end marks, wherever the camera has turned; clear of cards and charts beside the picture
        self.tags.show(tau, self.anchor, self.tag_limit(),
                       [*self.around_markers(), *(g.slot for g in self.glyphs if g.inset_parts())],
                       inside=self.inside())

    def inside(self) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1) that name tags and end notes stay within: the frame, 0.1 in from its edges."""
        width, height = frame_size()
        return -width / 2 + 0.1, width / 2 - 0.1, -height / 2 + 0.1, height / 2 - 0.1

    TAG_GAP = 0.2  # between a name tag and a minimum's label: closer, on one line, the two read as one phrase

    def around_markers(self) -> list:
        """Boxes TAG_GAP larger all round than the minima's labels, where they are now."""
        for room, mob in zip(self.marker_room, self.marker_labels):
            room.set_width(mob.get_width() + 2 * self.TAG_GAP, stretch=True)
            room.set_height(mob.get_height() + 2 * self.TAG_GAP, stretch=True).move_to(mob)
        return self.marker_room

    def tag_limit(self) -> float | None:
        """x that name tags turn left of their ball rather than reach past: 0.1 left of the cards and the side blocks
        beside the picture (None: there are none)."""
        edges = [m.get_left()[0] for m in ([self.cards] if self.cards_beside else []) + self.side_blocks()]
        return min(edges) - 0.1 if edges else None


class ContourScene(RaceScene):
    """The same race seen from above: filled contours of the surface with the paths (the classic 2D view)."""

    map_size: float = 7.35  # the frame's height, less the tick labels below (16:9)
    caption_width = 5.9
    map_center = 3.05 * LEFT + 0.17 * UP
    TICKS = 0.45  # room for the map's tick labels, left and below

    @property
    def fitted(self) -> bool:
        """Always: the map, with its tick labels, in the largest room the text leaves (in 16:9 right of the legend
        and the caption)."""
        return True

    def place_overlays(self) -> None:
        super().place_overlays()
        if is_wide() and not len(self.cards) and not self.show_glyphs:
            # the step counter under the legend, so that the map beside them takes the frame's whole height; it
            # grows leftwards as digits are added (anchored at its right), so it is placed as wide as it will be
            final = StepCounter(self.run.num_steps)
            final.show(self.run.num_steps)
            below = VGroup(self.legend, self.note_text) if len(self.note_text) else self.legend
            self.counter.next_to(below, DOWN, buff=0.3).align_to(self.legend, LEFT).shift(
                (final.get_width() - self.counter.get_width()) * RIGHT)

    def text_boxes(self) -> list[tuple[float, float, float, float]]:
        """As the race's, the legend only as wide as its text ever shows (its box holds an end note for every path,
        unseen for those that run to the end, which would take the map's room)."""
        x0, _, y0, y1 = blocks_boxes([self.legend])[0]
        return [(x0, self.legend.reach() + 0.1, y0, y1), *super().text_boxes()[1:]]

    def add_landscape(self) -> None:
        if self.fitted:
            self.map_size, self.map_center = self.map_in_band()
        self.map = contour_map(self.run, self.stage, self.map_size, self.map_center)
        self.add(self.map)
        self.add(minima_markers(self.run, self.map_point))

    def map_point(self, x, y):
        return self.stage.to_map(x, y, self.map_size) + self.map_center

    def picture_pixels(self, width: int, height: int) -> list[float]:
        """The pixel box of the map itself (its image, not its tick labels)."""
        corners = np.array([self.map[0].get_corner(DL), self.map[0].get_corner(UR)])
        seen = project_to_pixels(self.frame, corners, width, height)
        return [*seen.min(axis=0).tolist(), *seen.max(axis=0).tolist()]

    def shows_in(self, box: list[float], width: int, height: int) -> bool:
        """Whether the map's image reaches into a frame box [left, bottom, right, top] (shares of the frame)."""
        left, top, right, bottom = np.array(self.picture_pixels(width, height)) / [width, height, width, height]
        return bool(left < box[2] and box[0] < right and 1 - bottom < box[3] and box[1] < 1 - top)

    def points_for(self, rank: int):
        return lambda xy, f=None: self.map_point(xy[:, 0], xy[:, 1])

    def marker_point(self, x: float, y: float) -> np.ndarray:
        return self.map_point(np.array([x]), np.array([y]))[0]

    def map_in_band(self) -> tuple[float, np.ndarray]:
        """(size, centre) of the map in a square or vertical frame: as large as the room between the overlays
        allows, with its tick labels left of and below it (in 16:9: the largest clear of the text, the frame's
        height left of the cards)."""
        left, right, bottom, top = self.room
        if is_wide():
            left, right, bottom, top = largest_clear(self.surface_box(), self.picture_aspect(), self.text_boxes())
        xmin, xmax, ymin, ymax = self.stage.domain
        longer = max(xmax - xmin, ymax - ymin)
        beside, below = self.tick_margins()
        room_w, room_h = right - left - 0.1 - beside, top - bottom - below
        size = min(room_w * longer / (xmax - xmin), room_h * longer / (ymax - ymin))
        return size, np.array([(left + right + beside) / 2, (top + bottom + below) / 2, 0.0])

    def tick_margins(self) -> tuple[float, float]:
        """(left, below): how far the map's tick labels and axis names reach out of its frame, at least TICKS (a
        network's slice has long ticks such as "−14"; they do not grow with the map)."""
        drawn = map_frame(self.run, self.stage, self.map_size)
        rect = drawn[0]
        return (max(self.TICKS, rect.get_left()[0] - drawn.get_left()[0] + 0.05),
                max(self.TICKS, rect.get_bottom()[1] - drawn.get_bottom()[1] + 0.05))

    def picture_aspect(self) -> float:
        """The map's width over its height: its domain's."""
        xmin, xmax, ymin, ymax = self.stage.domain
        return (xmax - xmin) / (ymax - ymin)

    def tracer_options(self) -> dict:
        return {"three_d": False, "ball_radius": 0.06}


class SplitScene(RaceScene):
    """The 3D race on the left, loss-vs-step curves for every optimizer on the right, growing in sync."""

    orbit_degrees: float = 20.0
    zoom: float = 0.72
    shift: float = 2.2  # scene units the 3D race moves left on screen

    @property
    def fitted(self) -> bool:
        """Always: the race in the room the chart and the text leave (a long formula runs under a chart at a fixed
        place)."""
        return True

    @property
    def cards_may_go_beside(self) -> bool:
        """In 16:9 the cards take a column at the right edge, the chart beside the picture; in a square or vertical
        frame the chart is packed with them."""
        return is_wide() or self.chart_in_stack

    def add_landscape(self) -> None:
        super().add_landscape()
        if is_wide() and not self.fitted:  # the race keeps its place left of the chart
            self.frame.clear_updaters()
            self.frame.add_updater(self.orbit_beside_chart)
            self.orbit_beside_chart(self.frame)

    def orbit_beside_chart(self, frame):
        orbit_to(frame, self.start_theta + self.time * self.orbit_rate, (self.shift / self.zoom, 0.0))

    CHART_IN_SQUARE = (2.3, 1.6)  # the chart's box in a square frame: in the bottom right corner, the race wide
    # the chart's box in a fitted 16:9 race, right of the picture and above the caption: beside the column of
    # cards, or at the frame's right edge
    CHART_BY_CARDS, CHART_AT_EDGE = (3.0, 2.4), (4.0, 2.6)
    CHART_IN_STACK = (3.0, 1.6)  # the chart's box packed with the equation cards (a square or vertical frame)

    @property
    def chart_in_stack(self) -> bool:
        """In a square or vertical frame with equation cards, the chart is packed in their columns (one more card):
        below the race or beside the caption, under the cards, it would leave the race little of the frame's
        height."""
        return not is_wide() and bool(self.show_equations)

    def card_stack(self) -> list:
        return [*self.cards, *([self.chart] if self.chart_in_stack else [])]

    def chart_in_corner(self) -> bool:
        """The chart in the bottom right corner of a square frame, the legend and the caption left of it."""
        return self.is_square() and not self.chart_in_stack

    def blocks(self) -> list[tuple[str, Mobject]]:
        return [*super().blocks(), ("chart", self.chart)]

    def side_blocks(self) -> list:
        """The chart, in a fitted 16:9 race."""
        return [self.chart] if is_wide() and self.fitted else []

    def place_beside_picture(self, right: float, floor: float) -> bool:
        """The chart right of the picture, ending at x = `right`, its bottom at y = `floor` (above the caption and
        the key): whether it keeps 0.15 clear of the step counter and the slots under it."""
        if not self.side_blocks():
            return True
        self.chart.move_to([right, floor, 0.0], aligned_edge=DR)
        ceiling = min(m.get_bottom()[1] for m in (self.counter, self.top_slots) if len(m))
        return self.chart.get_top()[1] <= ceiling - 0.15

    def text_boxes(self) -> list[tuple[float, float, float, float]]:
        return [*super().text_boxes(), *blocks_boxes(self.side_blocks())]

    @staticmethod
    def is_square() -> bool:
        width, height = frame_size()
        return not is_wide() and height <= width

    def fit_caption(self) -> None:
        """In a square frame the chart takes the bottom right corner: the caption, left of it, shrinks to fit
        (no further than readable) or breaks its formula into more lines; in a fitted 16:9 race the chart is
        made here, to be placed with the cards."""
        if is_wide() and self.fitted or self.chart_in_stack:  # placed with the cards
            size = (self.CHART_BY_CARDS if self.show_equations else self.CHART_AT_EDGE) if is_wide() else \
                self.CHART_IN_STACK
            self.chart = LossChart(self.paths, self.run.num_steps, *size)
        if not self.chart_in_corner():
            return
        self.chart = LossChart(self.paths, self.run.num_steps, *self.CHART_IN_SQUARE).to_corner(DR, buff=0.25)
        room = self.chart_room()
        least = readable_scale(self.caption)
        if self.caption.get_width() * least > room:  # too wide even when shrunk: lines that fit once shrunk
            self.caption = surface_caption(self.run, room / least).to_corner(DL, buff=0.25)
        self.caption.scale(max(least, min(1.0, room / self.caption.get_width())), about_edge=DL)

    def chart_room(self) -> float:
        """Width left of the square frame's chart, for the caption and the legend."""
        return self.chart.get_left()[0] - 0.3 - (-frame_size()[0] / 2 + 0.25)

    def place_overlays(self) -> None:
        """In a square frame the legend (and note) above the caption, left of the chart, shrunk like the caption:
        the race above them takes the frame's width and reaches up to the step counter."""
        if self.chart_in_corner():
            if self.note:
                self.note_text.next_to(self.legend, DOWN, buff=0.15).align_to(self.legend, LEFT)
            block = VGroup(self.legend, self.note_text)
            shown_left, shown_right = shown_span(block)
            block.scale(max(readable_scale(block), min(1.0, self.chart_room() / (shown_right - shown_left))))
            block.next_to(self.caption, UP, buff=0.25).align_to(self.caption, LEFT)
        super().place_overlays()

    def bottom_row(self) -> VGroup:
        return VGroup(self.caption, self.legend, self.note_text, self.chart) if self.chart_in_corner() else self.caption

    def top_row(self) -> list:
        return [self.counter] if self.chart_in_corner() else super().top_row()

    def build_overlays(self) -> None:
        """The chart right of the race (16:9; with cards or glyphs right of the picture, above the caption), beside
        the caption under the race (1:1), below the race (9:16), or with the equation cards."""
        super().build_overlays()
        width, height = frame_size()
        bottom, top = self.band
        if is_wide() and not self.fitted:
            self.chart = LossChart(self.paths, self.run.num_steps, width=5.0, height=3.6)
            self.chart.to_edge(RIGHT, buff=0.45).shift(0.2 * DOWN)
        elif height > width and not self.chart_in_stack:
            self.chart = LossChart(self.paths, self.run.num_steps, width=width - 1.9, height=min(3.2, 0.3 * height))
            self.chart.to_edge(RIGHT, buff=0.45).set_y(bottom + 0.1 + self.chart.get_height() / 2)
            self.band = (self.chart.get_top()[1] + 0.3, top)
            self.room = (*self.room[:2], *self.band)
        # packed with the cards, the chart may have been scaled: its curves span its box as it is now
        self.chart.w, self.chart.h = self.chart.box.get_width(), self.chart.box.get_height()

    def add_overlays(self) -> None:
        super().add_overlays()
        self.chart.fix_in_frame()
        if self.fitted:
            keep_stroke_widths(self.chart)
        self.add(self.chart)

    def show_time(self, tau: float) -> None:
        super().show_time(tau)
        self.chart.show(tau)


VIEWS = {"3d": RaceScene, "contour": ContourScene, "split": SplitScene}
