"""The bounds every input is held to, in one table used by every layer and subcommand (the README lists it).

Each bound keeps a typo from running for hours, filling a disk or overflowing inside a compiled program; each
is far beyond what a picture or a lesson needs.
"""

from dataclasses import dataclass

from .spec import SpecError


@dataclass(frozen=True)
class Limit:
    """`low <= value <= high` (or `low < value` when `open_low`) for the input `what`."""

    what: str
    low: float
    high: float
    open_low: bool = False

    def check(self, value: float, name: str | None = None) -> None:
        """A SpecError naming the input, the bounds and the value, unless the value lies within them."""
        inside = (self.low < value if self.open_low else self.low <= value) and value <= self.high
        if not inside:
            low, high = number(self.low), number(self.high)
            bound = f"in ({low}, {high}]" if self.open_low else f"from {low} to {high}"
            raise SpecError(f"{name or self.what} must be {bound}, got {number(value)}")


def number(value: float) -> str:
    """36,000 for whole numbers a reader counts; 1e+06 and 0.001 otherwise."""
    if float(value).is_integer() and abs(value) < 1e13:
        return f"{int(value):,}"
    return str(value) if isinstance(value, int) else f"{value:g}"


LIMITS = {
    "fps": Limit("--fps", 1, 120),
    "duration": Limit("--duration (seconds)", 0, 600, open_low=True),
    "frames": Limit("frames (--duration × --fps)", 1, 36_000),
    "gif_width": Limit("--gif-width (pixels)", 64, 3840),
    "steps": Limit("--steps", 1, 100_000),
    "study_steps": Limit("--steps (basins, sweep, tune)", 1, 5_000),
    "starts": Limit("--start points", 1, 64),
    "optimizers": Limit("optimizers per run", 1, 16),
    # optimizers × starts × (steps + 1): what a race keeps and exports (2 M points: a 120 MB CSV)
    "path_points": Limit("path points (optimizers × starts × steps)", 1, 2_000_000),
    # optimizers × configurations × starts × steps of a study: about 10 s on 2 cores (the defaults: 0.1e9 or less)
    "study_work": Limit("optimizer steps of a study (paths × steps)", 1, 5e8),
    "table_rows": Limit("rows of a --table-out CSV", 1, 4_100_000),  # 4 optimizers × 1001²: about 400 MB
    "hidden": Limit("a network's hidden units", 1, 512),
    # a network trains in all P dimensions: optimizers × steps × P × examples ≈ 5e11 flops at most (a minute)
    "network_steps": Limit("--steps on a network surface", 1, 3_000),
    "resolution": Limit("--resolution", 2, 1001),
    "rates": Limit("--learning-rates count N", 2, 4096),
    "seed": Limit("--seed", 0, 2**32 - 1),
    "noise": Limit("--noise", 0, 1e6),
    "hyperparameter": Limit("a hyperparameter's size", 0, 1e6),
    "integer_hyperparameter": Limit("an integer hyperparameter", 0, 2**31 - 1),
    "coordinate": Limit("a --domain bound's size (starts lie in the domain)", 0, 1e6),
    "domain_span": Limit("--domain width and height", 1e-6, 2e6),
    "spec_length": Limit("a --surface or --optimizer value (characters)", 1, 1000),
    "expression_length": Limit("a surface expression (characters)", 1, 500),
    "expression_depth": Limit("a surface expression's nesting", 0, 50),
    "expression_exponent": Limit("an exponent in a surface expression", -64, 64),
    "expression_literal": Limit("a number in a surface expression", -1e100, 1e100),
    "config_bytes": Limit("a --config file (bytes)", 0, 1_000_000),
    "file_name_bytes": Limit("an output's file name (bytes)", 1, 255),  # Linux's NAME_MAX
    "path_bytes": Limit("an output's path (bytes)", 1, 4095),  # Linux's PATH_MAX, less the final NUL
}


def limits_table() -> str:
    """The table as Markdown rows, for the README (a test keeps the two the same)."""
    rows = ["| input | allowed |", "|---|---|"]
    for limit in LIMITS.values():
        low, high = number(limit.low), number(limit.high)
        rows.append(f"| {limit.what} | {f'more than {low}, up to {high}' if limit.open_low else f'{low} to {high}'} |")
    return "\n".join(rows)


def check_length(spec: str) -> None:
    """A --surface or --optimizer value within LIMITS["spec_length"] characters."""
    longest = int(LIMITS["spec_length"].high)
    if len(spec) > longest:
        raise SpecError(f"{spec[:24]!r}... is too long ({len(spec):,} characters, max {longest:,})")


def check(name: str, value: float, label: str | None = None) -> None:
    """LIMITS[name].check(value): one line naming the input if it is out of bounds."""
    LIMITS[name].check(value, label)
