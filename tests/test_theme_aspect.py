"""Themes and frame shapes end to end: every race view and two chapters, in each theme × aspect, from their pixels.

Renders run in subprocesses (`render.py` and `python -m scenes JOB.json`); ManimGL is never imported here. Each
still is checked for its pixel size (the shorter side is the quality's height), its ground (the theme's
background), and that every text fixed in the frame lies inside it (the scenes' probe gives each text's box).
"""

import json
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from itertools import product
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from scenes.chapters import CHAPTERS as ALL_CHAPTERS
from scenes.job import ASPECTS, RenderJob, SceneJob, pixel_size
from scenes.theme import THEMES

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SHORT = 480  # --quality low
RACE = ["--surface", "two-holes", "--optimizer", "gd,momentum,adam", "--steps", "30"]
VIEWS = ["3d", "contour", "split"]
# maps with live equations; the 3D race beside its chart; two maps and a key of endings; a map with the η(t) chart
CHAPTERS = ["momentum", "finale", "noise", "schedules"]
LARGE_ROLES = ("title", "caption", "legend", "formula")  # ≥ 12 px digits at 640 px wide; any other text ≥ 10 px
CASES = list(product(THEMES, ASPECTS))
NARROW = [a for a, (w, h) in ASPECTS.items() if w <= h]  # square and vertical: overlays stack around the picture
GROUND_TOLERANCE = 3  # per channel: the encoder and blending may move the ground by a step or two
# the race's overlays by name: equation cards, glyphs (arrows, the squares and bars and their key), or both
FLAGS = {"both": dict(show_equations=True, show_glyphs=True), "equations": dict(show_equations=True),
         "glyphs": dict(show_glyphs=True)}


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])


def ground(image: np.ndarray) -> np.ndarray:
    """The most common colour of the image's outer ring of pixels."""
    ring = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])[:, :3]
    return np.array(Counter(map(tuple, ring)).most_common(1)[0][0])


def render_scene(folder: Path, scene: SceneJob) -> tuple[np.ndarray, dict]:
    """The scene's last frame and its probe, rendered by the render process."""
    job = RenderJob((scene,), str(folder), quiet=True)
    (folder / "job.json").write_text(job.to_json())
    done = run([PY, "-m", "scenes", str(folder / "job.json")])
    assert done.returncode == 0, done.stderr[-3000:]
    return iio.imread(job.still(0))[..., :3], json.loads(Path(scene.probe_path).read_text())


