"""A study small enough for tests: tiny networks, a few dozen iterations, few samples."""

from __future__ import annotations

TINY_SETTINGS = ["g_layers=1", "g_width=8", "d_layers=1", "d_width=8", "batch_size=64"]
TINY_OPTIONS = ["--evaluations", "1", "--samples", "200", "--quiet",
                *(word for item in TINY_SETTINGS for word in ("--set", item))]
TINY_TOML_SETTINGS = "g_layers = 1\ng_width = 8\nd_layers = 1\nd_width = 8\nbatch_size = 64\n"


def folder_state(folder) -> dict[str, tuple[bytes, int]]:
    """{relative path: (bytes, mtime_ns)} of every file under `folder`'s runs and records."""
    state = {}
    for sub in ("runs", "records"):
        for path in sorted((folder / sub).rglob("*")):
            if path.is_file():
                state[str(path.relative_to(folder))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return state
