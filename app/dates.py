"""Reading dates as forms and files give them."""

from __future__ import annotations

import re
from datetime import date

from app.errors import ErrorCode, InvalidEntry, echo

# Exactly YYYY-MM-DD: Python's fromisoformat also reads 20240131 and 2024-W05-3, which no
# form prints, and a number such as 20240131 sent for a date must not become one.
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: object) -> date:
    """An ISO date (YYYY-MM-DD) or a date; anything else is INVALID_DATE."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidEntry(
        ErrorCode.INVALID_DATE,
        f"{echo(value)} is not a date. Use the form YYYY-MM-DD (2024-01-31).",
    )


def days_between(earlier: date, later: date) -> int:
    """Whole days from `earlier` to `later` (negative if `later` comes first)."""
    return (later - earlier).days
