"""What a points file may hold, and the error for one that cannot be used."""

from __future__ import annotations

MAX_POINTS = 5_000_000
MAX_FILE_BYTES = 256 * 2**20  # 5M rows of CSV at ~50 characters each
MAX_LINE_BYTES = 4096  # a row of one or two numbers is far shorter
MAX_ABS_VALUE = 1e18  # coordinates and their squares stay finite in float32 (max ~3.4e38)
MAX_NPY_HEADER_BYTES = 10_000  # numpy's own default cap


class PointsFileError(ValueError):
    """A points file cannot be used; the message names the file and says why."""
