"""The `NAME[:key=value,...]` syntax shared by surfaces and optimizers, with one-line errors."""

import difflib
import math
from collections.abc import Iterable


class SpecError(ValueError):
    """A bad name, key or value typed by the user; the message is one line."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when nothing is close."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close and word.lower() in choices:  # 'X', 'Sin': case slips score 0 in difflib
        close = [word.lower()]
    return f" (did you mean '{close[0]}'?)" if close else ""


def split_spec(spec: str) -> tuple[str, dict[str, str]]:
    """'adam:lr=0.1,b1=0.8' -> ('adam', {'lr': '0.1', 'b1': '0.8'}); values stay strings, keys appear once."""
    name, _, rest = spec.strip().partition(":")
    values: dict[str, str] = {}
    for item in filter(None, (s.strip() for s in rest.split(","))) if rest else ():
        key, eq, value = item.partition("=")
        if not eq or not key.strip() or not value.strip():
            raise SpecError(f"bad setting {item!r} in {spec!r} (expected key=value)")
        if key.strip() in values:
            raise SpecError(f"{key.strip()!r} given twice in {spec!r}")
        values[key.strip()] = value.strip()
    if rest and not values:
        raise SpecError(f"nothing after ':' in '{spec}' (expected key=value,...)")
    return name.strip(), values


def split_specs(values: list[str]) -> list[str]:
    """Every --optimizer value as specs: one without settings may list several names ('gd,adam')."""
    return [s.strip() for v in values for s in (v.split(",") if "=" not in v else [v]) if s.strip()]


def parse_number(text: str, what: str) -> float:
    """A finite float, or a SpecError naming `what`."""
    try:
        value = float(text)
    except ValueError:
        raise SpecError(f"{what} must be a number, got '{text}'") from None
    if not math.isfinite(value):
        raise SpecError(f"{what} must be finite, got '{text}'")
    return value
