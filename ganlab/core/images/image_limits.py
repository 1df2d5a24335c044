"""What an image file or folder may hold, the errors for one that cannot be used, and the
progress/cancel hook every loader calls.

Image files are untrusted input: every size below is checked before the memory is spent.
"""

from __future__ import annotations

from collections.abc import Callable

MAX_IMAGES = 200_000  # images in one data set (CelebA has 202,599; MNIST 70,000)
MAX_FILE_BYTES = 1 << 30  # one file on disk
MAX_DECOMPRESSED_BYTES = 1 << 30  # what a .gz or an .npz member may unpack to
MAX_IMAGE_PIXELS = 4096 * 4096  # decoded pixels of one image, checked from its header
MAX_IMAGE_SIDE = 4096  # rows or columns of one image in an array file
MAX_OUTPUT_BYTES = 4 << 30  # the float32 array handed back (n · c · r · r · 4)
MAX_CLASSES = 1000  # distinct labels (ImageNet has 1,000)
MAX_NPY_HEADER_BYTES = 10_000  # numpy's own default cap on a .npy header
MAX_RESOLUTION = 256  # largest side an explicit `resolution` may ask for
MIN_RESOLUTION = 4
DEFAULT_RESOLUTIONS = (8, 16, 32, 64)  # what a non-square or mixed-size input is resized to
PROGRESS_CALLS = 50  # `progress` is called about this many times per load


class ImageFileError(ValueError):
    """An image file or folder cannot be used; the one-line message starts with its path."""


class LoadCancelled(Exception):
    """`cancelled()` returned True while images were loading."""


ProgressCallback = Callable[[int, int], None]
CancelledCallback = Callable[[], bool]


class LoadProgress:
    """Calls `progress(done, total)` about `PROGRESS_CALLS` times over a load, always for the
    first and the last item, and raises `LoadCancelled` as soon as `cancelled()` says so."""

    def __init__(self, total: int, progress: ProgressCallback | None,
                 cancelled: CancelledCallback | None):
        self._progress = progress
        self._cancelled = cancelled
        self.start(total)

    def start(self, total: int) -> None:
        """Count from 0 to `total` items from here on."""
        self.total = total
        self._step = max(1, total // PROGRESS_CALLS)
        self._next = 0

    def check(self) -> None:
        """Raise `LoadCancelled` if the caller asked to stop."""
        if self._cancelled is not None and self._cancelled():
            raise LoadCancelled("loading images was cancelled")

    def advance(self, done: int) -> None:
        """`done` of `total` items are finished; report it if a step has passed."""
        if done >= self._next or done >= self.total:
            self._next = done + self._step
            self.check()
            if self._progress is not None:
                self._progress(done, self.total)
