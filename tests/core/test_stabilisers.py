"""The stabilisers of theory §6 against their formulas: R2, one-sided label smoothing, annealed
instance noise, LeCam, spectral normalisation; each switched live in the trainer, in configs
and on the command line; batched runs refuse them."""

from __future__ import annotations

import argparse
import math

import pytest
import torch
import torch.nn.functional as F

from ganlab.cli_options import add_setting_options, settings_from_args
from ganlab.core.batched_trainer import batching_problem
from ganlab.core.config import RunConfig
from ganlab.core.equilibrium import finite_batch_equilibrium
from ganlab.core.objectives import OBJECTIVES
from ganlab.core.penalties import r2_penalty, weight_decay_penalty
from ganlab.core.stabiliser_settings import TWO_TIME_SCALE, active_stabilisers
from ganlab.core.stabilisers import (
    LECAM_DECAY,
    LeCamAnchors,
    has_spectral_norm,
    instance_noise_sigma,
    lecam_penalty,
    power_iteration,
    set_spectral_norm,
)
from ganlab.core.trainer import Trainer


def _config(**objective) -> RunConfig:
    """A tiny, quick run on the ring with the given objective settings."""
    return RunConfig().merged({
        "target": {"name": "ring8"},
        "objective": objective,
        "model": {"generator": {"hidden_layers": 1, "width": 8},
                  "discriminator": {"hidden_layers": 1, "width": 8}},
        "training": {"batch_size": 16},
    }).validate()


def _record_discriminator_inputs(trainer: Trainer) -> list[torch.Tensor]:
    seen: list[torch.Tensor] = []
    original = trainer.discriminate

    def discriminate(x, labels):
        seen.append(x.detach().clone())
        return original(x, labels)

    trainer.discriminate = discriminate
    return seen


# ------------------------------------------------------------------ R2
def test_r2_of_a_quadratic_critic_is_half_gamma_times_mean_squared_gradient():
    fake = torch.tensor([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]], dtype=torch.float64)
    critic = lambda x: (x**2).sum(dim=1)  # ∇d = 2x → ‖∇d‖² = 4‖x‖²  # noqa: E731
    expected = 0.5 * 3.0 * (4 * (fake**2).sum(dim=1)).mean()
    assert r2_penalty(critic, fake, 3.0).item() == pytest.approx(expected.item(), rel=1e-12)


def test_the_d_update_adds_r2_on_the_generated_batch_and_r1_on_the_real_one():
    trainer = Trainer(_config(r1_gamma=0.0, r2_gamma=2.0))
    seen = _record_discriminator_inputs(trainer)
    trainer.discriminator_step()
    # the loss forward on (real ‖ fake), then R2's forward on exactly the fakes
    batch = trainer.config.training.batch_size
    assert len(seen) == 2 and torch.equal(seen[1], seen[0][batch:])


# ------------------------------------------------------------------ label smoothing
@pytest.mark.parametrize("alpha", [1.0, 0.9, 0.7])
def test_smoothed_binary_cross_entropy_matches_its_formula(alpha):
    d_real, d_fake = torch.tensor([-1.0, 0.3, 2.0]), torch.tensor([0.5, -2.0, 0.0])
    p_real, p_fake = torch.sigmoid(d_real), torch.sigmoid(d_fake)
    expected = (-(alpha * p_real.log() + (1 - alpha) * (1 - p_real).log()).mean()
                - (1 - p_fake).log().mean())
    for name in ("minimax", "non-saturating"):
        loss = OBJECTIVES[name].discriminator_loss(d_real, d_fake, real_label=alpha)
        assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    lsgan = OBJECTIVES["lsgan"].discriminator_loss(d_real, d_fake, real_label=alpha)
    expected_ls = 0.5 * ((d_real - alpha) ** 2).mean() + 0.5 * (d_fake**2).mean()
    assert lsgan.item() == pytest.approx(expected_ls.item(), rel=1e-6)


