"""Multilayer perceptrons in plain JAX, their weights and biases as one flat vector θ ∈ ℝᴾ.

A network surface trains in all P dimensions; the engine then shows a 2-D plane through ℝᴾ (optimizers/plane.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np
import optax

from .datasets import Split
from .limits import check
from .spec import SpecError


@dataclass(frozen=True)
class Network:
    """An MLP inputs → tanh(hidden) → class logits on a data split; θ = [W₁, b₁, W₂, b₂] flattened."""

    data: Callable[[], Split]
    hidden: int

    @property
    def sizes(self) -> tuple[int, int, int]:
        split = self.data()
        return split.x_train.shape[1], self.hidden, split.num_classes

    @property
    def layers(self) -> list[tuple[int, int]]:
        """(fan_in, fan_out) of each dense layer."""
        n_in, n_hidden, n_out = self.sizes
        return [(n_in, n_hidden), (n_hidden, n_out)]

    @property
    def num_params(self) -> int:
        return sum(a * b + b for a, b in self.layers)

    def unflatten(self, theta) -> list[tuple]:
        """θ -> [(W₁, b₁), (W₂, b₂)], W of shape (fan_in, fan_out)."""
        out, at = [], 0
        for fan_in, fan_out in self.layers:
            w = theta[at: at + fan_in * fan_out].reshape(fan_in, fan_out)
            at += fan_in * fan_out
            out.append((w, theta[at: at + fan_out]))
            at += fan_out
        return out

    def logits(self, theta, x):
        """W₂ᵀ tanh(W₁ᵀx + b₁) + b₂ for each row x."""
        (w1, b1), (w2, b2) = self.unflatten(theta)
        return jnp.tanh(x @ w1 + b1) @ w2 + b2

    def loss(self, theta, x, y):
        """Mean cross-entropy −log softmax(logits)_y over the examples."""
        return jnp.mean(optax.losses.softmax_cross_entropy_with_integer_labels(self.logits(theta, x), y))

    def accuracy(self, theta, x, y):
        """Share of examples whose largest logit is their label."""
        return jnp.mean(jnp.argmax(self.logits(theta, x), axis=-1) == y)

    def plane_loss(self, centre, directions, x, y):
        """ab -> loss(centre + a·d₁ + b·d₂) on (x, y), with the first layer's pre-activations precomputed.

        They are affine in (a, b): x·W₁(a, b) + b₁(a, b) = P₀ + a·P₁ + b·P₂, so each point of a slice costs the
        tanh and the second layer only (a third of a forward pass on the digits).
        """
        layers = [self.unflatten(v) for v in (centre, *directions)]
        first = [x @ w + b for (w, b), _ in layers]

        def loss(ab):
            a, b = ab
            (w2, b2), (e1, f1), (e2, f2) = (second for _, second in layers)
            hidden = jnp.tanh(first[0] + a * first[1] + b * first[2])
            logits = hidden @ (w2 + a * e1 + b * e2) + (b2 + a * f1 + b * f2)
            return jnp.mean(optax.losses.softmax_cross_entropy_with_integer_labels(logits, y))

        return loss

    def init(self, seed: int) -> np.ndarray:
        """LeCun-normal weights, W ~ 𝒩(0, 1/fan_in) (unit-variance tanh inputs), zero biases; fixed by the seed."""
        rng = np.random.default_rng(seed)
        parts = []
        for fan_in, fan_out in self.layers:
            parts += [rng.normal(0.0, 1.0 / np.sqrt(fan_in), fan_in * fan_out), np.zeros(fan_out)]
        return np.concatenate(parts)

    def filters(self) -> np.ndarray:
        """Per entry of θ, the filter (neuron) whose incoming weight it is, or −1 for a bias (Li et al., 2018)."""
        parts, first = [], 0
        for fan_in, fan_out in self.layers:
            parts += [np.tile(first + np.arange(fan_out), fan_in), np.full(fan_out, -1)]
            first += fan_out
        return np.concatenate(parts)


def mlp(data: Callable[[], Split]) -> Callable[..., Network]:
    """The factory a surface entry keeps: (hidden=…) -> Network, with hidden checked to be a whole number."""

    def build(hidden: float) -> Network:
        if hidden != int(hidden):
            raise SpecError(f"hidden must be a whole number of units, got {hidden:g}")
        check("hidden", hidden, "hidden")
        return Network(data, int(hidden))

    return build
