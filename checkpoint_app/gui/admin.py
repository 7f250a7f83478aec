"""The administrator's flows besides the visit: statistics, settings behind the PIN,
language. Dialogs open window-modal and never block the loop. They get what they use --
the window, the visit controller, the store worker and a settings service -- from the
composition root, never the whole app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QDialog, QWidget

from checkpoint_app.core.settings import PinGuard, Settings
from checkpoint_app.gui import idle_close, texts
from checkpoint_app.gui.main_window import MainWindow
from checkpoint_app.gui.pin_dialog import PinDialog
from checkpoint_app.gui.settings_dialog import SettingsDialog
from checkpoint_app.gui.stats_dialog import StatsDialog
from checkpoint_app.gui.visit_controller import VisitController
from checkpoint_app.workers.store_worker import StoreWorker
from checkpoint_app.workers.tasks import TaskRunner

AdminDialog = PinDialog | StatsDialog | SettingsDialog  # each retranslates itself

DEFAULT_FEVER_C = 37.3  # spec 6, for the statistics before any policy is loaded


@dataclass(frozen=True)
class SettingsService:
    """The live settings as the admin flows may use them: read, apply (saved and applied
    at once where possible), and switch to the next language."""

    current: Callable[[], Settings]
    apply: Callable[[Settings], None]
    next_language: Callable[[], None]


class AdminFlows:
    def __init__(self, window: MainWindow, controller: VisitController, store: StoreWorker,
                 settings: SettingsService, pin_guard: PinGuard, tasks: TaskRunner) -> None:
        self.window, self.controller, self.store, self.settings = window, controller, store, settings
        self.dialogs: list[AdminDialog] = []
        self.pin_guard, self.tasks = pin_guard, tasks
        window.stats_requested.connect(self.open_stats)
        window.settings_requested.connect(self.open_settings)
        window.language_requested.connect(settings.next_language)

    def _open(self, dialog: AdminDialog) -> AdminDialog:
        idle_close.IdleCloser(dialog, _idle_ms(dialog))  # an admin session left open is anyone's
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _: self._closed(dialog))
        dialog.open()
        return dialog

    def _closed(self, dialog: AdminDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
        dialog.deleteLater()

    def open_stats(self) -> StatsDialog:
        policy = self.controller.policy
        dialog = StatsDialog(DEFAULT_FEVER_C if policy is None else policy.fever_threshold_c, self.window)
        dialog.events_requested.connect(self.store._on_events_requested)
        dialog.export_requested.connect(lambda: self._behind_pin(dialog, dialog.choose_file))
        self.store.events_loaded.connect(dialog._on_events_loaded)
        self._open(dialog)
        dialog.refresh()
        return dialog

    def open_settings(self) -> PinDialog:
        dialog = PinDialog(self.pin_guard, self.settings.current().admin_pin, self.tasks, self.window)
        dialog.pin_accepted.connect(self._on_pin_accepted)
        self._open(dialog)
        return dialog

    def _behind_pin(self, parent: QWidget, then: Callable[[], object]) -> None:
        """`then` once the admin PIN is right; at once where no PIN is set (never a kiosk,
        which refuses to start without one)."""
        stored = self.settings.current().admin_pin
        if not stored:
            then()
            return
        dialog = PinDialog(self.pin_guard, stored, self.tasks, parent)
        dialog.pin_accepted.connect(then)
        self._open(dialog)

    def check_pin_blocking(self) -> bool:
        """For the kiosk's exit: a modal PIN check that answers at once (a nested event loop)."""
        dialog = PinDialog(self.pin_guard, self.settings.current().admin_pin, self.tasks, self.window)
        if dialog.no_pin:
            return False  # cannot happen in kiosk mode, which refuses to start without a PIN
        idle_close.IdleCloser(dialog, idle_close.PIN_IDLE_MS)  # modal: left open, it takes the guard's keys
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return accepted

    def _on_pin_accepted(self) -> None:
        dialog = SettingsDialog(self.settings.current(), self.window)
        dialog.saved.connect(lambda new: self._apply(dialog, new))
        self._open(dialog)

    def _apply(self, dialog: SettingsDialog, new: Settings) -> None:
        try:
            self.settings.apply(new)
        except OSError as exc:
            dialog.refuse(texts.ui("settings_not_saved", why=exc.strerror or exc))

    def retranslate(self) -> None:
        for d in self.dialogs:
            d.retranslate()

    def close_all(self) -> None:
        for d in list(self.dialogs):
            d.reject()


def _idle_ms(dialog: AdminDialog) -> int:
    return idle_close.PIN_IDLE_MS if isinstance(dialog, PinDialog) else idle_close.DIALOG_IDLE_MS
