"""The batched trainer gives every run the numbers its own Trainer gives it.

R runs stacked into one model must follow R separate `Trainer`s: the same initial weights, the
same random streams (so the same batches), the same losses and the same parameters after
training, to float rounding. Rounding differs (one batched matmul per layer instead of one per
run, Adam written out instead of torch's fused kernel): after one iteration the two agree to a
few float32 ulps; over 50 iterations Adam, which divides by √v, magnifies those ulps where a
gradient is near zero or crosses a kink (a ReLU, hinge's margins), so the 50-iteration bounds
below are the largest differences measured with a margin, a fraction of one Adam step (lr) for
the kinked and unbounded objectives and far below it for the smooth ones.
"""

import math

import pytest
import torch

from ganlab.core.batched_trainer import BatchedTrainer, batch_groups
from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.trainer import Trainer

SEEDS = (0, 1, 2)
ITERATIONS = 50
OBJECTIVES = ("non-saturating", "minimax", "wgan", "wgan-gp", "lsgan", "hinge", "mmd")
TOLERANCE = 1e-4  # on losses (every iteration) and parameters (at the end)


def config(objective: str, seed: int, changes: dict | None = None) -> RunConfig:
    net = {"hidden_layers": 2, "width": 16}
    run = RunConfig().merged({
        "objective": {"name": objective},
        "model": {"generator": net, "discriminator": net},
        "training": {"seed": seed, "critic_steps": 2, "batch_size": 64,
                     "iterations": ITERATIONS, "device": "cpu"},
    })
    return run.merged(changes) if changes else run


def parameters(trainer: Trainer) -> list[torch.Tensor]:
    return [p.detach() for net in (trainer.generator, trainer.discriminator)
            for p in net.parameters()]


def largest_parameter_difference(a: Trainer, b: Trainer) -> float:
    return max(float((x - y).abs().max()) for x, y in zip(parameters(a), parameters(b),
                                                           strict=True))


def train_both(configs, iterations):
    """(batched, separate trainers, largest loss difference over every iteration)."""
    batched, separate = BatchedTrainer(configs), [Trainer(c) for c in configs]
    worst = 0.0
    for _ in range(iterations):
        batched.step()
        for run, (trainer, losses) in enumerate(zip(separate, batched.read_losses(),
                                                    strict=True)):
            trainer.step()
            for mine, theirs in zip(losses, trainer.read_losses(), strict=True):
                assert (mine is None) == (theirs is None)
                if mine is not None:
                    worst = max(worst, abs(mine - theirs))
            assert run < len(configs)
    return batched, separate, worst


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_first_iteration_matches_separate_trainers_to_rounding(objective):
    configs = [config(objective, seed) for seed in SEEDS]
    batched, separate, loss_difference = train_both(configs, 1)
    assert loss_difference <= 1e-6
    for run, trainer in enumerate(separate):
        assert largest_parameter_difference(batched.trainer(run), trainer) <= 1e-6


def assert_runs_match(configs, iterations=ITERATIONS):
    batched, separate, loss_difference = train_both(configs, iterations)
    assert loss_difference <= TOLERANCE
    training = configs[0].training
    critic = training.critic_steps if batched.objective.needs_discriminator else 0
    for run, trainer in enumerate(separate):
        exported = batched.trainer(run)
        assert largest_parameter_difference(exported, trainer) <= TOLERANCE
        counters = ("iteration", "critic_updates", "generator_updates")
        assert [getattr(exported, c) for c in counters] == [
            iterations, critic * iterations, training.generator_steps * iterations]
        # the same random stream: both draw the same next batch
        assert torch.equal(exported.real_batch(8), trainer.real_batch(8))
    return batched, separate


@pytest.mark.slow
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_fifty_iterations_match_separate_trainers(objective):
    assert_runs_match([config(objective, seed) for seed in SEEDS])


@pytest.mark.slow
def test_learning_rates_may_differ_per_run():
    rates = ((1e-3, 1e-3), (2e-4, 1e-3), (1e-3, 4e-4))
    configs = [config("non-saturating", seed, {"generator_optimizer": {"learning_rate": g},
                                              "discriminator_optimizer": {"learning_rate": d}})
               for seed, (g, d) in zip(SEEDS, rates, strict=True)]
    assert_runs_match(configs, 20)


@pytest.mark.slow
def test_weight_average_penalties_and_constant_rate_match():
    changes = {"training": {"generator_ema": 0.9, "lr_schedule": "constant",
                            "generator_steps": 2},
               "objective": {"discriminator_weight_decay": 0.01, "r1_gamma": 1.0}}
    configs = [config("wgan-gp", seed, changes) for seed in SEEDS]
    batched, separate = assert_runs_match(configs, 20)
    for run, trainer in enumerate(separate):
        mine = batched.trainer(run).generator_average
        assert mine.updates == trainer.generator_average.updates == 40
        for x, y in zip(mine.module.parameters(), trainer.generator_average.module.parameters(),
                        strict=True):
            assert float((x - y).abs().max()) <= TOLERANCE


