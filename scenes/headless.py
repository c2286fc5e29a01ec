"""Import ManimGL so that it works with no display and no GPU: every workaround in one place.

- `import manimlib` parses sys.argv at import time: it sees an empty command line instead of ours.
- pyglet opens an X "shadow window" at import: not wanted (and impossible) without a display.
- The camera's standalone context defaults to GLX: with no display we ask moderngl for EGL (Mesa llvmpipe).
- ffmpeg comes from imageio-ffmpeg's bundled binary, never from PATH.
- ManimGL fixes its frame's shape (FRAME_WIDTH, ...) at import from its default 16:9 resolution and reads it
  from module globals when drawing: `use_frame_shape` sets it for a square or vertical frame.
- Speed: stroke-only VMobjects skip ManimGL's off-screen fill pass, which draws nothing for them
  (`LOSSCAPE_STOCK_MANIMGL=1` turns this off; a test shows frames are pixel-identical either way).
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
from manimlib.shader_wrapper import VShaderWrapper  # noqa: E402

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


if os.environ.get("LOSSCAPE_STOCK_MANIMGL") != "1":
    VShaderWrapper.render_fill = _skip_empty_fill(VShaderWrapper.render_fill)
