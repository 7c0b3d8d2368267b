"""Running the registry: migrate the database, make the program's operator account, serve.

Workers are stateless (tokens, keys, the test clock and the feed all live in the database),
so `--workers N` runs N uvicorn processes on one port; on PostgreSQL, several machines can.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Connection, Engine

from app.records import Account
from app.roles import Role
from registry import auth
from registry.api import create_app
from registry.database import make_engine, migrate, run_in_transaction, shown_url, sqlite_url
from registry.ledger import SqlLedger
from registry.settings import Settings, check_test_clock

_ENV_DB = "CLOZAPINE_REGISTRY_DB"
_ENV_TEST_CLOCK = "CLOZAPINE_REGISTRY_TEST_CLOCK"
_ENV_HOST = "CLOZAPINE_REGISTRY_HOST"
_ENV_FAST_HASH = "CLOZAPINE_REGISTRY_FAST_HASH"
_ENV_ACT_THREADS = "CLOZAPINE_REGISTRY_ACT_THREADS"
# This deployment's contact numbers (Settings.contact_*), set by `registry serve --contact-*`.
_ENV_CONTACT = {
    "contact_phone": "CLOZAPINE_REGISTRY_CONTACT_PHONE",
    "contact_fax": "CLOZAPINE_REGISTRY_CONTACT_FAX",
    "contact_label": "CLOZAPINE_REGISTRY_CONTACT_LABEL",
}


def default_db_url() -> str:
    from local_store.paths import data_folder

    folder = data_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return sqlite_url(folder / "registry.db")


def prepare(settings: Settings) -> Engine:
    """The engine, with the schema migrated to the newest version."""
    engine = make_engine(settings.db_url)
    migrate(engine)
    return engine


def create_operator(engine: Engine, settings: Settings, email: str, password: str) -> str:
    """The program's own staff account (the Contact Center's role)."""

    def run(conn: Connection) -> str:
        account_id = f"operator-{email.strip().casefold()}"
        SqlLedger(conn, settings.now().isoformat()).save_account(
            Account(account_id, Role.PROGRAM_OPERATOR, "Contact Center")
        )
        auth.set_credentials(conn, settings, account_id, email, password)
        return account_id

    result: str = run_in_transaction(engine, run)
    return result


def _settings_from_env() -> Settings:
    settings = Settings(
        db_url=os.environ[_ENV_DB],
        test_clock=os.environ.get(_ENV_TEST_CLOCK) == "1",
        host=os.environ.get(_ENV_HOST, "127.0.0.1"),
        contact_phone=os.environ.get(_ENV_CONTACT["contact_phone"], ""),
        contact_fax=os.environ.get(_ENV_CONTACT["contact_fax"], ""),
        contact_label=os.environ.get(_ENV_CONTACT["contact_label"], ""),
        act_threads=int(os.environ.get(_ENV_ACT_THREADS, "1")),
    )
    if settings.test_clock and os.environ.get(_ENV_FAST_HASH) == "1":
        settings.argon2_time_cost, settings.argon2_memory_kib = 1, 8192
    return settings


def app_from_env() -> FastAPI:
    """uvicorn's factory in each worker process."""
    from registry.process import exit_when_supervisor_goes

    exit_when_supervisor_goes()
    settings = _settings_from_env()
    return create_app(settings, make_engine(settings.db_url))


def serve(
    db_url: str,
    host: str = "127.0.0.1",
    port: int = 8443,
    *,
    test_clock: bool = False,
    fast_hash: bool = False,
    workers: int = 1,
    act_threads: int = 1,
    certfile: Path | None = None,
    keyfile: Path | None = None,
    contact: dict[str, str] | None = None,
) -> None:
    """`contact`: this deployment's numbers, by Settings field (contact_phone, _fax, _label)."""
    settings = Settings(db_url=db_url, test_clock=test_clock, host=host)
    check_test_clock(settings)
    prepare(settings).dispose()
    os.environ.update(
        {
            _ENV_DB: db_url,
            _ENV_TEST_CLOCK: "1" if test_clock else "0",
            _ENV_HOST: host,
            _ENV_FAST_HASH: "1" if fast_hash else "0",
            _ENV_ACT_THREADS: str(act_threads),
            **{name: (contact or {}).get(field, "") for field, name in _ENV_CONTACT.items()},
        }
    )
    scheme = "https" if certfile else "http"
    where = shown_url(db_url)
    # uvicorn's own start line is off with its info log (its access log would name patients).
    print(
        f"registry: serving {scheme}://{host}:{port} with {workers} worker(s), {where}",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        "registry.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,  # request lines carry patient ids; the registry keeps its own audit
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
    )
