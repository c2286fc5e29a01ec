"""Network surfaces: the MLP's gradient, the plane (PCA and random), the slice, determinism, accuracy, refusals."""

import numpy as np
import pytest
from helpers import NETWORK_NAMES

import render
from landscapes import LANDSCAPES, resolve_surface
from landscapes.data import logistic_loss
from landscapes.datasets import digits, moons, tumours
from optimizers import plane
from optimizers.engine import simulate_network
from optimizers.registry import resolve_optimizers
from optimizers.run import Run

NETWORKS = NETWORK_NAMES
STEPS = 40


@pytest.fixture(scope="module", params=NETWORKS)
def network_run(request):
    surface = resolve_surface(request.param)
    return surface, simulate_network(surface, resolve_optimizers(["gd", "momentum", "adam"], surface), STEPS)


def test_networks_are_registered():
    assert {"digits-mlp", "moons-mlp"} <= set(NETWORKS)


@pytest.mark.parametrize("name", NETWORKS)
def test_mlp_gradient_matches_finite_differences(name):
    """∂L/∂θᵢ against the central difference (L(θ + heᵢ) − L(θ − heᵢ)) / 2h, h = 1e-6, at a random θ."""
    import jax

    network = resolve_surface(name).network
    split = network.data()
    theta = network.init(3) + np.random.default_rng(1).normal(0, 0.1, network.num_params)
    loss = lambda t: float(network.loss(t, split.x_train, split.y_train))  # noqa: E731
    grad = np.asarray(jax.grad(network.loss)(theta, split.x_train, split.y_train))
    h = 1e-6
    for i in np.random.default_rng(2).choice(network.num_params, 25, replace=False):
        e = np.zeros_like(theta)
        e[i] = h
        assert grad[i] == pytest.approx((loss(theta + e) - loss(theta - e)) / (2 * h), rel=1e-5, abs=1e-9)


def test_the_plane_centre_is_the_common_start(network_run):
    """Every path starts at (0, 0), and the slice there is the true training loss at θ₀ (float32 slice: 1e-5)."""
    surface, run = network_run
    assert np.all(run.params[:, 0, 0, 0] == 0)
    network = surface.network
    centre = network.init(0)
    chosen = plane.Plane("pca", centre, np.eye(2, network.num_params))
    _, _, z = plane.slice_grid(network, chosen, (-1.0, 1.0, -1.0, 1.0), 3)  # the middle node is (0, 0)
    split = network.data()
    assert z[1, 1] == pytest.approx(float(network.loss(centre, split.x_train, split.y_train)), rel=1e-5)
    assert run.loss[0, 0, 0, 0] == pytest.approx(z[1, 1], rel=1e-5)


def test_slice_is_the_loss_along_the_plane(network_run):
    """z[j, i] = L(θ₀ + xᵢd₁ + yⱼd₂), evaluated directly (the slice's first-layer shortcut is exact algebra)."""
    surface, run = network_run
    network = surface.network
    split = network.data()
    offsets, centre = _offsets(surface)
    chosen = plane.pca_plane(centre, offsets + centre)
    xs, ys, z = plane.slice_grid(network, chosen, run.meta.surface.domain, 7)
    for j, i in [(0, 0), (3, 5), (6, 2)]:
        theta = centre + xs[i] * chosen.directions[0] + ys[j] * chosen.directions[1]
        assert z[j, i] == pytest.approx(float(network.loss(theta, split.x_train, split.y_train)), rel=2e-5)


def _offsets(surface):
    """The paths in ℝᴾ again (training is deterministic), as θₜ − θ₀, and θ₀."""
    from optimizers.training import train

    trained = train(surface.network, resolve_optimizers(["gd", "momentum", "adam"], surface), STEPS)
    centre = trained.theta[0, 0]
    return trained.theta - centre, centre


