"""The VAE beside the GAN: its formulas against closed forms, torch's distributions and Monte
Carlo, and its trainer against what a run promises (the GAN's generator as decoder, a rising
ELBO, every mode covered on an easy target, an exact continuation, settings it cannot have)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganlab.core.config import ConfigError, NetworkConfig, RunConfig
from ganlab.core.metrics import evaluate
from ganlab.core.snapshot import Snapshotter
from ganlab.core.trainer import Trainer
from ganlab.core.vae import (
    gaussian_log_likelihood,
    kl_to_standard_normal,
    reparameterise,
)
from ganlab.core.vae_trainer import VaeTrainer, make_trainer


def small_vae(target: str = "ring8", seed: int = 0) -> RunConfig:
    config = RunConfig().merged({
        "target": {"name": target},
        "model": {"family": "vae", "generator": {"hidden_layers": 2, "width": 64}},
        "training": {"batch_size": 128, "seed": seed, "device": "cpu",
                     "lr_schedule": "constant"}})
    config.model.discriminator = NetworkConfig(hidden_layers=1, width=8)
    return config.validate()


def test_kl_matches_the_formula_written_out_and_torch_distributions():
    mean = torch.tensor([[1.0, -2.0], [0.0, 0.0]])
    variance = torch.tensor([[0.5, 2.0], [1.0, 1.0]])
    kl = kl_to_standard_normal(mean, variance.log())
    by_hand = 0.5 * ((1 + 0.5 - 1 - math.log(0.5)) + (4 + 2 - 1 - math.log(2.0)))
    assert kl[0].item() == pytest.approx(by_hand, rel=1e-6)
    assert kl[1].item() == pytest.approx(0.0, abs=1e-7)  # q = p
    q = torch.distributions.Normal(mean, variance.sqrt())
    p = torch.distributions.Normal(torch.zeros(2), torch.ones(2))
    expected = torch.distributions.kl_divergence(q, p).sum(-1)
    assert torch.allclose(kl, expected, atol=1e-6)


def test_kl_matches_a_monte_carlo_estimate_within_its_standard_error():
    mean, log_variance = torch.tensor([[0.7, -0.3, 1.5]]), torch.tensor([[-1.0, 0.4, -0.2]])
    rng = torch.Generator().manual_seed(1)
    z = reparameterise(mean.expand(200_000, 3), log_variance.expand(200_000, 3), rng)
    q = torch.distributions.Normal(mean, (0.5 * log_variance).exp())
    p = torch.distributions.Normal(0.0, 1.0)
    log_ratio = (q.log_prob(z) - p.log_prob(z)).sum(-1).double()
    estimate, error = log_ratio.mean().item(), log_ratio.std().item() / math.sqrt(len(z))
    assert abs(estimate - kl_to_standard_normal(mean, log_variance).item()) < 4 * error


def test_log_likelihood_is_the_gaussian_density_and_reparameterisation_passes_gradients():
    x = torch.tensor([[0.3, -1.0], [2.0, 0.5]])
    mean, log_variance = torch.tensor([[0.0, -0.5], [1.0, 1.0]]), torch.tensor([-0.5, 0.7])
    expected = torch.distributions.Normal(mean, (0.5 * log_variance).exp()).log_prob(x).sum(-1)
    assert torch.allclose(gaussian_log_likelihood(x, mean, log_variance), expected, atol=1e-6)
    mu = torch.zeros(50_000, 1, requires_grad=True)
    log_var = torch.full((50_000, 1), math.log(4.0), requires_grad=True)
    z = reparameterise(mu, log_var, torch.Generator().manual_seed(2))
    assert z.mean().item() == pytest.approx(0.0, abs=0.03)
    assert z.std().item() == pytest.approx(2.0, rel=0.02)
    z.sum().backward()  # ∂z/∂μ = 1, ∂z/∂log σ² = ½ σ ε = ½ z when μ = 0
    assert torch.allclose(mu.grad, torch.ones_like(mu))
    assert torch.allclose(log_var.grad, 0.5 * z.detach(), atol=1e-6)


def test_the_decoder_is_the_gan_generator_of_the_same_settings():
    vae = make_trainer(small_vae())
    gan = make_trainer(small_vae().merged({"model": {"family": "gan"}}))
    assert isinstance(vae, VaeTrainer) and type(gan) is Trainer
    assert str(vae.generator) == str(gan.generator)  # same layers, widths and activations
    for (name, a), (_, b) in zip(vae.generator.state_dict().items(),
                                 gan.generator.state_dict().items(), strict=True):
        assert torch.equal(a, b), name  # same initial weights: the same network, seeded alike
    encoder = vae.vae_parts.encoder
    assert encoder[0].out_features == 64 and encoder[-1].out_features == 2 * 2  # (μ, log σ²)


def test_a_vae_raises_its_elbo_and_covers_every_mode_of_the_ring():
    torch.set_num_threads(1)
    trainer = make_trainer(small_vae())
    trainer.train(20)
    trainer.read_losses()
    first = trainer.elbo_terms
    trainer.train(380)
    assert trainer.read_losses() == (None, None)
    last = trainer.elbo_terms
    assert last["elbo"] > first["elbo"] + 1.0  # nats per point
    assert last["elbo"] == pytest.approx(last["reconstruction"] - last["kl"])
    assert last["kl"] > 0.5  # the posterior is used, not collapsed onto the prior
    assert (trainer.iteration, trainer.generator_updates, trainer.critic_updates) == (400, 400, 0)
    metrics = evaluate(trainer)
    assert metrics["modes_covered"] == 8
    assert metrics["value_gap"] is None  # no discriminator, no critic gap


def test_a_vae_snapshot_has_its_elbo_terms_and_no_discriminator_fields():
    trainer = make_trainer(small_vae("bimodal-1d"))
    trainer.train(5)
    snapshot = Snapshotter(trainer, display_samples=64).take()
    assert set(snapshot.elbo_terms) == {"reconstruction", "kl", "elbo"}
    assert snapshot.objective == "vae" and snapshot.output_kind == "none"
    assert snapshot.critic is None and snapshot.optimal_discriminator is None
    assert snapshot.gradients is None and snapshot.target_density is not None
    assert snapshot.fake.shape == (64, 1) and snapshot.finite
    assert (snapshot.discriminator_loss, snapshot.generator_loss) == (None, None)


def test_a_vae_continues_exactly_from_its_state():
    trainer = make_trainer(small_vae())
    trainer.train(10)
    state = trainer.state_dict()
    trainer.train(10)
    expected = trainer.sample(100)
    trainer.load_state_dict(state)
    trainer.train(10)
    np.testing.assert_array_equal(trainer.sample(100), expected)


@pytest.mark.parametrize(("change", "words"), [
    ({"model": {"latent_distribution": "uniform"}}, "gaussian"),
    ({"target": {"name": "digits"}}, "images"),
])
def test_settings_a_vae_cannot_have_are_refused_naming_them(change, words):
    with pytest.raises(ConfigError, match=words):
        make_trainer(small_vae().merged(change).validate())
    trainer = make_trainer(small_vae())
    with pytest.raises(ConfigError, match=words):
        trainer.apply_config(small_vae().merged(change).validate())
    assert trainer.config.model.latent_distribution == "gaussian"


def test_a_vae_run_is_refused_as_a_session(tmp_path):
    from ganlab.core.session_file import Session, save_session

    with pytest.raises(ValueError, match="VAE run cannot be saved"):
        save_session(Session(make_trainer(small_vae())), tmp_path / "vae.ganlab")
    assert not list(tmp_path.iterdir())


def test_ganlab_train_refuses_a_vae_by_name(tmp_path, capsys):
    from ganlab.cli import main

    out = tmp_path / "run"
    assert main(["train", "--model-family", "vae", "--iterations", "2", "--out", str(out)]) == 2
    assert "model.family vae trains in the app" in capsys.readouterr().err
    assert not out.exists()


def test_a_new_kind_of_optimizer_and_a_restored_good_state_cover_the_encoder_too():
    from ganlab.training.good_states import restore_good_state, take_good_state

    trainer = make_trainer(small_vae())
    trainer.train(3)
    good = take_good_state(trainer)
    every = {id(p) for p in [*trainer.generator.parameters(), *trainer.vae_parts.parameters()]}
    trainer.apply_config(small_vae().merged({"generator_optimizer": {"name": "sgd"}}))
    optimized = {id(p) for group in trainer.generator_optimizer.param_groups
                 for p in group["params"]}
    assert optimized == every and type(trainer.generator_optimizer).__name__ == "SGD"
    trainer.apply_config(small_vae())  # Adam again, then back to the Adam state of `good`
    assert restore_good_state(trainer, good) == ()
    trainer.apply_config(small_vae().merged({"generator_optimizer": {"name": "rmsprop"}}))
    assert restore_good_state(trainer, good) == ("generator",)
    optimized = {id(p) for group in trainer.generator_optimizer.param_groups
                 for p in group["params"]}
    assert optimized == every
    trainer.train(2)
    assert trainer.iteration == 5 and trainer.parameters_are_finite()
