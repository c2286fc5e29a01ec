"""`render.py [flags]`: compute the race, export its trajectories, render it as MP4 / GIF / PNG."""

import csv
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from optimizers.run import Run, RunSpec
from scenes.job import RenderJob, SceneJob
from scenes.timeline import race_timeline
from scenes.views import VIEWS

from . import process
from .compute import compute
from .config import Config, check_surface_settings, parse_config
from .encode import GIF_FPS, gif_sized, makers, scales_exactly
from .errors import UsageError
from .options import QUALITIES, frame_pixels, jobs
from .outputs import (TRAJECTORY_SUFFIXES, VIDEO_SUFFIXES, check_distinct, check_output, default_outputs, publish,
                      work_folder)
from .subtitles import check_subtitles, race_lines, subtitle_writer


def run_spec(config: Config) -> RunSpec:
    return RunSpec(config.surface, tuple(config.optimizer), config.starts, config.num_steps, noise=config.noise,
                   batch_size=config.batch_size, seed=config.seed, domain=config.domain,
                   projection=config.projection or "pca")


def fitted_domain(run: Run, share: float = 0.35) -> str | None:
    """A domain around the paths (with a margin) when all of them keep within `share` of the surface's span."""
    xmin, xmax, ymin, ymax = run.meta.surface.domain
    points = run.params.reshape(-1, 2)
    points = points[np.isfinite(points).all(axis=1)]
    points = points[(points[:, 0] >= xmin) & (points[:, 0] <= xmax) & (points[:, 1] >= ymin) & (points[:, 1] <= ymax)]
    full = max(xmax - xmin, ymax - ymin)
    if not len(points) or np.ptp(points, axis=0).max() > share * full:
        return None
    half = max(0.65 * np.ptp(points, axis=0).max(), 0.1 * full)  # a square view, the paths in its middle
    cx = float(np.clip((points[:, 0].min() + points[:, 0].max()) / 2,
                       xmin + half, xmax - half))
    cy = float(np.clip((points[:, 1].min() + points[:, 1].max()) / 2, ymin + half, ymax - half))
    return f"{cx - half:.6g},{cx + half:.6g},{cy - half:.6g},{cy + half:.6g}"


def write_trajectories(run: Run, temp: Path) -> None:
    """FILE.npz: the full Run; FILE.csv: optimizer,start,step,x,y,loss grouped per optimizer, then start."""
    if temp.suffix.lower() == ".npz":
        run.save(temp)
        return
    with open(temp, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["optimizer", "start", "step", "x", "y", "loss"])
        for o, name in enumerate(run.optimizer_names):
            for k in range(run.params.shape[2]):
                for t, ((x, y), loss) in enumerate(zip(run.params[o, 0, k], run.loss[o, 0, k])):
                    out.writerow([name, k, t, repr(float(x)), repr(float(y)), repr(float(loss))])


def gif_scene(scene: SceneJob, gif_width: int) -> SceneJob | None:
    """The scene the GIF is made from when the main movie cannot serve: at GIF size and frame rate, the camera
    held still for a view that orbits; None when the movie shrinks to the GIF by a whole factor.

    A turning camera changes every pixel of every frame, which GIF cannot compress (a 10 s race: ~5 MB
    instead of ~0.5 MB), so GIFs of orbiting views get a render of their own, as do GIFs the movie would
    scale by a fraction (a square 720 px movie to 640: soft).
    """
    if VIEWS[scene.scene].orbits:
        return replace(gif_sized(scene, gif_width), still_camera=True)
    return None if scales_exactly(scene.width, gif_width) else gif_sized(scene, gif_width)


