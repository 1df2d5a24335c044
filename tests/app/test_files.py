"""Sessions, exports and pictures from the app: everything round-trips through the worker, and a
bad file changes nothing but the status bar and a message. File commands run in the training
process, as in the app (`process_window`); the tests that compare an export with the trainer's
own output peek at a worker thread (`window`)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from ganlab.app.history import RunHistory, history_rows, restore_history
from ganlab.core.config import TargetConfig
from ganlab.core.data_store import DATA
from ganlab.core.export import load_generator
from tests.app.conftest import trainer_of

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def results_of(window) -> list:
    results = []
    window.session.file_command_finished.connect(results.append)
    return results


def step_to(window, qtbot, iteration: int) -> None:
    window.session.step(iteration - window.session.last_frame.iteration)
    qtbot.waitUntil(lambda: window.session.last_frame.iteration == iteration, timeout=15_000)


def wait_for(qtbot, results: list, count: int = 1):
    qtbot.waitUntil(lambda: len(results) >= count, timeout=15_000)
    return results[count - 1]


def test_save_train_on_open_goes_back(process_window, qtbot, tmp_path):
    window = process_window
    results = results_of(window)
    step_to(window, qtbot, 12)
    saved_config = window.session.configs[0].to_dict()
    path = tmp_path / "run.ganlab"
    window.file_actions.save_to(str(path))
    result = wait_for(qtbot, results)
    assert result.ok and path.exists() and window.file_actions.path == str(path)
    assert "Saved session to" in window.statusBar().currentMessage()
    step_to(window, qtbot, 20)
    window.file_actions.open(str(path))
    assert wait_for(qtbot, results, 2).ok
    qtbot.waitUntil(lambda: window.session.last_frame.iteration == 12, timeout=10_000)
    assert window.session.configs[0].to_dict() == saved_config
    assert window.session.last_frame.runs[0].config.to_dict() == saved_config
    assert "Opened" in window.statusBar().currentMessage()
    def losses():  # the lines the charts draw now (a new run's history replaces the old)
        return window.presenter.histories[0].series["discriminator_loss"]

    qtbot.waitUntil(lambda: len(losses()) > 0, timeout=15_000)  # the charts came back
    assert losses().x.max() <= 12
    step_to(window, qtbot, 14)  # and training goes on from there


def test_painted_points_travel_in_the_session(process_window, qtbot, tmp_path):
    window = process_window
    results = results_of(window)
    points = np.random.default_rng(0).normal(size=(200, 2))
    window.session.set_target(TargetConfig(name="custom", data=DATA.put(points)))
    step_to(window, qtbot, 3)
    path = tmp_path / "painted.ganlab"
    window.file_actions.save_to(str(path))
    assert wait_for(qtbot, results).ok
    window.choose_target("ring8")
    window.file_actions.open(str(path))
    assert wait_for(qtbot, results, 2).ok
    config = window.session.configs[0]
    assert config.target.name == "custom"
    np.testing.assert_array_equal(DATA.get(config.target.data), points)
    edited = config.replaced("generator_optimizer.learning_rate", 3e-4)
    window.session.set_config(0, edited)  # the child has the points: only the config crosses
    qtbot.waitUntil(lambda: window.session.last_frame.runs[0].config.generator_optimizer
                    .learning_rate == 3e-4, timeout=15_000)
    assert window.session.last_frame.runs[0].config.target.data == config.target.data
    step_to(window, qtbot, window.session.last_frame.iteration + 2)  # still trains on them
    np.testing.assert_allclose(window.session.last_frame.runs[0].snapshot.real.mean(axis=0),
                               points.mean(axis=0), atol=0.2)


def test_dropping_a_session_file_opens_it(process_window, qtbot, tmp_path):
    window = process_window
    results = results_of(window)
    step_to(window, qtbot, 4)
    path = tmp_path / "dropped.ganlab"
    window.file_actions.save_to(str(path))
    wait_for(qtbot, results)
    step_to(window, qtbot, 9)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert wait_for(qtbot, results, 2).ok
    qtbot.waitUntil(lambda: window.session.last_frame.iteration == 4, timeout=10_000)


def test_compare_mode_saves_run_a(window, qtbot, tmp_path):
    results = results_of(window)
    window.set_compare(True)
    qtbot.waitUntil(lambda: len(window.session.last_frame.runs) == 2, timeout=10_000)
    window.file_actions.save_to(str(tmp_path / "compare"))
    assert wait_for(qtbot, results).ok and (tmp_path / "compare.ganlab").exists()
    assert "(run A)" in window.statusBar().currentMessage()
    window.file_actions.open(str(tmp_path / "compare.ganlab"))
    assert wait_for(qtbot, results, 2).ok
    assert not window.session.compare and not window.compare_action.isChecked()
    qtbot.waitUntil(lambda: len(window.session.last_frame.runs) == 1, timeout=10_000)


def test_exported_generator_matches_the_trainer(window, qtbot, tmp_path):
    results = results_of(window)
    step_to(window, qtbot, 6)
    window.file_actions.export_generator(str(tmp_path / "gen"))
    assert wait_for(qtbot, results).ok
    generator = load_generator(tmp_path / "gen.safetensors")
    z = torch.randn(50, generator.latent_dim, generator=torch.Generator().manual_seed(1))
    trainer = trainer_of(window)
    np.testing.assert_allclose(generator(z).detach().numpy(), trainer.sample(50, latent=z),
                               rtol=1e-5, atol=1e-6)


def test_onnx_export(window, qtbot, tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    results = results_of(window)
    window.file_actions.export_generator(str(tmp_path / "gen.onnx"))
    assert wait_for(qtbot, results).ok, results[0].message
    z = np.random.default_rng(2).normal(size=(8, 2)).astype(np.float32)
    runtime = onnxruntime.InferenceSession(str(tmp_path / "gen.onnx"))
    (out,) = runtime.run(None, {runtime.get_inputs()[0].name: z})
    np.testing.assert_allclose(out, trainer_of(window).sample(8, latent=torch.from_numpy(z)),
                               rtol=1e-4, atol=1e-5)


def test_exported_samples(process_window, qtbot, tmp_path):
    window = process_window
    results = results_of(window)
    window.file_actions.export_samples(str(tmp_path / "s.csv"))
    window.file_actions.export_samples(str(tmp_path / "s.npy"))
    window.file_actions.export_samples(str(tmp_path / "s.txt"))
    assert wait_for(qtbot, results, 3)
    assert [r.ok for r in results] == [True, True, False]
    csv = np.loadtxt(tmp_path / "s.csv", delimiter=",", skiprows=1)
    assert csv.shape == (2500, 2) and np.isfinite(csv).all()
    np.testing.assert_allclose(np.load(tmp_path / "s.npy"), csv, rtol=1e-6)
    assert "s.txt" in window.last_error_box.text()


def test_pictures_of_canvas_and_charts(window, tmp_path):
    for which in ("canvas", "charts"):
        png = tmp_path / f"{which}.png"
        assert window.file_actions.save_picture(which, str(png))
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 1000
        svg = tmp_path / f"{which}.svg"
        assert window.file_actions.save_picture(which, str(svg))
        assert b"<svg" in svg.read_bytes()[:2000]
    assert "Saved picture of the charts" in window.statusBar().currentMessage()
    assert not window.file_actions.save_picture("canvas", str(tmp_path / "c.gif"))


def test_history_rows_round_trip():
    history = RunHistory()
    history.add_losses(1, 0.5, math.nan)
    history.add_losses(2, 0.4, 0.7)
    history.add_metrics({"iteration": 2, "js": 0.1, "total_modes": 8, "modes_covered": 4})
    rows = history_rows([history])
    restored = RunHistory()
    assert restore_history(restored, [*rows, {"run": 0, "series": "nope"}, "junk"]) == 4
    np.testing.assert_array_equal(restored.series["generator_loss"].y, [math.nan, 0.7])
    assert restored.series["modes_covered"].last() == 50.0 and restored.last_iteration == 2


def test_record_gif(window, qtbot, tmp_path):
    imageio = pytest.importorskip("imageio.v3")
    window.file_actions.start_recording(str(tmp_path / "training"))
    assert window.file_actions.record_action.isChecked()
    window.session.play()
    qtbot.waitUntil(lambda: len(window.file_actions.recorder.frames) >= 4, timeout=10_000)
    window.session.pause()
    assert window.file_actions.stop_recording()
    assert not window.file_actions.record_action.isChecked()
    frames = imageio.imread(tmp_path / "training.gif", index=None)
    assert frames.ndim == 4 and len(frames) >= 4 and max(frames.shape[1:3]) <= 480
    assert "Saved a recording" in window.statusBar().currentMessage()


def test_every_kind_of_bad_file_gets_a_message(process_window, qtbot, tmp_path):
    import json
    import zipfile

    window = process_window
    results = results_of(window)
    step_to(window, qtbot, 3)
    epoch = window.session.last_frame.epoch
    config = window.session.configs[0].to_dict()
    good = tmp_path / "good.ganlab"
    window.file_actions.save_to(str(good))
    assert wait_for(qtbot, results).ok
    newer = tmp_path / "newer.ganlab"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(newer, "w") as target:
        metadata = json.loads(source.read("session.json"))
        metadata["version"] = 99
        target.writestr("session.json", json.dumps(metadata))
        target.writestr("tensors.safetensors", source.read("tensors.safetensors"))
    bad = {
        "empty.ganlab": b"",
        "picture.ganlab": PNG_SIGNATURE + b"\x00" * 64,
        "truncated.ganlab": good.read_bytes()[: good.stat().st_size // 2],
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "broken.ganlab").write_bytes(b"\x00garbage\xffPK\x03\x04 not a session")
    names = [*bad, "newer.ganlab", "missing.ganlab", "broken.ganlab"]
    for name in names:
        window.file_actions.open(str(tmp_path / name))
    wait_for(qtbot, results, 1 + len(names))
    for name, result in zip(names, results[1:], strict=True):
        assert not result.ok and name in result.message, result.message
    assert "newer ganlab" in results[1 + names.index("newer.ganlab")].message
    # the last refusal is in a message box naming its file; nothing else changed
    assert window.last_error_box.isVisible() and "broken.ganlab" in window.last_error_box.text()
    assert window.session.configs[0].to_dict() == config
    step_to(window, qtbot, 4)  # the same run trains on
    assert window.session.last_frame.epoch == epoch
    assert window.file_actions.path == str(good)  # "Save session" still writes there


def test_file_menu_actions_have_shortcuts(window):
    file_menu = window.menuBar().actions()[0].menu()
    shortcuts = {a.text(): a.shortcut().toString() for a in file_menu.actions()
                 if not a.isSeparator()}
    assert shortcuts["Open session…"] == "Ctrl+O"
    assert shortcuts["Save session"] == "Ctrl+S"
    assert shortcuts["Save session as…"] == "Ctrl+Shift+S"
    assert all(shortcuts.values()), shortcuts
    assert window.acceptDrops()


def test_closing_the_window_keeps_a_running_recording(window, qtbot, tmp_path):
    window.file_actions.start_recording(str(tmp_path / "closing.gif"))
    window.session.play()
    qtbot.waitUntil(lambda: len(window.file_actions.recorder.frames) >= 2, timeout=10_000)
    window.close()
    assert (tmp_path / "closing.gif").read_bytes()[:6] in (b"GIF87a", b"GIF89a")
