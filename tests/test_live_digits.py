"""Live numbers keep every digit on the baseline and in its slot, whatever text was made before them.

ManimGL's Text once drew DejaVu Sans "2" at 15 pt with a control point far outside the glyph (its simple
cubic-to-quadratic approximation), so LiveNumber aligned the "2" by a wrong bounding box: "0. ²615". ManimGL
runs in a child process: this test process never imports manimlib.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import scenes.headless  # noqa: F401
from scenes.chapters import CHAPTERS
from scenes.elements import LiveNumber, label
from scenes.glyphs import GLYPH_KEY

def earlier_text():  # what the chapters before a legend have made: titles, captions, panel titles (x², ½(x² + 10y²))
    for ch in CHAPTERS.values():
        label(ch.title, 24, weight="BOLD"); label(ch.summary, 20)
        for beat in ch.beats:
            label(beat.caption, 20)
            for panel in beat.panels:
                if panel.title:
                    for size in (15, 16, 17):
                        label(panel.title, size)
    for text in GLYPH_KEY.values():
        label(text, 14)

if sys.argv[2] == "text-first":
    earlier_text()
out = {}
for size in [float(s) for s in range(10, 61)] + [13.5]:
    rows = []
    for value in (0.2615, -0.2517, 0.3489, 0.7012):
        n = LiveNumber(value, decimals=4, size=size)
        base = n.get_bottom()[1]
        rows.append([(c, *np.round([s.get_left()[0], s.get_right()[0], s.get_bottom()[1] - base,
                                     s.get_height()], 5).tolist()) for c, s in zip(n.text, n.submobjects)])
        n.set_value(value / 2)  # the in-place path (same slots, swapped outlines) as well as the first layout
        rows.append([(c, *np.round([s.get_left()[0], s.get_right()[0], s.get_bottom()[1] - base,
                                     s.get_height()], 5).tolist()) for c, s in zip(n.text, n.submobjects)])
    out[str(size)] = dict(rows=rows, zero=float(label("0", size).get_height()))
if sys.argv[2] == "numbers-first":
    earlier_text()
json.dump(out, sys.stdout)
"""


def layouts(order: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), order], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def text_first():
    return layouts("text-first")


def test_every_digit_sits_on_the_baseline_at_digit_height(text_first):
    for size, data in text_first.items():
        zero = data["zero"]
        for row in data["rows"]:
            for char, left, right, bottom, height in row:
                if not char.isdigit():
                    continue
                where = f"{char!r} in {''.join(r[0] for r in row)} at {size} pt"
                assert abs(bottom) < 0.03 * zero, f"{where} is off the baseline by {bottom / zero:.0%} of a digit"
                assert 0.9 * zero < height < 1.05 * zero, f"{where} is {height / zero:.2f} digits tall"


def test_slots_do_not_overlap(text_first):
    for size, data in text_first.items():
        for row in data["rows"]:
            for (a, _, a_right, *_), (b, b_left, *_) in zip(row, row[1:]):
                assert a_right <= b_left + 1e-4, f"{a!r} overlaps {b!r} at {size} pt"


def test_layout_does_not_depend_on_what_was_made_before(text_first):
    assert layouts("numbers-first") == text_first
