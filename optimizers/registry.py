"""Named optimizers built on optax, with textbook defaults, colours, equations and the state to expose."""

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import jax
import jax.numpy as jnp
import optax

from landscapes import Surface
from landscapes.limits import check, check_length
from landscapes.spec import SpecError, did_you_mean, parse_number, split_spec, split_specs

from . import equations, nag
from .schedules import Schedule, parse_schedule
from .user_file import is_file_spec, keyword_defaults, latex_lines, load_factory, split_file_spec

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
            # the first count is Adam's own (a schedule keeps another, always equal to it)
            count = optax.tree_utils.tree_get_all_with_path(state, "count")[0][1]
            v = v / (1 - h["b2"] ** count)
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
    optional: Mapping[str, type] = field(default_factory=dict)  # settable keys with no default value -> int/float
    required: tuple[str, ...] = ()  # of those, the ones the factory needs
    gradient_at: Callable | None = None  # (h, state, θ) -> where the gradient is taken (default: θ itself)
    source: str = ""  # a user file's SHA-256: programs compiled from it are keyed by it
    any_keys: bool = False  # the factory takes **kwargs: any key may be set, as a number


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
# Other ways to write one method, chosen with `form=`: the first is the default.
FORMS = {"nesterov": {
    "lookahead": OPTIMIZERS["nesterov"],
    "sutskever": OptimizerInfo(
        "Nesterov (Sutskever)", "#00E5FF", nag.sutskever, {"momentum": 0.9}, equations.nesterov_sutskever,
        "Sutskever, Martens, Dahl & Hinton (2013)", gradient_at=nag.look_ahead),
}}
ALIASES = {"lr": "learning_rate"}
USER_COLOR = "#A7FFEB"  # optax aliases and user files: rules the registry does not know
# Names under which optax passes things that are not hyperparameters.
_NOT_HYPERPARAMETERS = {"mu_dtype", "mask", "accumulator_dtype", "weight_decay_mask", "params", "dtype", "key"}


def _is_factory(alias: str) -> bool:
    """A public optax function (not a class) with a learning_rate parameter: a candidate optimizer."""
    fn = getattr(optax, alias, None)
    return (not alias.startswith("_") and callable(fn) and not inspect.isclass(fn)
            and "learning_rate" in _signature(fn))


def _numeric(parameter: inspect.Parameter) -> type | None:
    """int or float when a parameter with no default value is annotated as a number, else None."""
    text = str(parameter.annotation)
    if "float" in text or "Array" in text:
        return float
    return int if "int" in text else None


def _optax_alias_info(alias: str) -> OptimizerInfo:
    """An entry for an optax optimizer factory, with its own signature's defaults.

    Settings whose default is None (`optax:sgd:momentum=0.9`) may be set; ones with no default must be. A factory
    whose update needs more than the gradient (a line search's value and function) is refused in one line.
    """
    if not _is_factory(alias):
        raise SpecError(f"unknown optax optimizer 'optax:{alias}'{did_you_mean(alias, filter(_is_factory, dir(optax)))}"
                        " (optax functions that take a learning_rate)")
    fn = getattr(optax, alias)
    parameters = {k: p for k, p in _signature(fn).items()
                  if k not in _NOT_HYPERPARAMETERS and k != "learning_rate" and p.kind in (p.POSITIONAL_OR_KEYWORD,
                                                                                         p.KEYWORD_ONLY)}
    defaults = {k: p.default for k, p in parameters.items() if isinstance(p.default, (int, float, bool))}
    optional = {k: _numeric(p) for k, p in parameters.items() if p.default is None or p.default is p.empty}
    missing = [k for k, kind in optional.items() if kind is None and parameters[k].default is inspect.Parameter.empty]
    if missing:
        raise SpecError(f"optax:{alias} needs {', '.join(missing)}, which cannot be given as numbers")
    required = tuple(k for k in optional if parameters[k].default is inspect.Parameter.empty)
    return OptimizerInfo(f"optax.{alias}", USER_COLOR, fn, defaults, partial(equations.optax_alias, alias),
                         f"optax.{alias}", "adaptive", step_size=_update_over_grad,
                         optional={k: v for k, v in optional.items() if v is not None}, required=required)


