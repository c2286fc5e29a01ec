"""The trajectory engine: jit == eager optax, vmap == loop, noise and minibatches, divergence, the Run contract."""

import functools
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import (NUMPY_SURFACES, OPTIMIZER_NAMES, RAVINE, RAVINE_SPECS, RAVINE_STARTS, numerical_grad, ravine_grad,
                     reference_path, two_holes_grad)

from landscapes import SpecError, resolve_surface
from landscapes.data import regression_data
from optimizers.engine import CHUNK, MAX_STEPS, simulate
from optimizers.registry import resolve_optimizer
from optimizers.run import Run, RunMeta, SweepMeta

EAGER_STEPS = 10


# --- jit == no jit -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", OPTIMIZER_NAMES)
def test_jit_equals_eager_optax_loop(ravine_run, spec):
    """The scanned, vmapped, jitted program equals a plain Python loop over the same optax transformation."""
    surface = resolve_surface(RAVINE)
    i = RAVINE_SPECS.index(spec)
    opt = resolve_optimizer(spec, surface)
    assert dict(opt.hyperparameters) == ravine_run.meta.optimizers[i].hyperparameters
    # no jax.jit anywhere here: every operation runs eagerly
    tx = opt.build()
    params = jnp.asarray(RAVINE_STARTS[0], dtype=jnp.float64)
    state = tx.init(params)
    path, losses, grads, updates, firsts, seconds = [params], [], [], [], [], []
    for _ in range(EAGER_STEPS):
        loss, grad = jax.value_and_grad(surface.loss)(params)
        update, state = tx.update(grad, state, params)
        params = optax.apply_updates(params, update)
        path.append(params)
        losses.append(loss)
        grads.append(grad)
        updates.append(update)
        firsts.append(optax.tree_utils.tree_get(state, opt.info.first) if opt.info.first else np.full(2, np.nan))
        seconds.append(optax.tree_utils.tree_get(state, opt.info.second) if opt.info.second
                       else np.full(2, np.nan))
    close = functools.partial(np.testing.assert_allclose, rtol=1e-10, atol=1e-14)
    close(ravine_run.params[i, 0, 0, : EAGER_STEPS + 1], np.array(path))
    close(ravine_run.loss[i, 0, 0, :EAGER_STEPS], np.array(losses))
    close(ravine_run.grad[i, 0, 0, :EAGER_STEPS], np.array(grads))
    close(ravine_run.update[i, 0, 0, :EAGER_STEPS], np.array(updates))
    close(ravine_run.first_moment[i, 0, 0, :EAGER_STEPS], np.array(firsts))
    close(ravine_run.second_moment[i, 0, 0, :EAGER_STEPS], np.array(seconds))


# --- vmap == loop, sweeps, shapes, the Run contract ---------------------------------------------------------

SWEEP_SURFACE = "two-holes"
SWEEP_NAMES = ["gd", "momentum"]
SWEEP_VALUES = [0.05, 0.1, 0.2]
SWEEP_STARTS = [(-1.4, -1.6), (1.6, -0.6)]
SWEEP_STEPS = 60
GRID_SIZE = 9


@pytest.fixture(scope="module")
def sweep_run():
    surface = resolve_surface(SWEEP_SURFACE)
    optimizers = [resolve_optimizer(n, surface) for n in SWEEP_NAMES]
    return simulate(surface, optimizers, SWEEP_STARTS, SWEEP_STEPS, sweep=("learning_rate", SWEEP_VALUES),
                    grid_size=GRID_SIZE)


@pytest.fixture(scope="module")
def separate_runs():
    """One run per (learning rate, start): the same program, called 6 times."""
    surface = resolve_surface(SWEEP_SURFACE)
    runs = {}
    for s, value in enumerate(SWEEP_VALUES):
        optimizers = [resolve_optimizer(f"{n}:lr={value}", surface) for n in SWEEP_NAMES]
        for k, start in enumerate(SWEEP_STARTS):
            runs[s, k] = simulate(surface, optimizers, [start], SWEEP_STEPS, grid_size=0)
    return runs


ARRAYS = ["params", "loss", "grad", "update", "first_moment", "second_moment", "step_size", "diverged_at"]


def test_vmap_over_starts_and_sweep_equals_separate_runs(sweep_run, separate_runs):
    for (s, k), run in separate_runs.items():
        assert run.meta.optimizers[0].hyperparameters["learning_rate"] == SWEEP_VALUES[s]
        for name in ARRAYS:
            np.testing.assert_allclose(getattr(sweep_run, name)[:, s, k], getattr(run, name)[:, 0, 0],
                                       rtol=1e-12, atol=1e-15, err_msg=name)
    # the sweep really changed something
    assert not np.allclose(sweep_run.params[:, 0], sweep_run.params[:, 2])


