"""`render.py explainer NAME|all`: compute each chapter's runs (JAX, in this process), then render the chapters.

This module is the CLI side: it never imports ManimGL; the rendering process never imports JAX.
"""

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from landscapes.spec import did_you_mean

from .chapters import CHAPTERS, Chapter


def compute_runs(chapter: Chapter, folder: Path, max_steps: int | None = None) -> dict[str, str]:
    """Run the engine for every RunSpec of a chapter; save each Run as .npz in folder; return key -> path."""
    from landscapes import resolve_surface
    from optimizers.engine import simulate
    from optimizers.registry import resolve_optimizers

    paths = {}
    for key, spec in chapter.runs.items():
        surface = resolve_surface(spec.surface)
        optimizers = resolve_optimizers(list(spec.optimizers), surface)
        steps = min(spec.steps, max_steps or spec.steps)
        run = simulate(surface, optimizers, spec.starts, steps, noise=spec.noise, batch_size=spec.batch_size,
                       seed=spec.seed, sweep=spec.sweep)
        path = folder / f"{key}.npz"
        run.save(path)
        paths[key] = str(path)
    return paths


def main(argv: Sequence[str]) -> int:
    from render import QUALITIES, UsageError, _Parser, _positive_int, check_output

    parser = _Parser(prog="render.py explainer", description="Render the optimizer explainer chapters.")
    parser.add_argument("chapter", nargs="?", help="a chapter name (see --list) or 'all'")
    parser.add_argument("--list", action="store_true", help="name the chapters, one line each")
    parser.add_argument("-o", "--output", action="append", default=[], help="FILE.mp4|.gif|.png (repeatable)")
    parser.add_argument("--gif-dir", help="also write one GIF per chapter into this folder (the gallery)")
    parser.add_argument("--quality", choices=QUALITIES, default="medium", help="default medium: formulas stay crisp")
    parser.add_argument("--fps", type=_positive_int)
    parser.add_argument("--gif-width", type=_positive_int, default=640)
    parser.add_argument("--duration", type=float, help="seconds per chapter (default: each chapter's own)")
    parser.add_argument("--max-steps", type=_positive_int, help="cap every run's steps (quick previews, tests)")
    parser.add_argument("--save-runs", help="only compute the chapter's runs into this folder (runs.json)")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(list(argv))
    if args.list:
        for name, chapter in CHAPTERS.items():
            print(f"{name:10} {chapter.summary}")
        return 0
    if args.duration is not None and not 0 < args.duration <= 600:
        raise UsageError(f"--duration must be in (0, 600] seconds, got {args.duration:g}")
    if not args.chapter:
        raise UsageError("explainer needs a chapter name or 'all' (see: render.py explainer --list)")
    if args.chapter != "all" and args.chapter not in CHAPTERS:
        raise UsageError(f"unknown chapter '{args.chapter}'{did_you_mean(args.chapter, CHAPTERS)}"
                         " (see: render.py explainer --list)")
    names = list(CHAPTERS) if args.chapter == "all" else [args.chapter]
    if args.save_runs:
        folder = Path(args.save_runs)
        folder.mkdir(parents=True, exist_ok=True)
        index = {}
        for name in names:
            (folder / name).mkdir(exist_ok=True)
            index[name] = compute_runs(CHAPTERS[name], folder / name, args.max_steps)
        (folder / "runs.json").write_text(json.dumps(index))  # chapter -> run key -> .npz
        return 0
    outputs = [check_output(o, (".mp4", ".gif", ".png"), "--output") for o in args.output]
    gif_dir = Path(args.gif_dir) if args.gif_dir else None
    if gif_dir:
        gif_dir.mkdir(parents=True, exist_ok=True)
    if not outputs and not gif_dir:
        Path("media").mkdir(exist_ok=True)
        outputs = [Path("media") / f"explainer_{args.chapter}.mp4"]
    from .launch import run_render_job

    width, height, fps = QUALITIES[args.quality]
    workdir = Path(tempfile.mkdtemp(prefix="losscape-explainer-"))
    try:
        sequence, gifs = [], []
        for number, name in enumerate(names, 1):
            folder = workdir / name
            folder.mkdir()
            if len(names) > 1:
                sequence.append({"scene": "title", "chapter": name})
            runs = compute_runs(CHAPTERS[name], folder, args.max_steps)
            sequence.append({"scene": "chapter", "chapter": name,
                             "attributes": {"run_paths": runs, "duration": args.duration}})
            if gif_dir:
                gifs.append((len(sequence) - 1, gif_dir / f"{number:02d}-{name}.gif"))
        job = {"sequence": sequence, "width": width, "height": height, "fps": args.fps or fps,
               "gif_width": args.gif_width}
        for path in run_render_job(job, outputs, args.quiet, gifs):
            if not args.quiet:
                print(f"wrote {path}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
