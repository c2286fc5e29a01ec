"""The render job: what the CLI asks of the render process, as typed dataclasses serialised to JSON.

The render processes (`python -m scenes JOB.json PID --worker W`, one per job in `--jobs`) share the job's tasks
(a scene, or a part of one) and write into the job's folder each movie's segments, `NNN-SSSSS.mp4`, and/or
`NNN.png` (its last frame); the CLI joins each scene's segments into `NNN.mp4`, encodes and moves them into place.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Frame shapes by name, width:height. The shorter side keeps the quality's height in pixels and 8 scene units
# (ManimGL's frame height), so 16:9 is ManimGL's own frame and text keeps its size in the others.
ASPECTS: dict[str, tuple[int, int]] = {"16:9": (16, 9), "1:1": (1, 1), "9:16": (9, 16)}
SHORT_SIDE = 8.0  # scene units


def frame_shape(aspect: str) -> tuple[float, float]:
    """(width, height) of the frame in scene units: the shorter side SHORT_SIDE, the other in proportion."""
    w, h = ASPECTS[aspect]
    return (SHORT_SIDE * w / min(w, h), SHORT_SIDE * h / min(w, h))


def pixel_size(short: int, aspect: str) -> tuple[int, int]:
    """(width, height) in pixels with the shorter side `short`, the longer one rounded to an even number."""
    w, h = ASPECTS[aspect]
    long = round(short * max(w, h) / min(w, h) / 2) * 2
    return (long, short) if w >= h else (short, long)


@dataclass(frozen=True)
class SceneJob:
    """One scene to render: a view of one Run, an explainer chapter or a chapter's title card."""

    scene: str  # a view name ('3d', 'contour', 'split'), a study ('basins', ...), 'chapter' or 'title'
    width: int
    height: int
    fps: int
    movie: bool = True  # write NNN.mp4
    still: bool = False  # write NNN.png, the last frame
    run_path: str | None = None  # views: the Run (.npz)
    run_paths: dict[str, str] = field(default_factory=dict)  # chapters: run key -> .npz
    study_path: str | None = None  # basins and sweeps: the study's results (.npz)
    note: str | None = None  # a line under the legend, e.g. how a race was tuned
    chapter: str | None = None  # chapters and title cards
    duration: float | None = None  # seconds the steps take (None: the scene's own)
    show_glyphs: bool = False
    show_equations: bool = False
    show_dots: bool = False  # a dot at every step
    still_camera: bool = False  # no orbit: what GIFs of orbiting views are made from
    probe_path: str | None = None  # screen facts of the last frame, as JSON (tests)
    theme: str = "dark"  # a name in scenes/theme.py THEMES
    aspect: str = "16:9"  # a name in ASPECTS: the frame's shape (width and height give its pixels)


ERROR_FILE = "error.txt"  # in the job's folder: why the render process failed, one line


@dataclass(frozen=True)
class RenderJob:
    scenes: tuple[SceneJob, ...]
    folder: str  # the CLI's work folder: the render process writes its files here
    label: str = "rendering"  # the progress bar's name
    quiet: bool = False
    workers: int = 1  # render processes sharing the job's tasks (scenes/renderer.py `tasks` cuts them)

    def movie(self, index: int) -> Path:
        return Path(self.folder) / f"{index:03d}.mp4"

    def still(self, index: int) -> Path:
        return Path(self.folder) / f"{index:03d}.png"

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "RenderJob":
        data = json.loads(text)
        return cls(**{**data, "scenes": tuple(SceneJob(**s) for s in data["scenes"])})
