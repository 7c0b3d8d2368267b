"""Shared fixtures: where the shared spec lives, and a fresh program on a fixed clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import keyring
import pytest

from app.clock import FixedClock, ManualClock
from app.in_memory import InMemoryLedger
from app.program import Program
from app.roles import Role
from local_store.keys import FAST_KDF
from local_store.session import Session
from local_store.workstation import NewAccount, Workstation
from tests.support.memory_keyring import MemoryKeyring

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CLOZAPINE_SHARED", REPO.parent / "shared"))
SHARED_SCENARIOS = SHARED / "spec" / "scenarios"
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
