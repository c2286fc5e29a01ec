"""Rendering end to end: files of every view and format, what the final frame shows, interrupts, concurrency.

Every render runs in a subprocess (`render.py`, `python -m scenes JOB.json` or `manimgl`): ManimGL is
never imported into the test process. Renders are tiny (854×480, a few fps, 1 s + the 1 s hold, 12 steps).
Screen positions come from the scenes' probe hook (`probe_path`): the pixel of every path head in the final
frame, which the tests look for in the decoded image.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from cli.process import join_segments
from helpers import DEFAULT_SIGINT
from scenes.job import RenderJob, SceneJob
from scenes.segments import SEGMENT_FRAMES
from scenes.views import VIEWS as RACE_VIEWS

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
VIEWS = list(RACE_VIEWS)
WIDTH, HEIGHT = 854, 480  # --quality low
HOLD = 2.0  # RaceScene.hold: seconds the finished race stays on screen
GIF_FPS = 15  # GIFs are made at min(fps, 15)
BACKGROUND = (0x14, 0x16, 0x1A)
NOTE_RED = (0xFF, 0x6B, 0x6B)  # the legend's "diverged at step k"

# Three optimizers on a bowl whose final points are far apart on screen, listed so that no later path is drawn
# over an earlier one's head (gd barely moves; its head would sit under momentum's path if drawn first).
RACE = ["--surface", "x**2+y**2", "--optimizer", "momentum:lr=0.02", "--optimizer", "rmsprop:lr=0.05",
        "--optimizer", "gd:lr=0.01", "--steps", "12", "--start", "1.5,-1"]
RACE_COLOURS = {"momentum": "#FF9F1C", "rmsprop": "#40C4FF", "gd": "#FF5252"}
DURATION = 1.0
# Per view: frame rate and GIF width of the CLI render (3d's 16 fps checks that GIFs are capped at 15 fps).
CLI = {"3d": (16, 400), "contour": (5, 320), "split": (8, 480)}
# Where the surface / map sits on screen in each view (column, row): its centre is full of colours.
SURFACE_AT = {"3d": (427, 240), "contour": (629, 225), "split": (230, 230)}  # the map right of the legend


# --- helpers -----------------------------------------------------------------------------------------------

def clean_env(**extra: str) -> dict:
    """This process's environment without the project's switches (stock ManimGL, run override), plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSCAPE_")}
    env.update(extra)
    return env


