"""Text filled by a fan of triangles per glyph contour draws the glyphs ManimGL's one fan per path draws.

`FlatOutline` fans each contour from its own first point (scenes/elements.py); ManimGL fans the whole path from
its first point. A closed contour's winding number is the same from any point, so only the rounding of the fill
canvas may differ. ManimGL runs in a child process: this test process never imports manimlib.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent

# Glyphs with holes (o, e, a, ø, 8, %, @) and several contours (i, %, ÷, ö), in a line and in a column.
TEXTS = ["Momentum −0.6774 ø@8% ÷ö", "Adagrad\nRMSprop 0.4998\nmin −0.676"]

CHILD = r"""
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import scenes.headless  # noqa: F401
from manimlib import VMobject
from manimlib.camera.camera import Camera
from manimlib.config import manim_config
from scenes.elements import FlatOutline, label


class OneFan(FlatOutline):
    get_shader_data = VMobject.get_shader_data  # ManimGL's: every curve fanned from the path's first point


manim_config.camera.resolution = (1280, 720)  # the fill canvas's size, twice this (as scenes/renderer.py sets it)
camera = Camera(resolution=(1280, 720), background_color="#000000")
frames = []
for text in sys.argv[3:]:
    ours = label(text, 30, color="#FFFFFF")
    ours.set_width(12).move_to([0.0, 0.0, 0.0])
    theirs = OneFan().set_points(ours.get_points()).set_fill("#FFFFFF", 1).set_stroke(width=0)
    for mob in (ours, theirs):
        camera.clear()
        camera.capture(mob)
        frames.append(camera.get_pixel_array()[..., :3].max(axis=2))
np.save(sys.argv[2], np.stack(frames))
"""


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> np.ndarray:
    """Per text: (ours, ManimGL's one fan), grey levels of a 1280×720 frame."""
    out = tmp_path_factory.mktemp("text_fill") / "frames.npy"
    done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(out), *TEXTS], capture_output=True,
                          text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return np.load(out).reshape(len(TEXTS), 2, 720, 1280).astype(int)


@pytest.mark.parametrize("index", range(len(TEXTS)), ids=[t.split()[0] for t in TEXTS])
def test_contour_fans_fill_the_glyphs_one_fan_fills(frames, index):
    """The same pixels inked, to the canvas's rounding: at most 2% of the text's pixels differ by more than a
    quarter of full scale (measured: edge pixels only), and the ink in all agrees to 1%. A contour fanned from
    the wrong point fills a glyph's hole or loses a glyph: whole glyphs of difference."""
    ours, theirs = frames[index]
    inked = (ours > 64) | (theirs > 64)
    assert inked.sum() > 5_000, "the text was not drawn"
    far = np.abs(ours - theirs) > 64
    assert far.sum() <= 0.02 * inked.sum(), f"{far.sum()} of {inked.sum()} text pixels differ by more than 64"
    assert abs(ours.sum() - theirs.sum()) <= 0.01 * theirs.sum()
