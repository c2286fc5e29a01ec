"""The race's views, by CLI name: which scene class draws each, what it shows, whether its camera orbits.

Plain data, so the CLI can list and validate views without importing ManimGL. Adding a view is a scene class
in `scenes/race.py` and one entry here.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class View:
    scene: str  # class name in scenes/race.py
    summary: str
    orbits: bool  # a turning camera: GIFs are rendered again with it held still (GIF cannot compress motion)


VIEWS: dict[str, View] = {
    "3d": View("RaceScene", "the surface in 3D with the paths racing down it", orbits=True),
    "contour": View("ContourScene", "top-down filled contours with the paths (the classic 2D view)", orbits=False),
    "split": View("SplitScene", "the 3D race beside loss-vs-step curves growing in sync", orbits=True),
}

# The studies' scenes (scenes/studies.py), by the name the CLI's render job gives them.
STUDY_SCENES = ("basins", "sweep", "fan")
