import numpy as np
import pytest
import torch

from ganlab.core import contours, fields, generator_curves
from ganlab.core.targets import TARGETS, ViewBox
from ganlab.core.targets.base import GaussianMixture
from ganlab.core.trainer import Trainer

BOX = ViewBox((-2.0, -1.0), (2.0, 3.0))


def test_grid_is_indexed_x_first():
    axes = fields.grid_axes(BOX, 4)
    assert axes[0].tolist() == [-1.5, -0.5, 0.5, 1.5]
    assert axes[1].tolist() == [-0.5, 0.5, 1.5, 2.5]
    points = fields.grid_points(BOX, 4)
    values = (points[:, 0] * 10 + points[:, 1]).reshape(4, 4)
    assert values[3, 0] == 1.5 * 10 - 0.5  # [ix, iy]
    assert fields.cell_volume(BOX, 4) == 1.0


def test_kde_integrates_to_one_and_is_exact_for_one_point():
    box = ViewBox((-5.0, -5.0), (5.0, 5.0))
    samples = np.random.default_rng(0).normal(size=(300, 2))
    kde = fields.kde_on_grid(samples, box, 200, 0.3)
    assert kde.sum() * fields.cell_volume(box, 200) == pytest.approx(1.0, abs=1e-3)
    one = fields.kde_on_grid(np.array([[0.0, 0.0]]), box, 200, 0.5)
    exact = GaussianMixture("g", "", [[0.0, 0.0]], 0.5, box).density(fields.grid_points(box, 200))
    assert np.allclose(one.ravel(), exact)


def test_optimal_discriminator_of_known_densities():
    # p_data = N(0, 1), p_g = N(1, 1) on a line: D* = 1 / (1 + exp(x - 1/2))
    box = ViewBox((-4.0,), (4.0,))
    p = GaussianMixture("p", "", [[0.0]], 1.0, box)
    q = GaussianMixture("q", "", [[1.0]], 1.0, box)
    d_star = fields.optimal_discriminator(
        fields.density_on_grid(p, box, 81), fields.density_on_grid(q, box, 81)
    )
    x = fields.grid_axes(box, 81)[0]
    assert np.allclose(d_star, 1 / (1 + np.exp(x - 0.5)))
    same = fields.optimal_discriminator(np.full(5, 0.2), np.full(5, 0.2))
    assert np.allclose(same, 0.5)
    empty = fields.optimal_discriminator(np.array([1.0, 0.0]), np.array([1.0, 0.0]))
    assert empty[0] == 0.5 and np.isnan(empty[1])


def test_smoothed_density_of_a_mixture_is_the_widened_mixture():
    target = TARGETS["ring8"]()
    box = target.view_box
    smooth = fields.smoothed_target_density(target, box, 64, 0.05)
    assert smooth.sum() * fields.cell_volume(box, 64) == pytest.approx(1.0, abs=0.01)
    widened = GaussianMixture("w", "", target.modes, np.hypot(0.01, 0.05), box)
    assert np.allclose(smooth, fields.density_on_grid(widened, box, 64))
    # targets without a mixture form get a KDE of many real samples
    square = TARGETS["square"]()
    kde = fields.smoothed_target_density(square, square.view_box, 64, 0.05)
    assert kde.sum() * fields.cell_volume(square.view_box, 64) == pytest.approx(1.0, abs=0.02)
    assert kde[22:42, 22:42].mean() == pytest.approx(0.25, rel=0.03)


def _linear_discriminator(trainer, weight, bias):
    layer = trainer.discriminator.body[-1]
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([weight]))
        layer.bias.fill_(bias)


def test_critic_field_shows_d_of_x(small_config):
    small_config.model.discriminator.hidden_layers = 0  # d(x) = wᵀ x_std + b
    small_config.model.standardize_data = False
    trainer = Trainer(small_config)
    _linear_discriminator(trainer, [1.0, -2.0], 0.5)
    box = ViewBox((-1.0, -1.0), (1.0, 1.0))
    values = fields.critic_on_grid(trainer, box, 8)
    points = fields.grid_points(box, 8)
    logit = points @ np.array([1.0, -2.0]) + 0.5
    assert np.allclose(values.ravel(), 1 / (1 + np.exp(-logit)), atol=1e-6)
    trainer.objective = trainer.objective.__class__.__mro__[0]  # keep type checkers calm
    trainer.apply_config(_with(trainer.config, "objective.name", "wgan"))
    assert np.allclose(fields.critic_on_grid(trainer, box, 8).ravel(), logit, atol=1e-5)


def _with(config, path, value):
    new = config.copy()
    *parents, name = path.split(".")
    obj = new
    for parent in parents:
        obj = getattr(obj, parent)
    setattr(obj, name, value)
    return new


