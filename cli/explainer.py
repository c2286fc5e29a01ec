"""`render.py explainer NAME|all`: compute each chapter's runs, then render the chapters (and title cards)."""

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from landscapes.spec import did_you_mean
from scenes.chapters import CHAPTERS
from scenes.job import RenderJob, SceneJob

from . import process
from .compute import save_runs
from .encode import GIF_FPS, concat_mp4, gif_from_mp4, makers
from .options import QUALITIES, Parser, UsageError, check_duration, positive_int
from .outputs import VIDEO_SUFFIXES, check_output, default_outputs, publish, work_folder


def explainer_parser() -> Parser:
    parser = Parser(prog="render.py explainer", description="Render the optimizer explainer chapters.")
    a = parser.add_argument
    a("chapter", nargs="?", help="a chapter name (see --list) or 'all'")
    a("--list", action="store_true", help="name the chapters, one line each")
    a("-o", "--output", action="append", default=[], help="FILE.mp4|.gif|.png (repeatable)")
    a("--gif-dir", help="also write one GIF per chapter into this folder (the gallery)")
    a("--quality", choices=QUALITIES, default="medium", help="default medium: formulas stay crisp")
    a("--fps", type=positive_int)
    a("--gif-width", type=positive_int, default=640)
    a("--duration", type=float, help="seconds per chapter (default: each chapter's own)")
    a("--max-steps", type=positive_int, help="cap every run's steps (quick previews, tests)")
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
    args = explainer_parser().parse(argv)
    if args.list:
        for name, chapter in CHAPTERS.items():
            print(f"{name:10} {chapter.summary}")
        return 0
    check_duration(args.duration)
    names = chapter_names(args.chapter)
    if args.save_runs:  # for the ManimGL way: LOSSCAPE_RUNS=FOLDER/runs.json manimgl scenes/explainer.py ...
        folder = Path(args.save_runs)
        folder.mkdir(parents=True, exist_ok=True)
        index = {}
        for name in names:
            (folder / name).mkdir(exist_ok=True)
            index[name] = save_runs(CHAPTERS[name].runs, folder / name, args.max_steps)
        publish({folder / "runs.json": lambda temp: temp.write_text(json.dumps(index))})
        return 0
    targets = [check_output(o, VIDEO_SUFFIXES, "--output") for o in args.output]
    gif_dir = Path(args.gif_dir) if args.gif_dir else None
    if gif_dir:
        gif_dir.mkdir(parents=True, exist_ok=True)
    if not targets and not gif_dir:
        targets = default_outputs("explainer", args.chapter, (".mp4",))
    width, height, fps = QUALITIES[args.quality]
    fps = args.fps or fps
    with work_folder() as folder:
        scenes, chapter_scene = [], {}
        for name in names:
            if len(names) > 1:
                scenes.append(SceneJob("title", width, height, fps, chapter=name))
            (folder / name).mkdir()
            runs = save_runs(CHAPTERS[name].runs, folder / name, args.max_steps)
            chapter_scene[name] = len(scenes)
            scenes.append(SceneJob("chapter", width, height, fps, chapter=name, run_paths=runs,
                                   duration=args.duration))
        still = any(t.suffix.lower() == ".png" for t in targets)
        scenes[-1] = replace(scenes[-1], still=still)
        job = RenderJob(tuple(scenes), str(folder), label=f"rendering explainer {args.chapter}", quiet=args.quiet)
        process.render(job)
        movies = [job.movie(i) for i in range(len(scenes))]
        whole = movies[0]
        if len(movies) > 1 and any(t.suffix.lower() in (".mp4", ".gif") for t in targets):
            whole = folder / "all.mp4"
            concat_mp4(movies, whole)
        gif_fps = min(fps, GIF_FPS)
        writers = makers(targets, whole, job.still(len(scenes) - 1), whole, args.gif_width, gif_fps)
        for number, name in enumerate(names, 1):
            if gif_dir:
                movie = movies[chapter_scene[name]]
                writers[gif_dir / f"{number:02d}-{name}.gif"] = \
                    lambda temp, movie=movie: gif_from_mp4(movie, temp, args.gif_width, gif_fps)
        for path in publish(writers):
            if not args.quiet:
                print(f"wrote {path}")
    return 0
