"""The canvas's cached layers stay cached: Qt's pixmap cache holds them at a large canvas size,
so a repaint blits them instead of painting them again (4.5 times the CPU time at 900×820)."""

from __future__ import annotations

import dataclasses

import pyqtgraph as pg
from PySide6.QtGui import QPixmapCache

from ganlab.app.app_theme import theme_app
from ganlab.app.layers import Layers, layer_specs
from ganlab.app.pixmap_cache import MIN_LIMIT_KB, needed_limit_kb
from ganlab.app.views.data_canvas import DataCanvas
from ganlab.training.field_schedule import ALL_FIELDS, fields_for_frame
from ganlab.training.pending_changes import ViewRequest
from ganlab.training.run import Run
from ganlab.training.run_frames import take_run_frames
from tests.training.conftest import small_config


def test_the_limit_holds_six_screens_of_pixels_and_at_least_64_mib():
    assert needed_limit_kb(800 * 600) == MIN_LIMIT_KB
    assert needed_limit_kb(3840 * 2160) == 6 * 3840 * 2160 * 4 // 1024  # ~194 MiB at 4K


def every_field_frame():
    run = Run(small_config("grid25").validate(), display_samples=64)
    run.trainer.train(5)
    view = ViewRequest(**dict.fromkeys(ALL_FIELDS, True), metrics=False, resolution=32)
    request = fields_for_frame(view, 0, full_speed=False)
    frames, failed = take_run_frames([run], request, full_check=False, metrics={}, epoch=0,
                                     interpolation=None, field_thread=None, shown=request)
    assert not failed
    return frames[0]


def test_a_large_canvas_repaints_its_cached_layers_from_the_cache(qtbot, monkeypatch):
    theme_app()
    assert QPixmapCache.cacheLimit() >= MIN_LIMIT_KB
    painted = {pg.ImageItem: 0, pg.IsocurveItem: 0}
    for kind in painted:
        original = kind.paint

        def counting(item, *args, kind=kind, original=original):
            painted[kind] += 1
            return original(item, *args)

        monkeypatch.setattr(kind, "paint", counting)
    canvas = DataCanvas()  # made after the patch: PySide looks its items' methods up once
    qtbot.addWidget(canvas)
    canvas.resize(1000, 900)
    canvas.set_layers(Layers(**dict.fromkeys(layer_specs(), True)))
    canvas.show()
    frame = every_field_frame()
    canvas.show_run(frame)
    qtbot.wait(100)  # shown and painted once
    canvas.viewport().repaint()  # once more, with the layout settled (the colour bar's width)
    painted.update(dict.fromkeys(painted, 0))
    for _ in range(4):
        canvas.viewport().repaint()
    # the heatmap and both density contours come from their pixmaps (with Qt's default
    # 10 MiB the heatmap alone was painted again at every repaint)
    assert painted == {pg.ImageItem: 0, pg.IsocurveItem: 0}
    snapshot = dataclasses.replace(frame.snapshot, critic=frame.snapshot.critic * 0.5)
    canvas.show_run(dataclasses.replace(frame, snapshot=snapshot))  # painted once, then cached
    for _ in range(3):
        canvas.viewport().repaint()
    assert painted[pg.ImageItem] == 1
