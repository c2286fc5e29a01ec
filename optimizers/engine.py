"""The trajectory engine: one jitted program, lax.scan over steps, vmap over starts and sweep values; networks
are trained in all their dimensions (training.py) and shown on a plane through them (plane.py).

Call `setup()` once before `simulate()`: it turns on float64 and the compilation caches (nothing happens at
import time).
"""

import functools
import platform
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree

from landscapes import Surface
from landscapes.limits import LIMITS, check
from landscapes.spec import SpecError, did_you_mean

from . import plane, training
from .programs import cached_program, check_setup, gradient_oracle, jitted, setup, split_hyperparameters

__all__ = ["setup", "simulate", "simulate_network", "final_points", "split_hyperparameters", "Watch", "Finals"]
from .registry import OPTIMIZERS, Optimizer
from .run import MinimumMeta, OptimizerMeta, ProjectionMeta, Run, RunMeta, SurfaceMeta, SweepMeta

MAX_STEPS = int(LIMITS["steps"].high)
GRID_SIZE = 121
NETWORK_GRID = 101  # a network's slice costs a forward pass over the training set per grid point
DOMAIN_MARGIN = 2.0  # a path is "diverged" once it is this many domain widths outside the domain
MAX_LISTED_STARTS = 64  # larger grids of starts keep only their count in the metadata
CHUNK = 64  # final-point runs check for divergence once per this many steps (see `chunk` in build_program)
REACH_LIMIT = 1 - 1e-4  # a chunk whose path came this close to the margin (in half-widths) is re-run, checked
SWEEP, START = "sweep", "start"  # the vmapped axes, named so a chunk's check can be reduced over all paths

def _state_field(state, name: str | None, like):
    """A named optax state field (e.g. 'mu', 'nu', 'trace'), or NaNs when the optimizer has none."""
    value = optax.tree_utils.tree_get(state, name) if name else None
    return jnp.full_like(like, jnp.nan) if value is None else jnp.asarray(value, like.dtype)


@dataclass(frozen=True)
class Watch:
    """What a final-point run keeps besides the final point, and how often it checks for divergence.

    settle: keep, per path, 1 + the last step that moved a coordinate by more than this (the step it settled).
    mean_loss: keep the mean loss over the run, f(θ₀) … f(θ_T).
    every: steps per chunk (the divergence check runs once per chunk).
    frames: keep the point at the end of each chunk too (the frames of an animation).
    """

    settle: float | None = None
    mean_loss: bool = False
    every: int = CHUNK
    frames: bool = False


def scan_raveled(f, init, xs):
    """`jax.lax.scan(f, init, xs)`, with each step's outputs leaving the loop as one raveled vector.

    XLA compiles the loop's per-step writes of each output as kernels of their own: with a step's seven
    records as seven outputs, they were a third of a cold run's compile time.
    """
    unravel = []  # the outputs' shapes, known once f is traced

    def raveled(carry, x):
        carry, out = f(carry, x)
        flat, unravel_out = ravel_pytree(out)
        unravel.append(unravel_out)
        return carry, flat

    carry, flat = jax.lax.scan(raveled, init, xs)
    return carry, jax.vmap(unravel[-1])(flat)


