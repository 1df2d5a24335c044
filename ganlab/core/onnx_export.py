"""ONNX export of a generator (optional: needs the `onnx` extra: onnx, onnxscript, onnxruntime).

The exported graph maps `z` (n, latent_dim) float32 to `x`, with a dynamic batch size n, so any
ONNX runtime can sample from a ganlab generator: for points `x` is (n, data_dim) in data
coordinates; for images (a generator with `data_kind == "images"`) `x` is (n, c, h, w) in
[0, 1], and a conditional one (`num_classes > 0`) takes a second input `labels` (n,) int64.
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
    """Write `generator` (a module z → x, or (z, labels) → x when it has `num_classes > 0`)
    as an ONNX model at `path`; inputs "z" (and "labels"), output "x"."""
    if not onnx_available():
        raise OnnxUnavailableError(MISSING_EXTRA)
    was_training = generator.training
    generator = generator.eval().cpu()
    batch = torch.export.Dim("batch", min=1)
    examples: tuple[torch.Tensor, ...] = (torch.zeros(2, latent_dim),)
    input_names = ["z"]
    if getattr(generator, "num_classes", 0):
        examples += (torch.zeros(2, dtype=torch.int64),)
        input_names.append("labels")
    quiet = logging.getLogger("torch.onnx")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                generator, examples, dynamo=True, input_names=input_names, output_names=["x"],
                dynamic_shapes=tuple({0: batch} for _ in examples), verbose=False,
            )
        data = program.model_proto.SerializeToString()
    finally:
        quiet.setLevel(level)
        generator.train(was_training)
    return atomic_write(path, lambda stream: stream.write(data))
