"""What every compiled program shares: float64 and caches (setup), the gradient oracle, and the program cache.

Used by the trajectory engine (2-D surfaces) and by network training (all of a network's dimensions).
"""

import functools
import hashlib
import pickle
import platform
import zlib
from collections.abc import Callable, Collection
from pathlib import Path

import jax
import jax.numpy as jnp
import jaxlib
import numpy as np
from jax.experimental import serialize_executable

from files.atomic import write_atomic
from files.cache import cache_dir

from .registry import Optimizer

_SAVED: list[Path | None] = []  # where compiled programs are saved (None: nowhere), set by setup()
_PROGRAMS: dict = {}


def setup(cache: bool = True) -> None:
    """Paths in float64 (sweeps may ask for float32); compiled programs saved in the user's cache folder.

    With the cache, a repeated CLI call neither traces, lowers nor compiles again. Idempotent.
    """
    jax.config.update("jax_enable_x64", True)
    # Off, whatever the environment says: an executable that XLA's own persistent cache loaded serializes
    # without its machine code, so saving it (cached_program) would save a program that fails when run.
    jax.config.update("jax_enable_compilation_cache", False)
    if _SAVED:
        return
    folder = cache_dir("jax") if cache else None  # None: no cache, which only costs compile time
    if folder is not None:
        try:
            (folder / "compiled").mkdir(exist_ok=True)
        except OSError:
            folder = None
    _SAVED.append(folder / "compiled" if folder is not None else None)


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

    Within a process: the compiled program. Across processes: the compiled executable is saved in the cache
    folder (keyed by settings, shapes, JAX version, machine and this package's source), so that a repeated CLI
    call neither traces, lowers nor compiles; a first call traces, lowers and compiles once, nothing twice.
    """
    shapes = jax.tree.map(lambda a: (np.shape(a), str(np.asarray(a).dtype)), args)
    signature = (*signature, repr(shapes))
    if signature not in _PROGRAMS:
        saved = saved_path(signature)
        program = load_program(saved) if saved is not None else None
        if program is None:
            program = build().trace(*args).lower().compile()
            if saved is not None:
                save_program(saved, program)
        _PROGRAMS[signature] = program
    return _PROGRAMS[signature]


def saved_path(signature: tuple) -> Path | None:
    """Where the compiled program for this signature is saved, or None without a cache folder."""
    folder = _SAVED[0] if _SAVED else None
    if folder is None:
        return None
    # An executable is machine code: it is valid only for this jaxlib, backend and processor.
    where = (jax.__version__, jaxlib.__version__, jax.default_backend(), platform.machine(), source_hash())
    digest = hashlib.sha256(repr((signature, where)).encode()).hexdigest()[:32]
    return folder / f"{digest}.xla"


def load_program(saved: Path) -> Callable | None:
    """The compiled program saved at this path, or None (missing, or corrupt: then it is removed)."""
    try:
        blob = saved.read_bytes()
    except OSError:
        return None
    try:
        return serialize_executable.deserialize_and_load(*pickle.loads(zlib.decompress(blob)))
    except Exception:  # a corrupt or foreign cache entry: the caller compiles the program afresh
        saved.unlink(missing_ok=True)
        return None


def save_program(saved: Path, program) -> None:
    """Save a compiled program for the next process; a cache never fails a run (full disk, file-size limit)."""
    try:
        # Compressed (level 1: fast): machine code shrinks about 5×, for a few milliseconds.
        blob = zlib.compress(pickle.dumps(serialize_executable.serialize(program)), 1)
    except (ValueError, NotImplementedError):  # an executable that cannot be serialized is compiled each time
        return
    try:
        write_atomic(saved, lambda f: f.write(blob))
    except OSError:
        pass


def jitted(key: tuple, build: Callable[[], Callable]) -> Callable:
    """A small helper (height grids, slices) called like its jitted self, compiled and saved like a program.

    key: what the helper's program depends on besides its arguments' shapes.
    """
    return lambda *args: cached_program(key, lambda: jax.jit(build()), args)(*args)