def run_ok(cmd: list[str], timeout: float = 180, **env: str) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=ROOT, env=clean_env(**env), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def render_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`python render.py ARGS -q`; fails the test unless it exits 0."""
    return run_ok([PY, "render.py", *args, "-q"], **env)


def render_job(workdir: Path, run: Path, outputs: list[Path], view: str = "3d", fps: int = 5,
               probe: Path | None = None, **env: str) -> dict | None:
    """Render a saved Run with `python -m scenes JOB.json` into outputs (.mp4 and/or .png); returns the probe's
    JSON if one was asked for."""
    folder = Path(tempfile.mkdtemp(dir=workdir))
    scene = SceneJob(view, WIDTH, HEIGHT, fps, movie=any(o.suffix == ".mp4" for o in outputs),
                     still=any(o.suffix == ".png" for o in outputs), run_path=str(run), duration=DURATION,
                     probe_path=str(probe) if probe else None)
    job = RenderJob((scene,), str(folder), quiet=True)
    job_file = folder / "job.json"
    job_file.write_text(job.to_json())
    run_ok([PY, "-m", "scenes", str(job_file)], **env)
    if scene.movie:
        join_segments(job)
    for out in outputs:
        (job.movie(0) if out.suffix == ".mp4" else job.still(0)).replace(out)
    return json.loads(probe.read_text()) if probe else None


def rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def read_rgb(path: Path) -> np.ndarray:
    return iio.imread(path)[..., :3]


def colour_distance(image: np.ndarray, colour) -> np.ndarray:
    return np.linalg.norm(image[..., :3].astype(float) - np.asarray(colour, dtype=float), axis=-1)


def nearest_colour_near(image: np.ndarray, pixel, colour, radius: float = 8) -> float:
    """The smallest colour distance to `colour` among the pixels within `radius` of pixel (column, row)."""
    rows, cols = np.mgrid[: image.shape[0], : image.shape[1]]
    disc = (cols - pixel[0]) ** 2 + (rows - pixel[1]) ** 2 <= radius**2
    return float(colour_distance(image[disc], colour).min())


def mp4_info(path: Path) -> tuple[tuple[int, int], float, int, float]:
    """(width, height), fps, frame count and seconds of an MP4, by the bundled ffmpeg."""
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    reader.close()
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    return tuple(meta["size"]), meta["fps"], frames, seconds


def mp4_frames(path: Path) -> np.ndarray:
    """Every decoded frame, (N, height, width, 3) uint8."""
    reader = imageio_ffmpeg.read_frames(str(path))
    width, height = next(reader)["size"]
    return np.stack([np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader])


def gif_durations_ms(path: Path) -> list[int]:
    with Image.open(path) as gif:
        out = []
        for i in range(gif.n_frames):
            gif.seek(i)
            out.append(gif.info["duration"])
        return out


def leftovers(folder: Path) -> list[str]:
    """Hidden temp files the renderer writes beside a target (`.NAME.XXXX.part.EXT`)."""
    return sorted(p.name for p in folder.iterdir() if ".part." in p.name)


def load_run_arrays(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in ("diverged_at", "params")}


# --- fixtures ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def race_run(tmp_path_factory) -> Path:
    """The race as a saved Run, computed once (JAX) and rendered by several tests."""
    path = tmp_path_factory.mktemp("run") / "race.npz"
    render_cli(*RACE, "--no-render", "--trajectory-out", str(path))
    return path


@pytest.fixture(scope="module", params=VIEWS)
def view(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def cli_render(view, tmp_path_factory) -> dict:
    """One `render.py` call per view writing .mp4, .gif and .png at once."""
    fps, gif_width = CLI[view]
    folder = tmp_path_factory.mktemp(f"cli-{view}")
    paths = {fmt: folder / f"race.{fmt}" for fmt in ("mp4", "gif", "png")}
    render_cli(*RACE, "--view", view, "--quality", "low", "--fps", str(fps), "--duration", str(DURATION),
               "--gif-width", str(gif_width), *(a for p in paths.values() for a in ("-o", str(p))))
    return {"view": view, "folder": folder, "fps": fps, "gif_width": gif_width, **paths}


@pytest.fixture(scope="module")
def still(view, race_run, tmp_path_factory) -> dict:
    """The race's final frame alone (PNG only, no movie) with the probe of where every head is on screen."""
    folder = tmp_path_factory.mktemp(f"still-{view}")
    png, probe = folder / "still.png", folder / "probe.json"
    return {"png": png, "probe": render_job(folder, race_run, [png], view=view, probe=probe)}


# --- files: every view × every format ----------------------------------------------------------------------

def test_only_the_requested_files_are_written(cli_render):
    assert sorted(p.name for p in cli_render["folder"].iterdir()) == ["race.gif", "race.mp4", "race.png"]


def test_mp4_size_frames_and_duration(cli_render):
    size, fps, frames, seconds = mp4_info(cli_render["mp4"])
    expected = round((DURATION + HOLD) * cli_render["fps"])
    assert size == (WIDTH, HEIGHT)
    assert fps == pytest.approx(cli_render["fps"])
    assert abs(frames - expected) <= 1
    assert seconds == pytest.approx(DURATION + HOLD, abs=1.5 / cli_render["fps"])
    assert len(mp4_frames(cli_render["mp4"])) == frames


def test_gif_width_frames_and_duration(cli_render):
    frames = iio.imread(cli_render["gif"], index=None)
    rate = min(cli_render["fps"], GIF_FPS)
    width = cli_render["gif_width"]
    assert frames.ndim == 4 and frames.shape[-1] in (3, 4)
    assert frames.shape[2] == width
    assert abs(frames.shape[1] - width * HEIGHT / WIDTH) <= 2 and frames.shape[1] % 2 == 0
    assert abs(len(frames) - round((DURATION + HOLD) * rate)) <= 1
    assert sum(gif_durations_ms(cli_render["gif"])) == pytest.approx(1000 * (DURATION + HOLD), abs=150)
    assert len(np.unique(frames[-1].reshape(-1, frames.shape[-1]), axis=0)) > 16  # a picture, not a flat fill


def test_png_is_the_movies_last_frame(cli_render):
    png = iio.imread(cli_render["png"])
    assert png.shape[:2] == (HEIGHT, WIDTH)
    last = mp4_frames(cli_render["mp4"])[-1].astype(float)
    # H.264 (yuv420p) is lossy: close on average, not equal
    assert np.abs(png[..., :3].astype(float) - last).mean() < 4


# --- the final frame ---------------------------------------------------------------------------------------

