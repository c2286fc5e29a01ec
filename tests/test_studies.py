"""basins, sweep and tune: checked against NumPy references and closed forms, their tables, pictures and errors."""

import csv

import imageio.v3 as iio
import numpy as np
import pytest

import cli.study
import render
from cli.basins import compute_basins
from cli.encode import GIF_FPS
from cli.options import QUALITIES
from cli.sweep import compute_sweep
from cli.tune import RATES, CONFIGURATIONS, grid, tune
from landscapes import resolve_surface
from optimizers.outcomes import MAX_CLUSTERS, REACH, cluster, robust_range
from optimizers.registry import resolve_optimizer, resolve_optimizers
from scenes.stage import DARKEST, MINIMUM_HUES


def himmelblau_grad(p):
    """∇f of f = (x² + y − 11)² + (x + y² − 7)², written out."""
    x, y = p[..., 0], p[..., 1]
    a, b = x**2 + y - 11, x + y**2 - 7
    return np.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b], axis=-1)


def test_basins_match_a_numpy_reference():
    """GD on Himmelblau from an 11 × 11 grid: the same minimum for every start as a plain NumPy loop."""
    surface = resolve_surface("himmelblau")
    gd = resolve_optimizer("gd", surface)
    lr, steps, n = gd.hyperparameters["learning_rate"], 300, 11
    basins, finals, starts = compute_basins(surface, [gd], n, steps)
    p = starts.copy()
    for _ in range(steps):
        p = p - lr * himmelblau_grad(p)
    minima = np.array([(m.x, m.y) for m in surface.landscape.minima])
    span = max(surface.domain[1] - surface.domain[0], surface.domain[3] - surface.domain[2])
    distance = np.linalg.norm(p[:, None] - minima, axis=-1)
    expected = np.where(distance.min(axis=1) <= REACH * span, distance.argmin(axis=1), -1)
    np.testing.assert_array_equal(basins.reached[0].ravel(), expected)
    assert len(set(expected.tolist())) == 4  # every minimum has a basin on this grid
    np.testing.assert_allclose(finals.params[0, 0], p, atol=1e-3)  # float32 paths
    assert (basins.steps[0] >= 0).all() and (basins.steps[0] < steps).all()


def test_clustering_finds_an_expressions_minima():
    """Points gathered near (±2, 0) with f = 0 and f = 1: two minima, lowest first."""
    rng = np.random.default_rng(0)
    points = np.concatenate([rng.normal((2, 0), 0.01, (50, 2)), rng.normal((-2, 0), 0.01, (30, 2))])
    losses = np.concatenate([np.zeros(50), np.ones(30)])
    centres = cluster(points, losses, 0.2)
    assert centres.shape == (2, 3) and centres[0, 2] == 0 and abs(centres[1, 0] + 2) < 0.05
    assert len(cluster(rng.uniform(-5, 5, (400, 2)), rng.uniform(size=400), 0.1)) == MAX_CLUSTERS


def test_robust_range_is_the_widest_run():
    rates = np.arange(8.0)
    assert robust_range(rates, np.array([1, 0, 1, 1, 1, 0, 1, 1], bool)) == (2.0, 4.0)
    assert robust_range(rates, np.zeros(8, bool)) is None


@pytest.mark.parametrize("kappa", [4.0, 10.0])
def test_sweep_shows_gd_diverging_exactly_above_two_over_kappa(kappa):
    """GD on ½(x² + κy²) multiplies y by 1 − ηκ: it diverges exactly when η > 2/κ."""
    surface = resolve_surface(f"ravine:kappa={kappa:g}")
    gd = resolve_optimizers(["gd"], surface)
    rates = np.geomspace(1e-3, 2.0, 61)
    sweep = compute_sweep(surface, gd, rates, 2000, (-2.7, 1.0))
    clear = np.abs(np.log(rates / (2 / kappa))) > 0.02  # steps grow or shrink by over 4% a step
    diverged = sweep.diverged_at[0] >= 0
    np.testing.assert_array_equal(diverged[clear], (rates > 2 / kappa)[clear])
    low, high = sweep.robust(0)
    assert high < 2 / kappa and high > 0.8 * 2 / kappa


