"""Import ManimGL so that it works with no display and no GPU: every workaround in one place.

- `import manimlib` parses sys.argv at import time: it sees an empty command line instead of ours.
- pyglet opens an X "shadow window" at import: not wanted (and impossible) without a display.
- The camera's standalone context defaults to GLX: with no display we ask moderngl for EGL (Mesa llvmpipe).
- ffmpeg comes from imageio-ffmpeg's bundled binary, never from PATH.
- ManimGL fixes its frame's shape (FRAME_WIDTH, ...) at import from its default 16:9 resolution and reads it
  from module globals when drawing: `use_frame_shape` sets it for a square or vertical frame.
- Speed: stroke-only VMobjects skip ManimGL's off-screen fill pass, which draws nothing for them; fill-only ones
  (text) skip its stroke pass, whose geometry shader emits nothing for them; and the fill pass of the others is
  clipped to their box on screen: it clears, draws and composites a canvas of twice the frame's size per batch,
  which costs the same for one digit as for the whole frame. A pass that repeats one before blends in the
  colours kept from then (scenes/fill_cache.py). Mobjects fixed in the frame get the identity for a view, so
  that they draw the same pixels wherever the camera is (ManimGL's own placement leaves the camera's last bit
  in them). `LOSSCAPE_STOCK_MANIMGL=1` turns all of this off; a test shows frames differ
  from ManimGL's own only on the edges that last bit moves (at most 0.01% of the pixels).
"""

import os
import sys
import warnings

HAS_DISPLAY = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
if not HAS_DISPLAY:
    os.environ.setdefault("PYGLET_HEADLESS", "1")

warnings.filterwarnings("ignore", message="Couldn't find ffmpeg or avconv")  # pydub: we have no audio

_argv, sys.argv = sys.argv, sys.argv[:1]
try:
    import manimlib  # noqa: F401
finally:
    sys.argv = _argv

import imageio_ffmpeg  # noqa: E402
import moderngl  # noqa: E402
import numpy as np  # noqa: E402
from manimlib.shader_wrapper import ShaderWrapper, VShaderWrapper  # noqa: E402

from .fill_cache import cache_for  # noqa: E402
from .screen_box import pixel_box, view_matrix  # noqa: E402

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
manimlib.config.manim_config.file_writer.ffmpeg_bin = FFMPEG  # `manimgl file.py Scene -w` uses it too

if not HAS_DISPLAY:
    _create_context = moderngl.create_standalone_context

    def _egl_context(*args, **kwargs):
        kwargs.setdefault("backend", "egl")
        return _create_context(*args, **kwargs)

    moderngl.create_standalone_context = _egl_context


def use_frame_shape(width: float, height: float) -> None:
    """Make ManimGL's frame `width` × `height` scene units: FRAME_WIDTH, FRAME_HEIGHT, FRAME_SHAPE, the radii and
    ASPECT_RATIO in every loaded manimlib module that holds a copy (the camera's projection, to_edge, ...)."""
    values = {"FRAME_WIDTH": width, "FRAME_HEIGHT": height, "FRAME_SHAPE": (width, height),
              "FRAME_X_RADIUS": width / 2, "FRAME_Y_RADIUS": height / 2, "ASPECT_RATIO": width / height}
    for name, module in list(sys.modules.items()):
        if name == "manimlib" or name.startswith("manimlib."):
            for key, value in values.items():
                if key in vars(module):
                    setattr(module, key, value)


def _skip_empty_fill(render_fill):
    def render_fill_if_any(self):
        # The fill pass renders to an off-screen canvas and composites it over the whole frame, even when
        # every fill is transparent (paths, mesh lines, arrows): skipping it then changes no pixel.
        data = self.vert_data
        if "fill_rgba" in data.dtype.names and len(data) and not data["fill_rgba"][:, 3].any():
            return
        render_fill(self)

    return render_fill_if_any


def _skip_empty_stroke(render_stroke):
    def render_stroke_if_any(self):
        # The stroke's geometry shader emits nothing for a curve whose widths, or whose alphas, are all zero
        # (text is fill only): when that holds for every curve, skipping the pass changes no pixel, and spares
        # the vertex and geometry shading of every curve, which llvmpipe runs on the drawing thread.
        data = self.vert_data
        if len(data) and not (data["stroke_width"].any() and data["stroke_rgba"][:, 3].any()):
            return
        render_stroke(self)

    return render_stroke_if_any


def fill_box(wrapper, width: int, height: int) -> tuple[int, int, int, int] | None:
    """(x, y, w, h): the pixels the wrapper's fill can touch, placed by the uniforms its program was given."""
    program = wrapper.fill_program
    box = pixel_box(wrapper.vert_data["point"], 0.0, float(wrapper.mobject_uniforms.get("is_fixed_in_frame", 0.0)),
                    view_matrix(program["view"].value), np.array(program["frame_rescale_factors"].value),
                    (width, height))
    return box and (box[0], box[1], max(box[2] - box[0], 0), max(box[3] - box[1], 0))


def _clip_fill(render_fill):
    def render_fill_in_box(self):
        # Outside the box the canvas holds nothing of this fill, so clearing, drawing and compositing only the
        # box (the canvas is twice the frame's size per side) changes no pixel.
        target = self.ctx.fbo
        width, height = target.viewport[2:]
        box = fill_box(self, width, height) if len(self.vert_data) else None
        if box is None:
            return render_fill(self)
        if box[2] == 0 or box[3] == 0:
            return None  # wholly off screen
        fill, _, depth = self.fill_canvas
        fill.scissor, depth.scissor, target.scissor = tuple(2 * v for v in box), box, box
        try:
            cache_for(self.ctx).render(self, box, lambda: render_fill(self))
        finally:
            fill.scissor = depth.scissor = target.scissor = None
            target.use()

    return render_fill_in_box


STILL_VIEW = tuple(np.identity(4).flatten())


def _fixed_in_frame_still(update_program_uniforms):
    def update_program_uniforms_fixed(self, camera_uniforms):
        # A mobject fixed in the frame is placed by mix(view·p, p, 1) in emit_gl_Position; llvmpipe computes that
        # as view·p + (p − view·p)·1, which leaves the camera's last bit in it. With the identity for a view it is
        # p exactly, so fixed text draws the same pixels wherever the camera is, and its fill canvas can be kept.
        if self.mobject_uniforms.get("is_fixed_in_frame", 0.0) == 1.0:
            camera_uniforms = {**camera_uniforms, "view": STILL_VIEW}
        update_program_uniforms(self, camera_uniforms)

    return update_program_uniforms_fixed


if os.environ.get("LOSSCAPE_STOCK_MANIMGL") != "1":
    VShaderWrapper.render_fill = _skip_empty_fill(_clip_fill(VShaderWrapper.render_fill))
    VShaderWrapper.render_stroke = _skip_empty_stroke(VShaderWrapper.render_stroke)
    ShaderWrapper.update_program_uniforms = _fixed_in_frame_still(ShaderWrapper.update_program_uniforms)
