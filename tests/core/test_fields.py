import numpy as np
import pytest
import torch

from ganlab.core import fields
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
    lines = fields.latent_manifold(trainer, lines=5, points_per_line=7)
    assert len(lines) == 10 and all(line.shape == (7, 2) for line in lines)
    z0, z1 = np.array([-1.0, 0.5]), np.array([2.0, 0.0])
    path = fields.interpolation_path(trainer, z0, z1, steps=9)
    assert path.shape == (9, 2)
    ends = trainer.sample(2, latent=torch.tensor(np.stack([z0, z1]), dtype=torch.float32))
    assert np.allclose(path[[0, -1]], ends, atol=1e-6)
    small_config.model.latent_dim = 1
    small_config.target.name = "bimodal-1d"
    trainer = Trainer(small_config)
    assert len(fields.latent_manifold(trainer)) == 1
    z, x = fields.pushforward_curve(trainer, points=50)
    assert z.shape == (50,) and x.shape == (50, 1)
    assert z[0] == -2.5 and z[-1] == 2.5


def test_contour_segments_trace_a_circle():
    box = ViewBox((-2.0, -2.0), (2.0, 2.0))
    points = fields.grid_points(box, 80)
    radius = np.hypot(points[:, 0], points[:, 1]).reshape(80, 80)
    segments = fields.contour_segments(radius, 1.0, box)
    assert segments.shape[0] % 2 == 0 and len(segments) > 100
    # every end lies on the circle (linear interpolation of a cone: error ≪ a cell)
    assert np.abs(np.hypot(segments[:, 0], segments[:, 1]) - 1.0).max() < 0.01
    # and the segments go all the way round: total length ≈ 2π
    length = np.linalg.norm(segments[1::2] - segments[0::2], axis=1).sum()
    assert length == pytest.approx(2 * np.pi, rel=0.01)
    assert fields.contour_segments(radius, 5.0, box).shape == (0, 2)
