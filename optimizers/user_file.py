"""`--optimizer path/to/file.py:FACTORY[:key=value,...]`: a factory from the user's own Python file.

FACTORY(learning_rate, **kw) returns an optax GradientTransformation. Optional attributes on it: `display_name`,
`latex` (mathtext lines of its update rule), `first_moment` and `second_moment` (its state fields for glyphs)
and `color`.
"""

import hashlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path

from landscapes.spec import SpecError, did_you_mean, split_spec


def is_file_spec(spec: str) -> bool:
    """'dir/sign.py:sign_descent[:...]': the name part names a .py file."""
    return ".py:" in spec.split("=", 1)[0] or spec.split(":", 1)[0].endswith(".py")


def split_file_spec(spec: str) -> tuple[str, str, dict[str, str]]:
    """'dir/sign.py:sign_descent:lr=0.1' -> ('dir/sign.py', 'sign_descent', {'lr': '0.1'})."""
    path, _, rest = spec.strip().partition(".py:")
    if not rest.strip():
        raise SpecError(f"{spec!r} names a file but no factory: write FILE.py:FACTORY[:key=value,...]")
    factory, settings = split_spec(rest)
    return path + ".py", factory, settings


def load_factory(path: str, name: str) -> tuple[Callable, str]:
    """The factory `name` from the file, and the file's SHA-256 (programs compiled from it are keyed by it)."""
    file = Path(path)
    if not file.is_file():
        raise SpecError(f"optimizer file {path!r} not found")
    source = file.read_bytes()
    module_name = f"losscape_user_{hashlib.sha256(str(file.resolve()).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - the user's file failed: say why in one line
        raise SpecError(f"optimizer file {path!r} failed to load: {_reason(error)}") from None
    sys.modules[module_name] = module
    factory = getattr(module, name, None)
    if not callable(factory):
        names = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")
                 and getattr(v, "__module__", None) == module_name]
        what = "not a function" if factory is not None else "not found"
        hint = did_you_mean(name, names) or (f" (its functions: {', '.join(names)})" if names else "")
        raise SpecError(f"factory {name!r} {what} in {path}{hint}")
    return factory, hashlib.sha256(source).hexdigest()


def keyword_defaults(factory: Callable) -> tuple[dict[str, float | bool | int], bool]:
    """The factory's keyword parameters with number or bool defaults, and whether it takes **kwargs."""
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return {}, True
    defaults = {k: p.default for k, p in parameters.items()
                if isinstance(p.default, (int, float, bool)) and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return defaults, any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def latex_lines(factory: Callable, owner: str) -> tuple[str, ...]:
    """The factory's `latex` attribute as lines, each checked to parse as mathtext."""
    from matplotlib.mathtext import MathTextParser  # only when a user's rule is shown

    latex = getattr(factory, "latex", ())
    lines = (latex,) if isinstance(latex, str) else tuple(latex)
    parser = MathTextParser("path")
    for line in lines:
        if not isinstance(line, str):
            raise SpecError(f"{owner}: latex must be a string or a list of strings")
        try:
            parser.parse(f"${line}$")
        except ValueError as error:
            raise SpecError(f"{owner}: latex {line!r} is not valid mathtext: {_reason(error)}") from None
    return lines


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__
