"""Run-time language switching through Qt translators (.qm in resources/translations).

English is the source language; Chinese (the default) installs checkpoint_zh_CN.qm."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QTranslator

from checkpoint_app.core.settings import LANGUAGES
from checkpoint_app.resources import resource

log = logging.getLogger("checkpoint.gui")


class LanguageSwitcher:
    def __init__(self) -> None:
        self._translator: QTranslator | None = None
        self.language = "en"

    def release(self) -> None:
        """Uninstall this switcher's translator (at shutdown: the QApplication may outlive us)."""
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
        self._translator = None

    def apply(self, language: str) -> None:
        app = QCoreApplication.instance()
        assert app is not None
        self.release()
        if language != "en":
            translator = QTranslator()
            qm = resource("translations", f"checkpoint_{language}.qm")
            if translator.load(str(qm)):
                app.installTranslator(translator)
                self._translator = translator
            else:
                log.error("translation %s missing; showing English", qm)
        self.language = language

    def next_language(self) -> str:
        if self.language not in LANGUAGES:
            return "zh_CN"
        return LANGUAGES[(LANGUAGES.index(self.language) + 1) % len(LANGUAGES)]
