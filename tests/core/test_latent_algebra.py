"""Latent paths and sums against their closed forms, and the images G draws for them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.core.generator_curves import arithmetic_images, interpolation_path
from ganlab.core.latent_algebra import latent_arithmetic, latent_path, lerp, slerp
from ganlab.core.trainer import Trainer
from tests.image_configs import tiny_image_config as image_config


def angle(u, v):
    return float(np.arccos(np.clip(u @ v / np.linalg.norm(u) / np.linalg.norm(v), -1, 1)))


def test_slerp_of_equal_norm_ends_keeps_the_norm_and_splits_the_angle_evenly():
    rng = np.random.default_rng(0)
    start, end = rng.standard_normal((2, 32))
    end *= np.linalg.norm(start) / np.linalg.norm(end)
    t = np.linspace(0, 1, 11)
    path = slerp(start, end, t)
    np.testing.assert_allclose(path[0], start, atol=1e-12)
    np.testing.assert_allclose(path[-1], end, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(start), rtol=1e-12)
    omega = angle(start, end)
    np.testing.assert_allclose([angle(start, z) for z in path], t * omega, atol=1e-9)
    np.testing.assert_allclose([angle(z, end) for z in path], (1 - t) * omega, atol=1e-9)
    # the classic closed form sin((1−t)Ω)/sin Ω · z0 + sin(tΩ)/sin Ω · z1 for equal norms
    classic = (np.sin((1 - t) * omega)[:, None] * start
               + np.sin(t * omega)[:, None] * end) / np.sin(omega)
    np.testing.assert_allclose(path, classic, atol=1e-12)


def test_the_straight_line_cuts_inside_the_gaussian_shell_and_slerp_does_not():
    rng = np.random.default_rng(1)
    start, end = rng.standard_normal((2, 128))
    middle_line, middle_arc = lerp(start, end, 0.5)[0], slerp(start, end, 0.5)[0]
    shell = np.sqrt(128)  # where a 128-dimensional N(0, I) sample lies
    assert np.linalg.norm(middle_line) < 0.8 * shell  # nearly orthogonal ends: about 1/√2
    assert np.linalg.norm(middle_arc) == pytest.approx(
        (np.linalg.norm(start) + np.linalg.norm(end)) / 2, rel=1e-12)


def test_unequal_norms_antipodal_parallel_and_one_dimensional_ends():
    start = np.array([3.0, 0.0])
    path = slerp(start, np.array([0.0, 1.0]), np.array([0.0, 0.5, 1.0]))
    np.testing.assert_allclose(path[1], 2.0 * np.array([np.cos(np.pi / 4), np.sin(np.pi / 4)]))
    opposite = slerp(np.array([1.0, 0.0, 0.0]), np.array([-1.0, 0.0, 0.0]), np.linspace(0, 1, 5))
    np.testing.assert_allclose(np.linalg.norm(opposite, axis=1), 1.0)
    np.testing.assert_allclose(opposite[-1], [-1.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(slerp(start, 2 * start, np.array([0.5])), [[4.5, 0.0]])
    np.testing.assert_allclose(slerp(np.array([2.0]), np.array([-1.0]), np.array([0.5])),
                               [[0.5]])
    assert latent_path(start, start, 7, spherical=True).shape == (7, 2)
    with pytest.raises(ValueError, match="one size"):
        slerp(np.zeros(3), np.zeros(4), np.array([0.5]))


def test_latent_arithmetic_is_a_minus_b_plus_c():
    a, b, c = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([-2.0, 4.0])
    np.testing.assert_allclose(latent_arithmetic(a, b, c), [-1.5, 7.0])
    with pytest.raises(ValueError):
        latent_arithmetic(a, b, np.zeros(3))


def test_a_spherical_image_path_is_g_along_slerp():
    trainer = Trainer(image_config(conditional=True))
    rng = np.random.default_rng(2)
    start, end = rng.standard_normal((2, 8))
    path = interpolation_path(trainer, start, end, steps=6, label=7, spherical=True)
    latent = torch.as_tensor(slerp(start, end, np.linspace(0, 1, 6)), dtype=torch.float32)
    np.testing.assert_allclose(path, trainer.sample(6, latent=latent,
                                                    labels=torch.full((6,), 7)), atol=1e-6)
    straight = interpolation_path(trainer, start, end, steps=6, label=7)
    assert np.abs(path[2:4] - straight[2:4]).max() > 1e-4  # the two paths differ inside


def test_arithmetic_images_are_g_of_each_point_and_of_the_sum():
    trainer = Trainer(image_config(conditional=True))
    a, b, c = np.random.default_rng(3).standard_normal((3, 8))
    images = arithmetic_images(trainer, a, b, c, labels=(1, 2, 5))
    assert images.shape == (4, 1, 8, 8)
    latent = torch.as_tensor(np.stack([a, b, c, a - b + c]), dtype=torch.float32)
    expected = trainer.sample(4, latent=latent, labels=torch.tensor([1, 2, 5, 5]))
    np.testing.assert_allclose(images, expected, atol=1e-6)
    alone = trainer.sample(1, latent=latent[3:], labels=torch.tensor([5]))
    np.testing.assert_allclose(images[3:], alone, atol=1e-6)  # not a batch effect
