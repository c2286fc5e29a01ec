"""Basins and tuning at scale, warm, against a loop that calls the engine once per configuration.

    .venv/bin/python bench/studies.py

(a) Basins: 201² starts × 500 steps × 4 optimizers (gd, momentum, rmsprop, adam) on two-holes, classified
    (`cli.basins.compute_basins`). Target: <= 2 s warm.
(b) Tuning: 6 optimizers × 1,024 configurations × 8 starts × 500 steps on two-holes (`cli.tune.tune`).
    Target: <= 5 s warm.
The baseline for both is what a sampler-based tuner does: one engine call per configuration (each already
compiled: the rates are traced, so one program serves them all), timed on a sample of configurations and
scaled to the whole grid. Nothing asserts.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from cli.basins import compute_basins  # noqa: E402
from cli.tune import grid, tune  # noqa: E402
from landscapes import resolve_surface  # noqa: E402
from optimizers import engine  # noqa: E402
from optimizers.registry import resolve_optimizers  # noqa: E402
from report import best_time, met, print_table  # noqa: E402

STEPS = 500
BASINS = ("gd,momentum,rmsprop,adam", 201)
TUNED = "gd,momentum,nesterov,rmsprop,adam,adagrad"
STARTS = 8
SAMPLE = 16  # configurations per optimizer timed one engine call at a time


def per_configuration(surface, optimizers, configs, starts) -> float:
    """Seconds for the whole grid, one engine call per configuration (sampled and scaled)."""
    total = 0.0
    for opt, config in zip(optimizers, configs):
        count = len(next(iter(config.values())))
        picks = np.linspace(0, count - 1, SAMPLE).astype(int)
        one = lambda i: engine.final_points(surface, [opt], starts, STEPS,  # noqa: E731
                                            configs=[{k: v[i:i + 1] for k, v in config.items()}], dtype=np.float64)
        one(0)  # compiled once: every configuration shares the program
        seconds = best_time(lambda: [one(i) for i in picks], 2) / SAMPLE
        total += seconds * count
    return total


def main() -> int:
    engine.setup()
    print(f"{os.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.2f}")
    surface = resolve_surface("two-holes")
    names, side = BASINS
    opts = resolve_optimizers([names], surface)
    compute_basins(surface, opts, side, STEPS)
    t_basins = best_time(lambda: compute_basins(surface, opts, side, STEPS))
    xs = np.linspace(-1.8, 1.8, side)
    basin_loop = per_configuration(surface, opts, [{"learning_rate": np.full(side, o.hyperparameters["learning_rate"])}
                                                   for o in opts], np.stack([xs, xs], 1)[:1]) * side  # one start a call

    tuned = resolve_optimizers([TUNED], surface)
    starts = np.random.default_rng(0).uniform(-1.8, 1.8, (STARTS, 2))
    tune(surface, tuned, starts, STEPS, "final")
    t_tune = best_time(lambda: tune(surface, tuned, starts, STEPS, "final"))
    t_loop = per_configuration(surface, tuned, [grid(o) for o in tuned], starts)
    rows = [
        [f"basins: {side}² starts × {STEPS} steps × {len(opts)} optimizers, classified", f"{t_basins:.2f} s",
         f"{basin_loop:.1f} s", f"{basin_loop / t_basins:,.0f}×", "≤ 2 s", met(t_basins <= 2)],
        [f"tune: {len(tuned)} optimizers × 1,024 configurations × {STARTS} starts × {STEPS} steps", f"{t_tune:.2f} s",
         f"{t_loop:.1f} s", f"{t_loop / t_tune:,.0f}×", "≤ 5 s", met(t_tune <= 5)],
    ]
    print_table("warm, best of 3; baseline: one engine call per start (basins) or per configuration (tune), "
                f"sampled ({SAMPLE} per optimizer) and scaled",
                ["what", "one program", "call per configuration", "ratio", "target", "met?"], rows)
    print(f"\nload average at end {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
