"""Where things go on screen: a Run's parameter space and heights mapped to scene coordinates (NumPy only)."""

from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps

from .theme import current

SURFACE_WIDTH = 6.4  # scene units spanned by the longer side of the domain
SURFACE_HEIGHT = 2.6  # scene units spanned by the displayed height range
LIFT = 0.035  # paths float this far above the surface, enough to avoid z-fighting
# Basin maps: a hue per minimum (Okabe–Ito, told apart with any colour vision), shaded darker the longer a start
# took; the slowest keeps DARKEST of its brightness. Neutral: diverged or no minimum (pending, not there yet, is
# the theme's).
MINIMUM_HUES = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#0072B2", "#D55E00")
NEUTRAL, DARKEST = "#6B6B6B", 0.45


@dataclass(frozen=True)
class Stage:
    """Maps (x, y, loss) to 3D scene points and 2D map points, with the height shown clipped/log-scaled."""

    domain: tuple[float, float, float, float]
    z_lo: float
    z_hi: float
    log_floor: float | None  # f_min when heights are shown as log10(1 + f − f_min)

    @classmethod
    def from_run(cls, run) -> "Stage":
        surface = run.meta.surface
        z = run.grid_z[np.isfinite(run.grid_z)]
        log_floor = float(z.min()) if surface.log_height else None
        if surface.z_range:
            lo, hi = surface.z_range
        elif log_floor is not None:
            lo, hi = 0.0, float(np.log10(1 + z.max() - log_floor))
        else:
            # Robust range: a user expression may shoot up at the border; don't let it flatten the rest.
            q_lo, q_hi = np.quantile(z, [0.0, 0.99])
            lo, hi = float(q_lo), float(min(z.max(), q_hi + 0.25 * (q_hi - q_lo)))
        return cls(tuple(surface.domain), float(lo), float(hi if hi > lo else lo + 1.0), log_floor)

    @property
    def scale(self) -> float:
        xmin, xmax, ymin, ymax = self.domain
        return SURFACE_WIDTH / max(xmax - xmin, ymax - ymin)

    def height(self, f) -> np.ndarray:
        """Displayed height in [0, 1]: clipped to the view range (log-scaled for steep surfaces)."""
        f = np.asarray(f, dtype=float)
        if self.log_floor is not None:
            f = np.log10(1 + np.maximum(f - self.log_floor, 0))
        return np.clip((f - self.z_lo) / (self.z_hi - self.z_lo), 0.0, 1.0)

    def to_3d(self, x, y, f, lift: float = 0.0) -> np.ndarray:
        """Scene points (N, 3) of parameter points on the surface, lifted along z."""
        xmin, xmax, ymin, ymax = self.domain
        s = self.scale
        x, y = np.asarray(x, float), np.asarray(y, float)
        z = (self.height(f) - 0.5) * SURFACE_HEIGHT + lift
        return np.stack([(x - (xmin + xmax) / 2) * s, (y - (ymin + ymax) / 2) * s, z], axis=-1)

    def to_map(self, x, y, size: float) -> np.ndarray:
        """Points (N, 3) on a flat map whose longer side is `size` units, centred at the origin."""
        xmin, xmax, ymin, ymax = self.domain
        s = size / max(xmax - xmin, ymax - ymin)
        x, y = np.asarray(x, float), np.asarray(y, float)
        return np.stack([(x - (xmin + xmax) / 2) * s, (y - (ymin + ymax) / 2) * s, np.zeros_like(x)], axis=-1)

    def inside(self, x, y) -> np.ndarray:
        xmin, xmax, ymin, ymax = self.domain
        return (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)

    def colors(self, f) -> np.ndarray:
        """RGBA (N, 4) of the theme's height colormap: lo + (hi − lo)·height over its colour range (lo, hi)."""
        lo, hi = current().color_range
        return colormaps[current().colormap](lo + (hi - lo) * self.height(f))


def visible_length(stage: Stage, path: np.ndarray, diverged_at: int) -> int:
    """Number of leading points of a path to draw: up to divergence or the first step off the map."""
    n = len(path) if diverged_at < 0 else diverged_at
    outside = ~stage.inside(path[:n, 0], path[:n, 1])
    return int(np.argmax(outside)) if outside.any() else n


def is_log_loss(losses: np.ndarray) -> bool:
    """Loss-vs-step on a log axis when the finite, positive losses span more than two decades."""
    finite = losses[np.isfinite(losses)]
    return finite.size > 0 and finite.min() > 0 and finite.max() / finite.min() > 100