def test_pca_coordinates_reconstruct_the_paths(network_run):
    """The plane is the top-2 right singular subspace of all θₜ − θ₀ (a full SVD written here agrees), the
    coordinates are the paths' projections on it, and what they miss is exactly 1 − the stated share."""
    surface, run = network_run
    offsets, centre = _offsets(surface)
    flat = offsets.reshape(-1, offsets.shape[-1])
    _, singular, vt = np.linalg.svd(flat, full_matrices=False)
    chosen = plane.pca_plane(centre, offsets + centre)
    assert np.abs(chosen.directions @ vt[:2].T) == pytest.approx(np.eye(2), abs=1e-6)
    xy = run.params[:, 0, 0]
    reconstructed = xy @ chosen.directions
    missed = np.sum((offsets - reconstructed) ** 2) / np.sum(offsets**2)
    stated = run.meta.projection.explained_variance
    assert missed == pytest.approx(1 - stated, abs=1e-9)
    assert stated == pytest.approx(np.sum(singular[:2] ** 2) / np.sum(singular**2), rel=1e-9)
    assert f"{stated * 100:.0f}% of their variance" in run.meta.projection.statement


def test_random_directions_are_filter_normalised():
    """Li et al. (2018): each filter of d has the norm of the same filter of θ₀; bias entries are 0."""
    network = resolve_surface("digits-mlp").network
    centre = network.init(0)
    chosen = plane.random_plane(centre, network, seed=5)
    filters = network.filters()
    assert np.all(chosen.directions[:, filters < 0] == 0)
    for f in np.unique(filters[filters >= 0]):
        mask = filters == f
        for d in chosen.directions:
            assert np.linalg.norm(d[mask]) == pytest.approx(np.linalg.norm(centre[mask]), rel=1e-12)
    assert not np.allclose(*chosen.directions)


def test_random_projection_states_its_share():
    """Random plane: coordinates are least-squares (the residual is orthogonal to both directions), and the
    stated share is ‖projection‖² / ‖θₜ − θ₀‖², computed here."""
    surface = resolve_surface("moons-mlp")
    run = simulate_network(surface, resolve_optimizers(["gd", "momentum", "adam"], surface), STEPS,
                           projection="random")
    offsets, centre = _offsets(surface)
    directions = plane.random_plane(centre, surface.network, 0).directions
    kept = run.params[:, 0, 0] @ directions
    residual = (offsets - kept).reshape(-1, offsets.shape[-1])
    assert np.abs(residual @ directions.T).max() < 1e-9 * np.abs(offsets).max() * np.abs(directions).sum()
    projection = run.meta.projection
    assert projection.method == "random" and "random filter-normalised" in projection.statement
    assert projection.explained_variance == pytest.approx(np.sum(kept**2) / np.sum(offsets**2), rel=1e-9)


