"""Session fixtures: JAX compiles are the cost, so the one big program is compiled once for all test files.

Imports are inside the fixture, so test files that never use it (rendering subprocesses) load no JAX.
"""

import pytest


@pytest.fixture(scope="session")
def ravine_run():
    """Every optimizer (defaults, then `NON_DEFAULT_SPECS`) from every start on the ravine, float64."""
    from helpers import RAVINE, RAVINE_SPECS, RAVINE_STARTS, RAVINE_STEPS

    from landscapes import resolve_surface
    from optimizers.engine import simulate
    from optimizers.registry import resolve_optimizer

    surface = resolve_surface(RAVINE)
    optimizers = [resolve_optimizer(spec, surface) for spec in RAVINE_SPECS]
    return simulate(surface, optimizers, RAVINE_STARTS, RAVINE_STEPS, grid_size=0)
