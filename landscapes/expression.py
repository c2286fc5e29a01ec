"""Safe user-typed surfaces in x and y: an `ast` whitelist compiled to jax.numpy, plus mathtext."""

import ast
import math
import operator
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from .limits import LIMITS
from .spec import did_you_mean

MAX_LENGTH = int(LIMITS["expression_length"].high)
MAX_DEPTH = int(LIMITS["expression_depth"].high)
MAX_EXPONENT = LIMITS["expression_exponent"].high
MAX_LITERAL = LIMITS["expression_literal"].high

VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}

# public name -> (numpy/jax.numpy attribute, arity); both libraries share these attribute names
_TABLE = {
    **{name: (name, 1) for name in (
        "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
        "arcsinh", "arccosh", "arctanh", "exp", "log", "log2", "log10", "sqrt", "abs",
        "square", "cbrt")},
    **{name: (name, 2) for name in ("minimum", "maximum", "hypot", "arctan2")},
    "asin": ("arcsin", 1), "acos": ("arccos", 1), "atan": ("arctan", 1),
    "asinh": ("arcsinh", 1), "acosh": ("arccosh", 1), "atanh": ("arctanh", 1),
    "ln": ("log", 1), "atan2": ("arctan2", 2),
}
FUNCTIONS: dict[str, Callable] = {name: getattr(jnp, attr) for name, (attr, _) in sorted(_TABLE.items())}

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}
_BAD_BINOPS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitXor: "^",
               ast.BitAnd: "&", ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>"}
_BAD_UNARY = {ast.Not: "not", ast.Invert: "~"}
_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_CONTAINERS = {ast.Tuple: "tuple", ast.List: "list", ast.Set: "set", ast.Dict: "dict"}

# precedence of operators and rendered pieces, higher binds tighter; the rejected operators are
# listed too because the depth limit is measured before the whitelist check
_SUM, _PROD, _NEG, _POW, _ATOM = 1, 2, 3, 4, 5
_PREC = {ast.Add: _SUM, ast.Sub: _SUM, ast.Mult: _PROD, ast.Div: _PROD, ast.Pow: _POW,
         **{op: 0 for op in _BAD_BINOPS}}


class ExpressionError(ValueError):
    """One-line message naming the offending token."""


