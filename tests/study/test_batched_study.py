"""Runs of a study trained as one batched model: the same run folders and the same numbers as
each run trained alone; batches only where `BatchedTrainer` takes the runs and it pays."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from ganlab.core.batched_trainer import BatchedTrainer
from ganlab.core.run_folder import RUN_FILES
from ganlab.core.session_file import load_session
from ganlab.study.batched_run import MAX_BATCH, execute_batch, plan_batches, task_cost
from ganlab.study.grid import expand
from ganlab.study.run_task import execute_run
from ganlab.study.study_file import spec_from_fields

TINY = {"g_layers": 1, "g_width": 8, "d_layers": 1, "d_width": 8, "batch_size": 64}
METRICS = ("modes_covered", "high_quality_fraction", "reverse_kl", "js", "w1")


def runs(objectives=("minimax", "wgan-gp"), seeds=3, iterations=(40,), **settings):
    return expand(spec_from_fields({
        "target": "ring8", "objectives": list(objectives), "seeds": seeds,
        "iterations": list(iterations), "settings": {**TINY, **settings}}, "test"))


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in the study's workers
    yield
    torch.set_num_threads(threads)


def test_runs_batch_by_shape_where_it_pays():
    planned = runs(objectives=("minimax", "sliced-wasserstein"), seeds=3, iterations=(20, 40),
                   d_lr=[1e-3, 1e-4])
    tasks = plan_batches(planned, workers=2)
    ids = sorted(sorted(run.run_id for run in task) for task in tasks)
    # seeds and learning rates differ within a batch, budgets do not; sliced-wasserstein
    # draws its projections inside the loss and trains alone
    assert ids == sorted([sorted(f"minimax-d_lr{lr}-i{i}-s{s}" for lr in ("0.001", "0.0001")
                                 for s in range(3)) for i in (20, 40)] +
                         [[run.run_id] for run in planned if "sliced" in run.run_id])
    # the costliest first: the pool's workers take them longest first
    assert [task_cost(task) for task in tasks] == sorted(map(task_cost, tasks), reverse=True)
    assert len(tasks[0]) == 6 and "-i40-" in tasks[0][0].run_id
    assert plan_batches(planned, workers=2, batching=False) == [[run] for run in planned]
    wide = runs(seeds=3, g_width=128)  # 3 × 128: arithmetic-bound, batching gains ~1.1×
    alone = plan_batches(wide, workers=1)  # (wgan-gp's first: its penalty costs more)
    assert sorted(alone, key=lambda task: task[0].run_id) == [[run] for run in sorted(
        wide, key=lambda run: run.run_id)]
    assert [task[0].axes["objective"] for task in alone] == ["wgan-gp"] * 3 + ["minimax"] * 3
    mmd = runs(objectives=("mmd",), seeds=3)  # its kernel matrices: batched 1.05×
    assert plan_batches(mmd, workers=1) == [[run] for run in mmd]


def test_batches_are_split_for_idle_workers_and_capped():
    one_group = runs(objectives=("minimax",), seeds=6)
    assert [len(task) for task in plan_batches(one_group, workers=1)] == [6]
    assert [len(task) for task in plan_batches(one_group, workers=2)] == [3, 3]
    assert [len(task) for task in plan_batches(one_group, workers=4)] == [2, 2, 1, 1]
    large = runs(objectives=("minimax",), seeds=MAX_BATCH + 4)
    assert [len(task) for task in plan_batches(large, workers=1)] == [10, 10]


def test_objectives_mix_in_a_batch_where_that_makes_batches_larger():
    # four seeds of two objectives on two workers: one objective per batch, one batch each
    # (mixing them would cost each batch an objective's overhead and gain nothing)
    # (the gradient penalty's batch first: of two tasks of one cost it trains longer)
    two = runs(objectives=("minimax", "wgan-gp"), seeds=4)
    assert [sorted(run.run_id for run in task) for task in plan_batches(two, workers=2)] == [
        [f"{o}-i40-s{s}" for s in range(4)] for o in ("wgan-gp", "minimax")]
    # two seeds of six objectives on one worker: one batch of 12 (by the cost model 4 + 12 + 5
    # against 6 × (4 + 2) for six batches of two), every objective in it
    six = ("minimax", "non-saturating", "wgan", "wgan-gp", "lsgan", "hinge")
    tasks = plan_batches(runs(objectives=six, seeds=2), workers=1)
    assert [len(task) for task in tasks] == [12]
    # on two workers: two batches of six, each with one seed of every objective
    tasks = plan_batches(runs(objectives=six, seeds=2), workers=2)
    assert [sorted(run.run_id for run in task) for task in tasks] == [
        sorted(f"{o}-i40-s{s}" for o in six) for s in (0, 1)]


def test_a_long_batch_is_split_where_it_would_hold_up_the_study():
    # 12 long runs and 4 short ones on 2 workers: the long batch alone would take longer
    # than all the rest, so it is halved
    long_and_short = runs(objectives=("minimax",), seeds=12, iterations=(80,)) + runs(
        objectives=("minimax",), seeds=4, iterations=(20,))
    assert [len(task) for task in plan_batches(long_and_short, workers=2)] == [6, 6, 4]


def test_a_batch_writes_the_folders_and_numbers_of_runs_trained_alone(tmp_path):
    # two objectives in one batch; wgan-gp's penalty draws α too, minimax's stream does not
    planned = runs(objectives=("wgan-gp", "minimax"), seeds=1)
    dirs = [str(tmp_path / "batched" / run.run_id) for run in planned]
    outcomes = execute_batch([run.config for run in planned], dirs, 2, 200)
    assert [(o["status"], o["batch"]) for o in outcomes] == [("finished", 2)] * 2
    assert all(o["wall_seconds"] == pytest.approx(o["batch_wall_seconds"] / 2, abs=1e-3)
               for o in outcomes)
    for run in planned:
        alone = execute_run(run.config, str(tmp_path / "alone" / run.run_id), 2, 200)
        assert alone["status"] == "finished"
        mine, theirs = tmp_path / "batched" / run.run_id, tmp_path / "alone" / run.run_id
        assert {p.name for p in mine.iterdir()} == RUN_FILES
        assert json.loads((mine / "config.json").read_text()) == \
            json.loads((theirs / "config.json").read_text())
        np.testing.assert_allclose(np.load(mine / "samples.npy"), np.load(theirs / "samples.npy"),
                                   atol=1e-5)
        a, b = (json.loads((d / "metrics.json").read_text()) for d in (mine, theirs))
        assert [row["iteration"] for row in a["history"]] == [20, 40]
        for row_a, row_b in zip(a["history"], b["history"], strict=True):  # every evaluation
            assert row_a["iteration"] == row_b["iteration"]
            for key in ("discriminator_loss", "generator_loss", *METRICS):
                assert (row_a[key] is None) == (row_b[key] is None), key
                if row_b[key] is not None:
                    assert row_a[key] == pytest.approx(row_b[key], rel=1e-4, abs=1e-5), key
        # the session continues the run: its generator is the batch's run
        session = load_session(mine / "session.ganlab")
        assert session.trainer.iteration == 40


def test_a_run_that_diverges_in_a_batch_is_written_from_its_last_finite_state(
        tmp_path, monkeypatch):
    group = runs(objectives=("minimax",), seeds=2)

    def run_one_not_finite_after_20(batch):
        return [True, batch.iteration <= 20]

    monkeypatch.setattr(BatchedTrainer, "finite_runs", run_one_not_finite_after_20)
    dirs = [str(tmp_path / run.run_id) for run in group]
    outcomes = execute_batch([run.config for run in group], dirs, 2, 200)
    assert [o["status"] for o in outcomes] == ["finished", "diverged"]
    assert outcomes[1]["reason"] == ("training diverged at iteration 40: a loss or weight is "
                                     "NaN or infinite; try a lower learning rate")
    finished, diverged = (json.loads((tmp_path / r.run_id / "metrics.json").read_text())
                          for r in group)
    assert (finished["diverged"], finished["final"]["iteration"]) == (False, 40)
    assert (diverged["diverged"], diverged["diverged_at"], diverged["results_from_iteration"],
            diverged["final"]["iteration"]) == (True, 40, 20, 20)


def test_a_batch_that_cannot_train_together_falls_back_to_runs_alone(tmp_path):
    group = runs(objectives=("minimax",), seeds=2, device="cuda:99")  # exists nowhere
    outcomes = execute_batch([run.config for run in group],
                             [str(tmp_path / run.run_id) for run in group], 1, 200)
    assert [o["status"] for o in outcomes] == ["crashed", "crashed"]
    assert all(o["reason"].startswith("DeviceUnavailableError: ") for o in outcomes)
    assert all("batch" not in o for o in outcomes)
    assert list(tmp_path.iterdir()) == []
