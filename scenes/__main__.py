"""The render process: `python -m scenes JOB.json PARENT_PID [--worker W | --preview]` renders a RenderJob's
scenes, or its share of them when several workers share the job, counting the frames it wrote in PROGRESS-W.

It runs apart from the CLI so that ManimGL (which reads sys.argv and holds a GL context) and JAX never share a
process. It never outlives the CLI: the kernel signals it when its parent dies (Linux's parent-death signal),
and a thread ends it when the pipe from the parent closes; either way it takes its ffmpeg and files with it.
"""

import ctypes
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import traceback
import warnings
from pathlib import Path

from .job import ERROR_FILE, RenderJob

PR_SET_PDEATHSIG = 1


def children() -> list[int]:
    """Pids of this process's children (ManimGL's ffmpeg), from /proc."""
    pids = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return pids


def watch_parent(job: RenderJob, parent: int) -> None:
    """Exit, leaving nothing behind, on INT or TERM, when the parent dies, or when its pipe to us closes."""

    def stop(signum, frame=None):
        for pid in children():  # ffmpeg would otherwise finish writing into a folder that is going away
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        # The CLI's work folder: if the CLI is gone, nobody else will remove it (if not, removing it twice is fine: a
        # living CLI read why a sibling worker failed before stopping this one). Whether the CLI is gone cannot be
        # told here: the kernel sends the parent-death signal when the thread that started us ends, before the rest.
        shutil.rmtree(job.folder, ignore_errors=True)
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the pipe below still ends us
    if os.getppid() != parent:  # the parent died before the kernel was told to tell us
        stop(signal.SIGTERM)

    def read_until_closed():
        while os.read(0, 4096):  # the raw descriptor: no buffer lock to hold up the interpreter's exit
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=read_until_closed, daemon=True).start()


def writable_cache_home(folder: Path) -> None:
    """ManimGL and Mesa keep caches under $XDG_CACHE_HOME (~/.cache); where that cannot be written (a read-only
    home), they get one in the job's folder, so that a cache costs time, never the render."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    try:
        home.mkdir(parents=True, exist_ok=True)
        if os.access(home, os.W_OK) and home.is_dir():
            return
    except OSError:
        pass
    os.environ["XDG_CACHE_HOME"] = str(folder / "cache")


def main(argv: list[str]) -> int:
    """Render the job; a failure is one line in the job folder's error.txt for the CLI to report, and exit 1."""
    job = RenderJob.from_json(Path(argv[0]).read_text())
    if len(argv) > 1:
        watch_parent(job, int(argv[1]))
    logging.getLogger("manimgl").setLevel(logging.WARNING)  # its "File ready at <temp dir>" would mislead
    tempfile.tempdir = job.folder  # our temp files (and a cache that cannot be written) go with the job
    writable_cache_home(Path(job.folder))
    if os.environ.get("LOSSCAPE_DEBUG") != "1":
        warnings.simplefilter("ignore")  # the CLI reports in one line; a library's warning would add more
    try:
        from .renderer import preview_scene, render_job, total_frames  # ManimGL is imported only once the watch is in place

        if "--preview" in argv[2:]:
            preview_scene(job.scenes[0])
        else:
            worker = argv[argv.index("--worker") + 1] if "--worker" in argv else "0"
            render_job(job, progress_counter(Path(job.folder) / f"progress-{worker}", total_frames(job)))
    except Exception as error:  # noqa: BLE001 - whatever failed, the CLI says it in one line
        if os.environ.get("LOSSCAPE_DEBUG") == "1":
            traceback.print_exc()
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        try:  # the first worker to fail says why
            with open(Path(job.folder) / ERROR_FILE, "x") as file:
                file.write(f"{type(error).__name__}{': ' + reason if reason else ''}")
        except FileExistsError:
            pass
        return 1
    return 0


def progress_counter(path: Path, total: int):
    """A function to call per frame written: it keeps "DONE TOTAL" in the file for the CLI's progress bar."""
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    done = 0

    def count() -> None:
        nonlocal done
        done += 1
        os.pwrite(descriptor, f"{done:>10} {total:>10}".encode(), 0)

    return count


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