def _check_runs(name: str, optimizer: "Optimizer") -> None:
    """An optax factory builds a transformation whose update needs only the gradient, on two parameters."""
    try:
        tx = optimizer.build()
        if not isinstance(tx, optax.GradientTransformation):
            raise SpecError(f"{name} is not an optimizer: it returns {type(tx).__name__}")
        extra = [k for k, p in _signature(tx.update).items() if p.kind is p.KEYWORD_ONLY and p.default is p.empty]
        if extra:
            raise SpecError(f"{name} needs {', '.join(extra)} in its update (a line search), not only the gradient")
        params = jnp.zeros(2)
        jax.eval_shape(lambda p: tx.update(jnp.ones(2), tx.init(p), p), params)  # traced, not run
        state = jax.eval_shape(tx.init, params)
        for kind, field_name in (("first_moment", optimizer.info.first), ("second_moment", optimizer.info.second)):
            if field_name and optax.tree_utils.tree_get(state, field_name) is None:
                raise SpecError(f"{name}: its {kind} {field_name!r} is not a field of its optax state")
    except SpecError:
        raise
    except TypeError as error:
        if "keyword-only" not in str(error):
            raise SpecError(f"{name} cannot run on a two-parameter surface: {error}") from None
        raise SpecError(f"{name} needs more than the gradient in its update (a line search's value and "
                        "function); losscape's optimizers get only the gradient") from None
    except Exception as error:  # noqa: BLE001 - optax's own message, whatever its type, in one line
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SpecError(f"{name} cannot run on a two-parameter surface: {reason}") from None


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
                                                   "weight_decay", "l2")},
    }
    ok, text = rules.get(key, (lambda v: True, ""))
    if not ok(value):
        raise SpecError(f"{name}: {key} must be {text}, got {value:g}")
    check("hyperparameter", abs(value), f"{name} {key}'s size")


def _parse_value(name: str, key: str, text: str, kind: type) -> float | bool | int:
    """A setting's text as its kind (bool, int or float), within its range."""
    if kind is bool:
        if text.lower() not in ("true", "false", "1", "0"):
            raise SpecError(f"{name}: {key} must be true or false, got {text!r}")
        return text.lower() in ("true", "1")
    value = parse_number(text, f"{name} {key}")
    if kind is int:
        if value != int(value):
            raise SpecError(f"{name}: {key} must be an integer, got {text!r}")
        check("integer_hyperparameter", value, f"{name} {key}")
        return int(value)
    _check(name, key, value)
    return value


