"""Tests for landscapes.expression: values, gradients, hostile input and mathtext."""

import jax
import jax.numpy as jnp
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
from matplotlib.mathtext import MathTextParser  # noqa: E402

from landscapes.expression import FUNCTIONS, ExpressionError, parse_expression, to_mathtext  # noqa: E402

# reference surfaces written by hand against a numpy-like module m (numpy for values, jnp for grads)
VALID = {
    "x**2 + 3*abs(y)": lambda m, x, y: x**2 + 3 * m.abs(y),
    "(1-x)**2 + 100*(y-x**2)**2": lambda m, x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "x**2 - y**2": lambda m, x, y: x**2 - y**2,
    "sin(x)*cos(y)": lambda m, x, y: m.sin(x) * m.cos(y),
    "exp(-(x**2+y**2))": lambda m, x, y: m.exp(-(x**2 + y**2)),
    "sqrt(x**2+y**2+1)": lambda m, x, y: m.sqrt(x**2 + y**2 + 1),
    "-x + +y": lambda m, x, y: -x + y,
    "2*pi*x": lambda m, x, y: 2 * np.pi * x,
    "e**x": lambda m, x, y: m.exp(x),
    "tanh(x)*arctan(y)": lambda m, x, y: m.tanh(x) * m.arctan(y),
    "log(1 + x**2)": lambda m, x, y: m.log(1 + x**2),
    "atan2(y, x+3)": lambda m, x, y: m.arctan2(y, x + 3),
    "maximum(x, y)": lambda m, x, y: m.maximum(x, y),
    "sin(x)*cos(y) - 0.1*exp(-(x**2+y**2))": lambda m, x, y: m.sin(x) * m.cos(y) - 0.1 * m.exp(-(x**2 + y**2)),
    "(x**2 + 1)**(1/3) + hypot(x, y)/cbrt(2) - ln(2)*x**-2":
        lambda m, x, y: (x**2 + 1) ** (1 / 3) + m.hypot(x, y) / m.cbrt(2.0) - np.log(2) * x**-2,
}
# distinct x and y grids, so maximum() never sits on a tie
X, Y = (a.ravel() for a in np.meshgrid([-1.5, -0.4, 0.3, 1.1], [-1.2, -0.25, 0.6, 1.4]))
POINTS = jnp.asarray(np.stack([X, Y], axis=1), dtype=jnp.float32)


@pytest.mark.parametrize("text", VALID)
def test_values_and_gradients_match_hand_written(text):
    f, ref = parse_expression(text), VALID[text]
    np.testing.assert_allclose(jax.vmap(f)(POINTS), ref(np, X, Y), rtol=2e-5, atol=1e-5)
    grads = jax.vmap(jax.grad(f))(POINTS)
    ref_grads = jax.vmap(jax.grad(lambda p: ref(jnp, p[0], p[1])))(POINTS)
    np.testing.assert_allclose(grads, ref_grads, rtol=2e-5, atol=1e-5)


@pytest.mark.parametrize("text", list(VALID)[:4])
def test_jit_vmap_and_scalar_output(text):
    f = parse_expression(text)
    batched = jax.jit(jax.vmap(f))(POINTS)
    single = [f(p) for p in POINTS]
    assert batched.shape == (len(POINTS),) and f(POINTS[0]).shape == ()
    np.testing.assert_allclose(batched, single, rtol=1e-6)
    np.testing.assert_allclose(jax.jit(jax.grad(f))(POINTS[0]), jax.grad(f)(POINTS[0]), rtol=1e-6)


def test_constant_surface_and_integer_params():
    f = parse_expression("2*pi")
    assert f(jnp.array([1.0, 2.0])).shape == () and np.isclose(f(jnp.array([1.0, 2.0])), 2 * np.pi)
    np.testing.assert_allclose(jax.vmap(f)(POINTS), np.full(len(POINTS), 2 * np.pi), rtol=1e-6)
    np.testing.assert_array_equal(jax.grad(f)(jnp.array([1.0, 2.0])), [0.0, 0.0])
    assert float(parse_expression("x/y")(jnp.array([1, 2]))) == 0.5  # ints promoted, not truncated


