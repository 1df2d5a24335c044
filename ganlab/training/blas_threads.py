"""Keep numpy's BLAS to one thread in the app.

The worker and the metrics thread call numpy for small matrix products (kernel density
estimates on a 64×64 grid, nearest-neighbour JS/KL, ...). OpenBLAS would run each on a pool
of threads that spin while they wait; on a 2-core machine that is already busy training and
drawing, a 1 ms product then takes 30 ms. One BLAS thread is faster for every size the app uses.

Uses threadpoolctl when it is installed; otherwise calls OpenBLAS's own setter on the library
numpy loaded (found in /proc/self/maps). Failing quietly is fine: it is only speed.
"""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger(__name__)

SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
           "openblas_set_num_threads64_", "openblas_set_num_threads")


def limit_blas_threads(threads: int = 1) -> bool:
    """Limit BLAS to `threads` threads; True if a BLAS library accepted it."""
    import numpy  # noqa: F401  (loads the BLAS library first)

    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="blas")
        return True
    except ImportError:
        pass
    limited = False
    for path in _loaded_openblas_libraries():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in SETTERS:
            setter = getattr(library, name, None)
            if setter is not None:
                setter(ctypes.c_int(threads))
                limited = True
                break
    if not limited:
        log.debug("could not limit BLAS threads")
    return limited


def _loaded_openblas_libraries() -> list[str]:
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return []
    return sorted(path for path in paths if path.startswith("/"))
