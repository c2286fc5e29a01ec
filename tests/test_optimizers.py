"""Each named optimizer against an independent NumPy reference, its defaults, equation and validation."""

import functools

import numpy as np
import pytest
from helpers import (NON_DEFAULT_SPECS, assert_spec_error, NUMPY_SURFACES, OPTIMIZER_NAMES, RAVINE, RAVINE_SPECS, RAVINE_STARTS,
                     REFERENCE_RULES, SURFACE_NAMES, TEXTBOOK_DEFAULTS, numerical_grad, ravine_grad, reference_path)

from landscapes import LANDSCAPES, SpecError, resolve_surface
from optimizers.engine import DOMAIN_MARGIN, simulate
from optimizers.equations import num
from optimizers.registry import OPTIMIZERS, optimizer_keys, resolve_optimizer, resolve_optimizers


def test_every_optimizer_has_a_reference_rule():
    assert set(REFERENCE_RULES) == set(OPTIMIZERS)
    assert set(NON_DEFAULT_SPECS) <= set(OPTIMIZERS)
    assert set(TEXTBOOK_DEFAULTS) <= set(OPTIMIZERS)
    assert set(NUMPY_SURFACES) == set(SURFACE_NAMES)


def _reference(run, i, start):
    entry = run.meta.optimizers[i]
    return reference_path(entry.name, entry.hyperparameters, ravine_grad, start, run.num_steps)


