"""Render the scenes of a RenderJob with ManimGL: one movie and/or last frame per scene, in the job's folder."""

import os
from pathlib import Path

from tqdm import tqdm

from .headless import FFMPEG, use_frame_shape
from manimlib.config import manim_config

from .job import RenderJob, SceneJob, frame_shape
from .layers import use_static_layers
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


def labelled_progress(writer, label: str) -> None:
    """One progress bar named after the job (ManimGL's first prints an unlabelled line, then renames itself)."""
    open_movie_pipe = writer.open_movie_pipe

    def open_with_bar(file_path):
        writer.quiet = True  # ManimGL's own bar stays off
        open_movie_pipe(file_path)
        writer.progress_display = tqdm(total=writer.total_frames, desc=label, leave=False, dynamic_ncols=True)

    writer.open_movie_pipe = open_with_bar
    writer.set_progress_display_description = lambda *args, **kwargs: None


def render_scene(scene: SceneJob, movie: Path, still: Path, label: str, quiet: bool) -> None:
    """Render one scene: `movie` (if asked) and `still`, its last frame (if asked)."""
    camera = set_stage(scene)
    cls = scene_class(scene)
    size = (scene.width, scene.height)
    # ManimGL sizes its off-screen fill canvas from the global config (2× per side), as its own CLI sets it;
    # left at the 1080p default, every text fill pass at 480p would work on a 3840×2160 canvas.
    manim_config.camera.resolution = size
    instance = cls(
        camera_config=dict(resolution=size, fps=scene.fps, **camera),
        file_writer_config=dict(write_to_movie=scene.movie, save_last_frame=scene.still,
                                output_directory=str(movie.parent), file_name=movie.stem, ffmpeg_bin=FFMPEG,
                                quiet=True, total_frames=round(cls.expected_seconds() * scene.fps)),
        skip_animations=not scene.movie,
    )
    layers = use_static_layers(instance.camera)
    if not quiet:
        labelled_progress(instance.file_writer, label)
    instance.run()
    if layers and os.environ.get("LOSSCAPE_DEBUG") == "1":
        print(f"static layers: {layers.frames}")
    instance.camera.ctx.release()  # a context per scene otherwise grows memory by ~100 MB each


def preview_scene(scene: SceneJob) -> None:
    """ManimGL's interactive window on the scene (needs a display)."""
    from manimlib import Window

    camera = set_stage(scene)
    scene_class(scene)(window=Window(), camera_config=camera).run()


def render_job(job: RenderJob) -> None:
    for index, scene in enumerate(job.scenes):
        render_scene(scene, job.movie(index), job.still(index), job.label, job.quiet)