def test_sweep_follows_the_reference_rules(sweep_run):
    """On the curved two-holes surface too, each swept path is the textbook rule with that learning rate."""
    for o, entry in enumerate(sweep_run.meta.optimizers):
        for s, value in enumerate(SWEEP_VALUES):
            hyper = {**entry.hyperparameters, "learning_rate": value}
            for k, start in enumerate(SWEEP_STARTS):
                path, _ = reference_path(entry.name, hyper, two_holes_grad, start, SWEEP_STEPS)
                np.testing.assert_allclose(sweep_run.params[o, s, k], path, rtol=1e-6, atol=1e-9)


def test_sweep_metadata(sweep_run):
    assert sweep_run.meta.sweep == SweepMeta("learning_rate", tuple(SWEEP_VALUES))


def test_shapes_match_run_docstring(sweep_run):
    o, s, k, t = len(SWEEP_NAMES), len(SWEEP_VALUES), len(SWEEP_STARTS), SWEEP_STEPS
    run = sweep_run
    assert run.params.shape == (o, s, k, t + 1, 2)
    assert run.loss.shape == (o, s, k, t + 1)
    for name in ("grad", "update", "first_moment", "second_moment", "step_size"):
        assert getattr(run, name).shape == (o, s, k, t, 2), name
    assert run.diverged_at.shape == (o, s, k)
    assert run.grid_x.shape == run.grid_y.shape == (GRID_SIZE,)
    assert run.grid_z.shape == (GRID_SIZE, GRID_SIZE)
    assert run.num_steps == t and run.optimizer_names == SWEEP_NAMES
    for name in ARRAYS:
        assert isinstance(getattr(run, name), np.ndarray), name  # NumPy, never JAX arrays


def test_run_contract(sweep_run):
    """params[t] -> params[t+1] by update[t]; loss and grad are f and ∇f at params[t]; the grid is f."""
    run = sweep_run
    f = NUMPY_SURFACES[SWEEP_SURFACE]
    np.testing.assert_allclose(run.update, np.diff(run.params, axis=3), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(run.loss, f(run.params[..., 0], run.params[..., 1]), rtol=1e-10, atol=1e-14)
    grads = np.apply_along_axis(lambda p: numerical_grad(f, p), -1, run.params[..., :-1, :])
    np.testing.assert_allclose(run.grad, grads, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(run.params[:, :, :, 0], np.broadcast_to(SWEEP_STARTS, run.params[:, :, :, 0].shape))
    xmin, xmax, ymin, ymax = resolve_surface(SWEEP_SURFACE).domain
    np.testing.assert_allclose(run.grid_x, np.linspace(xmin, xmax, GRID_SIZE))
    np.testing.assert_allclose(run.grid_y, np.linspace(ymin, ymax, GRID_SIZE))
    gx, gy = np.meshgrid(run.grid_x, run.grid_y)  # grid_z[j, i] = f(grid_x[i], grid_y[j])
    np.testing.assert_allclose(run.grid_z, f(gx, gy), rtol=1e-10, atol=1e-14)
    assert not np.allclose(run.grid_z, run.grid_z.T)  # f(x, y) ≠ f(y, x): the orientation check is not vacuous


def test_sweep_of_missing_key_is_rejected():
    surface = resolve_surface(SWEEP_SURFACE)
    optimizers = [resolve_optimizer(n, surface) for n in SWEEP_NAMES]
    with pytest.raises(SpecError, match="momentum"):
        simulate(surface, optimizers, SWEEP_STARTS, 5, sweep=("momentum", [0.5, 0.9]))


def test_float32_runs_close_to_float64(sweep_run):
    surface = resolve_surface(SWEEP_SURFACE)
    optimizers = [resolve_optimizer(n, surface) for n in SWEEP_NAMES]
    run = simulate(surface, optimizers, SWEEP_STARTS, SWEEP_STEPS, sweep=("learning_rate", SWEEP_VALUES),
                   dtype=jnp.float32, grid_size=0)
    assert run.params.dtype == np.float32
    np.testing.assert_allclose(run.params, sweep_run.params, atol=1e-4)


# --- save / load -------------------------------------------------------------------------------------------

def test_save_load_round_trip(sweep_run, tmp_path):
    path = tmp_path / "run.npz"
    sweep_run.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.npz"]  # no temp file left behind
    loaded = Run.load(path)
    assert loaded.meta == sweep_run.meta
    for name in [*ARRAYS, "grid_x", "grid_y", "grid_z"]:
        np.testing.assert_array_equal(getattr(loaded, name), getattr(sweep_run, name), err_msg=name)
        assert getattr(loaded, name).dtype == getattr(sweep_run, name).dtype


def test_meta_is_json_and_complete(sweep_run):
    meta = json.loads(sweep_run.meta.to_json())
    assert RunMeta.from_json(json.dumps(meta)) == sweep_run.meta
    assert set(meta["versions"]) >= {"jax", "optax", "numpy", "python"}
    assert meta["versions"]["jax"] == jax.__version__ and meta["versions"]["optax"] == optax.__version__
    assert meta["seed"] == 0 and meta["noise"] == 0.0 and meta["batch_size"] is None
    assert meta["num_steps"] == SWEEP_STEPS and meta["starts"] == [list(s) for s in SWEEP_STARTS]
    assert meta["surface"]["name"] == SWEEP_SURFACE and meta["surface"]["domain"] == [-2.0, 2.0, -2.0, 2.0]
    assert len(meta["surface"]["minima"]) == 2
    for entry, name in zip(meta["optimizers"], SWEEP_NAMES):
        assert entry["name"] == name
        assert set(entry) >= {"title", "color", "spec", "hyperparameters", "equation", "reference"}
        assert "learning_rate" in entry["hyperparameters"]
    assert meta["optimizers"][1]["hyperparameters"]["momentum"] == 0.9


def test_run_module_needs_no_jax():
    """Scenes read a Run without importing JAX."""
    code = "import sys, optimizers.run; assert not any(m.startswith('jax') for m in sys.modules), sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


# --- noise: reproducible, and common to every optimizer ----------------------------------------------------

NOISE_NAMES = ["gd", "sgd", "adam"]
NOISE_STEPS = 40
SIGMA = 0.3


def _noisy(seed):
    surface = resolve_surface(RAVINE)
    optimizers = [resolve_optimizer(n, surface) for n in NOISE_NAMES]
    return simulate(surface, optimizers, RAVINE_STARTS[:2], NOISE_STEPS, noise=SIGMA, seed=seed, grid_size=0)


@pytest.fixture(scope="module")
def noisy_runs():
    return _noisy(7), _noisy(7), _noisy(8)


def test_same_seed_same_numbers(noisy_runs):
    first, again, other = noisy_runs
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name), err_msg=name)
    assert not np.allclose(first.params, other.params)
    assert first.meta.seed == 7 and other.meta.seed == 8 and first.meta.noise == SIGMA


