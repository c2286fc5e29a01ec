"""Where runs end, in NumPy: the minimum each start reached, learning-rate robustness, grids of configurations.

The CLI computes these from the engine's final points; the scenes only draw the saved results (no JAX here).
"""

import json
import os
from dataclasses import asdict, dataclass

import numpy as np

from files.atomic import write_atomic

REACH = 0.02  # a final point within this share of the domain's span of a minimum has reached it
SETTLE = 1e-4  # a step shorter than this share of the span counts as standing still
NONE, DIVERGED = -1, -2  # classes of a start that reached no minimum, or diverged
MAX_CLUSTERS = 7  # an expression's final points are grouped into at most this many minima (the rest: none)


def classify(points: np.ndarray, minima: np.ndarray, radius: float) -> np.ndarray:
    """Index of the minimum within `radius` of each point (the nearest if several), else NONE; NaN -> NONE."""
    if not len(minima):
        return np.full(points.shape[:-1], NONE)
    distance = np.linalg.norm(points[..., None, :] - minima, axis=-1)
    nearest = np.nanargmin(np.where(np.isnan(distance), np.inf, distance), axis=-1)
    close = np.take_along_axis(distance, nearest[..., None], axis=-1)[..., 0] <= radius
    return np.where(close, nearest, NONE)


def cluster(points: np.ndarray, losses: np.ndarray, radius: float) -> np.ndarray:
    """Minima found from final points (for surfaces with none documented): greedy, lowest loss first.

    Each centre is the lowest-loss point not yet within `radius` of a centre; returns (M, 3) rows x, y, f,
    sorted by f, at most MAX_CLUSTERS of them.
    """
    ok = np.isfinite(points).all(axis=-1) & np.isfinite(losses)
    pts, f = points[ok], losses[ok]
    order = np.argsort(f, kind="stable")
    pts, f = pts[order], f[order]
    free = np.ones(len(pts), bool)
    centres = []
    while free.any() and len(centres) < MAX_CLUSTERS:
        i = int(np.argmax(free))  # the lowest-loss point still unassigned
        centres.append((*pts[i], f[i]))
        free &= np.linalg.norm(pts - pts[i], axis=-1) > radius
    return np.array(centres, float).reshape(-1, 3)


def robust_range(rates: np.ndarray, converged: np.ndarray) -> tuple[float, float] | None:
    """The widest run of consecutive (sorted) rates that all converged: (lowest, highest), or None."""
    best, start = None, None
    for i, ok in enumerate([*converged, False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            if best is None or i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return None if best is None else (float(rates[best[0]]), float(rates[best[1] - 1]))


def start_grid(domain, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """xs (n,), ys (n,) and the n² starts (row-major: y outer, x inner) of an n × n grid over the domain."""
    xmin, xmax, ymin, ymax = domain
    xs, ys = np.linspace(xmin, xmax, n), np.linspace(ymin, ymax, n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=1)


def tuples(value):
    """JSON lists back to the tuples a frozen dataclass holds."""
    return tuple(tuples(v) for v in value) if isinstance(value, list) else value


class Saved:
    """A frozen dataclass of NumPy arrays and plain values, saved as one .npz (arrays + JSON)."""

    def save(self, path: str | os.PathLike) -> None:
        fields = asdict(self)
        arrays = {k: v for k, v in fields.items() if isinstance(v, np.ndarray)}
        meta = json.dumps({k: v for k, v in fields.items() if k not in arrays})
        write_atomic(path, lambda f: np.savez_compressed(f, meta=meta, **arrays))

    @classmethod
    def load(cls, path: str | os.PathLike):
        with np.load(path) as data:
            values = {k: tuples(v) for k, v in json.loads(str(data["meta"])).items()}
            return cls(**values, **{k: data[k] for k in data.files if k != "meta"})


@dataclass(frozen=True)
class Basins(Saved):
    """Per optimizer, which minimum each start of an n × n grid reached and how many steps it took."""

    names: tuple[str, ...]
    titles: tuple[str, ...]
    colors: tuple[str, ...]
    minima: tuple[tuple[float, float, float], ...]  # x, y, f of each class, in the surface's documented order
    is_global: tuple[bool, ...]
    documented: bool  # False: the minima are clusters of final points (an expression)
    num_steps: int
    xs: np.ndarray  # (n,)
    ys: np.ndarray  # (n,)
    reached: np.ndarray  # (O, n, n) class per start (row j: ys[j]), NONE or DIVERGED
    steps: np.ndarray  # (O, n, n) steps to converge, −1 if never
    frames: np.ndarray  # (O, F, n, n) class reached by each frame's step (NONE: not yet), or (O, 0, n, n)
    frame_steps: np.ndarray  # (F,)

    def share_global(self, o: int) -> float:
        """The share of starts whose path reached a global minimum."""
        hits = np.isin(self.reached[o], [i for i, g in enumerate(self.is_global) if g])
        return float(hits.mean())


@dataclass(frozen=True)
class RateSweep(Saved):
    """Final loss against learning rate per optimizer, with the range of rates that reach the global minimum."""

    names: tuple[str, ...]
    titles: tuple[str, ...]
    colors: tuple[str, ...]
    f_star: float  # the global minimum's loss
    tolerance: float  # converged: final loss within this of f_star
    rates: np.ndarray  # (R,)
    final_loss: np.ndarray  # (O, R), the last good point's loss for a run that diverged
    diverged_at: np.ndarray  # (O, R), −1 if never
    converged: np.ndarray  # (O, R) bool
    fan_rates: np.ndarray  # (F,) the rates whose paths the animation draws

    def robust(self, o: int) -> tuple[float, float] | None:
        return robust_range(self.rates, self.converged[o])
