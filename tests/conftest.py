"""Shared fixtures: where the shared spec lives, and a fresh program on a fixed clock."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.in_memory import InMemoryLedger
from app.program import Program

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