def render_race(run: Run, config: Config, targets: list[Path], folder: Path, note: str | None = None,
                extra: dict | None = None) -> list[Path]:
    """Render the Run as the config says into the targets (default: media/SURFACE_VIEW.mp4 and .gif).

    note: a line under the legend (how the settings were chosen, for a tuned race).
    extra: more target -> maker pairs (a table, the trajectories), published with the pictures or not at all.
    """
    width, height, fps = frame_pixels(config.quality, config.aspect)
    run_path = folder / "run.npz"
    run.save(run_path)
    gifs = [t for t in targets if t.suffix.lower() == ".gif"]
    main = SceneJob(config.view, width, height, config.fps or fps, run_path=str(run_path),
                    duration=config.duration, show_glyphs=config.glyphs, show_equations=config.equations,
                    show_dots=config.dots, note=note, theme=config.theme, aspect=config.aspect,
                    movie=any(t.suffix.lower() == ".mp4" for t in targets),
                    still=any(t.suffix.lower() == ".png" for t in targets))
    gif = gif_scene(main, config.gif_width) if gifs else None
    if gif is None:
        scenes = [replace(main, movie=main.movie or bool(gifs))]
    elif main.movie or main.still or config.preview:
        scenes = [main, gif]
    else:  # only a GIF, drawn apart: the main scene would have nothing to write
        scenes = [gif]
    job = RenderJob(tuple(scenes), str(folder), label=f"rendering {targets[0].stem}", quiet=config.quiet)
    process.render(job, preview=config.preview, jobs=jobs(config.jobs))
    if config.preview:
        return []
    # the GIF comes from its own render where there is one, the last scene of the job
    return publish({**makers(targets, job.movie(0), job.still(0), job.movie(len(scenes) - 1), config.gif_width,
                             min(scenes[-1].fps, GIF_FPS)), **(extra or {})})


def main(argv: Sequence[str]) -> int:
    config = parse_config(argv)
    trajectory = check_output(config.trajectory_out, TRAJECTORY_SUFFIXES, "--trajectory-out") \
        if config.trajectory_out is not None else None
    if config.no_render and not trajectory:
        raise UsageError("--no-render needs --trajectory-out FILE.csv|FILE.npz")
    targets = [] if config.no_render else [check_output(o, VIDEO_SUFFIXES, "--output") for o in config.output]
    if config.preview:
        process.check_display()
    elif not config.no_render and not targets:
        targets = default_outputs(surface_name(config.surface), config.view)
    subtitles = None
    if config.subtitles is not None:
        if config.no_render or config.preview:  # (a --config file may set them; the command line is checked too)
            raise UsageError(f"--subtitles has no effect with {'--no-render' if config.no_render else '--preview'}")
        subtitles = check_subtitles(config.subtitles, targets)
    check_distinct({"--output": targets, "--trajectory-out": [trajectory] if trajectory else [],
                    "--subtitles": [subtitles] if subtitles else [],
                    "--config": [config.config_file] if config.config_file else []})
    from landscapes import resolve_surface

    check_surface_settings(config, resolve_surface(config.surface, config.domain).is_network)
    run = compute(run_spec(config))
    fitted = None if config.domain or run.meta.projection else fitted_domain(run)
    if fitted:  # the paths keep to a corner: show that corner (--domain overrides); saved Runs draw the same
        run = compute(replace(run_spec(config), domain=fitted))
    extra = {trajectory: lambda temp: write_trajectories(run, temp)} if trajectory else {}
    if subtitles:  # the captions stay on screen for the whole clip, timed as the scene times itself
        fps = config.fps or QUALITIES[config.quality][2]
        extra[subtitles] = subtitle_writer(subtitles, race_timeline(race_lines(run), fps, config.duration))
    if config.no_render:
        written = publish(extra)
    else:
        with work_folder() as folder:
            written = render_race(run, config, targets, folder, extra=extra)
    for path in written:
        say(config.quiet, f"wrote {path}")
    return 0


def surface_name(spec: str) -> str:
    """The name default outputs take: a registered surface's, else 'custom' (an expression)."""
    from landscapes import LANDSCAPES

    name = spec.split(":")[0].strip()
    return name if name in LANDSCAPES else "custom"


def say(quiet: bool, message: str) -> None:
    if not quiet:
        print(message)
