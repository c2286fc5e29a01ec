"""losscape: render optimizers racing down a loss surface (MP4 / GIF / PNG), or export their trajectories.

    python render.py                                   # the default race, to media/
    python render.py --surface saddle --optimizer gd,adam -o saddle.gif
    python render.py list                              # surfaces, optimizers, views, explainer chapters
    python render.py explainer all -o optimizers.mp4   # the lesson "from gradient descent to Adam"
"""

import argparse
import csv
import math
import os
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from landscapes.spec import SpecError, did_you_mean, parse_number

QUALITIES = {"low": (854, 480, 15), "medium": (1280, 720, 30), "high": (1920, 1080, 60), "4k": (3840, 2160, 60)}
VIEWS = {"3d": "the surface in 3D with the paths racing down it",
         "contour": "top-down filled contours with the paths (the classic 2D view)",
         "split": "the 3D race beside loss-vs-step curves growing in sync"}
VIDEO_SUFFIXES = (".mp4", ".gif", ".png")
TRAJECTORY_SUFFIXES = (".csv", ".npz")
DEFAULT_OPTIMIZERS = ["gd", "momentum", "rmsprop", "adam"]
MAX_STARTS = 64


class UsageError(SpecError):
    """Bad command-line input: reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit 2, instead of argparse's usage dump
        raise UsageError(message)


@dataclass(frozen=True)
class Config:
    """Validated settings for one render / export."""

    surface: str = "two-holes"
    optimizer: list[str] = field(default_factory=lambda: list(DEFAULT_OPTIMIZERS))
    steps: int | None = None
    start: list[str] = field(default_factory=list)
    domain: str | None = None
    noise: float = 0.0
    batch_size: int | None = None
    seed: int = 0
    output: list[str] = field(default_factory=list)
    trajectory_out: str | None = None
    no_render: bool = False
    quality: str = "low"
    fps: int | None = None
    duration: float = 10.0
    view: str = "3d"
    gif_width: int = 640
    glyphs: bool = False
    equations: bool = False
    preview: bool = False
    quiet: bool = False


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, got '{text}'")
    return value


def render_parser() -> _Parser:
    p = _Parser(prog="render.py", description="Render optimizers racing down a loss surface.")
    a = p.add_argument
    a("--surface", help="registered name[:key=value] (see `list`) or an expression in x and y")
    a("--optimizer", action="append", help="NAME[:key=value,...]; repeatable; NAME,NAME,... lists several")
    a("--steps", type=_positive_int, help="optimizer steps (default: 150, or 300 without rendering)")
    a("--start", action="append", help="start point X,Y; repeatable (default: the surface's own)")
    a("--domain", help="xmin,xmax,ymin,ymax (expressions; default -2,2,-2,2)")
    a("--noise", type=_finite, help="standard deviation of Gaussian noise added to every gradient")
    a("--batch-size", type=_positive_int, help="minibatch size on a data landscape (1 = SGD)")
    a("--seed", type=int, help="seed for noise and minibatches")
    a("-o", "--output", action="append", help="FILE.mp4 | FILE.gif | FILE.png; repeatable (default: media/)")
    a("--trajectory-out", help="also write trajectories to FILE.csv or FILE.npz (the full Run)")
    a("--no-render", action="store_true", default=None, help="compute and export trajectories only")
    a("--quality", choices=QUALITIES, help="low 854x480@15, medium 720p30, high 1080p60, 4k 2160p60")
    a("--fps", type=_positive_int, help="frames per second (default: the quality's)")
    a("--duration", type=_finite, help="seconds the steps are spread over (default 10)")
    a("--view", choices=VIEWS, help="3d (default), contour, split")
    a("--gif-width", type=_positive_int, help="GIF width in pixels (default 640)")
    a("--glyphs", action="store_true", default=None, help="draw optimizer-state glyphs at each path's head")
    a("--equations", action="store_true", default=None, help="show each optimizer's update rule")
    a("--preview", action="store_true", default=None, help="open ManimGL's window instead of writing files")
    a("--config", help="TOML file with the same keys as the flags (flags override)")
    a("-q", "--quiet", action="store_true", default=None, help="no progress bar, no messages")
    return p


def _join_negative_values(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """`--start -1.5,1.5` -> `--start=-1.5,1.5`: values that begin with '-' work as users type them."""
    options = set(parser._option_string_actions)
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        takes_value = token in options and parser._option_string_actions[token].nargs != 0
        if takes_value and i + 1 < len(argv) and argv[i + 1].startswith("-") and argv[i + 1] not in options \
                and not argv[i + 1].startswith("--"):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def _load_toml(path: str, parser: argparse.ArgumentParser) -> dict:
    """Config-file keys are the flags' names (kebab or snake case); lists allowed where flags repeat."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as error:
        raise UsageError(f"cannot read --config {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"bad TOML in {path}: {error}") from None
    dests = {a.dest: a for a in parser._actions if a.dest not in ("help", "config")}
    values = {}
    for key, value in data.items():
        dest = key.replace("-", "_")
        if dest not in dests:
            raise UsageError(f"unknown key '{key}' in {path}{did_you_mean(dest, dests)}")
        action = dests[dest]
        items = value if isinstance(value, list) else [value]
        if isinstance(action, argparse._AppendAction):
            values[dest] = [str(v) for v in items]
        elif action.nargs == 0:
            if not isinstance(value, bool):
                raise UsageError(f"key '{key}' in {path} must be true or false")
            values[dest] = value
        else:
            text = str(value)
            try:
                values[dest] = action.type(text) if action.type else text
            except argparse.ArgumentTypeError as error:
                raise UsageError(f"key '{key}' in {path}: {error}") from None
            if action.choices and values[dest] not in action.choices:
                raise UsageError(f"key '{key}' in {path} must be one of {', '.join(action.choices)}")
    return values


def parse_config(argv: Sequence[str]) -> Config:
    """argv (+ optional TOML) -> Config; raises UsageError/SpecError with a one-line message."""
    parser = render_parser()
    args = parser.parse_args(_join_negative_values(list(argv), parser))
    settings = _load_toml(args.config, parser) if args.config else {}
    settings.update({k: v for k, v in vars(args).items() if v is not None and k != "config"})
    config = Config(**settings)
    if config.duration <= 0 or config.duration > 600:
        raise UsageError(f"--duration must be in (0, 600] seconds, got {config.duration:g}")
    if config.fps is not None and config.fps > 120:
        raise UsageError(f"--fps must be at most 120, got {config.fps}")
    if len(config.start) > MAX_STARTS:
        raise UsageError(f"at most {MAX_STARTS} --start points, got {len(config.start)}")
    return config


def parse_start(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise UsageError(f"--start needs X,Y, got '{text}'")
    x, y = (parse_number(p, f"--start value in '{text}'") for p in parts)
    return x, y


def check_output(path: str, suffixes: Sequence[str], flag: str) -> Path:
    """The target's suffix is one we write and its folder exists and is writable."""
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        raise UsageError(f"{flag} {path}: unsupported format '{target.suffix}' (use {', '.join(suffixes)})")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{flag} {path}: folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK) or target.is_dir() or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"{flag} {path}: not writable")
    return target


