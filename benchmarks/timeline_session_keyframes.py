"""What saving the timeline's keyframes in a session costs, and what it buys after reopening:
a run with the app's default networks (3×128), keyframes every `--spacing` iterations, then the
keyframes a save and an autosave write (count, bytes, CPU time), the CPU time to read them back
(validated), and the longest replay a seek needs after reopening with and without them.

CPU time (`time.process_time`, one thread), so the numbers mean something on a busy machine.

    python benchmarks/timeline_session_keyframes.py [--iterations 400] [--spacing 8]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from ganlab.core.config import RunConfig
from ganlab.core.session_file import Session, load_session, save_session
from ganlab.core.session_keyframes import (
    AUTOSAVE_KEYFRAME_BYTES,
    SAVED_KEYFRAME_BYTES,
    keyframe_members,
    read_keyframes,
)
from ganlab.core.timeline import Timeline
from ganlab.core.timeline_records import timeline_records
from ganlab.core.trainer import Trainer


def longest_replay(timeline: Timeline, tip: int) -> int:
    return max(timeline.replay_length(0, iteration) for iteration in range(tip + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=400)
    parser.add_argument("--spacing", type=int, default=8)
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = RunConfig()
    config.training.device = "cpu"
    trainer = Trainer(config)
    timeline = Timeline(trainer, first_spacing=args.spacing)
    for _ in range(args.iterations):
        timeline.before_step(trainer)
        trainer.step()
        timeline.stepped(trainer, True, True, True)
    print(f"{len(timeline.store)} keyframes in memory, "
          f"{timeline.store.keyframes(0)[1].nbytes / 2**20:.2f} MB each")
    folder = Path(tempfile.mkdtemp(prefix="ganlab-bench-"))
    started = time.process_time()
    save_session(Session(trainer), folder / "plain.ganlab")
    print(f"a session without keyframes: {time.process_time() - started:.3f} s CPU")
    for name, bound in (("autosave", AUTOSAVE_KEYFRAME_BYTES), ("save", SAVED_KEYFRAME_BYTES)):
        started = time.process_time()
        members, entries = keyframe_members(timeline, True, bound)
        cost = time.process_time() - started
        print(f"{name}: {len(members)} keyframes, "
              f"{sum(map(len, members.values())) / 2**20:.1f} MB, {cost:.2f} s CPU")
    records = timeline_records(timeline)
    records["keyframes"] = entries
    path = folder / "run.ganlab"
    save_session(Session(trainer, extra={"timeline": records}, members=members), path)
    started = time.process_time()
    opened = load_session(path)
    reopened = Timeline.from_records(opened.trainer, records)
    print(f"after reopening without keyframes: the longest replay "
          f"{longest_replay(reopened, args.iterations):,} iterations")
    found, bad = read_keyframes(path, entries, reopened.tree, opened.trainer)
    for branch, keyframe in found:
        reopened.store.add(branch, keyframe)
    print(f"read {len(found)} keyframes ({bad} bad) in {time.process_time() - started:.2f} s "
          f"CPU; the longest replay {longest_replay(reopened, args.iterations):,} iterations")


if __name__ == "__main__":
    main()
