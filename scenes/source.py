"""Which Runs a scene draws: those the render job names, or, the ManimGL way, those named by the environment.

    python render.py --no-render --trajectory-out race.npz && LOSSCAPE_RUN=race.npz manimgl scenes/race.py RaceScene -w
    python render.py explainer adam --save-runs runs && LOSSCAPE_RUNS=runs/runs.json manimgl scenes/explainer.py AdamChapter -w
"""

import json
import os
from pathlib import Path

from optimizers.run import Run

RUN_VARIABLE, RUNS_VARIABLE = "LOSSCAPE_RUN", "LOSSCAPE_RUNS"


class MissingRun(SystemExit):
    """No Run was named: a one-line message saying how to make one (ManimGL prints it and stops)."""


def race_run(path: str | None) -> Run:
    """The Run at `path`, else at $LOSSCAPE_RUN."""
    path = path or os.environ.get(RUN_VARIABLE)
    if not path:
        raise MissingRun(f"no Run to draw: set {RUN_VARIABLE}=FILE.npz, made by "
                         "`python render.py --no-render --trajectory-out FILE.npz`")
    return Run.load(path)


def chapter_runs(chapter: str, paths: dict[str, str] | None) -> dict[str, Run]:
    """The chapter's Runs by key: from `paths`, else from the runs.json index at $LOSSCAPE_RUNS."""
    if not paths:
        index = os.environ.get(RUNS_VARIABLE)
        if not index:
            raise MissingRun(f"no Runs for chapter '{chapter}': set {RUNS_VARIABLE}=FOLDER/runs.json, made by "
                             f"`python render.py explainer {chapter} --save-runs FOLDER`")
        # paths in the index are relative to its folder (an absolute path stays as it is)
        paths = {key: str(Path(index).parent / path) for key, path in json.loads(Path(index).read_text())[chapter].items()}
    return {key: Run.load(path) for key, path in paths.items()}
