"""Typed settings: defaults, ranges, atomic storage; the admin PIN hash and lockout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st


def test_defaults_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    assert st.load(path) == st.Settings()
    custom = st.Settings(checkpoint_id="TY-XD-0001", venue_type="mall", sync_interval_s=60, language="en")
    st.save(path, custom)
    assert st.load(path) == custom
    assert not list(tmp_path.glob("*.tmp"))


def test_bad_values_fall_back_to_defaults(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"sync_interval_s": 5, "venue_type": "moon", "kiosk": "yes", "language": "en",
                                "sound_volume": 50.0, "mystery": 1}))
    s = st.load(path)
    assert (s.sync_interval_s, s.venue_type, s.kiosk, s.language, s.sound_volume) == (300, "office_building",
                                                                                      False, "en", 50)
    assert "mystery" in caplog.text and "outside" in caplog.text
    path.write_text("{not json")
    assert st.load(path) == st.Settings()


def test_check_value_names_the_problem() -> None:
    with pytest.raises(ValueError, match="outside"):
        st.check_value("timeout_pass_s", 0.1)
    assert st.check_value("timeout_pass_s", 5) == 5.0
    with pytest.raises(ValueError, match="one of"):
        st.check_value("gate_kind", "laser")


def test_hardware_fields_for_the_kiosk_helper() -> None:
    s = st.Settings()
    assert (s.kiosk, s.camera, s.thermometer_protocol, s.gate_kind, s.gate_serial_command, s.log_level) == (
        False, "0", "line", "none", "OPEN\r\n", "INFO")


def test_pin_hash_is_salted_and_verifies() -> None:
    a, b = st.hash_pin("2468"), st.hash_pin("2468")
    assert a != b and a.startswith("scrypt$")
    assert st.verify_pin("2468", a) and not st.verify_pin("2469", a) and not st.verify_pin("2468", "garbage")


def test_lockout_after_repeated_failures_survives_restart(tmp_path: Path) -> None:
    now = [1000.0]
    stored = st.hash_pin("2468")
    guard = st.PinGuard(tmp_path / "pin.json", lambda: now[0])
    for left in range(st.MAX_FAILURES - 1, 0, -1):
        assert guard.check("0000", stored).failures_left == left
    locked = guard.check("0000", stored)
    assert not locked.ok and locked.locked_until == 1000 + st.FIRST_LOCKOUT_S
    again = st.PinGuard(tmp_path / "pin.json", lambda: now[0])
    assert not again.check("2468", stored).ok  # even the right PIN, while locked
    now[0] += st.FIRST_LOCKOUT_S
    assert again.check("2468", stored).ok
