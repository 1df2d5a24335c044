"""`ganlab evaluate SAMPLES --target NAME`: score any samples with ganlab's own protocol.

SAMPLES is a CSV or NPY file of 1D or 2D points (read by the points-file reader of custom
targets). The target is a catalogue name, or `--points-file FILE` for custom data. Real
samples are drawn from the target with a fixed seed, as many as there are samples; then every
metric of `ganlab.core.metrics.evaluate_samples` is printed as one JSON object on stdout:
`js`, `kl_data_model` (KL(p_data‖p_g)), `kl_model_data`, `w1` with `w1_floor` and
`w1_uncertainty`, and for mixtures `modes_covered`, `total_modes`, `high_quality_fraction`,
`reverse_kl`. An infinite value is written as null and named in `infinite`. Bad input: one line
on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2


def add_parser(subcommands) -> argparse.ArgumentParser:
    """Add the `evaluate` subcommand to an argparse subparsers object."""
    parser = subcommands.add_parser(
        "evaluate", help="score samples (CSV or NPY) against a target; prints JSON",
        description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("samples", type=Path, help="the samples: FILE.csv or FILE.npy")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--target", help="a catalogue target (see `ganlab targets`)")
    source.add_argument("--points-file", type=Path,
                        help="custom data: a CSV or NPY of the real points")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the real samples drawn from the target (default: 0)")
    parser.set_defaults(handler=run_evaluate)
    return parser


class _BadInput(Exception):
    pass


def run_evaluate(args) -> int:
    """The handler: 0 with the JSON on stdout, or 2 with one line on stderr."""
    try:
        result = evaluate_file(args.samples, args.target, args.points_file, args.seed)
    except _BadInput as error:
        sys.stderr.write(f"ganlab evaluate: error: {error}\n")
        return EXIT_BAD_INPUT
    sys.stdout.write(json.dumps(result, allow_nan=False) + "\n")
    return 0


def evaluate_file(samples_path: Path, target_name: str | None, points_file: Path | None,
                  seed: int = 0) -> dict:
    """Every metric of the samples in `samples_path` against the target, JSON-ready."""
    import numpy as np
    import torch

    from ganlab.core.metrics import evaluate_samples
    from ganlab.core.targets import TARGETS, PointCloud, PointsFileError, load_points

    try:
        samples = load_points(samples_path, as_samples=True)
        if points_file is not None:
            target = PointCloud(load_points(points_file), name="custom",
                                description=f"points from {points_file}")
        elif target_name in TARGETS:
            target = TARGETS[target_name]()
        else:
            raise _BadInput(f"--target {target_name!r}: unknown; known: {', '.join(TARGETS)}")
    except PointsFileError as error:
        raise _BadInput(str(error)) from None
    if samples.shape[1] != target.dim:
        raise _BadInput(f"{samples_path}: {samples.shape[1]}D points, but the target "
                        f"{target.name!r} is {target.dim}D")
    real = target.sample(len(samples), torch.Generator().manual_seed(seed)).double().numpy()
    metrics = evaluate_samples(target, np.asarray(samples, dtype=np.float64), real)
    metrics.pop("value_gap", None)  # needs a critic: not part of scoring samples
    result: dict = {"target": target.name, "samples": len(samples)}
    infinite = []
    for key, value in metrics.items():
        if isinstance(value, float) and not math.isfinite(value):
            infinite.append(key)
            value = None
        result[key] = value
    result["infinite"] = infinite
    return result
