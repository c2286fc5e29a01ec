"""Static layers: what has not changed since the last frame is drawn once, with its colour and depth kept.

ManimGL draws a frame as batches (runs of mobjects sharing a shader: all their fills, then all their strokes)
in order over the background. Here every batch is split into what has not changed since the last frame and what
has; the unchanged parts of every batch are drawn once into a framebuffer of their own, colour and depth, while
the camera holds still, and each frame copies it and draws the changed parts over it in their order,
depth-tested against the kept depth, so a path still hides behind the surface. A mobject set again to the
data it was last drawn with (a finished path redrawn to its end, a label placed where it stood) has not changed,
and one that draws nothing (every alpha zero: a legend's end note waiting to show) is left out.

Drawing a changed part after unchanged ones it used to precede (or share a batch with) changes no pixel when
their boxes on screen (scenes/screen_box.py) do not meet; an unchanged mobject whose box meets a changed one's
at or after its batch is drawn with the changed ones, in its place. A test compares frames with the full draw
(`LOSSCAPE_STATIC_LAYERS=0`) pixel for pixel.
"""

import os
from itertools import groupby

import numpy as np

from .fill_cache import same_bits
from .framebuffers import copy_pixels
from .screen_box import pixel_boxes, reach, view_matrix

EVERYWHERE = (-1, -1, 1 << 30, 1 << 30)  # the box of what may touch any pixel
RECENT_FRAMES = 30  # a mobject that changed this recently is drawn as moving: a digit that flips every few
# frames would otherwise have the kept layer redrawn each time it settles
STREAK_FRAMES = 3  # ... but one that changed in consecutive frames (a growing path) only this recently: when a
# streak ends it has most likely stopped for good (a race's closing hold), and one redraw of the kept layer
# costs less than drawing it as moving for RECENT_FRAMES more frames


def uniforms_signature(holders) -> bytes:
    """Every uniform of the holders as bytes: a change of shading or clip plane is no data change."""
    return b"".join(np.asarray(value, dtype=float).tobytes()
                    for holder in holders for value in holder.uniforms.values())


def signature(view: bytes, batches: list[list]) -> tuple:
    """What the batches draw, when their mobjects' data has not changed: the camera, their order, their
    uniforms."""
    return view, tuple(tuple(map(id, b)) for b in batches), uniforms_signature([m for b in batches for m in b])


def settle(moving: np.ndarray, boxes: np.ndarray, batch: np.ndarray) -> np.ndarray:
    """Moving mobjects, plus every still one that must be drawn with them: its box meets a moving one's and it
    is in the same batch or a later one (drawing the moving one after it would change their overlap); and so on,
    from those pulled in, until none is added."""
    lo, hi = boxes[:, None, :2], boxes[:, None, 2:]
    meets = ((boxes[None, :, :2] < hi) & (lo < boxes[None, :, 2:])).all(axis=2)  # [i, j]: the boxes of i and j meet
    pulls = meets & (batch[None, :] >= batch[:, None])  # [i, j]: a moving i pulls j in
    moving = moving.copy()
    while (new := pulls[moving].any(axis=0) & ~moving).any():
        moving |= new
    return moving


