"""Network training: every optimizer trains the whole network from one seeded θ₀, in one jitted program.

lax.scan over steps per optimizer, full batch or minibatches, as the 2-D engine does; the paths live in ℝᴾ
until plane.py projects them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from landscapes.networks import Network

from .programs import cached_program, gradient_oracle, split_hyperparameters
from .registry import Optimizer


@dataclass(frozen=True)
class Training:
    """Per optimizer: θ₀ … θ_T in ℝᴾ, the full training loss at each, the gradients used, and held-out accuracy."""

    theta: np.ndarray  # (O, T+1, P)
    loss: np.ndarray  # (O, T+1)
    grad: np.ndarray  # (O, T, P) the oracle's gradient at θₜ (minibatch and noise included)
    diverged_at: np.ndarray  # (O,) first step whose θ was not finite, −1 if never (θ frozen from there)
    test_accuracy: np.ndarray  # (O,) on the held-out split, at the final θ


def build_training(network: Network, optimizers: Sequence[Optimizer], num_steps: int, batch_size: int | None,
                   noisy: bool):
    """The jitted function (θ₀, hypers, seed, sigma) -> per optimizer (θ path, losses, grads, diverged_at, accuracy)."""
    split = network.data()
    x, y = jnp.asarray(split.x_train), jnp.asarray(split.y_train)
    x_test, y_test = jnp.asarray(split.x_test), jnp.asarray(split.y_test)
    full_loss = lambda theta: network.loss(theta, x, y)  # noqa: E731
    oracle = gradient_oracle(full_loss, network.loss, (x, y), batch_size, noisy)

    def make_path(opt: Optimizer):
        static, _ = split_hyperparameters(opt)

        def path(theta0, hyper, key, sigma):
            h = {**static, **hyper}
            tx = opt.transform(h, num_steps)
            at = opt.info.gradient_at or (lambda h, state, theta: theta)

            def step(carry, t):
                theta, state, diverged_at = carry
                grad = oracle(at(h, state, theta), jax.random.fold_in(key, t), sigma)
                update, state = tx.update(grad, state, theta)
                new = theta + update
                ok = jnp.all(jnp.isfinite(new))
                diverged_at = jnp.where((diverged_at < 0) & ~ok, t + 1, diverged_at)
                # A path that blows up is frozen at its last good point, as on a 2-D surface.
                return (jnp.where(diverged_at < 0, new, theta), state, diverged_at), (theta, full_loss(theta), grad)

            (final, _, diverged_at), (thetas, losses, grads) = jax.lax.scan(
                step, (theta0, tx.init(theta0), jnp.array(-1)), jnp.arange(num_steps))
            return (jnp.concatenate([thetas, final[None]]), jnp.append(losses, full_loss(final)), grads, diverged_at,
                    network.accuracy(final, x_test, y_test))

        return path

    paths = [make_path(opt) for opt in optimizers]

    @jax.jit
    def program(theta0, hypers, seed, sigma):
        # One key for every optimizer: stochastic runs compare optimizers on the same minibatches and noise.
        key = jax.random.PRNGKey(seed)
        return [p(theta0, h, key, sigma) for p, h in zip(paths, hypers)]

    return program


def train(network: Network, optimizers: Sequence[Optimizer], num_steps: int, *, noise: float = 0.0,
          batch_size: int | None = None, seed: int = 0) -> Training:
    """Train every optimizer from θ₀ = network.init(seed) for num_steps steps."""
    theta0 = network.init(seed)
    hypers = [{k: np.float64(opt.hyperparameters[k]) for k in split_hyperparameters(opt)[1]} for opt in optimizers]
    args = (theta0, hypers, np.uint32(seed), np.float64(noise))
    signature = ("network", network.data().name, network.sizes,
                 tuple(o.program_key(split_hyperparameters(o)[0]) for o in optimizers),
                 num_steps, batch_size, noise > 0)
    program = cached_program(signature, lambda: build_training(network, optimizers, num_steps, batch_size,
                                                               noise > 0), args)
    results = program(*args)
    theta, loss, grad, diverged_at, accuracy = (np.stack([np.asarray(r[i]) for r in results]) for i in range(5))
    return Training(theta, loss, grad, diverged_at, accuracy)
