"""A timeline in a session file: the branch records as JSON, no tensors (untrusted on read).

The records (every branch's name, parent, fork, tip, settings changes and partial iterations)
are all a replay needs besides a starting state, and a run that started from fresh networks at
iteration 0 has one that needs no file: `Trainer(config)` under the root's first settings
builds exactly the networks it started from (seeded initialisation on the CPU). So a session
keeps `{"timeline": records}` in its free-form `extra` — every branch, or only the current
branch and its ancestors — and opening it rebuilds the timeline with the fresh root, the
session's own state (the current position) and the keyframes saved with it
(`session_keyframes.py`: a bounded set, listed under `records["keyframes"]`). Every other moment
is reached by an exact replay from the nearest of them. Runs whose timeline began elsewhere
(after opening a session) save no records.

`read_records` checks everything before use: types, bounds, ids, that each branch starts inside
its parent's stretch, settings (each a `RunConfig` that validates) in order inside the branch,
partial iterations inside it, and that the session's iteration is the current position; any
problem is a `ValueError` with one line.
"""

from __future__ import annotations

from ganlab.core.branches import MAX_BRANCHES, MAX_ODD_STEPS, Branch, BranchTree
from ganlab.core.config import RunConfig

VERSION = 1
MAX_SETTINGS = 1000  # settings changes per branch in a file
MAX_PARTS = 64  # calls of Trainer.step in one recorded iteration
MAX_NAME_CHARS = 40
MAX_ITERATION = 2**53


def timeline_records(timeline, all_branches: bool = True) -> dict | None:
    """JSON-ready records of `timeline` (None when its root did not start at iteration 0)."""
    tree = timeline.tree
    if tree[0].fork != 0:
        return None
    kept = tree.branches.values() if all_branches else reversed(tree.lineage(timeline.branch))
    return {"version": VERSION, "branch": timeline.branch, "position": timeline.position,
            "branches": [_branch_record(branch) for branch in kept]}


def _branch_record(branch: Branch) -> dict:
    return {"id": branch.id, "name": branch.name, "parent": branch.parent, "fork": branch.fork,
            "tip": branch.tip,
            "settings": [[iteration, config.to_dict()] for iteration, config in branch.settings],
            "odd_steps": [[iteration, [list(part) for part in parts]]
                          for iteration, parts in sorted(branch.odd_steps.items())]}


def read_records(records: object, iteration: int) -> tuple[BranchTree, int, int]:
    """(tree, current branch, position) from saved records, for a trainer at `iteration`."""
    if not isinstance(records, dict) or records.get("version") != VERSION:
        raise ValueError("the timeline records are missing or of another version")
    entries = records.get("branches")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_BRANCHES:
        raise ValueError(f"the timeline holds 1 to {MAX_BRANCHES} branches")
    tree: BranchTree | None = None
    for index, entry in enumerate(entries):
        branch = _read_branch(entry, tree, root=index == 0)
        if tree is None:
            tree = BranchTree(branch.settings[0][1])
            tree.branches.clear()
        tree.branches[branch.id] = branch
    tree._next_id = max(tree.branches) + 1
    current, position = records.get("branch"), records.get("position")
    if current not in tree.branches or position != iteration or not _counter(position) \
            or not tree.owner(current, position).fork <= position <= tree[current].tip:
        raise ValueError("the timeline's current position is not the session's iteration")
    return tree, current, position


def _counter(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_ITERATION


def _read_branch(entry: object, tree: BranchTree | None, root: bool) -> Branch:
    if not isinstance(entry, dict):
        raise ValueError("a timeline branch is not an object")
    branch_id, parent, fork, tip = (entry.get(k) for k in ("id", "parent", "fork", "tip"))
    name = entry.get("name")
    if not (_counter(branch_id) and branch_id < 10 * MAX_BRANCHES and _counter(fork)
            and _counter(tip) and fork <= tip and isinstance(name, str)
            and 0 < len(name) <= MAX_NAME_CHARS):
        raise ValueError("a timeline branch has a bad id, name, fork or tip")
    if root:
        if parent is not None or fork != 0 or branch_id != 0:
            raise ValueError("the timeline's first branch must be the root, from iteration 0")
    elif tree is None or parent not in tree.branches or branch_id in tree.branches \
            or not tree[parent].fork <= fork <= tree[parent].tip:
        raise ValueError(f"timeline branch {branch_id} does not start inside its parent")
    branch = Branch(branch_id, name, parent, fork, tip)
    settings = entry.get("settings")
    if not isinstance(settings, list) or not 1 <= len(settings) <= MAX_SETTINGS:
        raise ValueError(f"timeline branch {branch_id} has no settings")
    last = fork - 1
    for item in settings:
        if not (isinstance(item, list) and len(item) == 2 and _counter(item[0])
                and last < item[0] <= tip and isinstance(item[1], dict)):
            raise ValueError(f"timeline branch {branch_id} has settings out of order")
        last = item[0]
        try:
            config = RunConfig.from_dict(item[1]).validate()
        except Exception as error:
            raise ValueError(f"timeline branch {branch_id} has bad settings: {error}") from None
        branch.settings.append((item[0], config))
    if branch.settings[0][0] != fork:
        raise ValueError(f"timeline branch {branch_id}'s settings do not start at its fork")
    odd = entry.get("odd_steps")
    if not isinstance(odd, list) or len(odd) > MAX_ODD_STEPS:
        raise ValueError(f"timeline branch {branch_id} has bad partial iterations")
    for item in odd:
        if not (isinstance(item, list) and len(item) == 2 and _counter(item[0])
                and fork <= item[0] < tip and isinstance(item[1], list)
                and 1 <= len(item[1]) <= MAX_PARTS
                and all(isinstance(p, list) and len(p) == 2
                        and all(type(v) is bool for v in p) for p in item[1])):
            raise ValueError(f"timeline branch {branch_id} has bad partial iterations")
        branch.odd_steps[item[0]] = tuple(tuple(part) for part in item[1])
    return branch