@dataclass(frozen=True)
class Optimizer:
    """A resolved optimizer: registry name plus its full hyperparameters."""

    name: str
    info: OptimizerInfo
    hyperparameters: Mapping[str, float | bool | int] = field(default_factory=dict)
    schedule: Schedule | None = None  # η_t; None: the constant η
    form: str | None = None  # another way to write the method (FORMS), None for its default
    l2: float | None = None  # λ of an L2 penalty ½λ‖θ‖² added to the loss: its gradient λθ joins g

    @property
    def spec(self) -> str:
        """The canonical CLI spelling with every hyperparameter (and the form and schedule, when set)."""
        parts = [f"form={self.form}"] if self.form else []
        parts += [f"{k}={v:g}" if not isinstance(v, bool) else f"{k}={v}" for k, v in self.hyperparameters.items()]
        parts += [f"l2={self.l2:g}"] if self.l2 is not None else []
        parts += [self.schedule.spec] if self.schedule else []
        return f"{self.name}:" + ",".join(parts)

    @property
    def title(self) -> str:
        """The legend's name: the method's, and its schedule's when it has one ('GD · cosine')."""
        title = f"{self.info.title} + L2" if self.l2 is not None else self.info.title
        return f"{title} · {self.schedule.name}" if self.schedule else title

    @property
    def equation(self) -> tuple[str, ...]:
        """The update rule, as mathtext lines, with these hyperparameters (a schedule's T as a symbol)."""
        return self.rule(None)

    def rule(self, steps: int | None) -> tuple[str, ...]:
        """The update rule for a run of `steps` steps: with a schedule, η is η_t, defined on a line of its own."""
        penalty = (rf"g_i \leftarrow g_i + {equations.num(self.l2)}\,\theta_i",) if self.l2 is not None else ()
        if self.schedule is None:
            return (*penalty, *self.info.equation(self.hyperparameters))
        lines = self.info.equation({**self.hyperparameters, "learning_rate": r"\eta_t"})
        return (*penalty, *lines, self.schedule.equation(self.hyperparameters["learning_rate"], steps))

    def program_key(self, static: Mapping) -> tuple:
        """What a compiled program depends on besides traced values: name, form, schedule, source, static values."""
        return (self.name, self.form, self.l2, self.schedule.spec if self.schedule else None, self.info.source,
                tuple(static.items()))

    def transform(self, h: Mapping, steps: int | None = None) -> optax.GradientTransformation:
        """The optax transformation for hyperparameters h (traced in sweeps); η scheduled over `steps` if given."""
        if self.schedule is not None and steps is not None:
            h = {**h, "learning_rate": self.schedule.build(h["learning_rate"], steps)}
        if self.l2 is not None:  # L2 in the loss: λθ added to the gradient before the method sees it
            return optax.chain(optax.add_decayed_weights(self.l2), self.info.factory(**h))
        return self.info.factory(**h)

    def rate(self, h: Mapping, t, steps: int):
        """η_t: the learning rate of update t (the constant η without a schedule)."""
        if self.schedule is None:
            return h["learning_rate"]
        return self.schedule.build(h["learning_rate"], steps)(t)

    def learning_rates(self, steps: int) -> tuple[float, ...] | None:
        """η_0 … η_{T−1} of a scheduled run (None without a schedule)."""
        if self.schedule is None:
            return None
        rates = self.schedule.build(self.hyperparameters["learning_rate"], steps)(jnp.arange(steps))
        return tuple(float(r) for r in jnp.broadcast_to(rates, (steps,)))

    def build(self, steps: int | None = None, **traced) -> optax.GradientTransformation:
        """The optax transformation; `traced` overrides values (JAX tracers for sweeps)."""
        return self.transform({**self.hyperparameters, **traced}, steps)


def optimizer_keys(info: OptimizerInfo) -> list[str]:
    """The hyperparameter keys a user may set, learning_rate first."""
    return ["learning_rate", *(k for k in [*info.defaults, *info.optional] if k != "learning_rate")]


def file_info(path: str, factory_name: str) -> OptimizerInfo:
    """An entry for a user's factory: its own name, rule, state and colour where its attributes give them."""
    factory, source = load_factory(path, factory_name)
    owner = f"{path}:{factory_name}"
    defaults, any_keys = keyword_defaults(factory)
    lines = latex_lines(factory, owner)

    def equation(h: Hyper) -> tuple[str, ...]:
        """The file's own rule, then the values it runs with (none shown if it gives no rule)."""
        if not lines:
            return ()
        values = r",\ ".join(rf"{equations.symbol(k)} = {equations.num(v) if not isinstance(v, bool) else v}"
                             for k, v in h.items())
        return (*lines, values)

    return OptimizerInfo(str(getattr(factory, "display_name", factory_name)), str(getattr(factory, "color", USER_COLOR)),
                         factory, defaults, equation, owner, "adaptive",
                         first=getattr(factory, "first_moment", None), second=getattr(factory, "second_moment", None),
                         step_size=_update_over_grad, source=source, any_keys=any_keys)


def lookup(name: str) -> OptimizerInfo:
    """The registry entry for a name (or 'optax:<alias>', or 'FILE.py:FACTORY')."""
    if is_file_spec(name):
        path, factory, _ = split_file_spec(name)
        return file_info(path, factory)
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


