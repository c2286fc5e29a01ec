"""The Run: plain NumPy arrays plus JSON-able metadata, the contract between the engine and the scenes."""

import json
import os
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Run:
    """Trajectories of O optimizers × S sweep values × K starts over T steps (NumPy only, no JAX).

    Per-step arrays have T entries: entry t is what moved params[t] to params[t + 1].
    """

    meta: dict[str, Any]
    params: np.ndarray  # (O, S, K, T+1, 2); only the last point (T+1 -> 1) in final-only runs
    loss: np.ndarray  # (O, S, K, T+1)
    grad: np.ndarray  # (O, S, K, T, 2) the oracle's gradient at params[t] (noise / minibatch included)
    update: np.ndarray  # (O, S, K, T, 2) params[t+1] − params[t]
    first_moment: np.ndarray  # (O, S, K, T, 2) velocity / first moment after step t, NaN if none
    second_moment: np.ndarray  # (O, S, K, T, 2) accumulator / second moment after step t, NaN if none
    step_size: np.ndarray  # (O, S, K, T, 2) effective per-parameter step size of step t
    diverged_at: np.ndarray  # (O, S, K) first step whose params were non-finite or far out; −1 if never
    grid_x: np.ndarray  # (n,) surface height grid, for drawing without JAX
    grid_y: np.ndarray  # (n,)
    grid_z: np.ndarray  # (n, n), grid_z[j, i] = f(grid_x[i], grid_y[j])

    @property
    def optimizer_names(self) -> list[str]:
        return [o["name"] for o in self.meta["optimizers"]]

    @property
    def num_steps(self) -> int:
        return int(self.meta["num_steps"])

    def save(self, path: str | os.PathLike) -> None:
        """Write `.npz` atomically (temp file beside the target, then rename)."""
        arrays = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "meta"}
        write_atomic(path, lambda f: np.savez_compressed(f, meta=json.dumps(self.meta), **arrays))

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Run":
        with np.load(path) as data:
            arrays = {f.name: data[f.name] for f in fields(cls) if f.name != "meta"}
            return cls(meta=json.loads(str(data["meta"])), **arrays)


def write_atomic(path: str | os.PathLike, write, mode: str = "wb") -> None:
    """Call write(file) on a temp file beside `path`, then rename it into place: never a partial target."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    try:
        with os.fdopen(fd, mode) as f:
            write(f)
        make_public(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_public(path: str | os.PathLike) -> None:
    """Give a temp file the mode a normally created file would have (mkstemp makes it private, 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)
