"""`ganlab --self-test`: the shipped check of a whole installation, run here from the source tree
(the packaging test, `packaging/test_bundle.py`, runs it on the frozen bundle)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

STEPS = (
    "open the window",
    "start the training process",
    "train 300 iterations",
    "draw the 2D canvas and every layer",
    "draw the charts of points",
    "save the session",
    "reopen the session",
    "export the generator and load it back",
    "draw the 1D view",
    "draw the image grids and their charts",
    "close the window",
)


@pytest.mark.slow
@pytest.mark.timeout(330)  # ~40 s on a quiet 2-core machine; minutes when it is shared
def test_self_test_passes_every_step_in_a_fresh_process(tmp_path):
    """As a user types it: `ganlab --self-test` in its own process (its own QApplication, the
    training child started with spawn), with no display and a private data folder."""
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY",
                                                                         "QT_QPA_PLATFORM")}
    env["GANLAB_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run([sys.executable, "-m", "ganlab.cli", "--self-test"], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    passed = [line.split("self-test: ", 1)[1].rsplit(": ok", 1)[0]
              for line in result.stderr.splitlines() if ": ok (" in line]
    assert passed == list(STEPS)
    assert "self-test passed" in result.stderr
    assert not list(tmp_path.glob("data/autosave*"))  # the user's autosave is never touched


def test_a_failed_step_is_named_and_exits_1(qapp, monkeypatch, tmp_path, caplog):
    """A broken installation (no lessons) fails the first step, by name, without training."""
    from ganlab.app import lessons
    from ganlab.app.self_test import run_self_test

    monkeypatch.setattr(lessons, "shipped_lessons_folder", lambda: tmp_path / "nowhere")
    with caplog.at_level("ERROR"):
        assert run_self_test() == 1
    assert "self-test FAILED at step 'open the window'" in caplog.text
    assert "lessons folder" in caplog.text and "reinstall ganlab" in caplog.text


def test_self_test_takes_no_command(capsys):
    from ganlab.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--self-test", "targets"])
    assert exit_info.value.code == 2
    assert "--self-test takes no command" in capsys.readouterr().err
