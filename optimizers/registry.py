"""Named optimizers built on optax, with textbook defaults, colours, equations and the state to expose."""

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import jax.numpy as jnp
import optax

from landscapes import Surface
from landscapes.spec import SpecError, did_you_mean, parse_number, split_spec

from . import equations

Hyper = Mapping[str, float | bool | int]


# Effective per-parameter step size: how far θᵢ moves per unit of gradient (or of the normalised moment).
def _learning_rate(h, state, grad, update):
    """η: the step per unit of gradient (GD) or of velocity (momentum), or the sign step (Lion)."""
    return jnp.full_like(grad, h["learning_rate"])


def _update_over_grad(h, state, grad, update):
    """−uᵢ/gᵢ: exact for methods that rescale the gradient per coordinate (AdaGrad, RMSprop, AdaDelta)."""
    return jnp.where(grad != 0, -update / jnp.where(grad != 0, grad, 1.0), jnp.nan)


def _adam_step_size(second: str, corrected: bool = False):
    """η/(√v̂ᵢ + ε), v̂ bias-corrected: the step per unit of m̂ (Adam and its relatives)."""

    def step_size(h, state, grad, update):
        v = optax.tree_utils.tree_get(state, second)
        if not corrected:
            v = v / (1 - h["b2"] ** optax.tree_utils.tree_get(state, "count"))
        return h["learning_rate"] / (jnp.sqrt(v) + h["eps"])

    return step_size


@dataclass(frozen=True)
class OptimizerInfo:
    """A registry entry: how to build it and how to show it."""

    title: str
    color: str
    factory: Callable[..., optax.GradientTransformation]  # factory(learning_rate, **hyperparameters)
    defaults: Mapping[str, float | bool | int]  # textbook values; learning_rate only where it is fixed
    equation: Callable[[Hyper], tuple[str, ...]]
    reference: str
    lr_kind: str = "gradient"  # which per-surface learning rate applies: 'gradient', 'adaptive' or 'fixed'
    first: str | None = None  # optax state field of the first moment / velocity
    second: str | None = None  # optax state field of the second moment / accumulator
    step_size: Callable = _learning_rate


ADAM_DEFAULTS = {"b1": 0.9, "b2": 0.999, "eps": 1e-8}

