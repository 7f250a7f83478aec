"""Typed, versioned settings: one schema with defaults, ranges and descriptions; atomic
JSON storage; the admin PIN's salted slow hash and its lockout. Qt-free, so the CLI,
the kiosk helper and the tests read the same settings as the window.

The settings dialog is generated from `SCHEMA`; labels are translated by the GUI from
the field names, the descriptions here are for logs and developers."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from checkpoint_app.core.rules.facts import VENUE_TYPES

log = logging.getLogger("checkpoint.settings")
VERSION = 1
LANGUAGES = ("zh_CN", "en")


def _f(default: Any, doc: str, *, lo: float | None = None, hi: float | None = None,
       choices: tuple[str, ...] | None = None, secret: bool = False, admin: bool = True) -> Any:
    meta = {"doc": doc, "lo": lo, "hi": hi, "choices": choices, "secret": secret, "admin": admin}
    return field(default=default, metadata=meta)


@dataclass(frozen=True, slots=True)
class Settings:
    version: int = _f(VERSION, "schema version, for migrations", admin=False)
    checkpoint_id: str = _f("CP-0001", "this checkpoint's id, sent with every upload (spec 5)")
    venue_id: str = _f("venue-0001", "the venue's id (spec 5)")
    venue_type: str = _f("office_building", "the venue type (spec 8)", choices=VENUE_TYPES)
    operator: str = _f("", "the guard on duty, sent with each event")
    server_url: str = _f("", "platform base URL; empty: no sync")
    token: str = _f("", "checkpoint bearer token", secret=True)
    root_keys: str = _f("", "pinned distribution public key PEM files, separated by ';'")
    camera: str = _f("0", "camera source: an index, a file, or rtsp://...")
    camera_exposure_control: bool = _f(True, "ask the camera for a shorter (longer) exposure while a code in view is "
                                             "burnt out (drowned); cameras without manual exposure are left alone")
    sync_interval_s: int = _f(300, "seconds between syncs", lo=30, hi=86400)
    language: str = _f("zh_CN", "user interface language", choices=LANGUAGES)
    timeout_pass_s: float = _f(3.0, "seconds a pass stays on screen", lo=1, hi=60)
    timeout_refused_s: float = _f(10.0, "seconds a yellow or invalid result stays", lo=2, hi=300)
    timeout_staff_s: float = _f(0.0, "seconds red, fever and cannot-verify stay; 0: until dismissed", lo=0, hi=3600)
    timeout_prompt_s: float = _f(60.0, "seconds a visit may wait at a prompt before it is abandoned", lo=10, hi=600)
    sound_volume: int = _f(80, "outcome tones' volume, percent; 0: none", lo=0, hi=100)
    speech_volume: int = _f(80, "spoken results' volume, percent, in the display language; 0: none", lo=0, hi=100)
    kiosk: bool = _f(False, "full screen and locked")
    visitor_screen: str = _f("auto", "the screen facing the queue: auto (a second screen if there is one), none, "
                                     "or the screen's number", choices=("auto", "none", "1", "2", "3", "4"))
    thermometer_port: str = _f("", "thermometer serial port; empty: keypad only")
    thermometer_protocol: str = _f("line", "thermometer protocol", choices=("line", "lu90614"))
    scanner_serial_port: str = _f("", "serial QR scanner port; empty: none")
    id_reader_serial_port: str = _f("", "resident ID card reader port (SAM protocol, 115200 baud); empty: none")
    gate_kind: str = _f("none", "gate relay", choices=("none", "serial", "http"))
    gate_serial_port: str = _f("", "gate relay serial port")
    gate_serial_command: str = _f("OPEN\r\n", "bytes sent to open the gate")
    gate_http_url: str = _f("", "URL posted to open the gate")
    log_level: str = _f("INFO", "log level", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    admin_pin: str = _f("", "salted scrypt hash of the admin PIN; empty: not set", admin=False)


SCHEMA = {f.name: f for f in fields(Settings)}
# Old versions' files are brought forward one step at a time: {from_version: function}.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def language_for_locale(name: str) -> str | None:
    """The window's language for a system locale ("zh_CN.UTF-8", "en_GB", "fr_FR"): Chinese
    for any Chinese locale, English for any other language; None for "C"/"POSIX" or nothing,
    which say no language (keep the default, Chinese)."""
    lang = name.split(".")[0].split("@")[0].replace("-", "_").lower()
    if not lang or lang in ("c", "posix"):
        return None
    return "zh_CN" if lang.split("_")[0] == "zh" else "en"


LANGUAGE_ARGS = {"zh": "zh_CN", "zh_CN": "zh_CN", "en": "en"}  # --lang


def check_value(name: str, value: Any) -> Any:
    """The value converted to the field's type, or ValueError naming what is wrong."""
    f = SCHEMA[name]
    kind: Any = type(f.default)
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name}: not true/false")
    elif kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
            raise ValueError(f"{name}: not a number")
        value = kind(value)
        lo, hi = f.metadata["lo"], f.metadata["hi"]
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ValueError(f"{name}: {value} is outside {lo}-{hi}")
    elif not isinstance(value, str):
        raise ValueError(f"{name}: not text")
    if name == "admin_pin" and value and not is_pin_hash(value):
        # A PIN typed into the file, or a hash cut short: nobody could ever leave the kiosk.
        raise ValueError("admin_pin: not a PIN hash (set the PIN with checkpoint-app set-pin)")
    choices = f.metadata["choices"]
    if choices is not None and value not in choices:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(choices)}")
    return value


