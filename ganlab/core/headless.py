"""A whole training run without a window: train, evaluate now and then, write the results.

The output folder holds `config.json` (the run configuration), `metrics.json` (final values and
the history: losses and every metric at each evaluation), `samples.npy` (generated samples in
data coordinates: exactly the draw the final metrics were computed from), the generator as
`generator.safetensors` + `generator.json`, and `session.ganlab`, from which
`ganlab train --resume` continues exactly.

Where results go is checked before training starts, and the folder is replaced whole at the
end or not at all (`ganlab.core.run_folder`). A run that diverges (a NaN or infinite loss,
weight or optimizer moment) stops there; its results come from the last evaluated state that
was finite, and `metrics.json` says which iteration that is (`results_from_iteration`) and
where it diverged (`diverged_at`).

The evaluations along the way cost no training time where a second core is free: at each
checkpoint the training thread draws the samples (generated, real, the critic's value gap: the
same draws, in the same order, as `metrics.evaluate`) and a metrics thread computes the
metrics from them (`evaluate_samples`, numbers only) while training goes on, as the app's
metrics thread does. The rows are the ones an inline evaluation would write.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from ganlab.core.atomic_file import atomic_write
from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.export import export_generator
from ganlab.core.image_grid import write_png_grid
from ganlab.core.metrics import (
    EVALUATION_SAMPLES,
    critic_value_gap,
    evaluate_samples,
    evaluation_size,
)
from ganlab.core.run_folder import RunFolder, RunWriteError
from ganlab.core.session_file import Session, json_safe, save_session
from ganlab.core.trainer import Trainer

log = logging.getLogger(__name__)

MAX_SAMPLES = 100_000  # the final evaluation scores every written sample: ~5 s at this size
SAMPLES_SHOWN = 100  # images in samples.png
REFERENCE_SEED = 0  # the real samples of the final evaluation (`ganlab evaluate`'s default)
MAX_EVALUATIONS = 10_000  # evaluations along a run (each takes ~0.2–0.5 s)


class TrainingDivergedError(RuntimeError):
    """A loss or a weight became NaN or infinite; `result` holds what was written (from the
    last finite state)."""

    def __init__(self, message: str, result: RunResult):
        super().__init__(message)
        self.result = result


@dataclass
class RunResult:
    final: dict  # metrics of the written samples (at `results_from_iteration`)
    history: list[dict]  # one row per evaluation: iteration, losses, metrics, seconds
    seconds: float
    out_dir: Path | None
    diverged: bool = False
    diverged_at: int | None = None  # the first checked iteration that was not finite
    results_from_iteration: int | None = None  # the iteration the results were taken at


def run_headless(
    config: RunConfig,
    out_dir: str | Path | None = None,
    evaluations: int = 10,
    sample_count: int = EVALUATION_SAMPLES,
    progress: bool = True,
    trainer: Trainer | None = None,
    history: list[dict] | None = None,
    overwrite: bool = False,
) -> RunResult:
    """Train up to `config.training.iterations` (from the trainer's current iteration when
    resuming), evaluating `evaluations` times along the way; `history` continues a resumed
    run's rows. The last evaluation draws `sample_count` samples: those are the final metrics
    and `samples.npy`.

    With `out_dir`, the folder is checked and staged before training (`RunFolderError`, or
    `RunExistsError` for an existing run without `overwrite`) and replaced whole at the end.
    Raises `TrainingDivergedError` after writing the last finite state's results."""
    if not 1 <= sample_count <= MAX_SAMPLES:
        raise ValueError(f"sample_count must be from 1 to {MAX_SAMPLES:,}, got {sample_count}")
    if not 1 <= evaluations <= MAX_EVALUATIONS:
        raise ValueError(f"evaluations must be from 1 to {MAX_EVALUATIONS:,}, got {evaluations}")
    if (trainer.config if trainer else config).model.family != "gan":
        raise ConfigError("model.family vae trains in the app (Training → VAE beside the GAN); "
                          "ganlab train trains GANs")
    folder = RunFolder(out_dir, overwrite=overwrite) if out_dir is not None else None
    with folder or contextlib.nullcontext():
        trainer = trainer or Trainer(config)
        result, samples = _train(trainer, config, evaluations, sample_count, progress, history)
        if folder is not None:
            result.out_dir = Path(out_dir)
            try:
                write_results(trainer, result, samples, folder.staging)
            except OSError as error:
                raise RunWriteError(
                    f"{out_dir}: cannot write the results ({error.strerror or error}); "
                    "the folder is unchanged"
                ) from None
            folder.commit()
    if result.diverged:
        raise TrainingDivergedError(
            f"training diverged at iteration {result.diverged_at}: a loss or weight is NaN or "
            "infinite; try a lower learning rate"
            + (f" (results in {out_dir} are from iteration {result.results_from_iteration}, "
               "the last finite state)" if out_dir is not None else ""),
            result,
        )
    return result


