"""Pacing: animation time follows the paths' motion and stops where nothing visibly moves (plain NumPy)."""

import numpy as np
import pytest

from scenes.pacing import pace

GRID = np.linspace(0.0, 1.0, 2001)


def line(lengths, direction=(1.0, 0.0)):
    """A path from the origin along `direction` whose step t has length lengths[t]."""
    offsets = np.concatenate([[0.0], np.cumsum(lengths)])
    return offsets[:, None] * np.asarray(direction)[None, :]


def stopping(at, total=100, direction=(1.0, 0.0)):
    """A path moving one unit per step until step `at`, then standing still until step `total`."""
    return line(np.where(np.arange(total) < at, 1.0, 0.0), direction)


def geometric(total=100, ratio=0.9):
    """A spiral-ish 2D path whose step lengths shrink by `ratio` each step."""
    angles = 0.3 * np.arange(total)
    lengths = ratio ** np.arange(total)
    moves = lengths[:, None] * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return np.concatenate([np.zeros((1, 2)), np.cumsum(moves, axis=0)])


def time_at(pacing, step):
    """The animation time u at which τ(u) reaches `step` (the knots are increasing, so invert them)."""
    return float(np.interp(step, pacing.steps, pacing.times))


@pytest.mark.parametrize("tracks", [
    [geometric()],
    [stopping(30), stopping(70, direction=(0.0, 1.0))],
    [line(np.linspace(5.0, 0.1, 50)), line(np.ones(50), (0.6, 0.8))],
], ids=["geometric", "two-stops", "slowing"])
def test_tau_runs_from_zero_to_end_without_going_back(tracks):
    pacing = pace(tracks)
    taus = pacing.tau(GRID)
    assert pacing.tau(0.0) == 0.0
    assert pacing.tau(1.0) == pytest.approx(pacing.end)
    assert np.all(np.diff(taus) >= 0.0)
    assert 1 <= pacing.end <= len(tracks[0]) - 1
    assert pacing.tau(-0.5) == 0.0 and pacing.tau(1.5) == pytest.approx(pacing.end)  # clipped to [0, 1]


def test_uniform_motion_is_linear():
    total = 80
    pacing = pace([line(np.full(total, 0.25)), line(np.full(total, 0.25), (0.0, 1.0))])
    assert pacing.end == total
    np.testing.assert_allclose(pacing.tau(GRID), GRID * total, atol=1e-9)


def test_geometric_decay_gives_early_steps_room_but_not_the_whole_clip():
    pacing = pace([geometric()])
    early = 0.2 * pacing.end
    share = time_at(pacing, early)
    assert share > 0.2 + 0.05, f"first 20% of steps get only {share:.2f} of the time"
    assert share < 0.7, f"first 20% of steps eat {share:.2f} of the time"
    # The late steps still get time: the last half of the steps is on screen for a visible while.
    assert 1.0 - time_at(pacing, 0.5 * pacing.end) > 0.1


def test_a_path_that_stops_ends_the_clip_there():
    pacing = pace([stopping(30)])
    assert abs(pacing.end - 30) <= 1
    assert pacing.tau(1.0) == pytest.approx(pacing.end)


def test_the_slowest_path_sets_the_end():
    pacing = pace([stopping(20), stopping(60, direction=(0.0, 1.0))])
    assert abs(pacing.end - 60) <= 1


def test_a_hidden_tail_does_not_keep_the_clip_going():
    # Path 0 "diverges": it flies off for all 100 steps, but only its first 10 points are drawn.
    flying = line(np.geomspace(1.0, 1e12, 100), (0.0, 1.0))
    flying[50:] = np.nan  # what lies past the visible end may be garbage
    tracks = [flying, stopping(40)]
    pacing = pace(tracks, visible=[10, 101])
    assert abs(pacing.end - 40) <= 1
    # Without the visible lengths it would run to the end (and the fly-off would set the scale).
    assert pace([line(np.geomspace(1.0, 1e12, 100), (0.0, 1.0)), stopping(40)]).end > 40


def test_a_short_visible_path_alone_ends_at_its_visible_end():
    pacing = pace([stopping(100)], visible=[10])
    assert abs(pacing.end - 9) <= 1


@pytest.mark.parametrize("tracks", [
    [np.zeros((101, 2))],
    [np.ones((51, 3)), np.full((51, 3), 2.0)],
], ids=["one-still", "two-still-3d"])
def test_no_motion_does_not_crash(tracks):
    pacing = pace(tracks)
    total = len(tracks[0]) - 1
    assert 1 <= pacing.end <= total
    assert np.all(np.isfinite(pacing.tau(GRID)))
    assert np.all(np.diff(pacing.tau(GRID)) >= 0.0)
    assert pacing.tau(1.0) == pytest.approx(pacing.end)


def test_degenerate_lengths():
    assert pace([np.zeros((1, 2))]).tau(0.7) == 0.0  # T = 0: nothing to animate
    one = pace([np.array([[0.0, 0.0], [1.0, 0.0]])])  # T = 1
    assert one.end == 1 and one.tau(0.5) == pytest.approx(0.5)
    assert pace([]).end == 0
    assert pace([stopping(30)], visible=[0]).end >= 1  # nothing drawn: still a sane clip


def test_the_motion_share_moves_time_toward_the_big_steps():
    tracks = [geometric()]
    flat, default, full = (pace(tracks, motion_share=s) for s in (0.0, 0.7, 1.0))
    assert flat.end == default.end == full.end
    np.testing.assert_allclose(flat.tau(GRID), GRID * flat.end, atol=1e-9)
    early = 0.2 * default.end
    assert time_at(flat, early) < time_at(default, early) < time_at(full, early)
    with pytest.raises(ValueError):
        pace(tracks, motion_share=1.5)
