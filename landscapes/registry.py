"""The surfaces a user can name, their metadata, and resolution of `NAME[:key=value]` or an expression."""

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import jax.numpy as jnp

from . import data, datasets, surfaces
from .expression import ExpressionError, parse_expression, to_mathtext
from .limits import check, check_length
from .networks import Network, mlp
from .spec import SpecError, did_you_mean, parse_number, split_spec

Domain = tuple[float, float, float, float]  # xmin, xmax, ymin, ymax
DEFAULT_DOMAIN: Domain = (-2.0, 2.0, -2.0, 2.0)


@dataclass(frozen=True)
class Minimum:
    """A known stationary point, drawn as a marker; kind is 'global', 'local' or 'saddle'."""

    x: float
    y: float
    value: float
    kind: str = "global"


@dataclass(frozen=True)
class Landscape:
    """A registered surface: its loss, how to show it, and what is known about it."""

    title: str
    formula: str  # mathtext; {name} placeholders take the surface parameters
    loss: Callable | None  # loss(params, **parameters) -> scalar; data landscapes: loss(params, x, y); None: a network
    domain: Domain | None  # None: a network's slice, fitted to its paths
    starts: tuple[tuple[float, float], ...]
    minima: tuple[Minimum, ...] = ()
    parameters: Mapping[str, float] = field(default_factory=dict)
    # Per-surface learning rates: by optimizer name, else by the optimizer's kind ('gradient' | 'adaptive').
    learning_rates: Mapping[str, float] = field(default_factory=lambda: {"gradient": 0.05, "adaptive": 0.05})
    z_range: tuple[float, float] | None = None  # clip the drawn surface (unbounded surfaces)
    log_height: bool = False  # draw log(1 + f − f_min): surfaces spanning many decades
    camera: tuple[float, float] = (-35.0, 60.0)  # (theta, phi) in degrees
    nonsmooth: str = ""  # where the gradient is undefined, for the tests (a NumPy-evaluable mask)
    data: Callable | None = None  # () -> (x, y): a data landscape with per-example loss
    axes: tuple[str, str] = ("x", "y")  # the two parameters' names, as plain text (labels are not TeX)
    network: Callable[..., Network] | None = None  # (**parameters) -> the network trained in all its dimensions


# A network's training loss: the mean cross-entropy of its predicted class probabilities p_θ.
CROSS_ENTROPY = r"\frac{1}{N}\sum_i -\log\,p_\theta(y_i \mid x_i)"

def network_landscape(title: str, data, hidden: int, z_top: float, adaptive_rate: float) -> Landscape:
    """An MLP on a data split: trained in all its dimensions, shown on a plane through its paths (fitted domain)."""
    return Landscape(title=title, formula=CROSS_ENTROPY, loss=None, domain=None, starts=((0.0, 0.0),),
                     parameters={"hidden": hidden}, z_range=(0.0, z_top),
                     learning_rates={"gradient": 0.5, "adaptive": adaptive_rate}, network=mlp(data),
                     axes=("d₁", "d₂"))


