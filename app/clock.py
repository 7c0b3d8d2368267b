"""The one clock the program rules read. Injected, so tests and scenarios set the date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol


class Clock(Protocol):
    """Where the rules get "today" and "now" from."""

    def today(self) -> date: ...

    def now(self) -> datetime: ...


class SystemClock:
    """The workstation's or server's own clock (local date; aware UTC timestamps)."""

    def today(self) -> date:
        return date.today()

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that says what it is told: scenarios, tests and the registry's test-clock mode."""

    def __init__(self, today: date) -> None:
        self._today = today

    def set(self, today: date) -> None:
        self._today = today

    def today(self) -> date:
        return self._today

    def now(self) -> datetime:
        return datetime(self._today.year, self._today.month, self._today.day, 12, tzinfo=UTC)