def _train(trainer, config, evaluations, sample_count, progress, history):
    """The loop; returns the result and the final draw of samples."""
    total = config.training.iterations
    start = trainer.iteration
    evaluations = min(evaluations, max(total - start, 1))
    checkpoints = sorted(
        {start + round((total - start) * (i + 1) / evaluations) for i in range(evaluations)}
    )
    checkpoints = [c for c in checkpoints if c > start]
    history = list(history or [])
    last_finite = trainer.state_dict()  # what the results come from if training diverges
    diverged_at = None
    started = time.perf_counter()
    bar = tqdm(total=total, initial=start, disable=not progress, unit="it", dynamic_ncols=True,
               leave=True)
    pending: list[tuple[dict, Future]] = []  # rows whose metrics the metrics thread computes
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="ganlab-metrics") as metrics_thread:
            for checkpoint in checkpoints:
                steps = checkpoint - trainer.iteration
                for _ in range(steps):
                    trainer.step()
                bar.update(steps)
                _show_finished(pending, bar)
                d_loss, g_loss = trainer.read_losses()
                row = {"iteration": trainer.iteration, "discriminator_loss": d_loss,
                       "generator_loss": g_loss}
                history.append(row)
                if not _finite_losses(d_loss, g_loss) or not trainer.state_is_finite():
                    diverged_at = trainer.iteration
                    log.error("training diverged at iteration %d", trainer.iteration)
                    break
                # taken before the evaluation draws: restored, it draws the same samples again
                last_finite = trainer.state_dict()
                if checkpoint != checkpoints[-1]:  # the last one is evaluated below, on the draw
                    drawn = _evaluation_draws(trainer)
                    pending.append((row, metrics_thread.submit(_metrics, *drawn, started)))
            for row, future in pending:  # the metrics of every row, in order
                row.update(future.result())
    finally:
        bar.close()
    if diverged_at is not None:
        trainer.load_state_dict(last_finite)
    final, samples = evaluate_draw(trainer, sample_count)
    if diverged_at is None and checkpoints:
        history[-1].update(final)
        history[-1]["seconds"] = round(time.perf_counter() - started, 3)
    seconds = time.perf_counter() - started
    result = RunResult(final, history, seconds, None, diverged=diverged_at is not None,
                       diverged_at=diverged_at, results_from_iteration=trainer.iteration)
    return result, samples


def evaluate_draw(trainer: Trainer, n: int) -> tuple[dict, np.ndarray]:
    """Every metric of one fresh draw of n generated samples, and the draw itself (data
    coordinates): the samples a run writes are the samples its final metrics describe.

    The real side is n target samples from a fixed seed, `REFERENCE_SEED`, on the CPU: the
    draw `ganlab evaluate` makes by default, so that it reproduces these numbers (all but the
    critic's value gap) from `samples.npy` alone."""
    fake = trainer.sample(n)
    reference = torch.Generator().manual_seed(REFERENCE_SEED)
    real = trainer.target.sample(n, reference).double().numpy()
    gap = critic_value_gap(trainer, real, fake) if np.isfinite(fake).all() else None
    metrics = evaluate_samples(trainer.target, fake.astype(np.float64), real, gap)
    return {"iteration": trainer.iteration, **metrics, "evaluation_samples": n}, fake


