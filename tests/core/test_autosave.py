import json
import subprocess
import sys

from ganlab.core.autosave import Autosave, default_data_folder
from ganlab.core.session_file import Session
from ganlab.core.trainer import Trainer


def test_clean_exit_offers_nothing(tmp_path, small_config):
    first = Autosave(tmp_path)
    assert first.start() is False
    first.save(Session(Trainer(small_config)))
    first.finish()
    assert Autosave(tmp_path).start() is False


def test_crash_leaves_an_autosave_to_restore(tmp_path, small_config):
    # a process that starts, autosaves and dies without finish()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    trainer = Trainer(small_config)
    trainer.train(4)
    crashed = Autosave(tmp_path)
    crashed.start()
    crashed.save(Session(trainer, history=[{"iteration": 4}]))
    crashed.marker.write_text(json.dumps({"pid": int(dead.stdout)}))  # that process is gone
    again = Autosave(tmp_path)
    assert again.start() is True
    session = again.restore()
    assert session.trainer.iteration == 4 and session.history == [{"iteration": 4}]
    again.discard()
    assert not again.path.exists() and again.saved_at() is None


def test_marker_of_a_live_process_is_not_a_crash(tmp_path, small_config):
    other = Autosave(tmp_path)
    other.start()
    other.save(Session(Trainer(small_config)))
    # our own parent process is alive: another ganlab window is running, not a crash
    import os

    other.marker.write_text(json.dumps({"pid": os.getppid()}))
    assert Autosave(tmp_path).start() is False


def test_interval_counts_training_time(tmp_path, small_config):
    autosave = Autosave(tmp_path, interval_s=60)
    assert not autosave.add_training_time(30)
    assert autosave.add_training_time(31)
    autosave.save(Session(Trainer(small_config)))
    assert not autosave.add_training_time(1)


def test_data_folder_can_be_overridden(monkeypatch, tmp_path):
    monkeypatch.setenv("GANLAB_DATA_DIR", str(tmp_path / "d"))
    assert default_data_folder() == tmp_path / "d"
    monkeypatch.delenv("GANLAB_DATA_DIR")
    assert default_data_folder().name == "ganlab"
