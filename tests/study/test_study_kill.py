"""A study killed at any moment resumes: nothing finished is lost, changed or trained again.

The study runs as a separate `ganlab study` process; it is killed with SIGKILL (no chance to
clean up) once some runs have ended and another is half-written, then started again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.study.tiny_study import TINY_OPTIONS, folder_state

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and process groups"),
              pytest.mark.slow, pytest.mark.timeout(600)]  # three studies start

RUNS = 6
WAIT_S = 180  # how long a step may take at most on a crowded machine before the test fails


def command(folder: Path, batch: bool = False) -> list[str]:
    """The study: one run per process on two workers (kills land between runs), or every run
    left as one batched model on one worker (the default is batching)."""
    return [sys.executable, "-m", "ganlab.cli", "study", "--target", "ring8",
            "--objectives", "minimax", "--seeds", str(RUNS), "--iterations", "200",
            "--out", str(folder), *TINY_OPTIONS,
            *(["--workers", "1"] if batch else ["--workers", "2", "--no-batch"])]


def ended_runs(folder: Path) -> set[str]:
    records = folder / "records"
    return {p.stem for p in records.glob("*.json")} if records.is_dir() else set()


def partial_runs(folder: Path) -> list[str]:
    runs = folder / "runs"
    return [p.name for p in runs.iterdir() if ".ganlab-partial." in p.name] if runs.is_dir() \
        else []


def start_and_kill(folder: Path, after: int, whole_group: bool, batch: bool = False) -> None:
    """Start the study, wait until at least `after` runs ended and one is half-written, and
    SIGKILL the study's process (and its workers with `whole_group`)."""
    process = subprocess.Popen(command(folder, batch), start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + WAIT_S
    try:
        while not (len(ended_runs(folder)) >= after and partial_runs(folder)):
            assert process.poll() is None, "the study ended before it could be killed"
            assert time.monotonic() < deadline, "the study did not get that far in time"
            time.sleep(0.02)
    finally:
        if whole_group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait()
    if not whole_group:  # its workers notice that the study is gone and stop by themselves
        while _group_alive(process.pid):
            assert time.monotonic() < deadline, "a worker outlived the killed study"
            time.sleep(0.1)


def _group_alive(group: int) -> bool:
    """Whether a process of the group still runs (a zombie waiting to be reaped does not)."""
    proc = Path("/proc")
    if not proc.is_dir():  # macOS: no /proc; signal 0 reaches the group's living members
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            state, _, process_group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile
        if int(process_group) == group and state != "Z":
            return True
    return False


def written(folder: Path) -> dict:
    """What the study has written for good: its files, less what a killed process left half
    written: a run's partial folder and the temporary file of an atomic write (a resumed study
    removes both; whether one is still there at the moment of looking is a race)."""
    return {path: state for path, state in folder_state(folder).items()
            if ".ganlab-partial." not in path
            and not (Path(path).name.startswith(".") and path.endswith(".tmp"))}


def test_a_killed_study_resumes_without_losing_or_repeating_anything(tmp_path):
    folder = tmp_path / "study"
    # first kill: only the study's process; its workers must stop by themselves
    start_and_kill(folder, after=1, whole_group=False)
    first = written(folder)
    first_ended = ended_runs(folder)
    assert 1 <= len(first_ended) < RUNS
    # second kill: the resumed study and its workers at once
    start_and_kill(folder, after=min(len(first_ended) + 2, RUNS - 1), whole_group=True)
    second = written(folder)
    assert {k: v for k, v in second.items() if k in first} == first
    second_ended = ended_runs(folder)
    assert second_ended > first_ended
    # third kill: the rest as batches (staged before training), killed half-written
    start_and_kill(folder, after=len(second_ended), whole_group=True, batch=True)
    assert {k: v for k, v in written(folder).items() if k in second} == second
    second_ended = ended_runs(folder)
    # the last invocation finishes the rest, and only the rest, batched
    done = subprocess.run(command(folder, batch=True), capture_output=True, text=True,
                          timeout=WAIT_S)
    assert done.returncode == 0, done.stderr
    summary = done.stdout.splitlines()[0]
    left = RUNS - len(second_ended)
    assert summary.startswith(f"{RUNS} runs: {len(second_ended)} already done, {left} ran in")
    assert f"{left} finished, 0 diverged, 0 crashed" in summary
    final = folder_state(folder)
    assert {k: v for k, v in final.items() if k in second} == second
    assert ended_runs(folder) == {f"minimax-i200-s{seed}" for seed in range(RUNS)}
    assert partial_runs(folder) == []  # the half-written runs' leftovers are gone
    for seed in range(RUNS):
        record = json.loads((folder / "records" / f"minimax-i200-s{seed}.json").read_text())
        metrics = json.loads((folder / "runs" / f"minimax-i200-s{seed}" / "metrics.json")
                             .read_text())
        assert record["status"] == "finished"
        assert metrics["final"]["iteration"] == 200
        if f"minimax-i200-s{seed}" not in second_ended:
            assert record.get("batch") == (left if left > 1 else None)
