"""Every chapter's last frame, in every frame shape, from the render process's probe: no two texts overlap, the
chapter's title and every other text that does not ride on the picture are clear of it, and everything is inside the
frame.

All chapters of one frame shape render in one job (`python -m scenes JOB.json`), in a subprocess: ManimGL is never
imported here. The probe gives each text fixed in the frame its box ([left, bottom, right, top], shares of the
frame), each map its pixel box and each 3D surface pixels of its grid.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scenes.chapters import CHAPTERS
from scenes.job import ASPECTS, RenderJob, SceneJob, pixel_size

ROOT = Path(__file__).resolve().parent.parent
SHORT = 480  # --quality low
# texts that ride on the picture: name tags, minima's labels, end notes, the labels of the accumulator squares
ON_PICTURE = ("tag", "marker", "note", "glyph")
SLACK = 1.0  # pixels: a box's edge rounded to the pixel grid


@pytest.fixture(scope="module")
def saved_runs(tmp_path_factory) -> dict:
    """Every chapter's runs, computed once: chapter -> run key -> .npz."""
    folder = tmp_path_factory.mktemp("chapter-runs")
    done = subprocess.run([sys.executable, "render.py", "explainer", "all", "--save-runs", str(folder), "-q"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    index = json.loads((folder / "runs.json").read_text())
    return {name: {key: str(folder / path) for key, path in runs.items()} for name, runs in index.items()}


@pytest.fixture(scope="module")
def probes(saved_runs, tmp_path_factory):
    """probes(aspect) -> {chapter: probe of its last frame}, every chapter rendered in one job per frame shape."""
    rendered = {}

    def of(aspect: str) -> dict:
        if aspect not in rendered:
            folder = tmp_path_factory.mktemp(aspect.replace(":", "x"))
            width, height = pixel_size(SHORT, aspect)
            scenes = tuple(SceneJob("chapter", width, height, 5, movie=False, still=True, chapter=name,
                                    run_paths=saved_runs[name], duration=1.0, aspect=aspect,
                                    probe_path=str(folder / f"{name}.json")) for name in CHAPTERS)
            job = RenderJob(scenes, str(folder), quiet=True)
            (folder / "job.json").write_text(job.to_json())
            done = subprocess.run([sys.executable, "-m", "scenes", str(folder / "job.json")], cwd=ROOT,
                                  capture_output=True, text=True, timeout=900)
            assert done.returncode == 0, (folder / "error.txt").read_text() if (folder / "error.txt").exists() else ""
            rendered[aspect] = {name: json.loads((folder / f"{name}.json").read_text()) for name in CHAPTERS}
        return rendered[aspect]

    return of


def texts(probe: dict) -> list[dict]:
    """Every visible text fixed in the frame, with its box."""
    return [t for t in probe["text"] if "box" in t]


def pixel_box(text: dict, size: list[int]) -> tuple[float, float, float, float]:
    """A text's box in pixels: (left, top, right, bottom), rows counted from the top."""
    left, bottom, right, top = text["box"]
    return left * size[0], (1 - top) * size[1], right * size[0], (1 - bottom) * size[1]


def overlap(a, b) -> bool:
    """Two (left, top, right, bottom) boxes share more than SLACK pixels each way."""
    return a[0] + SLACK < b[2] and b[0] + SLACK < a[2] and a[1] + SLACK < b[3] and b[1] + SLACK < a[3]


def inside(box, size) -> bool:
    return box[0] >= -SLACK and box[1] >= -SLACK and box[2] <= size[0] + SLACK and box[3] <= size[1] + SLACK


def pictures_hit(box, probe: dict) -> list:
    """The maps whose pixel boxes the box overlaps, and the 3D surfaces with grid points inside it."""
    maps = [m for m in probe["maps"] if overlap(box, m)]
    surfaces = [s for s in probe["surfaces"] if any(box[0] + SLACK < x < box[2] - SLACK and
                                                      box[1] + SLACK < y < box[3] - SLACK for x, y in s)]
    return maps + surfaces


@pytest.mark.parametrize("aspect", ASPECTS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_two_texts_overlap(probes, chapter, aspect):
    """Minimum labels, name tags, legends, equations, captions, titles: no two boxes meet on the last frame."""
    probe = probes(aspect)[chapter]
    boxes = [(t["role"], pixel_box(t, probe["size"])) for t in texts(probe)]
    assert {"marker", "tag"} & {role for role, _ in boxes}, "no labels on the picture"
    hits = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if overlap(a[1], b[1])]
    assert not hits, hits[:3]


@pytest.mark.parametrize("aspect", ASPECTS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_title_and_text_clear_of_the_picture(probes, chapter, aspect):
    """The chapter's title is clear of every map and surface, and so is every text that does not ride on them."""
    probe = probes(aspect)[chapter]
    assert probe["maps"] or probe["surfaces"], "no picture in the probe"
    title = [t for t in texts(probe) if t["role"] == "title"]
    assert len(title) == 1, title
    for text in texts(probe):
        if text["role"] not in ON_PICTURE:
            assert not pictures_hit(pixel_box(text, probe["size"]), probe), text


@pytest.mark.parametrize("aspect", ASPECTS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_everything_inside_the_frame(probes, chapter, aspect):
    """Every text, map, surface and ball lies inside the frame."""
    probe = probes(aspect)[chapter]
    size = probe["size"]
    assert size == list(pixel_size(SHORT, aspect))
    for text in texts(probe):
        assert inside(pixel_box(text, size), size), text
    for box in probe["maps"]:
        assert inside(box, size), box
    for surface in probe["surfaces"]:
        points = np.array(surface)
        assert inside((*points.min(axis=0), *points.max(axis=0)), size), (points.min(axis=0), points.max(axis=0))
    for head in probe["heads"]:
        assert inside((*head["pixel"], *head["pixel"]), size), head


FACING = """
import sys
import numpy as np
from scenes.elements import CAPTION, formula_text, label
from manimlib import RIGHT, UP
texts = [label(t, CAPTION) for t in sys.argv[1:]] + [formula_text(r"\\theta_i \\leftarrow \\theta_i - 0.15 g_i")]
for mob in texts:
    for x in np.linspace(-7, 7, 8):
        for y in (-4, 0, 4):
            mob.move_to(x * RIGHT + y * UP).refresh_unit_normal()
            assert mob.get_unit_normal()[2] > 0, (x, y)
"""


def test_text_faces_the_viewer_wherever_it_sits():
    """A line of text is one outline; its normal (which way its fill faces) points at the viewer wherever it is
    moved: one that flipped drew the AdaGrad chapter's caption and the network's plane statement hollow."""
    lines = ["G only grows, so the step η/√G shrinks and stalls.", "2-D slice: PCA of the paths, 96% of their variance"]
    done = subprocess.run([sys.executable, "-c", FACING, *lines], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
