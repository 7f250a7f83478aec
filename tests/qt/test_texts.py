"""Every code the core can return has words in both languages (STYLE rule 8)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from checkpoint_app.core.errors import ErrorCode
from checkpoint_app.core.events import MANUAL_REASONS
from checkpoint_app.core.outcomes import Outcome, Phrase, VisitorCue
from checkpoint_app.core.rules.facts import VENUE_TYPES
from checkpoint_app.core.settings import SCHEMA
from checkpoint_app.gui import texts
from checkpoint_app.gui.i18n import LanguageSwitcher
from checkpoint_app.resources import resource

SPEC_REASONS = (101, 102, 103, 104, 105, 199, 201, 202, 203, 204, 205, 299, 301)
SAME_IN_BOTH = {"中文 / English (F5)"}


@pytest.fixture
def languages(qapp: QApplication) -> Iterator[LanguageSwitcher]:
    switcher = LanguageSwitcher()
    yield switcher
    switcher.apply("en")


def _required() -> list[str]:
    policy = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    sources = [texts.ACTIONS[a] for a in policy["actions"]]
    sources += [texts.ERRORS[str(e)] for e in ErrorCode]
    sources += [texts.REASONS[r] for r in SPEC_REASONS] + [texts.OTHER_REASON]
    sources += [texts.MANUAL_REASONS[r] for r in MANUAL_REASONS]
    sources += [texts.HEADLINES[o.value] for o in Outcome]
    sources += [texts.VISITOR_CUES[c.value] for c in VisitorCue] + [texts.SPOKEN[p.value] for p in Phrase]
    sources += [texts.VENUE_TYPES[v] for v in VENUE_TYPES]
    sources += [texts.SETTING_LABELS[n] for n, f in SCHEMA.items() if f.metadata["admin"]]
    return sources + texts.catalog()


def test_every_code_has_english_and_chinese(languages: LanguageSwitcher) -> None:
    required = _required()
    assert all(s.strip() for s in required)
    languages.apply("zh_CN")
    untranslated = [s for s in required if texts.tr(s) == s and s not in SAME_IN_BOTH]
    assert not untranslated
    assert texts.action_text("pass") == "准予通行" and texts.error_text("EXPIRED") == "健康码已过期：请刷新"
    assert texts.reason_text(999) == "其他"  # unknown reasons are accepted as "other" (spec 1)
    languages.apply("en")
    assert texts.action_text("pass") == "Entry permitted"


def test_placeholders_survive_translation(languages: LanguageSwitcher) -> None:
    languages.apply("zh_CN")
    for key, source in texts.UI.items():
        for name in ("{n}", "{time}", "{value}", "{lo}", "{hi}", "{path}"):
            assert (name in source) == (name in texts.ui(key)), key


def test_the_ts_file_matches_the_catalog() -> None:
    ts = resource("translations", "checkpoint_zh_CN.ts").read_text(encoding="utf-8")
    missing = [s for s in set(texts.catalog()) if f"<source>{_xml(s)}</source>" not in ts]
    assert not missing, "run resources/translations/update_ts.py"
    assert QCoreApplication.translate("Texts", "no such text") == "no such text"


def _xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_every_outcome_has_its_icon_and_sound() -> None:
    from checkpoint_app.gui.style import LOOKS

    for outcome in Outcome:
        look = LOOKS[outcome]
        assert resource("icons", f"{look.icon}.svg").is_file() and resource("sounds", f"{look.sound}.wav").is_file()
    staff = {LOOKS[o].sound for o in (Outcome.RED_HOSPITAL, Outcome.FEVER)}
    assert len({LOOKS[Outcome.PASS].sound, LOOKS[Outcome.YELLOW].sound, LOOKS[Outcome.INVALID].sound,
                LOOKS[Outcome.CANNOT_VERIFY].sound, *staff}) == 5