def test_the_optimal_smoothed_discriminator_is_alpha_times_the_unsmoothed_one():
    """At one point with densities p_d, p_g the loss p_d·L_real(d) + p_g·softplus(d) is convex
    in d with its minimum at D*(x) = sigmoid(d*) = α·p_d / (p_d + p_g): the gradient is 0."""
    p_data, p_model, alpha = 0.7, 0.3, 0.9
    no_fake = torch.tensor([-float("inf")], dtype=torch.float64)  # softplus(-∞) = 0

    def loss(d):
        real = OBJECTIVES["minimax"].discriminator_loss(d, no_fake, real_label=alpha)
        return p_data * real + p_model * F.softplus(d).sum()

    optimum = alpha * p_data / (p_data + p_model)
    d = torch.logit(torch.tensor([optimum], dtype=torch.float64)).requires_grad_(True)
    (grad,) = torch.autograd.grad(loss(d), d)
    assert abs(grad.item()) < 1e-12
    assert loss(d.detach() + 0.1) > loss(d.detach()) < loss(d.detach() - 0.1)


def _brute_force_equilibrium(objective, alpha: float) -> tuple[float, float]:
    """(min over a constant output d of D's loss with real and fake batches of one law, G's loss
    at that d): a grid over d, then a finer grid around its best point."""
    d_values = torch.linspace(-6.0, 6.0, 1201, dtype=torch.float64)
    for _ in range(3):
        losses = torch.stack([objective.discriminator_loss(d.view(1), d.view(1), real_label=alpha)
                              for d in d_values])
        best = d_values[int(losses.argmin())]
        step = float(d_values[1] - d_values[0])
        d_values = torch.linspace(best - step, best + step, 201, dtype=torch.float64)
    return float(losses.min()), float(objective.generator_loss(best.view(1)))


@pytest.mark.parametrize("name", ["minimax", "non-saturating", "lsgan"])
@pytest.mark.parametrize("alpha", [1.0, 0.9, 0.6])
def test_the_smoothed_equilibrium_losses_are_the_brute_force_minimum(name, alpha):
    objective = OBJECTIVES[name]
    d_loss, g_loss = finite_batch_equilibrium(objective, None, 64, real_label=alpha)
    brute_d, brute_g = _brute_force_equilibrium(objective, alpha)
    assert d_loss == pytest.approx(brute_d, abs=1e-9)
    assert g_loss == pytest.approx(brute_g, abs=1e-6)
    if alpha == 1.0:  # the declared values, unchanged
        assert (d_loss, g_loss) == (objective.equilibrium_discriminator_loss,
                                    objective.equilibrium_generator_loss)


def test_the_chart_s_reference_line_follows_the_real_label():
    from ganlab.core.snapshot import Snapshotter
    from ganlab.core.snapshot_data import SnapshotRequest

    nothing = SnapshotRequest(critic=False, optimal_discriminator=False, target_density=False,
                              gradients=False, manifold=False)
    trainer = Trainer(_config(real_label=0.8))
    snapshotter = Snapshotter(trainer)
    expected = (-0.8 * math.log(0.4) - 1.2 * math.log(0.6), -math.log(0.4))  # non-saturating
    assert snapshotter.take(nothing).reference_losses == pytest.approx(expected, rel=1e-12)
    trainer.apply_config(trainer.config.replaced("objective.real_label", 1.0))
    assert snapshotter.take(nothing).reference_losses == pytest.approx(
        (math.log(4), math.log(2)), rel=1e-12)
    wgan = Trainer(_config(name="wgan", real_label=0.8))  # no label: nothing to smooth
    assert Snapshotter(wgan).take(nothing).reference_losses == (0.0, None)


def test_label_smoothing_is_used_only_by_objectives_with_a_label():
    assert {n for n, o in OBJECTIVES.items() if o.label_smoothing} == {
        "minimax", "non-saturating", "lsgan"}
    losses = []
    for alpha in (1.0, 0.8):  # wgan has no label: the setting changes nothing
        trainer = Trainer(_config(name="wgan", real_label=alpha))
        losses.append(trainer.discriminator_step().item())
    assert losses[0] == losses[1]
    smoothed = [Trainer(_config(real_label=a)).discriminator_step().item() for a in (1.0, 0.8)]
    assert smoothed[0] != smoothed[1]


# ------------------------------------------------------------------ instance noise
def test_instance_noise_anneals_linearly_to_zero_over_n_iterations():
    assert [instance_noise_sigma(0.5, 100, t) for t in (0, 50, 75, 100, 400)] == [
        0.5, 0.25, 0.125, 0.0, 0.0]
    assert instance_noise_sigma(0.0, 100, 0) == 0.0


