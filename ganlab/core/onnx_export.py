"""ONNX export of a generator (optional: needs the `onnx` extra: onnx, onnxscript, onnxruntime).

The exported graph maps `z` (n, latent_dim) to `x` (n, data_dim) in data coordinates, with a
dynamic batch size, so any ONNX runtime can sample from a ganlab generator.
"""

from __future__ import annotations

import importlib.util
import logging
import warnings
from pathlib import Path

import torch

from ganlab.core.atomic_file import atomic_write

MISSING_EXTRA = (
    "ONNX export needs the optional packages onnx and onnxscript: "
    "pip install 'ganlab[onnx]' (or: pip install onnx onnxscript onnxruntime)"
)


class OnnxUnavailableError(RuntimeError):
    """The optional ONNX packages are not installed."""


def onnx_available() -> bool:
    return all(importlib.util.find_spec(name) for name in ("onnx", "onnxscript"))


def export_onnx(generator: torch.nn.Module, latent_dim: int, path: str | Path) -> Path:
    """Write `generator` (a module z → x in data coordinates) as an ONNX model at `path`."""
    if not onnx_available():
        raise OnnxUnavailableError(MISSING_EXTRA)
    was_training = generator.training
    generator = generator.eval().cpu()
    example = torch.zeros(2, latent_dim)
    batch = torch.export.Dim("batch", min=1)
    quiet = logging.getLogger("torch.onnx")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                generator, (example,), dynamo=True, input_names=["z"], output_names=["x"],
                dynamic_shapes=({0: batch},), verbose=False,
            )
        data = program.model_proto.SerializeToString()
    finally:
        quiet.setLevel(level)
        generator.train(was_training)
    return atomic_write(path, lambda stream: stream.write(data))