def _split(spec: str) -> tuple[str, dict[str, str]]:
    """A spec's name and its settings, for each way of naming an optimizer."""
    if is_file_spec(spec):
        path, factory, settings = split_file_spec(spec)
        return f"{path}:{factory}", settings
    return split_spec(spec) if not spec.startswith("optax:") else _split_optax(spec)


def _form(name: str, settings: dict[str, str], info: OptimizerInfo) -> tuple[OptimizerInfo, str | None]:
    """The entry for `form=` (taken out of the settings), and the form's name when it is not the default."""
    form = settings.pop("form", None)
    if form is None:
        return info, None
    forms = FORMS.get(name)
    if not forms:
        raise SpecError(f"{name} has one form: 'form' is a setting of {', '.join(FORMS)} only")
    if form not in forms:
        raise SpecError(f"unknown form '{form}' for {name}{did_you_mean(form, forms)} (valid: {', '.join(forms)})")
    return forms[form], (form if form != next(iter(forms)) else None)


def resolve_optimizer(spec: str, surface: Surface | None = None) -> Optimizer:
    """`NAME[:key=value,...]` -> Optimizer with validated, complete hyperparameters."""
    check_length(spec)
    name, settings = _split(spec)
    info, form = _form(name, settings, lookup(name))
    schedule = parse_schedule(name, settings)
    l2 = _parse_value(name, "l2", settings.pop("l2"), float) if "l2" in settings else None
    keys = optimizer_keys(info)
    hyper: dict[str, float | bool | int] = {"learning_rate": default_learning_rate(name, info, surface)}
    hyper.update({k: v for k, v in info.defaults.items() if k != "learning_rate"})
    set_as: dict[str, str] = {}
    for raw_key, text in settings.items():
        key = ALIASES.get(raw_key, raw_key)
        if key not in keys and not info.any_keys:
            raise SpecError(f"unknown hyperparameter '{raw_key}' for {name}{did_you_mean(raw_key, keys)}"
                            f" (valid: {', '.join(keys)})")
        if key in set_as:
            raise SpecError(f"{key} given twice in {spec!r} (as {set_as[key]!r} and {raw_key!r})")
        set_as[key] = raw_key
        kind = info.optional.get(key) or type(hyper.get(key, 0.0))  # a **kwargs key is a float
        hyper[key] = _parse_value(name, key, text, float if kind is float or key == "learning_rate" else kind)
    missing = [k for k in info.required if k not in hyper]
    if missing:
        raise SpecError(f"{name} needs {', '.join(missing)} (e.g. {name}:{missing[0]}=...)")
    optimizer = Optimizer(name, info, hyper, schedule, form, l2)
    if name.startswith("optax:") or info.source:
        _check_runs(name, optimizer)
    return optimizer


def given_keys(spec: str) -> set[str]:
    """The hyperparameters a spec sets itself (aliases resolved): {'learning_rate'} for 'gd:lr=0.1'."""
    _, settings = _split(spec)
    return {ALIASES.get(k, k) for k in settings}


def _split_optax(spec: str) -> tuple[str, dict[str, str]]:
    """'optax:yogi:lr=0.1' -> ('optax:yogi', {'lr': '0.1'})."""
    name, settings = split_spec(spec.removeprefix("optax:"))
    return f"optax:{name}", settings


def resolve_optimizers(values: list[str], surface: Surface | None = None) -> list[Optimizer]:
    """Every --optimizer value; one without settings may list several names separated by commas."""
    specs = split_specs(values)
    if not specs:
        raise SpecError("no optimizer given")
    check("optimizers", len(specs))
    optimizers = [resolve_optimizer(s, surface) for s in specs]
    seen: dict[str, str] = {}
    for given, optimizer in zip(specs, optimizers):
        if optimizer.spec in seen:  # the same settings twice: one path hidden under the other, one legend twice
            raise SpecError(f"optimizer {given!r} given twice with the same settings; "
                            f"give the second others ({optimizer.name}:lr=...)")
        seen[optimizer.spec] = given
    return optimizers