def build_program(surface: Surface, optimizers: Sequence[Optimizer], num_steps: int, batch_size: int | None,
                  noisy: bool, final_only: bool, swept: Sequence[Collection[str]], watch: Watch = Watch()):
    """The jitted function (starts, hypers, key, sigma) -> per-optimizer stacked results.

    swept: per optimizer, the hyperparameters given one value per sweep entry (traced, never static).
    """
    data = surface.landscape.data() if batch_size is not None else None
    # Jitted, so that its formula is traced once and every use (the loss, the gradient, in every optimizer's
    # step) is a call of that one trace: tracing each use anew was a third of a cold run's tracing time.
    loss_fn = jax.jit(surface.loss)
    oracle = gradient_oracle(loss_fn, surface.landscape.loss, data, batch_size, noisy)
    xmin, xmax, ymin, ymax = surface.domain
    # NumPy, not jnp: eager jnp arithmetic here would compile (or load) five tiny programs of its own.
    lo = np.array([xmin - DOMAIN_MARGIN * (xmax - xmin), ymin - DOMAIN_MARGIN * (ymax - ymin)])
    hi = np.array([xmax + DOMAIN_MARGIN * (xmax - xmin), ymax + DOMAIN_MARGIN * (ymax - ymin)])
    centre, inverse_half = (hi + lo) / 2, 2 / (hi - lo)

    def make_path(opt: Optimizer, keys: Collection[str]):
        static, _ = split_hyperparameters(opt, keys)
        info = opt.info

        def path(axes, start, hyper, key, sigma):
            h = {**static, **hyper}
            tx = opt.transform(h, num_steps)
            at = info.gradient_at or (lambda h, state, params: params)

            def advance(params, state, t):
                """One optimizer step: θ' = θ + u(g, state), g taken at θ (or where the method looks ahead)."""
                grad = oracle(at(h, state, params), jax.random.fold_in(key, t), sigma)
                update, new_state = tx.update(grad, state, params)
                return params + update, new_state, grad, update

            def observe(seen, params, new_params, t):
                """The watched quantities after step t (the same arithmetic checked or not, so results agree)."""
                seen = dict(seen)
                if "last_move" in seen:
                    last = seen["last_move"]
                    seen["last_move"] = jnp.where(jnp.abs(new_params - params) > watch.settle,
                                                  (t + 1).astype(last.dtype), last)
                if "loss_sum" in seen:
                    seen["loss_sum"] = seen["loss_sum"] + loss_fn(params)
                return seen

            def step(carry, t):
                params, state, diverged_at, seen = carry
                alive = diverged_at < 0
                loss = loss_fn(params)
                new_params, new_state, grad, update = advance(params, state, t)
                ok = jnp.all(jnp.isfinite(new_params)) & jnp.all((new_params >= lo) & (new_params <= hi))
                moving = alive & ok
                # A path that blows up is frozen at its last good point; the step is recorded.
                diverged_at = jnp.where(alive & ~ok, t + 1, diverged_at)
                # Only params are frozen: a stopped path never moves again, so its optimizer state is never
                # used; freezing it too would turn optax's shared step count into one per path (slow).
                carry = (jnp.where(moving, new_params, params), new_state, diverged_at,
                         observe(seen, params, new_params, t))
                if final_only:
                    return carry, None
                update = jnp.where(moving, update, 0.0)
                state_records = [_state_field(new_state, info.first, params),
                                 _state_field(new_state, info.second, params),
                                 info.step_size({**h, "learning_rate": opt.rate(h, t, num_steps)}, new_state, grad,
                                                update).astype(params.dtype)]
                record = (params, loss, grad, update, *(jnp.where(alive, r, jnp.nan) for r in state_records))
                return carry, record

            def chunk(carry, ts):
                """`watch.every` steps with no checks inside, then one check; the chunk again, checked, if a path left.

                The running max of |θ − centre| sees every step (and NaN, which it propagates), so a path that
                leaves and comes back within the chunk is caught too; it is one fused max per coordinate, where
                the per-step check costs a reduction and a select. Re-running from the chunk's start with
                the per-step check reproduces the exact step and frozen point; it runs for the whole batch
                (a real branch: the predicate is reduced over every path), only for chunks where one left.
                """
                params, state, diverged_at, seen = carry
                alive = diverged_at < 0
                mid = centre.astype(params.dtype)

                def unchecked(inner, t):
                    p, s, reach, seen = inner
                    new_p, s, _, _ = advance(p, s, t)
                    return (new_p, s, jnp.maximum(reach, jnp.abs(new_p - mid)), observe(seen, p, new_p, t)), None

                (p, s, reach, seen), _ = jax.lax.scan(unchecked, (params, state, jnp.zeros_like(params), seen), ts)
                left = alive & ~jnp.all(reach * inverse_half <= REACH_LIMIT)
                any_left = jax.lax.psum(left.astype(jnp.int32), axes) > 0
                checked = lambda: jax.lax.scan(step, carry, ts)[0]  # noqa: E731
                fast = lambda: (jnp.where(alive, p, params), s, diverged_at, seen)  # noqa: E731
                carry = jax.lax.cond(any_left, checked, fast)
                return carry, (carry[0] if watch.frames else None)  # a frame of an animation

            seen = {}
            if final_only and watch.settle is not None:
                seen["last_move"] = jnp.zeros(start.shape, jnp.int32)
            if final_only and watch.mean_loss:
                seen["loss_sum"] = jnp.zeros((), start.dtype)
            carry = (start, tx.init(start), jnp.array(-1), seen)
            ts = jnp.arange(num_steps)
            if final_only:
                every = watch.every
                whole = num_steps - num_steps % every
                carry, frames = jax.lax.scan(chunk, carry, ts[:whole].reshape(-1, every))
                if whole < num_steps:
                    carry, _ = chunk(carry, ts[whole:])
                params, _, diverged_at, seen = carry
                final_loss = loss_fn(params)
                if "loss_sum" in seen:  # the mean over θ₀ … θ_T
                    seen["mean_loss"] = (seen.pop("loss_sum") + final_loss) / (num_steps + 1)
                return params, final_loss, diverged_at, (frames, seen)
            carry, records = scan_raveled(step, carry, ts)
            params, _, diverged_at, _ = carry
            return params, loss_fn(params), diverged_at, records

        def over_starts(axes):
            return jax.vmap(functools.partial(path, axes), in_axes=(0, None, 0, None), axis_name=START)

        def paths(starts, hyper, keys, sigma):
            """Results shaped (sweep, start, …): vmap over sweep values of vmap over starts; without a sweep,
            over starts only.

            One vmap level where one is enough: vmap batches the scan's body once per level (twice when the
            carry's batching changes on the first pass), and that batching was most of the tracing time.
            One key per start, shared by every optimizer and sweep value, so stochastic runs compare
            optimizers on the same noise.
            """
            if all(len(v) == 1 for v in hyper.values()):
                one = over_starts((START,))(starts, {k: v[0] for k, v in hyper.items()}, keys, sigma)
                return jax.tree.map(lambda a: a[None], one)
            over_sweep = jax.vmap(over_starts((SWEEP, START)), in_axes=(None, 0, None, None), axis_name=SWEEP)
            return over_sweep(starts, hyper, keys, sigma)

        return paths

    paths = [make_path(opt, keys) for opt, keys in zip(optimizers, swept)]

    @jax.jit
    def program(starts, hypers, seed, sigma):
        key = jax.random.PRNGKey(seed)
        keys = jax.vmap(lambda k: jax.random.fold_in(key, k))(jnp.arange(starts.shape[0]))
        return [p(starts, h, keys, sigma) for p, h in zip(paths, hypers)]

    return program


