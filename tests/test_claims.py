"""Every caption and the README's story of the default race hold in the numbers they are drawn from."""

import re
from pathlib import Path

import numpy as np
import pytest

from cli.compute import compute
from cli.config import DEFAULT_OPTIMIZERS, DEFAULT_RACE_CLAIM, DEFAULT_SURFACE
from optimizers.run import RunSpec
from scenes.chapters import CHAPTERS

ROOT = Path(__file__).resolve().parent.parent
BEATS = [(name, i) for name, chapter in CHAPTERS.items() for i in range(len(chapter.beats))]
KEYED = [(name, i, j) for name, i in BEATS for j, panel in enumerate(CHAPTERS[name].beats[i].panels) if panel.endings]
KEY_LINES = [(name, i, j, k) for name, i, j in KEYED for k in range(len(CHAPTERS[name].beats[i].panels[j].endings))]


@pytest.fixture(scope="module")
def runs() -> dict:
    """Each chapter's Runs, computed as `render.py explainer` computes them."""
    return {name: {key: compute(spec) for key, spec in chapter.runs.items()} for name, chapter in CHAPTERS.items()}


@pytest.mark.parametrize("name,beat", BEATS)
def test_every_caption_holds_in_its_runs(name, beat, runs):
    claim = CHAPTERS[name].beats[beat].claim
    assert claim.check(runs[name]), f"{name}: the caption '{claim.text}' is false for its runs"


@pytest.mark.parametrize("name,beat", BEATS)
def test_every_caption_fits_one_line(name, beat):
    assert len(CHAPTERS[name].beats[beat].caption) <= 62  # readable at 640 px, in one line


@pytest.mark.parametrize("name,beat,panel,line", KEY_LINES)
def test_every_key_line_holds_in_its_runs(name, beat, panel, line, runs):
    """A panel's key ('9 end in the deep hole') is a claim too."""
    claim = CHAPTERS[name].beats[beat].panels[panel].endings[line].claim
    assert claim.check(runs[name]), f"{name}: the key's '{claim.text}' is false for its runs"


@pytest.mark.parametrize("name,beat,panel", KEYED)
def test_a_key_names_every_drawn_path_once(name, beat, panel, runs):
    """Each path of a keyed panel is in exactly one of its endings: none is drawn in a colour the key leaves out."""
    shown = CHAPTERS[name].beats[beat].panels[panel]
    run = runs[name][shown.run]
    counts = sum(ending.members(run).astype(int) for ending in shown.endings)
    indices = shown.paths or list(np.ndindex(counts.shape))
    assert [int(counts[i]) for i in indices] == [1] * len(indices)


def test_the_default_race_tells_the_story_the_readme_tells():
    run = compute(RunSpec(DEFAULT_SURFACE, DEFAULT_OPTIMIZERS))
    assert DEFAULT_RACE_CLAIM.check({"race": run})
    readme = re.sub(r"\s+", " ", (ROOT / "README.md").read_text())
    assert DEFAULT_RACE_CLAIM.text in readme


def test_the_stories_are_false_from_the_old_start():
    """The predicates can fail: from (−0.6, 1.8) momentum never comes near the shallow hole."""
    start = ((-0.6, 1.8),)
    assert not CHAPTERS["momentum"].beats[0].claim.check(
        {"holes": compute(RunSpec("two-holes", ("gd", "momentum"), start, 120))})
    assert not DEFAULT_RACE_CLAIM.check({"race": compute(RunSpec(DEFAULT_SURFACE, DEFAULT_OPTIMIZERS, start))})


COUNTERFACTUALS = {  # chapter -> run key -> a changed RunSpec under which its caption must be false
    "adadelta": ("bowl", dict(optimizers=("adagrad:learning_rate=0.15", "adadelta"))),  # ε = 1e-6 starts too slowly
    "nadam": ("valley", dict(optimizers=("nadam:learning_rate=0.2", "adam:learning_rate=0.2"))),
    "adamw": ("decay", dict(optimizers=("adam:learning_rate=0.05", "adamw:learning_rate=0.05,weight_decay=0.5",
                                        "adam:learning_rate=0.05,l2=0.5"))),
    "noise": ("noisy", dict(noise=0.3)),
    "schedules": ("schedules", dict(noise=0.0)),
    "nag-forms": ("ravine", dict(optimizers=("momentum:learning_rate=0.03",
                                             "nesterov:form=sutskever,learning_rate=0.03"))),
}


@pytest.mark.parametrize("name", COUNTERFACTUALS)
def test_new_chapter_claims_can_fail(name, runs):
    """Each predicate is false when the thing its caption credits is taken away."""
    from dataclasses import replace

    key, change = COUNTERFACTUALS[name]
    changed = {**runs[name], key: compute(replace(CHAPTERS[name].runs[key], **change))}
    assert not CHAPTERS[name].beats[0].claim.check(changed)
    for panel in CHAPTERS[name].beats[0].panels:  # and so is every line of a key
        for ending in panel.endings:
            assert not ending.claim.check(changed), ending.claim.text
