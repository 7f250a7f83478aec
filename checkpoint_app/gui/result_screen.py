"""The result screen: the outcome's colour fills the screen, with its icon, headline, the
action in words, the reasons, the masked name and document, the time and when it goes."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from checkpoint_app.core.outcomes import Outcome
from checkpoint_app.core.visit import VisitState
from checkpoint_app.gui import texts
from checkpoint_app.gui.icons import icon_pixmap
from checkpoint_app.gui.scaling import HeavyLabel, ScaledScreen
from checkpoint_app.gui.style import LOOKS, OUT_OF_SERVICE, Look


def person_line(state: VisitState) -> str:
    d = state.decision
    code = None if d is None else d.scan.verification.code
    if code is None:
        return ""
    doc_type = texts.tr(texts.DOC_TYPES.get(code.doc_type, texts.OTHER_REASON))
    return f"{code.name}    {doc_type} {code.doc}"


def action_line(state: VisitState) -> str:
    if state.manual is not None:
        return texts.action_text(state.manual.action)
    d = state.decision
    return "" if d is None else texts.action_text(d.action, None if state.ctx is None else state.ctx.policy)


def reasons_text(state: VisitState) -> str:
    if state.manual is not None:
        return texts.tr(texts.MANUAL_REASONS.get(state.manual.manual_reason or "other", texts.OTHER_REASON))
    d = state.decision
    if d is None:
        return ""
    if not d.valid and d.error is not None:
        return texts.error_text(str(d.error))
    if d.action == "cannot_verify":  # say which of the data's problems it is
        f = d.freshness
        why = [texts.ui("clock_problem")] if f.clock_error else []
        return "\n".join([*why, texts.tr(texts.FRESHNESS["too_old"])] if f.offline_too_long else why)
    return "\n".join(f"{texts.reason_text(r)} ({r})" for r in (d.reasons or ()))


def inputs_line(state: VisitState) -> str:
    i = state.inputs
    parts = []
    if i.temperature_c is not None:
        parts.append(f"{texts.ui('temperature')} {i.temperature_c:.1f} °C")
    if i.mask is not None:
        parts.append(f"{texts.ui('mask')} {texts.ui('mask_yes' if i.mask else 'mask_no')}")
    return "    ".join(parts)


class ResultScreen(ScaledScreen):
    """Renders a final VisitState. Signals: dismissed()."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ResultScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the style sheet paints the colour
        self.look: Look = LOOKS[Outcome.PASS]
        self.icon = QLabel()
        self.headline = self.scaled(HeavyLabel(), 72, bold=True)
        self.action = self.scaled(HeavyLabel(), 60, bold=True)
        self.reasons = self.scaled(QLabel(), 32)
        self.person = self.scaled(QLabel(), 34)
        self.inputs = self.scaled(QLabel(), 32)
        self.when = self.scaled(QLabel(), 22)
        self.countdown = self.scaled(QLabel(), 22)
        for label in (self.when, self.countdown):
            label.setWordWrap(False)
        self.dismiss = self.scaled(QPushButton(), 26, bold=True)
        self.dismiss.setMinimumHeight(64)
        self.dismiss.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.dismiss.clicked.connect(self.dismissed)
        top = QHBoxLayout()
        top.addWidget(self.icon)
        top.addWidget(self.headline, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.when)
        bottom.addWidget(self.countdown, 1, Qt.AlignmentFlag.AlignRight)
        bottom.addWidget(self.dismiss)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(40, 30, 40, 24)
        lay.addLayout(top)
        for w in (self.action, self.reasons, self.person, self.inputs):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addLayout(bottom)

    def show_state(self, state: VisitState, remaining_s: int | None, failed: bool = False) -> None:
        outcome = state.outcome or Outcome.REFUSED
        self.look = OUT_OF_SERVICE if failed else LOOKS.get(outcome, LOOKS[Outcome.REFUSED])
        self.setStyleSheet(f"#ResultScreen {{ background: {self.look.background}; }}"
                           f" QLabel {{ color: {self.look.foreground}; }}")
        self.setProperty("outcome", "out_of_service" if failed else outcome.value)
        self.headline.setText(texts.tr(texts.HEADLINES[outcome.value]) if not failed else "")
        self.action.setText(texts.ui("record_failed") if failed else action_line(state))
        self.reasons.setText("" if failed else reasons_text(state))
        self.person.setText("" if failed else person_line(state))
        self.inputs.setText("" if failed else inputs_line(state))
        shown = state.shown_at or time.time()
        self.when.setText(f"{texts.ui('time')} {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(shown))}")
        self.countdown.setText(texts.ui("stays") if remaining_s is None else texts.ui("returns_in", n=remaining_s))
        self.dismiss.setText(texts.ui("dismiss"))
        self.rescaled(self.factor())

    def rescaled(self, factor: float) -> None:
        self.icon.setPixmap(icon_pixmap(self.look.icon, self.look.foreground, round(110 * factor)))
