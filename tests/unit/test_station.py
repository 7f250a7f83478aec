"""One way from settings to the Station that signs the events (core.events.station_from):
the window's settings file, read by the window and, through core.configuration, by the
command line; a settings file still at its placeholders names no station."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st
from checkpoint_app.core.configuration import NoStationError, load_configuration
from checkpoint_app.core.events import Station, station_from
from checkpoint_app.core.settings import Settings


def test_from_the_window_settings() -> None:
    s = Settings(checkpoint_id="TY-XD-0009", venue_id="140105-mall-1", venue_type="mall", operator="guard-2")
    assert station_from(lambda name: getattr(s, name)) == Station("TY-XD-0009", "140105-mall-1", "mall", "guard-2")
    d = Settings()
    assert station_from(lambda name: getattr(d, name)) == Station("CP-0001", "venue-0001", "office_building", "")


def test_the_command_line_reads_the_same_file_as_the_window(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    st.save(path, Settings(checkpoint_id="TY-XD-0009", venue_id="140105-hospital-2", venue_type="hospital",
                           operator="guard-2"))
    config = load_configuration(path)
    window = st.load(path)
    assert config.station == station_from(lambda name: getattr(window, name))
    assert config.require_station() == Station("TY-XD-0009", "140105-hospital-2", "hospital", "guard-2")
    assert config.checkpoint_id() == "TY-XD-0009" and config.problems == ()


@pytest.mark.parametrize("written", [None, {}, {"language": "en"}, {"checkpoint_id": "TY-XD-0009"},
                                     {"venue_id": "140105-hospital-2", "venue_type": "hospital"},
                                     {"checkpoint_id": "", "venue_id": "140105-hospital-2"}])
def test_a_file_without_a_checkpoint_and_a_venue_names_no_station(tmp_path: Path, written: dict[str, str] | None
                                                                  ) -> None:
    """Missing, the window's first-start file (every placeholder written out), or half set up."""
    path = tmp_path / "settings.json"
    if written is not None:
        st.save(path, Settings(**written))  # type: ignore[arg-type]
    config = load_configuration(path)
    assert not config.names_station()
    with pytest.raises(NoStationError, match=f"no station configured in {path}"):
        config.require_station()


def test_an_unusable_file_or_value_is_a_problem_and_the_default_stands(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    config = load_configuration(path)
    assert config.settings == Settings() and len(config.problems) == 1 and "unusable" in config.problems[0]
    path.write_text(json.dumps({"checkpoint_id": "TY-XD-0009", "venue_id": "v", "venue_type": "hopsital"}))
    config = load_configuration(path)
    assert config.station.venue_type == "office_building"  # as the window would: the default, said aloud
    assert [p for p in config.problems if "hopsital" in p and "venue_type" in p]
