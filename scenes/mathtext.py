"""Formulas without LaTeX: matplotlib mathtext -> SVG (glyphs as paths) -> SVGMobject; real LaTeX if installed."""

import hashlib
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import rcParams  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.mathtext import MathTextParser  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

from files.cache import cached_file  # noqa: E402

from .headless import manimlib  # noqa: E402,F401
from manimlib import SVGMobject, Tex, VMobject  # noqa: E402

rcParams["mathtext.fontset"] = "cm"  # Computer Modern: the look of the papers
rcParams["svg.fonttype"] = "path"  # glyphs as outlines, so SVGMobject needs no fonts
HAS_LATEX = shutil.which("latex") is not None and shutil.which("dvisvgm") is not None
_PARSER = MathTextParser("path")


def mathtext_svg(formula: str) -> Path:
    """The formula rendered by matplotlib mathtext to a transparent SVG file (cached by content)."""
    def write(f) -> None:
        fig = Figure()
        fig.text(0, 0, f"${formula}$", fontproperties=FontProperties(size=24))
        # Transparent: no background patch for set_color to paint over.
        fig.savefig(f, format="svg", transparent=True, bbox_inches="tight", pad_inches=0.02)

    return cached_file("mathtext", hashlib.sha1(formula.encode()).hexdigest()[:16] + ".svg", write)


def _extent(tex: str) -> float:
    """Height (ascent + descent) of the typeset formula, in points."""
    parsed = _PARSER.parse(f"${tex}$", dpi=72, prop=FontProperties(size=24))
    return parsed.height + parsed.depth if hasattr(parsed, "depth") else parsed.height


def single_outline(mob: VMobject) -> VMobject:
    """All glyph outlines of a text or formula as one VMobject (same pixels).

    ManimGL gathers every submobject's data each frame: a line of text as one mobject instead of one per
    glyph saves most of that per-frame cost.
    """
    flat = VMobject()
    for part in mob.family_members_with_points():
        flat.append_vectorized_mobject(part)
    return flat.set_fill(mob.get_fill_color(), 1).set_stroke(width=0)


def _svg(tex: str) -> VMobject:
    mob = SVGMobject(str(mathtext_svg(tex)))
    # Drop the invisible page rectangle; keep the glyphs.
    mob.set_submobjects([m for m in mob.submobjects if m.get_fill_opacity() > 0 or m.get_stroke_width() > 0])
    return single_outline(mob)


def formula(tex: str, size: float = 0.12, color: str = "#FFFFFF", use_latex: bool = HAS_LATEX) -> VMobject:
    """A formula mobject whose plain line of math is `size` units tall; mathtext unless a LaTeX install is present."""
    if use_latex:
        mob = Tex(tex)
        mob.scale(size / Tex("x").get_height())
    else:
        mob = _svg(tex)
        mob.set_height(size * _extent(tex) / _extent("x"))
    mob.set_color(color)  # set_color, not set_fill: the SVG's transparent patch must stay transparent
    return mob
