"""Command-line parsing that reports bad input in one line (exit 2), shared by every subcommand."""

import argparse
import math
import os
from collections.abc import Callable, Sequence

from landscapes.limits import check
from landscapes.spec import did_you_mean
from scenes.job import ASPECTS, pixel_size
from scenes.theme import THEMES

from .errors import UsageError

QUALITIES = {"low": (854, 480, 15), "medium": (1280, 720, 30), "high": (1920, 1080, 60), "4k": (3840, 2160, 60)}


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors that name the nearest valid word; it refuses an option given twice and
    remembers its options, for config files, and which were given on the command line (`given`).

    A switch whose default is None (one a config file may set) gets its opposite: `--glyphs` / `--no-glyphs`,
    `--no-render` / `--render`, so that the command line can undo what the config file says.
    """

    def __init__(self, *args, **kwargs):
        # set before argparse's own __init__, which adds -h through add_argument
        self.options: dict[str, argparse.Action] = {}  # dest -> action, for every option
        self.repeatable: set[str] = set()  # dests of options that may be given several times
        self.value_flags: set[str] = set()  # option strings that take a value
        self.by_flag: dict[str, argparse.Action] = {}  # option string -> action, for every option
        self.given: dict[str, str] = {}  # dest -> the option string that set it, after parse()
        super().__init__(*args, allow_abbrev=False, **kwargs)  # `--optim` is a typo, not `--optimizer`

    def add_argument(self, *names, **kwargs) -> argparse.Action:
        action = super().add_argument(*names, **kwargs)
        if action.option_strings:
            self.options[action.dest] = action
            self.by_flag.update(dict.fromkeys(action.option_strings, action))
            if kwargs.get("action") == "append":
                self.repeatable.add(action.dest)
            if action.nargs != 0:
                self.value_flags.update(action.option_strings)
            if kwargs.get("action") == "store_true" and kwargs.get("default", False) is None:
                long = next(s for s in action.option_strings if s.startswith("--"))
                opposite = "--" + long[5:] if long.startswith("--no-") else "--no-" + long[2:]
                undo = super().add_argument(opposite, dest=action.dest, action="store_false", default=None,
                                            help=f"undo {long} (set in a --config file)")
                self.by_flag[opposite] = undo
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
        self.given = self._check_flags(joined)
        args = self.parse_args(joined)
        args.given = dict(self.given)  # which options the command line set (checks of flags that do nothing)
        return args

    def _check_flags(self, tokens: list[str]) -> dict[str, str]:
        """Unknown flags (with the nearest), and a flag given twice; dest -> the flag that set it."""
        given: dict[str, str] = {}  # dest -> the option's long name
        typed: dict[str, str] = {}  # dest -> the option as typed
        skip = False
        for token in tokens:
            if skip or token == "-" or not token.startswith("-") or _is_number(token):
                skip = False
                continue
            if token == "--":
                break
            flag = token.split("=", 1)[0]
            action = self.by_flag.get(flag)
            if action is None:
                raise UsageError(f"unknown option {flag!r}{did_you_mean(flag, self.by_flag)}")
            skip = "=" not in token and flag in self.value_flags
            if action.dest in typed and action.dest not in self.repeatable and action.dest != "help":
                first = typed[action.dest]
                raise UsageError(f"{flag} given twice" if first == flag else f"{first} and {flag} both given")
            typed[action.dest] = flag
            given[action.dest] = next((s for s in action.option_strings if s.startswith("--")), flag)
        return given


def _is_number(token: str) -> bool:
    try:
        float(token.split(",")[0])
        return True
    except ValueError:
        return False


def whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return value


def one_of(choices: Sequence[str]) -> Callable[[str], str]:
    """An argparse type accepting only `choices`, whose error names the nearest (argparse's `choices` does not)."""
    def parse(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"must be one of {', '.join(choices)}, got {text!r}"
                                             f"{did_you_mean(text, choices)}")
        return text

    parse.__name__ = "choice"
    return parse


def add_look(parser: "Parser", defaults: bool = True, aspects: Sequence[str] = tuple(ASPECTS)) -> None:
    """--theme and --aspect among `aspects` (defaults dark and 16:9; None where a config file may set them)."""
    parser.add_argument("--theme", type=one_of(list(THEMES)), default="dark" if defaults else None,
                        help="dark (default) or light: a white ground for slides")
    parser.add_argument("--aspect", type=one_of(list(aspects)), default="16:9" if defaults else None,
                        help=f"{', '.join(aspects)}: the frame's shape (default 16:9; the shorter side is the "
                             "quality's height)")


MAX_JOBS = 64


def add_jobs(parser: "Parser") -> None:
    """--jobs N: render processes working side by side (default: one per core)."""
    parser.add_argument("--jobs", type=positive_int, help="render processes side by side, each taking whole "
                        "scenes or parts of one (default: one per core); the output is the same for any N")


def jobs(value: int | None) -> int:
    """The --jobs to use: the given number (at most MAX_JOBS), or the cores this process may run on."""
    if value is not None and value > MAX_JOBS:
        raise UsageError(f"--jobs {value} is too many (at most {MAX_JOBS})")
    return value or len(os.sched_getaffinity(0))


def frame_pixels(quality: str, aspect: str) -> tuple[int, int, int]:
    """(width, height, fps) of a quality in a frame shape: the shorter side is the quality's height."""
    width, height, fps = QUALITIES[quality]
    return (*pixel_size(height, aspect), fps)


def check_rendering(fps: int | None, duration: float | None, gif_width: int | None, default_fps: int) -> None:
    """The bounds of the table in landscapes/limits.py that every rendering subcommand shares."""
    if fps is not None:
        check("fps", fps)
    if duration is not None:
        check_duration(duration)
        check("frames", math.ceil(duration * (fps or default_fps)))
    if gif_width is not None:
        check("gif_width", gif_width)


def check_duration(duration: float | None) -> None:
    if duration is not None:
        if not math.isfinite(duration):
            raise UsageError(f"--duration must be finite, got {duration}")
        check("duration", duration)

