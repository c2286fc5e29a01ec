"""`render.py basins`: where every start of an N × N grid ends up, per optimizer (basins of attraction)."""

import math
from collections.abc import Sequence

import numpy as np

from landscapes.limits import check
from optimizers.run import RunSpec

from .compute import compute
from .options import positive_int
from .study import check_common, check_work, outputs, optimizer_specs, render_study, resolve, study_parser, table_writer

DEFAULT_RESOLUTION = 201
FRAMES = 60  # snapshots of the maps for an animation
HEADER = ["optimizer", "x0", "y0", "x", "y", "loss", "minimum", "steps"]


def basins_parser():
    parser = study_parser("basins", "Map which minimum each start reaches, per optimizer.", steps=500)
    parser.add_argument("--resolution", type=positive_int, default=DEFAULT_RESOLUTION,
                        help=f"starts per side of the grid (default {DEFAULT_RESOLUTION})")
    return parser


def compute_basins(surface, optimizers, resolution: int, num_steps: int, frames: int = 0):
    """(Basins, Finals, starts): final points of the grid, each classed by the minimum it reached."""
    from optimizers import engine
    from optimizers.outcomes import DIVERGED, REACH, SETTLE, Basins, classify, cluster, start_grid

    xmin, xmax, ymin, ymax = surface.domain
    span = max(xmax - xmin, ymax - ymin)
    xs, ys, starts = start_grid(surface.domain, resolution)
    every = max(1, math.ceil(num_steps / frames)) if frames else engine.CHUNK
    watch = engine.Watch(settle=SETTLE * span, every=every, frames=bool(frames))
    finals = engine.final_points(surface, optimizers, starts, num_steps, watch=watch)
    params, loss = finals.params[:, 0], finals.loss[:, 0]  # (O, n², 2), (O, n²)
    diverged = finals.diverged_at[:, 0] >= 0
    known = surface.landscape.minima
    if known:  # classes in the surface's documented order; a saddle is no minimum, so nothing is classed there
        minima = np.array([(m.x, m.y, m.value) for m in known], float)
        is_global = tuple(m.kind == "global" for m in known)
        targets = np.where(np.array([m.kind == "saddle" for m in known])[:, None], np.nan, minima[:, :2])
    else:  # an expression: the minima are where the final points gather, lowest first
        minima = cluster(params[~diverged], loss[~diverged], REACH * span)
        lowest = minima[0, 2] if len(minima) else 0.0
        is_global = tuple(bool(f <= lowest + 1e-6 * max(1.0, abs(lowest))) for f in minima[:, 2])
        targets = minima[:, :2]
    reached = np.where(diverged, DIVERGED, classify(params, targets, REACH * span))
    steps = np.where(reached >= 0, finals.settled_at[:, 0], -1)
    if frames:
        moving = finals.frames[:, :, 0]  # (O, F, n², 2)
        by_then = finals.diverged_at[:, None, 0] <= finals.frame_steps[None, :, None]
        gone = by_then & diverged[:, None, :]
        shot = np.stack([np.where(g, DIVERGED, classify(m, targets, REACH * span)) for g, m in zip(gone, moving)])
    else:
        shot = np.zeros((len(optimizers), 0, len(starts)), int)
    n = resolution
    basins = Basins(
        names=tuple(o.name for o in optimizers), titles=tuple(o.info.title for o in optimizers),
        colors=tuple(o.info.color for o in optimizers), minima=tuple(map(tuple, minima.tolist())),
        is_global=is_global, documented=bool(known), num_steps=num_steps, xs=xs, ys=ys,
        reached=reached.reshape(-1, n, n), steps=steps.reshape(-1, n, n),
        frames=shot.reshape(len(optimizers), -1, n, n), frame_steps=finals.frame_steps)
    return basins, finals, starts


def table_rows(basins, finals, starts) -> list:
    """optimizer,x0,y0,x,y,loss,minimum,steps per start (a diverged start's minimum is −1 too)."""
    rows = []
    for o, name in enumerate(basins.names):
        reached, steps = basins.reached[o].ravel(), basins.steps[o].ravel()
        for k, (x0, y0) in enumerate(starts):
            x, y = finals.params[o, 0, k]
            rows.append([name, repr(float(x0)), repr(float(y0)), repr(float(x)), repr(float(y)),
                         repr(float(finals.loss[o, 0, k])), int(max(reached[k], -1)), int(steps[k])])
    return rows


def main(argv: Sequence[str]) -> int:
    args = basins_parser().parse(argv)
    check_common(args)
    check("resolution", args.resolution)
    surface, optimizers = resolve(args)
    check_work(len(optimizers) * args.resolution**2, args.steps)
    targets, table = outputs(args, "basins", surface.name, (".png",))
    if table:
        check("table_rows", len(optimizers) * args.resolution**2)
    animated = any(t.suffix.lower() in (".mp4", ".gif") for t in targets)
    basins, finals, starts = compute_basins(surface, optimizers, args.resolution, args.steps, FRAMES if animated else 0)
    for o, title in enumerate(basins.titles):
        if not args.quiet:
            print(f"{title:10} {100 * basins.share_global(o):5.1f}% of starts reach a global minimum")
    run = compute(RunSpec(args.surface, tuple(optimizer_specs(args)), steps=1, domain=args.domain))  # its grid
    extra = {table: table_writer(HEADER, table_rows(basins, finals, starts))} if table else {}
    render_study("basins", targets, args, run=run, study=basins, extra=extra)
    return 0
