"""A folder loads through the window's "load images…" path with its progress shown, while the
window's own process does none of the decoding (a child process does: decoding in a thread
here would hold the GIL the GUI needs to paint) and its event loop keeps running."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import QTimer

from ganlab.core.data_store import DATA
from ganlab.core.images import image_folder

FILES = 300


def _digit_like_folder(root):
    rng = np.random.default_rng(0)
    for index in range(FILES):
        folder = root / str(index % 3)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8)).save(
            folder / f"{index:04d}.png")
    return root


def test_a_folder_loads_with_progress_while_the_window_keeps_running(window, qtbot, tmp_path,
                                                                      monkeypatch):
    folder = _digit_like_folder(tmp_path / "digits")

    def not_here(*_):
        raise AssertionError("an image was decoded in the window's process")

    monkeypatch.setattr(image_folder, "_decode_into", not_here)  # the child has its own
    loading = window.image_loading
    shown, ticks = [], []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(loading.loading))
    timer.start()
    with qtbot.waitSignal(loading.finished, timeout=60_000) as finished:
        assert loading.load(str(folder))
        loading.thread.progressed.connect(
            lambda done, total: shown.append((loading.progress.value(),
                                              loading.progress.maximum())))
    timer.stop()
    assert finished.args == [True]
    target = window.session.configs[0].target
    assert DATA.get(target.data).shape == (FILES, 1, 32, 32)  # 28×28: to 32, in one pass
    assert len(shown) >= 20  # ~50 updates over the two passes, each delivered by the loop
    values = [value for value, _ in shown]
    assert values == sorted(values) and shown[-1] == (2 * FILES, 2 * FILES)
    assert sum(ticks) >= 5  # the event loop ran timers during the load
