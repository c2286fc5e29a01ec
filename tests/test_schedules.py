"""Learning-rate schedules, Nesterov's two forms and a user's own optimizer file, each against its rule written out."""

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from pathlib import Path

from helpers import assert_spec_error, ravine_grad, two_holes_grad

from landscapes import resolve_surface
from optimizers.engine import simulate
from optimizers.registry import resolve_optimizer
from optimizers.schedules import SCHEDULES

ROOT = Path(__file__).resolve().parent.parent
T = 60
RAVINE = "ravine:kappa=3"
START = (-2.7, 1.0)


def cosine(eta, t, T, s):
    """η·½(1 + cos(πt/T))."""
    return eta * 0.5 * (1 + math.cos(math.pi * t / T))


def exponential(eta, t, T, s):
    """η·r^(t/T)."""
    return eta * s.get("decay_rate", 0.1) ** (t / T)


def step(eta, t, T, s):
    """η·scaleⁿ, n = number of boundaries b ≤ t (default T/2 and 3T/4)."""
    boundaries = s.get("boundaries", (T // 2, 3 * T // 4))
    return eta * s.get("scale", 0.1) ** sum(t >= b for b in boundaries)


def warmup_cosine(eta, t, T, s):
    """η·t/W while t < W, then η·½(1 + cos(π(t − W)/(T − W)))."""
    w = s.get("warmup", T // 10)
    return eta * t / w if t < w else eta * 0.5 * (1 + math.cos(math.pi * (t - w) / (T - w)))


FORMULAS = {"constant": lambda eta, t, T, s: eta, "cosine": cosine, "exponential": exponential, "step": step,
            "warmup-cosine": warmup_cosine}
CASES = [("constant", "", {}), ("cosine", "", {}), ("exponential", "", {}),
         ("exponential", ",decay_rate=0.5", {"decay_rate": 0.5}), ("step", "", {}),
         ("step", ",boundaries=10/25/40,scale=0.5", {"boundaries": (10, 25, 40), "scale": 0.5}),
         ("warmup-cosine", "", {}), ("warmup-cosine", ",warmup=20", {"warmup": 20})]


def test_every_schedule_has_a_formula():
    assert set(FORMULAS) == set(SCHEDULES)
    assert {name for name, _, _ in CASES} == set(SCHEDULES)


def _gd(eta_t, grad, start):
    path = [np.array(start, float)]
    for rate in eta_t:
        path.append(path[-1] - rate * grad(path[-1]))
    return np.array(path)


def _momentum(eta_t, grad, start, beta=0.9):
    path, v = [np.array(start, float)], np.zeros(2)
    for rate in eta_t:
        v = beta * v + grad(path[-1])
        path.append(path[-1] - rate * v)
    return np.array(path)


def _adam(eta_t, grad, start, b1=0.9, b2=0.999, eps=1e-8):
    path, m, v = [np.array(start, float)], np.zeros(2), np.zeros(2)
    for t, rate in enumerate(eta_t, 1):
        g = grad(path[-1])
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
        path.append(path[-1] - rate * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps))
    return np.array(path)


REFERENCES = {"gd:lr=0.2": _gd, "momentum:lr=0.05": _momentum, "adam:lr=0.1": _adam}


@pytest.mark.parametrize("name,settings,values", CASES, ids=[f"{n}{s}" for n, s, _ in CASES])
def test_schedule_paths_follow_the_formula(name, settings, values):
    """GD, momentum and Adam with η_t from the formula written here match the engine to 1e-12, and so do the
    recorded η_t (metadata) and GD's effective step."""
    surface = resolve_surface(RAVINE)
    specs = [f"{base},schedule={name}{settings}" for base in REFERENCES]
    run = simulate(surface, [resolve_optimizer(s, surface) for s in specs], [START], T, grid_size=0)
    for i, (base, reference) in enumerate(REFERENCES.items()):
        eta = run.meta.optimizers[i].hyperparameters["learning_rate"]
        eta_t = [FORMULAS[name](eta, t, T, values) for t in range(T)]
        np.testing.assert_allclose(run.params[i, 0, 0], reference(eta_t, ravine_grad, START), rtol=0, atol=1e-12)
        np.testing.assert_allclose(run.meta.optimizers[i].learning_rates, eta_t, rtol=1e-6, atol=1e-12)
        assert any(r"\eta_t =" in line for line in run.meta.optimizers[i].equation)
    np.testing.assert_allclose(run.step_size[0, 0, 0, :, 0], [FORMULAS[name](0.2, t, T, values) for t in range(T)],
                               rtol=1e-6, atol=1e-12)


def test_schedule_is_shown_with_its_values():
    opt = resolve_optimizer("gd:lr=0.1,schedule=cosine", resolve_surface(RAVINE))
    assert opt.spec == "gd:learning_rate=0.1,schedule=cosine"
    assert opt.rule(150)[-1] == r"\eta_t = 0.1\cdot\frac{1}{2}\left(1 + \cos\frac{\pi t}{150}\right)"
    assert r"\eta_t\,g_i" in opt.rule(150)[0]
    assert resolve_optimizer(opt.spec).spec == opt.spec  # the canonical spelling resolves to itself
    stepped = resolve_optimizer("gd:schedule=step,boundaries=40/80,scale=0.5")
    assert stepped.spec.endswith("schedule=step,boundaries=40/80,scale=0.5")
    assert "(40,\\ 80)" in stepped.rule(100)[-1] and "0.5^{n_t}" in stepped.rule(100)[-1]


@pytest.mark.parametrize("spec,words", [
    ("gd:schedule=cosin", ["unknown schedule 'cosin'", "did you mean 'cosine'"]),
    ("gd:warmup=5", ["warmup sets a schedule", "schedule=warmup-cosine"]),
    ("gd:schedule=cosine,warmup=5", ["schedule=cosine has no setting 'warmup'"]),
    ("gd:schedule=step,boundaries=40/20", ["boundaries must be increasing whole steps"]),
    ("gd:schedule=step,boundaries=4.5", ["boundaries must be increasing whole steps"]),
    ("gd:schedule=exponential,decay_rate=2", ["decay_rate must lie in (0, 1]"]),
    ("gd:schedule=step,scale=0", ["scale must lie in (0, 1]"]),
    ("gd:schedule=warmup-cosine,warmup=0", ["warmup must be a whole number"]),
])
def test_bad_schedules_are_refused(spec, words):
    assert_spec_error(resolve_optimizer, spec, words)


@pytest.mark.parametrize("spec,words", [
    ("gd:schedule=warmup-cosine,warmup=60", ["warmup must lie between 1 and the run's 59 steps"]),
    ("gd:schedule=step,boundaries=30/60", ["boundaries must lie below the run's 60 steps"]),
])
def test_schedules_that_do_not_fit_the_run_are_refused(spec, words):
    surface = resolve_surface(RAVINE)
    assert_spec_error(lambda s: simulate(surface, [resolve_optimizer(s, surface)], [START], T, grid_size=0),
                      spec, words)


def test_sutskever_form_follows_its_rule_and_tracks_theta():
    """v ← μv − η∇f(θ + μv); θ ← θ + v, written out here; optax's form is the same method at φ = θ + μv."""
    surface = resolve_surface("two-holes")
    start, eta, mu = (-1.5, -0.6), 0.05, 0.9
    run = simulate(surface, [resolve_optimizer(f"nesterov:lr={eta}", surface),
                             resolve_optimizer(f"nesterov:form=sutskever,lr={eta}", surface)], [start], 80,
                   grid_size=0)
    theta, v, path = np.array(start), np.zeros(2), [np.array(start)]
    for _ in range(80):
        v = mu * v - eta * two_holes_grad(theta + mu * v)
        theta = theta + v
        path.append(theta)
    path = np.array(path)
    np.testing.assert_allclose(run.params[1, 0, 0], path, rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.params[0, 0, 0, 1:], path[1:] + mu * np.diff(path, axis=0), rtol=0, atol=1e-12)
    sutskever = run.meta.optimizers[1]
    assert sutskever.spec.startswith("nesterov:form=sutskever,") and sutskever.title == "Nesterov (Sutskever)"
    assert sutskever.color != run.meta.optimizers[0].color
    assert sutskever.equation == (r"v_i \leftarrow 0.9\,v_i - 0.05\,\partial_i f(\theta + 0.9\,v)",
                                  r"\theta_i \leftarrow \theta_i + v_i")
    assert resolve_optimizer("nesterov:form=lookahead").spec == resolve_optimizer("nesterov").spec


@pytest.mark.parametrize("spec,words", [
    ("nesterov:form=sutskevr", ["unknown form 'sutskevr'", "did you mean 'sutskever'"]),
    ("adam:form=sutskever", ["adam has one form", "nesterov"]),
])
def test_bad_forms_are_refused(spec, words):
    assert_spec_error(resolve_optimizer, spec, words)


SIGN_DESCENT = '''
import optax

def sign_descent(learning_rate=0.02):
    return optax.chain(optax.scale_by_sign(), optax.scale_by_learning_rate(learning_rate))

sign_descent.display_name = "Sign descent"
sign_descent.latex = r"\\theta_i \\leftarrow \\theta_i - \\eta\\,\\mathrm{sign}(g_i)"

def heavy(learning_rate, beta=0.5):
    return optax.sgd(learning_rate, momentum=beta)

heavy.first_moment = "trace"

def broken(learning_rate):
    raise ValueError("no such thing")

def not_an_optimizer(learning_rate):
    return {"learning_rate": learning_rate}

def bad_state(learning_rate):
    return optax.sgd(learning_rate)

bad_state.first_moment = "velocity"

def bad_latex(learning_rate):
    return optax.sgd(learning_rate)

bad_latex.latex = r"\\frac{1"

NOT_CALLABLE = 3
'''


@pytest.fixture(scope="module")
def user_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("user") / "mine.py"
    path.write_text(SIGN_DESCENT)
    return path


def test_user_optimizer_follows_its_rule(user_file):
    """θ ← θ − η sign(g), written out here, against the engine running the file's factory."""
    surface = resolve_surface(RAVINE)
    opts = [resolve_optimizer(f"{user_file}:sign_descent", surface),
            resolve_optimizer(f"{user_file}:sign_descent:lr=0.05", surface),
            resolve_optimizer(f"{user_file}:heavy:beta=0.8", surface)]
    run = simulate(surface, opts, [START], 40, grid_size=0)
    for i, eta in enumerate((0.02, 0.05)):
        path = [np.array(START)]
        for _ in range(40):
            path.append(path[-1] - eta * np.sign(ravine_grad(path[-1])))
        np.testing.assert_allclose(run.params[i, 0, 0], np.array(path), rtol=0, atol=1e-12)
    meta = run.meta.optimizers[0]
    assert meta.title == "Sign descent" and meta.name == f"{user_file}:sign_descent"
    assert meta.equation == (r"\theta_i \leftarrow \theta_i - \eta\,\mathrm{sign}(g_i)", r"\eta = 0.02")
    heavy = run.meta.optimizers[2]
    assert heavy.title == "heavy" and heavy.equation == () and heavy.hyperparameters["beta"] == 0.8
    assert np.isfinite(run.first_moment[2, 0, 0]).all()  # its state is exposed for glyphs
    assert resolve_optimizer(meta.spec, surface).spec == meta.spec


@pytest.mark.parametrize("factory,words", [
    ("missing", ["factory 'missing' not found", "its functions: sign_descent, heavy"]),
    ("NOT_CALLABLE", ["factory 'NOT_CALLABLE' not a function"]),
    ("broken", ["broken", "no such thing"]),
    ("not_an_optimizer", ["is not an optimizer", "dict"]),
    ("bad_state", ["'velocity' is not a field"]),
    ("bad_latex", ["not valid mathtext"]),
    ("sign_descent:momentum=0.9", ["unknown hyperparameter 'momentum'"]),
])
def test_bad_user_optimizers_are_refused(user_file, factory, words):
    assert_spec_error(resolve_optimizer, f"{user_file}:{factory}", words)


def test_user_file_errors_in_the_cli(tmp_path, user_file):
    """A missing file, a file that fails to import and a bad factory: one line each, exit 2."""
    (tmp_path / "syntax.py").write_text("def f(:\n")
    cases = [(f"{tmp_path}/nothere.py:f", "not found"), (f"{tmp_path}/syntax.py:f", "failed to load: SyntaxError"),
             (f"{user_file}:broken", "no such thing"), (f"{user_file}:sign_descen", "did you mean 'sign_descent'")]
    for spec, words in cases:
        done = subprocess.run([sys.executable, "render.py", "--optimizer", spec, "--no-render", "--trajectory-out",
                               str(tmp_path / "out.npz")], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and words in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


def test_readme_sign_descent_example_runs(tmp_path):
    """The README's example file, copied out of the README, races through the CLI."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```python\n# sign.py", 1)[1].split("```", 1)[0]
    (tmp_path / "sign.py").write_text(textwrap.dedent(block))
    done = subprocess.run([sys.executable, "render.py", "--optimizer", "gd", "--optimizer",
                           f"{tmp_path}/sign.py:sign_descent", "--no-render", "-q", "--trajectory-out", str(tmp_path / "run.npz")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    from optimizers.run import Run

    run = Run.load(tmp_path / "run.npz")
    assert run.meta.optimizers[1].title == "Sign descent"
    steps = np.abs(np.diff(run.params[1, 0, 0], axis=0))
    moving = steps[np.isfinite(steps).all(axis=1) & (steps > 0).all(axis=1)]
    np.testing.assert_allclose(moving, run.meta.optimizers[1].hyperparameters["learning_rate"], rtol=1e-12)
