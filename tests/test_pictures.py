"""What a viewer sees: the default race fills the frame, text is readable at 640 px, the pacing holds the end.

Rendering runs in subprocesses (`python -m scenes JOB.json`); this process only reads the PNGs and probes.
"""

import json
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from scenes.job import RenderJob, SceneJob

ROOT = Path(__file__).resolve().parent.parent
BACKGROUND = np.array([0x14, 0x16, 0x1A])
MIN_PX = {"caption": 12, "legend": 12, "formula": 12, "title": 12}  # digit height at 640 px wide
READABLE_PX = 10  # every other text: readouts, tags, notes, ticks, glyph labels


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> Path:
    """The default race (`render.py` with no flags), saved."""
    path = tmp_path_factory.mktemp("default") / "race.npz"
    subprocess.run([sys.executable, "render.py", "--no-render", "--trajectory-out", str(path), "-q"], cwd=ROOT,
                   check=True)
    return path


def render_still(folder: Path, scene: SceneJob) -> tuple[np.ndarray, dict]:
    """The scene's last frame and its probe, rendered in a subprocess."""
    job = RenderJob((scene,), str(folder), quiet=True)
    (folder / "job.json").write_text(job.to_json())
    subprocess.run([sys.executable, "-m", "scenes", str(folder / "job.json")], cwd=ROOT, check=True,
                   capture_output=True)
    return iio.imread(job.still(0))[..., :3], json.loads(Path(scene.probe_path).read_text())


@pytest.fixture(scope="module", params=["3d", "contour"])
def default_still(request, default_run, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp(f"still-{request.param}")
    scene = SceneJob(request.param, 854, 480, 5, movie=False, still=True, run_path=str(default_run), duration=1.0,
                     probe_path=str(folder / "probe.json"))
    image, probe = render_still(folder, scene)
    return {"view": request.param, "image": image, "probe": probe}


# Share of the frame drawn. The contour view's picture is a square map: at the frame's full height it covers
# (0.87 × 9/16)² / (9/16) ≈ 43% of a 16:9 frame, the text beside it a few percent more; so the map is also
# required to span the frame's height (less its tick labels), the most a square can.
FILLED = {"3d": 0.5, "contour": 0.45}
MAP_HEIGHT = 0.85  # the contour map's height, a share of the frame's


def test_the_default_stills_fill_the_frame(default_still):
    image = default_still["image"].astype(int)
    covered = np.abs(image - BACKGROUND).sum(-1) > 24
    view = default_still["view"]
    assert covered.mean() >= FILLED[view], f"{view}: {covered.mean():.0%} of the frame is drawn"
    if view == "contour":
        _, top, _, bottom = default_still["probe"]["picture"]
        assert bottom - top >= MAP_HEIGHT * image.shape[0], default_still["probe"]["picture"]


def test_every_text_is_readable_at_640_px(default_still):
    texts = default_still["probe"]["text"]
    assert {t["role"] for t in texts} >= {"caption", "legend", "formula", "tag", "marker"}
    for t in texts:
        assert t["px"] >= MIN_PX.get(t["role"], READABLE_PX), t


def test_the_last_frame_holds_at_least_two_seconds(default_still):
    assert default_still["probe"]["hold"] >= 2.0


def test_escaping_a_saddle_is_not_called_a_divergence(tmp_path):
    run = tmp_path / "saddle.npz"
    subprocess.run([sys.executable, "render.py", "--surface", "saddle", "--optimizer", "gd,rmsprop", "--steps", "40",
                    "--no-render", "--trajectory-out", str(run), "-q"], cwd=ROOT, check=True)
    scene = SceneJob("3d", 854, 480, 5, movie=False, still=True, run_path=str(run), duration=1.0,
                     probe_path=str(tmp_path / "probe.json"))
    image, probe = render_still(tmp_path, scene)
    heads = {h["name"]: h for h in probe["heads"]}
    assert heads["rmsprop"]["escaped"] and not heads["gd"]["escaped"]
    red = np.abs(image.astype(int) - np.array([0xFF, 0x6B, 0x6B])).sum(-1) < 40  # the divergence colour
    assert red.sum() < 20, "an escape is drawn in the divergence red"


def test_the_view_fits_paths_that_keep_to_a_corner():
    from cli.compute import compute
    from cli.race import fitted_domain
    from optimizers.run import RunSpec

    small = compute(RunSpec("x**2 + y**2", ("gd",), ((0.6, 0.4),), 30))
    xmin, xmax, ymin, ymax = map(float, fitted_domain(small).split(","))
    path = small.params[0, 0, 0]
    assert xmax - xmin < 2.0 and ymax - ymin < 2.0  # the default domain is 4 wide
    assert (path[:, 0] >= xmin).all() and (path[:, 0] <= xmax).all()
    assert (path[:, 1] >= ymin).all() and (path[:, 1] <= ymax).all()
    wide = compute(RunSpec("two-holes", ("gd", "momentum")))
    assert fitted_domain(wide) is None
