"""One way from settings to the Station that signs the events: the window's settings file
and what the data folder keeps for the command line (core.events.station_from)."""

from __future__ import annotations

from pathlib import Path

from checkpoint_app.core.events import UNNAMED_STATION, Station, station_from
from checkpoint_app.core.settings import Settings
from checkpoint_app.core.store.remembered import station
from checkpoint_app.core.store.store import Store


def test_from_the_window_settings() -> None:
    s = Settings(checkpoint_id="TY-XD-0009", venue_id="140105-mall-1", venue_type="mall", operator="guard-2")
    assert station_from(lambda name: getattr(s, name)) == Station("TY-XD-0009", "140105-mall-1", "mall", "guard-2")
    d = Settings()
    assert station_from(lambda name: getattr(d, name)) == Station("CP-0001", "venue-0001", "office_building", "")


def test_from_the_data_folder(tmp_path: Path) -> None:
    with Store.open(tmp_path / "cp") as store:
        assert station(store) == UNNAMED_STATION == Station("", "", "office_building", "")
        store.set_setting("venue_type", "hospital")
        store.set_setting("checkpoint_id", 7)  # whatever JSON an old version wrote: text
        assert station(store) == Station("7", "", "hospital", "")
