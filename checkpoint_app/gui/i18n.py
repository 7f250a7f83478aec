"""Run-time language switching through Qt translators (.qm in resources/translations).

English is the source language; Chinese (the default) installs checkpoint_zh_CN.qm."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from checkpoint_app.core.settings import LANGUAGES
from checkpoint_app.resources import resource

log = logging.getLogger("checkpoint.gui")


class LanguageSwitcher:
    def __init__(self) -> None:
        self._translators: list[QTranslator] = []
        self.language = "en"

    def release(self) -> None:
        """Uninstall this switcher's translators (at shutdown: the QApplication may outlive us)."""
        app = QCoreApplication.instance()
        for translator in self._translators:
            if app is not None:
                app.removeTranslator(translator)
        self._translators = []

    def apply(self, language: str) -> None:
        app = QCoreApplication.instance()
        assert app is not None
        self.release()
        if language != "en":
            ours = QTranslator()
            qm = resource("translations", f"checkpoint_{language}.qm")
            if ours.load(str(qm)):
                self._translators.append(ours)
            else:
                log.error("translation %s missing; showing English", qm)
            # Qt's own words (file dialog buttons, context menus) from the Qt installation.
            qt = QTranslator()
            if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
                self._translators.append(qt)
            for translator in self._translators:
                app.installTranslator(translator)
        self.language = language

    def next_language(self) -> str:
        if self.language not in LANGUAGES:
            return "zh_CN"
        return LANGUAGES[(LANGUAGES.index(self.language) + 1) % len(LANGUAGES)]
