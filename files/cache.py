"""The user's cache folder for losscape (compiled programs, formula outlines, contour images)."""

import os
import tempfile
from pathlib import Path


def cache_dir(name: str) -> Path:
    """$LOSSCAPE_CACHE_DIR/NAME, else $XDG_CACHE_HOME/losscape/NAME (~/.cache/losscape/NAME), made if missing.

    Caches live there rather than in the temp folder, so a render leaves the temp folder as it found it; only
    an unwritable home falls back to a shared folder in the temp folder. Raises OSError if neither works.
    """
    home_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    base = Path(os.environ.get("LOSSCAPE_CACHE_DIR") or home_cache / "losscape")
    for folder in (base / name, Path(tempfile.gettempdir()) / f"losscape-cache-{os.getuid()}" / name):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            continue
    raise OSError(f"no writable cache folder for {name}")
