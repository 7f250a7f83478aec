"""Statistics for today or a chosen date range, and CSV export of the pseudonymous events.
The events come from the store thread; the counting is core.stats (Qt-free)."""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.stats import Statistics, compute, to_csv
from checkpoint_app.gui import texts
from checkpoint_app.gui.bar_chart import BarChartWidget


def _ts(day: QDate, end: bool) -> int:
    d = datetime.combine(date(day.year(), day.month(), day.day()), dtime.max if end else dtime.min)
    return int(d.timestamp())


def _lines(counts: dict[str, int], names: dict[str, str]) -> str:
    return "\n".join(texts.labelled(texts.tr(names[k]) if k in names else k, v) for k, v in sorted(counts.items()))


class StatsDialog(QDialog):
    """Signals: events_requested(int ts_from, int ts_to); export_requested(): the Export
    button, answered by choose_file() once the admin PIN is right; exported(str path, int count)."""

    events_requested = Signal(int, int)
    export_requested = Signal()
    exported = Signal(str, int)

    def __init__(self, fever_threshold_c: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StatsDialog")
        self.fever_threshold_c = fever_threshold_c
        self.events: tuple[ScanEvent, ...] = ()
        self.stats: Statistics | None = None
        today = QDate.currentDate()
        self.date_from, self.date_to = QDateEdit(today), QDateEdit(today)
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
            d.dateChanged.connect(self.refresh)
        self.from_label, self.to_label = QLabel(), QLabel()
        self.today = QPushButton()
        self.today.clicked.connect(self._on_today)
        self.export = QPushButton()
        self.export.clicked.connect(self.export_requested)
        row = QHBoxLayout()
        for w in (self.from_label, self.date_from, self.to_label, self.date_to, self.today, self.export):
            row.addWidget(w)
        self.totals, self.by_color, self.by_action, self.by_error = QLabel(), QLabel(), QLabel(), QLabel()
        self.by_source = QLabel()  # health codes, ID lookups and manual records, each counted (spec 5.1)
        grid = QGridLayout()
        for i, w in enumerate((self.totals, self.by_source, self.by_color, self.by_action, self.by_error)):
            w.setWordWrap(True)
            grid.addWidget(w, 0, i)
        self.chart = BarChartWidget()
        self.message = QLabel()
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addLayout(grid)
        lay.addWidget(self.chart, 1)
        lay.addWidget(self.message)
        self.resize(900, 560)
        self.retranslate()

    def refresh(self) -> None:
        self.events_requested.emit(_ts(self.date_from.date(), False), _ts(self.date_to.date(), True))

    def _on_today(self) -> None:
        self.date_from.setDate(QDate.currentDate())
        self.date_to.setDate(QDate.currentDate())
        self.refresh()

    def _on_events_loaded(self, events: tuple[ScanEvent, ...]) -> None:
        self.events = events
        self.stats = compute(events, None, self.fever_threshold_c)
        self.show_state()

    def retranslate(self) -> None:
        self.setWindowTitle(texts.ui("statistics"))
        self.from_label.setText(texts.ui("from"))
        self.to_label.setText(texts.ui("to"))
        self.today.setText(texts.ui("today"))
        self.export.setText(texts.ui("export_csv"))
        self.show_state()

    def show_state(self) -> None:
        s = self.stats
        if s is None:
            return
        u = texts.ui
        rows = (("people", s.people), ("allowed", s.allowed), ("fevers", s.fevers), ("manual_count", s.manual),
                ("abandoned", s.abandoned))
        self.totals.setText("\n".join(texts.labelled(u(key), n) for key, n in rows))
        sources = "\n".join(texts.labelled(texts.tr(texts.SOURCES[k]), s.by_source.get(k, 0)) for k in texts.SOURCES)
        self.by_source.setText(f"{u('by_source')}\n{sources}")
        self.by_color.setText(f"{u('by_color')}\n{_lines(s.by_color, texts.COLORS)}")
        self.by_action.setText(f"{u('by_action')}\n{_lines(s.by_action, texts.ACTIONS)}")
        self.by_error.setText(f"{u('by_error')}\n{_lines(s.by_error, texts.ERRORS)}")
        self.chart.set_data(s.per_hour, [str(h) for h in range(24)], u("per_hour"))

    def choose_file(self) -> QFileDialog:
        """Qt's own file dialog, read-only: it saves a new file and nothing else (its menus
        would otherwise delete, rename and make folders anywhere the kiosk user may write)."""
        dialog = QFileDialog(self, texts.ui("export_csv"), str(Path.home() / "checkpoint-events.csv"), "CSV (*.csv)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setOption(QFileDialog.Option.ReadOnly)
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)  # export_to never overwrites
        dialog.fileSelected.connect(lambda p: self.export_to(Path(p)))
        dialog.open()
        return dialog

    def export_to(self, path: Path) -> None:
        """Into a new file only: an existing one (the store, the settings) is never replaced."""
        try:
            with path.open("x", encoding="utf-8", newline="") as out:
                out.write(to_csv(self.events))
        except FileExistsError:
            self.message.setText(texts.ui("export_exists", path=path))
            return
        except OSError as exc:
            self.message.setText(texts.ui("export_failed", path=path, why=exc.strerror or exc))
            return
        self.message.setText(texts.ui("exported", n=len(self.events), path=path))
        self.exported.emit(str(path), len(self.events))