def test_generator_gradients_match_the_formula(small_config):
    # non-saturating L_G = softplus(-d(x)) with d(x) = wᵀx + b: ∂L/∂x = -(1 - D(x)) w
    small_config.model.discriminator.hidden_layers = 0
    small_config.model.standardize_data = False
    trainer = Trainer(small_config)
    _linear_discriminator(trainer, [0.5, 2.0], -0.3)
    z = torch.randn(10, small_config.model.latent_dim)
    points, grads = fields.generator_gradients(trainer, z)
    d = points @ np.array([0.5, 2.0]) - 0.3
    expected = -(1 - 1 / (1 + np.exp(-d)))[:, None] * np.array([0.5, 2.0])
    assert np.allclose(grads, expected, atol=1e-6)
    assert all(p.requires_grad for p in trainer.discriminator.parameters())


def test_sample_distance_gradients_point_toward_the_data(small_config):
    small_config.objective.name = "sliced-wasserstein"
    small_config.target.name = "gaussian"  # centred at (1, 1)
    small_config.model.standardize_data = False
    trainer = Trainer(small_config)
    points, grads = fields.generator_gradients(trainer, torch.randn(64, 2))
    toward = np.array([1.0, 1.0]) - points
    assert (np.sum(-grads * toward, axis=1) > 0).mean() > 0.9


def test_manifold_pushforward_and_interpolation(small_config):
    trainer = Trainer(small_config)
    lines = generator_curves.latent_manifold(trainer, lines=5, points_per_line=7)
    assert len(lines) == 10 and all(line.shape == (7, 2) for line in lines)
    z0, z1 = np.array([-1.0, 0.5]), np.array([2.0, 0.0])
    path = generator_curves.interpolation_path(trainer, z0, z1, steps=9)
    assert path.shape == (9, 2)
    ends = trainer.sample(2, latent=torch.tensor(np.stack([z0, z1]), dtype=torch.float32))
    assert np.allclose(path[[0, -1]], ends, atol=1e-6)
    small_config.model.latent_dim = 1
    small_config.target.name = "bimodal-1d"
    trainer = Trainer(small_config)
    assert len(generator_curves.latent_manifold(trainer)) == 1
    z, x = generator_curves.pushforward_curve(trainer, points=50)
    assert z.shape == (50,) and x.shape == (50, 1)
    assert z[0] == -2.5 and z[-1] == 2.5


def test_contour_segments_trace_a_circle():
    box = ViewBox((-2.0, -2.0), (2.0, 2.0))
    points = fields.grid_points(box, 80)
    radius = np.hypot(points[:, 0], points[:, 1]).reshape(80, 80)
    segments = contours.contour_segments(radius, 1.0, box)
    assert segments.shape[0] % 2 == 0 and len(segments) > 100
    # every end lies on the circle (linear interpolation of a cone: error ≪ a cell)
    assert np.abs(np.hypot(segments[:, 0], segments[:, 1]) - 1.0).max() < 0.01
    # and the segments go all the way round: total length ≈ 2π
    length = np.linalg.norm(segments[1::2] - segments[0::2], axis=1).sum()
    assert length == pytest.approx(2 * np.pi, rel=0.01)
    assert contours.contour_segments(radius, 5.0, box).shape == (0, 2)


def _perfect_generator(target, z: torch.Tensor) -> np.ndarray:
    """An exact pushforward of U[-1, 1]³ onto a Gaussian mixture: z₀ picks the component
    (K equal slices), (z₁, z₂) give its Gaussian noise by Box–Muller."""
    u = (z.double().numpy() + 1) / 2
    count = len(target.centres)
    component = np.minimum((u[:, 0] * count).astype(int), count - 1)
    radius = np.sqrt(-2 * np.log(np.clip(u[:, 1], 1e-12, 1)))
    angle = 2 * np.pi * u[:, 2]
    noise = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return target.centres[component] + target.sigma * noise


@pytest.mark.parametrize("name", ["grid25", "ring8", "gaussian"])
def test_optimal_discriminator_of_a_perfect_generator_is_half(name):
    # the display's settings: view box, 64 cells, h = 1.5 cells, 4096 quasi-random z. Over 4
    # Sobol scramblings: grid25 0.46–0.53, ring8 0.49–0.50, gaussian 0.49–0.51 where shown
    # (from 512 independent display points it was 0.26–0.79 on grid25)
    target = TARGETS[name]()
    box, resolution = target.view_box, 64
    bandwidth = fields.kernel_bandwidth(box, resolution)
    p_data = fields.smoothed_target_density(target, box, resolution, bandwidth)
    z = fields.quasi_random_latent(fields.DENSITY_SAMPLES, 3, "uniform")
    d_star = fields.optimal_discriminator_field(p_data, _perfect_generator(target, z), box,
                                                resolution, bandwidth)
    shown = np.isfinite(d_star)
    assert np.abs(d_star[shown] - 0.5).max() <= 0.05
    # and it is shown nearly everywhere the data is (≥ 1% of its peak)
    where_data = p_data >= 0.01 * p_data.max()
    assert (shown & where_data).sum() >= 0.85 * where_data.sum()


