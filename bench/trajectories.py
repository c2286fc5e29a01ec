"""Trajectory engine benchmarks: warm engine vs the loops a notebook would write, CLI start-up, sweep throughput.

    .venv/bin/python bench/trajectories.py

Prints three tables in one run (about 3–5 minutes on a 2-core CPU):

(a) Warm engine vs per-step Python loops. `optimizers.engine.simulate` (already compiled; the first call is
    not timed) runs gd, momentum, nesterov, rmsprop, adam and adagrad for 300 steps from two-holes' start.
    The baseline is what a competent notebook user writes with the same optax transformations
    (`Optimizer.build()`): one `@jax.jit` step (`value_and_grad` + `tx.update` + `apply_updates`), called
    from a Python loop that keeps each point and loss, warm (compiled before timing). A second row, for
    reference only, is the same loop with no jit anywhere (eager ops), timed on fewer steps and scaled.
(b) Cold CLI. Wall time of `render.py ... --no-render --trajectory-out x.csv -q` (6 optimizers x 300 steps)
    in a fresh process, (i) with an empty cache of compiled programs (a fresh `LOSSCAPE_CACHE_DIR`) and
    (ii) with a warm one, minus (iii) the bare "interpreter + imports" time of a fresh process. Targets:
    (i)-(iii) <= 1.5 s, (ii)-(iii) <= 0.5 s. A second table splits a fresh process's time into phases (trace,
    lower, compile and save the program; or load it; then the wait for the height grid, which the CLI
    compiles on another core while the program traces).
(c) Sweep throughput against its limit. `simulate(..., final_only=True, dtype=float32, grid_size=0)` over a
    512 x 512 grid of starts covering the domain x 500 steps (gd and adam on two-holes), warm. The limit is
    the same optax step in a bare jitted `vmap(lax.scan)` with no divergence check at all: the engine cannot
    beat it, only approach it. Targets: >= 0.8x the bare scan, and >= 200 M optimizer steps per second. (c')
    adds a per-step check back into the bare scan in two ways (the engine's previous way, and with the
    optimizer state frozen too), to show where time goes.

Every figure is the best (minimum) of several repeats: the machine may be shared, and the minimum is the
least disturbed run. CPU seconds (user + sys) of child processes are shown beside wall times, because they
change less under contention. Nothing here asserts: these are measurements, not tests.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

from landscapes import resolve_surface  # noqa: E402
from optimizers import engine  # noqa: E402
from optimizers.engine import simulate  # noqa: E402
from optimizers.registry import resolve_optimizers  # noqa: E402
from report import best_time, met, print_table  # noqa: E402  (bench/report.py, beside this script)

SURFACE = "two-holes"
RACE = ["gd", "momentum", "nesterov", "rmsprop", "adam", "adagrad"]
RACE_STEPS = 300
EAGER_STEPS = 20  # the eager loop is timed on this many steps per optimizer, then scaled per step
SWEEP_SIDE, SWEEP_STEPS = 512, 500
REPEATS = 3
CLI_REPEATS = 5  # fresh processes vary most with the machine's load

EAGER_TARGET = 1_000  # against the un-jitted loop; the jitted-step loop, the fair baseline, has no target
SWEEP_TARGET = 200e6  # optimizer steps per second
LIMIT_TARGET = 0.8  # the final-point sweep against a bare vmap(lax.scan) of the same step
COLD_TARGET_S, WARM_TARGET_S = 1.5, 0.5

CLI = [sys.executable, "render.py", "--surface", SURFACE, "--optimizer", ",".join(RACE), "--steps",
       str(RACE_STEPS), "--no-render", "-q"]
IMPORTS = [sys.executable, "-c", "import jax, optax, numpy; import landscapes, optimizers.engine, optimizers.registry"]

# A fresh process's phases: what the CLI's `compute` does, the program split into JAX's trace/lower/compile
# stages where the cache does not have it, and loaded from the cache where it does (optimizers/programs.py).
PHASES = r"""
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
t0 = time.perf_counter()
import jax, jax.numpy as jnp, numpy as np
from landscapes import resolve_surface
from optimizers import engine, programs
from optimizers.registry import resolve_optimizers
engine.setup()
t = {"imports": time.perf_counter() - t0}
def lap(name, start):
    t[name] = time.perf_counter() - start
    return time.perf_counter()
s = time.perf_counter()
surface = resolve_surface(sys.argv[1]); opts = resolve_optimizers([sys.argv[2]], surface)
steps = int(sys.argv[3])
starts = np.array(surface.landscape.starts, dtype=np.float64)
hypers = [{k: np.asarray([o.hyperparameters[k]], np.float64) for k in engine.split_hyperparameters(o)[1]}
          for o in opts]
