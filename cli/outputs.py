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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from files.atomic import alive, make_public, remove_stale_parts, temp_beside, written_path
from landscapes.limits import LIMITS

from .errors import OutputError, UsageError

MEDIA = Path("media")
VIDEO_SUFFIXES = (".mp4", ".gif", ".png")
TRAJECTORY_SUFFIXES = (".csv", ".npz")
WORK_PREFIX = "losscape-"
WORK_FOLDER = re.compile(rf"^{WORK_PREFIX}(\d+)-")


def check_output(path: str, suffixes: Sequence[str], flag: str) -> Path:
    """The target's name is one we write and can: its suffix, its length, its folder, a trial temp file there."""
    if not path:
        raise UsageError(f"{flag} needs a file name")
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        raise UsageError(f"{flag} {path!r}: unsupported format {target.suffix!r} (use {', '.join(suffixes)})")
    check_name(target, flag)
    real = written_path(target)
    folder = real.parent
    if not folder.is_dir():
        raise UsageError(f"{flag} {path!r}: folder '{folder}' does not exist")
    if real.is_dir():
        raise UsageError(f"{flag} {path!r}: not writable, it is a folder")
    if real.exists() and not os.access(real, os.W_OK):
        raise UsageError(f"{flag} {path!r}: not writable")
    try_writing(folder, real, flag)
    return target


def check_folder(path: str, flag: str) -> Path:
    """A folder we may write into: it exists, or its parent does (it is made only when the files are written)."""
    if not path:
        raise UsageError(f"{flag} needs a folder name")
    folder = Path(path)
    check_name(folder, flag)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{flag} {path!r}: not a folder")
    parent = folder if folder.is_dir() else folder.parent
    if not parent.is_dir():
        raise UsageError(f"{flag} {path!r}: folder '{parent}' does not exist")
    try_writing(parent, parent / "probe", flag)
    return folder


def check_name(target: Path, flag: str) -> None:
    """Each name within NAME_MAX bytes and the whole path within PATH_MAX, as the file system will demand."""
    longest_path, longest_name = int(LIMITS["path_bytes"].high), int(LIMITS["file_name_bytes"].high)
    whole = len(os.fsencode(target))
    if whole > longest_path:
        raise UsageError(f"{flag}: path too long ({whole:,} bytes, max {longest_path:,})")
    for part in target.parts:
        if len(os.fsencode(part)) > longest_name:
            raise UsageError(f"{flag}: file name too long ({len(os.fsencode(part))} bytes, max {longest_name}): "
                             f"{part[:24]!r}...")


def try_writing(folder: Path, target: Path, flag: str) -> None:
    """Make and remove the temp file a write would make: permissions, read-only and pseudo file systems show."""
    try:
        temp_beside(target).unlink()
    except OSError as error:
        raise UsageError(f"{flag} {str(target)!r}: cannot write in '{folder}': {error.strerror}") from None


def default_outputs(name: str, kind: str, suffixes: Sequence[str] = (".mp4", ".gif")) -> list[Path]:
    """media/NAME_KIND.mp4 and .gif, checked like any output; media/ itself is made only when they are written.
    An expression's NAME is 'custom'."""
    name = name if re.fullmatch(r"[\w-]+", name) else "custom"
    if MEDIA.is_symlink() and not MEDIA.exists() or MEDIA.exists() and not MEDIA.is_dir():
        raise UsageError(f"the default output folder '{MEDIA}' is not a folder: give -o FILE")
    if not MEDIA.exists():
        check_folder(str(MEDIA), "the default output folder")
    targets = [MEDIA / f"{name}_{kind}{suffix}" for suffix in suffixes]
    if MEDIA.exists():
        for target in targets:
            check_output(str(target), (target.suffix,), "the default output")
    return targets


def check_distinct(named: dict[str, Sequence[str | Path]]) -> None:
    """No two outputs (nor an output and an input such as the --config file) are one file."""
    seen: dict[str, str] = {}
    for flag, paths in named.items():
        for path in paths:
            real = os.path.realpath(path)
            if real in seen:
                raise UsageError(f"{flag} {str(path)!r} is the same file as {seen[real]}")
            seen[real] = f"{flag} {str(path)!r}"


def publish(makers: dict[Path, Callable[[Path], None]], jobs: int = 1) -> list[Path]:
    """Each maker(temp) writes its target's content to a temp file beside it, `jobs` of them side by side; all
    are renamed only when every one succeeded, and no temp file (nor a folder made for them) is left whatever
    happens."""
    temps: dict[Path, Path] = {}
    current = None
    # Folders checked earlier but not made yet (media/, a --gif-dir): made only now that there is something to
    # put in them, and removed again if the outputs cannot all be written.
    made = [folder for folder in {target.parent for target in makers} if not folder.exists()]
    for folder in {written_path(target).parent for target in makers}:
        remove_stale_parts(folder)
    try:
        for folder in made:
            folder.mkdir()
        for current in makers:
            temps[current] = temp_beside(written_path(current))
        with ThreadPoolExecutor(jobs) as pool:  # the makers run ffmpeg: threads wait, processes work
            futures = {pool.submit(make, temps[target]): target for target, make in makers.items()}
            for future in futures:  # in order, so that the first target that failed is named
                current = futures[future]
                future.result()
        for current, temp in temps.items():
            os.replace(temp, written_path(current))
    except BaseException as error:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)
        if isinstance(error, OSError):
            raise OutputError(f"cannot write {current}: {error.strerror or error}") from None
        raise
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    return list(makers)


def publish_folder(target: Path, fill: Callable[[Path], None]) -> Path:
    """fill(temp) writes a folder's files into a temp folder beside `target`, which then replaces it whole."""
    check_folder(str(target), "folder")
    remove_stale_parts(target.parent)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name[:180]}.{os.getpid()}.", suffix=".part",
                                 dir=target.parent))
    old = None
    try:
        make_public(temp, folder=True)
        fill(temp)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name[:180]}.{os.getpid()}.", suffix=".part",
                                        dir=target.parent))
            os.replace(target, old)
        os.replace(temp, target)
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    return target


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
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=base))
    except OSError as error:
        raise OutputError(f"cannot make a work folder in {base}: {error.strerror or error}") from None
    try:
        yield folder
    except BrokenPipeError:
        raise
    except OSError as error:  # the run's own files (the Run, the job, frames): a full disk or a file-size limit
        raise OutputError(f"cannot write temporary files in {base}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
