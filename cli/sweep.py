"""`render.py sweep`: final loss against learning rate per optimizer, and the range of rates that converge."""

from collections.abc import Sequence

import numpy as np

from landscapes.limits import check
from landscapes.spec import parse_number
from optimizers.run import RunSpec

from .compute import compute
from .config import parse_start
from .errors import UsageError
from .study import check_common, check_work, refuse_settings, outputs, optimizer_specs, render_study, resolve, study_parser, table_writer

DEFAULT_RATES = "1e-4:10:64"
FAN = 7  # paths the animation draws, one per rate
TOLERANCE = 1e-3  # converged: final loss within this share of the surface's height range of the global minimum
HEADER = ["optimizer", "learning_rate", "final_loss", "converged", "diverged_at"]


def sweep_parser():
    parser = study_parser("sweep", "Final loss against learning rate, per optimizer.", steps=300)
    a = parser.add_argument
    a("--learning-rates", default=DEFAULT_RATES, help=f"MIN:MAX:N, N rates spaced in log (default {DEFAULT_RATES})")
    a("--start", help="start point X,Y (default: the surface's first)")
    return parser


def parse_rates(text: str) -> np.ndarray:
    parts = text.split(":")
    if len(parts) != 3:
        raise UsageError(f"--learning-rates needs MIN:MAX:N, got '{text}'")
    low, high = (parse_number(p, f"--learning-rates value in '{text}'") for p in parts[:2])
    try:
        count = int(parts[2])
    except ValueError:
        raise UsageError(f"--learning-rates: N must be a whole number, got '{parts[2]}'") from None
    if not 0 < low < high:
        raise UsageError(f"--learning-rates needs 0 < MIN < MAX, got {low:g}:{high:g}")
    check("rates", count)
    return np.geomspace(low, high, count)


def global_minimum(surface, grid_z: np.ndarray, finals_loss: np.ndarray) -> float:
    """The documented global minimum's loss, else the lowest loss seen on the grid or by any run."""
    known = [m.value for m in surface.landscape.minima if m.kind == "global"]
    if known:
        return float(min(known))
    seen = np.concatenate([grid_z.ravel(), finals_loss.ravel()])
    return float(np.nanmin(seen[np.isfinite(seen)]))


def compute_sweep(surface, optimizers, rates: np.ndarray, num_steps: int, start):
    """RateSweep: every optimizer at every rate from one start, in one program."""
    from optimizers import engine
    from optimizers.outcomes import RateSweep, robust_range

    finals = engine.final_points(surface, optimizers, [start], num_steps,
                                 configs=[{"learning_rate": rates}] * len(optimizers), dtype=np.float64)
    loss, diverged_at = finals.loss[:, :, 0], finals.diverged_at[:, :, 0]
    _, _, grid_z = engine.height_grid(surface)
    f_star = global_minimum(surface, grid_z, loss[diverged_at < 0])
    z = grid_z[np.isfinite(grid_z)]
    tolerance = TOLERANCE * float(np.quantile(z, 0.99) - f_star)
    converged = (diverged_at < 0) & (loss - f_star <= tolerance)
    ranges = [r for r in (robust_range(rates, c) for c in converged) if r]
    low, high = (min(r[0] for r in ranges) / 3, max(r[1] for r in ranges) * 1.5) if ranges else (rates[0], rates[-1])
    fan = np.geomspace(max(low, rates[0]), min(high, rates[-1]), FAN)
    return RateSweep(names=tuple(o.name for o in optimizers), titles=tuple(o.info.title for o in optimizers),
                     colors=tuple(o.info.color for o in optimizers), f_star=f_star, tolerance=tolerance,
                     rates=rates, final_loss=loss, diverged_at=diverged_at, converged=converged, fan_rates=fan)


def table_rows(sweep) -> list:
    return [[name, repr(float(rate)), repr(float(sweep.final_loss[o, r])), int(sweep.converged[o, r]),
             int(sweep.diverged_at[o, r])]
            for o, name in enumerate(sweep.names) for r, rate in enumerate(sweep.rates)]


def main(argv: Sequence[str]) -> int:
    args = sweep_parser().parse(argv)
    check_common(args)
    refuse_settings(args, ("learning_rate",), "sweep")
    rates = parse_rates(args.learning_rates)
    start = parse_start(args.start) if args.start else None
    surface, optimizers = resolve(args)
    check_work(len(optimizers) * len(rates), args.steps)
    start = start or surface.landscape.starts[0]
    targets, table = outputs(args, "sweep", surface.name, (".png",))
    sweep = compute_sweep(surface, optimizers, rates, args.steps, start)
    if not args.quiet:
        for o, title in enumerate(sweep.titles):
            band = sweep.robust(o)
            print(f"{title:10} " + (f"converges for η from {band[0]:.3g} to {band[1]:.3g} ({band[1] / band[0]:.3g}×)"
                                    if band else "converges for no rate in the sweep"))
    animated = any(t.suffix.lower() in (".mp4", ".gif") for t in targets)
    # the paths of a handful of rates for the animation; the still needs only the surface's metadata
    fan = compute(RunSpec(args.surface, tuple(optimizer_specs(args)), (tuple(start),), args.steps if animated else 1,
                          sweep=("learning_rate", tuple(float(r) for r in sweep.fan_rates)), domain=args.domain))
    extra = {table: table_writer(HEADER, table_rows(sweep))} if table else {}
    render_study("fan", targets, args, run=fan, study=sweep, still_scene="sweep", extra=extra)
    return 0
