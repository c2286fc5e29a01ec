"""The explainer "from gradient descent to Adam": each chapter's runs and beats, as plain data (no ManimGL, no JAX).

A chapter is a sequence of beats; a beat shows panels side by side (contour maps, or one 3D surface), each with
some paths of one run, optional state glyphs, the optimizers' update equations, a loss chart, and a takeaway.
"""

from dataclasses import dataclass, field

from optimizers.run import RunSpec


@dataclass(frozen=True)
class Panel:
    """One view inside a beat: which run, which of its paths ((optimizer, sweep, start) indices; all if empty)."""

    run: str
    title: str = ""
    paths: tuple[tuple[int, int, int], ...] = ()
    view: str = "map"  # 'map' (top-down contours) or '3d' (at most one per beat)
    glyphs: tuple[str, ...] = ()  # any of 'grad', 'moment', 'squares', 'step', 'lookahead'
    labels: tuple[str, ...] = ()  # legend names per shown path (default: optimizer names)


@dataclass(frozen=True)
class Beat:
    panels: tuple[Panel, ...]
    caption: str  # the one-line takeaway
    duration: float = 6.0  # seconds the steps take
    equations: tuple[int, ...] = ()  # optimizer indices (of the first panel's run) whose update rules are shown
    live_numbers: bool = False  # the equations show the current g, m, v and step of the first path's head
    chart: bool = False  # loss-vs-step curves beside the panels


@dataclass(frozen=True)
class Chapter:
    title: str
    summary: str  # one line, for `explainer --list`
    runs: dict[str, RunSpec] = field(default_factory=dict)
    beats: tuple[Beat, ...] = ()


CHAPTERS: dict[str, Chapter] = {
    "downhill": Chapter(
        "1 · Walking downhill",
        "Plain gradient descent on a bowl, gradient arrow each step; learning rate too small, right, too large.",
        runs={
            "bowl": RunSpec("ravine:kappa=2", ("gd:learning_rate=0.1",), ((-2.6, 1.2),), 40),
            "rates": RunSpec("ravine:kappa=2", ("gd",), ((-2.6, 0.5),), 40,
                             sweep=("learning_rate", (0.03, 0.4, 1.05))),
        },
        beats=(
            Beat((Panel("bowl", "gradient descent", glyphs=("grad",)),),
                 "Each step moves against the gradient, scaled by the learning rate η.",
                 duration=6.0, equations=(0,), live_numbers=True),
            Beat((Panel("rates", "η = 0.03: too small", paths=((0, 0, 0),), labels=("η = 0.03",)),
                  Panel("rates", "η = 0.4: about right", paths=((0, 1, 0),), labels=("η = 0.4",)),
                  Panel("rates", "η = 1.05: too large", paths=((0, 2, 0),), labels=("η = 1.05",))),
                 "Too small crawls; too large overshoots, oscillates and diverges.", duration=6.0),
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
                 "Same start, same seed: fewer samples per step, noisier steps.", duration=6.0, chart=False),
        ),
    ),
    "momentum": Chapter(
        "3 · Momentum",
        "On two-holes, GD settles in the shallow hole; momentum's heavier ball rolls on into the deep one.",
        runs={"holes": RunSpec("two-holes", ("gd", "momentum"), ((-0.6, 1.8),), 120)},
        beats=(
            Beat((Panel("holes", "two holes", glyphs=("grad", "moment")),),
                 "The velocity keeps the ball rolling through the shallow hole.", duration=7.0, equations=(0, 1),
                 live_numbers=True),
        ),
    ),
    "nesterov": Chapter(
        "4 · Nesterov",
        "Nesterov takes the gradient at the look-ahead point θ + βv, and brakes earlier than plain momentum.",
        runs={"ravine": RunSpec("ravine:kappa=10", ("momentum:learning_rate=0.03", "nesterov:learning_rate=0.03"),
                                ((-2.7, 1.1),), 70)},
        beats=(
            Beat((Panel("ravine", "momentum", paths=((0, 0, 0),), glyphs=("grad", "moment")),
                  Panel("ravine", "Nesterov: gradient at the look-ahead point", paths=((1, 0, 0),),
                        glyphs=("grad", "lookahead"))),
                 "Looking ahead before stepping damps the oscillation.", duration=7.0, equations=(0, 1)),
        ),
    ),
    "adagrad": Chapter(
        "5 · AdaGrad",
        "AdaGrad's per-coordinate accumulators only grow, so its steps shrink until learning stalls.",
        runs={"bowl": RunSpec("ravine:kappa=4", ("adagrad:learning_rate=0.15",), ((-2.8, 1.3),), 150)},
        beats=(
            Beat((Panel("bowl", "AdaGrad", glyphs=("squares", "step")),),
                 "G only grows: the effective step η/√G shrinks and the ball slows to a crawl.", duration=7.0,
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
                 "Forgetting old gradients keeps the step size alive; no zig-zag across the valley.",
                 duration=7.0, equations=(2,)),
        ),
    ),
    "adam": Chapter(
        "7 · Adam",
        "Adam = momentum's first moment + RMSprop's second moment + bias correction, built up from both.",
        runs={"holes": RunSpec("two-holes", ("momentum", "rmsprop", "adam"), ((-0.6, 1.8),), 120)},
        beats=(
            Beat((Panel("holes", "momentum and RMSprop", paths=((0, 0, 0), (1, 0, 0))),),
                 "Momentum averages gradients; RMSprop averages their squares.", duration=5.0, equations=(0, 1)),
            Beat((Panel("holes", "Adam", paths=((2, 0, 0),), glyphs=("moment", "squares")),),
                 "Adam divides the first moment by the root of the second, both bias-corrected.", duration=6.0,
                 equations=(2,), live_numbers=True),
        ),
    ),
    "saddle": Chapter(
        "8 · Saddle point",
        "Starting near the ridge of x² − y²: GD crawls away from the saddle, adaptive methods leave quickly.",
        runs={"saddle": RunSpec("saddle", ("gd", "momentum", "rmsprop", "adam"), ((-1.8, 0.01),), 40)},
        beats=(
            Beat((Panel("saddle", view="3d"),),
                 "Where the gradient is tiny, dividing by its running size makes the step large again.",
                 duration=7.0),
        ),
    ),
    "finale": Chapter(
        "9 · The race",
        "Every optimizer racing on two-holes, with the loss-vs-step chart.",
        runs={"holes": RunSpec("two-holes", ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "nadam",
                                             "adabelief", "lion"), ((-0.6, 1.8),), 150)},
        beats=(Beat((Panel("holes", view="3d"),), "Same hill, same start: different rules, different valleys.",
                    duration=9.0, chart=True),),
    ),
}
