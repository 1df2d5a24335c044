"""Several runs of a study trained as one batched model in one worker, each written as the
ordinary run folder its own `ganlab train` run would write, with the same numbers.

Small points networks on a CPU are dispatch-bound: R runs of one shape stepped together
(`BatchedTrainer`) cost little more than one. `execute_batch` follows `run_headless` for every
run of the batch: the same checkpoints, the same evaluations (each run keeps an ordinary
`Trainer` whose evaluation stream draws exactly what its own run would draw, loaded with the
run's state at each checkpoint), the same final draw, divergence handling (a run that is not
finite stops there and is written from its last finite state; the others go on, runs never
mix) and the same files (`write_results`), each folder published whole or not at all.

A run's time is its share of the batch's: the batch's wall time / R (its outcome also says the
batch's size and wall time). If the batch cannot be built or training it fails, every run of
it is trained on its own instead (`execute_run`), so a failure is recorded per run as usual.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
import traceback
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: batched only where it pays: both networks at most this wide (measured, one thread, R = 5:
#: 2.9× at 2×32, 2.0× at 2×64, 1.1× at 3×128; `benchmarks/batched_speed.py`)
MAX_BATCHED_WIDTH = 64
#: objectives whose loss is arithmetic-bound: batched they gain nothing (MMD's kernel matrices,
#: 2×32 batch 128, R = 5: 1.05×, against 3.25× for minimax)
UNBATCHED_OBJECTIVES = ("mmd",)
MAX_BATCH = 16  # runs in one batch (the gain levels off; one slow batch holds R runs' results)
#: a batched step costs about (STEP_OVERHEAD_RUNS + R) times one run's share (2×32, one
#: thread, measured under load: 2.2 ms at R = 1, + ~0.45 ms per run): the planner's cost model
STEP_OVERHEAD_RUNS = 4
#: each objective beyond the first in one batch adds about one run's share (its own vmapped
#: losses, the penalty on a subset of runs: ~0.4 ms a step, measured under load)
OBJECTIVE_OVERHEAD_RUNS = 1


def execute_batch(configs: list[dict[str, Any]], out_dirs: list[str], evaluations: int,
                  samples: int) -> list[dict]:
    """Train the runs `configs` as one batch into `out_dirs`; one outcome per run, as
    `execute_run` gives it, plus {"batch": R, "batch_wall_seconds"}."""
    from ganlab.study.run_task import execute_run

    started, cpu_started = time.perf_counter(), time.thread_time()  # (the study's own process
    try:                                         # may train a batch in a thread: its CPU only)
        outcomes = _train_and_write(configs, out_dirs, evaluations, samples)
    except Exception:  # the batch as a whole failed: each run on its own records its failure
        log.warning("a batch of %d runs failed; training them one by one:\n%s", len(configs),
                    traceback.format_exc(limit=5))
        return [execute_run(c, d, evaluations, samples) for c, d in
                zip(configs, out_dirs, strict=True)]
    wall = time.perf_counter() - started
    cpu = time.thread_time() - cpu_started
    for outcome in outcomes:
        outcome.update(wall_seconds=round(wall / len(configs), 3),
                       cpu_seconds=round(cpu / len(configs), 3), batch=len(configs),
                       batch_wall_seconds=round(wall, 3))
    return outcomes


def _train_and_write(configs, out_dirs, evaluations, samples) -> list[dict]:
    """Stage every run's folder (checked before training, as `run_headless` does: a study
    killed meanwhile leaves only partial folders, which the next attempt removes), train the
    batch, then write and publish each run."""
    from ganlab.core.batched_trainer import BatchedTrainer
    from ganlab.core.config import RunConfig
    from ganlab.core.headless import MAX_EVALUATIONS, MAX_SAMPLES, write_results
    from ganlab.core.run_folder import RunFolder
    from ganlab.study.run_task import CRASHED, DIVERGED, FINISHED

    if not (1 <= samples <= MAX_SAMPLES and 1 <= evaluations <= MAX_EVALUATIONS):
        raise ValueError(f"samples {samples} or evaluations {evaluations} out of range")
    batch = BatchedTrainer([RunConfig.from_dict(c).validate() for c in configs])
    outcomes = []
    with contextlib.ExitStack() as stack:
        folders = [stack.enter_context(RunFolder(out_dir)) for out_dir in out_dirs]
        for run, (trainer, result, drawn) in enumerate(_train(batch, evaluations, samples)):
            outcome: dict[str, Any] = {"status": FINISHED, "reason": None}
            try:
                result.out_dir = Path(out_dirs[run])
                write_results(trainer, result, drawn, folders[run].staging)
                folders[run].commit()
            except Exception as error:  # this run's folder could not be written
                outcome.update(status=CRASHED, reason=f"{type(error).__name__}: {error}"[:500],
                               traceback=traceback.format_exc(limit=20))
            else:
                if result.diverged:
                    outcome.update(status=DIVERGED, reason=(
                        f"training diverged at iteration {result.diverged_at}: a loss or weight "
                        "is NaN or infinite; try a lower learning rate"))
            outcomes.append(outcome)
    return outcomes


def _train(batch, evaluations: int, sample_count: int) -> list[tuple]:
    """`run_headless`'s loop for every run of the batch: per run (its Trainer in its final
    written state, its RunResult, its final draw of samples)."""
    from ganlab.core.headless import RunResult, evaluate_draw
    from ganlab.core.metrics import evaluate

    runs, total = batch.runs, batch.config.training.iterations
    evaluations = min(evaluations, max(total, 1))
    checkpoints = sorted({round(total * (i + 1) / evaluations) for i in range(evaluations)})
    checkpoints = [c for c in checkpoints if c > 0]
    trainers = [batch.trainer(run) for run in range(runs)]
    last_finite = [trainer.state_dict() for trainer in trainers]
    histories: list[list[dict]] = [[] for _ in range(runs)]
    diverged_at: list[int | None] = [None] * runs
    started = time.perf_counter()

    def elapsed() -> float:  # a run's share of the batch's time
        return round((time.perf_counter() - started) / runs, 3)

    for checkpoint in checkpoints:
        batch.train(checkpoint - batch.iteration)
        losses, finite = batch.read_losses(), batch.finite_runs()
        for run in range(runs):
            if diverged_at[run] is not None:
                continue
            d_loss, g_loss = losses[run]
            row = {"iteration": batch.iteration, "discriminator_loss": d_loss,
                   "generator_loss": g_loss}
            histories[run].append(row)
            if not (_finite(d_loss, g_loss) and finite[run]):
                diverged_at[run] = batch.iteration
                log.error("run %d of the batch diverged at iteration %d", run, batch.iteration)
                continue
            trainer = batch.load_into(run, trainers[run])
            last_finite[run] = trainer.state_dict()
            if checkpoint != checkpoints[-1]:
                row.update(evaluate(trainer))
                row["seconds"] = elapsed()
        if all(at is not None for at in diverged_at):
            break
    results = []
    for run, trainer in enumerate(trainers):
        if diverged_at[run] is not None:
            trainer.load_state_dict(last_finite[run])
        final, drawn = evaluate_draw(trainer, sample_count)
        if diverged_at[run] is None and checkpoints:
            histories[run][-1].update(final)
            histories[run][-1]["seconds"] = elapsed()
        results.append((trainer, RunResult(
            final, histories[run], 0.0, None, diverged=diverged_at[run] is not None,
            diverged_at=diverged_at[run], results_from_iteration=trainer.iteration), drawn))
    for _, result, _ in results:
        result.seconds = elapsed()
    return results


def _finite(*losses) -> bool:
    return all(v is None or math.isfinite(v) for v in losses)


def plan_batches(runs: list, workers: int, batching: bool = True) -> list[list]:
    """The study's runs (`PlannedRun`s) as tasks: lists of runs that train as one batch
    (several) or alone (one), costliest first. Runs batch where `BatchedTrainer` can take them
    together (same settings but seed, learning rates and objective, points, Adam, ...) and it
    pays (networks at most `MAX_BATCHED_WIDTH` wide, not `UNBATCHED_OBJECTIVES`), at most
    `MAX_BATCH` a batch. Two plans are made, one objective per batch and objectives mixed, and
    the one that ends sooner by the cost model is taken (`_makespan`; a tie: one objective):
    mixing pays where it makes batches larger, not where each objective fills its own.
    Batches take every k-th run of their group, so that each gets its share of every
    objective; the costliest batch (`task_cost`) is halved while there are fewer tasks than
    `workers` or halving it shortens the estimated time to the last worker's end, so that no
    worker idles while another trains a long batch. Submitted costliest first (among equal
    costs, those with more gradient penalties: `penalised_runs`), the tasks fill the workers
    longest-first (LPT)."""
    from ganlab.core.config import RunConfig

    if not batching or len(runs) < 2:
        return [[run] for run in runs]
    configs = [RunConfig.from_dict(run.config) for run in runs]
    plans = [_plan(runs, configs, workers, mixed) for mixed in (False, True)]
    return min(plans, key=lambda tasks: _makespan(tasks, workers))


def _plan(runs: list, configs: list, workers: int, mixed: bool) -> list[list]:
    from ganlab.core.batched_trainer import batch_groups, batching_problem
    from ganlab.core.targets import make_target

    groups = batch_groups(configs)
    if not mixed:  # one objective per group
        groups = [[i for i in group if configs[i].objective.name == name] for group in groups
                  for name in dict.fromkeys(configs[i].objective.name for i in group)]
    tasks: list[list] = []
    for group in groups:
        members = [runs[i] for i in group]
        if len(group) < 2 or not _pays(configs[group[0]]) or batching_problem(
                [configs[i] for i in group], make_target(configs[group[0]].target)):
            tasks += [[run] for run in members]
            continue
        count = math.ceil(len(members) / MAX_BATCH)
        tasks += [members[i::count] for i in range(count)]
    while tasks:
        largest = max(range(len(tasks)), key=lambda i: task_cost(tasks[i]))
        task = tasks[largest]
        if len(task) < 2:
            break
        halved = [*tasks[:largest], task[0::2], task[1::2], *tasks[largest + 1:]]
        if len(tasks) >= workers and _makespan(halved, workers) >= _makespan(tasks, workers):
            break
        tasks = halved
    # (stable: other ties keep the grid's order)
    return sorted(tasks, key=lambda task: (task_cost(task), penalised_runs(task)), reverse=True)


def penalised_runs(task: list) -> int:
    """How many runs of the task add a gradient penalty (a second backward pass through the
    critic): among tasks of one `task_cost`, those train longest (2×32, R = 4, one thread,
    under load: 4.1 ms a step for wgan-gp against 2.9 ms for minimax), so they go first: to
    the study's own process, which starts training before any worker (`run_local`)."""
    from ganlab.core.objectives import get_objective

    return sum(1 for run in task if get_objective(run.config["objective"]["name"])
               .gradient_penalty and run.config["objective"]["gradient_penalty_weight"] > 0)


def _makespan(tasks: list[list], workers: int) -> float:
    """The estimated time until the last worker is done, tasks taken costliest first by
    whichever worker is free (as the pool takes them)."""
    loads = [0.0] * max(workers, 1)
    for cost in sorted(map(task_cost, tasks), reverse=True):
        loads[loads.index(min(loads))] += cost
    return max(loads)


def task_cost(task: list) -> float:
    """A task's estimated CPU cost, in units of one 2×32 run's step: steps × (overhead + R +
    objectives − 1) × width / 32 (a rough model: it only chooses, orders and splits tasks)."""
    config = task[0].config
    training, model = config["training"], config["model"]
    steps = training["iterations"] * (training["critic_steps"] + training["generator_steps"])
    width = max(model["generator"]["width"], model["discriminator"]["width"])
    objectives = len({run.config["objective"]["name"] for run in task})
    runs = STEP_OVERHEAD_RUNS + len(task) + OBJECTIVE_OVERHEAD_RUNS * (objectives - 1)
    return steps * runs * max(1.0, width / 32)


def _pays(config) -> bool:
    model = config.model
    return max(model.generator.width, model.discriminator.width) <= MAX_BATCHED_WIDTH and \
        config.objective.name not in UNBATCHED_OBJECTIVES
