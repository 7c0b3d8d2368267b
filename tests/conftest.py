"""Shared fixtures: where the spec lives, and a fresh program on a fixed clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import keyring
import pytest
from hypothesis import HealthCheck, settings

# Qt with no display aborts the process: the window tests draw offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.clock import FixedClock, ManualClock
from app.in_memory import InMemoryLedger
from app.program import Program
from app.roles import Role
from local_store.keys import FAST_KDF
from local_store.session import Session
from local_store.workstation import NewAccount, Workstation
from tests.support.memory_keyring import MemoryKeyring
from tests.support.registry_server import (
    OPERATOR_PASSWORD,
    ServedRegistry,
    registry_settings,
    serve_in_thread,
)
from tests.support.registry_world import World, build_world

# The cross-surface property test (tests/test_cross_surface.py). "ci", its default: the same
# stories every run (derandomized, no example database), sized for about 2-3 minutes of CI.
# "long" (pytest --hypothesis-profile=long tests/test_cross_surface.py): fresh random stories,
# failures kept in .hypothesis/ and replayed first, sized for about 30 minutes. Measured on 2
# shared cores, SQLite and PostgreSQL: 120 stories in 119 s, about 1 s a story.
CROSS_SURFACE_CI_EXAMPLES = int(os.environ.get("CROSS_SURFACE_EXAMPLES", "120"))
CROSS_SURFACE_LONG_EXAMPLES = 1800
_STORIES_ARE_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "ci",
    max_examples=CROSS_SURFACE_CI_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_STORIES_ARE_SLOW,
)
settings.register_profile(
    "long",
    max_examples=CROSS_SURFACE_LONG_EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=_STORIES_ARE_SLOW,
)

REPO = Path(__file__).resolve().parent.parent
# The shared spec ships with the code (a copy of ../shared/spec; scripts/check-spec-copy).
SHARED_SCENARIOS = REPO / "conformance" / "spec" / "scenarios"
V2_SCENARIOS = REPO / "conformance" / "spec" / "v2" / "scenarios"  # rules.md §13 (issue #16)
V2_PENDING = REPO / "conformance" / "v2-pending.json"  # the v2 scenarios not passed yet
OWN_SCENARIOS = REPO / "tests" / "scenarios"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(date(2024, 1, 2))


@pytest.fixture
def program(clock: FixedClock) -> Program:
    return Program(InMemoryLedger(), clock)


# The encrypted store: a real SQLCipher file in a temporary folder, a real workstation file,
# and the OS keyring replaced by one held in memory (the one thing we cannot run here).
STORE_NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
PRESCRIBER_PASSWORD = "lithium carbonate on tuesdays"
DESIGNEE_PASSWORD = "blue heron over the marsh"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def store_clock() -> ManualClock:
    return ManualClock(STORE_NOW)


@pytest.fixture
def workstation(
    tmp_path: Path, store_clock: ManualClock, memory_keyring: MemoryKeyring
) -> Workstation:
    return Workstation(tmp_path / "desk", store_clock, kdf=FAST_KDF)


@pytest.fixture
def prescriber_session(workstation: Workstation) -> Iterator[Session]:
    session = workstation.create(
        NewAccount("a.kim@clinic.example", "Ana Kim, MD", Role.PRESCRIBER, id="dr-kim"),
        PRESCRIBER_PASSWORD,
    )
    yield session
    session.sign_out()


# The registry: PostgreSQL for the tests that run on it (CI hands its server over in
# CLOZAPINE_TEST_PG_URL; otherwise one is started for the session with scripts/postgres).
@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    given = os.environ.get("CLOZAPINE_TEST_PG_URL")
    if given:
        yield given
        return
    import shutil
    import subprocess
    import tempfile

    # Not under pytest's temporary folder: the postgres user must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="clozapine-pg-"))
    script = REPO / "scripts" / "postgres"
    url = subprocess.run(
        [str(script), "start", str(folder)], check=True, capture_output=True, text=True
    ).stdout.strip()
    yield url
    subprocess.run([str(script), "stop", str(folder)], check=False)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def served_registry(tmp_path: Path) -> Iterator[ServedRegistry]:
    """A fresh registry on SQLite, served in a thread; its wall clock is a ManualClock."""
    wall = ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    settings = registry_settings(f"sqlite:///{tmp_path / 'registry.db'}", now=wall.now)
    with serve_in_thread(settings, wall) as served:
        yield served


@pytest.fixture
def world(served_registry: ServedRegistry) -> Iterator[World]:
    built = build_world(served_registry.url, OPERATOR_PASSWORD)
    yield built
    built.close()
