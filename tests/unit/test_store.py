"""The SQLite store: packing, migrations, pages applied whole, documents re-verified,
the outbox, settings, thread ownership and recovery of a damaged file."""

from __future__ import annotations

import itertools
import sqlite3
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkpoint_app.authority.keys import generate_key, load_private_key
from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.codes.signature import load_public_pem
from checkpoint_app.core.errors import DocumentError
from checkpoint_app.core.status import StatusEntry
from checkpoint_app.core.status_pages import Entry, StatusPage
from checkpoint_app.core.store import NotSyncedError, Store, StoredDocument, StoreError
from checkpoint_app.core.store.packing import pack, unpack
from checkpoint_app.core.store.schema import SCHEMA_VERSION
from checkpoint_app.demo.people import demo_keys_dir
from checkpoint_app.resources import resource
from tests.support.events import scan_event

H1, H2 = b"\x01" * 16, b"\x02" * 16
EPOCH = b"\x0e" * 8


def _page(since: int, to: int, more: bool, reset: bool, entries: tuple[Entry, ...], at: int = 1000,
         epoch: bytes = EPOCH) -> StatusPage:
    return StatusPage(since, to, more, reset, entries, at, epoch, 1, 1)
PUB = load_public_pem((demo_keys_dir() / "distribution.pub.pem").read_bytes())


@given(st.sampled_from(list(Color)), st.lists(st.integers(min_value=0, max_value=2**40), max_size=6))
def test_pack_round_trips_any_reasons(color: Color, reasons: list[int]) -> None:
    assert unpack(pack(color, tuple(reasons))) == (color, tuple(reasons))


def test_common_values_pack_into_small_integers() -> None:
    assert pack(0, (301,)) == 302 << 2 and pack(2, (103,)) == 418 and isinstance(pack(1, (1, 2, 3, 4)), bytes)


def test_open_creates_migrates_and_refuses_a_newer_schema(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        assert s.path == tmp_path / "checkpoint.sqlite3"
    conn = sqlite3.connect(tmp_path / "checkpoint.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this program"):
        Store.open(tmp_path)


def test_pages_apply_in_order_and_a_page_off_the_cursor_changes_nothing(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 3, False, False, ((H1, 2, (103,), 10, 1), (H2, 0, (301,), 10, 3))))
        assert s.lookup(H1) == StatusEntry(Color.RED, (103,), 10) and s.cursor() == 3
        with pytest.raises(StoreError, match="not at the cursor 3"):
            s.apply_status_page(_page(5, 6, False, False, ((H1, 0, (), 11, 6),)))
        assert s.lookup(H1) is not None and s.cursor() == 3
        # Within one page the later entry for a person wins, removal or not.
        s.apply_status_page(_page(3, 6, False, False, ((H1, 0, (), 11, 4), (H1, 1, (201,), 12, 5),
                                                            (H2, 0, (), 12, 6))))
        assert s.lookup(H1) == StatusEntry(Color.YELLOW, (201,), 12) and s.lookup(H2) is None


def test_a_first_sync_is_staged_then_built_with_the_newest_row_per_person(tmp_path: Path) -> None:
    h3 = b"\x03" * 16
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 3, True, False, ((H1, 2, (103,), 10, 1), (H2, 1, (), 10, 2),
                                                           (h3, 1, (), 10, 3))))
        assert s.lookup(H1) is None and s.cursor() == 0 and s.resume_point() == 3
        assert s.abandon_rebuild(keep_first_sync=True) is False and s.resume_point() == 3
        s.apply_status_page(_page(3, 6, False, False, ((H1, 0, (), 11, 4), (H2, 2, (101,), 11, 5),
                                                            (H1, 0, (301,), 12, 6))))
        assert s.cursor() == 6 and s.cache_size() == 3
        assert s.lookup(H1) == StatusEntry(Color.GREEN, (301,), 12)
        assert s.lookup(H2) == StatusEntry(Color.RED, (101,), 11) and s.lookup(h3) is not None


def test_a_reset_rebuilds_beside_the_live_cache(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 1, False, False, ((H1, 2, (103,), 10, 1),)))
        s.apply_status_page(_page(0, 5, True, True, ((H2, 1, (), 10, 5),)))
        assert s.lookup(H1) is not None and s.lookup(H2) is None and s.cursor() == 1  # old cache in use
        assert s.abandon_rebuild() is True
        s.apply_status_page(_page(0, 5, True, True, ((H2, 1, (), 10, 5),)))
        s.apply_status_page(_page(5, 9, False, False, ((H2, 2, (), 10, 9),)))
        assert s.lookup(H1) is None and s.lookup(H2) == StatusEntry(Color.RED, (), 10) and s.cursor() == 9
    conn = sqlite3.connect(tmp_path / "checkpoint.sqlite3")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"status", "documents", "state", "settings", "events"}  # no staging or old table left
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0


