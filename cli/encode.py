"""ffmpeg (imageio-ffmpeg's bundled binary) for what the CLI makes of the rendered movies: joins and GIFs."""

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import imageio_ffmpeg

from scenes.job import SceneJob

from .errors import OutputError
from .outputs import copier

GIF_FPS = 15
DEFAULT_GIF_WIDTH = 640


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly; it dies with this process (parent-death signal) and its error is one line."""
    # setpriv (util-linux) sets the parent-death signal before exec: no preexec_fn in a threaded process.
    guard = ["setpriv", "--pdeathsig", "TERM"] if shutil.which("setpriv") else []
    done = subprocess.run([*guard, imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-nostdin", "-loglevel", "error", *args],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"ffmpeg exited with {done.returncode}"]
        raise OutputError(f"cannot write {args[-1]}: {lines[-1]}")


def gif_from_mp4(mp4: Path, gif: Path, width: int, fps: int = GIF_FPS) -> None:
    """A small, clean GIF: 192 colours chosen from the frames themselves, ordered dithering (no banding)."""
    graph = (f"fps={fps},scale={width}:-2:flags=lanczos,split[a][b];"
             f"[a]palettegen=max_colors=192:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=4"
             f":diff_mode=rectangle")
    ffmpeg("-i", str(mp4), "-vf", graph, "-f", "gif", str(gif))


def scales_exactly(movie_width: int, gif_width: int) -> bool:
    """Whether the GIF is the movie shrunk by a whole factor (1280 → 640: every GIF pixel averages a 2 × 2 block,
    sharp); any other factor (720 → 640) blurs every edge, so the GIF needs a movie of its own size."""
    return movie_width % gif_width == 0


def gif_sized(scene: SceneJob, gif_width: int) -> SceneJob:
    """The scene rendered as a movie at the GIF's own size (even sides, the scene's shape) and frame rate."""
    width = gif_width // 2 * 2
    height = round(scene.height * width / scene.width / 2) * 2
    return replace(scene, width=width, height=height, fps=min(scene.fps, GIF_FPS), movie=True, still=False)


def makers(targets: list[Path], movie: Path, still: Path, gif_movie: Path, gif_width: int, gif_fps: int) -> dict:
    """target -> how to write it (for `publish`): MP4 copies the movie, PNG the still, GIF encodes gif_movie."""
    made = {".mp4": copier(movie), ".png": copier(still),
            ".gif": lambda temp: gif_from_mp4(gif_movie, temp, gif_width, gif_fps)}
    return {target: made[target.suffix.lower()] for target in targets}


def concat_mp4(parts: list[Path], out: Path, chapters: str | None = None) -> None:
    """Join MP4s of the same size and frame rate without re-encoding; `chapters` (FFMETADATA text) become the
    file's chapter markers."""
    listing = parts[0].with_name("parts.txt")
    listing.write_text("".join(f"file '{p}'\n" for p in parts))
    markers = []
    if chapters:
        metadata = parts[0].with_name("chapters.txt")
        metadata.write_text(chapters, encoding="utf-8")
        markers = ["-f", "ffmetadata", "-i", str(metadata), "-map", "0", "-map_chapters", "1"]
    ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), *markers, "-c", "copy", "-f", "mp4", str(out))
