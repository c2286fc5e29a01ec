"""The race's settings: flags and an optional TOML file (same keys) -> one frozen, validated Config."""

import argparse
import datetime
import functools
import os
import shutil
import stat
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from landscapes.limits import LIMITS, check, check_length
from landscapes.spec import did_you_mean, parse_number, split_specs
from scenes.claims import Claim, closest_approach, ends_near, minimum, path
from scenes.views import VIEWS

from .errors import UsageError
from .options import QUALITIES, Parser, add_jobs, add_look, check_rendering, finite, one_of, positive_int, whole

DEFAULT_OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")
DEFAULT_SURFACE = "two-holes"
RENDERING = ("quality", "fps", "duration", "view", "gif_width", "glyphs", "dots", "equations",
             "subtitles", "theme", "aspect", "jobs")  # no use unrendered


def default_race_story(runs) -> bool:
    """GD, RMSprop and Adam end in the shallow hole; momentum passes within 0.3 of it and ends in the deep one."""
    run = runs["race"]
    shallow, deep = minimum(run, "local"), minimum(run, "global")
    return (all(ends_near(path(run, o), shallow) for o in ("gd", "rmsprop", "adam"))
            and closest_approach(path(run, "momentum"), shallow) < 0.3 and ends_near(path(run, "momentum"), deep))


DEFAULT_RACE_CLAIM = Claim("GD, RMSprop and Adam settle in the shallow hole at the origin; momentum rolls over it "
                           "into the deeper one near (1, 1).", default_race_story)


@dataclass(frozen=True)
class Config:
    """Validated settings for one render / export."""

    surface: str = DEFAULT_SURFACE
    optimizer: list[str] = field(default_factory=lambda: list(DEFAULT_OPTIMIZERS))
    steps: int | None = None
    start: list[str] = field(default_factory=list)
    domain: str | None = None
    noise: float = 0.0
    batch_size: int | None = None
    seed: int = 0
    projection: str | None = None
    output: list[str] = field(default_factory=list)
    trajectory_out: str | None = None
    subtitles: str | None = None
    no_render: bool = False
    quality: str = "medium"
    fps: int | None = None
    duration: float = 10.0
    view: str = "3d"
    gif_width: int = 640
    glyphs: bool = False
    dots: bool = False
    equations: bool = False
    theme: str = "dark"
    aspect: str = "16:9"
    preview: bool = False
    jobs: int | None = None  # None: one per core
    quiet: bool = False
    config_file: str | None = None  # the --config file the settings came from (never an output)

    @property
    def num_steps(self) -> int:
        return self.steps or (300 if self.no_render else 150)

    @property
    def starts(self) -> tuple[tuple[float, float], ...]:
        return tuple(parse_start(s) for s in self.start)


def sized_formatter() -> Callable[..., argparse.HelpFormatter]:
    """argparse's help formatter at the terminal's width, measured once (argparse measures it per option added)."""
    return functools.partial(argparse.HelpFormatter, width=shutil.get_terminal_size().columns - 2)


def race_parser() -> Parser:
    p = Parser(prog="render.py", description="Render optimizers racing down a loss surface.",
               formatter_class=sized_formatter())
    a = p.add_argument
    a("--surface", help="registered name[:key=value] (see `list`) or an expression in x and y")
    a("--optimizer", action="append", help="NAME[:key=value,...]; repeatable; NAME,NAME,... lists several")
    a("--steps", type=positive_int, help="optimizer steps (default: 150, or 300 without rendering)")
    a("--start", action="append", help="start point X,Y; repeatable (default: the surface's own)")
    a("--domain", help="xmin,xmax,ymin,ymax (default: the surface's own; -2,2,-2,2 for expressions)")
    a("--noise", type=finite, help="standard deviation of Gaussian noise added to every gradient")
    a("--batch-size", type=positive_int, help="minibatch size on a data landscape (1 = SGD)")
    a("--seed", type=whole, help="seed for noise, minibatches and a network's initial weights")
    a("--projection", type=one_of(["pca", "random"]),
      help="a network's plane: pca (of the paths, default) or random (filter-normalised directions)")
    a("-o", "--output", action="append", help="FILE.mp4 | FILE.gif | FILE.png; repeatable (default: media/)")
    a("--trajectory-out", help="also write trajectories to FILE.csv or FILE.npz (the full Run)")
    a("--subtitles", help="also write the captions with their time spans to FILE.srt or FILE.vtt")
    a("--no-render", action="store_true", default=None, help="compute and export trajectories only")
    a("--quality", type=one_of(list(QUALITIES)), help="low 854x480@15, medium 720p30, high 1080p60, 4k 2160p60")
    a("--fps", type=positive_int, help="frames per second (default: the quality's)")
    a("--duration", type=finite, help="seconds the steps are spread over (default 10)")
    a("--view", type=one_of(list(VIEWS)), help=", ".join(VIEWS) + " (default 3d)")
    a("--gif-width", type=positive_int, help="GIF width in pixels (default 640)")
    a("--glyphs", action="store_true", default=None, help="draw optimizer-state glyphs at each path's head")
    a("--dots", action="store_true", default=None, help="a dot at every step, so step sizes show")
    a("--equations", action="store_true", default=None, help="show each optimizer's update rule")
    add_look(p, defaults=False)
    add_jobs(p)
    a("--preview", action="store_true", default=None, help="open ManimGL's window instead of writing files")
    a("--config", help="TOML file with the same keys as the flags (flags override)")
    a("-q", "--quiet", action="store_true", default=None, help="no progress bar, no messages")
    return p