def test_d_sees_real_and_fake_plus_sigma_t_times_standard_noise_from_the_stream():
    trainer = Trainer(_config(instance_noise=0.4, instance_noise_iterations=10))
    trainer.iteration = 5  # σ_t = 0.4 · (1 − 5/10) = 0.2
    copy = torch.Generator().set_state(trainer.rng.get_state())
    seen = _record_discriminator_inputs(trainer)
    n = trainer.config.training.batch_size
    real = trainer.real_batch(n, copy)
    with torch.no_grad():
        fake = trainer.generate(trainer.latent_batch(n, copy), None)
    noise_real = torch.randn(real.shape, generator=copy)
    noise_fake = torch.randn(fake.shape, generator=copy)
    trainer.discriminator_step()
    expected = torch.cat([real + 0.2 * noise_real, fake + 0.2 * noise_fake])
    assert torch.allclose(seen[0], expected, atol=1e-6)
    trainer.iteration = 10  # annealed away: D sees the clean samples, nothing more is drawn
    state = trainer.rng.get_state()
    off = Trainer(_config())
    off.rng.set_state(state)
    off.load_state_dict(trainer.state_dict())
    assert trainer.discriminator_step().item() == off.discriminator_step().item()


# ------------------------------------------------------------------ LeCam
def test_lecam_penalty_pulls_reals_to_the_fake_anchor_and_fakes_to_the_real_anchor():
    d_real, d_fake = torch.tensor([1.0, 3.0]), torch.tensor([-1.0, 0.0])
    value = lecam_penalty(d_real, d_fake, torch.tensor(2.0), torch.tensor(-0.5), 0.3)
    expected = 0.3 * (((1.5**2 + 3.5**2) / 2) + ((3.0**2 + 2.0**2) / 2))
    assert value.item() == pytest.approx(expected)


def test_lecam_anchors_start_at_the_batch_means_then_average_with_decay():
    anchors = LeCamAnchors()
    assert anchors.update(torch.tensor([1.0, 3.0]), torch.tensor([0.0, -2.0])).tolist() == [
        2.0, -1.0]
    values = anchors.update(torch.tensor([4.0]), torch.tensor([1.0])).tolist()
    assert values == pytest.approx([LECAM_DECAY * 2 + (1 - LECAM_DECAY) * 4,
                                    LECAM_DECAY * -1 + (1 - LECAM_DECAY) * 1])


def test_the_trainer_tracks_lecam_anchors_from_d_outputs_and_adds_the_penalty():
    trainer = Trainer(_config(lecam_weight=0.5))
    seen = _record_discriminator_inputs(trainer)
    before = {k: v.clone() for k, v in trainer.discriminator.state_dict().items()}
    trainer.discriminator_step()
    n = trainer.config.training.batch_size
    reference = Trainer(_config())
    reference.discriminator.load_state_dict(before)
    with torch.no_grad():
        d = reference.discriminator(seen[0])
    assert trainer.lecam_anchors.values.tolist() == pytest.approx(
        [d[:n].mean().item(), d[n:].mean().item()], abs=1e-6)
    # the update's gradient: that of the objective plus λ·R_LC, checked by autograd
    grads = {}
    for weight in (0.0, 0.5):
        net = Trainer(_config()).discriminator
        net.load_state_dict(before)
        out = net(seen[0])
        loss = OBJECTIVES["non-saturating"].discriminator_loss(out[:n], out[n:])
        loss = loss + lecam_penalty(out[:n], out[n:], d[:n].mean(), d[n:].mean(), weight)
        grads[weight] = torch.autograd.grad(loss, list(net.parameters()))
    assert any(not torch.allclose(a, b) for a, b in zip(grads[0.0], grads[0.5], strict=True))


# ------------------------------------------------------------------ spectral norm
def test_spectral_norm_divides_each_weight_by_its_largest_singular_value():
    trainer = Trainer(_config(spectral_norm=True))
    network = trainer.discriminator
    x = torch.randn(4, 2)
    with power_iteration(network):
        for _ in range(200):  # the power iteration converges to σ(W)
            network(x)
    for layer in [m for m in network.modules() if isinstance(m, torch.nn.Linear)]:
        raw = layer.parametrizations.weight.original
        assert torch.linalg.matrix_norm(layer.weight, ord=2).item() == pytest.approx(1, abs=1e-3)
        assert torch.allclose(layer.weight * torch.linalg.matrix_norm(raw, ord=2), raw,
                              atol=1e-4)


