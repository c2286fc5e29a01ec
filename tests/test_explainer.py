"""Every explainer chapter renders headless (in a subprocess) and its final frame shows what it is about."""

import json
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from landscapes import resolve_surface
from optimizers.engine import simulate
from optimizers.registry import resolve_optimizer
from scenes.chapters import CHAPTERS
from scenes.job import RenderJob, SceneJob

ROOT = Path(__file__).resolve().parent.parent
GLYPH_RGB = {"grad": (0xFF, 0xEB, 0x3B), "moment": (0x18, 0xFF, 0xFF)}


def rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)])


def near(image: np.ndarray, pixel, color, radius: int = 7, tolerance: int = 60) -> bool:
    """Some pixel within `radius` of `pixel` has (about) this colour."""
    x, y = (int(round(v)) for v in pixel)
    window = image[max(y - radius, 0): y + radius + 1, max(x - radius, 0): x + radius + 1, :3].astype(int)
    return bool(window.size) and int(np.abs(window - np.asarray(color)).sum(-1).min()) <= tolerance


@pytest.fixture(scope="module")
def chapter_runs(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("runs")
    subprocess.run([sys.executable, "render.py", "explainer", "all", "--save-runs", str(folder), "--max-steps", "12"],
                   cwd=ROOT, check=True)
    index = json.loads((folder / "runs.json").read_text())  # paths relative to the index's folder
    return {chapter: {key: str(folder / path) for key, path in runs.items()} for chapter, runs in index.items()}


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_chapter_renders_and_shows_its_point(name, chapter_runs, tmp_path):
    probe = tmp_path / "probe.json"
    scene = SceneJob("chapter", 854, 480, 5, movie=False, still=True, chapter=name, run_paths=chapter_runs[name],
                     duration=1.0, probe_path=str(probe))
    job = RenderJob((scene,), str(tmp_path), quiet=True)
    (tmp_path / "job.json").write_text(job.to_json())
    subprocess.run([sys.executable, "-m", "scenes", str(tmp_path / "job.json")], cwd=ROOT, check=True,
                   capture_output=True)
    png = job.still(0)
    image, facts = iio.imread(png), json.loads(probe.read_text())
    assert image.shape[:2] == (480, 854)
    last = CHAPTERS[name].beats[-1]
    # every path of the last beat is drawn, in its optimizer's colour, where its head projects
    assert len(facts["heads"]) >= 1
    for head in facts["heads"]:
        assert near(image, head["pixel"], rgb(head["color"]), radius=9, tolerance=90), head
    # the equations of the beat are on screen, glyphs at the heads, the chart in the finale
    assert facts["equations"] == len(last.equations)
    kinds = {g for p in last.panels for g in p.glyphs}
    shown = {g["kind"] for g in facts["glyphs"]}
    assert shown >= kinds & {"grad", "squares"}
    for glyph in facts["glyphs"]:
        if glyph["kind"] in GLYPH_RGB and np.hypot(*np.subtract(glyph["tip"], glyph["tail"])) > 4:
            middle = np.add(glyph["tip"], glyph["tail"]) / 2
            assert near(image, middle, GLYPH_RGB[glyph["kind"]], radius=4, tolerance=90), glyph
    assert facts["chart"] == last.chart
    assert facts["caption"] == last.caption
    # readable at 640 px: titles, captions and legends 12 px digits, everything else 10 px
    for text in facts["text"]:
        assert text["px"] >= (12 if text["role"] in ("title", "caption", "legend", "formula") else 10), text
    # the glyph inset never covers a minimum marker
    for glyph in facts["glyphs"]:
        if glyph["kind"] == "squares":
            (x0, y0), (x1, y1) = glyph["box"]
            for mx, my in facts["markers"]:
                assert not (min(x0, x1) - 6 <= mx <= max(x0, x1) + 6 and min(y0, y1) - 6 <= my <= max(y0, y1) + 6)
    if last.chart:  # the loss curves are drawn in the right-hand column
        right = image[60:420, 560:850, :3].astype(int)
        colours = {h["color"] for h in facts["heads"]}
        found = sum(int(np.abs(right - rgb(c)).sum(-1).min()) < 60 for c in colours)
        assert found >= len(colours) // 2


def test_chapter_list_names_every_chapter_once(capsys):
    import render

    assert render.main(["explainer", "--list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(CHAPTERS)


@pytest.mark.parametrize("argv", [["explainer", "momentun"], ["explainer"], ["explainer", "all", "--duration", "-1"],
                                  ["explainer", "adam", "-o", "x.avi"]])
def test_explainer_bad_input_is_one_line_exit_2(argv, capsys, tmp_path, monkeypatch):
    import render

    monkeypatch.chdir(tmp_path)
    assert render.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("spec, shown", [("adam:b1=0.8", "0.8"), ("adam:learning_rate=0.0123", "0.0123"),
                                         ("rmsprop:decay=0.75", "0.75"), ("momentum:momentum=0.66", "0.66"),
                                         ("adagrad:eps=0.001", "0.001")])
def test_equation_shows_the_hyperparameters_the_engine_used(spec, shown):
    surface = resolve_surface("ravine")
    run = simulate(surface, [resolve_optimizer(spec, surface)], [(1.0, 1.0)], 3, grid_size=0)
    meta = run.meta.optimizers[0]
    key, value = spec.split(":")[1].split("=")
    assert meta.hyperparameters[key] == float(value)
    assert any(shown in line for line in meta.equation)
    default = simulate(surface, [resolve_optimizer(spec.split(":")[0], surface)], [(1.0, 1.0)], 3, grid_size=0)
    assert default.meta.optimizers[0].equation != meta.equation


def test_title_cards_name_their_own_chapter():
    code = ("from scenes.job import SceneJob; from scenes.renderer import scene_class; "
            "print(*(scene_class(SceneJob('title', 854, 480, 5, chapter=n)).chapter for n in ('momentum', 'adam')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["momentum", "adam"]


def test_live_numbers_read_true_in_two_chapters_rendered_in_one_process(chapter_runs, tmp_path):
    """`explainer all` renders every chapter in one process: the second chapter's legend still shows its losses."""
    names = ("batches", "finale")
    scenes = tuple(SceneJob("chapter", 854, 480, 5, movie=False, still=True, chapter=n, run_paths=chapter_runs[n],
                            duration=1.0, probe_path=str(tmp_path / f"{n}.json")) for n in names)
    job = RenderJob(scenes, str(tmp_path), quiet=True)
    (tmp_path / "job.json").write_text(job.to_json())
    subprocess.run([sys.executable, "-m", "scenes", str(tmp_path / "job.json")], cwd=ROOT, check=True,
                   capture_output=True)
    from optimizers.run import Run

    for name in names:
        facts = json.loads((tmp_path / f"{name}.json").read_text())
        panels = CHAPTERS[name].beats[-1].panels
        for panel, shown in zip(panels, facts["legend"]):
            run = Run.load(chapter_runs[name][panel.run])
            t = int(facts["end_step"])  # the clip stops where nothing visibly moves any more
            ends = [run.loss[o, s, k, t] for o, s, k in (panel.paths or np.ndindex(run.params.shape[:3]))]
            assert shown == [f"{v:.4f}".replace("-", "−") for v in ends], (name, panel.title)