args = (starts, hypers, np.uint32(0), np.asarray(0.0, np.float64))  # as simulate() passes them
s = lap("resolve + argument set-up", s)
pool = ThreadPoolExecutor(1)
grid = pool.submit(engine.height_grid, surface)  # as the CLI does: compiled on another core while tracing
saved = programs.saved_path(("bench", sys.argv[1:]))
compiled = programs.load_program(saved)
if compiled is None:
    program = engine.build_program(surface, opts, steps, None, False, False, [()] * len(opts))
    traced = program.trace(*args); s = lap("trace (Python)", s)
    lowered = traced.lower(); s = lap("lower to StableHLO", s)
    compiled = lowered.compile(); s = lap("XLA compile", s)
    programs.save_program(saved, compiled); s = lap("serialize + save the executable", s)
else:
    s = lap("load the saved executable", s)
grid.result(); s = lap("wait for the height grid (121², its own small program, begun alongside)", s)
jax.block_until_ready(compiled(*args)); s = lap("run", s)
print(json.dumps(t))
"""


# ---------------------------------------------------------------- helpers


def best_times(calls: dict, repeats: int = REPEATS) -> tuple[dict, dict]:
    """Minimum wall and CPU (process) time of each call, the calls taking turns within every repeat."""
    wall = {k: float("inf") for k in calls}
    cpu = dict(wall)
    for _ in range(repeats):
        for key, call in calls.items():
            w, c = time.perf_counter(), time.process_time()
            call()
            wall[key] = min(wall[key], time.perf_counter() - w)
            cpu[key] = min(cpu[key], time.process_time() - c)
    return wall, cpu


def run_child(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(wall s, CPU s of the child and its waited-for descendants, stdout) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


# ---------------------------------------------------------------- (a) warm engine vs per-step loops

def notebook_loop(opt, surface, start, num_steps: int, jit: bool):
    """One optimizer stepped from Python: value_and_grad + tx.update + apply_updates, each point kept."""
    tx = opt.build()
    value_and_grad = jax.value_and_grad(surface.loss)

    def step(params, state):
        loss, grad = value_and_grad(params)
        updates, state = tx.update(grad, state, params)
        return optax.apply_updates(params, updates), state, loss

    step = jax.jit(step) if jit else step
    start = jnp.asarray(start, jnp.float64)

    def run():
        params, state = start, tx.init(start)
        path, losses = [params], []
        for _ in range(num_steps):
            params, state, loss = step(params, state)
            path.append(params)
            losses.append(loss)
        return np.asarray(jnp.stack(path)), np.asarray(jnp.stack(losses))

    run()  # compiles the jitted step; the eager ops cache their executables on first use
    return run


def bench_engine_vs_loop() -> None:
    surface = resolve_surface(SURFACE)
    opts = resolve_optimizers([",".join(RACE)], surface)
    starts = surface.landscape.starts
    work = len(opts) * len(starts) * RACE_STEPS  # optimizer-steps

    run = lambda grid: simulate(surface, opts, starts, RACE_STEPS, grid_size=grid)  # noqa: E731
    run(0), run(engine.GRID_SIZE)  # compile both
    jitted = [notebook_loop(o, surface, s, RACE_STEPS, jit=True) for o in opts for s in starts]
    # taking turns, so that background noise hits the three alike
    wall, _ = best_times({"engine": lambda: run(0), "default": lambda: run(engine.GRID_SIZE),
                          "jitted": lambda: [loop() for loop in jitted]}, 10)
    t_engine, t_default, t_jitted = wall["engine"], wall["default"], wall["jitted"]
    engine.height_grid(surface)
    t_grid = best_time(lambda: engine.height_grid(surface), 10)

    eager = [notebook_loop(o, surface, starts[0], EAGER_STEPS, jit=False) for o in opts]
    per_opt = [best_time(loop) / EAGER_STEPS for loop in eager]
    t_eager = sum(per_opt) * len(starts) * RACE_STEPS

    total = f"{len(opts)} optimizers × {RACE_STEPS} steps × {len(starts)} start"
    rows = [
        [f"{total}: engine vs jitted-step loop", fmt_time(t_engine), fmt_time(t_jitted),
         f"{t_jitted / t_engine:,.1f}×", "", ""],
        [f"{total}: engine with its {engine.GRID_SIZE}² height grid vs jitted-step loop", fmt_time(t_default),
         fmt_time(t_jitted), f"{t_jitted / t_default:,.1f}×", "", ""],
        ["  per optimizer-step, engine vs jitted-step loop", fmt_time(t_engine / work), fmt_time(t_jitted / work),
         f"{t_jitted / t_engine:,.1f}×", "", ""],
        ["  of which height_grid() alone", fmt_time(t_grid), "", "", "", ""],
        [f"{total}: engine vs eager loop (no jit; reference)", fmt_time(t_engine), fmt_time(t_eager),
         f"{t_eager / t_engine:,.0f}×", f"≥ {EAGER_TARGET:,}×", met(t_eager / t_engine >= EAGER_TARGET)],
    ]
    print_table(f"(a) warm engine vs per-step Python loops ({SURFACE}, float64; engine and jitted-step loop: "
                f"best of 10 whole runs, taking turns; eager loop: best of 3 × {EAGER_STEPS} steps per optimizer, "
                "scaled)", ["what", "engine", "loop", "loop / engine", "target", "met?"], rows)
    print("\neager loop, per step: " + ", ".join(f"{o.name} {fmt_time(t)}" for o, t in zip(opts, per_opt)))


# ---------------------------------------------------------------- (b) cold CLI

def bench_cli() -> None:
    work = Path(tempfile.mkdtemp(prefix="losscape-bench-"))
    try:
        _bench_cli(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bench_cli(work: Path) -> None:
    cmd = [*CLI, "--trajectory-out", str(work / "x.csv")]
    fresh = lambda: {"LOSSCAPE_CACHE_DIR": tempfile.mkdtemp(dir=work)}  # noqa: E731
    warm_dir = str(work / "warm-cache")
    warm = lambda: {"LOSSCAPE_CACHE_DIR": warm_dir}  # noqa: E731

    run_child(cmd, warm())  # fills the warm cache
    runs = {"base": [], "cold": [], "warm": []}
    for _ in range(CLI_REPEATS):  # in turn, so that contention hits all three alike
        runs["base"].append(run_child(IMPORTS, fresh()))
        runs["cold"].append(run_child(cmd, fresh()))
        runs["warm"].append(run_child(cmd, warm()))
    (base_wall, base_cpu), (cold_wall, cold_cpu), (warm_wall, warm_cpu) = (
        (min(r[0] for r in v), min(r[1] for r in v)) for v in runs.values())

    rows = [["(iii) interpreter + imports (baseline)", f"{base_wall:.2f} s", f"{base_cpu:.2f} s", "", "", "", ""]]
    for label, wall, cpu_, target in (("(i) CLI, empty compilation cache", cold_wall, cold_cpu, COLD_TARGET_S),
                                      ("(ii) CLI, warm compilation cache", warm_wall, warm_cpu, WARM_TARGET_S)):
        beyond = wall - base_wall
        rows.append([label, f"{wall:.2f} s", f"{cpu_:.2f} s", f"{beyond:.2f} s (cpu {cpu_ - base_cpu:.2f} s)",
                     f"≤ {target} s", f"{beyond / target:.2f}", met(beyond <= target)])
    print_table(f"(b) CLI export of {len(RACE)} optimizers × {RACE_STEPS} steps from a fresh process "
                f"(best of {CLI_REPEATS} processes each, taking turns)",
                ["what", "wall", "cpu", "minus (iii)", "target", "minus (iii) / target", "met?"], rows)

    # where a fresh process's time goes
    phase_cmd = [sys.executable, "-c", PHASES, SURFACE, ",".join(RACE), str(RACE_STEPS)]
    run_child(phase_cmd, warm())  # saves the phases' program in the warm cache
    phases = {}
    for label, env in (("empty cache", fresh), ("warm cache", warm)):
        runs = [json.loads(run_child(phase_cmd, env())[2]) for _ in range(CLI_REPEATS)]
        phases[label] = {k: min(r[k] for r in runs) for k in runs[0]}
    names = list(dict.fromkeys([*phases["empty cache"], *phases["warm cache"]]))
    cell = lambda p, k: f"{p[k]:.3f} s" if k in p else "—"  # noqa: E731
    rows = [[k, *(cell(p, k) for p in phases.values())] for k in names]
    rows.append(["sum", *(f"{sum(p.values()):.3f} s" for p in phases.values())])
    rows.append(["sum beyond imports", *(f"{sum(p.values()) - p['imports']:.3f} s" for p in phases.values())])
    print_table(f"(b') phases of one fresh process computing the same runs as the CLI: the program traced, lowered, "
                f"compiled and saved (empty cache) or loaded (warm cache) (best of {CLI_REPEATS} per phase)",
                ["phase", "empty cache", "warm cache"], rows)


# ---------------------------------------------------------------- (c) sweep throughput

def sweep_starts(surface, side: int) -> np.ndarray:
    xmin, xmax, ymin, ymax = surface.domain
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, side), np.linspace(ymin, ymax, side))
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def bare_sweep(surface, opt, num_steps: int, freeze: str):
    """The engine's optax step in a bare jitted vmap(lax.scan), with no divergence check or a per-step one.

    freeze: 'none' (params += update, nothing else: the limit), 'params' (a divergence check every step, params
    kept by `jnp.where`: the engine's way before it checked once per chunk), 'params+state' (the same check,
    with the optimizer state kept too).
    """
    tx = opt.build()
    grad = jax.grad(surface.loss)
    xmin, xmax, ymin, ymax = surface.domain
    m = engine.DOMAIN_MARGIN
    lo = jnp.array([xmin - m * (xmax - xmin), ymin - m * (ymax - ymin)])
    hi = jnp.array([xmax + m * (xmax - xmin), ymax + m * (ymax - ymin)])

    def path(start):
        def step(carry, t):
            params, state, diverged_at = carry
            update, new_state = tx.update(grad(params), state, params)
            new_params = params + update
            if freeze == "none":
                return (new_params, new_state, diverged_at), None
            alive = diverged_at < 0
            ok = jnp.all(jnp.isfinite(new_params)) & jnp.all((new_params >= lo) & (new_params <= hi))
            moving = alive & ok
            diverged_at = jnp.where(alive & ~ok, t + 1, diverged_at)
            if freeze == "params+state":
                new_state = jax.tree.map(lambda n, o: jnp.where(moving, n, o), new_state, state)
            return (jnp.where(moving, new_params, params), new_state, diverged_at), None

        carry = (start, tx.init(start), jnp.array(-1))
        return jax.lax.scan(step, carry, jnp.arange(num_steps))[0][0]

    return jax.jit(jax.vmap(path))


def bench_sweep() -> None:
    surface = resolve_surface(SURFACE)
    starts = sweep_starts(surface, SWEEP_SIDE)
    x32 = jnp.asarray(starts, jnp.float32)
    work = len(starts) * SWEEP_STEPS
    variants = {}  # label -> a call that runs the whole sweep, already compiled
    for name in ("gd", "adam"):
        opts = resolve_optimizers([name], surface)

        def sweep(opts=opts, dtype=jnp.float32, chunks=1):
            for part in np.array_split(starts, chunks):
                simulate(surface, opts, part, SWEEP_STEPS, final_only=True, dtype=dtype, grid_size=0)

        variants[f"{name}, engine float32"] = sweep
        for freeze, label in (("none", "no divergence check"),
                              ("params", "per-step check, params frozen (the engine before chunks)"),
                              ("params+state", "per-step check, params + state frozen")):
            fn = bare_sweep(surface, opts[0], SWEEP_STEPS, freeze)
            variants[f"{name}, bare scan, {label}"] = lambda fn=fn: fn(x32).block_until_ready()
        variants[f"{name}, engine float32, starts in 16 chunks"] = lambda sweep=sweep: sweep(chunks=16)
        if name == "gd":  # float64 for one optimizer is enough to show the factor (and adam's takes ~15 s)
            variants[f"{name}, engine float64"] = lambda sweep=sweep: sweep(dtype=jnp.float64)
    for call in variants.values():
        call()  # compile
    wall, cpu = best_times(variants)  # interleaved, so contention hits every variant alike
    rate = lambda seconds: f"{work / seconds / 1e6:,.0f} M/s"  # noqa: E731

    rows = []
    for name in ("gd", "adam"):
        ours, bare = wall[f"{name}, engine float32"], wall[f"{name}, bare scan, no divergence check"]
        rows.append([f"{name}, engine float32", rate(ours), rate(bare), f"{bare / ours:.2f}×",
                     f"≥ {LIMIT_TARGET}×", met(bare / ours >= LIMIT_TARGET),
                     f"≥ {SWEEP_TARGET / 1e6:.0f} M/s", met(work / ours >= SWEEP_TARGET)])
    print_table(f"(c) final-point sweep: {SWEEP_SIDE}×{SWEEP_SIDE} starts × {SWEEP_STEPS} steps on {SURFACE}, "
                f"warm, best of {REPEATS}, against its limit: the same optax step in a bare jitted vmap(lax.scan) "
                "with no divergence check",
                ["what", "engine", "bare scan (limit)", "engine / limit", "target", "met?", "throughput target",
                 "met?"], rows)
    rows = [[k, rate(wall[k]), fmt_time(wall[k]), fmt_time(cpu[k]), rate(cpu[k])] for k in variants]
    print_table("(c') where the sweep time goes (each variant timed in turn, best of "
                f"{REPEATS}; CPU time counts both cores)",
                ["variant", "throughput", "wall", "cpu", "per CPU-second"], rows)


def main() -> int:
    engine.setup()
    print(f"jax {jax.__version__}, optax {optax.__version__}, {jax.devices()[0].platform}, "
          f"{os.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.2f}")
    bench_engine_vs_loop()
    bench_cli()
    bench_sweep()
    print(f"\nload average at end {os.getloadavg()[0]:.2f} (1 min); figures are minima over repeats")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
