"""Mathtext (the on-screen LaTeX subset) as readable plain text for the terminal: x², e^(−2x²), Σᵢ, √x, a/b."""

import re

SUPERSCRIPTS = dict(zip("0123456789+−=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ"))
SUBSCRIPTS = dict(zip("0123456789+−=()aeijknox", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₙₒₓ"))
SYMBOLS = {"sum": "Σ", "pi": "π", "cdot": "·", "times": "×", "hat": "", "left": "", "right": "", "mid": " | ",
           "theta": "θ"}
SPACES = {",": " ", ";": " ", ":": " ", " ": " ", "!": "", "quad": " "}
FUNCTIONS = {"sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "ln", "log", "exp"}
FRACTIONS = {("1", "2"): "½", ("1", "3"): "⅓", ("1", "4"): "¼"}
COMMAND = re.compile(r"\\([A-Za-z]+|.)")
ATOM = re.compile(r"^[\w.⁰¹²³⁴⁵⁶⁷⁸⁹ⁱⁿ₀-₉ᵢⱼₖₙₐₑₒₓπ|√]+$")


def argument(tex: str, i: int) -> tuple[str, int]:
    """The `{...}` group, command or character starting at i (spaces skipped): (its text, index after it)."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i >= len(tex):
        return "", i
    if tex[i] == "{":
        depth = 0
        for j in range(i, len(tex)):
            depth += {"{": 1, "}": -1}.get(tex[j], 0)
            if depth == 0:
                return tex[i + 1: j], j + 1
        return tex[i + 1:], len(tex)
    command = COMMAND.match(tex, i)
    if command:
        return command.group(0), command.end()
    return tex[i], i + 1


def wrap(text: str) -> str:
    """Parentheses unless the text is one atom (x², 0.075y², |y|)."""
    return text if ATOM.match(text) else f"({text})"


def script(text: str, table: dict[str, str], mark: str) -> str:
    """Super- or subscript characters where Unicode has them all, else ^(...) / _(...)."""
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}{wrap(text)}"


def plain(tex: str) -> str:
    """The formula as plain text: no backslashes, no braces."""
    out, i = [], 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            match = COMMAND.match(tex, i)
            name, i = match.group(1), match.end()
            if name.isalpha():  # a space after a command name only ends the name
                while i < len(tex) and tex[i] == " ":
                    i += 1
            if name == "frac":
                top, i = argument(tex, i)
                bottom, i = argument(tex, i)
                fraction = FRACTIONS.get((top, bottom)) or f"{wrap(plain(top))}/{wrap(plain(bottom))}"
                # 1/N Σ reads as 1/(N Σ): a fraction that multiplies what follows is bracketed
                followed = i < len(tex) and tex[i] not in " +-=)]}"
                out.append(f"({fraction})" if followed and len(fraction) > 1 else fraction)
            elif name == "sqrt":
                inner, i = argument(tex, i)
                out.append("√" + wrap(plain(inner)))
            elif name in SPACES:
                out.append(SPACES[name])
            elif name in FUNCTIONS:
                space = " " if out and out[-1][-1:].isalnum() else ""
                out.append(f"{space}{name}" + ("" if tex[i:i + 1] in ("(", "") else " "))
            else:
                out.append(SYMBOLS.get(name, name))
        elif c in "^_":
            inner, i = argument(tex, i + 1)
            out.append(script(plain(inner), SUPERSCRIPTS if c == "^" else SUBSCRIPTS, c))
        elif c == "{":
            inner, i = argument(tex, i)
            out.append(plain(inner))
        else:
            out.append("−" if c == "-" else c)
            i += 1
    return re.sub(r" {2,}", " ", "".join(out))