def test_optimal_discriminator_field_keeps_certain_cells_where_the_model_is_absent():
    target = TARGETS["ring8"]()
    box, resolution = target.view_box, 64
    bandwidth = fields.kernel_bandwidth(box, resolution)
    p_data = fields.smoothed_target_density(target, box, resolution, bandwidth)
    collapsed = target.centres[0] + 0.01 * np.random.default_rng(0).standard_normal((4096, 2))
    d_star = fields.optimal_discriminator_field(p_data, collapsed, box, resolution, bandwidth)
    i, j = (np.abs(axis - value).argmin() for axis, value in
            zip(fields.grid_axes(box, resolution), target.centres[4], strict=True))
    assert d_star[i, j] > 0.99  # the opposite mode: data and no model, D* ≈ 1 for sure
    i, j = (np.abs(axis - value).argmin() for axis, value in
            zip(fields.grid_axes(box, resolution), target.centres[0], strict=True))
    assert d_star[i, j] < 0.2  # the model's pile: 1/8 of the data against all of p_g


def test_effective_count_of_repeated_and_single_points():
    box = ViewBox((-2.0, -2.0), (2.0, 2.0))
    one = fields.effective_count(np.zeros((1, 2)), box, 16, 0.3)
    assert np.allclose(one, 1.0)
    same = fields.effective_count(np.zeros((50, 2)), box, 16, 0.3)
    assert np.allclose(same, 50.0)


def test_quasi_random_latent_is_fixed_and_has_the_right_law():
    uniform = fields.quasi_random_latent(4096, 2, "uniform")
    assert torch.equal(uniform, fields.quasi_random_latent(4096, 2, "uniform"))
    assert uniform.shape == (4096, 2) and uniform.abs().max() <= 1
    # a low-discrepancy set: each quarter of the square holds 1024 points up to a few
    quarter = ((uniform[:, 0] < 0) & (uniform[:, 1] < 0)).sum().item()
    assert abs(quarter - 1024) <= 4
    gaussian = fields.quasi_random_latent(4096, 3, "gaussian")
    assert gaussian.mean(0).abs().max() < 0.01 and (gaussian.std(0) - 1).abs().max() < 0.01


def test_outside_counts_say_where_points_left():
    box = ViewBox((-1.0, -1.0), (1.0, 1.0))
    points = np.array([[0, 0], [0.5, -0.5], [5, 0], [5, 5], [-3, 0.2], [0, -9], [np.nan, 0]])
    counts = fields.outside_counts(points, box)
    assert counts[1, 1] == 2 and counts[2, 1] == 1 and counts[2, 2] == 1
    assert counts[0, 1] == 1 and counts[1, 0] == 1 and counts.sum() == 6
    line = fields.outside_counts(np.array([[-5.0], [0.0], [7.0], [8.0]]), ViewBox((-1.0,), (1.0,)))
    assert line.tolist() == [1, 1, 2]


def test_smoothed_density_cache_is_filled_once_by_concurrent_threads():
    import threading

    target = TARGETS["square"]()  # no mixture form: a 20,000-sample KDE (slow enough to race)
    box = target.view_box
    results = []
    barrier = threading.Barrier(4)

    def ask():
        barrier.wait()
        results.append(fields.smoothed_target_density(target, box, 32, 0.1))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(r is results[0] for r in results)
    assert len(target._smoothed_density_cache) == 1


def test_snapshot_carries_outside_counts_and_a_masked_optimal_discriminator(small_config):
    from ganlab.core.snapshot import SnapshotRequest, Snapshotter

    small_config.target.name = "ring8"
    trainer = Trainer(small_config)
    snapshot = Snapshotter(trainer, display_samples=64).take(SnapshotRequest(resolution=32))
    counts = snapshot.outside_counts
    assert counts.shape == (3, 3) and counts.sum() == 64
    assert counts[1, 1] == fields.outside_counts(snapshot.fake, snapshot.box)[1, 1]
    d_star = snapshot.optimal_discriminator
    assert d_star.shape == (32, 32)
    shown = d_star[np.isfinite(d_star)]
    assert shown.size and ((shown >= 0) & (shown <= 1)).all()


@pytest.mark.parametrize(("name", "drawn"), [("mmd", True), ("sliced-wasserstein", False)])
def test_without_a_discriminator_only_a_witness_function_is_drawn(small_config, name, drawn):
    small_config.objective.name = name
    trainer = Trainer(small_config)
    values = fields.critic_on_grid(trainer, ViewBox((-1.0, -1.0), (1.0, 1.0)), 8)
    assert (values is not None) == drawn == trainer.objective.witness_function
    if drawn:
        assert values.shape == (8, 8) and np.isfinite(values).all()
