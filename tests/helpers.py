"""The registries' parametrization and independent NumPy reference rules, in one place.

Every test that should cover "each surface" or "each optimizer" is parametrized over `SURFACE_NAMES` or
`OPTIMIZER_NAMES`, so adding a registry entry adds its tests. Each named optimizer also needs a textbook
reference rule here, written from its paper and from the equation that `optimizers/equations.py` shows on
screen (NumPy only: never optax, never the project's code); a test fails when an optimizer has none.

A rule is `rule(hyper) -> Rule(init, step)` with `init(params) -> state` and
`step(grad, state, params) -> (new_params, state)`; `state` is a dict named after the equation's symbols
(`v` velocity, `G` accumulator, `m`/`v` moments, `t` step count, ...), so tests can compare recorded state.

Also the one process helper tests that signal a CLI share: `DEFAULT_SIGINT`.
"""

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

from landscapes import LANDSCAPES
from optimizers.registry import OPTIMIZERS

SURFACE_NAMES = [name for name, land in LANDSCAPES.items() if land.network is None]  # two parameters
NETWORK_NAMES = [name for name, land in LANDSCAPES.items() if land.network is not None]  # trained, then sliced
OPTIMIZER_NAMES = list(OPTIMIZERS)

# Non-default hyperparameters per optimizer (every value differs from its default), for the equivalence tests.
NON_DEFAULT_SPECS = {
    "gd": "gd:lr=0.1",
    "sgd": "sgd:learning_rate=0.3",
    "momentum": "momentum:momentum=0.5",
    "nesterov": "nesterov:momentum=0.7,lr=0.05",
    "adagrad": "adagrad:initial_accumulator_value=0.1,eps=1e-4,lr=0.5",
    "adadelta": "adadelta:rho=0.9,eps=1e-4,lr=0.5",
    "rmsprop": "rmsprop:decay=0.5,eps=1e-4",
    "adam": "adam:b1=0.8",
    "adamw": "adamw:weight_decay=0.1,b2=0.99",
    "nadam": "nadam:b1=0.8,b2=0.99,eps=1e-6",
    "amsgrad": "amsgrad:b2=0.9,lr=0.1",
    "adabelief": "adabelief:eps=1e-8,eps_root=1e-10,b1=0.7",
    "lion": "lion:b1=0.8,b2=0.95,weight_decay=0.1,lr=0.01",
}

# The defaults the papers give (learning rates are per surface unless fixed by the method).
TEXTBOOK_DEFAULTS = {
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "adagrad": {"initial_accumulator_value": 0.0},
    "adadelta": {"learning_rate": 1.0, "rho": 0.95, "eps": 1e-6},
    "rmsprop": {"decay": 0.9},
    "adam": {"b1": 0.9, "b2": 0.999, "eps": 1e-8},
    "adamw": {"b1": 0.9, "b2": 0.999, "eps": 1e-8},
    "nadam": {"b1": 0.9, "b2": 0.999, "eps": 1e-8},
    "amsgrad": {"b1": 0.9, "b2": 0.999, "eps": 1e-8},
    "adabelief": {"b1": 0.9, "b2": 0.999, "eps": 1e-16, "eps_root": 1e-16},
    "lion": {"b1": 0.9, "b2": 0.99},
}

Hyper = Mapping[str, float]
State = dict[str, np.ndarray]


class Rule(NamedTuple):
    init: Callable[[np.ndarray], State]
    step: Callable[[np.ndarray, State, np.ndarray], tuple[np.ndarray, State]]


def _zeros(p):
    return np.zeros_like(np.asarray(p, dtype=np.float64))


def gd(h: Hyper) -> Rule:
    """Cauchy: θ ← θ − η g."""
    lr = h["learning_rate"]
    return Rule(lambda p: {}, lambda g, s, p: (p - lr * g, {}))