OPTIMIZERS: dict[str, OptimizerInfo] = {
    "gd": OptimizerInfo("GD", "#FF5252", optax.sgd, {}, equations.gd, "Cauchy (1847)"),
    "sgd": OptimizerInfo("SGD", "#FF5252", optax.sgd, {}, equations.gd, "Robbins & Monro (1951)"),
    "momentum": OptimizerInfo(
        "Momentum", "#FF9F1C", partial(optax.sgd, nesterov=False), {"momentum": 0.9}, equations.momentum,
        "Polyak (1964)", first="trace"),
    "nesterov": OptimizerInfo(
        "Nesterov", "#FF77C8", partial(optax.sgd, nesterov=True), {"momentum": 0.9}, equations.nesterov,
        "Nesterov (1983); Sutskever et al. (2013)", first="trace"),
    "adagrad": OptimizerInfo(
        "AdaGrad", "#B39DFF", optax.adagrad, {"initial_accumulator_value": 0.0, "eps": 1e-7}, equations.adagrad,
        "Duchi, Hazan & Singer (2011)", "adaptive", second="sum_of_squares", step_size=_update_over_grad),
    "adadelta": OptimizerInfo(
        "AdaDelta", "#B2FF59", optax.adadelta, {"learning_rate": 1.0, "rho": 0.95, "eps": 1e-6}, equations.adadelta,
        "Zeiler (2012)", "fixed", second="e_g", step_size=_update_over_grad),
    "rmsprop": OptimizerInfo(
        "RMSprop", "#40C4FF", optax.rmsprop, {"decay": 0.9, "eps": 1e-8}, equations.rmsprop,
        "Hinton, Srivastava & Swersky, lecture 6e (2012)", "adaptive", second="nu", step_size=_update_over_grad),
    "adam": OptimizerInfo(
        "Adam", "#FFFFFF", optax.adam, ADAM_DEFAULTS, equations.adam,
        "Kingma & Ba (2015)", "adaptive", first="mu", second="nu", step_size=_adam_step_size("nu")),
    "adamw": OptimizerInfo(
        "AdamW", "#448AFF", optax.adamw, {**ADAM_DEFAULTS, "weight_decay": 0.01}, equations.adamw,
        "Loshchilov & Hutter (2019)", "adaptive", first="mu", second="nu", step_size=_adam_step_size("nu")),
    "nadam": OptimizerInfo(
        "NAdam", "#FFE082", optax.nadam, ADAM_DEFAULTS, equations.nadam,
        "Dozat (2016)", "adaptive", first="mu", second="nu", step_size=_adam_step_size("nu")),
    "amsgrad": OptimizerInfo(
        "AMSGrad", "#EA80FC", optax.amsgrad, ADAM_DEFAULTS, equations.amsgrad,
        "Reddi, Kale & Kumar (2018)", "adaptive", first="mu", second="nu_max",
        step_size=_adam_step_size("nu_max", corrected=True)),
    "adabelief": OptimizerInfo(
        "AdaBelief", "#FF8A80", optax.adabelief, {"b1": 0.9, "b2": 0.999, "eps": 1e-16, "eps_root": 1e-16},
        equations.adabelief, "Zhuang et al. (2020)", "adaptive", first="mu", second="nu",
        step_size=_adam_step_size("nu")),
    "lion": OptimizerInfo(
        "Lion", "#69F0AE", optax.lion, {"b1": 0.9, "b2": 0.99, "weight_decay": 1e-3}, equations.lion,
        "Chen et al. (2023)", "adaptive", first="mu"),
}
ALIASES = {"lr": "learning_rate"}
# Names under which optax passes things that are not hyperparameters.
_NOT_HYPERPARAMETERS = {"mu_dtype", "mask", "accumulator_dtype", "weight_decay_mask", "params", "dtype"}


def _optax_alias_info(alias: str) -> OptimizerInfo:
    """An entry for any optax alias taking a learning rate, with its own signature's defaults."""
    fn = getattr(optax, alias, None)
    if not callable(fn) or alias.startswith("_") or "learning_rate" not in _signature(fn):
        aliases = [n for n in dir(optax) if callable(getattr(optax, n)) and "learning_rate" in _signature(getattr(optax, n))]
        raise SpecError(f"unknown optax optimizer 'optax:{alias}'{did_you_mean(alias, aliases)}")
    defaults = {k: p.default for k, p in _signature(fn).items()
                if k not in _NOT_HYPERPARAMETERS and k != "learning_rate"
                and isinstance(p.default, (int, float, bool)) and p.default is not None}
    return OptimizerInfo(f"optax.{alias}", "#A7FFEB", fn, defaults, partial(equations.optax_alias, alias),
                         f"optax.{alias}", "adaptive", step_size=_update_over_grad)


def _signature(fn) -> Mapping[str, inspect.Parameter]:
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


def _check(name: str, key: str, value: float) -> None:
    """The range each hyperparameter must lie in, by its optax name."""
    rules = {
        "learning_rate": (lambda v: v > 0, "> 0"),
        "eps": (lambda v: v > 0, "> 0"),
        **{k: (lambda v: 0 <= v < 1, "in [0, 1)") for k in ("b1", "b2", "momentum", "decay", "rho")},
        **{k: (lambda v: v >= 0, ">= 0") for k in ("eps_root", "initial_accumulator_value", "initial_scale",
                                                   "weight_decay")},
    }
    ok, text = rules.get(key, (lambda v: True, ""))
    if not ok(value):
        raise SpecError(f"{name}: {key} must be {text}, got {value:g}")