def test_noise_is_common_to_every_optimizer(noisy_runs):
    run = noisy_runs[0]
    assert np.all(run.diverged_at == -1)
    exact = np.apply_along_axis(ravine_grad, -1, run.params[..., :-1, :])
    noise = run.grad - exact  # (O, 1, K, T, 2)
    for o in range(1, len(NOISE_NAMES)):  # the same draw at the same start and step, whatever the optimizer
        np.testing.assert_allclose(noise[o], noise[0], atol=1e-12)
    assert not np.allclose(noise[0, 0, 0], noise[0, 0, 1])  # each start has its own stream
    assert 0.7 * SIGMA < noise[0].std() < 1.3 * SIGMA
    assert abs(noise[0].mean()) < 0.2 * SIGMA
    # gd and sgd are the same rule: under the same noise their paths are identical
    np.testing.assert_array_equal(run.params[0], run.params[1])


def test_noise_applies_to_every_optimizer(noisy_runs, ravine_run):
    run = noisy_runs[0]
    for o, name in enumerate(NOISE_NAMES):
        clean = ravine_run.params[RAVINE_SPECS.index(name), 0, :2, : NOISE_STEPS + 1]
        assert not np.allclose(run.params[o, 0], clean), name


# --- minibatch oracle on a data landscape ------------------------------------------------------------------

MINIBATCH_STEPS = 30


def _regression(batch_size, seed=0):
    surface = resolve_surface("linear-regression")
    return simulate(surface, [resolve_optimizer("sgd", surface)], surface.landscape.starts, MINIBATCH_STEPS,
                    batch_size=batch_size, seed=seed, grid_size=0)


@pytest.fixture(scope="module")
def regression_runs():
    return {"full": _regression(None), "n": _regression(len(regression_data()[0])),
            "one": _regression(1), "one-again": _regression(1), "one-seed-1": _regression(1, seed=1)}


