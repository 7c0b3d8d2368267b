"""The registry as a service: its committed OpenAPI document, its migrations, sign-in with
lock-out and tokens, the handshake, and the test clock that is never on unless asked for."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from registry.database import make_engine, migrate
from registry.openapi import document
from registry.process import OPERATOR_EMAIL, RegistryProcess, fresh_database
from registry.settings import Settings, UnsafeTestClock, check_test_clock
from registry.tables import metadata
from sync.client import RegistryClient, SignInRequired, UnsafeRegistryUrl, check_url
from tests.conftest import REPO
from tests.support.registry_server import OPERATOR_PASSWORD, ServedRegistry
from tests.support.registry_world import PASSWORD, World, ok

COMMITTED_OPENAPI = REPO / "docs" / "registry-openapi.json"


def test_the_committed_openapi_document_is_what_the_registry_serves(tmp_path: Path) -> None:
    committed = json.loads(COMMITTED_OPENAPI.read_text())
    with RegistryProcess(f"sqlite:///{tmp_path / 'r.db'}", test_clock=False) as registry:
        served = requests.get(registry.url + "/openapi.json", timeout=10).json()
    assert served == committed, "run: python -m registry.openapi > docs/registry-openapi.json"
    assert served == document()
    assert "/v1/test/clock" not in served["paths"]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_migrations_build_exactly_the_tables_the_code_uses(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    given = request.getfixturevalue("postgres_url") if database == "postgresql" else None
    with fresh_database(given, tmp_path) as url:
        engine = make_engine(url)
        migrate(engine)
        migrate(engine)  # a second run finds nothing to do
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
        engine.dispose()
    assert differences == []


def test_five_wrong_passwords_lock_the_account_for_30_minutes(
    world: World, served_registry: ServedRegistry
) -> None:
    wall = served_registry.wall
    assert wall is not None
    client = RegistryClient(world.url)
    # The operator's account is as good as any: five wrong passwords lock it.
    for attempt in range(1, 5):
        answer = client.sign_in(OPERATOR_EMAIL, "not the password")
        assert answer.error == "SIGN_IN_REFUSED"
        assert f"{5 - attempt} attempt(s) left" in answer.message
    locked = client.sign_in(OPERATOR_EMAIL, "not the password")
    assert locked.error == "ACCOUNT_LOCKED" and "30 minutes" in locked.message
    right_but_locked = client.sign_in(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    assert right_but_locked.error == "ACCOUNT_LOCKED"
    assert "30 more minute" in right_but_locked.message
    wall.advance(timedelta(minutes=29))
    assert "1 more minute" in client.sign_in(OPERATOR_EMAIL, OPERATOR_PASSWORD).message
    wall.advance(timedelta(minutes=1, seconds=1))
    assert client.sign_in(OPERATOR_EMAIL, OPERATOR_PASSWORD).ok


def test_an_unknown_email_is_refused_like_a_wrong_password(world: World) -> None:
    answer = RegistryClient(world.url).sign_in("nobody@nowhere.test", PASSWORD)
    assert (answer.status, answer.error) == (401, "SIGN_IN_REFUSED")


def test_tokens_expire_refresh_once_and_sign_out_ends_them(
    world: World, served_registry: ServedRegistry
) -> None:
    wall = served_registry.wall
    assert wall is not None
    dr = world.client("dr_a")
    old_refresh = dr.tokens.load()
    wall.advance(timedelta(minutes=16))  # the 15-minute access token has expired
    assert ok(dr.get("/v1/me"))["role"] == "prescriber"  # refreshed without asking anyone
    assert dr.tokens.load() != old_refresh
    stale = requests.post(
        world.url + "/v1/session/refresh", json={"refresh_token": old_refresh}, timeout=5
    )
    assert stale.status_code == 401, "a refresh token works once (rotation)"
    dr.sign_out()
    with pytest.raises(SignInRequired):
        dr.get("/v1/me")


def test_the_handshake_gives_protocol_server_time_and_minimum_version(world: World) -> None:
    hello = RegistryClient(world.url).handshake()
    assert hello["protocol"] == 1
    assert hello["min_client_version"] == "0.1.0"
    assert hello["server_time"].startswith("2026-11-02T09:00")  # the registry's wall clock
    assert hello["program_date"] == "2024-01-03"  # the test clock the world set


def test_the_test_clock_is_only_for_loopback() -> None:
    with pytest.raises(UnsafeTestClock, match="loopback"):
        check_test_clock(Settings(db_url="sqlite://", test_clock=True, host="0.0.0.0"))
    check_test_clock(Settings(db_url="sqlite://", test_clock=True, host="::1"))
    check_test_clock(Settings(db_url="sqlite://", test_clock=False, host="0.0.0.0"))
    out = subprocess.run(
        [
            str(REPO / ".venv/bin/clozapine-desk"),
            "registry",
            "serve",
            "--db",
            "sqlite://",
            "--host",
            "0.0.0.0",
            "--test-clock",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "loopback" in out.stderr


def test_the_registry_will_not_serve_the_network_without_tls() -> None:
    out = subprocess.run(
        [
            str(REPO / ".venv/bin/clozapine-desk"),
            "registry",
            "serve",
            "--db",
            "sqlite://",
            "--host",
            "0.0.0.0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "without TLS" in out.stderr and "--certfile" in out.stderr


def test_without_the_flag_there_is_no_test_clock(tmp_path: Path) -> None:
    with RegistryProcess(f"sqlite:///{tmp_path / 'r.db'}", test_clock=False) as registry:
        answer = requests.put(
            registry.url + "/v1/test/clock", json={"today": "2020-01-01"}, timeout=5
        )
        hello = requests.get(registry.url + "/v1/handshake", timeout=5).json()
    assert answer.status_code in (404, 405)
    assert hello["test_clock"] is False


def test_patient_information_only_travels_over_tls() -> None:
    assert check_url("https://registry.example.org/") == "https://registry.example.org"
    assert check_url("http://127.0.0.1:8443") == "http://127.0.0.1:8443"
    with pytest.raises(UnsafeRegistryUrl, match="https"):
        check_url("http://registry.example.org")
