"""What an installed bundle relies on: shipped resources found through the package, a missing
one reported, and a log file when there is no console."""

from __future__ import annotations

import logging
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from ganlab.app import log_file
from ganlab.app.lessons import LessonsMissingError, load_lessons, shipped_lessons_folder


def test_lessons_are_found_through_the_package():
    folder = shipped_lessons_folder()
    assert folder == files("ganlab").joinpath("resources", "lessons")
    lessons = load_lessons()
    names = sorted(item.name for item in folder.iterdir() if item.name.endswith(".json"))
    assert [lesson.source for lesson in lessons] == names  # every one, in file-name order
    assert len(names) >= 9


def test_a_missing_lessons_folder_is_an_error_naming_it(tmp_path):
    with pytest.raises(LessonsMissingError, match=r"nowhere.*missing: reinstall ganlab"):
        load_lessons(tmp_path / "nowhere")


def test_a_folder_of_broken_lessons_is_an_error_not_an_empty_menu(tmp_path):
    (tmp_path / "01_broken.json").write_text("{ not json", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a lesson", encoding="utf-8")
    with pytest.raises(LessonsMissingError, match="no readable lesson"):
        load_lessons(tmp_path)


def test_one_broken_lesson_is_skipped_and_the_rest_load(tmp_path):
    good = shipped_lessons_folder().joinpath("01_mode_collapse.json").read_text("utf-8")
    (tmp_path / "01_good.json").write_text(good, encoding="utf-8")
    (tmp_path / "02_broken.json").write_text("[]", encoding="utf-8")
    assert [lesson.source for lesson in load_lessons(tmp_path)] == ["01_good.json"]


@pytest.fixture
def clean_logging(monkeypatch):
    """The root logger, sys.stderr/stdout and the exception hook as they were, afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_without_a_console_the_log_and_tracebacks_go_to_the_data_folder(clean_logging,
                                                                         monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stderr", None)  # a windowed bundle
    monkeypatch.setattr(sys, "stdout", None)
    logging.getLogger().addHandler(logging.StreamHandler())  # basicConfig's, on a None stderr
    path = log_file.set_up_logging(folder=tmp_path / "data")
    assert path == tmp_path / "data" / log_file.LOG_NAME
    logging.getLogger("ganlab.somewhere").warning("the worker stopped: out of memory")
    sys.stderr.write("a stray message\n")
    try:
        raise RuntimeError("nobody caught this")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    text = path.read_text(encoding="utf-8")
    assert "WARNING ganlab.somewhere: the worker stopped: out of memory" in text
    assert "a stray message" in text
    assert "CRITICAL ganlab: uncaught exception" in text and "nobody caught this" in text
    assert "Logging error" not in text  # no handler writes to the missing stderr


def test_with_a_console_from_source_there_is_no_log_file(clean_logging, tmp_path):
    assert log_file.set_up_logging(folder=tmp_path / "data") is None
    assert not (tmp_path / "data").exists()


def test_an_uncreatable_data_folder_sends_the_log_to_the_temp_folder(clean_logging, monkeypatch,
                                                                     tmp_path):
    monkeypatch.setattr(log_file.tempfile, "gettempdir", lambda: str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    path = log_file.set_up_logging(to_file=True, folder=blocker / "ganlab")
    assert path == tmp_path / "temp" / log_file.LOG_NAME
    text = Path(path).read_text(encoding="utf-8")
    assert f"the data folder {blocker / 'ganlab'} cannot be used" in text
    assert "autosave is off" in text
