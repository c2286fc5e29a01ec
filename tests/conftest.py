"""Session set-up: the engine in float64 (as the CLI sets it up), and the one big program compiled once.

Imports are inside the hooks, so nothing is computed when a test file is only collected.
"""

import pytest


def pytest_configure(config):
    from optimizers import engine

    engine.setup()


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
