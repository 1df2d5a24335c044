"""The engine stays Qt-free (import-linter contract), the window's process never imports torch,
and the code passes ruff."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name) or name


def test_core_imports_no_qt_and_nothing_of_the_app():
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout  # core, study (Qt-free) and training


def test_core_and_training_run_in_a_process_without_qt():
    code = (
        "import sys; import ganlab.core.trainer, ganlab.core.snapshot, ganlab.core.headless, "
        "ganlab.cli, ganlab.training.worker, ganlab.training.process; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'superqt') or m.startswith('ganlab.app')]; "
        "late = [m for m in ('scipy.optimize', 'scipy.spatial') if m in sys.modules]; "
        "print(bad, late)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    # and scipy (~1.5 s of imports) waits for the first metric that needs it
    assert result.stdout.strip() == "[] []", result.stderr


WINDOW_WITHOUT_TORCH = r"""
import json, sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ganlab.app.main_window import build_window
window = build_window()  # the real window: training in its own process
window.show()
app.processEvents()
real_points = window.presenter.panes[0].canvas.layers["real"].scatter
drawn_before_training = len(real_points.data)

def wait_for(condition):
    deadline = time.monotonic() + 200  # a hang guard, not a measurement
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("no such frame came from the training process")
        app.processEvents()
        time.sleep(0.01)

def first_run():
    frame = window.session.last_frame
    return frame.runs[0] if frame is not None and frame.runs else None

wait_for(lambda: first_run() is not None)
window.gallery.choose("spiral")
wait_for(lambda: first_run().config.target.name == "spiral")
window.gallery.choose("digits")
wait_for(lambda: first_run().snapshot.data_kind == "images")
window.gallery._draw_image_thumbnails()
print(json.dumps({"drawn_before_training": drawn_before_training,
                  "torch": sorted(m for m in sys.modules if m.split(".")[0] == "torch")}))
window.close()
"""


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_window_process_never_imports_torch(tmp_path):
    """The window (gallery with point and image targets, frames from the training process) runs
    without torch, which only the training process imports; the target is drawn at once."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GANLAB_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", WINDOW_WITHOUT_TORCH], capture_output=True,
                            text=True, timeout=280, cwd=ROOT, env=env)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, result.stderr[-3000:]
    seen = json.loads(lines[-1])
    assert seen["torch"] == []
    assert seen["drawn_before_training"] > 0


def test_ruff_is_clean():
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout
