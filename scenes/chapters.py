"""The explainer "from gradient descent to Adam": each chapter's runs and beats, as plain data (no ManimGL, no JAX).

A chapter is a sequence of beats; a beat shows panels side by side (contour maps, or one 3D surface), each with
some paths of one run, optional state glyphs, the optimizers' update equations, a loss chart, and a takeaway.
"""

from dataclasses import dataclass, field

import numpy as np

from optimizers.run import RunSpec

from .claims import (
    Claim, closest_approach, ends_near, first_step_where, minimum, non_increasing, overshoot, path, sign_flips, state,
    total_variation,
)


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


@dataclass(frozen=True)
class Beat:
    panels: tuple[Panel, ...]
    claim: Claim  # the one-line takeaway shown as the caption, and the predicate that makes it true
    duration: float = 6.0  # seconds the steps take
    equations: tuple[int, ...] = ()  # optimizer indices (of the first panel's run) whose update rules are shown
    live_numbers: bool = False  # the equations show the current g, m, v and step of the first path's head
    chart: bool = False  # loss-vs-step curves beside the panels

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
    "adagrad": Chapter(
        "5 · AdaGrad",
        "AdaGrad's per-coordinate accumulators only grow, so its steps shrink until learning stalls.",
        runs={"bowl": RunSpec("ravine:kappa=4", ("adagrad:learning_rate=0.15",), ((-2.8, 1.3),), 150)},
        beats=(
            Beat((Panel("bowl", "AdaGrad", glyphs=("squares", "step"), dots=True),),
                 Claim("G only grows, so the step η/√G shrinks and stalls.", adagrad_stalls), duration=7.0,
                 equations=(0,), live_numbers=True),
        ),
    ),
    "rmsprop": Chapter(
        "6 · RMSprop",
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
        "7 · Adam",
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
    "saddle": Chapter(
        "8 · Saddle point",
        "Starting near the ridge of x² − y²: GD crawls away from the saddle, adaptive methods escape quickly.",
        runs={"saddle": RunSpec("saddle", ("gd", "momentum", "rmsprop", "adam"), ((-1.8, 0.01),), 40)},
        beats=(
            Beat((Panel("saddle", view="3d"),),
                 Claim("Dividing by the gradient's running size escapes sooner.", adaptive_escape_sooner),
                 duration=7.0),
        ),
    ),
    "finale": Chapter(
        "9 · The race",
        "Every optimizer racing on two-holes, with the loss-vs-step chart.",
        runs={"holes": RunSpec("two-holes", ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "nadam",
                                             "adabelief", "lion"), HOLES_START, 150)},
        beats=(Beat((Panel("holes", view="3d"),),
                    Claim("Same hill, same start: different rules, different holes.", different_valleys),
                    duration=9.0, chart=True),),
    ),
    "network": Chapter(
        "10 · A real network",
        "The same optimizers training a 64–32–10 MLP on scikit-learn's handwritten digits, seen on a PCA slice.",
        runs={"digits": RunSpec("digits-mlp", ("gd", "momentum", "rmsprop", "adam"), (), 300)},
        beats=(Beat((Panel("digits", view="3d"),),
                    Claim("Others end 7× below GD's loss; all ≥ 96% on unseen digits.",
                          real_network_story),
                    duration=8.0, chart=True),),
    ),
}
