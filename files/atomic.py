"""Write to a hidden temp file beside the target, then rename: a target is complete or absent, never partial.

Temp names carry the writer's pid (`.NAME.PID.XXXX.part.EXT`), so a later writer into the same folder can tell
the litter of a killed process from the work of a live one and remove only the former.
"""

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

PART = re.compile(r"^\..+\.(\d+)\.[^.]+\.part(\.\w+)?$")


def make_public(path: str | os.PathLike, folder: bool = False) -> None:
    """Give a temp file (or folder) the mode a normally created one would have (mkstemp makes it private)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if folder else 0o666) & ~umask)


def written_path(target: str | os.PathLike) -> Path:
    """The file a write to target lands in: a symbolic link is followed, so that it stays a link, to new content."""
    return Path(os.path.realpath(target)) if Path(target).is_symlink() else Path(target)


def temp_beside(target: str | os.PathLike) -> Path:
    """A new, empty, hidden temp file in the target's folder (same file system, so the rename is atomic)."""
    target = Path(target)
    # Long names: keep the temp name within NAME_MAX (255) whatever the target's length.
    stem = target.stem[:180]
    fd, name = tempfile.mkstemp(prefix=f".{stem}.{os.getpid()}.", suffix=f".part{target.suffix}",
                                dir=target.parent)
    os.close(fd)
    make_public(name)
    return Path(name)


def write_atomic(path: str | os.PathLike, write: Callable, mode: str = "wb") -> None:
    """Call write(file) on a temp file beside `path`, then rename it into place; on any failure remove it."""
    path = written_path(path)
    tmp = temp_beside(path)
    try:
        with open(tmp, mode) as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_parts(folder: str | os.PathLike) -> list[Path]:
    """Delete temp files in folder whose writer is gone (a SIGKILLed run); return what was removed."""
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = PART.match(entry.name)
        if match and not alive(int(match.group(1))):
            try:
                if entry.is_dir() and not entry.is_symlink():  # a folder being filled (--save-runs)
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
                removed.append(entry)
            except OSError:
                pass  # another writer removed it first, or the folder is read-only: nothing to tidy
    return removed
