"""What `basins`, `sweep` and `tune` share: their common flags, resolving names, tables, rendering a study."""

import csv
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from landscapes.limits import check, check_length
from landscapes.spec import split_specs
from scenes.job import RenderJob, SceneJob

from . import process
from .config import DEFAULT_OPTIMIZERS, DEFAULT_SURFACE
from .encode import DEFAULT_GIF_WIDTH, GIF_FPS, gif_sized, makers, scales_exactly
from .errors import UsageError
from .options import QUALITIES, Parser, add_jobs, add_look, check_rendering, finite, jobs, one_of, positive_int
from .outputs import VIDEO_SUFFIXES, check_distinct, check_output, default_outputs, publish, work_folder

TABLE_SUFFIXES = (".csv",)


def study_parser(prog: str, description: str, steps: int, aspects: Sequence[str] = ("16:9",)) -> Parser:
    """The flags every study takes: what to run and where its picture and table go (in frames of `aspects`)."""
    parser = Parser(prog=f"render.py {prog}", description=description)
    a = parser.add_argument
    a("--surface", default=DEFAULT_SURFACE, help=f"registered name[:key=value] or an expression (default {DEFAULT_SURFACE})")
    a("--domain", help="xmin,xmax,ymin,ymax (default: the surface's own; -2,2,-2,2 for expressions)")
    a("--optimizer", action="append", help="NAME[:key=value,...]; repeatable; NAME,NAME lists several "
                                           f"(default {','.join(DEFAULT_OPTIMIZERS)})")
    a("--steps", type=positive_int, default=steps, help=f"optimizer steps (default {steps})")
    a("-o", "--output", action="append", default=[], help="FILE.png | FILE.mp4 | FILE.gif; repeatable")
    a("--table-out", help="also write the figures as FILE.csv")
    a("--quality", type=one_of(list(QUALITIES)), default="medium", help="low 854x480@15, medium 720p30 (default), high, 4k")
    a("--fps", type=positive_int, help="frames per second (default: the quality's)")
    a("--gif-width", type=positive_int, help=f"GIF width in pixels (default {DEFAULT_GIF_WIDTH})")
    a("--duration", type=finite, default=8.0, help="seconds the animation takes (default 8)")
    add_look(parser, aspects=aspects)
    add_jobs(parser)
    a("-q", "--quiet", action="store_true", help="no progress bar, no messages")
    return parser


def check_common(args) -> None:
    """Bounds the parser cannot express, from the one table of limits, checked before any work."""
    fps = args.fps or QUALITIES[args.quality][2]
    check_rendering(args.fps, args.duration, args.gif_width, fps)
    check("study_steps", args.steps)
    for text in (args.surface, *(args.optimizer or ())):
        check_length(text)
    if args.gif_width is not None and not any(o.lower().endswith(".gif") for o in args.output):
        raise UsageError("--gif-width sets the size of GIF outputs: add -o FILE.gif")
    args.gif_width = args.gif_width or DEFAULT_GIF_WIDTH


def check_work(paths: int, steps: int) -> None:
    """A study's whole work (paths × steps, every path one optimizer from one start with one setting) is bounded."""
    check("study_work", paths * steps, f"the study's optimizer steps ({paths:,} paths × {steps:,} steps)")


def refuse_settings(args, keys: Sequence[str], command: str) -> None:
    """An optimizer spec may not set what the study varies itself (its value would be silently ignored)."""
    from optimizers.registry import given_keys

    for spec in split_specs(args.optimizer or []):
        clash = sorted(given_keys(spec) & set(keys))
        if clash:
            raise UsageError(f"{spec!r} sets {', '.join(clash)}, which {command} varies itself: leave it out")


def optimizer_specs(args) -> list[str]:
    """The --optimizer values as the user gave them (default: the default race's), one spec each."""
    return split_specs(args.optimizer or [",".join(DEFAULT_OPTIMIZERS)])


def resolve(args):
    """(surface, optimizers) from the flags; the engine is set up (JAX is imported here, not at start-up)."""
    from landscapes import resolve_surface
    from optimizers import engine
    from optimizers.registry import resolve_optimizers

    engine.setup()
    surface = resolve_surface(args.surface, args.domain)
    if surface.is_network:  # a study maps starts and settings over a 2-D plane known before any path runs
        raise UsageError(f"{surface.name} is a network: basins, sweep and tune need a 2-D surface "
                         f"(race it instead: render.py --surface {surface.name})")
    return surface, resolve_optimizers(args.optimizer or [",".join(DEFAULT_OPTIMIZERS)], surface)


def outputs(args, kind: str, surface_name: str, default: Sequence[str]) -> tuple[list[Path], Path | None]:
    """The picture targets (default: media/SURFACE_KIND with the given suffixes) and the table target."""
    table = check_output(args.table_out, TABLE_SUFFIXES, "--table-out") if args.table_out is not None else None
    targets = [check_output(o, VIDEO_SUFFIXES, "--output") for o in args.output]
    targets = targets or (default_outputs(surface_name, kind, default) if default else [])
    check_distinct({"--output": targets, "--table-out": [table] if table else []})
    moving = any(t.suffix.lower() in (".mp4", ".gif") for t in targets)
    for flag, dest in (("--fps", "fps"), ("--duration", "duration")):
        if dest in args.given and not moving:
            raise UsageError(f"{flag} sets the animation: add -o FILE.mp4 or FILE.gif")
    if "quality" in args.given and not targets:
        raise UsageError("--quality sets the picture's size: add -o FILE")
    return targets, table


def table_writer(header: Sequence[str], rows) -> Callable[[Path], None]:
    """Writes the CSV to the temp file `publish` gives it."""
    def write(temp: Path) -> None:
        with open(temp, "w", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(header)
            out.writerows(rows)

    return write


def publish_table(table: Path, header: Sequence[str], rows, quiet: bool) -> None:
    """Only a table to write (no picture): published on its own."""
    publish({table: table_writer(header, rows)})
    if not quiet:
        print(f"wrote {table}")


def render_study(scene: str, targets: list[Path], args, run=None, study=None,
                 still_scene: str | None = None, extra: dict | None = None) -> list[Path]:
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
        mp4s, gifs = ([t for t in targets if t.suffix.lower() == suffix] for suffix in (".mp4", ".gif"))
        stills = [t for t in targets if t.suffix.lower() == ".png"]
        main = SceneJob(scene, width, height, fps, duration=args.duration, theme=args.theme, **files)
        # a GIF the movie cannot shrink to by a whole factor is rendered at its own size (scaled, it would blur)
        own_gif = bool(gifs) and not scales_exactly(width, args.gif_width)
        scenes = [main] if mp4s or (gifs and not own_gif) else []
        if own_gif:
            scenes.append(gif_sized(main, args.gif_width))
        if stills:
            scenes.append(replace(main, scene=still_scene or scene, movie=False, still=True))
        job = RenderJob(tuple(scenes), str(folder), label=f"rendering {targets[0].stem}", quiet=args.quiet)
        process.render(job, jobs=jobs(args.jobs))
        movie, still = job.movie(0), job.still(len(scenes) - 1)
        gif_movie = job.movie(1 if mp4s and own_gif else 0)
        written = publish({**makers(targets, movie, still, gif_movie, args.gif_width, min(fps, GIF_FPS)),
                           **(extra or {})})
    if not args.quiet:
        for path in written:
            print(f"wrote {path}")
    return written
