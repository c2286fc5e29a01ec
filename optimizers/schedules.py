"""Learning-rate schedules η_t for any optimizer (`schedule=NAME` in its spec), built on optax's schedules.

t counts updates from 0 (optax's count: the step that makes θ_{t+1} uses η_t) and T is the run's number of steps.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import jax.numpy as jnp
import optax

from landscapes.spec import SpecError, did_you_mean, parse_number

from .equations import num

# Each schedule's settings, with their defaults (None: worked out from T when the run's length is known).
SCHEDULES: dict[str, dict[str, float | tuple[int, ...] | None]] = {
    "constant": {},
    "cosine": {},
    "exponential": {"decay_rate": 0.1},
    "step": {"boundaries": None, "scale": 0.1},
    "warmup-cosine": {"warmup": None},
}
SETTINGS = {key for settings in SCHEDULES.values() for key in settings}


@dataclass(frozen=True)
class Schedule:
    """A named schedule and its settings: η_t for a base rate η over T steps."""

    name: str
    settings: Mapping[str, float | tuple[int, ...]]

    @property
    def spec(self) -> str:
        """Its part of an optimizer's spec: 'schedule=step,boundaries=40/80,scale=0.1'."""
        parts = [f"schedule={self.name}"]
        for key, value in self.settings.items():
            parts.append(f"{key}={'/'.join(str(b) for b in value) if isinstance(value, tuple) else f'{value:g}'}")
        return ",".join(parts)

    def resolved(self, steps: int) -> dict:
        """The settings with T-dependent defaults filled in: boundaries T/2, 3T/4; warm-up T/10."""
        values = {**SCHEDULES[self.name], **self.settings}
        if self.name == "step":
            if values["boundaries"] is None:
                values["boundaries"] = (steps // 2, 3 * steps // 4)
            if values["boundaries"][-1] >= steps:
                raise SpecError(f"schedule=step: boundaries must lie below the run's {steps} steps, "
                                f"got {values['boundaries'][-1]}")
        if self.name == "warmup-cosine":
            if values["warmup"] is None:
                values["warmup"] = max(1, steps // 10)
            if not 0 < values["warmup"] < steps:
                raise SpecError(f"schedule=warmup-cosine: warmup must lie between 1 and the run's {steps - 1} "
                                f"steps, got {values['warmup']:g}")
        return values

    def build(self, learning_rate, steps: int) -> Callable:
        """t ↦ η_t = η·s(t), s optax's schedule from 1 over T = steps (η may be traced: a sweep's values)."""
        shape = self.shape(steps)
        dtype = jnp.result_type(learning_rate)
        # optax counts in int32, and t/T in int32 arithmetic is single precision: count in η's own precision
        return lambda count: learning_rate * shape(jnp.asarray(count, dtype))

    def shape(self, steps: int) -> Callable:
        """optax's schedule s(t) with s(0) = 1 (0 for a warm-up)."""
        v = self.resolved(steps)
        if self.name == "constant":
            return optax.constant_schedule(1.0)
        if self.name == "cosine":
            return optax.cosine_decay_schedule(1.0, decay_steps=steps)
        if self.name == "exponential":
            return optax.exponential_decay(1.0, transition_steps=steps, decay_rate=v["decay_rate"])
        if self.name == "step":
            return optax.piecewise_constant_schedule(1.0, {int(b): v["scale"] for b in v["boundaries"]})
        return optax.warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=int(v["warmup"]), decay_steps=steps)

    def equation(self, learning_rate: float, steps: int | None) -> str:
        """η_t as mathtext with the run's values (T stays a symbol when the run's length is not known)."""
        eta, T = num(learning_rate), str(steps) if steps else "T"
        v = self.resolved(steps) if steps else {**SCHEDULES[self.name], **self.settings}
        if self.name == "constant":
            return rf"\eta_t = {eta}"
        if self.name == "cosine":
            return rf"\eta_t = {eta}\cdot\frac{{1}}{{2}}\left(1 + \cos\frac{{\pi t}}{{{T}}}\right)"
        if self.name == "exponential":
            return rf"\eta_t = {eta}\cdot{num(v['decay_rate'])}^{{t/{T}}}"
        if self.name == "step":
            where = ",\\ ".join(str(b) for b in v["boundaries"]) if v["boundaries"] else r"T/2,\ 3T/4"
            return rf"\eta_t = {eta}\cdot{num(v['scale'])}^{{n_t}},\quad n_t = \#\{{b \in ({where}) : b \leq t\}}"
        w = str(v["warmup"] or "W")
        return (rf"\eta_t = {eta}\,\frac{{t}}{{{w}}}\ (t < {w}),\quad "
                rf"{eta}\cdot\frac{{1}}{{2}}\left(1 + \cos\frac{{\pi (t - {w})}}{{{T} - {w}}}\right)")


def parse_schedule(owner: str, settings: dict[str, str]) -> Schedule | None:
    """Take `schedule` and its settings out of an optimizer's settings (in place); None when it has none."""
    name = settings.pop("schedule", None)
    given = {k: settings.pop(k) for k in list(settings) if k in SETTINGS}
    if name is None:
        if given:
            key = next(iter(given))
            users = [n for n, s in SCHEDULES.items() if key in s]
            raise SpecError(f"{owner}: {key} sets a schedule: add schedule={users[0]}")
        return None
    if name not in SCHEDULES:
        raise SpecError(f"{owner}: unknown schedule '{name}'{did_you_mean(name, SCHEDULES)}"
                        f" (valid: {', '.join(SCHEDULES)})")
    values: dict[str, float | tuple[int, ...]] = {}
    for key, text in given.items():
        if key not in SCHEDULES[name]:
            valid = ", ".join(SCHEDULES[name]) or "none"
            raise SpecError(f"{owner}: schedule={name} has no setting '{key}' (its settings: {valid})")
        values[key] = _boundaries(owner, text) if key == "boundaries" else parse_number(text, f"{owner} {key}")
    if not 0 < values.get("decay_rate", 0.1) <= 1:
        raise SpecError(f"{owner}: decay_rate must lie in (0, 1], got {values['decay_rate']:g}")
    if not 0 < values.get("scale", 0.1) <= 1:
        raise SpecError(f"{owner}: scale must lie in (0, 1], got {values['scale']:g}")
    if "warmup" in values:
        if values["warmup"] != int(values["warmup"]) or values["warmup"] < 1:
            raise SpecError(f"{owner}: warmup must be a whole number of steps, at least 1, got {values['warmup']:g}")
        values["warmup"] = int(values["warmup"])
    return Schedule(name, values)


def _boundaries(owner: str, text: str) -> tuple[int, ...]:
    """'40/80' -> (40, 80): whole, increasing step numbers, separated by '/'."""
    steps = [parse_number(part, f"{owner} boundaries") for part in text.split("/")]
    if any(s != int(s) or s < 1 for s in steps) or any(b <= a for a, b in zip(steps, steps[1:])):
        raise SpecError(f"{owner}: boundaries must be increasing whole steps separated by '/', e.g. 40/80; "
                        f"got {text!r}")
    return tuple(int(s) for s in steps)
