"""What a caption says, as a predicate over the Runs it is drawn from (NumPy only), so a false story cannot ship.

A Claim pairs the words on screen with a check; the facts below are the vocabulary checks are written in.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from optimizers.run import Run

Runs = Mapping[str, Run]


@dataclass(frozen=True)
class Claim:
    """The words a caption (or the README) says, and the predicate over the Runs that makes them true."""

    text: str
    holds: Callable[[Runs], bool]

    def check(self, runs: Runs) -> bool:
        return bool(self.holds(runs))


def path(run: Run, optimizer: str, sweep: int = 0, start: int = 0) -> np.ndarray:
    """Points (n, 2) of one path up to its divergence (all T+1 if it never diverged)."""
    xy = run.params[run.optimizer_names.index(optimizer), sweep, start]
    d = int(run.diverged_at[run.optimizer_names.index(optimizer), sweep, start])
    return xy if d < 0 else xy[:d]


def state(run: Run, field: str, optimizer: str, sweep: int = 0, start: int = 0) -> np.ndarray:
    """A recorded per-step array of one path: 'grad', 'update', 'first_moment', 'second_moment', 'step_size'."""
    return getattr(run, field)[run.optimizer_names.index(optimizer), sweep, start]


def minimum(run: Run, kind: str) -> np.ndarray:
    """(x, y) of the surface's first known stationary point of this kind: 'global', 'local' or 'saddle'."""
    m = next(m for m in run.meta.surface.minima if m.kind == kind)
    return np.array([m.x, m.y])


def closest_approach(xy: np.ndarray, point: np.ndarray) -> float:
    """min_t |θ_t − p|."""
    return float(np.linalg.norm(xy - point, axis=1).min())


def ends_near(xy: np.ndarray, point: np.ndarray, tolerance: float = 0.05) -> bool:
    """|θ_T − p| < tolerance."""
    return bool(np.linalg.norm(xy[-1] - point) < tolerance)


def ends_within(run: Run, point: np.ndarray, tolerance: float) -> np.ndarray:
    """Per path (optimizer, sweep, start): |θ_T − p| < tolerance."""
    return np.linalg.norm(run.params[:, :, :, -1] - point, axis=-1) < tolerance


def sign_flips(values: np.ndarray, floor: float = 0.0) -> int:
    """How often a coordinate swings across zero: sign changes of v_t among the steps with |v_t| > floor."""
    v = values[np.abs(values) > floor]  # swings smaller than the floor are not visible
    return int(np.sum(v[:-1] * v[1:] < 0))


def total_variation(xy: np.ndarray) -> float:
    """Σ_t |θ_{t+1} − θ_t|: the length of the path."""
    return float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum())


def overshoot(xy: np.ndarray, point: np.ndarray) -> float:
    """How far the path goes past the point along its start direction: max_t −(θ_t − p)·u, u = (θ_0 − p)/|θ_0 − p|."""
    u = (xy[0] - point) / np.linalg.norm(xy[0] - point)
    return float(max(0.0, -((xy - point) @ u).min()))


def first_step_where(mask: np.ndarray) -> int:
    """The first step where the mask holds; len(mask) (never) if it does not."""
    return int(np.argmax(mask)) if mask.any() else len(mask)


def non_increasing(values: np.ndarray, tolerance: float = 1e-12) -> bool:
    """v_{t+1} ≤ v_t for every t (per column)."""
    return bool(np.all(np.diff(values, axis=0) <= tolerance))
