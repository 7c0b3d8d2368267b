"""The one clock the program rules read. Injected, so tests and scenarios set the date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
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


class ManualClock:
    """A clock set to an exact moment and moved by hand: lock-outs, idle time, benchmarks."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def today(self) -> date:
        return self._now.date()

    def now(self) -> datetime:
        return self._now
