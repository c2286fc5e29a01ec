"""Launch the render processes and watch them; turn SIGTERM into an exception so every `finally` runs.

A render process is `python -m scenes JOB.json PID --worker W`. It dies with this process whatever ends it: it holds a
pipe from us whose end-of-file it watches, and it asks the kernel for a signal when we die (see scenes/__main__).
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from scenes.job import ERROR_FILE, RenderJob

from .encode import concat_mp4
from .errors import OutputError, UsageError

ROOT = Path(__file__).resolve().parent.parent
INTERRUPTED, TERMINATED = 130, 143


class Terminated(BaseException):
    """SIGTERM arrived: unwound like KeyboardInterrupt, so that temp files and the render process go."""


def _raise_terminated(signum, frame):
    raise Terminated


@contextlib.contextmanager
def terminate_as_exception() -> Iterator[None]:
    """Within the block, SIGTERM raises Terminated (the previous handler is restored after)."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def render(job: RenderJob, preview: bool = False, jobs: int = 1) -> None:
    """Run the render processes on the job (saved beside its files), `jobs` of them side by side, then join
    each scene's segments into its movie; raise if one failed or they were interrupted.

    preview: ManimGL's interactive window on the job's first scene instead (needs a display).
    """
    job = replace(job, workers=1 if preview else jobs)  # the workers cut the job into tasks (scenes/renderer.py)
    job_file = Path(job.folder) / "job.json"
    job_file.write_text(job.to_json())
    command = [sys.executable, "-m", "scenes", str(job_file), str(os.getpid())]
    workers = [[*command, "--preview"]] if preview else [[*command, "--worker", str(w)]
                                                          for w in range(job.workers)]
    processes = []
    try:
        for worker in workers:
            processes.append(subprocess.Popen(worker, cwd=ROOT, stdin=subprocess.PIPE,
                                              stdout=subprocess.DEVNULL if job.quiet else None))
        code = watch(processes, job)
        reason = failure_reason(job)  # before the others are stopped: a stopped worker removes the job's folder
    finally:
        stop(processes)
    if code in (INTERRUPTED, -signal.SIGINT):
        raise KeyboardInterrupt
    if code in (TERMINATED, -signal.SIGTERM):
        raise Terminated
    if code != 0:
        if reason:
            raise OutputError(f"rendering failed: {reason}")
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        raise OutputError(f"rendering failed ({how})")
    if not preview:
        join_segments(job)


def watch(processes: list[subprocess.Popen], job: RenderJob) -> int:
    """Wait for every worker, showing their frames on one progress bar; the first failure's exit code, or 0."""
    bar = None if job.quiet else tqdm(desc=job.label, unit="frame", leave=False, dynamic_ncols=True)
    try:
        while True:
            codes = [p.poll() for p in processes]
            failed = [c for c in codes if c not in (None, 0)]
            if failed or all(c == 0 for c in codes):
                return failed[0] if failed else 0
            if bar is not None:
                done, total = frames_written(job)
                bar.total = total or None
                bar.update(done - bar.n)
            time.sleep(0.1)
    finally:
        if bar is not None:
            bar.close()


def failure_reason(job: RenderJob) -> str | None:
    """The line the first worker to fail left in the job's folder, if one did."""
    try:
        return (Path(job.folder) / ERROR_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None


def frames_written(job: RenderJob) -> tuple[int, int]:
    """(frames written, frames in all) as the workers count them in their progress files."""
    done = total = 0
    for path in Path(job.folder).glob("progress-*"):
        numbers = path.read_text().split()
        if len(numbers) == 2:
            done, total = done + int(numbers[0]), max(total, int(numbers[1]))
    return done, total


def stop(processes: list[subprocess.Popen]) -> None:
    """End the workers still running (we were interrupted, or one failed) and wait until their files are closed."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdin.close()


def join_segments(job: RenderJob) -> None:
    """Each movie's segments, joined without re-encoding into the movie the CLI reads (job.movie)."""
    for index, scene in enumerate(job.scenes):
        if scene.movie:
            segments = sorted(p for p in Path(job.folder).glob(f"{index:03d}-*.mp4")
                              if re.fullmatch(r"\d{3}-\d{5}\.mp4", p.name))
            numbers = [int(p.stem.split("-")[1]) for p in segments]
            if not segments or numbers != list(range(len(numbers))):
                raise OutputError(f"rendering failed: scene {index + 1} lacks segments")
            concat_mp4(segments, job.movie(index))


def check_display() -> None:
    """--preview needs an X display that answers (ManimGL's window is an X window): checked before any work."""
    display = os.environ.get("DISPLAY")
    if not display:
        raise UsageError("--preview needs a display (DISPLAY is not set); write a file with -o instead")
    local = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
    remote = re.fullmatch(r"([\w.-]+):(\d+)(?:\.\d+)?", display)
    try:
        if local:
            with socket.socket(socket.AF_UNIX) as connection:
                connection.settimeout(2)
                connection.connect(f"/tmp/.X11-unix/X{local.group(1)}")
        elif remote:
            socket.create_connection((remote.group(1), 6000 + int(remote.group(2))), timeout=2).close()
        else:
            raise OSError("not a display name")
    except OSError as error:
        raise UsageError(f"--preview: display {display!r} does not answer ({error.strerror or error}); "
                         "write a file with -o instead") from None
