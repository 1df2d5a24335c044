"""The packaging test: build the bundle from a clean checkout, then check it as a workshop would.

    .venv/bin/python packaging/test_bundle.py            # runs packaging/build first
    .venv/bin/python packaging/test_bundle.py --no-build # tests dist/ as the last build left it

Checks, each printed with its result, then a table for packaging/README.md:

1. the archive unpacks into a folder whose path has spaces and non-ASCII letters, and
   `ganlab --self-test` passes there (timed);
2. the CLI works from the bundle: `ganlab targets`, a short `ganlab train`, `ganlab sample`;
3. a read-only install run by a user who cannot write it (`nobody`, when run as root), whose
   home holds no data folder: the self-test passes and says autosave is off;
4. a data folder that cannot be created (`GANLAB_DATA_DIR` under a file): the app starts and
   logs why autosave is off; the log goes to the temporary folder;
5. no display at all (no DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM): exit code 3 and the
   message saying so, no crash;
6. launch to the window's first paint (offscreen), median of 3, for the bundle and for the
   `ganlab` of the environment running this script;
7. the size goal of issue 14: at most 600 MB unpacked and 200 MB as .tar.gz (MiB, as `du -m`).

Exit code 0 when every check passed. Slow (a build is several minutes): not part of the suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
CHECKS: list[tuple[str, bool, str]] = []
MAX_UNPACKED_MB, MAX_ARCHIVE_MB = 600, 200


def check(name: str, ok: bool, detail: str = "") -> bool:
    CHECKS.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'}  {name}  {detail}", flush=True)
    return ok


def clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "GANLAB_DATA_DIR")}
    env.update(extra)
    return env


def run(command: list[str], env: dict[str, str], timeout: float = 300, user: str | None = None):
    if user is not None:
        command = ["setpriv", f"--reuid={user}", "--regid=65534", "--clear-groups",
                   "--reset-env", "env", *[f"{k}={v}" for k, v in env.items()
                                           if k in ("PATH", "LANG", "GANLAB_DATA_DIR",
                                                    "QT_QPA_PLATFORM")], *command]
    started = time.monotonic()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout,
                            check=False)
    return result, time.monotonic() - started


def launch_time(command: list[str], data: Path, timeout: float = 120) -> float | None:
    """Seconds from starting `command` to its "window shown" log line (offscreen)."""
    env = clean_env(QT_QPA_PLATFORM="offscreen", GANLAB_DATA_DIR=str(data))
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    seconds = None
    try:
        for line in process.stderr:
            if "window shown" in line:
                seconds = time.monotonic() - started
                break
            if time.monotonic() - started > timeout:
                break
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="test dist/ as it is")
    args = parser.parse_args()
    build_s = None
    if not args.no_build:
        started = time.monotonic()
        subprocess.run([str(ROOT / "packaging" / "build")], check=True)
        build_s = time.monotonic() - started
    archives = sorted(DIST.glob("ganlab-*-linux-*.tar.gz"))
    if not archives:
        print("no archive in dist/: run packaging/build", file=sys.stderr)
        return 2
    archive = archives[-1]
    work = Path(tempfile.mkdtemp(prefix="ganlab-bundle-test-"))
    os.chmod(work, 0o755)
    try:
        return _checks(archive, work, build_s)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _checks(archive: Path, work: Path, build_s: float | None) -> int:
    place = work / "Workshop bundles" / "Jürgen's GAN ünïcode"
    place.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(place, filter="tar")
    app = place / "ganlab"
    exe = [str(app / "ganlab")]
    unpacked_mb = sum(f.lstat().st_size for f in app.rglob("*")  # links count once, as du does
                      if f.is_file() and not f.is_symlink()) / 2**20
    archive_mb = archive.stat().st_size / 2**20

    # 1. self-test where the path has spaces and non-ASCII letters
    data = work / "data"
    result, self_test_s = run([*exe, "--self-test"], clean_env(GANLAB_DATA_DIR=str(data)))
    check("self-test (path with spaces, non-ASCII)", result.returncode == 0,
          f"{self_test_s:.1f} s" if result.returncode == 0 else result.stderr[-2000:])

    # 2. the CLI
    result, _ = run([*exe, "targets"], clean_env())
    check("cli: ganlab targets", result.returncode == 0 and "ring8" in result.stdout)
    out = work / "run ü"
    result, _ = run([*exe, "train", "--target", "ring8", "--iterations", "30", "--out",
                     str(out)], clean_env(GANLAB_DATA_DIR=str(data)))
    check("cli: ganlab train", result.returncode == 0 and (out / "generator.json").is_file(),
          result.stderr[-500:])
    result, _ = run([*exe, "sample", str(out), "--n", "10", "--out", str(work / "s.csv")],
                    clean_env())
    check("cli: ganlab sample", result.returncode == 0 and (work / "s.csv").is_file(),
          result.stderr[-500:])

    # 3. read-only install, run by a user who cannot write it, without a home data folder
    if os.geteuid() == 0 and shutil.which("setpriv"):
        nobody_data = work / "nobody-data"
        nobody_data.mkdir()
        shutil.chown(nobody_data, "nobody")
        result, _ = run([*exe, "--self-test"], {"PATH": os.environ["PATH"],
                                                "GANLAB_DATA_DIR": str(nobody_data)},
                        user="nobody")
        writable = os.access(app, os.W_OK)
        check("read-only install (user nobody)", result.returncode == 0,
              result.stderr[-1500:] if result.returncode else f"install folder writable by "
              f"root only: {writable}")
        result, _ = run([*exe, "targets"], {"PATH": os.environ["PATH"]}, user="nobody")
        check("no writable home (user nobody, CLI)", result.returncode == 0, result.stderr[-500:])
    else:
        check("read-only install", False, "needs root and setpriv to run as another user")

    # 4. a data folder that cannot be created
    blocker = work / "a file"
    blocker.write_text("not a folder")
    bad = blocker / "ganlab"
    env = clean_env(QT_QPA_PLATFORM="offscreen", GANLAB_DATA_DIR=str(bad))
    process = subprocess.Popen(exe, env=env, stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.monotonic() + 120
    for line in process.stderr:
        lines.append(line)
        if "window shown" in line or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGTERM)
    process.wait(10)
    text = "".join(lines)
    check("data folder cannot be created", "window shown" in text and "autosave is off" in text
          and "cannot be used" in text, text[-800:])

    # 5. no display at all
    result, _ = run(exe, clean_env(GANLAB_DATA_DIR=str(data)), timeout=60)
    check("no display", result.returncode == 3 and "cannot open its window" in result.stderr,
          f"exit {result.returncode}: {result.stderr.strip()[-300:]}")

    # 6. launch to the first paint
    venv_ganlab = shutil.which("ganlab", path=str(Path(sys.executable).parent))
    frozen = [launch_time(exe, data) for _ in range(3)]
    source = [launch_time([venv_ganlab], data) for _ in range(3)] if venv_ganlab else []
    check("launch (bundle)", None not in frozen, str(frozen))

    # 7. the size goal
    check(f"size: ≤ {MAX_UNPACKED_MB} MB unpacked, ≤ {MAX_ARCHIVE_MB} MB archive",
          unpacked_mb <= MAX_UNPACKED_MB and archive_mb <= MAX_ARCHIVE_MB,
          f"{unpacked_mb:.0f} MB unpacked, {archive_mb:.0f} MB archive")

    def median(values):
        values = [v for v in values if v is not None]
        return f"{statistics.median(values):.1f} s" if values else "n/a"

    print("\n| measure | value |\n|---|---|")
    rows = [("unpacked folder", f"{unpacked_mb:.0f} MB"), ("archive", f"{archive_mb:.0f} MB"),
            ("build (packaging/build)",
             f"{build_s:.0f} s" if build_s else "not built here"),
            ("self-test of the bundle", f"{self_test_s:.1f} s"),
            ("launch to first paint, bundle (median of 3)", median(frozen)),
            ("launch to first paint, venv `ganlab` (median of 3)", median(source))]
    for name, value in rows:
        print(f"| {name} | {value} |")
    failed = [name for name, ok, _ in CHECKS if not ok]
    print(f"\n{len(CHECKS) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
