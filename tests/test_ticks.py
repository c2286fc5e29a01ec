"""A chart's linear axis is marked at round numbers, labelled with as few digits as they need (no ManimGL here)."""

import math

import numpy as np
import pytest

from scenes.ticks import decade_text, decade_ticks, nice_ticks, padded_range, tick_text

NICE = (1, 2, 2.5, 5)  # a tick spacing is one of these × 10^k
RANGES = [  # (lo, hi) an axis can span: rates, losses on both sides of 0, tiny, large, narrow and flat data
    padded_range(np.array([0.0, 0.15])), padded_range(np.array([-0.679, 0.17])), (0.3, 2.4), (1e-5, 3e-5),
    (120.0, 1400.0), (0.2, 0.21), (-0.004, 0.004), padded_range(np.array([0.5, 0.5])), (-3.7, -1.1),
]


def spacing_is_nice(step: float) -> bool:
    """step = m × 10^k for m in NICE."""
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m, rel_tol=1e-9) for m in NICE)


@pytest.mark.parametrize("lo,hi", RANGES)
def test_ticks_are_round_numbers_inside_the_axis(lo, hi):
    ticks = nice_ticks(lo, hi)
    assert 2 <= len(ticks) <= 6
    assert all(lo <= t <= hi for t in ticks)
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0], rtol=1e-9) and spacing_is_nice(steps[0]), ticks
    assert all(math.isclose(t / steps[0], round(t / steps[0]), abs_tol=1e-9) for t in ticks), ticks


@pytest.mark.parametrize("lo,hi", RANGES)
def test_tick_labels_use_as_few_digits_as_they_need(lo, hi):
    for value in nice_ticks(lo, hi):
        text = tick_text(value)
        assert float(text.replace("−", "-")) == pytest.approx(value, rel=1e-12, abs=1e-15)
        mantissa = text.replace("−", "").split("e")[0]
        assert not (("." in mantissa and mantissa.endswith("0")) or mantissa.endswith(".")), text
        assert "-" not in text and text != "−0"


@pytest.mark.parametrize("lo,hi,expected", [
    (*padded_range(np.array([0.0, 0.15])), ["0", "0.05", "0.1", "0.15"]),  # the schedules chapter's η(t) axis
    (-0.72, 0.05, ["−0.6", "−0.4", "−0.2", "0"]),
    (0.3, 2.4, ["0.5", "1", "1.5", "2"]),
])
def test_ticks_read_as_a_person_would_mark_the_axis(lo, hi, expected):
    assert [tick_text(t) for t in nice_ticks(lo, hi)] == expected


def test_the_schedules_chart_ticks_its_rates_roundly():
    """The η(t) chart of the schedules chapter (its rates as the engine records them) gets round ticks, 0 among
    them: the old evenly split axis showed 0.103 and 0.0475."""
    from cli.compute import compute
    from scenes.chapters import CHAPTERS

    run = compute(CHAPTERS["schedules"].runs["schedules"])
    rates = np.concatenate([np.asarray(o.learning_rates) for o in run.meta.optimizers])
    ticks = nice_ticks(*padded_range(rates))
    assert 0.0 in ticks and all(len(tick_text(t)) <= 4 for t in ticks), ticks


LOG_RANGES = [(-28.5, 3.3), (-2.2, 1.1), (-0.3, 2.2), (-6.1, 0.4), (-300.0, 10.0), (0.5, 1.7), (-1.2, 0.3), (-9.0, 9.0)]


@pytest.mark.parametrize("lo,hi", LOG_RANGES)
def test_a_log_axis_marks_evenly_spaced_whole_decades_and_no_more_than_six(lo, hi):
    """Every decade inside the axis where that is at most six; else every 2nd, 5th, 10th, ... (Himmelblau's losses
    fall through 31 decades: one label per decade piled up)."""
    ticks = decade_ticks(lo, hi)
    assert 1 <= len(ticks) <= 6 and all(isinstance(k, int) and lo <= k <= hi for k in ticks), ticks
    steps = set(np.diff(ticks).tolist())
    assert len(steps) <= 1 and steps <= {1, 2, 5, 10, 20, 50, 100}, ticks
    if hi - lo <= 5:
        assert ticks == list(range(math.ceil(lo), math.floor(hi) + 1))
    assert [decade_text(k) for k in ticks[:1]] == [f"1e{ticks[0]}".replace("-", "−")]
