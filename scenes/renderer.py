"""Render a RenderJob's scenes with ManimGL: each movie as segments (scenes/segments.py) and/or its last frame,
in the job's folder; several workers may share a job, each taking the tasks no other has claimed."""

import os
from dataclasses import replace
from pathlib import Path

from .headless import FFMPEG, use_frame_shape
from manimlib.config import manim_config

from .fill_cache import cache_for
from .job import RenderJob, SceneJob, frame_shape
from .layers import use_static_layers
from .segments import FrameWindow, SegmentWriter, cut, part_range
from .theme import use
from .views import STUDY_SCENES


def scene_class(scene: SceneJob) -> type:
    """The scene class of the job, subclassed with the job's parameters as class attributes."""
    attributes = {"duration": scene.duration, "probe_path": scene.probe_path}
    if scene.scene in ("title", "chapter"):
        from .explainer import CHAPTER_SCENES, TitleCard

        base = TitleCard if scene.scene == "title" else CHAPTER_SCENES[scene.chapter]
        attributes.update(chapter=scene.chapter, run_paths=scene.run_paths)
    elif scene.scene in STUDY_SCENES:
        from .studies import STUDIES

        base = STUDIES[scene.scene]
        attributes.update(run_path=scene.run_path, study_path=scene.study_path)
    else:
        from . import race
        from .views import VIEWS

        base = getattr(race, VIEWS[scene.scene].scene)
        attributes.update(run_path=scene.run_path, show_glyphs=scene.show_glyphs,
                          show_equations=scene.show_equations, show_dots=scene.show_dots, note=scene.note)
        if scene.still_camera:
            attributes["orbit_degrees"] = 0.0
    return type(base.__name__, (base,), {k: v for k, v in attributes.items() if v is not None})


def set_stage(scene: SceneJob) -> dict:
    """Choose the job's theme and frame shape for the scene about to be built; its camera's config for them."""
    theme = use(scene.theme)
    shape = frame_shape(scene.aspect)
    use_frame_shape(*shape)
    return dict(background_color=theme.background, frame_config=dict(frame_shape=shape))


def render_scene(job: RenderJob, index: int, part: int, parts: int, progress) -> None:
    """Render part `part` of `parts` of the job's scene `index`: its movie's segments and, from the last part,
    its last frame (if asked)."""
    scene = job.scenes[index]
    first, end = part_range(scene_frames(scene), part, parts)
    last = end == float("inf")
    camera = set_stage(scene)
    cls = scene_class(scene if last else replace(scene, probe_path=None))
    size = (scene.width, scene.height)
    # ManimGL sizes its off-screen fill canvas from the global config (2× per side), as its own CLI sets it;
    # left at the 1080p default, every text fill pass at 480p would work on a 3840×2160 canvas.
    manim_config.camera.resolution = size
    still = job.still(index)
    instance = cls(
        camera_config=dict(resolution=size, fps=scene.fps, **camera),
        file_writer_config=dict(write_to_movie=False, save_last_frame=scene.still and last,
                                output_directory=str(still.parent), file_name=still.stem, ffmpeg_bin=FFMPEG,
                                quiet=True),
        skip_animations=not scene.movie,
    )
    writer = SegmentWriter(job.folder, index, *size, scene.fps) if scene.movie else None
    layers = use_static_layers(instance.camera)
    FrameWindow(instance, writer, first, end, progress, layers)
    instance.run()
    if writer:
        writer.close()
    if layers and os.environ.get("LOSSCAPE_DEBUG") == "1":
        print(f"static layers, scene {index} part {part + 1}/{parts}: {layers.frames}; set again: "
              f"{layers.set_again}; unseen: {layers.unseen}; fill passes: {cache_for(instance.camera.ctx).passes}")
    instance.camera.ctx.release()  # a context per scene otherwise grows memory by ~100 MB each


def scene_frames(scene: SceneJob) -> int:
    """Frames the scene's movie will have (its estimate)."""
    return round(scene_class(scene).expected_seconds() * scene.fps)


def total_frames(job: RenderJob) -> int:
    """Frames the job's movies will have: what the progress bar counts to."""
    return sum(scene_frames(s) for s in job.scenes if s.movie)


def tasks(job: RenderJob) -> list[tuple[int, int, int]]:
    """(scene, part, parts) for every part of every scene that writes something (a movie, a still), as `cut`
    shares the job out among its workers."""
    return [task for task in cut([scene_frames(s) if s.movie else 0 for s in job.scenes],
                                 [s.width * s.height for s in job.scenes], job.workers)
            if job.scenes[task[0]].movie or job.scenes[task[0]].still]


def preview_scene(scene: SceneJob) -> None:
    """ManimGL's interactive window on the scene (needs a display)."""
    from manimlib import Window

    camera = set_stage(scene)
    scene_class(scene)(window=Window(), camera_config=camera).run()


def render_job(job: RenderJob, progress=None) -> None:
    """Render the tasks of the job that no other worker has claimed, each claimed by creating its file."""
    for index, part, parts in tasks(job):
        try:
            os.close(os.open(Path(job.folder) / f"claim-{index}-{part}", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            continue
        render_scene(job, index, part, parts, progress)
