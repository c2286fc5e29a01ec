"""A scene's movie in segments of SEGMENT_FRAMES frames, each encoded on its own.

The frames of a scene depend only on their index (the scene steps through every frame before the first it draws,
without drawing them), and a segment's bytes only on its frames. So any worker can render any run of segments
of any scene, and the joined movie is the same bytes however the work was shared: `--jobs N` equals `--jobs 1`.
"""

import os
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


class SegmentWriter:
    """Raw RGBA frames (bottom row first, as OpenGL reads them) into one ffmpeg per segment, renamed when done."""

    def __init__(self, folder: str, scene: int, width: int, height: int, fps: int):
        self.folder, self.scene, self.size, self.fps = folder, scene, (width, height), fps
        self.encoder, self.segment = None, None

    def write(self, frame: int, pixels: bytes) -> None:
        segment = frame // SEGMENT_FRAMES
        if segment != self.segment:
            self.close()
            self.open(segment)
        self.encoder.send(pixels)

    def open(self, segment: int) -> None:
        self.segment = segment
        self.temp = segment_path(self.folder, self.scene, segment).with_suffix(".part.mp4")
        # ManimGL's own encoding (libx264, yuv420p, x264's defaults), one thread so that no segment's bytes
        # depend on how busy the machine was; imageio-ffmpeg runs the bundled ffmpeg
        self.encoder = imageio_ffmpeg.write_frames(
            str(self.temp), self.size, pix_fmt_in="rgba", pix_fmt_out="yuv420p", codec="libx264", fps=self.fps,
            quality=None, macro_block_size=1, ffmpeg_log_level="error",
            output_params=["-vf", "vflip", "-threads", "1", "-f", "mp4"])
        self.encoder.send(None)

    def close(self) -> None:
        if self.encoder is None:
            return
        self.encoder.close()  # waits for ffmpeg; raises if it failed
        os.replace(self.temp, segment_path(self.folder, self.scene, self.segment))
        self.encoder = None


class FrameWindow:
    """Draw and write only frames [first, end) of a scene: frames before are stepped through without drawing,
    and the scene stops at `end` (ManimGL's EndScene ends its run cleanly)."""

    def __init__(self, scene, writer: SegmentWriter | None, first: int, end: float, progress=None):
        self.scene, self.writer, self.first, self.end, self.progress = scene, writer, first, end, progress
        self.frame = 0  # index of the next frame to be emitted
        self.update_frame, self.emit_frame = scene.update_frame, scene.emit_frame
        scene.update_frame, scene.emit_frame = self.update, self.emit

    def update(self, dt: float = 0, force_draw: bool = False) -> None:
        if force_draw or self.first <= self.frame < self.end:
            return self.update_frame(dt, force_draw)
        self.scene.increment_time(dt)
        self.scene.update_mobjects(dt)

    def emit(self) -> None:
        from manimlib.scene.scene import EndScene

        if self.scene.skip_animations:
            return
        if self.first <= self.frame < self.end and self.writer is not None:
            self.writer.write(self.frame, self.scene.camera.get_raw_fbo_data())
            if self.progress:
                self.progress()
        self.frame += 1
        if self.frame >= self.end:
            raise EndScene()