def momentum(h: Hyper) -> Rule:
    """Polyak's heavy ball in trace form: v ← βv + g; θ ← θ − η v."""
    lr, beta = h["learning_rate"], h["momentum"]

    def step(g, s, p):
        v = beta * s["v"] + g
        return p - lr * v, {"v": v}

    return Rule(lambda p: {"v": _zeros(p)}, step)


def nesterov(h: Hyper) -> Rule:
    """Sutskever's NAG on the look-ahead point: v ← βv + g; θ ← θ − η (g + βv)."""
    lr, beta = h["learning_rate"], h["momentum"]

    def step(g, s, p):
        v = beta * s["v"] + g
        return p - lr * (g + beta * v), {"v": v}

    return Rule(lambda p: {"v": _zeros(p)}, step)


def adagrad(h: Hyper) -> Rule:
    """Duchi et al.: G ← G + g²; θ ← θ − η g/√(G + ε), G₀ = initial_accumulator_value."""
    lr, eps, g0 = h["learning_rate"], h["eps"], h["initial_accumulator_value"]

    def step(g, s, p):
        G = s["G"] + g**2
        return p - lr * g / np.sqrt(G + eps), {"G": G}

    return Rule(lambda p: {"G": _zeros(p) + g0}, step)


def adadelta(h: Hyper) -> Rule:
    """Zeiler: s ← ρs + (1−ρ)g²; Δ = √(u+ε)/√(s+ε)·g; u ← ρu + (1−ρ)Δ²; θ ← θ − η Δ."""
    lr, rho, eps = h["learning_rate"], h["rho"], h["eps"]

    def step(g, st, p):
        s = rho * st["s"] + (1 - rho) * g**2
        delta = np.sqrt(st["u"] + eps) / np.sqrt(s + eps) * g
        u = rho * st["u"] + (1 - rho) * delta**2
        return p - lr * delta, {"s": s, "u": u}

    return Rule(lambda p: {"s": _zeros(p), "u": _zeros(p)}, step)


def rmsprop(h: Hyper) -> Rule:
    """Hinton's lecture 6e: s ← ρs + (1−ρ)g²; θ ← θ − η g/√(s + ε)."""
    lr, rho, eps = h["learning_rate"], h["decay"], h["eps"]

    def step(g, st, p):
        s = rho * st["s"] + (1 - rho) * g**2
        return p - lr * g / np.sqrt(s + eps), {"s": s}

    return Rule(lambda p: {"s": _zeros(p)}, step)


def _adam_like(h: Hyper, *, weight_decay: float = 0.0, nesterov: bool = False, ams: bool = False) -> Rule:
    """Kingma & Ba, and the variants that change m̂, v̂ or add decoupled weight decay."""
    lr, b1, b2, eps = h["learning_rate"], h["b1"], h["b2"], h["eps"]

    def init(p):
        return {"m": _zeros(p), "v": _zeros(p), "v_max": _zeros(p), "t": 0}

    def step(g, s, p):
        t = s["t"] + 1
        m = b1 * s["m"] + (1 - b1) * g
        v = b2 * s["v"] + (1 - b2) * g**2
        if nesterov:  # Dozat: m̂ = β₁m/(1−β₁^(t+1)) + (1−β₁)g/(1−β₁^t)
            m_hat = b1 * m / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1**t)
        else:
            m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        v_max = np.maximum(s["v_max"], v_hat)
        denom = np.sqrt(v_max if ams else v_hat) + eps
        new = p - lr * (m_hat / denom + weight_decay * p)
        return new, {"m": m, "v": v, "v_hat": v_hat, "v_max": v_max, "t": t}

    return Rule(init, step)


def adam(h: Hyper) -> Rule:
    """m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; m̂ = m/(1−β₁ᵗ); v̂ = v/(1−β₂ᵗ); θ ← θ − η m̂/(√v̂ + ε)."""
    return _adam_like(h)