def test_tune_finds_the_optimal_gd_rate_on_a_quadratic():
    """GD on ½(x² + 10y²) (μ = 1, L = 10) contracts fastest at η = 2/(μ + L); tuning finds it within a grid step."""
    surface = resolve_surface("ravine")
    (spec, value, margin), = tune(surface, resolve_optimizers(["gd"], surface), [(-2.7, 1.0), (1.0, -1.2)], 60,
                                  "final")
    rate = float(spec.split("=")[1])
    grid_step = (RATES[1] / RATES[0]) ** (1 / (CONFIGURATIONS - 1))
    assert abs(np.log(rate * 11 / 2)) <= np.log(grid_step) * 1.01
    assert value < 1e-8 and margin >= 0
    # the spec reproduces the tuned optimizer
    assert resolve_optimizer(spec, surface).hyperparameters["learning_rate"] == rate


def test_tune_searches_momentum_and_beta1():
    surface = resolve_surface("ravine")
    for name, key in (("momentum", "momentum"), ("adam", "b1"), ("rmsprop", None)):
        config = grid(resolve_optimizer(name, surface))
        assert len(config["learning_rate"]) >= 1000
        if key:
            assert len(set(config[key])) >= 16 and min(config[key]) == 0 and max(config[key]) < 1


def _table(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def _hue_pixels(frame: np.ndarray, hue: str) -> int:
    """Pixels whose colour is the hue shaded by a factor in [DARKEST, 1]."""
    colour = np.array([int(hue[i:i + 2], 16) for i in (1, 3, 5)], float)
    pixels = frame[..., :3].reshape(-1, 3).astype(float)
    shade = pixels @ colour / (colour @ colour)
    residual = np.linalg.norm(pixels - shade[:, None] * colour, axis=1)
    return int(((shade >= DARKEST - 0.03) & (shade <= 1.03) & (residual < 12)).sum())


def test_basins_cli_table_and_picture(tmp_path):
    """The CSV's header and rows; in the PNG, the global minimum's hue covers the share the table gives."""
    png, table = tmp_path / "basins.png", tmp_path / "basins.csv"
    assert render.main(["basins", "--surface", "two-holes", "--optimizer", "gd", "--resolution", "41", "--steps",
                        "300", "--quality", "low", "-o", str(png), "--table-out", str(table), "-q"]) == 0
    rows = _table(table)
    assert rows[0] == ["optimizer", "x0", "y0", "x", "y", "loss", "minimum", "steps"]
    assert len(rows) == 1 + 41 * 41
    reached = np.array([int(r[6]) for r in rows[1:]])
    share = (reached == 0).mean()  # two-holes documents the global minimum first
    assert 0.1 < share < 0.9
    frame = iio.imread(png)
    hues = [_hue_pixels(frame, MINIMUM_HUES[m]) for m in (0, 1)]
    assert sum(hues) > 0.1 * frame.shape[0] * frame.shape[1]
    assert abs(hues[0] / sum(hues) - share) < 0.06


def test_sweep_cli_table_and_picture(tmp_path):
    png, table = tmp_path / "sweep.png", tmp_path / "sweep.csv"
    assert render.main(["sweep", "--surface", "ravine", "--optimizer", "gd,adam", "--learning-rates", "1e-3:1:12",
                        "--steps", "200", "--quality", "low", "-o", str(png), "--table-out", str(table), "-q"]) == 0
    rows = _table(table)
    assert rows[0] == ["optimizer", "learning_rate", "final_loss", "converged", "diverged_at"]
    assert len(rows) == 1 + 2 * 12
    gd = [r for r in rows[1:] if r[0] == "gd"]
    assert all((int(r[4]) >= 0) == (float(r[1]) > 0.2) for r in gd)
    frame = iio.imread(png)[..., :3].astype(int)
    red = (np.abs(frame - [0xFF, 0x52, 0x52]).sum(axis=-1) < 60).sum()  # GD's curve, crosses and strip
    assert red > 200


def test_tune_cli_table(tmp_path, capsys):
    table = tmp_path / "tuned.csv"
    assert render.main(["tune", "--surface", "ravine", "--optimizer", "gd,momentum", "--steps", "60",
                        "--start", "-2.7,1", "--start", "1,-1.2", "--table-out", str(table), "-q"]) == 0
    rows = _table(table)
    assert rows[0] == ["optimizer", "spec", "objective"]
    assert [r[0] for r in rows[1:]] == ["gd", "momentum"]
    assert rows[2][1].startswith("momentum:learning_rate=") and ",momentum=" in rows[2][1]
    out = capsys.readouterr().out
    assert "best spec" in out and "runner-up margin" in out and "mean of 2 starts" in out


@pytest.mark.parametrize("argv, words", [
    (["basins", "--resolution", "0"], ["--resolution"]),
    (["basins", "--resolution", "5000"], ["--resolution", "1,001"]),
    (["sweep", "--learning-rates", "10:1e-4:64"], ["--learning-rates", "MIN < MAX"]),
    (["sweep", "--learning-rates", "1e-4:10"], ["--learning-rates", "MIN:MAX:N"]),
    (["sweep", "--learning-rates", "1e-4:10:1"], ["--learning-rates", "N"]),
    (["tune", "--objective", "meen"], ["--objective", "did you mean 'mean'"]),
    (["basins", "--surface", "himmelblu"], ["did you mean 'himmelblau'"]),
    (["sweep", "--optimizer", "adma"], ["did you mean 'adam'"]),
    (["tune", "--steps", "100000"], ["--steps"]),
    (["basins", "--table-out", "x.txt"], ["--table-out", "unsupported"]),
])
def test_bad_input_exits_2_with_one_line(argv, words, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert render.main(argv) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("render.py: error: "), err
    assert "Traceback" not in out + err
    for word in words:
        assert word in err, err
    assert list(tmp_path.iterdir()) == []


def test_the_readme_on_tuning_by_final_loss_from_one_start():
    """README: on two-holes, GD's best rate by final loss from the default start bounces far off the map."""
    from optimizers.engine import simulate

    surface = resolve_surface("two-holes")
    (spec, _, _), = tune(surface, resolve_optimizers(["gd"], surface), list(surface.landscape.starts), 150, "final")
    assert float(spec.split("=")[1]) > 2
    path = simulate(surface, [resolve_optimizer(spec, surface)], surface.landscape.starts, 150, grid_size=0).params[0, 0, 0]
    xmin, xmax, ymin, ymax = surface.domain
    assert np.abs(path).max() > 2 * max(xmax, ymax)


class Rendered(BaseException):
    """Raised by a stand-in for the render process, carrying the job it was given."""


@pytest.mark.parametrize("quality,gif_scene", [("low", 1), ("medium", None), ("high", None)])
def test_a_study_gif_is_drawn_at_its_own_size_unless_the_movie_shrinks_by_a_whole_factor(
        quality, gif_scene, tmp_path, monkeypatch):
    """854 px → 640 would blur every edge: the GIF gets a render of its own; 1280 and 1920 halve and third."""
    def capture(job, preview=False, jobs=1):
        raise Rendered(job)

    monkeypatch.setattr(cli.study.process, "render", capture)
    with pytest.raises(Rendered) as caught:
        render.main(["basins", "--surface", "two-holes", "--optimizer", "gd", "--resolution", "21", "--steps", "50",
                     "--quality", quality, "-o", str(tmp_path / "b.mp4"), "-o", str(tmp_path / "b.gif"), "-q"])
    scenes = caught.value.args[0].scenes
    assert scenes[0].width == QUALITIES[quality][0] and scenes[0].movie
    if gif_scene is None:
        assert len(scenes) == 1
    else:
        assert (scenes[gif_scene].width, scenes[gif_scene].height, scenes[gif_scene].movie) == (640, 360, True)
        assert scenes[gif_scene].scene == scenes[0].scene and scenes[gif_scene].fps <= GIF_FPS


def test_a_study_gif_and_movie_each_have_their_size(tmp_path):
    gif, mp4 = tmp_path / "b.gif", tmp_path / "b.mp4"
    assert render.main(["basins", "--surface", "two-holes", "--optimizer", "gd", "--resolution", "21", "--steps", "50",
                        "--quality", "low", "--fps", "5", "--duration", "1", "-o", str(mp4), "-o", str(gif), "-q"]) == 0
    assert iio.imread(gif)[-1].shape[:2] == (360, 640)
    assert iio.imread(mp4, index=0).shape[:2] == (480, 854)
