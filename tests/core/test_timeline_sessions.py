"""The timeline across a saved session (its keyframes, bounded and validated) and long seeks
(progress, and stopping one where it is): every number compared bit for bit on the CPU."""

import zipfile

import torch

from ganlab.core.session_file import Session, load_session, save_session
from ganlab.core.session_keyframes import (
    MEMBER,
    chosen_keyframes,
    keyframe_members,
    read_keyframes,
)
from ganlab.core.timeline import PROGRESS_EVERY, Timeline
from ganlab.core.timeline_records import timeline_records
from ganlab.core.trainer import Trainer
from tests.core.test_timeline import same, train, weights


def branched_run(config):
    """main trained 0 → 40, then branch 1 from 12 with another learning rate, 12 → 32
    (current). Keyframes every 8 iterations."""
    trainer = Trainer(config)
    timeline = Timeline(trainer, first_spacing=8)
    train(trainer, timeline, 40)
    timeline.seek(trainer, 0, 12)
    changed = trainer.config.copy()
    changed.generator_optimizer.learning_rate *= 0.5
    trainer.apply_config(changed)
    timeline.settings_changed(trainer)
    train(trainer, timeline, 20)
    assert (timeline.branch, timeline.tree[1].fork, trainer.iteration) == (1, 12, 32)
    return trainer, timeline


def save_with_keyframes(trainer, timeline, path, all_branches=True, max_bytes=2**30):
    records = timeline_records(timeline, all_branches)
    members, records["keyframes"] = keyframe_members(timeline, all_branches, max_bytes)
    save_session(Session(trainer, extra={"timeline": records}, members=members), path)
    return records, members


def reopen(path):
    session = load_session(path)
    records = session.extra["timeline"]
    timeline = Timeline.from_records(session.trainer, records)
    found, bad = read_keyframes(path, records["keyframes"], timeline.tree, session.trainer)
    for branch, keyframe in found:
        timeline.store.add(branch, keyframe)
    return session.trainer, timeline, found, bad


def test_a_reopened_session_resumes_another_branch_bit_for_bit(small_config, tmp_path):
    trainer, timeline = branched_run(small_config)
    path = tmp_path / "run.ganlab"
    records, _ = save_with_keyframes(trainer, timeline, path)
    # main's keyframes 8..40 and branch 1's anchor (12) and 16, 24 (32 is the session itself)
    assert sorted(map(tuple, (e[:2] for e in records["keyframes"]))) == [
        (0, 8), (0, 16), (0, 24), (0, 32), (0, 40), (1, 12), (1, 16), (1, 24)]
    # the uninterrupted run: main's tip, then 10 more iterations on main
    timeline.seek(trainer, 0, 40)
    expected_losses = train(trainer, timeline, 10)
    expected = weights(trainer)

    opened, reopened, found, bad = reopen(path)
    assert (len(found), bad) == (8, 0)
    assert reopened.replay_length(0, 40) == 0  # from the saved keyframe, not from 0
    assert reopened.replay_length(0, 39) == 7
    assert reopened.seek(opened, 0, 40) == 40 and opened.iteration == 40
    assert train(opened, reopened, 10) == expected_losses
    assert same(weights(opened), expected)
    assert reopened.branch == 0 and reopened.tree[0].tip == 50


def test_saved_keyframes_follow_the_branch_choice_and_the_byte_bound(small_config, tmp_path):
    trainer, timeline = branched_run(small_config)
    timeline.seek(trainer, 0, 20)  # shown: main, away from branch 1
    train(trainer, timeline, 4)  # branch 2 from 20, current
    lineage = {0, 2}
    only = chosen_keyframes(timeline, all_branches=False)
    assert {branch for branch, _ in only} == lineage
    assert {branch for branch, _ in chosen_keyframes(timeline, True)} == {0, 1, 2}
    one = timeline.store.keyframes(0)[1].nbytes
    # spaced out evenly: the spacing doubles (8 → 16 → 32) until they fit, anchors kept
    # (24 on branch 2 is the session's own state: never a keyframe of the file)
    few = chosen_keyframes(timeline, True, max_bytes=4 * one)
    assert [(b, f.iteration) for b, f in few] == [(0, 32), (1, 12), (1, 32), (2, 20)]
    fewer = chosen_keyframes(timeline, True, max_bytes=3 * one)
    assert [(b, f.iteration) for b, f in fewer] == [(1, 12), (2, 20)]  # anchors only
    members, entries = keyframe_members(timeline, False, max_bytes=2 * 2**20)
    assert sum(len(data) for data in members.values()) <= 2 * 2**20
    assert {branch for branch, _, _ in entries} <= lineage and entries


def test_damaged_saved_keyframes_are_left_out(small_config, tmp_path):
    trainer, timeline = branched_run(small_config)
    path = tmp_path / "run.ganlab"
    records, _ = save_with_keyframes(trainer, timeline, path)
    number_at_8 = next(n for b, it, n in records["keyframes"] if (b, it) == (0, 8))
    other = small_config.copy()  # other networks: a wider generator
    other.model.generator.width = 24
    wider = Trainer(other)
    wide_path = tmp_path / "wide.ganlab"
    save_session(Session(wider), wide_path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(MEMBER.format(900), wide_path.read_bytes())
        archive.writestr(MEMBER.format(901), b"not a session")
    opened = load_session(path).trainer
    tree = Timeline.from_records(opened, records).tree
    entries = [[99, 8, number_at_8],  # no such branch
               [1, 8, number_at_8],  # 8 is main's, before branch 1's fork
               [0, 16, number_at_8],  # the member holds iteration 8
               [0, 0, 900],  # other networks
               [0, 8, 901],  # not a session
               [0, 8, 902],  # no such member
               ["x"], [0, 8, number_at_8]]
    found, bad = read_keyframes(path, entries, tree, opened)
    assert bad == 7 and [(b, k.iteration) for b, k in found] == [(0, 8)]
    reference = Trainer(small_config)
    reference.train(8)
    assert all(torch.equal(a, b) for a, b in zip(
        found[0][1].state["generator"].values(),
        reference.state_dict()["generator"].values(), strict=True))


def test_a_long_seek_reports_progress_and_stops_where_asked(small_config):
    trainer = Trainer(small_config)
    timeline = Timeline(trainer, first_spacing=1024)  # one keyframe: at 0
    train(trainer, timeline, 100)
    calls = []

    def progress(done, total):
        calls.append((done, total))
        return done < 2 * PROGRESS_EVERY

    assert timeline.replay_length(0, 100) == 100
    reached = timeline.seek(trainer, 0, 100, progress)
    assert calls == [(PROGRESS_EVERY, 100), (2 * PROGRESS_EVERY, 100)]
    assert reached == trainer.iteration == timeline.position == 2 * PROGRESS_EVERY
    reference = Trainer(small_config)
    reference.train(2 * PROGRESS_EVERY)
    assert same(weights(trainer), weights(reference))
    assert timeline.seek(trainer, 0, 100, lambda done, total: True) == 100
