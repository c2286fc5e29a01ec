"""The user's cache folder for losscape (compiled programs, formula outlines, contour images).

A cache only saves time, so it never fails a run: an unwritable home, a full disk or a file-size limit means
no cache (or a file made where the run keeps its temporary files), never an error.
"""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .atomic import write_atomic


def cache_dir(name: str) -> Path | None:
    """$LOSSCAPE_CACHE_DIR/NAME, else $XDG_CACHE_HOME/losscape/NAME (~/.cache/losscape/NAME), made if missing;
    None where it cannot be made or written."""
    home_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = Path(os.environ.get("LOSSCAPE_CACHE_DIR") or home_cache / "losscape") / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def cached_file(kind: str, name: str, write: Callable) -> Path:
    """The file NAME in the KIND cache, made by write(binary file) if missing; where the cache cannot take it,
    a copy in the temp folder (the render process points that at its job's folder, which goes with the job)."""
    folder = cache_dir(kind)
    if folder is not None:
        path = folder / name
        if path.exists():
            return path
        try:
            write_atomic(path, write)
            return path
        except OSError:
            pass
    scratch = Path(tempfile.gettempdir()) / kind
    scratch.mkdir(exist_ok=True)
    path = scratch / name
    if not path.exists():
        write_atomic(path, write)
    return path
