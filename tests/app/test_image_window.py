"""The window made right for image runs: image charts, no points layer toggles, and loading the
user's own images (dialog-free: `ImageLoading.load`, cancel, a broken source, a drop)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from ganlab.core.data_store import DATA
from ganlab.core.images import LoadCancelled

METRICS_ROW = {"iteration": 40, "frechet_distance": 80.0, "frechet_distance_real": 9.5,
               "classes_covered": 7.0, "classes_covered_real": 10.0, "class_kl": 0.4,
               "class_kl_real": 0.003, "coverage": 0.5, "coverage_real": 0.95,
               "density": 0.6, "mean_confidence": 0.8, "value_gap": 0.1}


def test_image_runs_chart_image_metrics_with_the_real_vs_real_lines(qtbot):
    from ganlab.app.history import RunHistory
    from ganlab.app.views.charts import Charts

    charts = Charts()
    qtbot.addWidget(charts)
    assert list(charts.plots) == ["losses", "divergences", "kl", "modes"]
    charts.set_data_kind("images", classes=10)
    assert list(charts.plots) == ["losses", "frechet", "classes", "class_kl", "coverage"]
    assert not charts.all_plots["divergences"].isVisible() or \
        charts.all_plots["divergences"] not in charts.ci.items
    history = RunHistory()
    history.add_losses(40, 1.3, 0.7)
    history.add_metrics(METRICS_ROW)
    assert history.series["js"].last() is None  # an image row charts no points numbers
    charts.show_histories([history])
    line = charts.image_references["frechet"]
    assert line.isVisible() and line.value() == 9.5
    assert charts.labels["frechet"].text_of(line) == "perfect 9.5"
    assert charts.labels["classes"].text_of(charts.image_references["classes"]) == "perfect 10"
    assert charts.image_references["coverage"].value() == 0.95
    assert charts.all_plots["classes"].viewRange()[1] == [0.0, 10.5]  # 0..classes
    low, high = charts.all_plots["frechet"].viewRange()[1]
    assert low <= 9.5 and high >= 80.0  # the curve and its floor
    x, y = charts.curves[(0, "frechet_distance")].getData()
    assert list(x) == [40] and list(y) == [80.0]
    charts.set_run_count(2)  # compare mode: run B dashed, titles say so
    assert "B dashed" in charts.all_plots["frechet"].getAxis("bottom").labelText
    charts.set_data_kind("points")
    assert list(charts.plots) == ["losses", "divergences", "kl", "modes"]


def test_digits_hide_the_layer_toggles_and_switch_the_charts(window, qtbot):
    toggles = window.layer_toggles
    assert all(box.isVisible() for box in toggles.boxes.values())
    assert window.latent_dock.isVisible()
    window.choose_target("digits")
    assert not any(box.isVisible() for box in toggles.boxes.values())
    assert not toggles.label.isVisible()
    assert not window.latent_dock.isVisible()  # the 2D latent panel means nothing for images
    # the digits recipe: their native 8×8 and the generator's weight average
    config = window.session.configs[0]
    assert (config.target.resolution, config.training.generator_ema) == (8, 0.999)
    window.session.step(1)
    qtbot.waitUntil(lambda: window.charts.data_kind == "images", timeout=30_000)
    assert window.charts.classes == 10
    assert "frechet" in window.charts.plots and "divergences" not in window.charts.plots
    window.choose_target("ring8")
    assert all(box.isVisible() for box in toggles.boxes.values())
    assert window.latent_dock.isVisible()
    window.session.step(1)
    qtbot.waitUntil(lambda: window.charts.data_kind == "points", timeout=30_000)
    assert "divergences" in window.charts.plots


def _image_folder(root, corrupt: bool = True, side: int = 16):
    """40 PNGs of side×side in two class folders (dark, bright squares), and a corrupt file."""
    rng = np.random.default_rng(0)
    for name, value in (("discs", 60), ("squares", 220)):
        (root / name).mkdir(parents=True)
        for index in range(20):
            pixels = rng.integers(0, 40, (side, side), dtype=np.uint8)
            pixels[side // 4: 3 * side // 4, side // 4: 3 * side // 4] = value
            Image.fromarray(pixels).save(root / name / f"{index}.png")
    if corrupt:
        (root / "squares" / "broken.png").write_bytes(b"not a png at all")
    return root


def _load(window, qtbot, path) -> bool:
    loading = window.image_loading
    with qtbot.waitSignal(loading.finished, timeout=30_000) as finished:
        assert loading.load(str(path))
    return finished.args[0]


def test_loading_a_folder_trains_a_labelled_custom_image_target(window, qtbot, tmp_path):
    folder = _image_folder(tmp_path / "shapes")
    assert _load(window, qtbot, folder)
    target = window.session.configs[0].target
    assert target.name == "custom" and target.images == str(folder)
    assert target.resolution == 16  # equal squares keep their size
    assert DATA.get(target.data).shape == (40, 1, 16, 16)
    assert sorted(set(DATA.get(target.labels).tolist())) == [0, 1]
    assert window.session.configs[0].model.latent_dim == 32  # the image recipe
    message = window.statusBar().currentMessage()
    assert "Loaded 40 images (2 classes" in message and "1 file skipped: broken.png" in message
    assert "broken.png" in window.image_loading.last_box.detailedText()
    assert not window.image_loading.loading
    window.session.step(1)
    qtbot.waitUntil(lambda: (f := window.session.last_frame) is not None
                    and f.runs[0].snapshot.data_kind == "images", timeout=30_000)
    assert len(window.session.last_frame.runs[0].snapshot.class_names) == 2
    assert not window.layer_toggles.label.isVisible()


def test_squares_of_a_side_the_networks_cannot_take_are_resized(window, qtbot, tmp_path):
    assert _load(window, qtbot, _image_folder(tmp_path / "small", corrupt=False, side=12))
    target = window.session.configs[0].target
    assert target.resolution == 16 and DATA.get(target.data).shape == (40, 1, 16, 16)
    window.session.step(1)
    qtbot.waitUntil(lambda: (f := window.session.last_frame) is not None and f.iteration >= 1
                    and f.runs[0].snapshot.data_kind == "images", timeout=30_000)
    assert window.session.last_frame.runs[0].snapshot.fake.shape[1:] == (1, 16, 16)


def test_cancelling_a_load_leaves_the_target_unchanged(window, qtbot, tmp_path, monkeypatch):
    def slow_load(path, progress=None, cancelled=None, **_):
        while not cancelled():  # stands for a long folder: it stops only when told to
            progress(1, 100)
        raise LoadCancelled

    monkeypatch.setattr("ganlab.app.image_loading.load_images_in_child", slow_load)
    before = window.session.configs[0].target
    loading = window.image_loading
    with qtbot.waitSignal(loading.finished, timeout=30_000) as finished:
        assert loading.load(str(tmp_path))
        assert loading.loading and not loading.load(str(tmp_path))  # one load at a time
        loading.cancel()
    assert finished.args == [False]
    assert window.session.configs[0].target == before
    assert "cancelled" in window.statusBar().currentMessage()


def test_a_broken_source_gets_a_message_naming_it(window, qtbot, tmp_path):
    before = window.session.configs[0].target
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not _load(window, qtbot, empty)
    assert str(empty) in window.last_error_box.text()
    assert "\n" not in window.last_error_box.text()
    assert window.session.configs[0].target == before


@pytest.mark.parametrize("what", ["folder", "npy"])
def test_dropping_images_on_the_window_loads_them(window, qtbot, tmp_path, what):
    if what == "folder":
        path = _image_folder(tmp_path / "shapes", corrupt=False)
    else:
        path = tmp_path / "images.npy"
        np.save(path, np.random.default_rng(1).random((30, 8, 8), dtype=np.float32))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.image_loading.finished, timeout=30_000) as finished:
        window.dropEvent(event)
    assert finished.args == [True]
    target = window.session.configs[0].target
    assert target.name == "custom" and target.images == str(path)
    assert (target.labels is None) == (what == "npy")