_GRIDS: dict = {}  # (surface spec, domain, size) -> the height grid: checked first, drawn later


def height_grid(surface: Surface, size: int = GRID_SIZE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """f over a size × size grid of the domain, so scenes can draw the surface without JAX."""
    key = ("grid", surface.spec, surface.domain, size)
    if key not in _GRIDS:
        xmin, xmax, ymin, ymax = surface.domain
        xs, ys = np.linspace(xmin, xmax, size), np.linspace(ymin, ymax, size)
        gx, gy = np.meshgrid(xs, ys)
        points = np.stack([gx.ravel(), gy.ravel()], axis=1)  # NumPy: jnp.asarray would compile a program of its own
        heights = jitted(key, lambda: jax.vmap(surface.loss))
        _GRIDS[key] = xs, ys, np.asarray(heights(points)).reshape(size, size)
    return _GRIDS[key]


def check_finite(surface: Surface) -> None:
    """The surface is finite at every point of the grid it is drawn on, or a SpecError names the first that is not;
    and it is not flat there (a constant gives every optimizer nothing to do and every picture no scale)."""
    xs, ys, z = height_grid(surface)
    bad = np.argwhere(~np.isfinite(z))
    if len(bad):
        row, column = bad[0]
        xmin, xmax, ymin, ymax = surface.domain
        raise SpecError(f"surface {surface.spec!r} is not finite at x = {xs[column]:.4g}, y = {ys[row]:.4g} "
                        f"(f = {z[row, column]}; {len(bad):,} of {z.size:,} grid points in "
                        f"[{xmin:g}, {xmax:g}] × [{ymin:g}, {ymax:g}])")
    if np.ptp(z) <= 1e-12 * max(1.0, float(np.abs(z).max())):
        raise SpecError(f"surface {surface.spec!r} is flat on its domain (f = {z.flat[0]:g} everywhere): "
                        "there is nothing to descend")


def check_starts(surface: Surface, starts: np.ndarray) -> None:
    """Every start lies in the surface's domain, where its paths are drawn."""
    xmin, xmax, ymin, ymax = surface.domain
    slack = 1e-9 * max(xmax - xmin, ymax - ymin)
    if not np.isfinite(starts).all():
        x, y = starts[~np.isfinite(starts).all(axis=1)][0]
        raise SpecError(f"--start {x:g},{y:g} must be finite")
    x, y = starts[:, 0], starts[:, 1]
    inside = (xmin - slack <= x) & (x <= xmax + slack) & (ymin - slack <= y) & (y <= ymax + slack)
    if not inside.all():
        x, y = starts[np.argmin(inside)]
        raise SpecError(f"--start {x:g},{y:g} lies outside the domain [{xmin:g}, {xmax:g}] × [{ymin:g}, {ymax:g}]"
                        " (widen it with --domain)")


def validate(surface: Surface, num_steps: int, batch_size: int | None, noise: float, seed: int = 0) -> None:
    """Reject impossible run settings before anything is computed: the settings, then the surface's grid."""
    check_settings(surface, num_steps, batch_size, noise, seed)
    if not surface.is_network:  # a network's slice is known only once it has trained
        check_finite(surface)


def check_settings(surface: Surface, num_steps: int, batch_size: int | None, noise: float, seed: int = 0) -> None:
    """Reject impossible steps, seed, noise or batch size."""
    if not isinstance(num_steps, int):
        raise SpecError(f"--steps must be a whole number, got {num_steps}")
    check("steps", num_steps)
    if not isinstance(seed, int):
        raise SpecError(f"--seed must be a whole number, got {seed}")
    check("seed", seed)
    if not np.isfinite(noise):
        raise SpecError(f"--noise must be finite, got {noise}")
    check("noise", noise)
    if surface.is_network:
        check("network_steps", num_steps)
    if batch_size is not None:
        if not surface.is_data:
            raise SpecError(f"--batch-size needs a data landscape (linear-regression, logistic-2d or a network), "
                            f"not {surface.name}")
        n = data_size(surface)
        if not 1 <= batch_size <= n:
            raise SpecError(f"--batch-size must be from 1 to {n} (the training set's size), got {batch_size}")


def data_size(surface: Surface) -> int:
    """N, the examples a data landscape's full-batch loss averages over."""
    if surface.is_network:
        return len(surface.network.data().y_train)
    return len(surface.landscape.data()[1])


def _execute(surface, optimizers, starts, num_steps, configs, noise, batch_size, seed, final_only, dtype, watch):
    """Check the settings, build the arguments and run the program: per optimizer, the program's outputs.

    configs: per optimizer, hyperparameter -> one value per sweep entry (all the same length; [{}] for none).
    """
    check_setup()
    check_settings(surface, num_steps, batch_size, noise, seed)
    starts = np.asarray(starts, dtype=np.float64).reshape(-1, 2)
    check_starts(surface, starts)
    if batch_size is not None and batch_size == data_size(surface):
        batch_size = None  # B = N is full-batch gradient descent
    count = max((len(v) for config in configs for v in config.values()), default=1)
    hypers = []
    for opt, config in zip(optimizers, configs):
        for key, values in config.items():
            if key not in opt.hyperparameters:
                raise SpecError(f"cannot sweep '{key}': {opt.name} has no such hyperparameter")
            if len(values) != count:
                raise ValueError("every swept hyperparameter needs one value per sweep entry")
        _, traced = split_hyperparameters(opt, config)
        hypers.append({k: np.asarray(config[k] if k in config else [opt.hyperparameters[k]] * count, dtype)
                       for k in traced})
    swept = tuple(tuple(sorted(config)) for config in configs)
    # NumPy arguments: building them with jnp would cost small compiles of their own on every fresh process.
    args = (np.asarray(starts, dtype), hypers, np.uint32(seed), np.asarray(noise, dtype))
    signature = (surface.spec, surface.domain,
                 tuple(o.program_key(split_hyperparameters(o, keys)[0]) for o, keys in zip(optimizers, swept)),
                 num_steps, batch_size, noise > 0, final_only, swept, watch)
    with ThreadPoolExecutor(1) as pool:
        # The surface's height grid is a small program of its own: a fresh process compiles it on another core
        # while this one traces the run's program (tracing is Python; compiling releases the GIL).
        grid = pool.submit(height_grid, surface)
        program = cached_program(signature, lambda: build_program(surface, list(optimizers), num_steps, batch_size,
                                                                  noise > 0, final_only, swept, watch), args)
        grid.result()
    check_finite(surface)  # before anything runs: the grid is computed by now
    return starts, batch_size, program(*args)


def simulate(surface: Surface, optimizers: Sequence[Optimizer], starts, num_steps: int, *,
             noise: float = 0.0, batch_size: int | None = None, seed: int = 0,
             sweep: tuple[str, Sequence[float]] | None = None, final_only: bool = False,
             dtype=jnp.float64, grid_size: int | None = None, projection: str = "pca") -> Run:
    """Run every optimizer from every start (for every sweep value) in one jitted program; return a Run.

    A network surface trains from its one seeded initialization and is shown on a plane (`projection`).
    """
    if surface.is_network:
        if sweep or final_only or len(np.reshape(starts, (-1, 2))) != 1:
            raise SpecError(f"{surface.name} is a network: it trains from one initialization, with no sweep")
        return simulate_network(surface, optimizers, num_steps, noise=noise, batch_size=batch_size, seed=seed,
                                projection=projection, grid_size=grid_size or NETWORK_GRID)
    configs = [{sweep[0]: [float(v) for v in sweep[1]]} if sweep else {} for _ in optimizers]
    starts, batch_size, results = _execute(surface, optimizers, starts, num_steps, configs, noise, batch_size,
                                           seed, final_only, dtype, Watch())
    final, final_loss, diverged_at = (np.stack([np.asarray(r[i]) for r in results]) for i in range(3))
    if final_only:
        params, loss = final[..., None, :], final_loss[..., None]
        per_step = [np.zeros(params.shape[:3] + (0, 2))] * 5
    else:
        records = [np.stack([np.asarray(r[3][i]) for r in results]) for i in range(7)]
        params = np.concatenate([records[0], final[..., None, :]], axis=3)
        loss = np.concatenate([records[1], final_loss[..., None]], axis=3)
        per_step = records[2:]
    grid_size = GRID_SIZE if grid_size is None else grid_size
    grid = height_grid(surface, grid_size) if grid_size else (np.zeros(0), np.zeros(0), np.zeros((0, 0)))
    meta = _metadata(surface, optimizers, starts, num_steps, noise, batch_size, seed, sweep, final_only)
    return Run(meta, params, loss, *per_step, diverged_at, *grid)


@dataclass(frozen=True)
class Finals:
    """Where many paths end: arrays over (optimizer, configuration, start), NumPy only."""

    params: np.ndarray  # (O, C, K, 2) the final point (the last good one for a path that diverged)
    loss: np.ndarray  # (O, C, K)
    diverged_at: np.ndarray  # (O, C, K), −1 if never
    settled_at: np.ndarray | None  # (O, C, K) 1 + the last step that moved more than Watch.settle
    mean_loss: np.ndarray | None  # (O, C, K) mean of f(θ₀) … f(θ_T)
    frames: np.ndarray  # (O, F, C, K, 2) the point after every Watch.every steps (F = 0 unless Watch.frames)
    frame_steps: np.ndarray  # (F,) the step of each frame


def final_points(surface: Surface, optimizers: Sequence[Optimizer], starts, num_steps: int, *,
                 configs: Sequence[Mapping[str, Sequence[float]]] | None = None, watch: Watch = Watch(),
                 dtype=jnp.float32) -> Finals:
    """Final points of every optimizer × configuration × start, in one program (basins, sweeps, tuning).

    configs: per optimizer, hyperparameter -> values, one per configuration (the same count for all).
    """
    configs = list(configs) if configs is not None else [{} for _ in optimizers]
    _, _, results = _execute(surface, optimizers, starts, num_steps, configs, 0.0, None, 0, True, dtype, watch)
    params, loss, diverged_at = (np.stack([np.asarray(r[i]) for r in results]) for i in range(3))
    frames = np.stack([np.moveaxis(np.asarray(r[3][0]), 2, 0) for r in results]) if watch.frames \
        else np.zeros((len(results), 0) + params.shape[1:])
    seen = [r[3][1] for r in results]
    settled = None
    if watch.settle is not None:
        last = np.stack([np.asarray(s["last_move"]).max(axis=-1) for s in seen])
        settled = np.where((diverged_at < 0) & (last < num_steps), last, -1)
    mean = np.stack([np.asarray(s["mean_loss"]) for s in seen]) if watch.mean_loss else None
    steps = watch.every * np.arange(1, frames.shape[1] + 1)
    return Finals(params, loss, diverged_at, settled, mean, frames, steps)


def simulate_network(surface: Surface, optimizers: Sequence[Optimizer], num_steps: int, *, noise: float = 0.0,
                     batch_size: int | None = None, seed: int = 0, projection: str = "pca",
                     grid_size: int = 0) -> Run:
    """Train a network surface's network with every optimizer from one θ₀, project the paths onto a plane
    (PCA of the paths or random filter-normalised directions) and slice the training loss along it: a Run whose
    params are plane coordinates, whose losses are the true training losses and whose grid is the slice."""
    check_setup()
    validate(surface, num_steps, batch_size, noise, seed)
    if projection not in plane.METHODS:
        raise SpecError(f"unknown projection '{projection}'{did_you_mean(projection, plane.METHODS)} "
                        f"(valid: {', '.join(plane.METHODS)})")
    if batch_size is not None and batch_size == data_size(surface):
        batch_size = None
    network = surface.network
    trained = training.train(network, optimizers, num_steps, noise=noise, batch_size=batch_size, seed=seed)
    centre = trained.theta[0, 0]
    chosen = plane.pca_plane(centre, trained.theta) if projection == "pca" \
        else plane.random_plane(centre, network, seed)
    offsets = trained.theta - centre
    xy = chosen.coordinates(offsets)  # (O, T+1, 2)
    window = surface.domain or plane.fitted_window(xy.reshape(-1, 2)[np.isfinite(xy.reshape(-1, 2)).all(axis=1)])
    grid = plane.slice_grid(network, chosen, window, grid_size or NETWORK_GRID)
    per_path = lambda a: a[:, None, None]  # noqa: E731  (O, …) -> (O, S=1, K=1, …)
    split = network.data()
    projection_meta = ProjectionMeta(chosen.method, chosen.explained_variance(offsets), network.num_params,
                                     len(split.y_train), len(split.y_test))
    meta = _metadata(replace(surface, domain=window), optimizers, np.zeros((1, 2)), num_steps, noise, batch_size,
                     seed, None, False, projection=projection_meta,
                     results=[(float(a), float(l[-1])) for a, l in zip(trained.test_accuracy, trained.loss)])
    nan = np.full(xy[:, :-1].shape, np.nan)  # a network's optimizer state has P entries: no 2-D glyph shows it
    return Run(meta, per_path(xy), per_path(trained.loss), per_path(chosen.coordinates(trained.grad)),
               per_path(np.diff(xy, axis=1)), per_path(nan), per_path(nan), per_path(nan),
               trained.diverged_at[:, None, None], *grid)


def path_colors(optimizers: Sequence[Optimizer]) -> list[str]:
    """Each optimizer's colour; one that an earlier optimizer of the run already has (gd twice, with two
    schedules) takes the first registry colour no optimizer of the run uses, so that no two paths share one."""
    taken = {o.info.color for o in optimizers}
    spare = [c for c in dict.fromkeys(info.color for info in OPTIMIZERS.values()) if c not in taken]
    colors: list[str] = []
    for o in optimizers:
        colors.append(o.info.color if o.info.color not in colors else spare.pop(0) if spare else o.info.color)
    return colors


def _metadata(surface, optimizers, starts, num_steps, noise, batch_size, seed, sweep, final_only,
              projection: ProjectionMeta | None = None, results: Sequence[tuple[float, float]] | None = None) -> RunMeta:
    land = surface.landscape
    surface_meta = SurfaceMeta(
        name=surface.name, spec=surface.spec, title=surface.title, formula=surface.formula,
        parameters=dict(surface.parameters), domain=tuple(float(v) for v in surface.domain),
        minima=tuple(MinimumMeta(m.x, m.y, m.value, m.kind) for m in land.minima),
        z_range=tuple(land.z_range) if land.z_range else None, log_height=land.log_height,
        camera=tuple(land.camera), is_data=surface.is_data, axes=tuple(land.axes))
    results = results or [(None, None)] * len(optimizers)
    optimizer_meta = tuple(OptimizerMeta(o.name, o.title, color, o.spec, dict(o.hyperparameters),
                                         o.rule(num_steps), o.info.reference, accuracy, loss,
                                         o.learning_rates(num_steps))
                           for o, color, (accuracy, loss) in zip(optimizers, path_colors(optimizers), results))
    # Grids of starts keep only the count (writing 262,144 pairs would cost more than the run).
    listed = tuple(tuple(s) for s in starts.tolist()) if len(starts) <= MAX_LISTED_STARTS else None
    return RunMeta(
        surface=surface_meta, optimizers=optimizer_meta, starts=listed, num_starts=len(starts),
        num_steps=num_steps, noise=noise, batch_size=batch_size, seed=seed,
        sweep=SweepMeta(sweep[0], tuple(float(v) for v in sweep[1])) if sweep else None, final_only=final_only,
        versions={"jax": jax.__version__, "optax": optax.__version__, "numpy": np.__version__,
                  "python": platform.python_version()}, projection=projection)
