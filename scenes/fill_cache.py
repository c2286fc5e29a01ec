"""Fill canvases kept: a fill pass whose vertices and uniforms are those of an earlier pass reuses its canvas.

ManimGL draws a VMobject's fill into an off-screen canvas (twice the frame's size per side, floating point, so
that the winding of its triangles cancels) and then composites that canvas onto the frame. The canvas depends
only on the pass's vertices, its program's uniforms and the box it is clipped to; for text fixed in the frame
that is all the same from frame to frame even while the camera turns, yet it was drawn again each time, the
largest cost of an orbiting frame. Here a pass seen twice has its canvas (the box of it) copied aside, and the
next identical pass copies it back and only composites. Passes that test depth are left alone: their canvas
comes with a depth texture.
"""

from collections import OrderedDict

import moderngl
import numpy as np
from OpenGL import GL as gl

from .framebuffers import copy_pixels

BUDGET_TEXELS = 4 * 1920 * 1080  # kept canvases in all, in texels of the doubled canvas (8 bytes each): 66 MB
PASSES = 64  # wrappers whose last pass is remembered (a copy of its vertices each)
# The camera's position does not reach what a fixed mobject's fill draws: its view is the identity whatever the
# camera (scenes/headless.py), and finalize_color ignores camera and light when shading is zero.
CAMERA_ONLY = ("camera_position", "light_position")


class Kept:
    """A canvas box copied aside, with what drew it."""

    def __init__(self, wrapper, uniforms: tuple, box: tuple):
        self.wrapper = wrapper  # held, so that its id is not reused while it is remembered
        self.data, self.uniforms, self.box = wrapper.vert_data.copy(), uniforms, box
        self.fbo = None


class FillCache:
    """Per shader wrapper, the last fill pass it drew and, once one repeats, its canvas."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.kept: OrderedDict[int, Kept] = OrderedDict()  # id(wrapper) -> Kept, least recently used first
        self.passes = {"composited": 0, "drawn": 0}

    def render(self, wrapper, box: tuple, draw) -> None:
        """The wrapper's fill pass clipped to box (x, y, w, h), drawn by draw() or composited from its canvas."""
        if wrapper.depth_test:
            self.passes["drawn"] += 1
            return draw()
        uniforms = signature(wrapper)
        kept = self.kept.get(id(wrapper))
        same = (kept is not None and kept.box == box and kept.uniforms == uniforms
                and np.array_equal(kept.data, wrapper.vert_data))
        if same:
            self.kept.move_to_end(id(wrapper))
            if kept.fbo is not None:
                self.passes["composited"] += 1
                return composite(wrapper, kept, box)
        self.passes["drawn"] += 1
        draw()
        if same:
            self.keep(wrapper, kept, box)
        else:
            self.forget(id(wrapper))
            self.kept[id(wrapper)] = Kept(wrapper, uniforms, box)
            while len(self.kept) > PASSES:
                self.forget(next(iter(self.kept)))
        return None

    def keep(self, wrapper, kept: Kept, box: tuple) -> None:
        """Copy the canvas's box aside, making room under the budget by dropping the least recently used."""
        texels = 4 * box[2] * box[3]
        if texels > BUDGET_TEXELS:
            return
        while sum(4 * k.box[2] * k.box[3] for k in self.kept.values() if k.fbo) + texels > BUDGET_TEXELS:
            self.forget(next(i for i, k in self.kept.items() if k.fbo))
        canvas = wrapper.fill_canvas[0]
        texture = wrapper.ctx.texture((2 * box[2], 2 * box[3]), 4, dtype="f2")
        kept.fbo = wrapper.ctx.framebuffer(texture)
        copy_pixels(canvas, kept.fbo, doubled(box), (0, 0, 2 * box[2], 2 * box[3]))

    def forget(self, key: int) -> None:
        kept = self.kept.pop(key, None)
        if kept is not None and kept.fbo is not None:
            for texture in kept.fbo.color_attachments:
                texture.release()
            kept.fbo.release()


def signature(wrapper) -> tuple:
    """The uniforms the fill program was given, less the camera's position where it cannot matter."""
    program = wrapper.fill_program
    fixed = float(wrapper.mobject_uniforms.get("is_fixed_in_frame", 0.0)) == 1.0
    flat = not np.any(wrapper.mobject_uniforms.get("shading", 0.0))
    skip = CAMERA_ONLY if fixed and flat else ()
    return tuple((name, np.asarray(program[name].value).tobytes()) for name in program
                 if name not in skip and isinstance(program[name], moderngl.Uniform))


CACHES: list[FillCache] = []  # the current context's, one at a time (each scene has its own context)


def cache_for(ctx) -> FillCache:
    if not CACHES or CACHES[0].ctx is not ctx:
        CACHES[:] = [FillCache(ctx)]
    return CACHES[0]


def doubled(box: tuple) -> tuple:
    x, y, w, h = box
    return (2 * x, 2 * y, 2 * x + 2 * w, 2 * y + 2 * h)


def composite(wrapper, kept: Kept, box: tuple) -> None:
    """The last step of ManimGL's fill pass (VShaderWrapper.render_fill) on a canvas copied back: premultiplied
    blend of the canvas onto the frame, clipped to box."""
    target = wrapper.ctx.fbo
    canvas, canvas_vao, _ = wrapper.fill_canvas
    copy_pixels(kept.fbo, canvas, (0, 0, 2 * box[2], 2 * box[3]), doubled(box))
    target.use()
    target.scissor = box
    try:
        gl.glBlendFunc(gl.GL_ONE, gl.GL_ONE_MINUS_SRC_ALPHA)
        gl.glBlendEquation(gl.GL_FUNC_ADD)
        canvas_vao.render()
        gl.glBlendFunc(gl.GL_SRC_ALPHA, gl.GL_ONE_MINUS_SRC_ALPHA)
    finally:
        target.scissor = None
        target.use()