def test_drawing_d_does_not_run_the_power_iteration():
    trainer = Trainer(_config(spectral_norm=True))
    buffers = {k: v.clone() for k, v in trainer.discriminator.state_dict().items()}
    trainer.data_critic(torch.randn(50, 2))  # what the app's heatmap does
    assert all(torch.equal(v, buffers[k]) for k, v in trainer.discriminator.state_dict().items())
    trainer.discriminator_step()  # one power iteration per update
    assert not torch.equal(trainer.discriminator.state_dict()["body.0.parametrizations.weight"
                                                              ".0._u"], buffers[
        "body.0.parametrizations.weight.0._u"])


def test_switching_spectral_norm_live_keeps_the_raw_weights_and_the_optimizer():
    config = _config()
    trainer = Trainer(config)
    trainer.train(3)
    parameters = list(trainer.discriminator.parameters())
    values = [p.detach().clone() for p in parameters]
    x = torch.randn(5, 2)
    plain = trainer.discriminator(x).detach()
    change = trainer.apply_config(config.replaced("objective.spectral_norm", True))
    assert not change.rebuilt and change.fields == ("objective.spectral_norm",)
    assert has_spectral_norm(trainer.discriminator)
    assert {id(p) for p in trainer.discriminator.parameters()} == {id(p) for p in parameters}
    assert all(torch.equal(p, v) for p, v in zip(parameters, values, strict=True))
    optimized = {id(p) for g in trainer.discriminator_optimizer.param_groups for p in g["params"]}
    assert {id(p) for p in parameters} <= optimized
    assert not torch.allclose(trainer.discriminator(x), plain)  # D now computes with W/σ(W)
    state = trainer.state_dict()  # saved with the normalisation on
    trainer.apply_config(config)
    assert torch.allclose(trainer.discriminator(x), plain)  # off: the same W as before
    trainer.load_state_dict(state)  # loads across forms; the settings' form stays
    assert not has_spectral_norm(trainer.discriminator)
    assert torch.allclose(trainer.discriminator(x), plain)
    trainer.train(2)
    assert trainer.parameters_are_finite()


def test_weight_decay_under_spectral_norm_penalises_the_raw_weights():
    trainer = Trainer(_config())
    before = weight_decay_penalty(trainer.discriminator, 2.0).item()
    set_spectral_norm(trainer.discriminator, True)
    assert weight_decay_penalty(trainer.discriminator, 2.0).item() == pytest.approx(before)


# ------------------------------------------------------------------ settings
def test_stabiliser_settings_are_off_by_default_and_old_configs_still_load():
    old = RunConfig().to_dict()
    for name in ("r2_gamma", "real_label", "instance_noise", "instance_noise_iterations",
                 "lecam_weight", "spectral_norm"):
        del old["objective"][name]  # a session saved before the stabilisers
    config = RunConfig.from_dict(old).validate()
    assert config == RunConfig() and active_stabilisers(config) == []
    default_run, old_run = Trainer(RunConfig()), Trainer(config)
    default_run.train(2)
    old_run.train(2)
    assert default_run.read_losses() == old_run.read_losses()


def test_every_stabiliser_has_a_command_line_option_and_batched_runs_refuse_it():
    parser = argparse.ArgumentParser()  # as `ganlab train` builds its options
    add_setting_options(parser, RunConfig)
    args = parser.parse_args(["--r2", "1", "--real-label", "0.9",
                              "--instance-noise", "0.3", "--instance-noise-iterations", "500",
                              "--lecam", "0.01", "--spectral-norm"])
    config = RunConfig().merged(settings_from_args(args, RunConfig)).validate()
    objective = config.objective
    assert (objective.r2_gamma, objective.real_label, objective.instance_noise,
            objective.instance_noise_iterations, objective.lecam_weight,
            objective.spectral_norm) == (1.0, 0.9, 0.3, 500, 0.01, True)
    assert len(active_stabilisers(config)) == 5
    problem = batching_problem([config], Trainer(_config()).target)
    assert problem is not None and "objective.spectral_norm" in problem


