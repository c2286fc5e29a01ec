"""`render.py explainer NAME|all`: compute each chapter's runs, then render the chapters (and title cards)."""

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from landscapes.spec import did_you_mean
from optimizers.run import Run
from scenes.chapters import CHAPTERS
from scenes.job import RenderJob, SceneJob
from scenes.timeline import explainer_timeline

from . import process
from .compute import save_runs
from .encode import DEFAULT_GIF_WIDTH, GIF_FPS, concat_mp4, gif_from_mp4, gif_sized, makers, scales_exactly
from .errors import UsageError
from .options import (QUALITIES, Parser, add_jobs, add_look, check_rendering, finite, frame_pixels, jobs, one_of,
                      positive_int)
from .outputs import (VIDEO_SUFFIXES, check_distinct, check_folder, check_output, default_outputs, publish,
                      publish_folder, work_folder)
from .subtitles import check_subtitles, ffmetadata, subtitle_writer


def explainer_parser() -> Parser:
    parser = Parser(prog="render.py explainer", description="Render the optimizer explainer chapters.")
    a = parser.add_argument
    a("chapter", nargs="?", help="a chapter name (see --list) or 'all'")
    a("--list", action="store_true", help="name the chapters, one line each")
    a("-o", "--output", action="append", default=[], help="FILE.mp4|.gif|.png (repeatable)")
    a("--gif-dir", help="also write one GIF per chapter into this folder (the gallery)")
    a("--quality", type=one_of(list(QUALITIES)), default="medium", help="default medium: formulas stay crisp")
    a("--fps", type=positive_int)
    a("--gif-width", type=positive_int, help="GIF width in pixels (default 640)")
    a("--duration", type=finite, help="seconds per chapter (default: each chapter's own)")
    a("--max-steps", type=positive_int, help="cap every run's steps (quick previews, tests)")
    a("--subtitles", help="also write every caption with its time span to FILE.srt or FILE.vtt")
    add_look(parser)
    add_jobs(parser)
    a("--save-runs", help="only compute the chapters' runs into this folder (index: runs.json)")
    a("-q", "--quiet", action="store_true")
    return parser


def chapter_names(chapter: str | None) -> list[str]:
    if not chapter:
        raise UsageError("explainer needs a chapter name or 'all' (see: render.py explainer --list)")
    if chapter != "all" and chapter not in CHAPTERS:
        raise UsageError(f"unknown chapter '{chapter}'{did_you_mean(chapter, CHAPTERS)}"
                         " (see: render.py explainer --list)")
    return list(CHAPTERS) if chapter == "all" else [chapter]


