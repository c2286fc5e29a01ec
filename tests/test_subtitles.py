"""Chapter markers and subtitles: read back from the rendered files and checked against the scenes' timeline,
which is itself checked against the frames ManimGL wrote (renders run in a subprocess, through the CLI)."""

import re
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import pytest

from cli.subtitles import ffmetadata, race_lines, srt, timestamp, vtt
from landscapes import LANDSCAPES
from scenes.chapters import CHAPTERS
from cli.process import join_segments
from scenes.job import RenderJob, SceneJob
from scenes.timeline import (
    Cue, Timeline, chapter_timeline, explainer_timeline, frames, race_timeline, title_timeline,
)

ROOT = Path(__file__).resolve().parent.parent
FPS, DURATION = 7, 0.7  # 7 fps: no plays or waits (0.5 s, 2 s, a share of 0.7 s) are whole frames, so rounding shows
QUICK = ["-q", "--quality", "low", "--fps", str(FPS)]


def render(*argv: str, cwd: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "render.py"), *argv], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def frame_count(mp4: Path) -> int:
    """The video stream's frames, counted by ffmpeg from the file's packets (no decoding)."""
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(mp4), "-map", "0:v",
                           "-c", "copy", "-f", "null", "-"], capture_output=True, text=True, check=True)
    return int(re.findall(r"frame=\s*(\d+)", done.stderr)[-1])


def chapter_markers(mp4: Path) -> list[tuple[float, float, str]]:
    """(start s, end s, title) of each chapter, from the file's FFMETADATA as ffmpeg writes it back."""
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
                           "-i", str(mp4), "-f", "ffmetadata", "-"], capture_output=True, text=True, check=True)
    chapters = []
    for block in done.stdout.split("[CHAPTER]")[1:]:
        fields = dict(line.split("=", 1) for line in block.strip().splitlines() if "=" in line)
        numerator, denominator = (int(v) for v in fields["TIMEBASE"].split("/"))
        scale = numerator / denominator
        title = re.sub(r"\\(.)", r"\1", fields["title"])
        chapters.append((int(fields["START"]) * scale, int(fields["END"]) * scale, title))
    return chapters