class _Checker:
    """Walks the parsed tree, raising ExpressionError at the first construct outside the whitelist."""

    def __init__(self, text: str):
        self.text = text

    def token(self, node: ast.AST) -> str:
        # one line, short: the message must stay a single readable line
        seg = ast.get_source_segment(self.text, node) or ast.unparse(node)
        seg = " ".join(seg.split())
        return seg if len(seg) <= 40 else seg[:39] + "…"

    def fail(self, message: str):
        raise ExpressionError(message)

    def check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Expression):
            return self.check(node.body)
        if isinstance(node, ast.Constant):
            return self.check_constant(node)
        if isinstance(node, ast.Name):
            return self.check_name(node)
        if isinstance(node, ast.BinOp):
            return self.check_binop(node)
        if isinstance(node, ast.UnaryOp):
            if type(node.op) in _BAD_UNARY:
                self.fail(f"operator '{_BAD_UNARY[type(node.op)]}' is not allowed")
            return self.check(node.operand)
        if isinstance(node, ast.Call):
            return self.check_call(node)
        if isinstance(node, ast.Attribute):
            self.fail(f"attribute access '.{node.attr}' is not allowed")
        if isinstance(node, ast.Subscript):
            self.fail(f"subscript '{self.token(node)}' is not allowed")
        if isinstance(node, ast.Lambda):
            self.fail("lambda is not allowed")
        if isinstance(node, _COMPREHENSIONS):
            self.fail(f"comprehension '{self.token(node)}' is not allowed")
        if isinstance(node, ast.IfExp):
            self.fail(f"conditional expression '{self.token(node)}' is not allowed")
        if isinstance(node, ast.Compare):
            self.fail(f"comparison '{_CMP.get(type(node.ops[0]), '?')}' is not allowed")
        if isinstance(node, ast.BoolOp):
            self.fail(f"boolean operator '{'and' if isinstance(node.op, ast.And) else 'or'}' is not allowed")
        if isinstance(node, ast.NamedExpr):
            self.fail(f"assignment expression ':=' in '{self.token(node)}' is not allowed")
        if isinstance(node, ast.JoinedStr):
            self.fail(f"f-string {self.token(node)} is not allowed")
        if type(node) in _CONTAINERS:
            self.fail(f"{_CONTAINERS[type(node)]} '{self.token(node)}' is not allowed")
        self.fail(f"'{self.token(node)}' is not allowed in an expression")

    def check_constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, str):
            self.fail(f"string {self.token(node)} is not allowed")
        if type(value) not in (int, float):  # bool, complex, bytes, None, Ellipsis
            self.fail(f"literal '{self.token(node)}' is not allowed (only real numbers)")
        if not abs(value) <= MAX_LITERAL:  # also catches inf from '1e400'
            self.fail(f"number '{self.token(node)}' is too large (max 1e100)")

    def check_name(self, node: ast.Name) -> None:
        if node.id in VARIABLES or node.id in CONSTANTS:
            return
        if node.id in FUNCTIONS:
            self.fail(f"function '{node.id}' must be called, e.g. '{node.id}(x)'")
        hint = did_you_mean(node.id, [*VARIABLES, *CONSTANTS, *FUNCTIONS])
        self.fail(f"unknown name '{node.id}' in expression (allowed: x, y, pi, e){hint}")

    def check_binop(self, node: ast.BinOp) -> None:
        if type(node.op) in _BAD_BINOPS:
            symbol = _BAD_BINOPS[type(node.op)]
            hint = " (use ** for powers)" if symbol == "^" else ""
            self.fail(f"operator '{symbol}' is not allowed{hint}")
        self.check(node.left)
        self.check(node.right)
        if isinstance(node.op, ast.Pow) and not _uses_variables(node.right):
            # The exponent's children are already bounded, so this float estimate is cheap and
            # cannot hang; it only guards the check, evaluation itself stays in jax.numpy.
            with np.errstate(all="ignore"):
                value = float(_compile(node.right, np)(np.nan, np.nan))
            if math.isnan(value):
                self.fail(f"exponent '{self.token(node.right)}' is not a number")
            if abs(value) > MAX_EXPONENT:
                self.fail(f"exponent '{self.token(node.right)}' is too large (max {MAX_EXPONENT})")

    def check_call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name):
            self.check(node.func)  # names the attribute/subscript/... being called
            self.fail(f"call of '{self.token(node.func)}' is not allowed (only named functions)")
        name = node.func.id
        if name not in FUNCTIONS:
            if name in VARIABLES or name in CONSTANTS:
                self.fail(f"'{name}' is not a function (write '{name}*(...)' to multiply)")
            hint = did_you_mean(name, FUNCTIONS)
            self.fail(f"function '{name}' is not allowed (allowed: {', '.join(FUNCTIONS)}){hint}")
        for kw in node.keywords:
            shown = f"{kw.arg}=" if kw.arg else f"**{self.token(kw.value)}"
            self.fail(f"keyword argument '{shown}' in call to '{name}' is not allowed")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.fail(f"starred argument '{self.token(arg)}' in call to '{name}' is not allowed")
        arity = _TABLE[name][1]
        if len(node.args) != arity:
            plural = "" if arity == 1 else "s"
            self.fail(f"function '{name}' takes {arity} argument{plural}, got {len(node.args)}")
        for arg in node.args:
            self.check(arg)


def _uses_variables(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id in VARIABLES for n in ast.walk(node))


