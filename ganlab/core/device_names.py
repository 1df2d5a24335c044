"""The devices the app's settings panel offers, told without importing torch.

The app's window never imports torch (its training process does), so it cannot ask torch which
devices work. It lists what the system shows: the CPU, one CUDA device per GPU the NVIDIA driver
reports, and Apple's GPU (MPS) on Apple silicon. The training process checks the choice when it
applies it (`devices.resolve_device`): a device this build of torch cannot use is refused with a
message, and training goes on where it was. A process that has imported torch asks it instead.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")  # Linux: one folder per GPU the driver sees


def offered_devices() -> list[str]:
    """Device names to offer, CPU first (see the module's docstring)."""
    if "torch" in sys.modules:
        from ganlab.core.devices import available_devices

        return available_devices()
    return ["cpu", *_cuda_devices(), *(["mps"] if _apple_silicon() else [])]


def _cuda_devices() -> list[str]:
    if NVIDIA_GPUS.is_dir():
        try:
            count = sum(1 for _ in NVIDIA_GPUS.iterdir())
        except OSError:
            count = 0
        return [f"cuda:{index}" for index in range(count)]
    if sys.platform == "win32":
        system = Path(os.environ.get("SYSTEMROOT", r"C:\Windows")) / "System32"
        return ["cuda"] if (system / "nvcuda.dll").is_file() else []
    return []


def _apple_silicon() -> bool:
    return sys.platform == "darwin" and platform.machine() == "arm64"
