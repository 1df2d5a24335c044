"""The app's study view: the report's plots, one row per run, a run opened as a session."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from ganlab.app.study_view import StudyView, report_command, report_is_stale
from ganlab.study.report import write_report
from tests.study.test_report import finished_folder


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = finished_folder(tmp_path_factory.mktemp("study") / "s")
    for run in (folder / "runs").iterdir():
        (run / "session.ganlab").write_bytes(b"stand-in")  # what a double-click opens
    write_report(folder)
    return folder


@pytest.fixture
def folder(rendered, tmp_path):
    """A copy of the rendered study for each test (times kept: its report is up to date)."""
    return Path(shutil.copytree(rendered, tmp_path / "s"))


def test_the_view_shows_every_run_and_every_plot(qtbot, folder):
    view = StudyView(folder)
    qtbot.addWidget(view)
    assert view.renderer is None  # the report is up to date: nothing to render
    assert view.table.rowCount() == 20
    headings = [view.table.horizontalHeaderItem(c).text()
                for c in range(view.table.columnCount())]
    assert headings == ["run", "objective", "iterations", "seed", "status", "modes",
                        "high quality %", "JS", "wall s", "reason"]
    assert len(view.plot_labels) == 3
    assert all(not label.pixmap().isNull() for label in view.plot_labels)
    assert "20 runs (2 crashed, 2 diverged, 16 finished)" in view.status.text()


def test_a_double_click_opens_the_run_as_a_session(qtbot, folder):
    view = StudyView(folder)
    qtbot.addWidget(view)
    view.table.sortItems(0)
    rows = {view.table.item(r, 0).text(): r for r in range(view.table.rowCount())}
    with qtbot.waitSignal(view.run_chosen) as chosen:
        view._on_run_double_clicked(rows["minimax-i200-s2"], 3)
    assert chosen.args == [str(folder / "runs" / "minimax-i200-s2" / "session.ganlab")]
    with qtbot.assertNotEmitted(view.run_chosen):
        view._on_run_double_clicked(rows["hinge-i100-s4"], 0)
    assert view.status.text() == ("run hinge-i100-s4 has no session: crashed "
                                  "(RuntimeError: out of memory | really)")


def test_a_report_older_than_the_records_is_rendered_again(folder):
    assert not report_is_stale(folder)
    record = folder / "records" / "minimax-i100-s0.json"
    later = time.time() + 5
    os.utime(record, (later, later))
    assert report_is_stale(folder)
    assert report_command(folder)[-3:] == ["study", "--report", str(folder)]


def test_file_open_study_folder_shows_it_and_opens_runs_in_the_window(qtbot, folder,
                                                                      monkeypatch, tmp_path):
    from types import SimpleNamespace

    from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

    from ganlab.app.study_view import ask_study_folder

    window = QMainWindow()
    qtbot.addWidget(window)
    opened, warned = [], []
    window.file_actions = SimpleNamespace(open=opened.append)
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warned.append(args[2]))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path))
    assert ask_study_folder(window) is None  # tmp_path holds a study but is not one
    assert warned == [f"{tmp_path} is not a study folder (it has no study.json); "
                      "`ganlab study --out FOLDER` makes one."]
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(folder))
    view = ask_study_folder(window)
    assert view is window.study_view
    row = next(r for r in range(view.table.rowCount())
               if view.table.item(r, 0).text() == "hinge-i200-s0")
    view._on_run_double_clicked(row, 0)
    assert opened == [str(folder / "runs" / "hinge-i200-s0" / "session.ganlab")]
