"""Opening a file a user named, as untrusted input: only a regular file, never blocking, its
size checked before anything is read.

The type is checked before opening (a FIFO would block in `open`) and again on the open
descriptor (the path may change in between); O_NONBLOCK keeps even that open from waiting on a
pipe. Every refusal is `error("PATH: what is wrong")`, with the caller's exception class and
words, so the points and image readers say the same things the same way. No torch, no numpy.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def open_regular_file(path: Path, max_bytes: int, error: Callable[[str], Exception], *,
                      files: str, limit_note: str = "", advice: str = ""
                      ) -> Iterator[tuple[BinaryIO, int]]:
    """(stream, size) of `path` if it is a regular, non-empty file of at most `max_bytes`.

    `files` names the kind in messages ("points files"), `limit_note` follows the size limit,
    `advice` follows the refusal of a non-regular file. `OSError` while the caller reads
    becomes `error` too."""
    def check(info: os.stat_result) -> None:
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{path}: is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{path}: is not a regular file (a device, pipe or socket){advice}")
        if info.st_size == 0:
            raise error(f"{path}: the file is empty")
        if info.st_size > max_bytes:
            raise error(f"{path}: is {info.st_size / 2**20:,.0f} MiB; {files} are limited to "
                        f"{max_bytes // 2**20:,} MiB{limit_note}")

    try:
        check(os.stat(path))
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        raise error(f"{path}: no such file") from None
    except OSError as failure:
        raise error(f"{path}: cannot be read ({os_reason(failure)})") from None
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        check(info)
        try:
            yield stream, info.st_size
        except OSError as failure:
            raise error(f"{path}: cannot be read ({os_reason(failure)})") from None


def os_reason(error: OSError) -> str:
    return error.strerror or type(error).__name__
