"""`load_images` in a child process, for a caller whose own process must stay responsive.

Decoding a folder is Python-heavy work (Pillow's open, crop, resize per file). In a thread of
the window's process it holds the GIL most of the time, and every time the GUI thread comes back
from Qt it waits up to the interpreter's switch interval for it: paints stall (measured with
60,000 PNGs: stalls up to 1.4 s on a busy machine). In a child process ("spawn": the parent may
run Qt's threads) the window's process only waits on a queue, and the child runs at nice
`CHILD_NICENESS`, so that on a machine of two cores (the window, the training process and the
loader) the window's core is not the one it takes.

The child sends ("progress", done, total) messages, then exactly one of ("loaded", parts,
skipped), ("cancelled",) or ("failed", kind, message). The images themselves, up to
`MAX_OUTPUT_BYTES`, go through a temporary .npy file (written by the child, read back with
`numpy.load`, which reads outside the GIL) rather than the pipe. The caller's `cancelled()` is
polled every `POLL_S` and passed on as an event the child's loader checks at each progress step.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import tempfile
from pathlib import Path

import numpy as np

from ganlab.core.images.image_data import ImageData, LoadedImages
from ganlab.core.images.image_files import load_images
from ganlab.core.images.image_limits import (
    CancelledCallback,
    ImageFileError,
    LoadCancelled,
    ProgressCallback,
)

CHILD_NICENESS = 10  # the child yields its core to the window (and to training) when both want it
POLL_S = 0.05  # how often the caller's `cancelled()` is asked while waiting for the child
JOIN_S = 5.0  # how long an ended load waits for its child before killing it


def load_images_in_child(path: str | os.PathLike[str], progress: ProgressCallback | None = None,
                         cancelled: CancelledCallback | None = None, **options) -> LoadedImages:
    """`load_images(path, **options)` run in a child process, with the same results and
    errors: `ImageFileError` or `ValueError` as the loader raised them, `LoadCancelled` when
    `cancelled()` said so, `ImageFileError` naming the path if the child died."""
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    stop = context.Event()
    with tempfile.TemporaryDirectory(prefix="ganlab-images-") as folder:
        array_file = str(Path(folder, "images.npy"))
        child = context.Process(target=_child_main, name="ganlab-image-loader", daemon=True,
                                args=(str(path), options, messages, stop, array_file))
        child.start()
        try:
            return _follow(child, messages, stop, array_file, path, progress, cancelled)
        finally:
            stop.set()
            child.join(JOIN_S)
            if child.is_alive():
                child.kill()
                child.join()
            messages.close()


def _follow(child, messages, stop, array_file: str, path, progress, cancelled) -> LoadedImages:
    while True:
        if cancelled is not None and cancelled():
            stop.set()  # the child ends with ("cancelled",) at its next progress step
        try:
            message = messages.get(timeout=POLL_S)
        except queue.Empty:
            if not child.is_alive() and messages.empty():
                raise ImageFileError(f"{path}: the image loading process ended unexpectedly "
                                     f"(exit code {child.exitcode})") from None
            continue
        kind = message[0]
        if kind == "progress":
            if progress is not None:
                progress(message[1], message[2])
        elif kind == "loaded":
            parts, skipped = message[1], message[2]
            images = np.load(array_file, allow_pickle=False)
            return LoadedImages(ImageData(images, **parts), skipped)
        elif kind == "cancelled":
            raise LoadCancelled("loading images was cancelled")
        else:
            _, error_kind, text = message
            raise (ValueError if error_kind == "value" else ImageFileError)(text)


def _child_main(path: str, options: dict, messages, stop, array_file: str) -> None:
    """The child: load, then report once (see the module docstring)."""
    with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows
        os.nice(CHILD_NICENESS)
    try:
        result = load_images(path, progress=lambda done, total: messages.put(
            ("progress", done, total)), cancelled=stop.is_set, **options)
    except LoadCancelled:
        messages.put(("cancelled",))
    except ImageFileError as error:
        messages.put(("failed", "file", str(error)))
    except ValueError as error:
        messages.put(("failed", "value", str(error)))
    except (OSError, MemoryError) as error:  # what the readers did not name themselves
        messages.put(("failed", "file", f"{path}: cannot be loaded ({error})"))
    else:
        data = result.data
        np.save(array_file, data.images, allow_pickle=False)
        parts = {"labels": data.labels, "class_names": data.class_names, "name": data.name,
                 "description": data.description}
        messages.put(("loaded", parts, result.skipped))
    messages.close()
    messages.join_thread()  # everything sent before the process ends
