"""Every surface (the two-parameter ones and the networks' slices) in every race view, from the last frame's probe:
every text (fixed in the frame, or in the scene as the camera shows it, such as the map's tick labels) inside the
frame and apart, the name tags and minimum labels clear of the rest and of each other's kind, the picture a fair
share of the frame, and a network's held-out accuracies in the legend.

All the stills are drawn by one render process (one job, a still per surface and view), in the default frame
shape at the low quality's size; ManimGL is never imported here.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from landscapes import LANDSCAPES
from scenes.job import RenderJob, SceneJob
from scenes.views import VIEWS

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SURFACES = list(LANDSCAPES)
CASES = [(surface, view) for surface in SURFACES for view in VIEWS]
STEPS = "40"
# The picture's box on screen (the surface, or the map) spans at least this share of the frame's width and of its
# height: a surface squeezed into a corner by its captions is not worth drawing.
PICTURE_SHARE = 0.3


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def probes(tmp_path_factory) -> dict:
    """(surface, view) -> the probe of its race's last frame (the default optimizers)."""
    folder = tmp_path_factory.mktemp("every-surface")
    scenes = []
    for surface in SURFACES:
        path = folder / f"{surface}.npz"
        done = run([PY, "render.py", "--surface", surface, "--steps", STEPS, "--no-render",
                    "--trajectory-out", str(path), "-q"])
        assert done.returncode == 0, done.stderr
        scenes += [SceneJob(view, 854, 480, 5, movie=False, still=True, duration=1.0, run_path=str(path),
                            probe_path=str(folder / f"{surface}-{view}.json")) for view in VIEWS]
    job = RenderJob(tuple(scenes), str(folder), quiet=True)
    (folder / "job.json").write_text(job.to_json())
    done = run([PY, "-m", "scenes", str(folder / "job.json")])
    assert done.returncode == 0, done.stderr[-3000:]
    return {case: json.loads((folder / f"{case[0]}-{case[1]}.json").read_text()) for case in CASES}


def overlaps(a: list[float], b: list[float]) -> bool:
    """Boxes [left, bottom, right, top] that share some area (touching edges do not)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def clashes(texts: list[dict], others: list[dict] | None = None) -> list[tuple[str, str]]:
    """Pairs of overlapping texts, within `texts` or between `texts` and `others`, named by role."""
    pairs = ([(a, b) for i, a in enumerate(texts) for b in texts[i + 1:]] if others is None
             else [(a, b) for a in texts for b in others])
    return [(f"{a['role']} {a['box']}", f"{b['role']} {b['box']}") for a, b in pairs if overlaps(a["box"], b["box"])]


@pytest.mark.parametrize("surface,view", CASES)
def test_every_text_has_a_box_inside_the_frame(probes, surface, view):
    texts = probes[surface, view]["text"]
    assert texts and all("box" in t for t in texts), [t for t in texts if "box" not in t]
    outside = [t for t in texts if not (t["box"][0] >= 0 and t["box"][1] >= 0 and t["box"][2] <= 1
                                        and t["box"][3] <= 1)]
    assert not outside, outside


@pytest.mark.parametrize("surface,view", CASES)
def test_texts_are_apart(probes, surface, view):
    """The texts other than tags and minimum labels: captions, legend, counter, notes, chart and map ticks."""
    fixed = [t for t in probes[surface, view]["text"] if "box" in t and t["role"] not in ("tag", "marker")]
    assert not clashes(fixed), clashes(fixed)[:4]


@pytest.mark.parametrize("surface,view", CASES)
def test_tags_and_minimum_labels_clear_of_the_fixed_texts_and_of_each_other(probes, surface, view):
    texts = [t for t in probes[surface, view]["text"] if "box" in t]
    riding = [t for t in texts if t["role"] in ("tag", "marker")]
    fixed = [t for t in texts if t["role"] not in ("tag", "marker")]
    markers = [t for t in riding if t["role"] == "marker"]
    tags = [t for t in riding if t["role"] == "tag"]
    assert not clashes(riding, fixed), clashes(riding, fixed)[:4]
    assert not clashes(markers), clashes(markers)
    assert not clashes(markers, tags), clashes(markers, tags)[:4]


@pytest.mark.parametrize("surface,view", CASES)
def test_the_picture_is_a_fair_share_of_the_frame(probes, surface, view):
    probe = probes[surface, view]
    width, height = probe["size"]
    left, top, right, bottom = probe["picture"]
    assert (right - left) >= PICTURE_SHARE * width and (bottom - top) >= PICTURE_SHARE * height, probe["picture"]


@pytest.mark.parametrize("surface,view", CASES)
def test_a_network_legend_shows_each_held_out_accuracy(probes, surface, view):
    """A network's legend: each optimizer's held-out accuracy in a column of its own, right of its loss and as
    readable as the legend; a two-parameter surface has none."""
    probe = probes[surface, view]
    held_out = probe["held_out"]
    if LANDSCAPES[surface].network is None:
        assert held_out == []
        return
    assert len(held_out) == len(probe["heads"]), held_out
    assert all(re.fullmatch(r"\d{1,3}% held-out", h["words"]) and h["px"] >= 12 for h in held_out), held_out
    assert len({h["box"][0] for h in held_out}) == 1, held_out  # one column
    losses = [t for t in probe["legend"] if t["box"][3] > min(h["box"][1] for h in held_out)
              and t["box"][0] < held_out[0]["box"][0]]
    assert losses and all(t["box"][2] < held_out[0]["box"][0] for t in losses), (losses, held_out)
