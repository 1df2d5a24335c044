"""The app's view of a study folder: the report's plots and one row per run; a double-click on
a run opens it as a session.

The window's process never imports torch, so this view reads only what `ganlab study` wrote:
`runs.csv` and `plots/*.png`. When runs ended after the report was written (a study still
running, or killed), it renders the report again in a child process (`ganlab study --report`)
and reloads when that is done.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from PySide6.QtCore import QProcess, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QMessageBox,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

MAX_CSV_BYTES = 32 * 2**20  # 10,000 runs of a few hundred characters
#: runs.csv columns the table shows (others stay in the file), with their headings
SHOWN = {"modes_covered": "modes", "high_quality_pct": "high quality %", "js": "JS",
         "reverse_kl": "reverse KL", "frechet_distance": "FD", "wall_seconds": "wall s",
         "reason": "reason"}
AXES_END = "status"  # runs.csv: run, the axes, then status and the metrics


class StudyFileError(ValueError):
    """The folder's report cannot be read; the message names the file."""


def read_runs_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a study's runs.csv, refused above `MAX_CSV_BYTES`."""
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise StudyFileError(f"{path}: more than {MAX_CSV_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StudyFileError(f"{path}: cannot be read ({error})") from None
    return list(csv.DictReader(io.StringIO(text)))


def report_is_stale(folder: Path) -> bool:
    """Whether runs ended (or the grid grew) after the report was written."""
    report = folder / "runs.csv"
    if not report.is_file():
        return True
    written = report.stat().st_mtime_ns
    newer = [folder / "study.json", *(folder / "records").glob("*.json")]
    return any(p.is_file() and p.stat().st_mtime_ns > written for p in newer)


def report_command(folder: Path) -> list[str]:
    """The command that renders `folder`'s report (the bundled app is the `ganlab` command)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "study", "--report", str(folder)]
    return [sys.executable, "-m", "ganlab.cli", "study", "--report", str(folder)]


class StudyView(QDialog):
    """One study folder: a tab of plots and a tab of runs."""

    run_chosen = Signal(str)  # the session file of the run that was double-clicked

    def __init__(self, folder: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.folder = Path(folder)
        self.setWindowTitle(f"Study {self.folder.name}")
        self.resize(1100, 700)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.tabs = QTabWidget()
        self.plots = QWidget()
        self.plots.setLayout(QVBoxLayout())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.plots)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.cellDoubleClicked.connect(self._on_run_double_clicked)
        self.tabs.addTab(scroll, "Plots")
        self.tabs.addTab(self.table, "Runs")
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs)
        self.rows: list[dict[str, str]] = []
        self.renderer: QProcess | None = None
        self.reload()
        if report_is_stale(self.folder):
            self.render_report()

    def render_report(self) -> None:
        """Render the report again in a child process; reload when it ends."""
        self.status.setText(f"{self.folder}: bringing the report up to date…")
        command = report_command(self.folder)
        self.renderer = QProcess(self)
        self.renderer.finished.connect(self._on_render_finished)
        self.renderer.start(command[0], command[1:])

    def _on_render_finished(self, exit_code: int, _status) -> None:
        if exit_code != 0:
            error = bytes(self.renderer.readAllStandardError()).decode(errors="replace").strip()
            self.status.setText(f"the report could not be rendered: {error or exit_code}")
            return
        self.reload()

    def reload(self) -> None:
        """Read runs.csv and the plots again."""
        try:
            self.rows = read_runs_csv(self.folder / "runs.csv")
        except StudyFileError as error:
            self.rows = []
            self.status.setText(str(error))
        else:
            counts: dict[str, int] = {}
            for row in self.rows:
                counts[row.get("status", "")] = counts.get(row.get("status", ""), 0) + 1
            self.status.setText(f"{self.folder}: {len(self.rows)} runs ("
                                + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
                                + "). Double-click a run to open it as a session.")
        self._fill_table()
        self._show_plots()

    def _fill_table(self) -> None:
        columns = []
        if self.rows:
            names = list(self.rows[0])
            axes = names[1:names.index(AXES_END)] if AXES_END in names else []
            filled = [c for c in SHOWN if c in names and any(row[c] for row in self.rows)]
            columns = ["run", *axes, "status", *filled]
        self.table.setSortingEnabled(False)
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setRowCount(len(self.rows))
        self.table.setHorizontalHeaderLabels([SHOWN.get(c, c) for c in columns])
        for r, row in enumerate(self.rows):
            for c, column in enumerate(columns):
                self.table.setItem(r, c, _item(row.get(column, "")))
        self.table.resizeColumnsToContents()
        self.table.setSortingEnabled(True)

    def _show_plots(self) -> None:
        layout = self.plots.layout()
        while layout.count():
            layout.takeAt(0).widget().deleteLater()
        self.plot_labels = []
        for path in sorted((self.folder / "plots").glob("*.png")):
            label = QLabel()
            label.setPixmap(QPixmap(str(path)))
            label.setToolTip(path.name)
            layout.addWidget(label)
            self.plot_labels.append(label)
        if not self.plot_labels:
            layout.addWidget(QLabel("No plots yet: no run has ended."))

    def _on_run_double_clicked(self, row: int, _column: int) -> None:
        run_id = self.table.item(row, 0).text()
        session = self.folder / "runs" / run_id / "session.ganlab"
        if session.is_file():
            self.run_chosen.emit(str(session))
            return
        record = next((r for r in self.rows if r.get("run") == run_id), {})
        why = f" ({record['reason']})" if record.get("reason") else ""
        self.status.setText(f"run {run_id} has no session: {record.get('status', '?')}{why}")


def _item(text: str) -> QTableWidgetItem:
    """A cell that sorts numbers as numbers."""
    item = QTableWidgetItem()
    for kind in (int, float):
        try:
            item.setData(Qt.ItemDataRole.DisplayRole, kind(text))
            return item
        except ValueError:
            continue
    item.setText(text)
    return item


def ask_study_folder(window) -> StudyView | None:
    """File → Open study folder…: choose a folder, show it; a chosen run opens as a session."""
    folder = QFileDialog.getExistingDirectory(window, "Open study folder")
    if not folder:
        return None
    if not (Path(folder) / "study.json").is_file():
        QMessageBox.warning(window, "Open study folder", f"{folder} is not a study folder (it "
                            "has no study.json); `ganlab study --out FOLDER` makes one.")
        return None
    view = StudyView(folder, window)
    view.run_chosen.connect(window.file_actions.open)
    window.study_view = view  # kept while shown
    view.show()
    return view