def _int_literal(node: ast.AST):
    """The int of `3`, `-3` or `+3`, else None: such exponents stay Python ints for exact integer_pow."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


def _compile(node: ast.AST, xp) -> Callable:
    """Closure tree (x, y) -> value over `xp` (jax.numpy or numpy) for an already checked node."""
    if isinstance(node, ast.Expression):
        return _compile(node.body, xp)
    if isinstance(node, (ast.Constant, ast.Name)) and not (isinstance(node, ast.Name) and node.id in VARIABLES):
        value = float(node.value if isinstance(node, ast.Constant) else CONSTANTS[node.id])
        if xp is np:
            return lambda x, y: np.float64(value)
        def constant(x, y):
            with np.errstate(over="ignore"):  # 1e100 in float32 is inf, as in any float32 program
                return jnp.asarray(value, dtype=x.dtype)  # follow the params' precision
        return constant
    if isinstance(node, ast.Name):
        return (lambda x, y: x) if node.id == "x" else (lambda x, y: y)
    if isinstance(node, ast.UnaryOp):
        inner = _compile(node.operand, xp)
        return inner if isinstance(node.op, ast.UAdd) else (lambda x, y: -inner(x, y))
    if isinstance(node, ast.BinOp):
        op, left = _BINOPS[type(node.op)], _compile(node.left, xp)
        exponent = _int_literal(node.right) if isinstance(node.op, ast.Pow) else None
        if exponent is not None:
            return lambda x, y: op(left(x, y), exponent)
        right = _compile(node.right, xp)
        return lambda x, y: op(left(x, y), right(x, y))
    if isinstance(node, ast.Call):
        fn = getattr(xp, _TABLE[node.func.id][0])
        args = [_compile(a, xp) for a in node.args]
        if len(args) == 1:
            (arg,) = args
            return lambda x, y: fn(arg(x, y))
        first, second = args
        return lambda x, y: fn(first(x, y), second(x, y))
    raise AssertionError(f"unchecked node {type(node).__name__}")  # _parse rejects everything else


def _depth(tree: ast.AST) -> int:
    """Nesting depth, iteratively (no recursion on hostile input); a+b+c chains count as one level."""
    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            same_chain = (isinstance(node, ast.BinOp) and isinstance(child, ast.BinOp)
                          and _PREC[type(node.op)] == _PREC[type(child.op)])
            stack.append((child, depth if same_chain else depth + 1))
    return deepest


def _syntax_message(err: SyntaxError, source: str, lead: int) -> str:
    line, offset, reason = err.lineno or 1, err.offset or 0, " ".join(str(err.msg).split())
    if offset <= 0:  # the parser ran off the end, e.g. 'x +'
        return f"syntax error in expression at column {len(source) + lead + 1} (unexpected end): {reason}"
    where = f"line {line}, column {offset}" if line > 1 else f"column {offset + lead}"
    text = (err.text or "").splitlines()[0] if err.text else ""
    near = text[offset - 1:max(offset, err.end_offset or 0) - 1].strip() if err.end_lineno == line else ""
    return f"syntax error in expression at {where}" + (f" near '{near}'" if near else "") + f": {reason}"


def _parse(text: str) -> ast.Expression:
    """Parse and whitelist-check `text`; every rejection is an ExpressionError with a one-line message."""
    if not isinstance(text, str):
        raise TypeError(f"expression must be a string, got {type(text).__name__}")
    stripped = text.lstrip()
    lead = len(text) - len(stripped)
    source = stripped.rstrip()
    if not source:
        raise ExpressionError("expression is empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"expression is too long ({len(source)} characters, max {MAX_LENGTH})")
    # Bracket depth is checked on the raw text: Python's parser has its own (larger) limits,
    # and parentheses leave no trace in the tree.
    level = 0
    for column, char in enumerate(source, start=lead + 1):
        level += (char in "([{") - (char in ")]}")
        if level > MAX_DEPTH:
            raise ExpressionError(f"brackets nested deeper than {MAX_DEPTH} levels at column {column}")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise ExpressionError(_syntax_message(err, source, lead)) from None
    except (ValueError, RecursionError, MemoryError) as err:  # null bytes, parser limits
        raise ExpressionError(f"syntax error in expression: {' '.join(str(err).split())}") from None
    if _depth(tree) > MAX_DEPTH:
        raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels")
    _Checker(source).check(tree)
    return tree


def parse_expression(text: str) -> Callable[[jax.Array], jax.Array]:
    """Compile `text` into f(params) -> scalar, with params = jnp.array([x, y]); safe (AST whitelist, no eval)."""
    evaluate = _compile(_parse(text), jnp)

    def surface(params):
        params = jnp.asarray(params)
        if not jnp.issubdtype(params.dtype, jnp.inexact):
            params = params.astype(float)  # integer grids would truncate every result
        value = evaluate(params[0], params[1])
        return jnp.broadcast_to(jnp.asarray(value, dtype=params.dtype), ())

    surface.__doc__ = f"f(x, y) = {text.strip()}"
    return surface


# --- mathtext rendering ---------------------------------------------------------------------

# operator names mathtext typesets upright by itself; the rest get \mathrm
_MATHTEXT_FUNCS = {"sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh"}


def _paren(s: str) -> str:
    # stretchy delimiters only where something tall sits inside
    return rf"\left({s}\right)" if "\\frac" in s else f"({s})"


def _number(value) -> str:
    if type(value) is int:
        return str(value)
    text = repr(float(value))
    if "e" not in text:
        return text
    mantissa, exp = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exp)}}}"


def _render(node: ast.AST) -> tuple[str, int, bool]:
    """(mathtext, precedence, usable as a power's base without parentheses)."""
    if isinstance(node, ast.Expression):
        return _render(node.body)
    if isinstance(node, ast.Constant):
        s = _number(node.value)
        return (s, _PROD, False) if "\\times" in s else (s, _ATOM, True)
    if isinstance(node, ast.Name):
        return (r"\pi" if node.id == "pi" else node.id), _ATOM, True
    if isinstance(node, ast.UnaryOp):
        s, prec, base_ok = _render(node.operand)
        if isinstance(node.op, ast.UAdd):  # +u is just u
            return s, prec, base_ok
        return "-" + (_paren(s) if prec in (_SUM, _NEG) else s), _NEG, False
    if isinstance(node, ast.BinOp):
        return _render_binop(node)
    name = _TABLE[node.func.id][0]
    args = [_render(a)[0] for a in node.args]
    if name == "abs":
        bars = ("\\left|", "\\right|") if ("|" in args[0] or "\\frac" in args[0]) else ("|", "|")
        return bars[0] + args[0] + bars[1], _ATOM, True
    if name == "sqrt":
        return rf"\sqrt{{{args[0]}}}", _ATOM, False
    if name == "cbrt":
        return rf"\sqrt[3]{{{args[0]}}}", _ATOM, False
    if name == "exp":
        return f"e^{{{args[0]}}}", _POW, False
    if name == "square":
        return _power(_render(node.args[0]), "2"), _POW, False
    head = {"log": r"\ln", "log2": r"\log_{2}", "log10": r"\log_{10}", "minimum": r"\min",
            "maximum": r"\max"}.get(name) or (f"\\{name}" if name in _MATHTEXT_FUNCS else rf"\mathrm{{{name}}}")
    return head + _paren(", ".join(args)), _ATOM, True


def _power(base: tuple[str, int, bool], exponent: str) -> str:
    s, _, base_ok = base
    return f"{s if base_ok else _paren(s)}^{{{exponent}}}"


def _render_binop(node: ast.BinOp) -> tuple[str, int, bool]:
    left, (rs, rp, _) = _render(node.left), _render(node.right)
    ls, lp, _ = left
    if isinstance(node.op, ast.Pow):
        return _power(left, rs), _POW, False
    if isinstance(node.op, ast.Div):
        return rf"\frac{{{ls}}}{{{rs}}}", _ATOM, False
    if isinstance(node.op, ast.Add):
        return f"{ls} + {_paren(rs) if rp == _NEG else rs}", _SUM, False
    if isinstance(node.op, ast.Sub):
        return f"{ls} - {_paren(rs) if rp in (_SUM, _NEG) else rs}", _SUM, False
    ls = _paren(ls) if lp == _SUM else ls
    rs = _paren(rs) if rp in (_SUM, _NEG) else rs
    # juxtapose (thin space) unless a digit would run into the left factor, e.g. x*2, 2*3
    joiner = r" \cdot " if rs[0].isdigit() or rs[0] == "." else r"\,"
    return ls + joiner + rs, _PROD, False


def to_mathtext(text: str) -> str:
    """Matplotlib mathtext for the expression (validated first), e.g. 'x**2 + 3*abs(y)' -> r'x^{2} + 3\\,|y|'."""
    return _render(_parse(text))[0]
