"""The CLI side of rendering: hand a Run to the rendering process, then move finished files into place."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from optimizers.run import make_public

ROOT = Path(__file__).resolve().parent.parent
MEDIA = Path("media")


def default_outputs(surface: str, view: str) -> list[Path]:
    """media/<surface>_<view>.mp4 and .gif (an expression surface is called 'custom')."""
    name = surface if re.fullmatch(r"[\w-]+", surface) else "custom"
    MEDIA.mkdir(exist_ok=True)
    return [MEDIA / f"{name}_{view}.mp4", MEDIA / f"{name}_{view}.gif"]


def temp_beside(target: Path) -> Path:
    """A unique hidden temp name in the target's folder (same file system, so the final rename is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent)
    os.close(fd)
    make_public(name)
    return Path(name)


def run_render_job(job: dict, targets: list[Path], quiet: bool,
                   scene_gifs: list[tuple[int, Path]] = ()) -> list[Path]:
    """Run `scenes.render_job` on temp outputs; rename them onto the targets only when all succeeded.

    `scene_gifs` are (index in the job's sequence, target) pairs: one GIF per scene.
    """
    targets = [*targets, *(t for _, t in scene_gifs)]
    temps = [temp_beside(t) for t in targets]
    workdir = Path(tempfile.mkdtemp(prefix="losscape-job-"))
    try:
        job_file = workdir / "job.json"
        gif_temps = temps[len(temps) - len(scene_gifs):]
        job_file.write_text(json.dumps({
            "label": f"rendering {targets[0].stem}", **job, "outputs": [str(t) for t in temps[:len(temps) - len(scene_gifs)]], "quiet": quiet,
            "scene_gifs": [[i, str(t)] for (i, _), t in zip(scene_gifs, gif_temps)]}))
        done = subprocess.run([sys.executable, "-m", "scenes.render_job", str(job_file)], cwd=ROOT,
                              stdout=subprocess.DEVNULL if quiet else None)
        if done.returncode in (130, -signal.SIGINT):
            raise KeyboardInterrupt
        if done.returncode != 0:
            raise RuntimeError(f"rendering failed (exit code {done.returncode})")
        for temp, target in zip(temps, targets):
            os.replace(temp, target)
        return targets
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)


def preview(job: dict) -> None:
    """ManimGL's interactive window on the same scene (needs a display)."""
    code = ("import json,sys; from scenes.render_job import scene_class; from scenes.headless import manimlib;"
            "from manimlib import Window; job=json.load(open(sys.argv[1])); cls=scene_class(job);"
            "w=Window(); s=cls(window=w); s.run()")
    with tempfile.TemporaryDirectory(prefix="losscape-preview-") as tmp:
        job_file = Path(tmp) / "job.json"
        job_file.write_text(json.dumps(job))
        subprocess.run([sys.executable, "-c", code, str(job_file)], cwd=ROOT, check=False)


def render_run(run, config, outputs: list[Path], quality: tuple[int, int, int]) -> list[Path]:
    """Render a Run as the config says (view, fps, duration, overlays) at quality (width, height, fps)."""
    width, height, fps = quality
    workdir = Path(tempfile.mkdtemp(prefix="losscape-run-"))
    try:
        run_file = workdir / "run.npz"
        run.save(run_file)
        job = {"view": config.view, "width": width, "height": height, "fps": config.fps or fps,
               "gif_width": config.gif_width,
               "attributes": {"run_path": str(run_file), "duration": config.duration,
                              "show_glyphs": config.glyphs, "show_equations": config.equations}}
        if config.preview:
            preview(job)
            return []
        targets = outputs or default_outputs(run.meta["surface"]["name"], config.view)
        return run_render_job(job, targets, config.quiet)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