def main(argv: Sequence[str]) -> int:
    parser = explainer_parser()
    args = parser.parse(argv)
    if args.list:
        if args.chapter:
            raise UsageError("--list names every chapter: give it no chapter name")
        for name, chapter in CHAPTERS.items():
            print(f"{name:10} {chapter.summary}")
        return 0
    width, height, fps = frame_pixels(args.quality, args.aspect)
    fps = args.fps or fps
    check_rendering(args.fps, args.duration, args.gif_width, fps)
    names = chapter_names(args.chapter)
    if args.save_runs is not None:  # for the ManimGL way: LOSSCAPE_RUNS=FOLDER/runs.json manimgl scenes/explainer.py ...
        rendering = [flag for dest, flag in parser.given.items() if dest not in ("save_runs", "max_steps", "quiet")]
        if rendering:
            raise UsageError(f"--save-runs only computes the runs: it cannot go with {rendering[0]}")
        folder = check_runs_folder(args.save_runs)
        publish_folder(folder, lambda temp: save_chapter_runs(names, temp, args.max_steps))
        if not args.quiet:
            print(f"wrote {folder / 'runs.json'}")
        return 0
    targets = [check_output(o, VIDEO_SUFFIXES, "--output") for o in args.output]
    gif_dir = check_folder(args.gif_dir, "--gif-dir") if args.gif_dir is not None else None
    if args.gif_width is not None and not gif_dir and not any(t.suffix.lower() == ".gif" for t in targets):
        raise UsageError("--gif-width sets the size of GIF outputs: add -o FILE.gif or --gif-dir")
    gif_width = args.gif_width or DEFAULT_GIF_WIDTH
    if not targets and not gif_dir:
        targets = default_outputs("explainer", args.chapter, (".mp4",))
    animation = [flag for dest, flag in parser.given.items() if dest in ("fps", "duration")]
    if animation and not gif_dir and all(t.suffix.lower() == ".png" for t in targets):
        raise UsageError(f"{animation[0]} sets the animation: a PNG is its last frame (add -o FILE.mp4 or FILE.gif)")
    subtitles = None
    if args.subtitles is not None:
        if not targets:  # the gallery's GIFs are chapters without their title cards: no one timeline fits them all
            raise UsageError("--subtitles times the captions of the -o video: add -o FILE.mp4 or FILE.gif")
        subtitles = check_subtitles(args.subtitles, targets)
    gallery = [gif_dir / f"{number:02d}-{name}.gif" for number, name in enumerate(names, 1)] if gif_dir else []
    check_distinct({"--output": targets, "--gif-dir": [gif_dir, *gallery] if gif_dir else [],
                    "--subtitles": [subtitles] if subtitles else []})
    with work_folder() as folder:
        scenes, chapter_scene, chapter_runs = [], {}, {}
        for name in names:
            if len(names) > 1:
                scenes.append(SceneJob("title", width, height, fps, chapter=name, theme=args.theme,
                                       aspect=args.aspect))
            (folder / name).mkdir()
            runs = chapter_runs[name] = save_runs(CHAPTERS[name].runs, folder / name, args.max_steps)
            chapter_scene[name] = len(scenes)
            scenes.append(SceneJob("chapter", width, height, fps, chapter=name, run_paths=runs,
                                   duration=args.duration, theme=args.theme, aspect=args.aspect))
        still = any(t.suffix.lower() == ".png" for t in targets)
        scenes[-1] = replace(scenes[-1], still=still)
        gif_target = any(t.suffix.lower() == ".gif" for t in targets)
        mp4_target = any(t.suffix.lower() == ".mp4" for t in targets)
        # GIFs from movies of their own size when the movie would shrink to them by a fraction (square, vertical)
        own_gifs = [gif_sized(s, gif_width) for s in scenes] \
            if (gif_target or gif_dir) and not scales_exactly(width, gif_width) else []
        if own_gifs and not mp4_target:
            scenes = [replace(s, movie=False) for s in scenes]
        job = RenderJob((*scenes, *own_gifs), str(folder), label=f"rendering explainer {args.chapter}",
                        quiet=args.quiet)
        process.render(job, jobs=jobs(args.jobs))
        movies = [job.movie(i) for i in range(len(scenes))]
        gif_movies = [job.movie(len(scenes) + i) for i in range(len(own_gifs))] or movies
        # the same numbers the scenes were timed by: when each caption shows, where each chapter starts
        timeline = explainer_timeline(names, fps, args.duration,
                                      {name: projection_statements(chapter_runs[name]) for name in names}
                                      if subtitles else None)
        whole = movies[0]
        if len(movies) > 1 and (mp4_target or (gif_target and not own_gifs)):
            whole = folder / "all.mp4"
            concat_mp4(movies, whole, chapters=ffmetadata(timeline))
        gif_whole = gif_movies[0] if own_gifs else whole
        if own_gifs and len(gif_movies) > 1 and gif_target:
            gif_whole = folder / "all-gif.mp4"
            concat_mp4(gif_movies, gif_whole)
        gif_fps = min(fps, GIF_FPS)
        writers = makers(targets, whole, job.still(len(scenes) - 1), gif_whole, gif_width, gif_fps)
        if subtitles:
            writers[subtitles] = subtitle_writer(subtitles, timeline)
        for gif, name in zip(gallery, names):
            writers[gif] = lambda temp, movie=gif_movies[chapter_scene[name]]: gif_from_mp4(movie, temp, gif_width,
                                                                                            gif_fps)
        for path in publish(writers, jobs=jobs(args.jobs)):
            if not args.quiet:
                print(f"wrote {path}")
    return 0


def projection_statements(paths: dict[str, str]) -> dict[str, str]:
    """run key -> the plane statement its picture shows, for the runs drawn on a plane through a network's weights."""
    projections = {key: Run.load(path).meta.projection for key, path in paths.items()}
    return {key: projection.statement for key, projection in projections.items() if projection}


def check_runs_folder(path: str) -> Path:
    """--save-runs replaces its folder whole: it must be new, empty, or an earlier --save-runs, never the folder
    we work in (or one holding it)."""
    folder = check_folder(path, "--save-runs")
    here = Path.cwd().resolve()
    if folder.resolve() == here or folder.resolve() in here.parents:
        raise UsageError(f"--save-runs {path!r} holds the current folder: name a new folder")
    if folder.is_dir():
        entries = {p.name for p in folder.iterdir()}
        if entries and not ("runs.json" in entries and entries <= {"runs.json", *CHAPTERS}):
            raise UsageError(f"--save-runs {path!r} holds other files, and it is replaced whole: name a new or "
                             "empty folder")
    return folder


def save_chapter_runs(names: list[str], folder: Path, max_steps: int | None) -> None:
    """Every chapter's Runs in NAME/KEY.npz, and runs.json: chapter -> key -> path relative to the folder."""
    index = {}
    for name in names:
        (folder / name).mkdir()
        paths = save_runs(CHAPTERS[name].runs, folder / name, max_steps)
        index[name] = {key: str(Path(path).relative_to(folder)) for key, path in paths.items()}
    (folder / "runs.json").write_text(json.dumps(index))