def test_an_exported_run_continues_as_its_own_trainer_would():
    configs = [config("hinge", seed) for seed in SEEDS]
    batched = BatchedTrainer(configs)
    batched.train(3)
    exported = batched.trainer(1)
    again = batched.trainer(1)
    exported.train(2)
    again.train(2)  # same state → the same numbers, bit for bit
    assert all(torch.equal(x, y) for x, y in zip(parameters(exported), parameters(again),
                                                 strict=True))
    separate = Trainer(configs[1])
    separate.train(5)
    assert largest_parameter_difference(exported, separate) <= 1e-6


@pytest.mark.parametrize(("changes", "message"), [
    ({"training": {"batch_size": 32}}, "training.batch_size"),
    ({"objective": {"name": "sliced-wasserstein"}}, "sliced-wasserstein"),
    ({"generator_optimizer": {"name": "sgd"}}, "Adam"),
    ({"target": {"name": "digits", "resolution": 8}}, "points"),
    ({"model": {"family": "vae"}}, "vae"),
])
def test_runs_that_cannot_be_batched_are_refused_with_the_reason(changes, message):
    first = config("non-saturating", 0)
    other = config("non-saturating", 1, changes)
    configs = [first, other] if "batch_size" in str(changes) else [other, other]
    with pytest.raises(ConfigError, match=message):
        BatchedTrainer(configs)


def test_runs_are_grouped_by_every_setting_but_seed_learning_rates_and_objective():
    configs = [config("hinge", 0), config("minimax", 0), config("hinge", 1),
               config("hinge", 2, {"discriminator_optimizer": {"learning_rate": 1e-4}}),
               config("minimax", 1, {"training": {"batch_size": 32}}),
               config("mmd", 0), config("sliced-wasserstein", 0), config("mmd", 1)]
    # objectives with a discriminator mix; one without batches only with its own kind
    assert batch_groups(configs) == [[0, 1, 2, 3], [4], [5, 7], [6]]


#: every objective with a discriminator in one batch: clipped (wgan), penalised (wgan-gp) and
#: neither, in an order that interleaves them
MIXED = ("wgan-gp", "minimax", "wgan", "hinge", "wgan-gp", "lsgan", "non-saturating", "wgan")


def mixed_configs(changes: dict | None = None) -> list[RunConfig]:
    return [config(objective, seed, changes) for seed, objective in enumerate(MIXED)]


def test_runs_of_different_objectives_match_their_own_trainers_in_one_batch():
    configs = mixed_configs()
    batched, separate, loss_difference = train_both(configs, 1)
    assert loss_difference <= 1e-6
    for run, trainer in enumerate(separate):
        assert largest_parameter_difference(batched.trainer(run), trainer) <= 1e-6
    # the penalty's α is drawn by the wgan-gp runs only, as their own trainers draw it
    assert batched.objectives.draws_alpha == [name == "wgan-gp" for name in MIXED]


@pytest.mark.slow
def test_mixed_objectives_match_over_many_iterations_with_every_penalty():
    changes = {"objective": {"discriminator_weight_decay": 0.01, "r1_gamma": 1.0},
               "training": {"generator_ema": 0.9}}
    assert_runs_match(mixed_configs(changes), 20)


def test_clipping_one_run_leaves_the_others_unclipped():
    configs = [config("wgan", 0), config("hinge", 1)]
    batched = BatchedTrainer(configs)
    batched.train(2)
    clip = configs[0].objective.clip_value
    wgan, hinge = (batched.trainer(run).discriminator for run in (0, 1))
    assert max(float(p.detach().abs().max()) for p in wgan.parameters()) <= clip
    assert max(float(p.detach().abs().max()) for p in hinge.parameters()) > 10 * clip


def test_objectives_without_a_discriminator_do_not_mix_with_others():
    with pytest.raises(ConfigError, match=r"mmd.*only objectives with a discriminator"):
        BatchedTrainer([config("minimax", 0), config("mmd", 1)])


def test_a_diverging_run_leaves_the_others_untouched():
    configs = [config("non-saturating", seed) for seed in SEEDS]
    clean, broken = BatchedTrainer(configs), BatchedTrainer(configs)
    with torch.no_grad():  # run 1's first weight becomes NaN
        broken.generator.parameters[0][1, 0, 0] = float("nan")
    clean.train(3)
    broken.train(3)
    assert clean.finite_runs() == [True, True, True]
    assert broken.finite_runs() == [True, False, True]
    for run in (0, 2):
        assert largest_parameter_difference(clean.trainer(run), broken.trainer(run)) == 0
    assert [math.isnan(d) for d, _ in broken.read_losses()] == [False, True, False]


def test_lazy_r1_matches_separate_trainers():
    """R1 every 3rd critic update (3γ) in a batch, k = 2: the same updates as each run's own."""
    changes = {"objective": {"r1_gamma": 1.0, "r1_interval": 3}, "training": {"critic_steps": 2}}
    assert_runs_match([config("non-saturating", seed, changes) for seed in SEEDS], 7)
