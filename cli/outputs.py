"""Output files: checked before any work, written beside the target under a temp name, renamed into place.

The CLI's work folder (`losscape-PID-XXXX` in the temp folder) holds the Run, the render job and the render
process's files; it is removed whatever ends the run, and a later run removes any that a SIGKILL left.
"""

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from files.atomic import alive, remove_stale_parts, temp_beside

from .options import UsageError

MEDIA = Path("media")
VIDEO_SUFFIXES = (".mp4", ".gif", ".png")
TRAJECTORY_SUFFIXES = (".csv", ".npz")
WORK_PREFIX = "losscape-"
WORK_FOLDER = re.compile(rf"^{WORK_PREFIX}(\d+)-")


class OutputError(Exception):
    """An output could not be written (full disk, vanished folder, ...): one line, exit 1."""


def check_output(path: str, suffixes: Sequence[str], flag: str) -> Path:
    """The target's suffix is one we write and its folder exists and is writable."""
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        raise UsageError(f"{flag} {path}: unsupported format '{target.suffix}' (use {', '.join(suffixes)})")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{flag} {path}: folder '{folder}' does not exist")
    if target.is_dir():
        raise UsageError(f"{flag} {path}: not writable, it is a folder")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"{flag} {path}: not writable")
    return target


def default_outputs(name: str, kind: str, suffixes: Sequence[str] = (".mp4", ".gif")) -> list[Path]:
    """media/NAME_KIND.mp4 and .gif (media/ made if missing); an expression's NAME is 'custom'."""
    name = name if re.fullmatch(r"[\w-]+", name) else "custom"
    MEDIA.mkdir(exist_ok=True)
    return [MEDIA / f"{name}_{kind}{suffix}" for suffix in suffixes]


def publish(makers: dict[Path, Callable[[Path], None]]) -> list[Path]:
    """Each maker(temp) writes its target's content to a temp file beside it; all are renamed only when every
    one succeeded, and no temp file is left whatever happens."""
    temps: dict[Path, Path] = {}
    current = None
    for folder in {target.parent for target in makers}:
        remove_stale_parts(folder)
    try:
        for current, make in makers.items():
            temps[current] = temp_beside(current)
            make(temps[current])
        for current, temp in temps.items():
            os.replace(temp, current)
    except OSError as error:
        raise OutputError(f"cannot write {current}: {error.strerror or error}") from None
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    return list(makers)


def copier(source: Path) -> Callable[[Path], None]:
    return lambda temp: shutil.copyfile(source, temp)


@contextlib.contextmanager
def work_folder() -> Iterator[Path]:
    """A private folder in the temp folder, removed on the way out; stale ones of dead runs are removed first."""
    base = Path(tempfile.gettempdir())
    for entry in base.glob(f"{WORK_PREFIX}*"):
        match = WORK_FOLDER.match(entry.name)
        if match and not alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
