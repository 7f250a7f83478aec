"""Every user-facing string. The core returns codes (actions, error codes, reasons);
this module turns them into words through Qt's translation system: the English source
texts are marked here, the Chinese live in resources/translations/checkpoint_zh_CN.ts
(compiled to .qm). `tr()` looks a text up in the language installed at that moment, so
switching language is: install the other translator, render again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from checkpoint_app.core.rules.facts import FreshnessLevel
from checkpoint_app.core.trust.policy import Policy
from checkpoint_app.workers.values import CameraState

CONTEXT = "Texts"


def N(text: str) -> str:
    """Marks a source text for lupdate; translated later by `tr`."""
    return str(QT_TRANSLATE_NOOP("Texts", text))


def tr(source: str) -> str:
    return QCoreApplication.translate(CONTEXT, source)


ACTIONS = {
    "pass": N("Entry permitted"),
    "invalid_code": N("Refused: show a valid health code"),
    "hospital_transfer": N("Send to the designated hospital now"),
    "turn_back_isolation": N("Turn back: 14 days of centralized or strict home isolation"),
    "home_isolation": N("14 days of home medical observation"),
    "cannot_verify": N("Cannot verify: data out of date or clock wrong; check by hand"),
    "measure_temperature": N("Take temperature"),
    "fever_referral": N("Fever: measure again, then refer to a fever clinic"),
    "wear_mask": N("Put on a mask"),
    "manual_entry": N("Manual entry recorded"),
}
HEADLINES = {  # the word beside the icon, by outcome (core.outcomes.Outcome): what kind of result
    "pass": N("GREEN CODE"), "yellow": N("YELLOW CODE"), "red_hospital": N("RED CODE"), "red_turn_back": N("RED CODE"),
    "fever": N("FEVER"), "invalid": N("INVALID CODE"), "cannot_verify": N("CANNOT VERIFY"),
    "refused": N("REFUSED"), "pending": N("GREEN CODE"), "manual": N("MANUAL ENTRY"),
    "not_a_code": N("NOT A HEALTH CODE"),
}
GO_IN, NO_ENTRY = N("Go in"), N("No entry")  # the imperative line above everything else
INSTRUCTIONS = {  # what the guard does, by outcome, under the imperative line
    "yellow": N("Send home: 14 days of home observation"),
    "red_hospital": N("Keep them here; call medical staff now"),
    "red_turn_back": N("Keep them here; call the epidemic-control staff"),
    "fever": N("Keep them here; measure the temperature again"),
    "invalid": N("Ask for a valid health code"),
    "cannot_verify": N("Check by hand and call the system administrator"),
    "manual": N("Manual entry recorded"),
    "not_a_code": N("That was a payment or chat QR"),
}
VISITOR_CUES = {  # the queue-facing screen, by core.outcomes.VisitorCue: what the visitor must do
    "show_code": N("Please show your health code"), "take_temperature": N("Please take your temperature"),
    "wear_mask": N("Please put on a mask"), "go_in": N("Please go in"),
    "wait_here": N("No entry: please wait here"),
    "place_id_card": N("Please place your ID card"),
}
SPOKEN = {  # the spoken results, by core.outcomes.Phrase
    "show_code": N("Please show your health code"), "take_temperature": N("Please take your temperature"),
    "wear_mask": N("Please put on a mask"), "pass": N("Green code, temperature normal, please go in"),
    "manual": N("Recorded, please go in"), "yellow": N("Yellow code, no entry"),
    "red": N("Red code, no entry, please wait here"), "fever": N("Temperature too high, please measure again"),
    "invalid": N("Invalid code, please show a valid health code"), "cannot_verify": N("Cannot verify, please wait"),
    "refused": N("No entry: please wait here"),
}
ERRORS = {
    "NOT_A_HEALTH_CODE": N("Not a health code"),
    "BASE45_INVALID": N("Damaged code (Base45)"),
    "DECOMPRESS_FAILED": N("Damaged code (compression)"),
    "COSE_INVALID": N("Damaged code (structure)"),
    "UNSUPPORTED_ALGORITHM": N("Unsupported signature algorithm"),
    "UNKNOWN_KID": N("Issuer not trusted"),
    "BAD_SIGNATURE": N("Forged or altered code: bad signature"),
    "CLAIMS_INVALID": N("Damaged code (contents)"),
    "ISSUER_MISMATCH": N("Issuer does not match its key"),
    "KEY_NOT_VALID": N("Issuer key not valid"),
    "NOT_YET_VALID": N("Code not yet valid (check the clock)"),
    "EXPIRED": N("Code expired: refresh the code"),
    "TOO_OLD": N("Code too old: refresh the code"),
    "NOT_FOUND": N("No health code: the platform does not know this person"),
}
REASONS = {
    101: N("Confirmed case"), 102: N("Suspected case"), 103: N("Close contact of a confirmed case"),
    104: N("Under centralized or home medical isolation"), 105: N("Arrived from or through a key epidemic area"),
    199: N("Other red management"), 201: N("Fever, shortness of breath or respiratory symptoms"),
    202: N("Contact with a person with fever or respiratory symptoms"),
    203: N("Confirmed case or close contact in the same stairwell"),
    204: N("Travel across cities within the province"), 205: N("From a higher-risk county outside the province"),
    299: N("Other yellow management"), 301: N("On the epidemic-control whitelist"),
}
OTHER_REASON = N("Other")
MANUAL_REASONS = {
    "no_smartphone": N("No smartphone"), "elderly": N("Elderly person"), "child": N("Child"),
    "phone_dead": N("Phone battery dead"), "foreign_visitor": N("Foreign visitor"), "other": N("Other reason"),
}
DOC_TYPES = {1: N("Resident ID card"), 2: N("Passport"), 3: N("Hong Kong/Macao travel permit"),
             4: N("Taiwan travel permit"), 5: N("Foreigner's permanent residence ID")}
COLORS = {"green": N("Green"), "yellow": N("Yellow"), "red": N("Red"), "none": N("No colour (invalid)")}
CAMERA_STATES = {CameraState.STARTING: N("Camera starting"), CameraState.RUNNING: N("Camera on"),
                 CameraState.RECONNECTING: N("Camera lost, retrying"), CameraState.FAILED: N("No camera"),
                 CameraState.STOPPED: N("Camera off"), CameraState.NONE: N("Scanner only")}
FRESHNESS = {FreshnessLevel.FRESH: N("Data fresh"), FreshnessLevel.STALE: N("Status data stale"),
             FreshnessLevel.TOO_OLD: N("Data too old to decide"), FreshnessLevel.FILE: N("Offline documents"),
             FreshnessLevel.NEVER: N("Never synced")}
DEVICE_PROBLEMS = {"gate": N("Gate failed: open by hand"), "thermometer": N("Thermometer offline: type it"),
                   "scanner": N("Scanner offline: use camera"),
                   "scanner_only": N("Scanner offline: call IT; manual entry (F2)"),  # a site without a camera
                   "id_reader": N("ID reader offline: type the number"),
                   "decoder": N("Codes cannot be read: use manual entry")}
# How a person was identified (events' `source`, spec 5.1), for the statistics.
SOURCES = {"code": N("Health code"), "id_lookup": N("ID lookup"), "manual": N("Manual entry")}
# Why a placed card gave no number (workers.hardware_workers.IdCardReaderWorker.card_rejected).
CARD_REJECTIONS = {"unsupported_card": N("This card cannot be read here: type the number (F6)")}
CARD_UNREAD = N("Card not read: place it again")
# The keypad's view of an ID number being typed (core.identity.IdProblem).
ID_PROBLEMS = {
    "ID_LENGTH": N("An ID number has 18 characters"), "ID_CHARACTERS": N("Only digits, and X last"),
    "ID_REGION": N("No province has this code"), "ID_BIRTH_DATE": N("No such birth date"),
    "ID_CHECK_DIGIT": N("Check digit wrong: check the number"),
}
SOUND_STATES = {"no_output": N("Sound off: no audio output"), "muted": N("Sound off")}
SYNC_STATES = {"idle": N("Sync idle"), "running": N("Syncing"), "ok": N("Synced"), "failed": N("Sync failed"),
               "off": N("No server")}

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}  # each in its own language, never translated
SETTING_LABELS = {
    "checkpoint_id": N("Checkpoint id"), "venue_id": N("Venue id"), "venue_type": N("Venue type"),
    "operator": N("Guard on duty"), "server_url": N("Server URL"), "token": N("Server token"),
    "root_keys": N("Distribution key files"), "camera": N("Camera"),
    "camera_exposure_control": N("Adjust camera exposure for phone screens"), "sync_interval_s": N("Sync interval (s)"),
    "language": N("Language"), "timeout_pass_s": N("Pass screen (s)"),
    "timeout_refused_s": N("Yellow/invalid screen (s)"),
    "timeout_staff_s": N("Red/fever screen (s, 0 = until dismissed)"),
    "timeout_prompt_s": N("Prompt abandoned after (s)"),
    "sound_volume": N("Sound volume (%)"), "speech_volume": N("Spoken results volume (%)"), "kiosk": N("Kiosk mode"),
    "visitor_screen": N("Visitor display (screen facing the queue)"),
    "thermometer_port": N("Thermometer port"),
    "thermometer_protocol": N("Thermometer protocol"), "scanner_serial_port": N("Serial scanner port"),
    "id_reader_serial_port": N("ID card reader port"),
    "gate_kind": N("Gate relay"), "gate_serial_port": N("Gate serial port"),
    "gate_serial_command": N("Gate serial command"), "gate_http_url": N("Gate HTTP URL"), "log_level": N("Log level"),
    "new_pin": N("New admin PIN (empty: keep)"),
}
SETTING_CHOICES = {  # the settings dialog's words for each choice (venue types and languages: below)
    "gate_kind": {"none": N("No gate"), "serial": N("Serial relay"), "http": N("HTTP controller")},
    "thermometer_protocol": {"line": N("Text lines (one reading per line)"), "lu90614": N("LU90614 module")},
    "log_level": {"DEBUG": N("Everything (for trouble-shooting)"), "INFO": N("Normal"),
                  "WARNING": N("Warnings and errors"), "ERROR": N("Errors only")},
    "visitor_screen": {"auto": N("The second screen, if there is one"), "none": N("None"), "1": N("Screen 1"),
                       "2": N("Screen 2"), "3": N("Screen 3"), "4": N("Screen 4")},
}
VENUE_TYPES = {
    "government": N("Government"), "enterprise": N("Enterprise"), "factory": N("Factory"),
    "office_building": N("Office building"), "hospital": N("Hospital"), "residential": N("Residential area"),
    "village": N("Village"), "railway_station": N("Railway station"), "bus_station": N("Bus station"),
    "airport": N("Airport"), "mall": N("Shopping mall"), "supermarket": N("Supermarket"), "hotel": N("Hotel"),
    "restaurant": N("Restaurant"), "park": N("Park"), "scenic_spot": N("Scenic spot"),
    "public_transport": N("Public transport"),
}

UI = {k: v for k, v in {
    "scan_hint": N("Show your health code"),
    "check_id": N("Check the ID"),
    "enter_temperature": N("Enter temperature, then Enter"),
    "measure_again": N("Measure again: {value} °C is outside {lo}–{hi} °C"),
    "no_mask": N("No mask (M)"),
    "next_no_mask": N("Next: no mask · K undo"),
    "next_ready": N("Next person ready · Enter"),
    "next_ready_prompt": N("Next person ready"),
    "mask_on": N("Mask on now (K)"),
    "cancel": N("Cancel (Esc/Del)"),
    "dismiss": N("Done (Enter)"),
    "returns_in": N("Back to scanning in {n} s"),
    "stays": N("Stays until dismissed"),
    "temperature": N("Temperature"),
    "mask": N("Mask"),
    "mask_yes": N("worn"),
    "mask_no": N("not worn"),
    "time": N("Time"),
    "manual_entry": N("Manual entry (F2)"),
    "manual_title": N("Entry without a health code"),
    "manual_reason": N("Reason: press 1–6"),
    "manual_temperature": N("Temperature, then Enter to record"),
    "manual_need_reason": N("Choose a reason first (1–6)"),
    "manual_need_temperature": N("Enter the temperature first"),
    "not_ready": N("Not ready yet: try again in a moment"),
    "manual_record": N("Record entry"),
    "statistics": N("Statistics (F3)"),
    "settings": N("Settings (F4)"),
    "language": N("中文 / English (F5)"),
    "last_sync": N("Last sync {time}"),
    "usb_sync": N("USB sync {time}"),
    "pending_uploads": N("{n} to upload"),
    "clock_problem": N("Clock wrong"),
    "not_synced": N("This checkpoint has not synced yet"),
    "first_sync": N("Ask IT to run the first sync, or insert the USB stick"),
    "out_of_service": N("Out of service"),
    "record_failed": N("Cannot record the scan: out of service, call the administrator"),
    "enter_pin": N("Admin PIN"),
    "set_pin": N("Set a new admin PIN (4-8 digits)"),
    "no_pin": N("No admin PIN is set on this PC. The installer sets one with: checkpoint-app set-pin"),
    "pin_wrong": N("Wrong PIN: {n} tries left"),
    "pin_locked": N("Locked: try again at {time}"),
    "ok": N("OK"),
    "save": N("Save"),
    "settings_not_saved": N("Not saved, nothing changed: {why}"),
    "restart_note": N("Camera, server and hardware changes apply at the next start."),
    "close": N("Close"),
    "today": N("Today"),
    "from": N("From"),
    "to": N("To"),
    "export_csv": N("Export CSV"),
    "exported": N("Exported {n} events to {path}"),
    "export_exists": N("{path} exists already: choose a new file name"),
    "export_failed": N("Cannot write {path}: {why}"),
    "people": N("People"),
    "allowed": N("Allowed in"),
    "fevers": N("Fevers"),
    "manual_count": N("Manual entries"),
    "abandoned": N("Abandoned"),
    "per_hour": N("People per hour"),
    "by_color": N("By colour"),
    "by_action": N("By action"),
    "by_error": N("Invalid codes by reason"),
    "window_title": N("Health-code checkpoint"),
    "visitor_title": N("Visitor display"),
    "demo": N("DEMO"),
    "id_number": N("ID number (F6)"),
    "id_title": N("Look up by ID number"),
    "id_hint": N("Place the ID card on the reader, or type its number and press Enter"),
    "id_typed": N("{n} of 18"),
    "id_complete": N("Enter to look up"),
    "looking_up": N("Looking up…"),
    "lookup_failed": N("Cannot look up: record by hand"),
    "id_checked": N("ID card looked up: no need to compare"),
    "scan_hint_id": N("No phone? Place your ID card"),
    "scanner_prompt": N("Hold the code to the scanner"),
    "by_source": N("By how identified"),
}.items()}


def chinese() -> bool:
    """Whether the installed translation is Chinese (English is the source language)."""
    return tr(ACTIONS["pass"]) != ACTIONS["pass"]


def labelled(label: str, value: object) -> str:
    """"label: value", with Chinese's full-width colon in Chinese."""
    return f"{label}：{value}" if chinese() else f"{label}: {value}"


