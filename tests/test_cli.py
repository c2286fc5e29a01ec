"""render.main([...]) without rendering: trajectory export, `list`, TOML config, and one-line errors (exit 2)."""

import csv
import os
from itertools import groupby

import numpy as np
import pytest
from helpers import OPTIMIZER_NAMES, SURFACE_NAMES

import render
from cli.config import parse_config
from optimizers.run import Run

STEPS = 5
# One surface, optimizer list and step count for the successful exports: one compiled program for all of them.
BASE = ["--surface", "saddle", "--optimizer", "gd,adam", "--steps", str(STEPS), "--no-render", "-q"]


def _export(tmp_path, *extra, name="paths.csv"):
    target = tmp_path / name
    assert render.main([*BASE, *extra, "--trajectory-out", str(target)]) == 0
    return target


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_csv_layout(tmp_path, capsys):
    target = _export(tmp_path, "--start", "-1.5,1.5", "--start", "0.5,0.25")
    assert capsys.readouterr().err == ""
    header, *rows = _rows(target)
    assert header == ["optimizer", "start", "step", "x", "y", "loss"]
    assert len(rows) == 2 * 2 * (STEPS + 1)  # N + 1 rows per (optimizer, start)
    # grouped per optimizer in the given order, then by start, steps in order
    assert [k for k, _ in groupby(r[0] for r in rows)] == ["gd", "adam"]
    for _, group in groupby(rows, key=lambda r: (r[0], r[1])):
        group = list(group)
        assert [int(r[2]) for r in group] == list(range(STEPS + 1))
    assert [(r[0], r[1]) for r in rows[:: STEPS + 1]] == [("gd", "0"), ("gd", "1"), ("adam", "0"), ("adam", "1")]
    starts = {"0": (-1.5, 1.5), "1": (0.5, 0.25)}
    for r in rows:
        x, y, loss = float(r[3]), float(r[4]), float(r[5])
        assert loss == pytest.approx(x**2 - y**2, rel=1e-12, abs=1e-15)
        if r[2] == "0":  # step 0 is the start point
            assert (x, y) == starts[r[1]]
    # values are written exactly (repr), not rounded
    last_gd = rows[STEPS]
    assert float(last_gd[3]) == pytest.approx(-1.5 * (1 - 2 * 0.05) ** STEPS, rel=1e-14)


def test_negative_values_as_separate_arguments(tmp_path):
    target = tmp_path / "custom.csv"
    argv = ["--surface", "x**2 + 3*abs(y)", "--domain", "-3,3,-3,3", "--optimizer", "gd", "--start", "-2.5,-2.5",
            "--steps", "3", "--no-render", "-q", "--trajectory-out", str(target)]
    assert render.main(argv) == 0
    rows = _rows(target)[1:]
    assert len(rows) == 4 and (float(rows[0][3]), float(rows[0][4])) == (-2.5, -2.5)


def test_npz_loads_as_a_run(tmp_path):
    target = _export(tmp_path, "--start", "-1.5,1.5", name="paths.npz")
    run = Run.load(target)
    assert run.optimizer_names == ["gd", "adam"]
    assert run.params.shape == (2, 1, 1, STEPS + 1, 2)
    assert run.meta.surface.name == "saddle" and run.meta.num_steps == STEPS
    np.testing.assert_array_equal(run.params[:, 0, 0, 0], [[-1.5, 1.5], [-1.5, 1.5]])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paths.npz"]  # no temp files left


def test_default_start_is_the_surfaces(tmp_path):
    from landscapes import LANDSCAPES

    rows = _rows(_export(tmp_path))[1:]
    assert [(float(r[3]), float(r[4])) for r in rows if r[2] == "0"] == list(LANDSCAPES["saddle"].starts) * 2


def test_messages_unless_quiet(tmp_path, capsys):
    target = tmp_path / "paths.csv"
    argv = [a for a in BASE if a != "-q"]
    assert render.main([*argv, "--trajectory-out", str(target)]) == 0
    out, err = capsys.readouterr()
    assert str(target) in out and err == ""


