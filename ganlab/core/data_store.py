"""Data a run trains on, held once per process and named by its content: never in a config.

Painted or loaded points (and, later, images) can be large; a configuration is copied, compared
and sent to the training process at every settings edit. So the configuration carries only a
*reference*, `"sha256:<hex>"`, the hash of the array's dtype, shape and bytes, and the array
itself lives in this process's `DATA` store. The app's training process gets each array once
(`ganlab.training.messages.AddData`) before the first configuration that refers to it; a session
file carries the arrays it refers to beside its weights. Equal data gives equal references, so
two configurations on the same points compare equal without comparing the points.

Arrays in the store are read-only. The store keeps at most `MAX_STORED_BYTES`; past that it
forgets the least recently used arrays (a reference that was forgotten raises `MissingData`
naming it). No torch and no Qt here: the window process imports this module.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import numpy as np

REFERENCE_PREFIX = "sha256:"
MAX_STORED_BYTES = 2 * 1024**3  # more than this and the least recently used arrays go


class MissingData(KeyError):
    """A configuration refers to data this process does not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "missing data"


def content_reference(array: np.ndarray) -> str:
    """`"sha256:<hex>"` of the array's dtype, shape and C-ordered bytes."""
    array = np.ascontiguousarray(array)
    digest = hashlib.sha256()
    digest.update(f"{array.dtype.str}|{array.shape}|".encode())
    digest.update(memoryview(array).cast("B"))
    return REFERENCE_PREFIX + digest.hexdigest()


def is_reference(text: object) -> bool:
    """True for a well-formed reference: the prefix and 64 lowercase hex digits."""
    if not isinstance(text, str) or not text.startswith(REFERENCE_PREFIX):
        return False
    digits = text[len(REFERENCE_PREFIX):]
    return len(digits) == 64 and all(c in "0123456789abcdef" for c in digits)


class DataStore:
    """Read-only arrays by content reference; thread-safe; bounded by `max_bytes`."""

    def __init__(self, max_bytes: int = MAX_STORED_BYTES):
        self.max_bytes = max_bytes
        self._arrays: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, array: np.ndarray, reference: str | None = None) -> str:
        """Store `array` (copied unless it already is a read-only C-contiguous array) and
        return its reference. A `reference` given by a sender is checked against the content."""
        array = np.asarray(array)
        if array.flags.writeable or not array.flags.c_contiguous:
            array = np.array(array, order="C", copy=True)
            array.flags.writeable = False
        actual = content_reference(array)
        if reference is not None and reference != actual:
            raise ValueError(f"data sent as {reference} hashes to {actual}")
        with self._lock:
            self._arrays[actual] = array
            self._arrays.move_to_end(actual)
            self._forget_beyond_budget(keep=actual)
        return actual

    def get(self, reference: str) -> np.ndarray:
        """The array with this reference; `MissingData` if this process does not hold it."""
        with self._lock:
            array = self._arrays.get(reference)
            if array is None:
                raise MissingData(f"the data {reference[:20]}… is not loaded in this process")
            self._arrays.move_to_end(reference)
            return array

    def __contains__(self, reference: object) -> bool:
        with self._lock:
            return reference in self._arrays

    def __len__(self) -> int:
        with self._lock:
            return len(self._arrays)

    @property
    def stored_bytes(self) -> int:
        with self._lock:
            return sum(array.nbytes for array in self._arrays.values())

    def _forget_beyond_budget(self, keep: str) -> None:
        total = sum(array.nbytes for array in self._arrays.values())
        for reference in list(self._arrays):
            if total <= self.max_bytes:
                return
            if reference != keep:
                total -= self._arrays.pop(reference).nbytes


DATA = DataStore()  # this process's data
