"""Launch the render process and watch it; turn SIGTERM into an exception so every `finally` runs.

The render process is `python -m scenes JOB.json PID`. It dies with this process whatever ends it: it holds a
pipe from us whose end-of-file it watches, and it asks the kernel for a signal when we die (see scenes/__main__).
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from scenes.job import ERROR_FILE, RenderJob

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


def render(job: RenderJob, preview: bool = False) -> None:
    """Run the render process on the job (saved beside its files); raise if it failed or was interrupted.

    preview: ManimGL's interactive window on the job's first scene instead (needs a display).
    """
    job_file = Path(job.folder) / "job.json"
    job_file.write_text(job.to_json())
    command = [sys.executable, "-m", "scenes", str(job_file), str(os.getpid()), *(["--preview"] if preview else [])]
    process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL if job.quiet else None)
    try:
        code = process.wait()
    finally:
        if process.poll() is None:  # we were interrupted: stop it, and wait until its files are closed
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stdin.close()
    if code in (INTERRUPTED, -signal.SIGINT):
        raise KeyboardInterrupt
    if code in (TERMINATED, -signal.SIGTERM):
        raise Terminated
    if code != 0:
        reason = Path(job.folder) / ERROR_FILE
        if reason.exists():
            raise OutputError(f"rendering failed: {reason.read_text().strip()}")
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        raise OutputError(f"rendering failed ({how})")


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
