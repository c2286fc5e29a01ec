"""A 2-D plane through a network's parameter space: the paths projected onto it and the loss sliced along it.

PCA (the default): the top two principal directions of every optimizer's θₜ − θ₀ together, orthonormal.
Random: two Gaussian directions, each filter (a neuron's incoming weights) scaled to the norm of that filter
in θ₀, biases left out (Li et al., 2018, "Visualizing the Loss Landscape of Neural Nets").
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from landscapes.networks import Network

from .programs import jitted

METHODS = ("pca", "random")
SLICE_BATCH = 64  # grid points evaluated together: their activations fit in the caches of a small machine
# The slice is only drawn: float32 (loss to ~1e-6 relative, far below a pixel) is twice as fast as float64. The
# paths' own losses stay float64.
SLICE_DTYPE = np.float32


@dataclass(frozen=True)
class Plane:
    """θ(a, b) = centre + a·d₁ + b·d₂ (directions (2, P)); coordinates of a point are its least-squares (a, b)."""

    method: str
    centre: np.ndarray  # (P,)
    directions: np.ndarray  # (2, P)

    def coordinates(self, offsets: np.ndarray) -> np.ndarray:
        """(…, 2) least-squares coefficients of offsets θ − centre (…, P) on the directions (Dᵀ… when orthonormal)."""
        gram = self.directions @ self.directions.T
        return np.linalg.solve(gram, (offsets @ self.directions.T)[..., None])[..., 0]

    def explained_variance(self, offsets: np.ndarray) -> float:
        """‖projection of the offsets onto the plane‖² / ‖offsets‖²: the share of the paths' variance it holds."""
        offsets = offsets.reshape(-1, offsets.shape[-1])
        total = float(np.sum(offsets**2))
        kept = self.coordinates(offsets) @ self.directions
        return float(np.sum(kept**2) / total) if total > 0 else 1.0


def pca_plane(centre: np.ndarray, paths: np.ndarray) -> Plane:
    """The top two right singular vectors of all paths' θₜ − θ₀, stacked (uncentred: the plane passes through θ₀)."""
    from scipy.sparse.linalg import svds

    offsets = paths.reshape(-1, paths.shape[-1]) - centre
    # Only the top two are needed: Lanczos iterations (matrix-vector products) instead of a full SVD, 20× faster.
    _, values, directions = svds(offsets, k=2, random_state=0)
    directions = directions[np.argsort(values)[::-1]]  # svds gives them smallest first: d₁ is the main one
    # Sign convention: the first path's end lies at positive coordinates (so the picture is the same each run).
    signs = np.sign(directions @ offsets[-1])
    directions = directions * np.where(signs == 0, 1.0, signs)[:, None]
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return Plane("pca", centre, directions)


def random_plane(centre: np.ndarray, network: Network, seed: int) -> Plane:
    """Two seeded Gaussian directions, filter-normalised to θ₀: ‖d_filter‖ = ‖θ₀_filter‖, biases 0."""
    rng = np.random.default_rng([seed, 2018])
    filters = network.filters()
    directions = rng.normal(size=(2, len(centre)))
    for d in directions:
        for f in np.unique(filters[filters >= 0]):
            mask = filters == f
            d[mask] *= np.linalg.norm(centre[mask]) / max(np.linalg.norm(d[mask]), 1e-300)
        d[filters < 0] = 0.0
    return Plane("random", centre, directions)


def fitted_window(xy: np.ndarray, margin: float = 0.3, aspect: float = 1.0) -> tuple[float, float, float, float]:
    """A box around the projected paths: a margin on each side, the short side at least `aspect` of the long one,
    its bounds rounded outwards to a tenth of the long side's order of magnitude (ticks read '−9' not '−8.59213')."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    long = span.max() * (1 + 2 * margin)
    half = np.maximum(span * (1 + 2 * margin), aspect * long) / 2
    mid = (lo + hi) / 2
    unit = 10.0 ** np.floor(np.log10(long)) / 10
    low, high = np.floor((mid - half) / unit) * unit, np.ceil((mid + half) / unit) * unit
    return float(low[0]), float(high[0]), float(low[1]), float(high[1])


def slice_grid(network: Network, plane: Plane, window, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The training loss on a size × size grid of the plane: z[j, i] = L(centre + xᵢ·d₁ + yⱼ·d₂)."""
    xmin, xmax, ymin, ymax = window
    xs, ys = np.linspace(xmin, xmax, size), np.linspace(ymin, ymax, size)
    gx, gy = np.meshgrid(xs, ys)
    split = network.data()

    def build():
        x, y = jnp.asarray(split.x_train, SLICE_DTYPE), jnp.asarray(split.y_train)

        def heights(points, centre, directions):
            return jax.lax.map(network.plane_loss(centre, directions, x, y), points, batch_size=SLICE_BATCH)

        return heights

    heights = jitted(("slice", split.name, network.sizes, size), build)
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    z = heights(*(np.asarray(a, SLICE_DTYPE) for a in (points, plane.centre, plane.directions)))
    return xs, ys, np.asarray(z, np.float64).reshape(size, size)
