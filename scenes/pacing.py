"""Pacing: which fractional optimizer step τ to show at animation time u, so that time follows the motion.

Animating τ linearly from 0 to T makes the big early steps flash by and leaves the last seconds showing paths
that no longer visibly move. `pace` gives each step a share of the clip that grows with how far the paths move
in it (compressed, so one huge first step does not eat the clip), and ends the clip at the step after which
nothing visibly moves (the caller holds the last frame for the rest of its time).

NumPy and the standard library only: the render process imports `scenes` modules.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pacing:
    """Animation time -> fractional step: τ(u) for u in [0, 1], spending time where the paths move."""

    steps: np.ndarray  # knots in steps, 0 .. end
    times: np.ndarray  # knots in [0, 1], increasing
    end: float  # the step after which nothing visibly moves (τ(1) == end)

    def tau(self, u):
        """τ(u) = interp(clip(u, 0, 1), times, steps): a float for a scalar u, an array for an array."""
        value = np.interp(np.clip(u, 0.0, 1.0), self.times, self.steps)
        return float(value) if np.ndim(value) == 0 else value


def linear(end: int) -> Pacing:
    """τ(u) = u · end (end = 0: τ ≡ 0)."""
    return Pacing(steps=np.array([0.0, float(end)]), times=np.array([0.0, 1.0]), end=float(end))


def pace(tracks: list[np.ndarray], visible: list[int] | None = None, still: float = 1e-3,
         motion_share: float = 0.7) -> Pacing:
    """τ(u) through knots (Σ_{s<t} w_s / Σ w, t), w_t = (1 − share)/end + share · √m_t / Σ √m, t < end."""
    if not 0.0 <= motion_share <= 1.0:
        raise ValueError(f"motion_share must lie in [0, 1], not {motion_share}")
    if not tracks:
        return linear(0)
    points = [np.asarray(track, dtype=float) for track in tracks]
    count = points[0].shape[0]
    if any(p.shape[0] != count for p in points):
        raise ValueError("every track needs the same number of points (T + 1)")
    last = count - 1  # T
    if last <= 0:
        return linear(0)
    shown = [count] * len(points) if visible is None else [int(min(max(v, 0), count)) for v in visible]
    if len(shown) != len(points):
        raise ValueError("visible needs one length per track")

    # moves[i, t] = |p_i[t+1] − p_i[t]| while both points are drawn, else 0: a path past its visible end (it
    # diverged or left the map) is frozen on screen, whatever its hidden points do.
    moves = np.zeros((len(points), last))
    drawn = []
    for i, (p, n) in enumerate(zip(points, shown)):
        if n >= 2:
            step = np.linalg.norm(np.diff(p[:n], axis=0), axis=1)
            moves[i, : n - 1] = np.where(np.isfinite(step), step, 0.0)
        drawn.append(p[:n][np.all(np.isfinite(p[:n]), axis=1)])

    # The threshold is relative to the picture: `still` × the largest extent (along any axis) of all visible
    # points, so the same `still` means "a fraction of the picture" whatever the landscape's units. With the
    # paths spanning most of a 1080p frame, 1e-3 of it is about a pixel or two.
    visible_points = np.concatenate([d for d in drawn if len(d)]) if any(len(d) for d in drawn) else None
    scale = float(np.max(np.ptp(visible_points, axis=0))) if visible_points is not None else 0.0
    if scale <= 0.0 or not np.any(moves > 0.0):
        return linear(last)  # nothing moves: no motion to follow, so plain linear time over all T steps
    threshold = still * scale

    # end: the first step E after which every path travels less than the threshold *in total* (the summed
    # length of its remaining steps), hence also less than it in every single step. Summing, rather than
    # testing each step alone, keeps a slow steady crawl (many sub-threshold steps that add up to a visible
    # stretch, e.g. a descent along a flat valley) in the clip instead of cutting it and losing that trail.
    remaining = np.cumsum(moves[:, ::-1], axis=1)[:, ::-1]  # remaining[i, t] = Σ_{s ≥ t} moves[i, s]
    going = np.any(remaining >= threshold, axis=0)  # going[t]: some path still travels visibly from step t on
    end = int(np.flatnonzero(going)[-1]) + 1 if going.any() else 1
    end = min(max(end, 1), last)

    # Motion per step: the fastest path sets the pace (the eye follows what moves). g = √m compresses the
    # range: a geometric decay m_t ∝ r^t becomes √r^t, so the early steps get more time than their count
    # but the tail still reads, and a single huge step gets √ of its weight rather than all of it; √ also
    # needs no quantile to tune and stays smooth in m.
    motion = np.sqrt(moves[:, :end].max(axis=0))
    total = motion.sum()
    weights = np.full(end, 1.0 / end)  # the uniform share keeps every step on screen for a moment
    if total > 0.0:  # always, as motion sets end; the guard keeps a division by zero impossible
        weights = (1.0 - motion_share) * weights + motion_share * motion / total
    times = np.concatenate([[0.0], np.cumsum(weights)])
    times /= times[-1]
    times[-1] = 1.0  # exact, despite rounding
    return Pacing(steps=np.arange(end + 1, dtype=float), times=times, end=float(end))


def pace_drawn(drawn: list[np.ndarray], **options) -> Pacing:
    """pace() for paths of different drawn lengths: each padded with its last point to the longest."""
    length = max((len(points) for points in drawn), default=0)
    tracks = [np.vstack([points, np.repeat(points[-1:], length - len(points), axis=0)]) for points in drawn]
    return pace(tracks, [len(points) for points in drawn], **options)