LANDSCAPES: dict[str, Landscape] = {
    "two-holes": Landscape(
        title="Two holes",
        formula=r"0.075(x^2 + y^2/9) - 0.5e^{-2(x^2 + y^2)} - 0.75e^{-4((x-1)^2 + (y-1)^2)}",
        loss=surfaces.two_holes,
        domain=(-2.0, 2.0, -2.0, 2.0),
        starts=((-1.5, -0.6),),  # GD settles in the shallow hole; momentum rolls over it into the deep one
        minima=(Minimum(0.968689, 0.990094, -0.6790015), Minimum(0.000950, 0.001013, -0.5002536, "local")),
        learning_rates={"gradient": 0.25, "adaptive": 0.03, "momentum": 0.15, "nesterov": 0.15},
        camera=(33.0, 46.0),  # from above, the line between the holes across the screen: neither hides the other
    ),
    "saddle": Landscape(
        title="Saddle",
        formula=r"x^2 - y^2",
        loss=surfaces.saddle,
        domain=(-2.0, 2.0, -2.0, 2.0),
        starts=((-1.8, 0.02),),
        minima=(Minimum(0.0, 0.0, 0.0, "saddle"),),
        learning_rates={"gradient": 0.05, "adaptive": 0.05},
        z_range=(-4.0, 4.0),
        camera=(-30.0, 65.0),
    ),
    "abs-valley": Landscape(
        title="Absolute-value valley",
        formula=r"x^2 + {a}\,|y|",
        loss=surfaces.abs_valley,
        domain=(-2.0, 2.0, -2.0, 2.0),
        starts=((-1.8, 1.5),),
        minima=(Minimum(0.0, 0.0, 0.0),),
        parameters={"a": 1.0},
        learning_rates={"gradient": 0.1, "adaptive": 0.05},
        nonsmooth="y == 0",
    ),
    "ravine": Landscape(
        title="Ravine",
        formula=r"\frac{1}{2}(x^2 + {kappa}\,y^2)",
        loss=surfaces.ravine,
        domain=(-3.0, 3.0, -1.5, 1.5),
        starts=((-2.7, 1.0),),
        minima=(Minimum(0.0, 0.0, 0.0),),
        parameters={"kappa": 10.0},
        # Nesterov is stable only for ηκ < 2(1+β)/(1+2β) ≈ 1.36: 0.17 would blow up in 4 steps.
        learning_rates={"gradient": 0.17, "adaptive": 0.05, "nesterov": 0.1},
    ),
    "rosenbrock": Landscape(
        title="Rosenbrock",
        formula=r"(1 - x)^2 + 100(y - x^2)^2",
        loss=surfaces.rosenbrock,
        domain=(-2.0, 2.0, -1.0, 3.0),
        starts=((-1.2, 1.0),),
        minima=(Minimum(1.0, 1.0, 0.0),),
        learning_rates={"gradient": 0.001, "adaptive": 0.08},
        log_height=True,
    ),
    "beale": Landscape(
        title="Beale",
        formula=r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        loss=surfaces.beale,
        domain=(-4.5, 4.5, -4.5, 4.5),
        starts=((1.0, 1.5),),
        minima=(Minimum(3.0, 0.5, 0.0),),
        # With β = 0.9 the gradient rate 0.01 throws momentum off the steep walls within 8 steps.
        learning_rates={"gradient": 0.01, "adaptive": 0.05, "momentum": 0.005, "nesterov": 0.005},
        log_height=True,
    ),
    "himmelblau": Landscape(
        title="Himmelblau",
        formula=r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        loss=surfaces.himmelblau,
        domain=(-5.0, 5.0, -5.0, 5.0),
        starts=((-0.5, 0.5),),
        minima=(
            Minimum(3.0, 2.0, 0.0),
            Minimum(-2.805118, 3.131312, 0.0),
            Minimum(-3.779310, -3.283186, 0.0),
            Minimum(3.584428, -1.848126, 0.0),
        ),
        learning_rates={"gradient": 0.01, "adaptive": 0.1},
        log_height=True,
    ),
    "rastrigin": Landscape(
        title="Rastrigin",
        formula=r"20 + \sum_i (x_i^2 - 10\cos 2\pi x_i)",
        loss=surfaces.rastrigin,
        domain=(-5.12, 5.12, -5.12, 5.12),
        starts=((3.3, -2.8),),
        minima=(Minimum(0.0, 0.0, 0.0),),
        learning_rates={"gradient": 0.002, "adaptive": 0.1},
    ),
    "ackley": Landscape(
        title="Ackley",
        formula=r"-20e^{-0.2\sqrt{0.5(x^2+y^2)}} - e^{0.5(\cos 2\pi x + \cos 2\pi y)} + e + 20",
        loss=surfaces.ackley,
        domain=(-4.0, 4.0, -4.0, 4.0),
        starts=((2.6, -3.1),),
        minima=(Minimum(0.0, 0.0, 0.0),),
        learning_rates={"gradient": 0.05, "adaptive": 0.1},
        nonsmooth="(x == 0) & (y == 0)",
    ),
    "booth": Landscape(
        title="Booth",
        formula=r"(x + 2y - 7)^2 + (2x + y - 5)^2",
        loss=surfaces.booth,
        domain=(-10.0, 10.0, -10.0, 10.0),
        starts=((-8.0, -6.0),),
        minima=(Minimum(1.0, 3.0, 0.0),),
        learning_rates={"gradient": 0.02, "adaptive": 0.5},
    ),
    "goldstein-price": Landscape(
        title="Goldstein–Price",
        formula=r"[1 + (x+y+1)^2(19 - 14x + 3x^2 - 14y + 6xy + 3y^2)]"
        r"\,[30 + (2x-3y)^2(18 - 32x + 12x^2 + 48y - 36xy + 27y^2)]",
        loss=surfaces.goldstein_price,
        domain=(-2.0, 2.0, -2.0, 2.0),
        starts=((0.5, 1.5),),
        minima=(Minimum(0.0, -1.0, 3.0), Minimum(-0.6, -0.4, 30.0, "local"), Minimum(1.8, 0.2, 84.0, "local")),
        # Momentum at the gradient rate 1e-5 leaves the domain within 13 steps.
        learning_rates={"gradient": 1e-5, "adaptive": 0.02, "momentum": 5e-6},
        log_height=True,
    ),
    "styblinski-tang": Landscape(
        title="Styblinski–Tang",
        formula=r"\frac{1}{2}\sum_i (x_i^4 - 16x_i^2 + 5x_i)",
        loss=surfaces.styblinski_tang,
        domain=(-5.0, 5.0, -5.0, 5.0),
        starts=((0.3, 0.2),),
        minima=(
            Minimum(-2.903534, -2.903534, -78.3323314),
            Minimum(-2.903534, 2.746803, -64.1956124, "local"),
            Minimum(2.746803, -2.903534, -64.1956124, "local"),
            Minimum(2.746803, 2.746803, -50.0588933, "local"),
        ),
        learning_rates={"gradient": 0.01, "adaptive": 0.1},
    ),
    "six-hump-camel": Landscape(
        title="Six-hump camel",
        formula=r"(4 - 2.1x^2 + \frac{x^4}{3})x^2 + xy + (-4 + 4y^2)y^2",
        loss=surfaces.six_hump_camel,
        domain=(-2.0, 2.0, -1.0, 1.0),
        starts=((-1.5, 0.9),),
        minima=(
            Minimum(0.0898420, -0.7126564, -1.0316285),
            Minimum(-0.0898420, 0.7126564, -1.0316285),
            Minimum(-1.703607, 0.796084, -0.2154638, "local"),
            Minimum(1.703607, -0.796084, -0.2154638, "local"),
        ),
        learning_rates={"gradient": 0.02, "adaptive": 0.03},
    ),
    "linear-regression": Landscape(
        title="Linear regression (MSE)",
        formula=r"\frac{1}{N}\sum_i (w\,x_i + b - y_i)^2",
        loss=data.squared_error,
        domain=(-1.0, 5.0, -4.0, 2.0),
        starts=((4.5, 1.5),),
        minima=(Minimum(*data.least_squares_minimum()),),
        learning_rates={"gradient": 0.1, "adaptive": 0.1},
        data=data.regression_data,
        axes=("w", "b"),
    ),
    "logistic-2d": Landscape(
        title="Logistic regression (breast cancer)",
        formula=r"\frac{1}{N}\sum_i \log(1 + e^{w \cdot x_i}) - y_i\,w \cdot x_i",
        loss=data.logistic_loss,
        domain=(-6.0, 2.0, -4.0, 4.0),
        starts=((1.5, 3.0),),
        # Exact (Newton's method; a test recomputes it): two weights, no bias, so the whole model is this plane.
        minima=(Minimum(-3.964286, -0.893021, 0.2757571),),
        learning_rates={"gradient": 1.0, "adaptive": 0.2},
        data=datasets.tumours,
        axes=("w₁", "w₂"),
    ),
    # z_range: from 0 to just above the loss at initialization, ln(classes), so the descent fills the height
    "digits-mlp": network_landscape("Digits MLP, 64–{hidden}–10, tanh", datasets.digits, hidden=32,
                                    z_top=3.0, adaptive_rate=0.01),  # ln 10 ≈ 2.3
    "moons-mlp": network_landscape("Two-moons MLP, 2–{hidden}–2, tanh", datasets.moons, hidden=8,
                                   z_top=1.0, adaptive_rate=0.05),  # ln 2 ≈ 0.69
}


