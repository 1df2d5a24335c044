"""Keyframes, branches and the timeline: exact restores, the thinning rule, the tree."""

import pytest
import torch

from ganlab.core.branches import MAX_BRANCHES, BranchTree, TreeFull
from ganlab.core.keyframes import Keyframe, KeyframeStore, state_bytes, take_keyframe
from ganlab.core.timeline import Timeline
from ganlab.core.trainer import Trainer


def weights(trainer):
    return [p.detach().clone() for net in (trainer.generator, trainer.discriminator)
            for p in net.parameters()]


def same(a, b):
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def train(trainer, timeline, iterations, kind=(True, True)):
    """Train whole iterations (or D-only / G-only ones) as the worker does, telling the
    timeline; return the mean losses of each iteration."""
    losses = []
    for _ in range(iterations):
        timeline.before_step(trainer)
        trainer.step(discriminator=kind[0], generator=kind[1])
        timeline.stepped(trainer, *kind, completed=True)
        losses.append(trainer.read_losses())
    return losses


def test_state_bytes_counts_every_tensor(small_config):
    trainer = Trainer(small_config)
    trainer.train(2)
    keyframe = take_keyframe(trainer)
    parameters = sum(p.numel() * 4 for net in (trainer.generator, trainer.discriminator)
                     for p in net.parameters())
    # Adam keeps two moments per parameter (plus one step count per tensor), and 2 rng states
    assert keyframe.nbytes > 3 * parameters
    assert keyframe.nbytes == state_bytes(trainer.state_dict())


def with_stabilisers(config):
    """Every stateful stabiliser on: LeCam's anchors, instance noise's schedule, spectral
    normalisation's power iterations, the generator's weight average; and R1 and R2."""
    config.objective.lecam_weight = 0.1
    config.objective.instance_noise = 0.1
    config.objective.instance_noise_iterations = 100
    config.objective.spectral_norm = True
    config.objective.r2_gamma = 0.1
    config.training.generator_ema = 0.9
    return config


@pytest.mark.parametrize("stabilised", [False, True])
def test_restore_then_train_again_is_bit_for_bit(small_config, stabilised):
    """Train N; seek back to m (between keyframes: a replay); train to N again → identical."""
    trainer = Trainer(with_stabilisers(small_config) if stabilised else small_config)
    timeline = Timeline(trainer, first_spacing=4)
    first = train(trainer, timeline, 30)
    end_weights = weights(trainer)
    assert timeline.seek(trainer, 0, 13) == 13 and trainer.iteration == 13
    assert timeline.tree[0].tip == 30 and not timeline.at_tip
    # continuing from the past forks a branch (same settings: the same future)
    second = train(trainer, timeline, 17)
    assert timeline.branch == 1 and timeline.tree[1].fork == 13 and timeline.tree[1].parent == 0
    assert same(weights(trainer), end_weights)
    assert second == first[13:]
    if stabilised:
        average = [p.detach().clone() for p in trainer.generator_average.module.parameters()]
        timeline.seek(trainer, 0, 30)  # main's tip, replayed from its keyframe at 28
        assert same(average, list(trainer.generator_average.module.parameters()))
    assert timeline.tree.difference(1) == []


def test_seek_replays_settings_and_partial_steps(small_config):
    """A change of learning rate at 6 and a D-only step at 9 are replayed where they were."""
    trainer = Trainer(small_config)
    timeline = Timeline(trainer, first_spacing=8)
    train(trainer, timeline, 6)
    faster = trainer.config.copy()
    faster.generator_optimizer.learning_rate *= 3
    trainer.apply_config(faster)
    timeline.settings_changed(trainer)
    train(trainer, timeline, 3)
    train(trainer, timeline, 1, kind=(True, False))
    train(trainer, timeline, 5)
    at_15 = weights(trainer)
    timeline.seek(trainer, 0, 2)
    assert trainer.config.generator_optimizer.learning_rate == \
        small_config.generator_optimizer.learning_rate
    timeline.seek(trainer, 0, 15)  # from the keyframe at 8: lr ×3 and the D-only step at 9
    assert same(weights(trainer), at_15)
    assert trainer.critic_updates == 15 and trainer.generator_updates == 14


def test_a_changed_setting_makes_a_branch_with_its_difference(small_config):
    trainer = Trainer(small_config)
    timeline = Timeline(trainer, first_spacing=4)
    train(trainer, timeline, 10)
    main_weights = weights(trainer)
    timeline.seek(trainer, 0, 5)
    changed = trainer.config.copy()
    changed.training.critic_steps = 3
    trainer.apply_config(changed)
    timeline.settings_changed(trainer)  # away from the tip: not recorded on "main"
    train(trainer, timeline, 4)
    branch = timeline.tree[1]
    assert (branch.fork, branch.tip, branch.parent) == (5, 9, 0)
    assert timeline.tree.difference(1) == ["training.critic_steps: 1 → 3"]
    assert trainer.critic_updates == 5 + 4 * 3
    branch_weights = weights(trainer)
    timeline.seek(trainer, 0, 10)  # switch back to main's tip, then to the branch's
    assert same(weights(trainer), main_weights) and trainer.config.training.critic_steps == 1
    timeline.seek(trainer, 1, 99)  # clamped to the tip
    assert timeline.position == 9 and same(weights(trainer), branch_weights)
    # a seek before the fork on the branch lands in main's stretch; training forks from main
    timeline.seek(trainer, 1, 3)
    train(trainer, timeline, 1)
    assert timeline.tree[2].parent == 0 and timeline.tree[2].fork == 3


