"""Which Run a scene draws: the one named by the renderer, or the default race computed out of process."""

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
    default = Path(tempfile.gettempdir()) / "losscape-default-run.npz"
    if not default.exists():
        subprocess.run([sys.executable, str(ROOT / "render.py"), "--no-render", "--steps", "150", "--quiet",
                        "--trajectory-out", str(default)], check=True)
    return Run.load(default)