@dataclass(frozen=True)
class Surface:
    """A landscape with its parameters bound (and optionally another domain): what the engine runs on."""

    name: str  # registry name, or the expression text
    landscape: Landscape
    parameters: Mapping[str, float]
    domain: Domain | None  # None: a network's slice, fitted to its paths

    @property
    def spec(self) -> str:
        """The canonical CLI spelling, e.g. 'abs-valley:a=3.0'."""
        extra = ",".join(f"{k}={v:g}" for k, v in self.parameters.items())
        return f"{self.name}:{extra}" if extra else self.name

    @property
    def formula(self) -> str:
        """The mathtext formula with the parameter values written in."""
        return _fill(self.landscape.formula, self.parameters)

    @property
    def is_data(self) -> bool:
        return self.landscape.data is not None or self.is_network

    @property
    def is_network(self) -> bool:
        return self.landscape.network is not None

    @property
    def network(self) -> Network:
        """The network a network surface trains (its hidden size from the parameters)."""
        return self.landscape.network(**self.parameters)

    @property
    def title(self) -> str:
        """The title with the parameter values written in ('Digits MLP (64–32–10)')."""
        return _fill(self.landscape.title, self.parameters)

    def loss(self, params):
        """Full loss at params = [x, y] (over the whole data set for a data landscape)."""
        if self.is_data:
            x, y = self.landscape.data()
            return self.landscape.loss(params, jnp.asarray(x), jnp.asarray(y))
        return self.landscape.loss(params, **self.parameters)


