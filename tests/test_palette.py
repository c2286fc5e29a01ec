"""The optimizer colours, in every theme: distinct from each other, from the surface colormap, from the ground
and under deuteranopia; the surface and the text stand out from the ground."""

from itertools import combinations

import numpy as np
import pytest
from matplotlib import colormaps

from cli.config import DEFAULT_OPTIMIZERS
from optimizers.registry import OPTIMIZERS, lookup
from scenes.theme import THEMES

MIN_PAIR_DELTA = 20  # ΔE76 between any two optimizer colours
MIN_SURFACE_DELTA = 25  # ΔE76 between an optimizer colour and any colour of the surface
MIN_DEUTAN_DELTA = 20  # ΔE76 between two default colours as a deuteranope sees them
MIN_LOW_LIGHTNESS = 15  # L* of the dark theme's lowest surface colour, so it stands out from its #14161A ground
MIN_SURFACE_BACKGROUND = 9  # ΔE76 between the ground and every colour the surface can take
MIN_PATH_CONTRAST = 3.0  # WCAG contrast ratio of a path colour against the ground (graphics, bold labels)
MIN_TEXT_CONTRAST = 7.0  # WCAG contrast ratio of the text colours against the ground (AAA)
SAME_OPTIMIZER = {frozenset({"gd", "sgd"})}  # one optimizer under two names: these pairs may share a colour

ALIAS = "optax:<alias>"
PALETTE = {name: info.color for name, info in OPTIMIZERS.items()} | {ALIAS: lookup("optax:yogi").color}
PAIRS = [(a, b) for a, b in combinations(PALETTE, 2) if frozenset({a, b}) not in SAME_OPTIMIZER]
DEFAULT_PAIRS = list(combinations(DEFAULT_OPTIMIZERS, 2))
THEME_NAMES = list(THEMES)


def colour(theme: str, name: str) -> str:
    """The optimizer's colour as the theme draws it."""
    return THEMES[theme].path_color(PALETTE[name])
SHARED_PAIRS = sorted(tuple(sorted(pair)) for pair in SAME_OPTIMIZER)

# sRGB (linear) -> XYZ, D65 white.
RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                       [0.2126729, 0.7151522, 0.0721750],
                       [0.0193339, 0.1191920, 0.9503041]])
D65 = RGB_TO_XYZ.sum(axis=1)
# Machado, Oliveira & Fernandes (2009), deuteranomaly at severity 1.0, on linear RGB.
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968],
                         [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])


def srgb(hex_color: str) -> np.ndarray:
    """'#RRGGBB' -> sRGB in [0, 1]."""
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]) / 255


def linear(rgb) -> np.ndarray:
    """sRGB -> linear RGB (the sRGB transfer function undone)."""
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def lab_of_linear(rgb) -> np.ndarray:
    """Linear RGB -> CIELAB (D65)."""
    t = (np.asarray(rgb) @ RGB_TO_XYZ.T) / D65
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def lab(rgb) -> np.ndarray:
    """sRGB -> CIELAB (D65)."""
    return lab_of_linear(linear(rgb))


def deuteranope_lab(rgb) -> np.ndarray:
    """CIELAB of an sRGB colour as simulated for deuteranopia."""
    return lab_of_linear(np.clip(linear(rgb) @ DEUTERANOPIA.T, 0, 1))


def delta_e(a, b) -> np.ndarray:
    """CIE76 colour difference."""
    return np.linalg.norm(np.asarray(a) - np.asarray(b), axis=-1)


