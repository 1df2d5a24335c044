"""The generator's weight average (core/ema.py) against its formula, in the trainer, in
sessions and in exports."""

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from ganlab.core.ema import GeneratorAverage, averaging, warmup_decay
from ganlab.core.export import export_generator
from ganlab.core.session_file import Session, load_session, save_session
from ganlab.core.trainer import Trainer
from tests.image_configs import tiny_image_config


def _image_config(decay=0.999, conditional=False):
    config = tiny_image_config(conditional=conditional)
    config.training.generator_ema = decay
    return config.validate()


def test_warmup_decay_is_min_of_beta_and_one_plus_t_over_ten_plus_t():
    assert warmup_decay(0.999, 1) == pytest.approx(2 / 11)
    assert warmup_decay(0.999, 90) == pytest.approx(91 / 100)
    assert warmup_decay(0.9, 90) == 0.9  # 91/100 > 0.9
    assert warmup_decay(0.999, 10**6) == 0.999


def test_one_update_by_hand_averages_weights_and_batch_norm_statistics():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    before = {k: v.clone() for k, v in net.state_dict().items()}
    average = GeneratorAverage(net, decay=0.999)
    with torch.no_grad():  # an "update": new weights, and a forward in train mode for BN
        net[0].weight.add_(1.0)
        net[0].bias.sub_(0.5)
        net(torch.randn(8, 3))
    average.update()
    beta = 2 / 11  # β_1 = min(0.999, (1 + 1) / (10 + 1))
    averaged = average.module.state_dict()
    for name, value in net.state_dict().items():
        if value.is_floating_point():
            expected = beta * before[name] + (1 - beta) * value
            assert torch.allclose(averaged[name], expected, atol=1e-6), name
        else:  # the update counter of batch norm is copied
            assert torch.equal(averaged[name], value)
    assert averaged["1.running_mean"].abs().sum() > 0  # BN statistics were averaged in
    assert average.updates == 1 and not average.module.training


def test_the_average_is_frozen_and_separate_from_the_generator():
    net = nn.Linear(2, 2)
    average = GeneratorAverage(net, 0.5)
    assert not any(p.requires_grad for p in average.module.parameters())
    with torch.no_grad():
        net.weight.zero_()
    assert average.module.weight.abs().sum() > 0


def test_averaging_follows_the_setting():
    net = nn.Linear(2, 2)
    assert averaging(None, net, 0.0) is None
    average = averaging(None, net, 0.99)
    assert averaging(average, net, 0.9) is average and average.decay == 0.9
    assert averaging(average, net, 0.0) is None


def test_trainer_step_averages_the_generator_by_the_formula():
    trainer = Trainer(_image_config(0.999))
    initial = {k: v.clone() for k, v in trainer.generator.state_dict().items()}
    trainer.step()  # one D update, one G update
    beta = 2 / 11
    for name, value in trainer.generator.state_dict().items():
        if value.is_floating_point():
            expected = beta * initial[name] + (1 - beta) * value
            assert torch.allclose(trainer.generator_average.module.state_dict()[name],
                                  expected, atol=1e-6), name
    assert not torch.equal(next(trainer.generator.parameters()),
                           next(trainer.generator_average.module.parameters()))


def test_samples_come_from_the_average_unless_raw_is_asked():
    trainer = Trainer(_image_config(0.999))
    trainer.train(3)
    z = torch.randn(6, 8, generator=torch.Generator().manual_seed(1))
    averaged, raw = trainer.sample(6, latent=z), trainer.sample(6, latent=z, averaged=False)
    assert not np.allclose(averaged, raw)
    network = trainer.generator_average.module
    expected = 0.5 + 0.5 * network(z).numpy()  # images: x = 0.5 + 0.5 · tanh output
    assert np.allclose(averaged, expected, atol=1e-6)
    off = Trainer(_image_config(0.0))
    off.train(3)
    assert off.generator_average is None
    assert np.array_equal(off.sample(6, latent=z), off.sample(6, latent=z, averaged=False))


def test_switching_averaging_on_and_off_while_training():
    trainer = Trainer(_image_config(0.0))
    trainer.train(2)
    change = trainer.apply_config(_image_config(0.99))
    assert not change.rebuilt and change.fields == ("training.generator_ema",)
    average = trainer.generator_average
    assert average.updates == 0 and average.decay == 0.99
    assert all(torch.equal(a, b) for a, b in zip(average.module.state_dict().values(),
                                                 trainer.generator.state_dict().values(),
                                                 strict=True))
    z = torch.randn(4, 8)
    trainer.train(2)
    assert average.updates == 2
    assert not np.allclose(trainer.sample(4, latent=z), trainer.sample(4, latent=z,
                                                                       averaged=False))
    trainer.apply_config(_image_config(0.5))
    assert trainer.generator_average is average and average.decay == 0.5
    trainer.apply_config(_image_config(0.0))
    assert trainer.generator_average is None
    assert np.array_equal(trainer.sample(4, latent=z), trainer.sample(4, latent=z,
                                                                      averaged=False))


def _average_tensors(trainer):
    return list(trainer.generator_average.module.state_dict().values())


def test_state_dict_continues_the_average_exactly():
    first = Trainer(_image_config(0.9))
    first.train(4)
    state = first.state_dict()
    first.train(3)
    second = Trainer(_image_config(0.9))
    second.load_state_dict(state)
    assert second.generator_average.updates == 4
    second.train(3)
    assert second.generator_average.updates == 7
    assert all(torch.equal(a, b) for a, b in zip(_average_tensors(first),
                                                 _average_tensors(second), strict=True))


def test_a_state_saved_without_averaging_restarts_it_from_the_loaded_generator():
    off = Trainer(_image_config(0.0))
    off.train(3)
    on = Trainer(_image_config(0.9))
    on.load_state_dict(off.state_dict())
    assert on.generator_average.updates == 0
    assert all(torch.equal(a, b) for a, b in zip(_average_tensors(on),
                                                 off.generator.state_dict().values(),
                                                 strict=True))


@pytest.mark.parametrize("conditional", [False, True])
def test_session_with_averaging_resumes_exactly(tmp_path, conditional):
    uninterrupted = Trainer(_image_config(0.95, conditional=conditional))
    uninterrupted.train(5)
    path = save_session(Session(uninterrupted), tmp_path / "ema.ganlab")
    uninterrupted.train(4)
    resumed = load_session(path).trainer
    assert resumed.generator_average.updates == 5
    resumed.train(4)
    assert all(torch.equal(a, b) for a, b in zip(_average_tensors(uninterrupted),
                                                 _average_tensors(resumed), strict=True))
    assert np.array_equal(uninterrupted.sample(20), resumed.sample(20))


def test_export_carries_the_averaged_weights(tmp_path):
    trainer = Trainer(_image_config(0.9))
    trainer.train(4)
    weights_path, description_path = export_generator(trainer, tmp_path / "g")
    weights = load_file(weights_path)
    averaged = trainer.generator_average.module.state_dict()
    assert weights.keys() == averaged.keys()
    assert all(torch.equal(weights[k], averaged[k]) for k in weights)
    raw = trainer.generator.state_dict()
    assert not all(torch.equal(weights[k], raw[k]) for k in weights)
    assert json.loads(description_path.read_text())["iteration"] == 4
