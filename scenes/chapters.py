"""The explainer "from gradient descent to Adam": each chapter's runs and beats, as plain data (no ManimGL, no JAX).

A chapter is a sequence of beats; a beat shows panels side by side (contour maps, or one 3D surface), each with
some paths of one run, optional state glyphs, the optimizers' update equations, a loss chart, and a takeaway.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from optimizers.run import RunSpec

from .claims import (
    Claim, Runs, closest_approach, ends_near, ends_within, first_step_where, minimum, non_increasing, overshoot, path,
    sign_flips, state, total_variation,
)


HOLE_RADIUS = 0.2  # a path ends "in" a hole when its last point is this close to the hole's minimum


def ends_in_hole(run, kind: str) -> np.ndarray:
    """Per path (optimizer, sweep, start): it ends within HOLE_RADIUS of the surface's `kind` minimum."""
    return ends_within(run, minimum(run, kind), HOLE_RADIUS)


@dataclass(frozen=True)
class Ending:
    """A panel's paths that end in one hole: drawn in one colour and named in the panel's key by a claim."""

    kind: str  # the hole's minimum: 'global' or 'local'
    claim: Claim  # the key's words and the predicate over the runs that makes them true
    marker_color: bool = False  # drawn in the colour of that minimum's marker, not in the optimizer's

    def members(self, run) -> np.ndarray:
        """Per path (optimizer, sweep, start): it is one of these."""
        return ends_in_hole(run, self.kind)


def hole_count(key: str, kind: str, count: int) -> Callable[[Runs], bool]:
    """The predicate 'exactly `count` paths of runs[key] end in the `kind` hole'."""
    return lambda runs: int(ends_in_hole(runs[key], kind).sum()) == count


@dataclass(frozen=True)
class Panel:
    """One view inside a beat: which run, which of its paths ((optimizer, sweep, start) indices; all if empty)."""

    run: str
    title: str = ""
    paths: tuple[tuple[int, int, int], ...] = ()
    view: str = "map"  # 'map' (top-down contours) or '3d' (at most one per beat)
    glyphs: tuple[str, ...] = ()  # any of 'grad', 'moment', 'squares', 'step', 'lookahead'
    dots: bool = False  # a dot at every step, where the step size is the point
    labels: tuple[str, ...] = ()  # legend names per shown path (default: optimizer names)
    legend: bool = True  # False where the paths are many runs of one rule (the caption counts them)
    endings: tuple[Ending, ...] = ()  # paths coloured by the hole they end in, with a key (in place of a legend)


@dataclass(frozen=True)
class Beat:
    panels: tuple[Panel, ...]
    claim: Claim  # the one-line takeaway shown as the caption, and the predicate that makes it true
    duration: float = 6.0  # seconds the steps take
    equations: tuple[int, ...] = ()  # optimizer indices (of the first panel's run) whose update rules are shown
    live_numbers: bool = False  # the equations show the current g, m, v and step of the first path's head
    chart: bool = False  # loss-vs-step curves beside the panels
    rate_chart: bool = False  # the learning rate η_t of each path against the step, beside the panels
    side_width: float | None = None  # a wider column (16:9) for long update rules, so they keep their size

    @property
    def caption(self) -> str:
        return self.claim.text


@dataclass(frozen=True)
class Chapter:
    title: str
    summary: str  # one line, for `explainer --list`
    runs: dict[str, RunSpec] = field(default_factory=dict)
    beats: tuple[Beat, ...] = ()


def follows_the_gradient(runs) -> bool:
    """Every GD step is θ_{t+1} − θ_t = −η g_t."""
    run = runs["bowl"]
    eta = run.meta.optimizers[0].hyperparameters["learning_rate"]
    return np.allclose(state(run, "update", "gd"), -eta * state(run, "grad", "gd"), rtol=0, atol=1e-12)


