"""Where a mobject lands on screen: the pixel box holding every pixel its draw can touch.

Points are placed as ManimGL's vertex shaders place them (shaders/inserts/emit_gl_Position.glsl):
p' = mix(view·p, p, is_fixed_in_frame), xyz' = p'·frame_rescale_factors, w = 1 − z', pixel = (xy'/w + 1)/2 · size.
The box of a 3D set's bounding-box corners holds its perspective projection, since the set lies in their hull.
"""

import numpy as np

AA_PIXELS = 4  # anti-aliased edges (1.5 px in ManimGL) and the fill canvas's filtering, with room to spare
CORNERS = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)])


def reach(mobject, frame_scale: float) -> float:
    """Scene units a draw reaches beyond the points: a stroke's width (joints included) or a dot's radius."""
    names = mobject.data.dtype.names
    if "radius" in names:  # true dots: a square of half side √2·r around each point
        return 1.5 * float(np.max(mobject.data["radius"], initial=0.0))
    if "stroke_width" in names:  # width = 0.01 · stroke_width (shaders/quadratic_bezier/stroke/vert.glsl)
        return 0.015 * float(np.max(mobject.data["stroke_width"], initial=0.0)) * max(frame_scale, 1.0)
    return 0.0


def pixel_box(points: np.ndarray, margin: float, fixed: float, view: np.ndarray, rescale: np.ndarray,
              size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) in pixels, clamped to the frame, of the points grown by `margin` scene units and
    AA_PIXELS; None when part of them is at or behind the camera (then the whole frame may be touched)."""
    if not len(points):
        return (0, 0, 0, 0)
    box = pixel_boxes(np.array([[points.min(axis=0), points.max(axis=0)]]), np.array([margin]), np.array([fixed]),
                      view, rescale, size)[0]
    return None if box[0] < 0 else tuple(int(v) for v in box)


def pixel_boxes(extents: np.ndarray, margins: np.ndarray, fixed: np.ndarray, view: np.ndarray, rescale: np.ndarray,
                size: tuple[int, int]) -> np.ndarray:
    """pixel_box of many point sets at once, each given by its extent (lo, hi): an (n, 4) int array, with a row
    of −1 where the set reaches the camera (pixel_box's None)."""
    lo, hi = extents[:, 0] - margins[:, None], extents[:, 1] + margins[:, None]
    corners = lo[:, None] + CORNERS * (hi - lo)[:, None]  # (n, 8, 3)
    f = fixed[:, None, None]
    placed = np.where(f == 1.0, corners, (1 - f) * (corners @ view[:3, :3].T + view[:3, 3]) + f * corners)
    xyz = placed * rescale
    w = 1.0 - xyz[..., 2]
    behind = ~np.all(w > 1e-6, axis=1)
    ndc = xyz[..., :2] / np.where(w > 1e-6, w, 1.0)[..., None]
    scale = np.asarray(size, dtype=float) / 2
    low = np.floor((ndc.min(axis=1) + 1) * scale) - AA_PIXELS
    high = np.ceil((ndc.max(axis=1) + 1) * scale) + AA_PIXELS
    boxes = np.concatenate([np.maximum(low, 0), np.minimum(high, size)], axis=1).astype(int)
    boxes[behind] = -1
    return boxes


def view_matrix(values) -> np.ndarray:
    """The 4×4 view matrix from its uniform (the transpose, flattened: OpenGL's column-major order)."""
    return np.asarray(values, dtype=float).reshape(4, 4).T
