"""The engine on images: targets, networks by data kind, conditional batches, live changes,
sessions. Small sizes (8×8 digits, narrow networks, small batches) keep it fast."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.data_store import DATA
from ganlab.core.objectives import OBJECTIVES
from ganlab.core.session_file import Session, load_session, save_session
from ganlab.core.targets import ImageTarget, make_target
from ganlab.core.trainer import Trainer
from tests.image_configs import tiny_image_config as image_config


def test_image_batches_come_with_their_own_labels():
    target = make_target(image_config().target)
    assert isinstance(target, ImageTarget)
    assert target.data_kind == "images" and target.shape == (1, 8, 8) and target.num_classes == 10
    images, labels = target.sample_labelled(64, torch.Generator().manual_seed(0))
    assert images.shape == (64, 1, 8, 8) and images.min() >= 0 and images.max() <= 1
    data = target.data
    flat = data.images.reshape(len(data.images), -1)
    for image, label in zip(images.numpy(), labels.numpy(), strict=True):
        index = np.flatnonzero((flat == image.reshape(-1)).all(axis=1))
        assert len(index) >= 1 and label in data.labels[index]


@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("objective", sorted(OBJECTIVES))
def test_every_objective_trains_on_images_without_nan(objective, conditional):
    trainer = Trainer(image_config(conditional=conditional, objective=objective))
    assert trainer.architecture == "dcgan" and trainer.conditional == conditional
    before = [p.detach().clone() for p in trainer.generator.parameters()]
    trainer.train(3)
    d_loss, g_loss = trainer.read_losses()
    assert g_loss is not None and np.isfinite(g_loss)
    assert d_loss is None or np.isfinite(d_loss)
    assert trainer.parameters_are_finite()
    moved = any(not torch.equal(a, b) for a, b in zip(before, trainer.generator.parameters(),
                                                         strict=True))
    assert moved
    samples = trainer.sample(6)
    assert samples.shape == (6, 1, 8, 8)
    assert np.isfinite(samples).all() and samples.min() >= 0 and samples.max() <= 1


def test_a_conditional_generator_draws_the_class_it_is_given():
    trainer = Trainer(image_config(conditional=True))
    z = torch.zeros(2, 8)
    zeros = trainer.sample(2, latent=z, labels=torch.tensor([0, 0]))
    other = trainer.sample(2, latent=z, labels=torch.tensor([0, 7]))
    np.testing.assert_array_equal(zeros[0], other[0])
    assert not np.array_equal(zeros[1], other[1])


def test_settings_the_data_cannot_have_are_clear_errors():
    points = RunConfig()
    points.model.conditional = True
    with pytest.raises(ConfigError, match="labelled"):
        Trainer(points)
    points.model.conditional = False
    points.model.architecture = "dcgan"
    with pytest.raises(ConfigError, match="dcgan is for images"):
        Trainer(points)
    unlabelled = image_config()
    images = np.random.default_rng(0).random((20, 1, 8, 8), dtype=np.float32)
    unlabelled.target.name = "custom"
    unlabelled.target.data = DATA.put(images)
    unlabelled.model.conditional = True
    with pytest.raises(ConfigError, match="custom has no labels"):
        Trainer(unlabelled)


def test_a_change_of_data_shape_rebuilds_and_a_change_of_rate_does_not():
    trainer = Trainer(image_config())
    trainer.train(2)
    faster = trainer.config.replaced("generator_optimizer.learning_rate", 5e-4)
    assert not trainer.apply_config(faster).rebuilt and trainer.iteration == 2
    bigger = trainer.config.replaced("target.resolution", 16)
    change = trainer.apply_config(bigger)
    assert change.rebuilt and change.target_changed and trainer.iteration == 0
    assert trainer.sample(2).shape == (2, 1, 16, 16)
    to_points = trainer.config.replaced("target.name", "ring8")
    assert trainer.apply_config(to_points).rebuilt
    assert trainer.architecture == "mlp" and trainer.sample(3).shape == (3, 2)


def test_custom_images_from_the_store_train_and_travel_in_a_session(tmp_path):
    rng = np.random.default_rng(1)
    images = rng.random((30, 1, 8, 8), dtype=np.float32)
    labels = np.arange(30, dtype=np.int64) % 3
    config = image_config(conditional=True)
    config.target.name = "custom"
    config.target.data, config.target.labels = DATA.put(images), DATA.put(labels)
    trainer = Trainer(config)
    assert trainer.target.num_classes == 3
    trainer.train(2)
    path = save_session(Session(trainer), tmp_path / "images.ganlab")
    restored = load_session(path).trainer
    np.testing.assert_array_equal(restored.target.data.images, images)
    np.testing.assert_array_equal(restored.target.data.labels, labels)
    z = torch.randn(4, 8, generator=torch.Generator().manual_seed(3))
    y = torch.tensor([0, 1, 2, 0])
    np.testing.assert_array_equal(restored.sample(4, latent=z, labels=y),
                                  trainer.sample(4, latent=z, labels=y))
    trainer.train(3)
    restored.train(3)
    np.testing.assert_array_equal(restored.sample(4, latent=z, labels=y),
                                  trainer.sample(4, latent=z, labels=y))


def test_a_named_image_target_resumes_exactly_from_its_session(tmp_path):
    trainer = Trainer(image_config(target="shapes", side=16))
    trainer.train(2)
    path = save_session(Session(trainer), tmp_path / "shapes.ganlab")
    restored = load_session(path).trainer
    assert restored.config.target.name == "shapes" and restored.config.target.data is None
    trainer.train(2)
    restored.train(2)
    z = torch.randn(3, 8, generator=torch.Generator().manual_seed(0))
    np.testing.assert_array_equal(restored.sample(3, latent=z), trainer.sample(3, latent=z))


def test_an_image_snapshot_shows_fixed_grids_scores_and_true_nearest_images():
    from ganlab.core.snapshot import SnapshotRequest, Snapshotter

    trainer = Trainer(image_config(conditional=True))
    trainer.train(2)
    snapshotter = Snapshotter(trainer)
    first = snapshotter.take(SnapshotRequest())
    assert first.data_kind == "images" and first.real.shape == (32, 1, 8, 8)
    assert first.fake.shape == (60, 1, 8, 8)  # 10 classes × 6
    np.testing.assert_array_equal(first.fake_labels, np.repeat(np.arange(10), 6))
    assert first.class_names == tuple(str(k) for k in range(10))
    assert first.fake_scores.shape == (60,) and ((first.fake_scores > 0) &
                                                 (first.fake_scores < 1)).all()
    pool = trainer.target.data.images.reshape(len(trainer.target.data.images), -1)
    for image, nearest, distance in zip(first.fake, first.nearest_real, first.nearest_distance,
                                        strict=True):
        brute = np.sqrt(((pool - image.reshape(-1)) ** 2).sum(axis=1))
        assert distance == pytest.approx(brute.min(), abs=1e-4)
        assert np.sqrt(((nearest - image) ** 2).sum()) == pytest.approx(brute.min(), abs=1e-4)
    np.testing.assert_array_equal(first.latent[:6], first.latent[6:12])  # a column: one z
    assert not np.array_equal(first.latent[0], first.latent[1])
    second = snapshotter.take(SnapshotRequest())
    np.testing.assert_array_equal(second.latent, first.latent)  # the same z every frame
    np.testing.assert_array_equal(second.real, first.real)


def test_an_image_interpolation_row_draws_one_class():
    from ganlab.core.generator_curves import interpolation_path

    trainer = Trainer(image_config(conditional=True))
    start, end = np.zeros(8), np.ones(8)
    path = interpolation_path(trainer, start, end, steps=5, label=3)
    assert path.shape == (5, 1, 8, 8)
    again = trainer.sample(5, latent=torch.linspace(0, 1, 5)[:, None].expand(5, 8),
                           labels=torch.full((5,), 3))
    np.testing.assert_allclose(path, again, atol=1e-6)


def test_settings_that_cannot_be_built_leave_the_trainer_as_it_was():
    trainer = Trainer(image_config())
    trainer.train(2)
    before = trainer.state_dict()
    odd = np.random.default_rng(0).random((10, 1, 12, 12), dtype=np.float32)  # 12×12: no net
    bad = trainer.config.replaced("target.name", "custom").replaced("target.data",
                                                                  DATA.put(odd))
    with pytest.raises(ValueError, match="12"):
        trainer.apply_config(bad)
    assert trainer.config.target.name == "digits" and trainer.target.shape == (1, 8, 8)
    assert trainer.iteration == 2
    for name in ("generator", "discriminator"):
        for key, value in before[name].items():
            assert torch.equal(value, trainer.state_dict()[name][key])
    trainer.train(1)  # and it trains on
    assert trainer.iteration == 3
    points = trainer.config.replaced("model.conditional", True).replaced("target.name", "ring8")
    with pytest.raises(ConfigError, match="labelled"):
        trainer.apply_config(points)
    assert trainer.target.data_kind == "images" and not trainer.config.model.conditional
