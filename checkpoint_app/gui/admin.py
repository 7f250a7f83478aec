"""The guard's and the administrator's flows besides the visit: manual entry, statistics,
settings behind the PIN, language. Dialogs open window-modal and never block the loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

from checkpoint_app.core.settings import PinGuard, Settings
from checkpoint_app.gui.manual_dialog import ManualEntryDialog
from checkpoint_app.gui.pin_dialog import PinDialog
from checkpoint_app.gui.settings_dialog import SettingsDialog
from checkpoint_app.gui.stats_dialog import StatsDialog

if TYPE_CHECKING:
    from checkpoint_app.app import CheckpointApp


class AdminFlows:
    def __init__(self, app: CheckpointApp) -> None:
        self.app = app
        self.dialogs: list[QDialog] = []
        self.pin_guard = PinGuard(app.settings_path.with_name("pin-state.json"), app.clock)
        w = app.window
        w.manual_requested.connect(self.open_manual)
        w.stats_requested.connect(self.open_stats)
        w.settings_requested.connect(self.open_settings)
        w.language_requested.connect(lambda: app.set_language(app.language.next_language()))

    def _open(self, dialog: QDialog) -> QDialog:
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _: self._closed(dialog))
        dialog.open()
        return dialog

    def _closed(self, dialog: QDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
        dialog.deleteLater()

    def open_manual(self) -> ManualEntryDialog:
        dialog = ManualEntryDialog(self.app.window)

        def on_entry(reason: str, temperature: float | None) -> None:
            if self.app.controller.manual_entry(reason, temperature):
                dialog.accept()
            elif (policy := self.app.controller.policy) is not None and temperature is not None:
                dialog.temperature_rejected(temperature, policy.temperature_min_c, policy.temperature_max_c)

        dialog.entry_made.connect(on_entry)
        self._open(dialog)
        return dialog

    def open_stats(self) -> StatsDialog:
        policy = self.app.controller.policy
        dialog = StatsDialog(37.3 if policy is None else policy.fever_threshold_c, self.app.window)
        dialog.events_requested.connect(self.app.store._on_events_requested)
        self.app.store.events_loaded.connect(dialog._on_events_loaded)
        self._open(dialog)
        dialog.refresh()
        return dialog

    def open_settings(self) -> PinDialog:
        dialog = PinDialog(self.pin_guard, self.app.settings.admin_pin, self.app.window)
        dialog.pin_accepted.connect(self._on_pin_accepted)
        self._open(dialog)
        return dialog

    def check_pin_blocking(self) -> bool:
        """For the kiosk's exit: a modal PIN check that answers at once (a nested event loop)."""
        dialog = PinDialog(self.pin_guard, self.app.settings.admin_pin, self.app.window)
        if dialog.no_pin:
            return False  # cannot happen in kiosk mode, which refuses to start without a PIN
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return accepted

    def _on_pin_accepted(self) -> None:
        dialog = SettingsDialog(self.app.settings, self.app.window)
        dialog.saved.connect(self._on_settings_saved)
        self._open(dialog)

    def _on_settings_saved(self, new: Settings) -> None:
        self.app.apply_settings(new)

    def retranslate(self) -> None:
        for d in self.dialogs:
            d.retranslate()  # type: ignore[attr-defined]

    def close_all(self) -> None:
        for d in list(self.dialogs):
            d.reject()