def read_toml(path: str) -> dict:
    """A --config file's table: a regular, UTF-8 TOML file of at most LIMITS["config_bytes"] bytes."""
    if not path:
        raise UsageError("--config needs a file name")
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never ends
            raise UsageError(f"--config {path!r} is not a regular file")
        limit = int(LIMITS["config_bytes"].high)
        if info.st_size > limit:
            raise UsageError(f"--config {path!r} is too large ({info.st_size:,} bytes, max {limit:,})")
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
    except OSError as error:
        raise UsageError(f"cannot read --config {path!r}: {error.strerror}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise UsageError(f"--config {path!r} is not UTF-8 text (byte {raw[error.start]:#x} at offset "
                         f"{error.start})") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"bad TOML in {path!r}: {error}") from None


def kind(value) -> str:
    """How TOML typed a value, for messages: 'a date', 'a table', ..."""
    names = {bool: "true/false", int: "a number", float: "a number", str: "a string", list: "a list",
             dict: "a table", datetime.datetime: "a date and time", datetime.date: "a date",
             datetime.time: "a time"}
    return names.get(type(value), type(value).__name__)


def load_toml(path: str, parser: Parser) -> dict:
    """Config-file keys are the flags' names (kebab or snake case); lists allowed where flags repeat."""
    data = read_toml(path)
    options = {dest: action for dest, action in parser.options.items() if dest not in ("config", "help")}
    values, spelled = {}, {}
    for key, value in data.items():
        dest = key.replace("-", "_")
        if dest not in options:
            raise UsageError(f"unknown key {key!r} in {path}{did_you_mean(dest, options)}")
        if dest in spelled:
            raise UsageError(f"key {dest!r} given twice in {path} (as {spelled[dest]!r} and {key!r})")
        spelled[dest] = key
        action = options[dest]
        if dest in parser.repeatable:
            items = value if isinstance(value, list) else [value]
            wrong = next((item for item in items if type(item) not in (str, int, float)), None)
            if wrong is not None:
                raise UsageError(f"key {key!r} in {path}: expected text or numbers, got {kind(wrong)}")
            values[dest] = [str(v) for v in items]
        elif action.nargs == 0:
            if not isinstance(value, bool):
                raise UsageError(f"key {key!r} in {path} must be true or false, got {kind(value)}")
            values[dest] = value
        else:
            if type(value) not in (str, int, float):
                raise UsageError(f"key {key!r} in {path} must be a number or text, got {kind(value)}")
            try:
                values[dest] = action.type(str(value)) if action.type else str(value)
            except (argparse.ArgumentTypeError, ValueError) as error:
                raise UsageError(f"key {key!r} in {path}: {error}") from None
    return values


def parse_config(argv: Sequence[str]) -> Config:
    """argv (+ optional TOML) -> Config; raises UsageError/SpecError with a one-line message."""
    parser = race_parser()
    args = parser.parse(argv)
    settings = load_toml(args.config, parser) if args.config is not None else {}
    settings.update({k: v for k, v in vars(args).items() if v is not None and k not in ("config", "given")})
    config = Config(**settings, config_file=args.config)
    check_rendering(config.fps, config.duration, config.gif_width, QUALITIES[config.quality][2])
    check("starts", max(1, len(config.start)), "--start points")
    for text in (config.surface, *config.optimizer):
        check_length(text)
    specs = split_specs(config.optimizer)
    check("optimizers", len(specs))
    check("steps", config.num_steps)
    check("path_points", len(specs) * max(1, len(config.start)) * (config.num_steps + 1))
    check("seed", config.seed)
    check("noise", config.noise)
    if config.no_render and config.output:
        raise UsageError("--output has no effect with --no-render (use --trajectory-out FILE.csv|FILE.npz)")
    if config.preview and (config.output or config.no_render):
        raise UsageError(f"--preview writes nothing: it cannot go with {'--output' if config.output else '--no-render'}")
    if "gif_width" in parser.given and not any(o.lower().endswith(".gif") for o in config.output):
        raise UsageError("--gif-width sets the size of GIF outputs: add -o FILE.gif")
    ignored = [flag for dest, flag in parser.given.items() if dest in RENDERING]
    if config.no_render and ignored:
        raise UsageError(f"{ignored[0]} has no effect with --no-render")
    stills = config.output and all(o.lower().endswith(".png") for o in config.output)
    animation = [flag for dest, flag in parser.given.items() if dest in ("fps", "duration")]
    if stills and animation:
        raise UsageError(f"{animation[0]} sets the animation: a PNG is its last frame (add -o FILE.mp4 or FILE.gif)")
    return config


def check_surface_settings(config: Config, is_network: bool) -> None:
    """Flags that a network surface, or a 2-D one, would ignore are refused (after the surface is resolved)."""
    if is_network:
        if config.start:
            raise UsageError(f"--start has no effect on {config.surface}: a network trains from one seeded "
                             "initialization (choose it with --seed)")
        if config.glyphs:
            raise UsageError(f"--glyphs has no effect on {config.surface}: a network's optimizer state has one "
                             "entry per weight, which no 2-D glyph can show")
        return
    if config.projection:
        raise UsageError(f"--projection has no effect on {config.surface}: only network surfaces "
                         "(digits-mlp, moons-mlp) are projected")
    if config.seed and not (config.noise or config.batch_size):
        raise UsageError("--seed has no effect without --noise or --batch-size (nothing random to seed)")


def parse_start(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise UsageError(f"--start needs X,Y, got '{text}'")
    x, y = (parse_number(p, f"--start value in '{text}'") for p in parts)
    return x, y
