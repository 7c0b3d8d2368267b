"""One open SQLCipher database: the raw-key open, the pragmas, and transactions.

- The key is the 256-bit data key given as a raw hex key (`x'…'`), so opening pays no key
  derivation; the password's Argon2id cost is paid once, when the key is unwrapped.
- WAL with synchronous=FULL: a committed transaction survives a crash or power loss; the
  WAL file is encrypted like the database.
- temp_store=MEMORY: sorts and temporary tables never spill PHI into unencrypted temp files.
- No ANALYZE (nor `PRAGMA optimize`): sqlcipher3's SQLite is built with STAT4, and with
  STAT4 statistics every new value bound to an indexed parameter re-prepares the statement,
  which measured 3x slower per lookup. Our queries are simple enough that SQLite picks the
  right index without statistics.
- Every write happens inside `transaction()`, which commits everything or nothing and turns
  disk errors into `StoreWriteFailed` (the last committed state stays intact).
"""

from __future__ import annotations

import contextlib
import sqlite3  # only for `plain`: the benchmark's unencrypted floor
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlcipher3 import dbapi2

from local_store.errors import SessionLocked, StoreDamaged, StoreWriteFailed

CACHE_KIB = 65536  # decrypted pages cached in memory: reads of a warm roster decrypt nothing

_DISK_ERRORS = ("disk is full", "disk i/o error", "readonly", "read-only", "no space")


class Database:
    """A connection to the encrypted store and the account it acts for."""

    def __init__(self, connection: Any, path: Path | None) -> None:
        self.connection = connection
        self.path = path
        self.actor_id = ""  # the signed-in workstation account; written on every record
        self._depth = 0

    @classmethod
    def open(cls, path: Path, data_key: bytes, *, plain: bool = False) -> Database:
        """Open (or create) the store at `path`. `plain` opens an unencrypted SQLite file with
        the same settings: only the benchmark uses it, as the floor it measures against."""
        module: Any = sqlite3 if plain else sqlcipher3
        connection = module.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            if not plain:
                connection.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
            # The first read checks the key: a wrong one reports "file is not a database".
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            connection.execute("PRAGMA journal_mode = WAL").fetchone()
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA temp_store = MEMORY")
            connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            connection.execute("PRAGMA busy_timeout = 5000")
        except module.DatabaseError as exc:
            connection.close()
            raise StoreDamaged(
                f"The store at {path} cannot be opened with this workstation's key ({exc}). "
                "If it was copied from another computer, restore this computer's own store "
                "or a backup made on it."
            ) from exc
        return cls(connection, path)

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self._open().execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> Any:
        return self._open().executemany(sql, rows)

    def one(self, sql: str, params: Any = ()) -> Any:
        return self._open().execute(sql, params).fetchone()

    def _open(self) -> Any:
        if self.connection is None:
            raise SessionLocked()
        return self.connection

    def reopen(self, data_key: bytes) -> None:
        """After an idle lock: the same object (held by ledgers and views) opens again."""
        assert self.path is not None
        fresh = Database.open(self.path, data_key)
        self.connection = fresh.connection

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """All the writes inside commit together or not at all. Nested uses join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with _disk_errors_as_store_errors():
                self.connection.execute("BEGIN IMMEDIATE")
                try:
                    yield self
                    self.connection.execute("COMMIT")
                except BaseException:
                    if self.connection.in_transaction:
                        with contextlib.suppress(Exception):
                            self.connection.execute("ROLLBACK")
                    raise
        finally:
            self._depth = 0

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Database]:
        """One read transaction: every read inside sees the same committed state (WAL gives
        snapshot isolation), and statements skip taking the read lock one by one."""
        if self._depth:
            yield self
            return
        self._open().execute("BEGIN DEFERRED")
        self._depth = 1
        try:
            yield self
        finally:
            self._depth = 0
            if self.connection is not None and self.connection.in_transaction:
                self.connection.execute("COMMIT")

    def close(self) -> None:
        """Close the connection; the key it held goes with it."""
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
        self.connection = None


@contextlib.contextmanager
def _disk_errors_as_store_errors() -> Iterator[None]:
    try:
        yield
    except (dbapi2.OperationalError, dbapi2.DatabaseError) as exc:
        if any(text in str(exc).lower() for text in _DISK_ERRORS):
            raise StoreWriteFailed(str(exc)) from exc
        raise


def disk_errors() -> contextlib.AbstractContextManager[None]:
    """Wrap a write made outside `transaction()` (a schema migration, say)."""
    return _disk_errors_as_store_errors()