def surface_lab(theme: str) -> np.ndarray:
    """CIELAB of the theme's surface colormap over the range the stage uses, low to high."""
    lo, hi = THEMES[theme].color_range
    return lab(colormaps[THEMES[theme].colormap](lo + (hi - lo) * np.linspace(0, 1, 256))[:, :3])


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio (L₁ + 0.05) / (L₂ + 0.05) of two colours, L the relative luminance."""
    lighter, darker = sorted((float(linear(srgb(c)) @ RGB_TO_XYZ[1]) for c in (a, b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_lab_conversion_matches_reference_values():
    """The conversion gives the textbook CIELAB of white, red and mid grey."""
    np.testing.assert_allclose(lab(srgb("#FFFFFF")), [100, 0, 0], atol=0.01)
    np.testing.assert_allclose(lab(srgb("#FF0000")), [53.24, 80.09, 67.20], atol=0.02)
    np.testing.assert_allclose(lab(srgb("#808080")), [53.59, 0, 0], atol=0.02)


def test_deuteranopia_keeps_greys_and_merges_red_with_green():
    """The simulation leaves neutrals alone and brings red and green much closer."""
    np.testing.assert_allclose(deuteranope_lab(srgb("#808080")), lab(srgb("#808080")), atol=0.05)
    red, green = srgb("#FF0000"), srgb("#00B000")
    assert delta_e(deuteranope_lab(red), deuteranope_lab(green)) < 0.5 * delta_e(lab(red), lab(green))


def test_alias_colour_is_fixed():
    """Every optax alias gets the same colour, so one entry stands for all of them."""
    assert lookup("optax:yogi").color == lookup("optax:adabelief").color == PALETTE[ALIAS]


@pytest.mark.parametrize("a,b", SHARED_PAIRS, ids=[f"{a}-{b}" for a, b in SHARED_PAIRS])
def test_shared_colours_are_one_optimizer(a, b):
    """Names that may share a colour build the same optax transformation."""
    assert OPTIMIZERS[a].factory is OPTIMIZERS[b].factory


@pytest.mark.parametrize("theme", THEME_NAMES)
@pytest.mark.parametrize("a,b", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_colours_are_pairwise_distinct(theme, a, b):
    """Any two optimizer colours are at least MIN_PAIR_DELTA apart."""
    d = delta_e(lab(srgb(colour(theme, a))), lab(srgb(colour(theme, b))))
    assert d >= MIN_PAIR_DELTA, f"{theme}: {a} {colour(theme, a)} vs {b} {colour(theme, b)}: ΔE {d:.1f}"


@pytest.mark.parametrize("theme", THEME_NAMES)
@pytest.mark.parametrize("name", PALETTE)
def test_colour_stands_apart_from_the_surface(theme, name):
    """Each optimizer colour is at least MIN_SURFACE_DELTA from every colour the surface can take."""
    d = delta_e(surface_lab(theme), lab(srgb(colour(theme, name))))
    t = np.linspace(0, 1, 256)[np.argmin(d)]
    assert d.min() >= MIN_SURFACE_DELTA, f"{theme}: {name} {colour(theme, name)}: ΔE {d.min():.1f} at height {t:.2f}"


@pytest.mark.parametrize("theme", THEME_NAMES)
@pytest.mark.parametrize("name", PALETTE)
def test_colour_contrasts_with_the_ground(theme, name):
    """Each optimizer colour has at least MIN_PATH_CONTRAST against the theme's background (Adam's white on white
    would not)."""
    ratio = contrast(colour(theme, name), THEMES[theme].background)
    assert ratio >= MIN_PATH_CONTRAST, f"{theme}: {name} {colour(theme, name)}: contrast {ratio:.2f}"


@pytest.mark.parametrize("theme", THEME_NAMES)
@pytest.mark.parametrize("a,b", DEFAULT_PAIRS, ids=[f"{a}-{b}" for a, b in DEFAULT_PAIRS])
def test_default_colours_survive_deuteranopia(theme, a, b):
    """The default optimizers stay MIN_DEUTAN_DELTA apart for a deuteranope."""
    d = delta_e(deuteranope_lab(srgb(colour(theme, a))), deuteranope_lab(srgb(colour(theme, b))))
    assert d >= MIN_DEUTAN_DELTA, f"{theme}: {a} {colour(theme, a)} vs {b} {colour(theme, b)}: ΔE {d:.1f}"


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_surface_is_dark_low_and_light_high(theme):
    """The surface's L* never falls with height, rises substantially, and no height merges with the ground."""
    surface = surface_lab(theme)
    lightness = surface[:, 0]
    assert (np.diff(lightness) >= 0).all()
    assert lightness[-1] - lightness[0] >= 40
    assert delta_e(surface, lab(srgb(THEMES[theme].background))).min() >= MIN_SURFACE_BACKGROUND


def test_dark_surface_starts_visible_on_its_ground():
    assert surface_lab("dark")[0, 0] >= MIN_LOW_LIGHTNESS


@pytest.mark.parametrize("theme", THEME_NAMES)
@pytest.mark.parametrize("role", ["text", "dim_text"])
def test_text_contrasts_with_the_ground(theme, role):
    """Titles, captions, formulas and the dim text (ticks, counters) reach MIN_TEXT_CONTRAST on the ground."""
    t = THEMES[theme]
    assert contrast(getattr(t, role), t.background) >= MIN_TEXT_CONTRAST


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_theme_colours_contrast_with_the_ground(theme):
    """End marks, the divergence red, minima markers and glyph arrows stand out from the ground (≥ 3:1)."""
    t = THEMES[theme]
    for name, value in {"end": t.end, "diverged": t.diverged, **t.minimum_colors, **t.glyph_colors}.items():
        assert contrast(value, t.background) >= MIN_PATH_CONTRAST, f"{theme}: {name} {value}"