@pytest.mark.parametrize("name", NETWORKS)
def test_determinism_under_a_seed(name):
    surface = resolve_surface(name)
    optimizers = resolve_optimizers(["sgd", "adam"], surface)
    a, b = (simulate_network(surface, optimizers, 10, batch_size=32, seed=7) for _ in range(2))
    c = simulate_network(surface, optimizers, 10, batch_size=32, seed=8)
    for field in ("params", "loss", "grad", "grid_z"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.allclose(a.loss, c.loss)  # another seed: another θ₀ and other minibatches


def test_adam_reaches_95_percent_on_digits():
    """Adam with its defaults on digits-mlp, 300 full-batch steps: at least 95% held-out accuracy."""
    surface = resolve_surface("digits-mlp")
    run = simulate_network(surface, resolve_optimizers(["adam"], surface), 300)
    adam = run.meta.optimizers[0]
    assert adam.test_accuracy >= 0.95
    assert adam.train_loss == pytest.approx(run.loss[0, 0, 0, -1])


def test_metadata_records_what_was_trained(network_run):
    surface, run = network_run
    split = surface.network.data()
    projection = run.meta.projection
    assert projection.dimensions == surface.network.num_params
    assert (projection.train_examples, projection.test_examples) == (len(split.y_train), len(split.y_test))
    for o, meta in enumerate(run.meta.optimizers):
        assert 0 <= meta.test_accuracy <= 1 and meta.train_loss == pytest.approx(run.loss[o, 0, 0, -1])
    assert run.loss[:, 0, 0, -1].max() < run.loss[0, 0, 0, 0]  # every optimizer trained


def test_run_round_trips_with_its_projection(network_run, tmp_path):
    _, run = network_run
    run.save(tmp_path / "r.npz")
    again = Run.load(tmp_path / "r.npz")
    assert again.meta == run.meta and again.meta.projection.method == "pca"


def test_data_sets_are_fixed_and_held_out():
    d, m = digits(), moons()
    assert (len(d.y_train), len(d.y_test), d.num_classes) == (1437, 360, 10)
    assert (len(m.y_train), len(m.y_test), m.num_classes) == (320, 80, 2)
    assert abs(d.x_train.mean()) < 1e-12  # standardized with the training set's statistics


def test_logistic_minimum_is_exact():
    """The registry's minimum: the gradient Xᵀ(σ(Xw) − y)/N vanishes there, computed here from the data."""
    x, y = tumours()
    minimum = LANDSCAPES["logistic-2d"].minima[0]
    w = np.array([minimum.x, minimum.y])
    gradient = x.T @ (1 / (1 + np.exp(-x @ w)) - y) / len(y)
    assert np.abs(gradient).max() < 1e-6
    assert float(logistic_loss(w, x, y)) == pytest.approx(minimum.value, abs=1e-7)


@pytest.mark.parametrize("args, words", [
    (["--surface", "digits-mlp", "--start", "1,1"], ["--start", "--seed"]),
    (["--surface", "digits-mlp", "--glyphs", "-o", "x.png"], ["--glyphs"]),
    (["--surface", "saddle", "--projection", "random"], ["--projection", "network"]),
    (["--surface", "digits-mlp:hidden=2.5"], ["whole number"]),
    (["--surface", "digits-mlp:hidden=0"], ["hidden", "1 to 512"]),
    (["--surface", "moons-mlp", "--steps", "5000"], ["network", "3,000"]),
    (["--surface", "moons-mlp", "--batch-size", "321"], ["--batch-size", "320"]),
    (["basins", "--surface", "moons-mlp"], ["network", "2-D"]),
    (["sweep", "--surface", "moons-mlp"], ["network", "2-D"]),
])
def test_network_refusals(args, words, tmp_path, capsys):
    race = args[0].startswith("--")
    extra = ["--no-render", "--trajectory-out", str(tmp_path / "t.csv")] if race and "-o" not in args else []
    assert render.main([*args, *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and all(w in err for w in words), err
    assert not (tmp_path / "t.csv").exists()


def test_network_export(tmp_path):
    """The CSV of a network race: plane coordinates and true losses, the same as the Run's."""
    target = tmp_path / "moons.npz"
    assert render.main(["--surface", "moons-mlp", "--optimizer", "gd,adam", "--steps", "20", "--projection",
                        "random", "--no-render", "-q", "--trajectory-out", str(target)]) == 0
    run = Run.load(target)
    assert run.meta.projection.method == "random" and run.params.shape == (2, 1, 1, 21, 2)
    assert run.grid_z.shape == (101, 101) and np.isfinite(run.grid_z).all()


def test_network_titles_name_their_layers():
    assert resolve_surface("digits-mlp").title == "Digits MLP, 64–32–10, tanh"
    surface = resolve_surface("moons-mlp:hidden=16")
    assert surface.title == "Two-moons MLP, 2–16–2, tanh" and surface.network.num_params == 2 * 16 + 16 + 16 * 2 + 2
    assert surface.is_network and surface.is_data and surface.domain is None


@pytest.fixture(scope="module")
def moons_run(tmp_path_factory):
    from test_render import render_cli

    path = tmp_path_factory.mktemp("moons") / "moons.npz"
    render_cli("--surface", "moons-mlp", "--optimizer", "gd,momentum,adam", "--steps", "60", "--no-render",
               "--trajectory-out", str(path))
    return path


@pytest.mark.parametrize("view", ["3d", "contour", "split"])
def test_a_network_race_renders(moons_run, view, tmp_path):
    """Rendered in the render process: every head on screen, every path's colour drawn, the slice shaded."""
    from test_render import colour_distance, read_rgb, render_job, rgb

    png, probe = tmp_path / "still.png", tmp_path / "probe.json"
    facts = render_job(tmp_path, moons_run, [png], view=view, probe=probe)
    image = read_rgb(png)
    assert sorted(h["name"] for h in facts["heads"]) == ["adam", "gd", "momentum"]  # drawn fastest first
    for head in facts["heads"]:
        x, y = head["pixel"]
        assert 0 <= x < image.shape[1] and 0 <= y < image.shape[0], head
        # paths cross on a slice, so a head may sit under another path: its colour is looked for along its path
        assert (colour_distance(image, rgb(head["color"])) < 30).sum() >= 40, head
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 1000  # a shaded slice, not a blank frame
    for text in facts["text"]:  # the plane's statement too: readable at 640 px
        assert text["px"] >= (12 if text["role"] in ("title", "caption", "legend", "formula") else 10), text