def test_function_table():
    assert FUNCTIONS["asin"] is FUNCTIONS["arcsin"] is jnp.arcsin and FUNCTIONS["ln"] is jnp.log
    assert not {"eval", "exec", "open", "__import__", "floor", "sign"} & set(FUNCTIONS)


HOSTILE = [
    ("__import__('os').system('ls')", ".system"),
    ("x.__class__", ".__class__"),
    ("().__class__.__bases__", "__bases__"),
    ("open('f')", "open"),
    ("eval('1')", "eval"),
    ("lambda: 1", "lambda"),
    ("[x for x in y]", "comprehension"),
    ("x if y else 1", "x if y else 1"),
    ("x < y", "<"),
    ("x and y", "and"),
    ("'abc'", "'abc'"),
    ("z + 1", "'z'"),
    ("X", "'X'"),
    ("x[0]", "x[0]"),
    ("x // 2", "//"),
    ("x % 2", "%"),
    ("x @ y", "@"),
    ("x ^ y", "^"),
    ("x**1000", "1000"),
    ("9**9**9**9", "9**9"),
    ("2**2**30", "2**30"),
    ("1e400", "1e400"),
    ("sin(x, y)", "sin"),
    ("sin(x=1)", "x="),
    ("(x := 1)", ":="),
    ("f'{x}'", "f'{x}'"),
    ("", "empty"),
    ("   ", "empty"),
    ("x +", "syntax error"),
    ("sinn(x)", "did you mean 'sin'"),
    ("x" * 600, "too long"),
    ("(" * 200 + "x" + ")" * 200, "nested"),
    ("-" * 300 + "x", "nested"),
    ("1j", "1j"),
    ("True", "True"),
    ("sin", "sin"),
    ("x(2)", "'x'"),
    ("sin(*x)", "*x"),
    ("x**log(-1)", "log(-1)"),
]


@pytest.mark.parametrize(("text", "token"), HOSTILE, ids=lambda v: repr(v[:30]) if isinstance(v, str) else v)
def test_hostile_input_rejected_with_one_line_message(text, token):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert token in message and "\n" not in message
    with pytest.raises(ExpressionError):
        to_mathtext(text)


def test_non_string_is_a_type_error():
    with pytest.raises(TypeError):
        parse_expression(3.0)


MATHTEXT_EXTRA = ["abs(abs(x) - 1/y)", "square(x/y)", "log2(x)*log10(y)", "arcsinh(x) + acosh(y)",
                  "1e-5*x + 2.5e20*y", "-(x - y)*-y", "exp(x)**2", "(-x)**2 - -x**2", "minimum(x, y)/2",
                  "sqrt(x)**3", "2**2**3", "x*2*3 + .5*x"]


@pytest.mark.parametrize("text", [*VALID, *MATHTEXT_EXTRA])
def test_mathtext_parses_with_matplotlib(text):
    MathTextParser("path").parse("$" + to_mathtext(text) + "$")


@pytest.mark.parametrize(("text", "expected"), [
    ("x**2 + 3*abs(y)", r"x^{2} + 3\,|y|"),
    ("(1-x)**2 + 100*(y-x**2)**2", r"(1 - x)^{2} + 100\,(y - x^{2})^{2}"),
    ("sin(x)*cos(y)", r"\sin(x)\,\cos(y)"),
    ("exp(-(x**2+y**2))", r"e^{-(x^{2} + y^{2})}"),
    ("sqrt(x**2+y**2+1)", r"\sqrt{x^{2} + y^{2} + 1}"),
    ("2*pi*x", r"2\,\pi\,x"),
    ("-x + +y", r"-x + y"),
    ("x - (y - 1)", r"x - (y - 1)"),
    ("x*2", r"x \cdot 2"),
    ("(x/y)**2", r"\left(\frac{x}{y}\right)^{2}"),
    ("atan2(y, x+3)", r"\mathrm{arctan2}(y, x + 3)"),
    ("log(1 + x**2)", r"\ln(1 + x^{2})"),
    ("1e-5*x", r"1 \times 10^{-5}\,x"),
])
def test_mathtext_exact(text, expected):
    assert to_mathtext(text) == expected
