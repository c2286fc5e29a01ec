"""Captions as subtitles (SRT, WebVTT) and chapters as FFMETADATA, from a video's timeline (scenes/timeline.py)."""

from collections.abc import Callable, Sequence
from pathlib import Path

from landscapes.spec import did_you_mean
from optimizers.run import Run
from scenes.timeline import Cue, Timeline

from .errors import UsageError
from .outputs import check_output
from .plain_math import plain

SUBTITLE_SUFFIXES = (".srt", ".vtt")


def check_subtitles(path: str, outputs: Sequence[Path], flag: str = "--subtitles") -> Path:
    """FILE.srt or FILE.vtt (any case), written like any output, beside at least one video (a still has no time)."""
    suffix = Path(path).suffix
    if path and suffix.lower() not in SUBTITLE_SUFFIXES:
        hint = (" (the video is -o)" if suffix.lower() in (".mp4", ".gif", ".png")
                else did_you_mean(suffix.lower(), SUBTITLE_SUFFIXES))
        raise UsageError(f"{flag} {path!r}: unsupported format {suffix!r}, use FILE.srt or FILE.vtt{hint}")
    target = check_output(path, SUBTITLE_SUFFIXES, flag)
    if outputs and all(o.suffix.lower() == ".png" for o in outputs):
        raise UsageError(f"{flag} times the captions of a video: a PNG is a still (add -o FILE.mp4 or FILE.gif)")
    return target


def timestamp(ms: int, separator: str) -> str:
    """HH:MM:SS<separator>mmm (',' for SRT, '.' for WebVTT)."""
    seconds, ms = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{ms:03d}"


def span(timeline: Timeline, cue: Cue, separator: str) -> str:
    """'START --> END', each HH:MM:SS<separator>mmm."""
    start, end = (timestamp(timeline.milliseconds(frame), separator) for frame in (cue.start, cue.end))
    return f"{start} --> {end}"


def cue_lines(text: str) -> str:
    """A cue's text without blank lines (a blank line ends a cue in both formats)."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def srt(timeline: Timeline) -> str:
    """SubRip: numbered cues 'HH:MM:SS,mmm --> HH:MM:SS,mmm', then the text, then a blank line."""
    blocks = []
    for number, cue in enumerate(timeline.cues, 1):
        blocks.append(f"{number}\n{span(timeline, cue, ',')}\n{cue_lines(cue.text)}\n")
    return "\n".join(blocks)


def vtt(timeline: Timeline) -> str:
    """WebVTT: 'WEBVTT', then cues 'HH:MM:SS.mmm --> HH:MM:SS.mmm' with their text (&, <, > escaped)."""
    blocks = ["WEBVTT\n"]
    for cue in timeline.cues:
        text = cue_lines(cue.text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{span(timeline, cue, '.')}\n{text}\n")
    return "\n".join(blocks)


def ffmetadata_value(text: str) -> str:
    """A value for ffmpeg's metadata file: '=', ';', '#', '\\' and newlines escaped with a backslash."""
    for char in "\\=;#\n":
        text = text.replace(char, "\\" + char)
    return text


def ffmetadata(timeline: Timeline) -> str:
    """ffmpeg's FFMETADATA1 with one [CHAPTER] per chapter: TIMEBASE=1/1000, START, END (ms) and title."""
    lines = [";FFMETADATA1"]
    for chapter in timeline.chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={timeline.milliseconds(chapter.start)}",
                  f"END={timeline.milliseconds(chapter.end)}", f"title={ffmetadata_value(chapter.text)}"]
    return "\n".join(lines) + "\n"


def subtitle_writer(target: Path, timeline: Timeline) -> Callable[[Path], None]:
    """temp -> the target's subtitles (SRT or WebVTT by its suffix, in any case), for `publish`."""
    text = vtt(timeline) if target.suffix.lower() == ".vtt" else srt(timeline)
    return lambda temp: temp.write_text(text, encoding="utf-8")


def race_lines(run: Run) -> list[str]:
    """What the race's surface caption says (scenes/elements.py surface_caption), as plain text: the surface's
    title ('f(x, y)' for an expression), its formula and, for a network, the plane it is shown on."""
    meta = run.meta.surface
    lines = [meta.title if meta.name != meta.title else "f(x, y)", plain(f"f = {meta.formula}")]
    return lines + ([run.meta.projection.statement] if run.meta.projection else [])