@pytest.mark.parametrize("spec", RAVINE_SPECS)
def test_trajectory_matches_reference_rule(ravine_run, spec):
    """The jitted engine follows the textbook rule, driven by the hand-written gradient, step for step."""
    run, i = ravine_run, RAVINE_SPECS.index(spec)
    entry = run.meta.optimizers[i]
    if spec in NON_DEFAULT_SPECS.values():  # the settings really reached the engine
        default = resolve_optimizer(entry.name, resolve_surface(RAVINE)).hyperparameters
        assert entry.hyperparameters != dict(default)
        assert entry.hyperparameters == dict(resolve_optimizer(spec, resolve_surface(RAVINE)).hyperparameters)
    assert run.num_steps >= 200
    assert run.params.dtype == np.float64
    for k, start in enumerate(RAVINE_STARTS):
        assert run.diverged_at[i, 0, k] == -1
        path, _ = _reference(run, i, start)
        np.testing.assert_allclose(run.params[i, 0, k], path, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(run.loss[i, 0, k], 0.5 * (path[:, 0] ** 2 + 3 * path[:, 1] ** 2),
                                   rtol=1e-6, atol=1e-12)


# recorded Run field -> reference state key, per optimizer (what the glyphs draw)
RECORDED_STATE = {
    "momentum": {"first_moment": "v"},
    "nesterov": {"first_moment": "v"},
    "adagrad": {"second_moment": "G"},
    "adadelta": {"second_moment": "s"},
    "rmsprop": {"second_moment": "s"},
    "adam": {"first_moment": "m", "second_moment": "v"},
    "adamw": {"first_moment": "m", "second_moment": "v"},
    "nadam": {"first_moment": "m", "second_moment": "v"},
    "amsgrad": {"first_moment": "m", "second_moment": "v_max"},
    "adabelief": {"first_moment": "m", "second_moment": "s"},
    "lion": {"first_moment": "m"},
}


def _reference_step_size(name, h, state):
    """The documented effective step size, from the reference state after the step (None: see −u/g)."""
    lr = h["learning_rate"]
    if name in ("gd", "sgd", "momentum", "nesterov", "lion"):
        return np.full(2, lr)
    if name in ("adam", "adamw", "nadam"):
        return lr / (np.sqrt(state["v_hat"]) + h["eps"])
    if name == "amsgrad":
        return lr / (np.sqrt(state["v_max"]) + h["eps"])
    if name == "adabelief":
        return lr / (np.sqrt(state["s"] / (1 - h["b2"] ** state["t"])) + h["eps"])
    if name == "adagrad":
        return lr / np.sqrt(state["G"] + h["eps"])
    if name == "rmsprop":
        return lr / np.sqrt(state["s"] + h["eps"])
    return None  # adadelta: √(u+ε)/√(s+ε) with the u before the step, checked as −update/grad


@pytest.mark.parametrize("spec", RAVINE_SPECS)
def test_recorded_state_matches_reference(ravine_run, spec):
    run, i = ravine_run, RAVINE_SPECS.index(spec)
    name, h = run.meta.optimizers[i].name, run.meta.optimizers[i].hyperparameters
    path, states = _reference(run, i, RAVINE_STARTS[0])
    fields = RECORDED_STATE.get(name, {})
    for field in ("first_moment", "second_moment"):
        recorded = getattr(run, field)[i, 0, 0]
        if field in fields:
            expected = np.array([s[fields[field]] for s in states])
            np.testing.assert_allclose(recorded, expected, rtol=1e-6, atol=1e-12)
        else:
            assert np.isnan(recorded).all()
    g, u, step_size = run.grad[i, 0, 0], run.update[i, 0, 0], run.step_size[i, 0, 0]
    np.testing.assert_allclose(g, np.array([ravine_grad(p) for p in path[:-1]]), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(u, np.diff(path, axis=0), rtol=1e-6, atol=1e-12)
    expected = [_reference_step_size(name, h, s) for s in states]
    if expected[0] is not None:
        np.testing.assert_allclose(step_size, np.array(expected), rtol=1e-6)
    if OPTIMIZERS[name].step_size.__name__ == "_update_over_grad":  # per-coordinate rescaling: exactly −u/g
        nonzero = g != 0
        np.testing.assert_allclose(step_size[nonzero], -u[nonzero] / g[nonzero], rtol=1e-9)
        assert np.isnan(step_size[~nonzero]).all()


# --- convergence on a convex bowl -------------------------------------------------------------------------

def _convergence_spec(name):
    """AdaGrad's step shrinks like η/√t: at the default 0.05 it needs thousands of steps, so use η = 0.5."""
    return NON_DEFAULT_SPECS["adagrad"] if name == "adagrad" else name


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_converges_on_convex_bowl(ravine_run, name):
    run, i = ravine_run, RAVINE_SPECS.index(_convergence_spec(name))
    for k in range(len(RAVINE_STARTS)):
        params, loss = run.params[i, 0, k], run.loss[i, 0, k]
        assert np.dot(run.update[i, 0, k, 0], run.grad[i, 0, k, 0]) < 0  # the first step goes downhill
        # RMSprop and Lion end in a small limit cycle (their step does not shrink with the gradient)
        assert np.linalg.norm(params[-1]) < 0.1
        assert loss[-1] < 1e-2 * loss[0]


def test_adadelta_moves_downhill(ravine_run):
    """optax.adadelta without a learning rate climbs; the registry passes η = 1."""
    i = RAVINE_SPECS.index("adadelta")
    assert ravine_run.meta.optimizers[i].hyperparameters["learning_rate"] == 1.0
    for k in range(len(RAVINE_STARTS)):
        loss = ravine_run.loss[i, 0, k]
        assert np.all(np.diff(loss[:100]) < 0)
        assert loss[-1] < 1e-2 * loss[0]


# --- textbook defaults -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", TEXTBOOK_DEFAULTS)
def test_textbook_defaults(name):
    hyper = resolve_optimizer(name).hyperparameters
    for key, value in TEXTBOOK_DEFAULTS[name].items():
        assert hyper[key] == value, (name, key)


def test_adagrad_accumulator_starts_at_zero_not_optax_default():
    assert resolve_optimizer("adagrad").hyperparameters["initial_accumulator_value"] == 0.0


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_learning_rate_comes_from_the_surface(name):
    info = OPTIMIZERS[name]
    for surface_name in ("two-holes", "rosenbrock"):
        surface = resolve_surface(surface_name)
        lr = resolve_optimizer(name, surface).hyperparameters["learning_rate"]
        rates = LANDSCAPES[surface_name].learning_rates
        if info.lr_kind == "fixed":
            assert lr == info.defaults["learning_rate"]
        else:
            assert lr == rates.get(name, rates[info.lr_kind])
        assert lr > 0


# --- equations ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_equation_shows_every_hyperparameter(name):
    base = resolve_optimizer(name)
    assert base.equation and all(isinstance(line, str) and line for line in base.equation)
    for key in optimizer_keys(OPTIMIZERS[name]):
        changed = resolve_optimizer(f"{name}:{key}=0.37")
        assert changed.hyperparameters[key] == 0.37
        assert changed.equation != base.equation, key
        assert "0.37" in "".join(changed.equation), key


def test_adam_equation_values():
    text = "".join(resolve_optimizer("adam:b1=0.8,lr=0.123").equation)
    assert "0.8" in text and "0.2" in text  # β₁ and 1 − β₁
    assert "0.123" in text
    assert num(1e-8) in text and "0.999" in text


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_equation_renders_as_mathtext(name):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    for line in resolve_optimizer(name).equation:
        parser.parse(f"${line}$")


# --- validation --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, words", [
    ("adam:lr=0", ["learning_rate", "> 0"]),
    ("adam:lr=-0.1", ["learning_rate", "> 0"]),
    ("adam:learning_rate=nan", ["learning_rate", "finite"]),
    ("adam:b1=nan", ["b1", "finite"]),
    ("adam:b1=1", ["b1", "[0, 1)"]),
    ("adam:b2=1.5", ["b2"]),
    ("adam:eps=0", ["eps", "> 0"]),
    ("adam:eps=-1e-8", ["eps"]),
    ("adam:b1=abc", ["b1", "number"]),
    ("adam:b1", ["b1", "key=value"]),
    ("adam:,", ["key=value"]),
    ("momentum:momentum=1", ["momentum"]),
    ("rmsprop:decay=-0.1", ["decay"]),
    ("adadelta:rho=1", ["rho"]),
    ("adagrad:initial_accumulator_value=-1", ["initial_accumulator_value"]),
    ("lion:weight_decay=-0.1", ["weight_decay"]),
    ("gd:momentum=0.9", ["momentum", "valid: learning_rate"]),
    ("adam:lerning_rate=0.1", ["lerning_rate", "did you mean 'learning_rate'"]),
    ("momentum:mometum=0.5", ["mometum", "did you mean 'momentum'"]),
    ("adma", ["adma", "did you mean 'adam'"]),
    ("nesterof", ["did you mean 'nesterov'"]),
    ("optax:adamm", ["adamm", "did you mean 'adam'"]),
    ("optax:yogii", ["did you mean 'yogi'"]),
    ("optax:tree", ["optax:tree"]),
    ("optax:_src", ["optax:_src"]),
])
def test_bad_optimizer_specs_are_rejected(spec, words):
    assert_spec_error(resolve_optimizer, spec, words)