@pytest.fixture(scope="module")
def race_run(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("race") / "race.npz"
    done = run([PY, "render.py", *RACE, "--no-render", "--trajectory-out", str(path), "-q"])
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def chapter_runs(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("chapters") / "runs"
    done = run([PY, "render.py", "explainer", "all", "--save-runs", str(folder), "--max-steps", "20", "-q"])
    assert done.returncode == 0, done.stderr
    index = json.loads((folder / "runs.json").read_text())
    return {name: {key: str(folder / path) for key, path in index[name].items()} for name in CHAPTERS}


def still(folder: Path, theme: str, aspect: str, **job) -> tuple[np.ndarray, dict]:
    width, height = pixel_size(SHORT, aspect)
    scene = SceneJob(width=width, height=height, fps=5, movie=False, still=True, duration=1.0, theme=theme,
                     aspect=aspect, probe_path=str(folder / "probe.json"), **job)
    return render_scene(folder, scene)


def check_frame(image: np.ndarray, probe: dict, theme: str, aspect: str) -> None:
    """Pixel size of the aspect, the theme's ground, and every fixed text inside the frame."""
    width, height = pixel_size(SHORT, aspect)
    assert image.shape[:2] == (height, width)
    assert probe["size"] == [width, height]
    assert np.abs(ground(image) - rgb(THEMES[theme].background)).max() <= GROUND_TOLERANCE, ground(image)
    boxes = [t for t in probe["text"] if "box" in t]
    assert len(boxes) >= 5, "the probe should see the legend, caption and counter"
    for t in boxes:
        left, bottom, right, top = t["box"]
        assert left >= 0 and bottom >= 0 and right <= 1 and top <= 1, f"{t['role']} text off the frame: {t['box']}"


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("theme,aspect", CASES)
def test_race_view_fits_its_frame(race_run, tmp_path, view, theme, aspect):
    image, probe = still(tmp_path, theme, aspect, scene=view, run_path=str(race_run))
    check_frame(image, probe, theme, aspect)
    roles = {t["role"] for t in probe["text"] if "box" in t}
    assert {"legend", "caption", "formula"} <= roles
    for head in probe["heads"]:  # every ball on screen
        col, row = head["pixel"]
        assert 0 <= col < image.shape[1] and 0 <= row < image.shape[0], head
    markers = [t for t in probe["text"] if t["role"] == "marker"]  # two-holes: 'local min −0.500', 'min −0.679'
    assert len(markers) == 2 and not overlapping(markers), markers


@pytest.fixture(scope="module")
def default_race(tmp_path_factory) -> Path:
    """The default race (`render.py` with no flags): its balls end at the minima, their tags beside the labels."""
    path = tmp_path_factory.mktemp("default") / "race.npz"
    done = run([PY, "render.py", "--no-render", "--trajectory-out", str(path), "-q"])
    assert done.returncode == 0, done.stderr
    return path


@pytest.mark.parametrize("flags", ["none", "both"])
@pytest.mark.parametrize("still_camera", [True, False])
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("aspect", ASPECTS)
def test_minimum_labels_never_overlap(default_race, tmp_path, view, aspect, still_camera, flags):
    """'local min −0.500' and 'min −0.679' apart and clear of the name tags, with the camera held still as GIFs
    show it (from the orbit's start the two minima are close on screen) and at the orbit's end; with equation cards
    and glyphs too, where the picture is smaller and the balls' tags closer to the labels."""
    image, probe = still(tmp_path, "dark", aspect, scene=view, run_path=str(default_race), still_camera=still_camera,
                         **FLAGS.get(flags, {}))
    check_minimum_labels(probe)


def overlapping(texts: list[dict], gap: float = 0.0) -> list[tuple[dict, dict]]:
    """Pairs of texts whose boxes on the frame overlap, or come within `gap` (a share of the frame) of each other."""
    return [(a, b) for i, a in enumerate(texts) for b in texts[i + 1:]
            if a["box"][0] - gap < b["box"][2] and b["box"][0] - gap < a["box"][2] and a["box"][1] - gap < b["box"][3]
            and b["box"][1] - gap < a["box"][3]]


@pytest.fixture(scope="module")
def four_optimizers(tmp_path_factory) -> Path:
    """GD, momentum, RMSprop and Adam (the default set): four equation cards, two paths with squares."""
    path = tmp_path_factory.mktemp("four") / "race.npz"
    done = run([PY, "render.py", "--optimizer", "gd,momentum,rmsprop,adam", "--steps", "30", "--no-render",
                "--trajectory-out", str(path), "-q"])
    assert done.returncode == 0, done.stderr
    return path


def inside(inner: list[float], outer: list[float]) -> bool:
    return all(a >= b - 1e-3 for a, b in zip(inner[:2], outer[:2])) and all(
        a <= b + 1e-3 for a, b in zip(inner[2:], outer[2:]))


# every view with both; the split view, whose chart shares the room, with each alone too
LAYOUTS = [(view, "both") for view in VIEWS] + [("split", "equations"), ("split", "glyphs")]
# share of the frame's area the picture's box covers, at least: with both flags the split view's race had under 3%
# (the cards and the key stacked over the room it had), now 8% or more; the smallest is the square contour map (6%)
MIN_PICTURE = 0.05


@pytest.mark.parametrize("view,flags", LAYOUTS)
@pytest.mark.parametrize("aspect", ASPECTS)
def test_race_with_equations_and_glyphs_gives_them_readable_room(four_optimizers, tmp_path, view, flags, aspect):
    """Four equation cards, the glyph key and the paths' squares and bars, in every frame shape: every text readable
    at 640 px, inside the frame, and clear of every other text fixed in the frame (tags and minima ride on the
    picture, the minima's labels apart and clear of the tags); the squares and bars fixed in the frame, inside it,
    clear of the picture and of every text; the cards and the split view's chart clear of the picture, of each
    other and of every other text; the picture at least MIN_PICTURE of the frame."""
    image, probe = still(tmp_path, "dark", aspect, scene=view, run_path=str(four_optimizers), **FLAGS[flags])
    check_frame(image, probe, "dark", aspect)
    equations, glyphs = FLAGS[flags].get("show_equations", False), FLAGS[flags].get("show_glyphs", False)
    assert (sum(t["role"] == "equation" for t in probe["text"]) >= 8) == equations
    assert any(t["role"] == "glyph" for t in probe["text"]) == glyphs
    for text in probe["text"]:
        assert text["px"] >= (12 if text["role"] in LARGE_ROLES else 10), text
    check_legend_rows(probe)
    fixed = [t for t in probe["text"] if "box" in t and t["role"] not in ("tag", "marker")]
    assert not overlapping(fixed), overlapping(fixed)[:3]
    check_minimum_labels(probe)
    check_blocks(probe, 4 if equations else 0, view == "split")
    assert picture_share(probe) >= MIN_PICTURE, probe["picture"]
    if glyphs:
        check_insets(probe)


@pytest.mark.parametrize("view", VIEWS)
def test_glyphs_beside_equations_cost_the_wide_picture_little(four_optimizers, tmp_path, view):
    """In 16:9, adding the glyph key and the squares and bars to the equation cards keeps at least 3/4 of the
    picture's area (their slots beside the legend, the key beside the caption; stacked over the caption they left
    the 3D race half of it)."""
    areas = {}
    for flags in ("equations", "both"):
        folder = tmp_path / flags
        folder.mkdir()
        _, probe = still(folder, "dark", "16:9", scene=view, run_path=str(four_optimizers), **FLAGS[flags])
        areas[flags] = picture_share(probe)
    assert areas["both"] >= 0.75 * areas["equations"], areas


TAG_GAP = 0.012  # share of the frame between a minimum's label and a name tag, at least: closer, they read as one


def check_minimum_labels(probe: dict) -> None:
    """Two-holes' 'local min −0.500' and 'min −0.679' inside the frame, apart, and clear of the name tags by
    TAG_GAP."""
    markers = [t for t in probe["text"] if t["role"] == "marker"]
    assert len(markers) == 2 and not overlapping(markers), markers
    assert all(inside(m["box"], [0, 0, 1, 1]) for m in markers), markers
    tags = [t for t in probe["text"] if t["role"] == "tag"]
    assert not [(m, t) for m in markers for t in tags if overlapping([m, t], TAG_GAP)], (markers, tags)


def check_blocks(probe: dict, cards: int, chart: bool) -> None:
    """The equation cards and the loss chart inside the frame, off the picture, apart, and clear of every text fixed
    in the frame but their own."""
    blocks = probe["blocks"]
    assert [b["name"] for b in blocks] == ["card"] * cards + ["chart"] * chart, blocks
    for i, block in enumerate(blocks):
        assert inside(block["box"], [0, 0, 1, 1]) and not block["on_picture"], block
        texts = [t for t in probe["text"] if "box" in t and not inside(t["box"], block["box"])]
        clashes = [o for o in (*blocks[i + 1:], *texts) if overlapping([block, o])]
        assert not clashes, (block, clashes)


def picture_share(probe: dict) -> float:
    """The share of the frame's area that the picture's box covers."""
    left, top, right, bottom = probe["picture"]
    width, height = probe["size"]
    return (right - left) * (bottom - top) / (width * height)


def check_insets(probe: dict) -> None:
    """The paths' squares and bars fixed in the frame, inside it, off the picture and clear of each other and of
    every text (but their own axis names)."""
    insets = probe["insets"]
    assert len(insets) == 4 and all(i["fixed"] for i in insets), insets  # every path has bars, two have squares
    for i, inset in enumerate(insets):
        assert inside(inset["box"], [0, 0, 1, 1]) and not inset["on_picture"], inset
        texts = [t for t in probe["text"] if "box" in t and not inside(t["box"], inset["box"])]  # not its own x, y
        clashes = [o for o in (*insets[i + 1:], *texts) if overlapping([inset, o])]
        assert not clashes, (inset, clashes)


def check_legend_rows(probe: dict) -> None:
    """A legend shrunk to fit keeps its live numbers at the size of its names, whatever digits they gained."""
    sizes = [t["px"] for t in probe["legend"]]
    assert max(sizes) <= 1.03 * min(sizes), probe["legend"]


@pytest.mark.parametrize("aspect", NARROW)
def test_split_view_gives_the_race_the_frames_width(race_run, tmp_path, aspect):
    """Square and vertical split views: the loss chart sits below the race, which spans most of the frame's
    width; legend and caption readable, nothing overlapping."""
    image, probe = still(tmp_path, "dark", aspect, scene="split", run_path=str(race_run))
    check_frame(image, probe, "dark", aspect)
    left, _, right, _ = probe["picture"]
    assert right - left >= 0.7 * probe["size"][0], probe["picture"]
    for text in probe["text"]:
        assert text["px"] >= (12 if text["role"] in LARGE_ROLES else 10), text
    check_legend_rows(probe)
    fixed = [t for t in probe["text"] if "box" in t and t["role"] not in ("tag", "marker")]
    assert not overlapping(fixed), overlapping(fixed)[:3]


@pytest.mark.parametrize("aspect", ASPECTS)
def test_chart_names_its_axis_above_its_tick_labels(race_run, tmp_path, aspect):
    """The loss axis's name sits clear above the chart's top tick label (≥ 0.08 scene units), never touching it."""
    image, probe = still(tmp_path, "dark", aspect, scene="split", run_path=str(race_run))
    chart = [t for t in probe["text"] if "box" in t and t["role"] == "chart"]
    name = max(chart, key=lambda t: t["box"][3])
    frame_height = 8.0 * max(1.0, probe["size"][1] / probe["size"][0])  # scene units: the shorter side is 8
    gap = (name["box"][1] - max(t["box"][3] for t in chart if t is not name)) * frame_height
    assert gap >= 0.08, (name, gap)


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("theme,aspect", CASES)
def test_chapter_fits_its_frame(chapter_runs, tmp_path, chapter, theme, aspect):
    image, probe = still(tmp_path, theme, aspect, scene="chapter", chapter=chapter, run_paths=chapter_runs[chapter])
    check_frame(image, probe, theme, aspect)
    assert {"title", "caption"} <= {t["role"] for t in probe["text"] if "box" in t}
    for text in probe["text"]:  # readable in the 640 px GIF, whatever the frame's shape
        assert text["px"] >= (12 if text["role"] in LARGE_ROLES else 10), text


# chapters whose last beat is one map over a chart: in a square frame its legend goes beside the chart
MAP_OVER_CHART = [name for name, chapter in ALL_CHAPTERS.items()
                  if (chapter.beats[-1].chart or chapter.beats[-1].rate_chart) and len(chapter.beats[-1].panels) == 1
                  and chapter.beats[-1].panels[0].view != "3d"]


@pytest.mark.parametrize("chapter", MAP_OVER_CHART)
def test_a_lone_map_over_a_chart_takes_the_square_frames_width(tmp_path, chapter):
    """In a square frame the map's legend sits beside the chart below it, so the map spans ≥ 45% of the frame's
    width (under its own legend it had a fifth), every text readable and inside the frame."""
    folder = tmp_path / "runs"
    done = run([PY, "render.py", "explainer", chapter, "--save-runs", str(folder), "--max-steps", "20", "-q"])
    assert done.returncode == 0, done.stderr
    runs = {key: str(folder / path) for key, path in json.loads((folder / "runs.json").read_text())[chapter].items()}
    image, probe = still(tmp_path, "dark", "1:1", scene="chapter", chapter=chapter, run_paths=runs)
    check_frame(image, probe, "dark", "1:1")
    (left, _, right, _), = probe["maps"]
    assert right - left >= 0.45 * probe["size"][0], probe["maps"]
    for text in probe["text"]:
        assert text["px"] >= (12 if text["role"] in LARGE_ROLES else 10), text
    fixed = [t for t in probe["text"] if "box" in t and t["role"] not in ("tag", "marker")]
    assert not overlapping(fixed), overlapping(fixed)[:3]


GIF_WIDTH = 640  # the default --gif-width
# mean |GIF − the scene drawn at GIF size| per channel: 1.5–1.7 when the GIF's movie is drawn at its size, 2.2–2.9
# when a 720 px movie is scaled to 640 (palette and dithering account for the rest)
SHARP_MEAN = 2.0


def gif_matches_its_size(gif: Path, scene: SceneJob, folder: Path) -> None:
    """The GIF's last frame is the scene drawn at the GIF's own size (up to its palette and dithering), not a movie
    scaled by a fraction, which blurs every edge."""
    height = round(scene.height * GIF_WIDTH / scene.width / 2) * 2
    folder.mkdir()
    reference, _ = render_scene(folder, replace(scene, width=GIF_WIDTH, height=height))
    last = iio.imread(gif)[-1][..., :3]
    assert last.shape == reference.shape
    difference = np.abs(last.astype(float) - reference.astype(float))
    assert difference.mean() <= SHARP_MEAN, difference.mean()


@pytest.mark.parametrize("aspect", NARROW)
def test_square_and_vertical_race_gifs_are_drawn_at_their_size(tmp_path, aspect):
    gif, run_path = tmp_path / "race.gif", tmp_path / "race.npz"
    done = run([PY, "render.py", *RACE, "--view", "contour", "--aspect", aspect, "--quality", "medium", "--fps", "5",
                "--duration", "1", "-o", str(gif), "--trajectory-out", str(run_path), "-q"])
    assert done.returncode == 0, done.stderr
    width, height = pixel_size(720, aspect)
    scene = SceneJob("contour", width, height, 5, movie=False, still=True, duration=1.0, aspect=aspect,
                     run_path=str(run_path), probe_path=str(tmp_path / "probe.json"))
    gif_matches_its_size(gif, scene, tmp_path / "still")


def test_square_chapter_gif_is_drawn_at_its_size(chapter_runs, tmp_path):
    gif = tmp_path / "momentum.gif"
    done = run([PY, "render.py", "explainer", "momentum", "--aspect", "1:1", "--fps", "5", "--duration", "1",
                "--max-steps", "20", "-o", str(gif), "-q"])
    assert done.returncode == 0, done.stderr
    width, height = pixel_size(720, "1:1")
    scene = SceneJob("chapter", width, height, 5, movie=False, still=True, duration=1.0, aspect="1:1",
                     chapter="momentum", run_paths=chapter_runs["momentum"], probe_path=str(tmp_path / "probe.json"))
    gif_matches_its_size(gif, scene, tmp_path / "still")


@pytest.mark.parametrize("theme,aspect", [("light", "9:16"), ("light", "1:1"), ("dark", "1:1")])
def test_cli_renders_the_theme_and_aspect(tmp_path, theme, aspect):
    """`render.py --theme --aspect` reaches the picture: its size and its ground."""
    png = tmp_path / "race.png"
    done = run([PY, "render.py", *RACE, "--view", "contour", "--quality", "low", "--theme", theme, "--aspect", aspect,
                "-o", str(png), "-q"])
    assert done.returncode == 0, done.stderr
    image = iio.imread(png)[..., :3]
    assert image.shape[:2] == pixel_size(SHORT, aspect)[::-1]
    assert np.abs(ground(image) - rgb(THEMES[theme].background)).max() <= GROUND_TOLERANCE


def test_light_theme_draws_adam_dark_on_white(race_run, tmp_path):
    """Adam's registry white becomes the light theme's counterpart: the ball shows that colour, not white."""
    image, probe = still(tmp_path, "light", "16:9", scene="contour", run_path=str(race_run))
    adam = next(h for h in probe["heads"] if h["name"] == "adam")
    assert adam["color"] == THEMES["light"].path_color("#FFFFFF") != "#FFFFFF"
    col, row = (int(round(v)) for v in adam["pixel"])
    patch = image[row - 6: row + 7, col - 6: col + 7].reshape(-1, 3).astype(int)
    assert np.abs(patch - rgb(adam["color"])).sum(axis=1).min() < 60


@pytest.mark.parametrize("args,nearest", [
    (["--theme", "sepia"], "dark, light"),
    (["--theme", "lihgt"], "'light'"),
    (["--aspect", "4:3"], "16:9, 1:1, 9:16"),
    (["--aspect", "9:61"], "'9:16'"),
    (["explainer", "momentum", "--theme", "drak"], "'dark'"),
    (["explainer", "momentum", "--aspect", "1:2"], "1:1"),
    (["basins", "--aspect", "9:16"], "16:9"),
])
def test_bad_theme_or_aspect_is_one_line_naming_the_valid_ones(args, nearest):
    done = run([PY, "render.py", *args, "-q"])
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and nearest in lines[0], done.stderr