def adamw(h: Hyper) -> Rule:
    """Loshchilov & Hutter: Adam with θ ← θ − η (m̂/(√v̂ + ε) + λθ)."""
    return _adam_like(h, weight_decay=h["weight_decay"])


def nadam(h: Hyper) -> Rule:
    """Dozat: Adam with the Nesterov-corrected m̂."""
    return _adam_like(h, nesterov=True)


def amsgrad(h: Hyper) -> Rule:
    """Reddi et al.: v̂max ← max(v̂max, v/(1−β₂ᵗ)); θ ← θ − η m̂/(√v̂max + ε)."""
    return _adam_like(h, ams=True)


def adabelief(h: Hyper) -> Rule:
    """Zhuang et al.: m ← β₁m + (1−β₁)g; s ← β₂s + (1−β₂)(g − m)² + ε_root (m updated); Adam's step on ŝ."""
    lr, b1, b2, eps, eps_root = h["learning_rate"], h["b1"], h["b2"], h["eps"], h["eps_root"]

    def step(g, st, p):
        t = st["t"] + 1
        m = b1 * st["m"] + (1 - b1) * g
        s = b2 * st["s"] + (1 - b2) * (g - m) ** 2 + eps_root
        m_hat, s_hat = m / (1 - b1**t), s / (1 - b2**t)
        return p - lr * m_hat / (np.sqrt(s_hat) + eps), {"m": m, "s": s, "t": t}

    return Rule(lambda p: {"m": _zeros(p), "s": _zeros(p), "t": 0}, step)


def lion(h: Hyper) -> Rule:
    """Chen et al.: c = sign(β₁m + (1−β₁)g); m ← β₂m + (1−β₂)g; θ ← θ − η (c + λθ)."""
    lr, b1, b2, wd = h["learning_rate"], h["b1"], h["b2"], h["weight_decay"]

    def step(g, st, p):
        c = np.sign(b1 * st["m"] + (1 - b1) * g)
        m = b2 * st["m"] + (1 - b2) * g
        return p - lr * (c + wd * p), {"m": m}

    return Rule(lambda p: {"m": _zeros(p)}, step)


REFERENCE_RULES: dict[str, Callable[[Hyper], Rule]] = {
    "gd": gd,
    "sgd": gd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "adadelta": adadelta,
    "rmsprop": rmsprop,
    "adam": adam,
    "adamw": adamw,
    "nadam": nadam,
    "amsgrad": amsgrad,
    "adabelief": adabelief,
    "lion": lion,
}


def reference_path(name: str, hyper: Hyper, grad: Callable[[np.ndarray], np.ndarray], start,
                   num_steps: int) -> tuple[np.ndarray, list[State]]:
    """Drive `REFERENCE_RULES[name]` with an exact gradient: the (T+1, 2) path and the state after each step."""
    init, step = REFERENCE_RULES[name](hyper)
    params = np.asarray(start, dtype=np.float64)
    state = init(params)
    path, states = [params], []
    for _ in range(num_steps):
        params, state = step(grad(params), state, params)
        path.append(params)
        states.append(state)
    return np.array(path), states


# --- every registered surface written again in NumPy (x, y arrays; surface parameters as keywords) -------

def _linear_regression(w, b):
    from landscapes.data import regression_data

    xs, ys = regression_data()
    w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.mean((w[..., None] * xs + b[..., None] - ys) ** 2, axis=-1)


