"""Lines of text break at spaces outside brackets, so a formula in a title stays whole (no ManimGL here)."""

import pytest

from scenes.text_breaks import greedy_lines, phrases


@pytest.mark.parametrize("text,expected", [
    ("½((x − 2)² + 25(y − 2)²), λ = 0.5", ["½((x − 2)² + 25(y − 2)²),", "λ", "=", "0.5"]),
    ("GD on a bowl", ["GD", "on", "a", "bowl"]),
    ("f(x, y) and g(x)", ["f(x, y)", "and", "g(x)"]),
    ("an unclosed (bracket runs on", ["an", "unclosed", "(bracket runs on"]),
    ("closed) too early", ["closed)", "too", "early"]),
])
def test_phrases_keep_what_brackets_hold_together(text, expected):
    assert phrases(text) == expected
    assert " ".join(phrases(text)) == text


def test_a_formula_is_not_broken_when_it_fits_a_line_of_its_own():
    text = "½((x − 2)² + 25(y − 2)²), λ = 0.5"
    lines = greedy_lines(text, lambda line: len(line) <= 26)
    assert lines == ["½((x − 2)² + 25(y − 2)²),", "λ = 0.5"]


def test_a_phrase_too_wide_alone_breaks_at_its_own_spaces():
    text = "½((x − 2)² + 25(y − 2)²), λ = 0.5"
    lines = greedy_lines(text, lambda line: len(line) <= 12)
    assert all(len(line) <= 12 for line in lines) and " ".join(lines) == text