def compute(config: Config, num_steps: int):
    """Resolve names, run the engine once; JAX is imported here, never in the scene process."""
    from landscapes import resolve_surface
    from optimizers.engine import simulate
    from optimizers.registry import resolve_optimizers

    surface = resolve_surface(config.surface, config.domain)
    optimizers = resolve_optimizers(config.optimizer, surface)
    starts = [parse_start(s) for s in config.start] or list(surface.landscape.starts)
    return simulate(surface, optimizers, starts, num_steps, noise=config.noise,
                    batch_size=config.batch_size, seed=config.seed)


def write_trajectories(run, path: Path) -> None:
    """FILE.npz: the full Run; FILE.csv: optimizer,start,step,x,y,loss grouped per optimizer, then start."""
    from optimizers.run import write_atomic

    if path.suffix.lower() == ".npz":
        run.save(path)
        return

    def write(f):
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["optimizer", "start", "step", "x", "y", "loss"])
        for o, name in enumerate(run.optimizer_names):
            for k in range(run.params.shape[2]):
                for t, ((x, y), loss) in enumerate(zip(run.params[o, 0, k], run.loss[o, 0, k])):
                    out.writerow([name, k, t, repr(float(x)), repr(float(y)), repr(float(loss))])

    write_atomic(path, write, mode="w")