class StaticLayers:
    """A camera's capture that keeps the unchanged part of the frame as a drawn framebuffer."""

    def __init__(self, camera):
        self.camera = camera
        self.layer = camera.get_fbo(samples=camera.samples)  # same size and samples: a plain copy between them
        self.key = None  # what the kept layer shows: the camera's uniforms, its batches and their uniforms
        self.view = None  # the camera's uniforms in the last frame
        # id(mobject) -> (is_fixed_in_frame, box, the frame it was placed in, the camera it was placed by,
        # (lowest point, highest point, the camera's zoom, reach): what the box was computed from)
        self.placed = {}
        self.changed = {}  # id(mobject) -> (the frame it last changed in, for how many frames it counts as moving)
        self.frame = 0
        self.shown = set()  # ids of the mobjects in the last frame
        self.seen = {}  # id(mobject) -> its data as last drawn (for those shown in the last frame)
        # id(wrapper) -> (ids of the batch whose data it holds, the frame it was read in): only this camera reads
        # data into the wrappers while it draws (the render process steps through frames without drawing only
        # before its first drawn frame, when every mobject that changed still has its flag set)
        self.read = {}
        self.frames = {"kept": 0, "redrawn": 0, "turning": 0, "full": 0, "repeated": 0}
        self.shows = None  # what the last frame showed: its kept layer's key, its moving parts and their uniforms
        self.repeats = False  # whether the last frame captured shows what the one before it showed
        self.set_again = 0  # times a mobject was set to the data it had, and so counted as still
        self.unseen = 0  # times a mobject that draws nothing was left out of its batch
        self.clear = {}  # id(mobject) -> (mobject, whether it is transparent), for the last frame's mobjects

    def batches(self, groups) -> list[list]:
        """The frame's batches in drawing order: each render group's mobjects with points, split by shader, less
        those that draw nothing: transparent, and not depth-tested (see transparent)."""
        ctx = self.camera.ctx
        # Mobjects with no shader program draw nothing; the camera's frame among them reads its flag to know when to
        # recompute its view, so it is left alone.
        drawn = [m for group in groups for m in group.family_members_with_points() if m.get_shader_wrapper(ctx).programs]
        # Whether a mobject is transparent changes only with its data: asked again only then (the mobject is held
        # with the answer, so that its id is not reused meanwhile).
        clear = {}
        for m in drawn:
            known = self.clear.get(id(m))
            clear[id(m)] = known if known and known[0] is m and not m._data_has_changed else (m, transparent(m))
        self.clear = clear
        # Unseen ones are dropped only once the batches are formed: two batches they parted stay two passes.
        batches = [list(batch) for _, batch in groupby(drawn, lambda m: m.get_shader_wrapper(ctx).get_id())]
        visible = [[m for m in batch if m.depth_test or not clear[id(m)][1]] for batch in batches]
        self.unseen += sum(map(len, batches)) - sum(map(len, visible))
        return [batch for batch in visible if batch]

    def boxes(self, mobjects) -> np.ndarray:
        """The mobjects' pixel boxes, (n, 4); each kept while its mobject does not change and the camera holds
        still (fixed in the frame: does not zoom), and within a frame, where settling and splitting both ask.
        Those not kept are computed together (screen_box.pixel_boxes), from extents kept while the data is."""
        u = self.camera.uniforms
        zoom = (u["frame_scale"], tuple(u["frame_rescale_factors"]))
        out = np.empty((len(mobjects), 4), dtype=np.int64)
        todo, extents = [], []
        for i, mobject in enumerate(mobjects):
            fixed = float(mobject.uniforms.get("is_fixed_in_frame", 0.0))
            place = zoom if fixed == 1.0 else self.view
            kept = self.placed.get(id(mobject))
            same = kept is not None and (kept[2] == self.frame or not mobject._data_has_changed)
            if same and kept[0] == fixed and kept[3] == place:
                out[i] = kept[1]
                continue
            # A turning camera moves every box, but a mobject's extent and reach change only with its data.
            if same and kept[4][2] == zoom:
                extents.append(kept[4])
            else:
                points = mobject.get_points()
                extents.append((points.min(axis=0), points.max(axis=0), zoom, reach(mobject, zoom[0])))
            todo.append((i, mobject, fixed, place))
        if todo:
            boxes = pixel_boxes(np.array([e[:2] for e in extents]), np.array([e[3] for e in extents]),
                                np.array([fixed for _, _, fixed, _ in todo]), view_matrix(u["view"]),
                                np.array(u["frame_rescale_factors"]), self.camera.fbo.size)
            boxes[boxes[:, 0] < 0] = EVERYWHERE
            for (i, mobject, fixed, place), box, extent in zip(todo, boxes, extents):
                out[i] = box
                self.placed[id(mobject)] = (fixed, box, self.frame, place, extent)
        return out

    def recent(self, mobject) -> bool:
        """Whether the mobject changed recently enough to be drawn as moving (RECENT_FRAMES, STREAK_FRAMES)."""
        last, frames = self.changed.get(id(mobject), (0, 0))
        return self.frame - last < frames

    def capture(self, *groups) -> None:
        camera = self.camera
        camera.refresh_uniforms()
        view = uniforms_signature([camera])
        turned = view != self.view
        self.view = view
        batches = self.batches(groups)
        mobjects = [m for batch in batches for m in batch]
        # ManimGL sets a mobject's flag whenever its data changes (its own draw of a render group clears only
        # the group's); it is cleared here once the frame is drawn, so a set flag means "changed since".
        self.frame += 1
        shown = set(map(id, mobjects))
        for m in mobjects:  # a mobject's first frame sets its flag too, but that is no sign it will move
            if m._data_has_changed and id(m) in self.shown:
                seen = self.seen.get(id(m))
                if seen is not None and same_bits(seen, m.data):
                    # Set again to what it was (a label placed where it stood, a finished path redrawn to its
                    # end): the same data draws the same, and as still it can join the kept layer.
                    m._data_has_changed = False
                    self.set_again += 1
                else:
                    last = self.changed.get(id(m), (None,))[0]
                    self.changed[id(m)] = (self.frame, STREAK_FRAMES if last == self.frame - 1 else RECENT_FRAMES)
        self.shown = shown
        moving = np.array([m._data_has_changed or self.recent(m) for m in mobjects])
        if moving.any() and not moving.all():
            index = np.repeat(np.arange(len(batches)), [len(b) for b in batches])
            moving = settle(moving, self.boxes(mobjects), index)
        still, live = split(batches, moving)
        live = [part for batch in live for part in apart(batch, [tuple(b) for b in self.boxes(batch)])]
        # (a turning camera's frames all differ: their keys are not asked for)
        key = None if turned else signature(view, still)
        shows = None if turned else (key, signature(view, live))
        # Nothing changed since the last frame: the framebuffer still holds it, and drawing it again would give
        # the same pixels (the render process then hands on the bytes it read last).
        self.repeats = shows is not None and shows == self.shows and not any(
            m._data_has_changed for b in live for m in b)
        self.shows = shows
        if self.repeats:
            self.frames["repeated"] += 1
            return
        if still and turned and self.key is not None and self.key[0] != view:
            # The camera turns (again): a layer kept now would be stale next frame, so the still part is drawn
            # straight into the frame, as the layer would have been and then copied.
            self.frames["turning"] += 1
            camera.fbo.clear(*camera.background_rgba)
            self.draw(camera.fbo, still)
        elif still:
            key = key or signature(view, still)
            if key != self.key:
                self.frames["redrawn"] += 1
                self.layer.clear(*camera.background_rgba)
                self.draw(self.layer, still)
                self.key = key
            else:
                self.frames["kept"] += 1
            copy_pixels(self.layer, camera.fbo, self.layer.viewport, camera.fbo.viewport, depth=True)
        else:
            self.frames["full"] += 1
            camera.fbo.clear(*camera.background_rgba)
        self.draw(camera.fbo, live)
        self.seen = {i: data for i, data in self.seen.items() if i in shown}
        for mobject in mobjects:
            if mobject._data_has_changed:  # drawn from this data (the draw completes it: joint angles, normals)
                self.seen[id(mobject)] = mobject.data.copy()
            mobject._data_has_changed = False

    def draw(self, fbo, batches) -> None:
        """What a render group's draw does, batch by batch: read the data in (unless the wrapper holds this
        batch's data already), set uniforms, draw."""
        fbo.use()
        ctx, uniforms = self.camera.ctx, self.camera.uniforms
        for batch in batches:
            wrapper = batch[0].get_shader_wrapper(ctx)
            ids = tuple(map(id, batch))
            read = self.read.get(id(wrapper))
            if read is None or read[0] != ids or any(m._data_has_changed or self.changed.get(id(m), (-1,))[0] > read[1]
                                                     for m in batch):
                wrapper.read_in([m.get_shader_data() for m in batch])
                self.read[id(wrapper)] = (ids, self.frame)
            wrapper.update_program_uniforms(uniforms)
            wrapper.pre_render()
            wrapper.render()


