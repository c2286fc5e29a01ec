"""Small deterministic data sets for data landscapes (generated here, never downloaded)."""

import functools

import jax.numpy as jnp
import numpy as np

NUM_POINTS = 256
TRUE_W, TRUE_B, NOISE = 2.0, -1.0, 0.5


@functools.cache
def regression_data(num_points: int = NUM_POINTS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points (xᵢ, yᵢ) with yᵢ = 2xᵢ − 1 + 𝒩(0, 0.5²), xᵢ ~ U(0, 2); fixed seed, so always the same set."""
    rng = np.random.default_rng(seed)
    # x in [0, 2] (not centred) correlates w and b: the MSE bowl is a tilted, elongated valley.
    x = rng.uniform(0.0, 2.0, num_points)
    y = TRUE_W * x + TRUE_B + rng.normal(0.0, NOISE, num_points)
    return x, y


def least_squares_minimum() -> tuple[float, float, float]:
    """The exact minimiser (w*, b*) of the mean squared error and its value, by ordinary least squares."""
    x, y = regression_data()
    design = np.stack([x, np.ones_like(x)], axis=1)
    (w, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(w), float(b), float(np.mean((w * x + b - y) ** 2))


def squared_error(p, x, y):
    """Mean over the batch of (w·xᵢ + b − yᵢ)²; params p = [w, b]."""
    w, b = p
    return jnp.mean((w * x + b - y) ** 2)
