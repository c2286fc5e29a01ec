"""Every registered surface: formula, finite values and gradients, documented minima, parameters and specs."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import NUMPY_SURFACES, SURFACE_NAMES, assert_spec_error

from landscapes import DEFAULT_DOMAIN, LANDSCAPES, SpecError, resolve_surface
from landscapes.data import least_squares_minimum, regression_data
from landscapes.expression import to_mathtext

GRID = 25


def _numpy_loss(surface):
    return functools.partial(NUMPY_SURFACES[surface.name], **surface.parameters)


def _nonsmooth(land, x, y):
    """The landscape's own mask of points where the gradient is undefined (a NumPy expression in x, y)."""
    if not land.nonsmooth:
        return np.zeros(np.shape(x), dtype=bool)
    return np.broadcast_to(eval(land.nonsmooth, {}, {"x": np.asarray(x), "y": np.asarray(y)}), np.shape(x))


@functools.cache
def _compiled(spec):
    return jax.jit(jax.vmap(jax.value_and_grad(resolve_surface(spec).loss)))


def _value_and_grad(surface, points):
    """f and ∇f at points (n, 2), n ≤ GRID²: padded to one shape, so each surface compiles once."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    padded = np.concatenate([points, np.repeat(points[:1], GRID * GRID - len(points), axis=0)])
    values, grads = _compiled(surface.spec)(jnp.asarray(padded))
    return np.asarray(values)[: len(points)], np.asarray(grads)[: len(points)]


def test_every_surface_has_a_numpy_formula():
    assert set(NUMPY_SURFACES) == set(SURFACE_NAMES)


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_finite_values_and_gradients_on_grid(name):
    surface = resolve_surface(name)
    xmin, xmax, ymin, ymax = surface.domain
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, GRID), np.linspace(ymin, ymax, GRID))
    values, grads = _value_and_grad(surface, np.stack([gx.ravel(), gy.ravel()], axis=1))
    assert np.isfinite(values).all()
    smooth = ~_nonsmooth(surface.landscape, gx.ravel(), gy.ravel())
    assert np.isfinite(grads[smooth]).all()


def test_nonsmooth_masks_cover_the_known_kinks():
    assert _nonsmooth(LANDSCAPES["abs-valley"], np.array([0.3, 0.3]), np.array([0.0, 0.1])).tolist() == [True, False]
    assert _nonsmooth(LANDSCAPES["ackley"], np.array([0.0, 0.0]), np.array([0.0, 1e-9])).tolist() == [True, False]
    # Ackley's gradient really is NaN at the exact origin (√ at 0), and only there
    _, grads = _value_and_grad(resolve_surface("ackley"), [[0.0, 0.0], [1e-9, 0.0]])
    assert np.isnan(grads[0]).all() and np.isfinite(grads[1]).all()


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_formula_matches_numpy(name):
    """The JAX loss equals the formula written again in NumPy, at 5 random points of the domain."""
    surface = resolve_surface(name)
    xmin, xmax, ymin, ymax = surface.domain
    rng = np.random.default_rng(sum(map(ord, name)))
    points = np.stack([rng.uniform(xmin, xmax, 5), rng.uniform(ymin, ymax, 5)], axis=1)
    values, _ = _value_and_grad(surface, points)
    np.testing.assert_allclose(values, _numpy_loss(surface)(points[:, 0], points[:, 1]), rtol=1e-12, atol=1e-12)


def test_linear_regression_is_the_mean_squared_error():
    xs, ys = regression_data()
    assert xs.shape == ys.shape == (256,)
    assert regression_data() is regression_data()  # cached, deterministic
    surface = resolve_surface("linear-regression")
    assert surface.is_data
    for w, b in [(2.0, -1.0), (4.5, 1.5), (-0.3, 0.7)]:
        expected = np.mean((w * xs + b - ys) ** 2)
        assert float(surface.loss(jnp.array([w, b]))) == pytest.approx(expected, rel=1e-12)
    # the documented minimum is the least-squares solution
    w, b, value = least_squares_minimum()
    (w_np, b_np), *_ = np.linalg.lstsq(np.stack([xs, np.ones_like(xs)], axis=1), ys, rcond=None)
    assert (w, b) == pytest.approx((w_np, b_np), rel=1e-10)
    assert value == pytest.approx(np.mean((w_np * xs + b_np - ys) ** 2), rel=1e-10)
    assert abs(w - 2.0) < 0.2 and abs(b + 1.0) < 0.2  # near the generating line y = 2x − 1


MINIMA = [(name, i) for name in SURFACE_NAMES for i in range(len(LANDSCAPES[name].minima))]


@pytest.mark.parametrize("name, i", MINIMA, ids=[f"{n}-{i}" for n, i in MINIMA])
def test_documented_minimum(name, i):
    surface = resolve_surface(name)
    m = surface.landscape.minima[i]
    assert m.kind in ("global", "local", "saddle")
    xmin, xmax, ymin, ymax = surface.domain
    assert xmin <= m.x <= xmax and ymin <= m.y <= ymax
    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    neighbours = np.stack([m.x + 1e-3 * np.cos(angles), m.y + 1e-3 * np.sin(angles)], axis=1)
    values, grads = _value_and_grad(surface, np.vstack([[m.x, m.y], neighbours]))
    assert values[0] == pytest.approx(m.value, abs=1e-5)
    if not _nonsmooth(surface.landscape, m.x, m.y):  # a kink's minimum has a zero subgradient instead
        assert np.linalg.norm(grads[0]) < 1e-4
    if m.kind == "saddle":
        assert (values[1:] > values[0]).any() and (values[1:] < values[0]).any()
    else:
        assert (values[1:] > values[0]).all()
    if m.kind == "global":
        assert m.value == min(other.value for other in surface.landscape.minima)


# ARCHITECTURE.md "Reference values (float64, BFGS-refined)"
REFERENCE_MINIMA = {
    "two-holes": [(0.96869, 0.99009, -0.679001), (0.00095, 0.00101, -0.500254)],
    "abs-valley": [(0.0, 0.0, 0.0)],
    "rosenbrock": [(1.0, 1.0, 0.0)],
    "beale": [(3.0, 0.5, 0.0)],
    "himmelblau": [(3.0, 2.0, 0.0), (-2.805118, 3.131312, 0.0), (-3.779310, -3.283186, 0.0),
                   (3.584428, -1.848126, 0.0)],
    "rastrigin": [(0.0, 0.0, 0.0)],
    "ackley": [(0.0, 0.0, 0.0)],
    "booth": [(1.0, 3.0, 0.0)],
    "goldstein-price": [(0.0, -1.0, 3.0)],
    "styblinski-tang": [(-2.903534, -2.903534, -78.33233)],
    "six-hump-camel": [(0.0898420, -0.7126564, -1.0316285), (-0.0898420, 0.7126564, -1.0316285)],
}


@pytest.mark.parametrize("name", REFERENCE_MINIMA)
def test_reference_values(name):
    """The registry lists the documented minima, and both the JAX and the NumPy formula agree there."""
    surface = resolve_surface(name)
    f = _numpy_loss(surface)
    for x, y, value in REFERENCE_MINIMA[name]:
        listed = min(surface.landscape.minima, key=lambda m: np.hypot(m.x - x, m.y - y))
        assert np.hypot(listed.x - x, listed.y - y) < 1e-5
        assert listed.value == pytest.approx(value, abs=1e-5)
        assert f(x, y) == pytest.approx(value, abs=1e-5)
        assert float(surface.loss(jnp.array([x, y]))) == pytest.approx(value, abs=1e-5)


def test_saddle_is_unbounded_below():
    surface = resolve_surface("saddle")
    assert [m.kind for m in surface.landscape.minima] == ["saddle"]
    assert float(surface.loss(jnp.array([0.0, 100.0]))) == -10000.0
    assert surface.landscape.z_range is not None  # drawn clipped


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_default_starts_inside_domain(name):
    land = LANDSCAPES[name]
    xmin, xmax, ymin, ymax = land.domain
    assert xmin < xmax and ymin < ymax
    assert land.starts
    for x, y in land.starts:
        assert xmin <= x <= xmax and ymin <= y <= ymax
        assert not any(np.hypot(x - m.x, y - m.y) < 1e-3 for m in land.minima)  # a start that moves


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_metadata_is_consistent(name):
    land = LANDSCAPES[name]
    surface = resolve_surface(name)
    assert surface.name == name
    assert surface.spec == (name if not land.parameters else surface.spec)
    assert resolve_surface(surface.spec).parameters == surface.parameters  # the canonical spelling resolves
    assert surface.domain == land.domain
    assert surface.is_data == (land.data is not None)
    assert all(rate > 0 for rate in land.learning_rates.values())
    assert {"gradient", "adaptive"} <= set(land.learning_rates)
    if land.z_range is not None:
        assert land.z_range[0] < land.z_range[1]


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_axis_names_are_plain_text(name):
    """Map frames and glyph keys print the names as they are: TeX markup (d_1) would show its underscore."""
    axes = LANDSCAPES[name].axes
    assert len(axes) == 2 and all(axes) and axes[0] != axes[1]
    assert not set("".join(axes)) & set("_^\\{}$"), axes


# --- surface parameters ------------------------------------------------------------------------------------

def test_surface_parameters_change_values_and_formula():
    default, steep = resolve_surface("abs-valley"), resolve_surface("abs-valley:a=3")
    assert steep.parameters == {"a": 3.0}
    assert steep.spec == "abs-valley:a=3"
    p = jnp.array([0.5, -0.5])
    assert float(default.loss(p)) == pytest.approx(0.75)
    assert float(steep.loss(p)) == pytest.approx(0.25 + 1.5)
    assert r"3\,|y|" in steep.formula and "{a}" not in steep.formula
    assert r"1\,|y|" in default.formula
    ravine = resolve_surface("ravine:kappa=2")
    assert float(ravine.loss(jnp.array([1.0, 1.0]))) == pytest.approx(1.5)
    assert r"2\,y^2" in ravine.formula


@pytest.mark.parametrize("name", [n for n in SURFACE_NAMES if LANDSCAPES[n].parameters])
def test_formula_placeholders_are_filled(name):
    land = LANDSCAPES[name]
    formula = resolve_surface(name).formula
    for key, value in land.parameters.items():
        assert "{" + key + "}" in land.formula
        assert "{" + key + "}" not in formula
        assert f"{value:g}" in formula


@pytest.mark.parametrize("spec, words", [
    ("rosenbrok", ["rosenbrok", "did you mean 'rosenbrock'"]),
    ("Saddle", ["did you mean 'saddle'"]),
    ("two_holes", ["did you mean 'two-holes'"]),
    ("abs-valley:b=3", ["unknown parameter 'b'", "valid: a"]),
    ("abs-valley:aa=3", ["did you mean 'a'"]),
    ("rosenbrock:a=1", ["unknown parameter 'a'", "valid: none"]),
    ("abs-valley:a=x", ["a", "number", "'x'"]),
    ("abs-valley:a=inf", ["a", "finite"]),
    ("abs-valley:a=nan", ["a", "finite"]),
    ("abs-valley:a", ["key=value"]),
    ("abs-valley:,", ["key=value"]),
    ("x**2 +", ["bad surface expression"]),
    ("foo(x)", ["foo"]),
    ("__import__('os')", ["bad surface expression"]),
])
def test_bad_surface_specs_are_rejected(spec, words):
    assert_spec_error(resolve_surface, spec, words)


# --- expressions and --domain ------------------------------------------------------------------------------

def test_expression_surface():
    surface = resolve_surface("x**2 + 3*abs(y)")
    assert surface.name == "x**2 + 3*abs(y)"
    assert surface.domain == DEFAULT_DOMAIN
    assert surface.parameters == {} and not surface.is_data
    assert float(surface.loss(jnp.array([1.5, -2.0]))) == pytest.approx(8.25)
    np.testing.assert_allclose(np.asarray(jax.grad(surface.loss)(jnp.array([1.5, -2.0]))), [3.0, -3.0])
    assert surface.landscape.starts
    assert surface.formula == to_mathtext("x**2 + 3*abs(y)")  # shown as written, braces not doubled
    assert resolve_surface("exp(-(x**2+y**2))/2").formula == to_mathtext("exp(-(x**2+y**2))/2")
    # the same text resolves to the same landscape (one compiled program per expression)
    assert resolve_surface("x**2 + 3*abs(y)").landscape is surface.landscape


@pytest.mark.parametrize("domain", ["-3,3,-3,3", (-3, 3, -3, 3), " -3, 3 ,-3,3"])
def test_domain_forms(domain):
    assert resolve_surface("x**2 + y**2", domain).domain == (-3.0, 3.0, -3.0, 3.0)
    assert resolve_surface("saddle", domain).domain == (-3.0, 3.0, -3.0, 3.0)


def test_registered_surface_keeps_its_domain_without_one():
    assert resolve_surface("ravine").domain == (-3.0, 3.0, -1.5, 1.5)


@pytest.mark.parametrize("domain, words", [
    ("1,2,3", ["four numbers"]),
    ("1,2,3,4,5", ["four numbers"]),
    ("3,-3,-3,3", ["xmin < xmax"]),
    ("-3,3,3,3", ["ymin < ymax"]),
    ("a,b,c,d", ["number", "'a'"]),
    ("nan,1,2,3", ["finite"]),
    ("-inf,1,2,3", ["finite"]),
])
def test_bad_domains_are_rejected(domain, words):
    with pytest.raises(SpecError) as error:
        resolve_surface("x**2 + y**2", domain)
    assert "\n" not in str(error.value)
    for word in words:
        assert word in str(error.value)