def _doc(kind: str, serial: int, key: object = None) -> StoredDocument:
    import json

    from checkpoint_app.authority.documents import sign_json

    signer = key or load_private_key(demo_keys_dir() / "distribution.pem")
    if kind == "policy":
        body = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    else:
        body = {"type": "trust-list", "serial": serial, "issued_at": 1, "issuers": []}
    return StoredDocument(kind, serial, sign_json(signer, body | {"serial": serial}))  # type: ignore[arg-type]


def test_documents_refuse_rollback_and_are_verified_at_every_load(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        with pytest.raises(NotSyncedError, match="sync first"):
            s.load_context([PUB], "mall", 0)
        s.put_document(_doc("trust-list", 3), 0)
        s.put_document(_doc("policy", 2), 0)
        with pytest.raises(DocumentError, match="rollback"):
            s.put_document(_doc("policy", 1), 0)
        assert s.load_context([PUB], "mall", 0).policy.serial == 2
        with pytest.raises(StoreError, match="no longer verifies"):
            s.load_context([generate_key().public_key()], "mall", 0)
        s.put_document(_doc("policy", 4, generate_key()), 0)  # bytes changed behind the checks
        with pytest.raises(StoreError, match="no longer verifies"):
            s.load_context([PUB], "mall", 0)


def test_events_are_durable_ordered_and_sent_once(tmp_path: Path) -> None:
    events = [scan_event(ts) for ts in (30, 10, 20)]
    with Store.open(tmp_path) as s:
        for e in events:
            s.record_event(e)
        s.record_event(events[0])  # a retried write does not duplicate
    with Store.open(tmp_path) as s:
        assert s.pending_count() == 3
        assert [e.ts for e in s.pending_events()] == [10, 20, 30]
        assert s.pending_events()[0] == events[1]
        assert s.mark_sent([events[1].event_id, "unknown"], 40) == 1
        assert s.pending_count() == 2 and [e.ts for e in s.events_between(10, 30)] == [10, 20]


def test_settings_round_trip_json(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        assert s.get_setting("server_url") is None and s.get_setting("x", 5) == 5
        s.set_setting("root_keys_pem", ["a", "b"])
    with Store.open(tmp_path) as s:
        assert s.get_setting("root_keys_pem") == ["a", "b"]


def test_only_the_opening_thread_may_use_the_store(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with Store.open(tmp_path) as s:
        def other() -> None:
            try:
                s.lookup(H1)
            except BaseException as exc:
                errors.append(exc)

        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert len(errors) == 1 and isinstance(errors[0], sqlite3.ProgrammingError)


def test_a_damaged_file_is_moved_aside_and_the_outbox_salvaged(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        s.record_event(scan_event(5))
        s.set_setting("server_url", "http://x")
        s.apply_status_page(_page(0, 1, False, False, ((H1, 2, (103,), 10, 1),)))
    path = tmp_path / "checkpoint.sqlite3"
    data = bytearray(path.read_bytes())
    page = 4096
    # Scribble over the last page (the status table is created first, so its root survives
    # while a later page of the events' indexes is damaged), keeping the header valid.
    data[-page + 8: -page + 200] = b"\xff" * 192
    path.write_bytes(bytes(data))
    with Store.open(tmp_path) as s:
        assert s.recovered_from is not None and s.recovered_from.exists()
        assert s.get_setting("server_url") == "http://x"
        assert s.pending_count() == 1 and s.cursor() == 0  # the cache comes back with the next sync


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    # Only the integrity check may move a store aside; "not a database" is no such report
    # (it may be a file the user put there), so the file stays, untouched.
    (tmp_path / "checkpoint.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not an SQLite database"):
        Store.open(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.sqlite3"]
    assert (tmp_path / "checkpoint.sqlite3").read_bytes() == b"this is not sqlite" * 100


def test_the_build_writes_in_short_transactions_that_let_other_writers_in(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from checkpoint_app.core.store import build

    original = build._newest_rows
    recorded: list[int] = []

    def between_batches(path: Path, writer: bytes):  # type: ignore[no-untyped-def]
        for batch in original(path, writer):
            yield batch
            # Another writer (the window's scan events) gets the lock at once between batches.
            other = sqlite3.connect(path, timeout=0)
            other.execute("INSERT INTO settings (key, value) VALUES (?, '1')", (f"probe{len(recorded)}",))
            other.commit()
            other.close()
            recorded.append(len(batch))

    monkeypatch.setattr(build, "BATCH", 2)
    monkeypatch.setattr(build, "_newest_rows", between_batches)
    people = [bytes([i]) * 16 for i in range(1, 8)]
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 7, False, False, tuple((h, 1, (204,), 5, i + 1)
                                                                 for i, h in enumerate(people))))
        assert recorded == [2, 2, 2, 1] and s.cache_size() == 7 and s.cursor() == 7
        assert s.get_setting("probe3") == 1


def test_garbage_tables_are_cleared_in_short_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checkpoint_app.core.store import build

    monkeypatch.setattr(build, "CLEAR_BATCH", 3)
    people = [bytes([i]) * 16 for i in range(1, 11)]
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 10, False, False, tuple((h, 1, (), 5, i + 1) for i, h in enumerate(people))))
        statements: list[str] = []
        s._conn.set_trace_callback(statements.append)
        s.apply_status_page(_page(0, 20, False, True, ((people[0], 2, (), 6, 20),)))
        s._conn.set_trace_callback(None)
        assert s.cache_size() == 1
    deletes = [q for q in statements if q.startswith("DELETE FROM status_old")]
    assert len(deletes) == 5  # 10 old rows, 3 per transaction, then an empty step


def test_a_replaced_cache_gives_its_space_back_in_short_steps_with_writers_between(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Giving back the file pages of the replaced table and of the staged rows moves pages
    (the new table's, written last) into free ones further up, 0.1-0.3 ms each at 10 M rows:
    each step holds the write lock for at most VACUUM_STEP pages (256 held it 60-90 ms during
    a 10 M rebuild, bench/store_bench.py), and another writer gets in between any two."""
    from checkpoint_app.core.store import build

    path = tmp_path / "checkpoint.sqlite3"
    free_before_step: list[int] = []

    def between_steps() -> None:
        other = sqlite3.connect(path, timeout=0)  # "database is locked" if a step were still open
        try:
            if sys._getframe(1).f_code.co_name == "give_back_free_pages":
                free_before_step.append(other.execute("PRAGMA freelist_count").fetchone()[0])
            other.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('probe', ?)", (len(free_before_step),))
            other.commit()
        finally:
            other.close()

    monkeypatch.setattr(build, "step_aside", between_steps)
    people = [i.to_bytes(16, "big") for i in range(1, 20_001)]
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 20_000, False, False, tuple((h, 1, (), 5, i + 1) for i, h in enumerate(people))))
        free_before_step.clear()
        s.apply_status_page(_page(0, 30_000, False, True, tuple((h, 2, (103,), 6, i + 1)
                                                               for i, h in enumerate(people))))
        assert s.cache_size() == 20_000 and s.lookup(people[-1]) == StatusEntry(Color.RED, (103,), 6)
        assert s.get_setting("probe") == len(free_before_step)
    steps = [a - b for a, b in itertools.pairwise(free_before_step)]
    assert free_before_step[0] > 256  # the pages of two tables of 20,000 rows
    assert len(steps) >= 8 and max(steps) <= 32
    assert sqlite3.connect(path).execute("PRAGMA freelist_count").fetchone()[0] == 0


def test_last_at_and_epoch_move_with_the_live_cache_only(tmp_path: Path) -> None:
    other = b"\x0f" * 8
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 1, False, False, ((H1, 2, (103,), 10, 1),), at=500))
        assert s.sync_times().last_at == 500 and s.expected_epoch() == EPOCH
        s.apply_status_page(_page(1, 2, False, False, ((H2, 1, (), 10, 2),), at=400))  # a replayed old page
        assert s.sync_times().last_at == 500  # never moves back
        # A full page was signed while more of the log existed: it says nothing of completeness.
        s.apply_status_page(_page(2, 2, True, False, (), at=550))
        assert s.sync_times().last_at == 500
        with pytest.raises(StoreError, match="epoch"):
            s.apply_status_page(_page(2, 3, False, False, ((H2, 2, (), 10, 3),), at=600, epoch=other))
        assert s.cursor() == 2 and s.sync_times().last_at == 500
        # A rebuild of another epoch: staged pages move neither time nor epoch until the swap.
        s.apply_status_page(_page(0, 5, True, True, ((H2, 1, (), 10, 5),), at=700, epoch=other))
        assert s.sync_times().last_at == 500 and s.expected_epoch() == EPOCH and s.lookup(H1) is not None
        s.apply_status_page(_page(5, 6, False, False, ((H1, 1, (), 10, 6),), at=800, epoch=other))
        assert s.sync_times().last_at == 800 and s.expected_epoch() == other and s.cursor() == 6


def test_an_interrupted_first_sync_keeps_its_epoch_and_no_time(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 3, True, False, ((H1, 2, (103,), 10, 1),), at=900))
        assert s.sync_times().last_at is None and s.expected_epoch() == EPOCH and s.resume_point() == 3
        with pytest.raises(StoreError, match="epoch"):
            s.apply_status_page(_page(3, 4, False, False, (), epoch=b"\x01" * 8))
        assert s.resume_point() == 3


def test_retention_counts_from_last_at_and_never_deletes_a_queued_event(tmp_path: Path) -> None:
    day = 86400
    last_at = 100 * day
    with Store.open(tmp_path) as s:
        old_sent, old_queued = scan_event(last_at - 29 * day), scan_event(last_at - 90 * day)
        recent_sent = scan_event(last_at - day)
        for e in (old_sent, old_queued, recent_sent):
            s.record_event(e)
        s.mark_sent([old_sent.event_id, recent_sent.event_id], last_at)
        assert s.purge() == 0  # no platform time yet: nothing is old
        s.apply_status_page(_page(0, 1, False, False, ((H1, 2, (103,), 10, 1),), at=last_at))
        assert s.purge() == 1
        kept = {e.event_id for e in s.events_between(0, 2**40)}
        assert kept == {old_queued.event_id, recent_sent.event_id} and s.pending_count() == 1