def test_surface_is_drawn(cli_render):
    image = read_rgb(cli_render["png"])
    col, row = SURFACE_AT[cli_render["view"]]
    centre = image[row - 50: row + 50, col - 50: col + 50].reshape(-1, 3)
    # a blank frame has 1 colour there; shaded 3D surfaces have thousands, filled contours hundreds
    assert len(np.unique(centre, axis=0)) > 100, "the surface's centre should be full of shades"
    assert (colour_distance(image, BACKGROUND) > 10).mean() > 0.15, "the frame is mostly background"


def test_every_head_shows_its_optimizers_colour(still):
    probe, image = still["probe"], read_rgb(still["png"])
    assert probe["size"] == [WIDTH, HEIGHT]
    heads = probe["heads"]
    assert [h["name"] for h in heads] == list(RACE_COLOURS)
    pixels = np.array([h["pixel"] for h in heads])
    assert ((pixels >= 8) & (pixels < [WIDTH - 8, HEIGHT - 8])).all(), pixels
    gaps = np.linalg.norm(pixels[:, None] - pixels[None], axis=-1)[np.triu_indices(len(heads), 1)]
    assert gaps.min() > 20, "heads this close would not tell the optimizers apart"
    for head in heads:
        assert head["diverged_at"] == -1
        distance = nearest_colour_near(image, head["pixel"], rgb(head["color"]))
        assert distance < 30, f"{head['name']} ({head['color']}) not found near {head['pixel']}: {distance:.0f}"


def test_legend_and_chart_show_every_optimizer(cli_render):
    """The legend names every optimizer in its colour (no red 'diverged' note); split's chart has every curve."""
    image, view = read_rgb(cli_render["png"]), cli_render["view"]
    legend = image[:90, :260]  # top left
    areas = {"legend": legend}
    if view == "split":
        areas["chart"] = image[100:380, 500:840]
    for area, pixels in areas.items():
        for name, hex_colour in RACE_COLOURS.items():
            assert (colour_distance(pixels, rgb(hex_colour)) < 30).sum() >= 20, f"{name} missing from the {area}"
    assert (colour_distance(legend, NOTE_RED) < 20).sum() < 5, "nothing diverged or left the map"


def test_still_equals_the_movies_last_frame(still, cli_render):
    """`-o x.png` alone must show what the last frame of the video shows (same run, same view)."""
    alone, movie_last = read_rgb(still["png"]).astype(int), read_rgb(cli_render["png"]).astype(int)
    differing = (np.abs(alone - movie_last).max(axis=-1) > 40).mean()
    assert differing < 0.005, f"{differing:.1%} of the pixels differ between the still and the movie's last frame"


