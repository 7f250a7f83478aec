"""The settings dialog, generated from the typed schema (core.settings.SCHEMA): a combo
box for choices, a check box for switches, spin boxes within the ranges, text fields
otherwise. It validates with the schema and hands back a new Settings value."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from checkpoint_app.core.settings import SCHEMA, Settings, check_value, hash_pin
from checkpoint_app.core.trust.key_files import KeyFileError, key_paths, read_key_files
from checkpoint_app.gui import texts
from checkpoint_app.gui.style import ERROR_TEXT

Editor = QComboBox | QCheckBox | QSpinBox | QDoubleSpinBox | QLineEdit


def _editor(name: str, value: object) -> Editor:
    meta = SCHEMA[name].metadata
    if meta["choices"]:
        box = QComboBox()
        words = texts.VENUE_TYPES if name == "venue_type" else texts.SETTING_CHOICES.get(name, {})
        for choice in meta["choices"]:
            label = words.get(choice)
            shown = texts.LANGUAGE_NAMES.get(choice, choice) if name == "language" else choice
            box.addItem(texts.tr(label) if label else shown, choice)
        box.setCurrentIndex(max(0, box.findData(value)))
        return box
    if isinstance(value, bool):
        check = QCheckBox()
        check.setChecked(value)
        return check
    if isinstance(value, int):
        spin = QSpinBox()
        spin.setRange(meta["lo"], meta["hi"])
        spin.setValue(value)
        return spin
    if isinstance(value, float):
        double = QDoubleSpinBox()
        double.setRange(meta["lo"], meta["hi"])
        double.setValue(value)
        return double
    line = QLineEdit(str(value).encode("unicode_escape").decode() if name == "gate_serial_command" else str(value))
    if meta["secret"]:
        line.setEchoMode(QLineEdit.EchoMode.Password)
    return line


def _value(name: str, editor: Editor) -> object:
    if isinstance(editor, QComboBox):
        return editor.currentData()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, (QSpinBox, QDoubleSpinBox)):
        return editor.value()
    text = editor.text()
    return text.encode().decode("unicode_escape") if name == "gate_serial_command" else text


class SettingsDialog(QDialog):
    """Signals: saved(Settings): the dialog closes unless a receiver calls refuse(why)."""

    saved = Signal(object)

    def __init__(self, current: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsDialog")
        self.current = current
        self._refused = False
        self.editors: dict[str, Editor] = {}
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout()
        for name, f in SCHEMA.items():
            if not f.metadata["admin"]:
                continue
            self.editors[name] = _editor(name, getattr(current, name))
            self.labels[name] = QLabel()
            form.addRow(self.labels[name], self.editors[name])
        self.new_pin = QLineEdit()
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.labels["new_pin"] = QLabel()
        form.addRow(self.labels["new_pin"], self.new_pin)
        inner = QWidget()
        inner.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        self.note = QLabel()
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR_TEXT};")
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self._on_save)
        lay = QVBoxLayout(self)
        lay.addWidget(scroll, 1)
        lay.addWidget(self.note)
        lay.addWidget(self.error)
        lay.addWidget(self.save_button)
        self.resize(640, 600)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(texts.ui("settings"))
        for name, label in self.labels.items():
            label.setText(texts.tr(texts.SETTING_LABELS[name]))
        self.save_button.setText(texts.ui("save"))
        self.note.setText(texts.ui("restart_note"))

    def collect(self) -> Settings:
        """The edited settings; ValueError (naming the field) when one is out of its range,
        KeyFileError when a new key file cannot be read (the next start would stop on it)."""
        values = {name: check_value(name, _value(name, ed)) for name, ed in self.editors.items()}
        if values["root_keys"] != self.current.root_keys:
            read_key_files(key_paths(str(values["root_keys"])))
        pin = self.new_pin.text()
        if pin:
            if not (pin.isdigit() and 4 <= len(pin) <= 8):
                raise ValueError(texts.ui("set_pin"))
            values["admin_pin"] = hash_pin(pin)
        return dataclasses.replace(self.current, **values)

    def _on_save(self) -> None:
        try:
            new = self.collect()
        except (ValueError, KeyFileError) as exc:
            self.error.setText(str(exc))
            return
        self._refused = False
        self.error.clear()
        self.saved.emit(new)
        if not self._refused:
            self.accept()

    def refuse(self, why: str) -> None:
        """Called by a receiver of `saved` that could not save: the dialog stays open, saying why."""
        self._refused = True
        self.error.setText(why)