def _parse_value(name: str, key: str, text: str, default) -> float | bool | int:
    if isinstance(default, bool):
        if text.lower() not in ("true", "false", "1", "0"):
            raise SpecError(f"{name}: {key} must be true or false, got '{text}'")
        return text.lower() in ("true", "1")
    value = parse_number(text, f"{name} {key}")
    if isinstance(default, int) and not isinstance(default, bool):
        if value != int(value):
            raise SpecError(f"{name}: {key} must be an integer, got '{text}'")
        return int(value)
    _check(name, key, value)
    return value


@dataclass(frozen=True)
class Optimizer:
    """A resolved optimizer: registry name plus its full hyperparameters."""

    name: str
    info: OptimizerInfo
    hyperparameters: Mapping[str, float | bool | int] = field(default_factory=dict)

    @property
    def spec(self) -> str:
        """The canonical CLI spelling with every hyperparameter."""
        return f"{self.name}:" + ",".join(f"{k}={v:g}" if not isinstance(v, bool) else f"{k}={v}"
                                          for k, v in self.hyperparameters.items())

    @property
    def equation(self) -> tuple[str, ...]:
        """The update rule, as mathtext lines, with these hyperparameters."""
        return self.info.equation(self.hyperparameters)

    def build(self, **traced) -> optax.GradientTransformation:
        """The optax transformation; `traced` overrides values (JAX tracers for sweeps)."""
        return self.info.factory(**{**self.hyperparameters, **traced})


def optimizer_keys(info: OptimizerInfo) -> list[str]:
    """The hyperparameter keys a user may set, learning_rate first."""
    return ["learning_rate", *(k for k in info.defaults if k != "learning_rate")]


def lookup(name: str) -> OptimizerInfo:
    """The registry entry for a name (or 'optax:<alias>')."""
    if name.startswith("optax:"):
        return _optax_alias_info(name.removeprefix("optax:"))
    if name not in OPTIMIZERS:
        raise SpecError(f"unknown optimizer '{name}'{did_you_mean(name, OPTIMIZERS)} (see: render.py list)")
    return OPTIMIZERS[name]


def default_learning_rate(name: str, info: OptimizerInfo, surface: Surface | None) -> float:
    """Per-surface learning rate: by optimizer name, else by kind, else the optimizer's fixed value."""
    if "learning_rate" in info.defaults:
        return float(info.defaults["learning_rate"])
    rates = surface.landscape.learning_rates if surface else {}
    return float(rates.get(name, rates.get(info.lr_kind, 0.05 if info.lr_kind == "adaptive" else 0.01)))


def resolve_optimizer(spec: str, surface: Surface | None = None) -> Optimizer:
    """`NAME[:key=value,...]` -> Optimizer with validated, complete hyperparameters."""
    name, settings = split_spec(spec) if not spec.startswith("optax:") else _split_optax(spec)
    info = lookup(name)
    keys = optimizer_keys(info)
    hyper: dict[str, float | bool | int] = {"learning_rate": default_learning_rate(name, info, surface)}
    hyper.update({k: v for k, v in info.defaults.items() if k != "learning_rate"})
    for raw_key, text in settings.items():
        key = ALIASES.get(raw_key, raw_key)
        if key not in keys:
            raise SpecError(f"unknown hyperparameter '{raw_key}' for {name}{did_you_mean(raw_key, keys)}"
                            f" (valid: {', '.join(keys)})")
        hyper[key] = _parse_value(name, key, text, hyper[key])
    return Optimizer(name, info, hyper)


def _split_optax(spec: str) -> tuple[str, dict[str, str]]:
    """'optax:yogi:lr=0.1' -> ('optax:yogi', {'lr': '0.1'})."""
    name, settings = split_spec(spec.removeprefix("optax:"))
    return f"optax:{name}", settings


def resolve_optimizers(values: list[str], surface: Surface | None = None) -> list[Optimizer]:
    """Every --optimizer value; one without settings may list several names separated by commas."""
    specs = [s.strip() for v in values for s in (v.split(",") if "=" not in v else [v]) if s.strip()]
    if not specs:
        raise SpecError("no optimizer given")
    return [resolve_optimizer(s, surface) for s in specs]


