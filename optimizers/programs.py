"""What every compiled program shares: float64 and caches (setup), the gradient oracle, and the program cache.

Used by the trajectory engine (2-D surfaces) and by network training (all of a network's dimensions).
"""

import functools
import hashlib
from collections.abc import Callable, Collection
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from jax import export

from files.atomic import write_atomic
from files.cache import cache_dir

from .registry import Optimizer

_EXPORTS: list[Path | None] = []  # where `jax.export` copies of programs go, set by setup()
_PROGRAMS: dict = {}


def setup(cache: bool = True) -> None:
    """Paths in float64 (sweeps may ask for float32); compiled programs persisted in the user's cache folder.

    With the cache, a repeated CLI call neither traces nor compiles again. Idempotent.
    """
    jax.config.update("jax_enable_x64", True)
    if _EXPORTS:
        return
    folder = cache_dir("jax") if cache else None  # None: no cache, which only costs compile time
    if folder is not None:
        try:
            (folder / "exported").mkdir(exist_ok=True)
        except OSError:
            folder = None
    if folder is not None:
        jax.config.update("jax_compilation_cache_dir", str(folder))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    _EXPORTS.append(folder / "exported" if folder is not None else None)


def check_setup() -> None:
    if not jax.config.jax_enable_x64:
        raise RuntimeError("call optimizers.engine.setup() before simulate(): paths are computed in float64")


@functools.cache
def source_hash() -> str:
    """SHA-256 of the surfaces' and optimizers' source: programs and runs named by it are never stale."""
    root = Path(__file__).resolve().parent.parent
    return hashlib.sha256(b"".join(p.read_bytes() for package in ("landscapes", "optimizers")
                                   for p in sorted((root / package).glob("*.py")))).hexdigest()


def split_hyperparameters(opt: Optimizer, swept: Collection[str] = ()) -> tuple[dict, list[str]]:
    """Static (bool/int) hyperparameters stay Python values; floats are traced so sweeps need no recompiling."""
    static = {k: v for k, v in opt.hyperparameters.items() if isinstance(v, (bool, int)) and k not in swept}
    traced = [k for k in opt.hyperparameters if k not in static]
    return static, traced


def gradient_oracle(full_loss: Callable, batch_loss: Callable | None = None, data=None,
                    batch_size: int | None = None, noisy: bool = False):
    """g(params, key, sigma): ∇full_loss, or ∇batch_loss on a fresh minibatch of data, plus σ·𝒩(0, I) if noisy."""
    full_grad = jax.grad(full_loss)
    if batch_size is not None:
        xs, ys = (jnp.asarray(a) for a in data)
        batch_grad = jax.grad(batch_loss)

        def minibatch(params, key):
            # A fresh minibatch each step, sampled without replacement from the N points.
            idx = jax.random.choice(key, xs.shape[0], (batch_size,), replace=False)
            return batch_grad(params, xs[idx], ys[idx])

        exact = minibatch
    else:
        exact = lambda params, key: full_grad(params)  # noqa: E731

    def oracle(params, key, sigma):
        batch_key, noise_key = jax.random.split(key)
        g = exact(params, batch_key)
        if noisy:
            g = g + sigma * jax.random.normal(noise_key, g.shape, g.dtype)
        return g

    return oracle


def cached_program(signature: tuple, build: Callable[[], Callable], args: tuple) -> Callable:
    """The compiled program for these settings and argument shapes, reused within and across processes.

    Within a process: the jitted function. Across processes: the program is also saved with `jax.export`
    (keyed by settings, shapes, JAX version and this package's source), so that a repeated CLI call skips
    Python tracing and lowering too; XLA's persistent cache then skips compiling.
    """
    shapes = jax.tree.map(lambda a: (np.shape(a), str(np.asarray(a).dtype)), args)
    signature = (*signature, repr(shapes))
    if signature in _PROGRAMS:
        return _PROGRAMS[signature]
    digest = hashlib.sha256(repr((signature, jax.__version__, source_hash())).encode()).hexdigest()[:32]
    exports = _EXPORTS[0] if _EXPORTS else None
    saved = exports / f"{digest}.jaxexport" if exports else None
    if saved is not None and saved.exists():
        try:
            _PROGRAMS[signature] = jax.jit(export.deserialize(bytearray(saved.read_bytes())).call)
            return _PROGRAMS[signature]
        except Exception:  # a corrupt or foreign cache entry: build the program afresh
            saved.unlink(missing_ok=True)
    program = build()
    if saved is not None:
        exported = export.export(program)(*args)
        try:
            write_atomic(saved, lambda f: f.write(exported.serialize()))
        except OSError:
            pass  # a cache never fails a run (full disk, file-size limit): the next run exports it again
        program = jax.jit(exported.call)
    _PROGRAMS[signature] = program
    return program


def jitted(key: tuple, build: Callable[[], Callable]) -> Callable:
    """A small jitted helper kept for the process (height grids, slices): built once per key."""
    if key not in _PROGRAMS:
        _PROGRAMS[key] = jax.jit(build())
    return _PROGRAMS[key]
