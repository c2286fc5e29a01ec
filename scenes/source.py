"""Which Run a scene draws: the one named by the renderer, or the default race computed out of process."""

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from optimizers.run import Run

ROOT = Path(__file__).resolve().parent.parent
RUN_VARIABLE = "LOSSCAPE_RUN"


def load_run(path: str | None = None) -> Run:
    """The Run at `path` or $LOSSCAPE_RUN; else the default race (computed by render.py, so no JAX here)."""
    path = path or os.environ.get(RUN_VARIABLE)
    if path:
        return Run.load(path)
    # Named after the code that computes it, so a changed engine or default never shows a stale run.
    sources = b"".join(p.read_bytes() for d in ("landscapes", "optimizers") for p in sorted((ROOT / d).glob("*.py")))
    version = hashlib.sha256(sources + (ROOT / "render.py").read_bytes()).hexdigest()[:12]
    default = Path(tempfile.gettempdir()) / f"losscape-default-run-{version}.npz"
    if not default.exists():
        subprocess.run([sys.executable, str(ROOT / "render.py"), "--no-render", "--steps", "150", "--quiet",
                        "--trajectory-out", str(default)], check=True)
    return Run.load(default)
