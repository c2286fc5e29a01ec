"""Import ManimGL so that it works with no display and no GPU: every workaround in one place.

- `import manimlib` parses sys.argv at import time: it sees an empty command line instead of ours.
- pyglet opens an X "shadow window" at import: not wanted (and impossible) without a display.
- The camera's standalone context defaults to GLX: with no display we ask moderngl for EGL (Mesa llvmpipe).
- ffmpeg comes from imageio-ffmpeg's bundled binary, never from PATH.
- Speed: stroke-only VMobjects skip ManimGL's off-screen fill pass, which draws nothing for them, and the
  fill pass of text fixed in the frame is clipped to the text's box (`LOSSCAPE_STOCK_MANIMGL=1` turns both
  off; a test shows frames are pixel-identical either way).
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
import numpy as np  # noqa: E402
import moderngl  # noqa: E402
from manimlib.constants import FRAME_HEIGHT, FRAME_WIDTH  # noqa: E402
from manimlib.shader_wrapper import VShaderWrapper  # noqa: E402

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
manimlib.config.manim_config.file_writer.ffmpeg_bin = FFMPEG  # `manimgl file.py Scene -w` uses it too

if not HAS_DISPLAY:
    _create_context = moderngl.create_standalone_context

    def _egl_context(*args, **kwargs):
        kwargs.setdefault("backend", "egl")
        return _create_context(*args, **kwargs)

    moderngl.create_standalone_context = _egl_context


def _fixed_in_frame_box(wrapper, pad: int = 8):
    """Pixel box (x, y, w, h) around a batch drawn fixed in the frame, or None (3D, or off screen)."""
    if not wrapper.mobject_uniforms.get("is_fixed_in_frame"):
        return None
    width, height = wrapper.ctx.fbo.size
    points = wrapper.vert_data["point"]
    x = (points[:, 0] / FRAME_WIDTH + 0.5) * width
    y = (points[:, 1] / FRAME_HEIGHT + 0.5) * height
    x0, y0 = max(int(x.min()) - pad, 0), max(int(y.min()) - pad, 0)
    x1, y1 = min(int(x.max()) + pad + 1, width), min(int(y.max()) + pad + 1, height)
    return (x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None


def _faster_fill(render_fill):
    def render_fill_fast(self):
        # The fill pass renders to an off-screen canvas and composites it over the whole frame, even when
        # every fill is transparent (paths, mesh lines, arrows): skipping it then changes no pixel.
        data = self.vert_data
        if "fill_rgba" in data.dtype.names and len(data) and not data["fill_rgba"][:, 3].any():
            return
        # Text and formulas fixed in the frame cover a small box: outside it the canvas is empty and the
        # composite changes nothing, so clipping the pass to the box gives the same pixels for less work.
        box = _fixed_in_frame_box(self) if len(data) else None
        framebuffers = (self.ctx.fbo, *(f for f in self.fill_canvas if isinstance(f, moderngl.Framebuffer)))
        width, height = self.ctx.fbo.size
        for fbo in framebuffers if box else ():
            sx, sy = fbo.size[0] / width, fbo.size[1] / height  # the fill canvas is supersampled
            fbo.scissor = (int(box[0] * sx), int(box[1] * sy), int(np.ceil(box[2] * sx)), int(np.ceil(box[3] * sy)))
        try:
            render_fill(self)
        finally:
            for fbo in framebuffers if box else ():
                fbo.scissor = None
            if box:
                self.ctx.fbo.use()

    return render_fill_fast


if os.environ.get("LOSSCAPE_STOCK_MANIMGL") != "1":
    VShaderWrapper.render_fill = _faster_fill(VShaderWrapper.render_fill)
