"""Fill passes kept: a fill pass whose vertices and uniforms are those of an earlier pass blends what it blended.

ManimGL draws a VMobject's fill into an off-screen canvas (twice the frame's size per side, floating point, so
that the winding of its triangles cancels) and then composites that canvas onto the frame: a quad whose fragment
shader filters the canvas down to the frame's pixels and blends them in (premultiplied). That fragment colour
depends only on the pass's vertices, its program's uniforms and the box it is clipped to; for text fixed in the
frame that is all the same from frame to frame even while the camera turns, yet it was drawn again each time, the
largest cost of an orbiting frame. Here a pass seen twice has the colours its quad emitted kept, exactly (32-bit
floats, one texel per frame pixel of its box), and the next identical pass blends those in with the same blend:
the same fragments, so the same pixels, for a quarter of the texels and no filtering. Passes that test depth are
left alone: their quad also writes the canvas's depth.
"""

from collections import OrderedDict

import moderngl
import numpy as np
from OpenGL import GL as gl

from .framebuffers import copy_pixels

BUDGET_TEXELS = 2 * 1920 * 1080  # kept colours in all, in texels (16 bytes each): 66 MB
PASSES = 64  # wrappers whose last pass is remembered (a copy of its vertices each)
# The camera's position does not reach what a fixed mobject's fill draws: its view is the identity whatever the
# camera (scenes/headless.py), and finalize_color ignores camera and light when shading is zero.
CAMERA_ONLY = ("camera_position", "light_position")


class Kept:
    """The colours a fill pass's quad emitted over its box, with what drew them."""

    def __init__(self, wrapper, uniforms: tuple, box: tuple):
        self.wrapper = wrapper  # held, so that its id is not reused while it is remembered
        self.data, self.uniforms, self.box = wrapper.vert_data.copy(), uniforms, box
        self.fbo = None


class FillCache:
    """Per shader wrapper, the last fill pass it drew and, once one repeats, the colours it blended."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.replay = None  # (program, vao): blends kept colours in, made on first use
        self.scratch = None  # the frame's size in 32-bit floats: where a pass's colours are recorded
        self.kept: OrderedDict[int, Kept] = OrderedDict()  # id(wrapper) -> Kept, least recently used first
        self.passes = {"composited": 0, "drawn": 0}

    def render(self, wrapper, box: tuple, draw) -> None:
        """The wrapper's fill pass clipped to box (x, y, w, h), drawn by draw() or blended from kept colours."""
        if wrapper.depth_test:
            self.passes["drawn"] += 1
            return draw()
        uniforms = signature(wrapper)
        kept = self.kept.get(id(wrapper))
        same = (kept is not None and kept.box == box and kept.uniforms == uniforms
                and same_bits(kept.data, wrapper.vert_data))
        if same:
            self.kept.move_to_end(id(wrapper))
            if kept.fbo is not None:
                self.passes["composited"] += 1
                return self.composite(kept, box)
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
        """Keep the colours the pass's quad emitted over its box, making room under the budget by dropping the
        least recently used."""
        texels = box[2] * box[3]
        if texels > BUDGET_TEXELS:
            return
        while sum(k.box[2] * k.box[3] for k in self.kept.values() if k.fbo) + texels > BUDGET_TEXELS:
            self.forget(next(i for i, k in self.kept.items() if k.fbo))
        size = tuple(wrapper.ctx.fbo.viewport[2:])
        if self.scratch is None or self.scratch.size != size:
            self.scratch = wrapper.ctx.framebuffer(wrapper.ctx.texture(size, 4, dtype="f4"))
        kept.fbo = wrapper.ctx.framebuffer(wrapper.ctx.texture(box[2:], 4, dtype="f4"))
        record(wrapper, self.scratch, kept.fbo, box)

    def composite(self, kept: Kept, box: tuple) -> None:
        """Blend the kept colours into the frame as the pass's quad blended them (premultiplied), in box."""
        if self.replay is None:
            program = self.ctx.program(vertex_shader=REPLAY_VERTEX, fragment_shader=REPLAY_FRAGMENT)
            quad = self.ctx.buffer(np.array([[-1, -1], [1, -1], [-1, 1], [1, 1]], dtype="f4").tobytes())
            self.replay = program, self.ctx.simple_vertex_array(program, quad, "corner",
                                                                mode=moderngl.TRIANGLE_STRIP)
        program, vao = self.replay
        unit = self.ctx.info["GL_MAX_TEXTURE_IMAGE_UNITS"] - 1  # apart from the units ManimGL's wrappers bind
        kept.fbo.color_attachments[0].use(unit)
        program["kept"].value, program["origin"].value = unit, box[:2]
        target = self.ctx.fbo
        target.scissor = box
        try:
            gl.glBlendFunc(gl.GL_ONE, gl.GL_ONE_MINUS_SRC_ALPHA)
            gl.glBlendEquation(gl.GL_FUNC_ADD)
            vao.render()
            gl.glBlendFunc(gl.GL_SRC_ALPHA, gl.GL_ONE_MINUS_SRC_ALPHA)
        finally:
            target.scissor = None
            target.use()

    def forget(self, key: int) -> None:
        kept = self.kept.pop(key, None)
        if kept is not None and kept.fbo is not None:
            for texture in kept.fbo.color_attachments:
                texture.release()
            kept.fbo.release()


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Vertex data equal bit for bit: what the shaders read is the same. (np.array_equal compares a structured
    array field by field, about a millisecond for a line of text, and calls NaN unequal to itself.)"""
    return (a.dtype == b.dtype and a.shape == b.shape
            and np.array_equal(np.ascontiguousarray(a).view(np.uint8), np.ascontiguousarray(b).view(np.uint8)))


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


REPLAY_VERTEX = """
#version 330
in vec2 corner;
void main() { gl_Position = vec4(corner, 0.0, 1.0); }
"""
# The colour kept for this pixel, discarded where ManimGL's quad discarded (a zero alpha, kept as zero).
REPLAY_FRAGMENT = """
#version 330
uniform sampler2D kept;
uniform ivec2 origin;
out vec4 color;
void main() {
    color = texelFetch(kept, ivec2(gl_FragCoord.xy) - origin, 0);
    if (color.a == 0.0) discard;
}
"""


def record(wrapper, scratch, fbo, box: tuple) -> None:
    """Run the last step of ManimGL's fill pass (VShaderWrapper.render_fill: its quad over the canvas, still
    holding this pass) again into scratch (32-bit floats, the frame's size: the same fragments as the frame's),
    blending off, clipped to box; copy the box to fbo. fbo holds the colour each fragment emitted, zero where it
    discarded."""
    target = wrapper.ctx.fbo
    _, canvas_vao, _ = wrapper.fill_canvas
    scratch.use()
    scratch.scissor = box
    scratch.clear(0.0, 0.0, 0.0, 0.0)
    gl.glDisable(gl.GL_BLEND)
    try:
        canvas_vao.render()
    finally:
        gl.glEnable(gl.GL_BLEND)
        scratch.scissor = None
        x, y, w, h = box
        copy_pixels(scratch, fbo, (x, y, x + w, y + h), (0, 0, w, h))
        target.use()
