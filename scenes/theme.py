"""Colour themes: the dark screen look (default) and a light one for slides on white; one is chosen per render.

Plain data and NumPy-free, so the CLI can list and validate theme names without importing ManimGL. The render
process calls `use(name)` before it builds a scene; drawing code reads `current()` when it draws, never at
import. Optimizer colours live in the registry, tuned for the dark theme; a theme maps each to its own
counterpart (`Theme.path_color`), so the registry stays the one place that names an optimizer's colour.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Theme:
    """What a scene's colours are: ground, text, outlines, the surface's colormap range, and path colours."""

    name: str
    background: str
    text: str  # titles, captions, formulas, legend numbers
    dim_text: str  # ticks, axis names, 'step k / T'
    outline: str  # a thin casing under every path, so it reads on light and dark ground alike
    halo: str  # behind labels that ride on the picture (name tags, minima): the ground's own tone
    end: str  # where a path stops: neutral, so it is nobody's path colour
    diverged: str  # only a path whose loss blew up is called out in red
    colormap: str  # the surface's and the contour map's, low to high
    color_range: tuple[float, float]  # sub-range of the colormap used for heights 0 → 1
    mesh: str  # level lines drawn over the surface and the map
    mesh_opacity: float
    minimum_colors: dict[str, str]  # marker colour by kind: global, local, saddle
    glyph_colors: dict[str, str]  # −gradient, −velocity and look-ahead arrows
    pending: str  # a basin-map start whose path has not settled yet
    path_colors: dict[str, str] = field(default_factory=dict)  # registry colour -> this theme's (absent: as is)

    def path_color(self, color: str) -> str:
        """The theme's counterpart of an optimizer's registry colour ('#RRGGBB', any case)."""
        return self.path_colors.get(color.upper(), color)


DARK = Theme(
    name="dark", background="#14161A", text="#E8E8E8", dim_text="#B4BAC2", outline="#0B0C0F", halo="#0B0C0F",
    end="#D9D9D9",
    diverged="#FF6B6B",
    colormap="bone", color_range=(0.18, 0.60),  # L* ≈ 18 (visible on the background) to 63 (well below white)
    mesh="#FFFFFF", mesh_opacity=0.28,
    minimum_colors={"global": "#FFD54F", "local": "#B0BEC5", "saddle": "#FFAB40"},
    glyph_colors={"grad": "#FFEB3B", "moment": "#18FFFF", "lookahead": "#FFFFFF"},
    pending="#24282E",
)

# On white: the registry's bright colours darkened to ≥ 3:1 contrast with the ground, kept ≥ 20 ΔE apart and
# ≥ 25 ΔE from every surface colour (tests/test_palette.py); the surface spans L* ≈ 29 to 78, clear of white.
LIGHT = Theme(
    name="light", background="#FFFFFF", text="#1B1D22", dim_text="#4A5059", outline="#1B1D22", halo="#FFFFFF",
    end="#3A3A3A",
    diverged="#C62828",
    colormap="bone", color_range=(0.30, 0.75),
    mesh="#000000", mesh_opacity=0.22,
    minimum_colors={"global": "#B8860B", "local": "#455A64", "saddle": "#E65100"},
    glyph_colors={"grad": "#B8860B", "moment": "#00838F", "lookahead": "#000000"},
    pending="#E6E8EC",
    path_colors={
        "#FF5252": "#B71C1C",  # gd, sgd
        "#FF9F1C": "#D46A00",  # momentum
        "#FF77C8": "#C2185B",  # nesterov
        "#B39DFF": "#6A4CC9",  # adagrad
        "#B2FF59": "#4C8A00",  # adadelta
        "#40C4FF": "#0277BD",  # rmsprop
        "#FFFFFF": "#000000",  # adam
        "#448AFF": "#283593",  # adamw
        "#FFE082": "#8D6E00",  # nadam
        "#EA80FC": "#9C27B0",  # amsgrad
        "#FF8A80": "#795548",  # adabelief
        "#69F0AE": "#2E7D32",  # lion
        "#A7FFEB": "#00796B",  # any other optax alias
    },
)

THEMES: dict[str, Theme] = {"dark": DARK, "light": LIGHT}

_chosen = {"theme": DARK}  # the theme scenes draw with; set once per scene by the render process


def use(name: str) -> Theme:
    """Make THEMES[name] the theme that every scene built from now on draws with."""
    _chosen["theme"] = THEMES[name]
    return _chosen["theme"]


def current() -> Theme:
    """The theme chosen for this render (dark unless `use` said otherwise)."""
    return _chosen["theme"]
