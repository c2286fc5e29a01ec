"""The explainer chapters: name -> scene and a one-line summary (no ManimGL import here)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    scene: str
    summary: str


CHAPTERS: dict[str, Chapter] = {}
