"""A scene's movie in segments of SEGMENT_FRAMES frames, each encoded on its own.

The frames of a scene depend only on their index (the scene steps through every frame before the first it draws,
without drawing them), and a segment's bytes only on its frames. So any worker can render any run of segments
of any scene, and the joined movie is the same bytes however the work was shared: `--jobs N` equals `--jobs 1`.
"""

import math
import os
import threading
from pathlib import Path

import imageio_ffmpeg

SEGMENT_FRAMES = 60


def segment_path(folder: str, scene: int, segment: int) -> Path:
    return Path(folder) / f"{scene:03d}-{segment:05d}.mp4"


def part_range(total_frames: int, part: int, parts: int) -> tuple[int, float]:
    """Frames [first, end) of part `part` of `parts`: whole segments, shared out evenly; the last part runs on to
    the scene's end (the frame count is the scene's estimate)."""
    segments = max(-(-total_frames // SEGMENT_FRAMES), 1)
    first = part * segments // parts * SEGMENT_FRAMES
    end = (part + 1) * segments // parts * SEGMENT_FRAMES if part < parts - 1 else float("inf")
    return first, end


def cut(frames: list[int], pixels: list[int], workers: int) -> list[tuple[int, int, int]]:
    """(scene, part, parts) for every part of every scene, largest first, so that no large part is left to the
    end. A scene's movie (frames × its pixels per frame) is cut into whole segments, about one worker's share of
    all the pixels each; a part steps through the frames before it without drawing them, so a scene smaller
    than a share stays whole. frames: each scene's frames (0 for a still), pixels: width × height."""
    work = [f * p for f, p in zip(frames, pixels)]
    share = sum(work) / workers or 1
    counts = [min(max(math.ceil(w / share - 0.25), 1), max(-(-f // SEGMENT_FRAMES), 1)) for w, f in zip(work, frames)]
    every = [(index, part, n) for index, n in enumerate(counts) for part in range(n)]
    return sorted(every, key=lambda task: -work[task[0]] / task[2])  # stable: a scene's parts stay in order


class SegmentWriter:
    """Raw RGBA frames (bottom row first, as OpenGL reads them) into one ffmpeg per segment, renamed when done."""

    def __init__(self, folder: str, scene: int, width: int, height: int, fps: int):
        self.folder, self.scene, self.size, self.fps = folder, scene, (width, height), fps
        self.encoder, self.segment = None, None
        self.finishing: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def write(self, frame: int, pixels: bytes) -> None:
        segment = frame // SEGMENT_FRAMES
        if segment != self.segment:
            self.hand_off()
            self.open(segment)
        self.encoder.send(pixels)

    def open(self, segment: int) -> None:
        self.segment = segment
        self.temp = segment_path(self.folder, self.scene, segment).with_suffix(".part.mp4")
        # ManimGL's own encoding (libx264, yuv420p, x264's defaults), one thread so that no segment's bytes
        # depend on how busy the machine was; imageio-ffmpeg runs the bundled ffmpeg. Quiet: it shares the CLI's
        # stderr, and if this process is killed mid-frame it would print its complaint there (its exit code still
        # fails close(), and the CLI says why in one line)
        self.encoder = imageio_ffmpeg.write_frames(
            str(self.temp), self.size, pix_fmt_in="rgba", pix_fmt_out="yuv420p", codec="libx264", fps=self.fps,
            quality=None, macro_block_size=1, ffmpeg_log_level="quiet",
            output_params=["-vf", "vflip", "-threads", "1", "-f", "mp4"])
        self.encoder.send(None)

    def hand_off(self) -> None:
        """Let the current segment's ffmpeg finish in a thread: it still encodes the frames it holds back for
        lookahead (about a second of work), which the next frames need not wait for."""
        if self.encoder is None:
            return
        thread = threading.Thread(target=self.finish, args=(self.encoder, self.temp, self.segment))
        thread.start()
        self.finishing.append(thread)
        self.encoder = None

    def finish(self, encoder, temp: Path, segment: int) -> None:
        try:
            encoder.close()  # waits for ffmpeg; raises if it failed
            os.replace(temp, segment_path(self.folder, self.scene, segment))
        except BaseException as error:  # noqa: BLE001 - raised again by close(), in the render's own thread
            self.errors.append(error)

    def close(self) -> None:
        """Finish every segment; raise the first error one of them met."""
        self.hand_off()
        for thread in self.finishing:
            thread.join()
        self.finishing = []
        if self.errors:
            raise self.errors[0]


class FrameWindow:
    """Draw and write only frames [first, end) of a scene: frames before are stepped through without drawing,
    and the scene stops at `end` (ManimGL's EndScene ends its run cleanly)."""

    def __init__(self, scene, writer: SegmentWriter | None, first: int, end: float, progress=None, layers=None):
        self.scene, self.writer, self.first, self.end, self.progress = scene, writer, first, end, progress
        self.layers = layers  # the camera's StaticLayers, which know when a frame repeats the last one
        self.frame = 0  # index of the next frame to be emitted
        self.last = (None, b"")  # the static layers' frame count when the last frame was read, and its bytes
        self.update_frame, self.emit_frame = scene.update_frame, scene.emit_frame
        scene.update_frame, scene.emit_frame = self.update, self.emit

    def update(self, dt: float = 0, force_draw: bool = False) -> None:
        if force_draw or self.first <= self.frame < self.end:
            return self.update_frame(dt, force_draw)
        self.scene.increment_time(dt)
        self.scene.update_mobjects(dt)
        self.prepare()

    def prepare(self) -> None:
        """What a draw computes from the mobjects' data, without drawing: ManimGL keeps some of it in the data
        (unit normals, joint angles) for later frames to build on, so a frame drawn after stepping would
        otherwise differ from the one drawn in order in its last bits."""
        ctx = self.scene.camera.ctx
        for group in self.scene.render_groups:
            if group._data_has_changed:
                group.shader_wrappers = group.get_shader_wrapper_list(ctx)
                group._data_has_changed = False

    def pixels(self) -> bytes:
        """The frame's bytes: those read last when the frame captured since repeats the one they were read from
        (reading back a frame costs milliseconds; a closing hold repeats for seconds)."""
        layers = self.layers
        if layers is not None and layers.repeats and self.last[0] == layers.frame - 1:
            self.last = (layers.frame, self.last[1])
        else:
            self.last = (None if layers is None else layers.frame, frame_pixels(self.scene.camera))
        return self.last[1]

    def emit(self) -> None:
        from manimlib.scene.scene import EndScene

        if self.scene.skip_animations:
            return
        if self.first <= self.frame < self.end and self.writer is not None:
            self.writer.write(self.frame, self.pixels())
            if self.progress:
                self.progress()
        self.frame += 1
        if self.frame >= self.end:
            raise EndScene()


def frame_pixels(camera) -> bytes:
    """The frame's RGBA bytes, bottom row first: read straight from the camera's framebuffer when it has no
    multisampling (ManimGL first copies it into another framebuffer of the same size, which resolves samples and
    otherwise copies every pixel as it is)."""
    if camera.samples:
        return camera.get_raw_fbo_data()
    return camera.fbo.read(viewport=camera.fbo.viewport, components=camera.n_channels, dtype="f1")