def milliseconds(stamp: str, separator: str) -> int:
    match = re.fullmatch(rf"(\d\d):([0-5]\d):([0-5]\d){re.escape(separator)}(\d\d\d)", stamp)
    assert match, stamp
    hours, minutes, seconds, ms = (int(g) for g in match.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms


def parse_srt(text: str) -> list[tuple[int, int, str]]:
    """(start ms, end ms, text) per cue; the numbering must run 1, 2, 3, ..."""
    cues = []
    for number, block in enumerate(text.strip().split("\n\n"), 1):
        index, span, *lines = block.split("\n")
        assert index == str(number)
        start, end = span.split(" --> ")
        cues.append((milliseconds(start, ","), milliseconds(end, ","), "\n".join(lines)))
    return cues


def parse_vtt(text: str) -> list[tuple[int, int, str]]:
    header, *blocks = text.strip().split("\n\n")
    assert header == "WEBVTT"
    cues = []
    for block in blocks:
        span, *lines = block.split("\n")
        start, end = span.split(" --> ")
        cues.append((milliseconds(start, "."), milliseconds(end, "."), "\n".join(lines)))
    return cues


def expected(timeline: Timeline) -> list[tuple[int, int, str]]:
    return [(timeline.milliseconds(c.start), timeline.milliseconds(c.end), c.text) for c in timeline.cues]


@pytest.fixture(scope="module")
def lesson(tmp_path_factory) -> Path:
    """`explainer all` at the smallest settings, with its subtitles (about a minute)."""
    folder = tmp_path_factory.mktemp("lesson")
    render("explainer", "all", *QUICK, "--duration", str(DURATION), "--max-steps", "12", "-o", "all.mp4",
           "--subtitles", "all.srt", cwd=folder)
    return folder


def test_explainer_all_has_one_chapter_marker_per_chapter(lesson):
    """Titled and in order, from the start of each title card to the end of its chapter, ending with the file."""
    timeline = explainer_timeline(list(CHAPTERS), FPS, DURATION)
    total = frame_count(lesson / "all.mp4")
    assert total == timeline.frames  # every card and chapter is as long as the timeline says (see below, too)
    markers = chapter_markers(lesson / "all.mp4")
    assert [title for _, _, title in markers] == [c.title for c in CHAPTERS.values()]
    assert markers[0][0] == 0 and markers[-1][1] == pytest.approx(total / FPS, abs=1e-3)
    for (_, end, _), (start, _, _) in zip(markers, markers[1:]):
        assert start == pytest.approx(end, abs=1e-3)
    for (start, end, _), name, chapter in zip(markers, CHAPTERS, timeline.chapters):
        card_and_scene = title_timeline(name, FPS).frames + chapter_timeline(name, FPS, DURATION).frames
        assert (end - start) * FPS == pytest.approx(card_and_scene, abs=1e-2)
        assert (start, end) == pytest.approx((chapter.start / FPS, chapter.end / FPS), abs=1e-3)


def test_explainer_all_subtitles_give_every_caption_its_span(lesson):
    """Each card's title and summary, then each beat's takeaway (the network's with its plane), back to back."""
    cues = parse_srt((lesson / "all.srt").read_text(encoding="utf-8"))
    texts = []
    for chapter in CHAPTERS.values():
        texts += [f"{chapter.title}\n{chapter.summary}", *(beat.caption for beat in chapter.beats)]
    network = next(i for i, (_, _, text) in enumerate(cues) if text.startswith(CHAPTERS["network"].beats[-1].caption))
    caption, statement = cues[network][2].split("\n")
    assert re.fullmatch(r"2-D slice: PCA of the paths, \d+% of their variance", statement)
    assert [text for _, _, text in cues] == texts[:network] + [cues[network][2]] + texts[network + 1:]
    # spans: back to back from 0 to the video's end, and exactly where the timeline puts them
    total = frame_count(lesson / "all.mp4")
    assert cues[0][0] == 0 and cues[-1][1] == round(total * 1000 / FPS)
    assert all(a[1] == b[0] for a, b in zip(cues, cues[1:]))
    statements = {"network": {run: statement for run in CHAPTERS["network"].runs}}
    assert cues == expected(explainer_timeline(list(CHAPTERS), FPS, DURATION, statements))


def test_one_chapter_webvtt_and_its_frames(tmp_path):
    """A chapter alone: its frames are the timeline's, and the WebVTT (suffix in any case) times each beat."""
    render("explainer", "downhill", *QUICK, "--duration", str(DURATION), "--max-steps", "12", "-o", "d.mp4",
           "--subtitles", "d.VTT", cwd=tmp_path)
    timeline = chapter_timeline("downhill", FPS, DURATION)
    assert frame_count(tmp_path / "d.mp4") == timeline.frames
    cues = parse_vtt((tmp_path / "d.VTT").read_text(encoding="utf-8"))
    assert [text for _, _, text in cues] == [beat.caption for beat in CHAPTERS["downhill"].beats]
    assert cues == expected(timeline)
    # the first beat shows until its fade ends: steps, hold and fade, each a whole number of frames
    first = DURATION * CHAPTERS["downhill"].beats[0].duration / sum(b.duration for b in CHAPTERS["downhill"].beats)
    assert cues[0][1] == round((frames(first, FPS) + frames(2.0, FPS) + frames(0.5, FPS)) * 1000 / FPS)


def test_title_card_frames_match_the_timeline(tmp_path):
    scene = SceneJob("title", 854, 480, FPS, chapter="momentum")
    job = RenderJob((scene,), str(tmp_path), quiet=True)
    (tmp_path / "job.json").write_text(job.to_json())
    subprocess.run([sys.executable, "-m", "scenes", str(tmp_path / "job.json")], cwd=ROOT, check=True,
                   capture_output=True)
    join_segments(job)
    assert frame_count(job.movie(0)) == title_timeline("momentum", FPS).frames


def test_race_subtitles_span_the_whole_clip(tmp_path):
    """The surface's title and formula (plain text, no TeX) from the first frame to the last."""
    render(*QUICK, "--duration", "1.3", "--steps", "20", "-o", "race.mp4", "--subtitles", "race.srt", cwd=tmp_path)
    total = frame_count(tmp_path / "race.mp4")
    assert total == race_timeline([], FPS, 1.3).frames == frames(1.3, FPS) + frames(2.0, FPS)
    [(start, end, text)] = parse_srt((tmp_path / "race.srt").read_text(encoding="utf-8"))
    assert (start, end) == (0, round(total * 1000 / FPS))
    title, formula = text.split("\n")
    assert title == LANDSCAPES["two-holes"].title and formula.startswith("f = ")
    assert not set("\\{}$") & set(formula)


def test_a_network_race_states_its_plane():
    from cli.compute import compute
    from optimizers.run import RunSpec

    run = compute(RunSpec("moons-mlp", ("gd",), (), 3))
    lines = race_lines(run)
    assert lines[-1] == run.meta.projection.statement and lines[-1].startswith("2-D slice: ")


def test_formats():
    timeline = Timeline(30, 120000, (Cue(0, 45, "a <b> & c\n\nd"), Cue(45, 108030, "e")),
                        (Cue(0, 45, "1 · x=y; #z\\"), Cue(45, 120000, "2")))
    assert timestamp(3_723_004, ",") == "01:02:03,004"
    assert parse_srt(srt(timeline)) == [(0, 1500, "a <b> & c\nd"), (1500, 3601000, "e")]
    assert parse_vtt(vtt(timeline)) == [(0, 1500, "a &lt;b&gt; &amp; c\nd"), (1500, 3601000, "e")]
    meta = ffmetadata(timeline)
    assert meta.startswith(";FFMETADATA1\n") and meta.count("[CHAPTER]") == 2
    assert "title=1 · x\\=y\\; \\#z\\\\\n" in meta and "START=1500\nEND=4000000\n" in meta


@pytest.mark.parametrize("argv, says", [
    (["explainer", "downhill", "--subtitles", "x.txt"], ".srt"),
    (["explainer", "downhill", "--subtitles", "x.str"], "did you mean '.srt'"),
    (["--subtitles", "x.mp4", "-o", "a.mp4"], "the video is -o"),
    (["--subtitles", "x.srt", "-o", "a.png"], "still"),
    (["explainer", "adam", "-o", "a.png", "--subtitles", "x.vtt"], "still"),
    (["explainer", "adam", "--gif-dir", "g", "--subtitles", "x.srt"], "-o"),
    (["explainer", "all", "--save-runs", "r", "--subtitles", "x.srt"], "--subtitles"),
    (["--no-render", "--trajectory-out", "t.csv", "--subtitles", "x.srt"], "--no-render"),
    (["--subtitles", "", "-o", "a.mp4"], "file name"),
    (["--subtitles", "no/such/x.srt", "-o", "a.mp4"], "does not exist"),
])
def test_subtitles_refused_in_one_line(argv, says, capsys, tmp_path, monkeypatch):
    import render

    monkeypatch.chdir(tmp_path)
    assert render.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and says in err
    assert not any(tmp_path.iterdir())
