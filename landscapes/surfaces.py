"""Analytic loss surfaces: pure JAX functions of params = [x, y] (and named surface parameters)."""

import jax.numpy as jnp


def saddle(p):
    """f = x² − y²."""
    x, y = p
    return x**2 - y**2


def two_holes(p):
    """f = 0.075(x² + y²/9) − 0.5·e^(−2(x² + y²)) − 0.75·e^(−4((x−1)² + (y−1)²))."""
    x, y = p
    bowl = 0.075 * x**2 + 0.075 * y**2 / 9
    shallow = 0.5 * jnp.exp(-2 * x**2) * jnp.exp(-2 * y**2)
    deep = 0.75 * jnp.exp(-4 * (x - 1) ** 2) * jnp.exp(-4 * (y - 1) ** 2)
    return bowl - shallow - deep


def abs_valley(p, a=1.0):
    """f = x² + a|y|."""
    x, y = p
    return x**2 + a * jnp.abs(y)


def ravine(p, kappa=10.0):
    """f = ½(x² + κy²): condition number κ."""
    x, y = p
    return 0.5 * (x**2 + kappa * y**2)


def rosenbrock(p):
    """f = (1 − x)² + 100(y − x²)²."""
    x, y = p
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def beale(p):
    """f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²."""
    x, y = p
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def himmelblau(p):
    """f = (x² + y − 11)² + (x + y² − 7)²."""
    x, y = p
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def rastrigin(p):
    """f = 20 + Σ(xᵢ² − 10 cos 2πxᵢ)."""
    return 20 + jnp.sum(p**2 - 10 * jnp.cos(2 * jnp.pi * p))


def ackley(p):
    """f = −20e^(−0.2√(0.5(x²+y²))) − e^(0.5(cos 2πx + cos 2πy)) + e + 20."""
    x, y = p
    r = jnp.sqrt(0.5 * (x**2 + y**2))
    waves = 0.5 * (jnp.cos(2 * jnp.pi * x) + jnp.cos(2 * jnp.pi * y))
    return -20 * jnp.exp(-0.2 * r) - jnp.exp(waves) + jnp.e + 20


def booth(p):
    """f = (x + 2y − 7)² + (2x + y − 5)²."""
    x, y = p
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def goldstein_price(p):
    """f = [1 + (x+y+1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]·[30 + (2x−3y)²(18 − 32x + 12x² + 48y − 36xy + 27y²)]."""
    x, y = p
    a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
    b = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)
    return a * b


def styblinski_tang(p):
    """f = ½Σ(xᵢ⁴ − 16xᵢ² + 5xᵢ)."""
    return 0.5 * jnp.sum(p**4 - 16 * p**2 + 5 * p)


def six_hump_camel(p):
    """f = (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²."""
    x, y = p
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2
