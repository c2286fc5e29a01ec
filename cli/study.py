"""What `basins`, `sweep` and `tune` share: their common flags, resolving names, tables, rendering a study."""

import csv
from collections.abc import Sequence
from pathlib import Path

from landscapes.spec import did_you_mean
from scenes.job import RenderJob, SceneJob

from . import process
from .config import DEFAULT_OPTIMIZERS, DEFAULT_SURFACE
from .encode import GIF_FPS, makers
from .options import QUALITIES, Parser, UsageError, check_duration, positive_int
from .outputs import VIDEO_SUFFIXES, check_output, default_outputs, publish, work_folder

TABLE_SUFFIXES = (".csv",)
MAX_STEPS = 5_000  # these commands run thousands of paths: a bound that keeps a typo from running for hours


def study_parser(prog: str, description: str, steps: int) -> Parser:
    """The flags every study takes: what to run and where its picture and table go."""
    parser = Parser(prog=f"render.py {prog}", description=description)
    a = parser.add_argument
    a("--surface", default=DEFAULT_SURFACE, help=f"registered name[:key=value] or an expression (default {DEFAULT_SURFACE})")
    a("--optimizer", action="append", help="NAME[:key=value,...]; repeatable; NAME,NAME lists several "
                                           f"(default {','.join(DEFAULT_OPTIMIZERS)})")
    a("--steps", type=positive_int, default=steps, help=f"optimizer steps (default {steps})")
    a("-o", "--output", action="append", default=[], help="FILE.png | FILE.mp4 | FILE.gif; repeatable")
    a("--table-out", help="also write the figures as FILE.csv")
    a("--quality", choices=QUALITIES, default="medium", help="low 854x480@15, medium 720p30 (default), high, 4k")
    a("--fps", type=positive_int, help="frames per second (default: the quality's)")
    a("--gif-width", type=positive_int, default=640, help="GIF width in pixels (default 640)")
    a("--duration", type=float, default=8.0, help="seconds the animation takes (default 8)")
    a("-q", "--quiet", action="store_true", help="no progress bar, no messages")
    return parser


def check_common(args) -> None:
    """Bounds the parser cannot express, checked before any work."""
    check_duration(args.duration)
    if args.steps > MAX_STEPS:
        raise UsageError(f"--steps must be at most {MAX_STEPS}, got {args.steps}")
    if args.fps is not None and args.fps > 120:
        raise UsageError(f"--fps must be at most 120, got {args.fps}")


def choice(value: str, choices: Sequence[str], flag: str) -> str:
    """`value` if it is one of `choices`, else a one-line error naming the nearest."""
    if value not in choices:
        raise UsageError(f"{flag} must be one of {', '.join(choices)}, got '{value}'{did_you_mean(value, choices)}")
    return value


def resolve(args):
    """(surface, optimizers) from the flags; the engine is set up (JAX is imported here, not at start-up)."""
    from landscapes import resolve_surface
    from optimizers import engine
    from optimizers.registry import resolve_optimizers

    engine.setup()
    surface = resolve_surface(args.surface)
    return surface, resolve_optimizers(args.optimizer or [",".join(DEFAULT_OPTIMIZERS)], surface)


def outputs(args, kind: str, surface_name: str, default: Sequence[str]) -> tuple[list[Path], Path | None]:
    """The picture targets (default: media/SURFACE_KIND with the given suffixes) and the table target."""
    table = check_output(args.table_out, TABLE_SUFFIXES, "--table-out") if args.table_out else None
    targets = [check_output(o, VIDEO_SUFFIXES, "--output") for o in args.output]
    return targets or default_outputs(surface_name, kind, default), table


def write_table(target: Path, header: Sequence[str], rows) -> None:
    """The CSV, written to a temp file beside the target and renamed into place."""
    def write(temp: Path) -> None:
        with open(temp, "w", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(header)
            out.writerows(rows)

    publish({target: write})


def render_study(scene: str, targets: list[Path], args, run=None, study=None,
                 still_scene: str | None = None) -> list[Path]:
    """Render a study's scene into the targets: PNG from `still_scene` (default: the same scene), MP4/GIF animated.

    `run` (a Run: the surface's grid and metadata, or the paths to animate) and `study` (Basins, RateSweep) are
    saved into the work folder for the render process.
    """
    width, height, fps = QUALITIES[args.quality]
    fps = args.fps or fps
    with work_folder() as folder:
        files = {}
        if run is not None:
            run.save(folder / "run.npz")
            files["run_path"] = str(folder / "run.npz")
        if study is not None:
            study.save(folder / "study.npz")
            files["study_path"] = str(folder / "study.npz")
        moving = [t for t in targets if t.suffix.lower() in (".mp4", ".gif")]
        stills = [t for t in targets if t.suffix.lower() == ".png"]
        scenes = []
        if moving:
            scenes.append(SceneJob(scene, width, height, fps, duration=args.duration, **files))
        if stills:
            scenes.append(SceneJob(still_scene or scene, width, height, fps, movie=False, still=True,
                                   duration=args.duration, **files))
        job = RenderJob(tuple(scenes), str(folder), label=f"rendering {targets[0].stem}", quiet=args.quiet)
        process.render(job)
        movie, still = job.movie(0), job.still(len(scenes) - 1)
        written = publish(makers(targets, movie, still, movie, args.gif_width, min(fps, GIF_FPS)))
    if not args.quiet:
        for path in written:
            print(f"wrote {path}")
    return written
