import re

import numpy as np
import pytest
import torch

from ganlab.core.data_store import DATA
from ganlab.core.devices import DeviceUnavailableError, available_devices, resolve_device
from ganlab.core.metrics import wasserstein1
from ganlab.core.snapshot import SnapshotRequest, Snapshotter
from ganlab.core.targets import PointCloud
from ganlab.core.trainer import Trainer


def _weights(module):
    return [p.detach().clone() for p in module.parameters()]


def _same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_critic_and_generator_steps_are_counted(small_config):
    small_config.training.critic_steps = 3
    small_config.training.generator_steps = 2
    trainer = Trainer(small_config)
    trainer.train(4)
    assert (trainer.iteration, trainer.critic_updates, trainer.generator_updates) == (4, 12, 8)
    trainer.step(generator=False)
    assert (trainer.critic_updates, trainer.generator_updates) == (15, 8)
    trainer.step(discriminator=False)
    assert (trainer.critic_updates, trainer.generator_updates) == (15, 10)


def test_k_zero_trains_only_the_generator(small_config):
    small_config.training.critic_steps = 0
    trainer = Trainer(small_config)
    d_before, g_before = _weights(trainer.discriminator), _weights(trainer.generator)
    trainer.train(3)
    assert _same(d_before, _weights(trainer.discriminator))
    assert not _same(g_before, _weights(trainer.generator))


def test_discriminator_step_leaves_the_generator_alone(small_config):
    trainer = Trainer(small_config)
    g_before = _weights(trainer.generator)
    trainer.step(generator=False)
    assert _same(g_before, _weights(trainer.generator))
    # and a generator step leaves D's weights and gradients flag intact
    d_before = _weights(trainer.discriminator)
    trainer.step(discriminator=False)
    assert _same(d_before, _weights(trainer.discriminator))
    assert all(p.requires_grad for p in trainer.discriminator.parameters())


def test_discriminator_free_objectives_never_touch_d(small_config):
    for name in ("mmd", "sliced-wasserstein"):
        small_config.objective.name = name
        trainer = Trainer(small_config)
        d_before = _weights(trainer.discriminator)
        trainer.train(3)
        assert _same(d_before, _weights(trainer.discriminator))
        assert trainer.critic_updates == 0 and trainer.generator_updates == 3


@pytest.mark.parametrize("objective", ["non-saturating", "wgan-gp", "wgan", "hinge", "mmd"])
def test_seeded_cpu_runs_repeat_bit_for_bit(small_config, objective):
    small_config.objective.name = objective
    a, b = Trainer(small_config), Trainer(small_config)
    a.train(5)
    b.train(5)
    assert _same(_weights(a.generator), _weights(b.generator))
    assert _same(_weights(a.discriminator), _weights(b.discriminator))
    small_config.training.seed = 1
    c = Trainer(small_config)
    c.train(5)
    assert not _same(_weights(a.generator), _weights(c.generator))


def test_snapshots_do_not_change_the_training(small_config):
    a, b = Trainer(small_config), Trainer(small_config)
    snapshotter = Snapshotter(b)
    for _ in range(3):
        a.step()
        b.step()
        snapshotter.take(SnapshotRequest(resolution=16, metrics=True))
    assert _same(_weights(a.generator), _weights(b.generator))


def test_hyperparameters_change_between_iterations_without_losing_state(small_config):
    trainer = Trainer(small_config)
    trainer.train(3)
    weights = _weights(trainer.generator)
    new = trainer.config.copy()
    new.generator_optimizer.learning_rate = 0.0123
    new.discriminator_optimizer.beta1 = 0.1
    new.training.critic_steps = 4
    new.training.batch_size = 17
    new.objective.name = "hinge"
    change = trainer.apply_config(new)
    assert not change.rebuilt
    assert set(change.fields) == {
        "generator_optimizer.learning_rate", "discriminator_optimizer.beta1",
        "training.critic_steps", "training.batch_size", "objective.name",
    }
    assert _same(weights, _weights(trainer.generator)) and trainer.iteration == 3
    assert trainer.objective.name == "hinge"
    trainer.step()
    assert trainer.generator_optimizer.param_groups[0]["lr"] == pytest.approx(0.0123)
    assert trainer.discriminator_optimizer.param_groups[0]["betas"][0] == 0.1
    assert trainer.critic_updates == 3 + 4
    assert len(trainer.generator_optimizer.state) > 0  # Adam moments kept


def test_optimizer_swap_and_shape_change(small_config):
    trainer = Trainer(small_config)
    trainer.train(2)
    new = trainer.config.copy()
    new.discriminator_optimizer.name = "sgd"
    new.discriminator_optimizer.momentum = 0.9
    assert not trainer.apply_config(new).rebuilt
    assert isinstance(trainer.discriminator_optimizer, torch.optim.SGD)
    trainer.step()
    assert trainer.discriminator_optimizer.param_groups[0]["momentum"] == 0.9
    new = trainer.config.copy()
    new.model.generator.width = 9
    change = trainer.apply_config(new)
    assert change.rebuilt and trainer.iteration == 0
    assert trainer.generator[0].out_features == 9