def cmd_render(argv: Sequence[str]) -> int:
    config = parse_config(argv)
    trajectory = check_output(config.trajectory_out, TRAJECTORY_SUFFIXES, "--trajectory-out") \
        if config.trajectory_out else None
    if config.no_render and not trajectory:
        raise UsageError("--no-render needs --trajectory-out FILE.csv|FILE.npz")
    outputs = [] if config.no_render else [check_output(o, VIDEO_SUFFIXES, "--output") for o in config.output]
    if config.preview and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise UsageError("--preview needs a display (DISPLAY is not set); write a file with -o instead")
    steps = config.steps or (300 if config.no_render else 150)
    run = compute(config, steps)
    if trajectory:
        write_trajectories(run, trajectory)
        _say(config, f"wrote {trajectory}")
    if config.no_render:
        return 0
    from scenes.launch import render_run

    for path in render_run(run, config, outputs, QUALITIES[config.quality]):
        _say(config, f"wrote {path}")
    return 0


def _say(config: Config, message: str) -> None:
    if not config.quiet:
        print(message)


def cmd_list(argv: Sequence[str]) -> int:
    """Surfaces (formula, parameters), optimizers (keys and defaults), views and explainer chapters."""
    if argv:
        raise UsageError(f"list takes no arguments, got '{argv[0]}'")
    from landscapes import LANDSCAPES, resolve_surface
    from optimizers.registry import OPTIMIZERS, optimizer_keys
    from scenes.chapters import CHAPTERS

    print("Surfaces (--surface NAME[:key=value] or an expression in x, y):")
    for name, land in LANDSCAPES.items():
        params = ", ".join(f"{k}={v:g}" for k, v in land.parameters.items())
        print(f"  {name:18} {land.title}{f'  [{params}]' if params else ''}\n  {'':18} f = {resolve_surface(name).formula}")
    print("\nOptimizers (--optimizer NAME[:key=value,...]; also optax:<alias>):")
    for name, info in OPTIMIZERS.items():
        keys = ", ".join(f"{k}={info.defaults[k]:g}" if k in info.defaults else f"{k}=per surface"
                         for k in optimizer_keys(info))
        print(f"  {name:10} {info.title:10} {keys}")
    print("\nViews (--view):")
    for name, text in VIEWS.items():
        print(f"  {name:10} {text}")
    print("\nExplainer chapters (render.py explainer NAME|all):")
    for name, chapter in CHAPTERS.items():
        print(f"  {name:12} {chapter.summary}")
    return 0


def cmd_explainer(argv: Sequence[str]) -> int:
    from scenes.explainer_cli import main as explainer_main

    return explainer_main(argv)


COMMANDS = {"list": cmd_list, "explainer": cmd_explainer}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = COMMANDS.get(argv[0]) if argv else None
    try:
        return command(argv[1:]) if command else cmd_render(argv)
    except SpecError as error:  # UsageError included: every bad input is one line, exit 2
        print(f"render.py: error: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:  # rendering itself failed; its own message is above
        print(f"render.py: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("render.py: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `render.py list | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