def test_lr_alias():
    assert resolve_optimizer("adam:lr=0.2").hyperparameters["learning_rate"] == 0.2
    assert resolve_optimizer("adam:lr=0.2").spec.startswith("adam:learning_rate=0.2,")


def test_resolve_optimizers_splits_comma_lists():
    names = [o.name for o in resolve_optimizers(["gd,adam", "momentum:momentum=0.5,lr=0.1"])]
    assert names == ["gd", "adam", "momentum"]
    with pytest.raises(SpecError):
        resolve_optimizers([" , "])


def test_spec_round_trips():
    surface = resolve_surface("two-holes")
    for name in OPTIMIZER_NAMES:
        opt = resolve_optimizer(NON_DEFAULT_SPECS.get(name, name), surface)
        assert resolve_optimizer(opt.spec, surface).hyperparameters == opt.hyperparameters


# --- optax aliases -----------------------------------------------------------------------------------------

def test_optax_aliases_run():
    surface = resolve_surface("ravine:kappa=2")
    optimizers = [resolve_optimizer("optax:yogi:lr=0.1", surface), resolve_optimizer("optax:lamb", surface)]
    assert optimizers[0].hyperparameters["learning_rate"] == 0.1
    assert optimizers[1].hyperparameters["learning_rate"] == 0.05  # the surface's adaptive rate
    assert "optax.yogi" in "".join(optimizers[0].equation)
    run = simulate(surface, optimizers, surface.landscape.starts, 60, grid_size=0)
    assert run.optimizer_names == ["optax:yogi", "optax:lamb"]
    assert np.all(run.diverged_at == -1)
    assert np.all(run.loss[:, 0, 0, -1] < 0.5 * run.loss[:, 0, 0, 0])
    assert np.isfinite(run.params).all()


def test_optax_alias_hyperparameters_are_checked():
    assert resolve_optimizer("optax:yogi:b1=0.5").hyperparameters["b1"] == 0.5
    with pytest.raises(SpecError, match="b1"):
        resolve_optimizer("optax:yogi:b1=1")
    with pytest.raises(SpecError, match="did you mean 'eps'"):
        resolve_optimizer("optax:yogi:epss=1e-3")


# --- defaults stay inside the domain ----------------------------------------------------------------------

@pytest.mark.parametrize("surface_name", [n for n in SURFACE_NAMES if n != "saddle"])  # saddle: unbounded below
def test_default_learning_rates_do_not_diverge(surface_name):
    """Steps proportional to the gradient, at each surface's default rate, stay near the domain.

    Run with the reference rules (equal to the engine, above) and a numerical gradient of the NumPy formula,
    so no program is compiled per surface.
    """
    surface = resolve_surface(surface_name)
    f = functools.partial(NUMPY_SURFACES[surface_name], **surface.parameters)
    xmin, xmax, ymin, ymax = surface.domain
    lo = np.array([xmin - DOMAIN_MARGIN * (xmax - xmin), ymin - DOMAIN_MARGIN * (ymax - ymin)])
    hi = np.array([xmax + DOMAIN_MARGIN * (xmax - xmin), ymax + DOMAIN_MARGIN * (ymax - ymin)])
    for name in ("gd", "momentum", "nesterov"):
        hyper = resolve_optimizer(name, surface).hyperparameters
        for start in surface.landscape.starts:
            with np.errstate(all="ignore"):
                path, _ = reference_path(name, hyper, lambda p: numerical_grad(f, p), start, 150)
            inside = np.isfinite(path).all(axis=1) & np.all((path >= lo) & (path <= hi), axis=1)
            assert inside.all(), f"{name} leaves the domain at step {np.argmin(inside)}"
            assert f(*path[-1]) < f(*path[0])
