"""Reading dates as forms and files give them."""

from __future__ import annotations

from datetime import date

from app.errors import ErrorCode, InvalidEntry


def parse_date(value: date | str) -> date:
    """An ISO date (YYYY-MM-DD) or a date; anything else is INVALID_DATE."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidEntry(
        ErrorCode.INVALID_DATE, f"{value!r} is not a date. Use the form YYYY-MM-DD (2024-01-31)."
    )


def days_between(earlier: date, later: date) -> int:
    """Whole days from `earlier` to `later` (negative if `later` comes first)."""
    return (later - earlier).days