def test_full_minibatch_is_full_batch(regression_runs):
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(regression_runs["n"], name), getattr(regression_runs["full"], name))
    xs, ys = regression_data()
    run = regression_runs["full"]
    w, b = run.params[0, 0, 0, :-1].T
    residual = w[:, None] * xs + b[:, None] - ys
    exact = np.stack([2 * np.mean(residual * xs, axis=1), 2 * np.mean(residual, axis=1)], axis=1)
    np.testing.assert_allclose(run.grad[0, 0, 0], exact, rtol=1e-10)


def test_batch_of_one_samples_single_examples(regression_runs):
    one, again, other, full = (regression_runs[k] for k in ("one", "one-again", "one-seed-1", "full"))
    assert not np.allclose(one.params, full.params)
    np.testing.assert_array_equal(one.params, again.params)
    assert not np.allclose(one.params, other.params)
    assert one.meta.batch_size == 1
    # every step's gradient is the gradient of exactly one data point at the current params
    xs, ys = regression_data()
    for (w, b), g in zip(one.params[0, 0, 0, :-1], one.grad[0, 0, 0]):
        residual = w * xs + b - ys
        per_example = np.stack([2 * residual * xs, 2 * residual], axis=1)
        assert np.min(np.abs(per_example - g).max(axis=1)) < 1e-10


# --- divergence --------------------------------------------------------------------------------------------

DIVERGE_SPECS = ["gd:lr=1.0", "gd:lr=1e6", "adam"]  # the second becomes η = 1e308 (past what the CLI takes)
DIVERGE_START = (-1.8, 0.02)
DIVERGE_STEPS = 20


def _saddle(final_only):
    surface = resolve_surface("saddle")
    optimizers = [resolve_optimizer(s, surface) for s in DIVERGE_SPECS]
    optimizers[1] = replace(optimizers[1], hyperparameters={**optimizers[1].hyperparameters, "learning_rate": 1e308})
    return simulate(surface, optimizers, [DIVERGE_START], DIVERGE_STEPS, final_only=final_only, grid_size=0)


@pytest.fixture(scope="module")
def saddle_runs():
    return _saddle(False), _saddle(True)


def test_divergence_is_recorded_and_frozen(saddle_runs):
    run = saddle_runs[0]
    # η = 1 on x² − y²: x ← −x, y ← 3y, so |y| = 0.02·3⁶ = 14.58 passes 2 + 2·4 = 10 at step 6
    assert run.diverged_at[:, 0, 0].tolist() == [6, 1, -1]
    path = run.params[0, 0, 0]
    expected = np.array([[-1.8 * (-1) ** t, 0.02 * 3**t] for t in range(6)])
    np.testing.assert_allclose(path[:6], expected, rtol=1e-12)
    np.testing.assert_array_equal(path[6:], np.broadcast_to(path[5], path[6:].shape))  # frozen at the last good point
    assert np.all(run.update[0, 0, 0, 5:] == 0)
    # an overflow (θ − 10³⁰⁸·2θ = −inf) freezes at the start
    np.testing.assert_array_equal(run.params[1, 0, 0], np.broadcast_to(DIVERGE_START, (DIVERGE_STEPS + 1, 2)))
    for name in ("params", "loss", "grad", "update"):
        assert np.isfinite(getattr(run, name)[:2]).all(), name
    assert not np.isnan(run.params).any()
    # the healthy optimizer in the same program is untouched
    assert np.all(np.diff(run.loss[2, 0, 0]) < 0)


def test_final_only_equals_last_point(saddle_runs):
    full, final = saddle_runs
    assert final.meta.final_only is True
    assert final.params.shape == (len(DIVERGE_SPECS), 1, 1, 1, 2)
    assert final.loss.shape == (len(DIVERGE_SPECS), 1, 1, 1)
    assert final.grad.shape == (len(DIVERGE_SPECS), 1, 1, 0, 2)
    np.testing.assert_allclose(final.params[..., 0, :], full.params[..., -1, :], rtol=1e-12)
    np.testing.assert_allclose(final.loss[..., 0], full.loss[..., -1], rtol=1e-12)
    np.testing.assert_array_equal(final.diverged_at, full.diverged_at)


# --- final points in chunks == the per-step check -----------------------------------------------------------

CHUNKED_STEPS = [2 * CHUNK + 22, 3 * CHUNK]  # a last chunk that is partial, and one that is whole


