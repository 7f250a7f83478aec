"""The authority's database (SQLAlchemy Core): SQLite by default, PostgreSQL by URL.

Core rather than the ORM: the status log is a numbered append-only table read in
ranges, which plain SQL says best, and the same statements run on both databases."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    create_engine,
    event,
    select,
)
from sqlalchemy.exc import IntegrityError

metadata = MetaData()

# seq is assigned by the application under the `head` row lock (see statuslog.py), so
# that sequence numbers become visible in commit order on PostgreSQL as on SQLite. On SQLite
# it is an INTEGER primary key, i.e. the rowid (64 bits as well): one B-tree fewer to write at
# every append and to read through for every page.
status_log = Table(
    "status_log", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("hid", LargeBinary(16), nullable=False, index=True),
    Column("color", SmallInteger, nullable=False),
    Column("reasons", String(200), nullable=False),  # "103,201": portable and small
    Column("effective_at", BigInteger, nullable=False),
)

# Scheduled changes (spec 4.3 "effect time"): held here until their effective_at, then
# appended to the log, which gives them their seq; at most one per person.
pending_status = Table(
    "pending_status", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hid", LargeBinary(16), nullable=False, index=True),
    Column("color", SmallInteger, nullable=False),
    Column("reasons", String(200), nullable=False),
    Column("effective_at", BigInteger, nullable=False, index=True),
)

# head, horizon (statuslog.py); epoch, the 8 bytes naming this life of the log as a signed
# 64-bit integer, and floor:<kind>, the serial a newly published document must exceed
# (epoch.py); generation, raised by every compaction, which changes full pages (pagecache.py);
# checkpoints, raised whenever a token is added or revoked (tokens.py).
counters = Table(
    "counters", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# Status files imported (bulk.py), by the SHA-256 of their content: how many of their changes
# are applied, so that running a file again applies nothing twice and an interrupted import
# goes on where it stopped.
status_imports = Table(
    "status_imports", metadata,
    Column("digest", String(64), primary_key=True),
    Column("rows", BigInteger, nullable=False),
    Column("done", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("kind", String(32), primary_key=True),
    Column("serial", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
)

checkpoints = Table(
    "checkpoints", metadata,
    Column("checkpoint_id", String(64), primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
)

# Lookup by identity document (spec 5.1, lookup.py). `doc_key` is a keyed hash of the document
# type and number (the hid secret, another domain than the hid): the number is never kept, nor
# a plain hash of it, which an 18-digit number with a known birth date would give away.
identities = Table(
    "identities", metadata,
    Column("doc_key", LargeBinary(32), primary_key=True),
    Column("hid", LargeBinary(16), nullable=False),
    Column("name", String(64), nullable=False),  # masked by the platform, as in a code
    Column("iss", String(6), nullable=False),
    Column("registered_at", BigInteger, nullable=False),
)

# One row per answered lookup: which checkpoint asked and when, nothing about whom. Also the
# rate limit's counter, so that it holds across the server's worker processes.
lookups = Table(
    "lookups", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("checkpoint_id", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),
    Index("lookups_by_checkpoint", "checkpoint_id", "at"),
)

scans = Table(
    "scans", metadata,
    Column("event_id", String(64), primary_key=True),
    Column("checkpoint_id", String(64), nullable=False),
    Column("ts", BigInteger, nullable=False, index=True),
    Column("day", String(10), nullable=False),
    Column("region", String(6), nullable=False),
    Column("venue_type", String(32), nullable=False),
    Column("color", String(8), nullable=False),
    Column("action", String(64), nullable=False),
    Column("fever", Boolean, nullable=True),
    Column("allow", Boolean, nullable=False),
    Column("body", Text, nullable=False),  # the event as received: hid pseudonym only
)

# Counts kept up to date at ingest (rollup.py), so that the dashboard never scans `scans`:
# one row per (hour or day, county code, facet, value), e.g. (…, "140105", "color", "red").
scan_counts_hour = Table(
    "scan_counts_hour", metadata,
    Column("hour", BigInteger, primary_key=True),  # Unix time of the hour's start
    Column("region", String(6), primary_key=True),
    Column("facet", String(8), primary_key=True),
    Column("value", String(64), primary_key=True),
    Column("n", BigInteger, nullable=False),
    sqlite_with_rowid=False,  # SQLite keeps the rows in key order: a period's rows are read in one range
)

scan_counts_day = Table(
    "scan_counts_day", metadata,
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD in China time, as scans.day
    Column("region", String(6), primary_key=True),
    Column("facet", String(8), primary_key=True),
    Column("value", String(64), primary_key=True),
    Column("n", BigInteger, nullable=False),
    sqlite_with_rowid=False,  # SQLite keeps the rows in key order: a period's rows are read in one range
)

# The fleet view (fleet.py): what each checkpoint last told us, written at most once a minute.
checkpoint_health = Table(
    "checkpoint_health", metadata,
    Column("checkpoint_id", String(64), primary_key=True),
    Column("venue_id", String(64), nullable=True),
    Column("venue_type", String(32), nullable=True),
    Column("region", String(6), nullable=True),
    Column("version", String(32), nullable=True),
    Column("clock_offset", BigInteger, nullable=True),  # its clock minus ours at the request, seconds
    Column("waiting", BigInteger, nullable=True),
    Column("last_seen", BigInteger, nullable=True),
    Column("last_sync", BigInteger, nullable=True),
    Column("last_upload", BigInteger, nullable=True),
    Column("revoked_at", BigInteger, nullable=True),
)

# Dashboard accounts and server-side sessions (dashboard/auth.py); only hashes are kept.
admin_users = Table(
    "admin_users", metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

admin_sessions = Table(
    "admin_sessions", metadata,
    Column("sid_sha256", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA busy_timeout = 10000")
    # 64 MiB of page cache (default 2 MiB): the hid index of a million people is 40 MiB, and
    # with 2 MiB each insert into it (an import, a status change) waited for the disk.
    cur.execute("PRAGMA cache_size = -65536")
    cur.close()


def random_epoch() -> int:
    return int.from_bytes(os.urandom(8), "big", signed=True)


def make_engine(url: str) -> Engine:
    """An engine with the schema created; SQLite files get WAL so pages are served while writing.
    A new database starts a new epoch of the log."""
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        _create_sqlite(engine)
        return engine
    metadata.create_all(engine)
    for name, value in _first_counters():
        try:
            with engine.begin() as conn:
                _add_counter(conn, name, value)
        except IntegrityError:  # another process starting on the same new database was first
            pass
    return engine


def _create_sqlite(engine: Engine) -> None:
    """The schema and its counters in one transaction: all or nothing. pysqlite commits each
    CREATE on its own, so a start stopped halfway (Ctrl-C, a kill) left some tables, or a table
    without its index, which create_all then skipped for good (such a file is completed here). The write lock
    taken at once also makes a second process starting on the same new file wait, then find
    everything made. A complete database (every start but the first) takes no lock."""
    with engine.connect() as conn:
        if _sqlite_complete(conn):
            return
        conn.rollback()
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        metadata.create_all(conn)
        for index in (i for t in metadata.sorted_tables for i in t.indexes):
            index.create(conn, checkfirst=True)  # create_all skips those of a table that exists
        for name, value in _first_counters():
            _add_counter(conn, name, value)
        conn.commit()


def _sqlite_complete(conn: Connection) -> bool:
    names = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    wanted = {t.name for t in metadata.sorted_tables} | {str(i.name) for t in metadata.sorted_tables for i in t.indexes}
    if not wanted <= names:
        return False
    held = {row[0] for row in conn.execute(select(counters.c.name))}
    return {name for name, _ in _first_counters()} <= held


def _first_counters() -> tuple[tuple[str, int], ...]:
    return (("head", 0), ("horizon", 0), ("epoch", random_epoch()), ("floor:trust-list", 0), ("floor:policy", 0),
            ("generation", 0), ("checkpoints", 0))


def _add_counter(conn: Connection, name: str, value: int) -> None:
    if conn.execute(counters.select().where(counters.c.name == name)).first() is None:
        conn.execute(counters.insert().values(name=name, value=value))


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one state of the database.

    Without it each statement sees the latest commit (SQLite's driver runs a SELECT outside
    any transaction, PostgreSQL reads committed): a page could read the horizon before a
    compaction and the rows after it, and miss a removal without being a reset."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")  # a read transaction: WAL keeps its snapshot
        else:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield conn
        finally:
            conn.rollback()


def bump(conn: Connection, name: str) -> None:
    """Raise a counter by one (generation, checkpoints), inside the caller's transaction."""
    conn.execute(counters.update().where(counters.c.name == name).values(value=counters.c.value + 1))