def rates_story(runs) -> bool:
    """η too small has not converged, η right has, η too large zig-zags visibly and blows up."""
    run, origin = runs["rates"], np.zeros(2)
    small, right, large = (run.params[0, s, 0] for s in range(3))
    blew_up = run.diverged_at[0, 2, 0] >= 0 or run.loss[0, 2, 0, -1] > 10 * run.loss[0, 2, 0, 0]
    return (np.linalg.norm(small[-1]) > 0.5 and ends_near(right, origin, 0.01) and blew_up
            and sign_flips(large[:, 1], floor=0.03) >= 5)


def noisier_with_fewer_samples(runs) -> bool:
    """Path length Σ|Δθ|: batch 1 > minibatch 16 > full batch."""
    one, mini, full = (total_variation(path(runs[k], "sgd")) for k in ("one", "mini", "full"))
    return one > mini > full


def momentum_rolls_through(runs) -> bool:
    """GD ends in the shallow hole; momentum passes within 0.3 of it and ends in the deep one."""
    run = runs["holes"]
    shallow, deep = minimum(run, "local"), minimum(run, "global")
    return (ends_near(path(run, "gd"), shallow) and closest_approach(path(run, "momentum"), shallow) < 0.3
            and ends_near(path(run, "momentum"), deep))


def nesterov_brakes(runs) -> bool:
    """Nesterov goes less far past the minimum than momentum from the same start."""
    run, origin = runs["ravine"], np.zeros(2)
    return overshoot(path(run, "nesterov"), origin) < 0.8 * overshoot(path(run, "momentum"), origin)


def adagrad_stalls(runs) -> bool:
    """AdaGrad's effective step η/√(G + ε) never grows, and it ends short of the minimum."""
    run = runs["bowl"]
    return (non_increasing(state(run, "step_size", "adagrad"))
            and np.linalg.norm(path(run, "adagrad")[-1]) > 0.1)


def rmsprop_keeps_stepping(runs) -> bool:
    """On the ravine GD's y swings across the valley ≥ 5 times, RMSprop's at most once; RMSprop's step outlives AdaGrad's."""
    run = runs["ravine"]
    visible = 0.01 * 3.0  # 1% of the ravine's height on screen
    alive = all(state(runs[k], "step_size", "rmsprop")[-1].min() > 2 * state(runs[k], "step_size", "adagrad")[-1].max()
                for k in ("valley", "ravine"))
    return (sign_flips(path(run, "gd")[:, 1], visible) >= 5 and sign_flips(path(run, "rmsprop")[:, 1], visible) <= 1
            and alive)


def moments_recur(runs) -> bool:
    """Momentum's v_t = βv_{t−1} + g_t; RMSprop's s_t = ρs_{t−1} + (1 − ρ)g_t²."""
    run = runs["holes"]
    beta = run.meta.optimizers[0].hyperparameters["momentum"]
    rho = run.meta.optimizers[1].hyperparameters["decay"]
    v, g = state(run, "first_moment", "momentum"), state(run, "grad", "momentum")
    s, h = state(run, "second_moment", "rmsprop"), state(run, "grad", "rmsprop")
    return (np.allclose(v[1:], beta * v[:-1] + g[1:], atol=1e-12)
            and np.allclose(s[1:], rho * s[:-1] + (1 - rho) * h[1:] ** 2, atol=1e-12))


def adam_divides(runs) -> bool:
    """Adam's step is −η m̂/(√v̂ + ε), m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)."""
    run = runs["holes"]
    hp = run.meta.optimizers[2].hyperparameters
    m, v = state(run, "first_moment", "adam"), state(run, "second_moment", "adam")
    t = np.arange(1, len(m) + 1)[:, None]
    m_hat, v_hat = m / (1 - hp["b1"] ** t), v / (1 - hp["b2"] ** t)
    step = -hp["learning_rate"] * m_hat / (np.sqrt(v_hat) + hp["eps"])
    return np.allclose(state(run, "update", "adam"), step, rtol=1e-9, atol=1e-12)


