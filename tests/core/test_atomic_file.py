import os
import subprocess
import sys
import time

import pytest

from ganlab.core.atomic_file import (
    STALE_AFTER_S,
    atomic_write,
    process_alive,
    remove_stale_temporaries,
)
from ganlab.core.autosave import Autosave

KILLED_WRITER = """
import sys, time
from ganlab.core.atomic_file import atomic_write

def write(stream):
    stream.write(b"x" * 1_000_000)
    stream.flush()
    print("writing", flush=True)
    time.sleep(600)  # killed here, mid-write

atomic_write(sys.argv[1], write)
"""


def _killed_writer(path) -> int:
    """Start a writer of `path`, kill -9 it mid-write, return its pid."""
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "writing\n"
    finally:
        writer.kill()  # SIGKILL: no Python cleanup runs
        writer.wait(timeout=30)
        writer.stdout.close()
    return writer.pid


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 semantics")
def test_next_write_removes_what_a_killed_writer_left(tmp_path):
    path = tmp_path / "session.ganlab"
    path.write_bytes(b"old")
    pid = _killed_writer(path)
    assert not process_alive(pid)
    (left,) = tmp_path.glob(".session.ganlab.*.tmp")
    assert left.name.startswith(f".session.ganlab.{pid}.") and left.stat().st_size == 1_000_000
    assert path.read_bytes() == b"old"  # the killed write never touched the file
    # temporaries that must stay: a live writer's (ours), another file's, a recent one with
    # no pid (an older ganlab's); one with no pid not touched for a day goes
    live = tmp_path / f".session.ganlab.{os.getpid()}.abc.tmp"
    other = tmp_path / f".other.ganlab.{pid}.abc.tmp"
    recent = tmp_path / ".session.ganlab.k3j4h5.tmp"
    ancient = tmp_path / ".session.ganlab.z9y8x7.tmp"
    for file in (live, other, recent, ancient):
        file.write_bytes(b"t")
    old = time.time() - STALE_AFTER_S - 60
    os.utime(ancient, (old, old))
    atomic_write(path, lambda stream: stream.write(b"new"))
    assert path.read_bytes() == b"new"
    remaining = sorted(p.name for p in tmp_path.iterdir())
    assert remaining == sorted([path.name, live.name, other.name, recent.name])


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 semantics")
def test_autosave_start_removes_a_killed_autosave(tmp_path):
    autosave = Autosave(tmp_path)
    _killed_writer(autosave.path)
    assert len(list(tmp_path.glob(".autosave.ganlab.*.tmp"))) == 1
    autosave.start()
    assert not list(tmp_path.glob("*.tmp"))
    autosave.finish()


def test_nothing_to_remove_is_harmless(tmp_path):
    assert remove_stale_temporaries(tmp_path / "none.ganlab") == []
    assert remove_stale_temporaries(tmp_path / "missing-folder" / "x") == []
    assert process_alive(os.getpid()) and not process_alive(0) and not process_alive(2**80)


def test_written_files_get_a_plain_files_mode_or_keep_the_replaced_ones(tmp_path):
    fresh = atomic_write(tmp_path / "fresh.json", lambda s: s.write(b"{}"))
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    kept = tmp_path / "kept.json"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    atomic_write(kept, lambda s: s.write(b"new"))
    assert kept.stat().st_mode & 0o777 == 0o640
    assert kept.read_bytes() == b"new"