def test_list_names_every_surface_and_optimizer(capsys):
    assert render.main(["list"]) == 0
    out = capsys.readouterr().out
    for name in [*SURFACE_NAMES, *OPTIMIZER_NAMES]:
        assert f"  {name} " in out, name


def test_list_takes_no_arguments(capsys):
    assert render.main(["list", "extra"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# --- bad input: exit 2, one line on stderr, no traceback, no file ------------------------------------------

BAD = {
    "unknown surface": (["--surface", "rosenbrok"], ["did you mean 'rosenbrock'"]),
    "unknown optimizer": (["--optimizer", "adma"], ["did you mean 'adam'"]),
    "bad syntax": (["--optimizer", "adam:b1"], ["b1", "key=value"]),
    "invalid hyperparameter": (["--optimizer", "adam:b1=1"], ["b1"]),
    "unknown hyperparameter": (["--optimizer", "adam:lerning_rate=0.1"], ["did you mean 'learning_rate'"]),
    "unknown surface parameter": (["--surface", "abs-valley:b=2"], ["'b'"]),
    "non-numeric start": (["--start", "a,1"], ["--start"]),
    "start with one number": (["--start", "1"], ["--start"]),
    "nan start": (["--start", "nan,1"], ["--start", "finite"]),
    "inf start": (["--start", "-inf,1"], ["--start", "finite"]),
    "zero steps": (["--steps", "0"], ["--steps"]),
    "too many steps": (["--steps", "10000000"], ["--steps"]),
    "fractional steps": (["--steps", "1.5"], ["--steps"]),
    "bad domain": (["--surface", "x**2", "--domain", "3,-3,-3,3"], ["--domain"]),
    "negative noise": (["--noise", "-1"], ["--noise"]),
    "non-finite noise": (["--noise", "nan"], ["--noise"]),
    "batch on an analytic surface": (["--batch-size", "4"], ["--batch-size"]),
    "batch larger than the data": (["--surface", "linear-regression", "--batch-size", "1000"], ["--batch-size"]),
    "unknown flag": (["--colour", "red"], ["--colour"]),
}


def _assert_one_line_error(capsys, words=()):
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("render.py: error: "), err
    assert "Traceback" not in err + out
    for word in words:
        assert word in err, err


def _base_with(extra):
    """BASE with the flags that `extra` gives replaced by extra's (a flag given twice is itself an error)."""
    base, kept = list(BASE), []
    while base:
        token = base.pop(0)
        value = [base.pop(0)] if base and not base[0].startswith("-") else []
        if token not in extra:
            kept += [token, *value]
    return [*kept, *extra]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_exits_2_with_one_line(case, tmp_path, capsys):
    extra, words = BAD[case]
    target = tmp_path / "paths.csv"
    assert render.main([*_base_with(extra), "--trajectory-out", str(target)]) == 2
    _assert_one_line_error(capsys, words)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target, words", [
    ("missing/paths.csv", ["does not exist"]),
    ("paths.txt", ["unsupported", ".txt"]),
    ("paths", ["unsupported"]),
    ("paths.mp4", ["unsupported"]),
    ("a-folder.csv", ["not writable"]),
])
def test_bad_output_paths(target, words, tmp_path, capsys):
    (tmp_path / "a-folder.csv").mkdir()
    assert render.main([*BASE, "--trajectory-out", str(tmp_path / target)]) == 2
    _assert_one_line_error(capsys, words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder.csv"]
    assert list((tmp_path / "a-folder.csv").iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder(tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    try:
        assert render.main([*BASE, "--trajectory-out", str(folder / "paths.csv")]) == 2
        _assert_one_line_error(capsys, ["not writable"])
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_no_render_needs_a_trajectory_file(capsys):
    assert render.main(BASE) == 2
    _assert_one_line_error(capsys, ["--trajectory-out"])


def test_existing_file_is_replaced_not_appended(tmp_path):
    target = tmp_path / "paths.csv"
    target.write_text("old\n")
    _export(tmp_path, "--start", "-1.5,1.5")
    assert _rows(target)[0] == ["optimizer", "start", "step", "x", "y", "loss"]
    assert len(_rows(target)) == 1 + 2 * (STEPS + 1)


@pytest.mark.parametrize("relative", [False, True])
@pytest.mark.parametrize("suffix", [".csv", ".npz"])
def test_a_link_stays_a_link_to_the_new_content(tmp_path, suffix, relative):
    """Writing through a symbolic link fills the file it points to (as a shell's > would), in another folder."""
    real = tmp_path / "store" / f"paths{suffix}"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / f"link{suffix}"
    link.symlink_to(os.path.relpath(real, tmp_path) if relative else real)
    assert render.main([*BASE, "--trajectory-out", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_bytes() != b"old\n"
    if suffix == ".csv":
        assert _rows(real)[0] == ["optimizer", "start", "step", "x", "y", "loss"]
    else:
        assert Run.load(real).params.shape[-2] == STEPS + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link" + suffix, "store"]
    assert [p.name for p in real.parent.iterdir()] == [real.name]


def test_a_link_into_a_missing_folder_is_one_line(tmp_path, capsys):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "gone" / "paths.csv")
    assert render.main([*BASE, "--trajectory-out", str(link)]) == 2
    _assert_one_line_error(capsys, ["gone"])
    assert link.is_symlink() and not (tmp_path / "gone").exists()


def test_failed_run_keeps_an_existing_file(tmp_path, capsys):
    target = tmp_path / "paths.csv"
    target.write_text("old\n")
    assert render.main([*BASE, "--optimizer", "adma", "--trajectory-out", str(target)]) == 2
    _assert_one_line_error(capsys)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["paths.csv"]


# --- --config file.toml ------------------------------------------------------------------------------------

def _config(tmp_path, text):
    path = tmp_path / "losscape.toml"
    path.write_text(text)
    return path


def test_config_file(tmp_path):
    target = tmp_path / "paths.csv"
    config = _config(tmp_path, f'surface = "saddle"\noptimizer = ["gd", "adam"]\nsteps = 20\nno-render = true\n'
                               f'quiet = true\nstart = ["-1.5,1.5"]\ntrajectory_out = "{target}"\n')
    # the flag overrides the file's steps = 20
    assert render.main(["--config", str(config), "--steps", str(STEPS)]) == 0
    rows = _rows(target)[1:]
    assert [k for k, _ in groupby(r[0] for r in rows)] == ["gd", "adam"]
    assert len(rows) == 2 * (STEPS + 1)
    assert (float(rows[0][3]), float(rows[0][4])) == (-1.5, 1.5)


def test_config_values_are_used(tmp_path):
    config = _config(tmp_path, 'surface = "saddle"\noptimizer = "gd,adam"\nsteps = 5\n')
    parsed = parse_config(["--config", str(config), "--optimizer", "momentum"])
    assert parsed.surface == "saddle" and parsed.steps == 5
    assert parsed.optimizer == ["momentum"]  # a flag replaces the file's list


@pytest.mark.parametrize("text, words", [
    ("stepz = 20\n", ["stepz", "did you mean 'steps'"]),
    ("steps = 0\n", ["steps"]),
    ("steps = \"many\"\n", ["steps"]),
    ("no-render = \"yes\"\n", ["no-render", "true or false"]),
    ("view = \"4d\"\n", ["view"]),
    ("surface = \n", ["TOML"]),
])
def test_bad_config_exits_2(text, words, tmp_path, capsys):
    config = _config(tmp_path, text)
    assert render.main(["--config", str(config), "--no-render", "--trajectory-out", str(tmp_path / "p.csv")]) == 2
    _assert_one_line_error(capsys, words)
    assert [p.name for p in tmp_path.iterdir()] == ["losscape.toml"]


def test_missing_config_exits_2(tmp_path, capsys):
    assert render.main(["--config", str(tmp_path / "nope.toml")]) == 2
    _assert_one_line_error(capsys, ["nope.toml"])


# --- `list`: plain-text formulas, per-surface learning rates ----------------------------------------------

@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_list_shows_formulas_as_plain_text(name, capsys):
    assert render.main(["list"]) == 0
    out = capsys.readouterr().out
    line = out.split(f"  {name} ", 1)[1].splitlines()[1]
    assert line.strip().startswith("f = ")
    assert not set(line) & set("\\{}$"), line  # no LaTeX reaches the terminal


@pytest.mark.parametrize("tex, text", [
    (r"0.075x^2 + \frac{0.075y^2}{9} - 0.5e^{-2x^2}", "0.075x² + 0.075y²/9 − 0.5e^(−2x²)"),
    (r"20 + \sum_i (x_i^2 - 10\cos 2\pi x_i)", "20 + Σᵢ (xᵢ² − 10 cos 2πxᵢ)"),
    (r"\frac{1}{N}\sum_i (w\,x_i + b - y_i)^2", "(1/N)Σᵢ (w xᵢ + b − yᵢ)²"),
    (r"\frac{1}{2}(x^2 + 10\,y^2)", "½(x² + 10 y²)"),
    (r"\sqrt{|y|} + \ln(1 + x^{2}) + e^{x y}", "√|y| + ln(1 + x²) + e^(x y)"),
])
def test_plain_math(tex, text):
    from cli.plain_math import plain

    assert plain(tex) == text


def test_list_with_a_surface_shows_its_learning_rates(capsys):
    from landscapes import LANDSCAPES

    assert render.main(["list", "--surface", "two-holes"]) == 0
    out = capsys.readouterr().out
    rates = LANDSCAPES["two-holes"].learning_rates
    assert f"  gd         GD         learning_rate={rates['gradient']:g}" in out
    assert "momentum=0.9" in out and f"learning_rate={rates['momentum']:g}, momentum=0.9" in out
    assert "per surface" not in out
    assert render.main(["list"]) == 0
    assert "learning_rate=per surface" in capsys.readouterr().out
    assert render.main(["list", "--surface", "two-hole"]) == 2
    assert "did you mean 'two-holes'" in capsys.readouterr().err


@pytest.mark.parametrize("expression,words", [("log(x)", ["not finite", "log(x)"]), ("x*0 + 1", ["flat"])])
def test_list_refuses_a_surface_no_optimizer_could_run_on(expression, words, capsys):
    assert render.main(["list", "--surface", expression]) == 2
    _assert_one_line_error(capsys, words)


class Rendered(BaseException):
    """Raised by a stand-in for the render process, carrying the job it was given."""


@pytest.mark.parametrize("outputs,views", [
    (["a.gif"], ["3d"]), (["a.mp4", "a.gif"], ["3d", "3d"]), (["a.png", "a.gif"], ["3d", "3d"]),
    (["a.gif"], ["contour"]), (["a.mp4", "a.gif"], ["contour"])])
def test_every_scene_of_a_race_job_writes_something(outputs, views, tmp_path, monkeypatch):
    """A GIF of an orbiting view is drawn apart with the camera held still; the main scene is rendered only for
    an MP4 or PNG of its own (a GIF alone cost a whole scene's set-up for nothing)."""
    import cli.race

    def capture(job, preview=False, jobs=1):
        raise Rendered(job)

    monkeypatch.setattr(cli.race.process, "render", capture)
    view = views[0]
    with pytest.raises(Rendered) as caught:
        render.main(["--surface", "saddle", "--optimizer", "gd", "--steps", "5", "--view", view,
                     *(a for o in outputs for a in ("-o", str(tmp_path / o)))])
    scenes = caught.value.args[0].scenes
    assert [s.scene for s in scenes] == views and all(s.movie or s.still for s in scenes), scenes
    assert scenes[-1].still_camera == (view == "3d" and "a.gif" in outputs)
