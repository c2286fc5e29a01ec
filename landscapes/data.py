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


def logistic_loss(p, x, y):
    """Mean over the batch of log(1 + e^(w·xᵢ)) − yᵢ·w·xᵢ (cross-entropy of σ(w·xᵢ)); params p = [w₁, w₂]."""
    z = x @ p
    return jnp.mean(jnp.logaddexp(0.0, z) - y * z)


def logistic_minimum(x: np.ndarray, y: np.ndarray, iterations: int = 30) -> tuple[float, float, float]:
    """The exact minimiser of the logistic loss and its value, by Newton's method (the loss is strictly convex)."""
    w = np.zeros(2)
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-x @ w))
        hessian = (x * (p * (1 - p))[:, None]).T @ x / len(y)
        w = w - np.linalg.solve(hessian, x.T @ (p - y) / len(y))
    z = x @ w
    return float(w[0]), float(w[1]), float(np.mean(np.logaddexp(0.0, z) - y * z))