@pytest.mark.parametrize("num_steps", CHUNKED_STEPS)
@pytest.mark.parametrize("dtype", [jnp.float64, jnp.float32])
def test_chunked_final_points_equal_the_per_step_check(num_steps, dtype):
    """Final-point runs check once per chunk and re-run a chunk a path left: the same step, the same frozen point.

    GD on ½(x² + 10y²) grows y by |1 − 10η| a step, so rates just above 2/κ = 0.2 leave the margin at every
    step from 1 to the last; momentum and Adam swing out and back; η = 1e30 leaves on its first step.
    """
    surface = resolve_surface("ravine")  # κ = 10
    optimizers = [resolve_optimizer(s, surface) for s in ("gd", "momentum", "adam")]
    rates = 0.2 + np.geomspace(1e-4, 0.3, 48)
    starts = [(-2.7, 1.0), (1.0, -0.05), (2.9, 1.4), (0.3, 0.001)]
    kwargs = dict(sweep=("learning_rate", [*rates, 1e30]), dtype=dtype, grid_size=0, noise=0.01, seed=3)
    per_step = simulate(surface, optimizers, starts, num_steps, **kwargs)
    chunked = simulate(surface, optimizers, starts, num_steps, final_only=True, **kwargs)
    np.testing.assert_array_equal(chunked.diverged_at, per_step.diverged_at)
    np.testing.assert_array_equal(chunked.params[..., 0, :], per_step.params[..., -1, :])
    np.testing.assert_array_equal(chunked.loss[..., 0], per_step.loss[..., -1])
    # the cases the comparison must cover: divergence in the first, a middle and the last chunk, and none
    steps = chunked.diverged_at[0]
    assert (steps == 1).any() and (steps == -1).any()
    last = 2 * CHUNK if num_steps % CHUNK else num_steps - CHUNK
    for lo, hi in ((1, CHUNK // 2), (CHUNK // 2, CHUNK), (CHUNK, 2 * CHUNK), (last, num_steps)):
        assert ((steps > lo) & (steps <= hi)).any(), (lo, hi)


def test_a_path_that_leaves_and_returns_within_a_chunk_is_caught():
    """η = 20 on x² + a|y| from (0, 0.3): y jumps to 0.3 − 20a, far past the margin, and back, every two steps."""
    surface = resolve_surface("abs-valley")
    optimizers = [resolve_optimizer("gd:learning_rate=20", surface)]
    per_step = simulate(surface, optimizers, [(0.0, 0.3)], CHUNK, grid_size=0)
    chunked = simulate(surface, optimizers, [(0.0, 0.3)], CHUNK, final_only=True, grid_size=0)
    assert per_step.diverged_at.item() == chunked.diverged_at.item() == 1
    np.testing.assert_array_equal(chunked.params[0, 0, 0, 0], (0.0, 0.3))


# --- validation --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("surface_spec, kwargs, words", [
    ("saddle", {"num_steps": 0}, ["--steps"]),
    ("saddle", {"num_steps": MAX_STEPS + 1}, ["--steps", f"{MAX_STEPS:,}"]),
    ("saddle", {"num_steps": 1.5}, ["--steps"]),
    ("saddle", {"noise": -0.1}, ["--noise"]),
    ("saddle", {"noise": float("nan")}, ["--noise"]),
    ("saddle", {"batch_size": 4}, ["--batch-size", "data landscape"]),
    ("linear-regression", {"batch_size": 0}, ["--batch-size", "256"]),
    ("linear-regression", {"batch_size": 257}, ["--batch-size", "256"]),
    ("saddle", {"starts": [(np.nan, 0.0)]}, ["finite"]),
    ("saddle", {"starts": [(np.inf, 0.0)]}, ["finite"]),
])
def test_bad_run_settings_are_rejected_before_computing(surface_spec, kwargs, words):
    surface = resolve_surface(surface_spec)
    args = {"starts": [(0.5, 0.5)], "num_steps": 10, **kwargs}
    with pytest.raises(SpecError) as error:
        simulate(surface, [resolve_optimizer("gd", surface)], args.pop("starts"), args.pop("num_steps"), **args)
    assert "\n" not in str(error.value)
    for word in words:
        assert word in str(error.value)


def test_saved_program_is_reused_by_a_new_process_with_the_same_numbers(tmp_path):
    """The program cache: the second process loads the saved executable and computes the same trajectories."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "LOSSCAPE_CACHE_DIR": str(tmp_path / "cache")}
    outputs = []
    for i in range(2):
        out = tmp_path / f"run{i}.npz"
        subprocess.run([sys.executable, "render.py", "--surface", "ravine", "--optimizer", "gd,adam",
                        "--steps", "25", "--no-render", "--trajectory-out", str(out), "-q"],
                       cwd=root, env=env, check=True)
        outputs.append(np.load(out)["params"])
        saved = list((tmp_path / "cache" / "jax" / "compiled").glob("*.xla"))
        assert len(saved) == 2  # the trajectories' program and the height grid's
    np.testing.assert_array_equal(outputs[0], outputs[1])
