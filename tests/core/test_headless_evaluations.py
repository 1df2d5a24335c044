"""A headless run's evaluations along the way, computed on its metrics thread, are the numbers
an inline `metrics.evaluate` gives at the same iterations of the same run."""

from __future__ import annotations

import math

import torch

from ganlab.core.config import RunConfig
from ganlab.core.headless import run_headless
from ganlab.core.metrics import evaluate
from ganlab.core.trainer import Trainer


def _small(target: str) -> RunConfig:
    config = RunConfig()
    config.target.name = target
    config.training.seed = 3
    config.training.iterations = 60
    config.training.batch_size = 32
    for network in (config.model.generator, config.model.discriminator):
        network.hidden_layers, network.width = 2, 16
    return config


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def test_rows_from_the_metrics_thread_equal_inline_evaluations():
    torch.set_num_threads(1)
    config = _small("grid25")
    rows = run_headless(config, evaluations=3, progress=False).history
    assert [row["iteration"] for row in rows] == [20, 40, 60]
    inline = Trainer(config)
    for row in rows[:-1]:  # the last row is the final draw (`evaluate_draw`)
        inline.train(row["iteration"] - inline.iteration)
        inline.read_losses()
        expected = evaluate(inline)
        assert row["seconds"] > 0 and "modes_covered" in expected and "js" in expected
        for key, value in expected.items():
            assert _same(row[key], value), (row["iteration"], key)