def from_mapping(raw: Mapping[str, Any]) -> tuple[Settings, list[str]]:
    """Settings from a parsed file. A bad or unknown value never stops the checkpoint:
    it falls back to the default, and the problems are returned for the log."""
    data = dict(raw)
    version = data.get("version", VERSION)
    while isinstance(version, int) and version in MIGRATIONS:
        data = MIGRATIONS[version](data)
        version = data.get("version", VERSION)
    problems, values = [], {}
    for key, value in data.items():
        if key not in SCHEMA or key == "version":
            if key != "version":
                problems.append(f"{key}: unknown setting, ignored")
            continue
        try:
            values[key] = check_value(key, value)
        except ValueError as exc:
            problems.append(f"{exc}; using the default")
    return Settings(**values), problems


def to_mapping(s: Settings) -> dict[str, Any]:
    return dataclasses.asdict(s)


def load(path: Path) -> Settings:
    settings, broken, problems = load_checked(path)
    if broken is not None:
        log.warning("settings file %s unreadable (%s); using defaults", path, broken)
    for p in problems:
        log.warning("settings %s: %s", path, p)
    return settings


def load_checked(path: Path) -> tuple[Settings, str | None, list[str]]:
    """The settings; why the whole file is unusable (None if it is usable or missing: then
    the defaults stand); and the problems with single values (each replaced by its default)."""
    raw, broken = _read(path)
    if raw is None:
        return Settings(), broken, []
    settings, problems = from_mapping(raw)
    return settings, None, problems


def _read(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The file's JSON object, or None and why not (None for a missing file)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, exc.strerror or str(exc)
    except ValueError as exc:
        return None, f"not JSON: {exc}"
    return (raw, None) if isinstance(raw, dict) else (None, "not a JSON object")


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target, fsync, then rename over it: a crash leaves the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(path: Path, s: Settings) -> None:
    """Written atomically, readable by its owner only (it holds the PIN's hash and the token).
    A file there that is not usable settings is kept beside as <name>.broken, not lost."""
    if path.exists() and _read(path)[1] is not None:
        kept = path.with_name(path.name + ".broken")
        os.replace(path, kept)
        log.warning("settings file %s was unusable; kept as %s", path, kept)
    write_atomically(path, json.dumps(to_mapping(s), ensure_ascii=False, indent=1, sort_keys=True))


def protect(path: Path) -> bool:
    """Make the settings file its owner's alone; True if others could read or write it.
    A 4-8 digit PIN's hash is guessed offline in minutes by whoever can read it."""
    if os.name != "posix":
        return False
    try:
        mode = path.stat().st_mode
        if not mode & 0o077:
            return False
        path.chmod(mode & 0o700)
    except OSError:
        return False
    log.warning("settings file %s was open to other users (mode %o); now for its owner only", path, mode & 0o777)
    return True


# --- the admin PIN -------------------------------------------------------------------

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
PIN_DIGITS = (4, 8)


def check_pin_format(pin: str) -> str:
    """The PIN itself, or ValueError saying what a PIN must be (4-8 digits)."""
    lo, hi = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and lo <= len(pin) <= hi):
        raise ValueError(f"the admin PIN must be {lo}-{hi} digits")
    return pin


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def is_pin_hash(stored: str) -> bool:
    """Whether `stored` is a hash hash_pin() could have made (so verify_pin can ever say yes)."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or not all(p.isascii() and p.isdigit() for p in parts[1:4]):
        return False
    try:
        return len(bytes.fromhex(parts[4])) >= 8 and len(bytes.fromhex(parts[5])) == 32
    except ValueError:
        return False


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


# --- lockout: after repeated failures the PIN is refused for a while, doubling each time;
# the state lives in its own small file so that a restart does not reset the count.
MAX_FAILURES = 5
FIRST_LOCKOUT_S = 60.0
MAX_LOCKOUT_S = 3600.0


@dataclass(frozen=True, slots=True)
class PinResult:
    ok: bool
    locked_until: float | None = None  # set when the PIN is locked now (ok is then False)
    failures_left: int = MAX_FAILURES


class PinGuard:
    def __init__(self, state_path: Path, clock: Callable[[], float]) -> None:
        self.path = state_path
        self.clock = clock
        self.failures, self.lockouts, self.locked_until = 0, 0, 0.0
        try:
            raw = json.loads(state_path.read_text(encoding="utf-8"))
            self.failures = int(raw["failures"])
            self.lockouts = int(raw["lockouts"])
            self.locked_until = float(raw["locked_until"])
        except (OSError, ValueError, KeyError, TypeError):
            pass

    def locked(self) -> float | None:
        return self.locked_until if self.clock() < self.locked_until else None

    def check(self, pin: str, stored: str) -> PinResult:
        if (until := self.locked()) is not None:
            return PinResult(False, until, 0)
        if verify_pin(pin, stored):
            self.failures, self.lockouts = 0, 0
            self._save()
            return PinResult(True)
        self.failures += 1
        log.warning("admin PIN refused (%d of %d)", self.failures, MAX_FAILURES)
        if self.failures >= MAX_FAILURES:
            self.failures = 0
            self.locked_until = self.clock() + min(FIRST_LOCKOUT_S * 2**self.lockouts, MAX_LOCKOUT_S)
            self.lockouts += 1
            self._save()
            return PinResult(False, self.locked_until, 0)
        self._save()
        return PinResult(False, None, MAX_FAILURES - self.failures)

    def _save(self) -> None:
        state = {"failures": self.failures, "lockouts": self.lockouts, "locked_until": self.locked_until}
        try:
            write_atomically(self.path, json.dumps(state))
        except OSError as exc:  # a full disk or a read-only folder must not lock the admin out
            log.error("admin PIN lockout state not saved to %s (%s): it counts for this run only",
                      self.path, exc.strerror or exc)
