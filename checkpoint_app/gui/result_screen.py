"""The result screen: the outcome's colour fills the screen. Above everything, what the
guard does in one imperative line filling the width (准予通行 / 禁止入内), then what to do
next; below, the icon and word of the result, the reasons in words, the masked name and
document, the inputs, and at the bottom the time, when it goes and "next person ready"."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from checkpoint_app.core.outcomes import REFUSALS, Outcome
from checkpoint_app.core.rules.facts import FreshnessLevel
from checkpoint_app.core.visit_state import VisitState
from checkpoint_app.gui import texts
from checkpoint_app.gui.icons import icon_pixmap
from checkpoint_app.gui.scaling import FitLabel, HeavyLabel, ScaledScreen
from checkpoint_app.gui.style import LOOKS, OUT_OF_SERVICE, Look

HEADLINE_SHARE = 0.30  # of the screen's height, at most: the rest must fit at 1024x768


def person_line(state: VisitState) -> str:
    d = state.decision
    code = None if d is None else d.scan.verification.code
    if code is None:
        return ""
    doc_type = texts.tr(texts.DOC_TYPES.get(code.doc_type, texts.OTHER_REASON))
    return f"{code.name}    {doc_type} {code.doc}"


def imperative(outcome: Outcome) -> str:
    if outcome is Outcome.NOT_A_CODE:
        return texts.ui("scan_hint")
    return texts.tr(texts.NO_ENTRY if outcome in REFUSALS else texts.GO_IN)


def instruction(state: VisitState, outcome: Outcome) -> str:
    """What the guard does next; a refusal a revised policy added speaks in its own words."""
    if outcome.value in texts.INSTRUCTIONS:
        return texts.tr(texts.INSTRUCTIONS[outcome.value])
    d = state.decision
    if outcome is Outcome.REFUSED and d is not None:
        return texts.action_text(d.action, None if state.ctx is None else state.ctx.policy)
    return ""


def reasons_text(state: VisitState) -> str:
    """Why, in words, never as reason codes: for the guard (the visitor display shows none)."""
    if state.manual is not None:
        return texts.tr(texts.MANUAL_REASONS.get(state.manual.manual_reason or "other", texts.OTHER_REASON))
    d = state.decision
    if d is None:
        return ""
    if not d.valid and d.error is not None:
        return texts.error_text(str(d.error))
    if state.outcome is Outcome.FEVER:
        # The temperature is the reason (on its own line); a green code's note beside the word
        # FEVER ("on the epidemic-control whitelist") read as if it explained the fever.
        return ""
    if d.action == "cannot_verify":  # say which of the data's problems it is
        f = d.freshness
        if f.never_synced:  # not old data: none yet, and what to do about it
            return f"{texts.ui('not_synced')}\n{texts.ui('first_sync')}"
        why = [texts.ui("clock_problem")] if f.clock_error else []
        return "\n".join([*why, texts.tr(texts.FRESHNESS[FreshnessLevel.TOO_OLD])] if f.offline_too_long else why)
    return "\n".join(texts.reason_text(r) for r in (d.reasons or ()))


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
        self.headline = FitLabel()
        self.action = self.scaled(HeavyLabel(), 46, bold=True)
        self.icon = QLabel()
        self.kind = self.scaled(HeavyLabel(), 44, bold=True)
        self.kind.setWordWrap(False)
        self.reasons = self.scaled(QLabel(), 30)
        self.person = self.scaled(QLabel(), 30)
        self.inputs = self.scaled(QLabel(), 30)
        self.next_ready = self.scaled(QLabel(), 24, bold=True)
        self.next_ready.setWordWrap(False)
        self.when = self.scaled(QLabel(), 20)
        self.countdown = self.scaled(QLabel(), 20)
        for label in (self.when, self.countdown):
            label.setWordWrap(False)
        self.dismiss = self.scaled(QPushButton(), 24, bold=True)
        self.dismiss.setMinimumHeight(60)
        self.dismiss.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.dismiss.clicked.connect(self.dismissed)
        self._layout()

    def _layout(self) -> None:
        kind = QHBoxLayout()
        kind.setSpacing(20)
        kind.addWidget(self.icon)
        kind.addWidget(self.kind)
        kind.addWidget(self.reasons, 1)
        bottom = QHBoxLayout()
        for w in (self.next_ready, self.when):
            bottom.addWidget(w)
        bottom.addWidget(self.countdown, 1, Qt.AlignmentFlag.AlignRight)
        bottom.addWidget(self.dismiss)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(36, 12, 36, 18)
        lay.setSpacing(10)
        lay.addWidget(self.headline)
        lay.addWidget(self.action)
        lay.addLayout(kind)
        lay.addWidget(self.person)
        lay.addWidget(self.inputs)
        lay.addStretch(1)
        lay.addLayout(bottom)

    def show_state(self, state: VisitState, remaining_s: int | None, failed: bool = False) -> None:
        outcome = state.outcome or Outcome.REFUSED
        self.look = OUT_OF_SERVICE if failed else LOOKS.get(outcome, LOOKS[Outcome.REFUSED])
        self.setStyleSheet(f"#ResultScreen {{ background: {self.look.background}; }}"
                           f" QLabel {{ color: {self.look.foreground}; }}")
        self.setProperty("outcome", "out_of_service" if failed else outcome.value)
        self.headline.setText(texts.ui("out_of_service") if failed else imperative(outcome))
        self.action.setText(texts.ui("record_failed") if failed else instruction(state, outcome))
        self.kind.setText("" if failed else texts.tr(texts.HEADLINES[outcome.value]))
        self.reasons.setText("" if failed else reasons_text(state))
        self.person.setText("" if failed else person_line(state))
        self.inputs.setText("" if failed else inputs_line(state))
        for label in (self.action, self.person, self.inputs):
            label.setVisible(bool(label.text()))  # no gaps where a line says nothing
        waiting = state.waiting is not None and not failed
        self.next_ready.setText(texts.ui("next_ready") if waiting else "")
        self.next_ready.setStyleSheet(f"background: {self.look.foreground}; color: {self.look.background};"
                                      " border-radius: 6px; padding: 4px 12px;" if waiting else "")
        shown = state.shown_at or time.time()
        self.when.setText(f"{texts.ui('time')} {time.strftime('%H:%M:%S', time.localtime(shown))}")
        self.countdown.setText(texts.ui("stays") if remaining_s is None else texts.ui("returns_in", n=remaining_s))
        self.dismiss.setText(texts.ui("dismiss"))
        self.rescaled(self.factor())

    def rescaled(self, factor: float) -> None:
        self.icon.setPixmap(icon_pixmap(self.look.icon, self.look.foreground, round(88 * factor)))
        lay = self.layout()
        assert lay is not None  # made in __init__
        margins = lay.contentsMargins()
        self.headline.fit(round(self.height() * HEADLINE_SHARE), self.width() - margins.left() - margins.right())
