"""Network surfaces: training, the slice and the whole export, against what a competent JAX user would write.

    .venv/bin/python bench/networks.py

(a) Training: 9 optimizers × 300 full-batch steps on digits-mlp (2,410 weights, 1,437 images), warm.
    Ours: one jitted program, lax.scan over steps (`optimizers.training.train`). Baseline: the usual training
    loop, a jitted `step(θ, state)` (value_and_grad + optax update) called from Python once per step and
    optimizer, recording θ and the loss each step.
(b) The 101² slice of the training loss along the PCA plane, warm. Ours: the first layer's pre-activations
    precomputed (they are affine in the plane's coordinates), float32, batched. Baseline: the loss at
    θ₀ + a·d₁ + b·d₂ vmapped over the grid, float64, jitted. Target: >= 5,000 grid points per second.
(c) `render.py --surface digits-mlp --no-render --trajectory-out F.npz` (4 optimizers, 300 steps) in a fresh
    process, cold (an empty compilation cache) and warm. Target: <= 10 s cold.
Nothing asserts.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from landscapes import resolve_surface  # noqa: E402
from optimizers import engine, plane  # noqa: E402
from optimizers.registry import resolve_optimizers  # noqa: E402
from optimizers.training import train  # noqa: E402
from report import best_time, met, print_table  # noqa: E402

NINE = "gd,momentum,nesterov,adagrad,rmsprop,adadelta,adam,adamw,nadam"
STEPS = 300
GRID = 101


def loop_training(network, optimizers, theta0):
    """The per-step Python loop: one jitted step per optimizer, θ and the loss recorded each step."""
    split = network.data()
    x, y = jnp.asarray(split.x_train), jnp.asarray(split.y_train)
    value_and_grad = jax.value_and_grad(lambda t: network.loss(t, x, y))
    paths = []
    for opt in optimizers:
        tx = opt.info.factory(**opt.hyperparameters)

        @jax.jit
        def step(theta, state, tx=tx):
            loss, grad = value_and_grad(theta)
            update, state = tx.update(grad, state, theta)
            return theta + update, state, loss

        theta, state, thetas, losses = jnp.asarray(theta0), tx.init(jnp.asarray(theta0)), [], []
        for _ in range(STEPS):
            thetas.append(theta)
            theta, state, loss = step(theta, state)
            losses.append(loss)
        paths.append((np.asarray(jnp.stack(thetas)), np.asarray(jnp.stack(losses))))
    return paths


def plain_slice(network, chosen, window):
    """The loss at every grid point of the plane, vmapped and jitted, float64: what one writes first."""
    split = network.data()
    x, y = jnp.asarray(split.x_train), jnp.asarray(split.y_train)
    xs, ys = np.linspace(window[0], window[1], GRID), np.linspace(window[2], window[3], GRID)
    gx, gy = np.meshgrid(xs, ys)
    points = jnp.asarray(np.stack([gx.ravel(), gy.ravel()], 1))
    centre, directions = jnp.asarray(chosen.centre), jnp.asarray(chosen.directions)
    return jax.jit(jax.vmap(lambda ab: network.loss(centre + ab @ directions, x, y)))(points)


def export_seconds(cache: str) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "render.py"), "--surface", "digits-mlp", "--no-render", "-q",
                        "--steps", str(STEPS), "--trajectory-out", str(Path(out) / "t.npz")],
                       check=True, env={**os.environ, "LOSSCAPE_CACHE_DIR": cache})
        return time.perf_counter() - start


def main() -> int:
    engine.setup(cache=False)
    print(f"{os.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.2f}")
    surface = resolve_surface("digits-mlp")
    network = surface.network
    optimizers = resolve_optimizers([NINE], surface)
    theta0 = network.init(0)

    train(network, optimizers, STEPS)
    t_ours = best_time(lambda: train(network, optimizers, STEPS))
    loop_training(network, optimizers[:1], theta0)  # compile one step function (each optimizer compiles its own)
    t_loop = best_time(lambda: loop_training(network, optimizers, theta0), 2)
    steps = len(optimizers) * STEPS
    print_table(f"(a) Training, digits-mlp, {len(optimizers)} optimizers × {STEPS} steps, warm", [
        "method", "seconds", "steps/s", "vs loop"], [
        ["one program (lax.scan)", f"{t_ours:.2f}", f"{steps / t_ours:,.0f}", f"{t_loop / t_ours:.1f}× faster"],
        ["per-step Python loop (jitted step)", f"{t_loop:.2f}", f"{steps / t_loop:,.0f}", "1×"]])

    trained = train(network, optimizers, STEPS)
    chosen = plane.pca_plane(trained.theta[0, 0], trained.theta)
    xy = chosen.coordinates(trained.theta - trained.theta[0, 0])
    window = plane.fitted_window(xy.reshape(-1, 2))
    plane.slice_grid(network, chosen, window, GRID)
    t_slice = best_time(lambda: plane.slice_grid(network, chosen, window, GRID))
    plain_slice(network, chosen, window).block_until_ready()
    t_plain = best_time(lambda: plain_slice(network, chosen, window).block_until_ready())
    points = GRID * GRID
    t_pca = best_time(lambda: plane.pca_plane(trained.theta[0, 0], trained.theta))
    print_table(f"(b) The {GRID}² slice (and the PCA plane), warm", [
        "method", "seconds", "grid points/s", "target >= 5,000/s"], [
        ["first layer precomputed, float32", f"{t_slice:.2f}", f"{points / t_slice:,.0f}", met(points / t_slice >= 5000)],
        ["loss(θ₀ + a·d₁ + b·d₂) vmapped, float64", f"{t_plain:.2f}", f"{points / t_plain:,.0f}", ""],
        [f"PCA plane of {trained.theta.shape[0] * trained.theta.shape[1]:,} points in ℝ^{network.num_params:,} "
         "(sparse SVD)", f"{t_pca:.2f}", "", ""]])

    with tempfile.TemporaryDirectory() as cache:
        cold = export_seconds(cache)
        warm = min(export_seconds(cache) for _ in range(2))
    print_table("(c) `--no-render` export, digits-mlp, 4 optimizers × 300 steps, fresh process", [
        "cache", "seconds", "target <= 10 s cold"], [
        ["cold (empty compilation cache)", f"{cold:.2f}", met(cold <= 10)], ["warm", f"{warm:.2f}", ""]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
