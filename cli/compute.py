"""The one compute path: a RunSpec (names, starts, steps) -> the engine -> a Run, for races and chapters alike."""

from pathlib import Path

from optimizers.run import Run, RunSpec


def compute(spec: RunSpec, max_steps: int | None = None) -> Run:
    """Resolve the spec's names and run the engine once (JAX is imported here, never in the render process)."""
    from landscapes import resolve_surface
    from optimizers import engine
    from optimizers.registry import resolve_optimizers

    engine.setup()
    surface = resolve_surface(spec.surface, spec.domain)
    optimizers = resolve_optimizers(list(spec.optimizers), surface)
    starts = list(spec.starts) or list(surface.landscape.starts)
    steps = min(spec.steps, max_steps or spec.steps)
    return engine.simulate(surface, optimizers, starts, steps, noise=spec.noise, batch_size=spec.batch_size,
                           seed=spec.seed, sweep=spec.sweep, projection=spec.projection)


def save_runs(specs: dict[str, RunSpec], folder: Path, max_steps: int | None = None) -> dict[str, str]:
    """Compute every spec and save each Run as KEY.npz in folder; return key -> path."""
    paths = {}
    for key, spec in specs.items():
        path = folder / f"{key}.npz"
        compute(spec, max_steps).save(path)
        paths[key] = str(path)
    return paths
