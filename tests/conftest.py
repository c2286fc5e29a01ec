"""Session set-up: the engine in float64 (as the CLI sets it up), and the one big program compiled once.

Imports are inside the hooks, so nothing is computed when a test file is only collected.
"""

import sys

import pytest


def pytest_configure(config):
    from optimizers import engine

    engine.setup()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Rendering runs in its own process: a test that loads ManimGL into pytest's fails, naming itself."""
    loaded_before = "manimlib" in sys.modules
    yield
    if not loaded_before and "manimlib" in sys.modules:
        pytest.fail(f"{item.nodeid} imported manimlib into the pytest process; render in a subprocess")


def pytest_collection_finish(session):
    if "manimlib" in sys.modules:
        pytest.exit("collecting the tests imported manimlib; imports belong inside the tests' subprocesses", 3)


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
