"""Keyframes in a session file, so that a reopened session seeks far without replaying from 0.

Saving (`keyframe_members`): of the branches the session keeps (every branch, or the current
one and its ancestors: the user's choice), the keyframes at multiples of a spacing s — the
store's spacing, doubled until the chosen ones fit `max_bytes` and `MAX_SAVED_KEYFRAMES` —
plus each branch's anchor (its first state) while they fit. The fresh root (iteration 0) and the
session's own state are left out: opening rebuilds both. Each keyframe is written as a whole
session file of its own (`save_session` of a scratch trainer holding it) in the member
`keyframes/NNN.ganlab`; the records list [branch, iteration, NNN] for each.

Reading (`read_keyframes`) treats the file as untrusted input: a bounded number of entries,
each naming a branch of the already validated tree and an iteration inside that branch's own
stretch; each member read with a byte bound (all of them together at most
`MAX_KEYFRAME_FILE_BYTES`), opened with `load_session` (its whole validation: bounded JSON,
tensors checked against the trainer its configuration builds), and accepted only if it is at
the entry's iteration and its networks have exactly the session trainer's tensor shapes. A bad
entry is left out (the seek replays further instead) and counted.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

from ganlab.core.keyframes import Keyframe, restore_keyframe, state_bytes

MAX_SAVED_KEYFRAMES = 64
SAVED_KEYFRAME_BYTES = 32 * 2**20  # what a save writes at most (3×128 nets: ~40 keyframes,
# ~1 s of CPU: ~40 ms each, measured under load)
AUTOSAVE_KEYFRAME_BYTES = 8 * 2**20  # an autosave (every minute, in the training thread):
# ~10 keyframes, ~0.3 s
MAX_KEYFRAME_FILE_BYTES = 1 << 30  # what a read accepts at most, all keyframes together
MEMBER = "keyframes/{:03d}.ganlab"
_MEMBER_NAME = re.compile(r"keyframes/\d{3}\.ganlab")


def chosen_keyframes(timeline, all_branches: bool, max_bytes: int = SAVED_KEYFRAME_BYTES):
    """[(branch id, Keyframe)] to save: evenly spaced ones plus anchors, under the bounds."""
    tree = timeline.tree
    kept = list(tree.branches) if all_branches else [b.id for b in tree.lineage(timeline.branch)]
    own = (tree.owner(timeline.branch, timeline.position).id, timeline.position)
    candidates = [(branch, frame) for branch in kept
                  for frame in timeline.store.keyframes(branch)
                  if not (branch == 0 and frame.iteration == tree[0].fork)
                  and (branch, frame.iteration) != own]
    spacing = timeline.store.spacing
    while True:
        chosen = [(b, f) for b, f in candidates if f.anchor or f.iteration % spacing == 0]
        fits = len(chosen) <= MAX_SAVED_KEYFRAMES and \
            sum(f.nbytes for _, f in chosen) <= max_bytes
        if fits or all(f.anchor for _, f in chosen):
            break
        spacing *= 2
    kept_frames, total = [], 0
    for branch, frame in chosen:  # anchors alone may still be too many: the first ones
        if len(kept_frames) < MAX_SAVED_KEYFRAMES and total + frame.nbytes <= max_bytes:
            kept_frames.append((branch, frame))
            total += frame.nbytes
    return kept_frames


def keyframe_members(timeline, all_branches: bool, max_bytes: int = SAVED_KEYFRAME_BYTES):
    """({member name: session bytes}, [[branch, iteration, number], ...]) for a save."""
    from ganlab.core.session_file import Session, save_session
    from ganlab.core.trainer import Trainer

    chosen = chosen_keyframes(timeline, all_branches, max_bytes)
    members, entries, written = {}, [], 0
    if not chosen:
        return members, entries
    scratch = Trainer(chosen[0][1].config)
    with tempfile.TemporaryDirectory(prefix="ganlab-keyframes-") as folder:
        path = Path(folder) / "keyframe.ganlab"
        for number, (branch, frame) in enumerate(chosen):
            restore_keyframe(scratch, frame)
            save_session(Session(scratch), path)
            data = path.read_bytes()
            if written + len(data) > max_bytes:
                break
            written += len(data)
            members[MEMBER.format(number)] = data
            entries.append([branch, frame.iteration, number])
    return members, entries


def read_keyframes(path, entries: object, tree, trainer) -> tuple[list, int]:
    """([(branch id, Keyframe)], how many entries were left out) from session `path`."""
    from ganlab.core.session_file import load_session
    from ganlab.core.untrusted_input import read_zip_member

    if not isinstance(entries, list) or not entries:
        return [], 0 if entries is None else 1
    shapes = _network_shapes(trainer.state_dict())
    found, bad, remaining = [], 0, MAX_KEYFRAME_FILE_BYTES
    with zipfile.ZipFile(path) as archive, \
            tempfile.TemporaryDirectory(prefix="ganlab-keyframes-") as folder:
        names = set(archive.namelist())
        for entry in entries[:MAX_SAVED_KEYFRAMES]:
            try:
                branch, iteration, name = _checked_entry(entry, tree, names)
                data = read_zip_member(archive, name, remaining)
                remaining -= len(data)
                nested = Path(folder) / "keyframe.ganlab"
                nested.write_bytes(data)
                loaded = load_session(nested).trainer
                state = loaded.state_dict()
                if loaded.iteration != iteration or _network_shapes(state) != shapes:
                    raise ValueError("another iteration or other networks")
            except Exception:  # untrusted: this keyframe is not used
                bad += 1
                continue
            owner = tree[branch]
            config = owner.config_at(max(iteration - 1, owner.fork))
            found.append((branch, Keyframe(iteration, state, config, state_bytes(state),
                                           anchor=iteration == owner.fork)))
    return found, bad + max(0, len(entries) - MAX_SAVED_KEYFRAMES)


def _checked_entry(entry: object, tree, names: set[str]) -> tuple[int, int, str]:
    if not (isinstance(entry, list) and len(entry) == 3
            and all(type(value) is int and value >= 0 for value in entry)):
        raise ValueError("not [branch, iteration, number]")
    branch, iteration, number = entry
    name = MEMBER.format(number) if number < 1000 else ""
    if branch not in tree.branches or not _MEMBER_NAME.fullmatch(name) or name not in names:
        raise ValueError("no such branch or member")
    if tree.owner(branch, iteration).id != branch or iteration > tree[branch].tip:
        raise ValueError("the iteration is not on the branch's own stretch")
    return branch, iteration, name


def _network_shapes(state: dict) -> dict:
    return {role: {name: tuple(value.shape) for name, value in state[role].items()}
            for role in ("generator", "discriminator")}