def _fill(text: str, parameters: Mapping[str, float]) -> str:
    """{name} placeholders replaced by the parameter values; other braces (mathtext's) left alone."""
    values = {k: f"{v:g}" for k, v in parameters.items()}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def _parse_domain(text: str) -> Domain:
    parts = text.split(",")
    if len(parts) != 4:
        raise SpecError(f"--domain needs four numbers xmin,xmax,ymin,ymax, got '{text}'")
    xmin, xmax, ymin, ymax = (parse_number(p, "--domain value") for p in parts)
    for value in (xmin, xmax, ymin, ymax):
        check("coordinate", abs(value), "--domain values' size")
    if not (xmin < xmax and ymin < ymax):
        raise SpecError(f"--domain needs xmin < xmax and ymin < ymax, got {text!r}")
    check("domain_span", min(xmax - xmin, ymax - ymin), "--domain's width and height")
    return xmin, xmax, ymin, ymax


@functools.cache
def _expression_landscape(text: str) -> Landscape:
    return Landscape(
        title=text,
        formula=to_mathtext(text),  # no {name} placeholders: Surface.formula leaves other braces alone
        loss=lambda p, f=parse_expression(text): f(p),
        domain=DEFAULT_DOMAIN,
        starts=((-1.5, 1.5),),
    )


def resolve_surface(spec: str, domain: str | Domain | None = None) -> Surface:
    """A registered `NAME[:key=value,...]` or a safe expression in x and y, as a Surface."""
    check_length(spec)
    spec = spec.strip()
    name, settings = split_spec(spec) if spec.split(":")[0].strip() in LANDSCAPES else (spec, {})
    if name in LANDSCAPES:
        landscape = LANDSCAPES[name]
        parameters = dict(landscape.parameters)
        for key, value in settings.items():
            if key not in parameters:
                valid = ", ".join(parameters) or "none"
                raise SpecError(f"unknown parameter '{key}' for surface {name}{did_you_mean(key, parameters)} (valid: {valid})")
            parameters[key] = parse_number(value, f"{name} parameter {key}")
    else:
        try:
            landscape = _expression_landscape(spec)
        except ExpressionError as error:
            if re.fullmatch(r"[A-Za-z][\w-]*(:.*)?", spec):  # meant as a name, not as a formula
                word = spec.split(":")[0]
                raise SpecError(f"unknown surface '{word}'{did_you_mean(word, LANDSCAPES)}") from None
            raise SpecError(f"bad surface expression: {error}") from None
        parameters = {}
    bounds = _parse_domain(domain) if isinstance(domain, str) else (domain or landscape.domain)
    surface = Surface(name=name, landscape=landscape, parameters=parameters,
                      domain=tuple(float(b) for b in bounds) if bounds is not None else None)
    if landscape.network is not None:
        landscape.network(**parameters)  # a whole number of hidden units, within limits
    return surface
