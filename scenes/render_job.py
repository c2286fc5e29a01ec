"""The rendering process: `python -m scenes.render_job JOB.json` renders scenes to the files the job names.

Runs apart from the CLI so that ManimGL (which reads sys.argv and holds a GL context) and JAX never share a
process, and so that an interrupted render takes its half-written files down with it.
"""

import json
import logging
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from .headless import FFMPEG
from manimlib.config import manim_config

GIF_FPS = 15


def scene_class(job: dict):
    """The scene class of the job, subclassed with its parameters as class attributes."""
    attributes = dict(job.get("attributes") or {})
    if job.get("scene") in ("title", "chapter"):
        from .explainer import CHAPTER_SCENES, TitleCard

        base = TitleCard if job["scene"] == "title" else CHAPTER_SCENES[job["chapter"]]
        attributes["chapter"] = job["chapter"]
    else:
        from .race import VIEWS

        base = VIEWS[job["view"]]
    return type(base.__name__, (base,), attributes)


def render_scene(cls, job: dict, workdir: Path, movie: bool, still: bool):
    """Render one scene into workdir: scene.mp4 (if movie) and scene.png (the last frame, if still)."""
    width, height, fps = job["width"], job["height"], job["fps"]
    # ManimGL sizes its off-screen fill canvas from the global config (2× per side), as its own CLI sets it;
    # left at the 1080p default, every text fill pass at 480p would work on a 3840×2160 canvas.
    manim_config.camera.resolution = (width, height)
    scene = cls(
        camera_config=dict(resolution=(width, height), fps=fps),
        file_writer_config=dict(write_to_movie=movie, save_last_frame=still, output_directory=str(workdir),
                                file_name="scene", ffmpeg_bin=FFMPEG, quiet=job.get("quiet", False),
                                total_frames=round(cls.expected_seconds() * fps)),
        skip_animations=not movie,
    )
    # One steady progress bar (frames, rate, time left) named after the job, not after each animation.
    description = job.get("label", "rendering")
    scene.file_writer.set_progress_display_description = lambda *args, **kwargs: (
        scene.file_writer.progress_display and scene.file_writer.progress_display.set_description(description))
    scene.run()
    scene.camera.ctx.release()  # a context per scene otherwise grows memory by ~100 MB each
    return workdir / "scene.mp4", workdir / "scene.png"


def gif_from_mp4(mp4: Path, gif: Path, width: int, fps: int = GIF_FPS) -> None:
    """A small, clean GIF: 192 colours chosen from the frames themselves, ordered dithering (no banding)."""
    graph = (f"fps={fps},scale={width}:-2:flags=lanczos,split[a][b];"
             f"[a]palettegen=max_colors=192:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=4"
             f":diff_mode=rectangle")
    subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-i", str(mp4), "-vf", graph, str(gif)], check=True)


def concat_mp4(parts: list[Path], out: Path) -> None:
    """Join MP4s of the same size and frame rate without re-encoding."""
    listing = out.with_suffix(".txt")
    listing.write_text("".join(f"file '{p}'\n" for p in parts))
    subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-c", "copy", str(out)], check=True)


def render_sequence(job: dict, workdir: Path, movie: bool, still: bool) -> tuple[Path, Path, list]:
    """Render the job's scene, or each scene of its sequence joined into one MP4: (mp4, last png, parts)."""
    parts = []
    for i, item in enumerate(job.get("sequence") or [{}]):
        part = workdir / f"{i:03d}"
        part.mkdir(parents=True)
        parts.append(render_scene(scene_class({**job, **item}), job, part, movie, still))
    if len(parts) > 1 and movie:
        concat_mp4([mp4 for mp4, _ in parts], workdir / "all.mp4")
    if _interrupt.seen:
        raise KeyboardInterrupt
    return (workdir / "all.mp4" if len(parts) > 1 else parts[0][0]), parts[-1][1], parts


def still_camera_job(job: dict) -> dict:
    """The job at GIF size and frame rate with the camera held still.

    A turning camera changes every pixel of every frame, which GIF cannot compress (a 10 s race: ~5 MB
    instead of ~0.5 MB), so GIFs of orbiting views get a render of their own.
    """
    width = job["gif_width"] // 2 * 2
    height = round(job["height"] * width / job["width"] / 2) * 2
    attributes = {**job.get("attributes", {}), "orbit_degrees": 0.0}
    label = job.get("label", "rendering") + " (the GIF: camera held still)"
    return {**job, "width": width, "height": height, "fps": min(job["fps"], GIF_FPS), "attributes": attributes,
            "label": label}


def run_job(job: dict) -> None:
    """Render the job's scene (or sequence of scenes, joined) and write every requested output.

    `outputs` get the whole sequence; `scene_gifs` ([index, path] pairs) get one scene each as a GIF.
    """
    outputs = [Path(p) for p in job["outputs"]]
    gifs = [p for p in outputs if p.suffix == ".gif"]
    orbits = not job.get("sequence") and getattr(scene_class(job), "orbit_degrees", 0) > 0
    movie = any(p.suffix == ".mp4" for p in outputs) or bool(job.get("scene_gifs")) or (gifs and not orbits)
    still = any(p.suffix == ".png" for p in outputs)
    workdir = Path(tempfile.mkdtemp(prefix="losscape-render-"))
    try:
        if movie or still:
            mp4, png, parts = render_sequence(job, workdir / "main", movie, still)
        for index, gif in job.get("scene_gifs", []):
            gif_from_mp4(parts[index][0], Path(gif), job["gif_width"], min(job["fps"], GIF_FPS))
        if gifs and orbits:
            gif_job = still_camera_job(job)
            gif_source, _, _ = render_sequence(gif_job, workdir / "gif", True, False)
        elif gifs:
            gif_source = mp4
        for out in outputs:
            if out.suffix == ".mp4":
                shutil.copyfile(mp4, out)
            elif out.suffix == ".gif":
                gif_from_mp4(gif_source, out, job["gif_width"], min(job["fps"], GIF_FPS))
            else:
                shutil.copyfile(png, out)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


INTERRUPTED = 130


def _interrupt(signum, frame):
    # ManimGL swallows KeyboardInterrupt inside Scene.run and ffmpeg dies of the same signal: remember it, so
    # that an interrupted render is reported as such and never yields a (partial) output.
    _interrupt.seen = True
    raise KeyboardInterrupt


_interrupt.seen = False


def main(argv: list[str]) -> int:
    logging.getLogger("manimgl").setLevel(logging.WARNING)  # its "File ready at <temp dir>" would mislead
    signal.signal(signal.SIGINT, _interrupt)
    try:
        run_job(json.loads(Path(argv[0]).read_text()))
    except BaseException:
        if _interrupt.seen:
            return INTERRUPTED
        raise
    return INTERRUPTED if _interrupt.seen else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