def test_divergent_run_renders_with_its_note(tmp_path):
    run = tmp_path / "diverged.npz"
    render_cli("--surface", "saddle", "--optimizer", "momentum:lr=2", "--steps", "40", "--no-render",
               "--trajectory-out", str(run))
    diverged_at = int(load_run_arrays(run)["diverged_at"].ravel()[0])
    assert diverged_at >= 0
    mp4, png, probe = tmp_path / "diverged.mp4", tmp_path / "diverged.png", tmp_path / "probe.json"
    heads = render_job(tmp_path, run, [mp4, png], probe=probe)["heads"]
    assert [h["diverged_at"] for h in heads] == [diverged_at]
    assert mp4_info(mp4)[2] > 0
    legend = read_rgb(png)[:100, : WIDTH // 2]  # top left in the 3d view
    red = (colour_distance(legend, NOTE_RED) < 20).sum()
    assert red >= 40, f"no 'diverged at step {diverged_at}' note in the legend ({red} reddish pixels)"


# --- the speed patch changes no pixel ----------------------------------------------------------------------

# The render process, keeping every frame as drawn (RGBA, bottom row first) before it is encoded: encoding
# turns a one-level difference into many, so a comparison with a tolerance needs the frames themselves.
RAW_FRAMES = """
import sys, numpy as np
from scenes import segments
frames, write = [], segments.SegmentWriter.write
def keep(self, frame, pixels):
    frames.append(np.frombuffer(pixels, np.uint8).reshape(self.size[1], self.size[0], 4).copy())
    write(self, frame, pixels)
segments.SegmentWriter.write = keep
from scenes.__main__ import main
main([sys.argv[1]])
np.save(sys.argv[2], np.stack(frames))
"""
STOCK = {"LOSSCAPE_STOCK_MANIMGL": "1", "LOSSCAPE_STATIC_LAYERS": "0"}  # ManimGL drawing on its own


def raw_frames(workdir: Path, run: Path, view: str, **env: str) -> tuple[np.ndarray, str]:
    """Every frame of the race as drawn, and what the render process printed (LOSSCAPE_DEBUG=1)."""
    folder = Path(tempfile.mkdtemp(dir=workdir))
    job = RenderJob((SceneJob(view, WIDTH, HEIGHT, 5, run_path=str(run), duration=DURATION),), str(folder),
                    quiet=True)
    (folder / "job.json").write_text(job.to_json())
    done = run_ok([PY, "-c", RAW_FRAMES, str(folder / "job.json"), str(folder / "frames.npy")], LOSSCAPE_DEBUG="1",
                  **env)
    return np.load(folder / "frames.npy"), done.stdout


@pytest.mark.parametrize("view", VIEWS)
def test_speed_patch_draws_what_manimgl_draws(view, race_run, tmp_path):
    """Every speed-up at once (fills clipped to their box, fill canvases kept and composited again, empty fill
    and stroke passes skipped, static layers) draws what ManimGL draws on its own, frame by frame, in every view.

    Tolerance: at most 0.01% of a frame's pixels (41 at 854×480; 9 were measured). ManimGL places a mobject
    fixed in the frame at mix(view·p, p, 1), which llvmpipe evaluates as view·p + (p − view·p)·1: text and chart
    lines move by the camera's last bit. Ours is given the identity for a view (scenes/headless.py), so they do
    not move, and a pixel whose centre lies on an edge may fall on the other side of it. A kept canvas or layer
    drawn wrong would differ over whole glyphs or lines, hundreds of pixels.
    """
    probe = ("import scenes.headless; from manimlib.shader_wrapper import VShaderWrapper as V; "
             "print(V.render_fill.__name__, V.render_stroke.__name__)")
    patched = subprocess.Popen([PY, "-c", probe], cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, text=True)
    stock = subprocess.Popen([PY, "-c", probe], cwd=ROOT, env=clean_env(LOSSCAPE_STOCK_MANIMGL="1"),
                             stdout=subprocess.PIPE, text=True)
    names = patched.communicate(timeout=120)[0].strip(), stock.communicate(timeout=120)[0].strip()
    assert names[1] == "render_fill render_stroke", f"the switch should turn the patches off: {names}"
    assert not set(names[0].split()) & set(names[1].split()), f"the patches should be on: {names}"

    ours, said = raw_frames(tmp_path, race_run, view)
    theirs, _ = raw_frames(tmp_path, race_run, view, **STOCK)
    assert ours.shape == theirs.shape
    off = (ours != theirs).any(axis=3).sum(axis=(1, 2))
    assert off.max() <= 0.0001 * WIDTH * HEIGHT, f"{off.max()} pixels differ in one frame"
    turning, composited = (int(re.search(rf"'{what}': (\d+)", said).group(1)) for what in ("turning", "composited"))
    assert composited > 0 or not turning, f"the camera turned, yet no kept fill canvas was used: {said.strip()}"


def test_a_kept_fill_is_reused_for_the_same_bits_only():
    """A fill pass blends kept colours only when its vertex data is what drew them, bit for bit: a changed value,
    a −0.0 for a 0.0 or another length draws again; a NaN matches itself (the same bits draw the same)."""
    from scenes.fill_cache import same_bits

    dtype = np.dtype([("point", np.float32, (3,)), ("fill_rgba", np.float32, (4,))])
    a = np.zeros(5, dtype)
    a["point"][1, 0] = np.nan
    assert same_bits(a, a.copy())
    for change in (lambda b: b["point"].__setitem__((2, 1), 1e-7), lambda b: b["fill_rgba"].__setitem__((0, 3), -0.0)):
        b = a.copy()
        change(b)
        assert not same_bits(a, b)
    assert not same_bits(a, a[:4].copy())


def test_settling_pulls_in_every_still_mobject_a_moving_one_reaches():
    """A still mobject joins the moving ones when its box meets one of theirs and its batch is the same or later,
    and so on from those it joined; on random boxes the result is the closure computed one mobject at a time."""
    from scenes.layers import settle

    def closure(moving, boxes, batch):
        moving, todo = moving.copy(), list(np.flatnonzero(moving))
        while todo:
            i = todo.pop()
            for j in range(len(boxes)):
                a, b = boxes[i], boxes[j]
                meet = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                if meet and not moving[j] and batch[j] >= batch[i]:
                    moving[j] = True
                    todo.append(j)
        return moving

    # a chain: 0 moves and meets 1 (later batch), 1 meets 2 (same batch); 3 meets 0 but comes earlier; 4 is apart
    boxes = np.array([[0, 0, 10, 10], [8, 0, 20, 10], [18, 0, 30, 10], [0, 5, 10, 15], [50, 50, 60, 60]])
    moving = np.array([True, False, False, False, False])
    assert settle(moving, boxes, np.array([1, 2, 2, 0, 3])).tolist() == [True, True, True, False, False]
    assert not settle(moving, boxes, np.array([1, 0, 2, 0, 3]))[1:].any()  # 1 before 0: nothing joins
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        corner = rng.integers(0, 100, (n, 2))
        boxes = np.concatenate([corner, corner + rng.integers(0, 30, (n, 2))], axis=1)
        moving, batch = rng.random(n) < 0.2, rng.integers(0, 5, n)
        np.testing.assert_array_equal(settle(moving, boxes, batch), closure(moving, boxes, batch))


def test_pixel_boxes_follow_the_data_and_the_camera():
    """A mobject's box is computed again when its data changes or the camera turns; a turning camera reuses the
    extent of data that did not change. Each box equals one computed from scratch."""
    from types import SimpleNamespace

    from scenes.layers import StaticLayers

    def camera(angle: float):
        view = np.identity(4)
        view[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
        return SimpleNamespace(samples=0, get_fbo=lambda samples: None, fbo=SimpleNamespace(size=(854, 480)),
                               uniforms={"frame_scale": 1.0, "frame_rescale_factors": (0.25, 0.44, 0.1),
                                         "view": tuple(view.T.flatten())})

    def mobject(points):
        data = np.zeros(len(points), [("point", np.float32, (3,))])
        data["point"] = points
        return SimpleNamespace(uniforms={}, data=data, get_points=lambda: data["point"], _data_has_changed=True)

    def fresh(cam, mobjects):
        layers = StaticLayers(cam)
        layers.view, layers.frame = cam.uniforms["view"], 1
        return layers.boxes(mobjects)

    moving, still = mobject([[0, 0, 0], [1, 0.5, 0]]), mobject([[-2, -1, 0], [-1.5, 1, 0.5]])
    cam = camera(0.0)
    layers = StaticLayers(cam)
    for frame, (angle, shift) in enumerate([(0.0, 0), (0.0, 1), (0.3, 0), (0.3, 1), (0.6, 1)], start=1):
        if shift:
            moving.data["point"] += [0.4, -0.3, 0.2]
            moving._data_has_changed = True
        cam.uniforms["view"] = camera(angle).uniforms["view"]
        layers.view, layers.frame = cam.uniforms["view"], frame
        np.testing.assert_array_equal(layers.boxes([moving, still]), fresh(cam, [moving, still]), f"frame {frame}")
        moving._data_has_changed = still._data_has_changed = False


@pytest.mark.parametrize("view", VIEWS)
def test_static_layers_draw_what_the_full_draw_draws(view, race_run, tmp_path):
    """Frames drawn over the kept layer equal frames drawn whole, pixel for pixel (the 3D view's camera turns,
    so its layer is redrawn every frame; the other views keep theirs). Mobjects set again to the data they had
    (paths redrawn to their ends in the closing hold, labels placed where they stood) count as still, and
    mobjects that draw nothing (the legend's end notes, waiting at opacity zero) are left out of their batches.
    Where the camera holds still, frames of the closing hold in which nothing changed repeat the last one's
    bytes, not drawn or read again; a turning camera's frames never do."""
    layers, said = raw_frames(tmp_path, race_run, view)
    full, _ = raw_frames(tmp_path, race_run, view, LOSSCAPE_STATIC_LAYERS="0")
    np.testing.assert_array_equal(layers, full)
    for what in ("set again", "unseen"):
        assert int(re.search(rf"{what}: (\d+)", said).group(1)) > 0, said
    repeated = int(re.search(r"'repeated': (\d+)", said).group(1))
    assert (repeated > 0) != RACE_VIEWS[view].orbits, said


@pytest.mark.parametrize("chapter", ["momentum", "schedules", "finale"])
def test_static_layers_in_chapters(chapter, tmp_path):
    """Chapters keep most of a frame in the layer (maps, equations, charts) and draw what moves over it; in the
    closing hold, where nothing moves, frames repeat (a placement set again each frame would creep by a float's
    last bit and keep every frame changing)."""
    movies, said = {}, {}
    for mode, env in (("layers", {}), ("full", {"LOSSCAPE_STATIC_LAYERS": "0"})):
        movies[mode] = tmp_path / f"{mode}.mp4"
        done = run_ok([PY, "render.py", "explainer", chapter, "--quality", "low", "--duration", "1.5", "--max-steps",
                       "40", "-o", str(movies[mode])], LOSSCAPE_DEBUG="1", **env)
        said[mode] = done.stdout + done.stderr
    np.testing.assert_array_equal(mp4_frames(movies["layers"]), mp4_frames(movies["full"]))
    repeated = [int(n) for n in re.findall(r"'repeated': (\d+)", said["layers"])]
    assert repeated and max(repeated) > 0, said["layers"][-2000:]


@pytest.mark.parametrize("command", [
    ["--surface", "two-holes", "--quality", "low", "--duration", "5", "--steps", "40"],
    ["explainer", "momentum", "--quality", "low", "--duration", "3", "--max-steps", "40"],
], ids=["race", "chapter"])
def test_jobs_write_the_same_bytes_as_one_job(command, tmp_path):
    """Three workers give the same MP4 and GIF, byte for byte, as one: the race's orbiting MP4 is cut into
    parts (frames stepped through undrawn before each) beside its still-camera GIF's movie, the chapter into
    parts beside its title card; the segments are joined without re-encoding."""
    outputs = {}
    for jobs in ("1", "3"):
        outputs[jobs] = [tmp_path / f"{jobs}.mp4", tmp_path / f"{jobs}.gif"]
        run_ok([PY, "render.py", *command, "--jobs", jobs, "-q",
                *(arg for o in outputs[jobs] for arg in ("-o", str(o)))])
    for one, three in zip(outputs["1"], outputs["3"]):
        assert one.read_bytes() == three.read_bytes(), f"{one.name} and {three.name} differ"
    assert len(mp4_frames(outputs["3"][0])) > SEGMENT_FRAMES  # more than one segment was joined


# --- interrupts, kills, full disks and concurrent renders -----------------------------------------------------

def descendants(pid: int) -> set[int]:
    """Every process below pid, from the parent links in /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def catches_sigint(pid: int) -> bool:
    """The process neither ignores nor blocks SIGINT: it has a handler (Python's KeyboardInterrupt)."""
    status = dict(line.split(":\t", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                  if ":\t" in line)
    bit = 1 << (signal.SIGINT - 1)
    return not int(status["SigIgn"], 16) & bit and bool(int(status["SigCgt"], 16) & bit)


def _start_long_render(tmp_path: Path, target: Path) -> tuple[subprocess.Popen, Path]:
    """A 60 s render in its own process group, with SIGINT at its default disposition and a private TMPDIR;
    returns once the render process is encoding frames."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc = subprocess.Popen([PY, "-c", DEFAULT_SIGINT, "render.py", *RACE, "--fps", "5", "--duration", "60", "-q",
                             "-o", str(target)], cwd=ROOT, env=clean_env(TMPDIR=str(tmpdir)),
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        movie = [p for p in tmpdir.glob("losscape-*/*.mp4") if p.stat().st_size > 0]
        if movie:
            return proc, tmpdir
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    out, err = proc.communicate()
    pytest.fail(f"the render never got to encoding frames (exit {proc.returncode}): {err[-2000:]}")


def _nothing_runs_on(pids: set[int], seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(running(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if running(p)]


@pytest.mark.parametrize("signum, code, message", [(signal.SIGINT, 130, "render.py: interrupted"),
                                                   (signal.SIGTERM, 143, "render.py: terminated"),
                                                   (signal.SIGKILL, -signal.SIGKILL, None)],
                         ids=["INT", "TERM", "KILL"])
def test_a_signal_to_the_cli_stops_everything_and_leaves_nothing(signum, code, message, tmp_path):
    """Only the CLI is signalled (not its group): its render process and ffmpeg must stop with it."""
    out = tmp_path / "out"
    out.mkdir()
    target = out / "target.mp4"
    proc, tmpdir = _start_long_render(tmp_path, target)
    assert catches_sigint(proc.pid), "the CLI must see SIGINT (a background job may start with it ignored)"
    below = descendants(proc.pid)
    assert any("scenes" in Path(f"/proc/{p}/cmdline").read_text() for p in below if running(p)), below
    os.kill(proc.pid, signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert _nothing_runs_on(below) == [], "a render process or ffmpeg outlived the CLI"
    assert not target.exists()
    if message:
        assert err.strip().splitlines() == [message]
        assert list(out.iterdir()) == [], "no .part files may be left beside the target"
        assert list(tmpdir.iterdir()) == [], "the temp folder must be left as it was"
    else:  # the CLI could not tidy up; what it left stays hidden, and its render process tidied its own
        assert all(name.startswith(".target.") for name in leftovers(out))
        deadline = time.monotonic() + 5
        while list(tmpdir.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert list(tmpdir.iterdir()) == [], "the orphaned render process removes the work folder"


def test_sigint_leaves_no_file_and_no_temp_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "target.mp4"
    proc, tmpdir = _start_long_render(tmp_path, target)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "render.py: interrupted"
    assert not target.exists()
    assert list(out.iterdir()) == [], "no .part files may be left beside the target"
    left = [p.name for p in tmpdir.iterdir() if p.name.startswith("losscape-")]
    assert left == [], f"temporary work folders left behind: {left}"


def dead_pid() -> int:
    pid = 4_000_000
    while Path(f"/proc/{pid}").exists():
        pid += 1
    return pid


def test_the_next_run_removes_what_a_killed_run_left(tmp_path):
    """Part files and work folders of dead processes are removed; a live writer's are not touched."""
    tmpdir, dead = tmp_path / "tmp", dead_pid()
    tmpdir.mkdir()
    stale_part = tmp_path / f".paths.{dead}.abc123.part.csv"
    live_part = tmp_path / f".paths.{os.getpid()}.abc123.part.csv"
    stale_work, live_work = tmpdir / f"losscape-{dead}-x1", tmpdir / f"losscape-{os.getpid()}-x2"
    for path in (stale_part, live_part):
        path.write_text("half")
    for folder in (stale_work, live_work):
        folder.mkdir()
    target = tmp_path / "paths.csv"
    run_ok([PY, "render.py", "--surface", "saddle", "--optimizer", "gd", "--steps", "3", "--no-render", "-q",
            "--trajectory-out", str(target)], TMPDIR=str(tmpdir))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["paths.csv", live_part.name, "tmp"])
    assert target.read_text().startswith("optimizer,start,step")
    run_ok([PY, "render.py", *RACE, "--view", "contour", "-q",
            "-o", str(tmp_path / "x.png")], TMPDIR=str(tmpdir))
    assert sorted(p.name for p in tmpdir.iterdir()) == [live_work.name]


@pytest.fixture
def tiny_disk(tmp_path):
    """A 32 KiB tmpfs: writes to it fail with ENOSPC (root may mount one)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("target, args", [
    ("paths.csv", ["--surface", "saddle", "--optimizer", "gd,adam", "--steps", "3000", "--no-render"]),
    ("race.mp4", [*RACE, "--view", "contour", "--fps", "4", "--duration", "1"]),
], ids=["trajectories", "movie"])
def test_a_full_disk_is_one_line_and_leaves_nothing(tiny_disk, tmp_path, target, args):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    done = subprocess.run([PY, "render.py", *args, "-q", "--trajectory-out" if target.endswith(".csv") else "-o",
                           str(tiny_disk / target)], cwd=ROOT, env=clean_env(TMPDIR=str(tmpdir)),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 1, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "No space left on device" in done.stderr, done.stderr
    assert done.stderr.startswith(f"render.py: error: cannot write {tiny_disk / target}")
    assert list(tiny_disk.iterdir()) == [] and list(tmpdir.iterdir()) == []


def test_a_folder_as_target_is_one_line_exit_2(tmp_path, capsys):
    import render

    (tmp_path / "x.mp4").mkdir()
    assert render.main(["--steps", "2", "-o", str(tmp_path / "x.mp4")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "is a folder" in err


def test_two_renders_at_once_into_one_folder(tmp_path):
    jobs = {"3d": ["race.mp4", "race.png"], "contour": ["race.gif"]}  # same stem, different files
    procs = [subprocess.Popen([PY, "render.py", *RACE, "--view", view, "--quality", "low", "--fps", "5",
                               "--duration", "1", "-q",
                               *(a for name in names for a in ("-o", str(tmp_path / name)))],
                              cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for view, names in jobs.items()]
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.gif", "race.mp4", "race.png"]
    assert mp4_info(tmp_path / "race.mp4")[:1] == ((WIDTH, HEIGHT),)
    assert mp4_info(tmp_path / "race.mp4")[2] == 15  # (1 s + the 2 s hold) × 5 fps
    assert iio.imread(tmp_path / "race.png").shape[:2] == (HEIGHT, WIDTH)
    assert iio.imread(tmp_path / "race.gif", index=None).shape[:3] == (15, 360, 640)


def test_two_renders_to_the_same_target_leave_one_complete_file(tmp_path):
    """Both finish; the target is one of the two whole movies (2 s or 3 s long), never a mix."""
    target = tmp_path / "race.mp4"
    procs = [subprocess.Popen([PY, "render.py", *RACE, "--view", "contour", "--fps", "5", "--duration", str(d),
                               "-q", "-o", str(target)], cwd=ROOT, env=clean_env(), stderr=subprocess.PIPE, text=True)
             for d in (1, 2)]
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err[-3000:]
    assert [p.name for p in tmp_path.iterdir()] == ["race.mp4"]
    frames = len(mp4_frames(target))
    assert frames in (15, 20) and mp4_info(target)[2] == frames  # (duration + 2 s hold) × 5 fps


def test_progress_bar_is_labelled_from_its_first_line(tmp_path):
    done = run_ok([PY, "render.py", *RACE, "--view", "contour", "--fps", "4", "--duration", "1",
                   "-o", str(tmp_path / "race.mp4")])
    bars = [part for part in done.stderr.replace("\r", "\n").splitlines() if "%|" in part]
    assert bars, done.stderr
    assert all(bar.strip().startswith("rendering race") for bar in bars), bars[:3]


# --- the ManimGL way ---------------------------------------------------------------------------------------

def test_manimgl_renders_the_race_named_by_the_environment(tmp_path):
    """`LOSSCAPE_RUN=race.npz manimgl scenes/race.py RaceScene -w -l`: the ManimGL way draws a saved Run."""
    config = tmp_path / "fps.yml"
    config.write_text("camera:\n  fps: 5\n")  # `--fps` crashes in ManimGL 1.7.2; 5 fps keeps this short
    videos, run = tmp_path / "videos", tmp_path / "race.npz"
    render_cli("--no-render", "--steps", "150", "--trajectory-out", str(run))
    manimgl = Path(PY).with_name("manimgl")
    run_ok([str(manimgl), "scenes/race.py", "RaceScene", "-w", "-l", "-q", "--config_file", str(config),
            "--video_dir", str(videos)], timeout=300, PYGLET_HEADLESS="1", LOSSCAPE_RUN=str(run))
    size, fps, frames, _ = mp4_info(videos / "RaceScene.mp4")
    assert size == (WIDTH, HEIGHT) and fps == 5
    assert abs(frames - (10.0 + HOLD) * 5) <= 1  # RaceScene.duration is 10 s


def test_manimgl_without_a_run_says_how_to_make_one(tmp_path):
    manimgl = Path(PY).with_name("manimgl")
    done = subprocess.run([str(manimgl), "scenes/race.py", "RaceScene", "-w", "-l", "-q", "--video_dir",
                           str(tmp_path)], cwd=ROOT, env=clean_env(PYGLET_HEADLESS="1"), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    assert "LOSSCAPE_RUN=FILE.npz" in done.stdout + done.stderr


# --- bad options fail before rendering ---------------------------------------------------------------------

BAD_OPTIONS = {
    "quality": ["--quality", "ultra"],
    "fps-zero": ["--fps", "0"],
    "fps-too-high": ["--fps", "121"],
    "duration-negative": ["--duration", "-1"],
    "duration-too-long": ["--duration", "601"],
    "view": ["--view", "top"],
    "format": ["-o", "out.avi"],
    "folder": ["-o", "/nonexistent/dir/x.mp4"],
    "gif-width-zero": ["--gif-width", "0"],
    "gif-width-word": ["--gif-width", "wide"],
}


@pytest.mark.parametrize("bad", BAD_OPTIONS.values(), ids=BAD_OPTIONS.keys())
def test_bad_render_options_are_one_line_and_exit_2(bad, tmp_path, monkeypatch, capsys):
    import render

    monkeypatch.chdir(tmp_path)  # a relative -o (or a wrongly written default) would land here
    argv = ["--steps", "2", "--fps", "2", "--duration", "0.5", *bad]
    if not any(a == "-o" for a in bad):
        argv += ["-o", "x.mp4"]
    assert render.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("render.py: error: "), err
    assert list(tmp_path.iterdir()) == []


def test_list_names_the_views():
    out = run_ok([PY, "render.py", "list"]).stdout
    views = out.split("Views (--view):")[1].split("\n\n")[0].split()
    for name in VIEWS:
        assert name in views, out


def test_manimlib_stays_out_of_the_test_process():
    """Every render above ran in a subprocess; importing ManimGL here would parse pytest's argv and open GL."""
    assert "manimlib" not in sys.modules
