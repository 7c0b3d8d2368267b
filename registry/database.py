"""The registry's database: an engine for SQLite or PostgreSQL, Alembic migrations, and one
transaction per request that retries when PostgreSQL reports a serialization conflict.

SQLite (the embedded default) takes its write lock at BEGIN (BEGIN IMMEDIATE), so two
writers never both read then both write. PostgreSQL runs READ COMMITTED, and an act holds
an advisory lock on each patient it reads (registry.ledger), so two requests on one patient
take turns; the change feed's rows are written under one more lock so their numbers follow
commit order. A deadlock or serialization failure is retried from the start.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from local_store.file_modes import make_database_private

MIGRATIONS = Path(__file__).parent / "migrations"
_RETRIES = 8
_READONLY = "registry_readonly"
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        _make_sqlite_file_private(url)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20
        )

        @event.listens_for(engine, "connect")
        def _sqlite_setup(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            # Reads take no lock; a write takes the database's write lock at once.
            readonly = conn.get_execution_options().get(_READONLY, False)
            if readonly:
                conn.exec_driver_sql("BEGIN")
            else:
                _begin_immediate(conn)

        _WRITE_LOCKS[engine] = threading.Lock()
        return engine
    # No pre-ping (a round trip before every transaction, a twentieth of an RDA's): a
    # connection the server dropped (a restart, a failover) fails its transaction's first
    # statement, and run_in_transaction starts that transaction again on a fresh one.
    return create_engine(url, isolation_level="READ COMMITTED", pool_size=20, max_overflow=20)


# Another worker process holds the write lock: ask again at once and often. SQLite's own busy
# handler sleeps up to 100 ms between tries, which a lock held for a millisecond turns into
# a 100 ms wait at the tail (this process's own writers queue on a mutex first).
_LOCK_POLL_S = 0.0005
_LOCK_WAIT_S = 30.0


def _begin_immediate(conn: Connection) -> None:
    raw = conn.connection.driver_connection
    assert raw is not None
    deadline = time.monotonic() + _LOCK_WAIT_S
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except Exception as error:  # sqlite3.OperationalError: database is locked
                if "locked" not in str(error).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(_LOCK_POLL_S)
    finally:
        raw.execute("PRAGMA busy_timeout=30000")


def shown_url(url: str) -> str:
    """A database URL as the registry says it to its operator: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None: PostgreSQL, in memory, or a file: URI)."""
    if not url.startswith("sqlite"):
        return None
    name = make_url(url).database
    if name and name != ":memory:" and not name.startswith("file:"):
        return Path(name)
    return None


def _make_sqlite_file_private(url: str) -> None:
    """The registry's database holds every patient: 0600 wherever it is, before SQLite opens
    it (its -wal and -shm then get the same mode)."""
    path = sqlite_file(url)
    if path is not None:
        make_database_private(path)


def _retryable(error: DBAPIError, *, committing: bool, replayable: bool) -> bool:
    if error.connection_invalidated:
        # The server ended the connection (SQLAlchemy has dropped the pool's others too).
        # Before the COMMIT, the transaction rolled back with it: start again. During the
        # COMMIT it may have committed just before: only a transaction that is safe to run
        # twice starts again (a read; a POST, whose retry finds its Idempotency-Key done
        # and replays the answer). Another (a sign-in, a token refresh, a password change)
        # is answered as a failure rather than done twice.
        return not committing or replayable
    code = getattr(error.orig, "sqlstate", None)
    if code in ("40001", "40P01"):  # serialization failure, deadlock: nothing committed
        return True
    return isinstance(error, OperationalError) and "locked" in str(error.orig).lower()


@contextlib.contextmanager
def transaction(engine: Engine, *, readonly: bool = False) -> Iterator[Connection]:
    """One transaction. On SQLite, this process's writers queue on a lock first: waiting on
    a mutex is prompt, where SQLite's own busy wait sleeps up to 100 ms between tries."""
    lock = None if readonly else _WRITE_LOCKS.get(engine)
    if lock is not None:
        lock.acquire()
    try:
        with engine.connect() as conn:
            if readonly:
                conn = conn.execution_options(**{_READONLY: True})
            with conn.begin():
                yield conn
    finally:
        if lock is not None:
            lock.release()


def run_in_transaction(
    engine: Engine, body: Any, *, readonly: bool = False, replayable: bool = False
) -> Any:
    """Run body(conn) in one transaction, again from the start after a serialization
    conflict or a dropped connection (PostgreSQL) or a busy database (SQLite), a few times
    with a short backoff. `replayable`: running it twice does no harm (it is keyed), so a
    connection lost during its COMMIT starts it again too (see `_retryable`)."""
    for attempt in range(_RETRIES):
        committing = False
        try:
            with transaction(engine, readonly=readonly) as conn:
                result = body(conn)
                committing = True  # what fails from here on is the COMMIT
            return result
        except DBAPIError as error:
            again = _retryable(error, committing=committing, replayable=replayable or readonly)
            if attempt == _RETRIES - 1 or not again:
                raise
            time.sleep(0.005 * 2**attempt)
    raise AssertionError("unreachable")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (a fresh one is created from nothing)."""
    config = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("SELECT 1")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