def test_switching_target_keeps_the_networks(small_config):
    trainer = Trainer(small_config)
    trainer.train(2)
    weights = _weights(trainer.generator)
    new = trainer.config.copy()
    new.target.name = "ring8"
    change = trainer.apply_config(new)
    assert change.target_changed and not change.rebuilt
    assert trainer.target.name == "ring8"
    assert _same(weights, _weights(trainer.generator))
    trainer.step()
    # a 1D target needs a different output size: rebuild
    new = trainer.config.copy()
    new.target.name = "bimodal-1d"
    assert trainer.apply_config(new).rebuilt
    assert trainer.sample(5).shape == (5, 1)


def test_painted_points_target(small_config):
    small_config.target.name = "custom"
    small_config.target.data = DATA.put(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    trainer = Trainer(small_config)
    trainer.train(2)
    assert isinstance(trainer.target, PointCloud)
    new = trainer.config.copy()
    new.target.data = DATA.put(np.array([[5.0, 5.0], [6.0, 6.0]]))
    trainer.apply_config(new)
    assert trainer.target.points.tolist() == [[5.0, 5.0], [6.0, 6.0]]


def test_state_dict_resumes_with_identical_numbers(small_config):
    a = Trainer(small_config)
    a.train(3)
    state = a.state_dict()
    a.train(4)
    b = Trainer(small_config)
    b.load_state_dict(state)
    b.train(4)
    assert b.iteration == 7
    assert _same(_weights(a.generator), _weights(b.generator))
    assert _same(_weights(a.discriminator), _weights(b.discriminator))


def test_learning_rate_schedule_decays(small_config):
    small_config.training.lr_schedule = "cosine"
    small_config.training.iterations = 10
    trainer = Trainer(small_config)
    trainer.train(10)
    trainer.step()
    assert trainer.generator_optimizer.param_groups[0]["lr"] == pytest.approx(0.05 * 1e-3)


def test_devices():
    assert available_devices()[0] == "cpu"
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")
    with pytest.raises(DeviceUnavailableError, match="not a device name"):
        resolve_device("gpu0")
    if not torch.cuda.is_available():
        with pytest.raises(DeviceUnavailableError, match="CUDA was requested"):
            resolve_device("cuda")
    assert resolve_device(" CPU ") == torch.device("cpu")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "'' is not a device name"),
        ("   ", "'' is not a device name"),
        (None, "None is not a device name"),
        ("cpu:5", "'cpu:5': only CUDA devices take an index; use cpu without one"),
        ("cpu:0", "only CUDA devices take an index"),
        ("mps:0", "only CUDA devices take an index; use mps without one"),
        ("tpu", "'tpu' is not a device name; use auto, cpu, cuda, cuda:N or mps"),
        ("meta", "device type 'meta' is not supported"),
        ("cuda:-1", "is not a device name"),
    ],
)
def test_device_names_are_checked(name, message):
    with pytest.raises(DeviceUnavailableError, match=re.escape(message)):
        resolve_device(name)


def test_cuda_index_beyond_the_device_count_is_refused():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA here")
    index = torch.cuda.device_count()
    with pytest.raises(DeviceUnavailableError, match=f"only {index} CUDA device"):
        resolve_device(f"cuda:{index}")


def test_state_is_finite_sees_weights_and_optimizer_moments(small_config):
    trainer = Trainer(small_config)
    trainer.train(2)
    assert trainer.state_is_finite()
    state = next(iter(trainer.generator_optimizer.state.values()))
    state["exp_avg_sq"].view(-1)[0] = float("inf")
    assert trainer.parameters_are_finite() and not trainer.state_is_finite()


def test_training_on_a_gaussian_moves_samples_to_it(small_config):
    small_config.target.name = "gaussian"
    small_config.model.standardize_data = False  # start far away: G(z) ≈ 0, target at (1, 1)
    trainer = Trainer(small_config)
    real = trainer.sample_real(500)
    before = wasserstein1(real, trainer.sample(500))
    trainer.train(300)
    after = wasserstein1(real, trainer.sample(500))
    assert after < 0.5 * before
    assert after < 0.3


def test_half_iterations_for_slow_motion(small_config):
    trainer = Trainer(small_config)
    trainer.step(generator=False, complete_iteration=False)
    assert (trainer.iteration, trainer.critic_updates, trainer.generator_updates) == (0, 1, 0)
    trainer.step(discriminator=False)
    assert (trainer.iteration, trainer.critic_updates, trainer.generator_updates) == (1, 1, 1)
