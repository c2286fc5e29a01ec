"""When each caption is on screen, in frames as ManimGL writes them.

The scenes take their run times from here and the CLI writes subtitles and chapter markers from the same numbers,
so the captions' times cannot drift from the video. A play or wait of `s` seconds writes one frame per element of
`arange(0, s, 1/fps)` (ManimGL's `get_time_progression`), so a scene's frames are the sum over its plays and waits.

NumPy and the standard library only: the CLI imports it, and so does the render process.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .chapters import CHAPTERS, Beat, Chapter

HOLD = 2.0  # seconds a finished beat (or race) stays on screen
FADE = 0.5  # seconds a beat takes to fade out before the next
TITLE_SECONDS = 2.0  # a title card: fade in, hold, fade out
TITLE_FADE = 0.5


def frames(seconds: float, fps: int) -> int:
    """len(arange(0, seconds, 1/fps)) ≈ ⌈seconds·fps⌉: the frames ManimGL writes for a play or wait of `seconds`."""
    return len(np.arange(0, seconds, 1 / fps))


def beat_seconds(chapter: Chapter, duration: float | None = None) -> list[float]:
    """Each beat's seconds of steps: its own duration, or all scaled by duration / Σ durations."""
    scale = duration / sum(b.duration for b in chapter.beats) if duration else 1.0
    return [b.duration * scale for b in chapter.beats]


def chapter_segments(chapter: Chapter, duration: float | None = None, hold: float = HOLD,
                     fade: float = FADE) -> list[float]:
    """A chapter scene's plays and waits in order: per beat its steps and the hold, and a fade between beats."""
    segments: list[float] = []
    for i, seconds in enumerate(beat_seconds(chapter, duration)):
        segments += [seconds, hold] + ([fade] if i < len(chapter.beats) - 1 else [])
    return segments


def title_segments(seconds: float = TITLE_SECONDS, fade: float = TITLE_FADE) -> list[float]:
    """A title card's fade in, hold (seconds − 2·fade, at least 0.1 s) and fade out."""
    return [fade, max(seconds - 2 * fade, 0.1), fade]


def race_segments(duration: float, hold: float = HOLD) -> list[float]:
    """The race's steps, then its hold on the finished paths."""
    return [duration, hold]


@dataclass(frozen=True)
class Cue:
    """Text on screen from frame `start` up to, not including, frame `end` (lines joined by newlines)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Timeline:
    """A video's length in frames at `fps`, the captions shown (cues) and its chapters (title cues)."""

    fps: int
    frames: int
    cues: tuple[Cue, ...] = ()
    chapters: tuple[Cue, ...] = ()

    def milliseconds(self, frame: int) -> int:
        """round(frame · 1000 / fps): when the frame starts in the video."""
        return round(frame * 1000 / self.fps)

    def then(self, other: "Timeline") -> "Timeline":
        """This video followed by `other` (same fps): other's cues and chapters shifted by this one's frames."""
        if other.fps != self.fps:
            raise ValueError(f"cannot join videos at {self.fps} and {other.fps} fps")

        def shift(cues):
            return tuple(Cue(c.start + self.frames, c.end + self.frames, c.text) for c in cues)

        return Timeline(self.fps, self.frames + other.frames, self.cues + shift(other.cues),
                        self.chapters + shift(other.chapters))


def beat_lines(beat: Beat, statements: Mapping[str, str] | None = None) -> list[str]:
    """A beat's captions: its takeaway, and the plane statement of its first panel whose run is projected."""
    statements = statements or {}
    statement = next((statements[p.run] for p in beat.panels if p.run in statements), None)
    return [beat.caption, *([statement] if statement else [])]


def chapter_timeline(name: str, fps: int, duration: float | None = None, statements: Mapping[str, str] | None = None,
                     hold: float = HOLD, fade: float = FADE) -> Timeline:
    """A chapter scene: each beat's captions from its first frame until its fade ends (the last: the video's end).

    statements: run key -> the plane statement a network's run shows (runs that are not projected are absent).
    """
    chapter = CHAPTERS[name]
    counts = [frames(s, fps) for s in chapter_segments(chapter, duration, hold, fade)]
    cues, start = [], 0
    for i, beat in enumerate(chapter.beats):
        shown = sum(counts[3 * i: 3 * i + 3])  # steps, hold and (all but the last beat) the fade
        cues.append(Cue(start, start + shown, "\n".join(beat_lines(beat, statements))))
        start += shown
    return Timeline(fps, start, tuple(cues), (Cue(0, start, chapter.title),))


def title_timeline(name: str, fps: int, seconds: float = TITLE_SECONDS, fade: float = TITLE_FADE) -> Timeline:
    """A title card: its title and summary on screen for the whole card (fading in and out)."""
    chapter = CHAPTERS[name]
    total = sum(frames(s, fps) for s in title_segments(seconds, fade))
    return Timeline(fps, total, (Cue(0, total, f"{chapter.title}\n{chapter.summary}"),),
                    (Cue(0, total, chapter.title),))


def explainer_timeline(names: Sequence[str], fps: int, duration: float | None = None,
                       statements: Mapping[str, Mapping[str, str]] | None = None) -> Timeline:
    """`render.py explainer`: the chapters in order, each after its title card when there are several; one
    chapter per explainer chapter, spanning its card and its scene. statements: chapter -> run key -> statement."""
    whole = Timeline(fps, 0)
    for name in names:
        scene = chapter_timeline(name, fps, duration, (statements or {}).get(name))
        if len(names) > 1:  # the card, then the scene, as one chapter
            joined = title_timeline(name, fps).then(scene)
            scene = Timeline(fps, joined.frames, joined.cues, (Cue(0, joined.frames, CHAPTERS[name].title),))
        whole = whole.then(scene)
    return whole


def race_timeline(lines: Sequence[str], fps: int, duration: float, hold: float = HOLD) -> Timeline:
    """The race: its captions (the surface and its formula, a network's plane) on screen for the whole clip."""
    total = sum(frames(s, fps) for s in race_segments(duration, hold))
    return Timeline(fps, total, (Cue(0, total, "\n".join(lines)),) if lines else ())