def test_the_two_time_scale_preset_is_d_four_times_faster():
    config = RunConfig().merged(TWO_TIME_SCALE).validate()
    assert (config.discriminator_optimizer.learning_rate,
            config.generator_optimizer.learning_rate) == (4e-4, 1e-4)
    assert config.replaced("generator_optimizer.learning_rate", 1e-3).objective == \
        config.objective  # only the two rates


def test_a_snapshot_carries_the_raw_generator_s_samples_only_with_an_average_on():
    from ganlab.core.snapshot import Snapshotter

    config = _config().replaced("training.generator_ema", 0.9)
    trainer = Trainer(config)
    trainer.train(5)
    snapshot = Snapshotter(trainer).take()
    latent = torch.as_tensor(snapshot.latent)
    assert torch.allclose(torch.as_tensor(snapshot.raw_fake),
                          torch.as_tensor(trainer.sample(len(latent), latent=latent,
                                                         averaged=False)))
    assert torch.allclose(torch.as_tensor(snapshot.fake),
                          torch.as_tensor(trainer.sample(len(latent), latent=latent)))
    assert not torch.allclose(torch.as_tensor(snapshot.fake), torch.as_tensor(snapshot.raw_fake))
    assert Snapshotter(Trainer(_config())).take().raw_fake is None


def test_a_session_with_spectral_norm_resumes_exactly(tmp_path):
    """Its normalised D (raw W, u and v) is saved and loaded like any other state."""
    from ganlab.core.session_file import Session, load_session, save_session

    config = _config(spectral_norm=True, r2_gamma=0.5, real_label=0.9)
    uninterrupted = Trainer(config)
    uninterrupted.train(3)
    path = save_session(Session(uninterrupted), tmp_path / "sn.ganlab")
    resumed = load_session(path).trainer
    assert resumed.config == config and has_spectral_norm(resumed.discriminator)
    uninterrupted.train(3)
    resumed.train(3)
    for a, b in zip(uninterrupted.discriminator.state_dict().values(),
                    resumed.discriminator.state_dict().values(), strict=True):
        assert torch.equal(a, b)



def _leaves(state, path="") -> list[tuple[str, object]]:
    """(path, value) of every leaf of a nested state dict, in order."""
    if isinstance(state, dict):
        return [leaf for key in sorted(state, key=str)
                for leaf in _leaves(state[key], f"{path}/{key}")]
    if isinstance(state, (list, tuple)):
        return [leaf for i, value in enumerate(state) for leaf in _leaves(value, f"{path}/{i}")]
    return [(path, state)]


def _assert_same_state(expected: dict, found: dict) -> None:
    for (path, a), (path_b, b) in zip(_leaves(expected), _leaves(found), strict=True):
        assert path == path_b
        assert torch.equal(a, b) if isinstance(a, torch.Tensor) else a == b, path


def test_a_session_with_every_stateful_stabiliser_resumes_bit_for_bit(tmp_path):
    """LeCam's anchors, the instance-noise schedule's position, the weight average and spectral
    norm's u, v are all saved: save → resume → train equals the uninterrupted run exactly."""
    from ganlab.core.session_file import Session, load_session, save_session

    config = _config(lecam_weight=2.0, instance_noise=0.5, instance_noise_iterations=10,
                     spectral_norm=True, real_label=0.9).replaced("training.generator_ema", 0.9)
    uninterrupted = Trainer(config)
    uninterrupted.train(4)  # noise mid-anneal: σ_4 = 0.3
    path = save_session(Session(uninterrupted), tmp_path / "all.ganlab")
    resumed = load_session(path).trainer
    assert torch.equal(resumed.lecam_anchors.values, uninterrupted.lecam_anchors.values)
    forgetful = load_session(path).trainer
    forgetful.lecam_anchors.values = None  # as sessions were before the anchors were saved
    for trainer in (uninterrupted, resumed, forgetful):
        trainer.train(4)
    assert resumed.iteration == 8 and resumed.lecam_anchors.values is not None
    _assert_same_state(uninterrupted.state_dict(), resumed.state_dict())
    # the anchors are what made it exact: restarting them changes D's weights
    assert not torch.equal(next(forgetful.discriminator.parameters()),
                           next(uninterrupted.discriminator.parameters()))