def _evaluation_draws(trainer: Trainer) -> tuple:
    """What `metrics.evaluate` draws, in its order, on the training thread: the generated and
    real samples and the critic's value gap (the networks are read here, never by the metrics
    thread)."""
    n = evaluation_size(trainer.target)
    fake = trainer.sample(n)
    real = trainer.sample_real(n)
    gap = critic_value_gap(trainer, real, fake) if np.isfinite(fake).all() else None
    return trainer.target, trainer.iteration, fake, real, gap


def _metrics(target, iteration: int, fake, real, gap, started: float) -> dict:
    """On the metrics thread: `metrics.evaluate`'s numbers from the drawn samples, and the
    seconds since the run started when they were ready."""
    row = {"iteration": iteration, **evaluate_samples(target, fake, real, gap)}
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row


def _show_finished(pending: list[tuple[dict, Future]], bar) -> None:
    """The progress bar's figures from the latest evaluation already computed."""
    done = [future for _, future in pending if future.done() and future.exception() is None]
    if done:
        bar.set_postfix(_postfix(done[-1].result()), refresh=False)


def _finite_losses(*losses) -> bool:
    return all(v is None or math.isfinite(v) for v in losses)


def _postfix(row: dict) -> dict:
    shown = {}
    if row.get("frechet_distance") is not None:
        shown["FD"] = f"{row['frechet_distance']:.1f}"
        shown["classes"] = row.get("classes_covered")
    if "modes_covered" in row:
        shown["modes"] = f"{row['modes_covered']}/{row['total_modes']}"
        shown["hq"] = f"{100 * row['high_quality_fraction']:.0f}%"
    if row.get("js") is not None:
        shown["js"] = f"{row['js']:.3f}"
    return shown


def write_results(trainer: Trainer, result: RunResult, samples: np.ndarray, folder: Path) -> None:
    """Write every output file into `folder` (a run's staging folder)."""
    folder = Path(folder)
    atomic_write(folder / "config.json", lambda s: s.write(trainer.config.to_json().encode()))
    metrics = {
        "final": result.final,
        "history": result.history,
        "seconds": round(result.seconds, 3),
        "iterations_per_second": round(trainer.iteration / max(result.seconds, 1e-9), 2),
        "diverged": result.diverged,
        "diverged_at": result.diverged_at,
        "results_from_iteration": result.results_from_iteration,
        "device": str(trainer.device),
        "torch_threads": torch.get_num_threads(),
    }
    text = json.dumps(json_safe(metrics), indent=2, allow_nan=False)
    atomic_write(folder / "metrics.json", lambda s: s.write(text.encode()))
    atomic_write(folder / "samples.npy", lambda s: _save_npy(s, samples))
    if trainer.target.data_kind == "images":  # values in [0, 1]; and a picture of them
        zoom = max(1, 64 // samples.shape[-1])  # 8×8 digits drawn at 64 pixels
        write_png_grid(folder / "samples.png", samples[:SAMPLES_SHOWN], zoom=zoom)
    export_generator(trainer, folder / "generator")
    # a diverged run continues from the state it was written from: no rows beyond it
    rows = [row for row in result.history if row["iteration"] <= trainer.iteration]
    save_session(Session(trainer, history=rows), folder / "session.ganlab")


def _save_npy(stream: io.BufferedWriter, array: np.ndarray) -> None:
    np.save(stream, np.ascontiguousarray(array), allow_pickle=False)