def _logistic_regression(w1, w2):
    """Mean of log(1 + e^z) − y·z, z = w₁·radius + w₂·texture, on the standardized breast-cancer features."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    names = list(data.feature_names)
    x = data.data[:, [names.index("mean radius"), names.index("mean texture")]]
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    z = np.asarray(w1)[..., None] * x[:, 0] + np.asarray(w2)[..., None] * x[:, 1]
    return np.mean(np.logaddexp(0.0, z) - data.target * z, axis=-1)


NUMPY_SURFACES: dict[str, Callable[..., np.ndarray]] = {
    "two-holes": lambda x, y: (0.075 * x**2 + 0.075 * y**2 / 9 - 0.5 * np.exp(-2 * x**2) * np.exp(-2 * y**2)
                               - 0.75 * np.exp(-4 * (x - 1) ** 2) * np.exp(-4 * (y - 1) ** 2)),
    "saddle": lambda x, y: x**2 - y**2,
    "abs-valley": lambda x, y, a=1.0: x**2 + a * np.abs(y),
    "ravine": lambda x, y, kappa=10.0: 0.5 * (x**2 + kappa * y**2),
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "rastrigin": lambda x, y: 20 + (x**2 - 10 * np.cos(2 * np.pi * x)) + (y**2 - 10 * np.cos(2 * np.pi * y)),
    "ackley": lambda x, y: (-20 * np.exp(-0.2 * np.sqrt(0.5 * (x**2 + y**2)))
                            - np.exp(0.5 * (np.cos(2 * np.pi * x) + np.cos(2 * np.pi * y))) + np.e + 20),
    "booth": lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
    "goldstein-price": lambda x, y: (
        (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2))
        * (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2))),
    "styblinski-tang": lambda x, y: 0.5 * ((x**4 - 16 * x**2 + 5 * x) + (y**4 - 16 * y**2 + 5 * y)),
    "six-hump-camel": lambda x, y: (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2,
    "linear-regression": _linear_regression,
    "logistic-2d": _logistic_regression,
}


def numerical_grad(f: Callable[..., np.ndarray], params, rel: float = 1e-6) -> np.ndarray:
    """Central differences of f(x, y): accurate to ~1e-8 relative, enough to steer a reference rule."""
    x, y = np.asarray(params, dtype=np.float64)  # NumPy scalars: overflow gives inf, not OverflowError
    hx, hy = rel * np.maximum(1.0, np.abs(x)), rel * np.maximum(1.0, np.abs(y))
    return np.array([(f(x + hx, y) - f(x - hx, y)) / (2 * hx), (f(x, y + hy) - f(x, y - hy)) / (2 * hy)])


# --- the shared run: every optimizer, default and non-default, on one convex ravine (tests/conftest.py) ----

RAVINE = "ravine:kappa=3"  # ½(x² + 3y²): convex, condition number 3


def ravine_grad(params) -> np.ndarray:
    """∇½(x² + 3y²) = (x, 3y), by hand."""
    return np.array([params[0], 3.0 * params[1]])


def two_holes_grad(params) -> np.ndarray:
    """∇ of 0.075x² + 0.075y²/9 − 0.5e^(−2x²−2y²) − 0.75e^(−4(x−1)²−4(y−1)²), by hand."""
    x, y = params
    shallow = np.exp(-2 * x**2 - 2 * y**2)
    deep = np.exp(-4 * (x - 1) ** 2 - 4 * (y - 1) ** 2)
    return np.array([0.15 * x + 2 * x * shallow + 6 * (x - 1) * deep,
                     0.15 * y / 9 + 2 * y * shallow + 6 * (y - 1) * deep])


RAVINE_STARTS = [(-2.7, 1.0), (2.4, -0.45), (-1.8, 1.05)]
RAVINE_SPECS = [*OPTIMIZER_NAMES, *NON_DEFAULT_SPECS.values()]
RAVINE_STEPS = 800


def assert_spec_error(resolve, spec: str, words) -> None:
    """resolve(spec) raises a SpecError whose message is one line containing every word."""
    import pytest

    from landscapes import SpecError

    with pytest.raises(SpecError) as error:
        resolve(spec)
    message = str(error.value)
    assert "\n" not in message
    for word in words:
        assert word in message, (spec, message)


# `python -c DEFAULT_SIGINT script args`: runs the script with SIGINT at its default disposition. A test suite started
# in the background (`make test &`) inherits SIGINT ignored, and Python then installs no KeyboardInterrupt handler.
DEFAULT_SIGINT = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                  "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")