def action_text(action: str, policy: Policy | None = None) -> str:
    """An action's words. A revised policy may name an action this build does not know:
    then the policy's own text in the current language stands."""
    if action in ACTIONS:
        return tr(ACTIONS[action])
    if policy is not None and action in policy.actions:
        a = policy.actions[action]
        return a.zh if chinese() else a.en
    return action


def reason_text(code: int) -> str:
    return tr(REASONS.get(code, OTHER_REASON))


def error_text(code: str) -> str:
    return tr(ERRORS.get(code, ERRORS["CLAIMS_INVALID"]))


def ui(key: str, **values: object) -> str:
    text = tr(UI[key])
    return text.format(**values) if values else text


def catalog() -> list[str]:
    """Every source text, for the completeness test and the .ts generator."""
    groups: list[Mapping[Any, str]] = [
        ACTIONS, HEADLINES, INSTRUCTIONS, VISITOR_CUES, SPOKEN, ERRORS, REASONS, MANUAL_REASONS, DOC_TYPES, COLORS,
        CAMERA_STATES, FRESHNESS, SYNC_STATES, SOUND_STATES, DEVICE_PROBLEMS, SETTING_LABELS, VENUE_TYPES, UI,
        SOURCES, CARD_REJECTIONS, ID_PROBLEMS, *SETTING_CHOICES.values()]
    return [OTHER_REASON, GO_IN, NO_ENTRY, CARD_UNREAD, *(t for g in groups for t in g.values())]
