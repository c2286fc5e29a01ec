"""Command-line parsing that reports bad input in one line (exit 2), shared by every subcommand."""

import argparse
import math
from collections.abc import Sequence

from landscapes.spec import SpecError

QUALITIES = {"low": (854, 480, 15), "medium": (1280, 720, 30), "high": (1920, 1080, 60), "4k": (3840, 2160, 60)}


class UsageError(SpecError):
    """Bad command-line input: reported as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors; it remembers its options, for config files and negative values."""

    def __init__(self, *args, **kwargs):
        # set before argparse's own __init__, which adds -h through add_argument
        self.options: dict[str, argparse.Action] = {}  # dest -> action, for every option
        self.repeatable: set[str] = set()  # dests of options that may be given several times
        self.value_flags: set[str] = set()  # option strings that take a value
        super().__init__(*args, **kwargs)

    def add_argument(self, *names, **kwargs) -> argparse.Action:
        action = super().add_argument(*names, **kwargs)
        if action.option_strings:
            self.options[action.dest] = action
            if kwargs.get("action") == "append":
                self.repeatable.add(action.dest)
            if action.nargs != 0:
                self.value_flags.update(action.option_strings)
        return action

    def error(self, message):  # one line and exit 2, instead of argparse's usage dump
        raise UsageError(message)

    def parse(self, argv: Sequence[str]) -> argparse.Namespace:
        """parse_args, where a value may begin with '-': `--start -1.5,1.5` means `--start=-1.5,1.5`."""
        joined: list[str] = []
        tokens = list(argv)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if token in self.value_flags and following and following.startswith("-") \
                    and not following.startswith("--") and following not in self.value_flags:
                joined.append(f"{token}={following}")
                i += 2
                continue
            joined.append(token)
            i += 1
        return self.parse_args(joined)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, got '{text}'")
    return value


def check_duration(duration: float | None) -> None:
    if duration is not None and not 0 < duration <= 600:
        raise UsageError(f"--duration must be in (0, 600] seconds, got {duration:g}")