def transparent(mobject) -> bool:
    """A VMobject whose every fill and stroke alpha is zero. Unless depth-tested, it draws nothing: its fill
    fragments are discarded, its fill border adds premultiplied zeros under a max blend, its stroke blends in at
    alpha zero; only with the depth test would it write depth. (A legend's end notes wait unseen over its
    numbers.)"""
    data = mobject.data
    names = data.dtype.names
    return ("fill_rgba" in names and "stroke_rgba" in names and len(data) > 0
            and not data["fill_rgba"][:, 3].any() and not data["stroke_rgba"][:, 3].any())


def split(batches: list[list], moving: np.ndarray) -> tuple[list[list], list[list]]:
    """Each batch's still part and moving part, batches kept apart and in order (empty parts dropped)."""
    still, live, at = [], [], 0
    for batch in batches:
        flags = moving[at:at + len(batch)]
        at += len(batch)
        still.append([m for m, f in zip(batch, flags) if not f])
        live.append([m for m, f in zip(batch, flags) if f])
    return [b for b in still if b], [b for b in live if b]


PASS_PIXELS = 50_000  # what one more draw costs, in pixels of a fill pass's box (measured on llvmpipe)


def area(box) -> int:
    return max(box[2] - box[0], 0) * max(box[3] - box[1], 0)


def meet(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def union(a, b) -> tuple:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def apart(batch: list, boxes: list) -> list[list]:
    """The batch as parts drawn one after another, cheaper than one draw over their joint box: a fill pass costs
    the area of its box. Mobjects whose boxes meet stay in one part, in order; parts whose boxes do not meet
    draw the same pixels in either order, and a part joined back is the batch's own order again."""
    parts = []  # [box, indices]
    for i, box in enumerate(boxes):
        part = [box, [i]]
        while meeting := [p for p in parts if meet(p[0], part[0])]:  # a joined box may meet more parts
            for p in meeting:
                parts.remove(p)
                part = [union(part[0], p[0]), sorted(part[1] + p[1])]
        parts.append(part)
    merged = True
    while merged and len(parts) > 1:  # join the pair that saves most while joining saves anything
        merged = False
        best = min(((area(union(a[0], b[0])) - area(a[0]) - area(b[0]), x, y) for x, a in enumerate(parts)
                    for y, b in enumerate(parts) if x < y), default=None)
        if best and best[0] < PASS_PIXELS:
            _, x, y = best
            a, b = parts[x], parts.pop(y)
            parts[x] = [union(a[0], b[0]), sorted(a[1] + b[1])]
            merged = True
    return [[batch[i] for i in indices] for _, indices in parts]


def use_static_layers(camera) -> StaticLayers | None:
    """Give an off-screen camera static layers (`LOSSCAPE_STATIC_LAYERS=0`: the full draw every frame)."""
    if camera.window is not None or os.environ.get("LOSSCAPE_STATIC_LAYERS") == "0":
        return None
    layers = StaticLayers(camera)
    camera.capture = layers.capture
    return layers