def test_thinning_doubles_the_spacing_and_keeps_the_run_reachable(small_config):
    trainer = Trainer(small_config)
    size = take_keyframe(trainer).nbytes
    timeline = Timeline(trainer, budget_bytes=int(5.5 * size), first_spacing=1)
    train(trainer, timeline, 40)
    store = timeline.store
    # anchor at 0 plus multiples of the spacing; the budget holds 5 keyframes
    assert store.nbytes <= 5.5 * size
    assert store.spacing == 16 and store.iterations(0) == [0, 16, 32]
    # 40 iterations: at spacing 8 it would be 0, 8, ..., 40 (6 > 5.5): doubled once more
    at_40 = weights(trainer)
    timeline.seek(trainer, 0, 40)
    assert same(weights(trainer), at_40)


def test_anchors_are_never_thinned():
    store = KeyframeStore(budget_bytes=10, first_spacing=1)
    for iteration, anchor in ((0, True), (1, False), (3, True), (4, False)):
        store.add(0, Keyframe(iteration, {}, None, nbytes=4, anchor=anchor))
    assert store.iterations(0) == [0, 3] and store.nbytes == 8
    assert store.at_or_before(0, 2).iteration == 0 and store.at_or_before(0, 9).iteration == 3


def test_slow_motion_halves_count_as_a_whole_iteration(small_config):
    trainer = Trainer(small_config)
    timeline = Timeline(trainer)
    trainer.step(generator=False, complete_iteration=False)
    timeline.stepped(trainer, True, False, completed=False)
    trainer.step(discriminator=False)
    timeline.stepped(trainer, False, True, completed=True)
    assert timeline.tree[0].odd_steps == {} and timeline.tree[0].tip == 1


def test_the_tree_is_bounded(small_config):
    tree = BranchTree(small_config)
    for _ in range(MAX_BRANCHES - 1):
        tree.add(0, 0, small_config)
    with pytest.raises(TreeFull):
        tree.add(0, 0, small_config)


def test_a_smaller_budget_thins_at_once():
    store = KeyframeStore(budget_bytes=100, first_spacing=1)
    for iteration in range(8):
        store.add(0, Keyframe(iteration, {}, None, nbytes=10, anchor=iteration == 0))
    store.set_budget(45)
    assert store.spacing == 2 and store.iterations(0) == [0, 2, 4, 6] and store.nbytes == 40


def test_records_in_a_session_bring_every_branch_back_exactly(small_config):
    import json

    from ganlab.core.timeline_records import timeline_records

    trainer = Trainer(small_config)
    timeline = Timeline(trainer, first_spacing=4)
    train(trainer, timeline, 12)
    main_tip = weights(trainer)
    timeline.seek(trainer, 0, 5)
    changed = trainer.config.copy()
    changed.training.critic_steps = 2
    trainer.apply_config(changed)
    train(trainer, timeline, 4)
    train(trainer, timeline, 1, kind=(False, True))
    state = trainer.state_dict()  # what the session file holds
    records = json.loads(json.dumps(timeline_records(timeline)))
    opened = Trainer(changed)
    opened.load_state_dict(state)
    restored = Timeline.from_records(opened, records)
    assert (restored.branch, restored.position, restored.tree.difference(1)) == (
        1, 10, ["training.critic_steps: 1 → 2"])
    restored.seek(opened, 0, 12)  # main's tip: replayed from the fresh root
    assert same(weights(opened), main_tip)
    restored.seek(opened, 1, 10)
    opened_weights, trainer_weights = weights(opened), weights(trainer)
    assert same(opened_weights, trainer_weights)
    only_current = timeline_records(timeline, all_branches=False)
    assert [b["id"] for b in only_current["branches"]] == [0, 1]


@pytest.mark.parametrize("damage", [
    lambda r: r.update(version=9),
    lambda r: r["branches"][1].update(fork=99),
    lambda r: r["branches"][1].update(parent=7),
    lambda r: r["branches"][0]["settings"][0].__setitem__(1, {"objective": {"name": "nope"}}),
    lambda r: r["branches"][1]["odd_steps"].append([1, [[1, 0]]]),
    lambda r: r.update(position=1),
    lambda r: r["branches"].extend([r["branches"][1]] * 40),
])
def test_damaged_records_are_refused_with_a_reason(small_config, damage):
    from ganlab.core.timeline_records import read_records, timeline_records

    trainer = Trainer(small_config)
    timeline = Timeline(trainer)
    train(trainer, timeline, 4)
    timeline.seek(trainer, 0, 2)
    train(trainer, timeline, 1)
    records = timeline_records(timeline)
    damage(records)
    with pytest.raises(ValueError, match="timeline"):
        read_records(records, trainer.iteration)
