"""How a render job is shared among workers (scenes/segments.py `cut`, `part_range`): every frame of every
scene is rendered by exactly one part, parts are whole segments, and only scenes larger than a share are cut."""

import itertools

import pytest

from scenes.segments import SEGMENT_FRAMES, cut, part_range

HD, SD = 1280 * 720, 854 * 480


def frames_of(task, frames):
    index, part, parts = task
    first, end = part_range(frames[index], part, parts)
    return range(first, min(end, frames[index]))


@pytest.mark.parametrize("frames,pixels", [
    ([360, 180], [HD, SD]),  # the demo: orbiting MP4 and still-camera GIF
    ([60] + [300] * 10, [HD] * 11),  # a lesson: title card and chapters
    ([45, 0, 600, 61], [SD, HD, HD, SD]),  # a still among movies, a scene one frame past a segment
    ([1], [SD]),
])
@pytest.mark.parametrize("workers", [1, 2, 3, 8, 16])
def test_every_frame_is_rendered_once(frames, pixels, workers):
    tasks = cut(frames, pixels, workers)
    assert sorted({t[0] for t in tasks}) == list(range(len(frames)))
    for index, n in enumerate(frames):
        parts = [t for t in tasks if t[0] == index]
        assert sorted(t[1] for t in parts) == list(range(parts[0][2]))
        assert parts[0][2] <= max(-(-n // SEGMENT_FRAMES), 1)  # no part without a segment of its own
        drawn = list(itertools.chain.from_iterable(frames_of(t, frames) for t in parts))
        assert drawn == list(range(n))
        for t in parts[:-1]:  # parts end on a segment's edge, so segments are never shared
            assert len(frames_of(t, frames)) % SEGMENT_FRAMES == 0


def test_one_worker_keeps_every_scene_whole():
    assert cut([360, 180, 600], [HD, SD, HD], 1) == [(2, 0, 1), (0, 0, 1), (1, 0, 1)]


def test_only_scenes_larger_than_a_share_are_cut_and_large_parts_go_first():
    """Two workers on the demo: the 720p MP4 is 81% of the pixels, so it is cut in two and its halves come
    first; the GIF's movie stays whole. Ten equal chapters on two workers are each smaller than a share."""
    assert cut([360, 180], [HD, SD], 2) == [(0, 0, 2), (0, 1, 2), (1, 0, 1)]
    assert all(parts == 1 for _, _, parts in cut([300] * 10, [HD] * 10, 2))
    assert all(parts == 2 for _, _, parts in cut([300] * 10, [HD] * 10, 20))