def adaptive_escape_sooner(runs) -> bool:
    """RMSprop and Adam reach |y| > 1 in fewer steps than GD, downhill."""
    run = runs["saddle"]
    reach = {o: first_step_where(np.abs(run.params[i, 0, 0, :, 1]) > 1) for i, o in enumerate(run.optimizer_names)}
    downhill = all(run.loss[i, 0, 0, reach[o]] < run.loss[i, 0, 0, 0] for i, o in enumerate(run.optimizer_names)
                   if o != "gd" and reach[o] < run.num_steps + 1)
    return reach["rmsprop"] < reach["gd"] and reach["adam"] < reach["gd"] and downhill


def different_valleys(runs) -> bool:
    """From one start, some optimizers end in the shallow hole and some in the deep one."""
    run = runs["holes"]
    ends = {("shallow" if ends_near(path(run, o), minimum(run, "local"), 0.1) else
             "deep" if ends_near(path(run, o), minimum(run, "global"), 0.1) else "") for o in run.optimizer_names}
    return {"shallow", "deep"} <= ends


HOLES_START = ((-1.5, -0.6),)  # GD settles in the shallow hole; momentum rolls over it into the deep one

def adadelta_needs_no_rate(runs) -> bool:
    """AdaGrad's step never grows and it ends > 0.1 from the minimum; AdaDelta (η = 1) ends within 0.01 of it,
    its step per unit of gradient at least 5× its first in each coordinate."""
    run, origin = runs["bowl"], np.zeros(2)
    adadelta = state(run, "step_size", "adadelta")
    return (non_increasing(state(run, "step_size", "adagrad")) and np.linalg.norm(path(run, "adagrad")[-1]) > 0.1
            and bool(np.all(adadelta[-1] >= 5 * adadelta[0])) and ends_near(path(run, "adadelta"), origin, 0.01)
            and run.meta.optimizers[1].hyperparameters["learning_rate"] == 1.0)


VALLEY_FLOOR = 0.05  # swings across y = x² smaller than this are not visible on the map (1.25% of its height)


def nadam_overshoots_less(runs) -> bool:
    """Across Rosenbrock's curved floor y = x², NAdam's y − x² changes sign at most half as often as Adam's,
    and NAdam ends lower."""
    run = runs["valley"]
    flips = {o: sign_flips(path(run, o)[:, 1] - path(run, o)[:, 0] ** 2, VALLEY_FLOOR) for o in ("adam", "nadam")}
    return 2 * flips["nadam"] <= flips["adam"] and run.loss[1, 0, 0, -1] < run.loss[0, 0, 0, -1]


DECAY_MINIMUM = np.array([2.0, 2.0])  # of ½((x − 2)² + 25(y − 2)²), the surface of the weight-decay chapter


def l2_weakened(runs) -> bool:
    """Adam + L2 shrinks the steep y less than a fifth as much as x: s = (2 − θ_T)/2 per coordinate."""
    l2 = (DECAY_MINIMUM - runs["decay"].params[1, 0, 0, -1]) / 2
    return bool(0 < l2[1] < 0.2 * l2[0])


def decay_story(runs) -> bool:
    """Shrink s = (2 − θ_T)/2 per coordinate: Adam + L2 shrinks the steep y less than a fifth as much as x;
    AdamW shrinks both by more than 10% and alike (within 5% of each other); plain Adam ends at the minimum."""
    run = runs["decay"]
    decoupled = (DECAY_MINIMUM - run.params[2, 0, 0, -1]) / 2
    return (l2_weakened(runs) and decoupled.min() > 0.1 and abs(decoupled[0] - decoupled[1]) < 0.05 * decoupled[0]
            and ends_near(run.params[0, 0, 0], DECAY_MINIMUM, 0.01))


NOISY_RUNS, ESCAPED = 16, 9  # of the noisy runs, how many end in the deep hole (the caption says so)


