"""Choosing the torch device: automatic, or as asked, with a clear error when it is absent."""

from __future__ import annotations

import torch


class DeviceUnavailableError(RuntimeError):
    """The requested device does not exist on this machine."""


def available_devices() -> list[str]:
    """Device names usable here, CPU first."""
    names = ["cpu"]
    if torch.cuda.is_available():
        names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if _mps_available():
        names.append("mps")
    return names


DEVICE_NAMES = "auto, cpu, cuda, cuda:N or mps"


def resolve_device(name: str = "auto") -> torch.device:
    """"auto" → CUDA if present, else MPS if present, else CPU. Otherwise exactly one of
    `cpu`, `mps`, `cuda` or `cuda:N` with N below the number of CUDA devices (any case);
    everything else, the empty name included, is a `DeviceUnavailableError`."""
    if not isinstance(name, str):
        raise DeviceUnavailableError(f"{name!r} is not a device name; use {DEVICE_NAMES}")
    name = name.strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise DeviceUnavailableError(f"{name!r} is not a device name; use {DEVICE_NAMES}") from None
    if device.index is not None and device.type != "cuda":
        raise DeviceUnavailableError(
            f"{name!r}: only CUDA devices take an index; use {device.type} without one"
        )
    if device.type == "cpu":
        return device
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceUnavailableError(
                "CUDA was requested but no CUDA GPU is usable here "
                "(no NVIDIA GPU, no driver, or a CPU-only build of PyTorch); use --device cpu"
            )
        index = device.index or 0
        if index >= torch.cuda.device_count():
            raise DeviceUnavailableError(
                f"{name} was requested but only {torch.cuda.device_count()} CUDA device(s) exist"
            )
        return device
    if device.type == "mps":
        if not _mps_available():
            raise DeviceUnavailableError("MPS (Apple GPU) was requested but is not available here")
        return device
    raise DeviceUnavailableError(f"device type {device.type!r} is not supported by ganlab")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())
