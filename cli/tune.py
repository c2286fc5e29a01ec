"""`render.py tune`: an exhaustive, vmapped grid search per optimizer over its learning rate and momentum / β₁."""

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from landscapes.limits import check
from scenes.job import ASPECTS

from .config import Config, parse_start
from .options import one_of
from .study import check_common, check_work, outputs, publish_table, refuse_settings, resolve, study_parser, table_writer

OBJECTIVES = {"final": "final loss", "mean": "mean loss over the run"}
RATES = (1e-4, 10.0)  # the learning rates searched, log-spaced
MOMENTA = 16  # momentum / β₁ values: 0 up to 0.98, denser near 1
CONFIGURATIONS = 1024  # per optimizer: 64 rates × 16 momenta, or 1024 rates
MOMENTUM_KEYS = ("momentum", "b1")
HEADER = ["optimizer", "spec", "objective"]


def tune_parser():
    parser = study_parser("tune", "Find each optimizer's best settings by exhaustive grid search.", steps=500,
                          aspects=tuple(ASPECTS))
    a = parser.add_argument
    a("--start", action="append", help="start point X,Y; repeatable (default: the surface's own)")
    a("--objective", type=one_of(list(OBJECTIVES)), default="final", help="final (the final loss, default) or mean (the mean loss over the run)")
    return parser


def grid(optimizer) -> dict[str, np.ndarray]:
    """The configurations searched: rates × momenta where the optimizer has a momentum or β₁, else rates only.

    Values are rounded to 4 significant digits, so that each spec printed reproduces its run exactly.
    """
    rounded = lambda v: np.array([float(f"{x:.4g}") for x in v])  # noqa: E731
    key = next((k for k in MOMENTUM_KEYS if k in optimizer.hyperparameters), None)
    if key is None:
        return {"learning_rate": rounded(np.geomspace(*RATES, CONFIGURATIONS))}
    rates = rounded(np.geomspace(*RATES, CONFIGURATIONS // MOMENTA))
    momenta = rounded(1 - np.geomspace(1.0, 0.02, MOMENTA))
    r, m = np.meshgrid(rates, momenta, indexing="ij")
    return {"learning_rate": r.ravel(), key: m.ravel()}


def spec_of(optimizer, config: dict[str, np.ndarray], i: int) -> str:
    """An --optimizer value that reproduces configuration i."""
    return f"{optimizer.name}:" + ",".join(f"{k}={float(v[i])!r}" for k, v in config.items())


def tune(surface, optimizers, starts, num_steps: int, objective: str):
    """Per optimizer: (best spec, its objective, the runner-up's margin), all configurations in one program."""
    from optimizers import engine

    configs = [grid(o) for o in optimizers]
    finals = engine.final_points(surface, optimizers, starts, num_steps, configs=configs,
                                 watch=engine.Watch(mean_loss=objective == "mean"), dtype=np.float64)
    per_start = finals.mean_loss if objective == "mean" else finals.loss  # (O, C, K)
    # a configuration that diverges from any start, or ends on a non-finite loss, is out
    bad = (finals.diverged_at >= 0).any(axis=2) | ~np.isfinite(per_start).all(axis=2)
    score = np.where(bad, np.inf, per_start.mean(axis=2))
    results = []
    for o, optimizer in enumerate(optimizers):
        order = np.argsort(score[o], kind="stable")
        best, second = score[o, order[0]], score[o, order[1]]
        results.append((spec_of(optimizer, configs[o], int(order[0])), float(best), float(second - best)))
    return results


def main(argv: Sequence[str]) -> int:
    args = tune_parser().parse(argv)
    check_common(args)
    refuse_settings(args, ("learning_rate", *MOMENTUM_KEYS), "tune")
    objective = args.objective
    check("starts", max(1, len(args.start or [])), "--start points")
    starts = [parse_start(s) for s in args.start or []]
    surface, optimizers = resolve(args)
    starts = starts or [tuple(s) for s in surface.landscape.starts]
    check_work(len(optimizers) * CONFIGURATIONS * len(starts), args.steps)
    targets, table = outputs(args, "tuned", surface.name, ())
    results = tune(surface, optimizers, starts, args.steps, objective)
    how = f"{OBJECTIVES[objective]}, mean of {len(starts)} start{'s' * (len(starts) > 1)}"
    width = max(len(r[0]) for r in results)
    print(f"{'optimizer':10} {'best spec':{width}} {how:>28}  runner-up margin")
    for optimizer, (spec, value, margin) in zip(optimizers, results):
        print(f"{optimizer.info.title:10} {spec:{width}} {value:28.6g}  {margin:.3g}")
    rows = [[o.name, spec, repr(value)] for o, (spec, value, _) in zip(optimizers, results)]
    if targets:
        extra = {table: table_writer(HEADER, rows)} if table else {}
        render_tuned(args, [spec for spec, _, _ in results], starts, targets, how, extra)
    elif table:
        publish_table(table, HEADER, rows, args.quiet)
    return 0


def render_tuned(args, specs: list[str], starts, targets, how: str, extra: dict) -> None:
    """The race with the tuned settings; the legend says 'tuned' and the note names the objective."""
    from .compute import compute
    from .outputs import work_folder
    from .race import render_race, run_spec

    config = Config(surface=args.surface, optimizer=specs, steps=args.steps, start=[f"{x!r},{y!r}" for x, y in starts],
                    quality=args.quality, fps=args.fps, gif_width=args.gif_width, duration=args.duration,
                    quiet=args.quiet, domain=args.domain, theme=args.theme, aspect=args.aspect)
    run = compute(run_spec(config))
    tuned = tuple(replace(o, title=f"{o.title} tuned") for o in run.meta.optimizers)
    run = replace(run, meta=replace(run.meta, optimizers=tuned))
    with work_folder() as folder:
        for path in render_race(run, config, targets, folder, note=f"tuned on {how}", extra=extra):
            if not args.quiet:
                print(f"wrote {path}")