def noise_escapes(runs) -> bool:
    """Without noise GD ends in the shallow hole; with noise, exactly ESCAPED of the runs end within HOLE_RADIUS of
    the deep hole and the others within HOLE_RADIUS of the shallow one."""
    still, noisy = runs["still"], runs["noisy"]
    in_deep, in_shallow = ends_in_hole(noisy, "global"), ends_in_hole(noisy, "local")
    return (ends_near(path(still, "gd"), minimum(still, "local")) and int(in_deep.sum()) == ESCAPED
            and bool(np.all(in_deep | in_shallow)) and noisy.meta.noise > 0 and still.meta.noise == 0)


NOISE_ENDINGS = (  # the noisy panel's key: escaped runs in the deep minimum's marker colour, the rest in GD's
    Ending("global", Claim(f"{ESCAPED} end in the deep hole", hole_count("noisy", "global", ESCAPED)),
           marker_color=True),
    Ending("local", Claim(f"{NOISY_RUNS - ESCAPED} stay in the shallow hole",
                          hole_count("noisy", "local", NOISY_RUNS - ESCAPED))),
)


def schedules_settle(runs) -> bool:
    """With noisy gradients, the mean loss over the last 10% of steps: step, cosine and warm-up + cosine each
    below half of constant η's; cosine and warm-up + cosine below a twentieth of it."""
    run = runs["schedules"]
    tail = max(run.num_steps // 10, 1)
    mean = dict(zip((o.spec.split("schedule=")[1].split(",")[0] for o in run.meta.optimizers),
                    run.loss[:, 0, 0, -tail:].mean(axis=1)))
    return (all(mean[k] < mean["constant"] / 2 for k in ("step", "cosine", "warmup-cosine"))
            and all(mean[k] < mean["constant"] / 20 for k in ("cosine", "warmup-cosine")))


def nag_forms_agree(runs) -> bool:
    """optax's Nesterov point φ_t equals Sutskever's θ_t + μv_t at every step (v_t = θ_t − θ_{t−1})."""
    run = runs["ravine"]
    phi, theta = run.params[0, 0, 0], run.params[1, 0, 0]
    mu = run.meta.optimizers[1].hyperparameters["momentum"]
    return np.allclose(phi[1:], theta[1:] + mu * np.diff(theta, axis=0), rtol=0, atol=1e-12)


def real_network_story(runs) -> bool:
    """On digits-mlp, momentum, RMSprop and Adam end with at least 7× less training loss than GD, and all four
    classify at least 96% of the held-out digits."""
    run = runs["digits"]
    final = dict(zip(run.optimizer_names, run.loss[:, 0, 0, -1]))
    accuracy = [o.test_accuracy for o in run.meta.optimizers]
    return (all(final["gd"] >= 7 * final[o] for o in ("momentum", "rmsprop", "adam"))
            and min(accuracy) >= 0.96)


CHAPTERS: dict[str, Chapter] = {
    "downhill": Chapter(
        "1 · Walking downhill",
        "Gradient descent on a bowl, one dot per step; then η too small, about right and too large.",
        runs={
            "bowl": RunSpec("ravine:kappa=2", ("gd:learning_rate=0.1",), ((-2.6, 1.2),), 40),
            "rates": RunSpec("ravine:kappa=10", ("gd",), ((-2.6, 0.5),), 40,
                             sweep=("learning_rate", (0.02, 0.15, 0.21))),
        },
        beats=(
            Beat((Panel("bowl", "gradient descent", glyphs=("grad",), dots=True),),
                 Claim("Each step moves against the gradient, scaled by η.", follows_the_gradient),
                 duration=6.0, equations=(0,), live_numbers=True),
            Beat((Panel("rates", "η = 0.02: too small", paths=((0, 0, 0),), labels=("η = 0.02",), dots=True),
                  Panel("rates", "η = 0.15: about right", paths=((0, 1, 0),), labels=("η = 0.15",), dots=True),
                  Panel("rates", "η = 0.21: too large", paths=((0, 2, 0),), labels=("η = 0.21",), dots=True)),
                 Claim("Too small crawls; too large zig-zags and blows up.", rates_story), duration=6.0),
        ),
    ),
    "batches": Chapter(
        "2 · Batch, stochastic, minibatch",
        "Linear regression with true per-sample gradients: full batch is smooth, batch 1 is noisy, minibatch between.",
        runs={
            "full": RunSpec("linear-regression", ("sgd:learning_rate=0.1",), ((4.5, 1.5),), 80),
            "one": RunSpec("linear-regression", ("sgd:learning_rate=0.1",), ((4.5, 1.5),), 80, batch_size=1),
            "mini": RunSpec("linear-regression", ("sgd:learning_rate=0.1",), ((4.5, 1.5),), 80, batch_size=16),
        },
        beats=(
            Beat((Panel("full", "full batch (N = 256)", labels=("batch 256",)),
                  Panel("one", "batch size 1 (SGD)", labels=("batch 1",)),
                  Panel("mini", "minibatch of 16", labels=("batch 16",))),
                 Claim("Fewer samples per step: noisier steps, a longer path.", noisier_with_fewer_samples),
                 duration=6.0),
        ),
    ),
    "momentum": Chapter(
        "3 · Momentum",
        "On two-holes, GD settles in the shallow hole; momentum's velocity carries it on into the deep one.",
        runs={"holes": RunSpec("two-holes", ("gd", "momentum"), HOLES_START, 120)},
        beats=(
            Beat((Panel("holes", "two holes", glyphs=("grad", "moment")),),
                 Claim("The velocity carries the ball through the shallow hole.", momentum_rolls_through),
                 duration=7.0, equations=(0, 1), live_numbers=True),
        ),
    ),
    "nesterov": Chapter(
        "4 · Nesterov",
        "Nesterov takes the gradient at the look-ahead point θ + βv, and brakes earlier than plain momentum.",
        runs={"ravine": RunSpec("ravine:kappa=10", ("momentum:learning_rate=0.03", "nesterov:learning_rate=0.03"),
                                ((-2.7, 1.1),), 70)},
        beats=(
            Beat((Panel("ravine", "momentum", paths=((0, 0, 0),), glyphs=("grad", "moment")),
                  Panel("ravine", "Nesterov: gradient at the look-ahead", paths=((1, 0, 0),),
                        glyphs=("grad", "lookahead"))),
                 Claim("Looking ahead brakes earlier: less overshoot.", nesterov_brakes),
                 duration=7.0, equations=(0, 1)),
        ),
    ),
    "nag-forms": Chapter(
        "5 · Two ways to write NAG",
        "Sutskever's form tracks θ, optax's the look-ahead point θ + μv: one method, the same path drawn twice.",
        runs={"ravine": RunSpec("ravine:kappa=10", ("nesterov:learning_rate=0.03",
                                                    "nesterov:form=sutskever,learning_rate=0.03"), ((-2.7, 1.1),), 70)},
        beats=(
            Beat((Panel("ravine", "both forms, one start", glyphs=("lookahead",),
                        labels=("look-ahead", "Sutskever")),),
                 Claim("One method: each look-ahead point is Sutskever's θ + μv.", nag_forms_agree),
                 duration=7.0, equations=(0, 1), side_width=6.6),
        ),
    ),
    "adagrad": Chapter(
        "6 · AdaGrad",
        "AdaGrad's per-coordinate accumulators only grow, so its steps shrink until learning stalls.",
        runs={"bowl": RunSpec("ravine:kappa=4", ("adagrad:learning_rate=0.15",), ((-2.8, 1.3),), 150)},
        beats=(
            Beat((Panel("bowl", "AdaGrad", glyphs=("squares", "step"), dots=True),),
                 Claim("G only grows, so the step η/√G shrinks and stalls.", adagrad_stalls), duration=7.0,
                 equations=(0,), live_numbers=True),
        ),
    ),
    "adadelta": Chapter(
        "7 · AdaDelta",
        "AdaDelta to AdaGrad's rescue: decaying averages, and a step in the units of θ that needs no learning rate.",
        runs={"bowl": RunSpec("ravine:kappa=4", ("adagrad:learning_rate=0.15", "adadelta:eps=0.0001"),
                              ((-2.8, 1.3),), 200, domain="-3,3,-3,3")},
        beats=(
            Beat((Panel("bowl", "AdaGrad", paths=((0, 0, 0),), glyphs=("step",)),
                  Panel("bowl", "AdaDelta (η = 1)", paths=((1, 0, 0),), glyphs=("step",))),
                 Claim("AdaGrad's steps only shrink; AdaDelta's grow, with no η.", adadelta_needs_no_rate),
                 duration=7.0, equations=(1,), side_width=6.9),
        ),
    ),
    "rmsprop": Chapter(
        "8 · RMSprop",
        "RMSprop's decaying average keeps the step alive: a direct route where GD zig-zags, beside AdaGrad.",
        runs={
            "valley": RunSpec("abs-valley:a=1", ("gd:learning_rate=0.1", "adagrad:learning_rate=0.15",
                                                 "rmsprop:learning_rate=0.05"), ((-1.8, 1.5),), 80),
            "ravine": RunSpec("ravine:kappa=10", ("gd:learning_rate=0.17", "adagrad:learning_rate=0.15",
                                                  "rmsprop:learning_rate=0.05"), ((-2.7, 1.0),), 80),
        },
        beats=(
            Beat((Panel("valley", "x² + |y|", glyphs=("step",)), Panel("ravine", "½(x² + 10y²)")),
                 Claim("RMSprop forgets old gradients: no zig-zag, steps stay alive.", rmsprop_keeps_stepping),
                 duration=7.0, equations=(2,)),
        ),
    ),
    "adam": Chapter(
        "9 · Adam",
        "Adam = momentum's first moment + RMSprop's second moment + bias correction, built up from both.",
        runs={"holes": RunSpec("two-holes", ("momentum", "rmsprop", "adam"), HOLES_START, 120)},
        beats=(
            Beat((Panel("holes", "momentum and RMSprop", paths=((0, 0, 0), (1, 0, 0))),),
                 Claim("Momentum sums gradients; RMSprop averages their squares.", moments_recur),
                 duration=5.0, equations=(0, 1)),
            Beat((Panel("holes", "Adam", paths=((2, 0, 0),), glyphs=("moment", "squares")),),
                 Claim("Adam: first moment over root of second, bias-corrected.", adam_divides), duration=6.0,
                 equations=(2,), live_numbers=True),
        ),
    ),
    "nadam": Chapter(
        "10 · NAdam",
        "NAdam is Adam with Nesterov's look-ahead on the first moment: fewer overshoots in Rosenbrock's curved valley.",
        runs={"valley": RunSpec("rosenbrock", ("adam:learning_rate=0.2", "nadam:learning_rate=0.2"),
                                ((-1.2, 1.0),), 150)},
        beats=(
            Beat((Panel("valley", "Adam", paths=((0, 0, 0),)), Panel("valley", "NAdam", paths=((1, 0, 0),))),
                 Claim("Looking ahead: fewer overshoots across the curved valley.", nadam_overshoots_less),
                 duration=7.0, equations=(1,), side_width=7.2),
        ),
    ),
    "adamw": Chapter(
        "11 · Adam + L2 or AdamW",
        "An L2 penalty in Adam's gradient is divided by √v̂ and weakens where gradients are big; AdamW decays directly.",
        runs={"decay": RunSpec("0.5*((x - 2)**2 + 25*(y - 2)**2)", ("adam:learning_rate=0.05",
                                                                   "adam:learning_rate=0.05,l2=0.5",
                                                                   "adamw:learning_rate=0.05,weight_decay=0.5"),
                               ((0.3, 0.3),), 300, domain="-0.5,3,-0.5,3")},
        beats=(
            Beat((Panel("decay", "½((x − 2)² + 25(y − 2)²), λ = 0.5", paths=((0, 0, 0), (1, 0, 0))),),
                 Claim("Adam + L2: the penalty is divided by √v̂ and barely shrinks y.", l2_weakened),
                 duration=6.0, equations=(1,), side_width=7.2),
            Beat((Panel("decay", "½((x − 2)² + 25(y − 2)²), λ = 0.5"),),
                 Claim("Adam + L2 barely shrinks steep y; AdamW shrinks x, y alike.", decay_story),
                 duration=6.0, equations=(2,), side_width=7.2),
        ),
    ),
    "saddle": Chapter(
        "12 · Saddle point",
        "Starting near the ridge of x² − y²: GD crawls away from the saddle, adaptive methods escape quickly.",
        runs={"saddle": RunSpec("saddle", ("gd", "momentum", "rmsprop", "adam"), ((-1.8, 0.01),), 40)},
        beats=(
            Beat((Panel("saddle", view="3d"),),
                 Claim("Dividing by the gradient's running size escapes sooner.", adaptive_escape_sooner),
                 duration=7.0),
        ),
    ),
    "noise": Chapter(
        "13 · Noise escapes a local minimum",
        "Gradient noise, annealed by a cosine η_t, kicks GD out of the shallow hole of two-holes; without it GD stays.",
        runs={"still": RunSpec("two-holes", ("gd:learning_rate=0.15,schedule=cosine",), ((-0.6, 0.3),), 500),
              "noisy": RunSpec("two-holes", ("gd:learning_rate=0.15,schedule=cosine",), ((-0.6, 0.3),) * NOISY_RUNS,
                               500, noise=1.2, seed=1)},
        beats=(
            Beat((Panel("still", "no noise"),
                  Panel("noisy", f"g + 1.2·noise, {NOISY_RUNS} seeds", legend=False, endings=NOISE_ENDINGS)),
                 Claim(f"No noise: GD stays. With noise, {ESCAPED} of {NOISY_RUNS} runs escape.", noise_escapes),
                 duration=8.0, equations=(0,)),
        ),
    ),
    "schedules": Chapter(
        "14 · Learning-rate schedules",
        "Constant, step, cosine and warm-up + cosine η_t for GD with noisy gradients, with η_t charted beside.",
        runs={"schedules": RunSpec("ravine:kappa=10", tuple(f"gd:learning_rate=0.15,schedule={name}" for name in
                                                         ("constant", "step", "cosine", "warmup-cosine")),
                                   ((-2.6, 1.0),), 150, noise=2.0)},
        beats=(
            Beat((Panel("schedules", "noisy gradients (σ = 2)"),),
                 Claim("Constant η keeps bouncing; decaying η settles lower.", schedules_settle),
                 duration=8.0, rate_chart=True),
        ),
    ),
    "finale": Chapter(
        "15 · The race",
        "Every optimizer racing on two-holes, with the loss-vs-step chart.",
        runs={"holes": RunSpec("two-holes", ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "nadam",
                                             "adabelief", "lion"), HOLES_START, 150)},
        beats=(Beat((Panel("holes", view="3d"),),
                    Claim("Same hill, same start: different rules, different holes.", different_valleys),
                    duration=9.0, chart=True),),
    ),
    "network": Chapter(
        "16 · A real network",
        "The same optimizers training a 64–32–10 MLP on scikit-learn's handwritten digits, seen on a PCA slice.",
        runs={"digits": RunSpec("digits-mlp", ("gd", "momentum", "rmsprop", "adam"), (), 300)},
        beats=(Beat((Panel("digits", view="3d"),),
                    Claim("Others end 7× below GD's loss; all ≥ 96% on unseen digits.",
                          real_network_story),
                    duration=8.0, chart=True),),
    ),
}
