"""Sutskever et al.'s (2013) form of Nesterov's accelerated gradient, which tracks θ rather than the look-ahead point.

v ← μv − η ∇f(θ + μv);  θ ← θ + v. optax's `sgd(nesterov=True)` is the same method written for φ = θ + μv.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax


class VelocityState(NamedTuple):
    velocity: optax.Updates  # v, in parameter units


def velocity(momentum: float) -> optax.GradientTransformation:
    """v ← μv + u; the update is v (u: the already scaled step −η_t g)."""

    def init(params):
        return VelocityState(jax.tree.map(jnp.zeros_like, params))

    def update(updates, state, params=None):
        v = jax.tree.map(lambda v, u: momentum * v + u, state.velocity, updates)
        return v, VelocityState(v)

    return optax.GradientTransformation(init, update)


def sutskever(learning_rate, momentum: float = 0.9) -> optax.GradientTransformation:
    """v ← μv − η g;  θ ← θ + v, with g taken at the look-ahead point (see `look_ahead`)."""
    return optax.chain(optax.scale_by_learning_rate(learning_rate), velocity(momentum))


def look_ahead(h, state, params):
    """θ + μv: where Sutskever's form takes its gradient."""
    return params + h["momentum"] * optax.tree_utils.tree_get(state, "velocity")
