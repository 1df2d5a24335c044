"""A whole training run without a window: train, evaluate now and then, write the results.

The output folder holds `config.json` (the run configuration), `metrics.json` (final values and
the history: losses and every metric at each evaluation), `samples.npy` (generated samples in
data coordinates), the generator as `generator.safetensors` + `generator.json`, and
`session.ganlab`, from which `ganlab train --resume` continues exactly.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from ganlab.core.config import RunConfig
from ganlab.core.export import export_generator
from ganlab.core.metrics import EVALUATION_SAMPLES, evaluate
from ganlab.core.session_file import Session, json_safe, save_session
from ganlab.core.trainer import Trainer

log = logging.getLogger(__name__)


class TrainingDivergedError(RuntimeError):
    """A loss or a weight became NaN or infinite."""


@dataclass
class RunResult:
    final: dict  # metrics at the end
    history: list[dict]  # one row per evaluation: iteration, losses, metrics, seconds
    seconds: float
    out_dir: Path | None
    diverged: bool = False


def run_headless(
    config: RunConfig,
    out_dir: str | Path | None = None,
    evaluations: int = 10,
    sample_count: int = EVALUATION_SAMPLES,
    progress: bool = True,
    trainer: Trainer | None = None,
    history: list[dict] | None = None,
) -> RunResult:
    """Train up to `config.training.iterations` (from the trainer's current iteration when
    resuming), evaluating `evaluations` times along the way; `history` continues a resumed
    run's rows."""
    trainer = trainer or Trainer(config)
    total = config.training.iterations
    start = trainer.iteration
    checkpoints = sorted(
        {start + round((total - start) * (i + 1) / max(evaluations, 1)) for i in range(evaluations)}
    )
    checkpoints = [c for c in checkpoints if c > start]
    history = list(history or [])
    first_row = len(history)
    started = time.perf_counter()
    diverged = False
    bar = tqdm(total=total, initial=start, disable=not progress, unit="it", dynamic_ncols=True,
               leave=True)
    try:
        for checkpoint in checkpoints:
            steps = checkpoint - trainer.iteration
            for _ in range(steps):
                trainer.step()
            bar.update(steps)
            d_loss, g_loss = trainer.read_losses()
            row = {"iteration": trainer.iteration, "discriminator_loss": d_loss,
                   "generator_loss": g_loss}
            if not _finite_losses(d_loss, g_loss) or not trainer.parameters_are_finite():
                diverged = True
                history.append(row)
                log.error("training diverged at iteration %d", trainer.iteration)
                break
            row.update(evaluate(trainer))
            row["seconds"] = round(time.perf_counter() - started, 3)
            history.append(row)
            bar.set_postfix(_postfix(row), refresh=False)
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    final = history[-1] if len(history) > first_row else evaluate(trainer)
    result = RunResult(final, history, seconds, Path(out_dir) if out_dir else None, diverged)
    if out_dir is not None:
        write_results(trainer, result, sample_count)
    if diverged:
        raise TrainingDivergedError(
            f"training diverged at iteration {trainer.iteration}: a loss or weight is NaN or "
            "infinite; try a lower learning rate"
            + (f" (partial results in {out_dir})" if out_dir else "")
        )
    return result


def _finite_losses(*losses) -> bool:
    return all(v is None or math.isfinite(v) for v in losses)


def _postfix(row: dict) -> dict:
    shown = {}
    if "modes_covered" in row:
        shown["modes"] = f"{row['modes_covered']}/{row['total_modes']}"
        shown["hq"] = f"{100 * row['high_quality_fraction']:.0f}%"
    if row.get("js") is not None:
        shown["js"] = f"{row['js']:.3f}"
    return shown


def write_results(trainer: Trainer, result: RunResult, sample_count: int) -> None:
    out = result.out_dir
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(trainer.config.to_json())
    metrics = {
        "final": result.final,
        "history": result.history,
        "seconds": round(result.seconds, 3),
        "iterations_per_second": round(trainer.iteration / max(result.seconds, 1e-9), 2),
        "diverged": result.diverged,
        "device": str(trainer.device),
        "torch_threads": torch.get_num_threads(),
    }
    (out / "metrics.json").write_text(json.dumps(json_safe(metrics), indent=2))
    np.save(out / "samples.npy", trainer.sample(sample_count))
    export_generator(trainer, out / "generator")
    save_session(Session(trainer, history=result.history), out / "session.ganlab")
